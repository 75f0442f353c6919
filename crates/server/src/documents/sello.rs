//! The sello digital: an Ed25519 signature of a document's cadena original, and the key set that makes it.
//!
//! The keys live in one file, `<data_dir>/keys/sello_ed25519.key` (created on first start, mode 0600 in a 0700
//! folder) or the file named by `AFILIATE_SELLO_KEY`, one key a line:
//!
//! ```text
//! # comment
//! <id> <base64 of the 32-byte Ed25519 seed> <created, RFC 3339 or -> [active]
//! ```
//!
//! A key's id is the first 12 hex digits of the SHA-256 of its public key ([`id_de`]), so anybody holding the
//! public key can compute it, and a line whose id does not match its seed is refused. One key, the one marked
//! `active` (the last one when none is), seals new documents, signs new links and seals new boxes; every key of
//! the file still verifies what it made. `afiliate-server keys rotate` appends a new active key and never removes
//! one ([`rotar`]). A file of the format before key ids (just the base64 seed, or its 32 raw bytes) is read as a
//! set of that one key.
//!
//! The file must not be readable or writable by group or others (Unix): the server refuses to start otherwise.
//!
//! What derives from the keys:
//! - document seals: a document records the id of the key that sealed it (`Documento::clave`); one without an id
//!   (issued before ids existed) verifies against any key of the set;
//! - signed document links ([`super::enlaces`]): HMAC-SHA256 keys derived from each key; links are made with the
//!   active one and accepted from any, so links handed out before a rotation work until they expire;
//! - sealed boxes ([`crate::cifra`]: solicitud tokens, CAPTCHA challenges on PostgreSQL): sealed with the active
//!   key, opened with any, so a solicitud in progress survives a rotation;
//! - the attempt counters' digest key ([`Sellador::derivar`]): from the set's first key, so a rotation does not
//!   reset anybody's daily limit.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use chrono::{DateTime, SecondsFormat, Utc};
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use hmac::{Hmac, Mac as _};
use sha2::{Digest as _, Sha256};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Environment variable naming an existing key file (takes precedence over the data folder's key).
pub const ENV_CLAVE: &str = "AFILIATE_SELLO_KEY";

/// The key file's name inside `<data_dir>/keys/`.
pub const ARCHIVO_CLAVES: &str = "sello_ed25519.key";

/// The mark of the active key's line.
const MARCA_ACTIVA: &str = "active";

/// Errors loading, creating or changing the key set.
#[derive(Debug, thiserror::Error)]
pub enum ErrorClave {
    #[error("sello key file {ruta}: {fuente}")]
    Io {
        ruta: PathBuf,
        fuente: std::io::Error,
    },
    #[error("sello key file {0} does not hold a base64 32-byte Ed25519 seed nor lines `<id> <base64 seed> <created> [active]`")]
    Formato(PathBuf),
    #[error("sello key file {ruta}, line {linea}: {motivo}")]
    Linea {
        ruta: PathBuf,
        linea: usize,
        motivo: String,
    },
    #[error(
        "sello key file {ruta} is readable or writable by group or others (mode {modo:03o}); it holds the keys that \
         seal documents: run `chmod 600 {ruta}` (and keep its folder 0700) before starting again"
    )]
    Permisos { ruta: PathBuf, modo: u32 },
    #[error("sello key file {ruta} has no key with id {id}")]
    IdDesconocido { ruta: PathBuf, id: String },
}

/// The id of a public key: the first 12 hex digits of its SHA-256 (stable, computable from the public key alone).
pub fn id_de(clave_publica: &VerifyingKey) -> String {
    Sha256::digest(clave_publica.as_bytes())[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One key of the set.
#[derive(Clone)]
pub struct ClaveSello {
    id: String,
    firma: SigningKey,
    enlaces: [u8; 32],
    /// When it was made (`None` for a key from before key ids).
    creada: Option<DateTime<Utc>>,
}

impl ClaveSello {
    fn new(semilla: [u8; 32], creada: Option<DateTime<Utc>>) -> ClaveSello {
        let firma = SigningKey::from_bytes(&semilla);
        let mut mac = <Hmac<Sha256>>::new_from_slice(&semilla).expect("HMAC takes any key length");
        mac.update(b"afiliate/enlaces/v1");
        ClaveSello {
            id: id_de(&firma.verifying_key()),
            firma,
            enlaces: mac.finalize().into_bytes().into(),
            creada,
        }
    }

    fn nueva() -> ClaveSello {
        let mut semilla = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut semilla);
        let ahora = Utc::now();
        ClaveSello::new(
            semilla,
            DateTime::from_timestamp(ahora.timestamp(), 0).or(Some(ahora)),
        )
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn creada(&self) -> Option<DateTime<Utc>> {
        self.creada
    }

    /// The public key, base64 (publishable: anyone can check a seal with it).
    pub fn clave_publica_base64(&self) -> String {
        STANDARD.encode(self.firma.verifying_key().to_bytes())
    }

    fn verificar(&self, cadena_original: &str, sello: &str) -> bool {
        verificar_con(&self.firma.verifying_key(), cadena_original, sello)
    }

    fn linea(&self, activa: bool) -> String {
        format!(
            "{} {} {}{}\n",
            self.id,
            STANDARD.encode(self.firma.as_bytes()),
            self.creada
                .map(|c| c.to_rfc3339_opts(SecondsFormat::Secs, true))
                .unwrap_or_else(|| "-".into()),
            if activa { " active" } else { "" }
        )
    }
}

/// The key set: seals with the active key, verifies with any.
#[derive(Clone)]
pub struct Sellador {
    claves: Arc<[ClaveSello]>,
    activa: usize,
}

impl std::fmt::Debug for Sellador {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sellador")
            .field("activa", &self.id_activa())
            .field("claves", &self.claves.len())
            .finish()
    }
}

impl Sellador {
    fn de_claves(claves: Vec<ClaveSello>, activa: usize) -> Sellador {
        assert!(activa < claves.len(), "the active key is one of the set");
        Sellador {
            claves: claves.into(),
            activa,
        }
    }

    /// A set of one key from a 32-byte seed.
    pub fn desde_semilla(semilla: [u8; 32]) -> Sellador {
        Sellador::de_claves(vec![ClaveSello::new(semilla, None)], 0)
    }

    /// A set of one fresh random key (tests, tools).
    pub fn aleatorio() -> Sellador {
        Sellador::de_claves(vec![ClaveSello::nueva()], 0)
    }

    /// This set plus a fresh random key, which becomes the active one (what [`rotar`] does to the file).
    pub fn rotado(&self) -> Sellador {
        let mut claves = self.claves.to_vec();
        claves.push(ClaveSello::nueva());
        let activa = claves.len() - 1;
        Sellador::de_claves(claves, activa)
    }

    /// The keys, in the file's order (the first one is the oldest).
    pub fn claves(&self) -> &[ClaveSello] {
        &self.claves
    }

    fn activa(&self) -> &ClaveSello {
        &self.claves[self.activa]
    }

    /// The id of the key that seals new documents.
    pub fn id_activa(&self) -> &str {
        &self.activa().id
    }

    /// A 32-byte key for another purpose (HMAC-SHA256 with the label), derived from the set's **first** key so
    /// that it stays the same across rotations (the attempt counters' digests).
    pub fn derivar(&self, etiqueta: &str) -> [u8; 32] {
        let mut mac = <Hmac<Sha256>>::new_from_slice(self.claves[0].firma.as_bytes())
            .expect("HMAC takes any key length");
        mac.update(etiqueta.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// The sealed boxes ([`crate::cifra`]) for `proposito`: sealed with the active key's, opened with any key's
    /// (each derived from its seed with HKDF-SHA256).
    pub fn caja(&self, proposito: &'static str) -> crate::cifra::Caja {
        let anteriores: Vec<[u8; 32]> = self
            .claves
            .iter()
            .enumerate()
            .rev()
            .filter(|(i, _)| *i != self.activa)
            .map(|(_, c)| c.firma.to_bytes())
            .collect();
        crate::cifra::Caja::con_anteriores(&self.activa().firma.to_bytes(), &anteriores, proposito)
    }

    /// The key for `serve`: the file `configurada` (e.g. from `AFILIATE_SELLO_KEY`) when given, which must exist;
    /// otherwise `<data_dir>/keys/sello_ed25519.key`, created with a new random key when missing.
    pub fn cargar(data_dir: &Path, configurada: Option<&Path>) -> Result<Sellador, ErrorClave> {
        match configurada {
            Some(ruta) => Sellador::leer(ruta),
            None => Sellador::leer_o_generar(&ruta_predeterminada(data_dir)),
        }
    }

    /// Like [`Sellador::cargar`], reading the configured path from the environment variable [`ENV_CLAVE`].
    pub fn desde_entorno(data_dir: &Path) -> Result<Sellador, ErrorClave> {
        Sellador::cargar(data_dir, configurada_en_entorno().as_deref())
    }

    /// Reads a key file (either format, see the module's documentation), refusing one that group or others may
    /// read or write.
    pub fn leer(ruta: &Path) -> Result<Sellador, ErrorClave> {
        comprobar_permisos(ruta)?;
        let bytes = std::fs::read(ruta).map_err(|fuente| ErrorClave::Io {
            ruta: ruta.into(),
            fuente,
        })?;
        let (claves, activa) = interpretar(ruta, &bytes)?;
        Ok(Sellador::de_claves(claves, activa))
    }

    /// Reads the key file at `ruta`, or creates it with one new key (0600 in a 0700 folder, written and synced
    /// before use) when missing. Two processes starting at once agree: the loser of the link reads the winner's.
    pub fn leer_o_generar(ruta: &Path) -> Result<Sellador, ErrorClave> {
        if ruta.exists() {
            return Sellador::leer(ruta);
        }
        let nueva = Sellador::de_claves(vec![ClaveSello::nueva()], 0);
        let tmp = escribir_temporal(ruta, &nueva)?;
        // hard_link fails if the key appeared meanwhile: then the other process's key wins.
        let enlazado = std::fs::hard_link(&tmp, ruta);
        let _ = std::fs::remove_file(&tmp);
        match enlazado {
            Ok(()) => {
                sincronizar_carpeta(ruta);
                Ok(nueva)
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Sellador::leer(ruta),
            Err(fuente) => Err(ErrorClave::Io {
                ruta: ruta.into(),
                fuente,
            }),
        }
    }

    /// The sello digital of a cadena original with the active key: base64 of its Ed25519 signature.
    pub fn sellar(&self, cadena_original: &str) -> String {
        STANDARD.encode(
            self.activa()
                .firma
                .sign(cadena_original.as_bytes())
                .to_bytes(),
        )
    }

    /// Whether `sello` is the seal of `cadena_original` by the key `id`; an empty id (a document from before key
    /// ids) accepts any key of the set. An id the set does not hold is not authentic (and logged: the operator
    /// probably left a key out of the file).
    pub fn verificar_clave(&self, id: &str, cadena_original: &str, sello: &str) -> bool {
        if id.is_empty() {
            return self.verificar(cadena_original, sello);
        }
        match self.claves.iter().find(|c| c.id == id) {
            Some(c) => c.verificar(cadena_original, sello),
            None => {
                tracing::warn!(
                    clave = id,
                    "a document's sello key is not in the key set: it verifies as not authentic"
                );
                false
            }
        }
    }

    /// Whether `sello` is the seal of `cadena_original` by any key of the set.
    pub fn verificar(&self, cadena_original: &str, sello: &str) -> bool {
        self.claves
            .iter()
            .any(|c| c.verificar(cadena_original, sello))
    }

    /// The active key's public key, base64.
    pub fn clave_publica_base64(&self) -> String {
        self.activa().clave_publica_base64()
    }

    /// The link keys, the active one first.
    pub(crate) fn claves_enlaces(&self) -> Vec<[u8; 32]> {
        std::iter::once(self.activa().enlaces)
            .chain(
                self.claves
                    .iter()
                    .enumerate()
                    .rev()
                    .filter(|(i, _)| *i != self.activa)
                    .map(|(_, c)| c.enlaces),
            )
            .collect()
    }
}

/// `<data_dir>/keys/sello_ed25519.key`.
pub fn ruta_predeterminada(data_dir: &Path) -> PathBuf {
    data_dir.join("keys").join(ARCHIVO_CLAVES)
}

/// The key file [`ENV_CLAVE`] names, if set and not empty.
pub fn configurada_en_entorno() -> Option<PathBuf> {
    std::env::var_os(ENV_CLAVE)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// Refuses a key file that group or others may read or write (Unix; elsewhere nothing is checked).
pub fn comprobar_permisos(ruta: &Path) -> Result<(), ErrorClave> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let modo = std::fs::metadata(ruta)
            .map_err(|fuente| ErrorClave::Io {
                ruta: ruta.into(),
                fuente,
            })?
            .permissions()
            .mode()
            & 0o777;
        if modo & 0o077 != 0 {
            return Err(ErrorClave::Permisos {
                ruta: ruta.into(),
                modo,
            });
        }
    }
    #[cfg(not(unix))]
    let _ = ruta;
    Ok(())
}

/// The keys of a file's bytes and the index of the active one.
fn interpretar(ruta: &Path, bytes: &[u8]) -> Result<(Vec<ClaveSello>, usize), ErrorClave> {
    let formato = || ErrorClave::Formato(ruta.into());
    let semilla_de = |b64: &str| -> Option<[u8; 32]> { STANDARD.decode(b64).ok()?.try_into().ok() };
    if let Ok(semilla) = <[u8; 32]>::try_from(bytes) {
        return Ok((vec![ClaveSello::new(semilla, None)], 0));
    }
    let texto = std::str::from_utf8(bytes).ok();
    let lineas: Vec<(usize, Vec<&str>)> = texto
        .map(|t| {
            t.lines()
                .enumerate()
                .map(|(i, l)| (i + 1, l.split('#').next().unwrap_or("")))
                .map(|(i, l)| (i, l.split_whitespace().collect::<Vec<_>>()))
                .filter(|(_, p)| !p.is_empty())
                .collect()
        })
        .unwrap_or_default();
    // The format before key ids: the seed alone, as base64 text (whitespace ignored) or its 32 raw bytes.
    if lineas.iter().all(|(_, p)| p.len() == 1) {
        let unido: String = lineas.iter().map(|(_, p)| p[0]).collect();
        let semilla = semilla_de(&unido).ok_or_else(formato)?;
        return Ok((vec![ClaveSello::new(semilla, None)], 0));
    }
    let mut claves: Vec<ClaveSello> = Vec::new();
    let mut activa = None;
    for (n, partes) in lineas {
        let error = |motivo: &str| ErrorClave::Linea {
            ruta: ruta.into(),
            linea: n,
            motivo: motivo.into(),
        };
        let (id, semilla, creada, marca) = match partes.as_slice() {
            [id, s, c] => (*id, *s, *c, None),
            [id, s, c, m] => (*id, *s, *c, Some(*m)),
            _ => return Err(error("expected `<id> <base64 seed> <created> [active]`")),
        };
        let semilla =
            semilla_de(semilla).ok_or_else(|| error("the seed is not base64 of 32 bytes"))?;
        let creada = match creada {
            "-" => None,
            c => Some(
                DateTime::parse_from_rfc3339(c)
                    .map_err(|_| error("the created date is not RFC 3339 (or -)"))?
                    .with_timezone(&Utc),
            ),
        };
        let clave = ClaveSello::new(semilla, creada);
        if clave.id != id {
            return Err(error(&format!(
                "the id does not match the key (its id is {})",
                clave.id
            )));
        }
        if claves.iter().any(|c| c.id == clave.id) {
            return Err(error("the same key appears twice"));
        }
        match marca {
            None => {}
            Some(MARCA_ACTIVA) if activa.is_none() => activa = Some(claves.len()),
            Some(MARCA_ACTIVA) => return Err(error("more than one key is marked active")),
            Some(_) => return Err(error("the only mark a key takes is `active`")),
        }
        claves.push(clave);
    }
    if claves.is_empty() {
        return Err(formato());
    }
    let activa = activa.unwrap_or(claves.len() - 1);
    Ok((claves, activa))
}

/// The file's text for a set.
fn texto_de(s: &Sellador) -> String {
    let mut t = String::from(
        "# Afíliate sello keys: `<id> <base64 Ed25519 seed> <created> [active]`, one a line. SECRET: keep mode 0600.\n\
         # Never delete a line: what its key sealed would stop verifying. `afiliate-server keys rotate` adds keys.\n",
    );
    for (i, c) in s.claves.iter().enumerate() {
        t.push_str(&c.linea(i == s.activa));
    }
    t
}

/// Creates `ruta`'s folder (0700) when missing.
fn crear_carpeta(ruta: &Path) -> std::io::Result<()> {
    match ruta.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) if !dir.exists() => {
            let mut b = std::fs::DirBuilder::new();
            b.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
            b.create(dir)
        }
        _ => Ok(()),
    }
}

/// Writes the set to a new temporary file beside `ruta` (0600, synced; the folder created 0700 when missing).
fn escribir_temporal(ruta: &Path, s: &Sellador) -> Result<PathBuf, ErrorClave> {
    let io = |fuente| ErrorClave::Io {
        ruta: ruta.into(),
        fuente,
    };
    crear_carpeta(ruta).map_err(io)?;
    let mut nombre = ruta.file_name().unwrap_or_default().to_os_string();
    nombre.push(format!(".tmp{}", std::process::id()));
    let tmp = ruta.with_file_name(nombre);
    let _ = std::fs::remove_file(&tmp);
    let mut opciones = std::fs::OpenOptions::new();
    opciones.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opciones, 0o600);
    let mut f = opciones.open(&tmp).map_err(io)?;
    let escrito = f
        .write_all(texto_de(s).as_bytes())
        .and_then(|()| f.sync_all());
    if let Err(e) = escrito {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(e));
    }
    Ok(tmp)
}

fn sincronizar_carpeta(ruta: &Path) {
    if let Some(dir) = ruta.parent() {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

/// Replaces the file at `ruta` with `s` atomically (a temporary file renamed over it).
fn reemplazar(ruta: &Path, s: &Sellador) -> Result<(), ErrorClave> {
    let tmp = escribir_temporal(ruta, s)?;
    if let Err(fuente) = std::fs::rename(&tmp, ruta) {
        let _ = std::fs::remove_file(&tmp);
        return Err(ErrorClave::Io {
            ruta: ruta.into(),
            fuente,
        });
    }
    sincronizar_carpeta(ruta);
    Ok(())
}

/// Holds an exclusive lock on `<ruta>.lock` (created 0600 when missing) while it lives: two `keys rotate` or
/// `keys activate` at once take turns instead of one overwriting the other's key.
fn bloquear(ruta: &Path) -> Result<std::fs::File, ErrorClave> {
    let io = |fuente| ErrorClave::Io {
        ruta: ruta.into(),
        fuente,
    };
    crear_carpeta(ruta).map_err(io)?;
    let mut nombre = ruta.file_name().unwrap_or_default().to_os_string();
    nombre.push(".lock");
    let mut opciones = std::fs::OpenOptions::new();
    opciones.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opciones, 0o600);
    let f = opciones.open(ruta.with_file_name(nombre)).map_err(io)?;
    f.lock().map_err(io)?;
    Ok(f)
}

/// Adds a new key to the file at `ruta` (created when missing), the active one when `activar`; keeps every
/// earlier key. Answers the new key's id. Running servers use it from their next start.
pub fn rotar(ruta: &Path, activar: bool) -> Result<String, ErrorClave> {
    let _turno = bloquear(ruta)?;
    let nueva = ClaveSello::nueva();
    let id = nueva.id.clone();
    let s = if ruta.exists() {
        let s = Sellador::leer(ruta)?;
        let mut claves = s.claves.to_vec();
        claves.push(nueva);
        let activa = if activar { claves.len() - 1 } else { s.activa };
        Sellador::de_claves(claves, activa)
    } else {
        Sellador::de_claves(vec![nueva], 0)
    };
    reemplazar(ruta, &s)?;
    Ok(id)
}

/// Makes the key `id` of the file at `ruta` the active one.
pub fn activar(ruta: &Path, id: &str) -> Result<(), ErrorClave> {
    let _turno = bloquear(ruta)?;
    let s = Sellador::leer(ruta)?;
    let Some(i) = s.claves.iter().position(|c| c.id == id) else {
        return Err(ErrorClave::IdDesconocido {
            ruta: ruta.into(),
            id: id.into(),
        });
    };
    reemplazar(ruta, &Sellador::de_claves(s.claves.to_vec(), i))
}

/// Checks a seal against a public key; malformed input is simply not authentic.
pub fn verificar_con(clave_publica: &VerifyingKey, cadena_original: &str, sello: &str) -> bool {
    let Ok(bytes) = STANDARD.decode(sello.trim()) else {
        return false;
    };
    let Ok(bytes) = <[u8; 64]>::try_from(bytes.as_slice()) else {
        return false;
    };
    clave_publica
        .verify_strict(cadena_original.as_bytes(), &Signature::from_bytes(&bytes))
        .is_ok()
}

/// Checks a seal against a base64 public key (as published by [`ClaveSello::clave_publica_base64`]).
pub fn verificar(clave_publica_base64: &str, cadena_original: &str, sello: &str) -> bool {
    let Ok(bytes) = STANDARD.decode(clave_publica_base64.trim()) else {
        return false;
    };
    let Ok(bytes) = <[u8; 32]>::try_from(bytes.as_slice()) else {
        return false;
    };
    let Ok(clave) = VerifyingKey::from_bytes(&bytes) else {
        return false;
    };
    verificar_con(&clave, cadena_original, sello)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn modo(ruta: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(ruta).unwrap().permissions().mode() & 0o777
    }

    #[cfg(unix)]
    fn poner_modo(ruta: &Path, m: u32) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(ruta, std::fs::Permissions::from_mode(m)).unwrap();
    }

    #[test]
    fn a_seal_verifies_only_for_its_cadena_and_key() {
        let s = Sellador::aleatorio();
        let cadena = "||1|NSS|CN-ABCDE-FGHJK-MNPQR|12345678901||";
        let sello = s.sellar(cadena);
        assert!(s.verificar(cadena, &sello));
        assert!(s.verificar_clave(s.id_activa(), cadena, &sello));
        assert!(verificar(&s.clave_publica_base64(), cadena, &sello));
        assert!(!s.verificar("||1|NSS|CN-ABCDE-FGHJK-MNPQS|12345678901||", &sello));
        let mut otro = sello.clone().into_bytes();
        otro[5] = if otro[5] == b'A' { b'B' } else { b'A' };
        assert!(!s.verificar(cadena, std::str::from_utf8(&otro).unwrap()));
        assert!(!s.verificar(cadena, "no es base64!"));
        assert!(!s.verificar(cadena, ""));
        assert!(!Sellador::aleatorio().verificar(cadena, &sello));
        assert!(
            !s.verificar_clave("000000000000", cadena, &sello),
            "unknown id"
        );
    }

    #[test]
    fn ids_are_twelve_hex_digits_of_the_public_key() {
        let s = Sellador::desde_semilla([42; 32]);
        let id = s.id_activa().to_string();
        assert_eq!(id.len(), 12);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(id, Sellador::desde_semilla([42; 32]).id_activa());
        assert_ne!(id, Sellador::desde_semilla([43; 32]).id_activa());
    }

    #[test]
    fn after_a_rotation_old_seals_verify_with_their_key_and_new_ones_use_the_new_key() {
        let viejo = Sellador::aleatorio();
        let cadena = "||1.0|comprobante_nss|asignacion|CN-ABCDE-FGHJK-MNPQR||";
        let sello_viejo = viejo.sellar(cadena);
        let nuevo = viejo.rotado();
        assert_eq!(nuevo.claves().len(), 2);
        assert_ne!(nuevo.id_activa(), viejo.id_activa());
        assert!(nuevo.verificar_clave(viejo.id_activa(), cadena, &sello_viejo));
        assert!(
            !nuevo.verificar_clave(nuevo.id_activa(), cadena, &sello_viejo),
            "a seal verifies only with the key its id names"
        );
        assert!(
            nuevo.verificar_clave("", cadena, &sello_viejo),
            "no id: any key"
        );
        let sello_nuevo = nuevo.sellar(cadena);
        assert!(nuevo.verificar_clave(nuevo.id_activa(), cadena, &sello_nuevo));
        assert!(!viejo.verificar(cadena, &sello_nuevo));
        // The digest key stays with the first key: a rotation does not reset the daily counters.
        assert_eq!(nuevo.derivar("x"), viejo.derivar("x"));
        // Boxes of the old key open after the rotation; new ones are sealed with the new key.
        let caja_vieja = viejo.caja("token").sellar(b"m");
        assert_eq!(nuevo.caja("token").abrir(&caja_vieja).unwrap().1, b"m");
        assert!(viejo
            .caja("token")
            .abrir(&nuevo.caja("token").sellar(b"m"))
            .is_none());
    }

    #[test]
    fn the_key_file_is_created_once_with_mode_0600_in_a_0700_folder_and_reread() {
        let dir = tempfile::tempdir().unwrap();
        let a = Sellador::cargar(dir.path(), None).unwrap();
        let ruta = dir.path().join("keys/sello_ed25519.key");
        #[cfg(unix)]
        {
            assert_eq!(modo(&ruta), 0o600);
            assert_eq!(modo(&dir.path().join("keys")), 0o700);
        }
        let texto = std::fs::read_to_string(&ruta).unwrap();
        assert!(
            texto.contains(&format!("{} ", a.id_activa())) && texto.contains(" active"),
            "one line per key, the active one marked"
        );
        let b = Sellador::cargar(dir.path(), None).unwrap();
        assert_eq!(a.clave_publica_base64(), b.clave_publica_base64());
        assert!(b.claves()[0].creada().is_some());
        let c = Sellador::cargar(Path::new("/nonexistent"), Some(&ruta)).unwrap();
        assert_eq!(a.clave_publica_base64(), c.clave_publica_base64());
        assert!(Sellador::cargar(dir.path(), Some(&dir.path().join("missing.key"))).is_err());
        let malo = dir.path().join("bad.key");
        std::fs::write(&malo, "not-a-key").unwrap();
        #[cfg(unix)]
        poner_modo(&malo, 0o600);
        assert!(matches!(
            Sellador::cargar(dir.path(), Some(&malo)),
            Err(ErrorClave::Formato(_))
        ));
        std::fs::write(&malo, "not a key").unwrap();
        assert!(matches!(
            Sellador::cargar(dir.path(), Some(&malo)),
            Err(ErrorClave::Linea { linea: 1, .. })
        ));
    }

    #[test]
    fn rotations_at_once_take_turns_and_keep_every_key() {
        let dir = tempfile::tempdir().unwrap();
        let ruta = dir.path().join("keys/sello.key");
        let primera = rotar(&ruta, true).unwrap();
        let ids: Vec<String> = std::thread::scope(|s| {
            let hilos: Vec<_> = (0..8)
                .map(|_| s.spawn(|| rotar(&ruta, true).unwrap()))
                .collect();
            hilos.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let s = Sellador::leer(&ruta).unwrap();
        let en_archivo: Vec<&str> = s.claves().iter().map(|c| c.id()).collect();
        assert_eq!(en_archivo.len(), 9, "no rotation lost: {en_archivo:?}");
        assert_eq!(en_archivo[0], primera);
        for id in &ids {
            assert!(en_archivo.contains(&id.as_str()), "{id} lost");
        }
        assert_eq!(s.id_activa(), *en_archivo.last().unwrap());
    }

    #[test]
    fn a_single_seed_file_is_a_set_of_that_one_active_key_and_rotates_keeping_it() {
        let dir = tempfile::tempdir().unwrap();
        let ruta = dir.path().join("sello.key");
        let semilla = [7u8; 32];
        std::fs::write(&ruta, format!("{}\n", STANDARD.encode(semilla))).unwrap();
        #[cfg(unix)]
        poner_modo(&ruta, 0o600);
        let antes = Sellador::leer(&ruta).unwrap();
        let original = Sellador::desde_semilla(semilla);
        assert_eq!(antes.claves().len(), 1);
        assert_eq!(antes.id_activa(), original.id_activa());
        assert!(antes.claves()[0].creada().is_none());
        let cadena = "||1.0|x||";
        let sello = original.sellar(cadena);

        let id = rotar(&ruta, true).unwrap();
        let despues = Sellador::leer(&ruta).unwrap();
        assert_eq!(despues.id_activa(), id);
        assert_eq!(despues.claves().len(), 2);
        assert_eq!(
            despues.claves()[0].id(),
            original.id_activa(),
            "kept, first"
        );
        assert!(despues.verificar_clave(original.id_activa(), cadena, &sello));
        assert!(despues.verificar_clave("", cadena, &sello));
        #[cfg(unix)]
        assert_eq!(modo(&ruta), 0o600);

        // A staged key (not active), then activated.
        let otra = rotar(&ruta, false).unwrap();
        assert_eq!(Sellador::leer(&ruta).unwrap().id_activa(), id);
        activar(&ruta, &otra).unwrap();
        let s = Sellador::leer(&ruta).unwrap();
        assert_eq!(s.id_activa(), otra);
        assert_eq!(s.claves().len(), 3);
        assert!(matches!(
            activar(&ruta, "ffffffffffff"),
            Err(ErrorClave::IdDesconocido { .. })
        ));

        // The 32 raw bytes, the oldest format, too.
        std::fs::write(&ruta, semilla).unwrap();
        assert_eq!(
            Sellador::leer(&ruta).unwrap().id_activa(),
            original.id_activa()
        );
    }

    #[test]
    fn malformed_sets_are_refused_naming_the_line() {
        let s = Sellador::aleatorio().rotado();
        let bueno = texto_de(&s);
        let ruta = Path::new("k");
        let (claves, activa) = interpretar(ruta, bueno.as_bytes()).unwrap();
        assert_eq!((claves.len(), activa), (2, 1));
        let sin_marca = bueno.replace(" active", "");
        assert_eq!(
            interpretar(ruta, sin_marca.as_bytes()).unwrap().1,
            1,
            "last"
        );
        let id = s.claves()[0].id();
        for (malo, esperado) in [
            (bueno.replacen(id, "0123456789ab", 1), "does not match"),
            (bueno.replace("Z\n", "Z active\n"), "more than one"),
            (bueno.replace(" active", " activa"), "only mark"),
            (format!("{bueno}{}", s.claves()[0].linea(false)), "twice"),
        ] {
            let e = interpretar(ruta, malo.as_bytes()).err().expect(esperado);
            assert!(e.to_string().contains(esperado), "{e}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_key_file_readable_or_writable_by_others_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let ruta = dir.path().join("keys/sello_ed25519.key");
        Sellador::cargar(dir.path(), None).unwrap();
        for m in [0o644, 0o640, 0o604, 0o620, 0o602] {
            poner_modo(&ruta, m);
            let e = Sellador::cargar(dir.path(), None).unwrap_err();
            assert!(matches!(e, ErrorClave::Permisos { .. }), "{m:o}: {e}");
            let texto = e.to_string();
            assert!(
                texto.contains(&format!("chmod 600 {}", ruta.display())),
                "{texto}"
            );
            assert!(Sellador::cargar(dir.path(), Some(&ruta)).is_err());
            assert!(rotar(&ruta, true).is_err(), "rotate refuses it too");
        }
        for m in [0o600, 0o400] {
            poner_modo(&ruta, m);
            assert!(Sellador::cargar(dir.path(), None).is_ok(), "{m:o}");
        }
    }
}
