//! The Lin-KK validity test on spectra whose validity is known: the study's synthetic
//! cases (a) and (b) with 0.5 % noise are causal and linear and must pass with
//! residuals at that noise; the same spectra with drift during the sweep are not and
//! must not pass; the physical dummy cells of tests/data/real obey Kramers–Kronig by
//! construction, and every real spectrum gets a verdict.

use num_complex::Complex64;
use sigmafit::kk::{KkResult, MU_CRITERION, Verdict, lin_kk, lin_kk_with_m};
use sigmafit::preset::Preset;
use sigmafit::spectrum::{Spectrum, parse_spectrum};
use sigmafit::synthetic::{Noise, decade_grid};
use std::f64::consts::TAU;

const NOISE: f64 = 0.005;

/// The study's case (a): R_0 = 10 Ω behind the cables' inductive CPE, α = −0.95,
/// |Z_CPE| = 3 Ω at 1 MHz.
fn case_a(f: f64) -> Complex64 {
    let q = 1.0 / (3.0 * (TAU * 1e6).powf(-0.95));
    Preset::Inductive.circuit().impedance(TAU * f, &[10.0, q, -0.95])
}

/// The study's case (b): R_1 = 40 Ω, R_2 = 960 Ω ‖ CPE (Q = 7.85 nF s^-0.1, α = 0.9).
fn case_b(f: f64) -> Complex64 {
    Preset::Semicircle
        .circuit()
        .impedance(TAU * f, &[40.0, 960.0, 7.85e-9, 0.9])
}

/// `z` on the study's grid (1 MHz down to 0.1 Hz, 10 points a decade, swept from the
/// top) with 0.5 % proportional noise, measured on a pellet that starts to settle
/// when the sweep reaches 10 Hz: from there each point is measured on an impedance
/// lower than the last, by `drift` in all at 0.1 Hz.
fn spectrum(z: impl Fn(f64) -> Complex64, drift: f64, seed: u64) -> Spectrum {
    const ONSET_HZ: f64 = 10.0;
    let f = decade_grid(1e6, 0.1, 10);
    let settling = f.iter().filter(|&&fi| fi < ONSET_HZ).count() as f64;
    let mut rng = Noise::new(seed);
    let mut settled = 0.0;
    let values: Vec<Complex64> = f
        .iter()
        .map(|&fi| {
            if fi < ONSET_HZ {
                settled += 1.0;
            }
            rng.proportional(z(fi), NOISE) * (1.0 - drift * settled / settling)
        })
        .collect();
    Spectrum::from_points("synthetic", &f, &values).unwrap()
}

fn largest(result: &KkResult) -> f64 {
    result
        .residuals
        .iter()
        .map(|r| r.re.abs().max(r.im.abs()))
        .fold(0.0, f64::max)
}

fn real(name: &str) -> Spectrum {
    let path = format!("{}/tests/data/real/{name}.csv", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    parse_spectrum(&text, &format!("{name}.csv")).unwrap()
}

type Case = (&'static str, fn(f64) -> Complex64);
const CASES: [Case; 2] = [("(a)", case_a), ("(b)", case_b)];

#[test]
fn valid_spectra_of_both_cases_pass_with_residuals_at_the_noise() {
    for (name, z) in CASES {
        for seed in 1..=4 {
            let result = lin_kk(&spectrum(z, 0.0, seed)).unwrap();
            let what = format!("case {name} seed {seed}: {result:?}");
            assert_eq!(result.verdict, Verdict::Pass, "{what}");
            // The residuals are the 0.5 % noise put in, no more: a fit of M + 3
            // unknowns to 142 values takes a little of it.
            assert!(result.rms > 0.8 * NOISE && result.rms < 1.05 * NOISE, "{what}");
            assert!(largest(&result) < 4.0 * NOISE, "{what}");
            // The noise estimate finds the noise that was put in.
            assert!((result.noise / NOISE - 1.0).abs() < 0.2, "{what}");
            assert!(result.residuals.iter().all(|r| !r.flagged), "{what}");
        }
    }
}

#[test]
fn the_inductive_case_a_is_not_called_invalid() {
    // Without noise the test's circuit (Voigt elements with signed R_k and a series
    // inductance) follows the inductive CPE of α = −0.95 to a small fraction of the
    // noise level the test uses as its floor: an inductive CPE is causal and linear.
    let result = lin_kk(&spectrum(case_a, 0.0, 0)).unwrap();
    let noiseless = lin_kk(&{
        let f = decade_grid(1e6, 0.1, 10);
        let z: Vec<Complex64> = f.iter().map(|&fi| case_a(fi)).collect();
        Spectrum::from_points("case a", &f, &z).unwrap()
    })
    .unwrap();
    assert_eq!(result.verdict, Verdict::Pass, "{result:?}");
    assert_eq!(noiseless.verdict, Verdict::Pass, "{noiseless:?}");
    assert!(largest(&noiseless) < 1e-3, "{noiseless:?}");
}

#[test]
fn the_guard_keeps_the_mu_criterion_from_stopping_early() {
    // μ for M = 1, 2, ... on a clean case (b) spectrum; the criterion as published
    // takes the first M with μ < c.
    let s = spectrum(case_b, 0.0, 1);
    let published = (1..=60)
        .map(|m| lin_kk_with_m(&s.freq_hz, &s.z, m).unwrap())
        .find(|r| r.mu < MU_CRITERION)
        .unwrap();
    let guarded = lin_kk(&s).unwrap();
    // As published: M = 10, 2.5 % rms and 8 % largest residual; guarded: M = 18 at the
    // 0.5 % noise.
    assert!(guarded.m > published.m);
    assert!(published.rms > 3.0 * NOISE, "{published:?}");
    assert!(guarded.rms < 1.05 * NOISE, "{guarded:?}");
}

#[test]
fn drift_during_the_sweep_does_not_pass() {
    for (name, z) in CASES {
        for seed in 1..=4 {
            for (drift, allowed) in [
                (0.1, [Verdict::Warn, Verdict::Fail]),
                (0.2, [Verdict::Fail, Verdict::Fail]),
            ] {
                let result = lin_kk(&spectrum(z, drift, seed)).unwrap();
                let flagged = result.flagged_hz();
                let what = format!(
                    "case {name} seed {seed} drift {drift}: {} rms {} noise {} flagged {flagged:?}",
                    result.verdict, result.rms, result.noise
                );
                assert!(allowed.contains(&result.verdict), "{what}");
                // The flagged points are where the pellet settled (below 10 Hz) and
                // the decade above, where the test's circuit bends to follow them;
                // none in the five clean decades above.
                assert!(flagged.iter().all(|&f| f < 100.0), "{what}");
                if drift >= 0.2 {
                    assert!(flagged.iter().any(|&f| f < 10.0), "{what}");
                }
            }
        }
    }
}

#[test]
fn real_spectra_get_a_verdict_and_dummy_cells_pass() {
    let names = [
        "dummy_R_RC_circuit1",
        "dummy_R_RC_circuit2",
        "dummy_R_RC_circuit3",
        "li_ion_cell_exampleData",
        "battery_autolab",
        "gamry_arc_tail",
        "chi_capacitive_tail",
        "powersuite_highZ_MHz",
        "biologic_lsc_thin_film",
        "parstat_inductive_battery",
    ];
    for name in names {
        let result = lin_kk(&real(name)).unwrap();
        assert_eq!(result.residuals.len(), real(name).len());
        if name.starts_with("dummy_") {
            // Resistors and capacitors soldered together obey Kramers–Kronig.
            assert_eq!(result.verdict, Verdict::Pass, "{name}: {result:?}");
        }
    }
    let powersuite = lin_kk(&real("powersuite_highZ_MHz")).unwrap();
    assert_ne!(powersuite.verdict, Verdict::Pass, "{powersuite:?}");
}
