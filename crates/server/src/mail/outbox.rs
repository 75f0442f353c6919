//! The outbox: the store the server implements, the worker that delivers, and the `mail status` report.

use std::future::Future;
use std::pin::pin;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::stream::{self, StreamExt as _};
use rand::Rng as _;
use tokio::sync::{Notify, Semaphore};

use super::transporte::Entrega;
use super::{Compositor, Correo};

/// One leased outbox row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxItem {
    pub id: i64,
    pub creado: DateTime<Utc>,
    /// Delivery attempts before this one.
    pub intentos: u32,
    /// [`Correo::to_json`].
    pub payload: String,
}

/// The outbox table, implemented by the server on its database (see the module docs of `mail` for the SQL).
pub trait OutboxStore: Send + Sync {
    /// Atomically leases up to `limite` pending rows due at `ahora` (`proximo_intento <= ahora`), moving their
    /// `proximo_intento` to `arriendo_hasta`, and returns them oldest first.
    fn claim_due(
        &self,
        ahora: DateTime<Utc>,
        arriendo_hasta: DateTime<Utc>,
        limite: usize,
    ) -> impl Future<Output = anyhow::Result<Vec<OutboxItem>>> + Send;

    /// Extends the lease of those of rows `ids` still pending and still leased until one of `hasta` (the lease
    /// this worker holds; or the ones it tried to set, when the store answered an error that may have come after
    /// the commit) to `nuevo_hasta`. A row marked meanwhile (sent, or failed with its retry time) or leased by
    /// another worker is left as it is.
    fn renew(
        &self,
        ids: &[i64],
        hasta: &[DateTime<Utc>],
        nuevo_hasta: DateTime<Utc>,
    ) -> impl Future<Output = anyhow::Result<()>> + Send;

    /// The mail server accepted the message.
    fn mark_sent(
        &self,
        id: i64,
        ahora: DateTime<Utc>,
    ) -> impl Future<Output = anyhow::Result<()>> + Send;

    /// Delivery failed `intentos` times in all; retry at `proximo` or, when `None`, give up (permanent failure).
    fn mark_failed(
        &self,
        id: i64,
        intentos: u32,
        proximo: Option<DateTime<Utc>>,
        tipo_error: &str,
    ) -> impl Future<Output = anyhow::Result<()>> + Send;
}

/// Worker settings.
#[derive(Clone, Debug)]
pub struct ConfigWorker {
    /// Rows leased per round.
    pub lote: usize,
    /// Messages of a round in flight at once (`AFILIATE_MAIL_CONCURRENCIA`): each is composed, sent and marked
    /// on its own, so one slow or failing message does not hold the others back. The SMTP transport keeps as
    /// many connections open for reuse ([`super::Transporte::desde_url_con`]).
    pub concurrencia: usize,
    /// How long a leased row stays invisible to other rounds (`AFILIATE_OUTBOX_ARRIENDO_S`). The round renews
    /// the lease of its unfinished rows every third of it, so a slow send keeps its rows, and the rows of a
    /// worker that died are sent again by another one at most this long after its last renewal.
    pub arriendo: Duration,
    /// Longest sleep between rounds when nobody wakes the worker.
    pub sondeo: Duration,
    /// First retry delay; doubles per attempt.
    pub espera_base: Duration,
    /// Retry delay cap.
    pub espera_max: Duration,
    /// A message still undelivered this long after it was queued is given up at its next temporary failure
    /// (`AFILIATE_OUTBOX_RENDIRSE_H`): its row becomes `fallido` with `ultimo_error = 'caducado'`. None: never.
    pub rendirse: Option<Duration>,
}

impl Default for ConfigWorker {
    fn default() -> Self {
        ConfigWorker {
            lote: 128,
            concurrencia: 32,
            arriendo: Duration::from_secs(60),
            sondeo: Duration::from_secs(5),
            espera_base: Duration::from_secs(30),
            espera_max: Duration::from_secs(3600),
            rendirse: Some(Duration::from_secs(72 * 3600)),
        }
    }
}

/// The `ultimo_error` of a message given up because it was too old ([`ConfigWorker::rendirse`]).
pub const CADUCADO: &str = "caducado";

impl ConfigWorker {
    /// The delay before retry number `intentos` (≥ 1): exponential, capped, with jitter in [50 %, 100 %].
    pub fn espera(&self, intentos: u32) -> Duration {
        let exp = self
            .espera_base
            .saturating_mul(1u32 << intentos.saturating_sub(1).min(20));
        let tope = exp.min(self.espera_max);
        tope.mul_f64(rand::thread_rng().gen_range(0.5..=1.0))
    }
}

/// Delivers the outbox.
pub struct Worker<S, T> {
    pub store: S,
    pub transporte: T,
    pub compositor: Compositor,
    pub config: ConfigWorker,
    /// Notify after committing a new outbox row to send at once instead of at the next poll.
    pub despertar: Arc<Notify>,
}

/// What one round did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ronda {
    pub enviados: usize,
    pub fallidos: usize,
}

impl<S: OutboxStore, T: Entrega> Worker<S, T> {
    pub fn new(store: S, transporte: T, compositor: Compositor) -> Worker<S, T> {
        Worker {
            store,
            transporte,
            compositor,
            config: ConfigWorker::default(),
            despertar: Arc::new(Notify::new()),
        }
    }

    /// Leases due rows and tries each once, [`ConfigWorker::concurrencia`] at a time. Each message is marked
    /// sent right after the mail server accepts it, so a crash re-sends at most the messages in flight.
    pub async fn ronda(&self) -> anyhow::Result<Ronda> {
        let ahora = Utc::now();
        let arriendo = chrono::Duration::from_std(self.config.arriendo)
            .unwrap_or(chrono::Duration::minutes(1));
        let hasta = ahora + arriendo;
        let items = self
            .store
            .claim_due(ahora, hasta, self.config.lote.max(1))
            .await?;
        if items.is_empty() {
            return Ok(Ronda::default());
        }
        let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
        // Composing (the PDFs above all) is CPU work done off the async workers, at most one message per core
        // at a time so the HTTP server keeps its share of the machine.
        let nucleos = std::thread::available_parallelism().map_or(2, |n| n.get());
        let cpu = Semaphore::new(nucleos);
        let caido = OnceLock::new();
        let entregas = stream::iter(items)
            .map(|item| self.intentar(item, &cpu, &caido))
            .buffer_unordered(self.config.concurrencia.max(1))
            .collect::<Vec<bool>>();
        let resultados = tokio::select! {
            r = entregas => r,
            nunca = self.renovar(&ids, hasta, arriendo) => match nunca {},
        };
        let enviados = resultados.iter().filter(|e| **e).count();
        Ok(Ronda {
            enviados,
            fallidos: resultados.len() - enviados,
        })
    }

    /// Renews the round's lease every third of [`ConfigWorker::arriendo`] until the round ends (this future is
    /// dropped then). A failed renewal is logged and tried again at the next tick: the lease it held still runs.
    async fn renovar(
        &self,
        ids: &[i64],
        hasta: DateTime<Utc>,
        arriendo: chrono::Duration,
    ) -> std::convert::Infallible {
        let cada = (self.config.arriendo / 3).max(Duration::from_millis(100));
        // The lease the last renewal confirmed first, then the ones set by renewals that answered an error.
        let mut candidatos = vec![hasta];
        loop {
            tokio::time::sleep(cada).await;
            let ahora = Utc::now();
            let nuevo = ahora + arriendo;
            match self.store.renew(ids, &candidatos, nuevo).await {
                Ok(()) => candidatos = vec![nuevo],
                Err(e) => {
                    tracing::warn!(error = %e, "could not renew the outbox lease");
                    // It may have committed before the error: match its time too next tick. Only while the
                    // confirmed lease runs (in whole seconds, as stored): a renewal tried later could carry the
                    // very time another worker leased the rows with, in the same second, and take them over.
                    if ahora.timestamp() < candidatos[0].timestamp() {
                        candidatos.push(nuevo);
                    }
                }
            }
        }
    }

    /// One delivery attempt of a leased row, recorded: true when the message was delivered. Once a message of
    /// the round found the mail server unreachable (refused, timed out, TLS failed: `caido` holds the kind), the
    /// rest are not composed nor sent: they fail at once with that kind and wait for their retry.
    async fn intentar(&self, item: OutboxItem, cpu: &Semaphore, caido: &OnceLock<String>) -> bool {
        let intentos = item.intentos + 1;
        let resultado = match caido.get() {
            Some(tipo) => Err(super::FallaEnvio {
                tipo: tipo.clone(),
                permanente: false,
            }),
            None => self.enviar(&item, cpu).await,
        };
        if let Err(f) = &resultado {
            if f.servidor_inalcanzable() {
                let _ = caido.set(f.tipo.clone());
            }
        }
        match resultado {
            Ok(()) => {
                // Right after acceptance: this is the duplicate window, keep it to this one statement.
                let mut reintentos = 0;
                while let Err(e) = self.store.mark_sent(item.id, Utc::now()).await {
                    reintentos += 1;
                    tracing::error!(outbox_id = item.id, error = %e, "could not record a sent message");
                    if reintentos >= 3 {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(200 * reintentos)).await;
                }
                tracing::info!(outbox_id = item.id, intentos, "message delivered");
                true
            }
            Err(falla) => {
                let caducado = !falla.permanente
                    && self.config.rendirse.is_some_and(|limite| {
                        (Utc::now() - item.creado).to_std().unwrap_or_default() >= limite
                    });
                let proximo = if falla.permanente || caducado {
                    None
                } else {
                    let espera = chrono::Duration::from_std(self.config.espera(intentos))
                        .unwrap_or(chrono::Duration::hours(1));
                    Some(Utc::now() + espera)
                };
                tracing::warn!(
                    outbox_id = item.id,
                    intentos,
                    tipo = %falla.tipo,
                    permanente = falla.permanente,
                    caducado,
                    "message not delivered"
                );
                crate::metrics::record_mail_failure(proximo.is_none());
                if caducado {
                    crate::metrics::record_mail_expired();
                }
                let tipo = if caducado { CADUCADO } else { &falla.tipo };
                if let Err(e) = self
                    .store
                    .mark_failed(item.id, intentos, proximo, tipo)
                    .await
                {
                    tracing::error!(outbox_id = item.id, error = %e, "could not record a failed delivery");
                }
                false
            }
        }
    }

    async fn enviar(&self, item: &OutboxItem, cpu: &Semaphore) -> Result<(), super::FallaEnvio> {
        let permanente = |tipo: &str| super::FallaEnvio {
            tipo: tipo.to_string(),
            permanente: true,
        };
        let mensaje = {
            let _turno = cpu.acquire().await.map_err(|_| super::FallaEnvio {
                tipo: "composicion_tarea".into(),
                permanente: false,
            })?;
            let compositor = self.compositor.clone();
            let (payload, id, creado) = (item.payload.clone(), item.id, item.creado);
            tokio::task::spawn_blocking(move || {
                let correo = Correo::from_json(&payload).map_err(|_| "payload_ilegible")?;
                compositor
                    .componer(&correo, id, creado)
                    .map_err(|e| match e {
                        super::ErrorCorreo::Direccion => "direccion_invalida",
                        _ => "composicion",
                    })
            })
            .await
            .map_err(|_| super::FallaEnvio {
                tipo: "composicion_tarea".into(),
                permanente: false,
            })?
            .map_err(permanente)?
        };
        let clave = format!("{}-{:010}", item.creado.format("%Y%m%dT%H%M%SZ"), item.id);
        self.transporte.entregar(&clave, &mensaje).await
    }

    /// Runs rounds until `shutdown` completes: immediately after a round that found work, otherwise when woken
    /// or after `sondeo`. A send in progress finishes (and is recorded) before the worker stops.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) {
        let mut shutdown = pin!(shutdown);
        loop {
            let hubo_trabajo = match self.ronda().await {
                Ok(r) => r.enviados + r.fallidos > 0,
                Err(e) => {
                    tracing::error!(error = %e, "outbox round failed");
                    false
                }
            };
            if hubo_trabajo {
                // Yield to a pending shutdown between rounds without sleeping.
                tokio::select! {
                    biased;
                    _ = &mut shutdown => return,
                    _ = std::future::ready(()) => {}
                }
                continue;
            }
            tokio::select! {
                _ = &mut shutdown => return,
                _ = self.despertar.notified() => {}
                _ = tokio::time::sleep(self.config.sondeo) => {}
            }
        }
    }
}

/// Runs a worker with default settings until `shutdown`.
pub async fn run_worker<S: OutboxStore, T: Entrega>(
    store: S,
    transporte: T,
    compositor: Compositor,
    despertar: Arc<Notify>,
    shutdown: impl Future<Output = ()> + Send,
) {
    let mut w = Worker::new(store, transporte, compositor);
    w.despertar = despertar;
    w.run(shutdown).await
}

/// State of an outbox row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EstadoEnvio {
    Pendiente,
    Enviado,
    Fallido,
}

impl EstadoEnvio {
    /// From the `estado` column.
    pub fn parse(s: &str) -> Option<EstadoEnvio> {
        match s {
            "pendiente" => Some(EstadoEnvio::Pendiente),
            "enviado" => Some(EstadoEnvio::Enviado),
            "fallido" => Some(EstadoEnvio::Fallido),
            _ => None,
        }
    }

    pub fn como_str(self) -> &'static str {
        match self {
            EstadoEnvio::Pendiente => "pendiente",
            EstadoEnvio::Enviado => "enviado",
            EstadoEnvio::Fallido => "fallido",
        }
    }
}

/// One row as `mail status` shows it: no recipient, no content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EstadoCorreo {
    pub id: i64,
    pub creado: DateTime<Utc>,
    pub estado: EstadoEnvio,
    pub intentos: u32,
    pub proximo_intento: Option<DateTime<Utc>>,
    pub enviado: Option<DateTime<Utc>>,
    pub ultimo_error: Option<String>,
}

/// The operator's report: totals, then one line per row (newest first as given).
pub fn status_report(filas: &[EstadoCorreo]) -> String {
    let cuenta = |e: EstadoEnvio| filas.iter().filter(|f| f.estado == e).count();
    let reintentando = filas
        .iter()
        .filter(|f| f.estado == EstadoEnvio::Pendiente && f.intentos > 0)
        .count();
    let fecha = |d: &Option<DateTime<Utc>>| {
        d.map(|d| d.format("%Y-%m-%d %H:%M:%SZ").to_string())
            .unwrap_or("-".into())
    };
    let caducados = filas
        .iter()
        .filter(|f| f.estado == EstadoEnvio::Fallido && f.ultimo_error.as_deref() == Some(CADUCADO))
        .count();
    let mut s = format!(
        "Correos: {} en cola ({} reintentando), {} enviados, {} fallidos",
        cuenta(EstadoEnvio::Pendiente),
        reintentando,
        cuenta(EstadoEnvio::Enviado),
        cuenta(EstadoEnvio::Fallido),
    );
    if caducados > 0 {
        s.push_str(&format!(
            " ({caducados} caducados: sin entregar después del plazo)"
        ));
    }
    s.push('\n');
    if filas.is_empty() {
        return s;
    }
    s.push_str(&format!(
        "{:>8}  {:<12}  {:>8}  {:<20}  {:<20}  {}\n",
        "ID", "ESTADO", "INTENTOS", "CREADO", "PRÓXIMO / ENVIADO", "ÚLTIMO ERROR"
    ));
    for f in filas {
        let estado = match f.estado {
            EstadoEnvio::Pendiente if f.intentos > 0 => "reintentando",
            e => e.como_str(),
        };
        let cuando = match f.estado {
            EstadoEnvio::Enviado => fecha(&f.enviado),
            EstadoEnvio::Pendiente => fecha(&f.proximo_intento),
            EstadoEnvio::Fallido => "-".into(),
        };
        s.push_str(&format!(
            "{:>8}  {:<12}  {:>8}  {:<20}  {:<20}  {}\n",
            f.id,
            estado,
            f.intentos,
            fecha(&Some(f.creado)),
            cuando,
            f.ultimo_error.as_deref().unwrap_or("-")
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    #[test]
    fn backoff_grows_exponentially_is_capped_and_jittered() {
        let c = ConfigWorker {
            espera_base: Duration::from_secs(10),
            espera_max: Duration::from_secs(300),
            ..Default::default()
        };
        for _ in 0..50 {
            let e1 = c.espera(1);
            assert!(
                e1 >= Duration::from_secs(5) && e1 <= Duration::from_secs(10),
                "{e1:?}"
            );
            let e3 = c.espera(3);
            assert!(
                e3 >= Duration::from_secs(20) && e3 <= Duration::from_secs(40),
                "{e3:?}"
            );
            let e30 = c.espera(30);
            assert!(
                e30 >= Duration::from_secs(150) && e30 <= Duration::from_secs(300),
                "{e30:?}"
            );
        }
        let distintos: std::collections::HashSet<_> = (0..20).map(|_| c.espera(2)).collect();
        assert!(distintos.len() > 1, "jitter");
    }

    #[test]
    fn status_report_counts_and_lists_without_content() {
        let t = Utc.with_ymd_and_hms(2026, 11, 26, 10, 0, 0).unwrap();
        let filas = vec![
            EstadoCorreo {
                id: 3,
                creado: t,
                estado: EstadoEnvio::Pendiente,
                intentos: 2,
                proximo_intento: Some(t),
                enviado: None,
                ultimo_error: Some("smtp_conexion".into()),
            },
            EstadoCorreo {
                id: 2,
                creado: t,
                estado: EstadoEnvio::Enviado,
                intentos: 1,
                proximo_intento: None,
                enviado: Some(t),
                ultimo_error: None,
            },
            EstadoCorreo {
                id: 1,
                creado: t,
                estado: EstadoEnvio::Fallido,
                intentos: 1,
                proximo_intento: None,
                enviado: None,
                ultimo_error: Some("smtp_permanente_550".into()),
            },
        ];
        let r = status_report(&filas);
        assert!(
            r.starts_with("Correos: 1 en cola (1 reintentando), 1 enviados, 1 fallidos\n"),
            "{r}"
        );
        assert!(
            r.contains("reintentando")
                && r.contains("smtp_permanente_550")
                && r.contains("2026-11-26 10:00:00Z")
        );
        assert_eq!(r.lines().count(), 5);
        assert_eq!(
            status_report(&[]),
            "Correos: 0 en cola (0 reintentando), 0 enviados, 0 fallidos\n"
        );
        let mut con_caducado = filas.clone();
        con_caducado[0].estado = EstadoEnvio::Fallido;
        con_caducado[0].ultimo_error = Some(CADUCADO.into());
        let r = status_report(&con_caducado);
        assert!(
            r.starts_with(
                "Correos: 0 en cola (0 reintentando), 1 enviados, 2 fallidos (1 caducados: sin entregar \
                 después del plazo)\n"
            ),
            "{r}"
        );
        assert!(r.lines().nth(2).unwrap().ends_with("caducado"), "{r}");
    }
}
