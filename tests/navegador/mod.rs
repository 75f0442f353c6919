//! Helpers shared by the wasm-bindgen tests: mount a view in a fresh element, let the browser run, wait for a
//! condition, a backend whose answers a test scripts. (`mod navegador;` in each test file; a test may use only
//! some of them.)
#![allow(dead_code)]

use afiliate::api::{ApiError, Backend, Respuesta};
use afiliate_domain::api::{
    AsignacionNss, CaptchaCreado, Mensaje, ResultadoAsignacion, ResultadoSolicitud,
    ResultadoVigencia, SolicitudNss, SolicitudVigencia, UmfDeCodigoPostal, Verificacion,
};
use leptos::mount::mount_to;
use leptos::prelude::*;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{js_sys, JsFuture};

/// Mounts `f` with Leptos' `mount_to` into a new `<div>` appended to the body; answers the div and the handle
/// that unmounts it when dropped.
pub fn mount_in_new_div<F, V>(f: F) -> (web_sys::HtmlElement, UnmountHandle<V::State>)
where
    F: FnOnce() -> V + 'static,
    V: IntoView + 'static,
{
    let div: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&div).unwrap();
    let handle = mount_to(div.clone(), f);
    (div, handle)
}

/// Lets timers, fetch futures and effects run.
pub async fn tick() {
    sleep(5).await;
}

/// Waits `ms` milliseconds.
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Waits (a bounded number of ticks, about 2 s) until `cond` holds.
pub async fn until(mut cond: impl FnMut() -> bool) -> bool {
    for _ in 0..200 {
        if cond() {
            return true;
        }
        tick().await;
    }
    cond()
}

/// The text of the first element matching `selector` under `root`.
pub fn text_of(root: &web_sys::Element, selector: &str) -> Option<String> {
    root.query_selector(selector)
        .ok()
        .flatten()
        .and_then(|e| e.text_content())
}

/// Puts `path` in the address bar (no page load) and answers what was there, to put back.
pub fn ir_a(path: &str) -> String {
    let w = web_sys::window().unwrap();
    let l = w.location();
    let antes = l.pathname().unwrap() + &l.search().unwrap();
    w.history()
        .unwrap()
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(path))
        .unwrap();
    antes
}

/// Clicks the first element matching `selector` under `root`.
pub fn click(root: &web_sys::Element, selector: &str) {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
}

/// A backend for component tests: a CAPTCHA numbered by call, a re-send that answers its count, everything
/// else offline. `lento_ms` delays every answer.
#[derive(Clone, Default)]
pub struct Guion {
    pub captchas: Rc<Cell<u32>>,
    pub reenvios: Rc<Cell<u32>>,
    pub lento_ms: i32,
}

fn offline<T: 'static>() -> Respuesta<T> {
    Box::pin(async { Err(ApiError::SinConexion) })
}

impl Backend for Guion {
    fn nuevo_captcha(&self) -> Respuesta<CaptchaCreado> {
        let n = self.captchas.get() + 1;
        self.captchas.set(n);
        let ms = self.lento_ms;
        Box::pin(async move {
            sleep(ms).await;
            Ok(CaptchaCreado {
                id: format!("c{n}"),
                imagen_url: format!("data:image/gif;base64,R0lGODlhAQABAAAAACw=#{n}"),
                audio_url: format!("/api/captcha/c{n}/audio"),
            })
        })
    }
    fn solicitar_nss(&self, _: SolicitudNss) -> Respuesta<ResultadoSolicitud> {
        offline()
    }
    fn confirmar_correo(
        &self,
        _: afiliate_domain::api::ConfirmacionCorreo,
    ) -> Respuesta<ResultadoSolicitud> {
        offline()
    }
    fn asignar_nss(&self, _: AsignacionNss) -> Respuesta<ResultadoAsignacion> {
        offline()
    }
    fn shard_cp(&self, _: String) -> Respuesta<String> {
        offline()
    }
    fn reenviar_documento(&self, _: String) -> Respuesta<Mensaje> {
        let n = self.reenvios.get() + 1;
        self.reenvios.set(n);
        let ms = self.lento_ms;
        Box::pin(async move {
            sleep(ms).await;
            Ok(Mensaje {
                mensaje: format!("El comprobante ha sido reenviado ({n})"),
            })
        })
    }
    fn verificacion(&self, _: String) -> Respuesta<Verificacion> {
        offline()
    }
    fn solicitar_vigencia(&self, _: SolicitudVigencia) -> Respuesta<ResultadoVigencia> {
        offline()
    }
    fn umf_de_cp(&self, _: String) -> Respuesta<UmfDeCodigoPostal> {
        offline()
    }
}
