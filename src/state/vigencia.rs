//! Paso 2's constancia de vigencia de derechos (CURP, NSS, correo, confirmación, CAPTCHA) and Paso 3's postal
//! code, kept in sessionStorage like the NSS trámite (never the CAPTCHA answer).

use super::errores::{Campo, Errores};
use super::inicio::{DatosInicio, CAPTCHA, CONFIRMACION, CORREO, CURP};
use super::tramite::Tramite;
use afiliate_domain::api::{ResultadoVigencia, SolicitudVigencia};
use afiliate_domain::{ErrorDeDominio, Nss};
use serde::{Deserialize, Serialize};

/// The sessionStorage key.
pub const CLAVE_STORAGE: &str = "afiliate.pasos";

pub const NSS: Campo = Campo {
    clave: "nss",
    id: "afi-nss",
};

/// The constancia form's fields in form order.
pub const CAMPOS: [Campo; 5] = [CURP, NSS, CORREO, CONFIRMACION, CAPTCHA];

/// Paso 3's only field.
pub const CODIGO_POSTAL: Campo = Campo {
    clave: "cp",
    id: "afi-cp-umf",
};

/// What the student typed for the constancia.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatosVigencia {
    /// CURP, correo and confirmación: the same rules as Paso 1.
    pub persona: DatosInicio,
    pub nss: String,
}

impl DatosVigencia {
    /// Every rule, as on submit (`captcha`: the typed answer).
    pub fn validate(&self, captcha: &str) -> Errores {
        let mut errores = self.persona.validate(captcha);
        if let Some(m) = self.validate_nss() {
            errores.set(NSS, m);
        }
        errores.ordenar(&CAMPOS);
        errores
    }

    fn validate_nss(&self) -> Option<&'static str> {
        Nss::parse(&self.nss).err().map(|e| e.message())
    }

    /// The format check of one field as it loses focus (`None` when fine or still empty).
    pub fn validate_field(&self, campo: Campo) -> Option<&'static str> {
        match campo.clave {
            "nss" if !self.nss.trim().is_empty() => self.validate_nss(),
            "nss" => None,
            _ => self.persona.validate_field(campo),
        }
    }

    /// Sets one field's value.
    pub fn set(&mut self, campo: Campo, valor: String) {
        match campo.clave {
            "nss" => self.nss = valor,
            _ => self.persona.set(campo, valor),
        }
    }

    /// The request, normalised like Paso 1's (the NSS without spaces or hyphens).
    pub fn solicitud(&self, captcha_id: &str, captcha: &str) -> SolicitudVigencia {
        let persona = self.persona.solicitud(captcha_id, captcha);
        SolicitudVigencia {
            curp: persona.curp,
            nss: self.nss.chars().filter(char::is_ascii_digit).collect(),
            correo: persona.correo,
            confirmacion_correo: persona.confirmacion_correo,
            captcha_id: persona.captcha_id,
            captcha_respuesta: persona.captcha_respuesta,
        }
    }
}

/// Pasos 2 and 3: the constancia's form and answer, and the postal code of the clinic search.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pasos {
    pub vigencia: DatosVigencia,
    pub resultado: Option<ResultadoVigencia>,
    /// Paso 3's postal code (from Paso 1's address when known).
    #[serde(default)]
    pub codigo_postal: String,
}

impl Pasos {
    /// Reads the saved state (a default one when there is none or it cannot be read).
    pub fn cargar() -> Pasos {
        super::cargar(CLAVE_STORAGE)
    }

    /// Saves it (an empty state removes the key).
    pub fn guardar(&self) {
        super::guardar(CLAVE_STORAGE, self)
    }

    /// Carries Paso 1's answers over: CURP, NSS and correo for the constancia, the postal code for the
    /// clinic. Only empty fields are filled (what the student typed here wins), and only with a result.
    pub fn desde_tramite(&mut self, tramite: &Tramite) {
        let Some(r) = tramite.resultado() else { return };
        let v = &mut self.vigencia;
        if v.persona.curp.is_empty() {
            v.persona.curp = r.curp;
        }
        if v.nss.is_empty() {
            v.nss = r.nss;
        }
        let correo = tramite.inicio.correo.trim().to_ascii_lowercase();
        if v.persona.correo.is_empty() && v.persona.confirmacion.is_empty() {
            v.persona.correo = correo.clone();
            v.persona.confirmacion = correo;
        }
        if self.codigo_postal.is_empty() {
            self.codigo_postal = tramite.domicilio.codigo_postal.trim().to_string();
        }
    }
}
