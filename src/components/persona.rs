//! What every solicitud form asks first (CURP, correo and its confirmation) and how a form shows its messages.

use super::enfocar;
use super::error_summary;
use super::field::{Field, Teclado};
use crate::api::ApiError;
use crate::state::errores::{Campo, GENERAL};
use crate::state::inicio::{DatosInicio, CONFIRMACION, CORREO, CURP};
use crate::state::Errores;
use leptos::prelude::*;

const TECLADO_CURP: Teclado = Teclado {
    autocapitalize: "characters",
    ..Teclado::texto("off", 24)
};
const TECLADO_CORREO: Teclado = Teclado::correo();

/// A form's messages: inline ones (as a field loses focus, and on submit) and the error summary (the last
/// submit only, as GOV.UK does), both in the order of the form's fields.
#[derive(Clone, Copy)]
pub struct Mensajes {
    pub errores: RwSignal<Errores>,
    pub resumen: RwSignal<Errores>,
    campos: &'static [Campo],
}

impl Mensajes {
    /// The messages of a form with these fields, in form order.
    pub fn new(campos: &'static [Campo]) -> Mensajes {
        Mensajes {
            errores: RwSignal::new(Errores::new()),
            resumen: RwSignal::new(Errores::new()),
            campos,
        }
    }

    /// The inline message of one field.
    pub fn de(&self, campo: Campo) -> Signal<Option<String>> {
        let errores = self.errores;
        Signal::derive(move || errores.with(|e| e.get(campo.clave).map(str::to_string)))
    }

    /// Whether the summary shows anything (the page title then starts with "Error: ").
    pub fn con_resumen(&self) -> bool {
        self.resumen.with(|e| !e.is_empty())
    }

    /// A field lost focus: its format message, or none. An empty field keeps whatever the last submit said.
    pub fn al_salir(&self, campo: Campo, mensaje: Option<&str>, vacio: bool) {
        let campos = self.campos;
        match mensaje {
            Some(m) => self.errores.update(|e| {
                e.set(campo, m);
                e.ordenar(campos);
            }),
            None if !vacio => self.errores.update(|e| e.remove(campo.clave)),
            None => {}
        }
    }

    /// Shows these messages inline and in the summary, and moves focus to the summary.
    pub fn mostrar(&self, mut errores: Errores) {
        errores.ordenar(self.campos);
        self.resumen.set(errores.clone());
        self.errores.set(errores);
        enfocar(error_summary::ID);
    }

    /// A failed request: the server's field messages on this form's fields, else its one message.
    pub fn del_servidor(&self, e: &ApiError) {
        let mut nuevos = e
            .errores()
            .map(|m| Errores::del_servidor(m, self.campos))
            .unwrap_or_default();
        if nuevos.is_empty() {
            nuevos.set(GENERAL, e.mensaje());
        }
        self.mostrar(nuevos);
    }

    /// Everything fine (the form is being sent).
    pub fn limpiar(&self) {
        self.resumen.set(Errores::new());
        self.errores.set(Errores::new());
    }

    /// Removes one field's message.
    pub fn quitar(&self, campo: Campo) {
        self.errores.update(|e| e.remove(campo.clave));
    }
}

/// CURP, then `children` (e.g. the NSS), then correo with "¿Quisiste decir …?" and its confirmation.
#[component]
pub fn CamposPersona(
    /// What the student typed.
    #[prop(into)]
    datos: Signal<DatosInicio>,
    /// Sets one field's value.
    cambiar: Callback<(Campo, String)>,
    mensajes: Mensajes,
    /// Why the e-mail is asked, under its label.
    hint_correo: &'static str,
    /// Fields between the CURP and the e-mail.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let sugerencia = RwSignal::new(None::<String>);
    let al_salir = move |campo: Campo| {
        Callback::new(move |_| {
            let (mensaje, vacio) = datos.with_untracked(|d| {
                let valor = match campo.clave {
                    "curp" => &d.curp,
                    "correo" => &d.correo,
                    _ => &d.confirmacion,
                };
                (d.validate_field(campo), valor.trim().is_empty())
            });
            mensajes.al_salir(campo, mensaje, vacio);
            if campo == CORREO {
                sugerencia.set(datos.with_untracked(|d| d.sugerencia_correo()));
            }
        })
    };
    let al_escribir = move |campo: Campo| Callback::new(move |v: String| cambiar.run((campo, v)));
    let normalizar_curp = Callback::new(move |_| {
        let (actual, normal) =
            datos.with_untracked(|d| (d.curp.clone(), afiliate_domain::Curp::normalize(&d.curp)));
        if normal != actual {
            cambiar.run((CURP, normal));
        }
        al_salir(CURP).run(());
    });
    view! {
        <Field
            id=CURP.id
            label="CURP"
            hint="18 letras y números, por ejemplo: PEMA050317MDFRRNA9"
            teclado=TECLADO_CURP
            value=Signal::derive(move || datos.with(|d| d.curp.clone()))
            on_input=al_escribir(CURP)
            on_blur=normalizar_curp
            error=mensajes.de(CURP)
            input_class="afi-field__input--curp"
        >
            <p class="afi-field__suggestion">
                <a class="afi-link" href="https://www.gob.mx/curp/" target="_blank" rel="external noopener">
                    "¿No te sabes tu CURP? Consúltala aquí."
                    <span class="afi-visually-hidden">" (se abre en otra pestaña)"</span>
                </a>
            </p>
        </Field>
        {children.map(|c| c())}
        <Field
            id=CORREO.id
            label="Correo electrónico"
            hint=hint_correo
            teclado=TECLADO_CORREO
            value=Signal::derive(move || datos.with(|d| d.correo.clone()))
            on_input=al_escribir(CORREO)
            on_blur=al_salir(CORREO)
            error=mensajes.de(CORREO)
        >
            {move || {
                sugerencia
                    .get()
                    .map(|s| {
                        let s2 = s.clone();
                        view! {
                            <p class="afi-field__suggestion" data-testid="sugerencia-correo">
                                "¿Quisiste decir "
                                <button
                                    type="button"
                                    class="afi-button afi-button--link"
                                    on:click=move |_| {
                                        cambiar.run((CORREO, s2.clone()));
                                        sugerencia.set(None);
                                        mensajes.quitar(CORREO);
                                        enfocar(CORREO.id);
                                    }
                                >
                                    {s}
                                </button>
                                "?"
                            </p>
                        }
                    })
            }}
        </Field>
        <Field
            id=CONFIRMACION.id
            label="Confirma tu correo electrónico"
            hint="Escríbelo otra vez (puedes pegarlo)."
            teclado=TECLADO_CORREO
            value=Signal::derive(move || datos.with(|d| d.confirmacion.clone()))
            on_input=al_escribir(CONFIRMACION)
            on_blur=al_salir(CONFIRMACION)
            error=mensajes.de(CONFIRMACION)
        />
    }
}

/// The line under every form that collects personal data.
#[component]
pub fn AvisoFormulario() -> impl IntoView {
    view! {
        <p class="afi-text afi-text--small afi-text--suave" data-testid="aviso-formulario">
            "Usamos tus datos solo para este trámite. Consulta el "
            <leptos_router::components::A href=crate::ruta(crate::pages::rutas::AVISO) attr:class="afi-link">
                "Aviso de privacidad"
            </leptos_router::components::A>
            "."
        </p>
    }
}
