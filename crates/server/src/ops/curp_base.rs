//! `afiliate-server curp base`: person data (one JSON object per line) → the first 16 characters of the CURP, so
//! school staff can spot a CURP that does not belong to the student's data.

use afiliate_domain::curp::{self, DatosPersona};
use afiliate_domain::{Entidad, ErrorDeDominio, Fecha, Sexo};
use serde::Deserialize;
use serde_json::json;
use std::io::{self, BufRead, Write};

#[derive(Deserialize)]
struct Persona {
    nombre: String,
    primer_apellido: String,
    #[serde(default)]
    segundo_apellido: Option<String>,
    fecha_nacimiento: String,
    sexo: String,
    entidad: String,
}

type Fallo = (&'static str, &'static str);

fn sexo(s: &str) -> Option<Sexo> {
    let s = s.trim();
    match s.to_uppercase().as_str() {
        "HOMBRE" => Some(Sexo::Hombre),
        "MUJER" => Some(Sexo::Mujer),
        "NO BINARIO" => Some(Sexo::NoBinario),
        _ if s.chars().count() == 1 => s.chars().next().and_then(Sexo::parse),
        _ => None,
    }
}

/// The base of one input line, or why not.
pub fn base_de_linea(linea: &str) -> Result<String, Fallo> {
    let p: Persona = serde_json::from_str(linea).map_err(|_| {
        (
            "linea_invalida",
            "La línea debe ser un objeto JSON con nombre, primer_apellido, segundo_apellido, fecha_nacimiento (AAAA-MM-DD), sexo y entidad.",
        )
    })?;
    let fecha = Fecha::parse_iso(&p.fecha_nacimiento).ok_or((
        "fecha_invalida",
        "La fecha de nacimiento debe ser una fecha que exista, con el formato AAAA-MM-DD.",
    ))?;
    let sexo = sexo(&p.sexo).ok_or(("sexo_invalido", "El sexo debe ser H, M o X."))?;
    let entidad = Entidad::parse(&p.entidad).ok_or((
        "entidad_invalida",
        "La entidad debe ser una de las 33 claves de la CURP, por ejemplo DF, JC o NE (nacido en el extranjero).",
    ))?;
    let datos = DatosPersona {
        nombre: &p.nombre,
        primer_apellido: &p.primer_apellido,
        segundo_apellido: p.segundo_apellido.as_deref().unwrap_or(""),
        fecha_nacimiento: fecha,
        sexo,
        entidad,
    };
    curp::base(&datos).map_err(|e| (e.code(), e.message()))
}

/// Writes, per input line, `{"base": "…"}` or `{"error": {"code", "message"}}`.
pub fn run(input: impl BufRead, output: impl Write) -> io::Result<()> {
    let mut out = io::BufWriter::new(output);
    for linea in super::lineas(input) {
        let objeto = match base_de_linea(&linea?) {
            Ok(base) => json!({ "base": base }),
            Err((code, message)) => json!({"error": {"code": code, "message": message}}),
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

    fn salida(entrada: &str) -> Vec<Value> {
        let mut out = Vec::new();
        run(entrada.as_bytes(), &mut out).unwrap();
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn bases_and_errors_one_per_line() {
        let entrada = [
            r#"{"nombre":"Ma. del Pilar","primer_apellido":"Alvarado","segundo_apellido":"Galindo","fecha_nacimiento":"1957-10-23","sexo":"M","entidad":"OC"}"#,
            r#"{"nombre":"Matea","primer_apellido":"Barrios","segundo_apellido":"","fecha_nacimiento":"1975-09-21","sexo":"mujer","entidad":"oc"}"#,
            r#"{"nombre":"Matea","primer_apellido":"Barrios","fecha_nacimiento":"1975-09-21","sexo":"M","entidad":"OC"}"#,
            r#"{"nombre":"Ana","primer_apellido":"Pérez","segundo_apellido":"","fecha_nacimiento":"1990-02-30","sexo":"M","entidad":"DF"}"#,
            r#"{"nombre":"Ana","primer_apellido":"Pérez","segundo_apellido":"","fecha_nacimiento":"1990-02-03","sexo":"Q","entidad":"DF"}"#,
            r#"{"nombre":"Ana","primer_apellido":"Pérez","segundo_apellido":"","fecha_nacimiento":"1990-02-03","sexo":"X","entidad":"ZZ"}"#,
            r#"{"nombre":"Ana","primer_apellido":"","segundo_apellido":"","fecha_nacimiento":"1990-02-03","sexo":"X","entidad":"NE"}"#,
            "no es json",
            "",
            r#"{"nombre": 5}"#,
        ]
        .join("\n");
        let v = salida(&entrada);
        assert_eq!(v.len(), 10);
        assert_eq!(v[0], json!({"base": "AAGP571023MOCLLL"}));
        assert_eq!(v[1], json!({"base": "BAXM750921MOCRXT"}));
        assert_eq!(v[2], json!({"base": "BAXM750921MOCRXT"}));
        assert_eq!(v[3]["error"]["code"], "fecha_invalida");
        assert_eq!(v[4]["error"]["code"], "sexo_invalido");
        assert_eq!(v[5]["error"]["code"], "entidad_invalida");
        assert_eq!(v[6]["error"]["code"], "curp_primer_apellido_faltante");
        assert_eq!(v[6]["error"]["message"], "Falta el primer apellido.");
        for (i, fila) in v.iter().enumerate().skip(7) {
            assert_eq!(fila["error"]["code"], "linea_invalida", "{i}");
            assert!(fila.get("base").is_none());
        }
    }
}
