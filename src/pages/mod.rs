//! One module per route.

pub mod aviso;
pub mod info;
pub mod landing;
pub mod nss_confirmar;
pub mod nss_domicilio;
pub mod nss_fin;
pub mod nss_inicio;
pub mod nss_resultado;
pub mod nss_revisar;
pub mod paso3;
pub mod verificar;
pub mod vigencia;

use crate::ruta;
use crate::state::tramite::Tramite;
use leptos::prelude::*;
use leptos_router::components::A;

/// The NSS trámite's routes.
pub mod rutas {
    pub const INICIO: &str = "/tramite/nss";
    pub const DOMICILIO: &str = "/tramite/nss/domicilio";
    pub const REVISAR: &str = "/tramite/nss/revisar";
    pub const RESULTADO: &str = "/tramite/nss/resultado";
    pub const FIN: &str = "/tramite/nss/fin";
    /// With e-mail confirmation: "revisa tu correo", and the e-mail's link.
    pub const CORREO: &str = "/tramite/nss/correo";
    pub const CONFIRMAR: &str = "/tramite/nss/confirmar";
    /// Paso 2: the school's enrolment, and the constancia de vigencia de derechos.
    pub const PASO_2: &str = "/paso-2";
    pub const VIGENCIA: &str = "/tramite/vigencia";
    pub const VIGENCIA_RESULTADO: &str = "/tramite/vigencia/resultado";
    /// Paso 3: the student's clinic.
    pub const PASO_3: &str = "/paso-3";
    pub const AVISO: &str = "/aviso-de-privacidad";
}

/// The trámite's state, shared by its pages (provided by `App`, saved in sessionStorage on every change).
#[derive(Clone, Copy)]
pub struct TramiteCtx(pub RwSignal<Tramite>);

pub fn use_tramite() -> RwSignal<Tramite> {
    use_context::<TramiteCtx>()
        .map(|c| c.0)
        .unwrap_or_else(|| RwSignal::new(Tramite::default()))
}

/// Pasos 2 and 3's state (provided by `App`, saved in sessionStorage on every change).
#[derive(Clone, Copy)]
pub struct PasosCtx(pub RwSignal<crate::state::vigencia::Pasos>);

pub fn use_pasos() -> RwSignal<crate::state::vigencia::Pasos> {
    use_context::<PasosCtx>()
        .map(|c| c.0)
        .unwrap_or_else(|| RwSignal::new(Default::default()))
}

/// The way back to the start above a page's heading; `tramite` names the procedure the page is a step of.
#[component]
pub fn Migas(
    /// The procedure ("Asignación o localización de NSS"), shown after "Inicio ›".
    #[prop(optional)]
    tramite: Option<&'static str>,
) -> impl IntoView {
    view! {
        <nav class="afi-breadcrumb" aria-label="Ruta de navegación">
            <A href=ruta("/") attr:class="afi-link">"Inicio"</A>
            {tramite.map(|t| [" › ", t].concat())}
        </nav>
    }
}

/// The service's name above each step's heading, with the way back to the start.
#[component]
pub fn Encabezado() -> impl IntoView {
    view! { <Migas tramite="Asignación o localización de NSS"/> }
}

/// Shown when a step is opened without the previous ones (e.g. a bookmark, or after Finalizar).
#[component]
pub fn SinDatos() -> impl IntoView {
    crate::components::titulo("Inicia el trámite", false);
    crate::components::enfocar_titulo();
    view! {
        <div class="afi-container afi-container--narrow">
            <Encabezado/>
            <h1 class="afi-title" tabindex="-1">"Primero inicia el trámite"</h1>
            <p class="afi-text">
                "Para llegar a este paso necesitas empezar con tu CURP y tu correo electrónico."
            </p>
            <p class="afi-actions">
                <A href=ruta(rutas::INICIO) attr:class="afi-button">"Iniciar trámite"</A>
            </p>
        </div>
    }
}
