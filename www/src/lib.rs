//! The sessionhunt web app (placeholder while the foundation is laid).
