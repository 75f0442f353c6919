//! Código postal → estado, municipio and the colonia list, from the static catalog shards (no API round trip);
//! a manual fallback when the code is not in the catalog.

use super::field::{field, field_error, Field, Teclado};
use super::{anunciar, concat};
use crate::dom::prelude::*;
use crate::dom::{self, attr, attr_r, attr_si, clase_si, el, el_texto, html, on, valor_de};
use crate::state::domicilio::{self, consultar_cp, ConsultaCp, DatosDomicilio};
use crate::state::errores::Campo;
use crate::state::Errores;
use afiliate_domain::postal;
use web_sys::Element;

const NO_ENCONTRADO: &str =
    "No encontramos este código postal en el catálogo de SEPOMEX. Revisa que esté bien escrito, o escribe tu estado, municipio o alcaldía y colonia.";
const MUNICIPIO: Teclado = Teclado {
    autocapitalize: "words",
    ..Teclado::texto("address-level2", "100")
};
const COLONIA: Teclado = Teclado {
    autocapitalize: "words",
    ..Teclado::texto("address-level3", "100")
};
const FALLA: &str =
    "No pudimos consultar tu código postal. Revisa tu conexión a internet e inténtalo de nuevo.";

/// Starts the lookup of the typed code (when it is a valid 5-digit code) and stores the answer in `consulta`,
/// unless the code changed meanwhile.
pub fn buscar(domicilio: RwSignal<DatosDomicilio>, consulta: RwSignal<ConsultaCp>) {
    let cp = domicilio.with_untracked(|d| d.codigo_postal.trim().to_string());
    if postal::codigo_postal_valido(&cp).is_err() {
        consulta.set(ConsultaCp::Vacia);
        return;
    }
    consulta.set(ConsultaCp::Buscando);
    spawn_local(async move {
        let resultado = consultar_cp(&cp).await;
        if domicilio.with_untracked(|d| d.codigo_postal.trim() != cp) {
            return;
        }
        match &resultado {
            ConsultaCp::Encontrado(e) => {
                let mut texto = String::from("Código postal encontrado: ");
                texto.push_str(&e.municipio);
                texto.push_str(", ");
                texto.push_str(&e.estado);
                texto.push('.');
                anunciar(texto);
                domicilio.update(|d| {
                    let sigue = e.asentamientos.iter().any(|a| a.nombre == d.colonia);
                    if !sigue {
                        d.colonia = match e.asentamientos.as_slice() {
                            [unica] => unica.nombre.clone(),
                            _ => String::new(),
                        };
                    }
                    d.estado.clear();
                    d.municipio.clear();
                });
            }
            ConsultaCp::NoEncontrado => anunciar(NO_ENCONTRADO),
            ConsultaCp::Falla => anunciar(FALLA),
            _ => {}
        }
        consulta.set(resultado);
    });
}

/// A `<select>` of a form field: its label, inline error, the placeholder option and `opciones` (value, text),
/// the option equal to `actual` selected; `al_cambiar` gets the chosen value.
#[allow(clippy::too_many_arguments)]
fn lista(
    padre: &Element,
    id: &'static str,
    etiqueta: &str,
    autocomplete: &str,
    placeholder: &str,
    opciones: &mut dyn Iterator<Item = (String, String)>,
    actual: Signal<String>,
    error: Signal<Option<String>>,
    al_cambiar: Callback<String>,
) {
    let con_error = move || error.with(|e| e.is_some());
    let grupo = el(padre, "div", "afi-field");
    clase_si(&grupo, "afi-field--error", con_error);
    let l = el_texto(&grupo, "label", "afi-field__label", etiqueta);
    attr(&l, "for", id);
    field_error(&grupo, id, error);
    let select = el(&grupo, "select", "afi-field__select");
    clase_si(&select, "afi-field__select--error", con_error);
    attr(&select, "id", id);
    attr(&select, "name", id);
    attr(&select, "autocomplete", autocomplete);
    dom::aria_invalid(&select, con_error);
    attr_r(&select, "aria-describedby", move || {
        con_error().then(|| concat(id, "-error"))
    });
    on(&select, "change", move |ev| al_cambiar.run(valor_de(&ev)));
    let opcion = |valor: String, texto: &str| {
        let o = el_texto(&select, "option", "", texto);
        attr(&o, "value", &valor);
        attr_si(&o, "selected", move || actual.with(|a| *a == valor));
    };
    opcion(String::new(), placeholder);
    for (valor, texto) in opciones {
        opcion(valor, &texto);
    }
}

/// The postal-code part of the address form: the code, then estado and municipio (filled from the catalog or,
/// for an unknown code, typed), then the colonia (a list of that code's settlements, or typed).
/// `domicilio` is the address being typed, `consulta` what the lookup found (the page validates with it),
/// `errores` the form's errors.
pub fn codigo_postal_lookup(
    padre: &Element,
    domicilio: RwSignal<DatosDomicilio>,
    consulta: RwSignal<ConsultaCp>,
    errores: RwSignal<Errores>,
) {
    // Look the code up whenever it changes (also right after a reload restored it).
    dom::guardar(RenderEffect::new(move |anterior: Option<String>| {
        let cp = domicilio.with(|d| d.codigo_postal.trim().to_string());
        if anterior.as_deref() != Some(cp.as_str()) {
            untrack(|| buscar(domicilio, consulta));
        }
        cp
    }));
    let error = move |clave: &'static str| {
        Signal::derive(move || errores.with(|e| e.get(clave).map(str::to_string)))
    };
    let texto_de = move |f: fn(&DatosDomicilio) -> &String| {
        Signal::derive(move || domicilio.with(|d| f(d).clone()))
    };
    let cambio = move |campo: Campo, f: fn(&mut DatosDomicilio, String)| {
        Callback::new(move |v: String| {
            domicilio.update(|d| f(d, v));
            errores.update(|e| e.remove(campo.clave));
        })
    };

    field(
        padre,
        Field {
            id: domicilio::CODIGO_POSTAL.id,
            label: "Código postal",
            hint: Some(
                "5 números, por ejemplo: 01000. Con él buscamos tu estado, municipio y colonia.",
            ),
            teclado: Teclado::numerico("postal-code", "5"),
            value: texto_de(|d| &d.codigo_postal),
            on_input: cambio(domicilio::CODIGO_POSTAL, |d, v| d.codigo_postal = v),
            on_blur: Some(Callback::new(move |_| {
                if let Some(m) = domicilio.with_untracked(|d| d.validate_cp()) {
                    errores.update(|e| e.set(domicilio::CODIGO_POSTAL, m));
                }
            })),
            error: error(domicilio::CODIGO_POSTAL.clave),
            input_class: "afi-field__input--short",
        },
        None,
    );

    // Searching, or the lookup failed (retry).
    dom::region(padre, move |r| match consulta.get() {
        ConsultaCp::Buscando => html(
            r,
            "<p class=\"afi-progress afi-progress--small\">\
             <span class=\"afi-progress__spinner\" aria-hidden=\"true\"></span>\
             Buscando tu código postal…</p>",
        ),
        ConsultaCp::Falla => {
            let div = el(r, "div", "afi-alert afi-alert--error");
            el_texto(&div, "p", "afi-alert__text", FALLA);
            let p = el(&div, "p", "afi-actions");
            dom::boton(
                &p,
                "afi-button afi-button--secondary afi-button--small",
                "Buscar de nuevo",
                move |_| buscar(domicilio, consulta),
            );
        }
        _ => {}
    });

    // Found: estado and municipio from the catalog, the colonia from its list.
    dom::region(padre, move |r| {
        let ConsultaCp::Encontrado(e) = consulta.get() else {
            return;
        };
        let dl = el(r, "dl", "afi-datos afi-datos--cp");
        for (clave, testid, valor) in [
            ("Estado", "cp-estado", &e.estado),
            ("Municipio o alcaldía", "cp-municipio", &e.municipio),
        ] {
            let fila = el(&dl, "div", "afi-datos__row");
            el_texto(&fila, "dt", "afi-datos__key", clave);
            let dd = el_texto(&fila, "dd", "afi-datos__value", valor);
            attr(&dd, "data-testid", testid);
        }
        lista(
            r,
            domicilio::COLONIA.id,
            "Colonia",
            "address-level3",
            "Selecciona tu colonia",
            &mut e.asentamientos.iter().map(|a| {
                let mut texto = a.nombre.clone();
                if !a.tipo.is_empty() {
                    texto.push_str(" (");
                    texto.push_str(&a.tipo);
                    texto.push(')');
                }
                (a.nombre.clone(), texto)
            }),
            texto_de(|d| &d.colonia),
            error(domicilio::COLONIA.clave),
            cambio(domicilio::COLONIA, |d, v| d.colonia = v),
        );
    });

    // Not in the catalog: estado from the list, municipio and colonia typed.
    dom::region(padre, move |r| {
        if !consulta.with(|c| c.manual()) {
            return;
        }
        let div = el(r, "div", "afi-alert afi-alert--info");
        attr(&div, "data-testid", "cp-no-encontrado");
        el_texto(&div, "p", "afi-alert__text", NO_ENCONTRADO);
        lista(
            r,
            domicilio::ESTADO.id,
            "Estado",
            "address-level1",
            "Selecciona tu estado",
            &mut postal::ESTADOS
                .iter()
                .map(|n| (String::from(*n), String::from(*n))),
            texto_de(|d| &d.estado),
            error(domicilio::ESTADO.clave),
            cambio(domicilio::ESTADO, |d, v| d.estado = v),
        );
        for (campo, label, teclado, f, set) in [
            (
                domicilio::MUNICIPIO,
                "Municipio o alcaldía",
                MUNICIPIO,
                (|d| &d.municipio) as fn(&DatosDomicilio) -> &String,
                (|d, v| d.municipio = v) as fn(&mut DatosDomicilio, String),
            ),
            (
                domicilio::COLONIA,
                "Colonia",
                COLONIA,
                |d| &d.colonia,
                |d, v| d.colonia = v,
            ),
        ] {
            field(
                r,
                Field {
                    id: campo.id,
                    label,
                    hint: None,
                    teclado,
                    value: texto_de(f),
                    on_input: cambio(campo, set),
                    on_blur: None,
                    error: error(campo.clave),
                    input_class: "",
                },
                None,
            );
        }
    });
}
