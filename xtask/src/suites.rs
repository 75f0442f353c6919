//! The build, run, test and bench commands.

use crate::bench;
use crate::setup::{self, Needs};
use crate::util::{self, cmd, run as run_cmd, Result};
use std::path::{Path, PathBuf};
use std::process::{Child, ExitCode, Stdio};
use std::time::Instant;

/// The pinned PyPI package whose SQLite file has the SEPOMEX catalog (145,468 settlements in 32,236 codes).
/// SEPOMEX's terms forbid redistributing its file, so the repository carries only the recipe.
const CATALOG_PACKAGE: &str = "postalcodes-mexico==0.4.2";
const CATALOG_WHEEL: &str = "postalcodes_mexico-0.4.2-py2.py3-none-any.whl";
const CATALOG_WHEEL_SHA256: &str =
    "91bd6a1df0faf9dedef38af79914901ec8a0f9f10f2bfa502f7c8d6e2b72e54e";
const CATALOG_SQLITE_IN_WHEEL: &str = "postalcodes_mexico/data/postalcodes.sqlite3";

/// The fixed CAPTCHA answer of the end-to-end tests (the server accepts it only with AFILIATE_ENV=test).
const E2E_CAPTCHA: &str = "Ab3dE";

fn dist() -> PathBuf {
    util::root().join("dist")
}

/// trunk's release build (wasm-opt -Os, hashed file names, the glue JS minified and everything precompressed by
/// the post_build hook), then the first screens prerendered from the built app in headless Chromium.
pub fn build_app() -> Result {
    run_cmd(cmd("trunk").args(["build", "--release"]))?;
    prerender(&dist())
}

/// Snapshots the built app's first render of `/`, `/tramite/nss` and a neutral page (see prerender.mjs).
pub fn prerender(dist: &Path) -> Result {
    run_cmd(
        cmd("node")
            .arg(util::root().join("xtask/tools/prerender.mjs"))
            .arg(dist),
    )
}

/// The release app and the server built for speed.
pub fn build_release() -> Result {
    build_app()?;
    run_cmd(cmd("cargo").args(["build", "--profile", "server", "-p", "afiliate-server"]))
}

/// The release app built with no network at all: proves the toolchain is offline.
pub fn offline_build() -> Result {
    run_cmd(
        cmd("unshare")
            .args([
                "-n",
                "sh",
                "-c",
                "ip link set lo up 2>/dev/null; trunk build --release",
            ])
            .env("CARGO_NET_OFFLINE", "true"),
    )?;
    println!("offline-build: the release app built with the network cut off (unshare -n)");
    Ok(())
}

/// `cargo xtask run`: install, build, prepare the data folder, serve.
pub fn run(_args: &[String]) -> Result {
    setup::setup(Needs::build())?;
    build_release()?;
    let data = util::data_dir();
    let server = util::root().join("target/server/afiliate-server");
    if !data.join("catalog/catalogo.bin").exists() {
        catalog_with(&server, &data)?;
    }
    // The demo registry: synthetic students so the trámite can be tried at once (see crates/server/DEMO.md).
    run_cmd(
        cmd(&server)
            .args(["registry", "seed-demo"])
            .env("AFILIATE_DATA_DIR", &data),
    )?;
    umf_demo(&server, &data)?;
    let addr = std::env::var("AFILIATE_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".into());
    println!("\nAfíliate: http://{addr}/");
    println!(
        "Embedded in the microsite's stand-in (another origin): run `node tests/e2e/host/servidor.mjs --app \
         http://{addr}` and open http://127.0.0.1:8090/afiliatealimss/tramite\n"
    );
    let mut serve = cmd(&server);
    serve
        .arg("serve")
        .env("AFILIATE_ADDR", &addr)
        .env("AFILIATE_DATA_DIR", &data)
        .env("AFILIATE_STATIC_DIR", dist())
        // A local trial: `file:` mail and an http:// loopback URL, which `prod` refuses.
        .env(
            "AFILIATE_ENV",
            std::env::var("AFILIATE_ENV").unwrap_or_else(|_| "dev".into()),
        );
    // The host page's origin (tests/e2e/host/servidor.mjs) may call the API and load the app's files.
    if std::env::var_os("AFILIATE_CORS_ORIGINS").is_none() {
        serve.env("AFILIATE_CORS_ORIGINS", "http://127.0.0.1:8090");
    }
    let status = serve
        .status()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the server stopped: {status}"))
    }
}

/// The demo catalog of clinics (clearly fictitious, `crates/server/demo/umf.csv`), loaded again on every run.
fn umf_demo(server: &Path, data: &Path) -> Result {
    run_cmd(
        cmd(server)
            .args(["umf", "import"])
            .arg(util::root().join("crates/server/demo/umf.csv"))
            .env("AFILIATE_DATA_DIR", data),
    )
}

/// `cargo xtask catalog`: builds the postal catalog into the data folder.
pub fn catalog(data: &Path) -> Result {
    run_cmd(cmd("cargo").args(["build", "--profile", "server", "-p", "afiliate-server"]))?;
    catalog_with(&util::root().join("target/server/afiliate-server"), data)
}

/// Fetches the pinned PyPI package (checking its sha256) and imports its SQLite file.
fn catalog_with(server: &Path, data: &Path) -> Result {
    let sqlite = catalog_source()?;
    run_cmd(
        cmd(server)
            .args(["catalog", "import"])
            .arg(&sqlite)
            .env("AFILIATE_DATA_DIR", data),
    )
}

/// The catalog's SQLite file, downloaded once into `.tools/catalog/` and verified.
fn catalog_source() -> Result<PathBuf> {
    let dir = util::root().join(".tools/catalog");
    let sqlite = dir.join("postalcodes.sqlite3");
    if sqlite.exists() {
        return Ok(sqlite);
    }
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let wheel = dir.join(CATALOG_WHEEL);
    if !wheel.exists() {
        run_cmd(
            cmd("python3")
                .args([
                    "-m",
                    "pip",
                    "download",
                    "--no-deps",
                    "--quiet",
                    "--disable-pip-version-check",
                    "-d",
                ])
                .arg(&dir)
                .arg(CATALOG_PACKAGE),
        )?;
    }
    let sum = util::output(cmd("sha256sum").arg(&wheel)).unwrap_or_default();
    if !sum.starts_with(CATALOG_WHEEL_SHA256) {
        let _ = std::fs::remove_file(&wheel);
        return Err(format!(
            "{CATALOG_WHEEL}: sha256 mismatch (expected {CATALOG_WHEEL_SHA256}, got {sum})"
        ));
    }
    let script = format!(
        "import zipfile,sys; open(sys.argv[2],'wb').write(zipfile.ZipFile(sys.argv[1]).read('{CATALOG_SQLITE_IN_WHEEL}'))"
    );
    let tmp = dir.join("postalcodes.sqlite3.tmp");
    run_cmd(cmd("python3").arg("-c").arg(script).arg(&wheel).arg(&tmp))?;
    std::fs::rename(&tmp, &sqlite).map_err(|e| e.to_string())?;
    Ok(sqlite)
}

struct Outcome {
    name: &'static str,
    ok: bool,
    took: std::time::Duration,
    note: String,
}

/// The suites of `cargo xtask test`, in order.
const SUITES: &[&str] = &[
    "fmt",
    "clippy",
    "clippy-wasm",
    "unit",
    "faults",
    "domain-wasm",
    "wasm-bindgen",
    "build",
    "e2e",
    "gallery",
    "size",
];

/// `cargo xtask test [SUITE…]`: installs what is missing, then runs every suite, printing each result.
pub fn test(args: &[String]) -> ExitCode {
    let started = Instant::now();
    if let Err(e) = setup::setup(Needs::all()) {
        eprintln!("xtask test: {e}");
        println!("test: 0 passed, 1 failed");
        return ExitCode::FAILURE;
    }
    let selected: Vec<&str> = if args.is_empty() {
        SUITES.to_vec()
    } else {
        args.iter().map(String::as_str).collect()
    };
    if let Some(bad) = selected.iter().find(|s| !SUITES.contains(s)) {
        eprintln!("unknown suite {bad}; suites: {}", SUITES.join(" "));
        return ExitCode::from(2);
    }
    let mut outcomes: Vec<Outcome> = Vec::new();
    for &name in SUITES.iter().filter(|s| selected.contains(s)) {
        let build_failed = outcomes.iter().any(|o| o.name == "build" && !o.ok);
        if build_failed && matches!(name, "e2e" | "gallery" | "size") {
            outcomes.push(Outcome {
                name,
                ok: false,
                took: Default::default(),
                note: "not run: the build failed".into(),
            });
            continue;
        }
        println!("\n==> suite {name}");
        let t = Instant::now();
        let result = run_suite(name);
        let took = t.elapsed();
        let (ok, note) = match result {
            Ok(note) => (true, note),
            Err(e) => (false, e),
        };
        println!(
            "==> suite {name}: {} ({})",
            if ok { "PASS" } else { "FAIL" },
            util::human(took)
        );
        outcomes.push(Outcome {
            name,
            ok,
            took,
            note,
        });
    }
    println!("\n{:<14} {:<6} {:>9}  note", "suite", "result", "time");
    for o in &outcomes {
        println!(
            "{:<14} {:<6} {:>9}  {}",
            o.name,
            if o.ok { "PASS" } else { "FAIL" },
            util::human(o.took),
            o.note
        );
    }
    let passed = outcomes.iter().filter(|o| o.ok).count();
    let failed = outcomes.len() - passed;
    println!("total time {}", util::human(started.elapsed()));
    println!("suites: {passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn cargo(args: &[&str]) -> Result<String> {
    run_cmd(cmd("cargo").args(args)).map(|()| String::new())
}

fn run_suite(name: &str) -> Result<String> {
    match name {
        "fmt" => cargo(&["fmt", "--all", "--", "--check"]),
        "clippy" => cargo(&[
            "clippy",
            "--workspace",
            "--exclude",
            "afiliate",
            "--exclude",
            "afiliate-floor",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
        // The domain crate's lib only: its dev-dependencies (proptest) are native test tools.
        "clippy-wasm" => cargo(&[
            "clippy",
            "-p",
            "afiliate",
            "--target",
            "wasm32-unknown-unknown",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])
        // The designer preview's code too (cargo feature `preview`).
        .and_then(|_| {
            cargo(&[
                "clippy",
                "-p",
                "afiliate",
                "--target",
                "wasm32-unknown-unknown",
                "--features",
                "preview",
                "--",
                "-D",
                "warnings",
            ])
        })
        .and_then(|_| {
            cargo(&[
                "clippy",
                "-p",
                "afiliate-domain",
                "--target",
                "wasm32-unknown-unknown",
                "--",
                "-D",
                "warnings",
            ])
        }),
        // Native tests of every crate; the server's PostgreSQL tests start their own throwaway cluster.
        "unit" => cargo(&[
            "test",
            "--workspace",
            "--exclude",
            "afiliate",
            "--exclude",
            "afiliate-floor",
        ]),
        // The fault harness at reduced sizes (cargo xtask faults --reduced).
        "faults" => {
            let contrato = contrato(true)?;
            faults_con(&ESCENARIOS_PROCESOS, true).map(|n| format!("{contrato}; {n}"))
        }
        "domain-wasm" => cargo(&[
            "build",
            "-p",
            "afiliate-domain",
            "--target",
            "wasm32-unknown-unknown",
        ]),
        // The app's wasm-bindgen tests in headless Chromium (runner and chromedriver set in .cargo/config.toml).
        "wasm-bindgen" => cargo(&[
            "test",
            "-p",
            "afiliate",
            "--target",
            "wasm32-unknown-unknown",
        ]),
        "build" => {
            build_app()?;
            cargo(&["build", "-p", "afiliate-server"])
        }
        "e2e" => e2e(),
        "gallery" => gallery(),
        "size" => size_report(),
        _ => Err(format!("unknown suite {name}")),
    }
}

/// Where the designer preview is built (never `dist/`: the release build has no mock and no panel).
fn preview_dist() -> PathBuf {
    util::root().join("target/preview-dist")
}

/// `trunk serve` of the designer preview (cargo feature `preview`: the in-browser mock server, the scenario
/// panel, `/galeria`) on `port` (None: a free one, picked after the build), answering once its build is served
/// on the port it returns. With `recarga`, live reload of a debug
/// build (quick rebuilds for designers); without, a release build (its wasm loads several times faster, which
/// the gallery test and the screenshots, loading every screen twice, need).
fn preview_serve(port: Option<u16>, recarga: bool) -> Result<(Guard, u16)> {
    let mut trunk = cmd("trunk");
    trunk
        .arg("serve")
        .arg("--dist")
        .arg(preview_dist())
        // The feature as trunk's environment variable, so the post_build hook sees it too (no precompression).
        .env("TRUNK_BUILD_FEATURES", "preview");
    if !recarga {
        // A build first: `trunk serve` keeps running (and never listens) when its build fails, `trunk build`
        // exits with the error. The serve then reuses cargo's work (its own wasm-bindgen and wasm-opt run again).
        run_cmd(
            cmd("trunk")
                .args(["build", "--release", "--dist"])
                .arg(preview_dist())
                .env("TRUNK_BUILD_FEATURES", "preview"),
        )?;
        trunk.args(["--no-autoreload", "true", "--release", "true"]);
    }
    let port = port.unwrap_or_else(util::free_port);
    trunk.args(["--port", &port.to_string()]);
    let guard = Guard(
        trunk
            .spawn()
            .map_err(|e| format!("cannot start trunk serve: {e}"))?,
    );
    // trunk listens once the first build is done; a cold build takes minutes.
    Ok((guard.listening(port, 900)?, port))
}

/// `cargo xtask preview`: the app on its in-browser mock server, with live reload (no server, no database).
pub fn preview(_args: &[String]) -> Result {
    setup::setup(Needs::build())?;
    let port: u16 = std::env::var("AFILIATE_PREVIEW_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8082);
    println!("\nAfíliate preview: building, then http://127.0.0.1:{port}/ (gallery: /galeria; scenarios: ?escenario=…)\n");
    let (guard, _) = preview_serve(Some(port), true)?;
    println!(
        "\nAfíliate preview: http://127.0.0.1:{port}/   gallery: http://127.0.0.1:{port}/galeria\n"
    );
    let mut guard = guard;
    guard
        .0
        .wait()
        .map_err(|e| format!("trunk serve: {e}"))
        .map(|_| ())
}

/// `cargo xtask screenshots`: one PNG per gallery entry and width in target/screenshots/, and an index.html.
pub fn screenshots(_args: &[String]) -> Result {
    setup::setup(Needs::build())?;
    let (_trunk, port) = preview_serve(None, false)?;
    let out = util::root().join("target/screenshots");
    run_cmd(
        cmd("node")
            .arg(util::root().join("xtask/tools/screenshots.mjs"))
            .arg(format!("http://127.0.0.1:{port}"))
            .arg(&out),
    )?;
    // 20 real challenges from the server, for a person to judge (the preview's mock has no CAPTCHA renderer).
    run_cmd(cmd("cargo").args(["build", "-p", "afiliate-server"]))?;
    let data = out.join("captcha-data");
    std::fs::create_dir_all(&data).map_err(|e| e.to_string())?;
    let server_port = util::free_port();
    let server = cmd(util::root().join("target/debug/afiliate-server"))
        .arg("serve")
        .env("AFILIATE_ADDR", format!("127.0.0.1:{server_port}"))
        .env("AFILIATE_DATA_DIR", &data)
        .env("AFILIATE_ENV", "dev")
        .env("AFILIATE_LIMITE_IP_SEG", "1000")
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    let _server = Guard(server).listening(server_port, 30)?;
    run_cmd(
        cmd("node")
            .arg(util::root().join("xtask/tools/captchas.mjs"))
            .arg(format!("http://127.0.0.1:{server_port}"))
            .arg(&out),
    )?;
    let _ = std::fs::remove_dir_all(&data);
    println!(
        "screenshots: {} and {}",
        out.join("index.html").display(),
        out.join("captcha.html").display()
    );
    Ok(())
}

/// The gallery test: every entry renders without console errors and with 0 axe violations at phone and
/// desktop widths, without horizontal scroll at 320 px; and the release `dist/` has none of the preview.
fn gallery() -> Result<String> {
    let (_trunk, port) = preview_serve(None, false)?;
    let root = util::root();
    run_cmd(
        cmd("node")
            .args(["--test", "--test-reporter=spec", "galeria.preview.mjs"])
            .current_dir(root.join("tests/e2e"))
            .env("AFILIATE_PREVIEW_URL", format!("http://127.0.0.1:{port}"))
            .env("AFILIATE_DIST", dist())
            .env("AFILIATE_E2E_ARTIFACTS", root.join("tests/artifacts")),
    )?;
    Ok("gallery: every entry at 360, 1280 and 320 px".into())
}

/// The scenarios of `cargo xtask faults` that run real processes (crates/server/examples/faults.rs).
const ESCENARIOS_PROCESOS: [&str; 7] = [
    "crash-sqlite",
    "crash-pg",
    "mail",
    "pg-restart",
    "scale-out",
    "abuse",
    "disk-full",
];

/// `cargo xtask faults [--reduced] [SCENARIO…]`: the fault and abuse harness, full size by default (`--reduced`
/// or `AFILIATE_FAULTS_REDUCED=1`: the sizes the test command runs). `parsers`: every domain parser under proptest
/// (1,000,000 inputs each, release build; the test command runs 20,000). `crash-sqlite`, `crash-pg`: `kill -9` of
/// the server during concurrent assignments, 5 times; `mail`: the SMTP server hung, then back; `pg-restart`:
/// PostgreSQL restarted under load; `scale-out`: three servers on one PostgreSQL;
/// `abuse`: floods from one address and one /64; `disk-full`: SQLite on a small tmpfs filled up. Each prints one row of a table; any loss or duplicate fails.
pub fn faults(args: &[String]) -> Result {
    let reducido = args.iter().any(|a| a == "--reduced")
        || std::env::var("AFILIATE_FAULTS_REDUCED").is_ok_and(|v| v == "1");
    let mut elegidos: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| *a != "--reduced")
        .collect();
    if elegidos.is_empty() {
        elegidos = ESCENARIOS_PROCESOS.to_vec();
        elegidos.insert(0, "parsers");
        elegidos.insert(1, "contract");
    }
    if let Some(otro) = elegidos
        .iter()
        .find(|e| !["parsers", "contract"].contains(e) && !ESCENARIOS_PROCESOS.contains(e))
    {
        return Err(format!(
            "unknown scenario {otro}; scenarios: parsers contract {}",
            ESCENARIOS_PROCESOS.join(" ")
        ));
    }
    if elegidos.contains(&"contract") {
        contrato(reducido)?;
    }
    if elegidos.contains(&"parsers") {
        // The domain crate's parsers, then the server's (CSV imports, RENAPO answers). Built with the server's
        // profile, which the scenarios' build shares (the app's `release` profile, fat LTO and one codegen unit,
        // took 11 minutes to build the server's fuzz test).
        for (paquete, prueba) in [
            ("afiliate-domain", "fuzz_parsers"),
            ("afiliate-server", "fuzz_importaciones"),
        ] {
            run_cmd(
                cmd("cargo")
                    .args([
                        "test",
                        "--profile",
                        "server",
                        "-p",
                        paquete,
                        "--test",
                        prueba,
                        "--",
                        "--nocapture",
                        "--test-threads=1",
                    ])
                    .env(
                        "AFILIATE_FUZZ_CASES",
                        if reducido { "20000" } else { "1000000" },
                    ),
            )?;
        }
    }
    let procesos: Vec<&str> = elegidos
        .into_iter()
        .filter(|e| !["parsers", "contract"].contains(e))
        .collect();
    if procesos.is_empty() {
        return Ok(());
    }
    faults_con(&procesos, reducido).map(|_| ())
}

/// Builds the server (and `extra` targets) for the fault harness; answers its target folder. Full sizes use the
/// release build (`server` profile); the reduced ones, in the test command, the debug build the `unit` and `build`
/// suites have already compiled (a cold CI run would otherwise compile the server a third time).
fn servidor_de_fallas(reducido: bool, extra: &[&str]) -> Result<PathBuf> {
    let (perfil, carpeta) = if reducido {
        ("dev", "target/debug")
    } else {
        ("server", "target/server")
    };
    run_cmd(
        cmd("cargo")
            .args([
                "build",
                "--profile",
                perfil,
                "-p",
                "afiliate-server",
                "--bin",
                "afiliate-server",
            ])
            .args(extra),
    )?;
    Ok(util::root().join(carpeta))
}

/// Builds the server and the harness ([`servidor_de_fallas`]), runs each scenario, prints the table; fails on any
/// failed row.
fn faults_con(escenarios: &[&str], reducido: bool) -> Result<String> {
    let target = servidor_de_fallas(reducido, &["--example", "faults"])?;
    println!(
        "\n| scenario | size | acknowledged | lost | duplicated | mails once | 5xx | time | notes"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let inicio = Instant::now();
    let mut fallidos = Vec::new();
    for e in escenarios {
        let mut c = cmd(target.join("examples/faults"));
        c.arg(e)
            .arg("--server")
            .arg(target.join("afiliate-server"))
            .arg("--python")
            .arg(util::venv().join("bin/python"));
        if reducido {
            c.arg("--reduced");
        }
        if run_cmd(&mut c).is_err() {
            fallidos.push(*e);
        }
    }
    let nota = format!(
        "{} scenarios in {}",
        escenarios.len(),
        util::human(inicio.elapsed())
    );
    if fallidos.is_empty() {
        Ok(nota)
    } else {
        Err(format!("{nota}; failed: {}", fallidos.join(" ")))
    }
}

/// The demo school whose key the contract run uses (`registry seed-demo` creates it without one).
const ESCUELA_CONTRATO: &str = "09PDM0001Z";

/// `contract`: schemathesis (PyPI, in the tools' venv) against `/api/openapi.json` of a running server, the demo
/// data loaded: every phase, 500 cases per operation and phase (`reduced`: 60), no 5xx and no answer outside the
/// document (xtask/tools/contrato.py prints the requests per operation). Full size on the release build.
fn contrato(reducido: bool) -> Result<String> {
    let server = servidor_de_fallas(reducido, &[])?.join("afiliate-server");
    let root = util::root();
    let work = root.join("target/contract");
    let _ = std::fs::remove_dir_all(&work);
    let data = work.join("data");
    std::fs::create_dir_all(&data).map_err(|e| e.to_string())?;
    catalog_with(&server, &data)?;
    run_cmd(
        cmd(&server)
            .args(["registry", "seed-demo", "50"])
            .env("AFILIATE_DATA_DIR", &data),
    )?;
    umf_demo(&server, &data)?;
    // The schools' two operations get a demo school's CCT and its key, so the fuzzer's bodies reach the CSV
    // reader instead of all being answered 401.
    let clave = util::output(
        cmd(&server)
            .args(["escuelas", "new-key", ESCUELA_CONTRATO])
            .env("AFILIATE_DATA_DIR", &data),
    )
    .and_then(|s| s.lines().last().map(str::to_string))
    .ok_or("contract: escuelas new-key failed")?;
    let config = work.join("schemathesis.toml");
    std::fs::write(
        &config,
        format!(
            "[[operations]]\ninclude-path-regex = \"^/api/escuelas/\"\n\
             headers = {{ Authorization = \"Bearer {clave}\" }}\n\
             parameters = {{ \"path.cct\" = \"{ESCUELA_CONTRATO}\" }}\n"
        ),
    )
    .map_err(|e| e.to_string())?;
    let port = util::free_port();
    let log = std::fs::File::create(work.join("server.log")).map_err(|e| e.to_string())?;
    let hijo = cmd(&server)
        .arg("serve")
        .env("AFILIATE_ADDR", format!("127.0.0.1:{port}"))
        .env("AFILIATE_DATA_DIR", &data)
        .env("AFILIATE_ENV", "test")
        .env("AFILIATE_CAPTCHA_FIXED", E2E_CAPTCHA)
        .env(
            "AFILIATE_MAIL",
            format!("file:{}", work.join("mail").display()),
        )
        // The fuzzer is one client asking fast: the limits would answer most of it 429.
        .env("AFILIATE_LIMITE_IP_SEG", "0")
        .env("AFILIATE_LIMITE_CURP_DIA", "1000000")
        .env("AFILIATE_LIMITE_CORREO_DIA", "1000000")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    let _servidor = Guard(hijo).listening(port, 60)?;
    let casos = if reducido { "60" } else { "500" };
    let inicio = Instant::now();
    run_cmd(
        cmd(util::venv().join("bin/python"))
            .arg(root.join("xtask/tools/contrato.py"))
            .args(["--url", &format!("http://127.0.0.1:{port}")])
            .args(["--casos", casos])
            .arg("--config")
            .arg(&config)
            .arg("--dir")
            .arg(work.join("schemathesis")),
    )
    .map_err(|e| format!("contract: {e} (see target/contract/schemathesis/schemathesis.log)"))?;
    Ok(format!(
        "contract: schemathesis, {casos} cases per operation and phase, in {}",
        util::human(inicio.elapsed())
    ))
}

/// Kills a child process when dropped.
pub struct Guard(Child);

impl Guard {
    pub fn new(child: Child) -> Self {
        Guard(child)
    }

    /// This guard once something accepts TCP connections on `port`. Fails when the deadline passes, and at once
    /// when this process has exited meanwhile (a failed build, a port taken) instead of waiting out the deadline.
    pub fn listening(mut self, port: u16, seconds: u64) -> Result<Guard> {
        let deadline = Instant::now() + std::time::Duration::from_secs(seconds);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(self);
            }
            if let Ok(Some(status)) = self.0.try_wait() {
                return Err(format!("it exited ({status}) before listening on {port}"));
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        Err(format!(
            "nothing listened on 127.0.0.1:{port} within {seconds} s"
        ))
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The Playwright + axe tests in Debian's headless Chromium against the real server: SQLite in a temporary data
/// folder, the demo registry, the real postal catalog, the fixed test CAPTCHA, and a real SMTP server (aiosmtpd).
fn e2e() -> Result<String> {
    let root = util::root();
    let work = root.join("target/e2e");
    let _ = std::fs::remove_dir_all(&work);
    let data = work.join("data");
    let maildir = work.join("maildir");
    let artifacts = root.join("tests/artifacts");
    std::fs::create_dir_all(&data).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(&artifacts).map_err(|e| e.to_string())?;
    let server = root.join("target/debug/afiliate-server");

    catalog_with(&server, &data)?;
    run_cmd(
        cmd(&server)
            .args(["registry", "seed-demo"])
            .env("AFILIATE_DATA_DIR", &data),
    )?;
    umf_demo(&server, &data)?;

    let smtp_port = util::free_port();
    let smtp = cmd(util::venv().join("bin/python"))
        .args([
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &format!("127.0.0.1:{smtp_port}"),
            "-c",
            "aiosmtpd.handlers.Mailbox",
        ])
        .arg(&maildir)
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start aiosmtpd: {e}"))?;
    let _smtp = Guard(smtp).listening(smtp_port, 20)?;

    let port = util::free_port();
    // The host pages' origin (tests/e2e/host/servidor.mjs, started by marco.test.mjs and incrustado.test.mjs).
    let host_port = util::free_port();
    let log = std::fs::File::create(work.join("server.log")).map_err(|e| e.to_string())?;
    let server_child = cmd(&server)
        .arg("serve")
        .env("AFILIATE_ADDR", format!("127.0.0.1:{port}"))
        .env("AFILIATE_DATA_DIR", &data)
        .env("AFILIATE_STATIC_DIR", dist())
        .env("AFILIATE_ENV", "test")
        .env("AFILIATE_CAPTCHA_FIXED", E2E_CAPTCHA)
        .env("AFILIATE_MAIL", format!("smtp://127.0.0.1:{smtp_port}"))
        .env(
            "AFILIATE_FRAME_ANCESTORS",
            format!("'self' http://127.0.0.1:{host_port}"),
        )
        // The embedded mode's host page (tests/e2e/incrustado.test.mjs), on the same other origin.
        .env(
            "AFILIATE_CORS_ORIGINS",
            format!("http://127.0.0.1:{host_port}"),
        )
        .stdout(log.try_clone().map_err(|e| e.to_string())?)
        .stderr(log)
        .spawn()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    let _server = Guard(server_child)
        .listening(port, 30)
        .map_err(|e| format!("{e} (see target/e2e/server.log)"))?;
    // A second server on the same database and mail server, with e-mail confirmation (confirmacion.test.mjs).
    let port_confirmar = util::free_port();
    let log =
        std::fs::File::create(work.join("server-confirmar.log")).map_err(|e| e.to_string())?;
    let confirmar_child = cmd(&server)
        .arg("serve")
        .env("AFILIATE_ADDR", format!("127.0.0.1:{port_confirmar}"))
        .env("AFILIATE_DATA_DIR", &data)
        .env("AFILIATE_STATIC_DIR", dist())
        .env("AFILIATE_ENV", "test")
        .env("AFILIATE_CAPTCHA_FIXED", E2E_CAPTCHA)
        .env("AFILIATE_MAIL", format!("smtp://127.0.0.1:{smtp_port}"))
        .env("AFILIATE_CONFIRMAR_CORREO", "true")
        .env(
            "AFILIATE_PUBLIC_URL",
            format!("http://127.0.0.1:{port_confirmar}"),
        )
        .stdout(log.try_clone().map_err(|e| e.to_string())?)
        .stderr(log)
        .spawn()
        .map_err(|e| format!("cannot start the confirming server: {e}"))?;
    let _confirmar = Guard(confirmar_child)
        .listening(port_confirmar, 30)
        .map_err(|e| format!("{e} (see target/e2e/server-confirmar.log)"))?;

    let mut node = cmd("node");
    node.args(["--test", "--test-reporter=spec", "--test-concurrency=1"]);
    // While working on one page: `AFILIATE_E2E_ONLY=incrustado.test.mjs cargo xtask test e2e`.
    if let Ok(solo) = std::env::var("AFILIATE_E2E_ONLY") {
        node.args(solo.split_whitespace());
    }
    node.current_dir(root.join("tests/e2e"))
        .env("AFILIATE_E2E_URL", format!("http://127.0.0.1:{port}"))
        .env(
            "AFILIATE_E2E_URL_CONFIRMAR",
            format!("http://127.0.0.1:{port_confirmar}"),
        )
        .env("AFILIATE_E2E_CAPTCHA", E2E_CAPTCHA)
        .env("AFILIATE_E2E_MAILDIR", &maildir)
        .env("AFILIATE_E2E_HOST_PORT", host_port.to_string())
        .env("AFILIATE_E2E_ARTIFACTS", &artifacts);
    run_cmd(&mut node).map_err(|e| format!("{e} (server log: target/e2e/server.log)"))?;
    Ok(format!("screenshots in {}", artifacts.display()))
}

/// Sizes of the release app's wasm and js: raw, gzip -9 and brotli -q 11 (the files the server sends). The goal
/// and the floor to compare with are `cargo xtask bench`'s.
pub fn size_report() -> Result<String> {
    let total = bench::print_sizes("app (dist/)", &bench::sizes(&dist())?);
    let loader = bench::embed_loader_size(&dist())?;
    println!(
        "embedded mode: {} {} B brotli on top",
        bench::EMBED_LOADER,
        loader.brotli
    );
    Ok(format!(
        "wasm+js {} B brotli; embed loader {} B",
        total.brotli, loader.brotli
    ))
}

/// Postfix's `smtp-sink` (a fast SMTP server that accepts and discards), unpacked from Debian's `postfix` package
/// into `.tools/postfix` (`apt-get download` and `dpkg -x`: nothing is installed or configured system-wide) and
/// started on a free port; `None`, with a line saying why, when that is not possible.
fn smtp_sink() -> Option<(Guard, u16)> {
    let dir = util::root().join(".tools/postfix");
    let sink = dir.join("usr/sbin/smtp-sink");
    if !sink.exists() {
        let tmp = util::root().join("target/postfix-deb");
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp).ok()?;
        let descargado = cmd("apt-get")
            .args(["download", "postfix"])
            .current_dir(&tmp)
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        let deb = std::fs::read_dir(&tmp)
            .ok()?
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "deb"));
        match (descargado, deb) {
            (true, Some(deb)) => {
                if !cmd("dpkg")
                    .arg("-x")
                    .arg(&deb)
                    .arg(&dir)
                    .status()
                    .is_ok_and(|s| s.success())
                {
                    println!(
                        "mail bench: dpkg -x of {} failed; smtp-sink figures skipped",
                        deb.display()
                    );
                    return None;
                }
            }
            _ => {
                println!("mail bench: apt-get download postfix failed; smtp-sink figures skipped");
                return None;
            }
        }
    }
    let port = util::free_port();
    let hijo = cmd(&sink)
        // As root it must drop privileges; it only listens and discards.
        .args(["-u", "nobody", "-c", &format!("127.0.0.1:{port}"), "1024"])
        .env("LD_LIBRARY_PATH", dir.join("usr/lib/postfix"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| println!("mail bench: cannot start smtp-sink: {e}"))
        .ok()?;
    let guardia = Guard(hijo)
        .listening(port, 10)
        .map_err(|e| println!("mail bench: smtp-sink did not listen: {e}"))
        .ok()?;
    Some((guardia, port))
}

/// `cargo xtask bench`: sizes, then each benchmark prints its own figures.
/// `cargo xtask bench app` stops after the app's figures (sizes, pages, Lighthouse).
pub fn bench(args: &[String]) -> Result {
    setup::setup(Needs::all())?;
    build_app()?;
    bench::size_figures()?;
    bench::page_figures()?;
    if args.first().map(String::as_str) == Some("app") {
        return Ok(());
    }
    // The mail worker's rate: over aiosmtpd (which bench_correo starts itself), and over Postfix's smtp-sink
    // when it can be had from Debian's package: aiosmtpd accepts only ~150 of these messages a second.
    let sumidero = smtp_sink();
    let hostport = sumidero.as_ref().map(|(_, p)| format!("127.0.0.1:{p}"));
    let mut correo: Vec<&str> = vec!["-p", "afiliate-server", "--example", "bench_correo"];
    if let Some(h) = &hostport {
        correo.extend(["--", "3000", "--smtp", h.as_str()]);
    }
    let benches: &[(&str, &[&str])] = &[
        (
            "domain: CURP validation and catalog lookup",
            &["-p", "afiliate-domain", "--example", "bench"],
        ),
        (
            "documents: PDF generation",
            &["-p", "afiliate-server", "--example", "bench_pdf"],
        ),
        (
            "server: solicitudes and asignaciones over loopback",
            &["-p", "afiliate-server", "--example", "bench_api"],
        ),
        ("mail: the outbox worker's delivery rate", &correo),
    ];
    let catalog = util::data_dir().join("catalog/catalogo.bin");
    let mut failures = Vec::new();
    for (title, args) in benches {
        println!("\n== {title}");
        let mut c = cmd("cargo");
        c.args(["run", "--quiet", "--profile", "server"])
            .args(*args);
        if args.contains(&"afiliate-domain") && catalog.exists() {
            c.arg("--").arg(&catalog);
        }
        if let Err(e) = run_cmd(&mut c) {
            failures.push(format!("{title}: {e}"));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listening_fails_at_once_when_the_process_exits() {
        let g = Guard::new(cmd("sh").args(["-c", "exit 3"]).spawn().unwrap());
        let inicio = std::time::Instant::now();
        let e = g.listening(util::free_port(), 600).err().expect("an error");
        assert!(e.contains("exited") && e.contains('3'), "{e}");
        // Not the deadline: the exit was seen (a generous bound, this is no timing test).
        assert!(inicio.elapsed() < std::time::Duration::from_secs(300));
    }

    #[test]
    fn listening_answers_once_something_listens() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let g = Guard::new(cmd("sleep").arg("30").spawn().unwrap());
        assert_eq!(g.listening(port, 30).err(), None);
    }
}
