//! The CURP (Clave Única de Registro de Población): validation, what it encodes, and generation of its first 16
//! characters from the person's data, following RENAPO's *Instructivo Normativo para la Asignación de la CURP*.

use crate::error_de_dominio;
use crate::fecha::Fecha;
use crate::texto::sin_acento_mayuscula;

/// A valid CURP: 18 upper-case ASCII characters, every position and the check digit verified.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Curp(String);

/// Why a CURP is not valid (or cannot be generated). Each variant says what to fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CurpError {
    Vacia,
    Longitud,
    CaracterInvalido,
    /// Positions 1-4 must be letters.
    Iniciales,
    /// Position 2 must be a vowel or X.
    SegundaLetra,
    PalabraInconveniente,
    /// Positions 5-10 must be digits.
    FechaFormato,
    FechaInexistente,
    Sexo,
    Entidad,
    /// Positions 14-16 must be consonants (or X).
    Consonantes,
    /// Position 17 must be a digit or a letter (a non-alphanumeric homoclave passed to [`generar`]; `parse`
    /// reports any such character as `CaracterInvalido`).
    Homoclave,
    DigitoVerificador,
    // Generation only.
    NombreFaltante,
    PrimerApellidoFaltante,
    /// CURPs encode births from 1900 to 2099.
    FechaFueraDeRango,
    /// The homoclave must be a digit for births before 2000 and a letter from 2000.
    HomoclaveSiglo,
}

error_de_dominio!(CurpError {
    CurpError::Vacia => ("curp_vacia", "Escribe tu CURP."),
    CurpError::Longitud => ("curp_longitud", "La CURP debe tener 18 caracteres."),
    CurpError::CaracterInvalido => ("curp_caracter_invalido", "La CURP solo puede tener letras (sin acentos ni Ñ) y números."),
    CurpError::Iniciales => ("curp_iniciales", "Los primeros 4 caracteres de la CURP deben ser letras."),
    CurpError::SegundaLetra => ("curp_segunda_letra", "La segunda letra de la CURP debe ser una vocal o X."),
    CurpError::PalabraInconveniente => (
        "curp_palabra_inconveniente",
        "Las primeras 4 letras de la CURP no son válidas: revisa que la hayas copiado bien."
    ),
    CurpError::FechaFormato => (
        "curp_fecha_formato",
        "Los caracteres 5 a 10 de la CURP deben ser números: tu fecha de nacimiento (año, mes y día)."
    ),
    CurpError::FechaInexistente => ("curp_fecha_inexistente", "La fecha de nacimiento de la CURP no existe."),
    CurpError::Sexo => ("curp_sexo", "El carácter 11 de la CURP debe ser H, M o X."),
    CurpError::Entidad => (
        "curp_entidad",
        "Los caracteres 12 y 13 de la CURP deben ser la clave de tu estado de nacimiento (por ejemplo DF o JC), o NE si naciste en el extranjero."
    ),
    CurpError::Consonantes => ("curp_consonantes", "Los caracteres 14 a 16 de la CURP deben ser consonantes."),
    CurpError::Homoclave => ("curp_homoclave", "El carácter 17 de la CURP debe ser un número o una letra."),
    CurpError::DigitoVerificador => (
        "curp_digito_verificador",
        "El último carácter de la CURP no corresponde: revisa los 18 caracteres."
    ),
    CurpError::NombreFaltante => ("curp_nombre_faltante", "Falta el nombre."),
    CurpError::PrimerApellidoFaltante => ("curp_primer_apellido_faltante", "Falta el primer apellido."),
    CurpError::FechaFueraDeRango => (
        "curp_fecha_fuera_de_rango",
        "La fecha de nacimiento debe estar entre 1900 y 2099."
    ),
    CurpError::HomoclaveSiglo => (
        "curp_homoclave_siglo",
        "El carácter 17 de la CURP debe ser un número si naciste antes de 2000, o una letra si naciste desde 2000."
    ),
});

/// Sex as the CURP encodes it (position 11).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sexo {
    Hombre,
    Mujer,
    /// RENAPO's non-binary marker `X`.
    NoBinario,
}

impl Sexo {
    /// `H`, `M` or `X`.
    pub fn letra(&self) -> char {
        match self {
            Sexo::Hombre => 'H',
            Sexo::Mujer => 'M',
            Sexo::NoBinario => 'X',
        }
    }

    /// From `H`, `M` or `X` (either case).
    pub fn parse(c: char) -> Option<Sexo> {
        match c.to_ascii_uppercase() {
            'H' => Some(Sexo::Hombre),
            'M' => Some(Sexo::Mujer),
            'X' => Some(Sexo::NoBinario),
            _ => None,
        }
    }

    /// Spanish name for display.
    pub fn nombre(&self) -> &'static str {
        match self {
            Sexo::Hombre => "Hombre",
            Sexo::Mujer => "Mujer",
            Sexo::NoBinario => "No binario",
        }
    }
}

/// The 33 codes of position 12-13, in INEGI order (index + 1 = INEGI state code), then NE.
const ENTIDADES: [(&str, &str); 33] = [
    ("AS", "Aguascalientes"),
    ("BC", "Baja California"),
    ("BS", "Baja California Sur"),
    ("CC", "Campeche"),
    ("CL", "Coahuila"),
    ("CM", "Colima"),
    ("CS", "Chiapas"),
    ("CH", "Chihuahua"),
    ("DF", "Ciudad de México"),
    ("DG", "Durango"),
    ("GT", "Guanajuato"),
    ("GR", "Guerrero"),
    ("HG", "Hidalgo"),
    ("JC", "Jalisco"),
    ("MC", "Estado de México"),
    ("MN", "Michoacán"),
    ("MS", "Morelos"),
    ("NT", "Nayarit"),
    ("NL", "Nuevo León"),
    ("OC", "Oaxaca"),
    ("PL", "Puebla"),
    ("QT", "Querétaro"),
    ("QR", "Quintana Roo"),
    ("SP", "San Luis Potosí"),
    ("SL", "Sinaloa"),
    ("SR", "Sonora"),
    ("TC", "Tabasco"),
    ("TS", "Tamaulipas"),
    ("TL", "Tlaxcala"),
    ("VZ", "Veracruz"),
    ("YN", "Yucatán"),
    ("ZS", "Zacatecas"),
    ("NE", "Nacido en el extranjero"),
];

/// The state of birth (positions 12-13): one of 32 states or NE (born abroad).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Entidad(u8);

impl Entidad {
    /// From the two-letter code (either case), e.g. `"JC"`.
    pub fn parse(code: &str) -> Option<Entidad> {
        let code = code.trim();
        ENTIDADES
            .iter()
            .position(|(c, _)| c.eq_ignore_ascii_case(code))
            .map(|i| Entidad(i as u8))
    }

    /// From the INEGI state code 1..=32.
    pub fn from_clave_inegi(clave: u8) -> Option<Entidad> {
        (1..=32).contains(&clave).then(|| Entidad(clave - 1))
    }

    /// The two-letter code, e.g. `"JC"`.
    pub fn codigo(&self) -> &'static str {
        ENTIDADES[self.0 as usize].0
    }

    /// The Spanish name, e.g. `"Jalisco"`; NE is "Nacido en el extranjero".
    pub fn nombre(&self) -> &'static str {
        ENTIDADES[self.0 as usize].1
    }

    /// The INEGI state code 1..=32, `None` for NE.
    pub fn clave_inegi(&self) -> Option<u8> {
        (self.0 < 32).then_some(self.0 + 1)
    }

    /// Whether this is NE (born abroad).
    pub fn es_extranjero(&self) -> bool {
        self.0 == 32
    }

    /// All 33, in INEGI order then NE (for a select box).
    pub fn todas() -> impl Iterator<Item = Entidad> {
        (0..33u8).map(Entidad)
    }
}

/// RENAPO's *Catálogo de palabras inconvenientes* (Instructivo Normativo, Anexo 2): 81 words. A real CURP never
/// starts with one; RENAPO replaces the second letter with X. Sorted, for binary search.
pub const PALABRAS_INCONVENIENTES: [&str; 81] = [
    "BACA", "BAKA", "BUEI", "BUEY", "CACA", "CACO", "CAGA", "CAGO", "CAKA", "CAKO", "COGE", "COGI",
    "COJA", "COJE", "COJI", "COJO", "COLA", "CULO", "FALO", "FETO", "GETA", "GUEI", "GUEY", "JETA",
    "JOTO", "KACA", "KACO", "KAGA", "KAGO", "KAKA", "KAKO", "KOGE", "KOGI", "KOJA", "KOJE", "KOJI",
    "KOJO", "KOLA", "KULO", "LILO", "LOCA", "LOCO", "LOKA", "LOKO", "MAME", "MAMO", "MEAR", "MEAS",
    "MEON", "MIAR", "MION", "MOCO", "MOKO", "MULA", "MULO", "NACA", "NACO", "PEDA", "PEDO", "PENE",
    "PIPI", "PITO", "POPO", "PUTA", "PUTO", "QULO", "RATA", "ROBA", "ROBE", "ROBO", "RUIN", "SENO",
    "TETA", "VACA", "VAGA", "VAGO", "VAKA", "VUEI", "VUEY", "WUEI", "WUEY",
];

/// Whether four upper-case letters are one of the 81 inconvenient words.
pub fn es_palabra_inconveniente(cuatro: &str) -> bool {
    PALABRAS_INCONVENIENTES.binary_search(&cuatro).is_ok()
}

/// The check-digit alphabet: a character's value is its index (Ñ included, as RENAPO's table has it).
pub const TABLA_VERIFICADOR: &str = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ";

fn valor_verificador(c: char) -> Option<u32> {
    // The index in TABLA_VERIFICADOR, computed: Ñ sits between N and O.
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        'A'..='N' => Some(c as u32 - 'A' as u32 + 10),
        'Ñ' => Some(24),
        'O'..='Z' => Some(c as u32 - 'O' as u32 + 25),
        _ => None,
    }
}

/// The check digit (position 18) of the first 17 characters: values from the table
/// "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ", weights 18 down to 2, (10 − sum mod 10) mod 10.
/// `None` unless `primeros17` is 17 characters of the table.
pub fn digito_verificador(primeros17: &str) -> Option<char> {
    let mut suma = 0u32;
    let mut n = 0u32;
    for c in primeros17.chars() {
        if n == 17 {
            return None;
        }
        suma += valor_verificador(c)? * (18 - n);
        n += 1;
    }
    if n != 17 {
        return None;
    }
    Some((b'0' + ((10 - suma % 10) % 10) as u8) as char)
}

fn es_vocal(c: u8) -> bool {
    matches!(c, b'A' | b'E' | b'I' | b'O' | b'U')
}

fn es_consonante(c: u8) -> bool {
    c.is_ascii_uppercase() && !es_vocal(c)
}

impl Curp {
    /// Normalisation only, for as-you-type display: trims, drops spaces and hyphens, upper-cases.
    pub fn normalize(input: &str) -> String {
        input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .flat_map(char::to_uppercase)
            .collect()
    }

    /// Normalises and checks every position and the check digit.
    pub fn parse(input: &str) -> Result<Curp, CurpError> {
        let s = Curp::normalize(input);
        if s.is_empty() {
            return Err(CurpError::Vacia);
        }
        if s.chars().count() != 18 {
            return Err(CurpError::Longitud);
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            return Err(CurpError::CaracterInvalido);
        }
        let b = s.as_bytes();
        if !b[0..4].iter().all(u8::is_ascii_uppercase) {
            return Err(CurpError::Iniciales);
        }
        if !(es_vocal(b[1]) || b[1] == b'X') {
            return Err(CurpError::SegundaLetra);
        }
        if es_palabra_inconveniente(&s[0..4]) {
            return Err(CurpError::PalabraInconveniente);
        }
        if !b[4..10].iter().all(u8::is_ascii_digit) {
            return Err(CurpError::FechaFormato);
        }
        // Position 17 (any digit or letter: checked above) gives the century: a digit before 2000, a letter from
        // 2000. So 29 February of a "00" year exists with a letter (2000) but not with a digit (1900).
        if fecha_de(b).is_none() {
            return Err(CurpError::FechaInexistente);
        }
        if Sexo::parse(b[10] as char).is_none() {
            return Err(CurpError::Sexo);
        }
        if Entidad::parse(&s[11..13]).is_none() {
            return Err(CurpError::Entidad);
        }
        if !b[13..16].iter().all(|&c| es_consonante(c)) {
            return Err(CurpError::Consonantes);
        }
        if digito_verificador(&s[..17]) != Some(b[17] as char) {
            return Err(CurpError::DigitoVerificador);
        }
        Ok(Curp(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The birth date (positions 5-10, century from position 17).
    pub fn fecha_nacimiento(&self) -> Fecha {
        // Checked by parse(); the fallback is unreachable for a parsed Curp.
        fecha_de(self.0.as_bytes()).unwrap_or(Fecha {
            anio: 1900,
            mes: 1,
            dia: 1,
        })
    }

    pub fn sexo(&self) -> Sexo {
        Sexo::parse(self.0.as_bytes()[10] as char).unwrap_or(Sexo::NoBinario)
    }

    pub fn entidad(&self) -> Entidad {
        Entidad::parse(&self.0[11..13]).unwrap_or(Entidad(32))
    }

    /// Position 17, the character RENAPO assigns to tell homonyms apart.
    pub fn homoclave(&self) -> char {
        self.0.as_bytes()[16] as char
    }
}

fn fecha_de(b: &[u8]) -> Option<Fecha> {
    let yy = crate::fecha::digitos(&b[4..6])? as u16;
    let mes = crate::fecha::digitos(&b[6..8])? as u8;
    let dia = crate::fecha::digitos(&b[8..10])? as u8;
    let siglo = if b[16].is_ascii_digit() { 1900 } else { 2000 };
    Fecha::new(siglo + yy, mes, dia)
}

impl std::fmt::Display for Curp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Curp {
    type Err = CurpError;
    fn from_str(s: &str) -> Result<Curp, CurpError> {
        Curp::parse(s)
    }
}

/// What the CURP is built from, as written on the birth certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DatosPersona<'a> {
    /// Given name(s), e.g. "María de los Ángeles".
    pub nombre: &'a str,
    pub primer_apellido: &'a str,
    /// May be "" (one surname only).
    pub segundo_apellido: &'a str,
    pub fecha_nacimiento: Fecha,
    pub sexo: Sexo,
    pub entidad: Entidad,
}

/// Rule (Instructivo, compound given names): when the name has more than one word and the first is MARIA, MA.,
/// MA, JOSE, J or J., the next word is used. Read after removing accents (MARÍA = MARIA, JOSÉ = JOSE).
const NOMBRES_OMITIDOS: [&str; 6] = ["MARIA", "MA.", "MA", "JOSE", "J", "J."];

/// Rule (Instructivo, compound names and surnames): a leading preposition, conjunction or contraction is dropped
/// and the next word used. We drop them repeatedly ("DE LA CRUZ" → CRUZ, "MARIA DE LOS ANGELES" → ANGELES) but
/// never the last word (a surname that is just "DE" stays "DE").
const PARTICULAS: [&str; 19] = [
    "DA", "DAS", "DE", "DEL", "DER", "DI", "DIE", "DD", "EL", "LA", "LOS", "LAS", "LE", "LES",
    "MAC", "MC", "VAN", "VON", "Y",
];

/// Rule (Instructivo, character handling): accents and diaeresis are removed (Á → A, Ü → U) and Ñ counts as X
/// wherever it lands in the key. Any other character that is not A-Z — the "caracteres especiales" the Instructivo
/// names (diagonal /, guion -, punto .) plus apostrophes and anything else — is kept in place as a marker, so that
/// a key position that would take it gets X ("JUAN JOSE D/AMICO ALVAREZ" → DXAJ: the internal-vowel scan meets the
/// "/" first). We read "first internal vowel/consonant" as: scan from the second character; the first character
/// that is a vowel (or consonant) gives the letter, but a special character met before one gives X.
fn palabras(texto: &str) -> Vec<String> {
    texto
        .split_whitespace()
        .map(|p| {
            p.chars()
                .map(|c| match sin_acento_mayuscula(c) {
                    'Ñ' => 'X',
                    c if c.is_ascii_uppercase() => c,
                    // Kept as-is for the MA./J. comparison; treated as a special character below.
                    '.' => '.',
                    _ => '/',
                })
                .collect()
        })
        .collect()
}

/// The word a compound name or surname contributes: drops leading particles (and, for given names, a leading
/// MARIA/JOSE…) while another word follows.
fn palabra_clave(texto: &str, es_nombre: bool) -> Option<String> {
    let mut ps = palabras(texto);
    // Rule: a word without any letter (a lone "/" or "-") is ignored; a name or surname without letters is missing.
    ps.retain(|p| p.bytes().any(|b| b.is_ascii_uppercase()));
    if ps.is_empty() {
        return None;
    }
    let mut i = 0;
    while i + 1 < ps.len() {
        let p = ps[i].as_str();
        let omitir = PARTICULAS.contains(&p) || (es_nombre && NOMBRES_OMITIDOS.contains(&p));
        if !omitir {
            break;
        }
        i += 1;
    }
    Some(ps.swap_remove(i))
}

fn letra_o_x(c: Option<u8>) -> char {
    match c {
        Some(c) if c.is_ascii_uppercase() => c as char,
        _ => 'X',
    }
}

/// First character after the first that satisfies `buscada`; a special character met first (or none) gives X.
fn primera_interna(palabra: &str, buscada: fn(u8) -> bool) -> char {
    for &c in palabra.as_bytes().iter().skip(1) {
        if !c.is_ascii_uppercase() {
            return 'X';
        }
        if buscada(c) {
            return c as char;
        }
    }
    'X'
}

/// The first 16 characters of the CURP the Instructivo gives for this person.
///
/// 1: first letter of the first surname; 2: its first internal vowel; 3: first letter of the second surname (X when
/// there is none); 4: first letter of the given name; 5-10: YYMMDD; 11: sex; 12-13: state; 14-16: first internal
/// consonant of first surname, second surname (X when none) and given name. X wherever a letter is missing.
/// Rule (Anexo 2): when 1-4 form an inconvenient word, position 2 becomes X.
pub fn base(datos: &DatosPersona) -> Result<String, CurpError> {
    let nombre = palabra_clave(datos.nombre, true).ok_or(CurpError::NombreFaltante)?;
    let ap1 =
        palabra_clave(datos.primer_apellido, false).ok_or(CurpError::PrimerApellidoFaltante)?;
    let ap2 = palabra_clave(datos.segundo_apellido, false);
    let f = datos.fecha_nacimiento;
    if !(1900..=2099).contains(&f.anio) {
        return Err(CurpError::FechaFueraDeRango);
    }
    let mut s = String::with_capacity(18);
    s.push(letra_o_x(ap1.bytes().next()));
    s.push(primera_interna(&ap1, es_vocal));
    s.push(letra_o_x(ap2.as_ref().and_then(|a| a.bytes().next())));
    s.push(letra_o_x(nombre.bytes().next()));
    if es_palabra_inconveniente(&s) {
        s.replace_range(1..2, "X");
    }
    crate::fecha::push_num(&mut s, (f.anio % 100) as u32, 2);
    crate::fecha::push_num(&mut s, f.mes as u32, 2);
    crate::fecha::push_num(&mut s, f.dia as u32, 2);
    s.push(datos.sexo.letra());
    s.push_str(datos.entidad.codigo());
    s.push(primera_interna(&ap1, es_consonante));
    s.push(
        ap2.as_deref()
            .map_or('X', |a| primera_interna(a, es_consonante)),
    );
    s.push(primera_interna(&nombre, es_consonante));
    Ok(s)
}

/// The whole CURP: [`base`] + `homoclave` (position 17, normally assigned by RENAPO) + the computed check digit.
/// The homoclave must be a digit for births before 2000 and a letter from 2000 (it encodes the century).
pub fn generar(datos: &DatosPersona, homoclave: char) -> Result<Curp, CurpError> {
    let mut s = base(datos)?;
    let h = homoclave.to_ascii_uppercase();
    if !h.is_ascii_alphanumeric() {
        return Err(CurpError::Homoclave);
    }
    let siglo_ok = if datos.fecha_nacimiento.anio < 2000 {
        h.is_ascii_digit()
    } else {
        h.is_ascii_uppercase()
    };
    if !siglo_ok {
        return Err(CurpError::HomoclaveSiglo);
    }
    s.push(h);
    let dv = digito_verificador(&s).ok_or(CurpError::Homoclave)?;
    s.push(dv);
    Curp::parse(&s)
}

/// Whether the CURP's first 16 characters are what the person's data give. Data that cannot produce a CURP never
/// matches.
pub fn coincide(curp: &Curp, datos: &DatosPersona) -> bool {
    base(datos).is_ok_and(|b| b == curp.as_str()[..16])
}

#[cfg(test)]
mod tests;

#[cfg(test)]
#[test]
fn check_digit_values_follow_the_table() {
    for (i, c) in TABLA_VERIFICADOR.chars().enumerate() {
        assert_eq!(valor_verificador(c), Some(i as u32), "{c}");
    }
    assert_eq!(valor_verificador('a'), None);
}
