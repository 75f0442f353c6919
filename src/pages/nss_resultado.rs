//! The result: "Tu NSS es:" (located) or "Asignación de NSS exitosa." (assigned), with the documents.

use super::{rutas, use_tramite, Encabezado, SinDatos};
use crate::components::documentos::Documentos;
use crate::components::stepper::{Stepper, PASOS_ASIGNACION, PASOS_LOCALIZADO};
use crate::components::{enfocar_titulo, titulo, Anuncios};
use crate::ruta;
use crate::state::tramite::Tramite;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

pub const ENVIADO: &str =
    "Tu Número de Seguridad Social (NSS), ha sido enviado a tu correo electrónico.";

#[component]
pub fn NssResultadoPage() -> impl IntoView {
    let tramite = use_tramite();
    let Some(r) = tramite.with_untracked(|t| t.resultado()) else {
        return view! { <SinDatos/> }.into_any();
    };
    let navigate = use_navigate();
    let (titulo_panel, pasos, actual): (&str, &'static [&'static str], usize) = if r.asignado {
        ("Asignación de NSS exitosa.", &PASOS_ASIGNACION, 2)
    } else {
        ("Tu NSS es:", &PASOS_LOCALIZADO, 1)
    };
    titulo(
        if r.asignado {
            "Asignación de NSS exitosa"
        } else {
            "Tu NSS"
        },
        false,
    );
    enfocar_titulo();
    let mut anuncio = String::from(titulo_panel);
    anuncio.push(' ');
    anuncio.push_str(&r.nss);
    Anuncios::usar().anunciar(anuncio);

    let correo = tramite.with_untracked(|t| t.inicio.correo.trim().to_ascii_lowercase());
    let finalizar = move |_| {
        tramite.set(Tramite::default());
        navigate(rutas::FIN, Default::default());
    };
    view! {
        <div class="afi-container afi-container--narrow">
            <Encabezado/>
            <Stepper pasos=pasos actual=actual/>
            <section class="afi-panel" aria-labelledby="afi-resultado-titulo">
                <h1 id="afi-resultado-titulo" class="afi-panel__title" tabindex="-1">
                    {titulo_panel}
                    <span class="afi-visually-hidden">" " {r.nss.clone()}</span>
                </h1>
                <p class="afi-panel__label" aria-hidden="true">"NSS"</p>
                <p class="afi-panel__nss" data-testid="nss" aria-hidden="true">{r.nss.clone()}</p>
            </section>
            <dl class="afi-datos">
                <div class="afi-datos__row">
                    <dt class="afi-datos__key">"CURP"</dt>
                    <dd class="afi-datos__value">{r.curp.clone()}</dd>
                </div>
                <div class="afi-datos__row">
                    <dt class="afi-datos__key">"Nombre"</dt>
                    <dd class="afi-datos__value">{r.nombre.clone()}</dd>
                </div>
            </dl>
            <div class="afi-alert">
                <p class="afi-alert__title">{ENVIADO}</p>
                <p class="afi-alert__text">
                    {(!correo.is_empty()).then(|| view! { "Lo enviamos a " <strong>{correo}</strong> ". " })}
                    "Si no lo ves en unos minutos, revisa tu carpeta de correo no deseado (spam), o reenvíalo desde aquí."
                </p>
            </div>
            <Documentos documentos=r.documentos/>
            {r.asignado.then(|| {
                let cp = tramite.with_untracked(|t| t.domicilio.codigo_postal.trim().to_string());
                match r.umf.clone() {
                    Some(u) => view! {
                        <h2 class="afi-subheading">"Tu clínica"</h2>
                        <dl class="afi-datos" data-testid="umf-asignada">
                            <div class="afi-datos__row">
                                <dt class="afi-datos__key">"Unidad de Medicina Familiar"</dt>
                                <dd class="afi-datos__value">{u.nombre}</dd>
                            </div>
                            <div class="afi-datos__row">
                                <dt class="afi-datos__key">"Domicilio"</dt>
                                <dd class="afi-datos__value">{u.domicilio}</dd>
                            </div>
                        </dl>
                    }
                    .into_any(),
                    None => view! {
                        <div class="afi-alert afi-alert--info" data-testid="sin-umf">
                            <p class="afi-alert__text">
                                {afiliate_domain::api::mensaje_sin_umf(&cp)}
                                " En el Paso 3 puedes buscar tu clínica con otro código postal."
                            </p>
                        </div>
                    }
                    .into_any(),
                }
            })}
            <h2 class="afi-subheading">"¿Qué sigue?"</h2>
            <ul class="afi-list">
                <li>
                    <A href=ruta(rutas::VIGENCIA) attr:class="afi-link">
                        "Paso 2: solicita tu constancia de vigencia de derechos"
                    </A>
                    " (ya llenamos tu CURP, tu NSS y tu correo)."
                </li>
                <li>
                    <A href=ruta(rutas::PASO_3) attr:class="afi-link">"Paso 3: regístrate en tu clínica"</A>
                    "."
                </li>
            </ul>
            <p class="afi-text afi-text--small afi-text--suave">
                "Guarda o imprime tus documentos antes de finalizar: al finalizar, borramos tus datos de este navegador."
            </p>
            <p class="afi-actions">
                <button type="button" class="afi-button" on:click=finalizar>"Finalizar trámite"</button>
            </p>
        </div>
    }
    .into_any()
}
