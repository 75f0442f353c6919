//! Afíliate, the students' IMSS app (client-side rendered: Leptos' reactive graph, DOM built by `dom`).
//!
//! `app` holds the router (`router`; the route table is `pages::pagina`); `pages/` has one file per route,
//! `components/` the reusable pieces, `dom` the small DOM builder they all use, `state/` the plain form state
//! validated with the domain crate, and `api/` the only code that knows HTTP.

use crate::dom::prelude::*;
use dom::{attr, el, el_texto, html};
use web_sys::Element;

pub mod api;
pub mod components;
pub mod dom;
pub mod pages;
pub mod router;
pub mod state;

use pages::TramiteCtx;
use state::tramite::Tramite;

/// The id of the element in `index.html` the app mounts into. The gob.mx microsite provides the same element.
pub const HOST_ELEMENT_ID: &str = "afiliate";

/// The whole app into `host`: header, the page of the current path, footer, the live region and the trámite's
/// state (call under a reactive owner: `mount` makes one).
pub fn app(host: &Element) {
    let tramite = RwSignal::new(Tramite::cargar());
    provide_context(TramiteCtx(tramite));
    provide_context(components::Anuncios(RwSignal::new(String::new())));
    // Every change is kept for a reload (the CAPTCHA answer is never part of it).
    dom::efecto(move || tramite.with(|t| t.guardar()));
    let ruta = router::iniciar();
    // Only a change of path (not of query or fragment) renders another page.
    let pagina = Memo::new(move |_| ruta.with(|r| router::normalizar(r).to_string()));
    let app = el(host, "div", "afi-app");
    // The gob.mx bar on top of every page.
    let header = el(&app, "header", "afi-header");
    let saltar = el_texto(&header, "a", "afi-skip", "Saltar al contenido");
    attr(&saltar, "href", "#afi-contenido");
    dom::on_captura(&saltar, "click", |ev| {
        ev.prevent_default();
        components::enfocar("afi-contenido");
    });
    html(
        &header,
        "<div class=\"afi-header__inner\"><a href=\"/\" class=\"afi-header__brand\">\
         <span class=\"afi-header__gob\">gob</span><span class=\"afi-header__mx\">mx</span>\
         <span class=\"afi-header__sep\" aria-hidden=\"true\"></span>\
         <span class=\"afi-header__imss\">IMSS · Afíliate</span></a></div>",
    );
    components::live_region(&app);
    let main = el(&app, "main", "afi-main");
    attr(&main, "id", "afi-contenido");
    attr(&main, "tabindex", "-1");
    dom::region(&main, move |r| pagina.with(|p| pages::pagina(p, r)));
    // The institutional footer.
    html(
        &app,
        "<footer class=\"afi-footer\"><div class=\"afi-footer__inner\">\
         <p class=\"afi-footer__lema\">IMSS, SEP, SEDESOL comprometidos con el acceso a la salud</p>\
         <p class=\"afi-footer__text\">Instituto Mexicano del Seguro Social</p></div></footer>",
    );
}

/// Runs `f` under a new reactive owner that lives as long as the page (effects run on wasm-bindgen's executor).
pub fn con_dueno(f: impl FnOnce()) {
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let owner = Owner::new();
    owner.with(f);
    std::mem::forget(owner);
}

/// Mounts [`app`] into the host element (never onto the whole `<body>`: the app is embedded in other pages).
pub fn mount() {
    if let Some(host) = document().get_element_by_id(HOST_ELEMENT_ID) {
        con_dueno(|| app(&host));
    }
}
