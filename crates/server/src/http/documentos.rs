//! HTTP endpoints of documents, generic over the server's state:
//!
//! - `GET /api/documentos/{folio}/pdf?modo=ver|descargar&exp=…&firma=…`: the PDF (`inline` or `attachment`);
//!   a made-up, altered or expired link answers 404.
//! - `GET /api/verificacion/{folio}`: [`api::Verificacion`], or 404 for an unknown folio.
//! - `POST /api/documentos/{folio}/reenvios`: re-sends the document by email, at most
//!   [`LIMITE_REENVIOS_DIA`] times per document per day (Mexico's central time), else 429.
//!
//! Every failure answers through [`AppError`] (`enlace-invalido`, `folio-desconocido`, `falla-tecnica`,
//! `limite-reenvios`). The server implements [`AlmacenDocumentos`] for its state (tests for a state of their
//! own) and merges [`router`]: `Router::new().merge(http::documentos::router::<AppState>())…with_state(state)`.

use std::future::Future;

use afiliate_domain::api;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::documents::{
    folio_bien_formado, hora_centro, Documento, Documentos, Modo, TipoDocumento,
};
use crate::error::AppError;

/// Re-sends allowed per document per day.
pub const LIMITE_REENVIOS_DIA: u32 = 3;

/// The outcome of a re-send request, decided by the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reenvio {
    /// Recorded and queued.
    Encolado,
    /// Already [`LIMITE_REENVIOS_DIA`] re-sends of this document that day: nothing queued.
    LimiteAlcanzado,
}

/// What the document endpoints need from the server's state.
pub trait AlmacenDocumentos: Clone + Send + Sync + 'static {
    /// The sealing key, link signer and public URL.
    fn documentos(&self) -> &Documentos;

    /// The stored document with this folio, if any.
    fn buscar(&self, folio: &str)
        -> impl Future<Output = anyhow::Result<Option<Documento>>> + Send;

    /// In ONE transaction: count the re-sends of `doc` on `dia` (`YYYY-MM-DD`, Mexico's central time); when fewer
    /// than [`LIMITE_REENVIOS_DIA`], record one more and insert an outbox row with
    /// `crate::mail::Correo::reenvio(<the person's email>, doc)` (its `to_json()`), then wake the mail worker.
    fn reenviar(
        &self,
        doc: &Documento,
        dia: &str,
    ) -> impl Future<Output = anyhow::Result<Reenvio>> + Send;
}

/// The day a re-send counts against: `YYYY-MM-DD` in Mexico's central time.
pub fn dia_de_reenvio(ahora: DateTime<Utc>) -> String {
    ahora
        .with_timezone(&hora_centro())
        .format("%Y-%m-%d")
        .to_string()
}

/// The routes; merge into the app's router before `with_state`.
pub fn router<S: AlmacenDocumentos>() -> Router<S> {
    Router::new()
        .route("/api/documentos/{folio}/pdf", get(pdf::<S>))
        .route("/api/documentos/{folio}/reenvios", post(reenvios::<S>))
        .route("/api/verificacion/{folio}", get(verificacion::<S>))
}

/// A store's failure: logged here, answered "Debido a una falla técnica…".
fn falla_tecnica(e: anyhow::Error) -> AppError {
    tracing::error!(error = %e, "documents endpoint failed");
    AppError::FallaTecnica
}

/// The query of a document link; every field optional so that a malformed link is a 404, not a 400.
#[derive(Deserialize)]
pub struct ConsultaEnlace {
    modo: Option<String>,
    exp: Option<String>,
    firma: Option<String>,
}

async fn pdf<S: AlmacenDocumentos>(
    State(estado): State<S>,
    Path(folio): Path<String>,
    consulta: Result<Query<ConsultaEnlace>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, AppError> {
    let Ok(Query(consulta)) = consulta else {
        return Err(AppError::EnlaceInvalido);
    };
    let (Some(modo), Some(exp), Some(firma)) = (
        consulta.modo.as_deref().and_then(Modo::parse),
        consulta.exp.as_deref().and_then(|e| e.parse::<i64>().ok()),
        consulta.firma,
    ) else {
        return Err(AppError::EnlaceInvalido);
    };
    let docs = estado.documentos();
    if !folio_bien_formado(&folio)
        || !docs
            .enlaces
            .validar_enlace(&folio, modo, exp, &firma, Utc::now().timestamp())
    {
        return Err(AppError::EnlaceInvalido);
    }
    let doc = estado
        .buscar(&folio)
        .await
        .map_err(falla_tecnica)?
        .ok_or(AppError::EnlaceInvalido)?;
    // About a millisecond of CPU: off the async workers.
    let base_url = docs.base_url.clone();
    let doc = std::sync::Arc::new(doc);
    let para_render = doc.clone();
    let bytes = match tokio::task::spawn_blocking(move || para_render.pdf(&base_url)).await {
        Ok(Ok(b)) => b,
        Ok(Err(e)) => return Err(falla_tecnica(e.into())),
        Err(e) => return Err(falla_tecnica(anyhow::anyhow!("PDF rendering failed: {e}"))),
    };
    let disposicion = match modo {
        Modo::Ver => format!("inline; filename=\"{}\"", doc.tipo.nombre_archivo(&doc.nss)),
        Modo::Descargar => format!(
            "attachment; filename=\"{}\"",
            doc.tipo.nombre_archivo(&doc.nss)
        ),
    };
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(v) = HeaderValue::from_str(&disposicion) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(r)
}

/// The stored document of a folio named in a URL: `FolioDesconocido` when it is malformed or unknown.
async fn documento_de<S: AlmacenDocumentos>(
    estado: &S,
    folio: &str,
) -> Result<Documento, AppError> {
    if !folio_bien_formado(folio) {
        return Err(AppError::FolioDesconocido);
    }
    estado
        .buscar(folio)
        .await
        .map_err(falla_tecnica)?
        .ok_or(AppError::FolioDesconocido)
}

async fn verificacion<S: AlmacenDocumentos>(
    State(estado): State<S>,
    Path(folio): Path<String>,
) -> Result<Response, AppError> {
    let doc = documento_de(&estado, &folio.trim().to_ascii_uppercase()).await?;
    let mut r = Json(doc.verificacion(&estado.documentos().sellador)).into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(r)
}

async fn reenvios<S: AlmacenDocumentos>(
    State(estado): State<S>,
    Path(folio): Path<String>,
) -> Result<Json<api::Mensaje>, AppError> {
    let doc = documento_de(&estado, &folio).await?;
    match estado
        .reenviar(&doc, &dia_de_reenvio(Utc::now()))
        .await
        .map_err(falla_tecnica)?
    {
        Reenvio::Encolado => {
            let mensaje = match doc.tipo {
                TipoDocumento::ComprobanteNss => "El comprobante ha sido reenviado.",
                TipoDocumento::TarjetaNss => "La tarjeta ha sido reenviada.",
                TipoDocumento::ConstanciaVigencia => "La constancia ha sido reenviada.",
            };
            Ok(Json(api::Mensaje {
                mensaje: mensaje.to_string(),
            }))
        }
        Reenvio::LimiteAlcanzado => Err(AppError::LimiteReenvios),
    }
}
