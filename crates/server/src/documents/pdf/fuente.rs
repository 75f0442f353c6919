//! The documents' fonts: Montserrat Regular and Bold, loaded and parsed once per process.
//!
//! krilla subsets and embeds them in every document (only the glyphs the document uses, any Unicode letter the font
//! has, with a ToUnicode map so the text extracts back). Text is shaped here with rustybuzz (the shaper krilla
//! itself uses), once per line: the same glyphs measure the line (alignment, wrapping) and are drawn.

use std::ops::Range;
use std::sync::{Arc, LazyLock, Mutex};

use krilla::text::{Font, GlyphId, KrillaGlyph};

static REGULAR_TTF: &[u8] = include_bytes!("../../../assets/fonts/Montserrat_400Regular.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../../../assets/fonts/Montserrat_700Bold.ttf");

/// What the writer draws instead of a character the font has no glyph for (PDF/A and PDF/UA forbid `.notdef`).
pub const SUSTITUTO: char = '?';

/// The font weights the templates may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Peso {
    Regular,
    Negrita,
}

/// One weight: krilla's font (shared by every document: its data and parsed tables are reference-counted) and the
/// parsed face rustybuzz shapes with.
pub struct Fuente {
    pub krilla: Font,
    cara: rustybuzz::Face<'static>,
    unidades_em: f32,
    /// Shaping plans by the text's segment properties (direction, script, language): compiling one takes
    /// longer than shaping a line, and every document shapes dozens of lines with the same one or two.
    planes: Mutex<Vec<(ClavePlan, Arc<rustybuzz::ShapePlan>)>>,
    /// Shaped lines by their text. Most of a document's lines are the templates' own words and sentences, the same
    /// in every document, and word wrapping measures each word and then shapes its line again: shaping was a fifth
    /// of a document's time before this cache (`bench_pdf`). Bounded; TinyLFU keeps the recurring lines and lets
    /// a name or a folio seen once pass through. Only in this process's memory, never written anywhere.
    lineas: moka::sync::Cache<String, Arc<Linea>>,
}

/// How many glyphs of shaped lines each weight keeps: about 3 MB, twenty times what the templates' own text needs.
const GLIFOS_EN_CACHE: u64 = 65_536;

type ClavePlan = (
    rustybuzz::Direction,
    Option<rustybuzz::Script>,
    Option<String>,
);

/// A shaped line of text: krilla's glyphs (advances in em) and the text they came from.
pub struct Linea {
    pub glifos: Vec<KrillaGlyph>,
    pub texto: String,
    /// Width in em.
    ancho_em: f32,
}

impl Linea {
    /// Width at `tamano` points, in points.
    pub fn ancho(&self, tamano: f32) -> f32 {
        self.ancho_em * tamano
    }
}

impl Fuente {
    fn cargar(ttf: &'static [u8]) -> Fuente {
        let krilla = Font::new(ttf.into(), 0).expect("embedded Montserrat font parses");
        let cara = rustybuzz::Face::from_slice(ttf, 0).expect("embedded Montserrat font parses");
        let unidades_em = cara.units_per_em() as f32;
        Fuente {
            krilla,
            cara,
            unidades_em,
            planes: Mutex::new(Vec::new()),
            lineas: moka::sync::Cache::builder()
                .max_capacity(GLIFOS_EN_CACHE)
                .weigher(|_, l: &Arc<Linea>| {
                    u32::try_from(l.glifos.len()).unwrap_or(u32::MAX).max(1)
                })
                .build(),
        }
    }

    /// The shaping plan for `buffer`'s segment properties, compiled on first use.
    fn plan(&self, buffer: &rustybuzz::UnicodeBuffer) -> Arc<rustybuzz::ShapePlan> {
        let idioma = buffer.language();
        // What `rustybuzz::shape` would pass: no script when the text has none (digits, punctuation).
        let escritura = Some(buffer.script()).filter(|s| *s != rustybuzz::script::UNKNOWN);
        let clave: ClavePlan = (
            buffer.direction(),
            escritura,
            idioma.as_ref().map(|l| l.as_str().to_string()),
        );
        let mut planes = self.planes.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, p)) = planes.iter().find(|(k, _)| *k == clave) {
            return p.clone();
        }
        let plan = Arc::new(rustybuzz::ShapePlan::new(
            &self.cara,
            buffer.direction(),
            escritura,
            idioma.as_ref(),
            &[],
        ));
        planes.push((clave, plan.clone()));
        plan
    }

    /// Whether the font has a glyph for `c`.
    pub fn tiene(&self, c: char) -> bool {
        self.cara.glyph_index(c).is_some()
    }

    /// `texto` with every character the font cannot show replaced by [`SUSTITUTO`] (controls become spaces).
    pub fn mostrable(&self, texto: &str) -> String {
        texto
            .chars()
            .map(|c| {
                if c.is_control() {
                    ' '
                } else if self.tiene(c) {
                    c
                } else {
                    SUSTITUTO
                }
            })
            .collect()
    }

    /// Shapes one line (left to right, the font's kerning and ligatures), or finds it already shaped.
    pub fn formar(&self, texto: &str) -> Arc<Linea> {
        self.lineas
            .get_with_by_ref(texto, || Arc::new(self.formar_sin_cache(texto)))
    }

    fn formar_sin_cache(&self, texto: &str) -> Linea {
        let texto = self.mostrable(texto);
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(&texto);
        buffer.set_direction(rustybuzz::Direction::LeftToRight);
        buffer.guess_segment_properties();
        let plan = self.plan(&buffer);
        let salida = rustybuzz::shape_with_plan(&self.cara, &plan, buffer);
        let infos = salida.glyph_infos();
        let posiciones = salida.glyph_positions();
        let em = self.unidades_em;
        let mut glifos = Vec::with_capacity(infos.len());
        let mut ancho = 0.0;
        for (i, (info, pos)) in infos.iter().zip(posiciones).enumerate() {
            // A cluster spans from its first byte to the next cluster's first byte.
            let inicio = info.cluster as usize;
            let fin = infos[i + 1..]
                .iter()
                .map(|s| s.cluster as usize)
                .find(|&c| c != inicio)
                .unwrap_or(texto.len());
            let rango: Range<usize> = inicio..fin;
            let avance = pos.x_advance as f32 / em;
            ancho += avance;
            glifos.push(KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                avance,
                pos.x_offset as f32 / em,
                pos.y_offset as f32 / em,
                pos.y_advance as f32 / em,
                rango,
                None,
            ));
        }
        Linea {
            glifos,
            texto,
            ancho_em: ancho,
        }
    }

    /// Width of `texto` at `tamano` points, in points.
    pub fn ancho(&self, texto: &str, tamano: f32) -> f32 {
        self.formar(texto).ancho(tamano)
    }

    /// Advance of one character at `tamano` points, without kerning (for breaking text without spaces).
    pub fn avance(&self, c: char, tamano: f32) -> f32 {
        let c = if self.tiene(c) { c } else { SUSTITUTO };
        let avance = self
            .cara
            .glyph_index(c)
            .and_then(|g| self.cara.glyph_hor_advance(g))
            .unwrap_or(0);
        avance as f32 / self.unidades_em * tamano
    }
}

/// Both weights.
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

/// The process-wide fonts, parsed on first use.
pub static FUENTES: LazyLock<Fuentes> = LazyLock::new(|| Fuentes {
    regular: Fuente::cargar(REGULAR_TTF),
    negrita: Fuente::cargar(BOLD_TTF),
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shaping_measures_wider_text_wider_and_covers_every_byte() {
        let f = &FUENTES.regular;
        let corta = f.formar("Ñandú");
        let larga = f.formar("Ñandú Ŭgarte Øster Łukasz");
        assert!(larga.ancho(10.0) > corta.ancho(10.0) * 3.0);
        // The clusters cover the text without gaps, so the extracted text is the whole line.
        let mut fin = 0;
        for g in &larga.glifos {
            assert_eq!(g.text_range.start, fin, "{:?}", g.text_range);
            fin = g.text_range.end;
        }
        assert_eq!(fin, larga.texto.len());
        assert!(larga.glifos.iter().all(|g| g.glyph_id.to_u32() != 0));
    }

    #[test]
    fn a_cached_line_is_the_line_shaping_gives() {
        let f = &FUENTES.regular;
        let texto = "Constancia de asignación del NSS: Ñuñoa Ávila";
        let primera = f.formar(texto);
        let segunda = f.formar(texto);
        assert!(
            Arc::ptr_eq(&primera, &segunda),
            "the second shaping came from the cache"
        );
        let fresca = f.formar_sin_cache(texto);
        assert_eq!(segunda.texto, fresca.texto);
        assert_eq!(segunda.ancho_em, fresca.ancho_em);
        let ids = |l: &Linea| -> Vec<(u32, std::ops::Range<usize>)> {
            l.glifos
                .iter()
                .map(|g| (g.glyph_id.to_u32(), g.text_range.clone()))
                .collect()
        };
        assert_eq!(ids(&segunda), ids(&fresca));
        // A character the font lacks is replaced the same way through the cache.
        assert_eq!(f.formar("漢a").texto, "?a");
    }

    #[test]
    fn characters_without_a_glyph_are_replaced_not_drawn_as_notdef() {
        let f = &FUENTES.negrita;
        assert!(f.tiene('Ŭ') && f.tiene('Ł') && f.tiene('ñ'));
        assert!(!f.tiene('漢'));
        assert_eq!(f.mostrable("Ana 漢\u{7}"), "Ana ? ");
        assert!(f
            .formar("漢")
            .glifos
            .iter()
            .all(|g| g.glyph_id.to_u32() != 0));
    }
}
