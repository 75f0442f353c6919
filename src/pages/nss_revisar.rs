//! "Revisa tus datos": check the answers before the assignment (irreversible), with "Cambiar" links; then
//! the assignment itself.

use super::{rutas, use_tramite, Encabezado, SinDatos};
use crate::api::{self, ApiError};
use crate::components::error_summary::{self, ErrorSummary};
use crate::components::stepper::{Stepper, PASOS_ASIGNACION};
use crate::components::Progreso;
use crate::components::{enfocar, enfocar_titulo, titulo, Anuncios};
use crate::ruta;
use crate::state::errores::GENERAL;
use crate::state::Errores;
use afiliate_domain::api::AsignacionNss;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use std::time::Duration;

pub const TARDA: &str =
    "Este proceso puede tardar algunos minutos, no cierre ni refresque la ventana.";
const ASIGNANDO: &str = "Estamos asignando tu Número de Seguridad Social…";
const TITULO: &str = "Revisa tus datos: Asignación o localización de NSS";
/// After this long without an answer, say it may take a while.
const ESPERA_LARGA: Duration = Duration::from_secs(3);

#[component]
fn Fila(
    clave: &'static str,
    valor: String,
    #[prop(optional)] cambiar: Option<(&'static str, &'static str)>,
) -> impl IntoView {
    view! {
        <div class="afi-datos__row">
            <dt class="afi-datos__key">{clave}</dt>
            <dd class="afi-datos__value">{valor}</dd>
            {cambiar.map(|(href, que)| view! {
                <dd class="afi-datos__action">
                    <A href=ruta(href) attr:class="afi-link">
                        "Cambiar"
                        <span class="afi-visually-hidden">{que}</span>
                    </A>
                </dd>
            })}
        </div>
    }
}

#[component]
pub fn NssRevisarPage() -> impl IntoView {
    let tramite = use_tramite();
    let Some(persona) = tramite.with_untracked(|t| t.sin_nss()) else {
        return view! { <SinDatos/> }.into_any();
    };
    let navigate = use_navigate();
    let anuncios = Anuncios::usar();
    let errores = RwSignal::new(Errores::new());
    let lento = RwSignal::new(false);
    let reiniciar = RwSignal::new(false);
    enfocar_titulo();
    Effect::new(move |_| titulo(TITULO, errores.with(|e| !e.is_empty())));

    let (d, manual, correo) = tramite.with_untracked(|t| {
        (
            t.domicilio.clone(),
            t.domicilio_manual,
            t.inicio.correo.clone(),
        )
    });
    let token = persona.token.clone();
    let peticion = AsignacionNss {
        token,
        domicilio: d.to_api(manual),
    };

    let asignacion = Action::new_local(|a: &AsignacionNss| api::backend().asignar_nss(a.clone()));
    let enviando = asignacion.pending();
    // "Puede tardar" after a few seconds without an answer; the timer dies with the page.
    let temporizador = StoredValue::new(None::<TimeoutHandle>);
    let parar = move || {
        if let Some(Some(t)) = temporizador.try_update_value(|t| t.take()) {
            t.clear();
        }
    };
    on_cleanup(parar);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        // The button stays focusable while it works (aria-disabled): a repeated press does nothing.
        if enviando.get_untracked() {
            return;
        }
        errores.set(Errores::new());
        reiniciar.set(false);
        lento.set(false);
        anuncios.anunciar(ASIGNANDO);
        asignacion.dispatch_local(peticion.clone());
        parar();
        let t = set_timeout_with_handle(move || lento.set(true), ESPERA_LARGA).ok();
        temporizador.set_value(t);
    };

    let resultado = asignacion.value();
    Effect::new(move |_| {
        let Some(r) = resultado.get() else { return };
        parar();
        lento.set(false);
        match r {
            Ok(r) => {
                tramite.update(|t| t.asignacion = Some(r));
                navigate(rutas::RESULTADO, Default::default());
            }
            Err(e) => {
                let mut nuevos = e
                    .errores()
                    .map(|m| Errores::del_servidor(m, &[]))
                    .unwrap_or_default();
                if nuevos.is_empty() {
                    nuevos.set(GENERAL, e.mensaje());
                }
                // Address problems are fixed on the address page; anything else about the request
                // (an expired session) needs step 1 again. Without a connection: retry here.
                let de_domicilio = e
                    .errores()
                    .is_some_and(|m| m.keys().any(|k| k.starts_with("domicilio")));
                reiniciar.set(!de_domicilio && matches!(e, ApiError::Problema(_)));
                errores.set(nuevos);
                enfocar(error_summary::ID);
            }
        }
    });

    let interior = if d.numero_interior.trim().is_empty() {
        String::from("(sin número interior)")
    } else {
        d.numero_interior.clone()
    };
    view! {
        <div class="afi-container afi-container--narrow">
            <Encabezado/>
            <Stepper pasos=&PASOS_ASIGNACION actual=1/>
            <h1 class="afi-title" tabindex="-1">"Revisa tus datos"</h1>
            <ErrorSummary errores=errores/>
            {move || reiniciar.get().then(|| view! {
                <p class="afi-text">
                    <A href=ruta(rutas::INICIO) attr:class="afi-link">"Volver a iniciar el trámite"</A>
                </p>
            })}
            <p class="afi-text">"Con estos datos se te asignará tu Número de Seguridad Social. Revisa que sean correctos."</p>
            <h2 class="afi-subheading">"Tus datos"</h2>
            <dl class="afi-datos">
                <Fila clave="Nombre" valor=persona.nombre/>
                <Fila clave="CURP" valor=persona.curp/>
                <Fila clave="Correo electrónico" valor=correo cambiar=(rutas::INICIO, " correo electrónico")/>
            </dl>
            <h2 class="afi-subheading">"Tu domicilio"</h2>
            <dl class="afi-datos">
                <Fila clave="Código postal" valor=d.codigo_postal.clone() cambiar=(rutas::DOMICILIO, " código postal")/>
                <Fila clave="Estado" valor=d.estado.clone()/>
                <Fila clave="Municipio o alcaldía" valor=d.municipio.clone()/>
                <Fila clave="Colonia" valor=d.colonia.clone() cambiar=(rutas::DOMICILIO, " colonia")/>
                <Fila clave="Calle" valor=d.calle.clone() cambiar=(rutas::DOMICILIO, " calle")/>
                <Fila clave="Número exterior" valor=d.numero_exterior.clone() cambiar=(rutas::DOMICILIO, " número exterior")/>
                <Fila clave="Número interior" valor=interior cambiar=(rutas::DOMICILIO, " número interior")/>
            </dl>
            <form novalidate on:submit=on_submit>
                <button type="submit" class="afi-button" aria-disabled=move || enviando.get().then_some("true")>
                    "Continuar"
                </button>
                {move || enviando.get().then(|| view! {
                    <Progreso texto=ASIGNANDO/>
                })}
                {move || lento.get().then(|| view! {
                    <div class="afi-alert afi-alert--info" data-testid="tarda">
                        <p class="afi-alert__text">{TARDA}</p>
                    </div>
                })}
            </form>
        </div>
    }
    .into_any()
}
