//! The embedded mode in a real browser: the app inside an `<afiliate-tramite>` element's open shadow root (what
//! `public/afiliate-embed.js` builds), with no header, footer or `<main>` of its own, its focus management and
//! routed links inside the shadow root, and server paths on the API's origin. (Its own test binary: a page of its
//! own, apart from tests/app.rs's routers.)
#![cfg(target_arch = "wasm32")]

use afiliate::{api, prerender, App};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod navegador;
use navegador::*;

fn h1(root: &web_sys::Element) -> String {
    text_of(root, "h1").unwrap_or_default()
}

#[wasm_bindgen_test]
async fn embedded_in_a_shadow_root_the_app_draws_no_header_and_keeps_focus_and_links_inside() {
    let antes = ir_a("/");
    // What afiliate-embed.js makes: <afiliate-tramite> with an open shadow root holding #afiliate.
    let elemento = document().create_element("afiliate-tramite").unwrap();
    document().body().unwrap().append_child(&elemento).unwrap();
    let crear = js_sys::Function::new_with_args(
        "el",
        "const d = document.createElement('div'); d.id = 'afiliate'; d.setAttribute('data-incrustado', ''); \
         d.setAttribute('data-api', 'https://api.example'); d.setAttribute('data-assets', 'https://cdn.example/app/'); \
         el.attachShadow({mode: 'open'}).appendChild(d);",
    );
    crear
        .call1(&wasm_bindgen::JsValue::NULL, &elemento)
        .unwrap();
    let host = afiliate::buscar_host().expect("the host inside the shadow root");
    let config = afiliate::Config::del_elemento(&host);
    assert!(config.incrustado);
    assert_eq!(config.api, "https://api.example");
    assert_eq!(config.assets, "https://cdn.example/app");

    afiliate::components::fijar_raiz(&host, true);
    let host: web_sys::HtmlElement = host.unchecked_into();
    let handle = leptos::mount::mount_to(host.clone(), || view! { <App incrustado=true/> });
    prerender::solo_enlaces_propios(&host);
    assert!(until(|| h1(&host).contains("tienes IMSS")).await);
    assert_eq!(
        host.query_selector_all(".afi-header, .afi-footer")
            .unwrap()
            .length(),
        0
    );
    assert_eq!(host.query_selector_all("main").unwrap().length(), 0);
    assert_eq!(
        host.query_selector_all("#afi-contenido").unwrap().length(),
        1
    );

    // An app link inside the shadow root is routed, and the new page's heading takes the focus there.
    click(&host, "a.afi-paso[href='/paso-3']");
    assert!(until(|| h1(&host).starts_with("Paso 3")).await);
    let sombra = elemento.shadow_root().unwrap();
    assert!(
        until(|| sombra
            .active_element()
            .is_some_and(|e| e.tag_name() == "H1"))
        .await,
        "focus on the heading inside the shadow root"
    );

    // Links the server answers as paths go to the API's origin; others are left as they are.
    api::fijar_origen("https://api.example/");
    assert_eq!(
        api::enlace("/api/captcha/x/imagen"),
        "https://api.example/api/captcha/x/imagen"
    );
    assert_eq!(
        api::enlace("data:image/png;base64,AA"),
        "data:image/png;base64,AA"
    );
    assert_eq!(
        api::enlace("https://otro.example/x"),
        "https://otro.example/x"
    );
    api::fijar_origen("");
    assert_eq!(api::enlace("/api/x"), "/api/x");

    drop(handle);
    elemento.remove();
    afiliate::components::fijar_raiz(&document().body().unwrap(), false);
    ir_a(&antes);
}
