//! The prose of a result: every sentence a person reads about an [`Analysis`], and
//! every number in it, written by the one formatter ([`crate::numfmt`]) in the style
//! the face needs. The analysis itself stays data; this is the only place that turns
//! it into words, so the CLI and the page say the same thing with the same digits.

use crate::analysis::{Analysis, BoundSide, CapacitanceMissing, Quality, RConReport};
use crate::attribution::{Attribution, CapacitanceMethod};
use crate::choice::{self, ApexPosition, Method, RConReason, RConStatus};
use crate::numfmt::{self, Style, hz, percent, sci, sig, with_error};
use crate::pellet::{RConMissing, RUNAWAY_FACTOR};
use crate::preset::Kind;
use serde::Serialize;
use std::collections::BTreeMap;
use std::f64::consts::TAU;

/// Significant figures of an rms misfit, wherever it is shown.
const RMS_DIGITS: usize = 2;

/// Everything said about one analysis, in one style.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub style: Style,
    /// What the user should know about the quality of this result.
    pub notes: Vec<String>,
    /// Which circuit, why, and what the window allows.
    pub choice_sentence: String,
    /// Why R_con is measured or extrapolated.
    pub r_con_reason: Option<String>,
    /// Why there is no R_con.
    pub r_con_missing: Option<String>,
    /// The R1/R2 split and the arc's capacitance are extrapolated (apex above the window).
    pub arc_note: Option<String>,
    /// The window's boundary differs from the paper's.
    pub boundary_note: Option<String>,
    /// What the ± of σ_eff contains.
    pub uncertainty_note: Option<String>,
    /// Where the inductive part of a case (a) spectrum comes from.
    pub lead_note: Option<String>,
    pub capacitance_paragraph: Option<String>,
    /// Why there is no attribution.
    pub capacitance_missing: Option<String>,
    /// How the importer read the imaginary column.
    pub imag_convention: &'static str,
    /// Every number shown beside the prose, formatted once: `sigma`, `r_con`,
    /// `param:R1`, `delta_bic`, `tau2`, `f_apex`, ... (absent when not applicable).
    pub figures: BTreeMap<String, String>,
}

/// Writes the report of `analysis` in `style`.
pub fn write(analysis: &Analysis, style: Style) -> Report {
    let a = analysis;
    let mut figures = BTreeMap::new();
    let mut put = |key: &str, text: String| {
        figures.insert(key.to_string(), text);
    };
    for name in &a.param_order {
        if let Some(p) = a.params.get(name) {
            put(&format!("param:{name}"), with_error(p.value, p.stderr, p.unit, style));
        }
    }
    if let Some(s) = &a.sigma_s_per_cm {
        put("sigma", with_error(s.value, s.stderr, "S/cm", style));
    }
    if let Some(r) = &a.r_con_ohm {
        put("r_con", with_error(r.value, r.stderr, "Ω", style));
        put("fitted_dc", with_error(r.fitted_dc_ohm, None, "Ω", style));
        put("lead", with_error(r.lead_ohm, None, "Ω", style));
    }
    let c = &a.choice;
    if let Some(d) = c.delta_bic.filter(|d| d.is_finite()) {
        put("delta_bic", sig(d, 3, style));
    }
    put("fitted_f_min", hz(c.fitted_f_min_hz, style));
    put("fitted_f_max", hz(c.fitted_f_max_hz, style));
    put("inverse_f_max", sci(1.0 / c.fitted_f_max_hz, "s", style));
    put("f_max_over_2pi", hz(c.fitted_f_max_hz / TAU, style));
    put(
        "c_norm_max",
        numfmt::with_unit(sig(c.boundary.c_norm_max_f_per_cm, 3, style), "F/cm", style),
    );
    put("boundary_sigma", sci(c.boundary.sigma_s_per_cm, "S/cm", style));
    put(
        "paper_threshold",
        numfmt::with_unit(sig(choice::PAPER_THRESHOLD_S_PER_CM, 1, style), "S/cm", style),
    );
    if let (Some(own_c), Some(own)) = (c.boundary.own_c_norm_f_per_cm, c.boundary.own_sigma_s_per_cm) {
        put("own_c_norm", sci(own_c, "F/cm", style));
        put("own_boundary_sigma", sci(own, "S/cm", style));
    }
    if let Some(apex) = &c.apex {
        put("tau2", sci(apex.tau2_s, "s", style));
        put("f_apex", hz(apex.f_apex_hz, style));
    }
    let s = &a.stats;
    put("rms", percent(s.rms_relative, RMS_DIGITS, style));
    put("chi2_red", sci(s.chi2_reduced, "", style));
    put("aic", sig(s.aic, 5, style));
    put("bic", sig(s.bic, 5, style));
    for (i, cand) in c.candidates.iter().enumerate() {
        put(&format!("candidate:{i}:bic"), sig(cand.bic, 5, style));
        put(
            &format!("candidate:{i}:rms"),
            percent(cand.rms_relative, RMS_DIGITS, style),
        );
        if let Some(r) = cand.r_con_ohm {
            put(&format!("candidate:{i}:r_con"), with_error(r, None, "Ω", style));
        }
        if let Some(sigma) = cand.sigma_s_per_cm {
            put(&format!("candidate:{i}:sigma"), sci(sigma, "S/cm", style));
        }
    }
    if let Some(cap) = &a.capacitance {
        put("c_eff", with_error(cap.c_eff_f, cap.c_eff_stderr_f, "F", style));
        if let Some(v) = cap.c_per_area_f_per_cm2 {
            put("c_per_area", sci(v, "F/cm²", style));
        }
        if let Some(v) = cap.c_norm_f_per_cm {
            put("c_norm", sci(v, "F/cm", style));
        }
        if let Some(v) = cap.c_bulk_f {
            put("c_bulk", sci(v, "F", style));
        }
        if let Some(v) = cap.c_bulk_per_area_f_per_cm2 {
            put("c_bulk_per_area", sci(v, "F/cm²", style));
        }
        if let Some(v) = cap.ratio_to_bulk {
            put("ratio_to_bulk", sig(v, 2, style));
        }
        if let Some(v) = cap.layer_thickness_nm {
            put("layer", numfmt::length_nm(v, style));
        }
        put("eps_r", sig(cap.eps_r, 4, style));
        put(
            "particle",
            numfmt::with_unit(sig(cap.particle_um, 4, style), "µm", style),
        );
    }
    if let Some(l) = &a.lead_inductance {
        put("lead_inductance", with_error(l.inductance_h, l.stderr_h, "H", style));
    }

    Report {
        style,
        notes: notes(a, style),
        choice_sentence: choice_sentence(a, &figures, style),
        r_con_reason: a.r_con_ohm.as_ref().and(c.r_con.as_ref()).map(|b| r_con_reason(b, style)),
        r_con_missing: a.r_con_missing.as_ref().map(|m| r_con_missing(m, style)),
        arc_note: c.arc_extrapolated.then(|| {
            format!(
                "The semicircle's apex (1/(2π τ2) = {}) lies above the highest fitted frequency ({}): \
                 R_con rests on the data, but its split into R1 and R2 and the arc's capacitance are the model's extrapolation.",
                figures.get("f_apex").cloned().unwrap_or_default(),
                hz(c.fitted_f_max_hz, style)
            )
        }),
        boundary_note: c.boundary.differs_from_paper.then(|| {
            format!(
                "The fit ends at {}, so this window's boundary is {} rather than the paper's {} (measured to 1 MHz).",
                hz(c.fitted_f_max_hz, style),
                sci(c.boundary.sigma_s_per_cm, "S/cm", style),
                figures.get("paper_threshold").cloned().unwrap_or_default()
            )
        }),
        uncertainty_note: a.sigma_s_per_cm.as_ref().and_then(|sigma| {
            let g = a.geometry.as_ref()?;
            sigma.stderr?;
            Some(if g.thickness_err_cm.is_none() && g.area_err_cm2.is_none() {
                "± is the fit's standard error of R_con only: the pellet's thickness and diameter were given without \
                 uncertainties, so the geometry adds none."
                    .to_string()
            } else {
                "± combines the fit's standard error of R_con with the given uncertainties of the thickness and the \
                 diameter (or area), in quadrature."
                    .to_string()
            })
        }),
        lead_note: lead_note(a, &figures),
        capacitance_paragraph: a.capacitance.as_ref().map(|cap| capacitance_paragraph(a, cap, &figures, style)),
        capacitance_missing: a.capacitance_missing.as_ref().map(|m| capacitance_missing(m, style)),
        imag_convention: a.spectrum.imag_convention.describe(),
        figures,
    }
}

fn notes(a: &Analysis, style: Style) -> Vec<String> {
    a.quality
        .iter()
        .map(|q| match q {
            Quality::NotConverged { termination } => {
                format!("The fit did not converge ({termination}): treat the numbers with care.")
            }
            Quality::PoorFit { rms_relative } => format!(
                "The circuit describes the data poorly: the rms misfit is {} (a clean spectrum fits to 1–2 %). \
                 Consider another circuit or a narrower frequency range.",
                percent(*rms_relative, RMS_DIGITS, style)
            ),
            Quality::AtBound { param, value, bound } => format!(
                "{param} sits at its {} bound ({}); it was held there, so it has no standard error.",
                match bound {
                    BoundSide::Lower => "lower",
                    BoundSide::Upper => "upper",
                },
                sig(*value, 4, style)
            ),
            Quality::NotIdentifiable => {
                "The parameters are not all identifiable from these data (the Jacobian is singular): no standard errors."
                    .to_string()
            }
            Quality::FlatSpectrum { spread_relative } => format!(
                "Z hardly changes with frequency (rms spread {} of |Z|): the spectrum is a pure resistance. R_con is \
                 its value; the circuit's other parameters are not determined by these data.",
                percent(*spread_relative, RMS_DIGITS, style)
            ),
        })
        .collect()
}

fn choice_sentence(a: &Analysis, figures: &BTreeMap<String, String>, style: Style) -> String {
    let c = &a.choice;
    let figure = |key: &str| figures.get(key).cloned().unwrap_or_default();
    let name = match a.kind {
        Kind::Inductive => format!("the inductive circuit (a), {},", a.circuit),
        Kind::Semicircle => format!("the semicircle circuit (b), {},", a.circuit),
        Kind::Custom => format!("your circuit {}", a.circuit),
    };
    let how = match c.method {
        Method::User => "as you chose".to_string(),
        Method::Bic => match c.delta_bic {
            Some(d) if d.is_finite() && d < choice::BIC_TIE => format!(
                "because it fits slightly better (ΔBIC = {} < {}, too close to call; with the pellet geometry the paper's rule would decide)",
                figure("delta_bic"),
                choice::BIC_TIE
            ),
            Some(d) if d.is_finite() => format!("because it fits better by ΔBIC = {}", figure("delta_bic")),
            _ => "because the other circuit could not be fitted".to_string(),
        },
        Method::PaperRule => format!(
            "by the paper's rule, since both circuits fit about equally well (|ΔBIC| = {} < {})",
            sig(c.delta_bic.unwrap_or(0.0).abs(), 3, style),
            choice::BIC_TIE
        ),
    };
    let mut text = format!("Used {name} {how}.");
    match (&a.sigma_s_per_cm, &c.paper_rule) {
        (Some(sigma), Some(rule)) => {
            let side = if sigma.value > rule.threshold_s_per_cm {
                "above"
            } else {
                "below"
            };
            text.push_str(&format!(
                " σ_eff = {} is {side} the paper's {}, where {} spectra are expected{}.",
                sci(sigma.value, "S/cm", style),
                figure("paper_threshold"),
                match rule.suggests {
                    Kind::Inductive => "inductive",
                    _ => "semicircle",
                },
                if rule.agrees {
                    ", in agreement"
                } else {
                    "; this spectrum disagrees with the rule"
                },
            ));
        }
        _ if a.r_con_ohm.is_none() => text.push_str(&format!(
            " There is no R_con (see its note), so neither σ_eff nor the paper's {} rule applies.",
            figure("paper_threshold")
        )),
        _ => text.push_str(&format!(
            " Give the pellet geometry to place σ_eff against the paper's {} rule.",
            figure("paper_threshold")
        )),
    }
    text.push_str(&format!(
        " A semicircle is fully resolved when τ2 = R2·C2 exceeds 1/f_max; with data up to {} and (C·d/A)max = {} \
         (the largest interparticle value of the study's pellets, a setting), that holds for σ below about {}",
        figure("fitted_f_max"),
        figure("c_norm_max"),
        figure("boundary_sigma"),
    ));
    if let Some(own) = figures.get("own_boundary_sigma") {
        text.push_str(&format!(
            " ({own} with this pellet's own C2·d/A = {})",
            figure("own_c_norm")
        ));
    }
    text.push('.');
    if let Some(apex) = &c.apex {
        let tau = figure("tau2");
        let f_apex = figure("f_apex");
        text.push_str(&match apex.position {
            ApexPosition::Resolved => format!(
                " Here τ2 = {tau} exceeds 1/f_max = {}, so the apex, at f = 1/(2π τ2) = {f_apex}, lies at least 2π below f_max: \
                 the arc's high-frequency side is inside the window{}.",
                figure("inverse_f_max"),
                if a.r_con_ohm.as_ref().is_some_and(|r| r.status == RConStatus::Measured) {
                    ", and the data reach its low-frequency plateau"
                } else {
                    ""
                }
            ),
            ApexPosition::NearTop => format!(
                " Here τ2 = {tau} is below 1/f_max = {}: the apex, at f = 1/(2π τ2) = {f_apex}, is still inside the window \
                 (the apex is where ωτ2 = 1, a factor 2π below 1/τ2), but the arc's high-frequency side above it is not measured.",
                figure("inverse_f_max")
            ),
            ApexPosition::AboveWindow => format!(
                " Here τ2 = {tau} puts the apex, at f = 1/(2π τ2) = {f_apex}, above the window: only the arc's low-frequency \
                 side is measured."
            ),
            ApexPosition::BelowWindow => format!(
                " Here τ2 = {tau} puts the apex, at f = 1/(2π τ2) = {f_apex}, below the lowest fitted frequency: the arc \
                 does not close inside the data."
            ),
        });
    }
    if let (Some(r), Some(basis)) = (&a.r_con_ohm, &c.r_con)
        && r.status == RConStatus::Extrapolated
    {
        // An apex below the window was said just above, in the same words.
        if basis.reason == RConReason::ApexBelowWindow && c.apex.is_some() {
            text.push_str(" R_con is therefore extrapolated.");
        } else {
            text.push_str(" R_con is extrapolated: ");
            text.push_str(&r_con_reason(basis, style));
            text.push('.');
        }
    }
    text
}

fn r_con_reason(b: &choice::RConBasis, style: Style) -> String {
    let f_min = hz(b.fitted_f_min_hz, style);
    let n = b.points_judged;
    match b.reason {
        RConReason::Plateau => format!(
            "at the lowest fitted frequency ({f_min}) the fitted curve is at {} of its DC limit, and the {n} lowest \
             points agree with it (median measured/fitted Re Z = {}): the data show the low-frequency plateau",
            percent(b.curve_to_dc, 3, style),
            numfmt::value(b.data_to_curve, 3, "", style)
        ),
        RConReason::ApexBelowWindow => {
            "the semicircle's apex lies below the lowest fitted frequency: the arc does not close inside the data"
                .into()
        }
        RConReason::ArcDoesNotClose => format!(
            "at the lowest fitted frequency ({f_min}) the fitted curve is only at {} of its DC limit: the arc does not \
             close inside the data",
            percent(b.curve_to_dc, 3, style)
        ),
        RConReason::DataRiseBeyond => format!(
            "the {n} lowest measured points lie above the fitted curve (median measured/fitted Re Z = {}): the data keep \
             rising beyond the fitted DC limit, a low-frequency feature the circuit does not describe",
            numfmt::value(b.data_to_curve, 3, "", style)
        ),
        RConReason::DataFallShort => format!(
            "the {n} lowest measured points lie below the fitted curve (median measured/fitted Re Z = {}): the fitted \
             plateau is not what the data show",
            numfmt::value(b.data_to_curve, 3, "", style)
        ),
    }
}

fn r_con_missing(m: &RConMissing, style: Style) -> String {
    match m {
        RConMissing::NoDcLimit { why } => format!("{why}, so the circuit has no DC limit and there is no R_con."),
        RConMissing::Runaway {
            fitted_dc_ohm,
            largest_measured_ohm,
        } => format!(
            "The fitted DC resistance ({}) is more than {RUNAWAY_FACTOR} times the largest measured |Z| ({}): the \
             spectrum shows no DC plateau (a blocking or capacitive tail), so R_con cannot be determined from it.",
            sci(*fitted_dc_ohm, "Ω", style),
            sci(*largest_measured_ohm, "Ω", style)
        ),
        RConMissing::Collapsed {
            fitted_dc_ohm,
            largest_measured_ohm,
        } => format!(
            "The fitted DC resistance ({}) is less than a millionth of the largest measured |Z| ({}): the fit \
             collapsed rather than found a resistance, so there is no R_con. Check that Z' is the real part and \
             positive (a passive pellet has Re Z > 0).",
            sci(*fitted_dc_ohm, "Ω", style),
            sci(*largest_measured_ohm, "Ω", style)
        ),
        RConMissing::NotAboveLead {
            fitted_dc_ohm,
            lead_ohm,
        } => format!(
            "The fitted DC resistance ({}) is not larger than the lead resistance ({}).",
            with_error(*fitted_dc_ohm, None, "Ω", style),
            with_error(*lead_ohm, None, "Ω", style)
        ),
        RConMissing::Undescribed {
            fitted_dc_ohm,
            rms_relative,
        } => format!(
            "The fitted curve misses the data by {} rms, so its DC limit ({}) measures nothing: there is no R_con. \
             Check the file's columns and signs, or the circuit.",
            percent(*rms_relative, RMS_DIGITS, style),
            sci(*fitted_dc_ohm, "Ω", style)
        ),
        RConMissing::InvalidLead { lead_ohm } => {
            format!(
                "The lead resistance must be zero or positive, not {}.",
                sig(*lead_ohm, 4, style)
            )
        }
    }
}

fn capacitance_missing(m: &CapacitanceMissing, style: Style) -> String {
    match m {
        CapacitanceMissing::InductiveCircuit => {
            "No semicircle in the inductive circuit: its CPE (α < 0) describes the leads' inductance, not the pellet."
                .into()
        }
        CapacitanceMissing::NoArc => {
            "The circuit has no resistor in parallel with a capacitor or CPE, so there is no semicircle to attribute."
                .into()
        }
        CapacitanceMissing::RunawayResistor { element, r_ohm } => format!(
            "The arc's resistor {element} ran away to {} (the data show no DC plateau), so its capacitance means nothing.",
            sci(*r_ohm, "Ω", style)
        ),
        CapacitanceMissing::NoEffectiveCapacitance { element } => {
            format!("{element} has no effective capacitance (a CPE needs 0 < α ≤ 1).")
        }
        CapacitanceMissing::NegligibleArc { element, r_ohm } => format!(
            "The arc's resistor {element} fitted to {}, a negligible part of |Z|: the data show no arc, so its \
             capacitance is not determined by them.",
            sci(*r_ohm, "Ω", style)
        ),
    }
}

fn lead_note(a: &Analysis, figures: &BTreeMap<String, String>) -> Option<String> {
    if a.kind != Kind::Inductive {
        return None;
    }
    let element = a
        .param_order
        .iter()
        .find(|n| n.starts_with("CPE") && n.ends_with(".Q"))
        .map(|n| n.trim_end_matches(".Q").to_string())
        .unwrap_or_else(|| "CPE0".into());
    let inductor = match (&a.lead_inductance, figures.get("lead_inductance")) {
        (Some(_), Some(l)) => format!(" With α = −1 it is an ideal inductor, L = 1/Q = {l}."),
        _ => " Its Q is in S·s^α (Z = 1/(Q (iω)^α)); with α < 0 it is no capacitance.".to_string(),
    };
    Some(format!(
        "The inductive part of this spectrum (Im Z > 0 at high frequency) comes from the cables and leads, not from the \
         pellet: {element} (α < 0) describes it, and R_con is the series resistance R0.{inductor}"
    ))
}

fn capacitance_paragraph(a: &Analysis, cap: &Attribution, figures: &BTreeMap<String, String>, _style: Style) -> String {
    let figure = |key: &str| figures.get(key).cloned().unwrap_or_default();
    let mut text = String::new();
    let r_con_extrapolated = a
        .r_con_ohm
        .as_ref()
        .is_some_and(|r: &RConReport| r.status == RConStatus::Extrapolated);
    if r_con_extrapolated || a.choice.arc_extrapolated {
        text.push_str("The arc is partly outside the measured window, so read these numbers as estimates. ");
    }
    text.push_str(&format!(
        "The semicircle's capacitance is C_eff = {} ({}).",
        figure("c_eff"),
        match cap.method {
            CapacitanceMethod::IdealCapacitor => "an ideal capacitor".to_string(),
            CapacitanceMethod::HsuMansfeld => format!(
                "{} by Hsu–Mansfeld with its parallel resistor, C_eff = (Q·R^(1−α))^(1/α)",
                cap.element
            ),
        }
    ));
    let (Some(ratio), Some(layer)) = (cap.ratio_to_bulk, cap.layer_thickness_nm) else {
        text.push_str(" Give the pellet's thickness and area to compare it with the bulk capacitance.");
        return text;
    };
    text.push_str(&format!(
        " Per area that is {}, or {} normalised by the cell constant (C·d/A). The bulk (geometric) capacitance \
         of this pellet with εr = {} is only {} per area, so the semicircle's capacitance is {} times larger",
        figure("c_per_area"),
        figure("c_norm"),
        figure("eps_r"),
        figure("c_bulk_per_area"),
        figure("ratio_to_bulk"),
    ));
    if ratio >= 10.0 && layer.is_finite() {
        text.push_str(&format!(
            ": it cannot be the bulk of the particles. In a brick-layer picture C_interface/C_bulk equals particle \
             diameter / layer thickness, so {} particles imply a layer about {} thick between them: the semicircle \
             is an interface between particles.",
            figure("particle"),
            figure("layer"),
        ));
    } else {
        text.push_str(
            ": close to the bulk value, so this semicircle may well be the bulk response rather than an interface.",
        );
    }
    let names: Vec<&str> = cap
        .table
        .iter()
        .filter(|r| r.candidate)
        .map(|r| r.row.phenomenon)
        .collect();
    if names.is_empty() {
        text.push_str(" No row of the Irvine–Sinclair–West table contains this C·d/A.");
    } else {
        text.push_str(&format!(
            " In the Irvine–Sinclair–West table C·d/A = {} fits: {} (the ranges overlap; these are candidates, not a verdict).",
            figure("c_norm"),
            names.join(", ")
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyse;
    use crate::pellet::Geometry;
    use crate::settings::Settings;
    use crate::spectrum::Spectrum;
    use crate::synthetic::decade_grid;
    use num_complex::Complex64;

    fn example() -> Analysis {
        // R1 = 40 Ω, R2 = 960 Ω ‖ C = 4 nF: τ2 = 3.84 µs, apex at 41.4 kHz.
        let f = decade_grid(1e6, 0.1, 10);
        let z: Vec<Complex64> = f
            .iter()
            .map(|&fi| 40.0 + 960.0 / Complex64::new(1.0, TAU * fi * 960.0 * 4e-9))
            .collect();
        let spectrum = Spectrum::from_points("arc", &f, &z).unwrap();
        let settings = Settings {
            geometry: Geometry::from_diameter(1.0, 10.0, None, None).ok(),
            ..Settings::default()
        };
        analyse(&spectrum, &settings).unwrap().analysis
    }

    #[test]
    fn typeset_and_ascii_say_the_same_digits() {
        let a = example();
        let typeset = write(&a, Style::Typeset);
        let ascii = write(&a, Style::Ascii);
        assert!(
            typeset.choice_sentence.contains("paper's 1\u{a0}×\u{a0}10⁻³\u{a0}S/cm"),
            "{}",
            typeset.choice_sentence
        );
        assert!(
            ascii.choice_sentence.contains("paper's 1e-3 S/cm"),
            "{}",
            ascii.choice_sentence
        );
        assert!(
            typeset.choice_sentence.contains("41.4\u{a0}kHz"),
            "{}",
            typeset.choice_sentence
        );
        // One ΔBIC, written once, in the sentence and in the figures.
        let delta = &ascii.figures["delta_bic"];
        assert!(
            ascii.choice_sentence.contains(&format!("ΔBIC = {delta}")),
            "{}",
            ascii.choice_sentence
        );
    }

    #[test]
    fn the_2_pi_between_tau2_and_the_apex_is_said_in_words() {
        let r = write(&example(), Style::Ascii);
        assert!(r.choice_sentence.contains("exceeds 1/f_max"), "{}", r.choice_sentence);
        assert!(
            r.choice_sentence
                .contains("f = 1/(2π τ2) = 41.4 kHz, lies at least 2π below f_max"),
            "{}",
            r.choice_sentence
        );
        assert!(
            r.choice_sentence
                .contains("(C·d/A)max = 1e-9 F/cm (the largest interparticle value"),
            "{}",
            r.choice_sentence
        );
        // τ2 > 1/f_max speaks for the high-frequency side; the low end is the plateau's.
        assert!(
            r.choice_sentence
                .contains("high-frequency side is inside the window, and the data reach its low-frequency plateau")
        );
        assert!(!r.choice_sentence.contains("whole arc"));
    }
}
