//! The best residuals a long multistart reaches on the real spectra, for the goal test
//! of the global search (tests/global_search.rs), written to
//! tests/data/global_search_reference.csv:
//!
//!     cargo run --release --example reference_residuals > tests/data/global_search_reference.csv
//!
//! It is meant to be independent of the search it checks: its own sampler (SplitMix64,
//! another seed), wider ranges (every capacitive element's |Z| drawn at a random
//! frequency a decade beyond the window on either side, over six decades of size),
//! and about 80 times as many starts as the search's budget, each one plain descent
//! (`single_start`) from values passed as `init`.

use sigmafit::circuit::{Bounds, Circuit, ParamKind};
use sigmafit::fit::{FitOptions, Weighting, fit};
use sigmafit::spectrum::parse_spectrum;
use std::f64::consts::TAU;

/// (spectrum, circuit) pairs of issue 11.
pub const CASES: [(&str, &str); 10] = [
    ("dummy_R_RC_circuit2", "R0-p(R1,CPE1)"),
    ("dummy_R_RC_circuit2", "R0-p(R1,C1)"),
    ("dummy_R_RC_circuit2", "L0-R0-p(R1,CPE1)"),
    ("dummy_R_RC_circuit3", "R0-p(R1,CPE1)"),
    ("li_ion_cell_exampleData", "L0-R0-p(R1,CPE1)-p(R2,CPE2)-W1"),
    ("battery_autolab", "L0-R0-p(R1,CPE1)"),
    ("gamry_arc_tail", "R0-p(R1,CPE1)-p(R2,CPE2)"),
    ("versastudio_two_arcs", "R0-p(R1,CPE1)-p(R2,CPE2)"),
    ("powersuite_highZ_MHz", "R0-p(R1,CPE1)-p(R2,CPE2)"),
    ("chi_capacitive_tail", "R0-p(R1,CPE1)-CPE2"),
];

const STARTS: usize = 4000;

struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
    fn log_between(&mut self, lo: f64, hi: f64) -> f64 {
        (lo.ln() + self.next() * (hi.ln() - lo.ln())).exp()
    }
}

fn main() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/real");
    println!("# cargo run --release --example reference_residuals ({STARTS} starts per row, seed 20261127)");
    println!("spectrum,circuit,weighting,best_rss,starts_within_1e-6");
    for (name, text) in CASES {
        let path = format!("{dir}/{name}.csv");
        let file = std::fs::read_to_string(&path).expect("the spectra are in the repository");
        let spectrum = parse_spectrum(&file, name).expect("the spectra import");
        let circuit = Circuit::parse(text).expect("the circuits parse");
        let omega: Vec<f64> = spectrum.freq_hz.iter().map(|f| TAU * f).collect();
        let w_lo = omega.iter().copied().fold(f64::INFINITY, f64::min) / 10.0;
        let w_hi = omega.iter().copied().fold(0.0, f64::max) * 10.0;
        let z_max = spectrum.z.iter().map(|z| z.norm()).fold(0.0, f64::max);
        for weighting in [Weighting::Unit, Weighting::Modulus] {
            let mut random = SplitMix(20261127);
            let mut rss_all = Vec::with_capacity(STARTS);
            for _ in 0..STARTS {
                let specs = circuit.params();
                let mut values = vec![0.0; specs.len()];
                // α first: Q is drawn through |Z_CPE| at a random frequency, which needs α.
                for (i, spec) in specs.iter().enumerate() {
                    if let Bounds::Interval { lo, hi } = spec.bounds {
                        values[i] = lo + (0.01 + 0.98 * random.next()) * (hi - lo);
                    }
                }
                for (i, spec) in specs.iter().enumerate() {
                    let size = random.log_between(z_max * 1e-4, z_max * 1e2);
                    let at = random.log_between(w_lo, w_hi);
                    values[i] = match spec.kind {
                        ParamKind::Resistance => random.log_between(z_max * 1e-4, z_max * 10.0),
                        ParamKind::Capacitance => 1.0 / (at * size),
                        ParamKind::Inductance => size / at,
                        ParamKind::CpeQ => 1.0 / (size * at.powf(values[i + 1])),
                        ParamKind::WarburgSigma => size * (at / 2.0).sqrt(),
                        ParamKind::CpeAlpha => values[i],
                    };
                }
                let options = FitOptions {
                    weighting,
                    init: specs.iter().map(|p| p.name.clone()).zip(values).collect(),
                    single_start: true,
                    ..FitOptions::default()
                };
                if let Ok(result) = fit(&spectrum, &circuit, None, &options)
                    && result.stats.rss.is_finite()
                {
                    rss_all.push(result.stats.rss);
                }
            }
            let best = rss_all.iter().copied().fold(f64::INFINITY, f64::min);
            let hits = rss_all.iter().filter(|&&r| r <= best * (1.0 + 1e-6)).count();
            println!("{name},{text},{},{best:.9e},{hits}", weighting.name());
        }
    }
}
