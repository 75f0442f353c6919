//! `afiliate-server`: boots the HTTP server or runs an operator command.

use afiliate_server::db::Db;
use afiliate_server::mail::{Compositor, Transporte, Worker};
use afiliate_server::{app, cli, ops, AppState, Config};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "afiliate-server",
    version,
    about = "Afíliate: servidor del trámite de NSS para estudiantes"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the database is, for the operator commands.
#[derive(Args, Clone)]
struct DbArgs {
    /// Local data folder.
    #[arg(long, env = "AFILIATE_DATA_DIR", default_value = "./data")]
    data_dir: PathBuf,
    /// Database URL (default `sqlite://<data_dir>/afiliate.db`).
    #[arg(long, env = "DATABASE_URL")]
    database_url: Option<String>,
}

impl DbArgs {
    async fn open(&self) -> anyhow::Result<Db> {
        let mut c = Config::for_data_dir(&self.data_dir);
        c.database_url = self.database_url.clone();
        Db::connect(&c.database_url()).await
    }

    /// The audit log the server of this data folder writes (`AFILIATE_AUDITORIA`, the sello key file as `serve`
    /// finds it): the imports are recorded beside the API's events.
    fn auditoria(&self) -> anyhow::Result<afiliate_server::auditoria::Auditoria> {
        let sellador = afiliate_server::documents::Sellador::desde_entorno(&self.data_dir)?;
        let ajuste = std::env::var("AFILIATE_AUDITORIA").ok();
        afiliate_server::auditoria::configurada(ajuste.as_deref(), &self.data_dir, &sellador)
    }
}

/// An import's row counts (read, accepted, rejected), None when it failed.
fn cuentas(r: &anyhow::Result<cli::Resumen>) -> Option<(usize, usize, usize)> {
    r.as_ref().ok().map(|s| {
        let rechazadas = s.rechazadas.len();
        (s.aceptadas + rechazadas, s.aceptadas, rechazadas)
    })
}

/// The audit line of an operator's import: what was imported (`que`: the file's name or the school's CCT) and
/// how many rows, never their content.
fn auditar_importacion(
    auditoria: &afiliate_server::auditoria::Auditoria,
    evento: &'static str,
    que: (&str, String),
    cuentas: Option<(usize, usize, usize)>,
) {
    let e = auditoria
        .evento(evento)
        .campo("origen", "cli")
        .campo(que.0, que.1);
    match cuentas {
        Some((renglones, aceptados, rechazados)) => e
            .campo("renglones", renglones)
            .campo("aceptados", aceptados)
            .campo("rechazados", rechazados)
            .campo("resultado", "aplicado"),
        None => e.campo("resultado", "error"),
    }
    .escribir();
}

/// The `archivo` of an import's audit line: its file name only.
fn nombre_de(archivo: &std::path::Path) -> (&'static str, String) {
    let nombre = archivo
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    ("archivo", nombre)
}

// Parsed once at start: the size of the `serve` options does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Start the HTTP server (API + built app).
    Serve(Config),
    /// The local CURP registry (a stand-in for RENAPO).
    Registry {
        #[command(subcommand)]
        command: RegistryCommand,
    },
    /// NSS that IMSS already issued.
    Nss {
        #[command(subcommand)]
        command: NssCommand,
    },
    /// Check CURPs, NSS or emails, one per input line (JSON lines out).
    Validate {
        kind: ops::validate::Kind,
        /// Input file (default: standard input).
        file: Option<PathBuf>,
    },
    /// CURP tools.
    Curp {
        #[command(subcommand)]
        command: CurpCommand,
    },
    /// The postal code catalog.
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
    /// The email outbox.
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
    /// Schools, their API keys and their enrolments (seguro facultativo).
    Escuelas {
        #[command(subcommand)]
        command: EscuelasCommand,
    },
    /// The catalog of Unidades de Medicina Familiar (clinics) and the postal codes each serves.
    Umf {
        #[command(subcommand)]
        command: UmfCommand,
    },
    /// The sello keys that seal documents, sign their links and seal tokens (one file, shared by every server).
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// The audit log (`<data dir>/auditoria/auditoria.jsonl.YYYY-MM-DD`).
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// The keyed digest the audit log writes for a value: search the log for it. Needs the same key file as the
    /// servers that wrote the log.
    Digest {
        /// curp, nss or correo.
        tipo: String,
        valor: String,
        #[command(flatten)]
        keys: KeyArgs,
    },
}

/// Which key file, for the `keys` commands (the same one `serve` reads).
#[derive(Args, Clone)]
struct KeyArgs {
    /// Local data folder: its `keys/sello_ed25519.key` is the key file unless `--key-file` is given.
    #[arg(long, env = "AFILIATE_DATA_DIR", default_value = "./data")]
    data_dir: PathBuf,
    /// The key file.
    #[arg(long, env = "AFILIATE_SELLO_KEY")]
    key_file: Option<PathBuf>,
}

impl KeyArgs {
    fn ruta(&self) -> PathBuf {
        cli::ruta_claves(&self.data_dir, self.key_file.as_deref())
    }
}

#[derive(Subcommand)]
enum KeysCommand {
    /// The keys: id, which one is active, created, public key (never a secret).
    List {
        #[command(flatten)]
        keys: KeyArgs,
    },
    /// Add a new key and make it the active one; earlier keys stay (what they sealed keeps verifying). Prints the
    /// new key's id as the last line. Servers use it from their next start.
    Rotate {
        /// Add the key without activating it (copy the file to every server and restart them, then `keys activate`).
        #[arg(long)]
        no_activate: bool,
        #[command(flatten)]
        keys: KeyArgs,
    },
    /// Make an existing key the active one.
    Activate {
        id: String,
        #[command(flatten)]
        keys: KeyArgs,
    },
}

#[derive(Subcommand)]
enum EscuelasCommand {
    /// Register a school; prints its new API key as the last line (shown only this once).
    Add {
        /// Clave de centro de trabajo, e.g. 09PDM0001Z.
        #[arg(long)]
        cct: String,
        #[arg(long)]
        nombre: String,
        /// The registro patronal under which it enrols its students (11 characters).
        #[arg(long)]
        registro_patronal: String,
        /// The state: its INEGI key (09) or its name; must match the CCT's first two digits.
        #[arg(long)]
        estado: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List the schools (never their keys).
    List {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Revoke a school's API key (it stops working at once).
    RevokeKey {
        cct: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Give a school a new API key (the old one stops working); prints it as the last line.
    NewKey {
        cct: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Apply a school's CSV file: altas (curp,nss,fecha_alta,periodo) or bajas (curp,nss,fecha_baja).
    Import {
        cct: String,
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum UmfCommand {
    /// Import clinics: CSV with header clave,nombre,domicilio,telefono,horario,codigos_postales (codes separated
    /// by spaces). Each clinic of the file is added or replaced.
    Import {
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum RegistryCommand {
    /// Import people: CSV with header curp,nombre,primer_apellido,segundo_apellido,fecha_nacimiento,sexo,entidad.
    Import {
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Load the documented demo people (DEMO.md) plus N synthetic students.
    SeedDemo {
        #[arg(default_value_t = 1000)]
        n: usize,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum NssCommand {
    /// Import NSS already issued: CSV with header curp,nss.
    Import {
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum CurpCommand {
    /// Person data (JSON lines) → the first 16 characters of the CURP.
    Base {
        /// Input file (default: standard input).
        file: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum CatalogCommand {
    /// Import SEPOMEX's CPdescarga.txt (or the postalcodes-mexico SQLite file) into the data folder.
    Import {
        file: PathBuf,
        #[arg(long, env = "AFILIATE_DATA_DIR", default_value = "./data")]
        data_dir: PathBuf,
    },
    /// Show one postal code.
    Lookup {
        cp: String,
        #[arg(long, env = "AFILIATE_DATA_DIR", default_value = "./data")]
        data_dir: PathBuf,
    },
}

#[derive(Subcommand)]
enum MailCommand {
    /// Queued, sent and failing messages (without their content).
    Status {
        #[command(flatten)]
        db: DbArgs,
    },
}

fn entrada(file: Option<PathBuf>) -> anyhow::Result<Box<dyn std::io::BufRead>> {
    Ok(match file {
        Some(p) => Box::new(std::io::BufReader::new(std::fs::File::open(p)?)),
        None => Box::new(std::io::BufReader::new(std::io::stdin())),
    })
}

fn main() -> anyhow::Result<()> {
    afiliate_server::runtime()?.block_on(principal())
}

async fn principal() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(config) => serve(config).await,
        Command::Registry { command } => {
            init_logs();
            match command {
                RegistryCommand::Import { file, db } => {
                    let auditoria = db.auditoria()?;
                    let texto = cli::leer_texto(&file)?;
                    let r = cli::importar_registro(&db.open().await?, &texto).await;
                    auditar_importacion(
                        &auditoria,
                        "importacion_registro",
                        nombre_de(&file),
                        cuentas(&r),
                    );
                    println!("{}", r?);
                }
                RegistryCommand::SeedDemo { n, db } => {
                    let demos = cli::sembrar_demo(&db.open().await?, n).await?;
                    println!("Registro de demostración cargado ({n} estudiantes sintéticos más estos casos):");
                    for d in demos {
                        println!(
                            "  {:<46} {}  {}{}",
                            d.caso,
                            d.curp,
                            d.nombre,
                            d.nss.map(|n| format!("  NSS {n}")).unwrap_or_default()
                        );
                    }
                }
            }
            Ok(())
        }
        Command::Nss {
            command: NssCommand::Import { file, db },
        } => {
            init_logs();
            let auditoria = db.auditoria()?;
            let texto = cli::leer_texto(&file)?;
            let r = cli::importar_nss(&db.open().await?, &texto).await;
            auditar_importacion(&auditoria, "importacion_nss", nombre_de(&file), cuentas(&r));
            println!("{}", r?);
            Ok(())
        }
        Command::Validate { kind, file } => {
            ops::validate::run(kind, entrada(file)?, std::io::stdout().lock())?;
            Ok(())
        }
        Command::Curp {
            command: CurpCommand::Base { file },
        } => {
            ops::curp_base::run(entrada(file)?, std::io::stdout().lock())?;
            Ok(())
        }
        Command::Catalog { command } => match command {
            CatalogCommand::Import { file, data_dir } => {
                println!("{}", ops::catalog::import(&file, &data_dir).await?);
                Ok(())
            }
            CatalogCommand::Lookup { cp, data_dir } => {
                match ops::catalog::lookup(&data_dir, &cp)? {
                    Some(e) => println!("{}", serde_json::to_string_pretty(&e)?),
                    None => {
                        eprintln!("El código postal {cp} no está en el catálogo.");
                        std::process::exit(1);
                    }
                }
                Ok(())
            }
        },
        Command::Mail {
            command: MailCommand::Status { db },
        } => {
            print!("{}", cli::estado_correo(&db.open().await?).await?);
            Ok(())
        }
        Command::Escuelas { command } => {
            init_logs();
            escuelas(command).await
        }
        Command::Umf {
            command: UmfCommand::Import { file, db },
        } => {
            init_logs();
            let texto = cli::leer_texto(&file)?;
            println!("{}", cli::importar_umf(&db.open().await?, &texto).await?);
            Ok(())
        }
        Command::Keys { command } => claves(command),
        Command::Audit {
            command: AuditCommand::Digest { tipo, valor, keys },
        } => {
            use afiliate_server::auditoria;
            let dato = auditoria::Dato::desde(&tipo)
                .ok_or_else(|| anyhow::anyhow!("unknown type `{tipo}`: curp, nss or correo"))?;
            let sellador = afiliate_server::documents::Sellador::leer(&keys.ruta())?;
            println!(
                "{}",
                auditoria::resumen(&auditoria::clave(&sellador), dato, &valor)
            );
            Ok(())
        }
    }
}

fn claves(command: KeysCommand) -> anyhow::Result<()> {
    use afiliate_server::documents::sello;
    match command {
        KeysCommand::List { keys } => print!("{}", cli::listar_claves(&keys.ruta())?),
        KeysCommand::Rotate { no_activate, keys } => {
            let ruta = keys.ruta();
            let id = sello::rotar(&ruta, !no_activate)?;
            if no_activate {
                println!(
                    "Clave nueva agregada a {} sin activarla. Copia el archivo a cada servidor, reinícialos y luego \
                     ejecuta `afiliate-server keys activate {id}`:",
                    ruta.display()
                );
            } else {
                println!(
                    "Clave nueva agregada a {} y activa; las anteriores se conservan para verificar lo que sellaron. \
                     Copia el archivo a cada servidor y reinícialos. Su id:",
                    ruta.display()
                );
            }
            println!("{id}");
        }
        KeysCommand::Activate { id, keys } => {
            let ruta = keys.ruta();
            sello::activar(&ruta, &id)?;
            println!(
                "La clave {id} es ahora la activa en {}. Copia el archivo a cada servidor y reinícialos.",
                ruta.display()
            );
        }
    }
    Ok(())
}

async fn escuelas(command: EscuelasCommand) -> anyhow::Result<()> {
    match command {
        EscuelasCommand::Add {
            cct,
            nombre,
            registro_patronal,
            estado,
            db,
        } => {
            let (e, clave) = cli::agregar_escuela(
                &db.open().await?,
                &cct,
                &nombre,
                &registro_patronal,
                &estado,
            )
            .await?;
            println!(
                "Escuela {} registrada: {} (registro patronal {}, estado {}).",
                e.cct, e.nombre, e.registro_patronal, e.estado
            );
            println!("Su clave de API (guárdala: no se vuelve a mostrar):");
            println!("{clave}");
        }
        EscuelasCommand::List { db } => {
            print!("{}", cli::listar_escuelas(&db.open().await?).await?)
        }
        EscuelasCommand::RevokeKey { cct, db } => {
            let cct = cli::revocar_clave(&db.open().await?, &cct).await?;
            println!("La clave de la escuela {cct} quedó revocada.");
        }
        EscuelasCommand::NewKey { cct, db } => {
            let clave = cli::nueva_clave_escuela(&db.open().await?, &cct).await?;
            println!("Nueva clave de API (la anterior dejó de funcionar; guárdala: no se vuelve a mostrar):");
            println!("{clave}");
        }
        EscuelasCommand::Import { cct, file, db } => {
            let auditoria = db.auditoria()?;
            let texto = cli::leer_texto(&file)?;
            let evento = match afiliate_server::escuelas::Archivo::de_encabezado(&texto) {
                Some(afiliate_server::escuelas::Archivo::Bajas) => "bajas",
                _ => "inscripciones",
            };
            let r = cli::importar_escuela(&db.open().await?, &cct, &texto).await;
            auditar_importacion(
                &auditoria,
                evento,
                ("cct", cct.trim().to_ascii_uppercase()),
                r.as_ref().ok().map(|rep| {
                    (
                        rep.renglones as usize,
                        rep.aceptados as usize,
                        rep.rechazados as usize,
                    )
                }),
            );
            println!("{}", cli::reporte_texto(&r?));
        }
    }
    Ok(())
}

async fn serve(config: Config) -> anyhow::Result<()> {
    init_logs();
    let addr = config.addr;
    let transporte =
        Transporte::desde_url_con(&config.mail_url(), config.mail_concurrencia as u32)?;
    let compositor = Compositor::new(&config.mail_from, &config.public_url())
        .map_err(|e| anyhow::anyhow!("AFILIATE_MAIL_FROM: {e}"))?;
    let state = AppState::new(config).await?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;

    let (parar, parado) = tokio::sync::watch::channel(false);
    let esperar = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|p| *p).await;
    };
    let mut trabajador = Worker::new(state.outbox(), transporte, compositor);
    trabajador.despertar = state.despertar_correo();
    trabajador.config.arriendo = Duration::from_secs(state.config().outbox_arriendo_s);
    trabajador.config.concurrencia = state.config().mail_concurrencia;
    trabajador.config.lote = state.config().mail_concurrencia * 4;
    trabajador.config.rendirse = match state.config().outbox_rendirse_h {
        0 => None,
        h => Some(Duration::from_secs(h * 3600)),
    };
    let correo = tokio::spawn(trabajador.run(esperar(parado.clone())));
    let limpieza = {
        let state = state.clone();
        let fin = esperar(parado.clone());
        tokio::spawn(async move {
            tokio::pin!(fin);
            let mut segundos = 0u32;
            loop {
                tokio::select! {
                    _ = &mut fin => break,
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {
                        // Daily counters kept in memory (SQLite) are written behind, every second.
                        if let Err(e) = state.guardia().guardar_intentos(state.db()).await {
                            tracing::warn!(error = %e, "saving attempt counters failed");
                        }
                        segundos += 1;
                        if segundos.is_multiple_of(10) {
                            // Clients whose rate-limit bucket is full again: one map shard locked at a time.
                            let s = state.clone();
                            let _ = tokio::task::spawn_blocking(move || s.purgar_limite_ip()).await;
                            if state.limite_ip_compartido() {
                                if let Err(e) = state.purgar_limite_ip_compartido().await {
                                    tracing::warn!(error = %e, "purging the shared rate limit failed");
                                }
                            }
                        }
                        if segundos.is_multiple_of(60) {
                            if let Err(e) = state.limpiar().await {
                                tracing::warn!(error = %e, "cleanup failed");
                            }
                        }
                        // The delivered and given-up emails' content past its retention: a minute after
                        // start, then hourly.
                        if segundos % 3600 == 60 {
                            match state.purgar_correos().await {
                                Ok(0) => {}
                                Ok(n) => tracing::info!(filas = n, "outbox content past retention erased"),
                                Err(e) => tracing::warn!(error = %e, "outbox purge failed"),
                            }
                        }
                    }
                }
            }
            if let Err(e) = state.guardia().guardar_intentos(state.db()).await {
                tracing::warn!(error = %e, "saving attempt counters at shutdown failed");
            }
        })
    };

    println!("Afíliate escuchando en http://{local}");
    tracing::info!(addr = %local, "listening");
    let ajustes = afiliate_server::http::servir::Ajustes::de(state.config());
    afiliate_server::http::servir::servir(listener, app(state), ajustes, shutdown_signal()).await?;
    let _ = parar.send(true);
    let _ = correo.await;
    let _ = limpieza.await;
    tracing::info!("stopped");
    Ok(())
}

fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received");
}
