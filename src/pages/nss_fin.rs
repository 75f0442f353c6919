//! After "Finalizar trámite": what happens next (Paso 2 and Paso 3).

use super::Encabezado;
use crate::components::{enfocar_titulo, titulo};
use crate::ruta;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NssFinPage() -> impl IntoView {
    titulo("Trámite terminado", false);
    enfocar_titulo();
    view! {
        <div class="afi-container afi-container--narrow">
            <Encabezado/>
            <h1 class="afi-title" tabindex="-1">"Terminaste el Paso 1"</h1>
            <div class="afi-alert">
                <p class="afi-alert__text">
                    "Tu Número de Seguridad Social (NSS) y tus documentos están en tu correo electrónico. Tu NSS será el mismo para toda la vida."
                </p>
            </div>
            <h2 class="afi-heading">"¿Qué sigue?"</h2>
            <ol class="afi-fin">
                <li class="afi-fin__item">
                    <A href=ruta("/paso-2") attr:class="afi-paso">
                        <span class="afi-paso__numero" aria-hidden="true">"2"</span>
                        <span class="afi-paso__texto">
                            <span class="afi-paso__titulo">"Paso 2: Verifica que tu escuela te haya inscrito al IMSS"</span>
                            <span class="afi-paso__detalle">"Con tu NSS, consulta tu vigencia de derechos."</span>
                        </span>
                        <span class="afi-paso__flecha" aria-hidden="true">"›"</span>
                    </A>
                </li>
                <li class="afi-fin__item">
                    <A href=ruta("/paso-3") attr:class="afi-paso">
                        <span class="afi-paso__numero" aria-hidden="true">"3"</span>
                        <span class="afi-paso__texto">
                            <span class="afi-paso__titulo">"Paso 3: Regístrate en la Clínica que te corresponde"</span>
                            <span class="afi-paso__detalle">"Date de alta en tu Unidad de Medicina Familiar."</span>
                        </span>
                        <span class="afi-paso__flecha" aria-hidden="true">"›"</span>
                    </A>
                </li>
            </ol>
            <p class="afi-actions">
                <A href=ruta("/") attr:class="afi-button afi-button--secondary">"Volver al inicio"</A>
            </p>
        </div>
    }
}
