//! [`Backend`] over HTTP with `fetch` (gloo-net), against the server on the page's own origin.

use super::{ApiError, Backend, Respuesta};
use afiliate_domain::api::{
    AsignacionNss, CaptchaCreado, Mensaje, Problema, ResultadoAsignacion, ResultadoSolicitud,
    SolicitudNss, Verificacion,
};
use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

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

async fn send(request: Result<Request, gloo_net::Error>) -> Result<Response, ApiError> {
    let request = request.map_err(|_| ApiError::Servidor(0))?;
    request.send().await.map_err(|_| ApiError::SinConexion)
}

async fn json<T: DeserializeOwned>(
    request: Result<Request, gloo_net::Error>,
) -> Result<T, ApiError> {
    let response = send(request).await?;
    if response.ok() {
        return response
            .json::<T>()
            .await
            .map_err(|_| ApiError::Servidor(response.status()));
    }
    Err(problema(response).await)
}

/// A failed answer: its problem+json body when there is one.
async fn problema(response: Response) -> ApiError {
    let status = response.status();
    match response.json::<Problema>().await {
        Ok(p) if !p.detail.is_empty() || !p.title.is_empty() || !p.errores.is_empty() => {
            ApiError::Problema(p)
        }
        _ => ApiError::Servidor(status),
    }
}

fn post<B: Serialize>(builder: RequestBuilder, body: &B) -> Result<Request, gloo_net::Error> {
    builder.header("Accept", "application/json").json(body)
}

impl Backend for HttpBackend {
    fn nuevo_captcha(&self) -> Respuesta<CaptchaCreado> {
        let request = Request::post(&self.url("/api/captcha"))
            .header("Accept", "application/json")
            .build();
        Box::pin(json(request))
    }

    fn solicitar_nss(&self, solicitud: SolicitudNss) -> Respuesta<ResultadoSolicitud> {
        let request = post(Request::post(&self.url("/api/nss/solicitudes")), &solicitud);
        Box::pin(json(request))
    }

    fn asignar_nss(&self, asignacion: AsignacionNss) -> Respuesta<ResultadoAsignacion> {
        let request = post(
            Request::post(&self.url("/api/nss/asignaciones")),
            &asignacion,
        );
        Box::pin(json(request))
    }

    fn shard_cp(&self, archivo: String) -> Respuesta<String> {
        let mut path = String::from("/catalogo/cp/");
        path.push_str(&archivo);
        let request = Request::get(&self.url(&path)).build();
        Box::pin(async move {
            let response = send(request).await?;
            match response.status() {
                200 => response.text().await.map_err(|_| ApiError::SinConexion),
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
        let request = Request::post(&self.url(&path))
            .header("Accept", "application/json")
            .build();
        Box::pin(json(request))
    }

    fn verificacion(&self, folio: String) -> Respuesta<Verificacion> {
        let mut path = String::from("/api/verificacion/");
        path.push_str(&encode(&folio));
        let request = Request::get(&self.url(&path))
            .header("Accept", "application/json")
            .build();
        Box::pin(json(request))
    }
}

/// Keeps only URL-safe characters of a folio (folios are letters, digits and hyphens).
fn encode(folio: &str) -> String {
    folio
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}
