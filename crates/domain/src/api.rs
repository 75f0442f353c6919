//! The JSON API's request and response types, used by both the app and the server.
//!
//! Field names are Spanish and part of the public contract (the app, the tests and integrators rely on them):
//! never rename one without versioning the API.
//!
//! With the `utoipa` feature (the server only; never the wasm app) every type also derives `utoipa::ToSchema`, from
//! which the server generates its OpenAPI document: the schemas follow these serde attributes exactly.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `POST /api/captcha` → 201.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "utoipa",
    schema(
        description = "Reto CAPTCHA creado: su `id` y las direcciones de su imagen y su audio."
    )
)]
pub struct CaptchaCreado {
    pub id: String,
    pub imagen_url: String,
    /// The same challenge spoken (WAV), for people who cannot see the image.
    pub audio_url: String,
}

/// `POST /api/nss/solicitudes`: locate the NSS of a CURP, or learn that one will be assigned.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "utoipa",
    schema(description = "Solicitud de localización del NSS de una CURP.")
)]
pub struct SolicitudNss {
    pub curp: String,
    pub correo: String,
    pub confirmacion_correo: String,
    pub captcha_id: String,
    pub captcha_respuesta: String,
}

/// One document issued to the student (the comprobante, the tarjeta, later the constancia).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "utoipa",
    schema(description = "Un documento emitido al estudiante (comprobante o tarjeta del NSS).")
)]
pub struct Documento {
    pub folio: String,
    /// dd/mm/aaaa
    pub fecha: String,
    /// The document's Spanish name, e.g. "Número de Seguridad Social".
    pub documento: String,
    /// Opens the PDF inline (print). Unguessable, expires.
    pub ver_url: String,
    /// Downloads the PDF as an attachment. Unguessable, expires.
    pub descargar_url: String,
}

/// The answer to a [`SolicitudNss`]: `{"resultado": "localizado", …}` or `{"resultado": "sin_nss", …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "utoipa",
    schema(
        description = "Respuesta a una solicitud: `localizado` (ya tiene NSS) o `sin_nss` (se le asignará uno con el `token`)."
    )
)]
#[serde(tag = "resultado", rename_all = "snake_case")]
pub enum ResultadoSolicitud {
    /// The person already has an NSS.
    Localizado {
        nss: String,
        nombre: String,
        curp: String,
        documentos: Vec<Documento>,
    },
    /// No NSS yet: the token (short-lived, one person) continues to the address and the assignment.
    SinNss {
        nombre: String,
        curp: String,
        token: String,
    },
}

/// The student's address for an assignment.
///
/// When the postal code is in the catalog, `colonia` must be one of its asentamientos and `estado`/`municipio`
/// are ignored; when it is not, `estado`, `municipio` and a free-text `colonia` are required.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "utoipa",
    schema(
        description = "Domicilio del estudiante. Si el código postal está en el catálogo, `colonia` debe ser uno de sus \
                       asentamientos y `estado`/`municipio` se ignoran; si no está, `estado`, `municipio` y `colonia` \
                       (texto libre) son obligatorios."
    )
)]
pub struct Domicilio {
    pub codigo_postal: String,
    pub colonia: String,
    pub calle: String,
    pub numero_exterior: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numero_interior: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estado: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipio: Option<String>,
}

/// `POST /api/nss/asignaciones`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "utoipa",
    schema(description = "Asignación de un NSS: el `token` de la solicitud y el domicilio.")
)]
pub struct AsignacionNss {
    pub token: String,
    pub domicilio: Domicilio,
}

/// The answer to an [`AsignacionNss`]: `{"resultado": "asignado", …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "utoipa",
    schema(description = "Respuesta a una asignación: `asignado`, con el NSS y sus documentos.")
)]
#[serde(tag = "resultado", rename_all = "snake_case")]
pub enum ResultadoAsignacion {
    Asignado {
        nss: String,
        nombre: String,
        curp: String,
        documentos: Vec<Documento>,
    },
}

/// One settlement (colonia, fraccionamiento, barrio…) of a postal code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "utoipa",
    schema(
        description = "Un asentamiento (colonia, fraccionamiento, barrio…) de un código postal."
    )
)]
pub struct Asentamiento {
    pub nombre: String,
    pub tipo: String,
}

/// `GET /api/cp/{cp}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "utoipa",
    schema(description = "Un código postal del catálogo de SEPOMEX.")
)]
pub struct CodigoPostal {
    pub codigo_postal: String,
    pub estado: String,
    pub municipio: String,
    pub ciudad: String,
    pub asentamientos: Vec<Asentamiento>,
}

/// A short confirmation, e.g. the answer to `POST /api/documentos/{folio}/reenvios`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "utoipa", schema(description = "Una confirmación breve."))]
pub struct Mensaje {
    pub mensaje: String,
}

/// Every API error: an RFC 9457 `application/problem+json` body with the Spanish messages of each field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "utoipa",
    schema(
        description = "Todo error de la API: `application/problem+json` (RFC 9457) con los mensajes en español de cada campo en `errores`."
    )
)]
pub struct Problema {
    /// A URI naming the kind of error, e.g. `/problemas/captcha-invalido`.
    #[serde(rename = "type")]
    pub tipo: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Field name (as in the request, e.g. `curp`, `domicilio.codigo_postal`) → its Spanish messages.
    /// The server always sends it (empty when no field is at fault).
    #[serde(default)]
    #[cfg_attr(feature = "utoipa", schema(required))]
    pub errores: BTreeMap<String, Vec<String>>,
}

/// `GET /api/verificacion/{folio}`: whether a document is authentic (its sello digital verifies against its cadena
/// original) and what it certifies. Personal data is partly masked: whoever scans the QR learns no more than the
/// printed document shows. An unknown folio answers 404 (a [`Problema`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "utoipa",
    schema(
        description = "Si un documento es auténtico (su sello digital corresponde a su cadena original) y qué certifica. Los datos personales vienen enmascarados."
    )
)]
pub struct Verificacion {
    pub folio: String,
    /// `true` when the seal verifies.
    pub autentico: bool,
    /// The document's Spanish name, e.g. "Número de Seguridad Social".
    pub documento: String,
    /// What the document certifies, one Spanish sentence.
    pub certifica: String,
    /// Issue date, dd/mm/aaaa.
    pub fecha: String,
    /// Partly masked, e.g. "Ma*** Pe** Nú***".
    pub nombre: String,
    /// Partly masked, e.g. "PEÑM**************".
    pub curp: String,
    /// Partly masked, e.g. "*******8901".
    pub nss: String,
    /// A sentence for the page, e.g. "El documento es auténtico: …".
    pub mensaje: String,
}
