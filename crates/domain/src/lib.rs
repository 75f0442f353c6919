//! Afíliate's domain rules, shared by the browser (wasm32) and the server (native).
//!
//! No Leptos, tokio, sqlx or regex here: this crate must stay small enough for the wasm bundle.

pub mod api;
