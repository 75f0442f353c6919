#!/usr/bin/env python3
"""Builds voz.bin, the spoken clips of the audio CAPTCHA (crates/server/src/captcha/audio.rs reads it).

Run once by a developer, output committed: `apt-get install espeak-ng` then `python3 generar.py`.
Each clip: espeak-ng's Latin American Spanish voice, resampled to 8 kHz unsigned 8-bit mono.
voz.bin is, for each clip in the order of CLIPS: its length (u32, little-endian) then its samples.
"""
import audioop
import io
import struct
import subprocess
import wave

# (key, words). Keys: one per character of the CAPTCHA alphabet (case folded) plus the words around them.
# The order is the file's order: keep it in step with CLIPS in audio.rs.
CLIPS = [
    ("a", "a"), ("b", "be"), ("c", "ce"), ("d", "de"), ("e", "e"), ("f", "efe"), ("g", "ge"),
    ("h", "hache"), ("j", "jota"), ("k", "ka"), ("l", "ele"), ("m", "eme"), ("n", "ene"), ("p", "pe"),
    ("q", "cu"), ("r", "erre"), ("t", "te"), ("u", "u"), ("v", "ve"), ("w", "doble u"), ("x", "equis"),
    ("y", "ye"), ("2", "dos"), ("3", "tres"), ("4", "cuatro"), ("6", "seis"), ("7", "siete"), ("9", "nueve"),
    ("mayuscula", "mayúscula"), ("minuscula", "minúscula"), ("numero", "número"), ("repito", "repito"),
]


def clip(palabras: str) -> bytes:
    wav = subprocess.run(
        ["espeak-ng", "-v", "es-419", "-s", "125", "-w", "/dev/stdout", palabras],
        check=True, capture_output=True,
    ).stdout
    with wave.open(io.BytesIO(wav)) as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2
        frames, rate = w.readframes(w.getnframes()), w.getframerate()
    frames, _ = audioop.ratecv(frames, 2, 1, rate, 8000, None)
    # Trim the silence espeak leaves around the words.
    paso = 2 * 80  # 10 ms
    trozos = [frames[i:i + paso] for i in range(0, len(frames), paso)]
    sonoros = [i for i, t in enumerate(trozos) if audioop.rms(t, 2) > 300]
    frames = b"".join(trozos[sonoros[0]:sonoros[-1] + 1])
    return audioop.bias(audioop.lin2lin(frames, 2, 1), 1, 128)


with open("voz.bin", "wb") as out:
    for clave, palabras in CLIPS:
        datos = clip(palabras)
        out.write(struct.pack("<I", len(datos)))
        out.write(datos)
        print(f"{clave:10} {len(datos) / 8000:.2f} s")
