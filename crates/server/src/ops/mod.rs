//! The operator commands' logic as plain functions; `main.rs` wires them into clap.
//!
//! - [`validate`]: `afiliate-server validate curp|nss|email` (one JSON object per input line).
//! - [`curp_base`]: `afiliate-server curp base` (person data → the first 16 characters of the CURP).
//! - [`catalog`]: `afiliate-server catalog import <file>` and `catalog lookup <cp>`.

pub mod catalog;
pub mod curp_base;
pub mod validate;

use std::io::{self, BufRead};

/// The lines of `input` without their line ending; invalid UTF-8 is replaced, never fatal (a school's list may
/// come from a spreadsheet in Latin-1).
pub(crate) fn lineas(input: impl BufRead) -> impl Iterator<Item = io::Result<String>> {
    input.split(b'\n').map(|r| {
        r.map(|mut bytes| {
            if bytes.last() == Some(&b'\r') {
                bytes.pop();
            }
            match String::from_utf8(bytes) {
                Ok(s) => s,
                Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
            }
        })
    })
}
