//! The whole NSS trámite: what was typed and what the server answered, shared by its pages and kept in
//! sessionStorage so a reload loses nothing (never the CAPTCHA answer; cleared on "Finalizar trámite").

use super::domicilio::DatosDomicilio;
use super::inicio::DatosInicio;
use afiliate_domain::api::{Documento, ResultadoAsignacion, ResultadoSolicitud, UmfResumen};
use serde::{Deserialize, Serialize};

/// The sessionStorage key.
pub const CLAVE_STORAGE: &str = "afiliate.tramite.nss";

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tramite {
    pub inicio: DatosInicio,
    /// The answer to step 1.
    pub solicitud: Option<ResultadoSolicitud>,
    pub domicilio: DatosDomicilio,
    /// The address was typed by hand (the code is not in the catalog).
    #[serde(default)]
    pub domicilio_manual: bool,
    /// The answer to the assignment.
    pub asignacion: Option<ResultadoAsignacion>,
}

/// The final screen's data: the NSS (located or assigned) and its documents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resultado {
    /// `true` when assigned now, `false` when located.
    pub asignado: bool,
    pub nss: String,
    pub nombre: String,
    pub curp: String,
    pub documentos: Vec<Documento>,
    /// Assigned now: the clinic of the address's postal code (`None`: no clinic serves it).
    pub umf: Option<UmfResumen>,
}

/// Persona data once step 1 answered "sin_nss".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SinNss {
    pub nombre: String,
    pub curp: String,
    pub token: String,
}

impl Tramite {
    /// The result to show, if the trámite got that far.
    pub fn resultado(&self) -> Option<Resultado> {
        if let Some(ResultadoAsignacion::Asignado {
            nss,
            nombre,
            curp,
            documentos,
            umf,
        }) = &self.asignacion
        {
            return Some(Resultado {
                asignado: true,
                nss: nss.clone(),
                nombre: nombre.clone(),
                curp: curp.clone(),
                documentos: documentos.clone(),
                umf: umf.clone(),
            });
        }
        match &self.solicitud {
            Some(ResultadoSolicitud::Localizado {
                nss,
                nombre,
                curp,
                documentos,
            }) => Some(Resultado {
                asignado: false,
                nss: nss.clone(),
                nombre: nombre.clone(),
                curp: curp.clone(),
                documentos: documentos.clone(),
                umf: None,
            }),
            _ => None,
        }
    }

    /// The person to assign an NSS to, when step 1 answered "sin_nss".
    pub fn sin_nss(&self) -> Option<SinNss> {
        match &self.solicitud {
            Some(ResultadoSolicitud::SinNss {
                nombre,
                curp,
                token,
            }) => Some(SinNss {
                nombre: nombre.clone(),
                curp: curp.clone(),
                token: token.clone(),
            }),
            _ => None,
        }
    }

    /// Reads the saved trámite (a default one when there is none or it cannot be read).
    pub fn cargar() -> Tramite {
        super::cargar(CLAVE_STORAGE)
    }

    /// Saves it (an empty trámite removes the key).
    pub fn guardar(&self) {
        super::guardar(CLAVE_STORAGE, self)
    }
}
