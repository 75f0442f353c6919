//! The "Iniciar trámite" form: CURP, correo, confirmación and the CAPTCHA answer.

use super::errores::{Campo, Errores};
use afiliate_domain::api::SolicitudNss;
use afiliate_domain::{email, Curp, Email, ErrorDeDominio};
use serde::{Deserialize, Serialize};

pub const CURP: Campo = Campo {
    clave: "curp",
    id: "afi-curp",
};
pub const CORREO: Campo = Campo {
    clave: "correo",
    id: "afi-correo",
};
pub const CONFIRMACION: Campo = Campo {
    clave: "confirmacion_correo",
    id: "afi-confirmacion",
};
pub const CAPTCHA: Campo = Campo {
    clave: "captcha_respuesta",
    id: "afi-captcha",
};

/// The fields in form order.
pub const CAMPOS: [Campo; 4] = [CURP, CORREO, CONFIRMACION, CAPTCHA];

const FALTA_CONFIRMACION: &str = "Confirma tu correo electrónico.";
const FALTA_CAPTCHA: &str = "Escribe los caracteres de la imagen.";

/// What the student typed (kept across reloads; the CAPTCHA answer is not part of it and never stored).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatosInicio {
    pub curp: String,
    pub correo: String,
    pub confirmacion: String,
}

impl DatosInicio {
    /// Every rule, as on submit. `captcha` is the typed CAPTCHA answer.
    pub fn validate(&self, captcha: &str) -> Errores {
        let mut errores = Errores::new();
        if let Err(e) = Curp::parse(&self.curp) {
            errores.set(CURP, e.message());
        }
        let correo = Email::parse(&self.correo);
        if let Err(e) = &correo {
            errores.set(CORREO, e.message());
        }
        if self.confirmacion.trim().is_empty() {
            errores.set(CONFIRMACION, FALTA_CONFIRMACION);
        } else if correo.is_ok() {
            if let Err(e) = email::confirmar(&self.correo, &self.confirmacion) {
                errores.set(CONFIRMACION, e.message());
            }
        }
        if captcha.trim().is_empty() {
            errores.set(CAPTCHA, FALTA_CAPTCHA);
        }
        errores
    }

    /// The format check of one field as it loses focus: `None` when fine or still empty (empty fields are
    /// only reported on submit).
    pub fn validate_field(&self, campo: Campo) -> Option<&'static str> {
        match campo.clave {
            "curp" if !self.curp.trim().is_empty() => {
                Curp::parse(&self.curp).err().map(|e| e.message())
            }
            "correo" if !self.correo.trim().is_empty() => {
                Email::parse(&self.correo).err().map(|e| e.message())
            }
            "confirmacion_correo"
                if !self.confirmacion.trim().is_empty() && Email::parse(&self.correo).is_ok() =>
            {
                email::confirmar(&self.correo, &self.confirmacion)
                    .err()
                    .map(|e| e.message())
            }
            _ => None,
        }
    }

    /// Sets one field's value (what the student typed).
    pub fn set(&mut self, campo: Campo, valor: String) {
        match campo.clave {
            "curp" => self.curp = valor,
            "correo" => self.correo = valor,
            "confirmacion_correo" => self.confirmacion = valor,
            _ => {}
        }
    }

    /// "¿Quisiste decir …?" for a likely typo in the e-mail's domain.
    pub fn sugerencia_correo(&self) -> Option<String> {
        email::sugerencia(self.correo.trim())
    }

    /// The request, normalised (CURP upper-cased without separators, e-mails trimmed and lower-cased).
    pub fn solicitud(&self, captcha_id: &str, captcha: &str) -> SolicitudNss {
        SolicitudNss {
            curp: Curp::normalize(&self.curp),
            correo: self.correo.trim().to_ascii_lowercase(),
            confirmacion_correo: self.confirmacion.trim().to_ascii_lowercase(),
            captcha_id: captcha_id.to_string(),
            captcha_respuesta: captcha.trim().to_string(),
        }
    }
}
