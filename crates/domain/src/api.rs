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
        description = "Respuesta a una solicitud: `localizado` (ya tiene NSS), `sin_nss` (se le asignará uno con el `token`) o, cuando el servidor confirma el correo, `revisa_tu_correo` (el resultado se abre desde el enlace enviado a `correo`, con `POST /api/nss/confirmaciones`)."
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
    /// The server confirms e-mail addresses: the result opens from the single-use link sent to `correo`
    /// ([`ConfirmacionCorreo`]), valid that day.
    RevisaTuCorreo { correo: String },
}

/// `POST /api/nss/confirmaciones`: the token of the link sent by e-mail (single use, valid the day it was sent).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "utoipa",
    schema(
        description = "El `token` del enlace que se envió por correo (se usa una vez, vale el día en que se envió)."
    )
)]
pub struct ConfirmacionCorreo {
    pub token: String,
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
        /// The family-medicine clinic recorded for the address's postal code; `null` when no UMF serves it (the
        /// app then says so with [`mensaje_sin_umf`]).
        #[serde(default)]
        umf: Option<UmfResumen>,
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
    /// The id of the key that sealed the document (12 hex digits, as printed beside the seal on the PDF); empty
    /// for documents sealed before keys had ids.
    #[serde(default)]
    pub clave: String,
    /// A sentence for the page, e.g. "El documento es auténtico: …".
    pub mensaje: String,
}

/// "El Código Postal {cp} no se encuentra relacionado a ninguna Unidad Médica Familiar (UMF)." (the real
/// service's words), for a postal code no clinic of the catalog serves.
pub fn mensaje_sin_umf(codigo_postal: &str) -> String {
    [
        "El Código Postal ",
        codigo_postal,
        " no se encuentra relacionado a ninguna Unidad Médica Familiar (UMF).",
    ]
    .concat()
}

/// A family-medicine clinic (Unidad de Medicina Familiar) as the constancia and the assignment name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "utoipa",
    schema(description = "La Unidad de Medicina Familiar (UMF) que corresponde al estudiante.")
)]
pub struct UmfResumen {
    /// e.g. "UMF-09-021" (the catalog's own key).
    pub clave: String,
    pub nombre: String,
    /// One line: street, number, colonia, postal code, municipio, estado.
    pub domicilio: String,
}

/// One clinic of the catalog, with what a student needs to go there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "utoipa",
    schema(
        description = "Una Unidad de Medicina Familiar del catálogo: domicilio, teléfono y horario."
    )
)]
pub struct Umf {
    pub clave: String,
    pub nombre: String,
    pub domicilio: String,
    pub telefono: String,
    /// e.g. "Lunes a viernes de 8:00 a 20:00 h".
    pub horario: String,
}

/// `GET /api/umf?cp={codigo_postal}` → 200: the clinics that serve a postal code (at least one; a code no clinic
/// serves answers 404 with a [`Problema`] whose `detail` is [`mensaje_sin_umf`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "utoipa",
    schema(description = "Las Unidades de Medicina Familiar que atienden un código postal.")
)]
pub struct UmfDeCodigoPostal {
    pub codigo_postal: String,
    pub umf: Vec<Umf>,
}

/// `POST /api/vigencia/solicitudes`: the constancia de vigencia de derechos (IMSS-02-020-B). Same CAPTCHA, daily
/// limits and rate limits as [`SolicitudNss`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "utoipa",
    schema(
        description = "Solicitud de la constancia de vigencia de derechos: CURP, NSS, correo y CAPTCHA."
    )
)]
pub struct SolicitudVigencia {
    pub curp: String,
    pub nss: String,
    pub correo: String,
    pub confirmacion_correo: String,
    pub captcha_id: String,
    pub captcha_respuesta: String,
}

/// Whether the student has the right to medical service today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EstadoVigencia {
    /// SÍ on the constancia: enrolled by a school, today within the enrolment's period.
    Vigente,
    /// NO on the constancia (see [`MotivoSinDerecho`]).
    SinDerecho,
}

/// Why a student has no right today, so the app can say what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MotivoSinDerecho {
    /// No school has enrolled this NSS yet: ask the school's servicios escolares to enrol you with your NSS.
    SinInscripcion,
    /// The school sent a baja (the student left, or the school ended the enrolment).
    BajaEscolar,
    /// The enrolment's period ended and the school has not renewed it.
    PeriodoVencido,
}

/// The school that enrolled the student, and the registro patronal under which it did (seguro facultativo).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "utoipa",
    schema(description = "La escuela que inscribió al estudiante y su registro patronal.")
)]
pub struct EscuelaResumen {
    /// Clave de centro de trabajo, e.g. "09DCT0001Z".
    pub cct: String,
    pub nombre: String,
    pub registro_patronal: String,
}

/// The answer to a [`SolicitudVigencia`] (these names are public: the app, the tests and integrators rely on them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "utoipa",
    schema(
        description = "Respuesta a una solicitud de constancia de vigencia: `vigente` (SÍ tiene derecho al servicio médico) o `sin_derecho` (NO), con la escuela, la UMF, el periodo y la constancia."
    )
)]
pub struct ResultadoVigencia {
    pub resultado: EstadoVigencia,
    /// Only with `sin_derecho`: why, so the student knows what to do. `null` with `vigente`.
    #[serde(default)]
    pub motivo: Option<MotivoSinDerecho>,
    pub nombre: String,
    pub curp: String,
    pub nss: String,
    /// e.g. "Estudiante (seguro facultativo, modalidad 32)".
    pub tipo_asegurado: String,
    /// The school of the newest enrolment; `null` when none ever enrolled the student.
    pub escuela: Option<EscuelaResumen>,
    /// `null` when the student's postal code has no clinic in the catalog (or is not known).
    pub umf: Option<UmfResumen>,
    /// dd/mm/aaaa; `null` when never enrolled.
    pub vigente_desde: Option<String>,
    /// dd/mm/aaaa; `null` when never enrolled.
    pub vigente_hasta: Option<String>,
    /// The constancia (one entry, same shape as the NSS documents).
    pub documentos: Vec<Documento>,
}

/// What happened to one row of a school's enrolment file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ResultadoRenglon {
    /// Recorded: a new alta or baja, or a change to one.
    Aceptado,
    /// Already recorded exactly so (the same file sent again): nothing changed.
    SinCambios,
    /// Not recorded; `motivo` says why.
    Rechazado,
}

/// One row of the enrolment report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "utoipa",
    schema(
        description = "Un renglón del archivo: su número de línea, la CURP enviada y qué pasó con él."
    )
)]
pub struct RenglonInscripcion {
    /// The line of the CSV file where the row starts (the header is line 1).
    pub linea: u32,
    /// The CURP as the file has it (at most 40 characters), so the school can find the row.
    pub curp: String,
    pub resultado: ResultadoRenglon,
    /// Spanish: why the row was rejected, or a note on an unchanged one; `null` otherwise.
    #[serde(default)]
    pub motivo: Option<String>,
}

/// `POST /api/escuelas/{cct}/inscripciones` and `…/bajas` → 200: a report of every row. Good rows are kept when
/// others fail; sending the same file again changes nothing (every row `sin_cambios`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "utoipa",
    schema(
        description = "Reporte de un archivo de altas o bajas: cuántos renglones se aceptaron, cuántos ya estaban y \
                       cuáles se rechazaron, con su línea y el motivo."
    )
)]
pub struct ReporteInscripciones {
    pub cct: String,
    /// Rows read (the header and blank lines not counted).
    pub renglones: u32,
    pub aceptados: u32,
    pub sin_cambios: u32,
    pub rechazados: u32,
    /// Every row, in the file's order.
    pub detalle: Vec<RenglonInscripcion>,
}
