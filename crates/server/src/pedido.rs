//! An NSS request as plain data, shared by the layers: the solicitud [`Token`], the [`Serie`] an assignment draws
//! from, the checked [`Domicilio`], the [`Pedido`] handed to the database and what it answers ([`Asignado`]).
//!
//! No SQL and no HTTP here: [`crate::service`] decides these values, [`crate::db`] stores them.

use crate::cifra::Caja;
use crate::documents::Documento;
use crate::error::AppError;
use afiliate_domain::nss::Nss;

/// What a solicitud token stands for: the person who may continue to the address, until `expira`.
///
/// The token is a sealed box ([`crate::cifra`]) with these fields: no row is kept for it, any server process with
/// the same sello key reads it back, nobody can read or forge it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub curp: String,
    pub correo: String,
    pub nombre: String,
    pub expira: i64,
}

impl Token {
    pub fn sellar(&self, caja: &Caja) -> String {
        let mut m =
            Vec::with_capacity(8 + self.curp.len() + self.correo.len() + self.nombre.len() + 2);
        m.extend_from_slice(&self.expira.to_be_bytes());
        for (i, campo) in [&self.curp, &self.correo, &self.nombre]
            .into_iter()
            .enumerate()
        {
            if i > 0 {
                m.push(0);
            }
            m.extend(campo.bytes().filter(|b| *b != 0));
        }
        caja.sellar(&m)
    }

    /// The token's contents when it is genuine (expired or not).
    pub fn abrir(caja: &Caja, token: &str) -> Option<Token> {
        Token::abrir_con_id(caja, token).map(|(_, t)| t)
    }

    /// [`Token::abrir`], with the box's nonce: its id, to use it only once.
    pub fn abrir_con_id(caja: &Caja, token: &str) -> Option<(crate::cifra::Nonce, Token)> {
        let (nonce, m) = caja.abrir(token)?;
        if m.len() < 8 {
            return None;
        }
        let expira = i64::from_be_bytes(m[..8].try_into().ok()?);
        let texto = std::str::from_utf8(&m[8..]).ok()?;
        let mut partes = texto.split('\0');
        let (curp, correo, nombre) = (partes.next()?, partes.next()?, partes.next()?);
        if partes.next().is_some() {
            return None;
        }
        Some((
            nonce,
            Token {
                curp: curp.to_string(),
                correo: correo.to_string(),
                nombre: nombre.to_string(),
                expira,
            },
        ))
    }
}

/// The series an assignment draws from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Serie {
    pub subdelegacion: u8,
    pub anio_afiliacion: u8,
    pub anio_nacimiento: u8,
}

impl Serie {
    /// The last consecutive number of a series: past it the series is exhausted (it never wraps).
    pub const ULTIMO: i64 = 9999;

    /// The NSS with consecutive number `n` of this series.
    pub(crate) fn numero(self, n: i64) -> Result<Nss, AppError> {
        if n > Serie::ULTIMO {
            return Err(self.agotada());
        }
        Nss::from_parts(
            self.subdelegacion,
            self.anio_afiliacion,
            self.anio_nacimiento,
            n as u16,
        )
        .map_err(|_| AppError::internal("NSS parts out of range"))
    }

    /// The error of an exhausted series, logged.
    pub(crate) fn agotada(self) -> AppError {
        tracing::error!(
            subdelegacion = self.subdelegacion,
            anio_afiliacion = self.anio_afiliacion,
            anio_nacimiento = self.anio_nacimiento,
            "NSS series exhausted"
        );
        AppError::SerieAgotada
    }
}

/// A checked address, as stored with a new NSS: estado, municipio and colonia as the postal catalog writes them
/// (or as typed, trimmed, when the code is not in the catalog).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Domicilio {
    pub codigo_postal: String,
    pub estado: String,
    pub municipio: String,
    pub colonia: String,
    pub calle: String,
    pub numero_exterior: String,
    pub numero_interior: String,
    /// The clave of the catalog's clinic (UMF) for the postal code, recorded with the NSS; `None` when no clinic
    /// serves it.
    pub umf: Option<String>,
}

/// One assignment request: who (from the token), from which series, to which address, when (Unix seconds).
#[derive(Clone, Debug)]
pub struct Pedido {
    pub token: Token,
    pub serie: Serie,
    pub domicilio: Domicilio,
    pub ahora: i64,
}

/// What an assignment answers: (nss, documents, newly assigned).
pub type Asignado = (String, Vec<Documento>, bool);
