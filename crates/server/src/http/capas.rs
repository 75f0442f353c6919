//! Cross-cutting layers: security headers, CORS, per-IP rate limit, request metrics and timeouts.

use super::AppState;
use crate::config::Config;
use crate::error::AppError;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, SocketAddr};
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
        let estilos = hashes_de_estilos(&config.static_dir.join("index.html"));
        let csp = format!(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'{estilos}; img-src 'self' data:; \
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

/// The CSP sources (`'sha256-…'`) of the `<style>` blocks the built app's page inlines (its stylesheet, so the
/// first paint waits for no second request); every prerendered page carries the same one. Empty without a built
/// app.
pub fn hashes_de_estilos(index: &std::path::Path) -> String {
    use base64::Engine;
    use sha2::Digest;
    let Ok(html) = std::fs::read_to_string(index) else {
        return String::new();
    };
    let mut fuentes = String::new();
    let mut resto = html.as_str();
    while let Some(inicio) = resto.find("<style") {
        let Some(abre) = resto[inicio..].find('>') else {
            break;
        };
        let cuerpo = &resto[inicio + abre + 1..];
        let Some(fin) = cuerpo.find("</style>") else {
            break;
        };
        let hash = sha2::Sha256::digest(&cuerpo.as_bytes()[..fin]);
        fuentes.push_str(" 'sha256-");
        fuentes.push_str(&base64::engine::general_purpose::STANDARD.encode(hash));
        fuentes.push('\'');
        resto = &cuerpo[fin..];
    }
    fuentes
}

pub async fn cabeceras(State(c): State<Cabeceras>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    // A route with a policy of its own keeps it (Swagger UI's page: `super::openapi`).
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, c.csp.clone());
    }
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
        // `Config::check` refuses the rest at start; tower-http would panic on `*`.
        .filter(|o| !o.is_empty() && crate::config::origen_cors(o).is_ok())
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origenes))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE])
}

/// Per-client rate limit on the API's POSTs and on the CAPTCHA's images and sounds (each may cost a render)
/// ([`super::limite_ip`]): 429 with `Retry-After` (whole seconds).
pub async fn limite_ip(State(st): State<AppState>, req: Request, next: Next) -> Response {
    if limitada(req.method(), req.uri().path()) {
        if let Some(ConnectInfo(addr)) = req.extensions().get::<ConnectInfo<SocketAddr>>() {
            let ip = ip_cliente(addr.ip(), req.headers(), st.config().proxies);
            let permitido = match st.permitir_ip(ip) {
                Ok(()) if st.limite_ip_compartido() => st.permitir_ip_compartido(ip).await,
                otro => otro,
            };
            if let Err(espera) = permitido {
                let mut res = AppError::LimiteIp.into_response();
                let segundos = espera.as_secs() + u64::from(espera.subsec_nanos() > 0);
                res.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(segundos.max(1)));
                return res;
            }
        }
    }
    next.run(req).await
}

/// Whether a request counts towards the per-IP limit: a POST to the API, or a CAPTCHA's image or sound.
fn limitada(metodo: &Method, ruta: &str) -> bool {
    let dibujo = || {
        ruta.strip_prefix("/api/captcha/")
            .is_some_and(|r| r.ends_with("/imagen") || r.ends_with("/audio"))
    };
    (metodo == Method::POST && ruta.starts_with("/api/")) || (metodo == Method::GET && dibujo())
}

/// The client's address: the socket's, or behind `proxies` trusted reverse proxies the `X-Forwarded-For` entry the
/// outermost of them wrote (entries further left are whatever the client sent, so they are never trusted).
pub fn ip_cliente(socket: IpAddr, cabeceras: &axum::http::HeaderMap, proxies: u8) -> IpAddr {
    if proxies == 0 {
        return socket;
    }
    let entradas: Vec<&str> = cabeceras
        .get_all(HeaderName::from_static("x-forwarded-for"))
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    entradas
        .len()
        .checked_sub(usize::from(proxies))
        .and_then(|i| entradas.get(i))
        .and_then(|e| entrada_ip(e))
        .unwrap_or(socket)
}

/// The address in one `X-Forwarded-For` entry: `1.2.3.4`, `2001:db8::1`, or with a port as some proxies write
/// it, `1.2.3.4:5678`, `[2001:db8::1]:5678` (or `[2001:db8::1]`).
fn entrada_ip(entrada: &str) -> Option<IpAddr> {
    entrada
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entrada.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            entrada
                .strip_prefix('[')?
                .strip_suffix(']')?
                .parse::<std::net::Ipv6Addr>()
                .ok()
                .map(IpAddr::V6)
        })
}

/// Turns a panic in a handler into the usual problem+json 500 (the connection and the other requests go on). The
/// panic's message is logged only when it is a literal: a formatted one could quote personal data.
pub fn atrapar_panicos(
) -> tower_http::catch_panic::CatchPanicLayer<fn(Box<dyn std::any::Any + Send>) -> Response> {
    tower_http::catch_panic::CatchPanicLayer::custom(respuesta_a_panico as fn(_) -> _)
}

fn respuesta_a_panico(panico: Box<dyn std::any::Any + Send>) -> Response {
    let mensaje = panico
        .downcast_ref::<&'static str>()
        .copied()
        .unwrap_or("(formatted message not logged)");
    AppError::internal(format!("a handler panicked: {mensaje}")).into_response()
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

#[cfg(test)]
mod tests {
    use super::ip_cliente;
    use axum::http::{HeaderMap, HeaderValue};
    use std::net::IpAddr;

    fn con(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn x_forwarded_for_solo_de_proxies_confiables() {
        let socket: IpAddr = "10.0.0.5".parse().unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        // No proxies configured: the header is ignored.
        assert_eq!(ip_cliente(socket, &con(&["1.2.3.4"]), 0), socket);
        // One proxy: its entry (the last one); a forged entry further left is ignored.
        assert_eq!(
            ip_cliente(socket, &con(&["6.6.6.6, 200.1.2.3"]), 1),
            ip("200.1.2.3")
        );
        // Two proxies, the header split over two lines.
        assert_eq!(
            ip_cliente(socket, &con(&["6.6.6.6, 200.1.2.3", "10.1.1.1"]), 2),
            ip("200.1.2.3")
        );
        // Missing, too short or not an address: the socket's.
        assert_eq!(ip_cliente(socket, &con(&[]), 1), socket);
        assert_eq!(ip_cliente(socket, &con(&["200.1.2.3"]), 2), socket);
        assert_eq!(ip_cliente(socket, &con(&["basura"]), 1), socket);
        assert_eq!(
            ip_cliente(socket, &con(&["2001:db8::1"]), 1),
            ip("2001:db8::1")
        );
    }

    #[test]
    fn x_forwarded_for_con_puerto() {
        let socket: IpAddr = "10.0.0.5".parse().unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(
            ip_cliente(socket, &con(&["6.6.6.6, 200.1.2.3:5678"]), 1),
            ip("200.1.2.3")
        );
        assert_eq!(
            ip_cliente(socket, &con(&["[2001:db8::7]:443"]), 1),
            ip("2001:db8::7")
        );
        assert_eq!(
            ip_cliente(socket, &con(&["[2001:db8::7]"]), 1),
            ip("2001:db8::7")
        );
        // A port without its brackets around an IPv6 address, a bad port or half a bracket: not an address.
        for basura in [
            "2001:db8::7]:443",
            "[2001:db8::7",
            "200.1.2.3:99999",
            "200.1.2.3:",
        ] {
            assert_eq!(ip_cliente(socket, &con(&[basura]), 1), socket, "{basura}");
        }
    }
}

#[cfg(test)]
mod tests_estilos {
    #[test]
    fn each_inline_style_is_allowed_by_its_hash() {
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("index.html");
        std::fs::write(
            &index,
            "<html><style>a{b:c}</style><style media=x>d{}</style></html>",
        )
        .unwrap();
        // sha256("a{b:c}") and sha256("d{}"), base64 (as the browser computes them for CSP).
        assert_eq!(
            super::hashes_de_estilos(&index),
            " 'sha256-0cRUVYRKwNwnl1hkfkPGjkht16b039TjFdJzmXfFK2o=' 'sha256-fTCnhmQx+Vznx1J/TbamDaXx+RzqkeQEjy6m9fNBY/I='"
        );
        assert_eq!(super::hashes_de_estilos(&dir.path().join("none.html")), "");
    }
}
