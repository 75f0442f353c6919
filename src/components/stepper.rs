//! The step indicator: "Paso 2 de 3" as text, each step completado / actual / pendiente for screen readers.

use crate::dom::{attr, el, el_texto, texto};
use web_sys::Element;

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

/// Shows where the student is in the trámite: `pasos` the steps' names in order, `actual` the current one (0-based).
pub fn stepper(padre: &Element, pasos: &'static [&'static str], actual: usize) {
    let nav = el(padre, "nav", "afi-stepper");
    attr(&nav, "aria-label", "Avance del trámite");
    let mut cuenta = paso_de(actual + 1, pasos.len());
    cuenta.push_str(": ");
    cuenta.push_str(pasos.get(actual).or(pasos.last()).copied().unwrap_or(""));
    el_texto(&nav, "p", "afi-stepper__count", &cuenta);
    let ol = el(&nav, "ol", "afi-stepper__list");
    for (i, nombre) in pasos.iter().enumerate() {
        let estado = Estado::de(i, actual);
        let li = el(&ol, "li", estado.clase());
        if estado == Estado::Actual {
            attr(&li, "aria-current", "step");
        }
        el_texto(&li, "span", "afi-stepper__numero", &paso_n(i + 1));
        texto(&li, nombre);
        el_texto(&li, "span", "afi-visually-hidden", estado.texto());
    }
}
