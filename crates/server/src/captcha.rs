//! Image CAPTCHA: random text from an alphabet without look-alike glyphs, drawn with Montserrat Bold, each glyph
//! rotated and shifted, the whole image warped by two sine waves, crossed by noise curves and speckled.
//!
//! The drawing is seeded by the challenge id, so reloading the image shows the same picture (averaging many
//! renderings of one answer would otherwise help OCR).

pub mod audio;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::sync::OnceLock;

static FONT_BYTES: &[u8] = include_bytes!("../assets/fonts/Montserrat_700Bold.ttf");

/// No 0/O/o, 1/l/I/i/j, and no lower-case letter whose capital has the same shape (c, k, o, p, s, u, v, w, x, z),
/// nor 5/S, 8/B, 2/Z, 9/g pairs: case-sensitive yet never ambiguous.
pub const ALFABETO: &[u8] = b"ACDEFGHJKLMNPQRTUVWXYabdefhmnqrt234679";

/// How long a challenge stays valid.
pub const VIGENCIA_SEG: i64 = 10 * 60;

pub const ANCHO: u32 = 220;
pub const ALTO: u32 = 80;

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
    let mut rng = StdRng::seed_from_u64(seed_de(id));
    // Ink coverage of the text, 0..1.
    let mut tinta = vec![0f32; w * h];
    let font = font();
    let n = texto.chars().count().max(1) as f32;
    let paso = (w as f32 - 24.0) / n;
    let mut x0 = 12.0 + rng.gen_range(-3.0..3.0);
    for c in texto.chars() {
        let size = rng.gen_range(38.0..46.0);
        let scale = PxScale::from(size);
        let scaled = font.as_scaled(scale);
        let id_glifo = font.glyph_id(c);
        let glifo = id_glifo.with_scale_and_position(scale, ab_glyph::point(0.0, scaled.ascent()));
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
            let centro_y = h as f32 / 2.0 + rng.gen_range(-7.0..7.0);
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
        x0 += paso + rng.gen_range(-2.0..2.0);
        let _ = scaled.h_advance(id_glifo);
    }

    // Warp: two sine waves displace the picture horizontally and vertically.
    let (ax, px_, fx) = (
        rng.gen_range(2.0..4.0f32),
        rng.gen_range(14.0..22.0f32),
        rng.gen_range(0.0..std::f32::consts::TAU),
    );
    let (ay, py_, fy) = (
        rng.gen_range(3.0..5.0f32),
        rng.gen_range(30.0..50.0f32),
        rng.gen_range(0.0..std::f32::consts::TAU),
    );
    let mut deformada = vec![0f32; w * h];
    for y in 0..h {
        for x in 0..w {
            let sx = x as f32 + ax * (y as f32 / px_ + fx).sin();
            let sy = y as f32 + ay * (x as f32 / py_ + fy).sin();
            deformada[y * w + x] = muestra(&tinta, w, h, sx, sy);
        }
    }

    // Noise curves through the text, in the text's colour.
    for _ in 0..4 {
        let y_a = rng.gen_range(10.0..(h as f32 - 10.0));
        let y_b = rng.gen_range(10.0..(h as f32 - 10.0));
        let amp = rng.gen_range(4.0..12.0f32);
        let per = rng.gen_range(25.0..60.0f32);
        let fase = rng.gen_range(0.0..std::f32::consts::TAU);
        let grosor = rng.gen_range(1.0..2.2f32);
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

    // Colours: dark guinda ink on a warm light background with speckles.
    let fondo = [246f32, 242.0, 235.0];
    let tinta_color = [97f32, 18.0, 50.0];
    let mut rgb = Vec::with_capacity(w * h * 3);
    for (i, v) in deformada.iter().enumerate() {
        let ruido: f32 = rng.gen_range(-14.0..14.0);
        let punto = if rng.gen_ratio(1, 40) { 0.45 } else { 0.0 };
        let v = (v + punto).min(1.0);
        let _ = i;
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
        for c in b"0O1lIio" {
            assert!(!ALFABETO.contains(c), "{}", *c as char);
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
