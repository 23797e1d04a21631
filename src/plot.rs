//! Plotting of impedance spectra: Nyquist, Bode and relative residuals.
//!
//! Every function is generic over a plotters [`DrawingBackend`], so the same
//! code draws onto an HTML canvas (through `plotters-canvas`) in the browser
//! and into an SVG string in tests.
//!
//! Design notes:
//! * No panics: data of any shape (empty, mismatched lengths, all points
//!   equal, NaN/inf) is filtered and ranges are padded; the worst outcome is an
//!   empty chart with a note, or a [`PlotError`] for a drawing area too small
//!   to hold a chart.
//! * The caller calls `present()` on the root drawing area; these functions
//!   never do, so several plots can share one backend.
//! * No text measuring is requested from plotters by this module (the web font
//!   code of plotters measures text through the DOM and unwraps): the legend is
//!   laid out from an estimate, and the right-hand phase axis of the Bode plot
//!   is drawn by hand instead of through plotters' secondary-axis mesh.
//! * Sizes are multiplied by [`PlotStyle::scale`] (device pixel ratio).
//!   Font sizes are canvas pixels (`plotters-canvas` uses the size as `px`;
//!   plotters' SVG backend writes `size / 1.24`).

use std::fmt;
use std::ops::Range;

use num_complex::Complex64;
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Input data of all three plots. Slices of unequal length are tolerated:
/// pairs are formed with `zip`, so extra elements are ignored; a missing
/// `fitted_mask` entry counts as "fitted".
pub struct PlotData<'a> {
    /// Measured frequencies in Hz (any order).
    pub freq_hz: &'a [f64],
    /// Measured impedance, physics sign (Im < 0 capacitive).
    pub z: &'a [Complex64],
    /// `true` = point was inside the fit range; `false` = excluded (hollow grey).
    pub fitted_mask: &'a [bool],
    /// Dense model curve frequencies (may be empty = no fit).
    pub curve_freq_hz: &'a [f64],
    /// Dense model curve impedance.
    pub curve_z: &'a [Complex64],
    /// Model at the measured frequencies (may be empty = no residuals).
    pub model_at_data: &'a [Complex64],
}

/// Appearance options.
#[derive(Clone, Debug)]
pub struct PlotStyle {
    /// Device pixel ratio: multiplies font sizes, stroke widths, marker sizes.
    pub scale: f64,
    /// CSS font family, e.g. "sans-serif".
    pub font_family: String,
    /// Dark theme.
    pub dark: bool,
}

impl Default for PlotStyle {
    fn default() -> Self {
        PlotStyle {
            scale: 1.0,
            font_family: "sans-serif".to_string(),
            dark: false,
        }
    }
}

/// Error of a plotting call (backend failure or unusable drawing area).
#[derive(Debug, Clone, PartialEq)]
pub struct PlotError(pub String);

impl fmt::Display for PlotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "plot error: {}", self.0)
    }
}

impl std::error::Error for PlotError {}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for PlotError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        PlotError(e.to_string())
    }
}

// ---------------------------------------------------------------------------
// Pure helpers (unit-tested)
// ---------------------------------------------------------------------------

/// Expand the smaller data span so that both axes have the same data units
/// per pixel. `px_w`/`px_h` are the pixel lengths the ranges map onto.
/// Ranges are expanded symmetrically about their centre; never shrunk.
/// Degenerate pixel sizes or non-finite input return the input unchanged.
pub fn equal_aspect_ranges(x: (f64, f64), y: (f64, f64), px_w: f64, px_h: f64) -> ((f64, f64), (f64, f64)) {
    let finite = [x.0, x.1, y.0, y.1, px_w, px_h].iter().all(|v| v.is_finite());
    if !finite || px_w <= 0.0 || px_h <= 0.0 {
        return (x, y);
    }
    let (x0, x1) = ordered(x);
    let (y0, y1) = ordered(y);
    let ux = (x1 - x0) / px_w;
    let uy = (y1 - y0) / px_h;
    let u = ux.max(uy);
    if u.is_nan() || u <= 0.0 || !u.is_finite() {
        return ((x0, x1), (y0, y1));
    }
    let expand = |lo: f64, hi: f64, px: f64, own: f64| -> (f64, f64) {
        if own >= u {
            return (lo, hi);
        }
        let c = 0.5 * (lo + hi);
        let half = 0.5 * u * px;
        (c - half, c + half)
    };
    (expand(x0, x1, px_w, ux), expand(y0, y1, px_h, uy))
}

/// Short readable tick label for value `v` on an axis spanning `span`.
///
/// Scheme: plain decimal numbers while the axis magnitude is within
/// `[1e-3, 1e5)`, with just enough decimals to tell ticks apart (trailing
/// zeros trimmed: `0.013`, `1500`, `-45`); otherwise scientific `1.5e5`,
/// `2e-4`. Values negligible against the span print as `0`.
pub fn format_tick(v: f64, span: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    let span = if span.is_finite() && span != 0.0 {
        span.abs()
    } else if v != 0.0 {
        v.abs()
    } else {
        1.0
    };
    // Ticks are at multiples of 1, 2 or 5 x 10^k with at most ~12 ticks per
    // axis, so 10^k >= span / 60.
    let resolution = span / 60.0;
    if v.abs() < resolution * 1e-3 {
        return "0".to_string();
    }
    let mag = v.abs().max(span);
    if (1e-3..1e5).contains(&mag) {
        let decimals = (-resolution.log10()).ceil().clamp(0.0, 12.0) as usize;
        let s = format!("{:.*}", decimals, v);
        clean_number(trim_decimal_zeros(&s))
    } else {
        let exp = v.abs().log10().floor();
        let decimals = (exp - resolution.log10()).ceil().clamp(0.0, 12.0) as usize;
        let s = format!("{:.*e}", decimals, v);
        match s.split_once('e') {
            Some((mantissa, e)) => format!("{}e{}", trim_decimal_zeros(mantissa), e),
            None => s,
        }
    }
}

/// Label of a tick on a logarithmic axis: `10³`, `10⁻¹`, or `2×10³` for the
/// intermediate ticks used when the axis spans few decades.
pub fn format_log_tick(v: f64) -> String {
    if !(v.is_finite() && v > 0.0) {
        return String::new();
    }
    let mut k = v.log10().floor();
    let mut m = v / 10f64.powf(k);
    // Guard against 999.9999 -> k = 2, m = 9.99999.
    if m >= 9.9995 {
        m /= 10.0;
        k += 1.0;
    }
    let k = k as i32;
    let power = format!("10{}", crate::numfmt::superscript(k));
    if (m - 1.0).abs() < 5e-4 {
        power
    } else {
        let ms = trim_decimal_zeros(&format!("{:.1}", m)).to_string();
        format!("{}×{}", ms, power)
    }
}

fn trim_decimal_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

fn clean_number(s: &str) -> String {
    if s == "-0" { "0".to_string() } else { s.to_string() }
}

fn ordered(r: (f64, f64)) -> (f64, f64) {
    if r.0 <= r.1 { r } else { (r.1, r.0) }
}

/// Min and max of the finite values, `None` if there are none.
pub(crate) fn finite_minmax(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values.filter(|v| v.is_finite()).fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// Pad a linear range by `frac` of its span on each side; a (nearly)
/// zero span is widened to +-10 % of the magnitude (or +-1 around 0).
/// Always returns a finite range with `lo < hi`, or `None` if impossible.
pub(crate) fn pad_range(r: (f64, f64), frac: f64) -> Option<(f64, f64)> {
    let (lo, hi) = ordered(r);
    if !(lo.is_finite() && hi.is_finite()) {
        return None;
    }
    let mag = lo.abs().max(hi.abs());
    let span = hi - lo;
    if !span.is_finite() {
        return None;
    }
    let (a, b) = if span > mag * 1e-9 {
        (lo - frac * span, hi + frac * span)
    } else {
        let c = 0.5 * (lo + hi);
        let half = if mag > 0.0 { mag * 0.1 } else { 1.0 };
        (c - half, c + half)
    };
    valid_range((a, b)).or_else(|| {
        let c = 0.5 * (lo + hi);
        valid_range((c - 1.0, c + 1.0))
    })
}

pub(crate) fn valid_range(r: (f64, f64)) -> Option<(f64, f64)> {
    let ok = r.0.is_finite() && r.1.is_finite() && r.1 > r.0 && (r.1 - r.0).is_finite();
    ok.then_some(r)
}

/// Widen a range to at least `min_span`, keeping its centre.
pub(crate) fn ensure_min_span(r: (f64, f64), min_span: f64) -> (f64, f64) {
    if r.1 - r.0 >= min_span {
        return r;
    }
    let c = 0.5 * (r.0 + r.1);
    (c - 0.5 * min_span, c + 0.5 * min_span)
}

/// Positive range for a log axis from positive finite values: padded by
/// `frac` of the log span on each side and at least `min_decades` wide.
pub(crate) fn log_range(values: impl Iterator<Item = f64>, frac: f64, min_decades: f64) -> Option<(f64, f64)> {
    // Exponents limited to +-300 keep 10^x normal, finite and positive.
    let (lo, hi) = finite_minmax(values.filter(|v| *v > 0.0).map(|v| v.log10().clamp(-300.0, 300.0)))?;
    let span = hi - lo;
    let (mut a, mut b) = (lo - frac * span, hi + frac * span);
    if b - a < min_decades {
        let c = 0.5 * (lo + hi);
        a = c - 0.5 * min_decades;
        b = c + 0.5 * min_decades;
    }
    let (a, b) = (a.clamp(-300.0, 300.0), b.clamp(-300.0, 300.0));
    valid_range((10f64.powf(a), 10f64.powf(b))).filter(|r| r.0 > 0.0)
}

/// Largest "nice" step (1, 2 or 5 x 10^k) giving at most `max_n` ticks in
/// `[lo, hi]` (at least 2 are aimed for).
fn nice_step(lo: f64, hi: f64, max_n: usize) -> f64 {
    let span = hi - lo;
    if !(span > 0.0 && span.is_finite()) {
        return 1.0;
    }
    let n = max_n.max(2) as f64;
    let e = (span / n).log10().floor() as i32;
    // Ascending candidates; the first one within budget wins, unless it
    // leaves fewer than two ticks: then the last one with two ticks does.
    let mut last_with_two = None;
    for k in (e - 1)..=(e + 2) {
        for m in [1.0, 2.0, 5.0] {
            let step = m * 10f64.powi(k);
            if !(step > 0.0 && step.is_finite()) {
                continue;
            }
            let count = (hi / step).floor() - (lo / step).ceil() + 1.0;
            if count <= n {
                return if count >= 2.0 {
                    step
                } else {
                    last_with_two.unwrap_or(step)
                };
            }
            last_with_two = Some(step);
        }
    }
    span
}

/// Multiples of `step` inside `[lo, hi]` (at most 1000).
fn ticks_with_step(lo: f64, hi: f64, step: f64) -> Vec<f64> {
    if !(step > 0.0 && step.is_finite() && lo.is_finite() && hi.is_finite() && hi >= lo) {
        return Vec::new();
    }
    let i0 = (lo / step - 1e-9).ceil();
    let i1 = (hi / step + 1e-9).floor();
    if !(i0.is_finite() && i1.is_finite()) || i1 - i0 > 1000.0 || i1 < i0 {
        return Vec::new();
    }
    let (i0, i1) = (i0 as i64, i1 as i64);
    (i0..=i1)
        .map(|i| {
            let v = i as f64 * step;
            if v == 0.0 { 0.0 } else { v }
        })
        .collect()
}

/// Ticks on a linear axis: at most `max_n`, nice steps.
pub(crate) fn nice_ticks(lo: f64, hi: f64, max_n: usize) -> Vec<f64> {
    ticks_with_step(lo, hi, nice_step(lo, hi, max_n))
}

/// Major (and optionally minor) ticks of a log axis on `[lo, hi]`, lo > 0.
fn log_ticks(lo: f64, hi: f64, max_n: usize, minor: bool) -> Vec<f64> {
    if !(lo > 0.0 && hi > lo && hi.is_finite()) {
        return Vec::new();
    }
    let max_n = max_n.max(2);
    let inside = |v: f64| v >= lo * (1.0 - 1e-9) && v <= hi * (1.0 + 1e-9);
    let k_lo = lo.log10().floor() as i32;
    let k_hi = hi.log10().ceil() as i32;
    let multiples = |ms: &[f64]| -> Vec<f64> {
        let mut out = Vec::new();
        for k in k_lo..=k_hi {
            let p = 10f64.powi(k);
            for m in ms {
                let v = m * p;
                if inside(v) {
                    out.push(v);
                }
            }
        }
        out
    };
    let decades = multiples(&[1.0]);
    let all_minor = multiples(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]);
    if decades.len() >= 3 {
        if decades.len() > max_n {
            // Thin decades: every `stride`-th exponent.
            let stride = decades.len().div_ceil(max_n).max(1) as i32;
            let major: Vec<f64> = decades
                .iter()
                .copied()
                .filter(|v| (v.log10().round() as i32).rem_euclid(stride) == 0)
                .collect();
            return if minor { decades } else { major };
        }
        if minor && all_minor.len() <= max_n.saturating_mul(10) {
            return all_minor;
        }
        return decades;
    }
    let one_two_five = multiples(&[1.0, 2.0, 5.0]);
    if one_two_five.len() >= 2 && one_two_five.len() <= max_n {
        return if minor { all_minor } else { one_two_five };
    }
    if all_minor.len() >= 2 && all_minor.len() <= max_n {
        return all_minor;
    }
    if decades.len() >= 2 {
        return decades;
    }
    // Very narrow range (should not happen: ranges span >= 0.7 decades).
    nice_ticks(lo, hi, max_n)
}

// ---------------------------------------------------------------------------
// Custom plotters axes (we own key-point generation: no plotters asserts on
// odd ranges, decade ticks on log axes, forced common step for Nyquist)
// ---------------------------------------------------------------------------

fn map_fraction(frac: f64, limit: (i32, i32)) -> i32 {
    let frac = if frac.is_finite() { frac } else { 0.0 };
    let len = f64::from(limit.1) - f64::from(limit.0);
    let px = f64::from(limit.0) + (len * frac + 1e-3).floor();
    px.clamp(-1.0e7, 1.0e7) as i32
}

/// Linear axis over f64 with nice ticks; `step` forces the tick step.
#[derive(Clone, Debug)]
pub(crate) struct LinAxis {
    lo: f64,
    hi: f64,
    step: Option<f64>,
}

impl LinAxis {
    pub(crate) fn new(r: (f64, f64)) -> Self {
        LinAxis {
            lo: r.0,
            hi: r.1,
            step: None,
        }
    }
    fn frac(&self, v: f64) -> f64 {
        (v - self.lo) / (self.hi - self.lo)
    }
    fn bold_step(&self, n: usize) -> f64 {
        match self.step {
            Some(s) if s > 0.0 && s.is_finite() => s,
            _ => nice_step(self.lo, self.hi, n),
        }
    }
}

impl Ranged for LinAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        map_fraction(self.frac(*value), limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        let step = self.bold_step(hint.bold_points());
        let bold = ticks_with_step(self.lo, self.hi, step);
        if !hint.weight().allow_light_points() {
            return bold;
        }
        let mantissa = step / 10f64.powf(step.log10().floor());
        let sub = if (mantissa - 2.0).abs() < 0.1 { 4.0 } else { 5.0 };
        let light = ticks_with_step(self.lo, self.hi, step / sub);
        if light.len() <= hint.max_num_points() {
            light
        } else {
            bold
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

/// Base-10 logarithmic axis (lo > 0) with decade ticks.
#[derive(Clone, Debug)]
pub(crate) struct LogAxis {
    pub(crate) lo: f64,
    pub(crate) hi: f64,
}

impl LogAxis {
    fn frac(&self, v: f64) -> f64 {
        if v.is_nan() || v <= 0.0 {
            return 0.0;
        }
        let (l0, l1) = (self.lo.log10(), self.hi.log10());
        (v.log10() - l0) / (l1 - l0)
    }
}

impl Ranged for LogAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        map_fraction(self.frac(*value), limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        let minor = hint.weight().allow_light_points();
        log_ticks(self.lo, self.hi, hint.bold_points(), minor)
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

// ---------------------------------------------------------------------------
// Theme, sizes, text
// ---------------------------------------------------------------------------

pub(crate) struct Theme {
    pub(crate) bg: RGBColor,
    pub(crate) fg: RGBColor,
    pub(crate) muted: RGBColor,
    pub(crate) grid_bold: RGBAColor,
    pub(crate) grid_light: RGBAColor,
    pub(crate) data: RGBColor,
    pub(crate) fit: RGBColor,
    pub(crate) second: RGBColor,
    /// The Bode plot's two fit lines: each a darker (lighter, dark theme) shade of its
    /// data's hue, so blue |Z| against orange phase stays apart for every common
    /// colour-vision deficiency (blue–orange survives protan and deutan vision; the
    /// lightness step tells each line from its own markers).
    pub(crate) fit_mag: RGBColor,
    pub(crate) fit_phase: RGBColor,
    pub(crate) excluded: RGBColor,
}

impl Theme {
    pub(crate) fn new(dark: bool) -> Self {
        if dark {
            Theme {
                bg: RGBColor(24, 24, 28),
                fg: RGBColor(225, 225, 225),
                muted: RGBColor(160, 160, 160),
                grid_bold: RGBColor(255, 255, 255).mix(0.18),
                grid_light: RGBColor(255, 255, 255).mix(0.07),
                data: RGBColor(94, 166, 240),
                fit: RGBColor(255, 99, 99),
                second: RGBColor(255, 170, 60),
                fit_mag: RGBColor(170, 210, 255),
                fit_phase: RGBColor(255, 214, 150),
                excluded: RGBColor(130, 130, 130),
            }
        } else {
            Theme {
                bg: RGBColor(255, 255, 255),
                fg: RGBColor(34, 34, 34),
                muted: RGBColor(110, 110, 110),
                grid_bold: RGBColor(0, 0, 0).mix(0.16),
                grid_light: RGBColor(0, 0, 0).mix(0.06),
                data: RGBColor(31, 119, 180),
                fit: RGBColor(214, 39, 40),
                second: RGBColor(230, 120, 0),
                fit_mag: RGBColor(0, 52, 120),
                fit_phase: RGBColor(150, 62, 0),
                excluded: RGBColor(150, 150, 150),
            }
        }
    }
}

/// Pixel sizes after applying the device pixel ratio.
pub(crate) struct Sizes {
    pub(crate) s: f64,
    pub(crate) tick_font: f64,
    pub(crate) desc_font: f64,
    pub(crate) line: u32,
    pub(crate) thin: u32,
    pub(crate) marker: i32,
    pub(crate) header: u32,
    pub(crate) margin_top: u32,
    pub(crate) margin_side: u32,
    pub(crate) margin_right: u32,
    pub(crate) margin_bottom: u32,
    pub(crate) left_area: u32,
    pub(crate) bottom_area: u32,
    pub(crate) right_area: u32,
    pub(crate) tick_len: i32,
}

impl Sizes {
    pub(crate) fn new(style: &PlotStyle, right_axis: bool) -> Self {
        let s = if style.scale.is_finite() && style.scale > 0.0 {
            style.scale.clamp(0.25, 8.0)
        } else {
            1.0
        };
        let px = |v: f64| (v * s).round().max(1.0) as u32;
        Sizes {
            s,
            tick_font: 13.0 * s,
            desc_font: 14.0 * s,
            line: px(2.0),
            thin: px(1.0),
            marker: px(3.0) as i32,
            header: px(26.0),
            margin_top: px(6.0),
            margin_side: px(8.0),
            margin_right: if right_axis { px(8.0) } else { px(20.0) },
            margin_bottom: px(6.0),
            left_area: px(74.0),
            bottom_area: px(48.0),
            right_area: if right_axis { px(66.0) } else { 0 },
            tick_len: px(5.0) as i32,
        }
    }

    /// Smallest drawing area (w, h) that leaves a usable plotting area.
    fn min_area(&self) -> (u32, u32) {
        let w = self.margin_side + self.margin_right + self.left_area + self.right_area + 20;
        let h = self.header + self.margin_top + self.margin_bottom + self.bottom_area + 20;
        (w, h)
    }

    /// Rough text width estimate (no DOM measuring; see module docs).
    pub(crate) fn text_width(&self, text: &str, font: f64) -> i32 {
        (text.chars().count() as f64 * 0.6 * font).round() as i32
    }
}

pub(crate) fn text_style<'a>(family: &'a str, size: f64, color: &RGBColor) -> TextStyle<'a> {
    TextStyle {
        font: FontDesc::new(FontFamily::from(family), size, FontStyle::Normal),
        color: color.to_backend_color(),
        pos: Pos::new(HPos::Left, VPos::Top),
    }
}

pub(crate) fn fill_style(c: &RGBColor) -> ShapeStyle {
    ShapeStyle {
        color: c.to_rgba(),
        filled: true,
        stroke_width: 1,
    }
}

pub(crate) fn stroke_style(c: &RGBColor, width: u32) -> ShapeStyle {
    ShapeStyle {
        color: c.to_rgba(),
        filled: false,
        stroke_width: width,
    }
}

// ---------------------------------------------------------------------------
// Markers and legend
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Shape {
    Circle,
    Square,
}

#[derive(Clone, Copy)]
pub(crate) enum LegendMark {
    Marker(Shape, RGBColor, bool),
    Line(RGBColor),
    /// A thin dashed line (a reference line, not data).
    Dashed(RGBColor),
}

pub(crate) fn marker_style(color: &RGBColor, filled: bool, sz: &Sizes) -> ShapeStyle {
    if filled {
        fill_style(color)
    } else {
        stroke_style(color, ((1.5 * sz.s).round() as u32).max(1))
    }
}

/// Markers centred on data points (radius in pixels).
pub(crate) fn draw_markers<DB, X, Y>(
    area: &DrawingArea<DB, Cartesian2d<X, Y>>,
    pts: &[(f64, f64)],
    shape: Shape,
    r: i32,
    style: ShapeStyle,
) -> Result<(), PlotError>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    for &p in pts {
        if !(p.0.is_finite() && p.1.is_finite()) {
            continue;
        }
        match shape {
            Shape::Circle => area.draw(&Circle::new(p, r, style))?,
            Shape::Square => area.draw(&(EmptyElement::at(p) + Rectangle::new([(-r, -r), (r, r)], style)))?,
        }
    }
    Ok(())
}

/// Polyline through `pts`, broken at non-finite points.
pub(crate) fn draw_polyline<DB, X, Y>(
    area: &DrawingArea<DB, Cartesian2d<X, Y>>,
    pts: &[(f64, f64)],
    style: ShapeStyle,
) -> Result<(), PlotError>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    for seg in pts.split(|p| !(p.0.is_finite() && p.1.is_finite())) {
        if seg.len() >= 2 {
            area.draw(&PathElement::new(seg.to_vec(), style))?;
        }
    }
    Ok(())
}

/// Width in pixels of a header key of `items` with `item_gap` between them.
fn legend_width(items: &[(LegendMark, &str)], item_gap: i32, sz: &Sizes) -> i32 {
    let sample_w = (16.0 * sz.s).round() as i32;
    let gap = (5.0 * sz.s).round() as i32;
    items
        .iter()
        .map(|(_, label)| sample_w + gap + sz.text_width(label, sz.tick_font))
        .sum::<i32>()
        + item_gap * (items.len() as i32 - 1).max(0)
}

/// Whether a header key of `items` fits in `width` pixels, with its gaps closed up.
pub(crate) fn legend_fits(items: &[(LegendMark, &str)], width: u32, sz: &Sizes) -> bool {
    sz.margin_side as i32 + legend_width(items, (8.0 * sz.s).round() as i32, sz) <= width as i32
}

/// Horizontal colour key in the header strip, starting at pixel `x0`.
/// The key above a chart: the chart's own series, then "fit" and "excluded"
/// where the chart shows them.
pub(crate) fn draw_legend<DB: DrawingBackend>(
    header: &DrawingArea<DB, Shift>,
    series: &[(LegendMark, &str)],
    shows_fit: bool,
    shows_excluded: bool,
    sz: &Sizes,
    theme: &Theme,
    family: &str,
) -> Result<(), PlotError> {
    let mut items = series.to_vec();
    if shows_fit {
        items.push((LegendMark::Line(theme.fit), "fit"));
    }
    if shows_excluded {
        items.push((LegendMark::Marker(Shape::Circle, theme.excluded, false), "excluded"));
    }
    let items = items.as_slice();
    let (w, h) = header.dim_in_pixel();
    let cy = (h as i32) / 2;
    let font = text_style(family, sz.tick_font, &theme.fg).pos(Pos::new(HPos::Left, VPos::Center));
    let sample_w = (16.0 * sz.s).round() as i32;
    let gap = (5.0 * sz.s).round() as i32;
    // A narrow chart with many entries (Bode with excluded points): start the key at the
    // chart's edge rather than its axis, and close up the gaps, before any is cut off.
    let width_with = |item_gap: i32| legend_width(items, item_gap, sz);
    let mut x0 = (sz.margin_side + sz.left_area) as i32;
    let mut item_gap = (18.0 * sz.s).round() as i32;
    if x0 + width_with(item_gap) > w as i32 {
        x0 = sz.margin_side as i32;
    }
    if x0 + width_with(item_gap) > w as i32 {
        item_gap = (8.0 * sz.s).round() as i32;
    }
    let r = sz.marker;
    let mut x = x0;
    for (mark, label) in items {
        let cx = x + sample_w / 2;
        match *mark {
            LegendMark::Marker(Shape::Circle, color, filled) => {
                header.draw(&Circle::new((cx, cy), r, marker_style(&color, filled, sz)))?
            }
            LegendMark::Marker(Shape::Square, color, filled) => header.draw(&Rectangle::new(
                [(cx - r, cy - r), (cx + r, cy + r)],
                marker_style(&color, filled, sz),
            ))?,
            LegendMark::Line(color) => header.draw(&PathElement::new(
                vec![(x, cy), (x + sample_w, cy)],
                stroke_style(&color, sz.line),
            ))?,
            LegendMark::Dashed(color) => {
                let dash = (sample_w / 3).max(2);
                for start in [x, x + 2 * dash] {
                    header.draw(&PathElement::new(
                        vec![(start, cy), (start + dash, cy)],
                        stroke_style(&color, sz.thin),
                    ))?;
                }
            }
        }
        x += sample_w + gap;
        header.draw_text(label, &font, (x, cy))?;
        x += sz.text_width(label, sz.tick_font) + item_gap;
    }
    Ok(())
}

pub(crate) type PixelArea<DB> = DrawingArea<DB, Shift>;

/// Check the area, paint the background and split off the legend strip.
pub(crate) fn prepare<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    sz: &Sizes,
    theme: &Theme,
) -> Result<(PixelArea<DB>, PixelArea<DB>), PlotError> {
    let (w, h) = area.dim_in_pixel();
    let (mw, mh) = sz.min_area();
    if w < mw || h < mh {
        return Err(PlotError(format!(
            "drawing area {w}x{h} px is too small (need at least {mw}x{mh} px)"
        )));
    }
    area.fill(&theme.bg)?;
    Ok(area.split_vertically(sz.header))
}

pub(crate) fn chart_builder<'a, 'b, DB: DrawingBackend>(
    body: &'a DrawingArea<DB, Shift>,
    sz: &Sizes,
) -> ChartBuilder<'a, 'b, DB> {
    let mut b = ChartBuilder::on(body);
    b.margin_top(sz.margin_top)
        .margin_bottom(sz.margin_bottom)
        .margin_left(sz.margin_side)
        .margin_right(sz.margin_right)
        .set_label_area_size(LabelAreaPosition::Left, sz.left_area)
        .set_label_area_size(LabelAreaPosition::Bottom, sz.bottom_area);
    if sz.right_area > 0 {
        b.set_label_area_size(LabelAreaPosition::Right, sz.right_area);
    }
    b
}

/// Pixel size (w, h) of the plotting area the builder will produce.
pub(crate) fn plotting_size<DB: DrawingBackend>(b: &mut ChartBuilder<DB>) -> Result<(u32, u32), PlotError> {
    let probe = b.build_cartesian_2d(LinAxis::new((0.0, 1.0)), LinAxis::new((0.0, 1.0)))?;
    Ok(probe.plotting_area().dim_in_pixel())
}

pub(crate) fn label_count(px: f64, per_label: f64) -> usize {
    let n = (px / per_label).floor();
    if n.is_finite() { (n as usize).clamp(2, 12) } else { 2 }
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn draw_mesh<DB, X, Y>(
    chart: &mut ChartContext<DB, Cartesian2d<X, Y>>,
    sz: &Sizes,
    theme: &Theme,
    family: &str,
    x_desc: &str,
    y_desc: &str,
    n_labels: (usize, usize),
    x_fmt: &dyn Fn(&f64) -> String,
    y_fmt: &dyn Fn(&f64) -> String,
) -> Result<(), PlotError>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64> + plotters::coord::ranged1d::ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + plotters::coord::ranged1d::ValueFormatter<f64>,
{
    chart
        .configure_mesh()
        .x_labels(n_labels.0)
        .y_labels(n_labels.1)
        .x_label_formatter(x_fmt)
        .y_label_formatter(y_fmt)
        .x_desc(x_desc)
        .y_desc(y_desc)
        .label_style(text_style(family, sz.tick_font, &theme.fg))
        .axis_desc_style(text_style(family, sz.desc_font, &theme.fg))
        .bold_line_style(ShapeStyle {
            color: theme.grid_bold,
            filled: false,
            stroke_width: sz.thin,
        })
        .light_line_style(ShapeStyle {
            color: theme.grid_light,
            filled: false,
            stroke_width: sz.thin,
        })
        .axis_style(stroke_style(&theme.fg, sz.thin))
        .set_all_tick_mark_size(sz.tick_len)
        .draw()?;
    Ok(())
}

/// Centred note ("no fit", "no data") in the plotting area.
pub(crate) fn draw_note<DB, X, Y>(
    area: &DrawingArea<DB, Cartesian2d<X, Y>>,
    text: &str,
    sz: &Sizes,
    theme: &Theme,
    family: &str,
) -> Result<(), PlotError>
where
    DB: DrawingBackend,
    X: Ranged,
    Y: Ranged,
{
    let plain = area.strip_coord_spec();
    let (w, h) = plain.dim_in_pixel();
    let style = text_style(family, sz.desc_font * 1.2, &theme.muted).pos(Pos::new(HPos::Center, VPos::Center));
    plain.draw_text(text, &style, ((w / 2) as i32, (h / 2) as i32))?;
    Ok(())
}

/// Unit prefix for a spectrum whose largest |Z| is `max_abs`:
/// returns (factor to multiply ohms by, unit label).
fn ohm_prefix(max_abs: Option<f64>) -> (f64, &'static str) {
    match max_abs {
        Some(m) if m.is_finite() && m >= 1e7 => (1e-6, "MΩ"),
        Some(m) if m.is_finite() && m >= 1e4 => (1e-3, "kΩ"),
        Some(m) if m.is_finite() && m > 0.0 && m < 1e-3 => (1e6, "µΩ"),
        Some(m) if m.is_finite() && m > 0.0 && m < 1.0 => (1e3, "mΩ"),
        _ => (1.0, "Ω"),
    }
}

fn is_fitted(mask: &[bool], i: usize) -> bool {
    mask.get(i).copied().unwrap_or(true)
}

fn phase_deg(z: Complex64) -> f64 {
    z.im.atan2(z.re).to_degrees()
}

// ---------------------------------------------------------------------------
// Nyquist
// ---------------------------------------------------------------------------

/// Nyquist plot: Z' right, -Z'' up, equal units per pixel on both axes.
pub fn draw_nyquist<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &PlotData,
    style: &PlotStyle,
) -> Result<(), PlotError> {
    draw_nyquist_labelled(area, data, style, "fit")
}

/// Where each data point was drawn: (its index in the spectrum, its position in the
/// backend's pixels). The page finds the point under a click from it.
pub type PointPixels = Vec<(usize, (i32, i32))>;

/// [`draw_nyquist`] with the line named `curve` in the key (the explorer's line is
/// the circuit itself, not a fit).
pub fn draw_nyquist_labelled<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &PlotData,
    style: &PlotStyle,
    curve_label: &str,
) -> Result<(), PlotError> {
    nyquist(area, data, style, curve_label).map(|_| ())
}

/// [`draw_nyquist`], returning where each data point was drawn.
pub fn draw_nyquist_located<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &PlotData,
    style: &PlotStyle,
) -> Result<PointPixels, PlotError> {
    nyquist(area, data, style, "fit")
}

/// The index of the point drawn nearest to (x, y), if it lies within `radius` pixels.
pub fn point_near(located: &PointPixels, x: f64, y: f64, radius: f64) -> Option<usize> {
    located
        .iter()
        .map(|(i, (px, py))| (*i, (f64::from(*px) - x).hypot(f64::from(*py) - y)))
        .filter(|(_, d)| *d <= radius)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

/// The indices of the points drawn between the pixel columns `x0` and `x1` (either
/// order), each once: a frequency range swept across the Bode plot.
pub fn points_between_columns(located: &PointPixels, x0: f64, x1: f64) -> Vec<usize> {
    let (lo, hi) = (x0.min(x1), x0.max(x1));
    let mut inside: Vec<usize> = located
        .iter()
        .filter(|(_, (px, _))| (lo..=hi).contains(&f64::from(*px)))
        .map(|(i, _)| *i)
        .collect();
    inside.sort_unstable();
    inside.dedup();
    inside
}

fn nyquist<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &PlotData,
    style: &PlotStyle,
    curve_label: &str,
) -> Result<PointPixels, PlotError> {
    let sz = Sizes::new(style, false);
    let theme = Theme::new(style.dark);
    let family = style.font_family.as_str();
    let (header, body) = prepare(area, &sz, &theme)?;

    let max_abs = finite_minmax(data.z.iter().chain(data.curve_z.iter()).map(|z| z.norm())).map(|(_, hi)| hi);
    let (factor, unit) = ohm_prefix(max_abs);
    let to_xy = |z: &Complex64| (z.re * factor, -z.im * factor);

    let mut fitted = Vec::new();
    let mut excluded = Vec::new();
    for (i, z) in data.z.iter().enumerate() {
        let p = to_xy(z);
        if !(p.0.is_finite() && p.1.is_finite()) {
            continue;
        }
        if is_fitted(data.fitted_mask, i) {
            fitted.push(p);
        } else {
            excluded.push(p);
        }
    }
    let curve: Vec<(f64, f64)> = data.curve_z.iter().map(to_xy).collect();
    let curve_ok = curve.iter().filter(|p| p.0.is_finite() && p.1.is_finite());
    let all: Vec<(f64, f64)> = fitted
        .iter()
        .chain(excluded.iter())
        .copied()
        .chain(curve_ok.copied())
        .collect();
    let has_curve = data
        .curve_z
        .iter()
        .filter(|z| z.re.is_finite() && z.im.is_finite())
        .count()
        >= 2;

    let xr = finite_minmax(all.iter().map(|p| p.0));
    let yr = finite_minmax(all.iter().map(|p| p.1)).map(|(lo, hi)| (lo.min(0.0), hi.max(0.0)));
    let has_data = !all.is_empty();
    let nodata = PlotError("Nyquist ranges are not finite".into());
    let xr = pad_range(xr.unwrap_or((0.0, 1.0)), 0.05).ok_or_else(|| nodata.clone())?;
    let yr = pad_range(yr.unwrap_or((0.0, 1.0)), 0.05).ok_or(nodata)?;

    let mut builder = chart_builder(&body, &sz);
    let (pw, ph) = plotting_size(&mut builder)?;
    // plotters maps a range onto (pixels - 1).
    let px_w = (f64::from(pw) - 1.0).max(1.0);
    let px_h = (f64::from(ph) - 1.0).max(1.0);
    let (xr, yr) = equal_aspect_ranges(xr, yr, px_w, px_h);
    let xr = valid_range(xr).ok_or_else(|| PlotError("invalid Nyquist x range".into()))?;
    let yr = valid_range(yr).ok_or_else(|| PlotError("invalid Nyquist y range".into()))?;

    // Same tick step on both axes: square grid cells.
    let n_x = label_count(px_w, 64.0 * sz.s);
    let n_y = label_count(px_h, 36.0 * sz.s);
    let step = nice_step(xr.0, xr.1, n_x).max(nice_step(yr.0, yr.1, n_y));
    let x_axis = LinAxis {
        lo: xr.0,
        hi: xr.1,
        step: Some(step),
    };
    let y_axis = LinAxis {
        lo: yr.0,
        hi: yr.1,
        step: Some(step),
    };
    let mut chart = builder.build_cartesian_2d(x_axis, y_axis)?;
    let located: PointPixels = data
        .z
        .iter()
        .enumerate()
        .map(|(i, z)| (i, to_xy(z)))
        .filter(|(_, p)| p.0.is_finite() && p.1.is_finite())
        .map(|(i, p)| (i, chart.backend_coord(&p)))
        .collect();

    let (xs, ys) = (xr.1 - xr.0, yr.1 - yr.0);
    draw_mesh(
        &mut chart,
        &sz,
        &theme,
        family,
        &format!("Z′ / {unit}"),
        &format!("−Z″ / {unit}"),
        (n_x, n_y),
        &|v| format_tick(*v, xs),
        &|v| format_tick(*v, ys),
    )?;

    let pa = chart.plotting_area();
    let origin = stroke_style(&theme.muted, sz.thin);
    if yr.0 < 0.0 && 0.0 < yr.1 {
        draw_polyline(pa, &[(xr.0, 0.0), (xr.1, 0.0)], origin)?;
    }
    if xr.0 < 0.0 && 0.0 < xr.1 {
        draw_polyline(pa, &[(0.0, yr.0), (0.0, yr.1)], origin)?;
    }
    if has_curve {
        draw_polyline(pa, &curve, stroke_style(&theme.fit, sz.line))?;
    }
    draw_markers(
        pa,
        &excluded,
        Shape::Circle,
        sz.marker,
        marker_style(&theme.excluded, false, &sz),
    )?;
    draw_markers(
        pa,
        &fitted,
        Shape::Circle,
        sz.marker,
        marker_style(&theme.data, true, &sz),
    )?;
    if !has_data {
        draw_note(pa, "no data", &sz, &theme, family)?;
    }

    let mut series = vec![(LegendMark::Marker(Shape::Circle, theme.data, true), "data")];
    if has_curve {
        series.push((LegendMark::Line(theme.fit), curve_label));
    }
    draw_legend(&header, &series, false, !excluded.is_empty(), &sz, &theme, family)?;
    Ok(located)
}

// ---------------------------------------------------------------------------
// Bode
// ---------------------------------------------------------------------------

/// Bode plot: |Z| (log, left axis, circles) and phase in degrees (linear,
/// right axis, squares) against log f.
pub fn draw_bode<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &PlotData,
    style: &PlotStyle,
) -> Result<(), PlotError> {
    draw_bode_labelled(area, data, style, "fit")
}

/// [`draw_bode`] with its two lines named "|Z| `curve`" and "phase `curve`" in the key.
pub fn draw_bode_labelled<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &PlotData,
    style: &PlotStyle,
    curve: &str,
) -> Result<(), PlotError> {
    bode(area, data, style, curve).map(|_| ())
}

/// [`draw_bode`], returning where each data point was drawn (its |Z| and its phase marker).
pub fn draw_bode_located<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &PlotData,
    style: &PlotStyle,
) -> Result<PointPixels, PlotError> {
    bode(area, data, style, "fit")
}

fn bode<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &PlotData,
    style: &PlotStyle,
    curve: &str,
) -> Result<PointPixels, PlotError> {
    let sz = Sizes::new(style, true);
    let theme = Theme::new(style.dark);
    let family = style.font_family.as_str();
    let (header, body) = prepare(area, &sz, &theme)?;

    let nan = (f64::NAN, f64::NAN);
    let valid_f = |f: f64| f.is_finite() && f > 0.0;
    let mag_pt = |f: f64, z: &Complex64| {
        let m = z.norm();
        if valid_f(f) && m.is_finite() && m > 0.0 {
            (f, m)
        } else {
            nan
        }
    };
    let phase_pt = |f: f64, z: &Complex64| {
        let p = phase_deg(*z);
        if valid_f(f) && p.is_finite() { (f, p) } else { nan }
    };

    let (mut mag_fit, mut mag_exc, mut ph_fit, mut ph_exc) = (vec![], vec![], vec![], vec![]);
    for (i, (&f, z)) in data.freq_hz.iter().zip(data.z.iter()).enumerate() {
        let (m, p) = (mag_pt(f, z), phase_pt(f, z));
        if is_fitted(data.fitted_mask, i) {
            mag_fit.push(m);
            ph_fit.push(p);
        } else {
            mag_exc.push(m);
            ph_exc.push(p);
        }
    }
    let pairs = || data.curve_freq_hz.iter().zip(data.curve_z.iter());
    let mag_curve: Vec<(f64, f64)> = pairs().map(|(&f, z)| mag_pt(f, z)).collect();
    let ph_curve: Vec<(f64, f64)> = pairs().map(|(&f, z)| phase_pt(f, z)).collect();
    let finite = |p: &&(f64, f64)| p.0.is_finite() && p.1.is_finite();
    let has_curve = mag_curve.iter().filter(finite).count() >= 2;

    let mags = || {
        mag_fit
            .iter()
            .chain(mag_exc.iter())
            .chain(mag_curve.iter())
            .filter(finite)
    };
    let phases = || ph_fit.iter().chain(ph_exc.iter()).chain(ph_curve.iter()).filter(finite);
    let has_data = mags().count() + phases().count() > 0;

    let xr = log_range(mags().chain(phases()).map(|p| p.0), 0.03, 0.7).unwrap_or((1.0, 1e3));
    let yr = log_range(mags().map(|p| p.1), 0.06, 0.7).unwrap_or((1.0, 1e3));
    let pr = finite_minmax(phases().map(|p| p.1))
        .and_then(|r| pad_range(r, 0.08))
        .map(|r| ensure_min_span(r, 10.0))
        .and_then(valid_range)
        .unwrap_or((-90.0, 0.0));

    let mut builder = chart_builder(&body, &sz);
    let (pw, ph) = plotting_size(&mut builder)?;
    let n_x = label_count(f64::from(pw), 50.0 * sz.s);
    let n_y = label_count(f64::from(ph), 40.0 * sz.s);
    let chart = builder.build_cartesian_2d(LogAxis { lo: xr.0, hi: xr.1 }, LogAxis { lo: yr.0, hi: yr.1 })?;
    let mut chart = chart.set_secondary_coord(LogAxis { lo: xr.0, hi: xr.1 }, LinAxis::new(pr));

    draw_mesh(
        &mut chart,
        &sz,
        &theme,
        family,
        "f / Hz",
        "|Z| / Ω",
        (n_x, n_y),
        &|v| format_log_tick(*v),
        &|v| format_log_tick(*v),
    )?;

    // Right-hand phase axis, drawn by hand (see module docs).
    let base = area.get_base_pixel();
    let (px_range, py_range) = chart.plotting_area().get_pixel_range();
    let x_right = px_range.end - base.0;
    let y_top = py_range.start - base.1;
    let y_bottom = py_range.end - 1 - base.1;
    let axis = stroke_style(&theme.fg, sz.thin);
    area.draw(&PathElement::new(vec![(x_right, y_top), (x_right, y_bottom)], axis))?;
    let label_font = text_style(family, sz.tick_font, &theme.fg).pos(Pos::new(HPos::Left, VPos::Center));
    let pspan = pr.1 - pr.0;
    let secondary = chart.borrow_secondary();
    for t in nice_ticks(pr.0, pr.1, n_y) {
        let y = secondary.backend_coord(&(xr.0, t)).1 - base.1;
        area.draw(&PathElement::new(vec![(x_right, y), (x_right + sz.tick_len, y)], axis))?;
        let x_text = x_right + 2 * sz.tick_len;
        area.draw_text(&format_tick(t, pspan), &label_font, (x_text, y))?;
    }
    let (aw, _) = area.dim_in_pixel();
    let desc_font = text_style(family, sz.desc_font, &theme.fg)
        .transform(FontTransform::Rotate90)
        .pos(Pos::new(HPos::Center, VPos::Top));
    area.draw_text(
        "phase / °",
        &desc_font,
        (aw as i32 - sz.margin_right as i32, (y_top + y_bottom) / 2),
    )?;

    let mut located = PointPixels::new();
    for (i, (&f, z)) in data.freq_hz.iter().zip(data.z.iter()).enumerate() {
        let (m, p) = (mag_pt(f, z), phase_pt(f, z));
        if m.0.is_finite() && m.1.is_finite() {
            located.push((i, chart.backend_coord(&m)));
        }
        if p.0.is_finite() && p.1.is_finite() {
            located.push((i, chart.borrow_secondary().backend_coord(&p)));
        }
    }
    let primary = chart.plotting_area();
    let secondary = chart.secondary_plotting_area();
    if has_curve {
        draw_polyline(primary, &mag_curve, stroke_style(&theme.fit_mag, sz.line))?;
        draw_polyline(secondary, &ph_curve, stroke_style(&theme.fit_phase, sz.line))?;
    }
    let hollow = marker_style(&theme.excluded, false, &sz);
    draw_markers(primary, &mag_exc, Shape::Circle, sz.marker, hollow)?;
    draw_markers(secondary, &ph_exc, Shape::Square, sz.marker, hollow)?;
    draw_markers(
        primary,
        &mag_fit,
        Shape::Circle,
        sz.marker,
        marker_style(&theme.data, true, &sz),
    )?;
    draw_markers(
        secondary,
        &ph_fit,
        Shape::Square,
        sz.marker,
        marker_style(&theme.second, true, &sz),
    )?;
    if !has_data {
        draw_note(primary, "no data", &sz, &theme, family)?;
    }

    // One legend line per fit (not the shared "fit" entry): the two are drawn in two colours.
    let (mag_label, phase_label) = (format!("|Z| {curve}"), format!("phase {curve}"));
    let mut series = vec![
        (LegendMark::Marker(Shape::Circle, theme.data, true), "|Z|"),
        (LegendMark::Marker(Shape::Square, theme.second, true), "phase"),
    ];
    if has_curve {
        series.push((LegendMark::Line(theme.fit_mag), mag_label.as_str()));
        series.push((LegendMark::Line(theme.fit_phase), phase_label.as_str()));
    }
    let shows_excluded = mag_exc.iter().chain(ph_exc.iter()).any(|p| finite(&p));
    draw_legend(&header, &series, false, shows_excluded, &sz, &theme, family)?;
    Ok(located)
}

// ---------------------------------------------------------------------------
// Residuals
// ---------------------------------------------------------------------------

/// The axes of a residual plot (the fit's, the Lin-KK test's): per cent, symmetric
/// about a zero line up to `ymax`, against log f over `xr`, with its mesh drawn.
fn residual_chart<'a, DB: DrawingBackend>(
    body: &'a DrawingArea<DB, Shift>,
    sz: &Sizes,
    theme: &Theme,
    family: &str,
    xr: (f64, f64),
    ymax: f64,
    y_label: &str,
) -> Result<ChartContext<'a, DB, Cartesian2d<LogAxis, LinAxis>>, PlotError> {
    let yr = pad_range((-ymax, ymax), 0.1).unwrap_or((-1.0, 1.0));
    let mut builder = chart_builder(body, sz);
    let (pw, ph) = plotting_size(&mut builder)?;
    let n_x = label_count(f64::from(pw), 50.0 * sz.s);
    let n_y = label_count(f64::from(ph), 40.0 * sz.s);
    let mut chart = builder.build_cartesian_2d(LogAxis { lo: xr.0, hi: xr.1 }, LinAxis::new(yr))?;
    let ys = yr.1 - yr.0;
    draw_mesh(
        &mut chart,
        sz,
        theme,
        family,
        "f / Hz",
        y_label,
        (n_x, n_y),
        &|v| format_log_tick(*v),
        &|v| format_tick(*v, ys),
    )?;
    draw_polyline(
        chart.plotting_area(),
        &[(xr.0, 0.0), (xr.1, 0.0)],
        stroke_style(&theme.muted, sz.thin),
    )?;
    Ok(chart)
}

/// Relative residuals (Z_model - Z_data) / |Z_data| in percent, real and
/// imaginary parts, against log f.
pub fn draw_residuals<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &PlotData,
    style: &PlotStyle,
) -> Result<(), PlotError> {
    let sz = Sizes::new(style, false);
    let theme = Theme::new(style.dark);
    let family = style.font_family.as_str();
    let (header, body) = prepare(area, &sz, &theme)?;

    let (mut re_fit, mut re_exc, mut im_fit, mut im_exc) = (vec![], vec![], vec![], vec![]);
    let triples = data.freq_hz.iter().zip(data.z.iter()).zip(data.model_at_data.iter());
    for (i, ((&f, zd), zm)) in triples.enumerate() {
        let norm = zd.norm();
        if !(f.is_finite() && f > 0.0 && norm.is_finite() && norm > 0.0) {
            continue;
        }
        let r = (zm - zd) / norm * 100.0;
        if !(r.re.is_finite() && r.im.is_finite()) {
            continue;
        }
        if is_fitted(data.fitted_mask, i) {
            re_fit.push((f, r.re));
            im_fit.push((f, r.im));
        } else {
            re_exc.push((f, r.re));
            im_exc.push((f, r.im));
        }
    }
    let all = || {
        re_fit
            .iter()
            .chain(re_exc.iter())
            .chain(im_fit.iter())
            .chain(im_exc.iter())
    };

    let xr = log_range(data.freq_hz.iter().copied(), 0.03, 0.7).unwrap_or((1.0, 1e3));
    let ymax = finite_minmax(all().map(|p| p.1.abs())).map(|(_, hi)| hi).unwrap_or(0.0);
    let chart = residual_chart(&body, &sz, &theme, family, xr, ymax, "residual / %")?;
    let pa = chart.plotting_area();
    let hollow = marker_style(&theme.excluded, false, &sz);
    draw_markers(pa, &re_exc, Shape::Circle, sz.marker, hollow)?;
    draw_markers(pa, &im_exc, Shape::Square, sz.marker, hollow)?;
    draw_markers(
        pa,
        &re_fit,
        Shape::Circle,
        sz.marker,
        marker_style(&theme.data, true, &sz),
    )?;
    draw_markers(
        pa,
        &im_fit,
        Shape::Square,
        sz.marker,
        marker_style(&theme.second, true, &sz),
    )?;
    if data.model_at_data.is_empty() {
        draw_note(pa, "no fit", &sz, &theme, family)?;
    } else if all().next().is_none() {
        draw_note(pa, "no residuals", &sz, &theme, family)?;
    }

    let series = [
        (LegendMark::Marker(Shape::Circle, theme.data, true), "Re"),
        (LegendMark::Marker(Shape::Square, theme.second, true), "Im"),
    ];
    draw_legend(&header, &series, false, !re_exc.is_empty(), &sz, &theme, family)
}

/// The Lin-KK residuals (Z − Ẑ)/|Z| of [`crate::kk`] in percent against log f, with
/// the flag limit ±FLAG_MULTIPLE × noise dashed and the flagged points ringed in the
/// fit colour. An error of the test (too few points) is a note on an empty chart.
pub fn draw_kk_residuals<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    kk: Result<&crate::kk::KkResult, &str>,
    style: &PlotStyle,
) -> Result<(), PlotError> {
    let sz = Sizes::new(style, false);
    let theme = Theme::new(style.dark);
    let family = style.font_family.as_str();
    let (header, body) = prepare(area, &sz, &theme)?;
    let (residuals, limit) = match kk {
        Ok(result) => (
            result.residuals.as_slice(),
            crate::kk::FLAG_MULTIPLE * result.noise * 100.0,
        ),
        Err(_) => (&[][..], f64::NAN),
    };
    let finite_point = |f: f64, v: f64| f.is_finite() && f > 0.0 && v.is_finite();
    let re: Vec<(f64, f64)> = residuals
        .iter()
        .map(|r| (r.f, 100.0 * r.re))
        .filter(|p| finite_point(p.0, p.1))
        .collect();
    let im: Vec<(f64, f64)> = residuals
        .iter()
        .map(|r| (r.f, 100.0 * r.im))
        .filter(|p| finite_point(p.0, p.1))
        .collect();
    let flagged: Vec<(f64, f64)> = residuals
        .iter()
        .filter(|r| r.flagged)
        .flat_map(|r| [(r.f, 100.0 * r.re), (r.f, 100.0 * r.im)])
        .filter(|p| finite_point(p.0, p.1) && p.1.abs() > limit)
        .collect();

    let xr = log_range(residuals.iter().map(|r| r.f), 0.03, 0.7).unwrap_or((1.0, 1e3));
    let largest = finite_minmax(re.iter().chain(im.iter()).map(|p| p.1.abs()))
        .map(|(_, hi)| hi)
        .unwrap_or(0.0);
    let ymax = if limit.is_finite() {
        largest.max(1.2 * limit)
    } else {
        largest
    };
    let chart = residual_chart(&body, &sz, &theme, family, xr, ymax, "KK residual / %")?;
    let pa = chart.plotting_area();
    if limit.is_finite() {
        // Dashed: twenty dashes across the decades.
        let (l0, l1) = (xr.0.log10(), xr.1.log10());
        for sign in [-1.0, 1.0] {
            for k in 0..20 {
                let a = 10f64.powf(l0 + (l1 - l0) * (k as f64) / 20.0);
                let b = 10f64.powf(l0 + (l1 - l0) * (k as f64 + 0.5) / 20.0);
                draw_polyline(
                    pa,
                    &[(a, sign * limit), (b, sign * limit)],
                    stroke_style(&theme.muted, sz.thin),
                )?;
            }
        }
    }
    draw_markers(pa, &re, Shape::Circle, sz.marker, marker_style(&theme.data, true, &sz))?;
    draw_markers(
        pa,
        &im,
        Shape::Square,
        sz.marker,
        marker_style(&theme.second, true, &sz),
    )?;
    draw_markers(
        pa,
        &flagged,
        Shape::Circle,
        sz.marker * 2,
        marker_style(&theme.fit, false, &sz),
    )?;
    match kk {
        Err(message) => draw_note(pa, message, &sz, &theme, family)?,
        Ok(_) if re.is_empty() => draw_note(pa, "no residuals", &sz, &theme, family)?,
        Ok(_) => {}
    }
    let mut series = vec![
        (LegendMark::Marker(Shape::Circle, theme.data, true), "Re"),
        (LegendMark::Marker(Shape::Square, theme.second, true), "Im"),
    ];
    if limit.is_finite() {
        series.push((LegendMark::Dashed(theme.muted), "flag limit"));
    }
    if !flagged.is_empty() {
        series.push((LegendMark::Marker(Shape::Circle, theme.fit, false), "flagged"));
    }
    draw_legend(&header, &series, false, false, &sz, &theme, family)
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    // ---- synthetic data -------------------------------------------------

    fn rc_model(f: f64, r1: f64, r2: f64, c: f64) -> Complex64 {
        let jw = Complex64::new(0.0, 2.0 * PI * f);
        Complex64::new(r1, 0.0) + Complex64::new(r2, 0.0) / (Complex64::new(1.0, 0.0) + jw * r2 * c)
    }

    /// Log-spaced frequencies from `f_hi` down to `f_lo`, `per_decade` a decade.
    fn log_freqs(f_hi: f64, f_lo: f64, per_decade: usize) -> Vec<f64> {
        let decades = (f_hi / f_lo).log10();
        let n = (decades * per_decade as f64).round() as usize;
        (0..=n)
            .map(|i| f_hi * 10f64.powf(-(i as f64) / per_decade as f64))
            .collect()
    }

    struct Spectrum {
        f: Vec<f64>,
        z: Vec<Complex64>,
        mask: Vec<bool>,
        cf: Vec<f64>,
        cz: Vec<Complex64>,
        model: Vec<Complex64>,
    }

    impl Spectrum {
        /// R1-(R2||C), 1 MHz..0.1 Hz, 10 points/decade, 1 % deterministic
        /// "noise", first 5 (highest-frequency) points excluded from the fit.
        fn rc(r1: f64, r2: f64, c: f64) -> Self {
            let f = log_freqs(1e6, 0.1, 10);
            let model: Vec<Complex64> = f.iter().map(|&f| rc_model(f, r1, r2, c)).collect();
            let z = model
                .iter()
                .enumerate()
                .map(|(i, m)| m * Complex64::new(1.0 + 0.01 * (i as f64).sin(), 0.01 * (i as f64 * 0.7).cos()))
                .collect();
            let mask = (0..f.len()).map(|i| i >= 5).collect();
            let cf = log_freqs(1e6, 0.1, 40);
            let cz = cf.iter().map(|&f| rc_model(f, r1, r2, c)).collect();
            Spectrum {
                f,
                z,
                mask,
                cf,
                cz,
                model,
            }
        }

        fn data(&self) -> PlotData<'_> {
            PlotData {
                freq_hz: &self.f,
                z: &self.z,
                fitted_mask: &self.mask,
                curve_freq_hz: &self.cf,
                curve_z: &self.cz,
                model_at_data: &self.model,
            }
        }
    }

    #[derive(Clone, Copy, Debug)]
    enum Kind {
        Nyquist,
        Bode,
        Residuals,
    }

    const KINDS: [Kind; 3] = [Kind::Nyquist, Kind::Bode, Kind::Residuals];

    fn render_sized(
        kind: Kind,
        data: &PlotData,
        style: &PlotStyle,
        size: (u32, u32),
    ) -> (Result<(), PlotError>, String) {
        let mut svg = String::new();
        let result = {
            let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
            let r = match kind {
                Kind::Nyquist => draw_nyquist(&root, data, style),
                Kind::Bode => draw_bode(&root, data, style),
                Kind::Residuals => draw_residuals(&root, data, style),
            };
            let presented = root.present().map_err(PlotError::from);
            r.and(presented)
        };
        (result, svg)
    }

    /// Located positions next to the circles the SVG actually holds.
    fn located(kind: Kind, data: &PlotData) -> (PointPixels, String) {
        let mut svg = String::new();
        let located = {
            let root = SVGBackend::with_string(&mut svg, (800, 500)).into_drawing_area();
            let located = match kind {
                Kind::Nyquist => draw_nyquist_located(&root, data, &PlotStyle::default()),
                _ => draw_bode_located(&root, data, &PlotStyle::default()),
            };
            root.present().unwrap();
            located.unwrap()
        };
        (located, svg)
    }

    #[test]
    fn located_points_are_where_their_markers_are_drawn() {
        let s = Spectrum::rc(100.0, 1000.0, 1e-7);
        for kind in [Kind::Nyquist, Kind::Bode] {
            let (located, svg) = located(kind, &s.data());
            // Nyquist: one position per point; Bode: |Z| and phase for each.
            let per_point = if matches!(kind, Kind::Nyquist) { 1 } else { 2 };
            assert_eq!(located.len(), per_point * s.f.len(), "{kind:?}");
            let circles = svg_circles(&svg);
            for (i, (x, y)) in located.iter().step_by(per_point).take(20) {
                // Bode's phase markers are squares; check the |Z| circles (the first of each pair).
                let drawn = circles
                    .iter()
                    .any(|(cx, cy, _)| (cx - f64::from(*x)).abs() <= 1.0 && (cy - f64::from(*y)).abs() <= 1.0);
                assert!(drawn, "{kind:?}: point {i} at ({x}, {y}) has no marker there");
            }
            // A click on a point's own position finds that point.
            for (i, (x, y)) in located.iter().step_by(7) {
                let found = point_near(&located, f64::from(*x), f64::from(*y), 2.0).unwrap();
                let near =
                    |(j, (fx, fy)): &(usize, (i32, i32))| *j == found && (fx - x).abs() <= 2 && (fy - y).abs() <= 2;
                assert!(located.iter().any(near), "{kind:?}: {i} found {found}");
            }
            assert_eq!(point_near(&located, -100.0, -100.0, 5.0), None);
        }
        // Nyquist: the largest Z' is drawn rightmost; Bode: the lowest frequency leftmost.
        let (nyquist, _) = located(Kind::Nyquist, &s.data());
        let rightmost = nyquist.iter().max_by_key(|(_, (x, _))| *x).unwrap().0;
        let widest = (0..s.z.len()).max_by(|a, b| s.z[*a].re.total_cmp(&s.z[*b].re)).unwrap();
        assert_eq!(rightmost, widest);
        let (bode, _) = located(Kind::Bode, &s.data());
        let leftmost = bode.iter().min_by_key(|(_, (x, _))| *x).unwrap().0;
        assert_eq!(leftmost, s.f.len() - 1, "frequencies run from 1 MHz down to 0.1 Hz");
        // A sweep across the left half of the Bode plot takes the low frequencies only.
        let xs: Vec<i32> = bode.iter().map(|(_, (x, _))| *x).collect();
        let mid = f64::from((xs.iter().min().unwrap() + xs.iter().max().unwrap()) / 2);
        let low = points_between_columns(&bode, 0.0, mid);
        assert!(!low.is_empty() && low.iter().all(|i| s.f[*i] < 1e3), "{low:?}");
    }

    fn render(kind: Kind, data: &PlotData) -> (Result<(), PlotError>, String) {
        render_sized(kind, data, &PlotStyle::default(), (800, 500))
    }

    // ---- tiny SVG reader ------------------------------------------------

    fn attr(tag: &str, name: &str) -> Option<String> {
        let key = format!(" {name}=\"");
        let start = tag.find(&key)? + key.len();
        let rest = tag.get(start..)?;
        Some(rest.get(..rest.find('"')?)?.to_string())
    }

    /// (x, y, content) of every <text> element (content unescaped for &amp;).
    fn svg_texts(svg: &str) -> Vec<(f64, f64, String)> {
        svg.split("<text")
            .skip(1)
            .filter_map(|chunk| {
                let open_end = chunk.find('>')?;
                let tag = chunk.get(..open_end)?;
                let body = chunk.get(open_end + 1..)?;
                let content = body.get(..body.find("</text>")?)?;
                let x = attr(tag, "x")?.parse().ok()?;
                let y = attr(tag, "y")?.parse().ok()?;
                Some((x, y, content.trim().replace("&amp;", "&")))
            })
            .collect()
    }

    /// (cx, cy, fill) of every <circle>.
    fn svg_circles(svg: &str) -> Vec<(f64, f64, String)> {
        svg.split("<circle")
            .skip(1)
            .filter_map(|chunk| {
                let tag = chunk.get(..chunk.find("/>")?)?;
                Some((
                    attr(tag, "cx")?.parse().ok()?,
                    attr(tag, "cy")?.parse().ok()?,
                    attr(tag, "fill")?,
                ))
            })
            .collect()
    }

    fn has_text(svg: &str, text: &str) -> bool {
        svg_texts(svg).iter().any(|t| t.2 == text)
    }

    fn hex(c: RGBColor) -> String {
        format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
    }

    // ---- pure helpers ---------------------------------------------------

    #[test]
    fn equal_aspect_gives_equal_units_per_pixel() {
        let cases = [
            ((100.0, 1100.0), (0.0, 500.0), 600.0, 400.0),
            ((0.0, 10.0), (0.0, 1000.0), 700.0, 300.0),
            ((-5.0, 5.0), (2.0, 3.0), 200.0, 900.0),
            ((0.010, 0.014), (-0.001, 0.003), 511.0, 377.0),
            ((3.0, 4.0), (7.0, 8.0), 100.0, 100.0),
        ];
        for (x, y, w, h) in cases {
            let ((x0, x1), (y0, y1)) = equal_aspect_ranges(x, y, w, h);
            let ux = (x1 - x0) / w;
            let uy = (y1 - y0) / h;
            assert!(
                (ux - uy).abs() <= 1e-12 * ux.abs().max(uy.abs()),
                "{x:?} {y:?} {w} {h}: {ux} vs {uy}"
            );
            // Original ranges stay inside, one axis is unchanged.
            assert!(x0 <= x.0 && x1 >= x.1 && y0 <= y.0 && y1 >= y.1);
            assert!((x0, x1) == x || (y0, y1) == y);
        }
        // The centre of the expanded axis is preserved.
        let (_, (y0, y1)) = equal_aspect_ranges((0.0, 1000.0), (0.0, 100.0), 500.0, 500.0);
        assert!((y0 + 450.0).abs() < 1e-9 && (y1 - 550.0).abs() < 1e-9, "{y0} {y1}");
        // Degenerate pixel sizes / non-finite input: unchanged, no panic.
        assert_eq!(
            equal_aspect_ranges((0.0, 1.0), (0.0, 2.0), 0.0, 10.0),
            ((0.0, 1.0), (0.0, 2.0))
        );
        assert_eq!(
            equal_aspect_ranges((0.0, 1.0), (0.0, 2.0), 10.0, f64::NAN),
            ((0.0, 1.0), (0.0, 2.0))
        );
        let r = equal_aspect_ranges((f64::NAN, 1.0), (0.0, 2.0), 10.0, 10.0);
        assert!(r.0.0.is_nan());
    }

    #[test]
    fn format_tick_cases() {
        let cases: &[(f64, f64, &str)] = &[
            (0.013, 0.02, "0.013"),
            (0.0125, 0.02, "0.0125"),
            (0.012, 0.02, "0.012"),
            (1500.0, 2000.0, "1500"),
            (1000.0, 2000.0, "1000"),
            (-45.0, 90.0, "-45"),
            (2.5, 10.0, "2.5"),
            (0.30000000000000004, 1.0, "0.3"),
            (150_000.0, 1e6, "1.5e5"),
            (100_000.0, 5e5, "1e5"),
            (99_999.999_999, 5e5, "1e5"),
            (0.0002, 0.0005, "2e-4"),
            (1.0e-17, 1.0, "0"),
            (-1.0e-17, 1.0, "0"),
            (0.0, 0.0, "0"),
            (5.0, 0.0, "5"),
        ];
        for &(v, span, want) in cases {
            assert_eq!(format_tick(v, span), want, "format_tick({v}, {span})");
        }
        assert_eq!(format_tick(f64::NAN, 1.0), "");
        assert_eq!(format_tick(1.0, f64::NAN), "1");
    }

    #[test]
    fn ticks_of_milliohm_range_format_distinctly() {
        for (lo, hi) in [
            (0.0103, 0.0137),
            (-0.001, 0.0065),
            (0.0, 0.013),
            (12.9, 13.1),
            (1.0e6, 1.0e6 + 40.0),
        ] {
            for n in 2..=12 {
                let ticks = nice_ticks(lo, hi, n);
                assert!(
                    ticks.len() >= 2 && ticks.len() <= n.max(4),
                    "{lo}..{hi} n={n}: {ticks:?}"
                );
                let labels: Vec<String> = ticks.iter().map(|&t| format_tick(t, hi - lo)).collect();
                let mut uniq = labels.clone();
                uniq.sort();
                uniq.dedup();
                assert_eq!(uniq.len(), labels.len(), "{lo}..{hi} n={n}: {labels:?}");
            }
        }
    }

    #[test]
    fn format_log_tick_cases() {
        assert_eq!(format_log_tick(1000.0), "10³");
        assert_eq!(format_log_tick(0.1), "10⁻¹");
        assert_eq!(format_log_tick(1.0), "10⁰");
        assert_eq!(format_log_tick(1e-12), "10⁻¹²");
        assert_eq!(format_log_tick(200.0), "2×10²");
        assert_eq!(format_log_tick(999.999_999_9), "10³");
        assert_eq!(format_log_tick(0.05), "5×10⁻²");
        assert_eq!(format_log_tick(0.0), "");
        assert_eq!(format_log_tick(f64::NAN), "");
    }

    #[test]
    fn log_ticks_are_decades_or_enough_fallbacks() {
        let t = log_ticks(0.08, 1.3e6, 10, false);
        assert_eq!(t.len(), 8, "{t:?}");
        assert!(
            t.iter()
                .zip([0.1, 1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6])
                .all(|(a, b)| (a / b - 1.0).abs() < 1e-9)
        );
        // Many decades are thinned to the label budget.
        assert!(log_ticks(1e-10, 1e10, 6, false).len() <= 6);
        // Narrow ranges (as produced by log_range) still get >= 2 labels.
        for (lo, hi) in [(100.0, 110.0), (1.0, 1.0), (0.013, 0.0131), (7.0, 9.0)] {
            let (a, b) = log_range([lo, hi].into_iter(), 0.05, 0.7).unwrap_or((0.0, 0.0));
            let t = log_ticks(a, b, 8, false);
            assert!(t.len() >= 2 && t.len() <= 8, "{lo}..{hi} -> {a}..{b}: {t:?}");
        }
        assert!(log_ticks(-1.0, 10.0, 5, false).is_empty());
        assert!(log_ticks(f64::NAN, 10.0, 5, true).is_empty());
    }

    #[test]
    fn ranges_never_degenerate() {
        assert_eq!(pad_range((5.0, 5.0), 0.05), Some((4.5, 5.5)));
        assert_eq!(pad_range((0.0, 0.0), 0.05), Some((-1.0, 1.0)));
        assert_eq!(pad_range((f64::NAN, 1.0), 0.05), None);
        assert!(pad_range((-1e308, 1e308), 0.05).is_none());
        let (a, b) = pad_range((0.013, 0.013), 0.05).unwrap_or((0.0, 0.0));
        assert!(a < 0.013 && b > 0.013);
        assert_eq!(
            finite_minmax([f64::NAN, 3.0, f64::INFINITY, -2.0].into_iter()),
            Some((-2.0, 3.0))
        );
        assert_eq!(finite_minmax([f64::NAN].into_iter()), None);
        assert!(log_range([0.0, -1.0, f64::NAN].into_iter(), 0.05, 0.7).is_none());
        assert_eq!(ohm_prefix(Some(2e4)).1, "kΩ");
        assert_eq!(ohm_prefix(Some(3e7)).1, "MΩ");
        assert_eq!(ohm_prefix(Some(1100.0)).1, "Ω");
        assert_eq!(ohm_prefix(Some(0.013)).1, "mΩ");
        assert_eq!(ohm_prefix(None).1, "Ω");
    }

    // ---- rendering ------------------------------------------------------

    #[test]
    fn renders_synthetic_spectrum() {
        let s = Spectrum::rc(100.0, 1000.0, 1e-8);
        let d = s.data();
        let expect: [(Kind, &[&str]); 3] = [
            (Kind::Nyquist, &["Z′ / Ω", "−Z″ / Ω", "data", "fit", "excluded"]),
            (
                Kind::Bode,
                &[
                    "f / Hz",
                    "|Z| / Ω",
                    "phase / °",
                    "10⁶",
                    "10⁻¹",
                    "|Z| fit",
                    "phase fit",
                    "excluded",
                ],
            ),
            (Kind::Residuals, &["f / Hz", "residual / %", "Re", "Im", "excluded"]),
        ];
        let fit_colour = format!("stroke=\"{}\"", hex(Theme::new(false).fit));
        for (kind, needles) in expect {
            let (r, svg) = render(kind, &d);
            assert_eq!(r, Ok(()), "{kind:?}");
            for n in needles {
                assert!(has_text(&svg, n), "{kind:?}: missing {n}");
            }
            assert!(svg.contains("<polyline"), "{kind:?}: no polyline");
            assert!(!has_text(&svg, "no fit"), "{kind:?}");
            if matches!(kind, Kind::Nyquist) {
                let fit_lines = svg
                    .split("<polyline")
                    .filter(|p| p.split("/>").next().is_some_and(|t| t.contains(&fit_colour)));
                assert!(fit_lines.count() >= 2, "{kind:?}: fit line missing"); // curve(s) + legend sample
            }
        }
    }

    #[test]
    fn a_narrow_bode_keeps_its_whole_key() {
        // Bode with excluded points has five entries; at 427 px (a plot beside another
        // at 1280 px) the last one used to run off the right edge.
        let width = 427;
        let (r, svg) = render_sized(
            Kind::Bode,
            &Spectrum::rc(100.0, 1000.0, 1e-8).data(),
            &PlotStyle::default(),
            (width, 300),
        );
        assert_eq!(r, Ok(()));
        let label = "excluded";
        let (x, _, _) = svg_texts(&svg)
            .into_iter()
            .find(|t| t.2 == label)
            .expect("the key names the excluded points");
        let sz = Sizes::new(&PlotStyle::default(), true);
        let end = x + sz.text_width(label, sz.tick_font) as f64;
        assert!(end <= width as f64, "the key ends at {end} px, past {width} px");
    }

    #[test]
    fn bode_fit_lines_have_their_own_colours() {
        // |Z| and phase fits in two colours, neither that of the other's data, each with a legend line.
        for dark in [false, true] {
            let theme = Theme::new(dark);
            let style = PlotStyle {
                dark,
                ..PlotStyle::default()
            };
            let (r, svg) = render_sized(
                Kind::Bode,
                &Spectrum::rc(100.0, 1000.0, 1e-8).data(),
                &style,
                (640, 440),
            );
            assert_eq!(r, Ok(()));
            let colours = [theme.fit_mag, theme.fit_phase];
            assert_ne!(hex(colours[0]), hex(colours[1]));
            for c in colours {
                assert_ne!(hex(c), hex(theme.data));
                assert_ne!(hex(c), hex(theme.second));
                let stroke = format!("stroke=\"{}\"", hex(c));
                let lines = svg
                    .split("<polyline")
                    .filter(|p| p.split("/>").next().is_some_and(|t| t.contains(&stroke)))
                    .count();
                assert!(
                    lines >= 2,
                    "dark {dark}: {stroke}: {lines} lines (curve + legend sample)"
                );
            }
            assert!(has_text(&svg, "|Z| fit") && has_text(&svg, "phase fit"));
            assert!(!has_text(&svg, "fit"), "one legend entry per fit line, no shared one");
        }
    }

    #[test]
    fn nyquist_has_equal_pixels_per_ohm() {
        // All points fitted: every data circle is drawn in the data colour.
        let mut s = Spectrum::rc(100.0, 1000.0, 1e-8);
        s.mask = vec![true; s.f.len()];
        let data_fill = hex(Theme::new(false).data);
        for size in [(800, 500), (500, 800), (640, 640)] {
            let (r, svg) = render_sized(Kind::Nyquist, &s.data(), &PlotStyle::default(), size);
            assert_eq!(r, Ok(()));
            let header = Sizes::new(&PlotStyle::default(), false).header as f64;
            let pts: Vec<(f64, f64)> = svg_circles(&svg)
                .into_iter()
                .filter(|c| c.2 == data_fill && c.1 > header)
                .map(|c| (c.0, c.1))
                .collect();
            assert_eq!(pts.len(), s.f.len());
            let ohm = |sel: fn(&Complex64) -> f64| finite_minmax(s.z.iter().map(sel)).unwrap_or((0.0, 0.0));
            let (re0, re1) = ohm(|z| z.re);
            let (im0, im1) = ohm(|z| -z.im);
            let (cx0, cx1) = finite_minmax(pts.iter().map(|p| p.0)).unwrap_or((0.0, 0.0));
            let (cy0, cy1) = finite_minmax(pts.iter().map(|p| p.1)).unwrap_or((0.0, 0.0));
            let px_per_ohm_x = (cx1 - cx0) / (re1 - re0);
            let px_per_ohm_y = (cy1 - cy0) / (im1 - im0);
            let rel = (px_per_ohm_x / px_per_ohm_y - 1.0).abs();
            assert!(rel < 0.01, "{size:?}: x {px_per_ohm_x} px/ohm, y {px_per_ohm_y} px/ohm");
            // -Z'' points up: the apex (largest -Z'') has the smallest cy.
            let apex =
                s.z.iter()
                    .zip(&pts)
                    .max_by(|a, b| (-a.0.im).total_cmp(&-b.0.im))
                    .map(|p| p.1.1);
            assert_eq!(apex, Some(cy0));
        }
    }

    #[test]
    fn renders_without_curve_and_model() {
        let s = Spectrum::rc(100.0, 1000.0, 1e-8);
        let d = PlotData {
            curve_freq_hz: &[],
            curve_z: &[],
            model_at_data: &[],
            ..s.data()
        };
        for kind in KINDS {
            let (r, svg) = render(kind, &d);
            assert_eq!(r, Ok(()), "{kind:?}");
            assert!(!has_text(&svg, "fit"), "{kind:?}: fit legend without a fit");
        }
        let (_, svg) = render(Kind::Residuals, &d);
        assert!(has_text(&svg, "no fit") && has_text(&svg, "residual / %"));
    }

    #[test]
    fn empty_data_draws_empty_chart() {
        let d = PlotData {
            freq_hz: &[],
            z: &[],
            fitted_mask: &[],
            curve_freq_hz: &[],
            curve_z: &[],
            model_at_data: &[],
        };
        for kind in KINDS {
            let (r, svg) = render(kind, &d);
            assert_eq!(r, Ok(()), "{kind:?}");
            assert!(has_text(&svg, "no data") || has_text(&svg, "no fit"), "{kind:?}");
        }
    }

    #[test]
    fn identical_points_do_not_panic() {
        let f = vec![10.0; 8];
        let z = vec![Complex64::new(100.0, -50.0); 8];
        let m = vec![Complex64::new(100.0, -50.0); 8];
        let zero = vec![Complex64::new(0.0, 0.0); 8];
        for (zs, ms) in [(&z, &m), (&zero, &zero)] {
            let d = PlotData {
                freq_hz: &f,
                z: zs,
                fitted_mask: &[],
                curve_freq_hz: &f,
                curve_z: ms,
                model_at_data: ms,
            };
            for kind in KINDS {
                let (r, svg) = render(kind, &d);
                assert_eq!(r, Ok(()), "{kind:?}");
                assert!(!svg.contains("NaN") && !svg.contains("inf"), "{kind:?}");
            }
        }
    }

    #[test]
    fn non_finite_and_mismatched_data_do_not_panic() {
        let mut s = Spectrum::rc(100.0, 1000.0, 1e-8);
        s.z[3] = Complex64::new(f64::NAN, 1.0);
        s.z[7] = Complex64::new(f64::INFINITY, -1.0);
        s.f[10] = f64::NAN;
        s.f[11] = -5.0;
        s.f[12] = 0.0;
        s.cz[20] = Complex64::new(f64::NAN, f64::NAN);
        s.cf[30] = f64::INFINITY;
        s.model[15] = Complex64::new(f64::NAN, 0.0);
        s.mask.truncate(3); // shorter than the data
        s.model.truncate(40); // shorter than the data
        for kind in KINDS {
            let (r, svg) = render(kind, &s.data());
            assert_eq!(r, Ok(()), "{kind:?}");
            assert!(!svg.contains("NaN"), "{kind:?}");
        }
        // Only NaN.
        let nan = [Complex64::new(f64::NAN, f64::NAN); 3];
        let fnan = [f64::NAN; 3];
        let d = PlotData {
            freq_hz: &fnan,
            z: &nan,
            fitted_mask: &[],
            curve_freq_hz: &fnan,
            curve_z: &nan,
            model_at_data: &nan,
        };
        for kind in KINDS {
            let (r, _) = render(kind, &d);
            assert_eq!(r, Ok(()), "{kind:?}");
        }
        // Huge values beyond a sensible range: Ok or Err, never a panic.
        let huge = [Complex64::new(1e308, -1e308), Complex64::new(-1e308, 1e308)];
        let d = PlotData {
            freq_hz: &[1e300, 1e-300],
            z: &huge,
            fitted_mask: &[],
            curve_freq_hz: &[],
            curve_z: &[],
            model_at_data: &huge,
        };
        for kind in KINDS {
            let _ = render(kind, &d);
        }
    }

    #[test]
    fn too_small_area_is_an_error() {
        let s = Spectrum::rc(100.0, 1000.0, 1e-8);
        for kind in KINDS {
            for size in [(0, 0), (10, 10), (120, 400), (400, 60)] {
                let (r, _) = render_sized(kind, &s.data(), &PlotStyle::default(), size);
                assert!(r.is_err(), "{kind:?} {size:?}");
            }
        }
    }

    #[test]
    fn scale_and_theme_variants_render() {
        let s = Spectrum::rc(100.0, 1000.0, 1e-8);
        let styles = [
            PlotStyle {
                scale: 2.0,
                ..PlotStyle::default()
            },
            PlotStyle {
                scale: f64::NAN,
                dark: true,
                ..PlotStyle::default()
            },
            PlotStyle {
                scale: -3.0,
                font_family: "serif".into(),
                dark: false,
            },
        ];
        for st in &styles {
            for kind in KINDS {
                let (r, _) = render_sized(kind, &s.data(), st, (1600, 1000));
                assert_eq!(r, Ok(()), "{kind:?} {st:?}");
            }
        }
        // Font size and marker radius follow the scale.
        let (_, svg1) = render(Kind::Nyquist, &s.data());
        let (_, svg2) = render_sized(Kind::Nyquist, &s.data(), &styles[0], (1600, 1000));
        let r_of = |svg: &str| svg.split("<circle").nth(1).and_then(|c| attr(c, "r"));
        assert_eq!(r_of(&svg1).as_deref(), Some("3"));
        assert_eq!(r_of(&svg2).as_deref(), Some("6"));
    }

    #[test]
    fn milliohm_spectrum_has_distinct_tick_labels() {
        let s = Spectrum::rc(0.005, 0.008, 2.0);
        let (r, svg) = render(Kind::Nyquist, &s.data());
        assert_eq!(r, Ok(()));
        assert!(has_text(&svg, "Z′ / mΩ"), "{:?}", svg_texts(&svg));
        let texts = svg_texts(&svg);
        let numeric: Vec<&(f64, f64, String)> = texts.iter().filter(|t| t.2.parse::<f64>().is_ok()).collect();
        // x-axis labels share y; y-axis labels share x.
        for by_x in [false, true] {
            let mut groups: Vec<(f64, Vec<&str>)> = Vec::new();
            for t in &numeric {
                let key = if by_x { t.0 } else { t.1 };
                match groups.iter_mut().find(|g| g.0 == key) {
                    Some(g) => g.1.push(&t.2),
                    None => groups.push((key, vec![&t.2])),
                }
            }
            let axis = groups
                .iter()
                .max_by_key(|g| g.1.len())
                .map(|g| g.1.clone())
                .unwrap_or_default();
            assert!(axis.len() >= 3, "too few labels: {axis:?}");
            let mut uniq = axis.clone();
            uniq.sort();
            uniq.dedup();
            assert_eq!(uniq.len(), axis.len(), "duplicate labels: {axis:?}");
        }
        // Bode and residuals of the same spectrum also work.
        for kind in [Kind::Bode, Kind::Residuals] {
            assert_eq!(render(kind, &s.data()).0, Ok(()));
        }
    }

    /// Writes the synthetic plots to target/plots/*.svg (as plotters' SVG
    /// backend draws them, and `*_canvas.svg` with font sizes as the canvas
    /// backend uses them: plotters-svg writes size/1.24).
    #[test]
    fn write_example_svgs() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("target")
            .join("plots");
        assert!(std::fs::create_dir_all(&dir).is_ok());
        let s = Spectrum::rc(100.0, 1000.0, 1e-8);
        let m = Spectrum::rc(0.005, 0.008, 2.0);
        let k = Spectrum::rc(2000.0, 45_000.0, 1e-6);
        let jobs = [
            ("nyquist", Kind::Nyquist, s.data(), false),
            ("bode", Kind::Bode, s.data(), false),
            ("residuals", Kind::Residuals, s.data(), false),
            ("nyquist_mohm", Kind::Nyquist, m.data(), false),
            ("bode_dark", Kind::Bode, s.data(), true),
            ("nyquist_kohm_x2", Kind::Nyquist, k.data(), false),
            ("bode_kohm_x2", Kind::Bode, k.data(), false),
            ("residuals_small", Kind::Residuals, s.data(), false),
            ("nyquist_small", Kind::Nyquist, s.data(), false),
        ];
        for (name, kind, data, dark) in jobs {
            let scale = if name.ends_with("_x2") { 2.0 } else { 1.0 };
            let size = if name.ends_with("_small") {
                (420, 300)
            } else {
                (800, 500)
            };
            let style = PlotStyle {
                dark,
                scale,
                ..PlotStyle::default()
            };
            let size = (size.0 * scale as u32, size.1 * scale as u32);
            let (r, svg) = render_sized(kind, &data, &style, size);
            assert_eq!(r, Ok(()));
            assert!(std::fs::write(dir.join(format!("{name}.svg")), &svg).is_ok());
            let canvas_like = svg
                .split("font-size=\"")
                .enumerate()
                .map(|(i, part)| {
                    if i == 0 {
                        return part.to_string();
                    }
                    let (num, rest) = part.split_once('"').unwrap_or(("", part));
                    let size = num.parse::<f64>().map(|v| v * 1.24).unwrap_or(0.0);
                    format!("font-size=\"{size}\"{rest}")
                })
                .collect::<Vec<_>>()
                .join("");
            assert!(std::fs::write(dir.join(format!("{name}_canvas.svg")), canvas_like).is_ok());
        }
    }
    #[test]
    fn kk_residuals_draw_with_their_flags_and_the_limit() {
        let f: Vec<f64> = (0..40).map(|i| 10f64.powf(5.0 - 0.15 * i as f64)).collect();
        let z: Vec<Complex64> = f.iter().map(|&fi| rc_model(fi, 10.0, 100.0, 1e-6)).collect();
        let result = crate::kk::lin_kk_points(&f, &z).unwrap();
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (640, 320)).into_drawing_area();
            draw_kk_residuals(&root, Ok(&result), &PlotStyle::default()).unwrap();
            root.present().unwrap();
        }
        assert!(svg.contains("KK residual"));
        assert!(svg.contains("flag limit"));
        let mut empty = String::new();
        {
            let root = SVGBackend::with_string(&mut empty, (640, 320)).into_drawing_area();
            draw_kk_residuals(&root, Err("too few points"), &PlotStyle::default()).unwrap();
            root.present().unwrap();
        }
        assert!(empty.contains("too few points"));
    }
}
