//! Afíliate, the students' IMSS app (Leptos, client-side rendered).
//!
//! `App` holds the router (`router`; the route table is `pages::pagina`); `pages/` has one file per route,
//! `components/` the reusable pieces, `state/` the plain form state validated with the domain crate, and `api/`
//! the only code that knows HTTP.

use leptos::prelude::*;

pub mod api;
pub mod components;
pub mod pages;
pub mod router;
pub mod state;

use pages::TramiteCtx;
use state::tramite::Tramite;

/// The id of the element in `index.html` the app mounts into. The gob.mx microsite provides the same element.
pub const HOST_ELEMENT_ID: &str = "afiliate";

/// The whole app: header, the route table, footer, the live region and the trámite's state.
#[component]
pub fn App() -> impl IntoView {
    let tramite = RwSignal::new(Tramite::cargar());
    provide_context(TramiteCtx(tramite));
    provide_context(components::Anuncios(RwSignal::new(String::new())));
    // Every change is kept for a reload (the CAPTCHA answer is never part of it).
    components::efecto(move || tramite.with(|t| t.guardar()));
    let ruta = router::iniciar();
    // Only a change of path (not of query or fragment) renders another page.
    let pagina = Memo::new(move |_| ruta.with(|r| router::normalizar(r).to_string()));
    view! {
        <div class="afi-app">
            <Header/>
            <components::LiveRegion/>
            <main class="afi-main" id="afi-contenido" tabindex="-1">
                {components::reactivo(move || pagina.with(|p| pages::pagina(p)))}
            </main>
            <Footer/>
        </div>
    }
}

/// The gob.mx bar on top of every page.
#[component]
fn Header() -> impl IntoView {
    view! {
        <header class="afi-header">
            <a
                class="afi-skip"
                href="#afi-contenido"
                on:click:capture=|ev| {
                    ev.prevent_default();
                    components::enfocar("afi-contenido");
                }
            >
                "Saltar al contenido"
            </a>
            <div class="afi-header__inner">
                <a href="/" class="afi-header__brand">
                    <span class="afi-header__gob">"gob"</span>
                    <span class="afi-header__mx">"mx"</span>
                    <span class="afi-header__sep" aria-hidden="true"></span>
                    <span class="afi-header__imss">"IMSS · Afíliate"</span>
                </a>
            </div>
        </header>
    }
}

/// The institutional footer.
#[component]
fn Footer() -> impl IntoView {
    view! {
        <footer class="afi-footer">
            <div class="afi-footer__inner">
                <p class="afi-footer__lema">"IMSS, SEP, SEDESOL comprometidos con el acceso a la salud"</p>
                <p class="afi-footer__text">"Instituto Mexicano del Seguro Social"</p>
            </div>
        </footer>
    }
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
