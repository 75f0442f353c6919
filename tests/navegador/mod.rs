//! Helpers shared by the wasm-bindgen tests: mount a view in a fresh element, let the browser run, wait for a
//! condition. (`mod navegador;` in each test file; a test may use only some of them.)
#![allow(dead_code)]

use afiliate::dom::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{js_sys, JsFuture};

/// Builds `f` into a new `<div>` appended to the body (under a reactive owner, as the app's `mount` does), and
/// answers that div.
pub fn mount_in_new_div<F>(f: F) -> web_sys::HtmlElement
where
    F: FnOnce(&web_sys::Element),
{
    let div: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&div).unwrap();
    afiliate::con_dueno(|| f(&div));
    div
}

/// Lets timers, fetch futures and effects run.
pub async fn tick() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 5)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Waits (a bounded number of ticks) until `cond` holds.
pub async fn until(mut cond: impl FnMut() -> bool) -> bool {
    for _ in 0..200 {
        if cond() {
            return true;
        }
        tick().await;
    }
    cond()
}
