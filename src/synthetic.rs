//! Synthetic spectra with known truth, for tests, benchmarks and the page's
//! bundled examples: a log-spaced frequency grid and reproducible noise.

use crate::circuit::Circuit;
use crate::preset::Preset;
use crate::spectrum::{ImportError, Spectrum};
use num_complex::Complex64;
use std::f64::consts::TAU;

/// `per_decade` points per decade from `f_high` down to `f_low` (Hz), both included
/// when they are a whole number of decades apart. Highest frequency first, as
/// instruments sweep.
pub fn decade_grid(f_high: f64, f_low: f64, per_decade: usize) -> Vec<f64> {
    if !(f_high > f_low && f_low > 0.0) || per_decade == 0 {
        return Vec::new();
    }
    let steps = ((f_high / f_low).log10() * per_decade as f64).round() as usize;
    (0..=steps)
        .map(|i| f_high * 10f64.powf(-(i as f64) / per_decade as f64))
        .collect()
}

/// Reproducible Gaussian noise: xorshift64 with a Box–Muller transform.
#[derive(Debug, Clone)]
pub struct Noise(u64);

impl Noise {
    /// A generator from a seed (0 is replaced: xorshift would stay at 0).
    pub fn new(seed: u64) -> Noise {
        Noise(if seed == 0 { 0x9E37_79B9_7F4A_7C15 } else { seed })
    }

    /// Uniform in (0, 1).
    pub fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        ((self.0 >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Standard normal.
    pub fn gauss(&mut self) -> f64 {
        (-2.0 * self.uniform().ln()).sqrt() * (TAU * self.uniform()).cos()
    }

    /// `z` plus complex noise proportional to |z|: both parts get N(0, (level·|z|)²),
    /// which is what modulus weighting assumes.
    pub fn proportional(&mut self, z: Complex64, level: f64) -> Complex64 {
        z + z.norm() * level * Complex64::new(self.gauss(), self.gauss())
    }
}

/// `z` on the study's window (1 MHz down to 0.1 Hz, 10 points per decade), with
/// proportional noise `(level, seed)` where given.
pub fn window_spectrum(
    name: &str,
    z: impl Fn(f64) -> Complex64,
    noise: Option<(f64, u64)>,
) -> Result<Spectrum, ImportError> {
    let f = decade_grid(1e6, 0.1, 10);
    let mut rng = Noise::new(noise.map_or(1, |n| n.1));
    let values: Vec<Complex64> = f
        .iter()
        .map(|&fi| match noise {
            Some((level, _)) => rng.proportional(z(fi), level),
            None => z(fi),
        })
        .collect();
    Spectrum::from_points(name, &f, &values)
}

/// The study's two kinds of spectrum as CSV text (frequency, Z', Z''; 71 points, 0.5 %
/// noise): a pellet of σ_eff about 1e-2 S/cm, R_con = 10 Ω behind the cables' inductive
/// CPE (case (a)), and one of about 1e-4 S/cm with an interparticle semicircle, R1 =
/// 40 Ω and R2 = 960 Ω (case (b)). The page fits them to warm its code up.
pub fn study_cases_csv() -> [String; 2] {
    let inductive = Preset::Inductive.circuit();
    // |Z_CPE0| = 3 Ω at 1 MHz.
    let q_inductive = 1.0 / (3.0 * (TAU * 1e6).powf(-0.95));
    let semicircle = Preset::Semicircle.circuit();
    let cases: [(&Circuit, [f64; 4]); 2] = [
        (&inductive, [10.0, q_inductive, -0.95, 0.0]),
        (&semicircle, [40.0, 960.0, 7.85e-9, 0.9]),
    ];
    cases.map(|(circuit, params)| {
        let mut rng = Noise::new(7);
        decade_grid(1e6, 0.1, 10)
            .iter()
            .map(|&f| {
                let z = rng.proportional(circuit.impedance(TAU * f, &params[..circuit.params().len()]), 0.005);
                format!("{f},{},{}\n", z.re, z.im)
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_study_cases_fit_to_their_truth() {
        use crate::analysis::analyse;
        use crate::preset::Kind;
        use crate::settings::SettingsInput;
        let settings = SettingsInput::default().resolve().unwrap();
        let [inductive, semicircle] = study_cases_csv();
        for (text, kind, r_con) in [
            (inductive, Kind::Inductive, 10.0),
            (semicircle, Kind::Semicircle, 1000.0),
        ] {
            let spectrum = crate::spectrum::parse_spectrum(&text, "case.csv").unwrap();
            assert_eq!(spectrum.len(), 71);
            let analysis = analyse(&spectrum, &settings).unwrap().analysis;
            assert_eq!(analysis.kind, kind);
            let fitted = analysis.r_con_ohm.unwrap().value;
            assert!((fitted / r_con - 1.0).abs() < 0.01, "{kind:?}: R_con {fitted}");
        }
    }

    #[test]
    fn grid_spans_the_decades() {
        let f = decade_grid(1e6, 0.1, 10);
        assert_eq!(f.len(), 71);
        assert_eq!(f[0], 1e6);
        assert!((f[70] / 0.1 - 1.0).abs() < 1e-12);
        assert!(decade_grid(1.0, 2.0, 10).is_empty());
    }

    #[test]
    fn noise_has_unit_variance_and_repeats() {
        let mut a = Noise::new(7);
        let samples: Vec<f64> = (0..20_000).map(|_| a.gauss()).collect();
        let mean = samples.iter().sum::<f64>() / samples.len() as f64;
        let var = samples.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / samples.len() as f64;
        assert!(mean.abs() < 0.03 && (var - 1.0).abs() < 0.04, "{mean} {var}");
        assert_eq!(Noise::new(7).gauss(), Noise::new(7).gauss());
    }
}
