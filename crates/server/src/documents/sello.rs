//! The sello digital: an Ed25519 signature of a document's cadena original, and the key that makes it.
//!
//! The key is 32 random bytes (the Ed25519 seed), kept as base64 text in `<data_dir>/keys/sello_ed25519.key`
//! (mode 0600, created on first start) or in the file named by `AFILIATE_SELLO_KEY`. The same seed also derives,
//! through HMAC-SHA256, the key of the signed document links ([`super::enlaces`]), and through HKDF-SHA256 the keys
//! of the sealed boxes ([`crate::cifra`]: solicitud tokens, CAPTCHA challenges on PostgreSQL); replacing the seed
//! invalidates earlier seals, links and boxes.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use hmac::{Hmac, Mac as _};
use sha2::Sha256;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Environment variable naming an existing key file (takes precedence over the data folder's key).
pub const ENV_CLAVE: &str = "AFILIATE_SELLO_KEY";

/// Errors loading or creating the signing key.
#[derive(Debug, thiserror::Error)]
pub enum ErrorClave {
    #[error("sello key file {ruta}: {fuente}")]
    Io {
        ruta: PathBuf,
        fuente: std::io::Error,
    },
    #[error("sello key file {0} does not hold a base64 32-byte Ed25519 seed")]
    Formato(PathBuf),
}

/// Holds the Ed25519 key: seals cadenas originales and verifies seals.
#[derive(Clone)]
pub struct Sellador {
    firma: SigningKey,
    clave_enlaces: [u8; 32],
}

impl std::fmt::Debug for Sellador {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sellador")
            .field("clave_publica", &self.clave_publica_base64())
            .finish()
    }
}

impl Sellador {
    /// A sealer from a 32-byte seed.
    pub fn desde_semilla(semilla: [u8; 32]) -> Sellador {
        let mut mac = <Hmac<Sha256>>::new_from_slice(&semilla).expect("HMAC takes any key length");
        mac.update(b"afiliate/enlaces/v1");
        let clave_enlaces = mac.finalize().into_bytes().into();
        Sellador {
            firma: SigningKey::from_bytes(&semilla),
            clave_enlaces,
        }
    }

    /// A 32-byte key for another purpose, derived from the seed (HMAC-SHA256 with the label).
    pub fn derivar(&self, etiqueta: &str) -> [u8; 32] {
        let mut mac = <Hmac<Sha256>>::new_from_slice(self.firma.as_bytes())
            .expect("HMAC takes any key length");
        mac.update(etiqueta.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// The sealed boxes ([`crate::cifra`]) for `proposito`, their key derived from the seed with HKDF-SHA256.
    pub fn caja(&self, proposito: &'static str) -> crate::cifra::Caja {
        crate::cifra::Caja::new(self.firma.as_bytes(), proposito)
    }

    /// A sealer with a fresh random key (tests, tools).
    pub fn aleatorio() -> Sellador {
        let mut semilla = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut semilla);
        Sellador::desde_semilla(semilla)
    }

    /// The key for `serve`: the file `configurada` (e.g. from `AFILIATE_SELLO_KEY`) when given, which must exist;
    /// otherwise `<data_dir>/keys/sello_ed25519.key`, created with a new random key when missing.
    pub fn cargar(data_dir: &Path, configurada: Option<&Path>) -> Result<Sellador, ErrorClave> {
        match configurada {
            Some(ruta) => Sellador::leer(ruta),
            None => Sellador::leer_o_generar(&data_dir.join("keys").join("sello_ed25519.key")),
        }
    }

    /// Like [`Sellador::cargar`], reading the configured path from the environment variable [`ENV_CLAVE`].
    pub fn desde_entorno(data_dir: &Path) -> Result<Sellador, ErrorClave> {
        let configurada = std::env::var_os(ENV_CLAVE)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from);
        Sellador::cargar(data_dir, configurada.as_deref())
    }

    /// Reads a key file: base64 of the 32-byte seed (whitespace ignored), or the 32 raw bytes.
    pub fn leer(ruta: &Path) -> Result<Sellador, ErrorClave> {
        let bytes = std::fs::read(ruta).map_err(|fuente| ErrorClave::Io {
            ruta: ruta.into(),
            fuente,
        })?;
        let semilla: Vec<u8> = if bytes.len() == 32 {
            bytes
        } else {
            let texto: String = String::from_utf8_lossy(&bytes).split_whitespace().collect();
            STANDARD
                .decode(texto)
                .map_err(|_| ErrorClave::Formato(ruta.into()))?
        };
        let semilla: [u8; 32] = semilla
            .try_into()
            .map_err(|_| ErrorClave::Formato(ruta.into()))?;
        Ok(Sellador::desde_semilla(semilla))
    }

    /// Reads the key at `ruta`, or creates it (0600, written and synced before use) when missing.
    /// Two processes starting at once agree: the loser of `create_new` reads the winner's file.
    pub fn leer_o_generar(ruta: &Path) -> Result<Sellador, ErrorClave> {
        let io = |fuente| ErrorClave::Io {
            ruta: ruta.into(),
            fuente,
        };
        if ruta.exists() {
            return Sellador::leer(ruta);
        }
        if let Some(dir) = ruta.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut semilla = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut semilla);
        let tmp = ruta.with_extension(format!("tmp{}", std::process::id()));
        {
            let mut opciones = std::fs::OpenOptions::new();
            opciones.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut opciones, 0o600);
            let mut f = opciones.open(&tmp).map_err(io)?;
            f.write_all(format!("{}\n", STANDARD.encode(semilla)).as_bytes())
                .map_err(io)?;
            f.sync_all().map_err(io)?;
        }
        // hard_link fails if the key appeared meanwhile: then the other process's key wins.
        let enlazado = std::fs::hard_link(&tmp, ruta);
        let _ = std::fs::remove_file(&tmp);
        match enlazado {
            Ok(()) => {
                if let Some(dir) = ruta.parent() {
                    if let Ok(d) = std::fs::File::open(dir) {
                        let _ = d.sync_all();
                    }
                }
                Ok(Sellador::desde_semilla(semilla))
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Sellador::leer(ruta),
            Err(e) => Err(io(e)),
        }
    }

    /// The sello digital of a cadena original: base64 of its Ed25519 signature.
    pub fn sellar(&self, cadena_original: &str) -> String {
        STANDARD.encode(self.firma.sign(cadena_original.as_bytes()).to_bytes())
    }

    /// Whether `sello` is this key's seal of `cadena_original`.
    pub fn verificar(&self, cadena_original: &str, sello: &str) -> bool {
        verificar_con(&self.firma.verifying_key(), cadena_original, sello)
    }

    /// The public key, base64 (publishable: anyone can check a seal with it).
    pub fn clave_publica_base64(&self) -> String {
        STANDARD.encode(self.firma.verifying_key().to_bytes())
    }

    pub(crate) fn clave_enlaces(&self) -> &[u8; 32] {
        &self.clave_enlaces
    }
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

/// Checks a seal against a base64 public key (as published by [`Sellador::clave_publica_base64`]).
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

    #[test]
    fn a_seal_verifies_only_for_its_cadena_and_key() {
        let s = Sellador::aleatorio();
        let cadena = "||1|NSS|CN-ABCDE-FGHJK-MNPQR|12345678901||";
        let sello = s.sellar(cadena);
        assert!(s.verificar(cadena, &sello));
        assert!(verificar(&s.clave_publica_base64(), cadena, &sello));
        assert!(!s.verificar("||1|NSS|CN-ABCDE-FGHJK-MNPQS|12345678901||", &sello));
        let mut otro = sello.clone().into_bytes();
        otro[5] = if otro[5] == b'A' { b'B' } else { b'A' };
        assert!(!s.verificar(cadena, std::str::from_utf8(&otro).unwrap()));
        assert!(!s.verificar(cadena, "no es base64!"));
        assert!(!s.verificar(cadena, ""));
        assert!(!Sellador::aleatorio().verificar(cadena, &sello));
    }

    #[test]
    fn the_key_file_is_created_once_with_mode_0600_and_reread() {
        let dir = tempfile::tempdir().unwrap();
        let a = Sellador::cargar(dir.path(), None).unwrap();
        let ruta = dir.path().join("keys/sello_ed25519.key");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&ruta).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        let b = Sellador::cargar(dir.path(), None).unwrap();
        assert_eq!(a.clave_publica_base64(), b.clave_publica_base64());
        let c = Sellador::cargar(Path::new("/nonexistent"), Some(&ruta)).unwrap();
        assert_eq!(a.clave_publica_base64(), c.clave_publica_base64());
        assert!(Sellador::cargar(dir.path(), Some(&dir.path().join("missing.key"))).is_err());
        std::fs::write(dir.path().join("bad.key"), "not a key").unwrap();
        assert!(matches!(
            Sellador::cargar(dir.path(), Some(&dir.path().join("bad.key"))),
            Err(ErrorClave::Formato(_))
        ));
    }
}
