//! The whole NSS trámite: what was typed and what the server answered, shared by its pages and kept in
//! sessionStorage so a reload loses nothing (never the CAPTCHA answer; cleared on "Finalizar trámite").

use super::domicilio::DatosDomicilio;
use super::inicio::DatosInicio;
use crate::api::json::{self, booleano, campo, opcional, texto, Json, Objeto};
use afiliate_domain::api::{Documento, ResultadoAsignacion, ResultadoSolicitud};
use wasm_bindgen::JsValue;

/// The sessionStorage key.
pub const CLAVE_STORAGE: &str = "afiliate.tramite.nss";

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tramite {
    pub inicio: DatosInicio,
    /// The answer to step 1.
    pub solicitud: Option<ResultadoSolicitud>,
    pub domicilio: DatosDomicilio,
    /// The address was typed by hand (the code is not in the catalog).
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
        }) = &self.asignacion
        {
            return Some(Resultado {
                asignado: true,
                nss: nss.clone(),
                nombre: nombre.clone(),
                curp: curp.clone(),
                documentos: documentos.clone(),
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
        storage()
            .and_then(|s| s.get_item(CLAVE_STORAGE).ok().flatten())
            .and_then(|texto| json::leer(&texto))
            .unwrap_or_default()
    }

    /// Saves it (an empty trámite removes the key).
    pub fn guardar(&self) {
        let Some(storage) = storage() else { return };
        if *self == Tramite::default() {
            let _ = storage.remove_item(CLAVE_STORAGE);
        } else {
            let _ = storage.set_item(CLAVE_STORAGE, &json::stringify(&self.a_json()));
        }
    }
}

/// Stored as `{"inicio": {…}, "solicitud": null | {…}, "domicilio": {…}, "domicilio_manual": false,
/// "asignacion": null | {…}}` (the API's own field names).
impl Json for Tramite {
    fn desde(v: &JsValue) -> Option<Self> {
        let i = campo(v, "inicio");
        let d = campo(v, "domicilio");
        Some(Tramite {
            inicio: DatosInicio {
                curp: texto(&i, "curp")?,
                correo: texto(&i, "correo")?,
                confirmacion: texto(&i, "confirmacion")?,
            },
            solicitud: opcional(v, "solicitud")?,
            domicilio: DatosDomicilio {
                codigo_postal: texto(&d, "codigo_postal")?,
                colonia: texto(&d, "colonia")?,
                calle: texto(&d, "calle")?,
                numero_exterior: texto(&d, "numero_exterior")?,
                numero_interior: texto(&d, "numero_interior")?,
                estado: texto(&d, "estado")?,
                municipio: texto(&d, "municipio")?,
            },
            domicilio_manual: booleano(v, "domicilio_manual").unwrap_or(false),
            asignacion: opcional(v, "asignacion")?,
        })
    }

    fn a_json(&self) -> JsValue {
        let i = &self.inicio;
        let d = &self.domicilio;
        Objeto::new()
            .valor(
                "inicio",
                &Objeto::new()
                    .texto("curp", &i.curp)
                    .texto("correo", &i.correo)
                    .texto("confirmacion", &i.confirmacion)
                    .fin(),
            )
            .valor("solicitud", &json::o_null(&self.solicitud))
            .valor(
                "domicilio",
                &Objeto::new()
                    .texto("codigo_postal", &d.codigo_postal)
                    .texto("colonia", &d.colonia)
                    .texto("calle", &d.calle)
                    .texto("numero_exterior", &d.numero_exterior)
                    .texto("numero_interior", &d.numero_interior)
                    .texto("estado", &d.estado)
                    .texto("municipio", &d.municipio)
                    .fin(),
            )
            .valor(
                "domicilio_manual",
                &JsValue::from_bool(self.domicilio_manual),
            )
            .valor("asignacion", &json::o_null(&self.asignacion))
            .fin()
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}
