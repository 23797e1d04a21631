//! `sigmafit series [OPTIONS] FILE...`: a pressure series through the same core as
//! `fit`, grouped, ordered and split into branches by [`sigmafit::series`], plotted by
//! [`sigmafit::series_plot`] (the page's drawing code).
//!
//! Pressure per file: a header line wins over the name. Measurement order: the run index
//! in the name where every file of a series has one, else the order of the arguments.

use serde_json::{Value, json};
use sigmafit::analysis::{Analysis, Settings, StartHint, analyse_from};
use sigmafit::numfmt::{Style, percent, sig, with_error, with_error_scientific};
use sigmafit::pellet::Measured;
use sigmafit::series::{
    CycleSummary, Member, NameInfo, Placement, PressureSource, SeriesPoint, header_pressure_mpa, name_info, place,
    pressures_disagree, resolve_pressure, summarise, summary_lines,
};
use sigmafit::series_plot::{PressureAxis, SeriesCurve, SeriesPlotData, series_svg, with_provenance};
use sigmafit::settings::{SettingsInput, parse_number};
use sigmafit::spectrum::{Spectrum, decode_text, parse_spectrum};
use std::process::ExitCode;

const STYLE: Style = Style::Ascii;
const SVG_SIZE: (u32, u32) = (900, 560);

/// The series command's own options (flag, help), for the usage text.
pub const OPTIONS: &[(&str, &str)] = &[
    ("--json", "print one JSON array, one row per file (docs/json.md)"),
    (
        "--summary-json PATH",
        "write the summary per series and cycle as JSON to PATH",
    ),
    ("--svg PATH", "write sigma_eff against pressure as SVG to PATH"),
    (
        "--pressure-axis NAME",
        "the plot's pressure axis: linear (default) or log",
    ),
    (
        "--thickness-file PATH",
        "lines FILE,THICKNESS_MM: a thickness per file (matched by base name)",
    ),
    (
        "--label NAME",
        "one series label for every file (instead of the names' keys)",
    ),
    (
        "--jobs N",
        "threads that read and fit (default: one per core); results do not depend on it",
    ),
];

/// Spectra of a series fitted one after another, each from its predecessor's fit: the
/// series is cut into runs of this many, in measurement order, which are fitted side by
/// side. The cut does not depend on the number of threads, so neither do the results.
const RUN_LENGTH: usize = 32;

/// Options of `series` beyond the settings schema and `--json`.
#[derive(Debug, Default)]
pub struct SeriesOptions {
    pub svg: Option<String>,
    pub summary_json: Option<String>,
    pub pressure_axis: PressureAxis,
    pub thickness_file: Option<String>,
    pub label: Option<String>,
    /// Threads; `None`: one per core.
    pub jobs: Option<usize>,
}

/// Whether `flag` is one of [`SeriesOptions`] (each takes a value).
pub fn takes_value(flag: &str) -> bool {
    matches!(
        flag,
        "--svg" | "--summary-json" | "--pressure-axis" | "--thickness-file" | "--label" | "--jobs"
    )
}

impl SeriesOptions {
    pub fn set(&mut self, flag: &str, value: &str) -> Result<(), String> {
        match flag {
            "--svg" => self.svg = Some(value.to_string()),
            "--summary-json" => self.summary_json = Some(value.to_string()),
            "--thickness-file" => self.thickness_file = Some(value.to_string()),
            "--label" => {
                let label = value.trim();
                if label.is_empty() {
                    return Err("--label needs a non-empty name".into());
                }
                self.label = Some(label.to_string());
            }
            "--jobs" => {
                self.jobs = Some(
                    value
                        .trim()
                        .parse::<usize>()
                        .ok()
                        .filter(|&n| (1..=256).contains(&n))
                        .ok_or_else(|| format!("--jobs must be a whole number from 1 to 256, not '{value}'"))?,
                )
            }
            "--pressure-axis" => {
                self.pressure_axis = PressureAxis::parse(value)
                    .ok_or_else(|| format!("--pressure-axis must be linear or log, not '{value}'"))?
            }
            _ => return Err(format!("unknown option {flag}")),
        }
        Ok(())
    }
}

pub struct SeriesArgs {
    pub files: Vec<String>,
    pub json: bool,
    pub settings: SettingsInput,
    pub options: SeriesOptions,
}

/// One line of a thickness file.
struct ThicknessEntry {
    line: usize,
    base_name: String,
    settings: Settings,
    thickness_mm: f64,
}

fn base_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// `FILE,THICKNESS_MM` lines (tab, semicolon or comma; `#` comments; a first line whose
/// value is not a number is a header). Each thickness resolves the settings afresh, so
/// a bad value gets the schema's message, prefixed with the file and line.
fn read_thickness_file(path: &str, settings: &SettingsInput) -> Result<Vec<ThicknessEntry>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("thickness file {path}: cannot read: {e}"))?;
    let mut entries: Vec<ThicknessEntry> = Vec::new();
    let mut first = true;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let content = raw.trim().trim_start_matches('\u{feff}');
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let at = |message: String| format!("thickness file {path}, line {line}: {message}");
        let split = if content.contains('\t') {
            content.split_once('\t')
        } else if content.contains(';') {
            content.split_once(';')
        } else {
            content.split_once(',')
        };
        let Some((file, value)) = split else {
            return Err(at(format!("expected FILE,THICKNESS_MM, not “{content}”")));
        };
        let is_header = first && !matches!(parse_number(value), Ok(Some(_)));
        first = false;
        if is_header {
            continue;
        }
        let file = base_name(file.trim().trim_matches('"')).to_string();
        if file.is_empty() {
            return Err(at("no file name".into()));
        }
        if let Some(earlier) = entries.iter().find(|e| e.base_name == file) {
            return Err(at(format!("{file} already has a thickness on line {}", earlier.line)));
        }
        let mut input = settings.clone();
        input.set("thickness_mm", value.trim());
        let resolved = input.resolve().map_err(|e| at(e.to_string()))?;
        let thickness_mm = resolved.geometry.map_or(f64::NAN, |g| g.thickness_cm * 10.0);
        entries.push(ThicknessEntry {
            line,
            base_name: file,
            settings: resolved,
            thickness_mm,
        });
    }
    Ok(entries)
}

/// One file of the series and what became of it.
struct Row {
    file: String,
    /// SHA-256 of the file's bytes, for the SVG's provenance.
    sha256: Option<String>,
    info: NameInfo,
    series: String,
    pressure: Option<(f64, PressureSource)>,
    /// The header's and the name's pressure, where they disagree (the header's is used).
    pressure_conflict: Option<(f64, f64)>,
    thickness_mm: Option<f64>,
    settings: Settings,
    spectrum: Result<Spectrum, String>,
    result: Result<Analysis, String>,
    placement: Placement,
}

/// The one place a spectrum of a series is analysed: from the previous pressure step's
/// fit when that is closer than the automatic guess. Returns the analysis and where the
/// next spectrum may start.
fn analyse_spectrum(
    spectrum: &Spectrum,
    settings: &Settings,
    name: &str,
    hint: Option<&StartHint>,
) -> Result<(Analysis, StartHint), String> {
    analyse_from(spectrum, settings, hint)
        .map(|outcome| {
            let next = outcome.start_hint();
            (outcome.analysis, next)
        })
        .map_err(|e| format!("{name}: {e}"))
}

pub fn run(args: SeriesArgs) -> ExitCode {
    let base = match args.settings.resolve() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("sigmafit: {e}");
            return ExitCode::from(2);
        }
    };
    let thickness = match &args.options.thickness_file {
        Some(path) => match read_thickness_file(path, &args.settings) {
            Ok(entries) => entries,
            Err(message) => {
                eprintln!("sigmafit: {message}");
                return ExitCode::from(2);
            }
        },
        None => Vec::new(),
    };
    for entry in &thickness {
        if !args.files.iter().any(|f| base_name(f) == entry.base_name) {
            eprintln!(
                "warning: thickness file line {}: {} is not among the files",
                entry.line, entry.base_name
            );
        }
    }

    let jobs = args
        .options
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    // The same file named twice would count twice in the plot and the summaries.
    let mut seen = std::collections::HashSet::new();
    let files: Vec<String> = args
        .files
        .iter()
        .filter(|file| {
            let key = std::fs::canonicalize(file).unwrap_or_else(|_| file.into());
            let first = seen.insert(key);
            if !first {
                eprintln!("warning: {file} is given more than once; it is read once");
            }
            first
        })
        .cloned()
        .collect();
    let mut rows: Vec<Row> = in_parallel(&files, jobs, |file| {
        let name = base_name(file);
        let (settings, thickness_mm) = match thickness.iter().find(|e| e.base_name == name) {
            Some(entry) => (&entry.settings, Some(entry.thickness_mm)),
            None => (&base, base.geometry.map(|g| g.thickness_cm * 10.0)),
        };
        let info = name_info(name);
        let bytes = std::fs::read(file);
        let sha256 = bytes.as_ref().ok().map(|b| sha256_hex(b));
        let text = bytes.map(|bytes| decode_text(&bytes).into_owned());
        let header = text.as_ref().ok().and_then(|t| header_pressure_mpa(t));
        let spectrum = match &text {
            Ok(text) => parse_spectrum(text, name).map_err(|e| e.to_string()),
            Err(e) => Err(format!("{file}: cannot read: {e}")),
        };
        Row {
            sha256,
            settings: settings.clone(),
            spectrum,
            file: file.clone(),
            series: args.options.label.clone().unwrap_or_else(|| info.series.clone()),
            pressure: resolve_pressure(None, header, info.pressure_mpa),
            pressure_conflict: header
                .zip(info.pressure_mpa)
                .filter(|&(h, n)| pressures_disagree(Some(h), Some(n))),
            info,
            thickness_mm,
            result: Err("not analysed".into()),
            placement: Placement {
                series: String::new(),
                order: 0,
                cycle: None,
                branch: None,
            },
        }
    });
    let members: Vec<Member> = rows
        .iter()
        .enumerate()
        .map(|(given, row)| Member {
            series: row.series.clone(),
            run: row.info.run,
            // The CLI orders by run index, else by the arguments: copies lose file times.
            modified_ms: None,
            given,
            pressure_mpa: row.pressure.map(|p| p.0),
        })
        .collect();
    for (row, placement) in rows.iter_mut().zip(place(&members)) {
        row.placement = placement;
    }
    // Each series in measurement order, so that each spectrum may start from the one before.
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| {
        (rows[a].placement.series.as_str(), rows[a].placement.order)
            .cmp(&(rows[b].placement.series.as_str(), rows[b].placement.order))
    });
    for row in &rows {
        if let Some(warning) = pressure_warning(row) {
            eprintln!("warning: {}: {warning}", row.file);
        }
    }
    // Runs of RUN_LENGTH spectra of one series, in measurement order.
    let mut runs: Vec<Vec<usize>> = Vec::new();
    for index in order {
        match runs.last_mut() {
            Some(run) if run.len() < RUN_LENGTH && rows[run[0]].placement.series == rows[index].placement.series => {
                run.push(index)
            }
            _ => runs.push(vec![index]),
        }
    }
    let results = in_parallel(&runs, jobs, |run| {
        let mut hint: Option<StartHint> = None;
        run.iter()
            .map(|&index| {
                let row = &rows[index];
                let name = base_name(&row.file);
                match &row.spectrum {
                    Ok(spectrum) => {
                        analyse_spectrum(spectrum, &row.settings, name, hint.as_ref()).map(|(analysis, next)| {
                            hint = Some(next);
                            analysis
                        })
                    }
                    Err(e) => Err(e.clone()),
                }
            })
            .collect::<Vec<_>>()
    });
    for (run, run_results) in runs.iter().zip(results) {
        for (&index, result) in run.iter().zip(run_results) {
            rows[index].result = result;
        }
    }

    // Series in the order they first appear, each in measurement order.
    let mut keys: Vec<String> = Vec::new();
    for row in &rows {
        if !keys.contains(&row.series) {
            keys.push(row.series.clone());
        }
    }
    let grouped: Vec<(String, Vec<&Row>)> = keys
        .into_iter()
        .map(|key| {
            let mut members: Vec<&Row> = rows.iter().filter(|r| r.series == key).collect();
            members.sort_by_key(|r| r.placement.order);
            (key, members)
        })
        .collect();
    let summaries: Vec<(String, Vec<SeriesPoint>, Vec<CycleSummary>)> = grouped
        .iter()
        .map(|(key, members)| {
            let points = series_points(members);
            let summary = summarise(&points);
            (key.clone(), points, summary)
        })
        .collect();

    let mut failed = rows.iter().any(|r| r.result.is_err());
    if args.json {
        let items: Vec<Value> = grouped
            .iter()
            .flat_map(|(_, m)| m.iter().map(|r| row_json(r)))
            .collect();
        match serde_json::to_string_pretty(&items) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("sigmafit: cannot write JSON: {e}");
                failed = true;
            }
        }
    } else {
        for ((key, members), (_, _, summary)) in grouped.iter().zip(&summaries) {
            print!("{}", series_text(key, members, summary));
        }
    }
    if let Some(path) = &args.options.summary_json {
        let value: Vec<Value> = summaries
            .iter()
            .map(|(key, _, cycles)| json!({ "series": key, "cycles": cycles }))
            .collect();
        let written = serde_json::to_string_pretty(&value)
            .map_err(|e| e.to_string())
            .and_then(|text| std::fs::write(path, text + "\n").map_err(|e| e.to_string()));
        if let Err(e) = written {
            eprintln!("sigmafit: cannot write {path}: {e}");
            failed = true;
        }
    }
    if let Some(path) = &args.options.svg {
        let data = SeriesPlotData {
            series: summaries
                .iter()
                .map(|(key, points, _)| SeriesCurve {
                    label: key.clone(),
                    points: points.clone(),
                })
                .collect(),
            pressure_axis: args.options.pressure_axis,
        };
        let provenance = json!({
            "generator": format!("sigmafit {} (CLI)", env!("CARGO_PKG_VERSION")),
            "settings": args.settings.effective(),
            "files": rows.iter().map(|row| json!({
                "file": base_name(&row.file),
                "sha256": row.sha256,
                "series": row.series,
                "pressure_mpa": row.pressure.map(|p| p.0),
                "branch": row.placement.branch,
            })).collect::<Vec<_>>(),
        });
        let written = series_svg(&data, SVG_SIZE.0, SVG_SIZE.1)
            .map(|svg| with_provenance(&svg, &provenance.to_string()))
            .map_err(|e| e.to_string())
            .and_then(|svg| std::fs::write(path, svg).map_err(|e| e.to_string()));
        if let Err(e) = written {
            eprintln!("sigmafit: cannot write {path}: {e}");
            failed = true;
        }
    }
    for row in &rows {
        if let Err(message) = &row.result {
            eprintln!("error: {message}");
        }
    }
    if failed { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

/// The points of a series with a pressure, a branch and a σ, in measurement order.
/// `work` over `items` on up to `jobs` threads, the results in the items' order.
fn in_parallel<T: Sync, R: Send>(items: &[T], jobs: usize, work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = jobs.clamp(1, items.len().max(1));
    if threads == 1 {
        return items.iter().map(&work).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        mine.push((i, work(item)));
                    }
                    mine
                })
            })
            .collect();
        // A worker thread that panicked has lost its items: that is a bug, and it stops here as one.
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

fn series_points(members: &[&Row]) -> Vec<SeriesPoint> {
    members
        .iter()
        .filter_map(|row| {
            let sigma = row.result.as_ref().ok()?.sigma_s_per_cm?;
            Some(SeriesPoint {
                pressure_mpa: row.pressure?.0,
                branch: row.placement.branch?,
                cycle: row.placement.cycle?,
                sigma_s_per_cm: sigma.value,
                sigma_err: sigma.stderr,
            })
        })
        .collect()
}

fn measured_json(m: Option<Measured>) -> Value {
    m.map_or(Value::Null, |m| json!({ "value": m.value, "stderr": m.stderr }))
}

fn row_json(row: &Row) -> Value {
    let analysis = row.result.as_ref().ok();
    let mut value = json!({
        "file": row.file,
        "series": row.series,
        "run": row.info.run,
        "order": row.placement.order,
        "pressure_mpa": row.pressure.map(|p| p.0),
        "pressure_source": row.pressure.map(|p| p.1),
        "branch": row.placement.branch,
        "cycle": row.placement.cycle,
        "kind": analysis.map(|a| a.kind),
        "circuit": analysis.map(|a| a.circuit.clone()),
        "r_con_ohm": measured_json(analysis.and_then(|a| a.r_con_ohm.as_ref()).map(|r| Measured {
            value: r.value,
            stderr: r.stderr,
        })),
        "r_con_status": analysis.and_then(|a| a.r_con_ohm.as_ref()).map(|r| r.status),
        "sigma_S_per_cm": measured_json(analysis.and_then(|a| a.sigma_s_per_cm)),
        "rms_relative": analysis.map(|a| a.stats.rms_relative),
        "start": analysis.map(|a| a.start),
        "thickness_mm": row.thickness_mm,
        "pressure_warning": pressure_warning(row),
    });
    if let (Err(message), Some(object)) = (&row.result, value.as_object_mut()) {
        object.insert("error".into(), Value::String(message.clone()));
    }
    value
}

/// Lower-case hex SHA-256 of `bytes`, as `sha256sum` prints it.
fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Why the pressure used may be wrong: a header and a name that disagree.
fn pressure_warning(row: &Row) -> Option<String> {
    row.pressure_conflict.map(|(header, name)| {
        format!(
            "the header says {} MPa, the file name {} MPa; the header's is used",
            sig(header, 4, STYLE),
            sig(name, 4, STYLE)
        )
    })
}

/// Columns padded to their widest cell.
fn table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::from("  ");
        for (cell, width) in row.iter().zip(&widths) {
            line.push_str(cell);
            line.push_str(&" ".repeat(width.saturating_sub(cell.chars().count()) + 2));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn or_dash(text: Option<String>) -> String {
    text.unwrap_or_else(|| "-".into())
}

fn series_text(key: &str, members: &[&Row], summary: &[CycleSummary]) -> String {
    let mut out = format!(
        "== series {key} ({} file{})\n",
        members.len(),
        if members.len() == 1 { "" } else { "s" }
    );
    let mut cells = vec![
        [
            "order", "run", "p", "branch", "cycle", "kind", "R_con", "sigma", "rms", "file",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>(),
    ];
    for row in members {
        let mut line = vec![
            row.placement.order.to_string(),
            or_dash(row.info.run.map(|r| r.to_string())),
            or_dash(row.pressure.map(|p| format!("{} MPa", sig(p.0, 4, STYLE)))),
            or_dash(row.placement.branch.map(|b| b.name().to_string())),
            or_dash(row.placement.cycle.map(|c| c.to_string())),
        ];
        match &row.result {
            Ok(a) => line.extend([
                a.preset.map_or_else(|| a.circuit.clone(), |p| p.to_string()),
                or_dash(a.r_con_ohm.as_ref().map(|r| with_error(r.value, r.stderr, "Ω", STYLE))),
                // One notation down the column: σ spans decades.
                or_dash(
                    a.sigma_s_per_cm
                        .map(|s| with_error_scientific(s.value, s.stderr, "S/cm", STYLE)),
                ),
                percent(a.stats.rms_relative, 2, STYLE),
            ]),
            Err(_) => line.extend(["FAILED", "-", "-", "-"].map(String::from)),
        }
        line.push(row.file.clone());
        cells.push(line);
    }
    out.push_str(&table(&cells));
    for row in members {
        if let Err(message) = &row.result {
            out.push_str(&format!("  error: {message}\n"));
        }
        if row.pressure.is_none() {
            out.push_str(&format!(
                "  note: {} has no pressure (no header line, none in its name): left out of the branches\n",
                row.file
            ));
        }
    }
    if summary.is_empty() {
        out.push_str("  summary: no spectrum with both a pressure and a sigma_eff\n");
    }
    for cycle in summary {
        out.push_str(&format!("  {}\n", summary_lines(cycle, STYLE).join(" ")));
    }
    out.push('\n');
    out
}
