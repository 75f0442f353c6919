//! `/verificar/{folio}`: anyone who scans a document's QR code checks that it is authentic.

use crate::api::{self, ApiError};
use crate::components::Progreso;
use crate::components::{enfocar_titulo, titulo};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn VerificarPage() -> impl IntoView {
    let params = use_params_map();
    let folio = Memo::new(move |_| params.with(|p| p.get("folio").unwrap_or_default()));
    titulo("Verificación de documento", false);
    enfocar_titulo();
    // The verification is a read: a LocalResource that follows the folio in the URL, shown while it loads as "Consultando el documento…".
    let verificacion = LocalResource::new(move || api::backend().verificacion(folio.get()));
    let contenido = move || {
        let Some(r) = verificacion.get() else {
            return view! {
                <Progreso texto="Consultando el documento…"/>
            }
            .into_any();
        };
        match r {
        Ok(v) => {
            let clase = if v.autentico { "afi-alert" } else { "afi-alert afi-alert--error" };
            let titulo_alerta = if v.autentico { "Documento auténtico" } else { "Documento NO auténtico" };
            view! {
                <div class=clase data-testid="verificacion">
                    <p class="afi-alert__title">{titulo_alerta}</p>
                    <p class="afi-alert__text">{v.mensaje.clone()}</p>
                </div>
                <dl class="afi-datos">
                    <div class="afi-datos__row">
                        <dt class="afi-datos__key">"Documento"</dt>
                        <dd class="afi-datos__value">{v.documento.clone()}</dd>
                    </div>
                    <div class="afi-datos__row">
                        <dt class="afi-datos__key">"Certifica"</dt>
                        <dd class="afi-datos__value">{v.certifica.clone()}</dd>
                    </div>
                    <div class="afi-datos__row">
                        <dt class="afi-datos__key">"Folio"</dt>
                        <dd class="afi-datos__value">{v.folio.clone()}</dd>
                    </div>
                    <div class="afi-datos__row">
                        <dt class="afi-datos__key">"Fecha de emisión"</dt>
                        <dd class="afi-datos__value">{v.fecha.clone()}</dd>
                    </div>
                    <div class="afi-datos__row">
                        <dt class="afi-datos__key">"Nombre"</dt>
                        <dd class="afi-datos__value">{v.nombre.clone()}</dd>
                    </div>
                    <div class="afi-datos__row">
                        <dt class="afi-datos__key">"CURP"</dt>
                        <dd class="afi-datos__value">{v.curp.clone()}</dd>
                    </div>
                    <div class="afi-datos__row">
                        <dt class="afi-datos__key">"NSS"</dt>
                        <dd class="afi-datos__value">{v.nss.clone()}</dd>
                    </div>
                    {(!v.clave.is_empty()).then(|| view! {
                        <div class="afi-datos__row">
                            <dt class="afi-datos__key">"Clave del sello"</dt>
                            <dd class="afi-datos__value" data-testid="clave-sello">{v.clave.clone()}</dd>
                        </div>
                    })}
                </dl>
                <p class="afi-text afi-text--small afi-text--suave">
                    "Por tu privacidad, los datos personales se muestran incompletos."
                </p>
            }
            .into_any()
        }
        Err(e) if no_encontrado(&e) => view! {
            <div class="afi-alert afi-alert--error" data-testid="verificacion">
                <p class="afi-alert__title">"No encontramos este documento"</p>
                <p class="afi-alert__text">
                    "No existe un documento con este folio. Revisa que la dirección sea la del código QR del documento."
                </p>
            </div>
        }
        .into_any(),
        Err(e) => {
            view! {
                <div class="afi-alert afi-alert--error" data-testid="verificacion">
                    <p class="afi-alert__text">{e.mensaje().to_string()}</p>
                </div>
                <p class="afi-actions">
                    <button
                        type="button"
                        class="afi-button afi-button--secondary"
                        on:click=move |_| verificacion.refetch()
                    >
                        "Intentar de nuevo"
                    </button>
                </p>
            }
            .into_any()
        }
    }
    };

    view! {
        <div class="afi-container afi-container--narrow">
            <super::Migas/>
            <h1 class="afi-title" tabindex="-1">"Verificación de documento"</h1>
            {contenido}
        </div>
    }
}

/// The server knows no document with that folio.
fn no_encontrado(e: &ApiError) -> bool {
    match e {
        ApiError::Problema(p) => p.status == 404,
        ApiError::Servidor(s) => *s == 404,
        ApiError::SinConexion => false,
    }
}
