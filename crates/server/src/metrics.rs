//! Prometheus metrics on the `metrics` facade and `metrics-exporter-prometheus`'s recorder (lock-free counters and
//! histograms in a sharded registry; nothing on a request's path takes a global lock). `GET /metrics` renders them.
//!
//! - `afiliate_http_requests_total{route,status}`, `afiliate_http_request_duration_seconds{route}` (histogram):
//!   every answer, by its matched route pattern, never by the raw path (it may hold a folio or an id).
//! - `afiliate_errors_total{kind}`, `afiliate_nss_asignados_total`, `afiliate_nss_localizados_total`.
//! - The SQLite writer's group commits, WAL fsyncs and checkpoints (`afiliate_db_*`): kept in atomics, which
//!   `bench_api` also reads, and published when scraped.
//! - At scrape time ([`publicar_estado`]): the outbox backlog (`afiliate_outbox_pendientes`) and its oldest
//!   queued message's age (`afiliate_outbox_mas_antiguo_segundos`), and whether the database writer is alive
//!   (`afiliate_db_escritor_vivo`, 1 or 0).
//! - The mail worker's failed deliveries (`afiliate_outbox_fallos_total`) and messages given up
//!   (`afiliate_outbox_abandonados_total`, a permanent failure: the row becomes `fallido`), of which those given
//!   up for their age (`afiliate_outbox_caducados_total`), and the delivered or given-up rows whose content was
//!   erased after the retention period (`afiliate_outbox_purgados_total`).

use metrics::{describe_counter, describe_gauge, describe_histogram, Counter, Histogram, Unit};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// Upper bounds (seconds) of the latency histogram buckets.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

const PETICIONES: &str = "afiliate_http_requests_total";
const LATENCIA: &str = "afiliate_http_request_duration_seconds";
const ERRORES: &str = "afiliate_errors_total";
const PENDIENTES: &str = "afiliate_outbox_pendientes";
const MAS_ANTIGUO: &str = "afiliate_outbox_mas_antiguo_segundos";
const ESCRITOR_VIVO: &str = "afiliate_db_escritor_vivo";

static BATCHES: AtomicU64 = AtomicU64::new(0);
static BATCHED_JOBS: AtomicU64 = AtomicU64::new(0);
static BATCH_MICROS: AtomicU64 = AtomicU64::new(0);
static COMMIT_MICROS: AtomicU64 = AtomicU64::new(0);
static SYNCS: AtomicU64 = AtomicU64::new(0);
static SYNC_MICROS: AtomicU64 = AtomicU64::new(0);
/// WAL checkpoints: [the checkpoint thread's, the writer's].
static CHECKPOINTS: [AtomicU64; 2] = [AtomicU64::new(0), AtomicU64::new(0)];
static CHECKPOINT_MICROS: [AtomicU64; 2] = [AtomicU64::new(0), AtomicU64::new(0)];
static CHECKPOINT_MAX_MICROS: [AtomicU64; 2] = [AtomicU64::new(0), AtomicU64::new(0)];

/// The recorder's handle and the handles of the unlabelled counters.
struct Metricas {
    handle: PrometheusHandle,
    asignados: Counter,
    localizados: Counter,
    fallos_correo: Counter,
    abandonados_correo: Counter,
    caducados_correo: Counter,
    purgados_correo: Counter,
}

static METRICAS: OnceLock<Metricas> = OnceLock::new();

/// Installs the recorder (once per process; every record function calls it, so nothing recorded is lost).
fn metricas() -> &'static Metricas {
    METRICAS.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(LATENCIA.to_string()), &BUCKETS)
            .expect("the bucket list is not empty")
            .build_recorder();
        let handle = recorder.handle();
        if let Err(e) = metrics::set_global_recorder(recorder) {
            tracing::warn!(error = %e, "another metrics recorder is installed: /metrics stays empty");
        }
        // Histogram samples wait in lock-free buckets until upkeep folds them in; scrapes do it too.
        let h = handle.clone();
        let _ = std::thread::Builder::new()
            .name("afiliate-metricas".into())
            .spawn(move || loop {
                std::thread::sleep(Duration::from_secs(5));
                h.run_upkeep();
            });
        describe_counter!(PETICIONES, "HTTP requests answered, by route and status.");
        describe_histogram!(LATENCIA, Unit::Seconds, "Request latency by route.");
        describe_counter!(ERRORES, "API errors by kind.");
        describe_counter!("afiliate_nss_asignados_total", "NSS assigned.");
        describe_counter!("afiliate_nss_localizados_total", "NSS located.");
        describe_counter!(
            "afiliate_outbox_fallos_total",
            "Failed email deliveries (each attempt)."
        );
        describe_counter!(
            "afiliate_outbox_abandonados_total",
            "Emails given up after a permanent failure (their row is 'fallido')."
        );
        describe_counter!(
            "afiliate_outbox_caducados_total",
            "Emails given up because they were still undelivered AFILIATE_OUTBOX_RENDIRSE_H hours after being \
             queued (also counted in afiliate_outbox_abandonados_total; their row is 'fallido', 'caducado')."
        );
        describe_counter!(
            "afiliate_outbox_purgados_total",
            "Outbox rows whose content (recipient, personal data) was erased after AFILIATE_OUTBOX_RETENCION_DIAS."
        );
        describe_counter!(
            "afiliate_captcha_dibujos_total",
            "CAPTCHA images and sounds served, by kind (imagen, audio) and whether they were rendered or cached."
        );
        describe_counter!(
            "afiliate_db_escritor_reinicios_total",
            "Restarts of the SQLite writer after a panic."
        );
        describe_gauge!(PENDIENTES, "Emails queued in the outbox.");
        describe_gauge!(
            MAS_ANTIGUO,
            Unit::Seconds,
            "Age of the oldest queued email (0 when none)."
        );
        describe_gauge!(
            ESCRITOR_VIVO,
            "1 while the database write path works (SQLite: the writer thread; PostgreSQL: the pool), else 0."
        );
        describe_counter!(
            "afiliate_db_group_commits_total",
            "Group commits of the SQLite writer."
        );
        describe_counter!(
            "afiliate_db_group_commit_jobs_total",
            "Requests written by group commits."
        );
        describe_gauge!(
            "afiliate_db_group_commit_seconds_total",
            "Time the SQLite writer spent in group commits (all of it, and in COMMIT)."
        );
        describe_counter!(
            "afiliate_db_wal_fsyncs_total",
            "fsyncs of the WAL that made assignment batches durable."
        );
        describe_gauge!("afiliate_db_wal_fsync_seconds_total", "Time those fsyncs took.");
        describe_counter!(
            "afiliate_db_wal_checkpoints_total",
            "WAL checkpoints, by the checkpoint thread (hilo) or by the SQLite writer between batches (escritor)."
        );
        describe_gauge!(
            "afiliate_db_wal_checkpoint_seconds_total",
            "Time those checkpoints took."
        );
        let m = Metricas {
            handle,
            asignados: metrics::counter!("afiliate_nss_asignados_total"),
            localizados: metrics::counter!("afiliate_nss_localizados_total"),
            fallos_correo: metrics::counter!("afiliate_outbox_fallos_total"),
            abandonados_correo: metrics::counter!("afiliate_outbox_abandonados_total"),
            caducados_correo: metrics::counter!("afiliate_outbox_caducados_total"),
            purgados_correo: metrics::counter!("afiliate_outbox_purgados_total"),
        };
        // Shown from the start, at 0.
        for c in [
            &m.asignados,
            &m.localizados,
            &m.fallos_correo,
            &m.abandonados_correo,
            &m.caducados_correo,
            &m.purgados_correo,
        ] {
            c.increment(0);
        }
        m
    })
}

/// Installs the recorder now (the server does it at start).
pub fn init() {
    metricas();
}

/// A route's handles: its latency histogram and its counter per status.
struct PorRuta {
    latencia: Histogram,
    peticiones: Vec<(u16, Counter)>,
}

thread_local! {
    /// Each thread's handles by route: a request then costs a hash of its route pattern and two atomic updates,
    /// not the registry's key building and lookup. Bounded: routes are patterns, statuses a few codes.
    static RUTAS: RefCell<HashMap<Box<str>, PorRuta>> = RefCell::new(HashMap::new());
}

/// One answered request; `route` is the matched route pattern (never the raw path: it may hold a folio or id).
pub fn record_request(route: &str, status: u16, elapsed: Duration) {
    metricas();
    RUTAS.with_borrow_mut(|rutas| {
        if !rutas.contains_key(route) {
            let etiqueta = metrics::SharedString::from(route.to_string());
            rutas.insert(
                route.into(),
                PorRuta {
                    latencia: metrics::histogram!(LATENCIA, "route" => etiqueta),
                    peticiones: Vec::new(),
                },
            );
        }
        let Some(r) = rutas.get_mut(route) else {
            return;
        };
        r.latencia.record(elapsed.as_secs_f64());
        match r.peticiones.iter().find(|(s, _)| *s == status) {
            Some((_, c)) => c.increment(1),
            None => {
                let c = metrics::counter!(
                    PETICIONES,
                    "route" => route.to_string(),
                    "status" => status.to_string()
                );
                c.increment(1);
                r.peticiones.push((status, c));
            }
        }
    });
}

pub fn record_error(kind: &'static str) {
    metricas();
    metrics::counter!(ERRORES, "kind" => kind).increment(1);
}

/// One CAPTCHA image or sound served: `cache` when it was already rendered.
pub fn record_captcha(tipo: &'static str, cache: bool) {
    metricas();
    let origen = if cache { "cache" } else { "render" };
    metrics::counter!("afiliate_captcha_dibujos_total", "tipo" => tipo, "origen" => origen)
        .increment(1);
}

/// The SQLite writer panicked and is being restarted.
pub fn record_writer_restart() {
    metricas();
    metrics::counter!("afiliate_db_escritor_reinicios_total").increment(1);
}

pub fn record_assignment() {
    metricas().asignados.increment(1);
}

pub fn record_located() {
    metricas().localizados.increment(1);
}

/// One failed email delivery; `abandonado` when the worker gives the message up (a permanent failure).
pub fn record_mail_failure(abandonado: bool) {
    let m = metricas();
    m.fallos_correo.increment(1);
    if abandonado {
        m.abandonados_correo.increment(1);
    }
}

/// A message given up because it was too old (`AFILIATE_OUTBOX_RENDIRSE_H`); [`record_mail_failure`] counts
/// it as given up too.
pub fn record_mail_expired() {
    metricas().caducados_correo.increment(1);
}

/// Outbox rows whose payload was erased (`AFILIATE_OUTBOX_RETENCION_DIAS`).
pub fn record_mail_purged(filas: u64) {
    metricas().purgados_correo.increment(filas);
}

/// One group commit: how many requests, how long the whole batch took and how long its COMMIT took.
pub fn record_batch(jobs: usize, total: Duration, commit: Duration) {
    BATCHES.fetch_add(1, Ordering::Relaxed);
    BATCHED_JOBS.fetch_add(jobs as u64, Ordering::Relaxed);
    BATCH_MICROS.fetch_add(total.as_micros() as u64, Ordering::Relaxed);
    COMMIT_MICROS.fetch_add(commit.as_micros() as u64, Ordering::Relaxed);
}

/// One fsync of the WAL by the writer's syncer (for one or more assignment batches).
pub fn record_sync(t: Duration) {
    SYNCS.fetch_add(1, Ordering::Relaxed);
    SYNC_MICROS.fetch_add(t.as_micros() as u64, Ordering::Relaxed);
}

/// One WAL checkpoint, by the SQLite writer itself or by the checkpoint thread beside it.
pub fn record_checkpoint(por_escritor: bool, t: Duration) {
    let i = usize::from(por_escritor);
    CHECKPOINTS[i].fetch_add(1, Ordering::Relaxed);
    CHECKPOINT_MICROS[i].fetch_add(t.as_micros() as u64, Ordering::Relaxed);
    CHECKPOINT_MAX_MICROS[i].fetch_max(t.as_micros() as u64, Ordering::Relaxed);
}

/// WAL checkpoints so far, by the writer (`true`) or the thread beside it: (how many, seconds, longest seconds).
pub fn checkpoints(por_escritor: bool) -> (u64, f64, f64) {
    let i = usize::from(por_escritor);
    (
        CHECKPOINTS[i].load(Ordering::Relaxed),
        CHECKPOINT_MICROS[i].load(Ordering::Relaxed) as f64 / 1e6,
        CHECKPOINT_MAX_MICROS[i].load(Ordering::Relaxed) as f64 / 1e6,
    )
}

/// The syncer's fsyncs so far: (how many, seconds).
pub fn wal_syncs() -> (u64, f64) {
    (
        SYNCS.load(Ordering::Relaxed),
        SYNC_MICROS.load(Ordering::Relaxed) as f64 / 1e6,
    )
}

/// Group commits so far: (commits, requests, seconds in batches, seconds in COMMIT).
pub fn group_commits() -> (u64, u64, f64, f64) {
    (
        BATCHES.load(Ordering::Relaxed),
        BATCHED_JOBS.load(Ordering::Relaxed),
        BATCH_MICROS.load(Ordering::Relaxed) as f64 / 1e6,
        COMMIT_MICROS.load(Ordering::Relaxed) as f64 / 1e6,
    )
}

/// What [`render`] shows of the server's state, read at scrape time.
#[derive(Clone, Copy, Debug, Default)]
pub struct Estado {
    /// Emails queued and the age (seconds) of the oldest; None when the outbox could not be read.
    pub outbox: Option<(u64, u64)>,
    pub escritor_vivo: bool,
    /// Audit log lines dropped because its writer fell behind ([`crate::auditoria`]).
    pub auditoria_descartadas: u64,
}

/// Serialises [`render`]'s "set the scrape-time gauges, then render" so two scrapes never mix their values.
static RENDER: Mutex<()> = Mutex::new(());

/// The Prometheus text exposition, with `estado`'s gauges and the writer's statistics.
pub fn render(estado: Estado) -> String {
    let m = metricas();
    let _uno = RENDER.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((pendientes, antiguedad)) = estado.outbox {
        metrics::gauge!(PENDIENTES).set(pendientes as f64);
        metrics::gauge!(MAS_ANTIGUO).set(antiguedad as f64);
    }
    metrics::gauge!(ESCRITOR_VIVO).set(if estado.escritor_vivo { 1.0 } else { 0.0 });
    metrics::counter!("afiliate_auditoria_descartadas_total")
        .absolute(estado.auditoria_descartadas);
    let (lotes, trabajos, seg_lotes, seg_commits) = group_commits();
    metrics::counter!("afiliate_db_group_commits_total").absolute(lotes);
    metrics::counter!("afiliate_db_group_commit_jobs_total").absolute(trabajos);
    metrics::gauge!("afiliate_db_group_commit_seconds_total", "fase" => "lote").set(seg_lotes);
    metrics::gauge!("afiliate_db_group_commit_seconds_total", "fase" => "commit").set(seg_commits);
    let (syncs, seg_syncs) = wal_syncs();
    metrics::counter!("afiliate_db_wal_fsyncs_total").absolute(syncs);
    metrics::gauge!("afiliate_db_wal_fsync_seconds_total").set(seg_syncs);
    for (por, escritor) in [("hilo", false), ("escritor", true)] {
        let (n, seg, _) = checkpoints(escritor);
        metrics::counter!("afiliate_db_wal_checkpoints_total", "por" => por).absolute(n);
        metrics::gauge!("afiliate_db_wal_checkpoint_seconds_total", "por" => por).set(seg);
    }
    m.handle.run_upkeep();
    m.handle.render()
}
