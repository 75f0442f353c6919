//! `cargo xtask`: the project's own commands, so a fresh Debian 12 machine needs only rustup's stable Rust,
//! Node 20 and Python 3.
//!
//! - `cargo xtask run`: install what is missing, build the app and the server, serve on http://127.0.0.1:8080.
//! - `cargo xtask test`: install what is missing, then run every check and print each suite's result.
//! - `cargo xtask bench [app]`: the release app's sizes against a floor, its pages under Slow 4G against the
//!   control page, Lighthouse, then the domain, PDF and API benchmarks (`app`: only the app's figures).
//! - `cargo xtask setup`: only the installs (idempotent: a second run skips what is there).
//! - `cargo xtask build`: the release app (trunk, wasm-opt -Os, prerendered, precompressed) and the server.
//! - `cargo xtask offline-build`: the release app built with the network cut off (`unshare -n`).
//! - `cargo xtask size`: the release app's wasm and js sizes, raw, gzip and brotli.
//!
//! Only std here: xtask must compile in seconds on a cold machine.

mod bench;
mod setup;
mod suites;
mod util;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = args.first().map(String::as_str).unwrap_or("help");
    let rest = &args[args.len().min(1)..];
    let result = match command {
        "setup" => setup::setup(setup::Needs::all()),
        "build" => setup::setup(setup::Needs::build()).and_then(|()| suites::build_release()),
        "run" => suites::run(rest),
        "preview" => suites::preview(rest),
        "screenshots" => suites::screenshots(rest),
        "faults" => suites::faults(rest),
        "test" => return suites::test(rest),
        "bench" => suites::bench(rest),
        "size" => suites::size_report().map(|_| ()),
        "offline-build" => {
            setup::setup(setup::Needs::build()).and_then(|()| suites::offline_build())
        }
        "catalog" => {
            setup::setup(setup::Needs::build()).and_then(|()| suites::catalog(&util::data_dir()))
        }
        _ => {
            eprintln!(
                "usage: cargo xtask <run|test|bench|setup|build|offline-build|size|catalog|preview|screenshots|faults>\n\
                 \n  run            install what is missing, build, serve http://127.0.0.1:8080\
                 \n  preview        the app on its in-browser mock server, live reload: http://127.0.0.1:8082\
                 \n  screenshots    one PNG per gallery entry and width, in target/screenshots/\
                 \n  faults [--reduced] [parsers|crash-sqlite|crash-pg|mail|pg-restart|scale-out|abuse|disk-full..]  the fault harness (full size)\
                 \n  test [SUITE..] install what is missing, run every check (or only the named suites)\
                 \n  bench [app]    sizes and benchmark figures (app: only the app's sizes, pages, Lighthouse)\
                 \n  setup          only the installs\
                 \n  build          release app (dist/) and server\
                 \n  offline-build  the release app built under `unshare -n` (no network)\
                 \n  size           wasm/js sizes raw, gzip, brotli\
                 \n  catalog        (re)build the postal catalog from the pinned PyPI package"
            );
            return if command == "help" {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            };
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask {command}: {e}");
            ExitCode::FAILURE
        }
    }
}
