//! # sigmafit
//!
//! Effective electronic conductivity of pressed cathode pellets from one impedance
//! spectrum: a complex nonlinear least-squares fit of the right equivalent circuit,
//! R_con with its uncertainty, σ_eff = d / (R_con A), the circuit choice and the
//! capacitance-based attribution of the semicircle.
//!
//! - [`spectrum`]: import and validation of plain-text spectra.
//! - [`circuit`], [`preset`]: elements, the circuit-string parser, the study's circuits.
//! - [`fit`]: the CNLS problem, weighting, initial guesses and statistics.
//! - [`pellet`]: geometry, R_con and σ_eff with propagated uncertainty.
//! - [`diagnosis`]: the circuit choice and the capacitance attribution.
//! - [`settings`]: the one settings schema of the CLI, the page and the boundary.
//! - [`analysis`]: all of the above for one spectrum, as data; what the CLI and the page call.
//! - [`report`]: the prose of an analysis; [`numfmt`]: the one number formatter.
//! - [`kk`]: the Lin-KK validity test (Kramers–Kronig residuals, verdict, flagged points).
//! - [`plot`]: Nyquist, Bode and residual plots on any plotters backend.
//! - [`series`]: pressure series: pressure from names and headers, measurement order,
//!   loading/unloading branches and cycles, the per-cycle summary; [`series_plot`]: σ_eff
//!   against pressure on any plotters backend, and as SVG.
//!
//! The core knows nothing of the browser; `web` (wasm32 only) is a thin boundary.

// `!(x <= limit)` is deliberate throughout: a NaN must land on the failing side.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

pub mod analysis;
pub mod circuit;
pub mod diagnosis;
pub mod diagram;
pub mod exclude;
pub mod explore;
pub mod finite;
pub mod fit;
pub mod fit_table;
pub mod kk;
pub mod numfmt;
pub mod pellet;
pub mod plot;
pub mod preset;
pub mod report;
pub mod series;
pub mod series_plot;
pub mod settings;
pub mod spectrum;
pub mod synthetic;

pub use diagnosis::{attribution, choice};

#[cfg(target_arch = "wasm32")]
pub mod web;
