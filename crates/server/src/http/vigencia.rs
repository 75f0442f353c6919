//! The constancia de vigencia de derechos (IMSS-02-020-B): CURP, NSS, e-mail and CAPTCHA → whether the student
//! has the right to medical service today, with the constancia.

use super::api::{
    agregar, documentos_api, pasar_guardia, persona_y_nss, validar_solicitud, ApiJson,
};
use super::AppState;
use crate::error::AppError;
use afiliate_domain::api::{
    EstadoVigencia, Problema, ResultadoVigencia, SolicitudNss, SolicitudVigencia,
};
use afiliate_domain::nss::Nss;
use afiliate_domain::ErrorDeDominio as _;
use axum::extract::State;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(solicitud_vigencia))
}

/// The fields checked with the domain crate's rules, as the NSS solicitud checks them, plus the NSS: (CURP, NSS,
/// e-mail) or every field's messages.
fn validar(req: &SolicitudVigencia) -> Result<(String, String, String), AppError> {
    let base = validar_solicitud(&SolicitudNss {
        curp: req.curp.clone(),
        correo: req.correo.clone(),
        confirmacion_correo: req.confirmacion_correo.clone(),
        captcha_id: req.captcha_id.clone(),
        captcha_respuesta: req.captcha_respuesta.clone(),
    });
    match (base, Nss::parse(&req.nss)) {
        (Ok((curp, correo)), Ok(nss)) => Ok((
            curp.as_str().to_string(),
            nss.as_str().to_string(),
            correo.as_str().to_string(),
        )),
        (Err(AppError::Validacion(mut errores)), Err(e)) => {
            agregar(&mut errores, "nss", e.message());
            Err(AppError::Validacion(errores))
        }
        (Err(e), _) => Err(e),
        (Ok(_), Err(e)) => Err(AppError::campo("nss", e.message())),
    }
}

/// The constancia de vigencia de derechos.
#[utoipa::path(
    post,
    path = "/api/vigencia/solicitudes",
    tag = "vigencia",
    summary = "Constancia de vigencia de derechos (seguro facultativo de estudiantes)",
    description = "Con la CURP, el NSS, el correo (dos veces) y la respuesta del CAPTCHA (los mismos retos, límites \
                   diarios por CURP y correo y límite por conexión que `POST /api/nss/solicitudes`). Responde si el \
                   estudiante tiene hoy derecho al servicio médico (`vigente`: una escuela lo inscribió en un periodo \
                   que cubre hoy y no lo dio de baja) o no (`sin_derecho`, con `motivo`: `sin_inscripcion`, \
                   `baja_escolar` o `periodo_vencido`), la escuela y su registro patronal, la UMF, las fechas y la \
                   constancia en `documentos` (también enviada por correo; la misma constancia se reutiliza si se pide \
                   de nuevo el mismo día con el mismo resultado). Errores: `curp-no-encontrada` (422), \
                   `nss-no-corresponde` (422, en `errores.nss`), `acude-a-subdelegacion` (409, los datos de RENAPO no \
                   coinciden con la CURP), `varios-nss` (409), `nss-dado-de-baja` (409), `captcha-invalido` (422), \
                   `limite-diario` (429), `renapo-no-disponible` (503).",
    request_body = SolicitudVigencia,
    responses(
        (status = 200, description = "`vigente` o `sin_derecho`, con la constancia", body = ResultadoVigencia),
        (status = 400, description = "JSON mal formado o con campos faltantes", body = Problema, content_type = "application/problem+json"),
        (status = 409, description = "Acude a la subdelegación: los datos de RENAPO no coinciden con la CURP (`acude-a-subdelegacion`), la CURP tiene varios NSS (`varios-nss`) o su NSS fue dado de baja (`nss-dado-de-baja`)", body = Problema, content_type = "application/problem+json",
            example = json!({"type": "/problemas/varios-nss", "title": "Acude a la subdelegación", "status": 409,
                "detail": crate::error::MSG_VARIOS_NSS, "errores": {}})),
        (status = 413, description = "Cuerpo demasiado grande", body = Problema, content_type = "application/problem+json"),
        (status = 415, description = "No es JSON", body = Problema, content_type = "application/problem+json"),
        (status = 422, description = "Datos inválidos (`errores` por campo), captcha no válido, CURP no encontrada en RENAPO o NSS que no corresponde a la CURP", body = Problema, content_type = "application/problem+json",
            example = json!({"type": "/problemas/nss-no-corresponde", "title": "El NSS no corresponde a la CURP", "status": 422,
                "detail": crate::error::MSG_NSS_NO_CORRESPONDE, "errores": {"nss": [crate::error::MSG_NSS_NO_CORRESPONDE]}})),
        (status = 429, description = "Límite diario por CURP o correo, o demasiadas solicitudes desde la conexión", body = Problema, content_type = "application/problem+json"),
        (status = 503, description = "Falla técnica de RENAPO, o la solicitud tardó demasiado", body = Problema, content_type = "application/problem+json"),
    )
)]
async fn solicitud_vigencia(
    State(st): State<AppState>,
    ApiJson(req): ApiJson<SolicitudVigencia>,
) -> Result<Json<ResultadoVigencia>, AppError> {
    let (curp, nss, correo) = validar(&req)?;
    let ahora = st.ahora();
    pasar_guardia(
        &st,
        &req.captcha_id,
        &req.captcha_respuesta,
        &curp,
        &correo,
        ahora,
    )
    .await?;
    let (nombre, nss_de_curp) = persona_y_nss(&st, &curp).await?;
    let pool = &st.db().pool;
    let registro = crate::db::escuelas::nss_de_curp(pool, &curp).await?;
    if registro.varios {
        return Err(AppError::VariosNss);
    }
    if nss_de_curp.as_deref() != Some(nss.as_str()) {
        return Err(AppError::NssNoCorresponde);
    }
    if registro.dado_de_baja {
        return Err(AppError::NssDadoDeBaja);
    }
    let datos = crate::vigencia::datos(pool, &nss, ahora).await?;
    let persona = crate::documents::Persona {
        nombre: nombre.clone(),
        curp: curp.clone(),
        nss: nss.clone(),
    };
    let docs = st.docs().clone();
    let para_escribir = datos.clone();
    let constancia = st
        .db()
        .write(move |c| {
            let (docs, persona, datos, correo) = (
                docs.clone(),
                persona.clone(),
                para_escribir.clone(),
                correo.clone(),
            );
            Box::pin(async move {
                crate::vigencia::emitir(c, &docs, &persona, &datos, &correo, ahora).await
            })
        })
        .await?;
    st.despertar_correo().notify_one();
    Ok(Json(ResultadoVigencia {
        resultado: if datos.derecho {
            EstadoVigencia::Vigente
        } else {
            EstadoVigencia::SinDerecho
        },
        motivo: datos.motivo,
        nombre,
        curp,
        nss,
        tipo_asegurado: datos.tipo_asegurado,
        escuela: datos.escuela,
        umf: datos.umf,
        vigente_desde: datos.vigente_desde,
        vigente_hasta: datos.vigente_hasta,
        documentos: documentos_api(&st, std::slice::from_ref(&constancia)),
    }))
}
