//! [`Backend`] over HTTP with gloo-net, bodies through serde with the domain crate's API types (the same
//! definitions the server serialises).

use super::{ApiError, Backend, Respuesta};
use afiliate_domain::api::{
    AsignacionNss, CaptchaCreado, ConfirmacionCorreo, Mensaje, Problema, ResultadoAsignacion,
    ResultadoSolicitud, ResultadoVigencia, SolicitudNss, SolicitudVigencia, UmfDeCodigoPostal,
    Verificacion,
};
use gloo_net::http::{Request, RequestBuilder, Response};
use gloo_timers::callback::Timeout;
use serde::de::DeserializeOwned;
use serde::Serialize;
use web_sys::AbortController;

/// How long a request may go unanswered before it ends as [`ApiError::SinConexion`] (the server gives up on
/// its own work after 15 s: past this the network is the problem, and the form must not stay stuck).
pub const TIEMPO_MAXIMO_MS: u32 = 30_000;

/// The real server. `base` is prepended to every path ("" = this page's origin; the embedded mode sets the
/// API's origin here).
#[derive(Clone, Debug, Default)]
pub struct HttpBackend {
    pub base: String,
    /// Overrides [`TIEMPO_MAXIMO_MS`] (tests use a short one).
    pub tiempo_maximo_ms: Option<u32>,
    /// Where the built app's static files (the postal-code shards) are ("" = `base`).
    pub estaticos: String,
}

impl HttpBackend {
    /// The server at `base` ("" = this origin).
    pub fn new(base: impl Into<String>) -> Self {
        HttpBackend {
            base: base.into().trim_end_matches('/').to_string(),
            tiempo_maximo_ms: None,
            estaticos: String::new(),
        }
    }

    /// The same server, with the static files at `estaticos` (the embedded app's `assets`).
    pub fn con_estaticos(mut self, estaticos: impl Into<String>) -> Self {
        self.estaticos = estaticos.into().trim_end_matches('/').to_string();
        self
    }

    fn url(&self, path: &str) -> String {
        let mut url = String::with_capacity(self.base.len() + path.len());
        url.push_str(&self.base);
        url.push_str(path);
        url
    }

    /// Sends the request built by `build` (given the abort signal), aborting it after the timeout: a request
    /// that gets no answer in time, or whose answer stops arriving, is "no connection".
    fn send(
        &self,
        build: impl FnOnce(&web_sys::AbortSignal) -> Result<Request, gloo_net::Error> + 'static,
    ) -> impl std::future::Future<Output = Result<Answer, ApiError>> + 'static {
        let ms = self.tiempo_maximo_ms.unwrap_or(TIEMPO_MAXIMO_MS);
        async move {
            let controller = AbortController::new().map_err(|_| ApiError::SinConexion)?;
            let request = build(&controller.signal()).map_err(|_| ApiError::Servidor(0))?;
            let abort = controller.clone();
            // Dropped (cancelled) once the whole answer is in.
            let _timer = Timeout::new(ms, move || abort.abort());
            let response = request.send().await.map_err(|_| ApiError::SinConexion)?;
            let status = response.status();
            let body = response.text().await.map_err(|_| ApiError::SinConexion)?;
            Ok(Answer {
                ok: response.ok(),
                status,
                body,
                _response: response,
            })
        }
    }
}

/// A whole answer, read before the timeout.
struct Answer {
    ok: bool,
    status: u16,
    body: String,
    _response: Response,
}

impl Answer {
    /// The body as `T` when the status is 2xx, else the problem+json it carries.
    fn json<T: DeserializeOwned>(self) -> Result<T, ApiError> {
        if self.ok {
            serde_json::from_str(&self.body).map_err(|_| ApiError::Servidor(self.status))
        } else {
            Err(self.problema())
        }
    }

    /// A failed answer: its problem+json body when there is one.
    fn problema(self) -> ApiError {
        match serde_json::from_str::<Problema>(&self.body) {
            Ok(p) if !p.detail.is_empty() || !p.title.is_empty() || !p.errores.is_empty() => {
                ApiError::Problema(p)
            }
            _ => ApiError::Servidor(self.status),
        }
    }
}

fn json_get(url: String) -> impl FnOnce(&web_sys::AbortSignal) -> Result<Request, gloo_net::Error> {
    move |signal| {
        Request::get(&url)
            .header("Accept", "application/json")
            .abort_signal(Some(signal))
            .build()
    }
}

fn json_post<B: Serialize + 'static>(
    url: String,
    body: Option<B>,
) -> impl FnOnce(&web_sys::AbortSignal) -> Result<Request, gloo_net::Error> {
    move |signal| {
        let builder: RequestBuilder = Request::post(&url)
            .header("Accept", "application/json")
            .abort_signal(Some(signal));
        match body {
            Some(body) => builder.json(&body),
            None => builder.build(),
        }
    }
}

/// The challenge `boot.js` asked for while the wasm was on its way (taken once; `None` when there is none).
fn captcha_adelantado() -> Option<js_sys::Promise> {
    let ventana = web_sys::window()?;
    let clave = wasm_bindgen::JsValue::from_str("afiliateCaptcha");
    let promesa = js_sys::Reflect::get(&ventana, &clave).ok()?;
    let _ = js_sys::Reflect::delete_property(&ventana, &clave);
    wasm_bindgen::JsCast::dyn_into::<js_sys::Promise>(promesa).ok()
}

/// The answer of `boot.js`'s request, if it came back as a challenge.
async fn captcha_de(promesa: js_sys::Promise) -> Option<CaptchaCreado> {
    let valor = wasm_bindgen_futures::JsFuture::from(promesa).await.ok()?;
    let texto = js_sys::JSON::stringify(&valor).ok()?.as_string()?;
    serde_json::from_str(&texto).ok()
}

impl Backend for HttpBackend {
    fn nuevo_captcha(&self) -> Respuesta<CaptchaCreado> {
        let adelantado = captcha_adelantado();
        let answer = self.send(json_post::<()>(self.url("/api/captcha"), None));
        Box::pin(async move {
            if let Some(c) = match adelantado {
                Some(p) => captcha_de(p).await,
                None => None,
            } {
                return Ok(c);
            }
            answer.await?.json()
        })
    }

    fn solicitar_nss(&self, solicitud: SolicitudNss) -> Respuesta<ResultadoSolicitud> {
        let answer = self.send(json_post(self.url("/api/nss/solicitudes"), Some(solicitud)));
        Box::pin(async move { answer.await?.json() })
    }

    fn confirmar_correo(&self, confirmacion: ConfirmacionCorreo) -> Respuesta<ResultadoSolicitud> {
        let answer = self.send(json_post(
            self.url("/api/nss/confirmaciones"),
            Some(confirmacion),
        ));
        Box::pin(async move { answer.await?.json() })
    }

    fn asignar_nss(&self, asignacion: AsignacionNss) -> Respuesta<ResultadoAsignacion> {
        let answer = self.send(json_post(
            self.url("/api/nss/asignaciones"),
            Some(asignacion),
        ));
        Box::pin(async move { answer.await?.json() })
    }

    fn shard_cp(&self, archivo: String) -> Respuesta<String> {
        let url = if self.estaticos.is_empty() {
            self.url(&["/catalogo/cp/", &archivo].concat())
        } else {
            [self.estaticos.as_str(), "/catalogo/cp/", &archivo].concat()
        };
        let answer = self.send(move |signal| Request::get(&url).abort_signal(Some(signal)).build());
        Box::pin(async move {
            let answer = answer.await?;
            match answer.status {
                200 => Ok(answer.body),
                // No shard for that prefix: no code of it is in the catalog (the caller falls back to manual entry).
                404 => Ok(String::new()),
                s => Err(ApiError::Servidor(s)),
            }
        })
    }

    fn reenviar_documento(&self, folio: String) -> Respuesta<Mensaje> {
        let url = self.url(&["/api/documentos/", &encode(&folio), "/reenvios"].concat());
        let answer = self.send(json_post::<()>(url, None));
        Box::pin(async move { answer.await?.json() })
    }

    fn verificacion(&self, folio: String) -> Respuesta<Verificacion> {
        let url = self.url(&["/api/verificacion/", &encode(&folio)].concat());
        let answer = self.send(json_get(url));
        Box::pin(async move { answer.await?.json() })
    }

    fn solicitar_vigencia(&self, solicitud: SolicitudVigencia) -> Respuesta<ResultadoVigencia> {
        let answer = self.send(json_post(
            self.url("/api/vigencia/solicitudes"),
            Some(solicitud),
        ));
        Box::pin(async move { answer.await?.json() })
    }

    fn umf_de_cp(&self, codigo_postal: String) -> Respuesta<UmfDeCodigoPostal> {
        // A postal code is five digits: nothing else goes into the query.
        let cp: String = codigo_postal.chars().filter(char::is_ascii_digit).collect();
        let answer = self.send(json_get(self.url(&["/api/umf?cp=", &cp].concat())));
        Box::pin(async move { answer.await?.json() })
    }
}

/// Keeps only URL-safe characters of a folio (folios are letters, digits and hyphens).
fn encode(folio: &str) -> String {
    folio
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}
