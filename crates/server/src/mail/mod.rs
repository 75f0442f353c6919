//! Email: composing the Spanish messages with the PDFs attached, the transports, and the outbox worker.
//!
//! # For the server engineer: what goes in the outbox row
//!
//! The row holds the INPUTS, not the rendered message: `payload` = [`Correo::to_json`] (about 1 kB: recipient,
//! person data and the issued [`crate::documents::Documento`]s with their seals). The worker renders the PDFs
//! and the MIME message at send time; rendering is deterministic, so every retry sends the same bytes with the same
//! `Message-ID` (derived from the row id and creation time). Rendered .eml files would be ~200 kB per row.
//!
//! Suggested table (SQLite types; on PostgreSQL use BIGSERIAL/BIGINT):
//! ```sql
//! CREATE TABLE outbox (
//!     id              INTEGER PRIMARY KEY,
//!     creado_en       BIGINT  NOT NULL,               -- unix seconds
//!     payload         TEXT    NOT NULL,               -- mail::Correo::to_json()
//!     estado          TEXT    NOT NULL DEFAULT 'pendiente', -- pendiente | enviado | fallido
//!     intentos        INTEGER NOT NULL DEFAULT 0,
//!     proximo_intento BIGINT  NOT NULL,               -- unix seconds; = creado_en when queued
//!     enviado_en      BIGINT,
//!     ultimo_error    TEXT                             -- an error KIND such as "smtp_conexion", never content
//! );
//! CREATE INDEX outbox_por_enviar ON outbox (proximo_intento) WHERE estado = 'pendiente';
//! ```
//! - Queue: `INSERT INTO outbox (creado_en, payload, proximo_intento) VALUES (now, Correo::nss(…).to_json(), now)`
//!   in the SAME transaction that records the localización/asignación and its documents; after commit call
//!   `despertar.notify_one()` on the worker's [`tokio::sync::Notify`] so it sends at once.
//! - [`OutboxStore::claim_due`]`(ahora, arriendo_hasta, limite)`: atomically lease due rows, e.g.
//!   `UPDATE outbox SET proximo_intento = :arriendo_hasta WHERE id IN (SELECT id FROM outbox WHERE estado =
//!   'pendiente' AND proximo_intento <= :ahora ORDER BY proximo_intento LIMIT :limite [FOR UPDATE SKIP LOCKED on
//!   PostgreSQL]) RETURNING id, creado_en, intentos, payload`. A row whose worker crashed is due again when its
//!   lease ends, so nothing is lost.
//! - [`OutboxStore::renew`]`(ids, hasta, nuevo_hasta)`: while a round runs, every third of the lease,
//!   `UPDATE outbox SET proximo_intento = :nuevo_hasta WHERE estado = 'pendiente' AND proximo_intento IN
//!   (:hasta) AND id IN (:ids)`: only the rows this round still holds (a marked row has its retry time or is no
//!   longer pending; a row another worker leased after this lease ran out has that worker's time). `hasta` is
//!   the lease the last renewal confirmed, plus the times of the renewals since that answered an error before
//!   it ran out: such a renewal may have committed all the same.
//! - [`OutboxStore::mark_sent`]: `estado = 'enviado', enviado_en = now, intentos = intentos + 1`.
//! - [`OutboxStore::mark_failed`]: `intentos = :intentos, ultimo_error = :tipo`, and `proximo_intento = :proximo`
//!   when `Some` (retry), or `estado = 'fallido'` when `None` (permanent failure: a 5xx from the mail server or an
//!   unreadable payload).
//! - `afiliate-server mail status`: `SELECT id, creado_en, estado, intentos, proximo_intento, enviado_en,
//!   ultimo_error` into [`EstadoCorreo`]s and print [`status_report`].
//!
//! # Delivered once
//! A row is leased before sending and marked sent right after the mail server accepts it, so a message is sent
//! again only if the process dies (or the database is unreachable) in the few milliseconds between the SMTP
//! server's final `250` and the `mark_sent` commit; then it is re-sent when the lease ends, with the same
//! `Message-ID` (receivers that deduplicate by it show it once). The `file:` transport writes
//! `<creado>-<id>.eml` atomically, so a repeat overwrites the same file. SMTP cannot rule that window out.
//!
//! A round sends its leased rows `AFILIATE_MAIL_CONCURRENCIA` at a time (default 32, over as many pooled SMTP
//! connections), each marked sent on its own right after its `250`: a crash re-sends at most the messages in
//! flight, never loses one. On SQLite the concurrent marks share the writer's group commits. Composing (the two
//! PDFs, about 1.7 ms of CPU each in the release build) runs on the blocking pool, one message per core at a time, so the HTTP server
//! keeps its share of the machine. When a message finds the mail server unreachable (connection refused, timeout,
//! TLS), the rest of the round is not composed nor sent: each fails at once with that kind and waits for its
//! retry (exponential backoff).
//!
//! # Lifecycle
//! - A message still undelivered `AFILIATE_OUTBOX_RENDIRSE_H` hours (default 72) after it was queued is given up
//!   at its next temporary failure: `estado = 'fallido'`, `ultimo_error = 'caducado'`, counted in
//!   `afiliate_outbox_caducados_total` (and `afiliate_outbox_abandonados_total`); `mail status` counts them.
//! - The server erases the content of the rows delivered or given up more than `AFILIATE_OUTBOX_RETENCION_DIAS`
//!   days ago (default 30; a minute after start, then hourly): `payload = '{}'`. The row (state, attempts, times,
//!   error kind) stays for `mail status` and the counts.
//!
//! # Transports (`AFILIATE_MAIL`)
//! - `file:<dir>`: one `.eml` per message, written to a temporary file, synced and renamed.
//! - `smtp://user:pass@host:port`: STARTTLS when the server offers it (`?tls=required` to insist,
//!   `?tls=none` for plain text on a trusted network); `smtps://…` for implicit TLS (port 465).

pub mod outbox;
pub mod transporte;

use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::{Address, Message};
use maud::{html, DOCTYPE};
use serde::{Deserialize, Serialize};

use crate::documents::{Documento, Tramite};

pub use outbox::{
    run_worker, status_report, ConfigWorker, EstadoCorreo, EstadoEnvio, OutboxItem, OutboxStore,
    Worker,
};
pub use transporte::{Entrega, FallaEnvio, Transporte};

/// Why a message could not be composed (a permanent condition: retrying would not help).
#[derive(Debug, thiserror::Error)]
pub enum ErrorCorreo {
    #[error("unreadable outbox payload")]
    Payload,
    #[error("invalid recipient or sender address")]
    Direccion,
    #[error("message could not be built")]
    Construccion,
}

/// A stored document inside the outbox payload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct DocumentoGuardado {
    tipo: String,
    tramite: String,
    folio: String,
    emitido: i64,
    nombre: String,
    curp: String,
    nss: String,
    sello: String,
    /// The sello key's id (absent in rows queued before key ids).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    clave: String,
    /// A constancia's data (absent for the NSS documents, and in rows queued before constancias existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    datos: Option<crate::documents::DatosConstancia>,
}

impl From<&Documento> for DocumentoGuardado {
    fn from(d: &Documento) -> Self {
        DocumentoGuardado {
            tipo: d.tipo.codigo().into(),
            tramite: d.tramite.codigo().into(),
            folio: d.folio.clone(),
            emitido: d.emitido.timestamp(),
            nombre: d.nombre.clone(),
            curp: d.curp.clone(),
            nss: d.nss.clone(),
            sello: d.sello.clone(),
            clave: d.clave.clone(),
            datos: d.datos.clone(),
        }
    }
}

impl DocumentoGuardado {
    fn documento(&self) -> Option<Documento> {
        let mut d = Documento::de_columnas(
            &self.tipo,
            &self.tramite,
            self.folio.clone(),
            self.emitido,
            self.nombre.clone(),
            self.curp.clone(),
            self.nss.clone(),
            self.sello.clone(),
        )?;
        d.datos = self.datos.clone();
        d.clave = self.clave.clone();
        Some(d)
    }
}

/// What kind of message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TipoCorreo {
    /// The NSS was located or assigned: both documents attached.
    Nss,
    /// One document re-sent at the person's request.
    Reenvio,
    /// A constancia de vigencia de derechos was asked for: the constancia attached.
    Vigencia,
    /// `AFILIATE_CONFIRMAR_CORREO`: the single-use link that opens a solicitud's result (no attachment).
    Confirmacion,
}

/// The inputs of one message: what the outbox row stores (as JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correo {
    pub tipo: TipoCorreo,
    /// Recipient address.
    pub para: String,
    #[serde(default)]
    documentos: Vec<DocumentoGuardado>,
    /// The confirmation link ([`TipoCorreo::Confirmacion`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    enlace: Option<String>,
}

impl Correo {
    /// The message sent when an NSS is located or assigned, with all its documents (the comprobante and the tarjeta).
    pub fn nss(para: &str, documentos: &[Documento]) -> Correo {
        Correo {
            tipo: TipoCorreo::Nss,
            para: para.to_string(),
            documentos: documentos.iter().map(Into::into).collect(),
            enlace: None,
        }
    }

    /// The message sent with a new constancia de vigencia de derechos.
    pub fn vigencia(para: &str, constancia: &Documento) -> Correo {
        Correo {
            tipo: TipoCorreo::Vigencia,
            para: para.to_string(),
            documentos: vec![constancia.into()],
            enlace: None,
        }
    }

    /// A single document re-sent (`POST /api/documentos/{folio}/reenvios`).
    pub fn reenvio(para: &str, documento: &Documento) -> Correo {
        Correo {
            tipo: TipoCorreo::Reenvio,
            para: para.to_string(),
            documentos: vec![documento.into()],
            enlace: None,
        }
    }

    /// The e-mail confirmation: the link that opens the solicitud's result, once, today.
    pub fn confirmacion(para: &str, enlace: &str) -> Correo {
        Correo {
            tipo: TipoCorreo::Confirmacion,
            para: para.to_string(),
            documentos: Vec::new(),
            enlace: Some(enlace.to_string()),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("Correo serialises")
    }

    pub fn from_json(s: &str) -> Result<Correo, ErrorCorreo> {
        serde_json::from_str(s).map_err(|_| ErrorCorreo::Payload)
    }

    /// The documents, rebuilt.
    pub fn documentos(&self) -> Result<Vec<Documento>, ErrorCorreo> {
        self.documentos
            .iter()
            .map(|d| d.documento().ok_or(ErrorCorreo::Payload))
            .collect()
    }
}

/// Builds messages: sender, public URL for the verification links.
#[derive(Clone, Debug)]
pub struct Compositor {
    pub remitente: Mailbox,
    /// Public base URL, e.g. `https://afiliate.example.mx`.
    pub base_url: String,
}

impl Compositor {
    /// `remitente` like `Afíliate <no-responder@afiliate.local>` (`AFILIATE_MAIL_FROM`).
    pub fn new(remitente: &str, base_url: &str) -> Result<Compositor, ErrorCorreo> {
        Ok(Compositor {
            remitente: remitente.parse().map_err(|_| ErrorCorreo::Direccion)?,
            base_url: base_url.trim_end_matches('/').to_string(),
        })
    }

    /// The complete message of outbox row `id` created at `creado`. Deterministic for the same inputs.
    pub fn componer(
        &self,
        correo: &Correo,
        id: i64,
        creado: DateTime<Utc>,
    ) -> Result<Message, ErrorCorreo> {
        if correo.tipo == TipoCorreo::Confirmacion {
            return self.componer_confirmacion(correo, id, creado);
        }
        let documentos = correo.documentos()?;
        let primero = documentos.first().ok_or(ErrorCorreo::Payload)?;
        let para: Address = correo
            .para
            .trim()
            .parse()
            .map_err(|_| ErrorCorreo::Direccion)?;
        let dominio = self.remitente.email.domain().to_string();
        let asunto = match correo.tipo {
            TipoCorreo::Nss => "Tu Número de Seguridad Social (NSS)".to_string(),
            TipoCorreo::Reenvio => format!("Reenvío: {}", primero.tipo.nombre()),
            TipoCorreo::Vigencia => "Tu constancia de vigencia de derechos del IMSS".to_string(),
            // Composed by `componer_confirmacion`, above.
            TipoCorreo::Confirmacion => "Confirma tu correo para ver tu NSS".to_string(),
        };
        let (texto, html) = cuerpo(correo.tipo, &documentos, &self.base_url);
        let mut mixto =
            MultiPart::mixed().multipart(MultiPart::alternative_plain_html(texto, html));
        for d in &documentos {
            let pdf = d.render(&self.base_url);
            mixto = mixto.singlepart(Attachment::new(d.tipo.nombre_archivo(&d.nss)).body(
                pdf,
                ContentType::parse("application/pdf").expect("valid content type"),
            ));
        }
        Message::builder()
            .from(self.remitente.clone())
            .to(Mailbox::new(Some(primero.nombre.clone()), para))
            .subject(asunto)
            .date(SystemTime::UNIX_EPOCH + Duration::from_secs(creado.timestamp().max(0) as u64))
            .message_id(Some(format!(
                "<afiliate.{}.{}@{}>",
                creado.timestamp(),
                id,
                dominio
            )))
            .multipart(mixto)
            .map_err(|_| ErrorCorreo::Construccion)
    }
}

const PASO_2: &str = "Verifica que tu escuela te haya inscrito al IMSS (seguro facultativo).";
const PASO_3: &str = "Regístrate en la Unidad de Medicina Familiar (clínica) que te corresponde.";

impl Compositor {
    /// The confirmation message: plain text and HTML with the link, nothing attached, no personal data but the
    /// address it is sent to.
    fn componer_confirmacion(
        &self,
        correo: &Correo,
        id: i64,
        creado: DateTime<Utc>,
    ) -> Result<Message, ErrorCorreo> {
        let enlace = correo.enlace.as_deref().ok_or(ErrorCorreo::Payload)?;
        let para: Address = correo
            .para
            .trim()
            .parse()
            .map_err(|_| ErrorCorreo::Direccion)?;
        let dominio = self.remitente.email.domain().to_string();
        let texto = format!(
            "Hola:\n\nPara ver el resultado de tu solicitud del Número de Seguridad Social (NSS), abre este enlace \
             hoy mismo. Sirve una sola vez:\n\n  {enlace}\n\n\
             Si no hiciste esta solicitud, ignora este correo: nadie verá tus datos sin él.\n\n\
             Este mensaje se envió automáticamente; por favor no lo respondas.\n\
             Instituto Mexicano del Seguro Social · Afíliate\n"
        );
        let html = html! {
            (DOCTYPE)
            html lang="es-MX" {
                head { meta charset="utf-8"; title { "Confirma tu correo" } }
                body style="margin:0;padding:0;background:#f2f2f2;font-family:Montserrat,Arial,sans-serif;color:#161a1d" {
                    table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f2f2f2" {
                        tr { td align="center" style="padding:24px 8px" {
                            table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff" {
                                tr { td style="background:#611232;color:#ffffff;padding:20px 24px;font-size:18px;font-weight:bold;border-bottom:4px solid #a57f2c" {
                                    "Instituto Mexicano del Seguro Social"
                                } }
                                tr { td style="padding:24px;font-size:15px;line-height:1.5" {
                                    p style="margin:0 0 12px" { "Hola:" }
                                    p style="margin:0 0 16px" {
                                        "Para ver el resultado de tu solicitud del Número de Seguridad Social (NSS), abre este enlace hoy mismo. Sirve una sola vez."
                                    }
                                    p style="margin:0 0 20px" {
                                        a href=(enlace) style="display:inline-block;background:#611232;color:#ffffff;padding:12px 20px;text-decoration:none;font-weight:bold" {
                                            "Ver el resultado de mi solicitud"
                                        }
                                    }
                                    p style="margin:0 0 8px;font-size:13px;color:#54575a" {
                                        "Si el botón no funciona, copia esta dirección en tu navegador: " (enlace)
                                    }
                                    p style="margin:0;font-size:13px;color:#54575a" {
                                        "Si no hiciste esta solicitud, ignora este correo: nadie verá tus datos sin él."
                                    }
                                } }
                                tr { td style="background:#611232;color:#ffffff;padding:12px 24px;font-size:12px" {
                                    "Este mensaje se envió automáticamente; por favor no lo respondas."
                                } }
                            }
                        } }
                    }
                }
            }
        }
        .into_string();
        Message::builder()
            .from(self.remitente.clone())
            .to(Mailbox::new(None, para))
            .subject("Confirma tu correo para ver tu NSS")
            .date(SystemTime::UNIX_EPOCH + Duration::from_secs(creado.timestamp().max(0) as u64))
            .message_id(Some(format!(
                "<afiliate.{}.{}@{}>",
                creado.timestamp(),
                id,
                dominio
            )))
            .multipart(MultiPart::alternative_plain_html(texto, html))
            .map_err(|_| ErrorCorreo::Construccion)
    }
}

/// The plain text and HTML bodies.
fn cuerpo(tipo: TipoCorreo, documentos: &[Documento], base_url: &str) -> (String, String) {
    let d = &documentos[0];
    let entrada = match (tipo, d.tramite) {
        (TipoCorreo::Reenvio, _) => format!(
            "Como lo pediste, te reenviamos tu documento «{}».",
            d.tipo.nombre()
        ),
        (TipoCorreo::Nss, Tramite::Asignacion) => {
            "Te asignamos tu Número de Seguridad Social (NSS).".to_string()
        }
        (TipoCorreo::Nss, Tramite::Localizacion | Tramite::Vigencia) => {
            "Localizamos tu Número de Seguridad Social (NSS).".to_string()
        }
        (TipoCorreo::Vigencia, _) => {
            "Te enviamos tu constancia de vigencia de derechos del IMSS.".to_string()
        }
        // Composed by `Compositor::componer_confirmacion`.
        (TipoCorreo::Confirmacion, _) => String::new(),
    };
    // The panel: the NSS, or for a constancia whether the student has the right (and what to do when not).
    let (etiqueta, valor, nota) = match &d.datos {
        Some(v) => (
            "¿Tienes derecho al servicio médico del IMSS?",
            v.si_no().to_string(),
            Some(if v.derecho {
                format!(
                    "Tienes derecho como {}. Preséntala en tu Unidad de Medicina Familiar (Paso 3).",
                    v.tipo_asegurado
                )
            } else {
                crate::escuelas::que_hacer(v.motivo, v.vigente_hasta.as_deref())
            }),
        ),
        None => (
            "Tu Número de Seguridad Social (NSS) es:",
            d.nss.clone(),
            None,
        ),
    };
    let adjuntos: Vec<(String, String)> = documentos
        .iter()
        .map(|d| (d.tipo.nombre().to_string(), d.tipo.nombre_archivo(&d.nss)))
        .collect();
    let verificar = d.url_verificacion(base_url);

    let mut texto = format!(
        "Hola, {}:\n\n{entrada}\n\n  NSS:   {}\n  CURP:  {}\n",
        d.nombre, d.nss, d.curp
    );
    if d.datos.is_some() {
        texto.push_str(&format!("\n{etiqueta} {valor}\n"));
    }
    if let Some(n) = &nota {
        texto.push_str(&format!("{n}\n"));
    }
    for doc in documentos {
        texto.push_str(&format!("  Folio: {} ({})\n", doc.folio, doc.tipo.nombre()));
    }
    texto.push_str("\nTe adjuntamos en PDF:\n");
    for (nombre, archivo) in &adjuntos {
        texto.push_str(&format!("  - {nombre} ({archivo})\n"));
    }
    texto.push_str(&format!(
        "\n¿Qué sigue?\n  Paso 2. {PASO_2}\n  Paso 3. {PASO_3}\n\n\
         Tu NSS es el mismo para toda la vida: guarda este correo.\n\
         Cualquiera puede comprobar que tus documentos son auténticos en:\n  {verificar}\n\n\
         Este mensaje se envió automáticamente; por favor no lo respondas.\n\
         Instituto Mexicano del Seguro Social · Afíliate\n"
    ));

    // The HTML from a maud template: every value is escaped by maud (names, folios, the link).
    let titulo = match tipo {
        TipoCorreo::Nss => "Tu Número de Seguridad Social",
        TipoCorreo::Vigencia => "Tu constancia de vigencia de derechos",
        TipoCorreo::Reenvio => "Reenvío de documento",
        TipoCorreo::Confirmacion => "Confirma tu correo",
    };
    const GRIS: &str = "color:#54575a";
    let html = html! {
        (DOCTYPE)
        html lang="es-MX" {
            head { meta charset="utf-8"; title { (titulo) } }
            body style="margin:0;padding:0;background:#f2f2f2;font-family:Montserrat,Arial,sans-serif;color:#161a1d" {
                table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f2f2f2" {
                    tr { td align="center" style="padding:24px 8px" {
                        table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff" {
                            tr { td style="background:#611232;color:#ffffff;padding:20px 24px;font-size:18px;font-weight:bold;border-bottom:4px solid #a57f2c" {
                                "Instituto Mexicano del Seguro Social"
                            } }
                            tr { td style="padding:24px;font-size:15px;line-height:1.5" {
                                p style="margin:0 0 12px" { "Hola, " (d.nombre) ":" }
                                p style="margin:0 0 16px" { (entrada) }
                                div style="background:#f2f2f2;border-left:5px solid #611232;padding:12px 16px;margin:0 0 16px" {
                                    div style="font-size:13px;color:#54575a" { (etiqueta) }
                                    div style="font-size:28px;font-weight:bold;color:#611232;letter-spacing:1px" { (valor) }
                                }
                                @if let Some(n) = &nota {
                                    p style="margin:0 0 16px" { (n) }
                                }
                                table role="presentation" cellpadding="0" cellspacing="0" style="font-size:14px;margin:0 0 16px" {
                                    @if d.datos.is_some() {
                                        tr {
                                            td style="padding:4px 12px 4px 0;color:#54575a" { "NSS" }
                                            td style="padding:4px 0" { (d.nss) }
                                        }
                                    }
                                    tr {
                                        td style="padding:4px 12px 4px 0;color:#54575a" { "CURP" }
                                        td style="padding:4px 0" { (d.curp) }
                                    }
                                    @for doc in documentos {
                                        tr {
                                            td style="padding:4px 12px 4px 0;color:#54575a" { "Folio" }
                                            td style="padding:4px 0" {
                                                (doc.folio) " " span style=(GRIS) { "(" (doc.tipo.nombre()) ")" }
                                            }
                                        }
                                    }
                                }
                                p style="margin:0 0 4px" { "Te adjuntamos en PDF:" }
                                ul style="margin:0 0 16px" {
                                    @for (nombre, archivo) in &adjuntos {
                                        li { (nombre) " " span style=(GRIS) { "(" (archivo) ")" } }
                                    }
                                }
                                h2 style="font-size:17px;color:#611232;margin:0 0 8px" { "¿Qué sigue?" }
                                p style="margin:0 0 6px" { strong { "Paso 2." } " " (PASO_2) }
                                p style="margin:0 0 16px" { strong { "Paso 3." } " " (PASO_3) }
                                p style="margin:0 0 8px" { "Tu NSS es el mismo para toda la vida: guarda este correo." }
                                p style="margin:0;font-size:13px;color:#54575a" {
                                    "Cualquiera puede comprobar que tus documentos son auténticos en "
                                    a href=(verificar) style="color:#9b2247" { (verificar) } "."
                                }
                            } }
                            tr { td style="background:#611232;color:#ffffff;padding:12px 24px;font-size:12px" {
                                "Este mensaje se envió automáticamente; por favor no lo respondas."
                            } }
                        }
                    } }
                }
            }
        }
    }
    .into_string();
    (texto, html)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::{Persona, Sellador, TipoDocumento};
    use chrono::TimeZone as _;

    fn docs() -> Vec<Documento> {
        let s = Sellador::aleatorio();
        let p = Persona {
            nombre: "María Peña Núñez".into(),
            curp: "PENM000101MDFXXX09".into(),
            nss: "12345678901".into(),
        };
        TipoDocumento::DEL_NSS
            .iter()
            .map(|&t| Documento::emitir(t, Tramite::Asignacion, &p, Utc::now(), &s))
            .collect()
    }

    #[test]
    fn el_html_escapa_nombre_y_datos() {
        let mut d = docs();
        d[0].nombre = "<script>alert(1)</script> Peña & Hijos \"x\"".into();
        let (texto, html) = cuerpo(TipoCorreo::Nss, &d, "https://afiliate.test/?a=1&b=2");
        assert!(!html.contains("<script>"), "{html}");
        assert!(
            html.contains(
                "Hola, &lt;script&gt;alert(1)&lt;/script&gt; Peña &amp; Hijos &quot;x&quot;:"
            ),
            "{html}"
        );
        assert!(!html.contains("Peña & Hijos"));
        assert!(html.contains("a=1&amp;b=2"), "the link is escaped too");
        assert!(html.starts_with("<!DOCTYPE html><html lang=\"es-MX\">"));
        assert!(html.contains(&d[0].folio) && html.contains("12345678901"));
        // The plain text part carries the name as it is.
        assert!(texto.contains("Hola, <script>alert(1)</script> Peña & Hijos"));
    }

    #[test]
    fn payload_round_trips_and_rejects_garbage() {
        let d = docs();
        let c = Correo::nss("maria@example.com", &d);
        let back = Correo::from_json(&c.to_json()).unwrap();
        assert_eq!(back, c);
        assert_eq!(back.documentos().unwrap(), d);
        assert!(!d[0].clave.is_empty());
        assert!(c.to_json().len() < 2000);
        // Rows queued before key ids have none: their documents verify against any key.
        let viejo = c
            .to_json()
            .replace(&format!(",\"clave\":\"{}\"", d[0].clave), "");
        assert_ne!(viejo, c.to_json());
        let viejos = Correo::from_json(&viejo).unwrap().documentos().unwrap();
        assert!(viejos.iter().all(|x| x.clave.is_empty()));
        assert!(matches!(Correo::from_json("{"), Err(ErrorCorreo::Payload)));
    }

    #[test]
    fn the_confirmation_carries_the_link_and_nothing_attached() {
        let comp = Compositor::new(
            "Afíliate <no-responder@afiliate.local>",
            "https://afiliate.test",
        )
        .unwrap();
        let enlace = "https://afiliate.test/tramite/nss/confirmar#t=abc_DEF-123";
        let c =
            Correo::from_json(&Correo::confirmacion("ana@example.com", enlace).to_json()).unwrap();
        let creado = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
        let m = comp.componer(&c, 9, creado).unwrap().formatted();
        let texto = String::from_utf8_lossy(&m);
        assert!(texto.contains("Message-ID: <afiliate.1800000000.9@afiliate.local>"));
        assert!(!texto.contains("application/pdf"), "nothing attached");
        assert!(texto.contains("multipart/alternative"));
        // The link in both bodies (quoted-printable may fold the lines: compare without soft breaks).
        let plano = texto.replace("=\r\n", "").replace("=3D", "=");
        assert!(plano.matches("#t=abc_DEF-123").count() >= 2, "{plano}");
        assert!(comp
            .componer(
                &Correo::from_json(r#"{"tipo":"confirmacion","para":"ana@example.com"}"#).unwrap(),
                9,
                creado
            )
            .is_err());
    }

    #[test]
    fn composes_a_deterministic_message_with_both_pdfs() {
        let comp = Compositor::new(
            "Afíliate <no-responder@afiliate.local>",
            "https://afiliate.test",
        )
        .unwrap();
        let c = Correo::nss("maria@example.com", &docs());
        let creado = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
        let a = comp.componer(&c, 7, creado).unwrap().formatted();
        let texto = String::from_utf8_lossy(&a);
        assert!(
            texto.contains("Message-ID: <afiliate.1800000000.7@afiliate.local>"),
            "{}",
            &texto[..600]
        );
        assert!(texto.contains("filename=\"comprobanteNSS12345678901.pdf\""));
        assert!(texto.contains("filename=\"tarjetaNSS12345678901.pdf\""));
        assert!(texto.contains("multipart/alternative"));
        let r = comp
            .componer(&Correo::reenvio("maria@example.com", &docs()[1]), 8, creado)
            .unwrap()
            .formatted();
        let r = String::from_utf8_lossy(&r);
        assert!(
            r.contains("tarjetaNSS12345678901.pdf") && !r.contains("comprobanteNSS12345678901.pdf")
        );
        let malo = Correo::nss("no es correo", &docs());
        assert!(matches!(
            comp.componer(&malo, 9, creado),
            Err(ErrorCorreo::Direccion)
        ));
    }
}
