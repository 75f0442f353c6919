//! The preview's in-browser server: the same [`Backend`] interface as [`crate::api::HttpBackend`], answering
//! with the domain crate's API types for one fictitious student, by scenario. No network, no real data.

use super::escenarios::{self as esc, Escenario, Latencia};
use crate::api::{ApiError, Backend, Respuesta};
use afiliate_domain::api::{
    mensaje_sin_umf, AsignacionNss, CaptchaCreado, ConfirmacionCorreo, Documento, EscuelaResumen,
    EstadoVigencia, Mensaje, MotivoSinDerecho, Problema, ResultadoAsignacion, ResultadoSolicitud,
    ResultadoVigencia, SolicitudNss, SolicitudVigencia, Umf, UmfDeCodigoPostal, UmfResumen,
    Verificacion,
};
use afiliate_domain::curp::{self, DatosPersona};
use afiliate_domain::{Entidad, Fecha, Nss, Sexo};
use std::cell::Cell;
use std::collections::BTreeMap;
use std::future::Future;

/// The preview's only student: clearly fictitious, with a CURP the domain crate's generator builds.
pub struct Persona {
    pub nombre: &'static str,
    pub curp: String,
    pub nss: String,
    pub correo: &'static str,
}

pub fn persona() -> Persona {
    let datos = DatosPersona {
        nombre: "Ana Ejemplo",
        primer_apellido: "Prueba",
        segundo_apellido: "Demostración",
        fecha_nacimiento: Fecha::new(2006, 3, 14).expect("a real date"),
        sexo: Sexo::Mujer,
        entidad: Entidad::parse("DF").expect("a state code"),
    };
    let curp = curp::generar(&datos, 'A')
        .map(|c| c.as_str().to_string())
        .unwrap_or_default();
    let nss = Nss::from_parts(39, 24, 6, 1234)
        .map(|n| n.as_str().to_string())
        .unwrap_or_default();
    Persona {
        nombre: "ANA EJEMPLO PRUEBA DEMOSTRACION",
        curp,
        nss,
        correo: "ana.ejemplo@example.com",
    }
}

/// The postal code the preview's address uses (its shard line is below).
pub const CP_DEMO: &str = "04000";
const SHARD_DEMO: &str = "04000|9|Coyoacán|Ciudad de México|Villa Coyoacán|Colonia|Del Carmen|Colonia|Santa Catarina|Barrio\n";

/// An image of the challenge's characters (the preview accepts any answer unless the scenario is
/// "CAPTCHA incorrecto").
const IMAGEN: &str = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='440' height='160'%3E%3Crect width='440' height='160' fill='%23f3ead2'/%3E%3Ctext x='50' y='105' font-size='72' font-family='sans-serif' fill='%23611232'%3EAbC23x%3C/text%3E%3C/svg%3E";
/// An empty WAV file (a header without samples).
const AUDIO: &str =
    "data:audio/wav;base64,UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQAAAAA=";

/// The mock server of one scenario at one latency.
pub struct Simulado {
    pub escenario: Escenario,
    pub latencia: Latencia,
    captchas: Cell<u32>,
}

impl Simulado {
    pub fn new(escenario: Escenario, latencia: Latencia) -> Simulado {
        Simulado {
            escenario,
            latencia,
            captchas: Cell::new(0),
        }
    }

    /// Answers `r` after the latency (plus `extra_ms`).
    fn tras<T: 'static>(&self, extra_ms: u32, r: Result<T, ApiError>) -> Respuesta<T> {
        let ms = self.latencia.ms + extra_ms;
        Box::pin(async move {
            esperar(ms).await;
            r
        })
    }

    /// The failure every solicitud of this scenario ends in, if any.
    fn falla(&self) -> Option<ApiError> {
        let e = self.escenario;
        Some(if e == esc::CAPTCHA_INCORRECTO {
            problema(
                422,
                "captcha-invalido",
                "El captcha no fue válido, favor de intentar nuevamente.",
                Some("captcha_respuesta"),
            )
        } else if e == esc::LIMITE_DIARIO {
            problema(
                429,
                "limite-diario",
                "Has agotado el número de consultas permitidas por día.",
                None,
            )
        } else if e == esc::CURP_NO_ENCONTRADA {
            problema(
                422,
                "curp-no-encontrada",
                "No se localizó información en RENAPO con la CURP capturada.",
                Some("curp"),
            )
        } else if e == esc::RENAPO_CAIDO {
            problema(503, "renapo-no-disponible", "Debido a una falla técnica, no se pudo verificar tu CURP ante el Registro Nacional de Población. Intenta más tarde.", None)
        } else if e == esc::SUBDELEGACION {
            problema(
                409,
                "acude-a-subdelegacion",
                "Tu solicitud requiere que acudas a la subdelegación.",
                None,
            )
        } else if e == esc::RED_CAIDA {
            ApiError::SinConexion
        } else if e == esc::ERROR_SERVIDOR {
            ApiError::Servidor(500)
        } else {
            return None;
        })
    }
}

/// Waits `ms` milliseconds (no wait for 0).
fn esperar(ms: u32) -> impl Future<Output = ()> {
    let promesa = (ms > 0).then(|| {
        js_sys::Promise::new(&mut |resolve, _| {
            if let Some(w) = web_sys::window() {
                let _ =
                    w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32);
            }
        })
    });
    async move {
        if let Some(p) = promesa {
            let _ = wasm_bindgen_futures::JsFuture::from(p).await;
        }
    }
}

/// A problem+json answer as the real server writes it.
fn problema(status: u16, tipo: &str, detail: &str, campo: Option<&str>) -> ApiError {
    let mut errores = BTreeMap::new();
    if let Some(c) = campo {
        errores.insert(c.to_string(), vec![detail.to_string()]);
    }
    ApiError::Problema(Problema {
        tipo: ["/problemas/", tipo].concat(),
        title: "Hay un problema".into(),
        status,
        detail: detail.into(),
        errores,
    })
}

fn documento(folio: &str, nombre: &str) -> Documento {
    let ver = ["/verificar/", folio, "?escenario=documento-autentico"].concat();
    Documento {
        folio: folio.into(),
        fecha: "01/12/2026".into(),
        documento: nombre.into(),
        ver_url: ver.clone(),
        descargar_url: ver,
    }
}

/// The NSS's two documents.
pub fn documentos_nss() -> Vec<Documento> {
    vec![
        documento("NSS-DEMO-0001", "Número de Seguridad Social"),
        documento("NSS-DEMO-0002", "Tarjeta de Número de Seguridad Social"),
    ]
}

fn umf_demo() -> Umf {
    Umf {
        clave: "UMF-DEMO-01".into(),
        nombre: "Unidad de Medicina Familiar de Demostración No. 1".into(),
        domicilio: "Calle Ejemplo 100, Col. Del Carmen, C.P. 04000, Coyoacán, Ciudad de México"
            .into(),
        telefono: "55 0000 0000".into(),
        horario: "Lunes a viernes de 8:00 a 20:00 h".into(),
    }
}

fn umf_resumen() -> UmfResumen {
    let u = umf_demo();
    UmfResumen {
        clave: u.clave,
        nombre: u.nombre,
        domicilio: u.domicilio,
    }
}

/// Paso 1's answer in this scenario (found, or "sin NSS").
pub fn solicitud(escenario: Escenario) -> ResultadoSolicitud {
    let p = persona();
    if escenario == esc::CONFIRMAR_CORREO {
        ResultadoSolicitud::RevisaTuCorreo {
            correo: "alumna@ejemplo.mx".into(),
        }
    } else if [esc::ASIGNADO, esc::CP_DESCONOCIDO, esc::ASIGNACION_LENTA].contains(&escenario) {
        ResultadoSolicitud::SinNss {
            nombre: p.nombre.into(),
            curp: p.curp,
            token: "token-de-demostracion".into(),
        }
    } else {
        ResultadoSolicitud::Localizado {
            nss: p.nss,
            nombre: p.nombre.into(),
            curp: p.curp,
            documentos: documentos_nss(),
        }
    }
}

/// The assignment's answer.
pub fn asignacion(escenario: Escenario) -> ResultadoAsignacion {
    let p = persona();
    ResultadoAsignacion::Asignado {
        nss: p.nss,
        nombre: p.nombre.into(),
        curp: p.curp,
        documentos: documentos_nss(),
        umf: (escenario != esc::CP_DESCONOCIDO).then(umf_resumen),
    }
}

/// The constancia's answer in this scenario.
pub fn vigencia(escenario: Escenario) -> ResultadoVigencia {
    let p = persona();
    let (resultado, motivo, desde, hasta) = if escenario == esc::SIN_INSCRIPCION {
        (
            EstadoVigencia::SinDerecho,
            Some(MotivoSinDerecho::SinInscripcion),
            None,
            None,
        )
    } else if escenario == esc::BAJA_ESCOLAR {
        (
            EstadoVigencia::SinDerecho,
            Some(MotivoSinDerecho::BajaEscolar),
            Some("01/08/2025"),
            Some("15/03/2026"),
        )
    } else if escenario == esc::PERIODO_VENCIDO {
        (
            EstadoVigencia::SinDerecho,
            Some(MotivoSinDerecho::PeriodoVencido),
            Some("01/08/2025"),
            Some("31/07/2026"),
        )
    } else {
        (
            EstadoVigencia::Vigente,
            None,
            Some("01/08/2026"),
            Some("31/07/2027"),
        )
    };
    ResultadoVigencia {
        resultado,
        motivo,
        nombre: p.nombre.into(),
        curp: p.curp,
        nss: p.nss,
        tipo_asegurado: "Estudiante (seguro facultativo, modalidad 32)".into(),
        escuela: desde.map(|_| EscuelaResumen {
            cct: "09DCT0000D".into(),
            nombre: "Preparatoria de Demostración No. 1".into(),
            registro_patronal: "Y0000000000".into(),
        }),
        umf: Some(umf_resumen()),
        vigente_desde: desde.map(Into::into),
        vigente_hasta: hasta.map(Into::into),
        documentos: vec![documento(
            "VIG-DEMO-0001",
            "Constancia de vigencia de derechos",
        )],
    }
}

impl Backend for Simulado {
    fn nuevo_captcha(&self) -> Respuesta<CaptchaCreado> {
        // Even with "red caída" the image is there (it came before the network went), so the form can be sent.
        let n = self.captchas.get() + 1;
        self.captchas.set(n);
        self.tras(
            0,
            Ok(CaptchaCreado {
                id: ["demo-", &n.to_string()].concat(),
                imagen_url: IMAGEN.into(),
                audio_url: AUDIO.into(),
            }),
        )
    }

    fn solicitar_nss(&self, _: SolicitudNss) -> Respuesta<ResultadoSolicitud> {
        match self.falla() {
            Some(e) => self.tras(0, Err(e)),
            None => self.tras(0, Ok(solicitud(self.escenario))),
        }
    }

    fn confirmar_correo(&self, _: ConfirmacionCorreo) -> Respuesta<ResultadoSolicitud> {
        // The link opens the found NSS (the scenario's solicitud answered "revisa tu correo").
        let r = match solicitud(self.escenario) {
            ResultadoSolicitud::RevisaTuCorreo { .. } => solicitud(esc::LOCALIZADO),
            otro => otro,
        };
        match self.falla() {
            Some(e) => self.tras(0, Err(e)),
            None => self.tras(0, Ok(r)),
        }
    }

    fn asignar_nss(&self, _: AsignacionNss) -> Respuesta<ResultadoAsignacion> {
        // Long enough for the "puede tardar" notice (it shows after 3 s).
        let extra = if self.escenario == esc::ASIGNACION_LENTA {
            8_000
        } else {
            0
        };
        match self.falla() {
            Some(e) => self.tras(extra, Err(e)),
            None => self.tras(extra, Ok(asignacion(self.escenario))),
        }
    }

    fn shard_cp(&self, archivo: String) -> Respuesta<String> {
        let conocido = afiliate_domain::postal::shard_file(CP_DEMO).as_deref() == Some(&archivo);
        let shard = if conocido && self.escenario != esc::CP_DESCONOCIDO {
            SHARD_DEMO.to_string()
        } else {
            String::new()
        };
        self.tras(0, Ok(shard))
    }

    fn reenviar_documento(&self, _: String) -> Respuesta<Mensaje> {
        self.tras(
            0,
            Ok(Mensaje {
                mensaje: "El comprobante ha sido reenviado.".into(),
            }),
        )
    }

    fn verificacion(&self, folio: String) -> Respuesta<Verificacion> {
        let autentico = self.escenario != esc::DOCUMENTO_NO_AUTENTICO;
        self.tras(
            0,
            Ok(Verificacion {
                folio,
                autentico,
                documento: "Número de Seguridad Social".into(),
                certifica: "Que a la persona se le asignó el Número de Seguridad Social indicado.".into(),
                fecha: "01/12/2026".into(),
                nombre: "AN* EJ***** PR*****".into(),
                curp: "EPDA************".into(),
                nss: "*******1234".into(),
                clave: "3f9a0c5d71be".into(),
                mensaje: if autentico {
                    "El documento es auténtico: su sello digital corresponde a los datos que certifica."
                } else {
                    "El documento NO es auténtico: su sello digital no corresponde a los datos que presenta."
                }
                .into(),
            }),
        )
    }

    fn solicitar_vigencia(&self, _: SolicitudVigencia) -> Respuesta<ResultadoVigencia> {
        if self.escenario == esc::NSS_NO_CORRESPONDE {
            return self.tras(
                0,
                Err(problema(
                    422,
                    "nss-no-corresponde",
                    "El NSS que escribiste no corresponde a tu CURP. Revísalo o consúltalo en el Paso 1.",
                    Some("nss"),
                )),
            );
        }
        if self.escenario == esc::NSS_DADO_DE_BAJA {
            return self.tras(0, Err(problema(422, "nss-dado-de-baja", "Tu NSS está dado de baja. Acude a tu subdelegación con una identificación oficial y tu CURP.", None)));
        }
        match self.falla() {
            Some(e) => self.tras(0, Err(e)),
            None => self.tras(0, Ok(vigencia(self.escenario))),
        }
    }

    fn umf_de_cp(&self, codigo_postal: String) -> Respuesta<UmfDeCodigoPostal> {
        if self.escenario == esc::SIN_UMF {
            let detalle = mensaje_sin_umf(&codigo_postal);
            return self.tras(0, Err(problema(404, "no-encontrado", &detalle, None)));
        }
        if let Some(e) = self.falla() {
            return self.tras(0, Err(e));
        }
        self.tras(
            0,
            Ok(UmfDeCodigoPostal {
                codigo_postal,
                umf: vec![umf_demo()],
            }),
        )
    }
}
