//! Page components. Leaf components take props only.

pub mod about;
pub mod drop_zone;
pub mod findings;
pub mod status;
pub mod summary;
