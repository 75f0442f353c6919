//! Informational pages for Paso 2 and Paso 3 (the trámites themselves come later).

use crate::components::Progreso;
use crate::ruta;
use leptos::prelude::*;
use leptos_router::components::A;

/// Paso 2: check that the school enrolled the student, with the constancia de vigencia de derechos.
#[component]
pub fn Paso2Page() -> impl IntoView {
    crate::components::titulo(
        "Paso 2: Verifica que tu escuela te haya inscrito al IMSS",
        false,
    );
    crate::components::enfocar_titulo();
    view! {
        <div class="afi-container afi-container--narrow">
            <super::Migas tramite="Paso 2"/>
            <h1 class="afi-title" tabindex="-1">"Paso 2: Verifica que tu escuela te haya inscrito al IMSS"</h1>
            <p class="afi-text">
                "Si estudias en una preparatoria, bachillerato o universidad pública, tu escuela te inscribe al IMSS en el seguro facultativo: así tienes derecho al servicio médico mientras estudias, sin pagar nada."
            </p>
            <p class="afi-text">
                "Para saber si ya te inscribió, pide tu constancia de vigencia de derechos (trámite IMSS-02-020-B). Dice si tienes derecho al servicio médico, qué escuela te inscribió y cuál es tu clínica. La piden las escuelas, las becas y las clínicas."
            </p>
            <h2 class="afi-heading">"Ten a la mano"</h2>
            <ul class="afi-list">
                <li>"Tu CURP."</li>
                <li>"Tu Número de Seguridad Social (NSS). Si no lo tienes, haz primero el Paso 1."</li>
                <li>"Tu correo electrónico: ahí te enviaremos la constancia."</li>
            </ul>
            <h2 class="afi-heading">"Si la constancia dice que no tienes derecho"</h2>
            <p class="afi-text">
                "Acude a servicios escolares de tu escuela con tu NSS y pide que te inscriban al IMSS. Cuando lo hagan, vuelve a pedir tu constancia."
            </p>
            <p class="afi-actions">
                <A href=ruta(super::rutas::VIGENCIA) attr:class="afi-button">"Solicitar constancia de vigencia"</A>
                <A href=ruta(super::rutas::INICIO) attr:class="afi-button afi-button--secondary">"No tengo mi NSS: ir al Paso 1"</A>
            </p>
        </div>
    }
}

/// Any unknown address.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    crate::components::titulo("Página no encontrada", false);
    crate::components::enfocar_titulo();
    view! {
        <div class="afi-container afi-container--narrow">
            <h1 class="afi-title" tabindex="-1">"No encontramos esta página"</h1>
            <p class="afi-text">"Revisa la dirección o vuelve al inicio."</p>
            <p class="afi-actions">
                <A href=ruta("/") attr:class="afi-button">"Volver al inicio"</A>
            </p>
        </div>
    }
}

/// What the server sends for a route it has no prerendered page of (made from this page at build time): the
/// app's frame with a neutral heading, never another route's content. The app replaces it as it starts.
#[component]
pub fn CargandoPage() -> impl IntoView {
    view! {
        <div class="afi-container afi-container--narrow">
            <h1 class="afi-title" tabindex="-1">"Afíliate al IMSS"</h1>
            <Progreso texto="Cargando…"/>
        </div>
    }
}
