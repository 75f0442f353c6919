//! NSS assignment on the database: one algorithm for both databases, the statements behind [`Sentencias`].
//!
//! [`asignar`] runs a batch of requests in the caller's transaction, in three steps:
//! 1. each request in turn: the NSS its CURP already has (with its documents), or the next free number of its
//!    series, recorded with the address. A number IMSS already issued (imported) is skipped; past
//!    [`Serie::ULTIMO`] the series is exhausted and that request alone fails. A second request for a CURP already
//!    in the batch gets the first one's answer.
//! 2. The documents of every new NSS ([`Emision::documentos`]), sealed on two threads at once: the only step that
//!    needs much CPU.
//! 3. The documents and the emails ([`Emision::correo`]).
//!
//! Only the statements differ. PostgreSQL runs a batch of one request per transaction through sqlx ([`Sqlx`]): its
//! series counter moves on in one upsert, so concurrent transactions never read the same number. The SQLite
//! writer runs the whole group commit as one batch on its own rusqlite connection (`lote`): each series' counter
//! is read once and written once per batch ([`Sentencias::guardar_series`]).
//!
//! What a new NSS brings with it (which documents, which email) is the procedure's decision: [`Emision`], which
//! [`crate::service`] implements; this module only stores what it answers.

use crate::documents::{Documento, Persona, Tramite};
use crate::error::AppError;
use crate::pedido::{Asignado, Domicilio, Pedido, Serie};
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

/// What a new NSS brings with it, decided by the procedure: the documents issued, and the outbox payload that sends
/// them. Called inside the assignment's transaction (the documents on two threads at once).
pub trait Emision: Send + Sync {
    /// The documents of a new NSS, issued and sealed at `ahora` (Unix seconds).
    fn documentos(&self, persona: &Persona, ahora: i64) -> Vec<Documento>;
    /// The outbox payload of the email that sends `documentos` to `correo`.
    fn correo(&self, correo: &str, documentos: &[Documento]) -> String;
}

/// The statements of an assignment, run inside one transaction.
pub(crate) trait Sentencias {
    /// The NSS of a CURP, if it has one.
    async fn nss_de(&mut self, curp: &str) -> Result<Option<String>, AppError>;
    /// The latest document of each kind for this CURP and NSS in one procedure.
    async fn documentos_de(
        &mut self,
        curp: &str,
        nss: &str,
        tramite: Tramite,
    ) -> Result<Vec<Documento>, AppError>;
    /// Moves the series' counter on (from 1 for a new series) and answers the number it reached; None, and the
    /// counter unchanged, when it is already at [`Serie::ULTIMO`].
    async fn siguiente(&mut self, serie: Serie) -> Result<Option<i64>, AppError>;
    /// Records a new NSS: false, and nothing recorded, when that number is already taken.
    async fn insertar_nss(&mut self, curp: &str, nss: &str, ahora: i64) -> Result<bool, AppError>;
    /// The address of a new NSS.
    async fn insertar_domicilio(
        &mut self,
        nss: &str,
        curp: &str,
        d: &Domicilio,
        ahora: i64,
    ) -> Result<(), AppError>;
    /// Writes the counters [`Sentencias::siguiente`] moved, when it keeps them in memory.
    async fn guardar_series(&mut self) -> Result<(), AppError>;
    /// A document, with the email it goes to.
    async fn insertar_documento(&mut self, d: &Documento, correo: &str) -> Result<(), AppError>;
    /// An email to send.
    async fn encolar(&mut self, payload: &str, ahora: i64) -> Result<(), AppError>;
}

/// One request of a batch, with the procedure's [`Emision`].
pub(crate) type Solicitud<'a> = (&'a Pedido, &'a dyn Emision);

/// Runs `pedidos` (see the module's documentation): each request's result, in order. Err when a statement fails:
/// the caller rolls the transaction back.
pub(crate) async fn asignar<S: Sentencias>(
    s: &mut S,
    pedidos: &[Solicitud<'_>],
) -> Result<Vec<Result<Asignado, AppError>>, AppError> {
    let mut resultados: Vec<Option<Result<Asignado, AppError>>> =
        (0..pedidos.len()).map(|_| None).collect();
    // The first request of each CURP, and the new NSS handed out.
    let mut primero: HashMap<&str, usize> = HashMap::new();
    let mut nuevos: Vec<(usize, String)> = Vec::new();

    // 1. Each request in turn.
    for (i, (p, _)) in pedidos.iter().enumerate() {
        let curp = p.token.curp.as_str();
        if primero.contains_key(curp) {
            continue;
        }
        primero.insert(curp, i);
        if let Some(nss) = s.nss_de(curp).await? {
            let mut ds = s.documentos_de(curp, &nss, Tramite::Asignacion).await?;
            if ds.is_empty() {
                ds = s.documentos_de(curp, &nss, Tramite::Localizacion).await?;
            }
            resultados[i] = Some(Ok((nss, ds, false)));
            continue;
        }
        // The next free number: one IMSS already issued is skipped (the insert records nothing).
        let nss = loop {
            let Some(n) = s.siguiente(p.serie).await? else {
                break Err(p.serie.agotada());
            };
            let nss = match p.serie.numero(n) {
                Ok(nss) => nss,
                Err(e) => break Err(e),
            };
            if s.insertar_nss(curp, nss.as_str(), p.ahora).await? {
                break Ok(nss);
            }
        };
        match nss {
            Ok(nss) => {
                s.insertar_domicilio(nss.as_str(), curp, &p.domicilio, p.ahora)
                    .await?;
                nuevos.push((i, nss.as_str().to_string()));
            }
            Err(e) => resultados[i] = Some(Err(e)),
        }
    }
    s.guardar_series().await?;

    // 2. The documents, sealed on two threads.
    let emitir = |trozo: &[(usize, String)]| -> Vec<Vec<Documento>> {
        trozo
            .iter()
            .map(|(i, nss)| {
                let (p, emision) = pedidos[*i];
                let persona = Persona {
                    nombre: p.token.nombre.clone(),
                    curp: p.token.curp.clone(),
                    nss: nss.clone(),
                };
                emision.documentos(&persona, p.ahora)
            })
            .collect()
    };
    let (antes, despues) = nuevos.split_at(nuevos.len() / 2);
    let emitidos: Vec<Vec<Documento>> = std::thread::scope(|hilos| {
        let otro = (!despues.is_empty()).then(|| hilos.spawn(|| emitir(despues)));
        let mut todos = emitir(antes);
        if let Some(h) = otro {
            todos.extend(
                h.join()
                    .map_err(|_| AppError::internal("sealing documents failed"))?,
            );
        }
        Ok::<_, AppError>(todos)
    })?;

    // 3. The documents and the emails.
    for ((i, nss), ds) in nuevos.into_iter().zip(emitidos) {
        let (p, emision) = pedidos[i];
        for d in &ds {
            s.insertar_documento(d, &p.token.correo).await?;
        }
        s.encolar(&emision.correo(&p.token.correo, &ds), p.ahora)
            .await?;
        resultados[i] = Some(Ok((nss, ds, true)));
    }

    // Later requests for a CURP first seen in this batch: the same answer, not new.
    for (i, (p, _)) in pedidos.iter().enumerate() {
        if resultados[i].is_none() {
            let j = primero[p.token.curp.as_str()];
            resultados[i] = Some(match &resultados[j] {
                Some(Ok((nss, ds, _))) => Ok((nss.clone(), ds.clone(), false)),
                Some(Err(AppError::SerieAgotada)) => Err(AppError::SerieAgotada),
                Some(Err(_)) | None => Err(AppError::internal("assignment failed")),
            });
        }
    }
    Ok(resultados
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(AppError::internal("assignment not decided"))))
        .collect())
}

/// One request alone, through sqlx in the caller's transaction (PostgreSQL): its result, or the error that rolls
/// the transaction back.
pub(crate) async fn asignar_uno(
    c: &mut AnyConnection,
    emision: &dyn Emision,
    pedido: &Pedido,
) -> Result<Asignado, AppError> {
    asignar(&mut Sqlx(c), &[(pedido, emision)])
        .await?
        .pop()
        .unwrap_or_else(|| Err(AppError::internal("assignment not run")))
}

// The statements, shared by both databases' implementations (rusqlite binds `$n` by position).

/// The NSS of a CURP: `$1` curp.
pub(crate) const SQL_NSS_DE: &str = "SELECT nss FROM nss_asignaciones WHERE curp = $1";

/// Records a new NSS, or nothing when IMSS already issued that number: `$1` curp, `$2` nss, `$3` time.
pub(crate) const SQL_INSERTAR_NSS: &str =
    "INSERT INTO nss_asignaciones (curp, nss, origen, creado_en) VALUES ($1, $2, 'asignado', $3) \
     ON CONFLICT (nss) DO NOTHING";

/// The address of a new NSS (an NSS that already has one keeps it): nss, curp, the address, time, the UMF's clave.
pub(crate) const SQL_INSERTAR_DOMICILIO: &str = "INSERT INTO domicilios \
     (nss, curp, codigo_postal, estado, municipio, colonia, calle, numero_exterior, numero_interior, creado_en, umf) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (nss) DO NOTHING";

/// Moves a series' counter on (from 1 for a new series) unless it is at `$4`, and answers the number it reached
/// (no row when it was at `$4`): `$1` subdelegación, `$2` año de afiliación, `$3` año de nacimiento.
const SQL_SIGUIENTE_DE_SERIE: &str =
    "INSERT INTO nss_series (subdelegacion, anio_afiliacion, anio_nacimiento, ultimo) VALUES ($1, $2, $3, 1) \
     ON CONFLICT (subdelegacion, anio_afiliacion, anio_nacimiento) \
     DO UPDATE SET ultimo = nss_series.ultimo + 1 WHERE nss_series.ultimo < $4 RETURNING ultimo";

/// The statements through sqlx, on a connection inside a transaction.
pub(crate) struct Sqlx<'c>(pub &'c mut AnyConnection);

impl Sentencias for Sqlx<'_> {
    async fn nss_de(&mut self, curp: &str) -> Result<Option<String>, AppError> {
        nss_de(self.0, curp).await
    }

    async fn documentos_de(
        &mut self,
        curp: &str,
        nss: &str,
        tramite: Tramite,
    ) -> Result<Vec<Documento>, AppError> {
        super::documentos::ultimos(self.0, curp, nss, tramite).await
    }

    async fn siguiente(&mut self, serie: Serie) -> Result<Option<i64>, AppError> {
        Ok(sqlx::query(SQL_SIGUIENTE_DE_SERIE)
            .bind(i64::from(serie.subdelegacion))
            .bind(i64::from(serie.anio_afiliacion))
            .bind(i64::from(serie.anio_nacimiento))
            .bind(Serie::ULTIMO)
            .fetch_optional(&mut *self.0)
            .await?
            .map(|r| r.get(0)))
    }

    async fn insertar_nss(&mut self, curp: &str, nss: &str, ahora: i64) -> Result<bool, AppError> {
        Ok(sqlx::query(SQL_INSERTAR_NSS)
            .bind(curp)
            .bind(nss)
            .bind(ahora)
            .execute(&mut *self.0)
            .await?
            .rows_affected()
            == 1)
    }

    async fn insertar_domicilio(
        &mut self,
        nss: &str,
        curp: &str,
        d: &Domicilio,
        ahora: i64,
    ) -> Result<(), AppError> {
        sqlx::query(SQL_INSERTAR_DOMICILIO)
            .bind(nss)
            .bind(curp)
            .bind(&d.codigo_postal)
            .bind(&d.estado)
            .bind(&d.municipio)
            .bind(&d.colonia)
            .bind(&d.calle)
            .bind(&d.numero_exterior)
            .bind(&d.numero_interior)
            .bind(ahora)
            .bind(&d.umf)
            .execute(&mut *self.0)
            .await?;
        Ok(())
    }

    async fn guardar_series(&mut self) -> Result<(), AppError> {
        // Each `siguiente` already wrote its counter.
        Ok(())
    }

    async fn insertar_documento(&mut self, d: &Documento, correo: &str) -> Result<(), AppError> {
        super::documentos::insertar(self.0, d, correo).await
    }

    async fn encolar(&mut self, payload: &str, ahora: i64) -> Result<(), AppError> {
        super::outbox::encolar(self.0, payload, ahora).await
    }
}

/// The NSS of a CURP, if it has one, in the caller's transaction.
pub async fn nss_de(c: &mut AnyConnection, curp: &str) -> Result<Option<String>, AppError> {
    Ok(sqlx::query(SQL_NSS_DE)
        .bind(curp)
        .fetch_optional(&mut *c)
        .await?
        .map(|r| r.get(0)))
}

/// The NSS of a CURP, read outside any transaction.
pub async fn nss_de_curp(pool: &sqlx::AnyPool, curp: &str) -> Result<Option<String>, AppError> {
    Ok(sqlx::query(SQL_NSS_DE)
        .bind(curp)
        .fetch_optional(pool)
        .await?
        .map(|r| r.get(0)))
}

/// The registry person behind a CURP in the local registry, with the NSS the CURP already has: one read (on
/// SQLite by the synchronous readers, falling back to the pool).
pub async fn persona_y_nss(
    db: &super::Db,
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
