//! Sello key rotation end to end: documents, links and tokens made before a rotation keep working after it (on
//! SQLite and PostgreSQL), new documents carry the new key's id, a key file others can read stops the server, and
//! the `keys` commands of the binary.

mod common;

use afiliate_server::documents::Sellador;
use afiliate_server::http::documentos::AlmacenDocumentos as _;
use afiliate_server::AppState;
use axum::http::StatusCode;
use common::*;
use sqlx::Row;
use std::path::Path;
use std::process::Command;

/// A server process on the test's database with the key set `sellador`.
async fn proceso(e: &Entorno, sellador: Sellador) -> AppState {
    let db = afiliate_server::db::Db::connect(&e.url).await.unwrap();
    AppState::with_parts(config_base(e.dir.path()), db, sellador).unwrap()
}

async fn clave_de(st: &AppState, folio: &str) -> String {
    sqlx::query("SELECT clave FROM documentos WHERE folio = $1")
        .bind(folio)
        .fetch_one(&st.db().pool)
        .await
        .unwrap()
        .get(0)
}

async fn verificacion(st: &AppState, folio: &str) -> serde_json::Value {
    let (s, v, _) = llamar(st, get(&format!("/api/verificacion/{folio}"))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

async fn lo_sellado_antes_de_rotar_sigue_valiendo(b: Backend) {
    let e = entorno(b).await;
    let d = demos();
    let antes = Sellador::aleatorio();
    let st = proceso(&e, antes.clone()).await;
    let (s, v) = solicitar(&st, &d.localizado, "a@example.com").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let viejo = v["documentos"][0].clone();
    let folio = viejo["folio"].as_str().unwrap().to_string();
    let otro_folio = v["documentos"][1]["folio"].as_str().unwrap().to_string();
    assert_eq!(clave_de(&st, &folio).await, antes.id_activa());
    let (s, v) = solicitar(&st, &d.sin_nss, "b@example.com").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let token = v["token"].as_str().unwrap().to_string();
    drop(st);

    // The restart after `keys rotate`: the same keys plus a new active one.
    let despues = antes.rotado();
    let st = proceso(&e, despues.clone()).await;
    let v = verificacion(&st, &folio).await;
    assert_eq!(v["autentico"], true, "{v}");
    assert_eq!(
        v["clave"].as_str(),
        Some(antes.id_activa()),
        "the answer names the key that sealed it, the old one: {v}"
    );
    // A link handed out before the rotation still downloads.
    let (s, _, h) = llamar(&st, get(viejo["descargar_url"].as_str().unwrap())).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h["content-type"], "application/pdf");
    // A token sealed before the rotation still opens: the assignment goes through.
    let (s, v, _) = asignar_con_token(&st, &token).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let nuevo = v["documentos"][0]["folio"].as_str().unwrap().to_string();
    assert_eq!(clave_de(&st, &nuevo).await, despues.id_activa());
    assert_ne!(despues.id_activa(), antes.id_activa());
    let ver = verificacion(&st, &nuevo).await;
    assert_eq!(ver["autentico"], true);
    assert_eq!(ver["clave"].as_str(), Some(despues.id_activa()), "{ver}");
    // A link made now is signed with the new key and works.
    let (s, _, _) = llamar(&st, get(v["documentos"][0]["ver_url"].as_str().unwrap())).await;
    assert_eq!(s, StatusCode::OK);

    // A document from before key ids (no id recorded) verifies against the set.
    sqlx::query("UPDATE documentos SET clave = '' WHERE folio = $1")
        .bind(&otro_folio)
        .execute(&st.db().pool)
        .await
        .unwrap();
    assert_eq!(verificacion(&st, &otro_folio).await["autentico"], true);
    // A tampered one is still not authentic.
    sqlx::query("UPDATE documentos SET nss = '12345678902' WHERE folio = $1")
        .bind(&folio)
        .execute(&st.db().pool)
        .await
        .unwrap();
    let v = verificacion(&st, &folio).await;
    assert_eq!(v["autentico"], false);
    assert!(v["mensaje"].as_str().unwrap().contains("NO es auténtico"));
    // A server that lost the old key (the file not copied whole) cannot vouch for the old document.
    let sin_la_vieja = Sellador::aleatorio();
    let st = proceso(&e, sin_la_vieja).await;
    assert_eq!(verificacion(&st, &nuevo).await["autentico"], false);
}

en_ambas!(lo_sellado_antes_de_rotar_sigue_valiendo);

#[cfg(unix)]
fn poner_modo(ruta: &Path, modo: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(ruta, std::fs::Permissions::from_mode(modo)).unwrap();
}

/// `AppState::new` (what `serve` runs) refuses a key file that group or others can read, and starts with 0600.
#[cfg(unix)]
#[tokio::test]
async fn el_servidor_no_arranca_con_una_clave_legible_por_otros() {
    let dir = tempfile::tempdir().unwrap();
    let ruta = dir.path().join("keys/sello_ed25519.key");
    std::fs::create_dir_all(ruta.parent().unwrap()).unwrap();
    std::fs::write(&ruta, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n").unwrap();
    poner_modo(&ruta, 0o644);
    let e = AppState::new(config_base(dir.path()))
        .await
        .err()
        .expect("refused");
    let texto = format!("{e:#}");
    assert!(texto.contains(&ruta.display().to_string()), "{texto}");
    assert!(texto.contains("chmod 600"), "{texto}");
    assert!(
        !dir.path().join("afiliate.db").exists(),
        "refused before opening the database"
    );
    poner_modo(&ruta, 0o600);
    let st = AppState::new(config_base(dir.path()))
        .await
        .expect("starts");
    assert_eq!(
        st.documentos().sellador.id_activa(),
        Sellador::desde_semilla(std::array::from_fn(|i| i as u8)).id_activa(),
        "the single-seed file is the set's only key"
    );
}

fn servidor(args: &[&str], data_dir: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_afiliate-server"))
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("AFILIATE_SELLO_KEY")
        .env_remove("AFILIATE_DATA_DIR")
        .output()
        .expect("runs")
}

fn salida(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn keys_rotate_list_and_activate_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let ruta = dir.path().join("keys/sello_ed25519.key");
    std::fs::create_dir_all(ruta.parent().unwrap()).unwrap();
    // A key file from before key ids: one base64 seed.
    let semilla = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    std::fs::write(&ruta, format!("{semilla}\n")).unwrap();
    #[cfg(unix)]
    poner_modo(&ruta, 0o600);
    let original = Sellador::desde_semilla(std::array::from_fn(|i| i as u8));

    let o = servidor(&["keys", "rotate"], dir.path());
    assert!(o.status.success(), "{o:?}");
    let out = salida(&o);
    let nuevo = out.lines().last().unwrap().trim().to_string();
    assert_eq!(nuevo.len(), 12, "{out}");
    assert!(!out.contains(semilla), "no secret on stdout");
    let s = Sellador::leer(&ruta).unwrap();
    assert_eq!(s.id_activa(), nuevo);
    assert_eq!(s.claves().len(), 2);
    assert_eq!(
        s.claves()[0].id(),
        original.id_activa(),
        "the old key is kept"
    );
    let secreto_nuevo = std::fs::read_to_string(&ruta).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let modo = std::fs::metadata(&ruta).unwrap().permissions().mode() & 0o777;
        assert_eq!(modo, 0o600);
    }

    // Staged: a key added without activating it, then activated.
    let o = servidor(&["keys", "rotate", "--no-activate"], dir.path());
    assert!(o.status.success(), "{o:?}");
    let tercero = salida(&o).lines().last().unwrap().trim().to_string();
    assert_eq!(Sellador::leer(&ruta).unwrap().id_activa(), nuevo);

    let o = servidor(&["keys", "list"], dir.path());
    assert!(o.status.success(), "{o:?}");
    let lista = salida(&o);
    let lineas: Vec<&str> = lista.lines().collect();
    assert_eq!(lineas.len(), 4, "{lista}");
    assert!(lineas[1].starts_with(original.id_activa()) && lineas[1].contains("previa"));
    assert!(lineas[1].contains(&original.clave_publica_base64()));
    assert!(lineas[2].starts_with(&nuevo) && lineas[2].contains("activa"));
    assert!(lineas[3].starts_with(&tercero) && lineas[3].contains("previa"));
    for linea in secreto_nuevo.lines().filter(|l| !l.starts_with('#')) {
        let secreto = linea.split_whitespace().nth(1).unwrap();
        assert!(!lista.contains(secreto), "list shows no secret");
    }

    let o = servidor(&["keys", "activate", &tercero], dir.path());
    assert!(o.status.success(), "{o:?}");
    assert_eq!(Sellador::leer(&ruta).unwrap().id_activa(), tercero);
    let o = servidor(&["keys", "activate", "ffffffffffff"], dir.path());
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("no key with id ffffffffffff"));

    // A key file others can read: every command refuses it, naming the file and the fix.
    #[cfg(unix)]
    {
        poner_modo(&ruta, 0o644);
        for args in [&["keys", "rotate"][..], &["keys", "list"][..]] {
            let o = servidor(args, dir.path());
            assert!(!o.status.success(), "{args:?}");
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(err.contains("chmod 600"), "{err}");
            assert!(err.contains(&ruta.display().to_string()), "{err}");
        }
        assert_eq!(Sellador::leer(&ruta).err().map(|_| ()), Some(()));
        poner_modo(&ruta, 0o600);
        assert_eq!(
            Sellador::leer(&ruta).unwrap().claves().len(),
            3,
            "unchanged"
        );
    }
}
