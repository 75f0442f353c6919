//! Prints how long the domain rules take, in ns per operation.
//!
//! `cargo run --release -p afiliate-domain --example bench -- [catalog]` where `catalog` is a `catalogo.bin` or a
//! SEPOMEX `CPdescarga.txt`; without one (or if it cannot be read) a synthetic catalog of 32,000 codes is used.

use afiliate_domain::postal::{self, Catalogo, CatalogoBuilder};
use afiliate_domain::{curp, Curp, Email, Nss};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Runs `f` over `inputs` repeatedly for about `budget` and returns ns per call.
fn ns_por_op<T>(inputs: &[T], budget: Duration, mut f: impl FnMut(&T)) -> f64 {
    // Warm-up.
    for x in inputs.iter().take(1000) {
        f(x);
    }
    let inicio = Instant::now();
    let mut n = 0u64;
    while inicio.elapsed() < budget {
        for x in inputs {
            f(x);
        }
        n += inputs.len() as u64;
    }
    inicio.elapsed().as_nanos() as f64 / n as f64
}

/// A deterministic pseudo-random sequence (xorshift), no dependency needed.
struct Azar(u64);
impl Azar {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn curps_validas(n: usize) -> Vec<String> {
    let mut azar = Azar(0x9e37_79b9_7f4a_7c15);
    let nombres = [
        "ANA",
        "LUIS",
        "MARIA FERNANDA",
        "JOSE LUIS",
        "XIMENA",
        "IÑAKI",
    ];
    let apellidos = [
        "PEREZ",
        "GARCIA",
        "DE LA CRUZ",
        "NUÑEZ",
        "LOPEZ",
        "HERNANDEZ",
        "RIVA PALACIO",
    ];
    (0..n)
        .map(|_| {
            let anio = 1950 + (azar.next() % 70) as u16;
            let fecha = afiliate_domain::Fecha::new(
                anio,
                1 + (azar.next() % 12) as u8,
                1 + (azar.next() % 28) as u8,
            )
            .unwrap();
            let d = curp::DatosPersona {
                nombre: nombres[(azar.next() % 6) as usize],
                primer_apellido: apellidos[(azar.next() % 7) as usize],
                segundo_apellido: apellidos[(azar.next() % 7) as usize],
                fecha_nacimiento: fecha,
                sexo: afiliate_domain::Sexo::Mujer,
                entidad: afiliate_domain::Entidad::todas()
                    .nth((azar.next() % 33) as usize)
                    .unwrap(),
            };
            let h = if anio < 2000 { '0' } else { 'A' };
            curp::generar(&d, h).unwrap().as_str().to_string()
        })
        .collect()
}

fn catalogo_sintetico() -> Catalogo {
    let mut b = CatalogoBuilder::new();
    for i in 0..32_000u32 {
        let cp = format!("{:05}", 1000 + i * 3);
        for j in 0..5 {
            b.agregar(
                &cp,
                (i % 32 + 1) as u8,
                "Municipio de prueba",
                "Ciudad",
                &format!("Colonia {j}"),
                "Colonia",
            )
            .unwrap();
        }
    }
    b.build()
}

fn main() {
    let budget = Duration::from_millis(400);
    let curps = curps_validas(1000);
    let ns = ns_por_op(&curps, budget, |c| {
        black_box(Curp::parse(black_box(c)).is_ok());
    });
    println!("curp_parse_ns_per_op {ns:.0}");
    let minusculas: Vec<String> = curps
        .iter()
        .map(|c| format!(" {}-{} ", &c[..10].to_lowercase(), &c[10..]))
        .collect();
    let ns = ns_por_op(&minusculas, budget, |c| {
        black_box(Curp::parse(black_box(c)).is_ok());
    });
    println!("curp_parse_as_typed_ns_per_op {ns:.0}");
    let datos: Vec<(String, String, String)> = (0..100)
        .map(|i| {
            (
                format!("MARIA DE LOS ANGELES {i}"),
                "DE LA CRUZ".into(),
                "NUÑEZ".into(),
            )
        })
        .collect();
    let ns = ns_por_op(&datos, budget, |(n, a1, a2)| {
        let d = curp::DatosPersona {
            nombre: n,
            primer_apellido: a1,
            segundo_apellido: a2,
            fecha_nacimiento: afiliate_domain::Fecha::new(1990, 1, 1).unwrap(),
            sexo: afiliate_domain::Sexo::Hombre,
            entidad: afiliate_domain::Entidad::parse("DF").unwrap(),
        };
        black_box(curp::base(black_box(&d)).is_ok());
    });
    println!("curp_base_ns_per_op {ns:.0}");
    let nss: Vec<String> = (0..1000u16)
        .map(|i| {
            Nss::from_parts((i % 100) as u8, 10, 95, i)
                .unwrap()
                .as_str()
                .to_string()
        })
        .collect();
    let ns = ns_por_op(&nss, budget, |n| {
        black_box(Nss::parse(black_box(n)).is_ok());
    });
    println!("nss_parse_ns_per_op {ns:.0}");
    let correos: Vec<String> = (0..1000).map(|i| format!("Alumno.{i}@Gmail.com")).collect();
    let ns = ns_por_op(&correos, budget, |c| {
        black_box(Email::parse(black_box(c)).is_ok());
    });
    println!("email_parse_ns_per_op {ns:.0}");

    let ruta = std::env::args().nth(1);
    let (fuente, cat) = match ruta.as_deref().map(|r| (r, std::fs::read(r))) {
        Some((r, Ok(bytes))) => {
            let inicio = Instant::now();
            let cat = if bytes.starts_with(postal::MAGIA) {
                Catalogo::from_bytes(&bytes).ok()
            } else {
                Catalogo::from_sepomex_txt(&bytes).ok().map(|(c, _)| c)
            };
            match cat {
                Some(c) => {
                    println!(
                        "catalog_load_ms {:.1}",
                        inicio.elapsed().as_secs_f64() * 1000.0
                    );
                    (r.to_string(), c)
                }
                None => (
                    "synthetic (could not read the file given)".to_string(),
                    catalogo_sintetico(),
                ),
            }
        }
        _ => ("synthetic".to_string(), catalogo_sintetico()),
    };
    println!("catalog_source {fuente}");
    println!("catalog_codes {}", cat.len());
    let mut codigos: Vec<String> = cat.entradas().map(|e| e.codigo_postal).collect();
    let mut azar = Azar(42);
    for i in (1..codigos.len()).rev() {
        codigos.swap(i, (azar.next() % (i as u64 + 1)) as usize);
    }
    codigos.truncate(10_000);
    let ns = ns_por_op(&codigos, budget, |c| {
        black_box(cat.lookup(black_box(c)));
    });
    println!("catalog_lookup_ns_per_op {ns:.0}");
    let ns = ns_por_op(&codigos, budget, |c| {
        black_box(cat.contiene(black_box(c)));
    });
    println!("catalog_contains_ns_per_op {ns:.0}");
    let shards = cat.shards();
    let mut tam: Vec<usize> = shards.iter().map(|(_, s)| s.len()).collect();
    tam.sort_unstable();
    if let (Some(max), Some(med)) = (tam.last(), tam.get(tam.len() / 2)) {
        println!(
            "shards {} raw_bytes_max {max} raw_bytes_median {med}",
            shards.len()
        );
    }
}
