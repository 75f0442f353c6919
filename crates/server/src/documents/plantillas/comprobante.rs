//! "Número de Seguridad Social": the comprobante of the localización or asignación of the NSS.

use super::{bloque_sello, encabezado, pie, tabla, titulo, Plantilla, MARGEN};
use crate::documents::pdf::fuente::Peso;
use crate::documents::pdf::{Alinear, Color, Lienzo};
use crate::documents::{Documento, Tramite};
use krilla::tagging::{ListNumbering, Tag};

pub struct Comprobante;

impl Plantilla for Comprobante {
    fn dibujar(&self, doc: &Documento, url_verificacion: &str, l: &mut Lienzo<'_>) {
        let ancho = l.ancho();
        let (subtitulo, tramite) = match doc.tramite {
            Tramite::Asignacion => ("Comprobante de asignación del NSS", "Asignación de NSS"),
            Tramite::Localizacion | Tramite::Vigencia => {
                ("Comprobante de localización del NSS", "Localización de NSS")
            }
        };
        let y = encabezado(
            l,
            "Afíliate · Asignación o localización de NSS para estudiantes",
        );
        let y = titulo(l, y + 24.0, doc.tipo.nombre(), subtitulo);

        // The NSS panel.
        let y = y + 18.0;
        l.rect(MARGEN, y, ancho - 2.0 * MARGEN, 78.0, Color::GRIS_CLARO);
        l.rect(MARGEN, y, 5.0, 78.0, Color::GUINDA);
        l.texto(
            MARGEN + 20.0,
            y + 24.0,
            10.0,
            Peso::Regular,
            Color::TEXTO,
            Alinear::Izquierda,
            "Tu Número de Seguridad Social (NSS) es:",
        );
        l.texto(
            MARGEN + 20.0,
            y + 60.0,
            30.0,
            Peso::Negrita,
            Color::GUINDA,
            Alinear::Izquierda,
            &doc.nss,
        );
        let xd = ancho - MARGEN - 16.0;
        l.texto(
            xd,
            y + 24.0,
            8.0,
            Peso::Negrita,
            Color::TEXTO_SUAVE,
            Alinear::Derecha,
            "FOLIO",
        );
        l.texto(
            xd,
            y + 38.0,
            10.0,
            Peso::Negrita,
            Color::TEXTO,
            Alinear::Derecha,
            &doc.folio,
        );
        l.texto(
            xd,
            y + 54.0,
            8.0,
            Peso::Negrita,
            Color::TEXTO_SUAVE,
            Alinear::Derecha,
            "FECHA",
        );
        l.texto(
            xd,
            y + 68.0,
            10.0,
            Peso::Regular,
            Color::TEXTO,
            Alinear::Derecha,
            &doc.fecha(),
        );

        let fecha_hora = doc.fecha_hora();
        let y = tabla(
            l,
            y + 92.0,
            &[
                ("NOMBRE", &doc.nombre),
                ("CURP", &doc.curp),
                ("NSS", &doc.nss),
                ("TRÁMITE", tramite),
                ("FECHA DE EMISIÓN", &fecha_hora),
                ("FOLIO", &doc.folio),
            ],
        );

        let w = ancho - 2.0 * MARGEN;
        let constancia = match doc.tramite {
            Tramite::Asignacion => {
                "El Instituto Mexicano del Seguro Social hace constar que asignó a la persona cuyos datos aparecen \
                 en este documento el Número de Seguridad Social indicado. El NSS es único, personal y es el mismo \
                 para toda la vida: consérvalo."
            }
            Tramite::Localizacion | Tramite::Vigencia => {
                "El Instituto Mexicano del Seguro Social hace constar que la persona cuyos datos aparecen en este \
                 documento tiene registrado el Número de Seguridad Social indicado. El NSS es único, personal y es el \
                 mismo para toda la vida: consérvalo."
            }
        };
        let y = l.parrafo(
            MARGEN,
            y + 22.0,
            w,
            9.5,
            13.0,
            Peso::Regular,
            Color::TEXTO,
            constancia,
        );

        let y = y + 8.0;
        l.encabezado(2, MARGEN, y + 6.0, 11.0, Color::GUINDA, "¿Qué sigue?");
        let mut y = y + 24.0;
        l.en(Tag::L(ListNumbering::None), |l| {
            for (paso, texto) in [
                (
                    "Paso 2.",
                    "Verifica que tu escuela te haya inscrito al IMSS (seguro facultativo). Si no aparece, acude a \
                     control escolar con tu NSS.",
                ),
                (
                    "Paso 3.",
                    "Regístrate en la Unidad de Medicina Familiar (clínica) que te corresponde, con tu CURP, tu NSS y \
                     un comprobante de domicilio.",
                ),
            ] {
                l.en(Tag::LI, |l| {
                    l.en(Tag::Lbl, |l| {
                        l.texto(MARGEN, y, 9.5, Peso::Negrita, Color::TEXTO, Alinear::Izquierda, paso)
                    });
                    y = l.en(Tag::LBody, |l| {
                        l.parrafo(MARGEN + 46.0, y, w - 46.0, 9.5, 13.0, Peso::Regular, Color::TEXTO, texto)
                    }) + 4.0;
                });
            }
        });

        bloque_sello(l, (y + 14.0).max(598.0), doc, url_verificacion);
        pie(l, "Documento electrónico con sello digital. Imprímelo o guárdalo; no requiere firma autógrafa.");
    }
}
