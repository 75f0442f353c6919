//! The SQLite writer's assignments, on its own synchronous rusqlite connection.
//!
//! One group commit of assignments is one transaction of short statements run on the writer's thread: the steps of
//! [`super::asignacion::asignar`] (the same as on PostgreSQL) with the statements of [`Rusqlite`]. Through sqlx
//! every statement is a hand-off to the connection's thread and back (with its values boxed twice by the `Any`
//! driver); here a prepared statement runs in a few microseconds, so a batch costs little more than its COMMIT.
//! Each series' counter is read once and written once per batch.
//!
//! Should any statement fail, the batch is rolled back and run again one request at a time, each alone in its
//! savepoint, so one bad request cannot sink the others. (No savepoint otherwise: SQLite journals every page a
//! savepoint changes.)

use super::asignacion::{self, Sentencias, Solicitud};
use super::PedidoEnCola;
use crate::documents::{Documento, Tramite};
use crate::error::AppError;
use crate::pedido::{Asignado, Domicilio, Serie};
use rusqlite::{params, Connection, OptionalExtension};
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
pub(super) async fn ejecutar(
    conn: &Connection,
    pedidos: &[PedidoEnCola],
    commit: &mut Duration,
) -> Result<Vec<Result<Asignado, AppError>>, String> {
    let todos: Vec<Solicitud<'_>> = pedidos
        .iter()
        .map(|p| (&p.pedido, &*p.emision as &dyn asignacion::Emision))
        .collect();
    conn.execute_batch("BEGIN IMMEDIATE")
        .map_err(|e| e.to_string())?;
    let resultado = async {
        // No savepoint around the batch (a savepoint makes SQLite journal every page it changes): on failure the
        // transaction starts again.
        let e = match asignacion::asignar(&mut Rusqlite::new(conn), &todos).await {
            Ok(r) => return Ok(r),
            Err(e) => e,
        };
        tracing::warn!(error = %e, pedidos = todos.len(), "batched assignment failed: one by one");
        conn.execute_batch("ROLLBACK; BEGIN IMMEDIATE")
            .map_err(|e| e.to_string())?;
        let mut uno_a_uno = Vec::with_capacity(todos.len());
        for p in &todos {
            let sql = |s: &str| conn.execute_batch(s).map_err(|e| e.to_string());
            sql("SAVEPOINT solo")?;
            let r = asignacion::asignar(&mut Rusqlite::new(conn), std::slice::from_ref(p)).await;
            // A request whose statement failed leaves nothing behind: its savepoint is rolled back.
            match &r {
                Ok(_) => sql("RELEASE solo")?,
                Err(_) => sql("ROLLBACK TO solo; RELEASE solo")?,
            }
            uno_a_uno.push(r.and_then(|mut r| {
                r.pop()
                    .unwrap_or_else(|| Err(AppError::internal("assignment not run")))
            }));
        }
        Ok::<_, String>(uno_a_uno)
    }
    .await;
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

/// A series' last number handed out: `$1` subdelegación, `$2` año de afiliación, `$3` año de nacimiento.
const SQL_ULTIMO_DE_SERIE: &str = "SELECT ultimo FROM nss_series \
     WHERE subdelegacion = $1 AND anio_afiliacion = $2 AND anio_nacimiento = $3";

/// Sets a series' last number handed out: the three keys, then the number.
const SQL_GUARDAR_SERIE: &str =
    "INSERT INTO nss_series (subdelegacion, anio_afiliacion, anio_nacimiento, ultimo) VALUES ($1, $2, $3, $4) \
     ON CONFLICT (subdelegacion, anio_afiliacion, anio_nacimiento) DO UPDATE SET ultimo = excluded.ultimo";

fn bd(e: rusqlite::Error) -> AppError {
    AppError::de_escritura(format!("sqlite: {e}"))
}

/// The statements on the writer's rusqlite connection (prepared once, cached by the connection). The series'
/// counters live here for the batch: (last number handed out, last number stored).
pub(super) struct Rusqlite<'c> {
    conn: &'c Connection,
    contadores: HashMap<Serie, (i64, i64)>,
}

impl<'c> Rusqlite<'c> {
    pub(super) fn new(conn: &'c Connection) -> Rusqlite<'c> {
        Rusqlite {
            conn,
            contadores: HashMap::new(),
        }
    }
}

impl Sentencias for Rusqlite<'_> {
    async fn nss_de(&mut self, curp: &str) -> Result<Option<String>, AppError> {
        self.conn
            .prepare_cached(asignacion::SQL_NSS_DE)
            .map_err(bd)?
            .query_row([curp], |f| f.get(0))
            .optional()
            .map_err(bd)
    }

    async fn documentos_de(
        &mut self,
        curp: &str,
        nss: &str,
        tramite: Tramite,
    ) -> Result<Vec<Documento>, AppError> {
        let mut consulta = self
            .conn
            .prepare_cached(super::documentos::SQL_DE_LA_CURP)
            .map_err(bd)?;
        let filas = consulta
            .query_map(params![curp, nss, tramite.codigo()], |f| {
                let clave: String = f.get(8)?;
                Ok(Documento::de_columnas(
                    &f.get::<_, String>(0)?,
                    &f.get::<_, String>(1)?,
                    f.get(2)?,
                    f.get(3)?,
                    f.get(4)?,
                    f.get(5)?,
                    f.get(6)?,
                    f.get(7)?,
                )
                .map(|d| Documento { clave, ..d }))
            })
            .map_err(bd)?;
        let mut todos = Vec::new();
        for f in filas {
            if let Some(d) = f.map_err(bd)? {
                todos.push(d);
            }
        }
        Ok(crate::documents::ultimo_de_cada_tipo(todos.into_iter()))
    }

    async fn siguiente(&mut self, serie: Serie) -> Result<Option<i64>, AppError> {
        let (ultimo, _) = match self.contadores.get_mut(&serie) {
            Some(c) => c,
            None => {
                let u: i64 = self
                    .conn
                    .prepare_cached(SQL_ULTIMO_DE_SERIE)
                    .map_err(bd)?
                    .query_row(
                        params![
                            serie.subdelegacion,
                            serie.anio_afiliacion,
                            serie.anio_nacimiento
                        ],
                        |f| f.get(0),
                    )
                    .optional()
                    .map_err(bd)?
                    .unwrap_or(0);
                self.contadores.entry(serie).or_insert((u, u))
            }
        };
        if *ultimo >= Serie::ULTIMO {
            return Ok(None);
        }
        *ultimo += 1;
        Ok(Some(*ultimo))
    }

    async fn insertar_nss(&mut self, curp: &str, nss: &str, ahora: i64) -> Result<bool, AppError> {
        Ok(self
            .conn
            .prepare_cached(asignacion::SQL_INSERTAR_NSS)
            .map_err(bd)?
            .execute(params![curp, nss, ahora])
            .map_err(bd)?
            == 1)
    }

    async fn insertar_domicilio(
        &mut self,
        nss: &str,
        curp: &str,
        d: &Domicilio,
        ahora: i64,
    ) -> Result<(), AppError> {
        self.conn
            .prepare_cached(asignacion::SQL_INSERTAR_DOMICILIO)
            .map_err(bd)?
            .execute(params![
                nss,
                curp,
                d.codigo_postal,
                d.estado,
                d.municipio,
                d.colonia,
                d.calle,
                d.numero_exterior,
                d.numero_interior,
                ahora,
                d.umf
            ])
            .map_err(bd)?;
        Ok(())
    }

    async fn guardar_series(&mut self) -> Result<(), AppError> {
        let mut guardar = self.conn.prepare_cached(SQL_GUARDAR_SERIE).map_err(bd)?;
        for (s, (ultimo, guardado)) in self.contadores.iter_mut() {
            if ultimo > guardado {
                guardar
                    .execute(params![
                        s.subdelegacion,
                        s.anio_afiliacion,
                        s.anio_nacimiento,
                        *ultimo
                    ])
                    .map_err(bd)?;
                *guardado = *ultimo;
            }
        }
        Ok(())
    }

    async fn insertar_documento(&mut self, d: &Documento, correo: &str) -> Result<(), AppError> {
        self.conn
            .prepare_cached(super::documentos::SQL_INSERTAR)
            .map_err(bd)?
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
                correo,
                d.clave,
            ])
            .map_err(bd)?;
        Ok(())
    }

    async fn encolar(&mut self, payload: &str, ahora: i64) -> Result<(), AppError> {
        self.conn
            .prepare_cached(super::outbox::SQL_ENCOLAR)
            .map_err(bd)?
            .execute(params![ahora, payload, ahora])
            .map_err(bd)?;
        Ok(())
    }
}
