//! The landing page: the "Afíliate al IMSS" microsite for students.

use crate::dom::{attr, el, el_texto, html, texto};
use web_sys::Element;

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

const NUMEROS: [&str; 3] = ["1", "2", "3"];

const HECHOS: [&str; 3] = [
    "El Número de Seguridad Social será el mismo para toda la vida",
    "Se busca afiliar al IMSS a 7 millones de estudiantes. Es su derecho",
    "IMSS, SEP, SEDESOL comprometidos con el acceso a la salud",
];

pub fn landing_page(padre: &Element) {
    crate::components::titulo("Inicio", false);
    crate::components::enfocar_titulo();
    html(
        padre,
        "<section class=\"afi-hero\" aria-labelledby=\"afi-inicio-titulo\"><div class=\"afi-hero__inner\">\
         <p class=\"afi-hero__kicker\">Tienes IMSS</p>\
         <h1 id=\"afi-inicio-titulo\" class=\"afi-hero__title\" tabindex=\"-1\">\
         Si eres estudiante de prepa o universidad pública tienes IMSS\
         <span class=\"afi-hero__voz\"> ¡Pasa la voz!</span></h1>\
         <p class=\"afi-hero__lead\">Si eres estudiante de preparatoria, bachillerato y/o posgrado de cualquier \
         institución pública tienes derecho a los servicios médicos del IMSS.</p></div></section>",
    );
    let c = el(padre, "div", "afi-container");
    html(&c, "<h2 class=\"afi-heading\">Afíliate en tres pasos</h2>");
    let ol = el(&c, "ol", "afi-pasos");
    for (i, (paso, titulo, detalle, href)) in PASOS.iter().enumerate() {
        let li = el(&ol, "li", "afi-pasos__item");
        let a = el(&li, "a", "afi-paso");
        attr(&a, "href", href);
        let numero = el_texto(&a, "span", "afi-paso__numero", NUMEROS[i]);
        attr(&numero, "aria-hidden", "true");
        let t = el(&a, "span", "afi-paso__texto");
        let nombre = el_texto(&t, "span", "afi-paso__titulo", paso);
        texto(&nombre, titulo);
        el_texto(&t, "span", "afi-paso__detalle", detalle);
        html(
            &a,
            "<span class=\"afi-paso__flecha\" aria-hidden=\"true\">›</span>",
        );
    }
    html(&c, "<h2 class=\"afi-heading\">Lo que debes saber</h2>");
    let ul = el(&c, "ul", "afi-hechos");
    for h in HECHOS {
        el_texto(&ul, "li", "afi-hechos__item", h);
    }
    html(
        &c,
        "<div class=\"afi-redes\"><p class=\"afi-redes__titulo\">Síguenos</p>\
         <p class=\"afi-redes__item\">Facebook IMSS</p>\
         <p class=\"afi-redes__item\">Twitter @Tu_IMSS</p></div>",
    );
}
