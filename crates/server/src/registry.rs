//! The CURP registry (RENAPO): a trait with a local implementation (the `personas` table) and an HTTP client for
//! a RENAPO-like service.
//!
//! The HTTP protocol: `GET {base}/curp/{CURP}` → 200 with a JSON [`PersonaRegistro`], 404 when the CURP is not
//! registered; anything else (or no answer within the timeout) is a technical failure, retried.

use afiliate_domain::curp::{DatosPersona, Entidad, Sexo};
use afiliate_domain::fecha::Fecha;
use futures_util::future::BoxFuture;
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde::{Deserialize, Serialize};
use sqlx::{AnyPool, Row};

use std::sync::Arc;
use std::time::Duration;

/// A person as the registry has them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonaRegistro {
    pub curp: String,
    pub nombre: String,
    pub primer_apellido: String,
    #[serde(default)]
    pub segundo_apellido: String,
    /// YYYY-MM-DD
    pub fecha_nacimiento: String,
    /// H, M or X
    pub sexo: String,
    /// The 2-letter CURP entity code, e.g. "DF", "NE".
    pub entidad: String,
}

impl PersonaRegistro {
    /// "Nombre Primer Segundo".
    pub fn nombre_completo(&self) -> String {
        [&self.nombre, &self.primer_apellido, &self.segundo_apellido]
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The data the CURP is built from, when every field is well formed.
    pub fn datos(&self) -> Option<DatosPersona<'_>> {
        Some(DatosPersona {
            nombre: &self.nombre,
            primer_apellido: &self.primer_apellido,
            segundo_apellido: &self.segundo_apellido,
            fecha_nacimiento: Fecha::parse_iso(&self.fecha_nacimiento)?,
            sexo: Sexo::parse(self.sexo.chars().next()?)?,
            entidad: Entidad::parse(&self.entidad)?,
        })
    }
}

/// The registry could not be asked.
#[derive(Debug, thiserror::Error)]
#[error("registry unavailable: {0}")]
pub struct FallaRegistro(pub String);

/// Looks a CURP up.
pub trait Registro: Send + Sync {
    /// `Ok(None)`: not registered.
    fn consultar<'a>(
        &'a self,
        curp: &'a str,
    ) -> BoxFuture<'a, Result<Option<PersonaRegistro>, FallaRegistro>>;

    /// True for the registry in our own database: the solicitud then reads it inside its write transaction.
    fn es_local(&self) -> bool {
        false
    }
}

/// The registry kept in the database (`afiliate-server registry import|seed-demo`).
#[derive(Clone)]
pub struct RegistroLocal {
    pub pool: AnyPool,
}

/// Looks a CURP up in the `personas` table through any connection (also inside a write transaction).
pub async fn consultar_local(
    c: &mut sqlx::AnyConnection,
    curp: &str,
) -> Result<Option<PersonaRegistro>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT curp, nombre, primer_apellido, segundo_apellido, fecha_nacimiento, sexo, entidad \
         FROM personas WHERE curp = $1",
    )
    .bind(curp)
    .fetch_optional(&mut *c)
    .await?;
    Ok(row.map(|r| PersonaRegistro::de_fila(&r)))
}

impl PersonaRegistro {
    /// A row whose first seven columns are `personas`' (curp, nombre, primer_apellido, segundo_apellido,
    /// fecha_nacimiento, sexo, entidad).
    pub fn de_fila(r: &sqlx::any::AnyRow) -> PersonaRegistro {
        PersonaRegistro {
            curp: r.get(0),
            nombre: r.get(1),
            primer_apellido: r.get(2),
            segundo_apellido: r.get(3),
            fecha_nacimiento: r.get(4),
            sexo: r.get(5),
            entidad: r.get(6),
        }
    }
}

impl Registro for RegistroLocal {
    fn consultar<'a>(
        &'a self,
        curp: &'a str,
    ) -> BoxFuture<'a, Result<Option<PersonaRegistro>, FallaRegistro>> {
        Box::pin(async move {
            let mut c = self
                .pool
                .acquire()
                .await
                .map_err(|e| FallaRegistro(e.to_string()))?;
            consultar_local(&mut c, curp)
                .await
                .map_err(|e| FallaRegistro(e.to_string()))
        })
    }

    fn es_local(&self) -> bool {
        true
    }
}

/// A client of a RENAPO-like HTTP service, over HTTPS (rustls; Mozilla's root certificates, plus those of
/// `AFILIATE_RENAPO_CA`) or, where allowed, plain HTTP.
pub struct RegistroHttp {
    base: String,
    timeout: Duration,
    reintentos: u32,
    client: Client<
        hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
        Empty<Bytes>,
    >,
}

/// The largest answer read from the registry, in bytes.
pub const MAX_RESPUESTA: usize = 16 * 1024;

/// Mozilla's root certificates, and the PEM certificates of `ca` (a private CA the registry's certificate chains
/// to).
pub fn raices(ca: Option<&std::path::Path>) -> anyhow::Result<rustls::RootCertStore> {
    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::CertificateDer;
    let mut raices = rustls::RootCertStore::empty();
    raices.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(ruta) = ca {
        let mut n = 0;
        for cert in CertificateDer::pem_file_iter(ruta)
            .map_err(|e| anyhow::anyhow!("AFILIATE_RENAPO_CA {}: {e}", ruta.display()))?
        {
            let cert =
                cert.map_err(|e| anyhow::anyhow!("AFILIATE_RENAPO_CA {}: {e}", ruta.display()))?;
            raices
                .add(cert)
                .map_err(|e| anyhow::anyhow!("AFILIATE_RENAPO_CA {}: {e}", ruta.display()))?;
            n += 1;
        }
        anyhow::ensure!(
            n > 0,
            "AFILIATE_RENAPO_CA {}: no PEM certificate in it",
            ruta.display()
        );
    }
    Ok(raices)
}

impl RegistroHttp {
    /// A client of `base` (`https://…`, or `http://…` where the configuration allows it); `ca` adds root
    /// certificates (PEM).
    pub fn new(
        base: &str,
        timeout: Duration,
        reintentos: u32,
        ca: Option<&std::path::Path>,
    ) -> anyhow::Result<RegistroHttp> {
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()?
        .with_root_certificates(raices(ca)?)
        .with_no_client_auth();
        let mut http = hyper_util::client::legacy::connect::HttpConnector::new();
        http.set_connect_timeout(Some(timeout));
        http.enforce_http(false);
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        Ok(RegistroHttp {
            base: base.trim_end_matches('/').to_string(),
            timeout,
            reintentos,
            client: Client::builder(TokioExecutor::new()).build(connector),
        })
    }

    async fn una_vez(&self, curp: &str) -> Result<Option<PersonaRegistro>, FallaRegistro> {
        let uri: hyper::Uri = format!("{}/curp/{}", self.base, curp)
            .parse()
            .map_err(|e: hyper::http::uri::InvalidUri| FallaRegistro(e.to_string()))?;
        let fut = async {
            let res = self
                .client
                .get(uri)
                .await
                .map_err(|e| FallaRegistro(e.to_string()))?;
            let status = res.status();
            // A person is a few hundred bytes: a longer answer is a fault, not something to keep in memory.
            let body = http_body_util::Limited::new(res.into_body(), MAX_RESPUESTA)
                .collect()
                .await
                .map_err(|e| FallaRegistro(format!("answer: {e}")))?
                .to_bytes();
            match status.as_u16() {
                200 => serde_json::from_slice::<PersonaRegistro>(&body)
                    .map(Some)
                    .map_err(|e| FallaRegistro(format!("bad answer: {e}"))),
                404 => Ok(None),
                s => Err(FallaRegistro(format!("status {s}"))),
            }
        };
        tokio::time::timeout(self.timeout, fut)
            .await
            .map_err(|_| FallaRegistro("timeout".into()))?
    }
}

impl Registro for RegistroHttp {
    fn consultar<'a>(
        &'a self,
        curp: &'a str,
    ) -> BoxFuture<'a, Result<Option<PersonaRegistro>, FallaRegistro>> {
        Box::pin(async move {
            let mut ultimo = FallaRegistro("no attempt".into());
            for intento in 0..=self.reintentos {
                if intento > 0 {
                    tokio::time::sleep(Duration::from_millis(100 * (1 << intento.min(5)))).await;
                }
                match self.una_vez(curp).await {
                    Ok(r) => return Ok(r),
                    Err(e) => {
                        tracing::warn!(intento, error = %e.0, "registry call failed");
                        ultimo = e;
                    }
                }
            }
            Err(ultimo)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A registry that answers every request 200 with `cuerpo`.
    async fn registro_que_responde(cuerpo: Vec<u8>) -> String {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = l.accept().await {
                let cuerpo = cuerpo.clone();
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    let _ = s.read(&mut buf).await;
                    let cabeza = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                        cuerpo.len()
                    );
                    let _ = s.write_all(cabeza.as_bytes()).await;
                    let _ = s.write_all(&cuerpo).await;
                });
            }
        });
        format!("http://{addr}")
    }

    /// A certificate for 127.0.0.1 from its own CA (Debian's `openssl`): (CA PEM path, certificate chain, key).
    fn certificados(
        dir: &std::path::Path,
    ) -> (
        std::path::PathBuf,
        Vec<rustls::pki_types::CertificateDer<'static>>,
        rustls::pki_types::PrivateKeyDer<'static>,
    ) {
        use rustls::pki_types::pem::PemObject as _;
        let openssl = |args: &[&str]| {
            let out = std::process::Command::new("openssl")
                .args(args)
                .current_dir(dir)
                .output()
                .expect("openssl");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=Prueba CA",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
        ]);
        openssl(&[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            "srv.key",
            "-out",
            "srv.csr",
        ]);
        std::fs::write(dir.join("ext.cnf"), "subjectAltName=IP:127.0.0.1\n").unwrap();
        openssl(&[
            "x509",
            "-req",
            "-in",
            "srv.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
            "-out",
            "srv.pem",
        ]);
        let cadena = rustls::pki_types::CertificateDer::pem_file_iter(dir.join("srv.pem"))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let clave = rustls::pki_types::PrivateKeyDer::from_pem_file(dir.join("srv.key")).unwrap();
        (dir.join("ca.pem"), cadena, clave)
    }

    /// The same registry over TLS with that certificate.
    async fn registro_https(
        cuerpo: Vec<u8>,
        cadena: Vec<rustls::pki_types::CertificateDer<'static>>,
        clave: rustls::pki_types::PrivateKeyDer<'static>,
    ) -> String {
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(cadena, clave)
        .unwrap();
        let aceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((s, _)) = l.accept().await {
                let (cuerpo, aceptor) = (cuerpo.clone(), aceptor.clone());
                tokio::spawn(async move {
                    let Ok(mut s) = aceptor.accept(s).await else {
                        return;
                    };
                    let mut buf = [0u8; 4096];
                    let _ = s.read(&mut buf).await;
                    let cabeza = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                        cuerpo.len()
                    );
                    let _ = s.write_all(cabeza.as_bytes()).await;
                    let _ = s.write_all(&cuerpo).await;
                    let _ = s.shutdown().await;
                });
            }
        });
        format!("https://127.0.0.1:{}", addr.port())
    }

    /// Over HTTPS: answered when the certificate chains to a trusted root (`AFILIATE_RENAPO_CA`), a failure (not
    /// a person) when it does not, as a man in the middle would look.
    #[tokio::test]
    async fn the_registry_over_https_trusts_only_known_roots() {
        let dir = tempfile::tempdir().unwrap();
        let (ca, cadena, clave) = certificados(dir.path());
        let persona = serde_json::json!({"curp": "GALM050314MDFRPRA7", "nombre": "MARIANA",
            "primer_apellido": "GARCIA", "segundo_apellido": "LOPEZ", "fecha_nacimiento": "2005-03-14",
            "sexo": "M", "entidad": "DF"});
        let url = registro_https(persona.to_string().into_bytes(), cadena, clave).await;
        let r = RegistroHttp::new(&url, Duration::from_secs(2), 0, Some(&ca)).unwrap();
        let p = r.consultar("GALM050314MDFRPRA7").await.unwrap().unwrap();
        assert_eq!(p.nombre, "MARIANA");

        let sin_ca = RegistroHttp::new(&url, Duration::from_secs(2), 0, None).unwrap();
        let e = sin_ca
            .consultar("GALM050314MDFRPRA7")
            .await
            .expect_err("an unknown issuer");
        assert!(!e.0.is_empty());

        std::fs::write(dir.path().join("vacio.pem"), "nada").unwrap();
        assert!(RegistroHttp::new(
            &url,
            Duration::from_secs(2),
            0,
            Some(&dir.path().join("vacio.pem"))
        )
        .is_err());
    }

    #[tokio::test]
    async fn an_answer_longer_than_the_bound_is_a_failure_not_a_buffer() {
        let persona = serde_json::json!({"curp": "GALM050314MDFRPRA7", "nombre": "MARIANA",
            "primer_apellido": "GARCIA", "segundo_apellido": "LOPEZ", "fecha_nacimiento": "2005-03-14",
            "sexo": "M", "entidad": "DF"});
        let bien = registro_que_responde(persona.to_string().into_bytes()).await;
        let r = RegistroHttp::new(&bien, Duration::from_secs(2), 0, None).unwrap();
        assert!(r.consultar("GALM050314MDFRPRA7").await.unwrap().is_some());

        let mut enorme = persona.to_string().into_bytes();
        enorme.pop();
        enorme.extend(std::iter::repeat_n(b' ', MAX_RESPUESTA));
        enorme.push(b'}');
        let mal = registro_que_responde(enorme).await;
        let r = RegistroHttp::new(&mal, Duration::from_secs(2), 0, None).unwrap();
        let e = r
            .consultar("GALM050314MDFRPRA7")
            .await
            .expect_err("too long");
        assert!(e.0.contains("answer"), "{}", e.0);
    }
}
