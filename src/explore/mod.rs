//! The teaching explorer: the spectrum a pellet of given σ_eff and interfacial
//! capacitance shows in a measuring window, and why the circuit changes near 1e-3 S/cm.
//!
//! The pellet is the study's circuit (b) with the cables' inductance in series,
//! `R1-p(R2,CPE2)-L1`, evaluated by the core's own [`Circuit`]:
//!
//! - R_con = d / (σ A), split into R1 = s·R_con and R2 = (1 − s)·R_con;
//! - the interfacial capacitance given as C·d/A (F/cm), so C2 = (C·d/A)·A/d, and the
//!   CPE's Q chosen so that its Hsu–Mansfeld C_eff is C2: Q = C2^α · R2^(α−1); the apex
//!   then lies at ω = (R2 Q)^(−1/α) = 1/(R2 C2) = 1/τ2 for any α;
//! - τ2 = R2·C2 = (1 − s)·(C·d/A)/σ does not depend on the pellet's size, so two lines
//!   in the (C·d/A, σ) plane bound what the window shows: the paper's rule
//!   σ = (C·d/A)·f_max (τ2 = 1/f_max for R2 ≈ R_con) and σ = 2π (R2/R_con)(C·d/A)·f_max,
//!   where the apex 1/(2π τ2) leaves the window at f_max;
//! - above f = R_con/(2π L) the cable's iωL exceeds R_con: an inductive tail.
//!
//! Everything a slider can send is clamped to [`LIMITS`] (NaN takes the default), so no
//! input makes a panic or a non-finite number. The noise is the reproducible
//! proportional noise of [`crate::synthetic::Noise`] with a fixed seed: the same values
//! always give the same spectrum, and "fit this spectrum" fits exactly what is drawn.
//! The sentences are written here with the one number formatter ([`crate::numfmt`]).

pub mod map;

use crate::attribution::{self, ArcCapacitor};
use crate::choice::{self, ApexPosition};
use crate::circuit::Circuit;
use crate::fit::log_grid;
use crate::numfmt::{self, Style, hz, length_nm, sci};
use crate::pellet::Geometry;
use crate::plot::{self, PlotData, PlotError, PlotStyle};
use crate::settings::Settings;
use crate::synthetic::Noise;
use num_complex::Complex64;
use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};
use serde::{Deserialize, Serialize};
use std::f64::consts::TAU;
use std::fmt::Write as _;

/// The explorer's circuit: the study's (b) with the cables' inductance in series.
pub const CIRCUIT: &str = "R1-p(R2,CPE2)-L1";
/// Points per decade of the generated spectrum (as the study's instrument).
pub const PER_DECADE: usize = 10;
/// Points per decade of the drawn circuit line.
const CURVE_PER_DECADE: usize = 40;
/// The noise generator's seed: one spectrum per set of values.
pub const NOISE_SEED: u64 = 20_250_262;
/// The pellet assumed when the settings give none (the page's defaults).
pub const DEFAULT_THICKNESS_MM: f64 = 1.0;
pub const DEFAULT_DIAMETER_MM: f64 = 10.0;

/// How a slider moves over a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    Log,
    Linear,
}

/// The range, default and unit of one input: what the page builds its slider from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Limit {
    pub key: &'static str,
    pub lo: f64,
    pub hi: f64,
    pub default: f64,
    pub scale: Scale,
    /// A value the slider cannot reach but a typed field may give (0 H: no cable).
    pub also: Option<f64>,
}

impl Limit {
    /// `value` inside the range; NaN and missing values take the default. Infinities
    /// and values outside go to the nearer end (or to `also` when that is what was given).
    pub fn clamp(&self, value: Option<f64>) -> f64 {
        match value {
            Some(v) if self.also == Some(v) => v,
            Some(v) if !v.is_nan() => v.clamp(self.lo, self.hi),
            _ => self.default,
        }
    }
}

pub const SIGMA: Limit = Limit {
    key: "sigma_s_per_cm",
    lo: 1e-6,
    hi: 1.0,
    default: 1.3e-4,
    scale: Scale::Log,
    also: None,
};
pub const C_NORM: Limit = Limit {
    key: "c_norm_f_per_cm",
    lo: 1e-13,
    hi: 1e-6,
    default: 5e-10,
    scale: Scale::Log,
    also: None,
};
pub const ALPHA: Limit = Limit {
    key: "alpha",
    lo: 0.5,
    hi: 1.0,
    default: 0.9,
    scale: Scale::Linear,
    also: None,
};
pub const R1_SHARE: Limit = Limit {
    key: "r1_share",
    lo: 0.0,
    hi: 0.99,
    default: 0.04,
    scale: Scale::Linear,
    also: None,
};
pub const INDUCTANCE: Limit = Limit {
    key: "inductance_h",
    lo: 1e-9,
    hi: 1e-4,
    default: 3e-7,
    scale: Scale::Log,
    also: Some(0.0),
};
pub const F_MIN: Limit = Limit {
    key: "f_min_hz",
    lo: 1e-3,
    hi: 1e3,
    default: 0.1,
    scale: Scale::Log,
    also: None,
};
pub const F_MAX: Limit = Limit {
    key: "f_max_hz",
    lo: 1e3,
    hi: 1e8,
    default: 1e6,
    scale: Scale::Log,
    also: None,
};
pub const NOISE: Limit = Limit {
    key: "noise_rel",
    lo: 0.0,
    hi: 0.1,
    default: 0.003,
    scale: Scale::Linear,
    also: None,
};

/// Every input's range, in the order the page shows them.
pub const LIMITS: [Limit; 8] = [SIGMA, C_NORM, ALPHA, R1_SHARE, INDUCTANCE, F_MIN, F_MAX, NOISE];

/// The window spans at least this ratio f_max/f_min (one decade).
pub const MIN_WINDOW_RATIO: f64 = 10.0;

/// The explorer's inputs as the page sends them; missing or NaN fields take their default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExploreInput {
    pub sigma_s_per_cm: Option<f64>,
    pub c_norm_f_per_cm: Option<f64>,
    pub alpha: Option<f64>,
    pub r1_share: Option<f64>,
    pub inductance_h: Option<f64>,
    pub f_min_hz: Option<f64>,
    pub f_max_hz: Option<f64>,
    pub noise_rel: Option<f64>,
}

/// The values in force, after clamping.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Values {
    pub sigma_s_per_cm: f64,
    pub c_norm_f_per_cm: f64,
    pub alpha: f64,
    pub r1_share: f64,
    pub inductance_h: f64,
    pub f_min_hz: f64,
    pub f_max_hz: f64,
    pub noise_rel: f64,
}

/// An input that was not used as given, and what was used instead.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Adjusted {
    pub key: &'static str,
    /// What was given (null for a missing or non-numeric value).
    pub given: Option<f64>,
    pub used: f64,
}

impl ExploreInput {
    /// The values in force and the inputs that had to change.
    pub fn resolve(&self) -> (Values, Vec<Adjusted>) {
        let given = [
            self.sigma_s_per_cm,
            self.c_norm_f_per_cm,
            self.alpha,
            self.r1_share,
            self.inductance_h,
            self.f_min_hz,
            self.f_max_hz,
            self.noise_rel,
        ];
        let mut used = [0.0; 8];
        for (slot, (limit, value)) in used.iter_mut().zip(LIMITS.iter().zip(given)) {
            *slot = limit.clamp(value);
        }
        // A window of at least a decade: f_min gives way (f_max decides the boundary).
        used[5] = used[5].min(used[6] / MIN_WINDOW_RATIO);
        let adjusted = LIMITS
            .iter()
            .zip(given.iter().zip(used))
            .filter(|(_, (given, used))| given.is_some_and(|g| g != *used))
            .map(|(limit, (given, used))| Adjusted {
                key: limit.key,
                given: given.filter(|g| g.is_finite()),
                used,
            })
            .collect();
        let [sigma, c_norm, alpha, r1_share, inductance, f_min, f_max, noise] = used;
        (
            Values {
                sigma_s_per_cm: sigma,
                c_norm_f_per_cm: c_norm,
                alpha,
                r1_share,
                inductance_h: inductance,
                f_min_hz: f_min,
                f_max_hz: f_max,
                noise_rel: noise,
            },
            adjusted,
        )
    }
}

/// The pellet the spectrum is made for.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Pellet {
    pub thickness_cm: f64,
    pub area_cm2: f64,
    pub diameter_cm: Option<f64>,
    /// The settings gave no geometry: the page's default pellet is used.
    pub assumed: bool,
    pub eps_r: f64,
    pub particle_um: f64,
}

impl Pellet {
    /// The settings' pellet, or the default one (1.0 mm × 10 mm) when they give none.
    pub fn from_settings(settings: &Settings) -> Pellet {
        let (geometry, assumed) = match settings.geometry {
            Some(g) => (g, false),
            None => (default_geometry(), true),
        };
        Pellet {
            thickness_cm: geometry.thickness_cm,
            area_cm2: geometry.area_cm2,
            diameter_cm: geometry.diameter_cm,
            assumed,
            eps_r: settings.eps_r,
            particle_um: settings.particle_um,
        }
    }

    fn geometry(&self) -> Geometry {
        Geometry {
            thickness_cm: self.thickness_cm,
            area_cm2: self.area_cm2,
            diameter_cm: self.diameter_cm,
            thickness_err_cm: None,
            area_err_cm2: None,
        }
    }

    /// d / A in 1/cm.
    pub fn cell_constant(&self) -> f64 {
        self.thickness_cm / self.area_cm2
    }
}

fn default_geometry() -> Geometry {
    // Constant positive numbers: from_diameter cannot refuse them (the unit test
    // `default_pellet` checks it); the fallback is the same pellet in closed form.
    Geometry::from_diameter(DEFAULT_THICKNESS_MM, DEFAULT_DIAMETER_MM, None, None).unwrap_or(Geometry {
        thickness_cm: DEFAULT_THICKNESS_MM / 10.0,
        area_cm2: std::f64::consts::PI * (DEFAULT_DIAMETER_MM / 10.0).powi(2) / 4.0,
        diameter_cm: Some(DEFAULT_DIAMETER_MM / 10.0),
        thickness_err_cm: None,
        area_err_cm2: None,
    })
}

/// Whether the arc's apex lies inside the window [f_min, f_max].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Visible {
    Semicircle,
    NoSemicircle,
}

impl Visible {
    pub fn name(self) -> &'static str {
        match self {
            Visible::Semicircle => "semicircle",
            Visible::NoSemicircle => "no-semicircle",
        }
    }
}

/// Where σ lies against the map's lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    /// Below the paper's line and with the apex inside: the whole arc is measured.
    WholeArc,
    /// The apex is inside, but σ is above the paper's line: only part of the arc.
    PartOfArc,
    /// The apex lies above f_max: no semicircle, a resistance (and an inductive tail).
    NoArc,
    /// The apex lies below f_min: the arc does not close inside the window.
    BelowWindow,
}

/// One sentence of the explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sentence {
    pub key: &'static str,
    pub text: String,
}

/// Everything the explorer shows for one set of values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explored {
    pub values: Values,
    pub adjusted: Vec<Adjusted>,
    pub pellet: Pellet,
    pub circuit: &'static str,
    pub r_con_ohm: f64,
    pub r1_ohm: f64,
    pub r2_ohm: f64,
    /// The arc's capacitance, C2 = (C·d/A)·A/d (the CPE's Hsu–Mansfeld C_eff).
    pub c2_f: f64,
    /// The CPE's Q, chosen so that its C_eff is C2.
    pub q2: f64,
    pub tau2_s: f64,
    pub f_apex_hz: f64,
    /// The paper's rule with this C·d/A: σ = (C·d/A)·f_max.
    pub boundary_s_per_cm: f64,
    /// σ = 2π (R2/R_con)(C·d/A)·f_max: above it the apex lies above f_max.
    pub apex_line_s_per_cm: f64,
    /// σ = 2π (R2/R_con)(C·d/A)·f_min: below it the apex lies below f_min.
    pub apex_low_line_s_per_cm: f64,
    pub visible: Visible,
    pub apex_position: ApexPosition,
    pub region: Region,
    /// R_con / (2π L): above it iωL exceeds R_con (none without a cable inductance).
    pub inductive_from_hz: Option<f64>,
    pub c_bulk_f: f64,
    pub ratio_to_bulk: f64,
    pub layer_thickness_nm: f64,
    /// Irvine–Sinclair–West phenomena whose range holds this C·d/A.
    pub isw_candidates: Vec<&'static str>,
    pub sentences: Vec<Sentence>,
    pub n_points: usize,
    /// The generated spectrum (with noise), highest frequency first.
    #[serde(skip)]
    pub freq_hz: Vec<f64>,
    #[serde(skip)]
    pub z: Vec<Complex64>,
    /// The circuit without noise, on a fine grid, for the line.
    #[serde(skip)]
    pub curve_freq_hz: Vec<f64>,
    #[serde(skip)]
    pub curve_z: Vec<Complex64>,
}

/// Why a spectrum could not be made (only if the circuit string itself failed).
#[derive(Debug, Clone, PartialEq)]
pub struct ExploreError(pub String);

impl std::fmt::Display for ExploreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ExploreError {}

/// The circuit's parameters for the values, in the circuit's own order.
fn parameters(circuit: &Circuit, named: &[(&str, f64)]) -> Result<Vec<f64>, ExploreError> {
    let mut values = vec![f64::NAN; circuit.params().len()];
    for (name, value) in named {
        let i = circuit
            .param_index(name)
            .ok_or_else(|| ExploreError(format!("{CIRCUIT} has no parameter {name}")))?;
        values[i] = *value;
    }
    Ok(values)
}

/// The spectrum, the lines and the sentences for `input` on `pellet`, in `style`.
pub fn explore(input: &ExploreInput, pellet: &Pellet, style: Style) -> Result<Explored, ExploreError> {
    let (v, adjusted) = input.resolve();
    let cell = pellet.cell_constant();
    let r_con = cell / v.sigma_s_per_cm;
    let r1 = v.r1_share * r_con;
    let r2 = r_con - r1;
    let c2 = v.c_norm_f_per_cm / cell;
    let q2 = c2.powf(v.alpha) * r2.powf(v.alpha - 1.0);
    let tau2 = r2 * c2;
    let f_apex = 1.0 / (TAU * tau2);
    let r2_share = 1.0 - v.r1_share;
    let boundary = choice::boundary(v.c_norm_f_per_cm, v.f_max_hz, None).sigma_s_per_cm;
    let apex_line = TAU * r2_share * v.c_norm_f_per_cm * v.f_max_hz;
    let apex_low_line = TAU * r2_share * v.c_norm_f_per_cm * v.f_min_hz;
    let apex = choice::apex(r2, c2, v.f_min_hz, v.f_max_hz)
        .ok_or_else(|| ExploreError(format!("no arc for R2 = {r2} Ω, C2 = {c2} F")))?;
    let visible = if matches!(apex.position, ApexPosition::AboveWindow | ApexPosition::BelowWindow) {
        Visible::NoSemicircle
    } else {
        Visible::Semicircle
    };
    let region = match apex.position {
        ApexPosition::AboveWindow => Region::NoArc,
        ApexPosition::BelowWindow => Region::BelowWindow,
        _ if v.sigma_s_per_cm <= boundary => Region::WholeArc,
        _ => Region::PartOfArc,
    };
    let inductive_from = (v.inductance_h > 0.0).then(|| r_con / (TAU * v.inductance_h));
    let geometry = pellet.geometry();
    let attribution = attribution::attribute(
        "CPE2",
        r2,
        ArcCapacitor::Cpe { q: q2, alpha: v.alpha },
        None,
        Some(&geometry),
        pellet.eps_r,
        pellet.particle_um,
    );
    let c_bulk = attribution::EPS0_F_PER_CM * pellet.eps_r / cell;
    let ratio = attribution
        .as_ref()
        .and_then(|a| a.ratio_to_bulk)
        .unwrap_or(c2 / c_bulk);
    let layer_nm = attribution
        .as_ref()
        .and_then(|a| a.layer_thickness_nm)
        .unwrap_or(pellet.particle_um * 1e3 / ratio);
    let isw_candidates = attribution::ISW_TABLE
        .iter()
        .filter(|row| v.c_norm_f_per_cm >= row.low_f_per_cm && v.c_norm_f_per_cm <= row.high_f_per_cm)
        .map(|row| row.phenomenon)
        .collect();

    let circuit = Circuit::parse(CIRCUIT).map_err(|e| ExploreError(e.to_string()))?;
    let params = parameters(
        &circuit,
        &[
            ("R1", r1),
            ("R2", r2),
            ("CPE2.Q", q2),
            ("CPE2.alpha", v.alpha),
            ("L1", v.inductance_h),
        ],
    )?;
    let model = circuit.at(&params);
    let z_at = |f: f64| {
        let omega = TAU * f;
        model.impedance(omega, omega.ln())
    };
    let mut freq_hz = log_grid(v.f_min_hz, v.f_max_hz, PER_DECADE);
    freq_hz.reverse();
    let mut noise = Noise::new(NOISE_SEED);
    let z: Vec<Complex64> = freq_hz
        .iter()
        .map(|&f| noise.proportional(z_at(f), v.noise_rel))
        .collect();
    let curve_freq_hz = log_grid(v.f_min_hz, v.f_max_hz, CURVE_PER_DECADE);
    let curve_z = curve_freq_hz.iter().map(|&f| z_at(f)).collect();

    let mut explored = Explored {
        values: v,
        adjusted,
        pellet: *pellet,
        circuit: CIRCUIT,
        r_con_ohm: r_con,
        r1_ohm: r1,
        r2_ohm: r2,
        c2_f: c2,
        q2,
        tau2_s: tau2,
        f_apex_hz: f_apex,
        boundary_s_per_cm: boundary,
        apex_line_s_per_cm: apex_line,
        apex_low_line_s_per_cm: apex_low_line,
        visible,
        apex_position: apex.position,
        region,
        inductive_from_hz: inductive_from,
        c_bulk_f: c_bulk,
        ratio_to_bulk: ratio,
        layer_thickness_nm: layer_nm,
        isw_candidates,
        sentences: Vec::new(),
        n_points: freq_hz.len(),
        freq_hz,
        z,
        curve_freq_hz,
        curve_z,
    };
    explored.sentences = sentences(&explored, style);
    Ok(explored)
}

/// The explanation, one sentence per topic, with this pellet's numbers (short enough to
/// be read from the back of a room beside the plots).
pub fn sentences(e: &Explored, style: Style) -> Vec<Sentence> {
    let v = &e.values;
    let s = |x: f64, unit: &str| sci(x, unit, style);
    let f_max = hz(v.f_max_hz, style);
    let f_min = hz(v.f_min_hz, style);
    let sigma = s(v.sigma_s_per_cm, "S/cm");
    let paper = format!("the paper's line (C·d/A)·f_max = {}", s(e.boundary_s_per_cm, "S/cm"));
    let apex_line = format!(
        "the apex line 2π(R2/R_con)(C·d/A)·f_max = {}",
        s(e.apex_line_s_per_cm, "S/cm")
    );
    let mut out = Vec::new();
    let mut say = |key: &'static str, text: String| out.push(Sentence { key, text });

    say(
        "tau",
        format!(
            "τ2 = R2·C2 = {} × {} = {}: the arc's apex is at f = 1/(2π τ2) = {}.",
            numfmt::value(e.r2_ohm, 3, "Ω", style),
            s(e.c2_f, "F"),
            s(e.tau2_s, "s"),
            hz(e.f_apex_hz, style),
        ),
    );

    let window = match e.region {
        Region::WholeArc => format!(
            "The apex lies inside the window ({f_min} to {f_max}): the whole arc is measured. σ = {sigma} is below {paper} and {apex_line}."
        ),
        Region::PartOfArc => format!(
            "The apex is still inside the window ({f_min} to {f_max}), the arc's high-frequency side is not: only part of the arc is measured. σ = {sigma} lies between {paper} and {apex_line}."
        ),
        Region::NoArc => format!(
            "The apex lies above f_max = {f_max}: no semicircle, only R_con = {}{}. σ = {sigma} is above {apex_line}.",
            numfmt::value(e.r_con_ohm, 3, "Ω", style),
            if e.inductive_from_hz.is_some_and(|f| f < v.f_max_hz) {
                " and the cables' inductive tail"
            } else {
                ""
            },
        ),
        Region::BelowWindow => format!(
            "The apex lies below f_min = {f_min}: the arc does not close inside the window and R_con is not reached. σ = {sigma} is below 2π(R2/R_con)(C·d/A)·f_min = {}.",
            s(e.apex_low_line_s_per_cm, "S/cm"),
        ),
    };
    say("window", window);

    say(
        "two_pi",
        format!(
            "Why 2π: at τ2 = 1/f_max the apex is at f_max/2π = {}, well inside the window; σ must rise 2π ≈ 6.3 times further before the apex itself reaches f_max.",
            hz(v.f_max_hz / TAU, style),
        ),
    );

    let cable = match e.inductive_from_hz {
        None => "No cable inductance (L = 0): the spectrum never turns inductive.".to_string(),
        Some(f) if f <= v.f_max_hz => format!(
            "Cable L = {}: iωL exceeds R_con above R_con/(2π L) = {}, inside the window: there Im Z > 0, the inductive tail of case (a).",
            s(v.inductance_h, "H"),
            hz(f, style),
        ),
        Some(f) => format!(
            "Cable L = {}: iωL exceeds R_con only above R_con/(2π L) = {}, beyond the window: no inductive tail.",
            s(v.inductance_h, "H"),
            hz(f, style),
        ),
    };
    say("inductance", cable);

    // The Irvine–Sinclair–West candidates are on the map (its strip), not repeated here.
    say(
        "capacitance",
        format!(
            "C2 = {} is {} × C_bulk = ε0 εr A/d = {} (εr = {}): not the bulk. In a brick layer, {} particles would be separated by layers about {} thick: an interface between particles.",
            s(e.c2_f, "F"),
            numfmt::sig(e.ratio_to_bulk, 2, style),
            s(e.c_bulk_f, "F"),
            numfmt::sig(e.pellet.eps_r, 3, style),
            length_nm(e.pellet.particle_um * 1e3, style),
            length_nm(e.layer_thickness_nm, style),
        ),
    );
    if e.pellet.assumed {
        say(
            "pellet",
            format!("The settings give no pellet: {DEFAULT_THICKNESS_MM:.1} mm × {DEFAULT_DIAMETER_MM} mm is assumed."),
        );
    }
    out
}

impl Explored {
    /// The spectrum as the calculator reads a file: comment lines with the truth, then
    /// f, Z′, Z″ (signed Im Z) with the noise the plots show.
    pub fn csv(&self) -> String {
        let v = &self.values;
        let mut text = String::new();
        let _ = writeln!(
            text,
            "# SYNTHETIC spectrum made by sigmafit's explorer (not a measurement): {CIRCUIT}."
        );
        let _ = writeln!(
            text,
            "# truth: sigma_eff = {:.6e} S/cm, R_con = {:.6e} ohm, R1 = {:.6e} ohm, R2 = {:.6e} ohm, CPE2 Q = {:.6e} F s^(a-1), alpha = {}, C2 = {:.6e} F, C*d/A = {:.6e} F/cm, L1 = {:.6e} H.",
            v.sigma_s_per_cm,
            self.r_con_ohm,
            self.r1_ohm,
            self.r2_ohm,
            self.q2,
            v.alpha,
            self.c2_f,
            v.c_norm_f_per_cm,
            v.inductance_h
        );
        let _ = writeln!(
            text,
            "# pellet d = {} mm, A = {:.6} cm^2; {:.6e} Hz to {:.6e} Hz, {PER_DECADE} points per decade, {} % Gaussian noise proportional to |Z| (seed {NOISE_SEED}). Im Z signed (negative = capacitive).",
            self.pellet.thickness_cm * 10.0,
            self.pellet.area_cm2,
            v.f_min_hz,
            v.f_max_hz,
            v.noise_rel * 100.0
        );
        text.push_str("freq_Hz,Zreal_ohm,Zimag_ohm\n");
        for (f, z) in self.freq_hz.iter().zip(&self.z) {
            let _ = writeln!(text, "{f:.9e},{:.10e},{:.10e}", z.re, z.im);
        }
        text
    }

    fn plot_data(&self) -> PlotData<'_> {
        PlotData {
            freq_hz: &self.freq_hz,
            z: &self.z,
            fitted_mask: &[],
            curve_freq_hz: &self.curve_freq_hz,
            curve_z: &self.curve_z,
            model_at_data: &[],
        }
    }

    /// The spectrum's Nyquist plot: points with noise, the circuit as a line.
    pub fn draw_nyquist<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        style: &PlotStyle,
    ) -> Result<(), PlotError> {
        plot::draw_nyquist_labelled(area, &self.plot_data(), style, "circuit")
    }

    /// The spectrum's Bode plot.
    pub fn draw_bode<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        style: &PlotStyle,
    ) -> Result<(), PlotError> {
        plot::draw_bode_labelled(area, &self.plot_data(), style, "circuit")
    }

    /// The map of σ against C·d/A with this pellet on it.
    pub fn draw_map<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        style: &PlotStyle,
    ) -> Result<(), PlotError> {
        map::draw_map(area, &map::MapData::of(self), style)
    }
}

/// A one-click set of values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Preset {
    pub key: &'static str,
    pub label: String,
    pub note: String,
    pub input: ExploreInput,
}

/// The paper's headline materials (486 MPa), a LiNbO3-coated one a decade lower, and
/// a dummy cell (R1 = 100 Ω, R2 = 1 kΩ ‖ 1 nF, whatever the pellet).
pub fn presets(pellet: &Pellet) -> Vec<Preset> {
    let material = |key, label: &str, sigma: f64, c_norm: f64, note: &str| Preset {
        key,
        label: label.to_string(),
        note: note.to_string(),
        input: ExploreInput {
            sigma_s_per_cm: Some(sigma),
            c_norm_f_per_cm: Some(c_norm),
            alpha: Some(ALPHA.default),
            r1_share: Some(R1_SHARE.default),
            inductance_h: Some(INDUCTANCE.default),
            f_min_hz: Some(F_MIN.default),
            f_max_hz: Some(F_MAX.default),
            noise_rel: Some(NOISE.default),
        },
    };
    let paper = "the paper's σ_eff at 486 MPa; C·d/A taken as 5e-10 F/cm (the study's interparticle range)";
    let (r1, r2, c) = (100.0, 1000.0, 1e-9);
    let cell = pellet.cell_constant();
    vec![
        material("lco", "LCO", 1.3e-4, 5e-10, paper),
        material("sc-nmc622", "sc-NMC622", 2.5e-2, 5e-10, paper),
        material("pc-nmc622", "pc-NMC622", 3.1e-2, 5e-10, paper),
        material("nmc83611", "NMC83611", 1e-1, 5e-10, paper),
        material(
            "coated-nmc622",
            "coated sc-NMC622",
            2.5e-3,
            1e-9,
            "LiNbO3-coated sc-NMC622: a decade below uncoated (a dense coating), with the study's largest C·d/A, 1e-9 F/cm",
        ),
        Preset {
            key: "dummy",
            label: "dummy cell".to_string(),
            note: "R1 = 100 Ω in series with R2 = 1 kΩ ‖ C = 1 nF (an ideal capacitor, α = 1)".to_string(),
            input: ExploreInput {
                sigma_s_per_cm: Some(cell / (r1 + r2)),
                c_norm_f_per_cm: Some(c * cell),
                alpha: Some(1.0),
                r1_share: Some(r1 / (r1 + r2)),
                inductance_h: Some(1e-7),
                f_min_hz: Some(F_MIN.default),
                f_max_hz: Some(F_MAX.default),
                noise_rel: Some(0.001),
            },
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spectrum::parse_spectrum;
    use std::f64::consts::PI;

    fn default_pellet() -> Pellet {
        Pellet::from_settings(&Settings {
            geometry: Geometry::from_diameter(1.0, 10.0, None, None).ok(),
            ..Settings::default()
        })
    }

    fn input(sigma: f64, c_norm: f64) -> ExploreInput {
        ExploreInput {
            sigma_s_per_cm: Some(sigma),
            c_norm_f_per_cm: Some(c_norm),
            ..ExploreInput::default()
        }
    }

    fn rel(a: f64, b: f64) -> f64 {
        (a / b - 1.0).abs()
    }

    #[test]
    fn default_pellet_is_the_pages() {
        let g = default_geometry();
        assert_eq!(g.thickness_cm, 0.1);
        assert!(rel(g.area_cm2, PI / 4.0) < 1e-15);
        let p = Pellet::from_settings(&Settings::default());
        assert!(p.assumed);
        assert!(!default_pellet().assumed);
    }

    #[test]
    fn numbers_by_hand() {
        // 1 mm × 10 mm: d/A = 0.1 / (π/4) = 0.127324 1/cm. σ = 1.3e-4 S/cm:
        // R_con = 0.127324 / 1.3e-4 = 979.42 Ω; R2 = 0.96 R_con = 940.24 Ω;
        // C2 = 5e-10 / 0.127324 = 3.92699e-9 F; τ2 = 0.96 × 5e-10 / 1.3e-4 = 3.6923e-6 s;
        // apex 1/(2π τ2) = 43.104 kHz; paper's line 5e-10 × 1e6 = 5e-4 S/cm;
        // apex line 2π × 0.96 × 5e-4 = 3.0159e-3 S/cm.
        let e = explore(&ExploreInput::default(), &default_pellet(), Style::Ascii).unwrap();
        assert!(rel(e.r_con_ohm, 979.42) < 1e-4, "{}", e.r_con_ohm);
        assert!(rel(e.r2_ohm, 940.24) < 1e-4);
        assert!(rel(e.c2_f, 3.92699e-9) < 1e-5);
        assert!(rel(e.tau2_s, 3.6923e-6) < 1e-4);
        assert!(rel(e.f_apex_hz, 43_104.0) < 1e-4);
        assert!(rel(e.boundary_s_per_cm, 5e-4) < 1e-12);
        assert!(rel(e.apex_line_s_per_cm, 3.0159e-3) < 1e-4);
        assert_eq!(e.visible, Visible::Semicircle);
        assert_eq!(e.region, Region::WholeArc);
        // Hsu–Mansfeld of the chosen Q gives C2 back.
        let c_eff = attribution::effective_capacitance(e.q2, 0.9, e.r2_ohm).unwrap();
        assert!(rel(c_eff, e.c2_f) < 1e-12);
        // C_bulk = 8.854e-14 × 10 / 0.127324 = 6.954e-12 F; ratio 564.7; 5 µm → 8.854 nm.
        assert!(rel(e.c_bulk_f, 6.954e-12) < 1e-3);
        assert!(rel(e.ratio_to_bulk, 564.7) < 1e-3);
        assert!(rel(e.layer_thickness_nm, 8.854) < 1e-3);
        assert_eq!(e.isw_candidates, ["grain boundary", "bulk ferroelectric"]);
        // L = 3e-7 H: R_con / (2π L) = 979.42 / 1.88496e-6 = 519.6 MHz.
        assert!(rel(e.inductive_from_hz.unwrap(), 5.196e8) < 1e-3);
        // 0.1 Hz to 1 MHz at 10 a decade: 71 points, 1 MHz first.
        assert_eq!(e.n_points, 71);
        assert_eq!(e.freq_hz[0], 1e6);
    }

    #[test]
    fn the_spectrum_is_the_circuit_written_out() {
        // Noise-free, the point at f is R1 + R2/(1 + R2 Q (iω)^α) + iωL, computed here by hand.
        let values = ExploreInput {
            noise_rel: Some(0.0),
            ..ExploreInput::default()
        };
        let e = explore(&values, &default_pellet(), Style::Ascii).unwrap();
        for (f, z) in e.freq_hz.iter().zip(&e.z) {
            let w = TAU * f;
            let iw_alpha = Complex64::from_polar(w.powf(0.9), 0.9 * PI / 2.0);
            let want = e.r1_ohm + e.r2_ohm / (1.0 + e.r2_ohm * e.q2 * iw_alpha) + Complex64::new(0.0, w * 3e-7);
            assert!((z - want).norm() / want.norm() < 1e-12, "{f}: {z} vs {want}");
        }
        // The apex of −Z″ sits at f_apex (the grid's nearest point, within 1/20 decade).
        let top = e
            .curve_freq_hz
            .iter()
            .zip(&e.curve_z)
            .max_by(|a, b| (-a.1.im).total_cmp(&(-b.1.im)))
            .unwrap();
        assert!(
            (top.0 / e.f_apex_hz).log10().abs() < 0.05,
            "{} vs {}",
            top.0,
            e.f_apex_hz
        );
    }

    #[test]
    fn visible_flips_where_the_apex_leaves_the_window() {
        // Apex line: σ* = 2π (1 − 0.04) × 5e-10 × 1e5 = 3.01593e-4 S/cm for f_max = 100 kHz.
        let crossing = 2.0 * PI * 0.96 * 5e-10 * 1e5;
        let at = |sigma: f64| {
            let mut i = input(sigma, 5e-10);
            i.f_max_hz = Some(1e5);
            explore(&i, &default_pellet(), Style::Ascii).unwrap()
        };
        let below = at(crossing * 0.98);
        let above = at(crossing * 1.02);
        assert_eq!(below.visible, Visible::Semicircle);
        assert_eq!(below.region, Region::PartOfArc);
        assert_eq!(above.visible, Visible::NoSemicircle);
        assert_eq!(above.region, Region::NoArc);
        assert!(rel(below.boundary_s_per_cm, 5e-5) < 1e-12);
        assert_eq!(at(4e-5).region, Region::WholeArc);
        // Below the low apex line the apex falls under f_min = 0.1 Hz:
        // σ < 2π × 0.96 × 1e-6 × 0.1 = 6.03e-7 S/cm needs C·d/A = 1e-6 and σ at the floor, 1e-6: not reached,
        // so move f_min up to 1 kHz instead: σ < 2π × 0.96 × 1e-6 × 1e3 = 6.03e-3.
        let mut low = input(1e-3, 1e-6);
        low.f_min_hz = Some(1e3);
        let low = explore(&low, &default_pellet(), Style::Ascii).unwrap();
        assert_eq!(low.region, Region::BelowWindow);
        assert_eq!(low.visible, Visible::NoSemicircle);
    }

    #[test]
    fn any_input_gives_finite_numbers() {
        let awkward = [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -1.0,
            0.0,
            1e308,
            -1e308,
            5e-324,
        ];
        for &x in &awkward {
            let i = ExploreInput {
                sigma_s_per_cm: Some(x),
                c_norm_f_per_cm: Some(x),
                alpha: Some(x),
                r1_share: Some(x),
                inductance_h: Some(x),
                f_min_hz: Some(x),
                f_max_hz: Some(x),
                noise_rel: Some(x),
            };
            let e = explore(&i, &default_pellet(), Style::Typeset).unwrap();
            let numbers = [
                e.r_con_ohm,
                e.r1_ohm,
                e.r2_ohm,
                e.c2_f,
                e.q2,
                e.tau2_s,
                e.f_apex_hz,
                e.ratio_to_bulk,
            ];
            assert!(numbers.iter().all(|n| n.is_finite()), "{x}: {numbers:?}");
            assert!(e.z.iter().all(|z| z.re.is_finite() && z.im.is_finite()), "{x}");
            assert!(e.n_points >= 11, "{x}: {}", e.n_points);
            assert!(e.values.f_max_hz / e.values.f_min_hz >= MIN_WINDOW_RATIO * (1.0 - 1e-12));
            // The CSV it sends reads back as a spectrum.
            assert!(parse_spectrum(&e.csv(), "explorer.csv").is_ok(), "{x}");
        }
        let (values, adjusted) = ExploreInput {
            sigma_s_per_cm: Some(f64::NAN),
            r1_share: Some(1.0),
            inductance_h: Some(0.0),
            ..ExploreInput::default()
        }
        .resolve();
        assert_eq!(values.sigma_s_per_cm, SIGMA.default);
        assert_eq!(values.r1_share, 0.99);
        assert_eq!(values.inductance_h, 0.0);
        let keys: Vec<_> = adjusted.iter().map(|a| (a.key, a.given)).collect();
        assert_eq!(keys, [("sigma_s_per_cm", None), ("r1_share", Some(1.0))]);
    }

    #[test]
    fn csv_reads_back_with_the_truth() {
        let e = explore(&ExploreInput::default(), &default_pellet(), Style::Ascii).unwrap();
        let spectrum = parse_spectrum(&e.csv(), "explorer.csv").unwrap();
        assert_eq!(spectrum.len(), e.n_points);
        // The reader may keep its own order: match the points by frequency.
        for (f, z) in e.freq_hz.iter().zip(&e.z) {
            let i = spectrum
                .freq_hz
                .iter()
                .position(|g| (g / f - 1.0).abs() < 1e-8)
                .unwrap();
            assert!((spectrum.z[i] - z).norm() / z.norm() < 1e-9, "{f}");
        }
        assert!(e.csv().contains("sigma_eff = 1.300000e-4 S/cm"));
    }

    #[test]
    fn sentences_carry_the_numbers() {
        let e = explore(&ExploreInput::default(), &default_pellet(), Style::Ascii).unwrap();
        let text = |key: &str| {
            e.sentences
                .iter()
                .find(|s| s.key == key)
                .map(|s| s.text.clone())
                .unwrap()
        };
        assert!(text("tau").contains("3.69e-6 s"), "{}", text("tau"));
        assert!(text("tau").contains("43.1 kHz"), "{}", text("tau"));
        assert!(text("window").contains("5.00e-4 S/cm"), "{}", text("window"));
        assert!(text("window").contains("3.02e-3 S/cm"), "{}", text("window"));
        assert!(text("two_pi").contains("159 kHz"), "{}", text("two_pi"));
        assert!(text("inductance").contains("520 MHz"), "{}", text("inductance"));
        assert!(text("inductance").contains("beyond the window"));
        assert!(text("capacitance").contains("560 ×"), "{}", text("capacitance"));
        assert!(text("capacitance").contains("8.9 nm"), "{}", text("capacitance"));
        // An NMC-like pellet: no arc, and the cables take over inside the window.
        let nmc = explore(&input(1e-1, 5e-10), &default_pellet(), Style::Ascii).unwrap();
        assert_eq!(nmc.region, Region::NoArc);
        let tail = nmc.sentences.iter().find(|s| s.key == "inductance").unwrap();
        // R_con = 1.27324 Ω; / (2π × 3e-7) = 675.5 kHz.
        assert!(
            tail.text.contains("675 kHz") || tail.text.contains("676 kHz"),
            "{}",
            tail.text
        );
        assert!(tail.text.contains("inside the window"));
    }

    #[test]
    fn presets_land_where_the_paper_says() {
        let pellet = default_pellet();
        let region = |key: &str| {
            let p = presets(&pellet).into_iter().find(|p| p.key == key).unwrap();
            explore(&p.input, &pellet, Style::Ascii).unwrap().region
        };
        assert_eq!(region("lco"), Region::WholeArc);
        for key in ["sc-nmc622", "pc-nmc622", "nmc83611"] {
            assert_eq!(region(key), Region::NoArc, "{key}");
        }
        assert_eq!(region("coated-nmc622"), Region::PartOfArc);
        let dummy = presets(&pellet).into_iter().find(|p| p.key == "dummy").unwrap();
        let e = explore(&dummy.input, &pellet, Style::Ascii).unwrap();
        assert!(rel(e.r1_ohm, 100.0) < 1e-12 && rel(e.r2_ohm, 1000.0) < 1e-12);
        assert!(rel(e.c2_f, 1e-9) < 1e-12 && rel(e.q2, 1e-9) < 1e-12);
    }
}
