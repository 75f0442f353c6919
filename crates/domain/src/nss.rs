//! The IMSS Número de Seguridad Social: 11 digits.
//!
//! Layout: subdelegación (2) · año de afiliación (2) · año de nacimiento (2) · consecutivo (4) · dígito verificador (1).

use crate::error_de_dominio;

/// A valid NSS (11 ASCII digits, check digit verified).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Nss(String);

/// Why an NSS is not valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NssError {
    Vacio,
    SoloDigitos,
    Longitud,
    DigitoVerificador,
    /// `from_parts` got a part with too many digits.
    ParteFueraDeRango,
}

error_de_dominio!(NssError {
    NssError::Vacio => ("nss_vacio", "Escribe tu NSS."),
    NssError::SoloDigitos => ("nss_solo_digitos", "El NSS solo puede tener números."),
    NssError::Longitud => ("nss_longitud", "El NSS debe tener 11 dígitos."),
    NssError::DigitoVerificador => (
        "nss_digito_verificador",
        "El último dígito del NSS no corresponde: revisa los 11 dígitos."
    ),
    NssError::ParteFueraDeRango => (
        "nss_parte_fuera_de_rango",
        "Las partes del NSS tienen demasiados dígitos."
    ),
});

/// The check digit of the first 10 digits: Luhn with weights 1, 2, 1, 2… from the left, adding the digits of
/// each product. `None` unless `first_ten` is exactly 10 ASCII digits.
pub fn digito_verificador(first_ten: &str) -> Option<u8> {
    let b = first_ten.as_bytes();
    if b.len() != 10 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut suma = 0u32;
    for (i, &c) in b.iter().enumerate() {
        let p = (c - b'0') as u32 * if i % 2 == 0 { 1 } else { 2 };
        suma += p / 10 + p % 10;
    }
    Some(((10 - suma % 10) % 10) as u8)
}

impl Nss {
    /// Parses an NSS as typed: spaces and hyphens are ignored.
    pub fn parse(input: &str) -> Result<Nss, NssError> {
        let limpio: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if limpio.is_empty() {
            return Err(NssError::Vacio);
        }
        if !limpio.chars().all(|c| c.is_ascii_digit()) {
            return Err(NssError::SoloDigitos);
        }
        if limpio.len() != 11 {
            return Err(NssError::Longitud);
        }
        let esperado = digito_verificador(&limpio[..10]).ok_or(NssError::Longitud)?;
        if limpio.as_bytes()[10] - b'0' != esperado {
            return Err(NssError::DigitoVerificador);
        }
        Ok(Nss(limpio))
    }

    /// Builds an NSS from its parts (2, 2, 2 and 4 digits), computing the check digit.
    pub fn from_parts(
        subdelegacion: u8,
        anio_afiliacion: u8,
        anio_nacimiento: u8,
        consecutivo: u16,
    ) -> Result<Nss, NssError> {
        if subdelegacion > 99 || anio_afiliacion > 99 || anio_nacimiento > 99 || consecutivo > 9999
        {
            return Err(NssError::ParteFueraDeRango);
        }
        let mut s = String::with_capacity(11);
        crate::fecha::push_num(&mut s, subdelegacion as u32, 2);
        crate::fecha::push_num(&mut s, anio_afiliacion as u32, 2);
        crate::fecha::push_num(&mut s, anio_nacimiento as u32, 2);
        crate::fecha::push_num(&mut s, consecutivo as u32, 4);
        let dv = digito_verificador(&s).ok_or(NssError::ParteFueraDeRango)?;
        s.push((b'0' + dv) as char);
        Ok(Nss(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn parte(&self, desde: usize, hasta: usize) -> u32 {
        crate::fecha::digitos(&self.0.as_bytes()[desde..hasta]).unwrap_or(0)
    }

    pub fn subdelegacion(&self) -> u8 {
        self.parte(0, 2) as u8
    }
    pub fn anio_afiliacion(&self) -> u8 {
        self.parte(2, 4) as u8
    }
    pub fn anio_nacimiento(&self) -> u8 {
        self.parte(4, 6) as u8
    }
    pub fn consecutivo(&self) -> u16 {
        self.parte(6, 10) as u16
    }
    pub fn digito_verificador(&self) -> u8 {
        self.parte(10, 11) as u8
    }
}

impl std::fmt::Display for Nss {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Nss {
    type Err = NssError;
    fn from_str(s: &str) -> Result<Nss, NssError> {
        Nss::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorDeDominio;
    use proptest::prelude::*;

    #[test]
    fn check_digit_by_hand() {
        // 0123456789: weights 1,2,1,2…: 0+2+2+6+4+(1+0)+6+(1+4)+8+(1+8) = 43 → (10 - 3) % 10 = 7.
        assert_eq!(digito_verificador("0123456789"), Some(7));
        assert_eq!(digito_verificador("0000000000"), Some(0));
        // 1234567890 → 1+4+3+8+5+(1+2)+7+(1+6)+9+0 = 47 → 3.
        assert_eq!(digito_verificador("1234567890"), Some(3));
        assert_eq!(digito_verificador("123456789"), None);
        assert_eq!(digito_verificador("12345678a0"), None);
    }

    #[test]
    fn parse_table() {
        let casos: &[(&str, Result<&str, NssError>)] = &[
            ("01234567897", Ok("01234567897")),
            (" 0123-4567-897 ", Ok("01234567897")),
            ("0123 4567 897", Ok("01234567897")),
            ("12345678903", Ok("12345678903")),
            ("", Err(NssError::Vacio)),
            ("  - ", Err(NssError::Vacio)),
            ("0123456789", Err(NssError::Longitud)),
            ("012345678970", Err(NssError::Longitud)),
            ("0123456789A", Err(NssError::SoloDigitos)),
            ("01234567898", Err(NssError::DigitoVerificador)),
        ];
        for (input, esperado) in casos {
            let r = Nss::parse(input);
            match esperado {
                Ok(s) => assert_eq!(r.as_ref().map(Nss::as_str), Ok(*s), "{input:?}"),
                Err(e) => assert_eq!(r, Err(*e), "{input:?}"),
            }
        }
    }

    #[test]
    fn parts() {
        let n = Nss::parse("01234567897").unwrap();
        assert_eq!(n.subdelegacion(), 1);
        assert_eq!(n.anio_afiliacion(), 23);
        assert_eq!(n.anio_nacimiento(), 45);
        assert_eq!(n.consecutivo(), 6789);
        assert_eq!(n.digito_verificador(), 7);
        assert_eq!(Nss::from_parts(1, 23, 45, 6789).unwrap(), n);
        assert_eq!(
            Nss::from_parts(100, 0, 0, 0),
            Err(NssError::ParteFueraDeRango)
        );
        assert_eq!(
            Nss::from_parts(0, 0, 0, 10000),
            Err(NssError::ParteFueraDeRango)
        );
    }

    #[test]
    fn errors_have_codes_and_spanish_messages() {
        assert_eq!(NssError::Longitud.code(), "nss_longitud");
        assert_eq!(
            NssError::Longitud.to_string(),
            "El NSS debe tener 11 dígitos."
        );
    }

    proptest! {
        #[test]
        fn from_parts_then_parse(s in 0u8..100, a in 0u8..100, n in 0u8..100, c in 0u16..10000) {
            let nss = Nss::from_parts(s, a, n, c).unwrap();
            let again = Nss::parse(nss.as_str()).unwrap();
            prop_assert_eq!(&again, &nss);
            prop_assert_eq!((again.subdelegacion(), again.anio_afiliacion(), again.anio_nacimiento(), again.consecutivo()), (s, a, n, c));
        }

        #[test]
        fn any_single_digit_change_is_caught(s in 0u8..100, a in 0u8..100, n in 0u8..100, c in 0u16..10000,
                                             pos in 0usize..11, delta in 1u8..10) {
            // Luhn detects every single-digit substitution.
            let nss = Nss::from_parts(s, a, n, c).unwrap();
            let mut b = nss.as_str().as_bytes().to_vec();
            b[pos] = b'0' + (b[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(b).unwrap();
            prop_assert_eq!(Nss::parse(&changed), Err(NssError::DigitoVerificador));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,20}") {
            let _ = Nss::parse(&s);
        }
    }
}
