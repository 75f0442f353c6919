//! Paso 3: the family-medicine clinics (UMF) that serve a postal code.

use super::AppState;
use crate::error::AppError;
use afiliate_domain::api::{Problema, UmfDeCodigoPostal};
use afiliate_domain::{postal, ErrorDeDominio as _};
use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(umf_de_codigo_postal))
}

/// The query; `cp` optional so that a missing one is a 422 with its message, not a 400.
#[derive(Deserialize)]
pub struct ConsultaUmf {
    cp: Option<String>,
}

/// The clinics of a postal code.
#[utoipa::path(
    get,
    path = "/api/umf",
    tag = "clínicas",
    summary = "Unidades de Medicina Familiar que atienden un código postal",
    params(("cp" = String, Query, description = "Código postal (cinco dígitos)", example = "04000")),
    responses(
        (status = 200, description = "Las UMF del código postal (al menos una)", body = UmfDeCodigoPostal),
        (status = 404, description = "Ninguna UMF atiende ese código postal: `detail` es \"El Código Postal {cp} no se encuentra relacionado a ninguna Unidad Médica Familiar (UMF).\"", body = Problema, content_type = "application/problem+json"),
        (status = 422, description = "Código postal vacío o mal escrito (`errores.cp`)", body = Problema, content_type = "application/problem+json"),
    )
)]
async fn umf_de_codigo_postal(
    State(st): State<AppState>,
    consulta: Result<Query<ConsultaUmf>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<UmfDeCodigoPostal>, AppError> {
    let cp = consulta.ok().and_then(|Query(c)| c.cp).unwrap_or_default();
    let cp = postal::codigo_postal_valido(&cp).map_err(|e| AppError::campo("cp", e.message()))?;
    let umf = crate::db::umf::de_codigo_postal(&st.db().pool, &cp).await?;
    if umf.is_empty() {
        return Err(AppError::SinUmf(cp));
    }
    Ok(Json(UmfDeCodigoPostal {
        codigo_postal: cp,
        umf,
    }))
}
