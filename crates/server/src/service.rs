//! The NSS procedure on the database: CAPTCHA, daily limits, tokens, localización and asignación with their
//! documents and outbox message, all inside the transaction of [`crate::db::Db::write`].

use crate::cifra::Caja;
use crate::documents::{Documento, Documentos, Persona, TipoDocumento, Tramite};
use crate::error::AppError;
use crate::mail::Correo;
use afiliate_domain::nss::Nss;
use chrono::{TimeZone as _, Utc};
use sqlx::AnyConnection;
use sqlx::Row;
use std::sync::Arc;

/// How long a solicitud token lets the person continue to the address.
pub const VIGENCIA_TOKEN_SEG: i64 = 30 * 60;

pub use crate::guardia::dia;

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

/// The NSS of a CURP, if it has one.
pub async fn nss_de(c: &mut AnyConnection, curp: &str) -> Result<Option<String>, AppError> {
    Ok(sqlx::query(SQL_NSS_DE)
        .bind(curp)
        .fetch_optional(&mut *c)
        .await?
        .map(|r| r.get(0)))
}

/// The NSS of a CURP, read outside any transaction.
pub async fn nss_de_pool(pool: &sqlx::AnyPool, curp: &str) -> Result<Option<String>, AppError> {
    Ok(sqlx::query(SQL_NSS_DE)
        .bind(curp)
        .fetch_optional(pool)
        .await?
        .map(|r| r.get(0)))
}

/// A row of `documentos` rebuilt.
fn documento_de_fila(r: &sqlx::any::AnyRow) -> Option<Documento> {
    documento_de_columnas(
        &r.get::<String, _>(0),
        &r.get::<String, _>(1),
        r.get(2),
        r.get(3),
        r.get(4),
        r.get(5),
        r.get(6),
        r.get(7),
    )
}

/// A document from the columns of [`COLUMNAS_DOC`], in that order (None for a kind or time this build does not
/// know).
#[allow(clippy::too_many_arguments)]
pub(crate) fn documento_de_columnas(
    tipo: &str,
    tramite: &str,
    folio: String,
    emitido: i64,
    nombre: String,
    curp: String,
    nss: String,
    sello: String,
) -> Option<Documento> {
    Some(Documento {
        tipo: TipoDocumento::parse(tipo)?,
        tramite: Tramite::parse(tramite)?,
        folio,
        emitido: Utc.timestamp_opt(emitido, 0).single()?,
        nombre,
        curp,
        nss,
        sello,
        datos: None,
    })
}

pub const COLUMNAS_DOC: &str = "tipo, tramite, folio, emitido, nombre, curp, nss, sello";

/// A stored document by folio, with the email it was sent to.
pub async fn documento_por_folio(
    pool: &sqlx::AnyPool,
    folio: &str,
) -> Result<Option<(Documento, String)>, sqlx::Error> {
    let fila = sqlx::query(&format!(
        "SELECT {COLUMNAS_DOC}, correo, datos FROM documentos WHERE folio = $1"
    ))
    .bind(folio)
    .fetch_optional(pool)
    .await?;
    Ok(fila.and_then(|r| {
        let mut d = documento_de_fila(&r)?;
        d.datos = crate::documents::DatosConstancia::from_columna(&r.get::<String, _>(9));
        Some((d, r.get::<String, _>(8)))
    }))
}

/// The latest document of each kind issued for this CURP and NSS in this procedure.
async fn documentos_existentes(
    c: &mut AnyConnection,
    curp: &str,
    nss: &str,
    tramite: Tramite,
) -> Result<Vec<Documento>, AppError> {
    let filas = sqlx::query(SQL_DOCUMENTOS_DE)
        .bind(curp)
        .bind(nss)
        .bind(tramite.codigo())
        .fetch_all(&mut *c)
        .await?;
    Ok(ultimo_de_cada_tipo(
        filas.iter().filter_map(documento_de_fila),
    ))
}

/// From documents newest first, the newest of each kind, in the order of [`TipoDocumento::DEL_NSS`].
pub(crate) fn ultimo_de_cada_tipo(documentos: impl Iterator<Item = Documento>) -> Vec<Documento> {
    let mut out: Vec<Documento> = Vec::new();
    for d in documentos {
        if !out.iter().any(|o| o.tipo == d.tipo) {
            out.push(d);
        }
    }
    out.sort_by_key(|d| orden_tipo(d.tipo));
    out
}

fn orden_tipo(t: TipoDocumento) -> usize {
    TipoDocumento::DEL_NSS
        .iter()
        .position(|x| *x == t)
        .unwrap_or(usize::MAX)
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

/// Issues the NSS documents, stores them and queues one email with them, in the caller's transaction.
async fn emitir_y_encolar(
    c: &mut AnyConnection,
    docs: &Documentos,
    tramite: Tramite,
    persona: &Persona,
    correo: &str,
    ahora: i64,
) -> Result<Vec<Documento>, AppError> {
    let emitidos = emitir_del_nss(docs, tramite, persona, ahora);
    let filas: Vec<(&Documento, &str)> = emitidos.iter().map(|d| (d, correo)).collect();
    insertar_documentos(c, &filas).await?;
    encolar(c, &Correo::nss(correo, &emitidos), ahora).await?;
    Ok(emitidos)
}

/// Inserts an outbox row (the caller's transaction commits it with the result it announces).
pub async fn encolar(c: &mut AnyConnection, correo: &Correo, ahora: i64) -> Result<(), AppError> {
    sqlx::query(SQL_ENCOLAR)
        .bind(ahora)
        .bind(correo.to_json())
        .bind(ahora)
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// The registry person behind a CURP in the local registry, with the NSS the CURP already has: one read.
pub async fn persona_y_nss_local(
    db: &crate::db::Db,
    curp: &str,
) -> Result<Option<(crate::registry::PersonaRegistro, Option<String>)>, AppError> {
    const SQL: &str = "SELECT p.curp, p.nombre, p.primer_apellido, p.segundo_apellido, p.fecha_nacimiento, p.sexo, \
         p.entidad, a.nss FROM personas p LEFT JOIN nss_asignaciones a ON a.curp = p.curp WHERE p.curp = $1";
    if let Some(lectores) = db.lectores() {
        let leido = lectores.leer(|c| {
            let mut st = c.prepare_cached(SQL)?;
            let mut filas = st.query([curp])?;
            match filas.next()? {
                Some(r) => Ok(Some((
                    crate::registry::PersonaRegistro {
                        curp: r.get(0)?,
                        nombre: r.get(1)?,
                        primer_apellido: r.get(2)?,
                        segundo_apellido: r.get(3)?,
                        fecha_nacimiento: r.get(4)?,
                        sexo: r.get(5)?,
                        entidad: r.get(6)?,
                    },
                    r.get::<_, Option<String>>(7)?,
                ))),
                None => Ok(None),
            }
        });
        match leido {
            Ok(r) => return Ok(r),
            Err(e) => tracing::debug!(error = %e, "synchronous read failed: through the pool"),
        }
    }
    let fila = sqlx::query(SQL).bind(curp).fetch_optional(&db.pool).await?;
    Ok(fila.map(|r| (crate::registry::PersonaRegistro::de_fila(&r), r.get(7))))
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
    let documentos =
        documentos_existentes(c, &persona.curp, &persona.nss, Tramite::Localizacion).await?;
    if documentos.len() == TipoDocumento::DEL_NSS.len() {
        encolar(c, &Correo::nss(correo, &documentos), ahora).await?;
        Ok(documentos)
    } else {
        emitir_y_encolar(c, docs, Tramite::Localizacion, persona, correo, ahora).await
    }
}

/// What a solicitud token stands for: the person who may continue to the address, until `expira`.
///
/// The token is a sealed box ([`crate::cifra`]) with these fields: no row is kept for it, any server process with
/// the same sello key reads it back, nobody can read or forge it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub curp: String,
    pub correo: String,
    pub nombre: String,
    pub expira: i64,
}

impl Token {
    pub fn sellar(&self, caja: &Caja) -> String {
        let mut m =
            Vec::with_capacity(8 + self.curp.len() + self.correo.len() + self.nombre.len() + 2);
        m.extend_from_slice(&self.expira.to_be_bytes());
        for (i, campo) in [&self.curp, &self.correo, &self.nombre]
            .into_iter()
            .enumerate()
        {
            if i > 0 {
                m.push(0);
            }
            m.extend(campo.bytes().filter(|b| *b != 0));
        }
        caja.sellar(&m)
    }

    /// The token's contents when it is genuine (expired or not).
    pub fn abrir(caja: &Caja, token: &str) -> Option<Token> {
        let (_, m) = caja.abrir(token)?;
        if m.len() < 8 {
            return None;
        }
        let expira = i64::from_be_bytes(m[..8].try_into().ok()?);
        let texto = std::str::from_utf8(&m[8..]).ok()?;
        let mut partes = texto.split('\0');
        let (curp, correo, nombre) = (partes.next()?, partes.next()?, partes.next()?);
        if partes.next().is_some() {
            return None;
        }
        Some(Token {
            curp: curp.to_string(),
            correo: correo.to_string(),
            nombre: nombre.to_string(),
            expira,
        })
    }
}

/// The series an assignment draws from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Serie {
    pub subdelegacion: u8,
    pub anio_afiliacion: u8,
    pub anio_nacimiento: u8,
}

impl Serie {
    /// The NSS with consecutive number `n` of this series; past 9999 the series is exhausted (never wraps: the
    /// caller's transaction or savepoint is rolled back, so the counter keeps its last value).
    pub(crate) fn numero(self, n: i64) -> Result<Nss, AppError> {
        if n > 9999 {
            tracing::error!(
                subdelegacion = self.subdelegacion,
                anio_afiliacion = self.anio_afiliacion,
                anio_nacimiento = self.anio_nacimiento,
                "NSS series exhausted"
            );
            return Err(AppError::SerieAgotada);
        }
        Nss::from_parts(
            self.subdelegacion,
            self.anio_afiliacion,
            self.anio_nacimiento,
            n as u16,
        )
        .map_err(|_| AppError::internal("NSS parts out of range"))
    }
}

/// Assigns an NSS to the CURP (or answers the one it already has), with its documents and email.
/// Returns (nss, documents, newly assigned).
pub async fn asignar(
    c: &mut AnyConnection,
    docs: &Documentos,
    token: &Token,
    serie: Serie,
    domicilio: &Domicilio,
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
        let siguiente: i64 = sqlx::query(SQL_SIGUIENTE_DE_SERIE)
            .bind(i64::from(serie.subdelegacion))
            .bind(i64::from(serie.anio_afiliacion))
            .bind(i64::from(serie.anio_nacimiento))
            .fetch_one(&mut *c)
            .await?
            .get(0);
        let nss = serie.numero(siguiente)?;
        // An NSS imported from IMSS may already use this number: then nothing is inserted, take the next one.
        // (The CURP has no NSS: checked above in this same transaction.)
        let insertadas = sqlx::query(SQL_INSERTAR_NSS)
            .bind(&token.curp)
            .bind(nss.as_str())
            .bind(ahora)
            .execute(&mut *c)
            .await?
            .rows_affected();
        if insertadas == 1 {
            break nss;
        }
    };
    let d = domicilio;
    sqlx::query(SQL_INSERTAR_DOMICILIO)
        .bind(nss.as_str())
        .bind(&token.curp)
        .bind(&d.codigo_postal)
        .bind(&d.estado)
        .bind(&d.municipio)
        .bind(&d.colonia)
        .bind(&d.calle)
        .bind(&d.numero_exterior)
        .bind(&d.numero_interior)
        .bind(ahora)
        .bind(&d.umf)
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

/// One assignment waiting in a group commit.
#[derive(Clone, Debug)]
pub struct Pedido {
    pub token: Token,
    pub serie: Serie,
    pub domicilio: Domicilio,
    pub ahora: i64,
}

/// A checked address, as stored with a new NSS: estado, municipio and colonia as the postal catalog writes them
/// (or as typed, trimmed, when the code is not in the catalog).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Domicilio {
    pub codigo_postal: String,
    pub estado: String,
    pub municipio: String,
    pub colonia: String,
    pub calle: String,
    pub numero_exterior: String,
    pub numero_interior: String,
    /// The clave of the catalog's clinic (UMF) for the postal code, recorded with the NSS; `None` when no clinic
    /// serves it.
    pub umf: Option<String>,
}

/// What an assignment answers: (nss, documents, newly assigned).
pub type Asignado = (String, Vec<Documento>, bool);

// The statements of an assignment, shared by this module (sqlx: PostgreSQL, and SQLite outside the writer) and the
// SQLite writer's batches (`db::lote`, rusqlite binds `$n` by position).

/// The NSS of a CURP: `$1` curp.
pub(crate) const SQL_NSS_DE: &str = "SELECT nss FROM nss_asignaciones WHERE curp = $1";

/// The documents of a CURP and NSS in one procedure, newest first: `$1` curp, `$2` nss, `$3` trámite.
pub(crate) const SQL_DOCUMENTOS_DE: &str =
    "SELECT tipo, tramite, folio, emitido, nombre, curp, nss, sello \
     FROM documentos WHERE curp = $1 AND nss = $2 AND tramite = $3 ORDER BY emitido DESC, folio";

/// Moves a series' counter on (from 1 for a new series) and answers the number it reached: `$1` subdelegación,
/// `$2` año de afiliación, `$3` año de nacimiento.
const SQL_SIGUIENTE_DE_SERIE: &str =
    "INSERT INTO nss_series (subdelegacion, anio_afiliacion, anio_nacimiento, ultimo) VALUES ($1, $2, $3, 1) \
     ON CONFLICT (subdelegacion, anio_afiliacion, anio_nacimiento) \
     DO UPDATE SET ultimo = nss_series.ultimo + 1 RETURNING ultimo";

/// Records a new NSS, or nothing when IMSS already issued that number: `$1` curp, `$2` nss, `$3` time.
pub(crate) const SQL_INSERTAR_NSS: &str =
    "INSERT INTO nss_asignaciones (curp, nss, origen, creado_en) VALUES ($1, $2, 'asignado', $3) \
     ON CONFLICT (nss) DO NOTHING";

/// The address of a new NSS (an NSS that already has one keeps it): nss, curp, the address, time, the UMF's clave.
pub(crate) const SQL_INSERTAR_DOMICILIO: &str = "INSERT INTO domicilios \
     (nss, curp, codigo_postal, estado, municipio, colonia, calle, numero_exterior, numero_interior, creado_en, umf) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (nss) DO NOTHING";

/// A document, with the email it goes to.
pub(crate) const SQL_INSERTAR_DOCUMENTO: &str = "INSERT INTO documentos \
     (folio, tipo, tramite, emitido, nombre, curp, nss, cadena_original, sello, correo) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

/// An email to send: `$1` time, `$2` payload, `$3` first attempt.
pub(crate) const SQL_ENCOLAR: &str =
    "INSERT INTO outbox (creado_en, payload, proximo_intento) VALUES ($1, $2, $3)";

/// Inserts documents, each with the email it goes to.
async fn insertar_documentos(
    c: &mut AnyConnection,
    filas: &[(&Documento, &str)],
) -> Result<(), AppError> {
    for (d, correo) in filas {
        sqlx::query(SQL_INSERTAR_DOCUMENTO)
            .bind(&d.folio)
            .bind(d.tipo.codigo())
            .bind(d.tramite.codigo())
            .bind(d.emitido.timestamp())
            .bind(&d.nombre)
            .bind(&d.curp)
            .bind(&d.nss)
            .bind(d.cadena_original())
            .bind(&d.sello)
            .bind(*correo)
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}
