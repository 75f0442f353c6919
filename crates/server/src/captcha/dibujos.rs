//! Each challenge's image and sound, rendered once and kept (a moka cache bounded by bytes, entries living as long
//! as a challenge), so reloading them costs no CPU. Renders run off the async workers, at most one per core at a
//! time: a flood of new challenges queues instead of taking every core (the per-IP limit counts these requests
//! too, see `http::capas::limite_ip`). Two requests for the same picture at once render it once.

use axum::body::Bytes;
use moka::sync::Cache;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Which rendering of a challenge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tipo {
    Imagen,
    Audio,
}

impl Tipo {
    fn render(self, id: &str, respuesta: &str) -> Vec<u8> {
        match self {
            Tipo::Imagen => super::render_png(id, respuesta),
            Tipo::Audio => super::audio::render_wav(id, respuesta),
        }
    }

    fn nombre(self) -> &'static str {
        match self {
            Tipo::Imagen => "imagen",
            Tipo::Audio => "audio",
        }
    }
}

/// Bytes of renderings kept: a PNG is ~45 KB, a WAV ~230 KB, so some 240 live challenges with both.
pub const CAPACIDAD_BYTES: u64 = 64 << 20;

/// The cache of renderings and the bound on renders running at once.
#[derive(Clone)]
pub struct Dibujos {
    cache: Cache<(String, Tipo), Bytes>,
    turnos: Arc<Semaphore>,
    dibujados: Arc<AtomicU64>,
}

impl Dibujos {
    pub fn new(capacidad_bytes: u64) -> Dibujos {
        let cache = Cache::builder()
            .max_capacity(capacidad_bytes)
            .weigher(|_, v: &Bytes| u32::try_from(v.len()).unwrap_or(u32::MAX))
            .time_to_live(Duration::from_secs(super::VIGENCIA_SEG as u64))
            .build();
        let nucleos = std::thread::available_parallelism().map_or(2, |n| n.get());
        Dibujos {
            cache,
            turnos: Arc::new(Semaphore::new(nucleos)),
            dibujados: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The rendering `tipo` of the live challenge `id` whose answer is `respuesta`: from the cache, or rendered
    /// now (and kept).
    pub async fn obtener(
        &self,
        id: &str,
        respuesta: &str,
        tipo: Tipo,
    ) -> Result<Bytes, crate::error::AppError> {
        let clave = (id.to_string(), tipo);
        if let Some(b) = self.cache.get(&clave) {
            crate::metrics::record_captcha(tipo.nombre(), true);
            return Ok(b);
        }
        let _turno = self
            .turnos
            .acquire()
            .await
            .map_err(|e| crate::error::AppError::internal(e.to_string()))?;
        let (cache, id, respuesta) = (self.cache.clone(), id.to_string(), respuesta.to_string());
        let dibujados = self.dibujados.clone();
        tokio::task::spawn_blocking(move || {
            // A request that waited for another's render of the same picture counts as served from the cache.
            let mut dibujado = false;
            let b = cache.get_with(clave, || {
                dibujado = true;
                dibujados.fetch_add(1, Ordering::Relaxed);
                Bytes::from(tipo.render(&id, &respuesta))
            });
            crate::metrics::record_captcha(tipo.nombre(), !dibujado);
            b
        })
        .await
        .map_err(|e| crate::error::AppError::internal(e.to_string()))
    }

    /// Renders done so far (by this cache).
    pub fn dibujados(&self) -> u64 {
        self.dibujados.load(Ordering::Relaxed)
    }

    /// How many renderings are kept (an estimate while requests run).
    pub fn guardados(&self) -> u64 {
        self.cache.run_pending_tasks();
        self.cache.entry_count()
    }
}
