//! Paso 1 "Iniciar trámite": CURP, correo, confirmación and the CAPTCHA.

use super::{rutas, use_tramite, Encabezado};
use crate::api;
use crate::components::captcha::{CampoCaptcha, Reto};
use crate::components::error_summary::ErrorSummary;
use crate::components::persona::{AvisoFormulario, CamposPersona, Mensajes};
use crate::components::stepper::{Stepper, PASOS_ASIGNACION};
use crate::components::Progreso;
use crate::components::{enfocar_titulo, titulo, Anuncios};
use crate::state::errores::Campo;
use crate::state::inicio::{self, CAMPOS};
use afiliate_domain::api::{ResultadoSolicitud, SolicitudNss};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

pub const PROCESANDO: &str = "Su petición se está procesando... espere un momento.";
const TITULO: &str = "Iniciar trámite: Asignación o localización de NSS";

/// Keeps Paso 1's answer in the trámite (forgetting an earlier assignment) and answers the step it leads to: the
/// result, the address, or "revisa tu correo". The form and the e-mail's confirmation link both end here.
pub fn guardar_solicitud(
    tramite: RwSignal<crate::state::tramite::Tramite>,
    r: ResultadoSolicitud,
) -> &'static str {
    let destino = match r {
        ResultadoSolicitud::Localizado { .. } => rutas::RESULTADO,
        ResultadoSolicitud::SinNss { .. } => rutas::DOMICILIO,
        ResultadoSolicitud::RevisaTuCorreo { .. } => rutas::CORREO,
    };
    tramite.update(|t| {
        t.solicitud = Some(r);
        t.asignacion = None;
    });
    destino
}

#[component]
pub fn NssInicioPage() -> impl IntoView {
    let tramite = use_tramite();
    let navigate = use_navigate();
    let anuncios = Anuncios::usar();
    let mensajes = Mensajes::new(&CAMPOS);
    let reto = Reto::nuevo();

    let solicitud = Action::new_local(|s: &SolicitudNss| api::backend().solicitar_nss(s.clone()));
    let enviando = solicitud.pending();

    enfocar_titulo();
    Effect::new(move |_| titulo(TITULO, mensajes.con_resumen()));

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        // The button stays focusable while a request runs (aria-disabled): a second press does nothing.
        if enviando.get_untracked() {
            return;
        }
        let datos = tramite.with_untracked(|t| t.inicio.clone());
        let texto_captcha = reto.texto();
        let mut nuevos = datos.validate(&texto_captcha);
        let captcha_id = reto.id_o_falta(&mut nuevos);
        if !nuevos.is_empty() {
            mensajes.mostrar(nuevos);
            return;
        }
        mensajes.limpiar();
        anuncios.anunciar(PROCESANDO);
        solicitud.dispatch_local(datos.solicitud(&captcha_id, &texto_captcha));
    };

    // The answer (this effect belongs to the page: an answer that arrives after the student left is dropped).
    let resultado = solicitud.value();
    Effect::new(move |_| {
        let Some(r) = resultado.get() else { return };
        match r {
            Ok(r) => navigate(guardar_solicitud(tramite, r), Default::default()),
            Err(e) => {
                reto.tras_falla(&e);
                mensajes.del_servidor(&e);
            }
        }
    });

    let cambiar = Callback::new(move |(campo, v): (Campo, String)| {
        tramite.update(|t| t.inicio.set(campo, v))
    });

    view! {
        <div class="afi-container afi-container--narrow">
            <Encabezado/>
            <Stepper pasos=&PASOS_ASIGNACION actual=0/>
            <h1 class="afi-title" tabindex="-1">"Obtén o localiza tu Número de Seguridad Social"</h1>
            <ErrorSummary errores=mensajes.resumen/>
            <p class="afi-text">
                "Para realizar la consulta o asignación de tu Número de Seguridad Social (NSS), debes tener a la mano:"
            </p>
            <ul class="afi-list">
                <li>"CURP"</li>
                <li>"Correo electrónico válido, el cual será asociado a tu CURP"</li>
            </ul>
            <form class="afi-card" novalidate on:submit=on_submit>
                <p class="afi-text afi-text--suave afi-text--small">"Todos los campos son obligatorios."</p>
                <CamposPersona
                    datos=Signal::derive(move || tramite.with(|t| t.inicio.clone()))
                    cambiar=cambiar
                    mensajes=mensajes
                    hint_correo="Ahí te enviaremos tu NSS y tus documentos."
                />
                <CampoCaptcha reto=reto error=mensajes.de(inicio::CAPTCHA)/>
                <button type="submit" class="afi-button" aria-disabled=move || enviando.get().then_some("true")>
                    "Continuar"
                </button>
                {move || enviando.get().then(|| view! {
                    <Progreso texto=PROCESANDO/>
                })}
                <AvisoFormulario/>
            </form>
        </div>
    }
}
