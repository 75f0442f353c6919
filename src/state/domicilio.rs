//! The address form of an assignment, and the postal-code lookup in the static catalog shards.

use super::errores::{Campo, Errores};
use crate::api;
use afiliate_domain::api::{CodigoPostal, Domicilio};
use afiliate_domain::{postal, ErrorDeDominio};
use serde::{Deserialize, Serialize};

pub const CODIGO_POSTAL: Campo = Campo {
    clave: "domicilio.codigo_postal",
    id: "afi-cp",
};
pub const ESTADO: Campo = Campo {
    clave: "domicilio.estado",
    id: "afi-estado",
};
pub const MUNICIPIO: Campo = Campo {
    clave: "domicilio.municipio",
    id: "afi-municipio",
};
pub const COLONIA: Campo = Campo {
    clave: "domicilio.colonia",
    id: "afi-colonia",
};
pub const CALLE: Campo = Campo {
    clave: "domicilio.calle",
    id: "afi-calle",
};
pub const NUMERO_EXTERIOR: Campo = Campo {
    clave: "domicilio.numero_exterior",
    id: "afi-numero-exterior",
};
pub const NUMERO_INTERIOR: Campo = Campo {
    clave: "domicilio.numero_interior",
    id: "afi-numero-interior",
};

/// The fields in form order.
pub const CAMPOS: [Campo; 7] = [
    CODIGO_POSTAL,
    ESTADO,
    MUNICIPIO,
    COLONIA,
    CALLE,
    NUMERO_EXTERIOR,
    NUMERO_INTERIOR,
];

/// At most this many characters in a street, number or colonia (what the server stores).
pub const LONGITUD_MAXIMA: usize = 100;

const FALTA_COLONIA: &str = "Selecciona tu colonia.";
const FALTA_COLONIA_MANUAL: &str = "Escribe tu colonia.";
const FALTA_ESTADO: &str = "Selecciona tu estado.";
const FALTA_MUNICIPIO: &str = "Escribe tu municipio o alcaldía.";
const FALTA_CALLE: &str = "Escribe tu calle.";
const FALTA_NUMERO: &str = "Escribe tu número exterior. Si no tiene, escribe SN.";
const LARGO: &str = "Puede tener hasta 100 caracteres.";
const SIN_CONSULTA: &str = "Espera a que encontremos tu código postal, o vuelve a escribirlo.";

/// What the postal-code lookup found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ConsultaCp {
    /// No valid code typed yet.
    #[default]
    Vacia,
    Buscando,
    Encontrado(CodigoPostal),
    /// Not in the catalog: estado, municipio and colonia are typed by hand.
    NoEncontrado,
    /// The shard could not be fetched (network): retry or type by hand.
    Falla,
}

impl ConsultaCp {
    /// The address is typed by hand (the code is unknown, or the lookup failed and the student chose so).
    pub fn manual(&self) -> bool {
        matches!(self, ConsultaCp::NoEncontrado)
    }
}

/// Looks a code up in its static shard: `Encontrado`, `NoEncontrado` or `Falla`.
pub async fn consultar_cp(cp: &str) -> ConsultaCp {
    let Some(archivo) = postal::shard_file(cp) else {
        return ConsultaCp::Vacia;
    };
    match api::backend().shard_cp(archivo).await {
        Ok(shard) => match postal::lookup_in_shard(&shard, cp) {
            Some(encontrado) => ConsultaCp::Encontrado(encontrado),
            None => ConsultaCp::NoEncontrado,
        },
        Err(_) => ConsultaCp::Falla,
    }
}

/// What the student typed (kept across reloads).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatosDomicilio {
    pub codigo_postal: String,
    pub colonia: String,
    pub calle: String,
    pub numero_exterior: String,
    pub numero_interior: String,
    /// Typed by hand when the code is not in the catalog.
    pub estado: String,
    pub municipio: String,
}

fn requerido(errores: &mut Errores, campo: Campo, valor: &str, falta: &'static str) {
    let valor = valor.trim();
    if valor.is_empty() {
        errores.set(campo, falta);
    } else if valor.chars().count() > LONGITUD_MAXIMA {
        errores.set(campo, LARGO);
    }
}

impl DatosDomicilio {
    /// Every rule, as on submit, given what the lookup found.
    pub fn validate(&self, consulta: &ConsultaCp) -> Errores {
        let mut errores = Errores::new();
        match postal::codigo_postal_valido(&self.codigo_postal) {
            Err(e) => errores.set(CODIGO_POSTAL, e.message()),
            Ok(_) => match consulta {
                ConsultaCp::Encontrado(cp) => {
                    // Empty, or not one of this code's colonias (e.g. left from another code).
                    if !cp.asentamientos.iter().any(|a| a.nombre == self.colonia) {
                        errores.set(COLONIA, FALTA_COLONIA);
                    }
                }
                ConsultaCp::NoEncontrado => {
                    requerido(&mut errores, ESTADO, &self.estado, FALTA_ESTADO);
                    requerido(&mut errores, MUNICIPIO, &self.municipio, FALTA_MUNICIPIO);
                    requerido(&mut errores, COLONIA, &self.colonia, FALTA_COLONIA_MANUAL);
                }
                ConsultaCp::Vacia | ConsultaCp::Buscando | ConsultaCp::Falla => {
                    errores.set(CODIGO_POSTAL, SIN_CONSULTA)
                }
            },
        }
        requerido(&mut errores, CALLE, &self.calle, FALTA_CALLE);
        requerido(
            &mut errores,
            NUMERO_EXTERIOR,
            &self.numero_exterior,
            FALTA_NUMERO,
        );
        if self.numero_interior.trim().chars().count() > LONGITUD_MAXIMA {
            errores.set(NUMERO_INTERIOR, LARGO);
        }
        errores
    }

    /// The format check of the postal code as it loses focus.
    pub fn validate_cp(&self) -> Option<&'static str> {
        if self.codigo_postal.trim().is_empty() {
            return None;
        }
        postal::codigo_postal_valido(&self.codigo_postal)
            .err()
            .map(|e| e.message())
    }

    /// The API's address (trimmed; estado and municipio only when typed by hand).
    pub fn to_api(&self, manual: bool) -> Domicilio {
        let interior = self.numero_interior.trim();
        Domicilio {
            codigo_postal: self.codigo_postal.trim().to_string(),
            colonia: self.colonia.trim().to_string(),
            calle: self.calle.trim().to_string(),
            numero_exterior: self.numero_exterior.trim().to_string(),
            numero_interior: (!interior.is_empty()).then(|| interior.to_string()),
            estado: manual.then(|| self.estado.trim().to_string()),
            municipio: manual.then(|| self.municipio.trim().to_string()),
        }
    }
}
