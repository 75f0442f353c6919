//! The outbox on the real database with the real worker: queued in the solicitud's transaction, delivered once,
//! kept and retried while the mail server is down.

mod common;

use std::sync::Arc;
use std::time::Duration;

use afiliate_server::mail::{Compositor, Entrega, FallaEnvio, OutboxStore, Transporte, Worker};
use axum::http::StatusCode;
use common::*;
use sqlx::Row;
use tokio::sync::Notify;

/// The composer every test of this file uses.
fn compositor() -> Compositor {
    Compositor::new(
        "Afíliate <no-responder@afiliate.local>",
        "http://127.0.0.1:8080",
    )
    .unwrap()
}

async fn estado(e: &Entorno) -> Vec<(String, i64, Option<String>)> {
    sqlx::query("SELECT estado, intentos, ultimo_error FROM outbox ORDER BY id")
        .fetch_all(&e.state.db().pool)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect()
}

async fn entrega_y_reintento(b: Backend) {
    let e = entorno(b).await;
    let (s, v) = solicitar(&e.state, &demos().localizado, "mariana@example.com").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let compositor = compositor();

    // The mail server is down: the message stays queued with the error kind and one attempt.
    let cerrado = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let caido = Transporte::desde_url(&format!("smtp://{cerrado}?tls=none")).unwrap();
    let w = Worker::new(e.state.outbox(), caido, compositor.clone());
    let r = w.ronda().await.unwrap();
    assert_eq!((r.enviados, r.fallidos), (0, 1));
    let filas = estado(&e).await;
    assert_eq!(filas.len(), 1);
    assert_eq!(filas[0].0, "pendiente");
    assert_eq!(filas[0].1, 1);
    assert!(filas[0].2.is_some());
    // Not due again before its backoff ends.
    let buzon = e.dir.path().join("buzon");
    let w = Worker::new(
        e.state.outbox(),
        Transporte::Archivo(buzon.clone()),
        compositor.clone(),
    );
    assert_eq!(w.ronda().await.unwrap().enviados, 0);
    // Due now: delivered once, as one .eml file.
    sqlx::query("UPDATE outbox SET proximo_intento = 0")
        .execute(&e.state.db().pool)
        .await
        .unwrap();
    assert_eq!(w.ronda().await.unwrap().enviados, 1);
    assert_eq!(w.ronda().await.unwrap().enviados, 0);
    let emls: Vec<_> = std::fs::read_dir(&buzon)
        .unwrap()
        .flatten()
        .filter(|f| f.path().extension().is_some_and(|x| x == "eml"))
        .collect();
    assert_eq!(emls.len(), 1);
    let texto = std::fs::read_to_string(emls[0].path()).unwrap();
    assert!(texto.contains("mariana@example.com"));
    let filas = estado(&e).await;
    assert_eq!(filas[0].0, "enviado");
    assert_eq!(filas[0].1, 2);
    // mail status shows it without the address.
    let informe = afiliate_server::cli::estado_correo(e.state.db())
        .await
        .unwrap();
    assert!(informe.contains("1 enviados"), "{informe}");
    assert!(!informe.contains("mariana@example.com"));
}

async fn arriendo_exclusivo(b: Backend) {
    let e = entorno(b).await;
    for _ in 0..3 {
        let (s, _) = solicitar(&e.state, &demos().localizado, "m@example.com").await;
        assert_eq!(s, StatusCode::OK);
    }
    let ahora = chrono::Utc::now();
    let hasta = ahora + chrono::Duration::minutes(15);
    let store = e.state.outbox();
    let (a, b2) = tokio::join!(
        store.claim_due(ahora, hasta, 2),
        store.claim_due(ahora, hasta, 2)
    );
    let (a, b2) = (a.unwrap(), b2.unwrap());
    let mut ids: Vec<i64> = a.iter().chain(b2.iter()).map(|i| i.id).collect();
    ids.sort();
    let n = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), n, "a row is leased to one round only");
    assert_eq!(n, 3);
}

/// A mail server that holds every message until released (a slow send).
struct Retenido(Arc<Notify>);

impl Entrega for Retenido {
    async fn entregar(&self, _clave: &str, _mensaje: &lettre::Message) -> Result<(), FallaEnvio> {
        self.0.notified().await;
        Ok(())
    }
}

/// Whether another worker's round would lease anything now.
async fn otro_arrienda(e: &Entorno) -> usize {
    let ahora = chrono::Utc::now();
    e.state
        .outbox()
        .claim_due(ahora, ahora + chrono::Duration::seconds(60), 10)
        .await
        .unwrap()
        .len()
}

/// Runs a round of `w` (its one message held by `soltar`) for 9 s, checking every second that no other worker
/// can lease the message, then lets the send finish: delivered once.
async fn ronda_lenta<S: OutboxStore, T: Entrega>(e: &Entorno, w: &Worker<S, T>, soltar: &Notify) {
    let mirar = async {
        let mut vistos = Vec::new();
        for _ in 0..9 {
            tokio::time::sleep(Duration::from_secs(1)).await;
            vistos.push(otro_arrienda(e).await);
        }
        soltar.notify_one();
        vistos
    };
    let (r, vistos) = tokio::join!(w.ronda(), mirar);
    assert_eq!(
        vistos,
        vec![0; 9],
        "another worker leased a message in flight"
    );
    assert_eq!(r.unwrap().enviados, 1);
    assert_eq!(estado(e).await[0].0, "enviado");
}

/// A round renews its lease while a send is slow (no other worker gets the message, however long it takes);
/// a round that dies in flight leaves its rows to the others once its lease ends; the renewal never touches a
/// row marked meanwhile.
async fn arriendo_renovado(b: Backend) {
    let e = entorno(b).await;
    let compositor = compositor();
    let (s, _) = solicitar(&e.state, &demos().localizado, "lento@example.com").await;
    assert_eq!(s, StatusCode::OK);
    let soltar = Arc::new(Notify::new());
    let mut w = Worker::new(
        e.state.outbox(),
        Retenido(soltar.clone()),
        compositor.clone(),
    );
    // A lease and a half in flight. Renewed every 2 s, times stored in whole seconds: a renewal late by up to
    // 3 s (a loaded machine) still comes before another worker could take the row.
    w.config.arriendo = Duration::from_secs(6);
    ronda_lenta(&e, &w, &soltar).await;

    // The process dies with the message in flight: the others get it once the lease runs out, not before.
    let (s, _) = solicitar(&e.state, &demos().localizado, "caido@example.com").await;
    assert_eq!(s, StatusCode::OK);
    let mut muere = Worker::new(
        e.state.outbox(),
        Retenido(Arc::new(Notify::new())),
        compositor.clone(),
    );
    muere.config.arriendo = Duration::from_secs(2);
    assert!(tokio::time::timeout(Duration::from_secs(1), muere.ronda())
        .await
        .is_err());
    assert_eq!(otro_arrienda(&e).await, 0, "leased by the dead round");
    tokio::time::sleep(Duration::from_millis(2700)).await;
    assert_eq!(otro_arrienda(&e).await, 1, "due again after the lease");

    // A renewal that comes after the failure was recorded leaves the retry time alone.
    let (s, _) = solicitar(&e.state, &demos().localizado, "reintento@example.com").await;
    assert_eq!(s, StatusCode::OK);
    let store = e.state.outbox();
    let ahora = chrono::Utc::now();
    let hasta = ahora + chrono::Duration::seconds(60);
    let items = store.claim_due(ahora, hasta, 10).await.unwrap();
    assert_eq!(items.len(), 1);
    let reintento = ahora + chrono::Duration::seconds(600);
    store
        .mark_failed(items[0].id, 1, Some(reintento), "smtp_conexion")
        .await
        .unwrap();
    store
        .renew(
            &[items[0].id],
            &[hasta],
            hasta + chrono::Duration::seconds(60),
        )
        .await
        .unwrap();
    let proximo: i64 = sqlx::query("SELECT proximo_intento FROM outbox WHERE id = $1")
        .bind(items[0].id)
        .fetch_one(&e.state.db().pool)
        .await
        .unwrap()
        .get(0);
    assert_eq!(proximo, reintento.timestamp());
}

/// A store whose first lease renewal commits and then answers an error (a connection lost after the commit).
struct ErrorTrasCommit<S> {
    store: S,
    fallo: std::sync::atomic::AtomicBool,
}

impl<S: OutboxStore> OutboxStore for ErrorTrasCommit<S> {
    async fn claim_due(
        &self,
        ahora: chrono::DateTime<chrono::Utc>,
        hasta: chrono::DateTime<chrono::Utc>,
        limite: usize,
    ) -> anyhow::Result<Vec<afiliate_server::mail::OutboxItem>> {
        self.store.claim_due(ahora, hasta, limite).await
    }

    async fn renew(
        &self,
        ids: &[i64],
        hasta: &[chrono::DateTime<chrono::Utc>],
        nuevo_hasta: chrono::DateTime<chrono::Utc>,
    ) -> anyhow::Result<()> {
        self.store.renew(ids, hasta, nuevo_hasta).await?;
        if self.fallo.swap(true, std::sync::atomic::Ordering::SeqCst) {
            Ok(())
        } else {
            Err(anyhow::anyhow!("connection lost after the commit"))
        }
    }

    async fn mark_sent(&self, id: i64, ahora: chrono::DateTime<chrono::Utc>) -> anyhow::Result<()> {
        self.store.mark_sent(id, ahora).await
    }

    async fn mark_failed(
        &self,
        id: i64,
        intentos: u32,
        proximo: Option<chrono::DateTime<chrono::Utc>>,
        tipo_error: &str,
    ) -> anyhow::Result<()> {
        self.store
            .mark_failed(id, intentos, proximo, tipo_error)
            .await
    }
}

/// A renewal that committed but answered an error does not lose the lease: the next one finds the rows at the
/// time it set (before, it looked for the older time, matched nothing, and the rows went to another worker
/// while their send was still in flight).
async fn renovacion_con_error(b: Backend) {
    let e = entorno(b).await;
    let (s, _) = solicitar(&e.state, &demos().localizado, "lento@example.com").await;
    assert_eq!(s, StatusCode::OK);
    let soltar = Arc::new(Notify::new());
    let store = ErrorTrasCommit {
        store: e.state.outbox(),
        fallo: Default::default(),
    };
    let mut w = Worker::new(store, Retenido(soltar.clone()), compositor());
    // Renewed every 2 s, times stored in whole seconds: the first renewal's time is never the lease's, and the
    // row it set would be due within the 9 s looked at.
    w.config.arriendo = Duration::from_secs(6);
    ronda_lenta(&e, &w, &soltar).await;
}

async fn payloads(e: &Entorno) -> Vec<(String, String, Option<String>)> {
    sqlx::query("SELECT estado, payload, ultimo_error FROM outbox ORDER BY id")
        .fetch_all(&e.state.db().pool)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect()
}

/// A message still failing after `AFILIATE_OUTBOX_RENDIRSE_H` is given up ('caducado'); the content of the
/// delivered and given-up messages is erased after `AFILIATE_OUTBOX_RETENCION_DIAS`, the pending one's is kept,
/// and `mail status` still reads every row.
async fn caducidad_y_retencion(b: Backend) {
    let e = entorno(b).await;
    let pool = e.state.db().pool.clone();
    let compositor = compositor();
    let (s, _) = solicitar(&e.state, &demos().localizado, "viejo@example.com").await;
    assert_eq!(s, StatusCode::OK);
    // Queued 73 hours ago, the mail server refuses connections: given up at this failure, not retried.
    sqlx::query("UPDATE outbox SET creado_en = creado_en - 73 * 3600, proximo_intento = 0")
        .execute(&pool)
        .await
        .unwrap();
    let cerrado = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let caido = Transporte::desde_url(&format!("smtp://{cerrado}?tls=none")).unwrap();
    let mut w = Worker::new(e.state.outbox(), caido, compositor.clone());
    w.config.rendirse = Some(std::time::Duration::from_secs(72 * 3600));
    let r = w.ronda().await.unwrap();
    assert_eq!((r.enviados, r.fallidos), (0, 1));
    let filas = payloads(&e).await;
    assert_eq!(filas[0].0, "fallido");
    assert_eq!(filas[0].2.as_deref(), Some("caducado"));
    sqlx::query("UPDATE outbox SET proximo_intento = 0")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        w.ronda().await.unwrap(),
        Default::default(),
        "never retried"
    );

    // A second message, delivered; a third, young and failing: retried, not given up.
    let (s, _) = solicitar(&e.state, &demos().localizado, "entregado@example.com").await;
    assert_eq!(s, StatusCode::OK);
    let buzon = e.dir.path().join("buzon");
    let archivo = Worker::new(
        e.state.outbox(),
        Transporte::Archivo(buzon),
        compositor.clone(),
    );
    assert_eq!(archivo.ronda().await.unwrap().enviados, 1);
    let (s, _) = solicitar(&e.state, &demos().localizado, "pendiente@example.com").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(w.ronda().await.unwrap().fallidos, 1);
    let filas = payloads(&e).await;
    assert_eq!(
        filas.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(),
        ["fallido", "enviado", "pendiente"]
    );
    assert!(filas[2].2.as_deref().is_some_and(|t| t != "caducado"));
    let informe = afiliate_server::cli::estado_correo(e.state.db())
        .await
        .unwrap();
    assert!(
        informe.starts_with(
            "Correos: 1 en cola (1 reintentando), 1 enviados, 1 fallidos (1 caducados"
        ),
        "{informe}"
    );

    // Within the retention period nothing is erased; 31 days later the delivered and given-up rows' content is.
    assert_eq!(e.state.purgar_correos().await.unwrap(), 0);
    assert!(payloads(&e)
        .await
        .iter()
        .all(|f| f.1.contains("@example.com")));
    e.state.adelantar_reloj(31 * 86_400);
    assert_eq!(e.state.purgar_correos().await.unwrap(), 2);
    assert_eq!(e.state.purgar_correos().await.unwrap(), 0, "once");
    let filas = payloads(&e).await;
    assert_eq!(filas[0].1, "{}");
    assert_eq!(filas[1].1, "{}");
    assert!(
        filas[2].1.contains("pendiente@example.com"),
        "a pending message keeps its content"
    );
    let informe = afiliate_server::cli::estado_correo(e.state.db())
        .await
        .unwrap();
    assert!(
        informe.starts_with(
            "Correos: 1 en cola (1 reintentando), 1 enviados, 1 fallidos (1 caducados"
        ),
        "{informe}"
    );
    assert_eq!(informe.lines().count(), 5, "{informe}");
}

en_ambas!(
    entrega_y_reintento,
    arriendo_exclusivo,
    arriendo_renovado,
    renovacion_con_error,
    caducidad_y_retencion
);
