//! The one error type of the HTTP layer: every failure answers `application/problem+json` (RFC 9457) with Spanish text.

use afiliate_domain::api::Problema;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;

pub const MSG_CAPTCHA: &str = "El captcha no fue válido, favor de intentar nuevamente.";
pub const MSG_LIMITE_DIARIO: &str = "Has agotado el número de consultas permitidas por día.";
pub const MSG_NO_RENAPO: &str = "No se localizó información en RENAPO con la CURP capturada.";
pub const MSG_FALLA_RENAPO: &str = "Debido a una falla técnica, no se pudo verificar tu CURP ante el Registro Nacional de Población. Intenta más tarde.";
pub const MSG_SUBDELEGACION: &str = "Tu solicitud requiere que acudas a la subdelegación.";
pub const MSG_TOKEN: &str =
    "Tu solicitud ya no es válida porque pasó mucho tiempo. Vuelve a iniciar el trámite.";
pub const MSG_CONFIRMACION: &str = "Este enlace ya se usó o ya no es válido: vale una sola vez y sólo el día en que te lo enviamos. Vuelve a iniciar el trámite para recibir uno nuevo.";
pub const MSG_LIMITE_IP: &str =
    "Recibimos demasiadas solicitudes desde tu conexión. Espera un momento e intenta de nuevo.";
pub const MSG_NO_DISPONIBLE: &str =
    "Por el momento no podemos atender tu solicitud. Intenta de nuevo en unos segundos.";
pub const MSG_INTERNO: &str = "Ocurrió un error inesperado. Intenta más tarde.";
pub const MSG_NSS_NO_CORRESPONDE: &str =
    "El NSS que escribiste no corresponde a tu CURP. Revísalo o consúltalo en el Paso 1.";
pub const MSG_NSS_DADO_DE_BAJA: &str = "Tu Número de Seguridad Social fue dado de baja en el IMSS. Acude a tu subdelegación con tu CURP y una identificación oficial para aclararlo.";
pub const MSG_VARIOS_NSS: &str = "Tu CURP tiene más de un Número de Seguridad Social registrado. Tu solicitud requiere que acudas a la subdelegación para que los unifiquen.";
pub const MSG_NO_AUTORIZADO: &str = "La clave de la escuela no es válida o fue revocada. Envíala en el encabezado Authorization: Bearer <clave>.";
pub const MSG_ENLACE_INVALIDO: &str = "El enlace del documento no es válido o ya expiró. Vuelve a consultar tu NSS para obtener uno nuevo.";
pub const MSG_FOLIO_DESCONOCIDO: &str = "No encontramos un documento con ese folio. Revisa que lo hayas escrito igual que en el documento.";
pub const MSG_FALLA_TECNICA: &str =
    "Debido a una falla técnica no pudimos atender tu solicitud. Intenta más tarde.";
pub const MSG_LIMITE_REENVIOS: &str =
    "Ya reenviaste este documento 3 veces hoy. Podrás reenviarlo de nuevo mañana; mientras tanto, \
     puedes descargarlo desde esta página.";
pub const MSG_SERIE_AGOTADA: &str = "Por ahora no es posible asignar un NSS en la subdelegación de tu domicilio. Tu solicitud requiere que acudas a la subdelegación.";

/// Every way a request can fail.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Field → Spanish messages (422).
    #[error("validation failed")]
    Validacion(BTreeMap<String, Vec<String>>),
    #[error("wrong, expired or used captcha")]
    Captcha,
    #[error("daily limit reached")]
    LimiteDiario,
    #[error("too many requests from this client")]
    LimiteIp,
    #[error("CURP not in the registry")]
    NoEnRenapo,
    #[error("registry unreachable")]
    FallaRenapo,
    #[error("CURP does not match the registry's person data")]
    Subdelegacion,
    #[error("unknown or expired token")]
    Token,
    /// An e-mail confirmation link used already, expired or made up (410).
    #[error("confirmation link used, expired or invalid")]
    Confirmacion,
    #[error("not found")]
    NoEncontrado(&'static str),
    #[error("NSS series exhausted")]
    SerieAgotada,
    /// A school's key missing, wrong or revoked (401).
    #[error("school key rejected")]
    NoAutorizado,
    /// No clinic serves this postal code (404, the real service's words).
    #[error("no UMF for the postal code")]
    SinUmf(String),
    /// The NSS typed is not the CURP's (422 on `nss`).
    #[error("NSS does not belong to the CURP")]
    NssNoCorresponde,
    /// The CURP's NSS was cancelled (409).
    #[error("NSS cancelled")]
    NssDadoDeBaja,
    /// The registry holds several NSS for the CURP (409).
    #[error("several NSS for one CURP")]
    VariosNss,
    /// A CSV body that cannot be read as a whole (wrong header, not UTF-8): 422.
    #[error("unreadable CSV")]
    Csv(String),
    /// A document link made up, altered or expired (404).
    #[error("invalid or expired document link")]
    EnlaceInvalido,
    /// No document with that folio (404).
    #[error("unknown folio")]
    FolioDesconocido,
    /// The documents' store failed (503; logged where it happened).
    #[error("documents store failed")]
    FallaTecnica,
    /// A document already re-sent [`crate::http::documentos::LIMITE_REENVIOS_DIA`] times today (429).
    #[error("re-send limit reached")]
    LimiteReenvios,
    /// A body that is not the expected JSON (400/413/415).
    #[error("bad request body")]
    Cuerpo(StatusCode, String),
    /// The database's disk is full (503 with `Retry-After`): nothing was written, nothing already saved is lost.
    #[error("the database's disk is full")]
    SinEspacio,
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("internal: {0}")]
    Internal(String),
}

impl AppError {
    pub fn internal(msg: impl Into<String>) -> AppError {
        AppError::Internal(msg.into())
    }

    /// A failed write's message from the SQLite writer: [`AppError::SinEspacio`] when the disk is full, otherwise
    /// internal.
    pub fn de_escritura(msg: impl Into<String>) -> AppError {
        let msg = msg.into();
        if disco_lleno(&msg) {
            AppError::SinEspacio
        } else {
            AppError::Internal(msg)
        }
    }

    /// One field, one message (422).
    pub fn campo(campo: &str, mensaje: &str) -> AppError {
        let mut errores = BTreeMap::new();
        errores.insert(campo.to_string(), vec![mensaje.to_string()]);
        AppError::Validacion(errores)
    }

    /// A conflict that may vanish when the transaction is run again.
    pub fn is_retryable(&self) -> bool {
        matches!(self, AppError::Db(e) if conflicto_reintentable(e))
    }

    /// A short stable name for metrics and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            AppError::Validacion(_) => "validacion",
            AppError::Captcha => "captcha",
            AppError::LimiteDiario => "limite_diario",
            AppError::LimiteIp => "limite_ip",
            AppError::NoEnRenapo => "no_en_renapo",
            AppError::FallaRenapo => "falla_renapo",
            AppError::Subdelegacion => "subdelegacion",
            AppError::Token => "token",
            AppError::Confirmacion => "confirmacion",
            AppError::NoEncontrado(_) => "no_encontrado",
            AppError::SerieAgotada => "serie_agotada",
            AppError::NoAutorizado => "no_autorizado",
            AppError::SinUmf(_) => "sin_umf",
            AppError::NssNoCorresponde => "nss_no_corresponde",
            AppError::NssDadoDeBaja => "nss_dado_de_baja",
            AppError::VariosNss => "varios_nss",
            AppError::Csv(_) => "csv",
            AppError::EnlaceInvalido => "enlace_invalido",
            AppError::FolioDesconocido => "folio_desconocido",
            AppError::FallaTecnica => "falla_tecnica",
            AppError::SinEspacio => "sin_espacio",
            AppError::LimiteReenvios => "limite_reenvios",
            AppError::Cuerpo(..) => "cuerpo",
            AppError::Db(_) => "db",
            AppError::Internal(_) => "interno",
        }
    }

    /// The problem document of this error.
    pub fn problema(&self) -> Problema {
        let (status, tipo, title, detail, errores): (
            StatusCode,
            &str,
            &str,
            String,
            BTreeMap<String, Vec<String>>,
        ) = match self {
            AppError::Validacion(errores) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validacion",
                "Hay un problema",
                "Revisa los datos marcados.".into(),
                errores.clone(),
            ),
            AppError::Captcha => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "captcha-invalido",
                "Captcha no válido",
                MSG_CAPTCHA.into(),
                uno("captcha_respuesta", MSG_CAPTCHA),
            ),
            AppError::LimiteDiario => (
                StatusCode::TOO_MANY_REQUESTS,
                "limite-diario",
                "Límite diario alcanzado",
                MSG_LIMITE_DIARIO.into(),
                BTreeMap::new(),
            ),
            AppError::LimiteIp => (
                StatusCode::TOO_MANY_REQUESTS,
                "demasiadas-solicitudes",
                "Demasiadas solicitudes",
                MSG_LIMITE_IP.into(),
                BTreeMap::new(),
            ),
            AppError::NoEnRenapo => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "curp-no-encontrada",
                "CURP no encontrada",
                MSG_NO_RENAPO.into(),
                uno("curp", MSG_NO_RENAPO),
            ),
            AppError::FallaRenapo => (
                StatusCode::SERVICE_UNAVAILABLE,
                "renapo-no-disponible",
                "Falla técnica",
                MSG_FALLA_RENAPO.into(),
                BTreeMap::new(),
            ),
            AppError::Subdelegacion => (
                StatusCode::CONFLICT,
                "acude-a-subdelegacion",
                "Acude a la subdelegación",
                MSG_SUBDELEGACION.into(),
                BTreeMap::new(),
            ),
            AppError::Confirmacion => (
                StatusCode::GONE,
                "confirmacion-invalida",
                "Enlace no válido",
                MSG_CONFIRMACION.into(),
                BTreeMap::new(),
            ),
            AppError::Token => (
                StatusCode::GONE,
                "solicitud-expirada",
                "Solicitud expirada",
                MSG_TOKEN.into(),
                uno("token", MSG_TOKEN),
            ),
            AppError::NoEncontrado(msg) => (
                StatusCode::NOT_FOUND,
                "no-encontrado",
                "No encontrado",
                (*msg).into(),
                BTreeMap::new(),
            ),
            AppError::SerieAgotada => (
                StatusCode::SERVICE_UNAVAILABLE,
                "serie-agotada",
                "Serie de NSS agotada",
                MSG_SERIE_AGOTADA.into(),
                BTreeMap::new(),
            ),
            AppError::NoAutorizado => (
                StatusCode::UNAUTHORIZED,
                "no-autorizado",
                "No autorizado",
                MSG_NO_AUTORIZADO.into(),
                BTreeMap::new(),
            ),
            AppError::SinUmf(cp) => (
                StatusCode::NOT_FOUND,
                "sin-umf",
                "Sin Unidad de Medicina Familiar",
                afiliate_domain::api::mensaje_sin_umf(cp),
                BTreeMap::new(),
            ),
            AppError::NssNoCorresponde => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "nss-no-corresponde",
                "El NSS no corresponde a la CURP",
                MSG_NSS_NO_CORRESPONDE.into(),
                uno("nss", MSG_NSS_NO_CORRESPONDE),
            ),
            AppError::NssDadoDeBaja => (
                StatusCode::CONFLICT,
                "nss-dado-de-baja",
                "NSS dado de baja",
                MSG_NSS_DADO_DE_BAJA.into(),
                BTreeMap::new(),
            ),
            AppError::VariosNss => (
                StatusCode::CONFLICT,
                "varios-nss",
                "Acude a la subdelegación",
                MSG_VARIOS_NSS.into(),
                BTreeMap::new(),
            ),
            AppError::Csv(detail) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "csv-invalido",
                "Archivo no válido",
                detail.clone(),
                BTreeMap::new(),
            ),
            AppError::EnlaceInvalido => (
                StatusCode::NOT_FOUND,
                "enlace-invalido",
                "Documento no disponible",
                MSG_ENLACE_INVALIDO.into(),
                BTreeMap::new(),
            ),
            AppError::FolioDesconocido => (
                StatusCode::NOT_FOUND,
                "folio-desconocido",
                "Folio no encontrado",
                MSG_FOLIO_DESCONOCIDO.into(),
                BTreeMap::new(),
            ),
            AppError::FallaTecnica => (
                StatusCode::SERVICE_UNAVAILABLE,
                "falla-tecnica",
                "Falla técnica",
                MSG_FALLA_TECNICA.into(),
                BTreeMap::new(),
            ),
            AppError::LimiteReenvios => (
                StatusCode::TOO_MANY_REQUESTS,
                "limite-reenvios",
                "Límite de reenvíos alcanzado",
                MSG_LIMITE_REENVIOS.into(),
                BTreeMap::new(),
            ),
            AppError::Cuerpo(status, detail) => (
                *status,
                "solicitud-invalida",
                "Solicitud no válida",
                detail.clone(),
                BTreeMap::new(),
            ),
            AppError::SinEspacio => (
                StatusCode::SERVICE_UNAVAILABLE,
                "servicio-no-disponible",
                "Servicio no disponible",
                MSG_NO_DISPONIBLE.into(),
                BTreeMap::new(),
            ),
            AppError::Db(e) if base_no_disponible(e) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "servicio-no-disponible",
                "Servicio no disponible",
                MSG_NO_DISPONIBLE.into(),
                BTreeMap::new(),
            ),
            AppError::Db(_) | AppError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "error-interno",
                "Error interno",
                MSG_INTERNO.into(),
                BTreeMap::new(),
            ),
        };
        Problema {
            tipo: format!("/problemas/{tipo}"),
            title: title.into(),
            status: status.as_u16(),
            detail,
            errores,
        }
    }
}

/// A unique violation or serialization failure (PostgreSQL's 40001, or 40P01 for a deadlock): the transaction may
/// succeed when run again. The database layer retries on it; this type only classifies.
pub fn conflicto_reintentable(e: &sqlx::Error) -> bool {
    match e.as_database_error() {
        Some(db) => {
            db.is_unique_violation()
                || matches!(db.code().as_deref(), Some("40001") | Some("40P01"))
        }
        None => false,
    }
}

fn uno(campo: &str, msg: &str) -> BTreeMap<String, Vec<String>> {
    let mut m = BTreeMap::new();
    m.insert(campo.to_string(), vec![msg.to_string()]);
    m
}

/// Writes a problem document as a response.
pub fn problem_response(p: &Problema) -> Response {
    let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(p).unwrap_or_default();
    let mut res = (status, body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    res
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if matches!(self, AppError::Db(_) | AppError::Internal(_)) {
            // Internal details are logged, never echoed; they never contain personal data.
            tracing::error!(error = %self, "internal error");
        }
        if matches!(self, AppError::SinEspacio) {
            tracing::error!("a write failed: the database's disk is full");
        }
        crate::metrics::record_error(self.kind());
        let mut res = problem_response(&self.problema());
        if matches!(self, AppError::SinEspacio) {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(SEGUNDOS_SIN_ESPACIO));
        } else if res.status() == StatusCode::SERVICE_UNAVAILABLE && matches!(self, AppError::Db(_))
        {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(SEGUNDOS_REINTENTO));
        }
        if matches!(self, AppError::NoAutorizado) {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"afiliate-escuelas\""),
            );
        }
        res
    }
}

/// `Retry-After` of a 503 while the database cannot be reached: a restart of PostgreSQL takes a few seconds.
const SEGUNDOS_REINTENTO: u32 = 2;

/// `Retry-After` of a 503 while the database's disk is full: an operator has to free space.
const SEGUNDOS_SIN_ESPACIO: u32 = 60;

/// Whether a write's error message is a full (or failing) disk: SQLite's `SQLITE_FULL` ("database or disk is
/// full", also as sqlx's "(code: 13)") and `SQLITE_IOERR` ("disk I/O error", which a write into a full filesystem
/// also gives, e.g. growing the WAL's index), the OS's ENOSPC (from a WAL fsync), PostgreSQL's 53100 `disk_full`.
/// Nothing was written: the client may retry once an operator has freed space.
pub fn disco_lleno(msg: &str) -> bool {
    msg.contains("database or disk is full")
        || msg.contains("disk I/O error")
        || msg.contains("No space left on device")
        || msg.contains("(code: 13)")
        || msg.contains("53100")
}

/// The database cannot be reached right now (a restart, a failover, a network cut, every connection busy), as
/// opposed to a bug: the client should retry, so 503 with `Retry-After` instead of 500. Nothing was committed
/// unless the commit itself was cut, and the assignment is idempotent, so a retry answers the same NSS.
pub fn base_no_disponible(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        // SQLSTATE class 08 (connection exception), 57P01-57P03 (admin shutdown, crash shutdown, cannot connect
        // now: a server restarting), 53300 (too many connections).
        sqlx::Error::Database(d) => d
            .code()
            // SQLite's 13 (SQLITE_FULL) and PostgreSQL's 53100 (disk_full): the disk is full; nothing was written.
            .is_some_and(|c| {
                c.starts_with("08")
                    || c.starts_with("57P")
                    || c == "53300"
                    || c == "13"
                    || c == "53100"
            }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_database_answers_503_with_retry_after_not_500() {
        let caida = AppError::Db(sqlx::Error::Io(std::io::Error::from(
            std::io::ErrorKind::ConnectionRefused,
        )));
        let res = caida.into_response();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(res.headers()[header::RETRY_AFTER], "2");
        for e in [sqlx::Error::PoolTimedOut, sqlx::Error::PoolClosed] {
            assert_eq!(
                AppError::Db(e).into_response().status(),
                StatusCode::SERVICE_UNAVAILABLE
            );
        }
        // A bug stays a 500, without Retry-After.
        let bug = AppError::Db(sqlx::Error::RowNotFound).into_response();
        assert_eq!(bug.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(bug.headers().get(header::RETRY_AFTER).is_none());
    }

    #[test]
    fn a_full_disk_answers_503_with_retry_after_and_other_write_failures_stay_500() {
        for msg in [
            "sqlite: database or disk is full",
            "error returned from database: (code: 13) database or disk is full",
            "fsync: No space left on device (os error 28)",
            "the database cannot be opened for writing: database or disk is full",
            "disk I/O error",
        ] {
            let e = AppError::de_escritura(msg);
            assert!(matches!(e, AppError::SinEspacio), "{msg}");
            let res = e.into_response();
            assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE, "{msg}");
            assert_eq!(res.headers()[header::RETRY_AFTER], "60");
        }
        let otro = AppError::de_escritura("sqlite: UNIQUE constraint failed").into_response();
        assert_eq!(otro.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
