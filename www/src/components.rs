//! Page components. Leaf components take props only.

pub mod about;
pub mod details;
pub mod drop_zone;
pub mod findings;
pub mod settings;
pub mod status;
pub mod summary;
pub mod theme;
pub mod timeline;
pub mod users;
