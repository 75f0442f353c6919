//! The NSS procedure's rules, with no SQL and no HTTP: the solicitud token, the año de afiliación, what a
//! localización or asignación issues and which email announces it.
//!
//! The handlers ([`crate::http`]) call these functions with plain data; they run their storage through
//! [`crate::db`] (inside the transaction of [`crate::db::Db::write`], or [`crate::db::Db::asignar`]) and compose
//! emails with [`crate::mail`]. What a new NSS brings with it is [`crate::db::asignacion::Emision`], implemented here
//! for [`Documentos`]: the assignment algorithm itself lives with its statements in [`crate::db::asignacion`].

use crate::db::asignacion::Emision;
use crate::documents::{Documento, Documentos, Persona, TipoDocumento, Tramite};
use crate::error::AppError;
use crate::mail::Correo;
use chrono::{TimeZone as _, Utc};
use sqlx::AnyConnection;
use std::sync::Arc;

pub use crate::guardia::dia;
pub use crate::pedido::{Asignado, Domicilio, Pedido, Serie, Token};

/// How long a solicitud token lets the person continue to the address.
pub const VIGENCIA_TOKEN_SEG: i64 = 30 * 60;

/// The two-digit año de afiliación of an NSS assigned at `ahora` (Unix seconds): the year in Mexico City, whose
/// time is UTC−6 all year since 2022 ([`crate::documents::hora_centro`]; only some border municipalities keep
/// daylight saving). The last six hours of 31 December, already 1 January in UTC, belong to the ending year.
pub fn anio_afiliacion(ahora: i64) -> u8 {
    use chrono::Datelike as _;
    let anio = chrono::DateTime::from_timestamp(ahora, 0)
        .unwrap_or_default()
        .with_timezone(&crate::documents::hora_centro())
        .year();
    anio.rem_euclid(100) as u8
}

/// Issues (and seals) the documents of an NSS, dated `ahora` (Unix seconds).
pub(crate) fn emitir_del_nss(
    docs: &Documentos,
    tramite: Tramite,
    persona: &Persona,
    ahora: i64,
) -> Vec<Documento> {
    let instante = Utc
        .timestamp_opt(ahora, 0)
        .single()
        .unwrap_or_else(Utc::now);
    TipoDocumento::DEL_NSS
        .iter()
        .map(|tipo| docs.emitir(*tipo, tramite, persona, instante))
        .collect()
}

/// A new NSS brings the comprobante and the tarjeta of its asignación, sent together in one email.
impl Emision for Documentos {
    fn documentos(&self, persona: &Persona, ahora: i64) -> Vec<Documento> {
        emitir_del_nss(self, Tramite::Asignacion, persona, ahora)
    }

    fn correo(&self, correo: &str, documentos: &[Documento]) -> String {
        Correo::nss(correo, documentos).to_json()
    }
}

/// Queues an email in the caller's transaction (which commits it with the result it announces).
pub async fn encolar(c: &mut AnyConnection, correo: &Correo, ahora: i64) -> Result<(), AppError> {
    crate::db::outbox::encolar(c, &correo.to_json(), ahora).await
}

/// A located NSS: the documents of the localización (issued once, then re-used) and an email with them, in the
/// caller's transaction.
pub async fn localizar(
    c: &mut AnyConnection,
    docs: &Documentos,
    persona: &Persona,
    correo: &str,
    ahora: i64,
) -> Result<Vec<Documento>, AppError> {
    let mut documentos =
        crate::db::documentos::ultimos(c, &persona.curp, &persona.nss, Tramite::Localizacion)
            .await?;
    if documentos.len() != TipoDocumento::DEL_NSS.len() {
        documentos = emitir_del_nss(docs, Tramite::Localizacion, persona, ahora);
        for d in &documentos {
            crate::db::documentos::insertar(c, d, correo).await?;
        }
    }
    encolar(c, &Correo::nss(correo, &documentos), ahora).await?;
    Ok(documentos)
}

/// Assigns an NSS to the request's CURP (or answers the one it already has), with its documents and email.
pub async fn asignar(
    db: &crate::db::Db,
    docs: Arc<Documentos>,
    pedido: Pedido,
) -> Result<Asignado, AppError> {
    db.asignar(docs, pedido).await
}
