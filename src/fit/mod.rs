//! Complex nonlinear least squares (CNLS) fit of a circuit to a spectrum.
//!
//! The fit minimises Σ_k w_k |Z_model(ω_k) − Z_k|² over the points inside the chosen
//! frequency range with Levenberg–Marquardt (MINPACK's trust-region variant, from the
//! `levenberg-marquardt` crate). Weights are `modulus` (w = 1/|Z_k|², every point
//! counts by its relative error; the default, Boukamp 1986) or `unit` (w = 1).
//!
//! Initial values come from the data ([`guess`]). When the result is poor (no
//! convergence, or an rms relative misfit above [`POOR_FIT_RMS`]) the fit restarts
//! from spread starting points and keeps the best. A bounded parameter that ends
//! within a hair of its bound is tried at the bound: if the fit is no worse there,
//! it is reported as at the bound, without a standard error.

pub mod guess;
mod problem;
pub mod search;
pub mod stats;

use crate::circuit::{Bounds, Circuit, ImagSide};
use crate::preset::Preset;
use crate::spectrum::Spectrum;
use levenberg_marquardt::{LevenbergMarquardt, TerminationReason};
use nalgebra::DMatrix;
use num_complex::Complex64;
use problem::{CnlsProblem, CompactProblem, FitData};
use serde::{Deserialize, Serialize};
use std::f64::consts::TAU;
use std::fmt;

/// rms relative misfit above which the automatic starting point is not trusted.
pub const POOR_FIT_RMS: f64 = 0.02;

/// How residuals are weighted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Weighting {
    /// Each residual divided by |Z_data|.
    #[default]
    Modulus,
    /// Plain residuals in ohm.
    Unit,
}

impl Weighting {
    pub fn parse(text: &str) -> Option<Weighting> {
        match text.trim().to_ascii_lowercase().as_str() {
            "modulus" | "mod" | "proportional" => Some(Weighting::Modulus),
            "unit" | "none" => Some(Weighting::Unit),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Weighting::Modulus => "modulus",
            Weighting::Unit => "unit",
        }
    }
}

/// What the user may set for one fit.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FitOptions {
    pub weighting: Weighting,
    /// Points below `fmin` or above `fmax` (Hz) are kept but not fitted.
    pub fmin: Option<f64>,
    pub fmax: Option<f64>,
    /// Points at these frequencies (Hz, matched by [`crate::exclude`]) are kept but not fitted.
    pub exclude_hz: Vec<f64>,
    /// Starting values that replace the automatic guess.
    pub init: Vec<(String, f64)>,
    /// Parameters held at a value.
    pub fix: Vec<(String, f64)>,
    /// Skip the multi-start rescue (for benchmarks of a single descent).
    pub single_start: bool,
}

/// How a parameter ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamStatus {
    Free,
    Fixed,
    AtLowerBound,
    AtUpperBound,
}

/// One fitted parameter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParamEstimate {
    pub name: String,
    pub value: f64,
    pub stderr: Option<f64>,
    pub unit: &'static str,
    pub status: ParamStatus,
}

/// Goodness of fit and solver outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitStats {
    pub weighting: Weighting,
    pub n_points: usize,
    /// Parameters that ended free (not fixed, not at a bound): those with standard errors.
    pub n_free: usize,
    /// Parameters the fit adjusted: the free ones and those that ended at a bound.
    /// Only user-fixed parameters are left out. This k is the count in χ²_red's
    /// degrees of freedom (2N − k) and in the AIC and BIC penalties.
    pub n_adjusted: usize,
    pub rss: f64,
    /// rss / (2N − n_adjusted).
    pub chi2_reduced: f64,
    /// 2N ln(rss / 2N) + 2 n_adjusted.
    pub aic: f64,
    /// 2N ln(rss / 2N) + n_adjusted ln 2N.
    pub bic: f64,
    /// rms of |Z_fit − Z| / |Z| over the fitted points (whatever the weighting).
    pub rms_relative: f64,
    /// Jacobian evaluations (LM iterations) that led to the result, including the
    /// refit with a parameter held at its bound.
    pub iterations: usize,
    /// Residual evaluations on the same path.
    pub evaluations: usize,
    pub converged: bool,
    pub termination: String,
    /// How many starting points were tried.
    pub starts: usize,
    /// How many of them ended at the reported residual (within 1e-6): a global search
    /// that stops with several is unlikely to have missed a lower minimum.
    pub starts_at_best: usize,
}

/// The outcome of [`fit`].
#[derive(Debug, Clone)]
pub struct FitResult {
    pub circuit: Circuit,
    pub preset: Option<Preset>,
    /// Every parameter in physical units, in circuit order.
    pub values: Vec<f64>,
    pub params: Vec<ParamEstimate>,
    /// Covariance over all parameters (rows and columns of fixed or bounded ones are 0);
    /// `None` when the free parameters are not identifiable.
    pub covariance: Option<DMatrix<f64>>,
    pub stats: FitStats,
    /// Which points of the spectrum were fitted.
    pub fitted: Vec<bool>,
}

impl FitResult {
    pub fn value(&self, name: &str) -> Option<f64> {
        self.circuit.param_index(name).and_then(|i| self.values.get(i).copied())
    }

    pub fn estimate(&self, name: &str) -> Option<&ParamEstimate> {
        self.params.iter().find(|p| p.name == name)
    }

    /// Correlation matrix of the free parameters: (names, rows).
    pub fn correlation(&self) -> Option<(Vec<String>, Vec<Vec<f64>>)> {
        let cov = self.covariance.as_ref()?;
        let free: Vec<usize> = (0..self.params.len())
            .filter(|&i| self.params[i].status == ParamStatus::Free)
            .collect();
        let sub = DMatrix::from_fn(free.len(), free.len(), |i, j| cov[(free[i], free[j])]);
        let corr = stats::correlation(&sub);
        let names = free.iter().map(|&i| self.params[i].name.clone()).collect();
        let rows = (0..free.len()).map(|i| corr.row(i).iter().copied().collect()).collect();
        Some((names, rows))
    }

    /// Standard error of a quantity derived from the parameters, sqrt(gᵀ Σ g), with
    /// the gradient g by finite differences (`derivative_inside` below): a step relative
    /// to the parameter, and one-sided near a bound so that `derived` is never asked
    /// about a value outside the parameter's range (α > 1, R ≤ 0). `None` without a
    /// covariance or where the quantity is undefined near the optimum.
    pub fn propagate(&self, derived: impl Fn(&[f64]) -> Option<f64>) -> Option<f64> {
        let cov = self.covariance.as_ref()?;
        let specs = self.circuit.params();
        let mut gradient = vec![0.0; self.values.len()];
        let mut point = self.values.clone();
        for (i, g) in gradient.iter_mut().enumerate() {
            if self.params.get(i).map(|p| p.status) != Some(ParamStatus::Free) {
                continue;
            }
            let bounds = specs.get(i)?.bounds;
            let centre = self.values[i];
            *g = derivative_inside(centre, bounds, |x| {
                point[i] = x;
                let y = derived(&point);
                point[i] = centre;
                y
            })?;
        }
        let mut variance = 0.0;
        for (i, gi) in gradient.iter().enumerate() {
            for (j, gj) in gradient.iter().enumerate() {
                variance += gi * cov.get((i, j)).copied().unwrap_or(0.0) * gj;
            }
        }
        (variance.is_finite() && variance >= 0.0).then(|| variance.sqrt())
    }

    /// The fitted model at each frequency of `f_hz` (Hz), evaluated through one
    /// [`Circuit::at`] rather than rebuilding the elements for every point.
    pub fn model(&self, f_hz: &[f64]) -> Vec<Complex64> {
        let model_at = self.circuit.at(&self.values);
        f_hz.iter()
            .map(|&f| {
                let omega = TAU * f;
                model_at.impedance(omega, omega.ln())
            })
            .collect()
    }
}

/// Relative step of the finite differences in [`FitResult::propagate`]: ε^(1/3), the
/// step that balances the O(h²) truncation error of a second-order difference against
/// its O(ε/h) rounding error.
const DIFF_STEP: f64 = 6.055_454_452_393_343e-6;

/// df/dx at `x` by a second-order finite difference that only evaluates f inside
/// `bounds`. The step is h = ε^(1/3) max(|x|, s), with s = 1e-300 for a positive
/// parameter (relative step) and s = hi − lo for an interval (α near 0 still gets a
/// step on the scale of its range). Central, (f(x+h) − f(x−h)) / 2h, when both lie
/// inside; otherwise one-sided, (−3f(x) + 4f(x±h) − f(x±2h)) / (±2h), towards the
/// side with room, the step shrunk if the range is narrower than 2h.
fn derivative_inside(x: f64, bounds: Bounds, mut f: impl FnMut(f64) -> Option<f64>) -> Option<f64> {
    if !x.is_finite() {
        return None;
    }
    let (lo, hi, scale) = match bounds {
        Bounds::Positive => (0.0, f64::INFINITY, 1e-300),
        Bounds::Interval { lo, hi } => (lo, hi, hi - lo),
    };
    let h = DIFF_STEP * x.abs().max(scale);
    // A positive parameter never reaches 0 itself: stay strictly above it.
    let inside = |v: f64| match bounds {
        Bounds::Positive => v > lo,
        Bounds::Interval { .. } => v >= lo && v <= hi,
    };
    if inside(x - h) && inside(x + h) {
        return Some((f(x + h)? - f(x - h)?) / (2.0 * h));
    }
    let room_up = hi - x;
    let room_down = x - lo;
    let (direction, h) = if room_up >= room_down {
        (1.0, h.min(room_up / 2.0))
    } else {
        (-1.0, h.min(room_down / 2.0))
    };
    let step = direction * h;
    if !(h > 0.0) || !inside(x + 2.0 * step) {
        return None;
    }
    let (f0, f1, f2) = (f(x)?, f(x + step)?, f(x + 2.0 * step)?);
    Some((-3.0 * f0 + 4.0 * f1 - f2) / (2.0 * step))
}

/// Why a fit could not be attempted.
#[derive(Debug, Clone, PartialEq)]
pub struct FitError(pub String);

impl fmt::Display for FitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FitError {}

/// Where the descent started: the guess read off the data, or a previous fit's values
/// (see [`fit_from`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Start {
    #[default]
    Automatic,
    Previous,
}

/// Fits `circuit` to `spectrum`.
pub fn fit(
    spectrum: &Spectrum,
    circuit: &Circuit,
    preset: Option<Preset>,
    options: &FitOptions,
) -> Result<FitResult, FitError> {
    fit_from(spectrum, circuit, preset, options, None).map(|(result, _)| result)
}

/// Fits `circuit` to `spectrum`, starting from `previous` (parameter name, value) where
/// its weighted misfit is lower than the automatic guess's. `--init` values replace the
/// previous ones they name and `--fix` values always hold. A `previous` that does not
/// name exactly the circuit's parameters, or holds a value outside a parameter's range,
/// is ignored. Returns the result and which start the descent took.
pub fn fit_from(
    spectrum: &Spectrum,
    circuit: &Circuit,
    preset: Option<Preset>,
    options: &FitOptions,
    previous: Option<&[(String, f64)]>,
) -> Result<(FitResult, Start), FitError> {
    let prepared = Prepared::new(spectrum, circuit, preset, options, previous)?;
    // Starting values from the user or a previous fit are trusted as presets' guesses are;
    // a circuit typed with none gets the global search unless it has a preset's shape.
    let unguided = preset.is_none() && options.init.is_empty() && prepared.start == Start::Automatic;
    let study_shape = Preset::with_shape_of(circuit).is_some();
    let mut attempt = prepared.descend(Tolerance::Full);
    if !options.single_start {
        if unguided && (!study_shape || attempt.is_poor()) {
            attempt.search();
        } else if attempt.is_poor() {
            attempt.rescue();
        }
    }
    let start = attempt.start();
    Ok((attempt.finish(), start))
}

/// When a descent stops: the relative change of the misfit and of the parameters, and
/// the gradient's angle to the residuals, below [`Tolerance::relative`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tolerance {
    /// 1e-10: every fit whose values are reported.
    Full,
    /// 1e-4: a fit that is only ranked against one it cannot beat (see `analysis::auto`).
    /// Its BIC is not lower than at the full tolerance's minimum, so the ranking holds;
    /// its figures (BIC, rms misfit) agree with the full tolerance's to about five digits
    /// on the study's spectra, where a circuit that cannot draw the data creeps along a
    /// flat valley for 30 or more iterations to reach 1e-10.
    Ranking,
}

impl Tolerance {
    fn relative(self) -> f64 {
        match self {
            Tolerance::Full => 1e-10,
            Tolerance::Ranking => 1e-4,
        }
    }
}

/// A fit with its data, weights and starting values, before any descent.
pub(crate) struct Prepared<'c> {
    circuit: &'c Circuit,
    preset: Option<Preset>,
    data: FitData,
    /// Where the first descent starts (the rescue scatters its starts around it).
    origin: Vec<f64>,
    fixed: Vec<bool>,
    fitted: Vec<bool>,
    weighting: Weighting,
    start: Start,
}

impl<'c> Prepared<'c> {
    /// Checks the options and chooses the start.
    pub(crate) fn new(
        spectrum: &Spectrum,
        circuit: &'c Circuit,
        preset: Option<Preset>,
        options: &FitOptions,
        previous: Option<&[(String, f64)]>,
    ) -> Result<Prepared<'c>, FitError> {
        let fitted = fit_mask(spectrum, options)?;
        let data = fit_data(spectrum, &fitted, options.weighting);
        let n_params = circuit.params().len();
        if data.omega.len() < 3 || 2 * data.omega.len() <= n_params {
            let n = data.omega.len();
            return Err(FitError(format!(
                "only {n} point{} inside the frequency range; {n_params} parameters need more",
                if n == 1 { " lies" } else { "s lie" }
            )));
        }

        let mut fixed = vec![false; n_params];
        // A typed circuit of a preset's shape (R0-p(R1,CPE1)) starts from that preset's guess.
        let guide = preset.or_else(|| Preset::with_shape_of(circuit));
        let automatic = guess::initial_values(circuit, guide, &data.omega, &data.z);
        let automatic = with_user_values(circuit, options, automatic, &mut fixed)?;
        let (origin, start) = match previous.and_then(|p| previous_values(circuit, p)) {
            Some(values) => {
                let values = with_user_values(circuit, options, values, &mut fixed)?;
                let values = inside_bounds(circuit, values, &fixed);
                let automatic = inside_bounds(circuit, automatic, &fixed);
                if misfit(circuit, &data, &values).0 < misfit(circuit, &data, &automatic).0 {
                    (values, Start::Previous)
                } else {
                    (automatic, Start::Automatic)
                }
            }
            None => (inside_bounds(circuit, automatic, &fixed), Start::Automatic),
        };
        Ok(Prepared {
            circuit,
            preset,
            data,
            origin,
            fixed,
            fitted,
            weighting: options.weighting,
            start,
        })
    }

    /// The lowest BIC any values within the bounds could reach: Re Z of every circuit is
    /// never negative, and Im Z of a circuit whose elements all lie on one side of the
    /// real axis never leaves that side ([`Circuit::imag_side`]), so the weighted part of
    /// the data beyond those lines is misfit that no start can remove.
    pub(crate) fn bic_floor(&self) -> f64 {
        let side = self.circuit.imag_side();
        let unreachable: f64 = self
            .data
            .z
            .iter()
            .zip(&self.data.sqrt_weight)
            .map(|(z, w)| {
                let re = z.re.min(0.0);
                let im = match side {
                    Some(ImagSide::NotNegative) => z.im.min(0.0),
                    Some(ImagSide::NotPositive) => z.im.max(0.0),
                    None => 0.0,
                };
                (re * w).powi(2) + (im * w).powi(2)
            })
            .sum();
        stats::criteria(unreachable, self.data.omega.len(), self.n_adjusted()).bic
    }

    fn n_adjusted(&self) -> usize {
        self.fixed.iter().filter(|&&f| !f).count()
    }

    /// The first descent, from the chosen start.
    pub(crate) fn descend(self, tolerance: Tolerance) -> Attempt<'c> {
        let best = descend(self.circuit, &self.data, &self.origin, &self.fixed, tolerance);
        Attempt {
            prepared: self,
            tolerance,
            best,
            starts: 1,
            starts_at_best: 1,
        }
    }
}

/// A fit past its first descent. [`fit_from`] runs it straight through; `auto` holds
/// it so that it can leave out a rescue that cannot change its choice.
pub(crate) struct Attempt<'c> {
    prepared: Prepared<'c>,
    tolerance: Tolerance,
    best: Descent,
    starts: usize,
    starts_at_best: usize,
}

impl<'c> Attempt<'c> {
    pub(crate) fn start(&self) -> Start {
        self.prepared.start
    }

    /// The descent did not converge or leaves an rms relative misfit above [`POOR_FIT_RMS`].
    pub(crate) fn is_poor(&self) -> bool {
        is_poor(&self.best)
    }

    /// Descends from spread starting points around the first start until one is not
    /// poor, keeping the best.
    pub(crate) fn rescue(&mut self) {
        let p = &self.prepared;
        for start in spread_starts(p.circuit, &p.origin, &p.fixed, 12) {
            let candidate = descend(p.circuit, &p.data, &start, &p.fixed, self.tolerance);
            self.starts += 1;
            if better(&candidate, &self.best) {
                self.best = candidate;
                self.starts_at_best = 1;
            }
            if !is_poor(&self.best) {
                break;
            }
        }
    }

    /// The global search ([`search`]) from structured and spread starts, the first
    /// descent counted as its first start.
    pub(crate) fn search(&mut self) {
        let p = &self.prepared;
        let first = self.best.clone();
        let found = search::search(p.circuit, &p.data, &p.origin, &p.fixed, first);
        self.best = found.best;
        self.starts = found.starts;
        self.starts_at_best = found.starts_at_best;
    }

    /// Discards the descents so far and descends again from the same start.
    pub(crate) fn restart(self, tolerance: Tolerance) -> Attempt<'c> {
        self.prepared.descend(tolerance)
    }

    pub(crate) fn tolerance(&self) -> Tolerance {
        self.tolerance
    }

    /// BIC of the best descent so far, as [`FitStats::bic`] will give it before any
    /// parameter is settled at a bound.
    pub(crate) fn bic(&self) -> f64 {
        let p = &self.prepared;
        stats::criteria(self.best.rss, p.data.omega.len(), p.n_adjusted()).bic
    }

    /// Settles parameters next to a bound and computes the statistics.
    pub(crate) fn finish(self) -> FitResult {
        let (mut fit, data) = self.finish_with_data();
        add_uncertainties(&mut fit, &data);
        fit
    }

    /// [`Attempt::finish`] without the covariance and standard errors, which ranking
    /// candidates does not need: [`with_uncertainties`] adds them to the one chosen.
    pub(crate) fn finish_ranked(self) -> FitResult {
        self.finish_with_data().0
    }

    fn finish_with_data(self) -> (FitResult, FitData) {
        let p = self.prepared;
        let best = settle_at_bounds(p.circuit, &p.data, self.best, &p.fixed, self.tolerance);
        let fit = finish(
            p.circuit,
            p.preset,
            &p.data,
            best,
            p.fixed,
            p.fitted,
            (self.starts, self.starts_at_best),
            p.weighting,
        );
        (fit, p.data)
    }
}

/// `values` with the user's `--init` and `--fix` values put in (`fixed` marks the latter).
fn with_user_values(
    circuit: &Circuit,
    options: &FitOptions,
    mut values: Vec<f64>,
    fixed: &mut [bool],
) -> Result<Vec<f64>, FitError> {
    for (name, value) in &options.init {
        let i = lookup(circuit, name, "--init")?;
        check_in_bounds(circuit, i, *value)?;
        values[i] = *value;
    }
    for (name, value) in &options.fix {
        let i = lookup(circuit, name, "--fix")?;
        check_in_bounds(circuit, i, *value)?;
        values[i] = *value;
        fixed[i] = true;
    }
    Ok(values)
}

/// A previous fit's values in circuit order, or `None` unless they name every parameter
/// of the circuit exactly once, nothing else, and each lies within its parameter's range.
fn previous_values(circuit: &Circuit, previous: &[(String, f64)]) -> Option<Vec<f64>> {
    let specs = circuit.params();
    if previous.len() != specs.len() {
        return None;
    }
    let mut values = vec![f64::NAN; specs.len()];
    for (name, value) in previous {
        let i = circuit.param_index(name)?;
        let slot = values.get_mut(i)?;
        if !slot.is_nan() || !in_bounds(specs.get(i)?.bounds, *value) {
            return None;
        }
        *slot = *value;
    }
    Some(values)
}

fn in_bounds(bounds: Bounds, value: f64) -> bool {
    match bounds {
        Bounds::Positive => value > 0.0 && value.is_finite(),
        Bounds::Interval { lo, hi } => value >= lo && value <= hi,
    }
}

fn lookup(circuit: &Circuit, name: &str, option: &str) -> Result<usize, FitError> {
    circuit.param_index(name).ok_or_else(|| {
        let known: Vec<&str> = circuit.params().iter().map(|p| p.name.as_str()).collect();
        FitError(format!(
            "{option} {name}: the circuit {} has no parameter {name}; its parameters are {}",
            circuit.text(),
            known.join(", ")
        ))
    })
}

fn check_in_bounds(circuit: &Circuit, i: usize, value: f64) -> Result<(), FitError> {
    let spec = &circuit.params()[i];
    if in_bounds(spec.bounds, value) {
        return Ok(());
    }
    let range = match spec.bounds {
        Bounds::Positive => "> 0".to_string(),
        Bounds::Interval { lo, hi } => format!("in [{lo}, {hi}]"),
    };
    Err(FitError(format!(
        "{} = {value} is out of range: it must be {range}",
        spec.name
    )))
}

/// Free bounded parameters start strictly inside (the sine transform is flat at its ends).
fn inside_bounds(circuit: &Circuit, mut values: Vec<f64>, fixed: &[bool]) -> Vec<f64> {
    for (i, spec) in circuit.params().iter().enumerate() {
        if fixed[i] {
            continue;
        }
        values[i] = match spec.bounds {
            Bounds::Positive if !(values[i].is_finite() && values[i] > 0.0) => 1.0,
            Bounds::Positive => values[i],
            Bounds::Interval { lo, hi } => {
                let margin = 0.01 * (hi - lo);
                values[i].clamp(lo + margin, hi - margin)
            }
        };
    }
    values
}

/// Which points lie inside the fitted range [fmin, fmax] and are not excluded.
pub(crate) fn fit_mask(spectrum: &Spectrum, options: &FitOptions) -> Result<Vec<bool>, FitError> {
    let lo = options.fmin.unwrap_or(0.0);
    let hi = options.fmax.unwrap_or(f64::INFINITY);
    if lo.is_nan() || hi.is_nan() || lo >= hi {
        return Err(FitError(format!(
            "the frequency range fmin = {lo} Hz, fmax = {hi} Hz is empty"
        )));
    }
    Ok(spectrum
        .freq_hz
        .iter()
        .map(|&f| f >= lo && f <= hi && !crate::exclude::is_excluded(f, &options.exclude_hz))
        .collect())
}

fn fit_data(spectrum: &Spectrum, fitted: &[bool], weighting: Weighting) -> FitData {
    let n = fitted.iter().filter(|&&keep| keep).count();
    let mut data = FitData {
        omega: Vec::with_capacity(n),
        ln_omega: Vec::with_capacity(n),
        z: Vec::with_capacity(n),
        sqrt_weight: Vec::with_capacity(n),
    };
    for ((&f, &z), &keep) in spectrum.freq_hz.iter().zip(&spectrum.z).zip(fitted) {
        if !keep {
            continue;
        }
        let omega = TAU * f;
        data.omega.push(omega);
        data.ln_omega.push(omega.ln());
        data.z.push(z);
        let modulus = z.norm();
        data.sqrt_weight.push(match weighting {
            Weighting::Modulus if modulus > 0.0 => 1.0 / modulus,
            _ => 1.0,
        });
    }
    data
}

/// One Levenberg–Marquardt descent.
#[derive(Debug, Clone)]
struct Descent {
    values: Vec<f64>,
    at_bound: Vec<Option<ParamStatus>>,
    rss: f64,
    rms_relative: f64,
    iterations: usize,
    evaluations: usize,
    termination: String,
    converged: bool,
}

fn descend(circuit: &Circuit, data: &FitData, start: &[f64], fixed: &[bool], tolerance: Tolerance) -> Descent {
    let free: Vec<usize> = (0..start.len()).filter(|&i| !fixed[i]).collect();
    let problem = CompactProblem::new(circuit, data, free, start.to_vec());
    let (problem, report) = LevenbergMarquardt::new()
        .with_tol(tolerance.relative())
        .with_patience(200)
        .minimize(problem);
    let converged = report.termination.was_successful();
    let termination = describe(&report.termination);
    let values = problem.values.clone();
    let (rss, rms_relative) = misfit(circuit, data, &values);
    Descent {
        rms_relative,
        at_bound: vec![None; values.len()],
        values,
        rss,
        iterations: problem.jacobian_evaluations.get(),
        evaluations: report.number_of_evaluations,
        termination,
        converged,
    }
}

fn describe(reason: &TerminationReason) -> String {
    match reason {
        TerminationReason::ResidualsZero => "residuals are zero".into(),
        TerminationReason::Orthogonal => "gradient vanished (gtol)".into(),
        TerminationReason::Converged { .. } => "converged (relative change below tolerance)".into(),
        TerminationReason::LostPatience => "stopped at the evaluation limit".into(),
        TerminationReason::Numerical(what) => format!("non-finite {what}"),
        TerminationReason::User(what) => format!("model not finite ({what})"),
        TerminationReason::NoImprovementPossible(what) => format!("no further improvement possible ({what})"),
        other => format!("{other:?}"),
    }
}

/// Weighted rss and the rms relative misfit, in one pass over the points.
fn misfit(circuit: &Circuit, data: &FitData, values: &[f64]) -> (f64, f64) {
    let mut rss = 0.0;
    let mut relative = 0.0;
    let model_at = circuit.at(values);
    for k in 0..data.omega.len() {
        let d = model_at.impedance(data.omega[k], data.ln_omega[k]) - data.z[k];
        rss += (d * data.sqrt_weight[k]).norm_sqr();
        relative += d.norm_sqr() / data.z[k].norm_sqr().max(f64::MIN_POSITIVE);
    }
    let rms = (relative / data.omega.len().max(1) as f64).sqrt();
    let finite_or_inf = |v: f64| if v.is_finite() { v } else { f64::INFINITY };
    (finite_or_inf(rss), finite_or_inf(rms))
}

fn is_poor(d: &Descent) -> bool {
    !d.converged || !(d.rms_relative <= POOR_FIT_RMS)
}

fn better(a: &Descent, b: &Descent) -> bool {
    a.rss.is_finite() && (!b.rss.is_finite() || a.rss < b.rss)
}

/// Deterministic spread of starting points around `centre`: positive parameters
/// scattered over ±2 decades (log-uniform), bounded ones over their range.
fn spread_starts(circuit: &Circuit, centre: &[f64], fixed: &[bool], count: usize) -> Vec<Vec<f64>> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        // xorshift64*: reproducible starts without a random-number dependency.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..count)
        .map(|_| {
            circuit
                .params()
                .iter()
                .enumerate()
                .map(|(i, spec)| {
                    let u = next();
                    if fixed[i] {
                        return centre[i];
                    }
                    match spec.bounds {
                        Bounds::Positive => centre[i] * 10f64.powf(4.0 * u - 2.0),
                        Bounds::Interval { lo, hi } => lo + (hi - lo) * (0.05 + 0.9 * u),
                    }
                })
                .collect()
        })
        .collect()
}

/// Tries every free bounded parameter that ended next to a bound at the bound itself.
fn settle_at_bounds(
    circuit: &Circuit,
    data: &FitData,
    mut best: Descent,
    fixed: &[bool],
    tolerance: Tolerance,
) -> Descent {
    for (i, spec) in circuit.params().iter().enumerate() {
        let Bounds::Interval { lo, hi } = spec.bounds else {
            continue;
        };
        if fixed[i] || best.at_bound[i].is_some() {
            continue;
        }
        let near = 1e-3 * (hi - lo);
        let (bound, status) = if best.values[i] - lo <= near {
            (lo, ParamStatus::AtLowerBound)
        } else if hi - best.values[i] <= near {
            (hi, ParamStatus::AtUpperBound)
        } else {
            continue;
        };
        let mut held = fixed.to_vec();
        for (j, b) in best.at_bound.iter().enumerate() {
            held[j] |= b.is_some();
        }
        held[i] = true;
        let mut start = best.values.clone();
        start[i] = bound;
        let mut candidate = descend(circuit, data, &start, &held, tolerance);
        // No worse, allowing for rounding: a noise-free fit ends at rss ≈ 0 either way.
        let rounding = 1e-24 * data_scale(data);
        let no_worse = candidate.rss <= best.rss * (1.0 + 1e-9) + rounding;
        if no_worse && (candidate.converged || !best.converged) {
            candidate.iterations += best.iterations;
            candidate.evaluations += best.evaluations;
            candidate.at_bound = best.at_bound.clone();
            candidate.at_bound[i] = Some(status);
            best = candidate;
        }
    }
    best
}

/// Σ w |Z|²: the rss of a model that is identically zero.
fn data_scale(data: &FitData) -> f64 {
    data.z
        .iter()
        .zip(&data.sqrt_weight)
        .map(|(z, w)| (z * w).norm_sqr())
        .sum()
}

#[allow(clippy::too_many_arguments)]
fn finish(
    circuit: &Circuit,
    preset: Option<Preset>,
    data: &FitData,
    best: Descent,
    fixed: Vec<bool>,
    fitted: Vec<bool>,
    (starts, starts_at_best): (usize, usize),
    weighting: Weighting,
) -> FitResult {
    let n_params = best.values.len();
    let free: Vec<usize> = (0..n_params)
        .filter(|&i| !fixed[i] && best.at_bound[i].is_none())
        .collect();
    let n_points = data.omega.len();
    // A parameter that ended at its bound was still chosen by the fit: it counts.
    let n_adjusted = fixed.iter().filter(|&&f| !f).count();
    let criteria = stats::criteria(best.rss, n_points, n_adjusted);
    let params = circuit
        .params()
        .iter()
        .enumerate()
        .map(|(i, spec)| ParamEstimate {
            name: spec.name.clone(),
            value: best.values[i],
            stderr: None,
            unit: spec.kind.unit(),
            status: if fixed[i] {
                ParamStatus::Fixed
            } else {
                best.at_bound[i].unwrap_or(ParamStatus::Free)
            },
        })
        .collect();
    FitResult {
        circuit: circuit.clone(),
        preset,
        values: best.values,
        params,
        covariance: None,
        stats: FitStats {
            weighting,
            n_points,
            n_free: free.len(),
            n_adjusted,
            rss: criteria.rss,
            chi2_reduced: criteria.chi2_reduced,
            aic: criteria.aic,
            bic: criteria.bic,
            rms_relative: best.rms_relative,
            iterations: best.iterations,
            evaluations: best.evaluations,
            converged: best.converged,
            termination: best.termination,
            starts,
            starts_at_best,
        },
        fitted,
    }
}

/// The covariance of the free parameters, from the Jacobian at the fitted values scaled
/// by χ²_red ([`stats::covariance`]), and their standard errors, put into `fit`.
fn add_uncertainties(fit: &mut FitResult, data: &FitData) {
    let free: Vec<usize> = (0..fit.params.len())
        .filter(|&i| fit.params[i].status == ParamStatus::Free)
        .collect();
    let n_params = fit.values.len();
    let problem = CnlsProblem::new(&fit.circuit, data, free.clone(), fit.values.clone());
    let jacobian = problem.physical_jacobian(&free);
    let covariance = stats::covariance(&jacobian, fit.stats.chi2_reduced).map(|small| {
        let mut full = DMatrix::zeros(n_params, n_params);
        for (a, &i) in free.iter().enumerate() {
            for (b, &j) in free.iter().enumerate() {
                full[(i, j)] = small[(a, b)];
            }
        }
        full
    });
    for (i, param) in fit.params.iter_mut().enumerate() {
        param.stderr = match (&covariance, param.status) {
            (Some(cov), ParamStatus::Free) => Some(cov[(i, i)].max(0.0).sqrt()),
            _ => None,
        };
    }
    fit.covariance = covariance;
}

/// `fit`, finished without uncertainties ([`Attempt::finish_ranked`]), with them.
pub(crate) fn with_uncertainties(mut fit: FitResult, spectrum: &Spectrum) -> FitResult {
    let data = fit_data(spectrum, &fit.fitted, fit.stats.weighting);
    add_uncertainties(&mut fit, &data);
    fit
}

/// Frequencies in Hz, log-spaced, for drawing a model curve over a window.
pub fn log_grid(f_min: f64, f_max: f64, per_decade: usize) -> Vec<f64> {
    if !(f_min > 0.0 && f_max >= f_min && f_max.is_finite()) {
        return Vec::new();
    }
    let decades = (f_max / f_min).log10();
    let n = ((decades * per_decade as f64).ceil() as usize).clamp(1, 10_000);
    (0..=n)
        .map(|i| f_min * 10f64.powf(decades * i as f64 / n as f64))
        .collect()
}
