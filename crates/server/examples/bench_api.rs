//! Loopback benchmark of the NSS API on SQLite (durable commits, group commit): CAPTCHA creation, solicitudes and
//! asignaciones throughput with p50/p99 latency.
//!
//! `cargo run --profile server -p afiliate-server --example bench_api -- [PERSONS] [CONCURRENCY] [SECONDS] [RATE]`
//! (defaults 50000, 48, 20, 3000). Each closed-loop phase (CONCURRENCY clients, each sending its next request when
//! the last one answers) stops after SECONDS or when its requests are done. Assignments run twice: first in an open
//! loop at RATE a second for at most 10 s, or `BENCH_RITMO_SEG` (`asignacion@`: latency measured from each request's planned start), then
//! closed loop with the tokens left (`asignacion`: the most the server takes). Loopback only; the
//! client runs in the same process, so it shares the 2 cores with the server. The mail worker is not running.
//! `BENCH_SERIE=<file>` writes each open-loop request's planned start and latency (ms, one CSV line each, after a
//! `# start` line with the phase's wall-clock and monotonic start) to line stalls up with `perf` traces.

use afiliate_server::db::Db;
use afiliate_server::documents::Sellador;
use afiliate_server::{app, AppState, Config, Env};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

type Cliente = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

/// POSTs a body built before the timed phase; answers the status and the raw answer (parsed only where a field
/// is needed), so the load generator, which shares the 2 cores, spends as little as it can.
async fn post(c: &Cliente, url: &str, body: Bytes) -> (u16, Bytes) {
    let req = hyper::Request::post(url)
        .header("content-type", "application/json")
        .body(Full::new(body))
        .expect("request");
    match c.request(req).await {
        Ok(res) => {
            let s = res.status().as_u16();
            let b = res
                .into_body()
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            (s, b)
        }
        Err(_) => (0, Bytes::new()),
    }
}

#[derive(serde::Deserialize)]
struct ConId {
    id: String,
}

#[derive(serde::Deserialize)]
struct ConToken {
    token: Option<String>,
}

struct Fase {
    nombre: &'static str,
    latencias: Vec<Duration>,
    errores: usize,
    total: Duration,
}

impl Fase {
    fn imprimir(&mut self) {
        self.latencias.sort();
        let n = self.latencias.len();
        let p = |q: f64| {
            self.latencias
                .get(((n as f64 * q) as usize).min(n.saturating_sub(1)))
                .map(|d| d.as_secs_f64() * 1000.0)
                .unwrap_or(0.0)
        };
        println!(
            "{:<12} {:>7} requests in {:>6.2} s = {:>8.0} req/s   p50 {:>6.2} ms   p99 {:>6.2} ms   max {:>7.2} ms   errors {}",
            self.nombre,
            n,
            self.total.as_secs_f64(),
            n as f64 / self.total.as_secs_f64().max(1e-9),
            p(0.50),
            p(0.99),
            p(1.0),
            self.errores
        );
    }
}

/// Runs `trabajos` with `concurrencia` workers until done or `limite` passes; each job answers Ok(T) or Err.
async fn fase<T: Send + 'static, F, Fut>(
    nombre: &'static str,
    trabajos: usize,
    concurrencia: usize,
    limite: Duration,
    f: F,
) -> (Fase, Vec<T>)
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<T, ()>> + Send,
{
    let f = Arc::new(f);
    let siguiente = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let inicio = Instant::now();
    let mut tareas = Vec::new();
    for _ in 0..concurrencia {
        let (f, siguiente) = (f.clone(), siguiente.clone());
        tareas.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut ok = Vec::new();
            let mut err = 0;
            loop {
                let i = siguiente.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= trabajos || inicio.elapsed() > limite {
                    break;
                }
                let t = Instant::now();
                match f(i).await {
                    Ok(v) => {
                        lat.push(t.elapsed());
                        ok.push(v);
                    }
                    Err(()) => err += 1,
                }
            }
            (lat, ok, err)
        }));
    }
    let mut r = Fase {
        nombre,
        latencias: Vec::new(),
        errores: 0,
        total: Duration::ZERO,
    };
    let mut salida = Vec::new();
    for t in tareas {
        let (lat, ok, err) = t.await.expect("worker");
        r.latencias.extend(lat);
        salida.extend(ok);
        r.errores += err;
    }
    r.total = inicio.elapsed();
    (r, salida)
}

/// Sends job `i` at `inicio + i / tasa` whether or not earlier ones have answered (an open loop, as real
/// students arrive), and measures each latency from that planned moment, so a stalled server cannot hide its
/// queue by slowing the sender (no coordinated omission).
async fn fase_a_ritmo<F, Fut>(nombre: &'static str, trabajos: usize, tasa: f64, f: F) -> Fase
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = bool> + Send + 'static,
{
    let inicio = tokio::time::Instant::now();
    let epoca = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let mut tareas = tokio::task::JoinSet::new();
    for i in 0..trabajos {
        let plan = inicio + Duration::from_secs_f64(i as f64 / tasa);
        tokio::time::sleep_until(plan).await;
        let peticion = f(i);
        tareas.spawn(async move { (peticion.await, plan.elapsed(), plan - inicio) });
    }
    let mut r = Fase {
        nombre,
        latencias: Vec::with_capacity(trabajos),
        errores: 0,
        total: Duration::ZERO,
    };
    // BENCH_SERIE=<file> writes each request's planned start and latency (ms) to study where the tail comes from.
    let mut serie = Vec::new();
    while let Some(t) = tareas.join_next().await {
        match t {
            Ok((true, lat, desde)) => {
                r.latencias.push(lat);
                serie.push((desde, lat));
            }
            _ => r.errores += 1,
        }
    }
    r.total = inicio.elapsed();
    if let Some(ruta) = std::env::var_os("BENCH_SERIE") {
        serie.sort();
        let texto: String = std::iter::once(format!(
            "# start {:.6} {:?}\n",
            epoca.as_secs_f64(),
            inicio.into_std()
        ))
        .chain(serie.iter().map(|(d, l)| {
            format!(
                "{:.3},{:.3}\n",
                d.as_secs_f64() * 1e3,
                l.as_secs_f64() * 1e3
            )
        }))
        .collect();
        let _ = std::fs::write(ruta, texto);
    }
    r
}

fn main() -> anyhow::Result<()> {
    // The server's runtime (its workers yield to the SQLite writer), shared with the load generator.
    afiliate_server::runtime()?.block_on(principal())
}

async fn principal() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let personas: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(50_000);
    let concurrencia: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(48);
    let segundos: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(20);
    let tasa: f64 = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(3000.0);
    let limite = Duration::from_secs(segundos);
    let segundos_a_ritmo: f64 = std::env::var("BENCH_RITMO_SEG")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10.0);

    let dir = tempfile::tempdir()?;
    let mut config = Config::for_data_dir(dir.path());
    config.env = Env::Test;
    config.captcha_fixed = Some("AbC23x".into());
    config.limite_ip_seg = 0;
    config.limite_curp_dia = 1_000_000;
    config.limite_correo_dia = 1_000_000;
    let db = Db::connect(&config.database_url()).await?;
    let (registro, _, demos) = afiliate_server::cli::datos_demo(personas)?;
    afiliate_server::cli::guardar_personas(&db, &registro).await?;
    // The documented demo people include a CURP RENAPO does not know and one that does not match its person:
    // leave them out so every solicitud is expected to succeed.
    let curps: Arc<Vec<String>> = Arc::new(
        registro
            .iter()
            .filter(|p| !demos.iter().any(|d| d.curp == p.curp))
            .map(|p| p.curp.clone())
            .collect(),
    );
    let state = AppState::with_parts(config, db, Sellador::aleatorio())?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        axum::serve(
            listener,
            app(state).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    let base = format!("http://{addr}");
    let cliente: Cliente = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(concurrencia)
        .build_http();
    println!(
        "bench_api: SQLite (WAL, synchronous=FULL, group commit) in {}, {} people, concurrency {concurrencia}, at most {segundos} s per phase",
        dir.path().display(),
        curps.len()
    );

    let n = curps.len();
    let (c, url) = (cliente.clone(), Arc::new(format!("{base}/api/captcha")));
    let (mut f1, ids) = fase("captcha", n, concurrencia, limite, move |_| {
        let (c, url) = (c.clone(), url.clone());
        async move {
            let (s, b) = post(&c, &url, Bytes::from_static(b"{}")).await;
            match serde_json::from_slice::<ConId>(&b) {
                Ok(v) if s == 201 => Ok(v.id),
                _ => Err(()),
            }
        }
    })
    .await;
    f1.imprimir();

    let cuerpos: Arc<Vec<Bytes>> = Arc::new(
        ids.iter()
            .enumerate()
            .map(|(i, id)| {
                let correo = format!("alumno{i}@example.com");
                Bytes::from(
                    json!({"curp": curps[i], "correo": correo, "confirmacion_correo": correo,
                           "captcha_id": id, "captcha_respuesta": "AbC23x"})
                    .to_string(),
                )
            })
            .collect(),
    );
    let (c, url) = (
        cliente.clone(),
        Arc::new(format!("{base}/api/nss/solicitudes")),
    );
    let (mut f2, tokens) = fase("solicitud", cuerpos.len(), concurrencia, limite, move |i| {
        let (c, url, cuerpos) = (c.clone(), url.clone(), cuerpos.clone());
        async move {
            let (s, b) = post(&c, &url, cuerpos[i].clone()).await;
            match serde_json::from_slice::<ConToken>(&b) {
                Ok(v) if s == 200 => Ok(v.token),
                _ => Err(()),
            }
        }
    })
    .await;
    f2.imprimir();

    let cuerpos: Arc<Vec<Bytes>> = Arc::new(
        tokens
            .into_iter()
            .flatten()
            .map(|t| {
                Bytes::from(
                    json!({"token": t, "domicilio": {"codigo_postal": "04000", "colonia": "Del Carmen",
                        "calle": "Av. Universidad", "numero_exterior": "3000", "estado": "Ciudad de México",
                        "municipio": "Coyoacán"}})
                    .to_string(),
                )
            })
            .collect(),
    );
    let url = Arc::new(format!("{base}/api/nss/asignaciones"));
    // First at the goal's rate (the latency people see when 3,000 a second arrive), then flat out (how many a
    // second the server can take at all) with the tokens left.
    let a_ritmo = (cuerpos.len() / 2).min((tasa * segundos_a_ritmo) as usize);
    let (c, u, cs) = (cliente.clone(), url.clone(), cuerpos.clone());
    let mut f3 = fase_a_ritmo("asignacion@", a_ritmo, tasa, move |i| {
        let (c, u, cuerpo) = (c.clone(), u.clone(), cs[i].clone());
        async move { post(&c, &u, cuerpo).await.0 == 200 }
    })
    .await;
    f3.imprimir();
    let (c, cs) = (cliente.clone(), cuerpos.clone());
    let (mut f4, _) = fase(
        "asignacion",
        cuerpos.len() - a_ritmo,
        concurrencia,
        limite,
        move |i| {
            let (c, url, cuerpo) = (c.clone(), url.clone(), cs[a_ritmo + i].clone());
            async move {
                let (s, _) = post(&c, &url, cuerpo).await;
                if s == 200 {
                    Ok(())
                } else {
                    Err(())
                }
            }
        },
    )
    .await;
    f4.imprimir();
    let (lotes, trabajos, seg, seg_commit) = afiliate_server::metrics::group_commits();
    let (syncs, seg_sync) = afiliate_server::metrics::wal_syncs();
    let (hn, hs, hmax) = afiliate_server::metrics::checkpoints(false);
    let (en, es, emax) = afiliate_server::metrics::checkpoints(true);
    println!(
        "group commits: {lotes}, {:.1} requests each, {:.2} ms each ({:.2} ms of it in COMMIT); {syncs} WAL fsyncs beside them, {:.2} ms each\ncheckpoints: {hn} beside the writer, {:.2} ms each (max {:.1}); {en} by the writer, {:.2} ms each (max {:.1})",
        trabajos as f64 / lotes.max(1) as f64,
        seg * 1000.0 / lotes.max(1) as f64,
        seg_commit * 1000.0 / lotes.max(1) as f64,
        seg_sync * 1000.0 / syncs.max(1) as f64,
        hs * 1000.0 / hn.max(1) as f64,
        hmax * 1000.0,
        es * 1000.0 / en.max(1) as f64,
        emax * 1000.0
    );
    println!(
        "goals: asignacion >= 3000 req/s with p99 < 25 ms (asignacion@ is at {tasa:.0} req/s, open loop; asignacion flat out); solicitud >= 10000 req/s"
    );
    Ok(())
}
