//! Global search for a circuit the user typed, when no starting values are given.
//!
//! One descent from one guess can stop in a local minimum once a circuit has two arcs
//! or an arc and a tail: which element takes which arc is a choice the descent does not
//! revisit. The search descends from many starts and keeps the lowest residual:
//!
//! 1. structured starts read off the data: the arcs seen as maxima of −Im Z, assigned
//!    to the circuit's R ‖ C and R ‖ CPE pairs in reading order and in reverse, the
//!    high-frequency Re Z for the series resistor, and the slope of the low-frequency
//!    tail for a CPE or Warburg element in series;
//! 2. spread starts: a Latin hypercube (fixed seed) in the solver's coordinates, ln p
//!    for a positive parameter and the parameter itself for a bounded one. Capacitive
//!    elements are drawn as the size of their impedance at the window's middle
//!    frequency, which, unlike Q itself, has a range the data fix whatever α is.
//!
//! It stops when [`REPEATS`] starts have reached the best residual (after at least
//! [`MIN_STARTS`]), or when [`MAX_STARTS`] starts or [`MAX_EVALUATIONS`] model
//! evaluations are spent: counts, not time, so the result is the same on any machine.

use super::problem::{FitData, Transform};
use super::{Descent, Tolerance, descend, guess};
use crate::circuit::{Bounds, Circuit, ParamKind};
use num_complex::Complex64;

/// Most starts one search descends from, the first (the data's guess) included.
pub const MAX_STARTS: usize = 64;
/// Most residual evaluations, summed over the descents.
pub const MAX_EVALUATIONS: usize = 60_000;
/// Starts that must reach the best residual before the search may stop early.
pub const REPEATS: usize = 3;
/// Starts always tried, so that a few structured starts agreeing on a local
/// minimum do not end the search.
pub const MIN_STARTS: usize = 32;
/// Two residuals within this relative difference are the same minimum.
const SAME_MINIMUM: f64 = 1e-6;

/// The lowest residual the search found and how it got there.
pub(super) struct Found {
    pub best: Descent,
    /// Starts descended from, the first included.
    pub starts: usize,
    /// Of those, how many ended at the best residual.
    pub starts_at_best: usize,
}

/// Searches from the structured and spread starts, `first` being the descent from the
/// data's guess (or the user's values) already made.
pub(super) fn search(circuit: &Circuit, data: &FitData, origin: &[f64], fixed: &[bool], first: Descent) -> Found {
    let mut found = Found {
        best: first,
        starts: 1,
        starts_at_best: 1,
    };
    let mut evaluations = found.best.evaluations;
    let structured = structured_starts(circuit, data, origin, fixed);
    let spread = latin_hypercube(
        circuit,
        data,
        origin,
        fixed,
        MAX_STARTS.saturating_sub(1 + structured.len()),
    );
    for start in structured.into_iter().chain(spread) {
        if found.starts >= MAX_STARTS || evaluations >= MAX_EVALUATIONS {
            break;
        }
        if found.starts >= MIN_STARTS && found.starts_at_best >= REPEATS {
            break;
        }
        let candidate = descend(circuit, data, &start, fixed, Tolerance::Full);
        evaluations += candidate.evaluations;
        found.starts += 1;
        record(&mut found, candidate);
    }
    found
}

fn record(found: &mut Found, candidate: Descent) {
    if !candidate.rss.is_finite() {
        return;
    }
    let best = found.best.rss;
    let same = (candidate.rss - best).abs() <= SAME_MINIMUM * best.abs().max(f64::MIN_POSITIVE);
    if same {
        found.starts_at_best += 1;
        // Of two descents to the same minimum, keep a converged one.
        if candidate.converged && !found.best.converged {
            found.best = candidate;
        }
    } else if !best.is_finite() || candidate.rss < best {
        found.best = candidate;
        found.starts_at_best = 1;
    }
}

/// Scales of the data that the starts are built from, frequencies ascending.
struct Scales {
    omega_low: f64,
    omega_high: f64,
    omega_mid: f64,
    z_min: f64,
    z_max: f64,
}

fn scales(data: &FitData) -> Scales {
    let fold = |f: fn(f64, f64) -> f64, init: f64, it: &mut dyn Iterator<Item = f64>| it.fold(init, f);
    let omega_low = fold(f64::min, f64::INFINITY, &mut data.omega.iter().copied());
    let omega_high = fold(f64::max, 0.0, &mut data.omega.iter().copied());
    let moduli = || data.z.iter().map(|z| z.norm()).filter(|m| m.is_finite() && *m > 0.0);
    let z_min = fold(f64::min, f64::INFINITY, &mut moduli());
    let z_max = fold(f64::max, 0.0, &mut moduli());
    let sane = |v: f64, fallback: f64| if v.is_finite() && v > 0.0 { v } else { fallback };
    let omega_low = sane(omega_low, 1.0);
    let omega_high = sane(omega_high, omega_low * 10.0);
    let z_max = sane(z_max, 1.0);
    Scales {
        omega_low,
        omega_high,
        omega_mid: (omega_low * omega_high).sqrt(),
        z_min: sane(z_min, z_max),
        z_max,
    }
}

/// An arc seen in the data: the angular frequency of a maximum of −Im Z and its height.
#[derive(Debug, Clone, Copy)]
struct SeenArc {
    omega: f64,
    height: f64,
}

/// Local maxima of −Im Z (over two neighbours each side) at least 5 % of the largest,
/// highest frequency first.
fn seen_arcs(data: &FitData) -> Vec<SeenArc> {
    let mut points: Vec<(f64, f64)> = data.omega.iter().zip(&data.z).map(|(w, z)| (*w, -z.im)).collect();
    points.sort_by(|a, b| b.0.total_cmp(&a.0));
    let top = points.iter().map(|p| p.1).fold(0.0, f64::max);
    let mut arcs = Vec::new();
    for k in 0..points.len() {
        let (omega, height) = points[k];
        if !(height > 0.05 * top) {
            continue;
        }
        let lo = k.saturating_sub(2);
        let hi = (k + 3).min(points.len());
        let is_peak = (lo..hi).all(|j| j == k || points[j].1 < height || (points[j].1 == height && j > k));
        // A maximum at either end of the window is the side of an arc, not its apex.
        if is_peak && k != 0 && k + 1 != points.len() {
            arcs.push(SeenArc { omega, height });
        }
    }
    arcs
}

/// The log-log slope of −Im Z over the lowest-frequency fifth of the window, as the
/// exponent α of a series tail Z ∝ (iω)^−α, and that tail's Q at the lowest frequency.
fn low_frequency_tail(data: &FitData) -> Option<(f64, f64)> {
    let mut points: Vec<(f64, Complex64)> = data.omega.iter().copied().zip(data.z.iter().copied()).collect();
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    let used: Vec<(f64, f64)> = points
        .iter()
        .take((points.len() / 5).max(3))
        .filter(|(_, z)| z.im < 0.0)
        .map(|(w, z)| (w.ln(), (-z.im).ln()))
        .collect();
    if used.len() < 3 {
        return None;
    }
    let n = used.len() as f64;
    let mx = used.iter().map(|p| p.0).sum::<f64>() / n;
    let my = used.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = used.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = used.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    if !(sxx > 0.0) {
        return None;
    }
    let alpha = (-sxy / sxx).clamp(0.3, 0.98);
    let (w, z) = points.first()?;
    // −Im Z of a CPE is sin(απ/2) / (Q ω^α).
    let q = (alpha * std::f64::consts::FRAC_PI_2).sin() / ((-z.im) * w.powf(alpha));
    (q.is_finite() && q > 0.0).then_some((alpha, q))
}

/// Starts built from what the spectrum shows, each a variant of `origin`.
fn structured_starts(circuit: &Circuit, data: &FitData, origin: &[f64], fixed: &[bool]) -> Vec<Vec<f64>> {
    let arcs = circuit.arcs();
    let seen = seen_arcs(data);
    let tail = low_frequency_tail(data);
    let features = guess::features(&data.omega, &data.z);
    let s = scales(data);
    let specs = circuit.params();
    let set = |values: &mut Vec<f64>, i: usize, v: f64| {
        if !fixed[i] && v.is_finite() && in_range(specs[i].bounds, v) {
            values[i] = v;
        }
    };
    // The series elements outside any arc: the first resistor takes the high-frequency
    // Re Z, a CPE or Warburg element the low-frequency tail.
    let in_arc = |i: usize| {
        arcs.iter()
            .any(|a| a.resistor == i || a.capacitor == i || (a.is_cpe && a.capacitor + 1 == i))
    };
    let mut base = origin.to_vec();
    for (i, spec) in specs.iter().enumerate() {
        if in_arc(i) {
            continue;
        }
        match spec.kind {
            ParamKind::CpeQ => {
                if let Some((alpha, q)) = tail {
                    set(&mut base, i, q);
                    set(&mut base, i + 1, alpha);
                }
            }
            ParamKind::WarburgSigma => {
                if let Some(z) = data
                    .omega
                    .iter()
                    .zip(&data.z)
                    .min_by(|a, b| a.0.total_cmp(b.0))
                    .map(|(w, z)| -z.im * w.sqrt())
                {
                    set(&mut base, i, z);
                }
            }
            _ => {}
        }
    }
    let mut starts = Vec::new();
    if tail.is_some() && base != origin {
        starts.push(base.clone());
    }
    if arcs.is_empty() {
        return starts;
    }
    // Each arc's R from the height of its apex (2× for a semicircle, more when depressed),
    // its capacitance from the apex frequency, ωRC = 1.
    let place = |values: &mut Vec<f64>, arc: &crate::circuit::Arc, omega: f64, r: f64, alpha: f64| {
        set(values, arc.resistor, r);
        let c = 1.0 / (omega * r);
        if arc.is_cpe {
            let alpha = if fixed[arc.capacitor + 1] {
                values[arc.capacitor + 1]
            } else {
                alpha
            };
            set(values, arc.capacitor + 1, alpha);
            set(values, arc.capacitor, c.powf(alpha) * r.powf(alpha - 1.0));
        } else {
            set(values, arc.capacitor, c);
        }
    };
    let alpha = features.alpha_arc.clamp(0.6, 0.95);
    let n = arcs.len();
    let mut orders: Vec<Vec<SeenArc>> = Vec::new();
    if !seen.is_empty() {
        // In reading order, highest frequency first; then the reverse.
        let forward: Vec<SeenArc> = (0..n).map(|k| seen[k.min(seen.len() - 1)]).collect();
        let mut backward = forward.clone();
        backward.reverse();
        orders.push(forward);
        if n > 1 {
            orders.push(backward);
        }
    }
    // Arcs spread evenly over the window, with the span split evenly between them.
    let span = (features.r_low - features.r_high).max(0.05 * s.z_max);
    let even: Vec<SeenArc> = (0..n)
        .map(|k| {
            let t = (k as f64 + 0.5) / n as f64;
            let omega = (s.omega_high.ln() - t * (s.omega_high.ln() - s.omega_low.ln())).exp();
            SeenArc {
                omega,
                height: 0.5 * span / n as f64,
            }
        })
        .collect();
    orders.push(even.clone());
    if n > 1 {
        orders.push(even.into_iter().rev().collect());
    }
    for order in orders {
        for depressed in [1.0, 0.5] {
            let mut values = base.clone();
            for (arc, seen_arc) in arcs.iter().zip(&order) {
                // A depressed arc of height h spans about 2h / α-ish; a ZARC with α = 0.8 spans 2.7h.
                let r = seen_arc.height * (2.0 + 2.0 * (1.0 - alpha * depressed).max(0.0) * 3.0);
                place(
                    &mut values,
                    arc,
                    seen_arc.omega,
                    r,
                    alpha * depressed + (1.0 - depressed) * 0.5,
                );
            }
            if let Some(first_resistor) = specs
                .iter()
                .position(|p| p.kind == ParamKind::Resistance)
                .filter(|&i| !in_arc(i))
            {
                set(&mut values, first_resistor, features.r_high);
            }
            starts.push(values);
        }
    }
    starts
}

fn in_range(bounds: Bounds, v: f64) -> bool {
    match bounds {
        Bounds::Positive => v > 0.0,
        Bounds::Interval { lo, hi } => v >= lo && v <= hi,
    }
}

/// `count` starts from a Latin hypercube over the free parameters: each coordinate's
/// range cut into `count` strata, each stratum used once, in an order shuffled by a
/// fixed seed.
fn latin_hypercube(circuit: &Circuit, data: &FitData, origin: &[f64], fixed: &[bool], count: usize) -> Vec<Vec<f64>> {
    if count == 0 {
        return Vec::new();
    }
    let s = scales(data);
    let mut random = SplitMix(0x005E_ED0F_516A_4F17_u64);
    let specs = circuit.params();
    // One column of stratum positions in [0, 1) per parameter.
    let columns: Vec<Vec<f64>> = specs
        .iter()
        .map(|_| {
            let mut order: Vec<usize> = (0..count).collect();
            for k in (1..count).rev() {
                let j = (random.next() * (k + 1) as f64) as usize;
                order.swap(k, j.min(k));
            }
            order
                .into_iter()
                .map(|stratum| (stratum as f64 + random.next()) / count as f64)
                .collect()
        })
        .collect();
    let log_between = |lo: f64, hi: f64, u: f64| (lo.ln() + u * (hi.ln() - lo.ln())).exp();
    let z_lo = s.z_min * 1e-2;
    let z_hi = s.z_max * 1e2;
    (0..count)
        .map(|row| {
            let mut values = origin.to_vec();
            let u = |i: usize| columns[i][row];
            for (i, spec) in specs.iter().enumerate() {
                if fixed[i] {
                    continue;
                }
                values[i] = match (spec.kind, spec.bounds) {
                    (_, Bounds::Interval { lo, hi }) => {
                        let margin = 0.02 * (hi - lo);
                        lo + margin + u(i) * (hi - lo - 2.0 * margin)
                    }
                    (ParamKind::Resistance, _) => log_between(s.z_min * 1e-2, s.z_max * 2.0, u(i)),
                    (ParamKind::Capacitance, _) => 1.0 / (s.omega_mid * log_between(z_lo, z_hi, u(i))),
                    (ParamKind::Inductance, _) => log_between(s.z_min * 1e-3, s.z_max, u(i)) / s.omega_high,
                    // Q follows α (drawn in its own column): |Z_CPE(ω_mid)| = 1 / (Q ω_mid^α).
                    (ParamKind::CpeQ, _) => {
                        let alpha = match specs.get(i + 1).map(|p| p.bounds) {
                            Some(Bounds::Interval { lo, hi }) if !fixed[i + 1] => {
                                let margin = 0.02 * (hi - lo);
                                lo + margin + u(i + 1) * (hi - lo - 2.0 * margin)
                            }
                            _ => origin.get(i + 1).copied().unwrap_or(1.0),
                        };
                        1.0 / (log_between(z_lo, z_hi, u(i)) * s.omega_mid.powf(alpha))
                    }
                    // |Z_W(ω)| = σ √2 / √ω.
                    (ParamKind::WarburgSigma, _) => log_between(z_lo, z_hi, u(i)) * (s.omega_mid / 2.0).sqrt(),
                    (ParamKind::CpeAlpha, Bounds::Positive) => origin[i],
                };
            }
            // The solver's coordinates cannot hold values beyond ±690 in ln p.
            for (i, spec) in specs.iter().enumerate() {
                let t = Transform::for_bounds(spec.bounds);
                values[i] = t.to_physical(t.to_solver(values[i]));
            }
            values
        })
        .collect()
}

/// SplitMix64: reproducible numbers in [0, 1) without a random-number dependency.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}
