//! Real measured spectra (tests/data/real): the two physical dummy cells must fit
//! to their nominal components with no initial values, and every file must give a
//! result without a panic, whatever the circuit asked for.

use sigmafit::analysis::{Settings, analyse};
use sigmafit::numfmt::Style;
use sigmafit::pellet::RConMissing;
use sigmafit::preset::{CircuitChoice, Kind, Preset};
use sigmafit::report;
use sigmafit::spectrum::{Spectrum, parse_spectrum};

const SPECTRA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/real");

fn load(name: &str) -> Spectrum {
    let path = format!("{SPECTRA}/{name}.csv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    parse_spectrum(&text, name).unwrap()
}

fn within(value: f64, nominal: f64, tolerance: f64) -> bool {
    (value / nominal - 1.0).abs() <= tolerance
}

/// Nominal values from the spectra README: 150 Ω + 500 Ω ‖ 31 nF and
/// 1.5 kΩ + 4.6 kΩ ‖ 20 nF.
#[test]
fn dummy_cells_fit_to_their_nominal_components_within_2_percent() {
    for (name, r1, r2, c2) in [
        ("dummy_R_RC_circuit2", 150.0, 500.0, 31e-9),
        ("dummy_R_RC_circuit3", 1500.0, 4600.0, 20e-9),
    ] {
        let spectrum = load(name);
        for choice in [
            CircuitChoice::Auto,
            CircuitChoice::Preset(Preset::Semicircle),
            CircuitChoice::Preset(Preset::SemicircleC),
        ] {
            let settings = Settings {
                circuit: choice.clone(),
                ..Settings::default()
            };
            let out = analyse(&spectrum, &settings).unwrap().analysis;
            assert_eq!(out.kind, Kind::Semicircle, "{name} {choice:?}");
            assert!(out.stats.converged, "{name}");
            let p = &out.params;
            assert!(within(p["R1"].value, r1, 0.02), "{name}: R1 = {}", p["R1"].value);
            assert!(within(p["R2"].value, r2, 0.02), "{name}: R2 = {}", p["R2"].value);
            let c = out.capacitance.as_ref().unwrap().c_eff_f;
            assert!(within(c, c2, 0.02), "{name}: C_eff = {c}");
            assert!(
                out.stats.rms_relative < 0.02,
                "{name}: misfit {}",
                out.stats.rms_relative
            );
        }
    }
}

#[test]
fn every_real_spectrum_gives_a_result_for_every_circuit() {
    let names = [
        "battery_autolab",
        "chi_capacitive_tail",
        "dummy_R_RC_circuit2",
        "dummy_R_RC_circuit3",
        "gamry_arc_tail",
        "li_ion_cell_exampleData",
        "powersuite_highZ_MHz",
        "versastudio_two_arcs",
    ];
    let circuits = [
        "auto",
        "inductive",
        "semicircle",
        "semicircle-c",
        "L0-R0-p(R1,CPE1)-p(R2,CPE2)-W1",
    ];
    for name in names {
        let spectrum = load(name);
        for circuit in circuits {
            let settings = Settings {
                circuit: CircuitChoice::parse(circuit).unwrap(),
                ..Settings::default()
            };
            let out = analyse(&spectrum, &settings).unwrap().analysis;
            assert!(out.stats.rss.is_finite(), "{name} {circuit}");
            // Either an R_con that is a real number or a stated reason for none.
            match &out.r_con_ohm {
                Some(r) => assert!(r.value.is_finite() && r.value > 0.0, "{name} {circuit}: {r:?}"),
                None => assert!(out.r_con_missing.is_some(), "{name} {circuit}"),
            }
            // A poor description is said out loud.
            if out.stats.rms_relative > 0.05 {
                let notes = report::write(&out, Style::Ascii).notes;
                assert!(notes.iter().any(|n| n.contains("poorly")), "{name} {circuit}");
            }
        }
    }
}

#[test]
fn custom_circuits_describe_the_battery_spectra() {
    // Inductive tail, two arcs and diffusion: the full custom circuit fits to a few percent.
    for name in ["li_ion_cell_exampleData", "battery_autolab"] {
        let settings = Settings {
            circuit: CircuitChoice::parse("L0-R0-p(R1,CPE1)-p(R2,CPE2)-W1").unwrap(),
            ..Settings::default()
        };
        let out = analyse(&load(name), &settings).unwrap().analysis;
        assert!(out.stats.converged, "{name}");
        assert!(
            out.stats.rms_relative < 0.03,
            "{name}: misfit {}",
            out.stats.rms_relative
        );
        let why = report::write(&out, Style::Ascii).r_con_missing.unwrap();
        assert!(out.r_con_ohm.is_none() && why.contains("Warburg"), "{why}");
    }
}

#[test]
fn spectra_without_a_dc_plateau_get_no_r_con() {
    // The capacitive tail never closes: a fitted R2 of 1e200 ohm is no measurement.
    for name in ["chi_capacitive_tail", "li_ion_cell_exampleData"] {
        let out = analyse(&load(name), &Settings::default()).unwrap().analysis;
        assert!(out.r_con_ohm.is_none(), "{name}");
        let report = report::write(&out, Style::Ascii);
        assert!(matches!(out.r_con_missing, Some(RConMissing::Runaway { .. })), "{name}");
        assert!(report.r_con_missing.unwrap().contains("no DC plateau"), "{name}");
        // Nor is the runaway arc given a capacitance, an apex or a boundary of its own.
        assert!(out.capacitance.is_none() && out.choice.apex.is_none(), "{name}");
        assert!(out.choice.boundary.own_sigma_s_per_cm.is_none(), "{name}");
        assert!(report.capacitance_missing.unwrap().contains("ran away"), "{name}");
        assert!(report.choice_sentence.contains("There is no R_con"), "{name}");
    }
}
