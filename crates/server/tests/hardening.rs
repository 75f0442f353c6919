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
