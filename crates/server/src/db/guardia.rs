//! The tables of the solicitud's gate ([`crate::guardia`]): used CAPTCHAs (`captchas_usados`) and the daily attempt
//! counters (`intentos`).

use crate::error::AppError;
use sqlx::AnyConnection;
use std::sync::Arc;

/// The counters (keyed digest, day, count) of day `desde_dia` and later.
pub async fn intentos_desde(
    pool: &sqlx::AnyPool,
    desde_dia: i64,
) -> Result<Vec<(String, i64, i64)>, AppError> {
    Ok(
        sqlx::query_as("SELECT clave, dia, cuenta FROM intentos WHERE dia >= $1")
            .bind(desde_dia)
            .fetch_all(pool)
            .await?,
    )
}

/// Whether the CAPTCHA with this id (its nonce, hex) was already used.
pub async fn captcha_usado(pool: &sqlx::AnyPool, id: &str) -> Result<bool, AppError> {
    Ok(sqlx::query("SELECT 1 FROM captchas_usados WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?
        .is_some())
}

/// Records a CAPTCHA as used until `expira`: false when it already was.
pub async fn quemar_captcha(
    c: &mut AnyConnection,
    id: &str,
    expira: i64,
) -> Result<bool, AppError> {
    Ok(sqlx::query(
        "INSERT INTO captchas_usados (id, expira_en) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
    )
    .bind(id)
    .bind(expira)
    .execute(&mut *c)
    .await?
    .rows_affected()
        == 1)
}

/// Counts one more attempt for `clave` on `dia`: the count it reached.
pub async fn contar_intento(c: &mut AnyConnection, clave: &str, dia: i64) -> Result<i64, AppError> {
    let (cuenta,): (i64,) = sqlx::query_as(
        "INSERT INTO intentos (clave, dia, cuenta) VALUES ($1, $2, 1) \
         ON CONFLICT (clave, dia) DO UPDATE SET cuenta = intentos.cuenta + 1 RETURNING cuenta",
    )
    .bind(clave)
    .bind(dia)
    .fetch_one(&mut *c)
    .await?;
    Ok(cuenta)
}

/// One request of client `clave` at `ahora_us` against the shared per-client limit (GCRA, times in microseconds):
/// allowed when, after it, the client's theoretical arrival time is at most `rafaga_us` ahead of now; each request
/// moves it `intervalo_us` on. One statement, so processes sharing the database never both take the last token.
/// PostgreSQL only (the table is in its migrations).
pub async fn pasar_limite_ip(
    pool: &sqlx::AnyPool,
    clave: &str,
    ahora_us: i64,
    intervalo_us: i64,
    rafaga_us: i64,
) -> Result<bool, AppError> {
    Ok(sqlx::query(
        "INSERT INTO limite_ip AS l (clave, tat) VALUES ($1, $2 + $3) \
         ON CONFLICT (clave) DO UPDATE SET tat = GREATEST(l.tat, $2) + $3 \
         WHERE GREATEST(l.tat, $2) + $3 <= $2 + $4 RETURNING tat",
    )
    .bind(clave)
    .bind(ahora_us)
    .bind(intervalo_us)
    .bind(rafaga_us)
    .fetch_optional(pool)
    .await?
    .is_some())
}

/// Forgets the clients of the shared per-client limit whose bucket is full again (PostgreSQL only).
pub async fn purgar_limite_ip(pool: &sqlx::AnyPool, ahora_us: i64) -> Result<u64, AppError> {
    Ok(sqlx::query("DELETE FROM limite_ip WHERE tat <= $1")
        .bind(ahora_us)
        .execute(pool)
        .await?
        .rows_affected())
}

/// Writes counters (keyed digest, day, count) kept in memory, replacing the stored ones, in one write.
pub async fn guardar_intentos(
    db: &super::Db,
    filas: Arc<Vec<(String, i64, i64)>>,
) -> Result<(), AppError> {
    db.write(move |c| {
        let filas = filas.clone();
        Box::pin(async move {
            for (k, d, cuenta) in filas.iter() {
                sqlx::query(
                    "INSERT INTO intentos (clave, dia, cuenta) VALUES ($1, $2, $3) \
                     ON CONFLICT (clave, dia) DO UPDATE SET cuenta = excluded.cuenta",
                )
                .bind(k)
                .bind(d)
                .bind(cuenta)
                .execute(&mut *c)
                .await?;
            }
            Ok(())
        })
    })
    .await
}

/// Deletes the used CAPTCHAs that expired by `ahora` and the attempt counters of days before `desde_dia`.
pub async fn limpiar(db: &super::Db, ahora: i64, desde_dia: i64) -> Result<(), AppError> {
    db.write(move |c| {
        Box::pin(async move {
            sqlx::query("DELETE FROM captchas_usados WHERE expira_en <= $1")
                .bind(ahora)
                .execute(&mut *c)
                .await?;
            sqlx::query("DELETE FROM intentos WHERE dia < $1")
                .bind(desde_dia)
                .execute(&mut *c)
                .await?;
            Ok(())
        })
    })
    .await
}
