//! Which circuit, and why: the inductive CPE–R spectrum or the R1–(R2‖CPE2)
//! semicircle, and whether R_con was measured or extrapolated. Data only: the
//! sentences that explain it are written by [`crate::report`].
//!
//! The paper's rule puts the boundary at σ ≈ 1e-3 S/cm. It follows from the
//! measurement window: a semicircle is resolved when its time constant τ2 = R2 C2
//! exceeds 1/f_max, and with brick-layer scaling (R2 ≈ R_con = d/(σA), C2 = (C·d/A)·A/d)
//! τ2 ≈ (C·d/A)/σ, so σ < (C·d/A)_max · f_max: 1e-9 F/cm × 1 MHz = 1e-3 S/cm, where
//! (C·d/A)_max is the largest interparticle value of the study's pellets (a setting).
//! The arc's apex sits at ω = 1/τ2, i.e. f = 1/(2π τ2): "τ2 > 1/f_max" puts the apex
//! below f_max/2π, and between f_max/2π and f_max the apex is measured but the arc's
//! high-frequency side is not.

use crate::preset::{Kind, Preset};
use serde::Serialize;
use std::f64::consts::TAU;

/// The paper's boundary between the two kinds of spectra.
pub const PAPER_THRESHOLD_S_PER_CM: f64 = 1e-3;
/// Largest interparticle C d/A in the paper's pellets (F/cm); the default of the setting.
pub const C_NORM_MAX_F_PER_CM: f64 = 1e-9;
/// BIC difference below which the two circuits count as equally good.
pub const BIC_TIE: f64 = 10.0;
/// The fitted curve must reach this share of its DC limit at the lowest fitted frequency.
pub const PLATEAU_REACHED: f64 = 0.97;
/// The lowest measured points may sit this far (relative, median) from the fitted curve.
pub const PLATEAU_AGREEMENT: f64 = 0.05;
/// How many of the lowest fitted points judge whether the data agree with the plateau.
pub const PLATEAU_POINTS: usize = 5;

/// One circuit tried by `auto`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    pub preset: Preset,
    pub bic: f64,
    pub converged: bool,
    pub rms_relative: f64,
    pub r_con_ohm: Option<f64>,
    pub sigma_s_per_cm: Option<f64>,
    /// Its first descent was poor, but no rescue from other starts could have made it
    /// the choice (see `analysis::auto`): the fit shown is that first descent.
    pub rescue_skipped: bool,
}

/// How the circuit was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The user named the circuit.
    User,
    /// `auto`: the BIC difference was decisive.
    Bic,
    /// `auto`: the BICs were within [`BIC_TIE`], the paper's rule decided.
    PaperRule,
}

/// What the paper's 1e-3 S/cm rule says for this σ.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PaperRule {
    pub threshold_s_per_cm: f64,
    pub suggests: Kind,
    /// Whether the circuit used is the one the rule suggests.
    pub agrees: bool,
}

/// The σ below which a semicircle can be resolved in this window: (C·d/A)_max · f_max.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Boundary {
    /// The setting (C·d/A)_max, F/cm.
    pub c_norm_max_f_per_cm: f64,
    /// Highest fitted frequency.
    pub fitted_f_max_hz: f64,
    /// (C·d/A)_max · f_max.
    pub sigma_s_per_cm: f64,
    /// This spectrum's own C2·d/A, where a semicircle was fitted and a geometry given.
    pub own_c_norm_f_per_cm: Option<f64>,
    pub own_sigma_s_per_cm: Option<f64>,
    /// The paper's 1e-3 S/cm and this window's boundary differ by more than a factor 3.
    pub differs_from_paper: bool,
}

/// Where the semicircle's apex f = 1/(2π τ2) sits in the fitted window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApexPosition {
    /// Below the lowest fitted frequency: the arc does not close in the data.
    BelowWindow,
    /// τ2 ≥ 1/f_max: the apex at or below f_max/2π, the arc's high-frequency side measured.
    Resolved,
    /// f_max/2π < apex ≤ f_max: the apex is measured, the arc's high-frequency side is not.
    NearTop,
    /// Above the highest fitted frequency.
    AboveWindow,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Apex {
    /// τ2 = R2 · C_eff in s.
    pub tau2_s: f64,
    /// 1 / (2π τ2).
    pub f_apex_hz: f64,
    pub position: ApexPosition,
}

/// Whether R_con rests on data or on the model's extrapolation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RConStatus {
    Measured,
    Extrapolated,
}

/// Why R_con has its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RConReason {
    /// The fitted curve reaches its DC limit inside the data, and the lowest points agree.
    Plateau,
    /// The arc's apex lies below the lowest fitted frequency.
    ApexBelowWindow,
    /// The fitted curve is still well short of its DC limit at the lowest frequency.
    ArcDoesNotClose,
    /// The lowest measured points rise beyond the fitted curve: a feature the circuit lacks.
    DataRiseBeyond,
    /// The lowest measured points fall short of the fitted curve.
    DataFallShort,
}

/// The evidence behind R_con's status.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RConBasis {
    pub status: RConStatus,
    pub reason: RConReason,
    /// Lowest fitted frequency.
    pub fitted_f_min_hz: f64,
    /// Re Z of the fitted curve at the lowest fitted frequency over its DC limit.
    pub curve_to_dc: f64,
    /// Median over the lowest fitted points of measured Re Z / fitted Re Z.
    pub data_to_curve: f64,
    /// How many points that median is taken over.
    pub points_judged: usize,
}

/// The circuit decision, as data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Choice {
    pub method: Method,
    pub candidates: Vec<Candidate>,
    /// BIC(other) − BIC(chosen) for `auto`.
    pub delta_bic: Option<f64>,
    pub paper_rule: Option<PaperRule>,
    pub boundary: Boundary,
    /// The fitted window (the whole spectrum's range is in `spectrum`).
    pub fitted_f_min_hz: f64,
    pub fitted_f_max_hz: f64,
    pub apex: Option<Apex>,
    /// Absent when there is no R_con.
    pub r_con: Option<RConBasis>,
    /// The apex lies above the window: R_con may be measured, but its split into R1
    /// and R2 and the arc's capacitance are the model's extrapolation.
    pub arc_extrapolated: bool,
}

/// The kind the paper's rule suggests for σ.
pub fn rule_suggests(sigma: f64) -> Kind {
    if sigma > PAPER_THRESHOLD_S_PER_CM {
        Kind::Inductive
    } else {
        Kind::Semicircle
    }
}

/// Picks among `auto`'s candidates: the lowest BIC, unless the two lie within
/// [`BIC_TIE`], where the paper's rule decides (with σ from the better-BIC fit).
/// Returns the index chosen, the method and ΔBIC.
pub fn pick(candidates: &[Candidate]) -> Option<(usize, Method, f64)> {
    let mut order: Vec<usize> = (0..candidates.len())
        .filter(|&i| candidates[i].bic.is_finite())
        .collect();
    order.sort_by(|&a, &b| candidates[a].bic.total_cmp(&candidates[b].bic));
    let best = *order.first()?;
    let Some(&second) = order.get(1) else {
        return Some((best, Method::Bic, f64::INFINITY));
    };
    let delta = candidates[second].bic - candidates[best].bic;
    if delta >= BIC_TIE {
        return Some((best, Method::Bic, delta));
    }
    match candidates[best].sigma_s_per_cm {
        Some(sigma) => {
            let wanted = rule_suggests(sigma);
            let by_rule = order
                .iter()
                .copied()
                .find(|&i| candidates[i].preset.kind() == wanted)
                .unwrap_or(best);
            let delta = if by_rule == best { delta } else { -delta };
            Some((by_rule, Method::PaperRule, delta))
        }
        None => Some((best, Method::Bic, delta)),
    }
}

/// The boundary from the window (and from the fitted C2 d/A where known).
pub fn boundary(c_norm_max_f_per_cm: f64, fitted_f_max_hz: f64, own_c_norm: Option<f64>) -> Boundary {
    let sigma = c_norm_max_f_per_cm * fitted_f_max_hz;
    Boundary {
        c_norm_max_f_per_cm,
        fitted_f_max_hz,
        sigma_s_per_cm: sigma,
        own_c_norm_f_per_cm: own_c_norm.filter(|c| c.is_finite()),
        // A C·d/A at the edge of f64's range times f_max can overflow: no figure then.
        own_sigma_s_per_cm: own_c_norm.map(|c| c * fitted_f_max_hz).filter(|s| s.is_finite()),
        differs_from_paper: (sigma / PAPER_THRESHOLD_S_PER_CM).log10().abs() > 3f64.log10(),
    }
}

/// Apex of an R2 ‖ C_eff arc against the fitted window [f_min, f_max].
pub fn apex(r2: f64, c_eff: f64, f_min_hz: f64, f_max_hz: f64) -> Option<Apex> {
    let tau = r2 * c_eff;
    if !(tau > 0.0 && tau.is_finite()) {
        return None;
    }
    let f_apex = 1.0 / (TAU * tau);
    let position = if f_apex > f_max_hz {
        ApexPosition::AboveWindow
    } else if f_apex < f_min_hz {
        ApexPosition::BelowWindow
    } else if tau >= 1.0 / f_max_hz {
        ApexPosition::Resolved
    } else {
        ApexPosition::NearTop
    };
    Some(Apex {
        tau2_s: tau,
        f_apex_hz: f_apex,
        position,
    })
}

/// Measured when the fitted curve reaches its DC limit inside the data (within
/// 1 − [`PLATEAU_REACHED`] at the lowest fitted frequency) and the lowest measured
/// points agree with it (median within [`PLATEAU_AGREEMENT`]); judged on the curve and
/// several points, so one noisy point cannot decide. An apex below the window
/// means the arc does not close.
///
/// `lowest` holds (measured Re Z, fitted Re Z) at the lowest fitted frequencies.
pub fn r_con_basis(
    dc_ohm: f64,
    curve_re_at_f_min: f64,
    lowest: &[(f64, f64)],
    fitted_f_min_hz: f64,
    apex: Option<&Apex>,
) -> RConBasis {
    let curve_to_dc = curve_re_at_f_min / dc_ohm;
    let mut ratios: Vec<f64> = lowest
        .iter()
        .map(|(data, curve)| data / curve)
        .filter(|r| r.is_finite())
        .collect();
    ratios.sort_by(f64::total_cmp);
    let data_to_curve = match ratios.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => ratios[n / 2],
        n => 0.5 * (ratios[n / 2 - 1] + ratios[n / 2]),
    };
    let reason = if apex.is_some_and(|a| a.position == ApexPosition::BelowWindow) {
        RConReason::ApexBelowWindow
    } else if !(curve_to_dc >= PLATEAU_REACHED) {
        RConReason::ArcDoesNotClose
    } else if data_to_curve > 1.0 + PLATEAU_AGREEMENT {
        RConReason::DataRiseBeyond
    } else if !(data_to_curve >= 1.0 - PLATEAU_AGREEMENT) {
        RConReason::DataFallShort
    } else {
        RConReason::Plateau
    };
    RConBasis {
        status: if reason == RConReason::Plateau {
            RConStatus::Measured
        } else {
            RConStatus::Extrapolated
        },
        reason,
        fitted_f_min_hz,
        curve_to_dc,
        data_to_curve,
        points_judged: ratios.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(preset: Preset, bic: f64, sigma: Option<f64>) -> Candidate {
        Candidate {
            preset,
            bic,
            converged: true,
            rms_relative: 0.01,
            r_con_ohm: None,
            sigma_s_per_cm: sigma,
            rescue_skipped: false,
        }
    }

    #[test]
    fn bic_decides_when_clear() {
        let c = [
            candidate(Preset::Inductive, -500.0, Some(1e-5)),
            candidate(Preset::Semicircle, -200.0, Some(1e-5)),
        ];
        assert_eq!(pick(&c), Some((0, Method::Bic, 300.0)));
    }

    #[test]
    fn rule_decides_a_tie() {
        let c = [
            candidate(Preset::Inductive, -500.0, Some(1e-5)),
            candidate(Preset::Semicircle, -495.0, Some(1e-5)),
        ];
        assert_eq!(pick(&c), Some((1, Method::PaperRule, -5.0)));
        let c = [
            candidate(Preset::Inductive, -500.0, Some(1e-1)),
            candidate(Preset::Semicircle, -495.0, Some(1e-1)),
        ];
        assert_eq!(pick(&c), Some((0, Method::PaperRule, 5.0)));
    }

    #[test]
    fn window_boundary() {
        let b = boundary(1e-9, 1e6, Some(4e-10));
        assert!((b.sigma_s_per_cm - 1e-3).abs() < 1e-18 && !b.differs_from_paper);
        assert!((b.own_sigma_s_per_cm.unwrap() - 4e-4).abs() < 1e-18);
        assert!(boundary(1e-9, 1e5, None).differs_from_paper);
        // The setting moves the boundary: 1e-10 F/cm × 1 MHz = 1e-4 S/cm.
        assert!((boundary(1e-10, 1e6, None).sigma_s_per_cm - 1e-4).abs() < 1e-19);
    }

    #[test]
    fn the_apex_and_tau2_over_inverse_f_max_agree() {
        // τ2 = 1 µs = 1/f_max: the apex at f_max/2π = 159.15 kHz, resolved by the τ2 rule.
        let a = apex(1000.0, 1e-9, 0.1, 1e6).unwrap();
        assert!((a.f_apex_hz - 1e6 / TAU).abs() < 1e-6);
        assert_eq!(a.position, ApexPosition::Resolved);
        // τ2 = 0.5 µs: τ2 < 1/f_max, apex at 318 kHz, still below f_max.
        assert_eq!(apex(500.0, 1e-9, 0.1, 1e6).unwrap().position, ApexPosition::NearTop);
        // τ2 = 0.1 µs: apex 1.59 MHz, above the window.
        assert_eq!(apex(100.0, 1e-9, 0.1, 1e6).unwrap().position, ApexPosition::AboveWindow);
        assert_eq!(apex(1e9, 1e-6, 0.1, 1e6).unwrap().position, ApexPosition::BelowWindow);
    }

    #[test]
    fn status_needs_the_plateau_on_the_curve_and_in_the_data() {
        let resolved = apex(1000.0, 1e-9, 0.1, 1e6).unwrap();
        let agree = [(999.0, 1000.0), (1001.0, 1000.0), (990.0, 1000.0)];
        let b = r_con_basis(1000.0, 999.5, &agree, 0.1, Some(&resolved));
        assert_eq!((b.status, b.reason), (RConStatus::Measured, RConReason::Plateau));
        assert_eq!(b.data_to_curve, 0.999);
        // One point 1 % off among several does not decide.
        let noisy = [(990.0, 1000.0), (1000.5, 1000.0), (1000.0, 1000.0)];
        assert_eq!(
            r_con_basis(1000.0, 1000.0, &noisy, 0.1, None).status,
            RConStatus::Measured
        );
        // The curve is at 70 % of its DC limit: the arc does not close.
        assert_eq!(
            r_con_basis(1000.0, 700.0, &agree, 0.1, None).reason,
            RConReason::ArcDoesNotClose
        );
        // The data keep rising beyond the curve: a tail the circuit lacks.
        let tail = [(1300.0, 1000.0), (1200.0, 1000.0), (1100.0, 1000.0)];
        assert_eq!(
            r_con_basis(1000.0, 1000.0, &tail, 0.1, None).reason,
            RConReason::DataRiseBeyond
        );
        // An apex above the window does not make R_con extrapolated; below it does.
        let above = apex(10.0, 1e-9, 0.1, 1e6).unwrap();
        assert_eq!(
            r_con_basis(1000.0, 1000.0, &agree, 0.1, Some(&above)).status,
            RConStatus::Measured
        );
        let below = apex(1e9, 1e-6, 0.1, 1e6).unwrap();
        assert_eq!(
            r_con_basis(1000.0, 1000.0, &agree, 0.1, Some(&below)).reason,
            RConReason::ApexBelowWindow
        );
    }
}
