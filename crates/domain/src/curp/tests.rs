use super::*;
use crate::ErrorDeDominio;

#[test]
fn palabras_inconvenientes_are_81_sorted_and_unique() {
    assert_eq!(PALABRAS_INCONVENIENTES.len(), 81);
    assert!(PALABRAS_INCONVENIENTES.windows(2).all(|w| w[0] < w[1]));
    assert!(es_palabra_inconveniente("BUEI"));
    assert!(es_palabra_inconveniente("WUEY"));
    assert!(!es_palabra_inconveniente("BXEI"));
}

#[test]
fn thirty_three_states() {
    assert_eq!(Entidad::todas().count(), 33);
    let jc = Entidad::parse("jc").unwrap();
    assert_eq!(
        (jc.codigo(), jc.nombre(), jc.clave_inegi()),
        ("JC", "Jalisco", Some(14))
    );
    assert!(Entidad::parse("NE").unwrap().es_extranjero());
    assert_eq!(Entidad::parse("XX"), None);
    assert_eq!(CurpError::FechaInexistente.code(), "curp_fecha_inexistente");
}
