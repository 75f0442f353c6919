//! The HTTP layer: [`AppState`] and [`app`], which merges every resource's router.

mod api;
mod capas;
pub mod documentos;
mod escuelas;
mod estado;
pub mod limite_ip;
pub mod openapi;
pub mod servir;
mod static_files;
mod umf;
mod vigencia;

pub use estado::{AppState, OutboxDb};
pub use static_files::is_hashed_asset;

use axum::Router;

/// The routes [`api`] documents itself, and the document they make with [`openapi::ApiDoc`].
fn rutas(config: &crate::Config) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (rutas, recogido) = api::operacion()
        .merge(api::router(config))
        .split_for_parts();
    (rutas, openapi::documento(recogido))
}

/// The OpenAPI document the app serves at `GET /api/openapi.json`.
pub fn documento_openapi() -> utoipa::openapi::OpenApi {
    rutas(&crate::Config::for_data_dir(std::path::Path::new("."))).1
}

/// The whole HTTP application: API, its OpenAPI document and Swagger UI, health, metrics, catalog shards, the
/// built app.
pub fn app(state: AppState) -> Router {
    let config = state.config().clone();
    let static_service = static_files::router(&config.static_dir);
    let shards = static_files::shards(&config.data_dir.join("catalog").join("cp"));
    let (rutas, documento) = rutas(&config);
    let api = rutas
        .merge(documentos::router::<AppState>())
        .merge(openapi::router(&documento));
    // Unit tests only: a handler that panics, to see the panic become a 500.
    #[cfg(test)]
    let api = api.route("/api/pruebas/panico", axum::routing::get(panico_de_prueba));
    Router::new()
        .merge(api)
        .nest_service("/catalogo/cp", shards)
        .fallback_service(static_service)
        .layer(capas::atrapar_panicos())
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

#[cfg(test)]
async fn panico_de_prueba() -> &'static str {
    panic!("handler panic injected by a test")
}
