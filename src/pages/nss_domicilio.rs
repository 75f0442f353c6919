//! Paso 2 "Ingresar domicilio": when no NSS was found, the address for the assignment.

use super::{rutas, use_tramite, Encabezado, SinDatos};
use crate::components::cp_lookup::CodigoPostalLookup;
use crate::components::error_summary::{self, ErrorSummary};
use crate::components::field::{Field, Teclado};
use crate::components::stepper::{Stepper, PASOS_ASIGNACION};
use crate::components::{enfocar, enfocar_titulo, titulo};
use crate::state::domicilio::{self, ConsultaCp, CAMPOS};
use crate::state::errores::Campo;
use crate::state::Errores;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

pub const NO_ENCONTRADO: &str = "No se encontró un número asociado a tu CURP, se te asignará uno.";
const CALLE: Teclado = Teclado {
    autocapitalize: "words",
    ..Teclado::texto("address-line1", 100)
};
// Numbers may have letters ("12-B", "SN"): a text keyboard, not a numeric one.
const NUMERO: Teclado = Teclado {
    autocapitalize: "characters",
    ..Teclado::texto("off", 20)
};
const TITULO: &str = "Ingresar domicilio: Asignación o localización de NSS";

#[component]
pub fn NssDomicilioPage() -> impl IntoView {
    let tramite = use_tramite();
    let Some(persona) = tramite.with_untracked(|t| t.sin_nss()) else {
        return view! { <SinDatos/> }.into_any();
    };
    let navigate = use_navigate();
    // Inline messages (blur and submit) and the summary (the last submit only).
    let errores = RwSignal::new(Errores::new());
    let resumen = RwSignal::new(Errores::new());
    let consulta = RwSignal::new(ConsultaCp::Vacia);
    // The form edits a copy; every change goes back to the trámite (and so to sessionStorage).
    let datos = RwSignal::new(tramite.with_untracked(|t| t.domicilio.clone()));
    Effect::new(move |_| {
        let d = datos.get();
        tramite.update(|t| {
            if t.domicilio != d {
                t.domicilio = d;
            }
        });
    });

    enfocar_titulo();
    Effect::new(move |_| titulo(TITULO, resumen.with(|e| !e.is_empty())));

    let error = move |campo: Campo| {
        Signal::derive(move || errores.with(|e| e.get(campo.clave).map(str::to_string)))
    };
    let texto = move |campo: Campo, f: fn(&mut domicilio::DatosDomicilio, String)| {
        Callback::new(move |v: String| {
            datos.update(|d| f(d, v));
            errores.update(|e| e.remove(campo.clave));
        })
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let c = consulta.get_untracked();
        let mut nuevos = datos.with_untracked(|d| d.validate(&c));
        if !nuevos.is_empty() {
            nuevos.ordenar(&CAMPOS);
            resumen.set(nuevos.clone());
            errores.set(nuevos);
            enfocar(error_summary::ID);
            return;
        }
        resumen.set(Errores::new());
        errores.set(Errores::new());
        if let ConsultaCp::Encontrado(e) = &c {
            // For "Revisa tus datos": the names from the catalog.
            datos.update(|d| {
                d.estado = e.estado.clone();
                d.municipio = e.municipio.clone();
            });
        }
        let manual = c.manual();
        tramite.update(|t| t.domicilio_manual = manual);
        navigate(rutas::REVISAR, Default::default());
    };

    view! {
        <div class="afi-container afi-container--narrow">
            <Encabezado/>
            <Stepper pasos=&PASOS_ASIGNACION actual=1/>
            <h1 class="afi-title" tabindex="-1">"Ingresa tu domicilio"</h1>
            <ErrorSummary errores=resumen/>
            <div class="afi-alert afi-alert--info">
                <p class="afi-alert__text" data-testid="sin-nss">{NO_ENCONTRADO}</p>
            </div>
            <dl class="afi-datos">
                <div class="afi-datos__row">
                    <dt class="afi-datos__key">"Nombre"</dt>
                    <dd class="afi-datos__value">{persona.nombre}</dd>
                </div>
                <div class="afi-datos__row">
                    <dt class="afi-datos__key">"CURP"</dt>
                    <dd class="afi-datos__value">{persona.curp}</dd>
                </div>
            </dl>
            <form class="afi-card" novalidate on:submit=on_submit>
                <p class="afi-text afi-text--suave afi-text--small">
                    "Escribe el domicilio donde vives. Todos los campos son obligatorios, salvo los que dicen (opcional)."
                </p>
                <CodigoPostalLookup domicilio=datos consulta=consulta errores=errores/>
                <Field
                    id=domicilio::CALLE.id
                    label="Calle"
                    teclado=CALLE
                    value=Signal::derive(move || datos.with(|d| d.calle.clone()))
                    on_input=texto(domicilio::CALLE, |d, v| d.calle = v)
                    error=error(domicilio::CALLE)
                />
                <div class="afi-row">
                    <Field
                        id=domicilio::NUMERO_EXTERIOR.id
                        label="Número exterior"
                        hint="Si no tiene, escribe SN."
                        teclado=NUMERO
                        value=Signal::derive(move || datos.with(|d| d.numero_exterior.clone()))
                        on_input=texto(domicilio::NUMERO_EXTERIOR, |d, v| d.numero_exterior = v)
                        error=error(domicilio::NUMERO_EXTERIOR)
                    />
                    <Field
                        id=domicilio::NUMERO_INTERIOR.id
                        label="Número interior (opcional)"
                        hint="Departamento, piso o local."
                        teclado=NUMERO
                        value=Signal::derive(move || datos.with(|d| d.numero_interior.clone()))
                        on_input=texto(domicilio::NUMERO_INTERIOR, |d, v| d.numero_interior = v)
                        error=error(domicilio::NUMERO_INTERIOR)
                    />
                </div>
                <button type="submit" class="afi-button">"Continuar"</button>
                <crate::components::persona::AvisoFormulario/>
            </form>
        </div>
    }
    .into_any()
}
