//! Pasos 2 and 3 in a real browser: the constancia form pre-filled from Paso 1 and checked before it is sent,
//! the server's field errors on their fields, the result that says what to do, and the clinic search.
#![cfg(target_arch = "wasm32")]

use afiliate::api::{self, ApiError, Backend, Respuesta};
use afiliate::state::tramite::Tramite;
use afiliate::state::vigencia::Pasos;
use afiliate::App;
use afiliate_domain::api::{
    mensaje_sin_umf, AsignacionNss, CaptchaCreado, Documento, EscuelaResumen, EstadoVigencia,
    Mensaje, MotivoSinDerecho, Problema, ResultadoAsignacion, ResultadoSolicitud,
    ResultadoVigencia, SolicitudNss, SolicitudVigencia, Umf, UmfDeCodigoPostal, Verificacion,
};
use leptos::prelude::*;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod navegador;
use navegador::*;

const CURP: &str = "GALM050314MDFRPRA7";
const NSS: &str = "12230543212";
const CORREO: &str = "mariana@example.com";

/// What the scripted server answers, and what it was asked.
#[derive(Default)]
struct Estado {
    captchas: u32,
    vigencia: Option<Result<ResultadoVigencia, ApiError>>,
    solicitudes: Vec<SolicitudVigencia>,
    umf: BTreeMap<String, Vec<Umf>>,
    consultas_cp: Vec<String>,
}

#[derive(Clone, Default)]
struct Servidor(Rc<RefCell<Estado>>);

fn offline<T: 'static>() -> Respuesta<T> {
    Box::pin(async { Err(ApiError::SinConexion) })
}

impl Backend for Servidor {
    fn nuevo_captcha(&self) -> Respuesta<CaptchaCreado> {
        let mut e = self.0.borrow_mut();
        e.captchas += 1;
        let n = e.captchas;
        Box::pin(async move {
            Ok(CaptchaCreado {
                id: format!("c{n}"),
                imagen_url: "data:image/gif;base64,R0lGODlhAQABAAAAACw=".into(),
                audio_url: format!("/api/captcha/c{n}/audio"),
            })
        })
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
    fn shard_cp(&self, _: String) -> Respuesta<String> {
        offline()
    }
    fn reenviar_documento(&self, _: String) -> Respuesta<Mensaje> {
        offline()
    }
    fn verificacion(&self, _: String) -> Respuesta<Verificacion> {
        offline()
    }
    fn solicitar_vigencia(&self, s: SolicitudVigencia) -> Respuesta<ResultadoVigencia> {
        let mut e = self.0.borrow_mut();
        e.solicitudes.push(s);
        let r = e.vigencia.clone().unwrap_or(Err(ApiError::SinConexion));
        Box::pin(async move { r })
    }
    fn umf_de_cp(&self, cp: String) -> Respuesta<UmfDeCodigoPostal> {
        let mut e = self.0.borrow_mut();
        e.consultas_cp.push(cp.clone());
        let r = match e.umf.get(&cp) {
            Some(umf) => Ok(UmfDeCodigoPostal {
                codigo_postal: cp,
                umf: umf.clone(),
            }),
            None => Err(ApiError::Problema(Problema {
                tipo: "/problemas/no-encontrado".into(),
                title: "No encontrado".into(),
                status: 404,
                detail: mensaje_sin_umf(&cp),
                errores: BTreeMap::new(),
            })),
        };
        Box::pin(async move { r })
    }
}

fn input(root: &web_sys::Element, id: &str) -> web_sys::HtmlInputElement {
    root.query_selector(&format!("#{id}"))
        .unwrap()
        .unwrap_or_else(|| panic!("no #{id}"))
        .unchecked_into()
}

/// Types `valor` into the field as a person would (an `input` event after the value changes).
fn escribir(root: &web_sys::Element, id: &str, valor: &str) {
    let i = input(root, id);
    i.set_value(valor);
    i.dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
}

fn texto(root: &web_sys::Element, selector: &str) -> String {
    text_of(root, selector).unwrap_or_default()
}

/// Paso 1 ended with this NSS found, and (optionally) an address typed.
fn paso_1_terminado(codigo_postal: &str) {
    let mut t = Tramite::default();
    t.inicio.correo = CORREO.into();
    t.inicio.confirmacion = CORREO.into();
    t.solicitud = Some(ResultadoSolicitud::Localizado {
        nss: NSS.into(),
        nombre: "MARIANA GARCIA LOPEZ".into(),
        curp: CURP.into(),
        documentos: vec![],
    });
    t.domicilio.codigo_postal = codigo_postal.into();
    t.guardar();
}

fn limpiar() {
    Tramite::default().guardar();
    Pasos::default().guardar();
}

fn constancia(resultado: EstadoVigencia, motivo: Option<MotivoSinDerecho>) -> ResultadoVigencia {
    ResultadoVigencia {
        resultado,
        motivo,
        nombre: "MARIANA GARCIA LOPEZ".into(),
        curp: CURP.into(),
        nss: NSS.into(),
        tipo_asegurado: "Estudiante (seguro facultativo, modalidad 32)".into(),
        escuela: Some(EscuelaResumen {
            cct: "09DCT0001Z".into(),
            nombre: "Preparatoria Demostración 1".into(),
            registro_patronal: "Y6012345101".into(),
        }),
        umf: None,
        vigente_desde: Some("01/08/2026".into()),
        vigente_hasta: Some("31/07/2027".into()),
        documentos: vec![Documento {
            folio: "VIG-1".into(),
            fecha: "01/12/2026".into(),
            documento: "Constancia de vigencia de derechos".into(),
            ver_url: "/d/vig-1".into(),
            descargar_url: "/d/vig-1?descargar".into(),
        }],
    }
}

#[wasm_bindgen_test]
async fn the_constancia_form_comes_prefilled_from_paso_1_and_is_checked_before_it_is_sent() {
    limpiar();
    paso_1_terminado("");
    let servidor = Servidor::default();
    api::install(Rc::new(servidor.clone()));
    let antes = ir_a("/tramite/vigencia");
    let (root, handle) = mount_in_new_div(|| view! { <App/> });
    assert!(until(|| root.query_selector("#afi-nss").unwrap().is_some()).await);
    assert_eq!(input(&root, "afi-curp").value(), CURP);
    assert_eq!(input(&root, "afi-nss").value(), NSS);
    assert_eq!(input(&root, "afi-correo").value(), CORREO);
    assert_eq!(input(&root, "afi-confirmacion").value(), CORREO);
    // The "¿No te sabes tu NSS?" link leads to Paso 1.
    let enlace = root
        .query_selector(".afi-field__suggestion a[href='/tramite/nss']")
        .unwrap();
    assert!(enlace.is_some(), "the link to Paso 1");

    // A short NSS is refused in the browser: nothing is sent, the summary says why and links to the field.
    escribir(&root, "afi-nss", "1223054");
    escribir(&root, "afi-captcha", "AbC23x");
    click(&root, "button[type=submit]");
    assert!(until(|| texto(&root, ".afi-summary").contains("11 dígitos")).await);
    assert!(root
        .query_selector(".afi-summary a[href='#afi-nss']")
        .unwrap()
        .is_some());
    assert!(document().title().starts_with("Error: "));
    assert!(servidor.0.borrow().solicitudes.is_empty(), "nothing sent");
    assert_eq!(
        input(&root, "afi-curp").value(),
        CURP,
        "what was typed is kept"
    );
    drop(handle);
    root.remove();
    limpiar();
    ir_a(&antes);
}

#[wasm_bindgen_test]
async fn the_servers_nss_error_lands_on_the_nss_field_with_a_new_captcha() {
    limpiar();
    paso_1_terminado("");
    let servidor = Servidor::default();
    let mut errores = BTreeMap::new();
    errores.insert(
        "nss".to_string(),
        vec!["El NSS no corresponde a la CURP capturada.".to_string()],
    );
    servidor.0.borrow_mut().vigencia = Some(Err(ApiError::Problema(Problema {
        tipo: "/problemas/nss-no-corresponde".into(),
        title: "Hay un problema".into(),
        status: 422,
        detail: "Revisa los datos marcados.".into(),
        errores,
    })));
    api::install(Rc::new(servidor.clone()));
    let antes = ir_a("/tramite/vigencia");
    let (root, handle) = mount_in_new_div(|| view! { <App/> });
    assert!(
        until(|| root
            .query_selector(".afi-captcha__image")
            .unwrap()
            .is_some())
        .await
    );
    escribir(&root, "afi-captcha", "AbC23x");
    click(&root, "button[type=submit]");
    assert!(
        until(|| texto(&root, "#afi-nss-error").contains("no corresponde")).await,
        "inline: {:?}",
        texto(&root, ".afi-field--error")
    );
    let enviada = servidor.0.borrow().solicitudes[0].clone();
    assert_eq!(
        (
            enviada.curp.as_str(),
            enviada.nss.as_str(),
            enviada.captcha_id.as_str()
        ),
        (CURP, NSS, "c1")
    );
    // The CAPTCHA was used up: a second one is on screen, its answer empty; the NSS is kept.
    assert!(until(|| servidor.0.borrow().captchas == 2).await);
    assert_eq!(input(&root, "afi-captcha").value(), "");
    assert_eq!(input(&root, "afi-nss").value(), NSS);
    drop(handle);
    root.remove();
    limpiar();
    ir_a(&antes);
}

#[wasm_bindgen_test]
async fn a_constancia_that_says_no_says_what_to_do_and_offers_the_document() {
    limpiar();
    paso_1_terminado("");
    let servidor = Servidor::default();
    servidor.0.borrow_mut().vigencia = Some(Ok(constancia(
        EstadoVigencia::SinDerecho,
        Some(MotivoSinDerecho::PeriodoVencido),
    )));
    api::install(Rc::new(servidor.clone()));
    let antes = ir_a("/tramite/vigencia");
    let (root, handle) = mount_in_new_div(|| view! { <App/> });
    assert!(
        until(|| root
            .query_selector(".afi-captcha__image")
            .unwrap()
            .is_some())
        .await
    );
    escribir(&root, "afi-captcha", "AbC23x");
    click(&root, "button[type=submit]");
    assert!(
        until(|| texto(&root, "[data-testid=vigencia]").starts_with("NO tienes derecho")).await,
        "{}",
        texto(&root, "h1")
    );
    assert_eq!(
        web_sys::window().unwrap().location().pathname().unwrap(),
        "/tramite/vigencia/resultado"
    );
    let que_hacer = texto(&root, "[data-testid=que-hacer]");
    assert!(que_hacer.contains("31/07/2027"), "{que_hacer}");
    assert!(que_hacer.contains("periodo actual"), "{que_hacer}");
    let datos = texto(&root, ".afi-datos");
    assert!(
        datos.contains("Preparatoria Demostración 1 (09DCT0001Z)"),
        "{datos}"
    );
    assert!(datos.contains("Y6012345101"), "{datos}");
    assert!(datos.contains("Búscala en el Paso 3"), "no clinic: {datos}");
    assert!(texto(&root, ".afi-docs").contains("Constancia de vigencia de derechos"));
    assert!(
        until(|| texto(&root, "[data-testid=anuncios]").starts_with("NO tienes derecho")).await,
        "announced"
    );
    // Kept for a reload.
    assert!(Pasos::cargar().resultado.is_some());
    drop(handle);
    root.remove();
    limpiar();
    ir_a(&antes);
}

fn umf(clave: &str) -> Umf {
    Umf {
        clave: clave.into(),
        nombre: format!("UMF de demostración {clave}"),
        domicilio: "Av. Ficticia 1, Col. Centro, C.P. 04000".into(),
        telefono: "55 5555 0000".into(),
        horario: "Lunes a viernes de 8:00 a 20:00 h".into(),
    }
}

#[wasm_bindgen_test]
async fn paso_3_looks_up_the_postal_code_known_from_paso_1_and_says_when_no_clinic_serves_one() {
    limpiar();
    paso_1_terminado("04000");
    let servidor = Servidor::default();
    servidor
        .0
        .borrow_mut()
        .umf
        .insert("04000".into(), vec![umf("UMF-DEMO-1")]);
    api::install(Rc::new(servidor.clone()));
    let antes = ir_a("/paso-3");
    let (root, handle) = mount_in_new_div(|| view! { <App/> });
    // Searched at once, without a click.
    assert!(
        until(|| texto(&root, "[data-testid=clinicas]").contains("UMF de demostración UMF-DEMO-1"))
            .await,
        "{}",
        texto(&root, ".afi-container")
    );
    assert_eq!(servidor.0.borrow().consultas_cp, ["04000"]);
    assert_eq!(input(&root, "afi-cp-umf").value(), "04000");
    let tel = root
        .query_selector("[data-testid=umf] a[href^='tel:']")
        .unwrap()
        .unwrap();
    assert_eq!(tel.get_attribute("href").as_deref(), Some("tel:5555550000"));
    assert!(until(|| texto(&root, "[data-testid=anuncios]").contains("04000")).await);

    // A code no clinic serves: the real service's words, not a form error.
    escribir(&root, "afi-cp-umf", "99999");
    click(&root, "button[type=submit]");
    assert!(
        until(|| texto(&root, "[data-testid=sin-umf]").contains(&mensaje_sin_umf("99999"))).await,
        "{}",
        texto(&root, ".afi-container")
    );
    assert!(root
        .query_selector("[data-testid=clinicas]")
        .unwrap()
        .is_none());
    assert!(root.query_selector(".afi-summary li").unwrap().is_none());

    // A malformed code never reaches the server.
    escribir(&root, "afi-cp-umf", "04");
    click(&root, "button[type=submit]");
    assert!(
        until(|| texto(&root, ".afi-summary").contains("5")).await,
        "{}",
        texto(&root, ".afi-summary")
    );
    assert_eq!(servidor.0.borrow().consultas_cp.len(), 2);
    drop(handle);
    root.remove();
    limpiar();
    ir_a(&antes);
}
