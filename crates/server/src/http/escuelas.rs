//! The schools' endpoints: their enrolments (altas) and bajas as CSV files, with the school's own key.

use super::AppState;
use crate::error::AppError;
use crate::escuelas::{self, Archivo};
use afiliate_domain::api::{Problema, ReporteInscripciones};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The largest file a school sends in one request (about 20,000 rows); a bigger one is split.
pub const LIMITE_CSV: usize = 1 << 20;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(inscripciones))
        .routes(routes!(bajas))
        .layer(DefaultBodyLimit::max(LIMITE_CSV))
}

/// The school of the path when the request carries its live key (`Authorization: Bearer <key>`); any other case
/// (no header, another scheme, a wrong or revoked key, an unknown or malformed CCT) is the same 401.
async fn autenticar(st: &AppState, cct: &str, cabeceras: &HeaderMap) -> Result<String, AppError> {
    let clave = cabeceras
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (esquema, clave) = v.trim().split_once(' ')?;
            esquema.eq_ignore_ascii_case("bearer").then(|| clave.trim())
        })
        .filter(|c| !c.is_empty() && c.len() <= 128)
        .ok_or(AppError::NoAutorizado)?;
    let cct = escuelas::validar_cct(cct).map_err(|_| AppError::NoAutorizado)?;
    let escuela = crate::db::escuelas::escuela(&st.db().pool, &cct)
        .await?
        .ok_or(AppError::NoAutorizado)?;
    match &escuela.huella {
        Some(h) if escuelas::clave_coincide(clave, h) => Ok(cct),
        _ => Err(AppError::NoAutorizado),
    }
}

/// The body as CSV text: `text/csv` (or `application/csv`), UTF-8, within [`LIMITE_CSV`].
fn texto_csv(
    cabeceras: &HeaderMap,
    cuerpo: Result<Bytes, BytesRejection>,
) -> Result<String, AppError> {
    let tipo = cabeceras
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|t| t.trim().to_ascii_lowercase());
    if !matches!(tipo.as_deref(), Some("text/csv" | "application/csv")) {
        return Err(AppError::Cuerpo(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "El archivo debe enviarse como CSV (Content-Type: text/csv).".into(),
        ));
    }
    let bytes = cuerpo.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::Cuerpo(
                StatusCode::PAYLOAD_TOO_LARGE,
                "El archivo es demasiado grande: envíalo en partes de menos de 1 MB.".into(),
            )
        } else {
            AppError::Cuerpo(
                StatusCode::BAD_REQUEST,
                "No se pudo leer el archivo.".into(),
            )
        }
    })?;
    String::from_utf8(bytes.to_vec())
        .map_err(|_| AppError::Csv("El archivo debe estar en UTF-8.".into()))
}

async fn recibir(
    st: AppState,
    cct: String,
    cabeceras: HeaderMap,
    cuerpo: Result<Bytes, BytesRejection>,
    archivo: Archivo,
) -> Result<Json<ReporteInscripciones>, AppError> {
    let r = recibir_sin_auditar(&st, &cct, cabeceras, cuerpo, archivo).await;
    let mut e = st
        .auditoria()
        .evento(match archivo {
            Archivo::Altas => "inscripciones",
            Archivo::Bajas => "bajas",
        })
        .campo("cct", cct.as_str());
    if let Ok(Json(rep)) = &r {
        e = e
            .campo("renglones", rep.renglones)
            .campo("aceptados", rep.aceptados)
            .campo("rechazados", rep.rechazados);
    }
    e.resultado(&r, "aplicado").escribir();
    r
}

async fn recibir_sin_auditar(
    st: &AppState,
    cct: &str,
    cabeceras: HeaderMap,
    cuerpo: Result<Bytes, BytesRejection>,
    archivo: Archivo,
) -> Result<Json<ReporteInscripciones>, AppError> {
    let cct = autenticar(st, cct, &cabeceras).await?;
    let texto = texto_csv(&cabeceras, cuerpo)?;
    let reporte = escuelas::procesar(st.db(), &cct, archivo, &texto, st.ahora()).await?;
    tracing::info!(
        cct = %cct,
        archivo = ?archivo,
        renglones = reporte.renglones,
        aceptados = reporte.aceptados,
        rechazados = reporte.rechazados,
        "school file applied"
    );
    Ok(Json(reporte))
}

/// A school's enrolments (altas).
#[utoipa::path(
    post,
    path = "/api/escuelas/{cct}/inscripciones",
    tag = "escuelas",
    summary = "Altas de estudiantes de una escuela (CSV)",
    description = "El archivo CSV (UTF-8, `Content-Type: text/csv`, hasta 1 MB) tiene el encabezado \
                   `curp,nss,fecha_alta,periodo`. `fecha_alta` es `AAAA-MM-DD` (o `dd/mm/aaaa`) y no puede ser \
                   posterior a hoy; `periodo` es un ciclo anual `AAAA-AAAA` (del 1 de agosto del primer año al 31 de \
                   julio del segundo, por ejemplo `2026-2027`) o un semestre `AAAA-1` (1 de enero al 30 de junio) o \
                   `AAAA-2` (1 de julio al 31 de diciembre), y `fecha_alta` debe caer dentro de él. El derecho al \
                   servicio médico corre desde `fecha_alta` hasta el último día del periodo, o hasta la fecha de baja. \
                   La respuesta informa cada renglón: `aceptado`, `sin_cambios` (ya estaba igual: enviar el mismo \
                   archivo dos veces no cambia nada) o `rechazado` con su línea y el motivo; los renglones buenos se \
                   guardan aunque otros fallen.",
    params(("cct" = String, Path, description = "Clave de centro de trabajo de la escuela", example = "09PDM0001Z")),
    request_body(content = String, content_type = "text/csv", description = "curp,nss,fecha_alta,periodo",
        example = "curp,nss,fecha_alta,periodo\nGALM050314MDFRPRA7,12230543212,2026-08-24,2026-2027\n"),
    security(("clave_escuela" = [])),
    responses(
        (status = 200, description = "Reporte por renglón", body = ReporteInscripciones),
        (status = 400, description = "Cuerpo ilegible", body = Problema, content_type = "application/problem+json"),
        (status = 401, description = "Falta la clave de la escuela, es incorrecta o fue revocada", body = Problema, content_type = "application/problem+json"),
        (status = 413, description = "Archivo de más de 1 MB", body = Problema, content_type = "application/problem+json"),
        (status = 415, description = "No es `text/csv`", body = Problema, content_type = "application/problem+json"),
        (status = 422, description = "Encabezado equivocado o archivo que no es UTF-8", body = Problema, content_type = "application/problem+json"),
    )
)]
async fn inscripciones(
    State(st): State<AppState>,
    Path(cct): Path<String>,
    cabeceras: HeaderMap,
    cuerpo: Result<Bytes, BytesRejection>,
) -> Result<Json<ReporteInscripciones>, AppError> {
    recibir(st, cct, cabeceras, cuerpo, Archivo::Altas).await
}

/// A school's bajas.
#[utoipa::path(
    post,
    path = "/api/escuelas/{cct}/bajas",
    tag = "escuelas",
    summary = "Bajas de estudiantes de una escuela (CSV)",
    description = "Como las altas, con el encabezado `curp,nss,fecha_baja`. La baja se aplica a la inscripción de la \
                   escuela para ese NSS cuyo derecho cubre `fecha_baja` (que no puede ser posterior a hoy); el derecho \
                   termina ese día. Reenviar la misma baja no cambia nada; una fecha distinta la corrige. Para volver a \
                   inscribir al estudiante en el mismo periodo, envía un alta con fecha posterior a la baja.",
    params(("cct" = String, Path, description = "Clave de centro de trabajo de la escuela", example = "09PDM0001Z")),
    request_body(content = String, content_type = "text/csv", description = "curp,nss,fecha_baja",
        example = "curp,nss,fecha_baja\nGALM050314MDFRPRA7,12230543212,2027-01-15\n"),
    security(("clave_escuela" = [])),
    responses(
        (status = 200, description = "Reporte por renglón", body = ReporteInscripciones),
        (status = 400, description = "Cuerpo ilegible", body = Problema, content_type = "application/problem+json"),
        (status = 401, description = "Falta la clave de la escuela, es incorrecta o fue revocada", body = Problema, content_type = "application/problem+json"),
        (status = 413, description = "Archivo de más de 1 MB", body = Problema, content_type = "application/problem+json"),
        (status = 415, description = "No es `text/csv`", body = Problema, content_type = "application/problem+json"),
        (status = 422, description = "Encabezado equivocado o archivo que no es UTF-8", body = Problema, content_type = "application/problem+json"),
    )
)]
async fn bajas(
    State(st): State<AppState>,
    Path(cct): Path<String>,
    cabeceras: HeaderMap,
    cuerpo: Result<Bytes, BytesRejection>,
) -> Result<Json<ReporteInscripciones>, AppError> {
    recibir(st, cct, cabeceras, cuerpo, Archivo::Bajas).await
}
