//! `afiliate-server catalog import <file>` and `catalog lookup <cp>`.
//!
//! The import accepts SEPOMEX's `CPdescarga.txt`, the SQLite file of the PyPI package `postalcodes-mexico`
//! (table `places(cp, place, place_type, municipality, city, state)`), or that package's pinned wheel itself
//! (its sha256 checked, the SQLite file [`WHEEL_SQLITE_PATH`] read from inside it), and writes `<data_dir>/catalog/catalogo.bin` plus the browser shards in
//! `<data_dir>/catalog/cp/`, each atomically (written aside, then renamed into place).

use afiliate_domain::api;
use afiliate_domain::postal::{self, Catalogo, CatalogoBuilder, LineaInvalida};
use afiliate_domain::ErrorDeDominio;
use anyhow::{anyhow, bail, Context};
use serde::Serialize;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Row};
use std::fmt;
use std::path::{Path, PathBuf};

/// First bytes of every SQLite database file.
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";
/// First bytes of a zip file (a Python wheel).
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

/// The pinned wheel: `pip download postalcodes-mexico==0.4.2 --no-deps` gives this file.
pub const WHEEL_FILE: &str = "postalcodes_mexico-0.4.2-py2.py3-none-any.whl";
/// Its sha256 (hex).
pub const WHEEL_SHA256: &str = "91bd6a1df0faf9dedef38af79914901ec8a0f9f10f2bfa502f7c8d6e2b72e54e";
/// The SQLite file inside the wheel.
pub const WHEEL_SQLITE_PATH: &str = "postalcodes_mexico/data/postalcodes.sqlite3";

/// `<data_dir>/catalog/catalogo.bin`.
pub fn catalog_path(data_dir: &Path) -> PathBuf {
    data_dir.join("catalog").join("catalogo.bin")
}

/// `<data_dir>/catalog/cp/`: the static shards, served under `/catalogo/cp/`.
pub fn shards_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("catalog").join("cp")
}

/// Which importer read the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    SepomexTxt,
    Sqlite,
    /// The pinned `postalcodes-mexico` wheel (its SQLite file).
    PypiWheel,
}

/// What an import did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub source: Source,
    pub codes: usize,
    pub asentamientos: usize,
    /// Source rows skipped (line number for SEPOMEX, row number for SQLite) and why.
    pub skipped: Vec<(usize, &'static str)>,
    pub catalog_path: PathBuf,
    pub catalog_bytes: usize,
    pub shards: usize,
    pub largest_shard_bytes: usize,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fuente = match self.source {
            Source::SepomexTxt => "archivo de SEPOMEX",
            Source::Sqlite => "base SQLite",
            Source::PypiWheel => "paquete postalcodes-mexico 0.4.2",
        };
        writeln!(
            f,
            "Catálogo importado desde {fuente}: {} códigos postales, {} asentamientos.",
            self.codes, self.asentamientos
        )?;
        writeln!(
            f,
            "Catálogo: {} ({} bytes).",
            self.catalog_path.display(),
            self.catalog_bytes
        )?;
        write!(
            f,
            "Archivos para el navegador: {} (el más grande, {} bytes sin comprimir).",
            self.shards, self.largest_shard_bytes
        )?;
        if !self.skipped.is_empty() {
            write!(f, "\nRenglones omitidos: {}.", self.skipped.len())?;
            for (linea, motivo) in self.skipped.iter().take(10) {
                write!(f, "\n  renglón {linea}: {motivo}")?;
            }
        }
        Ok(())
    }
}

/// Reads the catalog source at `path` (either kind), writes the compact catalog and the shards under `data_dir`.
pub async fn import(path: &Path, data_dir: &Path) -> anyhow::Result<ImportReport> {
    let bytes =
        std::fs::read(path).with_context(|| format!("No se pudo leer {}", path.display()))?;
    let (source, catalogo, skipped) = if bytes.starts_with(SQLITE_MAGIC) {
        drop(bytes);
        let (c, s) = from_sqlite(path).await?;
        (Source::Sqlite, c, s)
    } else if bytes.starts_with(ZIP_MAGIC) {
        let sha = sha256_hex(&bytes);
        if sha != WHEEL_SHA256 {
            bail!(
                "El archivo {} no es el paquete {WHEEL_FILE} esperado (sha256 {sha}, se esperaba {WHEEL_SHA256}).",
                path.display()
            );
        }
        let sqlite = zip_entry(&bytes, WHEEL_SQLITE_PATH)?;
        drop(bytes);
        std::fs::create_dir_all(data_dir.join("catalog"))?;
        let tmp = data_dir
            .join("catalog")
            .join(format!("postalcodes.sqlite3.tmp-{}", std::process::id()));
        std::fs::write(&tmp, sqlite)?;
        let r = from_sqlite(&tmp).await;
        let _ = std::fs::remove_file(&tmp);
        let (c, s) = r?;
        (Source::PypiWheel, c, s)
    } else {
        let (c, invalidas) =
            Catalogo::from_sepomex_txt(&bytes).map_err(|e| anyhow!(e.message()))?;
        let s = invalidas
            .iter()
            .map(|LineaInvalida { linea, motivo }| (*linea, *motivo))
            .collect();
        (Source::SepomexTxt, c, s)
    };
    write(&catalogo, data_dir, source, skipped)
}

/// [`import`] for callers without a tokio runtime (builds a small one).
pub fn import_blocking(path: &Path, data_dir: &Path) -> anyhow::Result<ImportReport> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(import(path, data_dir))
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The contents of one file of a zip archive (stored or deflated; its CRC-32 checked), read with the `zip` crate.
fn zip_entry(zip: &[u8], nombre: &str) -> anyhow::Result<Vec<u8>> {
    use std::io::Read as _;
    use zip::result::ZipError;
    let corrupto = || anyhow!("El paquete no es un zip válido.");
    let mut archivo = zip::ZipArchive::new(std::io::Cursor::new(zip)).map_err(|_| corrupto())?;
    let mut entrada = match archivo.by_name(nombre) {
        Ok(e) => e,
        Err(ZipError::FileNotFound) => bail!("El paquete no contiene {nombre}."),
        Err(ZipError::UnsupportedArchive(_)) => {
            bail!("El paquete usa una compresión no soportada.")
        }
        Err(_) => return Err(corrupto()),
    };
    let mut datos = Vec::with_capacity(usize::try_from(entrada.size()).unwrap_or(0).min(1 << 30));
    entrada.read_to_end(&mut datos).map_err(|_| corrupto())?;
    Ok(datos)
}

async fn from_sqlite(path: &Path) -> anyhow::Result<(Catalogo, Vec<(usize, &'static str)>)> {
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .connect()
        .await
        .with_context(|| format!("No se pudo abrir la base SQLite {}", path.display()))?;
    let filas = sqlx::query(
        "SELECT CAST(cp AS TEXT), CAST(place AS TEXT), CAST(place_type AS TEXT), CAST(municipality AS TEXT), \
         CAST(city AS TEXT), CAST(state AS TEXT) FROM places ORDER BY rowid",
    )
    .fetch_all(&mut conn)
    .await
    .context("La base SQLite no tiene la tabla places(cp, place, place_type, municipality, city, state)")?;
    let mut builder = CatalogoBuilder::new();
    let mut skipped = Vec::new();
    for (i, fila) in filas.iter().enumerate() {
        let texto = |n: usize| -> String {
            fila.try_get::<Option<String>, _>(n)
                .ok()
                .flatten()
                .unwrap_or_default()
        };
        let mut cp = texto(0).trim().to_string();
        // A code stored as an integer loses its leading zero.
        while cp.len() < 5 && !cp.is_empty() && cp.bytes().all(|b| b.is_ascii_digit()) {
            cp.insert(0, '0');
        }
        let resultado = match postal::clave_estado(&texto(5)) {
            Some(clave) => builder.agregar(&cp, clave, &texto(3), &texto(4), &texto(1), &texto(2)),
            None => Err("estado desconocido"),
        };
        if let Err(motivo) = resultado {
            skipped.push((i + 1, motivo));
        }
    }
    if builder.is_empty() {
        bail!(postal::CatalogoError::SinRegistros.message());
    }
    Ok((builder.build(), skipped))
}

fn write(
    catalogo: &Catalogo,
    data_dir: &Path,
    source: Source,
    skipped: Vec<(usize, &'static str)>,
) -> anyhow::Result<ImportReport> {
    let dir = data_dir.join("catalog");
    std::fs::create_dir_all(&dir).with_context(|| format!("No se pudo crear {}", dir.display()))?;
    let pid = std::process::id();

    // Shards: fill a fresh folder, then swap it with the current one.
    let shards = catalogo.shards();
    let nuevo = dir.join(format!("cp.nuevo-{pid}"));
    let viejo = dir.join(format!("cp.viejo-{pid}"));
    let _ = std::fs::remove_dir_all(&nuevo);
    std::fs::create_dir_all(&nuevo)?;
    let mut largest = 0;
    for (nombre, contenido) in &shards {
        largest = largest.max(contenido.len());
        std::fs::write(nuevo.join(nombre), contenido)?;
    }
    let destino = shards_dir(data_dir);
    if destino.exists() {
        std::fs::rename(&destino, &viejo)?;
    }
    std::fs::rename(&nuevo, &destino)?;
    let _ = std::fs::remove_dir_all(&viejo);

    // The compact catalog: written aside, then renamed over the old one.
    let bytes = catalogo.to_bytes();
    let ruta = catalog_path(data_dir);
    let tmp = dir.join(format!("catalogo.bin.tmp-{pid}"));
    std::fs::write(&tmp, &bytes)?;
    std::fs::rename(&tmp, &ruta)?;

    Ok(ImportReport {
        source,
        codes: catalogo.len(),
        asentamientos: catalogo.total_asentamientos(),
        skipped,
        catalog_path: ruta,
        catalog_bytes: bytes.len(),
        shards: shards.len(),
        largest_shard_bytes: largest,
    })
}

/// Loads `<data_dir>/catalog/catalogo.bin`.
pub fn load(data_dir: &Path) -> anyhow::Result<Catalogo> {
    let ruta = catalog_path(data_dir);
    let bytes = std::fs::read(&ruta).with_context(|| {
        format!(
            "No hay catálogo postal en {}: ejecuta `afiliate-server catalog import <archivo>`",
            ruta.display()
        )
    })?;
    Catalogo::from_bytes(&bytes).map_err(|e| anyhow!("{}: {}", ruta.display(), e.message()))
}

/// The entry of a code; `Ok(None)` when the code is well-formed but not in the catalog.
pub fn lookup(data_dir: &Path, cp: &str) -> anyhow::Result<Option<api::CodigoPostal>> {
    let cp = postal::codigo_postal_valido(cp).map_err(|e| anyhow!(e.message()))?;
    Ok(load(data_dir)?.lookup(&cp).map(|e| e.to_api()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MUESTRA: &[u8] = include_bytes!("../../../domain/tests/fixtures/CPdescarga_muestra.txt");

    #[test]
    fn imports_sepomex_txt_and_looks_up() {
        let dir = tempfile::tempdir().unwrap();
        let fuente = dir.path().join("CPdescarga.txt");
        std::fs::write(&fuente, MUESTRA).unwrap();
        let data = dir.path().join("data");
        let r = import_blocking(&fuente, &data).unwrap();
        assert_eq!(r.source, Source::SepomexTxt);
        assert_eq!((r.codes, r.asentamientos, r.shards), (7, 10, 7));
        assert_eq!(r.skipped.len(), 3);
        assert!(r.to_string().contains("7 códigos postales"));
        let e = lookup(&data, "01030").unwrap().unwrap();
        assert_eq!(e.estado, "Ciudad de México");
        assert_eq!(e.asentamientos.len(), 2);
        assert_eq!(lookup(&data, "01020").unwrap(), None);
        assert!(lookup(&data, "0102")
            .unwrap_err()
            .to_string()
            .contains("5 números"));
        let shard = std::fs::read_to_string(shards_dir(&data).join("0103.txt")).unwrap();
        assert_eq!(postal::lookup_in_shard(&shard, "01030"), Some(e));
        // No temporary files left behind.
        let mut nombres: Vec<String> = std::fs::read_dir(data.join("catalog"))
            .unwrap()
            .map(|d| d.unwrap().file_name().into_string().unwrap())
            .collect();
        nombres.sort();
        assert_eq!(nombres, ["catalogo.bin", "cp"]);
    }

    #[tokio::test]
    async fn imports_the_pypi_sqlite_and_replaces_the_old_catalog() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("postalcodes.sqlite3");
        {
            let mut conn = SqliteConnectOptions::new()
                .filename(&db)
                .create_if_missing(true)
                .connect()
                .await
                .unwrap();
            sqlx::query("CREATE TABLE places(cp, place, place_type, municipality, city,  state)")
                .execute(&mut conn)
                .await
                .unwrap();
            for (cp, place, tipo, mun, city, state) in [
                (
                    "01000",
                    "San Ángel",
                    "Colonia",
                    "Álvaro Obregón",
                    Some("Ciudad de México"),
                    "Ciudad de México",
                ),
                (
                    "44100",
                    "Centro",
                    "Colonia",
                    "Guadalajara",
                    Some("Guadalajara"),
                    "Jalisco",
                ),
                (
                    "91000",
                    "Xalapa Centro",
                    "Colonia",
                    "Xalapa",
                    None,
                    "Veracruz de Ignacio de la Llave",
                ),
                (
                    "91000",
                    "Xalapa Centro",
                    "Colonia",
                    "Xalapa",
                    Some("Xalapa-Enríquez"),
                    "Veracruz de Ignacio de la Llave",
                ),
                ("99999", "Nowhere", "Colonia", "X", None, "Narnia"),
            ] {
                sqlx::query("INSERT INTO places VALUES (?, ?, ?, ?, ?, ?)")
                    .bind(cp)
                    .bind(place)
                    .bind(tipo)
                    .bind(mun)
                    .bind(city)
                    .bind(state)
                    .execute(&mut conn)
                    .await
                    .unwrap();
            }
            // An integer code loses its leading zero; the importer restores it.
            sqlx::query("INSERT INTO places VALUES (1010, 'Los Alpes', 'Colonia', 'Álvaro Obregón', '', 'Ciudad de México')")
                .execute(&mut conn)
                .await
                .unwrap();
        }
        let data = dir.path().join("data");
        // An older catalog is replaced entirely (its shards too).
        let viejo = dir.path().join("viejo.txt");
        std::fs::write(&viejo, MUESTRA).unwrap();
        import(&viejo, &data).await.unwrap();
        assert!(shards_dir(&data).join("2900.txt").exists());

        let r = import(&db, &data).await.unwrap();
        assert_eq!(r.source, Source::Sqlite);
        assert_eq!((r.codes, r.asentamientos), (4, 4));
        assert_eq!(r.skipped, [(5, "estado desconocido")]);
        assert!(!shards_dir(&data).join("2900.txt").exists());
        let v = lookup(&data, "91000").unwrap().unwrap();
        assert_eq!(v.estado, "Veracruz de Ignacio de la Llave");
        assert_eq!(v.ciudad, "Xalapa-Enríquez");
        assert_eq!(
            lookup(&data, "01010").unwrap().unwrap().asentamientos[0].nombre,
            "Los Alpes"
        );
        assert_eq!(
            load(&data).unwrap().lookup("44100").unwrap().estado_clave,
            14
        );
    }

    #[test]
    fn reads_stored_and_deflated_zip_entries() {
        // A two-file zip: "a.txt" stored, "b/c.txt" deflated.
        use std::io::Write as _;
        use zip::write::SimpleFileOptions;
        use zip::CompressionMethod;
        let texto = "código postal ".repeat(50);
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opciones = SimpleFileOptions::default();
        w.start_file(
            "a.txt",
            opciones.compression_method(CompressionMethod::Stored),
        )
        .unwrap();
        w.write_all(b"hola").unwrap();
        w.start_file(
            "b/c.txt",
            opciones.compression_method(CompressionMethod::Deflated),
        )
        .unwrap();
        w.write_all(texto.as_bytes()).unwrap();
        let zip = w.finish().unwrap().into_inner();
        assert_eq!(zip_entry(&zip, "a.txt").unwrap(), b"hola");
        assert_eq!(zip_entry(&zip, "b/c.txt").unwrap(), texto.as_bytes());
        assert!(zip_entry(&zip, "x")
            .unwrap_err()
            .to_string()
            .contains("no contiene"));
        assert!(zip_entry(&zip[..20], "a.txt").is_err());
        // A stored entry whose bytes were altered fails its CRC-32.
        let i = zip.windows(4).position(|w| w == b"hola").unwrap();
        let mut alterado = zip.clone();
        alterado[i] = b'H';
        assert!(zip_entry(&alterado, "a.txt")
            .unwrap_err()
            .to_string()
            .contains("no es un zip válido"));
    }

    #[tokio::test]
    async fn a_wheel_other_than_the_pinned_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let falso = dir.path().join(WHEEL_FILE);
        std::fs::write(&falso, b"PK\x03\x04 not the real wheel").unwrap();
        let e = import(&falso, &dir.path().join("data"))
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("sha256"), "{e}");
    }

    #[test]
    fn clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let e = lookup(dir.path(), "01000").unwrap_err().to_string();
        assert!(e.contains("catalog import"), "{e}");
        let basura = dir.path().join("basura.txt");
        std::fs::write(&basura, b"hola\nmundo\n").unwrap();
        let e = import_blocking(&basura, dir.path())
            .unwrap_err()
            .to_string();
        assert!(e.contains("encabezado"), "{e}");
        let e = import_blocking(&dir.path().join("no-existe"), dir.path())
            .unwrap_err()
            .to_string();
        assert!(e.contains("No se pudo leer"), "{e}");
    }
}
