use super::*;
use crate::ErrorDeDominio;
use proptest::prelude::*;

/// A CURP-shaped string with its check digit fixed up (for building test cases position by position).
fn con_verificador(primeros17: &str) -> String {
    let dv = digito_verificador(primeros17).expect("17 table characters");
    let mut s = primeros17.to_string();
    s.push(dv);
    s
}

fn datos<'a>(nombre: &'a str, ap1: &'a str, ap2: &'a str) -> DatosPersona<'a> {
    DatosPersona {
        nombre,
        primer_apellido: ap1,
        segundo_apellido: ap2,
        fecha_nacimiento: Fecha::new(1990, 5, 17).unwrap(),
        sexo: Sexo::Mujer,
        entidad: Entidad::parse("DF").unwrap(),
    }
}

fn cuatro(nombre: &str, ap1: &str, ap2: &str) -> String {
    base(&datos(nombre, ap1, ap2)).unwrap()[..4].to_string()
}

fn consonantes(nombre: &str, ap1: &str, ap2: &str) -> String {
    base(&datos(nombre, ap1, ap2)).unwrap()[13..16].to_string()
}

// Public examples: (nombre, primer apellido, segundo apellido, CURP) as published by INEA Morelos
// (the test data of github.com/fitorec/mexa-py). Each one exercises a rule. The generator reproduces the first 16
// characters of all 2,770 records of that data set.
const PUBLICOS: &[(&str, &str, &str, &str)] = &[
    ("ROSALINDA", "BLAS", "GARCÍA", "BAGR861101MMSLRS14"), // accent removed
    ("SILVERIA", "ALCALA", "DE LOS SANTOS", "AASS580620MMSLNL07"), // particles in the second surname
    (
        "PERLA GUADALUPE",
        "DE LA CRUZ",
        "FLORES",
        "CUFP941219MMSRLR02",
    ), // particles in the first surname
    ("MERCED", "DE JESUS", "RODRIGUEZ", "JERM950320MGRSDR19"),     // particle DE dropped
    (
        "MARIA DE JESUS",
        "ACUÑA",
        "VALLADARES",
        "AUVJ840205MGRCLS16",
    ), // MARIA skipped, then DE
    ("MA. DEL PILAR", "ALVARADO", "GALINDO", "AAGP571023MOCLLL09"), // MA. skipped, then DEL
    ("J. GUADALUPE", "CARTEÑO", "JUAREZ", "CAJG741212HMSRRD03"),   // J. skipped
    ("JOSE CARLOS", "AHUEJOTE", "RODRIGUEZ", "AURC771110HMSHDR08"), // JOSE skipped
    ("LUZ MARIA", "ABARCA", "PORCALLO", "AAPL900311MGRBRZ00"),     // MARIA second: not skipped
    ("OLGA LIDIA", "ANGUIANO", "PEÑALOZA", "AUPO741202MMSNXL02"),  // Ñ as internal consonant → X
    ("MATEA", "BARRIOS", "", "BAXM750921MOCRXT08"),                // no second surname → X, X
    ("APOLINAR", "CARRILLO", "CASTILLO", "CXCA480723HMSRSP02"),    // CACA → CXCA
    ("AMADA MARIA", "RAMIREZ", "TREJO", "RXTA560806MVZMRM04"),     // RATA → RXTA
    (
        "LISBEHT EUSTOLIA",
        "AGUILAR",
        "ENRIQUEZ",
        "AUEL010114MMCGNSA3",
    ), // born 2001: letter homoclave
];

#[test]
fn public_examples_parse_and_expose_what_they_encode() {
    for (_, _, _, c) in PUBLICOS {
        let curp = Curp::parse(c).unwrap_or_else(|e| panic!("{c}: {e:?}"));
        assert_eq!(curp.as_str(), *c);
    }
    let c = Curp::parse("AUEL010114MMCGNSA3").unwrap();
    assert_eq!(c.fecha_nacimiento(), Fecha::new(2001, 1, 14).unwrap());
    assert_eq!(c.sexo(), Sexo::Mujer);
    assert_eq!(c.entidad().codigo(), "MC");
    assert_eq!(c.entidad().nombre(), "Estado de México");
    assert_eq!(c.homoclave(), 'A');
    let c = Curp::parse("CXCA480723HMSRSP02").unwrap();
    assert_eq!(c.fecha_nacimiento(), Fecha::new(1948, 7, 23).unwrap());
    assert_eq!(c.sexo(), Sexo::Hombre);
    assert_eq!(c.entidad().nombre(), "Morelos");
}

#[test]
fn public_examples_generate() {
    for (nombre, ap1, ap2, c) in PUBLICOS {
        let curp = Curp::parse(c).unwrap();
        let d = DatosPersona {
            nombre,
            primer_apellido: ap1,
            segundo_apellido: ap2,
            fecha_nacimiento: curp.fecha_nacimiento(),
            sexo: curp.sexo(),
            entidad: curp.entidad(),
        };
        assert_eq!(base(&d).unwrap(), c[..16], "{nombre} {ap1} {ap2}");
        assert_eq!(generar(&d, curp.homoclave()).unwrap(), curp);
        assert!(coincide(&curp, &d));
        let otra = DatosPersona {
            sexo: Sexo::NoBinario,
            ..d
        };
        assert!(!coincide(&curp, &otra));
    }
}

#[test]
fn normalisation() {
    assert_eq!(
        Curp::normalize(" bagr-861101 mmslrs14 "),
        "BAGR861101MMSLRS14"
    );
    assert_eq!(
        Curp::parse(" bagr-861101-mmslrs 14\t").unwrap().as_str(),
        "BAGR861101MMSLRS14"
    );
}

#[test]
fn every_position_has_its_error() {
    let casos: &[(&str, CurpError)] = &[
        ("", CurpError::Vacia),
        (" - ", CurpError::Vacia),
        ("BAGR861101MMSLRS1", CurpError::Longitud),
        ("BAGR861101MMSLRS140", CurpError::Longitud),
        ("BAGR861101MMSLRS1Ñ", CurpError::CaracterInvalido),
        ("BÁGR861101MMSLRS14", CurpError::CaracterInvalido),
        ("BAGR86110.MMSLRS14", CurpError::CaracterInvalido),
        ("B4GR861101MMSLRS14", CurpError::Iniciales),
        ("BAG1861101MMSLRS14", CurpError::Iniciales),
        ("BBGR861101MMSLRS14", CurpError::SegundaLetra),
        ("CACA480723HMSRSP02", CurpError::PalabraInconveniente),
        ("BAGR86A101MMSLRS14", CurpError::FechaFormato),
        ("BAGR861301MMSLRS14", CurpError::FechaInexistente),
        ("BAGR860230MMSLRS14", CurpError::FechaInexistente),
        ("BAGR861100MMSLRS14", CurpError::FechaInexistente),
        ("BAGR861101QMSLRS14", CurpError::Sexo),
        ("BAGR861101MXXLRS14", CurpError::Entidad),
        ("BAGR861101MMSARS14", CurpError::Consonantes),
        ("BAGR861101MMSLR114", CurpError::Consonantes),
        ("BAGR861101MMSLRS15", CurpError::DigitoVerificador),
        ("BAGR861101MMSLRS1A", CurpError::DigitoVerificador),
    ];
    for (input, esperado) in casos {
        assert_eq!(Curp::parse(input), Err(*esperado), "{input}");
    }
}

#[test]
fn century_comes_from_position_17() {
    // 29 February 2000 exists (letter: 2000s); 29 February 1900 does not (digit: 1900s).
    let c = Curp::parse(&con_verificador("BAGR000229MMSLRSA")).unwrap();
    assert_eq!(c.fecha_nacimiento(), Fecha::new(2000, 2, 29).unwrap());
    assert_eq!(
        Curp::parse(&con_verificador("BAGR000229MMSLRS0")),
        Err(CurpError::FechaInexistente)
    );
    assert_eq!(
        Curp::parse(&con_verificador("BAGR990101MMSLRS0"))
            .unwrap()
            .fecha_nacimiento()
            .anio,
        1999
    );
    assert_eq!(
        Curp::parse(&con_verificador("BAGR990101MMSLRSB"))
            .unwrap()
            .fecha_nacimiento()
            .anio,
        2099
    );
}

#[test]
fn non_binary_and_born_abroad_are_accepted() {
    let c = Curp::parse(&con_verificador("BAGR861101XNELRS1")).unwrap();
    assert_eq!(c.sexo(), Sexo::NoBinario);
    assert_eq!(c.sexo().letra(), 'X');
    assert!(c.entidad().es_extranjero());
    assert_eq!(c.entidad().clave_inegi(), None);
}

#[test]
fn x_counts_as_vowel_in_position_2_and_consonant_in_14_to_16() {
    assert!(Curp::parse(&con_verificador("BXGR861101MMSXXX1")).is_ok());
}

#[test]
fn every_palabra_inconveniente_is_rejected_and_its_x_form_accepted() {
    for p in PALABRAS_INCONVENIENTES {
        assert_eq!(
            Curp::parse(&con_verificador(&format!("{p}861101MMSLRS1"))),
            Err(CurpError::PalabraInconveniente),
            "{p}"
        );
        let x = format!("{}X{}861101MMSLRS1", &p[..1], &p[2..]);
        assert!(Curp::parse(&con_verificador(&x)).is_ok(), "{x}");
    }
}

#[test]
fn check_digit() {
    // Table value × weight: digits are themselves, A = 10 … N = 23, Ñ = 24, O = 25 … Z = 36.
    assert_eq!(digito_verificador("AAAA000000HASXXX0"), {
        // A=10 at weights 18,17,16,15; H=17 at 8; A at 7; S=29 at 6; X=34 at 5,4,3.
        let suma = 10 * (18 + 17 + 16 + 15) + 17 * 8 + 10 * 7 + 29 * 6 + 34 * (5 + 4 + 3);
        Some((b'0' + ((10 - suma % 10) % 10) as u8) as char)
    });
    assert_eq!(digito_verificador("BAGR861101MMSLRS1"), Some('4'));
    assert_eq!(digito_verificador("BAGR861101MMSLRS"), None);
    assert_eq!(digito_verificador("BAGR861101MMSLRS1X"), None);
    assert_eq!(digito_verificador("BAGR861101MMSLRS#"), None);
}

#[test]
fn errors_speak_spanish() {
    assert_eq!(
        CurpError::FechaInexistente.to_string(),
        "La fecha de nacimiento de la CURP no existe."
    );
    assert_eq!(
        CurpError::DigitoVerificador.message(),
        "El último carácter de la CURP no corresponde: revisa los 18 caracteres."
    );
    assert_eq!(CurpError::Entidad.code(), "curp_entidad");
}

// --- Generation rules (examples from the Instructivo Normativo unless noted) ---

#[test]
fn rule_n_tilde_counts_as_x() {
    assert_eq!(cuatro("ALBERTO", "ÑANDO", "RODRIGUEZ"), "XARA");
    assert_eq!(cuatro("ÑOÑO", "PEREZ", "ÑUÑEZ"), "PEXX");
    assert_eq!(consonantes("IÑAKI", "PEÑA", "MUÑOZ"), "XXX");
}

#[test]
fn rule_accents_and_diaeresis_removed() {
    assert_eq!(cuatro("ÁNGEL", "ÉRGUELLO", "ÚRSULO"), "EUUA");
    assert_eq!(cuatro("ana", "güémez", "lópez"), "GULA");
    assert_eq!(
        base(&datos("José", "Álvarez", "Núñez")).unwrap(),
        base(&datos("JOSE", "ALVAREZ", "NUXEZ")).unwrap()
    );
}

#[test]
fn rule_common_first_names_skipped_only_when_another_follows() {
    assert_eq!(cuatro("MARIA LUISA", "PEREZ", "HERNANDEZ"), "PEHL");
    assert_eq!(cuatro("LUIS ENRIQUE", "ROMERO", "PALAZUELOS"), "ROPL");
    for nombre in ["MARIA", "MA.", "MA", "JOSE", "J", "J."] {
        let compuesto = format!("{nombre} FERNANDA");
        assert_eq!(
            cuatro(&compuesto, "ESCAMILLA", "ARROYO"),
            "EAAF",
            "{compuesto}"
        );
    }
    assert_eq!(cuatro("MARÍA", "LOPEZ", "SOTO"), "LOSM"); // alone: used
    assert_eq!(cuatro("JOSÉ", "LOPEZ", "SOTO"), "LOSJ");
    assert_eq!(cuatro("JOSE MARIA", "LOPEZ", "SOTO"), "LOSM"); // the second word is used even if it is MARIA
    assert_eq!(cuatro("M. FERNANDA", "LOPEZ", "SOTO"), "LOSM"); // M. is not in the list
}

#[test]
fn rule_particles_dropped_in_names_and_surnames() {
    for p in PARTICULAS {
        let ap = format!("{p} GARZA");
        assert_eq!(cuatro("ANA", &ap, "SOTO"), "GASA", "{ap}");
        assert_eq!(cuatro("ANA", "SOTO", &ap), "SOGA", "{ap}");
    }
    assert_eq!(cuatro("CARLOS", "MC GREGOR", "LOPEZ"), "GELC");
    assert_eq!(cuatro("MARIA DE LOS ANGELES", "SOTO", "RUIZ"), "SORA");
    assert_eq!(consonantes("ANA", "DE LA FUENTE", "DEL RIO"), "NXN"); // FUENTE → N, RIO has none → X, ANA → N
                                                                      // A surname that is only a particle keeps it.
    assert_eq!(cuatro("ANA", "DE", "SOTO"), "DESA");
    // Particles are whole words: DELGADO is not DEL + GADO.
    assert_eq!(cuatro("ANA", "DELGADO", "SOTO"), "DESA");
}

#[test]
fn rule_compound_surname_uses_first_word() {
    assert_eq!(cuatro("ROCIO", "RIVA PALACIO", "CRUZ"), "RICR");
}

#[test]
fn rule_x_for_missing_letters() {
    // No internal vowel / consonant.
    assert_eq!(cuatro("ANA", "ICH", "OU"), "IXOA");
    assert_eq!(consonantes("IA", "ICH", "OU"), "CXX");
    // No second surname: X at positions 3 and 15 (blank or only spaces).
    assert_eq!(cuatro("ANA", "PEREZ", ""), "PEXA");
    assert_eq!(cuatro("ANA", "PEREZ", "   "), "PEXA");
    assert_eq!(consonantes("ANA", "PEREZ", ""), "RXN");
}

#[test]
fn rule_special_characters_give_x_where_they_are_used() {
    assert_eq!(cuatro("JUAN JOSE", "D/AMICO", "ALVAREZ"), "DXAJ");
    assert_eq!(cuatro("ANA", "O'BRIEN", "SOTO"), "OXSA");
    assert_eq!(cuatro("ANA", "GARCIA-LOPEZ", "SOTO"), "GASA"); // the hyphen comes after the vowel
    assert_eq!(consonantes("ANA", "GA-RCIA", "SOTO"), "XTN"); // …but before the consonant
    assert_eq!(
        base(&datos("ANA", "/", "SOTO")),
        Err(CurpError::PrimerApellidoFaltante)
    ); // a lone symbol is no surname…
    assert_eq!(cuatro("ANA", "PEREZ", "- SOTO"), "PESA"); // …and a lone symbol word is ignored
}

#[test]
fn rule_inconvenient_words_replaced() {
    assert_eq!(cuatro("IVAN", "BUENO", "ESPINOZA"), "BXEI");
    assert_eq!(cuatro("ELVIA", "ROJAS", "BENITES"), "RXBE");
    assert_eq!(cuatro("ELVIA", "ROJAS", "BAEZ"), "ROBE".replace('O', "X"));
}

#[test]
fn generation_checks_its_inputs() {
    assert_eq!(
        base(&datos("", "PEREZ", "")),
        Err(CurpError::NombreFaltante)
    );
    assert_eq!(
        base(&datos("ANA", "  ", "")),
        Err(CurpError::PrimerApellidoFaltante)
    );
    let viejo = DatosPersona {
        fecha_nacimiento: Fecha::new(1899, 12, 31).unwrap(),
        ..datos("ANA", "PEREZ", "")
    };
    assert_eq!(base(&viejo), Err(CurpError::FechaFueraDeRango));
    let d = datos("ANA", "PEREZ", "SOTO");
    assert_eq!(generar(&d, 'A'), Err(CurpError::HomoclaveSiglo)); // born 1990: digit
    assert_eq!(generar(&d, '#'), Err(CurpError::Homoclave));
    let nueva = DatosPersona {
        fecha_nacimiento: Fecha::new(2005, 1, 1).unwrap(),
        ..d
    };
    assert_eq!(generar(&nueva, '0'), Err(CurpError::HomoclaveSiglo)); // born 2005: letter
    assert_eq!(
        generar(&nueva, 'b').unwrap().as_str(),
        con_verificador("PESA050101MDFRTNB")
    );
    assert_eq!(
        generar(&d, '7').unwrap().as_str(),
        con_verificador("PESA900517MDFRTN7")
    );
}

// --- Properties ---

fn palabra() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-ZÑÁÉÍÓÚÜ]{1,10}",
        "[a-zñáéíóúü]{1,10}",
        Just("MARIA".to_string()),
        Just("MA.".to_string()),
        Just("JOSE".to_string()),
        Just("DE".to_string()),
        Just("LA".to_string()),
        Just("O'NEIL".to_string()),
        Just("D/AMICO".to_string()),
    ]
}

fn nombre_completo() -> impl Strategy<Value = String> {
    prop::collection::vec(palabra(), 1..4)
        .prop_map(|ps| ps.join(" "))
        .prop_filter("needs a letter", |s| s.chars().any(char::is_alphabetic))
}

prop_compose! {
    fn persona()(nombre in nombre_completo(), ap1 in nombre_completo(), ap2 in prop_oneof![Just(String::new()), nombre_completo()],
                 anio in 1900u16..2100, mes in 1u8..13, dia in 1u8..32, sexo in 0usize..3, entidad in 0u8..33,
                 digito in 0u8..10, letra in 0u8..26)
                -> (String, String, String, Fecha, Sexo, Entidad, char) {
        let dia = dia.min(crate::fecha::dias_del_mes(anio, mes));
        let fecha = Fecha::new(anio, mes, dia).unwrap();
        let sexo = [Sexo::Hombre, Sexo::Mujer, Sexo::NoBinario][sexo];
        let entidad = Entidad::todas().nth(entidad as usize).unwrap();
        let homoclave = if anio < 2000 { (b'0' + digito) as char } else { (b'A' + letra) as char };
        (nombre, ap1, ap2, fecha, sexo, entidad, homoclave)
    }
}

proptest! {
    #[test]
    fn generated_curps_parse_and_round_trip((nombre, ap1, ap2, fecha, sexo, entidad, h) in persona()) {
        let d = DatosPersona { nombre: &nombre, primer_apellido: &ap1, segundo_apellido: &ap2,
                               fecha_nacimiento: fecha, sexo, entidad };
        let curp = generar(&d, h).unwrap();
        let again = Curp::parse(curp.as_str()).unwrap();
        prop_assert_eq!(&again, &curp);
        prop_assert_eq!(again.fecha_nacimiento(), fecha);
        prop_assert_eq!(again.sexo(), sexo);
        prop_assert_eq!(again.entidad(), entidad);
        prop_assert_eq!(again.homoclave(), h);
        prop_assert!(coincide(&again, &d));
        prop_assert!(!es_palabra_inconveniente(&curp.as_str()[..4]));
    }

    #[test]
    fn a_changed_character_never_passes_silently(c in "[B-DF-HJ-NP-TV-Z]{4}", pos in 0usize..18, nuevo in "[A-Z0-9]") {
        // Take a valid CURP, change one character: parse must fail or give a different CURP whose check digit
        // still matches (the check digit catches every single substitution within the 17 characters except when
        // the weighted difference is a multiple of 10).
        let valida = con_verificador(&format!("{}A{}861101MMSLRS1", &c[..1], &c[2..]));
        prop_assume!(Curp::parse(&valida).is_ok());
        let mut chars: Vec<char> = valida.chars().collect();
        let nuevo = nuevo.chars().next().unwrap();
        prop_assume!(chars[pos] != nuevo);
        chars[pos] = nuevo;
        let cambiada: String = chars.iter().collect();
        if let Ok(otra) = Curp::parse(&cambiada) {
            prop_assert_eq!(digito_verificador(&otra.as_str()[..17]), otra.as_str().chars().nth(17));
            prop_assert_ne!(otra.as_str(), valida.as_str());
        }
        prop_assert!(pos < 17 || Curp::parse(&cambiada).is_err());
    }

    #[test]
    fn parse_never_panics_and_normalize_is_idempotent(s in "\\PC{0,30}") {
        let _ = Curp::parse(&s);
        let n = Curp::normalize(&s);
        prop_assert_eq!(Curp::normalize(&n), n);
    }
}
