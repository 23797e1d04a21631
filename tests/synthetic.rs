//! Spectra made here from known circuits (1 MHz to 0.1 Hz, 10 points per decade)
//! must come back as the parameters, R_con and σ they were made from, with no
//! initial values given and `auto` choosing the circuit.

use num_complex::Complex64;
use sigmafit::analysis::{Settings, analyse};
use sigmafit::attribution::effective_capacitance;
use sigmafit::choice::RConStatus;
use sigmafit::fit::{FitOptions, ParamStatus, fit};
use sigmafit::numfmt::Style;
use sigmafit::pellet::Geometry;
use sigmafit::preset::{CircuitChoice, Kind, Preset};
use sigmafit::report;
use sigmafit::spectrum::Spectrum;
use sigmafit::synthetic::window_spectrum;
use std::f64::consts::{FRAC_PI_2, PI, TAU};

/// Z = R0 + 1/(Q (iω)^α), written out independently of the crate's circuit code.
fn inductive_z(f: f64, r: f64, q: f64, alpha: f64) -> Complex64 {
    let w = TAU * f;
    let iw_alpha = Complex64::from_polar(w.powf(alpha), alpha * FRAC_PI_2);
    Complex64::new(r, 0.0) + 1.0 / (q * iw_alpha)
}

/// Z = R1 + 1/(1/R2 + Q (iω)^α).
fn semicircle_z(f: f64, r1: f64, r2: f64, q: f64, alpha: f64) -> Complex64 {
    let w = TAU * f;
    let iw_alpha = Complex64::from_polar(w.powf(alpha), alpha * FRAC_PI_2);
    Complex64::new(r1, 0.0) + 1.0 / (1.0 / r2 + q * iw_alpha)
}

fn spectrum(name: &str, z: impl Fn(f64) -> Complex64, noise: Option<(f64, u64)>) -> Spectrum {
    window_spectrum(name, z, noise).unwrap()
}

/// Q that puts Im Z of the inductive CPE at 1 MHz at `share` × R.
fn inductive_q(r: f64, alpha: f64, share: f64) -> f64 {
    let w = TAU * 1e6;
    w.powf(-alpha) * (-alpha * FRAC_PI_2).sin() / (share * r)
}

fn apex_hz(r2: f64, q: f64, alpha: f64) -> f64 {
    1.0 / (TAU * (r2 * q).powf(1.0 / alpha))
}

fn inductive_cases() -> Vec<(f64, f64, f64)> {
    let mut cases = Vec::new();
    for r in [0.5, 1.3, 4.0, 10.0] {
        for alpha in [-0.85, -0.93, -1.0] {
            for share in [0.1, 1.0, 5.0] {
                cases.push((r, inductive_q(r, alpha, share), alpha));
            }
        }
    }
    cases
}

fn semicircle_cases() -> Vec<(f64, f64, f64, f64)> {
    let mut cases = Vec::new();
    for r1 in [20.0, 120.0, 500.0] {
        for r2 in [200.0, 3000.0, 50_000.0] {
            for q in [1e-9, 3e-9, 1e-8] {
                for alpha in [0.75, 0.9, 1.0] {
                    let f = apex_hz(r2, q, alpha);
                    if (10.0..=1e5).contains(&f) {
                        cases.push((r1, r2, q, alpha));
                    }
                }
            }
        }
    }
    cases
}

fn rel(a: f64, b: f64) -> f64 {
    (a / b - 1.0).abs()
}

#[test]
fn case_a_noise_free_parameters_come_back_to_1e6() {
    let cases = inductive_cases();
    assert!(cases.len() >= 30);
    for (r, q, alpha) in cases {
        let s = spectrum("a", |f| inductive_z(f, r, q, alpha), None);
        let out = analyse(&s, &Settings::default()).unwrap().analysis;
        assert_eq!(out.kind, Kind::Inductive, "R={r} Q={q} α={alpha}");
        let p = &out.params;
        assert!(rel(p["R0"].value, r) < 1e-6, "R0 {} vs {r}", p["R0"].value);
        assert!(rel(p["CPE0.Q"].value, q) < 1e-6, "Q {} vs {q}", p["CPE0.Q"].value);
        assert!(
            (p["CPE0.alpha"].value - alpha).abs() < 1e-6,
            "α {} vs {alpha}",
            p["CPE0.alpha"].value
        );
        if alpha == -1.0 {
            assert_eq!(p["CPE0.alpha"].status, ParamStatus::AtLowerBound);
            assert!(p["CPE0.alpha"].stderr.is_none());
        }
    }
}

#[test]
fn case_b_noise_free_parameters_come_back_to_1e6() {
    let cases = semicircle_cases();
    assert!(cases.len() >= 30, "{}", cases.len());
    for (r1, r2, q, alpha) in cases {
        let s = spectrum("b", |f| semicircle_z(f, r1, r2, q, alpha), None);
        let out = analyse(&s, &Settings::default()).unwrap().analysis;
        let label = format!("R1={r1} R2={r2} Q={q} α={alpha}");
        assert_eq!(out.kind, Kind::Semicircle, "{label}");
        let p = &out.params;
        assert!(rel(p["R1"].value, r1) < 1e-6, "{label}: R1 {}", p["R1"].value);
        assert!(rel(p["R2"].value, r2) < 1e-6, "{label}: R2 {}", p["R2"].value);
        assert!(rel(p["CPE2.Q"].value, q) < 1e-6, "{label}: Q {}", p["CPE2.Q"].value);
        assert!(
            (p["CPE2.alpha"].value - alpha).abs() < 1e-6,
            "{label}: α {}",
            p["CPE2.alpha"].value
        );
        assert!(rel(out.r_con_ohm.unwrap().value, r1 + r2) < 1e-6, "{label}");
    }
}

#[test]
fn with_half_a_percent_noise_r_con_is_within_one_percent() {
    let mut seed = 7;
    for (r, q, alpha) in inductive_cases() {
        seed += 1;
        let s = spectrum("a", |f| inductive_z(f, r, q, alpha), Some((0.005, seed)));
        let out = analyse(&s, &Settings::default()).unwrap().analysis;
        assert_eq!(out.kind, Kind::Inductive);
        let r_con = out.r_con_ohm.unwrap();
        assert!(rel(r_con.value, r) < 0.01, "R={r}: {}", r_con.value);
        // The standard error is honest: the truth lies within 4 of them.
        assert!(
            (r_con.value - r).abs() < 4.0 * r_con.stderr.unwrap(),
            "R={r}: {r_con:?}"
        );
    }
    for (r1, r2, q, alpha) in semicircle_cases() {
        seed += 1;
        let s = spectrum("b", |f| semicircle_z(f, r1, r2, q, alpha), Some((0.005, seed)));
        let out = analyse(&s, &Settings::default()).unwrap().analysis;
        assert_eq!(out.kind, Kind::Semicircle);
        let r_con = out.r_con_ohm.unwrap();
        assert!(rel(r_con.value, r1 + r2) < 0.01, "R1={r1} R2={r2}: {}", r_con.value);
        assert!((r_con.value - r1 - r2).abs() < 4.0 * r_con.stderr.unwrap(), "{r_con:?}");
    }
}

fn pellet() -> Geometry {
    Geometry::from_diameter(1.0, 10.0, None, None).unwrap()
}

/// R_con that gives σ for a 1 mm × 10 mm pellet.
fn r_for_sigma(sigma: f64) -> f64 {
    0.1 / (sigma * PI * 0.25)
}

#[test]
fn paper_headline_values_come_back_with_the_right_circuit() {
    let settings = Settings {
        geometry: Some(pellet()),
        ..Settings::default()
    };
    // uncoated LCO: a semicircle, C2/A = 5e-9 F/cm² (interparticle), α = 0.9.
    let sigma_lco = 1.3e-4;
    let r_total = r_for_sigma(sigma_lco);
    let (r1, r2, alpha) = (0.05 * r_total, 0.95 * r_total, 0.9);
    let c_eff: f64 = 5e-9 * PI * 0.25;
    let q = c_eff.powf(alpha) * r2.powf(alpha - 1.0);
    assert!((effective_capacitance(q, alpha, r2).unwrap() / c_eff - 1.0).abs() < 1e-12);
    let s = spectrum("LCO", |f| semicircle_z(f, r1, r2, q, alpha), Some((0.003, 11)));
    let out = analyse(&s, &settings).unwrap().analysis;
    assert_eq!(out.kind, Kind::Semicircle);
    let sigma = out.sigma_s_per_cm.unwrap();
    assert!(rel(sigma.value, sigma_lco) < 0.01, "{sigma:?}");
    let rule = out.choice.paper_rule.as_ref().unwrap();
    assert!(rule.agrees && rule.suggests == Kind::Semicircle);
    let cap = out.capacitance.as_ref().unwrap();
    assert!(rel(cap.c_per_area_f_per_cm2.unwrap(), 5e-9) < 0.05, "{cap:?}");
    assert!(cap.ratio_to_bulk.unwrap() > 100.0);

    // NMC: inductive spectra, a 0.3 µH-like cable inductance with α = −0.95.
    for (label, sigma_true) in [("sc-NMC622", 2.5e-2), ("pc-NMC622", 3.1e-2), ("sc-NMC83611", 1e-1)] {
        let r = r_for_sigma(sigma_true);
        let q = inductive_q(r, -0.95, 0.8);
        let s = spectrum(label, |f| inductive_z(f, r, q, -0.95), Some((0.003, 5)));
        let out = analyse(&s, &settings).unwrap().analysis;
        assert_eq!(out.kind, Kind::Inductive, "{label}");
        let sigma = out.sigma_s_per_cm.unwrap();
        assert!(rel(sigma.value, sigma_true) < 0.01, "{label}: {sigma:?}");
        assert!(out.choice.paper_rule.as_ref().unwrap().agrees, "{label}");
        assert!(out.capacitance.is_none());
    }
}

#[test]
fn an_arc_with_its_apex_above_f_max_has_a_measured_r_con_and_an_extrapolated_split() {
    // R2 C = 1e-8 s: apex at 16 MHz, far above the 1 MHz window. The data sit on the
    // low-frequency plateau R1 + R2 for five decades: R_con is measured; only the
    // split into R1 and R2 (and the arc's capacitance) is the model's extrapolation.
    let (r1, r2, q) = (30.0, 100.0, 1e-10);
    assert!(apex_hz(r2, q, 1.0) > 1e7);
    let s = spectrum("fast arc", |f| semicircle_z(f, r1, r2, q, 1.0), None);
    let settings = Settings {
        circuit: CircuitChoice::Preset(Preset::Semicircle),
        ..Settings::default()
    };
    let out = analyse(&s, &settings).unwrap().analysis;
    assert_eq!(out.r_con_ohm.as_ref().unwrap().status, RConStatus::Measured);
    assert!(out.choice.arc_extrapolated);
    let report = report::write(&out, Style::Ascii);
    let note = report.arc_note.unwrap();
    assert!(
        note.contains("above the highest fitted frequency") && note.contains("split into R1 and R2"),
        "{note}"
    );
}

#[test]
fn one_noisy_low_frequency_point_does_not_decide_the_status() {
    // A closed arc (apex 1.8 kHz) with 0.5 % noise: the lowest single point can sit 1 %
    // off, but the plateau is judged on the fitted curve and several points.
    let closed = |f: f64| semicircle_z(f, 50.0, 1000.0, 1e-7, 0.9);
    let settings = Settings {
        circuit: CircuitChoice::Preset(Preset::Semicircle),
        ..Settings::default()
    };
    for seed in 1..=12 {
        let s = spectrum("noisy closed arc", closed, Some((0.005, seed)));
        let out = analyse(&s, &settings).unwrap().analysis;
        assert_eq!(
            out.r_con_ohm.as_ref().unwrap().status,
            RConStatus::Measured,
            "seed {seed}"
        );
        assert!(!out.choice.arc_extrapolated, "seed {seed}");
    }
}

#[test]
fn an_arc_cut_off_above_its_apex_is_not_measured() {
    // Apex at 1.8 kHz, fitted only from 20 kHz up: the data never reach the plateau.
    let s = spectrum("high half", |f| semicircle_z(f, 50.0, 1000.0, 1e-7, 0.9), None);
    let mut settings = Settings {
        circuit: CircuitChoice::Preset(Preset::Semicircle),
        ..Settings::default()
    };
    settings.fit.fmin = Some(2e4);
    let out = analyse(&s, &settings).unwrap().analysis;
    assert_eq!(out.r_con_ohm.as_ref().unwrap().status, RConStatus::Extrapolated);
    assert_eq!(
        out.choice.r_con.as_ref().unwrap().reason,
        sigmafit::choice::RConReason::ApexBelowWindow
    );
}

#[test]
fn an_arc_that_does_not_close_is_flagged_extrapolated() {
    // Apex at 1.6 Hz with a depressed arc; the window stops at 10 Hz.
    let (r1, r2, alpha) = (50.0, 1e5, 0.85);
    let q = (1.0 / (TAU * 1.6)).powf(alpha) / r2;
    let s = spectrum("open arc", |f| semicircle_z(f, r1, r2, q, alpha), None);
    let mut settings = Settings {
        circuit: CircuitChoice::Preset(Preset::Semicircle),
        ..Settings::default()
    };
    settings.fit.fmin = Some(10.0);
    let out = analyse(&s, &settings).unwrap().analysis;
    assert_eq!(out.spectrum.n_fitted, 51);
    assert_eq!(out.r_con_ohm.as_ref().unwrap().status, RConStatus::Extrapolated);
    // An arc that closes inside the window is measured.
    let closed = spectrum("closed arc", |f| semicircle_z(f, r1, 1000.0, 1e-8, 0.9), None);
    let out = analyse(&closed, &settings).unwrap().analysis;
    assert_eq!(out.r_con_ohm.as_ref().unwrap().status, RConStatus::Measured);
}

#[test]
fn lead_resistance_is_subtracted_and_fix_holds_a_value() {
    let (r, q, alpha) = (1.3, inductive_q(1.3, -0.95, 1.0), -0.95);
    let s = spectrum("a", |f| inductive_z(f, r, q, alpha), None);
    let settings = Settings {
        lead_ohm: 0.1,
        ..Settings::default()
    };
    let out = analyse(&s, &settings).unwrap().analysis;
    assert!(rel(out.r_con_ohm.unwrap().value, 1.2) < 1e-6);

    let circuit = Preset::Inductive.circuit();
    let options = FitOptions {
        fix: vec![("CPE0.alpha".into(), -0.9)],
        ..FitOptions::default()
    };
    let held = fit(&s, &circuit, Some(Preset::Inductive), &options).unwrap();
    assert_eq!(held.value("CPE0.alpha"), Some(-0.9));
    assert_eq!(held.estimate("CPE0.alpha").unwrap().status, ParamStatus::Fixed);
    assert_eq!(held.stats.n_free, 2);
}

#[test]
fn custom_circuits_fit_and_report_blocking_dc() {
    // L0-R0-p(R1,C1): the same truth, written as a custom string.
    let (l, r0, r1, c1) = (2e-7, 5.0, 200.0, 1e-7);
    let z = |f: f64| {
        let w = TAU * f;
        Complex64::new(r0, w * l) + 1.0 / (1.0 / r1 + Complex64::new(0.0, w * c1))
    };
    let s = spectrum("custom", z, None);
    let settings = Settings {
        circuit: CircuitChoice::parse("L0-R0-p(R1,C1)").unwrap(),
        ..Settings::default()
    };
    let out = analyse(&s, &settings).unwrap().analysis;
    assert_eq!(out.kind, Kind::Custom);
    assert!(rel(out.params["L0"].value, l) < 1e-6, "{:?}", out.params);
    assert!(rel(out.params["C1"].value, c1) < 1e-6);
    assert!(rel(out.r_con_ohm.unwrap().value, r0 + r1) < 1e-6);

    let blocking = Settings {
        circuit: CircuitChoice::parse("R0-p(R1,C1)-C2").unwrap(),
        ..Settings::default()
    };
    let out = analyse(&s, &blocking).unwrap().analysis;
    assert!(out.r_con_ohm.is_none());
    assert!(report::write(&out, Style::Ascii).r_con_missing.unwrap().contains("C2"));
    assert!(out.sigma_s_per_cm.is_none());
}

#[test]
fn the_arc_is_found_by_structure_and_custom_circuits_are_judged_by_shape() {
    let settings = Settings {
        geometry: Some(pellet()),
        circuit: CircuitChoice::parse("R0-p(R1,CPE1)").unwrap(),
        ..Settings::default()
    };
    let (r1, r2, q, alpha) = (40.0, 960.0, 1.4e-8, 0.9);
    let s = spectrum("renamed", |f| semicircle_z(f, r1, r2, q, alpha), None);
    let out = analyse(&s, &settings).unwrap().analysis;
    assert_eq!(out.kind, Kind::Custom);
    let cap = out.capacitance.as_ref().expect("R1 || CPE1 is an arc");
    assert_eq!(cap.element, "CPE1");
    assert!(rel(cap.c_eff_f, effective_capacitance(q, alpha, r2).unwrap()) < 1e-6);
    let sentence = report::write(&out, Style::Ascii).choice_sentence;
    assert!(out.choice.paper_rule.as_ref().unwrap().agrees, "{sentence}");
    assert!(sentence.contains("R0-p(R1,CPE1)"));

    // semicircle-c is named as what it is.
    let c_only = Settings {
        circuit: CircuitChoice::Preset(Preset::SemicircleC),
        ..Settings::default()
    };
    let out = analyse(&s, &c_only).unwrap().analysis;
    let sentence = report::write(&out, Style::Ascii).choice_sentence;
    assert!(sentence.contains("R1-p(R2,C2)"), "{sentence}");

    // The inductive circuit says why it has no attribution.
    let q0 = inductive_q(2.0, -0.95, 1.0);
    let a = spectrum("a", |f| inductive_z(f, 2.0, q0, -0.95), None);
    let out = analyse(&a, &Settings::default()).unwrap().analysis;
    assert!(out.capacitance.is_none());
    assert!(
        report::write(&out, Style::Ascii)
            .capacitance_missing
            .unwrap()
            .contains("inductive")
    );
}

#[test]
fn data_that_rise_beyond_the_fitted_dc_limit_do_not_count_as_measured() {
    // An arc plus a capacitive tail: the semicircle circuit ends at R1 + R2, the data go on.
    let tail =
        |f: f64| semicircle_z(f, 50.0, 1000.0, 1e-8, 0.9) + Complex64::new(1.0, -1.0) * 3000.0 / (TAU * f).sqrt();
    let s = spectrum("arc + tail", tail, None);
    let settings = Settings {
        circuit: CircuitChoice::Preset(Preset::Semicircle),
        ..Settings::default()
    };
    let out = analyse(&s, &settings).unwrap().analysis;
    let r_con = out.r_con_ohm.clone().unwrap();
    assert_eq!(r_con.status, RConStatus::Extrapolated);
    assert_eq!(
        out.choice.r_con.as_ref().unwrap().reason,
        sigmafit::choice::RConReason::DataRiseBeyond
    );
    let reason = report::write(&out, Style::Ascii).r_con_reason.unwrap();
    assert!(reason.contains("rising beyond"), "{reason}");
}

#[test]
fn an_inductive_cpe_is_in_siemens_seconds_and_an_ideal_one_is_the_leads_inductance() {
    // R0 + iωL with L = 0.8 µH: the inductive CPE ends at α = −1 with Q = 1/L.
    let (r0, l) = (1.5, 8e-7);
    let s = spectrum("leads", |f| Complex64::new(r0, TAU * f * l), Some((0.002, 3)));
    let settings = Settings {
        circuit: CircuitChoice::Preset(Preset::Inductive),
        ..Settings::default()
    };
    let out = analyse(&s, &settings).unwrap().analysis;
    assert_eq!(out.params["CPE0.Q"].unit, "S·s^α");
    let lead = out
        .lead_inductance
        .as_ref()
        .unwrap_or_else(|| panic!("α = −1 is an inductor: {:?}", out.params));
    assert!(rel(lead.inductance_h, l) < 0.01, "L = {} H", lead.inductance_h);
    let note = report::write(&out, Style::Ascii).lead_note.unwrap();
    assert!(note.contains("cables") && note.contains("L = 1/Q"), "{note}");
    // A capacitive CPE keeps its capacitance-like unit.
    let arc = spectrum("arc", |f| semicircle_z(f, 50.0, 1000.0, 1e-7, 0.9), None);
    let b = Settings {
        circuit: CircuitChoice::Preset(Preset::Semicircle),
        ..Settings::default()
    };
    let out = analyse(&arc, &b).unwrap().analysis;
    assert_eq!(out.params["CPE2.Q"].unit, "F s^(α−1)");
    assert!(out.lead_inductance.is_none());
}

#[test]
fn a_fit_range_that_leaves_too_few_points_is_an_error_of_its_setting() {
    let s = spectrum("arc", |f| semicircle_z(f, 50.0, 1000.0, 1e-7, 0.9), None);
    let mut settings = Settings::default();
    settings.fit.fmin = Some(1e7);
    match analyse(&s, &settings) {
        Err(sigmafit::analysis::AnalysisError::Settings(e)) => {
            assert_eq!(e.field, "fmin_hz");
            assert_eq!(
                e.message,
                "only 0 of the spectrum's 71 points lie at or above 10 MHz (0.1 Hz to 1 MHz measured); a fit needs at least 5"
            );
        }
        other => panic!("expected a settings error, got {other:?}"),
    }
    // 1 MHz down to 0.5 MHz holds 1e6, 7.94e5, 6.31e5 and 5.01e5 Hz: four points.
    settings.fit.fmin = Some(5e5);
    settings.fit.fmax = Some(2e6);
    let e = analyse(&s, &settings).unwrap_err().to_string();
    assert!(
        e.contains("only 4 of the spectrum's 71 points lie between 500 kHz and 2 MHz"),
        "{e}"
    );
}
