//! Cross-cutting layers: security headers, CORS, per-IP rate limit, request metrics and timeouts.

use super::AppState;
use crate::config::Config;
use crate::error::AppError;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::time::Instant;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// The headers every answer carries.
#[derive(Clone)]
pub struct Cabeceras {
    csp: HeaderValue,
}

impl Cabeceras {
    pub fn new(config: &Config) -> Cabeceras {
        let ancestros: String = config
            .frame_ancestors
            .chars()
            .filter(|c| !matches!(c, ';' | ',' | '\r' | '\n'))
            .collect();
        let csp = format!(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
             font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
             frame-ancestors {}",
            ancestros.trim()
        );
        Cabeceras {
            csp: HeaderValue::from_str(&csp)
                .unwrap_or_else(|_| HeaderValue::from_static("frame-ancestors 'self'")),
        }
    }
}

pub async fn cabeceras(State(c): State<Cabeceras>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, c.csp.clone());
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    res
}

/// CORS for the origins in `AFILIATE_CORS_ORIGINS` (none: same origin only).
pub fn cors(config: &Config) -> CorsLayer {
    let origenes: Vec<HeaderValue> = config
        .cors_origins
        .iter()
        .map(|o| o.trim())
        .filter(|o| !o.is_empty())
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origenes))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE])
}

/// Per-IP token bucket on the API's POSTs.
pub async fn limite_ip(State(st): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() == Method::POST && req.uri().path().starts_with("/api/") {
        if let Some(ConnectInfo(addr)) = req.extensions().get::<ConnectInfo<SocketAddr>>() {
            if !st.permitir_ip(addr.ip()) {
                return AppError::LimiteIp.into_response();
            }
        }
    }
    next.run(req).await
}

/// Counts and times each request by its route pattern.
pub async fn medir(req: Request, next: Next) -> Response {
    let ruta = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| {
            if req.uri().path().starts_with("/catalogo/") {
                "/catalogo/cp".to_string()
            } else {
                "static".to_string()
            }
        });
    let inicio = Instant::now();
    let res = next.run(req).await;
    crate::metrics::record_request(&ruta, res.status().as_u16(), inicio.elapsed());
    res
}

/// Answers 503 (problem+json) when a request takes longer than `AFILIATE_TIMEOUT_MS`. A write already queued still
/// commits; the assignment is idempotent, so the retry answers the same NSS.
pub async fn limite_tiempo(
    State(limite): State<std::time::Duration>,
    req: Request,
    next: Next,
) -> Response {
    match tokio::time::timeout(limite, next.run(req)).await {
        Ok(res) => res,
        Err(_) => AppError::Cuerpo(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "La solicitud tardó demasiado. Intenta de nuevo en unos minutos.".into(),
        )
        .into_response(),
    }
}
