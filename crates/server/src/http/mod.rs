//! The HTTP layer: [`AppState`] and [`app`], which merges every resource's router.

mod api;
mod capas;
mod estado;
pub mod limite_ip;
mod static_files;

pub use estado::{AppState, OutboxDb};
pub use static_files::is_hashed_asset;

use axum::routing::get;
use axum::Router;

/// The whole HTTP application: API, health, metrics, catalog shards, the built app.
pub fn app(state: AppState) -> Router {
    let config = state.config().clone();
    let static_service = static_files::router(&config.static_dir);
    let shards = static_files::shards(&config.data_dir.join("catalog").join("cp"));
    let api = api::router(&config).merge(crate::documents::http::router::<AppState>());
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(api::readyz))
        .route("/metrics", get(api::metrics))
        .merge(api)
        .nest_service("/catalogo/cp", shards)
        .fallback_service(static_service)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            capas::limite_ip,
        ))
        .layer(axum::middleware::from_fn_with_state(
            std::time::Duration::from_millis(config.timeout_ms),
            capas::limite_tiempo,
        ))
        .layer(axum::middleware::from_fn(capas::medir))
        .layer(capas::cors(&config))
        .layer(axum::middleware::from_fn_with_state(
            capas::Cabeceras::new(&config),
            capas::cabeceras,
        ))
        .with_state(state)
}
