//! The NSS API end to end through the router, on SQLite and on PostgreSQL.

mod common;

use afiliate_domain::nss::Nss;
use afiliate_server::error::{
    MSG_CAPTCHA, MSG_FALLA_RENAPO, MSG_LIMITE_DIARIO, MSG_NO_RENAPO, MSG_SUBDELEGACION,
};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use serde_json::{json, Value};
use sqlx::Row;

async fn contar(e: &Entorno, sql: &str) -> i64 {
    sqlx::query(sql)
        .fetch_one(&e.state.db().pool)
        .await
        .expect("count")
        .get(0)
}

async fn localizado(b: Backend) {
    let e = entorno(b).await;
    let d = demos();
    let (s, v) = solicitar(&e.state, &d.localizado, "mariana@example.com").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["resultado"], "localizado");
    assert_eq!(v["nss"], d.localizado_nss.as_str());
    assert_eq!(v["curp"], d.localizado.as_str());
    assert_eq!(v["nombre"], "MARIANA GARCIA LOPEZ");
    let docs = v["documentos"].as_array().expect("documentos");
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0]["documento"], "Número de Seguridad Social");
    assert_eq!(
        docs[1]["documento"],
        "Tarjeta de Número de Seguridad Social"
    );
    for doc in docs {
        assert!(doc["ver_url"]
            .as_str()
            .unwrap()
            .contains(doc["folio"].as_str().unwrap()));
        let fecha = doc["fecha"].as_str().unwrap();
        assert_eq!(fecha.len(), 10);
        assert_eq!(&fecha[2..3], "/");
    }
    assert_eq!(contar(&e, "SELECT COUNT(*) FROM documentos").await, 2);
    assert_eq!(contar(&e, "SELECT COUNT(*) FROM outbox").await, 1);
    // The PDF behind the link opens.
    let (s, _, h) = llamar(&e.state, get(docs[0]["ver_url"].as_str().unwrap())).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h["content-type"], "application/pdf");
    // A second solicitud reuses the documents and queues one more email.
    let (s, v2) = solicitar(&e.state, &d.localizado, "mariana@example.com").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v2["documentos"][0]["folio"], docs[0]["folio"]);
    assert_eq!(contar(&e, "SELECT COUNT(*) FROM documentos").await, 2);
    assert_eq!(contar(&e, "SELECT COUNT(*) FROM outbox").await, 2);
}

async fn token_de(e: &Entorno, curp: &str) -> String {
    let (s, v) = solicitar(&e.state, curp, "alumno@example.com").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["resultado"], "sin_nss");
    assert_eq!(v["curp"], curp);
    v["token"].as_str().expect("token").to_string()
}

async fn asignacion_e_idempotencia(b: Backend) {
    let e = entorno(b).await;
    let d = demos();
    let token = token_de(&e, &d.sin_nss).await;
    let cuerpo = json!({"token": token, "domicilio": domicilio_manual()});
    let (s, v, _) = llamar(&e.state, post_json("/api/nss/asignaciones", &cuerpo)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["resultado"], "asignado");
    assert_eq!(v["nombre"], "JOSE LUIS MARTINEZ RAMIREZ");
    let nss = Nss::parse(v["nss"].as_str().unwrap()).expect("valid NSS");
    assert_eq!(
        nss.subdelegacion(),
        14,
        "Coyoacán's subdelegación in the embedded table"
    );
    assert_eq!(
        nss.anio_afiliacion(),
        afiliate_server::service::anio_afiliacion(e.state.ahora())
    );
    assert_eq!(nss.anio_nacimiento(), 6);
    assert_eq!(nss.consecutivo(), 1);
    assert_eq!(v["documentos"].as_array().unwrap().len(), 2);
    // The same request again: the same NSS and documents, nothing new queued.
    let (s, v2, _) = llamar(&e.state, post_json("/api/nss/asignaciones", &cuerpo)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v2["nss"], v["nss"]);
    assert_eq!(v2["documentos"][0]["folio"], v["documentos"][0]["folio"]);
    assert_eq!(contar(&e, "SELECT COUNT(*) FROM outbox").await, 1);
    // A new solicitud now locates it.
    let (s, v3) = solicitar(&e.state, &d.sin_nss, "alumno@example.com").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v3["resultado"], "localizado");
    assert_eq!(v3["nss"], v["nss"]);
    // The next person in the same series gets the next consecutive number.
    let token2 = token_de(&e, &d.sin_nss_2).await;
    let (s, v4, _) = asignar_con_token(&e.state, &token2).await;
    assert_eq!(s, StatusCode::OK);
    let nss2 = Nss::parse(v4["nss"].as_str().unwrap()).unwrap();
    assert_eq!(nss2.anio_nacimiento(), 5);
    assert_ne!(nss2.as_str(), nss.as_str());
}

async fn concurrentes_un_solo_nss(b: Backend) {
    let e = entorno(b).await;
    let d = demos();
    let token = token_de(&e, &d.sin_nss).await;
    let cuerpo = json!({"token": token, "domicilio": domicilio_manual()});
    let mut tareas = Vec::new();
    for _ in 0..200 {
        let st = e.state.clone();
        let c = cuerpo.clone();
        tareas.push(tokio::spawn(async move {
            let (s, v, _) = llamar(&st, post_json("/api/nss/asignaciones", &c)).await;
            assert_eq!(s, StatusCode::OK, "{v}");
            v["nss"].as_str().unwrap().to_string()
        }));
    }
    let mut todos = std::collections::HashSet::new();
    for t in tareas {
        todos.insert(t.await.unwrap());
    }
    assert_eq!(todos.len(), 1, "one CURP, one NSS: {todos:?}");
    assert_eq!(
        contar(
            &e,
            "SELECT COUNT(*) FROM nss_asignaciones WHERE origen = 'asignado'"
        )
        .await,
        1
    );
    assert_eq!(contar(&e, "SELECT COUNT(*) FROM outbox").await, 1);
}

async fn diez_mil_curps(b: Backend) {
    use afiliate_server::service::{Pedido, Serie, Token};
    let e = entorno(b).await;
    let (personas, con_nss, _) = afiliate_server::cli::datos_demo(16_000).unwrap();
    let con_nss: std::collections::HashSet<String> = con_nss.into_iter().map(|(c, _)| c).collect();
    let personas: Vec<_> = personas
        .into_iter()
        .skip(6)
        .filter(|p| !con_nss.contains(&p.curp))
        .take(10_000)
        .collect();
    assert_eq!(personas.len(), 10_000);
    let n = personas.len();
    let sem = std::sync::Arc::new(tokio::sync::Semaphore::new(32));
    let mut tareas = Vec::new();
    for p in personas {
        let st = e.state.clone();
        let sem = sem.clone();
        tareas.push(tokio::spawn(async move {
            let _permiso = sem.acquire().await.unwrap();
            let curp = afiliate_domain::curp::Curp::parse(&p.curp).unwrap();
            let serie = Serie {
                subdelegacion: 14,
                anio_afiliacion: 26,
                anio_nacimiento: (curp.fecha_nacimiento().anio % 100) as u8,
            };
            let token = Token {
                curp: p.curp.clone(),
                correo: "a@example.com".into(),
                nombre: p.nombre_completo(),
                expira: i64::MAX,
            };
            // Through the same path as the API: batched group commits on SQLite.
            let pedido = Pedido {
                token,
                serie,
                domicilio: domicilio_de_prueba(),
                ahora: 1_767_225_600,
            };
            let (nss, _, _) = st
                .db()
                .asignar(st.docs().clone(), pedido)
                .await
                .expect("assigned");
            (p.curp, nss)
        }));
    }
    let mut por_nss = std::collections::HashSet::new();
    let mut por_curp = std::collections::HashSet::new();
    for t in tareas {
        let (curp, nss) = t.await.unwrap();
        let parsed = Nss::parse(&nss).expect("valid check digit");
        assert_eq!(parsed.subdelegacion(), 14);
        assert!(por_nss.insert(nss));
        assert!(por_curp.insert(curp));
    }
    assert_eq!(por_nss.len(), n);
    assert_eq!(
        contar(
            &e,
            "SELECT COUNT(DISTINCT nss) FROM nss_asignaciones WHERE origen = 'asignado'"
        )
        .await,
        n as i64
    );
}

async fn serie_agotada(b: Backend) {
    let e = entorno(b).await;
    let d = demos();
    let anio = i64::from(afiliate_server::service::anio_afiliacion(e.state.ahora()));
    sqlx::query("INSERT INTO nss_series (subdelegacion, anio_afiliacion, anio_nacimiento, ultimo) VALUES (14, $1, 6, 9999)")
        .bind(anio)
        .execute(&e.state.db().pool)
        .await
        .unwrap();
    let token = token_de(&e, &d.sin_nss).await;
    let (s, v, h) = asignar_con_token(&e.state, &token).await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    assert_eq!(v["type"], "/problemas/serie-agotada");
    assert_eq!(h["content-type"], "application/problem+json");
    assert_eq!(
        contar(
            &e,
            "SELECT ultimo FROM nss_series WHERE subdelegacion = 14 AND anio_nacimiento = 6"
        )
        .await,
        9999
    );
    assert_eq!(
        contar(
            &e,
            "SELECT COUNT(*) FROM nss_asignaciones WHERE origen = 'asignado'"
        )
        .await,
        0
    );
}

async fn errores_de_validacion(b: Backend) {
    let e = entorno(b).await;
    let d = demos();
    let vacia = json!({"curp": "", "correo": "", "confirmacion_correo": "", "captcha_id": "", "captcha_respuesta": ""});
    let (s, v, h) = llamar(&e.state, post_json("/api/nss/solicitudes", &vacia)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(h["content-type"], "application/problem+json");
    assert_eq!(v["status"], 422);
    for campo in ["curp", "correo", "captcha_respuesta"] {
        assert!(
            v["errores"][campo][0]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{campo}: {v}"
        );
    }
    // Wrong check digit.
    let mut mala = d.sin_nss.clone();
    let ultimo = mala.pop().unwrap();
    mala.push(if ultimo == '0' { '1' } else { '0' });
    let id = captcha(&e.state).await;
    let (s, v, _) = llamar(
        &e.state,
        post_json(
            "/api/nss/solicitudes",
            &solicitud_json(&mala, "a@example.com", &id, CAPTCHA),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["errores"]["curp"][0].as_str().unwrap().len() > 5, "{v}");
    // Emails that differ.
    let mut cuerpo = solicitud_json(&d.sin_nss, "a@example.com", &id, CAPTCHA);
    cuerpo["confirmacion_correo"] = json!("b@example.com");
    let (s, v, _) = llamar(&e.state, post_json("/api/nss/solicitudes", &cuerpo)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        v["errores"]["confirmacion_correo"][0]
            .as_str()
            .unwrap()
            .contains("coinciden"),
        "{v}"
    );
    // Invalid email.
    let (s, v, _) = llamar(
        &e.state,
        post_json(
            "/api/nss/solicitudes",
            &solicitud_json(&d.sin_nss, "sin-arroba", &id, CAPTCHA),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        v["errores"]["correo"][0].as_str().unwrap().contains('@'),
        "{v}"
    );
    // The CAPTCHA was not spent by those: the next valid solicitud with it passes.
    let (s, v, _) = llamar(
        &e.state,
        post_json(
            "/api/nss/solicitudes",
            &solicitud_json(&d.sin_nss, "a@example.com", &id, CAPTCHA),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let token = v["token"].as_str().unwrap().to_string();
    // Address errors: empty fields, unknown state.
    let cuerpo = json!({"token": token, "domicilio": {"codigo_postal": "12", "colonia": "", "calle": "", "numero_exterior": ""}});
    let (s, v, _) = llamar(&e.state, post_json("/api/nss/asignaciones", &cuerpo)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    for campo in [
        "domicilio.codigo_postal",
        "domicilio.calle",
        "domicilio.numero_exterior",
    ] {
        assert!(v["errores"][campo].is_array(), "{campo}: {v}");
    }
    let mut dom = domicilio_manual();
    dom["estado"] = json!("Narnia");
    dom["municipio"] = json!("");
    let (s, v, _) = llamar(
        &e.state,
        post_json(
            "/api/nss/asignaciones",
            &json!({"token": token, "domicilio": dom}),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["errores"]["domicilio.estado"].is_array(), "{v}");
    assert!(v["errores"]["domicilio.municipio"].is_array(), "{v}");
    // An unknown token.
    let (s, v, _) = asignar_con_token(&e.state, &"f".repeat(64)).await;
    assert_eq!(s, StatusCode::GONE, "{v}");
    assert!(v["errores"]["token"].is_array());
}

async fn token_expira(b: Backend) {
    let e = entorno(b).await;
    let token = token_de(&e, &demos().sin_nss).await;
    e.state.adelantar_reloj(31 * 60);
    let (s, v, _) = asignar_con_token(&e.state, &token).await;
    assert_eq!(s, StatusCode::GONE, "{v}");
    assert_eq!(v["type"], "/problemas/solicitud-expirada");
}

async fn captcha_mal_expirado_y_reusado(b: Backend) {
    let e = entorno(b).await;
    let d = demos();
    // Wrong answer burns the challenge.
    let id = captcha(&e.state).await;
    let (s, v, _) = llamar(
        &e.state,
        post_json(
            "/api/nss/solicitudes",
            &solicitud_json(&d.sin_nss, "a@example.com", &id, "abc23x"),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["detail"], MSG_CAPTCHA);
    assert_eq!(v["errores"]["captcha_respuesta"][0], MSG_CAPTCHA);
    let (s, _, _) = llamar(
        &e.state,
        post_json(
            "/api/nss/solicitudes",
            &solicitud_json(&d.sin_nss, "a@example.com", &id, CAPTCHA),
        ),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a burnt CAPTCHA never passes"
    );
    // Reused after a success.
    let id = captcha(&e.state).await;
    let (s, _, _) = llamar(
        &e.state,
        post_json(
            "/api/nss/solicitudes",
            &solicitud_json(&d.sin_nss, "a@example.com", &id, CAPTCHA),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v, _) = llamar(
        &e.state,
        post_json(
            "/api/nss/solicitudes",
            &solicitud_json(&d.sin_nss, "a@example.com", &id, CAPTCHA),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["type"], "/problemas/captcha-invalido");
    // Expired.
    let id = captcha(&e.state).await;
    let (s, _, _) = llamar(&e.state, get(&format!("/api/captcha/{id}/imagen"))).await;
    assert_eq!(s, StatusCode::OK);
    e.state.adelantar_reloj(10 * 60 + 1);
    for forma in ["imagen", "audio"] {
        let (s, _, _) = llamar(&e.state, get(&format!("/api/captcha/{id}/{forma}"))).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{forma}");
    }
    let (s, v, _) = llamar(
        &e.state,
        post_json(
            "/api/nss/solicitudes",
            &solicitud_json(&d.sin_nss, "a@example.com", &id, CAPTCHA),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["detail"], MSG_CAPTCHA);
    // Made-up id.
    let (s, _, _) = llamar(
        &e.state,
        post_json(
            "/api/nss/solicitudes",
            &solicitud_json(&d.sin_nss, "a@example.com", "inventado", CAPTCHA),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn imagen_captcha_png(b: Backend) {
    let e = entorno_con(b, |c| c.captcha_fixed = None).await;
    let (s, v, _) = llamar(
        &e.state,
        Request::post("/api/captcha").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let url = v["imagen_url"].as_str().unwrap().to_string();
    assert_eq!(
        url,
        format!("/api/captcha/{}/imagen", v["id"].as_str().unwrap())
    );
    let res = tower::ServiceExt::oneshot(afiliate_server::app(e.state.clone()), get(&url))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/png");
    let bytes = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    assert_eq!(&bytes[..4], b"\x89PNG");
    // The same challenge spoken, for people who cannot see the image.
    let audio = v["audio_url"].as_str().unwrap().to_string();
    assert_eq!(
        audio,
        format!("/api/captcha/{}/audio", v["id"].as_str().unwrap())
    );
    let res = tower::ServiceExt::oneshot(afiliate_server::app(e.state.clone()), get(&audio))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "audio/wav");
    assert_eq!(res.headers()["cache-control"], "no-store");
    let bytes = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    assert_eq!(&bytes[..4], b"RIFF");
    // 5 or 6 characters said twice with pauses: several seconds at 8,000 bytes a second.
    assert!(bytes.len() > 5 * 8000, "{} bytes", bytes.len());
    // Without the fixed answer, the fixed text does not pass.
    let (s, _, _) = llamar(
        &e.state,
        post_json(
            "/api/nss/solicitudes",
            &solicitud_json(
                &demos().sin_nss,
                "a@example.com",
                v["id"].as_str().unwrap(),
                CAPTCHA,
            ),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn limites_diarios(b: Backend) {
    let e = entorno_con(b, |c| {
        c.limite_curp_dia = 2;
        c.limite_correo_dia = 3;
    })
    .await;
    let d = demos();
    for _ in 0..2 {
        let (s, _) = solicitar(&e.state, &d.sin_nss, "x@example.com").await;
        assert_eq!(s, StatusCode::OK);
    }
    let (s, v) = solicitar(&e.state, &d.sin_nss, "y@example.com").await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(v["detail"], MSG_LIMITE_DIARIO);
    // Per email: x@ has 2, a third with another CURP is fine, the fourth is not.
    let (s, _) = solicitar(&e.state, &d.sin_nss_2, "x@example.com").await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = solicitar(&e.state, &d.localizado, "x@example.com").await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(v["type"], "/problemas/limite-diario");
    // The next day (Mexico City time) counts again.
    e.state.adelantar_reloj(86_400);
    let (s, _) = solicitar(&e.state, &d.sin_nss, "y@example.com").await;
    assert_eq!(s, StatusCode::OK);
}

async fn renapo_respuestas(b: Backend) {
    let e = entorno(b).await;
    let d = demos();
    let (s, v) = solicitar(&e.state, &d.no_renapo, "a@example.com").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["detail"], MSG_NO_RENAPO);
    assert_eq!(v["errores"]["curp"][0], MSG_NO_RENAPO);
    let (s, v) = solicitar(&e.state, &d.no_coincide, "a@example.com").await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(v["detail"], MSG_SUBDELEGACION);
}

/// A RENAPO-like service on loopback: answers 500 for every CURP, or the demo people when `sano`.
async fn renapo_falso(sano: bool) -> String {
    use axum::extract::Path;
    use axum::routing::get;
    let app = axum::Router::new().route(
        "/curp/{curp}",
        get(move |Path(curp): Path<String>| async move {
            if !sano {
                return (StatusCode::INTERNAL_SERVER_ERROR, "falla".to_string());
            }
            let (personas, _, _) = afiliate_server::cli::datos_demo(0).unwrap();
            match personas.into_iter().find(|p| p.curp == curp) {
                Some(p) => (StatusCode::OK, serde_json::to_string(&p).unwrap()),
                None => (StatusCode::NOT_FOUND, "{}".to_string()),
            }
        }),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(l, app).await });
    format!("http://{addr}")
}

async fn renapo_caido(b: Backend) {
    let url = renapo_falso(false).await;
    let e = entorno_con(b, |c| {
        c.renapo_url = Some(url);
        c.renapo_retries = 1;
        c.renapo_timeout_ms = 2000;
    })
    .await;
    let (s, v) = solicitar(&e.state, &demos().sin_nss, "a@example.com").await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    assert_eq!(v["detail"], MSG_FALLA_RENAPO);
    for tabla in [
        "documentos",
        "outbox",
        "nss_asignaciones WHERE origen = 'asignado'",
    ] {
        assert_eq!(
            contar(&e, &format!("SELECT COUNT(*) FROM {tabla}")).await,
            0,
            "nothing saved half-way: {tabla}"
        );
    }
    // Nobody listening at all.
    let cerrado = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let e = entorno_con(b, |c| {
        c.renapo_url = Some(format!("http://{cerrado}"));
        c.renapo_retries = 0;
    })
    .await;
    let (s, v) = solicitar(&e.state, &demos().sin_nss, "a@example.com").await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(v["type"], "/problemas/renapo-no-disponible");
}

async fn renapo_http_sano(b: Backend) {
    let url = renapo_falso(true).await;
    let e = entorno_con(b, |c| c.renapo_url = Some(url)).await;
    let d = demos();
    let (s, v) = solicitar(&e.state, &d.sin_nss, "a@example.com").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["resultado"], "sin_nss");
    let (s, _) = solicitar(&e.state, &d.no_renapo, "a@example.com").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn cuerpos_invalidos(b: Backend) {
    let e = entorno(b).await;
    let malformado = Request::post("/api/nss/solicitudes")
        .header("content-type", "application/json")
        .body(Body::from("{\"curp\": "))
        .unwrap();
    let (s, v, h) = llamar(&e.state, malformado).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(h["content-type"], "application/problem+json");
    assert!(v["detail"].as_str().unwrap().contains("JSON"));
    let faltan = post_json("/api/nss/solicitudes", &json!({"curp": "X"}));
    let (s, _, _) = llamar(&e.state, faltan).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let texto = Request::post("/api/nss/solicitudes")
        .header("content-type", "text/plain")
        .body(Body::from("{}"))
        .unwrap();
    let (s, v, _) = llamar(&e.state, texto).await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(v["status"], 415);
    let enorme = json!({"curp": "A".repeat(100_000), "correo": "", "confirmacion_correo": "", "captcha_id": "", "captcha_respuesta": ""});
    let (s, v, _) = llamar(&e.state, post_json("/api/nss/solicitudes", &enorme)).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    let (s, v, _) = llamar(
        &e.state,
        post_json("/api/nss/asignaciones", &json!({"token": 5})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, v, _) = llamar(&e.state, get("/api/no-existe")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(v["status"], 404);
}

async fn salud_y_metricas(b: Backend) {
    let e = entorno(b).await;
    let (s, _, h) = llamar(&e.state, get("/readyz")).await;
    assert_eq!(s, StatusCode::OK);
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'self'"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h.contains_key("referrer-policy"));
    solicitar(&e.state, &demos().localizado, "a@example.com").await;
    let res = tower::ServiceExt::oneshot(afiliate_server::app(e.state.clone()), get("/metrics"))
        .await
        .unwrap();
    let texto = String::from_utf8(
        http_body_util::BodyExt::collect(res.into_body())
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap();
    assert!(
        texto.contains(
            "afiliate_http_requests_total{route=\"/api/nss/solicitudes\",status=\"200\"}"
        ),
        "{texto}"
    );
    assert!(texto.contains("afiliate_http_request_duration_seconds_bucket"));
    assert!(
        !texto.contains(&demos().localizado),
        "no personal data in metrics"
    );
    let (s, v, _) = llamar(&e.state, get("/api/openapi.json")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["paths"]["/api/nss/solicitudes"].is_object());
}

async fn codigo_postal_sin_catalogo(b: Backend) {
    let e = entorno(b).await;
    let (s, v, _) = llamar(&e.state, get("/api/cp/04000")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(v["status"], 404);
    let (s, v, _) = llamar(&e.state, get("/api/cp/12")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["errores"]["codigo_postal"].is_array());
}

async fn reenvio_y_verificacion(b: Backend) {
    let e = entorno(b).await;
    let (_, v) = solicitar(&e.state, &demos().localizado, "a@example.com").await;
    let folio = v["documentos"][0]["folio"].as_str().unwrap().to_string();
    for _ in 0..3 {
        let (s, v, _) = llamar(
            &e.state,
            Request::post(format!("/api/documentos/{folio}/reenvios"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    let (s, _, _) = llamar(
        &e.state,
        Request::post(format!("/api/documentos/{folio}/reenvios"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(contar(&e, "SELECT COUNT(*) FROM outbox").await, 4);
    let (s, v, _) = llamar(&e.state, get(&format!("/api/verificacion/{folio}"))).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["autentico"], true);
}

fn escribir_catalogo(dir: &std::path::Path) {
    let mut b = afiliate_domain::postal::CatalogoBuilder::new();
    b.agregar(
        "04510",
        9,
        "Coyoacán",
        "Ciudad de México",
        "Ciudad Universitaria",
        "Colonia",
    )
    .unwrap();
    b.agregar(
        "04510",
        9,
        "Coyoacán",
        "Ciudad de México",
        "Copilco el Alto",
        "Colonia",
    )
    .unwrap();
    let cat = b.build();
    let d = dir.join("catalog");
    std::fs::create_dir_all(d.join("cp")).unwrap();
    std::fs::write(d.join("catalogo.bin"), cat.to_bytes()).unwrap();
    std::fs::write(d.join("cp").join("0451.txt"), "04510|...").unwrap();
}

async fn con_catalogo(b: Backend) {
    let e = entorno_con(b, |c| escribir_catalogo(&c.data_dir)).await;
    let (s, v, _) = llamar(&e.state, get("/api/cp/04510")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["codigo_postal"], "04510");
    assert_eq!(v["municipio"], "Coyoacán");
    assert_eq!(v["asentamientos"].as_array().unwrap().len(), 2);
    let (s, _, _) = llamar(&e.state, get("/api/cp/99999")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let res = tower::ServiceExt::oneshot(
        afiliate_server::app(e.state.clone()),
        get("/catalogo/cp/0451.txt"),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("max-age=604800"));
    let token = token_de(&e, &demos().sin_nss).await;
    let mala = json!({"token": token, "domicilio": {"codigo_postal": "04510", "colonia": "Del Valle", "calle": "Av. Universidad", "numero_exterior": "3000"}});
    let (s, v, _) = llamar(&e.state, post_json("/api/nss/asignaciones", &mala)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["errores"]["domicilio.colonia"].is_array(), "{v}");
    let buena = json!({"token": token, "domicilio": {"codigo_postal": "04510", "colonia": "ciudad universitaria", "calle": "Av. Universidad", "numero_exterior": "3000", "numero_interior": "B"}});
    let (s, v, _) = llamar(&e.state, post_json("/api/nss/asignaciones", &buena)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        Nss::parse(v["nss"].as_str().unwrap())
            .unwrap()
            .subdelegacion(),
        14
    );
    // The address is stored with the new NSS, in the catalog's own words.
    let fila = sqlx::query(
        "SELECT codigo_postal, estado, municipio, colonia, calle, numero_exterior, numero_interior \
         FROM domicilios WHERE curp = $1",
    )
    .bind(&demos().sin_nss)
    .fetch_one(&e.state.db().pool)
    .await
    .expect("address stored");
    let guardado: Vec<String> = (0..7).map(|i| fila.get::<String, _>(i)).collect();
    assert_eq!(
        guardado,
        [
            "04510",
            "Ciudad de México",
            "Coyoacán",
            "Ciudad Universitaria",
            "Av. Universidad",
            "3000",
            "B"
        ]
    );
    // Asked again with another address: the same NSS, the first address kept.
    let otra = json!({"token": token, "domicilio": {"codigo_postal": "04510", "colonia": "Ciudad Universitaria", "calle": "Otra", "numero_exterior": "1"}});
    let (s, v2, _) = llamar(&e.state, post_json("/api/nss/asignaciones", &otra)).await;
    assert_eq!(s, StatusCode::OK, "{v2}");
    assert_eq!(v2["nss"], v["nss"]);
    assert_eq!(
        contar(
            &e,
            "SELECT COUNT(*) FROM domicilios WHERE calle = 'Av. Universidad'"
        )
        .await,
        1
    );
}

async fn tiempo_agotado(b: Backend) {
    use axum::routing::get;
    let app = axum::Router::new().route(
        "/curp/{curp}",
        get(|| async {
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
            "{}"
        }),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(l, app).await });
    let e = entorno_con(b, |c| {
        c.renapo_url = Some(format!("http://{addr}"));
        c.renapo_timeout_ms = 10_000;
        c.timeout_ms = 300;
    })
    .await;
    let (s, v) = solicitar(&e.state, &demos().sin_nss, "a@example.com").await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    assert!(v["detail"].as_str().unwrap().contains("tardó demasiado"));
}

/// The daily counters outlive a restart: written behind (SQLite, in memory) or kept in the database (PostgreSQL).
async fn limites_sobreviven_reinicio(b: Backend) {
    let e = entorno(b).await;
    // Two server processes, one after the other, on the same database and the same sello key.
    let proceso = || async {
        let db = afiliate_server::db::Db::connect(&e.url).await.unwrap();
        let mut config = config_base(e.dir.path());
        config.limite_curp_dia = 2;
        let st = afiliate_server::AppState::with_parts(
            config,
            db,
            afiliate_server::documents::Sellador::desde_semilla([42; 32]),
        )
        .unwrap();
        let cargados = st
            .guardia()
            .cargar_intentos(st.db(), st.ahora())
            .await
            .unwrap();
        (st, cargados)
    };
    let d = demos();
    let (primero, cargados) = proceso().await;
    assert_eq!(cargados, 0);
    for _ in 0..2 {
        let (s, _) = solicitar(&primero, &d.sin_nss, "x@example.com").await;
        assert_eq!(s, StatusCode::OK);
    }
    let escritos = primero
        .guardia()
        .guardar_intentos(primero.db())
        .await
        .unwrap();
    if primero.guardia().en_memoria() {
        assert_eq!(escritos, 2, "one counter for the CURP, one for the email");
    }
    // No CURP or email in clear in the table: keyed digests only.
    let filas = sqlx::query("SELECT clave, cuenta FROM intentos")
        .fetch_all(&primero.db().pool)
        .await
        .unwrap();
    assert_eq!(filas.len(), 2);
    for f in &filas {
        let clave: String = f.get(0);
        let cuenta: i64 = f.get(1);
        assert_eq!(cuenta, 2);
        assert_eq!(clave.len(), 32);
        assert!(clave.bytes().all(|b| b.is_ascii_hexdigit()), "{clave}");
    }
    drop(primero);
    let (segundo, cargados) = proceso().await;
    if segundo.guardia().en_memoria() {
        assert_eq!(cargados, 2);
    }
    let (s, v) = solicitar(&segundo, &d.sin_nss, "y@example.com").await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{v}");
}

/// Tokens and CAPTCHA ids are sealed: altered, made up or from another server's key, they are refused.
async fn sellos_ajenos_o_alterados(b: Backend) {
    let e = entorno(b).await;
    let d = demos();
    let token = token_de(&e, &d.sin_nss).await;
    assert!(
        !token.contains(&d.sin_nss),
        "the token does not show the CURP"
    );
    let mut alterado = token.clone().into_bytes();
    let i = alterado.len() / 2;
    alterado[i] = if alterado[i] == b'A' { b'B' } else { b'A' };
    let alterado = String::from_utf8(alterado).unwrap();
    let otro = entorno(b).await;
    let ajeno = token_de(&otro, &d.sin_nss).await;
    for t in [alterado, ajeno] {
        let (s, v, _) = asignar_con_token(&e.state, &t).await;
        assert_eq!(s, StatusCode::GONE, "{v}");
    }
    // The genuine one still works.
    let (s, v, _) = asignar_con_token(&e.state, &token).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // A CAPTCHA made by another server: no picture, never passes.
    let id = captcha(&otro.state).await;
    let (s, _, _) = llamar(&e.state, get(&format!("/api/captcha/{id}/imagen"))).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v, _) = llamar(
        &e.state,
        post_json(
            "/api/nss/solicitudes",
            &solicitud_json(&d.sin_nss, "a@example.com", &id, CAPTCHA),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["type"], "/problemas/captcha-invalido");
    let (s, _, _) = llamar(&e.state, get("/api/captcha/no-es-un-reto/imagen")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

/// Numbers IMSS already issued (imported) are skipped, in a batch as one by one; the counter ends at the last
/// number handed out.
async fn nss_importados_se_saltan(b: Backend) {
    use afiliate_server::service::{Pedido, Serie, Token};
    let e = entorno(b).await;
    let serie = Serie {
        subdelegacion: 14,
        anio_afiliacion: 26,
        anio_nacimiento: 6,
    };
    for (i, n) in [1u16, 2, 4].iter().enumerate() {
        let nss = Nss::from_parts(14, 26, 6, *n).unwrap();
        sqlx::query(
            "INSERT INTO nss_asignaciones (curp, nss, origen, creado_en) VALUES ($1, $2, 'importado', 0)",
        )
        .bind(format!("IMPORTADA{i:09}"))
        .bind(nss.as_str())
        .execute(&e.state.db().pool)
        .await
        .unwrap();
    }
    let tareas: Vec<_> = (0..5)
        .map(|i| {
            let st = e.state.clone();
            let pedido = Pedido {
                token: Token {
                    curp: format!("NUEVA{i:013}"),
                    correo: "a@example.com".into(),
                    nombre: "Persona de Prueba".into(),
                    expira: i64::MAX,
                },
                serie,
                domicilio: domicilio_de_prueba(),
                ahora: 1_767_225_600,
            };
            tokio::spawn(async move { st.db().asignar(st.docs().clone(), pedido).await })
        })
        .collect();
    let mut consecutivos = Vec::new();
    for t in tareas {
        let (nss, docs, nuevo) = t.await.unwrap().expect("assigned");
        assert!(nuevo);
        assert_eq!(docs.len(), 2);
        consecutivos.push(Nss::parse(&nss).unwrap().consecutivo());
    }
    consecutivos.sort();
    assert_eq!(consecutivos, vec![3, 5, 6, 7, 8]);
    assert_eq!(
        contar(
            &e,
            "SELECT ultimo FROM nss_series WHERE subdelegacion = 14 AND anio_afiliacion = 26 AND anio_nacimiento = 6"
        )
        .await,
        8
    );
}

/// `/metrics` shows the outbox backlog and its oldest message's age (read at scrape time from this state's
/// database), the writer's liveness, the mail worker's counters and the latency histogram by route pattern.
async fn metricas_de_cola_y_escritor(b: Backend) {
    let e = entorno(b).await;
    let ahora = e.state.ahora();
    for creado in [ahora - 120, ahora - 5] {
        sqlx::query(
            "INSERT INTO outbox (creado_en, payload, proximo_intento) VALUES ($1, '{}', $2)",
        )
        .bind(creado)
        .bind(ahora + 3600)
        .execute(&e.state.db().pool)
        .await
        .unwrap();
    }
    sqlx::query(
        "INSERT INTO outbox (creado_en, payload, proximo_intento, estado) VALUES ($1, '{}', $1, 'enviado')",
    )
    .bind(ahora - 9999)
    .execute(&e.state.db().pool)
    .await
    .unwrap();
    let (s, _, _) = llamar(&e.state, get("/api/openapi.json")).await;
    assert_eq!(s, StatusCode::OK);
    let res = tower::ServiceExt::oneshot(afiliate_server::app(e.state.clone()), get("/metrics"))
        .await
        .unwrap();
    let texto = String::from_utf8(
        http_body_util::BodyExt::collect(res.into_body())
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap();
    let valor = |nombre: &str| -> f64 {
        texto
            .lines()
            .find_map(|l| l.strip_prefix(nombre)?.strip_prefix(' '))
            .unwrap_or_else(|| panic!("{nombre} missing:\n{texto}"))
            .trim()
            .parse()
            .unwrap()
    };
    assert_eq!(valor("afiliate_outbox_pendientes"), 2.0, "{texto}");
    let edad = valor("afiliate_outbox_mas_antiguo_segundos");
    assert!((120.0..130.0).contains(&edad), "{edad}");
    assert_eq!(valor("afiliate_db_escritor_vivo"), 1.0);
    assert!(valor("afiliate_outbox_abandonados_total") >= 0.0);
    assert!(valor("afiliate_outbox_fallos_total") >= 0.0);
    assert!(valor("afiliate_nss_asignados_total") >= 0.0);
    assert!(texto.contains("# TYPE afiliate_http_request_duration_seconds histogram"));
    assert!(
        texto.contains(
            "afiliate_http_request_duration_seconds_bucket{route=\"/api/openapi.json\",le=\"0.001\"}"
        ),
        "{texto}"
    );
    assert!(
        texto.contains("afiliate_http_request_duration_seconds_count{route=\"/api/openapi.json\"}")
    );
}

en_ambas!(
    metricas_de_cola_y_escritor,
    tiempo_agotado,
    con_catalogo,
    localizado,
    asignacion_e_idempotencia,
    concurrentes_un_solo_nss,
    diez_mil_curps,
    serie_agotada,
    nss_importados_se_saltan,
    errores_de_validacion,
    token_expira,
    captcha_mal_expirado_y_reusado,
    imagen_captcha_png,
    limites_diarios,
    limites_sobreviven_reinicio,
    sellos_ajenos_o_alterados,
    renapo_respuestas,
    renapo_caido,
    renapo_http_sano,
    cuerpos_invalidos,
    salud_y_metricas,
    codigo_postal_sin_catalogo,
    reenvio_y_verificacion,
);

#[allow(dead_code)]
fn _usa(_: Value) {}

/// A group commit whose batched assignment fails (here a trigger refuses one person's documents) falls back to one
/// by one: that request fails alone, without an NSS or an address half-saved, and the others are assigned.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn lote_con_un_pedido_que_falla_sqlite() {
    let e = entorno(Backend::Sqlite).await;
    sqlx::query(
        "CREATE TRIGGER falla_a_proposito BEFORE INSERT ON documentos WHEN NEW.curp = 'MALA00000000000000' \
         BEGIN SELECT RAISE(ABORT, 'rechazado a propósito'); END",
    )
    .execute(&e.state.db().pool)
    .await
    .unwrap();
    let curps: Vec<String> = (0..6)
        .map(|i| {
            if i == 3 {
                "MALA00000000000000".to_string()
            } else {
                format!("BUENA{i:013}")
            }
        })
        .collect();
    let tareas: Vec<_> = curps
        .iter()
        .map(|curp| {
            let st = e.state.clone();
            let pedido = pedido_de_prueba(curp.clone());
            tokio::spawn(async move { st.db().asignar(st.docs().clone(), pedido).await })
        })
        .collect();
    let mut asignados = std::collections::HashSet::new();
    for (curp, t) in curps.iter().zip(tareas) {
        let r = t.await.unwrap();
        if curp.starts_with("MALA") {
            assert!(r.is_err(), "the refused one fails");
        } else {
            let (nss, docs, nuevo) = r.expect("the others are assigned");
            assert!(nuevo && docs.len() == 2);
            assert!(asignados.insert(nss));
        }
    }
    assert_eq!(asignados.len(), 5);
    for tabla in ["nss_asignaciones", "domicilios", "documentos"] {
        assert_eq!(
            contar(
                &e,
                &format!("SELECT COUNT(*) FROM {tabla} WHERE curp = 'MALA00000000000000'")
            )
            .await,
            0,
            "{tabla}"
        );
    }
    assert_eq!(
        contar(&e, "SELECT COUNT(*) FROM outbox").await,
        5,
        "one email per assignment that stood"
    );
}

/// The WAL does not grow for ever: after a lull it is copied into the database file and the next write starts
/// it over from its beginning (a new salt in its header, few frames), and the data written before is all there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wal_empieza_de_nuevo_tras_una_pausa_sqlite() {
    let e = entorno(Backend::Sqlite).await;
    let wal = e.dir.path().join("t.db-wal");
    let asignar = |i: usize| {
        let st = e.state.clone();
        let pedido = pedido_de_prueba(format!("WALPRUEBA{i:09}"));
        async move { st.db().asignar(st.docs().clone(), pedido).await }
    };
    // Salt-1 (bytes 16..20 of the WAL header) changes each time SQLite starts the WAL over.
    let sal = || {
        let b = std::fs::read(&wal).expect("the WAL exists");
        (u32::from_be_bytes([b[16], b[17], b[18], b[19]]), b.len())
    };
    for i in 0..40 {
        asignar(i).await.expect("assigned");
    }
    // Longer than the writer's idle pause and the checkpoint thread's period; on a loaded machine the
    // (low-priority) checkpoint may come later: one more write every half second, for up to 15 s.
    let mut pausa = std::time::Duration::from_millis(1800);
    let mut escritos = 40;
    let (antes, tamano, despues, tamano_despues) = loop {
        let (antes, tamano) = sal();
        tokio::time::sleep(pausa).await;
        asignar(escritos).await.expect("assigned after the pause");
        escritos += 1;
        let (despues, tamano_despues) = sal();
        if antes != despues || escritos == 40 + 28 {
            break (antes, tamano, despues, tamano_despues);
        }
        pausa = std::time::Duration::from_millis(500);
    };
    assert_ne!(antes, despues, "the WAL started over");
    assert_eq!(
        tamano, tamano_despues,
        "overwritten in place: the file neither grew nor shrank"
    );
    assert_eq!(
        contar(
            &e,
            "SELECT COUNT(*) FROM nss_asignaciones WHERE curp LIKE 'WALPRUEBA%'"
        )
        .await,
        escritos as i64
    );
}

/// The checkpoint thread allocates the WAL's next blocks ahead of the writer (fallocate, keeping the file's
/// size): appends then land in blocks the file already has.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wal_con_bloques_por_delante_sqlite() {
    use std::os::unix::fs::MetadataExt;
    let e = entorno(Backend::Sqlite).await;
    for i in 0..40 {
        let pedido = pedido_de_prueba(format!("BLOQUES{i:011}"));
        e.state
            .db()
            .asignar(e.state.docs().clone(), pedido)
            .await
            .expect("assigned");
    }
    // Longer than the checkpoint thread's period; on a loaded machine its (low-priority) turn may come later:
    // looked at every 200 ms for up to 10 s.
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let wal = e.dir.path().join("t.db-wal");
    let mut m = std::fs::metadata(&wal).expect("the WAL exists");
    for _ in 0..44 {
        if m.blocks() * 512 >= m.len() + (64 << 10) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        m = std::fs::metadata(&wal).expect("the WAL exists");
    }
    assert!(
        m.blocks() * 512 >= m.len() + (64 << 10),
        "blocks allocated past the end: {} B allocated for {} B",
        m.blocks() * 512,
        m.len()
    );
}

/// An assignment request for `curp` straight to the database layer (as the API builds it from a valid token).
fn pedido_de_prueba(curp: String) -> afiliate_server::service::Pedido {
    use afiliate_server::service::{Pedido, Serie, Token};
    Pedido {
        token: Token {
            curp,
            correo: "a@example.com".into(),
            nombre: "Persona de Prueba".into(),
            expira: i64::MAX,
        },
        serie: Serie {
            subdelegacion: 14,
            anio_afiliacion: 26,
            anio_nacimiento: 7,
        },
        domicilio: domicilio_de_prueba(),
        ahora: 1_767_225_600,
    }
}
