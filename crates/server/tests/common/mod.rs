//! Test fixtures: a fresh migrated database per test on SQLite (temp file) or PostgreSQL (a throwaway cluster
//! started once per test binary, one database per test), and helpers to call the app.
#![allow(dead_code)]

use afiliate_server::db::Db;
use afiliate_server::documents::Sellador;
use afiliate_server::{AppState, Config, Env};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use tower::ServiceExt;

pub const CAPTCHA: &str = "AbC23x";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

struct Cluster {
    /// `postgres://postgres@127.0.0.1:PORT` (no database).
    base: String,
}

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

fn es_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Runs a PostgreSQL binary, as the `postgres` user when we are root (initdb refuses root).
fn pg(bin: &str, args: &[&str]) -> std::process::Output {
    let path = format!("{PG_BIN}/{bin}");
    let out = if es_root() {
        Command::new("runuser")
            .args(["-u", "postgres", "--", &path])
            .args(args)
            .output()
    } else {
        Command::new(&path).args(args).output()
    };
    out.unwrap_or_else(|e| panic!("cannot run {path}: {e}"))
}

fn puerto_libre() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

// The watchdog outlives this process on purpose: it stops the cluster after we exit.
#[allow(clippy::zombie_processes)]
fn cluster() -> &'static Cluster {
    static C: OnceLock<Cluster> = OnceLock::new();
    C.get_or_init(|| {
        if let Ok(url) = std::env::var("AFILIATE_TEST_POSTGRES_URL") {
            return Cluster {
                base: url.trim_end_matches('/').to_string(),
            };
        }
        let dir = std::env::temp_dir().join(format!("afiliate-pg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("pg temp dir");
        if es_root() {
            let ok = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir)
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            assert!(ok, "chown of the cluster dir to postgres failed");
        }
        let data = dir.join("data");
        let data_s = data.to_string_lossy().to_string();
        let out = pg(
            "initdb",
            &["-D", &data_s, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"],
        );
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let port = puerto_libre();
        let opts = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -k {} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
            dir.display()
        );
        let log = dir.join("log").to_string_lossy().to_string();
        let out = pg("pg_ctl", &["-D", &data_s, "-l", &log, "-o", &opts, "-w", "-t", "60", "start"]);
        assert!(
            out.status.success(),
            "pg_ctl start failed: {} {}",
            String::from_utf8_lossy(&out.stdout),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        // Watchdog: stops the cluster and removes its files once this test process has exited.
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} ; rm -rf '{dir}'",
            pid = std::process::id(),
            stop = if es_root() {
                format!("runuser -u postgres -- {PG_BIN}/pg_ctl -D '{data_s}' -m immediate stop")
            } else {
                format!("{PG_BIN}/pg_ctl -D '{data_s}' -m immediate stop")
            },
            dir = dir.display()
        );
        Command::new("setsid")
            .args(["sh", "-c", &script])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("cluster watchdog");
        Cluster {
            base: format!("postgres://postgres@127.0.0.1:{port}"),
        }
    })
}

/// A new empty PostgreSQL database's URL.
pub async fn nueva_base_pg() -> String {
    use sqlx::Connection;
    let c = cluster();
    let nombre = format!("t_{}", afiliate_server::captcha::nuevo_id());
    let mut conn = sqlx::PgConnection::connect(&format!("{}/postgres", c.base))
        .await
        .expect("connect to the test cluster");
    sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {nombre}").as_str())
        .await
        .expect("create database");
    format!("{}/{nombre}", c.base)
}

/// A test's server: state, its data folder (kept alive) and the URL of its database.
pub struct Entorno {
    pub state: AppState,
    pub dir: tempfile::TempDir,
    pub url: String,
}

pub fn config_base(dir: &std::path::Path) -> Config {
    let mut c = Config::for_data_dir(dir);
    c.env = Env::Test;
    c.captcha_fixed = Some(CAPTCHA.into());
    c
}

/// A fresh migrated database on `backend`, the demo people loaded, and a state built from `config`.
pub async fn entorno_con(backend: Backend, ajustar: impl FnOnce(&mut Config)) -> Entorno {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = match backend {
        Backend::Sqlite => format!("sqlite://{}", dir.path().join("t.db").display()),
        Backend::Postgres => nueva_base_pg().await,
    };
    let mut config = config_base(dir.path());
    config.database_url = Some(url.clone());
    ajustar(&mut config);
    let db = Db::connect(&url).await.expect("db");
    afiliate_server::cli::sembrar_demo(&db, 50)
        .await
        .expect("seed");
    let state = AppState::with_parts(config, db, Sellador::aleatorio()).expect("state");
    Entorno { state, dir, url }
}

pub async fn entorno(backend: Backend) -> Entorno {
    entorno_con(backend, |_| {}).await
}

/// The documented demo cases: (localizado, sin_nss, sin_nss 2, no coincide, no en RENAPO).
pub struct Demos {
    pub localizado: String,
    pub localizado_nss: String,
    pub sin_nss: String,
    pub sin_nss_2: String,
    pub no_coincide: String,
    pub no_renapo: String,
}

pub fn demos() -> Demos {
    let (_, _, d) = afiliate_server::cli::datos_demo(0).expect("demo data");
    // By case, not by position: seed-demo may document more people.
    let caso = |c: &str, n: usize| {
        d.iter()
            .filter(|x| x.caso == c)
            .nth(n)
            .unwrap_or_else(|| panic!("demo case {c} #{n}"))
    };
    Demos {
        localizado: caso("localizado (ya tiene NSS)", 0).curp.clone(),
        localizado_nss: caso("localizado (ya tiene NSS)", 0)
            .nss
            .clone()
            .expect("nss"),
        sin_nss: caso("sin NSS (se asigna)", 0).curp.clone(),
        sin_nss_2: caso("sin NSS (se asigna)", 1).curp.clone(),
        no_coincide: caso("datos no coinciden (acudir a subdelegación)", 0)
            .curp
            .clone(),
        no_renapo: caso("no está en RENAPO", 0).curp.clone(),
    }
}

/// Sends one request through the router (no TCP) and checks the answer against the OpenAPI document
/// ([`Contrato::validar`]): an answer the document does not describe fails the test.
pub async fn llamar(
    state: &AppState,
    req: Request<Body>,
) -> (StatusCode, Value, axum::http::HeaderMap) {
    let metodo = req.method().clone();
    let ruta = req.uri().path().to_string();
    let res = con_ruta(afiliate_server::app(state.clone()))
        .oneshot(req)
        .await
        .expect("infallible");
    let status = res.status();
    let headers = res.headers().clone();
    let plantilla = res
        .extensions()
        .get::<RutaCoincidente>()
        .map(|r| r.0.clone());
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    if let Err(e) = contrato().validar(&metodo, plantilla.as_deref(), status, &headers, &bytes) {
        panic!("{metodo} {ruta} → {status}: the answer does not match the OpenAPI document: {e}");
    }
    let v = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, v, headers)
}

/// The route template the router matched (axum's `MatchedPath`), copied onto the response by [`con_ruta`].
#[derive(Clone, Debug)]
pub struct RutaCoincidente(pub String);

/// The app with a layer that copies the matched route template onto each response. `Router::layer` wraps the
/// routes themselves, so the layer runs after routing and sees `MatchedPath`.
pub fn con_ruta(app: axum::Router) -> axum::Router {
    app.layer(axum::middleware::from_fn(
        |req: axum::extract::Request, next: axum::middleware::Next| async move {
            let plantilla = req
                .extensions()
                .get::<axum::extract::MatchedPath>()
                .map(|m| RutaCoincidente(m.as_str().to_string()));
            let mut res = next.run(req).await;
            if let Some(p) = plantilla {
                res.extensions_mut().insert(p);
            }
            res
        },
    ))
}

/// The OpenAPI document the app serves, as JSON, and the schema validators built from it.
pub struct Contrato {
    pub doc: Value,
    validadores:
        std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<jsonschema::Validator>>>,
}

/// The app's document, built once per test binary.
pub fn contrato() -> &'static Contrato {
    static C: OnceLock<Contrato> = OnceLock::new();
    C.get_or_init(|| {
        Contrato::new(
            serde_json::to_value(afiliate_server::http::documento_openapi())
                .expect("document as JSON"),
        )
    })
}

/// A media type without its parameters, lower case: `application/json; charset=utf-8` → `application/json`.
fn tipo_base(t: &str) -> String {
    t.split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

impl Contrato {
    pub fn new(doc: Value) -> Contrato {
        Contrato {
            doc,
            validadores: Default::default(),
        }
    }

    /// Checks one answer against the document: the operation of `metodo` + `plantilla` (the matched route template)
    /// must exist, `status` must be one of its responses, the answer's `Content-Type` one of that response's media
    /// types, and a JSON body must validate against that media type's schema (`$ref`s resolved in
    /// `components/schemas`). Routes outside the document are accepted only where it says nothing: the built app
    /// and the catalog shards (no `/api` template), Swagger UI's files, and the `/api/{*resto}` catch-all, whose
    /// answer must still be a `Problema`.
    pub fn validar(
        &self,
        metodo: &axum::http::Method,
        plantilla: Option<&str>,
        status: StatusCode,
        cabeceras: &axum::http::HeaderMap,
        cuerpo: &[u8],
    ) -> Result<(), String> {
        let tipo = cabeceras
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(tipo_base);
        let Some(plantilla) = plantilla else {
            return Ok(()); // fallback: the built app's files
        };
        if plantilla == "/api/{*resto}" {
            if status != StatusCode::NOT_FOUND
                && status != StatusCode::TOO_MANY_REQUESTS
                && status != StatusCode::SERVICE_UNAVAILABLE
            {
                return Err(format!("the /api catch-all answered {status}"));
            }
            if tipo.as_deref() != Some("application/problem+json") {
                return Err(format!("the /api catch-all answered {tipo:?}"));
            }
            let esquema = serde_json::json!({"$ref": "#/components/schemas/Problema"});
            return self.validar_json("Problema", &esquema, cuerpo);
        }
        let en_doc = self.doc["paths"].get(plantilla);
        let Some(item) = en_doc else {
            if plantilla.starts_with("/api/docs") || plantilla.starts_with("/catalogo/") {
                return Ok(());
            }
            return Err(format!("the route {plantilla} is not in the document"));
        };
        let metodo_doc = metodo.as_str().to_ascii_lowercase();
        let Some(operacion) = item.get(&metodo_doc) else {
            if status == StatusCode::METHOD_NOT_ALLOWED {
                return Ok(()); // axum's answer to another method: no body
            }
            return Err(format!("{metodo} {plantilla} is not in the document"));
        };
        let respuesta = operacion["responses"]
            .get(status.as_str())
            .or_else(|| operacion["responses"].get("default"))
            .ok_or_else(|| format!("status {status} of {metodo} {plantilla} is not documented"))?;
        let Some(contenido) = respuesta.get("content").and_then(Value::as_object) else {
            return if cuerpo.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "a body where {metodo} {plantilla} → {status} documents none"
                ))
            };
        };
        let tipo = tipo.ok_or_else(|| "an answer without Content-Type".to_string())?;
        let (_, medio) = contenido
            .iter()
            .find(|(t, _)| tipo_base(t) == tipo)
            .ok_or_else(|| {
                format!(
                    "Content-Type {tipo} where {metodo} {plantilla} → {status} documents {:?}",
                    contenido.keys().collect::<Vec<_>>()
                )
            })?;
        let es_json = tipo == "application/json" || tipo.ends_with("+json");
        match medio.get("schema") {
            Some(esquema) if es_json => {
                let clave = format!("{metodo_doc} {plantilla} {status} {tipo}");
                self.validar_json(&clave, esquema, cuerpo)
            }
            _ => Ok(()),
        }
    }

    /// Validates `cuerpo` (JSON) against `esquema`, whose `$ref`s point into this document's components.
    pub fn validar_json(&self, clave: &str, esquema: &Value, cuerpo: &[u8]) -> Result<(), String> {
        let valor: Value = serde_json::from_slice(cuerpo).map_err(|e| {
            format!(
                "the body is not JSON ({e}): {}",
                String::from_utf8_lossy(cuerpo)
            )
        })?;
        let validador = {
            let mut cache = self.validadores.lock().expect("validators");
            match cache.get(clave) {
                Some(v) => v.clone(),
                None => {
                    let mut raiz = esquema.clone();
                    raiz.as_object_mut()
                        .ok_or("a schema that is not an object")?
                        .insert("components".into(), self.doc["components"].clone());
                    let v =
                        std::sync::Arc::new(jsonschema::draft202012::new(&raiz).map_err(|e| {
                            format!("the document's schema for {clave} does not compile: {e}")
                        })?);
                    cache.insert(clave.to_string(), v.clone());
                    v
                }
            }
        };
        let errores: Vec<String> = validador
            .iter_errors(&valor)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        if errores.is_empty() {
            Ok(())
        } else {
            Err(format!("{} in {valor}", errores.join("; ")))
        }
    }
}

pub fn post_json(uri: &str, body: &Value) -> Request<Body> {
    Request::post(uri)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .expect("request")
}

pub fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).expect("request")
}

/// A new CAPTCHA's id.
pub async fn captcha(state: &AppState) -> String {
    let (s, v, _) = llamar(
        state,
        Request::post("/api/captcha").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v["id"].as_str().expect("id").to_string()
}

pub fn solicitud_json(curp: &str, correo: &str, captcha_id: &str, respuesta: &str) -> Value {
    serde_json::json!({
        "curp": curp, "correo": correo, "confirmacion_correo": correo,
        "captcha_id": captcha_id, "captcha_respuesta": respuesta,
    })
}

/// A solicitud with a fresh CAPTCHA answered right.
pub async fn solicitar(state: &AppState, curp: &str, correo: &str) -> (StatusCode, Value) {
    let id = captcha(state).await;
    let (s, v, _) = llamar(
        state,
        post_json(
            "/api/nss/solicitudes",
            &solicitud_json(curp, correo, &id, CAPTCHA),
        ),
    )
    .await;
    (s, v)
}

/// An address outside the catalog (no catalog is loaded in tests unless one is written).
pub fn domicilio_manual() -> Value {
    serde_json::json!({
        "codigo_postal": "04000", "colonia": "Del Carmen", "calle": "Av. Universidad",
        "numero_exterior": "3000", "estado": "Ciudad de México", "municipio": "Coyoacán"
    })
}

/// `POST /api/nss/asignaciones` with `token` and the by-hand address of [`domicilio_manual`].
pub async fn asignar_con_token(
    state: &AppState,
    token: &str,
) -> (StatusCode, Value, axum::http::HeaderMap) {
    llamar(
        state,
        post_json(
            "/api/nss/asignaciones",
            &serde_json::json!({"token": token, "domicilio": domicilio_manual()}),
        ),
    )
    .await
}

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Generates two tests, `sqlite` and `postgres`, for an `async fn(Backend)`.
#[macro_export]
macro_rules! en_ambas {
    ($($nombre:ident),* $(,)?) => {
        $(
            mod $nombre {
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn sqlite() {
                    super::$nombre($crate::common::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn postgres() {
                    super::$nombre($crate::common::Backend::Postgres).await
                }
            }
        )*
    };
}

/// A checked address for calls below the HTTP layer.
pub fn domicilio_de_prueba() -> afiliate_server::service::Domicilio {
    afiliate_server::service::Domicilio {
        codigo_postal: "04000".into(),
        estado: "Ciudad de México".into(),
        municipio: "Coyoacán".into(),
        colonia: "Del Carmen".into(),
        calle: "Av. Universidad".into(),
        numero_exterior: "3000".into(),
        numero_interior: String::new(),
        umf: None,
    }
}
