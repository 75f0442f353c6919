//! One module per route.

pub mod landing;
