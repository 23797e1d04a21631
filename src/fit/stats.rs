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
//! with respect to the free parameters in physical units.

use nalgebra::{DMatrix, SymmetricEigen};

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

/// χ²_red (JᵀJ)⁻¹, or `None` when the parameters are not identifiable from the
/// data (JᵀJ singular to working precision).
pub fn covariance(jacobian: &DMatrix<f64>, chi2_reduced: f64) -> Option<DMatrix<f64>> {
    let p = jacobian.ncols();
    if p == 0 {
        return Some(DMatrix::zeros(0, 0));
    }
    // Scale columns to unit norm so the conditioning test means something whatever
    // the parameters' units (ohm next to farad).
    let norms: Vec<f64> = (0..p).map(|j| jacobian.column(j).norm()).collect();
    if norms.iter().any(|n| !(n.is_finite() && *n > 0.0)) {
        return None;
    }
    let mut scaled = jacobian.clone();
    for (j, n) in norms.iter().enumerate() {
        scaled.column_mut(j).unscale_mut(*n);
    }
    let jtj = scaled.transpose() * &scaled;
    let eigen = SymmetricEigen::new(jtj);
    let largest = eigen.eigenvalues.iter().copied().fold(0.0, f64::max);
    if eigen.eigenvalues.iter().any(|&l| !(l > largest * 1e-14)) {
        return None;
    }
    let inverse_diag = eigen.eigenvalues.map(|l| 1.0 / l);
    let inverse = &eigen.eigenvectors * DMatrix::from_diagonal(&inverse_diag) * eigen.eigenvectors.transpose();
    let mut cov = inverse * chi2_reduced;
    for i in 0..p {
        for j in 0..p {
            cov[(i, j)] /= norms[i] * norms[j];
        }
    }
    Some(cov)
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
    fn unidentifiable_parameters_give_no_covariance() {
        let jac = DMatrix::from_fn(4, 2, |i, _| i as f64 + 1.0);
        assert!(covariance(&jac, 1.0).is_none());
    }
}
