//! Storage: SQLite (default) or PostgreSQL behind one `sqlx::Any` pool, embedded migrations, and the write path.
//!
//! Every write goes through [`Db::write`] or [`Db::asignar`]. On SQLite a single writer thread batches the requests
//! that arrive together into one durable transaction (group commit, each request in its own savepoint): NSS
//! assignments, the hot path, on its own rusqlite connection (`lote`), any other work through sqlx. On PostgreSQL
//! each request runs in its own transaction and is retried on a unique or serialization conflict.
//!
//! The request path's SQL lives in this module, behind functions named for what they do: [`asignacion`] (the NSS
//! assignment, one algorithm for both databases, and the reads around it), [`documentos`], [`outbox`],
//! [`guardia`], [`escuelas`], [`umf`]. (The operators' commands and the local registry keep a few statements of
//! their own.) Callers hand in plain data ([`crate::pedido`], [`crate::documents::Documento`]) and get
//! [`AppError`] back; the procedure's decisions come in as plain data too ([`asignacion::Emision`]).

use crate::error::AppError;
use crate::pedido::{Asignado, Pedido};
use futures_util::future::BoxFuture;
use sqlx::any::AnyPoolOptions;
use sqlx::AnyConnection;
use sqlx::{AnyPool, Connection, Executor};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

pub mod asignacion;
pub mod documentos;
pub mod escuelas;
pub mod guardia;
mod lote;
pub mod outbox;
#[cfg(test)]
mod pruebas_escritor;
pub mod umf;

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database the URL selected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A unit of work run inside a transaction: `Fn` so PostgreSQL can retry it after a conflict.
pub type Work<T> =
    Arc<dyn for<'c> Fn(&'c mut AnyConnection) -> BoxFuture<'c, Result<T, AppError>> + Send + Sync>;

/// The database: a pool for reads and the write path.
#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    writer: Option<mpsc::Sender<Mensaje>>,
    /// False while the SQLite writer restarts after a panic (see [`supervisar`]).
    escritor_activo: Arc<AtomicBool>,
    lectores: Option<Arc<Lectores>>,
}

impl Db {
    /// Whether the write path works: on SQLite the writer thread is running (its channel is open and it is not
    /// restarting after a panic), on PostgreSQL the pool is open.
    pub fn escritor_vivo(&self) -> bool {
        match &self.writer {
            Some(w) => !w.is_closed() && self.escritor_activo.load(Ordering::Acquire),
            None => !self.pool.is_closed(),
        }
    }

    /// Test hook: makes the SQLite writer panic (as a bug in it would), to watch it restart.
    #[cfg(test)]
    pub(crate) async fn inyectar_panico(&self) {
        if let Some(w) = &self.writer {
            let _ = w.send(Mensaje::Panico).await;
        }
    }
}

/// Read-only SQLite connections used synchronously, for the hot primary-key lookups: a lookup is a few
/// microseconds, less than the hand-off to one of sqlx's connection threads and back. WAL readers never wait for
/// the writer. Any error falls back to the pool.
pub struct Lectores {
    ruta: std::path::PathBuf,
    libres: std::sync::Mutex<Vec<rusqlite::Connection>>,
}

impl Lectores {
    /// Runs `f` on a free connection (opening one if none is free).
    pub fn leer<T>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        let libre = self.libres.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match libre {
            Some(c) => c,
            None => {
                let c = rusqlite::Connection::open_with_flags(
                    &self.ruta,
                    rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                        | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                // Never block a runtime thread for long: on a busy database the caller falls back to the pool.
                c.busy_timeout(Duration::from_millis(50))?;
                c
            }
        };
        let r = f(&conn);
        let mut libres = self.libres.lock().unwrap_or_else(|e| e.into_inner());
        if libres.len() < 8 {
            libres.push(conn);
        }
        r
    }
}

/// What the SQLite writer receives: any unit of work, or an assignment (batched with the others of its commit).
enum Mensaje {
    Trabajo(Job),
    Asignacion(Box<PedidoEnCola>),
    /// Tests only: the writer panics.
    #[cfg(test)]
    Panico,
}

struct PedidoEnCola {
    pedido: Pedido,
    emision: Arc<dyn asignacion::Emision>,
    reply: oneshot::Sender<Result<Asignado, AppError>>,
}

/// Most requests one group commit takes.
const MAX_BATCH: usize = 512;

impl Db {
    /// Connects (creating a SQLite file when missing), applies the embedded migrations and starts the writer.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            anyhow::bail!("DATABASE_URL must start with sqlite:// or postgres://");
        };
        let url = match backend {
            Backend::Sqlite => sqlite_url(url)?,
            Backend::Postgres => url.to_string(),
        };
        let options = AnyPoolOptions::new()
            .max_connections(match backend {
                // Readers only (the writer has its own connection). Each sqlx SQLite connection is a thread:
                // on 2 cores, 4 read as fast as 8 with fewer hand-offs (bench_api: 8 → 4 raised both rates).
                Backend::Sqlite => 4,
                Backend::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(10));
        let options = if backend == Backend::Sqlite {
            options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    // 1 KiB pages for a new database (no effect on an existing one): a commit writes every page
                    // it touched to the WAL, and assignments touch a few pages at random (CURP and folio keys),
                    // so smaller pages mean fewer bytes to write and fsync per group commit.
                    conn.execute("PRAGMA page_size = 1024").await?;
                    // WAL lets readers run beside the writer; FULL makes every commit durable (fsync of the WAL).
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = FULL").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    Ok(())
                })
            })
        } else {
            options
        };
        let pool = options.connect(&url).await?;
        match backend {
            Backend::Sqlite => SQLITE_MIGRATOR.run(&pool).await?,
            Backend::Postgres => POSTGRES_MIGRATOR.run(&pool).await?,
        }
        let escritor_activo = Arc::new(AtomicBool::new(true));
        let writer = match backend {
            Backend::Sqlite => {
                let ruta = ruta_sqlite(&url).ok_or_else(|| {
                    anyhow::anyhow!(
                        "DATABASE_URL: an in-memory SQLite database is not supported; give a file"
                    )
                })?;
                let (tx, rx) = mpsc::channel::<Mensaje>(8192);
                // The writer runs on its own thread and runtime: its many short awaits (one per statement)
                // never queue behind HTTP tasks on the shared workers, so a busy server still commits often.
                let url = url.clone();
                let activo = escritor_activo.clone();
                std::thread::Builder::new()
                    .name("afiliate-escritor".into())
                    .spawn(move || supervisar(&url, &ruta, rx, &activo))?;
                Some(tx)
            }
            Backend::Postgres => None,
        };
        let lectores = match backend {
            Backend::Sqlite => ruta_sqlite(&url).map(|ruta| {
                Arc::new(Lectores {
                    ruta,
                    libres: std::sync::Mutex::new(Vec::new()),
                })
            }),
            Backend::Postgres => None,
        };
        Ok(Db {
            pool,
            backend,
            writer,
            escritor_activo,
            lectores,
        })
    }

    /// Runs `work` in a durable transaction and answers once it is committed.
    pub async fn write<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: for<'c> Fn(&'c mut AnyConnection) -> BoxFuture<'c, Result<T, AppError>>
            + Send
            + Sync
            + 'static,
    {
        let work: Work<T> = Arc::new(work);
        match &self.writer {
            Some(writer) => {
                let (tx, rx) = oneshot::channel();
                let job: Job = Box::new(TypedJob {
                    work,
                    result: None,
                    reply: Some(tx),
                });
                writer
                    .send(Mensaje::Trabajo(job))
                    .await
                    .map_err(|_| AppError::internal("writer stopped"))?;
                rx.await
                    .map_err(|_| AppError::internal("writer dropped a job"))?
            }
            None => self.write_direct(work).await,
        }
    }

    /// Assigns an NSS ([`asignacion::asignar`]), its new documents and email as `emision` decides: on SQLite
    /// batched with the other assignments of the same group commit (the writer's `lote` module); on PostgreSQL in
    /// its own transaction.
    pub async fn asignar<E: asignacion::Emision + 'static>(
        &self,
        emision: Arc<E>,
        pedido: Pedido,
    ) -> Result<Asignado, AppError> {
        match &self.writer {
            Some(writer) => {
                let (tx, rx) = oneshot::channel();
                writer
                    .send(Mensaje::Asignacion(Box::new(PedidoEnCola {
                        pedido,
                        emision,
                        reply: tx,
                    })))
                    .await
                    .map_err(|_| AppError::internal("writer stopped"))?;
                rx.await
                    .map_err(|_| AppError::internal("writer dropped an assignment"))?
            }
            None => {
                self.write(move |c| {
                    let (emision, p) = (emision.clone(), pedido.clone());
                    Box::pin(async move { asignacion::asignar_uno(c, &*emision, &p).await })
                })
                .await
            }
        }
    }

    async fn write_direct<T>(&self, work: Work<T>) -> Result<T, AppError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut conn = self.pool.acquire().await.map_err(AppError::from)?;
            let mut tx = conn.begin().await.map_err(AppError::from)?;
            let result = work(&mut tx).await;
            match result {
                Ok(value) => match tx.commit().await {
                    Ok(()) => return Ok(value),
                    Err(e) if attempt < 8 && crate::error::conflicto_reintentable(&e) => continue,
                    Err(e) => return Err(e.into()),
                },
                Err(e) => {
                    let _ = tx.rollback().await;
                    if attempt < 8 && e.is_retryable() {
                        continue;
                    }
                    return Err(e);
                }
            }
        }
    }

    /// The synchronous readers (SQLite with a file only).
    pub fn lectores(&self) -> Option<&Lectores> {
        self.lectores.as_deref()
    }

    /// True when the database answers.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }
}

/// The file of a `sqlite://path?…` URL (None for an in-memory database).
fn ruta_sqlite(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite://")?;
    let path = rest.split('?').next().unwrap_or("");
    (!path.is_empty() && path != ":memory:").then(|| std::path::PathBuf::from(path))
}

fn sqlite_url(url: &str) -> anyhow::Result<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    if path != ":memory:" && !path.is_empty() {
        if let Some(parent) = std::path::Path::new(path).parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent)?;
            }
        }
    }
    Ok(match query {
        Some(q) if q.contains("mode=") => format!("sqlite://{path}?{q}"),
        Some(q) => format!("sqlite://{path}?{q}&mode=rwc"),
        None => format!("sqlite://{path}?mode=rwc"),
    })
}

/// A job of the SQLite writer, type-erased.
trait WriteJob: Send {
    /// Runs the work inside the open transaction; false when it failed (its savepoint is then rolled back).
    fn run<'c>(&'c mut self, conn: &'c mut AnyConnection) -> BoxFuture<'c, bool>;
    /// Whether a failure may succeed on a second try within the same batch.
    fn retryable(&self) -> bool;
    /// Delivers the result once the batch's fate is known.
    fn finish(self: Box<Self>, commit: Result<(), String>);
}

type Job = Box<dyn WriteJob>;

struct TypedJob<T> {
    work: Work<T>,
    result: Option<Result<T, AppError>>,
    reply: Option<oneshot::Sender<Result<T, AppError>>>,
}

impl<T: Send + 'static> WriteJob for TypedJob<T> {
    fn run<'c>(&'c mut self, conn: &'c mut AnyConnection) -> BoxFuture<'c, bool> {
        Box::pin(async move {
            let r = (self.work)(conn).await;
            let ok = r.is_ok();
            self.result = Some(r);
            ok
        })
    }

    fn retryable(&self) -> bool {
        matches!(&self.result, Some(Err(e)) if e.is_retryable())
    }

    fn finish(mut self: Box<Self>, commit: Result<(), String>) {
        let result = match commit {
            Ok(()) => self
                .result
                .take()
                .unwrap_or_else(|| Err(AppError::internal("job not run"))),
            Err(msg) => Err(AppError::de_escritura(msg)),
        };
        if let Some(reply) = self.reply.take() {
            let _ = reply.send(result);
        }
    }
}

/// The writer's own connection (not from the pool, so readers never make it wait), with the pool's settings and
/// no automatic checkpoints (see [`Checkpoints`]).
async fn conexion_escritor(url: &str) -> Result<AnyConnection, sqlx::Error> {
    let mut conn = AnyConnection::connect(url).await?;
    for pragma in [
        "PRAGMA wal_autocheckpoint = 0",
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = FULL",
        "PRAGMA busy_timeout = 10000",
        "PRAGMA foreign_keys = ON",
    ] {
        conn.execute(pragma).await?;
    }
    Ok(conn)
}

/// Copies the WAL into the database file, beside the writer, and keeps the WAL file bounded.
///
/// Every writer connection has automatic checkpoints off, so no COMMIT runs one. Instead a thread beside the
/// writer, at nice +10 (below the writer and the HTTP workers), runs a PASSIVE checkpoint every [`CADA_COPIA`]:
/// the copying happens off the writer. It also allocates the WAL's next blocks ahead of the writer
/// ([`prealojar`]). (It replaced a sqlx connection at normal priority, whose ~20 ms of CPU
/// every half second showed in the writer's stalls.)
///
/// SQLite starts the WAL over from its beginning only after a complete checkpoint that no commit overtook, and
/// only a complete one fsyncs the database file. A checkpoint beside a writer that commits hundreds of times a
/// second is never complete: under full load the WAL grows (~35 MB/s at 3,000 assignments a second in
/// bench_api) until the writer pauses, and the pages it copied stay dirty until the kernel writes them back. So
/// the writer checkpoints too, between two batches: after [`PAUSA`] without work (then it costs nothing), and
/// once the WAL has passed [`MARCOS_MAX`] frames, right after the thread has copied it. That one is a long pause
/// (bench_api: ~150 ms with a 160 MB WAL, ~220 ms with 350 MB; mostly the fsync of the database file), which is
/// why it is kept for sustained full load, as a bound on disk use. Measured on this machine and not kept:
/// restarting the WAL every 0.2-5 s (pauses of 30-120 ms in the writer; open-loop p99 50-190 ms), and the thread
/// writing the database file's pages back itself, to spare the kernel's burst when the file has been dirty for
/// 30 s (~100 MB at once in bench_api, one WAL fsync of 143 ms): fsync after each checkpoint (p99 39-52 ms),
/// `sync_file_range` every 0.5 s or 2 s (open-loop p99 34-70 ms against 17-36 ms without, alternated), even at the
/// idle I/O priority (flat out p99 34-40 ms against 22-27 ms). This disk's bandwidth is the limit: pages written
/// every half second are written many times, the kernel's burst writes each once.
struct Checkpoints {
    /// When the thread last finished a checkpoint (ms since `desde`); 0 before the first.
    ultimo: Arc<std::sync::atomic::AtomicU64>,
    /// Frames in the WAL at the thread's last checkpoint.
    marcos: Arc<std::sync::atomic::AtomicU64>,
    desde: std::time::Instant,
    _alto: std::sync::mpsc::Sender<()>,
}

/// At most how far past the WAL's end the checkpoint thread allocates its blocks (see [`prealojar`]): ~2 s of
/// appends at full load, checked twice a second.
const POR_DELANTE: i64 = 64 << 20;

/// How often the checkpoint thread runs.
const CADA_COPIA: Duration = Duration::from_millis(500);
/// The writer checkpoints after this long without work.
const PAUSA: Duration = Duration::from_secs(1);
/// WAL frames (page plus 24 B header: ~1 GiB) past which the writer restarts the WAL even under full load.
const MARCOS_MAX: u64 = 1 << 20;

impl Checkpoints {
    fn iniciar(ruta: &std::path::Path) -> Checkpoints {
        let (alto, rx) = std::sync::mpsc::channel::<()>();
        let ultimo = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let marcos = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let desde = std::time::Instant::now();
        let (ruta, hecho, en_wal) = (ruta.to_path_buf(), ultimo.clone(), marcos.clone());
        let hilo = std::thread::Builder::new()
            .name("afiliate-ckpt".into())
            .spawn(move || {
                crate::prioridad(10);
                let mut conn: Option<rusqlite::Connection> = None;
                let mut fin_wal = 0;
                // Ends when the writer does (its sender is dropped).
                while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                    rx.recv_timeout(CADA_COPIA)
                {
                    if conn.is_none() {
                        conn = lote::abrir(&ruta)
                            .inspect_err(|e| tracing::warn!(error = %e, "checkpoint connection"))
                            .ok();
                    }
                    prealojar(&ruta, &mut fin_wal);
                    if let Some(c) = &conn {
                        match checkpoint(c, false) {
                            Some(n) => {
                                en_wal.store(n, std::sync::atomic::Ordering::Relaxed);
                                let ms = desde.elapsed().as_millis() as u64;
                                hecho.store(ms.max(1), std::sync::atomic::Ordering::Release);
                            }
                            None => conn = None,
                        }
                    }
                }
            });
        if let Err(e) = hilo {
            tracing::error!(error = %e, "cannot start the checkpoint thread");
        }
        Checkpoints {
            ultimo,
            marcos,
            desde,
            _alto: alto,
        }
    }

    /// Whether the writer should restart the WAL now: it has passed [`MARCOS_MAX`] frames and the thread has
    /// just copied them (within the last 5 ms), so the writer's checkpoint has only the last batches to copy.
    fn reiniciar(&self) -> bool {
        let ms = self.ultimo.load(std::sync::atomic::Ordering::Acquire);
        self.marcos.load(std::sync::atomic::Ordering::Relaxed) >= MARCOS_MAX
            && ms > 0
            && (self.desde + Duration::from_millis(ms)).elapsed() <= Duration::from_millis(5)
    }

    /// The writer's own checkpoint, between two batches, on its assignments connection (opened if only sqlx work
    /// has run so far): the WAL restarts at its next write.
    fn del_escritor(&self, asignador: &mut Option<rusqlite::Connection>, ruta: &std::path::Path) {
        if asignador.is_none() {
            *asignador = lote::abrir(ruta).ok();
        }
        if let Some(c) = asignador.as_ref() {
            checkpoint(c, true);
        }
        self.marcos.store(0, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Allocates the WAL file's next blocks ahead of the writer: four times what it grew since the last call
/// (`fin`, its size then), at most [`POR_DELANTE`]. fallocate with KEEP_SIZE changes neither the file's size nor
/// its contents, so it is safe beside any writer, in this process or another. An append past the end of the file
/// otherwise allocates blocks, and on ext4 that serialises the writer's writes with the syncer's writeback of the
/// WAL (the inode's block-mapping lock). bench_api, runs alternated with and without it: when this VM's disk was
/// slow, open-loop p99 20-27 ms (max 31-53) with it against 18-40 ms (max 32-86) without; when it was quick, the
/// same (15-20 ms), with p50 ~0.4 ms lower. Best effort: a filesystem without fallocate just skips it.
fn prealojar(ruta: &std::path::Path, fin: &mut u64) {
    let mut wal = ruta.as_os_str().to_owned();
    wal.push("-wal");
    let Ok(f) = std::fs::OpenOptions::new().write(true).open(&wal) else {
        return;
    };
    let ahora = f.metadata().map(|m| m.len()).unwrap_or(0);
    let crecio = ahora.saturating_sub(*fin);
    *fin = ahora;
    if crecio == 0 {
        return;
    }
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let adelante = (crecio.saturating_mul(4) as i64).min(POR_DELANTE);
        // SAFETY: fallocate only reads its integer arguments and the descriptor, which `f` keeps open.
        let r = unsafe {
            libc::fallocate(
                f.as_raw_fd(),
                libc::FALLOC_FL_KEEP_SIZE,
                ahora as i64,
                adelante,
            )
        };
        if r != 0 {
            tracing::debug!("fallocate of the WAL failed");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (f, crecio);
}

/// A PASSIVE checkpoint on `conn`: the frames in the WAL, or `None` if it failed; metrics record its time. Busy
/// (another checkpoint, or a reader that still needs old frames) is not a failure: the WAL restarts later.
fn checkpoint(conn: &rusqlite::Connection, por_escritor: bool) -> Option<u64> {
    let t = std::time::Instant::now();
    let r = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |fila| {
        fila.get::<_, i64>(1)
    });
    crate::metrics::record_checkpoint(por_escritor, t.elapsed());
    match r {
        Ok(n) => Some(n.max(0) as u64),
        Err(e) => {
            tracing::warn!(error = %e, "WAL checkpoint failed");
            None
        }
    }
}

/// Runs the SQLite writer on this thread until the last `Db` handle is gone (its channel closes), and restarts it
/// after a panic: the panic is logged (its message only when it is a literal: a formatted one could quote personal
/// data), the requests of the batch it was writing get an error (nothing of that batch was committed), and the
/// queued ones wait for the new writer. `activo` is false until then, so `/readyz` and the metrics say the write
/// path is down; the pause grows with panics in a row (0.5 s, doubling, at most 30 s) so a writer that cannot
/// work does not spin.
fn supervisar(
    url: &str,
    ruta: &std::path::Path,
    mut rx: mpsc::Receiver<Mensaje>,
    activo: &AtomicBool,
) {
    const PRIMERA_PAUSA: Duration = Duration::from_millis(500);
    let mut pausa = PRIMERA_PAUSA;
    loop {
        let rt = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => {
                tracing::error!(error = %e, "writer runtime");
                activo.store(false, Ordering::Release);
                return;
            }
        };
        activo.store(true, Ordering::Release);
        let desde = std::time::Instant::now();
        let vuelta = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            rt.block_on(writer_loop(url, ruta, &mut rx))
        }));
        let Err(panico) = vuelta else {
            return;
        };
        activo.store(false, Ordering::Release);
        drop(rt);
        let mensaje = panico
            .downcast_ref::<&'static str>()
            .copied()
            .unwrap_or("(formatted message not logged)");
        if desde.elapsed() > Duration::from_secs(60) {
            pausa = PRIMERA_PAUSA;
        }
        tracing::error!(
            panico = mensaje,
            reinicio_en_ms = pausa.as_millis() as u64,
            "the SQLite writer panicked: restarting it"
        );
        crate::metrics::record_writer_restart();
        std::thread::sleep(pausa);
        pausa = (pausa * 2).min(Duration::from_secs(30));
    }
}

async fn writer_loop(url: &str, ruta: &std::path::Path, rx: &mut mpsc::Receiver<Mensaje>) {
    let (url, ruta) = (url.to_string(), ruta.to_path_buf());
    let mut conn: Option<AnyConnection> = None;
    let mut asignador: Option<rusqlite::Connection> = None;
    let sincronizador = Sincronizador::iniciar(&ruta);
    let checkpoints = Checkpoints::iniciar(&ruta);
    let mut sin_checkpoint = false;
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    let mut pedidos: Vec<PedidoEnCola> = Vec::new();
    loop {
        // Waits for work (see `Checkpoints` for what happens when none comes).
        let first = match tokio::time::timeout(PAUSA, rx.recv()).await {
            Ok(Some(m)) => m,
            Ok(None) => break,
            Err(_) => {
                // Idle: let the WAL restart at the next write.
                if sin_checkpoint {
                    checkpoints.del_escritor(&mut asignador, &ruta);
                    sin_checkpoint = false;
                }
                continue;
            }
        };
        let mut mensaje = Some(first);
        while let Some(m) = mensaje.take() {
            match m {
                Mensaje::Trabajo(job) => batch.push(job),
                Mensaje::Asignacion(p) => pedidos.push(*p),
                #[cfg(test)]
                Mensaje::Panico => panic!("panic injected by a test"),
            }
            if batch.len() + pedidos.len() < MAX_BATCH {
                mensaje = rx.try_recv().ok();
            }
        }
        let trabajos = batch.len() + pedidos.len();
        let inicio = std::time::Instant::now();
        let mut commit = Duration::ZERO;
        // Any other work first, through sqlx, in its own transaction (rare beside assignments).
        if !batch.is_empty() {
            let mut motivo = String::new();
            if conn.is_none() {
                match conexion_escritor(&url).await {
                    Ok(c) => conn = Some(c),
                    Err(e) => {
                        tracing::error!(error = %e, "writer cannot connect");
                        motivo = e.to_string();
                    }
                }
            }
            let outcome = match conn.as_mut() {
                Some(c) => run_batch(c, &mut batch, &mut commit).await,
                // The reason stays in the message: a full disk answers 503, not 500.
                None => Err(format!(
                    "the database cannot be opened for writing: {motivo}"
                )),
            };
            if let Err(e) = &outcome {
                tracing::error!(error = %e, jobs = batch.len(), "group commit failed");
                // Start the next batch on a fresh connection.
                conn = None;
            }
            for job in batch.drain(..) {
                job.finish(outcome.clone());
            }
        }
        // The assignments on the writer's rusqlite connection (see `lote`).
        if !pedidos.is_empty() {
            let mut motivo = String::new();
            if asignador.is_none() {
                match lote::abrir(&ruta) {
                    Ok(c) => asignador = Some(c),
                    Err(e) => {
                        tracing::error!(error = %e, "writer cannot open the database");
                        motivo = e.to_string();
                    }
                }
            }
            let mut commit_asignaciones = Duration::ZERO;
            let outcome = match asignador.as_ref() {
                Some(c) => lote::ejecutar(c, &pedidos, &mut commit_asignaciones).await,
                None => Err(format!(
                    "the database cannot be opened for writing: {motivo}"
                )),
            };
            commit += commit_asignaciones;
            match outcome {
                // Committed but not yet on disk: the syncer answers once the WAL is (see `Sincronizador`).
                Ok(resultados) => sincronizador.entregar(std::mem::take(&mut pedidos), resultados),
                Err(e) => {
                    tracing::error!(error = %e, pedidos = pedidos.len(), "group commit failed");
                    asignador = None;
                    for p in pedidos.drain(..) {
                        let _ = p.reply.send(Err(AppError::de_escritura(e.clone())));
                    }
                }
            }
        }
        crate::metrics::record_batch(trabajos, inicio.elapsed(), commit);
        sin_checkpoint = true;
        // Under sustained full load, bounds the WAL (see `Checkpoints`).
        if checkpoints.reiniciar() {
            checkpoints.del_escritor(&mut asignador, &ruta);
            sin_checkpoint = false;
        }
    }
}

/// Makes committed assignment batches durable, beside the writer, and only then answers them.
///
/// The assignments' connection commits with `synchronous = NORMAL`: the COMMIT writes the batch's WAL frames
/// without waiting for the disk. This thread then fsyncs the WAL file (once for every batch committed meanwhile)
/// and only then answers their requests, so nothing is acknowledged before it is on disk, exactly as with
/// `synchronous = FULL`, while the writer already runs the next batch: the disk's fsync and the batches' work
/// overlap instead of adding up. WAL frames carry checksums, so a crash loses only unanswered batches (SQLite
/// recovers the WAL up to its last complete commit). One difference remains: between its COMMIT and the fsync
/// (a few ms), a batch is visible to readers before it is durable.
struct Sincronizador {
    cola: std::sync::mpsc::Sender<LoteHecho>,
}

/// A committed batch: its requests and their results, in order.
type LoteHecho = (Vec<PedidoEnCola>, Vec<Result<Asignado, AppError>>);

impl Sincronizador {
    fn iniciar(ruta: &std::path::Path) -> Sincronizador {
        let (cola, rx) =
            std::sync::mpsc::channel::<(Vec<PedidoEnCola>, Vec<Result<Asignado, AppError>>)>();
        let mut wal = ruta.as_os_str().to_owned();
        wal.push("-wal");
        let wal = std::path::PathBuf::from(wal);
        let hilo = std::thread::Builder::new()
            .name("afiliate-fsync".into())
            .spawn(move || {
                while let Ok(primero) = rx.recv() {
                    let mut lotes = vec![primero];
                    lotes.extend(rx.try_iter());
                    let t = std::time::Instant::now();
                    // fsync works on a read-only descriptor: it flushes the file, whoever wrote it.
                    let hecho = std::fs::File::open(&wal).and_then(|f| f.sync_data());
                    crate::metrics::record_sync(t.elapsed());
                    if let Err(e) = &hecho {
                        tracing::error!(error = %e, "fsync of the WAL failed: the batch is not acknowledged");
                    }
                    for (pedidos, resultados) in lotes {
                        let mut resultados = resultados.into_iter();
                        for p in pedidos {
                            let r = match &hecho {
                                Ok(()) => resultados.next().unwrap_or_else(|| {
                                    Err(AppError::internal("assignment not run"))
                                }),
                                Err(e) => Err(AppError::de_escritura(format!("fsync: {e}"))),
                            };
                            let _ = p.reply.send(r);
                        }
                    }
                }
            });
        if let Err(e) = hilo {
            tracing::error!(error = %e, "cannot start the WAL syncer");
        }
        Sincronizador { cola }
    }

    /// Hands a committed batch over; its requests are answered once it is durable.
    fn entregar(&self, pedidos: Vec<PedidoEnCola>, resultados: Vec<Result<Asignado, AppError>>) {
        if let Err(std::sync::mpsc::SendError((pedidos, _))) = self.cola.send((pedidos, resultados))
        {
            for p in pedidos {
                let _ = p
                    .reply
                    .send(Err(AppError::internal("the WAL syncer stopped")));
            }
        }
    }
}

async fn run_batch(
    conn: &mut AnyConnection,
    batch: &mut [Job],
    commit: &mut Duration,
) -> Result<(), String> {
    // BEGIN IMMEDIATE takes the write lock up front (operator commands may write from another process).
    conn.execute("BEGIN IMMEDIATE")
        .await
        .map_err(|e| e.to_string())?;
    let result: Result<(), String> = async {
        for job in batch.iter_mut() {
            for attempt in 0..2 {
                conn.execute("SAVEPOINT job")
                    .await
                    .map_err(|e| e.to_string())?;
                if job.run(&mut *conn).await {
                    conn.execute("RELEASE job")
                        .await
                        .map_err(|e| e.to_string())?;
                    break;
                }
                conn.execute("ROLLBACK TO job")
                    .await
                    .map_err(|e| e.to_string())?;
                conn.execute("RELEASE job")
                    .await
                    .map_err(|e| e.to_string())?;
                if attempt == 0 && !job.retryable() {
                    break;
                }
            }
        }
        Ok(())
    }
    .await;
    match result {
        Ok(()) => {
            let t = std::time::Instant::now();
            let r = conn
                .execute("COMMIT")
                .await
                .map(|_| ())
                .map_err(|e| e.to_string());
            *commit = t.elapsed();
            r
        }
        Err(e) => {
            let _ = conn.execute("ROLLBACK").await;
            Err(e)
        }
    }
}
