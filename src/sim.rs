//! Deterministic tenant simulator: benign users with realistic confounders and AiTM attack variants,
//! written in real export shapes. Used for the web app's demo data, quality measurements and
//! benchmarks. Seeded; no clock, no OS randomness.

pub mod builder;
pub mod records;

pub use records::{AuditRecord, Record, SignInRecord, to_dataset};
