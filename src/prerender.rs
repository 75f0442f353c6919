//! The hand-over from the page the server prerendered to the running app, and the rule that the app's router
//! takes over only the app's own links.
//!
//! The server answers each route with a snapshot of this same app's first render (made at build time by
//! `xtask/tools/prerender.mjs` in headless Chromium), so a student reads, and may start typing, before the wasm
//! has arrived. When the app mounts it renders the same markup beside the snapshot (leptos_router renders the
//! route's view a few microtasks after `mount_to`), and as soon as the route's content is there
//! [`Previo::reemplazar`] moves what the student typed and the focus over and removes the snapshot. Microtasks
//! run before the browser paints again, so the page is never painted twice: no layout shift, nothing lost.

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, EventInit, HtmlElement, HtmlInputElement, HtmlSelectElement, Node};

/// The prerendered nodes in the host, with the focus and the scroll position at the moment the app took over.
pub struct Previo {
    host: Element,
    nodos: Vec<Node>,
    enfocado: Option<String>,
    seleccion: Option<(u32, u32)>,
    scroll: (f64, f64),
}

impl Previo {
    /// Takes note of what the host holds before the app mounts.
    pub fn tomar(host: &Element) -> Previo {
        let hijos = host.child_nodes();
        let nodos = (0..hijos.length()).filter_map(|i| hijos.item(i)).collect();
        let activo = document()
            .active_element()
            .filter(|a| host.contains(Some(a)) && !a.id().is_empty());
        let seleccion = activo
            .as_ref()
            .and_then(|a| a.dyn_ref::<HtmlInputElement>())
            .and_then(|i| Some((i.selection_start().ok()??, i.selection_end().ok()??)));
        let ventana = window();
        Previo {
            host: host.clone(),
            nodos,
            enfocado: activo.map(|a| a.id()),
            seleccion,
            scroll: (
                ventana.scroll_x().unwrap_or(0.0),
                ventana.scroll_y().unwrap_or(0.0),
            ),
        }
    }

    /// Call right after the app mounted: once the app's page is rendered, what the student typed into the
    /// snapshot goes into the app's fields (through their `input`/`change` events, so the app's state has it),
    /// the focus moves to the same field, and the snapshot is removed.
    pub async fn reemplazar(self) {
        let viejos: Vec<Element> = self
            .nodos
            .iter()
            .filter_map(|n| n.dyn_ref::<Element>().cloned())
            .collect();
        // Microtask by microtask (no paint in between) until the route's view is in the app's <main>; after
        // that many a frame at a time (an app whose page waits on something).
        for vuelta in 0..2_000 {
            if pagina_lista(&self.host, &viejos) {
                break;
            }
            if vuelta < 1_000 {
                siguiente_microtarea().await;
            } else {
                siguiente_cuadro().await;
            }
        }
        for viejo in &viejos {
            let Ok(campos) = viejo.query_selector_all("input[id], select[id], textarea[id]") else {
                continue;
            };
            for i in 0..campos.length() {
                let Some(campo) = campos.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                    continue;
                };
                pasar_valor(&self.host, &campo, &viejos);
            }
        }
        for n in &self.nodos {
            if let Some(padre) = n.parent_node() {
                let _ = padre.remove_child(n);
            }
        }
        if let Some(id) = self.enfocado {
            if let Some(nuevo) = por_id(&self.host, &id, &[]) {
                if let Some(h) = nuevo.dyn_ref::<HtmlElement>() {
                    let _ = h.focus();
                }
                if let (Some(i), Some((a, b))) =
                    (nuevo.dyn_ref::<HtmlInputElement>(), self.seleccion)
                {
                    let _ = i.set_selection_range(a, b);
                }
            }
        }
        window().scroll_to_with_x_and_y(self.scroll.0, self.scroll.1);
    }
}

/// The app's `<main>` (outside the snapshot) has its page.
fn pagina_lista(host: &Element, snapshot: &[Element]) -> bool {
    let Ok(mains) = host.query_selector_all("main") else {
        return true;
    };
    (0..mains.length())
        .filter_map(|i| mains.item(i).and_then(|n| n.dyn_into::<Element>().ok()))
        .any(|m| !snapshot.iter().any(|v| v.contains(Some(&m))) && m.child_element_count() > 0)
}

async fn siguiente_microtarea() {
    let _ = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(
        &wasm_bindgen::JsValue::UNDEFINED,
    ))
    .await;
}

async fn siguiente_cuadro() {
    let promesa = js_sys::Promise::new(&mut |resolver, _| {
        let _ = window().request_animation_frame(&resolver);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promesa).await;
}

/// The element with this id under `host`, outside the `excepto` subtrees (the snapshot).
fn por_id(host: &Element, id: &str, excepto: &[Element]) -> Option<Element> {
    let todos = host.query_selector_all("[id]").ok()?;
    (0..todos.length())
        .filter_map(|i| todos.item(i).and_then(|n| n.dyn_into::<Element>().ok()))
        .find(|e| e.id() == id && !excepto.iter().any(|v| v.contains(Some(e))))
}

/// Copies a typed value from the snapshot's field to the app's field with the same id.
fn pasar_valor(host: &Element, viejo: &Element, snapshot: &[Element]) {
    let Some(nuevo) = por_id(host, &viejo.id(), snapshot) else {
        return;
    };
    let (valor, evento) = if let Some(i) = viejo.dyn_ref::<HtmlInputElement>() {
        if i.value() == i.default_value() {
            return;
        }
        (i.value(), "input")
    } else if let Some(s) = viejo.dyn_ref::<HtmlSelectElement>() {
        (s.value(), "change")
    } else if let Some(t) = viejo.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        if Ok(t.value()) == t.default_value() {
            return;
        }
        (t.value(), "input")
    } else {
        return;
    };
    if let Some(i) = nuevo.dyn_ref::<HtmlInputElement>() {
        i.set_value(&valor);
    } else if let Some(s) = nuevo.dyn_ref::<HtmlSelectElement>() {
        if s.value() == valor {
            return;
        }
        s.set_value(&valor);
    } else if let Some(t) = nuevo.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        t.set_value(&valor);
    }
    let init = EventInit::new();
    init.set_bubbles(true);
    if let Ok(ev) = Event::new_with_event_init_dict(evento, &init) {
        let _ = nuevo.dispatch_event(&ev);
    }
}

/// leptos_router handles every same-origin link of the whole document that falls under its base. A page that
/// embeds the app has links of its own: a link outside the app's root element gets `target="_self"` for the
/// duration of its click, which leptos_router leaves to the browser and which navigates exactly as the same
/// link without a target does. (A capture listener on the window runs before the router's.)
pub fn solo_enlaces_propios(raiz: &Element) {
    let raiz = raiz.clone();
    let al_pulsar = Closure::<dyn Fn(Event)>::new(move |ev: Event| {
        let camino = ev.composed_path();
        let mut enlace: Option<Element> = None;
        let mut dentro = false;
        for i in 0..camino.length() {
            let Ok(e) = camino.get(i).dyn_into::<Element>() else {
                continue;
            };
            if enlace.is_none() && e.tag_name().eq_ignore_ascii_case("a") {
                enlace = Some(e.clone());
            }
            if e == raiz {
                dentro = true;
            }
        }
        let Some(a) = enlace else { return };
        if dentro || a.has_attribute("target") {
            return;
        }
        let _ = a.set_attribute("target", "_self");
        let quitar = Closure::once_into_js(move || {
            let _ = a.remove_attribute("target");
        });
        let _ = window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(quitar.unchecked_ref(), 0);
    });
    let opciones = web_sys::AddEventListenerOptions::new();
    opciones.set_capture(true);
    let _ = window().add_event_listener_with_callback_and_add_event_listener_options(
        "click",
        al_pulsar.as_ref().unchecked_ref(),
        &opciones,
    );
    al_pulsar.forget();
}
