//! The JSON API handlers: CAPTCHA, solicitudes, asignaciones, postal codes, health, readiness, metrics.
//!
//! Each handler carries its `#[utoipa::path]`: [`router`] registers it with `utoipa_axum::routes!`, so the router
//! and the OpenAPI document ([`super::openapi`]) are built from the same list.

use super::AppState;
use crate::auditoria::Dato;
use crate::captcha::dibujos::Tipo;
use crate::config::Config;
use crate::documents::Documento;
use crate::error::AppError;
use crate::guardia::Paso1;
use crate::service::{self, Serie};
use afiliate_domain::api::{
    AsignacionNss, CaptchaCreado, CodigoPostal, ConfirmacionCorreo, Problema, ResultadoAsignacion,
    ResultadoSolicitud, SolicitudNss,
};
use afiliate_domain::curp::{self, Curp};
use afiliate_domain::{email, postal, ErrorDeDominio};
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, FromRequest, Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::collections::BTreeMap;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The API's routes under `/api` (documented), then the catch-all that answers 404 for any other `/api/…` path.
pub fn router(config: &Config) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(crear_captcha))
        .routes(routes!(imagen_captcha))
        .routes(routes!(audio_captcha))
        .routes(routes!(solicitud))
        .routes(routes!(confirmacion))
        .routes(routes!(asignacion))
        .routes(routes!(codigo_postal))
        .merge(super::umf::router())
        .merge(super::vigencia::router())
        .route("/api/{*resto}", axum::routing::any(no_existe))
        .layer(DefaultBodyLimit::max(config.max_body))
        // The schools' CSV files have their own, larger limit.
        .merge(super::escuelas::router())
}

/// Health, readiness and metrics: outside `/api`, documented too.
pub fn operacion() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
        .routes(routes!(metrics))
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

/// Liveness: the process answers.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operación",
    summary = "Vivo",
    responses((status = 200, description = "ok", body = String, content_type = "text/plain; charset=utf-8", example = "ok"))
)]
async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database answers and its write path works (on SQLite, the writer thread is not restarting).
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operación",
    summary = "Listo (base de datos accesible)",
    responses(
        (status = 200, description = "ready", body = String, content_type = "text/plain; charset=utf-8", example = "ready"),
        (status = 503, description = "database unreachable, or its writer down", body = String, content_type = "text/plain; charset=utf-8", example = "database unreachable"),
    )
)]
async fn readyz(State(st): State<AppState>) -> Response {
    if !st.db().escritor_vivo() {
        (StatusCode::SERVICE_UNAVAILABLE, "database writer down").into_response()
    } else if st.db().ping().await {
        (StatusCode::OK, "ready").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
    }
}

/// Prometheus metrics (no personal data).
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operación",
    summary = "Métricas Prometheus",
    responses((status = 200, description = "Formato de texto de Prometheus", body = String, content_type = "text/plain; version=0.0.4; charset=utf-8"))
)]
async fn metrics(State(st): State<AppState>) -> Response {
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
        auditoria_descartadas: st.auditoria().descartadas() as u64,
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

/// A new CAPTCHA challenge.
#[utoipa::path(
    post,
    path = "/api/captcha",
    tag = "captcha",
    summary = "Crea un reto CAPTCHA (un solo uso, 10 minutos)",
    responses((status = 201, description = "Creado", body = CaptchaCreado))
)]
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

/// The challenge as a PNG image.
#[utoipa::path(
    get,
    path = "/api/captcha/{id}/imagen",
    tag = "captcha",
    summary = "Imagen PNG del reto",
    params(("id" = String, Path, description = "El `id` de `CaptchaCreado`")),
    responses(
        (status = 200, description = "PNG (sin caché)", content_type = "image/png"),
        (status = 404, description = "Reto desconocido o expirado", body = Problema, content_type = "application/problem+json"),
        (status = 429, description = "Demasiadas solicitudes desde la conexión (con `Retry-After` en segundos): cuentan como los POST", body = Problema, content_type = "application/problem+json"),
    )
)]
async fn imagen_captcha(
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    reto_dibujado(&st, id, "image/png", Tipo::Imagen).await
}

/// The same challenge spoken (for people who cannot see the image).
#[utoipa::path(
    get,
    path = "/api/captcha/{id}/audio",
    tag = "captcha",
    summary = "Audio WAV del mismo reto (los caracteres dichos uno por uno, con mayúscula o minúscula)",
    params(("id" = String, Path, description = "El `id` de `CaptchaCreado`")),
    responses(
        (status = 200, description = "WAV, 8 kHz, 8 bits, mono (sin caché)", content_type = "audio/wav"),
        (status = 404, description = "Reto desconocido o expirado", body = Problema, content_type = "application/problem+json"),
        (status = 429, description = "Demasiadas solicitudes desde la conexión (con `Retry-After` en segundos): cuentan como los POST", body = Problema, content_type = "application/problem+json"),
    )
)]
async fn audio_captcha(
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    reto_dibujado(&st, id, "audio/wav", Tipo::Audio).await
}

/// A live challenge's image or sound, rendered once ([`crate::captcha::dibujos`]); `no-store` for the browser
/// all the same (a used or expired challenge answers 404).
async fn reto_dibujado(
    st: &AppState,
    id: String,
    tipo: &'static str,
    dibujo: Tipo,
) -> Result<Response, AppError> {
    let reto = st.guardia().reto_vigente(st.db(), &id, st.ahora()).await?;
    let Some(reto) = reto else {
        return Err(AppError::NoEncontrado(
            "Estos caracteres ya no están disponibles. Pide unos nuevos con el botón de actualizar.",
        ));
    };
    let cuerpo = st.dibujos().obtener(&id, &reto.respuesta, dibujo).await?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(tipo)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        cuerpo,
    )
        .into_response())
}

pub(super) fn agregar(errores: &mut BTreeMap<String, Vec<String>>, campo: &str, msg: &str) {
    errores
        .entry(campo.to_string())
        .or_default()
        .push(msg.to_string());
}

/// Validates a solicitud with the domain crate: (CURP, email) or every field's messages.
pub(super) fn validar_solicitud(req: &SolicitudNss) -> Result<(Curp, email::Email), AppError> {
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

pub(super) fn documentos_api(
    st: &AppState,
    docs: &[Documento],
) -> Vec<afiliate_domain::api::Documento> {
    let ahora = st.ahora();
    docs.iter().map(|d| st.docs().api(d, ahora)).collect()
}

/// Locates the NSS of a CURP, or answers the token that continues to the assignment.
#[utoipa::path(
    post,
    path = "/api/nss/solicitudes",
    tag = "nss",
    summary = "Localiza el NSS de una CURP o indica que se asignará uno",
    description = "Con la CURP, el correo (dos veces) y la respuesta del CAPTCHA: `localizado` trae el NSS y sus \
                   documentos (también enviados por correo); `sin_nss` trae el `token` para `POST /api/nss/asignaciones`.",
    request_body = SolicitudNss,
    responses(
        (status = 200, description = "`localizado` o `sin_nss`", body = ResultadoSolicitud),
        (status = 400, description = "JSON mal formado o con campos faltantes", body = Problema, content_type = "application/problem+json"),
        (status = 409, description = "Tu solicitud requiere que acudas a la subdelegación.", body = Problema, content_type = "application/problem+json"),
        (status = 413, description = "Cuerpo demasiado grande", body = Problema, content_type = "application/problem+json"),
        (status = 415, description = "No es JSON", body = Problema, content_type = "application/problem+json"),
        (status = 422, description = "Datos inválidos (`errores` por campo), captcha no válido o CURP no encontrada en RENAPO", body = Problema, content_type = "application/problem+json",
            example = json!({"type": "/problemas/captcha-invalido", "title": "Captcha no válido", "status": 422,
                "detail": crate::error::MSG_CAPTCHA, "errores": {"captcha_respuesta": [crate::error::MSG_CAPTCHA]}})),
        (status = 429, description = "Límite diario por CURP o correo, o demasiadas solicitudes desde la conexión", body = Problema, content_type = "application/problem+json"),
        (status = 503, description = "Falla técnica de RENAPO, o la solicitud tardó demasiado", body = Problema, content_type = "application/problem+json"),
    )
)]
async fn solicitud(
    State(st): State<AppState>,
    ApiJson(req): ApiJson<SolicitudNss>,
) -> Result<Json<ResultadoSolicitud>, AppError> {
    let r = solicitud_sin_auditar(&st, &req).await;
    // Digests of what was typed (as normalised): a CURP or an address that fails validation is still the key
    // to this person's attempts.
    let mut e = st
        .auditoria()
        .evento("solicitud")
        .dato(Dato::Curp, &req.curp)
        .dato(Dato::Correo, &req.correo);
    e = match &r {
        Ok(Json(ResultadoSolicitud::Localizado { nss, .. })) => e
            .dato(Dato::Nss, nss.as_str())
            .campo("resultado", "localizado"),
        Ok(Json(ResultadoSolicitud::SinNss { .. })) => e.campo("resultado", "sin_nss"),
        Ok(Json(ResultadoSolicitud::RevisaTuCorreo { .. })) => {
            e.campo("resultado", "revisa_tu_correo")
        }
        otro => e.resultado(otro, "ok"),
    };
    e.escribir();
    r
}

async fn solicitud_sin_auditar(
    st: &AppState,
    req: &SolicitudNss,
) -> Result<Json<ResultadoSolicitud>, AppError> {
    let st = st.clone();
    let (curp, correo) = validar_solicitud(req)?;
    let curp = curp.as_str().to_string();
    let correo = correo.as_str().to_string();
    let ahora = st.ahora();
    pasar_guardia(
        &st,
        &req.captcha_id,
        &req.captcha_respuesta,
        &curp,
        &correo,
        ahora,
    )
    .await?;
    let (nombre, nss) = persona_y_nss(&st, &curp).await?;
    if st.config().confirmar_correo {
        return enviar_confirmacion(&st, curp, correo, ahora)
            .await
            .map(Json);
    }
    resultado_de(&st, curp, correo, nombre, nss, ahora)
        .await
        .map(Json)
}

/// What a solicitud answers once the person is known: the NSS and its documents (queued by e-mail too), or the
/// token that continues to the address.
async fn resultado_de(
    st: &AppState,
    curp: String,
    correo: String,
    nombre: String,
    nss: Option<String>,
    ahora: i64,
) -> Result<ResultadoSolicitud, AppError> {
    let Some(nss) = nss else {
        // No NSS: a sealed token (no row) lets the person continue to the address.
        let token = service::Token {
            curp: curp.clone(),
            correo,
            nombre: nombre.clone(),
            expira: ahora + service::VIGENCIA_TOKEN_SEG,
        }
        .sellar(st.tokens());
        return Ok(ResultadoSolicitud::SinNss {
            nombre,
            curp,
            token,
        });
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
    Ok(ResultadoSolicitud::Localizado {
        nss,
        nombre,
        curp,
        documentos: documentos_api(st, &documentos),
    })
}

/// The end of today in Mexico's central time (UTC−6), Unix seconds: a confirmation link is valid until then.
fn fin_del_dia(ahora: i64) -> i64 {
    (crate::guardia::dia(ahora) + 1) * 86_400 + 6 * 3600
}

/// `AFILIATE_CONFIRMAR_CORREO`: queues the e-mail with the single-use link (a sealed box with the CURP and the
/// address, valid today) and answers "revisa tu correo".
async fn enviar_confirmacion(
    st: &AppState,
    curp: String,
    correo: String,
    ahora: i64,
) -> Result<ResultadoSolicitud, AppError> {
    let token = service::Token {
        curp,
        correo: correo.clone(),
        nombre: String::new(),
        expira: fin_del_dia(ahora),
    }
    .sellar(st.confirmaciones());
    // The token travels in the fragment: browsers never send it to a server, nor in a Referer.
    let enlace = format!(
        "{}/tramite/nss/confirmar#t={token}",
        st.config().public_url().trim_end_matches('/')
    );
    let payload = crate::mail::Correo::confirmacion(&correo, &enlace).to_json();
    st.db()
        .write(move |c| {
            let payload = payload.clone();
            Box::pin(async move { crate::db::outbox::encolar(c, &payload, ahora).await })
        })
        .await?;
    st.despertar_correo().notify_one();
    Ok(ResultadoSolicitud::RevisaTuCorreo { correo })
}

/// Opens the result of a solicitud from the link sent by e-mail (`AFILIATE_CONFIRMAR_CORREO`).
#[utoipa::path(
    post,
    path = "/api/nss/confirmaciones",
    tag = "nss",
    summary = "Abre el resultado de una solicitud desde el enlace enviado por correo",
    description = "Cuando el servidor confirma el correo (`AFILIATE_CONFIRMAR_CORREO=true`), la solicitud responde                    `revisa_tu_correo` y envía un enlace; su `token` abre aquí el resultado (`localizado` o `sin_nss`,                    como la solicitud) una sola vez, el mismo día.",
    request_body = ConfirmacionCorreo,
    responses(
        (status = 200, description = "`localizado` o `sin_nss`", body = ResultadoSolicitud),
        (status = 400, description = "JSON mal formado o con campos faltantes", body = Problema, content_type = "application/problem+json"),
        (status = 409, description = "Tu solicitud requiere que acudas a la subdelegación.", body = Problema, content_type = "application/problem+json"),
        (status = 410, description = "El enlace ya se usó, expiró o no es válido", body = Problema, content_type = "application/problem+json"),
        (status = 413, description = "Cuerpo demasiado grande", body = Problema, content_type = "application/problem+json"),
        (status = 415, description = "No es JSON", body = Problema, content_type = "application/problem+json"),
        (status = 422, description = "CURP no encontrada en RENAPO", body = Problema, content_type = "application/problem+json"),
        (status = 429, description = "Demasiadas solicitudes desde la conexión", body = Problema, content_type = "application/problem+json"),
        (status = 503, description = "Falla técnica", body = Problema, content_type = "application/problem+json"),
    )
)]
async fn confirmacion(
    State(st): State<AppState>,
    ApiJson(req): ApiJson<ConfirmacionCorreo>,
) -> Result<Json<ResultadoSolicitud>, AppError> {
    let ahora = st.ahora();
    let abierto = service::Token::abrir_con_id(st.confirmaciones(), req.token.trim())
        .filter(|(_, t)| t.expira > ahora);
    let mut e = st.auditoria().evento("confirmacion");
    if let Some((_, t)) = &abierto {
        e = e.dato(Dato::Curp, &t.curp).dato(Dato::Correo, &t.correo);
    }
    let r = async {
        let (nonce, t) = abierto.ok_or(AppError::Confirmacion)?;
        if !st
            .guardia()
            .quemar(st.db(), &nonce, t.expira, ahora)
            .await?
        {
            return Err(AppError::Confirmacion);
        }
        let (nombre, nss) = persona_y_nss(&st, &t.curp).await?;
        resultado_de(&st, t.curp, t.correo, nombre, nss, ahora).await
    }
    .await;
    match &r {
        Ok(ResultadoSolicitud::Localizado { nss, .. }) => e
            .dato(Dato::Nss, nss.as_str())
            .campo("resultado", "localizado"),
        Ok(_) => e.campo("resultado", "sin_nss"),
        Err(_) => e.resultado(&r, "ok"),
    }
    .escribir();
    r.map(Json)
}

/// The gate of every solicitud (NSS and constancia): the CAPTCHA (used up by any answer) and the daily limits per
/// CURP and per e-mail.
pub(super) async fn pasar_guardia(
    st: &AppState,
    captcha_id: &str,
    captcha_respuesta: &str,
    curp: &str,
    correo: &str,
    ahora: i64,
) -> Result<(), AppError> {
    let limites = (st.config().limite_curp_dia, st.config().limite_correo_dia);
    match st
        .guardia()
        .pasar(
            st.db(),
            captcha_id,
            captcha_respuesta,
            curp,
            correo,
            ahora,
            limites,
        )
        .await?
    {
        Paso1::Valido => Ok(()),
        Paso1::CaptchaInvalido => Err(AppError::Captcha),
        Paso1::Limite => Err(AppError::LimiteDiario),
    }
}

/// The registry's person behind a CURP (its full name, checked against the CURP) and the NSS the CURP may already
/// have: one read with the local registry; RENAPO's failure is "Debido a una falla técnica…".
pub(super) async fn persona_y_nss(
    st: &AppState,
    curp: &str,
) -> Result<(String, Option<String>), AppError> {
    let (persona, nss) = if st.registro().es_local() {
        match crate::db::asignacion::persona_y_nss(st.db(), curp).await? {
            Some((p, nss)) => (Some(p), nss),
            None => (None, None),
        }
    } else {
        let persona = st
            .registro()
            .consultar(curp)
            .await
            .map_err(|_| AppError::FallaRenapo)?;
        let nss = match persona {
            Some(_) => crate::db::asignacion::nss_de_curp(&st.db().pool, curp).await?,
            None => None,
        };
        (persona, nss)
    };
    Ok((verificar_persona(curp, persona)?, nss))
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
                umf: None,
            },
        )),
        _ => Err(AppError::Validacion(errores)),
    }
}

/// Assigns an NSS to the token's person (idempotent).
#[utoipa::path(
    post,
    path = "/api/nss/asignaciones",
    tag = "nss",
    summary = "Asigna un NSS (idempotente)",
    description = "Con el `token` de una solicitud `sin_nss` y el domicilio. Repetir la misma asignación responde el mismo NSS.",
    request_body = AsignacionNss,
    responses(
        (status = 200, description = "`asignado`, con la Unidad de Medicina Familiar (`umf`) que atiende el código postal del domicilio, o `null` si ninguna lo atiende", body = ResultadoAsignacion),
        (status = 400, description = "JSON mal formado o con campos faltantes", body = Problema, content_type = "application/problem+json"),
        (status = 409, description = "Tu solicitud requiere que acudas a la subdelegación.", body = Problema, content_type = "application/problem+json"),
        (status = 410, description = "Token expirado o desconocido", body = Problema, content_type = "application/problem+json"),
        (status = 413, description = "Cuerpo demasiado grande", body = Problema, content_type = "application/problem+json"),
        (status = 415, description = "No es JSON", body = Problema, content_type = "application/problem+json"),
        (status = 422, description = "Domicilio inválido o token vacío (`errores` por campo)", body = Problema, content_type = "application/problem+json"),
        (status = 503, description = "Serie de NSS agotada, o la solicitud tardó demasiado", body = Problema, content_type = "application/problem+json"),
    )
)]
async fn asignacion(
    State(st): State<AppState>,
    ApiJson(req): ApiJson<AsignacionNss>,
) -> Result<Json<ResultadoAsignacion>, AppError> {
    let mut curp = None;
    let r = asignacion_sin_auditar(&st, req, &mut curp).await;
    let mut e = st.auditoria().evento("asignacion");
    if let Some(c) = &curp {
        e = e.dato(Dato::Curp, c);
    }
    e = match &r {
        Ok((Json(ResultadoAsignacion::Asignado { nss, .. }), nuevo)) => e
            .dato(Dato::Nss, nss.as_str())
            .campo("resultado", if *nuevo { "asignado" } else { "ya_asignado" }),
        otro => e.resultado(otro, "ok"),
    };
    e.escribir();
    r.map(|(j, _)| j)
}

/// The assignment; `curp` gets the token's CURP once the token opens (for the audit log). Also answers whether
/// the NSS is new.
async fn asignacion_sin_auditar(
    st: &AppState,
    req: AsignacionNss,
    curp_auditada: &mut Option<String>,
) -> Result<(Json<ResultadoAsignacion>, bool), AppError> {
    let st = st.clone();
    if req.token.trim().is_empty() {
        return Err(AppError::campo("token", crate::error::MSG_TOKEN));
    }
    let (estado, mut domicilio) = validar_domicilio(&st, &req)?;
    // The clinic of the address's postal code, recorded with the NSS (as the real service does).
    let umf = crate::db::umf::para_asignacion(st.db(), &domicilio.codigo_postal).await?;
    domicilio.umf = umf.as_ref().map(|u| u.clave.clone());
    let ahora = st.ahora();
    let token = service::Token::abrir(st.tokens(), req.token.trim())
        .filter(|t| t.expira > ahora)
        .ok_or(AppError::Token)?;
    *curp_auditada = Some(token.curp.clone());
    let curp = Curp::parse(&token.curp).map_err(|_| AppError::internal("stored curp"))?;
    let subdelegacion = st
        .subdelegaciones()
        .para(estado, &domicilio.municipio)
        .ok_or(AppError::Subdelegacion)?;
    let serie = Serie {
        subdelegacion,
        anio_afiliacion: service::anio_afiliacion(ahora),
        anio_nacimiento: (curp.fecha_nacimiento().anio % 100) as u8,
    };
    let pedido = service::Pedido {
        token: token.clone(),
        serie,
        domicilio,
        ahora,
    };
    let (nss, documentos, nuevo) = service::asignar(st.db(), st.docs().clone(), pedido).await?;
    let umf = if nuevo {
        st.despertar_correo().notify_one();
        crate::metrics::record_assignment();
        umf.map(crate::db::umf::resumen)
    } else {
        // Assigned before: the clinic recorded then.
        crate::db::umf::de_nss(&st.db().pool, &nss).await?
    };
    Ok((
        Json(ResultadoAsignacion::Asignado {
            nss,
            nombre: token.nombre,
            curp: token.curp,
            documentos: documentos_api(&st, &documentos),
            umf,
        }),
        nuevo,
    ))
}

/// A postal code's estado, municipio, ciudad and asentamientos.
#[utoipa::path(
    get,
    path = "/api/cp/{cp}",
    tag = "catálogo",
    summary = "Datos de un código postal",
    params(("cp" = String, Path, description = "Cinco dígitos", pattern = "^[0-9]{5}$", example = "04510")),
    responses(
        (status = 200, description = "Código postal", body = CodigoPostal),
        (status = 404, description = "Código desconocido", body = Problema, content_type = "application/problem+json"),
        (status = 422, description = "Código mal escrito", body = Problema, content_type = "application/problem+json"),
    )
)]
async fn codigo_postal(
    State(st): State<AppState>,
    Path(cp): Path<String>,
) -> Result<Json<CodigoPostal>, AppError> {
    let cp = postal::codigo_postal_valido(&cp)
        .map_err(|e| AppError::campo("codigo_postal", e.message()))?;
    st.catalogo()
        .and_then(|c| c.lookup(&cp))
        .map(|e| Json(e.to_api()))
        .ok_or(AppError::NoEncontrado(
            "No encontramos ese código postal. Revisa que esté bien escrito o captura tu estado, municipio y colonia.",
        ))
}
