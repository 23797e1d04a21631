//! Which circuit, and why: the inductive CPE–R spectrum or the R1–(R2‖CPE2)
//! semicircle, and whether R_con was measured or extrapolated.
//!
//! The paper's rule puts the boundary at σ ≈ 1e-3 S/cm. It follows from the
//! measurement window: a semicircle is only resolved when its time constant
//! τ2 = R2 C2 exceeds about 1/f_max, and with brick-layer scaling that means
//! σ < (C2 d/A)_max · f_max, i.e. 1e-9 F/cm × 1 MHz = 1e-3 S/cm. The tool shows
//! the paper's figure, the boundary from this spectrum's own f_max and, where a
//! semicircle was fitted, from its own C2 d/A.

use crate::numfmt::{sci, sig};
use crate::preset::{Kind, Preset};
use serde::Serialize;
use std::f64::consts::TAU;

/// The paper's boundary between the two kinds of spectra.
pub const PAPER_THRESHOLD_S_PER_CM: f64 = 1e-3;
/// Largest interparticle C d/A in the paper's pellets (F/cm).
pub const C_NORM_MAX_F_PER_CM: f64 = 1e-9;
/// BIC difference below which the two circuits count as equally good.
pub const BIC_TIE: f64 = 10.0;

/// One circuit tried by `auto`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    pub preset: Preset,
    pub bic: f64,
    pub converged: bool,
    pub rms_relative: f64,
    pub r_con_ohm: Option<f64>,
    pub sigma_s_per_cm: Option<f64>,
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

/// The σ boundary that follows from the measurement window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Boundary {
    pub c_norm_max_f_per_cm: f64,
    pub f_max_hz: f64,
    /// (C2 d/A)_max · f_max.
    pub sigma_s_per_cm: f64,
    /// This spectrum's own C2 d/A, where a semicircle was fitted and a geometry given.
    pub own_c_norm_f_per_cm: Option<f64>,
    pub own_sigma_s_per_cm: Option<f64>,
    /// Set when the paper's 1e-3 S/cm and this window's boundary differ by more than a factor 3.
    pub note: Option<String>,
}

/// Where the semicircle's apex sits relative to the fitted window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApexPosition {
    Inside,
    AboveWindow,
    BelowWindow,
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

/// The circuit decision as data and as a sentence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Choice {
    pub method: Method,
    pub kind: Kind,
    /// The circuit used, e.g. `R1-p(R2,C2)`.
    pub circuit: String,
    pub candidates: Vec<Candidate>,
    /// BIC(other) − BIC(chosen) for `auto`.
    pub delta_bic: Option<f64>,
    pub sigma_s_per_cm: Option<f64>,
    pub paper_rule: Option<PaperRule>,
    pub boundary: Boundary,
    pub f_min_hz: f64,
    pub f_max_hz: f64,
    pub apex: Option<Apex>,
    pub r_con_status: Option<RConStatus>,
    pub r_con_status_reason: String,
    pub sentence: String,
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
pub fn boundary(f_max_hz: f64, own_c_norm: Option<f64>) -> Boundary {
    let sigma = C_NORM_MAX_F_PER_CM * f_max_hz;
    let own_sigma = own_c_norm.map(|c| c * f_max_hz);
    let note = if (sigma / PAPER_THRESHOLD_S_PER_CM).log10().abs() > 0.477 {
        Some(format!(
            "this spectrum ends at {}, so the window's boundary is {} rather than the paper's 1e-3 S/cm (measured to 1 MHz)",
            hz(f_max_hz),
            sci(sigma, "S/cm")
        ))
    } else {
        None
    };
    Boundary {
        c_norm_max_f_per_cm: C_NORM_MAX_F_PER_CM,
        f_max_hz,
        sigma_s_per_cm: sigma,
        own_c_norm_f_per_cm: own_c_norm,
        own_sigma_s_per_cm: own_sigma,
        note,
    }
}

/// Apex of an R2 ‖ C_eff arc against the window [f_min, f_max].
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
    } else {
        ApexPosition::Inside
    };
    Some(Apex {
        tau2_s: tau,
        f_apex_hz: f_apex,
        position,
    })
}

/// Measured when the data's Re Z at the lowest fitted frequency is within 5 % of
/// the fitted DC limit (the data reach the plateau) and, for a semicircle, its apex
/// lies inside the window; extrapolated otherwise. Data that rise well beyond the DC
/// limit (a tail the circuit does not describe) do not support R_con either.
pub fn r_con_status(dc_ohm: f64, data_re_at_f_min: f64, f_min_hz: f64, apex: Option<&Apex>) -> (RConStatus, String) {
    let reached = data_re_at_f_min / dc_ohm;
    if let Some(a) = apex {
        match a.position {
            ApexPosition::AboveWindow => {
                return (
                    RConStatus::Extrapolated,
                    format!(
                        "the semicircle's apex ({}) lies above the highest fitted frequency, so the split into R1 and R2 and the arc's shape are extrapolated",
                        hz(a.f_apex_hz)
                    ),
                );
            }
            ApexPosition::BelowWindow => {
                return (
                    RConStatus::Extrapolated,
                    format!(
                        "the semicircle's apex ({}) lies below the lowest fitted frequency: the arc does not close inside the data",
                        hz(a.f_apex_hz)
                    ),
                );
            }
            ApexPosition::Inside => {}
        }
    }
    if (0.95..=1.05).contains(&reached) {
        (
            RConStatus::Measured,
            format!(
                "at the lowest fitted frequency ({}) the measured Re Z is {}% of R_con: the data show the low-frequency plateau",
                hz(f_min_hz),
                sig(100.0 * reached, 3)
            ),
        )
    } else if reached > 1.05 {
        (
            RConStatus::Extrapolated,
            format!(
                "at the lowest fitted frequency ({}) the measured Re Z is {}% of R_con: the data rise beyond the fitted DC limit (a low-frequency feature the circuit does not describe), so R_con is not what the data reach",
                hz(f_min_hz),
                sig(100.0 * reached, 3)
            ),
        )
    } else {
        (
            RConStatus::Extrapolated,
            format!(
                "at the lowest fitted frequency ({}) the measured Re Z is only {}% of the fitted DC limit: the arc does not close and R_con is extrapolated",
                hz(f_min_hz),
                if reached.is_finite() {
                    sig(100.0 * reached, 3)
                } else {
                    "—".into()
                }
            ),
        )
    }
}

pub(crate) fn hz(f: f64) -> String {
    if f >= 1e6 {
        format!("{} MHz", sig(f / 1e6, 3))
    } else if f >= 1e3 {
        format!("{} kHz", sig(f / 1e3, 3))
    } else {
        format!("{} Hz", sig(f, 3))
    }
}

/// The one plain sentence: what was found, what the rule says, what the window allows.
pub fn sentence(choice: &Choice) -> String {
    let name = match choice.kind {
        Kind::Inductive => format!("the inductive circuit (a), {},", choice.circuit),
        Kind::Semicircle => format!("the semicircle circuit (b), {},", choice.circuit),
        Kind::Custom => format!("your circuit {}", choice.circuit),
    };
    let how = match choice.method {
        Method::User => "as you chose".to_string(),
        Method::Bic => match choice.delta_bic {
            Some(d) if d.is_finite() && d < BIC_TIE => format!(
                "because it fits slightly better (ΔBIC = {} < {BIC_TIE}, too close to call; with the pellet geometry the paper's rule would decide)",
                sig(d, 2)
            ),
            Some(d) if d.is_finite() => format!("because it fits better by ΔBIC = {}", sig(d, 3)),
            _ => "because the other circuit could not be fitted".to_string(),
        },
        Method::PaperRule => format!(
            "by the paper's rule, since both circuits fit about equally well (|ΔBIC| = {} < {})",
            sig(choice.delta_bic.unwrap_or(0.0).abs(), 2),
            BIC_TIE
        ),
    };
    let mut text = format!("Used {name} {how}.");
    match (&choice.sigma_s_per_cm, &choice.paper_rule) {
        (Some(sigma), Some(rule)) => {
            let side = if *sigma > rule.threshold_s_per_cm {
                "above"
            } else {
                "below"
            };
            text.push_str(&format!(
                " σ_eff = {} is {side} the paper's 1e-3 S/cm, where {} spectra are expected{}.",
                sci(*sigma, "S/cm"),
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
        _ if choice.r_con_status.is_none() => {
            text.push_str(" There is no R_con (see its note), so neither σ_eff nor the paper's 1e-3 S/cm rule applies.")
        }
        _ => text.push_str(" Give the pellet geometry to place σ_eff against the paper's 1e-3 S/cm rule."),
    }
    text.push_str(&format!(
        " With data up to {}, a semicircle can be resolved only below about {}",
        hz(choice.boundary.f_max_hz),
        sci(choice.boundary.sigma_s_per_cm, "S/cm")
    ));
    if let Some(own) = choice.boundary.own_sigma_s_per_cm {
        text.push_str(&format!(" ({} with this pellet's own C2·d/A)", sci(own, "S/cm")));
    }
    text.push('.');
    if let Some(apex) = &choice.apex {
        text.push_str(&format!(
            " τ2 = {} puts the apex at {}, {}.",
            sci(apex.tau2_s, "s"),
            hz(apex.f_apex_hz),
            match apex.position {
                ApexPosition::Inside => "inside the window",
                ApexPosition::AboveWindow => "above the window",
                ApexPosition::BelowWindow => "below the window",
            }
        ));
    }
    if choice.r_con_status == Some(RConStatus::Extrapolated) {
        text.push_str(" R_con is extrapolated: ");
        text.push_str(&choice.r_con_status_reason);
        text.push('.');
    }
    text
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
    fn window_boundary_and_apex() {
        let b = boundary(1e6, Some(4e-10));
        assert!((b.sigma_s_per_cm - 1e-3).abs() < 1e-18 && b.note.is_none());
        assert!((b.own_sigma_s_per_cm.unwrap() - 4e-4).abs() < 1e-18);
        assert!(boundary(1e5, None).note.is_some());
        let a = apex(1000.0, 1e-9, 0.1, 1e6).unwrap();
        assert!((a.f_apex_hz - 1.0 / (TAU * 1e-6)).abs() < 1e-6);
        assert_eq!(a.position, ApexPosition::Inside);
        assert_eq!(apex(10.0, 1e-9, 0.1, 1e6).unwrap().position, ApexPosition::AboveWindow);
    }

    #[test]
    fn status_needs_the_plateau_and_the_apex() {
        let inside = apex(1000.0, 1e-9, 0.1, 1e6).unwrap();
        assert_eq!(r_con_status(1000.0, 999.0, 0.1, Some(&inside)).0, RConStatus::Measured);
        assert_eq!(
            r_con_status(1000.0, 700.0, 0.1, Some(&inside)).0,
            RConStatus::Extrapolated
        );
        let above = apex(10.0, 1e-9, 0.1, 1e6).unwrap();
        assert_eq!(
            r_con_status(1000.0, 1000.0, 0.1, Some(&above)).0,
            RConStatus::Extrapolated
        );
        assert_eq!(r_con_status(2.0, 2.0, 0.1, None).0, RConStatus::Measured);
    }

    fn choice(method: Method, delta: f64, sigma: Option<f64>) -> Choice {
        let mut c = Choice {
            method,
            kind: Kind::Semicircle,
            circuit: "R1-p(R2,CPE2)".into(),
            candidates: Vec::new(),
            delta_bic: Some(delta),
            sigma_s_per_cm: sigma,
            paper_rule: sigma.map(|s| PaperRule {
                threshold_s_per_cm: PAPER_THRESHOLD_S_PER_CM,
                suggests: rule_suggests(s),
                agrees: rule_suggests(s) == Kind::Semicircle,
            }),
            boundary: boundary(1e6, None),
            f_min_hz: 0.1,
            f_max_hz: 1e6,
            apex: apex(1000.0, 1e-9, 0.1, 1e6),
            r_con_status: Some(RConStatus::Measured),
            r_con_status_reason: String::new(),
            sentence: String::new(),
        };
        c.sentence = sentence(&c);
        c
    }

    #[test]
    fn the_sentence_says_why() {
        let rule = choice(Method::PaperRule, 4.0, Some(2e-4));
        assert!(rule.sentence.contains("by the paper's rule"), "{}", rule.sentence);
        assert!(
            rule.sentence.contains("below the paper's 1e-3 S/cm"),
            "{}",
            rule.sentence
        );
        assert!(rule.sentence.contains("in agreement"), "{}", rule.sentence);
        assert!(
            rule.sentence.contains("159 kHz, inside the window"),
            "{}",
            rule.sentence
        );
        let close = choice(Method::Bic, 4.0, None);
        assert!(close.sentence.contains("too close to call"), "{}", close.sentence);
        assert!(
            close.sentence.contains("Give the pellet geometry"),
            "{}",
            close.sentence
        );
        let disagree = choice(Method::Bic, 40.0, Some(5e-3));
        assert!(
            disagree.sentence.contains("disagrees with the rule"),
            "{}",
            disagree.sentence
        );
    }
}
