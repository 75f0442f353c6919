//! Hardening found by review (issue 16): the año de afiliación on Mexico City's calendar, and re-sends that stay
//! within their daily limit under concurrency. (The SQLite writer's supervision and the router's panic catcher are
//! unit tests, `src/db/pruebas_escritor.rs`: their hooks are test-only code of the library.)

mod common;

use afiliate_domain::nss::Nss;
use axum::http::StatusCode;
use chrono::TimeZone as _;
use common::*;

/// Moves `e`'s clock to `instante` (its test offset from the system clock).
fn reloj_en(e: &Entorno, instante: chrono::DateTime<chrono::FixedOffset>) {
    e.state
        .adelantar_reloj(instante.timestamp() - e.state.ahora());
}

async fn nss_asignado(e: &Entorno, curp: &str) -> Nss {
    let (s, v) = solicitar(&e.state, curp, "alumno@example.com").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["resultado"], "sin_nss", "{v}");
    let (s, v, _) = asignar_con_token(&e.state, v["token"].as_str().expect("token")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    Nss::parse(v["nss"].as_str().expect("nss")).expect("valid NSS")
}

/// 31 December 2026 at 23:00 in Mexico City is 1 January 2027 05:00 UTC: the NSS is of 2026 (26); half an hour
/// after midnight there, of 2027.
async fn anio_de_afiliacion_en_la_ciudad_de_mexico(b: Backend) {
    let e = entorno(b).await;
    let cdmx = chrono::FixedOffset::west_opt(6 * 3600).unwrap();
    let noche = cdmx.with_ymd_and_hms(2026, 12, 31, 23, 0, 0).unwrap();
    assert_eq!(
        noche.with_timezone(&chrono::Utc).to_rfc3339(),
        "2027-01-01T05:00:00+00:00"
    );
    reloj_en(&e, noche);
    assert_eq!(
        nss_asignado(&e, &demos().sin_nss).await.anio_afiliacion(),
        26
    );
    reloj_en(&e, cdmx.with_ymd_and_hms(2027, 1, 1, 0, 30, 0).unwrap());
    assert_eq!(
        nss_asignado(&e, &demos().sin_nss_2).await.anio_afiliacion(),
        27
    );
}

#[test]
fn anio_de_afiliacion_por_hora_del_centro() {
    use afiliate_server::service::anio_afiliacion;
    let utc = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp();
    assert_eq!(anio_afiliacion(utc("2027-01-01T05:59:59Z")), 26);
    assert_eq!(anio_afiliacion(utc("2027-01-01T06:00:00Z")), 27);
    assert_eq!(anio_afiliacion(utc("2099-12-31T23:00:00-06:00")), 99);
    assert_eq!(anio_afiliacion(utc("2100-01-01T00:00:00-06:00")), 0);
}

en_ambas!(anio_de_afiliacion_en_la_ciudad_de_mexico);

/// 20 re-sends of one document at once: exactly 3 are queued, the others answer 429 (the count and the insert
/// are one statement: a read then a write let concurrent transactions all see the same count).
async fn reenvios_concurrentes(b: Backend) {
    let e = entorno(b).await;
    let (s, v) = solicitar(&e.state, &demos().localizado, "a@example.com").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let folio = v["documentos"][0]["folio"].as_str().unwrap().to_string();
    let antes = contar(&e, "SELECT COUNT(*) FROM outbox").await;
    let tareas: Vec<_> = (0..20)
        .map(|_| {
            let (state, uri) = (e.state.clone(), format!("/api/documentos/{folio}/reenvios"));
            tokio::spawn(async move {
                let req = axum::http::Request::post(uri)
                    .body(axum::body::Body::empty())
                    .unwrap();
                llamar(&state, req).await.0
            })
        })
        .collect();
    let mut estados = Vec::new();
    for t in tareas {
        estados.push(t.await.unwrap());
    }
    let ok = estados.iter().filter(|s| **s == StatusCode::OK).count();
    let limite = estados
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((ok, limite), (3, 17), "{estados:?}");
    assert_eq!(contar(&e, "SELECT COUNT(*) FROM outbox").await, antes + 3);
    assert_eq!(contar(&e, "SELECT MAX(cuenta) FROM reenvios").await, 3);
}

async fn contar(e: &Entorno, sql: &str) -> i64 {
    use sqlx::Row;
    let fila = sqlx::query(sql)
        .fetch_one(&e.state.db().pool)
        .await
        .expect("count");
    fila.try_get::<i64, _>(0)
        .or_else(|_| fila.try_get::<i32, _>(0).map(i64::from))
        .expect("integer")
}

en_ambas!(reenvios_concurrentes);

/// Two server processes on one PostgreSQL with the same keys, at 1 request a second per client (bursts of 2):
/// four CAPTCHAs asked of them in turn from one address pass twice in all, not twice each; the same /64 is the
/// same client on the other process; another client is not affected. Without the shared limit each process
/// lets two through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn el_limite_por_ip_vale_entre_procesos_en_postgres() {
    use afiliate_server::db::Db;
    use afiliate_server::documents::Sellador;
    use afiliate_server::http::AppState;
    use std::net::SocketAddr;

    let url = nueva_base_pg().await;
    let dir = tempfile::tempdir().unwrap();
    let sellador = Sellador::aleatorio();
    let proceso = |compartido: bool| {
        let (url, sellador, dir) = (url.clone(), sellador.clone(), dir.path().to_path_buf());
        async move {
            let mut config = config_base(&dir);
            config.database_url = Some(url.clone());
            config.limite_ip_seg = 1;
            config.limite_ip_compartido = compartido;
            let db = Db::connect(&url).await.expect("db");
            AppState::with_parts(config, db, sellador).expect("state")
        }
    };
    let pedir = |state: &AppState, desde: &str| {
        let app = afiliate_server::app(state.clone());
        let desde: SocketAddr = desde.parse().unwrap();
        async move {
            let mut req = axum::http::Request::post("/api/captcha")
                .body(axum::body::Body::empty())
                .unwrap();
            req.extensions_mut()
                .insert(axum::extract::ConnectInfo(desde));
            let res = tower::ServiceExt::oneshot(app, req).await.unwrap();
            let retry_after = res.headers().contains_key("retry-after");
            (res.status(), retry_after)
        }
    };

    let (a, b) = (proceso(true).await, proceso(true).await);
    let mut estados = Vec::new();
    for (i, ip) in [
        "200.1.2.3:1000",
        "200.1.2.3:1001",
        "200.1.2.3:1002",
        "200.1.2.3:1003",
    ]
    .iter()
    .enumerate()
    {
        estados.push(pedir(if i % 2 == 0 { &a } else { &b }, ip).await);
    }
    let ok = estados
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    assert_eq!(ok, 2, "{estados:?}");
    assert!(
        estados
            .iter()
            .filter(|(s, _)| *s == StatusCode::TOO_MANY_REQUESTS)
            .all(|(_, ra)| *ra),
        "every 429 has Retry-After: {estados:?}"
    );
    // A /64: two addresses on two processes share one bucket.
    assert_eq!(
        pedir(&a, "[2001:db8:1:2::1]:1").await.0,
        StatusCode::CREATED
    );
    assert_eq!(
        pedir(&b, "[2001:db8:1:2::2]:1").await.0,
        StatusCode::CREATED
    );
    assert_eq!(
        pedir(&a, "[2001:db8:1:2::3]:1").await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(pedir(&b, "200.1.2.4:1").await.0, StatusCode::CREATED);

    // The same four from a new address with the database's part turned off: two through each process.
    let (c, d) = (proceso(false).await, proceso(false).await);
    let mut ok = 0;
    for i in 0..4 {
        if pedir(if i % 2 == 0 { &c } else { &d }, "200.9.9.9:1")
            .await
            .0
            == StatusCode::CREATED
        {
            ok += 1;
        }
    }
    assert_eq!(ok, 4, "each process alone allows its burst");
}

/// The audit log of one trámite: a solicitud with a wrong CAPTCHA, one that finds an NSS, one without and its
/// assignment (twice), a re-send and a school's file: one JSON line each with its outcome, the same person's
/// lines share their digests, and no CURP, NSS or e-mail address is written in clear.
async fn auditoria_de_un_tramite(b: Backend) {
    use afiliate_server::auditoria::Dato;
    let dir = tempfile::tempdir().unwrap();
    let ruta = dir.path().to_path_buf();
    let e = entorno_con(b, |c| c.auditoria = Some(ruta.display().to_string())).await;
    let d = demos();
    let correo = "Auditada@Example.com";

    let malo = solicitud_json(&d.localizado, correo, &captcha(&e.state).await, "no-es");
    let (s, _, _) = llamar(&e.state, post_json("/api/nss/solicitudes", &malo)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, v) = solicitar(&e.state, &d.localizado, correo).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let folio = v["documentos"][0]["folio"].as_str().unwrap().to_string();
    let (s, v) = solicitar(&e.state, &d.sin_nss, correo).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let token = v["token"].as_str().unwrap().to_string();
    let (s, v, _) = asignar_con_token(&e.state, &token).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let nss = v["nss"].as_str().unwrap().to_string();
    let (s, _, _) = asignar_con_token(&e.state, &token).await;
    assert_eq!(s, StatusCode::OK);
    let req = axum::http::Request::post(format!("/api/documentos/{folio}/reenvios"))
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(llamar(&e.state, req).await.0, StatusCode::OK);
    let (_, clave) = afiliate_server::cli::agregar_escuela(
        e.state.db(),
        "09PDM0007Z",
        "Bachillerato de Prueba",
        "Z0000009320",
        "09",
    )
    .await
    .expect("school");
    let req = axum::http::Request::post("/api/escuelas/09PDM0007Z/inscripciones")
        .header("content-type", "text/csv")
        .header("authorization", format!("Bearer {clave}"))
        .body(axum::body::Body::from(format!(
            "curp,nss,fecha_alta,periodo\n{},{nss},2026-08-24,2026-2027\n",
            d.sin_nss
        )))
        .unwrap();
    assert_eq!(llamar(&e.state, req).await.0, StatusCode::OK);

    // The log is written by a background thread: wait for the seven lines.
    let mut texto = String::new();
    for _ in 0..100 {
        // One file a day (named by date): in date order, should the test run across midnight.
        let mut archivos: Vec<_> = std::fs::read_dir(&ruta)
            .unwrap()
            .flatten()
            .map(|f| f.path())
            .collect();
        archivos.sort();
        texto = archivos
            .iter()
            .map(|f| std::fs::read_to_string(f).unwrap())
            .collect();
        if texto.lines().count() >= 7 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let lineas: Vec<serde_json::Value> = texto
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object a line"))
        .collect();
    let resumen: Vec<(String, String)> = lineas
        .iter()
        .map(|l| {
            (
                l["evento"].as_str().unwrap().to_string(),
                l["resultado"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let esperado: Vec<(String, String)> = [
        ("solicitud", "captcha"),
        ("solicitud", "localizado"),
        ("solicitud", "sin_nss"),
        ("asignacion", "asignado"),
        ("asignacion", "ya_asignado"),
        ("reenvio", "encolado"),
        ("inscripciones", "aplicado"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(resumen, esperado, "{texto}");
    let a = e.state.auditoria();
    assert_eq!(lineas[1]["curp"], a.resumen(Dato::Curp, &d.localizado));
    assert_eq!(lineas[1]["nss"], a.resumen(Dato::Nss, &d.localizado_nss));
    assert_eq!(lineas[1]["correo"], a.resumen(Dato::Correo, correo));
    assert_eq!(
        lineas[0]["curp"], lineas[1]["curp"],
        "one person, one digest"
    );
    assert_eq!(lineas[2]["curp"], lineas[3]["curp"]);
    assert_ne!(lineas[1]["curp"], lineas[2]["curp"]);
    assert_eq!(lineas[3]["nss"], a.resumen(Dato::Nss, &nss));
    assert_eq!(lineas[5]["folio"], folio.as_str());
    assert_eq!(lineas[6]["cct"], "09PDM0007Z");
    assert_eq!(lineas[6]["aceptados"], 1);
    for personal in [
        d.localizado.as_str(),
        d.sin_nss.as_str(),
        &d.localizado_nss,
        &nss,
        "example.com",
        "Auditada",
    ] {
        assert!(!texto.contains(personal), "{personal} in clear: {texto}");
    }
}

en_ambas!(auditoria_de_un_tramite);

/// The payload of the newest outbox row.
async fn ultimo_correo(e: &Entorno) -> serde_json::Value {
    use sqlx::Row;
    let fila = sqlx::query("SELECT payload FROM outbox ORDER BY id DESC LIMIT 1")
        .fetch_one(&e.state.db().pool)
        .await
        .expect("an outbox row");
    serde_json::from_str(&fila.get::<String, _>(0)).expect("payload")
}

async fn confirmar(e: &Entorno, token: &str) -> (StatusCode, serde_json::Value) {
    let (s, v, _) = llamar(
        &e.state,
        post_json(
            "/api/nss/confirmaciones",
            &serde_json::json!({ "token": token }),
        ),
    )
    .await;
    (s, v)
}

/// `AFILIATE_CONFIRMAR_CORREO=true`: a solicitud answers "revisa tu correo" and issues nothing; the e-mail's link
/// opens the result once (localizado with its documents, or sin_nss whose token assigns), and never again, nor
/// the next day, nor made up.
async fn confirmacion_de_correo(b: Backend) {
    let e = entorno_con(b, |c| {
        c.confirmar_correo = true;
        c.public_url = Some("https://afiliate.example.gob.mx".into());
    })
    .await;
    let d = demos();
    let documentos_antes = contar(&e, "SELECT COUNT(*) FROM documentos").await;
    let (s, v) = solicitar(&e.state, &d.localizado, "Alumna@Example.com").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["resultado"], "revisa_tu_correo", "{v}");
    assert_eq!(v["correo"], "alumna@example.com");
    assert!(
        v.get("nss").is_none() && v.get("documentos").is_none(),
        "{v}"
    );
    assert_eq!(
        contar(&e, "SELECT COUNT(*) FROM documentos").await,
        documentos_antes,
        "nothing issued before the address is confirmed"
    );
    let correo = ultimo_correo(&e).await;
    assert_eq!(correo["tipo"], "confirmacion");
    assert_eq!(correo["para"], "alumna@example.com");
    let enlace = correo["enlace"].as_str().unwrap();
    let token = enlace
        .strip_prefix("https://afiliate.example.gob.mx/tramite/nss/confirmar#t=")
        .unwrap_or_else(|| panic!("{enlace}"));

    let (s, v) = confirmar(&e, token).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["resultado"], "localizado");
    assert_eq!(v["nss"], d.localizado_nss.as_str());
    assert_eq!(v["documentos"].as_array().unwrap().len(), 2);
    let (s, v) = confirmar(&e, token).await;
    assert_eq!(s, StatusCode::GONE, "a link opens once: {v}");
    assert_eq!(v["type"], "/problemas/confirmacion-invalida");
    let (s, _) = confirmar(&e, &format!("{token}x")).await;
    assert_eq!(s, StatusCode::GONE);
    let (s, _) = confirmar(&e, "").await;
    assert_eq!(s, StatusCode::GONE);

    // Without an NSS: the confirmed result carries the token of the assignment.
    let (s, v) = solicitar(&e.state, &d.sin_nss, "otro@example.com").await;
    assert_eq!(
        (s, v["resultado"].as_str()),
        (StatusCode::OK, Some("revisa_tu_correo"))
    );
    let enlace = ultimo_correo(&e).await["enlace"]
        .as_str()
        .unwrap()
        .to_string();
    let token = enlace.rsplit("#t=").next().unwrap();
    let (s, v) = confirmar(&e, token).await;
    assert_eq!(
        (s, v["resultado"].as_str()),
        (StatusCode::OK, Some("sin_nss")),
        "{v}"
    );
    let (s, v, _) = asignar_con_token(&e.state, v["token"].as_str().unwrap()).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // A link is valid the day it was sent (Mexico's central time), not the next.
    let (s, _) = solicitar(&e.state, &d.sin_nss_2, "tercero@example.com").await;
    assert_eq!(s, StatusCode::OK);
    let enlace = ultimo_correo(&e).await["enlace"]
        .as_str()
        .unwrap()
        .to_string();
    e.state.adelantar_reloj(86_400);
    let (s, _) = confirmar(&e, enlace.rsplit("#t=").next().unwrap()).await;
    assert_eq!(s, StatusCode::GONE);
}

en_ambas!(confirmacion_de_correo);
