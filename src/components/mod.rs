//! Reusable, presentational pieces.

pub mod cp_lookup;
pub mod documentos;
pub mod error_summary;
pub mod field;
pub mod stepper;

use crate::dom::prelude::*;
use crate::dom::{self, attr, el};
use std::cell::Cell;
use wasm_bindgen::JsCast;
use web_sys::Element;

/// The polite live region's text (provided by `app`): results are announced through it.
#[derive(Clone, Copy)]
pub struct Anuncios(pub RwSignal<String>);

/// Announces a result to screen readers (no-op outside `app`).
pub fn anunciar(texto: impl Into<String>) {
    if let Some(Anuncios(s)) = use_context::<Anuncios>() {
        s.set(texto.into());
    }
}

/// The polite live region itself (`app` provides [`Anuncios`] above the pages and this region).
pub fn live_region(padre: &Element) {
    let texto = use_context::<Anuncios>()
        .map(|a| a.0)
        .unwrap_or_else(|| RwSignal::new(String::new()));
    let div = el(padre, "div", "afi-visually-hidden");
    attr(&div, "role", "status");
    attr(&div, "aria-live", "polite");
    attr(&div, "aria-atomic", "true");
    dom::texto_r(&div, move || texto.get());
}

thread_local! {
    /// The first page shown after loading keeps the browser's focus; later pages move it to their heading.
    static PRIMERA_VISTA: Cell<bool> = const { Cell::new(true) };
}

/// Moves focus to the element with this id on the next frame (after the view is on screen).
pub fn enfocar(id: &'static str) {
    request_animation_frame(move || enfocar_ahora(id));
}

/// Moves focus to the element with this id at once (it is on screen already, e.g. the field of a summary link).
pub fn enfocar_ahora(id: &str) {
    let el = document().get_element_by_id(id);
    if let Some(el) = el.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = el.focus();
    }
}

/// Call from a page: moves focus to its `<h1>` (except on the first page after loading), so screen-reader
/// and keyboard users start reading the new step from its heading.
pub fn enfocar_titulo() {
    if PRIMERA_VISTA.with(|p| p.replace(false)) {
        return;
    }
    request_animation_frame(|| {
        let h1 = document().query_selector(".afi-app h1").ok().flatten();
        if let Some(h1) = h1.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = h1.focus();
            if let Some(w) = web_sys::window() {
                w.scroll_to_with_x_and_y(0.0, 0.0);
            }
        }
    });
}

/// Joins two strings without `format!` (it is costly in wasm).
pub fn concat(a: &str, b: &str) -> String {
    let mut s = String::with_capacity(a.len() + b.len());
    s.push_str(a);
    s.push_str(b);
    s
}

/// Sets the page title; with errors on screen it starts with "Error: ".
pub fn titulo(texto: &str, con_error: bool) {
    let mut t = String::with_capacity(texto.len() + 40);
    if con_error {
        t.push_str("Error: ");
    }
    t.push_str(texto);
    t.push_str(" - Afíliate al IMSS");
    document().set_title(&t);
}
