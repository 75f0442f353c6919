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

/// The NSS of a CURP, read outside any transaction.
pub async fn nss_de_pool(pool: &sqlx::AnyPool, curp: &str) -> Result<Option<String>, AppError> {
    Ok(
        sqlx::query("SELECT nss FROM nss_asignaciones WHERE curp = $1")
            .bind(curp)
            .fetch_optional(pool)
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
    let emitidos: Vec<Documento> = TipoDocumento::DEL_NSS
        .iter()
        .map(|tipo| docs.emitir(*tipo, tramite, persona, instante))
        .collect();
    let filas: Vec<(&Documento, &str)> = emitidos.iter().map(|d| (d, correo)).collect();
    insertar_documentos(c, &filas, Marcas::Numeradas).await?;
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
        // An NSS imported from IMSS may already use this number: then nothing is inserted, take the next one.
        // (The CURP has no NSS: checked above in this same transaction.)
        let insertadas = sqlx::query(
            "INSERT INTO nss_asignaciones (curp, nss, origen, creado_en) VALUES ($1, $2, 'asignado', $3) \
             ON CONFLICT (nss) DO NOTHING",
        )
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
    insertar_domicilios(
        c,
        &[(nss.as_str(), token.curp.as_str(), domicilio, ahora)],
        Marcas::Numeradas,
    )
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
}

const COLUMNAS_DOMICILIO: &str =
    "nss, curp, codigo_postal, estado, municipio, colonia, calle, numero_exterior, numero_interior, creado_en";

/// What an assignment answers: (nss, documents, newly assigned).
pub type Asignado = (String, Vec<Documento>, bool);

/// How a statement's parameters are written.
#[derive(Clone, Copy)]
enum Marcas {
    /// `$1, $2, …`: PostgreSQL and SQLite.
    Numeradas,
    /// `?`: SQLite only. [`asignar_lote`] runs only in the SQLite writer, and its statements carry hundreds of
    /// values: sqlx looks up each numbered parameter's name, which SQLite finds by a linear scan (quadratic time).
    Anonimas,
}

/// The placeholders of `filas` rows of `columnas` values: `($1, $2), ($3, $4)` or `(?, ?), (?, ?)`.
fn marcadores(filas: usize, columnas: usize, marcas: Marcas) -> String {
    (0..filas)
        .map(|f| {
            let celdas: Vec<String> = (1..=columnas)
                .map(|c| match marcas {
                    Marcas::Numeradas => format!("${}", f * columnas + c),
                    Marcas::Anonimas => "?".to_string(),
                })
                .collect();
            format!("({})", celdas.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Inserts documents (each with the email it goes to), a multi-row statement per chunk.
async fn insertar_documentos(
    c: &mut AnyConnection,
    filas: &[(&Documento, &str)],
    marcas: Marcas,
) -> Result<(), AppError> {
    for trozo in filas.chunks(FILAS_POR_SENTENCIA / 2) {
        let sql = format!(
            "INSERT INTO documentos (folio, tipo, tramite, emitido, nombre, curp, nss, cadena_original, sello, correo) \
             VALUES {}",
            marcadores(trozo.len(), 10, marcas)
        );
        let mut q = sqlx::query(&sql);
        for (d, correo) in trozo {
            q = q
                .bind(&d.folio)
                .bind(d.tipo.codigo())
                .bind(d.tramite.codigo())
                .bind(d.emitido.timestamp())
                .bind(&d.nombre)
                .bind(&d.curp)
                .bind(&d.nss)
                .bind(d.cadena_original())
                .bind(&d.sello)
                .bind(*correo);
        }
        q.execute(&mut *c).await?;
    }
    Ok(())
}

/// Inserts the addresses of new NSS: (nss, curp, address, time); an NSS that already has one keeps it.
async fn insertar_domicilios(
    c: &mut AnyConnection,
    filas: &[(&str, &str, &Domicilio, i64)],
    marcas: Marcas,
) -> Result<(), AppError> {
    for trozo in filas.chunks(FILAS_POR_SENTENCIA) {
        let sql = format!(
            "INSERT INTO domicilios ({COLUMNAS_DOMICILIO}) VALUES {} ON CONFLICT (nss) DO NOTHING",
            marcadores(trozo.len(), 10, marcas)
        );
        let mut q = sqlx::query(&sql);
        for (nss, curp, d, ahora) in trozo {
            q = q
                .bind(*nss)
                .bind(*curp)
                .bind(&d.codigo_postal)
                .bind(&d.estado)
                .bind(&d.municipio)
                .bind(&d.colonia)
                .bind(&d.calle)
                .bind(&d.numero_exterior)
                .bind(&d.numero_interior)
                .bind(*ahora);
        }
        q.execute(&mut *c).await?;
    }
    Ok(())
}

/// Rows per multi-row statement (SQLite allows 32,766 bound values; this stays far below).
const FILAS_POR_SENTENCIA: usize = 200;

/// Many assignments in a few statements, inside the caller's (SQLite group commit) transaction, with the same outcome
/// as calling [`asignar`] for each in turn: an existing NSS is answered again, two requests for one CURP get one
/// NSS, each series hands out its next free numbers (skipping numbers IMSS already issued) and never wraps.
///
/// Statements: one read of the CURPs' NSS, per series one read of its counter, one check of the candidate numbers
/// and one counter update, then one insert each for the assignments, the documents and the emails (chunked).
/// An error leaves the transaction to be rolled back to the caller's savepoint.
pub async fn asignar_lote(
    c: &mut AnyConnection,
    docs: &Arc<Documentos>,
    pedidos: &[Pedido],
) -> Result<Vec<Result<Asignado, AppError>>, AppError> {
    use std::collections::{BTreeMap, HashMap, HashSet};
    let mut resultados: Vec<Option<Result<Asignado, AppError>>> =
        (0..pedidos.len()).map(|_| None).collect();

    // 1. CURPs that already have an NSS.
    let curps: Vec<&str> = {
        let mut vistos = HashSet::new();
        pedidos
            .iter()
            .map(|p| p.token.curp.as_str())
            .filter(|c| vistos.insert(*c))
            .collect()
    };
    let mut existentes: HashMap<String, String> = HashMap::new();
    for trozo in curps.chunks(FILAS_POR_SENTENCIA) {
        let sql = format!(
            "SELECT curp, nss FROM nss_asignaciones WHERE curp IN {}",
            marcadores(1, trozo.len(), Marcas::Anonimas)
        );
        let mut q = sqlx::query(&sql);
        for curp in trozo {
            q = q.bind(*curp);
        }
        for fila in q.fetch_all(&mut *c).await? {
            existentes.insert(fila.get(0), fila.get(1));
        }
    }
    for (i, p) in pedidos.iter().enumerate() {
        if let Some(nss) = existentes.get(&p.token.curp) {
            let mut documentos =
                documentos_existentes(c, &p.token.curp, nss, Tramite::Asignacion).await?;
            if documentos.is_empty() {
                documentos =
                    documentos_existentes(c, &p.token.curp, nss, Tramite::Localizacion).await?;
            }
            resultados[i] = Some(Ok((nss.clone(), documentos, false)));
        }
    }

    // 2. New CURPs (the first request of each), by series.
    let mut primero: HashMap<&str, usize> = HashMap::new();
    let mut por_serie: BTreeMap<(u8, u8, u8), std::collections::VecDeque<usize>> = BTreeMap::new();
    for (i, p) in pedidos.iter().enumerate() {
        if resultados[i].is_none() && !primero.contains_key(p.token.curp.as_str()) {
            primero.insert(p.token.curp.as_str(), i);
            let s = p.serie;
            por_serie
                .entry((s.subdelegacion, s.anio_afiliacion, s.anio_nacimiento))
                .or_default()
                .push_back(i);
        }
    }
    let series: Vec<(u8, u8, u8)> = por_serie.keys().copied().collect();
    // Every series' counter in one read: (last number handed out, where the next window starts).
    let mut contadores: BTreeMap<(u8, u8, u8), (i64, i64)> =
        series.iter().map(|k| (*k, (0, 0))).collect();
    for trozo in series.chunks(FILAS_POR_SENTENCIA) {
        let sql = format!(
            "SELECT subdelegacion, anio_afiliacion, anio_nacimiento, ultimo FROM nss_series \
             WHERE (subdelegacion, anio_afiliacion, anio_nacimiento) IN (VALUES {})",
            marcadores(trozo.len(), 3, Marcas::Anonimas)
        );
        let mut q = sqlx::query(&sql);
        for (sub, afil, nac) in trozo {
            q = q
                .bind(i64::from(*sub))
                .bind(i64::from(*afil))
                .bind(i64::from(*nac));
        }
        for f in q.fetch_all(&mut *c).await? {
            let clave = (
                f.get::<i64, _>(0) as u8,
                f.get::<i64, _>(1) as u8,
                f.get::<i64, _>(2) as u8,
            );
            let ultimo: i64 = f.get(3);
            contadores.insert(clave, (ultimo, ultimo));
        }
    }
    let inicio: BTreeMap<(u8, u8, u8), i64> =
        contadores.iter().map(|(k, (u, _))| (*k, *u)).collect();
    let mut nuevos: Vec<(usize, Nss)> = Vec::new();
    // Candidate numbers for every series at once, minus those IMSS already issued; a series that had some taken
    // goes round again (rare: only where imported NSS sit in the range being handed out).
    loop {
        let mut ventana: Vec<((u8, u8, u8), Nss)> = Vec::new();
        for (k, pendientes) in &por_serie {
            let (_, desde) = contadores[k];
            for n in ((desde + 1)..=9999).take(pendientes.len()) {
                if let Ok(nss) = Nss::from_parts(k.0, k.1, k.2, n as u16) {
                    ventana.push((*k, nss));
                }
            }
        }
        if ventana.is_empty() {
            break;
        }
        let mut ocupados: HashSet<String> = HashSet::new();
        for trozo in ventana.chunks(FILAS_POR_SENTENCIA) {
            let sql = format!(
                "SELECT nss FROM nss_asignaciones WHERE nss IN {}",
                marcadores(1, trozo.len(), Marcas::Anonimas)
            );
            let mut q = sqlx::query(&sql);
            for (_, n) in trozo {
                q = q.bind(n.as_str());
            }
            for fila in q.fetch_all(&mut *c).await? {
                ocupados.insert(fila.get(0));
            }
        }
        for (k, nss) in ventana {
            let consecutivo = i64::from(nss.consecutivo());
            if let Some(c) = contadores.get_mut(&k) {
                c.1 = c.1.max(consecutivo);
            }
            if ocupados.contains(nss.as_str()) {
                continue;
            }
            if let Some(i) = por_serie.get_mut(&k).and_then(|p| p.pop_front()) {
                nuevos.push((i, nss));
                if let Some(c) = contadores.get_mut(&k) {
                    c.0 = c.0.max(consecutivo);
                }
            }
        }
        por_serie.retain(|_, p| !p.is_empty());
        if ocupados.is_empty() {
            break;
        }
    }
    // Whatever is still waiting found its series full: it fails, never wraps.
    for ((sub, afil, nac), pendientes) in por_serie {
        tracing::error!(
            subdelegacion = sub,
            anio_afiliacion = afil,
            anio_nacimiento = nac,
            pedidos = pendientes.len(),
            "NSS series exhausted"
        );
        for i in pendientes {
            resultados[i] = Some(Err(AppError::SerieAgotada));
        }
    }
    // The counters move only past numbers handed out: one statement for every series that moved.
    let movidos: Vec<((u8, u8, u8), i64)> = contadores
        .iter()
        .filter(|(k, (u, _))| *u > inicio[*k])
        .map(|(k, (u, _))| (*k, *u))
        .collect();
    for trozo in movidos.chunks(FILAS_POR_SENTENCIA) {
        let sql = format!(
            "INSERT INTO nss_series (subdelegacion, anio_afiliacion, anio_nacimiento, ultimo) VALUES {} \
             ON CONFLICT (subdelegacion, anio_afiliacion, anio_nacimiento) DO UPDATE SET ultimo = excluded.ultimo",
            marcadores(trozo.len(), 4, Marcas::Anonimas)
        );
        let mut q = sqlx::query(&sql);
        for ((sub, afil, nac), u) in trozo {
            q = q
                .bind(i64::from(*sub))
                .bind(i64::from(*afil))
                .bind(i64::from(*nac))
                .bind(*u);
        }
        q.execute(&mut *c).await?;
    }

    // The documents and their seals, the only CPU-heavy step, start now on two blocking threads while this one
    // sends the assignments and addresses to the database.
    let a_firmar: Vec<(usize, Persona, chrono::DateTime<Utc>)> = nuevos
        .iter()
        .map(|(i, n)| {
            let p = &pedidos[*i];
            let persona = Persona {
                nombre: p.token.nombre.clone(),
                curp: p.token.curp.clone(),
                nss: n.as_str().to_string(),
            };
            let instante = Utc
                .timestamp_opt(p.ahora, 0)
                .single()
                .unwrap_or_else(Utc::now);
            (*i, persona, instante)
        })
        .collect();
    let mitad = a_firmar.len().div_ceil(2);
    let mut firmas = Vec::new();
    let mut resto = a_firmar;
    while !resto.is_empty() {
        let trozo: Vec<_> = resto.drain(..mitad.min(resto.len())).collect();
        let docs = docs.clone();
        firmas.push(tokio::task::spawn_blocking(move || {
            trozo
                .into_iter()
                .map(|(i, persona, instante)| {
                    let ds: Vec<Documento> = TipoDocumento::DEL_NSS
                        .iter()
                        .map(|t| docs.emitir(*t, Tramite::Asignacion, &persona, instante))
                        .collect();
                    (i, ds)
                })
                .collect::<Vec<(usize, Vec<Documento>)>>()
        }));
    }

    // 3. The assignments, their documents and emails, each kind in multi-row statements.
    for trozo in nuevos.chunks(FILAS_POR_SENTENCIA) {
        let sql = format!(
            "INSERT INTO nss_asignaciones (curp, nss, origen, creado_en) VALUES {}",
            marcadores(trozo.len(), 4, Marcas::Anonimas)
        );
        let mut q = sqlx::query(&sql);
        for (i, n) in trozo {
            let p = &pedidos[*i];
            q = q
                .bind(&p.token.curp)
                .bind(n.as_str())
                .bind("asignado")
                .bind(p.ahora);
        }
        q.execute(&mut *c).await?;
    }
    let domicilios: Vec<(&str, &str, &Domicilio, i64)> = nuevos
        .iter()
        .map(|(i, n)| {
            let p = &pedidos[*i];
            (n.as_str(), p.token.curp.as_str(), &p.domicilio, p.ahora)
        })
        .collect();
    insertar_domicilios(c, &domicilios, Marcas::Anonimas).await?;
    let mut emitidos: Vec<(usize, Vec<Documento>)> = Vec::with_capacity(nuevos.len());
    for f in firmas {
        emitidos.extend(
            f.await
                .map_err(|e| AppError::internal(format!("sealing documents: {e}")))?,
        );
    }
    let filas_doc: Vec<(&Documento, &str)> = emitidos
        .iter()
        .flat_map(|(i, ds)| {
            ds.iter()
                .map(move |d| (d, pedidos[*i].token.correo.as_str()))
        })
        .collect();
    insertar_documentos(c, &filas_doc, Marcas::Anonimas).await?;
    for trozo in emitidos.chunks(FILAS_POR_SENTENCIA) {
        let sql = format!(
            "INSERT INTO outbox (creado_en, payload, proximo_intento) VALUES {}",
            marcadores(trozo.len(), 3, Marcas::Anonimas)
        );
        let mut q = sqlx::query(&sql);
        for (i, ds) in trozo {
            let p = &pedidos[*i];
            q = q
                .bind(p.ahora)
                .bind(Correo::nss(&p.token.correo, ds).to_json())
                .bind(p.ahora);
        }
        q.execute(&mut *c).await?;
    }
    for (i, ds) in emitidos {
        let nss = ds.first().map(|d| d.nss.clone()).unwrap_or_default();
        resultados[i] = Some(Ok((nss, ds, true)));
    }

    // 4. Later requests for a CURP first seen in this batch: the same answer, not new.
    for (i, p) in pedidos.iter().enumerate() {
        if resultados[i].is_none() {
            let j = primero[p.token.curp.as_str()];
            resultados[i] = Some(match &resultados[j] {
                Some(Ok((nss, ds, _))) => Ok((nss.clone(), ds.clone(), false)),
                Some(Err(_)) | None => Err(AppError::SerieAgotada),
            });
        }
    }
    Ok(resultados
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(AppError::internal("assignment not decided"))))
        .collect())
}
