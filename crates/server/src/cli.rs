//! Operator commands on the database: registry import and demo seed, NSS import, schools and their enrolments,
//! the clinic catalog, mail status; and on the sello key file (`keys list|rotate|activate`).

use crate::db::Db;
use crate::registry::PersonaRegistro;
use afiliate_domain::curp::{self, Curp, DatosPersona, Entidad, Sexo};
use afiliate_domain::fecha::Fecha;
use afiliate_domain::nss::Nss;
use afiliate_domain::ErrorDeDominio;
use std::path::Path;

/// A CSV row after the header: its line number (where the record starts) and its fields, trimmed, or why it could
/// not be read.
type FilaCsv = (usize, Result<Vec<String>, String>);

/// Reads a CSV text with the `csv` crate (RFC 4180: quoted fields may hold commas, quotes and line breaks; CRLF or
/// LF line ends; a UTF-8 BOM is skipped) and checks its header against `encabezado` (case-insensitive). Rows with
/// every field empty are skipped.
pub fn leer_csv(texto: &str, encabezado: &str) -> anyhow::Result<Vec<FilaCsv>> {
    let texto = texto.strip_prefix('\u{feff}').unwrap_or(texto);
    let mut lector = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(texto.as_bytes());
    let cabecera = lector
        .headers()
        .map(|h| h.iter().collect::<Vec<_>>().join(",").to_lowercase())
        .unwrap_or_default();
    if cabecera != encabezado {
        anyhow::bail!("el encabezado debe ser {encabezado}");
    }
    let mut filas = Vec::new();
    let mut lineas = Lineas {
        texto: texto.as_bytes(),
        byte: 0,
        linea: 1,
    };
    for registro in lector.records() {
        match registro {
            Ok(r) => {
                if r.iter().all(str::is_empty) {
                    continue;
                }
                let linea = r.position().map_or(0, |p| lineas.de(p.byte()));
                filas.push((linea, Ok(r.iter().map(str::to_string).collect())));
            }
            Err(e) => {
                let linea = e.position().map_or(0, |p| lineas.de(p.byte()));
                filas.push((linea, Err("renglón CSV ilegible".to_string())));
            }
        }
    }
    Ok(filas)
}

/// Line numbers from byte offsets, counted forward as the records come (the `csv` crate's own line count is one
/// short after CRLF line ends).
struct Lineas<'a> {
    texto: &'a [u8],
    byte: usize,
    linea: usize,
}

impl Lineas<'_> {
    /// The line of the first character of the record that starts at or after `byte` (past any line break).
    fn de(&mut self, byte: u64) -> usize {
        let mut hasta = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.texto.len());
        while matches!(self.texto.get(hasta), Some(b'\r' | b'\n')) {
            hasta += 1;
        }
        if hasta > self.byte {
            self.linea += self.texto[self.byte..hasta]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            self.byte = hasta;
        }
        self.linea
    }
}

/// A rejected line of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineaRechazada {
    pub linea: usize,
    pub motivo: String,
}

/// What an import did.
#[derive(Debug, Default)]
pub struct Resumen {
    pub aceptadas: usize,
    pub rechazadas: Vec<LineaRechazada>,
}

impl std::fmt::Display for Resumen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} renglones importados, {} rechazados.",
            self.aceptadas,
            self.rechazadas.len()
        )?;
        for r in &self.rechazadas {
            write!(f, "\n  renglón {}: {}", r.linea, r.motivo)?;
        }
        Ok(())
    }
}

/// Checks one registry row: every field well formed (the CURP itself need not match the data: RENAPO's own
/// records sometimes do not, and those people are sent to the subdelegación).
pub fn persona_de_campos(c: &[String]) -> Result<PersonaRegistro, String> {
    if c.len() != 7 {
        return Err(format!("se esperaban 7 columnas y hay {}", c.len()));
    }
    let curp = Curp::parse(&c[0]).map_err(|e| format!("curp: {}", e.message()))?;
    if c[1].is_empty() {
        return Err("nombre: vacío".into());
    }
    if c[2].is_empty() {
        return Err("primer_apellido: vacío".into());
    }
    let fecha = Fecha::parse_iso(&c[4])
        .ok_or_else(|| "fecha_nacimiento: debe ser AAAA-MM-DD y existir".to_string())?;
    let sexo = c[5]
        .chars()
        .next()
        .filter(|_| c[5].chars().count() == 1)
        .and_then(|s| Sexo::parse(s.to_ascii_uppercase()))
        .ok_or_else(|| "sexo: debe ser H, M o X".to_string())?;
    let entidad = Entidad::parse(&c[6].to_uppercase())
        .ok_or_else(|| "entidad: clave de 2 letras desconocida".to_string())?;
    Ok(PersonaRegistro {
        curp: curp.as_str().to_string(),
        nombre: c[1].clone(),
        primer_apellido: c[2].clone(),
        segundo_apellido: c[3].clone(),
        fecha_nacimiento: fecha.iso(),
        sexo: sexo.letra().to_string(),
        entidad: entidad.codigo().to_string(),
    })
}

pub async fn guardar_personas(db: &Db, personas: &[PersonaRegistro]) -> anyhow::Result<()> {
    for lote in personas.chunks(1000) {
        let mut tx = db.pool.begin().await?;
        for p in lote {
            sqlx::query(
                "INSERT INTO personas (curp, nombre, primer_apellido, segundo_apellido, fecha_nacimiento, sexo, entidad) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (curp) DO UPDATE SET nombre = excluded.nombre, \
                 primer_apellido = excluded.primer_apellido, segundo_apellido = excluded.segundo_apellido, \
                 fecha_nacimiento = excluded.fecha_nacimiento, sexo = excluded.sexo, entidad = excluded.entidad",
            )
            .bind(&p.curp)
            .bind(&p.nombre)
            .bind(&p.primer_apellido)
            .bind(&p.segundo_apellido)
            .bind(&p.fecha_nacimiento)
            .bind(&p.sexo)
            .bind(&p.entidad)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
    }
    Ok(())
}

/// `registry import <persons.csv>`: header `curp,nombre,primer_apellido,segundo_apellido,fecha_nacimiento,sexo,entidad`.
pub async fn importar_registro(db: &Db, csv: &str) -> anyhow::Result<Resumen> {
    let mut resumen = Resumen::default();
    let mut buenas = Vec::new();
    let filas = leer_csv(
        csv,
        "curp,nombre,primer_apellido,segundo_apellido,fecha_nacimiento,sexo,entidad",
    )?;
    for (linea, campos) in filas {
        match campos.and_then(|c| persona_de_campos(&c)) {
            Ok(p) => buenas.push(p),
            Err(motivo) => resumen.rechazadas.push(LineaRechazada { linea, motivo }),
        }
    }
    guardar_personas(db, &buenas).await?;
    resumen.aceptadas = buenas.len();
    Ok(resumen)
}

/// Inserts one NSS that IMSS already issued; `Err` explains a conflict.
async fn guardar_nss(
    db: &Db,
    curp: &str,
    nss: &str,
    ahora: i64,
) -> anyhow::Result<Result<(), String>> {
    let r = sqlx::query(
        "INSERT INTO nss_asignaciones (curp, nss, origen, creado_en) VALUES ($1, $2, 'importado', $3) ON CONFLICT DO NOTHING",
    )
    .bind(curp)
    .bind(nss)
    .bind(ahora)
    .execute(&db.pool)
    .await?;
    if r.rows_affected() == 1 {
        return Ok(Ok(()));
    }
    let misma = sqlx::query("SELECT 1 FROM nss_asignaciones WHERE curp = $1 AND nss = $2")
        .bind(curp)
        .bind(nss)
        .fetch_optional(&db.pool)
        .await?
        .is_some();
    Ok(if misma {
        Ok(())
    } else {
        Err("la CURP ya tiene otro NSS o el NSS pertenece a otra CURP".into())
    })
}

/// `nss import <curp_nss.csv>`: header `curp,nss`.
pub async fn importar_nss(db: &Db, csv: &str) -> anyhow::Result<Resumen> {
    let mut resumen = Resumen::default();
    let ahora = chrono::Utc::now().timestamp();
    for (n, campos) in leer_csv(csv, "curp,nss")? {
        let c = match campos {
            Ok(c) => c,
            Err(motivo) => {
                resumen.rechazadas.push(LineaRechazada { linea: n, motivo });
                continue;
            }
        };
        let par = match c.as_slice() {
            [curp, nss] => Curp::parse(curp)
                .map_err(|e| format!("curp: {}", e.message()))
                .and_then(|curp| {
                    Nss::parse(nss)
                        .map(|nss| (curp, nss))
                        .map_err(|e| format!("nss: {}", e.message()))
                }),
            _ => Err(format!("se esperaban 2 columnas y hay {}", c.len())),
        };
        let r = match par {
            Ok((curp, nss)) => guardar_nss(db, curp.as_str(), nss.as_str(), ahora).await?,
            Err(e) => Err(e),
        };
        match r {
            Ok(()) => resumen.aceptadas += 1,
            Err(motivo) => resumen.rechazadas.push(LineaRechazada { linea: n, motivo }),
        }
    }
    Ok(resumen)
}

/// One documented demo person.
#[derive(Debug, Clone)]
pub struct Demo {
    pub caso: &'static str,
    pub curp: String,
    pub nss: Option<String>,
    pub nombre: String,
}

const NOMBRES_M: [&str; 8] = [
    "MARIANA", "SOFIA", "VALERIA", "XIMENA", "DANIELA", "FERNANDA", "ANDREA", "LUCIA",
];
const NOMBRES_H: [&str; 8] = [
    "SANTIAGO",
    "MATEO",
    "DIEGO",
    "EMILIANO",
    "LEONARDO",
    "JOSE LUIS",
    "ANGEL",
    "RICARDO",
];
const APELLIDOS: [&str; 16] = [
    "HERNANDEZ",
    "GARCIA",
    "MARTINEZ",
    "LOPEZ",
    "GONZALEZ",
    "RODRIGUEZ",
    "PEREZ",
    "SANCHEZ",
    "RAMIREZ",
    "CRUZ",
    "FLORES",
    "GOMEZ",
    "MORALES",
    "VAZQUEZ",
    "REYES",
    "JIMENEZ",
];

fn persona_demo(
    nombre: &str,
    primer: &str,
    segundo: &str,
    fecha: Fecha,
    sexo: Sexo,
    entidad: &str,
    homoclave: char,
) -> anyhow::Result<PersonaRegistro> {
    let entidad = Entidad::parse(entidad).ok_or_else(|| anyhow::anyhow!("entidad {entidad}"))?;
    let datos = DatosPersona {
        nombre,
        primer_apellido: primer,
        segundo_apellido: segundo,
        fecha_nacimiento: fecha,
        sexo,
        entidad,
    };
    let curp = curp::generar(&datos, homoclave).map_err(|e| anyhow::anyhow!(e.message()))?;
    Ok(PersonaRegistro {
        curp: curp.as_str().to_string(),
        nombre: nombre.to_string(),
        primer_apellido: primer.to_string(),
        segundo_apellido: segundo.to_string(),
        fecha_nacimiento: fecha.iso(),
        sexo: sexo.letra().to_string(),
        entidad: entidad.codigo().to_string(),
    })
}

fn f(a: u16, m: u8, d: u8) -> Fecha {
    Fecha::new(a, m, d).expect("literal date")
}

/// The constancia de vigencia's demo people: (case, name, surnames, birth date, sex, entidad, NSS consecutivo).
/// Their NSS are of subdelegación 09 and affiliation year 24, a series no synthetic student and no assignment of
/// the demo reaches.
type CasoVigencia = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Fecha,
    Sexo,
    &'static str,
    u16,
);

const VIGENCIA_DEMO: [CasoVigencia; 6] = [
    (
        "vigencia: vigente",
        "VALERIA",
        "TORRES",
        "MENDEZ",
        Fecha {
            anio: 2007,
            mes: 4,
            dia: 18,
        },
        Sexo::Mujer,
        "DF",
        101,
    ),
    (
        "vigencia: sin inscripción",
        "ANDRES",
        "CASTILLO",
        "RUIZ",
        Fecha {
            anio: 2006,
            mes: 9,
            dia: 3,
        },
        Sexo::Hombre,
        "MC",
        102,
    ),
    (
        "vigencia: baja escolar",
        "LUCIA",
        "NAVARRO",
        "SOTO",
        Fecha {
            anio: 2006,
            mes: 2,
            dia: 11,
        },
        Sexo::Mujer,
        "JC",
        103,
    ),
    (
        "vigencia: periodo vencido",
        "RICARDO",
        "MENDOZA",
        "ORTIZ",
        Fecha {
            anio: 2005,
            mes: 10,
            dia: 27,
        },
        Sexo::Hombre,
        "NL",
        104,
    ),
    (
        "vigencia: NSS dado de baja",
        "PAOLA",
        "AGUILAR",
        "VEGA",
        Fecha {
            anio: 2007,
            mes: 1,
            dia: 30,
        },
        Sexo::Mujer,
        "PL",
        105,
    ),
    (
        "vigencia: varios NSS (subdelegación)",
        "JORGE",
        "SALAZAR",
        "CAMPOS",
        Fecha {
            anio: 2006,
            mes: 6,
            dia: 6,
        },
        Sexo::Hombre,
        "GT",
        106,
    ),
];

fn nss_vigencia_demo(anio_nacimiento: u16, consecutivo: u16) -> anyhow::Result<String> {
    Nss::from_parts(9, 24, (anio_nacimiento % 100) as u8, consecutivo)
        .map(|n| n.as_str().to_string())
        .map_err(|e| anyhow::anyhow!(e.message()))
}

/// The demo schools (clearly fictitious): (CCT, name, registro patronal, estado).
pub const ESCUELAS_DEMO: [(&str, &str, &str, &str); 2] = [
    (
        "09PDM0001Z",
        "Preparatoria Demostración 1",
        "Z0000001320",
        "09",
    ),
    (
        "15PDM0002Z",
        "Universidad Demostración 2",
        "Z0000002320",
        "15",
    ),
];

/// The demo's schools data relative to `hoy`: enrolments (CCT, CURP, NSS, periodo, fecha_alta) and bajas (CCT,
/// CURP, NSS, fecha_baja), the NSS dado de baja, the extra NSS (curp, nss) and the demo addresses (curp, nss,
/// postal code).
pub struct EscuelasDemo {
    pub altas: Vec<(String, String, String, String, chrono::NaiveDate)>,
    pub bajas: Vec<(String, String, String, chrono::NaiveDate)>,
    pub nss_bajas: Vec<String>,
    pub nss_adicionales: Vec<(String, String)>,
    pub domicilios: Vec<(String, String, &'static str)>,
}

/// The enrolments that put each vigencia demo person in their case today: the vigente one in the current annual
/// cycle, the baja escolar one enrolled last cycle with a baja 60 days in, the periodo vencido one enrolled last
/// cycle only. The vigente person lives in 04000 (a UMF of the demo catalog serves it); the others have no
/// address (their NSS were imported), so no clinic.
pub fn escuelas_demo(demos: &[Demo], hoy: chrono::NaiveDate) -> anyhow::Result<EscuelasDemo> {
    use crate::escuelas::Periodo;
    let caso = |nombre: &str| {
        demos
            .iter()
            .find(|d| d.caso == nombre)
            .and_then(|d| Some((d.curp.clone(), d.nss.clone()?)))
            .ok_or_else(|| anyhow::anyhow!("demo case {nombre}"))
    };
    let actual = Periodo::ciclo_de(hoy);
    let rango = Periodo::parse(&actual).map_err(|m| anyhow::anyhow!(m))?;
    let anterior = Periodo::ciclo_de(rango.inicio - chrono::Days::new(1));
    let rango_anterior = Periodo::parse(&anterior).map_err(|m| anyhow::anyhow!(m))?;
    let (cct1, cct2) = (
        ESCUELAS_DEMO[0].0.to_string(),
        ESCUELAS_DEMO[1].0.to_string(),
    );
    let vigente = caso("vigencia: vigente")?;
    let baja = caso("vigencia: baja escolar")?;
    let vencido = caso("vigencia: periodo vencido")?;
    let dado_de_baja = caso("vigencia: NSS dado de baja")?;
    let varios = caso("vigencia: varios NSS (subdelegación)")?;
    Ok(EscuelasDemo {
        altas: vec![
            (
                cct1.clone(),
                vigente.0.clone(),
                vigente.1.clone(),
                actual,
                rango.inicio,
            ),
            (
                cct1.clone(),
                baja.0.clone(),
                baja.1.clone(),
                anterior.clone(),
                rango_anterior.inicio,
            ),
            (
                cct2,
                vencido.0.clone(),
                vencido.1.clone(),
                anterior,
                rango_anterior.inicio,
            ),
        ],
        bajas: vec![(
            cct1,
            baja.0.clone(),
            baja.1.clone(),
            rango_anterior.inicio + chrono::Days::new(60),
        )],
        nss_bajas: vec![dado_de_baja.1],
        nss_adicionales: vec![(varios.0, nss_vigencia_demo(2006, 107)?)],
        domicilios: vec![(vigente.0, vigente.1, "04000")],
    })
}

/// People for the registry, NSS already issued (curp, nss), and the documented cases.
pub type DatosDemo = (Vec<PersonaRegistro>, Vec<(String, String)>, Vec<Demo>);

/// The documented demo people (see DEMO.md), plus `n` deterministic synthetic students.
/// Returns (people for the registry, NSS already issued, the documented cases).
pub fn datos_demo(n: usize) -> anyhow::Result<DatosDemo> {
    let mut personas = Vec::new();
    let mut nss = Vec::new();
    let mut demos = Vec::new();

    // 1. Has an NSS: the "localizado" path.
    let p = persona_demo(
        "MARIANA",
        "GARCIA",
        "LOPEZ",
        f(2005, 3, 14),
        Sexo::Mujer,
        "DF",
        'A',
    )?;
    let n1 = Nss::from_parts(12, 23, 5, 4321).map_err(|e| anyhow::anyhow!(e.message()))?;
    demos.push(Demo {
        caso: "localizado (ya tiene NSS)",
        curp: p.curp.clone(),
        nss: Some(n1.as_str().into()),
        nombre: p.nombre_completo(),
    });
    nss.push((p.curp.clone(), n1.as_str().to_string()));
    personas.push(p);
    // 2. Another with an NSS, one surname only.
    let p = persona_demo(
        "DIEGO",
        "RAMIREZ",
        "",
        f(2004, 12, 1),
        Sexo::Hombre,
        "JC",
        'A',
    )?;
    let n2 = Nss::from_parts(23, 22, 4, 1187).map_err(|e| anyhow::anyhow!(e.message()))?;
    demos.push(Demo {
        caso: "localizado (un solo apellido)",
        curp: p.curp.clone(),
        nss: Some(n2.as_str().into()),
        nombre: p.nombre_completo(),
    });
    nss.push((p.curp.clone(), n2.as_str().to_string()));
    personas.push(p);
    // 3., 4. and 4b. In RENAPO without an NSS: the "sin_nss" path, then an assignment. The third is the embedded
    // trámite's end-to-end test's (tests/e2e/incrustado.test.mjs).
    for (nombre, primer, segundo, fecha, sexo, entidad) in [
        (
            "JOSE LUIS",
            "MARTINEZ",
            "RAMIREZ",
            f(2006, 8, 22),
            Sexo::Hombre,
            "NL",
        ),
        (
            "SOFIA",
            "HERNANDEZ",
            "CRUZ",
            f(2005, 11, 2),
            Sexo::Mujer,
            "PL",
        ),
        ("CAMILA", "RIOS", "VEGA", f(2006, 3, 15), Sexo::Mujer, "JC"),
    ] {
        let p = persona_demo(nombre, primer, segundo, fecha, sexo, entidad, 'A')?;
        demos.push(Demo {
            caso: "sin NSS (se asigna)",
            curp: p.curp.clone(),
            nss: None,
            nombre: p.nombre_completo(),
        });
        personas.push(p);
    }
    // 5. RENAPO's data do not match the CURP: "Tu solicitud requiere que acudas a la subdelegación."
    let base = persona_demo(
        "DANIELA",
        "PEREZ",
        "SOTO",
        f(2005, 6, 30),
        Sexo::Mujer,
        "MC",
        'A',
    )?;
    let mut distinta = base.clone();
    distinta.fecha_nacimiento = f(2005, 7, 30).iso();
    demos.push(Demo {
        caso: "datos no coinciden (acudir a subdelegación)",
        curp: distinta.curp.clone(),
        nss: None,
        nombre: distinta.nombre_completo(),
    });
    personas.push(distinta);
    // 6. A valid CURP that RENAPO does not know.
    let p = persona_demo(
        "EMILIANO",
        "FLORES",
        "GOMEZ",
        f(2006, 1, 9),
        Sexo::Hombre,
        "YN",
        'A',
    )?;
    demos.push(Demo {
        caso: "no está en RENAPO",
        curp: p.curp.clone(),
        nss: None,
        nombre: p.nombre_completo(),
    });

    // 7.–12. The constancia de vigencia's cases (Paso 2): each in the registry with an NSS already issued; their
    // schools, enrolments and registry problems come from `escuelas_demo`.
    for (caso, nombre, primer, segundo, fecha, sexo, entidad, consecutivo) in VIGENCIA_DEMO {
        let p = persona_demo(nombre, primer, segundo, fecha, sexo, entidad, 'A')?;
        let numero = nss_vigencia_demo(fecha.anio, consecutivo)?;
        demos.push(Demo {
            caso,
            curp: p.curp.clone(),
            nss: Some(numero.clone()),
            nombre: p.nombre_completo(),
        });
        nss.push((p.curp.clone(), numero));
        personas.push(p);
    }

    for i in 0..n {
        let mujer = i % 2 == 0;
        let nombre = if mujer {
            NOMBRES_M[(i / 2) % 8]
        } else {
            NOMBRES_H[(i / 2) % 8]
        };
        let primer = APELLIDOS[(i / 16) % 16];
        let segundo = APELLIDOS[(i * 7 + 3) % 16];
        let fecha = f(
            2000 + (i % 9) as u16,
            1 + (i % 12) as u8,
            1 + (i % 28) as u8,
        );
        let entidad = Entidad::todas()
            .filter(|e| !e.es_extranjero())
            .nth(i % 32)
            .map(|e| e.codigo())
            .unwrap_or("DF");
        // The homoclave tells apart people whose other 16 characters coincide.
        const HOMO: &[u8] = b"ABCDEFGHIJKLMNPQRSTUVWXYZ";
        let homoclave = HOMO[(i / 256) % HOMO.len()] as char;
        let sexo = if mujer { Sexo::Mujer } else { Sexo::Hombre };
        let p = match persona_demo(nombre, primer, segundo, fecha, sexo, entidad, homoclave) {
            Ok(p) => p,
            Err(_) => continue,
        };
        if i % 3 == 0 {
            let anio = (18 + i % 6) as u8;
            let sub = (1 + i % 40) as u8;
            if let Ok(n) = Nss::from_parts(
                sub,
                anio,
                (fecha.anio % 100) as u8,
                (1 + i / 240 % 9000) as u16 + 500,
            ) {
                nss.push((p.curp.clone(), n.as_str().to_string()));
            }
        }
        personas.push(p);
    }
    // Synthetic rows may collide on CURP (same data and homoclave) or NSS: keep the first of each.
    let mut vistas = std::collections::HashSet::new();
    personas.retain(|p| vistas.insert(p.curp.clone()));
    let mut curps = std::collections::HashSet::new();
    let mut numeros = std::collections::HashSet::new();
    nss.retain(|(c, n)| curps.insert(c.clone()) && numeros.insert(n.clone()));
    Ok((personas, nss, demos))
}

/// `registry seed-demo [N]`.
pub async fn sembrar_demo(db: &Db, n: usize) -> anyhow::Result<Vec<Demo>> {
    let (personas, nss, demos) = datos_demo(n)?;
    guardar_personas(db, &personas).await?;
    // Back to the documented starting point: the demo people without an NSS lose one assigned in an earlier demo
    // (with its documents), and the daily attempt counters start again.
    for d in demos.iter().filter(|d| d.nss.is_none()) {
        for sql in [
            "DELETE FROM documentos WHERE nss IN \
             (SELECT nss FROM nss_asignaciones WHERE curp = $1 AND origen = 'asignado')",
            "DELETE FROM domicilios WHERE nss IN \
             (SELECT nss FROM nss_asignaciones WHERE curp = $1 AND origen = 'asignado')",
            "DELETE FROM nss_asignaciones WHERE curp = $1 AND origen = 'asignado'",
        ] {
            sqlx::query(sql).bind(&d.curp).execute(&db.pool).await?;
        }
    }
    sqlx::query("DELETE FROM intentos")
        .execute(&db.pool)
        .await?;
    let ahora = chrono::Utc::now().timestamp();
    for (curp, numero) in &nss {
        if let Err(motivo) = guardar_nss(db, curp, numero, ahora).await? {
            tracing::warn!(motivo, "demo NSS skipped");
        }
    }
    sembrar_escuelas_demo(db, &demos, ahora).await?;
    Ok(demos)
}

/// The demo schools (their data; a key they already have is kept) and the vigencia cases' enrolments, registry
/// problems and addresses, back to the documented starting point.
async fn sembrar_escuelas_demo(db: &Db, demos: &[Demo], ahora: i64) -> anyhow::Result<()> {
    for (cct, nombre, rp, estado) in ESCUELAS_DEMO {
        let e = crate::db::escuelas::Escuela {
            cct: cct.into(),
            nombre: nombre.into(),
            registro_patronal: rp.into(),
            estado: estado.into(),
            huella: None,
        };
        crate::db::escuelas::guardar_sin_clave(&db.pool, &e, ahora).await?;
    }
    let datos = escuelas_demo(demos, crate::escuelas::hoy(ahora))?;
    let mut tx = db.pool.begin().await?;
    for d in demos.iter().filter(|d| d.caso.starts_with("vigencia: ")) {
        for sql in [
            "DELETE FROM inscripciones WHERE curp = $1",
            "DELETE FROM nss_adicionales WHERE curp = $1",
            "DELETE FROM nss_bajas WHERE nss IN (SELECT nss FROM nss_asignaciones WHERE curp = $1)",
        ] {
            sqlx::query(sql).bind(&d.curp).execute(&mut *tx).await?;
        }
    }
    let iso = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    for (cct, curp, nss, periodo, alta) in &datos.altas {
        let fin = crate::escuelas::Periodo::parse(periodo)
            .map_err(|m| anyhow::anyhow!(m))?
            .fin;
        sqlx::query(
            "INSERT INTO inscripciones (cct, nss, curp, periodo, fecha_alta, vigente_desde, vigente_hasta,              fecha_baja, actualizada_en) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8)",
        )
        .bind(cct)
        .bind(nss)
        .bind(curp)
        .bind(periodo)
        .bind(iso(*alta))
        .bind(iso(*alta))
        .bind(iso(fin))
        .bind(ahora)
        .execute(&mut *tx)
        .await?;
    }
    for (cct, _, nss, fecha) in &datos.bajas {
        sqlx::query(
            "UPDATE inscripciones SET fecha_baja = $1 WHERE cct = $2 AND nss = $3              AND vigente_desde <= $1 AND vigente_hasta >= $1",
        )
        .bind(iso(*fecha))
        .bind(cct)
        .bind(nss)
        .execute(&mut *tx)
        .await?;
    }
    for nss in &datos.nss_bajas {
        sqlx::query("INSERT INTO nss_bajas (nss, creado_en) VALUES ($1, $2)")
            .bind(nss)
            .bind(ahora)
            .execute(&mut *tx)
            .await?;
    }
    for (curp, nss) in &datos.nss_adicionales {
        sqlx::query("INSERT INTO nss_adicionales (nss, curp, creado_en) VALUES ($1, $2, $3)")
            .bind(nss)
            .bind(curp)
            .bind(ahora)
            .execute(&mut *tx)
            .await?;
    }
    for (curp, nss, cp) in &datos.domicilios {
        sqlx::query(
            "INSERT INTO domicilios (nss, curp, codigo_postal, estado, municipio, colonia, calle, numero_exterior,              numero_interior, creado_en, umf) VALUES ($1, $2, $3, 'Ciudad de México', 'Coyoacán', 'Demostración',              'Calle Ficticia', '1', '', $4, NULL) ON CONFLICT (nss) DO NOTHING",
        )
        .bind(nss)
        .bind(curp)
        .bind(*cp)
        .bind(ahora)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// `escuelas add`: a new school and its API key (shown once: only its digest is stored).
pub async fn agregar_escuela(
    db: &Db,
    cct: &str,
    nombre: &str,
    registro_patronal: &str,
    estado: &str,
) -> anyhow::Result<(crate::db::escuelas::Escuela, String)> {
    use crate::escuelas as e;
    let cct = e::validar_cct(cct).map_err(|m| anyhow::anyhow!("--cct: {m}"))?;
    let nombre = nombre.split_whitespace().collect::<Vec<_>>().join(" ");
    if nombre.is_empty() || nombre.chars().count() > 150 {
        anyhow::bail!("--nombre: escribe el nombre de la escuela (hasta 150 caracteres).");
    }
    let registro_patronal = e::validar_registro_patronal(registro_patronal)
        .map_err(|m| anyhow::anyhow!("--registro-patronal: {m}"))?;
    let estado = e::validar_estado(estado, &cct).map_err(|m| anyhow::anyhow!("--estado: {m}"))?;
    let clave = e::nueva_clave();
    let escuela = crate::db::escuelas::Escuela {
        cct,
        nombre,
        registro_patronal,
        estado,
        huella: Some(e::huella_clave(&clave)),
    };
    if !crate::db::escuelas::crear(&db.pool, &escuela, chrono::Utc::now().timestamp()).await? {
        anyhow::bail!(
            "La escuela {} ya existe (para una clave nueva: escuelas new-key {}).",
            escuela.cct,
            escuela.cct
        );
    }
    Ok((escuela, clave))
}

/// `escuelas list`: one line per school (never its key).
pub async fn listar_escuelas(db: &Db) -> anyhow::Result<String> {
    let escuelas = crate::db::escuelas::listar(&db.pool).await?;
    if escuelas.is_empty() {
        return Ok("No hay escuelas registradas.\n".into());
    }
    let mut out = format!(
        "{:<10}  {:<11}  {:<6}  {:<8}  {:>12}  nombre\n",
        "cct", "reg. patr.", "estado", "clave", "inscripciones"
    );
    for (e, n) in escuelas {
        out.push_str(&format!(
            "{:<10}  {:<11}  {:<6}  {:<8}  {:>12}  {}\n",
            e.cct,
            e.registro_patronal,
            e.estado,
            if e.huella.is_some() {
                "activa"
            } else {
                "revocada"
            },
            n,
            e.nombre
        ));
    }
    Ok(out)
}

fn cct_existente(cct: &str) -> anyhow::Result<String> {
    crate::escuelas::validar_cct(cct).map_err(|m| anyhow::anyhow!("{m}"))
}

/// `escuelas revoke-key`: the school's key stops working at once.
pub async fn revocar_clave(db: &Db, cct: &str) -> anyhow::Result<String> {
    let cct = cct_existente(cct)?;
    if !crate::db::escuelas::poner_clave(&db.pool, &cct, None).await? {
        anyhow::bail!("No hay una escuela con la CCT {cct}.");
    }
    Ok(cct)
}

/// `escuelas new-key`: a new key for the school (the old one stops working); answers it.
pub async fn nueva_clave_escuela(db: &Db, cct: &str) -> anyhow::Result<String> {
    let cct = cct_existente(cct)?;
    let clave = crate::escuelas::nueva_clave();
    let huella = crate::escuelas::huella_clave(&clave);
    if !crate::db::escuelas::poner_clave(&db.pool, &cct, Some(&huella)).await? {
        anyhow::bail!("No hay una escuela con la CCT {cct}.");
    }
    Ok(clave)
}

/// `escuelas import <CCT> <file>`: altas or bajas, as the file's header says.
pub async fn importar_escuela(
    db: &Db,
    cct: &str,
    texto: &str,
) -> anyhow::Result<afiliate_domain::api::ReporteInscripciones> {
    let cct = cct_existente(cct)?;
    if crate::db::escuelas::escuela(&db.pool, &cct)
        .await?
        .is_none()
    {
        anyhow::bail!("No hay una escuela con la CCT {cct}.");
    }
    let archivo = crate::escuelas::Archivo::de_encabezado(texto).ok_or_else(|| {
        anyhow::anyhow!(
            "El encabezado debe ser {} (altas) o {} (bajas).",
            crate::escuelas::ENCABEZADO_ALTAS,
            crate::escuelas::ENCABEZADO_BAJAS
        )
    })?;
    crate::escuelas::procesar(db, &cct, archivo, texto, chrono::Utc::now().timestamp())
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.problema().detail))
}

/// An enrolment report as text: the totals, then every row that was not simply accepted.
pub fn reporte_texto(r: &afiliate_domain::api::ReporteInscripciones) -> String {
    use afiliate_domain::api::ResultadoRenglon;
    let mut out = format!(
        "{}: {} renglones: {} aceptados, {} sin cambios, {} rechazados.",
        r.cct, r.renglones, r.aceptados, r.sin_cambios, r.rechazados
    );
    for d in &r.detalle {
        if let Some(m) = &d.motivo {
            let que = match d.resultado {
                ResultadoRenglon::Rechazado => "rechazado",
                ResultadoRenglon::SinCambios => "sin cambios",
                ResultadoRenglon::Aceptado => "aceptado",
            };
            out.push_str(&format!("\n  renglón {} ({que}): {m}", d.linea));
        }
    }
    out
}

/// Checks one row of the clinic catalog: `clave,nombre,domicilio,telefono,horario,codigos_postales`.
pub fn umf_de_campos(c: &[String]) -> Result<crate::db::umf::UmfConCodigos, String> {
    use afiliate_domain::api::Umf;
    let [clave, nombre, domicilio, telefono, horario, codigos] = c else {
        return Err(format!("se esperaban 6 columnas y hay {}", c.len()));
    };
    let clave = clave.to_ascii_uppercase();
    if clave.is_empty()
        || clave.len() > 20
        || !clave
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err("clave: de 1 a 20 letras, dígitos o guiones".into());
    }
    for (campo, valor, max) in [
        ("nombre", nombre, 150),
        ("domicilio", domicilio, 300),
        ("telefono", telefono, 40),
        ("horario", horario, 150),
    ] {
        if valor.is_empty() {
            return Err(format!("{campo}: vacío"));
        }
        if valor.chars().count() > max {
            return Err(format!("{campo}: más de {max} caracteres"));
        }
    }
    let mut codigos_postales = Vec::new();
    for cp in codigos.split_whitespace() {
        let cp = afiliate_domain::postal::codigo_postal_valido(cp)
            .map_err(|e| format!("codigos_postales: «{cp}»: {}", e.message()))?;
        if !codigos_postales.contains(&cp) {
            codigos_postales.push(cp);
        }
    }
    if codigos_postales.is_empty() {
        return Err(
            "codigos_postales: escribe al menos un código postal (separados por espacios)".into(),
        );
    }
    Ok(crate::db::umf::UmfConCodigos {
        umf: Umf {
            clave,
            nombre: nombre.clone(),
            domicilio: domicilio.clone(),
            telefono: telefono.clone(),
            horario: horario.clone(),
        },
        codigos_postales,
    })
}

/// `umf import <file>`: adds or replaces each clinic of the file with the postal codes it serves (clinics not in
/// the file stay as they are).
pub async fn importar_umf(db: &Db, csv: &str) -> anyhow::Result<Resumen> {
    let mut resumen = Resumen::default();
    let mut buenas: Vec<crate::db::umf::UmfConCodigos> = Vec::new();
    let mut lineas: std::collections::HashMap<String, usize> = Default::default();
    for (linea, campos) in leer_csv(
        csv,
        "clave,nombre,domicilio,telefono,horario,codigos_postales",
    )? {
        match campos.and_then(|c| umf_de_campos(&c)) {
            Ok(u) => match lineas.get(&u.umf.clave) {
                Some(antes) => resumen.rechazadas.push(LineaRechazada {
                    linea,
                    motivo: format!("clave: repetida (ya está en el renglón {antes})"),
                }),
                None => {
                    lineas.insert(u.umf.clave.clone(), linea);
                    buenas.push(u);
                }
            },
            Err(motivo) => resumen.rechazadas.push(LineaRechazada { linea, motivo }),
        }
    }
    let ahora = chrono::Utc::now().timestamp();
    let mut tx = db.pool.begin().await?;
    for u in &buenas {
        crate::db::umf::guardar(&mut tx, u, ahora).await?;
    }
    tx.commit().await?;
    resumen.aceptadas = buenas.len();
    Ok(resumen)
}

/// `mail status`.
pub async fn estado_correo(db: &Db) -> anyhow::Result<String> {
    let outbox = crate::http::OutboxDb { db: db.clone() };
    let filas = outbox.estado(200).await?;
    Ok(crate::mail::status_report(&filas))
}

/// The sello key file the `keys` commands work on: `configurada` (`--key-file`, `AFILIATE_SELLO_KEY`) when given,
/// else `<data_dir>/keys/sello_ed25519.key`, as `serve` does.
pub fn ruta_claves(data_dir: &Path, configurada: Option<&Path>) -> std::path::PathBuf {
    match configurada.filter(|p| !p.as_os_str().is_empty()) {
        Some(p) => p.to_path_buf(),
        None => crate::documents::sello::ruta_predeterminada(data_dir),
    }
}

/// `keys list`: one line per key, oldest first: id, whether it is the active one, created, public key (never a
/// secret).
pub fn listar_claves(ruta: &Path) -> anyhow::Result<String> {
    let s = crate::documents::Sellador::leer(ruta)?;
    let mut out = format!(
        "{:<12}  {:<6}  {:<20}  clave pública (Ed25519, base64)\n",
        "id", "estado", "creada"
    );
    for c in s.claves() {
        out.push_str(&format!(
            "{:<12}  {:<6}  {:<20}  {}\n",
            c.id(),
            if c.id() == s.id_activa() {
                "activa"
            } else {
                "previa"
            },
            c.creada()
                .map(|f| f.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .unwrap_or_else(|| "(anterior a los id)".into()),
            c.clave_publica_base64()
        ));
    }
    Ok(out)
}

/// Reads a file, also from Latin-1 (spreadsheets export it).
pub fn leer_texto(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path)
        .map_err(|e| anyhow::anyhow!("No se pudo leer {}: {e}", path.display()))?;
    Ok(match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => e.as_bytes().iter().map(|&b| b as char).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::leer_csv;

    fn campos(filas: &[super::FilaCsv]) -> Vec<(usize, Vec<String>)> {
        filas
            .iter()
            .map(|(n, c)| (*n, c.clone().expect("readable")))
            .collect()
    }

    #[test]
    fn campos_entre_comillas_con_comas_y_saltos_de_linea() {
        let texto = "curp,nss\n\"A, con coma\",\"dos\nlineas\"\n\"con \"\"comillas\"\"\",x\n";
        let filas = leer_csv(texto, "curp,nss").unwrap();
        assert_eq!(
            campos(&filas),
            vec![
                (
                    2,
                    vec!["A, con coma".to_string(), "dos\nlineas".to_string()]
                ),
                // The second record starts on line 4: the first one took lines 2 and 3.
                (4, vec!["con \"comillas\"".to_string(), "x".to_string()]),
            ]
        );
    }

    #[test]
    fn bom_utf8_y_encabezado() {
        let filas = leer_csv("\u{feff}CURP,NSS\nA,1\n", "curp,nss").unwrap();
        assert_eq!(campos(&filas), vec![(2, vec!["A".into(), "1".into()])]);
        let e = leer_csv("curp;nss\nA;1\n", "curp,nss").unwrap_err();
        assert!(
            e.to_string().contains("el encabezado debe ser curp,nss"),
            "{e}"
        );
        assert!(leer_csv("", "curp,nss").is_err());
    }

    #[test]
    fn fin_de_linea_crlf_y_renglones_vacios() {
        let filas = leer_csv("curp,nss\r\nA,1\r\n\r\n  ,  \r\nB , 2\r\n", "curp,nss").unwrap();
        assert_eq!(
            campos(&filas),
            vec![
                (2, vec!["A".into(), "1".into()]),
                (5, vec!["B".into(), "2".into()]),
            ]
        );
        // Rows of another width are handed over as they are (the importer says how many columns it expected).
        let filas = leer_csv("curp,nss\nA,1,extra\n", "curp,nss").unwrap();
        assert_eq!(campos(&filas)[0].1.len(), 3);
    }
}
