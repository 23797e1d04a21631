//! `sigmafit fit [OPTIONS] FILE...` and `sigmafit series [OPTIONS] FILE...`: the
//! command-line face of the same core the web page uses. Its options are the core's settings schema ([`FIELDS`]), read by
//! the same parser as the page's form, so a bad setting gets the same message.

use serde_json::{Value, json};
use sigmafit::analysis::{Analysis, analyse};
use sigmafit::fit::ParamStatus;
use sigmafit::numfmt::{Style, hz};
use sigmafit::report::{self, Report};
use sigmafit::settings::{FIELDS, FieldKind, FieldSpec, SettingsError, SettingsInput};
use sigmafit::spectrum::{ColumnMapping, ImportError, decode_text, parse_spectrum_with};
use std::process::ExitCode;

mod cli_kk;
mod cli_series;

const STYLE: Style = Style::Ascii;

fn usage() -> String {
    let mut text = String::from(
        "usage: sigmafit fit [OPTIONS] FILE...\n\
         \x20      sigmafit series [OPTIONS] FILE...\n\
         \x20      sigmafit kk [--json] FILE...\n\n\
         fit: fits each impedance spectrum (CSV: frequency, Z', Z'') and reports R_con,\n\
         sigma_eff = d / (R_con A), the circuit choice and the capacitance attribution.\n\
         series: fits a pressure series the same way (pressure from a header line such as\n\
         '# pressure: 53 MPa', else from the name: NMC_07_300MPa.csv is run 7 at 300 MPa),\n\
         groups the files by series, orders them by run index (else as given), splits\n\
         loading and unloading, and summarises each cycle.\n\n\
         options of both (numbers may use a decimal comma):\n",
    );
    for f in FIELDS {
        let value = match f.kind {
            FieldKind::Number => "X",
            FieldKind::Choice { .. } => "NAME",
            FieldKind::Assignments => "NAME=V",
            FieldKind::Frequencies => "F1,F2,...",
        };
        let mut flags = f.flag();
        for alias in f.cli_aliases {
            flags.push_str(", ");
            flags.push_str(alias);
        }
        let mut help = f.help.to_string();
        if !f.unit.is_empty() {
            help.push_str(&format!(" [{}]", f.unit));
        }
        if let FieldKind::Choice { options, .. } = f.kind {
            let names: Vec<&str> = options.iter().map(|o| o.0).collect();
            help.push_str(&format!("; one of {}", names.join(", ")));
        }
        if let Some(default) = f.default {
            help.push_str(&format!(" (default {default})"));
        }
        text.push_str(&format!("  {:<26}{help}\n", format!("{flags} {value}")));
    }
    text.push_str(&format!("  {:<26}this text\n", "-h, --help"));
    text.push_str("\noptions of fit:\n");
    text.push_str(&format!(
        "  {:<26}print one JSON array, one object per file\n",
        "--json"
    ));
    text.push_str(&format!(
        "  {:<26}what each column of a table holds, when its header is not recognised:\n{:<28}f, re, im, -im (holds -Z''), mod, phase (degrees), -phase or _ (unused)\n",
        "--columns f,re,-im", ""
    ));
    text.push_str(&format!(
        "  {:<26}write the fitted circuit as an SVG diagram (one input file)\n",
        "--diagram FILE.svg"
    ));
    text.push_str("\noptions of series:\n");
    for (flag, help) in cli_series::OPTIONS {
        text.push_str(&format!("  {flag:<26}{help}\n"));
    }
    text.push('\n');
    text.push_str(cli_kk::USAGE);
    text
}

struct Args {
    files: Vec<String>,
    json: bool,
    settings: SettingsInput,
    /// `--columns`: how to read tables whose header is not recognised.
    columns: Option<ColumnMapping>,
    /// `--diagram FILE.svg`: where to write the fitted circuit's diagram (one input file only).
    diagram: Option<String>,
}

enum Command {
    Fit(Args),
    Series(cli_series::SeriesArgs),
}

/// A command line that cannot be used: a settings problem (by field) or another.
enum ArgsError {
    Settings(SettingsError),
    Usage(String),
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.iter().any(|a| a == "-h" || a == "--help") {
        print!("{}", usage());
        return ExitCode::SUCCESS;
    }
    if argv.first().is_some_and(|command| command == "kk") {
        return cli_kk::run(&argv[1..]);
    }
    let args = match parse_args(&argv) {
        Ok(Command::Fit(args)) => args,
        Ok(Command::Series(args)) => return cli_series::run(args),
        Err(ArgsError::Usage(message)) => {
            eprintln!("sigmafit: {message}\n\n{}", usage());
            return ExitCode::from(2);
        }
        Err(ArgsError::Settings(e)) => {
            eprintln!("sigmafit: {e}");
            return ExitCode::from(2);
        }
    };
    let settings = match args.settings.resolve() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("sigmafit: {e}");
            return ExitCode::from(2);
        }
    };
    let mut any_failed = false;
    let mut json_items = Vec::new();
    for file in &args.files {
        let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
        let result = std::fs::read(file)
            .map_err(|e| json!({ "message": format!("{file}: cannot read: {e}"), "file": name }))
            .and_then(|bytes| {
                let text = decode_text(&bytes);
                let spectrum = parse_spectrum_with(&text, name, args.columns.as_ref()).map_err(|e| import_error(&e))?;
                analyse(&spectrum, &settings).map_err(|e| json!({ "message": format!("{name}: {e}"), "file": name }))
            });
        match result {
            Ok(outcome) => {
                let report = report::write(&outcome.analysis, STYLE);
                if args.json {
                    json_items.push(to_json(file, &outcome.analysis, &report));
                } else {
                    print!("{}", text_report(file, &outcome.analysis, &report));
                }
                if let Some(path) = &args.diagram {
                    let svg = sigmafit::diagram::svg(&outcome.fit.circuit, Some(&outcome.fit.values));
                    if let Err(e) = std::fs::write(path, svg) {
                        eprintln!("error: {path}: cannot write the diagram: {e}");
                        any_failed = true;
                    }
                }
            }
            Err(detail) => {
                any_failed = true;
                let message = detail["message"].as_str().unwrap_or_default().to_string();
                if args.json {
                    json_items.push(json!({ "file": file, "error": message, "error_at": detail }));
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

/// An import error as JSON: the message and where (file, line, column).
fn import_error(e: &ImportError) -> Value {
    let mut message = e.to_string();
    if e.columns_not_recognised() {
        message.push_str(
            "; say what each column holds with --columns, e.g. --columns f,re,-im (f, re, im, -im, mod, phase, -phase or _ for each column)",
        );
    }
    json!({
        "message": message,
        "file": e.file,
        "line": e.line,
        "column": e.column,
        "reason": e.message,
        "kind": e.kind,
        "columns_found": e.columns_found,
    })
}

/// The analysis as data, the report's notes under the contract's `notes`, and the
/// whole report in ASCII style.
fn to_json(file: &str, analysis: &Analysis, report: &Report) -> Value {
    let mut value = serde_json::to_value(analysis).unwrap_or(Value::Null);
    if let Some(object) = value.as_object_mut() {
        object.insert("file".into(), Value::String(file.to_string()));
        object.insert("notes".into(), json!(report.notes));
        object.insert("report".into(), serde_json::to_value(report).unwrap_or(Value::Null));
    }
    value
}

fn field_for_flag(flag: &str) -> Option<&'static FieldSpec> {
    FIELDS
        .iter()
        .find(|f| f.flag() == flag || f.cli_aliases.contains(&flag))
}

fn parse_args(argv: &[String]) -> Result<Command, ArgsError> {
    let mut iter = argv.iter();
    let series = match iter.next().map(String::as_str) {
        Some("fit") => false,
        Some("series") => true,
        Some(other) => {
            return Err(ArgsError::Usage(format!(
                "unknown command '{other}'; the commands are 'fit', 'series' and 'kk'"
            )));
        }
        None => return Err(ArgsError::Usage("missing command 'fit' or 'series'".into())),
    };
    let mut files = Vec::new();
    let mut json = false;
    let mut settings = SettingsInput::default();
    let mut series_options = cli_series::SeriesOptions::default();
    let mut columns = None;
    let mut diagram = None;
    while let Some(arg) = iter.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        if flag == "--json" {
            json = true;
        } else if flag == "--columns" && !series {
            let value = match inline {
                Some(v) => v,
                None => iter
                    .next()
                    .cloned()
                    .ok_or_else(|| ArgsError::Usage("--columns needs a value such as f,re,-im".into()))?,
            };
            columns = Some(
                ColumnMapping::parse(&value).map_err(|why| ArgsError::Usage(format!("--columns {value}: {why}")))?,
            );
        } else if flag == "--diagram" && !series {
            diagram = Some(match inline {
                Some(v) => v,
                None => iter
                    .next()
                    .cloned()
                    .ok_or_else(|| ArgsError::Usage("--diagram needs a file name such as circuit.svg".into()))?,
            });
        } else if series && cli_series::takes_value(flag) {
            let value = match inline {
                Some(v) => v,
                None => iter
                    .next()
                    .cloned()
                    .ok_or_else(|| ArgsError::Usage(format!("{flag} needs a value")))?,
            };
            series_options.set(flag, &value).map_err(ArgsError::Usage)?;
        } else if let Some(spec) = field_for_flag(flag) {
            let value = match inline {
                Some(v) => v,
                None => iter.next().cloned().ok_or_else(|| {
                    ArgsError::Settings(SettingsError {
                        field: spec.key.into(),
                        message: "needs a value".into(),
                    })
                })?,
            };
            settings.set(spec.key, &value);
        } else if flag.starts_with('-') && flag.len() > 1 {
            return Err(ArgsError::Usage(format!("unknown option {flag}")));
        } else {
            files.push(arg.clone());
        }
    }
    if files.is_empty() {
        return Err(ArgsError::Usage("no input file given".into()));
    }
    if series {
        return Ok(Command::Series(cli_series::SeriesArgs {
            files,
            json,
            settings,
            options: series_options,
        }));
    }
    if diagram.is_some() && files.len() != 1 {
        return Err(ArgsError::Usage(format!(
            "--diagram draws one fit; {} input files were given",
            files.len()
        )));
    }
    Ok(Command::Fit(Args {
        files,
        json,
        settings,
        columns,
        diagram,
    }))
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

fn text_report(file: &str, a: &Analysis, r: &Report) -> String {
    let figure = |key: &str| r.figures.get(key).cloned().unwrap_or_default();
    let mut out = format!("== {file}\n");
    out.push_str(&format!(
        "   {} points from {} to {}, {} fitted ({} to {}); {}\n",
        a.spectrum.n_points,
        hz(a.spectrum.f_min_hz, STYLE),
        hz(a.spectrum.f_max_hz, STYLE),
        a.spectrum.n_fitted,
        figure("fitted_f_min"),
        figure("fitted_f_max"),
        r.imag_convention
    ));
    for w in &a.spectrum.warnings {
        out.push_str(&format!("   warning: {w}\n"));
    }
    out.push_str(&format!(
        "circuit  {} = {} in Boukamp's code{}\n",
        a.circuit,
        a.circuit_boukamp,
        a.preset.map(|p| format!("  ({p})")).unwrap_or_default()
    ));
    for name in &a.param_order {
        if let Some(p) = a.params.get(name) {
            let note = match p.status {
                ParamStatus::Free => "",
                ParamStatus::Fixed => "  (fixed)",
                ParamStatus::AtLowerBound => "  (at its lower bound)",
                ParamStatus::AtUpperBound => "  (at its upper bound)",
            };
            out.push_str(&format!("   {name:<12} {}{note}\n", figure(&format!("param:{name}"))));
        }
    }
    let s = &a.stats;
    out.push_str(&format!(
        "fit      {} weighting, chi2_red {}, rms misfit {}, AIC {}, BIC {}, {} iterations, {}\n",
        s.weighting.name(),
        figure("chi2_red"),
        figure("rms"),
        figure("aic"),
        figure("bic"),
        s.iterations,
        if s.converged { "converged" } else { "NOT converged" }
    ));
    match &a.r_con_ohm {
        Some(rc) => out.push_str(&format!(
            "R_con    {}  ({})\n",
            figure("r_con"),
            match rc.status {
                sigmafit::choice::RConStatus::Extrapolated => "EXTRAPOLATED",
                sigmafit::choice::RConStatus::Measured => "measured",
            }
        )),
        None => out.push_str(&labelled(
            "R_con",
            &format!("none: {}", r.r_con_missing.as_deref().unwrap_or("")),
        )),
    }
    match &a.sigma_s_per_cm {
        Some(_) => out.push_str(&format!("sigma    {}\n", figure("sigma"))),
        None if a.r_con_ohm.is_none() => out.push_str("sigma    none (no R_con)\n"),
        None => out.push_str("sigma    (give --thickness-mm and --diameter-mm or --area-cm2)\n"),
    }
    if let Some(u) = &r.uncertainty_note {
        out.push_str(&labelled("", u));
    }
    for note in &r.notes {
        out.push_str(&labelled("note", note));
    }
    for extra in [&r.arc_note, &r.boundary_note, &r.lead_note].into_iter().flatten() {
        out.push_str(&labelled("note", extra));
    }
    out.push_str(&labelled("why", &r.choice_sentence));
    if let Some(reason) = &r.r_con_reason {
        out.push_str(&labelled("R_con", reason));
    }
    match (&r.capacitance_paragraph, &r.capacitance_missing) {
        (Some(p), _) => out.push_str(&labelled("C_eff", p)),
        (None, Some(m)) => out.push_str(&labelled("C_eff", m)),
        _ => {}
    }
    out.push('\n');
    out
}
