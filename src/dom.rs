//! A tiny DOM builder on web-sys and Leptos' reactive graph (signals, effects, owners, context).
//!
//! The app used to render with Leptos' `view!` (tachys): every view is its own nested type, and tachys' build,
//! rebuild and mount code was compiled again for each one, about half of the wasm. Here every page is plain code
//! calling a handful of non-generic functions: static markup as HTML text (`html`, only the app's own constant
//! strings, never user data), elements that hold data or listeners made one by one (`el`), and reactive parts
//! (`efecto`, `region`, `texto_r`, `attr_r`, `clase_si`, `valor_r`) kept up to date by render effects.
//!
//! Ownership: listeners and effects belong to the reactive owner that is current while they are made; a region
//! rebuilds its content under a fresh owner each time, so what the old content made is dropped with it.

use prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue, UnwrapThrowExt};
use web_sys::{Element, Event, Node};

/// What pages and components use of Leptos' reactive graph, and the browser helpers below.
pub mod prelude {
    pub use super::{document, request_animation_frame, set_timeout, spawn_local};
    pub use reactive_graph::callback::{Callable, Callback};
    pub use reactive_graph::computed::Memo;
    pub use reactive_graph::effect::RenderEffect;
    pub use reactive_graph::graph::untrack;
    pub use reactive_graph::owner::{provide_context, use_context, Owner, StoredValue};
    pub use reactive_graph::prelude::*;
    pub use reactive_graph::signal::RwSignal;
    pub use reactive_graph::wrappers::read::Signal;
}

thread_local! {
    static DOCUMENT: web_sys::Document = web_sys::window().unwrap_throw().document().unwrap_throw();
}

/// The page's document.
pub fn document() -> web_sys::Document {
    DOCUMENT.with(Clone::clone)
}

/// Runs a future on the browser's microtask queue.
pub fn spawn_local(f: impl std::future::Future<Output = ()> + 'static) {
    wasm_bindgen_futures::spawn_local(f);
}

/// A JS function that runs `f` once (freed by the JS garbage collector afterwards or if never called).
fn una_vez(f: Box<dyn FnOnce()>) -> JsValue {
    let mut f = Some(f);
    Closure::<dyn FnMut()>::new(move || {
        if let Some(f) = f.take() {
            f()
        }
    })
    .into_js_value()
}

/// Runs `f` before the next repaint.
pub fn request_animation_frame(f: impl FnOnce() + 'static) {
    if let Some(w) = web_sys::window() {
        let _ = w.request_animation_frame(una_vez(Box::new(f)).unchecked_ref());
    }
}

/// Runs `f` after `espera`.
pub fn set_timeout(f: impl FnOnce() + 'static, espera: std::time::Duration) {
    if let Some(w) = web_sys::window() {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
            una_vez(Box::new(f)).unchecked_ref(),
            espera.as_millis() as i32,
        );
    }
}

/// Keeps a value (a listener, an effect) alive as long as the current reactive owner.
pub fn guardar<T: 'static>(v: T) {
    let _ = StoredValue::new_local(v);
}

/// A new `<tag>` with this class ("" for none), appended to `padre`.
pub fn el(padre: &Element, tag: &str, clase: &str) -> Element {
    let e = document().create_element(tag).unwrap_throw();
    if !clase.is_empty() {
        e.set_class_name(clase);
    }
    let _ = padre.append_child(&e);
    e
}

/// Appends constant markup (the app's own strings only: never data from the user or the server).
pub fn html(padre: &Element, markup: &str) {
    let _ = padre.insert_adjacent_html("beforeend", markup);
}

/// Appends a text node.
pub fn texto(padre: &Element, t: &str) {
    let _ = padre.append_child(&document().create_text_node(t));
}

/// A new `<tag class=…>` with this text, appended to `padre`.
pub fn el_texto(padre: &Element, tag: &str, clase: &str, t: &str) -> Element {
    let e = el(padre, tag, clase);
    e.set_text_content(Some(t));
    e
}

/// A `<button type="button" class=…>` with this text, appended to `padre`, calling `f` when pressed.
pub fn boton(padre: &Element, clase: &str, t: &str, f: impl FnMut(Event) + 'static) -> Element {
    let b = el_texto(padre, "button", clase, t);
    attr(&b, "type", "button");
    on(&b, "click", f);
    b
}

/// Sets an attribute.
pub fn attr(e: &Element, k: &str, v: &str) {
    let _ = e.set_attribute(k, v);
}

/// Listens to an event (`captura`: in the capture phase) for as long as the current owner lives.
pub fn on(e: &Element, evento: &str, f: impl FnMut(Event) + 'static) {
    on_caja(e, evento, false, Box::new(f));
}

/// [`on`] in the capture phase.
pub fn on_captura(e: &Element, evento: &str, f: impl FnMut(Event) + 'static) {
    on_caja(e, evento, true, Box::new(f));
}

fn on_caja(e: &Element, evento: &str, captura: bool, f: Box<dyn FnMut(Event)>) {
    let c = Closure::wrap(f);
    let _ =
        e.add_event_listener_with_callback_and_bool(evento, c.as_ref().unchecked_ref(), captura);
    guardar(c);
}

/// The `value` of the event's target (an input or a select).
pub fn valor_de(ev: &Event) -> String {
    ev.target()
        .and_then(|t| js_sys::Reflect::get(&t, &JsValue::from_str("value")).ok())
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// Runs `f` now and again whenever a signal it read changes (a render effect of the current owner).
pub fn efecto(f: impl Fn() + 'static) {
    efecto_caja(Box::new(f));
}

fn efecto_caja(f: Box<dyn Fn()>) {
    guardar(RenderEffect::new(move |_: Option<()>| f()));
}

/// A reactive attribute: set while `f` answers `Some`, removed on `None`.
pub fn attr_r(e: &Element, k: &'static str, f: impl Fn() -> Option<String> + 'static) {
    let e = e.clone();
    efecto(move || match f() {
        Some(v) => attr(&e, k, &v),
        None => {
            let _ = e.remove_attribute(k);
        }
    });
}

/// A class present while `f` holds.
pub fn clase_si(e: &Element, clase: &'static str, f: impl Fn() -> bool + 'static) {
    let e = e.clone();
    efecto(move || {
        let _ = e.class_list().toggle_with_force(clase, f());
    });
}

/// A boolean attribute (`disabled`, `selected`…) present while `f` holds.
pub fn attr_si(e: &Element, k: &'static str, f: impl Fn() -> bool + 'static) {
    attr_r(e, k, move || f().then(String::new));
}

/// `aria-invalid` ("true"/"false") following `f`.
pub fn aria_invalid(e: &Element, f: impl Fn() -> bool + 'static) {
    attr_r(e, "aria-invalid", move || {
        Some(String::from(if f() { "true" } else { "false" }))
    });
}

/// A reactive text node.
pub fn texto_r(padre: &Element, f: impl Fn() -> String + 'static) {
    let n: Node = document().create_text_node("").into();
    let _ = padre.append_child(&n);
    efecto(move || n.set_text_content(Some(&f())));
}

/// The `value` property of an input following `f` (left alone when equal, so typing keeps the caret).
pub fn valor_r(input: &Element, f: impl Fn() -> String + 'static) {
    let input = input.clone();
    let k = JsValue::from_str("value");
    efecto(move || {
        let v = f();
        let actual = js_sys::Reflect::get(&input, &k)
            .ok()
            .and_then(|x| x.as_string());
        if actual.as_deref() != Some(v.as_str()) {
            let _ = js_sys::Reflect::set(&input, &k, &JsValue::from_str(&v));
        }
    });
}

/// A part of `padre` rebuilt by `f` whenever a signal `f` read changes (what `f` appends, at this place).
pub fn region(padre: &Element, f: impl Fn(&Element) + 'static) {
    region_caja(padre, Box::new(f));
}

fn region_caja(padre: &Element, f: Box<dyn Fn(&Element)>) {
    let fin: Node = document().create_text_node("").into();
    let _ = padre.append_child(&fin);
    let nodos: Rc<RefCell<Vec<Node>>> = Rc::default();
    efecto(move || {
        for n in nodos.borrow_mut().drain(..) {
            if let Some(p) = n.parent_node() {
                let _ = p.remove_child(&n);
            }
        }
        let caja = document().create_element("div").unwrap_throw();
        f(&caja);
        let Some(p) = fin.parent_node() else { return };
        let mut nodos = nodos.borrow_mut();
        while let Some(c) = caja.first_child() {
            let _ = p.insert_before(&c, Some(&fin));
            nodos.push(c);
        }
    });
}
