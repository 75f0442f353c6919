//! CAPTCHA rendering benchmark: time and size of one image and one audio challenge (fresh ids each time), and of
//! answering the same challenge again from the cache.
//!
//! `cargo run --profile server -p afiliate-server --example bench_captcha [N]`

use afiliate_server::captcha::{self, audio, dibujos};
use std::time::{Duration, Instant};

fn resumen(nombre: &str, mut tiempos: Vec<Duration>, bytes: usize) {
    tiempos.sort();
    let n = tiempos.len();
    let media = tiempos.iter().sum::<Duration>() / n as u32;
    println!(
        "{nombre}: {n} renders, mean {:.2} ms, p50 {:.2} ms, p99 {:.2} ms, {:.1} KB each on average",
        media.as_secs_f64() * 1e3,
        tiempos[n / 2].as_secs_f64() * 1e3,
        tiempos[(n * 99 / 100).min(n - 1)].as_secs_f64() * 1e3,
        bytes as f64 / n as f64 / 1024.0
    );
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let retos: Vec<(String, String)> = (0..n)
        .map(|_| (captcha::nuevo_id(), captcha::nueva_respuesta()))
        .collect();
    for (nombre, render) in [
        ("image", captcha::render_png as fn(&str, &str) -> Vec<u8>),
        ("audio", audio::render_wav),
    ] {
        let mut tiempos = Vec::with_capacity(n);
        let mut bytes = 0;
        for (id, respuesta) in &retos {
            let t = Instant::now();
            bytes += render(id, respuesta).len();
            tiempos.push(t.elapsed());
        }
        resumen(nombre, tiempos, bytes);
    }
    // The same challenges again through the cache the server uses: every answer is a hit.
    let dibujos = dibujos::Dibujos::new(dibujos::CAPACIDAD_BYTES);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        for (id, respuesta) in &retos {
            dibujos
                .obtener(id, respuesta, dibujos::Tipo::Imagen)
                .await
                .expect("render");
        }
        let mut tiempos = Vec::with_capacity(n);
        let mut bytes = 0;
        for (id, respuesta) in &retos {
            let t = Instant::now();
            bytes += dibujos
                .obtener(id, respuesta, dibujos::Tipo::Imagen)
                .await
                .expect("cached")
                .len();
            tiempos.push(t.elapsed());
        }
        resumen("image again (cached)", tiempos, bytes);
    });
}
