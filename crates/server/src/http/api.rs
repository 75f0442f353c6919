//! The JSON API handlers: CAPTCHA, solicitudes, asignaciones, postal codes, readiness, metrics, OpenAPI.

use super::AppState;
use crate::config::Config;
use crate::documents::Documento;
use crate::error::AppError;
use crate::service::{self, Paso1, Paso2, Serie};
use afiliate_domain::api::{
    AsignacionNss, CaptchaCreado, ResultadoAsignacion, ResultadoSolicitud, SolicitudNss,
};
use afiliate_domain::curp::{self, Curp};
use afiliate_domain::{email, postal, ErrorDeDominio};
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, FromRequest, Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Datelike as _;
use sqlx::Row;
use std::collections::BTreeMap;

static OPENAPI: &str = include_str!("../../assets/openapi.json");

pub fn router(config: &Config) -> Router<AppState> {
    Router::new()
        .route("/api/captcha", post(crear_captcha))
        .route("/api/captcha/{id}/imagen", get(imagen_captcha))
        .route("/api/nss/solicitudes", post(solicitud))
        .route("/api/nss/asignaciones", post(asignacion))
        .route("/api/cp/{cp}", get(codigo_postal))
        .route("/api/openapi.json", get(openapi))
        .route("/api/{*resto}", axum::routing::any(no_existe))
        .layer(DefaultBodyLimit::max(config.max_body))
}

/// `axum::Json` whose rejections are problem documents in Spanish.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, AppError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rechazo) => Err(match rechazo {
                JsonRejection::MissingJsonContentType(_) => AppError::Cuerpo(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "La solicitud debe enviarse como JSON (Content-Type: application/json).".into(),
                ),
                r if r.status() == StatusCode::PAYLOAD_TOO_LARGE => AppError::Cuerpo(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "La solicitud es demasiado grande.".into(),
                ),
                JsonRejection::JsonDataError(_) => AppError::Cuerpo(
                    StatusCode::BAD_REQUEST,
                    "Faltan datos en la solicitud o alguno tiene un formato que no esperábamos."
                        .into(),
                ),
                _ => AppError::Cuerpo(
                    StatusCode::BAD_REQUEST,
                    "La solicitud no es un JSON válido.".into(),
                ),
            }),
        }
    }
}

async fn no_existe() -> AppError {
    AppError::NoEncontrado("La dirección solicitada no existe.")
}

async fn openapi() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        OPENAPI,
    )
        .into_response()
}

pub async fn readyz(State(st): State<AppState>) -> Response {
    if st.db().ping().await {
        (StatusCode::OK, "ready").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
    }
}

pub async fn metrics() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        crate::metrics::render(),
    )
        .into_response()
}

async fn crear_captcha(State(st): State<AppState>) -> Result<Response, AppError> {
    let id = crate::captcha::nuevo_id();
    let respuesta = st
        .config()
        .captcha_fixed
        .clone()
        .unwrap_or_else(crate::captcha::nueva_respuesta);
    let expira = st.ahora() + crate::captcha::VIGENCIA_SEG;
    let id2 = id.clone();
    st.db()
        .write(move |c| {
            let (id, respuesta) = (id2.clone(), respuesta.clone());
            Box::pin(async move {
                sqlx::query("INSERT INTO captchas (id, respuesta, expira_en) VALUES ($1, $2, $3)")
                    .bind(id)
                    .bind(respuesta)
                    .bind(expira)
                    .execute(&mut *c)
                    .await?;
                Ok(())
            })
        })
        .await?;
    let cuerpo = CaptchaCreado {
        imagen_url: format!("/api/captcha/{id}/imagen"),
        id,
    };
    Ok((StatusCode::CREATED, Json(cuerpo)).into_response())
}

async fn imagen_captcha(
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let no_hay = AppError::NoEncontrado(
        "La imagen ya no está disponible. Pide una nueva con el botón de actualizar.",
    );
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(no_hay);
    }
    let fila = sqlx::query("SELECT respuesta FROM captchas WHERE id = $1 AND expira_en > $2")
        .bind(&id)
        .bind(st.ahora())
        .fetch_optional(&st.db().pool)
        .await?;
    let Some(fila) = fila else { return Err(no_hay) };
    let texto: String = fila.get(0);
    let png = tokio::task::spawn_blocking(move || crate::captcha::render_png(&id, &texto))
        .await
        .map_err(|e| AppError::internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/png")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        png,
    )
        .into_response())
}

fn agregar(errores: &mut BTreeMap<String, Vec<String>>, campo: &str, msg: &str) {
    errores
        .entry(campo.to_string())
        .or_default()
        .push(msg.to_string());
}

/// Validates a solicitud with the domain crate: (CURP, email) or every field's messages.
fn validar_solicitud(req: &SolicitudNss) -> Result<(Curp, email::Email), AppError> {
    let mut errores = BTreeMap::new();
    let curp = Curp::parse(&req.curp)
        .map_err(|e| agregar(&mut errores, "curp", e.message()))
        .ok();
    let correo = if req.correo.trim().chars().count() > 100 {
        agregar(
            &mut errores,
            "correo",
            "El correo puede tener como máximo 100 caracteres.",
        );
        None
    } else {
        match email::Email::parse(&req.correo) {
            Err(e) => {
                agregar(&mut errores, "correo", e.message());
                None
            }
            Ok(_) => email::confirmar(&req.correo, &req.confirmacion_correo)
                .map_err(|e| agregar(&mut errores, "confirmacion_correo", e.message()))
                .ok(),
        }
    };
    if req.captcha_respuesta.trim().is_empty() {
        agregar(
            &mut errores,
            "captcha_respuesta",
            "Escribe los caracteres que ves en la imagen.",
        );
    } else if req.captcha_respuesta.len() > 32 || req.captcha_id.len() > 64 {
        agregar(&mut errores, "captcha_respuesta", crate::error::MSG_CAPTCHA);
    }
    match (curp, correo) {
        (Some(c), Some(e)) if errores.is_empty() => Ok((c, e)),
        _ => Err(AppError::Validacion(errores)),
    }
}

fn documentos_api(st: &AppState, docs: &[Documento]) -> Vec<afiliate_domain::api::Documento> {
    let ahora = st.ahora();
    docs.iter().map(|d| st.docs().api(d, ahora)).collect()
}

async fn solicitud(
    State(st): State<AppState>,
    ApiJson(req): ApiJson<SolicitudNss>,
) -> Result<Json<ResultadoSolicitud>, AppError> {
    let (curp, correo) = validar_solicitud(&req)?;
    let curp = curp.as_str().to_string();
    let correo = correo.as_str().to_string();
    let ahora = st.ahora();

    let (lc, lm) = (st.config().limite_curp_dia, st.config().limite_correo_dia);
    let docs = st.docs().clone();
    let (cid, cresp, c1, m1) = (
        req.captcha_id.clone(),
        req.captcha_respuesta.clone(),
        curp.clone(),
        correo.clone(),
    );
    let (nombre, paso2) = if st.registro().es_local() {
        // One transaction: CAPTCHA, limits, registry, NSS lookup and token or documents.
        let r = st
            .db()
            .write(move |c| {
                let (docs, cid, cresp, c1, m1) = (
                    docs.clone(),
                    cid.clone(),
                    cresp.clone(),
                    c1.clone(),
                    m1.clone(),
                );
                Box::pin(async move {
                    match service::captcha_y_limites(c, &cid, &cresp, &c1, &m1, ahora, lc, lm)
                        .await?
                    {
                        Paso1::Valido => {}
                        Paso1::CaptchaInvalido => return Ok(Err(AppError::Captcha)),
                        Paso1::Limite => return Ok(Err(AppError::LimiteDiario)),
                    }
                    let persona = crate::registry::consultar_local(c, &c1).await?;
                    let nombre = match verificar_persona(&c1, persona) {
                        Ok(n) => n,
                        Err(e) => return Ok(Err(e)),
                    };
                    let p2 = service::localizar_o_token(c, &docs, &c1, &nombre, &m1, ahora).await?;
                    Ok(Ok((nombre, p2)))
                })
            })
            .await?;
        r?
    } else {
        let paso1 = st
            .db()
            .write(move |c| {
                let (cid, cresp, c1, m1) = (cid.clone(), cresp.clone(), c1.clone(), m1.clone());
                Box::pin(async move {
                    service::captcha_y_limites(c, &cid, &cresp, &c1, &m1, ahora, lc, lm).await
                })
            })
            .await?;
        match paso1 {
            Paso1::Valido => {}
            Paso1::CaptchaInvalido => return Err(AppError::Captcha),
            Paso1::Limite => return Err(AppError::LimiteDiario),
        }
        let persona = st
            .registro()
            .consultar(&curp)
            .await
            .map_err(|_| AppError::FallaRenapo)?;
        let nombre = verificar_persona(&curp, persona)?;
        let (c2, n2, m2) = (curp.clone(), nombre.clone(), correo.clone());
        let paso2 = st
            .db()
            .write(move |c| {
                let (docs, c2, n2, m2) = (docs.clone(), c2.clone(), n2.clone(), m2.clone());
                Box::pin(
                    async move { service::localizar_o_token(c, &docs, &c2, &n2, &m2, ahora).await },
                )
            })
            .await?;
        (nombre, paso2)
    };
    Ok(Json(match paso2 {
        Paso2::Localizado { nss, documentos } => {
            st.despertar_correo().notify_one();
            crate::metrics::record_located();
            ResultadoSolicitud::Localizado {
                nss,
                nombre,
                curp,
                documentos: documentos_api(&st, &documentos),
            }
        }
        Paso2::SinNss { token } => ResultadoSolicitud::SinNss {
            nombre,
            curp,
            token,
        },
    }))
}

/// The registry's answer checked against the CURP: the person's full name, or why not.
fn verificar_persona(
    curp: &str,
    persona: Option<crate::registry::PersonaRegistro>,
) -> Result<String, AppError> {
    let persona = persona.ok_or(AppError::NoEnRenapo)?;
    let parsed = Curp::parse(curp).map_err(|_| AppError::internal("curp reparse"))?;
    match persona.datos() {
        Some(datos) if curp::coincide(&parsed, &datos) && persona.curp == curp => {
            Ok(persona.nombre_completo())
        }
        _ => Err(AppError::Subdelegacion),
    }
}

fn largo(
    errores: &mut BTreeMap<String, Vec<String>>,
    campo: &str,
    valor: &str,
    max: usize,
    vacio: Option<&str>,
) {
    let v = valor.trim();
    if v.is_empty() {
        if let Some(m) = vacio {
            agregar(errores, campo, m);
        }
    } else if v.chars().count() > max {
        agregar(
            errores,
            campo,
            &format!("Escribe como máximo {max} caracteres."),
        );
    }
}

/// Validates the address; answers (estado INEGI code, municipio).
fn validar_domicilio(st: &AppState, req: &AsignacionNss) -> Result<(u8, String), AppError> {
    let d = &req.domicilio;
    let mut errores = BTreeMap::new();
    largo(
        &mut errores,
        "domicilio.calle",
        &d.calle,
        150,
        Some("Escribe la calle."),
    );
    largo(
        &mut errores,
        "domicilio.numero_exterior",
        &d.numero_exterior,
        20,
        Some("Escribe el número exterior. Si no tiene, escribe SN."),
    );
    if let Some(ni) = &d.numero_interior {
        largo(&mut errores, "domicilio.numero_interior", ni, 20, None);
    }
    let mut lugar = None;
    match postal::codigo_postal_valido(&d.codigo_postal) {
        Err(e) => agregar(&mut errores, "domicilio.codigo_postal", e.message()),
        Ok(cp) => match st.catalogo().and_then(|c| c.lookup(&cp)) {
            Some(entrada) => {
                let colonia = crate::subdelegaciones::normalizar(&d.colonia);
                if colonia.is_empty() {
                    agregar(&mut errores, "domicilio.colonia", "Selecciona tu colonia.");
                } else if !entrada
                    .asentamientos
                    .iter()
                    .any(|a| crate::subdelegaciones::normalizar(&a.nombre) == colonia)
                {
                    agregar(
                        &mut errores,
                        "domicilio.colonia",
                        "Selecciona una colonia de la lista: la que escribiste no pertenece a ese código postal.",
                    );
                }
                lugar = Some((entrada.estado_clave, entrada.municipio.clone()));
            }
            None => {
                // Not in the catalog: estado, municipio and a free-text colonia instead.
                let estado = d.estado.as_deref().unwrap_or("");
                let clave = postal::clave_estado(estado)
                    .or_else(|| crate::subdelegaciones::estado_clave(estado));
                if clave.is_none() {
                    agregar(&mut errores, "domicilio.estado", "Selecciona tu estado.");
                }
                let municipio = d.municipio.as_deref().unwrap_or("");
                largo(
                    &mut errores,
                    "domicilio.municipio",
                    municipio,
                    100,
                    Some("Escribe tu municipio o alcaldía."),
                );
                largo(
                    &mut errores,
                    "domicilio.colonia",
                    &d.colonia,
                    100,
                    Some("Escribe tu colonia."),
                );
                if let Some(c) = clave {
                    lugar = Some((c, municipio.trim().to_string()));
                }
            }
        },
    }
    match lugar {
        Some(l) if errores.is_empty() => Ok(l),
        _ => Err(AppError::Validacion(errores)),
    }
}

async fn asignacion(
    State(st): State<AppState>,
    ApiJson(req): ApiJson<AsignacionNss>,
) -> Result<Json<ResultadoAsignacion>, AppError> {
    let token_ok = req.token.len() == 64 && req.token.bytes().all(|b| b.is_ascii_hexdigit());
    if req.token.trim().is_empty() {
        return Err(AppError::campo("token", crate::error::MSG_TOKEN));
    }
    let (estado, municipio) = validar_domicilio(&st, &req)?;
    let ahora = st.ahora();
    let token = if token_ok {
        service::leer_token(&st.db().pool, &req.token, ahora).await?
    } else {
        None
    };
    let token = token.ok_or(AppError::Token)?;
    let curp = Curp::parse(&token.curp).map_err(|_| AppError::internal("stored curp"))?;
    let subdelegacion = st
        .subdelegaciones()
        .para(estado, &municipio)
        .ok_or(AppError::Subdelegacion)?;
    let anio = chrono::DateTime::from_timestamp(ahora, 0)
        .unwrap_or_default()
        .year();
    let serie = Serie {
        subdelegacion,
        anio_afiliacion: (anio % 100) as u8,
        anio_nacimiento: (curp.fecha_nacimiento().anio % 100) as u8,
    };
    let docs = st.docs().clone();
    let t = token.clone();
    let (nss, documentos, nuevo) = st
        .db()
        .write(move |c| {
            let (docs, t) = (docs.clone(), t.clone());
            Box::pin(async move { service::asignar(c, &docs, &t, serie, ahora).await })
        })
        .await?;
    if nuevo {
        st.despertar_correo().notify_one();
        crate::metrics::record_assignment();
    }
    Ok(Json(ResultadoAsignacion::Asignado {
        nss,
        nombre: token.nombre,
        curp: token.curp,
        documentos: documentos_api(&st, &documentos),
    }))
}

async fn codigo_postal(
    State(st): State<AppState>,
    Path(cp): Path<String>,
) -> Result<Json<afiliate_domain::api::CodigoPostal>, AppError> {
    let cp = postal::codigo_postal_valido(&cp)
        .map_err(|e| AppError::campo("codigo_postal", e.message()))?;
    st.catalogo()
        .and_then(|c| c.lookup(&cp))
        .map(|e| Json(e.to_api()))
        .ok_or(AppError::NoEncontrado(
            "No encontramos ese código postal. Revisa que esté bien escrito o captura tu estado, municipio y colonia.",
        ))
}
