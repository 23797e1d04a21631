//! Import refuses garbage that would otherwise get a fitted result (issue 4.1),
//! and questions the sign of the Z'' column only when header and data disagree
//! (issue 4.3). Every input is built here; expected lines and columns are
//! counted by hand from the text (line 1 is the header when there is one).

use num_complex::Complex64;
use sigmafit::spectrum::{ImagConvention, ImportError, MAX_ABS_VALUE, MIN_ABS_VALUE, Spectrum, parse_spectrum};
use std::f64::consts::TAU;

fn err_of(text: &str) -> ImportError {
    match parse_spectrum(text, "bad.csv") {
        Err(e) => e,
        Ok(s) => panic!("expected an error, got {} points, warnings {:?}", s.len(), s.warnings),
    }
}

fn ok_of(text: &str) -> Spectrum {
    parse_spectrum(text, "good.csv").unwrap_or_else(|e| panic!("{e}"))
}

// ---- 4.1 garbage is refused -------------------------------------------------

#[test]
fn all_points_at_one_frequency_is_refused() {
    // Six points, all at 1 kHz: line 2 is the first, line 3 the first repeat.
    let text = "f,Zre,Zim\n1000,10,-1\n1000,11,-2\n1000,12,-3\n1000,13,-2\n1000,14,-1\n1000,15,-1\n";
    let e = err_of(text);
    assert_eq!((e.line, e.column), (Some(3), None), "{e}");
    assert_eq!(
        e.message,
        "found 6 data points but only 1 distinct frequency; a spectrum needs at least 5 distinct frequencies"
    );
}

#[test]
fn four_distinct_frequencies_is_refused_at_the_first_repeat() {
    // Frequencies in file order 1, 10, 100, 10, 1000, 1 on lines 1..6 (no header):
    // the first line repeating an earlier frequency is line 4 (10 Hz, first on line 2).
    let text = "1,10,-1\n10,9,-2\n100,8,-3\n10,9.1,-2.1\n1000,7,-2\n1,10.1,-1.1\n";
    let e = err_of(text);
    assert_eq!((e.line, e.column), (Some(4), None), "{e}");
    assert!(e.message.contains("found 6 data points"), "{}", e.message);
    assert!(e.message.contains("only 4 distinct frequencies"), "{}", e.message);
    assert!(e.message.contains("at least 5 distinct"), "{}", e.message);
    // One more distinct frequency makes it a spectrum again (with a duplicate warning).
    let s = ok_of(&format!("{text}10000,6,-1\n"));
    assert_eq!(s.len(), 7);
    assert!(
        s.warnings.iter().any(|w| w.contains("lines 2 and 4")),
        "{:?}",
        s.warnings
    );
}

#[test]
fn huge_impedance_is_refused_with_line_and_column() {
    // Line 4 (third data row), column 2 (Z').
    let text = "freq,zreal,zimag\n1,10,-1\n10,9,-2\n100,1e308,-3\n1000,7,-2\n10000,6,-1\n";
    let e = err_of(text);
    assert_eq!((e.line, e.column), (Some(4), Some(2)), "{e}");
    assert_eq!(
        e.message,
        "Z' 1e308 is too large: values above 1e150 in magnitude overflow the fit, which squares and multiplies them"
    );
    // The same in Z'' (column 3), negative.
    let e = err_of(&text.replace("100,1e308,-3", "100,8,-1e151"));
    assert_eq!((e.line, e.column), (Some(4), Some(3)), "{e}");
    assert!(e.message.starts_with("Z'' -1e151 is too large"), "{}", e.message);
}

#[test]
fn a_file_of_1e308_values_gets_no_result() {
    // The reported garbage: every value 1e308. The first field checked is line 1, column 1.
    let text =
        "1e308,1e308,-1e308\n1.5e308,1e308,-1e308\n1.6e308,1e308,-1e308\n1.7e308,1e308,-1e308\n1.75e308,1e308,-1e308\n";
    let e = err_of(text);
    assert_eq!((e.line, e.column), (Some(1), Some(1)), "{e}");
    assert!(e.message.starts_with("frequency 1e308 is too large"), "{}", e.message);
}

#[test]
fn huge_frequency_is_refused() {
    // Header on line 2 under a title, so the 1e200 Hz row is line 7; frequency is column 2 here.
    let text = "title\nZ',f,Z''\n10,1,-1\n9,10,-2\n8,100,-3\n7,1000,-2\n6,1e200,-1\n";
    let e = err_of(text);
    assert_eq!((e.line, e.column), (Some(7), Some(2)), "{e}");
    assert!(e.message.starts_with("frequency 1e200 is too large"), "{}", e.message);
}

#[test]
fn tiny_nonzero_values_are_refused() {
    // -1e-320 is subnormal: line 3, column 3 (Z'').
    let text = "f;Zre;Zim\n1;10;-1\n10;9;-1e-320\n100;8;-3\n1000;7;-2\n10000;6;-1\n";
    let e = err_of(text);
    assert_eq!((e.line, e.column), (Some(3), Some(3)), "{e}");
    assert_eq!(
        e.message,
        "Z'' -1e-320 is too small: nonzero values below 1e-150 in magnitude underflow to zero in the fit's products; write 0 if it is zero"
    );
    // A tiny Z' with the columns in another order: header f, Z'', Z' puts Z' in column 3.
    let text = "f,Z'',Z'\n1,-1,10\n10,-2,9\n100,-3,8\n1000,-2,7\n10000,-1,-2e-200\n";
    let e = err_of(text);
    assert_eq!((e.line, e.column), (Some(6), Some(3)), "{e}");
    assert!(e.message.starts_with("Z' -2e-200 is too small"), "{}", e.message);
    // A tiny frequency, headerless: line 1, column 1.
    let e = err_of("1e-160,10,-1\n10,9,-2\n100,8,-3\n1000,7,-2\n10000,6,-1\n");
    assert_eq!((e.line, e.column), (Some(1), Some(1)), "{e}");
}

#[test]
fn limits_themselves_and_exact_zeros_are_accepted() {
    assert_eq!((MAX_ABS_VALUE, MIN_ABS_VALUE), (1e150, 1e-150));
    // Z'' of exactly 0 is a real point; 1e150 and 1e-150 are at the limits, not past them.
    let text = "f,Zre,Zim\n1,1e150,-1\n10,9,0\n100,8,-1e-150\n1000,7,-2\n1e150,6,-1\n";
    let s = ok_of(text);
    assert_eq!(s.len(), 5);
    assert_eq!(s.z[0], Complex64::new(1e150, -1.0));
    assert_eq!(s.z[1], Complex64::new(9.0, 0.0));
    assert_eq!(s.z[2], Complex64::new(8.0, -1e-150));
    assert_eq!(s.freq_hz[4], 1e150);
}

#[test]
fn zero_impedance_point_is_refused_at_its_line() {
    // Line 5 (fourth data row) has Z' = 0 and Z'' = 0.
    let text = "freq,zreal,zimag\n1,10,-1\n10,9,-2\n100,8,-3\n1000,0,0\n10000,6,-1\n";
    let e = err_of(text);
    assert_eq!((e.line, e.column), (Some(5), None), "{e}");
    assert_eq!(
        e.message,
        "the impedance is zero (Z' = 0, Z'' = 0); the fit weights each point by 1/|Z|, which is undefined at |Z| = 0; remove the point or check the export"
    );
    // Z' = 0 alone, or Z'' = 0 alone, is fine.
    let s = ok_of(&text.replace("1000,0,0", "1000,0,-2"));
    assert_eq!(s.z[3], Complex64::new(0.0, -2.0));
    let s = ok_of(&text.replace("1000,0,0", "1000,7,0"));
    assert_eq!(s.z[3], Complex64::new(7.0, 0.0));
}

#[test]
fn all_zero_impedance_is_refused_at_the_first_line() {
    let e = err_of("f,Zre,Zim\n1,0,0\n10,0,0\n100,0,0\n1000,0,0\n10000,0,0\n");
    assert_eq!((e.line, e.column), (Some(2), None), "{e}");
    assert!(e.message.starts_with("the impedance is zero"), "{}", e.message);
    // Headerless, with "-0": the first row is line 1.
    let e = err_of("1,0,-0\n10,0,0\n100,0,0\n1000,0,0\n10000,0,0\n");
    assert_eq!((e.line, e.column), (Some(1), None), "{e}");
}

#[test]
fn zero_modulus_is_refused() {
    // |Z| = 0 on line 3: whatever the phase, Z is zero.
    let e = err_of("Freq,|Z|,Phase\n1,10,-10\n10,0,-45\n100,8,-30\n1000,7,-20\n10000,6,-5\n");
    assert_eq!((e.line, e.column), (Some(3), None), "{e}");
    assert_eq!(
        e.message,
        "the impedance is zero (|Z| = 0, phase = -45); the fit weights each point by 1/|Z|, which is undefined at |Z| = 0; remove the point or check the export"
    );
}

// ---- 4.3 sign of Z'' ------------------------------------------------------------

const R1: f64 = 10.0;
const R2: f64 = 100.0;
const C: f64 = 1e-4; // apex at 1 / (2 pi R2 C) = 15.9 Hz

fn logspace(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| 10f64.powf(lo + (hi - lo) * i as f64 / (n - 1) as f64))
        .collect()
}

/// R1 + R2 || C: Z = R1 + R2 / (1 + i w R2 C), Im Z < 0 at every frequency.
fn arc(f: f64) -> Complex64 {
    let w = TAU * f;
    Complex64::new(R1, 0.0) + Complex64::new(R2, 0.0) / Complex64::new(1.0, w * R2 * C)
}

/// R0 + i w L: a high-conductivity pellet seen through the cable inductance.
fn inductive(f: f64) -> Complex64 {
    Complex64::new(0.05, TAU * f * 1e-7)
}

/// R0 + i w L + Rs || Cs with a small Rs: inductive top, nearly real bottom
/// (the low-f Im Z is below 1 % of the top one).
fn inductive_nearly_real(f: f64) -> Complex64 {
    let w = TAU * f;
    inductive(f) + Complex64::new(0.002, 0.0) / Complex64::new(1.0, w * 0.002 * 1e-3)
}

/// A CSV with `header` and the Z'' column written as `sign * Im Z`.
fn csv(header: &str, freqs: &[f64], model: fn(f64) -> Complex64, sign: f64) -> String {
    let mut text = format!("Freq (Hz),Z' (Ohm),{header}\n");
    for &f in freqs {
        let z = model(f);
        text.push_str(&format!("{f},{},{}\n", z.re, sign * z.im));
    }
    text
}

fn full_arc() -> Vec<f64> {
    logspace(-2.0, 4.0, 31)
}

/// The arc's low-frequency side only: the top frequency (5 Hz) is below the apex,
/// so |Im Z| grows toward the top. The old check took this for -Z''.
fn partial_arc() -> Vec<f64> {
    logspace(-2.0, 0.7, 20)
}

const SIGNED_HEADERS: &[&str] = &["Zim", "Z''", "Zimag", "Im(Z)", "Z'' (Ohm)", "Zimag (ohm)"];
const NEGATED_HEADERS: &[&str] = &["-Z''", "-Zim", "-Im(Z)", "-Z'' (Ohm)", "-Zimag"];

fn assert_exact(s: &Spectrum, freqs: &[f64], model: fn(f64) -> Complex64, sign_of_im: f64) {
    assert_eq!(s.freq_hz, freqs);
    for (got, &f) in s.z.iter().zip(freqs) {
        let want = model(f);
        assert_eq!(*got, Complex64::new(want.re, sign_of_im * want.im), "at {f} Hz");
    }
}

#[test]
fn signed_header_over_a_capacitive_arc_gives_no_warning() {
    // Case (a): the normal file.
    for freqs in [full_arc(), partial_arc()] {
        for header in SIGNED_HEADERS {
            let s = ok_of(&csv(header, &freqs, arc, 1.0));
            assert!(s.warnings.is_empty(), "{header}: {:?}", s.warnings);
            assert_eq!(s.imag_convention, ImagConvention::SignedFromHeader, "{header}");
            assert!(s.z.iter().all(|z| z.im < 0.0), "{header}");
            assert_exact(&s, &freqs, arc, 1.0);
        }
    }
}

#[test]
fn signed_header_over_an_inductive_spectrum_gives_no_warning() {
    // Case (a), inductive: Im Z > 0 is real here, not a sign mistake.
    let freqs = logspace(1.0, 6.0, 26);
    for model in [inductive as fn(f64) -> Complex64, inductive_nearly_real] {
        for header in SIGNED_HEADERS {
            let s = ok_of(&csv(header, &freqs, model, 1.0));
            assert!(s.warnings.is_empty(), "{header}: {:?}", s.warnings);
            assert_eq!(s.imag_convention, ImagConvention::SignedFromHeader);
            assert!(s.z.last().unwrap().im > 0.0);
            assert_exact(&s, &freqs, model, 1.0);
        }
    }
}

#[test]
fn negated_header_over_minus_z_double_prime_gives_no_warning() {
    // The column really holds -Z'': negated back, without a word.
    for header in NEGATED_HEADERS {
        let freqs = full_arc();
        let s = ok_of(&csv(header, &freqs, arc, -1.0));
        assert!(s.warnings.is_empty(), "{header}: {:?}", s.warnings);
        assert_eq!(s.imag_convention, ImagConvention::NegatedFromHeader);
        assert_exact(&s, &freqs, arc, 1.0);
        // An inductive spectrum exported as -Z'' (negative values) likewise.
        let freqs = logspace(1.0, 6.0, 26);
        let s = ok_of(&csv(header, &freqs, inductive, -1.0));
        assert!(s.warnings.is_empty(), "{header}: {:?}", s.warnings);
        assert_exact(&s, &freqs, inductive, 1.0);
    }
}

#[test]
fn negated_header_over_signed_values_trusts_the_data_and_says_so() {
    // Case (b): header -Z'', values are signed Im Z (negative arc). Negating them
    // would give an inductive arc; they are read as signed Im Z, with a warning.
    let freqs = full_arc();
    for header in NEGATED_HEADERS {
        let s = ok_of(&csv(header, &freqs, arc, 1.0));
        assert_eq!(s.imag_convention, ImagConvention::SignedDespiteHeader, "{header}");
        assert!(s.z.iter().all(|z| z.im < 0.0), "{header}: capacitive, as the data are");
        assert_exact(&s, &freqs, arc, 1.0);
        assert_eq!(s.warnings.len(), 1, "{header}: {:?}", s.warnings);
        let w = &s.warnings[0];
        assert!(w.contains(&format!("\"{header}\"")), "names the column: {w}");
        assert!(w.contains("look like Z'' (signed Im Z)"), "{w}");
        assert!(
            w.contains("read as signed Im Z without negating"),
            "says what was done: {w}"
        );
        assert!(w.contains("trusting the data over the header"), "{w}");
        assert!(w.contains("rename it Z''"), "says what to do: {w}");
    }
}

#[test]
fn negated_header_over_signed_arc_with_inductive_tail_trusts_the_data() {
    // Case (b) with a cable tail on top: Im Z > 0 at the top frequencies, arc below.
    fn tail_and_arc(f: f64) -> Complex64 {
        arc(f) + Complex64::new(0.0, TAU * f * 1e-5)
    }
    let freqs = logspace(-2.0, 5.0, 36);
    assert!(tail_and_arc(1e5).im > 0.0 && tail_and_arc(10.0).im < 0.0);
    let s = ok_of(&csv("-Z''", &freqs, tail_and_arc, 1.0));
    assert_eq!(s.imag_convention, ImagConvention::SignedDespiteHeader);
    assert_exact(&s, &freqs, tail_and_arc, 1.0);
    // Signed header over the same data: nothing to say.
    let s = ok_of(&csv("Z''", &freqs, tail_and_arc, 1.0));
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    assert_exact(&s, &freqs, tail_and_arc, 1.0);
}

#[test]
fn signed_header_over_minus_z_double_prime_warns_and_keeps() {
    // Case (c): positive values shaped as a capacitive arc under a signed header.
    let freqs = full_arc();
    for header in SIGNED_HEADERS {
        let s = ok_of(&csv(header, &freqs, arc, -1.0));
        assert_eq!(s.imag_convention, ImagConvention::SignedFromHeader, "{header}");
        assert!(s.z.iter().all(|z| z.im > 0.0), "{header}: kept as the header says");
        assert_exact(&s, &freqs, arc, -1.0);
        assert_eq!(s.warnings.len(), 1, "{header}: {:?}", s.warnings);
        let w = &s.warnings[0];
        assert!(w.contains(&format!("\"{header}\"")), "names the column: {w}");
        assert!(w.contains("look like -Z''"), "{w}");
        assert!(w.contains("kept as signed Im Z, as the header says"), "{w}");
        assert!(w.contains("name it -Z''"), "{w}");
    }
}

// ---- issue 9: a column mapping reads a table whose header is not recognised ----------

#[test]
fn a_column_mapping_reads_modulus_and_phase_in_any_column() {
    use sigmafit::spectrum::{ColumnMapping, parse_spectrum_with};
    // Columns: a remark, phase (degrees), f, |Z|. At 0.5 Hz: |Z| = 20, phase -30 degrees,
    // so Z = 20 cos 30° - 20 sin 30° i = 17.3205... - 10 i.
    let text = "x y z w\nok -30 0.5 20\nok -20 5 18\nok -10 50 15\nok -5 500 12\nok -1 5000 10\n";
    assert!(parse_spectrum(text, "m.txt").unwrap_err().columns_not_recognised());
    let mapping = ColumnMapping::parse("_,phase,f,mod").unwrap();
    let s = parse_spectrum_with(text, "m.txt", Some(&mapping)).unwrap();
    assert_eq!(s.freq_hz, vec![0.5, 5.0, 50.0, 500.0, 5000.0]);
    assert!((s.z[0].re - 20.0 * 30f64.to_radians().cos()).abs() < 1e-12);
    assert!((s.z[0].im + 10.0).abs() < 1e-12);
    assert_eq!(s.imag_convention, ImagConvention::FromModulusPhase);
    assert_eq!(s.format, "delimited text, columns _,phase,f,mod");
}

#[test]
fn a_mapping_does_not_override_a_recognised_instrument_format() {
    use sigmafit::spectrum::{ColumnMapping, parse_spectrum_with};
    let text = "Frequency\t Zre\t Zimg\n1\t10\t-1\n10\t9\t-2\n100\t8\t-3\n1000\t7\t-2\n10000\t6\t-1\n";
    let mapping = ColumnMapping::parse("f,re,-im").unwrap();
    let s = parse_spectrum_with(text, "p.txt", Some(&mapping)).unwrap();
    assert_eq!(s.format, "PowerSuite text");
    // Zimg is signed Im Z: the first point (1 Hz) keeps Im Z = -1.
    assert_eq!(s.z[0], Complex64::new(10.0, -1.0));
    assert!(
        s.warnings.iter().any(|w| w.contains("f,re,-im was not used")),
        "{:?}",
        s.warnings
    );
}
