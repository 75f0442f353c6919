//! The OpenAPI document against the router, the validator every API test's answers go through, and the docs page.

mod common;

use afiliate_server::http::openapi::{RUTAS_DOCUMENTADAS_APARTE, RUTA_DOCUMENTO};
use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Method, Request, StatusCode};
use common::*;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

const METODOS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Every operation of the document, as (method, path template).
fn operaciones(doc: &Value) -> Vec<(String, String)> {
    let mut ops = Vec::new();
    for (ruta, item) in doc["paths"].as_object().expect("paths") {
        for m in METODOS {
            if item.get(m).is_some() {
                ops.push((m.to_string(), ruta.clone()));
            }
        }
    }
    ops
}

/// A concrete path for a template: every `{param}` becomes `X0`.
fn concreta(plantilla: &str) -> String {
    plantilla
        .split('/')
        .map(|s| if s.starts_with('{') { "X0" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

/// Sends `req` through the app; answers the matched route template, the status, the headers and the body.
async fn enviar(
    e: &Entorno,
    req: Request<Body>,
) -> (Option<String>, StatusCode, HeaderMap, axum::body::Bytes) {
    let res = con_ruta(afiliate_server::app(e.state.clone()))
        .oneshot(req)
        .await
        .expect("infallible");
    let plantilla = res
        .extensions()
        .get::<RutaCoincidente>()
        .map(|r| r.0.clone());
    let (status, headers) = (res.status(), res.headers().clone());
    let cuerpo = res.into_body().collect().await.expect("body").to_bytes();
    (plantilla, status, headers, cuerpo)
}

/// Every operation of the document is a route of the app (the router matches exactly that template, with that
/// method), its answer to a request with made-up parameters is one the document describes, and the routes not
/// documented by `routes!` are all in the document.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cada_operacion_del_documento_es_una_ruta() {
    let e = entorno(Backend::Sqlite).await;
    let doc = &contrato().doc;
    let ops = operaciones(doc);
    for (m, ruta) in RUTAS_DOCUMENTADAS_APARTE {
        assert!(
            ops.contains(&(m.to_string(), ruta.to_string())),
            "{m} {ruta} is served but missing from the document"
        );
    }
    for (m, plantilla) in &ops {
        let metodo = Method::from_bytes(m.to_ascii_uppercase().as_bytes()).unwrap();
        let req = Request::builder()
            .method(metodo.clone())
            .uri(concreta(plantilla))
            .body(Body::empty())
            .unwrap();
        let (coincide, status, headers, cuerpo) = enviar(&e, req).await;
        assert_eq!(
            coincide.as_deref(),
            Some(plantilla.as_str()),
            "{m} {plantilla}: the router matched another route"
        );
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{m} {plantilla}");
        contrato()
            .validar(&metodo, coincide.as_deref(), status, &headers, &cuerpo)
            .unwrap_or_else(|err| panic!("{m} {plantilla}: {err}"));
    }
    // The operations the app must have; a route dropped from a `routes!` list disappears from here too.
    for esperada in [
        ("post", "/api/captcha"),
        ("get", "/api/captcha/{id}/imagen"),
        ("get", "/api/captcha/{id}/audio"),
        ("post", "/api/nss/solicitudes"),
        ("post", "/api/nss/asignaciones"),
        ("get", "/api/cp/{cp}"),
        ("post", "/api/vigencia/solicitudes"),
        ("post", "/api/nss/confirmaciones"),
        ("get", "/api/umf"),
        ("post", "/api/escuelas/{cct}/inscripciones"),
        ("post", "/api/escuelas/{cct}/bajas"),
        ("get", "/healthz"),
        ("get", "/readyz"),
        ("get", "/metrics"),
    ] {
        assert!(
            ops.contains(&(esperada.0.to_string(), esperada.1.to_string())),
            "{esperada:?} missing from the document"
        );
    }
    assert_eq!(ops.len(), 14 + RUTAS_DOCUMENTADAS_APARTE.len(), "{ops:?}");
}

/// A path outside the document that the router serves fails the validation of every API test.
#[test]
fn una_ruta_fuera_del_documento_no_pasa() {
    let vacio = HeaderMap::new();
    let err = contrato()
        .validar(
            &Method::GET,
            Some("/api/nueva"),
            StatusCode::OK,
            &vacio,
            b"",
        )
        .unwrap_err();
    assert!(err.contains("not in the document"), "{err}");
    let err = contrato()
        .validar(
            &Method::POST,
            Some("/api/cp/{cp}"),
            StatusCode::OK,
            &vacio,
            b"",
        )
        .unwrap_err();
    assert!(err.contains("not in the document"), "{err}");
}

fn json_de(tipo: &'static str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(tipo));
    h
}

fn validar(status: u16, tipo: &'static str, cuerpo: Value) -> Result<(), String> {
    contrato().validar(
        &Method::POST,
        Some("/api/nss/solicitudes"),
        StatusCode::from_u16(status).unwrap(),
        &json_de(tipo),
        cuerpo.to_string().as_bytes(),
    )
}

/// The validator accepts the answers the document describes and refuses wrong ones.
#[test]
fn el_validador_rechaza_respuestas_equivocadas() {
    let documento = json!({"folio": "F1", "fecha": "01/12/2026", "documento": "Número de Seguridad Social",
        "ver_url": "/v", "descargar_url": "/d"});
    let localizado = json!({"resultado": "localizado", "nss": "12345678901", "nombre": "A B C",
        "curp": "X", "documentos": [documento]});
    validar(200, "application/json", localizado.clone()).expect("a right answer");
    let sin_nss = json!({"resultado": "sin_nss", "nombre": "A B C", "curp": "X", "token": "t"});
    validar(200, "application/json", sin_nss.clone()).expect("a right answer");

    // A field missing, a field of another type, an unknown tag, a variant's fields under the other tag.
    let mut sin_campo = localizado.clone();
    sin_campo.as_object_mut().unwrap().remove("nss");
    assert!(validar(200, "application/json", sin_campo).is_err());
    let mut otro_tipo = localizado.clone();
    otro_tipo["documentos"][0]["folio"] = json!(7);
    assert!(validar(200, "application/json", otro_tipo).is_err());
    let mut otra_etiqueta = sin_nss.clone();
    otra_etiqueta["resultado"] = json!("asignado");
    assert!(validar(200, "application/json", otra_etiqueta).is_err());
    let mut cruzado = sin_nss.clone();
    cruzado["resultado"] = json!("localizado");
    assert!(validar(200, "application/json", cruzado).is_err());
    // Not JSON at all.
    assert!(contrato()
        .validar(
            &Method::POST,
            Some("/api/nss/solicitudes"),
            StatusCode::OK,
            &json_de("application/json"),
            b"<html>",
        )
        .is_err());

    // Errors: a Problema as application/problem+json, nothing else.
    let problema = json!({"type": "/problemas/validacion", "title": "Hay un problema", "status": 422,
        "detail": "Revisa los datos marcados.", "errores": {"curp": ["La CURP debe tener 18 caracteres."]}});
    validar(422, "application/problem+json", problema.clone()).expect("a right problem");
    assert!(validar(422, "application/json", problema.clone()).is_err());
    let mut sin_errores = problema.clone();
    sin_errores.as_object_mut().unwrap().remove("errores");
    assert!(validar(422, "application/problem+json", sin_errores).is_err());
    let mut mensajes_no_lista = problema.clone();
    mensajes_no_lista["errores"]["curp"] = json!("texto");
    assert!(validar(422, "application/problem+json", mensajes_no_lista).is_err());
    let mut status_texto = problema.clone();
    status_texto["status"] = json!("422");
    assert!(validar(422, "application/problem+json", status_texto).is_err());
    // A status the operation does not document.
    let err = validar(418, "application/problem+json", problema).unwrap_err();
    assert!(err.contains("not documented"), "{err}");
}

/// Every error answer of every `/api` operation is a `Problema` as `application/problem+json`.
#[test]
fn cada_error_es_un_problema() {
    let doc = &contrato().doc;
    let mut vistos = 0;
    for (m, ruta) in operaciones(doc) {
        if !ruta.starts_with("/api/") {
            continue;
        }
        for (status, respuesta) in doc["paths"][&ruta][&m]["responses"].as_object().unwrap() {
            if status.starts_with('2') {
                continue;
            }
            let contenido = respuesta["content"]
                .as_object()
                .unwrap_or_else(|| panic!("{m} {ruta} {status}: no content"));
            assert_eq!(
                contenido.keys().collect::<Vec<_>>(),
                ["application/problem+json"],
                "{m} {ruta} {status}"
            );
            assert_eq!(
                contenido["application/problem+json"]["schema"]["$ref"],
                "#/components/schemas/Problema",
                "{m} {ruta} {status}"
            );
            vistos += 1;
        }
        // Every /api operation may time out (503) or fail unexpectedly (500); every POST may meet the per-IP limit.
        let respuestas = &doc["paths"][&ruta][&m]["responses"];
        if ruta != RUTA_DOCUMENTO {
            assert!(respuestas.get("500").is_some(), "{m} {ruta}");
            assert!(respuestas.get("503").is_some(), "{m} {ruta}");
            if m == "post" {
                assert!(respuestas.get("429").is_some(), "{m} {ruta}");
            }
        }
    }
    assert!(vistos > 20, "{vistos}");
}

/// Every `$ref` of the document names a schema of its components.
#[test]
fn cada_ref_existe() {
    fn refs<'a>(v: &'a Value, fuera: &mut Vec<&'a str>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    fuera.push(r);
                }
                m.values().for_each(|x| refs(x, fuera));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, fuera)),
            _ => {}
        }
    }
    let doc = &contrato().doc;
    let mut todas = Vec::new();
    refs(doc, &mut todas);
    assert!(todas.len() > 30, "{}", todas.len());
    for r in todas {
        let nombre = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{r}"));
        assert!(
            doc["components"]["schemas"].get(nombre).is_some(),
            "{r} does not exist"
        );
    }
}

/// The tagged enums are described as serde writes them: one object per variant, `resultado` a constant of it.
#[test]
fn enums_etiquetados_como_los_escribe_serde() {
    let esquemas = &contrato().doc["components"]["schemas"];
    let variantes = esquemas["ResultadoSolicitud"]["oneOf"]
        .as_array()
        .expect("ResultadoSolicitud is a oneOf");
    assert_eq!(variantes.len(), 3);
    let texto = serde_json::to_string(variantes).unwrap();
    assert!(
        texto.contains("\"localizado\"")
            && texto.contains("\"sin_nss\"")
            && texto.contains("\"revisa_tu_correo\""),
        "{texto}"
    );
    for v in variantes {
        let requeridos = v["required"].as_array().expect("required");
        assert!(requeridos.contains(&json!("resultado")), "{v}");
    }
    // Domicilio's optional fields are optional, as `skip_serializing_if` leaves them out.
    let requeridos = esquemas["Domicilio"]["required"].as_array().unwrap();
    for opcional in ["numero_interior", "estado", "municipio"] {
        assert!(!requeridos.contains(&json!(opcional)), "{opcional}");
    }
    // `type` is the problem's field, as `#[serde(rename = "type")]` writes it.
    assert!(esquemas["Problema"]["properties"]["type"].is_object());
    assert!(esquemas["Problema"]["properties"].get("tipo").is_none());
}

/// `GET /api/openapi.json` serves the generated document, OpenAPI 3.1.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn el_documento_servido_es_el_generado() {
    let e = entorno(Backend::Sqlite).await;
    let (s, v, h) = llamar(&e.state, get(RUTA_DOCUMENTO)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h[header::CONTENT_TYPE], "application/json");
    assert_eq!(v, contrato().doc);
    assert_eq!(v["openapi"], "3.1.0");
    assert_eq!(v["info"]["title"], "Afíliate API");
}

/// `/api/docs/` is Swagger UI from the binary: same-origin files only, no inline script, under its own CSP.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pagina_de_documentacion() {
    let e = entorno(Backend::Sqlite).await;
    let (_, s, h, _) = enviar(&e, get("/api/docs")).await;
    assert!(s.is_redirection(), "{s}");
    assert_eq!(h[header::LOCATION], "/api/docs/");

    let (_, s, h, cuerpo) = enviar(&e, get("/api/docs/")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(h[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert_eq!(csp, afiliate_server::http::openapi::CSP_VISOR);
    assert!(csp.contains("script-src 'self';"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    // Every other answer keeps the app's policy.
    let (_, _, h_doc, _) = enviar(&e, get(RUTA_DOCUMENTO)).await;
    let csp_app = h_doc[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(
        csp_app.contains("script-src 'self' 'wasm-unsafe-eval';"),
        "{csp_app}"
    );
    let html = String::from_utf8(cuerpo.to_vec()).unwrap();
    // Every <script> has a relative src (a file of this origin) and no inline code.
    let scripts: Vec<&str> = html.split("<script").skip(1).collect();
    assert!(scripts.len() >= 2, "{html}");
    for s in &scripts {
        let (etiqueta, resto) = s.split_once('>').unwrap();
        assert!(etiqueta.contains("src=\"./"), "{etiqueta}");
        let codigo = resto.split("</script>").next().unwrap();
        assert!(codigo.trim().is_empty(), "inline script: {codigo}");
    }
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "{html}"
    );

    for (archivo, tipo, minimo) in [
        ("swagger-ui-bundle.js", "javascript", 100_000),
        ("swagger-ui-standalone-preset.js", "javascript", 10_000),
        ("swagger-ui.css", "text/css", 10_000),
        ("index.css", "text/css", 10),
    ] {
        let (_, s, h, cuerpo) = enviar(&e, get(&format!("/api/docs/{archivo}"))).await;
        assert_eq!(s, StatusCode::OK, "{archivo}");
        assert!(
            h[header::CONTENT_TYPE].to_str().unwrap().contains(tipo),
            "{archivo}: {:?}",
            h[header::CONTENT_TYPE]
        );
        assert!(cuerpo.len() > minimo, "{archivo}: {} bytes", cuerpo.len());
    }
    // The initializer points at this server's document and at no validator.
    let (_, s, _, cuerpo) = enviar(&e, get("/api/docs/swagger-initializer.js")).await;
    assert_eq!(s, StatusCode::OK);
    let js = String::from_utf8(cuerpo.to_vec()).unwrap();
    assert!(js.contains(&format!("\"{RUTA_DOCUMENTO}\"")), "{js}");
    assert!(!js.contains("petstore"), "{js}");
    assert!(js.contains("\"validatorUrl\": \"none\""), "{js}");
}

/// The schools' endpoints name their security scheme (the school's key as a bearer token) and take `text/csv`.
#[test]
fn las_rutas_de_escuelas_piden_la_clave() {
    let doc = &contrato().doc;
    assert_eq!(
        doc["components"]["securitySchemes"]["clave_escuela"]["scheme"],
        "bearer"
    );
    for ruta in [
        "/api/escuelas/{cct}/inscripciones",
        "/api/escuelas/{cct}/bajas",
    ] {
        let op = &doc["paths"][ruta]["post"];
        assert!(
            op["security"][0].get("clave_escuela").is_some(),
            "{ruta}: {op}"
        );
        assert!(
            op["requestBody"]["content"].get("text/csv").is_some(),
            "{ruta}"
        );
        assert!(op["responses"].get("401").is_some(), "{ruta}");
    }
    let desc = doc["paths"]["/api/escuelas/{cct}/inscripciones"]["post"]["description"]
        .as_str()
        .unwrap();
    assert!(
        desc.contains("AAAA-AAAA") && desc.contains("AAAA-1"),
        "{desc}"
    );
    let esquemas = &doc["components"]["schemas"];
    for e in [
        "ReporteInscripciones",
        "RenglonInscripcion",
        "ResultadoVigencia",
        "UmfDeCodigoPostal",
    ] {
        assert!(esquemas.get(e).is_some(), "{e} missing");
    }
}
