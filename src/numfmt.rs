//! Numbers as people read them: significant figures, scientific notation, and a
//! value with its standard error rounded to the error's precision.

/// `value` to `digits` significant figures, without trailing zeros.
pub fn sig(value: f64, digits: usize) -> String {
    if value == 0.0 || !value.is_finite() {
        return format!("{value}");
    }
    let magnitude = value.abs().log10().floor() as i32;
    let decimals = (digits as i32 - 1 - magnitude).clamp(0, 17) as usize;
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// Three significant figures, in scientific notation outside 0.01 .. 10 000.
pub fn sci(value: f64, unit: &str) -> String {
    if value == 0.0 || !value.is_finite() {
        return format!("{value} {unit}");
    }
    let exponent = value.abs().log10().floor() as i32;
    if (-2..4).contains(&exponent) {
        return format!("{} {unit}", sig(value, 3));
    }
    let mantissa = value / 10f64.powi(exponent);
    format!("{mantissa:.2}e{exponent} {unit}")
}

/// `149.69 ± 0.31 Ω` or `(3.120 ± 0.010)e-8 F`: the error to two significant
/// figures and the value to the same last digit.
pub fn with_error(value: f64, stderr: Option<f64>, unit: &str) -> String {
    let Some(error) = stderr.filter(|e| e.is_finite() && *e > 0.0) else {
        let magnitude = value.abs().log10().floor() as i32;
        let text = if value == 0.0 || (-3..5).contains(&magnitude) {
            format!("{} {unit}", sig(value, 5))
        } else {
            sci(value, unit)
        };
        return text.trim_end().to_string();
    };
    if !value.is_finite() {
        return format!("{value} {unit}");
    }
    let exponent = if value == 0.0 {
        error.abs().log10().floor() as i32
    } else {
        value.abs().log10().floor() as i32
    };
    let last_digit = error.log10().floor() as i32 - 1;
    if (-3..5).contains(&exponent) {
        let decimals = (-last_digit).clamp(0, 17) as usize;
        format!("{value:.decimals$} ± {error:.decimals$} {unit}")
            .trim_end()
            .to_string()
    } else {
        let scale = 10f64.powi(exponent);
        let decimals = (exponent - last_digit).clamp(0, 17) as usize;
        format!(
            "({:.decimals$} ± {:.decimals$})e{exponent} {unit}",
            value / scale,
            error / scale
        )
        .trim_end()
        .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn significant_figures() {
        assert_eq!(sig(0.0012345, 3), "0.00123");
        assert_eq!(sig(1234.4, 2), "1234");
        assert_eq!(sig(-2.5e-20, 2), "-0");
    }

    #[test]
    fn scientific() {
        assert_eq!(sci(6.366e-10, "F"), "6.37e-10 F");
        assert_eq!(sci(12.5, "Ω"), "12.5 Ω");
    }

    #[test]
    fn value_with_error() {
        assert_eq!(with_error(149.6912, Some(0.3121), "Ω"), "149.69 ± 0.31 Ω");
        assert_eq!(with_error(3.1204e-8, Some(1.02e-10), "F"), "(3.120 ± 0.010)e-8 F");
        assert_eq!(with_error(1.95e-4, Some(1.87e-7), "S/cm"), "(1.9500 ± 0.0019)e-4 S/cm");
        assert_eq!(with_error(4529.3, Some(654.0), "Ω"), "4529 ± 654 Ω");
        assert_eq!(with_error(0.78081, Some(0.11), ""), "0.78 ± 0.11");
        assert_eq!(with_error(1.0, None, ""), "1");
    }
}
