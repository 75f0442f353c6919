//! Paso 1 "Iniciar trámite": CURP, correo, confirmación and the CAPTCHA.

use super::{encabezado, rutas, use_tramite};
use crate::api::{self, ApiError};
use crate::components::error_summary::{self, error_summary};
use crate::components::field::{describedby, field, field_error, Field, Teclado};
use crate::components::stepper::{stepper, PASOS_ASIGNACION};
use crate::components::{anunciar, enfocar, enfocar_titulo, titulo};
use crate::dom::prelude::*;
use crate::dom::{
    self, attr, attr_r, attr_si, clase_si, efecto, el, el_texto, html, on, valor_de, valor_r,
};
use crate::router::use_navegador;
use crate::state::errores::{Campo, GENERAL};
use crate::state::inicio::{self, CAMPOS};
use crate::state::Errores;
use afiliate_domain::api::{CaptchaCreado, ResultadoSolicitud};
use web_sys::{Element, Event};

pub const PROCESANDO: &str = "Su petición se está procesando... espere un momento.";
const SIN_IMAGEN: &str = "No se pudo cargar la imagen. Usa el botón «Cargar otra imagen».";
const TECLADO_CURP: Teclado = Teclado {
    autocapitalize: "characters",
    ..Teclado::texto("off", "24")
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

fn cargar_captcha(captcha: RwSignal<Captcha>, anunciar_nueva: bool) {
    captcha.set(Captcha::Cargando);
    spawn_local(async move {
        match api::backend().nuevo_captcha().await {
            Ok(c) => {
                captcha.set(Captcha::Lista(c));
                if anunciar_nueva {
                    anunciar("Se cargó una nueva imagen.");
                }
            }
            Err(_) => captcha.set(Captcha::Falla),
        }
    });
}

pub fn nss_inicio_page(padre: &Element) {
    let tramite = use_tramite();
    let navegador = use_navegador();
    // Inline messages (blur and submit) and the summary (the last submit only, as GOV.UK does).
    let errores = RwSignal::new(Errores::new());
    let resumen = RwSignal::new(Errores::new());
    let captcha = RwSignal::new(Captcha::Cargando);
    let respuesta = RwSignal::new(String::new());
    let enviando = RwSignal::new(false);
    let sugerencia = RwSignal::new(None::<String>);

    enfocar_titulo();
    efecto(move || titulo(TITULO, resumen.with(|e| !e.is_empty())));
    cargar_captcha(captcha, false);

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

    let on_submit = move |ev: Event| {
        ev.prevent_default();
        if enviando.get_untracked() {
            return;
        }
        let datos = tramite.with_untracked(|t| t.inicio.clone());
        let texto_captcha = respuesta.get_untracked();
        let mut nuevos = datos.validate(&texto_captcha);
        let captcha_id = match captcha.get_untracked() {
            Captcha::Lista(c) => c.id,
            _ => {
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
        enviando.set(true);
        anunciar(PROCESANDO);
        let solicitud = datos.solicitud(&captcha_id, &texto_captcha);
        spawn_local(async move {
            let resultado = api::backend().solicitar_nss(solicitud).await;
            enviando.set(false);
            match resultado {
                Ok(r) => {
                    let destino = match r {
                        ResultadoSolicitud::Localizado { .. } => rutas::RESULTADO,
                        ResultadoSolicitud::SinNss { .. } => rutas::DOMICILIO,
                    };
                    tramite.update(|t| {
                        t.solicitud = Some(r);
                        t.asignacion = None;
                    });
                    navegador.ir(destino);
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
                    // Without a connection the request never arrived, so the answer stays.
                    if e != ApiError::SinConexion {
                        respuesta.set(String::new());
                        cargar_captcha(captcha, false);
                    }
                    resumen.set(nuevos.clone());
                    errores.set(nuevos);
                    enfocar(error_summary::ID);
                }
            }
        });
    };

    let campo_texto = move |f: fn(&mut crate::state::tramite::Tramite, String)| {
        Callback::new(move |v: String| tramite.update(|t| f(t, v)))
    };
    let valor = move |f: fn(&crate::state::tramite::Tramite) -> &String| {
        Signal::derive(move || tramite.with(|t| f(t).clone()))
    };

    let err_captcha = error(inicio::CAPTCHA);
    let captcha_con_error = move || err_captcha.with(|e| e.is_some());

    let c = el(padre, "div", "afi-container afi-container--narrow");
    encabezado(&c);
    stepper(&c, &PASOS_ASIGNACION, 0);
    html(
        &c,
        "<h1 class=\"afi-title\" tabindex=\"-1\">Obtén o localiza tu Número de Seguridad Social</h1>",
    );
    error_summary(&c, resumen);
    html(
        &c,
        "<p class=\"afi-text\">Para realizar la consulta o asignación de tu Número de Seguridad Social (NSS), \
         debes tener a la mano:</p>\
         <ul class=\"afi-list\"><li>CURP</li>\
         <li>Correo electrónico válido, el cual será asociado a tu CURP</li></ul>",
    );
    let form = el(&c, "form", "afi-card");
    attr(&form, "novalidate", "");
    on(&form, "submit", on_submit);
    html(
        &form,
        "<p class=\"afi-text afi-text--suave afi-text--small\">Todos los campos son obligatorios.</p>",
    );
    field(
        &form,
        Field {
            id: inicio::CURP.id,
            label: "CURP",
            hint: Some("18 letras y números, por ejemplo: PEMA050317MDFRRNA9"),
            teclado: TECLADO_CURP,
            value: valor(|t| &t.inicio.curp),
            on_input: campo_texto(|t, v| t.inicio.curp = v),
            on_blur: Some(Callback::new(move |_| {
                tramite.update(|t| {
                    let n = afiliate_domain::Curp::normalize(&t.inicio.curp);
                    if n != t.inicio.curp {
                        t.inicio.curp = n;
                    }
                });
                al_salir(inicio::CURP).run(());
            })),
            error: error(inicio::CURP),
            input_class: "afi-field__input--curp",
        },
        Some(&|g: &Element| {
            html(
                g,
                "<p class=\"afi-field__suggestion\">\
                 <a class=\"afi-link\" href=\"https://www.gob.mx/curp/\" target=\"_blank\" rel=\"external noopener\">\
                 ¿No te sabes tu CURP? Consúltala aquí.\
                 <span class=\"afi-visually-hidden\"> (se abre en otra pestaña)</span></a></p>",
            )
        }),
    );
    field(
        &form,
        Field {
            id: inicio::CORREO.id,
            label: "Correo electrónico",
            hint: Some("Ahí te enviaremos tu NSS y tus documentos."),
            teclado: TECLADO_CORREO,
            value: valor(|t| &t.inicio.correo),
            on_input: campo_texto(|t, v| t.inicio.correo = v),
            on_blur: Some(al_salir(inicio::CORREO)),
            error: error(inicio::CORREO),
            input_class: "",
        },
        Some(&move |g: &Element| {
            dom::region(g, move |r| {
                let Some(s) = sugerencia.get() else { return };
                let p = el(r, "p", "afi-field__suggestion");
                attr(&p, "data-testid", "sugerencia-correo");
                dom::texto(&p, "¿Quisiste decir ");
                let texto = s.clone();
                dom::boton(&p, "afi-button afi-button--link", &texto, move |_| {
                    let s = s.clone();
                    tramite.update(|t| t.inicio.correo = s);
                    sugerencia.set(None);
                    errores.update(|e| e.remove(inicio::CORREO.clave));
                    enfocar(inicio::CORREO.id);
                });
                dom::texto(&p, "?");
            })
        }),
    );
    field(
        &form,
        Field {
            id: inicio::CONFIRMACION.id,
            label: "Confirma tu correo electrónico",
            hint: Some("Escríbelo otra vez (puedes pegarlo)."),
            teclado: TECLADO_CORREO,
            value: valor(|t| &t.inicio.confirmacion),
            on_input: campo_texto(|t, v| t.inicio.confirmacion = v),
            on_blur: Some(al_salir(inicio::CONFIRMACION)),
            error: error(inicio::CONFIRMACION),
            input_class: "",
        },
        None,
    );

    // The CAPTCHA: its image with a button for a new one, the case hint, the answer.
    let grupo = el(&form, "div", "afi-field");
    clase_si(&grupo, "afi-field--error", captcha_con_error);
    let l = el_texto(
        &grupo,
        "label",
        "afi-field__label",
        "Escribe los caracteres de la imagen",
    );
    attr(&l, "for", inicio::CAPTCHA.id);
    html(
        &grupo,
        "<span id=\"afi-captcha-hint\" class=\"afi-field__hint\">(Usa mayúsculas y minúsculas)</span>",
    );
    field_error(&grupo, inicio::CAPTCHA.id, err_captcha);
    let caja = el(&grupo, "div", "afi-captcha");
    dom::region(&caja, move |r| match captcha.get() {
        Captcha::Lista(c) => {
            let img = el(r, "img", "afi-captcha__image");
            attr(&img, "src", &c.imagen_url);
            attr(
                &img,
                "alt",
                "Imagen de verificación con los caracteres que debes escribir",
            );
            attr(&img, "width", "200");
            attr(&img, "height", "70");
        }
        Captcha::Cargando => {
            el_texto(r, "span", "afi-captcha__placeholder", "Cargando imagen…");
        }
        Captcha::Falla => {
            el_texto(
                r,
                "span",
                "afi-captcha__placeholder",
                "No se pudo cargar la imagen.",
            );
        }
    });
    dom::boton(
        &caja,
        "afi-button afi-button--secondary afi-button--small",
        "Cargar otra imagen",
        move |_| {
            respuesta.set(String::new());
            cargar_captcha(captcha, true);
        },
    );
    // The same characters spoken, for people who cannot see the image.
    dom::region(&grupo, move |r| {
        if let Captcha::Lista(c) = captcha.get() {
            html(
                r,
                "<p id=\"afi-captcha-audio\" class=\"afi-field__hint\">¿No puedes ver la imagen? Escucha los caracteres:</p>",
            );
            let audio = el(r, "audio", "afi-captcha__audio");
            for (k, v) in [
                ("controls", ""),
                ("preload", "none"),
                ("aria-labelledby", "afi-captcha-audio"),
                ("src", &c.audio_url),
            ] {
                attr(&audio, k, v);
            }
        }
    });
    let input = el(&grupo, "input", "afi-field__input afi-field__input--short");
    clase_si(&input, "afi-field__input--error", captcha_con_error);
    for (k, v) in [
        ("id", inicio::CAPTCHA.id),
        ("name", inicio::CAPTCHA.id),
        ("type", "text"),
        ("inputmode", "text"),
        ("autocomplete", "off"),
        ("autocapitalize", "none"),
        ("spellcheck", "false"),
        ("maxlength", "10"),
    ] {
        attr(&input, k, v);
    }
    dom::aria_invalid(&input, captcha_con_error);
    attr_r(&input, "aria-describedby", move || {
        describedby(inicio::CAPTCHA.id, true, captcha_con_error())
    });
    valor_r(&input, move || respuesta.get());
    on(&input, "input", move |ev| respuesta.set(valor_de(&ev)));

    let enviar = el_texto(&form, "button", "afi-button", "Continuar");
    attr(&enviar, "type", "submit");
    attr_si(&enviar, "disabled", move || enviando.get());
    dom::region(&form, move |r| {
        if enviando.get() {
            html(
                r,
                "<p class=\"afi-progress\"><span class=\"afi-progress__spinner\" aria-hidden=\"true\"></span>\
                 Su petición se está procesando... espere un momento.</p>",
            );
        }
    });
}
