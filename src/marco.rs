//! Inside an `<iframe>` (for hosts that prefer one to the `<afiliate-tramite>` element): the app tells the parent
//! page its content's height whenever it changes, with `postMessage({tipo: "afiliate:altura", altura})`, so the
//! host sizes the frame and it never scrolls inside. Only a height is sent (no personal data), to any parent:
//! who may frame the app at all is the server's `frame-ancestors` allow-list (`AFILIATE_FRAME_ANCESTORS`).

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// The message's `tipo`.
pub const TIPO: &str = "afiliate:altura";

/// Starts reporting the height when the page is framed (does nothing at the top level).
pub fn informar_altura() {
    let Some(ventana) = web_sys::window() else {
        return;
    };
    let Ok(Some(padre)) = ventana.parent() else {
        return;
    };
    if js_sys::Object::is(&padre, &ventana) {
        return;
    }
    let Some(doc) = ventana.document() else {
        return;
    };
    let (Some(raiz), Some(cuerpo)) = (doc.document_element(), doc.body()) else {
        return;
    };
    // Framed, the app is as tall as its content (standalone it fills the window: `min-height: 100vh`), so the
    // height can shrink again on a shorter page.
    let _ = raiz.class_list().add_1("afi-enmarcado");
    let medido = cuerpo.clone();
    let enviar = Closure::<dyn FnMut()>::new(move || {
        let mensaje = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&mensaje, &"tipo".into(), &TIPO.into());
        // The body's own height (the root element's is never less than the frame's).
        let altura = medido.scroll_height();
        let _ = js_sys::Reflect::set(&mensaje, &"altura".into(), &JsValue::from(altura));
        let _ = padre.post_message(&mensaje, "*");
    });
    if let Ok(observador) = web_sys::ResizeObserver::new(enviar.as_ref().unchecked_ref()) {
        observador.observe(&cuerpo);
    }
    // Lives as long as the page.
    enviar.forget();
}
