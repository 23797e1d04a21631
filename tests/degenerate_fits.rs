//! Spectra no circuit can describe, or that hold nothing but a resistance: the
//! analysis says so (a quality note, no R_con) and every number it gives is finite.

use num_complex::Complex64;
use sigmafit::analysis::{CapacitanceMissing, Quality, Settings, analyse};
use sigmafit::finite::first_non_finite;
use sigmafit::numfmt::Style;
use sigmafit::pellet::{Geometry, RConMissing};
use sigmafit::preset::CircuitChoice;
use sigmafit::report;
use sigmafit::spectrum::Spectrum;
use sigmafit::synthetic::Noise;
use std::f64::consts::PI;

/// 1 MHz to 0.1 Hz, 10 points per decade.
fn frequencies() -> Vec<f64> {
    (0..71).map(|i| 1e6 * 10f64.powf(-f64::from(i) / 10.0)).collect()
}

fn settings(circuit: &str) -> Settings {
    Settings {
        circuit: CircuitChoice::parse(circuit).unwrap(),
        geometry: Some(Geometry::from_diameter(1.0, 10.0, None, None).unwrap()),
        ..Settings::default()
    }
}

const CIRCUITS: [&str; 4] = ["auto", "inductive", "semicircle", "R0-p(R1,C1)"];

fn analyses(name: &str, z: &[Complex64]) -> Vec<(&'static str, sigmafit::analysis::Analysis)> {
    let spectrum = Spectrum::from_points(name, &frequencies(), z).unwrap();
    CIRCUITS
        .iter()
        .map(|c| {
            let a = analyse(&spectrum, &settings(c)).unwrap().analysis;
            assert_eq!(first_non_finite(&a), None, "{name} with {c}");
            for style in [Style::Ascii, Style::Typeset] {
                let text = report::write(&a, style);
                let all = format!("{text:?}");
                assert!(!all.contains("NaN") && !all.contains("inf"), "{name} with {c}: {all}");
            }
            (*c, a)
        })
        .collect()
}

#[test]
fn a_pure_resistance_gives_its_value_and_says_nothing_else_is_determined() {
    let z = vec![Complex64::new(100.0, 0.0); 71];
    for (circuit, a) in analyses("flat.csv", &z) {
        let r = a.r_con_ohm.as_ref().unwrap_or_else(|| panic!("{circuit}: no R_con"));
        assert!((r.value - 100.0).abs() < 1e-6, "{circuit}: R_con {}", r.value);
        assert!(
            a.quality
                .iter()
                .any(|q| matches!(q, Quality::FlatSpectrum { spread_relative } if *spread_relative < 1e-9)),
            "{circuit}: {:?}",
            a.quality
        );
        // No capacitance is attributed to an arc the data do not show.
        assert!(a.capacitance.is_none(), "{circuit}: C_eff {:?}", a.capacitance);
        if a.circuit.contains("p(") {
            assert!(
                matches!(a.capacitance_missing, Some(CapacitanceMissing::NegligibleArc { .. })),
                "{circuit}: {:?}",
                a.capacitance_missing
            );
        }
    }
}

#[test]
fn a_noisy_resistance_gives_its_value() {
    let mut noise = Noise::new(7);
    let z: Vec<Complex64> = (0..71)
        .map(|_| Complex64::new(100.0 * (1.0 + 1e-3 * noise.gauss()), 0.1 * noise.gauss()))
        .collect();
    for (circuit, a) in analyses("resistor.csv", &z) {
        // An arc circuit may run its arc's resistor off (R2 ‖ a huge CPE fits a flat line as
        // well as R2 = 0); R_con is then withheld with its reason, never a wrong number. What
        // a user gets by default, and the circuit with no arc, give the resistance.
        match &a.r_con_ohm {
            // The mean of 71 points with 0.1 % noise: within a few standard errors of the mean.
            Some(r) => {
                let within = (r.value - 100.0).abs() < 0.1 + 3.0 * r.stderr.unwrap_or(0.0);
                assert!(within, "{circuit}: R_con {} ± {:?} ({:?})", r.value, r.stderr, r.status);
            }
            None => {
                assert!(!["auto", "inductive"].contains(&circuit), "{circuit}: no R_con");
                assert!(
                    matches!(a.r_con_missing, Some(RConMissing::Runaway { .. })),
                    "{circuit}: {:?}",
                    a.r_con_missing
                );
            }
        }
    }
}

#[test]
fn pure_noise_gets_no_r_con() {
    let mut noise = Noise::new(11);
    let z: Vec<Complex64> = (0..71).map(|_| Complex64::new(noise.gauss(), noise.gauss())).collect();
    for (circuit, a) in analyses("noise.csv", &z) {
        assert!(a.r_con_ohm.is_none(), "{circuit}: R_con {:?}", a.r_con_ohm);
        assert!(a.sigma_s_per_cm.is_none());
        assert!(a.r_con_missing.is_some());
        assert!(
            a.quality.iter().any(|q| matches!(q, Quality::PoorFit { .. })),
            "{circuit}"
        );
    }
}

#[test]
fn negative_real_parts_everywhere_get_no_r_con() {
    // The study's case (b) semicircle (100 Ω + 1 kΩ ‖ 1 nF) with the sign of Re Z flipped.
    let z: Vec<Complex64> = frequencies()
        .iter()
        .map(|f| {
            let arc = 1.0 / Complex64::new(1e-3, 2.0 * PI * f * 1e-9);
            let z = Complex64::new(100.0, 0.0) + arc;
            Complex64::new(-z.re, z.im)
        })
        .collect();
    for (circuit, a) in analyses("negative.csv", &z) {
        assert!(a.r_con_ohm.is_none(), "{circuit}: R_con {:?}", a.r_con_ohm);
        assert!(
            matches!(
                a.r_con_missing,
                Some(
                    RConMissing::Collapsed { .. } | RConMissing::Undescribed { .. } | RConMissing::NotAboveLead { .. }
                )
            ),
            "{circuit}: {:?}",
            a.r_con_missing
        );
        let text = report::write(&a, Style::Ascii).r_con_missing.unwrap_or_default();
        assert!(text.contains("no R_con"), "{circuit}: {text}");
    }
}

/// Inputs the fuzzer (fuzz/fuzz_targets/analyse.rs) found, decoded as it decodes them:
/// a circuit choice from the first byte, then (f, Re Z, Im Z) as little-endian f64.
#[test]
fn fuzz_findings_give_finite_results() {
    const CIRCUITS: [&str; 6] = [
        "auto",
        "inductive",
        "semicircle",
        "R0-p(R1,C1)-W1",
        "p(R1,CPE1)",
        "L0-R0-p(R1,CPE1)-CPE2",
    ];
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if !path.file_name().unwrap().to_string_lossy().starts_with("analyse-") {
            continue;
        }
        seen += 1;
        let data = std::fs::read(&path).unwrap();
        let (&choice, rest) = data.split_first().unwrap();
        let numbers: Vec<f64> = rest
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
            .collect();
        let (f, z): (Vec<f64>, Vec<Complex64>) = numbers
            .chunks_exact(3)
            .take(64)
            .map(|t| (t[0], Complex64::new(t[1], t[2])))
            .unzip();
        let Ok(spectrum) = Spectrum::from_points("fuzz.csv", &f, &z) else {
            continue;
        };
        let mut s = settings(CIRCUITS[usize::from(choice) % CIRCUITS.len()]);
        if choice & 0x80 != 0 {
            s.geometry = None;
        } else {
            s.geometry = Some(Geometry::from_diameter(1.0, 10.0, Some(0.01), Some(0.01)).unwrap());
        }
        if let Ok(out) = analyse(&spectrum, &s) {
            assert_eq!(first_non_finite(&out.analysis), None, "{}", path.display());
        }
    }
    assert!(seen >= 1);
}
