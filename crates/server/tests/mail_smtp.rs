//! Email against a REAL SMTP server (Python's aiosmtpd, started here): the message arrives with both PDFs, whose
//! text holds the NSS, the name, the CURP and the folio; while the server is down messages stay queued and, once
//! it is back, each arrives exactly once. Also the file transport.
//!
//! Interpreter: `AFILIATE_TEST_PYTHON`, default `<workspace root>/.tools/venv/bin/python` (with aiosmtpd).

mod common;

use std::collections::HashSet;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use afiliate_server::documents::{
    Documento, Documentos, Persona, Sellador, TipoDocumento, Tramite,
};
use afiliate_server::mail::outbox::Worker;
use afiliate_server::mail::{
    status_report, Compositor, ConfigWorker, Correo, EstadoCorreo, EstadoEnvio, OutboxItem,
    OutboxStore, Transporte,
};
use chrono::{DateTime, Utc};

fn python() -> PathBuf {
    std::env::var_os("AFILIATE_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.tools/venv/bin/python")
        })
}

/// An aiosmtpd server writing to a Maildir; killed on drop.
struct Smtp {
    hijo: Child,
}

impl Smtp {
    fn iniciar(puerto: u16, maildir: &Path) -> Smtp {
        let hijo = Command::new(python())
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{puerto}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd (set AFILIATE_TEST_PYTHON to a python with aiosmtpd)");
        let smtp = Smtp { hijo };
        let addr: SocketAddr = format!("127.0.0.1:{puerto}").parse().unwrap();
        for _ in 0..200 {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(100)).is_ok() {
                return smtp;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        drop(smtp);
        panic!("aiosmtpd did not start on port {puerto}");
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.hijo.kill();
        let _ = self.hijo.wait();
    }
}

fn puerto_libre() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The messages in a Maildir.
fn mensajes(maildir: &Path) -> Vec<Vec<u8>> {
    let Ok(dir) = std::fs::read_dir(maildir.join("new")) else {
        return Vec::new();
    };
    dir.map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect()
}

/// Uses Python's email package to save a message's attachments into `dir`; returns their file names.
fn extraer_adjuntos(eml: &[u8], dir: &Path) -> Vec<String> {
    let ruta = dir.join("m.eml");
    std::fs::write(&ruta, eml).unwrap();
    let script = r#"
import email, sys, os
from email import policy
m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=policy.default)
for p in m.iter_attachments():
    n = p.get_filename()
    open(os.path.join(sys.argv[2], n), 'wb').write(p.get_content())
    print(n)
print('SUBJECT=' + m['subject'])
print('TEXT=' + m.get_body(('plain',)).get_content().replace('\n', ' '))
print('HTML=' + str(m.get_body(('html',)) is not None))
"#;
    let out = Command::new(python())
        .args(["-c", script])
        .arg(&ruta)
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

fn pdftotext(ruta: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg(ruta)
        .arg("-")
        .output()
        .expect("pdftotext installed");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// An outbox in memory, with the semantics the server's SQL implements.
#[derive(Clone, Default)]
struct Memoria(Arc<Mutex<Vec<Fila>>>);

#[derive(Clone, Debug)]
struct Fila {
    id: i64,
    creado: DateTime<Utc>,
    payload: String,
    estado: EstadoEnvio,
    intentos: u32,
    proximo: DateTime<Utc>,
    enviado: Option<DateTime<Utc>>,
    error: Option<String>,
}

impl Memoria {
    fn encolar(&self, correo: &Correo) -> i64 {
        let mut filas = self.0.lock().unwrap();
        let id = filas.len() as i64 + 1;
        let ahora = Utc::now();
        filas.push(Fila {
            id,
            creado: ahora,
            payload: correo.to_json(),
            estado: EstadoEnvio::Pendiente,
            intentos: 0,
            proximo: ahora,
            enviado: None,
            error: None,
        });
        id
    }

    fn estados(&self) -> Vec<EstadoCorreo> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .map(|f| EstadoCorreo {
                id: f.id,
                creado: f.creado,
                estado: f.estado,
                intentos: f.intentos,
                proximo_intento: Some(f.proximo),
                enviado: f.enviado,
                ultimo_error: f.error.clone(),
            })
            .collect()
    }

    fn pendientes(&self) -> usize {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|f| f.estado == EstadoEnvio::Pendiente)
            .count()
    }

    /// Makes every pending row due now (what time passing does).
    fn adelantar(&self) {
        for f in self.0.lock().unwrap().iter_mut() {
            f.proximo = Utc::now() - chrono::Duration::seconds(1);
        }
    }
}

impl OutboxStore for Memoria {
    async fn claim_due(
        &self,
        ahora: DateTime<Utc>,
        hasta: DateTime<Utc>,
        limite: usize,
    ) -> anyhow::Result<Vec<OutboxItem>> {
        let mut filas = self.0.lock().unwrap();
        let mut out = Vec::new();
        for f in filas
            .iter_mut()
            .filter(|f| f.estado == EstadoEnvio::Pendiente && f.proximo <= ahora)
            .take(limite)
        {
            f.proximo = hasta;
            out.push(OutboxItem {
                id: f.id,
                creado: f.creado,
                intentos: f.intentos,
                payload: f.payload.clone(),
            });
        }
        Ok(out)
    }

    async fn renew(
        &self,
        ids: &[i64],
        hasta: &[DateTime<Utc>],
        nuevo_hasta: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let mut filas = self.0.lock().unwrap();
        for f in filas.iter_mut().filter(|f| {
            ids.contains(&f.id) && f.estado == EstadoEnvio::Pendiente && hasta.contains(&f.proximo)
        }) {
            f.proximo = nuevo_hasta;
        }
        Ok(())
    }

    async fn mark_sent(&self, id: i64, ahora: DateTime<Utc>) -> anyhow::Result<()> {
        let mut filas = self.0.lock().unwrap();
        let f = filas.iter_mut().find(|f| f.id == id).unwrap();
        f.estado = EstadoEnvio::Enviado;
        f.intentos += 1;
        f.enviado = Some(ahora);
        Ok(())
    }

    async fn mark_failed(
        &self,
        id: i64,
        intentos: u32,
        proximo: Option<DateTime<Utc>>,
        tipo: &str,
    ) -> anyhow::Result<()> {
        let mut filas = self.0.lock().unwrap();
        let f = filas.iter_mut().find(|f| f.id == id).unwrap();
        f.intentos = intentos;
        f.error = Some(tipo.to_string());
        match proximo {
            Some(p) => f.proximo = p,
            None => f.estado = EstadoEnvio::Fallido,
        }
        Ok(())
    }
}

fn documentos(nombre: &str, nss: &str) -> Vec<Documento> {
    let docs = Documentos::new(Sellador::aleatorio(), "https://afiliate.example.mx", 3600);
    let p = Persona {
        nombre: nombre.into(),
        curp: "PENM000101MDFXXX09".into(),
        nss: nss.into(),
    };
    TipoDocumento::DEL_NSS
        .iter()
        .map(|&t| docs.emitir(t, Tramite::Asignacion, &p, Utc::now()))
        .collect()
}

fn compositor() -> Compositor {
    Compositor::new(
        "Afíliate <no-responder@afiliate.local>",
        "https://afiliate.example.mx",
    )
    .unwrap()
}

fn config_rapida() -> ConfigWorker {
    ConfigWorker {
        lote: 16,
        concurrencia: 4,
        arriendo: Duration::from_secs(600),
        sondeo: Duration::from_millis(50),
        espera_base: Duration::from_millis(20),
        espera_max: Duration::from_millis(100),
        rendirse: None,
    }
}

#[tokio::test]
async fn the_message_arrives_over_smtp_with_both_pdfs_holding_the_data() {
    let tmp = tempfile::tempdir().unwrap();
    let maildir = tmp.path().join("maildir");
    let puerto = puerto_libre();
    let _smtp = Smtp::iniciar(puerto, &maildir);

    let store = Memoria::default();
    let docs = documentos("María Peña Núñez", "12345678901");
    store.encolar(&Correo::nss("maria.pena@example.com", &docs));
    let transporte = Transporte::desde_url(&format!("smtp://127.0.0.1:{puerto}")).unwrap();
    let mut w = Worker::new(store.clone(), transporte, compositor());
    w.config = config_rapida();
    let r = w.ronda().await.unwrap();
    assert_eq!(
        (r.enviados, r.fallidos),
        (1, 0),
        "{}",
        status_report(&store.estados())
    );
    assert_eq!(store.pendientes(), 0);

    let recibidos = mensajes(&maildir);
    assert_eq!(recibidos.len(), 1);
    let crudo = String::from_utf8_lossy(&recibidos[0]);
    assert!(crudo.contains("maria.pena@example.com"));
    let salida = extraer_adjuntos(&recibidos[0], tmp.path());
    assert!(
        salida.contains(&"comprobanteNSS12345678901.pdf".to_string()),
        "{salida:?}"
    );
    assert!(
        salida.contains(&"tarjetaNSS12345678901.pdf".to_string()),
        "{salida:?}"
    );
    assert!(
        salida.contains(&"SUBJECT=Tu Número de Seguridad Social (NSS)".to_string()),
        "{salida:?}"
    );
    let texto = salida.iter().find(|l| l.starts_with("TEXT=")).unwrap();
    for esperado in ["María Peña Núñez", "12345678901", "Paso 2", "Paso 3"] {
        assert!(texto.contains(esperado), "{esperado} not in {texto}");
    }
    assert!(salida.contains(&"HTML=True".to_string()));
    for (archivo, doc) in [
        ("comprobanteNSS12345678901.pdf", &docs[0]),
        ("tarjetaNSS12345678901.pdf", &docs[1]),
    ] {
        let t = pdftotext(&tmp.path().join(archivo));
        for esperado in [
            "12345678901",
            "María Peña Núñez",
            "PENM000101MDFXXX09",
            doc.folio.as_str(),
        ] {
            assert!(t.contains(esperado), "{esperado:?} not in {archivo}:\n{t}");
        }
    }
}

#[tokio::test]
async fn while_smtp_is_down_messages_stay_queued_then_each_arrives_once() {
    let tmp = tempfile::tempdir().unwrap();
    let maildir = tmp.path().join("maildir");
    let puerto = puerto_libre();
    let store = Memoria::default();
    let mut folios = HashSet::new();
    for i in 0..6 {
        let docs = documentos(&format!("Estudiante Número {i}"), &format!("1234567890{i}"));
        folios.insert(docs[0].folio.clone());
        store.encolar(&Correo::nss(&format!("estudiante{i}@example.com"), &docs));
    }
    let transporte = Transporte::desde_url(&format!("smtp://127.0.0.1:{puerto}")).unwrap();
    let mut w = Worker::new(store.clone(), transporte, compositor());
    w.config = config_rapida();

    // Down: two rounds, every message fails, none is lost.
    for _ in 0..2 {
        w.ronda().await.unwrap();
        store.adelantar();
    }
    assert_eq!(store.pendientes(), 6);
    let informe = status_report(&store.estados());
    assert!(
        informe.starts_with("Correos: 6 en cola (6 reintentando), 0 enviados, 0 fallidos"),
        "{informe}"
    );
    assert!(informe.contains("smtp_conexion"), "{informe}");
    assert!(
        !informe.contains("example.com") && !informe.contains("Estudiante"),
        "no personal data: {informe}"
    );
    assert!(store.estados().iter().all(|e| e.intentos >= 2));

    // Back up: the running worker drains the queue.
    let _smtp = Smtp::iniciar(puerto, &maildir);
    store.adelantar();
    let despertar = w.despertar.clone();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let corriendo = tokio::spawn(w.run(async {
        let _ = rx.await;
    }));
    despertar.notify_one();
    for _ in 0..600 {
        if store.pendientes() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tx.send(()).unwrap();
    corriendo.await.unwrap();
    assert_eq!(store.pendientes(), 0, "{}", status_report(&store.estados()));

    let recibidos = mensajes(&maildir);
    assert_eq!(recibidos.len(), 6, "each message exactly once");
    let mut ids = HashSet::new();
    let mut vistos = HashSet::new();
    for m in &recibidos {
        let texto = String::from_utf8_lossy(m);
        let id = texto
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("message-id:"))
            .unwrap()
            .to_string();
        assert!(ids.insert(id), "duplicate Message-ID");
        for f in &folios {
            if texto.contains(f.as_str()) {
                assert!(vistos.insert(f.clone()), "folio {f} twice");
            }
        }
    }
    assert_eq!(vistos, folios);
    assert!(status_report(&store.estados())
        .starts_with("Correos: 0 en cola (0 reintentando), 6 enviados, 0 fallidos"));
}

/// The Message-IDs of the messages in `maildir`, each message once.
fn ids_recibidos(maildir: &Path) -> Vec<String> {
    mensajes(maildir)
        .iter()
        .map(|m| {
            String::from_utf8_lossy(m)
                .lines()
                .find(|l| l.to_ascii_lowercase().starts_with("message-id:"))
                .expect("a Message-ID")
                .to_string()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_connection_fails_fast_and_once_the_server_listens_each_message_arrives_once() {
    let tmp = tempfile::tempdir().unwrap();
    let maildir = tmp.path().join("maildir");
    let puerto = puerto_libre();
    let store = Memoria::default();
    let n = 40;
    for i in 0..n {
        let docs = documentos(
            &format!("Estudiante Número {i}"),
            &format!("{:011}", 98_765_000_000u64 + i),
        );
        store.encolar(&Correo::nss(&format!("estudiante{i}@example.com"), &docs));
    }
    let transporte =
        Transporte::desde_url_con(&format!("smtp://127.0.0.1:{puerto}?tls=none"), 8).unwrap();
    let mut w = Worker::new(store.clone(), transporte, compositor());
    w.config = ConfigWorker {
        lote: 64,
        concurrencia: 8,
        ..config_rapida()
    };

    // Nothing listens on the port: every attempt is a quick temporary failure (no 30-second timeout).
    let inicio = std::time::Instant::now();
    let antes = Utc::now();
    let r = w.ronda().await.unwrap();
    assert_eq!((r.enviados, r.fallidos), (0, n as usize));
    eprintln!("{n} refused deliveries in {:?}", inicio.elapsed());
    assert!(
        inicio.elapsed() < Duration::from_secs(10),
        "a refused connection took {:?} for {n} messages",
        inicio.elapsed()
    );
    let estados = store.estados();
    assert!(estados.iter().all(|e| e.estado == EstadoEnvio::Pendiente
        && e.intentos == 1
        && e.ultimo_error.as_deref() == Some("smtp_conexion")));
    assert!(
        estados.iter().all(|e| e.proximo_intento.unwrap() > antes),
        "each rescheduled for a retry"
    );

    // The server starts on that port: the running worker drains the queue, every message exactly once.
    let _smtp = Smtp::iniciar(puerto, &maildir);
    store.adelantar();
    let despertar = w.despertar.clone();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let corriendo = tokio::spawn(w.run(async {
        let _ = rx.await;
    }));
    despertar.notify_one();
    for _ in 0..1200 {
        if store.pendientes() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tx.send(()).unwrap();
    corriendo.await.unwrap();
    assert_eq!(store.pendientes(), 0, "{}", status_report(&store.estados()));
    let ids = ids_recibidos(&maildir);
    assert_eq!(ids.len(), n as usize, "each message once");
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        n as usize,
        "no Message-ID twice"
    );
    assert!(status_report(&store.estados()).starts_with(&format!(
        "Correos: 0 en cola (0 reintentando), {n} enviados, 0 fallidos"
    )));
}

#[tokio::test]
async fn the_file_transport_writes_one_eml_per_message_even_if_repeated() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("outbox");
    let store = Memoria::default();
    let docs = documentos("José Ñandú", "12345678901");
    store.encolar(&Correo::nss("jose@example.com", &docs));
    store.encolar(&Correo::reenvio("jose@example.com", &docs[1]));
    let transporte = Transporte::desde_url(&format!("file:{}", dir.display())).unwrap();
    let mut w = Worker::new(store.clone(), transporte, compositor());
    w.config = config_rapida();
    assert_eq!(w.ronda().await.unwrap().enviados, 2);
    // A crash before mark_sent would send row 1 again: same file name, same content.
    store.0.lock().unwrap()[0].estado = EstadoEnvio::Pendiente;
    store.adelantar();
    assert_eq!(w.ronda().await.unwrap().enviados, 1);
    let archivos: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(archivos.len(), 2, "{archivos:?}");
    assert!(archivos
        .iter()
        .all(|p| p.extension().is_some_and(|e| e == "eml")));
    let textos: Vec<String> = archivos
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    let con_comprobante = textos
        .iter()
        .filter(|t| t.contains("comprobanteNSS12345678901.pdf"))
        .count();
    let con_tarjeta = textos
        .iter()
        .filter(|t| t.contains("tarjetaNSS12345678901.pdf"))
        .count();
    assert_eq!(
        (con_comprobante, con_tarjeta),
        (1, 2),
        "the NSS message has both PDFs, the re-send only the tarjeta"
    );

    // A payload that cannot be read fails permanently instead of retrying forever.
    store.0.lock().unwrap().push(Fila {
        id: 99,
        creado: Utc::now(),
        payload: "{".into(),
        estado: EstadoEnvio::Pendiente,
        intentos: 0,
        proximo: Utc::now(),
        enviado: None,
        error: None,
    });
    assert_eq!(w.ronda().await.unwrap().fallidos, 1);
    let informe = status_report(&store.estados());
    assert!(
        informe.contains("fallido") && informe.contains("payload_ilegible"),
        "{informe}"
    );
}

/// The constancia de vigencia from the app's own outbox (SQLite and PostgreSQL) to a real SMTP server: one message
/// with `comprobanteVigenciaDerechos{NSS}.pdf`, whose text says SÍ, the school and the folio.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_constancia_arrives_over_smtp_from_the_outbox() {
    let (_, _, demos) = afiliate_server::cli::datos_demo(0).unwrap();
    let d = demos
        .iter()
        .find(|d| d.caso == "vigencia: vigente")
        .unwrap();
    let nss = d.nss.clone().unwrap();
    for b in [common::Backend::Sqlite, common::Backend::Postgres] {
        let e = common::entorno(b).await;
        let tmp = tempfile::tempdir().unwrap();
        let maildir = tmp.path().join("maildir");
        let puerto = puerto_libre();
        let _smtp = Smtp::iniciar(puerto, &maildir);
        let id = common::captcha(&e.state).await;
        let (s, v, _) = common::llamar(
            &e.state,
            common::post_json(
                "/api/vigencia/solicitudes",
                &serde_json::json!({"curp": d.curp, "nss": nss, "correo": "valeria@example.com",
                    "confirmacion_correo": "valeria@example.com", "captcha_id": id,
                    "captcha_respuesta": common::CAPTCHA}),
            ),
        )
        .await;
        assert_eq!(s, axum::http::StatusCode::OK, "{v}");
        let folio = v["documentos"][0]["folio"].as_str().unwrap().to_string();
        let transporte = Transporte::desde_url(&format!("smtp://127.0.0.1:{puerto}")).unwrap();
        let compositor = Compositor::new(
            "Afíliate <no-responder@afiliate.local>",
            &e.state.config().public_url(),
        )
        .unwrap();
        let mut w = Worker::new(e.state.outbox(), transporte, compositor);
        w.config = config_rapida();
        let r = w.ronda().await.unwrap();
        assert_eq!((r.enviados, r.fallidos), (1, 0), "{b:?}");
        let recibidos = mensajes(&maildir);
        assert_eq!(recibidos.len(), 1);
        let salida = extraer_adjuntos(&recibidos[0], tmp.path());
        let archivo = format!("comprobanteVigenciaDerechos{nss}.pdf");
        assert_eq!(salida[0], archivo, "{salida:?}");
        assert!(
            salida.contains(&"SUBJECT=Tu constancia de vigencia de derechos del IMSS".to_string()),
            "{salida:?}"
        );
        let texto = salida.iter().find(|l| l.starts_with("TEXT=")).unwrap();
        for esperado in [
            "VALERIA TORRES MENDEZ",
            nss.as_str(),
            "¿Tienes derecho al servicio médico del IMSS? SÍ",
            folio.as_str(),
        ] {
            assert!(texto.contains(esperado), "{esperado} not in {texto}");
        }
        let t = pdftotext(&tmp.path().join(&archivo));
        for esperado in [
            "Constancia de vigencia de derechos",
            "SÍ tiene derecho",
            "Preparatoria Demostración 1",
            "Z0000001320",
            folio.as_str(),
            d.curp.as_str(),
        ] {
            assert!(t.contains(esperado), "{esperado:?} not in the PDF:\n{t}");
        }
    }
}
