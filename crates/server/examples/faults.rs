//! The fault harness of `cargo xtask faults` (issue 16): real processes (the release `afiliate-server`, a throwaway
//! PostgreSQL cluster, aiosmtpd), a load of NSS assignments, a fault in the middle, then the database and the
//! received mail checked directly.
//!
//! `faults <crash-sqlite|crash-pg|mail|pg-restart|scale-out|abuse|disk-full> --server <afiliate-server> --python <venv python> [--reduced]`
//!
//! - `crash-*`: `kill -9` of the server at a random moment of each of 5 rounds of concurrent assignments, restart,
//!   every client retries with its token.
//! - `mail`: the SMTP server hangs (accepts, never answers) while assignments are made, the backlog is read from
//!   `/metrics`, then aiosmtpd takes the port: the drain time and the delivery rate are printed. Then a backlog
//!   (10,000 messages; 300 reduced) queued while no server runs is drained by a fresh one: its drain time.
//! - `pg-restart`: PostgreSQL restarted (`pg_ctl restart -m fast`) under load: 503 with `Retry-After`, never 500;
//!   the time until the first assignment succeeds again.
//! - `scale-out`: three servers on one PostgreSQL with one key set; a CAPTCHA, the daily limit and the per-IP
//!   limit hold across them, and one NSS per CURP when the same assignment reaches all three.
//! - `disk-full`: the SQLite database on a small tmpfs filled up under load: 503, no corruption, writes resume.
//! - `abuse`: 50,000 solicitudes from one address and 50,000 from one IPv6 /64 while another client is served.
//!
//! Checks after each: every assignment answered 200 is in the database with its NSS, its two documents and one
//! outbox message; no CURP with two NSS, no NSS with two CURPs; a retry answers the NSS answered before; every
//! answered assignment's email arrived once (by `Message-ID`; a re-send after a crash, which the receiver
//! deduplicates by its `Message-ID`, is counted apart). Prints one table row; exits 1 on any loss or duplicate.

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use rand::Rng as _;
use serde_json::{json, Value};
use sqlx::Row as _;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CAPTCHA: &str = "AbC23x";
const PG_BIN: &str = "/usr/lib/postgresql/15/bin";
/// The lease of the outbox rows: after a `kill -9` the rows the dead process was sending wait this long.
const ARRIENDO_S: &str = "3";

type Cliente = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

/// Kills the process when dropped.
struct Hijo(Child);

impl Hijo {
    fn matar(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Hijo {
    fn drop(&mut self) {
        self.matar();
    }
}

fn puerto_libre() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn es_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A throwaway PostgreSQL cluster (durable commits: `synchronous_commit` stays on; `fsync=off` only trusts the OS,
/// which these faults never stop).
struct Pg {
    dir: PathBuf,
    puerto: u16,
}

impl Pg {
    fn pg(bin: &str, args: &[&str]) -> anyhow::Result<()> {
        let ruta = format!("{PG_BIN}/{bin}");
        let out = if es_root() {
            Command::new("runuser")
                .args(["-u", "postgres", "--", &ruta])
                .args(args)
                .output()?
        } else {
            Command::new(&ruta).args(args).output()?
        };
        anyhow::ensure!(
            out.status.success(),
            "{bin} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(())
    }

    fn iniciar() -> anyhow::Result<Pg> {
        let dir = std::env::temp_dir().join(format!("afiliate-faults-pg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        if es_root() {
            Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir)
                .status()?;
        }
        let datos = dir.join("data").to_string_lossy().to_string();
        Pg::pg(
            "initdb",
            &[
                "-D",
                &datos,
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
            ],
        )?;
        let pg = Pg {
            dir,
            puerto: puerto_libre(),
        };
        pg.ctl("start")?;
        Ok(pg)
    }

    fn ctl(&self, accion: &str) -> anyhow::Result<()> {
        let datos = self.dir.join("data").to_string_lossy().to_string();
        let log = self.dir.join("log").to_string_lossy().to_string();
        let opts = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c fsync=off -c max_connections=100",
            self.puerto,
            self.dir.display()
        );
        Pg::pg(
            "pg_ctl",
            &[
                "-D", &datos, "-l", &log, "-o", &opts, "-m", "fast", "-w", "-t", "60", accion,
            ],
        )
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.puerto)
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        let datos = self.dir.join("data").to_string_lossy().to_string();
        let _ = Pg::pg("pg_ctl", &["-D", &datos, "-m", "immediate", "stop"]);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Everything one scenario runs on.
struct Banco {
    servidor_bin: PathBuf,
    python: PathBuf,
    dir: tempfile::TempDir,
    db_url: String,
    puerto: u16,
    /// The port the server sends mail to.
    puerto_smtp: u16,
    /// aiosmtpd's port: the same, or behind the mail scenario's proxy.
    puerto_aiosmtpd: u16,
    base: String,
    cliente: Cliente,
    servidor: Option<Hijo>,
    /// Settings for the server over the defaults of [`Banco::arrancar`].
    entorno_extra: Vec<(String, String)>,
    smtp: Option<Hijo>,
    _pg: Option<Pg>,
}

/// One student ready for the assignment.
#[derive(Clone)]
struct Alumno {
    curp: String,
    correo: String,
    cuerpo: Bytes,
    /// The client address sent as `X-Forwarded-For` (servers started with `AFILIATE_PROXIES=1`), or none.
    ip: Option<String>,
}

/// What the clients saw.
#[derive(Default)]
struct Visto {
    /// CURP → the NSS a 200 answered (the first one).
    nss: HashMap<String, String>,
    /// Retries that answered another NSS than an earlier 200.
    cambiados: usize,
    /// Answers by status (0: no answer).
    estados: HashMap<u16, usize>,
    /// 503 answers without `Retry-After`.
    sin_retry_after: usize,
}

impl Visto {
    fn anotar(&mut self, curp: &str, estado: u16, nss: Option<String>, retry_after: bool) {
        *self.estados.entry(estado).or_default() += 1;
        if estado == 503 && !retry_after {
            self.sin_retry_after += 1;
        }
        if let Some(nss) = nss {
            match self.nss.get(curp) {
                Some(antes) if *antes != nss => self.cambiados += 1,
                Some(_) => {}
                None => {
                    self.nss.insert(curp.to_string(), nss);
                }
            }
        }
    }

    fn de(&self, estado: u16) -> usize {
        self.estados.get(&estado).copied().unwrap_or(0)
    }
}

/// A JSON POST (as the client `ip` behind one trusted proxy, `X-Forwarded-For`, when given): the status, whether
/// it carried `Retry-After`, the body; status 0 when no answer came within 30 s.
async fn post_desde(c: &Cliente, url: &str, cuerpo: Bytes, ip: Option<&str>) -> (u16, bool, Bytes) {
    let mut req = hyper::Request::post(url).header("content-type", "application/json");
    if let Some(ip) = ip {
        req = req.header("x-forwarded-for", ip);
    }
    let req = req.body(Full::new(cuerpo)).expect("request");
    match tokio::time::timeout(Duration::from_secs(30), c.request(req)).await {
        Ok(Ok(res)) => {
            let s = res.status().as_u16();
            let ra = res.headers().contains_key("retry-after");
            let b = res
                .into_body()
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            (s, ra, b)
        }
        _ => (0, false, Bytes::new()),
    }
}

/// A CAPTCHA from `origen` and a solicitud on `destino` (another process in scale-out; the same one elsewhere) as
/// client `ip`: the student's assignment body.
async fn preparar_uno(
    c: &Cliente,
    origen: &str,
    destino: &str,
    curp: &str,
    correo: &str,
    ip: Option<String>,
) -> anyhow::Result<Alumno> {
    let (s, _, b) = post_desde(
        c,
        &format!("{origen}/api/captcha"),
        Bytes::from("{}"),
        ip.as_deref(),
    )
    .await;
    anyhow::ensure!(s == 201, "captcha: {s}");
    let id = serde_json::from_slice::<Value>(&b)?["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let cuerpo = json!({"curp": curp, "correo": correo, "confirmacion_correo": correo,
                        "captcha_id": id, "captcha_respuesta": CAPTCHA});
    let url = format!("{destino}/api/nss/solicitudes");
    let (s, _, b) = post_desde(c, &url, Bytes::from(cuerpo.to_string()), ip.as_deref()).await;
    anyhow::ensure!(s == 200, "solicitud: {s} {}", String::from_utf8_lossy(&b));
    let v: Value = serde_json::from_slice(&b)?;
    let token = v["token"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("no token: {v}"))?;
    let cuerpo = json!({"token": token, "domicilio": {"codigo_postal": "04000",
        "colonia": "Del Carmen", "calle": "Av. Universidad", "numero_exterior": "3000",
        "estado": "Ciudad de México", "municipio": "Coyoacán"}});
    Ok(Alumno {
        curp: curp.to_string(),
        correo: correo.to_string(),
        cuerpo: Bytes::from(cuerpo.to_string()),
        ip,
    })
}

/// `PRAGMA integrity_check` of the database at `url`: "ok" when it is sound.
async fn integridad(url: &str) -> anyhow::Result<String> {
    let pool = sqlx::AnyPool::connect(url).await?;
    let r: String = sqlx::query("PRAGMA integrity_check")
        .fetch_one(&pool)
        .await?
        .try_get(0)?;
    pool.close().await;
    Ok(r)
}

impl Banco {
    async fn nuevo(
        servidor_bin: PathBuf,
        python: PathBuf,
        postgres: bool,
    ) -> anyhow::Result<Banco> {
        let dir = tempfile::tempdir()?;
        let pg = if postgres { Some(Pg::iniciar()?) } else { None };
        let db_url = match &pg {
            Some(pg) => pg.url(),
            None => format!("sqlite://{}", dir.path().join("afiliate.db").display()),
        };
        let puerto = puerto_libre();
        let puerto_smtp = puerto_libre();
        let cliente: Cliente = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(512)
            .build_http();
        Ok(Banco {
            servidor_bin,
            python,
            db_url,
            puerto,
            puerto_smtp,
            puerto_aiosmtpd: puerto_smtp,
            base: format!("http://127.0.0.1:{puerto}"),
            cliente,
            servidor: None,
            entorno_extra: Vec::new(),
            smtp: None,
            _pg: pg,
            dir,
        })
    }

    fn maildir(&self) -> PathBuf {
        self.dir.path().join("maildir")
    }

    fn arrancar_smtp(&mut self) -> anyhow::Result<()> {
        let hijo = Command::new(&self.python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{}", self.puerto_aiosmtpd))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(self.maildir())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        self.smtp = Some(Hijo(hijo));
        esperar_puerto(self.puerto_aiosmtpd, Duration::from_secs(20))
    }

    fn comando(&self) -> Command {
        let mut c = Command::new(&self.servidor_bin);
        c.env("AFILIATE_DATA_DIR", self.dir.path().join("data"))
            .env("DATABASE_URL", &self.db_url)
            .env("RUST_LOG", "warn");
        c
    }

    /// `registry seed-demo n`; answers the students without an NSS, each with a unique e-mail.
    fn sembrar(&self, n: usize) -> anyhow::Result<Vec<(String, String)>> {
        let out = self
            .comando()
            .args(["registry", "seed-demo", &n.to_string()])
            .output()?;
        anyhow::ensure!(
            out.status.success(),
            "seed-demo: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (personas, con_nss, demos) = afiliate_server::cli::datos_demo(n)?;
        let con_nss: HashSet<&str> = con_nss.iter().map(|(c, _)| c.as_str()).collect();
        Ok(personas
            .iter()
            .filter(|p| !con_nss.contains(p.curp.as_str()))
            .filter(|p| !demos.iter().any(|d| d.curp == p.curp))
            .enumerate()
            .map(|(i, p)| (p.curp.clone(), format!("alumno{i}@example.com")))
            .collect())
    }

    fn arrancar(&mut self) -> anyhow::Result<Duration> {
        let t = Instant::now();
        let hijo = self.servidor_en(self.puerto, "data", "server.log")?;
        self.servidor = Some(hijo);
        esperar_puerto(self.puerto, Duration::from_secs(60))?;
        Ok(t.elapsed())
    }

    /// A server process on `puerto` with the data folder `datos` (its keys folder copied from the first server's
    /// when it is another one), on the same database and mail server.
    fn servidor_en(&self, puerto: u16, datos: &str, log: &str) -> anyhow::Result<Hijo> {
        if datos != "data" {
            let claves = self.dir.path().join("data").join("keys");
            let destino = self.dir.path().join(datos).join("keys");
            std::fs::create_dir_all(&destino)?;
            for e in std::fs::read_dir(&claves)? {
                let e = e?;
                std::fs::copy(e.path(), destino.join(e.file_name()))?;
            }
        }
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join(log))?;
        let mut c = self.comando();
        c.arg("serve")
            .env("AFILIATE_DATA_DIR", self.dir.path().join(datos))
            .env("AFILIATE_ADDR", format!("127.0.0.1:{puerto}"))
            .env("AFILIATE_ENV", "test")
            .env("AFILIATE_CAPTCHA_FIXED", CAPTCHA)
            .env("AFILIATE_LIMITE_IP_SEG", "0")
            .env("AFILIATE_LIMITE_CURP_DIA", "1000000")
            .env("AFILIATE_LIMITE_CORREO_DIA", "1000000")
            .env(
                "AFILIATE_MAIL",
                format!("smtp://127.0.0.1:{}?tls=none", self.puerto_smtp),
            )
            .env("AFILIATE_OUTBOX_ARRIENDO_S", ARRIENDO_S);
        for (k, v) in &self.entorno_extra {
            c.env(k, v);
        }
        Ok(Hijo(c.stdout(Stdio::null()).stderr(log).spawn()?))
    }

    /// `kill -9`.
    fn matar(&mut self) {
        if let Some(mut s) = self.servidor.take() {
            s.matar();
        }
    }

    /// A CAPTCHA and a solicitud for each student: their assignment bodies (tokens last 30 minutes).
    async fn preparar(&self, alumnos: &[(String, String)]) -> anyhow::Result<Vec<Alumno>> {
        let salida = Arc::new(Mutex::new(Vec::new()));
        let siguiente = Arc::new(AtomicUsize::new(0));
        let alumnos = Arc::new(alumnos.to_vec());
        let mut tareas = Vec::new();
        for _ in 0..32 {
            let (c, base, alumnos, siguiente, salida) = (
                self.cliente.clone(),
                self.base.clone(),
                alumnos.clone(),
                siguiente.clone(),
                salida.clone(),
            );
            tareas.push(tokio::spawn(async move {
                loop {
                    let i = siguiente.fetch_add(1, Ordering::Relaxed);
                    let Some((curp, correo)) = alumnos.get(i) else {
                        return Ok::<(), anyhow::Error>(());
                    };
                    let a = preparar_uno(&c, &base, &base, curp, correo, None).await?;
                    salida.lock().unwrap().push(a);
                }
            }));
        }
        for t in tareas {
            t.await??;
        }
        let v = std::mem::take(&mut *salida.lock().unwrap());
        Ok(v)
    }

    /// Sends every assignment with `concurrencia` clients; each client retries its own request while
    /// `reintentar` (on 503, honouring `Retry-After` up to 1 s, and on no answer) until `hasta`. `avance` counts
    /// the answered ones.
    fn asignar(
        &self,
        alumnos: &[Alumno],
        concurrencia: usize,
        reintentar: bool,
        hasta: Duration,
        visto: Arc<Mutex<Visto>>,
        avance: Arc<AtomicUsize>,
    ) -> impl std::future::Future<Output = ()> + 'static {
        asignar(
            self.cliente.clone(),
            format!("{}/api/nss/asignaciones", self.base),
            alumnos.to_vec(),
            concurrencia,
            reintentar,
            hasta,
            visto,
            avance,
        )
    }
}

#[allow(clippy::too_many_arguments)]
async fn asignar(
    cliente: Cliente,
    url: String,
    alumnos: Vec<Alumno>,
    concurrencia: usize,
    reintentar: bool,
    hasta: Duration,
    visto: Arc<Mutex<Visto>>,
    avance: Arc<AtomicUsize>,
) {
    let siguiente = Arc::new(AtomicUsize::new(0));
    let alumnos = Arc::new(alumnos);
    let url = Arc::new(url);
    let inicio = Instant::now();
    let mut tareas = Vec::new();
    for _ in 0..concurrencia {
        let (c, url, alumnos, siguiente, visto, avance) = (
            cliente.clone(),
            url.clone(),
            alumnos.clone(),
            siguiente.clone(),
            visto.clone(),
            avance.clone(),
        );
        tareas.push(tokio::spawn(async move {
            loop {
                let i = siguiente.fetch_add(1, Ordering::Relaxed);
                let Some(a) = alumnos.get(i) else { return };
                loop {
                    let (s, ra, b) = post_desde(&c, &url, a.cuerpo.clone(), a.ip.as_deref()).await;
                    let nss = (s == 200)
                        .then(|| serde_json::from_slice::<Value>(&b).ok())
                        .flatten()
                        .and_then(|v| v["nss"].as_str().map(str::to_string));
                    visto.lock().unwrap().anotar(&a.curp, s, nss, ra);
                    if s == 200 || !reintentar || inicio.elapsed() > hasta {
                        avance.fetch_add(1, Ordering::Relaxed);
                        break;
                    }
                    let espera = if s == 0 { 100 } else { 1000 };
                    tokio::time::sleep(Duration::from_millis(espera)).await;
                }
            }
        }));
    }
    for t in tareas {
        let _ = t.await;
    }
}

impl Banco {
    async fn pendientes(&self) -> anyhow::Result<i64> {
        let pool = sqlx::AnyPool::connect(&self.db_url).await?;
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM outbox WHERE estado = 'pendiente'")
            .fetch_one(&pool)
            .await?
            .try_get(0)?;
        pool.close().await;
        Ok(n)
    }

    /// Waits until the outbox has nothing pending (or `limite` passes); answers how long it took.
    async fn esperar_correo(&self, limite: Duration) -> anyhow::Result<Duration> {
        let t = Instant::now();
        while self.pendientes().await? > 0 {
            anyhow::ensure!(t.elapsed() < limite, "mail still pending after {limite:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(t.elapsed())
    }

    /// `afiliate_outbox_pendientes` from `/metrics`.
    async fn backlog_en_metricas(&self) -> Option<f64> {
        let uri: hyper::Uri = format!("{}/metrics", self.base).parse().ok()?;
        let res = self.cliente.get(uri).await.ok()?;
        let b = res.into_body().collect().await.ok()?.to_bytes();
        String::from_utf8_lossy(&b)
            .lines()
            .find(|l| l.starts_with("afiliate_outbox_pendientes"))
            .and_then(|l| l.split_whitespace().last()?.parse().ok())
    }
}

/// How long the outbox may take to deliver `n` messages: at least 5 a second, plus the retries' backoff.
fn limite_correo(n: usize) -> Duration {
    Duration::from_secs(120 + n as u64 / 5)
}

fn esperar_puerto(puerto: u16, limite: Duration) -> anyhow::Result<()> {
    let t = Instant::now();
    while t.elapsed() < limite {
        if std::net::TcpStream::connect(("127.0.0.1", puerto)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    anyhow::bail!("nothing listened on {puerto} within {limite:?}")
}

/// The received messages: e-mail → the Message-IDs received for it (one entry per copy), and each file's mtime.
fn correos_recibidos(maildir: &Path) -> (HashMap<String, Vec<String>>, Vec<std::time::SystemTime>) {
    let mut por_correo: HashMap<String, Vec<String>> = HashMap::new();
    let mut horas = Vec::new();
    for sub in ["new", "cur"] {
        let Ok(dir) = std::fs::read_dir(maildir.join(sub)) else {
            continue;
        };
        for e in dir.flatten() {
            if let Ok(m) = e.metadata().and_then(|m| m.modified()) {
                horas.push(m);
            }
            let Ok(texto) = std::fs::read(e.path()) else {
                continue;
            };
            let cabeza = String::from_utf8_lossy(&texto[..texto.len().min(8192)]).to_string();
            let cabeza = cabeza
                .split("\r\n\r\n")
                .next()
                .unwrap_or("")
                .split("\n\n")
                .next()
                .unwrap_or("");
            let campo = |nombre: &str| {
                cabeza.lines().find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case(nombre).then(|| v.trim().to_string())
                })
            };
            let para = campo("To").unwrap_or_default();
            let para = para
                .rsplit('<')
                .next()
                .unwrap_or("")
                .trim_end_matches('>')
                .trim()
                .to_ascii_lowercase();
            por_correo
                .entry(para)
                .or_default()
                .push(campo("Message-ID").unwrap_or_default());
        }
    }
    horas.sort();
    (por_correo, horas)
}

/// One table row.
struct Fila {
    escenario: String,
    tamano: String,
    reconocidas: usize,
    perdidas: usize,
    duplicadas: usize,
    correos_una_vez: usize,
    reenvios: usize,
    quinientos: String,
    tiempo: Duration,
    notas: Vec<String>,
}

impl Fila {
    fn falla(&self) -> bool {
        self.perdidas > 0 || self.duplicadas > 0 || self.correos_una_vez < self.reconocidas
    }
}

/// The checks after a scenario, on the database and the maildir.
async fn verificar(
    banco: &Banco,
    alumnos: &[Alumno],
    visto: &Visto,
) -> anyhow::Result<(usize, usize, usize, usize)> {
    let pool = sqlx::AnyPool::connect(&banco.db_url).await?;
    let mut en_db: HashMap<String, String> = HashMap::new();
    let mut por_nss: HashMap<String, usize> = HashMap::new();
    for r in sqlx::query("SELECT curp, nss FROM nss_asignaciones")
        .fetch_all(&pool)
        .await?
    {
        let (curp, nss): (String, String) = (r.try_get(0)?, r.try_get(1)?);
        *por_nss.entry(nss.clone()).or_default() += 1;
        if en_db.insert(curp, nss).is_some() {
            // Two rows for one CURP (the schema forbids it).
            *por_nss.entry("<curp repetida>".into()).or_default() += 2;
        }
    }
    let mut docs: HashMap<String, usize> = HashMap::new();
    for r in sqlx::query("SELECT curp FROM documentos WHERE tramite = 'asignacion'")
        .fetch_all(&pool)
        .await?
    {
        *docs.entry(r.try_get(0)?).or_default() += 1;
    }
    let mut filas_outbox: HashMap<String, usize> = HashMap::new();
    for r in sqlx::query("SELECT payload FROM outbox")
        .fetch_all(&pool)
        .await?
    {
        let payload: String = r.try_get(0)?;
        let v: Value = serde_json::from_str(&payload)?;
        let para = v["para"].as_str().unwrap_or_default().to_ascii_lowercase();
        *filas_outbox.entry(para).or_default() += 1;
    }
    pool.close().await;
    let (recibidos, _) = correos_recibidos(&banco.maildir());

    let mut perdidas = 0;
    let mut duplicadas = visto.cambiados + por_nss.values().filter(|n| **n > 1).count();
    let (mut una_vez, mut reenvios) = (0, 0);
    for a in alumnos {
        let Some(nss) = visto.nss.get(&a.curp) else {
            continue;
        };
        let completo = en_db.get(&a.curp) == Some(nss)
            && docs.get(&a.curp).copied().unwrap_or(0) >= 2
            && filas_outbox.get(&a.correo).copied().unwrap_or(0) >= 1;
        if !completo {
            perdidas += 1;
        }
        if filas_outbox.get(&a.correo).copied().unwrap_or(0) > 1 {
            duplicadas += 1;
        }
        let copias = recibidos.get(&a.correo).map(Vec::as_slice).unwrap_or(&[]);
        let distintos: HashSet<&String> = copias.iter().collect();
        if distintos.len() == 1 {
            una_vez += 1;
            reenvios += copias.len() - 1;
        }
    }
    Ok((perdidas, duplicadas, una_vez, reenvios))
}

struct Tamanos {
    ronda: usize,
    rondas: usize,
    carga: usize,
    /// Requests of each flood of the abuse scenario.
    inundacion: usize,
    /// The mail scenario's backlog queued while the server is down.
    backlog: usize,
}

async fn choque(
    servidor: PathBuf,
    python: PathBuf,
    postgres: bool,
    t: &Tamanos,
) -> anyhow::Result<Fila> {
    let inicio = Instant::now();
    let mut b = Banco::nuevo(servidor, python, postgres).await?;
    b.arrancar_smtp()?;
    let total = t.ronda * t.rondas;
    let alumnos = b.sembrar(total * 3 / 2 + 60)?;
    b.arrancar()?;
    let alumnos = b.preparar(&alumnos[..total]).await?;
    eprintln!(
        "faults: {} tokens ready at {:.1} s",
        alumnos.len(),
        inicio.elapsed().as_secs_f64()
    );
    let visto = Arc::new(Mutex::new(Visto::default()));
    let mut notas = Vec::new();
    let mut reinicios = Vec::new();
    for r in 0..t.rondas {
        let lote = &alumnos[r * t.ronda..(r + 1) * t.ronda];
        let avance = Arc::new(AtomicUsize::new(0));
        let matar_en = rand::thread_rng().gen_range(t.ronda / 10..=t.ronda * 8 / 10);
        let carga = b.asignar(
            lote,
            256,
            false,
            Duration::from_secs(60),
            visto.clone(),
            avance.clone(),
        );
        let vigia = async {
            while avance.load(Ordering::Relaxed) < matar_en {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        };
        tokio::pin!(carga);
        // The load may end before the watcher sees the kill point: then it must not be awaited again.
        let terminada = tokio::select! {
            _ = &mut carga => {
                notas.push(format!("round {r}: over before the kill"));
                true
            }
            _ = vigia => false,
        };
        b.matar();
        if !terminada {
            carga.await;
        }
        let (ok, sin) = {
            let v = visto.lock().unwrap();
            (
                lote.iter().filter(|a| v.nss.contains_key(&a.curp)).count(),
                v.de(0),
            )
        };
        eprintln!(
            "faults: round {r}: killed at {:.1} s with {ok} of {} answered 200 ({sin} unanswered so far)",
            inicio.elapsed().as_secs_f64(),
            lote.len()
        );
        reinicios.push(b.arrancar()?);
        // Every client retries with its token, those answered 200 too: the same NSS again.
        b.asignar(
            lote,
            64,
            true,
            Duration::from_secs(60),
            visto.clone(),
            Arc::new(AtomicUsize::new(0)),
        )
        .await;
    }
    eprintln!(
        "faults: rounds done at {:.1} s",
        inicio.elapsed().as_secs_f64()
    );
    let drenado = b.esperar_correo(limite_correo(alumnos.len())).await;
    if let Err(e) = &drenado {
        notas.push(e.to_string());
    }
    eprintln!(
        "faults: mail drained at {:.1} s",
        inicio.elapsed().as_secs_f64()
    );
    b.matar();
    let visto = std::mem::take(&mut *visto.lock().unwrap());
    let (perdidas, duplicadas, una_vez, reenvios) = verificar(&b, &alumnos, &visto).await?;
    let sin_responder = alumnos
        .iter()
        .filter(|a| !visto.nss.contains_key(&a.curp))
        .count();
    if sin_responder > 0 {
        notas.push(format!(
            "{sin_responder} never answered 200 after the restarts"
        ));
    }
    let max = reinicios.iter().max().copied().unwrap_or_default();
    notas.push(format!(
        "restart to listening: max {:.2} s",
        max.as_secs_f64()
    ));
    Ok(Fila {
        escenario: if postgres { "crash-pg" } else { "crash-sqlite" }.into(),
        tamano: format!("{}x{}", t.rondas, t.ronda),
        reconocidas: visto.nss.len(),
        perdidas,
        duplicadas: duplicadas + sin_responder,
        correos_una_vez: una_vez,
        reenvios,
        quinientos: (visto.de(500) + visto.de(502) + visto.de(503)).to_string(),
        tiempo: inicio.elapsed(),
        notas,
    })
}

async fn correo(servidor: PathBuf, python: PathBuf, t: &Tamanos) -> anyhow::Result<Fila> {
    let inicio = Instant::now();
    let mut b = Banco::nuevo(servidor, python, false).await?;
    // The server's SMTP port is a proxy in front of aiosmtpd: during the outage it accepts and never answers (a
    // hung mail server), then it forwards.
    b.puerto_aiosmtpd = puerto_libre();
    b.arrancar_smtp()?;
    let reenviar = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let colgados = Arc::new(Mutex::new(Vec::new()));
    let proxy = tokio::net::TcpListener::bind(("127.0.0.1", b.puerto_smtp)).await?;
    let proxy = {
        let (reenviar, colgados, destino) = (reenviar.clone(), colgados.clone(), b.puerto_aiosmtpd);
        tokio::spawn(async move {
            while let Ok((mut s, _)) = proxy.accept().await {
                if reenviar.load(Ordering::SeqCst) {
                    tokio::spawn(async move {
                        if let Ok(mut d) =
                            tokio::net::TcpStream::connect(("127.0.0.1", destino)).await
                        {
                            let _ = tokio::io::copy_bidirectional(&mut s, &mut d).await;
                        }
                    });
                } else {
                    colgados.lock().unwrap().push(s);
                }
            }
        })
    };
    let alumnos = b.sembrar(t.carga * 3 / 2 + 60)?;
    b.arrancar()?;
    let alumnos = b.preparar(&alumnos[..t.carga]).await?;
    let visto = Arc::new(Mutex::new(Visto::default()));
    b.asignar(
        &alumnos,
        64,
        true,
        Duration::from_secs(120),
        visto.clone(),
        Arc::new(AtomicUsize::new(0)),
    )
    .await;
    let backlog = b.backlog_en_metricas().await.unwrap_or(-1.0);
    // SMTP back: the proxy forwards, the hung connections are cut.
    let arriba = std::time::SystemTime::now();
    reenviar.store(true, Ordering::SeqCst);
    colgados.lock().unwrap().clear();
    let mut notas = vec![format!("backlog in /metrics during the outage: {backlog}")];
    let drenado = b.esperar_correo(limite_correo(alumnos.len())).await;
    match &drenado {
        Ok(d) => notas.push(format!(
            "backlog of {} drained {:.1} s after SMTP was back",
            alumnos.len(),
            d.as_secs_f64()
        )),
        Err(e) => notas.push(e.to_string()),
    }
    let (_, horas) = correos_recibidos(&b.maildir());
    // The delivery rate: the messages that were due at once (all but the batch leased when the outage began,
    // which waits for its retry), from the first delivered to the last of them.
    let a_tiempo: Vec<_> = horas.iter().filter(|h| **h >= arriba).collect();
    let n = a_tiempo.len().saturating_sub(LOTE_CORREO);
    if n > 10 {
        let span = a_tiempo[n - 1]
            .duration_since(*a_tiempo[0])
            .unwrap_or_default()
            .as_secs_f64()
            .max(1e-3);
        notas.push(format!(
            "SMTP delivery rate after the outage {:.0} messages/s (each with both PDFs; {n} messages in {span:.2} s)",
            n as f64 / span
        ));
    }
    b.matar();
    let visto = std::mem::take(&mut *visto.lock().unwrap());
    let (perdidas, duplicadas, una_vez, reenvios) = verificar(&b, &alumnos, &visto).await?;

    // A backlog queued while no server runs, drained by a fresh one through the proxy (forwarding now).
    let rezagados = encolar_rezagados(&b, t.backlog).await?;
    b.arrancar()?;
    let drenado = b.esperar_correo(limite_correo(t.backlog)).await;
    b.matar();
    proxy.abort();
    let (recibidos, _) = correos_recibidos(&b.maildir());
    let (mut rezagados_perdidos, mut rezagados_dobles) = (0, 0);
    for para in &rezagados {
        let ids: HashSet<&String> = recibidos.get(para).into_iter().flatten().collect();
        match ids.len() {
            0 => rezagados_perdidos += 1,
            1 => {}
            _ => rezagados_dobles += 1,
        }
    }
    match &drenado {
        Ok(d) => notas.push(format!(
            "a backlog of {} drained over SMTP in {:.1} s from the server's start ({:.0} messages/s; {} lost, {} duplicated)",
            t.backlog,
            d.as_secs_f64(),
            t.backlog as f64 / d.as_secs_f64().max(1e-3),
            rezagados_perdidos,
            rezagados_dobles
        )),
        Err(e) => notas.push(format!("backlog: {e}")),
    }
    if backlog < (alumnos.len() as f64) * 0.5 {
        notas.push("FAIL: the backlog did not show in /metrics".into());
    }
    Ok(Fila {
        escenario: "mail".into(),
        tamano: alumnos.len().to_string(),
        reconocidas: visto.nss.len(),
        perdidas: perdidas + alumnos.len() - visto.nss.len() + rezagados_perdidos,
        duplicadas: duplicadas + rezagados_dobles,
        correos_una_vez: una_vez,
        reenvios,
        quinientos: (visto.de(500) + visto.de(503)).to_string(),
        tiempo: inicio.elapsed(),
        notas,
    })
}

/// The server's lease batch (4 × `AFILIATE_MAIL_CONCURRENCIA`, default 32): the messages leased when an outage
/// began wait for their retry.
const LOTE_CORREO: usize = 128;

/// Queues `n` messages (each with both documents) straight into the outbox of a stopped server, each to its own
/// address: the addresses.
async fn encolar_rezagados(b: &Banco, n: usize) -> anyhow::Result<Vec<String>> {
    use afiliate_server::documents::{Documentos, Persona, Sellador, TipoDocumento, Tramite};
    let docs = Documentos::new(Sellador::aleatorio(), &b.base, 3600);
    let pool = sqlx::AnyPool::connect(&b.db_url).await?;
    let mut tx = pool.begin().await?;
    let ahora = chrono::Utc::now();
    let mut correos = Vec::with_capacity(n);
    for i in 0..n {
        let p = Persona {
            nombre: format!("Alumno Rezagado {i}"),
            curp: "RERA000101HDFXXX01".into(),
            nss: format!("{:011}", 77_000_000_000u64 + i as u64),
        };
        let d: Vec<_> = TipoDocumento::DEL_NSS
            .iter()
            .map(|&t| docs.emitir(t, Tramite::Asignacion, &p, ahora))
            .collect();
        let para = format!("rezagado{i}@example.com");
        sqlx::query("INSERT INTO outbox (creado_en, payload, proximo_intento) VALUES ($1, $2, $3)")
            .bind(ahora.timestamp())
            .bind(afiliate_server::mail::Correo::nss(&para, &d).to_json())
            .bind(ahora.timestamp())
            .execute(&mut *tx)
            .await?;
        correos.push(para);
    }
    tx.commit().await?;
    pool.close().await;
    Ok(correos)
}

async fn reinicio_pg(servidor: PathBuf, python: PathBuf, t: &Tamanos) -> anyhow::Result<Fila> {
    let inicio = Instant::now();
    let mut b = Banco::nuevo(servidor, python, true).await?;
    b.arrancar_smtp()?;
    let alumnos = b.sembrar(t.carga * 3 / 2 + 60)?;
    b.arrancar()?;
    let alumnos = b.preparar(&alumnos[..t.carga]).await?;
    let visto = Arc::new(Mutex::new(Visto::default()));
    let avance = Arc::new(AtomicUsize::new(0));
    let reiniciar_en = t.carga / 3;
    let carga = b.asignar(
        &alumnos,
        64,
        true,
        Duration::from_secs(120),
        visto.clone(),
        avance.clone(),
    );
    let pg = b._pg.as_ref().expect("postgres");
    let reinicio = async {
        while avance.load(Ordering::Relaxed) < reiniciar_en {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let t = Instant::now();
        let ok_antes = visto.lock().unwrap().de(200);
        let r = tokio::task::block_in_place(|| pg.ctl("restart"));
        let abajo = t.elapsed();
        // Until the first new 200 after PostgreSQL is back.
        let t = Instant::now();
        while visto.lock().unwrap().de(200) == ok_antes && t.elapsed() < Duration::from_secs(60) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        (r, abajo, t.elapsed())
    };
    let (_, (r, abajo, recuperado)) = tokio::join!(carga, reinicio);
    r?;
    let drenado = b.esperar_correo(limite_correo(alumnos.len())).await;
    b.matar();
    let visto = std::mem::take(&mut *visto.lock().unwrap());
    let (perdidas, duplicadas, una_vez, reenvios) = verificar(&b, &alumnos, &visto).await?;
    let mut notas = vec![format!(
        "pg_ctl restart took {:.2} s; first 200 {:.2} s after it; 503 {} ({} without Retry-After), no answer {}",
        abajo.as_secs_f64(),
        recuperado.as_secs_f64(),
        visto.de(503),
        visto.sin_retry_after,
        visto.de(0)
    )];
    if let Err(e) = drenado {
        notas.push(e.to_string());
    }
    let quinientos = visto.de(500);
    if quinientos > 0 || visto.sin_retry_after > 0 || recuperado > Duration::from_secs(10) {
        notas.push("FAIL: 500s, a 503 without Retry-After or no recovery within 10 s".into());
    }
    Ok(Fila {
        escenario: "pg-restart".into(),
        tamano: alumnos.len().to_string(),
        reconocidas: visto.nss.len(),
        perdidas: perdidas + alumnos.len() - visto.nss.len(),
        duplicadas,
        correos_una_vez: una_vez,
        reenvios,
        quinientos: format!("{quinientos}x500 {}x503", visto.de(503)),
        tiempo: inicio.elapsed(),
        notas,
    })
}

/// Three server processes on one PostgreSQL with copies of one keys folder, behind one trusted proxy
/// (`X-Forwarded-For` names the client): the CAPTCHAs come from one process and are answered on another, and
/// the assignments go to all three (every fourth student's to all three at once); then the limits shared through
/// the database: a CAPTCHA answered on three processes at once passes once, one CURP's solicitudes spread over
/// the three stop at the daily limit, and one client's burst spread over them stops at the per-IP limit.
async fn escala(servidor: PathBuf, python: PathBuf, t: &Tamanos) -> anyhow::Result<Fila> {
    const LIMITE_CURP: usize = 3;
    const IP_SEG: usize = 5;
    let inicio = Instant::now();
    let mut b = Banco::nuevo(servidor, python, true).await?;
    b.arrancar_smtp()?;
    b.entorno_extra = vec![
        ("AFILIATE_PROXIES".into(), "1".into()),
        ("AFILIATE_LIMITE_IP_SEG".into(), IP_SEG.to_string()),
        ("AFILIATE_LIMITE_CURP_DIA".into(), LIMITE_CURP.to_string()),
        // Nothing is killed here: a lease longer than a busy round keeps a slow round's rows its own.
        ("AFILIATE_OUTBOX_ARRIENDO_S".into(), "60".into()),
    ];
    let sembrados = b.sembrar(t.carga * 3 / 2 + 60)?;
    b.arrancar()?;
    let mut otros = Vec::new();
    let mut bases = vec![b.base.clone()];
    for n in 1..3 {
        let puerto = puerto_libre();
        otros.push(b.servidor_en(puerto, &format!("data{n}"), &format!("server{n}.log"))?);
        esperar_puerto(puerto, Duration::from_secs(60))?;
        bases.push(format!("http://127.0.0.1:{puerto}"));
    }
    let ip_de = |i: usize| format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255);
    let reto = |c: Cliente, base: String, ip: String| async move {
        let (s, _, b) = post_desde(
            &c,
            &format!("{base}/api/captcha"),
            Bytes::from("{}"),
            Some(&ip),
        )
        .await;
        anyhow::ensure!(s == 201, "captcha: {s}");
        Ok::<String, anyhow::Error>(
            serde_json::from_slice::<Value>(&b)?["id"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        )
    };
    let solicitud = |curp: &str, correo: &str, id: &str| {
        Bytes::from(
            json!({"curp": curp, "correo": correo, "confirmacion_correo": correo,
                   "captcha_id": id, "captcha_respuesta": CAPTCHA})
            .to_string(),
        )
    };

    // Tokens: the CAPTCHA from process i % 3, the solicitud on the next one.
    let (carga, resto) = sembrados.split_at(t.carga);
    let mut alumnos = Vec::new();
    for (lote_i, lote) in carga.chunks(32).enumerate() {
        let mut tareas = Vec::new();
        for (j, (curp, correo)) in lote.iter().enumerate() {
            let i = lote_i * 32 + j;
            let (c, ip) = (b.cliente.clone(), ip_de(i));
            let (origen, destino) = (bases[i % 3].clone(), bases[(i + 1) % 3].clone());
            let (curp, correo) = (curp.clone(), correo.clone());
            tareas.push(tokio::spawn(async move {
                preparar_uno(&c, &origen, &destino, &curp, &correo, Some(ip)).await
            }));
        }
        for t in tareas {
            alumnos.push(t.await??);
        }
    }

    // Assignments: a third to each process, and every fourth student to all three at once.
    let visto = Arc::new(Mutex::new(Visto::default()));
    let mut cargas = Vec::new();
    for (k, base) in bases.iter().enumerate() {
        let mut suyos: Vec<Alumno> = alumnos
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 3 == k || i % 4 == 0)
            .map(|(_, a)| a.clone())
            .collect();
        // Each process meets the shared students in another order.
        let giro = k * suyos.len() / 3;
        suyos.rotate_left(giro);
        cargas.push(tokio::spawn(asignar(
            b.cliente.clone(),
            format!("{base}/api/nss/asignaciones"),
            suyos,
            24,
            true,
            Duration::from_secs(120),
            visto.clone(),
            Arc::new(AtomicUsize::new(0)),
        )));
    }
    for c in cargas {
        c.await?;
    }
    let mut notas = Vec::new();

    // One CAPTCHA answered on the three processes at once: one solicitud passes.
    let id = reto(b.cliente.clone(), bases[0].clone(), "10.250.0.1".into()).await?;
    let mut tareas = Vec::new();
    for (k, base) in bases.iter().enumerate() {
        let (curp, correo) = &resto[k];
        let (c, url, cuerpo) = (
            b.cliente.clone(),
            format!("{base}/api/nss/solicitudes"),
            solicitud(curp, correo, &id),
        );
        let ip = format!("10.250.1.{k}");
        tareas.push(tokio::spawn(async move {
            post_desde(&c, &url, cuerpo, Some(&ip)).await.0
        }));
    }
    let mut captcha_ok = 0;
    for t in tareas {
        captcha_ok += usize::from(t.await? == 200);
    }
    notas.push(format!("one CAPTCHA on 3 processes: {captcha_ok} passed"));
    if captcha_ok != 1 {
        notas.push("FAIL: a CAPTCHA was used more than once (or never)".into());
    }

    // One CURP's 3 × LIMITE_CURP solicitudes at once, over the three: LIMITE_CURP pass.
    let (curp, correo) = &resto[3];
    let mut tareas = Vec::new();
    for i in 0..3 * LIMITE_CURP {
        let base = bases[i % 3].clone();
        let ip = format!("10.251.0.{i}");
        let id = reto(b.cliente.clone(), bases[(i + 1) % 3].clone(), ip.clone()).await?;
        let (c, cuerpo) = (b.cliente.clone(), solicitud(curp, correo, &id));
        tareas.push(tokio::spawn(async move {
            post_desde(
                &c,
                &format!("{base}/api/nss/solicitudes"),
                cuerpo,
                Some(&ip),
            )
            .await
            .0
        }));
    }
    let mut estados = Vec::new();
    for t in tareas {
        estados.push(t.await?);
    }
    let pasaron = estados.iter().filter(|s| **s == 200).count();
    let limitadas = estados.iter().filter(|s| **s == 429).count();
    notas.push(format!(
        "one CURP's {} solicitudes over 3 processes: {pasaron} passed, {limitadas} × 429 (limit {LIMITE_CURP} a day)",
        estados.len()
    ));
    if pasaron != LIMITE_CURP || limitadas != estados.len() - LIMITE_CURP {
        notas.push("FAIL: the daily limit did not hold across processes".into());
    }

    // One client's 60 CAPTCHA requests at once, 20 to each process: the burst (2 × IP_SEG) and what the rate
    // refills meanwhile pass, not three bursts.
    let t0 = Instant::now();
    let mut tareas = Vec::new();
    for i in 0..60 {
        let url = format!("{}/api/captcha", bases[i % 3]);
        let c = b.cliente.clone();
        tareas.push(tokio::spawn(async move {
            let (s, ra, _) = post_desde(&c, &url, Bytes::from("{}"), Some("203.0.113.7")).await;
            (s, ra)
        }));
    }
    let mut estados = Vec::new();
    for t in tareas {
        estados.push(t.await?);
    }
    let lapso = t0.elapsed().as_secs_f64();
    let ok = estados.iter().filter(|(s, _)| *s == 201).count();
    let sin_ra = estados.iter().filter(|(s, ra)| *s == 429 && !ra).count();
    let tope = 2 * IP_SEG + (IP_SEG as f64 * lapso).ceil() as usize;
    notas.push(format!(
        "one client's 60 requests over 3 processes in {lapso:.2} s: {ok} passed (at most {tope}; {} without sharing)",
        3 * 2 * IP_SEG
    ));
    if ok == 0 || ok > tope || sin_ra > 0 {
        notas.push("FAIL: the per-IP limit did not hold across processes".into());
    }

    let drenado = b.esperar_correo(limite_correo(alumnos.len())).await;
    if let Err(e) = drenado {
        notas.push(e.to_string());
    }
    b.matar();
    drop(otros);
    let visto = std::mem::take(&mut *visto.lock().unwrap());
    let (perdidas, duplicadas, una_vez, reenvios) = verificar(&b, &alumnos, &visto).await?;
    let sin_responder = alumnos
        .iter()
        .filter(|a| !visto.nss.contains_key(&a.curp))
        .count();
    if sin_responder > 0 {
        notas.push(format!("FAIL: {sin_responder} never answered 200"));
    }
    Ok(Fila {
        escenario: "scale-out".into(),
        tamano: format!("3x{}", alumnos.len()),
        reconocidas: visto.nss.len(),
        perdidas,
        duplicadas,
        correos_una_vez: una_vez,
        reenvios,
        quinientos: (visto.de(500) + visto.de(503)).to_string(),
        tiempo: inicio.elapsed(),
        notas,
    })
}

/// The per-IP limit under a flood: `n` solicitudes from one address, then `n` from addresses spread over one IPv6
/// /64, each at 256 at once, while another client asks a CAPTCHA and makes a solicitud every 20 ms. The flood is
/// answered 429 with `Retry-After` beyond the limit, and the other client is always served (its p99 printed).
async fn abuso(servidor: PathBuf, python: PathBuf, t: &Tamanos) -> anyhow::Result<Fila> {
    const IP_SEG: usize = 20;
    let inicio = Instant::now();
    let n = t.inundacion;
    let mut b = Banco::nuevo(servidor, python, false).await?;
    b.entorno_extra = vec![
        ("AFILIATE_PROXIES".into(), "1".into()),
        ("AFILIATE_LIMITE_IP_SEG".into(), IP_SEG.to_string()),
    ];
    let sembrados = b.sembrar(200)?;
    b.arrancar()?;
    let fin = Arc::new(std::sync::atomic::AtomicBool::new(false));
    // The other client: its own address, one solicitud at a time (CAPTCHA, then the solicitud), 20 ms apart.
    let vecino = {
        let (c, base, fin) = (b.cliente.clone(), b.base.clone(), fin.clone());
        let alumnos = sembrados.clone();
        tokio::spawn(async move {
            let mut latencias = Vec::new();
            let mut fallos = 0usize;
            let mut i = 0usize;
            while !fin.load(Ordering::Relaxed) {
                let (curp, correo) = &alumnos[i % alumnos.len()];
                // One address per student keeps the neighbour under its own limit and the daily ones.
                let ip = format!("192.0.2.{}", i % 200);
                i += 1;
                let t = Instant::now();
                let (s, _, cuerpo) = post_desde(
                    &c,
                    &format!("{base}/api/captcha"),
                    Bytes::from("{}"),
                    Some(&ip),
                )
                .await;
                let id = serde_json::from_slice::<Value>(&cuerpo)
                    .ok()
                    .and_then(|v| v["id"].as_str().map(str::to_string));
                let ok = match (s, id) {
                    (201, Some(id)) => {
                        let cuerpo = json!({"curp": curp, "correo": correo, "confirmacion_correo": correo,
                                            "captcha_id": id, "captcha_respuesta": CAPTCHA});
                        let url = format!("{base}/api/nss/solicitudes");
                        post_desde(&c, &url, Bytes::from(cuerpo.to_string()), Some(&ip))
                            .await
                            .0
                            == 200
                    }
                    _ => false,
                };
                latencias.push(t.elapsed());
                fallos += usize::from(!ok);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            (latencias, fallos)
        })
    };
    // The flood: a well-formed solicitud with a made-up CAPTCHA, so what passes the limit costs a parse and a
    // CAPTCHA check.
    let cuerpo = Bytes::from(
        json!({"curp": "RAXD041201HJCMXGA7", "correo": "x@example.com", "confirmacion_correo": "x@example.com",
               "captcha_id": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
               "captcha_respuesta": "AAAAAA"})
        .to_string(),
    );
    let mut notas = Vec::new();
    let mut quinientos = 0;
    let mut falla = false;
    for (nombre, de_red) in [("one address", false), ("one /64", true)] {
        let t0 = Instant::now();
        let siguiente = Arc::new(AtomicUsize::new(0));
        let mut tareas = Vec::new();
        for _ in 0..256 {
            let (c, url, cuerpo, siguiente) = (
                b.cliente.clone(),
                format!("{}/api/nss/solicitudes", b.base),
                cuerpo.clone(),
                siguiente.clone(),
            );
            tareas.push(tokio::spawn(async move {
                let mut estados: HashMap<u16, usize> = HashMap::new();
                let mut sin_ra = 0usize;
                loop {
                    let i = siguiente.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        return (estados, sin_ra);
                    }
                    let ip = if de_red {
                        format!(
                            "[2001:db8:aa:bb:{:x}:{:x}::1]",
                            i >> 16 & 0xffff,
                            i & 0xffff
                        )
                    } else {
                        "198.51.100.7".to_string()
                    };
                    let (s, ra, _) = post_desde(&c, &url, cuerpo.clone(), Some(&ip)).await;
                    *estados.entry(s).or_default() += 1;
                    sin_ra += usize::from(s == 429 && !ra);
                }
            }));
        }
        let mut estados: HashMap<u16, usize> = HashMap::new();
        let mut sin_ra = 0;
        for t in tareas {
            let (e, r) = t.await?;
            for (k, v) in e {
                *estados.entry(k).or_default() += v;
            }
            sin_ra += r;
        }
        let lapso = t0.elapsed().as_secs_f64();
        let limitadas = estados.get(&429).copied().unwrap_or(0);
        let pasaron = n - limitadas;
        let tope = 2 * IP_SEG + (IP_SEG as f64 * lapso).ceil() as usize;
        quinientos += estados
            .iter()
            .filter(|(k, _)| **k >= 500 || **k == 0)
            .map(|(_, v)| v)
            .sum::<usize>();
        notas.push(format!(
            "{n} from {nombre} in {lapso:.1} s ({:.0}/s): {limitadas} × 429, {pasaron} past the limit (at most {tope})",
            n as f64 / lapso
        ));
        if pasaron > tope || sin_ra > 0 {
            falla = true;
            notas.push(format!(
                "FAIL: {nombre}: over the limit, or {sin_ra} × 429 without Retry-After"
            ));
        }
    }
    fin.store(true, Ordering::Relaxed);
    let (mut latencias, fallos) = vecino.await?;
    latencias.sort();
    let p = |q: f64| {
        latencias
            .get(((latencias.len() as f64 * q) as usize).min(latencias.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    notas.push(format!(
        "the other client meanwhile: {} CAPTCHA + solicitud, {fallos} failed, p50 {:.1} ms, p99 {:.1} ms",
        latencias.len(),
        p(0.5),
        p(0.99)
    ));
    if fallos > 0 || latencias.is_empty() {
        falla = true;
        notas.push("FAIL: the other client was not always served".into());
    }
    b.matar();
    Ok(Fila {
        escenario: "abuse".into(),
        tamano: format!("2x{n}"),
        reconocidas: latencias.len() - fallos,
        perdidas: if falla { fallos.max(1) } else { 0 },
        duplicadas: 0,
        correos_una_vez: latencias.len() - fallos,
        reenvios: 0,
        quinientos: quinientos.to_string(),
        tiempo: inicio.elapsed(),
        notas,
    })
}

/// A tmpfs mounted for the disk scenario, unmounted when dropped.
struct Montaje(PathBuf);

impl Drop for Montaje {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// Fills the filesystem of `dir` with one file until a write fails with ENOSPC; answers the bytes written.
fn llenar(archivo: &Path) -> u64 {
    use std::io::Write as _;
    let Ok(mut f) = std::fs::File::create(archivo) else {
        return 0;
    };
    let trozo = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    while f.write_all(&trozo).is_ok() {
        total += trozo.len() as u64;
    }
    // The last partial chunk may have gone in: fill up to the last byte.
    while f.write_all(&[0u8; 512]).is_ok() {
        total += 512;
    }
    let _ = f.sync_all();
    total
}

/// The SQLite database on a small tmpfs (48 MB; 768 MB at full size): a third of the assignments made, the filesystem filled to the last byte,
/// the rest sent (answered 503 with `Retry-After` once the database cannot grow, never 500), `PRAGMA
/// integrity_check`, the filler removed, then every client retries: all answered, nothing acknowledged lost.
async fn disco(servidor: PathBuf, python: PathBuf, t: &Tamanos) -> anyhow::Result<Fila> {
    let inicio = Instant::now();
    let mut b = Banco::nuevo(servidor, python, false).await?;
    let punto = b.dir.path().join("disco");
    std::fs::create_dir_all(&punto)?;
    // Room for the whole run's data once the filler is gone: 6,000 students' rows, documents, outbox payloads and
    // WAL outgrow 48 MB (a full-size run with 48 MB stayed full after the filler was removed).
    let tamano = if t.carga >= 1000 {
        "size=768m"
    } else {
        "size=48m"
    };
    let montado = Command::new("mount")
        .args(["-t", "tmpfs", "-o", tamano, "tmpfs"])
        .arg(&punto)
        .output()?;
    if !montado.status.success() {
        // Not a pass: the row says the scenario did not run, and why.
        return Ok(Fila {
            escenario: "disk-full".into(),
            tamano: "0".into(),
            reconocidas: 0,
            perdidas: 0,
            duplicadas: 0,
            correos_una_vez: 0,
            reenvios: 0,
            quinientos: "-".into(),
            tiempo: inicio.elapsed(),
            notas: vec![format!(
                "NOT RUN: mounting a small tmpfs needs root or CAP_SYS_ADMIN ({})",
                String::from_utf8_lossy(&montado.stderr).trim()
            )],
        });
    }
    let _montaje = Montaje(punto.clone());
    b.db_url = format!("sqlite://{}", punto.join("afiliate.db").display());
    b.arrancar_smtp()?;
    // A third before the disk fills; the rest, 64 at a time, while it is full, until the database cannot grow:
    // SQLite first reuses the room its WAL file already has.
    let total = t.carga * 5;
    let alumnos = b.sembrar(total * 3 / 2 + 60)?;
    b.arrancar()?;
    let alumnos = b.preparar(&alumnos[..total]).await?;
    let visto = Arc::new(Mutex::new(Visto::default()));
    let (antes, despues) = alumnos.split_at(t.carga / 3);
    b.asignar(
        antes,
        32,
        false,
        Duration::from_secs(60),
        visto.clone(),
        Arc::new(AtomicUsize::new(0)),
    )
    .await;
    let relleno = punto.join("relleno");
    let lleno = llenar(&relleno);
    let mut ok_lleno = 0;
    for lote in despues.chunks(64) {
        let ok = visto.lock().unwrap().de(200);
        b.asignar(
            lote,
            32,
            false,
            Duration::from_secs(60),
            visto.clone(),
            Arc::new(AtomicUsize::new(0)),
        )
        .await;
        let v = visto.lock().unwrap();
        ok_lleno += v.de(200) - ok;
        if v.de(503) + v.de(500) >= 32 {
            break;
        }
    }
    let (con_lleno, sin_ra_lleno, quinientos_lleno) = {
        let v = visto.lock().unwrap();
        (v.de(503), v.sin_retry_after, v.de(500))
    };
    // The database while the disk is still full.
    let integridad_lleno = integridad(&b.db_url).await?;
    std::fs::remove_file(&relleno)?;
    let t_libre = Instant::now();
    // Every client retries, and those not sent yet send (those answered 200 too get the same NSS again).
    b.asignar(
        &alumnos,
        32,
        true,
        Duration::from_secs(60),
        visto.clone(),
        Arc::new(AtomicUsize::new(0)),
    )
    .await;
    let recuperado = t_libre.elapsed();
    let drenado = b.esperar_correo(limite_correo(alumnos.len())).await;
    b.matar();
    let integridad_final = integridad(&b.db_url).await?;
    let visto = std::mem::take(&mut *visto.lock().unwrap());
    let (perdidas, duplicadas, una_vez, reenvios) = verificar(&b, &alumnos, &visto).await?;
    let sin_responder = alumnos
        .iter()
        .filter(|a| !visto.nss.contains_key(&a.curp))
        .count();
    let mut notas = vec![format!(
        "filled with {:.1} MB; while full: {ok_lleno} more assignments fitted in the database's free room, then \
         {con_lleno} × 503 ({sin_ra_lleno} without Retry-After), {quinientos_lleno} × 500; integrity_check while full `{integridad_lleno}`, after `{integridad_final}`; \
         all answered {:.2} s after space was freed",
        lleno as f64 / 1e6,
        recuperado.as_secs_f64()
    )];
    if let Err(e) = drenado {
        notas.push(e.to_string());
    }
    if con_lleno == 0 || sin_ra_lleno > 0 || quinientos_lleno > 0 {
        notas
            .push("FAIL: a full disk did not answer 503 with Retry-After (or answered 500)".into());
    }
    if integridad_lleno != "ok" || integridad_final != "ok" {
        notas.push("FAIL: integrity_check".into());
    }
    if sin_responder > 0 {
        notas.push(format!(
            "FAIL: {sin_responder} never answered 200 after space was freed"
        ));
    }
    Ok(Fila {
        escenario: "disk-full".into(),
        tamano: alumnos.len().to_string(),
        reconocidas: visto.nss.len(),
        perdidas,
        duplicadas,
        correos_una_vez: una_vez,
        reenvios,
        quinientos: format!("{}x500 {}x503", visto.de(500), visto.de(503)),
        tiempo: inicio.elapsed(),
        notas,
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    sqlx::any::install_default_drivers();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let valor = |nombre: &str| {
        args.iter()
            .position(|a| a == nombre)
            .and_then(|i| args.get(i + 1))
            .map(PathBuf::from)
    };
    let servidor = valor("--server").unwrap_or_else(|| "target/server/afiliate-server".into());
    let python = valor("--python").unwrap_or_else(|| ".tools/venv/bin/python".into());
    let reducido = args.iter().any(|a| a == "--reduced");
    let t = if reducido {
        // About 3 minutes in all on 2 cores: the mail drains dominate.
        Tamanos {
            ronda: 60,
            rondas: 5,
            carga: 200,
            inundacion: 5000,
            backlog: 300,
        }
    } else {
        Tamanos {
            ronda: 2000,
            rondas: 5,
            carga: 2000,
            inundacion: 50_000,
            backlog: 10_000,
        }
    };
    let escenario = args.first().map(String::as_str).unwrap_or("");
    let fila = match escenario {
        "crash-sqlite" => choque(servidor, python, false, &t).await?,
        "crash-pg" => choque(servidor, python, true, &t).await?,
        "mail" => correo(servidor, python, &t).await?,
        "pg-restart" => reinicio_pg(servidor, python, &t).await?,
        "scale-out" => escala(servidor, python, &t).await?,
        "abuse" => abuso(servidor, python, &t).await?,
        "disk-full" => disco(servidor, python, &t).await?,
        otro => {
            anyhow::bail!(
                "unknown scenario `{otro}`: crash-sqlite, crash-pg, mail, pg-restart, scale-out, abuse, disk-full"
            )
        }
    };
    let falla = fila.falla()
        || fila
            .notas
            .iter()
            .any(|n| n.starts_with("FAIL") || n.contains("pending"));
    println!(
        "| {} | {} | {} | {} | {} | {}/{}{} | {} | {:.1} s | {}",
        fila.escenario,
        fila.tamano,
        fila.reconocidas,
        fila.perdidas,
        fila.duplicadas,
        fila.correos_una_vez,
        fila.reconocidas,
        if fila.reenvios > 0 {
            format!(" (+{} re-sent, same Message-ID)", fila.reenvios)
        } else {
            String::new()
        },
        fila.quinientos,
        fila.tiempo.as_secs_f64(),
        fila.notas.join("; ")
    );
    if falla {
        std::process::exit(1);
    }
    Ok(())
}
