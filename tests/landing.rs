//! The landing page mounted in a real browser: the heading and the three Paso links.
#![cfg(target_arch = "wasm32")]

use afiliate::pages::landing::LandingPage;
use leptos::prelude::*;
use leptos_router::components::Router;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod navegador;
use navegador::mount_in_new_div;

#[wasm_bindgen_test]
fn landing_has_heading_and_three_paso_links() {
    let (root, _app) = mount_in_new_div(|| view! { <Router><LandingPage/></Router> });

    let h1 = root.query_selector("h1").unwrap().expect("an h1");
    let heading = h1.text_content().unwrap();
    assert!(heading.contains("Si eres estudiante de prepa o universidad pública tienes IMSS"));
    assert!(heading.contains("¡Pasa la voz!"));

    let links = root.query_selector_all("a.afi-paso").unwrap();
    assert_eq!(links.length(), 3);
    let expected = [
        (
            "Paso 1: Obtén o localiza tu Número de Seguridad Social",
            "/tramite/nss",
        ),
        (
            "Paso 2: Verifica que tu escuela te haya inscrito al IMSS",
            "/paso-2",
        ),
        (
            "Paso 3: Regístrate en la Clínica que te corresponde",
            "/paso-3",
        ),
    ];
    for (i, (name, href)) in expected.iter().enumerate() {
        let a: web_sys::Element = links.item(i as u32).unwrap().unchecked_into();
        // The number before the title is aria-hidden: the accessible name starts with the title.
        let title = a
            .query_selector(".afi-paso__titulo")
            .unwrap()
            .expect("a title");
        assert_eq!(title.text_content().unwrap(), *name, "link {i}");
        assert_eq!(a.get_attribute("href").as_deref(), Some(*href));
    }
}
