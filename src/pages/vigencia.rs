//! Paso 2's trámite: the constancia de vigencia de derechos (IMSS-02-020-B). CURP, NSS, correo twice and the
//! CAPTCHA, then whether the student has the right to medical service, with the constancia.

use super::{rutas, use_pasos, use_tramite, Migas};
use crate::api;
use crate::components::captcha::{CampoCaptcha, Reto};
use crate::components::documentos::Documentos;
use crate::components::error_summary::ErrorSummary;
use crate::components::field::{Field, Teclado};
use crate::components::persona::{AvisoFormulario, CamposPersona, Mensajes};
use crate::components::stepper::Stepper;
use crate::components::{enfocar_titulo, titulo, Anuncios, Progreso};
use crate::ruta;
use crate::state::errores::Campo;
use crate::state::inicio::CAPTCHA;
use crate::state::vigencia::{Pasos, CAMPOS, NSS};
use afiliate_domain::api::{
    EstadoVigencia, MotivoSinDerecho, ResultadoVigencia, SolicitudVigencia,
};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

/// The procedure's name in the breadcrumb.
pub const TRAMITE: &str = "Constancia de vigencia de derechos";
/// Two steps: the data, then the constancia.
pub const PASOS_VIGENCIA: [&str; 2] = ["Ingresar datos", "Obtener constancia"];
const PROCESANDO: &str = super::nss_inicio::PROCESANDO;
const TECLADO_NSS: Teclado = Teclado::numerico("off", 13);

#[component]
pub fn VigenciaInicioPage() -> impl IntoView {
    let pasos = use_pasos();
    let tramite = use_tramite();
    // Arriving from Paso 1: CURP, NSS and correo are already known (only empty fields are filled).
    tramite.with_untracked(|t| pasos.update(|p| p.desde_tramite(t)));
    let navigate = use_navigate();
    let anuncios = Anuncios::usar();
    let mensajes = Mensajes::new(&CAMPOS);
    let reto = Reto::nuevo();

    let solicitud =
        Action::new_local(|s: &SolicitudVigencia| api::backend().solicitar_vigencia(s.clone()));
    let enviando = solicitud.pending();

    enfocar_titulo();
    Effect::new(move |_| {
        titulo(
            "Solicitud de constancia de vigencia de derechos",
            mensajes.con_resumen(),
        )
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if enviando.get_untracked() {
            return;
        }
        let datos = pasos.with_untracked(|p| p.vigencia.clone());
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

    let resultado = solicitud.value();
    Effect::new(move |_| {
        let Some(r) = resultado.get() else { return };
        match r {
            Ok(r) => {
                pasos.update(|p| p.resultado = Some(r));
                navigate(rutas::VIGENCIA_RESULTADO, Default::default());
            }
            Err(e) => {
                reto.tras_falla(&e);
                mensajes.del_servidor(&e);
            }
        }
    });

    let datos = Signal::derive(move || pasos.with(|p| p.vigencia.persona.clone()));
    let cambiar = Callback::new(move |(campo, v): (Campo, String)| {
        pasos.update(|p| p.vigencia.set(campo, v))
    });
    let salir_nss = Callback::new(move |_| {
        let (mensaje, vacio) = pasos.with_untracked(|p| {
            (
                p.vigencia.validate_field(NSS),
                p.vigencia.nss.trim().is_empty(),
            )
        });
        mensajes.al_salir(NSS, mensaje, vacio);
    });

    view! {
        <div class="afi-container afi-container--narrow">
            <Migas tramite=TRAMITE/>
            <Stepper pasos=&PASOS_VIGENCIA actual=0/>
            <h1 class="afi-title" tabindex="-1">"Solicitud de constancia de vigencia de derechos"</h1>
            <ErrorSummary errores=mensajes.resumen/>
            <p class="afi-text">"Para realizar este trámite, debes tener a la mano:"</p>
            <ul class="afi-list">
                <li>"CURP"</li>
                <li>"NSS (Número de Seguridad Social)"</li>
                <li>"Correo electrónico válido, el cual será asociado a tu CURP"</li>
            </ul>
            <form class="afi-card" novalidate on:submit=on_submit>
                <p class="afi-text afi-text--suave afi-text--small">"Todos los campos son obligatorios."</p>
                <CamposPersona
                    datos=datos
                    cambiar=cambiar
                    mensajes=mensajes
                    hint_correo="Ahí te enviaremos tu constancia."
                >
                    <Field
                        id=NSS.id
                        label="NSS (Número de Seguridad Social)"
                        hint="11 números, por ejemplo: 12345678901"
                        teclado=TECLADO_NSS
                        value=Signal::derive(move || pasos.with(|p| p.vigencia.nss.clone()))
                        on_input=Callback::new(move |v: String| pasos.update(|p| p.vigencia.nss = v))
                        on_blur=salir_nss
                        error=mensajes.de(NSS)
                        input_class="afi-field__input--nss"
                    >
                        <p class="afi-field__suggestion">
                            <A href=ruta(rutas::INICIO) attr:class="afi-link">
                                "¿No te sabes tu NSS? Consúltalo aquí."
                            </A>
                        </p>
                    </Field>
                </CamposPersona>
                <CampoCaptcha reto=reto error=mensajes.de(CAPTCHA)/>
                <button type="submit" class="afi-button" aria-disabled=move || enviando.get().then_some("true")>
                    "Continuar"
                </button>
                {move || enviando.get().then(|| view! { <Progreso texto=PROCESANDO/> })}
                <AvisoFormulario/>
            </form>
        </div>
    }
}

/// What to do when the constancia says NO, by reason.
fn que_hacer(motivo: Option<MotivoSinDerecho>, hasta: Option<&str>) -> (&'static str, String) {
    let fecha = hasta.unwrap_or("");
    match motivo {
        Some(MotivoSinDerecho::BajaEscolar) => (
            "Tu escuela te dio de baja del seguro facultativo.",
            [
                "Tu derecho terminó el ",
                fecha,
                ". Si sigues estudiando ahí, pide en servicios escolares que te inscriban de nuevo al IMSS con tu NSS.",
            ]
            .concat(),
        ),
        Some(MotivoSinDerecho::PeriodoVencido) => (
            "Tu inscripción terminó y tu escuela aún no la renueva.",
            [
                "Tu derecho terminó el ",
                fecha,
                ". Pide en servicios escolares que te inscriban en el periodo actual. Cuando lo hagan, vuelve a consultar tu constancia.",
            ]
            .concat(),
        ),
        _ => (
            "Tu escuela todavía no te inscribe al IMSS.",
            "Acude a servicios escolares de tu escuela con tu NSS y pide que te den de alta en el seguro facultativo. Cuando lo hagan, vuelve a consultar tu constancia: puede tardar unos días."
                .to_string(),
        ),
    }
}

/// One row of the data list.
#[component]
fn Dato(clave: &'static str, valor: String) -> impl IntoView {
    view! {
        <div class="afi-datos__row">
            <dt class="afi-datos__key">{clave}</dt>
            <dd class="afi-datos__value">{valor}</dd>
        </div>
    }
}

#[component]
pub fn VigenciaResultadoPage() -> impl IntoView {
    let pasos = use_pasos();
    let Some(r) = pasos.with_untracked(|p| p.resultado.clone()) else {
        return view! { <SinConstancia/> }.into_any();
    };
    let navigate = use_navigate();
    let vigente = r.resultado == EstadoVigencia::Vigente;
    let (titulo_panel, clase_panel) = if vigente {
        ("SÍ tienes derecho al servicio médico del IMSS", "afi-panel")
    } else {
        (
            "NO tienes derecho al servicio médico por ahora",
            "afi-panel afi-panel--no",
        )
    };
    titulo("Constancia de vigencia de derechos", false);
    enfocar_titulo();
    Anuncios::usar().anunciar(titulo_panel);
    let correo = pasos.with_untracked(|p| p.vigencia.persona.correo.trim().to_ascii_lowercase());
    let finalizar = move |_| {
        pasos.update(|p| {
            let codigo_postal = std::mem::take(&mut p.codigo_postal);
            *p = Pasos {
                codigo_postal,
                ..Pasos::default()
            };
        });
        navigate("/", Default::default());
    };
    let ResultadoVigencia {
        motivo,
        nombre,
        curp,
        nss,
        tipo_asegurado,
        escuela,
        umf,
        vigente_desde,
        vigente_hasta,
        documentos,
        ..
    } = r;
    let periodo = match (&vigente_desde, &vigente_hasta) {
        (Some(d), Some(h)) => Some(["Del ", d, " al ", h].concat()),
        _ => None,
    };
    let aviso = (!vigente).then(|| {
        let (titulo, texto) = que_hacer(motivo, vigente_hasta.as_deref());
        view! {
            <div class="afi-alert afi-alert--info" data-testid="que-hacer">
                <h2 class="afi-alert__title">{titulo}</h2>
                <p class="afi-alert__text">{texto}</p>
            </div>
        }
    });
    view! {
        <div class="afi-container afi-container--narrow">
            <Migas tramite=TRAMITE/>
            <Stepper pasos=&PASOS_VIGENCIA actual=1/>
            <section class=clase_panel aria-labelledby="afi-resultado-titulo">
                <h1 id="afi-resultado-titulo" class="afi-panel__title" tabindex="-1" data-testid="vigencia">
                    {titulo_panel}
                </h1>
                <p class="afi-panel__label">{tipo_asegurado.clone()}</p>
            </section>
            {aviso}
            <dl class="afi-datos">
                <Dato clave="Nombre" valor=nombre/>
                <Dato clave="CURP" valor=curp/>
                <Dato clave="NSS" valor=nss/>
                <Dato clave="Tipo de asegurado" valor=tipo_asegurado/>
                {escuela.map(|e| view! {
                    <Dato clave="Escuela" valor=[e.nombre.as_str(), " (", e.cct.as_str(), ")"].concat()/>
                    <Dato clave="Registro patronal" valor=e.registro_patronal/>
                })}
                {periodo.map(|p| view! { <Dato clave="Vigencia" valor=p/> })}
                <Dato
                    clave="Clínica (UMF)"
                    valor=umf
                        .map(|u| [u.nombre.as_str(), ". ", u.domicilio.as_str()].concat())
                        .unwrap_or_else(|| "Aún no tienes una clínica registrada. Búscala en el Paso 3.".into())
                />
            </dl>
            <div class="afi-alert">
                <p class="afi-alert__title">"Tu constancia de vigencia de derechos ha sido enviada a tu correo electrónico."</p>
                <p class="afi-alert__text">
                    {(!correo.is_empty()).then(|| view! { "La enviamos a " <strong>{correo}</strong> ". " })}
                    "Si no la ves en unos minutos, revisa tu carpeta de correo no deseado (spam), o reenvíala desde aquí."
                </p>
            </div>
            <Documentos documentos=documentos/>
            <h2 class="afi-heading">"¿Qué sigue?"</h2>
            <p class="afi-text">
                {if vigente {
                    "Regístrate en tu clínica (Unidad de Medicina Familiar) con tu constancia: así podrás pedir cita con tu médico familiar."
                } else {
                    "Cuando tu escuela te inscriba, regístrate en tu clínica (Unidad de Medicina Familiar). Ya puedes buscar cuál te corresponde."
                }}
            </p>
            <p class="afi-actions">
                <A href=ruta(rutas::PASO_3) attr:class="afi-button">"Ir al Paso 3: tu clínica"</A>
                <button type="button" class="afi-button afi-button--secondary" on:click=finalizar>
                    "Finalizar trámite"
                </button>
            </p>
            <p class="afi-text afi-text--small afi-text--suave">
                "Guarda o imprime tu constancia antes de finalizar: al finalizar, borramos tus datos de este navegador."
            </p>
        </div>
    }
    .into_any()
}

/// The result page opened without a constancia (a bookmark, or after finishing).
#[component]
fn SinConstancia() -> impl IntoView {
    titulo("Solicita tu constancia", false);
    enfocar_titulo();
    view! {
        <div class="afi-container afi-container--narrow">
            <Migas tramite=TRAMITE/>
            <h1 class="afi-title" tabindex="-1">"Primero solicita tu constancia"</h1>
            <p class="afi-text">"Para ver tu constancia de vigencia de derechos, escribe tu CURP, tu NSS y tu correo electrónico."</p>
            <p class="afi-actions">
                <A href=ruta(rutas::VIGENCIA) attr:class="afi-button">"Solicitar constancia"</A>
            </p>
        </div>
    }
}
