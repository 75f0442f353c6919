//! A labelled text input with its hint and its error message (the GOV.UK form pattern).

use super::concat;
use leptos::prelude::*;

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
    pub maxlength: u32,
}

impl Teclado {
    pub const fn texto(autocomplete: &'static str, maxlength: u32) -> Teclado {
        Teclado {
            tipo: "text",
            inputmode: "text",
            autocomplete,
            autocapitalize: "none",
            maxlength,
        }
    }
    pub const fn numerico(autocomplete: &'static str, maxlength: u32) -> Teclado {
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
            maxlength: 100,
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
#[component]
pub fn FieldError(
    /// The field's id (the message gets `{id}-error`).
    id: &'static str,
    /// The message, if any.
    #[prop(into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    move || {
        error.get().map(|mensaje| {
            view! {
                <p id=concat(id, "-error") class="afi-field__error">
                    <span class="afi-visually-hidden">"Error: "</span>
                    {mensaje}
                </p>
            }
        })
    }
}

/// A text field. The value lives outside (in the form's state); `on_input` gets every keystroke and
/// `on_blur` fires as the field loses focus (format validation).
#[component]
pub fn Field(
    /// The input's id (the error summary links to it).
    id: &'static str,
    /// The visible label (the seed's words).
    label: &'static str,
    /// A hint under the label.
    #[prop(optional)]
    hint: Option<&'static str>,
    /// Keyboard, autofill, length.
    teclado: Teclado,
    /// The current value.
    #[prop(into)]
    value: Signal<String>,
    /// Every change.
    on_input: Callback<String>,
    /// The field lost focus.
    #[prop(optional)]
    on_blur: Option<Callback<()>>,
    /// The error shown under the label.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// Extra classes for the input (e.g. `afi-field__input--curp`).
    #[prop(optional)]
    input_class: &'static str,
    /// Content after the input (e.g. the e-mail suggestion).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let con_error = move || error.with(|e| e.is_some());
    let clase_grupo = move || {
        if con_error() {
            "afi-field afi-field--error"
        } else {
            "afi-field"
        }
    };
    let clase_input = move || {
        let mut c = String::from("afi-field__input");
        if con_error() {
            c.push_str(" afi-field__input--error");
        }
        if !input_class.is_empty() {
            c.push(' ');
            c.push_str(input_class);
        }
        c
    };
    view! {
        <div class=clase_grupo>
            <label class="afi-field__label" for=id>
                {label}
            </label>
            {hint.map(|h| view! { <span id=concat(id, "-hint") class="afi-field__hint">{h}</span> })}
            <FieldError id=id error=error/>
            <input
                id=id
                name=id
                class=clase_input
                type=teclado.tipo
                inputmode=teclado.inputmode
                autocomplete=teclado.autocomplete
                autocapitalize=teclado.autocapitalize
                spellcheck="false"
                maxlength=teclado.maxlength
                aria-invalid=move || if con_error() { "true" } else { "false" }
                aria-describedby=move || describedby(id, hint.is_some(), con_error())
                prop:value=move || value.get()
                on:input=move |ev| on_input.run(event_target_value(&ev))
                on:blur=move |_| {
                    if let Some(cb) = on_blur {
                        cb.run(())
                    }
                }
            />
            {children.map(|c| c())}
        </div>
    }
}
