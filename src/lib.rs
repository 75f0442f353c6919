//! Afíliate, the students' IMSS app (Leptos, client-side rendered).

use leptos::prelude::*;

pub mod pages;

/// The id of the element in `index.html` the app mounts into. The gob.mx microsite provides the same element.
pub const HOST_ELEMENT_ID: &str = "afiliate";

/// The whole app: the route table lives here.
#[component]
pub fn App() -> impl IntoView {
    view! { <pages::landing::LandingPage/> }
}

/// Mounts [`App`] into the host element (never onto the whole `<body>`: the app is embedded in other pages).
pub fn mount() {
    let host = document()
        .get_element_by_id(HOST_ELEMENT_ID)
        .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok());
    if let Some(host) = host {
        leptos::mount::mount_to(host, App).forget();
    }
}
