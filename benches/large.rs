//! Fit time against the number of points: the study's two kinds of spectrum (0.5 %
//! noise) on 1 000, 10 000 and 100 000 frequencies from 1 MHz to 0.1 Hz, each analysed
//! with `auto` (both circuits, the choice, the report's data), as the page and the
//! CLI do. The median of the rounds is printed with the time per point, and the
//! ratio of each size's time to the 1 000-point time measured in the same run, so
//! that a slower machine moves all of them alike.
//!
//! Run with `cargo bench --bench large`.

use num_complex::Complex64;
use sigmafit::analysis::{Settings, analyse};
use sigmafit::preset::Preset;
use sigmafit::spectrum::Spectrum;
use sigmafit::synthetic::Noise;
use std::f64::consts::TAU;
use std::hint::black_box;
use std::time::Instant;

fn spectrum(preset: Preset, truth: &[f64], points: usize) -> Spectrum {
    let circuit = preset.circuit();
    let mut noise = Noise::new(0x2545_F491_4F6C_DD1D);
    // Log-spaced from 1 MHz down to 0.1 Hz (7 decades).
    let f: Vec<f64> = (0..points)
        .map(|i| 1e6 * 10f64.powf(-7.0 * i as f64 / (points - 1) as f64))
        .collect();
    let z: Vec<Complex64> = f
        .iter()
        .map(|&fi| noise.proportional(circuit.impedance(TAU * fi, truth), 0.005))
        .collect();
    Spectrum::from_points(preset.name(), &f, &z).expect("valid points")
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn seconds(spectrum: &Spectrum, settings: &Settings) -> f64 {
    let start = Instant::now();
    let out = analyse(black_box(spectrum), settings).expect("a synthetic spectrum is analysed");
    black_box(out);
    start.elapsed().as_secs_f64()
}

fn main() {
    let settings = Settings::default();
    let cases = [
        ("inductive (a)", Preset::Inductive, vec![2.0, 1.0 / 3e-7, -0.95]),
        ("semicircle (b)", Preset::Semicircle, vec![40.0, 960.0, 2.1e-8, 0.9]),
    ];
    println!("auto analysis, median of rounds; ratio = time / time of 1 000 points in the same run");
    println!(
        "{:<16} {:>8} {:>7} {:>11} {:>12} {:>7}",
        "spectrum", "points", "rounds", "median s", "µs/point", "ratio"
    );
    for (label, preset, truth) in &cases {
        let mut reference = None;
        for (points, rounds) in [(1_000usize, 21usize), (10_000, 7), (100_000, 3)] {
            let s = spectrum(*preset, truth, points);
            let t = median((0..rounds).map(|_| seconds(&s, &settings)).collect());
            let base = *reference.get_or_insert(t);
            println!(
                "{label:<16} {points:>8} {rounds:>7} {t:>11.4} {:>12.2} {:>7.1}",
                t / points as f64 * 1e6,
                t / base
            );
        }
    }
}
