//! The CAPTCHA field of every form that sends a solicitud: the image, "Cargar otra imagen", the same characters
//! spoken (WCAG 1.1.1: a second modality), and the answer's input.

use super::field::{describedby, FieldError};
use super::Anuncios;
use crate::api::{self, ApiError};
use crate::state::inicio::CAPTCHA;
use crate::state::Errores;
use afiliate_domain::api::CaptchaCreado;
use leptos::prelude::*;

/// Shown when the form is sent while no image is on screen.
pub const SIN_IMAGEN: &str = "No se pudo cargar la imagen. Usa el botón «Cargar otra imagen».";

/// The image's state.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Estado {
    Cargando,
    Lista(CaptchaCreado),
    Falla,
}

/// One form's CAPTCHA: the challenge on screen and what the student typed (never stored).
///
/// `POST /api/captcha` makes a challenge, so a new one is an action, not a read. Its flag says whether to
/// announce it (the student asked for another image).
#[derive(Clone, Copy)]
pub struct Reto {
    accion: Action<bool, (bool, Result<CaptchaCreado, ApiError>)>,
    pub respuesta: RwSignal<String>,
}

impl Reto {
    /// Call while the page is built: asks for the first challenge at once.
    pub fn nuevo() -> Reto {
        let anuncios = Anuncios::usar();
        let accion = Action::new_local(|anunciar: &bool| {
            let anunciar = *anunciar;
            async move { (anunciar, api::backend().nuevo_captcha().await) }
        });
        let reto = Reto {
            accion,
            respuesta: RwSignal::new(String::new()),
        };
        Effect::new(move |_| {
            if let (false, Some((true, Ok(_)))) = (accion.pending().get(), accion.value().get()) {
                anuncios.anunciar("Se cargó una nueva imagen.");
            }
        });
        accion.dispatch_local(false);
        reto
    }

    fn estado(&self) -> Estado {
        match (self.accion.pending().get(), self.accion.value().get()) {
            (true, _) | (false, None) => Estado::Cargando,
            (false, Some((_, Ok(c)))) => Estado::Lista(c),
            (false, Some((_, Err(_)))) => Estado::Falla,
        }
    }

    /// The id of the challenge on screen; none while a new one loads (a used one must not be answered again).
    pub fn id(&self) -> Option<String> {
        match (
            self.accion.pending().get_untracked(),
            self.accion.value().get_untracked(),
        ) {
            (false, Some((_, Ok(c)))) => Some(c.id),
            _ => None,
        }
    }

    /// The challenge to send with a solicitud; with no image on screen, an empty id and the field's message in
    /// `errores` (the form is not sent).
    pub fn id_o_falta(&self, errores: &mut Errores) -> String {
        self.id().unwrap_or_else(|| {
            errores.set(CAPTCHA, SIN_IMAGEN);
            String::new()
        })
    }

    /// After a failed solicitud: the server used the challenge up (single use), so a new image with an empty
    /// answer; without a connection the request may never have arrived, so the answer stays.
    pub fn tras_falla(&self, e: &ApiError) {
        if *e != ApiError::SinConexion {
            self.otro(false);
        }
    }

    /// The typed answer, trimmed.
    pub fn texto(&self) -> String {
        self.respuesta.with_untracked(|r| r.trim().to_string())
    }

    /// A new image with an empty answer: the student asked for one (`anunciar`), or the server used the
    /// challenge up (it is single use).
    pub fn otro(&self, anunciar: bool) {
        self.respuesta.set(String::new());
        self.accion.dispatch_local(anunciar);
    }
}

/// The field: label, hint, inline error, image with its refresh button, audio, and the input.
#[component]
pub fn CampoCaptcha(
    reto: Reto,
    /// The field's message (blur or submit), if any.
    #[prop(into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    let con_error = move || error.with(|e| e.is_some());
    let imagen = move || match reto.estado() {
        Estado::Lista(c) => view! {
            <img
                class="afi-captcha__image"
                src=crate::api::enlace(&c.imagen_url)
                alt="Imagen de verificación con los caracteres que debes escribir"
                width="220"
                height="80"
            />
        }
        .into_any(),
        Estado::Cargando => {
            view! { <span class="afi-captcha__placeholder">"Cargando imagen…"</span> }.into_any()
        }
        Estado::Falla => {
            view! { <span class="afi-captcha__placeholder">"No se pudo cargar la imagen."</span> }
                .into_any()
        }
    };
    view! {
        <div class=move || if con_error() { "afi-field afi-field--error" } else { "afi-field" }>
            <label class="afi-field__label" for=CAPTCHA.id>
                "Escribe los caracteres de la imagen"
            </label>
            <span id="afi-captcha-hint" class="afi-field__hint">"(Usa mayúsculas y minúsculas)"</span>
            <FieldError id=CAPTCHA.id error=error/>
            <div class="afi-captcha">
                {imagen}
                <button
                    type="button"
                    class="afi-button afi-button--secondary afi-button--small"
                    on:click=move |_| reto.otro(true)
                >
                    "Cargar otra imagen"
                </button>
            </div>
            // The same characters spoken, for people who cannot see the image.
            {move || match reto.estado() {
                Estado::Lista(c) => Some(view! {
                    <p id="afi-captcha-audio" class="afi-field__hint">
                        "¿No puedes ver la imagen? Escucha los caracteres:"
                    </p>
                    <audio
                        class="afi-captcha__audio"
                        controls
                        preload="none"
                        aria-labelledby="afi-captcha-audio"
                        src=crate::api::enlace(&c.audio_url)
                    ></audio>
                }),
                _ => None,
            }}
            <input
                id=CAPTCHA.id
                name=CAPTCHA.id
                class=move || {
                    if con_error() {
                        "afi-field__input afi-field__input--short afi-field__input--error"
                    } else {
                        "afi-field__input afi-field__input--short"
                    }
                }
                type="text"
                inputmode="text"
                autocomplete="off"
                autocapitalize="none"
                spellcheck="false"
                maxlength="10"
                aria-invalid=move || if con_error() { "true" } else { "false" }
                aria-describedby=move || describedby(CAPTCHA.id, true, con_error())
                prop:value=move || reto.respuesta.get()
                on:input=move |ev| reto.respuesta.set(event_target_value(&ev))
            />
        </div>
    }
}
