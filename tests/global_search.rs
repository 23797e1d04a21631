//! The global search for a typed circuit with no starting values (issue 11): on the real
//! spectra it must reach the best residual that a long, independent multistart found
//! (tests/data/global_search_reference.csv, written by `cargo run --release --example
//! reference_residuals`: 4000 descents per row from its own sampler and seed), within
//! a factor 1.001, in both weightings.

use sigmafit::circuit::Circuit;
use sigmafit::fit::{FitOptions, Weighting, fit};
use sigmafit::spectrum::{Spectrum, parse_spectrum};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

fn load(name: &str) -> Spectrum {
    let path = format!("{DATA}/real/{name}.csv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    parse_spectrum(&text, name).unwrap()
}

struct Reference {
    spectrum: String,
    circuit: String,
    weighting: Weighting,
    best_rss: f64,
}

fn references() -> Vec<Reference> {
    let path = format!("{DATA}/global_search_reference.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("spectrum,"))
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            // The circuit holds commas: the spectrum is first, the last three are numbers.
            let n = fields.len();
            Reference {
                spectrum: fields[0].to_string(),
                circuit: fields[1..n - 3].join(","),
                weighting: Weighting::parse(fields[n - 3]).unwrap(),
                best_rss: fields[n - 2].parse().unwrap(),
            }
        })
        .collect()
}

#[test]
fn with_no_starting_values_the_fit_reaches_the_long_multistarts_best_residual() {
    let rows = references();
    assert_eq!(rows.len(), 20, "ten spectrum-circuit pairs in two weightings");
    let mut failures = Vec::new();
    for row in &rows {
        let spectrum = load(&row.spectrum);
        let circuit = Circuit::parse(&row.circuit).unwrap();
        let options = FitOptions {
            weighting: row.weighting,
            ..FitOptions::default()
        };
        let result = fit(&spectrum, &circuit, None, &options).unwrap();
        let ratio = result.stats.rss / row.best_rss;
        eprintln!(
            "{} {} {}: rss {:.6e}, reference {:.6e}, ratio {ratio:.6}, {} starts, {} at the best",
            row.spectrum,
            row.circuit,
            row.weighting.name(),
            result.stats.rss,
            row.best_rss,
            result.stats.starts,
            result.stats.starts_at_best
        );
        if ratio.is_nan() || ratio > 1.001 {
            failures.push(format!(
                "{} {} {}: ratio {ratio}",
                row.spectrum,
                row.circuit,
                row.weighting.name()
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_typed_circuit_of_a_presets_shape_takes_one_descent_and_others_the_search() {
    let spectrum = load("dummy_R_RC_circuit2");
    let options = FitOptions::default();
    let one = fit(&spectrum, &Circuit::parse("R0-p(R1,CPE1)").unwrap(), None, &options).unwrap();
    assert_eq!(one.stats.starts, 1, "the preset's guess fits this dummy cell at once");
    let searched = fit(&spectrum, &Circuit::parse("L0-R0-p(R1,CPE1)").unwrap(), None, &options).unwrap();
    assert!(searched.stats.starts >= 16, "{}", searched.stats.starts);
    assert!(searched.stats.starts_at_best >= 1);
    // Given starting values, a typed circuit is trusted as the presets are: one descent.
    let given = FitOptions {
        init: vec![("R0".into(), 150.0), ("R1".into(), 500.0), ("C1".into(), 3e-8)],
        ..FitOptions::default()
    };
    let guided = fit(&spectrum, &Circuit::parse("L0-R0-p(R1,C1)").unwrap(), None, &given).unwrap();
    assert_eq!(guided.stats.starts, 1);
}
