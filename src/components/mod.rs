//! Reusable, presentational pieces.

pub mod cp_lookup;
pub mod documentos;
pub mod error_summary;
pub mod field;
pub mod stepper;

use leptos::prelude::*;
use std::cell::Cell;
use std::sync::{Arc, Mutex};
use wasm_bindgen::JsCast;

/// A boxed reactive function. Each `move || …` written in a view is its own type, and tachys' reactive code
/// (render effect, build, rebuild) is compiled again for each one; behind this one type it is compiled once per
/// output type. Use [`reactivo`] for attributes and [`dinamico`] for children.
pub type Reactivo<T> = Arc<Mutex<dyn FnMut() -> T + Send>>;

/// A reactive attribute or text (see [`Reactivo`]).
pub fn reactivo<T: 'static>(f: impl Fn() -> T + Send + 'static) -> Reactivo<T> {
    Arc::new(Mutex::new(f))
}

/// A reactive child view (see [`Reactivo`]); e.g. `{dinamico(move || mostrar.get().then(|| view! { … }))}`.
pub fn dinamico<V: IntoAny>(f: impl Fn() -> V + Send + 'static) -> Reactivo<AnyView> {
    reactivo(move || f().into_any())
}

/// An effect (one copy of the effect machinery for the whole app, see [`Reactivo`]).
pub fn efecto(f: impl Fn() + 'static) {
    let f: Box<dyn Fn()> = Box::new(f);
    Effect::new(move |_| f());
}

/// The polite live region's text (provided by `App`): results are announced through it.
#[derive(Clone, Copy)]
pub struct Anuncios(pub RwSignal<String>);

/// Announces a result to screen readers (no-op outside `App`).
pub fn anunciar(texto: impl Into<String>) {
    if let Some(Anuncios(s)) = use_context::<Anuncios>() {
        s.set(texto.into());
    }
}

/// The polite live region itself (`App` provides [`Anuncios`] above the pages and this region).
#[component]
pub fn LiveRegion() -> impl IntoView {
    let texto = use_context::<Anuncios>()
        .map(|a| a.0)
        .unwrap_or_else(|| RwSignal::new(String::new()));
    view! {
        <div class="afi-visually-hidden" role="status" aria-live="polite" aria-atomic="true">
            {reactivo(move || texto.get())}
        </div>
    }
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
