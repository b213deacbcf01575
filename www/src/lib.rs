//! The sessionhunt web app: a Yew page and a web worker, built with Trunk.
//!
//! This crate is the only one that knows the DOM, `File`s and the worker message format. The page
//! (`bin/app.rs`) never parses or analyses; the worker (`bin/worker.rs`) never renders. Files go
//! from the page to the worker as `File` handles (no copy on the main thread); the worker reads them
//! in slices, streams them into `sessionhunt`'s ingestion, and sends back progress, the report's
//! findings in pages (what the page shows), the rest of the report, and last the report's JSON
//! contract text as a `Blob` (what the download saves, never copied into the page's memory). The
//! messages and their encoding are in `protocol`.

pub mod answer;
pub mod app;
pub mod bridge;
pub mod components;
pub mod context;
pub mod demo;
pub mod format;
pub mod glossary;
pub mod networks;
pub mod protocol;
pub mod state;
pub mod worker;

pub use app::App;
