//! Documents: the comprobante and the tarjeta of the NSS and the constancia de vigencia de derechos, their folio,
//! cadena original and sello digital, PDF rendering, signed links and the public verification data.
//!
//! What the server stores per document (one row): `tipo` ([`TipoDocumento::codigo`]), `tramite`
//! ([`Tramite::codigo`]), `folio` (UNIQUE), `emitido` (unix seconds, UTC), `nombre`, `curp`, `nss`, `sello`, `clave`
//! (the id of the sello key that sealed it, `''` for documents issued before key ids), and for a constancia `datos`
//! (its [`DatosConstancia`] as JSON).
//! From those fields [`Documento`] rebuilds the cadena original; [`Documento::es_autentico`] checks the stored sello
//! with the key `clave` names (any key of the set when it is empty).
//!
//! Typical use by the server:
//! ```text
//! let docs = Documentos::new(Sellador::desde_entorno(&data_dir)?, config.public_url(), VIGENCIA_PREDETERMINADA_SEG);
//! // in the transaction that records a localización / asignación:
//! for tipo in TipoDocumento::DEL_NSS { let d = docs.emitir(tipo, Tramite::Asignacion, &persona, Utc::now()); /* INSERT d */ }
//! // in the answer:
//! let documentos: Vec<api::Documento> = stored.iter().map(|d| docs.api(d, now_unix)).collect();
//! ```
//! A new document kind is one more [`TipoDocumento`] variant plus one [`plantillas::Plantilla`].

pub mod enlaces;
pub mod pdf;
pub mod plantillas;
pub mod sello;

use afiliate_domain::api;
use chrono::{DateTime, FixedOffset, TimeZone as _, Utc};
use rand::Rng as _;

pub use enlaces::{Enlaces, Modo, VIGENCIA_PREDETERMINADA_SEG};
pub use sello::Sellador;

/// The kinds of document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TipoDocumento {
    /// "Número de Seguridad Social": the comprobante of the localización or asignación.
    ComprobanteNss,
    /// "Tarjeta de Número de Seguridad Social": a card to cut out, with a QR code.
    TarjetaNss,
    /// "Constancia de vigencia de derechos": whether the person had the right to medical service on its date.
    ConstanciaVigencia,
}

impl TipoDocumento {
    /// The documents issued when an NSS is located or assigned, in the order the results table shows them.
    pub const DEL_NSS: [TipoDocumento; 2] =
        [TipoDocumento::ComprobanteNss, TipoDocumento::TarjetaNss];

    /// Every kind.
    pub const TODOS: [TipoDocumento; 3] = [
        TipoDocumento::ComprobanteNss,
        TipoDocumento::TarjetaNss,
        TipoDocumento::ConstanciaVigencia,
    ];

    /// Stable code for the database.
    pub fn codigo(self) -> &'static str {
        match self {
            TipoDocumento::ComprobanteNss => "comprobante_nss",
            TipoDocumento::TarjetaNss => "tarjeta_nss",
            TipoDocumento::ConstanciaVigencia => "constancia_vigencia",
        }
    }

    pub fn parse(codigo: &str) -> Option<TipoDocumento> {
        match codigo {
            "comprobante_nss" => Some(TipoDocumento::ComprobanteNss),
            "tarjeta_nss" => Some(TipoDocumento::TarjetaNss),
            "constancia_vigencia" => Some(TipoDocumento::ConstanciaVigencia),
            _ => None,
        }
    }

    /// The Spanish name shown in the results table and on the document.
    pub fn nombre(self) -> &'static str {
        match self {
            TipoDocumento::ComprobanteNss => "Número de Seguridad Social",
            TipoDocumento::TarjetaNss => "Tarjeta de Número de Seguridad Social",
            TipoDocumento::ConstanciaVigencia => "Constancia de vigencia de derechos",
        }
    }

    /// The folio prefix: tells the kind at a glance.
    pub fn prefijo(self) -> &'static str {
        match self {
            TipoDocumento::ComprobanteNss => "CN",
            TipoDocumento::TarjetaNss => "TN",
            TipoDocumento::ConstanciaVigencia => "CV",
        }
    }

    /// The download file name, as the real service names them.
    pub fn nombre_archivo(self, nss: &str) -> String {
        match self {
            TipoDocumento::ComprobanteNss => format!("comprobanteNSS{nss}.pdf"),
            TipoDocumento::TarjetaNss => format!("tarjetaNSS{nss}.pdf"),
            TipoDocumento::ConstanciaVigencia => format!("comprobanteVigenciaDerechos{nss}.pdf"),
        }
    }

    fn plantilla(self) -> &'static dyn plantillas::Plantilla {
        match self {
            TipoDocumento::ComprobanteNss => &plantillas::comprobante::Comprobante,
            TipoDocumento::TarjetaNss => &plantillas::tarjeta::Tarjeta,
            TipoDocumento::ConstanciaVigencia => &plantillas::constancia::Constancia,
        }
    }
}

/// How the person got the NSS the document shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tramite {
    /// The person already had an NSS.
    Localizacion,
    /// The NSS was assigned now.
    Asignacion,
    /// The constancia de vigencia de derechos was asked for (IMSS-02-020-B).
    Vigencia,
}

impl Tramite {
    pub fn codigo(self) -> &'static str {
        match self {
            Tramite::Localizacion => "localizacion",
            Tramite::Asignacion => "asignacion",
            Tramite::Vigencia => "vigencia",
        }
    }

    pub fn parse(codigo: &str) -> Option<Tramite> {
        match codigo {
            "localizacion" => Some(Tramite::Localizacion),
            "asignacion" => Some(Tramite::Asignacion),
            "vigencia" => Some(Tramite::Vigencia),
            _ => None,
        }
    }
}

/// The person a document is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Persona {
    /// Full name as the registry has it, e.g. "María Peña Núñez".
    pub nombre: String,
    pub curp: String,
    pub nss: String,
}

/// One issued document: everything the PDF shows and the sello that certifies it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Documento {
    pub tipo: TipoDocumento,
    pub tramite: Tramite,
    pub folio: String,
    /// Issue instant, whole seconds.
    pub emitido: DateTime<Utc>,
    pub nombre: String,
    pub curp: String,
    pub nss: String,
    /// Base64 Ed25519 signature of [`Documento::cadena_original`].
    pub sello: String,
    /// Id of the sello key that made `sello` ([`sello::id_de`]); empty for a document issued before key ids,
    /// which any key of the set may verify. Not part of the cadena original: altering it only makes the seal fail.
    pub clave: String,
    /// What a constancia de vigencia certifies (`None` for the NSS documents).
    pub datos: Option<DatosConstancia>,
}

/// What a constancia de vigencia de derechos shows beyond the person, sealed with it (its fields are in the
/// cadena original).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DatosConstancia {
    /// SÍ / NO: whether the person had the right to medical service on the issue date.
    pub derecho: bool,
    pub tipo_asegurado: String,
    #[serde(default)]
    pub motivo: Option<api::MotivoSinDerecho>,
    #[serde(default)]
    pub escuela: Option<api::EscuelaResumen>,
    #[serde(default)]
    pub umf: Option<api::UmfResumen>,
    #[serde(default)]
    pub periodo: Option<String>,
    /// dd/mm/aaaa
    #[serde(default)]
    pub vigente_desde: Option<String>,
    /// dd/mm/aaaa
    #[serde(default)]
    pub vigente_hasta: Option<String>,
}

impl DatosConstancia {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("DatosConstancia serialises")
    }

    /// The stored column: `''` (an NSS document) or JSON.
    pub fn from_columna(s: &str) -> Option<DatosConstancia> {
        if s.is_empty() {
            None
        } else {
            serde_json::from_str(s).ok()
        }
    }

    /// "SÍ" or "NO", as the constancia prints it.
    pub fn si_no(&self) -> &'static str {
        if self.derecho {
            "SÍ"
        } else {
            "NO"
        }
    }
}

/// Version of the cadena original's layout: part of the cadena, so a future layout can never verify an old seal.
const VERSION_CADENA: &str = "1.0";

/// Mexico's central time (no daylight saving since 2022).
pub fn hora_centro() -> FixedOffset {
    FixedOffset::west_opt(6 * 3600).expect("valid offset")
}

/// Crockford base32 (no I, L, O, U): easy to read aloud and to type.
const ALFABETO_FOLIO: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A new folio for `tipo`, e.g. `CN-0H2K9-4M7QZ-9XWD2`: 7 characters of time (10 ms ticks since 2026-01-01,
/// wrapping after ~10.9 years) then 8 random ones (40 random bits: a folio cannot be guessed, and a document's
/// content is only reachable through signed links anyway). Time first so that the folios of one group commit sit
/// side by side in the UNIQUE index (a few pages written per commit instead of one per document).
/// Store folios under a UNIQUE constraint; a collision (practically impossible) is retried with a new folio.
pub fn generar_folio(tipo: TipoDocumento) -> String {
    const EPOCA_MS: u128 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    let ticks = (ms.saturating_sub(EPOCA_MS) / 10) as u64;
    let mut rng = rand::thread_rng();
    let mut s = String::with_capacity(20);
    s.push_str(tipo.prefijo());
    for i in 0..15 {
        if i % 5 == 0 {
            s.push('-');
        }
        let v = if i < 7 {
            (ticks >> (5 * (6 - i))) as usize & 31
        } else {
            rng.gen_range(0..32)
        };
        s.push(ALFABETO_FOLIO[v] as char);
    }
    s
}

/// Whether `folio` has the shape of one of ours (cheap check before any lookup; made-up input answers 404).
pub fn folio_bien_formado(folio: &str) -> bool {
    let b = folio.as_bytes();
    b.len() == 20
        && TipoDocumento::TODOS
            .iter()
            .any(|t| folio.starts_with(t.prefijo()))
        && b[2..]
            .chunks(6)
            .all(|g| g[0] == b'-' && g[1..].iter().all(|c| ALFABETO_FOLIO.contains(c)))
}

/// A field of the cadena original: trimmed, inner whitespace collapsed, `|` (the separator) replaced.
fn campo(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "/")
}

impl Documento {
    /// A stored document from its columns (`tipo, tramite, folio, emitido, nombre, curp, nss, sello`, as the
    /// module's documentation lists them), without its `datos` and with an empty `clave` (callers set both); None
    /// for a kind, procedure or time this build does not know.
    #[allow(clippy::too_many_arguments)]
    pub fn de_columnas(
        tipo: &str,
        tramite: &str,
        folio: String,
        emitido: i64,
        nombre: String,
        curp: String,
        nss: String,
        sello: String,
    ) -> Option<Documento> {
        Some(Documento {
            tipo: TipoDocumento::parse(tipo)?,
            tramite: Tramite::parse(tramite)?,
            folio,
            emitido: Utc.timestamp_opt(emitido, 0).single()?,
            nombre,
            curp,
            nss,
            sello,
            clave: String::new(),
            datos: None,
        })
    }

    /// Issues a new document now: new folio, sealed.
    pub fn emitir(
        tipo: TipoDocumento,
        tramite: Tramite,
        persona: &Persona,
        emitido: DateTime<Utc>,
        sellador: &Sellador,
    ) -> Documento {
        let emitido = Utc
            .timestamp_opt(emitido.timestamp(), 0)
            .single()
            .unwrap_or(emitido);
        let mut d = Documento {
            tipo,
            tramite,
            folio: generar_folio(tipo),
            emitido,
            nombre: campo(&persona.nombre),
            curp: campo(&persona.curp),
            nss: campo(&persona.nss),
            sello: String::new(),
            clave: sellador.id_activa().to_string(),
            datos: None,
        };
        d.sello = sellador.sellar(&d.cadena_original());
        d
    }

    /// Issues a constancia de vigencia now: new folio, its data sealed with it.
    pub fn emitir_constancia(
        persona: &Persona,
        datos: DatosConstancia,
        emitido: DateTime<Utc>,
        sellador: &Sellador,
    ) -> Documento {
        let mut d = Documento::emitir(
            TipoDocumento::ConstanciaVigencia,
            Tramite::Vigencia,
            persona,
            emitido,
            sellador,
        );
        d.datos = Some(datos);
        d.sello = sellador.sellar(&d.cadena_original());
        d
    }

    /// The fields in a fixed order, `||a|b|c||` as SAT/IMSS seals do:
    /// `||version|tipo|tramite|folio|emitido (RFC 3339 UTC)|curp|nss|nombre||`; a constancia adds
    /// `|derecho (SI/NO)|tipo de asegurado|motivo|CCT|registro patronal|escuela|UMF clave|UMF|periodo|desde|hasta`
    /// before the closing `||` (empty fields stay empty).
    pub fn cadena_original(&self) -> String {
        let mut cadena = format!(
            "||{VERSION_CADENA}|{}|{}|{}|{}|{}|{}|{}",
            self.tipo.codigo(),
            self.tramite.codigo(),
            campo(&self.folio),
            self.emitido.format("%Y-%m-%dT%H:%M:%SZ"),
            campo(&self.curp),
            campo(&self.nss),
            campo(&self.nombre),
        );
        if let Some(v) = &self.datos {
            let motivo = match v.motivo {
                Some(api::MotivoSinDerecho::SinInscripcion) => "sin_inscripcion",
                Some(api::MotivoSinDerecho::BajaEscolar) => "baja_escolar",
                Some(api::MotivoSinDerecho::PeriodoVencido) => "periodo_vencido",
                None => "",
            };
            let e = v.escuela.as_ref();
            let u = v.umf.as_ref();
            for f in [
                if v.derecho { "SI" } else { "NO" },
                v.tipo_asegurado.as_str(),
                motivo,
                e.map_or("", |e| e.cct.as_str()),
                e.map_or("", |e| e.registro_patronal.as_str()),
                e.map_or("", |e| e.nombre.as_str()),
                u.map_or("", |u| u.clave.as_str()),
                u.map_or("", |u| u.nombre.as_str()),
                v.periodo.as_deref().unwrap_or(""),
                v.vigente_desde.as_deref().unwrap_or(""),
                v.vigente_hasta.as_deref().unwrap_or(""),
            ] {
                cadena.push('|');
                cadena.push_str(&campo(f));
            }
        }
        cadena.push_str("||");
        cadena
    }

    /// Whether the stored sello verifies against the document's data, with the key its id names.
    pub fn es_autentico(&self, sellador: &Sellador) -> bool {
        sellador.verificar_clave(&self.clave, &self.cadena_original(), &self.sello)
    }

    /// The issue date in Mexico's central time, dd/mm/aaaa.
    pub fn fecha(&self) -> String {
        self.emitido
            .with_timezone(&hora_centro())
            .format("%d/%m/%Y")
            .to_string()
    }

    /// The issue date and time, e.g. "26/11/2026 03:53 h (hora del centro de México)".
    pub fn fecha_hora(&self) -> String {
        self.emitido
            .with_timezone(&hora_centro())
            .format("%d/%m/%Y %H:%M h (hora del centro de México)")
            .to_string()
    }

    /// What the document certifies, one sentence.
    pub fn certifica(&self) -> String {
        if let Some(v) = &self.datos {
            let fecha = self.fecha();
            return if v.derecho {
                format!(
                    "Que el {fecha} la persona titular de la CURP SÍ tenía derecho al servicio médico del IMSS como {}{}.",
                    v.tipo_asegurado,
                    match (&v.vigente_desde, &v.vigente_hasta) {
                        (Some(d), Some(h)) => format!(", con vigencia del {d} al {h}"),
                        _ => String::new(),
                    }
                )
            } else {
                format!(
                    "Que el {fecha} la persona titular de la CURP NO tenía derecho al servicio médico del IMSS como estudiante."
                )
            };
        }
        match (self.tipo, self.tramite) {
            (TipoDocumento::ComprobanteNss, Tramite::Asignacion) => {
                "Que el IMSS asignó un Número de Seguridad Social a la persona titular de la CURP."
            }
            (TipoDocumento::ComprobanteNss, Tramite::Localizacion) => {
                "Que la persona titular de la CURP tiene un Número de Seguridad Social registrado en el IMSS."
            }
            (TipoDocumento::TarjetaNss, _) => {
                "Que la tarjeta muestra el Número de Seguridad Social de la persona titular de la CURP."
            }
            (TipoDocumento::ConstanciaVigencia, _) | (TipoDocumento::ComprobanteNss, Tramite::Vigencia) => {
                "Que el documento muestra la vigencia de derechos de la persona titular de la CURP."
            }
        }
        .to_string()
    }

    /// The public verification page's URL, which the QR code holds.
    pub fn url_verificacion(&self, base_url: &str) -> String {
        format!(
            "{}/verificar/{}",
            base_url.trim_end_matches('/'),
            self.folio
        )
    }

    /// The PDF bytes: a tagged PDF/UA-1 and PDF/A-2b file, checked by krilla's validators as it is written.
    /// Fails when a check fails (a defect of a template: text the fonts cannot show is drawn as `?`, so the
    /// person's data cannot make a document fail).
    pub fn pdf(&self, base_url: &str) -> Result<Vec<u8>, pdf::ErrorPdf> {
        plantillas::render(self, base_url)
    }

    /// The PDF bytes, as [`Documento::pdf`].
    ///
    /// # Panics
    /// When [`Documento::pdf`] fails: a template that breaks PDF/UA-1 or PDF/A-2b is a bug the tests catch, and
    /// a non-conforming file is never handed out.
    pub fn render(&self, base_url: &str) -> Vec<u8> {
        match self.pdf(base_url) {
            Ok(bytes) => bytes,
            Err(e) => panic!("{} {}: {e}", self.tipo.codigo(), self.folio),
        }
    }

    /// The answer of `GET /api/verificacion/{folio}`: personal data partly masked.
    pub fn verificacion(&self, sellador: &Sellador) -> api::Verificacion {
        let autentico = self.es_autentico(sellador);
        api::Verificacion {
            folio: self.folio.clone(),
            autentico,
            documento: self.tipo.nombre().to_string(),
            certifica: self.certifica(),
            fecha: self.fecha(),
            nombre: enmascarar_nombre(&self.nombre),
            curp: enmascarar_curp(&self.curp),
            nss: enmascarar_nss(&self.nss),
            clave: self.clave.clone(),
            mensaje: if autentico {
                "El documento es auténtico: su sello digital corresponde a los datos con que se emitió.".to_string()
            } else {
                "El documento NO es auténtico: su sello digital no corresponde a sus datos. No lo aceptes.".to_string()
            },
        }
    }
}

/// "María Peña Núñez" → "Ma*** Pe** Nú***": two letters of each word.
pub fn enmascarar_nombre(nombre: &str) -> String {
    nombre
        .split_whitespace()
        .map(|p| {
            let n = p.chars().count();
            let visibles = if n <= 2 { 1 } else { 2 };
            p.chars()
                .take(visibles)
                .chain(std::iter::repeat_n('*', n - visibles))
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// "PENM000101MDFXXX09" → "PENM**************": only the initials.
pub fn enmascarar_curp(curp: &str) -> String {
    let n = curp.chars().count();
    curp.chars()
        .take(4)
        .chain(std::iter::repeat_n('*', n.saturating_sub(4)))
        .collect()
}

/// "12345678901" → "*******8901": only the last four digits.
pub fn enmascarar_nss(nss: &str) -> String {
    let n = nss.chars().count();
    std::iter::repeat_n('*', n.saturating_sub(4))
        .chain(nss.chars().skip(n.saturating_sub(4)))
        .collect()
}

/// From documents newest first, the newest of each kind, in the order of [`TipoDocumento::DEL_NSS`].
pub fn ultimo_de_cada_tipo(documentos: impl Iterator<Item = Documento>) -> Vec<Documento> {
    let mut out: Vec<Documento> = Vec::new();
    for d in documentos {
        if !out.iter().any(|o| o.tipo == d.tipo) {
            out.push(d);
        }
    }
    out.sort_by_key(|d| {
        TipoDocumento::DEL_NSS
            .iter()
            .position(|x| *x == d.tipo)
            .unwrap_or(usize::MAX)
    });
    out
}

/// What the server keeps in its state for documents: the sealing key, the link signer and the public base URL.
#[derive(Clone)]
pub struct Documentos {
    pub sellador: Sellador,
    pub enlaces: Enlaces,
    /// Public base URL (e.g. `https://afiliate.example.mx`), for the QR codes.
    pub base_url: String,
}

impl Documentos {
    pub fn new(
        sellador: Sellador,
        base_url: impl Into<String>,
        vigencia_enlaces_seg: i64,
    ) -> Documentos {
        pdf::precalentar();
        let enlaces = Enlaces::new(&sellador, vigencia_enlaces_seg);
        Documentos {
            sellador,
            enlaces,
            base_url: base_url.into().trim_end_matches('/').to_string(),
        }
    }

    pub fn emitir(
        &self,
        tipo: TipoDocumento,
        tramite: Tramite,
        persona: &Persona,
        ahora: DateTime<Utc>,
    ) -> Documento {
        Documento::emitir(tipo, tramite, persona, ahora, &self.sellador)
    }

    /// An entry of `documentos` in the API answers, with fresh signed links valid from `ahora` (unix seconds).
    pub fn api(&self, doc: &Documento, ahora: i64) -> api::Documento {
        api::Documento {
            folio: doc.folio.clone(),
            fecha: doc.fecha(),
            documento: doc.tipo.nombre().to_string(),
            ver_url: self.enlaces.enlace(&doc.folio, Modo::Ver, ahora),
            descargar_url: self.enlaces.enlace(&doc.folio, Modo::Descargar, ahora),
        }
    }

    pub fn render(&self, doc: &Documento) -> Vec<u8> {
        doc.render(&self.base_url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn persona() -> Persona {
        Persona {
            nombre: " María  Peña Núñez ".into(),
            curp: "PENM000101MDFXXX09".into(),
            nss: "12345678901".into(),
        }
    }

    #[test]
    fn folios_are_well_formed_distinct_and_typed() {
        let mut vistos = std::collections::HashSet::new();
        for _ in 0..2000 {
            let f = generar_folio(TipoDocumento::TarjetaNss);
            assert!(folio_bien_formado(&f), "{f}");
            assert!(f.starts_with("TN-"));
            assert!(vistos.insert(f));
        }
        // Later folios sort after earlier ones (by their time part).
        let a = generar_folio(TipoDocumento::ComprobanteNss);
        std::thread::sleep(std::time::Duration::from_millis(25));
        let b = generar_folio(TipoDocumento::ComprobanteNss);
        assert!(a[..11] < b[..11], "{a} {b}");
        for malo in [
            "",
            "CN",
            "CN-ABCDE-FGHJK-MNPQ",
            "XX-ABCDE-FGHJK-MNPQR",
            "CN-ABCDE-FGHJK-MNPQI",
            "CN_ABCDE-FGHJK-MNPQR",
        ] {
            assert!(!folio_bien_formado(malo), "{malo}");
        }
        assert!(folio_bien_formado("CN-ABCDE-FGHJK-MNPQR"));
    }

    #[test]
    fn cadena_original_has_fixed_order_and_the_seal_detects_tampering() {
        let s = Sellador::aleatorio();
        let emitido = Utc.with_ymd_and_hms(2026, 11, 26, 3, 4, 5).unwrap();
        let d = Documento::emitir(
            TipoDocumento::ComprobanteNss,
            Tramite::Asignacion,
            &persona(),
            emitido,
            &s,
        );
        assert_eq!(
            d.cadena_original(),
            format!(
                "||1.0|comprobante_nss|asignacion|{}|2026-11-26T03:04:05Z|PENM000101MDFXXX09|12345678901|María Peña Núñez||",
                d.folio
            )
        );
        assert!(d.es_autentico(&s));
        assert_eq!(d.fecha(), "25/11/2026", "central time is UTC-6");
        let mut otro = d.clone();
        otro.folio = generar_folio(TipoDocumento::ComprobanteNss);
        assert!(!otro.es_autentico(&s), "tampered folio");
        let mut otro = d.clone();
        otro.nss = "12345678902".into();
        assert!(!otro.es_autentico(&s), "tampered NSS");
        let mut otro = d.clone();
        otro.sello = Sellador::aleatorio().sellar(&d.cadena_original());
        assert!(!otro.es_autentico(&s), "seal of another key");
        let v = otro.verificacion(&s);
        assert!(!v.autentico);
        assert!(v.mensaje.contains("NO es auténtico"));
    }

    #[test]
    fn a_document_records_its_key_and_verifies_with_it_after_a_rotation() {
        let antes = Sellador::aleatorio();
        let d = Documento::emitir(
            TipoDocumento::ComprobanteNss,
            Tramite::Asignacion,
            &persona(),
            Utc::now(),
            &antes,
        );
        assert_eq!(d.clave, antes.id_activa());
        let despues = antes.rotado();
        assert!(d.es_autentico(&despues));
        let mut sin_id = d.clone();
        sin_id.clave = String::new();
        assert!(sin_id.es_autentico(&despues), "documents before key ids");
        let mut otra = d.clone();
        otra.clave = despues.id_activa().to_string();
        assert!(!otra.es_autentico(&despues), "the id names the key");
        let mut alterado = d.clone();
        alterado.nss = "12345678902".into();
        assert!(!alterado.es_autentico(&despues));
        assert!(alterado
            .verificacion(&despues)
            .mensaje
            .contains("NO es auténtico"));
        let n = Documento::emitir(
            TipoDocumento::TarjetaNss,
            Tramite::Asignacion,
            &persona(),
            Utc::now(),
            &despues,
        );
        assert_eq!(n.clave, despues.id_activa());
        assert_ne!(n.clave, d.clave);
        assert!(!n.es_autentico(&antes), "a server without the new key");
    }

    #[test]
    fn verification_masks_personal_data() {
        let s = Sellador::aleatorio();
        let d = Documento::emitir(
            TipoDocumento::TarjetaNss,
            Tramite::Localizacion,
            &persona(),
            Utc::now(),
            &s,
        );
        let v = d.verificacion(&s);
        assert!(v.autentico);
        assert_eq!(v.nombre, "Ma*** Pe** Nú***");
        assert_eq!(v.curp, "PENM**************");
        assert_eq!(v.nss, "*******8901");
        assert_eq!(v.documento, "Tarjeta de Número de Seguridad Social");
        assert_eq!(enmascarar_nombre("Ana de la O"), "An* d* l* O");
    }

    #[test]
    fn api_entries_carry_signed_links() {
        let docs = Documentos::new(Sellador::aleatorio(), "https://x.test/", 60);
        let d = docs.emitir(
            TipoDocumento::ComprobanteNss,
            Tramite::Asignacion,
            &persona(),
            Utc::now(),
        );
        let a = docs.api(&d, 1000);
        assert_eq!(a.documento, "Número de Seguridad Social");
        assert!(a.ver_url.starts_with(&format!(
            "/api/documentos/{}/pdf?modo=ver&exp=1060&firma=",
            d.folio
        )));
        assert!(a.descargar_url.contains("modo=descargar"));
        assert_eq!(
            d.url_verificacion(&docs.base_url),
            format!("https://x.test/verificar/{}", d.folio)
        );
        assert_eq!(
            TipoDocumento::TarjetaNss.nombre_archivo("12345678901"),
            "tarjetaNSS12345678901.pdf"
        );
    }
}
