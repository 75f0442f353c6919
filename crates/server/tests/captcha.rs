//! The CAPTCHA against programs and floods. Debian's `tesseract-ocr` (installed by `cargo xtask setup`) reads 300
//! fresh challenges, each as served and binarised (the grain removed by a threshold, as an attacker would), told
//! the alphabet and that the picture is one line of text: at most 5 % may be read right, case included. A
//! challenge's image and sound are rendered once, and they count towards the per-IP limit.

mod common;

use afiliate_server::captcha::{self, ALFABETO};
use axum::http::StatusCode;
use common::*;
use std::path::Path;
use std::process::Command;

const RETOS: usize = 300;

/// Ink pixels black, everything lighter white, as a PGM file (tesseract reads it through leptonica).
fn binarizada(png_bytes: &[u8], destino: &Path) {
    let mut lector = png::Decoder::new(std::io::Cursor::new(png_bytes))
        .read_info()
        .expect("png");
    let mut buf = vec![0; lector.output_buffer_size().expect("size")];
    let info = lector.next_frame(&mut buf).expect("frame");
    let mut pgm = format!("P5\n{} {}\n255\n", info.width, info.height).into_bytes();
    pgm.extend(buf[..info.buffer_size()].chunks(3).map(|p| {
        if u16::from(p[0]) + u16::from(p[1]) < 330 {
            0
        } else {
            255
        }
    }));
    std::fs::write(destino, pgm).expect("write pgm");
}

fn tesseract(entrada: &Path, salida: &str) -> std::process::Output {
    let whitelist = format!(
        "tessedit_char_whitelist={}",
        std::str::from_utf8(ALFABETO).expect("ascii")
    );
    Command::new("tesseract")
        .arg(entrada)
        .arg(salida)
        .args(["--psm", "7", "-l", "eng", "-c", &whitelist])
        .env("OMP_THREAD_LIMIT", "1")
        .output()
        .unwrap_or_else(|e| panic!("tesseract-ocr is needed (cargo xtask setup installs it): {e}"))
}

/// Without spaces or line breaks.
fn junto(texto: &str) -> String {
    texto.chars().filter(|c| !c.is_whitespace()).collect()
}

/// What tesseract reads in each file of `imagenes`, in order: one run per 30 files (its model loads once per
/// run). Tesseract 5.3 sometimes dies of SIGFPE on a noisy picture; then that run's files are read one by one,
/// and a file it dies on counts as not read (printed).
fn leer(dir: &Path, nombre: &str, imagenes: &[std::path::PathBuf]) -> Vec<String> {
    imagenes
        .chunks(30)
        .enumerate()
        .flat_map(|(i, parte)| leer_juntas(dir, &format!("{nombre}{i}"), parte))
        .collect()
}

fn leer_juntas(dir: &Path, nombre: &str, imagenes: &[std::path::PathBuf]) -> Vec<String> {
    let lista = dir.join(format!("{nombre}.lista"));
    let rutas: Vec<String> = imagenes.iter().map(|p| p.display().to_string()).collect();
    std::fs::write(&lista, rutas.join("\n") + "\n").expect("list");
    let salida = dir.join(nombre);
    let estado = tesseract(&lista, &salida.display().to_string());
    if estado.status.success() {
        let texto =
            std::fs::read_to_string(salida.with_extension("txt")).expect("tesseract output");
        let paginas: Vec<String> = texto.split('\u{c}').map(junto).collect();
        assert!(
            paginas.len() >= imagenes.len(),
            "tesseract gave {} pages for {} images",
            paginas.len(),
            imagenes.len()
        );
        return paginas[..imagenes.len()].to_vec();
    }
    let mut caidas = 0;
    let leidas = imagenes
        .iter()
        .map(|img| {
            let una = tesseract(img, "stdout");
            if una.status.success() {
                junto(&String::from_utf8_lossy(&una.stdout))
            } else {
                caidas += 1;
                String::new()
            }
        })
        .collect();
    println!("{nombre}: tesseract died ({:?}) on the batch, then on {caidas} of {} files read one by one", estado.status, imagenes.len());
    leidas
}

#[test]
fn tesseract_reads_at_most_5_percent_of_the_challenges() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut respuestas = Vec::with_capacity(RETOS);
    let (mut tal_cual, mut umbral) = (Vec::new(), Vec::new());
    for i in 0..RETOS {
        let (id, respuesta) = (captcha::nuevo_id(), captcha::nueva_respuesta());
        let png = captcha::render_png(&id, &respuesta);
        let ruta = dir.path().join(format!("{i:03}.png"));
        std::fs::write(&ruta, &png).expect("write png");
        tal_cual.push(ruta);
        let ruta = dir.path().join(format!("{i:03}.pgm"));
        binarizada(&png, &ruta);
        umbral.push(ruta);
        respuestas.push(respuesta);
    }
    let leidas_tal_cual = leer(dir.path(), "tal_cual", &tal_cual);
    let leidas_umbral = leer(dir.path(), "umbral", &umbral);
    let (mut a, mut b, mut alguna, mut caracteres) = (0, 0, 0, 0);
    for ((r, x), y) in respuestas.iter().zip(&leidas_tal_cual).zip(&leidas_umbral) {
        a += usize::from(r == x);
        b += usize::from(r == y);
        alguna += usize::from(r == x || r == y);
        // Characters right in place, to see how close it comes.
        caracteres += r.chars().zip(x.chars()).filter(|(p, q)| p == q).count();
    }
    let total: usize = respuestas.iter().map(|r| r.len()).sum();
    let tasa = alguna as f64 * 100.0 / RETOS as f64;
    println!(
        "tesseract read {alguna} of {RETOS} challenges right ({tasa:.1} %): {a} as served, {b} binarised; \
         {:.1} % of the characters in place (as served)",
        caracteres as f64 * 100.0 / total as f64
    );
    assert!(
        alguna * 100 <= RETOS * 5,
        "OCR reads {tasa:.1} % of the challenges"
    );
}

/// The control: the same answers in the same font, drawn plainly (black on white, no rotation, warp or noise),
/// are read by the same tesseract call, so the figure above measures the CAPTCHA and not a broken OCR setup.
#[test]
fn tesseract_reads_the_same_text_drawn_plainly() {
    use ab_glyph::{Font as _, FontRef, PxScale, ScaleFont as _};
    let fuente =
        FontRef::try_from_slice(include_bytes!("../assets/fonts/Montserrat_700Bold.ttf")).unwrap();
    let (w, h) = (captcha::ANCHO as usize, captcha::ALTO as usize);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut respuestas = Vec::new();
    let mut rutas = Vec::new();
    for i in 0..30 {
        let respuesta = captcha::nueva_respuesta();
        let escala = PxScale::from(64.0);
        let mut gris = vec![255u8; w * h];
        let mut x = 24.0;
        for c in respuesta.chars() {
            let id = fuente.glyph_id(c);
            let glifo = id.with_scale_and_position(escala, ab_glyph::point(x, 110.0));
            if let Some(o) = fuente.outline_glyph(glifo) {
                let b = o.px_bounds();
                o.draw(|gx, gy, cobertura| {
                    let (px, py) = (b.min.x as i64 + gx as i64, b.min.y as i64 + gy as i64);
                    if (0..w as i64).contains(&px) && (0..h as i64).contains(&py) {
                        let p = &mut gris[py as usize * w + px as usize];
                        *p = (*p).min((255.0 * (1.0 - cobertura)) as u8);
                    }
                });
            }
            x += fuente.as_scaled(escala).h_advance(id) + 6.0;
        }
        let mut pgm = format!("P5\n{w} {h}\n255\n").into_bytes();
        pgm.extend(gris);
        let ruta = dir.path().join(format!("{i:03}.pgm"));
        std::fs::write(&ruta, pgm).unwrap();
        rutas.push(ruta);
        respuestas.push(respuesta);
    }
    let leidas = leer(dir.path(), "limpias", &rutas);
    let bien = respuestas
        .iter()
        .zip(&leidas)
        .filter(|(r, l)| r == l)
        .count();
    println!("tesseract read {bien} of 30 plain drawings right");
    assert!(bien >= 20, "{bien} of 30: {leidas:?} for {respuestas:?}");
}

/// A challenge's image and sound are rendered once: ten requests at once and one more later get the same bytes
/// from one render each.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_challenge_is_rendered_once() {
    let e = entorno(Backend::Sqlite).await;
    let id = captcha(&e.state).await;
    let mut cuerpos = Vec::new();
    for tipo in ["imagen", "audio"] {
        let tareas: Vec<_> = (0..10)
            .map(|_| {
                let (app, uri) = (
                    afiliate_server::app(e.state.clone()),
                    format!("/api/captcha/{id}/{tipo}"),
                );
                tokio::spawn(async move {
                    use http_body_util::BodyExt as _;
                    use tower::ServiceExt as _;
                    let res = app.oneshot(get(&uri)).await.unwrap();
                    assert_eq!(res.status(), StatusCode::OK);
                    res.into_body().collect().await.unwrap().to_bytes()
                })
            })
            .collect();
        let mut primero = None;
        for t in tareas {
            let b = t.await.unwrap();
            assert_eq!(primero.get_or_insert_with(|| b.clone()), &b);
        }
        cuerpos.push(primero.unwrap());
    }
    let (s, _, h) = llamar(&e.state, get(&format!("/api/captcha/{id}/imagen"))).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h["cache-control"], "no-store");
    assert_eq!(e.state.dibujos().guardados(), 2);
    assert_eq!(
        e.state.dibujos().dibujados(),
        2,
        "one render each for 21 answers"
    );
}

/// The CAPTCHA's image and sound count towards the per-IP limit like the API's POSTs: at 1 a second (bursts of
/// 2), three requests for a challenge's image sent at once: two pass, the third answers 429.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn captcha_renders_count_towards_the_per_ip_limit() {
    use http_body_util::{BodyExt as _, Empty};
    use hyper::body::Bytes;
    use hyper_util::client::legacy::Client;
    use hyper_util::rt::TokioExecutor;
    let e = entorno_con(Backend::Sqlite, |c| c.limite_ip_seg = 1).await;
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let app = afiliate_server::app(e.state.clone());
    tokio::spawn(async move {
        axum::serve(
            l,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });
    let c: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let pedir = |metodo: &str, ruta: String| {
        hyper::Request::builder()
            .method(metodo)
            .uri(format!("http://{addr}{ruta}"))
            .body(Empty::<Bytes>::new())
            .unwrap()
    };
    let res = c
        .request(pedir("POST", "/api/captcha".into()))
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let v: serde_json::Value =
        serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap();
    let imagen = v["imagen_url"].as_str().unwrap().to_string();
    // The burst full again, then three at once: however slow a render on a loaded machine, they all arrive
    // within the same second.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let (a, b, d) = tokio::join!(
        c.request(pedir("GET", imagen.clone())),
        c.request(pedir("GET", imagen.clone())),
        c.request(pedir("GET", imagen))
    );
    let mut estados: Vec<u16> = [&a, &b, &d]
        .iter()
        .map(|r| r.as_ref().unwrap().status().as_u16())
        .collect();
    estados.sort();
    assert_eq!(estados, [200, 200, 429]);
    let limitada = [a, b, d]
        .into_iter()
        .map(Result::unwrap)
        .find(|r| r.status() == 429)
        .unwrap();
    assert!(limitada.headers().contains_key("retry-after"));
    // Other GETs are not limited.
    let res = c.request(pedir("GET", "/healthz".into())).await.unwrap();
    assert_eq!(res.status(), 200);
}
