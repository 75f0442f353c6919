//! Paso 2 "Ingresar domicilio": when no NSS was found, the address for the assignment.

use super::{encabezado, rutas, sin_datos, use_tramite};
use crate::components::cp_lookup::codigo_postal_lookup;
use crate::components::error_summary::{self, error_summary};
use crate::components::field::{field, Field, Teclado};
use crate::components::stepper::{stepper, PASOS_ASIGNACION};
use crate::components::{enfocar, enfocar_titulo, titulo};
use crate::dom::prelude::*;
use crate::dom::{attr, efecto, el, el_texto, html, on};
use crate::router::use_navegador;
use crate::state::domicilio::{self, ConsultaCp, CAMPOS};
use crate::state::errores::Campo;
use crate::state::Errores;
use web_sys::{Element, Event};

pub const NO_ENCONTRADO: &str = "No se encontró un número asociado a tu CURP, se te asignará uno.";
const CALLE: Teclado = Teclado {
    autocapitalize: "words",
    ..Teclado::texto("address-line1", "100")
};
// Numbers may have letters ("12-B", "SN"): a text keyboard, not a numeric one.
const NUMERO: Teclado = Teclado {
    autocapitalize: "characters",
    ..Teclado::texto("off", "20")
};
const TITULO: &str = "Ingresar domicilio: Asignación o localización de NSS";

pub fn nss_domicilio_page(padre: &Element) {
    let tramite = use_tramite();
    let Some(persona) = tramite.with_untracked(|t| t.sin_nss()) else {
        return sin_datos(padre);
    };
    let navegador = use_navegador();
    // Inline messages (blur and submit) and the summary (the last submit only).
    let errores = RwSignal::new(Errores::new());
    let resumen = RwSignal::new(Errores::new());
    let consulta = RwSignal::new(ConsultaCp::Vacia);
    // The form edits a copy; every change goes back to the trámite (and so to sessionStorage).
    let datos = RwSignal::new(tramite.with_untracked(|t| t.domicilio.clone()));
    efecto(move || {
        let d = datos.get();
        tramite.update(|t| {
            if t.domicilio != d {
                t.domicilio = d;
            }
        });
    });

    enfocar_titulo();
    efecto(move || titulo(TITULO, resumen.with(|e| !e.is_empty())));

    let error = move |campo: Campo| {
        Signal::derive(move || errores.with(|e| e.get(campo.clave).map(str::to_string)))
    };
    let texto = move |campo: Campo, f: fn(&mut domicilio::DatosDomicilio, String)| {
        Callback::new(move |v: String| {
            datos.update(|d| f(d, v));
            errores.update(|e| e.remove(campo.clave));
        })
    };

    let on_submit = move |ev: Event| {
        ev.prevent_default();
        let c = consulta.get_untracked();
        let mut nuevos = datos.with_untracked(|d| d.validate(&c));
        if !nuevos.is_empty() {
            nuevos.ordenar(&CAMPOS);
            resumen.set(nuevos.clone());
            errores.set(nuevos);
            enfocar(error_summary::ID);
            return;
        }
        resumen.set(Errores::new());
        errores.set(Errores::new());
        if let ConsultaCp::Encontrado(e) = &c {
            // For "Revisa tus datos": the names from the catalog.
            datos.update(|d| {
                d.estado = e.estado.clone();
                d.municipio = e.municipio.clone();
            });
        }
        let manual = c.manual();
        tramite.update(|t| t.domicilio_manual = manual);
        navegador.ir(rutas::REVISAR);
    };

    let c = el(padre, "div", "afi-container afi-container--narrow");
    encabezado(&c);
    stepper(&c, &PASOS_ASIGNACION, 1);
    html(
        &c,
        "<h1 class=\"afi-title\" tabindex=\"-1\">Ingresa tu domicilio</h1>",
    );
    error_summary(&c, resumen);
    html(
        &c,
        "<div class=\"afi-alert afi-alert--info\">\
         <p class=\"afi-alert__text\" data-testid=\"sin-nss\">No se encontró un número asociado a tu CURP, \
         se te asignará uno.</p></div>",
    );
    let dl = el(&c, "dl", "afi-datos");
    for (clave, valor) in [("Nombre", &persona.nombre), ("CURP", &persona.curp)] {
        let fila = el(&dl, "div", "afi-datos__row");
        el_texto(&fila, "dt", "afi-datos__key", clave);
        el_texto(&fila, "dd", "afi-datos__value", valor);
    }
    let form = el(&c, "form", "afi-card");
    attr(&form, "novalidate", "");
    on(&form, "submit", on_submit);
    html(
        &form,
        "<p class=\"afi-text afi-text--suave afi-text--small\">Escribe el domicilio donde vives. Todos los campos \
         son obligatorios, salvo los que dicen (opcional).</p>",
    );
    codigo_postal_lookup(&form, datos, consulta, errores);
    let campo = |padre: &Element,
                 c: Campo,
                 label: &'static str,
                 hint: Option<&'static str>,
                 teclado: Teclado,
                 f: fn(&domicilio::DatosDomicilio) -> &String,
                 set: fn(&mut domicilio::DatosDomicilio, String)| {
        field(
            padre,
            Field {
                id: c.id,
                label,
                hint,
                teclado,
                value: Signal::derive(move || datos.with(|d| f(d).clone())),
                on_input: texto(c, set),
                on_blur: None,
                error: error(c),
                input_class: "",
            },
            None,
        )
    };
    campo(
        &form,
        domicilio::CALLE,
        "Calle",
        None,
        CALLE,
        |d| &d.calle,
        |d, v| d.calle = v,
    );
    let fila = el(&form, "div", "afi-row");
    campo(
        &fila,
        domicilio::NUMERO_EXTERIOR,
        "Número exterior",
        Some("Si no tiene, escribe SN."),
        NUMERO,
        |d| &d.numero_exterior,
        |d, v| d.numero_exterior = v,
    );
    campo(
        &fila,
        domicilio::NUMERO_INTERIOR,
        "Número interior (opcional)",
        Some("Departamento, piso o local."),
        NUMERO,
        |d| &d.numero_interior,
        |d, v| d.numero_interior = v,
    );
    html(
        &form,
        "<button type=\"submit\" class=\"afi-button\">Continuar</button>",
    );
}
