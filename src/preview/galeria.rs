//! The preview's scenario panel (over every screen, can be hidden) and the gallery page (`/galeria`): every
//! entry of [`super::escenarios::ENTRADAS`] at phone (360×740) and desktop (1280×800) widths.

use super::escenarios::{Escenario, Latencia, ENTRADAS, LATENCIAS, TODOS};
use super::MARCA;
use leptos::prelude::*;

const CLAVE_OCULTO: &str = "afiliate.preview.oculto";

/// The panel's and the gallery's styles: only in preview builds (the release CSS has none of them).
const ESTILOS: &str = "
.afi-preview{position:fixed;right:8px;bottom:8px;z-index:50;max-width:min(320px,calc(100vw - 16px));padding:8px 10px;
border:2px solid #161a1d;border-radius:6px;background:#fff;color:#161a1d;box-shadow:0 2px 8px rgba(0,0,0,.3);font-size:.875rem}
.afi-preview__controles{margin-top:8px}
.afi-preview__controles[hidden]{display:none}
.afi-preview__marca{margin:0 0 6px;font-weight:700}
.afi-preview .afi-field__input{width:100%;margin:0 0 8px}
.afi-preview__enlaces{margin:4px 0 0}
.afi-galeria{max-width:none;padding:24px 16px}
.afi-galeria__entrada{margin:0 0 32px;padding:0 0 16px;border-bottom:1px solid #d0d0d0}
.afi-galeria__marcos{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
.afi-galeria__marco{overflow:hidden;border:1px solid #98989a;background:#fff}
.afi-galeria__marco iframe{display:block;border:0}
.afi-galeria__marco--telefono{width:360px;height:740px}
.afi-galeria__marco--escritorio{width:640px;height:400px}
.afi-galeria__marco--escritorio iframe{transform:scale(.5);transform-origin:0 0}
";

/// Adds [`ESTILOS`] to the page once.
fn estilos() {
    if document()
        .get_element_by_id("afi-preview-estilos")
        .is_some()
    {
        return;
    }
    if let (Ok(style), Some(head)) = (document().create_element("style"), document().head()) {
        style.set_id("afi-preview-estilos");
        style.set_text_content(Some(ESTILOS));
        let _ = head.append_child(&style);
    }
}

fn ir(url: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_href(url);
    }
}

/// This page again with another scenario or latency (the app's state kept: it is in sessionStorage).
fn con(escenario: &str, latencia: &str) -> String {
    let ruta = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_else(|| "/".into());
    [
        ruta.as_str(),
        "?escenario=",
        escenario,
        "&latencia=",
        latencia,
    ]
    .concat()
}

#[component]
fn Panel(escenario: Escenario, latencia: Latencia) -> impl IntoView {
    let sesion = web_sys::window().and_then(|w| w.session_storage().ok().flatten());
    // Folded until asked for (then kept open for this tab), so it covers little of the screen.
    let inicial = sesion
        .as_ref()
        .and_then(|s| s.get_item(CLAVE_OCULTO).ok().flatten())
        .is_none_or(|v| v != "0");
    let oculto = RwSignal::new(inicial);
    Effect::new(move |_| {
        if let Some(s) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) {
            let _ = s.set_item(CLAVE_OCULTO, if oculto.get() { "1" } else { "0" });
        }
    });
    let lat = latencia.id;
    let esc = escenario.id;
    view! {
        <aside class="afi-preview" aria-label="Vista previa" data-testid="panel-preview">
            <button
                type="button"
                class="afi-button afi-button--secondary afi-button--small"
                aria-expanded=move || if oculto.get() { "false" } else { "true" }
                aria-controls="afi-preview-controles"
                on:click=move |_| oculto.update(|o| *o = !*o)
            >
                {move || if oculto.get() { "Mostrar vista previa" } else { "Ocultar vista previa" }}
            </button>
            <div id="afi-preview-controles" class="afi-preview__controles" hidden=move || oculto.get()>
                <p class="afi-preview__marca">{MARCA}</p>
                <label class="afi-field__label" for="afi-preview-escenario">"Escenario"</label>
                <select
                    id="afi-preview-escenario"
                    class="afi-field__input"
                    on:change=move |ev| ir(&con(&event_target_value(&ev), lat))
                >
                    {TODOS
                        .iter()
                        .map(|e| view! { <option value=e.id selected=e.id == esc>{e.nombre}</option> })
                        .collect_view()}
                </select>
                <label class="afi-field__label" for="afi-preview-latencia">"Latencia"</label>
                <select
                    id="afi-preview-latencia"
                    class="afi-field__input"
                    on:change=move |ev| ir(&con(esc, &event_target_value(&ev)))
                >
                    {LATENCIAS
                        .iter()
                        .map(|l| view! { <option value=l.id selected=l.id == lat>{l.nombre}</option> })
                        .collect_view()}
                </select>
                <p class="afi-preview__enlaces">
                    <a class="afi-link" href="/galeria">"Galería de pantallas"</a>
                </p>
            </div>
        </aside>
    }
}

/// Mounts the panel beside the app (outside its host element).
pub fn montar_panel(escenario: Escenario, latencia: Latencia) {
    estilos();
    let Some(body) = document().body() else {
        return;
    };
    let Ok(div) = document().create_element("div") else {
        return;
    };
    let _ = body.append_child(&div);
    if let Ok(div) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(div) {
        leptos::mount::mount_to(
            div,
            move || view! { <Panel escenario=escenario latencia=latencia/> },
        )
        .forget();
    }
}

/// One framed screen, loaded only when scrolled near (`loading=lazy` is set before `src`: tachys has no typed
/// `loading` attribute for iframes).
#[component]
fn Marco(url: String, ancho: u32, alto: u32, titulo: String) -> impl IntoView {
    let marco = NodeRef::<leptos::html::Iframe>::new();
    marco.on_load(move |el| {
        let _ = el.set_attribute("loading", "lazy");
        let _ = el.set_attribute("src", &url);
    });
    view! { <iframe node_ref=marco width=ancho height=alto title=titulo></iframe> }
}

#[component]
fn Galeria() -> impl IntoView {
    document().set_title("Galería de pantallas - Afíliate al IMSS");
    let entradas = ENTRADAS
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let url = e.url();
            let id = ["afi-galeria-", &i.to_string()].concat();
            let id_h2 = id.clone();
            view! {
                <section class="afi-galeria__entrada" aria-labelledby=id data-testid="entrada">
                    <h2 id=id_h2 class="afi-subheading">{e.estado}</h2>
                    <p class="afi-text afi-text--small">
                        <code>{e.ruta}</code>
                        " · escenario "
                        <code>{e.escenario.id}</code>
                        " · "
                        <a class="afi-link" href=url.clone() data-testid="enlace">"Abrir esta pantalla"</a>
                    </p>
                    <div class="afi-galeria__marcos">
                        <div class="afi-galeria__marco afi-galeria__marco--telefono">
                            <Marco url=url.clone() ancho=360 alto=740 titulo=[e.estado, " (teléfono, 360 × 740)"].concat()/>
                        </div>
                        <div class="afi-galeria__marco afi-galeria__marco--escritorio">
                            <Marco url=url ancho=1280 alto=800 titulo=[e.estado, " (escritorio, 1280 × 800)"].concat()/>
                        </div>
                    </div>
                </section>
            }
        })
        .collect_view();
    view! {
        <main class="afi-galeria">
            <h1 class="afi-title">"Galería de pantallas"</h1>
            <p class="afi-text">{MARCA} ". Cada pantalla en cada estado, en teléfono y en escritorio (reducido a la mitad)."</p>
            <p class="afi-text">{ENTRADAS.len()} " pantallas."</p>
            {entradas}
        </main>
    }
}

/// Mounts the gallery instead of the app.
pub fn montar() {
    estilos();
    let Some(host) = document().get_element_by_id(crate::HOST_ELEMENT_ID) else {
        return;
    };
    host.set_inner_html("");
    if let Ok(host) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(host) {
        leptos::mount::mount_to(host, Galeria).forget();
    }
}
