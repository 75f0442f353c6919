//! The OpenAPI 3.1 document, generated from the code with utoipa, and the page that shows it to integrators.
//!
//! The handlers of [`super::api`] carry their own `#[utoipa::path]` and are registered with `utoipa_axum::routes!`,
//! so their routes and their operations come from one list. The document endpoints live in
//! [`crate::http::documentos`], whose router is merged as it is: their operations are described here, on the
//! functions below that only carry the description, and the server's tests check that every route the app serves
//! is in the document ([`RUTAS_DOCUMENTADAS_APARTE`]). The schemas are the domain crate's API types
//! (`afiliate_domain::api`, feature `utoipa`).
//!
//! `GET /api/openapi.json` serves the document, serialised once; `GET /api/docs/` serves Swagger UI, whose files are
//! embedded in the binary (`utoipa-swagger-ui`'s `vendored` feature) and loaded as files from the same origin (scripts
//! from `'self'` only), under its own Content-Security-Policy [`CSP_VISOR`].

use afiliate_domain::api::{Mensaje, Problema, Verificacion};
use axum::http::{header, HeaderValue};
use axum::response::IntoResponse;
use axum::Router;
use utoipa::openapi::path::{HttpMethod, Operation};
use utoipa::openapi::{ContentBuilder, OpenApi as Documento, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi};

/// Where the document is served.
pub const RUTA_DOCUMENTO: &str = "/api/openapi.json";
/// Where Swagger UI is served (`/api/docs` redirects to `/api/docs/`).
pub const RUTA_VISOR: &str = "/api/docs";

/// The routes the app serves that [`super::api`]'s `routes!` lists do not document: the document endpoints of
/// [`crate::http::documentos`] and the document itself (method, path). The tests compare this list, the app's
/// router and the document.
pub const RUTAS_DOCUMENTADAS_APARTE: &[(&str, &str)] = &[
    ("get", "/api/documentos/{folio}/pdf"),
    ("post", "/api/documentos/{folio}/reenvios"),
    ("get", "/api/verificacion/{folio}"),
    ("get", RUTA_DOCUMENTO),
];

/// Swagger UI's own Content-Security-Policy: the app's, without `'wasm-unsafe-eval'`, plus the hash of the one
/// `<style>` element Swagger UI 5.17.14's bundle inserts (the browser names it when it blocks it), and never framed.
pub const CSP_VISOR: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='; img-src 'self' data:; font-src 'self'; \
    connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Afíliate API",
        version = "1.0.0",
        description = "Localización y asignación del Número de Seguridad Social (NSS) para estudiantes, la constancia \
                       de vigencia de derechos, las Unidades de Medicina Familiar por código postal y las altas y bajas \
                       que envían las escuelas (con su clave: `Authorization: Bearer <clave>`). Todos los errores son \
                       `application/problem+json` (RFC 9457, esquema `Problema`) con `errores`: campo → mensajes en \
                       español.",
        license(name = "MIT", identifier = "MIT")
    ),
    paths(documento_pdf, reenvios, verificacion, documento_openapi),
    components(schemas(Problema, Mensaje, Verificacion, ModoEnlace)),
    tags(
        (name = "captcha", description = "Retos CAPTCHA de un solo uso (imagen y audio)"),
        (name = "nss", description = "Localización y asignación del NSS"),
        (name = "catálogo", description = "Códigos postales de SEPOMEX"),
        (name = "vigencia", description = "Constancia de vigencia de derechos (Paso 2)"),
        (name = "clínicas", description = "Unidades de Medicina Familiar por código postal (Paso 3)"),
        (name = "escuelas", description = "Altas y bajas de estudiantes que envían las escuelas (CSV, con la clave de la escuela)"),
        (name = "documentos", description = "Documentos emitidos: PDF, reenvío por correo y verificación"),
        (name = "operación", description = "Salud, disponibilidad, métricas y este documento"),
    )
)]
pub struct ApiDoc;

/// The `modo` of a document link, as `crate::documents::Modo` parses it.
#[derive(utoipa::ToSchema)]
#[schema(
    description = "Cómo se entrega el PDF: `ver` (en línea, para imprimir) o `descargar` (adjunto)."
)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
enum ModoEnlace {
    Ver,
    Descargar,
}

/// The document's PDF behind a signed link that expires.
#[utoipa::path(
    get,
    path = "/api/documentos/{folio}/pdf",
    tag = "documentos",
    summary = "PDF de un documento (enlace firmado que expira)",
    description = "Las direcciones vienen en `ver_url` y `descargar_url` de cada `Documento`: no se construyen a mano.",
    params(
        ("folio" = String, Path, description = "Folio del documento"),
        ("modo" = Option<ModoEnlace>, Query, description = "`ver` (en línea) o `descargar` (adjunto)"),
        ("exp" = Option<i64>, Query, description = "Expiración del enlace (segundos Unix)"),
        ("firma" = Option<String>, Query, description = "Firma del enlace"),
    ),
    responses(
        (status = 200, description = "PDF", content_type = "application/pdf"),
        (status = 404, description = "Enlace inválido o expirado", body = Problema, content_type = "application/problem+json"),
        (status = 503, description = "Falla técnica", body = Problema, content_type = "application/problem+json"),
    )
)]
#[allow(dead_code)]
fn documento_pdf() {}

/// Re-sends a document by email.
#[utoipa::path(
    post,
    path = "/api/documentos/{folio}/reenvios",
    tag = "documentos",
    summary = "Reenvía el documento por correo (3 por día)",
    params(("folio" = String, Path, description = "Folio del documento")),
    responses(
        (status = 200, description = "Reenviado", body = Mensaje, example = json!({"mensaje": "El comprobante ha sido reenviado."})),
        (status = 404, description = "Folio desconocido", body = Problema, content_type = "application/problem+json"),
        (status = 429, description = "Límite de reenvíos del día, o demasiadas solicitudes desde la conexión", body = Problema, content_type = "application/problem+json"),
        (status = 503, description = "Falla técnica", body = Problema, content_type = "application/problem+json"),
    )
)]
#[allow(dead_code)]
fn reenvios() {}

/// Whether a document is authentic.
#[utoipa::path(
    get,
    path = "/api/verificacion/{folio}",
    tag = "documentos",
    summary = "Verifica la autenticidad de un documento",
    description = "Los datos personales vienen enmascarados: quien escanea el código QR no sabe más de lo que muestra \
                   el documento impreso.",
    params(("folio" = String, Path, description = "Folio del documento (mayúsculas o minúsculas)")),
    responses(
        (status = 200, description = "Resultado", body = Verificacion),
        (status = 404, description = "Folio desconocido", body = Problema, content_type = "application/problem+json"),
        (status = 503, description = "Falla técnica", body = Problema, content_type = "application/problem+json"),
    )
)]
#[allow(dead_code)]
fn verificacion() {}

/// This document.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "operación",
    summary = "Este documento OpenAPI 3.1",
    description = "La misma descripción, para personas: `GET /api/docs/`.",
    responses((status = 200, description = "OpenAPI 3.1", content_type = "application/json"))
)]
#[allow(dead_code)]
fn documento_openapi() {}

/// The answers every `/api` operation may give besides its own: 500 (unexpected error), 503 (the request took longer
/// than `AFILIATE_TIMEOUT_MS`) and, on POSTs, 429 (the per-client limit, with `Retry-After`). Each is added where
/// the operation does not already describe that status.
struct ErroresComunes;

impl Modify for ErroresComunes {
    fn modify(&self, doc: &mut Documento) {
        for (ruta, item) in doc.paths.paths.iter_mut() {
            if !ruta.starts_with("/api/") || ruta == RUTA_DOCUMENTO {
                continue;
            }
            let operaciones: [(HttpMethod, &mut Option<Operation>); 2] = [
                (HttpMethod::Get, &mut item.get),
                (HttpMethod::Post, &mut item.post),
            ];
            for (metodo, operacion) in operaciones {
                let Some(operacion) = operacion else { continue };
                let mut comunes = vec![
                    ("500", "Error inesperado"),
                    ("503", "La solicitud tardó demasiado; intenta de nuevo"),
                ];
                if metodo == HttpMethod::Post {
                    comunes.push((
                        "429",
                        "Demasiadas solicitudes desde la conexión (con `Retry-After` en segundos)",
                    ));
                }
                for (status, descripcion) in comunes {
                    operacion
                        .responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| RefOr::T(problema(descripcion)));
                }
            }
        }
    }
}

/// A response whose body is a [`Problema`] as `application/problem+json`.
fn problema(descripcion: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(descripcion)
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problema")))
                .build(),
        )
        .build()
}

/// The whole document: [`ApiDoc`] plus the operations `routes!` collected while building the app's router.
pub fn documento(recogido: Documento) -> Documento {
    let mut doc = ApiDoc::openapi();
    doc.merge(recogido);
    // After the merge, so that the common answers reach every operation.
    ErroresComunes.modify(&mut doc);
    ClaveEscuela.modify(&mut doc);
    doc
}

/// The security scheme of the schools' endpoints: their API key as a bearer token.
struct ClaveEscuela;

impl Modify for ClaveEscuela {
    fn modify(&self, doc: &mut Documento) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let componentes = doc.components.get_or_insert_with(Default::default);
        componentes.add_security_scheme(
            "clave_escuela",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "La clave de la escuela (`afiliate-server escuelas add` la muestra una sola vez).",
                    ))
                    .build(),
            ),
        );
    }
}

/// `GET /api/openapi.json` (the document serialised once) and Swagger UI under `/api/docs`.
pub fn router<S: Clone + Send + Sync + 'static>(doc: &Documento) -> Router<S> {
    // The document does not depend on the configuration: serialised once per process.
    static JSON: std::sync::OnceLock<axum::body::Bytes> = std::sync::OnceLock::new();
    let json = JSON
        .get_or_init(|| {
            axum::body::Bytes::from(doc.to_json().unwrap_or_else(|e| {
                tracing::error!(error = %e, "the OpenAPI document could not be serialised");
                "{}".to_string()
            }))
        })
        .clone();
    let visor = utoipa_swagger_ui::SwaggerUi::new(RUTA_VISOR).config(
        utoipa_swagger_ui::Config::new([RUTA_DOCUMENTO])
            // No request to validator.swagger.io: the page talks to its own origin only.
            .validator_url("none")
            .try_it_out_enabled(false),
    );
    let visor =
        Router::from(visor).layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP_VISOR),
        ));
    Router::new()
        .route(
            RUTA_DOCUMENTO,
            axum::routing::get(move || {
                let json = json.clone();
                async move {
                    (
                        [(
                            header::CONTENT_TYPE,
                            HeaderValue::from_static("application/json"),
                        )],
                        json,
                    )
                        .into_response()
                }
            }),
        )
        .merge(visor)
}
