//! PDF generation benchmark: time per document (p50/p95/p99, both templates, sealing included) and the process's
//! resident memory after generating 10,000. Each document is a krilla PDF/UA-1 + PDF/A-2b file, validated as it is
//! written, with its fonts subset for it.
//!
//! `cargo run --profile server -p afiliate-server --example bench_pdf [N]`

use std::time::{Duration, Instant};

use afiliate_server::documents::{Documentos, Persona, Sellador, TipoDocumento, Tramite};
use chrono::Utc;

fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let linea = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    linea.split_whitespace().nth(1)?.parse().ok()
}

/// CPU time of this thread, so a busy machine (other processes) does not inflate the per-document figure.
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
fn cpu() -> Option<Duration> {
    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }
    extern "C" {
        fn clock_gettime(reloj: i32, ts: *mut Timespec) -> i32;
    }
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut ts = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec (two 64-bit fields on 64-bit Linux) into `ts`.
    let r = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    (r == 0).then(|| Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
}

#[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
fn cpu() -> Option<Duration> {
    None
}

fn percentil(ordenados: &[f64], p: f64) -> f64 {
    let i = ((ordenados.len() as f64 - 1.0) * p).round() as usize;
    ordenados[i]
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let rss_inicio = rss_kib().unwrap_or(0);
    let t0 = Instant::now();
    let docs = Documentos::new(
        Sellador::aleatorio(),
        "https://afiliate.example.mx",
        24 * 3600,
    );
    let preparacion = t0.elapsed();

    let mut tiempos = Vec::with_capacity(n);
    let mut cpus = Vec::with_capacity(n);
    let mut bytes_total = 0usize;
    for i in 0..n {
        let persona = Persona {
            nombre: format!("María José Peña Núñez {i}"),
            curp: "PENM000101MDFXXX09".to_string(),
            nss: format!("{:011}", 12_345_000_000u64 + i as u64),
        };
        let tipo = if i % 2 == 0 {
            TipoDocumento::ComprobanteNss
        } else {
            TipoDocumento::TarjetaNss
        };
        let t = Instant::now();
        let c = cpu();
        let doc = docs.emitir(tipo, Tramite::Asignacion, &persona, Utc::now());
        let pdf = docs.render(&doc);
        tiempos.push(t.elapsed().as_secs_f64() * 1000.0);
        if let (Some(antes), Some(despues)) = (c, cpu()) {
            cpus.push((despues - antes).as_secs_f64() * 1000.0);
        }
        bytes_total += pdf.len();
        std::hint::black_box(pdf);
    }
    let rss_fin = rss_kib().unwrap_or(0);
    tiempos.sort_by(|a, b| a.total_cmp(b));
    cpus.sort_by(|a, b| a.total_cmp(b));
    println!(
        "bench_pdf: {n} documents (comprobante and tarjeta alternating, folio + seal + render)"
    );
    println!(
        "  one-time font loading: {:.1} ms",
        preparacion.as_secs_f64() * 1000.0
    );
    println!(
        "  per document: p50 {:.3} ms, p95 {:.3} ms, p99 {:.3} ms, max {:.3} ms (goal p95 <= 10 ms)",
        percentil(&tiempos, 0.50),
        percentil(&tiempos, 0.95),
        percentil(&tiempos, 0.99),
        tiempos[tiempos.len() - 1]
    );
    if !cpus.is_empty() {
        println!(
            "  per document, CPU time of the thread: p50 {:.3} ms, p95 {:.3} ms",
            percentil(&cpus, 0.50),
            percentil(&cpus, 0.95)
        );
    }
    println!(
        "  average size: {:.1} KiB",
        bytes_total as f64 / n as f64 / 1024.0
    );
    println!("  RSS: {rss_inicio} KiB at start, {rss_fin} KiB after {n} documents");
}
