//! Documents end to end: the PDFs' text (pdftotext), PNG previews (pdftoppm) into
//! `target/test-artifacts/documents/`, seal verification, and the HTTP endpoints (links, verification, re-sends).

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex};

use afiliate_domain::api;
use afiliate_server::documents::{
    Documento, Documentos, Modo, Persona, Sellador, TipoDocumento, Tramite,
};
use afiliate_server::http::documentos::{router, AlmacenDocumentos, Reenvio, LIMITE_REENVIOS_DIA};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{TimeZone as _, Utc};
use http_body_util::BodyExt as _;
use tower::ServiceExt as _;

fn persona() -> Persona {
    Persona {
        nombre: "María Peña Núñez".into(),
        curp: "PENM000101MDFXXX09".into(),
        nss: "12345678901".into(),
    }
}

fn artefactos() -> PathBuf {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/test-artifacts/documents");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn pdftotext(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let ruta = dir.path().join("d.pdf");
    std::fs::write(&ruta, pdf).unwrap();
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(&ruta)
        .arg("-")
        .output()
        .expect("pdftotext installed");
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn both_pdfs_show_the_data_with_accents_and_render_to_png() {
    let docs = Documentos::new(Sellador::aleatorio(), "https://afiliate.example.mx", 3600);
    let emitido = Utc.with_ymd_and_hms(2026, 11, 26, 17, 5, 0).unwrap();
    for (tipo, tramite) in [
        (TipoDocumento::ComprobanteNss, Tramite::Asignacion),
        (TipoDocumento::TarjetaNss, Tramite::Asignacion),
        (TipoDocumento::ComprobanteNss, Tramite::Localizacion),
    ] {
        let d = docs.emitir(tipo, tramite, &persona(), emitido);
        let pdf = docs.render(&d);
        assert!(pdf.len() < 200_000, "{} bytes", pdf.len());
        let texto = pdftotext(&pdf);
        for esperado in [
            "12345678901",
            "María Peña Núñez",
            "PENM000101MDFXXX09",
            d.folio.as_str(),
            tipo.nombre(),
        ] {
            assert!(
                texto.contains(esperado),
                "{esperado:?} missing from {tipo:?}:\n{texto}"
            );
        }
        assert!(texto.contains("Paso 2") || tipo == TipoDocumento::TarjetaNss);
        // The sello is printed (wrapped over lines): its first characters appear.
        assert!(texto.contains(&d.sello[..20]), "sello missing:\n{texto}");

        let nombre = format!("{}_{}", tipo.codigo(), tramite.codigo());
        let pdf_ruta = artefactos().join(format!("{nombre}.pdf"));
        std::fs::write(&pdf_ruta, &pdf).unwrap();
        let st = Command::new("pdftoppm")
            .args(["-r", "110", "-png", "-singlefile"])
            .arg(&pdf_ruta)
            .arg(artefactos().join(&nombre))
            .status()
            .expect("pdftoppm installed");
        assert!(st.success());
        let png = std::fs::read(artefactos().join(format!("{nombre}.png"))).unwrap();
        assert!(png.starts_with(b"\x89PNG"));
    }
}

/// The page of `pdf` rendered by pdftoppm at `ppp` dots per inch, in grey levels: (width, height, pixels).
fn pagina_en_gris(pdf: &[u8], ppp: u32) -> (usize, usize, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let ruta = dir.path().join("d.pdf");
    std::fs::write(&ruta, pdf).unwrap();
    let st = Command::new("pdftoppm")
        .args(["-r", &ppp.to_string(), "-gray", "-png", "-singlefile"])
        .arg(&ruta)
        .arg(dir.path().join("p"))
        .status()
        .expect("pdftoppm installed");
    assert!(st.success());
    let archivo = std::fs::File::open(dir.path().join("p.png")).unwrap();
    let mut lector = png::Decoder::new(std::io::BufReader::new(archivo))
        .read_info()
        .unwrap();
    let mut pixeles = vec![0; lector.output_buffer_size().unwrap()];
    let info = lector.next_frame(&mut pixeles).unwrap();
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    pixeles.truncate(info.buffer_size());
    // pdftoppm writes grey pages as grey or as RGB with equal channels, depending on its version.
    let canales = info.color_type.samples();
    let gris = pixeles.chunks(canales).map(|p| p[0]).collect();
    (info.width as usize, info.height as usize, gris)
}

#[test]
fn the_qr_codes_read_back_as_the_verification_address() {
    let docs = Documentos::new(Sellador::aleatorio(), "https://afiliate.example.mx", 3600);
    // The tarjeta draws its code twice (front and back of the card), the comprobante once.
    for (tipo, veces) in [
        (TipoDocumento::TarjetaNss, 2),
        (TipoDocumento::ComprobanteNss, 1),
    ] {
        let d = docs.emitir(tipo, Tramite::Asignacion, &persona(), Utc::now());
        let (ancho, alto, pixeles) = pagina_en_gris(&docs.render(&d), 150);
        let mut imagen =
            rqrr::PreparedImage::prepare_from_greyscale(ancho, alto, |x, y| pixeles[y * ancho + x]);
        let leidos: Vec<String> = imagen
            .detect_grids()
            .iter()
            .map(|g| g.decode().expect("a drawn QR code decodes").1)
            .collect();
        let esperado = d.url_verificacion("https://afiliate.example.mx");
        assert_eq!(leidos, vec![esperado; veces], "{}", tipo.codigo());
    }
}

#[test]
fn pdfinfo_reports_letter_size_and_embedded_fonts() {
    let docs = Documentos::new(Sellador::aleatorio(), "https://afiliate.example.mx", 3600);
    let d = docs.emitir(
        TipoDocumento::TarjetaNss,
        Tramite::Asignacion,
        &persona(),
        Utc::now(),
    );
    let dir = tempfile::tempdir().unwrap();
    let ruta = dir.path().join("t.pdf");
    std::fs::write(&ruta, docs.render(&d)).unwrap();
    let info = Command::new("pdfinfo").arg(&ruta).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(info.contains("612 x 792 pts (letter)"), "{info}");
    let fuentes = Command::new("pdffonts").arg(&ruta).output().unwrap();
    let fuentes = String::from_utf8_lossy(&fuentes.stdout);
    for linea in fuentes.lines().skip(2) {
        assert!(linea.contains(" yes "), "font not embedded: {linea}");
    }
    assert!(
        fuentes.contains("Montserrat-Regular") && fuentes.contains("Montserrat-Bold"),
        "{fuentes}"
    );
}

/// Runs a poppler tool (`pdfinfo`, `pdffonts`) on `pdf` with `args`; its standard output.
fn poppler(herramienta: &str, args: &[&str], pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let ruta = dir.path().join("d.pdf");
    std::fs::write(&ruta, pdf).unwrap();
    let out = Command::new(herramienta)
        .args(args)
        .arg(&ruta)
        .output()
        .unwrap_or_else(|e| panic!("{herramienta} installed: {e}"));
    assert!(
        out.status.success(),
        "{herramienta} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Asserts that `esperados` occur in `texto` in this order (each after the previous one).
fn en_orden(texto: &str, esperados: &[&str]) {
    let mut desde = 0;
    for e in esperados {
        match texto[desde..].find(e) {
            Some(i) => desde += i + e.len(),
            None => panic!("{e:?} missing or out of order after byte {desde}:\n{texto}"),
        }
    }
}

#[test]
fn names_with_letters_beyond_winansi_render_and_extract_back() {
    let docs = Documentos::new(Sellador::aleatorio(), "https://afiliate.example.mx", 3600);
    let unicode = Persona {
        nombre: "Ñandú Ŭgarte Øster Łukasz".into(),
        ..persona()
    };
    for tipo in TipoDocumento::DEL_NSS {
        let d = docs.emitir(tipo, Tramite::Localizacion, &unicode, Utc::now());
        let pdf = d.pdf(&docs.base_url).expect("a conforming PDF");
        let texto = pdftotext(&pdf);
        assert!(
            texto.contains("Ñandú Ŭgarte Øster Łukasz"),
            "{tipo:?}:\n{texto}"
        );
    }
    // A character Montserrat has no glyph for is drawn as "?" (PDF/A and PDF/UA forbid the .notdef glyph): the
    // document is still written, and conforms.
    let sin_glifo = Persona {
        nombre: "Ana 漢 Pérez".into(),
        ..persona()
    };
    let d = docs.emitir(
        TipoDocumento::TarjetaNss,
        Tramite::Asignacion,
        &sin_glifo,
        Utc::now(),
    );
    let texto = pdftotext(&d.pdf(&docs.base_url).expect("a conforming PDF"));
    assert!(texto.contains("Ana ? Pérez"), "{texto}");
}

#[test]
fn every_field_of_each_document_extracts_as_text() {
    let docs = Documentos::new(Sellador::aleatorio(), "https://afiliate.example.mx", 3600);
    let emitido = Utc.with_ymd_and_hms(2026, 11, 26, 17, 5, 0).unwrap();
    for tipo in TipoDocumento::DEL_NSS {
        let d = docs.emitir(tipo, Tramite::Asignacion, &persona(), emitido);
        let texto = pdftotext(&docs.render(&d));
        let url = d.url_verificacion(&docs.base_url);
        let mut esperados = vec![
            tipo.nombre(),
            "Instituto Mexicano del Seguro Social",
            "12345678901",
            "María Peña Núñez",
            "PENM000101MDFXXX09",
            d.folio.as_str(),
            "26/11/2026",
            "Sello digital del documento",
            "Cadena original:",
            "Sello digital (Ed25519, clave ",
            d.clave.as_str(),
            url.as_str(),
        ];
        if tipo == TipoDocumento::ComprobanteNss {
            esperados.extend([
                "Asignación de NSS",
                "11:05 h (hora del centro de México)",
                "¿Qué sigue?",
                "Paso 3.",
            ]);
        } else {
            esperados.extend(["Verifica esta tarjeta", "Dobla aquí"]);
        }
        for e in esperados {
            assert!(texto.contains(e), "{e:?} missing from {tipo:?}:\n{texto}");
        }
        // The cadena original and the sello are wrapped over lines: every field of the cadena and every line's
        // worth of the sello appear.
        let cadena = d.cadena_original();
        for campo in cadena.trim_matches('|').split('|') {
            assert!(
                texto.contains(campo),
                "cadena field {campo:?} missing:\n{texto}"
            );
        }
        let sin_blancos: String = texto.split_whitespace().collect();
        assert!(sin_blancos.contains(&d.sello), "sello missing:\n{texto}");
    }
}

#[test]
fn pdfinfo_shows_a_tagged_pdf_ua_and_pdf_a_file_with_its_title_and_language() {
    let docs = Documentos::new(Sellador::aleatorio(), "https://afiliate.example.mx", 3600);
    for tipo in TipoDocumento::DEL_NSS {
        let d = docs.emitir(tipo, Tramite::Asignacion, &persona(), Utc::now());
        let pdf = docs.render(&d);
        let info = poppler("pdfinfo", &[], &pdf);
        let titulo = format!("Title:           {} — {}", tipo.nombre(), d.folio);
        assert!(info.lines().any(|l| l == titulo), "{titulo:?}:\n{info}");
        assert!(info.lines().any(|l| l == "Tagged:          yes"), "{info}");
        assert!(info.contains("PDF version:     1.7"), "{info}");
        let xmp = poppler("pdfinfo", &["-meta"], &pdf);
        for marca in [
            "<pdfaid:part>2</pdfaid:part>",
            "<pdfaid:conformance>B</pdfaid:conformance>",
            "<pdfuaid:part>1</pdfuaid:part>",
            "<dc:language><rdf:Bag><rdf:li>es-MX</rdf:li>",
        ] {
            assert!(xmp.contains(marca), "{marca} missing from the XMP:\n{xmp}");
        }
    }
}

#[test]
fn the_structure_tree_follows_the_reading_order() {
    let docs = Documentos::new(Sellador::aleatorio(), "https://afiliate.example.mx", 3600);
    let c = docs.emitir(
        TipoDocumento::ComprobanteNss,
        Tramite::Asignacion,
        &persona(),
        Utc::now(),
    );
    let arbol = poppler("pdfinfo", &["-struct-text"], &docs.render(&c));
    en_orden(
        &arbol,
        &[
            "Document",
            "\"Instituto Mexicano del Seguro Social\"",
            "H1",
            "\"Número de Seguridad Social\"",
            "\"Tu Número de Seguridad Social (NSS) es:\"",
            "\"12345678901\"",
            "Table",
            "TH",
            "\"NOMBRE\"",
            "TD",
            "\"María Peña Núñez\"",
            "\"CURP\"",
            "\"PENM000101MDFXXX09\"",
            "\"FOLIO\"",
            "H2",
            "\"¿Qué sigue?\"",
            "L (block)",
            "Lbl",
            "\"Paso 2.\"",
            "LBody",
            "\"Paso 3.\"",
            "H2",
            "\"Sello digital del documento\"",
            "Figure",
            "\"Cadena original:\"",
            "\"Sello digital (Ed25519, clave ",
            "/verificar/",
        ],
    );
    // The decoration (bands, rules, the "IMSS" logo) is an artifact, not content.
    assert!(!arbol.contains("\"IMSS\""), "{arbol}");

    let t = docs.emitir(
        TipoDocumento::TarjetaNss,
        Tramite::Asignacion,
        &persona(),
        Utc::now(),
    );
    let arbol = poppler("pdfinfo", &["-struct-text"], &docs.render(&t));
    en_orden(
        &arbol,
        &[
            "H1",
            "\"Tarjeta de Número de Seguridad Social\"",
            "Div",
            "\"NÚMERO DE SEGURIDAD SOCIAL\"",
            "\"12345678901\"",
            "\"NOMBRE\"",
            "\"María Peña Núñez\"",
            "\"CURP\"",
            "Div",
            "H2",
            "\"Verifica esta tarjeta\"",
            "Figure",
            "\"Dobla aquí\"",
            "H2",
            "\"Sello digital del documento\"",
            "Figure",
            "\"Cadena original:\"",
        ],
    );
}

#[test]
fn the_seal_fails_for_a_tampered_folio_or_seal() {
    let s = Sellador::aleatorio();
    let d = Documento::emitir(
        TipoDocumento::ComprobanteNss,
        Tramite::Asignacion,
        &persona(),
        Utc::now(),
        &s,
    );
    assert!(d.es_autentico(&s));
    let mut folio = d.clone();
    folio
        .folio
        .replace_range(3..4, if &d.folio[3..4] == "A" { "B" } else { "A" });
    assert!(!folio.es_autentico(&s));
    let mut sello = d.clone();
    let otro = if sello.sello.starts_with('A') {
        "B"
    } else {
        "A"
    };
    sello.sello.replace_range(0..1, otro);
    assert!(!sello.es_autentico(&s));
    assert!(!s.verificar(&folio.cadena_original(), &d.sello));
}

/// The server's state, in memory.
#[derive(Clone)]
struct Estado {
    docs: Documentos,
    guardados: Arc<Mutex<HashMap<String, Documento>>>,
    reenvios: Arc<Mutex<HashMap<(String, String), u32>>>,
}

impl AlmacenDocumentos for Estado {
    fn documentos(&self) -> &Documentos {
        &self.docs
    }

    async fn buscar(&self, folio: &str) -> anyhow::Result<Option<Documento>> {
        Ok(self.guardados.lock().unwrap().get(folio).cloned())
    }

    async fn reenviar(&self, doc: &Documento, dia: &str) -> anyhow::Result<Reenvio> {
        let mut r = self.reenvios.lock().unwrap();
        let n = r.entry((doc.folio.clone(), dia.to_string())).or_default();
        if *n >= LIMITE_REENVIOS_DIA {
            return Ok(Reenvio::LimiteAlcanzado);
        }
        *n += 1;
        Ok(Reenvio::Encolado)
    }
}

fn estado() -> (Estado, Documento, Documento) {
    let docs = Documentos::new(Sellador::aleatorio(), "https://afiliate.example.mx", 3600);
    let c = docs.emitir(
        TipoDocumento::ComprobanteNss,
        Tramite::Asignacion,
        &persona(),
        Utc::now(),
    );
    let t = docs.emitir(
        TipoDocumento::TarjetaNss,
        Tramite::Asignacion,
        &persona(),
        Utc::now(),
    );
    let guardados = [(c.folio.clone(), c.clone()), (t.folio.clone(), t.clone())]
        .into_iter()
        .collect();
    (
        Estado {
            docs,
            guardados: Arc::new(Mutex::new(guardados)),
            reenvios: Default::default(),
        },
        c,
        t,
    )
}

async fn pedir(
    estado: &Estado,
    metodo: &str,
    uri: &str,
) -> (StatusCode, HashMap<String, String>, Vec<u8>) {
    let app = router::<Estado>().with_state(estado.clone());
    let r = app
        .oneshot(
            Request::builder()
                .method(metodo)
                .uri(uri)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let status = r.status();
    let headers = r
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_string()))
        .collect();
    let body = r.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, headers, body)
}

#[tokio::test]
async fn signed_links_serve_inline_or_attachment_and_refuse_expired_or_made_up_ones() {
    let (estado, c, t) = estado();
    let ahora = Utc::now().timestamp();
    let ver = estado.docs.enlaces.enlace(&c.folio, Modo::Ver, ahora);
    let (st, h, body) = pedir(&estado, "GET", &ver).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(h["content-type"], "application/pdf");
    assert!(h["content-disposition"].starts_with("inline"), "{h:?}");
    assert!(body.starts_with(b"%PDF-"));
    assert!(pdftotext(&body).contains(&c.folio));

    let api = estado.docs.api(&t, ahora);
    let (st, h, _) = pedir(&estado, "GET", &api.descargar_url).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        h["content-disposition"],
        "attachment; filename=\"tarjetaNSS12345678901.pdf\""
    );
    let (_, h, _) = pedir(&estado, "GET", &estado.docs.api(&c, ahora).descargar_url).await;
    assert_eq!(
        h["content-disposition"],
        "attachment; filename=\"comprobanteNSS12345678901.pdf\""
    );

    // Expired: signed for a moment more than a vigencia ago.
    let vieja = estado
        .docs
        .enlaces
        .enlace(&c.folio, Modo::Ver, ahora - 3600 - 5);
    let (st, h, body) = pedir(&estado, "GET", &vieja).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(h["content-type"], "application/problem+json");
    let p: api::Problema = serde_json::from_slice(&body).unwrap();
    assert!(p.detail.contains("expiró"), "{}", p.detail);

    let otro_folio = ver.replace(&c.folio, &t.folio);
    let modo_cambiado = ver.replace("modo=ver", "modo=descargar");
    let firma_inventada = format!("{}AAAA", &ver[..ver.len() - 4]);
    let inventado =
        "/api/documentos/CN-AAAAA-BBBBB-CCCCC/pdf?modo=ver&exp=9999999999&firma=abc".to_string();
    let sin_consulta = format!("/api/documentos/{}/pdf", c.folio);
    let exp_rara = format!(
        "/api/documentos/{}/pdf?modo=ver&exp=mañana&firma=x",
        c.folio
    );
    for uri in [
        otro_folio,
        modo_cambiado,
        firma_inventada,
        inventado,
        sin_consulta,
        exp_rara,
    ] {
        let (st, _, _) = pedir(&estado, "GET", &uri).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{uri}");
    }
}

#[tokio::test]
async fn verification_answers_authentic_masked_data_and_detects_tampering() {
    let (estado, c, _) = estado();
    let (st, _, body) = pedir(&estado, "GET", &format!("/api/verificacion/{}", c.folio)).await;
    assert_eq!(st, StatusCode::OK);
    let v: api::Verificacion = serde_json::from_slice(&body).unwrap();
    assert!(v.autentico);
    assert_eq!(v.nss, "*******8901");
    assert_eq!(v.nombre, "Ma*** Pe** Nú***");
    assert!(!String::from_utf8_lossy(&body).contains("12345678901"));
    assert!(!String::from_utf8_lossy(&body).contains("PENM000101"));

    // Someone edits the stored NSS: the seal no longer verifies.
    estado
        .guardados
        .lock()
        .unwrap()
        .get_mut(&c.folio)
        .unwrap()
        .nss = "99999999999".into();
    let (_, _, body) = pedir(&estado, "GET", &format!("/api/verificacion/{}", c.folio)).await;
    let v: api::Verificacion = serde_json::from_slice(&body).unwrap();
    assert!(!v.autentico);

    for folio in ["CN-AAAAA-BBBBB-CCCCC", "nada", "%20"] {
        let (st, h, _) = pedir(&estado, "GET", &format!("/api/verificacion/{folio}")).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{folio}");
        assert_eq!(h["content-type"], "application/problem+json");
    }
}

#[tokio::test]
async fn a_document_is_resent_at_most_three_times_a_day() {
    let (estado, c, t) = estado();
    let uri = format!("/api/documentos/{}/reenvios", c.folio);
    for _ in 0..3 {
        let (st, _, body) = pedir(&estado, "POST", &uri).await;
        assert_eq!(st, StatusCode::OK);
        let m: api::Mensaje = serde_json::from_slice(&body).unwrap();
        assert_eq!(m.mensaje, "El comprobante ha sido reenviado.");
    }
    let (st, h, body) = pedir(&estado, "POST", &uri).await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(h["content-type"], "application/problem+json");
    let p: api::Problema = serde_json::from_slice(&body).unwrap();
    assert!(p.detail.contains("3 veces"), "{}", p.detail);
    // The other document has its own count.
    let (st, _, _) = pedir(
        &estado,
        "POST",
        &format!("/api/documentos/{}/reenvios", t.folio),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    let (st, _, _) = pedir(
        &estado,
        "POST",
        "/api/documentos/CN-AAAAA-BBBBB-CCCCC/reenvios",
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

fn datos_constancia(derecho: bool) -> afiliate_server::documents::DatosConstancia {
    afiliate_server::documents::DatosConstancia {
        derecho,
        tipo_asegurado: "Estudiante (seguro facultativo, modalidad 32)".into(),
        motivo: (!derecho).then_some(api::MotivoSinDerecho::BajaEscolar),
        escuela: Some(api::EscuelaResumen {
            cct: "09PDM0001Z".into(),
            nombre: "Preparatoria Demostración 1".into(),
            registro_patronal: "Z0000001320".into(),
        }),
        umf: Some(api::UmfResumen {
            clave: "UMF-DEMO-01".into(),
            nombre: "Unidad de Medicina Familiar Demostración 1 (ficticia)".into(),
            domicilio: "Av. Ficticia 100, C.P. 04000".into(),
        }),
        periodo: Some("2026-2027".into()),
        vigente_desde: Some("01/08/2026".into()),
        vigente_hasta: Some(if derecho { "31/07/2027" } else { "30/09/2026" }.into()),
    }
}

/// The constancia de vigencia: every field it shows extracts as text (SÍ or NO, the insurance, the school and its
/// registro patronal, the clinic, the period, the issue date), its cadena original holds them all, the seal
/// breaks when any changes, and the file is PDF/UA-1 and PDF/A-2b like the others.
#[test]
fn the_constancia_shows_the_right_the_school_the_clinic_and_the_period() {
    let docs = Documentos::new(Sellador::aleatorio(), "https://afiliate.example.mx", 3600);
    let emitido = Utc.with_ymd_and_hms(2026, 12, 5, 17, 5, 0).unwrap();
    for derecho in [true, false] {
        let d = Documento::emitir_constancia(
            &persona(),
            datos_constancia(derecho),
            emitido,
            &docs.sellador,
        );
        assert!(d.folio.starts_with("CV-"));
        assert!(afiliate_server::documents::folio_bien_formado(&d.folio));
        let pdf = docs.render(&d);
        std::fs::write(artefactos().join(format!("constancia_{derecho}.pdf")), &pdf).unwrap();
        let texto = pdftotext(&pdf);
        let url = d.url_verificacion(&docs.base_url);
        let mut esperados = vec![
            "Constancia de vigencia de derechos",
            "Instituto Mexicano del Seguro Social",
            "María Peña Núñez",
            "PENM000101MDFXXX09",
            "12345678901",
            "Derecho al servicio médico del IMSS:",
            "Estudiante (seguro facultativo, modalidad 32)",
            "Preparatoria Demostración 1 (CCT 09PDM0001Z)",
            "Z0000001320",
            "UMF-DEMO-01 Unidad de Medicina Familiar Demostración 1 (ficticia)",
            "05/12/2026",
            "11:05 h (hora del centro de México)",
            d.folio.as_str(),
            "Sello digital del documento",
            url.as_str(),
        ];
        if derecho {
            esperados.extend([
                "SÍ tiene derecho",
                "2026-2027: del 01/08/2026 al 31/07/2027",
            ]);
        } else {
            esperados.extend([
                "NO tiene derecho",
                "del 01/08/2026 al 30/09/2026",
                "Tu escuela informó tu baja",
            ]);
        }
        // Paragraphs wrap: compared with blanks collapsed.
        let plano = texto.split_whitespace().collect::<Vec<_>>().join(" ");
        for e in esperados {
            assert!(
                plano.contains(e),
                "{e:?} missing (derecho {derecho}):\n{texto}"
            );
        }
        let cadena = d.cadena_original();
        assert!(
            cadena.contains(if derecho { "|SI|" } else { "|NO|" }),
            "{cadena}"
        );
        // The cadena is wrapped over lines, sometimes inside a field: compared without blanks.
        let sin_blancos: String = texto.split_whitespace().collect();
        for campo in cadena
            .trim_matches('|')
            .split('|')
            .filter(|c| !c.is_empty())
        {
            let campo: String = campo.split_whitespace().collect();
            assert!(
                sin_blancos.contains(&campo),
                "cadena field {campo:?} missing:\n{texto}"
            );
        }
        assert!(d.es_autentico(&docs.sellador));
        let mut otro = d.clone();
        otro.datos.as_mut().unwrap().derecho = !derecho;
        assert!(!otro.es_autentico(&docs.sellador), "SÍ/NO is sealed");
        let mut otro = d.clone();
        otro.datos
            .as_mut()
            .unwrap()
            .escuela
            .as_mut()
            .unwrap()
            .registro_patronal = "Z0000009999".into();
        assert!(
            !otro.es_autentico(&docs.sellador),
            "the registro patronal is sealed"
        );
        let v = d.verificacion(&docs.sellador);
        assert!(v.autentico);
        assert_eq!(v.documento, "Constancia de vigencia de derechos");
        assert!(
            v.certifica.contains(if derecho {
                "el 05/12/2026 la persona titular de la CURP SÍ tenía derecho"
            } else {
                "NO tenía derecho"
            }),
            "{}",
            v.certifica
        );
        let info = poppler("pdfinfo", &[], &pdf);
        assert!(info.contains("612 x 792 pts (letter)"), "{info}");
        assert!(info.lines().any(|l| l == "Tagged:          yes"), "{info}");
        let xmp = poppler("pdfinfo", &["-meta"], &pdf);
        assert!(
            xmp.contains("<pdfaid:part>2</pdfaid:part>")
                && xmp.contains("<pdfuaid:part>1</pdfuaid:part>")
        );
        assert_eq!(
            TipoDocumento::ConstanciaVigencia.nombre_archivo("12345678901"),
            "comprobanteVigenciaDerechos12345678901.pdf"
        );
    }
}
