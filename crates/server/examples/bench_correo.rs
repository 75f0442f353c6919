//! Mail delivery benchmark: where a message's time goes (its two PDFs, the MIME message, the transport, the
//! outbox marks), then the real worker on an outbox of N messages on SQLite: its compose stage (each message
//! rendered once and stored), its send stage delivering the stored messages (the delivery rate: what a backlog
//! drains at once the mail server is back), and both stages running together, through the `file:` transport and
//! through SMTP.
//!
//! `cargo run --profile server -p afiliate-server --example bench_correo [N] [--smtp HOST:PORT] [--solo-envio]`
//! (`--solo-envio`: only the send stage over SMTP, 32 at a time)
//!
//! Without `--smtp` the benchmark starts a local SMTP server on a free port: Postfix's `smtp-sink` (a C test
//! server that accepts and discards; `AFILIATE_SMTP_SINK`, default the workspace's
//! `.tools/postfix/usr/sbin/smtp-sink` that `cargo xtask bench` unpacks from Debian's `postfix` package), else
//! `AFILIATE_TEST_PYTHON -m aiosmtpd` with its discarding `Sink` handler (default: `.tools/venv/bin/python`),
//! which parses each line in Python and caps the rate near 120 messages/s. Without either the SMTP figures are
//! skipped.

use std::path::PathBuf;
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
use lettre::address::Envelope;

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

fn esperar_puerto(
    hijo: Child,
    puerto: u16,
    nombre: &'static str,
) -> Option<(Smtp, String, &'static str)> {
    let smtp = Smtp(hijo);
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", puerto)).is_ok() {
            return Some((smtp, format!("127.0.0.1:{puerto}"), nombre));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

fn raiz() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Postfix's `smtp-sink`: accepts every message and discards it, 256 connections at once.
fn smtp_sink() -> Option<(Smtp, String, &'static str)> {
    let bin = std::env::var_os("AFILIATE_SMTP_SINK")
        .map(PathBuf::from)
        .unwrap_or_else(|| raiz().join(".tools/postfix/usr/sbin/smtp-sink"));
    if !bin.exists() {
        return None;
    }
    // Unpacked from the .deb, not installed: its private libraries sit beside it.
    let libs = bin.parent()?.parent()?.join("lib/postfix");
    let puerto = puerto_libre();
    let hijo = Command::new(&bin)
        .env("LD_LIBRARY_PATH", libs)
        .args(["-u", "nobody"])
        .arg(format!("127.0.0.1:{puerto}"))
        .arg("256")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    esperar_puerto(hijo, puerto, "smtp-sink")
}

fn aiosmtpd() -> Option<(Smtp, String, &'static str)> {
    let python = std::env::var_os("AFILIATE_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| raiz().join(".tools/venv/bin/python"));
    let puerto = puerto_libre();
    let hijo = Command::new(python)
        .args(["-m", "aiosmtpd", "-n", "-l"])
        .arg(format!("127.0.0.1:{puerto}"))
        .args(["-c", "aiosmtpd.handlers.Sink"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    esperar_puerto(hijo, puerto, "aiosmtpd")
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

/// A worker on a fresh SQLite outbox holding `correos`.
async fn trabajador<T: Entrega>(
    correos: &[Correo],
    transporte: T,
    compositor: &Compositor,
    concurrencia: usize,
) -> (Worker<OutboxDb, T>, Db, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Db::connect(&format!("sqlite://{}", dir.path().join("b.db").display()))
        .await
        .expect("sqlite");
    encolar(&db, correos).await;
    let mut w = Worker::new(OutboxDb { db: db.clone() }, transporte, compositor.clone());
    w.config = ConfigWorker {
        concurrencia,
        lote: (concurrencia * 4).max(16),
        ..ConfigWorker::default()
    };
    (w, db, dir)
}

/// The worker's stages one after the other: the compose stage renders and stores every message, then the send
/// stage delivers the stored ones (as after an outage). Their rates in messages/s.
async fn por_etapas<T: Entrega>(
    correos: &[Correo],
    transporte: T,
    compositor: &Compositor,
    concurrencia: usize,
) -> (f64, f64) {
    let (w, _db, _dir) = trabajador(correos, transporte, compositor, concurrencia).await;
    let t = Instant::now();
    let mut compuestos = 0;
    loop {
        let c = w.componer().await.expect("compose round");
        assert_eq!(c.fallidos + c.aplazados, 0, "a message was not composed");
        if c.compuestos == 0 {
            break;
        }
        compuestos += c.compuestos;
    }
    assert_eq!(compuestos, correos.len(), "every message composed");
    let componer = compuestos as f64 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut enviados = 0;
    loop {
        let r = w.enviar_ronda().await.expect("send round");
        assert_eq!(r.fallidos, 0, "a delivery failed");
        if r.enviados == 0 {
            break;
        }
        enviados += r.enviados;
    }
    assert_eq!(enviados, correos.len(), "every message delivered");
    (componer, enviados as f64 / t.elapsed().as_secs_f64())
}

/// The worker as the server runs it, both stages at once, from a full outbox to an empty one: messages/s.
async fn de_corrido<T: Entrega + 'static>(
    correos: &[Correo],
    transporte: T,
    compositor: &Compositor,
    concurrencia: usize,
) -> f64 {
    let (w, db, _dir) = trabajador(correos, transporte, compositor, concurrencia).await;
    let (parar, parado) = tokio::sync::oneshot::channel::<()>();
    let t = Instant::now();
    let corriendo = tokio::spawn(w.run(async {
        let _ = parado.await;
    }));
    loop {
        let (pendientes, _) = afiliate_server::db::outbox::pendientes(&db.pool)
            .await
            .expect("count");
        if pendientes == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let tasa = correos.len() as f64 / t.elapsed().as_secs_f64();
    let _ = parar.send(());
    corriendo.await.expect("worker");
    tasa
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
    if args.iter().any(|a| a == "--solo-envio") {
        // Only the worker's send stage over SMTP, 32 at a time (to iterate on it).
        let (_h, hostport, nombre) = smtp_sink().or_else(aiosmtpd).expect("an SMTP server");
        let smtp = Transporte::desde_url_con(&format!("smtp://{hostport}?tls=none"), 32).unwrap();
        let (_, enviar) = por_etapas(&lista, smtp, &compositor, 32).await;
        println!("  worker, send stage, SMTP ({nombre}), concurrency 32: {enviar:.0} messages/s");
        return;
    }
    let creado = Utc::now();
    println!("bench_correo: {n} messages, each with both PDFs (comprobante and tarjeta)");

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
    let mensajes: Vec<(Envelope, Vec<u8>)> = mensajes
        .iter()
        .map(|m| (m.envelope().clone(), m.formatted()))
        .collect();
    let formatear = t.elapsed();
    let tamano: usize = mensajes.iter().map(|m| m.1.len()).sum();
    println!(
        "  one thread: both PDFs {:.2} ms, the whole message (PDFs + MIME) {:.2} ms, formatting {:.3} ms; {:.0} KiB a message",
        ms(pdfs, n),
        ms(componer, n),
        ms(formatear, n),
        tamano as f64 / n as f64 / 1024.0
    );

    // 2. The transports with messages already composed.
    let dir = tempfile::tempdir().expect("temp dir");
    let archivo = Transporte::Archivo(dir.path().join("outbox"));
    for conc in [1usize, 32] {
        let t = Instant::now();
        futures_util::stream::iter(mensajes.iter().enumerate())
            .for_each_concurrent(conc, |(i, m)| {
                let archivo = &archivo;
                async move {
                    archivo
                        .entregar(&format!("c{conc}-{i}"), &m.0, &m.1)
                        .await
                        .unwrap();
                }
            })
            .await;
        println!(
            "  file transport, composed messages, {conc} at a time: {:.0} messages/s",
            n as f64 / t.elapsed().as_secs_f64()
        );
    }
    let servidor = match &smtp_dado {
        Some(s) => Some((None, s.clone(), "--smtp")),
        None => smtp_sink()
            .or_else(aiosmtpd)
            .map(|(h, s, nombre)| (Some(h), s, nombre)),
    };
    if let Some((_, hostport, nombre)) = &servidor {
        for conc in [1usize, 8, 32] {
            let smtp =
                Transporte::desde_url_con(&format!("smtp://{hostport}?tls=none"), conc as u32)
                    .expect("smtp url");
            let t = Instant::now();
            futures_util::stream::iter(mensajes.iter().enumerate())
                .for_each_concurrent(conc, |(i, m)| {
                    let smtp = &smtp;
                    async move {
                        smtp.entregar(&i.to_string(), &m.0, &m.1).await.unwrap();
                    }
                })
                .await;
            println!(
                "  SMTP ({nombre}), composed messages, {conc} at a time: {:.0} messages/s",
                n as f64 / t.elapsed().as_secs_f64()
            );
        }
    } else {
        println!(
            "  SMTP: skipped (no smtp-sink nor aiosmtpd; set AFILIATE_SMTP_SINK or AFILIATE_TEST_PYTHON, or pass --smtp HOST:PORT)"
        );
    }

    // 3. The outbox marks on SQLite (synchronous = FULL): one at a time, and concurrently (group commits).
    let db = Db::connect(&format!("sqlite://{}", dir.path().join("m.db").display()))
        .await
        .expect("sqlite");
    encolar(&db, &lista).await;
    let ahora = Utc::now().timestamp();
    for ((id, _, _, _), (_, bytes)) in
        afiliate_server::db::outbox::arrendar_para_componer(&db, ahora, ahora + 600, n as i64)
            .await
            .unwrap()
            .into_iter()
            .zip(&mensajes)
    {
        afiliate_server::db::outbox::guardar_mensaje(&db, id, bytes.clone())
            .await
            .unwrap();
    }
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

    // 4. The worker: its compose stage, its send stage on composed messages, and both at once.
    let smtp_de = |hostport: &str, conc: usize| {
        Transporte::desde_url_con(&format!("smtp://{hostport}?tls=none"), conc as u32)
            .expect("smtp url")
    };
    for conc in [1usize, 32] {
        let (componer, enviar) = por_etapas(&lista, archivo.clone(), &compositor, conc).await;
        println!(
            "  worker, compose stage (both PDFs + MIME, stored): {componer:.0} messages/s; \
             send stage, file transport, concurrency {conc}: {enviar:.0} messages/s"
        );
    }
    if let Some((_, hostport, nombre)) = &servidor {
        for conc in [1usize, 8, 32] {
            let (_, enviar) = por_etapas(&lista, smtp_de(hostport, conc), &compositor, conc).await;
            println!(
                "  worker, send stage, SMTP ({nombre}), concurrency {conc}: {enviar:.0} messages/s \
                 (a backlog of {n} composed messages drains in {:.1} s)",
                n as f64 / enviar
            );
        }
    }
    let r = de_corrido(&lista, archivo.clone(), &compositor, 32).await;
    println!("  worker, both stages at once, file transport, concurrency 32: {r:.0} messages/s");
    if let Some((_, hostport, nombre)) = &servidor {
        let r = de_corrido(&lista, smtp_de(hostport, 32), &compositor, 32).await;
        println!(
            "  worker, both stages at once, SMTP ({nombre}), concurrency 32: {r:.0} messages/s"
        );
    }
}
