//! Fit timings on 71-point spectra (1 MHz .. 0.1 Hz, 10 points per decade, 0.5 %
//! noise): one descent per preset from the automatic guess (no restarts), one
//! `auto` analysis (both circuits, choice, attribution), and `analyse_from` started
//! from a predecessor's fit (the last column then says which start was taken).
//!
//! Run with `cargo bench --bench fit`. Each case is timed in many rounds; the median
//! per call is printed, with its ratio to a baseline measured in the same process:
//! one evaluation of R1-p(R2,CPE2) and its gradient over the 71 points, written out in
//! this file (not the library's evaluator, which changes under the code being timed).

use num_complex::Complex64;
use sigmafit::analysis::{Settings, analyse, analyse_from};
use sigmafit::fit::{FitOptions, fit};
use sigmafit::pellet::Geometry;
use sigmafit::preset::Preset;
use sigmafit::spectrum::Spectrum;
use sigmafit::synthetic::{Noise, decade_grid};
use std::f64::consts::{FRAC_PI_2, TAU};
use std::hint::black_box;
use std::time::Instant;

fn spectrum(preset: Preset, truth: &[f64]) -> Spectrum {
    let circuit = preset.circuit();
    let f = decade_grid(1e6, 0.1, 10);
    let mut noise = Noise::new(0x2545_F491_4F6C_DD1D);
    let z: Vec<Complex64> = f
        .iter()
        .map(|&fi| noise.proportional(circuit.impedance(TAU * fi, truth), 0.005))
        .collect();
    Spectrum::from_points(preset.name(), &f, &z).expect("71 valid points")
}

fn seconds_per_call(per_round: usize, call: &mut impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..per_round {
        call();
    }
    start.elapsed().as_secs_f64() / per_round as f64
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// Rounds alternate a batch of the baseline with a batch of the case, so that a
/// change of the machine's speed during the run affects both alike. Returns the
/// median seconds per call of the case and the median of the per-round ratios.
fn timed_against(
    rounds: usize,
    per_round: usize,
    baseline: &mut impl FnMut(),
    mut case: impl FnMut(),
) -> (f64, f64, f64) {
    let mut times = Vec::with_capacity(rounds);
    let mut base_times = Vec::with_capacity(rounds);
    let mut ratios = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let b = seconds_per_call(200, baseline);
        let t = seconds_per_call(per_round, &mut case);
        times.push(t);
        base_times.push(b);
        ratios.push(t / b);
    }
    (median(times), median(base_times), median(ratios))
}

fn main() {
    let inductive = spectrum(Preset::Inductive, &[2.0, 1.0 / 3e-7, -0.95]);
    let semicircle = spectrum(Preset::Semicircle, &[40.0, 960.0, 2.1e-8, 0.9]);
    let semicircle_c = spectrum(Preset::SemicircleC, &[40.0, 960.0, 4e-9]);
    let single = FitOptions {
        single_start: true,
        ..FitOptions::default()
    };

    // Baseline: R1-p(R2,CPE2) and its gradient at the 71 points, written out here rather
    // than through the library, so that it measures the machine and not the code under test.
    let params = [40.0, 960.0, 2.1e-8, 0.9];
    let ln_omega: Vec<f64> = semicircle.freq_hz.iter().map(|f| (TAU * f).ln()).collect();
    let mut baseline = || {
        let [r1, r2, q, alpha] = black_box(params);
        let rotation = Complex64::from_polar(1.0, -alpha * FRAC_PI_2);
        let mut sum = Complex64::new(0.0, 0.0);
        for &ln_w in &ln_omega {
            let zc = rotation * ((-alpha * ln_w).exp() / q);
            let inv_sum = (zc + r2).inv();
            let (share_r, share_c) = (zc * inv_sum, inv_sum * r2);
            let scale_c = share_c * share_c;
            sum += zc * r2 * inv_sum + r1;
            sum += share_r * share_r;
            sum += -zc / q * scale_c;
            sum += -zc * Complex64::new(ln_w, FRAC_PI_2) * scale_c;
        }
        black_box(sum);
    };

    println!("sigmafit fit benchmark: 71-point spectra, 0.5 % noise, median of 101 rounds");
    println!("baseline: one model + gradient pass over the 71 points (written out in the bench), timed in every round");
    println!(
        "{:<44} {:>12} {:>12} {:>10} {:>6}",
        "case", "median", "baseline", "x baseline", "iter"
    );
    for (label, preset, s) in [
        ("fit inductive (R0-CPE0), one descent", Preset::Inductive, &inductive),
        (
            "fit semicircle (R1-p(R2,CPE2)), one descent",
            Preset::Semicircle,
            &semicircle,
        ),
        (
            "fit semicircle-c (R1-p(R2,C2)), one descent",
            Preset::SemicircleC,
            &semicircle_c,
        ),
    ] {
        let circuit = preset.circuit();
        let result = fit(s, &circuit, Some(preset), &single).expect("fit runs");
        assert!(result.stats.converged, "{label} converges");
        let (t, b, ratio) = timed_against(101, 50, &mut baseline, || {
            black_box(fit(black_box(s), &circuit, Some(preset), &single).ok());
        });
        println!(
            "{label:<44} {:>9.1} µs {:>9.2} µs {:>10.1} {:>6}",
            t * 1e6,
            b * 1e6,
            ratio,
            result.stats.iterations
        );
    }
    let settings = Settings {
        geometry: Some(Geometry::from_diameter(1.0, 10.0, None, None).expect("valid geometry")),
        ..Settings::default()
    };
    for (label, s) in [
        ("auto analysis, case (a) spectrum", &inductive),
        ("auto analysis, case (b) spectrum", &semicircle),
    ] {
        let (t, b, ratio) = timed_against(101, 20, &mut baseline, || {
            black_box(analyse(black_box(s), &settings).ok());
        });
        println!(
            "{label:<44} {:>9.1} µs {:>9.2} µs {:>10.1} {:>6}",
            t * 1e6,
            b * 1e6,
            ratio,
            ""
        );
    }
    // A series step: the predecessor had R2 3 % higher (case b) or R0 3 % higher (case a).
    for (label, s, preset, previous_truth) in [
        (
            "analyse_from, predecessor's hint, case (a)",
            &inductive,
            Preset::Inductive,
            vec![2.06, 1.0 / 3e-7, -0.95],
        ),
        (
            "analyse_from, predecessor's hint, case (b)",
            &semicircle,
            Preset::Semicircle,
            vec![40.0, 989.0, 2.1e-8, 0.9],
        ),
    ] {
        let predecessor = spectrum(preset, &previous_truth);
        let hint = analyse(&predecessor, &settings).expect("predecessor fits").start_hint();
        let start = analyse_from(s, &settings, Some(&hint)).expect("fits").analysis.start;
        let (t, b, ratio) = timed_against(101, 20, &mut baseline, || {
            black_box(analyse_from(black_box(s), &settings, Some(&hint)).ok());
        });
        println!(
            "{label:<44} {:>9.1} µs {:>9.2} µs {:>10.1} {:>6}",
            t * 1e6,
            b * 1e6,
            ratio,
            format!("{start:?}")
        );
    }
}
