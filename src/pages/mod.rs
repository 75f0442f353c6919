//! One module per route.

pub mod info;
pub mod landing;
pub mod nss_domicilio;
pub mod nss_fin;
pub mod nss_inicio;
pub mod nss_resultado;
pub mod nss_revisar;
pub mod verificar;

use crate::dom::prelude::*;
use crate::dom::{el, html};
use crate::state::tramite::Tramite;
use web_sys::Element;

/// The NSS trámite's routes.
pub mod rutas {
    pub const INICIO: &str = "/tramite/nss";
    pub const DOMICILIO: &str = "/tramite/nss/domicilio";
    pub const REVISAR: &str = "/tramite/nss/revisar";
    pub const RESULTADO: &str = "/tramite/nss/resultado";
    pub const FIN: &str = "/tramite/nss/fin";
}

/// The route table: appends the page of a (normalised) path to `padre`; anything else is "No encontramos esta
/// página".
pub fn pagina(ruta: &str, padre: &Element) {
    match ruta {
        "/" => landing::landing_page(padre),
        rutas::INICIO => nss_inicio::nss_inicio_page(padre),
        rutas::DOMICILIO => nss_domicilio::nss_domicilio_page(padre),
        rutas::REVISAR => nss_revisar::nss_revisar_page(padre),
        rutas::RESULTADO => nss_resultado::nss_resultado_page(padre),
        rutas::FIN => nss_fin::nss_fin_page(padre),
        "/paso-2" => info::paso2_page(padre),
        "/paso-3" => info::paso3_page(padre),
        _ => match ruta.strip_prefix("/verificar/") {
            Some(folio) if !folio.is_empty() && !folio.contains('/') => {
                verificar::verificar_page(padre, folio.to_string())
            }
            _ => info::not_found_page(padre),
        },
    }
}

/// The trámite's state, shared by its pages (provided by `app`, saved in sessionStorage on every change).
#[derive(Clone, Copy)]
pub struct TramiteCtx(pub RwSignal<Tramite>);

pub fn use_tramite() -> RwSignal<Tramite> {
    use_context::<TramiteCtx>()
        .map(|c| c.0)
        .unwrap_or_else(|| RwSignal::new(Tramite::default()))
}

/// The service's name above each step's heading, with the way back to the start.
pub fn encabezado(padre: &Element) {
    html(
        padre,
        "<nav class=\"afi-breadcrumb\" aria-label=\"Ruta de navegación\">\
         <a href=\"/\" class=\"afi-link\">Inicio</a> › Asignación o localización de NSS</nav>",
    );
}

/// Shown when a step is opened without the previous ones (e.g. a bookmark, or after Finalizar).
pub fn sin_datos(padre: &Element) {
    crate::components::titulo("Inicia el trámite", false);
    crate::components::enfocar_titulo();
    let c = el(padre, "div", "afi-container afi-container--narrow");
    encabezado(&c);
    html(
        &c,
        "<h1 class=\"afi-title\" tabindex=\"-1\">Primero inicia el trámite</h1>\
         <p class=\"afi-text\">Para llegar a este paso necesitas empezar con tu CURP y tu correo electrónico.</p>\
         <p class=\"afi-actions\"><a href=\"/tramite/nss\" class=\"afi-button\">Iniciar trámite</a></p>",
    );
}
