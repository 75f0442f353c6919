//! Código postal → estado, municipio and the colonia list, from the static catalog shards (no API round trip);
//! a manual fallback when the code is not in the catalog.

use super::field::{FieldError, Teclado};
use super::Progreso;
use super::{concat, Anuncios};
use crate::components::field::Field;
use crate::state::domicilio::{self, consultar_cp, ConsultaCp, DatosDomicilio};
use crate::state::Errores;
use afiliate_domain::postal;
use leptos::prelude::*;

const NO_ENCONTRADO: &str =
    "No encontramos este código postal en el catálogo de SEPOMEX. Revisa que esté bien escrito, o escribe tu estado, municipio o alcaldía y colonia.";
const MUNICIPIO: Teclado = Teclado {
    autocapitalize: "words",
    ..Teclado::texto("address-level2", 100)
};
const COLONIA: Teclado = Teclado {
    autocapitalize: "words",
    ..Teclado::texto("address-level3", 100)
};
const FALLA: &str =
    "No pudimos consultar tu código postal. Revisa tu conexión a internet e inténtalo de nuevo.";

/// What the student is told when a lookup ends.
fn anuncio(consulta: &ConsultaCp) -> Option<String> {
    match consulta {
        ConsultaCp::Encontrado(e) => Some(
            [
                "Código postal encontrado: ",
                &e.municipio,
                ", ",
                &e.estado,
                ".",
            ]
            .concat(),
        ),
        ConsultaCp::NoEncontrado => Some(NO_ENCONTRADO.to_string()),
        ConsultaCp::Falla => Some(FALLA.to_string()),
        _ => None,
    }
}

/// The postal-code part of the address form: the code, then estado and municipio (filled from the catalog or,
/// for an unknown code, typed), then the colonia (a list of that code's settlements, or typed).
#[component]
pub fn CodigoPostalLookup(
    /// The address being typed.
    domicilio: RwSignal<DatosDomicilio>,
    /// What the lookup found (the page validates with it).
    consulta: RwSignal<ConsultaCp>,
    /// The form's errors.
    errores: RwSignal<Errores>,
) -> impl IntoView {
    let anuncios = Anuncios::usar();
    // The code as typed, trimmed: the lookup follows it (also right after a reload restored it). A signal
    // written only when the code changes, not a Memo: an AsyncDerived whose Memo source was already brought up
    // to date by another reader sees no change and would not fetch again.
    let cp = RwSignal::new(domicilio.with_untracked(|d| d.codigo_postal.trim().to_string()));
    Effect::new(move |_| {
        let nuevo = domicilio.with(|d| d.codigo_postal.trim().to_string());
        if cp.with_untracked(|c| *c != nuevo) {
            cp.set(nuevo);
        }
    });
    // The shard read (a LocalResource: it belongs to this component, and an answer that arrives after the
    // student left the page lands nowhere).
    let busqueda = LocalResource::new(move || {
        let cp = cp.get();
        async move {
            let r = if postal::codigo_postal_valido(&cp).is_ok() {
                consultar_cp(&cp).await
            } else {
                ConsultaCp::Vacia
            };
            (cp, r)
        }
    });
    // A new valid code is being looked up.
    Effect::new(move |_| {
        let valido = cp.with(|cp| postal::codigo_postal_valido(cp).is_ok());
        consulta.set(if valido {
            ConsultaCp::Buscando
        } else {
            ConsultaCp::Vacia
        });
    });
    // Its answer, unless the code changed meanwhile.
    Effect::new(move |_| {
        let Some((de, resultado)) = busqueda.get() else {
            return;
        };
        if cp.with_untracked(|cp| *cp != de) {
            return;
        }
        if let ConsultaCp::Encontrado(e) = &resultado {
            domicilio.update(|d| {
                let sigue = e.asentamientos.iter().any(|a| a.nombre == d.colonia);
                if !sigue {
                    d.colonia = match e.asentamientos.as_slice() {
                        [unica] => unica.nombre.clone(),
                        _ => String::new(),
                    };
                }
                d.estado.clear();
                d.municipio.clear();
            });
        }
        if let Some(texto) = anuncio(&resultado) {
            anuncios.anunciar(texto);
        }
        consulta.set(resultado);
    });
    let buscar_de_nuevo = move |_| {
        consulta.set(ConsultaCp::Buscando);
        busqueda.refetch();
    };
    let error = move |clave: &'static str| {
        Signal::derive(move || errores.with(|e| e.get(clave).map(str::to_string)))
    };

    let on_cp = Callback::new(move |v: String| {
        domicilio.update(|d| d.codigo_postal = v);
        errores.update(|e| e.remove(domicilio::CODIGO_POSTAL.clave));
    });
    let on_cp_blur = Callback::new(move |_| {
        if let Some(m) = domicilio.with_untracked(|d| d.validate_cp()) {
            errores.update(|e| e.set(domicilio::CODIGO_POSTAL, m));
        }
    });

    let encontrado = move || match consulta.get() {
        ConsultaCp::Encontrado(e) => Some(e),
        _ => None,
    };

    let datos_catalogo = move || {
        encontrado().map(|e| {
            let colonia_actual = move || domicilio.with(|d| d.colonia.clone());
            let opciones = e
                .asentamientos
                .iter()
                .map(|a| {
                    let nombre = a.nombre.clone();
                    let n2 = nombre.clone();
                    let mut texto = a.nombre.clone();
                    if !a.tipo.is_empty() {
                        texto.push_str(" (");
                        texto.push_str(&a.tipo);
                        texto.push(')');
                    }
                    view! { <option value=nombre selected=move || colonia_actual() == n2>{texto}</option> }
                })
                .collect_view();
            let err_colonia = error(domicilio::COLONIA.clave);
            let con_error = move || err_colonia.with(|e| e.is_some());
            view! {
                <dl class="afi-datos afi-datos--cp">
                    <div class="afi-datos__row">
                        <dt class="afi-datos__key">"Estado"</dt>
                        <dd class="afi-datos__value" data-testid="cp-estado">{e.estado.clone()}</dd>
                    </div>
                    <div class="afi-datos__row">
                        <dt class="afi-datos__key">"Municipio o alcaldía"</dt>
                        <dd class="afi-datos__value" data-testid="cp-municipio">{e.municipio.clone()}</dd>
                    </div>
                </dl>
                <div class=move || if con_error() { "afi-field afi-field--error" } else { "afi-field" }>
                    <label class="afi-field__label" for=domicilio::COLONIA.id>"Colonia"</label>
                    <FieldError id=domicilio::COLONIA.id error=err_colonia/>
                    <select
                        id=domicilio::COLONIA.id
                        name=domicilio::COLONIA.id
                        class=move || if con_error() { "afi-field__select afi-field__select--error" } else { "afi-field__select" }
                        autocomplete="address-level3"
                        aria-invalid=move || if con_error() { "true" } else { "false" }
                        aria-describedby=move || con_error().then(|| concat(domicilio::COLONIA.id, "-error"))
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            domicilio.update(|d| d.colonia = v);
                            errores.update(|e| e.remove(domicilio::COLONIA.clave));
                        }
                    >
                        <option value="" selected=move || colonia_actual().is_empty()>"Selecciona tu colonia"</option>
                        {opciones}
                    </select>
                </div>
            }
        })
    };

    let manual = move || {
        consulta.with(|c| c.manual()).then(|| {
            let err_estado = error(domicilio::ESTADO.clave);
            let con_error = move || err_estado.with(|e| e.is_some());
            let estado_actual = move || domicilio.with(|d| d.estado.clone());
            let opciones = postal::ESTADOS
                .iter()
                .map(|nombre| {
                    let n: &'static str = nombre;
                    view! { <option value=n selected=move || estado_actual() == n>{n}</option> }
                })
                .collect_view();
            view! {
                <div class="afi-alert afi-alert--info" data-testid="cp-no-encontrado">
                    <p class="afi-alert__text">{NO_ENCONTRADO}</p>
                </div>
                <div class=move || if con_error() { "afi-field afi-field--error" } else { "afi-field" }>
                    <label class="afi-field__label" for=domicilio::ESTADO.id>"Estado"</label>
                    <FieldError id=domicilio::ESTADO.id error=err_estado/>
                    <select
                        id=domicilio::ESTADO.id
                        name=domicilio::ESTADO.id
                        class=move || if con_error() { "afi-field__select afi-field__select--error" } else { "afi-field__select" }
                        autocomplete="address-level1"
                        aria-invalid=move || if con_error() { "true" } else { "false" }
                        aria-describedby=move || con_error().then(|| concat(domicilio::ESTADO.id, "-error"))
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            domicilio.update(|d| d.estado = v);
                            errores.update(|e| e.remove(domicilio::ESTADO.clave));
                        }
                    >
                        <option value="" selected=move || estado_actual().is_empty()>"Selecciona tu estado"</option>
                        {opciones}
                    </select>
                </div>
                <Field
                    id=domicilio::MUNICIPIO.id
                    label="Municipio o alcaldía"
                    teclado=MUNICIPIO
                    value=Signal::derive(move || domicilio.with(|d| d.municipio.clone()))
                    on_input=Callback::new(move |v: String| {
                        domicilio.update(|d| d.municipio = v);
                        errores.update(|e| e.remove(domicilio::MUNICIPIO.clave));
                    })
                    error=error(domicilio::MUNICIPIO.clave)
                />
                <Field
                    id=domicilio::COLONIA.id
                    label="Colonia"
                    teclado=COLONIA
                    value=Signal::derive(move || domicilio.with(|d| d.colonia.clone()))
                    on_input=Callback::new(move |v: String| {
                        domicilio.update(|d| d.colonia = v);
                        errores.update(|e| e.remove(domicilio::COLONIA.clave));
                    })
                    error=error(domicilio::COLONIA.clave)
                />
            }
        })
    };

    let estado_busqueda = move || match consulta.get() {
        ConsultaCp::Buscando => Some(
            view! {
                <Progreso texto="Buscando tu código postal…" pequeno=true/>
            }
            .into_any(),
        ),
        ConsultaCp::Falla => Some(
            view! {
                <div class="afi-alert afi-alert--error">
                    <p class="afi-alert__text">{FALLA}</p>
                    <p class="afi-actions">
                        <button
                            type="button"
                            class="afi-button afi-button--secondary afi-button--small"
                            on:click=buscar_de_nuevo
                        >
                            "Buscar de nuevo"
                        </button>
                    </p>
                </div>
            }
            .into_any(),
        ),
        _ => None,
    };

    view! {
        <Field
            id=domicilio::CODIGO_POSTAL.id
            label="Código postal"
            hint="5 números, por ejemplo: 01000. Con él buscamos tu estado, municipio y colonia."
            teclado=Teclado::numerico("postal-code", 5)
            value=Signal::derive(move || domicilio.with(|d| d.codigo_postal.clone()))
            on_input=on_cp
            on_blur=on_cp_blur
            error=error(domicilio::CODIGO_POSTAL.clave)
            input_class="afi-field__input--short"
        />
        {estado_busqueda}
        {datos_catalogo}
        {manual}
    }
}
