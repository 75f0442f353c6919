//! The whole app in a real browser: leptos_router's route table under a base, the app's links against a host
//! page's, the hand-over from the prerendered page, and live-region announcements made after an `await`.
#![cfg(target_arch = "wasm32")]

use afiliate::api;
use afiliate::components::documentos::Documentos;
use afiliate::components::{Anuncios, LiveRegion};
use afiliate::pages::nss_inicio::NssInicioPage;
use afiliate::{prerender, App};
use afiliate_domain::api::Documento;
use leptos::prelude::*;
use leptos_router::components::Router;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod navegador;
use navegador::*;

fn h1(root: &web_sys::Element) -> String {
    text_of(root, "h1").unwrap_or_default()
}

#[wasm_bindgen_test]
async fn the_route_table_has_every_page_and_a_not_found() {
    for (ruta, titulo) in [
        (
            "/paso-2",
            "Paso 2: Verifica que tu escuela te haya inscrito al IMSS",
        ),
        (
            "/paso-3",
            "Paso 3: Regístrate en la Clínica que te corresponde",
        ),
        ("/tramite/nss/fin", "Terminaste el Paso 1"),
        (
            "/tramite/vigencia",
            "Solicitud de constancia de vigencia de derechos",
        ),
        (
            "/tramite/vigencia/resultado",
            "Primero solicita tu constancia",
        ),
        ("/aviso-de-privacidad", "Aviso de privacidad"),
        ("/tramite/nss/domicilio", "Primero inicia el trámite"),
        ("/tramite/nss/revisar", "Primero inicia el trámite"),
        ("/tramite/nss/resultado", "Primero inicia el trámite"),
        ("/tramite/nss/correo", "Primero inicia el trámite"),
        ("/tramite/nss/confirmar", "Enlace no válido"),
        ("/verificar/NSS-1", "Verificación de documento"),
        ("/verificar/a/b", "No encontramos esta página"),
        ("/otra", "No encontramos esta página"),
        ("/_cargando", "Afíliate al IMSS"),
    ] {
        let antes = ir_a(ruta);
        let (root, handle) = mount_in_new_div(|| view! { <App/> });
        assert!(until(|| h1(&root) == titulo).await, "{ruta}: {}", h1(&root));
        drop(handle);
        root.remove();
        ir_a(&antes);
    }
}

#[wasm_bindgen_test]
async fn under_a_base_routes_and_links_live_below_it() {
    let antes = ir_a("/afiliatealimss/tramite/paso-2");
    let (root, handle) = mount_in_new_div(|| view! { <App base="/afiliatealimss/tramite"/> });
    assert!(
        until(|| h1(&root).starts_with("Paso 2")).await,
        "{}",
        h1(&root)
    );
    let vigencia = root
        .query_selector("a.afi-button[href$='/tramite/vigencia']")
        .unwrap()
        .expect("the constancia's link");
    assert_eq!(
        vigencia.get_attribute("href").as_deref(),
        Some("/afiliatealimss/tramite/tramite/vigencia")
    );
    // A click is routed inside the app: no page load, a new heading, the address under the base.
    vigencia.unchecked_ref::<web_sys::HtmlElement>().click();
    assert!(
        until(|| h1(&root).starts_with("Solicitud de constancia")).await,
        "{}",
        h1(&root)
    );
    assert_eq!(
        web_sys::window().unwrap().location().pathname().unwrap(),
        "/afiliatealimss/tramite/tramite/vigencia"
    );
    // The privacy notice under the form is the app's too.
    click(&root, "[data-testid=aviso-formulario] a");
    assert!(
        until(|| h1(&root) == "Aviso de privacidad").await,
        "{}",
        h1(&root)
    );
    assert_eq!(
        web_sys::window().unwrap().location().pathname().unwrap(),
        "/afiliatealimss/tramite/aviso-de-privacidad"
    );
    // The header's brand leads to the app's own start, under the base.
    click(&root, "a.afi-header__brand");
    assert!(
        until(|| h1(&root).contains("tienes IMSS")).await,
        "{}",
        h1(&root)
    );
    drop(handle);
    root.remove();
    ir_a(&antes);
}

#[wasm_bindgen_test]
async fn host_links_are_the_browsers_and_app_links_the_routers() {
    let antes = ir_a("/");
    let w = web_sys::window().unwrap();
    // A host page: a link of its own beside the element the app mounts into.
    let anfitrion = document().create_element("nav").unwrap();
    anfitrion.set_inner_html("<a id=\"enlace-anfitrion\" href=\"/paso-3\">Del anfitrión</a>");
    document().body().unwrap().append_child(&anfitrion).unwrap();
    let (root, handle) = mount_in_new_div(|| view! { <App/> });
    prerender::solo_enlaces_propios(&root);
    assert!(until(|| h1(&root).contains("tienes IMSS")).await);

    // The window hears the click after the router: it records whether the router took it, then cancels the
    // page load for the test.
    let tomado = Rc::new(std::cell::Cell::new(None::<bool>));
    let t = tomado.clone();
    let registrar =
        wasm_bindgen::closure::Closure::<dyn Fn(web_sys::Event)>::new(move |ev: web_sys::Event| {
            t.set(Some(ev.default_prevented()));
            ev.prevent_default();
        });
    w.add_event_listener_with_callback("click", registrar.as_ref().unchecked_ref())
        .unwrap();

    click(&anfitrion, "#enlace-anfitrion");
    assert_eq!(
        tomado.get(),
        Some(false),
        "the host's link is left to the browser"
    );
    assert!(h1(&root).contains("tienes IMSS"), "the app did not move");
    sleep(10).await;
    assert!(
        !anfitrion
            .query_selector("#enlace-anfitrion")
            .unwrap()
            .unwrap()
            .has_attribute("target"),
        "the host's link is left as it was"
    );

    click(&root, "a.afi-paso[href='/paso-3']");
    assert_eq!(tomado.get(), Some(true), "the app's link is routed");
    assert!(
        until(|| h1(&root).starts_with("Paso 3")).await,
        "{} at {:?}",
        h1(&root),
        web_sys::window().unwrap().location().pathname()
    );

    w.remove_event_listener_with_callback("click", registrar.as_ref().unchecked_ref())
        .unwrap();
    drop(handle);
    root.remove();
    anfitrion.remove();
    ir_a(&antes);
}

// wasm-bindgen-test runs the tests in reverse order of their names. This one's router outlives the test (its click
// listener stays on the window, and takes the next test's link clicks), so its name keeps it after every test that
// clicks a link.
#[wasm_bindgen_test]
async fn a_prerendered_page_is_taken_over_keeping_what_was_typed_and_the_focus() {
    let antes = ir_a("/tramite/nss");
    api::install(Rc::new(Guion::default()));
    // The snapshot the server sends: this same app's first render.
    let (modelo, h) = mount_in_new_div(|| view! { <App/> });
    assert!(until(|| modelo.query_selector("#afi-curp").unwrap().is_some()).await);
    let html = modelo.inner_html();
    drop(h);
    modelo.remove();

    let host = document().create_element("div").unwrap();
    host.set_inner_html(&html);
    document().body().unwrap().append_child(&host).unwrap();
    // The student types in the prerendered form before the app is there.
    let curp: web_sys::HtmlInputElement = host
        .query_selector("#afi-curp")
        .unwrap()
        .unwrap()
        .unchecked_into();
    curp.focus().unwrap();
    curp.set_value("PEMA0503");
    let previo = prerender::Previo::tomar(&host);
    let host_html: web_sys::HtmlElement = host.clone().unchecked_into();
    let handle = leptos::mount::mount_to(host_html, || view! { <App/> });
    previo.reemplazar().await;

    assert_eq!(
        host.query_selector_all(".afi-app").unwrap().length(),
        1,
        "one app, the snapshot is gone"
    );
    let nuevo: web_sys::HtmlInputElement = host
        .query_selector("#afi-curp")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert!(!curp.is_connected(), "the snapshot's field was removed");
    assert_eq!(nuevo.value(), "PEMA0503", "what was typed is kept");
    let activo = document().active_element().unwrap();
    assert_eq!(activo.id(), "afi-curp", "the focus stays in the field");
    // The app's state has it too (it survives a reload through sessionStorage).
    assert!(until(|| afiliate::state::tramite::Tramite::cargar().inicio.curp == "PEMA0503").await);
    drop(handle);
    host.remove();
    afiliate::state::tramite::Tramite::default().guardar();
    ir_a(&antes);
}

fn region(root: &web_sys::Element) -> String {
    text_of(root, "[data-testid=anuncios]").unwrap_or_default()
}

#[wasm_bindgen_test]
async fn a_new_captcha_is_announced() {
    let antes = ir_a("/tramite/nss");
    let guion = Guion {
        lento_ms: 20,
        ..Guion::default()
    };
    api::install(Rc::new(guion.clone()));
    let (root, handle) = mount_in_new_div(|| {
        provide_context(Anuncios::new());
        view! { <Router><LiveRegion/><NssInicioPage/></Router> }
    });
    assert!(
        until(|| root
            .query_selector(".afi-captcha__image")
            .unwrap()
            .is_some())
        .await
    );
    assert_eq!(region(&root), "", "the first image is not announced");
    click(&root, ".afi-captcha button");
    // The answer arrives after an await, with no reactive owner current: the announcement still lands.
    assert!(
        until(|| region(&root) == "Se cargó una nueva imagen.").await,
        "live region: {:?}",
        region(&root)
    );
    assert_eq!(guion.captchas.get(), 2);
    drop(handle);
    root.remove();
    ir_a(&antes);
}

#[wasm_bindgen_test]
async fn a_resend_is_announced_each_time_and_its_button_keeps_the_focus() {
    let guion = Guion {
        lento_ms: 50,
        ..Guion::default()
    };
    api::install(Rc::new(guion.clone()));
    let documentos = vec![Documento {
        folio: "NSS-1".into(),
        fecha: "01/12/2026".into(),
        documento: "Número de Seguridad Social".into(),
        ver_url: "/d/1".into(),
        descargar_url: "/d/1?descargar".into(),
    }];
    let (root, handle) = mount_in_new_div(move || {
        provide_context(Anuncios::new());
        view! { <LiveRegion/><Documentos documentos=documentos/> }
    });
    let boton: web_sys::HtmlElement = root
        .query_selector("button")
        .unwrap()
        .unwrap()
        .unchecked_into();
    boton.focus().unwrap();
    boton.click();
    // While it works the button says so, stays focusable, and a second press sends nothing more.
    assert!(until(|| boton.get_attribute("aria-disabled").as_deref() == Some("true")).await);
    assert!(!boton.has_attribute("disabled"));
    boton.click();
    let activo: web_sys::HtmlElement = document().active_element().unwrap().unchecked_into();
    assert_eq!(activo, boton, "the focus stays on the button");
    assert!(until(|| region(&root) == "El comprobante ha sido reenviado (1)").await);
    assert_eq!(guion.reenvios.get(), 1, "one request for two presses");
    assert!(until(|| boton.get_attribute("aria-disabled").is_none()).await);
    boton.click();
    assert!(
        until(|| region(&root) == "El comprobante ha sido reenviado (2)").await,
        "{:?}",
        region(&root)
    );
    drop(handle);
    root.remove();
}
