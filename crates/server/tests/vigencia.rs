//! Paso 2 and Paso 3 end to end through the router, on SQLite and on PostgreSQL: the schools' enrolment files
//! (altas, bajas, their report, idempotency, keys), the constancia de vigencia (every answer and error), the UMF
//! lookup and the clinic an assignment records.

mod common;

use afiliate_domain::api::mensaje_sin_umf;
use afiliate_server::cli;
use afiliate_server::error::{
    MSG_CAPTCHA, MSG_FALLA_RENAPO, MSG_LIMITE_DIARIO, MSG_NO_RENAPO, MSG_NSS_DADO_DE_BAJA,
    MSG_NSS_NO_CORRESPONDE, MSG_SUBDELEGACION, MSG_VARIOS_NSS,
};
use afiliate_server::escuelas::{hoy, Periodo};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use serde_json::{json, Value};
use sqlx::Row;

const UMF_DEMO: &str = include_str!("../demo/umf.csv");

async fn contar(e: &Entorno, sql: &str) -> i64 {
    sqlx::query(sql)
        .fetch_one(&e.state.db().pool)
        .await
        .expect("count")
        .get(0)
}

/// The documented demo case `caso` (DEMO.md): (CURP, NSS).
fn caso(caso: &str) -> (String, String) {
    let (_, _, demos) = cli::datos_demo(0).expect("demo data");
    let d = demos
        .iter()
        .find(|d| d.caso == caso)
        .unwrap_or_else(|| panic!("no demo case {caso}"));
    (d.curp.clone(), d.nss.clone().unwrap_or_default())
}

async fn con_umf(e: &Entorno) {
    let r = cli::importar_umf(e.state.db(), UMF_DEMO)
        .await
        .expect("umf import");
    assert_eq!((r.aceptadas, r.rechazadas.len()), (6, 0), "{r}");
}

fn vigencia_json(curp: &str, nss: &str, correo: &str, captcha_id: &str, respuesta: &str) -> Value {
    json!({"curp": curp, "nss": nss, "correo": correo, "confirmacion_correo": correo,
        "captcha_id": captcha_id, "captcha_respuesta": respuesta})
}

/// `POST /api/vigencia/solicitudes` with a fresh CAPTCHA answered right.
async fn pedir(e: &Entorno, curp: &str, nss: &str) -> (StatusCode, Value) {
    let id = captcha(&e.state).await;
    let (s, v, _) = llamar(
        &e.state,
        post_json(
            "/api/vigencia/solicitudes",
            &vigencia_json(curp, nss, "alumno@example.com", &id, CAPTCHA),
        ),
    )
    .await;
    (s, v)
}

fn ddmm(d: chrono::NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

async fn vigente_con_constancia(b: Backend) {
    let e = entorno(b).await;
    con_umf(&e).await;
    let (curp, nss) = caso("vigencia: vigente");
    let (s, v) = pedir(&e, &curp, &nss).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["resultado"], "vigente");
    assert_eq!(v["motivo"], Value::Null);
    assert_eq!(v["nombre"], "VALERIA TORRES MENDEZ");
    assert_eq!(v["curp"], curp.as_str());
    assert_eq!(v["nss"], nss.as_str());
    assert_eq!(
        v["tipo_asegurado"],
        "Estudiante (seguro facultativo, modalidad 32)"
    );
    assert_eq!(
        v["escuela"],
        json!({"cct": "09PDM0001Z", "nombre": "Preparatoria Demostración 1", "registro_patronal": "Z0000001320"})
    );
    assert_eq!(v["umf"]["clave"], "UMF-DEMO-01");
    assert!(v["umf"]["domicilio"].as_str().unwrap().contains("04000"));
    let ciclo = Periodo::parse(&Periodo::ciclo_de(hoy(e.state.ahora()))).unwrap();
    assert_eq!(v["vigente_desde"], ddmm(ciclo.inicio));
    assert_eq!(v["vigente_hasta"], ddmm(ciclo.fin));
    let docs = v["documentos"].as_array().unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["documento"], "Constancia de vigencia de derechos");
    let folio = docs[0]["folio"].as_str().unwrap().to_string();
    assert!(folio.starts_with("CV-"), "{folio}");
    assert_eq!(contar(&e, "SELECT COUNT(*) FROM outbox").await, 1);
    let payload: String = sqlx::query("SELECT payload FROM outbox")
        .fetch_one(&e.state.db().pool)
        .await
        .unwrap()
        .get(0);
    let correo: Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(correo["tipo"], "vigencia");
    assert_eq!(correo["para"], "alumno@example.com");
    assert_eq!(correo["documentos"][0]["datos"]["derecho"], true);

    // The download link names the file as the real service does.
    let (s, _, h) = llamar(&e.state, get(docs[0]["descargar_url"].as_str().unwrap())).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h["content-type"], "application/pdf");
    assert_eq!(
        h["content-disposition"],
        format!("attachment; filename=\"comprobanteVigenciaDerechos{nss}.pdf\"").as_str()
    );

    // The same day, the same answer: the same constancia, one more e-mail.
    let (s, v2) = pedir(&e, &curp, &nss).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v2["documentos"][0]["folio"], folio.as_str());
    assert_eq!(
        contar(
            &e,
            "SELECT COUNT(*) FROM documentos WHERE tipo = 'constancia_vigencia'"
        )
        .await,
        1
    );
    assert_eq!(contar(&e, "SELECT COUNT(*) FROM outbox").await, 2);

    // The verification says what it certifies.
    let (s, ver, _) = llamar(&e.state, get(&format!("/api/verificacion/{folio}"))).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(ver["autentico"], true);
    assert_eq!(ver["documento"], "Constancia de vigencia de derechos");
    let certifica = ver["certifica"].as_str().unwrap();
    assert!(
        certifica.contains("SÍ tenía derecho al servicio médico"),
        "{certifica}"
    );
    assert!(certifica.contains(&ddmm(ciclo.fin)), "{certifica}");
    assert!(
        certifica.contains(ver["fecha"].as_str().unwrap()),
        "{certifica}"
    );
    assert_eq!(ver["nss"], format!("*******{}", &nss[7..]).as_str());

    // Re-sent at most three times a day.
    for _ in 0..3 {
        let (s, m, _) = llamar(
            &e.state,
            Request::post(format!("/api/documentos/{folio}/reenvios"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{m}");
        assert_eq!(m["mensaje"], "La constancia ha sido reenviada.");
    }
    let (s, m, _) = llamar(
        &e.state,
        Request::post(format!("/api/documentos/{folio}/reenvios"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{m}");
    assert_eq!(contar(&e, "SELECT COUNT(*) FROM outbox").await, 5);

    // Another day, a new constancia.
    e.state.adelantar_reloj(86_400);
    let (s, v3) = pedir(&e, &curp, &nss).await;
    assert_eq!(s, StatusCode::OK);
    assert_ne!(v3["documentos"][0]["folio"], folio.as_str());
}

async fn sin_derecho_con_su_motivo(b: Backend) {
    let e = entorno(b).await;
    let (curp, nss) = caso("vigencia: sin inscripción");
    let (s, v) = pedir(&e, &curp, &nss).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["resultado"], "sin_derecho");
    assert_eq!(v["motivo"], "sin_inscripcion");
    assert_eq!(v["escuela"], Value::Null);
    assert_eq!(v["umf"], Value::Null);
    assert_eq!(v["vigente_desde"], Value::Null);
    assert_eq!(v["vigente_hasta"], Value::Null);
    assert_eq!(v["documentos"].as_array().unwrap().len(), 1);

    let hoy = hoy(e.state.ahora());
    let actual = Periodo::parse(&Periodo::ciclo_de(hoy)).unwrap();
    let anterior =
        Periodo::parse(&Periodo::ciclo_de(actual.inicio - chrono::Days::new(1))).unwrap();

    let (curp, nss) = caso("vigencia: baja escolar");
    let (s, v) = pedir(&e, &curp, &nss).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["resultado"], "sin_derecho");
    assert_eq!(v["motivo"], "baja_escolar");
    assert_eq!(v["escuela"]["cct"], "09PDM0001Z");
    assert_eq!(v["vigente_desde"], ddmm(anterior.inicio));
    assert_eq!(
        v["vigente_hasta"],
        ddmm(anterior.inicio + chrono::Days::new(60))
    );
    let folio = v["documentos"][0]["folio"].as_str().unwrap().to_string();
    let (_, ver, _) = llamar(&e.state, get(&format!("/api/verificacion/{folio}"))).await;
    assert!(
        ver["certifica"]
            .as_str()
            .unwrap()
            .contains("NO tenía derecho"),
        "{ver}"
    );

    let (curp, nss) = caso("vigencia: periodo vencido");
    let (s, v) = pedir(&e, &curp, &nss).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["resultado"], "sin_derecho");
    assert_eq!(v["motivo"], "periodo_vencido");
    assert_eq!(v["escuela"]["cct"], "15PDM0002Z");
    assert_eq!(v["escuela"]["registro_patronal"], "Z0000002320");
    assert_eq!(v["vigente_hasta"], ddmm(anterior.fin));
}

async fn errores_de_la_vigencia(b: Backend) {
    let e = entorno_con(b, |c| c.limite_curp_dia = 3).await;
    let d = demos();
    let problema = |v: &Value, s: StatusCode, tipo: &str, detail: &str| {
        assert_eq!(v["type"], format!("/problemas/{tipo}").as_str(), "{v}");
        assert_eq!(v["status"], s.as_u16(), "{v}");
        assert_eq!(v["detail"], detail, "{v}");
    };
    // Not in RENAPO; RENAPO's data do not match the CURP.
    let (s, v) = pedir(&e, &d.no_renapo, "12230543212").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    problema(&v, s, "curp-no-encontrada", MSG_NO_RENAPO);
    assert_eq!(v["errores"]["curp"][0], MSG_NO_RENAPO);
    let (s, v) = pedir(&e, &d.no_coincide, "12230543212").await;
    assert_eq!(s, StatusCode::CONFLICT);
    problema(&v, s, "acude-a-subdelegacion", MSG_SUBDELEGACION);
    // An NSS of another CURP, and a CURP that has none.
    let (curp_sin, _) = caso("vigencia: sin inscripción");
    let (_, nss_vigente) = caso("vigencia: vigente");
    let (s, v) = pedir(&e, &curp_sin, &nss_vigente).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    problema(&v, s, "nss-no-corresponde", MSG_NSS_NO_CORRESPONDE);
    assert_eq!(v["errores"]["nss"][0], MSG_NSS_NO_CORRESPONDE);
    let (s, v) = pedir(&e, &d.sin_nss, &nss_vigente).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["type"], "/problemas/nss-no-corresponde");
    // NSS dado de baja; several NSS (with either of them).
    let (curp, nss) = caso("vigencia: NSS dado de baja");
    let (s, v) = pedir(&e, &curp, &nss).await;
    assert_eq!(s, StatusCode::CONFLICT);
    problema(&v, s, "nss-dado-de-baja", MSG_NSS_DADO_DE_BAJA);
    let (curp, nss) = caso("vigencia: varios NSS (subdelegación)");
    let (s, v) = pedir(&e, &curp, &nss).await;
    assert_eq!(s, StatusCode::CONFLICT);
    problema(&v, s, "varios-nss", MSG_VARIOS_NSS);
    assert!(MSG_VARIOS_NSS.contains("acudas a la subdelegación"));
    // No constancia was issued for any of them.
    assert_eq!(
        contar(
            &e,
            "SELECT COUNT(*) FROM documentos WHERE tipo = 'constancia_vigencia'"
        )
        .await,
        0
    );
    assert_eq!(contar(&e, "SELECT COUNT(*) FROM outbox").await, 0);

    // Every field checked as the app checks it, all messages at once.
    let id = captcha(&e.state).await;
    let mut cuerpo = vigencia_json("GALM05031", "12230543213", "no-es-correo", &id, "");
    cuerpo["confirmacion_correo"] = json!("otro@example.com");
    let (s, v, _) = llamar(&e.state, post_json("/api/vigencia/solicitudes", &cuerpo)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["type"], "/problemas/validacion");
    for campo in ["curp", "nss", "correo", "captcha_respuesta"] {
        assert!(v["errores"][campo].is_array(), "{campo} in {v}");
    }
    assert_eq!(
        v["errores"]["nss"][0],
        "El último dígito del NSS no corresponde: revisa los 11 dígitos."
    );
    // Only the NSS wrong.
    let (curp, _) = caso("vigencia: vigente");
    let (s, v) = pedir(&e, &curp, "1223054321").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["errores"]["nss"][0], "El NSS debe tener 11 dígitos.");
    assert!(v["errores"].get("curp").is_none(), "{v}");

    // A wrong CAPTCHA, then the daily limit per CURP (3 here), shared with the NSS solicitud.
    let id = captcha(&e.state).await;
    let (_, nss) = caso("vigencia: vigente");
    let (s, v, _) = llamar(
        &e.state,
        post_json(
            "/api/vigencia/solicitudes",
            &vigencia_json(&curp, &nss, "a@example.com", &id, "xxxxxx"),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    problema(&v, s, "captcha-invalido", MSG_CAPTCHA);
    let (s, _) = pedir(&e, &curp, &nss).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = solicitar(&e.state, &curp, "a@example.com").await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = pedir(&e, &curp, &nss).await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = pedir(&e, &curp, &nss).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{v}");
    problema(&v, s, "limite-diario", MSG_LIMITE_DIARIO);
}

async fn renapo_caido(b: Backend) {
    let cerrado = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let e = entorno_con(b, |c| {
        c.renapo_url = Some(format!("http://{cerrado}"));
        c.renapo_retries = 0;
    })
    .await;
    let (curp, nss) = caso("vigencia: vigente");
    let (s, v) = pedir(&e, &curp, &nss).await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    assert_eq!(v["type"], "/problemas/renapo-no-disponible");
    assert_eq!(v["detail"], MSG_FALLA_RENAPO);
}

/// A school with its key (through the CLI's function).
async fn escuela(e: &Entorno, cct: &str) -> String {
    let estado = &cct[..2];
    let (_, clave) = cli::agregar_escuela(
        e.state.db(),
        cct,
        "Bachillerato de Prueba",
        "Z0000009320",
        estado,
    )
    .await
    .expect("school");
    clave
}

fn csv(uri: &str, clave: Option<&str>, cuerpo: &str) -> Request<Body> {
    let mut r = Request::post(uri).header("content-type", "text/csv; charset=utf-8");
    if let Some(c) = clave {
        r = r.header("authorization", format!("Bearer {c}"));
    }
    r.body(Body::from(cuerpo.to_string())).unwrap()
}

fn renglon(reporte: &Value, linea: u64) -> &Value {
    reporte["detalle"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["linea"] == linea)
        .unwrap_or_else(|| panic!("line {linea} not in {reporte}"))
}

fn motivo(reporte: &Value, linea: u64) -> String {
    let r = renglon(reporte, linea);
    assert_eq!(r["resultado"], "rechazado", "{r}");
    r["motivo"].as_str().unwrap().to_string()
}

async fn altas_por_renglon_e_idempotentes(b: Backend) {
    let e = entorno(b).await;
    let clave = escuela(&e, "09TST0001A").await;
    let d = demos();
    let hoy = hoy(e.state.ahora());
    let ciclo = Periodo::ciclo_de(hoy);
    let inicio = Periodo::parse(&ciclo)
        .unwrap()
        .inicio
        .format("%Y-%m-%d")
        .to_string();
    let manana = (hoy + chrono::Days::new(1)).format("%Y-%m-%d").to_string();
    let (curp_v, nss_v) = caso("vigencia: vigente");
    let (curp_baja, nss_baja) = caso("vigencia: NSS dado de baja");
    let (curp_varios, _) = caso("vigencia: varios NSS (subdelegación)");
    let otro_nss = afiliate_domain::nss::Nss::from_parts(9, 24, 7, 999).unwrap();
    let archivo = [
        "curp,nss,fecha_alta,periodo".to_string(),
        format!("{},{},{inicio},{ciclo}", d.localizado, d.localizado_nss), // 2: good
        format!("GALM0503,{},{inicio},{ciclo}", d.localizado_nss),         // 3: bad CURP
        format!("{},12230543213,{inicio},{ciclo}", d.localizado),          // 4: bad check digit
        format!("{},{nss_v},{inicio},{ciclo}", d.localizado),              // 5: NSS of another CURP
        format!("{},{},{inicio},{ciclo}", d.sin_nss, otro_nss.as_str()),   // 6: no NSS for the CURP
        format!("{},{},2026-02-30,{ciclo}", d.localizado, d.localizado_nss), // 7: bad date
        format!("{},{},{manana},{ciclo}", d.localizado, d.localizado_nss), // 8: future date
        format!("{},{},{inicio},2026", d.localizado, d.localizado_nss),    // 9: bad period
        format!("{},{}", d.localizado, d.localizado_nss),                  // 10: columns
        format!("{curp_baja},{nss_baja},{inicio},{ciclo}"),                // 11: NSS dado de baja
        format!("{curp_v},{nss_v},{inicio},{ciclo}"),                      // 12: good
        format!("{curp_varios},{},{inicio},{ciclo}", otro_nss.as_str()), // 13: other NSS of someone
        format!("{},{},2001-08-01,2001-2002", d.localizado, d.localizado_nss), // 14: good, an old period
    ]
    .join("\n");
    let uri = "/api/escuelas/09TST0001A/inscripciones";
    let (s, r, _) = llamar(&e.state, csv(uri, Some(&clave), &archivo)).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["cct"], "09TST0001A");
    assert_eq!(
        (
            &r["renglones"],
            &r["aceptados"],
            &r["sin_cambios"],
            &r["rechazados"]
        ),
        (&json!(13), &json!(3), &json!(0), &json!(10)),
        "{r}"
    );
    assert_eq!(renglon(&r, 2)["resultado"], "aceptado");
    assert_eq!(renglon(&r, 2)["curp"], d.localizado.as_str());
    assert!(motivo(&r, 3).starts_with("CURP: "), "{r}");
    assert_eq!(
        motivo(&r, 4),
        "NSS: El último dígito del NSS no corresponde: revisa los 11 dígitos."
    );
    assert_eq!(motivo(&r, 5), "El NSS pertenece a otra CURP.");
    assert!(
        motivo(&r, 6).starts_with("No encontramos un NSS para esta CURP"),
        "{r}"
    );
    assert!(
        motivo(&r, 7).starts_with("fecha_alta: escribe una fecha que exista"),
        "{r}"
    );
    assert_eq!(motivo(&r, 8), "fecha_alta: no puede ser posterior a hoy.");
    assert!(motivo(&r, 9).starts_with("periodo: "), "{r}");
    assert_eq!(motivo(&r, 10), "Se esperaban 4 columnas y hay 2.");
    assert!(motivo(&r, 11).contains("dado de baja"), "{r}");
    assert_eq!(renglon(&r, 12)["resultado"], "aceptado");
    assert!(motivo(&r, 13).contains("otro NSS"), "{r}");
    assert_eq!(renglon(&r, 14)["resultado"], "aceptado");
    assert_eq!(
        contar(
            &e,
            "SELECT COUNT(*) FROM inscripciones WHERE cct = '09TST0001A'"
        )
        .await,
        3
    );

    // The same file again: nothing changes.
    let (s, r2, _) = llamar(&e.state, csv(uri, Some(&clave), &archivo)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (&r2["aceptados"], &r2["sin_cambios"], &r2["rechazados"]),
        (&json!(0), &json!(3), &json!(10)),
        "{r2}"
    );
    assert_eq!(
        contar(
            &e,
            "SELECT COUNT(*) FROM inscripciones WHERE cct = '09TST0001A'"
        )
        .await,
        3
    );

    // Mariana is now enrolled: vigente with this school.
    let (s, v) = pedir(&e, &d.localizado, &d.localizado_nss).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["resultado"], "vigente");
    assert_eq!(v["escuela"]["cct"], "09TST0001A");
    assert_eq!(v["escuela"]["registro_patronal"], "Z0000009320");

    // A header that is not the altas' one; a body that is not CSV.
    let (s, v, _) = llamar(&e.state, csv(uri, Some(&clave), "curp;nss\nA;B\n")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["type"], "/problemas/csv-invalido");
    assert!(v["detail"]
        .as_str()
        .unwrap()
        .contains("curp,nss,fecha_alta,periodo"));
    let (s, v, _) = llamar(
        &e.state,
        Request::post(uri)
            .header("authorization", format!("Bearer {clave}"))
            .header("content-type", "application/json")
            .body(Body::from("{}"))
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{v}");
    let (s, v, _) = llamar(
        &e.state,
        Request::post(uri)
            .header("authorization", format!("Bearer {clave}"))
            .header("content-type", "text/csv")
            .body(Body::from(vec![0xff, 0xfe, b'a']))
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["detail"], "El archivo debe estar en UTF-8.");
}

async fn claves_equivocadas_o_revocadas(b: Backend) {
    let e = entorno(b).await;
    let clave = escuela(&e, "09TST0001A").await;
    let otra = escuela(&e, "15TST0002B").await;
    let d = demos();
    let archivo = format!(
        "curp,nss,fecha_alta,periodo\n{},{},{},{}\n",
        d.localizado,
        d.localizado_nss,
        hoy(e.state.ahora()).format("%Y-%m-%d"),
        Periodo::ciclo_de(hoy(e.state.ahora()))
    );
    let uri = "/api/escuelas/09TST0001A/inscripciones";
    let no_autorizado = |s: StatusCode, v: &Value, h: &axum::http::HeaderMap| {
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
        assert_eq!(v["type"], "/problemas/no-autorizado");
        assert!(h["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer"));
    };
    for (uri, clave) in [
        (uri, None),
        (uri, Some("afi_inventada")),
        (uri, Some(otra.as_str())),
        (
            "/api/escuelas/09XXX9999Z/inscripciones",
            Some(clave.as_str()),
        ),
        (
            "/api/escuelas/no-es-cct/inscripciones",
            Some(clave.as_str()),
        ),
        ("/api/escuelas/09TST0001A/bajas", Some(otra.as_str())),
    ] {
        let (s, v, h) = llamar(&e.state, csv(uri, clave, &archivo)).await;
        no_autorizado(s, &v, &h);
    }
    // Another scheme.
    let (s, v, h) = llamar(
        &e.state,
        Request::post(uri)
            .header("authorization", format!("Basic {clave}"))
            .header("content-type", "text/csv")
            .body(Body::from(archivo.clone()))
            .unwrap(),
    )
    .await;
    no_autorizado(s, &v, &h);
    assert_eq!(
        contar(
            &e,
            "SELECT COUNT(*) FROM inscripciones WHERE cct LIKE '%TST%'"
        )
        .await,
        0
    );
    // The right key works (lower-case CCT too); once revoked it does not; a new key does.
    let (s, v, _) = llamar(
        &e.state,
        csv(
            "/api/escuelas/09tst0001a/inscripciones",
            Some(&clave),
            &archivo,
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["aceptados"], 1);
    cli::revocar_clave(e.state.db(), "09TST0001A")
        .await
        .unwrap();
    let (s, v, h) = llamar(&e.state, csv(uri, Some(&clave), &archivo)).await;
    no_autorizado(s, &v, &h);
    let nueva = cli::nueva_clave_escuela(e.state.db(), "09TST0001A")
        .await
        .unwrap();
    assert_ne!(nueva, clave);
    let (s, v, _) = llamar(&e.state, csv(uri, Some(&nueva), &archivo)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["sin_cambios"], 1);
    // Only the key's digest is stored.
    let guardado: String = sqlx::query("SELECT clave_hash FROM escuelas WHERE cct = '09TST0001A'")
        .fetch_one(&e.state.db().pool)
        .await
        .unwrap()
        .get(0);
    assert_ne!(guardado, nueva);
    assert_eq!(guardado, afiliate_server::escuelas::huella_clave(&nueva));
}

async fn bajas_terminan_el_derecho(b: Backend) {
    let e = entorno(b).await;
    let clave = escuela(&e, "09TST0001A").await;
    let d = demos();
    let hoy_ = hoy(e.state.ahora());
    let ciclo = Periodo::ciclo_de(hoy_);
    let inicio = Periodo::parse(&ciclo).unwrap().inicio;
    let alta = format!(
        "curp,nss,fecha_alta,periodo\n{},{},{},{ciclo}\n",
        d.localizado,
        d.localizado_nss,
        inicio.format("%Y-%m-%d")
    );
    let (s, _, _) = llamar(
        &e.state,
        csv(
            "/api/escuelas/09TST0001A/inscripciones",
            Some(&clave),
            &alta,
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (curp_v, nss_v) = caso("vigencia: vigente");
    let hoy_txt = ddmm(hoy_);
    let bajas = format!(
        "curp,nss,fecha_baja\n{},{},{hoy_txt}\n{curp_v},{nss_v},{hoy_txt}\n{},{},{}\n",
        d.localizado,
        d.localizado_nss,
        d.localizado,
        d.localizado_nss,
        (hoy_ + chrono::Days::new(1)).format("%Y-%m-%d"),
    );
    let uri = "/api/escuelas/09TST0001A/bajas";
    let (s, r, _) = llamar(&e.state, csv(uri, Some(&clave), &bajas)).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(renglon(&r, 2)["resultado"], "aceptado");
    // Valeria is enrolled by another school: this one cannot give her a baja.
    assert!(
        motivo(&r, 3).contains("no tiene una inscripción de este NSS"),
        "{r}"
    );
    assert_eq!(motivo(&r, 4), "fecha_baja: no puede ser posterior a hoy.");
    let (s, r2, _) = llamar(&e.state, csv(uri, Some(&clave), &bajas)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(renglon(&r2, 2)["resultado"], "sin_cambios");
    // The baja's day is the right's last.
    let (s, v) = pedir(&e, &d.localizado, &d.localizado_nss).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["resultado"], "vigente");
    assert_eq!(v["vigente_hasta"], hoy_txt.as_str());
    e.state.adelantar_reloj(86_400);
    let (s, v) = pedir(&e, &d.localizado, &d.localizado_nss).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["resultado"], "sin_derecho");
    assert_eq!(v["motivo"], "baja_escolar");
    // The alta sent again does not undo the baja; a later alta enrols again.
    let (s, r, _) = llamar(
        &e.state,
        csv(
            "/api/escuelas/09TST0001A/inscripciones",
            Some(&clave),
            &alta,
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(renglon(&r, 2)["resultado"], "sin_cambios");
    assert!(renglon(&r, 2)["motivo"]
        .as_str()
        .unwrap()
        .contains("dio de baja"));
    let manana = hoy(e.state.ahora());
    let realta = format!(
        "curp,nss,fecha_alta,periodo\n{},{},{},{}\n",
        d.localizado,
        d.localizado_nss,
        manana.format("%Y-%m-%d"),
        Periodo::ciclo_de(manana)
    );
    let (s, r, _) = llamar(
        &e.state,
        csv(
            "/api/escuelas/09TST0001A/inscripciones",
            Some(&clave),
            &realta,
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(renglon(&r, 2)["resultado"], "aceptado", "{r}");
    let (_, v) = pedir(&e, &d.localizado, &d.localizado_nss).await;
    assert_eq!(v["resultado"], "vigente", "{v}");
}

async fn umf_por_codigo_postal(b: Backend) {
    let e = entorno(b).await;
    con_umf(&e).await;
    let (s, v, _) = llamar(&e.state, get("/api/umf?cp=04000")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["codigo_postal"], "04000");
    let umf = v["umf"].as_array().unwrap();
    assert_eq!(umf.len(), 1);
    assert_eq!(umf[0]["clave"], "UMF-DEMO-01");
    assert_eq!(umf[0]["telefono"], "55 0000 0001");
    assert_eq!(umf[0]["horario"], "Lunes a viernes de 8:00 a 20:00 h");
    // Two clinics serve 04510; spaces and hyphens are ignored as in the app.
    let (s, v, _) = llamar(&e.state, get("/api/umf?cp=045-10")).await;
    assert_eq!(s, StatusCode::OK);
    let claves: Vec<&str> = v["umf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["clave"].as_str().unwrap())
        .collect();
    assert_eq!(claves, ["UMF-DEMO-01", "UMF-DEMO-03"]);
    // None serves 20000.
    let (s, v, _) = llamar(&e.state, get("/api/umf?cp=20000")).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    assert_eq!(v["type"], "/problemas/sin-umf");
    assert_eq!(v["detail"], mensaje_sin_umf("20000"));
    assert_eq!(
        v["detail"],
        "El Código Postal 20000 no se encuentra relacionado a ninguna Unidad Médica Familiar (UMF)."
    );
    for malo in [
        "/api/umf?cp=4000",
        "/api/umf?cp=abcde",
        "/api/umf",
        "/api/umf?cp=",
    ] {
        let (s, v, _) = llamar(&e.state, get(malo)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{malo}: {v}");
        assert!(v["errores"]["cp"].is_array(), "{malo}: {v}");
    }
    // A catalog imported again replaces a clinic's codes.
    let nuevo = "clave,nombre,domicilio,telefono,horario,codigos_postales\n\
                 UMF-DEMO-01,UMF Demostración 1,Otra calle 1,55 1,L-V,04100\n";
    cli::importar_umf(e.state.db(), nuevo).await.unwrap();
    let (s, _, _) = llamar(&e.state, get("/api/umf?cp=04000")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, v, _) = llamar(&e.state, get("/api/umf?cp=04100")).await;
    assert_eq!(v["umf"][0]["domicilio"], "Otra calle 1");
}

async fn la_asignacion_registra_la_umf(b: Backend) {
    let e = entorno(b).await;
    con_umf(&e).await;
    let d = demos();
    let (s, v) = solicitar(&e.state, &d.sin_nss, "a@example.com").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let token = v["token"].as_str().unwrap().to_string();
    let (s, v, _) = asignar_con_token(&e.state, &token).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["umf"]["clave"], "UMF-DEMO-01");
    assert_eq!(
        v["umf"]["nombre"],
        "Unidad de Medicina Familiar Demostración 1 (ficticia)"
    );
    let nss = v["nss"].as_str().unwrap().to_string();
    let guardada: Option<String> = sqlx::query("SELECT umf FROM domicilios WHERE nss = $1")
        .bind(&nss)
        .fetch_one(&e.state.db().pool)
        .await
        .unwrap()
        .get(0);
    assert_eq!(guardada.as_deref(), Some("UMF-DEMO-01"));
    // Again: the clinic recorded then.
    let (_, v2, _) = asignar_con_token(&e.state, &token).await;
    assert_eq!(v2["umf"], v["umf"]);
    // The constancia shows it (the student is not enrolled yet).
    let (s, c) = pedir(&e, &d.sin_nss, &nss).await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["motivo"], "sin_inscripcion");
    assert_eq!(c["umf"]["clave"], "UMF-DEMO-01");

    // A postal code no clinic serves: null.
    let (s, v) = solicitar(&e.state, &d.sin_nss_2, "b@example.com").await;
    assert_eq!(s, StatusCode::OK);
    let mut domicilio = domicilio_manual();
    domicilio["codigo_postal"] = json!("04999");
    let (s, v, _) = llamar(
        &e.state,
        post_json(
            "/api/nss/asignaciones",
            &json!({"token": v["token"], "domicilio": domicilio}),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["umf"], Value::Null);
}

async fn seed_demo_idempotente(b: Backend) {
    let e = entorno(b).await;
    let antes = (
        contar(&e, "SELECT COUNT(*) FROM inscripciones").await,
        contar(&e, "SELECT COUNT(*) FROM nss_bajas").await,
        contar(&e, "SELECT COUNT(*) FROM nss_adicionales").await,
        contar(&e, "SELECT COUNT(*) FROM escuelas").await,
        contar(&e, "SELECT COUNT(*) FROM domicilios").await,
    );
    assert_eq!(antes, (3, 1, 1, 2, 1));
    // A demo school that got a key keeps it.
    let clave = cli::nueva_clave_escuela(e.state.db(), "09PDM0001Z")
        .await
        .unwrap();
    cli::sembrar_demo(e.state.db(), 50).await.unwrap();
    let despues = (
        contar(&e, "SELECT COUNT(*) FROM inscripciones").await,
        contar(&e, "SELECT COUNT(*) FROM nss_bajas").await,
        contar(&e, "SELECT COUNT(*) FROM nss_adicionales").await,
        contar(&e, "SELECT COUNT(*) FROM escuelas").await,
        contar(&e, "SELECT COUNT(*) FROM domicilios").await,
    );
    assert_eq!(antes, despues);
    let guardada: Option<String> =
        sqlx::query("SELECT clave_hash FROM escuelas WHERE cct = '09PDM0001Z'")
            .fetch_one(&e.state.db().pool)
            .await
            .unwrap()
            .get(0);
    assert_eq!(
        guardada,
        Some(afiliate_server::escuelas::huella_clave(&clave))
    );
    let (curp, nss) = caso("vigencia: vigente");
    let (s, v) = pedir(&e, &curp, &nss).await;
    assert_eq!(
        (s, &v["resultado"]),
        (StatusCode::OK, &json!("vigente")),
        "{v}"
    );
}

async fn cli_de_escuelas_y_umf(b: Backend) {
    let e = entorno(b).await;
    let db = e.state.db();
    for (cct, rp, estado, error) in [
        ("09TST001A", "Z0000009320", "09", "--cct"),
        ("09TST0001A", "Z000000932", "09", "--registro-patronal"),
        ("09TST0001A", "Z0000009320", "15", "--estado"),
    ] {
        let err = cli::agregar_escuela(db, cct, "X", rp, estado)
            .await
            .unwrap_err();
        assert!(err.to_string().starts_with(error), "{err}");
    }
    let (esc, clave) = cli::agregar_escuela(
        db,
        "09tst0001a",
        "  Bachillerato   X ",
        "z0000009320",
        "Ciudad de México",
    )
    .await
    .unwrap();
    assert_eq!(
        (esc.cct.as_str(), esc.nombre.as_str(), esc.estado.as_str()),
        ("09TST0001A", "Bachillerato X", "09")
    );
    let err = cli::agregar_escuela(db, "09TST0001A", "Otra", "Z0000009320", "09")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("ya existe"), "{err}");
    let lista = cli::listar_escuelas(db).await.unwrap();
    assert!(
        lista.contains("09TST0001A") && lista.contains("activa"),
        "{lista}"
    );
    assert!(
        lista.contains("09PDM0001Z") && lista.contains("Preparatoria Demostración 1"),
        "{lista}"
    );
    assert!(!lista.contains(&clave));
    // The import takes either header.
    let d = demos();
    let hoy_ = hoy(e.state.ahora());
    let archivo = format!(
        "curp,nss,fecha_alta,periodo\n{},{},{},{}\nmal,1,2,3\n",
        d.localizado,
        d.localizado_nss,
        hoy_.format("%Y-%m-%d"),
        Periodo::ciclo_de(hoy_)
    );
    let r = cli::importar_escuela(db, "09TST0001A", &archivo)
        .await
        .unwrap();
    assert_eq!((r.aceptados, r.rechazados), (1, 1));
    let texto = cli::reporte_texto(&r);
    assert!(
        texto.starts_with("09TST0001A: 2 renglones: 1 aceptados, 0 sin cambios, 1 rechazados."),
        "{texto}"
    );
    assert!(texto.contains("renglón 3 (rechazado): CURP: "), "{texto}");
    let bajas = format!(
        "curp,nss,fecha_baja\n{},{},{}\n",
        d.localizado,
        d.localizado_nss,
        hoy_.format("%Y-%m-%d")
    );
    let r = cli::importar_escuela(db, "09TST0001A", &bajas)
        .await
        .unwrap();
    assert_eq!(r.aceptados, 1, "{r:?}");
    assert!(cli::importar_escuela(db, "09TST0001A", "a,b\n")
        .await
        .is_err());
    assert!(cli::importar_escuela(db, "09ZZZ0001A", &bajas)
        .await
        .is_err());
    cli::revocar_clave(db, "09TST0001A").await.unwrap();
    assert!(cli::listar_escuelas(db).await.unwrap().contains("revocada"));
    assert!(cli::revocar_clave(db, "09ZZZ0001A").await.is_err());

    // UMF import: per-line errors, good lines kept.
    let umf = "clave,nombre,domicilio,telefono,horario,codigos_postales\n\
               UMF-T-1,Clínica 1,Calle 1,55 1,L-V 8-20,01000 01010\n\
               UMF-T-2,Clínica 2,Calle 2,55 2,L-V 8-20,0100\n\
               UMF-T-3,Clínica 3,Calle 3,55 3,L-V 8-20\n\
               UMF T 4,Clínica 4,Calle 4,55 4,L-V 8-20,01000\n\
               UMF-T-5,,Calle 5,55 5,L-V 8-20,01000\n\
               UMF-T-6,Clínica 6,Calle 6,55 6,L-V 8-20,\n\
               UMF-T-1,Clínica 1 bis,Calle 1,55 1,L-V 8-20,01000\n";
    let r = cli::importar_umf(db, umf).await.unwrap();
    assert_eq!(r.aceptadas, 1, "{r}");
    let motivos: Vec<(usize, &str)> = r
        .rechazadas
        .iter()
        .map(|l| (l.linea, l.motivo.as_str()))
        .collect();
    assert_eq!(motivos.len(), 6, "{r}");
    assert!(
        motivos[0].0 == 3 && motivos[0].1.starts_with("codigos_postales: «0100»"),
        "{r}"
    );
    assert!(
        motivos[1].0 == 4 && motivos[1].1.contains("6 columnas"),
        "{r}"
    );
    assert!(
        motivos[2].0 == 5 && motivos[2].1.starts_with("clave"),
        "{r}"
    );
    assert!(motivos[3].0 == 6 && motivos[3].1 == "nombre: vacío", "{r}");
    assert!(
        motivos[4].0 == 7 && motivos[4].1.starts_with("codigos_postales: escribe"),
        "{r}"
    );
    assert!(
        motivos[5].0 == 8 && motivos[5].1.contains("repetida (ya está en el renglón 2)"),
        "{r}"
    );
    assert_eq!(
        contar(
            &e,
            "SELECT COUNT(*) FROM umf_codigos_postales WHERE clave = 'UMF-T-1'"
        )
        .await,
        2
    );
    assert!(cli::importar_umf(db, "clave,nombre\n").await.is_err());
}

en_ambas!(
    vigente_con_constancia,
    sin_derecho_con_su_motivo,
    errores_de_la_vigencia,
    renapo_caido,
    altas_por_renglon_e_idempotentes,
    claves_equivocadas_o_revocadas,
    bajas_terminan_el_derecho,
    umf_por_codigo_postal,
    la_asignacion_registra_la_umf,
    seed_demo_idempotente,
    cli_de_escuelas_y_umf,
);

/// The binary's commands: `escuelas add` prints the key as its last line, `list` never shows it, `revoke-key`
/// stops it, `umf import` loads the demo catalog.
#[test]
fn los_comandos_del_binario() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("b.db").display());
    let correr = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_afiliate-server"))
            .args(args)
            .env("DATABASE_URL", &url)
            .env("AFILIATE_DATA_DIR", dir.path())
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (ok, out, err) = correr(&[
        "escuelas",
        "add",
        "--cct",
        "09TST0001A",
        "--nombre",
        "Bachillerato de Prueba",
        "--registro-patronal",
        "Z0000009320",
        "--estado",
        "09",
    ]);
    assert!(ok, "{out}{err}");
    let clave = out.lines().last().unwrap().trim().to_string();
    assert!(clave.starts_with("afi_") && clave.len() == 47, "{out}");
    let (ok, out, _) = correr(&["escuelas", "list"]);
    assert!(
        ok && out.contains("09TST0001A") && out.contains("activa"),
        "{out}"
    );
    assert!(!out.contains(&clave));
    let (ok, _, _) = correr(&[
        "escuelas",
        "add",
        "--cct",
        "09TST0001",
        "--nombre",
        "X",
        "--registro-patronal",
        "Z0000009320",
        "--estado",
        "09",
    ]);
    assert!(!ok, "a malformed CCT is refused");
    let (ok, out, _) = correr(&["escuelas", "revoke-key", "09TST0001A"]);
    assert!(ok, "{out}");
    let (_, out, _) = correr(&["escuelas", "list"]);
    assert!(out.contains("revocada"), "{out}");
    let (ok, out, _) = correr(&["escuelas", "new-key", "09TST0001A"]);
    assert!(
        ok && out.lines().last().unwrap().starts_with("afi_"),
        "{out}"
    );
    let csv = workspace_root().join("crates/server/demo/umf.csv");
    let (ok, out, err) = correr(&["umf", "import", csv.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(
        out.starts_with("6 renglones importados, 0 rechazados."),
        "{out}"
    );
    let archivo = dir.path().join("altas.csv");
    std::fs::write(
        &archivo,
        "curp,nss,fecha_alta,periodo\nXXXX,1,2026-08-24,2026-2027\n",
    )
    .unwrap();
    let (ok, out, err) = correr(&[
        "escuelas",
        "import",
        "09TST0001A",
        archivo.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(
        out.contains("1 rechazados") && out.contains("renglón 2 (rechazado): CURP: "),
        "{out}"
    );
    // The import is in the audit log the server of this data folder writes: what, where, how many, no content.
    let mut auditoria = String::new();
    for e in std::fs::read_dir(dir.path().join("auditoria"))
        .unwrap()
        .flatten()
    {
        auditoria.push_str(&std::fs::read_to_string(e.path()).unwrap());
    }
    let lineas: Vec<serde_json::Value> = auditoria
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let importacion = lineas
        .iter()
        .find(|l| l["evento"] == "inscripciones")
        .unwrap_or_else(|| panic!("no import in the audit log: {auditoria}"));
    assert_eq!(importacion["origen"], "cli");
    assert_eq!(importacion["cct"], "09TST0001A");
    assert_eq!(importacion["renglones"], 1);
    assert_eq!(importacion["rechazados"], 1);
    assert_eq!(importacion["resultado"], "aplicado");
    assert!(!auditoria.contains("XXXX"), "{auditoria}");
}
