//! One settings schema for every face: the CLI's options, the page's form and the
//! boundary's settings object are all [`FIELDS`], read as text by one parser
//! ([`SettingsInput::resolve`]), so the same bad setting gives the same message in
//! the terminal and beside the page's field.
//!
//! A field's key (`thickness_mm`) is its name in JSON and in the page's settings
//! object; its page id is the key with hyphens (`thickness-mm`) and its CLI flag that
//! id after `--` (`--thickness-mm`).

use crate::attribution;
use crate::choice;
use crate::fit::{FitOptions, Weighting};
use crate::pellet::Geometry;
use crate::preset::CircuitChoice;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// What kind of value a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum FieldKind {
    /// A number as typed: `1.5`, `1,5`, `1e-3`.
    Number,
    /// One of `options` (value, label); with `free_text`, any text is accepted too.
    Choice {
        options: &'static [(&'static str, &'static str)],
        free_text: bool,
    },
    /// `NAME=VALUE` pairs, comma-separated (`R1=100, CPE2.alpha=0.9`).
    Assignments,
    /// Frequencies, separated by commas, semicolons or spaces (`1000, 2e4`); a decimal
    /// point only, since the comma separates.
    Frequencies,
}

/// One setting, as every face shows it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FieldSpec {
    /// Name in JSON and in the page's settings object.
    pub key: &'static str,
    /// The form group it belongs to on the page.
    pub group: &'static str,
    pub label: &'static str,
    /// Unit of a number, as shown beside the field.
    pub unit: &'static str,
    #[serde(flatten)]
    pub kind: FieldKind,
    /// The value used when the field is left empty; `None` when empty means "not given".
    pub default: Option<&'static str>,
    /// A value the page fills in to show a result at once, marked as a default until
    /// the user changes it (the CLI has no such value: without it, no σ).
    pub suggested: Option<&'static str>,
    /// One line of help.
    pub help: &'static str,
    /// Older CLI spellings of the flag that still work.
    #[serde(skip)]
    pub cli_aliases: &'static [&'static str],
}

impl FieldSpec {
    /// The page's element id: the key with hyphens.
    pub fn id(&self) -> String {
        self.key.replace('_', "-")
    }

    /// The CLI flag: `--` and the id.
    pub fn flag(&self) -> String {
        format!("--{}", self.id())
    }
}

const CIRCUITS: &[(&str, &str)] = &[
    ("auto", "auto (choose by BIC)"),
    ("inductive", "(a) inductive: R0–CPE0"),
    ("semicircle", "(b) semicircle: R1–(R2‖CPE2)"),
    ("semicircle-c", "(b) semicircle: R1–(R2‖C2)"),
];
const WEIGHTINGS: &[(&str, &str)] = &[("modulus", "modulus (1/|Z|²)"), ("unit", "unit")];

/// Every setting, in the order the page shows them.
pub const FIELDS: &[FieldSpec] = &[
    FieldSpec {
        key: "thickness_mm",
        group: "Pellet",
        label: "Thickness d",
        unit: "mm",
        kind: FieldKind::Number,
        default: None,
        suggested: Some("1.0"),
        help: "pellet thickness d",
        cli_aliases: &[],
    },
    FieldSpec {
        key: "diameter_mm",
        group: "Pellet",
        label: "Diameter D",
        unit: "mm",
        kind: FieldKind::Number,
        default: None,
        suggested: Some("10"),
        help: "pellet diameter D (A = πD²/4)",
        cli_aliases: &[],
    },
    FieldSpec {
        key: "area_cm2",
        group: "Pellet",
        label: "Area A",
        unit: "cm²",
        kind: FieldKind::Number,
        default: None,
        suggested: None,
        help: "pellet area A, instead of the diameter",
        cli_aliases: &[],
    },
    FieldSpec {
        key: "thickness_err_mm",
        group: "Pellet",
        label: "± thickness",
        unit: "mm",
        kind: FieldKind::Number,
        default: None,
        suggested: None,
        help: "standard uncertainty of the thickness",
        cli_aliases: &[],
    },
    FieldSpec {
        key: "diameter_err_mm",
        group: "Pellet",
        label: "± diameter",
        unit: "mm",
        kind: FieldKind::Number,
        default: None,
        suggested: None,
        help: "standard uncertainty of the diameter",
        cli_aliases: &[],
    },
    FieldSpec {
        key: "lead_ohm",
        group: "Measurement",
        label: "Lead / short R",
        unit: "Ω",
        kind: FieldKind::Number,
        default: Some("0"),
        suggested: None,
        help: "measured resistance of the leads (short circuit), subtracted from R_con",
        cli_aliases: &[],
    },
    FieldSpec {
        key: "fmin_hz",
        group: "Measurement",
        label: "Fit from",
        unit: "Hz",
        kind: FieldKind::Number,
        default: None,
        suggested: None,
        help: "fit only points at or above this frequency",
        cli_aliases: &["--fmin"],
    },
    FieldSpec {
        key: "fmax_hz",
        group: "Measurement",
        label: "Fit up to",
        unit: "Hz",
        kind: FieldKind::Number,
        default: None,
        suggested: None,
        help: "fit only points at or below this frequency",
        cli_aliases: &["--fmax"],
    },
    FieldSpec {
        key: "exclude_f_hz",
        group: "Measurement",
        label: "Exclude",
        unit: "Hz",
        kind: FieldKind::Frequencies,
        default: None,
        suggested: None,
        help: "frequencies of points left out of the fit, comma-separated (within 0.5 %)",
        cli_aliases: &["--exclude-f"],
    },
    FieldSpec {
        key: "circuit",
        group: "Fit",
        label: "Circuit",
        unit: "",
        kind: FieldKind::Choice {
            options: CIRCUITS,
            free_text: true,
        },
        default: Some("auto"),
        suggested: None,
        help: "auto, a preset, or a circuit string in impedance.py syntax, e.g. R0-p(R1,CPE1)",
        cli_aliases: &[],
    },
    FieldSpec {
        key: "weighting",
        group: "Fit",
        label: "Weighting",
        unit: "",
        kind: FieldKind::Choice {
            options: WEIGHTINGS,
            free_text: false,
        },
        default: Some("modulus"),
        suggested: None,
        help: "modulus: Σ|Z_fit − Z|²/|Z|²; unit: Σ|Z_fit − Z|²",
        cli_aliases: &[],
    },
    FieldSpec {
        key: "init",
        group: "Fit",
        label: "Starting values",
        unit: "",
        kind: FieldKind::Assignments,
        default: None,
        suggested: None,
        help: "starting values NAME=VALUE, e.g. R1=100 (the CLI's --init is repeatable)",
        cli_aliases: &[],
    },
    FieldSpec {
        key: "fix",
        group: "Fit",
        label: "Fixed values",
        unit: "",
        kind: FieldKind::Assignments,
        default: None,
        suggested: None,
        help: "parameters held at a value, NAME=VALUE (the CLI's --fix is repeatable)",
        cli_aliases: &[],
    },
    FieldSpec {
        key: "eps_r",
        group: "Attribution",
        label: "ε_r of the particles",
        unit: "",
        kind: FieldKind::Number,
        default: Some("10"),
        suggested: None,
        help: "relative permittivity for the geometric capacitance C_bulk",
        cli_aliases: &[],
    },
    FieldSpec {
        key: "particle_um",
        group: "Attribution",
        label: "Particle diameter",
        unit: "µm",
        kind: FieldKind::Number,
        default: Some("5"),
        suggested: None,
        help: "particle diameter for the implied layer thickness",
        cli_aliases: &[],
    },
    FieldSpec {
        key: "c_norm_max_f_per_cm",
        group: "Attribution",
        label: "(C·d/A)max",
        unit: "F/cm",
        kind: FieldKind::Number,
        default: Some("1e-9"),
        suggested: None,
        help: "largest interparticle C·d/A expected (the study's pellets: 1e-9 F/cm); with f_max it sets the window's σ boundary",
        cli_aliases: &[],
    },
];

/// The field with this key.
pub fn field(key: &str) -> Option<&'static FieldSpec> {
    FIELDS.iter().find(|f| f.key == key)
}

/// A setting that cannot be used, and which field it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettingsError {
    /// The field's key (`thickness_mm`), as in [`FIELDS`].
    pub field: String,
    pub message: String,
}

impl SettingsError {
    fn new(field: &str, message: impl Into<String>) -> Self {
        SettingsError {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match field(&self.field) {
            Some(spec) => write!(f, "{} ({}): {}", spec.label, spec.flag(), self.message),
            None => write!(f, "{}: {}", self.field, self.message),
        }
    }
}

impl std::error::Error for SettingsError {}

/// A value as a face hands it over: text as typed, a number, or NAME=VALUE pairs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum InputValue {
    Number(f64),
    Text(String),
    Pairs(Vec<(String, f64)>),
}

/// Settings as given, by key; empty and missing fields take their defaults.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SettingsInput(pub BTreeMap<String, Option<InputValue>>);

/// Everything the user sets for one analysis, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub circuit: CircuitChoice,
    pub fit: FitOptions,
    pub geometry: Option<Geometry>,
    pub lead_ohm: f64,
    pub eps_r: f64,
    pub particle_um: f64,
    /// (C·d/A)_max in F/cm: with f_max, the σ below which a semicircle can be resolved.
    pub c_norm_max_f_per_cm: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            circuit: CircuitChoice::Auto,
            fit: FitOptions::default(),
            geometry: None,
            lead_ohm: 0.0,
            eps_r: attribution::DEFAULT_EPS_R,
            particle_um: attribution::DEFAULT_PARTICLE_UM,
            c_norm_max_f_per_cm: choice::C_NORM_MAX_F_PER_CM,
        }
    }
}

/// A number as people type it: `1.5`, `1,5` (one decimal comma), `1e-3`, `−0.2`.
/// `Ok(None)` for an empty field. Refuses `1,000` (a decimal comma or a thousands
/// separator?) and `1.000,5` (two separators).
pub fn parse_number(raw: &str) -> Result<Option<f64>, String> {
    let shown = raw.trim();
    let mut text: String = shown
        .replace('\u{2212}', "-")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if text.is_empty() {
        return Ok(None);
    }
    let commas = text.matches(',').count();
    if commas > 1 || (commas == 1 && text.contains('.')) {
        return Err(format!(
            "“{shown}” is ambiguous: use one decimal separator and no thousands separators"
        ));
    }
    if commas == 1 {
        let (before, after) = text.split_once(',').unwrap_or((&text, ""));
        let digits = before.trim_start_matches(['+', '-']);
        let looks_like_thousands = (1..=3).contains(&digits.len())
            && !digits.starts_with('0')
            && digits.chars().all(|c| c.is_ascii_digit())
            && after.len() == 3
            && after.chars().all(|c| c.is_ascii_digit());
        if looks_like_thousands {
            return Err(format!(
                "“{shown}” is ambiguous (a decimal comma or a thousands separator?): write {} or {}",
                text.replace(',', "."),
                text.replace(',', "")
            ));
        }
        text = text.replace(',', ".");
    }
    if !is_decimal(&text) {
        return Err(format!("“{shown}” is not a number"));
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        Ok(_) => Err(format!("“{shown}” is too large")),
        Err(_) => Err(format!("“{shown}” is not a number")),
    }
}

/// `[+-]digits[.digits][e[+-]digits]` or `[+-].digits[...]`: no `inf`, `nan`, hex.
fn is_decimal(text: &str) -> bool {
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = all_digits(int) && all_digits(frac) && !(int.is_empty() && frac.is_empty());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    mantissa_ok && exponent_ok
}

/// `R1=100, CPE2.alpha=0,9` → pairs (a decimal comma needs no escaping: pairs split
/// on a comma that is followed by a name).
pub fn parse_assignments(raw: &str) -> Result<Vec<(String, f64)>, String> {
    let mut pairs = Vec::new();
    let mut rest = raw.trim();
    while !rest.is_empty() {
        let (name, after) = rest
            .split_once('=')
            .ok_or_else(|| format!("“{rest}” is not NAME=VALUE (e.g. R1=100)"))?;
        let name = name.trim().trim_start_matches([',', ';']).trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_') {
            return Err(format!("“{}” is not a parameter name (e.g. R1 or CPE2.alpha)", name));
        }
        // The value runs to the next separator that starts another NAME=.
        let end = after
            .char_indices()
            .filter(|(_, c)| *c == ',' || *c == ';')
            .map(|(i, _)| i)
            .find(|&i| {
                after[i + 1..]
                    .trim_start()
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic())
            })
            .unwrap_or(after.len());
        let value_text = after[..end].trim();
        let value = parse_number(value_text)
            .map_err(|e| format!("{name}: {e}"))?
            .ok_or_else(|| format!("{name} has no value"))?;
        pairs.push((name.to_string(), value));
        rest = after[end..].trim_start_matches([',', ';']).trim();
    }
    Ok(pairs)
}

impl SettingsInput {
    /// An input from (key, text) pairs.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        SettingsInput(
            pairs
                .into_iter()
                .map(|(k, v)| (k.to_string(), Some(InputValue::Text(v.to_string()))))
                .collect(),
        )
    }

    /// Sets `key` to `text`; a repeated NAME=VALUE field (`init`, `fix`) collects.
    pub fn set(&mut self, key: &str, text: &str) {
        let entry = self.0.entry(key.to_string()).or_insert(None);
        match (field(key).map(|f| f.kind), entry.as_mut()) {
            (Some(FieldKind::Assignments), Some(InputValue::Text(existing))) if !existing.trim().is_empty() => {
                existing.push_str(", ");
                existing.push_str(text);
            }
            _ => *entry = Some(InputValue::Text(text.to_string())),
        }
    }

    fn number(&self, key: &str) -> Result<Option<f64>, SettingsError> {
        let given = match self.0.get(key) {
            None | Some(None) => None,
            Some(Some(InputValue::Number(v))) => {
                if !v.is_finite() {
                    return Err(SettingsError::new(key, format!("“{v}” is not a finite number")));
                }
                Some(*v)
            }
            Some(Some(InputValue::Text(t))) => parse_number(t).map_err(|m| SettingsError::new(key, m))?,
            Some(Some(InputValue::Pairs(_))) => return Err(SettingsError::new(key, "expects a number, not a list")),
        };
        match given {
            Some(v) => Ok(Some(v)),
            None => Ok(field(key)
                .and_then(|f| f.default)
                .and_then(|d| parse_number(d).ok().flatten())),
        }
    }

    fn frequencies(&self, key: &str) -> Result<Vec<f64>, SettingsError> {
        let values = match self.0.get(key) {
            None | Some(None) => Vec::new(),
            Some(Some(InputValue::Number(v))) => vec![*v],
            Some(Some(InputValue::Text(t))) => t
                .split([',', ';', ' ', '\t'])
                .filter(|item| !item.trim().is_empty())
                .map(|item| {
                    parse_number(item)
                        .map_err(|m| SettingsError::new(key, m))?
                        .ok_or_else(|| SettingsError::new(key, format!("“{item}” is not a frequency")))
                })
                .collect::<Result<Vec<f64>, SettingsError>>()?,
            Some(Some(InputValue::Pairs(_))) => {
                return Err(SettingsError::new(key, "expects frequencies, not NAME=VALUE pairs"));
            }
        };
        if let Some(bad) = values.iter().find(|v| !(v.is_finite() && **v > 0.0)) {
            return Err(SettingsError::new(
                key,
                format!("an excluded frequency must be a positive number of Hz, not {bad}"),
            ));
        }
        Ok(values)
    }

    fn text(&self, key: &str) -> Result<Option<String>, SettingsError> {
        let given = match self.0.get(key) {
            None | Some(None) => None,
            Some(Some(InputValue::Text(t))) => Some(t.trim().to_string()).filter(|t| !t.is_empty()),
            Some(Some(_)) => return Err(SettingsError::new(key, "expects text")),
        };
        Ok(given.or_else(|| field(key).and_then(|f| f.default).map(str::to_string)))
    }

    fn pairs(&self, key: &str) -> Result<Vec<(String, f64)>, SettingsError> {
        match self.0.get(key) {
            None | Some(None) => Ok(Vec::new()),
            Some(Some(InputValue::Text(t))) => parse_assignments(t).map_err(|m| SettingsError::new(key, m)),
            Some(Some(InputValue::Pairs(p))) => {
                for (name, value) in p {
                    if !value.is_finite() {
                        return Err(SettingsError::new(
                            key,
                            format!("{name}: “{value}” is not a finite number"),
                        ));
                    }
                }
                Ok(p.clone())
            }
            Some(Some(InputValue::Number(_))) => Err(SettingsError::new(key, "expects NAME=VALUE pairs")),
        }
    }

    /// Checks every field and builds the [`Settings`]; the first problem found, by field.
    pub fn resolve(&self) -> Result<Settings, SettingsError> {
        if let Some(unknown) = self.0.keys().find(|k| field(k).is_none()) {
            let known: Vec<&str> = FIELDS.iter().map(|f| f.key).collect();
            return Err(SettingsError::new(
                unknown,
                format!("unknown setting “{unknown}”; the settings are {}", known.join(", ")),
            ));
        }
        let positive = |key: &str, what: &str| -> Result<Option<f64>, SettingsError> {
            match self.number(key)? {
                Some(v) if !(v > 0.0) => Err(SettingsError::new(
                    key,
                    format!("{what} must be a positive number{}, not {v}", unit_of(key)),
                )),
                other => Ok(other),
            }
        };
        let non_negative = |key: &str, what: &str| -> Result<Option<f64>, SettingsError> {
            match self.number(key)? {
                Some(v) if !(v >= 0.0) => Err(SettingsError::new(
                    key,
                    format!("{what} must be zero or a positive number{}, not {v}", unit_of(key)),
                )),
                other => Ok(other),
            }
        };

        let thickness = positive("thickness_mm", "the thickness")?;
        let diameter = positive("diameter_mm", "the diameter")?;
        let area = positive("area_cm2", "the area")?;
        let thickness_err = non_negative("thickness_err_mm", "the thickness uncertainty")?;
        let diameter_err = non_negative("diameter_err_mm", "the diameter uncertainty")?;
        let geometry = match (thickness, diameter, area) {
            (None, None, None) => None,
            (_, Some(_), Some(_)) => {
                return Err(SettingsError::new(
                    "area_cm2",
                    "give the pellet's diameter or its area, not both",
                ));
            }
            (None, _, _) => {
                return Err(SettingsError::new(
                    "thickness_mm",
                    "the pellet's thickness is needed with a diameter or an area",
                ));
            }
            (Some(_), None, None) => {
                return Err(SettingsError::new(
                    "diameter_mm",
                    "the pellet's thickness needs a diameter or an area",
                ));
            }
            (Some(d), Some(dia), None) => Some(
                Geometry::from_diameter(d, dia, thickness_err, diameter_err)
                    .map_err(|e| SettingsError::new("diameter_mm", e.to_string()))?,
            ),
            (Some(d), None, Some(a)) => {
                if diameter_err.is_some() {
                    return Err(SettingsError::new(
                        "diameter_err_mm",
                        "a diameter uncertainty needs a diameter, not an area",
                    ));
                }
                Some(
                    Geometry::from_area(d, a, thickness_err, None)
                        .map_err(|e| SettingsError::new("area_cm2", e.to_string()))?,
                )
            }
        };

        let mut settings = Settings {
            geometry,
            ..Settings::default()
        };
        settings.lead_ohm = non_negative("lead_ohm", "the lead resistance")?.unwrap_or(0.0);
        settings.fit.fmin = positive("fmin_hz", "the lowest fitted frequency")?;
        settings.fit.fmax = positive("fmax_hz", "the highest fitted frequency")?;
        if let (Some(lo), Some(hi)) = (settings.fit.fmin, settings.fit.fmax)
            && lo >= hi
        {
            return Err(SettingsError::new(
                "fmin_hz",
                format!(
                    "fit from ({}) must be below fit up to ({})",
                    crate::numfmt::hz(lo, crate::numfmt::Style::Ascii),
                    crate::numfmt::hz(hi, crate::numfmt::Style::Ascii)
                ),
            ));
        }
        settings.fit.exclude_hz = self.frequencies("exclude_f_hz")?;
        if let Some(text) = self.text("circuit")? {
            settings.circuit = CircuitChoice::parse(&text).map_err(|e| SettingsError::new("circuit", e.to_string()))?;
        }
        if let Some(text) = self.text("weighting")? {
            settings.fit.weighting = Weighting::parse(&text)
                .ok_or_else(|| SettingsError::new("weighting", format!("must be modulus or unit, not “{text}”")))?;
        }
        settings.fit.init = self.pairs("init")?;
        settings.fit.fix = self.pairs("fix")?;
        settings.eps_r = positive("eps_r", "ε_r")?.unwrap_or(attribution::DEFAULT_EPS_R);
        settings.particle_um =
            positive("particle_um", "the particle diameter")?.unwrap_or(attribution::DEFAULT_PARTICLE_UM);
        settings.c_norm_max_f_per_cm =
            positive("c_norm_max_f_per_cm", "(C·d/A)max")?.unwrap_or(choice::C_NORM_MAX_F_PER_CM);
        Ok(settings)
    }

    /// Every field with the value in force, defaults filled in, as data: numbers as
    /// numbers, choices as text, NAME=VALUE pairs as `[name, value]` lists, null where
    /// nothing is given. What an export records as its provenance. Call it on input
    /// that [`SettingsInput::resolve`] accepted; a field it cannot read is null.
    pub fn effective(&self) -> BTreeMap<&'static str, serde_json::Value> {
        use serde_json::Value;
        FIELDS
            .iter()
            .map(|f| {
                let value = match f.kind {
                    FieldKind::Number => self.number(f.key).ok().flatten().map_or(Value::Null, Value::from),
                    FieldKind::Choice { .. } => self.text(f.key).ok().flatten().map_or(Value::Null, Value::from),
                    FieldKind::Assignments => Value::from(
                        self.pairs(f.key)
                            .unwrap_or_default()
                            .into_iter()
                            .map(|(name, value)| Value::from(vec![Value::from(name), Value::from(value)]))
                            .collect::<Vec<_>>(),
                    ),
                    FieldKind::Frequencies => Value::from(self.frequencies(f.key).unwrap_or_default()),
                };
                (f.key, value)
            })
            .collect()
    }
}

/// " of mm" for a field with a unit, "" for a dimensionless one.
fn unit_of(key: &str) -> String {
    match field(key).map(|f| f.unit) {
        Some("") | None => String::new(),
        Some(unit) => format!(" of {unit}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(pairs: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        SettingsInput::from_pairs(pairs.iter().copied()).resolve()
    }

    #[test]
    fn numbers_as_people_type_them() {
        assert_eq!(parse_number(" 1,5 "), Ok(Some(1.5)));
        assert_eq!(parse_number("−0.2"), Ok(Some(-0.2)));
        assert_eq!(parse_number("1e-3"), Ok(Some(1e-3)));
        assert_eq!(parse_number(".5"), Ok(Some(0.5)));
        assert_eq!(parse_number(""), Ok(None));
        assert_eq!(parse_number("0,125"), Ok(Some(0.125)));
        assert!(parse_number("1,234").unwrap_err().contains("write 1.234 or 1234"));
        assert!(parse_number("1.000,5").unwrap_err().contains("ambiguous"));
        assert_eq!(parse_number("inf"), Err("“inf” is not a number".into()));
        assert_eq!(parse_number("1e999"), Err("“1e999” is too large".into()));
        assert_eq!(parse_number("0x10"), Err("“0x10” is not a number".into()));
        assert_eq!(parse_number("1e"), Err("“1e” is not a number".into()));
    }

    #[test]
    fn assignments() {
        assert_eq!(
            parse_assignments("R1=100, CPE2.alpha=0,9; R2 = 5e3"),
            Ok(vec![
                ("R1".into(), 100.0),
                ("CPE2.alpha".into(), 0.9),
                ("R2".into(), 5e3)
            ])
        );
        assert!(parse_assignments("R1").unwrap_err().contains("NAME=VALUE"));
        assert!(parse_assignments("R1=abc").unwrap_err().starts_with("R1: "));
    }

    #[test]
    fn defaults_fill_empty_fields() {
        let s = resolve(&[("thickness_mm", ""), ("eps_r", " ")]).unwrap();
        assert_eq!(s.geometry, None);
        assert_eq!(s.eps_r, 10.0);
        assert_eq!(s.c_norm_max_f_per_cm, 1e-9);
        assert_eq!(s.circuit, CircuitChoice::Auto);
    }

    #[test]
    fn a_geometry_from_thickness_and_diameter() {
        let s = resolve(&[("thickness_mm", "1,0"), ("diameter_mm", "10")]).unwrap();
        let g = s.geometry.unwrap();
        assert!((g.thickness_cm - 0.1).abs() < 1e-15);
        assert!((g.area_cm2 - std::f64::consts::PI * 0.25).abs() < 1e-15);
    }

    #[test]
    fn each_error_names_its_field() {
        type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
        let cases: &[Case] = &[
            (
                &[("thickness_mm", "-1"), ("diameter_mm", "10")],
                "thickness_mm",
                "the thickness must be a positive number of mm, not -1",
            ),
            (
                &[("thickness_mm", "1"), ("diameter_mm", "abc")],
                "diameter_mm",
                "“abc” is not a number",
            ),
            (
                &[("thickness_mm", "1")],
                "diameter_mm",
                "the pellet's thickness needs a diameter or an area",
            ),
            (
                &[("diameter_mm", "10")],
                "thickness_mm",
                "the pellet's thickness is needed with a diameter or an area",
            ),
            (
                &[("thickness_mm", "1"), ("diameter_mm", "10"), ("area_cm2", "1")],
                "area_cm2",
                "give the pellet's diameter or its area, not both",
            ),
            (
                &[("fmin_hz", "100"), ("fmax_hz", "10")],
                "fmin_hz",
                "fit from (100 Hz) must be below fit up to (10 Hz)",
            ),
            (
                &[("weighting", "square")],
                "weighting",
                "must be modulus or unit, not “square”",
            ),
            (&[("eps_r", "0")], "eps_r", "ε_r must be a positive number, not 0"),
            (
                &[("lead_ohm", "-2")],
                "lead_ohm",
                "the lead resistance must be zero or a positive number of Ω, not -2",
            ),
            (&[("thickness", "1")], "thickness", "unknown setting “thickness”"),
        ];
        for (pairs, field, message) in cases {
            let e = resolve(pairs).unwrap_err();
            assert_eq!(&e.field, field, "{pairs:?}");
            assert!(e.message.starts_with(message), "{pairs:?}: {}", e.message);
        }
        assert!(resolve(&[("circuit", "R1-p(R2")]).unwrap_err().field == "circuit");
    }

    #[test]
    fn numbers_and_pairs_from_a_script() {
        let mut input = SettingsInput::default();
        input.0.insert("thickness_mm".into(), Some(InputValue::Number(2.0)));
        input.0.insert("diameter_mm".into(), Some(InputValue::Number(10.0)));
        input
            .0
            .insert("init".into(), Some(InputValue::Pairs(vec![("R1".into(), 5.0)])));
        let s = input.resolve().unwrap();
        assert!((s.geometry.unwrap().thickness_cm - 0.2).abs() < 1e-15);
        assert_eq!(s.fit.init, vec![("R1".to_string(), 5.0)]);
        input.0.insert("eps_r".into(), Some(InputValue::Number(f64::NAN)));
        assert_eq!(input.resolve().unwrap_err().field, "eps_r");
    }

    #[test]
    fn repeated_assignments_collect() {
        let mut input = SettingsInput::default();
        input.set("fix", "R1=1");
        input.set("fix", "R2=2");
        assert_eq!(
            input.resolve().unwrap().fit.fix,
            vec![("R1".into(), 1.0), ("R2".into(), 2.0)]
        );
    }

    #[test]
    fn the_effective_settings_are_data() {
        let input = SettingsInput::from_pairs([("thickness_mm", "0,85"), ("diameter_mm", "10"), ("fix", "R1=2")]);
        let e = input.effective();
        assert_eq!(e["thickness_mm"], serde_json::json!(0.85));
        assert_eq!(e["eps_r"], serde_json::json!(10.0));
        assert_eq!(e["area_cm2"], serde_json::Value::Null);
        assert_eq!(e["weighting"], serde_json::json!("modulus"));
        assert_eq!(e["fix"], serde_json::json!([["R1", 2.0]]));
        assert_eq!(e.len(), FIELDS.len());
    }

    #[test]
    fn ids_and_flags_follow_the_key() {
        let f = field("thickness_mm").unwrap();
        assert_eq!(f.id(), "thickness-mm");
        assert_eq!(f.flag(), "--thickness-mm");
        assert_eq!(field("fmin_hz").unwrap().cli_aliases, &["--fmin"]);
    }
}
