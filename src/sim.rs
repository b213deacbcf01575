//! Deterministic tenant simulator: benign users with realistic confounders and AiTM attack variants,
//! written in real export shapes. Used for the web app's demo data, quality measurements and
//! benchmarks. Seeded; no clock, no OS randomness.
