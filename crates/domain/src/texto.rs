//! Small text helpers shared by the modules (no Unicode tables: only the letters Spanish names use).

/// Upper-cases `c` and removes its accent or diaeresis (`á` → `A`, `ü` → `U`). `Ñ`/`ñ` becomes `Ñ`
/// (callers decide what Ñ means for them). Other characters are returned upper-cased when ASCII, else as is.
pub(crate) fn sin_acento_mayuscula(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'Á' | 'À' | 'Â' | 'Ä' | 'Ã' | 'Å' => 'A',
        'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'E',
        'í' | 'ì' | 'î' | 'ï' | 'Í' | 'Ì' | 'Î' | 'Ï' => 'I',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'Ó' | 'Ò' | 'Ô' | 'Ö' | 'Õ' => 'O',
        'ú' | 'ù' | 'û' | 'ü' | 'Ú' | 'Ù' | 'Û' | 'Ü' => 'U',
        'ç' | 'Ç' => 'C',
        'ñ' | 'Ñ' => 'Ñ',
        _ => c.to_ascii_uppercase(),
    }
}

/// A comparison key: accents removed, upper-case, runs of whitespace collapsed to one space, trimmed.
pub(crate) fn clave_comparacion(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for palabra in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(palabra.chars().map(sin_acento_mayuscula));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_spanish_accents() {
        assert_eq!(
            clave_comparacion("  Michoacán   de Ocampo "),
            "MICHOACAN DE OCAMPO"
        );
        assert_eq!(clave_comparacion("Güero Ñoño"), "GUERO ÑOÑO");
    }
}
