//! The NSS procedure on the database: CAPTCHA, daily limits, tokens, localización and asignación with their
//! documents and outbox message, all inside the transaction of [`crate::db::Db::write`].

use crate::documents::{Documento, Documentos, Persona, TipoDocumento, Tramite};
use crate::error::AppError;
use crate::mail::Correo;
use afiliate_domain::nss::Nss;
use chrono::{TimeZone as _, Utc};
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;
use sqlx::Row;
use std::sync::Arc;

/// How long a solicitud token lets the person continue to the address.
pub const VIGENCIA_TOKEN_SEG: i64 = 30 * 60;

/// Mexico's central time is UTC−6 all year: a "day" for the daily limits starts at 00:00 there.
pub fn dia(ahora: i64) -> i64 {
    (ahora - 6 * 3600).div_euclid(86_400)
}

/// A keyed digest so the limits table never holds a CURP or an address in clear.
pub fn clave_limite(tipo: &str, valor: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"afiliate-limite\0");
    h.update(tipo.as_bytes());
    h.update([0]);
    h.update(valor.as_bytes());
    h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Outcome of the first step of a solicitud.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paso1 {
    Valido,
    CaptchaInvalido,
    Limite,
}

#[allow(clippy::too_many_arguments)]
/// Burns the CAPTCHA (whatever the answer), then counts the attempt against the CURP's and the email's daily limits.
pub async fn captcha_y_limites(
    c: &mut AnyConnection,
    captcha_id: &str,
    respuesta: &str,
    curp: &str,
    correo: &str,
    ahora: i64,
    limite_curp: u32,
    limite_correo: u32,
) -> Result<Paso1, AppError> {
    let fila = sqlx::query("DELETE FROM captchas WHERE id = $1 RETURNING respuesta, expira_en")
        .bind(captcha_id)
        .fetch_optional(&mut *c)
        .await?;
    let valido = match fila {
        Some(f) => {
            let esperada: String = f.get(0);
            let expira: i64 = f.get(1);
            expira > ahora && crate::captcha::coincide(&esperada, respuesta)
        }
        None => false,
    };
    if !valido {
        return Ok(Paso1::CaptchaInvalido);
    }
    let d = dia(ahora);
    for (clave, limite) in [
        (clave_limite("curp", curp), limite_curp),
        (clave_limite("correo", correo), limite_correo),
    ] {
        let cuenta: i64 = sqlx::query(
            "INSERT INTO intentos (clave, dia, cuenta) VALUES ($1, $2, 1) \
             ON CONFLICT (clave, dia) DO UPDATE SET cuenta = intentos.cuenta + 1 RETURNING cuenta",
        )
        .bind(&clave)
        .bind(d)
        .fetch_one(&mut *c)
        .await?
        .get(0);
        if cuenta > i64::from(limite) {
            return Ok(Paso1::Limite);
        }
    }
    Ok(Paso1::Valido)
}

/// The NSS of a CURP, if it has one.
pub async fn nss_de(c: &mut AnyConnection, curp: &str) -> Result<Option<String>, AppError> {
    Ok(
        sqlx::query("SELECT nss FROM nss_asignaciones WHERE curp = $1")
            .bind(curp)
            .fetch_optional(&mut *c)
            .await?
            .map(|r| r.get(0)),
    )
}

/// A row of `documentos` rebuilt.
fn documento_de_fila(r: &sqlx::any::AnyRow) -> Option<Documento> {
    let tipo: String = r.get(0);
    let tramite: String = r.get(1);
    let emitido: i64 = r.get(3);
    Some(Documento {
        tipo: TipoDocumento::parse(&tipo)?,
        tramite: Tramite::parse(&tramite)?,
        folio: r.get(2),
        emitido: Utc.timestamp_opt(emitido, 0).single()?,
        nombre: r.get(4),
        curp: r.get(5),
        nss: r.get(6),
        sello: r.get(7),
    })
}

const COLUMNAS_DOC: &str = "tipo, tramite, folio, emitido, nombre, curp, nss, sello";

/// A stored document by folio, with the email it was sent to.
pub async fn documento_por_folio(
    pool: &sqlx::AnyPool,
    folio: &str,
) -> Result<Option<(Documento, String)>, sqlx::Error> {
    let fila = sqlx::query(&format!(
        "SELECT {COLUMNAS_DOC}, correo FROM documentos WHERE folio = $1"
    ))
    .bind(folio)
    .fetch_optional(pool)
    .await?;
    Ok(fila.and_then(|r| Some((documento_de_fila(&r)?, r.get::<String, _>(8)))))
}

/// The latest document of each kind issued for this CURP and NSS in this procedure.
async fn documentos_existentes(
    c: &mut AnyConnection,
    curp: &str,
    nss: &str,
    tramite: Tramite,
) -> Result<Vec<Documento>, AppError> {
    let filas = sqlx::query(&format!(
        "SELECT {COLUMNAS_DOC} FROM documentos WHERE curp = $1 AND nss = $2 AND tramite = $3 \
         ORDER BY emitido DESC, folio"
    ))
    .bind(curp)
    .bind(nss)
    .bind(tramite.codigo())
    .fetch_all(&mut *c)
    .await?;
    let mut out: Vec<Documento> = Vec::new();
    for f in &filas {
        if let Some(d) = documento_de_fila(f) {
            if !out.iter().any(|o| o.tipo == d.tipo) {
                out.push(d);
            }
        }
    }
    out.sort_by_key(|d| orden_tipo(d.tipo));
    Ok(out)
}

fn orden_tipo(t: TipoDocumento) -> usize {
    TipoDocumento::DEL_NSS
        .iter()
        .position(|x| *x == t)
        .unwrap_or(usize::MAX)
}

/// Issues the NSS documents, stores them and queues one email with them, in the caller's transaction.
async fn emitir_y_encolar(
    c: &mut AnyConnection,
    docs: &Documentos,
    tramite: Tramite,
    persona: &Persona,
    correo: &str,
    ahora: i64,
) -> Result<Vec<Documento>, AppError> {
    let instante = Utc
        .timestamp_opt(ahora, 0)
        .single()
        .unwrap_or_else(Utc::now);
    let mut emitidos = Vec::with_capacity(2);
    for tipo in TipoDocumento::DEL_NSS {
        let d = docs.emitir(tipo, tramite, persona, instante);
        sqlx::query(
            "INSERT INTO documentos (folio, tipo, tramite, emitido, nombre, curp, nss, cadena_original, sello, correo) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
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
        .execute(&mut *c)
        .await?;
        emitidos.push(d);
    }
    encolar(c, &Correo::nss(correo, &emitidos), ahora).await?;
    Ok(emitidos)
}

/// Inserts an outbox row (the caller's transaction commits it with the result it announces).
pub async fn encolar(c: &mut AnyConnection, correo: &Correo, ahora: i64) -> Result<(), AppError> {
    sqlx::query("INSERT INTO outbox (creado_en, payload, proximo_intento) VALUES ($1, $2, $3)")
        .bind(ahora)
        .bind(correo.to_json())
        .bind(ahora)
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// Second step of a solicitud: the NSS is located (documents + email) or a token lets the person continue.
pub enum Paso2 {
    Localizado {
        nss: String,
        documentos: Vec<Documento>,
    },
    SinNss {
        token: String,
    },
}

pub async fn localizar_o_token(
    c: &mut AnyConnection,
    docs: &Documentos,
    curp: &str,
    nombre: &str,
    correo: &str,
    ahora: i64,
) -> Result<Paso2, AppError> {
    match nss_de(c, curp).await? {
        Some(nss) => {
            let persona = Persona {
                nombre: nombre.to_string(),
                curp: curp.to_string(),
                nss: nss.clone(),
            };
            let mut documentos =
                documentos_existentes(c, curp, &nss, Tramite::Localizacion).await?;
            if documentos.len() == TipoDocumento::DEL_NSS.len() {
                encolar(c, &Correo::nss(correo, &documentos), ahora).await?;
            } else {
                documentos =
                    emitir_y_encolar(c, docs, Tramite::Localizacion, &persona, correo, ahora)
                        .await?;
            }
            Ok(Paso2::Localizado { nss, documentos })
        }
        None => {
            let token = crate::captcha::nuevo_id() + &crate::captcha::nuevo_id();
            sqlx::query(
                "INSERT INTO solicitud_tokens (token, curp, correo, nombre, expira_en) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&token)
            .bind(curp)
            .bind(correo)
            .bind(nombre)
            .bind(ahora + VIGENCIA_TOKEN_SEG)
            .execute(&mut *c)
            .await?;
            Ok(Paso2::SinNss { token })
        }
    }
}

/// What a token stands for.
#[derive(Clone, Debug)]
pub struct Token {
    pub curp: String,
    pub correo: String,
    pub nombre: String,
}

pub async fn leer_token(
    pool: &sqlx::AnyPool,
    token: &str,
    ahora: i64,
) -> Result<Option<Token>, AppError> {
    Ok(sqlx::query(
        "SELECT curp, correo, nombre FROM solicitud_tokens WHERE token = $1 AND expira_en > $2",
    )
    .bind(token)
    .bind(ahora)
    .fetch_optional(pool)
    .await?
    .map(|r| Token {
        curp: r.get(0),
        correo: r.get(1),
        nombre: r.get(2),
    }))
}

/// The series an assignment draws from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Serie {
    pub subdelegacion: u8,
    pub anio_afiliacion: u8,
    pub anio_nacimiento: u8,
}

/// Assigns an NSS to the CURP (or answers the one it already has), with its documents and email.
/// Returns (nss, documents, newly assigned).
pub async fn asignar(
    c: &mut AnyConnection,
    docs: &Documentos,
    token: &Token,
    serie: Serie,
    ahora: i64,
) -> Result<(String, Vec<Documento>, bool), AppError> {
    if let Some(nss) = nss_de(c, &token.curp).await? {
        let mut documentos =
            documentos_existentes(c, &token.curp, &nss, Tramite::Asignacion).await?;
        if documentos.is_empty() {
            documentos = documentos_existentes(c, &token.curp, &nss, Tramite::Localizacion).await?;
        }
        return Ok((nss, documentos, false));
    }
    let nss = loop {
        let siguiente: i64 = sqlx::query(
            "INSERT INTO nss_series (subdelegacion, anio_afiliacion, anio_nacimiento, ultimo) VALUES ($1, $2, $3, 1) \
             ON CONFLICT (subdelegacion, anio_afiliacion, anio_nacimiento) \
             DO UPDATE SET ultimo = nss_series.ultimo + 1 RETURNING ultimo",
        )
        .bind(i64::from(serie.subdelegacion))
        .bind(i64::from(serie.anio_afiliacion))
        .bind(i64::from(serie.anio_nacimiento))
        .fetch_one(&mut *c)
        .await?
        .get(0);
        if siguiente > 9999 {
            // Never wrap: the savepoint/transaction is rolled back, the counter stays at its last value.
            tracing::error!(
                subdelegacion = serie.subdelegacion,
                anio_afiliacion = serie.anio_afiliacion,
                anio_nacimiento = serie.anio_nacimiento,
                "NSS series exhausted"
            );
            return Err(AppError::SerieAgotada);
        }
        let nss = Nss::from_parts(
            serie.subdelegacion,
            serie.anio_afiliacion,
            serie.anio_nacimiento,
            siguiente as u16,
        )
        .map_err(|_| AppError::internal("NSS parts out of range"))?;
        // An NSS imported from IMSS may already use this number: take the next one.
        let ocupado = sqlx::query("SELECT 1 FROM nss_asignaciones WHERE nss = $1")
            .bind(nss.as_str())
            .fetch_optional(&mut *c)
            .await?
            .is_some();
        if !ocupado {
            break nss;
        }
    };
    sqlx::query(
        "INSERT INTO nss_asignaciones (curp, nss, origen, creado_en) VALUES ($1, $2, 'asignado', $3)",
    )
    .bind(&token.curp)
    .bind(nss.as_str())
    .bind(ahora)
    .execute(&mut *c)
    .await?;
    let persona = Persona {
        nombre: token.nombre.clone(),
        curp: token.curp.clone(),
        nss: nss.as_str().to_string(),
    };
    let documentos =
        emitir_y_encolar(c, docs, Tramite::Asignacion, &persona, &token.correo, ahora).await?;
    Ok((nss.as_str().to_string(), documentos, true))
}

/// Shared handle for closures that the write path may run more than once.
pub type Docs = Arc<Documentos>;
