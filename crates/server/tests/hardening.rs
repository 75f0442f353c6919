//! Hardening found by review (issue 16): the año de afiliación on Mexico City's calendar.

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
