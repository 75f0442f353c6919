//! Storage: SQLite (default) or PostgreSQL behind one `sqlx::Any` pool, embedded migrations, and the write path.
//!
//! Every write goes through [`Db::write`]: on SQLite a single writer task batches many requests into one durable
//! transaction (group commit, each request in its own savepoint); on PostgreSQL each request runs in its own
//! transaction and is retried on a unique or serialization conflict.

use crate::error::AppError;
use futures_util::future::BoxFuture;
use sqlx::any::AnyPoolOptions;
use sqlx::AnyConnection;
use sqlx::{AnyPool, Connection, Executor};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

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
    writer: Option<mpsc::Sender<Job>>,
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
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(10));
        let options = if backend == Backend::Sqlite {
            options.after_connect(|conn, _meta| {
                Box::pin(async move {
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
        let writer = match backend {
            Backend::Sqlite => {
                let (tx, rx) = mpsc::channel::<Job>(8192);
                tokio::spawn(writer_loop(pool.clone(), rx));
                Some(tx)
            }
            Backend::Postgres => None,
        };
        Ok(Db {
            pool,
            backend,
            writer,
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
                    .send(job)
                    .await
                    .map_err(|_| AppError::internal("writer stopped"))?;
                rx.await
                    .map_err(|_| AppError::internal("writer dropped a job"))?
            }
            None => self.write_direct(work).await,
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
                    Err(e) if attempt < 8 && is_retryable(&e) => continue,
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

    /// True when the database answers.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }
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

/// A unique violation or serialization failure: the transaction may succeed when run again.
pub fn is_retryable(e: &sqlx::Error) -> bool {
    match e.as_database_error() {
        Some(db) => {
            db.is_unique_violation()
                || matches!(db.code().as_deref(), Some("40001") | Some("40P01"))
        }
        None => false,
    }
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
            Err(msg) => Err(AppError::internal(msg)),
        };
        if let Some(reply) = self.reply.take() {
            let _ = reply.send(result);
        }
    }
}

async fn writer_loop(pool: AnyPool, mut rx: mpsc::Receiver<Job>) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let outcome = run_batch(&pool, &mut batch).await;
        if let Err(e) = &outcome {
            tracing::error!(error = %e, jobs = batch.len(), "group commit failed");
        }
        crate::metrics::record_batch(batch.len());
        for job in batch.drain(..) {
            job.finish(outcome.clone());
        }
    }
}

async fn run_batch(pool: &AnyPool, batch: &mut [Job]) -> Result<(), String> {
    let mut conn = pool.acquire().await.map_err(|e| e.to_string())?;
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
                if job.run(&mut conn).await {
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
        Ok(()) => conn
            .execute("COMMIT")
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
        Err(e) => {
            let _ = conn.execute("ROLLBACK").await;
            Err(e)
        }
    }
}
