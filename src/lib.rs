//! Afíliate, the students' IMSS app (Leptos, client-side rendered).
//!
//! `App` holds the route table (leptos_router); `pages/` has one file per route, `components/` the reusable
//! pieces, `state/` the plain form state validated with the domain crate, and `api/` the only code that knows
//! HTTP (gloo-net, bodies through serde with the domain crate's types). `mount` starts the app over the page the
//! server prerendered for this route (see `prerender`).

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;
use std::rc::Rc;

pub mod api;
pub mod components;
pub mod marco;
pub mod pages;
pub mod prerender;
#[cfg(feature = "preview")]
pub mod preview;
pub mod state;

use pages::{PasosCtx, TramiteCtx};
use state::tramite::Tramite;
use state::vigencia::Pasos;

/// The id of the element in `index.html` the app mounts into (embedded, `afiliate-embed.js` creates it inside
/// the `<afiliate-tramite>` element's shadow root).
pub const HOST_ELEMENT_ID: &str = "afiliate";

/// The custom element `public/afiliate-embed.js` defines for host pages (the gob.mx microsite).
pub const ELEMENTO_INCRUSTADO: &str = "afiliate-tramite";

/// Where the app lives, read from its host element's attributes (the standalone `index.html` sets none).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// `data-base`: the path under which the app's routes live ("" = the origin's root; the microsite mounts
    /// the trámite under e.g. `/afiliatealimss/tramite`).
    pub base: String,
    /// `data-api`: the API's origin ("" = this page's origin).
    pub api: String,
    /// `data-assets`: where the built app's static files are, catalog shards included ("" = this origin's root).
    pub assets: String,
    /// `data-incrustado`: inside a host page's `<afiliate-tramite>`, which has its own header and footer.
    pub incrustado: bool,
}

impl Config {
    /// The configuration written on `host` (missing attributes keep the defaults).
    pub fn del_elemento(host: &web_sys::Element) -> Config {
        let leer = |nombre: &str| {
            host.get_attribute(nombre)
                .map(|v| v.trim().trim_end_matches('/').to_string())
                .unwrap_or_default()
        };
        Config {
            base: leer("data-base"),
            api: leer("data-api"),
            assets: leer("data-assets"),
            incrustado: host.has_attribute("data-incrustado"),
        }
    }
}

/// The path under which the app's routes live (provided by `App`).
#[derive(Clone, Debug, Default)]
struct Base(String);

/// The `href` of one of the app's routes: `<A>` leaves an absolute path as it is (while `use_navigate` resolves
/// it under the router's base), so every app link says `<A href=ruta("/paso-3")>`.
pub fn ruta(path: &str) -> String {
    match use_context::<Base>() {
        Some(Base(base)) if !base.is_empty() => [base.as_str(), path].concat(),
        _ => path.to_string(),
    }
}

/// The whole app: header, the route table, footer, the live region and the trámite's state.
#[component]
pub fn App(
    /// The path under which the routes live ("" = the root).
    #[prop(optional, into)]
    base: String,
    /// Embedded in a host page (the gob.mx microsite), which draws the gob.mx header and footer and has its own
    /// `<main>`: the app draws neither and its content is a plain region.
    #[prop(optional)]
    incrustado: bool,
) -> impl IntoView {
    let tramite = RwSignal::new(Tramite::cargar());
    provide_context(TramiteCtx(tramite));
    let pasos = RwSignal::new(Pasos::cargar());
    provide_context(PasosCtx(pasos));
    provide_context(components::Anuncios::new());
    provide_context(Base(base.clone()));
    // Every change is kept for a reload (the CAPTCHA answer is never part of it).
    Effect::new(move |_| tramite.with(|t| t.guardar()));
    Effect::new(move |_| pasos.with(|p| p.guardar()));
    view! {
        <Router base=base>
            <div class="afi-app">
                {(!incrustado).then(|| view! { <Header/> })}
                <components::LiveRegion/>
                <Contenido incrustado=incrustado/>
                {(!incrustado).then(|| view! { <Footer/> })}
            </div>
        </Router>
    }
}

/// The route table, in the page's `<main>`. Embedded, the host page has the `main` landmark (a second one would
/// be a landmark of its own inside the host's): there the pages are in a plain element, each labelled by its
/// heading. Built inside `<Router>`, whose context `<Routes>` needs.
#[component]
fn Contenido(incrustado: bool) -> impl IntoView {
    let rutas = view! {
        <Routes fallback=pages::info::NotFoundPage>
            <Route path=path!("/") view=pages::landing::LandingPage/>
            <Route path=path!("/tramite/nss") view=pages::nss_inicio::NssInicioPage/>
            <Route path=path!("/tramite/nss/domicilio") view=pages::nss_domicilio::NssDomicilioPage/>
            <Route path=path!("/tramite/nss/revisar") view=pages::nss_revisar::NssRevisarPage/>
            <Route path=path!("/tramite/nss/resultado") view=pages::nss_resultado::NssResultadoPage/>
            <Route path=path!("/tramite/nss/fin") view=pages::nss_fin::NssFinPage/>
            <Route path=path!("/tramite/nss/correo") view=pages::nss_confirmar::NssCorreoPage/>
            <Route path=path!("/tramite/nss/confirmar") view=pages::nss_confirmar::NssConfirmarPage/>
            <Route path=path!("/verificar/:folio") view=pages::verificar::VerificarPage/>
            <Route path=path!("/paso-2") view=pages::info::Paso2Page/>
            <Route path=path!("/tramite/vigencia") view=pages::vigencia::VigenciaInicioPage/>
            <Route path=path!("/tramite/vigencia/resultado") view=pages::vigencia::VigenciaResultadoPage/>
            <Route path=path!("/paso-3") view=pages::paso3::Paso3Page/>
            <Route path=path!("/aviso-de-privacidad") view=pages::aviso::AvisoPage/>
            <Route path=path!("/_cargando") view=pages::info::CargandoPage/>
        </Routes>
    };
    if incrustado {
        view! { <div class="afi-main" id="afi-contenido" tabindex="-1">{rutas}</div> }.into_any()
    } else {
        view! { <main class="afi-main" id="afi-contenido" tabindex="-1">{rutas}</main> }.into_any()
    }
}

/// The gob.mx bar on top of every page.
#[component]
fn Header() -> impl IntoView {
    view! {
        <header class="afi-header">
            <a
                class="afi-skip"
                href="#afi-contenido"
                on:click:capture=|ev| {
                    ev.prevent_default();
                    components::enfocar("afi-contenido");
                }
            >
                "Saltar al contenido"
            </a>
            <div class="afi-header__inner">
                <A href=ruta("/") attr:class="afi-header__brand">
                    <span class="afi-header__gob">"gob"</span>
                    <span class="afi-header__mx">"mx"</span>
                    <span class="afi-header__sep" aria-hidden="true"></span>
                    <span class="afi-header__imss">"IMSS · Afíliate"</span>
                </A>
            </div>
        </header>
    }
}

/// The institutional footer.
#[component]
fn Footer() -> impl IntoView {
    view! {
        <footer class="afi-footer">
            <div class="afi-footer__inner">
                <p class="afi-footer__lema">"IMSS, SEP, SEDESOL comprometidos con el acceso a la salud"</p>
                <p class="afi-footer__text">"Instituto Mexicano del Seguro Social"</p>
                <p class="afi-footer__text">
                    <A href=ruta(pages::rutas::AVISO) attr:class="afi-footer__link">"Aviso de privacidad"</A>
                </p>
            </div>
        </footer>
    }
}

/// The element the app mounts into: `#afiliate` in the page (standalone, or a host that gives the element
/// itself), else the one `afiliate-embed.js` made inside `<afiliate-tramite>`'s shadow root.
pub fn buscar_host() -> Option<web_sys::Element> {
    let doc = document();
    doc.get_element_by_id(HOST_ELEMENT_ID).or_else(|| {
        doc.query_selector(ELEMENTO_INCRUSTADO)
            .ok()
            .flatten()?
            .shadow_root()?
            .get_element_by_id(HOST_ELEMENT_ID)
    })
}

/// Mounts [`App`] into the host element (never onto the whole `<body>`: the app is embedded in other pages),
/// over the prerendered page the server sent for this route.
pub fn mount() {
    let Some(host) = buscar_host() else {
        return;
    };
    let config = Config::del_elemento(&host);
    if !config.api.is_empty() || !config.assets.is_empty() {
        api::install(Rc::new(
            api::HttpBackend::new(config.api.clone()).con_estaticos(config.assets.clone()),
        ));
        api::fijar_origen(&config.api);
    }
    components::fijar_raiz(&host, config.incrustado);
    prerender::solo_enlaces_propios(&host);
    let previo = (!config.incrustado).then(|| prerender::Previo::tomar(&host));
    let base = config.base;
    let incrustado = config.incrustado;
    if let Ok(host) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(host) {
        leptos::mount::mount_to(
            host,
            move || view! { <App base=base incrustado=incrustado/> },
        )
        .forget();
    }
    // Embedded there is no prerendered snapshot: the host page is the host's.
    if let Some(previo) = previo {
        leptos::task::spawn_local(previo.reemplazar());
    }
    marco::informar_altura();
}
