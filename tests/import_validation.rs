//! Import refuses garbage that would otherwise get a fitted result (issue 4.1).
//! Every input is built here; expected lines and columns are
//! counted by hand from the text (line 1 is the header when there is one).

use num_complex::Complex64;
use sigmafit::spectrum::{ImportError, MAX_ABS_VALUE, MIN_ABS_VALUE, Spectrum, parse_spectrum};

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
