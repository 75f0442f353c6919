//! Afíliate's companion backend: JSON API, NSS assignment, CAPTCHA, documents, email outbox, operator CLI.
//!
//! `main.rs` only boots; [`app`] builds the whole HTTP router from an [`AppState`], which tests call directly.
//!
//! Dependencies point one way: [`http`] (handlers, answering through [`error::AppError`]) → [`service`],
//! [`vigencia`], [`escuelas`], [`guardia`] (the procedures' rules, no SQL, no HTTP) → [`db`] (the SQL and the SQLite
//! writer), with the plain data of [`pedido`] between them. [`mail`] composes emails from plain data and
//! [`documents`] issues and renders documents; [`error`] depends on no module above.

pub mod auditoria;
pub mod captcha;
pub mod cifra;
pub mod cli;
pub mod config;
pub mod db;
pub mod documents;
pub mod error;
pub mod escuelas;
pub mod guardia;
pub mod http;
pub mod mail;
pub mod metrics;
pub mod ops;
pub mod pedido;
pub mod registry;
pub mod service;
pub mod subdelegaciones;
pub mod vigencia;

pub use config::{Config, Env};

/// mimalloc instead of the system allocator: the server allocates many small, short-lived buffers on several
/// threads at once, where glibc's malloc showed up as about a sixth of the CPU time in `bench_api`.
#[global_allocator]
static ASIGNADOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
pub use http::{app, AppState};

/// The server's tokio runtime. Its worker threads (HTTP) run at a slightly lower priority (nice +4) than the SQLite
/// writer and the database's own threads: a group commit waits on about ten statements, each a hand-off to another
/// thread, so under full load the single writer must get a core as soon as it is runnable, or every request waits.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .on_thread_start(ceder_prioridad)
        .build()
}

fn ceder_prioridad() {
    prioridad(4);
}

/// Sets the calling thread's nice value. On Linux a nice value belongs to a thread; raising one's own needs no
/// privilege. Best effort elsewhere.
pub(crate) fn prioridad(nice: i32) {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority only reads its integer arguments; who = 0 is the calling thread.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, nice);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = nice;
}
