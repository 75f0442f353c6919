//! Afíliate's companion backend: JSON API, NSS assignment, CAPTCHA, documents, email outbox, operator CLI.
//!
//! `main.rs` only boots; [`app`] builds the whole HTTP router from an [`AppState`], which tests call directly.

pub mod captcha;
pub mod cifra;
pub mod cli;
pub mod config;
pub mod db;
pub mod documents;
pub mod error;
pub mod guardia;
pub mod http;
pub mod mail;
pub mod metrics;
pub mod ops;
pub mod registry;
pub mod service;
pub mod subdelegaciones;

pub use config::{Config, Env};

/// mimalloc instead of the system allocator: the server allocates many small, short-lived buffers on several
/// threads at once, where glibc's malloc showed up as about a sixth of the CPU time in `bench_api`.
#[global_allocator]
static ASIGNADOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
pub use http::{app, AppState};
