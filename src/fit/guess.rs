//! Initial values read off the data, so no user ever has to supply them.
//!
//! - `inductive` (R0-CPE0): R0 from the low-frequency plateau of Re Z; the
//!   CPE's alpha from the log-log slope of the inductive tail Im Z ∝ ω^(−α);
//!   Q from the tail's magnitude at the highest frequency.
//! - `semicircle` (R1-p(R2,CPE2)): a circle through the capacitive arc (Kåsa's
//!   algebraic fit) gives the intercepts R1 and R1 + R2 and, from how far its
//!   centre sits below the axis, alpha; the apex frequency gives τ = R2·C and
//!   so Q = C^α R2^(α−1) (Hsu–Mansfeld turned around).
//! - any other circuit: one share of the arc per element, the same apex.

use crate::circuit::{Bounds, Circuit, ElementKind, ParamKind};
use crate::preset::Preset;
use num_complex::Complex64;
use std::f64::consts::{FRAC_PI_2, PI};

/// Features of a spectrum that the guesses are built from. Frequencies ascending.
#[derive(Debug, Clone, PartialEq)]
pub struct SpectrumFeatures {
    /// Re Z at the high-frequency end of the arc (series resistance).
    pub r_high: f64,
    /// Re Z at the low-frequency limit (DC resistance) as far as the data show it.
    pub r_low: f64,
    /// Angular frequency of the arc apex (largest −Im Z), if there is an arc.
    pub omega_apex: Option<f64>,
    /// Depression of the arc: alpha of a ZARC with the same centre offset.
    pub alpha_arc: f64,
    /// Exponent and prefactor of an inductive tail Im Z = ω^(−α) sin(−πα/2)/Q, if any.
    pub inductive_alpha: Option<f64>,
    pub inductive_q: Option<f64>,
}

pub fn features(omega: &[f64], z: &[Complex64]) -> SpectrumFeatures {
    let n = omega.len().min(z.len());
    let tail = inductive_tail(&omega[..n], &z[..n]);
    let arc = capacitive_arc(&z[..n]);
    let low_count = (n / 10).clamp(1, 3);
    let r_low_data = mean(z[..low_count.min(n)].iter().map(|v| v.re));
    let r_high_data = z
        .iter()
        .rev()
        .take((n / 5).max(1))
        .map(|v| v.re)
        .fold(f64::INFINITY, f64::min);
    let (r_high, r_low, alpha_arc) = match arc {
        Some(arc) => (
            arc.r_high.max(0.0).min(r_high_data.max(0.0)).max(r_high_data * 0.5),
            r_low_data.max(arc.r_low),
            arc.alpha,
        ),
        None => (r_high_data, r_low_data, 0.9),
    };
    let omega_apex = apex(&omega[..n], &z[..n], r_low - r_high);
    SpectrumFeatures {
        r_high: positive_or(r_high, r_low.abs() * 0.05),
        r_low: positive_or(r_low, 1.0),
        omega_apex,
        alpha_arc,
        inductive_alpha: tail.map(|t| t.0),
        inductive_q: tail.map(|t| t.1),
    }
}

/// Initial values for every parameter of `circuit`, in physical units.
pub fn initial_values(circuit: &Circuit, preset: Option<Preset>, omega: &[f64], z: &[Complex64]) -> Vec<f64> {
    let f = features(omega, z);
    let omega_mid = omega_midpoint(omega);
    match preset {
        Some(Preset::Inductive) => {
            let alpha = f.inductive_alpha.unwrap_or(-0.95);
            let q = f.inductive_q.unwrap_or_else(|| {
                // No visible tail: a tail one tenth of R at the top frequency.
                let w = omega.last().copied().unwrap_or(1e6);
                w.powf(-alpha) / (0.1 * f.r_low)
            });
            vec![f.r_low, q, alpha]
        }
        Some(Preset::Semicircle) | Some(Preset::SemicircleC) => {
            let r1 = f.r_high;
            let r2 = positive_or(f.r_low - f.r_high, f.r_low * 0.5);
            let w_apex = f.omega_apex.unwrap_or(omega_mid);
            let c = 1.0 / (w_apex * r2);
            if preset == Some(Preset::SemicircleC) {
                vec![r1, r2, c]
            } else {
                let alpha = f.alpha_arc.clamp(0.5, 0.98);
                vec![r1, r2, cpe_q(c, r2, alpha), alpha]
            }
        }
        None => generic(circuit, &f, omega, omega_mid),
    }
}

/// Q of a CPE that, in parallel with `r`, has effective capacitance `c`.
fn cpe_q(c: f64, r: f64, alpha: f64) -> f64 {
    c.powf(alpha) * r.powf(alpha - 1.0)
}

fn generic(circuit: &Circuit, f: &SpectrumFeatures, omega: &[f64], omega_mid: f64) -> Vec<f64> {
    let count = |kind: ElementKind| circuit.elements().iter().filter(|e| e.kind == kind).count();
    let resistors = count(ElementKind::Resistor);
    let capacitive = count(ElementKind::Capacitor) + count(ElementKind::Cpe);
    let arc = positive_or(f.r_low - f.r_high, f.r_low * 0.5);
    let share = arc / (resistors.saturating_sub(1).max(1) as f64);
    let w_top = omega.last().copied().unwrap_or(1e6);
    let w_bottom = omega.first().copied().unwrap_or(1.0);
    // Several arcs: spread their apexes over the window, the first-written at the
    // highest frequency (the usual order, bulk before interfaces before electrodes).
    let apex_of = |k: usize| {
        if capacitive <= 1 {
            return f.omega_apex.unwrap_or(omega_mid);
        }
        let t = (k as f64 + 0.5) / capacitive as f64;
        let (lo, hi) = (w_bottom.ln(), w_top.ln());
        (hi - t * (hi - lo)).exp()
    };
    let mut first_resistor = true;
    let mut capacitive_seen = 0;
    circuit
        .params()
        .iter()
        .map(|spec| match spec.kind {
            ParamKind::Resistance => {
                if std::mem::take(&mut first_resistor) {
                    f.r_high
                } else {
                    share
                }
            }
            ParamKind::Capacitance => {
                capacitive_seen += 1;
                1.0 / (apex_of(capacitive_seen - 1) * share)
            }
            ParamKind::Inductance => match (f.inductive_alpha, f.inductive_q) {
                (Some(_), Some(q)) => 1.0 / q,
                _ => 0.01 * f.r_high.max(share * 0.01) / w_top,
            },
            ParamKind::CpeQ => {
                capacitive_seen += 1;
                cpe_q(1.0 / (apex_of(capacitive_seen - 1) * share), share, 0.85)
            }
            ParamKind::CpeAlpha => match spec.bounds {
                Bounds::Interval { lo, hi } => 0.85_f64.clamp(lo + 0.02 * (hi - lo), hi - 0.02 * (hi - lo)),
                Bounds::Positive => 0.85,
            },
            ParamKind::WarburgSigma => share * w_bottom.sqrt() * 0.1,
        })
        .collect()
}

fn omega_midpoint(omega: &[f64]) -> f64 {
    match (omega.first(), omega.last()) {
        (Some(a), Some(b)) if *a > 0.0 && *b > 0.0 => (a * b).sqrt(),
        _ => 1.0,
    }
}

fn positive_or(value: f64, fallback: f64) -> f64 {
    if value.is_finite() && value > 0.0 {
        value
    } else if fallback.is_finite() && fallback > 0.0 {
        fallback
    } else {
        1.0
    }
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, count) = values.fold((0.0, 0usize), |(s, c), v| (s + v, c + 1));
    if count == 0 { f64::NAN } else { sum / count as f64 }
}

/// Log-log slope of the positive-Im tail at the top frequencies: (alpha, Q).
fn inductive_tail(omega: &[f64], z: &[Complex64]) -> Option<(f64, f64)> {
    let tail: Vec<(f64, f64)> = omega
        .iter()
        .zip(z)
        .rev()
        .take_while(|(_, v)| v.im > 0.0)
        .map(|(w, v)| (w.ln(), v.im.ln()))
        .collect();
    let (w_top, im_top) = (omega.last()?, z.last()?.im);
    if im_top <= 0.0 {
        return None;
    }
    let exponent = if tail.len() >= 3 {
        // Use the top decade or so: the tail is cleanest where it dominates.
        let used = &tail[..tail.len().min(8)];
        let mx = mean(used.iter().map(|p| p.0));
        let my = mean(used.iter().map(|p| p.1));
        let sxx: f64 = used.iter().map(|p| (p.0 - mx).powi(2)).sum();
        let sxy: f64 = used.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
        if sxx > 0.0 { sxy / sxx } else { 1.0 }
    } else {
        1.0
    };
    let alpha = (-exponent).clamp(-0.98, -0.3);
    let q = w_top.powf(-alpha) * (-alpha * FRAC_PI_2).sin() / im_top;
    (q.is_finite() && q > 0.0).then_some((alpha, q))
}

struct Arc {
    r_high: f64,
    r_low: f64,
    alpha: f64,
}

/// Kåsa circle fit through the capacitive points (−Im Z > 0).
fn capacitive_arc(z: &[Complex64]) -> Option<Arc> {
    let points: Vec<(f64, f64)> = z.iter().filter(|v| v.im < 0.0).map(|v| (v.re, -v.im)).collect();
    let peak = points.iter().map(|p| p.1).fold(0.0, f64::max);
    let used: Vec<(f64, f64)> = points.into_iter().filter(|p| p.1 > 0.05 * peak).collect();
    if used.len() < 3 {
        return None;
    }
    // Centre the coordinates for conditioning, then solve the 3x3 normal equations
    // of x² + y² + D x + E y + F = 0.
    let cx = mean(used.iter().map(|p| p.0));
    let cy = mean(used.iter().map(|p| p.1));
    let scale = used
        .iter()
        .map(|p| (p.0 - cx).abs().max((p.1 - cy).abs()))
        .fold(0.0, f64::max);
    if scale <= 0.0 || !scale.is_finite() {
        return None;
    }
    let mut ata = nalgebra::Matrix3::<f64>::zeros();
    let mut atb = nalgebra::Vector3::<f64>::zeros();
    for p in &used {
        let x = (p.0 - cx) / scale;
        let y = (p.1 - cy) / scale;
        let row = nalgebra::Vector3::new(x, y, 1.0);
        ata += row * row.transpose();
        atb += row * (-(x * x + y * y));
    }
    let sol = ata.lu().solve(&atb)?;
    let (xc, yc) = (-sol[0] / 2.0, -sol[1] / 2.0);
    let r2 = xc * xc + yc * yc - sol[2];
    if r2 <= 0.0 {
        return None;
    }
    let radius = r2.sqrt();
    let centre_x = cx + xc * scale;
    let centre_y = cy + yc * scale;
    let radius = radius * scale;
    if radius <= centre_y.abs() {
        return None;
    }
    let half_chord = (radius * radius - centre_y * centre_y).sqrt();
    let depression = (-centre_y / half_chord).atan();
    let alpha = (1.0 - 2.0 * depression / PI).clamp(0.3, 1.0);
    let arc = Arc {
        r_high: centre_x - half_chord,
        r_low: centre_x + half_chord,
        alpha,
    };
    (arc.r_low.is_finite() && arc.r_high.is_finite()).then_some(arc)
}

/// Apex of the arc: interior maximum of −Im Z, or, when the maximum sits at an end
/// of the window, the frequency an ideal arc of diameter `r_arc` would need.
fn apex(omega: &[f64], z: &[Complex64], r_arc: f64) -> Option<f64> {
    let (k, peak) =
        z.iter()
            .enumerate()
            .map(|(k, v)| (k, -v.im))
            .fold(None, |best: Option<(usize, f64)>, (k, v)| match best {
                Some((_, b)) if b >= v => best,
                _ => Some((k, v)),
            })?;
    if peak <= 0.0 {
        return None;
    }
    let w = omega[k];
    let last = omega.len() - 1;
    if k != 0 && k != last {
        return Some(w);
    }
    // −Im = R x / (1 + x²) with x = ω τ: solve for x on the side of the apex the data lie.
    let r = if r_arc > 2.0 * peak {
        r_arc
    } else {
        2.0 * peak * 1.000001
    };
    let disc = (r * r - 4.0 * peak * peak).max(0.0).sqrt();
    let x = if k == last {
        (r - disc) / (2.0 * peak)
    } else {
        (r + disc) / (2.0 * peak)
    };
    let tau = x / w;
    (tau.is_finite() && tau > 0.0).then(|| 1.0 / tau)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> Vec<f64> {
        (0..=70)
            .map(|i| 2.0 * PI * 10f64.powf(-1.0 + i as f64 / 10.0))
            .collect()
    }

    #[test]
    fn semicircle_guess_lands_near_the_truth() {
        let circuit = Preset::Semicircle.circuit();
        let truth = [120.0, 3000.0, cpe_q(2e-9, 3000.0, 0.9), 0.9];
        let omega = grid();
        let z: Vec<_> = omega.iter().map(|&w| circuit.impedance(w, &truth)).collect();
        let guess = initial_values(&circuit, Some(Preset::Semicircle), &omega, &z);
        assert!((guess[0] / truth[0] - 1.0).abs() < 0.3, "{guess:?}");
        assert!((guess[1] / truth[1] - 1.0).abs() < 0.1, "{guess:?}");
        assert!((guess[3] - truth[3]).abs() < 0.05, "{guess:?}");
        assert!((guess[2] / truth[2]).log10().abs() < 0.5, "{guess:?}");
    }

    #[test]
    fn inductive_guess_reads_the_tail() {
        let circuit = Preset::Inductive.circuit();
        let truth = [2.0, 1.0 / 2e-6, -0.9];
        let omega = grid();
        let z: Vec<_> = omega.iter().map(|&w| circuit.impedance(w, &truth)).collect();
        let guess = initial_values(&circuit, Some(Preset::Inductive), &omega, &z);
        assert!((guess[0] / truth[0] - 1.0).abs() < 0.01, "{guess:?}");
        assert!((guess[2] - truth[2]).abs() < 0.03, "{guess:?}");
        assert!((guess[1] / truth[1]).log10().abs() < 0.3, "{guess:?}");
    }
}
