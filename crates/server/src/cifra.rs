//! Sealed boxes: small messages the server hands out and reads back later (CAPTCHA challenges, solicitud tokens)
//! without keeping any row for them.
//!
//! A box is `base64url(nonce ‖ ciphertext ‖ tag)`: a random 12-byte nonce; the message XORed with a keystream of
//! HMAC-SHA256(k_enc, nonce ‖ counter) blocks (HMAC as a PRF in counter mode); a 16-byte tag HMAC-SHA256(k_mac,
//! purpose ‖ nonce ‖ ciphertext) checked in constant time before anything is decrypted (encrypt-then-MAC).
//! Both keys derive from one 32-byte key and a purpose label, so a box made for one purpose never opens as another.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac as _};
use rand::RngCore as _;
use sha2::Sha256;

const NONCE: usize = 12;
const TAG: usize = 16;

type HmacSha256 = Hmac<Sha256>;

fn hmac(clave: &[u8]) -> HmacSha256 {
    HmacSha256::new_from_slice(clave).expect("HMAC takes any key length")
}

/// Seals and opens boxes for one purpose.
#[derive(Clone)]
pub struct Caja {
    proposito: &'static str,
    k_enc: [u8; 32],
    k_mac: [u8; 32],
}

impl Caja {
    /// Keys for `proposito` derived from `clave`.
    pub fn new(clave: &[u8; 32], proposito: &'static str) -> Caja {
        let derivar = |uso: &str| -> [u8; 32] {
            let mut m = hmac(clave);
            m.update(b"afiliate/caja/v1\0");
            m.update(proposito.as_bytes());
            m.update(b"\0");
            m.update(uso.as_bytes());
            m.finalize().into_bytes().into()
        };
        Caja {
            proposito,
            k_enc: derivar("cifrado"),
            k_mac: derivar("autenticacion"),
        }
    }

    fn flujo(&self, nonce: &[u8], datos: &mut [u8]) {
        for (i, bloque) in datos.chunks_mut(32).enumerate() {
            let mut m = hmac(&self.k_enc);
            m.update(nonce);
            m.update(&(i as u32).to_be_bytes());
            let ks = m.finalize().into_bytes();
            for (b, k) in bloque.iter_mut().zip(ks.iter()) {
                *b ^= k;
            }
        }
    }

    fn etiqueta(&self, nonce_y_cifrado: &[u8]) -> HmacSha256 {
        let mut m = hmac(&self.k_mac);
        m.update(self.proposito.as_bytes());
        m.update(b"\0");
        m.update(nonce_y_cifrado);
        m
    }

    /// A new box holding `mensaje` (a fresh nonce each time, so equal messages give different boxes).
    pub fn sellar(&self, mensaje: &[u8]) -> String {
        let mut buf = vec![0u8; NONCE + mensaje.len() + TAG];
        rand::thread_rng().fill_bytes(&mut buf[..NONCE]);
        buf[NONCE..NONCE + mensaje.len()].copy_from_slice(mensaje);
        let (nonce, resto) = buf.split_at_mut(NONCE);
        self.flujo(nonce, &mut resto[..mensaje.len()]);
        let fin = NONCE + mensaje.len();
        let tag = self.etiqueta(&buf[..fin]).finalize().into_bytes();
        buf[fin..].copy_from_slice(&tag[..TAG]);
        URL_SAFE_NO_PAD.encode(buf)
    }

    /// The message in `caja`, or None when it was not made by this key for this purpose, or was altered.
    /// Also answers the nonce, which identifies the box (e.g. to burn a CAPTCHA once).
    pub fn abrir(&self, caja: &str) -> Option<([u8; NONCE], Vec<u8>)> {
        if caja.len() > 4096 {
            return None;
        }
        let buf = URL_SAFE_NO_PAD.decode(caja).ok()?;
        if buf.len() < NONCE + TAG {
            return None;
        }
        let fin = buf.len() - TAG;
        self.etiqueta(&buf[..fin])
            .verify_truncated_left(&buf[fin..])
            .ok()?;
        let mut nonce = [0u8; NONCE];
        nonce.copy_from_slice(&buf[..NONCE]);
        let mut mensaje = buf[NONCE..fin].to_vec();
        self.flujo(&nonce, &mut mensaje);
        Some((nonce, mensaje))
    }
}

/// A keyed digest (HMAC-SHA256, first 16 bytes, hex) of a personal value, for tables that must not hold it in clear.
pub fn resumen(clave: &[u8; 32], tipo: &str, valor: &str) -> String {
    let mut m = hmac(clave);
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
    fn resumen_con_clave() {
        let a = resumen(&[1u8; 32], "curp", "X");
        assert_eq!(a.len(), 32);
        assert_ne!(a, resumen(&[2u8; 32], "curp", "X"));
        assert_ne!(a, resumen(&[1u8; 32], "correo", "X"));
        assert_eq!(a, resumen(&[1u8; 32], "curp", "X"));
    }
}
