//! The app's JSON (the browser's JSON.parse/stringify, no serde_json in the wasm) against serde's format, which is
//! the server's: same field names and shapes both ways, and malformed answers rejected.
#![cfg(target_arch = "wasm32")]

use afiliate::api::json::{self, Json};
use afiliate::state::tramite::Tramite;
use afiliate_domain::api::{
    AsignacionNss, CaptchaCreado, Documento, Domicilio, Mensaje, Problema, ResultadoAsignacion,
    ResultadoSolicitud, SolicitudNss, Verificacion,
};
use serde::{de::DeserializeOwned, Serialize};
use std::collections::BTreeMap;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// serde → app and app → serde give the same value.
fn ida_y_vuelta<T>(valor: T)
where
    T: Json + Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let de_serde = serde_json::to_string(&valor).unwrap();
    assert_eq!(
        json::leer::<T>(&de_serde).as_ref(),
        Some(&valor),
        "{de_serde}"
    );
    let de_app = json::stringify(&valor.a_json());
    let a_serde: T = serde_json::from_str(&de_app).unwrap();
    assert_eq!(a_serde, valor, "{de_app}");
    let arbol_app: serde_json::Value = serde_json::from_str(&de_app).unwrap();
    assert_eq!(arbol_app, serde_json::to_value(&valor).unwrap());
}

fn documento(n: u8) -> Documento {
    Documento {
        folio: format!("NSS-2026-{n}"),
        fecha: "26/11/2026".into(),
        documento: "Número de Seguridad Social \"NSS\"".into(),
        ver_url: "/api/documentos/x/ver?firma=a+b".into(),
        descargar_url: "/api/documentos/x/descargar".into(),
    }
}

#[wasm_bindgen_test]
fn every_api_type_has_serdes_json_both_ways() {
    ida_y_vuelta(CaptchaCreado {
        id: "c1".into(),
        imagen_url: "/api/captcha/c1.png".into(),
        audio_url: "/api/captcha/c1.wav".into(),
    });
    ida_y_vuelta(SolicitudNss {
        curp: "PEMA050317MDFRRNA9".into(),
        correo: "ana@example.mx".into(),
        confirmacion_correo: "ana@example.mx".into(),
        captcha_id: "c1".into(),
        captcha_respuesta: "Ab3dE".into(),
    });
    ida_y_vuelta(ResultadoSolicitud::Localizado {
        nss: "12345678901".into(),
        nombre: "Ana Pérez Núñez".into(),
        curp: "PEMA050317MDFRRNA9".into(),
        documentos: vec![documento(1), documento(2)],
    });
    ida_y_vuelta(ResultadoSolicitud::SinNss {
        nombre: "Ana\nPérez \\ \u{1}".into(),
        curp: "PEMA050317MDFRRNA9".into(),
        token: "t".into(),
    });
    ida_y_vuelta(ResultadoAsignacion::Asignado {
        nss: "12345678901".into(),
        nombre: "Ana".into(),
        curp: "PEMA050317MDFRRNA9".into(),
        documentos: vec![],
    });
    let domicilio = Domicilio {
        codigo_postal: "01000".into(),
        colonia: "San Ángel".into(),
        calle: "Reforma".into(),
        numero_exterior: "12-B".into(),
        numero_interior: None,
        estado: None,
        municipio: None,
    };
    ida_y_vuelta(AsignacionNss {
        token: "t".into(),
        domicilio: domicilio.clone(),
    });
    ida_y_vuelta(AsignacionNss {
        token: "t".into(),
        domicilio: Domicilio {
            numero_interior: Some("3".into()),
            estado: Some("Ciudad de México".into()),
            municipio: Some("Álvaro Obregón".into()),
            ..domicilio
        },
    });
    ida_y_vuelta(Mensaje {
        mensaje: "Listo".into(),
    });
    let mut errores = BTreeMap::new();
    errores.insert("curp".to_string(), vec!["Revisa tu CURP.".to_string()]);
    errores.insert("domicilio.calle".to_string(), vec![]);
    ida_y_vuelta(Problema {
        tipo: "/problemas/validacion".into(),
        title: "Revisa tus datos".into(),
        status: 422,
        detail: String::new(),
        errores,
    });
    for autentico in [true, false] {
        ida_y_vuelta(Verificacion {
            folio: "NSS-1".into(),
            autentico,
            documento: "Número de Seguridad Social".into(),
            certifica: "Que…".into(),
            fecha: "26/11/2026".into(),
            nombre: "Ma*** Pe**".into(),
            curp: "PEÑM**************".into(),
            nss: "*******8901".into(),
            mensaje: "El documento es auténtico.".into(),
        });
    }
}

#[wasm_bindgen_test]
fn malformed_answers_are_rejected() {
    // Not JSON, the wrong shape, a missing field, a field of the wrong type, an unknown variant.
    assert_eq!(json::leer::<CaptchaCreado>("boom"), None);
    assert_eq!(json::leer::<CaptchaCreado>("[\"c1\", \"/x\"]"), None);
    assert_eq!(json::leer::<CaptchaCreado>("null"), None);
    assert_eq!(json::leer::<CaptchaCreado>(r#"{"id":"c1"}"#), None);
    assert_eq!(
        json::leer::<CaptchaCreado>(r#"{"id":1,"imagen_url":"/x"}"#),
        None
    );
    assert_eq!(
        json::leer::<ResultadoSolicitud>(
            r#"{"resultado":"otro","nombre":"a","curp":"b","token":"c"}"#
        ),
        None
    );
    assert_eq!(
        json::leer::<ResultadoSolicitud>(r#"{"nombre":"a","curp":"b","token":"c"}"#),
        None
    );
    assert_eq!(
        json::leer::<ResultadoAsignacion>(
            r#"{"resultado":"asignado","nss":"1","nombre":"a","curp":"b","documentos":[{"folio":"x"}]}"#
        ),
        None
    );
    assert_eq!(
        json::leer::<ResultadoAsignacion>(
            r#"{"resultado":"asignado","nss":"1","nombre":"a","curp":"b","documentos":{}}"#
        ),
        None
    );
    assert_eq!(
        json::leer::<Verificacion>(r#"{"folio":"x","autentico":"si"}"#),
        None
    );
    let problema = r#"{"type":"/p","title":"t","status":503,"detail":"d""#;
    assert_eq!(json::leer::<Problema>(problema), None);
    assert_eq!(
        json::leer::<Problema>(r#"{"type":"/p","title":"t","status":503.5,"detail":"d"}"#),
        None
    );
    assert_eq!(
        json::leer::<Problema>(r#"{"type":"/p","title":"t","status":70000,"detail":"d"}"#),
        None
    );
    assert_eq!(
        json::leer::<Problema>(
            r#"{"type":"/p","title":"t","status":400,"detail":"d","errores":{"curp":"x"}}"#
        ),
        None
    );
    // `errores` may be left out, unknown fields are ignored (as serde does).
    let p =
        json::leer::<Problema>(r#"{"type":"/p","title":"t","status":503,"detail":"d","extra":1}"#)
            .expect("a problem");
    assert_eq!(p.status, 503);
    assert!(p.errores.is_empty());
}

#[wasm_bindgen_test]
fn tramite_round_trips_through_its_stored_json() {
    let mut t = Tramite::default();
    t.inicio.curp = "PEMA050317MDFRRNA9".into();
    t.inicio.correo = "ana@example.mx".into();
    t.domicilio.calle = "Reforma \"centro\"".into();
    t.domicilio_manual = true;
    t.solicitud = Some(ResultadoSolicitud::SinNss {
        nombre: "Ana".into(),
        curp: "PEMA050317MDFRRNA9".into(),
        token: "t".into(),
    });
    t.asignacion = Some(ResultadoAsignacion::Asignado {
        nss: "12345678901".into(),
        nombre: "Ana".into(),
        curp: "PEMA050317MDFRRNA9".into(),
        documentos: vec![documento(1)],
    });
    let texto = json::stringify(&t.a_json());
    assert_eq!(json::leer::<Tramite>(&texto), Some(t));
    assert_eq!(json::leer::<Tramite>("{}"), None);
}
