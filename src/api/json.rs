//! JSON without serde_json (it and serde's generated code cost about a tenth of the wasm): the browser's own
//! `JSON.parse`/`JSON.stringify`, and [`Json`] for the few types the app sends, receives or keeps in
//! sessionStorage. Decoding is strict like serde's: a missing field or a field of the wrong type makes the whole
//! value `None` (the API client then reports a server error).

use afiliate_domain::api::{
    AsignacionNss, CaptchaCreado, Documento, Mensaje, Problema, ResultadoAsignacion,
    ResultadoSolicitud, SolicitudNss, Verificacion,
};
use js_sys::{Array, Object, Reflect, JSON};
use std::collections::BTreeMap;
use wasm_bindgen::{JsCast, JsValue};

/// A type the app reads from or writes to JSON (field names as the server's serde names them).
pub trait Json: Sized {
    fn desde(v: &JsValue) -> Option<Self>;
    fn a_json(&self) -> JsValue;
}

/// Parses a JSON text (`None` when it is not JSON).
pub fn parse(texto: &str) -> Option<JsValue> {
    JSON::parse(texto).ok()
}

/// A value as JSON text.
pub fn stringify(v: &JsValue) -> String {
    JSON::stringify(v)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

/// Decodes a JSON text into `T`.
pub fn leer<T: Json>(texto: &str) -> Option<T> {
    T::desde(&parse(texto)?)
}

/// A field of an object (`undefined` when missing or when `o` is not an object).
pub fn campo(o: &JsValue, k: &str) -> JsValue {
    if o.is_object() && !Array::is_array(o) {
        Reflect::get(o, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

pub fn texto(o: &JsValue, k: &str) -> Option<String> {
    campo(o, k).as_string()
}

pub fn booleano(o: &JsValue, k: &str) -> Option<bool> {
    campo(o, k).as_bool()
}

fn entero_u16(o: &JsValue, k: &str) -> Option<u16> {
    let n = campo(o, k).as_f64()?;
    (n.fract() == 0.0 && (0.0..=65535.0).contains(&n)).then_some(n as u16)
}

/// An optional field: missing or `null` is `Some(None)`; present but unreadable is `None`.
pub fn opcional<T: Json>(o: &JsValue, k: &str) -> Option<Option<T>> {
    let v = campo(o, k);
    if v.is_null() || v.is_undefined() {
        Some(None)
    } else {
        T::desde(&v).map(Some)
    }
}

fn lista<T>(v: &JsValue, f: impl Fn(&JsValue) -> Option<T>) -> Option<Vec<T>> {
    let a = v.dyn_ref::<Array>().filter(|_| Array::is_array(v))?;
    a.iter().map(|x| f(&x)).collect()
}

/// Builds a JSON object field by field (in order).
pub struct Objeto(Object);

impl Objeto {
    #[allow(clippy::new_without_default)]
    pub fn new() -> Objeto {
        Objeto(Object::new())
    }

    pub fn valor(self, k: &str, v: &JsValue) -> Objeto {
        let _ = Reflect::set(&self.0, &JsValue::from_str(k), v);
        self
    }

    pub fn texto(self, k: &str, v: &str) -> Objeto {
        self.valor(k, &JsValue::from_str(v))
    }

    /// A field only when there is a value (serde's `skip_serializing_if = "Option::is_none"`).
    fn quizas(self, k: &str, v: &Option<String>) -> Objeto {
        match v {
            Some(v) => self.texto(k, v),
            None => self,
        }
    }

    pub fn fin(self) -> JsValue {
        self.0.into()
    }
}

/// `null` or the value.
pub fn o_null<T: Json>(v: &Option<T>) -> JsValue {
    v.as_ref().map_or(JsValue::NULL, Json::a_json)
}

fn documentos(o: &JsValue) -> Option<Vec<Documento>> {
    lista(&campo(o, "documentos"), Documento::desde)
}

fn documentos_json(documentos: &[Documento]) -> JsValue {
    documentos
        .iter()
        .map(Json::a_json)
        .collect::<Array>()
        .into()
}

impl Json for CaptchaCreado {
    fn desde(v: &JsValue) -> Option<Self> {
        Some(CaptchaCreado {
            id: texto(v, "id")?,
            imagen_url: texto(v, "imagen_url")?,
            audio_url: texto(v, "audio_url")?,
        })
    }
    fn a_json(&self) -> JsValue {
        Objeto::new()
            .texto("id", &self.id)
            .texto("imagen_url", &self.imagen_url)
            .texto("audio_url", &self.audio_url)
            .fin()
    }
}

impl Json for SolicitudNss {
    fn desde(v: &JsValue) -> Option<Self> {
        Some(SolicitudNss {
            curp: texto(v, "curp")?,
            correo: texto(v, "correo")?,
            confirmacion_correo: texto(v, "confirmacion_correo")?,
            captcha_id: texto(v, "captcha_id")?,
            captcha_respuesta: texto(v, "captcha_respuesta")?,
        })
    }
    fn a_json(&self) -> JsValue {
        Objeto::new()
            .texto("curp", &self.curp)
            .texto("correo", &self.correo)
            .texto("confirmacion_correo", &self.confirmacion_correo)
            .texto("captcha_id", &self.captcha_id)
            .texto("captcha_respuesta", &self.captcha_respuesta)
            .fin()
    }
}

impl Json for Documento {
    fn desde(v: &JsValue) -> Option<Self> {
        Some(Documento {
            folio: texto(v, "folio")?,
            fecha: texto(v, "fecha")?,
            documento: texto(v, "documento")?,
            ver_url: texto(v, "ver_url")?,
            descargar_url: texto(v, "descargar_url")?,
        })
    }
    fn a_json(&self) -> JsValue {
        Objeto::new()
            .texto("folio", &self.folio)
            .texto("fecha", &self.fecha)
            .texto("documento", &self.documento)
            .texto("ver_url", &self.ver_url)
            .texto("descargar_url", &self.descargar_url)
            .fin()
    }
}

impl Json for ResultadoSolicitud {
    fn desde(v: &JsValue) -> Option<Self> {
        match texto(v, "resultado")?.as_str() {
            "localizado" => Some(ResultadoSolicitud::Localizado {
                nss: texto(v, "nss")?,
                nombre: texto(v, "nombre")?,
                curp: texto(v, "curp")?,
                documentos: documentos(v)?,
            }),
            "sin_nss" => Some(ResultadoSolicitud::SinNss {
                nombre: texto(v, "nombre")?,
                curp: texto(v, "curp")?,
                token: texto(v, "token")?,
            }),
            _ => None,
        }
    }
    fn a_json(&self) -> JsValue {
        match self {
            ResultadoSolicitud::Localizado {
                nss,
                nombre,
                curp,
                documentos,
            } => Objeto::new()
                .texto("resultado", "localizado")
                .texto("nss", nss)
                .texto("nombre", nombre)
                .texto("curp", curp)
                .valor("documentos", &documentos_json(documentos))
                .fin(),
            ResultadoSolicitud::SinNss {
                nombre,
                curp,
                token,
            } => Objeto::new()
                .texto("resultado", "sin_nss")
                .texto("nombre", nombre)
                .texto("curp", curp)
                .texto("token", token)
                .fin(),
        }
    }
}

impl Json for ResultadoAsignacion {
    fn desde(v: &JsValue) -> Option<Self> {
        match texto(v, "resultado")?.as_str() {
            "asignado" => Some(ResultadoAsignacion::Asignado {
                nss: texto(v, "nss")?,
                nombre: texto(v, "nombre")?,
                curp: texto(v, "curp")?,
                documentos: documentos(v)?,
            }),
            _ => None,
        }
    }
    fn a_json(&self) -> JsValue {
        let ResultadoAsignacion::Asignado {
            nss,
            nombre,
            curp,
            documentos,
        } = self;
        Objeto::new()
            .texto("resultado", "asignado")
            .texto("nss", nss)
            .texto("nombre", nombre)
            .texto("curp", curp)
            .valor("documentos", &documentos_json(documentos))
            .fin()
    }
}

impl Json for AsignacionNss {
    fn desde(v: &JsValue) -> Option<Self> {
        let d = campo(v, "domicilio");
        let opcional_texto = |k: &str| -> Option<Option<String>> {
            let x = campo(&d, k);
            if x.is_null() || x.is_undefined() {
                Some(None)
            } else {
                x.as_string().map(Some)
            }
        };
        Some(AsignacionNss {
            token: texto(v, "token")?,
            domicilio: afiliate_domain::api::Domicilio {
                codigo_postal: texto(&d, "codigo_postal")?,
                colonia: texto(&d, "colonia")?,
                calle: texto(&d, "calle")?,
                numero_exterior: texto(&d, "numero_exterior")?,
                numero_interior: opcional_texto("numero_interior")?,
                estado: opcional_texto("estado")?,
                municipio: opcional_texto("municipio")?,
            },
        })
    }
    fn a_json(&self) -> JsValue {
        let d = &self.domicilio;
        let domicilio = Objeto::new()
            .texto("codigo_postal", &d.codigo_postal)
            .texto("colonia", &d.colonia)
            .texto("calle", &d.calle)
            .texto("numero_exterior", &d.numero_exterior)
            .quizas("numero_interior", &d.numero_interior)
            .quizas("estado", &d.estado)
            .quizas("municipio", &d.municipio)
            .fin();
        Objeto::new()
            .texto("token", &self.token)
            .valor("domicilio", &domicilio)
            .fin()
    }
}

impl Json for Mensaje {
    fn desde(v: &JsValue) -> Option<Self> {
        Some(Mensaje {
            mensaje: texto(v, "mensaje")?,
        })
    }
    fn a_json(&self) -> JsValue {
        Objeto::new().texto("mensaje", &self.mensaje).fin()
    }
}

impl Json for Problema {
    fn desde(v: &JsValue) -> Option<Self> {
        let e = campo(v, "errores");
        let mut errores = BTreeMap::new();
        if !e.is_undefined() {
            if !e.is_object() || Array::is_array(&e) {
                return None;
            }
            for clave in Object::keys(e.unchecked_ref::<Object>()).iter() {
                let clave = clave.as_string()?;
                let mensajes = lista(&campo(&e, &clave), JsValue::as_string)?;
                errores.insert(clave, mensajes);
            }
        }
        Some(Problema {
            tipo: texto(v, "type")?,
            title: texto(v, "title")?,
            status: entero_u16(v, "status")?,
            detail: texto(v, "detail")?,
            errores,
        })
    }
    fn a_json(&self) -> JsValue {
        let errores = Objeto(Object::new());
        let errores = self.errores.iter().fold(errores, |o, (k, mensajes)| {
            let lista: Array = mensajes.iter().map(|m| JsValue::from_str(m)).collect();
            o.valor(k, &lista)
        });
        Objeto::new()
            .texto("type", &self.tipo)
            .texto("title", &self.title)
            .valor("status", &JsValue::from_f64(f64::from(self.status)))
            .texto("detail", &self.detail)
            .valor("errores", &errores.fin())
            .fin()
    }
}

impl Json for Verificacion {
    fn desde(v: &JsValue) -> Option<Self> {
        Some(Verificacion {
            folio: texto(v, "folio")?,
            autentico: booleano(v, "autentico")?,
            documento: texto(v, "documento")?,
            certifica: texto(v, "certifica")?,
            fecha: texto(v, "fecha")?,
            nombre: texto(v, "nombre")?,
            curp: texto(v, "curp")?,
            nss: texto(v, "nss")?,
            mensaje: texto(v, "mensaje")?,
        })
    }
    fn a_json(&self) -> JsValue {
        Objeto::new()
            .texto("folio", &self.folio)
            .valor("autentico", &JsValue::from_bool(self.autentico))
            .texto("documento", &self.documento)
            .texto("certifica", &self.certifica)
            .texto("fecha", &self.fecha)
            .texto("nombre", &self.nombre)
            .texto("curp", &self.curp)
            .texto("nss", &self.nss)
            .texto("mensaje", &self.mensaje)
            .fin()
    }
}
