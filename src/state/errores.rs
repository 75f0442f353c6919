//! Field errors in form order: what the error summary lists and each field shows.

use std::collections::BTreeMap;

/// One form field: the key the API uses (`curp`, `domicilio.calle`) and the id of its input in the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Campo {
    pub clave: &'static str,
    pub id: &'static str,
}

/// Messages by field, in the order of the form (the error summary lists them in that order).
/// A message with no field (`campo.id == ""`) is a general problem (shown in the summary without a link).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Errores(Vec<(Campo, String)>);

/// The key of a general (non-field) problem.
pub const GENERAL: Campo = Campo { clave: "", id: "" };

impl Errores {
    pub fn new() -> Errores {
        Errores(Vec::new())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Sets (or replaces) the message of a field, keeping the order given by `orden`.
    pub fn set(&mut self, campo: Campo, mensaje: impl Into<String>) {
        let mensaje = mensaje.into();
        match self.0.iter_mut().find(|(c, _)| c.clave == campo.clave) {
            Some(entry) => entry.1 = mensaje,
            None => self.0.push((campo, mensaje)),
        }
    }

    pub fn remove(&mut self, clave: &str) {
        self.0.retain(|(c, _)| c.clave != clave);
    }

    /// The message of a field.
    pub fn get(&self, clave: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(c, _)| c.clave == clave)
            .map(|(_, m)| m.as_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = &(Campo, String)> {
        self.0.iter()
    }

    /// Sorts the messages into the order of `campos` (general problems first).
    pub fn ordenar(&mut self, campos: &[Campo]) {
        self.0.sort_by_key(|(c, _)| {
            campos
                .iter()
                .position(|k| k.clave == c.clave)
                .map_or(0, |p| p + 1)
        });
    }

    /// The field errors of a server problem (`errores`: field → messages), on the given form's fields.
    /// Fields this form does not show become general problems (nothing is lost).
    pub fn del_servidor(errores: &BTreeMap<String, Vec<String>>, campos: &[Campo]) -> Errores {
        let mut out = Errores::new();
        for (clave, mensajes) in errores {
            let Some(mensaje) = mensajes.first() else {
                continue;
            };
            match campos.iter().find(|c| c.clave == clave) {
                Some(campo) => out.set(*campo, mensaje.clone()),
                None => out.0.push((GENERAL, mensaje.clone())),
            }
        }
        out.ordenar(campos);
        out
    }
}
