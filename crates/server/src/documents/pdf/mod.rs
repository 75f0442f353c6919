//! The documents' PDF writer on [krilla]: one page, Montserrat (subset and embedded by krilla), text, rectangles,
//! lines and QR codes, and the page's logical structure.
//!
//! Every file is a tagged PDF that conforms to **PDF/UA-1** (accessibility) and **PDF/A-2b** (archiving) at once:
//! krilla's [`Configuration`](krilla::configure::Configuration) holds one validator of each family
//! ([`Archival::A2_B`] and [`Accessibility::UA1`], PDF 1.7), writes what both standards need (XMP metadata with
//! both identifications, sRGB output intent, embedded fonts with ToUnicode, `DisplayDocTitle`, the structure tree,
//! the language) and refuses to finish a document that breaks a rule it can check (missing title, language,
//! alternative text, heading title, `.notdef` glyphs, …): [`escribir`] then returns an error, never a
//! non-conforming file. What krilla cannot check (the semantic rules of PDF/UA) is the templates' job: every piece
//! of content is inside a structure element ([`Lienzo::en`]) in reading order or is an artifact (decoration, crop
//! marks), headings carry their title and the QR code is a figure with alternative text.
//!
//! Templates draw on a [`Lienzo`] with the origin at the TOP-left corner and y growing downwards, in points.

pub mod fuente;

use fuente::{Peso, FUENTES};
use krilla::color::rgb;
use krilla::configure::{Accessibility, Archival, ConfigurationBuilder};
use krilla::destination::XyzDestination;
use krilla::geom::{PathBuilder, Point, Rect, Transform};
use krilla::metadata::{DateTime, Metadata};
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke, StrokeDash};
use krilla::surface::Surface;
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Node, SpanTag, Tag, TagGroup, TagKind, TagTree,
};
use krilla::{Document, SerializeSettings};
use std::num::NonZeroU16;

/// Points per millimetre.
pub const MM: f32 = 72.0 / 25.4;
/// US letter, in points.
pub const CARTA: (f32, f32) = (612.0, 792.0);
/// The documents' language (catalog `/Lang`, XMP `dc:language`).
pub const IDIOMA: &str = "es-MX";

/// An RGB colour (sRGB: PDF/A makes krilla write it device-independent).
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

    fn rgb(self) -> rgb::Color {
        rgb::Color::new(self.0, self.1, self.2)
    }

    fn relleno(self) -> Fill {
        Fill {
            paint: self.rgb().into(),
            ..Fill::default()
        }
    }
}

/// How a line of text is placed relative to its x coordinate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alinear {
    Izquierda,
    Centro,
    Derecha,
}

/// Why a document could not be written: krilla's error, validation errors included.
#[derive(Debug)]
pub struct ErrorPdf(pub krilla::error::KrillaError);

impl From<krilla::error::KrillaError> for ErrorPdf {
    fn from(e: krilla::error::KrillaError) -> ErrorPdf {
        ErrorPdf(e)
    }
}

/// Names each broken rule and the standards that forbid it, never the payload (which may quote the document's
/// text, i.e. personal data, and this goes to the logs).
impl std::fmt::Display for ErrorPdf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let krilla::error::KrillaError::Validation(errores) = &self.0 else {
            return write!(f, "the PDF could not be written: {}", self.0);
        };
        write!(f, "the PDF breaks")?;
        for (i, (error, normas)) in errores.iter().enumerate() {
            let depurado = format!("{error:?}");
            let regla = depurado.split(['(', ' ', '{']).next().unwrap_or_default();
            let normas: Vec<&str> = [
                normas.archival().map(Archival::as_str),
                normas.accessibility().map(Accessibility::as_str),
            ]
            .into_iter()
            .flatten()
            .collect();
            let sep = if i == 0 { " " } else { ", " };
            write!(f, "{sep}{regla} ({})", normas.join(", "))?;
        }
        Ok(())
    }
}

impl std::error::Error for ErrorPdf {}

/// The drawing surface of one page and the structure tree built while drawing.
pub struct Lienzo<'a> {
    s: Surface<'a>,
    ancho: f32,
    alto: f32,
    /// The structure elements being filled, innermost last.
    pila: Vec<TagGroup>,
    /// The finished top-level structure elements, in reading order.
    raiz: Vec<Node>,
    /// Inside [`Lienzo::artefacto`]: drawing is not marked as content.
    en_artefacto: bool,
    /// The last QR code drawn: (data, modules per side, dark modules row by row).
    qr_cache: Option<(String, usize, Vec<bool>)>,
    /// The headings drawn (level, text, top y), for the outline PDF/UA-1 asks for.
    titulos: Vec<(u16, String, f32)>,
}

impl<'a> Lienzo<'a> {
    fn new(s: Surface<'a>, ancho: f32, alto: f32) -> Lienzo<'a> {
        Lienzo {
            s,
            ancho,
            alto,
            pila: Vec::new(),
            raiz: Vec::new(),
            en_artefacto: false,
            qr_cache: None,
            titulos: Vec::new(),
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

    /// Runs `f` inside a new structure element `tag` (a child of the current one): what `f` draws belongs to it,
    /// in the order drawn.
    pub fn en<R>(&mut self, tag: impl Into<TagKind>, f: impl FnOnce(&mut Self) -> R) -> R {
        self.pila.push(TagGroup::new(tag));
        let r = f(self);
        let grupo = self.pila.pop().expect("the group pushed above");
        self.nodo(grupo.into());
        r
    }

    /// A heading of `nivel` (1 = the document's title) drawn as one bold line with its baseline at `y`; it is
    /// also an entry of the document's outline.
    #[allow(clippy::too_many_arguments)]
    pub fn encabezado(
        &mut self,
        nivel: u16,
        x: f32,
        y: f32,
        tamano: f32,
        color: Color,
        texto: &str,
    ) {
        let nivel = NonZeroU16::new(nivel).unwrap_or(NonZeroU16::MIN);
        self.titulos
            .push((nivel.get(), texto.to_string(), (y - tamano).max(0.0)));
        self.en(Tag::Hn(nivel, Some(texto.to_string())), |l| {
            l.texto(
                x,
                y,
                tamano,
                Peso::Negrita,
                color,
                Alinear::Izquierda,
                texto,
            )
        });
    }

    /// Runs `f` as an artifact of kind `tipo`: decoration that assistive technology skips.
    pub fn artefacto<R>(&mut self, tipo: ArtifactType, f: impl FnOnce(&mut Self) -> R) -> R {
        if self.en_artefacto {
            return f(self);
        }
        self.s
            .start_tagged(ContentTag::Artifact(Artifact::with_kind(tipo)));
        self.en_artefacto = true;
        let r = f(self);
        self.en_artefacto = false;
        self.s.end_tagged();
        r
    }

    fn nodo(&mut self, nodo: Node) {
        match self.pila.last_mut() {
            Some(grupo) => grupo.push(nodo),
            None => self.raiz.push(nodo),
        }
    }

    /// Draws `f` as one marked-content sequence of the current structure element.
    fn contenido(&mut self, tag: ContentTag, f: impl FnOnce(&mut Surface<'a>)) {
        if self.en_artefacto {
            f(&mut self.s);
            return;
        }
        let id = self.s.start_tagged(tag);
        f(&mut self.s);
        self.s.end_tagged();
        self.nodo(id.into());
    }

    fn rectangulo(s: &mut Surface<'_>, x: f32, y: f32, w: f32, h: f32, color: Color) {
        let mut pb = PathBuilder::new();
        if let Some(r) = Rect::from_xywh(x, y, w, h) {
            pb.push_rect(r);
        }
        if let Some(path) = pb.finish() {
            s.set_fill(Some(color.relleno()));
            s.set_stroke(None);
            s.draw_path(&path);
        }
    }

    /// A filled rectangle (decoration); (x, y) is its top-left corner.
    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: Color) {
        self.artefacto(ArtifactType::Layout, |l| {
            Self::rectangulo(&mut l.s, x, y, w, h, color)
        });
    }

    fn trazar(&mut self, pb: PathBuilder, grosor: f32, color: Color, guiones: f32) {
        let Some(path) = pb.finish() else { return };
        let s = &mut self.s;
        s.set_fill(None);
        s.set_stroke(Some(Stroke {
            paint: color.rgb().into(),
            width: grosor,
            dash: (guiones > 0.0).then(|| StrokeDash {
                array: vec![guiones, guiones],
                offset: 0.0,
            }),
            ..Stroke::default()
        }));
        s.draw_path(&path);
        s.set_stroke(None);
    }

    /// A stroked rectangle outline (decoration).
    pub fn marco(&mut self, x: f32, y: f32, w: f32, h: f32, grosor: f32, color: Color) {
        self.artefacto(ArtifactType::Layout, |l| {
            let mut pb = PathBuilder::new();
            if let Some(r) = Rect::from_xywh(x, y, w, h) {
                pb.push_rect(r);
            }
            l.trazar(pb, grosor, color, 0.0);
        });
    }

    /// A straight line (decoration); `guiones` > 0 draws it dashed with that dash length.
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
        self.artefacto(ArtifactType::Layout, |l| {
            let mut pb = PathBuilder::new();
            pb.move_to(x1, y1);
            pb.line_to(x2, y2);
            l.trazar(pb, grosor, color, guiones);
        });
    }

    /// Whether text drawn now belongs to the current structure element (a paragraph, heading, cell, label…)
    /// rather than being a paragraph of its own (at the top level or in a division, list, table or figure).
    fn admite_texto(&self) -> bool {
        self.pila.last().is_some_and(|g| {
            matches!(
                g.tag,
                TagKind::P(_)
                    | TagKind::Hn(_)
                    | TagKind::TH(_)
                    | TagKind::TD(_)
                    | TagKind::Lbl(_)
                    | TagKind::Span(_)
                    | TagKind::Caption(_)
                    | TagKind::Strong(_)
                    | TagKind::Em(_)
            )
        })
    }

    /// One line of text with its baseline at `y`: a span of the current structure element when that holds text,
    /// else a paragraph of its own.
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
        if !self.en_artefacto && !self.admite_texto() {
            return self.en(Tag::P, |l| {
                l.texto(x, y, tamano, peso, color, alinear, texto)
            });
        }
        let fuente = FUENTES.de(peso);
        let linea = fuente.formar(texto);
        let ancho = linea.ancho(tamano);
        let x = match alinear {
            Alinear::Izquierda => x,
            Alinear::Centro => x - ancho / 2.0,
            Alinear::Derecha => x - ancho,
        };
        self.contenido(ContentTag::Span(SpanTag::empty()), |s| {
            s.set_fill(Some(color.relleno()));
            s.set_stroke(None);
            s.draw_glyphs(
                Point::from_xy(x, y),
                &linea.glifos,
                fuente.krilla.clone(),
                &linea.texto,
                tamano,
                false,
            );
        });
    }

    /// A paragraph wrapped at spaces to `ancho`; returns the baseline of the next line.
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
        let lineas = partir_en_palabras(peso, texto, tamano, ancho);
        self.en(Tag::P, |l| {
            let mut y = y;
            for linea in &lineas {
                l.texto(x, y, tamano, peso, color, Alinear::Izquierda, linea);
                y += interlinea;
            }
            y
        })
    }

    /// A paragraph without spaces (a seal, a cadena original) broken to fit `ancho`: after a `|` when one is near
    /// the end of the line, else at any character.
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
        let mut lineas = Vec::new();
        let mut linea = String::new();
        let mut ancho_linea = 0.0;
        for c in texto.chars() {
            let w = fuente.avance(c, tamano);
            if ancho_linea + w > ancho && !linea.is_empty() {
                // Prefer breaking after a `|` field separator in the line's second half.
                let corte = linea
                    .rfind('|')
                    .filter(|&i| i + 1 < linea.len() && i > linea.len() / 2);
                let resto = corte.map(|i| linea.split_off(i + 1)).unwrap_or_default();
                lineas.push(std::mem::replace(&mut linea, resto));
                ancho_linea = linea.chars().map(|c| fuente.avance(c, tamano)).sum();
            }
            linea.push(c);
            ancho_linea += w;
        }
        if !linea.is_empty() {
            lineas.push(linea);
        }
        self.en(Tag::P, |l| {
            let mut y = y;
            for linea in &lineas {
                l.texto(x, y, tamano, peso, color, Alinear::Izquierda, linea);
                y += interlinea;
            }
            y
        })
    }

    /// A QR code of `datos` as filled squares, `lado` points wide including a 2-module quiet zone: a figure whose
    /// alternative text is `alternativo`. The modules are computed once per page and data (the tarjeta draws the
    /// same code twice).
    pub fn qr(&mut self, x: f32, y: f32, lado: f32, datos: &str, alternativo: &str) {
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
        let Some((datos_qr, n, modulos)) = self.qr_cache.take() else {
            return;
        };
        let m = lado / (n + 4) as f32;
        // The modules are drawn in module units under one transform: small integer coordinates instead of page
        // points with five decimals make the page's content stream a third of the size, and so its compression
        // (most of a document's deflate time) a third of the work.
        let mut pb = PathBuilder::new();
        for fila in 0..n {
            let mut col = 0;
            while col < n {
                if modulos[fila * n + col] {
                    let inicio = col;
                    while col < n && modulos[fila * n + col] {
                        col += 1;
                    }
                    // A hair of overlap (a fiftieth of a module) avoids white seams between rows in some viewers.
                    if let Some(r) =
                        Rect::from_xywh(inicio as f32, fila as f32, (col - inicio) as f32, 1.02)
                    {
                        pb.push_rect(r);
                    }
                } else {
                    col += 1;
                }
            }
        }
        self.en(Tag::Figure(Some(alternativo.to_string())), |l| {
            l.contenido(ContentTag::Other, |s| {
                Self::rectangulo(s, x, y, lado, lado, Color::BLANCO);
                if let Some(path) = pb.finish() {
                    s.push_transform(&Transform::from_row(
                        m,
                        0.0,
                        0.0,
                        m,
                        x + 2.0 * m,
                        y + 2.0 * m,
                    ));
                    s.set_fill(Some(Color::NEGRO.relleno()));
                    s.draw_path(&path);
                    s.pop();
                }
            });
        });
        self.qr_cache = Some((datos_qr, n, modulos));
    }

    /// Crop marks around a rectangle (outside its corners), for cutting out a card: page artifacts.
    pub fn marcas_de_corte(&mut self, x: f32, y: f32, w: f32, h: f32) {
        let (largo, sep) = (5.0 * MM, 1.5 * MM);
        self.artefacto(ArtifactType::Page, |l| {
            for (cx, sx) in [(x, -1.0), (x + w, 1.0)] {
                for (cy, sy) in [(y, -1.0), (y + h, 1.0)] {
                    l.linea(
                        cx + sx * sep,
                        cy,
                        cx + sx * (sep + largo),
                        cy,
                        0.4,
                        Color::NEGRO,
                        0.0,
                    );
                    l.linea(
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
        });
    }

    /// The structure tree and the outline: each heading under the last heading of a higher level.
    fn terminar(self) -> (TagTree, Outline) {
        debug_assert!(self.pila.is_empty(), "a structure element was left open");
        // (level, node) of the open outline branch, outermost first.
        let mut rama: Vec<(u16, OutlineNode)> = Vec::new();
        let mut indice = Outline::new();
        let cerrar = |rama: &mut Vec<(u16, OutlineNode)>, indice: &mut Outline| {
            let (_, nodo) = rama.pop().expect("a node to close");
            match rama.last_mut() {
                Some((_, padre)) => padre.push_child(nodo),
                None => indice.push_child(nodo),
            }
        };
        for (nivel, texto, y) in self.titulos {
            while rama.last().is_some_and(|(n, _)| *n >= nivel) {
                cerrar(&mut rama, &mut indice);
            }
            let destino = XyzDestination::new(0, Point::from_xy(0.0, y));
            rama.push((nivel, OutlineNode::new(texto, destino).with_open(true)));
        }
        while !rama.is_empty() {
            cerrar(&mut rama, &mut indice);
        }
        (TagTree::from(self.raiz), indice)
    }
}

/// Greedy word wrap.
fn partir_en_palabras(peso: Peso, texto: &str, tamano: f32, ancho: f32) -> Vec<String> {
    let fuente = FUENTES.de(peso);
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

/// The document's metadata (XMP and the Info dictionary).
pub struct Metadatos<'a> {
    pub titulo: &'a str,
    pub asunto: &'a str,
    /// The document's identifier (its folio).
    pub id: &'a str,
    /// Creation instant (PDF/A requires one), UTC.
    pub fecha: chrono::DateTime<chrono::Utc>,
}

/// krilla's settings: PDF/UA-1 and PDF/A-2b validated together (PDF 1.7, the newest version both allow).
fn ajustes() -> SerializeSettings {
    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A2_B)
        .with_accessibility_validator(Accessibility::UA1)
        .finish()
        .expect("PDF/A-2b and PDF/UA-1 share PDF 1.7");
    SerializeSettings {
        configuration,
        enable_tagging: true,
        compress_content_streams: true,
        ..SerializeSettings::default()
    }
}

fn fecha_krilla(f: chrono::DateTime<chrono::Utc>) -> DateTime {
    use chrono::{Datelike as _, Timelike as _};
    DateTime::new(f.year().clamp(0, 9999) as u16)
        .month(f.month() as u8)
        .day(f.day() as u8)
        .hour(f.hour() as u8)
        .minute(f.minute() as u8)
        .second(f.second() as u8)
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

/// Forces the one-time font loading (call at startup so the first request does not pay for it).
pub fn precalentar() {
    std::sync::LazyLock::force(&FUENTES);
}

/// Writes a one-page document of `ancho` × `alto` points that `dibujar` draws. Fails, instead of writing a
/// non-conforming file, when krilla's PDF/UA-1 or PDF/A-2b validation finds a violation.
pub fn escribir(
    ancho: f32,
    alto: f32,
    meta: &Metadatos,
    dibujar: impl FnOnce(&mut Lienzo),
) -> Result<Vec<u8>, ErrorPdf> {
    let mut documento = Document::new_with(ajustes());
    let arbol = {
        let tamano = PageSettings::from_wh(ancho, alto).expect("a positive page size");
        let mut pagina = documento.start_page_with(tamano);
        let mut lienzo = Lienzo::new(pagina.surface(), ancho, alto);
        dibujar(&mut lienzo);
        let arbol = lienzo.terminar();
        pagina.finish();
        arbol
    };
    let (arbol, indice) = arbol;
    documento.set_tag_tree(arbol);
    documento.set_outline(indice);
    documento.set_metadata(
        Metadata::new()
            .title(meta.titulo.to_string())
            .description(meta.asunto.to_string())
            .language(IDIOMA.to_string())
            .creator("Afíliate".to_string())
            .producer("Afíliate (krilla)".to_string())
            .document_id(meta.id.to_string())
            .creation_date(fecha_krilla(meta.fecha)),
    );
    Ok(documento.finish()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> Metadatos<'static> {
        Metadatos {
            titulo: "Prueba",
            asunto: "Á",
            id: "CN-00000-00000-00000",
            fecha: chrono::DateTime::from_timestamp(1_767_225_600, 0).unwrap(),
        }
    }

    #[test]
    fn writes_a_tagged_pdf_ua_and_pdf_a_file() {
        let pdf = escribir(CARTA.0, CARTA.1, &meta(), |l| {
            l.en(
                Tag::Hn(std::num::NonZeroU16::MIN, Some("Prueba".into())),
                |l| {
                    l.texto(
                        72.0,
                        60.0,
                        16.0,
                        Peso::Negrita,
                        Color::GUINDA,
                        Alinear::Izquierda,
                        "Prueba",
                    )
                },
            );
            l.texto(
                72.0,
                72.0,
                12.0,
                Peso::Regular,
                Color::TEXTO,
                Alinear::Izquierda,
                "Peña (Núñez) \\ ok",
            );
            l.rect(72.0, 80.0, 100.0, 1.0, Color::DORADO);
            l.qr(
                72.0,
                100.0,
                100.0,
                "https://example.test/verificar/X",
                "Código QR",
            );
        })
        .unwrap();
        assert!(pdf.starts_with(b"%PDF-1.7"));
        let texto = String::from_utf8_lossy(&pdf);
        for marca in [
            "pdfaid:part",
            "pdfuaid:part",
            "/StructTreeRoot",
            "/Lang",
            "/MarkInfo",
        ] {
            assert!(texto.contains(marca), "{marca} missing");
        }
    }

    #[test]
    fn the_same_drawing_gives_the_same_bytes() {
        let dibujo = |l: &mut Lienzo<'_>| {
            l.encabezado(1, 72.0, 60.0, 16.0, Color::GUINDA, "Prueba");
            l.qr(
                72.0,
                100.0,
                100.0,
                "https://example.test/verificar/X",
                "Código QR",
            );
        };
        let a = escribir(CARTA.0, CARTA.1, &meta(), dibujo).unwrap();
        let b = escribir(CARTA.0, CARTA.1, &meta(), dibujo).unwrap();
        assert!(a == b, "two writes differ");
    }

    #[test]
    fn a_violation_is_an_error_not_a_file() {
        // A figure without alternative text breaks PDF/UA-1.
        let r = escribir(CARTA.0, CARTA.1, &meta(), |l| {
            l.en(Tag::Figure(None), |l| {
                l.rect(10.0, 10.0, 10.0, 10.0, Color::NEGRO)
            });
            l.en(Tag::Figure(None), |l| {
                l.contenido(ContentTag::Other, |s| {
                    Lienzo::rectangulo(s, 10.0, 10.0, 10.0, 10.0, Color::NEGRO)
                })
            });
        });
        let e = r.expect_err("no alternative text");
        assert_eq!(e.to_string(), "the PDF breaks MissingAltText (PDF/UA-1)");
    }

    #[test]
    fn word_wrap_respects_the_width() {
        let f = &FUENTES.regular;
        let lineas = partir_en_palabras(
            Peso::Regular,
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
