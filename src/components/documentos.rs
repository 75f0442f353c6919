//! The documents table (Folio, Fecha, Documento) with re-send, print and download for each row.

use super::{anunciar, concat, dinamico, reactivo};
use crate::api;
use afiliate_domain::api::Documento;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// What a re-send did.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Reenvio {
    Nada,
    Enviando,
    Hecho(String),
    Fallo(String),
}

#[component]
fn FilaDocumento(documento: Documento) -> impl IntoView {
    let estado = RwSignal::new(Reenvio::Nada);
    let folio = documento.folio.clone();
    let reenviar = move |_| {
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
            match &r {
                Reenvio::Hecho(m) | Reenvio::Fallo(m) => anunciar(m.clone()),
                _ => {}
            }
            estado.set(r);
        });
    };
    let nombre = documento.documento.clone();
    // Each control names its document (screen readers list controls out of context): "Descargar Tarjeta de …".
    let oculto = concat(" ", &nombre);
    let estado_view = dinamico(move || match estado.get() {
        Reenvio::Nada => None,
        Reenvio::Enviando => {
            Some(view! { <span class="afi-docs__status">"Enviando…"</span> }.into_any())
        }
        Reenvio::Hecho(m) => Some(
            view! { <span class="afi-docs__status afi-docs__status--ok">{m}</span> }.into_any(),
        ),
        Reenvio::Fallo(m) => Some(
            view! { <span class="afi-docs__status afi-docs__status--error">{m}</span> }.into_any(),
        ),
    });
    view! {
        <tr class="afi-docs__row">
            <td class="afi-docs__cell" data-label="Folio">{documento.folio.clone()}</td>
            <td class="afi-docs__cell" data-label="Fecha">{documento.fecha.clone()}</td>
            <td class="afi-docs__cell" data-label="Documento">
                {nombre.clone()}
                <span class="afi-docs__acciones">
                    <button
                        type="button"
                        class="afi-button afi-button--secondary afi-button--small"
                        aria-disabled=reactivo(move || (estado.get() == Reenvio::Enviando).then_some("true"))
                        on:click=reenviar
                    >
                        "Reenviar por correo"
                        <span class="afi-visually-hidden">{oculto.clone()}</span>
                    </button>
                    <a
                        class="afi-button afi-button--secondary afi-button--small"
                        href=documento.ver_url.clone()
                        target="_blank"
                        rel="external noopener"
                    >
                        "Imprimir"
                        <span class="afi-visually-hidden">{oculto.clone()} " (se abre en otra pestaña)"</span>
                    </a>
                    <a
                        class="afi-button afi-button--secondary afi-button--small"
                        href=documento.descargar_url.clone()
                        download=""
                        rel="external"
                    >
                        "Descargar"
                        <span class="afi-visually-hidden">{oculto}</span>
                    </a>
                </span>
                {estado_view}
            </td>
        </tr>
    }
}

/// The documents issued to the student.
#[component]
pub fn Documentos(
    /// The documents, as the API answered them.
    documentos: Vec<Documento>,
) -> impl IntoView {
    let filas = documentos
        .into_iter()
        .map(|documento| view! { <FilaDocumento documento=documento/> })
        .collect_view();
    view! {
        <table class="afi-docs">
            <caption class="afi-docs__caption">"Tus documentos"</caption>
            <thead>
                <tr class="afi-docs__headrow">
                    <th class="afi-docs__head" scope="col">"Folio"</th>
                    <th class="afi-docs__head" scope="col">"Fecha"</th>
                    <th class="afi-docs__head" scope="col">"Documento"</th>
                </tr>
            </thead>
            <tbody>{filas}</tbody>
        </table>
    }
}
