//! The gate in front of a solicitud: single-use CAPTCHA challenges and the daily attempt limits.
//!
//! A challenge is a sealed box ([`crate::cifra`]) holding its answer and expiry, so creating one and drawing its
//! image touch no storage; only *burning* it (any answer, right or wrong, uses it up) is recorded, by its nonce.
//!
//! Two stores:
//! - [`Guardia::memoria`] (SQLite, which is one process by design): burnt challenges and daily counters live in
//!   memory. The challenge key is random per process, so a restart invalidates every earlier challenge instead of
//!   forgetting which were burnt. The counters are written to the `intentos` table every second (write-behind) and
//!   read back at start, so a restart does not reset anybody's daily limit.
//! - [`Guardia::base`] (PostgreSQL, where several server processes may share one database): both go to the
//!   database in one transaction (`captchas_usados`, `intentos`), and the challenge key derives from the sello seed
//!   (HKDF) so every process opens every challenge.

use crate::captcha;
use crate::cifra::{self, Caja};
use crate::db::Db;
use crate::error::AppError;
use rand::RngCore as _;
use std::collections::HashMap;
use std::sync::Mutex;

/// Outcome of the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paso1 {
    Valido,
    CaptchaInvalido,
    Limite,
}

/// A challenge as opened from its id.
pub struct Reto {
    pub nonce: cifra::Nonce,
    pub expira: i64,
    pub respuesta: String,
}

/// Mexico's central time is UTC−6 all year: a "day" for the daily limits starts at 00:00 there.
pub fn dia(ahora: i64) -> i64 {
    (ahora - 6 * 3600).div_euclid(86_400)
}

#[derive(Default)]
struct Memoria {
    /// nonce → expiry of each burnt challenge.
    quemados: HashMap<cifra::Nonce, i64>,
    /// keyed digest → (day, count).
    intentos: HashMap<String, (i64, i64)>,
    /// Counters changed since the last write-behind.
    sucios: Vec<String>,
    ultima_purga: i64,
}

pub struct Guardia {
    retos: Caja,
    clave_resumen: [u8; 32],
    memoria: Option<Mutex<Memoria>>,
}

impl Guardia {
    /// In-memory store (SQLite); [`Guardia::cargar_intentos`] then reads back today's counters.
    pub fn memoria(clave: &[u8; 32]) -> Guardia {
        let mut efimera = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut efimera);
        Guardia {
            retos: Caja::new(&efimera, "captcha"),
            clave_resumen: *clave,
            memoria: Some(Mutex::new(Memoria::default())),
        }
    }

    /// Memory store: loads today's counters from `intentos` (they win over nothing, add to nothing: called once
    /// at start). Answers how many were loaded.
    pub async fn cargar_intentos(&self, db: &Db, ahora: i64) -> Result<usize, AppError> {
        let Some(m) = &self.memoria else {
            return Ok(0);
        };
        let filas = crate::db::guardia::intentos_desde(&db.pool, dia(ahora)).await?;
        let n = filas.len();
        let mut m = bloquear(m);
        m.ultima_purga = ahora;
        for (k, d, c) in filas {
            let e = m.intentos.entry(k).or_insert((d, 0));
            if *e == (d, 0) || e.0 < d {
                *e = (d, c);
            } else if e.0 == d {
                e.1 = e.1.max(c);
            }
        }
        Ok(n)
    }

    /// Database store (PostgreSQL): `retos` seals the challenges with a key every process shares (the sello
    /// seed's, [`crate::documents::Sellador::caja`]).
    pub fn base(clave: &[u8; 32], retos: Caja) -> Guardia {
        Guardia {
            retos,
            clave_resumen: *clave,
            memoria: None,
        }
    }

    pub fn en_memoria(&self) -> bool {
        self.memoria.is_some()
    }

    /// A new challenge id for `respuesta`.
    pub fn nuevo_reto(&self, respuesta: &str, ahora: i64) -> String {
        let mut m = Vec::with_capacity(8 + respuesta.len());
        m.extend_from_slice(&(ahora + captcha::VIGENCIA_SEG).to_be_bytes());
        m.extend_from_slice(respuesta.as_bytes());
        self.retos.sellar(&m)
    }

    /// The challenge behind an id, if this server made it (expired or not).
    pub fn abrir_reto(&self, id: &str) -> Option<Reto> {
        let (nonce, m) = self.retos.abrir(id)?;
        if m.len() < 8 {
            return None;
        }
        let expira = i64::from_be_bytes(m[..8].try_into().ok()?);
        let respuesta = String::from_utf8(m[8..].to_vec()).ok()?;
        Some(Reto {
            nonce,
            expira,
            respuesta,
        })
    }

    /// A challenge whose picture may still be shown: made here, not expired, not burnt.
    pub async fn reto_vigente(
        &self,
        db: &Db,
        id: &str,
        ahora: i64,
    ) -> Result<Option<Reto>, AppError> {
        let Some(reto) = self.abrir_reto(id).filter(|r| r.expira > ahora) else {
            return Ok(None);
        };
        let quemado = match &self.memoria {
            Some(m) => bloquear(m).quemados.contains_key(&reto.nonce),
            None => crate::db::guardia::captcha_usado(&db.pool, &hex(&reto.nonce)).await?,
        };
        Ok((!quemado).then_some(reto))
    }

    /// The keyed digest of a CURP or an email for the `intentos` table.
    pub fn clave_limite(&self, tipo: &str, valor: &str) -> String {
        cifra::resumen(&self.clave_resumen, tipo, valor)
    }

    /// Uses a single-use box (an e-mail confirmation link) until `expira`: false when it was used already.
    pub async fn quemar(
        &self,
        db: &Db,
        nonce: &crate::cifra::Nonce,
        expira: i64,
        ahora: i64,
    ) -> Result<bool, AppError> {
        match &self.memoria {
            Some(m) => {
                let mut m = bloquear(m);
                m.purgar(ahora);
                Ok(m.quemados.insert(*nonce, expira).is_none())
            }
            None => {
                let id = hex(nonce);
                db.write(move |c| {
                    let id = id.clone();
                    Box::pin(
                        async move { crate::db::guardia::quemar_captcha(c, &id, expira).await },
                    )
                })
                .await
            }
        }
    }

    /// Burns the challenge (whatever the answer), then counts the attempt against the CURP's and the email's
    /// daily limits.
    #[allow(clippy::too_many_arguments)]
    pub async fn pasar(
        &self,
        db: &Db,
        captcha_id: &str,
        respuesta: &str,
        curp: &str,
        correo: &str,
        ahora: i64,
        limites: (u32, u32),
    ) -> Result<Paso1, AppError> {
        let Some(reto) = self.abrir_reto(captcha_id) else {
            return Ok(Paso1::CaptchaInvalido);
        };
        let acierto = reto.expira > ahora && captcha::coincide(&reto.respuesta, respuesta);
        let claves = [
            (self.clave_limite("curp", curp), i64::from(limites.0)),
            (self.clave_limite("correo", correo), i64::from(limites.1)),
        ];
        let d = dia(ahora);
        match &self.memoria {
            Some(m) => {
                let mut m = bloquear(m);
                m.purgar(ahora);
                if m.quemados.insert(reto.nonce, reto.expira).is_some() || !acierto {
                    return Ok(Paso1::CaptchaInvalido);
                }
                let mut paso = Paso1::Valido;
                for (clave, limite) in claves {
                    let e = m.intentos.entry(clave.clone()).or_insert((d, 0));
                    if e.0 != d {
                        *e = (d, 0);
                    }
                    e.1 += 1;
                    let cuenta = e.1;
                    m.sucios.push(clave);
                    if cuenta > limite {
                        paso = Paso1::Limite;
                        break;
                    }
                }
                Ok(paso)
            }
            None => {
                let nonce = hex(&reto.nonce);
                db.write(move |c| {
                    let (nonce, claves) = (nonce.clone(), claves.clone());
                    Box::pin(async move {
                        let nuevo =
                            crate::db::guardia::quemar_captcha(c, &nonce, reto.expira).await?;
                        if !nuevo || !acierto {
                            return Ok(Paso1::CaptchaInvalido);
                        }
                        for (clave, limite) in &claves {
                            if crate::db::guardia::contar_intento(c, clave, d).await? > *limite {
                                return Ok(Paso1::Limite);
                            }
                        }
                        Ok(Paso1::Valido)
                    })
                })
                .await
            }
        }
    }

    /// Writes the counters changed since the last call (memory store; a no-op for the database store).
    pub async fn guardar_intentos(&self, db: &Db) -> Result<usize, AppError> {
        let Some(m) = &self.memoria else {
            return Ok(0);
        };
        let filas: Vec<(String, i64, i64)> = {
            let mut m = bloquear(m);
            let mut sucios = std::mem::take(&mut m.sucios);
            sucios.sort_unstable();
            sucios.dedup();
            sucios
                .into_iter()
                .filter_map(|k| m.intentos.get(&k).map(|&(d, c)| (k, d, c)))
                .collect()
        };
        if filas.is_empty() {
            return Ok(0);
        }
        let n = filas.len();
        crate::db::guardia::guardar_intentos(db, std::sync::Arc::new(filas)).await?;
        Ok(n)
    }

    /// Forgets everything about the daily counters (operators' `seed-demo` resets them in the database too).
    pub fn olvidar_intentos(&self) {
        if let Some(m) = &self.memoria {
            let mut m = bloquear(m);
            m.intentos.clear();
            m.sucios.clear();
        }
    }
}

impl Memoria {
    /// Drops burnt challenges past their expiry and counters of earlier days, at most once a minute.
    fn purgar(&mut self, ahora: i64) {
        if ahora - self.ultima_purga < 60 {
            return;
        }
        self.ultima_purga = ahora;
        self.quemados.retain(|_, expira| *expira > ahora);
        let hoy = dia(ahora);
        self.intentos.retain(|_, (d, _)| *d >= hoy);
    }
}

fn bloquear(m: &Mutex<Memoria>) -> std::sync::MutexGuard<'_, Memoria> {
    // A panic while holding the lock cannot leave the maps inconsistent in a way that matters here.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
