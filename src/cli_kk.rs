//! `sigmafit kk [--json] FILE...`: the Lin-KK validity test of each spectrum, with
//! the number of Voigt elements M, μ, the relative residuals, the flagged points and
//! the verdict. Exit status 1 when a file cannot be read or tested (the rest are still
//! reported), 2 for a bad command line; the verdict itself never changes the status.

use serde_json::{Value, json};
use sigmafit::kk::{FLAG_MULTIPLE, KkResult, lin_kk};
use sigmafit::numfmt::{Style, hz, percent, sig};
use sigmafit::spectrum::{decode_text, parse_spectrum};
use std::process::ExitCode;

const STYLE: Style = Style::Ascii;

/// The usage lines of `kk`, for `sigmafit --help`.
pub const USAGE: &str = "\
kk: the Lin-KK test (Schoenleber 2014) of each spectrum: does it obey Kramers-Kronig?\n\
reports the number of Voigt elements M, mu, the relative residuals of Z' and Z'',\n\
the points that stand out from the noise, and a verdict pass, warn or fail.\n\
  --json                    print one JSON array, one object per file\n";

/// Runs `kk` on the arguments after the command name.
pub fn run(argv: &[String]) -> ExitCode {
    let mut json_output = false;
    let mut files = Vec::new();
    for arg in argv {
        if arg == "--json" {
            json_output = true;
        } else if arg.starts_with('-') && arg.len() > 1 {
            eprintln!("sigmafit kk: unknown option {arg}; kk takes --json and files");
            return ExitCode::from(2);
        } else {
            files.push(arg.clone());
        }
    }
    if files.is_empty() {
        eprintln!("sigmafit kk: no input file given");
        return ExitCode::from(2);
    }
    let mut failed = false;
    let mut items = Vec::new();
    for file in &files {
        match test_file(file) {
            Ok(result) => {
                if json_output {
                    items.push(to_json(file, &result));
                } else {
                    print!("{}", text(file, &result));
                }
            }
            Err(message) => {
                failed = true;
                if json_output {
                    items.push(json!({ "file": file, "error": message }));
                } else {
                    eprintln!("error: {message}");
                }
            }
        }
    }
    if json_output {
        match serde_json::to_string_pretty(&items) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("sigmafit kk: cannot write JSON: {e}");
                return ExitCode::from(1);
            }
        }
    }
    if failed { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

/// Reads, imports and tests one file; the error names the file (and line and
/// column where the import says).
fn test_file(file: &str) -> Result<KkResult, String> {
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    let bytes = std::fs::read(file).map_err(|e| format!("{file}: cannot read: {e}"))?;
    let spectrum = parse_spectrum(&decode_text(&bytes), name).map_err(|e| e.to_string())?;
    lin_kk(&spectrum).map_err(|e| format!("{name}: {e}"))
}

fn to_json(file: &str, result: &KkResult) -> Value {
    let mut value = serde_json::to_value(result).unwrap_or(Value::Null);
    if let Some(object) = value.as_object_mut() {
        object.insert("file".into(), Value::String(file.to_string()));
    }
    value
}

fn text(file: &str, result: &KkResult) -> String {
    let mut out = format!(
        "== {file}\n   Lin-KK  M = {}, mu = {}, rms residual {}, noise {}: {}\n",
        result.m,
        sig(result.mu, 3, STYLE),
        percent(result.rms, 2, STYLE),
        percent(result.noise, 2, STYLE),
        result.verdict
    );
    let flagged: Vec<String> = result.flagged_hz().iter().map(|&f| hz(f, STYLE)).collect();
    if !flagged.is_empty() {
        out.push_str(&format!(
            "   flagged (residual above {FLAG_MULTIPLE} x noise): {}\n",
            flagged.join(", ")
        ));
    }
    out.push_str("   f                 Z' resid   Z'' resid\n");
    for r in &result.residuals {
        out.push_str(&format!(
            "   {:<16}  {:>9}  {:>9}{}\n",
            hz(r.f, STYLE),
            percent(r.re, 2, STYLE),
            percent(r.im, 2, STYLE),
            if r.flagged { "  *" } else { "" }
        ));
    }
    out.push('\n');
    out
}
