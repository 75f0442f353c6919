//! Every parser of the domain crate that reads outside input (CURP, NSS, e-mail, postal codes and shard lines,
//! the catalog's bytes, the API's JSON bodies) under proptest: arbitrary text, arbitrary bytes, and inputs that
//! are almost valid (a valid one with one character changed, inserted or removed), which reach the deep checks.
//! The properties: no panic, and what parses once parses again to the same value (normal forms are stable).
//!
//! `AFILIATE_FUZZ_CASES` sets the cases per parser (default 20,000 in `cargo xtask test`; `cargo xtask faults
//! parsers` runs 1,000,000 each, release build). Each parser prints how many inputs it ran.
//!
//! proptest, not a coverage-guided fuzzer: cargo-fuzz needs nightly, and the mutation strategies below steer the
//! inputs into the checks that plain random strings never reach.

use afiliate_domain::api::{AsignacionNss, SolicitudNss, SolicitudVigencia};
use afiliate_domain::postal::{self, Catalogo};
use afiliate_domain::{curp, email, nss, Curp, Email, Fecha, Nss};
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

/// Runs `prop` on `casos()` inputs from `strategy`, and prints how many ran.
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

/// A string near `base`: one character replaced, inserted or removed, or its case changed, or spaces and hyphens
/// added (which the parsers must ignore).
fn cerca_de(base: String) -> impl Strategy<Value = String> {
    let largo = base.chars().count().max(1);
    (0..6u8, 0..largo + 1, any::<char>()).prop_map(move |(op, i, c)| {
        let mut v: Vec<char> = base.chars().collect();
        let i = i.min(v.len());
        match op {
            0 if i < v.len() => v[i] = c,
            1 => v.insert(i, c),
            2 if i < v.len() => {
                v.remove(i);
            }
            3 => v = v.iter().map(|c| c.to_ascii_lowercase()).collect(),
            4 => v.insert(i, if c.is_ascii_digit() { '-' } else { ' ' }),
            _ => {}
        }
        v.into_iter().collect()
    })
}

fn curp_valida() -> impl Strategy<Value = String> {
    (
        "[A-Z]{4}",
        1900u16..2100,
        1u8..13,
        1u8..32,
        prop::sample::select(vec!['H', 'M', 'X']),
        prop::sample::select(vec!["DF", "JC", "NL", "NE", "MC", "YN"]),
        "[B-DF-HJ-NP-TV-Z]{3}",
        "[A-Z0-9]",
    )
        .prop_filter_map("a real date", |(l, a, m, d, s, e, c, h)| {
            Fecha::new(a, m, d)?;
            let diecisiete = format!("{l}{:02}{m:02}{d:02}{s}{e}{c}{h}", a % 100);
            let dv = curp::digito_verificador(&diecisiete)?;
            Some(format!("{diecisiete}{dv}"))
        })
}

fn texto() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "\\PC{0,40}", "[A-Za-z0-9 ._@+-]{0,30}"]
}

#[test]
fn curp_parse_never_panics_and_is_stable() {
    fuzz(
        "Curp::parse",
        prop_oneof![texto(), curp_valida().prop_flat_map(cerca_de)],
        |s| {
            let _ = Curp::normalize(&s);
            if let Ok(c) = Curp::parse(&s) {
                let again = Curp::parse(c.as_str()).expect("a parsed CURP parses again");
                assert_eq!(again.as_str(), c.as_str());
                let _ = (c.fecha_nacimiento(), c.sexo(), c.entidad(), c.homoclave());
            }
        },
    );
}

#[test]
fn nss_parse_never_panics_and_is_stable() {
    let valida = (0u8..100, 0u8..100, 0u8..100, 0u16..10_000)
        .prop_filter_map("parts", |(a, b, c, d)| Nss::from_parts(a, b, c, d).ok())
        .prop_map(|n| n.as_str().to_string());
    fuzz(
        "Nss::parse",
        prop_oneof![texto(), valida.prop_flat_map(cerca_de)],
        |s| {
            if let Ok(n) = Nss::parse(&s) {
                assert_eq!(n.as_str().len(), 11);
                assert_eq!(
                    nss::digito_verificador(&n.as_str()[..10]),
                    Some(n.digito_verificador())
                );
                assert_eq!(Nss::parse(n.as_str()).unwrap().as_str(), n.as_str());
            }
        },
    );
}

#[test]
fn email_parse_confirm_and_suggest_never_panic() {
    let valido = (
        "[a-z0-9._%+-]{1,20}",
        "[a-z0-9-]{1,15}",
        "(com|mx|com\\.mx|edu\\.mx|org)",
    )
        .prop_map(|(l, d, t)| format!("{l}@{d}.{t}"));
    fuzz(
        "Email::parse",
        (
            prop_oneof![texto(), valido.prop_flat_map(cerca_de)],
            texto(),
        ),
        |(s, otra)| {
            if let Ok(e) = Email::parse(&s) {
                assert_eq!(Email::parse(e.as_str()).unwrap().as_str(), e.as_str());
                assert!(email::confirmar(&s, e.as_str()).is_ok());
            }
            let _ = email::confirmar(&s, &otra);
            let _ = email::sugerencia(&s);
        },
    );
}

#[test]
fn postal_codes_and_shard_lines_never_panic() {
    let linea = (
        "[0-9]{5}",
        "[0-9]{1,2}",
        "\\PC{0,12}",
        "\\PC{0,12}",
        prop::collection::vec("[^|\n]{0,10}", 0..6),
    )
        .prop_map(|(cp, e, m, c, resto)| format!("{cp}|{e}|{m}|{c}|{}", resto.join("|")));
    fuzz(
        "postal shard lines",
        (
            prop_oneof![texto(), linea.clone().prop_flat_map(cerca_de)],
            prop::collection::vec(linea, 0..4),
            "[0-9 -]{0,7}",
        ),
        |(raro, lineas, cp)| {
            let _ = postal::codigo_postal_valido(&raro);
            let _ = postal::shard_file(&raro);
            let mut shard = lineas.join("\n");
            shard.push('\n');
            shard.push_str(&raro);
            let _ = postal::lookup_in_shard(&shard, &cp);
            if let Ok(limpio) = postal::codigo_postal_valido(&cp) {
                if let Some(c) = postal::lookup_in_shard(&shard, &cp) {
                    assert_eq!(c.codigo_postal, limpio);
                }
            }
        },
    );
}

#[test]
fn the_catalogs_bytes_never_panic() {
    fuzz(
        "Catalogo::from_bytes",
        (prop::collection::vec(any::<u8>(), 0..200), "[0-9]{5}"),
        |(bytes, cp)| {
            if let Ok(c) = Catalogo::from_bytes(&bytes) {
                let _ = c.lookup(&cp);
            }
        },
    );
}

#[test]
fn the_api_bodies_never_panic() {
    let campo = prop_oneof![
        Just("\"\"".to_string()),
        "\\PC{0,20}".prop_map(|s| serde_json::to_string(&s).unwrap()),
        any::<i64>().prop_map(|n| n.to_string()),
        Just("null".to_string()),
        Just("[]".to_string()),
        Just("{}".to_string()),
    ];
    let objeto = prop::collection::vec(
        (
            prop::sample::select(vec![
                "curp",
                "nss",
                "correo",
                "confirmacion_correo",
                "captcha_id",
                "captcha_respuesta",
                "token",
                "domicilio",
                "codigo_postal",
                "colonia",
            ]),
            campo,
        ),
        0..9,
    )
    .prop_map(|campos| {
        let cuerpo: Vec<String> = campos.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
        format!("{{{}}}", cuerpo.join(","))
    });
    fuzz(
        "API JSON bodies",
        prop_oneof![
            objeto.clone(),
            objeto.prop_flat_map(cerca_de),
            any::<String>()
        ],
        |json| {
            let _ = serde_json::from_str::<SolicitudNss>(&json);
            let _ = serde_json::from_str::<SolicitudVigencia>(&json);
            let _ = serde_json::from_str::<AsignacionNss>(&json);
        },
    );
}
