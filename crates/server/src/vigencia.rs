//! The constancia de vigencia de derechos (IMSS-02-020-B) on the database: what it certifies (from the NSS's
//! enrolments and its clinic), and its issue with the e-mail that carries it, in one transaction.
//!
//! A constancia certifies the right on its issue date. A second request on the same day (Mexico's central time)
//! whose answer is the same re-uses that day's constancia (same folio, same seal) instead of issuing another: the
//! student who asks twice gets one document, and its folio stays valid for whoever verifies it. When anything it
//! shows has changed (a school sent a baja meanwhile), a new one is issued. Every request queues an e-mail with it.

use crate::db::escuelas::inscripciones_de;
use crate::documents::{DatosConstancia, Documento, Documentos, Persona, TipoDocumento};
use crate::error::AppError;
use crate::escuelas::{dd_mm_aaaa, evaluar, hoy, TIPO_ASEGURADO};
use crate::mail::Correo;
use afiliate_domain::api::{EscuelaResumen, EstadoVigencia};
use chrono::{TimeZone as _, Utc};
use sqlx::{AnyConnection, Row};

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
    let filas = sqlx::query(&format!(
        "SELECT {}, datos FROM documentos WHERE nss = $1 AND curp = $2 AND tipo = $3 AND emitido >= $4 \
         ORDER BY emitido DESC, folio",
        crate::service::COLUMNAS_DOC
    ))
    .bind(&persona.nss)
    .bind(&persona.curp)
    .bind(TipoDocumento::ConstanciaVigencia.codigo())
    .bind(inicio_del_dia(ahora))
    .fetch_all(&mut *c)
    .await?;
    let de_hoy = filas.iter().find_map(|r| {
        let mut d = crate::service::documento_de_columnas(
            &r.get::<String, _>(0),
            &r.get::<String, _>(1),
            r.get(2),
            r.get(3),
            r.get(4),
            r.get(5),
            r.get(6),
            r.get(7),
        )?;
        d.datos = DatosConstancia::from_columna(&r.get::<String, _>(8));
        (d.datos.as_ref() == Some(datos) && d.nombre == persona.nombre).then_some(d)
    });
    let doc = match de_hoy {
        Some(d) => {
            // Its re-sends go to the address of the latest request.
            sqlx::query("UPDATE documentos SET correo = $1 WHERE folio = $2")
                .bind(correo)
                .bind(&d.folio)
                .execute(&mut *c)
                .await?;
            d
        }
        None => {
            let instante = Utc
                .timestamp_opt(ahora, 0)
                .single()
                .unwrap_or_else(Utc::now);
            let d = Documento::emitir_constancia(persona, datos.clone(), instante, &docs.sellador);
            sqlx::query(
                "INSERT INTO documentos (folio, tipo, tramite, emitido, nombre, curp, nss, cadena_original, sello, \
                 correo, datos) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(&d.folio)
            .bind(d.tipo.codigo())
            .bind(d.tramite.codigo())
            .bind(d.emitido.timestamp())
            .bind(&d.nombre)
            .bind(&d.curp)
            .bind(&d.nss)
            .bind(d.cadena_original())
            .bind(&d.sello)
            .bind(correo)
            .bind(datos.to_json())
            .execute(&mut *c)
            .await?;
            d
        }
    };
    crate::service::encolar(c, &Correo::vigencia(correo, &doc), ahora).await?;
    Ok(doc)
}
