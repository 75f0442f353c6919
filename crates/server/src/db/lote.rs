//! The SQLite writer's assignments, on its own synchronous rusqlite connection.
//!
//! One group commit of assignments is one transaction of short statements run on the writer's thread. Through
//! sqlx every statement is a hand-off to the connection's thread and back (with its values boxed twice by the
//! `Any` driver); here a prepared statement runs in a few microseconds, so a batch costs little more than its
//! COMMIT. The statements are mostly those of [`service::asignar`] (the SQL text is shared), in three steps:
//! 1. each request in turn: the NSS its CURP already has (with its documents), or the next free number of its
//!    series, recorded with the address. Each series' counter is read once and written once per batch. A request
//!    whose series is exhausted fails alone; a second request for a CURP already in the batch gets the first one's
//!    answer.
//! 2. The documents of every new NSS, sealed on two threads at once: the only step that needs much CPU.
//! 3. The documents and the emails.
//!
//! Should any statement fail, the batch is rolled back and run again one request at a time, each alone in its
//! savepoint, so one bad request cannot sink the others. (No savepoint otherwise: SQLite journals every page a
//! savepoint changes.)

use super::PedidoEnCola;
use crate::documents::{Documento, Persona, Tramite};
use crate::error::AppError;
use crate::mail::Correo;
use crate::service::{self, Asignado};
use rusqlite::{params, CachedStatement, Connection, OptionalExtension};
use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// The writer's assignments connection: no automatic checkpoints (they run beside the writer), foreign keys.
/// The database is already in WAL mode (the pool's connections set it, and it stays with the file).
pub(super) fn abrir(ruta: &Path) -> rusqlite::Result<Connection> {
    let c = Connection::open_with_flags(
        ruta,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    c.busy_timeout(Duration::from_secs(10))?;
    // Commits write the WAL without waiting for the disk; the writer's syncer fsyncs it before any request of the
    // batch is answered (`Sincronizador` in db/mod.rs), so what is acknowledged is durable.
    c.pragma_update(None, "synchronous", "NORMAL")?;
    c.pragma_update(None, "wal_autocheckpoint", 0)?;
    c.pragma_update(None, "foreign_keys", "ON")?;
    c.set_prepared_statement_cache_capacity(32);
    Ok(c)
}

/// Runs `pedidos` in one durable transaction (BEGIN IMMEDIATE takes the write lock up front: operator commands
/// may write from another process). Answers each request's result, or why the transaction failed; `commit` gets
/// the time the COMMIT took (writing the WAL, not its fsync: see `abrir`).
pub(super) fn ejecutar(
    conn: &Connection,
    pedidos: &[PedidoEnCola],
    commit: &mut Duration,
) -> Result<Vec<Result<Asignado, AppError>>, String> {
    let todos: Vec<&PedidoEnCola> = pedidos.iter().collect();
    conn.execute_batch("BEGIN IMMEDIATE")
        .map_err(|e| e.to_string())?;
    let resultado = (|| -> Result<_, String> {
        // No savepoint around the batch (a savepoint makes SQLite journal every page it changes): on failure the
        // transaction starts again.
        let e = match lote(conn, &todos) {
            Ok(r) => return Ok(r),
            Err(e) => e,
        };
        tracing::warn!(error = %e, pedidos = todos.len(), "batched assignment failed: one by one");
        conn.execute_batch("ROLLBACK; BEGIN IMMEDIATE")
            .map_err(|e| e.to_string())?;
        let mut uno_a_uno = Vec::with_capacity(todos.len());
        for p in &todos {
            let r = en_savepoint(conn, "solo", || lote(conn, &[p]))?.and_then(|mut r| {
                r.pop()
                    .unwrap_or_else(|| Err(AppError::internal("assignment not run")))
            });
            uno_a_uno.push(r);
        }
        Ok(uno_a_uno)
    })();
    match resultado {
        Ok(r) => {
            let t = Instant::now();
            let hecho = conn.execute_batch("COMMIT").map_err(|e| e.to_string());
            *commit = t.elapsed();
            hecho.map(|()| r)
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// Runs `f` inside savepoint `nombre`, rolled back to when `f` fails. Err only when the savepoint itself cannot be
/// handled: the transaction is then lost.
fn en_savepoint<T>(
    conn: &Connection,
    nombre: &str,
    f: impl FnOnce() -> Result<T, AppError>,
) -> Result<Result<T, AppError>, String> {
    let sql = |s: &str| conn.execute_batch(s).map_err(|e| e.to_string());
    sql(&format!("SAVEPOINT {nombre}"))?;
    let r = f();
    match &r {
        Ok(_) => sql(&format!("RELEASE {nombre}"))?,
        Err(_) => sql(&format!("ROLLBACK TO {nombre}; RELEASE {nombre}"))?,
    }
    Ok(r)
}

/// A series' last number handed out: `$1` subdelegación, `$2` año de afiliación, `$3` año de nacimiento.
const SQL_ULTIMO_DE_SERIE: &str = "SELECT ultimo FROM nss_series \
     WHERE subdelegacion = $1 AND anio_afiliacion = $2 AND anio_nacimiento = $3";

/// Sets a series' last number handed out: the three keys, then the number.
const SQL_GUARDAR_SERIE: &str =
    "INSERT INTO nss_series (subdelegacion, anio_afiliacion, anio_nacimiento, ultimo) VALUES ($1, $2, $3, $4) \
     ON CONFLICT (subdelegacion, anio_afiliacion, anio_nacimiento) DO UPDATE SET ultimo = excluded.ultimo";

fn bd(e: rusqlite::Error) -> AppError {
    AppError::internal(format!("sqlite: {e}"))
}

/// The batch's assignments; see the module's documentation. Err when step 3 fails (the caller rolls back).
fn lote(
    conn: &Connection,
    pedidos: &[&PedidoEnCola],
) -> Result<Vec<Result<Asignado, AppError>>, AppError> {
    let mut resultados: Vec<Option<Result<Asignado, AppError>>> =
        (0..pedidos.len()).map(|_| None).collect();
    // The first request of each CURP, and the new NSS handed out.
    let mut primero: HashMap<&str, usize> = HashMap::new();
    let mut nuevos: Vec<(usize, String)> = Vec::new();

    // 1. Each request in turn. The series' counters are read once and written once per batch.
    let mut contadores: HashMap<(u8, u8, u8), (i64, i64)> = HashMap::new();
    {
        let mut nss_de = conn.prepare_cached(service::SQL_NSS_DE).map_err(bd)?;
        let mut documentos_de = conn
            .prepare_cached(service::SQL_DOCUMENTOS_DE)
            .map_err(bd)?;
        let mut ultimo_de = conn.prepare_cached(SQL_ULTIMO_DE_SERIE).map_err(bd)?;
        let mut insertar_nss = conn.prepare_cached(service::SQL_INSERTAR_NSS).map_err(bd)?;
        let mut insertar_domicilio = conn
            .prepare_cached(service::SQL_INSERTAR_DOMICILIO)
            .map_err(bd)?;
        for (i, cola) in pedidos.iter().enumerate() {
            let p = &cola.pedido;
            let curp = p.token.curp.as_str();
            if primero.contains_key(curp) {
                continue;
            }
            primero.insert(curp, i);
            let existente: Option<String> = nss_de
                .query_row([curp], |f| f.get(0))
                .optional()
                .map_err(bd)?;
            if let Some(nss) = existente {
                let mut ds = documentos(&mut documentos_de, curp, &nss, Tramite::Asignacion)?;
                if ds.is_empty() {
                    ds = documentos(&mut documentos_de, curp, &nss, Tramite::Localizacion)?;
                }
                resultados[i] = Some(Ok((nss, ds, false)));
                continue;
            }
            let s = p.serie;
            let clave = (s.subdelegacion, s.anio_afiliacion, s.anio_nacimiento);
            let (ultimo, _) = match contadores.get_mut(&clave) {
                Some(c) => c,
                None => {
                    let u: i64 = ultimo_de
                        .query_row(params![clave.0, clave.1, clave.2], |f| f.get(0))
                        .optional()
                        .map_err(bd)?
                        .unwrap_or(0);
                    contadores.entry(clave).or_insert((u, u))
                }
            };
            // The next free number: one IMSS already issued is skipped (the insert does nothing); past 9999 the
            // series is exhausted, and the counter never goes past 9999.
            let nss = loop {
                let nss = match s.numero(*ultimo + 1) {
                    Ok(n) => n,
                    Err(e) => break Err(e),
                };
                *ultimo += 1;
                if insertar_nss
                    .execute(params![curp, nss.as_str(), p.ahora])
                    .map_err(bd)?
                    == 1
                {
                    break Ok(nss);
                }
            };
            match nss {
                Ok(nss) => {
                    let d = &p.domicilio;
                    insertar_domicilio
                        .execute(params![
                            nss.as_str(),
                            curp,
                            d.codigo_postal,
                            d.estado,
                            d.municipio,
                            d.colonia,
                            d.calle,
                            d.numero_exterior,
                            d.numero_interior,
                            p.ahora,
                            d.umf
                        ])
                        .map_err(bd)?;
                    nuevos.push((i, nss.as_str().to_string()));
                }
                Err(e) => resultados[i] = Some(Err(e)),
            }
        }
        let mut guardar = conn.prepare_cached(SQL_GUARDAR_SERIE).map_err(bd)?;
        for ((sub, afil, nac), (ultimo, leido)) in &contadores {
            if ultimo > leido {
                guardar
                    .execute(params![sub, afil, nac, ultimo])
                    .map_err(bd)?;
            }
        }
    }

    // 2. The documents, sealed on two threads.
    let emitir = |trozo: &[(usize, String)]| -> Vec<Vec<Documento>> {
        trozo
            .iter()
            .map(|(i, nss)| {
                let p = &pedidos[*i].pedido;
                let persona = Persona {
                    nombre: p.token.nombre.clone(),
                    curp: p.token.curp.clone(),
                    nss: nss.clone(),
                };
                service::emitir_del_nss(&pedidos[*i].docs, Tramite::Asignacion, &persona, p.ahora)
            })
            .collect()
    };
    let (antes, despues) = nuevos.split_at(nuevos.len() / 2);
    let emitidos: Vec<Vec<Documento>> = std::thread::scope(|s| {
        let otro = (!despues.is_empty()).then(|| s.spawn(|| emitir(despues)));
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
    {
        let mut documento = conn
            .prepare_cached(service::SQL_INSERTAR_DOCUMENTO)
            .map_err(bd)?;
        let mut encolar = conn.prepare_cached(service::SQL_ENCOLAR).map_err(bd)?;
        for ((i, nss), ds) in nuevos.into_iter().zip(emitidos) {
            let p = &pedidos[i].pedido;
            for d in &ds {
                documento
                    .execute(params![
                        d.folio,
                        d.tipo.codigo(),
                        d.tramite.codigo(),
                        d.emitido.timestamp(),
                        d.nombre,
                        d.curp,
                        d.nss,
                        d.cadena_original(),
                        d.sello,
                        p.token.correo,
                    ])
                    .map_err(bd)?;
            }
            encolar
                .execute(params![
                    p.ahora,
                    Correo::nss(&p.token.correo, &ds).to_json(),
                    p.ahora
                ])
                .map_err(bd)?;
            resultados[i] = Some(Ok((nss, ds, true)));
        }
    }

    // Later requests for a CURP first seen in this batch: the same answer, not new.
    for (i, cola) in pedidos.iter().enumerate() {
        if resultados[i].is_none() {
            let j = primero[cola.pedido.token.curp.as_str()];
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

/// The newest document of each kind for this CURP and NSS in one procedure.
fn documentos(
    consulta: &mut CachedStatement<'_>,
    curp: &str,
    nss: &str,
    tramite: Tramite,
) -> Result<Vec<Documento>, AppError> {
    let filas = consulta
        .query_map(params![curp, nss, tramite.codigo()], |f| {
            Ok(service::documento_de_columnas(
                &f.get::<_, String>(0)?,
                &f.get::<_, String>(1)?,
                f.get(2)?,
                f.get(3)?,
                f.get(4)?,
                f.get(5)?,
                f.get(6)?,
                f.get(7)?,
            ))
        })
        .map_err(bd)?;
    let mut todos = Vec::new();
    for f in filas {
        if let Some(d) = f.map_err(bd)? {
            todos.push(d);
        }
    }
    Ok(service::ultimo_de_cada_tipo(todos.into_iter()))
}
