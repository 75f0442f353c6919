//! Plain form and flow state: structs whose `validate()` calls the domain crate and returns field → message lists.

pub mod domicilio;
pub mod errores;
pub mod inicio;
pub mod tramite;

pub use errores::Errores;
