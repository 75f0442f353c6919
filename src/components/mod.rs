//! Reusable, presentational pieces.

pub mod captcha;
pub mod cp_lookup;
pub mod documentos;
pub mod error_summary;
pub mod field;
pub mod persona;
pub mod stepper;

use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use wasm_bindgen::JsCast;

/// The app's polite live region (provided by `App`): results are announced through it.
///
/// Take the handle with [`Anuncios::usar`] while a component is being built, then call
/// [`Anuncios::anunciar`] from event handlers, effects or after an `await`: there no reactive owner is current,
/// so looking the context up then would find nothing and the announcement would be lost.
#[derive(Clone, Copy)]
pub struct Anuncios(RwSignal<String>);

impl Anuncios {
    /// A new live region's text (`App` provides it to every page).
    pub fn new() -> Self {
        Anuncios(RwSignal::new(String::new()))
    }

    /// The handle of the live region above this component (a detached one outside `App`).
    pub fn usar() -> Self {
        use_context::<Anuncios>().unwrap_or_default()
    }

    /// Announces `texto` to screen readers. The region is emptied first and filled 100 ms later (screen
    /// readers read a change, not a state), so the same words said twice in a row (a second re-send) are
    /// announced twice.
    pub fn anunciar(&self, texto: impl Into<String>) {
        let s = self.0;
        let texto = texto.into();
        s.set(String::new());
        set_timeout(
            move || {
                s.try_set(texto);
            },
            std::time::Duration::from_millis(100),
        );
    }

    /// What the region says now.
    pub fn texto(&self) -> Signal<String> {
        self.0.into()
    }
}

impl Default for Anuncios {
    fn default() -> Self {
        Self::new()
    }
}

/// The polite live region itself (`App` provides [`Anuncios`] above the pages and this region).
#[component]
pub fn LiveRegion() -> impl IntoView {
    let texto = Anuncios::usar().texto();
    view! {
        <div class="afi-visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-testid="anuncios">
            {move || texto.get()}
        </div>
    }
}

/// "Working on it": a spinner (hidden from screen readers, who hear the live region) and what is being done.
#[component]
pub fn Progreso(
    /// What the app is doing, e.g. "Cargando…".
    texto: &'static str,
    /// The smaller variant, inside a form field.
    #[prop(optional)]
    pequeno: bool,
) -> impl IntoView {
    let clase = if pequeno {
        "afi-progress afi-progress--small"
    } else {
        "afi-progress"
    };
    view! {
        <p class=clase>
            <span class="afi-progress__spinner" aria-hidden="true"></span>
            {texto}
        </p>
    }
}

thread_local! {
    /// The first page shown after loading keeps the browser's focus; later pages move it to their heading.
    static PRIMERA_VISTA: Cell<bool> = const { Cell::new(true) };
    /// The element the app is mounted in, and whether it is embedded in a host page ([`fijar_raiz`]).
    static RAIZ: RefCell<Option<(web_sys::Element, bool)>> = const { RefCell::new(None) };
}

/// Tells focus management where the app is: embedded, its elements are inside a shadow root, where
/// `document.getElementById` does not look.
pub fn fijar_raiz(host: &web_sys::Element, incrustado: bool) {
    RAIZ.with(|r| *r.borrow_mut() = Some((host.clone(), incrustado)));
}

/// The app's element matching `selector` (looked up in the app's root, else the document).
fn buscar(selector: &str) -> Option<web_sys::HtmlElement> {
    let raiz = RAIZ.with(|r| r.borrow().as_ref().map(|(h, _)| h.clone()));
    let encontrado = match raiz {
        Some(raiz) => raiz.query_selector(selector),
        None => document().query_selector(selector),
    };
    encontrado.ok().flatten()?.dyn_into().ok()
}

/// Moves focus to the element with this id on the next frame (after the view is on screen).
pub fn enfocar(id: &'static str) {
    request_animation_frame(move || {
        if let Some(el) = buscar(&concat("#", id)) {
            let _ = el.focus();
        }
    });
}

/// Call from a page: moves focus to its `<h1>` (except on the first page after loading), so screen-reader
/// and keyboard users start reading the new step from its heading.
pub fn enfocar_titulo() {
    if PRIMERA_VISTA.with(|p| p.replace(false)) {
        return;
    }
    request_animation_frame(|| {
        if let Some(h1) = buscar(".afi-app h1") {
            let _ = h1.focus();
            // Standalone the page starts at the window's top; embedded, at the app's, below the host's header.
            match RAIZ.with(|r| r.borrow().clone()) {
                Some((host, true)) => host.scroll_into_view(),
                _ => {
                    if let Some(w) = web_sys::window() {
                        w.scroll_to_with_x_and_y(0.0, 0.0);
                    }
                }
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
