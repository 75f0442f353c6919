//! Audio CAPTCHA: the same challenge for people who cannot see the image (WCAG 2.2, 1.1.1). The characters are
//! spoken one by one in Spanish: each letter followed by "mayúscula" or "minúscula" (the answer is
//! case-sensitive), each digit after "número"; then "repito" and the sequence again. Each clip is slightly sped up
//! or slowed down and made louder or softer, the gaps vary, and the whole is laid over hiss and a hum, so a clip
//! never repeats byte for byte. Like the image, the sound is seeded by the challenge id (listening again gives the
//! same sound).
//!
//! The clips are `assets/captcha-voz/voz.bin`, made once with espeak-ng by `assets/captcha-voz/generar.py`.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::sync::OnceLock;

static VOZ: &[u8] = include_bytes!("../../assets/captcha-voz/voz.bin");

/// The clips of `voz.bin`, in its order (see `generar.py`).
const CLAVES: [&str; 32] = [
    "a",
    "b",
    "c",
    "d",
    "e",
    "f",
    "g",
    "h",
    "j",
    "k",
    "l",
    "m",
    "n",
    "p",
    "q",
    "r",
    "t",
    "u",
    "v",
    "w",
    "x",
    "y",
    "2",
    "3",
    "4",
    "6",
    "7",
    "9",
    "mayuscula",
    "minuscula",
    "numero",
    "repito",
];

/// Samples a second (8 kHz, unsigned 8-bit mono, as in `voz.bin`).
pub const TASA: u32 = 8000;

/// Each clip of `voz.bin` by its key (an empty clip for a key the file lacks: checked by a test).
fn clip(clave: &str) -> &'static [u8] {
    static CLIPS: OnceLock<Vec<&'static [u8]>> = OnceLock::new();
    let clips = CLIPS.get_or_init(|| {
        let mut resto = VOZ;
        let mut clips = Vec::with_capacity(CLAVES.len());
        while let Some((largo, datos)) = resto.split_first_chunk::<4>() {
            let largo = u32::from_le_bytes(*largo) as usize;
            let Some((clip, siguiente)) = datos.split_at_checked(largo) else {
                break;
            };
            clips.push(clip);
            resto = siguiente;
        }
        clips
    });
    CLAVES
        .iter()
        .position(|c| *c == clave)
        .and_then(|i| clips.get(i).copied())
        .unwrap_or(&[])
}

/// What is said, in order: each clip with the range of the pause after it, in seconds. A pause between two
/// characters is longer than any pause within one, so a listener hears where each character ends.
fn guion(respuesta: &str) -> Vec<(&'static str, f32, f32)> {
    let mut pasos = Vec::new();
    for vuelta in 0..2 {
        if vuelta == 1 {
            pasos.push(("repito", 0.8, 1.2));
        }
        for c in respuesta.chars() {
            let minuscula = c.to_ascii_lowercase().to_string();
            let Some(clave) = CLAVES.iter().find(|k| **k == minuscula) else {
                continue;
            };
            if c.is_ascii_digit() {
                pasos.push(("numero", 0.05, 0.12));
                pasos.push((clave, 0.8, 1.2));
            } else {
                pasos.push((clave, 0.08, 0.15));
                let caso = if c.is_ascii_uppercase() {
                    "mayuscula"
                } else {
                    "minuscula"
                };
                pasos.push((caso, 0.8, 1.2));
            }
        }
    }
    pasos
}

/// The spoken challenge as a WAV file (8 kHz, 8-bit mono: 8 KB a second, about 15 s).
pub fn render_wav(id: &str, respuesta: &str) -> Vec<u8> {
    let mut rng = StdRng::seed_from_u64(super::seed_de(id) ^ 0x5eed_a0d1);
    let mut voz: Vec<f32> = Vec::new();
    let silencio = |voz: &mut Vec<f32>, rng: &mut StdRng, min: f32, max: f32| {
        let n = (rng.gen_range(min..max) * TASA as f32) as usize;
        voz.extend(std::iter::repeat_n(0.0, n));
    };
    silencio(&mut voz, &mut rng, 0.4, 0.7);
    for (clave, min, max) in guion(respuesta) {
        // Each clip a little faster or slower, louder or softer (linear interpolation between samples).
        let muestras = clip(clave);
        let (velocidad, volumen) = (rng.gen_range(0.92f32..1.08), rng.gen_range(0.65f32..1.0));
        let n = (muestras.len() as f32 / velocidad) as usize;
        voz.extend((0..n).map(|i| {
            let x = i as f32 * velocidad;
            let (j, t) = (x as usize, x.fract());
            let a = muestras
                .get(j)
                .map_or(0.0, |m| (f32::from(*m) - 128.0) / 128.0);
            let b = muestras
                .get(j + 1)
                .map_or(a, |m| (f32::from(*m) - 128.0) / 128.0);
            (a + (b - a) * t) * volumen
        }));
        silencio(&mut voz, &mut rng, min, max);
    }
    // Hiss and a hum of random pitch under the voice.
    let (siseo, zumbido, tono) = (
        rng.gen_range(0.03f32..0.06),
        rng.gen_range(0.02f32..0.05),
        rng.gen_range(90.0f32..260.0),
    );
    let paso = std::f32::consts::TAU * tono / TASA as f32;
    let muestras: Vec<u8> = voz
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let ruido = rng.gen_range(-siseo..siseo) + zumbido * (paso * i as f32).sin();
            ((v + ruido).clamp(-1.0, 1.0) * 127.0 + 128.0) as u8
        })
        .collect();
    wav_u8(&muestras)
}

/// A RIFF/WAVE file of unsigned 8-bit mono PCM at [`TASA`].
fn wav_u8(muestras: &[u8]) -> Vec<u8> {
    let n = muestras.len() as u32;
    let mut out = Vec::with_capacity(44 + muestras.len());
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + n).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes()); // fmt chunk size
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&TASA.to_le_bytes());
    out.extend_from_slice(&TASA.to_le_bytes()); // bytes a second
    out.extend_from_slice(&1u16.to_le_bytes()); // bytes a frame
    out.extend_from_slice(&8u16.to_le_bytes()); // bits a sample
    out.extend_from_slice(b"data");
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(muestras);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_character_of_the_alphabet_has_its_clip() {
        for c in super::super::ALFABETO {
            let clave = (*c as char).to_ascii_lowercase().to_string();
            assert!(clip(&clave).len() > TASA as usize / 10, "clip for {clave}");
        }
        for clave in ["mayuscula", "minuscula", "numero", "repito"] {
            assert!(clip(clave).len() > TASA as usize / 4, "{clave}");
        }
    }

    #[test]
    fn each_character_is_said_with_its_case_twice() {
        let dicho: Vec<&str> = guion("Ab7").iter().map(|p| p.0).collect();
        let una_vez = ["a", "mayuscula", "b", "minuscula", "numero", "7"];
        let esperado: Vec<&str> = una_vez
            .iter()
            .chain(&["repito"])
            .chain(&una_vez)
            .copied()
            .collect();
        assert_eq!(dicho, esperado);
    }

    /// The sound itself: as many separate utterances (voiced stretches apart by more than 0.75 s of noise only)
    /// as the script has characters, plus "repito".
    #[test]
    fn the_wav_holds_one_utterance_per_character() {
        for (id, respuesta) in [
            ("id-de-prueba", "Ab7Kq"),
            ("otro", "xW49dR"),
            ("tercero", "MNnm2"),
            ("cuarto", "Yt6Ahe"),
        ] {
            una_expresion_por_caracter(id, respuesta);
        }
    }

    fn una_expresion_por_caracter(id: &str, respuesta: &str) {
        let wav = render_wav(id, respuesta);
        assert_eq!(&wav[..4], b"RIFF");
        assert_eq!(&wav[8..16], b"WAVEfmt ");
        assert_eq!(u32::from_le_bytes(wav[24..28].try_into().unwrap()), TASA);
        let datos = u32::from_le_bytes(wav[40..44].try_into().unwrap()) as usize;
        assert_eq!(datos, wav.len() - 44);
        // 20 ms windows; voiced when louder than the noise (hiss and hum together stay under 0.05 RMS).
        let ventana = TASA as usize / 50;
        let sonoras: Vec<bool> = wav[44..]
            .chunks(ventana)
            .map(|v| {
                let rms = (v
                    .iter()
                    .map(|m| (f32::from(*m) - 128.0).powi(2))
                    .sum::<f32>()
                    / v.len() as f32)
                    .sqrt();
                rms > 0.07 * 128.0
            })
            .collect();
        let (mut enunciados, mut callado, mut hablando) = (0, usize::MAX, false);
        for s in sonoras {
            if s {
                if !hablando && callado > TASA as usize * 75 / 100 / ventana {
                    enunciados += 1;
                }
                hablando = true;
                callado = 0;
            } else {
                hablando = false;
                callado = callado.saturating_add(1);
            }
        }
        assert_eq!(enunciados, 2 * respuesta.len() + 1, "{id} {respuesta}");
    }

    #[test]
    fn same_id_same_sound_other_id_other_sound() {
        assert_eq!(render_wav("uno", "Ab7Kq"), render_wav("uno", "Ab7Kq"));
        assert_ne!(render_wav("uno", "Ab7Kq"), render_wav("dos", "Ab7Kq"));
    }
}
