//! [`Backend`] over HTTP with the browser's `fetch`, against the server on the page's own origin.

use super::json::{self, Json};
use super::{ApiError, Backend, Respuesta};
use afiliate_domain::api::{
    AsignacionNss, CaptchaCreado, Mensaje, Problema, ResultadoAsignacion, ResultadoSolicitud,
    SolicitudNss, Verificacion,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestInit, Response};

/// The real server. `base` is prepended to every path ("" = this origin).
#[derive(Clone, Debug, Default)]
pub struct HttpBackend {
    pub base: String,
}

impl HttpBackend {
    fn url(&self, path: &str) -> String {
        let mut url = String::with_capacity(self.base.len() + path.len());
        url.push_str(&self.base);
        url.push_str(path);
        url
    }
}

/// One request. `json`: it asks for JSON (`Accept`); `cuerpo`: a JSON body.
async fn enviar(
    metodo: &str,
    url: &str,
    json: bool,
    cuerpo: Option<JsValue>,
) -> Result<Response, ApiError> {
    let init = RequestInit::new();
    init.set_method(metodo);
    let headers = Headers::new().map_err(|_| ApiError::Servidor(0))?;
    if json {
        let _ = headers.set("Accept", "application/json");
    }
    if let Some(cuerpo) = cuerpo {
        let _ = headers.set("Content-Type", "application/json");
        init.set_body(&JsValue::from_str(&json::stringify(&cuerpo)));
    }
    init.set_headers(&headers);
    let window = web_sys::window().ok_or(ApiError::SinConexion)?;
    JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .ok()
        .and_then(|r| r.dyn_into::<Response>().ok())
        .ok_or(ApiError::SinConexion)
}

/// The body as text (`None` when it cannot be read).
async fn texto(response: &Response) -> Option<String> {
    JsFuture::from(response.text().ok()?)
        .await
        .ok()?
        .as_string()
}

/// A JSON answer and its status; a failed answer becomes its problem+json, or a server error.
async fn pedir(
    metodo: &str,
    url: String,
    cuerpo: Option<JsValue>,
) -> Result<(JsValue, u16), ApiError> {
    let response = enviar(metodo, &url, true, cuerpo).await?;
    let status = response.status();
    let valor = texto(&response).await.as_deref().and_then(json::parse);
    if response.ok() {
        return valor.map(|v| (v, status)).ok_or(ApiError::Servidor(status));
    }
    Err(match valor.as_ref().and_then(Problema::desde) {
        Some(p) if !p.detail.is_empty() || !p.title.is_empty() || !p.errores.is_empty() => {
            ApiError::Problema(p)
        }
        _ => ApiError::Servidor(status),
    })
}

/// A call whose answer decodes into `T` (an answer that does not is a server error).
fn llamar<T: Json + 'static>(
    metodo: &'static str,
    url: String,
    cuerpo: Option<JsValue>,
) -> Respuesta<T> {
    Box::pin(async move {
        let (valor, status) = pedir(metodo, url, cuerpo).await?;
        T::desde(&valor).ok_or(ApiError::Servidor(status))
    })
}

impl Backend for HttpBackend {
    fn nuevo_captcha(&self) -> Respuesta<CaptchaCreado> {
        llamar("POST", self.url("/api/captcha"), None)
    }

    fn solicitar_nss(&self, solicitud: SolicitudNss) -> Respuesta<ResultadoSolicitud> {
        llamar(
            "POST",
            self.url("/api/nss/solicitudes"),
            Some(solicitud.a_json()),
        )
    }

    fn asignar_nss(&self, asignacion: AsignacionNss) -> Respuesta<ResultadoAsignacion> {
        llamar(
            "POST",
            self.url("/api/nss/asignaciones"),
            Some(asignacion.a_json()),
        )
    }

    fn shard_cp(&self, archivo: String) -> Respuesta<String> {
        let mut path = String::from("/catalogo/cp/");
        path.push_str(&archivo);
        let url = self.url(&path);
        Box::pin(async move {
            let response = enviar("GET", &url, false, None).await?;
            match response.status() {
                200 => texto(&response).await.ok_or(ApiError::SinConexion),
                // No shard for that prefix: no code of it is in the catalog (the caller falls back to manual entry).
                404 => Ok(String::new()),
                s => Err(ApiError::Servidor(s)),
            }
        })
    }

    fn reenviar_documento(&self, folio: String) -> Respuesta<Mensaje> {
        let mut path = String::from("/api/documentos/");
        path.push_str(&encode(&folio));
        path.push_str("/reenvios");
        llamar("POST", self.url(&path), None)
    }

    fn verificacion(&self, folio: String) -> Respuesta<Verificacion> {
        let mut path = String::from("/api/verificacion/");
        path.push_str(&encode(&folio));
        llamar("GET", self.url(&path), None)
    }
}

/// Keeps only URL-safe characters of a folio (folios are letters, digits and hyphens).
fn encode(folio: &str) -> String {
    folio
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}
