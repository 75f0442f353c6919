//! After "Finalizar trámite": what happens next (Paso 2 and Paso 3).

use crate::components::{enfocar_titulo, titulo};
use crate::dom::html;
use web_sys::Element;

pub fn nss_fin_page(padre: &Element) {
    titulo("Trámite terminado", false);
    enfocar_titulo();
    html(padre, "<div class=\"afi-container afi-container--narrow\"><nav class=\"afi-breadcrumb\" aria-label=\"Ruta de navegación\"><a href=\"/\" class=\"afi-link\">Inicio</a> › Asignación o localización de NSS</nav><h1 class=\"afi-title\" tabindex=\"-1\">Terminaste el Paso 1</h1><div class=\"afi-alert\"><p class=\"afi-alert__text\">Tu Número de Seguridad Social (NSS) y tus documentos están en tu correo electrónico. Tu NSS será el mismo para toda la vida.</p></div><h2 class=\"afi-heading\">¿Qué sigue?</h2><ol class=\"afi-fin\"><li class=\"afi-fin__item\"><a href=\"/paso-2\" class=\"afi-paso\"><span class=\"afi-paso__numero\" aria-hidden=\"true\">2</span><span class=\"afi-paso__texto\"><span class=\"afi-paso__titulo\">Paso 2: Verifica que tu escuela te haya inscrito al IMSS</span><span class=\"afi-paso__detalle\">Con tu NSS, consulta tu vigencia de derechos.</span></span><span class=\"afi-paso__flecha\" aria-hidden=\"true\">›</span></a></li><li class=\"afi-fin__item\"><a href=\"/paso-3\" class=\"afi-paso\"><span class=\"afi-paso__numero\" aria-hidden=\"true\">3</span><span class=\"afi-paso__texto\"><span class=\"afi-paso__titulo\">Paso 3: Regístrate en la Clínica que te corresponde</span><span class=\"afi-paso__detalle\">Date de alta en tu Unidad de Medicina Familiar.</span></span><span class=\"afi-paso__flecha\" aria-hidden=\"true\">›</span></a></li></ol><p class=\"afi-actions\"><a href=\"/\" class=\"afi-button afi-button--secondary\">Volver al inicio</a></p></div>");
}
