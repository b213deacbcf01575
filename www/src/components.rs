//! Page components. Each takes what it shows as props; what the analyst does goes to the page
//! state or the worker through the context (`crate::context`).

pub mod about;
pub mod campaign;
pub mod details;
pub mod drop_zone;
pub mod findings;
pub mod grading;
pub mod overview;
pub mod session;
pub mod settings;
pub mod status;
pub mod summary;
pub mod theme;
pub mod timeline;
pub mod users;
