//! Calendar dates without a date library (the wasm bundle stays small).

/// A real calendar date (proleptic Gregorian).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fecha {
    pub anio: u16,
    pub mes: u8,
    pub dia: u8,
}

/// Whether `anio` is a Gregorian leap year.
pub fn es_bisiesto(anio: u16) -> bool {
    (anio.is_multiple_of(4) && !anio.is_multiple_of(100)) || anio.is_multiple_of(400)
}

/// Days in `mes` (1..=12) of `anio`; 0 for a month that does not exist.
pub fn dias_del_mes(anio: u16, mes: u8) -> u8 {
    match mes {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if es_bisiesto(anio) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Fecha {
    /// The date, if it exists in the calendar (year 1..=9999).
    pub fn new(anio: u16, mes: u8, dia: u8) -> Option<Fecha> {
        if anio == 0 || anio > 9999 || dia == 0 || dia > dias_del_mes(anio, mes) {
            return None;
        }
        Some(Fecha { anio, mes, dia })
    }

    /// Parses `"YYYY-MM-DD"` (exactly that shape).
    pub fn parse_iso(s: &str) -> Option<Fecha> {
        let b = s.trim().as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let anio = digitos(&b[0..4])?;
        let mes = digitos(&b[5..7])?;
        let dia = digitos(&b[8..10])?;
        Fecha::new(anio as u16, mes as u8, dia as u8)
    }

    /// `"17/07/2017"`: how dates are shown to the student.
    pub fn dd_mm_aaaa(&self) -> String {
        let mut s = String::with_capacity(10);
        push_num(&mut s, self.dia as u32, 2);
        s.push('/');
        push_num(&mut s, self.mes as u32, 2);
        s.push('/');
        push_num(&mut s, self.anio as u32, 4);
        s
    }

    /// `"2017-07-17"`.
    pub fn iso(&self) -> String {
        let mut s = String::with_capacity(10);
        push_num(&mut s, self.anio as u32, 4);
        s.push('-');
        push_num(&mut s, self.mes as u32, 2);
        s.push('-');
        push_num(&mut s, self.dia as u32, 2);
        s
    }
}

/// The value of an all-ASCII-digit slice.
pub(crate) fn digitos(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 9 {
        return None;
    }
    let mut n = 0u32;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + (c - b'0') as u32;
    }
    Some(n)
}

/// Appends `n` zero-padded to `width` digits.
pub(crate) fn push_num(s: &mut String, n: u32, width: usize) {
    let mut buf = [b'0'; 10];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let digits = buf.len() - i;
    for _ in digits..width {
        s.push('0');
    }
    for &c in &buf[i..] {
        s.push(c as char);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_rules() {
        assert!(Fecha::new(2000, 2, 29).is_some()); // divisible by 400
        assert!(Fecha::new(1900, 2, 29).is_none()); // divisible by 100 only
        assert!(Fecha::new(2024, 2, 29).is_some());
        assert!(Fecha::new(2023, 2, 29).is_none());
        assert!(Fecha::new(2023, 4, 31).is_none());
        assert!(Fecha::new(2023, 13, 1).is_none());
        assert!(Fecha::new(2023, 0, 1).is_none());
        assert!(Fecha::new(2023, 1, 0).is_none());
        assert!(Fecha::new(2023, 12, 31).is_some());
    }

    #[test]
    fn iso_round_trip_and_display() {
        let f = Fecha::parse_iso("2017-07-17").unwrap();
        assert_eq!(
            f,
            Fecha {
                anio: 2017,
                mes: 7,
                dia: 17
            }
        );
        assert_eq!(f.dd_mm_aaaa(), "17/07/2017");
        assert_eq!(f.iso(), "2017-07-17");
        assert_eq!(Fecha::new(5, 1, 2).unwrap().iso(), "0005-01-02");
        for bad in [
            "2017-7-17",
            "2017/07/17",
            "2017-02-30",
            "abcd-01-01",
            "",
            "2017-07-170",
        ] {
            assert_eq!(Fecha::parse_iso(bad), None, "{bad}");
        }
    }
}
