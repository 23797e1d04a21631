//! Pellet geometry, the contact resistance R_con and the effective electronic
//! conductivity σ_eff = d / (R_con A).
//!
//! R_con is the DC limit of Re Z of the fitted circuit (R1 + R2 for the semicircle,
//! R0 for the inductive circuit) minus a measured lead/short resistance. Its
//! standard error is √(gᵀ Σ g) with Σ the fit covariance and g the gradient of the DC
//! limit, so the R1–R2 covariance is included. Relative errors then add in
//! quadrature: (δσ/σ)² = (δR/R)² + (δd/d)² + (δA/A)².

use crate::fit::FitResult;
use serde::Serialize;
use std::f64::consts::PI;
use std::fmt;

/// How far beyond the largest measured |Z| a DC limit may lie before it is a runaway.
pub const RUNAWAY_FACTOR: f64 = 100.0;
/// A DC limit below this share of the largest measured |Z| is a collapsed fit, not a
/// resistance: no pellet's R_con is a millionth of its own impedance.
pub const COLLAPSE_FACTOR: f64 = 1e-6;

/// A value with an optional standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Measured {
    pub value: f64,
    pub stderr: Option<f64>,
}

/// Pellet dimensions in cm and cm².
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Geometry {
    pub thickness_cm: f64,
    pub area_cm2: f64,
    /// Present when the area came from a diameter.
    pub diameter_cm: Option<f64>,
    pub thickness_err_cm: Option<f64>,
    pub area_err_cm2: Option<f64>,
}

/// A geometry input that makes no sense.
#[derive(Debug, Clone, PartialEq)]
pub struct GeometryError(pub String);

impl fmt::Display for GeometryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GeometryError {}

fn positive(name: &str, value: f64, unit: &str) -> Result<f64, GeometryError> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(GeometryError(format!(
            "{name} must be a positive number of {unit}, got {value}"
        )))
    }
}

fn uncertainty(name: &str, value: Option<f64>, unit: &str) -> Result<Option<f64>, GeometryError> {
    match value {
        Some(v) if !(v.is_finite() && v >= 0.0) => Err(GeometryError(format!(
            "{name} must be zero or a positive number of {unit}, got {v}"
        ))),
        other => Ok(other),
    }
}

impl Geometry {
    /// A disc of the given thickness and diameter (mm), with optional standard uncertainties (mm).
    pub fn from_diameter(
        thickness_mm: f64,
        diameter_mm: f64,
        thickness_err_mm: Option<f64>,
        diameter_err_mm: Option<f64>,
    ) -> Result<Geometry, GeometryError> {
        let d = positive("thickness", thickness_mm, "mm")? / 10.0;
        let diameter = positive("diameter", diameter_mm, "mm")? / 10.0;
        let d_err = uncertainty("thickness uncertainty", thickness_err_mm, "mm")?.map(|e| e / 10.0);
        let dia_err = uncertainty("diameter uncertainty", diameter_err_mm, "mm")?.map(|e| e / 10.0);
        let area = PI * diameter * diameter / 4.0;
        Ok(Geometry {
            thickness_cm: d,
            area_cm2: area,
            diameter_cm: Some(diameter),
            thickness_err_cm: d_err,
            // δA / A = 2 δD / D
            area_err_cm2: dia_err.map(|e| 2.0 * area * e / diameter),
        })
    }

    /// A pellet of the given thickness (mm) and area (cm²).
    pub fn from_area(
        thickness_mm: f64,
        area_cm2: f64,
        thickness_err_mm: Option<f64>,
        area_err_cm2: Option<f64>,
    ) -> Result<Geometry, GeometryError> {
        Ok(Geometry {
            thickness_cm: positive("thickness", thickness_mm, "mm")? / 10.0,
            area_cm2: positive("area", area_cm2, "cm²")?,
            diameter_cm: None,
            thickness_err_cm: uncertainty("thickness uncertainty", thickness_err_mm, "mm")?.map(|e| e / 10.0),
            area_err_cm2: uncertainty("area uncertainty", area_err_cm2, "cm²")?,
        })
    }

    /// d / A in 1/cm: multiplies a conductance into a conductivity.
    pub fn cell_constant(&self) -> f64 {
        self.thickness_cm / self.area_cm2
    }
}

/// R_con of a fit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactResistance {
    /// R_con after subtracting the lead resistance, in ohm.
    pub value: f64,
    pub stderr: Option<f64>,
    /// DC limit of the fitted circuit before the lead correction.
    pub fitted_dc_ohm: f64,
    pub lead_ohm: f64,
}

/// Why a fit gives no R_con.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum RConMissing {
    /// The circuit has no DC limit (a series capacitor, a Warburg element, ...).
    NoDcLimit { why: String },
    /// The DC limit is more than [`RUNAWAY_FACTOR`] times the largest measured |Z|.
    Runaway {
        fitted_dc_ohm: f64,
        largest_measured_ohm: f64,
    },
    /// The DC limit is below [`COLLAPSE_FACTOR`] times the largest measured |Z|.
    Collapsed {
        fitted_dc_ohm: f64,
        largest_measured_ohm: f64,
    },
    /// The DC limit does not exceed the lead resistance.
    NotAboveLead { fitted_dc_ohm: f64, lead_ohm: f64 },
    /// The lead resistance is negative or not a number.
    InvalidLead { lead_ohm: f64 },
    /// The fitted curve misses the data by more than the analysis's
    /// `UNDESCRIBED_MISFIT` (rms): its DC limit describes nothing measured.
    Undescribed { fitted_dc_ohm: f64, rms_relative: f64 },
}

/// R_con = lim Re Z(ω→0) − R_lead with its standard error from the covariance.
/// `largest_measured_ohm` is the largest |Z| among the fitted points: a DC limit far
/// beyond it means the fit ran a resistor off to infinity, not that it found R_con.
pub fn contact_resistance(
    fit: &FitResult,
    lead_ohm: f64,
    largest_measured_ohm: f64,
) -> Result<ContactResistance, RConMissing> {
    if !lead_ohm.is_finite() || lead_ohm < 0.0 {
        return Err(RConMissing::InvalidLead { lead_ohm });
    }
    let dc = fit
        .circuit
        .dc_resistance(&fit.values)
        .map_err(|why| RConMissing::NoDcLimit { why })?;
    if !(dc <= RUNAWAY_FACTOR * largest_measured_ohm) {
        return Err(RConMissing::Runaway {
            fitted_dc_ohm: dc,
            largest_measured_ohm,
        });
    }
    if !(dc >= COLLAPSE_FACTOR * largest_measured_ohm) {
        return Err(RConMissing::Collapsed {
            fitted_dc_ohm: dc,
            largest_measured_ohm,
        });
    }
    let value = dc - lead_ohm;
    if !(value > 0.0) {
        return Err(RConMissing::NotAboveLead {
            fitted_dc_ohm: dc,
            lead_ohm,
        });
    }
    let stderr = fit.propagate(|values| fit.circuit.dc_resistance_value(values));
    Ok(ContactResistance {
        value,
        stderr,
        fitted_dc_ohm: dc,
        lead_ohm,
    })
}

/// σ_eff = d / (R_con A) in S/cm with its propagated standard error.
pub fn conductivity(r_con: &ContactResistance, geometry: &Geometry) -> Measured {
    let value = geometry.thickness_cm / (r_con.value * geometry.area_cm2);
    let relative_terms = [
        r_con.stderr.map(|e| e / r_con.value),
        geometry.thickness_err_cm.map(|e| e / geometry.thickness_cm),
        geometry.area_err_cm2.map(|e| e / geometry.area_cm2),
    ];
    let stderr = r_con.stderr.map(|_| {
        let sum: f64 = relative_terms.iter().flatten().map(|r| r * r).sum();
        value * sum.sqrt()
    });
    Measured { value, stderr }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disc_area_and_cell_constant() {
        let g = Geometry::from_diameter(1.0, 10.0, None, None).unwrap();
        assert!((g.area_cm2 - PI * 0.25).abs() < 1e-15);
        assert!((g.cell_constant() - 0.1 / (PI * 0.25)).abs() < 1e-15);
        assert!(Geometry::from_diameter(0.0, 10.0, None, None).is_err());
        assert!(Geometry::from_diameter(1.0, f64::NAN, None, None).is_err());
        assert!(Geometry::from_area(1.0, 0.5, Some(-0.1), None).is_err());
    }

    #[test]
    fn conductivity_and_its_error_by_hand() {
        // 1 mm × 10 mm pellet, R = 1000 ± 10 ohm: σ = 0.1 / (1000 · 0.785398) S/cm.
        let g = Geometry::from_diameter(1.0, 10.0, Some(0.02), Some(0.1)).unwrap();
        let r = ContactResistance {
            value: 1000.0,
            stderr: Some(10.0),
            fitted_dc_ohm: 1000.0,
            lead_ohm: 0.0,
        };
        let s = conductivity(&r, &g);
        assert!((s.value - 1.2732395447351627e-4).abs() < 1e-18);
        // relative: 1 % (R), 2 % (d), 2 % (A = 2 × 1 % of D) → 3 %
        assert!((s.stderr.unwrap() / s.value - 0.03).abs() < 1e-12);
    }
}
