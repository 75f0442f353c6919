//! The result: "Tu NSS es:" (located) or "Asignación de NSS exitosa." (assigned), with the documents.

use super::{encabezado, rutas, sin_datos, use_tramite};
use crate::components::documentos::documentos;
use crate::components::stepper::{stepper, PASOS_ASIGNACION, PASOS_LOCALIZADO};
use crate::components::{anunciar, enfocar_titulo, titulo};
use crate::dom::prelude::*;
use crate::dom::{self, attr, el, el_texto, html, texto};
use crate::router::use_navegador;
use crate::state::tramite::Tramite;
use web_sys::Element;

pub const ENVIADO: &str =
    "Tu Número de Seguridad Social (NSS), ha sido enviado a tu correo electrónico.";

pub fn nss_resultado_page(padre: &Element) {
    let tramite = use_tramite();
    let Some(r) = tramite.with_untracked(|t| t.resultado()) else {
        return sin_datos(padre);
    };
    let navegador = use_navegador();
    let (titulo_panel, pasos, actual): (&str, &'static [&'static str], usize) = if r.asignado {
        ("Asignación de NSS exitosa.", &PASOS_ASIGNACION, 2)
    } else {
        ("Tu NSS es:", &PASOS_LOCALIZADO, 1)
    };
    titulo(
        if r.asignado {
            "Asignación de NSS exitosa"
        } else {
            "Tu NSS"
        },
        false,
    );
    enfocar_titulo();
    let mut anuncio = String::from(titulo_panel);
    anuncio.push(' ');
    anuncio.push_str(&r.nss);
    anunciar(anuncio);

    let correo = tramite.with_untracked(|t| t.inicio.correo.trim().to_ascii_lowercase());
    let finalizar = move |_| {
        tramite.set(Tramite::default());
        navegador.ir(rutas::FIN);
    };
    let c = el(padre, "div", "afi-container afi-container--narrow");
    encabezado(&c);
    stepper(&c, pasos, actual);
    let panel = el(&c, "section", "afi-panel");
    attr(&panel, "aria-labelledby", "afi-resultado-titulo");
    let h1 = el_texto(&panel, "h1", "afi-panel__title", titulo_panel);
    attr(&h1, "id", "afi-resultado-titulo");
    attr(&h1, "tabindex", "-1");
    let oculto = el_texto(&h1, "span", "afi-visually-hidden", " ");
    texto(&oculto, &r.nss);
    html(
        &panel,
        "<p class=\"afi-panel__label\" aria-hidden=\"true\">NSS</p>",
    );
    let nss = el_texto(&panel, "p", "afi-panel__nss", &r.nss);
    attr(&nss, "data-testid", "nss");
    attr(&nss, "aria-hidden", "true");
    let dl = el(&c, "dl", "afi-datos");
    for (clave, valor) in [("CURP", &r.curp), ("Nombre", &r.nombre)] {
        let fila = el(&dl, "div", "afi-datos__row");
        el_texto(&fila, "dt", "afi-datos__key", clave);
        el_texto(&fila, "dd", "afi-datos__value", valor);
    }
    let alerta = el(&c, "div", "afi-alert");
    el_texto(&alerta, "p", "afi-alert__title", ENVIADO);
    let p = el(&alerta, "p", "afi-alert__text");
    if !correo.is_empty() {
        texto(&p, "Lo enviamos a ");
        el_texto(&p, "strong", "", &correo);
        texto(&p, ". ");
    }
    texto(
        &p,
        "Si no lo ves en unos minutos, revisa tu carpeta de correo no deseado (spam), o reenvíalo desde aquí.",
    );
    documentos(&c, r.documentos);
    html(
        &c,
        "<p class=\"afi-text afi-text--small afi-text--suave\">Guarda o imprime tus documentos antes de \
         finalizar: al finalizar, borramos tus datos de este navegador.</p>",
    );
    let acciones = el(&c, "p", "afi-actions");
    dom::boton(&acciones, "afi-button", "Finalizar trámite", finalizar);
}
