//! The stepper, the form state and validation, and the postal-code lookup component, in a real browser.
#![cfg(target_arch = "wasm32")]

use afiliate::api::{self, ApiError, Backend, Respuesta};
use afiliate::components::cp_lookup::CodigoPostalLookup;
use afiliate::components::stepper::{paso_de, Stepper, PASOS_ASIGNACION, PASOS_LOCALIZADO};
use afiliate::components::{Anuncios, LiveRegion};
use afiliate::state::domicilio::{self, ConsultaCp, DatosDomicilio};
use afiliate::state::inicio::{self, DatosInicio};
use afiliate::state::tramite::Tramite;
use afiliate::state::Errores;
use afiliate_domain::api::{
    AsignacionNss, CaptchaCreado, Mensaje, ResultadoAsignacion, ResultadoSolicitud,
    ResultadoVigencia, SolicitudNss, SolicitudVigencia, UmfDeCodigoPostal, Verificacion,
};
use afiliate_domain::postal;
use leptos::prelude::*;
use std::rc::Rc;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod navegador;
use navegador::{mount_in_new_div, text_of, until};

// ---------- Stepper ----------

#[wasm_bindgen_test]
fn stepper_says_paso_n_de_m_and_marks_each_step() {
    let (root, _app) = mount_in_new_div(|| view! { <Stepper pasos=&PASOS_ASIGNACION actual=1/> });
    let count = root
        .query_selector(".afi-stepper__count")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert_eq!(count, "Paso 2 de 3: Ingresar domicilio");
    let steps = root.query_selector_all(".afi-stepper__step").unwrap();
    assert_eq!(steps.length(), 3);
    let texts: Vec<String> = (0..3)
        .map(|i| steps.item(i).unwrap().text_content().unwrap())
        .collect();
    assert_eq!(texts[0], "Paso 1Iniciar trámite (completado)");
    assert_eq!(texts[1], "Paso 2Ingresar domicilio (actual)");
    assert_eq!(texts[2], "Paso 3Finalizar trámite (pendiente)");
    let current = root.query_selector("[aria-current=step]").unwrap().unwrap();
    assert!(current
        .text_content()
        .unwrap()
        .contains("Ingresar domicilio"));
}

#[wasm_bindgen_test]
fn stepper_collapses_to_two_steps_when_found() {
    let (root, _app) = mount_in_new_div(|| view! { <Stepper pasos=&PASOS_LOCALIZADO actual=1/> });
    assert_eq!(
        root.query_selector_all(".afi-stepper__step")
            .unwrap()
            .length(),
        2
    );
    let count = root
        .query_selector(".afi-stepper__count")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert_eq!(count, "Paso 2 de 2: Finalizar trámite");
    assert_eq!(paso_de(1, 3), "Paso 1 de 3");
}

// ---------- Form state and validation ----------

fn curp_valida() -> String {
    // A CURP whose check digit is right, whatever the domain's demo data: built by the domain generator.
    use afiliate_domain::curp::{generar, DatosPersona};
    use afiliate_domain::{Entidad, Fecha, Sexo};
    let datos = DatosPersona {
        nombre: "ANA",
        primer_apellido: "GOMEZ",
        segundo_apellido: "MARTINEZ",
        fecha_nacimiento: Fecha::new(2005, 1, 1).unwrap(),
        sexo: Sexo::Mujer,
        entidad: Entidad::parse("DF").unwrap(),
    };
    generar(&datos, 'A').unwrap().as_str().to_string()
}

#[wasm_bindgen_test]
fn empty_form_reports_every_field_in_order() {
    let errores = DatosInicio::default().validate("");
    let claves: Vec<&str> = errores.iter().map(|(c, _)| c.clave).collect();
    assert_eq!(
        claves,
        ["curp", "correo", "confirmacion_correo", "captcha_respuesta"]
    );
    assert_eq!(errores.get("curp"), Some("Escribe tu CURP."));
    assert_eq!(
        errores.get("correo"),
        Some("Escribe tu correo electrónico.")
    );
    assert_eq!(
        errores.get("confirmacion_correo"),
        Some("Confirma tu correo electrónico.")
    );
    assert_eq!(
        errores.get("captcha_respuesta"),
        Some("Escribe los caracteres de la imagen.")
    );
}

#[wasm_bindgen_test]
fn valid_form_has_no_errors_and_normalises_the_request() {
    let curp = curp_valida();
    let datos = DatosInicio {
        curp: curp.to_lowercase(),
        correo: " Ana@Example.MX ".into(),
        confirmacion: "ana@example.mx".into(),
    };
    assert!(
        datos.validate("Ab3dE").is_empty(),
        "{:?}",
        datos.validate("Ab3dE")
    );
    let s = datos.solicitud("id1", " Ab3dE ");
    assert_eq!(s.curp, curp);
    assert_eq!(s.correo, "ana@example.mx");
    assert_eq!(s.captcha_respuesta, "Ab3dE", "the CAPTCHA keeps its case");
}

#[wasm_bindgen_test]
fn mismatched_confirmation_and_typo_suggestion() {
    let datos = DatosInicio {
        curp: curp_valida(),
        correo: "ana@gmial.com".into(),
        confirmacion: "otra@gmail.com".into(),
    };
    let errores = datos.validate("x");
    assert_eq!(
        errores.get("confirmacion_correo"),
        Some("Los correos no coinciden: escribe el mismo correo en los dos campos.")
    );
    assert_eq!(datos.sugerencia_correo().as_deref(), Some("ana@gmail.com"));
}

#[wasm_bindgen_test]
fn blur_checks_format_only_and_ignores_empty_fields() {
    let mut datos = DatosInicio::default();
    assert_eq!(
        datos.validate_field(inicio::CURP),
        None,
        "an empty field is only reported on submit"
    );
    datos.curp = "ABC".into();
    assert!(datos.validate_field(inicio::CURP).is_some());
    datos.correo = "sin-arroba".into();
    assert_eq!(
        datos.validate_field(inicio::CORREO),
        Some("Al correo le falta la @, por ejemplo: nombre@gmail.com.")
    );
}

#[wasm_bindgen_test]
fn server_field_errors_map_to_fields_and_unknown_ones_stay_general() {
    let mut m = std::collections::BTreeMap::new();
    m.insert(
        "captcha_respuesta".to_string(),
        vec!["El captcha no fue válido, favor de intentar nuevamente.".to_string()],
    );
    m.insert("otro".to_string(), vec!["Algo más.".to_string()]);
    let e = Errores::del_servidor(&m, &inicio::CAMPOS);
    assert_eq!(e.len(), 2);
    assert_eq!(
        e.get("captcha_respuesta"),
        Some("El captcha no fue válido, favor de intentar nuevamente.")
    );
    assert_eq!(
        e.iter().next().unwrap().0.id,
        "",
        "the general message comes first, without a link"
    );
}

#[wasm_bindgen_test]
fn errors_sort_into_form_order_and_general_ones_keep_theirs() {
    // The server's map comes in alphabetical order; unknown fields become general problems.
    let mut m = std::collections::BTreeMap::new();
    for (clave, mensaje) in [
        ("captcha_respuesta", "d"),
        ("confirmacion_correo", "c"),
        ("correo", "b"),
        ("curp", "a"),
        ("x_otro", "g1"),
        ("y_otro", "g2"),
    ] {
        m.insert(clave.to_string(), vec![mensaje.to_string()]);
    }
    let e = Errores::del_servidor(&m, &inicio::CAMPOS);
    let mensajes: Vec<&str> = e.iter().map(|(_, m)| m.as_str()).collect();
    assert_eq!(mensajes, ["g1", "g2", "a", "b", "c", "d"]);
}

#[wasm_bindgen_test]
fn address_rules_with_catalog_and_by_hand() {
    let cp = afiliate_domain::api::CodigoPostal {
        codigo_postal: "01000".into(),
        estado: "Ciudad de México".into(),
        municipio: "Álvaro Obregón".into(),
        ciudad: "Ciudad de México".into(),
        asentamientos: vec![afiliate_domain::api::Asentamiento {
            nombre: "San Ángel".into(),
            tipo: "Colonia".into(),
        }],
    };
    let mut d = DatosDomicilio {
        codigo_postal: "01000".into(),
        ..Default::default()
    };
    let e = d.validate(&ConsultaCp::Encontrado(cp.clone()));
    assert_eq!(e.get("domicilio.colonia"), Some("Selecciona tu colonia."));
    assert_eq!(e.get("domicilio.calle"), Some("Escribe tu calle."));
    assert!(e.get("domicilio.numero_exterior").is_some());
    assert!(e.get("domicilio.numero_interior").is_none(), "optional");
    d.colonia = "Otra".into();
    assert!(
        d.validate(&ConsultaCp::Encontrado(cp.clone()))
            .get("domicilio.colonia")
            .is_some(),
        "must belong to the code"
    );
    d.colonia = "San Ángel".into();
    d.calle = "Av. Revolución".into();
    d.numero_exterior = "1000".into();
    assert!(d.validate(&ConsultaCp::Encontrado(cp)).is_empty());
    let api = d.to_api(false);
    assert_eq!(api.numero_interior, None);
    assert_eq!(api.estado, None);

    let manual = d.validate(&ConsultaCp::NoEncontrado);
    assert_eq!(
        manual.get("domicilio.estado"),
        Some("Selecciona tu estado.")
    );
    assert_eq!(
        manual.get("domicilio.municipio"),
        Some("Escribe tu municipio o alcaldía.")
    );
    d.codigo_postal = "12a".into();
    assert!(d
        .validate(&ConsultaCp::Vacia)
        .get("domicilio.codigo_postal")
        .is_some());
}

#[wasm_bindgen_test]
fn tramite_survives_a_reload_through_session_storage_without_the_captcha() {
    let mut t = Tramite::default();
    t.inicio.curp = "ABC".into();
    t.domicilio.calle = "Reforma".into();
    t.guardar();
    let stored = web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap();
    let json = stored
        .get_item(afiliate::state::tramite::CLAVE_STORAGE)
        .unwrap()
        .unwrap();
    assert!(
        !json.contains("captcha"),
        "the CAPTCHA is never stored: {json}"
    );
    assert_eq!(Tramite::cargar(), t);
    Tramite::default().guardar();
    assert_eq!(
        stored
            .get_item(afiliate::state::tramite::CLAVE_STORAGE)
            .unwrap(),
        None,
        "cleared"
    );
}

// ---------- Postal-code lookup component ----------

/// Serves fake shards cut from a few catalog lines; the shard of 99900 fails as if offline.
struct FakeShards;

const CATALOGO: [&str; 2] = [
    "01000|9|Álvaro Obregón|Ciudad de México|San Ángel|Colonia|Tlacopac|Colonia",
    "01010|9|Álvaro Obregón|Ciudad de México|Los Alpes|Colonia",
];

fn offline<T: 'static>() -> Respuesta<T> {
    Box::pin(async { Err(ApiError::SinConexion) })
}

impl Backend for FakeShards {
    fn nuevo_captcha(&self) -> Respuesta<CaptchaCreado> {
        offline()
    }
    fn solicitar_nss(&self, _: SolicitudNss) -> Respuesta<ResultadoSolicitud> {
        offline()
    }
    fn confirmar_correo(
        &self,
        _: afiliate_domain::api::ConfirmacionCorreo,
    ) -> Respuesta<ResultadoSolicitud> {
        offline()
    }
    fn asignar_nss(&self, _: AsignacionNss) -> Respuesta<ResultadoAsignacion> {
        offline()
    }
    fn shard_cp(&self, archivo: String) -> Respuesta<String> {
        Box::pin(async move {
            if Some(&archivo) == postal::shard_file("99900").as_ref() {
                return Err(ApiError::SinConexion);
            }
            let mut shard = String::new();
            for linea in CATALOGO
                .iter()
                .filter(|l| postal::shard_file(&l[..5]).as_ref() == Some(&archivo))
            {
                shard.push_str(linea);
                shard.push('\n');
            }
            Ok(shard)
        })
    }
    fn reenviar_documento(&self, _: String) -> Respuesta<Mensaje> {
        offline()
    }
    fn verificacion(&self, _: String) -> Respuesta<Verificacion> {
        offline()
    }
    fn solicitar_vigencia(&self, _: SolicitudVigencia) -> Respuesta<ResultadoVigencia> {
        offline()
    }
    fn umf_de_cp(&self, _: String) -> Respuesta<UmfDeCodigoPostal> {
        offline()
    }
}

#[wasm_bindgen_test]
async fn postal_code_fills_estado_municipio_and_colonias_from_the_shard() {
    api::install(Rc::new(FakeShards));
    let datos = RwSignal::new(DatosDomicilio::default());
    let consulta = RwSignal::new(ConsultaCp::Vacia);
    let errores = RwSignal::new(Errores::new());
    let (root, _app) = mount_in_new_div(move || {
        provide_context(Anuncios::new());
        view! { <LiveRegion/><CodigoPostalLookup domicilio=datos consulta=consulta errores=errores/> }
    });

    datos.update(|d| d.codigo_postal = "01000".into());
    // Announced after the shard's await (no reactive owner is current there).
    assert!(
        until(|| text_of(&root, "[data-testid=anuncios]").as_deref()
            == Some("Código postal encontrado: Álvaro Obregón, Ciudad de México."))
        .await,
        "{:?}",
        text_of(&root, "[data-testid=anuncios]")
    );
    assert!(until(|| matches!(consulta.get_untracked(), ConsultaCp::Encontrado(_))).await);
    assert!(until(|| text_of(&root, "[data-testid=cp-estado]").is_some()).await);
    assert_eq!(
        text_of(&root, "[data-testid=cp-estado]").as_deref(),
        Some("Ciudad de México")
    );
    assert_eq!(
        text_of(&root, "[data-testid=cp-municipio]").as_deref(),
        Some("Álvaro Obregón")
    );
    let select = root
        .query_selector("select#afi-colonia")
        .unwrap()
        .expect("the colonia list");
    let options = select.query_selector_all("option").unwrap();
    assert_eq!(options.length(), 3, "placeholder + 2 colonias");
    assert_eq!(
        options.item(1).unwrap().text_content().unwrap(),
        "San Ángel (Colonia)"
    );

    // A code with a single colonia selects it.
    datos.update(|d| d.codigo_postal = "01010".into());
    assert!(until(|| matches!(&consulta.get_untracked(), ConsultaCp::Encontrado(c) if c.codigo_postal == "01010")).await);
    assert_eq!(datos.get_untracked().colonia, "Los Alpes");
}

#[wasm_bindgen_test]
async fn unknown_postal_code_falls_back_to_typing_the_address() {
    api::install(Rc::new(FakeShards));
    let datos = RwSignal::new(DatosDomicilio::default());
    let consulta = RwSignal::new(ConsultaCp::Vacia);
    let errores = RwSignal::new(Errores::new());
    let (root, _app) = mount_in_new_div(
        move || view! { <CodigoPostalLookup domicilio=datos consulta=consulta errores=errores/> },
    );

    datos.update(|d| d.codigo_postal = "01099".into());
    assert!(until(|| consulta.get_untracked() == ConsultaCp::NoEncontrado).await);
    assert!(
        until(|| root
            .query_selector("[data-testid=cp-no-encontrado]")
            .unwrap()
            .is_some())
        .await
    );
    assert!(root.query_selector("select#afi-estado").unwrap().is_some());
    assert!(root
        .query_selector("input#afi-municipio")
        .unwrap()
        .is_some());
    assert!(root.query_selector("input#afi-colonia").unwrap().is_some());
    assert_eq!(
        root.query_selector_all("select#afi-estado option")
            .unwrap()
            .length(),
        33
    );
}

#[wasm_bindgen_test]
async fn offline_lookup_offers_a_retry() {
    api::install(Rc::new(FakeShards));
    let datos = RwSignal::new(DatosDomicilio {
        codigo_postal: "99900".into(),
        ..Default::default()
    });
    let consulta = RwSignal::new(ConsultaCp::Vacia);
    let errores = RwSignal::new(Errores::new());
    let (root, _app) = mount_in_new_div(
        move || view! { <CodigoPostalLookup domicilio=datos consulta=consulta errores=errores/> },
    );
    assert!(until(|| consulta.get_untracked() == ConsultaCp::Falla).await);
    assert!(
        until(|| text_of(&root, "button").is_some_and(|t| t.contains("Buscar de nuevo"))).await
    );
    let v = datos.get_untracked().validate(&ConsultaCp::Falla);
    assert!(
        v.get(domicilio::CODIGO_POSTAL.clave).is_some(),
        "cannot continue without the lookup"
    );
}
