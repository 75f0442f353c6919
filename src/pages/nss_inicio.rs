//! Paso 1 "Iniciar trámite": CURP, correo, confirmación and the CAPTCHA.

use super::{rutas, use_tramite, Encabezado};
use crate::api::{self, ApiError};
use crate::components::error_summary::{self, ErrorSummary};
use crate::components::field::{describedby, Field, FieldError, Teclado};
use crate::components::stepper::{Stepper, PASOS_ASIGNACION};
use crate::components::Progreso;
use crate::components::{enfocar, enfocar_titulo, titulo, Anuncios};
use crate::state::errores::{Campo, GENERAL};
use crate::state::inicio::{self, CAMPOS};
use crate::state::Errores;
use afiliate_domain::api::{CaptchaCreado, ResultadoSolicitud, SolicitudNss};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

pub const PROCESANDO: &str = "Su petición se está procesando... espere un momento.";
const SIN_IMAGEN: &str = "No se pudo cargar la imagen. Usa el botón «Cargar otra imagen».";
const TECLADO_CURP: Teclado = Teclado {
    autocapitalize: "characters",
    ..Teclado::texto("off", 24)
};
const TECLADO_CORREO: Teclado = Teclado::correo();
const TITULO: &str = "Iniciar trámite: Asignación o localización de NSS";

/// The CAPTCHA image's state.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Captcha {
    Cargando,
    Lista(CaptchaCreado),
    Falla,
}

/// A new CAPTCHA challenge (`POST /api/captcha` makes one: an action, not a read). The flag says whether to
/// announce it (the student asked for another image).
fn nueva_captcha() -> Action<bool, (bool, Result<CaptchaCreado, ApiError>)> {
    Action::new_local(|anunciar: &bool| {
        let anunciar = *anunciar;
        async move { (anunciar, api::backend().nuevo_captcha().await) }
    })
}

#[component]
pub fn NssInicioPage() -> impl IntoView {
    let tramite = use_tramite();
    let navigate = use_navigate();
    let anuncios = Anuncios::usar();
    // Inline messages (blur and submit) and the summary (the last submit only, as GOV.UK does).
    let errores = RwSignal::new(Errores::new());
    let resumen = RwSignal::new(Errores::new());
    let respuesta = RwSignal::new(String::new());
    let sugerencia = RwSignal::new(None::<String>);

    let captcha = nueva_captcha();
    let captcha_valor = captcha.value();
    let captcha_pendiente = captcha.pending();
    // The challenge on screen: none while a new one loads (a used one must not be answered again).
    let reto = Memo::new(
        move |_| match (captcha_pendiente.get(), captcha_valor.get()) {
            (false, Some((_, Ok(c)))) => Some(c),
            _ => None,
        },
    );
    let estado_captcha = move || match (captcha_pendiente.get(), captcha_valor.get()) {
        (true, _) | (false, None) => Captcha::Cargando,
        (false, Some((_, Ok(c)))) => Captcha::Lista(c),
        (false, Some((_, Err(_)))) => Captcha::Falla,
    };
    Effect::new(move |_| {
        if let (false, Some((true, Ok(_)))) = (captcha_pendiente.get(), captcha_valor.get()) {
            anuncios.anunciar("Se cargó una nueva imagen.");
        }
    });
    captcha.dispatch_local(false);

    let solicitud = Action::new_local(|s: &SolicitudNss| api::backend().solicitar_nss(s.clone()));
    let enviando = solicitud.pending();

    enfocar_titulo();
    Effect::new(move |_| titulo(TITULO, resumen.with(|e| !e.is_empty())));

    let error = move |campo: Campo| {
        Signal::derive(move || errores.with(|e| e.get(campo.clave).map(str::to_string)))
    };
    // Format checks as a field loses focus; an empty field keeps whatever the last submit said.
    let al_salir = move |campo: Campo| {
        Callback::new(move |_| {
            let (mensaje, vacio) = tramite.with_untracked(|t| {
                let valor = match campo.clave {
                    "curp" => &t.inicio.curp,
                    "correo" => &t.inicio.correo,
                    _ => &t.inicio.confirmacion,
                };
                (t.inicio.validate_field(campo), valor.trim().is_empty())
            });
            match mensaje {
                Some(m) => errores.update(|e| {
                    e.set(campo, m);
                    e.ordenar(&CAMPOS);
                }),
                None if !vacio => errores.update(|e| e.remove(campo.clave)),
                None => {}
            }
            if campo == inicio::CORREO {
                sugerencia.set(tramite.with_untracked(|t| t.inicio.sugerencia_correo()));
            }
        })
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        // The button stays focusable while a request runs (aria-disabled): a second press does nothing.
        if enviando.get_untracked() {
            return;
        }
        let datos = tramite.with_untracked(|t| t.inicio.clone());
        let texto_captcha = respuesta.get_untracked();
        let mut nuevos = datos.validate(&texto_captcha);
        let captcha_id = match reto.get_untracked() {
            Some(c) => c.id,
            None => {
                nuevos.set(inicio::CAPTCHA, SIN_IMAGEN);
                String::new()
            }
        };
        if !nuevos.is_empty() {
            resumen.set(nuevos.clone());
            errores.set(nuevos);
            enfocar(error_summary::ID);
            return;
        }
        resumen.set(Errores::new());
        errores.set(Errores::new());
        anuncios.anunciar(PROCESANDO);
        solicitud.dispatch_local(datos.solicitud(&captcha_id, &texto_captcha));
    };

    // The answer (this effect belongs to the page: an answer that arrives after the student left is dropped).
    let resultado = solicitud.value();
    Effect::new(move |_| {
        let Some(r) = resultado.get() else { return };
        match r {
            Ok(r) => {
                let destino = match r {
                    ResultadoSolicitud::Localizado { .. } => rutas::RESULTADO,
                    ResultadoSolicitud::SinNss { .. } => rutas::DOMICILIO,
                };
                tramite.update(|t| {
                    t.solicitud = Some(r);
                    t.asignacion = None;
                });
                navigate(destino, Default::default());
            }
            Err(e) => {
                let mut nuevos = e
                    .errores()
                    .map(|m| Errores::del_servidor(m, &CAMPOS))
                    .unwrap_or_default();
                if nuevos.is_empty() {
                    nuevos.set(GENERAL, e.mensaje());
                }
                // The server used the CAPTCHA up (single use): a new image, everything else kept.
                // Without a connection the request may never have arrived, so the answer stays.
                if e != ApiError::SinConexion {
                    respuesta.set(String::new());
                    captcha.dispatch_local(false);
                }
                resumen.set(nuevos.clone());
                errores.set(nuevos);
                enfocar(error_summary::ID);
            }
        }
    });

    let campo_texto = move |f: fn(&mut crate::state::tramite::Tramite, String)| {
        Callback::new(move |v: String| tramite.update(|t| f(t, v)))
    };

    let err_captcha = error(inicio::CAPTCHA);
    let captcha_con_error = move || err_captcha.with(|e| e.is_some());
    let imagen = move || match estado_captcha() {
        Captcha::Lista(c) => view! {
            <img
                class="afi-captcha__image"
                src=c.imagen_url
                alt="Imagen de verificación con los caracteres que debes escribir"
                width="200"
                height="70"
            />
        }
        .into_any(),
        Captcha::Cargando => {
            view! { <span class="afi-captcha__placeholder">"Cargando imagen…"</span> }.into_any()
        }
        Captcha::Falla => {
            view! { <span class="afi-captcha__placeholder">"No se pudo cargar la imagen."</span> }
                .into_any()
        }
    };

    view! {
        <div class="afi-container afi-container--narrow">
            <Encabezado/>
            <Stepper pasos=&PASOS_ASIGNACION actual=0/>
            <h1 class="afi-title" tabindex="-1">"Obtén o localiza tu Número de Seguridad Social"</h1>
            <ErrorSummary errores=resumen/>
            <p class="afi-text">
                "Para realizar la consulta o asignación de tu Número de Seguridad Social (NSS), debes tener a la mano:"
            </p>
            <ul class="afi-list">
                <li>"CURP"</li>
                <li>"Correo electrónico válido, el cual será asociado a tu CURP"</li>
            </ul>
            <form class="afi-card" novalidate on:submit=on_submit>
                <p class="afi-text afi-text--suave afi-text--small">"Todos los campos son obligatorios."</p>
                <Field
                    id=inicio::CURP.id
                    label="CURP"
                    hint="18 letras y números, por ejemplo: PEMA050317MDFRRNA9"
                    teclado=TECLADO_CURP
                    value=Signal::derive(move || tramite.with(|t| t.inicio.curp.clone()))
                    on_input=campo_texto(|t, v| t.inicio.curp = v)
                    on_blur=Callback::new(move |_| {
                        tramite.update(|t| {
                            let n = afiliate_domain::Curp::normalize(&t.inicio.curp);
                            if n != t.inicio.curp {
                                t.inicio.curp = n;
                            }
                        });
                        al_salir(inicio::CURP).run(());
                    })
                    error=error(inicio::CURP)
                    input_class="afi-field__input--curp"
                >
                    <p class="afi-field__suggestion">
                        <a class="afi-link" href="https://www.gob.mx/curp/" target="_blank" rel="external noopener">
                            "¿No te sabes tu CURP? Consúltala aquí."
                            <span class="afi-visually-hidden">" (se abre en otra pestaña)"</span>
                        </a>
                    </p>
                </Field>
                <Field
                    id=inicio::CORREO.id
                    label="Correo electrónico"
                    hint="Ahí te enviaremos tu NSS y tus documentos."
                    teclado=TECLADO_CORREO
                    value=Signal::derive(move || tramite.with(|t| t.inicio.correo.clone()))
                    on_input=campo_texto(|t, v| t.inicio.correo = v)
                    on_blur=al_salir(inicio::CORREO)
                    error=error(inicio::CORREO)
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
                                                let s = s2.clone();
                                                tramite.update(|t| t.inicio.correo = s);
                                                sugerencia.set(None);
                                                errores.update(|e| e.remove(inicio::CORREO.clave));
                                                enfocar(inicio::CORREO.id);
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
                    id=inicio::CONFIRMACION.id
                    label="Confirma tu correo electrónico"
                    hint="Escríbelo otra vez (puedes pegarlo)."
                    teclado=TECLADO_CORREO
                    value=Signal::derive(move || tramite.with(|t| t.inicio.confirmacion.clone()))
                    on_input=campo_texto(|t, v| t.inicio.confirmacion = v)
                    on_blur=al_salir(inicio::CONFIRMACION)
                    error=error(inicio::CONFIRMACION)
                />
                <div class=move || if captcha_con_error() { "afi-field afi-field--error" } else { "afi-field" }>
                    <label class="afi-field__label" for=inicio::CAPTCHA.id>
                        "Escribe los caracteres de la imagen"
                    </label>
                    <span id="afi-captcha-hint" class="afi-field__hint">"(Usa mayúsculas y minúsculas)"</span>
                    <FieldError id=inicio::CAPTCHA.id error=err_captcha/>
                    <div class="afi-captcha">
                        {imagen}
                        <button
                            type="button"
                            class="afi-button afi-button--secondary afi-button--small"
                            on:click=move |_| {
                                respuesta.set(String::new());
                                captcha.dispatch_local(true);
                            }
                        >
                            "Cargar otra imagen"
                        </button>
                    </div>
                    // The same characters spoken, for people who cannot see the image.
                    {move || match estado_captcha() {
                        Captcha::Lista(c) => Some(view! {
                            <p id="afi-captcha-audio" class="afi-field__hint">
                                "¿No puedes ver la imagen? Escucha los caracteres:"
                            </p>
                            <audio
                                class="afi-captcha__audio"
                                controls
                                preload="none"
                                aria-labelledby="afi-captcha-audio"
                                src=c.audio_url
                            ></audio>
                        }),
                        _ => None,
                    }}
                    <input
                        id=inicio::CAPTCHA.id
                        name=inicio::CAPTCHA.id
                        class=move || {
                            if captcha_con_error() {
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
                        aria-invalid=move || if captcha_con_error() { "true" } else { "false" }
                        aria-describedby=move || describedby(inicio::CAPTCHA.id, true, captcha_con_error())
                        prop:value=move || respuesta.get()
                        on:input=move |ev| respuesta.set(event_target_value(&ev))
                    />
                </div>
                <button type="submit" class="afi-button" aria-disabled=move || enviando.get().then_some("true")>
                    "Continuar"
                </button>
                {move || enviando.get().then(|| view! {
                    <Progreso texto=PROCESANDO/>
                })}
            </form>
        </div>
    }
}
