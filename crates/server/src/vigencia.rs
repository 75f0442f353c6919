//! The constancia de vigencia de derechos (IMSS-02-020-B) on the database: what it certifies (from the NSS's
//! enrolments and its clinic), and its issue with the e-mail that carries it, in one transaction.
//!
//! A constancia certifies the right on its issue date. A second request on the same day (Mexico's central time)
//! whose answer is the same re-uses that day's constancia (same folio, same seal) instead of issuing another: the
//! student who asks twice gets one document, and its folio stays valid for whoever verifies it. When anything it
//! shows has changed (a school sent a baja meanwhile), a new one is issued. Every request queues an e-mail with it.

use crate::db::escuelas::inscripciones_de;
use crate::documents::{DatosConstancia, Documento, Documentos, Persona};
use crate::error::AppError;
use crate::escuelas::{dd_mm_aaaa, evaluar, hoy, TIPO_ASEGURADO};
use crate::mail::Correo;
use afiliate_domain::api::{EscuelaResumen, EstadoVigencia};
use chrono::{TimeZone as _, Utc};
use sqlx::AnyConnection;

/// What the constancia of `nss` says today (`ahora`, Unix seconds).
pub async fn datos(
    pool: &sqlx::AnyPool,
    nss: &str,
    ahora: i64,
) -> Result<DatosConstancia, AppError> {
    let inscripciones = inscripciones_de(pool, nss).await?;
    let umf = crate::db::umf::de_nss(pool, nss).await?;
    let e = evaluar(&inscripciones, hoy(ahora));
    let i = e.inscripcion;
    Ok(DatosConstancia {
        derecho: e.estado == EstadoVigencia::Vigente,
        tipo_asegurado: TIPO_ASEGURADO.to_string(),
        motivo: e.motivo,
        escuela: i.map(|i| EscuelaResumen {
            cct: i.cct.clone(),
            nombre: i.escuela.clone(),
            registro_patronal: i.registro_patronal.clone(),
        }),
        umf,
        periodo: i.map(|i| i.periodo.clone()),
        vigente_desde: i.map(|i| dd_mm_aaaa(i.vigente_desde)),
        vigente_hasta: i.map(|i| dd_mm_aaaa(i.hasta())),
    })
}

/// The first second of `ahora`'s day in Mexico's central time.
fn inicio_del_dia(ahora: i64) -> i64 {
    crate::guardia::dia(ahora) * 86_400 + 6 * 3600
}

/// Issues the constancia (or re-uses today's identical one, see the module's documentation) and queues the e-mail
/// with it, in the caller's transaction.
pub async fn emitir(
    c: &mut AnyConnection,
    docs: &Documentos,
    persona: &Persona,
    datos: &DatosConstancia,
    correo: &str,
    ahora: i64,
) -> Result<Documento, AppError> {
    let de_hoy = crate::db::documentos::constancias_desde(
        c,
        &persona.nss,
        &persona.curp,
        inicio_del_dia(ahora),
    )
    .await?
    .into_iter()
    .find(|d| d.datos.as_ref() == Some(datos) && d.nombre == persona.nombre);
    let doc = match de_hoy {
        Some(d) => {
            // Its re-sends go to the address of the latest request.
            crate::db::documentos::cambiar_correo(c, &d.folio, correo).await?;
            d
        }
        None => {
            let instante = Utc
                .timestamp_opt(ahora, 0)
                .single()
                .unwrap_or_else(Utc::now);
            let d = Documento::emitir_constancia(persona, datos.clone(), instante, &docs.sellador);
            crate::db::documentos::insertar_constancia(c, &d, datos, correo).await?;
            d
        }
    };
    crate::service::encolar(c, &Correo::vigencia(correo, &doc), ahora).await?;
    Ok(doc)
}
