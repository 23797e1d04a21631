//! The complex nonlinear least-squares problem handed to Levenberg–Marquardt.
//!
//! Residuals are stacked `[w_k Re(Z_model − Z_k), w_k Im(Z_model − Z_k)]` for every
//! fitted point k. The solver works in unconstrained coordinates `u`: positive
//! parameters as `p = exp(u)`, bounded ones as `p = lo + (hi − lo)(1 + sin u)/2`,
//! so a bounded parameter can reach either end of its range.

use crate::circuit::{Bounds, Circuit};
use levenberg_marquardt::LeastSquaresProblem;
use nalgebra::{DMatrix, DVector, Dyn, Owned};
use num_complex::Complex64;
use std::cell::Cell;

/// Maps one parameter between physical and solver coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Transform {
    Log,
    Sine { lo: f64, hi: f64 },
}

/// |ln p| at most: p stays within 1e-300 .. 1e300.
const LOG_LIMIT: f64 = 690.0;

impl Transform {
    pub(crate) fn for_bounds(bounds: Bounds) -> Transform {
        match bounds {
            Bounds::Positive => Transform::Log,
            Bounds::Interval { lo, hi } => Transform::Sine { lo, hi },
        }
    }

    pub(crate) fn to_physical(self, u: f64) -> f64 {
        match self {
            Transform::Log => u.exp(),
            Transform::Sine { lo, hi } => lo + (hi - lo) * 0.5 * (1.0 + u.sin()),
        }
    }

    pub(crate) fn to_solver(self, p: f64) -> f64 {
        match self {
            Transform::Log => p.ln().clamp(-LOG_LIMIT, LOG_LIMIT),
            Transform::Sine { lo, hi } => (2.0 * (p - lo) / (hi - lo) - 1.0).clamp(-1.0, 1.0).asin(),
        }
    }

    /// dp/du at u.
    pub(crate) fn slope(self, u: f64) -> f64 {
        match self {
            Transform::Log => u.exp(),
            Transform::Sine { lo, hi } => (hi - lo) * 0.5 * u.cos(),
        }
    }
}

/// Frequencies, data and weights of the points being fitted.
#[derive(Debug, Clone)]
pub(crate) struct FitData {
    pub omega: Vec<f64>,
    pub ln_omega: Vec<f64>,
    pub z: Vec<Complex64>,
    /// Square root of the weight of each point: 1/|Z_k| (modulus) or 1 (unit).
    pub sqrt_weight: Vec<f64>,
}

/// The solver's view: which parameters are free, how they are transformed,
/// and the values of the others.
pub(crate) struct CnlsProblem<'a> {
    pub circuit: &'a Circuit,
    pub data: &'a FitData,
    pub free: Vec<usize>,
    pub transforms: Vec<Transform>,
    /// All parameters in physical units; the free ones follow `u`.
    pub values: Vec<f64>,
    u: DVector<f64>,
    pub jacobian_evaluations: Cell<usize>,
}

/// Each free parameter's transform (from its bounds) and the solver's start `u`, the
/// free values mapped through them: the same for the full and the reduced problem.
fn solver_start(circuit: &Circuit, free: &[usize], values: &[f64]) -> (Vec<Transform>, DVector<f64>) {
    let transforms: Vec<Transform> = free
        .iter()
        .map(|&i| Transform::for_bounds(circuit.params()[i].bounds))
        .collect();
    let u = DVector::from_iterator(
        free.len(),
        free.iter().zip(&transforms).map(|(&i, t)| t.to_solver(values[i])),
    );
    (transforms, u)
}

impl<'a> CnlsProblem<'a> {
    pub fn new(circuit: &'a Circuit, data: &'a FitData, free: Vec<usize>, values: Vec<f64>) -> Self {
        let (transforms, u) = solver_start(circuit, &free, &values);
        CnlsProblem {
            circuit,
            data,
            free,
            transforms,
            values,
            u,
            jacobian_evaluations: Cell::new(0),
        }
    }

    /// Weighted residuals at the current values.
    pub fn residual_vector(&self) -> DVector<f64> {
        let n = self.data.omega.len();
        let mut r = DVector::zeros(2 * n);
        let model_at = self.circuit.at(&self.values);
        for k in 0..n {
            let model = model_at.impedance(self.data.omega[k], self.data.ln_omega[k]);
            let d = (model - self.data.z[k]) * self.data.sqrt_weight[k];
            r[2 * k] = d.re;
            r[2 * k + 1] = d.im;
        }
        r
    }

    /// Jacobian of the weighted residuals with respect to the physical values of
    /// the parameters listed in `columns` (indices into the circuit's parameters).
    pub fn physical_jacobian(&self, columns: &[usize]) -> DMatrix<f64> {
        let n = self.data.omega.len();
        let mut jac = DMatrix::zeros(2 * n, columns.len());
        let mut grad = vec![Complex64::new(0.0, 0.0); self.values.len()];
        let model_at = self.circuit.at(&self.values);
        for k in 0..n {
            model_at.impedance_and_gradient(self.data.omega[k], self.data.ln_omega[k], &mut grad);
            let w = self.data.sqrt_weight[k];
            for (col, &param) in columns.iter().enumerate() {
                jac[(2 * k, col)] = w * grad[param].re;
                jac[(2 * k + 1, col)] = w * grad[param].im;
            }
        }
        jac
    }
}

impl LeastSquaresProblem<f64, Dyn, Dyn> for CnlsProblem<'_> {
    type ResidualStorage = Owned<f64, Dyn>;
    type JacobianStorage = Owned<f64, Dyn, Dyn>;
    type ParameterStorage = Owned<f64, Dyn>;

    fn set_params(&mut self, u: &DVector<f64>) {
        // A parameter running off to 0 or ∞ in log space must stay representable,
        // or the next step starts from ln 0 = −∞.
        for (((&i, t), ui), stored) in self
            .free
            .iter()
            .zip(&self.transforms)
            .zip(u.iter())
            .zip(self.u.iter_mut())
        {
            *stored = ui.clamp(-LOG_LIMIT, LOG_LIMIT);
            self.values[i] = t.to_physical(*stored);
        }
    }

    fn params(&self) -> DVector<f64> {
        self.u.clone()
    }

    fn residuals(&self) -> Option<DVector<f64>> {
        let r = self.residual_vector();
        r.iter().all(|v| v.is_finite()).then_some(r)
    }

    fn jacobian(&self) -> Option<DMatrix<f64>> {
        self.jacobian_evaluations.set(self.jacobian_evaluations.get() + 1);
        let mut jac = self.physical_jacobian(&self.free);
        for (col, (t, &u)) in self.transforms.iter().zip(self.u.iter()).enumerate() {
            let slope = t.slope(u);
            jac.column_mut(col).scale_mut(slope);
        }
        jac.iter().all(|v| v.is_finite()).then_some(jac)
    }
}

/// The same least-squares problem handed to Levenberg–Marquardt in a smaller frame.
///
/// At every point u the stacked `[J | r]` (2N rows, one column per free parameter and
/// one for the residuals) is reduced by an orthogonal Q to `[R c; 0 s]` (R from the
/// Cholesky factor of its Gram matrix, or by Householder reflections), and
/// the solver sees the p + 1 rows `[R; 0]` and `(c, s)`. Q is orthogonal, so ‖r‖, JᵀJ,
/// Jᵀr, the column norms and ‖J δ‖ are those of the full problem and MINPACK's steps,
/// scaling and stopping rules are the same in exact arithmetic; but the solver's
/// pivoted QR and trust-region loop then work on p + 1 rows instead of 142 (they took
/// about 40 % of a fit), and the model and its Jacobian come from one pass over the
/// points instead of two. The factor is a deterministic function of u, so the solver's
/// residuals and Jacobian at the same u always share one frame.
pub(crate) struct CompactProblem<'a> {
    circuit: &'a Circuit,
    data: &'a FitData,
    free: Vec<usize>,
    transforms: Vec<Transform>,
    /// All parameters in physical units; the free ones follow `u`.
    pub values: Vec<f64>,
    u: DVector<f64>,
    /// The reduced problem at `u`, and at the point before it (the solver returns to it
    /// after a rejected last step).
    current: Reduced,
    previous: Reduced,
    /// Work space for `[J | r]`, column-major, 2N × (p + 1).
    stacked: Vec<f64>,
    /// Work space for the Gram matrix `[J | r]ᵀ[J | r]`, row-major, (p + 1)², upper
    /// triangle; its Cholesky factor overwrites it.
    gram: Vec<f64>,
    gradient: Vec<Complex64>,
    pub jacobian_evaluations: Cell<usize>,
}

/// A Jacobian column whose part independent of the columns before it holds less than
/// this share of its squared norm (an angle under 1e-4 rad) makes the Cholesky factor
/// too inexact; Householder reflections reduce that `[J | r]` instead.
const NEARLY_DEPENDENT: f64 = 1e-8;

/// The reduced residuals and Jacobian at `u`; `None` where they are not finite.
#[derive(Clone)]
struct Reduced {
    u: DVector<f64>,
    residuals: Option<DVector<f64>>,
    jacobian: Option<DMatrix<f64>>,
}

impl<'a> CompactProblem<'a> {
    pub fn new(circuit: &'a Circuit, data: &'a FitData, free: Vec<usize>, values: Vec<f64>) -> Self {
        let (transforms, u) = solver_start(circuit, &free, &values);
        let empty = Reduced {
            u: DVector::zeros(0),
            residuals: None,
            jacobian: None,
        };
        let mut problem = CompactProblem {
            circuit,
            data,
            stacked: vec![0.0; 2 * data.omega.len() * (free.len() + 1)],
            gram: vec![0.0; (free.len() + 1) * (free.len() + 1)],
            gradient: vec![Complex64::new(0.0, 0.0); values.len()],
            free,
            transforms,
            values,
            u,
            current: empty.clone(),
            previous: empty,
            jacobian_evaluations: Cell::new(0),
        };
        problem.reduce();
        problem
    }

    /// Evaluates `[J | r]` at `values` in one pass over the points and reduces it:
    /// by the Cholesky factor of its Gram matrix, which is R of its QR factorisation
    /// (up to signs) and costs one pass of products over the points, or by Householder
    /// reflections where that factor would be inexact (nearly dependent columns) or
    /// the products overflow.
    fn reduce(&mut self) {
        let rows = 2 * self.data.omega.len();
        let p = self.free.len();
        let width = p + 1;
        let slopes: Vec<f64> = self
            .transforms
            .iter()
            .zip(self.u.iter())
            .map(|(t, &u)| t.slope(u))
            .collect();
        let model_at = self.circuit.at(&self.values);
        let (jacobian_part, residual_part) = self.stacked.split_at_mut(rows * p);
        let points = self
            .data
            .omega
            .iter()
            .zip(&self.data.ln_omega)
            .zip(&self.data.z)
            .zip(&self.data.sqrt_weight);
        for (k, (((&omega, &ln_omega), &z), &w)) in points.enumerate() {
            let model = model_at.impedance_and_gradient(omega, ln_omega, &mut self.gradient);
            let d = (model - z) * w;
            residual_part[2 * k] = d.re;
            residual_part[2 * k + 1] = d.im;
            for ((column, &param), &slope) in jacobian_part.chunks_exact_mut(rows).zip(&self.free).zip(&slopes) {
                let g = self.gradient.get(param).copied().unwrap_or_default() * (w * slope);
                column[2 * k] = g.re;
                column[2 * k + 1] = g.im;
            }
        }
        for i in 0..width {
            let column_i = &self.stacked[i * rows..(i + 1) * rows];
            for j in i..width {
                self.gram[i * width + j] = dot(column_i, &self.stacked[j * rows..(j + 1) * rows]);
            }
        }
        let u = self.u.clone();
        if cholesky_upper(&mut self.gram, width) {
            let factor = |i: usize, j: usize| self.gram[i * width + j];
            let residuals = DVector::from_fn(width, |i, _| factor(i, p));
            let jacobian = DMatrix::from_fn(width, p, |i, j| if i <= j { factor(i, j) } else { 0.0 });
            self.current = Reduced {
                u,
                residuals: Some(residuals),
                jacobian: Some(jacobian),
            };
            return;
        }
        let (jacobian_part, residual_part) = self.stacked.split_at(rows * p);
        self.current = if !residual_part.iter().all(|v| v.is_finite()) {
            Reduced {
                u,
                residuals: None,
                jacobian: None,
            }
        } else if !jacobian_part.iter().all(|v| v.is_finite()) {
            // The norm alone keeps the solver's view of the misfit; the Jacobian is refused.
            let mut residuals = DVector::zeros(p + 1);
            residuals[p] = norm(residual_part);
            Reduced {
                u,
                residuals: Some(residuals),
                jacobian: None,
            }
        } else {
            householder_in_place(&mut self.stacked, rows, p + 1);
            let column = |j: usize| &self.stacked[j * rows..(j + 1) * rows];
            let residual_column = column(p);
            let mut residuals = DVector::zeros(p + 1);
            for (i, r) in residual_column.iter().take(p).enumerate() {
                residuals[i] = *r;
            }
            residuals[p] = norm(residual_column.get(p..).unwrap_or_default());
            let jacobian = DMatrix::from_fn(p + 1, p, |i, j| match column(j).get(i) {
                Some(&value) if i <= j => value,
                _ => 0.0,
            });
            let finite = residuals.iter().chain(jacobian.iter()).all(|v| v.is_finite());
            Reduced {
                u,
                residuals: finite.then_some(residuals),
                jacobian: finite.then_some(jacobian),
            }
        };
    }
}

/// Overwrites the upper triangle of the row-major `width` × `width` Gram matrix of
/// `[J | r]` with its Cholesky factor R (RᵀR = the Gram matrix): R's last column is then
/// Qᵀr and its corner ‖r − J J⁺ r‖, set to 0 where rounding leaves nothing. Returns
/// false, with the matrix spoilt, where an entry is not finite or a column of J is
/// [`NEARLY_DEPENDENT`] on those before it.
fn cholesky_upper(gram: &mut [f64], width: usize) -> bool {
    let p = width.saturating_sub(1);
    for j in 0..width {
        let original = gram[j * width + j];
        let mut pivot = original;
        for k in 0..j {
            pivot -= gram[k * width + j].powi(2);
        }
        if j < p {
            if !(pivot > NEARLY_DEPENDENT * original && original.is_finite()) {
                return false;
            }
        } else {
            pivot = pivot.max(0.0);
        }
        let diagonal = pivot.sqrt();
        gram[j * width + j] = diagonal;
        for i in j + 1..width {
            let mut value = gram[j * width + i];
            for k in 0..j {
                value -= gram[k * width + j] * gram[k * width + i];
            }
            gram[j * width + i] = value / diagonal;
        }
    }
    gram.iter().all(|v| v.is_finite())
}

/// Σ aᵢbᵢ in four running sums, which the processor can add side by side.
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let (quads_a, quads_b) = (a.chunks_exact(4), b.chunks_exact(4));
    let tail: f64 = quads_a
        .remainder()
        .iter()
        .zip(quads_b.remainder())
        .map(|(x, y)| x * y)
        .sum();
    let mut sums = [0.0; 4];
    for (x, y) in quads_a.zip(quads_b) {
        for ((sum, x), y) in sums.iter_mut().zip(x).zip(y) {
            *sum += x * y;
        }
    }
    (sums[0] + sums[2]) + (sums[1] + sums[3]) + tail
}

/// ‖x‖, scaled where the plain sum of squares would overflow or underflow.
fn norm(x: &[f64]) -> f64 {
    let sum: f64 = x.iter().map(|v| v * v).sum();
    if sum.is_finite() && sum > 1e-280 {
        return sum.sqrt();
    }
    let largest = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if largest == 0.0 || !largest.is_finite() {
        return largest;
    }
    largest * x.iter().map(|v| (v / largest).powi(2)).sum::<f64>().sqrt()
}

/// Householder QR of the column-major `rows` × `columns` matrix `a` in place, without
/// pivoting: reflections from the first `columns − 1` columns are applied to all, so
/// the upper triangle holds R and the last column Qᵀ times itself. Below the diagonal
/// is left unspecified. The reflector is scaled as LAPACK's dlarfg (v₀ = 1, |vᵢ| ≤ 1),
/// so that a far-off start (CPE Q at 1e260) overflows no sooner than the data do.
fn householder_in_place(a: &mut [f64], rows: usize, columns: usize) {
    for j in 0..columns.saturating_sub(1).min(rows) {
        let (done, rest) = a.split_at_mut((j + 1) * rows);
        let x = &mut done[j * rows + j..];
        let Some((head, tail)) = x.split_first_mut() else {
            continue;
        };
        let tail_length = norm(tail);
        if tail_length == 0.0 {
            continue;
        }
        let alpha = *head;
        let length = norm(&[alpha, tail_length]);
        let beta = if alpha > 0.0 { -length } else { length };
        let tau = (beta - alpha) / beta;
        let inverse = 1.0 / (alpha - beta);
        for v in tail.iter_mut() {
            *v *= inverse;
        }
        for later in rest.chunks_exact_mut(rows) {
            let Some((y_head, y_tail)) = later[j..].split_first_mut() else {
                continue;
            };
            let dot: f64 = tail.iter().zip(y_tail.iter()).map(|(v, y)| v * y).sum();
            let factor = tau * (*y_head + dot);
            *y_head -= factor;
            for (y, v) in y_tail.iter_mut().zip(tail.iter()) {
                *y -= factor * v;
            }
        }
        *head = beta;
    }
}

impl LeastSquaresProblem<f64, Dyn, Dyn> for CompactProblem<'_> {
    type ResidualStorage = Owned<f64, Dyn>;
    type JacobianStorage = Owned<f64, Dyn, Dyn>;
    type ParameterStorage = Owned<f64, Dyn>;

    fn set_params(&mut self, u: &DVector<f64>) {
        let clamped = u.map(|ui| ui.clamp(-LOG_LIMIT, LOG_LIMIT));
        if clamped == self.current.u {
            return;
        }
        if clamped == self.previous.u {
            std::mem::swap(&mut self.current, &mut self.previous);
        } else {
            std::mem::swap(&mut self.current, &mut self.previous);
            self.current.u = DVector::zeros(0);
        }
        for ((&i, t), &ui) in self.free.iter().zip(&self.transforms).zip(clamped.iter()) {
            self.values[i] = t.to_physical(ui);
        }
        self.u = clamped;
        if self.current.u != self.u {
            self.reduce();
        }
    }

    fn params(&self) -> DVector<f64> {
        self.u.clone()
    }

    fn residuals(&self) -> Option<DVector<f64>> {
        self.current.residuals.clone()
    }

    fn jacobian(&self) -> Option<DMatrix<f64>> {
        self.jacobian_evaluations.set(self.jacobian_evaluations.get() + 1);
        self.current.jacobian.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset::Preset;
    use levenberg_marquardt::differentiate_numerically;

    /// Points from 1 MHz to 0.1 Hz, data from the circuit at `truth`, weighted by modulus or not.
    fn data_from(circuit: &Circuit, truth: &[f64], modulus: bool) -> FitData {
        let omega: Vec<f64> = (0..36)
            .map(|k| std::f64::consts::TAU * 10f64.powf(6.0 - k as f64 / 5.0))
            .collect();
        let z: Vec<Complex64> = omega.iter().map(|&w| circuit.impedance(w, truth)).collect();
        FitData {
            ln_omega: omega.iter().map(|w| w.ln()).collect(),
            sqrt_weight: z.iter().map(|z| if modulus { 1.0 / z.norm() } else { 1.0 }).collect(),
            omega,
            z,
        }
    }

    /// The analytic Jacobian of the solver's problem (in solver coordinates, through the
    /// transforms) against the crate's finite differences, column by column.
    fn assert_jacobian_matches(circuit: &Circuit, truth: &[f64], points: &[Vec<f64>]) -> f64 {
        let mut worst: f64 = 0.0;
        for modulus in [true, false] {
            let data = data_from(circuit, truth, modulus);
            for values in points {
                let free: Vec<usize> = (0..values.len()).collect();
                let mut problem = CnlsProblem::new(circuit, &data, free, values.clone());
                let analytic = problem.jacobian().unwrap();
                let numeric = differentiate_numerically(&mut problem).unwrap();
                for (back, v) in problem.values.iter().zip(values) {
                    assert!(
                        (back - v).abs() <= 1e-14 * v.abs(),
                        "finite differences must restore the point"
                    );
                }
                for j in 0..analytic.ncols() {
                    let scale = analytic.column(j).norm();
                    assert!(scale > 0.0);
                    let err = (analytic.column(j) - numeric.column(j)).amax() / scale;
                    worst = worst.max(err);
                    assert!(
                        err < 1e-6,
                        "{} column {} ({}) at {values:?}, modulus {modulus}: {err:e}",
                        circuit.text(),
                        j,
                        circuit.params()[j].name
                    );
                }
            }
        }
        worst
    }

    #[test]
    fn jacobian_of_the_inductive_preset_matches_finite_differences() {
        let circuit = Preset::Inductive.circuit();
        let truth = [1.3, 2.0e5, -0.93];
        let worst = assert_jacobian_matches(
            &circuit,
            &truth,
            &[
                vec![1.3, 2.0e5, -0.93],
                vec![0.7, 5.0e4, -0.6],
                vec![3.0, 1.0e6, -0.995],
            ],
        );
        println!("inductive: worst relative column error {worst:e}");
    }

    #[test]
    fn jacobian_of_the_semicircle_preset_matches_finite_differences() {
        let circuit = Preset::Semicircle.circuit();
        let truth = [20.0, 1.0e4, 3.0e-9, 0.85];
        let worst = assert_jacobian_matches(
            &circuit,
            &truth,
            &[
                vec![20.0, 1.0e4, 3.0e-9, 0.85],
                vec![5.0, 3.0e3, 1.0e-8, 0.6],
                vec![50.0, 2.0e4, 1.0e-9, 0.99],
            ],
        );
        println!("semicircle: worst relative column error {worst:e}");
    }

    #[test]
    fn jacobian_of_a_custom_circuit_matches_finite_differences() {
        // Every element kind: R, C, L, CPE (α allowed in [−1, 1]) and W.
        let circuit = Circuit::parse("L0-R0-p(R1,C1)-p(R2,CPE2)-W3").unwrap();
        let names: Vec<&str> = circuit.params().iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["L0", "R0", "R1", "C1", "R2", "CPE2.Q", "CPE2.alpha", "W3"]);
        let truth = [2.0e-7, 5.0, 200.0, 1.0e-7, 1.0e3, 2.0e-6, 0.8, 50.0];
        let worst = assert_jacobian_matches(
            &circuit,
            &truth,
            &[
                truth.to_vec(),
                vec![1.0e-6, 2.0, 500.0, 3.0e-8, 3.0e3, 5.0e-7, 0.5, 10.0],
                vec![5.0e-8, 10.0, 80.0, 4.0e-7, 300.0, 1.0e-5, -0.3, 200.0],
            ],
        );
        println!("custom: worst relative column error {worst:e}");
    }

    /// The compact problem at `start` against the full one: the same ‖r‖, JᵀJ and Jᵀr.
    /// Returns whether the Cholesky path could reduce it (false: Householder did).
    fn assert_compact_matches_full(circuit: &Circuit, data: &FitData, start: &[f64]) -> bool {
        let free: Vec<usize> = (0..start.len()).collect();
        let full = CnlsProblem::new(circuit, data, free.clone(), start.to_vec());
        let compact = CompactProblem::new(circuit, data, free, start.to_vec());
        let (r, j) = (full.residuals().unwrap(), full.jacobian().unwrap());
        let (rc, jc) = (compact.residuals().unwrap(), compact.jacobian().unwrap());
        assert_eq!(
            (rc.len(), jc.nrows(), jc.ncols()),
            (start.len() + 1, start.len() + 1, start.len())
        );
        assert!((rc.norm() - r.norm()).abs() <= 1e-12 * r.norm());
        let (normal, normal_c) = (j.transpose() * &j, jc.transpose() * &jc);
        let (gradient, gradient_c) = (j.transpose() * &r, jc.transpose() * &rc);
        assert!((normal - &normal_c).amax() <= 1e-12 * normal_c.amax());
        assert!((gradient - &gradient_c).amax() <= 1e-10 * gradient_c.amax());
        let stacked = DMatrix::from_fn(
            r.len(),
            start.len() + 1,
            |i, k| if k < start.len() { j[(i, k)] } else { r[i] },
        );
        let gram = stacked.transpose() * &stacked;
        let mut row_major: Vec<f64> = gram.transpose().iter().copied().collect();
        cholesky_upper(&mut row_major, start.len() + 1)
    }

    #[test]
    fn the_compact_problem_keeps_the_misfit_and_the_normal_equations() {
        for (preset, truth, start) in [
            (
                Preset::Semicircle,
                vec![20.0, 1.0e4, 3.0e-9, 0.85],
                vec![25.0, 8.0e3, 5.0e-9, 0.8],
            ),
            (Preset::Inductive, vec![1.3, 2.0e5, -0.93], vec![1.0, 3.0e5, -0.9]),
        ] {
            let circuit = preset.circuit();
            for modulus in [true, false] {
                let data = data_from(&circuit, &truth, modulus);
                assert!(
                    assert_compact_matches_full(&circuit, &data, &start),
                    "{preset}: Cholesky path"
                );
            }
        }
    }

    #[test]
    fn dependent_columns_are_reduced_by_householder_reflections() {
        // R1 and R2 in series: their columns (in log coordinates, R1 and R2 times the
        // same column) are parallel, so the Cholesky factor does not exist.
        let circuit = Circuit::parse("R1-R2-p(R3,C3)").unwrap();
        let truth = [10.0, 30.0, 1.0e4, 1.0e-8];
        for modulus in [true, false] {
            let data = data_from(&circuit, &truth, modulus);
            assert!(!assert_compact_matches_full(
                &circuit,
                &data,
                &[12.0, 25.0, 8.0e3, 2.0e-8]
            ));
        }
    }

    #[test]
    fn transforms_round_trip_and_reach_bounds() {
        let sine = Transform::Sine { lo: -1.0, hi: 0.0 };
        for p in [-1.0, -0.93, -0.5, 0.0] {
            assert!((sine.to_physical(sine.to_solver(p)) - p).abs() < 1e-12);
        }
        assert_eq!(sine.to_physical(std::f64::consts::FRAC_PI_2), 0.0);
        assert_eq!(sine.to_physical(-std::f64::consts::FRAC_PI_2), -1.0);
        let log = Transform::Log;
        assert!((log.to_physical(log.to_solver(3.5e-9)) - 3.5e-9).abs() < 1e-22);
        for (t, u) in [(sine, 0.3), (log, -2.0)] {
            let h = 1e-6;
            let numeric = (t.to_physical(u + h) - t.to_physical(u - h)) / (2.0 * h);
            assert!((numeric - t.slope(u)).abs() < 1e-8);
        }
    }
}
