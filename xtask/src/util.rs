//! Small helpers: paths, running commands with the project's tools on PATH.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub type Result<T = ()> = std::result::Result<T, String>;

/// The workspace root (the parent of `xtask/`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}

/// Where the run command keeps its data (SQLite, outbox, keys, catalog): `AFILIATE_DATA_DIR` or `./data`.
pub fn data_dir() -> PathBuf {
    std::env::var_os("AFILIATE_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("data"))
}

/// `~/.cargo/bin`, where `cargo install` puts trunk and wasm-bindgen.
pub fn cargo_bin() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo")
        });
    home.join("bin")
}

/// npm-installed build tools (wasm-opt 132): `xtask/tools/node_modules/.bin`.
pub fn node_tools_bin() -> PathBuf {
    root().join("xtask/tools/node_modules/.bin")
}

/// The Python venv with the SMTP test server.
pub fn venv() -> PathBuf {
    root().join(".tools/venv")
}

/// PATH with our tools first: wasm-opt 132 must win over any other wasm-opt (Debian's 108 is broken).
pub fn tool_path() -> std::ffi::OsString {
    let mut parts = vec![node_tools_bin(), cargo_bin()];
    if let Some(old) = std::env::var_os("PATH") {
        parts.extend(std::env::split_paths(&old));
    }
    std::env::join_paths(parts).expect("PATH entries are valid")
}

/// A command with the project's PATH, run from the workspace root.
pub fn cmd(program: impl AsRef<OsStr>) -> Command {
    let mut c = Command::new(program);
    c.current_dir(root()).env("PATH", tool_path());
    c
}

/// Runs a command, inheriting stdio; an error names it.
pub fn run(c: &mut Command) -> Result {
    let status = c
        .stdin(Stdio::null())
        .status()
        .map_err(|e| format!("cannot start {:?}: {e}", c.get_program()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{} failed ({status})", describe(c)))
    }
}

/// Runs a command and returns its stdout (trimmed) if it succeeds.
pub fn output(c: &mut Command) -> Option<String> {
    let out = c.stdin(Stdio::null()).stderr(Stdio::null()).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

pub fn describe(c: &Command) -> String {
    let mut s = c.get_program().to_string_lossy().into_owned();
    for a in c.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// Whether `program` answers `--version` with output containing `needle`.
pub fn has_version(program: impl AsRef<OsStr>, needle: &str) -> bool {
    output(cmd(program).arg("--version")).is_some_and(|v| v.contains(needle))
}

/// The version of a package in Cargo.lock (the first entry with that name).
pub fn lock_version(package: &str) -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock: {e}"))?;
    let marker = format!("name = \"{package}\"\nversion = \"");
    let start = lock
        .find(&marker)
        .ok_or_else(|| format!("{package} is not in Cargo.lock"))?
        + marker.len();
    let end = lock[start..].find('"').ok_or("malformed Cargo.lock")? + start;
    Ok(lock[start..end].to_string())
}

/// A free TCP port on loopback.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(18080)
}

/// Formats a duration as `1m 23s`.
pub fn human(d: std::time::Duration) -> String {
    let s = d.as_secs();
    if s >= 60 {
        format!("{}m {:02}s", s / 60, s % 60)
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}
