//! The JSON API handlers: CAPTCHA, solicitudes, asignaciones, postal codes, readiness, metrics, OpenAPI.

use super::AppState;
use crate::config::Config;
use crate::documents::Documento;
use crate::error::AppError;
use crate::guardia::Paso1;
use crate::service::{self, Serie};
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
use std::collections::BTreeMap;

static OPENAPI: &str = include_str!("../../assets/openapi.json");

pub fn router(config: &Config) -> Router<AppState> {
    Router::new()
        .route("/api/captcha", post(crear_captcha))
        .route("/api/captcha/{id}/imagen", get(imagen_captcha))
        .route("/api/captcha/{id}/audio", get(audio_captcha))
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

pub async fn metrics(State(st): State<AppState>) -> Response {
    let outbox = match st.outbox().cola(st.ahora()).await {
        Ok(cola) => Some(cola),
        Err(e) => {
            tracing::warn!(error = %e, "metrics: the outbox could not be read");
            None
        }
    };
    let estado = crate::metrics::Estado {
        outbox,
        escritor_vivo: st.db().escritor_vivo(),
    };
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        crate::metrics::render(estado),
    )
        .into_response()
}

async fn crear_captcha(State(st): State<AppState>) -> Result<Response, AppError> {
    // The id is the sealed challenge itself: nothing is stored until it is used.
    let respuesta = st
        .config()
        .captcha_fixed
        .clone()
        .unwrap_or_else(crate::captcha::nueva_respuesta);
    let id = st.guardia().nuevo_reto(&respuesta, st.ahora());
    let cuerpo = CaptchaCreado {
        imagen_url: format!("/api/captcha/{id}/imagen"),
        audio_url: format!("/api/captcha/{id}/audio"),
        id,
    };
    Ok((StatusCode::CREATED, Json(cuerpo)).into_response())
}

async fn imagen_captcha(
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    reto_dibujado(&st, id, "image/png", crate::captcha::render_png).await
}

/// The same challenge spoken (for people who cannot see the image).
async fn audio_captcha(
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    reto_dibujado(&st, id, "audio/wav", crate::captcha::audio::render_wav).await
}

/// A live challenge rendered by `render(id, answer)` (CPU work: off the async workers), never cached.
async fn reto_dibujado(
    st: &AppState,
    id: String,
    tipo: &'static str,
    render: fn(&str, &str) -> Vec<u8>,
) -> Result<Response, AppError> {
    let reto = st.guardia().reto_vigente(st.db(), &id, st.ahora()).await?;
    let Some(reto) = reto else {
        return Err(AppError::NoEncontrado(
            "Estos caracteres ya no están disponibles. Pide unos nuevos con el botón de actualizar.",
        ));
    };
    let cuerpo = tokio::task::spawn_blocking(move || render(&id, &reto.respuesta))
        .await
        .map_err(|e| AppError::internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(tipo)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        cuerpo,
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
    } else if req.captcha_respuesta.len() > 32 || req.captcha_id.len() > 128 {
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
    let limites = (st.config().limite_curp_dia, st.config().limite_correo_dia);
    match st
        .guardia()
        .pasar(
            st.db(),
            &req.captcha_id,
            &req.captcha_respuesta,
            &curp,
            &correo,
            ahora,
            limites,
        )
        .await?
    {
        Paso1::Valido => {}
        Paso1::CaptchaInvalido => return Err(AppError::Captcha),
        Paso1::Limite => return Err(AppError::LimiteDiario),
    }
    // The registry's person and the NSS the CURP may already have: one read with the local registry.
    let (persona, nss) = if st.registro().es_local() {
        match service::persona_y_nss_local(st.db(), &curp).await? {
            Some((p, nss)) => (Some(p), nss),
            None => (None, None),
        }
    } else {
        let persona = st
            .registro()
            .consultar(&curp)
            .await
            .map_err(|_| AppError::FallaRenapo)?;
        let nss = match persona {
            Some(_) => service::nss_de_pool(&st.db().pool, &curp).await?,
            None => None,
        };
        (persona, nss)
    };
    let nombre = verificar_persona(&curp, persona)?;
    let Some(nss) = nss else {
        // No NSS: a sealed token (no row) lets the person continue to the address.
        let token = service::Token {
            curp: curp.clone(),
            correo,
            nombre: nombre.clone(),
            expira: ahora + service::VIGENCIA_TOKEN_SEG,
        }
        .sellar(st.tokens());
        return Ok(Json(ResultadoSolicitud::SinNss {
            nombre,
            curp,
            token,
        }));
    };
    let persona = crate::documents::Persona {
        nombre: nombre.clone(),
        curp: curp.clone(),
        nss: nss.clone(),
    };
    let docs = st.docs().clone();
    let documentos = st
        .db()
        .write(move |c| {
            let (docs, persona, correo) = (docs.clone(), persona.clone(), correo.clone());
            Box::pin(async move { service::localizar(c, &docs, &persona, &correo, ahora).await })
        })
        .await?;
    st.despertar_correo().notify_one();
    crate::metrics::record_located();
    Ok(Json(ResultadoSolicitud::Localizado {
        nss,
        nombre,
        curp,
        documentos: documentos_api(&st, &documentos),
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

/// Validates the address; answers the estado's INEGI code and the address to store.
fn validar_domicilio(
    st: &AppState,
    req: &AsignacionNss,
) -> Result<(u8, service::Domicilio), AppError> {
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
                let encontrada = entrada
                    .asentamientos
                    .iter()
                    .find(|a| crate::subdelegaciones::normalizar(&a.nombre) == colonia);
                if colonia.is_empty() {
                    agregar(&mut errores, "domicilio.colonia", "Selecciona tu colonia.");
                } else if encontrada.is_none() {
                    agregar(
                        &mut errores,
                        "domicilio.colonia",
                        "Selecciona una colonia de la lista: la que escribiste no pertenece a ese código postal.",
                    );
                }
                lugar = Some((
                    entrada.estado_clave,
                    entrada.estado.clone(),
                    entrada.municipio.clone(),
                    encontrada.map(|a| a.nombre.clone()).unwrap_or_default(),
                    cp.to_string(),
                ));
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
                    lugar = Some((
                        c,
                        postal::nombre_estado(c)
                            .unwrap_or(estado.trim())
                            .to_string(),
                        municipio.trim().to_string(),
                        d.colonia.trim().to_string(),
                        cp.to_string(),
                    ));
                }
            }
        },
    }
    match lugar {
        Some((clave, estado, municipio, colonia, codigo_postal)) if errores.is_empty() => Ok((
            clave,
            service::Domicilio {
                codigo_postal,
                estado,
                municipio,
                colonia,
                calle: d.calle.trim().to_string(),
                numero_exterior: d.numero_exterior.trim().to_string(),
                numero_interior: d
                    .numero_interior
                    .as_deref()
                    .unwrap_or("")
                    .trim()
                    .to_string(),
            },
        )),
        _ => Err(AppError::Validacion(errores)),
    }
}

async fn asignacion(
    State(st): State<AppState>,
    ApiJson(req): ApiJson<AsignacionNss>,
) -> Result<Json<ResultadoAsignacion>, AppError> {
    if req.token.trim().is_empty() {
        return Err(AppError::campo("token", crate::error::MSG_TOKEN));
    }
    let (estado, domicilio) = validar_domicilio(&st, &req)?;
    let ahora = st.ahora();
    let token = service::Token::abrir(st.tokens(), req.token.trim())
        .filter(|t| t.expira > ahora)
        .ok_or(AppError::Token)?;
    let curp = Curp::parse(&token.curp).map_err(|_| AppError::internal("stored curp"))?;
    let subdelegacion = st
        .subdelegaciones()
        .para(estado, &domicilio.municipio)
        .ok_or(AppError::Subdelegacion)?;
    let anio = chrono::DateTime::from_timestamp(ahora, 0)
        .unwrap_or_default()
        .year();
    let serie = Serie {
        subdelegacion,
        anio_afiliacion: (anio % 100) as u8,
        anio_nacimiento: (curp.fecha_nacimiento().anio % 100) as u8,
    };
    let pedido = service::Pedido {
        token: token.clone(),
        serie,
        domicilio,
        ahora,
    };
    let (nss, documentos, nuevo) = st.db().asignar(st.docs().clone(), pedido).await?;
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
