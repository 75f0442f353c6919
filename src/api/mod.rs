//! The only module that knows URLs and HTTP.
//!
//! Pages call [`backend()`], which answers through a [`Backend`]: [`HttpBackend`] talks to the real server; a
//! designer preview (or a test) installs its own mock with [`install`] before mounting the app.

use afiliate_domain::api::{
    AsignacionNss, CaptchaCreado, ConfirmacionCorreo, Mensaje, Problema, ResultadoAsignacion,
    ResultadoSolicitud, ResultadoVigencia, SolicitudNss, SolicitudVigencia, UmfDeCodigoPostal,
    Verificacion,
};
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

mod http;

pub use http::HttpBackend;

/// Why a call failed. Every variant has a way forward in the UI.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// The request never got an answer (no network, server unreachable): retry keeping what was typed.
    SinConexion,
    /// The server answered `application/problem+json`: field errors (`errores`) or one message (`detail`).
    Problema(Problema),
    /// The server failed without a usable explanation (5xx, or an answer the app cannot read).
    Servidor(u16),
}

impl ApiError {
    /// The Spanish text for the whole failure (field errors are shown beside their fields).
    pub fn mensaje(&self) -> &str {
        match self {
            ApiError::SinConexion => {
                "No hay conexión con el servidor. Revisa tu conexión a internet e inténtalo de nuevo: lo que escribiste se conserva."
            }
            ApiError::Problema(p) if !p.detail.is_empty() => &p.detail,
            ApiError::Problema(p) if !p.title.is_empty() => &p.title,
            _ => "Ocurrió un error en el servidor. Inténtalo de nuevo en unos minutos.",
        }
    }

    /// The problem's field errors, if any (field name as in the request → messages).
    pub fn errores(&self) -> Option<&std::collections::BTreeMap<String, Vec<String>>> {
        match self {
            ApiError::Problema(p) if !p.errores.is_empty() => Some(&p.errores),
            _ => None,
        }
    }

    /// The problem's `type` ("" when not a problem).
    pub fn tipo(&self) -> &str {
        match self {
            ApiError::Problema(p) => &p.tipo,
            _ => "",
        }
    }
}

/// A boxed future of an API answer (the app is single-threaded wasm: no `Send`).
pub type Respuesta<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

/// Everything the app asks the server. One method per endpoint.
pub trait Backend {
    /// `POST /api/captcha`: a new CAPTCHA challenge.
    fn nuevo_captcha(&self) -> Respuesta<CaptchaCreado>;
    /// `POST /api/nss/solicitudes`: locate the NSS of a CURP, or learn it will be assigned.
    fn solicitar_nss(&self, solicitud: SolicitudNss) -> Respuesta<ResultadoSolicitud>;
    /// `POST /api/nss/confirmaciones`: open a solicitud's result with the token of the link sent by e-mail.
    fn confirmar_correo(&self, confirmacion: ConfirmacionCorreo) -> Respuesta<ResultadoSolicitud>;
    /// `POST /api/nss/asignaciones`: assign an NSS with the address.
    fn asignar_nss(&self, asignacion: AsignacionNss) -> Respuesta<ResultadoAsignacion>;
    /// `GET /catalogo/cp/{archivo}`: a static postal-code shard (text; parsed with `postal::lookup_in_shard`).
    fn shard_cp(&self, archivo: String) -> Respuesta<String>;
    /// `POST /api/documentos/{folio}/reenvios`: e-mail a document again.
    fn reenviar_documento(&self, folio: String) -> Respuesta<Mensaje>;
    /// `GET /api/verificacion/{folio}`: is a document authentic?
    fn verificacion(&self, folio: String) -> Respuesta<Verificacion>;
    /// `POST /api/vigencia/solicitudes`: the constancia de vigencia de derechos.
    fn solicitar_vigencia(&self, solicitud: SolicitudVigencia) -> Respuesta<ResultadoVigencia>;
    /// `GET /api/umf?cp={codigo_postal}`: the clinics that serve a postal code.
    fn umf_de_cp(&self, codigo_postal: String) -> Respuesta<UmfDeCodigoPostal>;
}

thread_local! {
    static BACKEND: RefCell<Option<Rc<dyn Backend>>> = const { RefCell::new(None) };
    /// The API's origin for the links the server answers as paths ("" = this page's origin).
    static ORIGEN: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Sets the API's origin for [`enlace`] (embedded on another origin than the API's).
pub fn fijar_origen(origen: &str) {
    ORIGEN.with(|o| *o.borrow_mut() = origen.trim_end_matches('/').to_string());
}

/// A link the server answered as a path (a CAPTCHA's image and sound, a document's "ver" and "descargar"), on
/// the API's origin: embedded in a page of another origin, `/api/…` would name the host's server.
pub fn enlace(ruta: &str) -> String {
    if !ruta.starts_with('/') || ruta.starts_with("//") {
        return ruta.to_string();
    }
    ORIGEN.with(|o| [o.borrow().as_str(), ruta].concat())
}

/// Installs the backend every page uses (call before mounting; the default is [`HttpBackend`] on this origin).
pub fn install(backend: Rc<dyn Backend>) {
    BACKEND.with(|b| *b.borrow_mut() = Some(backend));
}

/// The installed backend.
pub fn backend() -> Rc<dyn Backend> {
    BACKEND.with(|b| {
        b.borrow_mut()
            .get_or_insert_with(|| Rc::new(HttpBackend::default()))
            .clone()
    })
}
