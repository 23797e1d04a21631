//! Import of impedance spectra: instrument files recognised by their content
//! ([`instrument`]: BioLogic EC-Lab, Gamry, ZPlot, Autolab, CH Instruments, VersaStudio,
//! PowerSuite, Parstat) and plain-text tables (CSV, semicolon, tab or space separated,
//! with or without a header line, or read through a [`ColumnMapping`]).
//!
//! Everything here is total: bad input gives an [`ImportError`], never a panic.
//! The result is a [`Spectrum`] whose impedance uses the physics sign
//! convention (Im Z < 0 capacitive, Im Z > 0 inductive), sorted by frequency.
//! Input that would only get a meaningless fit is refused as well: fewer than
//! [`MIN_POINTS`] distinct frequencies, magnitudes outside
//! [`MIN_ABS_VALUE`]..=[`MAX_ABS_VALUE`], and points with Z = 0; so is input beyond
//! [`MAX_FILE_BYTES`] or [`MAX_POINTS`].

mod columns;
mod instrument;
mod sniff;

pub use columns::{ColumnMapping, ColumnRole};
pub use sniff::{MAX_FILE_BYTES, decode_text};

use num_complex::Complex64;
use serde::Serialize;
use std::fmt;

/// A spectrum must have at least this many points.
pub const MIN_POINTS: usize = 5;

/// A spectrum may have at most this many points. Instruments write tens to a few
/// thousand; the fit's cost grows with the points, and this many fit in well under the
/// 3 s any input may take, in the page's WebAssembly as well (BENCHMARKS.md, "Import caps").
pub const MAX_POINTS: usize = 20_000;

/// Largest magnitude accepted for any number read (frequency, Z', Z'', |Z|,
/// phase). The fit squares impedances (|Z|^2 in the modulus weighting, sums of
/// squared residuals) and multiplies frequencies by resistances and
/// capacitances; with |v| <= 1e150 a square stays <= 1e300, below the f64
/// limit of about 1.8e308, so no product of two read values overflows. Larger
/// values gave results like sigma = 1e-309 S/cm from plain garbage.
pub const MAX_ABS_VALUE: f64 = 1e150;

/// Smallest magnitude accepted for a nonzero number read. Squares of smaller
/// values fall below 1e-300 and, multiplied once more, into subnormals or
/// zero (the smallest normal f64 is about 2.2e-308): a Z' of 1e-320 behaves
/// like 0 in the fit while looking like data. Exact zeros are accepted.
pub const MIN_ABS_VALUE: f64 = 1e-150;

/// At most this many duplicated-frequency warnings are listed one by one.
const MAX_DUPLICATE_WARNINGS: usize = 20;

/// Offending text quoted in messages is cut to this many characters.
const QUOTE_CHARS: usize = 40;

/// How the sign of the imaginary part was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImagConvention {
    /// Z'' column read as signed Im Z (header said Z''/Zimag/Im(Z) etc.).
    /// Also used by [`Spectrum::from_points`], whose values are taken as given.
    SignedFromHeader,
    /// header said -Z'' or -Im(Z): values were negated
    NegatedFromHeader,
    /// headerless: shape said values are already signed Im Z
    SignedByShape,
    /// headerless: shape said values are -Z'' and were negated
    NegatedByShape,
    /// computed from |Z| and phase
    FromModulusPhase,
    /// header said -Z'' but the values already had the signed shape (a
    /// capacitive arc with Im Z < 0), so they were read as signed Im Z, not negated
    SignedDespiteHeader,
    /// the column mapping said signed Im Z
    SignedFromMapping,
    /// the column mapping said -Z'': values were negated
    NegatedFromMapping,
}

impl ImagConvention {
    /// One plain-English sentence saying how Im Z was obtained.
    pub fn describe(&self) -> &'static str {
        match self {
            ImagConvention::SignedFromHeader => {
                "Z'' column read as signed Im Z, as its header says (negative means capacitive)"
            }
            ImagConvention::NegatedFromHeader => {
                "Z'' column read as -Z'', as its header says, and negated to give signed Im Z"
            }
            ImagConvention::SignedByShape => {
                "third column read as signed Im Z, because its shape fits a signed spectrum"
            }
            ImagConvention::NegatedByShape => "third column read as -Z'' (a positive arc with an apex) and negated",
            ImagConvention::FromModulusPhase => "Z' and Z'' computed from the |Z| and phase columns",
            ImagConvention::SignedDespiteHeader => {
                "Z'' column headed -Z'' read as signed Im Z without negating, because its values already have the signed shape"
            }
            ImagConvention::SignedFromMapping => {
                "Z'' column read as signed Im Z, as the column mapping says (negative means capacitive)"
            }
            ImagConvention::NegatedFromMapping => {
                "Z'' column read as -Z'', as the column mapping says, and negated to give signed Im Z"
            }
        }
    }
}

/// An impedance spectrum, sorted by ascending frequency.
#[derive(Debug, Clone, Serialize)]
pub struct Spectrum {
    /// The file name given.
    pub name: String,
    /// Frequencies in Hz, sorted ascending.
    pub freq_hz: Vec<f64>,
    /// Z = Z' + i Z'' with the physics sign: Im Z < 0 capacitive, > 0 inductive;
    /// same order as `freq_hz`. Serialized as `[re, im]` pairs.
    #[serde(serialize_with = "serialize_complex_pairs")]
    pub z: Vec<Complex64>,
    /// 1-based line number in the input of each point (after sorting).
    /// For [`Spectrum::from_points`] it is the 1-based index in the given arrays.
    pub source_line: Vec<usize>,
    /// How the sign of Im Z was decided.
    pub imag_convention: ImagConvention,
    /// Things the user should know that did not stop the import.
    pub warnings: Vec<String>,
    /// How the file was read: an instrument format ("Gamry .DTA"), "delimited text", or
    /// "delimited text, columns f,re,-im" when a column mapping was given.
    pub format: String,
}

fn serialize_complex_pairs<S: serde::Serializer>(z: &[Complex64], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(z.iter().map(|c| (c.re, c.im)))
}

impl Spectrum {
    /// Number of points.
    pub fn len(&self) -> usize {
        self.freq_hz.len()
    }

    /// True when there are no points (never the case for a parsed spectrum).
    pub fn is_empty(&self) -> bool {
        self.freq_hz.is_empty()
    }

    /// Lowest frequency in Hz (NaN if there are no points).
    pub fn f_min(&self) -> f64 {
        if self.freq_hz.is_empty() {
            return f64::NAN;
        }
        self.freq_hz.iter().copied().fold(f64::INFINITY, f64::min)
    }

    /// Highest frequency in Hz (NaN if there are no points).
    pub fn f_max(&self) -> f64 {
        if self.freq_hz.is_empty() {
            return f64::NAN;
        }
        self.freq_hz.iter().copied().fold(f64::NEG_INFINITY, f64::max)
    }

    /// Builds a spectrum from arrays (for synthetic data and tests), validating
    /// the parser's basic rules (>= 5 points, finite values, f > 0) and
    /// sorting by frequency. The garbage checks of [`parse_spectrum`] (at least
    /// 5 distinct frequencies, magnitudes within [`MIN_ABS_VALUE`]..=[`MAX_ABS_VALUE`],
    /// no zero impedance) are left out on purpose, so that tests can feed such
    /// degenerate spectra to the analysis and check that it fails cleanly. Errors have line None. The values are taken as
    /// signed Im Z (`imag_convention` is `SignedFromHeader`), and `source_line`
    /// holds each point's 1-based index in the given arrays.
    pub fn from_points(name: &str, freq_hz: &[f64], z: &[Complex64]) -> Result<Spectrum, ImportError> {
        if freq_hz.len() != z.len() {
            return Err(ImportError::new(
                name,
                None,
                None,
                format!(
                    "got {} frequencies but {} impedance values; expected the same number",
                    freq_hz.len(),
                    z.len()
                ),
            ));
        }
        if freq_hz.len() < MIN_POINTS {
            return Err(too_few_points(name, freq_hz.len()));
        }
        let mut points = Vec::with_capacity(freq_hz.len());
        for (i, (&f, &zz)) in freq_hz.iter().zip(z).enumerate() {
            let n = i + 1;
            if !f.is_finite() {
                return Err(ImportError::new(
                    name,
                    None,
                    None,
                    format!("point {n}: frequency must be a finite number, found {f}"),
                ));
            }
            if f <= 0.0 {
                return Err(ImportError::new(
                    name,
                    None,
                    None,
                    format!("point {n}: frequency must be > 0, found {f}"),
                ));
            }
            if !zz.re.is_finite() || !zz.im.is_finite() {
                return Err(ImportError::new(
                    name,
                    None,
                    None,
                    format!("point {n}: Z must be finite, found {zz}"),
                ));
            }
            points.push(Point { f, z: zz, line: n });
        }
        let mut warnings = Vec::new();
        sort_points(&mut points);
        duplicate_warnings(&points, "points", &mut warnings);
        Ok(build(
            name,
            points,
            ImagConvention::SignedFromHeader,
            warnings,
            "arrays".to_string(),
        ))
    }
}

/// Why a file could not be imported, and where.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportError {
    /// The file name given.
    pub file: String,
    /// 1-based line number, when the problem is on one line.
    pub line: Option<usize>,
    /// 1-based field index on that line, when the problem is one field.
    pub column: Option<usize>,
    /// Short plain-English explanation that says what was expected.
    pub message: String,
    /// What kind of failure: the page turns `columns_not_recognised` into its
    /// column-mapping step.
    pub kind: ImportErrorKind,
    /// For `columns_not_recognised`: the table as found, for the user to map.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub columns_found: Option<Box<ColumnsFound>>,
}

/// What kind of import failure an [`ImportError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportErrorKind {
    /// The file cannot be read as a spectrum.
    Invalid,
    /// A delimited table whose columns were not recognised: a [`ColumnMapping`] reads it.
    ColumnsNotRecognised,
}

/// A delimited table whose columns were not recognised, as found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnsFound {
    /// The column names of the header line (empty without one).
    pub header: Vec<String>,
    /// The fields of the first data rows (at most [`COLUMNS_FOUND_ROWS`]).
    pub rows: Vec<Vec<String>>,
    /// Number of fields in a data row.
    pub column_count: usize,
    /// What tells tables of the same layout: the header's names (lower case) and the
    /// number of columns. The page remembers a mapping under this key.
    pub shape: String,
}

/// Rows shown in [`ColumnsFound::rows`].
pub const COLUMNS_FOUND_ROWS: usize = 5;

impl ImportError {
    fn new(file: &str, line: Option<usize>, column: Option<usize>, message: String) -> Self {
        ImportError {
            file: file.to_string(),
            line,
            column,
            message,
            kind: ImportErrorKind::Invalid,
            columns_found: None,
        }
    }

    /// Whether a [`ColumnMapping`] would let the file be read.
    pub fn columns_not_recognised(&self) -> bool {
        self.kind == ImportErrorKind::ColumnsNotRecognised
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(column) = self.column {
            write!(f, ", column {column}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ImportError {}

// ---------------------------------------------------------------------------
// Internal types

#[derive(Debug, Clone, Copy)]
struct Point {
    f: f64,
    z: Complex64,
    line: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Delim {
    Comma,
    Semicolon,
    Tab,
    Whitespace,
}

impl Delim {
    /// Whether numbers may use a decimal comma with this delimiter.
    fn decimal_comma(self) -> bool {
        !matches!(self, Delim::Comma)
    }

    fn name(self) -> &'static str {
        match self {
            Delim::Comma => ",",
            Delim::Semicolon => ";",
            Delim::Tab => "tab",
            Delim::Whitespace => "spaces",
        }
    }
}

/// The first field of a row that holds another table delimiter (`;` or a tab inside a
/// comma row, ...) and that delimiter: a row written with a different separator.
fn foreign_delimiter(fields: &[&str], delim: Delim) -> Option<(usize, &'static str)> {
    let others: &[(char, &str)] = match delim {
        Delim::Comma => &[(';', ";"), ('\t', "tab")],
        Delim::Semicolon => &[('\t', "tab")],
        Delim::Tab => &[(';', ";")],
        Delim::Whitespace => &[(';', ";")],
    };
    fields.iter().enumerate().find_map(|(col, field)| {
        others
            .iter()
            .find(|(c, _)| field.contains(*c))
            .map(|&(_, name)| (col, name))
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Freq,
    Real,
    Imag { negated: bool },
    Modulus,
    Phase { negated: bool, radians: bool },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    RealImag { negated: bool },
    ModPhase { negated: bool, radians: bool },
    Headerless,
}

/// Which fields of a data row hold what.
#[derive(Debug, Clone, Copy)]
struct Layout {
    ncols: usize,
    freq: usize,
    /// Z' or |Z| (0-based field index)
    a: usize,
    /// Z'' or phase (0-based field index)
    b: usize,
    kind: Kind,
}

enum NumError {
    NotNumber,
    NonFinite,
}

// ---------------------------------------------------------------------------
// Text helpers

/// Splits on LF, CRLF and lone CR.
struct Lines<'a> {
    rest: Option<&'a str>,
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        match rest.bytes().position(|b| b == b'\r' || b == b'\n') {
            None => {
                self.rest = None;
                Some(rest)
            }
            Some(i) => {
                let (line, tail) = rest.split_at_checked(i).unwrap_or((rest, ""));
                let tail = tail
                    .strip_prefix("\r\n")
                    .or_else(|| tail.strip_prefix('\r'))
                    .or_else(|| tail.strip_prefix('\n'))
                    .unwrap_or("");
                self.rest = Some(tail);
                Some(line)
            }
        }
    }
}

/// Quotes user text for a message, cut to [`QUOTE_CHARS`] characters.
fn quote(text: &str) -> String {
    let mut out = String::from("\"");
    let mut chars = text.chars();
    out.extend(chars.by_ref().take(QUOTE_CHARS));
    if chars.next().is_some() {
        out.push('…');
    }
    out.push('"');
    out
}

fn strip_quotes(s: &str) -> &str {
    trim(s.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(s))
}

/// `str::trim`, with ASCII spaces taken off first: the Unicode-aware trim is needed
/// only when what is left starts or ends with something other than a printable ASCII
/// character (a vertical tab, a no-break space).
fn trim(s: &str) -> &str {
    let ascii_trimmed = s.trim_ascii();
    match (ascii_trimmed.as_bytes().first(), ascii_trimmed.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => ascii_trimmed,
        _ => ascii_trimmed.trim(),
    }
}

fn parse_number(field: &str, decimal_comma: bool) -> Result<f64, NumError> {
    let field = trim(field);
    // A quoted field may hold a decimal comma even in a comma-separated row.
    let decimal_comma = decimal_comma || (field.len() > 1 && field.starts_with('"') && field.ends_with('"'));
    let s = strip_quotes(field);
    if s.is_empty() {
        return Err(NumError::NotNumber);
    }
    let value = if decimal_comma && s.contains(',') {
        // One decimal comma, and no point with it (that would be a thousands separator).
        if s.contains('.') || s.matches(',').count() > 1 {
            return Err(NumError::NotNumber);
        }
        s.replace(',', ".").parse::<f64>()
    } else {
        s.parse::<f64>()
    };
    match value {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(NumError::NonFinite),
        Err(_) => Err(NumError::NotNumber),
    }
}

fn is_numeric_token(field: &str, decimal_comma: bool) -> bool {
    // Non-finite values still count as numbers here, so that a data row with
    // "nan" is reported as a bad value rather than taken for a header line.
    !matches!(parse_number(field, decimal_comma), Err(NumError::NotNumber))
}

fn split_fields<'a>(line: &'a str, delim: Delim, out: &mut Vec<&'a str>) {
    out.clear();
    match delim {
        Delim::Comma if line.contains('"') => split_comma_quoted(line, out),
        Delim::Comma => split_at_byte(line, b',', out),
        Delim::Semicolon => split_at_byte(line, b';', out),
        Delim::Tab => split_at_byte(line, b'\t', out),
        Delim::Whitespace => out.extend(line.split_whitespace()),
    }
    // A single trailing delimiter is tolerated on every line alike.
    if out.len() > 1 && out.last().is_some_and(|s| s.is_empty()) {
        out.pop();
    }
}

/// The trimmed fields of `line` between the ASCII `delimiter`s (a byte search: the
/// `char` pattern of `str::split` cost more than the numbers' parsing).
fn split_at_byte<'a>(line: &'a str, delimiter: u8, out: &mut Vec<&'a str>) {
    let mut start = 0;
    for (i, &byte) in line.as_bytes().iter().enumerate() {
        if byte == delimiter {
            out.push(trim(line.get(start..i).unwrap_or_default()));
            start = i + 1;
        }
    }
    out.push(trim(line.get(start..).unwrap_or_default()));
}

/// The trimmed fields of a comma-separated `line` whose fields may be quoted
/// (`"1,5","2,3"`): commas inside quotes do not split.
fn split_comma_quoted<'a>(line: &'a str, out: &mut Vec<&'a str>) {
    let mut start = 0;
    let mut quoted = false;
    for (i, &byte) in line.as_bytes().iter().enumerate() {
        match byte {
            b'"' => quoted = !quoted,
            b',' if !quoted => {
                out.push(trim(line.get(start..i).unwrap_or_default()));
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(trim(line.get(start..).unwrap_or_default()));
}

/// If `line` is a row of numbers, returns the delimiter it uses.
fn detect_data_line<'a>(line: &'a str, buf: &mut Vec<&'a str>) -> Option<Delim> {
    let delim = if line.contains(';') {
        Delim::Semicolon
    } else if line.contains('\t') {
        Delim::Tab
    } else if line.contains(',') && all_numeric(line, Delim::Comma, buf) {
        Delim::Comma
    } else {
        Delim::Whitespace
    };
    all_numeric(line, delim, buf).then_some(delim)
}

fn all_numeric<'a>(line: &'a str, delim: Delim, buf: &mut Vec<&'a str>) -> bool {
    split_fields(line, delim, buf);
    buf.len() >= 2 && buf.iter().all(|f| is_numeric_token(f, delim.decimal_comma()))
}

/// The delimiter a line most likely uses, numeric or not.
fn likely_delimiter(line: &str) -> Delim {
    if line.contains(';') {
        Delim::Semicolon
    } else if line.contains('\t') {
        Delim::Tab
    } else if line.contains(',') {
        Delim::Comma
    } else {
        Delim::Whitespace
    }
}

/// Whether a header line names a frequency column.
fn names_frequency(header: &str) -> bool {
    split_header(header, likely_delimiter(header), 0)
        .iter()
        .any(|name| classify_header_field(name) == Some(Role::Freq))
}

/// A row whose first field is a number but another is not: the error for its first bad field.
fn malformed_data_row<'a>(line: &'a str, line_no: usize, file: &str, buf: &mut Vec<&'a str>) -> Option<ImportError> {
    let delim = likely_delimiter(line);
    split_fields(line, delim, buf);
    let decimal_comma = delim.decimal_comma();
    if buf.len() < 2 || !buf.first().is_some_and(|f| is_numeric_token(f, decimal_comma)) {
        return None;
    }
    let (col, text) = buf
        .iter()
        .enumerate()
        .find(|(_, f)| !is_numeric_token(f, decimal_comma))?;
    Some(not_a_number(file, line_no, col, text))
}

fn is_comment(line: &str) -> bool {
    line.starts_with(['#', ';', '!'])
}

// ---------------------------------------------------------------------------
// Header recognition

/// Splits a header line into column names. With space-separated headers, a
/// unit in brackets or after a slash ("Z' (Ohm)", "f / Hz") stays with its name.
fn split_header(text: &str, delim: Delim, ncols: usize) -> Vec<String> {
    let mut names: Vec<String> = match delim {
        Delim::Comma => text.split(',').map(|s| s.trim().to_string()).collect(),
        Delim::Semicolon => text.split(';').map(|s| s.trim().to_string()).collect(),
        Delim::Tab => text.split('\t').map(|s| s.trim().to_string()).collect(),
        Delim::Whitespace => split_header_whitespace(text),
    };
    if names.len() > 1 && names.last().is_some_and(|s| s.is_empty()) {
        names.pop();
    }
    if names.len() == 1 && ncols > 1 && delim != Delim::Whitespace {
        names = split_header_whitespace(text);
    }
    names
}

fn split_header_whitespace(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for token in text.split_whitespace() {
        let attaches = token.starts_with(['(', '[', '{', '/']);
        match names.last_mut() {
            Some(prev) if attaches || prev.ends_with('/') => {
                prev.push(' ');
                prev.push_str(token);
            }
            _ => names.push(token.to_string()),
        }
    }
    names
}

/// Normalises a column name: lower case, units in brackets or after '/' dropped
/// ("(z)" kept as "z" for Re(Z), Im(Z), Mod(Z)), spaces, underscores and other
/// punctuation dropped except a leading minus, quotes and '|'. A double quote
/// counts as two single quotes. Returns the key and whether a unit said radians.
fn header_key(raw: &str) -> (String, bool) {
    let trimmed = raw.trim();
    let unquoted;
    let text = match trimmed.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) => {
            unquoted = inner.replace("\"\"", "\"");
            unquoted.as_str()
        }
        None => trimmed,
    };
    let mut key = String::new();
    let mut radians = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '(' | '[' | '{' => {
                let close = match c {
                    '(' => ')',
                    '[' => ']',
                    _ => '}',
                };
                let inner: String = chars.by_ref().take_while(|&d| d != close).collect();
                let inner = inner.trim().to_lowercase();
                if inner == "z" {
                    key.push('z');
                } else if inner.contains("rad") {
                    radians = true;
                }
            }
            '/' => {
                let unit: String = chars.by_ref().collect();
                if unit.to_lowercase().contains("rad") {
                    radians = true;
                }
            }
            '\'' | '′' | '’' | '‘' | '´' | '`' => key.push('\''),
            '"' | '″' | '“' | '”' => key.push_str("''"),
            // Only a leading minus means "negated"; others are dropped below.
            '-' | '−' | '–' if key.is_empty() => key.push('-'),
            '|' => key.push('|'),
            c if c.is_alphanumeric() => key.extend(c.to_lowercase()),
            _ => {}
        }
    }
    // Any run of two or more quotes means Z''.
    let mut collapsed = String::with_capacity(key.len());
    let mut quotes = 0usize;
    for c in key.chars().chain(std::iter::once('\0')) {
        if c == '\'' {
            quotes += 1;
            continue;
        }
        match quotes {
            0 => {}
            1 => collapsed.push('\''),
            _ => collapsed.push_str("''"),
        }
        quotes = 0;
        if c != '\0' {
            collapsed.push(c);
        }
    }
    (collapsed, radians)
}

const FREQ_NAMES: &[&str] = &["f", "freq", "frequency", "frequenz", "fhz"];
const REAL_NAMES: &[&str] = &["z'", "zre", "zreal", "rez", "real", "re", "zr", "realz"];
const IMAG_NAMES: &[&str] = &[
    "z''",
    "zim",
    "zimg",
    "zimag",
    "imz",
    "imag",
    "im",
    "zi",
    "imagz",
    "zimaginary",
    "imaginary",
];
const MODULUS_NAMES: &[&str] = &[
    "|z|",
    "zmod",
    "modz",
    "mod",
    "zabs",
    "absz",
    "zmag",
    "magz",
    "magnitude",
    "modulus",
    "z",
];
const PHASE_NAMES: &[&str] = &[
    "phase", "phi", "theta", "zphz", "zphase", "phasez", "phz", "arg", "argz", "φ", "ϕ", "θ",
];
const UNIT_SUFFIXES: &[&str] = &["ohms", "ohm", "ω", "hz", "degrees", "degree", "deg", "rad"];

fn role_of_key(base: &str, negated: bool, radians: bool) -> Option<Role> {
    if IMAG_NAMES.contains(&base) {
        return Some(Role::Imag { negated });
    }
    if PHASE_NAMES.contains(&base) {
        return Some(Role::Phase { negated, radians });
    }
    if negated {
        return None;
    }
    if FREQ_NAMES.contains(&base) {
        Some(Role::Freq)
    } else if REAL_NAMES.contains(&base) {
        Some(Role::Real)
    } else if MODULUS_NAMES.contains(&base) {
        Some(Role::Modulus)
    } else {
        None
    }
}

/// What a header field names, if it is a column we know.
fn classify_header_field(raw: &str) -> Option<Role> {
    let (key, radians) = header_key(raw);
    let (negated, base) = match key.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, key.as_str()),
    };
    if let Some(role) = role_of_key(base, negated, radians) {
        return Some(role);
    }
    for suffix in UNIT_SUFFIXES {
        if let Some(stem) = base.strip_suffix(suffix)
            && !stem.is_empty()
        {
            let radians = radians || *suffix == "rad";
            return role_of_key(stem, negated, radians);
        }
    }
    None
}

fn headerless_layout(
    ncols: usize,
    data_line: usize,
    file: &str,
    warnings: &mut Vec<String>,
) -> Result<Layout, ImportError> {
    if ncols < 3 {
        return Err(ImportError::new(
            file,
            Some(data_line),
            None,
            format!("found {ncols} columns and no header; expected 3 columns: frequency, Z', Z''"),
        ));
    }
    if ncols > 3 {
        warnings.push(format!(
            "no header and {ncols} columns: the first three were read as frequency, Z', Z'' and the rest ignored"
        ));
    }
    Ok(Layout {
        ncols,
        freq: 0,
        a: 1,
        b: 2,
        kind: Kind::Headerless,
    })
}

/// Marks an error as one a [`ColumnMapping`] would solve.
fn unrecognised(mut error: ImportError) -> ImportError {
    error.kind = ImportErrorKind::ColumnsNotRecognised;
    error
}

fn resolve_layout(
    header: Option<(usize, &str)>,
    delim: Delim,
    ncols: usize,
    data_line: usize,
    file: &str,
    warnings: &mut Vec<String>,
) -> Result<Layout, ImportError> {
    let Some((hline, htext)) = header else {
        return headerless_layout(ncols, data_line, file, warnings);
    };
    let names = split_header(htext, delim, ncols);
    let mut freq = None;
    let mut real = None;
    let mut imag = None;
    let mut modulus = None;
    let mut phase = None;
    for (i, name) in names.iter().enumerate() {
        match classify_header_field(name) {
            Some(Role::Freq) if freq.is_none() => freq = Some(i),
            Some(Role::Real) if real.is_none() => real = Some(i),
            Some(Role::Imag { negated }) if imag.is_none() => imag = Some((i, negated)),
            Some(Role::Modulus) if modulus.is_none() => modulus = Some(i),
            Some(Role::Phase { negated, radians }) if phase.is_none() => phase = Some((i, negated, radians)),
            _ => {}
        }
    }
    let layout = match (freq, real, imag, modulus, phase) {
        (Some(f), Some(re), Some((im, negated)), _, _) => Layout {
            ncols,
            freq: f,
            a: re,
            b: im,
            kind: Kind::RealImag { negated },
        },
        (Some(f), _, _, Some(m), Some((p, negated, radians))) => Layout {
            ncols,
            freq: f,
            a: m,
            b: p,
            kind: Kind::ModPhase { negated, radians },
        },
        (Some(_), ..) => {
            return Err(unrecognised(ImportError::new(
                file,
                Some(hline),
                None,
                format!(
                    "header {} has a frequency column but no Z' and Z'' columns (nor |Z| and phase); expected names like Z', Z'', -Z'', Zreal, Zimag, |Z|, Phase",
                    quote(htext)
                ),
            )));
        }
        (None, None, None, None, None) => {
            if ncols == 3 {
                warnings.push(format!(
                    "header on line {hline} ({}) was not recognised; the 3 columns were read as frequency, Z', Z''",
                    quote(htext)
                ));
                return headerless_layout(ncols, data_line, file, warnings);
            }
            return Err(unrecognised(ImportError::new(
                file,
                Some(hline),
                None,
                format!(
                    "header {} was not recognised and the data has {ncols} columns; expected a header naming frequency, Z' and Z'' (or |Z| and phase), or exactly 3 columns",
                    quote(htext)
                ),
            )));
        }
        (None, ..) => {
            return Err(unrecognised(ImportError::new(
                file,
                Some(hline),
                None,
                format!(
                    "header {} has no frequency column; expected a column named like Freq, Frequency (Hz) or f",
                    quote(htext)
                ),
            )));
        }
    };
    let what_b = match layout.kind {
        Kind::ModPhase { .. } => "phase",
        _ => "Z''",
    };
    let what_a = match layout.kind {
        Kind::ModPhase { .. } => "|Z|",
        _ => "Z'",
    };
    for (idx, what) in [(layout.freq, "frequency"), (layout.a, what_a), (layout.b, what_b)] {
        if idx >= ncols {
            return Err(ImportError::new(
                file,
                Some(hline),
                Some(idx + 1),
                format!(
                    "the header puts {what} in column {} but the data rows have only {ncols} fields",
                    idx + 1
                ),
            ));
        }
    }
    Ok(layout)
}

// ---------------------------------------------------------------------------
// Rows

fn field_value(fields: &[&str], col: usize, decimal_comma: bool, line: usize, file: &str) -> Result<f64, ImportError> {
    let text = fields.get(col).copied().unwrap_or("");
    match parse_number(text, decimal_comma) {
        Ok(v) => Ok(v),
        Err(NumError::NonFinite) => Err(ImportError::new(
            file,
            Some(line),
            Some(col + 1),
            format!("expected a finite number, found {}", quote(text)),
        )),
        Err(NumError::NotNumber) => Err(not_a_number(file, line, col, text)),
    }
}

fn not_a_number(file: &str, line: usize, col: usize, text: &str) -> ImportError {
    let message = if text.is_empty() {
        "expected a number, found an empty field".to_string()
    } else {
        format!("expected a number, found {}", quote(text))
    };
    ImportError::new(file, Some(line), Some(col + 1), message)
}

fn parse_row(
    fields: &[&str],
    layout: &Layout,
    delim: Delim,
    line: usize,
    first_data_line: usize,
    file: &str,
) -> Result<Point, ImportError> {
    let dc = delim.decimal_comma();
    if fields.len() != layout.ncols {
        if let Some((col, other)) = foreign_delimiter(fields, delim) {
            return Err(ImportError::new(
                file,
                Some(line),
                Some(col + 1),
                format!(
                    "this row is separated by {other:?}, but the rows from line {first_data_line} by {:?}; expected one delimiter throughout",
                    delim.name()
                ),
            ));
        }
        // A line of text among the data is reported at its first non-number.
        if let Some((col, text)) = fields.iter().enumerate().find(|(_, f)| !is_numeric_token(f, dc)) {
            return Err(not_a_number(file, line, col, text));
        }
        return Err(ImportError::new(
            file,
            Some(line),
            Some(fields.len().min(layout.ncols) + 1),
            format!(
                "expected {} fields like the first data row (line {first_data_line}), found {}",
                layout.ncols,
                fields.len()
            ),
        ));
    }
    // Check the used fields left to right so the first problem is reported.
    let mut order = [(layout.freq, 0usize), (layout.a, 1), (layout.b, 2)];
    order.sort_unstable();
    let mut vals = [0.0f64; 3];
    for (col, slot) in order {
        let v = field_value(fields, col, dc, line, file)?;
        if let Some(s) = vals.get_mut(slot) {
            *s = v;
        }
    }
    let [f, a, b] = vals;
    let what_a = match layout.kind {
        Kind::ModPhase { .. } => "|Z|",
        _ => "Z'",
    };
    let what_b = match layout.kind {
        Kind::ModPhase { .. } => "phase",
        _ => "Z''",
    };
    let mut checks = [
        (layout.freq, f, "frequency"),
        (layout.a, a, what_a),
        (layout.b, b, what_b),
    ];
    checks.sort_unstable_by_key(|&(col, ..)| col);
    for (col, v, what) in checks {
        check_magnitude(v, what, line, col, file)?;
    }
    if f <= 0.0 {
        return Err(ImportError::new(
            file,
            Some(line),
            Some(layout.freq + 1),
            format!("frequency must be > 0, found {f}"),
        ));
    }
    let z = match layout.kind {
        Kind::RealImag { negated } => Complex64::new(a, if negated { -b } else { b }),
        Kind::Headerless => Complex64::new(a, b),
        Kind::ModPhase { negated, radians } => {
            if a < 0.0 {
                return Err(ImportError::new(
                    file,
                    Some(line),
                    Some(layout.a + 1),
                    format!("|Z| must be >= 0, found {a}"),
                ));
            }
            let phi = if radians { b } else { b.to_radians() };
            Complex64::from_polar(a, if negated { -phi } else { phi })
        }
    };
    if z.re == 0.0 && z.im == 0.0 {
        return Err(ImportError::new(
            file,
            Some(line),
            None,
            format!(
                "the impedance is zero ({what_a} = {a}, {what_b} = {b}); the fit weights each point by 1/|Z|, which is undefined at |Z| = 0; remove the point or check the export"
            ),
        ));
    }
    Ok(Point { f, z, line })
}

/// Refuses a number whose magnitude is outside [`MIN_ABS_VALUE`]..=[`MAX_ABS_VALUE`] (zero is fine).
fn check_magnitude(v: f64, what: &str, line: usize, col: usize, file: &str) -> Result<(), ImportError> {
    let size = v.abs();
    let message = if size > MAX_ABS_VALUE {
        format!(
            "{what} {v:e} is too large: values above {MAX_ABS_VALUE:e} in magnitude overflow the fit, which squares and multiplies them"
        )
    } else if size != 0.0 && size < MIN_ABS_VALUE {
        format!(
            "{what} {v:e} is too small: nonzero values below {MIN_ABS_VALUE:e} in magnitude underflow to zero in the fit's products; write 0 if it is zero"
        )
    } else {
        return Ok(());
    };
    Err(ImportError::new(file, Some(line), Some(col + 1), message))
}

/// Refuses a spectrum with fewer than [`MIN_POINTS`] distinct frequencies
/// (points sorted by frequency). The error names the line of the first
/// repeated frequency, in file order.
fn check_distinct_frequencies(points: &[Point], file: &str) -> Result<(), ImportError> {
    let distinct = points.chunk_by(|p, q| p.f == q.f).count();
    if distinct >= MIN_POINTS {
        return Ok(());
    }
    let first_repeat = points
        .chunk_by(|p, q| p.f == q.f)
        .filter_map(|group| group.iter().map(|p| p.line).skip(1).min())
        .min();
    let how_many = if distinct == 1 {
        "only 1 distinct frequency".to_string()
    } else {
        format!("only {distinct} distinct frequencies")
    };
    Err(ImportError::new(
        file,
        first_repeat,
        None,
        format!(
            "found {} data points but {how_many}; a spectrum needs at least {MIN_POINTS} distinct frequencies",
            points.len()
        ),
    ))
}

// ---------------------------------------------------------------------------
// Sign by shape, sorting, duplicates

/// How unphysical `y` (taken as Im Z, sorted by ascending frequency, times
/// `sign`) looks: a positive maximum below the top frequency means a positive
/// arc with an apex (so the column was -Z''); a negative value whose size grows
/// over the last three points toward the top frequency cannot come from a
/// passive RC network. 0 means nothing suspicious.
fn shape_score(y: &[f64], sign: f64) -> f64 {
    let max_abs = y.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if !(max_abs > 0.0 && max_abs.is_finite()) {
        return 0.0;
    }
    let mut score = 0.0;
    let mut best: Option<(usize, f64)> = None;
    for (i, &v) in y.iter().enumerate() {
        let v = sign * v;
        if v > 0.0 && best.is_none_or(|(_, b)| v >= b) {
            best = Some((i, v));
        }
    }
    if let Some((i, max_pos)) = best
        && i + 1 != y.len()
    {
        score += max_pos / max_abs;
    }
    if let [.., y3, y2, y1] = y {
        let (y3, y2, y1) = (sign * y3, sign * y2, sign * y1);
        if y1 < 0.0 && y3.abs() < y2.abs() && y2.abs() < y1.abs() {
            score += y1.abs() / max_abs;
        }
    }
    score
}

/// Column values whose size is below this fraction of the largest count as
/// nearly real: they say nothing about the sign convention.
const SIGN_EVIDENCE_FLOOR: f64 = 0.05;

/// Whether `y` (a column sorted by ascending frequency), times `sign`, is a
/// believable Im Z for a pellet. First an inductive tail is set aside: the run
/// of top-frequency points with Im Z > 0 that grows toward the top frequency
/// (cable inductance, i w L). Over the points left, those with a sizeable
/// Im Z must be mostly capacitive (Im Z < 0), weighted by size. A spectrum
/// that is all inductive tail, or nearly real, is believable either way. A
/// capacitive arc read with the wrong sign fails: it is a positive arc whose
/// apex is below the top frequency, so it is not taken for a tail.
fn plausible_im_z(y: &[f64], sign: f64) -> bool {
    let scale = y.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if !(scale > 0.0 && scale.is_finite()) {
        return true;
    }
    let mut body = y;
    let mut above = f64::INFINITY;
    while let [rest @ .., last] = body {
        let v = sign * last;
        if v > 0.0 && v <= above {
            above = v;
            body = rest;
        } else {
            break;
        }
    }
    let floor = SIGN_EVIDENCE_FLOOR * scale;
    let (mut capacitive, mut inductive) = (0.0f64, 0.0f64);
    for &v in body {
        let v = sign * v;
        if v < -floor {
            capacitive -= v;
        } else if v > floor {
            inductive += v;
        }
    }
    capacitive >= inductive
}

/// Whether the header's reading (`sign` times the column) contradicts the data:
/// it is not believable while the opposite reading is.
fn contradicts(y: &[f64], sign: f64) -> bool {
    !plausible_im_z(y, sign) && plausible_im_z(y, -sign)
}

fn sort_points(points: &mut [Point]) {
    points.sort_by(|p, q| p.f.total_cmp(&q.f));
}

fn join_numbers(nums: &[usize]) -> String {
    match nums {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => {
            let head: Vec<String> = init.iter().map(|n| n.to_string()).collect();
            format!("{} and {last}", head.join(", "))
        }
    }
}

fn duplicate_warnings(points: &[Point], unit: &str, warnings: &mut Vec<String>) {
    let mut count = 0usize;
    for group in points.chunk_by(|p, q| p.f == q.f) {
        if group.len() < 2 {
            continue;
        }
        count += 1;
        if count <= MAX_DUPLICATE_WARNINGS {
            let lines: Vec<usize> = group.iter().map(|p| p.line).collect();
            let f = group.first().map_or(f64::NAN, |p| p.f);
            warnings.push(format!("frequency {f} Hz appears on {unit} {}", join_numbers(&lines)));
        }
    }
    if count > MAX_DUPLICATE_WARNINGS {
        warnings.push(format!(
            "{} more frequencies appear more than once",
            count - MAX_DUPLICATE_WARNINGS
        ));
    }
}

fn build(
    name: &str,
    points: Vec<Point>,
    imag_convention: ImagConvention,
    warnings: Vec<String>,
    format: String,
) -> Spectrum {
    let mut freq_hz = Vec::with_capacity(points.len());
    let mut z = Vec::with_capacity(points.len());
    let mut source_line = Vec::with_capacity(points.len());
    for p in points {
        freq_hz.push(p.f);
        z.push(p.z);
        source_line.push(p.line);
    }
    Spectrum {
        name: name.to_string(),
        freq_hz,
        z,
        source_line,
        imag_convention,
        warnings,
        format,
    }
}

/// The Z'' column's name as written in the header (or a description without one).
fn imag_column_name(header: Option<(usize, &str)>, delim: Delim, layout: &Layout) -> String {
    header
        .and_then(|(_, text)| split_header(text, delim, layout.ncols).into_iter().nth(layout.b))
        .unwrap_or_else(|| format!("column {}", layout.b + 1))
}

fn too_few_points(file: &str, n: usize) -> ImportError {
    ImportError::new(
        file,
        None,
        None,
        format!(
            "found {n} data point{}; a spectrum needs at least {MIN_POINTS}",
            if n == 1 { "" } else { "s" }
        ),
    )
}

// ---------------------------------------------------------------------------
// Entry point

/// What a file that was not recognised as an instrument format is read as.
const DELIMITED_TEXT: &str = "delimited text";

/// Parses a spectrum file's text: an instrument format recognised by its content, else a
/// delimited table. Errors name the file, line and column, and the format tried.
pub fn parse_spectrum(text: &str, file_name: &str) -> Result<Spectrum, ImportError> {
    parse_spectrum_with(text, file_name, None)
}

/// As [`parse_spectrum`], with the columns of a delimited table given by `columns`
/// instead of recognised from its header. Instrument formats, whose columns are known,
/// do not use it (a warning says so).
pub fn parse_spectrum_with(
    text: &str,
    file_name: &str,
    columns: Option<&ColumnMapping>,
) -> Result<Spectrum, ImportError> {
    sniff::refuse_non_table(text, file_name).map_err(|mut error| {
        if let Some(format) = instrument_format(file_name) {
            error.message.push_str(&format!(
                " (the name says {format}: export the spectrum from the instrument's software as text or CSV)"
            ));
        }
        error
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = (Lines { rest: Some(text) }).collect();
    if let Some(table) = instrument::recognise(&lines, file_name) {
        let mut spectrum = read_instrument_table(&lines, &table?, file_name)?;
        if let Some(mapping) = columns {
            spectrum.warnings.push(format!(
                "the column mapping {mapping} was not used: the file was read as {}, whose columns are known",
                spectrum.format
            ));
        }
        return Ok(spectrum);
    }
    parse_plain_text(&lines, file_name, columns).map_err(|mut error| {
        if let Some(format) = instrument_format(file_name) {
            error.message.push_str(&format!(
                " (the name says {format}, but the content is not that instrument's file as sigmafit knows it, so it was read as delimited text: export the spectrum as CSV with frequency, Z' and Z'' columns)"
            ));
        }
        error
    })
}

/// The instrument an extension stands for (for the hint when such a file fails).
fn instrument_format(file_name: &str) -> Option<&'static str> {
    let extension = file_name.rsplit_once('.')?.1.to_ascii_lowercase();
    match extension.as_str() {
        "dta" => Some("Gamry .DTA"),
        "z" => Some("ZPlot .z"),
        "mpt" => Some("BioLogic EC-Lab .mpt"),
        "mpr" => Some("BioLogic EC-Lab .mpr (binary; export it as .mpt text)"),
        "par" => Some("VersaStudio .par"),
        "idf" | "ids" => Some("PalmSens .idf"),
        "dfr" => Some("Zahner .dfr"),
        _ => None,
    }
}

/// Refuses the point after [`MAX_POINTS`].
fn check_point_cap(points: &[Point], line: usize, file: &str) -> Result<(), ImportError> {
    if points.len() < MAX_POINTS {
        return Ok(());
    }
    Err(ImportError::new(
        file,
        Some(line),
        None,
        format!(
            "more than {MAX_POINTS} points; at most {MAX_POINTS} are read (a spectrum needs a few hundred: keep every n-th row)"
        ),
    ))
}

/// Reads an instrument file's impedance table, whose header line and extent
/// [`instrument::recognise`] found. The sign of Z'' is what the format's column name
/// says: an instrument's export is not second-guessed by the spectrum's shape.
fn read_instrument_table(lines: &[&str], table: &instrument::Table, file: &str) -> Result<Spectrum, ImportError> {
    let format = table.format;
    let in_format = |mut error: ImportError| {
        error.message = format!("read as {format}: {}", error.message);
        error.kind = ImportErrorKind::Invalid;
        error
    };
    let mut warnings = Vec::new();
    let mut state: Option<(Delim, Layout)> = None;
    let mut first_data_line = 0usize;
    let mut points: Vec<Point> = Vec::new();
    let mut fields: Vec<&str> = Vec::new();
    let mut dc_lines: Vec<usize> = Vec::new();
    let rows = table.first + table.skip_after_header;
    for (index, raw) in lines.iter().enumerate().take(table.end).skip(rows) {
        let line_no = index + 1;
        let line = trim(raw);
        if line.is_empty() {
            continue;
        }
        let (delim, layout) = match state {
            Some(s) => s,
            None => {
                let delim = table.delim.unwrap_or_else(|| likely_delimiter(line));
                split_fields(line, delim, &mut fields);
                let header = Some((table.header_line, table.header));
                let layout =
                    resolve_layout(header, delim, fields.len(), line_no, file, &mut warnings).map_err(in_format)?;
                first_data_line = line_no;
                state = Some((delim, layout));
                (delim, layout)
            }
        };
        split_fields(line, delim, &mut fields);
        if table.leading_dc_rows && points.is_empty() {
            let frequency = fields.get(layout.freq).map(|f| parse_number(f, delim.decimal_comma()));
            if matches!(frequency, Some(Ok(f)) if f == 0.0) {
                dc_lines.push(line_no);
                continue;
            }
        }
        check_point_cap(&points, line_no, file).map_err(in_format)?;
        points.push(parse_row(&fields, &layout, delim, line_no, first_data_line, file).map_err(in_format)?);
    }
    let Some((_, layout)) = state else {
        return Err(in_format(ImportError::new(
            file,
            Some(table.header_line),
            None,
            format!(
                "no data rows below the column names on line {}; expected rows of numbers",
                table.header_line
            ),
        )));
    };
    if let (Some(first), Some(last)) = (dc_lines.first(), dc_lines.last()) {
        warnings.push(format!(
            "{} rows at frequency 0 (lines {first} to {last}) were skipped: they are the {format} file's DC measurement, not impedance points",
            dc_lines.len()
        ));
    }
    if points.len() < MIN_POINTS {
        return Err(in_format(too_few_points(file, points.len())));
    }
    sort_points(&mut points);
    check_distinct_frequencies(&points, file).map_err(in_format)?;
    let convention = match layout.kind {
        Kind::RealImag { negated: true } => ImagConvention::NegatedFromHeader,
        Kind::RealImag { negated: false } => ImagConvention::SignedFromHeader,
        Kind::ModPhase { .. } => ImagConvention::FromModulusPhase,
        Kind::Headerless => ImagConvention::SignedByShape,
    };
    duplicate_warnings(&points, "lines", &mut warnings);
    Ok(build(file, points, convention, warnings, format.to_string()))
}

/// The layout a column mapping gives a row of `ncols` fields.
fn mapped_layout(mapped: &columns::MappedColumns, ncols: usize) -> Layout {
    Layout {
        ncols,
        freq: mapped.freq,
        a: mapped.a,
        b: mapped.b,
        kind: if mapped.modulus_phase {
            Kind::ModPhase {
                negated: mapped.negated,
                radians: false,
            }
        } else {
            Kind::RealImag {
                negated: mapped.negated,
            }
        },
    }
}

/// Whether `line` holds numbers in the columns `layout` reads (other fields may be text).
fn used_fields_numeric(fields: &[&str], layout: &Layout, delim: Delim) -> bool {
    [layout.freq, layout.a, layout.b].iter().all(|&col| {
        fields
            .get(col)
            .is_some_and(|f| is_numeric_token(f, delim.decimal_comma()))
    })
}

/// A row under a header that names its columns, whose used columns are numbers while
/// others are text (`1000,10,-1,good`): data, with the text ignored.
fn data_row_under_header<'a>(
    header: Option<(usize, &str)>,
    line: &'a str,
    line_no: usize,
    file: &str,
    fields: &mut Vec<&'a str>,
) -> Option<(Delim, Layout)> {
    let (_, header_text) = header?;
    if !names_frequency(header_text) {
        return None;
    }
    let delim = likely_delimiter(line);
    split_fields(line, delim, fields);
    let layout = resolve_layout(header, delim, fields.len(), line_no, file, &mut Vec::new()).ok()?;
    (matches!(layout.kind, Kind::RealImag { .. } | Kind::ModPhase { .. })
        && used_fields_numeric(fields, &layout, delim))
    .then_some((delim, layout))
}

/// The table as found, for the column-mapping step: the header's names and the rows
/// from `data_index` (0-based) on.
fn columns_found(
    lines: &[&str],
    header: Option<(usize, &str)>,
    delim: Delim,
    ncols: usize,
    data_index: usize,
) -> ColumnsFound {
    let names = header
        .map(|(_, text)| split_header(text, delim, ncols))
        .unwrap_or_default();
    let mut rows = Vec::new();
    let mut fields = Vec::new();
    for raw in lines.iter().skip(data_index) {
        let line = trim(raw);
        if line.is_empty() || is_comment(line) {
            continue;
        }
        split_fields(line, delim, &mut fields);
        rows.push(fields.iter().map(|f| strip_quotes(f).to_string()).collect());
        if rows.len() == COLUMNS_FOUND_ROWS {
            break;
        }
    }
    let lower: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
    ColumnsFound {
        shape: format!("{} | {ncols} columns", lower.join(", ")),
        header: names,
        rows,
        column_count: ncols,
    }
}

/// The delimiter of `line` if it looks like a data row with a text column under
/// `header`: as many fields as the header names, at least three of them and most of
/// them numbers.
fn row_with_text_under<'a>(header: &str, line: &'a str, fields: &mut Vec<&'a str>) -> Option<Delim> {
    let delim = likely_delimiter(line);
    split_fields(line, delim, fields);
    let dc = delim.decimal_comma();
    let numbers = fields.iter().filter(|f| is_numeric_token(f, dc)).count();
    (numbers >= 3 && 2 * numbers > fields.len() && split_header(header, delim, fields.len()).len() == fields.len())
        .then_some(delim)
}

/// Where the delimited table's rows are and how to read them, found at its first row.
fn first_data_row<'a>(
    line: &'a str,
    line_no: usize,
    header: Option<(usize, &str)>,
    mapped: Option<&columns::MappedColumns>,
    file: &str,
    fields: &mut Vec<&'a str>,
    warnings: &mut Vec<String>,
) -> Result<Option<(Delim, Layout)>, ImportError> {
    if let Some(mapped) = mapped {
        let delim = detect_data_line(line, fields).unwrap_or_else(|| likely_delimiter(line));
        split_fields(line, delim, fields);
        let layout = mapped_layout(mapped, fields.len());
        let fits = [layout.freq, layout.a, layout.b].iter().all(|&c| c < fields.len());
        return Ok((fits && used_fields_numeric(fields, &layout, delim)).then_some((delim, layout)));
    }
    if let Some(delim) = detect_data_line(line, fields) {
        split_fields(line, delim, fields);
        let layout = resolve_layout(header, delim, fields.len(), line_no, file, warnings)?;
        return Ok(Some((delim, layout)));
    }
    Ok(data_row_under_header(header, line, line_no, file, fields))
}

fn parse_plain_text(lines: &[&str], file_name: &str, columns: Option<&ColumnMapping>) -> Result<Spectrum, ImportError> {
    if lines.iter().all(|l| trim(l).is_empty()) {
        return Err(ImportError::new(
            file_name,
            None,
            None,
            "the file is empty; expected rows of frequency, Z' and Z'' values".to_string(),
        ));
    }
    let mapped = match columns {
        Some(mapping) => Some(mapping.used_columns().map_err(|why| {
            ImportError::new(
                file_name,
                None,
                None,
                format!("the column mapping {mapping} cannot be used: {why}"),
            )
        })?),
        None => None,
    };
    let format = match columns {
        Some(mapping) => format!("{DELIMITED_TEXT}, columns {mapping}"),
        None => DELIMITED_TEXT.to_string(),
    };
    let mut header: Option<(usize, &str)> = None;
    let mut state: Option<(Delim, Layout)> = None;
    let mut first_data_line = 0usize;
    let mut points: Vec<Point> = Vec::new();
    let mut warnings: Vec<String> = Vec::new();
    let mut fields: Vec<&str> = Vec::new();
    let mut decimals = DecimalSeparators::default();

    for (idx, raw) in lines.iter().enumerate() {
        let line_no = idx + 1;
        let line = trim(raw);
        if line.is_empty() || is_comment(line) {
            continue;
        }
        let (delim, layout) = match state {
            Some(s) => s,
            None => {
                let found = first_data_row(
                    line,
                    line_no,
                    header,
                    mapped.as_ref(),
                    file_name,
                    &mut fields,
                    &mut warnings,
                )
                .map_err(|mut error| {
                    if error.columns_not_recognised() {
                        let delim = detect_data_line(line, &mut fields).unwrap_or_else(|| likely_delimiter(line));
                        split_fields(line, delim, &mut fields);
                        error.columns_found = Some(Box::new(columns_found(lines, header, delim, fields.len(), idx)));
                    }
                    error
                })?;
                match found {
                    None => {
                        // Under a header that names a frequency column, a row that starts
                        // with a number is data with a bad field, not another header.
                        if mapped.is_none()
                            && header.is_some_and(|(_, h)| names_frequency(h))
                            && let Some(error) = malformed_data_row(line, line_no, file_name, &mut fields)
                        {
                            return Err(error);
                        }
                        // Under a header that is not recognised, a row of as many fields,
                        // mostly numbers with some text, is the table's first row (with a
                        // text column): the user maps its columns.
                        if mapped.is_none()
                            && let Some((_, header_text)) = header
                            && let Some(delim) = row_with_text_under(header_text, line, &mut fields)
                        {
                            let ncols = fields.len();
                            let layout = resolve_layout(header, delim, ncols, line_no, file_name, &mut warnings)
                                .map_err(|mut error| {
                                    if error.columns_not_recognised() {
                                        error.columns_found =
                                            Some(Box::new(columns_found(lines, header, delim, ncols, idx)));
                                    }
                                    error
                                })?;
                            first_data_line = line_no;
                            state = Some((delim, layout));
                            (delim, layout)
                        } else {
                            header = Some((line_no, line));
                            continue;
                        }
                    }
                    Some((delim, layout)) => {
                        first_data_line = line_no;
                        state = Some((delim, layout));
                        (delim, layout)
                    }
                }
            }
        };
        split_fields(line, delim, &mut fields);
        check_point_cap(&points, line_no, file_name)?;
        let point = parse_row(&fields, &layout, delim, line_no, first_data_line, file_name)?;
        if delim.decimal_comma() {
            decimals.check(&fields, &layout, line_no, file_name)?;
        }
        points.push(point);
    }

    let Some((delim, layout)) = state else {
        let message = match columns {
            Some(mapping) => format!(
                "no data rows found with the column mapping {mapping}; expected rows with numbers in columns {}, {} and {}",
                mapped.map_or(0, |m| m.freq + 1),
                mapped.map_or(0, |m| m.a + 1),
                mapped.map_or(0, |m| m.b + 1)
            ),
            None => "no data rows found; expected rows of numbers: frequency, Z', Z''".to_string(),
        };
        return Err(ImportError::new(file_name, None, None, message));
    };
    if points.len() < MIN_POINTS {
        return Err(too_few_points(file_name, points.len()));
    }
    sort_points(&mut points);
    check_distinct_frequencies(&points, file_name)?;

    let y: Vec<f64> = points.iter().map(|p| p.z.im).collect();
    let convention = match (layout.kind, mapped.is_some()) {
        (Kind::RealImag { negated }, true) => {
            if negated {
                ImagConvention::NegatedFromMapping
            } else {
                ImagConvention::SignedFromMapping
            }
        }
        (Kind::Headerless, _) => {
            let keep = shape_score(&y, 1.0);
            let flip = shape_score(&y, -1.0);
            if flip < keep {
                for p in &mut points {
                    p.z.im = -p.z.im;
                }
                ImagConvention::NegatedByShape
            } else {
                if flip == keep {
                    warnings.push(
                        "the sign of the third column could not be told from its shape; it was read as signed Im Z"
                            .to_string(),
                    );
                }
                ImagConvention::SignedByShape
            }
        }
        (Kind::RealImag { negated }, false) => {
            // `y` holds the column already negated when the header said -Z''.
            let column = quote(&imag_column_name(header, delim, &layout));
            if negated && contradicts(&y, 1.0) {
                // The column as written is the believable Im Z: undo the negation.
                for p in &mut points {
                    p.z.im = -p.z.im;
                }
                warnings.push(format!(
                    "the column {column} names -Z'', but its values look like Z'' (signed Im Z): they are mostly negative over a capacitive arc, and negating them would make that arc inductive, which a pellet does not show; so they were read as signed Im Z without negating, trusting the data over the header; if the column really holds -Z'', check the export, otherwise rename it Z''"
                ));
                ImagConvention::SignedDespiteHeader
            } else if negated {
                ImagConvention::NegatedFromHeader
            } else {
                if contradicts(&y, 1.0) {
                    warnings.push(format!(
                        "the column {column} names signed Z'' (Im Z), but its values look like -Z'': they are mostly positive over what is shaped like a capacitive arc; they were kept as signed Im Z, as the header says, so that arc is read as inductive; if the column holds -Z'', name it -Z''"
                    ));
                }
                ImagConvention::SignedFromHeader
            }
        }
        (Kind::ModPhase { .. }, from_mapping) => {
            if !from_mapping && contradicts(&y, 1.0) {
                warnings.push(
                    "Im Z computed from |Z| and phase looks sign-flipped (a positive arc with an apex); it was kept as the header says; name the column -Phase if it holds -phase"
                        .to_string(),
                );
            }
            ImagConvention::FromModulusPhase
        }
    };
    duplicate_warnings(&points, "lines", &mut warnings);
    Ok(build(file_name, points, convention, warnings, format))
}

/// Where a decimal point and a decimal comma were first seen in the used fields of a
/// table whose delimiter allows both: a file that uses both is ambiguous ("1,234" may be
/// 1.234 or 1234), so it is refused rather than read either way.
#[derive(Default)]
struct DecimalSeparators {
    point_line: Option<usize>,
    comma_line: Option<usize>,
}

impl DecimalSeparators {
    fn check(&mut self, fields: &[&str], layout: &Layout, line: usize, file: &str) -> Result<(), ImportError> {
        let mut used = [layout.freq, layout.a, layout.b];
        used.sort_unstable();
        for col in used {
            let text = fields.get(col).copied().unwrap_or("");
            let (is_point, is_comma) = (text.contains('.'), text.contains(','));
            if is_point {
                self.point_line.get_or_insert(line);
            }
            if is_comma {
                self.comma_line.get_or_insert(line);
            }
            let conflict = match (is_point, is_comma) {
                (true, false) => self.comma_line.map(|l| (l, "a decimal comma", "a decimal point")),
                (false, true) => self.point_line.map(|l| (l, "a decimal point", "a decimal comma")),
                _ => None,
            };
            if let Some((other_line, other, this)) = conflict {
                return Err(ImportError::new(
                    file,
                    Some(line),
                    Some(col + 1),
                    format!(
                        "{} is written with {this}, but line {other_line} uses {other}: is \"1,234\" 1.234 or 1234? Write every number with the same decimal separator",
                        quote(text)
                    ),
                ));
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * (1.0 + a.abs().max(b.abs()))
    }

    fn logspace(lo: f64, hi: f64, n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| 10f64.powf(lo + (hi - lo) * i as f64 / (n - 1) as f64))
            .collect()
    }

    /// R0 + R1 || C
    fn rc_arc(f: &[f64]) -> Vec<Complex64> {
        f.iter()
            .map(|&f| {
                let w = 2.0 * PI * f;
                Complex64::new(10.0, 0.0) + Complex64::new(100.0, 0.0) / Complex64::new(1.0, w * 100.0 * 1e-4)
            })
            .collect()
    }

    /// R + i w L
    fn inductor(f: &[f64]) -> Vec<Complex64> {
        f.iter().map(|&f| Complex64::new(5.0, 2.0 * PI * f * 1e-6)).collect()
    }

    /// R0 + i w L + R1 || C: inductive tail at the top, arc below.
    fn tail_and_arc(f: &[f64]) -> Vec<Complex64> {
        rc_arc(f)
            .iter()
            .zip(f)
            .map(|(z, &f)| z + Complex64::new(0.0, 2.0 * PI * f * 1e-6))
            .collect()
    }

    /// Headerless comma CSV with the third column multiplied by `sign`.
    fn headerless_csv(f: &[f64], z: &[Complex64], sign: f64) -> String {
        f.iter()
            .zip(z)
            .map(|(f, z)| format!("{f},{},{}\n", z.re, sign * z.im))
            .collect()
    }

    fn assert_same_z(s: &Spectrum, f: &[f64], z: &[Complex64]) {
        assert_eq!(s.len(), f.len());
        for ((sf, sz), (ef, ez)) in s.freq_hz.iter().zip(&s.z).zip(f.iter().zip(z)) {
            assert_eq!(sf, ef);
            assert_eq!(sz.re, ez.re);
            assert_eq!(sz.im, ez.im);
        }
    }

    fn five_rows(sep: &str) -> String {
        [
            ["1", "10", "-1"],
            ["10", "9", "-2"],
            ["100", "8", "-3"],
            ["1000", "7", "-2"],
            ["10000", "6", "-1"],
        ]
        .iter()
        .map(|r| format!("{}\n", r.join(sep)))
        .collect()
    }

    fn err_of(text: &str) -> ImportError {
        match parse_spectrum(text, "data.csv") {
            Err(e) => e,
            Ok(s) => panic!("expected an error, got {} points", s.len()),
        }
    }

    // ---- layouts ---------------------------------------------------------

    #[test]
    fn comma_csv_with_header() {
        let text = format!("freq,zreal,zimag\n{}", five_rows(","));
        let s = parse_spectrum(&text, "a.csv").unwrap();
        assert_eq!(s.name, "a.csv");
        assert_eq!(s.freq_hz, vec![1.0, 10.0, 100.0, 1000.0, 10000.0]);
        assert_eq!(s.z[0], Complex64::new(10.0, -1.0));
        assert_eq!(s.z[2], Complex64::new(8.0, -3.0));
        assert_eq!(s.source_line, vec![2, 3, 4, 5, 6]);
        assert_eq!(s.imag_convention, ImagConvention::SignedFromHeader);
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    }

    #[test]
    fn semicolon_with_decimal_comma() {
        let text = "Freq;Z';Z''\n1,5E+03;2,3;-4,1\n1,0E+03;2,4;-4,5\n500;2,5;-5\n100;3;-4\n10;3,5;-1,5\n";
        let s = parse_spectrum(text, "eu.csv").unwrap();
        assert_eq!(s.len(), 5);
        assert_eq!(s.freq_hz, vec![10.0, 100.0, 500.0, 1000.0, 1500.0]);
        assert_eq!(s.z[4], Complex64::new(2.3, -4.1));
        assert_eq!(s.z[0], Complex64::new(3.5, -1.5));
        assert_eq!(s.source_line[4], 2);
    }

    #[test]
    fn semicolon_with_decimal_point() {
        let text = format!("f;Zre;Zim\n{}", five_rows(";")).replace("10;", "10.0;");
        let s = parse_spectrum(&text, "x").unwrap();
        assert_eq!(s.freq_hz[1], 10.0);
        assert_eq!(s.z[1], Complex64::new(9.0, -2.0));
    }

    #[test]
    fn tab_separated_with_decimal_comma_and_header_units() {
        let text =
            "Freq (Hz)\tZ' (Ohm)\tZ'' (Ohm)\n1,5E+03\t2,3\t-4,1\n100\t3\t-5\n10\t4\t-6,5\n1\t5\t-3\n0,1\t6\t-1\n";
        let s = parse_spectrum(text, "t.txt").unwrap();
        assert_eq!(s.freq_hz, vec![0.1, 1.0, 10.0, 100.0, 1500.0]);
        assert_eq!(s.z[4], Complex64::new(2.3, -4.1));
        assert_eq!(s.z[2], Complex64::new(4.0, -6.5));
    }

    #[test]
    fn whitespace_runs() {
        let text = "  Freq    Zre     Zim\n1     10   -1\n  10\t9 -2\n100  8    -3\n1000 7 -2\n10000   6  -1   \n";
        let s = parse_spectrum(text, "w.txt").unwrap();
        assert_eq!(s.freq_hz, vec![1.0, 10.0, 100.0, 1000.0, 10000.0]);
        assert_eq!(s.z[1], Complex64::new(9.0, -2.0));
        assert_eq!(s.z[4], Complex64::new(6.0, -1.0));
    }

    #[test]
    fn whitespace_with_decimal_comma_and_units_in_header() {
        let text = "f / Hz   Z' (Ohm)   -Z'' (Ohm)\n1,5E+03 2,3 4,1\n100 3 5\n10 4 6,5\n1 5 3\n0,1 6 1\n";
        let s = parse_spectrum(text, "w.txt").unwrap();
        assert_eq!(s.imag_convention, ImagConvention::NegatedFromHeader);
        assert_eq!(s.freq_hz[4], 1500.0);
        assert_eq!(s.z[4], Complex64::new(2.3, -4.1));
        assert_eq!(s.z[2], Complex64::new(4.0, -6.5));
    }

    #[test]
    fn bom_and_crlf() {
        let text = format!("\u{feff}freq,zreal,zimag\r\n{}", five_rows(",").replace('\n', "\r\n"));
        let s = parse_spectrum(&text, "bom.csv").unwrap();
        assert_eq!(s.len(), 5);
        assert_eq!(s.source_line, vec![2, 3, 4, 5, 6]);
        assert_eq!(s.z[0], Complex64::new(10.0, -1.0));
        assert_eq!(s.imag_convention, ImagConvention::SignedFromHeader);
    }

    #[test]
    fn lone_cr_line_endings() {
        let text = format!("freq,zreal,zimag\r{}", five_rows(",").replace('\n', "\r"));
        let s = parse_spectrum(&text, "mac.csv").unwrap();
        assert_eq!(s.len(), 5);
        assert_eq!(s.source_line, vec![2, 3, 4, 5, 6]);
    }

    #[test]
    fn comment_lines_are_skipped() {
        let text = "# exported by X\n; another comment\n   ! and another\nfreq,zreal,zimag\n\n1,10,-1\n# mid-data comment\n10,9,-2\n100,8,-3\n\n1000,7,-2\n  ; c\n10000,6,-1\n";
        let s = parse_spectrum(text, "c.csv").unwrap();
        assert_eq!(s.len(), 5);
        assert_eq!(s.source_line, vec![6, 8, 9, 11, 13]);
        assert_eq!(s.imag_convention, ImagConvention::SignedFromHeader);
    }

    #[test]
    fn title_lines_above_header() {
        let text = format!(
            "My battery test, cell 3\nDate: 2024-05-01, 25 C\nFrequency (Hz),Z' (Ohm),-Z'' (Ohm)\n{}",
            // The column is headed -Z'', so it holds -Z'': positive for the arc.
            five_rows(",").replace('-', "")
        );
        let s = parse_spectrum(&text, "t.csv").unwrap();
        assert_eq!(s.imag_convention, ImagConvention::NegatedFromHeader);
        assert_eq!(s.z[0], Complex64::new(10.0, -1.0));
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
        assert_eq!(s.source_line[0], 4);
    }

    #[test]
    fn negated_header_flips_sign() {
        let text = "Freq,Z',-Z''\n1,10,1\n10,9,2\n100,8,3\n1000,7,2\n10000,6,1\n";
        let s = parse_spectrum(text, "n.csv").unwrap();
        assert_eq!(s.imag_convention, ImagConvention::NegatedFromHeader);
        let im: Vec<f64> = s.z.iter().map(|z| z.im).collect();
        assert_eq!(im, vec![-1.0, -2.0, -3.0, -2.0, -1.0]);
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    }

    #[test]
    fn units_in_header_and_negated_imag() {
        let text = "Freq (Hz), Z' (Ohm), -Z'' (Ohm)\n1, 10, 1\n10, 9, 2\n100, 8, 3\n1000, 7, 2\n10000, 6, 1\n";
        let s = parse_spectrum(text, "u.csv").unwrap();
        assert_eq!(s.imag_convention, ImagConvention::NegatedFromHeader);
        assert_eq!(s.z[2], Complex64::new(8.0, -3.0));
    }

    #[test]
    fn header_names_are_recognised() {
        let cases: &[(&str, Option<Role>)] = &[
            ("freq", Some(Role::Freq)),
            ("F", Some(Role::Freq)),
            ("Frequency", Some(Role::Freq)),
            ("freq_Hz", Some(Role::Freq)),
            ("Frequency/Hz", Some(Role::Freq)),
            ("Freq (Hz)", Some(Role::Freq)),
            ("Z'", Some(Role::Real)),
            ("Z' [Ohm]", Some(Role::Real)),
            ("Zre", Some(Role::Real)),
            ("ZReal", Some(Role::Real)),
            ("Re(Z)", Some(Role::Real)),
            ("z_real", Some(Role::Real)),
            ("Zreal_ohm", Some(Role::Real)),
            ("Real", Some(Role::Real)),
            ("Z''", Some(Role::Imag { negated: false })),
            ("Z\"", Some(Role::Imag { negated: false })),
            ("\"Z\"\"\"", Some(Role::Imag { negated: false })),
            ("Z\" / ohm", Some(Role::Imag { negated: false })),
            ("Zim", Some(Role::Imag { negated: false })),
            ("Zimg", Some(Role::Imag { negated: false })),
            ("Zimag", Some(Role::Imag { negated: false })),
            ("Im(Z)", Some(Role::Imag { negated: false })),
            ("Zimag_ohm", Some(Role::Imag { negated: false })),
            ("imag", Some(Role::Imag { negated: false })),
            ("-Z''", Some(Role::Imag { negated: true })),
            ("-Z'' (Ohm)", Some(Role::Imag { negated: true })),
            ("-Z\"", Some(Role::Imag { negated: true })),
            ("-Z\"\"", Some(Role::Imag { negated: true })),
            ("-Zim", Some(Role::Imag { negated: true })),
            ("-Zimag", Some(Role::Imag { negated: true })),
            ("-Im(Z)", Some(Role::Imag { negated: true })),
            ("− Im(Z) / Ω", Some(Role::Imag { negated: true })),
            ("|Z|", Some(Role::Modulus)),
            ("Zmod", Some(Role::Modulus)),
            ("Mod(Z)", Some(Role::Modulus)),
            ("|Z|_ohm", Some(Role::Modulus)),
            ("Z (Ω)", Some(Role::Modulus)),
            (
                "Phase",
                Some(Role::Phase {
                    negated: false,
                    radians: false,
                }),
            ),
            (
                "phase(deg)",
                Some(Role::Phase {
                    negated: false,
                    radians: false,
                }),
            ),
            (
                "Phase (°)",
                Some(Role::Phase {
                    negated: false,
                    radians: false,
                }),
            ),
            (
                "phi",
                Some(Role::Phase {
                    negated: false,
                    radians: false,
                }),
            ),
            (
                "Theta",
                Some(Role::Phase {
                    negated: false,
                    radians: false,
                }),
            ),
            (
                "Zphz",
                Some(Role::Phase {
                    negated: false,
                    radians: false,
                }),
            ),
            (
                "-Phase",
                Some(Role::Phase {
                    negated: true,
                    radians: false,
                }),
            ),
            (
                "-Phase (°)",
                Some(Role::Phase {
                    negated: true,
                    radians: false,
                }),
            ),
            (
                "phase (rad)",
                Some(Role::Phase {
                    negated: false,
                    radians: true,
                }),
            ),
            ("Time", None),
            ("Idc", None),
            ("Zsig", None),
            ("Pt", None),
            ("-Freq", None),
            ("", None),
        ];
        for (name, want) in cases {
            assert_eq!(classify_header_field(name), *want, "header field {name:?}");
        }
    }

    #[test]
    fn modulus_phase_conversion() {
        let text = "Freq (Hz),|Z| (Ohm),Phase (deg)\n1,2,-30\n10,1,-90\n100,4,0\n1000,2,45\n10000,1,180\n";
        let s = parse_spectrum(text, "mp.csv").unwrap();
        assert_eq!(s.imag_convention, ImagConvention::FromModulusPhase);
        assert!(close(s.z[0].re, 1.7320508075688772, 1e-12), "{}", s.z[0]);
        assert!(close(s.z[0].im, -1.0, 1e-12), "{}", s.z[0]);
        assert!(s.z[1].re.abs() < 1e-12 && close(s.z[1].im, -1.0, 1e-12));
        assert_eq!(s.z[2], Complex64::new(4.0, 0.0));
        assert!(close(s.z[3].re, 2f64.sqrt(), 1e-12) && close(s.z[3].im, 2f64.sqrt(), 1e-12));
        assert!(close(s.z[4].re, -1.0, 1e-12));
    }

    #[test]
    fn negated_phase_header() {
        let text = "Freq,Zmod,-Phase\n1,2,30\n10,2,30\n100,2,30\n1000,2,30\n10000,2,30\n";
        let s = parse_spectrum(text, "mp.csv").unwrap();
        assert_eq!(s.imag_convention, ImagConvention::FromModulusPhase);
        for z in &s.z {
            assert!(
                close(z.re, 1.7320508075688772, 1e-12) && close(z.im, -1.0, 1e-12),
                "{z}"
            );
        }
    }

    #[test]
    fn phase_in_radians_when_header_says_so() {
        let text = "Freq,|Z|,Phase (rad)\n1,2,-0.5235987755982988\n10,2,0\n100,2,0\n1000,2,0\n10000,2,0\n";
        let s = parse_spectrum(text, "mp.csv").unwrap();
        assert!(close(s.z[0].re, 1.7320508075688772, 1e-12) && close(s.z[0].im, -1.0, 1e-12));
    }

    #[test]
    fn positive_phase_is_trusted_not_guessed() {
        // Values look like -phase of a capacitive arc, but the header says "Phase".
        let f = logspace(-1.0, 5.0, 25);
        let z = rc_arc(&f);
        let mut text = String::from("Freq,|Z|,Phase\n");
        for (f, z) in f.iter().zip(&z) {
            text.push_str(&format!("{f},{},{}\n", z.norm(), -z.arg().to_degrees()));
        }
        let s = parse_spectrum(&text, "mp.csv").unwrap();
        assert_eq!(s.imag_convention, ImagConvention::FromModulusPhase);
        for (got, want) in s.z.iter().zip(&z) {
            assert!(close(got.re, want.re, 1e-9) && close(got.im, -want.im, 1e-9));
        }
        assert!(s.z.iter().all(|z| z.im > 0.0));
        assert!(s.warnings.iter().any(|w| w.contains("-Phase")), "{:?}", s.warnings);
    }

    #[test]
    fn im_z_is_not_the_modulus_and_z_prime_differs_from_z_double_prime() {
        let text =
            "Freq,Im(Z),|Z|,Re(Z),Phase\n1,-1,0,10,0\n10,-2,0,9,0\n100,-3,0,8,0\n1000,-2,0,7,0\n10000,-1,0,6,0\n";
        let s = parse_spectrum(text, "x.csv").unwrap();
        assert_eq!(s.imag_convention, ImagConvention::SignedFromHeader);
        assert_eq!(s.z[2], Complex64::new(8.0, -3.0));

        let text = "f,Z'',Z'\n1,-1,10\n10,-2,9\n100,-3,8\n1000,-2,7\n10000,-1,6\n";
        let s = parse_spectrum(text, "x.csv").unwrap();
        assert_eq!(s.z[2], Complex64::new(8.0, -3.0));
    }

    #[test]
    fn extra_columns_are_ignored() {
        let text = "Pt\tTime\tFreq\tZreal\tZimag\tZsig\tZmod\tZphz\tIdc\n\
                    0\t1\t10000\t6\t-1\t1\t6.08\t-9.4\t0.001\n\
                    1\t2\t1000\t7\t-2\t1\t7.2\t-15\t0.001\n\
                    2\t3\t100\t8\t-3\t1\t8.5\t-20\t0.001\n\
                    3\t4\t10\t9\t-2\t1\t9.2\t-12\t0.001\n\
                    4\t5\t1\t10\t-1\t1\t10.05\t-5\t0.001\n";
        let s = parse_spectrum(text, "gamry.txt").unwrap();
        assert_eq!(s.freq_hz, vec![1.0, 10.0, 100.0, 1000.0, 10000.0]);
        assert_eq!(s.z[0], Complex64::new(10.0, -1.0));
        assert_eq!(s.source_line, vec![6, 5, 4, 3, 2]);
    }

    #[test]
    fn number_formats() {
        // Five distinct frequencies are needed, so one more row than the formats need.
        let text = "f,re,im\n1e3,+2,-.5\n1E+03,2.,-0.5e0\n1.5e1,3,-1\n+2,.25,-1E-1\n7,1,-2\n30,1,-1.5\n";
        let s = parse_spectrum(text, "n.csv").unwrap();
        assert_eq!(s.freq_hz, vec![2.0, 7.0, 15.0, 30.0, 1000.0, 1000.0]);
        assert_eq!(s.z[0], Complex64::new(0.25, -0.1));
        assert_eq!(s.z[4], Complex64::new(2.0, -0.5));
        assert_eq!(s.z[5], Complex64::new(2.0, -0.5));
    }

    #[test]
    fn trailing_delimiter_is_tolerated() {
        let text = "freq,zreal,zimag,\n1,10,-1,\n10,9,-2,\n100,8,-3,\n1000,7,-2,\n10000,6,-1,\n";
        let s = parse_spectrum(text, "t.csv").unwrap();
        assert_eq!(s.len(), 5);
        assert_eq!(s.z[4], Complex64::new(6.0, -1.0));
        let text = "freq;zreal;zimag;\n1;10;-1;\n10;9;-2;\n100;8;-3;\n1000;7;-2;\n10000;6;-1;\n";
        assert_eq!(parse_spectrum(text, "t.csv").unwrap().len(), 5);
    }

    #[test]
    fn quoted_csv_fields() {
        let text =
            "\"Freq (Hz)\",\"Z' (Ohm)\",\"-Z\"\" (Ohm)\"\n\"1\",\"10\",\"1\"\n10,9,2\n100,8,3\n1000,7,2\n10000,6,1\n";
        let s = parse_spectrum(text, "q.csv").unwrap();
        assert_eq!(s.imag_convention, ImagConvention::NegatedFromHeader);
        assert_eq!(s.z[0], Complex64::new(10.0, -1.0));
    }

    // ---- sign by shape ----------------------------------------------------

    #[test]
    fn headerless_negated_arc_is_detected() {
        let f = logspace(-1.0, 5.0, 31);
        let z = rc_arc(&f);
        let s = parse_spectrum(&headerless_csv(&f, &z, -1.0), "arc.txt").unwrap();
        assert_eq!(s.imag_convention, ImagConvention::NegatedByShape);
        assert_same_z(&s, &f, &z);
        assert!(s.z.iter().all(|z| z.im < 0.0));
    }

    #[test]
    fn headerless_signed_arc_is_kept() {
        let f = logspace(-1.0, 5.0, 31);
        let z = rc_arc(&f);
        let s = parse_spectrum(&headerless_csv(&f, &z, 1.0), "arc.txt").unwrap();
        assert_eq!(s.imag_convention, ImagConvention::SignedByShape);
        assert_same_z(&s, &f, &z);
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    }

    #[test]
    fn headerless_inductor_is_kept_positive() {
        let f = logspace(1.0, 6.0, 20);
        let z = inductor(&f);
        let s = parse_spectrum(&headerless_csv(&f, &z, 1.0), "l.txt").unwrap();
        assert_eq!(s.imag_convention, ImagConvention::SignedByShape);
        assert_same_z(&s, &f, &z);
        assert!(s.z.iter().all(|z| z.im > 0.0));
    }

    #[test]
    fn headerless_tail_and_arc_signed_and_negated() {
        let f = logspace(-1.0, 5.0, 31);
        let z = tail_and_arc(&f);
        assert!(z.last().unwrap().im > 0.0 && z[0].im < 0.0);
        let s = parse_spectrum(&headerless_csv(&f, &z, 1.0), "m.txt").unwrap();
        assert_eq!(s.imag_convention, ImagConvention::SignedByShape);
        assert_same_z(&s, &f, &z);
        let s = parse_spectrum(&headerless_csv(&f, &z, -1.0), "m.txt").unwrap();
        assert_eq!(s.imag_convention, ImagConvention::NegatedByShape);
        assert_same_z(&s, &f, &z);
    }

    #[test]
    fn headerless_descending_input_uses_sorted_order() {
        // Shape is judged after sorting: the same arc written high-to-low.
        let mut f = logspace(-1.0, 5.0, 31);
        f.reverse();
        let z = rc_arc(&f);
        let s = parse_spectrum(&headerless_csv(&f, &z, -1.0), "d.txt").unwrap();
        assert_eq!(s.imag_convention, ImagConvention::NegatedByShape);
        assert_eq!(s.source_line[0], 31);
        assert!(s.freq_hz.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn headerless_more_than_three_columns_uses_first_three() {
        let text = "1,10,-1,7,8\n10,9,-2,7,8\n100,8,-3,7,8\n1000,7,-2,7,8\n10000,6,-1,7,8\n";
        let s = parse_spectrum(text, "h.csv").unwrap();
        assert_eq!(s.z[2], Complex64::new(8.0, -3.0));
        assert_eq!(s.imag_convention, ImagConvention::SignedByShape);
        assert!(s.warnings.iter().any(|w| w.contains("5 columns")), "{:?}", s.warnings);
    }

    #[test]
    fn unrecognised_header_with_three_columns_is_headerless() {
        let f = logspace(-1.0, 5.0, 21);
        let z = rc_arc(&f);
        let text = format!("A,B,C\n{}", headerless_csv(&f, &z, -1.0));
        let s = parse_spectrum(&text, "u.csv").unwrap();
        assert_eq!(s.imag_convention, ImagConvention::NegatedByShape);
        assert_same_z(&s, &f, &z);
        assert!(
            s.warnings
                .iter()
                .any(|w| w.contains("line 1") && w.contains("not recognised")),
            "{:?}",
            s.warnings
        );
    }

    #[test]
    fn signed_header_disagreeing_with_shape_warns_but_keeps() {
        let f = logspace(-1.0, 5.0, 21);
        let z = rc_arc(&f);
        let text = format!("freq,zreal,zimag\n{}", headerless_csv(&f, &z, -1.0));
        let s = parse_spectrum(&text, "w.csv").unwrap();
        assert_eq!(s.imag_convention, ImagConvention::SignedFromHeader);
        assert!(s.z.iter().all(|z| z.im > 0.0), "must not flip");
        assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
        assert!(s.warnings[0].contains("-Z''"));
    }

    #[test]
    fn shape_score_values() {
        // Positive arc with apex in the middle: score 1 kept, 0 negated.
        let y = [1.0, 3.0, 5.0, 3.0, 1.0];
        assert_eq!(shape_score(&y, 1.0), 1.0);
        assert_eq!(shape_score(&y, -1.0), 0.0);
        // Inductive growth at the top: 0 kept; negated grows in size: 1.
        let y = [0.1, 0.2, 0.4, 0.8, 1.6];
        assert_eq!(shape_score(&y, 1.0), 0.0);
        assert_eq!(shape_score(&y, -1.0), 1.0);
        // All zero: tie.
        assert_eq!(shape_score(&[0.0; 5], 1.0), 0.0);
    }

    #[test]
    fn plausible_im_z_values() {
        // Capacitive arc, signed: believable; negated (positive apex inside): not.
        let arc = [-1.0, -3.0, -5.0, -3.0, -1.0];
        assert!(plausible_im_z(&arc, 1.0));
        assert!(!plausible_im_z(&arc, -1.0));
        assert!(contradicts(&arc, -1.0) && !contradicts(&arc, 1.0));
        // Inductive growth to the top is a tail: believable as is; negated it
        // reads as a capacitive arc's rising side, believable too, so no contradiction.
        let tail = [0.1, 0.2, 0.4, 0.8, 1.6];
        assert!(plausible_im_z(&tail, 1.0) && plausible_im_z(&tail, -1.0));
        assert!(!contradicts(&tail, 1.0) && !contradicts(&tail, -1.0));
        // Arc with a tail on top: the tail is set aside only in the signed reading.
        let both = [-1.0, -3.0, -5.0, -3.0, -1.0, 0.5, 1.0];
        assert!(plausible_im_z(&both, 1.0) && !plausible_im_z(&both, -1.0));
        // Nearly real (below 5 % of the largest) points give no evidence.
        let flat = [0.01, -0.02, 0.01, 0.5, 1.0];
        assert!(plausible_im_z(&flat, 1.0));
        // All zero, and non-finite scales, say nothing.
        assert!(plausible_im_z(&[0.0; 5], 1.0) && plausible_im_z(&[0.0; 5], -1.0));
        assert!(plausible_im_z(&[], 1.0));
    }

    #[test]
    fn tie_keeps_and_warns() {
        let text = "1,10,0\n10,9,0\n100,8,0\n1000,7,0\n10000,6,0\n";
        let s = parse_spectrum(text, "z.csv").unwrap();
        assert_eq!(s.imag_convention, ImagConvention::SignedByShape);
        assert!(s.warnings.iter().any(|w| w.contains("could not be told")));
    }

    // ---- errors -----------------------------------------------------------

    #[test]
    fn four_points_is_an_error() {
        let e = err_of("freq,zreal,zimag\n1,10,-1\n10,9,-2\n100,8,-3\n1000,7,-2\n");
        assert_eq!(e.line, None);
        assert_eq!(e.column, None);
        assert!(e.message.contains("found 4 data points"), "{}", e.message);
        assert!(e.message.contains("at least 5"), "{}", e.message);
    }

    #[test]
    fn nan_at_line_7_column_2() {
        let e = err_of("title\nfreq,zreal,zimag\n1,10,-1\n10,9,-2\n100,8,-3\n1000,7,-2\n10000,nan,-1\n");
        assert_eq!((e.line, e.column), (Some(7), Some(2)));
        assert!(
            e.message.contains("finite") && e.message.contains("\"nan\""),
            "{}",
            e.message
        );
    }

    #[test]
    fn infinite_and_overflowing_values_are_errors() {
        let e = err_of("1,10,-1\n10,9,-2\ninf,8,-3\n1000,7,-2\n10000,6,-1\n");
        assert_eq!((e.line, e.column), (Some(3), Some(1)));
        let e = err_of("1,10,-1\n10,9,-2\n100,8,-3\n1000,7,1e999\n10000,6,-1\n");
        assert_eq!((e.line, e.column), (Some(4), Some(3)));
        assert!(e.message.contains("finite"), "{}", e.message);
    }

    #[test]
    fn zero_frequency_at_line_5() {
        let e = err_of("freq,zreal,zimag\n1,10,-1\n10,9,-2\n100,8,-3\n0,7,-2\n10000,6,-1\n");
        assert_eq!((e.line, e.column), (Some(5), Some(1)));
        assert_eq!(e.message, "frequency must be > 0, found 0");
    }

    #[test]
    fn negative_frequency_display() {
        let e = err_of("freq;zreal;zimag\n1;10;-1\n10;9;-2\n100;8;-3\n1000;7;-2\n10000;6;-1\n-5;1;1\n");
        assert_eq!(
            e.to_string(),
            "data.csv, line 7, column 1: frequency must be > 0, found -5"
        );
    }

    #[test]
    fn ragged_row_at_line_9() {
        let e = err_of("# c\n\nfreq,zreal,zimag\n1,10,-1\n10,9,-2\n100,8,-3\n1000,7,-2\n10000,6,-1\n20000,5\n");
        assert_eq!((e.line, e.column), (Some(9), Some(3)));
        assert!(e.message.contains("expected 3 fields"), "{}", e.message);
        assert!(e.message.contains("found 2"), "{}", e.message);
        let e = err_of("1,10,-1\n10,9,-2\n100,8,-3,4\n1000,7,-2\n10000,6,-1\n");
        assert_eq!((e.line, e.column), (Some(3), Some(4)));
        assert!(e.message.contains("found 4"), "{}", e.message);
    }

    #[test]
    fn garbage_field_is_quoted_and_truncated() {
        let long = "x".repeat(60);
        let e = err_of(&format!("1,10,-1\n10,9,-2\n100,{long},-3\n1000,7,-2\n10000,6,-1\n"));
        assert_eq!((e.line, e.column), (Some(3), Some(2)));
        let quoted = format!("\"{}…\"", "x".repeat(40));
        assert!(e.message.contains(&quoted), "{}", e.message);
        assert!(!e.message.contains(&"x".repeat(41)), "{}", e.message);
        let e = err_of("1,10,-1\n10,9,-2\n100,8,abc\n1000,7,-2\n10000,6,-1\n");
        assert_eq!((e.line, e.column), (Some(3), Some(3)));
        assert_eq!(e.message, "expected a number, found \"abc\"");
        let e = err_of("1,10,-1\n10,,-2\n100,8,-3\n1000,7,-2\n10000,6,-1\n");
        assert_eq!((e.line, e.column), (Some(2), Some(2)));
        assert!(e.message.contains("empty field"), "{}", e.message);
    }

    #[test]
    fn thousands_separator_is_refused() {
        let e = err_of("1;10;-1\n10;9;-2\n1.000,5;8;-3\n1000;7;-2\n10000;6;-1\n");
        assert_eq!((e.line, e.column), (Some(3), Some(1)));
    }

    #[test]
    fn empty_input_is_an_error() {
        for text in ["", "\u{feff}", "  \n\r\n\t\n"] {
            let e = err_of(text);
            assert!(e.message.contains("empty"), "{}", e.message);
            assert_eq!(e.line, None);
        }
        let e = err_of("# only a comment\nfreq,zreal,zimag\n");
        assert!(e.message.contains("no data rows"), "{}", e.message);
    }

    #[test]
    fn bad_field_right_under_the_header_is_an_error() {
        let e = err_of("freq,Zreal,Zimag\n1000000,abc40,-3\n1e5,1,2\n1e4,1,2\n1e3,1,2\n1e2,1,2\n1e1,1,2\n");
        assert_eq!((e.line, e.column), (Some(2), Some(2)), "{e}");
        assert!(e.message.contains("abc40"), "{e}");
        // Title lines above a header still pass.
        let ok = "2 MHz sweep, pellet 1\nfreq,Zreal,Zimag\n1e5,1,-2\n1e4,1,-2\n1e3,1,-2\n1e2,1,-2\n1e1,1,-2\n";
        assert_eq!(parse_spectrum(ok, "t.csv").unwrap().len(), 5);
    }

    #[test]
    fn text_line_in_data_is_an_error() {
        let e = err_of("freq,zreal,zimag\n1,10,-1\n10,9,-2\nEnd of sweep\n100,8,-3\n1000,7,-2\n10000,6,-1\n");
        assert_eq!((e.line, e.column), (Some(4), Some(1)));
        assert!(e.message.contains("\"End of sweep\""), "{}", e.message);
        let e = err_of("f z' z''\n1 10 -1\n10 9 -2\nfreq zre zim\n100 8 -3\n1000 7 -2\n10000 6 -1\n");
        assert_eq!((e.line, e.column), (Some(4), Some(1)));
        assert!(e.message.contains("\"freq\""), "{}", e.message);
    }

    #[test]
    fn frequency_header_without_z_columns_is_an_error() {
        let e = err_of("title\nFreq,Zsig,Idc\n1,10,-1\n10,9,-2\n100,8,-3\n1000,7,-2\n10000,6,-1\n");
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("no Z' and Z''"), "{}", e.message);
        let e = err_of("Freq,Z'\n1,10,-1\n10,9,-2\n100,8,-3\n1000,7,-2\n10000,6,-1\n");
        assert_eq!(e.line, Some(1));
    }

    #[test]
    fn header_without_frequency_is_an_error() {
        let e = err_of("Z',Z'',x\n1,10,-1\n10,9,-2\n100,8,-3\n1000,7,-2\n10000,6,-1\n");
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("no frequency column"), "{}", e.message);
    }

    #[test]
    fn unrecognised_header_with_four_columns_is_an_error() {
        let e = err_of("a,b,c,d\n1,10,-1,0\n10,9,-2,0\n100,8,-3,0\n1000,7,-2,0\n10000,6,-1,0\n");
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("not recognised"), "{}", e.message);
    }

    #[test]
    fn header_column_beyond_data_is_an_error() {
        let e = err_of("Time,Freq,Z',Z''\n1,10,-1\n10,9,-2\n100,8,-3\n1000,7,-2\n10000,6,-1\n");
        assert_eq!((e.line, e.column), (Some(1), Some(4)));
    }

    #[test]
    fn two_headerless_columns_is_an_error() {
        let e = err_of("1,10\n10,9\n100,8\n1000,7\n10000,6\n");
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("expected 3 columns"), "{}", e.message);
    }

    #[test]
    fn negative_modulus_is_an_error() {
        let e = err_of("f,|Z|,phase\n1,2,-10\n10,-2,-10\n100,2,-10\n1000,2,-10\n10000,2,-10\n");
        assert_eq!((e.line, e.column), (Some(3), Some(2)));
    }

    #[test]
    fn error_display_formats() {
        let e = err_of("f,re,im\n1,2,3\n4,x,6\n");
        let shown = e.to_string();
        assert!(shown.starts_with("data.csv, "), "{shown}");
        assert!(shown.contains("line 3"), "{shown}");
        assert!(shown.contains("column 2"), "{shown}");
        let e = ImportError::new("a.csv", None, None, "boom".into());
        assert_eq!(e.to_string(), "a.csv: boom");
        let e = ImportError::new("a.csv", Some(4), None, "boom".into());
        assert_eq!(e.to_string(), "a.csv, line 4: boom");
        let boxed: Box<dyn std::error::Error> = Box::new(e);
        assert_eq!(boxed.to_string(), "a.csv, line 4: boom");
    }

    // ---- warnings, sorting, helpers --------------------------------------

    #[test]
    fn duplicate_frequency_warning() {
        let text = "freq,zreal,zimag\n1,10,-1\n1000,7,-2\n10,9,-2\n100,8,-3\n1000,7.1,-2.1\n10000,6,-1\n";
        let s = parse_spectrum(text, "d.csv").unwrap();
        assert_eq!(s.len(), 6);
        assert_eq!(
            s.warnings,
            vec!["frequency 1000 Hz appears on lines 3 and 6".to_string()]
        );
        // Two rows more than before the distinct-frequency rule, so five distinct remain.
        let text = "1,10,-1\n5,7,-2\n5,9,-2\n5,8,-3\n9,7,-2\n20,6,-1\n50,5,-0.5\n";
        let s = parse_spectrum(text, "d.csv").unwrap();
        assert!(
            s.warnings
                .contains(&"frequency 5 Hz appears on lines 2, 3 and 4".to_string()),
            "{:?}",
            s.warnings
        );
    }

    #[test]
    fn unsorted_input_is_sorted_with_provenance() {
        let text = "freq,zreal,zimag\n100,8,-3\n1,10,-1\n10000,6,-1\n10,9,-2\n1000,7,-2\n";
        let s = parse_spectrum(text, "u.csv").unwrap();
        assert_eq!(s.freq_hz, vec![1.0, 10.0, 100.0, 1000.0, 10000.0]);
        assert_eq!(s.source_line, vec![3, 5, 2, 6, 4]);
        let re: Vec<f64> = s.z.iter().map(|z| z.re).collect();
        assert_eq!(re, vec![10.0, 9.0, 8.0, 7.0, 6.0]);
        assert_eq!(s.f_min(), 1.0);
        assert_eq!(s.f_max(), 10000.0);
    }

    #[test]
    fn from_points_validates_and_sorts() {
        let f = [100.0, 1.0, 10.0, 1000.0, 10000.0];
        let z: Vec<Complex64> = f.iter().map(|&f| Complex64::new(f, -f)).collect();
        let s = Spectrum::from_points("syn", &f, &z).unwrap();
        assert_eq!(s.freq_hz, vec![1.0, 10.0, 100.0, 1000.0, 10000.0]);
        assert_eq!(s.z[0], Complex64::new(1.0, -1.0));
        assert_eq!(s.source_line, vec![2, 3, 1, 4, 5]);
        assert_eq!(s.imag_convention, ImagConvention::SignedFromHeader);
        assert_eq!((s.len(), s.is_empty()), (5, false));

        let e = Spectrum::from_points("syn", &f[..4], &z[..4]).unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("syn", None));
        assert!(e.message.contains("found 4 data points"));
        assert!(Spectrum::from_points("syn", &f, &z[..4]).is_err());
        let bad_f = [1.0, 2.0, 0.0, 4.0, 5.0];
        let e = Spectrum::from_points("syn", &bad_f, &z).unwrap_err();
        assert!(
            e.message.contains("point 3") && e.message.contains("> 0"),
            "{}",
            e.message
        );
        let nan_f = [1.0, f64::NAN, 3.0, 4.0, 5.0];
        assert!(Spectrum::from_points("syn", &nan_f, &z).is_err());
        let mut bad_z = z.clone();
        bad_z[4] = Complex64::new(1.0, f64::INFINITY);
        let e = Spectrum::from_points("syn", &f, &bad_z).unwrap_err();
        assert!(e.message.contains("point 5"), "{}", e.message);
        let dup = [1.0, 2.0, 2.0, 4.0, 5.0];
        let s = Spectrum::from_points("syn", &dup, &z).unwrap();
        assert_eq!(s.warnings, vec!["frequency 2 Hz appears on points 2 and 3".to_string()]);
    }

    #[test]
    fn empty_spectrum_accessors_do_not_panic() {
        let s = Spectrum {
            name: String::new(),
            freq_hz: vec![],
            z: vec![],
            source_line: vec![],
            imag_convention: ImagConvention::SignedByShape,
            warnings: vec![],
            format: String::new(),
        };
        assert!(s.is_empty());
        assert_eq!(s.len(), 0);
        assert!(s.f_min().is_nan() && s.f_max().is_nan());
    }

    #[test]
    fn describe_is_distinct_plain_sentences() {
        let all = [
            ImagConvention::SignedFromHeader,
            ImagConvention::NegatedFromHeader,
            ImagConvention::SignedByShape,
            ImagConvention::NegatedByShape,
            ImagConvention::FromModulusPhase,
        ];
        for (i, a) in all.iter().enumerate() {
            assert!(a.describe().len() > 20);
            for b in &all[i + 1..] {
                assert_ne!(a.describe(), b.describe());
            }
        }
        assert_eq!(
            ImagConvention::NegatedByShape.describe(),
            "third column read as -Z'' (a positive arc with an apex) and negated"
        );
    }

    #[test]
    fn large_file_parses_in_linear_time() {
        let n = MAX_POINTS;
        let mut text = String::with_capacity(n * 40);
        text.push_str("Freq (Hz);Z' (Ohm);-Z'' (Ohm)\n");
        for i in 0..n {
            // Decimal commas throughout: a file mixing them with points is refused.
            let f = format!("{}", 1e-2 * (1.0 + i as f64 * 0.37)).replace('.', ",");
            text.push_str(&format!("{f};{},5;{},25\n", i % 97, i % 13));
        }
        let start = std::time::Instant::now();
        let s = parse_spectrum(&text, "big.csv").unwrap();
        let took = start.elapsed();
        assert_eq!(s.len(), n);
        assert!(s.freq_hz.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(s.source_line[0], 2);
        assert!(took.as_secs_f64() < 10.0, "took {took:?}");
    }

    #[test]
    fn random_input_never_panics() {
        // Deterministic pseudo-random lines built from troublesome pieces.
        let pieces = [
            "1",
            "-5",
            "0",
            "1e3",
            "1,5",
            "nan",
            "inf",
            "1e999",
            "x",
            "Z''",
            "-Z\"",
            "|Z|",
            "Freq (Hz)",
            "Phase",
            ",",
            ";",
            "\t",
            " ",
            "\r",
            "\n",
            "\r\n",
            "#",
            "!",
            "(",
            "[",
            "/",
            "\"",
            "\u{feff}",
            "é",
            "−",
            "Im(Z)",
            "''''",
            "2.5e-3",
            "+.5",
            "-",
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut parsed = 0;
        for _ in 0..3000 {
            let len = (next() % 120) as usize;
            let mut text = String::new();
            for _ in 0..len {
                text.push_str(pieces[(next() % pieces.len() as u64) as usize]);
            }
            match parse_spectrum(&text, "fuzz") {
                Ok(s) => {
                    parsed += 1;
                    assert!(s.len() >= MIN_POINTS);
                    assert!(s.freq_hz.iter().all(|f| f.is_finite() && *f > 0.0));
                    assert!(s.z.iter().all(|z| z.re.is_finite() && z.im.is_finite()));
                }
                Err(e) => assert!(!e.message.is_empty()),
            }
        }
        // Valid data with random noise appended must not panic either.
        let f = logspace(-1.0, 5.0, 10);
        let base = headerless_csv(&f, &rc_arc(&f), 1.0);
        for _ in 0..500 {
            let mut text = base.clone();
            for _ in 0..(next() % 4) {
                text.push_str(pieces[(next() % pieces.len() as u64) as usize]);
            }
            if parse_spectrum(&text, "fuzz").is_ok() {
                parsed += 1;
            }
        }
        assert!(parsed > 0);
    }

    #[test]
    fn many_duplicates_are_capped() {
        let mut text = String::new();
        for i in 0..50 {
            text.push_str(&format!("{},1,-1\n{},1,-1\n", i + 1, i + 1));
        }
        let s = parse_spectrum(&text, "d.csv").unwrap();
        let dup = s.warnings.iter().filter(|w| w.starts_with("frequency")).count();
        assert_eq!(dup, MAX_DUPLICATE_WARNINGS);
        assert!(s.warnings.iter().any(|w| w.starts_with("30 more")), "{:?}", s.warnings);
    }
}
