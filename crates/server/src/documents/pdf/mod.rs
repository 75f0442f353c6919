//! A small PDF 1.7 writer: one page, two embedded TrueType fonts, text, rectangles, lines and QR codes.
//!
//! Hand-written on purpose: a document is a few kilobytes of drawing operators plus font objects serialised once per
//! process (see [`fuente`]), so generating one takes well under a millisecond.
//! Templates draw on a [`Lienzo`] with the origin at the TOP-left corner and y growing downwards, in points.

pub mod fuente;

use fuente::{winansi, Fuente, Peso, FUENTES};
use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::LazyLock;

/// Points per millimetre.
pub const MM: f32 = 72.0 / 25.4;
/// US letter, in points.
pub const CARTA: (f32, f32) = (612.0, 792.0);

/// An RGB colour.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Color(pub u8, pub u8, pub u8);

impl Color {
    pub const GUINDA: Color = Color(0x61, 0x12, 0x32);
    pub const GUINDA_CLARO: Color = Color(0x9B, 0x22, 0x47);
    pub const DORADO: Color = Color(0xA5, 0x7F, 0x2C);
    pub const DORADO_CLARO: Color = Color(0xE6, 0xD1, 0x94);
    pub const VERDE: Color = Color(0x1E, 0x5B, 0x4F);
    pub const GRIS: Color = Color(0x98, 0x98, 0x9A);
    pub const GRIS_CLARO: Color = Color(0xF2, 0xF2, 0xF2);
    pub const TEXTO: Color = Color(0x16, 0x1A, 0x1D);
    pub const TEXTO_SUAVE: Color = Color(0x54, 0x57, 0x5A);
    pub const BLANCO: Color = Color(0xFF, 0xFF, 0xFF);
    pub const NEGRO: Color = Color(0, 0, 0);
}

/// How a line of text is placed relative to its x coordinate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alinear {
    Izquierda,
    Centro,
    Derecha,
}

/// The drawing surface of one page.
pub struct Lienzo {
    ancho: f32,
    alto: f32,
    ops: String,
    /// The last QR code drawn: (data, modules per side, dark modules row by row).
    qr_cache: Option<(String, usize, Vec<bool>)>,
}

fn num(s: &mut String, v: f32) {
    let r = (v * 100.0).round() / 100.0;
    if r == r.trunc() {
        let _ = write!(s, "{} ", r as i64);
    } else {
        let _ = write!(s, "{r} ");
    }
}

fn color_op(s: &mut String, c: Color, op: &str) {
    for v in [c.0, c.1, c.2] {
        num(s, v as f32 / 255.0);
    }
    s.push_str(op);
    s.push('\n');
}

impl Lienzo {
    pub fn new(ancho: f32, alto: f32) -> Lienzo {
        Lienzo {
            ancho,
            alto,
            ops: String::with_capacity(16 * 1024),
            qr_cache: None,
        }
    }

    pub fn ancho(&self) -> f32 {
        self.ancho
    }

    pub fn alto(&self) -> f32 {
        self.alto
    }

    /// Width of `texto` in points.
    pub fn medir(&self, texto: &str, tamano: f32, peso: Peso) -> f32 {
        FUENTES.de(peso).ancho(texto, tamano)
    }

    /// A filled rectangle; (x, y) is its top-left corner.
    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: Color) {
        color_op(&mut self.ops, color, "rg");
        self.rect_sin_color(x, y, w, h);
        self.ops.push_str("f\n");
    }

    fn rect_sin_color(&mut self, x: f32, y: f32, w: f32, h: f32) {
        let s = &mut self.ops;
        num(s, x);
        num(s, self.alto - y - h);
        num(s, w);
        num(s, h);
        s.push_str("re\n");
    }

    /// A stroked rectangle outline.
    pub fn marco(&mut self, x: f32, y: f32, w: f32, h: f32, grosor: f32, color: Color) {
        color_op(&mut self.ops, color, "RG");
        num(&mut self.ops, grosor);
        self.ops.push_str("w\n");
        self.rect_sin_color(x, y, w, h);
        self.ops.push_str("S\n");
    }

    /// A straight line; `guiones` > 0 draws it dashed with that dash length.
    #[allow(clippy::too_many_arguments)]
    pub fn linea(
        &mut self,
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        grosor: f32,
        color: Color,
        guiones: f32,
    ) {
        let s = &mut self.ops;
        color_op(s, color, "RG");
        num(s, grosor);
        s.push_str("w\n");
        if guiones > 0.0 {
            s.push('[');
            num(s, guiones);
            num(s, guiones);
            s.push_str("] 0 d\n");
        }
        num(s, x1);
        num(s, self.alto - y1);
        s.push_str("m ");
        num(s, x2);
        num(s, self.alto - y2);
        s.push_str("l S\n");
        if guiones > 0.0 {
            s.push_str("[] 0 d\n");
        }
    }

    /// One line of text with its baseline at `y`.
    #[allow(clippy::too_many_arguments)]
    pub fn texto(
        &mut self,
        x: f32,
        y: f32,
        tamano: f32,
        peso: Peso,
        color: Color,
        alinear: Alinear,
        texto: &str,
    ) {
        let ancho = self.medir(texto, tamano, peso);
        let x = match alinear {
            Alinear::Izquierda => x,
            Alinear::Centro => x - ancho / 2.0,
            Alinear::Derecha => x - ancho,
        };
        let s = &mut self.ops;
        s.push_str("BT\n");
        color_op(s, color, "rg");
        s.push_str(match peso {
            Peso::Regular => "/F1 ",
            Peso::Negrita => "/F2 ",
        });
        num(s, tamano);
        s.push_str("Tf\n");
        num(s, x);
        num(s, self.alto - y);
        s.push_str("Td\n(");
        for c in texto.chars() {
            match winansi(c) {
                b'(' => s.push_str("\\("),
                b')' => s.push_str("\\)"),
                b'\\' => s.push_str("\\\\"),
                b @ 0x20..=0x7E => s.push(b as char),
                b => {
                    let _ = write!(s, "\\{b:03o}");
                }
            }
        }
        s.push_str(") Tj\nET\n");
    }

    /// Text wrapped at spaces to `ancho`; returns the baseline of the next line.
    #[allow(clippy::too_many_arguments)]
    pub fn parrafo(
        &mut self,
        x: f32,
        y: f32,
        ancho: f32,
        tamano: f32,
        interlinea: f32,
        peso: Peso,
        color: Color,
        texto: &str,
    ) -> f32 {
        let mut y = y;
        for linea in partir_en_palabras(FUENTES.de(peso), texto, tamano, ancho) {
            self.texto(x, y, tamano, peso, color, Alinear::Izquierda, &linea);
            y += interlinea;
        }
        y
    }

    /// Text without spaces (a seal, a cadena original) broken to fit `ancho`: after a `|` when one is near the
    /// end of the line, else at any character.
    #[allow(clippy::too_many_arguments)]
    pub fn parrafo_partido(
        &mut self,
        x: f32,
        y: f32,
        ancho: f32,
        tamano: f32,
        interlinea: f32,
        peso: Peso,
        color: Color,
        texto: &str,
    ) -> f32 {
        let fuente = FUENTES.de(peso);
        let mut y = y;
        let mut linea = String::new();
        let mut ancho_linea = 0.0;
        for c in texto.chars() {
            let w = fuente.anchos[(winansi(c) - 32) as usize] as f32 * tamano / 1000.0;
            if ancho_linea + w > ancho && !linea.is_empty() {
                // Prefer breaking after a `|` field separator in the line's second half.
                let corte = linea
                    .rfind('|')
                    .filter(|&i| i + 1 < linea.len() && i > linea.len() / 2);
                let resto = corte.map(|i| linea.split_off(i + 1)).unwrap_or_default();
                self.texto(x, y, tamano, peso, color, Alinear::Izquierda, &linea);
                y += interlinea;
                ancho_linea = fuente.ancho(&resto, tamano);
                linea = resto;
            }
            linea.push(c);
            ancho_linea += w;
        }
        if !linea.is_empty() {
            self.texto(x, y, tamano, peso, color, Alinear::Izquierda, &linea);
            y += interlinea;
        }
        y
    }

    /// A QR code of `datos` as filled squares, `lado` points wide including a 2-module quiet zone.
    /// The modules are computed once per page and data (the tarjeta draws the same code twice).
    pub fn qr(&mut self, x: f32, y: f32, lado: f32, datos: &str) {
        if self.qr_cache.as_ref().is_none_or(|(d, _, _)| d != datos) {
            let Ok(codigo) =
                qrcode::QrCode::with_error_correction_level(datos.as_bytes(), qrcode::EcLevel::M)
            else {
                return;
            };
            let oscuros = codigo
                .to_colors()
                .iter()
                .map(|c| *c == qrcode::Color::Dark)
                .collect();
            self.qr_cache = Some((datos.to_string(), codigo.width(), oscuros));
        }
        let Some((_, n, modulos)) = self.qr_cache.take() else {
            return;
        };
        let m = lado / (n + 4) as f32;
        self.rect(x, y, lado, lado, Color::BLANCO);
        color_op(&mut self.ops, Color::NEGRO, "rg");
        for fila in 0..n {
            let mut col = 0;
            while col < n {
                if modulos[fila * n + col] {
                    let inicio = col;
                    while col < n && modulos[fila * n + col] {
                        col += 1;
                    }
                    // A hair of overlap avoids white seams between modules in some viewers.
                    self.rect_sin_color(
                        x + (inicio + 2) as f32 * m,
                        y + (fila + 2) as f32 * m,
                        (col - inicio) as f32 * m,
                        m + 0.05,
                    );
                } else {
                    col += 1;
                }
            }
        }
        self.ops.push_str("f\n");
        self.qr_cache = Some((datos.to_string(), n, modulos));
    }

    /// Crop marks around a rectangle (outside its corners), for cutting out a card.
    pub fn marcas_de_corte(&mut self, x: f32, y: f32, w: f32, h: f32) {
        let (largo, sep) = (5.0 * MM, 1.5 * MM);
        for (cx, sx) in [(x, -1.0), (x + w, 1.0)] {
            for (cy, sy) in [(y, -1.0), (y + h, 1.0)] {
                self.linea(
                    cx + sx * sep,
                    cy,
                    cx + sx * (sep + largo),
                    cy,
                    0.4,
                    Color::NEGRO,
                    0.0,
                );
                self.linea(
                    cx,
                    cy + sy * sep,
                    cx,
                    cy + sy * (sep + largo),
                    0.4,
                    Color::NEGRO,
                    0.0,
                );
            }
        }
    }
}

/// Greedy word wrap.
fn partir_en_palabras(fuente: &Fuente, texto: &str, tamano: f32, ancho: f32) -> Vec<String> {
    let espacio = fuente.ancho(" ", tamano);
    let mut lineas = Vec::new();
    let mut linea = String::new();
    let mut ancho_linea = 0.0;
    for palabra in texto.split_whitespace() {
        let w = fuente.ancho(palabra, tamano);
        if !linea.is_empty() && ancho_linea + espacio + w > ancho {
            lineas.push(std::mem::take(&mut linea));
            ancho_linea = 0.0;
        }
        if !linea.is_empty() {
            linea.push(' ');
            ancho_linea += espacio;
        }
        linea.push_str(palabra);
        ancho_linea += w;
    }
    if !linea.is_empty() {
        lineas.push(linea);
    }
    lineas
}

/// Metadata written to the PDF's Info dictionary.
pub struct Metadatos<'a> {
    pub titulo: &'a str,
    pub asunto: &'a str,
    /// `D:YYYYMMDDHHmmSSZ`
    pub fecha_pdf: &'a str,
}

/// Objects 1..=5 are per document; the fonts are objects 6..=11, serialised once.
const PRIMER_OBJETO_FUENTE: usize = 6;

struct FuentesSerializadas {
    /// (offset within `bytes` of each object start)
    offsets: Vec<usize>,
    bytes: Vec<u8>,
}

static FUENTES_PDF: LazyLock<FuentesSerializadas> = LazyLock::new(|| {
    let mut bytes = Vec::with_capacity(128 * 1024);
    let mut offsets = Vec::new();
    for (i, fuente) in [&FUENTES.regular, &FUENTES.negrita].into_iter().enumerate() {
        let n = PRIMER_OBJETO_FUENTE + 3 * i;
        offsets.push(bytes.len());
        let mut anchos = String::new();
        for (j, w) in fuente.anchos.iter().enumerate() {
            let _ = write!(anchos, "{w}{}", if j % 16 == 15 { "\n" } else { " " });
        }
        let _ = write!(
            bytes,
            "{n} 0 obj\n<< /Type /Font /Subtype /TrueType /BaseFont /{} /FirstChar 32 /LastChar 255\n\
             /Widths [{anchos}]\n/Encoding /WinAnsiEncoding /FontDescriptor {} 0 R >>\nendobj\n",
            fuente.nombre_base,
            n + 1
        );
        offsets.push(bytes.len());
        let [x0, y0, x1, y1] = fuente.bbox;
        let _ = write!(
            bytes,
            "{} 0 obj\n<< /Type /FontDescriptor /FontName /{} /Flags 32 /FontBBox [{x0} {y0} {x1} {y1}] \
             /ItalicAngle 0 /Ascent {} /Descent {} /CapHeight {} /StemV {} /FontFile2 {} 0 R >>\nendobj\n",
            n + 1,
            fuente.nombre_base,
            fuente.ascent,
            fuente.descent,
            fuente.cap_height,
            if i == 0 { 80 } else { 140 },
            n + 2
        );
        offsets.push(bytes.len());
        let _ = write!(
            bytes,
            "{} 0 obj\n<< /Length {} /Length1 {} /Filter /FlateDecode >>\nstream\n",
            n + 2,
            fuente.programa.len(),
            fuente.longitud_original
        );
        bytes.extend_from_slice(&fuente.programa);
        bytes.extend_from_slice(b"\nendstream\nendobj\n");
    }
    FuentesSerializadas { offsets, bytes }
});

/// Forces the one-time font preparation (call at startup so the first request does not pay for it).
pub fn precalentar() {
    LazyLock::force(&FUENTES_PDF);
}

fn texto_pdf_utf16(s: &str) -> String {
    let mut out = String::from("<FEFF");
    for u in s.encode_utf16() {
        let _ = write!(out, "{u:04X}");
    }
    out.push('>');
    out
}

/// Serialises a finished page into a complete PDF file.
pub fn escribir(lienzo: Lienzo, meta: &Metadatos) -> Vec<u8> {
    let fuentes = &*FUENTES_PDF;
    let contenido = miniz_oxide::deflate::compress_to_vec_zlib(lienzo.ops.as_bytes(), 3);
    let mut out: Vec<u8> = Vec::with_capacity(fuentes.bytes.len() + contenido.len() + 2048);
    let mut offsets = Vec::with_capacity(12);
    out.extend_from_slice(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n");
    let mut objeto = |out: &mut Vec<u8>, cuerpo: &[u8]| {
        offsets.push(out.len());
        out.extend_from_slice(cuerpo);
    };
    objeto(
        &mut out,
        b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R /Lang (es-MX) >>\nendobj\n",
    );
    objeto(
        &mut out,
        b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n",
    );
    let pagina = format!(
        "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {} {}] /Contents 4 0 R\n\
         /Resources << /Font << /F1 6 0 R /F2 9 0 R >> >> >>\nendobj\n",
        lienzo.ancho, lienzo.alto
    );
    objeto(&mut out, pagina.as_bytes());
    let mut stream = format!(
        "4 0 obj\n<< /Length {} /Filter /FlateDecode >>\nstream\n",
        contenido.len()
    )
    .into_bytes();
    stream.extend_from_slice(&contenido);
    stream.extend_from_slice(b"\nendstream\nendobj\n");
    objeto(&mut out, &stream);
    let info = format!(
        "5 0 obj\n<< /Title {} /Subject {} /Producer (Afiliate) /CreationDate ({}) >>\nendobj\n",
        texto_pdf_utf16(meta.titulo),
        texto_pdf_utf16(meta.asunto),
        meta.fecha_pdf
    );
    objeto(&mut out, info.as_bytes());
    let base = out.len();
    offsets.extend(fuentes.offsets.iter().map(|o| base + o));
    out.extend_from_slice(&fuentes.bytes);
    let xref = out.len();
    let n = offsets.len() + 1;
    let mut tabla = format!("xref\n0 {n}\n0000000000 65535 f \n");
    for o in &offsets {
        // Each xref entry is exactly 20 bytes: "nnnnnnnnnn ggggg n" + space + LF.
        let _ = writeln!(tabla, "{o:010} 00000 n ");
    }
    let _ = write!(
        tabla,
        "trailer\n<< /Size {n} /Root 1 0 R /Info 5 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    );
    out.extend_from_slice(tabla.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_a_pdf_with_a_correct_xref_table() {
        let mut l = Lienzo::new(CARTA.0, CARTA.1);
        l.texto(
            72.0,
            72.0,
            12.0,
            Peso::Regular,
            Color::TEXTO,
            Alinear::Izquierda,
            "Peña (Núñez) \\ ok",
        );
        l.qr(72.0, 100.0, 100.0, "https://example.test/verificar/X");
        let pdf = escribir(
            l,
            &Metadatos {
                titulo: "Prueba",
                asunto: "Á",
                fecha_pdf: "D:20260101000000Z",
            },
        );
        assert!(pdf.starts_with(b"%PDF-1.7"));
        let cola = String::from_utf8_lossy(&pdf[pdf.len() - 40..]).to_string();
        let startxref: usize = cola
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(&pdf[startxref..startxref + 4], b"xref");
        // Every xref entry points at "N 0 obj".
        let tabla = std::str::from_utf8(&pdf[startxref..]).unwrap();
        let entradas: Vec<&str> = tabla
            .lines()
            .skip(3)
            .take_while(|l| !l.starts_with("trailer"))
            .collect();
        assert_eq!(entradas.len(), 11);
        for (i, linea) in entradas.iter().enumerate() {
            let o: usize = linea[..10].parse().unwrap();
            assert!(
                pdf[o..].starts_with(format!("{} 0 obj", i + 1).as_bytes()),
                "object {}",
                i + 1
            );
        }
    }

    #[test]
    fn word_wrap_respects_the_width() {
        let f = &FUENTES.regular;
        let lineas = partir_en_palabras(
            f,
            "uno dos tres cuatro cinco seis siete ocho nueve diez",
            10.0,
            80.0,
        );
        assert!(lineas.len() > 2);
        for l in &lineas {
            assert!(f.ancho(l, 10.0) <= 80.0, "{l}");
        }
        assert_eq!(
            lineas.join(" "),
            "uno dos tres cuatro cinco seis siete ocho nueve diez"
        );
    }
}
