//! Synthetic spectra with known truth, for tests, benchmarks and the page's
//! bundled examples: a log-spaced frequency grid and reproducible noise.

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

#[cfg(test)]
mod tests {
    use super::*;

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
