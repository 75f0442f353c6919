use super::*;

#[test]
fn state_names_map_to_inegi_codes() {
    assert_eq!(clave_estado("Ciudad de México"), Some(9));
    assert_eq!(clave_estado("VERACRUZ DE IGNACIO DE LA LLAVE"), Some(30));
    assert_eq!(clave_estado("Distrito Federal"), Some(9));
    assert_eq!(clave_estado("Narnia"), None);
    for (i, e) in ESTADOS.iter().enumerate() {
        assert_eq!(clave_estado(e), Some(i as u8 + 1));
    }
}
