//! Over real TCP: the `afiliate-server` binary (serve, seed-demo, static files, graceful shutdown) and the per-IP
//! rate limit, which needs the client's address.

mod common;

use common::*;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};

type Cliente = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

fn cliente() -> Cliente {
    Client::builder(TokioExecutor::new()).build_http()
}

async fn pedir(
    c: &Cliente,
    metodo: &str,
    url: &str,
    cuerpo: Option<Value>,
    cabeceras: &[(&str, &str)],
) -> (u16, hyper::HeaderMap, Bytes) {
    let mut b = hyper::Request::builder().method(metodo).uri(url);
    for (k, v) in cabeceras {
        b = b.header(*k, *v);
    }
    let body = match cuerpo {
        Some(v) => {
            b = b.header("content-type", "application/json");
            Full::new(Bytes::from(v.to_string()))
        }
        None => Full::new(Bytes::new()),
    };
    let res = c.request(b.body(body).unwrap()).await.expect("request");
    let s = res.status().as_u16();
    let h = res.headers().clone();
    (s, h, res.into_body().collect().await.unwrap().to_bytes())
}

fn binario() -> Command {
    Command::new(env!("CARGO_BIN_EXE_afiliate-server"))
}

#[test]
fn refuses_a_fixed_captcha_in_production() {
    let dir = tempfile::tempdir().unwrap();
    let out = binario()
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("AFILIATE_DATA_DIR", dir.path())
        .env("AFILIATE_ENV", "prod")
        .env("AFILIATE_CAPTCHA_FIXED", "AbC23x")
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("AFILIATE_CAPTCHA_FIXED"));
}

/// `AFILIATE_CORS_ORIGINS=*` (tower-http panics on a wildcard in a list of origins) is a configuration error that
/// names the variable, before anything is opened.
#[test]
fn a_cors_wildcard_is_a_configuration_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let out = binario()
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("AFILIATE_DATA_DIR", dir.path().join("data"))
        .env("AFILIATE_ENV", "test")
        .env("AFILIATE_CORS_ORIGINS", "https://www.gob.mx,*")
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("AFILIATE_CORS_ORIGINS"), "{stderr}");
    assert!(stderr.contains("is not allowed"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        !dir.path().join("data").exists(),
        "nothing opened: {stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_serves_the_app_and_the_api_and_stops_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), "<html>Afíliate</html>").unwrap();
    std::fs::write(dist.join("index.html.br"), b"brotli-bytes").unwrap();
    std::fs::write(dist.join("afiliate-0123456789abcdef.js"), "js").unwrap();
    std::fs::write(dist.join("afiliate-0123456789abcdef.js.gz"), "gz").unwrap();
    let data = dir.path().join("data");

    let seed = binario()
        .args(["registry", "seed-demo", "20"])
        .env("AFILIATE_DATA_DIR", &data)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(
        seed.status.success(),
        "{}",
        String::from_utf8_lossy(&seed.stderr)
    );
    let listado = String::from_utf8_lossy(&seed.stdout).to_string();
    let d = demos();
    assert!(
        listado.contains(&d.localizado) && listado.contains(&d.no_renapo),
        "{listado}"
    );

    let mut hijo = binario()
        .args(["serve"])
        .env("AFILIATE_ADDR", "127.0.0.1:0")
        .env("AFILIATE_DATA_DIR", &data)
        .env("AFILIATE_STATIC_DIR", &dist)
        .env("AFILIATE_ENV", "test")
        .env("AFILIATE_CAPTCHA_FIXED", CAPTCHA)
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut linea = String::new();
    BufReader::new(hijo.stdout.take().unwrap())
        .read_line(&mut linea)
        .unwrap();
    let base = linea
        .trim()
        .strip_prefix("Afíliate escuchando en ")
        .unwrap_or_else(|| panic!("unexpected first line: {linea}"))
        .to_string();
    let c = cliente();

    let (s, _, b) = pedir(&c, "GET", &format!("{base}/healthz"), None, &[]).await;
    assert_eq!((s, &b[..]), (200, &b"ok"[..]));
    // Precompressed brotli index, the same for a deep link, revalidated on every visit.
    let (s, h, b) = pedir(
        &c,
        "GET",
        &format!("{base}/"),
        None,
        &[("accept-encoding", "br, gzip")],
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(h["content-encoding"], "br");
    assert_eq!(&b[..], b"brotli-bytes");
    assert_eq!(h["cache-control"], "no-cache");
    let (s, h, b) = pedir(&c, "GET", &format!("{base}/nss/solicitud"), None, &[]).await;
    assert_eq!(s, 200);
    assert_eq!(&b[..], "<html>Afíliate</html>".as_bytes());
    assert!(h.contains_key("content-security-policy"));
    // A hashed asset: gzip, cached for a year.
    let (s, h, b) = pedir(
        &c,
        "GET",
        &format!("{base}/afiliate-0123456789abcdef.js"),
        None,
        &[("accept-encoding", "gzip")],
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(&b[..], b"gz");
    assert_eq!(h["cache-control"], "public, max-age=31536000, immutable");

    // The NSS flow over TCP against the seeded registry.
    let (s, _, b) = pedir(&c, "POST", &format!("{base}/api/captcha"), None, &[]).await;
    assert_eq!(s, 201);
    let id = serde_json::from_slice::<Value>(&b).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, _, b) = pedir(
        &c,
        "POST",
        &format!("{base}/api/nss/solicitudes"),
        Some(solicitud_json(&d.localizado, "a@example.com", &id, CAPTCHA)),
        &[],
    )
    .await;
    let v: Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["nss"], d.localizado_nss.as_str());

    // SIGTERM: graceful stop, exit status 0.
    let ok = Command::new("kill")
        .args(["-TERM", &hijo.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    let estado = hijo.wait().unwrap();
    assert!(estado.success(), "{estado:?}");
    // The outbox worker wrote the email file before stopping, or the message is still queued: never lost.
    let mail = Command::new(env!("CARGO_BIN_EXE_afiliate-server"))
        .args(["mail", "status"])
        .env("AFILIATE_DATA_DIR", &data)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    let texto = String::from_utf8_lossy(&mail.stdout);
    assert!(texto.contains("Correos:"), "{texto}");
    assert!(
        !texto.contains("a@example.com"),
        "no addresses in the status"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_ip_rate_limit() {
    let e = entorno_con(Backend::Sqlite, |c| c.limite_ip_seg = 1).await;
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let app = afiliate_server::app(e.state.clone());
    tokio::spawn(async move {
        axum::serve(l, app.into_make_service_with_connect_info::<SocketAddr>()).await
    });
    let c = cliente();
    let mut estados = Vec::new();
    let mut espera = None;
    for _ in 0..4 {
        let (s, h, _) = pedir(
            &c,
            "POST",
            &format!("http://{addr}/api/captcha"),
            Some(json!({})),
            &[],
        )
        .await;
        estados.push(s);
        if s == 429 {
            espera = h.get("retry-after").cloned();
        }
    }
    assert_eq!(&estados[..2], &[201, 201], "{estados:?}");
    assert!(estados[2..].contains(&429), "{estados:?}");
    // At 1 per second the next request is allowed within a second.
    assert_eq!(espera.as_ref().and_then(|v| v.to_str().ok()), Some("1"));
    // GETs are not limited.
    let (s, _, _) = pedir(&c, "GET", &format!("http://{addr}/healthz"), None, &[]).await;
    assert_eq!(s, 200);
}
