//! [`AppState`]: configuration, database, registry, catalog, documents and the mail worker's wake-up.

use super::documentos::{AlmacenDocumentos, Reenvio};
use crate::cifra::Caja;
use crate::config::Config;
use crate::db::{Backend, Db};
use crate::documents::{Documento, Documentos, Sellador, VIGENCIA_PREDETERMINADA_SEG};
use crate::guardia::Guardia;
use crate::mail::{Correo, OutboxItem, OutboxStore};
use crate::registry::{Registro, RegistroHttp, RegistroLocal};
use crate::subdelegaciones::Subdelegaciones;
use afiliate_domain::postal::Catalogo;
use chrono::{DateTime, TimeZone as _, Utc};
use std::net::IpAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Everything a handler needs; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    db: Db,
    registro: Arc<dyn Registro>,
    catalogo: Option<Catalogo>,
    subdelegaciones: Subdelegaciones,
    documentos: Arc<Documentos>,
    despertar_correo: Arc<Notify>,
    /// Seconds added to the system clock (tests move time forward to expire things).
    desfase_reloj: AtomicI64,
    limite_ip: super::limite_ip::LimiteIp,
    guardia: Guardia,
    tokens: Caja,
    confirmaciones: Caja,
    dibujos: crate::captcha::dibujos::Dibujos,
    auditoria: crate::auditoria::Auditoria,
}

impl AppState {
    /// Opens the database (migrating it), loads the catalog, the subdelegación table and the sealing key.
    pub async fn new(config: Config) -> anyhow::Result<AppState> {
        // Before anything is opened; `with_parts` checks again for the callers that skip this.
        config.check()?;
        if config.captcha_fixed.is_some() {
            tracing::warn!(
                "AFILIATE_CAPTCHA_FIXED is set: every CAPTCHA answer is fixed (tests only)"
            );
        }
        std::fs::create_dir_all(&config.data_dir)?;
        // The key set first: a key file others may read stops the start before anything else is opened.
        let sellador = Sellador::desde_entorno(&config.data_dir)?;
        tracing::info!(
            clave_activa = sellador.id_activa(),
            claves = sellador.claves().len(),
            "sello keys loaded"
        );
        let db = Db::connect(&config.database_url()).await?;
        let state = AppState::with_parts(config, db, sellador)?;
        let n = state
            .guardia()
            .cargar_intentos(state.db(), state.ahora())
            .await?;
        tracing::info!(contadores = n, "daily attempt counters loaded");
        Ok(state)
    }

    /// Builds the state from an open database and a sealing key (refusing a configuration [`Config::check`]
    /// refuses).
    pub fn with_parts(config: Config, db: Db, sellador: Sellador) -> anyhow::Result<AppState> {
        config.check()?;
        let registro: Arc<dyn Registro> = match &config.renapo_url {
            Some(url) => Arc::new(RegistroHttp::new(
                url,
                Duration::from_millis(config.renapo_timeout_ms),
                config.renapo_retries,
                config.renapo_ca.as_deref(),
            )?),
            None => Arc::new(RegistroLocal {
                pool: db.pool.clone(),
            }),
        };
        let ruta_catalogo = config.data_dir.join("catalog").join("catalogo.bin");
        let catalogo = match std::fs::read(&ruta_catalogo) {
            Ok(bytes) => match Catalogo::from_bytes(&bytes) {
                Ok(c) => {
                    tracing::info!(codigos = c.len(), "postal catalog loaded");
                    Some(c)
                }
                Err(e) => {
                    tracing::warn!(error = %e, "postal catalog unreadable: every postal code is unknown");
                    None
                }
            },
            Err(_) => {
                tracing::warn!(
                    path = %ruta_catalogo.display(),
                    "no postal catalog: every postal code is unknown (run `afiliate-server catalog import`)"
                );
                None
            }
        };
        crate::metrics::init();
        let subdelegaciones = Subdelegaciones::cargar(config.subdelegaciones.as_deref())?;
        let limite_ip = super::limite_ip::LimiteIp::new(config.limite_ip_seg);
        let guardia = match db.backend {
            Backend::Sqlite => Guardia::memoria(&sellador.derivar("afiliate/guardia/v1")),
            Backend::Postgres => Guardia::base(
                &sellador.derivar("afiliate/guardia/v1"),
                sellador.caja("captcha"),
            ),
        };
        let tokens = sellador.caja("token");
        let confirmaciones = sellador.caja("confirmacion");
        let auditoria = crate::auditoria::configurada(
            config.auditoria.as_deref(),
            &config.data_dir,
            &sellador,
        )?;
        let documentos = Arc::new(Documentos::new(
            sellador,
            config.public_url(),
            VIGENCIA_PREDETERMINADA_SEG,
        ));
        Ok(AppState {
            inner: Arc::new(Inner {
                config,
                db,
                registro,
                catalogo,
                subdelegaciones,
                documentos,
                despertar_correo: Arc::new(Notify::new()),
                desfase_reloj: AtomicI64::new(0),
                limite_ip,
                guardia,
                tokens,
                confirmaciones,
                dibujos: crate::captcha::dibujos::Dibujos::new(
                    crate::captcha::dibujos::CAPACIDAD_BYTES,
                ),
                auditoria,
            }),
        })
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    pub fn registro(&self) -> &dyn Registro {
        &*self.inner.registro
    }

    pub fn catalogo(&self) -> Option<&Catalogo> {
        self.inner.catalogo.as_ref()
    }

    pub fn subdelegaciones(&self) -> &Subdelegaciones {
        &self.inner.subdelegaciones
    }

    /// CAPTCHA challenges and daily limits.
    pub fn guardia(&self) -> &Guardia {
        &self.inner.guardia
    }

    /// The audit log ([`crate::auditoria`]).
    pub fn auditoria(&self) -> &crate::auditoria::Auditoria {
        &self.inner.auditoria
    }

    /// The CAPTCHA's rendered images and sounds.
    pub fn dibujos(&self) -> &crate::captcha::dibujos::Dibujos {
        &self.inner.dibujos
    }

    /// Seals and opens the e-mail confirmation links' tokens.
    pub fn confirmaciones(&self) -> &Caja {
        &self.inner.confirmaciones
    }

    /// Seals and opens solicitud tokens.
    pub fn tokens(&self) -> &Caja {
        &self.inner.tokens
    }

    pub fn docs(&self) -> &Arc<Documentos> {
        &self.inner.documentos
    }

    /// The mail worker sleeps on this; notified after each commit that queued a message.
    pub fn despertar_correo(&self) -> Arc<Notify> {
        self.inner.despertar_correo.clone()
    }

    /// Unix seconds, including the test offset.
    pub fn ahora(&self) -> i64 {
        Utc::now().timestamp() + self.inner.desfase_reloj.load(Ordering::Relaxed)
    }

    /// Moves this state's clock forward (tests: expire CAPTCHAs, tokens, limits).
    pub fn adelantar_reloj(&self, segundos: i64) {
        self.inner
            .desfase_reloj
            .fetch_add(segundos, Ordering::Relaxed);
    }

    /// The per-client limit (`limite_ip_seg` per second, bursts of twice that): Ok, or how long to wait.
    pub fn permitir_ip(&self, ip: IpAddr) -> Result<(), Duration> {
        self.inner.limite_ip.permitir(ip)
    }

    /// Forgets the clients whose rate-limit bucket is full again (the server runs it every few seconds).
    pub fn purgar_limite_ip(&self) {
        self.inner.limite_ip.purgar();
    }

    /// Whether the per-client limit is also kept in the database, shared by every process on it: on PostgreSQL
    /// with a limit and `limite_ip_compartido` (SQLite is one process).
    pub fn limite_ip_compartido(&self) -> bool {
        self.db().backend == Backend::Postgres
            && self.config().limite_ip_seg > 0
            && self.config().limite_ip_compartido
    }

    /// The shared per-client limit ([`AppState::limite_ip_compartido`]): Ok, or how long to wait. When the database
    /// cannot answer, the request goes on (each process's own limit still holds, and the request itself will meet
    /// the same database).
    pub async fn permitir_ip_compartido(&self, ip: IpAddr) -> Result<(), Duration> {
        let por_seg = i64::from(self.config().limite_ip_seg.max(1));
        let intervalo_us = 1_000_000 / por_seg;
        // The same burst as the in-memory limiter: twice the rate.
        let rafaga_us = intervalo_us * por_seg * 2;
        let clave = self
            .guardia()
            .clave_limite("ip", &super::limite_ip::clave(ip).to_string());
        match crate::db::guardia::pasar_limite_ip(
            &self.db().pool,
            &clave,
            self.ahora_us(),
            intervalo_us,
            rafaga_us,
        )
        .await
        {
            Ok(true) => Ok(()),
            // A refused client's next token is at most one interval away.
            Ok(false) => Err(Duration::from_micros(intervalo_us as u64)),
            Err(e) => {
                tracing::warn!(error = %e, "shared rate limit unavailable");
                Ok(())
            }
        }
    }

    /// Forgets the shared limit's clients whose bucket is full again.
    pub async fn purgar_limite_ip_compartido(&self) -> Result<u64, crate::error::AppError> {
        crate::db::guardia::purgar_limite_ip(&self.db().pool, self.ahora_us()).await
    }

    /// Unix microseconds, including the test offset.
    fn ahora_us(&self) -> i64 {
        Utc::now().timestamp_micros() + self.inner.desfase_reloj.load(Ordering::Relaxed) * 1_000_000
    }

    /// The outbox store for the mail worker and `mail status`.
    pub fn outbox(&self) -> OutboxDb {
        OutboxDb {
            db: self.inner.db.clone(),
        }
    }

    /// Deletes the records of expired CAPTCHAs and old attempt counters.
    pub async fn limpiar(&self) -> Result<(), crate::error::AppError> {
        let ahora = self.ahora();
        let dia = crate::service::dia(ahora);
        crate::db::guardia::limpiar(self.db(), ahora, dia - 1).await
    }

    /// Erases the content of the emails delivered or given up more than `AFILIATE_OUTBOX_RETENCION_DIAS` ago
    /// (0: never); the rows stay for `mail status`. How many rows were erased.
    pub async fn purgar_correos(&self) -> Result<u64, crate::error::AppError> {
        let dias = self.config().outbox_retencion_dias;
        if dias == 0 {
            return Ok(0);
        }
        let antes = self.ahora() - (dias as i64).saturating_mul(86_400);
        let n = crate::db::outbox::purgar(self.db(), antes).await?;
        crate::metrics::record_mail_purged(n);
        Ok(n)
    }
}

impl AlmacenDocumentos for AppState {
    fn documentos(&self) -> &Documentos {
        &self.inner.documentos
    }

    async fn buscar(&self, folio: &str) -> anyhow::Result<Option<Documento>> {
        Ok(crate::db::documentos::por_folio(&self.db().pool, folio)
            .await?
            .map(|(d, _)| d))
    }

    async fn reenviar(&self, doc: &Documento, dia: &str) -> anyhow::Result<Reenvio> {
        let folio = doc.folio.clone();
        let dia = dia.to_string();
        let doc_audit = doc;
        let doc = doc.clone();
        let ahora = self.ahora();
        let limite = i64::from(super::documentos::LIMITE_REENVIOS_DIA);
        let r = self
            .db()
            .write(move |c| {
                let (folio, dia, doc) = (folio.clone(), dia.clone(), doc.clone());
                Box::pin(async move {
                    if !crate::db::documentos::contar_reenvio(c, &folio, &dia, limite).await? {
                        return Ok(Reenvio::LimiteAlcanzado);
                    }
                    let correo = crate::db::documentos::correo_de(c, &folio).await?;
                    crate::service::encolar(c, &Correo::reenvio(&correo, &doc), ahora).await?;
                    Ok(Reenvio::Encolado)
                })
            })
            .await;
        let resultado = match &r {
            Ok(Reenvio::Encolado) => "encolado".to_string(),
            Ok(Reenvio::LimiteAlcanzado) => "limite_reenvios".to_string(),
            Err(e) => e.kind().to_string(),
        };
        self.auditoria()
            .evento("reenvio")
            .campo("folio", doc_audit.folio.as_str())
            .dato(crate::auditoria::Dato::Curp, &doc_audit.curp)
            .dato(crate::auditoria::Dato::Nss, &doc_audit.nss)
            .campo("resultado", resultado)
            .escribir();
        let r = r.map_err(|e| anyhow::anyhow!("{e}"))?;
        if r == Reenvio::Encolado {
            self.inner.despertar_correo.notify_one();
        }
        Ok(r)
    }
}

/// The outbox table for [`crate::mail`]'s worker.
#[derive(Clone)]
pub struct OutboxDb {
    pub db: Db,
}

fn fecha(t: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(t, 0).single().unwrap_or_default()
}

impl OutboxStore for OutboxDb {
    async fn claim_due(
        &self,
        ahora: DateTime<Utc>,
        arriendo_hasta: DateTime<Utc>,
        limite: usize,
    ) -> anyhow::Result<Vec<OutboxItem>> {
        let filas = crate::db::outbox::arrendar(
            &self.db,
            ahora.timestamp(),
            arriendo_hasta.timestamp(),
            limite as i64,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let mut items: Vec<OutboxItem> = filas
            .into_iter()
            .map(|(id, creado, intentos, payload)| OutboxItem {
                id,
                creado: fecha(creado),
                intentos,
                payload,
            })
            .collect();
        items.sort_by_key(|i| (i.creado, i.id));
        Ok(items)
    }

    async fn renew(
        &self,
        ids: &[i64],
        hasta: &[DateTime<Utc>],
        nuevo_hasta: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let hasta: Vec<i64> = hasta.iter().map(DateTime::timestamp).collect();
        crate::db::outbox::renovar_arriendo(&self.db, ids, &hasta, nuevo_hasta.timestamp())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    async fn mark_sent(&self, id: i64, ahora: DateTime<Utc>) -> anyhow::Result<()> {
        crate::db::outbox::marcar_enviado(&self.db, id, ahora.timestamp())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    async fn mark_failed(
        &self,
        id: i64,
        intentos: u32,
        proximo: Option<DateTime<Utc>>,
        tipo_error: &str,
    ) -> anyhow::Result<()> {
        crate::db::outbox::marcar_fallido(
            &self.db,
            id,
            intentos,
            proximo.map(|p| p.timestamp()),
            tipo_error,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
    }
}

impl OutboxDb {
    /// The queued messages (`pendiente`): how many, and the oldest one's age in seconds (0 when none).
    pub async fn cola(&self, ahora: i64) -> anyhow::Result<(u64, u64)> {
        let (n, primero) = crate::db::outbox::pendientes(&self.db.pool).await?;
        Ok((
            n.max(0) as u64,
            primero.map_or(0, |t| (ahora - t).max(0) as u64),
        ))
    }

    /// Every row as `mail status` shows it (no recipient, no content), newest first.
    pub async fn estado(&self, limite: i64) -> anyhow::Result<Vec<crate::mail::EstadoCorreo>> {
        let filas = crate::db::outbox::ultimas(&self.db.pool, limite).await?;
        Ok(filas
            .into_iter()
            .map(|r| crate::mail::EstadoCorreo {
                id: r.id,
                creado: fecha(r.creado_en),
                estado: crate::mail::EstadoEnvio::parse(&r.estado)
                    .unwrap_or(crate::mail::EstadoEnvio::Pendiente),
                intentos: r.intentos,
                proximo_intento: Some(fecha(r.proximo_intento)),
                enviado: r.enviado_en.map(fecha),
                ultimo_error: r.ultimo_error,
            })
            .collect())
    }
}
