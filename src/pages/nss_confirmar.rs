//! With e-mail confirmation (the server's `AFILIATE_CONFIRMAR_CORREO`): "revisa tu correo" after Paso 1's form,
//! and the page the e-mail's link opens, which exchanges the link's token for the result.

use super::{rutas, use_tramite, Encabezado, SinDatos};
use crate::api;
use crate::components::{enfocar_titulo, titulo, Progreso};
use crate::ruta;
use afiliate_domain::api::{ConfirmacionCorreo, ResultadoSolicitud};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

/// "Revisa tu correo": where the link went, and what to do if it does not arrive.
#[component]
pub fn NssCorreoPage() -> impl IntoView {
    let tramite = use_tramite();
    let correo = tramite.with_untracked(|t| match &t.solicitud {
        Some(ResultadoSolicitud::RevisaTuCorreo { correo }) => Some(correo.clone()),
        _ => None,
    });
    let Some(correo) = correo else {
        return view! { <SinDatos/> }.into_any();
    };
    titulo("Revisa tu correo", false);
    enfocar_titulo();
    view! {
        <div class="afi-container afi-container--narrow">
            <Encabezado/>
            <h1 class="afi-title" tabindex="-1">"Revisa tu correo"</h1>
            <div class="afi-alert">
                <p class="afi-alert__text">
                    "Te enviamos un enlace a " <strong>{correo}</strong>
                    ". Ábrelo hoy mismo, en este o en otro dispositivo, para ver el resultado de tu solicitud. El enlace sirve una sola vez."
                </p>
            </div>
            <p class="afi-text">
                "¿No te llegó en unos minutos? Revisa la carpeta de correo no deseado. Si no está, revisa que hayas escrito bien tu correo y vuelve a iniciar el trámite."
            </p>
            <p class="afi-actions">
                <A href=ruta(rutas::INICIO) attr:class="afi-button afi-button--secondary">"Volver a iniciar el trámite"</A>
            </p>
        </div>
    }
    .into_any()
}

/// The link's token, from the address's fragment (`#t=…`): a fragment never reaches a server nor a Referer.
fn token_del_enlace() -> Option<String> {
    let hash = web_sys::window()?.location().hash().ok()?;
    let token = hash.strip_prefix("#t=")?.trim();
    (!token.is_empty()).then(|| token.to_string())
}

/// The e-mail's link: opens the result (found NSS, or on to the address) once; a used or old link says so.
#[component]
pub fn NssConfirmarPage() -> impl IntoView {
    let tramite = use_tramite();
    let navigate = use_navigate();
    let token = token_del_enlace();
    let confirmar = Action::new_local(|t: &String| {
        api::backend().confirmar_correo(ConfirmacionCorreo { token: t.clone() })
    });
    let error = RwSignal::new(token.is_none().then(|| {
        "Al enlace le falta una parte. Ábrelo desde el correo que te enviamos, o cópialo completo en tu navegador."
            .to_string()
    }));
    if let Some(t) = token {
        confirmar.dispatch_local(t);
    }
    let resultado = confirmar.value();
    Effect::new(move |_| {
        let Some(r) = resultado.get() else { return };
        match r {
            Ok(r) => {
                let destino = super::nss_inicio::guardar_solicitud(tramite, r);
                // The link's page (and its token) does not stay in the history.
                // `use_navigate` resolves the path under the router's base itself (embedded mode).
                navigate(
                    destino,
                    NavigateOptions {
                        replace: true,
                        ..Default::default()
                    },
                );
            }
            Err(e) => error.set(Some(e.mensaje().to_string())),
        }
    });
    Effect::new(move |_| {
        if error.with(Option::is_some) {
            titulo("Enlace no válido", false);
            enfocar_titulo();
        } else {
            titulo("Abriendo tu resultado", false);
        }
    });
    view! {
        <div class="afi-container afi-container--narrow">
            <Encabezado/>
            {move || match error.get() {
                Some(mensaje) => view! {
                    <h1 class="afi-title" tabindex="-1">"Enlace no válido"</h1>
                    <div class="afi-alert afi-alert--error" role="alert">
                        <p class="afi-alert__text">{mensaje}</p>
                    </div>
                    <p class="afi-actions">
                        <A href=ruta(rutas::INICIO) attr:class="afi-button">"Iniciar trámite"</A>
                    </p>
                }
                .into_any(),
                None => view! {
                    <h1 class="afi-title" tabindex="-1">"Abriendo tu resultado"</h1>
                    <Progreso texto="Abriendo el resultado de tu solicitud… espera un momento."/>
                }
                .into_any(),
            }}
        </div>
    }
}
