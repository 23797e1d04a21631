//! One spectrum in, everything a user reads out: the fit, R_con, σ_eff, the
//! circuit choice and the capacitance attribution. The CLI and the web page
//! both call [`analyse`] and serialise its [`Analysis`].

use crate::attribution::{self, ArcCapacitor, Attribution};
use crate::choice::{self, Candidate, Choice, Method, PaperRule, RConStatus};
use crate::circuit::Arc;
use crate::fit::{self, FitError, FitOptions, FitResult, FitStats, ParamStatus};
use crate::pellet::{self, ContactResistance, Geometry, Measured};
use crate::preset::{CircuitChoice, Kind, Preset};
use crate::spectrum::{ImagConvention, Spectrum};
use num_complex::Complex64;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// Everything the user sets for one analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub circuit: CircuitChoice,
    pub fit: FitOptions,
    pub geometry: Option<Geometry>,
    pub lead_ohm: f64,
    pub eps_r: f64,
    pub particle_um: f64,
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
        }
    }
}

/// Why an analysis failed.
#[derive(Debug, Clone, PartialEq)]
pub enum AnalysisError {
    Fit(FitError),
    Settings(String),
}

impl fmt::Display for AnalysisError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnalysisError::Fit(e) => e.fmt(f),
            AnalysisError::Settings(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for AnalysisError {}

impl From<FitError> for AnalysisError {
    fn from(e: FitError) -> Self {
        AnalysisError::Fit(e)
    }
}

/// One parameter in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParamReport {
    pub value: f64,
    pub stderr: Option<f64>,
    pub unit: &'static str,
    pub status: ParamStatus,
}

/// R_con in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RConReport {
    pub value: f64,
    pub stderr: Option<f64>,
    pub fitted_dc_ohm: f64,
    pub lead_ohm: f64,
    pub status: Option<RConStatus>,
}

/// What the importer made of the file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpectrumReport {
    pub n_points: usize,
    pub n_fitted: usize,
    pub f_min_hz: f64,
    pub f_max_hz: f64,
    pub imag_convention: ImagConvention,
    pub imag_convention_text: &'static str,
    pub warnings: Vec<String>,
}

/// Correlation matrix of the free parameters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Correlation {
    pub names: Vec<String>,
    pub matrix: Vec<Vec<f64>>,
}

/// The serialisable result of one analysis (the CLI's JSON object).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    pub file: String,
    pub circuit: String,
    pub preset: Option<Preset>,
    pub kind: Kind,
    pub params: BTreeMap<String, ParamReport>,
    /// Parameter names in circuit order (JSON objects do not keep order everywhere).
    pub param_order: Vec<String>,
    pub r_con_ohm: Option<RConReport>,
    /// Why there is no R_con, when there is none.
    pub r_con_note: Option<String>,
    #[serde(rename = "sigma_S_per_cm")]
    pub sigma_s_per_cm: Option<Measured>,
    pub geometry: Option<Geometry>,
    pub stats: FitStats,
    pub correlation: Option<Correlation>,
    pub choice: Choice,
    pub capacitance: Option<Attribution>,
    /// Why there is no attribution, when there is none.
    pub capacitance_note: Option<String>,
    pub spectrum: SpectrumReport,
    /// What the user should know about the quality of this result.
    pub notes: Vec<String>,
}

/// The analysis and the fit behind it (for plotting and further work).
#[derive(Debug, Clone)]
pub struct Outcome {
    pub analysis: Analysis,
    pub fit: FitResult,
}

/// Fits, chooses and explains.
pub fn analyse(spectrum: &Spectrum, settings: &Settings) -> Result<Outcome, AnalysisError> {
    for (name, value) in [("eps_r", settings.eps_r), ("particle diameter", settings.particle_um)] {
        if !(value.is_finite() && value > 0.0) {
            return Err(AnalysisError::Settings(format!(
                "{name} must be a positive number, got {value}"
            )));
        }
    }
    let (fit, kind, method, candidates, delta_bic) = match &settings.circuit {
        CircuitChoice::Preset(preset) => {
            let fit = fit::fit(spectrum, &preset.circuit(), Some(*preset), &settings.fit)?;
            (fit, preset.kind(), Method::User, Vec::new(), None)
        }
        CircuitChoice::Custom(circuit) => {
            let fit = fit::fit(spectrum, circuit, None, &settings.fit)?;
            (fit, Kind::Custom, Method::User, Vec::new(), None)
        }
        CircuitChoice::Auto => auto(spectrum, settings)?,
    };
    Ok(explain(spectrum, settings, fit, kind, method, candidates, delta_bic))
}

type AutoPick = (FitResult, Kind, Method, Vec<Candidate>, Option<f64>);

fn auto(spectrum: &Spectrum, settings: &Settings) -> Result<AutoPick, AnalysisError> {
    // --init/--fix name parameters of one circuit; apply them where they exist.
    let mut fits = Vec::new();
    let mut last_error = None;
    for preset in [Preset::Inductive, Preset::Semicircle] {
        let circuit = preset.circuit();
        let mut options = settings.fit.clone();
        options.init.retain(|(n, _)| circuit.param_index(n).is_some());
        options.fix.retain(|(n, _)| circuit.param_index(n).is_some());
        match fit::fit(spectrum, &circuit, Some(preset), &options) {
            Ok(f) => fits.push((preset, f)),
            Err(e) => last_error = Some(e),
        }
    }
    let candidates: Vec<Candidate> = fits
        .iter()
        .map(|(preset, f)| {
            let (r_con, sigma) = r_con_and_sigma(f, settings, largest_fitted_z(spectrum, f));
            Candidate {
                preset: *preset,
                bic: f.stats.bic,
                converged: f.stats.converged,
                rms_relative: f.stats.rms_relative,
                r_con_ohm: r_con.ok().map(|r| r.value),
                sigma_s_per_cm: sigma.map(|s| s.value),
            }
        })
        .collect();
    let Some((index, method, delta)) = choice::pick(&candidates) else {
        return Err(last_error
            .map(AnalysisError::Fit)
            .unwrap_or_else(|| AnalysisError::Settings("neither circuit could be fitted".into())));
    };
    let kind = candidates[index].preset.kind();
    let fit = fits.swap_remove(index).1;
    Ok((fit, kind, method, candidates, Some(delta)))
}

fn explain(
    spectrum: &Spectrum,
    settings: &Settings,
    fit: FitResult,
    kind: Kind,
    method: Method,
    candidates: Vec<Candidate>,
    delta_bic: Option<f64>,
) -> Outcome {
    let fitted: Vec<(f64, Complex64)> = fitted_points(spectrum, &fit).collect();
    let f_min = fitted.first().map_or(f64::NAN, |p| p.0);
    let f_max = fitted.last().map_or(f64::NAN, |p| p.0);
    // Points are sorted by frequency: the first fitted one is the lowest.
    let lowest_re = fitted.first().map_or(f64::NAN, |p| p.1.re);

    let largest_z = largest_fitted_z(spectrum, &fit);
    let (r_con, sigma) = r_con_and_sigma(&fit, settings, largest_z);
    let arc = main_arc(&fit, largest_z);
    let mut capacitance_note = None;
    let mut capacitance = None;
    match &arc {
        Ok(arc) => {
            let stderr = fit.propagate(|v| arc_c_eff(arc, v));
            capacitance = attribution::attribute(
                &arc.label,
                fit.values[arc.resistor],
                arc_capacitor(arc, &fit.values),
                stderr,
                settings.geometry.as_ref(),
                settings.eps_r,
                settings.particle_um,
            );
            if capacitance.is_none() {
                capacitance_note = Some(format!(
                    "{} has no effective capacitance (a CPE needs 0 < α ≤ 1).",
                    arc.label
                ));
            }
        }
        Err(why) => capacitance_note = Some(why.clone()),
    }
    let apex = match (&capacitance, &arc) {
        (Some(c), Ok(arc)) => choice::apex(fit.values[arc.resistor], c.c_eff_f, f_min, f_max),
        _ => None,
    };
    let (status, status_reason) = match &r_con {
        Ok(r) => {
            let (s, why) = choice::r_con_status(r.fitted_dc_ohm, lowest_re, f_min, apex.as_ref());
            (Some(s), why)
        }
        Err(why) => (None, format!("no R_con: {why}")),
    };
    if let (Some(c), Some(RConStatus::Extrapolated)) = (capacitance.as_mut(), status) {
        c.paragraph.insert_str(
            0,
            "R_con is extrapolated here, so read these numbers as estimates outside the measured window. ",
        );
    }
    // A custom circuit is judged by what it can draw: an arc, or only an inductive tail.
    let shape = match kind {
        Kind::Custom if arc.is_ok() => Kind::Semicircle,
        Kind::Custom if fit.circuit.can_be_inductive() => Kind::Inductive,
        other => other,
    };
    let paper_rule = sigma.as_ref().map(|s| {
        let suggests = choice::rule_suggests(s.value);
        PaperRule {
            threshold_s_per_cm: choice::PAPER_THRESHOLD_S_PER_CM,
            suggests,
            agrees: suggests == shape,
        }
    });
    let mut decision = Choice {
        method,
        kind,
        circuit: fit.circuit.text().to_string(),
        candidates,
        delta_bic,
        sigma_s_per_cm: sigma.map(|s| s.value),
        paper_rule,
        boundary: choice::boundary(f_max, capacitance.as_ref().and_then(|c| c.c_norm_f_per_cm)),
        f_min_hz: f_min,
        f_max_hz: f_max,
        apex,
        r_con_status: status,
        r_con_status_reason: status_reason,
        sentence: String::new(),
    };
    decision.sentence = choice::sentence(&decision);

    let params = fit
        .params
        .iter()
        .map(|p| {
            (
                p.name.clone(),
                ParamReport {
                    value: p.value,
                    stderr: p.stderr,
                    unit: p.unit,
                    status: p.status,
                },
            )
        })
        .collect();
    let notes = quality_notes(&fit);
    let analysis = Analysis {
        file: spectrum.name.clone(),
        circuit: fit.circuit.text().to_string(),
        preset: fit.preset,
        kind,
        params,
        param_order: fit.params.iter().map(|p| p.name.clone()).collect(),
        r_con_note: r_con.as_ref().err().cloned(),
        r_con_ohm: r_con.ok().map(|r| RConReport {
            value: r.value,
            stderr: r.stderr,
            fitted_dc_ohm: r.fitted_dc_ohm,
            lead_ohm: r.lead_ohm,
            status,
        }),
        sigma_s_per_cm: sigma,
        geometry: settings.geometry,
        stats: fit.stats.clone(),
        correlation: fit.correlation().map(|(names, matrix)| Correlation { names, matrix }),
        choice: decision,
        capacitance,
        capacitance_note,
        spectrum: SpectrumReport {
            n_points: spectrum.len(),
            n_fitted: fitted.len(),
            f_min_hz: spectrum.f_min(),
            f_max_hz: spectrum.f_max(),
            imag_convention: spectrum.imag_convention,
            imag_convention_text: spectrum.imag_convention.describe(),
            warnings: spectrum.warnings.clone(),
        },
        notes,
    };
    Outcome { analysis, fit }
}

/// rms relative misfit above which the circuit is said to describe the data poorly.
pub const POOR_MISFIT: f64 = 0.05;

fn quality_notes(fit: &FitResult) -> Vec<String> {
    let mut notes = Vec::new();
    let stats = &fit.stats;
    if !stats.converged {
        notes.push(format!(
            "The fit did not converge ({}): treat the numbers with care.",
            stats.termination
        ));
    }
    if !(stats.rms_relative <= POOR_MISFIT) {
        notes.push(format!(
            "The circuit describes the data poorly: the rms misfit is {:.1} % (a clean spectrum fits to 1–2 %). \
             Consider another circuit or a narrower frequency range.",
            100.0 * stats.rms_relative
        ));
    }
    for p in &fit.params {
        let bound = match p.status {
            ParamStatus::AtLowerBound => "lower",
            ParamStatus::AtUpperBound => "upper",
            _ => continue,
        };
        notes.push(format!(
            "{} sits at its {bound} bound ({}); it was held there, so it has no standard error.",
            p.name, p.value
        ));
    }
    if fit.covariance.is_none() && stats.n_free > 0 {
        notes.push(
            "The parameters are not all identifiable from these data (the Jacobian is singular): no standard errors."
                .to_string(),
        );
    }
    notes
}

/// The points the fit used, as (frequency in Hz, Z), lowest frequency first.
fn fitted_points<'a>(spectrum: &'a Spectrum, fit: &'a FitResult) -> impl Iterator<Item = (f64, Complex64)> + 'a {
    spectrum
        .freq_hz
        .iter()
        .zip(&spectrum.z)
        .zip(&fit.fitted)
        .filter(|(_, keep)| **keep)
        .map(|((f, z), _)| (*f, *z))
}

fn largest_fitted_z(spectrum: &Spectrum, fit: &FitResult) -> f64 {
    fitted_points(spectrum, fit).map(|(_, z)| z.norm()).fold(0.0, f64::max)
}

/// R_con (or why there is none) and, with a geometry, σ_eff.
fn r_con_and_sigma(
    fit: &FitResult,
    settings: &Settings,
    largest_measured_ohm: f64,
) -> (Result<ContactResistance, String>, Option<Measured>) {
    let r_con = pellet::contact_resistance(fit, settings.lead_ohm, largest_measured_ohm);
    let sigma = match (&r_con, &settings.geometry) {
        (Ok(r), Some(g)) => Some(pellet::conductivity(r, g)),
        _ => None,
    };
    (r_con, sigma)
}

/// The semicircle to attribute: of the circuit's R ‖ C and R ‖ CPE pairs, the one
/// with the largest resistance (it dominates R_con), unless that resistance ran away.
fn main_arc(fit: &FitResult, largest_measured_ohm: f64) -> Result<Arc, String> {
    let arc = fit
        .circuit
        .arcs()
        .into_iter()
        .max_by(|a, b| fit.values[a.resistor].total_cmp(&fit.values[b.resistor]))
        .ok_or_else(|| match fit.preset {
            Some(Preset::Inductive) => {
                "No semicircle in the inductive circuit: its CPE (α < 0) describes the leads' inductance, not the pellet."
                    .to_string()
            }
            _ => "The circuit has no resistor in parallel with a capacitor or CPE, so there is no semicircle to attribute."
                .to_string(),
        })?;
    let r = fit.values[arc.resistor];
    if !(r <= pellet::RUNAWAY_FACTOR * largest_measured_ohm) {
        return Err(format!(
            "The arc's resistor {} ran away to {r:.3e} ohm (the data show no DC plateau), so its capacitance means nothing.",
            fit.circuit.params()[arc.resistor].name
        ));
    }
    Ok(arc)
}

fn arc_capacitor(arc: &Arc, values: &[f64]) -> ArcCapacitor {
    let at = |i: usize| values.get(i).copied().unwrap_or(f64::NAN);
    if arc.is_cpe {
        ArcCapacitor::Cpe {
            q: at(arc.capacitor),
            alpha: at(arc.capacitor + 1),
        }
    } else {
        ArcCapacitor::Ideal { c: at(arc.capacitor) }
    }
}

fn arc_c_eff(arc: &Arc, values: &[f64]) -> Option<f64> {
    let r = values.get(arc.resistor).copied()?;
    match arc_capacitor(arc, values) {
        ArcCapacitor::Cpe { q, alpha } => attribution::effective_capacitance(q, alpha, r),
        ArcCapacitor::Ideal { c } => Some(c),
    }
}
