//! Sealed boxes: small messages the server hands out and reads back later (CAPTCHA challenges, solicitud tokens)
//! without keeping any row for them.
//!
//! A box is `base64url(nonce ‖ ciphertext ‖ tag)` made with XChaCha20-Poly1305 (the `chacha20poly1305` crate): a
//! random 24-byte nonce (from `rand`'s thread-local CSPRNG, seeded by the OS; long enough that random nonces do not
//! repeat), the message encrypted, and the 16-byte Poly1305 tag, checked before anything is decrypted. Each purpose
//! has its own key, derived with HKDF-SHA256 from the key it is given (the active sello key's seed, or a random
//! per-process key) with the purpose as HKDF's info, and the purpose is also the AEAD's associated data: a box made
//! for one purpose never opens as another. After a sello key rotation boxes are sealed with the new key and still
//! opened with the earlier ones ([`Caja::con_anteriores`]): they are short-lived, so a solicitud in progress or a
//! CAPTCHA on screen survives the restart that brings the new key in.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chacha20poly1305::aead::{AeadCore as _, AeadInPlace as _, KeyInit as _};
use chacha20poly1305::{Tag, XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Length of a box's nonce, which also identifies the box.
pub const NONCE: usize = 24;
const TAG: usize = 16;

/// A box's nonce (e.g. to burn a CAPTCHA once).
pub type Nonce = [u8; NONCE];

/// HKDF's salt: the version of this format.
const SAL_HKDF: &[u8] = b"afiliate/caja/v2";

/// Seals and opens boxes for one purpose.
#[derive(Clone)]
pub struct Caja {
    proposito: &'static str,
    aead: XChaCha20Poly1305,
    /// Earlier keys' AEADs (after a key rotation): they still open, never seal.
    anteriores: Vec<XChaCha20Poly1305>,
}

/// The AEAD for `proposito` derived from `clave` (HKDF-SHA256, the purpose as info).
fn aead(clave: &[u8; 32], proposito: &str) -> XChaCha20Poly1305 {
    let mut k = [0u8; 32];
    Hkdf::<Sha256>::new(Some(SAL_HKDF), clave)
        .expand(proposito.as_bytes(), &mut k)
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    XChaCha20Poly1305::new(&k.into())
}

impl Caja {
    /// The key for `proposito` derived from `clave` (HKDF-SHA256, the purpose as info).
    pub fn new(clave: &[u8; 32], proposito: &'static str) -> Caja {
        Caja::con_anteriores(clave, &[], proposito)
    }

    /// Seals with the key derived from `clave`; opens with it or with one derived from any of `anteriores`
    /// (the earlier sello keys: boxes made before a rotation keep opening while they last).
    pub fn con_anteriores(
        clave: &[u8; 32],
        anteriores: &[[u8; 32]],
        proposito: &'static str,
    ) -> Caja {
        Caja {
            proposito,
            aead: aead(clave, proposito),
            anteriores: anteriores.iter().map(|c| aead(c, proposito)).collect(),
        }
    }

    /// A new box holding `mensaje` (a fresh random nonce each time, so equal messages give different boxes).
    pub fn sellar(&self, mensaje: &[u8]) -> String {
        let nonce = XChaCha20Poly1305::generate_nonce(rand::thread_rng());
        let mut buf = vec![0u8; NONCE + mensaje.len() + TAG];
        let fin = NONCE + mensaje.len();
        buf[..NONCE].copy_from_slice(&nonce);
        buf[NONCE..fin].copy_from_slice(mensaje);
        let tag = self
            .aead
            .encrypt_in_place_detached(&nonce, self.proposito.as_bytes(), &mut buf[NONCE..fin])
            .expect("a box's message is far below XChaCha20-Poly1305's length limit");
        buf[fin..].copy_from_slice(&tag);
        URL_SAFE_NO_PAD.encode(buf)
    }

    /// The message in `caja`, or None when it was not made by this key for this purpose, or was altered.
    /// Also answers the nonce, which identifies the box (e.g. to burn a CAPTCHA once).
    pub fn abrir(&self, caja: &str) -> Option<(Nonce, Vec<u8>)> {
        if caja.len() > 4096 {
            return None;
        }
        let buf = URL_SAFE_NO_PAD.decode(caja).ok()?;
        if buf.len() < NONCE + TAG {
            return None;
        }
        let fin = buf.len() - TAG;
        let mut nonce: Nonce = [0u8; NONCE];
        nonce.copy_from_slice(&buf[..NONCE]);
        let cifrado = &buf[NONCE..fin];
        std::iter::once(&self.aead)
            .chain(&self.anteriores)
            .find_map(|aead| {
                let mut mensaje = cifrado.to_vec();
                aead.decrypt_in_place_detached(
                    XNonce::from_slice(&nonce),
                    self.proposito.as_bytes(),
                    &mut mensaje,
                    Tag::from_slice(&buf[fin..]),
                )
                .ok()
                .map(|()| (nonce, mensaje))
            })
    }
}

type HmacSha256 = Hmac<Sha256>;

/// A keyed digest (HMAC-SHA256, first 16 bytes, hex) of a personal value, for tables that must not hold it in clear.
pub fn resumen(clave: &[u8; 32], tipo: &str, valor: &str) -> String {
    let mut m = <HmacSha256 as Mac>::new_from_slice(clave).expect("HMAC takes any key length");
    m.update(b"afiliate/resumen/v1\0");
    m.update(tipo.as_bytes());
    m.update(b"\0");
    m.update(valor.as_bytes());
    m.finalize().into_bytes()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caja(p: &'static str) -> Caja {
        Caja::new(&[7u8; 32], p)
    }

    #[test]
    fn ida_y_vuelta() {
        let c = caja("token");
        for largo in [0usize, 1, 31, 32, 33, 200] {
            let m: Vec<u8> = (0..largo).map(|i| i as u8).collect();
            let s = c.sellar(&m);
            assert!(s
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
            let (_, abierto) = c.abrir(&s).expect("opens");
            assert_eq!(abierto, m);
        }
    }

    #[test]
    fn no_se_lee_el_mensaje() {
        let c = caja("token");
        let s = c.sellar(b"PEPJ900215HDFRRN05");
        let crudo = URL_SAFE_NO_PAD.decode(&s).unwrap();
        assert!(!crudo.windows(4).any(|w| w == b"PEPJ"));
        assert_ne!(s, c.sellar(b"PEPJ900215HDFRRN05"), "fresh nonce each time");
    }

    #[test]
    fn alterada_otra_clave_u_otro_proposito_no_abre() {
        let c = caja("token");
        let s = c.sellar(b"hola mundo");
        let mut crudo = URL_SAFE_NO_PAD.decode(&s).unwrap();
        for i in 0..crudo.len() {
            crudo[i] ^= 1;
            assert!(
                c.abrir(&URL_SAFE_NO_PAD.encode(&crudo)).is_none(),
                "byte {i}"
            );
            crudo[i] ^= 1;
        }
        assert!(caja("captcha").abrir(&s).is_none());
        assert!(Caja::new(&[8u8; 32], "token").abrir(&s).is_none());
        assert!(c.abrir("").is_none());
        assert!(c.abrir("no es base64 !!").is_none());
        assert!(c.abrir(&"A".repeat(5000)).is_none());
    }

    #[test]
    fn formato_nonce_y_largo() {
        let c = caja("token");
        let s = c.sellar(b"abc");
        let crudo = URL_SAFE_NO_PAD.decode(&s).unwrap();
        assert_eq!(crudo.len(), NONCE + 3 + TAG);
        let (nonce, m) = c.abrir(&s).unwrap();
        assert_eq!(&nonce[..], &crudo[..NONCE], "the nonce identifies the box");
        assert_eq!(m, b"abc");
    }

    #[test]
    fn un_proposito_nunca_abre_otro() {
        let clave = [9u8; 32];
        let token = Caja::new(&clave, "token");
        let captcha = Caja::new(&clave, "captcha");
        let s = token.sellar(b"mensaje");
        assert!(token.abrir(&s).is_some());
        assert!(captcha.abrir(&s).is_none(), "token box opened as captcha");
        assert!(token.abrir(&captcha.sellar(b"mensaje")).is_none());
        // The purpose is also the associated data: with the very same AEAD key, another purpose does not open.
        let misma_clave_otro_proposito = Caja {
            proposito: "captcha",
            aead: token.aead.clone(),
            anteriores: Vec::new(),
        };
        assert!(misma_clave_otro_proposito.abrir(&s).is_none());
    }

    #[test]
    fn las_claves_anteriores_abren_pero_no_sellan() {
        let vieja = Caja::new(&[1u8; 32], "token");
        let s = vieja.sellar(b"antes de rotar");
        let rotada = Caja::con_anteriores(&[2u8; 32], &[[1u8; 32]], "token");
        assert_eq!(rotada.abrir(&s).unwrap().1, b"antes de rotar");
        let nueva = rotada.sellar(b"despues");
        assert!(vieja.abrir(&nueva).is_none(), "sealed with the new key");
        assert!(Caja::new(&[2u8; 32], "token").abrir(&nueva).is_some());
        assert!(Caja::con_anteriores(&[2u8; 32], &[[1u8; 32]], "captcha")
            .abrir(&s)
            .is_none());
    }

    #[test]
    fn recortada_o_alargada_no_abre() {
        let c = caja("token");
        let s = c.sellar(b"hola mundo");
        let crudo = URL_SAFE_NO_PAD.decode(&s).unwrap();
        for n in 0..crudo.len() {
            assert!(
                c.abrir(&URL_SAFE_NO_PAD.encode(&crudo[..n])).is_none(),
                "cut at {n}"
            );
        }
        let mut largo = crudo.clone();
        largo.push(0);
        assert!(c.abrir(&URL_SAFE_NO_PAD.encode(&largo)).is_none());
    }

    #[test]
    fn resumen_con_clave() {
        let a = resumen(&[1u8; 32], "curp", "X");
        assert_eq!(a.len(), 32);
        assert_ne!(a, resumen(&[2u8; 32], "curp", "X"));
        assert_ne!(a, resumen(&[1u8; 32], "correo", "X"));
        assert_eq!(a, resumen(&[1u8; 32], "curp", "X"));
    }
}
