//! A spectrum of a series started from its predecessor's fit (`analyse_from` with a
//! `StartHint`): the same answer as the cold start, the start recorded, junk ignored.

use sigmafit::analysis::{Outcome, Settings, StartHint, analyse, analyse_from};
use sigmafit::circuit::{Bounds, Circuit};
use sigmafit::fit::Start;
use sigmafit::fit::guess::initial_values;
use sigmafit::pellet::Geometry;
use sigmafit::preset::{CircuitChoice, Preset};
use sigmafit::spectrum::Spectrum;
use sigmafit::synthetic::window_spectrum;
use std::f64::consts::TAU;

fn settings(circuit: CircuitChoice) -> Settings {
    Settings {
        geometry: Geometry::from_diameter(1.0, 10.0, None, None).ok(),
        circuit,
        ..Settings::default()
    }
}

/// Step `k` of a pressure series: R2 (case b) or R0 (case a) falls by 3 % a step.
fn step(preset: Preset, k: usize) -> Spectrum {
    let shrink = 0.97f64.powi(k as i32);
    let (circuit, truth) = match preset {
        Preset::Inductive => (preset.circuit(), vec![2.0 * shrink, 1.0 / 3e-7, -0.95]),
        _ => (
            Preset::Semicircle.circuit(),
            vec![40.0, 960.0 * shrink, 2.1e-8 * (1.0 + 0.01 * k as f64), 0.9],
        ),
    };
    let seed = 1000 + k as u64;
    window_spectrum(
        &format!("{preset}-{k}"),
        |f| circuit.impedance(TAU * f, &truth),
        Some((0.005, seed)),
    )
    .unwrap()
}

/// Whether the hint's weighted misfit is below the automatic guess's, as the fit judges
/// it (modulus weighting, free bounded parameters kept 1 % of their range inside).
fn closer_than_guess(spectrum: &Spectrum, hint: &StartHint) -> bool {
    let circuit = Circuit::parse(&hint.circuit).unwrap();
    let preset = Preset::ALL.into_iter().find(|p| p.circuit().text() == hint.circuit);
    let circuit = preset.map_or(circuit, Preset::circuit);
    let omega: Vec<f64> = spectrum.freq_hz.iter().map(|f| TAU * f).collect();
    let inside = |values: Vec<f64>| -> Vec<f64> {
        values
            .iter()
            .zip(circuit.params())
            .map(|(v, p)| match p.bounds {
                Bounds::Interval { lo, hi } => v.clamp(lo + 0.01 * (hi - lo), hi - 0.01 * (hi - lo)),
                Bounds::Positive => *v,
            })
            .collect()
    };
    let cost = |values: &[f64]| -> f64 {
        omega
            .iter()
            .zip(&spectrum.z)
            .map(|(&w, z)| ((circuit.impedance(w, values) - z) / z.norm()).norm_sqr())
            .sum()
    };
    let guess = inside(initial_values(&circuit, preset, &omega, &spectrum.z));
    let previous = inside(hint.values.iter().map(|v| v.1).collect());
    cost(&previous) < cost(&guess)
}

fn assert_same_values(warm: &Outcome, cold: &Outcome, what: &str) {
    assert_eq!(warm.analysis.circuit, cold.analysis.circuit, "{what}");
    for (w, c) in warm.fit.values.iter().zip(&cold.fit.values) {
        assert!(
            (w - c).abs() <= 1e-6 * c.abs().max(1e-300),
            "{what}: warm {:?} cold {:?}",
            warm.fit.values,
            cold.fit.values
        );
    }
    let (w, c) = (
        warm.analysis.r_con_ohm.as_ref().unwrap().value,
        cold.analysis.r_con_ohm.as_ref().unwrap().value,
    );
    assert!((w - c).abs() <= 1e-6 * c, "{what}: R_con {w} vs {c}");
}

#[test]
fn a_series_started_from_each_predecessor_gives_the_cold_start_answer() {
    for (preset, choice) in [
        (Preset::Semicircle, CircuitChoice::Auto),
        (Preset::Inductive, CircuitChoice::Auto),
        (Preset::Semicircle, CircuitChoice::Preset(Preset::Semicircle)),
        (Preset::Inductive, CircuitChoice::Preset(Preset::Inductive)),
    ] {
        let settings = settings(choice);
        let mut previous: Option<StartHint> = None;
        let mut from_previous = 0;
        for k in 0..12 {
            let spectrum = step(preset, k);
            let cold = analyse(&spectrum, &settings).unwrap();
            let warm = analyse_from(&spectrum, &settings, previous.as_ref()).unwrap();
            assert_eq!(cold.analysis.start, Start::Automatic);
            assert_eq!(warm.analysis.kind, cold.analysis.kind, "{preset} step {k}");
            assert_same_values(&warm, &cold, &format!("{preset} step {k}"));
            if let Some(hint) = previous.as_ref().filter(|h| h.circuit == warm.analysis.circuit) {
                let expected = if closer_than_guess(&spectrum, hint) {
                    Start::Previous
                } else {
                    Start::Automatic
                };
                assert_eq!(warm.analysis.start, expected, "{preset} step {k}");
            }
            if warm.analysis.start == Start::Previous {
                from_previous += 1;
            }
            previous = Some(warm.start_hint());
        }
        // The arc's guess (a circle through the points) is rougher than a predecessor a few
        // percent away; the inductive guess reads R0 off the plateau, closer than 3 %.
        if preset == Preset::Semicircle {
            assert!(
                from_previous >= 3,
                "{preset}: only {from_previous} of 11 from the previous fit"
            );
        }
    }
}

#[test]
fn the_previous_fit_is_used_when_it_is_closer_and_not_when_it_is_farther() {
    let settings = settings(CircuitChoice::Auto);
    let spectrum = step(Preset::Semicircle, 3);
    let cold = analyse(&spectrum, &settings).unwrap();
    // Its own optimum: nothing starts closer.
    let own = cold.start_hint();
    assert_eq!(own.circuit, "R1-p(R2,CPE2)");
    let warm = analyse_from(&spectrum, &settings, Some(&own)).unwrap();
    assert_eq!(warm.analysis.start, Start::Previous);
    assert_same_values(&warm, &cold, "own optimum");
    let json = serde_json::to_value(&warm.analysis).unwrap();
    assert_eq!(json["start"], "previous");
    // Two decades off in every resistance: the guess from the data is closer.
    let far = StartHint {
        circuit: own.circuit.clone(),
        values: own
            .values
            .iter()
            .map(|(n, v)| (n.clone(), if n.starts_with('R') { v * 100.0 } else { *v }))
            .collect(),
    };
    let warm = analyse_from(&spectrum, &settings, Some(&far)).unwrap();
    assert_eq!(warm.analysis.start, Start::Automatic);
    assert_same_values(&warm, &cold, "far hint");
    assert_eq!(serde_json::to_value(&warm.analysis).unwrap()["start"], "automatic");
}

#[test]
fn user_values_win_over_the_hint() {
    let spectrum = step(Preset::Semicircle, 2);
    let mut settings = settings(CircuitChoice::Preset(Preset::Semicircle));
    settings.fit.fix = vec![("CPE2.alpha".to_string(), 0.9)];
    let cold = analyse(&spectrum, &settings).unwrap();
    let mut hint = cold.start_hint();
    for (name, value) in &mut hint.values {
        if name == "CPE2.alpha" {
            *value = 0.7;
        }
    }
    let warm = analyse_from(&spectrum, &settings, Some(&hint)).unwrap();
    assert_eq!(warm.fit.value("CPE2.alpha"), Some(0.9));
    assert_same_values(&warm, &cold, "fixed alpha");
}

#[test]
fn a_junk_hint_is_ignored() {
    let settings = settings(CircuitChoice::Auto);
    let spectrum = step(Preset::Semicircle, 0);
    let cold = analyse(&spectrum, &settings).unwrap();
    let good = cold.start_hint();
    let with = |values: Vec<(&str, f64)>| StartHint {
        circuit: good.circuit.clone(),
        values: values.into_iter().map(|(n, v)| (n.to_string(), v)).collect(),
    };
    let junk = [
        StartHint {
            circuit: "R0-p(R1,C1)".into(),
            values: good.values.clone(),
        },
        StartHint {
            circuit: "not a circuit (((".into(),
            values: vec![],
        },
        with(vec![]),
        with(vec![("R1", 40.0), ("R2", 960.0), ("CPE2.Q", 1e-8)]),
        with(vec![
            ("R1", 40.0),
            ("R2", 960.0),
            ("CPE2.Q", 1e-8),
            ("CPE2.alpha", 0.9),
            ("R3", 1.0),
        ]),
        with(vec![("R1", 40.0), ("R9", 960.0), ("CPE2.Q", 1e-8), ("CPE2.alpha", 0.9)]),
        with(vec![("R1", 40.0), ("R1", 960.0), ("CPE2.Q", 1e-8), ("CPE2.alpha", 0.9)]),
        with(vec![
            ("R1", f64::NAN),
            ("R2", 960.0),
            ("CPE2.Q", 1e-8),
            ("CPE2.alpha", 0.9),
        ]),
        with(vec![
            ("R1", 40.0),
            ("R2", -960.0),
            ("CPE2.Q", 1e-8),
            ("CPE2.alpha", 0.9),
        ]),
        with(vec![("R1", 40.0), ("R2", 960.0), ("CPE2.Q", 0.0), ("CPE2.alpha", 0.9)]),
        with(vec![
            ("R1", 40.0),
            ("R2", f64::INFINITY),
            ("CPE2.Q", 1e-8),
            ("CPE2.alpha", 0.9),
        ]),
        with(vec![
            ("R1", 40.0),
            ("R2", 960.0),
            ("CPE2.Q", 1e-8),
            ("CPE2.alpha", -0.5),
        ]),
        with(vec![
            ("R1", 40.0),
            ("R2", 960.0),
            ("CPE2.Q", 1e-8),
            ("CPE2.alpha", f64::NAN),
        ]),
    ];
    for hint in &junk {
        let warm = analyse_from(&spectrum, &settings, Some(hint)).unwrap();
        assert_eq!(warm.analysis.start, Start::Automatic, "{hint:?}");
        assert_eq!(warm.fit.values, cold.fit.values, "{hint:?}");
        assert_eq!(warm.analysis, cold.analysis, "{hint:?}");
    }
    // A hint survives a round trip through JSON (the page's Web Workers pass it on).
    let text = serde_json::to_string(&good).unwrap();
    let back: StartHint = serde_json::from_str(&text).unwrap();
    assert_eq!(back.circuit, good.circuit);
    for ((n, v), (m, w)) in back.values.iter().zip(&good.values) {
        assert!(n == m && (v - w).abs() <= 1e-15 * w.abs(), "{back:?}");
    }
}

#[test]
fn analyse_is_analyse_from_without_a_hint() {
    for preset in [Preset::Semicircle, Preset::Inductive] {
        let settings = settings(CircuitChoice::Auto);
        let spectrum = step(preset, 5);
        let a = analyse(&spectrum, &settings).unwrap();
        let b = analyse_from(&spectrum, &settings, None).unwrap();
        assert_eq!(a.analysis, b.analysis);
    }
    // A noise-free arc, for a spectrum whose guess is already excellent.
    let circuit = Preset::SemicircleC.circuit();
    let spectrum = window_spectrum("clean", |f| circuit.impedance(TAU * f, &[40.0, 960.0, 4e-9]), None).unwrap();
    let settings = settings(CircuitChoice::Preset(Preset::SemicircleC));
    let cold = analyse(&spectrum, &settings).unwrap();
    let warm = analyse_from(&spectrum, &settings, Some(&cold.start_hint())).unwrap();
    assert!(
        (warm.fit.values[1] - 960.0).abs() < 1e-6 * 960.0,
        "{:?}",
        warm.fit.values
    );
}
