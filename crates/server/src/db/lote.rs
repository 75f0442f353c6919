//! The SQLite writer's assignments, on its own synchronous rusqlite connection.
//!
//! One group commit of assignments is one transaction of short statements run on the writer's thread. Through
//! sqlx every statement is a hand-off to the connection's thread and back (with its values boxed twice by the
//! `Any` driver); here a prepared statement runs in a few microseconds, so a batch costs little more than its
//! COMMIT. The statements are those of [`service::asignar`] (the SQL text is shared), in three steps:
//! 1. each request in turn, in its own savepoint: the NSS its CURP already has (with its documents), or the next
//!    free number of its series, recorded with the address. A request that fails here (an exhausted series) fails
//!    alone; a second request for a CURP already in the batch gets the first one's answer.
//! 2. The documents of every new NSS, sealed on two threads at once: the only step that needs much CPU.
//! 3. The documents and the emails. Should this fail, the batch is rolled back and run again one request at a
//!    time, each alone in its savepoint, so one bad request cannot sink the others.

use super::PedidoEnCola;
use crate::documents::{Documento, Persona, Tramite};
use crate::error::AppError;
use crate::mail::Correo;
use crate::service::{self, Asignado};
use rusqlite::{params, CachedStatement, Connection, OptionalExtension};
use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// The writer's connection: durable commits, no automatic checkpoints (they run beside the writer), foreign keys.
/// The database is already in WAL mode (the pool's connections set it, and it stays with the file).
pub(super) fn abrir(ruta: &Path) -> rusqlite::Result<Connection> {
    let c = Connection::open_with_flags(
        ruta,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    c.busy_timeout(Duration::from_secs(10))?;
    c.pragma_update(None, "synchronous", "FULL")?;
    c.pragma_update(None, "wal_autocheckpoint", 0)?;
    c.pragma_update(None, "foreign_keys", "ON")?;
    c.set_prepared_statement_cache_capacity(32);
    Ok(c)
}

/// Runs `pedidos` in one durable transaction (BEGIN IMMEDIATE takes the write lock up front: operator commands
/// may write from another process). Answers each request's result, or why the transaction failed; `commit` gets
/// the time the COMMIT (the WAL's fsync) took.
pub(super) fn ejecutar(
    conn: &Connection,
    pedidos: &[PedidoEnCola],
    commit: &mut Duration,
) -> Result<Vec<Result<Asignado, AppError>>, String> {
    let todos: Vec<&PedidoEnCola> = pedidos.iter().collect();
    conn.execute_batch("BEGIN IMMEDIATE")
        .map_err(|e| e.to_string())?;
    let resultado = (|| -> Result<_, String> {
        let e = match en_savepoint(conn, "lote", || lote(conn, &todos))? {
            Ok(r) => return Ok(r),
            Err(e) => e,
        };
        tracing::warn!(error = %e, pedidos = todos.len(), "batched assignment failed: one by one");
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

    // 1. Each request in turn.
    {
        let mut nss_de = conn.prepare_cached(service::SQL_NSS_DE).map_err(bd)?;
        let mut documentos_de = conn
            .prepare_cached(service::SQL_DOCUMENTOS_DE)
            .map_err(bd)?;
        for (i, cola) in pedidos.iter().enumerate() {
            let curp = cola.pedido.token.curp.as_str();
            if primero.contains_key(curp) {
                continue;
            }
            primero.insert(curp, i);
            let existente: Option<String> = nss_de
                .query_row([curp], |f| f.get(0))
                .optional()
                .map_err(bd)?;
            resultados[i] = match existente {
                Some(nss) => {
                    let mut ds = documentos(&mut documentos_de, curp, &nss, Tramite::Asignacion)?;
                    if ds.is_empty() {
                        ds = documentos(&mut documentos_de, curp, &nss, Tramite::Localizacion)?;
                    }
                    Some(Ok((nss, ds, false)))
                }
                None => match en_savepoint(conn, "pedido", || nuevo_nss(conn, cola))
                    .map_err(AppError::internal)?
                {
                    Ok(nss) => {
                        nuevos.push((i, nss));
                        None
                    }
                    // An exhausted series, or a row the database refused: this request alone fails.
                    Err(e) => Some(Err(e)),
                },
            };
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

/// The next free number of the request's series, recorded with the address (the caller's savepoint undoes both
/// when the series is exhausted).
fn nuevo_nss(conn: &Connection, cola: &PedidoEnCola) -> Result<String, AppError> {
    let p = &cola.pedido;
    let mut siguiente = conn
        .prepare_cached(service::SQL_SIGUIENTE_DE_SERIE)
        .map_err(bd)?;
    let mut insertar = conn.prepare_cached(service::SQL_INSERTAR_NSS).map_err(bd)?;
    let nss = loop {
        let n: i64 = siguiente
            .query_row(
                params![
                    p.serie.subdelegacion,
                    p.serie.anio_afiliacion,
                    p.serie.anio_nacimiento
                ],
                |f| f.get(0),
            )
            .map_err(bd)?;
        let nss = p.serie.numero(n)?;
        // An NSS imported from IMSS may already use this number: then nothing is inserted, take the next one.
        if insertar
            .execute(params![p.token.curp, nss.as_str(), p.ahora])
            .map_err(bd)?
            == 1
        {
            break nss;
        }
    };
    let d = &p.domicilio;
    conn.prepare_cached(service::SQL_INSERTAR_DOMICILIO)
        .map_err(bd)?
        .execute(params![
            nss.as_str(),
            p.token.curp,
            d.codigo_postal,
            d.estado,
            d.municipio,
            d.colonia,
            d.calle,
            d.numero_exterior,
            d.numero_interior,
            p.ahora
        ])
        .map_err(bd)?;
    Ok(nss.as_str().to_string())
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
