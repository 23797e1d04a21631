//! Capacitance-based attribution: is the semicircle the bulk or an interface?
//!
//! The bulk (geometric) capacitance of the pellet is C_bulk = ε0 εr A / d. An
//! interparticle interface of thickness t between particles of diameter D gives, in
//! a brick-layer picture with similar permittivities, C_interface / C_bulk ≈ D / t,
//! so the fit estimates t ≈ D C_bulk / C_eff. A CPE is first turned into an
//! effective capacitance with Hsu–Mansfeld, C_eff = (Q R^(1−α))^(1/α), R being the
//! resistor in parallel with it. Normalised by the cell constant (C d/A, F/cm) the
//! capacitance is compared with the ranges of Irvine, Sinclair & West (1990).

use crate::pellet::Geometry;
use serde::Serialize;

/// Vacuum permittivity in F/cm.
pub const EPS0_F_PER_CM: f64 = 8.854_187_812_8e-14;
pub const DEFAULT_EPS_R: f64 = 10.0;
pub const DEFAULT_PARTICLE_UM: f64 = 5.0;

/// One row of the Irvine–Sinclair–West table (C d/A in F/cm).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct IswRow {
    pub low_f_per_cm: f64,
    pub high_f_per_cm: f64,
    pub phenomenon: &'static str,
}

/// Irvine, Sinclair & West, Adv. Mater. 2 (1990) 132. Single values of the paper
/// ("about 1e-12") are given half a decade either side.
pub const ISW_TABLE: [IswRow; 7] = [
    IswRow {
        low_f_per_cm: 3e-13,
        high_f_per_cm: 3e-12,
        phenomenon: "bulk",
    },
    IswRow {
        low_f_per_cm: 3e-12,
        high_f_per_cm: 3e-11,
        phenomenon: "minor second phase",
    },
    IswRow {
        low_f_per_cm: 1e-11,
        high_f_per_cm: 1e-8,
        phenomenon: "grain boundary",
    },
    IswRow {
        low_f_per_cm: 1e-10,
        high_f_per_cm: 1e-9,
        phenomenon: "bulk ferroelectric",
    },
    IswRow {
        low_f_per_cm: 1e-9,
        high_f_per_cm: 1e-7,
        phenomenon: "surface layer",
    },
    IswRow {
        low_f_per_cm: 1e-7,
        high_f_per_cm: 1e-5,
        phenomenon: "sample-electrode interface",
    },
    IswRow {
        low_f_per_cm: 3e-5,
        high_f_per_cm: 3e-4,
        phenomenon: "electrochemical reaction",
    },
];

/// Hsu–Mansfeld effective capacitance of a CPE (Q, α) in parallel with `r`.
/// Defined for 0 < α ≤ 1 only: a CPE with α ≤ 0 has no capacitance.
pub fn effective_capacitance(q: f64, alpha: f64, r: f64) -> Option<f64> {
    if !(alpha > 0.0 && alpha <= 1.0 && q > 0.0 && r > 0.0) {
        return None;
    }
    let c = (q * r.powf(1.0 - alpha)).powf(1.0 / alpha);
    c.is_finite().then_some(c)
}

/// The semicircle's capacitor as fitted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ArcCapacitor {
    Ideal { c: f64 },
    Cpe { q: f64, alpha: f64 },
}

/// The attribution, as data. Per-area and normalised values need a geometry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attribution {
    /// The element the capacitance comes from, e.g. "CPE2".
    pub element: String,
    pub method: CapacitanceMethod,
    pub c_eff_f: f64,
    pub c_eff_stderr_f: Option<f64>,
    pub c_per_area_f_per_cm2: Option<f64>,
    /// C d / A, the thickness-normalised capacitance.
    pub c_norm_f_per_cm: Option<f64>,
    pub eps_r: f64,
    pub c_bulk_f: Option<f64>,
    pub c_bulk_per_area_f_per_cm2: Option<f64>,
    /// C_eff / C_bulk.
    pub ratio_to_bulk: Option<f64>,
    pub particle_um: f64,
    /// Particle diameter × C_bulk / C_eff.
    pub layer_thickness_nm: Option<f64>,
    pub table: Vec<IswCandidate>,
}

/// How C_eff was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CapacitanceMethod {
    /// The fitted element is an ideal capacitor.
    IdealCapacitor,
    /// A CPE turned into C_eff = (Q·R^(1−α))^(1/α) with its parallel resistor R.
    HsuMansfeld,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IswCandidate {
    #[serde(flatten)]
    pub row: IswRow,
    pub candidate: bool,
}

/// Builds the attribution for a fitted R2 ‖ capacitor.
pub fn attribute(
    element: &str,
    r2: f64,
    capacitor: ArcCapacitor,
    c_eff_stderr: Option<f64>,
    geometry: Option<&Geometry>,
    eps_r: f64,
    particle_um: f64,
) -> Option<Attribution> {
    let (c_eff, method) = match capacitor {
        ArcCapacitor::Ideal { c } => (c, CapacitanceMethod::IdealCapacitor),
        ArcCapacitor::Cpe { q, alpha } => (effective_capacitance(q, alpha, r2)?, CapacitanceMethod::HsuMansfeld),
    };
    if !(c_eff.is_finite() && c_eff > 0.0) {
        return None;
    }
    // A C_eff at the edge of f64's range (a fit gone astray) would make a ratio or a
    // layer infinite: a figure that is not finite is left out, not shown as "inf".
    let finite = |v: f64| v.is_finite().then_some(v);
    let c_eff_stderr = c_eff_stderr.and_then(finite);
    let per_area = geometry.and_then(|g| finite(c_eff / g.area_cm2));
    let c_norm = geometry.and_then(|g| finite(c_eff * g.cell_constant()));
    let c_bulk = geometry.and_then(|g| finite(EPS0_F_PER_CM * eps_r / g.cell_constant()));
    let ratio = c_bulk.and_then(|b| finite(c_eff / b));
    let layer_nm = ratio.and_then(|r| finite(particle_um * 1e3 / r));
    let table = ISW_TABLE
        .iter()
        .map(|row| IswCandidate {
            row: *row,
            candidate: c_norm.is_some_and(|c| c >= row.low_f_per_cm && c <= row.high_f_per_cm),
        })
        .collect::<Vec<_>>();
    Some(Attribution {
        element: element.to_string(),
        method,
        c_eff_f: c_eff,
        c_eff_stderr_f: c_eff_stderr,
        c_per_area_f_per_cm2: per_area,
        c_norm_f_per_cm: c_norm,
        eps_r,
        c_bulk_f: c_bulk,
        c_bulk_per_area_f_per_cm2: geometry.and_then(|g| c_bulk.and_then(|b| finite(b / g.area_cm2))),
        ratio_to_bulk: ratio,
        particle_um,
        layer_thickness_nm: layer_nm,
        table,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hsu_mansfeld_by_hand() {
        // α = 1 is a capacitor: C_eff = Q.
        assert_eq!(effective_capacitance(2e-9, 1.0, 1000.0), Some(2e-9));
        // α = 0.5, Q = 1e-4, R = 100: (1e-4 · 100^0.5)^2 = (1e-3)^2 = 1e-6.
        let c = effective_capacitance(1e-4, 0.5, 100.0).unwrap();
        assert!((c - 1e-6).abs() < 1e-18);
        assert_eq!(effective_capacitance(1e-4, -0.9, 100.0), None);
        assert_eq!(effective_capacitance(1e-4, 0.0, 100.0), None);
    }

    #[test]
    fn interface_numbers_for_a_paper_like_pellet() {
        // 1 mm × 10 mm, C2 = 5 nF: C/A = 6.37e-9 F/cm², C d/A = 6.37e-10 F/cm,
        // C_bulk/A = 8.854e-13 F/cm, ratio = 7190, 5 µm particles → 0.695 nm.
        let g = Geometry::from_diameter(1.0, 10.0, None, None).unwrap();
        let a = attribute("C2", 1e4, ArcCapacitor::Ideal { c: 5e-9 }, None, Some(&g), 10.0, 5.0).unwrap();
        assert!((a.c_per_area_f_per_cm2.unwrap() - 5e-9 / (std::f64::consts::PI / 4.0)).abs() < 1e-20);
        let ratio = 5e-9 / (EPS0_F_PER_CM * 10.0 * (std::f64::consts::PI / 4.0) / 0.1);
        assert!((a.ratio_to_bulk.unwrap() / ratio - 1.0).abs() < 1e-12);
        assert!((a.layer_thickness_nm.unwrap() - 5000.0 / ratio).abs() < 1e-9);
        let candidates: Vec<_> = a
            .table
            .iter()
            .filter(|r| r.candidate)
            .map(|r| r.row.phenomenon)
            .collect();
        assert_eq!(candidates, ["grain boundary", "bulk ferroelectric"]);
    }

    #[test]
    fn without_geometry_only_c_eff() {
        let a = attribute(
            "CPE2",
            1e3,
            ArcCapacitor::Cpe { q: 1e-8, alpha: 0.9 },
            None,
            None,
            10.0,
            5.0,
        )
        .unwrap();
        assert!(a.c_norm_f_per_cm.is_none() && a.table.iter().all(|r| !r.candidate));
        assert_eq!(a.method, CapacitanceMethod::HsuMansfeld);
    }
}
