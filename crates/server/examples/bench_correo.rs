//! Mail delivery benchmark: where a message's time goes (its two PDFs, the MIME message, the transport, the
//! outbox marks), then the real worker draining an outbox of N messages on SQLite through the `file:` transport
//! and, when aiosmtpd is at hand, through SMTP.
//!
//! `cargo run --profile server -p afiliate-server --example bench_correo [N] [--smtp HOST:PORT] [--solo-trabajador]`
//!
//! `--solo-trabajador` runs only the worker's drain at concurrency 32 (through SMTP when `--smtp` is given), to
//! run beside `bench_api` and measure what a drain costs the students' requests.
//!
//! Without `--smtp` the benchmark starts `AFILIATE_TEST_PYTHON -m aiosmtpd` (default: the workspace's
//! `.tools/venv/bin/python`) on a free port, writing to a Maildir; when it cannot, the SMTP figures are skipped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use afiliate_server::db::Db;
use afiliate_server::documents::{
    Documento, Documentos, Persona, Sellador, TipoDocumento, Tramite,
};
use afiliate_server::http::OutboxDb;
use afiliate_server::mail::{Compositor, ConfigWorker, Correo, Entrega, Transporte, Worker};
use chrono::Utc;
use futures_util::StreamExt as _;

const BASE: &str = "https://afiliate.example.mx";

fn correos(n: usize) -> Vec<Correo> {
    let docs = Documentos::new(Sellador::aleatorio(), BASE, 3600);
    (0..n)
        .map(|i| {
            let p = Persona {
                nombre: format!("María José Peña Núñez {i}"),
                curp: "PENM000101MDFXXX09".into(),
                nss: format!("{:011}", 12_345_000_000u64 + i as u64),
            };
            let d: Vec<Documento> = TipoDocumento::DEL_NSS
                .iter()
                .map(|&t| docs.emitir(t, Tramite::Asignacion, &p, Utc::now()))
                .collect();
            Correo::nss(&format!("estudiante{i}@example.com"), &d)
        })
        .collect()
}

fn ms(d: Duration, n: usize) -> f64 {
    d.as_secs_f64() * 1000.0 / n.max(1) as f64
}

struct Smtp(Child);

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn puerto_libre() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn aiosmtpd(maildir: &Path) -> Option<(Smtp, String)> {
    let python = std::env::var_os("AFILIATE_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.tools/venv/bin/python")
        });
    let puerto = puerto_libre();
    let hijo = Command::new(python)
        .args(["-m", "aiosmtpd", "-n", "-l"])
        .arg(format!("127.0.0.1:{puerto}"))
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let smtp = Smtp(hijo);
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", puerto)).is_ok() {
            return Some((smtp, format!("127.0.0.1:{puerto}")));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

async fn encolar(db: &Db, correos: &[Correo]) {
    let payloads: Arc<Vec<String>> = Arc::new(correos.iter().map(Correo::to_json).collect());
    let ahora = Utc::now().timestamp();
    db.write(move |c| {
        let payloads = payloads.clone();
        Box::pin(async move {
            for p in payloads.iter() {
                afiliate_server::db::outbox::encolar(c, p, ahora).await?;
            }
            Ok(())
        })
    })
    .await
    .expect("queue");
}

/// The worker drains `correos` from a fresh SQLite outbox through `transporte`; the rate in messages/s.
async fn drenar<T: Entrega>(
    correos: &[Correo],
    transporte: T,
    compositor: &Compositor,
    concurrencia: usize,
) -> f64 {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Db::connect(&format!("sqlite://{}", dir.path().join("b.db").display()))
        .await
        .expect("sqlite");
    encolar(&db, correos).await;
    let mut w = Worker::new(OutboxDb { db }, transporte, compositor.clone());
    w.config = ConfigWorker {
        concurrencia,
        lote: (concurrencia * 4).max(16),
        ..ConfigWorker::default()
    };
    let t = Instant::now();
    let mut enviados = 0;
    while enviados < correos.len() {
        let r = w.ronda().await.expect("round");
        assert_eq!(r.fallidos, 0, "a delivery failed");
        if r.enviados == 0 {
            break;
        }
        enviados += r.enviados;
    }
    assert_eq!(enviados, correos.len(), "every message delivered");
    enviados as f64 / t.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(2000);
    let smtp_dado = args
        .iter()
        .position(|a| a == "--smtp")
        .and_then(|i| args.get(i + 1).cloned());
    let compositor = Compositor::new("Afíliate <no-responder@afiliate.local>", BASE).unwrap();
    let lista = correos(n);
    let creado = Utc::now();
    println!("bench_correo: {n} messages, each with both PDFs (comprobante and tarjeta)");

    // `--solo-trabajador`: only the worker's drains (4.), to run beside `bench_api` and see what one costs
    // the other.
    let solo = args.iter().any(|a| a == "--solo-trabajador");
    let dir = tempfile::tempdir().expect("temp dir");
    let archivo = Transporte::Archivo(dir.path().join("outbox"));
    let maildir = dir.path().join("maildir");
    let servidor = match &smtp_dado {
        Some(s) => Some((None, s.clone())),
        None => aiosmtpd(&maildir).map(|(h, s)| (Some(h), s)),
    };
    // Which SMTP server the figures are of: the one given, or the aiosmtpd started here.
    let nombre_smtp = smtp_dado
        .as_deref()
        .map_or("aiosmtpd".to_string(), |h| format!("SMTP server at {h}"));
    if !solo {
        // 1. Where one message's time goes, on one thread.
        let t = Instant::now();
        for c in &lista {
            for d in c.documentos().unwrap() {
                std::hint::black_box(d.render(BASE));
            }
        }
        let pdfs = t.elapsed();
        let t = Instant::now();
        let mensajes: Vec<_> = lista
            .iter()
            .enumerate()
            .map(|(i, c)| compositor.componer(c, i as i64 + 1, creado).unwrap())
            .collect();
        let componer = t.elapsed();
        let t = Instant::now();
        let tamano: usize = mensajes.iter().map(|m| m.formatted().len()).sum();
        let formatear = t.elapsed();
        println!(
            "  one thread: both PDFs {:.2} ms, the whole message (PDFs + MIME) {:.2} ms, formatting {:.3} ms; {:.0} KiB a message",
            ms(pdfs, n),
            ms(componer, n),
            ms(formatear, n),
            tamano as f64 / n as f64 / 1024.0
        );

        // 2. The transports with messages already composed.
        for conc in [1usize, 32] {
            let t = Instant::now();
            futures_util::stream::iter(mensajes.iter().enumerate())
                .for_each_concurrent(conc, |(i, m)| {
                    let archivo = &archivo;
                    async move {
                        archivo.entregar(&format!("c{conc}-{i}"), m).await.unwrap();
                    }
                })
                .await;
            println!(
                "  file transport, composed messages, {conc} at a time: {:.0} messages/s",
                n as f64 / t.elapsed().as_secs_f64()
            );
        }
        if let Some((_, hostport)) = &servidor {
            for conc in [1usize, 8, 32] {
                let smtp =
                    Transporte::desde_url_con(&format!("smtp://{hostport}?tls=none"), conc as u32)
                        .expect("smtp url");
                let t = Instant::now();
                futures_util::stream::iter(mensajes.iter().enumerate())
                    .for_each_concurrent(conc, |(i, m)| {
                        let smtp = &smtp;
                        async move {
                            smtp.entregar(&i.to_string(), m).await.unwrap();
                        }
                    })
                    .await;
                println!(
                    "  SMTP ({nombre_smtp}), composed messages, {conc} at a time: {:.0} messages/s",
                    n as f64 / t.elapsed().as_secs_f64()
                );
            }
        } else {
            println!(
                "  SMTP: skipped (no aiosmtpd; set AFILIATE_TEST_PYTHON or pass --smtp HOST:PORT)"
            );
        }

        // 3. The outbox marks on SQLite (synchronous = FULL): one at a time, and concurrently (group commits).
        let db = Db::connect(&format!("sqlite://{}", dir.path().join("m.db").display()))
            .await
            .expect("sqlite");
        encolar(&db, &lista).await;
        let ahora = Utc::now().timestamp();
        let filas = afiliate_server::db::outbox::arrendar(&db, ahora, ahora + 600, n as i64)
            .await
            .unwrap();
        let (uno, resto) = filas.split_at(filas.len() / 2);
        let t = Instant::now();
        for f in uno {
            afiliate_server::db::outbox::marcar_enviado(&db, f.0, ahora)
                .await
                .unwrap();
        }
        let secuencial = t.elapsed();
        let t = Instant::now();
        futures_util::stream::iter(resto)
            .for_each_concurrent(32, |f| {
                let db = &db;
                async move {
                    afiliate_server::db::outbox::marcar_enviado(db, f.0, ahora)
                        .await
                        .unwrap();
                }
            })
            .await;
        let concurrente = t.elapsed();
        println!(
            "  mark_sent on SQLite: {:.2} ms each one at a time, {:.3} ms each 32 at a time",
            ms(secuencial, uno.len()),
            ms(concurrente, resto.len())
        );
    }
    // 4. The worker end to end: lease, render, send, mark. With `--solo-trabajador`, concurrency 32 only, and
    // only through SMTP when `--smtp` is given.
    let concurrencias: &[usize] = if solo { &[32] } else { &[1, 32] };
    if !(solo && smtp_dado.is_some()) {
        for &conc in concurrencias {
            let r = drenar(&lista, archivo.clone(), &compositor, conc).await;
            println!("  worker, file transport, concurrency {conc}: {r:.0} messages/s");
        }
    }
    if let Some((_, hostport)) = &servidor {
        for &conc in concurrencias {
            let smtp =
                Transporte::desde_url_con(&format!("smtp://{hostport}?tls=none"), conc as u32)
                    .expect("smtp url");
            let r = drenar(&lista, smtp, &compositor, conc).await;
            println!("  worker, SMTP ({nombre_smtp}), concurrency {conc}: {r:.0} messages/s");
        }
    }
}
