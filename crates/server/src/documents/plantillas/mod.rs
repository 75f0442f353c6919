//! Document templates: one [`Plantilla`] per [`super::TipoDocumento`], sharing the gob.mx/IMSS look
//! (guinda header band, dorado rule, Montserrat) and the seal block (QR, folio, cadena original, sello digital).
//!
//! Templates draw in reading order and say what each piece is (heading, paragraph, table, list, figure) through
//! [`Lienzo::en`]; bands, rules and crop marks are artifacts. That structure is what makes the files PDF/UA-1.

pub mod comprobante;
pub mod constancia;
pub mod tarjeta;

use krilla::tagging::{ArtifactType, TableHeaderScope, Tag};

use super::pdf::fuente::Peso;
use super::pdf::{self, Alinear, Color, ErrorPdf, Lienzo, Metadatos, CARTA};
use super::Documento;

/// Draws one kind of document.
pub trait Plantilla: Sync {
    /// Page size in points (letter unless a template says otherwise).
    fn tamano(&self) -> (f32, f32) {
        CARTA
    }

    /// Draws `doc` on the page; `url_verificacion` is what the QR code holds.
    fn dibujar(&self, doc: &Documento, url_verificacion: &str, lienzo: &mut Lienzo<'_>);
}

/// Renders a document to PDF bytes (PDF/UA-1 and PDF/A-2b, validated by krilla). Pure: same document, same bytes.
pub fn render(doc: &Documento, base_url: &str) -> Result<Vec<u8>, ErrorPdf> {
    let plantilla = doc.tipo.plantilla();
    let (ancho, alto) = plantilla.tamano();
    let url = doc.url_verificacion(base_url);
    let titulo = format!("{} — {}", doc.tipo.nombre(), doc.folio);
    pdf::escribir(
        ancho,
        alto,
        &Metadatos {
            titulo: &titulo,
            asunto: &doc.certifica(),
            id: &doc.folio,
            fecha: doc.emitido,
        },
        |l| plantilla.dibujar(doc, &url, l),
    )
}

/// The alternative text of a QR code that holds `url`.
pub fn alternativo_qr(url: &str) -> String {
    format!("Código QR con la dirección para verificar el documento: {url}")
}

/// Left and right margin of letter pages.
pub const MARGEN: f32 = 54.0;

/// The guinda band with the institution's name, and a dorado rule under it. Returns the y below it.
pub fn encabezado(l: &mut Lienzo<'_>, subtitulo: &str) -> f32 {
    let ancho = l.ancho();
    l.rect(0.0, 0.0, ancho, 66.0, Color::GUINDA);
    l.rect(0.0, 66.0, ancho, 3.0, Color::DORADO);
    l.texto(
        MARGEN,
        30.0,
        13.0,
        Peso::Negrita,
        Color::BLANCO,
        Alinear::Izquierda,
        "Instituto Mexicano del Seguro Social",
    );
    l.texto(
        MARGEN,
        47.0,
        9.0,
        Peso::Regular,
        Color::DORADO_CLARO,
        Alinear::Izquierda,
        subtitulo,
    );
    // The acronym is the band's logo: the full name was just read.
    l.artefacto(ArtifactType::Layout, |l| {
        l.texto(
            ancho - MARGEN,
            42.0,
            24.0,
            Peso::Negrita,
            Color::BLANCO,
            Alinear::Derecha,
            "IMSS",
        )
    });
    69.0
}

/// The page title (the document's name, heading level 1) with a thin rule under it. Returns the y below it.
pub fn titulo(l: &mut Lienzo<'_>, y: f32, titulo: &str, subtitulo: &str) -> f32 {
    let ancho = l.ancho();
    l.encabezado(1, MARGEN, y + 24.0, 20.0, Color::GUINDA, titulo);
    l.texto(
        MARGEN,
        y + 42.0,
        10.0,
        Peso::Regular,
        Color::TEXTO_SUAVE,
        Alinear::Izquierda,
        subtitulo,
    );
    l.rect(MARGEN, y + 52.0, ancho - 2.0 * MARGEN, 0.8, Color::DORADO);
    y + 52.0
}

/// Label/value rows separated by hairlines: a table whose rows are headed by their label. A value too long for
/// its column is drawn smaller (down to 6.5 pt). Returns the y below the last row.
pub fn tabla(l: &mut Lienzo<'_>, y: f32, filas: &[(&str, &str)]) -> f32 {
    let ancho = l.ancho();
    let columna = ancho - 2.0 * MARGEN - 130.0;
    l.en(Tag::Table, |l| {
        let mut y = y;
        for (etiqueta, valor) in filas {
            l.en(Tag::TR, |l| {
                l.en(Tag::TH(TableHeaderScope::Row), |l| {
                    l.texto(
                        MARGEN,
                        y + 17.0,
                        8.0,
                        Peso::Negrita,
                        Color::TEXTO_SUAVE,
                        Alinear::Izquierda,
                        etiqueta,
                    )
                });
                let tamano = tamano_que_cabe(l, valor, Peso::Regular, columna, 11.0, 6.5);
                l.en(Tag::TD, |l| {
                    l.texto(
                        MARGEN + 130.0,
                        y + 17.0,
                        tamano,
                        Peso::Regular,
                        Color::TEXTO,
                        Alinear::Izquierda,
                        valor,
                    )
                });
            });
            y += 26.0;
            l.rect(MARGEN, y, ancho - 2.0 * MARGEN, 0.5, Color::GRIS);
        }
        y
    })
}

/// The seal block: heading, QR code, cadena original, sello digital and where to verify. Returns the y below it.
pub fn bloque_sello(l: &mut Lienzo<'_>, y: f32, doc: &Documento, url_verificacion: &str) -> f32 {
    let ancho = l.ancho();
    let lado = 104.0;
    l.rect(MARGEN, y, ancho - 2.0 * MARGEN, 0.8, Color::DORADO);
    let y = y + 10.0;
    let x = MARGEN + lado + 8.0;
    let w = ancho - MARGEN - x;
    let mut yy = y + 12.0;
    l.encabezado(2, x, yy, 8.5, Color::GUINDA, "Sello digital del documento");
    l.qr(
        MARGEN - 4.0,
        y,
        lado,
        url_verificacion,
        &alternativo_qr(url_verificacion),
    );
    yy += 12.0;
    l.texto(
        x,
        yy,
        7.0,
        Peso::Negrita,
        Color::TEXTO_SUAVE,
        Alinear::Izquierda,
        "Cadena original:",
    );
    yy += 9.0;
    yy = l.parrafo_partido(
        x,
        yy,
        w,
        6.5,
        8.0,
        Peso::Regular,
        Color::TEXTO,
        &doc.cadena_original(),
    );
    yy += 3.0;
    // The id of the key that sealed it, so a verifier knows which published public key to use.
    let etiqueta_sello = if doc.clave.is_empty() {
        "Sello digital (Ed25519):".to_string()
    } else {
        format!("Sello digital (Ed25519, clave {}):", doc.clave)
    };
    l.texto(
        x,
        yy,
        7.0,
        Peso::Negrita,
        Color::TEXTO_SUAVE,
        Alinear::Izquierda,
        &etiqueta_sello,
    );
    yy += 9.0;
    yy = l.parrafo_partido(x, yy, w, 6.5, 8.0, Peso::Regular, Color::TEXTO, &doc.sello);
    yy += 4.0;
    yy = l.parrafo(
        x,
        yy,
        w,
        7.0,
        9.0,
        Peso::Regular,
        Color::TEXTO_SUAVE,
        "Verifica la autenticidad de este documento escaneando el código QR o en:",
    );
    l.texto(
        x,
        yy,
        7.0,
        Peso::Negrita,
        Color::GUINDA,
        Alinear::Izquierda,
        url_verificacion,
    );
    (yy + 6.0).max(y + lado)
}

/// The guinda footer band with a short note.
pub fn pie(l: &mut Lienzo<'_>, nota: &str) {
    let (ancho, alto) = (l.ancho(), l.alto());
    l.rect(0.0, alto - 30.0, ancho, 30.0, Color::GUINDA);
    l.texto(
        ancho / 2.0,
        alto - 12.0,
        7.0,
        Peso::Regular,
        Color::BLANCO,
        Alinear::Centro,
        nota,
    );
}

/// The largest size ≤ `max` (down to `min`) at which `texto` fits `ancho`.
pub fn tamano_que_cabe(
    l: &Lienzo<'_>,
    texto: &str,
    peso: Peso,
    ancho: f32,
    max: f32,
    min: f32,
) -> f32 {
    let w = l.medir(texto, max, peso);
    if w <= ancho {
        max
    } else {
        (max * ancho / w).max(min)
    }
}
