//! "Aviso de privacidad": who processes which data, for what, for how long, and the ARCO rights (linked from
//! every form and from the footer, as the real service does).

use super::Migas;
use crate::components::{enfocar_titulo, titulo};
use leptos::prelude::*;

#[component]
pub fn AvisoPage() -> impl IntoView {
    titulo("Aviso de privacidad", false);
    enfocar_titulo();
    view! {
        <div class="afi-container afi-container--narrow">
            <Migas tramite="Aviso de privacidad"/>
            <h1 class="afi-title" tabindex="-1">"Aviso de privacidad"</h1>
            <p class="afi-text">
                "El Instituto Mexicano del Seguro Social (IMSS) es responsable de los datos personales que nos das en Afíliate, y los protege conforme a la Ley General de Protección de Datos Personales en Posesión de Sujetos Obligados."
            </p>

            <h2 class="afi-heading">"Qué datos usamos"</h2>
            <ul class="afi-list">
                <li>"Tu CURP, y con ella tu nombre, fecha de nacimiento, sexo y entidad de nacimiento, que consultamos en el Registro Nacional de Población (RENAPO)."</li>
                <li>"Tu Número de Seguridad Social (NSS)."</li>
                <li>"Tu correo electrónico."</li>
                <li>"Tu domicilio, cuando se te asigna un NSS."</li>
                <li>"La escuela que te inscribió al IMSS y las fechas de tu inscripción."</li>
            </ul>

            <h2 class="afi-heading">"Para qué los usamos"</h2>
            <ul class="afi-list">
                <li>"Asignarte o localizar tu NSS (trámite IMSS-02-008)."</li>
                <li>"Emitir tu constancia de vigencia de derechos (trámite IMSS-02-020-B) y decirte qué clínica te corresponde."</li>
                <li>"Enviarte tus documentos por correo electrónico y permitir que cualquiera verifique que son auténticos (la verificación muestra tus datos enmascarados)."</li>
                <li>"Elaborar estadísticas que no identifican a nadie."</li>
            </ul>
            <p class="afi-text">
                "No usamos tus datos para publicidad, no los vendemos y solo los compartimos cuando una ley lo ordena."
            </p>

            <h2 class="afi-heading">"Cuánto tiempo los guardamos"</h2>
            <ul class="afi-list">
                <li>"Tu NSS es para toda la vida: lo conservamos con los datos de tu afiliación como lo ordena la Ley del Seguro Social."</li>
                <li>"Los enlaces a tus documentos vencen; después pídelos de nuevo en el trámite."</li>
                <li>"Guardamos una copia de cada correo que te enviamos, con tus datos y documentos, durante 30 días y después la borramos; si no se puede entregar, dejamos de intentarlo a los 3 días."</li>
                <li>"En este navegador, lo que escribes se guarda solo mientras dura la sesión y se borra al finalizar el trámite o al cerrar la pestaña."</li>
            </ul>

            <h2 class="afi-heading">"Tus derechos ARCO"</h2>
            <p class="afi-text">
                "Puedes pedir el Acceso a tus datos, su Rectificación si están mal, su Cancelación u Oponerte a su uso (derechos ARCO), y también la portabilidad de tus datos."
            </p>
            <ul class="afi-list">
                <li>
                    "En línea, en la Plataforma Nacional de Transparencia: "
                    <a class="afi-link" href="https://www.plataformadetransparencia.org.mx/" target="_blank" rel="external noopener">
                        "plataformadetransparencia.org.mx"
                        <span class="afi-visually-hidden">" (se abre en otra pestaña)"</span>
                    </a>
                    "."
                </li>
                <li>"En persona, en la Unidad de Transparencia del IMSS, con una identificación oficial."</li>
            </ul>
            <p class="afi-text">
                "Tu solicitud debe decir tu nombre, qué datos y qué derecho quieres ejercer, y cómo quieres recibir la respuesta. Te responderemos en un plazo máximo de 20 días hábiles."
            </p>

            <h2 class="afi-heading">"Cambios a este aviso"</h2>
            <p class="afi-text">"Si este aviso cambia, lo publicaremos en esta misma página."</p>
        </div>
    }
}
