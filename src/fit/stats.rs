//! Goodness of fit and parameter uncertainties at the optimum.
//!
//! With N fitted points (2N real residuals) and k adjusted parameters:
//! rss = Σ w ((Re Z_fit − Re Z)² + (Im Z_fit − Im Z)²),
//! χ²_red = rss / (2N − k), AIC = 2N ln(rss / 2N) + 2k, BIC = 2N ln(rss / 2N) + k ln 2N.
//!
//! k counts every parameter the fit adjusted: the free ones and those that ended at
//! a bound (an inductive CPE's α = −1 was chosen by the fit, so it costs what any
//! other fitted parameter costs). Only parameters the user fixed are not counted.
//!
//! The covariance is χ²_red (JᵀJ)⁻¹ with J the Jacobian of the weighted residuals
//! with respect to the free parameters in physical units, computed from the SVD of J
//! (never by forming JᵀJ, which squares the condition number); see [`covariance`].

use nalgebra::DMatrix;

/// Information criteria and residual measures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Criteria {
    pub rss: f64,
    pub chi2_reduced: f64,
    pub aic: f64,
    pub bic: f64,
}

/// Criteria of a fit of `n_points` complex points with `n_adjusted` adjusted
/// parameters (free or ended at a bound; not the user-fixed ones). The same count is
/// the penalty in AIC and BIC and the parameters subtracted from 2N in χ²_red's
/// degrees of freedom.
pub fn criteria(rss: f64, n_points: usize, n_adjusted: usize) -> Criteria {
    let m = 2.0 * n_points as f64;
    let dof = (2 * n_points).saturating_sub(n_adjusted).max(1) as f64;
    // A noise-free fit can reach rss = 0; keep the logarithm finite.
    let log_term = m * (rss.max(f64::MIN_POSITIVE) / m).ln();
    Criteria {
        rss,
        chi2_reduced: rss / dof,
        aic: log_term + 2.0 * n_adjusted as f64,
        bic: log_term + n_adjusted as f64 * m.ln(),
    }
}

/// χ²_red (JᵀJ)⁻¹ for the m × p weighted Jacobian J, or `None` when the parameters
/// are not identifiable from the data.
///
/// As scipy's `curve_fit`: the columns of J are first scaled to unit norm (so the
/// test below means the same whatever the parameters' units, ohm next to farad),
/// then the thin SVD J_s = U S Vᵀ gives (J_sᵀJ_s)⁻¹ = V S⁻² Vᵀ, which is unscaled
/// back to physical units. Cutoff: a singular value s_i ≤ ε · max(m, p) · s_max
/// (ε = 2.2e−16, the f64 machine epsilon) means a direction in parameter space the
/// data do not determine. scipy drops such directions; here it means the
/// parameters are not identifiable, and the answer is `None` (no standard errors),
/// never a covariance with a direction silently left out.
pub fn covariance(jacobian: &DMatrix<f64>, chi2_reduced: f64) -> Option<DMatrix<f64>> {
    let (m, p) = jacobian.shape();
    if p == 0 {
        return Some(DMatrix::zeros(0, 0));
    }
    if m < p || !chi2_reduced.is_finite() {
        return None;
    }
    let norms: Vec<f64> = (0..p).map(|j| jacobian.column(j).norm()).collect();
    if norms.iter().any(|n| !(n.is_finite() && *n > 0.0)) {
        return None;
    }
    let mut scaled = jacobian.clone();
    for (j, n) in norms.iter().enumerate() {
        scaled.column_mut(j).unscale_mut(*n);
    }
    if scaled.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let svd = scaled.try_svd(false, true, f64::EPSILON, 10_000)?;
    let v_t = svd.v_t?;
    let s = &svd.singular_values;
    let s_max = s.iter().copied().fold(0.0, f64::max);
    let cutoff = f64::EPSILON * m.max(p) as f64 * s_max;
    if s.len() != p || s.iter().any(|&si| !(si > cutoff)) {
        return None;
    }
    // V S⁻² Vᵀ = Σ_i v_i v_iᵀ / s_i², with v_i the rows of Vᵀ.
    let mut cov = DMatrix::zeros(p, p);
    for (i, &si) in s.iter().enumerate() {
        let v = v_t.row(i);
        cov += v.transpose() * v / (si * si);
    }
    for i in 0..p {
        for j in 0..p {
            cov[(i, j)] *= chi2_reduced / (norms[i] * norms[j]);
        }
    }
    cov.iter().all(|v| v.is_finite()).then_some(cov)
}

/// Correlation matrix from a covariance matrix.
pub fn correlation(cov: &DMatrix<f64>) -> DMatrix<f64> {
    let p = cov.ncols();
    DMatrix::from_fn(p, p, |i, j| {
        let d = (cov[(i, i)] * cov[(j, j)]).sqrt();
        if d > 0.0 {
            cov[(i, j)] / d
        } else if i == j {
            1.0
        } else {
            0.0
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn criteria_follow_the_definitions() {
        let c = criteria(2.0, 10, 3);
        assert!((c.chi2_reduced - 2.0 / 17.0).abs() < 1e-15);
        assert!((c.aic - (20.0 * (0.1f64).ln() + 6.0)).abs() < 1e-12);
        assert!((c.bic - (20.0 * (0.1f64).ln() + 3.0 * 20f64.ln())).abs() < 1e-12);
        assert!(criteria(0.0, 10, 3).bic.is_finite());
    }

    #[test]
    fn covariance_of_a_straight_line_fit() {
        // y = a + b x, unit weights: cov = σ² (XᵀX)⁻¹ with XᵀX = [[n, Σx], [Σx, Σx²]].
        let xs = [0.0, 1.0, 2.0, 3.0, 4.0];
        let jac = DMatrix::from_fn(5, 2, |i, j| if j == 0 { 1.0 } else { xs[i] });
        let cov = covariance(&jac, 0.5).unwrap();
        // n = 5, Σx = 10, Σx² = 30, det = 50: inverse = [[30, −10], [−10, 5]] / 50.
        assert!((cov[(0, 0)] - 0.5 * 0.6).abs() < 1e-12);
        assert!((cov[(1, 1)] - 0.5 * 0.1).abs() < 1e-12);
        assert!((cov[(0, 1)] + 0.5 * 0.2).abs() < 1e-12);
        let corr = correlation(&cov);
        assert!((corr[(0, 1)] + 0.2 / (0.6f64 * 0.1).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn covariance_is_chi2_times_the_inverse_of_jtj() {
        // A well-conditioned 8 × 3 Jacobian whose columns differ in scale by 1e8
        // (ohm next to farad): χ²_red (JᵀJ)⁻¹ by an explicit LU inverse.
        let scale = [2.0e2, 1.0, 3.0e-6];
        let jac = DMatrix::from_fn(8, 3, |i, j| {
            let x = i as f64 / 7.0;
            scale[j] * [1.0 + 0.1 * x, (2.0 * x).sin(), x * x - 0.3][j]
        });
        let chi2 = 0.37;
        let expected = (jac.transpose() * &jac).try_inverse().unwrap() * chi2;
        let cov = covariance(&jac, chi2).unwrap();
        for i in 0..3 {
            for j in 0..3 {
                let tol = 1e-9 * (expected[(i, i)] * expected[(j, j)]).sqrt();
                assert!(
                    (cov[(i, j)] - expected[(i, j)]).abs() <= tol,
                    "{i} {j}: {cov} vs {expected}"
                );
            }
            let (se, se_expected) = (cov[(i, i)].sqrt(), expected[(i, i)].sqrt());
            assert!((se - se_expected).abs() <= 1e-6 * se_expected);
        }
    }

    #[test]
    fn svd_gives_the_covariance_where_jtj_has_lost_it() {
        // J = H₄[:, :2] diag(1, s) H₂ with s = 2⁻³⁰ (condition number 1.07e9), exact in
        // f64: H₄[:, :2]/2 and H₂/√2 have orthonormal columns, so
        // (JᵀJ)⁻¹ = H₂ diag(1, 1/s²) H₂ / 16 exactly. JᵀJ = 4 H₂ diag(1, s²) H₂ has
        // condition number 1.1e18: 1 ± s² rounds to 1, and the computed JᵀJ is exactly
        // singular.
        let s = 2f64.powi(-30);
        let h4 = DMatrix::from_row_slice(4, 2, &[1.0, 1.0, 1.0, -1.0, 1.0, 1.0, 1.0, -1.0]);
        let h2 = DMatrix::from_row_slice(2, 2, &[1.0, 1.0, 1.0, -1.0]);
        let jac = &h4 * DMatrix::from_diagonal(&nalgebra::DVector::from_vec(vec![1.0, s])) * &h2;
        let jtj = jac.transpose() * &jac;
        assert_eq!(jtj, DMatrix::from_element(2, 2, 4.0), "JᵀJ lost s² entirely");
        let smallest = nalgebra::SymmetricEigen::new(jtj).eigenvalues.min();
        // The true smallest eigenvalue is 8 s² ≈ 7e−18; the computed one is not even close.
        assert!(
            (smallest - 8.0 * s * s).abs() >= 0.5 * 8.0 * s * s,
            "the eig route has no digit left: {smallest:e}"
        );

        let chi2 = 2.5;
        let cov = covariance(&jac, chi2).unwrap();
        let (big, small) = (chi2 * (1.0 + 1.0 / (s * s)) / 16.0, chi2 * (1.0 - 1.0 / (s * s)) / 16.0);
        for (i, j, want) in [(0, 0, big), (1, 1, big), (0, 1, small), (1, 0, small)] {
            let err = (cov[(i, j)] - want).abs() / want.abs();
            println!("cov[{i}{j}]: relative error {err:e}");
            assert!(err < 1e-6, "cov[{i}{j}] = {} vs {want}: {err:e}", cov[(i, j)]);
        }
    }

    #[test]
    fn fewer_residuals_than_parameters_give_no_covariance() {
        let jac = DMatrix::from_row_slice(1, 2, &[1.0, 2.0]);
        assert!(covariance(&jac, 1.0).is_none());
        assert!(covariance(&DMatrix::zeros(3, 0), 1.0).is_some());
    }

    #[test]
    fn unidentifiable_parameters_give_no_covariance() {
        let jac = DMatrix::from_fn(4, 2, |i, _| i as f64 + 1.0);
        assert!(covariance(&jac, 1.0).is_none());
    }
}
