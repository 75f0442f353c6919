//! Informational pages for Paso 2 and Paso 3 (the trámites themselves come later).

use crate::components::Progreso;
use crate::ruta;
use leptos::prelude::*;
use leptos_router::components::A;

/// Paso 2: check that the school enrolled the student.
#[component]
pub fn Paso2Page() -> impl IntoView {
    crate::components::titulo(
        "Paso 2: Verifica que tu escuela te haya inscrito al IMSS",
        false,
    );
    crate::components::enfocar_titulo();
    view! {
        <div class="afi-container afi-container--narrow">
            <super::Migas/>
            <h1 class="afi-title" tabindex="-1">"Paso 2: Verifica que tu escuela te haya inscrito al IMSS"</h1>
            <p class="afi-text">
                "Tu escuela da de alta a sus estudiantes en el seguro facultativo del IMSS. Para saber si ya lo hizo, consulta tu constancia de vigencia de derechos (trámite IMSS-02-020-B)."
            </p>
            <p class="afi-text">"Ten a la mano:"</p>
            <ul class="afi-list">
                <li>"Tu CURP."</li>
                <li>"Tu Número de Seguridad Social (NSS). Si no lo tienes, haz primero el Paso 1."</li>
                <li>"Tu correo electrónico."</li>
            </ul>
            <p class="afi-text">
                "Si la constancia dice que no tienes derecho al servicio médico, acude a los servicios escolares de tu escuela y pide que te inscriban al IMSS con tu NSS."
            </p>
            <p class="afi-actions">
                <A href=ruta("/tramite/nss") attr:class="afi-button afi-button--secondary">"Ir al Paso 1"</A>
                <A href=ruta("/paso-3") attr:class="afi-button">"Ir al Paso 3"</A>
            </p>
        </div>
    }
}

/// Paso 3: register at the family-medicine clinic (UMF).
#[component]
pub fn Paso3Page() -> impl IntoView {
    crate::components::titulo("Paso 3: Regístrate en la Clínica que te corresponde", false);
    crate::components::enfocar_titulo();
    view! {
        <div class="afi-container afi-container--narrow">
            <super::Migas/>
            <h1 class="afi-title" tabindex="-1">"Paso 3: Regístrate en la Clínica que te corresponde"</h1>
            <p class="afi-text">
                "Con tu NSS y tu escuela ya inscrita, date de alta en la Unidad de Medicina Familiar (UMF) que te corresponde por tu domicilio (trámite IMSS-02-066)."
            </p>
            <p class="afi-text">"Lleva contigo:"</p>
            <ul class="afi-list">
                <li>"Tu comprobante de Número de Seguridad Social."</li>
                <li>"Una identificación oficial con fotografía o tu credencial de estudiante."</li>
                <li>"Un comprobante de domicilio."</li>
                <li>"Una fotografía tamaño infantil."</li>
            </ul>
            <p class="afi-text">"Después de registrarte ya puedes pedir cita con tu médico familiar."</p>
            <p class="afi-actions">
                <A href=ruta("/") attr:class="afi-button">"Volver al inicio"</A>
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
