//! Numerics of the fit checked against values known independently of the crate:
//! information criteria from their definitions.

use num_complex::Complex64;
use sigmafit::fit::{FitOptions, ParamStatus, fit};
use sigmafit::preset::Preset;
use sigmafit::spectrum::Spectrum;
use sigmafit::synthetic::{Noise, decade_grid};
use std::f64::consts::{FRAC_PI_2, TAU};

fn spectrum(z: impl Fn(f64) -> Complex64, noise: Option<(f64, u64)>) -> Spectrum {
    let f = decade_grid(1e6, 0.1, 10);
    let mut rng = Noise::new(noise.map_or(1, |n| n.1));
    let values: Vec<Complex64> = f
        .iter()
        .map(|&fi| match noise {
            Some((level, _)) => rng.proportional(z(fi), level),
            None => z(fi),
        })
        .collect();
    Spectrum::from_points("numerics", &f, &values).unwrap()
}

/// Z = R0 + 1/(Q (iω)^α).
fn inductive_z(f: f64, r: f64, q: f64, alpha: f64) -> Complex64 {
    let w = TAU * f;
    Complex64::new(r, 0.0) + 1.0 / (q * Complex64::from_polar(w.powf(alpha), alpha * FRAC_PI_2))
}

#[test]
fn bic_counts_a_cpe_alpha_that_ended_at_its_bound() {
    // A pure inductance (α = −1) behind 1.3 Ω: the inductive fit ends with α held at −1.
    let (r, alpha) = (1.3, -1.0);
    let q = (TAU * 1e6).powf(-alpha) / r;
    let s = spectrum(|f| inductive_z(f, r, q, alpha), Some((1e-3, 7)));
    let result = fit(
        &s,
        &Preset::Inductive.circuit(),
        Some(Preset::Inductive),
        &FitOptions::default(),
    )
    .unwrap();
    let a = result.estimate("CPE0.alpha").unwrap();
    assert_eq!(a.status, ParamStatus::AtLowerBound, "{:?}", result.params);
    assert_eq!(a.value, -1.0);

    let st = &result.stats;
    let n = s.len() as f64;
    assert_eq!(st.n_points, s.len());
    assert!(st.rss > 0.0, "noisy data leave a residual");
    // k = R0, Q and α: all three were adjusted by the fit.
    let k = 3.0;
    let m = 2.0 * n;
    let bic = m * (st.rss / m).ln() + k * m.ln();
    let aic = m * (st.rss / m).ln() + 2.0 * k;
    assert!((st.bic - bic).abs() <= 1e-12 * bic.abs(), "BIC {} vs {bic}", st.bic);
    assert!((st.aic - aic).abs() <= 1e-12 * aic.abs(), "AIC {} vs {aic}", st.aic);
    assert!((st.chi2_reduced - st.rss / (m - k)).abs() <= 1e-15 * st.chi2_reduced);
    assert_eq!((st.n_free, st.n_adjusted), (2, 3));
    println!(
        "alpha at -1: BIC {} (counting only the free parameters would give {})",
        st.bic,
        st.bic - m.ln()
    );

    // A parameter the user fixed is not counted.
    let options = FitOptions {
        fix: vec![("CPE0.alpha".into(), -1.0)],
        ..FitOptions::default()
    };
    let held = fit(&s, &Preset::Inductive.circuit(), Some(Preset::Inductive), &options).unwrap();
    assert_eq!(held.estimate("CPE0.alpha").unwrap().status, ParamStatus::Fixed);
    let st = &held.stats;
    let bic = m * (st.rss / m).ln() + 2.0 * m.ln();
    assert!((st.bic - bic).abs() <= 1e-12 * bic.abs(), "BIC {} vs {bic}", st.bic);
    assert_eq!((st.n_free, st.n_adjusted), (2, 2));
}
