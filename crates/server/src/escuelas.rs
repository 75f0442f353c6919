//! Schools and their enrolments (seguro facultativo, modalidad 32): the rules, without storage.
//!
//! - A school is known by its clave de centro de trabajo (CCT) and enrols its students under its registro patronal.
//!   It sends its enrolments with its own API key ([`nueva_clave`]), stored only as a SHA-256 digest
//!   ([`huella_clave`]): the key is random (256 bits), so a plain digest is enough and a lookup is one hash.
//! - An enrolment (alta) is `curp,nss,fecha_alta,periodo`; a baja is `curp,nss,fecha_baja`. [`Periodo`] says what a
//!   period is and how it sets the dates of the right to medical service.
//! - [`evaluar`] decides, from an NSS's enrolments and today's date, whether the student has the right today.

use afiliate_domain::api::{
    EstadoVigencia, MotivoSinDerecho, RenglonInscripcion, ReporteInscripciones, ResultadoRenglon,
};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{Datelike as _, NaiveDate};
use sha2::{Digest as _, Sha256};

/// What the constancia and the API call the students' insurance.
pub const TIPO_ASEGURADO: &str = "Estudiante (seguro facultativo, modalidad 32)";

/// The two CSV headers a school sends.
pub const ENCABEZADO_ALTAS: &str = "curp,nss,fecha_alta,periodo";
pub const ENCABEZADO_BAJAS: &str = "curp,nss,fecha_baja";

/// A clave de centro de trabajo, upper-cased: 2 digits of the state (01–32, INEGI), 3 letters (sostenimiento and
/// kind of school), 4 digits and a check letter, e.g. `09PDM0001Z`. The check letter's algorithm is SEP's and not
/// public: only its shape is checked.
pub fn validar_cct(cct: &str) -> Result<String, &'static str> {
    let c = cct.trim().to_ascii_uppercase();
    let b = c.as_bytes();
    let forma = b.len() == 10
        && b[..2].iter().all(u8::is_ascii_digit)
        && b[2..5].iter().all(u8::is_ascii_uppercase)
        && b[5..9].iter().all(u8::is_ascii_digit)
        && b[9].is_ascii_uppercase();
    if !forma {
        return Err("La CCT debe tener 10 caracteres: 2 dígitos del estado, 3 letras, 4 dígitos y una letra (por ejemplo 09PDM0001Z).");
    }
    if !(1..=32).contains(&estado_de_cct(&c)) {
        return Err(
            "Los dos primeros dígitos de la CCT deben ser la clave de un estado (01 a 32).",
        );
    }
    Ok(c)
}

/// The state (INEGI 1–32) a well-formed CCT starts with.
pub fn estado_de_cct(cct: &str) -> u8 {
    cct.get(..2).and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// A registro patronal, upper-cased: 11 characters, a letter and 10 digits (e.g. `Z0000001320`).
pub fn validar_registro_patronal(rp: &str) -> Result<String, &'static str> {
    let r = rp.trim().to_ascii_uppercase();
    let b = r.as_bytes();
    if b.len() == 11 && b[0].is_ascii_uppercase() && b[1..].iter().all(u8::is_ascii_digit) {
        Ok(r)
    } else {
        Err("El registro patronal debe tener 11 caracteres: una letra y 10 dígitos.")
    }
}

/// The state of a school, as its two-digit INEGI key (`09`) or its name (`Ciudad de México`), which must be the
/// state the CCT starts with. Answers the two-digit key.
pub fn validar_estado(estado: &str, cct: &str) -> Result<String, &'static str> {
    let e = estado.trim();
    let clave = match e.parse::<u8>() {
        Ok(n) if e.len() <= 2 => Some(n),
        _ => afiliate_domain::postal::clave_estado(e),
    }
    .filter(|n| (1..=32).contains(n))
    .ok_or("El estado debe ser su clave de dos dígitos (01 a 32) o su nombre.")?;
    if clave != estado_de_cct(cct) {
        return Err("El estado no corresponde a los dos primeros dígitos de la CCT.");
    }
    Ok(format!("{clave:02}"))
}

/// A new API key: `afi_` and 43 characters (32 random bytes, base64url).
pub fn nueva_clave() -> String {
    let mut b = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut b);
    format!("afi_{}", URL_SAFE_NO_PAD.encode(b))
}

/// The digest stored for a key (SHA-256, hex).
pub fn huella_clave(clave: &str) -> String {
    Sha256::digest(clave.trim().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `clave` is the key whose digest is `huella` (compared without an early exit).
pub fn clave_coincide(clave: &str, huella: &str) -> bool {
    let calculada = huella_clave(clave);
    calculada.len() == huella.len()
        && calculada
            .bytes()
            .zip(huella.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// An enrolment period, as schools write it in the `periodo` column:
/// - `AAAA-AAAA` (two consecutive years): an annual school cycle, 1 August of the first year to 31 July of the
///   second (so consecutive cycles leave no gap over the summer), e.g. `2026-2027`;
/// - `AAAA-1` / `AAAA-2`: a semester, 1 January–30 June / 1 July–31 December of that year, e.g. `2027-1`.
///
/// The right to medical service runs from the alta's date (which must fall inside the period) to the period's last
/// day, or to the baja's date when the school sends one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Periodo {
    pub inicio: NaiveDate,
    pub fin: NaiveDate,
}

impl Periodo {
    pub fn parse(s: &str) -> Result<Periodo, &'static str> {
        const MSG: &str = "El periodo debe ser un ciclo anual AAAA-AAAA (por ejemplo 2026-2027) o un semestre AAAA-1 o AAAA-2.";
        let (a, b) = s.trim().split_once('-').ok_or(MSG)?;
        let anio: i32 = a
            .parse()
            .ok()
            .filter(|_| a.len() == 4)
            .filter(|y| (2000..=2100).contains(y))
            .ok_or(MSG)?;
        let fecha = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).ok_or(MSG);
        match b {
            "1" => Ok(Periodo {
                inicio: fecha(anio, 1, 1)?,
                fin: fecha(anio, 6, 30)?,
            }),
            "2" => Ok(Periodo {
                inicio: fecha(anio, 7, 1)?,
                fin: fecha(anio, 12, 31)?,
            }),
            _ if b.len() == 4 && b.parse::<i32>().ok() == Some(anio + 1) => Ok(Periodo {
                inicio: fecha(anio, 8, 1)?,
                fin: fecha(anio + 1, 7, 31)?,
            }),
            _ if b.len() == 4 => {
                Err("Un ciclo anual son dos años seguidos, por ejemplo 2026-2027.")
            }
            _ => Err(MSG),
        }
    }

    /// The annual cycle that contains `dia`, as text (e.g. `2026-2027`).
    pub fn ciclo_de(dia: NaiveDate) -> String {
        let y = if dia.month() >= 8 {
            dia.year()
        } else {
            dia.year() - 1
        };
        format!("{y}-{}", y + 1)
    }
}

/// A date as schools write it: `AAAA-MM-DD` or `dd/mm/aaaa`.
pub fn parse_fecha(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .ok()
        .filter(|d| (2000..=2100).contains(&d.year()))
}

/// `dd/mm/aaaa`.
pub fn dd_mm_aaaa(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// Today in Mexico's central time.
pub fn hoy(ahora: i64) -> NaiveDate {
    chrono::DateTime::from_timestamp(ahora, 0)
        .unwrap_or_default()
        .with_timezone(&crate::documents::hora_centro())
        .date_naive()
}

/// An alta row checked: (CURP, NSS, fecha_alta, the period's text, the period).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alta {
    pub curp: String,
    pub nss: String,
    pub fecha_alta: NaiveDate,
    pub periodo: String,
    pub rango: Periodo,
}

/// A baja row checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Baja {
    pub curp: String,
    pub nss: String,
    pub fecha_baja: NaiveDate,
}

fn curp_y_nss(curp: &str, nss: &str) -> Result<(String, String), String> {
    use afiliate_domain::ErrorDeDominio as _;
    let curp =
        afiliate_domain::curp::Curp::parse(curp).map_err(|e| format!("CURP: {}", e.message()))?;
    let nss = afiliate_domain::nss::Nss::parse(nss).map_err(|e| format!("NSS: {}", e.message()))?;
    Ok((curp.as_str().to_string(), nss.as_str().to_string()))
}

/// Checks an alta row's fields (not yet against the registry): `hoy` bounds the date.
pub fn alta_de_campos(c: &[String], hoy: NaiveDate) -> Result<Alta, String> {
    let [curp, nss, fecha, periodo] = c else {
        return Err(format!("Se esperaban 4 columnas y hay {}.", c.len()));
    };
    let (curp, nss) = curp_y_nss(curp, nss)?;
    let fecha_alta = parse_fecha(fecha).ok_or(
        "fecha_alta: escribe una fecha que exista, como AAAA-MM-DD (por ejemplo 2026-08-24).",
    )?;
    let rango = Periodo::parse(periodo).map_err(|m| format!("periodo: {m}"))?;
    if fecha_alta > hoy {
        return Err("fecha_alta: no puede ser posterior a hoy.".into());
    }
    if fecha_alta < rango.inicio || fecha_alta > rango.fin {
        return Err(format!(
            "fecha_alta: debe estar dentro del periodo {} (del {} al {}).",
            periodo.trim(),
            dd_mm_aaaa(rango.inicio),
            dd_mm_aaaa(rango.fin)
        ));
    }
    Ok(Alta {
        curp,
        nss,
        fecha_alta,
        periodo: periodo.trim().to_string(),
        rango,
    })
}

/// Checks a baja row's fields.
pub fn baja_de_campos(c: &[String], hoy: NaiveDate) -> Result<Baja, String> {
    let [curp, nss, fecha] = c else {
        return Err(format!("Se esperaban 3 columnas y hay {}.", c.len()));
    };
    let (curp, nss) = curp_y_nss(curp, nss)?;
    let fecha_baja = parse_fecha(fecha).ok_or(
        "fecha_baja: escribe una fecha que exista, como AAAA-MM-DD (por ejemplo 2027-01-15).",
    )?;
    if fecha_baja > hoy {
        return Err("fecha_baja: no puede ser posterior a hoy.".into());
    }
    Ok(Baja {
        curp,
        nss,
        fecha_baja,
    })
}

/// One stored enrolment, as [`evaluar`] needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inscripcion {
    pub cct: String,
    pub escuela: String,
    pub registro_patronal: String,
    pub periodo: String,
    pub vigente_desde: NaiveDate,
    pub vigente_hasta: NaiveDate,
    pub fecha_baja: Option<NaiveDate>,
}

impl Inscripcion {
    /// The last day of the right: the baja's date, or the period's last day.
    pub fn hasta(&self) -> NaiveDate {
        match self.fecha_baja {
            Some(b) => b.min(self.vigente_hasta),
            None => self.vigente_hasta,
        }
    }
}

/// Whether the student has the right today, and the enrolment that says so (or the newest one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluacion<'a> {
    pub estado: EstadoVigencia,
    pub motivo: Option<MotivoSinDerecho>,
    pub inscripcion: Option<&'a Inscripcion>,
}

/// Vigente when an enrolment's right covers `hoy` (from its alta to its period's end, or to its baja); otherwise
/// no right, because nobody enrolled the student (`sin_inscripcion`), the newest enrolment ended with a baja
/// (`baja_escolar`), or its period ended (`periodo_vencido`).
pub fn evaluar(inscripciones: &[Inscripcion], hoy: NaiveDate) -> Evaluacion<'_> {
    let vigente = inscripciones
        .iter()
        .filter(|i| i.vigente_desde <= hoy && hoy <= i.hasta())
        .max_by_key(|i| (i.hasta(), i.vigente_desde));
    if let Some(i) = vigente {
        return Evaluacion {
            estado: EstadoVigencia::Vigente,
            motivo: None,
            inscripcion: Some(i),
        };
    }
    let ultima = inscripciones
        .iter()
        .filter(|i| i.vigente_desde <= hoy)
        .max_by_key(|i| (i.hasta(), i.vigente_desde));
    match ultima {
        None => Evaluacion {
            estado: EstadoVigencia::SinDerecho,
            motivo: Some(MotivoSinDerecho::SinInscripcion),
            inscripcion: None,
        },
        Some(i) => Evaluacion {
            estado: EstadoVigencia::SinDerecho,
            motivo: Some(if i.fecha_baja.is_some() {
                MotivoSinDerecho::BajaEscolar
            } else {
                MotivoSinDerecho::PeriodoVencido
            }),
            inscripcion: Some(i),
        },
    }
}

/// Which kind of file a school sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Archivo {
    /// `curp,nss,fecha_alta,periodo`
    Altas,
    /// `curp,nss,fecha_baja`
    Bajas,
}

impl Archivo {
    pub fn encabezado(self) -> &'static str {
        match self {
            Archivo::Altas => ENCABEZADO_ALTAS,
            Archivo::Bajas => ENCABEZADO_BAJAS,
        }
    }

    /// The kind whose header `texto` starts with (the CLI's `escuelas import` takes either).
    pub fn de_encabezado(texto: &str) -> Option<Archivo> {
        let texto = texto.strip_prefix('\u{feff}').unwrap_or(texto);
        let primera: String = texto
            .lines()
            .next()
            .unwrap_or("")
            .split(',')
            .map(|c| c.trim().to_lowercase())
            .collect::<Vec<_>>()
            .join(",");
        [Archivo::Altas, Archivo::Bajas]
            .into_iter()
            .find(|a| a.encabezado() == primera)
    }
}

/// A row that passed the checks that need no database.
#[derive(Clone, Debug)]
enum Pendiente {
    Alta(Alta),
    Baja(Baja),
}

/// Rows per transaction: a big file never holds the database's writer for long, and what was committed stays
/// (sending the file again is harmless).
const RENGLONES_POR_TRANSACCION: usize = 500;

/// Applies a school's file (CSV text) and reports every row: good rows are kept when others fail, and the same
/// file sent twice changes nothing the second time. The school must exist (the caller authenticated it).
pub async fn procesar(
    db: &crate::db::Db,
    cct: &str,
    archivo: Archivo,
    texto: &str,
    ahora: i64,
) -> Result<ReporteInscripciones, crate::error::AppError> {
    use crate::error::AppError;
    let filas = crate::cli::leer_csv(texto, archivo.encabezado()).map_err(|_| {
        AppError::Csv(format!(
            "La primera línea del archivo debe ser el encabezado {}.",
            archivo.encabezado()
        ))
    })?;
    let hoy = hoy(ahora);
    let mut detalle = Vec::with_capacity(filas.len());
    let mut pendientes: Vec<(usize, Pendiente)> = Vec::new();
    for (linea, campos) in filas {
        let curp: String = campos
            .as_ref()
            .ok()
            .and_then(|c| c.first())
            .map(|c| c.chars().take(40).collect())
            .unwrap_or_default();
        let revisado = campos.and_then(|c| match archivo {
            Archivo::Altas => alta_de_campos(&c, hoy).map(Pendiente::Alta),
            Archivo::Bajas => baja_de_campos(&c, hoy).map(Pendiente::Baja),
        });
        let (resultado, motivo) = match revisado {
            Ok(p) => {
                pendientes.push((detalle.len(), p));
                (ResultadoRenglon::SinCambios, None)
            }
            Err(m) => (ResultadoRenglon::Rechazado, Some(m)),
        };
        detalle.push(RenglonInscripcion {
            linea: u32::try_from(linea).unwrap_or(u32::MAX),
            curp,
            resultado,
            motivo,
        });
    }
    for trozo in pendientes.chunks(RENGLONES_POR_TRANSACCION) {
        let trozo = std::sync::Arc::new(trozo.to_vec());
        let para_escribir = trozo.clone();
        let cct_txn = cct.to_string();
        let resultados = db
            .write(move |c| {
                let (trozo, cct) = (para_escribir.clone(), cct_txn.clone());
                Box::pin(async move {
                    let mut out = Vec::with_capacity(trozo.len());
                    for (_, p) in trozo.iter() {
                        let (curp, nss, alta) = match p {
                            Pendiente::Alta(a) => (&a.curp, &a.nss, true),
                            Pendiente::Baja(b) => (&b.curp, &b.nss, false),
                        };
                        let r =
                            match crate::db::escuelas::nss_de_la_curp(c, curp, nss, alta).await? {
                                Err(m) => (ResultadoRenglon::Rechazado, Some(m)),
                                Ok(()) => match p {
                                    Pendiente::Alta(a) => {
                                        crate::db::escuelas::aplicar_alta(c, &cct, a, ahora).await?
                                    }
                                    Pendiente::Baja(b) => {
                                        crate::db::escuelas::aplicar_baja(c, &cct, b, ahora).await?
                                    }
                                },
                            };
                        out.push(r);
                    }
                    Ok(out)
                })
            })
            .await?;
        for ((i, _), (resultado, motivo)) in trozo.iter().zip(resultados) {
            detalle[*i].resultado = resultado;
            detalle[*i].motivo = motivo;
        }
    }
    let contar = |r: ResultadoRenglon| detalle.iter().filter(|d| d.resultado == r).count() as u32;
    Ok(ReporteInscripciones {
        cct: cct.to_string(),
        renglones: detalle.len() as u32,
        aceptados: contar(ResultadoRenglon::Aceptado),
        sin_cambios: contar(ResultadoRenglon::SinCambios),
        rechazados: contar(ResultadoRenglon::Rechazado),
        detalle,
    })
}

/// What a student without the right should do, one or two Spanish sentences (the constancia and the e-mail say
/// it; the app says it from `motivo`). `hasta` is the end of the last right (dd/mm/aaaa) when there was one.
pub fn que_hacer(motivo: Option<MotivoSinDerecho>, hasta: Option<&str>) -> String {
    match motivo {
        Some(MotivoSinDerecho::BajaEscolar) => format!(
            "Tu escuela informó tu baja{}. Si sigues estudiando, pide a servicios escolares que te inscriban de nuevo al \
             IMSS con tu NSS.",
            hasta.map(|h| format!(" el {h}")).unwrap_or_default()
        ),
        Some(MotivoSinDerecho::PeriodoVencido) => format!(
            "Tu inscripción{} y tu escuela no la ha renovado. Pide a servicios escolares que te inscriban en el periodo \
             actual con tu NSS.",
            hasta.map(|h| format!(" terminó el {h}")).unwrap_or_else(|| " terminó".into())
        ),
        _ => "Tu escuela aún no te ha inscrito al IMSS. Acude a servicios escolares de tu escuela con tu NSS para que \
              te inscriban; después vuelve a solicitar tu constancia."
            .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    #[test]
    fn cct_registro_patronal_y_estado() {
        assert_eq!(validar_cct(" 09pdm0001z ").unwrap(), "09PDM0001Z");
        for malo in [
            "",
            "09PDM0001",
            "09PDM00012",
            "9PDM0001ZZ",
            "33PDM0001Z",
            "00PDM0001Z",
            "09P1M0001Z",
        ] {
            assert!(validar_cct(malo).is_err(), "{malo}");
        }
        assert_eq!(
            validar_registro_patronal("z0000001320").unwrap(),
            "Z0000001320"
        );
        for malo in ["Z000000132", "Z00000013200", "00000001320", "Z00000A1320"] {
            assert!(validar_registro_patronal(malo).is_err(), "{malo}");
        }
        assert_eq!(validar_estado("09", "09PDM0001Z").unwrap(), "09");
        assert_eq!(validar_estado("9", "09PDM0001Z").unwrap(), "09");
        assert_eq!(
            validar_estado("Ciudad de México", "09PDM0001Z").unwrap(),
            "09"
        );
        assert!(validar_estado("15", "09PDM0001Z").is_err());
        assert!(validar_estado("Narnia", "09PDM0001Z").is_err());
    }

    #[test]
    fn claves_se_guardan_como_huella() {
        let k = nueva_clave();
        assert!(k.starts_with("afi_") && k.len() == 47, "{k}");
        assert_ne!(k, nueva_clave());
        let h = huella_clave(&k);
        assert_eq!(h.len(), 64);
        assert!(clave_coincide(&k, &h));
        assert!(!clave_coincide(&nueva_clave(), &h));
        assert!(!clave_coincide(&k, ""));
    }

    #[test]
    fn periodos() {
        let p = Periodo::parse("2026-2027").unwrap();
        assert_eq!((p.inicio, p.fin), (d(2026, 8, 1), d(2027, 7, 31)));
        let p = Periodo::parse("2027-1").unwrap();
        assert_eq!((p.inicio, p.fin), (d(2027, 1, 1), d(2027, 6, 30)));
        let p = Periodo::parse("2027-2").unwrap();
        assert_eq!((p.inicio, p.fin), (d(2027, 7, 1), d(2027, 12, 31)));
        for malo in [
            "",
            "2026",
            "2026-2028",
            "2026-3",
            "26-27",
            "2026/2027",
            "abcd-1",
        ] {
            assert!(Periodo::parse(malo).is_err(), "{malo}");
        }
        assert_eq!(Periodo::ciclo_de(d(2026, 8, 1)), "2026-2027");
        assert_eq!(Periodo::ciclo_de(d(2027, 7, 31)), "2026-2027");
    }

    #[test]
    fn renglones_de_alta_y_baja() {
        let hoy = d(2026, 12, 5);
        let c = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let curp = "GALM050314MDFRPRA7";
        let a = alta_de_campos(&c(&[curp, "12230543212", "2026-08-24", "2026-2027"]), hoy).unwrap();
        assert_eq!(a.fecha_alta, d(2026, 8, 24));
        let a2 =
            alta_de_campos(&c(&[curp, "12230543212", "24/08/2026", "2026-2027"]), hoy).unwrap();
        assert_eq!(a, a2);
        let err = |v: &[&str]| alta_de_campos(&c(v), hoy).unwrap_err();
        assert!(err(&[curp, "12230543213", "2026-08-24", "2026-2027"]).starts_with("NSS: "));
        assert!(err(&["GALM", "12230543212", "2026-08-24", "2026-2027"]).starts_with("CURP: "));
        assert!(err(&[curp, "12230543212", "2026-02-30", "2026-2027"]).starts_with("fecha_alta"));
        assert!(err(&[curp, "12230543212", "2026-12-06", "2026-2027"]).contains("posterior a hoy"));
        assert!(
            err(&[curp, "12230543212", "2026-07-24", "2026-2027"]).contains("dentro del periodo")
        );
        assert!(err(&[curp, "12230543212", "2026-08-24", "2026"]).starts_with("periodo"));
        assert!(err(&[curp, "12230543212"]).contains("4 columnas"));
        assert!(baja_de_campos(&c(&[curp, "12230543212", "2026-12-01"]), hoy).is_ok());
        assert!(baja_de_campos(&c(&[curp, "12230543212", "2026-12-07"]), hoy).is_err());
    }

    #[test]
    fn evaluacion_de_la_vigencia() {
        let hoy = d(2026, 12, 5);
        let i = |desde, hasta, baja| Inscripcion {
            cct: "09PDM0001Z".into(),
            escuela: "E".into(),
            registro_patronal: "Z0000001320".into(),
            periodo: "p".into(),
            vigente_desde: desde,
            vigente_hasta: hasta,
            fecha_baja: baja,
        };
        let e = evaluar(&[], hoy);
        assert_eq!(e.motivo, Some(MotivoSinDerecho::SinInscripcion));
        let actual = i(d(2026, 8, 1), d(2027, 7, 31), None);
        let e = evaluar(std::slice::from_ref(&actual), hoy);
        assert_eq!(e.estado, EstadoVigencia::Vigente);
        assert_eq!(e.motivo, None);
        let vencida = i(d(2025, 8, 1), d(2026, 7, 31), None);
        assert_eq!(
            evaluar(std::slice::from_ref(&vencida), hoy).motivo,
            Some(MotivoSinDerecho::PeriodoVencido)
        );
        let con_baja = i(d(2026, 8, 1), d(2027, 7, 31), Some(d(2026, 10, 1)));
        assert_eq!(
            evaluar(std::slice::from_ref(&con_baja), hoy).motivo,
            Some(MotivoSinDerecho::BajaEscolar)
        );
        // A baja dated today still covers today.
        let baja_hoy = i(d(2026, 8, 1), d(2027, 7, 31), Some(hoy));
        assert_eq!(
            evaluar(std::slice::from_ref(&baja_hoy), hoy).estado,
            EstadoVigencia::Vigente
        );
        // An enrolment that covers today wins over an older one with a baja.
        let todas = [con_baja.clone(), vencida.clone(), actual.clone()];
        let e = evaluar(&todas, hoy);
        assert_eq!(e.estado, EstadoVigencia::Vigente);
        assert_eq!(e.inscripcion, Some(&actual));
        // Without one, the newest decides: a baja after an expired period.
        let dos = [vencida, con_baja.clone()];
        let e = evaluar(&dos, hoy);
        assert_eq!(e.motivo, Some(MotivoSinDerecho::BajaEscolar));
        assert_eq!(e.inscripcion, Some(&con_baja));
    }
}
