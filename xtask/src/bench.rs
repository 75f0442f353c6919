//! `cargo xtask bench`'s app figures: sizes against a floor built in the same run, what each crate costs, page
//! timings under Slow 4G against the plain-HTML control page, and Lighthouse's scores. Printed, never asserted:
//! goals live here, not in timed tests.

use crate::suites::Guard;
use crate::util::{self, cmd, run as run_cmd, Result};
use std::path::{Path, PathBuf};
use std::process::Stdio;

/// Goals (issue 12): the whole app, and its own cost above the floor, in brotli bytes of wasm+js.
const GOAL_TOTAL: u64 = 150 * 1024;
const GOAL_OWN: u64 = 60 * 1024;
/// Page goals: FCP of `/` (ms and as a ratio to the control page), app live on `/tramite/nss` (ms).
const GOAL_FCP_MS: f64 = 1000.0;
const GOAL_FCP_RATIO: f64 = 1.5;
const GOAL_LIVE_MS: f64 = 3000.0;
pub const TWIGGY_VERSION: &str = "0.8.0";
const LIGHTHOUSE_VERSION: &str = "12.2.3";

/// One file's sizes: raw, gzip -9, brotli -q 11.
pub struct Sizes {
    pub name: String,
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

/// The wasm and js files of a trunk `dist` folder, with their sizes (the precompressed copies when the build
/// wrote them).
pub fn sizes(dir: &Path) -> Result<Vec<Sizes>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e} (build first)", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("wasm" | "js")))
        // Host pages' loader: the standalone page never loads it ([`embed_loader_size`]).
        .filter(|p| !p.ends_with(EMBED_LOADER))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("no .wasm or .js in {}", dir.display()));
    }
    files
        .iter()
        .map(|f| {
            Ok(Sizes {
                name: f.file_name().unwrap().to_string_lossy().into_owned(),
                raw: len(f),
                gzip: compressed_len(f, "gz", &["gzip", "-9", "-c"])?,
                brotli: compressed_len(f, "br", &["brotli", "-q", "11", "-c"])?,
            })
        })
        .collect()
}

/// The loader host pages embed the app with (`public/afiliate-embed.js`, filled in by post_build).
pub const EMBED_LOADER: &str = "afiliate-embed.js";

/// The embed loader's size in `dir` (it carries the app's stylesheet for the shadow root): what a host page
/// loads on top of the wasm and JS.
pub fn embed_loader_size(dir: &Path) -> Result<Sizes> {
    let f = dir.join(EMBED_LOADER);
    if !f.exists() {
        return Err(format!("{} is missing (build first)", f.display()));
    }
    Ok(Sizes {
        name: EMBED_LOADER.into(),
        raw: len(&f),
        gzip: compressed_len(&f, "gz", &["gzip", "-9", "-c"])?,
        brotli: compressed_len(&f, "br", &["brotli", "-q", "11", "-c"])?,
    })
}

/// Prints a table of `files` and their total; answers the total.
pub fn print_sizes(title: &str, files: &[Sizes]) -> Sizes {
    println!("{title}");
    println!(
        "  {:<42} {:>10} {:>10} {:>10}",
        "file", "raw", "gzip", "brotli"
    );
    let mut total = Sizes {
        name: "total wasm+js".into(),
        raw: 0,
        gzip: 0,
        brotli: 0,
    };
    for f in files {
        println!(
            "  {:<42} {:>10} {:>10} {:>10}",
            f.name, f.raw, f.gzip, f.brotli
        );
        total.raw += f.raw;
        total.gzip += f.gzip;
        total.brotli += f.brotli;
    }
    println!(
        "  {:<42} {:>10} {:>10} {:>10}",
        total.name, total.raw, total.gzip, total.brotli
    );
    total
}

fn len(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

fn compressed_len(f: &Path, ext: &str, command: &[&str]) -> Result<u64> {
    let mut pre = f.as_os_str().to_owned();
    pre.push(".");
    pre.push(ext);
    let pre = PathBuf::from(pre);
    if pre.exists() {
        return Ok(len(&pre));
    }
    let out = cmd(command[0])
        .args(&command[1..])
        .arg(f)
        .output()
        .map_err(|e| format!("{ext}: {e}"))?;
    Ok(out.stdout.len() as u64)
}

/// The floor's dist (bench/floor/Trunk.toml writes it there).
fn floor_dist() -> PathBuf {
    util::root().join("target/floor-dist")
}

/// The app's sizes beside the floor's, then what each crate of the app costs.
pub fn size_figures() -> Result {
    run_cmd(cmd("trunk").args(["build", "--release", "--config", "bench/floor/Trunk.toml"]))?;
    println!("\n== app size (wasm + js), against a floor built in the same run");
    let app = print_sizes("app (dist/)", &sizes(&util::root().join("dist"))?);
    let floor = print_sizes(
        "floor: leptos csr + leptos_router (2 routes) + one gloo-net request (bench/floor)",
        &sizes(&floor_dist())?,
    );
    let own = app.brotli.saturating_sub(floor.brotli);
    println!(
        "app {} B brotli (goal <= {GOAL_TOTAL}: {}); floor {} B; the app's own cost {own} B (goal <= {GOAL_OWN}: {})",
        app.brotli,
        verdict(app.brotli <= GOAL_TOTAL),
        floor.brotli,
        verdict(own <= GOAL_OWN),
    );
    let loader = embed_loader_size(&util::root().join("dist"))?;
    println!(
        "embedded mode: {EMBED_LOADER} (loader + the shadow root's stylesheet) {} B raw, {} B brotli, on top",
        loader.raw, loader.brotli
    );
    crate_costs()
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "NOT met"
    }
}

/// Raw code and data per crate of the app's wasm before wasm-opt (rustc's output keeps the function names),
/// from twiggy: a guide to where the bytes go, not the shipped size.
fn crate_costs() -> Result {
    if !util::has_version(util::cargo_bin().join("twiggy"), TWIGGY_VERSION) {
        println!("setup: cargo install twiggy {TWIGGY_VERSION} (about 2 minutes)");
        run_cmd(cmd("cargo").args(["install", "twiggy", "--version", TWIGGY_VERSION, "--locked"]))?;
    }
    let wasm = target_dir().join("wasm32-unknown-unknown/release/afiliate.wasm");
    let out = util::output(
        cmd(util::cargo_bin().join("twiggy"))
            .args(["top", "-n", "1000000", "--format", "csv"])
            .arg(&wasm),
    )
    .ok_or_else(|| format!("twiggy could not read {}", wasm.display()))?;
    let mut per_crate: Vec<(String, u64)> = Vec::new();
    let mut total = 0u64;
    for line in out.lines().skip(1) {
        // Name,ShallowSize,ShallowSizePercent,RetainedSize,RetainedSizePercent (the name may hold commas: take
        // the numbers from the end)
        let mut parts = line.rsplitn(5, ',');
        let (size, name) = (parts.nth(3), parts.next());
        let (Some(size), Some(name)) = (size.and_then(|s| s.parse::<u64>().ok()), name) else {
            continue;
        };
        // Names and wasm-bindgen's descriptors are custom sections the shipped file does not keep.
        if name.contains("subsection") || name.starts_with("custom section") {
            continue;
        }
        total += size;
        let krate = crate_of(name);
        match per_crate.iter_mut().find(|(k, _)| *k == krate) {
            Some((_, s)) => *s += size,
            None => per_crate.push((krate, size)),
        }
    }
    per_crate.sort_by_key(|k| std::cmp::Reverse(k.1));
    println!(
        "\n== where the app's bytes go (twiggy on rustc's output, before wasm-bindgen and wasm-opt, {total} B in all; \
         'other' is mostly wasm-bindgen's descriptors, which the shipped file drops)"
    );
    for (k, s) in per_crate.iter().take(22) {
        println!(
            "  {k:<28} {s:>9} B  {:>5.1} %",
            *s as f64 * 100.0 / total as f64
        );
    }
    Ok(())
}

/// The crate a twiggy item belongs to: the first path segment of its name (`<T as tachys::…>` counts for
/// tachys), "data" for data segments, "other" for what has no path.
fn crate_of(name: &str) -> String {
    let name = name.trim_matches('"');
    if name.starts_with("data[") || name.starts_with("data segment") {
        return "data (strings, tables)".into();
    }
    let is_crate = |s: &str| {
        !s.is_empty()
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !matches!(s, "T" | "F" | "V" | "I" | "K" | "Fut" | "impl")
    };
    // The first path segment; for `<T as tachys::…>` the trait's crate.
    let bare = name.trim_start_matches(['<', '&']);
    let first = bare.split("::").next().unwrap_or("");
    let first = first.split('[').next().unwrap_or(first);
    if bare.contains("::") && is_crate(first) {
        return first.to_string();
    }
    if let Some(after) = name.split(" as ").nth(1) {
        let seg = after.split("::").next().unwrap_or("");
        let seg = seg.split('[').next().unwrap_or(seg);
        if is_crate(seg) {
            return seg.to_string();
        }
    }
    "other (glue, tables, headers)".into()
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| util::root().join("target"))
}

/// Slow 4G timings against the control page, then Lighthouse, all against the real server and the built app.
pub fn page_figures() -> Result {
    let shared = util::root().join("../shared/bench");
    if !shared.join("cdp_time.mjs").exists() {
        return Err(format!("{} is missing (the timing kit)", shared.display()));
    }
    run_cmd(cmd("cargo").args(["build", "--profile", "server", "-p", "afiliate-server"]))?;
    let server = target_dir().join("server/afiliate-server");
    let work = target_dir().join("bench-pages");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let port = util::free_port();
    let log = std::fs::File::create(work.join("server.log")).map_err(|e| e.to_string())?;
    let _server = Guard::new(
        cmd(&server)
            .arg("serve")
            .env("AFILIATE_ADDR", format!("127.0.0.1:{port}"))
            .env("AFILIATE_DATA_DIR", work.join("data"))
            .env("AFILIATE_STATIC_DIR", util::root().join("dist"))
            .env("AFILIATE_ENV", "dev")
            .env("AFILIATE_LIMITE_IP_SEG", "0")
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start the server: {e}"))?,
    )
    .listening(port, 30)?;
    let control_port = util::free_port();
    let _control = Guard::new(
        cmd("python3")
            .arg(shared.join("serve_br.py"))
            .arg(shared.join("vanilla"))
            .arg(control_port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start the control page's server: {e}"))?,
    )
    .listening(control_port, 10)?;
    let app = format!("http://127.0.0.1:{port}");
    let control = format!("http://127.0.0.1:{control_port}/");

    println!("\n== pages under Slow 4G and 4x CPU slow-down (cdp_time.mjs, medians of 5 runs, same run as the control)");
    let c = cdp_time(&shared, &control, "input")?;
    let landing = cdp_time(&shared, &format!("{app}/"), "h1")?;
    let tramite = cdp_time(
        &shared,
        &format!("{app}/tramite/nss"),
        "img.afi-captcha__image",
    )?;
    println!(
        "  {:<46} {:>9} {:>9} {:>9}",
        "page", "FCP ms", "ready ms", "KB"
    );
    for (name, t) in [
        ("control (plain HTML form)", &c),
        ("/ (prerendered landing)", &landing),
        ("/tramite/nss (until its CAPTCHA is shown)", &tramite),
    ] {
        println!(
            "  {name:<46} {:>9.0} {:>9.0} {:>9.1}",
            t.fcp,
            t.ready,
            t.bytes / 1024.0
        );
    }
    let ratio = landing.fcp / c.fcp;
    println!(
        "  FCP of /: {:.0} ms (goal <= {GOAL_FCP_MS:.0}: {}), {ratio:.2}x the control's {:.0} ms (goal <= {GOAL_FCP_RATIO}x: {})",
        landing.fcp,
        verdict(landing.fcp <= GOAL_FCP_MS),
        c.fcp,
        verdict(ratio <= GOAL_FCP_RATIO)
    );
    println!(
        "  /tramite/nss live: {:.0} ms (goal <= {GOAL_LIVE_MS:.0}: {}), {:.2}x the control's ready {:.0} ms; FCP {:.2}x the control's",
        tramite.ready,
        verdict(tramite.ready <= GOAL_LIVE_MS),
        tramite.ready / c.ready,
        c.ready,
        tramite.fcp / c.fcp
    );

    println!("\n== Lighthouse {LIGHTHOUSE_VERSION} (mobile, Debian's Chromium)");
    let tools = lighthouse_tools()?;
    for path in ["/", "/tramite/nss"] {
        let (perf, a11y) = lighthouse(&tools, &format!("{app}{path}"), &work)?;
        println!(
            "  {path:<14} performance {perf:>3} (goal >= 95: {})  accessibility {a11y:>3} (goal 100: {})",
            verdict(perf >= 95),
            verdict(a11y >= 100)
        );
    }
    Ok(())
}

struct Timing {
    fcp: f64,
    ready: f64,
    bytes: f64,
}

fn cdp_time(shared: &Path, url: &str, selector: &str) -> Result<Timing> {
    let out = util::output(
        cmd("node")
            .arg("--experimental-websocket")
            .arg(shared.join("cdp_time.mjs"))
            .args([url, "5", "slow4g", selector]),
    )
    .ok_or_else(|| format!("cdp_time.mjs failed on {url}"))?;
    let num = |key: &str| -> f64 {
        out.split(&format!("\"{key}\":"))
            .nth(1)
            .and_then(|r| {
                r.split([',', '}'])
                    .next()
                    .and_then(|v| v.trim().parse().ok())
            })
            .unwrap_or(f64::NAN)
    };
    Ok(Timing {
        fcp: num("median_fcp_ms"),
        ready: num("median_ready_ms"),
        bytes: num("bytes"),
    })
}

/// npm lighthouse in `target/bench-tools` (only the bench needs it).
fn lighthouse_tools() -> Result<PathBuf> {
    let dir = util::root().join("target/bench-tools");
    let bin = dir.join("node_modules/.bin/lighthouse");
    if !bin.exists() {
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        run_cmd(
            cmd("npm")
                .args(["install", "--no-audit", "--no-fund", "--prefix"])
                .arg(&dir)
                .arg(format!("lighthouse@{LIGHTHOUSE_VERSION}")),
        )?;
    }
    Ok(bin)
}

/// Lighthouse's performance and accessibility scores (0–100) of one URL, mobile preset.
fn lighthouse(bin: &Path, url: &str, work: &Path) -> Result<(u32, u32)> {
    let profile = work.join(format!("lh-profile-{}", util::free_port()));
    let report = work.join("lighthouse.json");
    run_cmd(
        cmd(bin)
            .arg(url)
            .args([
                "--only-categories=performance,accessibility",
                "--output=json",
                "--quiet",
            ])
            .arg(format!("--output-path={}", report.display()))
            .arg(format!(
                "--chrome-flags=--headless=new --no-sandbox --disable-gpu --user-data-dir={}",
                profile.display()
            ))
            .env("CHROME_PATH", "/usr/bin/chromium"),
    )?;
    let scores = util::output(cmd("node").arg("-e").arg(
        "const r = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'));\
         console.log(Math.round(r.categories.performance.score * 100), Math.round(r.categories.accessibility.score * 100))",
    ).arg(&report))
    .ok_or("cannot read Lighthouse's report")?;
    let mut n = scores
        .split_whitespace()
        .map(|v| v.parse::<u32>().unwrap_or(0));
    Ok((n.next().unwrap_or(0), n.next().unwrap_or(0)))
}
