//! E-mail addresses: the WHATWG "valid e-mail address" rule (what `<input type=email>` accepts), plus the limits
//! of an internet mailbox (RFC 5321 lengths, a dotted domain), normalised to lower case.

use crate::error_de_dominio;

/// At most this many characters in the whole address (RFC 5321 path limit minus the angle brackets).
pub const LONGITUD_MAXIMA: usize = 254;
/// At most this many characters before the `@`.
pub const LONGITUD_MAXIMA_LOCAL: usize = 64;

/// A valid, lower-cased e-mail address.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Email(String);

/// Why an e-mail address is not valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EmailError {
    Vacio,
    Espacios,
    SinArroba,
    VariasArrobas,
    UsuarioVacio,
    UsuarioInvalido,
    UsuarioLargo,
    DominioVacio,
    DominioInvalido,
    DominioSinPunto,
    Largo,
    NoCoincide,
}

error_de_dominio!(EmailError {
    EmailError::Vacio => ("correo_vacio", "Escribe tu correo electrónico."),
    EmailError::Espacios => ("correo_espacios", "El correo no puede tener espacios."),
    EmailError::SinArroba => ("correo_sin_arroba", "Al correo le falta la @, por ejemplo: nombre@gmail.com."),
    EmailError::VariasArrobas => ("correo_varias_arrobas", "El correo solo puede tener una @."),
    EmailError::UsuarioVacio => ("correo_usuario_vacio", "Falta la parte del correo antes de la @."),
    EmailError::UsuarioInvalido => (
        "correo_usuario_invalido",
        "La parte antes de la @ tiene caracteres que no se permiten en un correo."
    ),
    EmailError::UsuarioLargo => ("correo_usuario_largo", "La parte antes de la @ puede tener hasta 64 caracteres."),
    EmailError::DominioVacio => ("correo_dominio_vacio", "Falta la parte del correo después de la @, por ejemplo: gmail.com."),
    EmailError::DominioInvalido => (
        "correo_dominio_invalido",
        "La parte después de la @ no es válida: revisa que solo tenga letras, números, guiones y puntos."
    ),
    EmailError::DominioSinPunto => (
        "correo_dominio_sin_punto",
        "La parte después de la @ debe tener un punto, por ejemplo: gmail.com."
    ),
    EmailError::Largo => ("correo_largo", "El correo puede tener hasta 254 caracteres."),
    EmailError::NoCoincide => ("correo_no_coincide", "Los correos no coinciden: escribe el mismo correo en los dos campos."),
});

/// The characters WHATWG allows before the `@` besides ASCII letters and digits.
const ESPECIALES_LOCAL: &[u8] = b".!#$%&'*+/=?^_`{|}~-";

fn usuario_valido(local: &str) -> bool {
    local
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || ESPECIALES_LOCAL.contains(&b))
}

/// A WHATWG domain label: 1..=63 ASCII letters, digits and hyphens, starting and ending with a letter or digit.
fn etiqueta_valida(label: &str) -> bool {
    let b = label.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

impl Email {
    /// Trims, checks and lower-cases an address.
    pub fn parse(input: &str) -> Result<Email, EmailError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(EmailError::Vacio);
        }
        if s.chars().any(char::is_whitespace) {
            return Err(EmailError::Espacios);
        }
        let (local, dominio) = s.split_once('@').ok_or(EmailError::SinArroba)?;
        if dominio.contains('@') {
            return Err(EmailError::VariasArrobas);
        }
        if local.is_empty() {
            return Err(EmailError::UsuarioVacio);
        }
        if !usuario_valido(local) {
            return Err(EmailError::UsuarioInvalido);
        }
        if local.len() > LONGITUD_MAXIMA_LOCAL {
            return Err(EmailError::UsuarioLargo);
        }
        if dominio.is_empty() {
            return Err(EmailError::DominioVacio);
        }
        if !dominio.split('.').all(etiqueta_valida) {
            return Err(EmailError::DominioInvalido);
        }
        if !dominio.contains('.') {
            return Err(EmailError::DominioSinPunto);
        }
        if s.len() > LONGITUD_MAXIMA {
            return Err(EmailError::Largo);
        }
        Ok(Email(s.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Email {
    type Err = EmailError;
    fn from_str(s: &str) -> Result<Email, EmailError> {
        Email::parse(s)
    }
}

/// Checks the address and its confirmation: both valid and equal once normalised (so case and surrounding
/// spaces do not matter). Errors of the first field win.
pub fn confirmar(correo: &str, confirmacion: &str) -> Result<Email, EmailError> {
    let email = Email::parse(correo)?;
    match Email::parse(confirmacion) {
        Ok(otro) if otro == email => Ok(email),
        _ => Err(EmailError::NoCoincide),
    }
}

/// Common mailbox domains in Mexico, most used first (ties in distance go to the earlier one).
pub const DOMINIOS_COMUNES: &[&str] = &[
    "gmail.com",
    "hotmail.com",
    "outlook.com",
    "yahoo.com.mx",
    "yahoo.com",
    "icloud.com",
    "live.com.mx",
    "outlook.es",
    "hotmail.es",
    "live.com",
    "prodigy.net.mx",
    "msn.com",
    "me.com",
    "protonmail.com",
];

/// Real domains one edit away from a common one: never "corrected".
const OTROS_DOMINIOS_REALES: &[&str] = &[
    "mail.com",
    "ymail.com",
    "gmx.com",
    "gmx.net",
    "aol.com",
    "email.com",
    "hotmail.fr",
];

/// A suggestion for a likely typo in a common domain: `Some("ana@gmail.com")` for `"ana@gmial.com"`.
///
/// Suggests only when the domain is not itself a common one and is within one edit (transpositions count as one)
/// of a common domain, or two edits for domains of 8 characters or more; a domain without a dot whose text is the
/// start of a common domain (`ana@gmail`) gets that domain.
pub fn sugerencia(input: &str) -> Option<String> {
    let s = input.trim().to_ascii_lowercase();
    let (local, dominio) = s.rsplit_once('@')?;
    if local.is_empty()
        || dominio.is_empty()
        || DOMINIOS_COMUNES.contains(&dominio)
        || OTROS_DOMINIOS_REALES.contains(&dominio)
    {
        return None;
    }
    let mut mejor: Option<(usize, &str)> = None;
    for &comun in DOMINIOS_COMUNES {
        let limite = if comun.len() >= 8 { 2 } else { 1 };
        let d = distancia(dominio, comun);
        if d <= limite && mejor.is_none_or(|(m, _)| d < m) {
            mejor = Some((d, comun));
        }
    }
    if mejor.is_none() && !dominio.contains('.') && dominio.len() >= 4 {
        mejor = DOMINIOS_COMUNES
            .iter()
            .find(|c| c.split('.').next() == Some(dominio))
            .map(|c| (0, *c));
    }
    mejor.map(|(_, comun)| {
        let mut out = String::with_capacity(local.len() + 1 + comun.len());
        out.push_str(local);
        out.push('@');
        out.push_str(comun);
        out
    })
}

/// Optimal string alignment distance (Levenshtein plus adjacent transpositions) over bytes.
fn distancia(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len().abs_diff(b.len()) > 2 {
        return usize::MAX;
    }
    let ancho = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * ancho];
    for i in 0..=a.len() {
        d[i * ancho] = i;
    }
    for (j, celda) in d.iter_mut().enumerate().take(ancho) {
        *celda = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let costo = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * ancho + j] + 1)
                .min(d[i * ancho + j - 1] + 1)
                .min(d[(i - 1) * ancho + j - 1] + costo);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * ancho + j - 2] + 1);
            }
            d[i * ancho + j] = v;
        }
    }
    d[a.len() * ancho + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorDeDominio;
    use proptest::prelude::*;

    #[test]
    fn parse_table() {
        let largo_local = "a".repeat(65);
        let local_64 = "a".repeat(64);
        let ok_64 = format!("{local_64}@x.mx");
        let mut largo_total = "a@".to_string();
        for _ in 0..26 {
            largo_total.push_str("abcdefghi.");
        }
        largo_total.push_str("mx"); // 2 + 260 + 2 = 264 characters, every label valid
        let bad_local = format!("{largo_local}@x.mx");
        let casos: Vec<(&str, Result<&str, EmailError>)> = vec![
            ("ana@gmail.com", Ok("ana@gmail.com")),
            ("  Ana.Lopez@Gmail.COM ", Ok("ana.lopez@gmail.com")),
            (
                "a+b_c-d!#$%&'*/=?^`{|}~@sub-1.example.com.mx",
                Ok("a+b_c-d!#$%&'*/=?^`{|}~@sub-1.example.com.mx"),
            ),
            // WHATWG allows dots anywhere in the local part (it is "willful violation" of RFC 5322).
            (".ana..x.@gmail.com", Ok(".ana..x.@gmail.com")),
            (&ok_64, Ok(ok_64.as_str())),
            ("", Err(EmailError::Vacio)),
            ("   ", Err(EmailError::Vacio)),
            ("ana @gmail.com", Err(EmailError::Espacios)),
            ("ana.gmail.com", Err(EmailError::SinArroba)),
            ("ana@x@gmail.com", Err(EmailError::VariasArrobas)),
            ("@gmail.com", Err(EmailError::UsuarioVacio)),
            ("añа@gmail.com", Err(EmailError::UsuarioInvalido)),
            ("ana(x)@gmail.com", Err(EmailError::UsuarioInvalido)),
            (&bad_local, Err(EmailError::UsuarioLargo)),
            ("ana@", Err(EmailError::DominioVacio)),
            ("ana@gmail..com", Err(EmailError::DominioInvalido)),
            ("ana@-gmail.com", Err(EmailError::DominioInvalido)),
            ("ana@gmail-.com", Err(EmailError::DominioInvalido)),
            ("ana@gmail.com.", Err(EmailError::DominioInvalido)),
            ("ana@gmail_x.com", Err(EmailError::DominioInvalido)),
            ("ana@localhost", Err(EmailError::DominioSinPunto)),
            (&largo_total, Err(EmailError::Largo)),
        ];
        for (input, esperado) in casos {
            let r = Email::parse(input);
            match esperado {
                Ok(s) => assert_eq!(r.as_ref().map(Email::as_str), Ok(s), "{input:?}"),
                Err(e) => assert_eq!(r, Err(e), "{input:?}"),
            }
        }
    }

    #[test]
    fn label_of_64_is_rejected() {
        let dominio = format!("ana@{}.com", "a".repeat(64));
        assert_eq!(Email::parse(&dominio), Err(EmailError::DominioInvalido));
        let dominio = format!("ana@{}.com", "a".repeat(63));
        assert!(Email::parse(&dominio).is_ok());
    }

    #[test]
    fn confirmation() {
        assert_eq!(
            confirmar("Ana@Gmail.com", " ana@gmail.com")
                .unwrap()
                .as_str(),
            "ana@gmail.com"
        );
        assert_eq!(
            confirmar("ana@gmail.com", "ana@gmail.co"),
            Err(EmailError::NoCoincide)
        );
        assert_eq!(confirmar("ana@gmail.com", ""), Err(EmailError::NoCoincide));
        assert_eq!(confirmar("ana", "ana"), Err(EmailError::SinArroba));
        assert_eq!(EmailError::NoCoincide.code(), "correo_no_coincide");
    }

    #[test]
    fn suggestions() {
        let casos = [
            ("ana@gmial.com", Some("ana@gmail.com")),
            ("ana@gmail.con", Some("ana@gmail.com")),
            ("ana@gmai.com", Some("ana@gmail.com")),
            ("Ana@GMAIL.CM", Some("ana@gmail.com")),
            ("ana@hotmial.com", Some("ana@hotmail.com")),
            ("ana@hotmail.co", Some("ana@hotmail.com")),
            ("ana@hotmal.com", Some("ana@hotmail.com")),
            ("ana@outlok.com", Some("ana@outlook.com")),
            ("ana@yahoo.com.xm", Some("ana@yahoo.com.mx")),
            ("ana@yaho.com.mx", Some("ana@yahoo.com.mx")),
            ("ana@icloud.co", Some("ana@icloud.com")),
            ("ana@prodigy.net.m", Some("ana@prodigy.net.mx")),
            ("ana@live.com.mex", Some("ana@live.com.mx")),
            ("ana@gmail", Some("ana@gmail.com")),
            ("ana@hotmail", Some("ana@hotmail.com")),
            // Already right, or too far from any common domain: no suggestion.
            ("ana@gmail.com", None),
            ("ana@yahoo.com", None),
            ("ana@yahoo.com.mx", None),
            ("ana@live.com", None),
            ("ana@unam.mx", None),
            ("ana@ipn.mx", None),
            ("ana@empresa.com.mx", None),
            ("ana@mail.com", None),
            ("ana@ymail.com", None),
            ("ana", None),
            ("@gmial.com", None),
        ];
        for (input, esperado) in casos {
            assert_eq!(sugerencia(input).as_deref(), esperado, "{input}");
        }
    }

    #[test]
    fn distance() {
        assert_eq!(distancia("gmial.com", "gmail.com"), 1);
        assert_eq!(distancia("gmail.com", "gmail.com"), 0);
        assert_eq!(distancia("gmai.com", "gmail.com"), 1);
        assert_eq!(distancia("hotmal.cm", "hotmail.com"), 2);
    }

    proptest! {
        #[test]
        fn valid_addresses_round_trip(local in "[a-zA-Z0-9._%+-]{1,20}", labels in prop::collection::vec("[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", 2..4)) {
            let input = format!("{local}@{}", labels.join("."));
            let email = Email::parse(&input).unwrap();
            prop_assert_eq!(email.as_str(), input.to_ascii_lowercase());
            prop_assert_eq!(Email::parse(email.as_str()).unwrap(), email);
        }

        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = Email::parse(&s);
            let _ = sugerencia(&s);
        }
    }
}
