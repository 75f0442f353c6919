//! Plain form and flow state: structs whose `validate()` calls the domain crate and returns field → message lists.

pub mod domicilio;
pub mod errores;
pub mod inicio;
pub mod tramite;
pub mod vigencia;

pub use errores::Errores;

use serde::de::DeserializeOwned;
use serde::Serialize;

/// Reads a value saved in sessionStorage under `clave` (the default when there is none or it cannot be read).
pub fn cargar<T: DeserializeOwned + Default>(clave: &str) -> T {
    storage()
        .and_then(|s| s.get_item(clave).ok().flatten())
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

/// Saves a value in sessionStorage under `clave` (the default value removes the key).
pub fn guardar<T: Serialize + Default + PartialEq>(clave: &str, valor: &T) {
    let Some(storage) = storage() else { return };
    if *valor == T::default() {
        let _ = storage.remove_item(clave);
    } else if let Ok(json) = serde_json::to_string(valor) {
        let _ = storage.set_item(clave, &json);
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}
