//! `sigmafit fit [OPTIONS] FILE...`: the command-line face of the same core the
//! web page uses.

use sigmafit::analysis::{Analysis, Settings, analyse};
use sigmafit::fit::{ParamStatus, Weighting};
use sigmafit::numfmt::{sci, sig, with_error};
use sigmafit::pellet::GeometryInput;
use sigmafit::preset::CircuitChoice;
use sigmafit::spectrum::parse_spectrum;
use std::process::ExitCode;

const USAGE: &str = "\
usage: sigmafit fit [OPTIONS] FILE...

Fits each impedance spectrum (CSV: frequency, Z', Z'') and reports R_con,
sigma_eff = d / (R_con A), the circuit choice and the capacitance attribution.

options:
  --thickness-mm X        pellet thickness d in mm
  --diameter-mm X         pellet diameter in mm (A = pi D^2 / 4)
  --area-cm2 X            pellet area in cm^2 (instead of --diameter-mm)
  --thickness-err-mm X    standard uncertainty of the thickness
  --diameter-err-mm X     standard uncertainty of the diameter
  --lead-ohm X            measured lead/short resistance, subtracted from R_con
  --circuit C             auto | inductive | semicircle | semicircle-c | \"<circuit string>\"
                          (impedance.py syntax, e.g. \"R0-p(R1,CPE1)\"; default auto)
  --weighting W           modulus (default) | unit
  --fmin HZ, --fmax HZ    fit only points inside [fmin, fmax]
  --init NAME=V           starting value for a parameter (repeatable)
  --fix NAME=V            hold a parameter at a value (repeatable)
  --eps-r X               relative permittivity for C_bulk (default 10)
  --particle-um X         particle diameter for the layer estimate (default 5 um)
  --json                  print one JSON array, one object per file
  -h, --help              this text
";

struct Args {
    files: Vec<String>,
    json: bool,
    settings: Settings,
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.iter().any(|a| a == "-h" || a == "--help") {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let args = match parse_args(&argv) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("sigmafit: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut any_failed = false;
    let mut json_items = Vec::new();
    for file in &args.files {
        let result = std::fs::read(file)
            .map_err(|e| format!("{file}: cannot read: {e}"))
            .and_then(|bytes| {
                let text = String::from_utf8_lossy(&bytes);
                let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
                let spectrum = parse_spectrum(&text, name).map_err(|e| e.to_string())?;
                analyse(&spectrum, &args.settings).map_err(|e| format!("{name}: {e}"))
            });
        match result {
            Ok(outcome) => {
                if args.json {
                    json_items.push(to_json(file, &outcome.analysis));
                } else {
                    print!("{}", report(file, &outcome.analysis));
                }
            }
            Err(message) => {
                any_failed = true;
                if args.json {
                    json_items.push(serde_json::json!({ "file": file, "error": message }));
                } else {
                    eprintln!("error: {message}");
                }
            }
        }
    }
    if args.json {
        match serde_json::to_string_pretty(&json_items) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("sigmafit: cannot write JSON: {e}");
                return ExitCode::from(1);
            }
        }
    }
    if any_failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn to_json(file: &str, analysis: &Analysis) -> serde_json::Value {
    let mut value = serde_json::to_value(analysis).unwrap_or(serde_json::Value::Null);
    if let Some(object) = value.as_object_mut() {
        object.insert("file".into(), serde_json::Value::String(file.to_string()));
    }
    value
}

fn parse_args(argv: &[String]) -> Result<Args, String> {
    let mut iter = argv.iter();
    match iter.next().map(String::as_str) {
        Some("fit") => {}
        Some(other) => return Err(format!("unknown command '{other}'; the command is 'fit'")),
        None => return Err("missing command 'fit'".into()),
    }
    let mut files = Vec::new();
    let mut json = false;
    let mut settings = Settings::default();
    let mut geometry = GeometryInput::default();
    while let Some(arg) = iter.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = || -> Result<String, String> {
            match &inline {
                Some(v) => Ok(v.clone()),
                None => iter.next().cloned().ok_or_else(|| format!("{flag} needs a value")),
            }
        };
        match flag {
            "--json" => json = true,
            "--thickness-mm" => geometry.thickness_mm = Some(number(flag, &value()?)?),
            "--diameter-mm" => geometry.diameter_mm = Some(number(flag, &value()?)?),
            "--area-cm2" => geometry.area_cm2 = Some(number(flag, &value()?)?),
            "--thickness-err-mm" => geometry.thickness_err_mm = Some(number(flag, &value()?)?),
            "--diameter-err-mm" => geometry.diameter_err_mm = Some(number(flag, &value()?)?),
            "--lead-ohm" => settings.lead_ohm = number(flag, &value()?)?,
            "--eps-r" => settings.eps_r = number(flag, &value()?)?,
            "--particle-um" => settings.particle_um = number(flag, &value()?)?,
            "--fmin" => settings.fit.fmin = Some(number(flag, &value()?)?),
            "--fmax" => settings.fit.fmax = Some(number(flag, &value()?)?),
            "--circuit" => {
                settings.circuit = CircuitChoice::parse(&value()?).map_err(|e| format!("--circuit: {e}"))?;
            }
            "--weighting" => {
                let v = value()?;
                settings.fit.weighting =
                    Weighting::parse(&v).ok_or_else(|| format!("--weighting must be modulus or unit, not '{v}'"))?;
            }
            "--init" => settings.fit.init.push(assignment(flag, &value()?)?),
            "--fix" => settings.fit.fix.push(assignment(flag, &value()?)?),
            other if other.starts_with('-') && other.len() > 1 => {
                return Err(format!("unknown option {other}"));
            }
            _ => files.push(arg.clone()),
        }
    }
    if files.is_empty() {
        return Err("no input file given".into());
    }
    settings.geometry = geometry.resolve().map_err(|e| e.to_string())?;
    Ok(Args { files, json, settings })
}

fn number(flag: &str, text: &str) -> Result<f64, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| format!("{flag} needs a number, not '{text}'"))
}

fn assignment(flag: &str, text: &str) -> Result<(String, f64), String> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| format!("{flag} takes NAME=VALUE, e.g. {flag} R1=100; got '{text}'"))?;
    Ok((name.trim().to_string(), number(flag, value)?))
}

/// Prose under a label, wrapped at 96 columns with a hanging indent.
fn labelled(label: &str, text: &str) -> String {
    const WIDTH: usize = 96;
    const INDENT: usize = 9;
    let mut out = format!("{label:<width$}", width = INDENT);
    let mut column = INDENT;
    for word in text.split_whitespace() {
        let length = word.chars().count();
        if column > INDENT && column + 1 + length > WIDTH {
            out.push('\n');
            out.push_str(&" ".repeat(INDENT));
            column = INDENT;
        } else if column > INDENT {
            out.push(' ');
            column += 1;
        }
        out.push_str(word);
        column += length;
    }
    out.push('\n');
    out
}

fn report(file: &str, a: &Analysis) -> String {
    let mut out = format!("== {file}\n");
    out.push_str(&format!(
        "   {} points ({} fitted), {} to {} Hz; {}\n",
        a.spectrum.n_points,
        a.spectrum.n_fitted,
        sig(a.spectrum.f_min_hz, 4),
        sig(a.spectrum.f_max_hz, 4),
        a.spectrum.imag_convention_text
    ));
    for w in &a.spectrum.warnings {
        out.push_str(&format!("   warning: {w}\n"));
    }
    out.push_str(&format!(
        "circuit  {}{}\n",
        a.circuit,
        a.preset.map(|p| format!("  ({p})")).unwrap_or_default()
    ));
    for name in &a.param_order {
        if let Some(p) = a.params.get(name) {
            let note = match p.status {
                ParamStatus::Free => String::new(),
                ParamStatus::Fixed => "  (fixed)".into(),
                ParamStatus::AtLowerBound => "  (at its lower bound)".into(),
                ParamStatus::AtUpperBound => "  (at its upper bound)".into(),
            };
            out.push_str(&format!(
                "   {name:<12} {}{note}\n",
                with_error(p.value, p.stderr, p.unit)
            ));
        }
    }
    let s = &a.stats;
    out.push_str(&format!(
        "fit      {} weighting, chi2_red {}, rms misfit {}%, AIC {}, BIC {}, {} iterations, {}\n",
        s.weighting.name(),
        sci(s.chi2_reduced, "").trim_end(),
        sig(100.0 * s.rms_relative, 3),
        sig(s.aic, 5),
        sig(s.bic, 5),
        s.iterations,
        if s.converged { "converged" } else { "NOT converged" }
    ));
    match &a.r_con_ohm {
        Some(r) => out.push_str(&format!(
            "R_con    {}{}\n",
            with_error(r.value, r.stderr, "ohm"),
            match r.status {
                Some(sigmafit::choice::RConStatus::Extrapolated) => "  (EXTRAPOLATED)",
                _ => "  (measured)",
            }
        )),
        None => out.push_str(&labelled(
            "R_con",
            &format!("none: {}", a.r_con_note.as_deref().unwrap_or("")),
        )),
    }
    match &a.sigma_s_per_cm {
        Some(sigma) => out.push_str(&format!(
            "sigma    {}\n",
            match sigma.stderr {
                Some(_) => with_error(sigma.value, sigma.stderr, "S/cm"),
                None => sci(sigma.value, "S/cm"),
            }
        )),
        None if a.r_con_ohm.is_none() => out.push_str("sigma    none (no R_con)\n"),
        None => out.push_str("sigma    (give --thickness-mm and --diameter-mm or --area-cm2)\n"),
    }
    for note in &a.notes {
        out.push_str(&labelled("note", note));
    }
    out.push_str(&labelled("why", &a.choice.sentence));
    if let Some(c) = &a.capacitance {
        out.push_str(&labelled("C_eff", &c.paragraph));
    }
    out.push('\n');
    out
}
