//! Paso 3 "Regístrate en la Clínica que te corresponde": the Unidad de Medicina Familiar (UMF) of a postal code
//! (pre-filled from Paso 1's address), its address and hours, and how to register there (IMSS-02-066).

use super::{rutas, use_pasos, use_tramite, Migas};
use crate::api::{self, ApiError};
use crate::components::error_summary::ErrorSummary;
use crate::components::field::{Field, Teclado};
use crate::components::persona::Mensajes;
use crate::components::{enfocar_titulo, titulo, Anuncios, Progreso};
use crate::ruta;
use crate::state::vigencia::CODIGO_POSTAL;
use crate::state::Errores;
use afiliate_domain::api::{mensaje_sin_umf, Umf, UmfDeCodigoPostal};
use afiliate_domain::postal;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;

const CAMPOS: [crate::state::errores::Campo; 1] = [CODIGO_POSTAL];
const TECLADO_CP: Teclado = Teclado::numerico("postal-code", 5);
const BUSCANDO: &str = "Buscando tu clínica…";

/// What the search found: the clinics of a code, or that no clinic serves it.
#[derive(Clone, Debug, PartialEq)]
enum Hallazgo {
    Clinicas(UmfDeCodigoPostal),
    Ninguna(String),
}

/// One clinic: name, key, address, phone and hours.
#[component]
fn Clinica(umf: Umf) -> impl IntoView {
    let tel: String = umf.telefono.chars().filter(char::is_ascii_digit).collect();
    view! {
        <li class="afi-clinica" data-testid="umf">
            <h3 class="afi-clinica__nombre">{umf.nombre}</h3>
            <dl class="afi-datos afi-datos--compacto">
                <div class="afi-datos__row">
                    <dt class="afi-datos__key">"Clave"</dt>
                    <dd class="afi-datos__value">{umf.clave}</dd>
                </div>
                <div class="afi-datos__row">
                    <dt class="afi-datos__key">"Domicilio"</dt>
                    <dd class="afi-datos__value">{umf.domicilio}</dd>
                </div>
                <div class="afi-datos__row">
                    <dt class="afi-datos__key">"Teléfono"</dt>
                    <dd class="afi-datos__value">
                        <a class="afi-link" href=["tel:", tel.as_str()].concat()>{umf.telefono}</a>
                    </dd>
                </div>
                <div class="afi-datos__row">
                    <dt class="afi-datos__key">"Horario"</dt>
                    <dd class="afi-datos__value">{umf.horario}</dd>
                </div>
            </dl>
        </li>
    }
}

#[component]
pub fn Paso3Page() -> impl IntoView {
    let pasos = use_pasos();
    let tramite = use_tramite();
    tramite.with_untracked(|t| pasos.update(|p| p.desde_tramite(t)));
    let anuncios = Anuncios::usar();
    let mensajes = Mensajes::new(&CAMPOS);
    titulo("Paso 3: Regístrate en la Clínica que te corresponde", false);
    enfocar_titulo();
    Effect::new(move |_| {
        titulo(
            "Paso 3: Regístrate en la Clínica que te corresponde",
            mensajes.con_resumen(),
        )
    });

    let busqueda = Action::new_local(|cp: &String| {
        let cp = cp.clone();
        async move { (cp.clone(), api::backend().umf_de_cp(cp).await) }
    });
    let buscando = busqueda.pending();
    let hallazgo = RwSignal::new(None::<Hallazgo>);
    let buscar = move || {
        if buscando.get_untracked() {
            return;
        }
        let cp = match pasos.with_untracked(|p| postal::codigo_postal_valido(&p.codigo_postal)) {
            Ok(cp) => cp,
            Err(e) => {
                let mut errores = Errores::new();
                errores.set(CODIGO_POSTAL, afiliate_domain::ErrorDeDominio::message(&e));
                mensajes.mostrar(errores);
                return;
            }
        };
        mensajes.limpiar();
        hallazgo.set(None);
        anuncios.anunciar(BUSCANDO);
        busqueda.dispatch_local(cp);
    };
    let respuesta = busqueda.value();
    Effect::new(move |_| {
        let Some((cp, r)) = respuesta.get() else {
            return;
        };
        match r {
            Ok(u) => {
                let n = u.umf.len();
                anuncios.anunciar(if n == 1 {
                    ["Encontramos tu clínica para el código postal ", &cp, "."].concat()
                } else {
                    [
                        "Encontramos ",
                        &n.to_string(),
                        " clínicas para el código postal ",
                        &cp,
                        ".",
                    ]
                    .concat()
                });
                hallazgo.set(Some(Hallazgo::Clinicas(u)));
            }
            // 404: no clinic of the catalog serves that code (not a mistake of the student).
            Err(ApiError::Problema(p)) if p.status == 404 => {
                let mensaje = mensaje_sin_umf(&cp);
                anuncios.anunciar(mensaje.clone());
                hallazgo.set(Some(Hallazgo::Ninguna(mensaje)));
            }
            Err(e) => mensajes.del_servidor(&e),
        }
    });
    // A postal code known from Paso 1 is searched at once.
    if pasos.with_untracked(|p| postal::codigo_postal_valido(&p.codigo_postal).is_ok()) {
        buscar();
    }

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        buscar();
    };
    let constancia = pasos.with_untracked(|p| {
        p.resultado
            .as_ref()
            .and_then(|r| r.documentos.first().map(|d| crate::api::enlace(&d.ver_url)))
    });

    let resultado = move || {
        hallazgo.get().map(|h| match h {
            Hallazgo::Clinicas(u) => {
                let titulo = if u.umf.len() == 1 {
                    ["Tu clínica para el código postal ", &u.codigo_postal].concat()
                } else {
                    ["Clínicas para el código postal ", &u.codigo_postal].concat()
                };
                view! {
                    <section class="afi-card" aria-labelledby="afi-umf-titulo" data-testid="clinicas">
                        <h2 id="afi-umf-titulo" class="afi-heading">{titulo}</h2>
                        <ul class="afi-clinicas">
                            {u.umf.into_iter().map(|umf| view! { <Clinica umf=umf/> }).collect_view()}
                        </ul>
                    </section>
                }
                .into_any()
            }
            Hallazgo::Ninguna(m) => view! {
                <div class="afi-alert afi-alert--info" data-testid="sin-umf">
                    <p class="afi-alert__title">{m}</p>
                    <p class="afi-alert__text">
                        "Revisa que sea el código postal de tu domicilio. Si lo es, acude a la subdelegación del IMSS más cercana o llama al 800 623 2323 para que te digan cuál es tu clínica."
                    </p>
                </div>
            }
            .into_any(),
        })
    };

    view! {
        <div class="afi-container afi-container--narrow">
            <Migas tramite="Paso 3"/>
            <h1 class="afi-title" tabindex="-1">"Paso 3: Regístrate en la Clínica que te corresponde"</h1>
            <ErrorSummary errores=mensajes.resumen/>
            <p class="afi-text">
                "Tu clínica es la Unidad de Medicina Familiar (UMF) que atiende el código postal de tu domicilio. Ahí tendrás tu médico familiar."
            </p>
            <form class="afi-card" novalidate on:submit=on_submit>
                <Field
                    id=CODIGO_POSTAL.id
                    label="Código postal de tu domicilio"
                    hint="5 números, por ejemplo: 04000"
                    teclado=TECLADO_CP
                    value=Signal::derive(move || pasos.with(|p| p.codigo_postal.clone()))
                    on_input=Callback::new(move |v: String| pasos.update(|p| p.codigo_postal = v))
                    error=mensajes.de(CODIGO_POSTAL)
                    input_class="afi-field__input--short"
                />
                <button type="submit" class="afi-button" aria-disabled=move || buscando.get().then_some("true")>
                    "Buscar mi clínica"
                </button>
                {move || buscando.get().then(|| view! { <Progreso texto=BUSCANDO/> })}
            </form>
            {resultado}
            <h2 class="afi-heading">"Cómo registrarte en tu clínica"</h2>
            <p class="afi-text">
                "Acude al módulo de Afiliación y Vigencia de tu clínica, de lunes a viernes, con:"
            </p>
            <ul class="afi-list">
                <li>"Tu CURP."</li>
                <li>"Una identificación oficial con fotografía o tu credencial de estudiante."</li>
                <li>"Un comprobante de domicilio reciente."</li>
                <li>"Una fotografía tamaño infantil."</li>
                <li>"Tu constancia de vigencia de derechos (Paso 2), impresa o en tu celular."</li>
            </ul>
            <p class="afi-text">
                "También puedes darte de alta sin ir a la clínica, desde la app IMSS Digital (opción «Alta en clínica»)."
            </p>
            <p class="afi-actions">
                {match constancia {
                    Some(url) => view! {
                        <a class="afi-button afi-button--secondary" href=url target="_blank" rel="external noopener">
                            "Imprimir mi constancia"
                            <span class="afi-visually-hidden">" (se abre en otra pestaña)"</span>
                        </a>
                    }
                    .into_any(),
                    None => view! {
                        <A href=ruta(rutas::VIGENCIA) attr:class="afi-button afi-button--secondary">
                            "Obtener mi constancia"
                        </A>
                    }
                    .into_any(),
                }}
                <A href=ruta("/") attr:class="afi-button afi-button--secondary">"Volver al inicio"</A>
            </p>
        </div>
    }
}
