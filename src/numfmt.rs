//! The one number formatter: every number a person reads, in the CLI, on the page and
//! inside every sentence, is written here, so the same fit shows the same digits
//! everywhere.
//!
//! Two styles of the same digits:
//! - [`Style::Ascii`]: `(1.2732 ± 0.0006)e-4 S/cm`, hyphen-minus, e-notation; for
//!   terminals, CSV and JSON readers (the `±` sign and unit symbols are kept as given).
//! - [`Style::Typeset`]: `(1.2732 ± 0.0006) × 10⁻⁴ S/cm`, a true minus sign,
//!   superscript exponents and no-break spaces that keep a number with its unit.
//!
//! Rules, the same in both styles:
//! - plain notation for 0.01 ≤ |v| < 10⁵, scientific outside, the exponent taken
//!   after rounding (9.996e-5 to three figures is 1.00e-4, never 10.00e-5);
//! - a value with a standard error: the error to two significant figures (after
//!   rounding, so 996 is 1.0e3), the value to the same last digit;
//! - a result that rounds to zero is `0`, never `-0`.

use serde::{Deserialize, Serialize};

/// How the digits are dressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Style {
    /// `1.27e-4 S/cm`: e-notation and hyphen-minus (CLI, CSV).
    #[default]
    Ascii,
    /// `1.27 × 10⁻⁴ S/cm`: superscripts, minus sign, no-break spaces (the page).
    Typeset,
}

/// Exponents written plainly: 10⁻² ≤ |v| < 10⁵.
const PLAIN_EXPONENTS: std::ops::RangeInclusive<i32> = -2..=4;
const NBSP: char = '\u{a0}';

impl Style {
    fn space(self) -> char {
        match self {
            Style::Ascii => ' ',
            Style::Typeset => NBSP,
        }
    }

    /// Hyphen-minus to the typographic minus where typeset.
    fn minus(self, text: String) -> String {
        match self {
            Style::Ascii => text,
            Style::Typeset => text.replace('-', "\u{2212}"),
        }
    }

    fn times_ten_to(self, exponent: i32) -> String {
        match self {
            Style::Ascii => format!("e{exponent}"),
            Style::Typeset => format!("{NBSP}×{NBSP}10{}", superscript(exponent)),
        }
    }

    fn with_unit(self, number: String, unit: &str) -> String {
        if unit.is_empty() {
            number
        } else {
            format!("{number}{}{unit}", self.space())
        }
    }

    fn plus_minus(self) -> String {
        format!(" ±{}", self.space())
    }
}

/// `-4` as `⁻⁴`.
pub fn superscript(exponent: i32) -> String {
    exponent
        .to_string()
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            '9' => '⁹',
            other => other,
        })
        .collect()
}

/// A number that is not finite, as a person should read it.
fn not_finite(value: f64) -> &'static str {
    if value.is_nan() {
        "NaN"
    } else if value > 0.0 {
        "∞"
    } else {
        "-∞"
    }
}

/// Drops a sign in front of a number that reads as zero (`-0.00` → `0.00`).
fn unsigned_zero(text: String) -> String {
    match text.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => text,
    }
}

/// Mantissa with `decimals` digits after the point and the decimal exponent, rounded
/// first (Rust's `{:e}` carries 9.996e-5 to 1.00e-4).
fn mantissa_exponent(value: f64, decimals: usize) -> (String, i32) {
    let text = format!("{value:.decimals$e}");
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    (mantissa.to_string(), exponent.parse().unwrap_or(0))
}

/// Decimal exponent of |value| after rounding to `digits` significant figures.
fn rounded_exponent(value: f64, digits: usize) -> i32 {
    mantissa_exponent(value, digits.max(1) - 1).1
}

fn trim_zeros(text: &str) -> String {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text.to_string()
    }
}

fn significant(value: f64, digits: usize, unit: &str, style: Style, keep_zeros: bool) -> String {
    significant_in(value, digits, unit, style, keep_zeros, PLAIN_EXPONENTS)
}

fn significant_in(
    value: f64,
    digits: usize,
    unit: &str,
    style: Style,
    keep_zeros: bool,
    plain_exponents: std::ops::RangeInclusive<i32>,
) -> String {
    if !value.is_finite() {
        return style.with_unit(not_finite(value).to_string(), unit);
    }
    let digits = digits.clamp(1, 17);
    if value == 0.0 {
        return style.with_unit("0".into(), unit);
    }
    let exponent = rounded_exponent(value, digits);
    let number = if plain_exponents.contains(&exponent) {
        let last = exponent - (digits as i32 - 1);
        let decimals = (-last).max(0) as usize;
        // Past the decimal point the format rounds; above it, round to the last figure first.
        let rounded = if last > 0 {
            (value / 10f64.powi(last)).round() * 10f64.powi(last)
        } else {
            value
        };
        let text = unsigned_zero(format!("{rounded:.decimals$}"));
        if keep_zeros { text } else { trim_zeros(&text) }
    } else {
        let (mantissa, exponent) = mantissa_exponent(value, digits - 1);
        let mantissa = if keep_zeros { mantissa } else { trim_zeros(&mantissa) };
        format!("{mantissa}{}", style.times_ten_to(exponent))
    };
    style.with_unit(style.minus(number), unit)
}

/// `digits` significant figures, trailing zeros dropped: `0.00123`, `1.5e-7`.
pub fn sig(value: f64, digits: usize, style: Style) -> String {
    significant(value, digits, "", style, false)
}

/// `digits` significant figures, trailing zeros kept, with a unit: `1.00e-4 S/cm`.
pub fn value(value: f64, digits: usize, unit: &str, style: Style) -> String {
    significant(value, digits, unit, style, true)
}

/// Three significant figures with a unit (the usual way a derived number is quoted).
pub fn sci(v: f64, unit: &str, style: Style) -> String {
    value(v, 3, unit, style)
}

/// The most significant figures a value with an error is given to.
pub const MAX_DIGITS_WITH_ERROR: usize = 6;

/// Significant figures of a value quoted without a standard error.
pub const DIGITS_WITHOUT_ERROR: usize = 4;

/// A value with its standard error: the error to two significant figures and the
/// value to the same last digit, `149.69 ± 0.31 Ω`, `4530 ± 650 Ω`,
/// `(3.120 ± 0.010)e-8 F`. Without a usable error (None, zero, not finite) the value
/// alone to [`DIGITS_WITHOUT_ERROR`] figures.
pub fn with_error(value: f64, stderr: Option<f64>, unit: &str, style: Style) -> String {
    with_error_in(value, stderr, unit, style, PLAIN_EXPONENTS)
}

/// [`with_error`] always in scientific notation, `(2.51 ± 0.03)e-2 S/cm`: for a column of
/// values spread over decades (σ from 1e-5 to 1e-1 S/cm), which should read alike.
pub fn with_error_scientific(value: f64, stderr: Option<f64>, unit: &str, style: Style) -> String {
    with_error_in(value, stderr, unit, style, NEVER_PLAIN)
}

/// An empty range of exponents: nothing is written plainly.
#[allow(clippy::reversed_empty_ranges)]
const NEVER_PLAIN: std::ops::RangeInclusive<i32> = 1..=0;

fn with_error_in(
    value: f64,
    stderr: Option<f64>,
    unit: &str,
    style: Style,
    plain_exponents: std::ops::RangeInclusive<i32>,
) -> String {
    let Some(error) = stderr.filter(|e| e.is_finite() && *e > 0.0) else {
        return significant_in(value, DIGITS_WITHOUT_ERROR, unit, style, true, plain_exponents);
    };
    if !value.is_finite() {
        return style.with_unit(not_finite(value).to_string(), unit);
    }
    // The error to two figures first: its own rounding may carry (996 → 1.0e3).
    let error_exponent = rounded_exponent(error, 2);
    let last = error_exponent - 1;
    let step = 10f64.powi(last);
    let rounded = (value / step).round() * step;
    let error_rounded = (error / step).round() * step;
    let reference = if rounded == 0.0 { error_rounded } else { rounded };
    // A noise-free synthetic fit can have an error 1e-13 of its value: fourteen digits
    // say nothing to a reader. Past MAX_DIGITS_WITH_ERROR the value keeps that many and
    // the error is quoted on its own.
    let digits = rounded_exponent(reference, 17) - last + 1;
    if digits > MAX_DIGITS_WITH_ERROR as i32 {
        let number = format!(
            "{}{}{}",
            significant_in(value, MAX_DIGITS_WITH_ERROR, "", style, true, plain_exponents.clone()),
            style.plus_minus(),
            significant_in(error_rounded, 2, "", style, true, plain_exponents.clone())
        );
        return style.with_unit(number, unit);
    }
    let mut exponent = rounded_exponent(reference, digits.max(1) as usize);
    if plain_exponents.contains(&exponent) {
        let decimals = (-last).clamp(0, 17) as usize;
        let number = format!(
            "{}{}{error_rounded:.decimals$}",
            style.minus(unsigned_zero(format!("{rounded:.decimals$}"))),
            style.plus_minus()
        );
        return style.with_unit(number, unit);
    }
    let mut decimals = (exponent - last).clamp(0, 17) as usize;
    let mut mantissa = format!("{:.decimals$}", rounded / 10f64.powi(exponent));
    if mantissa.trim_start_matches('-').starts_with("10") {
        exponent += 1;
        decimals = (exponent - last).clamp(0, 17) as usize;
        mantissa = format!("{:.decimals$}", rounded / 10f64.powi(exponent));
    }
    let error_mantissa = format!("{:.decimals$}", error_rounded / 10f64.powi(exponent));
    let number = format!(
        "({}{}{error_mantissa}){}",
        style.minus(unsigned_zero(mantissa)),
        style.plus_minus(),
        style.times_ten_to(exponent)
    );
    style.with_unit(number, unit)
}

/// A formatted number and its unit, kept together as the style keeps them.
pub fn with_unit(number: String, unit: &str, style: Style) -> String {
    style.with_unit(number, unit)
}

/// A frequency with its prefix, three significant figures: `42.1 kHz`, `1 MHz`.
pub fn hz(frequency: f64, style: Style) -> String {
    let magnitude = frequency.abs();
    let (scaled, unit) = if magnitude >= 1e9 {
        (frequency, "Hz")
    } else if magnitude >= 1e6 {
        (frequency / 1e6, "MHz")
    } else if magnitude >= 1e3 {
        (frequency / 1e3, "kHz")
    } else {
        (frequency, "Hz")
    };
    // 999.95 kHz rounds to 1000 kHz: say 1 MHz instead.
    if (1e3..1e6).contains(&magnitude) && rounded_exponent(scaled, 3) >= 3 {
        return hz(1e6_f64.copysign(frequency), style);
    }
    if magnitude < 1e3 && magnitude > 0.0 && rounded_exponent(scaled, 3) >= 3 {
        return hz(1e3_f64.copysign(frequency), style);
    }
    style.with_unit(sig(scaled, 3, style), unit)
}

/// A length given in nm, in nm or µm, two significant figures.
pub fn length_nm(nm: f64, style: Style) -> String {
    if nm.abs() >= 1000.0 {
        style.with_unit(sig(nm / 1000.0, 2, style), "µm")
    } else {
        style.with_unit(sig(nm, 2, style), "nm")
    }
}

/// A percentage of a fraction, `digits` significant figures: 0.0085 → `0.85 %`.
pub fn percent(fraction: f64, digits: usize, style: Style) -> String {
    style.with_unit(sig(100.0 * fraction, digits, style), "%")
}

#[cfg(test)]
mod tests {
    use super::*;
    use Style::{Ascii, Typeset};

    // Every expected string below was worked out by hand from the rules in the module
    // documentation, not printed by this code.

    #[test]
    fn a_column_over_decades_can_be_written_all_in_scientific_notation() {
        use Style::{Ascii, Typeset};
        assert_eq!(
            with_error(0.0251, Some(0.0003), "S/cm", Ascii),
            "0.02510 ± 0.00030 S/cm"
        );
        assert_eq!(
            with_error_scientific(0.0251, Some(0.0003), "S/cm", Ascii),
            "(2.510 ± 0.030)e-2 S/cm"
        );
        assert_eq!(
            with_error_scientific(0.0251, Some(0.0003), "S/cm", Typeset),
            "(2.510 ±\u{a0}0.030)\u{a0}×\u{a0}10⁻²\u{a0}S/cm"
        );
        // Already scientific: the same either way.
        assert_eq!(
            with_error_scientific(1.2732e-4, Some(6e-8), "S/cm", Ascii),
            with_error(1.2732e-4, Some(6e-8), "S/cm", Ascii)
        );
        assert_eq!(with_error_scientific(0.0251, None, "S/cm", Ascii), "2.510e-2 S/cm");
        assert_eq!(with_error_scientific(150.0, Some(2.0), "", Ascii), "(1.500 ± 0.020)e2");
    }

    #[test]
    fn significant_figures() {
        assert_eq!(sig(0.0012345, 3, Ascii), "1.23e-3");
        assert_eq!(sig(0.012345, 3, Ascii), "0.0123");
        assert_eq!(sig(1234.4, 2, Ascii), "1200");
        assert_eq!(sig(1482.0, 3, Ascii), "1480");
        assert_eq!(sig(-2.5e-20, 2, Ascii), "-2.5e-20");
        assert_eq!(sig(2.0, 3, Ascii), "2");
        assert_eq!(sig(0.0, 3, Ascii), "0");
        assert_eq!(sig(-0.0, 3, Ascii), "0");
    }

    #[test]
    fn a_mantissa_that_carries_moves_the_exponent() {
        assert_eq!(sci(9.996e-5, "S/cm", Ascii), "1.00e-4 S/cm");
        assert_eq!(sci(9.996e-5, "S/cm", Typeset), "1.00\u{a0}×\u{a0}10⁻⁴\u{a0}S/cm");
        assert_eq!(sci(99999.0, "", Ascii), "1.00e5");
        assert_eq!(sci(0.009996, "", Ascii), "0.0100");
    }

    #[test]
    fn no_negative_zero() {
        assert_eq!(sci(-1e-300 * 1e-300, "Ω", Ascii), "0 Ω");
        assert_eq!(with_error(-0.0004, Some(0.31), "Ω", Ascii), "0.00 ± 0.31 Ω");
        assert_eq!(with_error(-0.0004, Some(0.31), "Ω", Typeset), "0.00 ±\u{a0}0.31\u{a0}Ω");
        assert_eq!(sig(-0.00001, 1, Ascii), "-1e-5");
    }

    #[test]
    fn scientific() {
        assert_eq!(sci(6.366e-10, "F", Ascii), "6.37e-10 F");
        assert_eq!(sci(12.5, "Ω", Ascii), "12.5 Ω");
        assert_eq!(
            sci(-1.27e-4, "S/cm", Typeset),
            "\u{2212}1.27\u{a0}×\u{a0}10⁻⁴\u{a0}S/cm"
        );
    }

    #[test]
    fn value_with_error() {
        assert_eq!(with_error(149.6912, Some(0.3121), "Ω", Ascii), "149.69 ± 0.31 Ω");
        assert_eq!(
            with_error(3.1204e-8, Some(1.02e-10), "F", Ascii),
            "(3.120 ± 0.010)e-8 F"
        );
        assert_eq!(
            with_error(1.95e-4, Some(1.87e-7), "S/cm", Ascii),
            "(1.9500 ± 0.0019)e-4 S/cm"
        );
        assert_eq!(with_error(0.78081, Some(0.11), "", Ascii), "0.78 ± 0.11");
        assert_eq!(with_error(1.0, None, "", Ascii), "1.000");
        assert_eq!(
            with_error(1.2732e-4, Some(6.1e-8), "S/cm", Typeset),
            "(1.27320 ±\u{a0}0.00061)\u{a0}×\u{a0}10⁻⁴\u{a0}S/cm"
        );
    }

    #[test]
    fn an_error_that_rounds_up_a_digit() {
        // 654 to two figures is 650, so the value is given to the tens: 4529.3 → 4530.
        assert_eq!(with_error(4529.3, Some(654.0), "Ω", Ascii), "4530 ± 650 Ω");
        // 996 to two figures is 1000 = 1.0e3: the value to the hundreds.
        assert_eq!(with_error(45_293.0, Some(996.0), "Ω", Ascii), "45300 ± 1000 Ω");
        // 0.0996 → 0.10: two decimals, not three.
        assert_eq!(with_error(2.3456, Some(0.0996), "", Ascii), "2.35 ± 0.10");
    }

    #[test]
    fn a_value_that_carries_past_its_exponent() {
        // 9.9996e-5 to the 1e-8 place is 1.0000e-4, written with exponent -4.
        assert_eq!(
            with_error(9.99996e-5, Some(1.2e-8), "", Ascii),
            "(1.00000 ± 0.00012)e-4"
        );
        assert_eq!(with_error(9.6e-5, Some(5.1e-6), "", Ascii), "(9.60 ± 0.51)e-5");
    }

    #[test]
    fn a_tiny_error_does_not_ask_for_fourteen_digits() {
        // A noise-free fit: σ's error is 4.5e-13 of σ. Six figures, the error on its own.
        assert_eq!(
            with_error(1.273239544723e-4, Some(5.7e-17), "S/cm", Ascii),
            "1.27324e-4 ± 5.7e-17 S/cm"
        );
        assert_eq!(
            with_error(1.273239544723e-4, Some(5.7e-17), "S/cm", Typeset),
            "1.27324\u{a0}×\u{a0}10⁻⁴ ±\u{a0}5.7\u{a0}×\u{a0}10⁻¹⁷\u{a0}S/cm"
        );
        assert_eq!(
            with_error(1000.00000001, Some(3.6e-8), "Ω", Ascii),
            "1000.00 ± 3.6e-8 Ω"
        );
        // Six figures exactly still take the usual form.
        assert_eq!(with_error(1000.04, Some(0.47), "Ω", Ascii), "1000.04 ± 0.47 Ω");
    }

    #[test]
    fn frequencies_and_lengths() {
        assert_eq!(hz(42_123.0, Ascii), "42.1 kHz");
        assert_eq!(hz(1e6, Ascii), "1 MHz");
        assert_eq!(hz(999_960.0, Ascii), "1 MHz");
        assert_eq!(hz(0.1, Ascii), "0.1 Hz");
        assert_eq!(hz(159_154.9, Typeset), "159\u{a0}kHz");
        assert_eq!(length_nm(2345.0, Ascii), "2.3 µm");
        assert_eq!(length_nm(12.34, Ascii), "12 nm");
        assert_eq!(percent(0.008512, 2, Ascii), "0.85 %");
    }

    #[test]
    fn not_finite_numbers_are_named() {
        assert_eq!(sci(f64::INFINITY, "S/cm", Ascii), "∞ S/cm");
        assert_eq!(with_error(f64::NAN, Some(1.0), "", Ascii), "NaN");
    }
}
