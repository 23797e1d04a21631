//! Pressure series: the pressure of each spectrum, the order the spectra were measured
//! in, the loading and unloading branches, and the numbers the study discusses per series.
//!
//! Pure data in, data out: the CLI (`sigmafit series`) and the page call the same code.
//!
//! # Pressure
//! From the file name ([`name_info`]: `53MPa`, `53 MPa`, `53_MPa`, `53p5MPa`, `53,5MPa`,
//! `0.53GPa`, or `p53` as a token of its own), from a header or comment line above the
//! data ([`header_pressure_mpa`]: `# pressure: 53 MPa`, `p = 53 MPa`,
//! `Pressure (MPa): 53`, `stack pressure = 0.3 GPa`, `p = 530 bar`; kPa and psi too), or
//! typed by the user.
//! [`resolve_pressure`]: a typed value wins over the header, the header over the name.
//!
//! # Series and measurement order
//! The series key is the file name without its path, extension, run index and pressure
//! (`sc-NMC622_07_300MPa.csv` and `sc-NMC622_08_400MPa.csv` belong to `sc-NMC622`).
//! Within a series, [`place`] orders the spectra by run index where every member has one,
//! else by modification time where every member has one, else in the order given.
//!
//! # Branches and cycles
//! Walking the pressured members in measurement order: the first is loading, cycle 1.
//! A pressure above the previous one stays on loading, or, after unloading, starts a new
//! cycle on loading. A pressure below the previous one is unloading: the highest pressure
//! of a rise belongs to loading. An equal pressure stays on the current branch. Members
//! without a pressure get no branch and no cycle, and are skipped by the walk.
//!
//! ```text
//! pressure  10  50  100  100  50  10  50  100  ?
//! branch    L   L   L    L    U   U   L   L    -
//! cycle     1   1   1    1    1   1   2   2    -
//! ```

use crate::numfmt::{Style, sig, with_error};
use crate::pellet::Measured;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// Where a series key would be empty (a name that is only a run index and a pressure).
pub const UNNAMED_SERIES: &str = "series";

/// The pressure the released state is read at (the study's "released to 100 MPa").
pub const RELEASED_TARGET_MPA: f64 = 100.0;
/// An unloading point counts as released to about 100 MPa only within this range.
pub const RELEASED_RANGE_MPA: (f64, f64) = (60.0, 160.0);
/// Loading and unloading points are at the same pressure when within this fraction.
pub const EQUAL_PRESSURE_FRACTION: f64 = 0.02;

/// What a file name says about its spectrum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NameInfo {
    /// The name without path, extension, run index and pressure.
    pub series: String,
    /// The run index: the integer just before the pressure (`_07_` in `NMC_07_300MPa`).
    pub run: Option<u32>,
    pub pressure_mpa: Option<f64>,
}

/// Where a pressure came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PressureSource {
    Typed,
    Header,
    Name,
}

/// The pressure in force: typed over header over name.
pub fn resolve_pressure(typed: Option<f64>, header: Option<f64>, name: Option<f64>) -> Option<(f64, PressureSource)> {
    let usable = |p: Option<f64>| p.filter(|v| v.is_finite() && *v >= 0.0);
    usable(typed)
        .map(|p| (p, PressureSource::Typed))
        .or_else(|| usable(header).map(|p| (p, PressureSource::Header)))
        .or_else(|| usable(name).map(|p| (p, PressureSource::Name)))
}

/// A header's and a name's pressure that disagree (by more than 1 %, as 53 against 300
/// MPa): the header's is used, and the user should hear of the other.
pub fn pressures_disagree(header: Option<f64>, name: Option<f64>) -> bool {
    match (header, name) {
        (Some(h), Some(n)) if h.is_finite() && n.is_finite() => (h - n).abs() > 0.01 * h.abs().max(n.abs()),
        _ => false,
    }
}

fn is_separator(c: char) -> bool {
    matches!(c, '_' | '-' | '#' | ' ' | '.' | ',' | '(' | ')' | '[' | ']' | '+' | '=')
}

/// The file name without directories and without an extension (`.csv`, `.txt`; a dot
/// followed by a digit is a decimal point, not an extension).
fn stem(file_name: &str) -> &str {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    match base.rsplit_once('.') {
        Some((head, ext))
            if !head.is_empty()
                && (1..=5).contains(&ext.len())
                && ext.starts_with(|c: char| c.is_ascii_alphabetic())
                && ext.chars().all(|c| c.is_ascii_alphanumeric())
                && !is_pressure_unit(ext) =>
        {
            head
        }
        _ => base,
    }
}

fn is_pressure_unit(text: &str) -> bool {
    text.eq_ignore_ascii_case("mpa") || text.eq_ignore_ascii_case("gpa")
}

/// MPa per unit, for the units a pressure may be written in (a header line may use kPa,
/// bar or psi as well; a file name only MPa or GPa, see [`is_pressure_unit`]).
fn unit_factor(unit: &str) -> Option<f64> {
    const UNITS: [(&str, f64); 5] = [
        ("mpa", 1.0),
        ("gpa", 1000.0),
        ("kpa", 1e-3),
        ("bar", 0.1),
        // 1 psi = 6894.757 Pa.
        ("psi", 6.894_757e-3),
    ];
    UNITS
        .iter()
        .find(|(name, _)| unit.eq_ignore_ascii_case(name))
        .map(|&(_, factor)| factor)
}

/// A number at the start of `chars[i..]`: digits, optionally a decimal mark (`.`, `,`,
/// or `p` where `p_decimal`) and more digits. Returns (value, index after it).
fn number_at(chars: &[char], i: usize, p_decimal: bool) -> Option<(f64, usize)> {
    let digits_from = |start: usize| {
        let mut end = start;
        while chars.get(end).is_some_and(|c| c.is_ascii_digit()) {
            end += 1;
        }
        end
    };
    let int_end = digits_from(i);
    if int_end == i {
        return None;
    }
    let mut text: String = chars.get(i..int_end)?.iter().collect();
    let mut end = int_end;
    let is_mark = |c: char| c == '.' || c == ',' || (p_decimal && (c == 'p' || c == 'P'));
    if chars.get(end).is_some_and(|c| is_mark(*c)) {
        let frac_end = digits_from(end + 1);
        if frac_end > end + 1 {
            text.push('.');
            text.extend(chars.get(end + 1..frac_end)?.iter());
            end = frac_end;
        }
    }
    text.parse::<f64>().ok().filter(|v| v.is_finite()).map(|v| (v, end))
}

/// A pressure in the name: (MPa, start index, end index), in chars.
fn find_pressure(chars: &[char]) -> Option<(f64, usize, usize)> {
    let boundary_before = |i: usize| i == 0 || chars.get(i - 1).is_some_and(|c| !c.is_alphanumeric());
    let boundary_after = |i: usize| chars.get(i).is_none_or(|c| !c.is_alphanumeric());
    let mut found = None;
    // A number with a unit: the last one wins (a prefix like `2024-05` is not a pressure).
    let mut start = 0;
    while start < chars.len() {
        let Some((value, after_number)) = number_at(chars, start, true).filter(|_| boundary_before(start)) else {
            start += 1;
            continue;
        };
        let number_start = start;
        // The next number starts after this one (`53,5` is one number, not `5` as well).
        start = after_number.max(start + 1);
        let mut unit_start = after_number;
        if chars.get(unit_start).is_some_and(|c| *c == ' ' || *c == '_') {
            unit_start += 1;
        }
        let Some(unit) = chars.get(unit_start..unit_start + 3) else {
            continue;
        };
        let unit: String = unit.iter().collect();
        if let Some(factor) = unit_factor(&unit)
            && boundary_after(unit_start + 3)
        {
            found = Some((value * factor, number_start, unit_start + 3));
        }
    }
    if found.is_some() {
        return found;
    }
    // `p53`: a token of its own, p and a number (MPa).
    for start in 0..chars.len() {
        if boundary_before(start)
            && chars.get(start).is_some_and(|c| *c == 'p' || *c == 'P')
            && let Some((value, end)) = number_at(chars, start + 1, false)
            && boundary_after(end)
        {
            found = Some((value, start, end));
        }
    }
    found
}

fn is_key_separator(c: char) -> bool {
    matches!(c, '_' | '-' | '#' | ' ' | '.' | ',')
}

/// Separators trimmed from both ends of a key.
fn trim_key(text: &str) -> &str {
    text.trim_matches(is_key_separator)
}

/// A run index at the end of `head` (after trimming separators): a whole token of digits.
/// Returns (run, the head before it).
fn trailing_run(head: &str, max_digits: usize) -> Option<(u32, &str)> {
    let trimmed = head.trim_end_matches(is_key_separator);
    let digits_start = trimmed
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_digit())
        .last()
        .map(|(i, _)| i)?;
    let digits = trimmed.get(digits_start..)?;
    let before = trimmed.get(..digits_start)?;
    let separated = before.is_empty() || before.ends_with(is_separator);
    if !separated || digits.len() > max_digits {
        return None;
    }
    Some((digits.parse().ok()?, before))
}

/// Series key, run index and pressure from a file name (path and extension ignored).
pub fn name_info(file_name: &str) -> NameInfo {
    let stem = stem(file_name);
    let chars: Vec<char> = stem.chars().collect();
    let Some((pressure, start, end)) = find_pressure(&chars) else {
        // Without a pressure, a trailing token of up to three digits after a separator,
        // with a name before it, is the run index; anything else stays in the key.
        let (run, key) = match trailing_run(stem, 3) {
            Some((run, before)) if !trim_key(before).is_empty() => (Some(run), trim_key(before)),
            _ => (None, trim_key(stem)),
        };
        return NameInfo {
            series: non_empty_key(key.to_string()),
            run,
            pressure_mpa: None,
        };
    };
    let head: String = chars.get(..start).unwrap_or_default().iter().collect();
    let tail: String = chars.get(end..).unwrap_or_default().iter().collect();
    let (run, head) = match trailing_run(&head, 9) {
        Some((run, before)) => (Some(run), trim_key(before).to_string()),
        None => (None, trim_key(&head).to_string()),
    };
    let tail = trim_key(&tail);
    let key = match (head.is_empty(), tail.is_empty()) {
        (_, true) => head,
        (true, false) => tail.to_string(),
        (false, false) => format!("{head} {tail}"),
    };
    NameInfo {
        series: non_empty_key(key),
        run,
        pressure_mpa: Some(pressure),
    }
}

fn non_empty_key(key: String) -> String {
    if key.is_empty() {
        UNNAMED_SERIES.to_string()
    } else {
        key
    }
}

/// The first field of a line is a number: the data have begun.
fn is_data_row(line: &str) -> bool {
    let first = line.split([',', ';', '\t', ' ']).find(|f| !f.is_empty()).unwrap_or("");
    let first = first.trim_start_matches(['+', '-']);
    first.starts_with(|c: char| c.is_ascii_digit() || c == '.') && first.replace(',', ".").parse::<f64>().is_ok()
}

/// `53 MPa`, `0,3 GPa`, `53` (with `unit_in_key` from `Pressure (MPa): 53`, or MPa).
fn header_value(text: &str, unit_in_key: Option<f64>) -> Option<f64> {
    let text = text.trim();
    let number_end = text
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.' || *c == ','))
        .map_or(text.len(), |(i, _)| i);
    let number: f64 = text.get(..number_end)?.replace(',', ".").parse().ok()?;
    let rest = text.get(number_end..)?.trim();
    let unit_word: String = rest.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let factor = if unit_word.is_empty() {
        // Nothing but a comment may follow the number.
        if !(rest.is_empty() || rest.starts_with(['(', '#', ';', ','])) {
            return None;
        }
        unit_in_key.unwrap_or(1.0)
    } else {
        unit_factor(&unit_word)?
    };
    Some(number * factor).filter(|p| p.is_finite() && *p >= 0.0)
}

/// The key of a `key: value` or `key = value` line, if it names a pressure: a word
/// `pressure` (after other words: `stack pressure`) or a lone `p`, with an optional unit
/// in brackets or after a slash. Returns the unit factor found in the key (if any).
fn pressure_key(key: &str) -> Option<Option<f64>> {
    let lower = key.trim().to_ascii_lowercase();
    let (before, after) = match lower.find("pressure") {
        Some(i) => (lower.get(..i)?, lower.get(i + "pressure".len()..)?),
        None if lower == "p" || lower.starts_with("p ") || lower.starts_with("p(") || lower.starts_with("p[") => {
            ("", lower.get(1..)?)
        }
        None => return None,
    };
    if !before
        .chars()
        .all(|c| c.is_ascii_alphabetic() || matches!(c, ' ' | '_' | '-'))
    {
        return None;
    }
    let decoration: String = after
        .chars()
        .filter(|c| !matches!(c, ' ' | '(' | ')' | '[' | ']' | '/' | '_'))
        .collect();
    match decoration.as_str() {
        "" => Some(None),
        "in" => None,
        unit => unit_factor(unit.strip_prefix("in").unwrap_or(unit)).map(Some),
    }
}

/// The pressure stated in a header or comment line above the data, in MPa. Reading stops
/// at the first numeric data row, so a column of numbers is never taken for it.
pub fn header_pressure_mpa(text: &str) -> Option<f64> {
    for raw in text.lines() {
        let line = raw.trim().trim_start_matches('\u{feff}');
        let content = line.trim_start_matches(['#', ';', '!', '%', '/', '*']).trim();
        if content.len() == line.len() && is_data_row(line) {
            return None;
        }
        let Some(split) = content.find([':', '=']) else {
            continue;
        };
        let (key, value) = (content.get(..split)?, content.get(split + 1..)?);
        if let Some(unit_in_key) = pressure_key(key)
            && let Some(p) = header_value(value, unit_in_key)
        {
            return Some(p);
        }
    }
    None
}

/// The pressure branch of a point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Branch {
    Loading,
    Unloading,
}

impl Branch {
    pub fn name(self) -> &'static str {
        match self {
            Branch::Loading => "loading",
            Branch::Unloading => "unloading",
        }
    }
}

/// One spectrum of a batch, as [`place`] needs it.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Member {
    pub series: String,
    #[serde(default)]
    pub run: Option<u32>,
    /// Modification time (ms since the epoch), as the browser's `File.lastModified`.
    #[serde(default)]
    pub modified_ms: Option<f64>,
    /// Position in the order the files were given.
    pub given: usize,
    #[serde(default)]
    pub pressure_mpa: Option<f64>,
}

/// Where a member stands in its series.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Placement {
    pub series: String,
    /// 1-based position in its series' measurement order.
    pub order: usize,
    pub cycle: Option<u32>,
    pub branch: Option<Branch>,
}

/// Pressures equal for the branch logic (typed `300` and a header's `300.0`).
fn same_pressure(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

/// Orders each series, numbers its members, and splits it into branches and cycles.
/// One placement per member, in input order.
pub fn place(members: &[Member]) -> Vec<Placement> {
    let mut placements: Vec<Placement> = members
        .iter()
        .map(|m| Placement {
            series: m.series.clone(),
            order: 0,
            cycle: None,
            branch: None,
        })
        .collect();
    let mut keys: Vec<&str> = Vec::new();
    for m in members {
        if !keys.contains(&m.series.as_str()) {
            keys.push(&m.series);
        }
    }
    for key in keys {
        let mut indices: Vec<usize> = (0..members.len())
            .filter(|&i| members.get(i).is_some_and(|m| m.series == key))
            .collect();
        let of = |i: &usize| members.get(*i);
        let all_runs = indices.iter().all(|i| of(i).is_some_and(|m| m.run.is_some()));
        let all_times = indices
            .iter()
            .all(|i| of(i).is_some_and(|m| m.modified_ms.is_some_and(f64::is_finite)));
        indices.sort_by(|a, b| {
            let (Some(ma), Some(mb)) = (of(a), of(b)) else {
                return Ordering::Equal;
            };
            let primary = if all_runs {
                ma.run.cmp(&mb.run)
            } else if all_times {
                ma.modified_ms.partial_cmp(&mb.modified_ms).unwrap_or(Ordering::Equal)
            } else {
                Ordering::Equal
            };
            primary.then(ma.given.cmp(&mb.given)).then(a.cmp(b))
        });
        let mut walk: Option<(f64, Branch, u32)> = None;
        for (position, &i) in indices.iter().enumerate() {
            let pressure = of(&i).and_then(|m| m.pressure_mpa).filter(|p| p.is_finite());
            let Some(p) = placements.get_mut(i) else {
                continue;
            };
            p.order = position + 1;
            let Some(pressure) = pressure else {
                continue;
            };
            let (branch, cycle) = match walk {
                None => (Branch::Loading, 1),
                Some((previous, branch, cycle)) if same_pressure(pressure, previous) => (branch, cycle),
                Some((previous, Branch::Unloading, cycle)) if pressure > previous => (Branch::Loading, cycle + 1),
                Some((previous, Branch::Loading, cycle)) if pressure > previous => (Branch::Loading, cycle),
                Some((_, _, cycle)) => (Branch::Unloading, cycle),
            };
            p.branch = Some(branch);
            p.cycle = Some(cycle);
            walk = Some((pressure, branch, cycle));
        }
    }
    placements
}

/// One point of a series, in measurement order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesPoint {
    pub pressure_mpa: f64,
    pub branch: Branch,
    pub cycle: u32,
    pub sigma_s_per_cm: f64,
    #[serde(default)]
    pub sigma_err: Option<f64>,
}

impl SeriesPoint {
    fn sigma(&self) -> Measured {
        Measured {
            value: self.sigma_s_per_cm,
            stderr: self.sigma_err.filter(|e| e.is_finite() && *e >= 0.0),
        }
    }

    fn is_usable(&self) -> bool {
        self.pressure_mpa.is_finite() && self.sigma_s_per_cm.is_finite() && self.sigma_s_per_cm > 0.0
    }
}

/// Unloading over loading at one pressure: > 1 where the pellet densified irreversibly.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hysteresis {
    /// The unloading point's pressure.
    pub pressure_mpa: f64,
    pub loading_pressure_mpa: f64,
    pub loading: Measured,
    pub unloading: Measured,
    /// unloading / loading; its stderr where both have one.
    pub ratio: Measured,
}

/// The numbers the study discusses, for one cycle of a series. Missing pieces are null.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CycleSummary {
    pub cycle: u32,
    pub n_points: usize,
    /// The highest pressure of the cycle and σ there.
    pub max_pressure_mpa: f64,
    pub sigma_at_max: Measured,
    /// The unloading point nearest [`RELEASED_TARGET_MPA`], within [`RELEASED_RANGE_MPA`].
    pub released_pressure_mpa: Option<f64>,
    pub sigma_released: Option<Measured>,
    pub released_over_max: Option<Measured>,
    /// The last unloading point.
    pub end_pressure_mpa: Option<f64>,
    pub sigma_end: Option<Measured>,
    pub end_over_max: Option<Measured>,
    /// Pressures on both branches (within [`EQUAL_PRESSURE_FRACTION`]), in unloading order.
    pub hysteresis: Vec<Hysteresis>,
}

/// a / b with the relative errors added in quadrature (only when both have one).
fn ratio(a: Measured, b: Measured) -> Option<Measured> {
    let value = a.value / b.value;
    if !value.is_finite() {
        return None;
    }
    let stderr = match (a.stderr, b.stderr) {
        (Some(ea), Some(eb)) => Some(value.abs() * ((ea / a.value).powi(2) + (eb / b.value).powi(2)).sqrt()),
        _ => None,
    }
    .filter(|e| e.is_finite());
    Some(Measured { value, stderr })
}

/// One summary per cycle, in cycle order. Points with a non-finite pressure or σ (or
/// σ ≤ 0) are left out.
pub fn summarise(points: &[SeriesPoint]) -> Vec<CycleSummary> {
    let usable: Vec<&SeriesPoint> = points.iter().filter(|p| p.is_usable()).collect();
    let mut cycles: Vec<u32> = usable.iter().map(|p| p.cycle).collect();
    cycles.sort_unstable();
    cycles.dedup();
    cycles
        .into_iter()
        .filter_map(|cycle| {
            let in_cycle: Vec<&SeriesPoint> = usable.iter().copied().filter(|p| p.cycle == cycle).collect();
            // The highest pressure; of equals the latest, the point the turn follows.
            let top = in_cycle
                .iter()
                .copied()
                .reduce(|best, p| if p.pressure_mpa >= best.pressure_mpa { p } else { best })?;
            let unloading: Vec<&SeriesPoint> = in_cycle
                .iter()
                .copied()
                .filter(|p| p.branch == Branch::Unloading)
                .collect();
            let released = unloading
                .iter()
                .copied()
                .filter(|p| (RELEASED_RANGE_MPA.0..=RELEASED_RANGE_MPA.1).contains(&p.pressure_mpa))
                .reduce(|best, p| {
                    let distance = |q: &SeriesPoint| (q.pressure_mpa - RELEASED_TARGET_MPA).abs();
                    if distance(p) <= distance(best) { p } else { best }
                });
            let end = unloading.last().copied();
            let hysteresis = unloading
                .iter()
                .filter_map(|u| {
                    let loading = in_cycle
                        .iter()
                        .copied()
                        .filter(|l| l.branch == Branch::Loading)
                        .filter(|l| {
                            (l.pressure_mpa - u.pressure_mpa).abs()
                                <= EQUAL_PRESSURE_FRACTION * l.pressure_mpa.abs().max(u.pressure_mpa.abs())
                        })
                        .min_by(|a, b| {
                            let d = |q: &SeriesPoint| (q.pressure_mpa - u.pressure_mpa).abs();
                            d(a).partial_cmp(&d(b)).unwrap_or(Ordering::Equal)
                        })?;
                    Some(Hysteresis {
                        pressure_mpa: u.pressure_mpa,
                        loading_pressure_mpa: loading.pressure_mpa,
                        loading: loading.sigma(),
                        unloading: u.sigma(),
                        ratio: ratio(u.sigma(), loading.sigma())?,
                    })
                })
                .collect();
            Some(CycleSummary {
                cycle,
                n_points: in_cycle.len(),
                max_pressure_mpa: top.pressure_mpa,
                sigma_at_max: top.sigma(),
                released_pressure_mpa: released.map(|p| p.pressure_mpa),
                sigma_released: released.map(SeriesPoint::sigma),
                released_over_max: released.and_then(|p| ratio(p.sigma(), top.sigma())),
                end_pressure_mpa: end.map(|p| p.pressure_mpa),
                sigma_end: end.map(SeriesPoint::sigma),
                end_over_max: end.and_then(|p| ratio(p.sigma(), top.sigma())),
                hysteresis,
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------
// The summary in words: the CLI prints these lines joined, the page lists them.

fn sigma_text(m: Measured, style: Style) -> String {
    with_error(m.value, m.stderr, "S/cm", style)
}

fn ratio_text(m: Measured, style: Style) -> String {
    with_error(m.value, m.stderr, "", style)
}

fn mpa(p: f64, style: Style) -> String {
    format!("{} MPa", sig(p, 4, style))
}

/// The study's numbers for one cycle, a sentence each: σ at the highest pressure, after
/// release to about 100 MPa, at the end of unloading, and unloading over loading at equal
/// pressures.
pub fn summary_lines(c: &CycleSummary, style: Style) -> Vec<String> {
    let mut lines = vec![format!(
        "Cycle {}: {} at the highest pressure, {}, is {}.",
        c.cycle,
        match style {
            Style::Ascii => "sigma_eff",
            Style::Typeset => "σ_eff",
        },
        mpa(c.max_pressure_mpa, style),
        sigma_text(c.sigma_at_max, style)
    )];
    lines.push(match (c.released_pressure_mpa, c.sigma_released, c.released_over_max) {
        (Some(p), Some(s), Some(r)) => format!(
            "Released to {} it is {}, {} times the highest.",
            mpa(p, style),
            sigma_text(s, style),
            ratio_text(r, style)
        ),
        _ => format!(
            "No unloading point near {} ({} to {}).",
            mpa(RELEASED_TARGET_MPA, style),
            sig(RELEASED_RANGE_MPA.0, 4, style),
            mpa(RELEASED_RANGE_MPA.1, style)
        ),
    });
    lines.push(match (c.end_pressure_mpa, c.sigma_end, c.end_over_max) {
        (Some(p), Some(s), Some(r)) => format!(
            "At the end of unloading, {}, it is {}, {} times the highest.",
            mpa(p, style),
            sigma_text(s, style),
            ratio_text(r, style)
        ),
        _ => "No unloading points.".to_string(),
    });
    if !c.hysteresis.is_empty() {
        let pairs: Vec<String> = c
            .hysteresis
            .iter()
            .map(|h| format!("{} at {}", ratio_text(h.ratio, style), mpa(h.pressure_mpa, style)))
            .collect();
        lines.push(format!(
            "Unloading over loading at equal pressure (above 1: irreversible densification): {}.",
            pairs.join(", ")
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(name: &str) -> (String, Option<u32>, Option<f64>) {
        let i = name_info(name);
        (i.series, i.run, i.pressure_mpa)
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() <= 1e-9 * b.abs().max(1.0))
    }

    #[test]
    fn every_spelling_of_a_pressure_in_a_name() {
        for (name, mpa) in [
            ("NMC_53MPa.csv", 53.0),
            ("NMC_53 MPa.csv", 53.0),
            ("NMC_53_MPa.csv", 53.0),
            ("NMC_53p5MPa.csv", 53.5),
            ("NMC_53,5MPa.csv", 53.5),
            ("NMC_53.5MPa.csv", 53.5),
            ("NMC_p53.csv", 53.0),
            ("NMC_P53.txt", 53.0),
            ("NMC_0.53GPa.csv", 530.0),
            ("NMC_0,53gpa.csv", 530.0),
            ("NMC_53mpa.csv", 53.0),
            ("NMC_53Mpa.csv", 53.0),
            ("NMC_53MPA", 53.0),
            ("dir/sub/NMC 53 MPa.csv", 53.0),
            ("C:\\data\\NMC-53MPa.csv", 53.0),
        ] {
            let (series, _, p) = info(name);
            assert!(close(p, mpa), "{name}: {p:?}");
            assert_eq!(series, "NMC", "{name}");
        }
    }

    #[test]
    fn a_unit_inside_a_word_is_not_a_pressure() {
        // `622MPa`-like glue to a word, `MPas`, `p53x` and `np53` are not pressures.
        for name in [
            "NMC622MPa.csv",
            "LCO_53MPas.csv",
            "LCO_p53x.csv",
            "LCO_np53.csv",
            "LCO_x53MPa.csv",
        ] {
            assert_eq!(info(name).2, None, "{name}");
        }
    }

    #[test]
    fn run_index_and_series_key() {
        assert_eq!(
            info("sc-NMC622_07_300MPa.csv"),
            ("sc-NMC622".into(), Some(7), Some(300.0))
        );
        assert_eq!(
            info("LNO-coated LCO #07 300 MPa.csv"),
            ("LNO-coated LCO".into(), Some(7), Some(300.0))
        );
        // 622 is glued to NMC: part of the name, not a run index.
        assert_eq!(info("NMC622_300MPa.csv"), ("NMC622".into(), None, Some(300.0)));
        assert_eq!(info("07_300MPa.csv"), (UNNAMED_SERIES.into(), Some(7), Some(300.0)));
        assert_eq!(info("NMC_07_300MPa_b.csv"), ("NMC b".into(), Some(7), Some(300.0)));
        assert_eq!(info("NMC_07_p53.csv"), ("NMC".into(), Some(7), Some(53.0)));
    }

    #[test]
    fn a_name_without_a_pressure_keeps_its_stem() {
        assert_eq!(info("sc-NMC622_07.csv"), ("sc-NMC622".into(), Some(7), None));
        assert_eq!(info("sc-NMC622.csv"), ("sc-NMC622".into(), None, None));
        // Four digits may be a year: not taken for a run index.
        assert_eq!(info("pellet_2024.csv"), ("pellet_2024".into(), None, None));
        assert_eq!(info("12.csv"), ("12".into(), None, None));
        assert_eq!(info(""), (UNNAMED_SERIES.into(), None, None));
        assert_eq!(info("ü_é#.csv"), ("ü_é".into(), None, None));
    }

    #[test]
    fn a_header_and_a_name_that_disagree_are_told_apart() {
        assert!(pressures_disagree(Some(53.0), Some(300.0)));
        assert!(!pressures_disagree(Some(53.0), Some(53.4)));
        assert!(!pressures_disagree(Some(0.0), Some(0.0)));
        assert!(!pressures_disagree(Some(53.0), None));
        assert!(!pressures_disagree(None, Some(53.0)));
        assert!(!pressures_disagree(Some(f64::NAN), Some(53.0)));
    }

    #[test]
    fn header_lines_state_the_pressure() {
        for (text, mpa) in [
            ("# pressure: 53 MPa\nf,re,im\n1,2,3\n", 53.0),
            ("p = 53 MPa\n1;2;3\n", 53.0),
            ("Pressure (MPa): 53\n1 2 3\n", 53.0),
            ("; stack pressure = 0.3 GPa\n1,2,3\n", 300.0),
            ("# Pressure [GPa]: 0,3\n1,2,3\n", 300.0),
            ("# pressure: 53\n", 53.0),
            ("# pressure: 530 bar\n1,2,3\n", 53.0),
            ("# Pressure (kPa): 53000\n1,2,3\n", 53.0),
            ("# p = 1000 psi\n1,2,3\n", 6.894_757),
            (
                "\u{feff}# title\n# applied pressure = 120.5 MPa (nominal)\n1,2,3\n",
                120.5,
            ),
        ] {
            assert!(close(header_pressure_mpa(text), mpa), "{text:?}");
        }
    }

    #[test]
    fn header_pressure_never_comes_from_data_or_other_keys() {
        for text in [
            "f,re,im\n1,2,3\n# pressure: 53 MPa\n",
            "# synthetic: true sigma = 2.5e-2 S/cm, R = 5 ohm\n1,2,3\n",
            "# pressure 53 MPa\n",
            "# pressure: 53 mm\n",
            "# pressure: lots\n",
            "# power = 3 MPa\n",
            "# pressure drop at 2 = 5\n",
            "",
        ] {
            assert_eq!(header_pressure_mpa(text), None, "{text:?}");
        }
    }

    #[test]
    fn typed_wins_over_header_over_name() {
        assert_eq!(
            resolve_pressure(Some(1.0), Some(2.0), Some(3.0)),
            Some((1.0, PressureSource::Typed))
        );
        assert_eq!(
            resolve_pressure(None, Some(2.0), Some(3.0)),
            Some((2.0, PressureSource::Header))
        );
        assert_eq!(
            resolve_pressure(None, None, Some(3.0)),
            Some((3.0, PressureSource::Name))
        );
        assert_eq!(
            resolve_pressure(Some(f64::NAN), None, Some(3.0)),
            Some((3.0, PressureSource::Name))
        );
        assert_eq!(resolve_pressure(None, None, None), None);
        let text = "# pressure: 250 MPa\n1,2,3\n";
        let name = name_info("NMC_03_200MPa.csv");
        assert_eq!(
            resolve_pressure(None, header_pressure_mpa(text), name.pressure_mpa),
            Some((250.0, PressureSource::Header))
        );
    }

    fn member(series: &str, run: Option<u32>, given: usize, p: Option<f64>) -> Member {
        Member {
            series: series.into(),
            run,
            modified_ms: None,
            given,
            pressure_mpa: p,
        }
    }

    fn branches(placements: &[Placement]) -> Vec<(usize, Option<u32>, Option<Branch>)> {
        placements.iter().map(|p| (p.order, p.cycle, p.branch)).collect()
    }

    use Branch::{Loading as L, Unloading as U};

    #[test]
    fn loading_then_unloading_then_a_second_cycle() {
        let pressures = [10.0, 50.0, 100.0, 50.0, 10.0, 50.0, 100.0, 10.0];
        let members: Vec<Member> = pressures
            .iter()
            .enumerate()
            .map(|(i, p)| member("a", Some(i as u32 + 1), i, Some(*p)))
            .collect();
        let got = branches(&place(&members));
        let expected = [
            (1, 1, L),
            (2, 1, L),
            (3, 1, L),
            (4, 1, U),
            (5, 1, U),
            (6, 2, L),
            (7, 2, L),
            (8, 2, U),
        ];
        let expected: Vec<_> = expected.iter().map(|(o, c, b)| (*o, Some(*c), Some(*b))).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn order_by_run_then_time_then_given() {
        // Given out of order; the run index decides.
        let members = vec![
            member("a", Some(3), 0, Some(50.0)),
            member("a", Some(1), 1, Some(10.0)),
            member("a", Some(2), 2, Some(100.0)),
        ];
        assert_eq!(
            branches(&place(&members)),
            vec![(3, Some(1), Some(U)), (1, Some(1), Some(L)), (2, Some(1), Some(L))]
        );
        // One member without a run: modification times decide.
        let mut members = members;
        members[0].run = None;
        for (m, t) in members.iter_mut().zip([1000.0, 3000.0, 2000.0]) {
            m.modified_ms = Some(t);
        }
        assert_eq!(
            place(&members).iter().map(|p| p.order).collect::<Vec<_>>(),
            vec![1, 3, 2]
        );
        // One without a time either: the order given.
        members[1].modified_ms = None;
        assert_eq!(
            place(&members).iter().map(|p| p.order).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
    }

    #[test]
    fn two_series_mixed_are_placed_apart() {
        let members = vec![
            member("A", Some(1), 0, Some(10.0)),
            member("B", Some(1), 1, Some(100.0)),
            member("A", Some(2), 2, Some(100.0)),
            member("B", Some(2), 3, Some(50.0)),
            member("A", Some(3), 4, Some(50.0)),
        ];
        let got = place(&members);
        assert_eq!(
            got.iter().map(|p| p.series.as_str()).collect::<Vec<_>>(),
            ["A", "B", "A", "B", "A"]
        );
        assert_eq!(
            branches(&got),
            vec![
                (1, Some(1), Some(L)),
                (1, Some(1), Some(L)),
                (2, Some(1), Some(L)),
                (2, Some(1), Some(U)),
                (3, Some(1), Some(U)),
            ]
        );
    }

    #[test]
    fn a_file_without_pressure_does_not_break_the_branches() {
        let members = vec![
            member("a", Some(1), 0, Some(10.0)),
            member("a", Some(2), 1, Some(100.0)),
            member("a", Some(3), 2, None),
            member("a", Some(4), 3, Some(50.0)),
        ];
        assert_eq!(
            branches(&place(&members)),
            vec![
                (1, Some(1), Some(L)),
                (2, Some(1), Some(L)),
                (3, None, None),
                (4, Some(1), Some(U)),
            ]
        );
    }

    #[test]
    fn equal_pressures_stay_on_their_branch() {
        let ps = [10.0, 100.0, 100.0, 50.0, 50.0, 100.0];
        let members: Vec<Member> = ps
            .iter()
            .enumerate()
            .map(|(i, p)| member("a", None, i, Some(*p)))
            .collect();
        let got: Vec<_> = place(&members).iter().map(|p| (p.cycle, p.branch)).collect();
        assert_eq!(
            got,
            vec![
                (Some(1), Some(L)),
                (Some(1), Some(L)),
                (Some(1), Some(L)),
                (Some(1), Some(U)),
                (Some(1), Some(U)),
                (Some(2), Some(L)),
            ]
        );
        // Ties in run index fall back to the order given; a series that starts by falling
        // has its first (highest) point on loading.
        let members = vec![
            member("a", Some(1), 1, Some(50.0)),
            member("a", Some(1), 0, Some(400.0)),
        ];
        assert_eq!(
            branches(&place(&members)),
            vec![(2, Some(1), Some(U)), (1, Some(1), Some(L))]
        );
        assert!(place(&[]).is_empty());
    }

    fn point(p: f64, branch: Branch, cycle: u32, sigma: f64, err: Option<f64>) -> SeriesPoint {
        SeriesPoint {
            pressure_mpa: p,
            branch,
            cycle,
            sigma_s_per_cm: sigma,
            sigma_err: err,
        }
    }

    #[test]
    fn summary_of_a_hand_made_series() {
        let points = vec![
            point(10.0, L, 1, 1e-4, Some(1e-6)),
            point(100.0, L, 1, 1e-3, Some(1e-5)),
            point(400.0, L, 1, 1e-2, Some(1e-4)),
            point(99.0, U, 1, 8e-3, Some(8e-5)),
            point(10.0, U, 1, 4e-3, None),
            point(50.0, L, 2, 5e-3, None),
            point(300.0, L, 2, 2e-2, None),
            point(200.0, U, 2, f64::NAN, None),
        ];
        let s = summarise(&points);
        assert_eq!(s.len(), 2);
        let c1 = &s[0];
        assert_eq!((c1.cycle, c1.n_points, c1.max_pressure_mpa), (1, 5, 400.0));
        assert_eq!(c1.sigma_at_max.value, 1e-2);
        assert_eq!(c1.released_pressure_mpa, Some(99.0));
        let released = c1.released_over_max.unwrap();
        assert!((released.value - 0.8).abs() < 1e-12);
        // 1 % and 1 % in quadrature: √2 % of 0.8.
        assert!((released.stderr.unwrap() - 0.8 * 2f64.sqrt() * 0.01).abs() < 1e-12);
        assert_eq!(c1.end_pressure_mpa, Some(10.0));
        assert!((c1.end_over_max.unwrap().value - 0.4).abs() < 1e-12);
        assert_eq!(c1.end_over_max.unwrap().stderr, None);
        // 99 matches 100 within 2 %; 10 matches 10.
        assert_eq!(c1.hysteresis.len(), 2);
        let h = &c1.hysteresis[0];
        assert_eq!((h.pressure_mpa, h.loading_pressure_mpa), (99.0, 100.0));
        assert!((h.ratio.value - 8.0).abs() < 1e-12);
        assert!((h.ratio.stderr.unwrap() - 8.0 * 2f64.sqrt() * 0.01).abs() < 1e-12);
        assert!((c1.hysteresis[1].ratio.value - 40.0).abs() < 1e-9);
        assert_eq!(c1.hysteresis[1].ratio.stderr, None);

        // The second cycle never came back down far enough (and its NaN point is ignored).
        let c2 = &s[1];
        assert_eq!((c2.cycle, c2.n_points, c2.max_pressure_mpa), (2, 2, 300.0));
        assert_eq!(c2.released_pressure_mpa, None);
        assert_eq!(c2.sigma_end, None);
        assert!(c2.hysteresis.is_empty());
        let json = serde_json::to_value(c2).unwrap();
        assert!(json["sigma_released"].is_null() && json["released_over_max"].is_null());
        assert_eq!(json["sigma_at_max"]["value"], 2e-2);
    }

    #[test]
    fn released_is_only_near_100_mpa() {
        let points = vec![
            point(400.0, L, 1, 1e-2, None),
            point(200.0, U, 1, 1e-2, None),
            point(50.0, U, 1, 5e-3, None),
        ];
        let s = summarise(&points);
        assert_eq!(s[0].released_pressure_mpa, None);
        assert_eq!(s[0].end_pressure_mpa, Some(50.0));
        assert!(summarise(&[]).is_empty());
    }

    #[test]
    fn serde_shapes() {
        assert_eq!(serde_json::to_value(Branch::Unloading).unwrap(), "unloading");
        let m: Member = serde_json::from_str(r#"{"series": "a", "given": 3}"#).unwrap();
        assert_eq!(m, member("a", None, 3, None));
        let p: SeriesPoint =
            serde_json::from_str(r#"{"pressure_mpa": 10, "branch": "loading", "cycle": 1, "sigma_s_per_cm": 1e-3}"#)
                .unwrap();
        assert_eq!(p.sigma_err, None);
    }
}
