//! Which IMSS subdelegación (the first two digits of a new NSS) serves an address.
//!
//! The table is a CSV with header `estado,municipio,subdelegacion`: `estado` is the INEGI state code (1–32),
//! `municipio` a municipality name or `*` for the rest of the state, `subdelegacion` the 2-digit code (1–99).
//! The embedded table (`assets/subdelegaciones.csv`) is ILLUSTRATIVE: the codes are not IMSS's official ones.
//! Operators replace it with the official table through `AFILIATE_SUBDELEGACIONES=<file.csv>`.

use afiliate_domain::postal::ESTADOS;
use std::collections::HashMap;

static EMBEDDED: &str = include_str!("../assets/subdelegaciones.csv");

/// Lower-case, accents removed, spaces collapsed: for comparing place names typed by people.
pub fn normalizar(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.trim().chars().flat_map(char::to_lowercase) {
        let c = match c {
            'á' | 'à' | 'ä' => 'a',
            'é' | 'è' | 'ë' => 'e',
            'í' | 'ì' | 'ï' => 'i',
            'ó' | 'ò' | 'ö' => 'o',
            'ú' | 'ù' | 'ü' => 'u',
            c => c,
        };
        if c.is_whitespace() {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The INEGI code of a state given as its code ("9", "09") or its name ("Ciudad de México", "cdmx", "Veracruz").
pub fn estado_clave(texto: &str) -> Option<u8> {
    let t = texto.trim();
    if let Ok(n) = t.parse::<u8>() {
        return (1..=32).contains(&n).then_some(n);
    }
    let n = normalizar(t);
    if n == "cdmx" || n == "distrito federal" {
        return Some(9);
    }
    if n == "estado de mexico" || n == "edomex" {
        return Some(15);
    }
    ESTADOS
        .iter()
        .position(|e| {
            let e = normalizar(e);
            e == n || e.split(' ').next() == Some(n.as_str()) && n.len() > 4
        })
        .map(|i| i as u8 + 1)
}

/// The lookup table.
#[derive(Clone, Debug)]
pub struct Subdelegaciones {
    por_estado: HashMap<u8, u8>,
    por_municipio: HashMap<(u8, String), u8>,
}

impl Subdelegaciones {
    /// The embedded illustrative table.
    pub fn embebida() -> Subdelegaciones {
        Subdelegaciones::from_csv(EMBEDDED).expect("embedded subdelegaciones table is valid")
    }

    /// Parses a table; every state needs a `*` row.
    pub fn from_csv(csv: &str) -> anyhow::Result<Subdelegaciones> {
        let mut por_estado = HashMap::new();
        let mut por_municipio = HashMap::new();
        for (i, linea) in csv.lines().enumerate() {
            let linea = linea.trim();
            if i == 0 || linea.is_empty() {
                continue;
            }
            let campos: Vec<&str> = linea.split(',').map(str::trim).collect();
            let [estado, municipio, sub] = campos[..] else {
                anyhow::bail!("line {}: expected 3 fields", i + 1);
            };
            let estado: u8 = estado
                .parse()
                .ok()
                .filter(|e| (1..=32).contains(e))
                .ok_or_else(|| anyhow::anyhow!("line {}: estado must be 1..=32", i + 1))?;
            let sub: u8 = sub
                .parse()
                .ok()
                .filter(|s| (1..=99).contains(s))
                .ok_or_else(|| anyhow::anyhow!("line {}: subdelegacion must be 1..=99", i + 1))?;
            if municipio == "*" {
                por_estado.insert(estado, sub);
            } else {
                por_municipio.insert((estado, normalizar(municipio)), sub);
            }
        }
        for e in 1..=32u8 {
            if !por_estado.contains_key(&e) {
                anyhow::bail!("estado {e} has no '*' row");
            }
        }
        Ok(Subdelegaciones {
            por_estado,
            por_municipio,
        })
    }

    /// Loads `path` when given, else the embedded table.
    pub fn cargar(path: Option<&std::path::Path>) -> anyhow::Result<Subdelegaciones> {
        match path {
            Some(p) => Subdelegaciones::from_csv(&std::fs::read_to_string(p)?),
            None => Ok(Subdelegaciones::embebida()),
        }
    }

    /// The subdelegación of a municipality of a state.
    pub fn para(&self, estado: u8, municipio: &str) -> Option<u8> {
        self.por_municipio
            .get(&(estado, normalizar(municipio)))
            .or_else(|| self.por_estado.get(&estado))
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_table_covers_every_state() {
        let t = Subdelegaciones::embebida();
        for e in 1..=32 {
            assert!(t.para(e, "Cualquiera").is_some());
        }
        assert_eq!(t.para(9, "Coyoacán"), Some(14));
        assert_eq!(t.para(9, "coyoacan"), Some(14));
        assert_eq!(t.para(9, "Benito Juárez"), Some(12));
        assert_eq!(t.para(33, "x"), None);
    }

    #[test]
    fn state_names_and_codes() {
        assert_eq!(estado_clave("09"), Some(9));
        assert_eq!(estado_clave("Ciudad de Mexico"), Some(9));
        assert_eq!(estado_clave("CDMX"), Some(9));
        assert_eq!(estado_clave("Veracruz"), Some(30));
        assert_eq!(estado_clave("nuevo león"), Some(19));
        assert_eq!(estado_clave("Narnia"), None);
        assert_eq!(estado_clave("0"), None);
    }

    #[test]
    fn a_table_without_a_state_is_refused() {
        assert!(Subdelegaciones::from_csv("estado,municipio,subdelegacion\n1,*,1\n").is_err());
    }
}
