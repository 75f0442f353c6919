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

/// Settings of `afiliate-server serve` (and of the commands that open the database). Its `Debug` hides the
/// passwords in the database and mail URLs.
#[derive(Clone, Args)]
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
    /// Extra root certificates (a PEM file) for the RENAPO service's HTTPS, besides Mozilla's (e.g. a private CA).
    #[arg(long, env = "AFILIATE_RENAPO_CA")]
    pub renapo_ca: Option<PathBuf>,

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

    /// On PostgreSQL, whether the per-IP limit is also kept in the database, so that it holds across every server
    /// process sharing it (one more statement per limited request). Each process also keeps its own in memory.
    #[arg(long, env = "AFILIATE_LIMITE_IP_COMPARTIDO", default_value_t = true, action = clap::ArgAction::Set)]
    pub limite_ip_compartido: bool,

    /// E-mail confirmation: a solicitud answers "revisa tu correo" and its result opens only from a single-use link
    /// sent to the address, valid that day (Mexico's central time). Off: the result is shown at once.
    #[arg(long, env = "AFILIATE_CONFIRMAR_CORREO", default_value_t = false, action = clap::ArgAction::Set)]
    pub confirmar_correo: bool,

    /// The audit log's folder (daily files `auditoria.jsonl.YYYY-MM-DD`; default `<data dir>/auditoria`), or `off`.
    #[arg(long, env = "AFILIATE_AUDITORIA")]
    pub auditoria: Option<String>,

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

    /// With `AFILIATE_ENV=prod`, the insecure settings allowed anyway (comma separated): `correo-archivo`
    /// (`file:` mail), `url-http` (a public URL that is `http://` or loopback), `smtp-sin-tls` (SMTP without
    /// required TLS), `renapo-http` (a RENAPO URL that is not `https://`), or `todo`.
    #[arg(long, env = "AFILIATE_PERMITIR_INSEGURO", value_delimiter = ',')]
    pub permitir_inseguro: Vec<String>,

    /// Longest wait for a connection's request headers, in milliseconds (slow clients are closed after it).
    #[arg(long, env = "AFILIATE_HEADER_TIMEOUT_MS", default_value_t = 10_000)]
    pub header_timeout_ms: u64,

    /// Most client connections open at once; further ones wait in the kernel's backlog until one closes.
    #[arg(long, env = "AFILIATE_MAX_CONEXIONES", default_value_t = 4096)]
    pub max_conexiones: usize,

    /// How long the mail worker leases the outbox rows it is sending, in seconds. A round renews the lease of
    /// its unfinished rows every third of it, so a slow send keeps them; after a crash, the rows the dead process
    /// had leased are sent again by another process at most this long after its last renewal.
    #[arg(long, env = "AFILIATE_OUTBOX_ARRIENDO_S", default_value_t = 60)]
    pub outbox_arriendo_s: u64,

    /// Emails the mail worker has in flight at once (composed, sent and marked each on its own); the SMTP
    /// transport keeps as many connections open for reuse.
    #[arg(long, env = "AFILIATE_MAIL_CONCURRENCIA", default_value_t = 32)]
    pub mail_concurrencia: usize,

    /// Hours after which an email still undelivered is given up at its next failed attempt (its row becomes
    /// `fallido`, `caducado`); 0: retried forever.
    #[arg(long, env = "AFILIATE_OUTBOX_RENDIRSE_H", default_value_t = 72)]
    pub outbox_rendirse_h: u64,

    /// Days a delivered or given-up email's content (recipient, personal data, documents) is kept in the
    /// outbox; then it is erased and only the row's state and times remain. 0: kept forever.
    #[arg(long, env = "AFILIATE_OUTBOX_RETENCION_DIAS", default_value_t = 30)]
    pub outbox_retencion_dias: u64,
}

/// The names `AFILIATE_PERMITIR_INSEGURO` accepts.
pub const INSEGUROS: [&str; 5] = [
    "correo-archivo",
    "url-http",
    "smtp-sin-tls",
    "renapo-http",
    "todo",
];

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
            renapo_ca: None,
            renapo_timeout_ms: 3000,
            renapo_retries: 2,
            subdelegaciones: None,
            limite_curp_dia: 10,
            limite_correo_dia: 10,
            limite_ip_seg: 0,
            limite_ip_compartido: true,
            auditoria: None,
            confirmar_correo: false,
            proxies: 0,
            max_body: 16 * 1024,
            timeout_ms: 15_000,
            public_url: None,
            permitir_inseguro: Vec::new(),
            header_timeout_ms: 10_000,
            max_conexiones: 4096,
            outbox_arriendo_s: 60,
            mail_concurrencia: 32,
            outbox_rendirse_h: 72,
            outbox_retencion_dias: 30,
        }
    }

    fn permite(&self, inseguro: &str) -> bool {
        self.permitir_inseguro
            .iter()
            .any(|p| p.trim() == inseguro || p.trim() == "todo")
    }

    /// In `prod`: what must be secure unless `AFILIATE_PERMITIR_INSEGURO` names it.
    fn problemas_de_produccion(&self, problemas: &mut Vec<String>) {
        for p in self.permitir_inseguro.iter().map(|p| p.trim()) {
            if !p.is_empty() && !INSEGUROS.contains(&p) {
                problemas.push(format!(
                    "AFILIATE_PERMITIR_INSEGURO: unknown `{p}`; allowed: {}",
                    INSEGUROS.join(", ")
                ));
            }
        }
        if self.env != Env::Prod {
            return;
        }
        let permitir = |que: &str| format!("(or AFILIATE_PERMITIR_INSEGURO={que})");
        let mail = self.mail_url();
        if mail.starts_with("file:") && !self.permite("correo-archivo") {
            problemas.push(format!(
                "AFILIATE_MAIL: `file:` only writes the messages to a folder; in prod give                  smtps://… or smtp://…?tls=required {}",
                permitir("correo-archivo")
            ));
        }
        if mail.starts_with("smtp://") && !self.permite("smtp-sin-tls") {
            let tls_requerido = url::Url::parse(&mail)
                .ok()
                .is_some_and(|u| u.query_pairs().any(|(k, v)| k == "tls" && v == "required"));
            if !tls_requerido {
                problemas.push(format!(
                    "AFILIATE_MAIL: smtp:// without ?tls=required may send the students' data in clear;                      use smtps://… or add ?tls=required {}",
                    permitir("smtp-sin-tls")
                ));
            }
        }
        if !self.permite("url-http") {
            let publica = self.public_url();
            let segura = url::Url::parse(&publica).ok().is_some_and(|u| {
                u.scheme() == "https"
                    && match u.host() {
                        Some(url::Host::Domain(d)) => {
                            d != "localhost" && !d.ends_with(".localhost")
                        }
                        Some(url::Host::Ipv4(ip)) => !ip.is_loopback() && !ip.is_unspecified(),
                        Some(url::Host::Ipv6(ip)) => !ip.is_loopback() && !ip.is_unspecified(),
                        None => false,
                    }
            });
            if !segura {
                problemas.push(format!(
                    "AFILIATE_PUBLIC_URL: `{publica}` is not an https:// address others can reach (the documents'                      QR codes and the emails link to it); set the public https:// URL {}",
                    permitir("url-http")
                ));
            }
        }
        if let Some(renapo) = &self.renapo_url {
            if !renapo.starts_with("https://") && !self.permite("renapo-http") {
                problemas.push(format!(
                    "AFILIATE_RENAPO_URL: `{}` is not https:// (CURPs and personal data would travel in clear) {}",
                    sin_secretos(renapo),
                    permitir("renapo-http")
                ));
            }
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

    /// Refuses settings that cannot work or must never reach production, naming each variable and what to do.
    pub fn check(&self) -> anyhow::Result<()> {
        let mut problemas = Vec::new();
        if self.captcha_fixed.is_some() && self.env == Env::Prod {
            problemas.push(
                "AFILIATE_CAPTCHA_FIXED is only allowed with AFILIATE_ENV=dev or test".to_string(),
            );
        }
        self.problemas_de_produccion(&mut problemas);
        if self.max_conexiones == 0 {
            problemas.push("AFILIATE_MAX_CONEXIONES must be at least 1".to_string());
        }
        if self.outbox_arriendo_s == 0 {
            problemas.push("AFILIATE_OUTBOX_ARRIENDO_S must be at least 1".to_string());
        }
        if !(1..=1024).contains(&self.mail_concurrencia) {
            problemas.push("AFILIATE_MAIL_CONCURRENCIA must be between 1 and 1024".to_string());
        }
        for origen in self.cors_origins.iter().map(|o| o.trim()) {
            if let Err(e) = origen_cors(origen) {
                problemas.push(format!("AFILIATE_CORS_ORIGINS: {e}"));
            }
        }
        match problemas.as_slice() {
            [] => Ok(()),
            [uno] => anyhow::bail!("configuration refused: {uno}"),
            varios => anyhow::bail!("configuration refused:\n  - {}", varios.join("\n  - ")),
        }
    }
}

/// One entry of `AFILIATE_CORS_ORIGINS`: an origin (`https://host[:port]`), never `*` (the API's answers carry a
/// student's data: only the microsites that embed the app may read them). An empty entry is ignored.
pub fn origen_cors(origen: &str) -> Result<(), String> {
    if origen.is_empty() {
        return Ok(());
    }
    if origen == "*" {
        return Err(
            "`*` (any origin) is not allowed: list the origins that embed the app, comma \
                    separated, e.g. https://www.gob.mx"
                .into(),
        );
    }
    let valido = url::Url::parse(origen).ok().is_some_and(|u| {
        matches!(u.scheme(), "http" | "https")
            && u.host_str().is_some()
            && u.username().is_empty()
            && u.password().is_none()
            && u.path() == "/"
            && u.query().is_none()
            && u.fragment().is_none()
            && !origen.ends_with('/')
    });
    if valido {
        Ok(())
    } else {
        Err(format!(
            "`{origen}` is not an origin: write scheme://host[:port], without a path, e.g. https://www.gob.mx"
        ))
    }
}

/// `url` with its password (and any `password=` query parameter) replaced by `***`, for logs and `Debug`.
/// Text that does not parse as a URL is hidden whole when it could hold a password (it has an `@`).
pub fn sin_secretos(url: &str) -> String {
    let Ok(mut u) = url::Url::parse(url) else {
        return if url.contains('@') {
            "***".into()
        } else {
            url.to_string()
        };
    };
    if u.password().is_some() {
        let _ = u.set_password(Some("***"));
    }
    if u.query_pairs().any(|(k, _)| es_clave_secreta(&k)) {
        let pares: Vec<(String, String)> = u
            .query_pairs()
            .map(|(k, v)| {
                let v = if es_clave_secreta(&k) {
                    "***".to_string()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        u.query_pairs_mut().clear().extend_pairs(pares);
    }
    u.to_string()
}

fn es_clave_secreta(k: &str) -> bool {
    matches!(
        k.to_ascii_lowercase().as_str(),
        "password" | "pass" | "passwd" | "pwd" | "sslpassword"
    )
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Every field by name, so a new one needs a decision here (could it hold a secret?).
        let Config {
            addr,
            data_dir,
            database_url,
            env,
            static_dir,
            mail,
            mail_from,
            frame_ancestors,
            cors_origins,
            captcha_fixed,
            renapo_url,
            renapo_ca,
            renapo_timeout_ms,
            renapo_retries,
            subdelegaciones,
            limite_curp_dia,
            limite_correo_dia,
            limite_ip_seg,
            limite_ip_compartido,
            auditoria,
            confirmar_correo,
            proxies,
            max_body,
            timeout_ms,
            public_url,
            permitir_inseguro,
            header_timeout_ms,
            max_conexiones,
            outbox_arriendo_s,
            mail_concurrencia,
            outbox_rendirse_h,
            outbox_retencion_dias,
        } = self;
        f.debug_struct("Config")
            .field("addr", addr)
            .field("data_dir", data_dir)
            .field("database_url", &database_url.as_deref().map(sin_secretos))
            .field("env", env)
            .field("static_dir", static_dir)
            .field("mail", &mail.as_deref().map(sin_secretos))
            .field("mail_from", mail_from)
            .field("frame_ancestors", frame_ancestors)
            .field("cors_origins", cors_origins)
            .field("captcha_fixed", &captcha_fixed.as_ref().map(|_| "***"))
            .field("renapo_url", &renapo_url.as_deref().map(sin_secretos))
            .field("renapo_ca", renapo_ca)
            .field("renapo_timeout_ms", renapo_timeout_ms)
            .field("renapo_retries", renapo_retries)
            .field("subdelegaciones", subdelegaciones)
            .field("limite_curp_dia", limite_curp_dia)
            .field("limite_correo_dia", limite_correo_dia)
            .field("limite_ip_seg", limite_ip_seg)
            .field("limite_ip_compartido", limite_ip_compartido)
            .field("auditoria", auditoria)
            .field("confirmar_correo", confirmar_correo)
            .field("proxies", proxies)
            .field("max_body", max_body)
            .field("timeout_ms", timeout_ms)
            .field("public_url", public_url)
            .field("permitir_inseguro", permitir_inseguro)
            .field("header_timeout_ms", header_timeout_ms)
            .field("max_conexiones", max_conexiones)
            .field("outbox_arriendo_s", outbox_arriendo_s)
            .field("mail_concurrencia", mail_concurrencia)
            .field("outbox_rendirse_h", outbox_rendirse_h)
            .field("outbox_retencion_dias", outbox_retencion_dias)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_database_and_mail_passwords() {
        let mut c = Config::for_data_dir("/tmp/x");
        c.database_url = Some("postgres://afiliate:s3cr3t-db@db.internal:5432/afiliate".into());
        c.mail = Some("smtps://envios:s3cr3t-smtp@smtp.example.org:465".into());
        c.renapo_url = Some("https://u:s3cr3t-renapo@renapo.example/api?password=s3cr3t-q".into());
        let texto = format!("{c:?}");
        for secreto in ["s3cr3t-db", "s3cr3t-smtp", "s3cr3t-renapo", "s3cr3t-q"] {
            assert!(!texto.contains(secreto), "{secreto} in {texto}");
        }
        // What an operator needs to see stays.
        assert!(
            texto.contains("postgres://afiliate:***@db.internal:5432/afiliate"),
            "{texto}"
        );
        assert!(
            texto.contains("smtps://envios:***@smtp.example.org:465"),
            "{texto}"
        );
        let mut c = Config::for_data_dir("/tmp/x");
        c.database_url = Some("postgres://db/afiliate?user=a&password=s3cr3t-p".into());
        c.mail = Some("no es una url:s3cr3t@x".into());
        let texto = format!("{c:?}");
        assert!(!texto.contains("s3cr3t"), "{texto}");
        assert!(texto.contains("user=a"), "{texto}");
    }

    #[test]
    fn cors_wildcard_and_non_origins_are_configuration_errors() {
        let mut c = Config::for_data_dir("/tmp/x");
        c.cors_origins = vec![
            "https://www.gob.mx".into(),
            " http://localhost:3000 ".into(),
            "".into(),
        ];
        c.check().expect("origins");
        for malo in [
            "*",
            "www.gob.mx",
            "https://www.gob.mx/",
            "https://www.gob.mx/imss",
            "null",
        ] {
            c.cors_origins = vec!["https://www.gob.mx".into(), malo.into()];
            let e = c.check().expect_err(malo).to_string();
            assert!(e.contains("AFILIATE_CORS_ORIGINS"), "{malo}: {e}");
        }
    }

    fn prod_seguro() -> Config {
        let mut c = Config::for_data_dir("/tmp/x");
        c.env = Env::Prod;
        c.mail = Some("smtps://envios:clave@smtp.example.org:465".into());
        c.public_url = Some("https://afiliate.imss.gob.mx".into());
        c
    }

    fn rechazo(c: &Config) -> String {
        c.check().expect_err("refused").to_string()
    }

    #[test]
    fn prod_accepts_tls_mail_and_a_public_https_url() {
        prod_seguro().check().expect("secure prod");
        let mut c = prod_seguro();
        c.mail = Some("smtp://smtp.example.org:587?tls=required".into());
        c.renapo_url = Some("https://renapo.example/api".into());
        c.check().expect("STARTTLS required");
        // dev and test keep the easy defaults.
        let mut c = Config::for_data_dir("/tmp/x");
        c.env = Env::Dev;
        c.check().expect("dev");
    }

    #[test]
    fn prod_refuses_file_mail_unless_allowed() {
        let mut c = prod_seguro();
        c.mail = None;
        let e = rechazo(&c);
        assert!(
            e.contains("AFILIATE_MAIL: `file:`") && e.contains("correo-archivo"),
            "{e}"
        );
        c.permitir_inseguro = vec!["correo-archivo".into()];
        c.check().expect("allowed");
    }

    #[test]
    fn prod_refuses_smtp_without_required_tls_unless_allowed() {
        for mail in [
            "smtp://smtp.example.org:587",
            "smtp://smtp.example.org:25?tls=none",
        ] {
            let mut c = prod_seguro();
            c.mail = Some(mail.into());
            let e = rechazo(&c);
            assert!(
                e.contains("?tls=required") && e.contains("smtp-sin-tls"),
                "{mail}: {e}"
            );
            c.permitir_inseguro = vec!["smtp-sin-tls".into()];
            c.check().expect(mail);
        }
    }

    #[test]
    fn prod_refuses_an_http_or_loopback_public_url_unless_allowed() {
        for url in [
            None,
            Some("http://afiliate.imss.gob.mx"),
            Some("https://localhost:8443"),
            Some("https://127.0.0.1"),
            Some("https://[::1]:8443"),
        ] {
            let mut c = prod_seguro();
            c.public_url = url.map(Into::into);
            let e = rechazo(&c);
            assert!(
                e.contains("AFILIATE_PUBLIC_URL") && e.contains("url-http"),
                "{url:?}: {e}"
            );
            c.permitir_inseguro = vec!["url-http".into()];
            c.check().expect("allowed");
        }
    }

    #[test]
    fn prod_refuses_a_plain_http_renapo_and_unknown_allowances() {
        let mut c = prod_seguro();
        c.renapo_url = Some("http://renapo.interno/api".into());
        let e = rechazo(&c);
        assert!(
            e.contains("AFILIATE_RENAPO_URL") && e.contains("renapo-http"),
            "{e}"
        );
        c.permitir_inseguro = vec!["todo".into()];
        c.check().expect("todo allows everything");
        c.permitir_inseguro = vec!["todo".into(), "casi-todo".into()];
        let e = rechazo(&c);
        assert!(e.contains("unknown `casi-todo`"), "{e}");
        // Several problems are listed together.
        let mut c = Config::for_data_dir("/tmp/x");
        c.env = Env::Prod;
        let e = rechazo(&c);
        assert!(
            e.contains("AFILIATE_MAIL") && e.contains("AFILIATE_PUBLIC_URL"),
            "{e}"
        );
    }
}
