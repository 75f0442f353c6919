//! Document templates: one [`Plantilla`] per [`super::TipoDocumento`], sharing the gob.mx/IMSS look
//! (guinda header band, dorado rule, Montserrat) and the seal block (QR, folio, cadena original, sello digital).

pub mod comprobante;
pub mod tarjeta;

use super::pdf::fuente::Peso;
use super::pdf::{self, Alinear, Color, Lienzo, Metadatos, CARTA};
use super::Documento;

/// Draws one kind of document.
pub trait Plantilla: Sync {
    /// Page size in points (letter unless a template says otherwise).
    fn tamano(&self) -> (f32, f32) {
        CARTA
    }

    /// Draws `doc` on the page; `url_verificacion` is what the QR code holds.
    fn dibujar(&self, doc: &Documento, url_verificacion: &str, lienzo: &mut Lienzo);
}

/// Renders a document to PDF bytes. Pure: same document, same bytes.
pub fn render(doc: &Documento, base_url: &str) -> Vec<u8> {
    let plantilla = doc.tipo.plantilla();
    let (ancho, alto) = plantilla.tamano();
    let mut lienzo = Lienzo::new(ancho, alto);
    let url = doc.url_verificacion(base_url);
    plantilla.dibujar(doc, &url, &mut lienzo);
    let titulo = format!("{} — {}", doc.tipo.nombre(), doc.folio);
    let fecha_pdf = doc.emitido.format("D:%Y%m%d%H%M%SZ").to_string();
    pdf::escribir(
        lienzo,
        &Metadatos {
            titulo: &titulo,
            asunto: doc.certifica(),
            fecha_pdf: &fecha_pdf,
        },
    )
}

/// Left and right margin of letter pages.
pub const MARGEN: f32 = 54.0;

/// The guinda band with the institution's name, and a dorado rule under it. Returns the y below it.
pub fn encabezado(l: &mut Lienzo, subtitulo: &str) -> f32 {
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
    l.texto(
        ancho - MARGEN,
        42.0,
        24.0,
        Peso::Negrita,
        Color::BLANCO,
        Alinear::Derecha,
        "IMSS",
    );
    69.0
}

/// The page title (the document's name) with a thin rule under it. Returns the y below it.
pub fn titulo(l: &mut Lienzo, y: f32, titulo: &str, subtitulo: &str) -> f32 {
    let ancho = l.ancho();
    l.texto(
        MARGEN,
        y + 24.0,
        20.0,
        Peso::Negrita,
        Color::GUINDA,
        Alinear::Izquierda,
        titulo,
    );
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

/// Label/value rows separated by hairlines. Returns the y below the last row.
pub fn tabla(l: &mut Lienzo, y: f32, filas: &[(&str, &str)]) -> f32 {
    let ancho = l.ancho();
    let mut y = y;
    for (etiqueta, valor) in filas {
        l.texto(
            MARGEN,
            y + 17.0,
            8.0,
            Peso::Negrita,
            Color::TEXTO_SUAVE,
            Alinear::Izquierda,
            etiqueta,
        );
        l.texto(
            MARGEN + 130.0,
            y + 17.0,
            11.0,
            Peso::Regular,
            Color::TEXTO,
            Alinear::Izquierda,
            valor,
        );
        y += 26.0;
        l.rect(MARGEN, y, ancho - 2.0 * MARGEN, 0.5, Color::GRIS);
    }
    y
}

/// The seal block: QR code, folio, cadena original, sello digital and where to verify. Returns the y below it.
pub fn bloque_sello(l: &mut Lienzo, y: f32, doc: &Documento, url_verificacion: &str) -> f32 {
    let ancho = l.ancho();
    let lado = 104.0;
    l.rect(MARGEN, y, ancho - 2.0 * MARGEN, 0.8, Color::DORADO);
    let y = y + 10.0;
    l.qr(MARGEN - 4.0, y, lado, url_verificacion);
    let x = MARGEN + lado + 8.0;
    let w = ancho - MARGEN - x;
    let mut yy = y + 12.0;
    l.texto(
        x,
        yy,
        8.5,
        Peso::Negrita,
        Color::GUINDA,
        Alinear::Izquierda,
        "Sello digital del documento",
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
    l.texto(
        x,
        yy,
        7.0,
        Peso::Negrita,
        Color::TEXTO_SUAVE,
        Alinear::Izquierda,
        "Sello digital (Ed25519):",
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
pub fn pie(l: &mut Lienzo, nota: &str) {
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
pub fn tamano_que_cabe(l: &Lienzo, texto: &str, peso: Peso, ancho: f32, max: f32, min: f32) -> f32 {
    let w = l.medir(texto, max, peso);
    if w <= ancho {
        max
    } else {
        (max * ancho / w).max(min)
    }
}
