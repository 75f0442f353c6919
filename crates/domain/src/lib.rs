//! Afíliate's domain rules, shared by the browser (wasm32) and the server (native).
//!
//! No Leptos, tokio, sqlx or regex here: this crate must stay small enough for the wasm bundle.
//! User messages are `&'static str` in Spanish (no `format!`: it bloats the wasm).

pub mod api;
pub mod curp;
pub mod email;
pub mod fecha;
pub mod nss;
pub mod postal;

mod texto;

pub use curp::{Curp, CurpError, DatosPersona, Entidad, Sexo};
pub use email::{Email, EmailError};
pub use fecha::Fecha;
pub use nss::{Nss, NssError};

/// Every error of this crate: a stable machine code and a Spanish message for the student.
pub trait ErrorDeDominio {
    /// Stable machine code, e.g. `"curp_fecha_inexistente"`.
    fn code(&self) -> &'static str;
    /// Spanish text for the student, e.g. "La fecha de nacimiento de la CURP no existe.".
    fn message(&self) -> &'static str;
}

/// Implements [`ErrorDeDominio`], `Display` (= the message) and `std::error::Error` for an error enum
/// from a table `Variant => ("code", "message")`.
macro_rules! error_de_dominio {
    ($tipo:ty { $($variante:pat => ($code:literal, $message:literal)),+ $(,)? }) => {
        impl $crate::ErrorDeDominio for $tipo {
            fn code(&self) -> &'static str {
                match self { $($variante => $code),+ }
            }
            fn message(&self) -> &'static str {
                match self { $($variante => $message),+ }
            }
        }
        impl ::core::fmt::Display for $tipo {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str($crate::ErrorDeDominio::message(self))
            }
        }
        impl ::std::error::Error for $tipo {}
    };
}
pub(crate) use error_de_dominio;
