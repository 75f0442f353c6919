//! The SQL of the clinic catalog (tables `umf`, `umf_codigos_postales`) and of the clinic recorded with an NSS.

use super::Db;
use crate::error::AppError;
use afiliate_domain::api::{Umf, UmfResumen};
use sqlx::{AnyConnection, AnyPool, Row};

/// A clinic of the catalog with the postal codes it serves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UmfConCodigos {
    pub umf: Umf,
    pub codigos_postales: Vec<String>,
}

/// Adds or replaces a clinic and the codes it serves (its earlier codes are dropped), in the caller's transaction.
pub async fn guardar(
    c: &mut AnyConnection,
    u: &UmfConCodigos,
    ahora: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO umf (clave, nombre, domicilio, telefono, horario, actualizada_en) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (clave) DO UPDATE SET nombre = excluded.nombre, domicilio = excluded.domicilio, \
         telefono = excluded.telefono, horario = excluded.horario, actualizada_en = excluded.actualizada_en",
    )
    .bind(&u.umf.clave)
    .bind(&u.umf.nombre)
    .bind(&u.umf.domicilio)
    .bind(&u.umf.telefono)
    .bind(&u.umf.horario)
    .bind(ahora)
    .execute(&mut *c)
    .await?;
    sqlx::query("DELETE FROM umf_codigos_postales WHERE clave = $1")
        .bind(&u.umf.clave)
        .execute(&mut *c)
        .await?;
    for cp in &u.codigos_postales {
        sqlx::query(
            "INSERT INTO umf_codigos_postales (codigo_postal, clave) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(cp)
        .bind(&u.umf.clave)
        .execute(&mut *c)
        .await?;
    }
    Ok(())
}

const SQL_DE_CP: &str = "SELECT u.clave, u.nombre, u.domicilio, u.telefono, u.horario FROM umf u \
     JOIN umf_codigos_postales c ON c.clave = u.clave WHERE c.codigo_postal = $1 ORDER BY u.clave";

fn de_fila(r: &sqlx::any::AnyRow) -> Umf {
    Umf {
        clave: r.get(0),
        nombre: r.get(1),
        domicilio: r.get(2),
        telefono: r.get(3),
        horario: r.get(4),
    }
}

/// The clinics that serve a postal code, by clave (empty when none).
pub async fn de_codigo_postal(pool: &AnyPool, cp: &str) -> Result<Vec<Umf>, sqlx::Error> {
    Ok(sqlx::query(SQL_DE_CP)
        .bind(cp)
        .fetch_all(pool)
        .await?
        .iter()
        .map(de_fila)
        .collect())
}

/// The clinic an assignment records for a postal code: the first by clave. On SQLite a synchronous read (a few
/// microseconds, as the solicitud's lookup), else through the pool.
pub async fn para_asignacion(db: &Db, cp: &str) -> Result<Option<Umf>, AppError> {
    if let Some(lectores) = db.lectores() {
        let leido = lectores.leer(|c| {
            let mut st = c.prepare_cached(SQL_DE_CP)?;
            let mut filas = st.query([cp])?;
            match filas.next()? {
                Some(r) => Ok(Some(Umf {
                    clave: r.get(0)?,
                    nombre: r.get(1)?,
                    domicilio: r.get(2)?,
                    telefono: r.get(3)?,
                    horario: r.get(4)?,
                })),
                None => Ok(None),
            }
        });
        match leido {
            Ok(r) => return Ok(r),
            Err(e) => tracing::debug!(error = %e, "synchronous read failed: through the pool"),
        }
    }
    Ok(de_codigo_postal(&db.pool, cp).await?.into_iter().next())
}

pub async fn por_clave(pool: &AnyPool, clave: &str) -> Result<Option<Umf>, sqlx::Error> {
    Ok(
        sqlx::query("SELECT clave, nombre, domicilio, telefono, horario FROM umf WHERE clave = $1")
            .bind(clave)
            .fetch_optional(pool)
            .await?
            .map(|r| de_fila(&r)),
    )
}

/// The clinic of an NSS: the one recorded with its address, else the first that serves the address's postal code
/// (an NSS assigned before the catalog had one), else none (no address: an NSS imported from IMSS).
pub async fn de_nss(pool: &AnyPool, nss: &str) -> Result<Option<UmfResumen>, sqlx::Error> {
    let fila = sqlx::query("SELECT codigo_postal, umf FROM domicilios WHERE nss = $1")
        .bind(nss)
        .fetch_optional(pool)
        .await?;
    let Some(fila) = fila else { return Ok(None) };
    let (cp, clave): (String, Option<String>) = (fila.get(0), fila.get(1));
    let umf = match clave {
        Some(k) => por_clave(pool, &k).await?,
        None => None,
    };
    let umf = match umf {
        Some(u) => Some(u),
        None => de_codigo_postal(pool, &cp).await?.into_iter().next(),
    };
    Ok(umf.map(resumen))
}

pub fn resumen(u: Umf) -> UmfResumen {
    UmfResumen {
        clave: u.clave,
        nombre: u.nombre,
        domicilio: u.domicilio,
    }
}
