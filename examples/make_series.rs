//! Writes the page's bundled synthetic pressure series to `www/examples/series/` from
//! stated true parameters that follow the study's trends (Miß et al. 2025):
//!
//!     cargo run --release --example make_series
//!
//! Two series of 16 spectra each, loading 10 → 486 MPa and unloading 400 → 10 MPa:
//! - `synthetic_sc-NMC622`: σ rises log-linearly in log p from 2.5e-5 S/cm at 10 MPa to
//!   2.5e-2 S/cm at 486 MPa; released, it stays within 10 % down to 100 MPa, then falls
//!   2.5× by 10 MPa (hysteresis: the pellet densified irreversibly).
//! - `synthetic_LNO-coated-sc-NMC622`: the same, one decade lower, so it crosses the
//!   paper's 1e-3 S/cm and its spectra turn from semicircles to inductive ones.
//!
//! Below 1e-3 S/cm a spectrum is R1-p(R2,CPE2) (R1 = 4 % of R_con, α = 0.9, C·d/A =
//! 5e-10 F/cm); above it R0-CPE0 (α = −0.95, Im Z = 1 Ω at 1 MHz from the leads). 1 MHz to
//! 0.1 Hz, 10 points per decade, 0.2 % complex Gaussian noise with a fixed seed per file,
//! for a pellet 1.0 mm thick and 10 mm in diameter (the page's suggested geometry). Each
//! file states its truth in a `# synthetic:` line and its pressure in `# pressure:`.

use num_complex::Complex64;
use sigmafit::synthetic::{Noise, decade_grid};
use std::f64::consts::{FRAC_PI_2, PI, TAU};
use std::fmt::Write as _;

const THICKNESS_CM: f64 = 0.1;
const DIAMETER_CM: f64 = 1.0;
const NOISE: f64 = 0.002;
const BOUNDARY_S_PER_CM: f64 = 1e-3;
const LOADING_MPA: [f64; 10] = [10.0, 25.0, 50.0, 75.0, 100.0, 150.0, 200.0, 300.0, 400.0, 486.0];
const UNLOADING_MPA: [f64; 6] = [400.0, 300.0, 200.0, 100.0, 50.0, 10.0];
const SIGMA_LOW: f64 = 2.5e-5;
const SIGMA_TOP: f64 = 2.5e-2;

/// (iω)^α = ω^α e^{iπα/2}
fn iw_pow(f: f64, alpha: f64) -> Complex64 {
    Complex64::from_polar((TAU * f).powf(alpha), alpha * FRAC_PI_2)
}

/// Loading: log-linear in log p between (10 MPa, SIGMA_LOW) and (486 MPa, SIGMA_TOP).
fn sigma_loading(p: f64) -> f64 {
    let x = (p / 10.0).ln() / (486.0_f64 / 10.0).ln();
    SIGMA_LOW * (SIGMA_TOP / SIGMA_LOW).powf(x)
}

/// Unloading, as a fraction of σ at 486 MPa: 10 % lower by 100 MPa, then 2.5× lower by 10.
fn unloading_fraction(p: f64) -> f64 {
    if p >= 100.0 {
        1.0 - 0.1 * (486.0 / p).ln() / (486.0_f64 / 100.0).ln()
    } else {
        0.9 * 2.5_f64.powf(-(100.0 / p).log10())
    }
}

fn main() -> std::io::Result<()> {
    let area = PI * DIAMETER_CM * DIAMETER_CM / 4.0;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("www")
        .join("examples")
        .join("series");
    std::fs::create_dir_all(&dir)?;
    let steps: Vec<(f64, &str)> = LOADING_MPA
        .iter()
        .map(|p| (*p, "loading"))
        .chain(UNLOADING_MPA.iter().map(|p| (*p, "unloading")))
        .collect();
    let mut files = Vec::new();
    for (material_index, (material, factor)) in [("sc-NMC622", 1.0), ("LNO-coated-sc-NMC622", 0.1)]
        .into_iter()
        .enumerate()
    {
        for (index, (pressure, branch)) in steps.iter().enumerate() {
            let run = index + 1;
            let sigma = factor
                * match *branch {
                    "loading" => sigma_loading(*pressure),
                    _ => sigma_loading(486.0) * unloading_fraction(*pressure),
                };
            let r_con = THICKNESS_CM / (sigma * area);
            let (circuit, z): (String, Box<dyn Fn(f64) -> Complex64>) = if sigma < BOUNDARY_S_PER_CM {
                let (r1, r2, alpha) = (0.04 * r_con, 0.96 * r_con, 0.9);
                let c_eff = 5e-10 * area / THICKNESS_CM;
                let q = c_eff.powf(alpha) / r2.powf(1.0 - alpha);
                (
                    format!("R1-p(R2,CPE2); R1 = {r1:.6e} ohm, R2 = {r2:.6e} ohm, Q = {q:.6e}, alpha = {alpha}"),
                    Box::new(move |f| Complex64::new(r1, 0.0) + 1.0 / (1.0 / r2 + q * iw_pow(f, alpha))),
                )
            } else {
                let (alpha0, im_at_top) = (-0.95, 1.0);
                let q0 = (TAU * 1e6).powf(-alpha0) * (-alpha0 * FRAC_PI_2).sin() / im_at_top;
                (
                    format!("R0-CPE0; R0 = {r_con:.6e} ohm, Q = {q0:.6e}, alpha = {alpha0}"),
                    Box::new(move |f| Complex64::new(r_con, 0.0) + 1.0 / (q0 * iw_pow(f, alpha0))),
                )
            };
            let seed = 1000 * (material_index as u64 + 1) + run as u64;
            let mut text = String::new();
            let _ = writeln!(
                text,
                "# synthetic: made by sigmafit's examples/make_series.rs, not a measurement; {branch}, cycle 1; \
                 circuit {circuit}; true R_con = {r_con:.6e} ohm; true sigma = {sigma:.6e} S/cm; \
                 d = 1.0 mm, D = 10 mm; 0.2 % noise, seed {seed}"
            );
            let _ = writeln!(text, "# pressure: {pressure} MPa");
            text.push_str("freq_Hz,Zreal_ohm,Zimag_ohm\n");
            let mut noise = Noise::new(seed);
            for f in decade_grid(1e6, 0.1, 10) {
                let noisy = noise.proportional(z(f), NOISE);
                let _ = writeln!(text, "{f:.6e},{:.8e},{:.8e}", noisy.re, noisy.im);
            }
            let name = format!("synthetic_{material}_{run:02}_{pressure}MPa.csv");
            std::fs::write(dir.join(&name), text)?;
            files.push(name);
        }
    }
    let index = serde_json::json!({
        "synthetic": true,
        "description": "Synthetic pressure series (not measurements) following the trends of Miß et al., ACS Materials Lett. 2025: uncoated sc-NMC622-like and a LiNbO3-coated twin one decade lower; made by examples/make_series.rs.",
        "thickness_mm": 1.0,
        "diameter_mm": 10.0,
        "files": files,
    });
    let json = serde_json::to_string_pretty(&index).map_err(std::io::Error::other)?;
    std::fs::write(dir.join("index.json"), json + "\n")?;
    println!("wrote {} files and index.json to www/examples/series/", files.len());
    Ok(())
}
