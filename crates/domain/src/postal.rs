//! The SEPOMEX postal-code catalog: código postal → estado, municipio, ciudad and asentamientos.
//!
//! One text format serves everything: a record is one UTF-8 line
//! `CP|estado_clave|municipio|ciudad|asentamiento|tipo|asentamiento|tipo…`, records sorted by code.
//! The server's compact file (`catalogo.bin`) is a magic line followed by all records; the browser's static shards
//! are the same lines split by the code's first four digits (`0100.txt` holds 01000-01009), so the wasm app
//! parses them with `str::lines` and `split('|')`, no JSON.
//!
//! Why four digits: on the full catalog (32,236 codes) three-digit shards reach 18.7 KB brotli (`852.txt`, rural
//! Sonora), over the 12 KB budget for one lookup; four-digit shards are 8,087 files, at most 7.7 KB brotli
//! (median 161 bytes).

use crate::api;
use crate::error_de_dominio;
use crate::texto::clave_comparacion;
use std::collections::BTreeMap;

/// First bytes of `catalogo.bin` (format version 1).
pub const MAGIA: &[u8] = b"AFILIATE-CP 1\n";

/// The 32 states as SEPOMEX names them (`d_estado`), in INEGI order: index + 1 = INEGI code.
pub const ESTADOS: [&str; 32] = [
    "Aguascalientes",
    "Baja California",
    "Baja California Sur",
    "Campeche",
    "Coahuila de Zaragoza",
    "Colima",
    "Chiapas",
    "Chihuahua",
    "Ciudad de México",
    "Durango",
    "Guanajuato",
    "Guerrero",
    "Hidalgo",
    "Jalisco",
    "México",
    "Michoacán de Ocampo",
    "Morelos",
    "Nayarit",
    "Nuevo León",
    "Oaxaca",
    "Puebla",
    "Querétaro",
    "Quintana Roo",
    "San Luis Potosí",
    "Sinaloa",
    "Sonora",
    "Tabasco",
    "Tamaulipas",
    "Tlaxcala",
    "Veracruz de Ignacio de la Llave",
    "Yucatán",
    "Zacatecas",
];

/// Other names sources use for a state (compared without accents or case).
const ALIAS_ESTADOS: [(&str, u8); 9] = [
    ("COAHUILA", 5),
    ("DISTRITO FEDERAL", 9),
    ("CDMX", 9),
    ("ESTADO DE MEXICO", 15),
    ("MICHOACAN", 16),
    ("QUERETARO DE ARTEAGA", 22),
    ("VERACRUZ", 30),
    ("VERACRUZ-LLAVE", 30),
    ("VERACRUZ LLAVE", 30),
];

/// The SEPOMEX name of an INEGI state code 1..=32.
pub fn nombre_estado(clave: u8) -> Option<&'static str> {
    ESTADOS.get((clave as usize).wrapping_sub(1)).copied()
}

/// The INEGI code 1..=32 of a state name (accents, case and extra spaces ignored; common aliases accepted).
pub fn clave_estado(nombre: &str) -> Option<u8> {
    let clave = clave_comparacion(nombre);
    ESTADOS
        .iter()
        .position(|e| clave_comparacion(e) == clave)
        .map(|i| i as u8 + 1)
        .or_else(|| {
            ALIAS_ESTADOS
                .iter()
                .find(|(a, _)| *a == clave)
                .map(|(_, c)| *c)
        })
}

/// Why a postal code is not valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CodigoPostalError {
    Vacio,
    Formato,
    /// Well-formed but not in the catalog.
    NoEncontrado,
}

error_de_dominio!(CodigoPostalError {
    CodigoPostalError::Vacio => ("cp_vacio", "Escribe tu código postal."),
    CodigoPostalError::Formato => ("cp_formato", "El código postal debe tener 5 números."),
    CodigoPostalError::NoEncontrado => (
        "cp_no_encontrado",
        "No encontramos ese código postal. Revísalo, o escribe tu estado, municipio y colonia."
    ),
});

/// Why a catalog file cannot be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CatalogoError {
    /// Not a `catalogo.bin` (bad magic, not UTF-8, malformed or unsorted records).
    Formato,
    /// A SEPOMEX file without the `d_codigo|d_asenta|…` header on line 1 or 2.
    Encabezado,
    /// No valid record at all.
    SinRegistros,
}

error_de_dominio!(CatalogoError {
    CatalogoError::Formato => ("catalogo_formato", "El archivo del catálogo postal está dañado o no tiene el formato esperado."),
    CatalogoError::Encabezado => (
        "catalogo_encabezado",
        "El archivo de SEPOMEX no tiene el encabezado esperado (d_codigo|d_asenta|d_tipo_asenta|…)."
    ),
    CatalogoError::SinRegistros => ("catalogo_sin_registros", "El archivo no tiene ningún código postal válido."),
});

/// A source line the importer skipped, and why (1-based line number; never the line's content).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineaInvalida {
    pub linea: usize,
    pub motivo: &'static str,
}

/// Checks a postal code as typed (spaces and hyphens ignored): 5 digits. Returns the 5 digits.
pub fn codigo_postal_valido(cp: &str) -> Result<String, CodigoPostalError> {
    let limpio: String = cp
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if limpio.is_empty() {
        return Err(CodigoPostalError::Vacio);
    }
    if limpio.len() != 5 || !limpio.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CodigoPostalError::Formato);
    }
    Ok(limpio)
}

fn codigo_numerico(cp: &str) -> Option<u32> {
    let b = cp.as_bytes();
    (b.len() == 5).then(|| crate::fecha::digitos(b)).flatten()
}

/// One postal code with everything the address form needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entrada {
    pub codigo_postal: String,
    /// INEGI state code 1..=32.
    pub estado_clave: u8,
    pub estado: String,
    pub municipio: String,
    pub ciudad: String,
    pub asentamientos: Vec<api::Asentamiento>,
}

impl Entrada {
    pub fn to_api(&self) -> api::CodigoPostal {
        api::CodigoPostal {
            codigo_postal: self.codigo_postal.clone(),
            estado: self.estado.clone(),
            municipio: self.municipio.clone(),
            ciudad: self.ciudad.clone(),
            asentamientos: self.asentamientos.clone(),
        }
    }

    /// Parses one record line; `None` when malformed.
    fn from_linea(linea: &str) -> Option<Entrada> {
        let mut campos = linea.split('|');
        let cp = campos.next()?;
        codigo_numerico(cp)?;
        let estado_clave: u8 = campos.next()?.parse().ok()?;
        let estado = nombre_estado(estado_clave)?;
        let municipio = campos.next()?;
        let ciudad = campos.next()?;
        let mut asentamientos = Vec::new();
        while let Some(nombre) = campos.next() {
            let tipo = campos.next()?;
            asentamientos.push(api::Asentamiento {
                nombre: nombre.to_string(),
                tipo: tipo.to_string(),
            });
        }
        Some(Entrada {
            codigo_postal: cp.to_string(),
            estado_clave,
            estado: estado.to_string(),
            municipio: municipio.to_string(),
            ciudad: ciudad.to_string(),
            asentamientos,
        })
    }

    fn escribir_linea(&self, out: &mut String) {
        out.push_str(&self.codigo_postal);
        out.push('|');
        crate::fecha::push_num(out, self.estado_clave as u32, 1);
        for campo in [&self.municipio, &self.ciudad] {
            out.push('|');
            out.push_str(campo);
        }
        for a in &self.asentamientos {
            out.push('|');
            out.push_str(&a.nombre);
            out.push('|');
            out.push_str(&a.tipo);
        }
    }
}

/// A field as stored: no separators or line breaks, trimmed, inner whitespace collapsed.
fn limpiar(campo: &str) -> String {
    let mut out = String::with_capacity(campo.len());
    for palabra in campo
        .split(|c: char| c.is_whitespace() || c == '|')
        .filter(|p| !p.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(palabra);
    }
    out
}

/// A sort key in Spanish alphabetical order: accents and case ignored, Ñ right after N.
fn orden_alfabetico(s: &str) -> String {
    clave_comparacion(s).replace('Ñ', "N\u{7f}")
}

/// Collects source rows (one per asentamiento) into a [`Catalogo`].
#[derive(Default)]
pub struct CatalogoBuilder {
    entradas: BTreeMap<u32, Entrada>,
}

impl CatalogoBuilder {
    pub fn new() -> CatalogoBuilder {
        CatalogoBuilder::default()
    }

    /// Adds one asentamiento of a code. The code's municipio and estado come from its first row; its ciudad from
    /// the first row that has one. A repeated (nombre, tipo) is ignored.
    pub fn agregar(
        &mut self,
        cp: &str,
        estado_clave: u8,
        municipio: &str,
        ciudad: &str,
        asentamiento: &str,
        tipo: &str,
    ) -> Result<(), &'static str> {
        let cp = cp.trim();
        let n = codigo_numerico(cp).ok_or("código postal inválido")?;
        let estado = nombre_estado(estado_clave).ok_or("clave de estado inválida")?;
        let nombre = limpiar(asentamiento);
        if nombre.is_empty() {
            return Err("asentamiento vacío");
        }
        let entrada = self.entradas.entry(n).or_insert_with(|| Entrada {
            codigo_postal: cp.to_string(),
            estado_clave,
            estado: estado.to_string(),
            municipio: limpiar(municipio),
            ciudad: String::new(),
            asentamientos: Vec::new(),
        });
        if entrada.ciudad.is_empty() {
            entrada.ciudad = limpiar(ciudad);
        }
        let tipo = limpiar(tipo);
        if !entrada
            .asentamientos
            .iter()
            .any(|a| a.nombre == nombre && a.tipo == tipo)
        {
            entrada
                .asentamientos
                .push(api::Asentamiento { nombre, tipo });
        }
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.entradas.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entradas.is_empty()
    }

    /// The catalog, asentamientos of each code sorted alphabetically (ignoring accents and case).
    pub fn build(self) -> Catalogo {
        let mut texto = String::new();
        let mut indice = Vec::with_capacity(self.entradas.len());
        for (n, mut e) in self.entradas {
            e.asentamientos
                .sort_by_cached_key(|a| (orden_alfabetico(&a.nombre), a.tipo.clone()));
            let inicio = texto.len();
            e.escribir_linea(&mut texto);
            indice.push((n, inicio as u32, texto.len() as u32));
            texto.push('\n');
        }
        Catalogo { texto, indice }
    }
}

/// The whole catalog in memory: the record text plus a sorted index (code, start, end) for binary search.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Catalogo {
    texto: String,
    indice: Vec<(u32, u32, u32)>,
}

impl Catalogo {
    /// Reads a file written by [`Catalogo::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Catalogo, CatalogoError> {
        let cuerpo = bytes.strip_prefix(MAGIA).ok_or(CatalogoError::Formato)?;
        let texto = std::str::from_utf8(cuerpo).map_err(|_| CatalogoError::Formato)?;
        let mut indice = Vec::with_capacity(texto.len() / 180);
        let mut inicio = 0usize;
        for linea in texto.split_inclusive('\n') {
            let contenido = linea.strip_suffix('\n').unwrap_or(linea);
            let n = contenido
                .get(..5)
                .and_then(codigo_numerico)
                .filter(|_| contenido.as_bytes().get(5) == Some(&b'|'))
                .ok_or(CatalogoError::Formato)?;
            if indice.last().is_some_and(|&(previo, _, _)| previo >= n) {
                return Err(CatalogoError::Formato);
            }
            indice.push((n, inicio as u32, (inicio + contenido.len()) as u32));
            inicio += linea.len();
        }
        Ok(Catalogo {
            texto: texto.to_string(),
            indice,
        })
    }

    /// The compact file: [`MAGIA`] then one record per line.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(MAGIA.len() + self.texto.len());
        out.extend_from_slice(MAGIA);
        out.extend_from_slice(self.texto.as_bytes());
        out
    }

    /// The entry of a code (spaces and hyphens in `cp` ignored).
    pub fn lookup(&self, cp: &str) -> Option<Entrada> {
        self.linea(cp).and_then(Entrada::from_linea)
    }

    fn linea(&self, cp: &str) -> Option<&str> {
        let n = if cp.len() == 5 {
            codigo_numerico(cp)?
        } else {
            codigo_numerico(&codigo_postal_valido(cp).ok()?)?
        };
        let i = self.indice.binary_search_by_key(&n, |&(c, _, _)| c).ok()?;
        let (_, inicio, fin) = self.indice[i];
        self.texto.get(inicio as usize..fin as usize)
    }

    /// Whether the code is in the catalog.
    pub fn contiene(&self, cp: &str) -> bool {
        self.linea(cp).is_some()
    }

    /// Number of postal codes.
    pub fn len(&self) -> usize {
        self.indice.len()
    }

    pub fn is_empty(&self) -> bool {
        self.indice.is_empty()
    }

    /// Total asentamientos over all codes.
    pub fn total_asentamientos(&self) -> usize {
        self.entradas().map(|e| e.asentamientos.len()).sum()
    }

    /// Every entry, in code order.
    pub fn entradas(&self) -> impl Iterator<Item = Entrada> + '_ {
        self.texto.lines().filter_map(Entrada::from_linea)
    }

    /// Imports SEPOMEX's `CPdescarga.txt`: Latin-1 (UTF-8 is accepted too), pipe-delimited, line 1 a legal
    /// notice, line 2 the header `d_codigo|d_asenta|d_tipo_asenta|D_mnpio|d_estado|d_ciudad|d_CP|c_estado|…`.
    /// Lines that cannot be used are skipped and reported.
    pub fn from_sepomex_txt(
        latin1_bytes: &[u8],
    ) -> Result<(Catalogo, Vec<LineaInvalida>), CatalogoError> {
        // Latin-1 maps each byte to the code point of the same value. A Latin-1 file with accents is never valid
        // UTF-8 (an accented letter is a lone byte ≥ 0x80), so a file that is valid UTF-8 is read as UTF-8.
        let texto: std::borrow::Cow<str> = match std::str::from_utf8(latin1_bytes) {
            Ok(s) => s.into(),
            Err(_) => latin1_bytes
                .iter()
                .map(|&b| b as char)
                .collect::<String>()
                .into(),
        };
        let mut lineas = texto
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .enumerate();
        let es_encabezado = |l: &str| {
            l.trim_start_matches('\u{feff}')
                .to_ascii_lowercase()
                .starts_with("d_codigo|")
        };
        // The header is line 2 (line 1 is the legal notice); a file whose notice was removed has it on line 1.
        let mut encontrado = false;
        for (i, l) in lineas.by_ref().take(2) {
            if es_encabezado(l) {
                encontrado = true;
                break;
            }
            if i == 1 {
                break;
            }
        }
        if !encontrado {
            return Err(CatalogoError::Encabezado);
        }
        let mut builder = CatalogoBuilder::new();
        let mut invalidas = Vec::new();
        for (i, linea) in lineas {
            if linea.trim().is_empty() {
                continue;
            }
            let c: Vec<&str> = linea.split('|').collect();
            let resultado = if c.len() < 8 {
                Err("faltan columnas")
            } else {
                match c[7].trim().parse::<u8>() {
                    Ok(clave) => builder.agregar(c[0], clave, c[3], c[5], c[1], c[2]),
                    Err(_) => Err("clave de estado inválida"),
                }
            };
            if let Err(motivo) = resultado {
                invalidas.push(LineaInvalida {
                    linea: i + 1,
                    motivo,
                });
            }
        }
        if builder.is_empty() {
            return Err(CatalogoError::SinRegistros);
        }
        Ok((builder.build(), invalidas))
    }

    /// Static files for the browser: `(file name, contents)`, one per 4-digit code prefix that has codes.
    pub fn shards(&self) -> Vec<(String, Vec<u8>)> {
        let mut out: Vec<(String, Vec<u8>)> = Vec::new();
        for linea in self.texto.split_inclusive('\n') {
            let nombre = shard_file(&linea[..5]).unwrap_or_default();
            match out.last_mut() {
                Some((n, contenido)) if *n == nombre => {
                    contenido.extend_from_slice(linea.as_bytes())
                }
                _ => out.push((nombre, linea.as_bytes().to_vec())),
            }
        }
        out
    }
}

/// Digits of the code that name its shard.
pub const DIGITOS_SHARD: usize = 4;

/// The shard file that holds a code: its first four digits + `.txt` (`"01000"` → `"0100.txt"`).
pub fn shard_file(cp: &str) -> Option<String> {
    let cp = codigo_postal_valido(cp).ok()?;
    let mut s = String::with_capacity(DIGITOS_SHARD + 4);
    s.push_str(&cp[..DIGITOS_SHARD]);
    s.push_str(".txt");
    Some(s)
}

/// Finds a code in a shard's text (as served from `/catalogo/cp/{shard_file(cp)}`).
pub fn lookup_in_shard(shard: &str, cp: &str) -> Option<api::CodigoPostal> {
    let cp = codigo_postal_valido(cp).ok()?;
    shard
        .lines()
        .find(|l| l.len() > 5 && l.starts_with(cp.as_str()) && l.as_bytes()[5] == b'|')
        .and_then(Entrada::from_linea)
        .map(|e| e.to_api())
}

#[cfg(test)]
mod tests;
