//! The designer preview (cargo feature `preview`, never in the release build): the app on an in-browser mock
//! server ([`simulado::Simulado`], the same [`crate::api::Backend`] as the real one), a scenario switcher, and
//! the gallery of every screen in every state at `/galeria`.
//!
//! The URL says the state, so a link reproduces it: `?escenario=renapo-caido` picks what the mock answers,
//! `&latencia=3g` how slowly, and `&preparar=resultado` what the student has done before this screen (see
//! [`escenarios::Preparar`]).

pub mod escenarios;
mod galeria;
pub mod simulado;

use crate::api;
use crate::state::domicilio::DatosDomicilio;
use crate::state::inicio::DatosInicio;
use crate::state::tramite::Tramite;
use crate::state::vigencia::{DatosVigencia, Pasos};
use escenarios::{Escenario, Latencia, Preparar};
use leptos::prelude::*;
use std::rc::Rc;
use wasm_bindgen::JsCast;

/// The text that marks the preview's code (the release build's test looks for it and must not find it).
pub const MARCA: &str = "Vista previa para diseño: datos ficticios";

const CLAVE_ESCENARIO: &str = "afiliate.preview.escenario";
const CLAVE_LATENCIA: &str = "afiliate.preview.latencia";

/// A query parameter of the page's URL.
fn parametro(nombre: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    search
        .trim_start_matches('?')
        .split('&')
        .filter_map(|par| par.split_once('='))
        .find(|(k, _)| *k == nombre)
        .map(|(_, v)| v.to_string())
}

fn sesion() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// The URL's value, else the one this tab used last (kept so the app's own navigation keeps the scenario).
fn elegido(nombre: &str, clave: &str) -> String {
    let s = sesion();
    match parametro(nombre) {
        Some(v) => {
            if let Some(s) = &s {
                let _ = s.set_item(clave, &v);
            }
            v
        }
        None => s
            .and_then(|s| s.get_item(clave).ok().flatten())
            .unwrap_or_default(),
    }
}

/// Starts the preview: the mock server, the state the URL asks for, then the app (or the gallery).
pub fn arrancar() {
    let escenario = Escenario::de(&elegido("escenario", CLAVE_ESCENARIO));
    let latencia = Latencia::de(&elegido("latencia", CLAVE_LATENCIA));
    api::install(Rc::new(simulado::Simulado::new(escenario, latencia)));
    let ruta = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    if ruta.trim_end_matches('/').ends_with("/galeria") {
        galeria::montar();
        return;
    }
    let preparar = Preparar::de(&parametro("preparar").unwrap_or_default());
    if parametro("preparar").is_some() {
        preparar_estado(preparar, escenario);
    }
    crate::mount();
    let en_marco = web_sys::window()
        .and_then(|w| w.frame_element().ok().flatten())
        .is_some();
    if !en_marco && parametro("panel").as_deref() != Some("no") {
        galeria::montar_panel(escenario, latencia);
    }
    if preparar == Preparar::Enviar {
        leptos::task::spawn_local(enviar_formulario());
    }
}

fn persona_inicio() -> DatosInicio {
    let p = simulado::persona();
    DatosInicio {
        curp: p.curp,
        correo: p.correo.into(),
        confirmacion: p.correo.into(),
    }
}

fn domicilio(escenario: Escenario) -> (DatosDomicilio, bool) {
    let manual = escenario == escenarios::CP_DESCONOCIDO;
    let d = DatosDomicilio {
        codigo_postal: if manual { "99999" } else { simulado::CP_DEMO }.into(),
        colonia: "Del Carmen".into(),
        calle: "Calle Ejemplo".into(),
        numero_exterior: "100".into(),
        numero_interior: String::new(),
        estado: if manual { "Ciudad de México" } else { "" }.into(),
        municipio: if manual { "Coyoacán" } else { "" }.into(),
    };
    (d, manual)
}

/// Saves what the student would have done before this screen (the app reads it as it starts).
fn preparar_estado(preparar: Preparar, escenario: Escenario) {
    let mut tramite = Tramite::default();
    let mut pasos = Pasos::default();
    let con_persona = !(preparar == Preparar::Enviar && escenario == escenarios::LOCALIZADO);
    if preparar != Preparar::Nada && con_persona {
        tramite.inicio = persona_inicio();
    }
    if matches!(
        preparar,
        Preparar::Solicitud | Preparar::Domicilio | Preparar::Resultado | Preparar::Enviar
    ) && con_persona
    {
        tramite.solicitud = Some(simulado::solicitud(escenario));
    }
    if matches!(
        preparar,
        Preparar::Domicilio | Preparar::Resultado | Preparar::Enviar
    ) && con_persona
    {
        let (d, manual) = domicilio(escenario);
        pasos.codigo_postal = d.codigo_postal.clone();
        tramite.domicilio = d;
        tramite.domicilio_manual = manual;
    }
    if preparar == Preparar::Resultado && escenario == escenarios::ASIGNADO {
        tramite.asignacion = Some(simulado::asignacion(escenario));
    }
    if matches!(preparar, Preparar::Constancia | Preparar::Enviar) && con_persona {
        pasos.vigencia = DatosVigencia {
            persona: persona_inicio(),
            nss: simulado::persona().nss,
        };
    }
    if preparar == Preparar::Constancia {
        pasos.resultado = Some(simulado::vigencia(escenario));
    }
    tramite.guardar();
    pasos.guardar();
}

/// Sends the screen's form once it is on screen with its CAPTCHA answered (after at most 5 s without an image,
/// as it is), to show the mock's answer.
async fn enviar_formulario() {
    for intento in 0..100 {
        let doc = document();
        let boton = doc
            .query_selector(".afi-app form button[type=submit]")
            .ok()
            .flatten();
        let captcha = doc
            .query_selector("#afi-captcha")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<web_sys::HtmlInputElement>().ok());
        let imagen = doc
            .query_selector(".afi-captcha__image")
            .ok()
            .flatten()
            .is_some();
        if let Some(boton) = boton {
            if captcha.is_none() || imagen || intento == 99 {
                if let (Some(input), true) = (captcha, imagen) {
                    input.set_value("AbC23x");
                    if let Ok(ev) = web_sys::Event::new("input") {
                        let _ = input.dispatch_event(&ev);
                    }
                }
                if let Ok(b) = boton.dyn_into::<web_sys::HtmlElement>() {
                    b.click();
                }
                return;
            }
        }
        esperar_ms(50).await;
    }
}

async fn esperar_ms(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
}
