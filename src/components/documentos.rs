//! The documents table (Folio, Fecha, Documento) with re-send, print and download for each row.

use super::{anunciar, concat};
use crate::api;
use crate::dom::prelude::*;
use crate::dom::{self, attr, attr_r, el, el_texto, html, on};
use afiliate_domain::api::Documento;
use web_sys::Element;

/// What a re-send did.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Reenvio {
    Nada,
    Enviando,
    Hecho(String),
    Fallo(String),
}

const BOTON: &str = "afi-button afi-button--secondary afi-button--small";

fn fila(tbody: &Element, documento: Documento) {
    let estado = RwSignal::new(Reenvio::Nada);
    let Documento {
        folio,
        fecha,
        documento: nombre,
        ver_url,
        descargar_url,
    } = documento;
    let tr = el(tbody, "tr", "afi-docs__row");
    let celda = |etiqueta: &str| {
        let td = el(&tr, "td", "afi-docs__cell");
        attr(&td, "data-label", etiqueta);
        td
    };
    celda("Folio").set_text_content(Some(&folio));
    celda("Fecha").set_text_content(Some(&fecha));
    let td = celda("Documento");
    dom::texto(&td, &nombre);
    // Each control names its document (screen readers list controls out of context): "Descargar Tarjeta de …".
    let oculto = concat(" ", &nombre);
    let acciones = el(&td, "span", "afi-docs__acciones");

    let reenviar = el(&acciones, "button", BOTON);
    attr(&reenviar, "type", "button");
    attr_r(&reenviar, "aria-disabled", move || {
        (estado.get() == Reenvio::Enviando).then(|| String::from("true"))
    });
    dom::texto(&reenviar, "Reenviar por correo");
    el_texto(&reenviar, "span", "afi-visually-hidden", &oculto);
    on(&reenviar, "click", move |_| {
        if estado.get_untracked() == Reenvio::Enviando {
            return;
        }
        estado.set(Reenvio::Enviando);
        let folio = folio.clone();
        spawn_local(async move {
            let r = match api::backend().reenviar_documento(folio).await {
                Ok(m) => Reenvio::Hecho(m.mensaje),
                Err(e) => Reenvio::Fallo(e.mensaje().to_string()),
            };
            if let Reenvio::Hecho(m) | Reenvio::Fallo(m) = &r {
                anunciar(m.clone());
            }
            estado.set(r);
        });
    });

    let imprimir = el(&acciones, "a", BOTON);
    attr(&imprimir, "href", &ver_url);
    attr(&imprimir, "target", "_blank");
    attr(&imprimir, "rel", "external noopener");
    dom::texto(&imprimir, "Imprimir");
    let s = el_texto(&imprimir, "span", "afi-visually-hidden", &oculto);
    dom::texto(&s, " (se abre en otra pestaña)");

    let descargar = el(&acciones, "a", BOTON);
    attr(&descargar, "href", &descargar_url);
    attr(&descargar, "download", "");
    attr(&descargar, "rel", "external");
    dom::texto(&descargar, "Descargar");
    el_texto(&descargar, "span", "afi-visually-hidden", &oculto);

    dom::region(&td, move |r| match estado.get() {
        Reenvio::Nada => {}
        Reenvio::Enviando => {
            el_texto(r, "span", "afi-docs__status", "Enviando…");
        }
        Reenvio::Hecho(m) => {
            el_texto(r, "span", "afi-docs__status afi-docs__status--ok", &m);
        }
        Reenvio::Fallo(m) => {
            el_texto(r, "span", "afi-docs__status afi-docs__status--error", &m);
        }
    });
}

/// The documents issued to the student, as the API answered them.
pub fn documentos(padre: &Element, documentos: Vec<Documento>) {
    let table = el(padre, "table", "afi-docs");
    html(
        &table,
        "<caption class=\"afi-docs__caption\">Tus documentos</caption>\
         <thead><tr class=\"afi-docs__headrow\">\
         <th class=\"afi-docs__head\" scope=\"col\">Folio</th>\
         <th class=\"afi-docs__head\" scope=\"col\">Fecha</th>\
         <th class=\"afi-docs__head\" scope=\"col\">Documento</th>\
         </tr></thead>",
    );
    let tbody = el(&table, "tbody", "");
    for d in documentos {
        fila(&tbody, d);
    }
}
