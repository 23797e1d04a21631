//! Writes the page's bundled example spectra to `www/examples/` from stated true
//! parameters, so anyone can check what the page should find:
//!
//!     cargo run --release --example make_example
//!
//! Both are synthetic (said so in their header), 1 MHz to 0.1 Hz, 10 points per
//! decade, with 0.3 % complex Gaussian noise (proportional to |Z|, fixed seed),
//! for a pellet 1.0 mm thick and 10 mm in diameter (A = 0.7854 cm²).
//!
//! - `synthetic_semicircle_LCO-like.csv`, case (b): R1 = 40 Ω in series with
//!   R2 = 960 Ω ‖ CPE2 (α = 0.9, Q chosen so that C_eff/A = 5e-9 F/cm²).
//!   R_con = 1000 Ω, σ_eff = 0.1 / (1000 · 0.7854) = 1.273e-4 S/cm.
//! - `synthetic_inductive_NMC-like.csv`, case (a): R0 = 2.0 Ω in series with an
//!   inductive CPE0 (α = −0.95, Q such that Im Z = 2 Ω at 1 MHz).
//!   R_con = 2.0 Ω, σ_eff = 0.1 / (2.0 · 0.7854) = 6.366e-2 S/cm.

use num_complex::Complex64;
use sigmafit::synthetic::{Noise, decade_grid};
use std::f64::consts::{FRAC_PI_2, PI, TAU};
use std::fmt::Write as _;

const THICKNESS_CM: f64 = 0.1;
const DIAMETER_CM: f64 = 1.0;
const NOISE: f64 = 0.003;

/// (iω)^α = ω^α e^{iπα/2}
fn iw_pow(f: f64, alpha: f64) -> Complex64 {
    Complex64::from_polar((TAU * f).powf(alpha), alpha * FRAC_PI_2)
}

fn write(name: &str, header: &str, z: impl Fn(f64) -> Complex64, seed: u64) -> std::io::Result<()> {
    let mut noise = Noise::new(seed);
    let mut text = String::new();
    for line in header.lines() {
        let _ = writeln!(text, "# {line}");
    }
    text.push_str("freq_Hz,Zreal_ohm,Zimag_ohm\n");
    for f in decade_grid(1e6, 0.1, 10) {
        let noisy = noise.proportional(z(f), NOISE);
        let _ = writeln!(text, "{f:.6e},{:.8e},{:.8e}", noisy.re, noisy.im);
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("www")
        .join("examples");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join(name), text)?;
    println!("wrote www/examples/{name}");
    Ok(())
}

fn main() -> std::io::Result<()> {
    let area = PI * DIAMETER_CM * DIAMETER_CM / 4.0;

    // Case (b): choose Q so that the Hsu–Mansfeld C_eff = (Q R2^(1-α))^(1/α) is 5e-9 F/cm² · A.
    let (r1, r2, alpha): (f64, f64, f64) = (40.0, 960.0, 0.9);
    let c_eff = 5e-9 * area;
    let q = c_eff.powf(alpha) / r2.powf(1.0 - alpha);
    let f_apex = 1.0 / (TAU * (r2 * q).powf(1.0 / alpha));
    let sigma_b = THICKNESS_CM / ((r1 + r2) * area);
    let header = format!(
        "SYNTHETIC example spectrum made by sigmafit's examples/make_example.rs (not a measurement).\n\
         Case (b), semicircle: R1 = {r1} ohm + (R2 = {r2} ohm || CPE2: Q = {q:.6e} F s^(a-1), alpha = {alpha}).\n\
         C_eff = {c_eff:.4e} F (C/A = 5e-9 F/cm^2 for a 1.0 mm x 10 mm pellet), apex {f_apex:.4e} Hz.\n\
         True R_con = {} ohm; sigma_eff = {sigma_b:.6e} S/cm for d = 1.0 mm, D = 10 mm.\n\
         1 MHz to 0.1 Hz, 10 points per decade, 0.3 % Gaussian noise (seed 7). Im Z signed (negative = capacitive).",
        r1 + r2
    );
    write(
        "synthetic_semicircle_LCO-like.csv",
        &header,
        |f| Complex64::new(r1, 0.0) + 1.0 / (1.0 / r2 + q * iw_pow(f, alpha)),
        7,
    )?;

    // Case (a): R0 in series with an inductive CPE0, Im Z(1 MHz) = share · R0.
    let (r0, alpha0, share): (f64, f64, f64) = (2.0, -0.95, 1.0);
    let q0 = (TAU * 1e6).powf(-alpha0) * (-alpha0 * FRAC_PI_2).sin() / (share * r0);
    let sigma_a = THICKNESS_CM / (r0 * area);
    let header = format!(
        "SYNTHETIC example spectrum made by sigmafit's examples/make_example.rs (not a measurement).\n\
         Case (a), inductive: R0 = {r0} ohm + CPE0: Q = {q0:.6e}, alpha = {alpha0} (Im Z = {} ohm at 1 MHz).\n\
         True R_con = {r0} ohm; sigma_eff = {sigma_a:.6e} S/cm for d = 1.0 mm, D = 10 mm.\n\
         1 MHz to 0.1 Hz, 10 points per decade, 0.3 % Gaussian noise (seed 11). Im Z signed (positive = inductive).",
        share * r0
    );
    write(
        "synthetic_inductive_NMC-like.csv",
        &header,
        |f| Complex64::new(r0, 0.0) + 1.0 / (q0 * iw_pow(f, alpha0)),
        11,
    )?;
    Ok(())
}
