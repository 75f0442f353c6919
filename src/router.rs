//! A small router over the History API (leptos_router cost about a quarter of the wasm).
//!
//! The current path lives in one signal ([`Ruta`], provided by `app`). Links are plain `<a href="/…">`: one click
//! listener on the document turns clicks on the app's own links into `history.pushState` (links with `target`,
//! `download` or `rel="external"`, other origins, `#` links and modified clicks are left to the browser);
//! `popstate` (back and forward) updates the signal. Pages move focus to their heading and set the title themselves.

use crate::dom::prelude::*;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// The current path (`location.pathname`), provided by `app`.
#[derive(Clone, Copy)]
pub struct Ruta(pub RwSignal<String>);

/// Goes to another of the app's paths: a new history entry, the page scrolled to the top.
#[derive(Clone, Copy)]
pub struct Navegador(Option<RwSignal<String>>);

impl Navegador {
    pub fn ir(self, destino: &str) {
        if let Some(w) = web_sys::window() {
            if let Ok(h) = w.history() {
                // The same address again replaces the entry: Back must not stay on the same page.
                if ruta_actual() == destino {
                    let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(destino));
                } else {
                    let _ = h.push_state_with_url(&JsValue::NULL, "", Some(destino));
                }
            }
            w.scroll_to_with_x_and_y(0.0, 0.0);
        }
        if let Some(ruta) = self.0 {
            ruta.set(destino.to_string());
        }
    }
}

/// The navigator of the router above (outside `app`, e.g. in a component test, it only changes the URL).
pub fn use_navegador() -> Navegador {
    Navegador(use_context::<Ruta>().map(|r| r.0))
}

fn ruta_actual() -> String {
    web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_else(|| String::from("/"))
}

/// Starts the router: the path signal (provided as context), the `popstate` and link-click listeners.
pub fn iniciar() -> RwSignal<String> {
    let ruta = RwSignal::new(ruta_actual());
    provide_context(Ruta(ruta));
    let nav = Navegador(Some(ruta));
    let Some(w) = web_sys::window() else {
        return ruta;
    };
    let al_volver = Closure::<dyn Fn()>::new(move || ruta.set(ruta_actual()));
    let _ = w.add_event_listener_with_callback("popstate", al_volver.as_ref().unchecked_ref());
    al_volver.forget();
    let al_click = Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |ev: web_sys::MouseEvent| {
        if let Some(destino) = destino_de(&ev) {
            ev.prevent_default();
            nav.ir(&destino);
        }
    });
    if let Some(d) = w.document() {
        let _ = d.add_event_listener_with_callback("click", al_click.as_ref().unchecked_ref());
    }
    al_click.forget();
    ruta
}

/// The app path a click goes to, when the router (not the browser) should handle it.
fn destino_de(ev: &web_sys::MouseEvent) -> Option<String> {
    if ev.default_prevented()
        || ev.button() != 0
        || ev.meta_key()
        || ev.alt_key()
        || ev.ctrl_key()
        || ev.shift_key()
    {
        return None;
    }
    let a = ev
        .target()?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest("a[href]")
        .ok()??;
    if a.has_attribute("target") || a.has_attribute("download") {
        return None;
    }
    if a.get_attribute("rel")
        .is_some_and(|r| r.split_ascii_whitespace().any(|p| p == "external"))
    {
        return None;
    }
    // Only the app's own absolute paths ("/x"); not "//host/x", "#id" or "https://…".
    let href = a.get_attribute("href")?;
    (href.starts_with('/') && !href.starts_with("//")).then_some(href)
}

/// The path without query, fragment or trailing slash ("/" stays "/").
pub fn normalizar(ruta: &str) -> &str {
    let p = ruta.split(['?', '#']).next().unwrap_or("/");
    match p.trim_end_matches('/') {
        "" => "/",
        p => p,
    }
}
