//! The landing page: the "Afíliate al IMSS" microsite for students.

use crate::ruta;
use leptos::prelude::*;
use leptos_router::components::A;

/// The three steps of the seed, each a link: Paso 1 opens the trámite, Paso 2 and 3 explain what to do.
const PASOS: [(&str, &str, &str, &str); 3] = [
    (
        "Paso 1: ",
        "Obtén o localiza tu Número de Seguridad Social",
        "Solo necesitas tu CURP y tu correo electrónico.",
        "/tramite/nss",
    ),
    (
        "Paso 2: ",
        "Verifica que tu escuela te haya inscrito al IMSS",
        "Consulta tu vigencia de derechos.",
        "/paso-2",
    ),
    (
        "Paso 3: ",
        "Regístrate en la Clínica que te corresponde",
        "Date de alta en tu Unidad de Medicina Familiar.",
        "/paso-3",
    ),
];

const HECHOS: [&str; 3] = [
    "El Número de Seguridad Social será el mismo para toda la vida",
    "Se busca afiliar al IMSS a 7 millones de estudiantes. Es su derecho",
    "IMSS, SEP, SEDESOL comprometidos con el acceso a la salud",
];

#[component]
pub fn LandingPage() -> impl IntoView {
    crate::components::titulo("Inicio", false);
    crate::components::enfocar_titulo();
    let pasos = PASOS
        .iter()
        .enumerate()
        .map(|(i, (paso, titulo, detalle, href))| {
            view! {
                <li class="afi-pasos__item">
                    <A href=ruta(href) attr:class="afi-paso">
                        <span class="afi-paso__numero" aria-hidden="true">
                            {i + 1}
                        </span>
                        <span class="afi-paso__texto">
                            <span class="afi-paso__titulo">{*paso} {*titulo}</span>
                            <span class="afi-paso__detalle">{*detalle}</span>
                        </span>
                        <span class="afi-paso__flecha" aria-hidden="true">
                            "›"
                        </span>
                    </A>
                </li>
            }
        })
        .collect_view();
    let hechos = HECHOS
        .iter()
        .map(|h| view! { <li class="afi-hechos__item">{*h}</li> })
        .collect_view();
    view! {
        <section class="afi-hero" aria-labelledby="afi-inicio-titulo">
            <div class="afi-hero__inner">
                <p class="afi-hero__kicker">"Tienes IMSS"</p>
                <h1 id="afi-inicio-titulo" class="afi-hero__title" tabindex="-1">
                    "Si eres estudiante de prepa o universidad pública tienes IMSS"
                    <span class="afi-hero__voz">" ¡Pasa la voz!"</span>
                </h1>
                <p class="afi-hero__lead">
                    "Si eres estudiante de preparatoria, bachillerato y/o posgrado de cualquier institución pública tienes derecho a los servicios médicos del IMSS."
                </p>
            </div>
        </section>
        <div class="afi-container">
            <h2 class="afi-heading">"Afíliate en tres pasos"</h2>
            <ol class="afi-pasos">{pasos}</ol>
            <h2 class="afi-heading">"Lo que debes saber"</h2>
            <ul class="afi-hechos">{hechos}</ul>
            <div class="afi-redes">
                <p class="afi-redes__titulo">"Síguenos"</p>
                <p class="afi-redes__item">"Facebook IMSS"</p>
                <p class="afi-redes__item">"Twitter @Tu_IMSS"</p>
            </div>
        </div>
    }
}
