//! Signed, expiring document links: `/api/documentos/{folio}/pdf?modo=ver|descargar&exp=<unix>&firma=<…>`.
//!
//! The firma is HMAC-SHA256 over `folio|modo|exp` (base64url, no padding) with a key derived from the active sello
//! key, so links are unguessable and expire without any database row. A made-up, altered or expired link is
//! refused. A link signed with any key of the set is accepted: links handed out before a key rotation keep working
//! until they expire.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac as _};
use sha2::Sha256;

use super::sello::Sellador;

/// Default lifetime of a link: 24 hours (long enough to come back to the results page the same day).
pub const VIGENCIA_PREDETERMINADA_SEG: i64 = 24 * 3600;

/// Open in the browser (print) or download as a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Modo {
    Ver,
    Descargar,
}

impl Modo {
    pub fn como_str(self) -> &'static str {
        match self {
            Modo::Ver => "ver",
            Modo::Descargar => "descargar",
        }
    }

    pub fn parse(s: &str) -> Option<Modo> {
        match s {
            "ver" => Some(Modo::Ver),
            "descargar" => Some(Modo::Descargar),
            _ => None,
        }
    }
}

/// Makes and checks document links.
#[derive(Clone)]
pub struct Enlaces {
    /// The link keys, the active one (which signs) first.
    claves: Vec<[u8; 32]>,
    vigencia_seg: i64,
}

impl Enlaces {
    pub fn new(sellador: &Sellador, vigencia_seg: i64) -> Enlaces {
        Enlaces {
            claves: sellador.claves_enlaces(),
            vigencia_seg,
        }
    }

    fn mac(clave: &[u8; 32], folio: &str, modo: Modo, exp: i64) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256>>::new_from_slice(clave).expect("HMAC takes any key length");
        mac.update(folio.as_bytes());
        mac.update(b"|");
        mac.update(modo.como_str().as_bytes());
        mac.update(b"|");
        mac.update(exp.to_string().as_bytes());
        mac
    }

    /// The path (relative to the server's origin) of a link valid from `ahora` (unix seconds) for the configured time.
    pub fn enlace(&self, folio: &str, modo: Modo, ahora: i64) -> String {
        let exp = ahora + self.vigencia_seg;
        let firma = URL_SAFE_NO_PAD.encode(
            Enlaces::mac(&self.claves[0], folio, modo, exp)
                .finalize()
                .into_bytes(),
        );
        format!(
            "/api/documentos/{folio}/pdf?modo={}&exp={exp}&firma={firma}",
            modo.como_str()
        )
    }

    /// Whether a link's parameters are authentic and not expired at `ahora`. Constant-time comparison.
    pub fn validar_enlace(
        &self,
        folio: &str,
        modo: Modo,
        exp: i64,
        firma: &str,
        ahora: i64,
    ) -> bool {
        if exp < ahora {
            return false;
        }
        let Ok(firma) = URL_SAFE_NO_PAD.decode(firma) else {
            return false;
        };
        self.claves.iter().any(|clave| {
            Enlaces::mac(clave, folio, modo, exp)
                .verify_slice(&firma)
                .is_ok()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partes(enlace: &str) -> (String, String, i64, String) {
        let (ruta, consulta) = enlace.split_once('?').unwrap();
        let folio = ruta
            .trim_start_matches("/api/documentos/")
            .trim_end_matches("/pdf")
            .to_string();
        let mut modo = String::new();
        let mut exp = 0;
        let mut firma = String::new();
        for par in consulta.split('&') {
            let (k, v) = par.split_once('=').unwrap();
            match k {
                "modo" => modo = v.into(),
                "exp" => exp = v.parse().unwrap(),
                "firma" => firma = v.into(),
                _ => panic!("unexpected {k}"),
            }
        }
        (folio, modo, exp, firma)
    }

    #[test]
    fn links_validate_until_they_expire_and_only_unaltered() {
        let e = Enlaces::new(&Sellador::aleatorio(), 3600);
        let ahora = 1_800_000_000;
        let enlace = e.enlace("CN-ABCDE-FGHJK-MNPQR", Modo::Descargar, ahora);
        let (folio, modo, exp, firma) = partes(&enlace);
        assert_eq!(folio, "CN-ABCDE-FGHJK-MNPQR");
        assert_eq!(modo, "descargar");
        assert_eq!(exp, ahora + 3600);
        let modo = Modo::parse(&modo).unwrap();
        assert!(e.validar_enlace(&folio, modo, exp, &firma, ahora));
        assert!(e.validar_enlace(&folio, modo, exp, &firma, exp));
        assert!(
            !e.validar_enlace(&folio, modo, exp, &firma, exp + 1),
            "expired"
        );
        assert!(
            !e.validar_enlace("CN-ABCDE-FGHJK-MNPQS", modo, exp, &firma, ahora),
            "other folio"
        );
        assert!(
            !e.validar_enlace(&folio, Modo::Ver, exp, &firma, ahora),
            "other mode"
        );
        assert!(
            !e.validar_enlace(&folio, modo, exp + 86400, &firma, ahora),
            "extended expiry"
        );
        assert!(
            !e.validar_enlace(&folio, modo, exp, "AAAA", ahora),
            "made-up signature"
        );
        assert!(
            !e.validar_enlace(&folio, modo, exp, "%%%", ahora),
            "not base64"
        );
        let otra_clave = Enlaces::new(&Sellador::aleatorio(), 3600);
        assert!(
            !otra_clave.validar_enlace(&folio, modo, exp, &firma, ahora),
            "other key"
        );
    }

    #[test]
    fn links_signed_before_a_rotation_work_until_they_expire() {
        let antes = Sellador::aleatorio();
        let despues = antes.rotado();
        let ahora = 1_800_000_000;
        let viejo = Enlaces::new(&antes, 3600).enlace("CN-ABCDE-FGHJK-MNPQR", Modo::Ver, ahora);
        let (folio, _, exp, firma) = partes(&viejo);
        let e = Enlaces::new(&despues, 3600);
        assert!(e.validar_enlace(&folio, Modo::Ver, exp, &firma, ahora));
        assert!(
            !e.validar_enlace(&folio, Modo::Ver, exp, &firma, exp + 1),
            "expired"
        );
        assert!(!e.validar_enlace(&folio, Modo::Descargar, exp, &firma, ahora));
        // New links are signed with the new key: the old set does not know them.
        let nuevo = e.enlace(&folio, Modo::Ver, ahora);
        let (_, _, exp, firma) = partes(&nuevo);
        assert!(!Enlaces::new(&antes, 3600).validar_enlace(&folio, Modo::Ver, exp, &firma, ahora));
        assert!(Enlaces::new(&despues, 3600).validar_enlace(&folio, Modo::Ver, exp, &firma, ahora));
    }
}
