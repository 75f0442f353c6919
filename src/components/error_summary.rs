//! "Hay un problema": the error summary at the top of a form.

use crate::dom::prelude::*;
use crate::dom::{self, attr, el, el_texto, html};
use crate::state::Errores;
use web_sys::Element;

/// The id of the summary (focused on submit).
pub const ID: &str = "afi-error-summary";

/// Lists every message of the form, each a link to its field (same words as under the field); general
/// problems (no field) are listed as text. Hidden while there are no errors. Focus it with
/// `components::enfocar(error_summary::ID)` after a failed submit.
pub fn error_summary(padre: &Element, errores: RwSignal<Errores>) {
    // Shown while there are errors (a new list of errors re-renders the list only).
    let hay = Memo::new(move |_| errores.with(|e| !e.is_empty()));
    dom::region(padre, move |r| {
        if !hay.get() {
            return;
        }
        let div = el(r, "div", "afi-summary");
        attr(&div, "id", ID);
        attr(&div, "role", "alert");
        attr(&div, "tabindex", "-1");
        attr(&div, "aria-labelledby", "afi-error-summary-title");
        html(
            &div,
            "<h2 id=\"afi-error-summary-title\" class=\"afi-summary__title\">Hay un problema</h2>",
        );
        let ul = el(&div, "ul", "afi-summary__list");
        dom::region(&ul, move |r| {
            errores.with(|e| {
                for (campo, mensaje) in e.iter() {
                    let li = el(r, "li", "afi-summary__item");
                    if campo.id.is_empty() {
                        dom::texto(&li, mensaje);
                    } else {
                        let id = campo.id;
                        let a = el_texto(&li, "a", "afi-summary__link", mensaje);
                        attr(&a, "href", &super::concat("#", id));
                        dom::on_captura(&a, "click", move |ev| {
                            ev.prevent_default();
                            super::enfocar_ahora(id);
                        });
                    }
                }
            })
        });
    });
}
