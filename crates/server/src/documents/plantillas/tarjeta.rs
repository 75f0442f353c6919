//! "Tarjeta de Número de Seguridad Social": a card (85.6 × 54 mm, the ID-1 size) to cut out and fold: front with
//! the NSS, name and CURP, back with the verification QR code; crop marks and a fold line.

use super::{
    alternativo_qr, bloque_sello, encabezado, pie, tamano_que_cabe, titulo, Plantilla, MARGEN,
};
use crate::documents::pdf::fuente::Peso;
use crate::documents::pdf::{Alinear, Color, Lienzo, MM};
use crate::documents::Documento;
use krilla::tagging::{ArtifactType, Tag};

pub struct Tarjeta;

/// ID-1 card size in points.
pub const TARJETA: (f32, f32) = (85.6 * MM, 54.0 * MM);

impl Plantilla for Tarjeta {
    fn dibujar(&self, doc: &Documento, url_verificacion: &str, l: &mut Lienzo<'_>) {
        let ancho = l.ancho();
        let y = encabezado(
            l,
            "Afíliate · Asignación o localización de NSS para estudiantes",
        );
        let y = titulo(
            l,
            y + 24.0,
            doc.tipo.nombre(),
            "Recórtala, dóblala y llévala contigo",
        );
        let y = l.parrafo(
            MARGEN,
            y + 20.0,
            ancho - 2.0 * MARGEN,
            9.5,
            13.0,
            Peso::Regular,
            Color::TEXTO,
            "Recorta la tarjeta por las marcas de corte y dóblala por la línea punteada: de un lado queda tu NSS y \
             del otro el código QR para verificarla. Tu NSS es el mismo para toda la vida.",
        );

        let (cw, ch) = TARJETA;
        let x0 = (ancho - 2.0 * cw) / 2.0;
        let y0 = y + 26.0;
        // Each side of the card is a division of its own, front first.
        l.en(Tag::Div, |l| frente(l, doc, x0, y0));
        l.en(Tag::Div, |l| reverso(l, doc, url_verificacion, x0 + cw, y0));
        l.marco(x0, y0, 2.0 * cw, ch, 0.3, Color::GRIS);
        l.linea(
            x0 + cw,
            y0 - 14.0,
            x0 + cw,
            y0 + ch + 14.0,
            0.5,
            Color::TEXTO_SUAVE,
            3.0,
        );
        l.marcas_de_corte(x0, y0, 2.0 * cw, ch);
        l.texto(
            x0 + cw,
            y0 + ch + 26.0,
            7.0,
            Peso::Regular,
            Color::TEXTO_SUAVE,
            Alinear::Centro,
            "Dobla aquí",
        );

        bloque_sello(l, y0 + ch + 50.0, doc, url_verificacion);
        pie(l, "Documento electrónico con sello digital. Imprímelo al 100 % (sin ajustar a la página).");
    }
}

fn frente(l: &mut Lienzo<'_>, doc: &Documento, x: f32, y: f32) {
    let (cw, ch) = TARJETA;
    let px = x + 12.0;
    let util = cw - 24.0;
    l.rect(x, y, cw, 32.0, Color::GUINDA);
    l.rect(x, y + 32.0, cw, 1.5, Color::DORADO);
    l.texto(
        px,
        y + 14.0,
        7.5,
        Peso::Negrita,
        Color::BLANCO,
        Alinear::Izquierda,
        "Instituto Mexicano del Seguro Social",
    );
    l.texto(
        px,
        y + 25.0,
        6.3,
        Peso::Regular,
        Color::DORADO_CLARO,
        Alinear::Izquierda,
        "Tarjeta de Número de Seguridad Social",
    );
    l.artefacto(ArtifactType::Layout, |l| {
        l.texto(
            x + cw - 10.0,
            y + 21.0,
            11.0,
            Peso::Negrita,
            Color::BLANCO,
            Alinear::Derecha,
            "IMSS",
        )
    });

    l.texto(
        px,
        y + 48.0,
        5.5,
        Peso::Negrita,
        Color::TEXTO_SUAVE,
        Alinear::Izquierda,
        "NÚMERO DE SEGURIDAD SOCIAL",
    );
    l.texto(
        px,
        y + 70.0,
        20.0,
        Peso::Negrita,
        Color::GUINDA,
        Alinear::Izquierda,
        &doc.nss,
    );
    l.texto(
        px,
        y + 86.0,
        5.5,
        Peso::Negrita,
        Color::TEXTO_SUAVE,
        Alinear::Izquierda,
        "NOMBRE",
    );
    let t = tamano_que_cabe(l, &doc.nombre, Peso::Negrita, util, 9.0, 5.0);
    l.texto(
        px,
        y + 98.0,
        t,
        Peso::Negrita,
        Color::TEXTO,
        Alinear::Izquierda,
        &doc.nombre,
    );
    l.texto(
        px,
        y + 113.0,
        5.5,
        Peso::Negrita,
        Color::TEXTO_SUAVE,
        Alinear::Izquierda,
        "CURP",
    );
    l.texto(
        px,
        y + 125.0,
        9.0,
        Peso::Regular,
        Color::TEXTO,
        Alinear::Izquierda,
        &doc.curp,
    );
    l.rect(x, y + ch - 14.0, cw, 14.0, Color::GRIS_CLARO);
    l.texto(
        px,
        y + ch - 4.8,
        5.5,
        Peso::Regular,
        Color::TEXTO_SUAVE,
        Alinear::Izquierda,
        &format!("Folio {}", doc.folio),
    );
    l.texto(
        x + cw - 12.0,
        y + ch - 4.8,
        5.5,
        Peso::Regular,
        Color::TEXTO_SUAVE,
        Alinear::Derecha,
        &format!("Emitida el {}", doc.fecha()),
    );
}

fn reverso(l: &mut Lienzo<'_>, doc: &Documento, url_verificacion: &str, x: f32, y: f32) {
    let (cw, ch) = TARJETA;
    l.rect(x, y, cw, 6.0, Color::GUINDA);
    l.rect(x, y + 6.0, cw, 1.0, Color::DORADO);
    let lado = 104.0;
    let tx = x + lado + 10.0;
    let tw = cw - lado - 18.0;
    l.encabezado(2, tx, y + 28.0, 8.0, Color::GUINDA, "Verifica esta tarjeta");
    l.qr(
        x + 6.0,
        y + (ch - lado) / 2.0 + 3.0,
        lado,
        url_verificacion,
        &alternativo_qr(url_verificacion),
    );
    let yy = l.parrafo(
        tx,
        y + 40.0,
        tw,
        6.0,
        8.0,
        Peso::Regular,
        Color::TEXTO,
        "Escanea el código QR con la cámara de tu teléfono: verás si la tarjeta es auténtica.",
    );
    l.parrafo(
        tx,
        yy + 5.0,
        tw,
        6.0,
        8.0,
        Peso::Regular,
        Color::TEXTO,
        "Con tu NSS te inscribe tu escuela y te registras en tu clínica.",
    );
    l.texto(
        tx,
        y + ch - 20.0,
        5.0,
        Peso::Negrita,
        Color::TEXTO_SUAVE,
        Alinear::Izquierda,
        "FOLIO",
    );
    l.texto(
        tx,
        y + ch - 11.0,
        6.0,
        Peso::Negrita,
        Color::TEXTO,
        Alinear::Izquierda,
        &doc.folio,
    );
}
