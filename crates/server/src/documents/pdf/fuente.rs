//! Embedded TrueType fonts for the PDF writer.
//!
//! Each font is subset ONCE (at first use) to the glyphs of the WinAnsi character set, its unused tables dropped,
//! compressed, and its PDF objects serialised; every document then copies those bytes. Glyph ids are kept (unused
//! glyphs become empty), so the font's own `cmap` and `hmtx` stay valid and no re-mapping is needed: text is written
//! as WinAnsi bytes with `/Encoding /WinAnsiEncoding`, which any PDF reader maps back to Unicode (accents and Ñ).

use std::collections::BTreeSet;
use std::sync::LazyLock;

static REGULAR_TTF: &[u8] = include_bytes!("../../../assets/fonts/Montserrat_400Regular.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../../../assets/fonts/Montserrat_700Bold.ttf");

/// The font weights the templates may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Peso {
    Regular,
    Negrita,
}

/// A font ready to embed: widths per WinAnsi code and the compressed subset font program.
pub struct Fuente {
    /// PostScript name with a subset tag, e.g. `AFLATE+Montserrat-Regular`.
    pub nombre_base: String,
    /// Advance widths in 1/1000 em for the codes 32..=255.
    pub anchos: [u16; 224],
    pub ascent: i32,
    pub descent: i32,
    pub cap_height: i32,
    pub bbox: [i32; 4],
    /// The zlib-compressed subset font program (`/FontFile2`).
    pub programa: Vec<u8>,
    /// Its length before compression (`/Length1`).
    pub longitud_original: usize,
}

impl Fuente {
    /// Width of `texto` at `tamano` points, in points.
    pub fn ancho(&self, texto: &str, tamano: f32) -> f32 {
        let milesimas: u32 = texto
            .chars()
            .map(|c| self.anchos[(winansi(c) - 32) as usize] as u32)
            .sum();
        milesimas as f32 * tamano / 1000.0
    }
}

/// Both weights, built on first use.
pub struct Fuentes {
    pub regular: Fuente,
    pub negrita: Fuente,
}

impl Fuentes {
    pub fn de(&self, peso: Peso) -> &Fuente {
        match peso {
            Peso::Regular => &self.regular,
            Peso::Negrita => &self.negrita,
        }
    }
}

/// The process-wide fonts (subset and compressed once).
pub static FUENTES: LazyLock<Fuentes> = LazyLock::new(|| Fuentes {
    regular: preparar(REGULAR_TTF, "AFLREG+Montserrat-Regular"),
    negrita: preparar(BOLD_TTF, "AFLBLD+Montserrat-Bold"),
});

/// Unicode for the WinAnsi codes 0x80..=0x9F (0 where undefined).
const WINANSI_80: [u16; 32] = [
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
    0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC,
    0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
];

/// The Unicode character of a WinAnsi code (32..=255), if any.
pub fn unicode_de(code: u8) -> Option<char> {
    match code {
        0x20..=0x7E | 0xA0..=0xFF => Some(code as char),
        0x80..=0x9F => match WINANSI_80[(code - 0x80) as usize] {
            0 => None,
            u => char::from_u32(u as u32),
        },
        _ => None,
    }
}

/// The WinAnsi code of a character; `?` for characters outside the set (never a panic).
pub fn winansi(c: char) -> u8 {
    let u = c as u32;
    match u {
        0x20..=0x7E | 0xA0..=0xFF => u as u8,
        _ => WINANSI_80
            .iter()
            .position(|&w| w as u32 == u && w != 0)
            .map(|i| 0x80 + i as u8)
            .unwrap_or(b'?'),
    }
}

fn preparar(ttf: &'static [u8], nombre_base: &str) -> Fuente {
    let cara = ttf_parser::Face::parse(ttf, 0).expect("embedded Montserrat font parses");
    let upem = cara.units_per_em() as i32;
    let escala = |v: i32| v * 1000 / upem;
    let mut anchos = [0u16; 224];
    let mut glifos = BTreeSet::new();
    glifos.insert(0u16);
    for code in 32u8..=255 {
        let Some(c) = unicode_de(code) else { continue };
        let c = if code == 0xA0 { ' ' } else { c };
        if let Some(g) = cara.glyph_index(c) {
            glifos.insert(g.0);
            let avance = cara.glyph_hor_advance(g).unwrap_or(0) as i32;
            anchos[(code - 32) as usize] = escala(avance) as u16;
        }
    }
    let bb = cara.global_bounding_box();
    let subconjunto = subset(ttf, &glifos).expect("embedded Montserrat font subsets");
    let programa = miniz_oxide::deflate::compress_to_vec_zlib(&subconjunto, 9);
    Fuente {
        nombre_base: nombre_base.to_string(),
        anchos,
        ascent: escala(cara.ascender() as i32),
        descent: escala(cara.descender() as i32),
        cap_height: escala(cara.capital_height().unwrap_or(700) as i32),
        bbox: [
            escala(bb.x_min as i32),
            escala(bb.y_min as i32),
            escala(bb.x_max as i32),
            escala(bb.y_max as i32),
        ],
        programa,
        longitud_original: subconjunto.len(),
    }
}

fn be16(d: &[u8], o: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*d.get(o)?, *d.get(o + 1)?]))
}

fn be32(d: &[u8], o: usize) -> Option<u32> {
    Some(u32::from_be_bytes([
        *d.get(o)?,
        *d.get(o + 1)?,
        *d.get(o + 2)?,
        *d.get(o + 3)?,
    ]))
}

/// Tables a PDF reader needs from a TrueType font program; everything else (GPOS, GSUB, names of glyphs…) is dropped.
const TABLAS: [&[u8; 4]; 12] = [
    b"OS/2", b"cmap", b"cvt ", b"fpgm", b"glyf", b"head", b"hhea", b"hmtx", b"loca", b"maxp",
    b"post", b"prep",
];

/// Keeps only `keep` (plus the components of composite glyphs) in `glyf`, with the glyph ids unchanged.
pub fn subset(ttf: &[u8], keep: &BTreeSet<u16>) -> Option<Vec<u8>> {
    let num_tablas = be16(ttf, 4)? as usize;
    let mut tablas: Vec<([u8; 4], &[u8])> = Vec::new();
    for i in 0..num_tablas {
        let e = 12 + 16 * i;
        let tag: [u8; 4] = ttf.get(e..e + 4)?.try_into().ok()?;
        let off = be32(ttf, e + 8)? as usize;
        let len = be32(ttf, e + 12)? as usize;
        tablas.push((tag, ttf.get(off..off + len)?));
    }
    let tabla = |t: &[u8; 4]| tablas.iter().find(|(tag, _)| tag == t).map(|(_, d)| *d);
    let head = tabla(b"head")?;
    let maxp = tabla(b"maxp")?;
    let loca = tabla(b"loca")?;
    let glyf = tabla(b"glyf")?;
    let num_glifos = be16(maxp, 4)? as usize;
    let loca_larga = be16(head, 50)? == 1;
    let offset = |g: usize| -> Option<usize> {
        if loca_larga {
            be32(loca, 4 * g).map(|v| v as usize)
        } else {
            be16(loca, 2 * g).map(|v| v as usize * 2)
        }
    };
    // Close the set over composite components.
    let mut todos: BTreeSet<u16> = keep
        .iter()
        .copied()
        .filter(|&g| (g as usize) < num_glifos)
        .collect();
    let mut pendientes: Vec<u16> = todos.iter().copied().collect();
    while let Some(g) = pendientes.pop() {
        let (a, b) = (offset(g as usize)?, offset(g as usize + 1)?);
        let datos = glyf.get(a..b)?;
        if datos.len() < 10 || (be16(datos, 0)? as i16) >= 0 {
            continue;
        }
        let mut p = 10;
        loop {
            let flags = be16(datos, p)?;
            let comp = be16(datos, p + 2)?;
            if todos.insert(comp) {
                pendientes.push(comp);
            }
            p += 4 + if flags & 0x0001 != 0 { 4 } else { 2 };
            p += if flags & 0x0008 != 0 {
                2
            } else if flags & 0x0040 != 0 {
                4
            } else if flags & 0x0080 != 0 {
                8
            } else {
                0
            };
            if flags & 0x0020 == 0 {
                break;
            }
        }
    }
    let mut nuevo_glyf = Vec::new();
    let mut nueva_loca = Vec::with_capacity(4 * (num_glifos + 1));
    for g in 0..num_glifos {
        nueva_loca.extend_from_slice(&(nuevo_glyf.len() as u32).to_be_bytes());
        if todos.contains(&(g as u16)) {
            nuevo_glyf.extend_from_slice(glyf.get(offset(g)?..offset(g + 1)?)?);
            while nuevo_glyf.len() % 4 != 0 {
                nuevo_glyf.push(0);
            }
        }
    }
    nueva_loca.extend_from_slice(&(nuevo_glyf.len() as u32).to_be_bytes());
    let mut nuevo_head = head.to_vec();
    nuevo_head[8..12].copy_from_slice(&[0; 4]); // checkSumAdjustment, set below
    nuevo_head[50..52].copy_from_slice(&1u16.to_be_bytes()); // long loca
    let mut nuevo_post = tabla(b"post")?.get(..32)?.to_vec();
    nuevo_post[0..4].copy_from_slice(&0x0003_0000u32.to_be_bytes()); // no glyph names

    let mut salida_tablas: Vec<([u8; 4], Vec<u8>)> = Vec::new();
    for tag in TABLAS {
        let datos = match tag {
            b"glyf" => nuevo_glyf.clone(),
            b"loca" => nueva_loca.clone(),
            b"head" => nuevo_head.clone(),
            b"post" => nuevo_post.clone(),
            _ => match tabla(tag) {
                Some(d) => d.to_vec(),
                None => continue,
            },
        };
        salida_tablas.push((*tag, datos));
    }
    Some(ensamblar(&salida_tablas))
}

fn suma(datos: &[u8]) -> u32 {
    datos.chunks(4).fold(0u32, |acc, c| {
        let mut w = [0u8; 4];
        w[..c.len()].copy_from_slice(c);
        acc.wrapping_add(u32::from_be_bytes(w))
    })
}

/// Writes an sfnt file from tables sorted by tag, with checksums and head.checkSumAdjustment.
fn ensamblar(tablas: &[([u8; 4], Vec<u8>)]) -> Vec<u8> {
    let n = tablas.len();
    let mut potencia = 1;
    let mut log = 0u16;
    while potencia * 2 <= n {
        potencia *= 2;
        log += 1;
    }
    let mut out = Vec::new();
    out.extend_from_slice(&0x0001_0000u32.to_be_bytes());
    out.extend_from_slice(&(n as u16).to_be_bytes());
    out.extend_from_slice(&((potencia * 16) as u16).to_be_bytes());
    out.extend_from_slice(&log.to_be_bytes());
    out.extend_from_slice(&((n * 16 - potencia * 16) as u16).to_be_bytes());
    let mut offset = 12 + 16 * n;
    let mut head_offset = 0;
    for (tag, datos) in tablas {
        if tag == b"head" {
            head_offset = offset;
        }
        out.extend_from_slice(tag);
        out.extend_from_slice(&suma(datos).to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(datos.len() as u32).to_be_bytes());
        offset += datos.len().div_ceil(4) * 4;
    }
    for (_, datos) in tablas {
        out.extend_from_slice(datos);
        while out.len() % 4 != 0 {
            out.push(0);
        }
    }
    let ajuste = 0xB1B0_AFBAu32.wrapping_sub(suma(&out));
    out[head_offset + 8..head_offset + 12].copy_from_slice(&ajuste.to_be_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn winansi_maps_spanish_letters_and_falls_back_to_question_mark() {
        assert_eq!(winansi('Ñ'), 0xD1);
        assert_eq!(winansi('ú'), 0xFA);
        assert_eq!(winansi('€'), 0x80);
        assert_eq!(winansi('—'), 0x97);
        assert_eq!(winansi('漢'), b'?');
        for code in 32u8..=255 {
            if let Some(c) = unicode_de(code) {
                assert_eq!(winansi(c), code, "{c}");
            }
        }
    }

    #[test]
    fn subset_font_is_small_and_still_parses_with_the_same_glyphs() {
        let f = &FUENTES.regular;
        let programa = miniz_oxide::inflate::decompress_to_vec_zlib(&f.programa).expect("inflates");
        assert_eq!(programa.len(), f.longitud_original);
        assert!(
            programa.len() < REGULAR_TTF.len() / 3,
            "subset is {} bytes",
            programa.len()
        );
        let original = ttf_parser::Face::parse(REGULAR_TTF, 0).unwrap();
        let cara = ttf_parser::Face::parse(&programa, 0).expect("subset parses");
        for c in ['Ñ', 'ñ', 'á', 'é', 'í', 'ó', 'ú', 'A', 'z', '0', '|'] {
            let g = cara.glyph_index(c).expect("glyph kept");
            assert_eq!(Some(g), original.glyph_index(c));
            let mut caja = Vec::new();
            struct Cuenta<'a>(&'a mut Vec<u8>);
            impl ttf_parser::OutlineBuilder for Cuenta<'_> {
                fn move_to(&mut self, _: f32, _: f32) {
                    self.0.push(0)
                }
                fn line_to(&mut self, _: f32, _: f32) {}
                fn quad_to(&mut self, _: f32, _: f32, _: f32, _: f32) {}
                fn curve_to(&mut self, _: f32, _: f32, _: f32, _: f32, _: f32, _: f32) {}
                fn close(&mut self) {}
            }
            assert!(
                cara.outline_glyph(g, &mut Cuenta(&mut caja)).is_some(),
                "{c} has an outline"
            );
        }
        assert!(f.ancho("Ñ", 10.0) > 0.0);
    }
}
