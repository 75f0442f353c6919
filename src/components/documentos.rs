//! The documents table (Folio, Fecha, Documento) with re-send, print and download for each row.

use super::{concat, Anuncios};
use crate::api;
use afiliate_domain::api::Documento;
use leptos::prelude::*;

#[component]
fn FilaDocumento(documento: Documento) -> impl IntoView {
    let anuncios = Anuncios::usar();
    let reenvio =
        Action::new_local(|folio: &String| api::backend().reenviar_documento(folio.clone()));
    let enviando = reenvio.pending();
    let resultado = reenvio.value();
    // Each answer is announced (also the same answer twice: the second re-send of the day says so again).
    Effect::new(move |_| {
        if let Some(r) = resultado.get() {
            anuncios.anunciar(match r {
                Ok(m) => m.mensaje,
                Err(e) => e.mensaje().to_string(),
            });
        }
    });
    let folio = documento.folio.clone();
    // The button stays focusable while it works (aria-disabled): a repeated press does nothing.
    let reenviar = move |_| {
        if !enviando.get_untracked() {
            reenvio.dispatch_local(folio.clone());
        }
    };
    let nombre = documento.documento.clone();
    // Each control names its document (screen readers list controls out of context): "Descargar Tarjeta de …".
    let oculto = concat(" ", &nombre);
    let estado_view = move || {
        match (enviando.get(), resultado.get()) {
        (true, _) => Some(view! { <span class="afi-docs__status">"Enviando…"</span> }.into_any()),
        (false, None) => None,
        (false, Some(Ok(m))) => Some(
            view! { <span class="afi-docs__status afi-docs__status--ok">{m.mensaje}</span> }
                .into_any(),
        ),
        (false, Some(Err(e))) => Some(
            view! {
                <span class="afi-docs__status afi-docs__status--error">{e.mensaje().to_string()}</span>
            }
            .into_any(),
        ),
    }
    };
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
                        aria-disabled=move || enviando.get().then_some("true")
                        on:click=reenviar
                    >
                        "Reenviar por correo"
                        <span class="afi-visually-hidden">{oculto.clone()}</span>
                    </button>
                    <a
                        class="afi-button afi-button--secondary afi-button--small"
                        href=crate::api::enlace(&documento.ver_url)
                        target="_blank"
                        rel="external noopener"
                    >
                        "Imprimir"
                        <span class="afi-visually-hidden">{oculto.clone()} " (se abre en otra pestaña)"</span>
                    </a>
                    <a
                        class="afi-button afi-button--secondary afi-button--small"
                        href=crate::api::enlace(&documento.descargar_url)
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
