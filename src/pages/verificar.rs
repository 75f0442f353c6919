//! `/verificar/{folio}`: anyone who scans a document's QR code checks that it is authentic.

use crate::api::{self, ApiError};
use crate::components::{enfocar_titulo, titulo};
use crate::dom::prelude::*;
use crate::dom::{self, attr, el, el_texto, html};
use afiliate_domain::api::Verificacion;
use web_sys::Element;

#[derive(Clone, Debug, PartialEq)]
enum Estado {
    Cargando,
    Listo(Verificacion),
    Error(ApiError),
}

pub fn verificar_page(padre: &Element, folio: String) {
    let estado = RwSignal::new(Estado::Cargando);
    titulo("Verificación de documento", false);
    enfocar_titulo();

    let consultar = move |folio: String| {
        estado.set(Estado::Cargando);
        spawn_local(async move {
            let r = api::backend().verificacion(folio).await;
            estado.set(match r {
                Ok(v) => Estado::Listo(v),
                Err(e) => Estado::Error(e),
            });
        });
    };
    consultar(folio.clone());

    let c = el(padre, "div", "afi-container afi-container--narrow");
    html(
        &c,
        "<nav class=\"afi-breadcrumb\" aria-label=\"Ruta de navegación\"><a href=\"/\" class=\"afi-link\">Inicio</a></nav>\
         <h1 class=\"afi-title\" tabindex=\"-1\">Verificación de documento</h1>",
    );
    dom::region(&c, move |r| {
        match estado.get() {
        Estado::Cargando => html(
            r,
            "<p class=\"afi-progress\"><span class=\"afi-progress__spinner\" aria-hidden=\"true\"></span>\
             Consultando el documento…</p>",
        ),
        Estado::Listo(v) => {
            let alerta = el(
                r,
                "div",
                if v.autentico {
                    "afi-alert"
                } else {
                    "afi-alert afi-alert--error"
                },
            );
            attr(&alerta, "data-testid", "verificacion");
            el_texto(
                &alerta,
                "p",
                "afi-alert__title",
                if v.autentico {
                    "Documento auténtico"
                } else {
                    "Documento NO auténtico"
                },
            );
            el_texto(&alerta, "p", "afi-alert__text", &v.mensaje);
            let dl = el(r, "dl", "afi-datos");
            for (clave, valor) in [
                ("Documento", &v.documento),
                ("Certifica", &v.certifica),
                ("Folio", &v.folio),
                ("Fecha de emisión", &v.fecha),
                ("Nombre", &v.nombre),
                ("CURP", &v.curp),
                ("NSS", &v.nss),
            ] {
                let fila = el(&dl, "div", "afi-datos__row");
                el_texto(&fila, "dt", "afi-datos__key", clave);
                el_texto(&fila, "dd", "afi-datos__value", valor);
            }
            html(
                r,
                "<p class=\"afi-text afi-text--small afi-text--suave\">Por tu privacidad, los datos personales se \
                 muestran incompletos.</p>",
            );
        }
        Estado::Error(e) if no_encontrado(&e) => html(
            r,
            "<div class=\"afi-alert afi-alert--error\" data-testid=\"verificacion\">\
             <p class=\"afi-alert__title\">No encontramos este documento</p>\
             <p class=\"afi-alert__text\">No existe un documento con este folio. Revisa que la dirección sea la del \
             código QR del documento.</p></div>",
        ),
        Estado::Error(e) => {
            let alerta = el(r, "div", "afi-alert afi-alert--error");
            attr(&alerta, "data-testid", "verificacion");
            el_texto(&alerta, "p", "afi-alert__text", e.mensaje());
            let p = el(r, "p", "afi-actions");
            let folio = folio.clone();
            dom::boton(
                &p,
                "afi-button afi-button--secondary",
                "Intentar de nuevo",
                move |_| consultar(folio.clone()),
            );
        }
    }
    });
}

/// The server knows no document with that folio.
fn no_encontrado(e: &ApiError) -> bool {
    match e {
        ApiError::Problema(p) => p.status == 404,
        ApiError::Servidor(s) => *s == 404,
        ApiError::SinConexion => false,
    }
}
