//! The step indicator: "Paso 2 de 3" as text, each step completado / actual / pendiente for screen readers.

use leptos::prelude::*;

/// The seed's three steps when an NSS is assigned.
pub const PASOS_ASIGNACION: [&str; 3] =
    ["Iniciar trámite", "Ingresar domicilio", "Finalizar trámite"];
/// Two steps when the NSS is located.
pub const PASOS_LOCALIZADO: [&str; 2] = ["Iniciar trámite", "Finalizar trámite"];

/// The state of one step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Estado {
    Completado,
    Actual,
    Pendiente,
}

impl Estado {
    pub fn de(paso: usize, actual: usize) -> Estado {
        match paso.cmp(&actual) {
            std::cmp::Ordering::Less => Estado::Completado,
            std::cmp::Ordering::Equal => Estado::Actual,
            std::cmp::Ordering::Greater => Estado::Pendiente,
        }
    }

    /// What a screen reader hears after the step's name.
    pub fn texto(self) -> &'static str {
        match self {
            Estado::Completado => " (completado)",
            Estado::Actual => " (actual)",
            Estado::Pendiente => " (pendiente)",
        }
    }

    fn clase(self) -> &'static str {
        match self {
            Estado::Completado => "afi-stepper__step afi-stepper__step--completado",
            Estado::Actual => "afi-stepper__step afi-stepper__step--actual",
            Estado::Pendiente => "afi-stepper__step",
        }
    }
}

/// "Paso N de M" (no `format!`: N and M are single digits).
pub fn paso_de(n: usize, m: usize) -> String {
    let mut s = String::from("Paso ");
    s.push(char::from_digit(n as u32, 10).unwrap_or('?'));
    s.push_str(" de ");
    s.push(char::from_digit(m as u32, 10).unwrap_or('?'));
    s
}

/// "Paso N" (N a single digit).
pub fn paso_n(n: usize) -> String {
    let mut s = String::from("Paso ");
    s.push(char::from_digit(n as u32, 10).unwrap_or('?'));
    s
}

/// Shows where the student is in the trámite.
#[component]
pub fn Stepper(
    /// The steps' names, in order.
    pasos: &'static [&'static str],
    /// The current step, 0-based.
    actual: usize,
) -> impl IntoView {
    let items = pasos
        .iter()
        .enumerate()
        .map(|(i, nombre)| {
            let estado = Estado::de(i, actual);
            view! {
                <li class=estado.clase() aria-current=(estado == Estado::Actual).then_some("step")>
                    <span class="afi-stepper__numero">{paso_n(i + 1)}</span>
                    {*nombre}
                    <span class="afi-visually-hidden">{estado.texto()}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <nav class="afi-stepper" aria-label="Avance del trámite">
            <p class="afi-stepper__count">{paso_de(actual + 1, pasos.len())} ": " {pasos[actual.min(pasos.len() - 1)]}</p>
            <ol class="afi-stepper__list">{items}</ol>
        </nav>
    }
}
