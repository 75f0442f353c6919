//! Server configuration: every setting is a clap option with an environment variable.

use clap::{Args, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Where the server runs: `prod` refuses test-only settings such as a fixed CAPTCHA answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum Env {
    #[default]
    Prod,
    Dev,
    Test,
}

/// Settings of `afiliate-server serve` (and of the commands that open the database).
#[derive(Clone, Debug, Args)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "AFILIATE_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// Local data folder: SQLite database, outbox, catalog, document signing key.
    #[arg(long, env = "AFILIATE_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// Database URL: `sqlite://<path>` (created when missing) or `postgres://…`.
    /// Default: `sqlite://<data_dir>/afiliate.db`.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,

    /// Environment: prod, dev or test.
    #[arg(long = "env", env = "AFILIATE_ENV", value_enum, default_value = "prod")]
    pub env: Env,

    /// Folder of the built app (trunk's dist), served with precompressed brotli/gzip files.
    #[arg(long, env = "AFILIATE_STATIC_DIR", default_value = "./dist")]
    pub static_dir: PathBuf,

    /// Mail transport: `file:<dir>` (default `file:<data_dir>/outbox`), `smtp://…` or `smtps://…`.
    #[arg(long, env = "AFILIATE_MAIL")]
    pub mail: Option<String>,

    /// Sender address of the emails.
    #[arg(
        long,
        env = "AFILIATE_MAIL_FROM",
        default_value = "Afíliate <no-responder@afiliate.local>"
    )]
    pub mail_from: String,

    /// CSP `frame-ancestors` sources (space separated), e.g. `'self' https://www.gob.mx`.
    #[arg(long, env = "AFILIATE_FRAME_ANCESTORS", default_value = "'self'")]
    pub frame_ancestors: String,

    /// Origins allowed by CORS (comma separated). Empty: no cross-origin access.
    #[arg(long, env = "AFILIATE_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,

    /// Tests only (`AFILIATE_ENV` dev or test): every CAPTCHA's answer is this text.
    #[arg(long, env = "AFILIATE_CAPTCHA_FIXED")]
    pub captcha_fixed: Option<String>,

    /// RENAPO-like registry service base URL; when absent the local registry in the database is used.
    #[arg(long, env = "AFILIATE_RENAPO_URL")]
    pub renapo_url: Option<String>,

    /// Timeout of one call to the RENAPO service, in milliseconds.
    #[arg(long, env = "AFILIATE_RENAPO_TIMEOUT_MS", default_value_t = 3000)]
    pub renapo_timeout_ms: u64,

    /// Retries after a failed call to the RENAPO service.
    #[arg(long, env = "AFILIATE_RENAPO_RETRIES", default_value_t = 2)]
    pub renapo_retries: u32,

    /// CSV file replacing the embedded subdelegación table (`estado,municipio,subdelegacion`).
    #[arg(long, env = "AFILIATE_SUBDELEGACIONES")]
    pub subdelegaciones: Option<PathBuf>,

    /// Solicitudes allowed per CURP per day.
    #[arg(long, env = "AFILIATE_LIMITE_CURP_DIA", default_value_t = 10)]
    pub limite_curp_dia: u32,

    /// Solicitudes allowed per email address per day.
    #[arg(long, env = "AFILIATE_LIMITE_CORREO_DIA", default_value_t = 10)]
    pub limite_correo_dia: u32,

    /// Requests per second allowed per client IP on the API (burst = 2 × this). 0 disables the limit.
    #[arg(long, env = "AFILIATE_LIMITE_IP_SEG", default_value_t = 20)]
    pub limite_ip_seg: u32,

    /// Reverse proxies in front of the server that append the client's address to `X-Forwarded-For` (e.g. 1 behind
    /// the gob.mx load balancer). The per-IP limit then counts the address the outermost trusted proxy saw; with 0
    /// the header is ignored (anybody could write it).
    #[arg(long, env = "AFILIATE_PROXIES", default_value_t = 0)]
    pub proxies: u8,

    /// Maximum request body, in bytes.
    #[arg(long, env = "AFILIATE_MAX_BODY", default_value_t = 16 * 1024)]
    pub max_body: usize,

    /// Request timeout, in milliseconds.
    #[arg(long, env = "AFILIATE_TIMEOUT_MS", default_value_t = 15_000)]
    pub timeout_ms: u64,

    /// Public base URL used in links inside emails and PDFs (default `http://<addr>`).
    #[arg(long, env = "AFILIATE_PUBLIC_URL")]
    pub public_url: Option<String>,
}

impl Config {
    /// Defaults for tests and tools: everything as `serve` with no options, data in `data_dir`.
    pub fn for_data_dir(data_dir: impl Into<PathBuf>) -> Config {
        let data_dir = data_dir.into();
        Config {
            addr: "127.0.0.1:0".parse().expect("literal address"),
            static_dir: data_dir.join("dist"),
            data_dir,
            database_url: None,
            env: Env::Test,
            mail: None,
            mail_from: "Afíliate <no-responder@afiliate.local>".into(),
            frame_ancestors: "'self'".into(),
            cors_origins: Vec::new(),
            captcha_fixed: None,
            renapo_url: None,
            renapo_timeout_ms: 3000,
            renapo_retries: 2,
            subdelegaciones: None,
            limite_curp_dia: 10,
            limite_correo_dia: 10,
            limite_ip_seg: 0,
            proxies: 0,
            max_body: 16 * 1024,
            timeout_ms: 15_000,
            public_url: None,
        }
    }

    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(u) => u.clone(),
            None => format!("sqlite://{}", self.data_dir.join("afiliate.db").display()),
        }
    }

    pub fn mail_url(&self) -> String {
        match &self.mail {
            Some(m) => m.clone(),
            None => format!("file:{}", self.data_dir.join("outbox").display()),
        }
    }

    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(u) => u.trim_end_matches('/').to_string(),
            None => format!("http://{}", self.addr),
        }
    }

    /// Refuses settings that must never reach production.
    pub fn check(&self) -> anyhow::Result<()> {
        if self.captcha_fixed.is_some() && self.env == Env::Prod {
            anyhow::bail!("AFILIATE_CAPTCHA_FIXED is only allowed with AFILIATE_ENV=dev or test");
        }
        Ok(())
    }
}
