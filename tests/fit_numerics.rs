//! Numerics of the fit checked against values known independently of the crate:
//! information criteria from their definitions, standard errors from a Jacobian
//! written out by hand, propagated errors from analytic gradients.

use nalgebra::{DMatrix, DVector};
use num_complex::Complex64;
use sigmafit::attribution::effective_capacitance;
use sigmafit::fit::{FitOptions, FitResult, ParamStatus, Weighting, fit};
use sigmafit::preset::Preset;
use sigmafit::spectrum::Spectrum;
use sigmafit::synthetic::window_spectrum;
use std::f64::consts::{FRAC_PI_2, TAU};

fn spectrum(z: impl Fn(f64) -> Complex64, noise: Option<(f64, u64)>) -> Spectrum {
    window_spectrum("numerics", z, noise).unwrap()
}

/// Z = R0 + 1/(Q (iω)^α).
fn inductive_z(f: f64, r: f64, q: f64, alpha: f64) -> Complex64 {
    let w = TAU * f;
    Complex64::new(r, 0.0) + 1.0 / (q * Complex64::from_polar(w.powf(alpha), alpha * FRAC_PI_2))
}

/// Z = R1 + 1/(1/R2 + Q (iω)^α).
fn semicircle_z(f: f64, r1: f64, r2: f64, q: f64, alpha: f64) -> Complex64 {
    let w = TAU * f;
    Complex64::new(r1, 0.0) + 1.0 / (1.0 / r2 + q * Complex64::from_polar(w.powf(alpha), alpha * FRAC_PI_2))
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

/// Z = R1 + R2/(1 + iωR2C) and its derivatives, written out by hand.
fn rc_model(w: f64, r1: f64, r2: f64, c: f64) -> (Complex64, [Complex64; 3]) {
    let d = Complex64::new(1.0, w * r2 * c);
    let z = r1 + r2 / d;
    let dr2 = 1.0 / (d * d);
    let dc = Complex64::new(0.0, -w * r2 * r2) / (d * d);
    (z, [Complex64::new(1.0, 0.0), dr2, dc])
}

#[test]
fn standard_errors_are_chi2_times_the_inverse_of_jtj() {
    let (r1, r2, c) = (40.0, 2.0e3, 5.0e-9);
    for (weighting, seed) in [(Weighting::Unit, 3), (Weighting::Modulus, 11)] {
        let s = spectrum(|f| rc_model(TAU * f, r1, r2, c).0, Some((2e-3, seed)));
        let options = FitOptions {
            weighting,
            ..FitOptions::default()
        };
        let result = fit(&s, &Preset::SemicircleC.circuit(), Some(Preset::SemicircleC), &options).unwrap();
        let v = &result.values;
        // J of the weighted residuals, 2N × 3, and the rss, from the hand-written model.
        let mut jac = DMatrix::zeros(2 * s.len(), 3);
        let mut rss = 0.0;
        for (k, (&f, &z)) in s.freq_hz.iter().zip(&s.z).enumerate() {
            let w = match weighting {
                Weighting::Unit => 1.0,
                Weighting::Modulus => 1.0 / z.norm(),
            };
            let (model, grad) = rc_model(TAU * f, v[0], v[1], v[2]);
            rss += w * w * (model - z).norm_sqr();
            for (j, g) in grad.iter().enumerate() {
                jac[(2 * k, j)] = w * g.re;
                jac[(2 * k + 1, j)] = w * g.im;
            }
        }
        let chi2 = rss / (2.0 * s.len() as f64 - 3.0);
        assert!((result.stats.chi2_reduced - chi2).abs() <= 1e-9 * chi2);
        let cov = (jac.transpose() * &jac).try_inverse().unwrap() * chi2;
        for (i, p) in result.params.iter().enumerate() {
            let expected = cov[(i, i)].sqrt();
            let se = p.stderr.unwrap();
            assert!(
                (se - expected).abs() <= 1e-6 * expected,
                "{}: {se} vs {expected}",
                p.name
            );
        }
    }
}

/// A semicircle fit whose covariance is then used at chosen parameter values.
fn semicircle_fit() -> FitResult {
    let s = spectrum(|f| semicircle_z(f, 30.0, 3.0e3, 3.0e-9, 0.9), Some((1e-3, 5)));
    let result = fit(
        &s,
        &Preset::Semicircle.circuit(),
        Some(Preset::Semicircle),
        &FitOptions::default(),
    )
    .unwrap();
    assert!(result.params.iter().all(|p| p.status == ParamStatus::Free));
    result
}

fn quadratic_form(g: &[f64], cov: &DMatrix<f64>) -> f64 {
    let g = DVector::from_column_slice(g);
    (g.transpose() * cov * &g)[(0, 0)].sqrt()
}

#[test]
fn propagated_error_of_a_sum_is_exact() {
    let result = semicircle_fit();
    let cov = result.covariance.clone().unwrap();
    let se = result.propagate(|v| Some(v[0] + v[1])).unwrap();
    let expected = quadratic_form(&[1.0, 1.0, 0.0, 0.0], &cov);
    assert!((se - expected).abs() <= 1e-8 * expected, "{se} vs {expected}");
}

#[test]
fn propagated_c_eff_matches_the_analytic_gradient_up_to_the_alpha_bound() {
    let mut result = semicircle_fit();
    let cov = result.covariance.clone().unwrap();
    let (r, q) = (result.values[1], result.values[2]);
    // α = 0.9999995 lies closer to its bound 1 than any central step; Hsu–Mansfeld's
    // C_eff is undefined for α > 1, so only a difference that stays inside can work.
    for alpha in [0.9, 0.999, 0.9999995, 1.0] {
        result.values[3] = alpha;
        let se = result
            .propagate(|v| effective_capacitance(v[2], v[3], v[1]))
            .unwrap_or_else(|| panic!("no propagated error at α = {alpha}"));
        // C = (Q R^(1−α))^(1/α): ∂C/∂R = C (1−α)/(αR), ∂C/∂Q = C/(αQ), ∂C/∂α = −C ln(QR)/α².
        let c_eff = (q * r.powf(1.0 - alpha)).powf(1.0 / alpha);
        let g = [
            0.0,
            c_eff * (1.0 - alpha) / (alpha * r),
            c_eff / (alpha * q),
            -c_eff * (q * r).ln() / (alpha * alpha),
        ];
        let expected = quadratic_form(&g, &cov);
        let err = (se - expected).abs() / expected;
        println!("α = {alpha}: σ(C_eff) = {se:e}, analytic {expected:e}, relative difference {err:e}");
        assert!(err <= 1e-7, "α = {alpha}: {se} vs {expected} ({err:e})");
    }
}

#[test]
fn propagation_steps_stay_inside_a_positive_parameter() {
    // A derived quantity defined only for R > 0, at R just above 0 and far above it.
    let mut result = semicircle_fit();
    let cov = result.covariance.clone().unwrap();
    for r1 in [1e-12, 30.0, 1e9] {
        result.values[0] = r1;
        let se = result
            .propagate(|v| (v[0] > 0.0).then(|| v[0].ln() + v[1]))
            .unwrap_or_else(|| panic!("no propagated error at R1 = {r1}"));
        let expected = quadratic_form(&[1.0 / r1, 1.0, 0.0, 0.0], &cov);
        assert!(
            (se - expected).abs() <= 1e-7 * expected,
            "R1 = {r1}: {se} vs {expected}"
        );
    }
}
