//! Arbitrary spectra through the whole analysis (parse, fit, diagnosis, report) with
//! each circuit choice: a result whose every number is finite, or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use num_complex::Complex64;
use sigmafit::analysis::{Settings, analyse};
use sigmafit::finite::first_non_finite;
use sigmafit::numfmt::Style;
use sigmafit::pellet::Geometry;
use sigmafit::preset::CircuitChoice;
use sigmafit::report;
use sigmafit::spectrum::Spectrum;

const CIRCUITS: [&str; 6] = ["auto", "inductive", "semicircle", "R0-p(R1,C1)-W1", "p(R1,CPE1)", "L0-R0-p(R1,CPE1)-CPE2"];

/// Triples of f64 (frequency, Re Z, Im Z) from the bytes, at most 64 points.
fn points(bytes: &[u8]) -> (Vec<f64>, Vec<Complex64>) {
    let numbers: Vec<f64> = bytes
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
        .collect();
    let (f, z) = numbers
        .chunks_exact(3)
        .take(64)
        .map(|t| (t[0], Complex64::new(t[1], t[2])))
        .unzip();
    (f, z)
}

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else { return };
    let (f, z) = points(rest);
    let Ok(spectrum) = Spectrum::from_points("fuzz.csv", &f, &z) else { return };
    let Ok(circuit) = CircuitChoice::parse(CIRCUITS[usize::from(choice) % CIRCUITS.len()]) else { return };
    let geometry = Geometry::from_diameter(1.0, 10.0, Some(0.01), Some(0.01)).ok();
    let settings = Settings {
        circuit,
        geometry: if choice & 0x80 == 0 { geometry } else { None },
        ..Settings::default()
    };
    if let Ok(out) = analyse(&spectrum, &settings) {
        let a = out.analysis;
        assert_eq!(first_non_finite(&a), None, "{}", a.circuit);
        let _ = report::write(&a, Style::Typeset);
    }
});
