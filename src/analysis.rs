//! One spectrum in, everything a user reads out, as data: the fit, R_con, σ_eff,
//! the circuit choice and the capacitance attribution. The CLI and the web page
//! both call [`analyse`]; the prose that explains an [`Analysis`] is written by
//! [`crate::report`], in the style each face needs.

use crate::attribution::{self, ArcCapacitor, Attribution};
use crate::choice::{self, Candidate, Choice, Method, PaperRule, RConStatus};
use crate::circuit::{Arc, ParamKind};
use crate::fit::{self, FitError, FitResult, FitStats, ParamStatus, Prepared, Start, Tolerance};
use crate::pellet::{self, ContactResistance, Geometry, Measured, RConMissing};
use crate::preset::{CircuitChoice, Kind, Preset};
use crate::settings::SettingsError;
use crate::spectrum::{ImagConvention, Spectrum};
use num_complex::Complex64;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

pub use crate::settings::Settings;

/// Why an analysis failed.
#[derive(Debug, Clone, PartialEq)]
pub enum AnalysisError {
    Fit(FitError),
    Settings(SettingsError),
}

impl fmt::Display for AnalysisError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnalysisError::Fit(e) => e.fmt(f),
            AnalysisError::Settings(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for AnalysisError {}

impl From<FitError> for AnalysisError {
    fn from(e: FitError) -> Self {
        AnalysisError::Fit(e)
    }
}

/// One parameter in the result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParamReport {
    pub value: f64,
    pub stderr: Option<f64>,
    pub unit: &'static str,
    pub status: ParamStatus,
}

/// R_con in the result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RConReport {
    pub value: f64,
    pub stderr: Option<f64>,
    pub fitted_dc_ohm: f64,
    pub lead_ohm: f64,
    pub status: RConStatus,
}

/// What the importer made of the file (the whole spectrum; the fitted window is in `choice`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpectrumReport {
    pub n_points: usize,
    pub n_fitted: usize,
    pub f_min_hz: f64,
    pub f_max_hz: f64,
    pub imag_convention: ImagConvention,
    pub warnings: Vec<String>,
}

/// Correlation matrix of the free parameters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Correlation {
    pub names: Vec<String>,
    pub matrix: Vec<Vec<f64>>,
}

/// Which bound a parameter ended at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BoundSide {
    Lower,
    Upper,
}

/// Something the user should know about the quality of a result.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "issue")]
pub enum Quality {
    NotConverged {
        termination: String,
    },
    /// rms relative misfit above [`POOR_MISFIT`].
    PoorFit {
        rms_relative: f64,
    },
    AtBound {
        param: String,
        value: f64,
        bound: BoundSide,
    },
    /// The Jacobian is singular: no standard errors.
    NotIdentifiable,
    /// Z hardly changes with frequency (rms spread below [`FLAT_SPREAD`] of its mean):
    /// a pure resistance, whose other parameters the data cannot determine.
    FlatSpectrum {
        spread_relative: f64,
    },
}

/// Why there is no capacitance to attribute.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum CapacitanceMissing {
    /// The inductive circuit has no semicircle: its CPE (α < 0) describes the leads.
    InductiveCircuit,
    /// No resistor in parallel with a capacitor or CPE.
    NoArc,
    /// The arc's resistor ran away (no DC plateau in the data).
    RunawayResistor { element: String, r_ohm: f64 },
    /// A CPE with α outside (0, 1] has no effective capacitance.
    NoEffectiveCapacitance { element: String },
    /// The arc's resistor is below [`NEGLIGIBLE_ARC`] of the largest |Z|: the data show
    /// no arc, and its capacitor is not determined by them.
    NegligibleArc { element: String, r_ohm: f64 },
}

/// The inductance of the leads, where the inductive CPE ended as an inductor (α = −1):
/// Z = iωL with L = 1/Q.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadInductance {
    pub element: String,
    pub inductance_h: f64,
    pub stderr_h: Option<f64>,
}

/// The result of one analysis, as data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    pub file: String,
    pub circuit: String,
    /// The same circuit in Boukamp's circuit description code, e.g. `R(RQ)`.
    pub circuit_boukamp: String,
    pub preset: Option<Preset>,
    pub kind: Kind,
    pub params: BTreeMap<String, ParamReport>,
    /// Parameter names in circuit order (JSON objects do not keep order everywhere).
    pub param_order: Vec<String>,
    pub r_con_ohm: Option<RConReport>,
    /// Why there is no R_con, when there is none.
    pub r_con_missing: Option<RConMissing>,
    #[serde(rename = "sigma_S_per_cm")]
    pub sigma_s_per_cm: Option<Measured>,
    pub geometry: Option<Geometry>,
    pub stats: FitStats,
    /// Whether the chosen fit's descent started from the automatic guess or from the
    /// previous spectrum's fit ([`analyse_from`]).
    pub start: Start,
    pub correlation: Option<Correlation>,
    pub choice: Choice,
    pub capacitance: Option<Attribution>,
    /// Why there is no attribution, when there is none.
    pub capacitance_missing: Option<CapacitanceMissing>,
    pub lead_inductance: Option<LeadInductance>,
    pub spectrum: SpectrumReport,
    pub quality: Vec<Quality>,
}

/// The analysis and the fit behind it (for plotting and further work).
#[derive(Debug, Clone)]
pub struct Outcome {
    pub analysis: Analysis,
    pub fit: FitResult,
}

/// A fit's values, for the next spectrum of a series to start from ([`analyse_from`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StartHint {
    /// The fitted circuit as [`crate::circuit::Circuit::text`] writes it.
    pub circuit: String,
    /// Parameter name and value, in circuit order.
    pub values: Vec<(String, f64)>,
}

impl Outcome {
    /// The chosen fit's circuit and values, as the start of the next spectrum's fit.
    pub fn start_hint(&self) -> StartHint {
        StartHint {
            circuit: self.fit.circuit.text().to_string(),
            values: self.fit.params.iter().map(|p| (p.name.clone(), p.value)).collect(),
        }
    }
}

/// Fits, chooses and explains.
pub fn analyse(spectrum: &Spectrum, settings: &Settings) -> Result<Outcome, AnalysisError> {
    analyse_from(spectrum, settings, None)
}

/// [`analyse`], where a circuit to be fitted is the hint's circuit, starting from the
/// hint's values when their weighted misfit is lower than the automatic guess's (a
/// spectrum in a series usually lies close to its predecessor). `--init` values still
/// replace the hint's values they name and `--fix` values always hold. A hint for another
/// circuit, or one whose names or values do not fit the circuit, is ignored.
pub fn analyse_from(
    spectrum: &Spectrum,
    settings: &Settings,
    hint: Option<&StartHint>,
) -> Result<Outcome, AnalysisError> {
    // Settings built in code bypass SettingsInput::resolve: check what the diagnosis divides by.
    for (key, value) in [
        ("eps_r", settings.eps_r),
        ("particle_um", settings.particle_um),
        ("c_norm_max_f_per_cm", settings.c_norm_max_f_per_cm),
    ] {
        if !(value.is_finite() && value > 0.0) {
            return Err(AnalysisError::Settings(SettingsError {
                field: key.to_string(),
                message: format!("must be a positive number, not {value}"),
            }));
        }
    }
    let circuits: Vec<crate::circuit::Circuit> = match &settings.circuit {
        CircuitChoice::Preset(preset) => vec![preset.circuit()],
        CircuitChoice::Custom(circuit) => vec![circuit.clone()],
        CircuitChoice::Auto => vec![Preset::Inductive.circuit(), Preset::Semicircle.circuit()],
    };
    check_parameter_names(settings, &circuits)?;
    check_fit_range(spectrum, settings)?;
    check_magnitudes(spectrum)?;
    let previous = |circuit: &crate::circuit::Circuit| {
        hint.filter(|h| h.circuit == circuit.text())
            .map(|h| h.values.as_slice())
    };
    let pick = match &settings.circuit {
        CircuitChoice::Preset(preset) => {
            let circuit = preset.circuit();
            let (fit, start) = fit::fit_from(spectrum, &circuit, Some(*preset), &settings.fit, previous(&circuit))?;
            Pick::user(finite(fit)?, start, preset.kind())
        }
        CircuitChoice::Custom(circuit) => {
            let (fit, start) = fit::fit_from(spectrum, circuit, None, &settings.fit, previous(circuit))?;
            Pick::user(finite(fit)?, start, Kind::Custom)
        }
        CircuitChoice::Auto => auto(spectrum, settings, hint)?,
    };
    Ok(explain(spectrum, settings, pick))
}

/// A starting or fixed value must name a parameter of a circuit that will be fitted
/// (of either one, for `auto`): a misspelt name is an error of that setting, not ignored.
fn check_parameter_names(settings: &Settings, circuits: &[crate::circuit::Circuit]) -> Result<(), AnalysisError> {
    for (key, pairs) in [("init", &settings.fit.init), ("fix", &settings.fit.fix)] {
        for (name, _) in pairs.iter() {
            if !circuits.iter().any(|c| c.param_index(name).is_some()) {
                let texts: Vec<&str> = circuits.iter().map(|c| c.text()).collect();
                let names: Vec<String> = circuits
                    .iter()
                    .flat_map(|c| c.params().iter().map(|p| p.name.clone()))
                    .collect();
                return Err(AnalysisError::Settings(SettingsError {
                    field: key.to_string(),
                    message: format!(
                        "{name} is not a parameter of {}; the parameters are {}",
                        texts.join(" or "),
                        names.join(", ")
                    ),
                }));
            }
        }
    }
    Ok(())
}

/// |Z| a fit takes, in Ω: far beyond any instrument (µΩ to TΩ), and narrow enough that
/// a fit's weights (1/|Z|²) times its squared residuals stay inside f64's range across
/// the whole spectrum (the fuzzer overflowed them with |Z| from 1e-91 to 1e98 Ω).
pub const IMPEDANCE_RANGE_OHM: (f64, f64) = (1e-30, 1e30);

/// Frequencies a fit takes, in Hz: far beyond any instrument (µHz to GHz), and narrow
/// enough that ω², ω^α and their derivatives stay finite.
pub const FREQUENCY_RANGE_HZ: (f64, f64) = (1e-30, 1e30);

/// A spectrum whose |Z| or frequency leaves [`IMPEDANCE_RANGE_OHM`] or
/// [`FREQUENCY_RANGE_HZ`] is refused, naming the point: its fit would end in
/// infinities, not in a wrong-but-finite number.
fn check_magnitudes(spectrum: &Spectrum) -> Result<(), FitError> {
    let (lo, hi) = IMPEDANCE_RANGE_OHM;
    let (f_lo, f_hi) = FREQUENCY_RANGE_HZ;
    for (f, z) in spectrum.freq_hz.iter().zip(&spectrum.z) {
        if !(*f >= f_lo && *f <= f_hi) {
            return Err(FitError(format!(
                "the frequency {f:e} Hz lies outside the {f_lo:e} to {f_hi:e} Hz a fit can take: check the file's units"
            )));
        }
        if !(z.norm() >= lo && z.norm() <= hi) {
            return Err(FitError(format!(
                "at {} |Z| = {:e} Ω lies outside the {lo:e} to {hi:e} Ω a fit can take: check the file's units",
                crate::numfmt::hz(*f, crate::numfmt::Style::Ascii),
                z.norm()
            )));
        }
    }
    Ok(())
}

/// A fit whose residual is not a finite number diverged: it is an error, not a result
/// whose numbers would be NaN or infinite.
fn finite(fit: FitResult) -> Result<FitResult, FitError> {
    if fit.stats.rss.is_finite() && fit.stats.rms_relative.is_finite() && fit.values.iter().all(|v| v.is_finite()) {
        Ok(fit)
    } else {
        Err(FitError(format!(
            "the fit of {} diverged (its residual or a parameter is not a finite number)",
            fit.circuit.text()
        )))
    }
}

/// Fewest points a fit range may leave: the presets have up to four parameters.
pub const MIN_POINTS_IN_RANGE: usize = 5;

/// A fit range that leaves too few points is an error of the range's setting.
fn check_fit_range(spectrum: &Spectrum, settings: &Settings) -> Result<(), AnalysisError> {
    let (lo, hi) = (settings.fit.fmin, settings.fit.fmax);
    let excluded = &settings.fit.exclude_hz;
    if let Some(f) = crate::exclude::unmatched(&spectrum.freq_hz, excluded) {
        return Err(AnalysisError::Settings(SettingsError {
            field: "exclude_f_hz".to_string(),
            message: format!(
                "no point of {} lies within {} of the excluded frequency {}",
                spectrum.name,
                crate::numfmt::percent(crate::exclude::RELATIVE_TOLERANCE, 2, crate::numfmt::Style::Ascii),
                crate::numfmt::hz(f, crate::numfmt::Style::Ascii)
            ),
        }));
    }
    if lo.is_none() && hi.is_none() && excluded.is_empty() {
        return Ok(());
    }
    // The fit's own mask; a range it refuses outright (fmin ≥ fmax) holds no point.
    let inside = fit::fit_mask(spectrum, &settings.fit).map_or(0, |mask| mask.iter().filter(|k| **k).count());
    if inside >= MIN_POINTS_IN_RANGE {
        return Ok(());
    }
    let style = crate::numfmt::Style::Ascii;
    let range = match (lo, hi) {
        (Some(lo), Some(hi)) => format!(
            "between {} and {}",
            crate::numfmt::hz(lo, style),
            crate::numfmt::hz(hi, style)
        ),
        (Some(lo), None) => format!("at or above {}", crate::numfmt::hz(lo, style)),
        (None, Some(hi)) => format!("at or below {}", crate::numfmt::hz(hi, style)),
        (None, None) => "in the spectrum".to_string(),
    };
    let range = if excluded.is_empty() {
        range
    } else {
        format!("{range} and are not excluded")
    };
    Err(AnalysisError::Settings(SettingsError {
        field: match (lo, hi) {
            (Some(_), _) => "fmin_hz",
            (None, Some(_)) => "fmax_hz",
            (None, None) => "exclude_f_hz",
        }
        .to_string(),
        message: format!(
            "only {inside} of the spectrum's {} points lie {range} ({} to {} measured); a fit needs at least {MIN_POINTS_IN_RANGE}",
            spectrum.len(),
            crate::numfmt::hz(spectrum.f_min(), style),
            crate::numfmt::hz(spectrum.f_max(), style)
        ),
    }))
}

/// The fit to explain and how it was chosen.
struct Pick {
    fit: FitResult,
    start: Start,
    kind: Kind,
    method: Method,
    candidates: Vec<Candidate>,
    delta_bic: Option<f64>,
}

impl Pick {
    fn user(fit: FitResult, start: Start, kind: Kind) -> Pick {
        Pick {
            fit,
            start,
            kind,
            method: Method::User,
            candidates: Vec::new(),
            delta_bic: None,
        }
    }
}

/// Fits both circuits and picks one ([`choice::pick`]).
///
/// The circuit whose data lie least beyond its reach (the lower
/// [`Prepared::bic_floor`]: Re Z < 0, or Im Z on the side of the real axis its Im Z
/// never reaches) is fitted first, in full, as by [`fit::fit`]. The other one cannot
/// be chosen when even its floor lies [`choice::BIC_TIE`] or more above that finished
/// fit's BIC: it can be neither the lower BIC nor within the tie where the paper's rule
/// decides, whatever its descent finds. Then it is only fitted to be ranked: one
/// descent to the coarser [`Tolerance::Ranking`], without the rescue from twelve
/// spread starts, and its candidate says `rescue_skipped` where its descent was poor.
/// Otherwise it is fitted in full, and its rescue is left out too when the choice is
/// already decided: the finished fit describes the data to the noise (converged, rms
/// misfit within [`fit::POOR_FIT_RMS`]) and this circuit's first descent, to the
/// ranking tolerance, is poor and lies [`choice::BIC_TIE`] or more behind it (where it
/// does not, the descent is repeated from the same start to the full tolerance, rescue
/// included, so that a circuit that may be chosen is fitted exactly as by [`fit::fit`]).
/// That is a judgement, not a bound: a rescue
/// exists for a descent stuck far from a good minimum, and next to a fit to the noise a
/// circuit that misses by more than the tie is taken to miss because it cannot draw the
/// spectrum (an arc against an inductive tail, or the reverse). Where neither circuit
/// fits well, or the two lie within the tie, every rescue runs. In the plain cases (an inductive
/// tail, or an arc, fitted to the noise) this leaves out the twelve descents, and a
/// long creep to 1e-10, of a circuit that cannot draw the spectrum at all.
fn auto(spectrum: &Spectrum, settings: &Settings, hint: Option<&StartHint>) -> Result<Pick, AnalysisError> {
    let circuits = [
        (Preset::Inductive, Preset::Inductive.circuit()),
        (Preset::Semicircle, Preset::Semicircle.circuit()),
    ];
    let mut prepared = Vec::new();
    let mut last_error = None;
    for (preset, circuit) in &circuits {
        // --init/--fix name parameters of one circuit; apply them where they exist.
        let mut options = settings.fit.clone();
        options.init.retain(|(n, _)| circuit.param_index(n).is_some());
        options.fix.retain(|(n, _)| circuit.param_index(n).is_some());
        let previous = hint
            .filter(|h| h.circuit == circuit.text())
            .map(|h| h.values.as_slice());
        match Prepared::new(spectrum, circuit, Some(*preset), &options, previous) {
            Ok(p) => prepared.push((*preset, p.bic_floor(), p)),
            Err(e) => last_error = Some(e),
        }
    }
    prepared.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut fits: Vec<(Preset, FitResult, Start, bool)> = Vec::new();
    for (preset, floor, p) in prepared {
        let cannot_win = fits.iter().any(|f| floor >= f.1.stats.bic + choice::BIC_TIE);
        let beside_a_fit_to_the_noise = fits.iter().any(|f| fits_to_the_noise(&f.1));
        let mut attempt = p.descend(if cannot_win || beside_a_fit_to_the_noise {
            Tolerance::Ranking
        } else {
            Tolerance::Full
        });
        let bic = attempt.bic();
        let already_decided = fits
            .iter()
            .any(|f| fits_to_the_noise(&f.1) && bic >= f.1.stats.bic + choice::BIC_TIE);
        let rescue_skipped = attempt.is_poor() && (cannot_win || already_decided);
        if !cannot_win && !rescue_skipped {
            // It may be chosen: fitted in full, from the same start, as by fit::fit.
            if attempt.tolerance() != Tolerance::Full {
                attempt = attempt.restart(Tolerance::Full);
            }
            if attempt.is_poor() {
                attempt.rescue();
            }
        }
        let start = attempt.start();
        match finite(attempt.finish_ranked()) {
            Ok(fit) => fits.push((preset, fit, start, rescue_skipped)),
            Err(e) => last_error = Some(e),
        }
    }
    // Candidates in the fixed order inductive, semicircle.
    fits.sort_by_key(|f| f.0 != Preset::Inductive);
    let candidates: Vec<Candidate> = fits
        .iter()
        .map(|(preset, f, _, rescue_skipped)| {
            let (r_con, sigma) = r_con_and_sigma(f, settings, largest_fitted_z(spectrum, f));
            Candidate {
                preset: *preset,
                bic: f.stats.bic,
                converged: f.stats.converged,
                rms_relative: f.stats.rms_relative,
                r_con_ohm: r_con.ok().map(|r| r.value),
                sigma_s_per_cm: sigma.map(|s| s.value),
                rescue_skipped: *rescue_skipped,
            }
        })
        .collect();
    let Some((index, method, delta)) = choice::pick(&candidates) else {
        return Err(last_error
            .map(AnalysisError::Fit)
            .unwrap_or_else(|| AnalysisError::Fit(FitError("neither circuit could be fitted".into()))));
    };
    let kind = candidates.get(index).map_or(Kind::Custom, |c| c.preset.kind());
    let (_, fit, start, _) = fits.swap_remove(index);
    let fit = fit::with_uncertainties(fit, spectrum);
    Ok(Pick {
        fit,
        start,
        kind,
        method,
        candidates,
        delta_bic: delta.is_finite().then_some(delta),
    })
}

/// Converged with an rms relative misfit within [`fit::POOR_FIT_RMS`].
fn fits_to_the_noise(fit: &FitResult) -> bool {
    fit.stats.converged && fit.stats.rms_relative <= fit::POOR_FIT_RMS
}

fn explain(spectrum: &Spectrum, settings: &Settings, pick: Pick) -> Outcome {
    let Pick {
        fit,
        start,
        kind,
        method,
        candidates,
        delta_bic,
    } = pick;
    let fitted: Vec<(f64, Complex64)> = fitted_points(spectrum, &fit).collect();
    let f_min = fitted.first().map_or(f64::NAN, |p| p.0);
    let f_max = fitted.last().map_or(f64::NAN, |p| p.0);

    let largest_z = largest_fitted_z(spectrum, &fit);
    let (r_con, sigma) = r_con_and_sigma(&fit, settings, largest_z);
    let arc = main_arc(&fit, largest_z);
    let mut capacitance_missing = None;
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
                capacitance_missing = Some(CapacitanceMissing::NoEffectiveCapacitance {
                    element: arc.label.clone(),
                });
            }
        }
        Err(why) => capacitance_missing = Some(why.clone()),
    }
    let apex = match (&capacitance, &arc) {
        (Some(c), Ok(arc)) => choice::apex(fit.values[arc.resistor], c.c_eff_f, f_min, f_max),
        _ => None,
    };
    let r_con_basis = r_con.as_ref().ok().map(|r| {
        // The lowest fitted points, lowest first, against the fitted curve there.
        let lowest: Vec<(f64, f64)> = fitted
            .iter()
            .take(choice::PLATEAU_POINTS)
            .map(|p| (p.0, p.1.re))
            .collect();
        let freqs: Vec<f64> = lowest.iter().map(|p| p.0).collect();
        let curve = fit.model(&freqs);
        let pairs: Vec<(f64, f64)> = lowest.iter().zip(&curve).map(|(p, z)| (p.1, z.re)).collect();
        let curve_at_f_min = curve.first().map_or(f64::NAN, |z| z.re);
        choice::r_con_basis(r.fitted_dc_ohm, curve_at_f_min, &pairs, f_min, apex.as_ref())
    });
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
    let decision = Choice {
        method,
        candidates,
        delta_bic,
        paper_rule,
        boundary: choice::boundary(
            settings.c_norm_max_f_per_cm,
            f_max,
            capacitance.as_ref().and_then(|c| c.c_norm_f_per_cm),
        ),
        fitted_f_min_hz: f_min,
        fitted_f_max_hz: f_max,
        arc_extrapolated: apex
            .as_ref()
            .is_some_and(|a| a.position == choice::ApexPosition::AboveWindow),
        apex,
        r_con: r_con_basis,
    };

    let params = fit
        .params
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let unit = if cpe_alpha_beside(&fit, i).is_some_and(|a| a < 0.0) {
                // Q of an inductive CPE (α < 0) is no capacitance: Z = 1/(Q (iω)^α).
                INDUCTIVE_CPE_Q_UNIT
            } else {
                p.unit
            };
            (
                p.name.clone(),
                ParamReport {
                    value: p.value,
                    stderr: p.stderr,
                    unit,
                    status: p.status,
                },
            )
        })
        .collect();
    let analysis = Analysis {
        file: spectrum.name.clone(),
        circuit: fit.circuit.text().to_string(),
        circuit_boukamp: fit.circuit.boukamp(),
        preset: fit.preset,
        kind,
        params,
        param_order: fit.params.iter().map(|p| p.name.clone()).collect(),
        r_con_missing: r_con.as_ref().err().cloned(),
        r_con_ohm: r_con.ok().map(|r| RConReport {
            value: r.value,
            stderr: r.stderr,
            fitted_dc_ohm: r.fitted_dc_ohm,
            lead_ohm: r.lead_ohm,
            status: decision.r_con.as_ref().map_or(RConStatus::Extrapolated, |b| b.status),
        }),
        sigma_s_per_cm: sigma,
        geometry: settings.geometry,
        stats: fit.stats.clone(),
        start,
        correlation: fit.correlation().map(|(names, matrix)| Correlation { names, matrix }),
        choice: decision,
        capacitance,
        capacitance_missing,
        lead_inductance: lead_inductance(&fit),
        spectrum: SpectrumReport {
            n_points: spectrum.len(),
            n_fitted: fitted.len(),
            f_min_hz: spectrum.f_min(),
            f_max_hz: spectrum.f_max(),
            imag_convention: spectrum.imag_convention,
            warnings: spectrum.warnings.clone(),
        },
        quality: quality(spectrum, &fit),
    };
    Outcome { analysis, fit }
}

/// α of the CPE whose Q is parameter `i` (a CPE's α follows its Q), or None when
/// parameter `i` is no CPE's Q.
fn cpe_alpha_beside(fit: &FitResult, i: usize) -> Option<f64> {
    let is_q = fit.circuit.params().get(i).is_some_and(|p| p.kind == ParamKind::CpeQ);
    if is_q { fit.values.get(i + 1).copied() } else { None }
}

/// Unit of Q for a CPE with α < 0: siemens times seconds to the α.
pub const INDUCTIVE_CPE_Q_UNIT: &str = "S·s^α";

/// rms relative misfit above which the circuit is said to describe the data poorly.
pub const POOR_MISFIT: f64 = 0.05;

/// rms relative misfit above which the fitted curve is no description of the data at
/// all (pure noise, a sign error): its DC limit is then no measurement of R_con.
pub const UNDESCRIBED_MISFIT: f64 = 0.5;

/// An arc's resistance below this share of the largest |Z| is no arc the data show: a
/// measured arc is at least a few points' noise (0.1 %) high, this is a thousand times less.
pub const NEGLIGIBLE_ARC: f64 = 1e-6;

/// rms spread of Z about its mean, relative to |mean|, below which a spectrum is flat:
/// a pellet with any arc or inductive tail in the window varies by far more than 0.1 %.
pub const FLAT_SPREAD: f64 = 1e-3;

/// The rms of |Z − mean Z| over the fitted points, relative to |mean Z|.
fn spread_relative(spectrum: &Spectrum, fit: &FitResult) -> Option<f64> {
    let (sum, n) =
        fitted_points(spectrum, fit).fold((Complex64::new(0.0, 0.0), 0usize), |(s, n), (_, z)| (s + z, n + 1));
    if n == 0 {
        return None;
    }
    let mean = sum / n as f64;
    let spread = (fitted_points(spectrum, fit)
        .map(|(_, z)| (z - mean).norm_sqr())
        .sum::<f64>()
        / n as f64)
        .sqrt();
    let relative = spread / mean.norm();
    relative.is_finite().then_some(relative)
}

fn quality(spectrum: &Spectrum, fit: &FitResult) -> Vec<Quality> {
    let mut issues = Vec::new();
    if let Some(spread) = spread_relative(spectrum, fit).filter(|s| *s < FLAT_SPREAD) {
        issues.push(Quality::FlatSpectrum {
            spread_relative: spread,
        });
    }
    let stats = &fit.stats;
    if !stats.converged {
        issues.push(Quality::NotConverged {
            termination: stats.termination.clone(),
        });
    }
    if !(stats.rms_relative <= POOR_MISFIT) {
        issues.push(Quality::PoorFit {
            rms_relative: stats.rms_relative,
        });
    }
    for p in &fit.params {
        let bound = match p.status {
            ParamStatus::AtLowerBound => BoundSide::Lower,
            ParamStatus::AtUpperBound => BoundSide::Upper,
            _ => continue,
        };
        issues.push(Quality::AtBound {
            param: p.name.clone(),
            value: p.value,
            bound,
        });
    }
    if fit.covariance.is_none() && stats.n_free > 0 {
        issues.push(Quality::NotIdentifiable);
    }
    issues
}

/// L = 1/Q where an inductive CPE ended at α = −1 (an ideal inductor).
fn lead_inductance(fit: &FitResult) -> Option<LeadInductance> {
    let (index, q) = fit
        .params
        .iter()
        .enumerate()
        .find(|(i, _)| cpe_alpha_beside(fit, *i).is_some_and(|a| a <= -1.0 + 1e-9))?;
    let inductance = 1.0 / q.value;
    inductance.is_finite().then(|| LeadInductance {
        element: q.name.clone(),
        inductance_h: inductance,
        stderr_h: fit.propagate(|v| v.get(index).map(|q| 1.0 / q)),
    })
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
    // One square root for the largest rather than one hypot per point; hypot only where
    // the squares overflow.
    let largest_squared = fitted_points(spectrum, fit)
        .map(|(_, z)| z.norm_sqr())
        .fold(0.0, f64::max);
    if largest_squared.is_finite() {
        largest_squared.sqrt()
    } else {
        fitted_points(spectrum, fit).map(|(_, z)| z.norm()).fold(0.0, f64::max)
    }
}

/// R_con (or why there is none) and, with a geometry, σ_eff.
fn r_con_and_sigma(
    fit: &FitResult,
    settings: &Settings,
    largest_measured_ohm: f64,
) -> (Result<ContactResistance, RConMissing>, Option<Measured>) {
    let r_con = pellet::contact_resistance(fit, settings.lead_ohm, largest_measured_ohm).and_then(|r| {
        if fit.stats.rms_relative > UNDESCRIBED_MISFIT {
            Err(RConMissing::Undescribed {
                fitted_dc_ohm: r.fitted_dc_ohm,
                rms_relative: fit.stats.rms_relative,
            })
        } else {
            Ok(r)
        }
    });
    let sigma = match (&r_con, &settings.geometry) {
        (Ok(r), Some(g)) => Some(pellet::conductivity(r, g)),
        _ => None,
    };
    (r_con, sigma)
}

/// The semicircle to attribute: of the circuit's R ‖ C and R ‖ CPE pairs, the one
/// with the largest resistance (it dominates R_con), unless that resistance ran away.
fn main_arc(fit: &FitResult, largest_measured_ohm: f64) -> Result<Arc, CapacitanceMissing> {
    let arc = fit
        .circuit
        .arcs()
        .into_iter()
        .max_by(|a, b| fit.values[a.resistor].total_cmp(&fit.values[b.resistor]))
        .ok_or(match fit.preset {
            Some(Preset::Inductive) => CapacitanceMissing::InductiveCircuit,
            _ => CapacitanceMissing::NoArc,
        })?;
    let r = fit.values[arc.resistor];
    let element = || fit.circuit.params()[arc.resistor].name.clone();
    if !(r <= pellet::RUNAWAY_FACTOR * largest_measured_ohm) {
        return Err(CapacitanceMissing::RunawayResistor {
            element: element(),
            r_ohm: r,
        });
    }
    if r < NEGLIGIBLE_ARC * largest_measured_ohm {
        return Err(CapacitanceMissing::NegligibleArc {
            element: element(),
            r_ohm: r,
        });
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
