//! The data and a fit, point by point, as CSV: what someone needs to redraw the
//! plots or check the fit in another program.
//!
//! One row per measured point, in the spectrum's order (ascending frequency):
//! f, Z', Z'' (physics sign: Z'' < 0 capacitive), whether the point was inside the
//! fit window, the fitted model at that frequency, and the residual Z − Z_fit
//! (real, imaginary and relative |Z − Z_fit| / |Z|). The model is evaluated at
//! every point, fitted or not, so the excluded points show how far off the fit is
//! outside its window. Comment lines (`# `) on top carry the caller's provenance.

use crate::fit::FitResult;
use crate::spectrum::Spectrum;
use std::fmt::Write;

/// The column names, in order.
pub const COLUMNS: [&str; 9] = [
    "f_Hz",
    "Z_re_ohm",
    "Z_im_ohm",
    "fitted",
    "Z_fit_re_ohm",
    "Z_fit_im_ohm",
    "residual_re_ohm",
    "residual_im_ohm",
    "residual_rel",
];

/// A number as the shortest text that reads back to the same f64 (plain between
/// 10⁻⁴ and 10¹⁵, else with an exponent); empty when not finite.
fn number(v: f64) -> String {
    if !v.is_finite() {
        String::new()
    } else if v == 0.0 || (1e-4..1e15).contains(&v.abs()) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// A header line as comment text: line breaks become spaces, and a spreadsheet that
/// splits the comment at its commas finds no cell starting a formula (= + - @ or a
/// tab): such a cell gets a leading apostrophe, as the page's own CSV exports do.
fn comment_text(line: &str) -> String {
    let line = line.replace(['\r', '\n'], " ");
    let mut parts = line.split(',');
    let mut out = parts.next().unwrap_or_default().to_string();
    for part in parts {
        out.push(',');
        if part.starts_with(['=', '+', '-', '@', '\t']) {
            out.push('\'');
        }
        out.push_str(part);
    }
    out
}

/// The CSV table (CRLF line ends, as spreadsheets expect) with `header_lines` as
/// `# ` comments on top; a line break inside a header line becomes a space.
pub fn fit_table_csv(spectrum: &Spectrum, fit: &FitResult, header_lines: &[String]) -> String {
    let model = fit.model(&spectrum.freq_hz);
    let mut out = String::new();
    for line in header_lines {
        let _ = write!(out, "# {}\r\n", comment_text(line));
    }
    out.push_str(&COLUMNS.join(","));
    out.push_str("\r\n");
    for (i, (&f, z)) in spectrum.freq_hz.iter().zip(&spectrum.z).enumerate() {
        let m = model[i];
        let r = z - m;
        let modulus = z.norm();
        let rel = if modulus > 0.0 { r.norm() / modulus } else { f64::NAN };
        let fitted = fit.fitted.get(i).copied().unwrap_or(false);
        let cells = [
            number(f),
            number(z.re),
            number(z.im),
            fitted.to_string(),
            number(m.re),
            number(m.im),
            number(r.re),
            number(r.im),
            number(rel),
        ];
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::circuit::Circuit;
    use crate::fit::{FitStats, ParamEstimate, ParamStatus, Weighting};
    use num_complex::Complex64;

    /// A fit of the constant R1 = 10 Ω (so Z_fit = 10 + 0i at every frequency).
    fn resistor_fit(fitted: Vec<bool>) -> FitResult {
        FitResult {
            circuit: Circuit::parse("R1").unwrap(),
            preset: None,
            values: vec![10.0],
            params: vec![ParamEstimate {
                name: "R1".into(),
                value: 10.0,
                stderr: None,
                unit: "Ω",
                status: ParamStatus::Free,
            }],
            covariance: None,
            stats: FitStats {
                weighting: Weighting::Modulus,
                n_points: 2,
                n_free: 1,
                n_adjusted: 1,
                rss: 0.0,
                chi2_reduced: 0.0,
                aic: 0.0,
                bic: 0.0,
                rms_relative: 0.0,
                iterations: 0,
                evaluations: 0,
                converged: true,
                termination: String::new(),
                starts: 1,
                starts_at_best: 1,
            },
            fitted,
        }
    }

    fn cells(line: &str) -> Vec<f64> {
        line.split(',')
            .filter(|c| *c != "true" && *c != "false")
            .map(|c| c.parse().unwrap())
            .collect()
    }

    #[test]
    fn residuals_of_a_known_fit() {
        let z = [
            Complex64::new(11.0, 1.0),
            Complex64::new(10.0, 0.0),
            Complex64::new(8.0, -6.0),
            Complex64::new(10.0, -10.0),
            Complex64::new(20.0, 0.0),
        ];
        let spectrum = Spectrum::from_points("tiny.csv", &[1.0, 10.0, 100.0, 1e3, 1e4], &z).unwrap();
        let fit = resistor_fit(vec![true, true, false, true, false]);
        let header = vec!["file: tiny.csv".to_string(), "two\nlines".to_string()];
        let csv = fit_table_csv(&spectrum, &fit, &header);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], "# file: tiny.csv");
        assert_eq!(lines[1], "# two lines");
        assert_eq!(
            comment_text("file: a,=HYPERLINK(x),b,-1,@c"),
            "file: a,'=HYPERLINK(x),b,'-1,'@c"
        );
        assert_eq!(lines[2], COLUMNS.join(","));
        assert_eq!(lines.len(), 3 + 5 + 1, "{csv}"); // comments and header, 5 rows, trailing empty
        assert_eq!(lines[8], "");
        let flags: Vec<&str> = lines[3..8].iter().map(|l| l.split(',').nth(3).unwrap()).collect();
        assert_eq!(flags, ["true", "true", "false", "true", "false"]);
        let expect = [
            [1.0, 11.0, 1.0, 10.0, 0.0, 1.0, 1.0, 2f64.sqrt() / 122f64.sqrt()],
            [10.0, 10.0, 0.0, 10.0, 0.0, 0.0, 0.0, 0.0],
            [100.0, 8.0, -6.0, 10.0, 0.0, -2.0, -6.0, 40f64.sqrt() / 10.0],
            [1e3, 10.0, -10.0, 10.0, 0.0, 0.0, -10.0, 0.5f64.sqrt()],
            [1e4, 20.0, 0.0, 10.0, 0.0, 10.0, 0.0, 0.5],
        ];
        for (line, want) in lines[3..8].iter().zip(expect) {
            let got = cells(line);
            assert_eq!(got.len(), want.len(), "{line}");
            for (g, w) in got.iter().zip(want) {
                assert!((g - w).abs() <= 1e-12 * w.abs().max(1.0), "{line}: {g} vs {w}");
            }
        }
    }

    #[test]
    fn numbers_read_back_exactly_and_non_finite_is_empty() {
        for v in [1.0e6, 0.1, -5.25e-7, 123456.789, f64::MIN_POSITIVE, 3.2e17, 0.0] {
            assert_eq!(number(v).parse::<f64>().unwrap(), v);
        }
        assert_eq!(number(1e6), "1000000");
        assert_eq!(number(-5.25e-7), "-5.25e-7");
        assert_eq!(number(f64::NAN), "");
        assert_eq!(number(f64::INFINITY), "");
    }
}
