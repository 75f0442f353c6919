//! Prometheus metrics, hand-written: request counts and latency histograms per route, assignments, errors by kind.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds (seconds) of the latency histogram buckets.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Default)]
struct Registry {
    /// (route, status) → count
    requests: BTreeMap<(String, u16), u64>,
    latency: BTreeMap<String, Histogram>,
    errors: BTreeMap<&'static str, u64>,
}

static REGISTRY: Mutex<Option<Registry>> = Mutex::new(None);
static ASSIGNMENTS: AtomicU64 = AtomicU64::new(0);
static LOCATED: AtomicU64 = AtomicU64::new(0);
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

fn with<R>(f: impl FnOnce(&mut Registry) -> R) -> R {
    let mut guard = REGISTRY.lock().unwrap_or_else(|p| p.into_inner());
    f(guard.get_or_insert_with(Registry::default))
}

/// One answered request; `route` is the matched route pattern (never the raw path: it may hold a folio or id).
pub fn record_request(route: &str, status: u16, elapsed: Duration) {
    let secs = elapsed.as_secs_f64();
    with(|r| {
        *r.requests.entry((route.to_string(), status)).or_default() += 1;
        let h = r.latency.entry(route.to_string()).or_default();
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                h.counts[i] += 1;
            }
        }
        h.sum += secs;
        h.count += 1;
    });
}

pub fn record_error(kind: &'static str) {
    with(|r| *r.errors.entry(kind).or_default() += 1);
}

pub fn record_assignment() {
    ASSIGNMENTS.fetch_add(1, Ordering::Relaxed);
}

pub fn record_located() {
    LOCATED.fetch_add(1, Ordering::Relaxed);
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

/// The Prometheus text exposition.
pub fn render() -> String {
    let mut out = String::new();
    out.push_str(
        "# HELP afiliate_http_requests_total HTTP requests answered, by route and status.\n",
    );
    out.push_str("# TYPE afiliate_http_requests_total counter\n");
    with(|r| {
        for ((route, status), n) in &r.requests {
            let _ = writeln!(
                out,
                "afiliate_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        out.push_str("# HELP afiliate_http_request_duration_seconds Request latency by route.\n");
        out.push_str("# TYPE afiliate_http_request_duration_seconds histogram\n");
        for (route, h) in &r.latency {
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "afiliate_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{b}\"}} {}",
                    h.counts[i]
                );
            }
            let _ = writeln!(
                out,
                "afiliate_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "afiliate_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "afiliate_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count
            );
        }
        out.push_str("# HELP afiliate_errors_total API errors by kind.\n");
        out.push_str("# TYPE afiliate_errors_total counter\n");
        for (kind, n) in &r.errors {
            let _ = writeln!(out, "afiliate_errors_total{{kind=\"{kind}\"}} {n}");
        }
    });
    let _ = writeln!(
        out,
        "# HELP afiliate_nss_asignados_total NSS assigned.\n# TYPE afiliate_nss_asignados_total counter\nafiliate_nss_asignados_total {}",
        ASSIGNMENTS.load(Ordering::Relaxed)
    );
    let _ = writeln!(
        out,
        "# HELP afiliate_nss_localizados_total NSS located.\n# TYPE afiliate_nss_localizados_total counter\nafiliate_nss_localizados_total {}",
        LOCATED.load(Ordering::Relaxed)
    );
    let _ = writeln!(
        out,
        "# HELP afiliate_db_group_commits_total Group commits of the SQLite writer.\n# TYPE afiliate_db_group_commits_total counter\nafiliate_db_group_commits_total {}",
        BATCHES.load(Ordering::Relaxed)
    );
    let _ = writeln!(
        out,
        "# HELP afiliate_db_group_commit_jobs_total Requests written by group commits.\n# TYPE afiliate_db_group_commit_jobs_total counter\nafiliate_db_group_commit_jobs_total {}",
        BATCHED_JOBS.load(Ordering::Relaxed)
    );
    let (_, _, lotes, commits) = group_commits();
    let _ = writeln!(
        out,
        "# HELP afiliate_db_group_commit_seconds_total Time the SQLite writer spent in group commits (all of it, and in COMMIT).\n# TYPE afiliate_db_group_commit_seconds_total counter\nafiliate_db_group_commit_seconds_total{{fase=\"lote\"}} {lotes}\nafiliate_db_group_commit_seconds_total{{fase=\"commit\"}} {commits}"
    );
    let (syncs, segundos) = wal_syncs();
    let _ = writeln!(
        out,
        "# HELP afiliate_db_wal_fsyncs_total fsyncs of the WAL that made assignment batches durable.\n# TYPE afiliate_db_wal_fsyncs_total counter\nafiliate_db_wal_fsyncs_total {syncs}\n# HELP afiliate_db_wal_fsync_seconds_total Time those fsyncs took.\n# TYPE afiliate_db_wal_fsync_seconds_total counter\nafiliate_db_wal_fsync_seconds_total {segundos}"
    );
    let (hn, hs, _) = checkpoints(false);
    let (en, es, _) = checkpoints(true);
    let _ = writeln!(
        out,
        "# HELP afiliate_db_wal_checkpoints_total WAL checkpoints, by the checkpoint thread (hilo) or by the SQLite writer between batches (escritor).\n# TYPE afiliate_db_wal_checkpoints_total counter\nafiliate_db_wal_checkpoints_total{{por=\"hilo\"}} {hn}\nafiliate_db_wal_checkpoints_total{{por=\"escritor\"}} {en}\n# HELP afiliate_db_wal_checkpoint_seconds_total Time those checkpoints took.\n# TYPE afiliate_db_wal_checkpoint_seconds_total counter\nafiliate_db_wal_checkpoint_seconds_total{{por=\"hilo\"}} {hs}\nafiliate_db_wal_checkpoint_seconds_total{{por=\"escritor\"}} {es}"
    );
    out
}
