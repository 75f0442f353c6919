//! One assignment algorithm for both databases: the same scripted sequence of assignments, run on SQLite (the
//! writer's batches) and on PostgreSQL (one transaction per request), hands out the same NSS.

mod common;

use afiliate_domain::nss::Nss;
use afiliate_server::service::{Pedido, Serie, Token};
use common::*;
use sqlx::Row;

const AHORA: i64 = 1_767_225_600;

fn serie(subdelegacion: u8, anio_afiliacion: u8, anio_nacimiento: u8) -> Serie {
    Serie {
        subdelegacion,
        anio_afiliacion,
        anio_nacimiento,
    }
}

fn pedido(curp: &str, serie: Serie) -> Pedido {
    Pedido {
        token: Token {
            curp: curp.to_string(),
            correo: "cruzada@example.com".into(),
            nombre: "Persona de Prueba".into(),
            expira: i64::MAX,
        },
        serie,
        domicilio: domicilio_de_prueba(),
        ahora: AHORA,
    }
}

fn curp(letra: char) -> String {
    format!("CRUZADA{letra}0000000000")
}

/// The script: groups of requests (CURP, series). A group is sent to the SQLite writer all at once, in order, so
/// it may share a group commit; on PostgreSQL its requests run one after another. Several series (subdelegación,
/// año de afiliación, año de nacimiento), numbers IMSS already issued, repeats of a CURP (in the same group and
/// later), a CURP located before (demo data) and a series that runs out.
fn guion(localizado: &str) -> Vec<Vec<(String, Serie)>> {
    let a = serie(14, 26, 6);
    vec![
        vec![(curp('A'), a)],
        vec![
            (curp('B'), a),
            (curp('C'), a),
            (curp('A'), a),
            (curp('D'), serie(15, 26, 6)),
        ],
        vec![(curp('E'), serie(14, 25, 6)), (curp('F'), serie(14, 26, 7))],
        vec![(curp('B'), a), (curp('G'), a), (curp('G'), a)],
        vec![(localizado.to_string(), a), (curp('K'), serie(15, 26, 6))],
        vec![
            (curp('H'), serie(16, 26, 6)),
            (curp('I'), serie(16, 26, 6)),
            (curp('H'), serie(16, 26, 6)),
        ],
        vec![(curp('J'), a), (curp('I'), serie(16, 26, 6))],
    ]
}

/// What one request got: its NSS, whether it was new and how many documents came with it, or the error's kind.
type Reparto = Result<(String, bool, usize), &'static str>;

/// Runs the script on `b`: every request's outcome, in script order, and the series' counters at the end.
async fn repartir(b: Backend) -> (Vec<Reparto>, Vec<(i64, i64, i64, i64)>) {
    let e = entorno(b).await;
    let pool = &e.state.db().pool;
    // Numbers IMSS already issued in series (14, 26, 6), and a series one number short of its end.
    for (i, n) in [1u16, 2, 4, 8].iter().enumerate() {
        sqlx::query(
            "INSERT INTO nss_asignaciones (curp, nss, origen, creado_en) VALUES ($1, $2, 'importado', 0)",
        )
        .bind(format!("IMPORTADA{i:09}"))
        .bind(Nss::from_parts(14, 26, 6, *n).unwrap().as_str())
        .execute(pool)
        .await
        .unwrap();
    }
    sqlx::query(
        "INSERT INTO nss_series (subdelegacion, anio_afiliacion, anio_nacimiento, ultimo) VALUES (16, 26, 6, 9998)",
    )
    .execute(pool)
    .await
    .unwrap();

    let mut repartos = Vec::new();
    for grupo in guion(&demos().localizado) {
        let resultados = match b {
            Backend::Sqlite => {
                // Sent in order before any answer: the writer takes them in that order, in one or more batches.
                let envios = grupo
                    .iter()
                    .map(|(c, s)| e.state.db().asignar(e.state.docs().clone(), pedido(c, *s)));
                futures_util::future::join_all(envios).await
            }
            Backend::Postgres => {
                let mut r = Vec::new();
                for (c, s) in &grupo {
                    r.push(
                        e.state
                            .db()
                            .asignar(e.state.docs().clone(), pedido(c, *s))
                            .await,
                    );
                }
                r
            }
        };
        repartos.extend(resultados.into_iter().map(|r| {
            r.map(|(nss, docs, nuevo)| (nss, nuevo, docs.len()))
                .map_err(|e| e.kind())
        }));
    }
    let series = sqlx::query(
        "SELECT subdelegacion, anio_afiliacion, anio_nacimiento, ultimo FROM nss_series \
         ORDER BY subdelegacion, anio_afiliacion, anio_nacimiento",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
    .collect();
    (repartos, series)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn mismo_guion_mismos_nss_en_sqlite_y_postgres() {
    let (sqlite, series_sqlite) = repartir(Backend::Sqlite).await;
    let (postgres, series_postgres) = repartir(Backend::Postgres).await;
    assert_eq!(
        sqlite, postgres,
        "SQLite and PostgreSQL numbered differently"
    );
    assert_eq!(
        series_sqlite, series_postgres,
        "the series' counters differ"
    );

    // And the numbering is the one the procedure defines (so both cannot be wrong the same way).
    let consecutivo = |r: &Reparto| match r {
        Ok((nss, _, _)) => Some(Nss::parse(nss).unwrap().consecutivo()),
        Err(_) => None,
    };
    let nuevos: Vec<bool> = sqlite
        .iter()
        .map(|r| matches!(r, Ok((_, true, _))))
        .collect();
    let d = demos();
    let esperado: Vec<Option<u16>> = vec![
        Some(3),                                                    // A: 1 and 2 were issued by IMSS
        Some(5),                                                    // B: 4 too
        Some(6),                                                    // C
        Some(3),                                                    // A again: its NSS
        Some(1),                                                    // D: a new series
        Some(1),                                                    // E: another año de afiliación
        Some(1),                                                    // F: another año de nacimiento
        Some(5),                                                    // B again
        Some(7),                                                    // G
        Some(7),                                                    // G twice in one group
        Some(Nss::parse(&d.localizado_nss).unwrap().consecutivo()), // located before: its NSS
        Some(2),                                                    // K: series of D
        Some(9999),                                                 // H: the series' last number
        None,                                                       // I: the series is exhausted
        Some(9999),                                                 // H again
        Some(9),                                                    // J: 8 was issued by IMSS
        None,                                                       // I again: still exhausted
    ];
    assert_eq!(
        sqlite.iter().map(consecutivo).collect::<Vec<_>>(),
        esperado,
        "{sqlite:?}"
    );
    assert_eq!(sqlite[13], Err("serie_agotada"));
    assert_eq!(
        nuevos,
        vec![
            true, true, true, false, true, true, true, false, true, false, false, true, true,
            false, false, true, false
        ]
    );
    assert_eq!(sqlite[10].as_ref().unwrap().0, d.localizado_nss);
    assert!(
        series_sqlite.contains(&(16, 26, 6, 9999)),
        "{series_sqlite:?}"
    );
    assert!(series_sqlite.contains(&(14, 26, 6, 9)), "{series_sqlite:?}");
}
