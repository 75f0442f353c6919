//! The SQL of schools, their keys and their enrolments (tables `escuelas`, `inscripciones`), and the registry's
//! NSS checks an enrolment and a constancia need (`nss_asignaciones`, `nss_adicionales`, `nss_bajas`).

use crate::error::AppError;
use crate::escuelas::{Alta, Baja, Inscripcion};
use afiliate_domain::api::ResultadoRenglon;
use chrono::NaiveDate;
use sqlx::{AnyConnection, AnyPool, Row};

/// A school as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Escuela {
    pub cct: String,
    pub nombre: String,
    pub registro_patronal: String,
    pub estado: String,
    /// The key's digest; `None` once revoked.
    pub huella: Option<String>,
}

/// Adds a school with its key's digest; false when the CCT is already there.
pub async fn crear(pool: &AnyPool, e: &Escuela, ahora: i64) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "INSERT INTO escuelas (cct, nombre, registro_patronal, estado, clave_hash, creada_en) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (cct) DO NOTHING",
    )
    .bind(&e.cct)
    .bind(&e.nombre)
    .bind(&e.registro_patronal)
    .bind(&e.estado)
    .bind(&e.huella)
    .bind(ahora)
    .execute(pool)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Adds or updates a school's data, keeping its key (the demo seed).
pub async fn guardar_sin_clave(pool: &AnyPool, e: &Escuela, ahora: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO escuelas (cct, nombre, registro_patronal, estado, clave_hash, creada_en) \
         VALUES ($1, $2, $3, $4, NULL, $5) ON CONFLICT (cct) DO UPDATE SET nombre = excluded.nombre, \
         registro_patronal = excluded.registro_patronal, estado = excluded.estado",
    )
    .bind(&e.cct)
    .bind(&e.nombre)
    .bind(&e.registro_patronal)
    .bind(&e.estado)
    .bind(ahora)
    .execute(pool)
    .await?;
    Ok(())
}

/// Sets (a new digest) or revokes (`None`) a school's key; false when there is no such school.
pub async fn poner_clave(
    pool: &AnyPool,
    cct: &str,
    huella: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query("UPDATE escuelas SET clave_hash = $1 WHERE cct = $2")
        .bind(huella)
        .bind(cct)
        .execute(pool)
        .await?;
    Ok(r.rows_affected() == 1)
}

fn escuela_de_fila(r: &sqlx::any::AnyRow) -> Escuela {
    Escuela {
        cct: r.get(0),
        nombre: r.get(1),
        registro_patronal: r.get(2),
        estado: r.get(3),
        huella: r.get(4),
    }
}

const COLUMNAS: &str = "cct, nombre, registro_patronal, estado, clave_hash";

pub async fn escuela(pool: &AnyPool, cct: &str) -> Result<Option<Escuela>, sqlx::Error> {
    Ok(
        sqlx::query(&format!("SELECT {COLUMNAS} FROM escuelas WHERE cct = $1"))
            .bind(cct)
            .fetch_optional(pool)
            .await?
            .map(|r| escuela_de_fila(&r)),
    )
}

/// Every school with how many enrolments it has, by CCT.
pub async fn listar(pool: &AnyPool) -> Result<Vec<(Escuela, i64)>, sqlx::Error> {
    let filas = sqlx::query(
        "SELECT e.cct, e.nombre, e.registro_patronal, e.estado, e.clave_hash, \
         (SELECT COUNT(*) FROM inscripciones i WHERE i.cct = e.cct) FROM escuelas e ORDER BY e.cct",
    )
    .fetch_all(pool)
    .await?;
    Ok(filas
        .iter()
        .map(|r| (escuela_de_fila(r), r.get::<i64, _>(5)))
        .collect())
}

fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn fecha(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Why an NSS cannot be enrolled for this CURP, or `Ok` when the registry has exactly that pair.
/// With `comprobar_baja`, an NSS that IMSS cancelled is refused too (an alta; a school may still send its baja).
pub async fn nss_de_la_curp(
    c: &mut AnyConnection,
    curp: &str,
    nss: &str,
    comprobar_baja: bool,
) -> Result<Result<(), String>, AppError> {
    let dueno: Option<String> = sqlx::query("SELECT curp FROM nss_asignaciones WHERE nss = $1")
        .bind(nss)
        .fetch_optional(&mut *c)
        .await?
        .map(|r| r.get(0));
    let adicional: Option<String> = match &dueno {
        Some(_) => None,
        None => sqlx::query("SELECT curp FROM nss_adicionales WHERE nss = $1")
            .bind(nss)
            .fetch_optional(&mut *c)
            .await?
            .map(|r| r.get(0)),
    };
    match (dueno, adicional) {
        (Some(d), _) if d == curp => {}
        (Some(_), _) => return Ok(Err("El NSS pertenece a otra CURP.".into())),
        (None, Some(d)) if d == curp => {
            return Ok(Err(
                "La CURP tiene más de un NSS registrado: el estudiante debe acudir a su subdelegación del IMSS."
                    .into(),
            ))
        }
        (None, Some(_)) => return Ok(Err("El NSS pertenece a otra CURP.".into())),
        (None, None) => {
            let otro = sqlx::query("SELECT 1 FROM nss_asignaciones WHERE curp = $1")
                .bind(curp)
                .fetch_optional(&mut *c)
                .await?
                .is_some();
            return Ok(Err(if otro {
                "El NSS no corresponde a la CURP: la CURP tiene registrado otro NSS.".into()
            } else {
                "No encontramos un NSS para esta CURP: el estudiante debe obtenerlo primero (Paso 1) y la \
                 escuela inscribirlo con ese NSS."
                    .into()
            }));
        }
    }
    if !comprobar_baja {
        return Ok(Ok(()));
    }
    let baja = sqlx::query("SELECT 1 FROM nss_bajas WHERE nss = $1")
        .bind(nss)
        .fetch_optional(&mut *c)
        .await?
        .is_some();
    Ok(if baja {
        Err(
            "El NSS fue dado de baja en el IMSS: el estudiante debe acudir a su subdelegación."
                .into(),
        )
    } else {
        Ok(())
    })
}

/// Records an alta of school `cct` (the registry check already passed). Answers what happened and a note.
pub async fn aplicar_alta(
    c: &mut AnyConnection,
    cct: &str,
    a: &Alta,
    ahora: i64,
) -> Result<(ResultadoRenglon, Option<String>), AppError> {
    let previa = sqlx::query(
        "SELECT fecha_alta, fecha_baja FROM inscripciones WHERE cct = $1 AND nss = $2 AND periodo = $3",
    )
    .bind(cct)
    .bind(&a.nss)
    .bind(&a.periodo)
    .fetch_optional(&mut *c)
    .await?
    .map(|r| (r.get::<String, _>(0), r.get::<Option<String>, _>(1)));
    let alta = iso(a.fecha_alta);
    match previa {
        None => {
            sqlx::query(
                "INSERT INTO inscripciones (cct, nss, curp, periodo, fecha_alta, vigente_desde, vigente_hasta, \
                 fecha_baja, actualizada_en) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8)",
            )
            .bind(cct)
            .bind(&a.nss)
            .bind(&a.curp)
            .bind(&a.periodo)
            .bind(&alta)
            .bind(&alta)
            .bind(iso(a.rango.fin))
            .bind(ahora)
            .execute(&mut *c)
            .await?;
            Ok((ResultadoRenglon::Aceptado, None))
        }
        Some((previa, None)) if previa == alta => Ok((ResultadoRenglon::SinCambios, None)),
        Some((_, Some(baja))) if baja >= alta => Ok((
            ResultadoRenglon::SinCambios,
            Some(format!(
                "La escuela dio de baja esta inscripción el {}; para inscribir de nuevo al estudiante en este \
                 periodo, envía una fecha de alta posterior.",
                fecha(&baja).map(crate::escuelas::dd_mm_aaaa).unwrap_or(baja)
            )),
        )),
        Some((_, baja)) => {
            // A corrected alta date, or a new alta after a baja (which it ends).
            sqlx::query(
                "UPDATE inscripciones SET fecha_alta = $1, vigente_desde = $2, fecha_baja = NULL, curp = $3, \
                 actualizada_en = $4 WHERE cct = $5 AND nss = $6 AND periodo = $7",
            )
            .bind(&alta)
            .bind(&alta)
            .bind(&a.curp)
            .bind(ahora)
            .bind(cct)
            .bind(&a.nss)
            .bind(&a.periodo)
            .execute(&mut *c)
            .await?;
            Ok((
                ResultadoRenglon::Aceptado,
                Some(if baja.is_some() {
                    "Reinscripción: la baja anterior queda sin efecto desde la nueva fecha de alta.".into()
                } else {
                    "Se corrigió la fecha de alta.".into()
                }),
            ))
        }
    }
}

/// Records a baja of school `cct`: on its enrolment of the NSS whose right covers the baja's date.
pub async fn aplicar_baja(
    c: &mut AnyConnection,
    cct: &str,
    b: &Baja,
    ahora: i64,
) -> Result<(ResultadoRenglon, Option<String>), AppError> {
    let dia = iso(b.fecha_baja);
    let fila = sqlx::query(
        "SELECT periodo, fecha_baja FROM inscripciones WHERE cct = $1 AND nss = $2 \
         AND vigente_desde <= $3 AND vigente_hasta >= $3 ORDER BY vigente_desde DESC LIMIT 1",
    )
    .bind(cct)
    .bind(&b.nss)
    .bind(&dia)
    .fetch_optional(&mut *c)
    .await?
    .map(|r| (r.get::<String, _>(0), r.get::<Option<String>, _>(1)));
    let Some((periodo, previa)) = fila else {
        return Ok((
            ResultadoRenglon::Rechazado,
            Some(
                "Esta escuela no tiene una inscripción de este NSS vigente en la fecha de baja: revisa la fecha \
                 o envía primero el alta."
                    .into(),
            ),
        ));
    };
    if previa.as_deref() == Some(dia.as_str()) {
        return Ok((ResultadoRenglon::SinCambios, None));
    }
    sqlx::query(
        "UPDATE inscripciones SET fecha_baja = $1, actualizada_en = $2 WHERE cct = $3 AND nss = $4 AND periodo = $5",
    )
    .bind(&dia)
    .bind(ahora)
    .bind(cct)
    .bind(&b.nss)
    .bind(&periodo)
    .execute(&mut *c)
    .await?;
    Ok((
        ResultadoRenglon::Aceptado,
        previa.map(|_| "Se corrigió la fecha de baja.".to_string()),
    ))
}

/// Every enrolment of an NSS, with its school.
pub async fn inscripciones_de(pool: &AnyPool, nss: &str) -> Result<Vec<Inscripcion>, sqlx::Error> {
    let filas = sqlx::query(
        "SELECT i.cct, e.nombre, e.registro_patronal, i.periodo, i.vigente_desde, i.vigente_hasta, i.fecha_baja \
         FROM inscripciones i JOIN escuelas e ON e.cct = i.cct WHERE i.nss = $1",
    )
    .bind(nss)
    .fetch_all(pool)
    .await?;
    Ok(filas
        .iter()
        .filter_map(|r| {
            Some(Inscripcion {
                cct: r.get(0),
                escuela: r.get(1),
                registro_patronal: r.get(2),
                periodo: r.get(3),
                vigente_desde: fecha(&r.get::<String, _>(4))?,
                vigente_hasta: fecha(&r.get::<String, _>(5))?,
                fecha_baja: match r.get::<Option<String>, _>(6) {
                    Some(s) => Some(fecha(&s)?),
                    None => None,
                },
            })
        })
        .collect())
}

/// What the registry says about a CURP's NSS for the constancia.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NssDeCurp {
    /// Its NSS (nss_asignaciones).
    pub nss: Option<String>,
    /// It has further NSS (nss_adicionales).
    pub varios: bool,
    /// Its NSS was cancelled (nss_bajas).
    pub dado_de_baja: bool,
}

pub async fn nss_de_curp(pool: &AnyPool, curp: &str) -> Result<NssDeCurp, sqlx::Error> {
    let nss: Option<String> = sqlx::query("SELECT nss FROM nss_asignaciones WHERE curp = $1")
        .bind(curp)
        .fetch_optional(pool)
        .await?
        .map(|r| r.get(0));
    let varios = sqlx::query("SELECT 1 FROM nss_adicionales WHERE curp = $1")
        .bind(curp)
        .fetch_optional(pool)
        .await?
        .is_some();
    let dado_de_baja = match &nss {
        Some(n) => sqlx::query("SELECT 1 FROM nss_bajas WHERE nss = $1")
            .bind(n)
            .fetch_optional(pool)
            .await?
            .is_some(),
        None => false,
    };
    Ok(NssDeCurp {
        nss,
        varios,
        dado_de_baja,
    })
}
