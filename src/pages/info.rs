//! Informational pages for Paso 2 and Paso 3 (the trámites themselves come later).

use crate::dom::html;
use web_sys::Element;

/// Paso 2: check that the school enrolled the student.
pub fn paso2_page(padre: &Element) {
    crate::components::titulo(
        "Paso 2: Verifica que tu escuela te haya inscrito al IMSS",
        false,
    );
    crate::components::enfocar_titulo();
    html(padre, "<div class=\"afi-container afi-container--narrow\"><nav class=\"afi-breadcrumb\" aria-label=\"Ruta de navegación\"><a href=\"/\" class=\"afi-link\">Inicio</a></nav><h1 class=\"afi-title\" tabindex=\"-1\">Paso 2: Verifica que tu escuela te haya inscrito al IMSS</h1><p class=\"afi-text\">Tu escuela da de alta a sus estudiantes en el seguro facultativo del IMSS. Para saber si ya lo hizo, consulta tu constancia de vigencia de derechos (trámite IMSS-02-020-B).</p><p class=\"afi-text\">Ten a la mano:</p><ul class=\"afi-list\"><li>Tu CURP.</li><li>Tu Número de Seguridad Social (NSS). Si no lo tienes, haz primero el Paso 1.</li><li>Tu correo electrónico.</li></ul><p class=\"afi-text\">Si la constancia dice que no tienes derecho al servicio médico, acude a los servicios escolares de tu escuela y pide que te inscriban al IMSS con tu NSS.</p><p class=\"afi-actions\"><a href=\"/tramite/nss\" class=\"afi-button afi-button--secondary\">Ir al Paso 1</a><a href=\"/paso-3\" class=\"afi-button\">Ir al Paso 3</a></p></div>");
}

/// Paso 3: register at the family-medicine clinic (UMF).
pub fn paso3_page(padre: &Element) {
    crate::components::titulo("Paso 3: Regístrate en la Clínica que te corresponde", false);
    crate::components::enfocar_titulo();
    html(padre, "<div class=\"afi-container afi-container--narrow\"><nav class=\"afi-breadcrumb\" aria-label=\"Ruta de navegación\"><a href=\"/\" class=\"afi-link\">Inicio</a></nav><h1 class=\"afi-title\" tabindex=\"-1\">Paso 3: Regístrate en la Clínica que te corresponde</h1><p class=\"afi-text\">Con tu NSS y tu escuela ya inscrita, date de alta en la Unidad de Medicina Familiar (UMF) que te corresponde por tu domicilio (trámite IMSS-02-066).</p><p class=\"afi-text\">Lleva contigo:</p><ul class=\"afi-list\"><li>Tu comprobante de Número de Seguridad Social.</li><li>Una identificación oficial con fotografía o tu credencial de estudiante.</li><li>Un comprobante de domicilio.</li><li>Una fotografía tamaño infantil.</li></ul><p class=\"afi-text\">Después de registrarte ya puedes pedir cita con tu médico familiar.</p><p class=\"afi-actions\"><a href=\"/\" class=\"afi-button\">Volver al inicio</a></p></div>");
}

/// Any unknown address.
pub fn not_found_page(padre: &Element) {
    crate::components::titulo("Página no encontrada", false);
    crate::components::enfocar_titulo();
    html(padre, "<div class=\"afi-container afi-container--narrow\"><h1 class=\"afi-title\" tabindex=\"-1\">No encontramos esta página</h1><p class=\"afi-text\">Revisa la dirección o vuelve al inicio.</p><p class=\"afi-actions\"><a href=\"/\" class=\"afi-button\">Volver al inicio</a></p></div>");
}
