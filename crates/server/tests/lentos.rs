//! Slow clients (slowloris) against the real binary: many half-open connections sending their headers a byte at a
//! time must neither starve a normal client nor stay open past the header-read timeout.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const LENTOS: usize = 500;
const TIMEOUT_CABECERAS_MS: u64 = 1500;

/// One GET over a new connection; answers the status line's code and how long it took.
async fn get_normal(addr: &str, ruta: &str) -> (u16, Duration) {
    let t = Instant::now();
    let mut s = TcpStream::connect(addr).await.expect("connect");
    s.write_all(format!("GET {ruta} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut r = Vec::new();
    let _ = s.read_to_end(&mut r).await;
    let texto = String::from_utf8_lossy(&r);
    let codigo = texto
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (codigo, t.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_open_slow_clients_are_closed_and_a_normal_client_is_served() {
    let dir = tempfile::tempdir().unwrap();
    let mut hijo = Command::new(env!("CARGO_BIN_EXE_afiliate-server"))
        .arg("serve")
        .env("AFILIATE_ADDR", "127.0.0.1:0")
        .env("AFILIATE_DATA_DIR", dir.path())
        .env("AFILIATE_ENV", "test")
        .env(
            "AFILIATE_HEADER_TIMEOUT_MS",
            TIMEOUT_CABECERAS_MS.to_string(),
        )
        // Fewer than the slow clients: the cap holds too, and a normal client still gets in once the slow ones
        // are cut.
        .env("AFILIATE_MAX_CONEXIONES", "400")
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut linea = String::new();
    BufReader::new(hijo.stdout.take().unwrap())
        .read_line(&mut linea)
        .unwrap();
    let addr = linea
        .trim()
        .strip_prefix("Afíliate escuchando en http://")
        .unwrap_or_else(|| panic!("unexpected first line: {linea}"))
        .to_string();

    // 500 clients, each sending the start of its headers a byte every 200 ms and never the end.
    let inicio = Instant::now();
    let mut lentos = Vec::new();
    for _ in 0..LENTOS {
        let addr = addr.clone();
        lentos.push(tokio::spawn(async move {
            let Ok(mut s) = TcpStream::connect(&addr).await else {
                return None;
            };
            let cabecera = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Lento: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
            for b in cabecera.iter().cycle().take(200) {
                if s.write_all(&[*b]).await.is_err() {
                    // Closed by the server: when.
                    return Some(inicio.elapsed());
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
                // A closed connection shows on read as EOF (or a reset) before a write fails.
                let mut buf = [0u8; 512];
                if tokio::time::timeout(Duration::from_millis(1), s.read(&mut buf))
                    .await
                    .is_ok()
                {
                    return Some(inicio.elapsed());
                }
            }
            None
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    // A normal client is served while they hang on: at worst after the first slow ones are cut.
    let (codigo, tardo) = get_normal(&addr, "/healthz").await;
    assert_eq!(codigo, 200, "normal client");
    assert!(
        tardo < Duration::from_millis(TIMEOUT_CABECERAS_MS + 2500),
        "normal client waited {tardo:?}"
    );

    let mut cerrados = 0;
    let mut ultimo = Duration::ZERO;
    for l in lentos {
        if let Some(t) = l.await.unwrap() {
            cerrados += 1;
            ultimo = ultimo.max(t);
        }
    }
    assert_eq!(cerrados, LENTOS, "every slow client is closed");
    // The last ones waited for a free place (the cap) and then for their own timeout.
    assert!(
        ultimo < Duration::from_millis(3 * TIMEOUT_CABECERAS_MS + 3000),
        "the last slow client was closed after {ultimo:?}"
    );
    // And the server is still fine.
    assert_eq!(get_normal(&addr, "/healthz").await.0, 200);
    let _ = hijo.kill();
    let _ = hijo.wait();
}
