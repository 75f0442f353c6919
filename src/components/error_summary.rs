//! "Hay un problema": the error summary at the top of a form.

use crate::state::Errores;
use leptos::prelude::*;

/// The id of the summary (focused on submit).
pub const ID: &str = "afi-error-summary";

/// Lists every message of the form, each a link to its field (same words as under the field); general
/// problems (no field) are listed as text. Hidden while there are no errors. Focus it with
/// `components::enfocar(error_summary::ID)` after a failed submit.
#[component]
pub fn ErrorSummary(
    /// The form's errors, in form order.
    #[prop(into)]
    errores: Signal<Errores>,
) -> impl IntoView {
    let items = move || {
        errores
            .get()
            .iter()
            .map(|(campo, mensaje)| {
                let mensaje = mensaje.clone();
                if campo.id.is_empty() {
                    view! { <li class="afi-summary__item">{mensaje}</li> }.into_any()
                } else {
                    let id = campo.id;
                    view! {
                        <li class="afi-summary__item">
                            <a
                                class="afi-summary__link"
                                href=super::concat("#", id)
                                on:click:capture=move |ev| {
                                    ev.prevent_default();
                                    super::enfocar(id);
                                }
                            >
                                {mensaje}
                            </a>
                        </li>
                    }
                    .into_any()
                }
            })
            .collect_view()
    };
    // Shown while there are errors (new errors re-render the list only).
    let hay = Memo::new(move |_| errores.with(|e| !e.is_empty()));
    view! {
        {move || hay.get().then(|| view! {
            <div id=ID class="afi-summary" role="alert" tabindex="-1" aria-labelledby="afi-error-summary-title">
                <h2 id="afi-error-summary-title" class="afi-summary__title">
                    "Hay un problema"
                </h2>
                <ul class="afi-summary__list">{items}</ul>
            </div>
        })}
    }
}
