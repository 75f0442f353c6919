//! The SQLite writer's supervision and the router's panic catcher, with panics injected through test-only hooks
//! ([`super::Db::inyectar_panico`], the `/api/pruebas/panico` route of `http::app` in unit tests).

use crate::documents::Sellador;
use crate::{AppState, Config};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt as _;
use std::time::{Duration, Instant};
use tower::ServiceExt as _;

async fn estado() -> (AppState, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let mut config = Config::for_data_dir(dir.path());
    config.database_url = Some(url.clone());
    let db = super::Db::connect(&url).await.expect("db");
    let state = AppState::with_parts(config, db, Sellador::aleatorio()).expect("state");
    (state, dir)
}

async fn pedir(state: &AppState, uri: &str) -> (StatusCode, String, Option<String>) {
    let res = crate::app(state.clone())
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .expect("infallible");
    let status = res.status();
    let tipo = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let cuerpo = res.into_body().collect().await.expect("body").to_bytes();
    (status, String::from_utf8_lossy(&cuerpo).into_owned(), tipo)
}

/// Polls `/readyz` until it answers `status` (or panics after `limite`).
async fn esperar_readyz(state: &AppState, status: StatusCode, limite: Duration) -> String {
    let desde = Instant::now();
    loop {
        let (s, cuerpo, _) = pedir(state, "/readyz").await;
        if s == status {
            return cuerpo;
        }
        assert!(
            desde.elapsed() < limite,
            "/readyz still {s} ({cuerpo}) after {limite:?}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn escribir(state: &AppState) -> Result<i64, crate::error::AppError> {
    state
        .db()
        .write(|c| {
            Box::pin(async move {
                sqlx::query(
                    "INSERT INTO intentos (clave, dia, cuenta) VALUES ('prueba', 1, 1) \
                     ON CONFLICT (clave, dia) DO UPDATE SET cuenta = intentos.cuenta + 1",
                )
                .execute(&mut *c)
                .await?;
                Ok(1)
            })
        })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_writer_restarts_after_a_panic_and_readyz_tells_meanwhile() {
    let (state, _dir) = estado().await;
    assert_eq!(pedir(&state, "/readyz").await.0, StatusCode::OK);
    escribir(&state).await.expect("a write before");

    state.db().inyectar_panico().await;
    let cuerpo = esperar_readyz(
        &state,
        StatusCode::SERVICE_UNAVAILABLE,
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(cuerpo, "database writer down");
    assert!(!state.db().escritor_vivo());
    // A write sent while it is down waits for the new writer and is committed by it.
    let espera = tokio::spawn({
        let state = state.clone();
        async move { escribir(&state).await }
    });
    esperar_readyz(&state, StatusCode::OK, Duration::from_secs(5)).await;
    espera
        .await
        .unwrap()
        .expect("the write queued during the restart");
    escribir(&state).await.expect("a write after");
    let cuenta: i64 = sqlx::query_scalar("SELECT cuenta FROM intentos WHERE clave = 'prueba'")
        .fetch_one(&state.db().pool)
        .await
        .unwrap();
    assert_eq!(cuenta, 3);
    assert!(
        crate::metrics::render(crate::metrics::Estado {
            outbox: None,
            escritor_vivo: true,
            auditoria_descartadas: 0,
        })
        .contains("afiliate_db_escritor_reinicios_total 1"),
        "the restart is counted"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_handler_answers_a_problem_500() {
    let (state, _dir) = estado().await;
    let (s, cuerpo, tipo) = pedir(&state, "/api/pruebas/panico").await;
    assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(tipo.as_deref(), Some("application/problem+json"));
    let v: serde_json::Value = serde_json::from_str(&cuerpo).expect("json");
    assert_eq!(v["type"], "/problemas/error-interno", "{v}");
    assert!(
        !cuerpo.contains("injected"),
        "no internal detail echoed: {cuerpo}"
    );
    // The server goes on.
    assert_eq!(pedir(&state, "/healthz").await.0, StatusCode::OK);
}
