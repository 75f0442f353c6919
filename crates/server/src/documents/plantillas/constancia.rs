//! "Constancia de vigencia de derechos" (IMSS-02-020-B): whether the student had the right to the IMSS medical
//! service on the issue date (SÍ/NO), as whom (seguro facultativo), through which school and registro patronal,
//! at which clinic, and for which period.

use super::{bloque_sello, encabezado, pie, tabla, titulo, Plantilla, MARGEN};
use crate::documents::pdf::fuente::Peso;
use crate::documents::pdf::{Alinear, Color, Lienzo};
use crate::documents::Documento;

pub struct Constancia;

impl Plantilla for Constancia {
    fn dibujar(&self, doc: &Documento, url_verificacion: &str, l: &mut Lienzo<'_>) {
        let ancho = l.ancho();
        let w = ancho - 2.0 * MARGEN;
        let datos = doc
            .datos
            .clone()
            .unwrap_or_else(|| crate::documents::DatosConstancia {
                derecho: false,
                tipo_asegurado: String::new(),
                motivo: None,
                escuela: None,
                umf: None,
                periodo: None,
                vigente_desde: None,
                vigente_hasta: None,
            });
        let y = encabezado(
            l,
            "Afíliate · Constancia de vigencia de derechos para estudiantes",
        );
        let y = titulo(
            l,
            y + 20.0,
            doc.tipo.nombre(),
            "Seguro facultativo de estudiantes (IMSS-02-020-B)",
        );

        // The SÍ / NO panel.
        let y = y + 14.0;
        let color = if datos.derecho {
            Color::VERDE
        } else {
            Color::GUINDA
        };
        l.rect(MARGEN, y, w, 66.0, Color::GRIS_CLARO);
        l.rect(MARGEN, y, 5.0, 66.0, color);
        l.texto(
            MARGEN + 20.0,
            y + 22.0,
            10.0,
            Peso::Regular,
            Color::TEXTO,
            Alinear::Izquierda,
            "Derecho al servicio médico del IMSS:",
        );
        l.texto(
            MARGEN + 20.0,
            y + 54.0,
            28.0,
            Peso::Negrita,
            color,
            Alinear::Izquierda,
            datos.si_no(),
        );
        let xd = ancho - MARGEN - 16.0;
        for (i, (etiqueta, valor, peso)) in [
            ("FOLIO", doc.folio.as_str(), Peso::Negrita),
            ("FECHA", &doc.fecha(), Peso::Regular),
        ]
        .into_iter()
        .enumerate()
        {
            let yy = y + 20.0 + 28.0 * i as f32;
            l.texto(
                xd,
                yy,
                8.0,
                Peso::Negrita,
                Color::TEXTO_SUAVE,
                Alinear::Derecha,
                etiqueta,
            );
            l.texto(
                xd,
                yy + 13.0,
                10.0,
                peso,
                Color::TEXTO,
                Alinear::Derecha,
                valor,
            );
        }

        let escuela = datos
            .escuela
            .as_ref()
            .map(|e| format!("{} (CCT {})", e.nombre, e.cct))
            .unwrap_or_else(|| "Sin inscripción".into());
        let registro = datos
            .escuela
            .as_ref()
            .map(|e| e.registro_patronal.clone())
            .unwrap_or_else(|| "—".into());
        let umf = datos
            .umf
            .as_ref()
            .map(|u| format!("{} {}", u.clave, u.nombre))
            .unwrap_or_else(|| "Sin Unidad de Medicina Familiar asignada".into());
        let periodo = match (&datos.periodo, &datos.vigente_desde, &datos.vigente_hasta) {
            (Some(p), Some(d), Some(h)) => format!("{p}: del {d} al {h}"),
            (None, Some(d), Some(h)) => format!("Del {d} al {h}"),
            _ => "—".into(),
        };
        let fecha_hora = doc.fecha_hora();
        let si_no = format!("{} tiene derecho", datos.si_no());
        let y = tabla(
            l,
            y + 76.0,
            &[
                ("NOMBRE", &doc.nombre),
                ("CURP", &doc.curp),
                ("NSS", &doc.nss),
                ("DERECHO AL SERVICIO", &si_no),
                ("TIPO DE ASEGURADO", &datos.tipo_asegurado),
                ("ESCUELA", &escuela),
                ("REGISTRO PATRONAL", &registro),
                ("CLÍNICA (UMF)", &umf),
                ("VIGENCIA", &periodo),
                ("FECHA DE EMISIÓN", &fecha_hora),
            ],
        );

        let texto = if datos.derecho {
            "El Instituto Mexicano del Seguro Social hace constar que, en la fecha de emisión, la persona cuyos datos \
             aparecen en este documento tiene derecho a recibir el servicio médico del IMSS como estudiante asegurado \
             en el seguro facultativo, por la inscripción que hizo su escuela con el registro patronal indicado."
                .to_string()
        } else {
            format!(
                "El Instituto Mexicano del Seguro Social hace constar que, en la fecha de emisión, la persona cuyos \
                 datos aparecen en este documento NO tiene derecho al servicio médico del IMSS como estudiante. {}",
                crate::escuelas::que_hacer(datos.motivo, datos.vigente_hasta.as_deref())
            )
        };
        let y = l.parrafo(
            MARGEN,
            y + 16.0,
            w,
            9.0,
            12.0,
            Peso::Regular,
            Color::TEXTO,
            &texto,
        );

        bloque_sello(l, (y + 10.0).max(590.0), doc, url_verificacion);
        pie(
            l,
            "Documento electrónico con sello digital. Certifica la vigencia en su fecha de emisión; no requiere firma autógrafa.",
        );
    }
}
