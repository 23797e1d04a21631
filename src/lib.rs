//! # sigmafit
//!
//! Effective electronic conductivity of pressed cathode pellets from one impedance
//! spectrum: a complex nonlinear least-squares fit of the right equivalent circuit,
//! R_con with its uncertainty, σ_eff = d / (R_con A), the circuit choice and the
//! capacitance-based attribution of the semicircle.
//!
//! The core knows nothing of the browser; `web` (wasm32 only) is a thin boundary.

pub mod circuit;
pub mod fit;
pub mod preset;
pub mod spectrum;
pub mod diagnosis;
pub mod pellet;

pub use diagnosis::{attribution, choice};
pub mod analysis;
pub mod plot;
