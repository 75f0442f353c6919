//! Idempotent installs: each step checks first and skips what is already there.
//!
//! Proven versions (see shared/guide/toolchain.md): trunk 0.21.14 (0.22 needs a newer rustc), wasm-bindgen-cli at
//! exactly Cargo.lock's wasm-bindgen (installed without `--locked`: its own lock pins a crate the registry lacks),
//! wasm-opt from npm binaryen 132 (never Debian's 108), Debian's Chromium and chromedriver.

use crate::util::{self, cmd, has_version, run, Result};
use std::path::Path;
use std::time::Instant;

pub const TRUNK_VERSION: &str = "0.21.14";
pub const AIOSMTPD_VERSION: &str = "1.4.6";
/// The contract fuzzer of `cargo xtask faults contract` (and the `faults` suite).
pub const SCHEMATHESIS_VERSION: &str = "4.32.5";

/// Debian packages: the browser and its driver for UI tests, brotli for precompression and size figures,
/// PostgreSQL's binaries for the throwaway test cluster, poppler for reading PDFs in tests, tesseract (with its
/// English model) for the test that an OCR program cannot read the CAPTCHA.
const APT_PACKAGES: &[&str] = &[
    "chromium",
    "chromium-driver",
    "brotli",
    "postgresql",
    "poppler-utils",
    "tesseract-ocr",
    "tesseract-ocr-eng",
];

/// What a command needs installed.
#[derive(Clone, Copy)]
pub struct Needs {
    /// Also what the tests need (browser, PostgreSQL, SMTP server…), not only what the build needs.
    pub test: bool,
}

impl Needs {
    pub fn build() -> Self {
        Needs { test: false }
    }
    pub fn all() -> Self {
        Needs { test: true }
    }
}

pub fn setup(needs: Needs) -> Result {
    let t = Instant::now();
    step("wasm32 target", wasm_target)?;
    if needs.test {
        step("Debian packages", || apt(APT_PACKAGES))?;
    } else {
        // brotli precompresses; Chromium prerenders the first screens (xtask/tools/prerender.mjs).
        step("brotli and Chromium", || apt(&["brotli", "chromium"]))?;
    }
    step("npm build tools (wasm-opt 132)", || {
        npm_ci(&util::root().join("xtask/tools"))
    })?;
    step("wasm-bindgen-cli", wasm_bindgen_cli)?;
    step("trunk", trunk)?;
    if needs.test {
        step("rustfmt and clippy", components)?;
        step("npm test tools (Playwright, axe)", || {
            npm_ci(&util::root().join("tests/e2e"))
        })?;
        step(
            "Python SMTP test server (aiosmtpd) and schemathesis",
            python_venv,
        )?;
    }
    println!("setup: everything installed ({})", util::human(t.elapsed()));
    Ok(())
}

fn step(name: &str, f: impl FnOnce() -> Result) -> Result {
    let t = Instant::now();
    f().map_err(|e| format!("setup of {name}: {e}"))?;
    let took = t.elapsed();
    if took.as_secs() >= 2 {
        println!("setup: {name} ready ({})", util::human(took));
    }
    Ok(())
}

fn wasm_target() -> Result {
    let installed =
        util::output(cmd("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    run(cmd("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

fn components() -> Result {
    if has_version("cargo-clippy", "clippy") && has_version("rustfmt", "rustfmt") {
        return Ok(());
    }
    run(cmd("rustup").args(["component", "add", "clippy", "rustfmt"]))
}

fn apt(packages: &[&str]) -> Result {
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| {
            util::output(cmd("dpkg-query").args(["-W", "-f=${Status}", p]))
                .is_none_or(|s| !s.contains("install ok installed"))
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    println!("setup: apt-get install {}", missing.join(" "));
    let sudo = if util::output(cmd("id").arg("-u")).as_deref() == Some("0") {
        None
    } else {
        Some("sudo")
    };
    let apt_get = |args: &[&str]| {
        let mut c = match sudo {
            Some(s) => {
                let mut c = cmd(s);
                c.arg("apt-get");
                c
            }
            None => cmd("apt-get"),
        };
        c.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        c
    };
    run(&mut apt_get(&["update", "-qq"]))?;
    let mut install = apt_get(&["install", "-y", "-qq", "--no-install-recommends"]);
    install.args(&missing);
    run(&mut install)
}

/// `npm ci` when node_modules is missing or older than the lock file.
fn npm_ci(dir: &Path) -> Result {
    let lock = dir.join("package-lock.json");
    let stamp = dir.join("node_modules/.package-lock.json");
    let fresh = match (std::fs::metadata(&lock), std::fs::metadata(&stamp)) {
        (Ok(l), Ok(s)) => s.modified().ok() >= l.modified().ok(),
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    run(cmd("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(dir))
}

fn wasm_bindgen_cli() -> Result {
    let version = util::lock_version("wasm-bindgen")?;
    if has_version("wasm-bindgen", &version) && has_version("wasm-bindgen-test-runner", &version) {
        return Ok(());
    }
    println!("setup: cargo install wasm-bindgen-cli {version} (about 3 minutes)");
    run(cmd("cargo").args([
        "install",
        "wasm-bindgen-cli",
        "--version",
        &format!("={version}"),
    ]))
}

fn trunk() -> Result {
    if has_version("trunk", TRUNK_VERSION) {
        return Ok(());
    }
    println!("setup: cargo install trunk {TRUNK_VERSION} (about 10 minutes on 2 cores)");
    run(cmd("cargo").args(["install", "trunk", "--version", TRUNK_VERSION, "--locked"]))
}

fn python_venv() -> Result {
    let venv = util::venv();
    let python = venv.join("bin/python");
    let check = || {
        util::output(cmd(&python).args([
            "-c",
            "import aiosmtpd, importlib.metadata as m; print(aiosmtpd.__version__, m.version('schemathesis'))",
        ]))
        .is_some_and(|v| v == format!("{AIOSMTPD_VERSION} {SCHEMATHESIS_VERSION}"))
    };
    if check() {
        return Ok(());
    }
    run(cmd("python3").arg("-m").arg("venv").arg(&venv))?;
    run(cmd(venv.join("bin/pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        &format!("aiosmtpd=={AIOSMTPD_VERSION}"),
        &format!("schemathesis=={SCHEMATHESIS_VERSION}"),
    ]))
}
