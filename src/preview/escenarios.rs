//! The designer preview's scenarios (what the mock server answers) and the gallery's entries (every screen in
//! every state). The same list drives the gallery page, `cargo xtask screenshots` and the gallery test.

/// One state of the service the mock can play.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Escenario {
    /// In the URL: `?escenario=renapo-caido`.
    pub id: &'static str,
    /// For the panel.
    pub nombre: &'static str,
}

macro_rules! escenarios {
    ($($c:ident = $id:literal, $nombre:literal;)+) => {
        $(pub const $c: Escenario = Escenario { id: $id, nombre: $nombre };)+
        /// Every scenario, in the panel's order.
        pub const TODOS: &[Escenario] = &[$($c),+];
    };
}

escenarios! {
    LOCALIZADO = "nss-localizado", "NSS localizado";
    ASIGNADO = "sin-nss-asignado", "Sin NSS → asignado";
    CAPTCHA_INCORRECTO = "captcha-incorrecto", "CAPTCHA incorrecto";
    LIMITE_DIARIO = "limite-diario", "Límite diario";
    CURP_NO_ENCONTRADA = "curp-no-encontrada", "CURP no encontrada en RENAPO";
    RENAPO_CAIDO = "renapo-caido", "RENAPO caído";
    SUBDELEGACION = "subdelegacion", "Acudir a la subdelegación";
    CP_DESCONOCIDO = "cp-desconocido", "Código postal desconocido (captura manual)";
    RED_CAIDA = "red-caida", "Red caída";
    ERROR_SERVIDOR = "error-servidor", "Error del servidor";
    ASIGNACION_LENTA = "asignacion-lenta", "Asignación lenta («puede tardar»)";
    CONFIRMAR_CORREO = "confirmar-correo", "Con confirmación del correo (AFILIATE_CONFIRMAR_CORREO)";
    DOCUMENTO_AUTENTICO = "documento-autentico", "Documento auténtico";
    DOCUMENTO_NO_AUTENTICO = "documento-no-autentico", "Documento no auténtico";
    VIGENTE = "vigencia-vigente", "Constancia: vigente";
    SIN_INSCRIPCION = "vigencia-sin-inscripcion", "Constancia: escuela no lo ha inscrito";
    BAJA_ESCOLAR = "vigencia-baja", "Constancia: baja escolar";
    PERIODO_VENCIDO = "vigencia-vencida", "Constancia: periodo vencido";
    NSS_NO_CORRESPONDE = "vigencia-nss-no-corresponde", "Constancia: NSS de otra CURP";
    NSS_DADO_DE_BAJA = "vigencia-nss-dado-de-baja", "Constancia: NSS dado de baja";
    UMF_ENCONTRADA = "umf-encontrada", "Paso 3: clínica encontrada";
    SIN_UMF = "umf-sin-clinica", "Paso 3: código postal sin clínica";
}

impl Escenario {
    /// The scenario of an id (the default for an unknown one).
    pub fn de(id: &str) -> Escenario {
        TODOS
            .iter()
            .copied()
            .find(|e| e.id == id)
            .unwrap_or(LOCALIZADO)
    }
}

/// How slow the mock answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Latencia {
    pub id: &'static str,
    pub nombre: &'static str,
    pub ms: u32,
}

pub const LATENCIAS: [Latencia; 3] = [
    Latencia {
        id: "ninguna",
        nombre: "Sin espera",
        ms: 0,
    },
    Latencia {
        id: "3g",
        nombre: "Como en 3G (0.8 s)",
        ms: 800,
    },
    Latencia {
        id: "lenta",
        nombre: "Muy lenta (3 s)",
        ms: 3000,
    },
];

impl Latencia {
    pub fn de(id: &str) -> Latencia {
        LATENCIAS
            .iter()
            .copied()
            .find(|l| l.id == id)
            .unwrap_or(LATENCIAS[0])
    }
}

/// What the gallery shows of a screen before it is drawn: the trámite's state the screen needs (as if the
/// student had come this far), and whether to send its form at once (to show the server's answer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preparar {
    /// Nothing saved: the screen as a first visit shows it.
    Nada,
    /// Paso 1's answer saved (found or "sin NSS", by the scenario).
    Solicitud,
    /// Paso 1's answer and an address typed.
    Domicilio,
    /// The NSS located or assigned (by the scenario), with its documents.
    Resultado,
    /// The constancia's answer saved (by the scenario).
    Constancia,
    /// The form filled in (with the fictitious person) and sent once it is on screen.
    Enviar,
}

/// One gallery entry: a route in a state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entrada {
    pub ruta: &'static str,
    pub escenario: Escenario,
    pub preparar: Preparar,
    /// What the designer sees under it.
    pub estado: &'static str,
}

const fn e(
    ruta: &'static str,
    escenario: Escenario,
    preparar: Preparar,
    estado: &'static str,
) -> Entrada {
    Entrada {
        ruta,
        escenario,
        preparar,
        estado,
    }
}

use Preparar::*;

/// Every screen in every state.
pub const ENTRADAS: &[Entrada] = &[
    e("/", LOCALIZADO, Nada, "Inicio"),
    e("/tramite/nss", LOCALIZADO, Nada, "Iniciar trámite"),
    e(
        "/tramite/nss",
        LOCALIZADO,
        Enviar,
        "Iniciar trámite: faltan datos",
    ),
    e(
        "/tramite/nss",
        CAPTCHA_INCORRECTO,
        Enviar,
        "CAPTCHA incorrecto",
    ),
    e("/tramite/nss", LIMITE_DIARIO, Enviar, "Límite diario"),
    e(
        "/tramite/nss",
        CURP_NO_ENCONTRADA,
        Enviar,
        "CURP no encontrada en RENAPO",
    ),
    e("/tramite/nss", RENAPO_CAIDO, Enviar, "RENAPO caído"),
    e(
        "/tramite/nss",
        SUBDELEGACION,
        Enviar,
        "Acudir a la subdelegación",
    ),
    e("/tramite/nss", RED_CAIDA, Enviar, "Red caída"),
    e("/tramite/nss", ERROR_SERVIDOR, Enviar, "Error del servidor"),
    e(
        "/tramite/nss/domicilio",
        ASIGNADO,
        Solicitud,
        "Ingresar domicilio",
    ),
    e(
        "/tramite/nss/domicilio",
        ASIGNADO,
        Domicilio,
        "Domicilio con código postal del catálogo",
    ),
    e(
        "/tramite/nss/domicilio",
        CP_DESCONOCIDO,
        Domicilio,
        "Código postal desconocido: captura manual",
    ),
    e(
        "/tramite/nss/revisar",
        ASIGNADO,
        Domicilio,
        "Revisa tus datos",
    ),
    e(
        "/tramite/nss/revisar",
        ASIGNACION_LENTA,
        Enviar,
        "Asignación lenta («puede tardar»)",
    ),
    e(
        "/tramite/nss/resultado",
        LOCALIZADO,
        Resultado,
        "Tu NSS es (localizado)",
    ),
    e(
        "/tramite/nss/resultado",
        ASIGNADO,
        Resultado,
        "Asignación de NSS exitosa",
    ),
    e(
        "/tramite/nss/resultado",
        LOCALIZADO,
        Nada,
        "Resultado sin trámite",
    ),
    e("/tramite/nss/fin", LOCALIZADO, Nada, "Terminaste el Paso 1"),
    e(
        "/tramite/nss/correo",
        CONFIRMAR_CORREO,
        Solicitud,
        "Con confirmación del correo: revisa tu correo",
    ),
    e(
        "/tramite/nss/confirmar",
        CONFIRMAR_CORREO,
        Nada,
        "Enlace del correo sin token (ya usado o incompleto)",
    ),
    e(
        "/verificar/NSS-DEMO-0001",
        DOCUMENTO_AUTENTICO,
        Nada,
        "Documento auténtico",
    ),
    e(
        "/verificar/NSS-DEMO-0001",
        DOCUMENTO_NO_AUTENTICO,
        Nada,
        "Documento no auténtico",
    ),
    e("/paso-2", VIGENTE, Nada, "Paso 2"),
    e("/tramite/vigencia", VIGENTE, Nada, "Constancia: formulario"),
    e(
        "/tramite/vigencia",
        VIGENTE,
        Resultado,
        "Constancia: llenada desde el Paso 1",
    ),
    e(
        "/tramite/vigencia",
        NSS_NO_CORRESPONDE,
        Enviar,
        "Constancia: NSS de otra CURP",
    ),
    e(
        "/tramite/vigencia",
        NSS_DADO_DE_BAJA,
        Enviar,
        "Constancia: NSS dado de baja",
    ),
    e(
        "/tramite/vigencia",
        RENAPO_CAIDO,
        Enviar,
        "Constancia: RENAPO caído",
    ),
    e(
        "/tramite/vigencia/resultado",
        VIGENTE,
        Constancia,
        "Constancia: SÍ tiene derecho",
    ),
    e(
        "/tramite/vigencia/resultado",
        SIN_INSCRIPCION,
        Constancia,
        "Constancia: escuela no lo ha inscrito",
    ),
    e(
        "/tramite/vigencia/resultado",
        BAJA_ESCOLAR,
        Constancia,
        "Constancia: baja escolar",
    ),
    e(
        "/tramite/vigencia/resultado",
        PERIODO_VENCIDO,
        Constancia,
        "Constancia: periodo vencido",
    ),
    e("/paso-3", UMF_ENCONTRADA, Nada, "Paso 3: buscar clínica"),
    e(
        "/paso-3",
        UMF_ENCONTRADA,
        Domicilio,
        "Paso 3: clínica encontrada",
    ),
    e(
        "/paso-3",
        SIN_UMF,
        Domicilio,
        "Paso 3: código postal sin clínica",
    ),
    e(
        "/aviso-de-privacidad",
        LOCALIZADO,
        Nada,
        "Aviso de privacidad",
    ),
    e("/no-existe", LOCALIZADO, Nada, "Página no encontrada"),
];

impl Entrada {
    /// The URL that opens this entry in the preview (the gallery links to it and frames it).
    pub fn url(&self) -> String {
        let preparar = match self.preparar {
            Nada => "",
            Solicitud => "&preparar=solicitud",
            Domicilio => "&preparar=domicilio",
            Resultado => "&preparar=resultado",
            Constancia => "&preparar=constancia",
            Enviar => "&preparar=enviar",
        };
        [self.ruta, "?escenario=", self.escenario.id, preparar].concat()
    }
}

impl Preparar {
    pub fn de(id: &str) -> Preparar {
        match id {
            "solicitud" => Solicitud,
            "domicilio" => Domicilio,
            "resultado" => Resultado,
            "constancia" => Constancia,
            "enviar" => Enviar,
            _ => Nada,
        }
    }
}
