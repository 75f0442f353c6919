//! The `documentos` table: issued documents by folio, the latest of a person's procedure, new ones, and the
//! per-day re-send counter (`reenvios`).

use crate::documents::{DatosConstancia, Documento, Tramite};
use crate::error::AppError;
use sqlx::{AnyConnection, Row};

/// The columns [`Documento::de_columnas`] reads, in its order, then the sello key's id ([`de_fila`]).
pub const COLUMNAS: &str = "tipo, tramite, folio, emitido, nombre, curp, nss, sello, clave";

/// The documents of a CURP and NSS in one procedure, newest first: `$1` curp, `$2` nss, `$3` trámite.
pub(crate) const SQL_DE_LA_CURP: &str =
    "SELECT tipo, tramite, folio, emitido, nombre, curp, nss, sello, clave \
     FROM documentos WHERE curp = $1 AND nss = $2 AND tramite = $3 ORDER BY emitido DESC, folio";

/// A document, with the email it goes to.
pub(crate) const SQL_INSERTAR: &str = "INSERT INTO documentos \
     (folio, tipo, tramite, emitido, nombre, curp, nss, cadena_original, sello, correo, clave) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

/// A row whose first columns are [`COLUMNAS`], rebuilt (without `datos`).
pub(crate) fn de_fila(r: &sqlx::any::AnyRow) -> Option<Documento> {
    let mut d = Documento::de_columnas(
        &r.get::<String, _>(0),
        &r.get::<String, _>(1),
        r.get(2),
        r.get(3),
        r.get(4),
        r.get(5),
        r.get(6),
        r.get(7),
    )?;
    d.clave = r.get(8);
    Some(d)
}

/// A stored document by folio, with the email it was sent to.
pub async fn por_folio(
    pool: &sqlx::AnyPool,
    folio: &str,
) -> Result<Option<(Documento, String)>, sqlx::Error> {
    let fila = sqlx::query(&format!(
        "SELECT {COLUMNAS}, correo, datos FROM documentos WHERE folio = $1"
    ))
    .bind(folio)
    .fetch_optional(pool)
    .await?;
    Ok(fila.and_then(|r| {
        let mut d = de_fila(&r)?;
        d.datos = DatosConstancia::from_columna(&r.get::<String, _>(10));
        Some((d, r.get::<String, _>(9)))
    }))
}

/// The latest document of each kind issued for this CURP and NSS in this procedure.
pub async fn ultimos(
    c: &mut AnyConnection,
    curp: &str,
    nss: &str,
    tramite: Tramite,
) -> Result<Vec<Documento>, AppError> {
    let filas = sqlx::query(SQL_DE_LA_CURP)
        .bind(curp)
        .bind(nss)
        .bind(tramite.codigo())
        .fetch_all(&mut *c)
        .await?;
    Ok(crate::documents::ultimo_de_cada_tipo(
        filas.iter().filter_map(de_fila),
    ))
}

/// Stores a document with the email it goes to (its re-sends go there too).
pub async fn insertar(c: &mut AnyConnection, d: &Documento, correo: &str) -> Result<(), AppError> {
    sqlx::query(SQL_INSERTAR)
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
        .bind(&d.clave)
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// Counts one more re-send of `folio` on `dia` unless it already has `limite`: true when counted.
///
/// Count and check in one statement: a read then a write would let concurrent re-sends (PostgreSQL, several
/// transactions at once) all see the same count. The upsert takes the row's lock and evaluates the WHERE on its
/// latest version; no row back means the limit.
pub async fn contar_reenvio(
    c: &mut AnyConnection,
    folio: &str,
    dia: &str,
    limite: i64,
) -> Result<bool, AppError> {
    let contado = sqlx::query(
        "INSERT INTO reenvios (folio, dia, cuenta) VALUES ($1, $2, 1) \
         ON CONFLICT (folio, dia) DO UPDATE SET cuenta = reenvios.cuenta + 1 \
         WHERE reenvios.cuenta < $3 RETURNING cuenta",
    )
    .bind(folio)
    .bind(dia)
    .bind(limite)
    .fetch_optional(&mut *c)
    .await?;
    Ok(contado.is_some())
}

/// The email a stored document goes to.
pub async fn correo_de(c: &mut AnyConnection, folio: &str) -> Result<String, AppError> {
    Ok(
        sqlx::query("SELECT correo FROM documentos WHERE folio = $1")
            .bind(folio)
            .fetch_one(&mut *c)
            .await?
            .get(0),
    )
}

/// The constancias issued for this NSS and CURP since `desde` (Unix seconds), newest first, with their data.
pub async fn constancias_desde(
    c: &mut AnyConnection,
    nss: &str,
    curp: &str,
    desde: i64,
) -> Result<Vec<Documento>, AppError> {
    let filas = sqlx::query(&format!(
        "SELECT {COLUMNAS}, datos FROM documentos WHERE nss = $1 AND curp = $2 AND tipo = $3 AND emitido >= $4 \
         ORDER BY emitido DESC, folio"
    ))
    .bind(nss)
    .bind(curp)
    .bind(crate::documents::TipoDocumento::ConstanciaVigencia.codigo())
    .bind(desde)
    .fetch_all(&mut *c)
    .await?;
    Ok(filas
        .iter()
        .filter_map(|r| {
            let mut d = de_fila(r)?;
            d.datos = DatosConstancia::from_columna(&r.get::<String, _>(9));
            Some(d)
        })
        .collect())
}

/// Points a document's re-sends to another email.
pub async fn cambiar_correo(
    c: &mut AnyConnection,
    folio: &str,
    correo: &str,
) -> Result<(), AppError> {
    sqlx::query("UPDATE documentos SET correo = $1 WHERE folio = $2")
        .bind(correo)
        .bind(folio)
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// Stores a constancia (with its data) and the email it goes to.
pub async fn insertar_constancia(
    c: &mut AnyConnection,
    d: &Documento,
    datos: &DatosConstancia,
    correo: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO documentos (folio, tipo, tramite, emitido, nombre, curp, nss, cadena_original, sello, \
         correo, datos, clave) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
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
    .bind(&d.clave)
    .execute(&mut *c)
    .await?;
    Ok(())
}
