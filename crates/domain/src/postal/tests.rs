use super::*;
use crate::ErrorDeDominio;
use proptest::prelude::*;

const MUESTRA: &[u8] = include_bytes!("../../tests/fixtures/CPdescarga_muestra.txt");

fn muestra() -> Catalogo {
    Catalogo::from_sepomex_txt(MUESTRA).unwrap().0
}

fn asentamientos(e: &Entrada) -> Vec<(&str, &str)> {
    e.asentamientos
        .iter()
        .map(|a| (a.nombre.as_str(), a.tipo.as_str()))
        .collect()
}

#[test]
fn state_names_map_to_inegi_codes() {
    assert_eq!(clave_estado("Ciudad de México"), Some(9));
    assert_eq!(clave_estado("VERACRUZ DE IGNACIO DE LA LLAVE"), Some(30));
    assert_eq!(clave_estado("Distrito Federal"), Some(9));
    assert_eq!(clave_estado("  michoacan  de ocampo"), Some(16));
    assert_eq!(clave_estado("Narnia"), None);
    for (i, e) in ESTADOS.iter().enumerate() {
        assert_eq!(clave_estado(e), Some(i as u8 + 1));
        assert_eq!(nombre_estado(i as u8 + 1), Some(*e));
    }
    assert_eq!(nombre_estado(0), None);
    assert_eq!(nombre_estado(33), None);
}

#[test]
fn postal_code_format() {
    assert_eq!(codigo_postal_valido(" 01 000 ").as_deref(), Ok("01000"));
    assert_eq!(codigo_postal_valido("44-100").as_deref(), Ok("44100"));
    assert_eq!(codigo_postal_valido(""), Err(CodigoPostalError::Vacio));
    assert_eq!(
        codigo_postal_valido("0100"),
        Err(CodigoPostalError::Formato)
    );
    assert_eq!(
        codigo_postal_valido("010000"),
        Err(CodigoPostalError::Formato)
    );
    assert_eq!(
        codigo_postal_valido("01O00"),
        Err(CodigoPostalError::Formato)
    );
    assert_eq!(
        codigo_postal_valido("０１０００"),
        Err(CodigoPostalError::Formato)
    ); // full-width digits
    assert_eq!(
        CodigoPostalError::Formato.message(),
        "El código postal debe tener 5 números."
    );
}

#[test]
fn sepomex_import_reads_latin1_groups_and_reports_bad_lines() {
    let (cat, invalidas) = Catalogo::from_sepomex_txt(MUESTRA).unwrap();
    assert_eq!(cat.len(), 7);
    assert_eq!(cat.total_asentamientos(), 10);
    let e = cat.lookup("01000").unwrap();
    assert_eq!(e.estado_clave, 9);
    assert_eq!(e.estado, "Ciudad de México");
    assert_eq!(e.municipio, "Álvaro Obregón");
    assert_eq!(e.ciudad, "Ciudad de México");
    assert_eq!(asentamientos(&e), [("San Ángel", "Colonia")]);
    // Duplicates dropped, sorted by name.
    assert_eq!(
        asentamientos(&cat.lookup("01030").unwrap()),
        [("Axotla", "Pueblo"), ("Florida", "Colonia")]
    );
    // Ñ and Ü survive the Latin-1 decoding; the ciudad comes from the first row that has one.
    let z = cat.lookup("99990").unwrap();
    assert_eq!(z.ciudad, "Concepción del Oro");
    assert_eq!(
        asentamientos(&z),
        [("Ñandú", "Ranchería"), ("Rancho Ñandú", "Ranchería")]
    );
    let ch = cat.lookup("29000").unwrap();
    assert_eq!(ch.ciudad, "Tuxtla Gutiérrez");
    assert_eq!(
        asentamientos(&ch),
        [("El Güero", "Fraccionamiento"), ("Peñitas", "Barrio")]
    );
    assert_eq!(
        invalidas,
        [
            LineaInvalida {
                linea: 9,
                motivo: "código postal inválido"
            },
            LineaInvalida {
                linea: 13,
                motivo: "clave de estado inválida"
            },
            LineaInvalida {
                linea: 14,
                motivo: "faltan columnas"
            },
        ]
    );
    assert_eq!(cat.lookup("44100").unwrap().asentamientos.len(), 1);
    assert!(cat.lookup("44101").is_none());
    assert!(cat.lookup("abc").is_none());
    assert!(cat.contiene("20000"));
    assert_eq!(cat.lookup(" 20-000").unwrap().codigo_postal, "20000");
}

#[test]
fn sepomex_import_accepts_utf8_and_a_missing_notice_but_wants_the_header() {
    let utf8 = String::from_utf8(
        MUESTRA
            .iter()
            .map(|&b| b as char)
            .collect::<String>()
            .into_bytes(),
    )
    .unwrap();
    let (cat, _) = Catalogo::from_sepomex_txt(utf8.as_bytes()).unwrap();
    assert_eq!(cat, muestra());
    let sin_aviso = utf8.split_once("\r\n").unwrap().1;
    assert_eq!(
        Catalogo::from_sepomex_txt(sin_aviso.as_bytes()).unwrap().0,
        muestra()
    );
    let sin_encabezado: String = utf8.lines().skip(2).collect::<Vec<_>>().join("\n");
    assert_eq!(
        Catalogo::from_sepomex_txt(sin_encabezado.as_bytes()),
        Err(CatalogoError::Encabezado)
    );
    let solo_encabezado =
        "aviso\nd_codigo|d_asenta|d_tipo_asenta|D_mnpio|d_estado|d_ciudad|d_CP|c_estado\n";
    assert_eq!(
        Catalogo::from_sepomex_txt(solo_encabezado.as_bytes()),
        Err(CatalogoError::SinRegistros)
    );
    assert_eq!(
        Catalogo::from_sepomex_txt(b""),
        Err(CatalogoError::Encabezado)
    );
}

#[test]
fn compact_file_round_trip_and_corruption() {
    let cat = muestra();
    let bytes = cat.to_bytes();
    assert!(bytes.starts_with(MAGIA));
    let otra = Catalogo::from_bytes(&bytes).unwrap();
    assert_eq!(otra, cat);
    assert_eq!(
        otra.entradas().collect::<Vec<_>>(),
        cat.entradas().collect::<Vec<_>>()
    );
    assert_eq!(Catalogo::from_bytes(b"hola"), Err(CatalogoError::Formato));
    let mut mala = bytes.clone();
    mala.extend_from_slice(b"00001|9|x|y|a|b\n"); // out of order
    assert_eq!(Catalogo::from_bytes(&mala), Err(CatalogoError::Formato));
    let mut mala = MAGIA.to_vec();
    mala.extend_from_slice(b"0100|9|x\n");
    assert_eq!(Catalogo::from_bytes(&mala), Err(CatalogoError::Formato));
    let mut mala = MAGIA.to_vec();
    mala.extend_from_slice(&[0xff, 0xfe]);
    assert_eq!(Catalogo::from_bytes(&mala), Err(CatalogoError::Formato));
    assert_eq!(Catalogo::from_bytes(MAGIA).unwrap().len(), 0);
}

#[test]
fn shards_split_by_four_digit_prefix() {
    let cat = muestra();
    let shards = cat.shards();
    let nombres: Vec<&str> = shards.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        nombres,
        ["0100.txt", "0101.txt", "0103.txt", "2000.txt", "2900.txt", "4410.txt", "9999.txt"]
    );
    assert_eq!(shard_file("01030").as_deref(), Some("0103.txt"));
    assert_eq!(shard_file(" 44-100").as_deref(), Some("4410.txt"));
    assert_eq!(shard_file("1"), None);
    for e in cat.entradas() {
        let nombre = shard_file(&e.codigo_postal).unwrap();
        let (_, contenido) = shards.iter().find(|(n, _)| *n == nombre).unwrap();
        let texto = std::str::from_utf8(contenido).unwrap();
        assert_eq!(lookup_in_shard(texto, &e.codigo_postal), Some(e.to_api()));
    }
    let mut b = CatalogoBuilder::new();
    for cp in ["01000", "01001", "01009", "01010"] {
        b.agregar(cp, 9, "M", "C", "A", "Colonia").unwrap();
    }
    let shards = b.build().shards();
    assert_eq!(shards.len(), 2);
    let s0100 = std::str::from_utf8(&shards[0].1).unwrap();
    assert_eq!(s0100.lines().count(), 3);
    assert_eq!(
        lookup_in_shard(s0100, "01009").unwrap().codigo_postal,
        "01009"
    );
    assert_eq!(lookup_in_shard(s0100, "01002"), None);
    assert_eq!(lookup_in_shard(s0100, "0100"), None);
    assert_eq!(lookup_in_shard("garbage\n01000|99|x|y\n", "01000"), None);
}

#[test]
fn builder_cleans_fields_and_rejects_bad_rows() {
    let mut b = CatalogoBuilder::new();
    assert_eq!(
        b.agregar("0100", 9, "M", "C", "A", "Colonia"),
        Err("código postal inválido")
    );
    assert_eq!(
        b.agregar("01000", 33, "M", "C", "A", "Colonia"),
        Err("clave de estado inválida")
    );
    assert_eq!(
        b.agregar("01000", 9, "M", "C", "  ", "Colonia"),
        Err("asentamiento vacío")
    );
    b.agregar(
        "01000",
        9,
        " Álvaro  Obregón ",
        "",
        "San|Ángel\n Norte",
        "Colonia",
    )
    .unwrap();
    let e = b.build().lookup("01000").unwrap();
    assert_eq!(e.municipio, "Álvaro Obregón");
    assert_eq!(asentamientos(&e), [("San Ángel Norte", "Colonia")]);
}

fn texto_campo() -> impl Strategy<Value = String> {
    "[A-Za-zÁÉÍÓÚÑñáéíóú0-9 .,()-]{1,20}"
        .prop_filter("needs a visible char", |s| !s.trim().is_empty())
}

proptest! {
    #[test]
    fn any_catalog_round_trips_through_file_and_shards(
        filas in prop::collection::vec((0u32..100_000, 1u8..33, texto_campo(), texto_campo(), texto_campo(), texto_campo()), 1..60)
    ) {
        let mut b = CatalogoBuilder::new();
        for (n, clave, m, c, a, t) in &filas {
            let mut cp = String::new();
            crate::fecha::push_num(&mut cp, *n, 5);
            b.agregar(&cp, *clave, m, c, a, t).unwrap();
        }
        let cat = b.build();
        let otra = Catalogo::from_bytes(&cat.to_bytes()).unwrap();
        prop_assert_eq!(&otra, &cat);
        let shards = cat.shards();
        for (n, ..) in &filas {
            let mut cp = String::new();
            crate::fecha::push_num(&mut cp, *n, 5);
            let e = otra.lookup(&cp).unwrap();
            prop_assert_eq!(&e.codigo_postal, &cp);
            let (_, s) = shards.iter().find(|(nombre, _)| Some(nombre) == shard_file(&cp).as_ref()).unwrap();
            prop_assert_eq!(lookup_in_shard(std::str::from_utf8(s).unwrap(), &cp), Some(e.to_api()));
        }
    }

    #[test]
    fn importers_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = Catalogo::from_bytes(&bytes);
        let mut con_magia = MAGIA.to_vec();
        con_magia.extend_from_slice(&bytes);
        let _ = Catalogo::from_bytes(&con_magia);
        let _ = Catalogo::from_sepomex_txt(&bytes);
        let _ = lookup_in_shard(&String::from_utf8_lossy(&bytes), "01000");
    }
}
