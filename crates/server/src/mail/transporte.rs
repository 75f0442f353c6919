//! Mail transports chosen by `AFILIATE_MAIL`: `file:<dir>` or `smtp://…` / `smtps://…`.
//!
//! Errors are reduced to a KIND (e.g. `smtp_temporal_451`): the mail server's text may quote the recipient's
//! address, and personal data never goes to logs or to the outbox's `ultimo_error`.

use std::future::Future;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor};

use super::ConfigWorker;

/// A failed delivery: a kind for operators and whether retrying can help.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FallaEnvio {
    pub tipo: String,
    pub permanente: bool,
}

impl FallaEnvio {
    fn temporal(tipo: impl Into<String>) -> FallaEnvio {
        FallaEnvio {
            tipo: tipo.into(),
            permanente: false,
        }
    }

    /// The mail server could not be reached at all (connection refused or reset, timeout, TLS): the next
    /// message would fail the same way, unlike a 4xx answer about one message.
    pub fn servidor_inalcanzable(&self) -> bool {
        !self.permanente
            && matches!(
                self.tipo.as_str(),
                "smtp_conexion" | "smtp_tiempo_agotado" | "smtp_tls"
            )
    }
}

/// Something that delivers a composed message. `clave` is stable per outbox row (used by the file transport as
/// the file name, so a repeated delivery overwrites instead of duplicating).
pub trait Entrega: Send + Sync {
    fn entregar(
        &self,
        clave: &str,
        mensaje: &Message,
    ) -> impl Future<Output = Result<(), FallaEnvio>> + Send;
}

/// The configured transport.
#[derive(Clone)]
pub enum Transporte {
    /// `.eml` files in a folder.
    Archivo(PathBuf),
    /// An SMTP server.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

impl std::fmt::Debug for Transporte {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Transporte::Archivo(dir) => write!(f, "Transporte::Archivo({})", dir.display()),
            Transporte::Smtp(_) => f.write_str("Transporte::Smtp"), // the URL may hold a password
        }
    }
}

/// A malformed `AFILIATE_MAIL`.
#[derive(Debug, thiserror::Error)]
#[error("AFILIATE_MAIL must be file:<dir>, smtp://[user:pass@]host[:port][?tls=required|opportunistic|none] or smtps://[user:pass@]host[:port]")]
pub struct ErrorUrlCorreo;

impl Transporte {
    /// Parses `AFILIATE_MAIL`. Plain `smtp://` uses STARTTLS when the server offers it.
    /// Call it inside the Tokio runtime: the SMTP connection pool starts a task.
    pub fn desde_url(url: &str) -> Result<Transporte, ErrorUrlCorreo> {
        Transporte::desde_url_con(url, ConfigWorker::default().concurrencia as u32)
    }

    /// As [`Transporte::desde_url`], keeping up to `conexiones` SMTP connections open for reuse (the worker's
    /// [`ConfigWorker::concurrencia`]): each message after the first on a connection skips the TCP, greeting,
    /// `EHLO` and TLS round trips.
    pub fn desde_url_con(url: &str, conexiones: u32) -> Result<Transporte, ErrorUrlCorreo> {
        let url = url.trim();
        if let Some(dir) = url.strip_prefix("file:") {
            let dir = dir.strip_prefix("//").unwrap_or(dir);
            if dir.is_empty() {
                return Err(ErrorUrlCorreo);
            }
            return Ok(Transporte::Archivo(PathBuf::from(dir)));
        }
        let url = if url.starts_with("smtp://") {
            if url.contains("tls=none") {
                url.replace("?tls=none", "").replace("&tls=none", "")
            } else if url.contains("tls=") {
                url.to_string()
            } else if url.contains('?') {
                format!("{url}&tls=opportunistic")
            } else {
                format!("{url}?tls=opportunistic")
            }
        } else if url.starts_with("smtps://") {
            url.to_string()
        } else {
            return Err(ErrorUrlCorreo);
        };
        let builder =
            AsyncSmtpTransport::<Tokio1Executor>::from_url(&url).map_err(|_| ErrorUrlCorreo)?;
        let pool = PoolConfig::new()
            .max_size(conexiones.max(1))
            .idle_timeout(Duration::from_secs(60));
        Ok(Transporte::Smtp(
            builder
                .timeout(Some(Duration::from_secs(30)))
                .pool_config(pool)
                .build(),
        ))
    }
}

impl Entrega for Transporte {
    async fn entregar(&self, clave: &str, mensaje: &Message) -> Result<(), FallaEnvio> {
        match self {
            Transporte::Archivo(dir) => {
                let dir = dir.clone();
                let nombre = format!("{clave}.eml");
                let bytes = mensaje.formatted();
                tokio::task::spawn_blocking(move || escribir_atomico(&dir, &nombre, &bytes))
                    .await
                    .map_err(|_| FallaEnvio::temporal("archivo_tarea"))?
                    .map_err(|_| FallaEnvio::temporal("archivo_io"))
            }
            Transporte::Smtp(smtp) => {
                let bytes = mensaje.formatted();
                match smtp.send_raw(mensaje.envelope(), &bytes).await {
                    Ok(_) => Ok(()),
                    Err(e) => Err(clasificar(&e)),
                }
            }
        }
    }
}

fn clasificar(e: &lettre::transport::smtp::Error) -> FallaEnvio {
    let codigo = e.status().map(|c| c.to_string()).unwrap_or_default();
    if e.is_permanent() {
        FallaEnvio {
            tipo: format!("smtp_permanente_{codigo}"),
            permanente: true,
        }
    } else if e.is_transient() {
        FallaEnvio::temporal(format!("smtp_temporal_{codigo}"))
    } else if e.is_timeout() {
        FallaEnvio::temporal("smtp_tiempo_agotado")
    } else if e.is_tls() {
        FallaEnvio::temporal("smtp_tls")
    } else {
        FallaEnvio::temporal("smtp_conexion")
    }
}

/// Writes `dir/nombre` so that readers never see a partial file: temporary file, fsync, rename, fsync the folder.
pub fn escribir_atomico(dir: &Path, nombre: &str, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{nombre}.tmp"));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, dir.join(nombre))?;
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn parses_the_transport_urls() {
        assert!(
            matches!(Transporte::desde_url("file:/tmp/x"), Ok(Transporte::Archivo(p)) if p == Path::new("/tmp/x"))
        );
        assert!(
            matches!(Transporte::desde_url("file:///tmp/x"), Ok(Transporte::Archivo(p)) if p == Path::new("/tmp/x"))
        );
        assert!(matches!(
            Transporte::desde_url("smtp://u:p@localhost:2525"),
            Ok(Transporte::Smtp(_))
        ));
        assert!(matches!(
            Transporte::desde_url("smtp://localhost:2525?tls=none"),
            Ok(Transporte::Smtp(_))
        ));
        assert!(matches!(
            Transporte::desde_url("smtp://localhost?tls=required"),
            Ok(Transporte::Smtp(_))
        ));
        assert!(matches!(
            Transporte::desde_url("smtps://u:p@mail.example.com"),
            Ok(Transporte::Smtp(_))
        ));
        for malo in ["", "file:", "http://x", "smtp://", "smtp://host?tls=quizas"] {
            assert!(Transporte::desde_url(malo).is_err(), "{malo}");
        }
    }

    #[test]
    fn atomic_write_replaces_the_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        escribir_atomico(dir.path(), "a.eml", b"uno").unwrap();
        escribir_atomico(dir.path(), "a.eml", b"dos").unwrap();
        assert_eq!(std::fs::read(dir.path().join("a.eml")).unwrap(), b"dos");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
