//! "Revisa tus datos": check the answers before the assignment (irreversible), with "Cambiar" links; then
//! the assignment itself.

use super::{encabezado, rutas, sin_datos, use_tramite};
use crate::api::{self, ApiError};
use crate::components::error_summary::{self, error_summary};
use crate::components::stepper::{stepper, PASOS_ASIGNACION};
use crate::components::{anunciar, enfocar, enfocar_titulo, titulo};
use crate::dom::prelude::*;
use crate::dom::{self, attr, attr_si, efecto, el, el_texto, html, on};
use crate::router::use_navegador;
use crate::state::errores::GENERAL;
use crate::state::Errores;
use afiliate_domain::api::AsignacionNss;
use std::time::Duration;
use web_sys::{Element, Event};

pub const TARDA: &str =
    "Este proceso puede tardar algunos minutos, no cierre ni refresque la ventana.";
const ASIGNANDO: &str = "Estamos asignando tu Número de Seguridad Social…";
const TITULO: &str = "Revisa tus datos: Asignación o localización de NSS";
/// After this long without an answer, say it may take a while.
const ESPERA_LARGA: Duration = Duration::from_secs(3);

/// One row of a summary list: the key, the value and, for what can be changed, a "Cambiar" link (`cambiar`:
/// where, and the visually hidden name of what).
fn fila(dl: &Element, clave: &str, valor: &str, cambiar: Option<(&str, &str)>) {
    let div = el(dl, "div", "afi-datos__row");
    el_texto(&div, "dt", "afi-datos__key", clave);
    el_texto(&div, "dd", "afi-datos__value", valor);
    if let Some((href, que)) = cambiar {
        let dd = el(&div, "dd", "afi-datos__action");
        let a = el_texto(&dd, "a", "afi-link", "Cambiar");
        attr(&a, "href", href);
        el_texto(&a, "span", "afi-visually-hidden", que);
    }
}

pub fn nss_revisar_page(padre: &Element) {
    let tramite = use_tramite();
    let Some(persona) = tramite.with_untracked(|t| t.sin_nss()) else {
        return sin_datos(padre);
    };
    let navegador = use_navegador();
    let errores = RwSignal::new(Errores::new());
    let enviando = RwSignal::new(false);
    let lento = RwSignal::new(false);
    let reiniciar = RwSignal::new(false);
    enfocar_titulo();
    efecto(move || titulo(TITULO, errores.with(|e| !e.is_empty())));

    let (d, manual, correo) = tramite.with_untracked(|t| {
        (
            t.domicilio.clone(),
            t.domicilio_manual,
            t.inicio.correo.clone(),
        )
    });
    let token = persona.token.clone();
    let peticion = AsignacionNss {
        token,
        domicilio: d.to_api(manual),
    };

    let on_submit = move |ev: Event| {
        ev.prevent_default();
        if enviando.get_untracked() {
            return;
        }
        errores.set(Errores::new());
        reiniciar.set(false);
        enviando.set(true);
        lento.set(false);
        anunciar(ASIGNANDO);
        set_timeout(
            move || {
                if enviando.get_untracked() {
                    lento.set(true);
                }
            },
            ESPERA_LARGA,
        );
        let peticion = peticion.clone();
        spawn_local(async move {
            let resultado = api::backend().asignar_nss(peticion).await;
            enviando.set(false);
            lento.set(false);
            match resultado {
                Ok(r) => {
                    tramite.update(|t| t.asignacion = Some(r));
                    navegador.ir(rutas::RESULTADO);
                }
                Err(e) => {
                    let mut nuevos = e
                        .errores()
                        .map(|m| Errores::del_servidor(m, &[]))
                        .unwrap_or_default();
                    if nuevos.is_empty() {
                        nuevos.set(GENERAL, e.mensaje());
                    }
                    // Address problems are fixed on the address page; anything else about the request
                    // (an expired session) needs step 1 again. Without a connection: retry here.
                    let de_domicilio = e
                        .errores()
                        .is_some_and(|m| m.keys().any(|k| k.starts_with("domicilio")));
                    reiniciar.set(
                        e != ApiError::SinConexion
                            && !de_domicilio
                            && matches!(e, ApiError::Problema(_)),
                    );
                    errores.set(nuevos);
                    enfocar(error_summary::ID);
                }
            }
        });
    };

    let interior = if d.numero_interior.trim().is_empty() {
        String::from("(sin número interior)")
    } else {
        d.numero_interior.clone()
    };
    let c = el(padre, "div", "afi-container afi-container--narrow");
    encabezado(&c);
    stepper(&c, &PASOS_ASIGNACION, 1);
    html(
        &c,
        "<h1 class=\"afi-title\" tabindex=\"-1\">Revisa tus datos</h1>",
    );
    error_summary(&c, errores);
    dom::region(&c, move |r| {
        if reiniciar.get() {
            html(
                r,
                "<p class=\"afi-text\"><a href=\"/tramite/nss\" class=\"afi-link\">Volver a iniciar el trámite</a></p>",
            );
        }
    });
    html(
        &c,
        "<p class=\"afi-text\">Con estos datos se te asignará tu Número de Seguridad Social. Revisa que sean \
         correctos.</p><h2 class=\"afi-subheading\">Tus datos</h2>",
    );
    let dl = el(&c, "dl", "afi-datos");
    fila(&dl, "Nombre", &persona.nombre, None);
    fila(&dl, "CURP", &persona.curp, None);
    fila(
        &dl,
        "Correo electrónico",
        &correo,
        Some((rutas::INICIO, " correo electrónico")),
    );
    html(&c, "<h2 class=\"afi-subheading\">Tu domicilio</h2>");
    let dl = el(&c, "dl", "afi-datos");
    let cambiar = |que| Some((rutas::DOMICILIO, que));
    fila(
        &dl,
        "Código postal",
        &d.codigo_postal,
        cambiar(" código postal"),
    );
    fila(&dl, "Estado", &d.estado, None);
    fila(&dl, "Municipio o alcaldía", &d.municipio, None);
    fila(&dl, "Colonia", &d.colonia, cambiar(" colonia"));
    fila(&dl, "Calle", &d.calle, cambiar(" calle"));
    fila(
        &dl,
        "Número exterior",
        &d.numero_exterior,
        cambiar(" número exterior"),
    );
    fila(
        &dl,
        "Número interior",
        &interior,
        cambiar(" número interior"),
    );
    let form = el(&c, "form", "");
    attr(&form, "novalidate", "");
    on(&form, "submit", on_submit);
    let b = el_texto(&form, "button", "afi-button", "Continuar");
    attr(&b, "type", "submit");
    attr_si(&b, "disabled", move || enviando.get());
    dom::region(&form, move |r| {
        if enviando.get() {
            html(
                r,
                "<p class=\"afi-progress\"><span class=\"afi-progress__spinner\" aria-hidden=\"true\"></span>\
                 Estamos asignando tu Número de Seguridad Social…</p>",
            );
        }
    });
    dom::region(&form, move |r| {
        if lento.get() {
            html(
                r,
                "<div class=\"afi-alert afi-alert--info\" data-testid=\"tarda\"><p class=\"afi-alert__text\">\
                 Este proceso puede tardar algunos minutos, no cierre ni refresque la ventana.</p></div>",
            );
        }
    });
}
