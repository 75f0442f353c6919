//! The audit log: one JSON line per solicitud, assignment, re-send and school file, in daily files
//! `<dir>/auditoria.jsonl.YYYY-MM-DD` (`tracing-appender`'s rolling file, written by its background thread, so a
//! request never waits on the disk).
//!
//! No CURP, NSS, name or e-mail address is written in clear: each is a keyed digest ([`crate::cifra::resumen`],
//! HMAC-SHA256 with a key derived from the sello key file's first key, the same across rotations and on every
//! server sharing that file). To find a person's lines an operator computes the digest of the value with
//! `afiliate-server audit digest curp|nss|correo VALUE` and searches for it.
//!
//! A line: `{"ts":"2026-12-01T20:40:00.123Z","evento":"asignacion","resultado":"asignado","curp":"…","nss":"…"}`.
//! `resultado` is the outcome (`localizado`, `sin_nss`, `asignado`, `ya_asignado`, `encolado`, `aplicado`) or the
//! error's kind (`captcha`, `limite_diario`, `token`, …). When the background thread falls behind by more than
//! its buffer (128,000 lines), lines are dropped and counted in `/metrics` (`afiliate_auditoria_descartadas_total`),
//! rather than making requests wait.

use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;

use serde_json::{Map, Value};
use tracing_appender::non_blocking::{NonBlocking, NonBlockingBuilder, WorkerGuard};

use crate::error::AppError;

/// What kind of value a digest stands for (part of the digest's input, so equal texts of two kinds differ).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dato {
    Curp,
    Nss,
    Correo,
}

impl Dato {
    pub fn nombre(self) -> &'static str {
        match self {
            Dato::Curp => "curp",
            Dato::Nss => "nss",
            Dato::Correo => "correo",
        }
    }

    pub fn desde(s: &str) -> Option<Dato> {
        match s {
            "curp" => Some(Dato::Curp),
            "nss" => Some(Dato::Nss),
            "correo" | "email" => Some(Dato::Correo),
            _ => None,
        }
    }
}

/// The key of the audit digests, from the sello key set.
pub fn clave(sellador: &crate::documents::Sellador) -> [u8; 32] {
    sellador.derivar("afiliate/auditoria/v1")
}

/// A value's digest as the audit log writes it: CURPs and e-mails as normalised (upper-case CURP, lower-case
/// address), NSS as its 11 digits.
pub fn resumen(clave: &[u8; 32], dato: Dato, valor: &str) -> String {
    let valor = valor.trim();
    let valor = match dato {
        Dato::Curp => valor.to_ascii_uppercase(),
        Dato::Correo => valor.to_lowercase(),
        Dato::Nss => valor.chars().filter(char::is_ascii_digit).collect(),
    };
    crate::cifra::resumen(clave, &format!("auditoria/{}", dato.nombre()), &valor)
}

/// The audit log a process writes: to the folder `ajuste` names (`AFILIATE_AUDITORIA`), nowhere for `off`, else to
/// `<data_dir>/auditoria`, its digests keyed by the sello key file's first key. The server and the operators'
/// import commands both open it so.
pub fn configurada(
    ajuste: Option<&str>,
    data_dir: &Path,
    sellador: &crate::documents::Sellador,
) -> anyhow::Result<Auditoria> {
    let clave = clave(sellador);
    match ajuste {
        Some("off") => Ok(Auditoria::apagada(clave)),
        Some(dir) => Auditoria::en(Path::new(dir), clave),
        None => Auditoria::en(&data_dir.join("auditoria"), clave),
    }
}

/// The audit log's writer (cheap to clone).
#[derive(Clone)]
pub struct Auditoria {
    salida: Option<NonBlocking>,
    _guardia: Option<Arc<WorkerGuard>>,
    clave: [u8; 32],
}

impl Auditoria {
    /// Writes to daily files in `dir` (created when missing).
    pub fn en(dir: &Path, clave: [u8; 32]) -> anyhow::Result<Auditoria> {
        std::fs::create_dir_all(dir)?;
        let archivo = tracing_appender::rolling::Builder::new()
            .rotation(tracing_appender::rolling::Rotation::DAILY)
            .filename_prefix("auditoria.jsonl")
            .build(dir)?;
        let (salida, guardia) = NonBlockingBuilder::default()
            .thread_name("afiliate-auditoria")
            .finish(archivo);
        Ok(Auditoria {
            salida: Some(salida),
            _guardia: Some(Arc::new(guardia)),
            clave,
        })
    }

    /// Writes nothing (`AFILIATE_AUDITORIA=off`).
    pub fn apagada(clave: [u8; 32]) -> Auditoria {
        Auditoria {
            salida: None,
            _guardia: None,
            clave,
        }
    }

    /// [`resumen`] with this log's key.
    pub fn resumen(&self, dato: Dato, valor: &str) -> String {
        resumen(&self.clave, dato, valor)
    }

    /// Lines dropped because the writer fell behind.
    pub fn descartadas(&self) -> usize {
        self.salida
            .as_ref()
            .map_or(0, |s| s.error_counter().dropped_lines())
    }

    /// A new line for `evento`.
    pub fn evento(&self, evento: &'static str) -> Evento<'_> {
        let mut campos = Map::new();
        campos.insert(
            "ts".into(),
            Value::String(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
        );
        campos.insert("evento".into(), Value::String(evento.into()));
        Evento {
            auditoria: self,
            campos,
        }
    }
}

/// One line being built; written by [`Evento::escribir`].
pub struct Evento<'a> {
    auditoria: &'a Auditoria,
    campos: Map<String, Value>,
}

impl Evento<'_> {
    /// A personal value, as its keyed digest.
    pub fn dato(mut self, dato: Dato, valor: &str) -> Self {
        let r = resumen(&self.auditoria.clave, dato, valor);
        self.campos.insert(dato.nombre().into(), Value::String(r));
        self
    }

    /// A value that is not personal (a folio, a school's CCT, a count).
    pub fn campo(mut self, nombre: &str, valor: impl Into<Value>) -> Self {
        self.campos.insert(nombre.into(), valor.into());
        self
    }

    /// The outcome: `ok` on success, the error's kind otherwise.
    pub fn resultado<T>(self, r: &Result<T, AppError>, ok: &str) -> Self {
        let v = match r {
            Ok(_) => ok.to_string(),
            Err(e) => e.kind().to_string(),
        };
        self.campo("resultado", v)
    }

    pub fn escribir(self) {
        let Some(salida) = &self.auditoria.salida else {
            return;
        };
        let mut linea = serde_json::to_vec(&Value::Object(self.campos)).unwrap_or_default();
        linea.push(b'\n');
        // One write is one line in the background thread's queue.
        let _ = salida.clone().write_all(&linea);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leer(dir: &Path) -> String {
        let mut texto = String::new();
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            texto.push_str(&std::fs::read_to_string(e.path()).unwrap());
        }
        texto
    }

    #[test]
    fn writes_one_json_line_per_event_with_digests_not_values() {
        let dir = tempfile::tempdir().unwrap();
        let clave = [7u8; 32];
        {
            let a = Auditoria::en(dir.path(), clave).unwrap();
            a.evento("solicitud")
                .dato(Dato::Curp, "raxd041201hjcmxga7")
                .dato(Dato::Correo, "Ana@Example.com")
                .resultado(&Ok::<(), AppError>(()), "localizado")
                .escribir();
            a.evento("asignacion")
                .dato(Dato::Nss, "0924-06-0102-2")
                .resultado(&Err::<(), _>(AppError::Token), "asignado")
                .escribir();
            // Dropping the last clone flushes the background thread.
        }
        let texto = leer(dir.path());
        let lineas: Vec<Value> = texto
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lineas.len(), 2, "{texto}");
        assert_eq!(lineas[0]["evento"], "solicitud");
        assert_eq!(lineas[0]["resultado"], "localizado");
        assert_eq!(
            lineas[0]["curp"],
            resumen(&clave, Dato::Curp, "RAXD041201HJCMXGA7")
        );
        assert_eq!(
            lineas[0]["correo"],
            resumen(&clave, Dato::Correo, "ana@example.com")
        );
        assert_eq!(lineas[1]["resultado"], "token");
        assert_eq!(lineas[1]["nss"], resumen(&clave, Dato::Nss, "09240601022"));
        for personal in [
            "RAXD",
            "raxd",
            "example.com",
            "Ana",
            "09240601022",
            "0924-06",
        ] {
            assert!(!texto.contains(personal), "{personal} in clear: {texto}");
        }
        // Another key, another digest: nobody without the key can test a guess.
        assert_ne!(
            resumen(&[8u8; 32], Dato::Curp, "RAXD041201HJCMXGA7"),
            resumen(&clave, Dato::Curp, "RAXD041201HJCMXGA7")
        );
        assert_ne!(
            resumen(&clave, Dato::Curp, "X"),
            resumen(&clave, Dato::Nss, "X")
        );
    }

    #[test]
    fn off_writes_nothing() {
        let a = Auditoria::apagada([1u8; 32]);
        a.evento("solicitud").dato(Dato::Curp, "X").escribir();
        assert_eq!(a.descartadas(), 0);
    }
}
