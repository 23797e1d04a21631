//! No input may panic the core: in WebAssembly a panic kills the module. Random
//! and degenerate spectra go through every circuit choice and every option.

use num_complex::Complex64;
use sigmafit::analysis::{Settings, analyse};
use sigmafit::numfmt::Style;
use sigmafit::pellet::{Geometry, RConMissing};
use sigmafit::preset::CircuitChoice;
use sigmafit::report;
use sigmafit::spectrum::{Spectrum, parse_spectrum};
use sigmafit::synthetic::Noise;

struct Rng(Noise);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0.uniform()
    }

    fn magnitude(&mut self) -> f64 {
        10f64.powf(-12.0 + 24.0 * self.next())
    }
}

fn circuits() -> Vec<CircuitChoice> {
    [
        "auto",
        "inductive",
        "semicircle",
        "semicircle-c",
        "R0-p(R1,C1)-W1",
        "p(R1,CPE1)",
        "L0-p(R1,p(R2,C2),CPE3)",
    ]
    .iter()
    .map(|c| CircuitChoice::parse(c).unwrap())
    .collect()
}

fn check(spectrum: &Spectrum, settings: &Settings) {
    // Any outcome is fine, Ok or Err; what matters is returning at all, with finite
    // numbers where numbers are claimed.
    if let Ok(out) = analyse(spectrum, settings) {
        let a = out.analysis;
        // serde_json would write a NaN as null, and the page would show "NaN": none may be there.
        assert_eq!(
            sigmafit::finite::first_non_finite(&a),
            None,
            "{}: {}",
            a.file,
            a.circuit
        );
        for style in [Style::Ascii, Style::Typeset] {
            assert!(!report::write(&a, style).choice_sentence.is_empty());
        }
    }
}

#[test]
fn random_spectra_never_panic() {
    let mut rng = Rng(Noise::new(0x1234_5678_9abc_def1));
    let geometry = Geometry::from_diameter(1.0, 10.0, Some(0.01), Some(0.01)).unwrap();
    let circuits = circuits();
    for case in 0..60 {
        let n = 5 + (rng.next() * 40.0) as usize;
        let freq: Vec<f64> = (0..n).map(|_| rng.magnitude()).collect();
        let z: Vec<Complex64> = (0..n)
            .map(|_| {
                let re = if rng.next() < 0.1 {
                    0.0
                } else {
                    (rng.next() - 0.3) * rng.magnitude()
                };
                let im = if rng.next() < 0.1 {
                    0.0
                } else {
                    (rng.next() - 0.7) * rng.magnitude()
                };
                Complex64::new(re, im)
            })
            .collect();
        let Ok(spectrum) = Spectrum::from_points("random", &freq, &z) else {
            continue;
        };
        let settings = Settings {
            circuit: circuits[case % circuits.len()].clone(),
            geometry: (case % 2 == 0).then_some(geometry),
            lead_ohm: if case % 5 == 0 { 1.0 } else { 0.0 },
            ..Settings::default()
        };
        check(&spectrum, &settings);
    }
}

#[test]
fn degenerate_spectra_never_panic() {
    let f: Vec<f64> = (0..20).map(|i| 10f64.powi(i - 5)).collect();
    let cases: Vec<Vec<Complex64>> = vec![
        vec![Complex64::new(0.0, 0.0); 20],
        vec![Complex64::new(5.0, 0.0); 20],
        vec![Complex64::new(-5.0, 3.0); 20],
        (0..20).map(|i| Complex64::new(1e300, -1e300 * i as f64)).collect(),
        (0..20).map(|i| Complex64::new(1e-300, 1e-300 * i as f64)).collect(),
    ];
    for z in cases {
        let spectrum = Spectrum::from_points("flat", &f, &z).unwrap();
        for circuit in circuits() {
            check(
                &spectrum,
                &Settings {
                    circuit,
                    ..Settings::default()
                },
            );
        }
    }
    // Identical frequencies everywhere.
    let same = Spectrum::from_points("same f", &[1e3; 8], &[Complex64::new(10.0, -1.0); 8]).unwrap();
    check(&same, &Settings::default());
}

#[test]
fn hostile_options_give_errors_not_panics() {
    let text = "f,re,im\n1e6,10,1\n1e5,10,0.1\n1e4,10,0.01\n1e3,10,0.001\n1e2,10,0.0001\n1e1,10,0\n";
    let spectrum = parse_spectrum(text, "tiny.csv").unwrap();
    let mut settings = Settings::default();
    settings.fit.fmin = Some(1e7);
    assert!(analyse(&spectrum, &settings).is_err());
    settings.fit.fmin = Some(f64::NAN);
    assert!(analyse(&spectrum, &settings).is_err());
    settings.fit.fmin = Some(1e3);
    settings.fit.fmax = Some(10.0);
    assert!(analyse(&spectrum, &settings).is_err());
    let mut settings = Settings::default();
    settings.fit.fix.push(("CPE0.alpha".into(), 3.0));
    settings.circuit = CircuitChoice::parse("inductive").unwrap();
    let err = analyse(&spectrum, &settings).unwrap_err().to_string();
    assert!(err.contains("CPE0.alpha") && err.contains("[-1, 0]"), "{err}");
    settings.fit.fix = vec![("R7".into(), 1.0)];
    let err = analyse(&spectrum, &settings).unwrap_err();
    assert!(err.to_string().contains("R7 is not a parameter of R0-CPE0"), "{err}");
    // Under auto a name of neither circuit is an error of its setting, not ignored.
    settings.circuit = CircuitChoice::Auto;
    settings.fit.fix.clear();
    settings.fit.init = vec![("X9".into(), 5.0)];
    match analyse(&spectrum, &settings) {
        Err(sigmafit::analysis::AnalysisError::Settings(e)) => {
            assert_eq!(e.field, "init");
            assert!(
                e.message
                    .starts_with("X9 is not a parameter of R0-CPE0 or R1-p(R2,CPE2)"),
                "{}",
                e.message
            );
        }
        other => panic!("expected a settings error, got {other:?}"),
    }
    let settings = Settings {
        eps_r: -1.0,
        ..Settings::default()
    };
    assert!(analyse(&spectrum, &settings).is_err());
    let settings = Settings {
        lead_ohm: 50.0,
        ..Settings::default()
    };
    let out = analyse(&spectrum, &settings).unwrap().analysis;
    assert!(out.r_con_ohm.is_none() && matches!(out.r_con_missing, Some(RConMissing::NotAboveLead { .. })));
    assert!(
        report::write(&out, Style::Ascii)
            .r_con_missing
            .unwrap()
            .contains("lead")
    );
    // Too many parameters for the points inside the range.
    let settings = Settings {
        circuit: CircuitChoice::parse("L0-R0-p(R1,CPE1)-p(R2,CPE2)-W1").unwrap(),
        ..Settings::default()
    };
    let mut narrow = settings.clone();
    narrow.fit.fmax = Some(2e4);
    assert!(analyse(&spectrum, &narrow).is_err());
}

#[test]
fn negative_real_parts_get_no_r_con() {
    // Re Z < 0 at every point: no passive pellet; the fit's DC limit collapsed to ~1e-186 Ω.
    let text = "f,Zre,Zim\n1e6,-10,-1\n1e5,-11,-2\n1e4,-12,-3\n1e3,-13,-2\n1e2,-14,-1\n10,-15,-0.5\n";
    let spectrum = parse_spectrum(text, "negative.csv").unwrap();
    for circuit in ["auto", "inductive", "semicircle"] {
        let settings = Settings {
            circuit: CircuitChoice::parse(circuit).unwrap(),
            ..Settings::default()
        };
        if let Ok(out) = analyse(&spectrum, &settings) {
            let a = out.analysis;
            if let Some(r) = &a.r_con_ohm {
                // Whatever R_con is given must be a resistance of the data's own scale.
                assert!(r.fitted_dc_ohm >= 1e-6 * 15.0, "{circuit}: R_con {}", r.fitted_dc_ohm);
            }
        }
    }
}
