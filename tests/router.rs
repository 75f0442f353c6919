//! The hand-rolled router in a real browser: the route table, link clicks through the History API, Back.
#![cfg(target_arch = "wasm32")]

use afiliate::dom;
use afiliate::dom::prelude::*;
use afiliate::pages;
use afiliate::router;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod navegador;
use navegador::*;

fn h1(root: &web_sys::HtmlElement) -> String {
    root.query_selector("h1")
        .unwrap()
        .and_then(|h| h.text_content())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
fn paths_normalise_without_query_fragment_or_trailing_slash() {
    assert_eq!(router::normalizar("/"), "/");
    assert_eq!(router::normalizar(""), "/");
    assert_eq!(router::normalizar("/tramite/nss/"), "/tramite/nss");
    assert_eq!(router::normalizar("/paso-2?x=1#arriba"), "/paso-2");
    assert_eq!(router::normalizar("/#afi-contenido"), "/");
}

#[wasm_bindgen_test]
fn the_route_table_has_every_page_and_a_not_found() {
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
        ("/tramite/nss/domicilio", "Primero inicia el trámite"),
        ("/tramite/nss/revisar", "Primero inicia el trámite"),
        ("/tramite/nss/resultado", "Primero inicia el trámite"),
        ("/verificar/NSS-1", "Verificación de documento"),
        ("/verificar/", "No encontramos esta página"),
        ("/verificar/a/b", "No encontramos esta página"),
        ("/otra", "No encontramos esta página"),
    ] {
        let root = mount_in_new_div(move |p| pages::pagina(ruta, p));
        assert_eq!(h1(&root), titulo, "{ruta}");
        root.remove();
    }
}

#[wasm_bindgen_test]
async fn app_links_go_through_history_and_back_returns() {
    let window = web_sys::window().unwrap();
    let history = window.history().unwrap();
    let original = {
        let l = window.location();
        l.pathname().unwrap() + &l.search().unwrap()
    };
    let root = mount_in_new_div(|padre| {
        let ruta = router::iniciar();
        let p = dom::el(padre, "p", "");
        dom::attr(&p, "id", "ruta-actual");
        dom::texto_r(&p, move || ruta.get());
        dom::html(
            padre,
            "<a id=\"enlace-app\" href=\"/paso-3\">Paso 3</a>\
             <a id=\"enlace-externo\" href=\"/paso-2\" rel=\"external\" target=\"_blank\">Paso 2</a>",
        );
    });
    let texto = || {
        document()
            .get_element_by_id("ruta-actual")
            .and_then(|e| e.text_content())
            .unwrap_or_default()
    };
    let click = |id: &str| {
        root.query_selector(&format!("#{id}"))
            .unwrap()
            .unwrap()
            .unchecked_into::<web_sys::HtmlElement>()
            .click()
    };
    let antes = texto();
    let largo = history.length().unwrap();

    // A link that opens elsewhere is the browser's: the router lets it be. (The window hears the click after the
    // router's listener on the document, and cancels the new tab for the test.)
    let cancelar =
        wasm_bindgen::closure::Closure::<dyn Fn(web_sys::Event)>::new(|ev: web_sys::Event| {
            ev.prevent_default()
        });
    window
        .add_event_listener_with_callback("click", cancelar.as_ref().unchecked_ref())
        .unwrap();
    click("enlace-externo");
    assert_eq!(texto(), antes);
    assert_eq!(history.length().unwrap(), largo);

    // An app link: a new history entry and the path signal, without a page load.
    click("enlace-app");
    assert_eq!(window.location().pathname().unwrap(), "/paso-3");
    assert!(until(|| texto() == "/paso-3").await);
    assert_eq!(history.length().unwrap(), largo + 1);

    // The same link again replaces the entry (Back must not stay on the same page).
    click("enlace-app");
    assert_eq!(history.length().unwrap(), largo + 1);

    // Back: popstate brings the previous path.
    history.back().unwrap();
    assert!(until(|| texto() == antes).await, "after Back: {}", texto());

    history
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&original))
        .unwrap();
    window
        .remove_event_listener_with_callback("click", cancelar.as_ref().unchecked_ref())
        .unwrap();
    root.remove();
}
