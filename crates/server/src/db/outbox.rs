//! The `outbox` table: a message is queued in the same transaction as what it announces, then leased, sent and
//! marked by the mail worker ([`crate::mail::outbox`] decides when; these functions only store it).

use crate::error::AppError;
use sqlx::{AnyConnection, Row};

/// An email to send: `$1` time, `$2` payload, `$3` first attempt.
pub(crate) const SQL_ENCOLAR: &str =
    "INSERT INTO outbox (creado_en, payload, proximo_intento) VALUES ($1, $2, $3)";

/// Queues an email (`payload`: [`crate::mail::Correo::to_json`]), due at once, in the caller's transaction.
pub async fn encolar(c: &mut AnyConnection, payload: &str, ahora: i64) -> Result<(), AppError> {
    sqlx::query(SQL_ENCOLAR)
        .bind(ahora)
        .bind(payload)
        .bind(ahora)
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// A leased row: id, creation time, attempts so far, payload.
pub type Arrendada = (i64, i64, u32, String);

/// Leases up to `limite` due rows (pending, `proximo_intento <= ahora`) until `hasta`, oldest first, in one write:
/// on PostgreSQL rows another worker holds are skipped. A row whose worker died is due again when its lease ends.
pub async fn arrendar(
    db: &super::Db,
    ahora: i64,
    hasta: i64,
    limite: i64,
) -> Result<Vec<Arrendada>, AppError> {
    let bloqueo = match db.backend {
        super::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        super::Backend::Sqlite => "",
    };
    let sql = format!(
        "UPDATE outbox SET proximo_intento = $1 WHERE id IN (SELECT id FROM outbox \
         WHERE estado = 'pendiente' AND proximo_intento <= $2 ORDER BY proximo_intento, id LIMIT $3{bloqueo}) \
         RETURNING id, creado_en, intentos, payload"
    );
    db.write(move |c| {
        let sql = sql.clone();
        Box::pin(async move {
            let filas = sqlx::query(&sql)
                .bind(hasta)
                .bind(ahora)
                .bind(limite)
                .fetch_all(&mut *c)
                .await?;
            Ok(filas
                .iter()
                .map(|r| (r.get(0), r.get(1), r.get::<i64, _>(2) as u32, r.get(3)))
                .collect::<Vec<_>>())
        })
    })
    .await
}

/// Moves the lease of those of rows `ids` still pending and leased until one of `hasta` to `nuevo` (the
/// worker's renewal): a row marked meanwhile, whose `proximo_intento` is its retry time, or leased again by
/// another worker after this one's lease ran out, is not touched.
pub async fn renovar_arriendo(
    db: &super::Db,
    ids: &[i64],
    hasta: &[i64],
    nuevo: i64,
) -> Result<(), AppError> {
    if ids.is_empty() || hasta.is_empty() {
        return Ok(());
    }
    // Integers only (the ids the lease returned, the lease times): written into the statement, one statement
    // for the batch.
    let lista = |xs: &[i64]| xs.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = format!(
        "UPDATE outbox SET proximo_intento = $1 \
         WHERE estado = 'pendiente' AND proximo_intento IN ({}) AND id IN ({})",
        lista(hasta),
        lista(ids)
    );
    db.write(move |c| {
        let sql = sql.clone();
        Box::pin(async move {
            sqlx::query(&sql).bind(nuevo).execute(&mut *c).await?;
            Ok(())
        })
    })
    .await
}

/// A message was accepted by the mail server at `t`.
pub async fn marcar_enviado(db: &super::Db, id: i64, t: i64) -> Result<(), AppError> {
    db.write(move |c| {
        Box::pin(async move {
            sqlx::query(
                "UPDATE outbox SET estado = 'enviado', enviado_en = $1, intentos = intentos + 1 WHERE id = $2",
            )
            .bind(t)
            .bind(id)
            .execute(&mut *c)
            .await?;
            Ok(())
        })
    })
    .await
}

/// A failed attempt: retried at `proximo`, or failed for good when None; `tipo` is the error's kind.
pub async fn marcar_fallido(
    db: &super::Db,
    id: i64,
    intentos: u32,
    proximo: Option<i64>,
    tipo: &str,
) -> Result<(), AppError> {
    let tipo = tipo.to_string();
    db.write(move |c| {
        let tipo = tipo.clone();
        Box::pin(async move {
            match proximo {
                Some(p) => sqlx::query(
                    "UPDATE outbox SET intentos = $1, ultimo_error = $2, proximo_intento = $3 WHERE id = $4",
                )
                .bind(i64::from(intentos))
                .bind(tipo)
                .bind(p)
                .bind(id),
                None => sqlx::query(
                    "UPDATE outbox SET intentos = $1, ultimo_error = $2, estado = 'fallido' WHERE id = $3",
                )
                .bind(i64::from(intentos))
                .bind(tipo)
                .bind(id),
            }
            .execute(&mut *c)
            .await?;
            Ok(())
        })
    })
    .await
}

/// What a purged row's `payload` holds: its recipient, personal data and documents are gone.
pub const PAYLOAD_PURGADO: &str = "{}";

/// Erases the payload of the rows delivered, or given up, before `antes` (unix seconds): the message's content
/// (recipient, name, CURP, NSS, the documents' data) goes, the row's state and times stay for `mail status`.
/// How many rows it erased.
pub async fn purgar(db: &super::Db, antes: i64) -> Result<u64, AppError> {
    db.write(move |c| {
        Box::pin(async move {
            let r = sqlx::query(
                "UPDATE outbox SET payload = $1 WHERE estado IN ('enviado', 'fallido') \
                 AND COALESCE(enviado_en, creado_en) < $2 AND payload <> '{}'",
            )
            .bind(PAYLOAD_PURGADO)
            .bind(antes)
            .execute(&mut *c)
            .await?;
            Ok(r.rows_affected())
        })
    })
    .await
}

/// The pending messages: how many, and the oldest one's creation time.
pub async fn pendientes(pool: &sqlx::AnyPool) -> Result<(i64, Option<i64>), AppError> {
    let fila =
        sqlx::query("SELECT COUNT(*), MIN(creado_en) FROM outbox WHERE estado = 'pendiente'")
            .fetch_one(pool)
            .await?;
    Ok((fila.get(0), fila.get(1)))
}

/// A row as `mail status` shows it (no recipient, no content).
pub struct FilaEstado {
    pub id: i64,
    pub creado_en: i64,
    pub estado: String,
    pub intentos: u32,
    pub proximo_intento: i64,
    pub enviado_en: Option<i64>,
    pub ultimo_error: Option<String>,
}

/// The newest `limite` rows, newest first.
pub async fn ultimas(pool: &sqlx::AnyPool, limite: i64) -> Result<Vec<FilaEstado>, AppError> {
    let filas = sqlx::query(
        "SELECT id, creado_en, estado, intentos, proximo_intento, enviado_en, ultimo_error FROM outbox \
         ORDER BY id DESC LIMIT $1",
    )
    .bind(limite)
    .fetch_all(pool)
    .await?;
    Ok(filas
        .iter()
        .map(|r| FilaEstado {
            id: r.get(0),
            creado_en: r.get(1),
            estado: r.get(2),
            intentos: r.get::<i64, _>(3) as u32,
            proximo_intento: r.get(4),
            enviado_en: r.get(5),
            ultimo_error: r.get(6),
        })
        .collect())
}
