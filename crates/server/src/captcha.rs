//! Image CAPTCHA: random text from an alphabet without look-alike glyphs, drawn with Montserrat Bold, each glyph
//! rotated and shifted, the whole image warped by two sine waves, crossed by noise curves and speckled.
//!
//! The picture is [`ANCHO`]×[`ALTO`] pixels, twice the size the app shows it ([`ANCHO_MOSTRADO`]×
//! [`ALTO_MOSTRADO`] CSS pixels), so it stays sharp on high-density phone screens; every length in the drawing is
//! given at the shown size and multiplied by [`ESCALA`].
//!
//! The drawing is seeded by the challenge id, so reloading the image shows the same picture (averaging many
//! renderings of one answer would otherwise help OCR).

pub mod audio;
pub mod dibujos;

use ab_glyph::{Font, FontRef, PxScale};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::sync::OnceLock;

static FONT_BYTES: &[u8] = include_bytes!("../assets/fonts/Montserrat_700Bold.ttf");

/// Case-sensitive yet never ambiguous for a person reading a warped picture on a phone. Left out
/// ([`PARECIDOS`]): 0/O/o, 1/l/I/i/j, 5/S/s, 2/Z/z (2 kept), 8/B, 6 (beside G and b), 9/q/g (9 kept), f (beside t),
/// r (`rn` reads as `m`), u/v/V (beside U and Y), and the small form of every letter whose capital has the same
/// shape (c, k, p, s, w, x, y, z: the capital is kept).
///
/// 33 symbols, 5 or 6 of them: about 39 million answers of 5 characters, 1,300 million of 6.
pub const ALFABETO: &[u8] = b"ACDEFGHJKLMNPQRTUWXYabdehmnt23479";

/// Glyphs left out of [`ALFABETO`] because a person mistakes them for another one (see there).
pub const PARECIDOS: &[u8] = b"0Oo1lIij5SsZz8B6gqfruvVckpswxyz";

/// How long a challenge stays valid.
pub const VIGENCIA_SEG: i64 = 10 * 60;

/// The size the app shows the image at, in CSS pixels (`<img width=220 height=80>`).
pub const ANCHO_MOSTRADO: u32 = 220;
pub const ALTO_MOSTRADO: u32 = 80;
/// Image pixels per CSS pixel.
pub const ESCALA: u32 = 2;
/// The PNG's size in pixels.
pub const ANCHO: u32 = ANCHO_MOSTRADO * ESCALA;
pub const ALTO: u32 = ALTO_MOSTRADO * ESCALA;

fn font() -> &'static FontRef<'static> {
    static FONT: OnceLock<FontRef<'static>> = OnceLock::new();
    FONT.get_or_init(|| {
        FontRef::try_from_slice(FONT_BYTES).expect("embedded Montserrat font is valid")
    })
}

/// A new random answer of 5 or 6 characters.
pub fn nueva_respuesta() -> String {
    let mut rng = rand::thread_rng();
    let n = rng.gen_range(5..=6);
    (0..n)
        .map(|_| ALFABETO[rng.gen_range(0..ALFABETO.len())] as char)
        .collect()
}

/// A new unguessable challenge id (128 random bits, hex).
pub fn nuevo_id() -> String {
    let bytes: [u8; 16] = rand::thread_rng().gen();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares a typed answer: case-sensitive, surrounding spaces ignored.
pub fn coincide(respuesta: &str, escrita: &str) -> bool {
    let a = respuesta.as_bytes();
    let b = escrita.trim().as_bytes();
    // Constant time in the length of the answer.
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn seed_de(id: &str) -> u64 {
    // FNV-1a: only to make the picture stable per id; the randomness of the answer comes from the OS.
    id.bytes().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    })
}

/// The PNG of `texto` for the challenge `id`.
pub fn render_png(id: &str, texto: &str) -> Vec<u8> {
    let (w, h) = (ANCHO as usize, ALTO as usize);
    // Lengths below are in shown (CSS) pixels, times `e`.
    let e = ESCALA as f32;
    let mut rng = StdRng::seed_from_u64(seed_de(id));
    // Ink coverage of the text, 0..1.
    let mut tinta = vec![0f32; w * h];
    let font = font();
    let n = texto.chars().count().max(1) as f32;
    let paso = (w as f32 - 24.0 * e) / n;
    let mut x0 = 12.0 * e + rng.gen_range(-3.0..3.0) * e;
    for c in texto.chars() {
        let scale = PxScale::from(rng.gen_range(38.0..46.0) * e);
        let glifo = font
            .glyph_id(c)
            .with_scale_and_position(scale, ab_glyph::point(0.0, 0.0));
        if let Some(outline) = font.outline_glyph(glifo) {
            let b = outline.px_bounds();
            let gw = b.width().ceil() as usize + 1;
            let gh = b.height().ceil() as usize + 1;
            let mut cob = vec![0f32; gw * gh];
            outline.draw(|x, y, c| {
                let i = y as usize * gw + x as usize;
                if i < cob.len() {
                    cob[i] = c;
                }
            });
            let ang: f32 = rng.gen_range(-0.45..0.45);
            let (s, co) = ang.sin_cos();
            let cx = gw as f32 / 2.0;
            let cy = gh as f32 / 2.0;
            let centro_x = x0 + paso / 2.0;
            let centro_y = h as f32 / 2.0 + rng.gen_range(-7.0..7.0) * e;
            let r = ((gw * gw + gh * gh) as f32).sqrt() / 2.0 + 1.0;
            let (xmin, xmax) = (
                (centro_x - r).max(0.0) as usize,
                ((centro_x + r) as usize).min(w - 1),
            );
            let (ymin, ymax) = (
                (centro_y - r).max(0.0) as usize,
                ((centro_y + r) as usize).min(h - 1),
            );
            for py in ymin..=ymax {
                for px in xmin..=xmax {
                    // Inverse rotation: where in the glyph bitmap this pixel comes from.
                    let dx = px as f32 - centro_x;
                    let dy = py as f32 - centro_y;
                    let gx = co * dx + s * dy + cx;
                    let gy = -s * dx + co * dy + cy;
                    let v = muestra(&cob, gw, gh, gx, gy);
                    if v > 0.0 {
                        let t = &mut tinta[py * w + px];
                        *t = (*t + v).min(1.0);
                    }
                }
            }
        }
        x0 += paso + rng.gen_range(-2.0..2.0) * e;
    }

    // Warp: two sine waves displace the picture horizontally and vertically.
    let (ax, px_, fx) = (
        rng.gen_range(2.0..4.0f32) * e,
        rng.gen_range(14.0..22.0f32) * e,
        rng.gen_range(0.0..std::f32::consts::TAU),
    );
    let (ay, py_, fy) = (
        rng.gen_range(3.0..5.0f32) * e,
        rng.gen_range(30.0..50.0f32) * e,
        rng.gen_range(0.0..std::f32::consts::TAU),
    );
    let mut deformada = vec![0f32; w * h];
    for y in 0..h {
        let dx = ax * (y as f32 / px_ + fx).sin();
        for x in 0..w {
            let sx = x as f32 + dx;
            let sy = y as f32 + ay * (x as f32 / py_ + fy).sin();
            deformada[y * w + x] = muestra(&tinta, w, h, sx, sy);
        }
    }

    // Noise curves through the text, in the text's colour.
    for _ in 0..4 {
        let y_a = rng.gen_range(10.0 * e..(h as f32 - 10.0 * e));
        let y_b = rng.gen_range(10.0 * e..(h as f32 - 10.0 * e));
        let amp = rng.gen_range(4.0..12.0f32) * e;
        let per = rng.gen_range(25.0..60.0f32) * e;
        let fase = rng.gen_range(0.0..std::f32::consts::TAU);
        let grosor = rng.gen_range(1.0..2.2f32) * e;
        for x in 0..w {
            let t = x as f32 / w as f32;
            let yc = y_a + (y_b - y_a) * t + amp * (x as f32 / per + fase).sin();
            let y_lo = (yc - grosor).floor().max(0.0) as usize;
            let y_hi = ((yc + grosor).ceil() as usize).min(h - 1);
            for y in y_lo..=y_hi {
                let d = (y as f32 - yc).abs();
                let v = (grosor - d).clamp(0.0, 1.0);
                let p = &mut deformada[y * w + x];
                *p = (*p + v * 0.85).min(1.0);
            }
        }
    }

    // Grain and speckles (one in 40) the size of one shown pixel (ESCALA × ESCALA image pixels): as the eye sees
    // them at 220×80, and a quarter of the entropy for the PNG's compression.
    let (wm, hm) = (ANCHO_MOSTRADO as usize, ALTO_MOSTRADO as usize);
    let granos: Vec<(f32, bool)> = (0..wm * hm)
        .map(|_| (rng.gen_range(-14.0..14.0f32), rng.gen_ratio(1, 40)))
        .collect();
    let k = ESCALA as usize;

    // Colours: dark guinda ink on a warm light background with grain.
    let fondo = [246f32, 242.0, 235.0];
    let tinta_color = [97f32, 18.0, 50.0];
    let mut rgb = Vec::with_capacity(w * h * 3);
    for (i, v) in deformada.iter().enumerate() {
        let (ruido, punto) = granos[(i / w / k) * wm + (i % w) / k];
        let punto = if punto { 0.45 } else { 0.0 };
        let v = (v + punto).min(1.0);
        for k in 0..3 {
            let c = fondo[k] * (1.0 - v) + tinta_color[k] * v + ruido * (1.0 - v);
            rgb.push(c.clamp(0.0, 255.0) as u8);
        }
    }
    encode_png(ANCHO, ALTO, &rgb)
}

/// Bilinear sample of a coverage map; outside is 0.
fn muestra(buf: &[f32], w: usize, h: usize, x: f32, y: f32) -> f32 {
    if x < 0.0 || y < 0.0 || x >= (w - 1) as f32 || y >= (h - 1) as f32 {
        return 0.0;
    }
    let (x0, y0) = (x.floor() as usize, y.floor() as usize);
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let a = buf[y0 * w + x0];
    let b = buf[y0 * w + x0 + 1];
    let c = buf[(y0 + 1) * w + x0];
    let d = buf[(y0 + 1) * w + x0 + 1];
    a * (1.0 - fx) * (1.0 - fy) + b * fx * (1.0 - fy) + c * (1.0 - fx) * fy + d * fx * fy
}

fn encode_png(w: u32, h: u32, rgb: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 * 1024);
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        // Rendered once per challenge (see `dibujos`), sent to phones on slow networks: the smaller file wins.
        enc.set_compression(png::Compression::High);
        // Writing into a Vec cannot fail for a well-sized buffer.
        if let Ok(mut writer) = enc.write_header() {
            let _ = writer.write_image_data(rgb);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_use_the_unambiguous_alphabet() {
        for _ in 0..200 {
            let r = nueva_respuesta();
            assert!((5..=6).contains(&r.len()));
            assert!(r.bytes().all(|b| ALFABETO.contains(&b)));
        }
        for c in PARECIDOS {
            assert!(!ALFABETO.contains(c), "{}", *c as char);
        }
        // Every letter and digit is either in the alphabet or left out on purpose.
        for c in (b'0'..=b'9').chain(b'A'..=b'Z').chain(b'a'..=b'z') {
            assert!(
                ALFABETO.contains(&c) != PARECIDOS.contains(&c),
                "{}",
                c as char
            );
        }
    }

    #[test]
    fn comparison_is_case_sensitive_and_trims() {
        assert!(coincide("aB3dE", " aB3dE "));
        assert!(!coincide("aB3dE", "ab3de"));
        assert!(!coincide("aB3dE", "aB3d"));
    }

    #[test]
    fn renders_a_png_with_ink_and_stable_per_id() {
        let a = render_png("abc", "aB3dEf");
        let b = render_png("abc", "aB3dEf");
        let c = render_png("xyz", "aB3dEf");
        assert_eq!(&a[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(a, b);
        assert_ne!(a, c);
        let dec = png::Decoder::new(std::io::Cursor::new(a));
        let mut reader = dec.read_info().expect("valid png");
        let mut buf = vec![0; reader.output_buffer_size().expect("size")];
        let info = reader.next_frame(&mut buf).expect("frame");
        assert_eq!((info.width, info.height), (ANCHO, ALTO));
        let dark = buf.chunks(3).filter(|p| p[0] < 150 && p[1] < 100).count();
        // Text plus noise covers a real share of the picture, but not all of it.
        assert!(
            dark > 600 && dark < (ANCHO * ALTO / 2) as usize,
            "dark pixels: {dark}"
        );
    }
}
