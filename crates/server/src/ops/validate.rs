//! `afiliate-server validate curp|nss|email`: checks one value per input line, for school staff checking a list.

use afiliate_domain::{Curp, Email, ErrorDeDominio, Nss};
use serde_json::json;
use std::io::{self, BufRead, Write};

/// What each line holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    Curp,
    Nss,
    Email,
}

/// The normalised value, or the error's code and Spanish message.
pub fn check(kind: Kind, valor: &str) -> Result<String, (&'static str, &'static str)> {
    fn err(e: impl ErrorDeDominio) -> (&'static str, &'static str) {
        (e.code(), e.message())
    }
    match kind {
        Kind::Curp => Curp::parse(valor)
            .map(|c| c.as_str().to_string())
            .map_err(err),
        Kind::Nss => Nss::parse(valor)
            .map(|n| n.as_str().to_string())
            .map_err(err),
        Kind::Email => Email::parse(valor)
            .map(|e| e.as_str().to_string())
            .map_err(err),
    }
}

/// Writes, per input line, `{"input":…,"valid":…,"normalized":…|null,"error":{"code","message"}|null}`.
pub fn run(kind: Kind, input: impl BufRead, output: impl Write) -> io::Result<()> {
    let mut out = io::BufWriter::new(output);
    for linea in super::lineas(input) {
        let linea = linea?;
        let objeto = match check(kind, &linea) {
            Ok(normalizado) => {
                json!({"input": linea, "valid": true, "normalized": normalizado, "error": null})
            }
            Err((code, message)) => json!({
                "input": linea, "valid": false, "normalized": null,
                "error": {"code": code, "message": message},
            }),
        };
        serde_json::to_writer(&mut out, &objeto)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn salida(kind: Kind, entrada: &[u8]) -> Vec<Value> {
        let mut out = Vec::new();
        run(kind, entrada, &mut out).unwrap();
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn curp_lines() {
        let v = salida(
            Kind::Curp,
            b" bagr-861101-mmslrs14\r\nBAGR861101MMSLRS15\n\nCACA480723HMSRSP02",
        );
        assert_eq!(v.len(), 4);
        assert_eq!(
            v[0],
            json!({"input": " bagr-861101-mmslrs14", "valid": true, "normalized": "BAGR861101MMSLRS14", "error": null})
        );
        assert_eq!(v[1]["valid"], false);
        assert_eq!(v[1]["normalized"], Value::Null);
        assert_eq!(v[1]["error"]["code"], "curp_digito_verificador");
        assert_eq!(
            v[1]["error"]["message"],
            "El último carácter de la CURP no corresponde: revisa los 18 caracteres."
        );
        assert_eq!(v[2]["error"]["code"], "curp_vacia");
        assert_eq!(v[3]["error"]["code"], "curp_palabra_inconveniente");
    }

    #[test]
    fn nss_and_email_lines() {
        let v = salida(Kind::Nss, b"0123 4567 897\n01234567898\n");
        assert_eq!(v.len(), 2);
        assert_eq!(v[0]["normalized"], "01234567897");
        assert_eq!(v[1]["error"]["code"], "nss_digito_verificador");
        let v = salida(Kind::Email, b"Ana@Gmail.com\nana@localhost\n");
        assert_eq!(v[0]["normalized"], "ana@gmail.com");
        assert_eq!(v[1]["error"]["code"], "correo_dominio_sin_punto");
    }

    #[test]
    fn invalid_utf8_is_reported_not_fatal() {
        let v = salida(Kind::Curp, b"PE\xd1A\nBAGR861101MMSLRS14\n");
        assert_eq!(v.len(), 2);
        assert_eq!(v[0]["valid"], false);
        assert_eq!(v[1]["valid"], true);
    }
}
