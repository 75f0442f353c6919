//! The floor: two routes, one link, one JSON request. Nothing of Afíliate's own.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;
use serde::Deserialize;

#[derive(Clone, Debug, Deserialize)]
struct Captcha {
    id: String,
}

#[component]
fn Inicio() -> impl IntoView {
    let captcha = LocalResource::new(|| async {
        gloo_net::http::Request::post("/api/captcha")
            .send()
            .await
            .ok()?
            .json::<Captcha>()
            .await
            .ok()
    });
    view! {
        <h1>"Inicio"</h1>
        <p>{move || captcha.get().flatten().map(|c| c.id)}</p>
        <A href="/otra">"Otra"</A>
    }
}

#[component]
fn Otra() -> impl IntoView {
    view! { <h1>"Otra"</h1><A href="/">"Inicio"</A> }
}

fn main() {
    leptos::mount::mount_to_body(|| {
        view! {
            <Router>
                <Routes fallback=|| "No encontrada">
                    <Route path=path!("/") view=Inicio/>
                    <Route path=path!("/otra") view=Otra/>
                </Routes>
            </Router>
        }
    })
}
