//! A labelled text input with its hint and its error message (the GOV.UK form pattern).

use super::concat;
use crate::dom::prelude::*;
use crate::dom::{self, attr, attr_r, clase_si, el, el_texto, html, on, valor_de, valor_r};
use web_sys::Element;

/// How a field is typed on phones: the keyboard, autofill and corrections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Teclado {
    /// `type`: "text" or "email".
    pub tipo: &'static str,
    /// `inputmode`: "text", "email", "numeric".
    pub inputmode: &'static str,
    /// `autocomplete` token, e.g. "email", "postal-code", "address-line1", "off".
    pub autocomplete: &'static str,
    /// `autocapitalize`: "none", "characters", "words".
    pub autocapitalize: &'static str,
    /// `maxlength`.
    pub maxlength: &'static str,
}

impl Teclado {
    pub const fn texto(autocomplete: &'static str, maxlength: &'static str) -> Teclado {
        Teclado {
            tipo: "text",
            inputmode: "text",
            autocomplete,
            autocapitalize: "none",
            maxlength,
        }
    }
    pub const fn numerico(autocomplete: &'static str, maxlength: &'static str) -> Teclado {
        Teclado {
            tipo: "text",
            inputmode: "numeric",
            autocomplete,
            autocapitalize: "none",
            maxlength,
        }
    }
    pub const fn correo() -> Teclado {
        Teclado {
            tipo: "email",
            inputmode: "email",
            autocomplete: "email",
            autocapitalize: "none",
            maxlength: "100",
        }
    }
}

/// `aria-describedby` for a field: its hint and, while shown, its error.
pub fn describedby(id: &str, con_hint: bool, con_error: bool) -> Option<String> {
    let mut s = String::new();
    if con_hint {
        s.push_str(id);
        s.push_str("-hint");
    }
    if con_error {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(id);
        s.push_str("-error");
    }
    (!s.is_empty()).then_some(s)
}

/// An inline error under a label: "Error:" visually hidden, then the same words as in the summary.
pub fn field_error(padre: &Element, id: &'static str, error: Signal<Option<String>>) {
    dom::region(padre, move |r| {
        if let Some(mensaje) = error.get() {
            let p = el(r, "p", "afi-field__error");
            attr(&p, "id", &concat(id, "-error"));
            html(&p, "<span class=\"afi-visually-hidden\">Error: </span>");
            dom::texto(&p, &mensaje);
        }
    });
}

/// A text field. The value lives outside (in the form's state); `on_input` gets every keystroke and
/// `on_blur` fires as the field loses focus (format validation).
pub struct Field {
    /// The input's id (the error summary links to it).
    pub id: &'static str,
    /// The visible label (the seed's words).
    pub label: &'static str,
    /// A hint under the label.
    pub hint: Option<&'static str>,
    /// Keyboard, autofill, length.
    pub teclado: Teclado,
    /// The current value.
    pub value: Signal<String>,
    /// Every change.
    pub on_input: Callback<String>,
    /// The field lost focus.
    pub on_blur: Option<Callback<()>>,
    /// The error shown under the label.
    pub error: Signal<Option<String>>,
    /// Extra classes for the input (e.g. `afi-field__input--curp`), "" for none.
    pub input_class: &'static str,
}

/// Appends a [`Field`]; `despues` adds content after the input (e.g. the e-mail suggestion).
pub fn field(padre: &Element, f: Field, despues: Option<&dyn Fn(&Element)>) {
    let Field {
        id,
        label,
        hint,
        teclado,
        value,
        on_input,
        on_blur,
        error,
        input_class,
    } = f;
    let con_error = move || error.with(|e| e.is_some());
    let grupo = el(padre, "div", "afi-field");
    clase_si(&grupo, "afi-field--error", con_error);
    let l = el_texto(&grupo, "label", "afi-field__label", label);
    attr(&l, "for", id);
    if let Some(h) = hint {
        let s = el_texto(&grupo, "span", "afi-field__hint", h);
        attr(&s, "id", &concat(id, "-hint"));
    }
    field_error(&grupo, id, error);
    let input = el(&grupo, "input", "afi-field__input");
    if !input_class.is_empty() {
        let _ = input.class_list().add_1(input_class);
    }
    clase_si(&input, "afi-field__input--error", con_error);
    attr(&input, "id", id);
    attr(&input, "name", id);
    attr(&input, "type", teclado.tipo);
    attr(&input, "inputmode", teclado.inputmode);
    attr(&input, "autocomplete", teclado.autocomplete);
    attr(&input, "autocapitalize", teclado.autocapitalize);
    attr(&input, "spellcheck", "false");
    attr(&input, "maxlength", teclado.maxlength);
    dom::aria_invalid(&input, con_error);
    attr_r(&input, "aria-describedby", move || {
        describedby(id, hint.is_some(), con_error())
    });
    valor_r(&input, move || value.get());
    on(&input, "input", move |ev| on_input.run(valor_de(&ev)));
    on(&input, "blur", move |_| {
        if let Some(cb) = on_blur {
            cb.run(())
        }
    });
    if let Some(d) = despues {
        d(&grupo);
    }
}
