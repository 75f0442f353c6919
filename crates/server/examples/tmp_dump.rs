use afiliate_server::documents::{Documentos, Persona, Sellador, TipoDocumento, Tramite};
fn main() {
    let docs = Documentos::new(
        Sellador::aleatorio(),
        "https://afiliate.example.mx",
        24 * 3600,
    );
    let persona = Persona {
        nombre: "María José Peña Núñez".into(),
        curp: "PENM000101MDFXXX09".into(),
        nss: "12345000001".into(),
    };
    for (t, n) in [
        (TipoDocumento::ComprobanteNss, "/tmp/c.pdf"),
        (TipoDocumento::TarjetaNss, "/tmp/t.pdf"),
    ] {
        let d = docs.emitir(t, Tramite::Asignacion, &persona, chrono::Utc::now());
        std::fs::write(n, docs.render(&d)).unwrap();
    }
}
