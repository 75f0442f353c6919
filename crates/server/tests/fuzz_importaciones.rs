//! The server's parsers of outside input under proptest (issue 16, item 7; the domain crate's parsers are in
//! `crates/domain/tests/fuzz_parsers.rs`): the CSV files (the registry, the NSS already issued, the clinics, and
//! the schools' altas and bajas, the latter two also sent over the API), and the RENAPO client's answers. Inputs:
//! arbitrary text or bytes, and valid files or answers with one character replaced, inserted or removed, which
//! reach the per-field checks. The property: no panic; a file that reads, reads again the same.
//!
//! `AFILIATE_FUZZ_CASES` sets the cases per parser (default 20,000 in `cargo xtask test`; `cargo xtask faults
//! parsers` runs 1,000,000 each, release build). Each parser prints how many inputs it ran.

use afiliate_server::cli::{leer_csv, persona_de_campos, umf_de_campos};
use afiliate_server::escuelas::{alta_de_campos, baja_de_campos};
use afiliate_server::registry::PersonaRegistro;
use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::cell::Cell;
use std::time::Instant;

fn casos() -> u32 {
    std::env::var("AFILIATE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000)
}

fn fuzz<S: Strategy>(nombre: &str, strategy: S, prop: impl Fn(S::Value))
where
    S::Value: std::fmt::Debug,
{
    let n = casos();
    let mut runner = TestRunner::new(Config {
        cases: n,
        failure_persistence: None,
        ..Config::default()
    });
    let ejecutadas = Cell::new(0u64);
    let inicio = Instant::now();
    runner
        .run(&strategy, |v| {
            ejecutadas.set(ejecutadas.get() + 1);
            prop(v);
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{nombre}: {e}"));
    let s = inicio.elapsed().as_secs_f64();
    println!(
        "fuzz {nombre}: {} inputs, 0 panics, {:.0} inputs/s",
        ejecutadas.get(),
        ejecutadas.get() as f64 / s.max(1e-9)
    );
    assert!(ejecutadas.get() >= u64::from(n), "{nombre}: every case ran");
}

/// `base` with up to three characters replaced, inserted or removed (CSV's own characters favoured: commas,
/// quotes, line ends).
fn cerca_de(base: &'static str) -> impl Strategy<Value = String> {
    let largo = base.chars().count();
    let caracter = prop_oneof![
        any::<char>(),
        prop::sample::select(vec![
            ',', '"', '\n', '\r', ' ', '\u{feff}', '-', '/', '0', '9'
        ]),
    ];
    prop::collection::vec((0..3u8, 0..largo + 1, caracter), 1..4).prop_map(move |cambios| {
        let mut v: Vec<char> = base.chars().collect();
        for (op, i, c) in cambios {
            let i = i.min(v.len());
            match op {
                0 if i < v.len() => v[i] = c,
                1 => v.insert(i, c),
                _ if i < v.len() => {
                    v.remove(i);
                }
                _ => {}
            }
        }
        v.into_iter().collect()
    })
}

fn texto_o(base: &'static str) -> impl Strategy<Value = String> {
    prop_oneof![
        3 => cerca_de(base),
        1 => any::<String>(),
        1 => "\\PC{0,200}",
    ]
}

/// Reads `texto` as a CSV with `encabezado`, then each row with `campos`; twice, and the two readings agree.
fn leer_dos_veces(texto: &str, encabezado: &str, campos: impl Fn(&[String]) -> String) {
    let leer = || {
        leer_csv(texto, encabezado).map(|filas| {
            filas
                .into_iter()
                .map(|(linea, c)| (linea, c.map(|c| campos(&c))))
                .collect::<Vec<_>>()
        })
    };
    let (a, b) = (leer(), leer());
    assert_eq!(
        a.as_ref().map_err(|e| e.to_string()),
        b.as_ref().map_err(|e| e.to_string())
    );
}

fn hoy() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
}

#[test]
fn the_registry_import_never_panics() {
    fuzz(
        "registry import csv",
        texto_o(
            "curp,nombre,primer_apellido,segundo_apellido,fecha_nacimiento,sexo,entidad\n\
             RAXD041201HJCMXGA7,DIEGO,RAMIREZ,XOCHITL,2004-12-01,H,JC\n\
             GALM050314MDFRPRA7,\"MARIANA, ANA\",GARCIA,LOPEZ,2005-03-14,M,DF\n",
        ),
        |t| {
            leer_dos_veces(
                &t,
                "curp,nombre,primer_apellido,segundo_apellido,fecha_nacimiento,sexo,entidad",
                |c| format!("{:?}", persona_de_campos(c).map(|p| p.curp)),
            )
        },
    );
}

#[test]
fn the_nss_import_never_panics() {
    fuzz(
        "nss import csv",
        texto_o("curp,nss\nRAXD041201HJCMXGA7,12230543212\n GALM050314MDFRPRA7 , 0924-06-0102-2\n"),
        |t| {
            leer_dos_veces(&t, "curp,nss", |c| {
                format!(
                    "{:?} {:?}",
                    c.first().map(|x| afiliate_domain::Curp::parse(x).is_ok()),
                    c.get(1).map(|x| afiliate_domain::Nss::parse(x).is_ok())
                )
            })
        },
    );
}

#[test]
fn the_clinics_import_never_panics() {
    fuzz(
        "umf import csv",
        texto_o(
            "clave,nombre,domicilio,telefono,horario,codigos_postales\n\
             UMF-DEMO-01,Unidad 1,\"Av. Ficticia 100, C.P. 04000\",55 0000 0001,Lunes a viernes,04000 04100\n",
        ),
        |t| {
            leer_dos_veces(
                &t,
                "clave,nombre,domicilio,telefono,horario,codigos_postales",
                |c| format!("{:?}", umf_de_campos(c).is_ok()),
            )
        },
    );
}

#[test]
fn the_schools_altas_never_panic() {
    fuzz(
        "escuelas altas csv",
        texto_o(
            "curp,nss,fecha_alta,periodo\n\
             GALM050314MDFRPRA7,12230543212,2026-08-24,2026-2027\n\
             RAXD041201HJCMXGA7,12230543212,24/08/2026,2026-2\n",
        ),
        |t| {
            leer_dos_veces(&t, "curp,nss,fecha_alta,periodo", |c| {
                format!("{:?}", alta_de_campos(c, hoy()).is_ok())
            })
        },
    );
}

#[test]
fn the_schools_bajas_never_panic() {
    fuzz(
        "escuelas bajas csv",
        texto_o("curp,nss,fecha_baja\nGALM050314MDFRPRA7,12230543212,2026-11-15\n"),
        |t| {
            leer_dos_veces(&t, "curp,nss,fecha_baja", |c| {
                format!("{:?}", baja_de_campos(c, hoy()).is_ok())
            })
        },
    );
}

#[test]
fn the_renapo_answers_never_panic() {
    let valida = "{\"curp\":\"RAXD041201HJCMXGA7\",\"nombre\":\"DIEGO\",\"primer_apellido\":\"RAMIREZ\",\
                  \"segundo_apellido\":\"XOCHITL\",\"fecha_nacimiento\":\"2004-12-01\",\"sexo\":\"H\",\
                  \"entidad\":\"JC\"}";
    let entrada = prop_oneof![
        3 => cerca_de(valida).prop_map(String::into_bytes),
        1 => prop::collection::vec(any::<u8>(), 0..300),
    ];
    fuzz("renapo answer json", entrada, |bytes| {
        if let Ok(p) = serde_json::from_slice::<PersonaRegistro>(&bytes) {
            // What the service does with an answer: the person's data, their CURP's base and name.
            let _ = p.nombre_completo();
            if let Some(d) = p.datos() {
                let _ = afiliate_domain::curp::base(&d);
            }
        }
    });
}
