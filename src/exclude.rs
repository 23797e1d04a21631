//! Points excluded from the fit by frequency (the `exclude_f_hz` setting, the CLI's
//! `--exclude-f`). By frequency, not by index, so that an exclusion survives a re-sort
//! or a re-import of the file, and so that a frequency read off a table or a plot
//! finds its point.

/// A point is excluded when its frequency is within this fraction of an excluded
/// frequency: instruments print frequencies to 4–6 figures, and 0.5 % is under half
/// the spacing of a sweep of 100 points per decade (2.3 %), so no exclusion catches two
/// neighbours.
pub const RELATIVE_TOLERANCE: f64 = 0.005;

/// Whether `f_hz` is one of the `excluded` frequencies.
pub fn is_excluded(f_hz: f64, excluded: &[f64]) -> bool {
    excluded.iter().any(|&x| matches(f_hz, x))
}

/// Whether a point at `f_hz` is the one meant by an exclusion at `excluded_hz`.
pub fn matches(f_hz: f64, excluded_hz: f64) -> bool {
    (f_hz - excluded_hz).abs() <= RELATIVE_TOLERANCE * excluded_hz.abs()
}

/// The first excluded frequency that matches none of `freq_hz`.
pub fn unmatched(freq_hz: &[f64], excluded: &[f64]) -> Option<f64> {
    excluded
        .iter()
        .copied()
        .find(|&x| !freq_hz.iter().any(|&f| matches(f, x)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_printed_frequency_finds_its_point_and_no_neighbour() {
        // 100 points per decade around 1 kHz: 977.2, 1000, 1023.3 Hz.
        let grid = [977.237, 1000.0, 1023.293];
        assert!(is_excluded(1000.0, &[999.97]));
        assert!(!is_excluded(977.237, &[999.97]));
        assert!(!is_excluded(1023.293, &[999.97]));
        assert_eq!(unmatched(&grid, &[1000.0, 1500.0]), Some(1500.0));
        assert_eq!(unmatched(&grid, &[1023.3]), None);
    }
}
