//! The explorer's map: σ_eff (log, 1e-6 to 1 S/cm) against the interfacial capacitance
//! C·d/A (log, 1e-13 to 1e-6 F/cm), on any plotters backend.
//!
//! Because τ2 = (R2/R_con)(C·d/A)/σ does not depend on the pellet's size, the window
//! [f_min, f_max] draws straight lines of slope one in this plane:
//! - the paper's rule σ = (C·d/A)·f_max (solid): below it the whole arc is measured;
//! - σ = 2π (R2/R_con)(C·d/A)·f_max (dashed): above it the apex lies above f_max, no
//!   semicircle; between the two only the arc's low-frequency part is measured;
//! - σ = 2π (R2/R_con)(C·d/A)·f_min (dotted, where it enters the map): below it the apex
//!   lies below f_min.
//!
//! The regions are shaded, the current pellet is a point, the paper's four headline
//! materials are horizontal lines (their σ is known, their C·d/A is not: the inductive
//! spectra show no arc), and the Irvine–Sinclair–West capacitance ranges run along the
//! C·d/A axis in a strip below it. Like [`crate::plot`], nothing here measures text
//! (widths are estimated) and drawing never panics; areas are clipped by hand in
//! log space before they reach the backend.

use super::{Explored, Visible};
use crate::attribution::ISW_TABLE;
use crate::plot::{
    LogAxis, PlotError, PlotStyle, Sizes, Theme, chart_builder, draw_mesh, format_log_tick, label_count, prepare,
    stroke_style, text_style,
};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::f64::consts::TAU;

/// The map's C·d/A axis, F/cm.
pub const C_NORM_RANGE: (f64, f64) = (1e-13, 1e-6);
/// The map's σ axis, S/cm.
pub const SIGMA_RANGE: (f64, f64) = (1e-6, 1.0);

/// The paper's headline materials at 486 MPa (σ_eff in S/cm).
pub const MATERIALS: [(&str, f64); 4] = [
    ("LCO", 1.3e-4),
    ("sc-NMC622", 2.5e-2),
    ("pc-NMC622", 3.1e-2),
    ("NMC83611", 1e-1),
];

/// What the map shows: the window, the R2 share and the current pellet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MapData {
    pub c_norm_f_per_cm: f64,
    pub sigma_s_per_cm: f64,
    pub f_min_hz: f64,
    pub f_max_hz: f64,
    /// R2 / R_con.
    pub r2_share: f64,
    pub visible: bool,
}

impl MapData {
    pub fn of(e: &Explored) -> MapData {
        MapData {
            c_norm_f_per_cm: e.values.c_norm_f_per_cm,
            sigma_s_per_cm: e.values.sigma_s_per_cm,
            f_min_hz: e.values.f_min_hz,
            f_max_hz: e.values.f_max_hz,
            r2_share: 1.0 - e.values.r1_share,
            visible: e.visible == Visible::Semicircle,
        }
    }

    /// log10 of the factor k of each line σ = k·(C·d/A): paper's, apex at f_max, apex at f_min.
    fn offsets(&self) -> (f64, f64, f64) {
        let share = self.r2_share.clamp(1e-6, 1.0);
        (
            self.f_max_hz.log10(),
            (TAU * share * self.f_max_hz).log10(),
            (TAU * share * self.f_min_hz).log10(),
        )
    }
}

/// A point in log10 space (x = log C·d/A, y = log σ).
type P = (f64, f64);

/// The part of a convex polygon where `a·x + b·y + c ≥ 0` (Sutherland–Hodgman, one edge).
fn clip(poly: &[P], a: f64, b: f64, c: f64) -> Vec<P> {
    let side = |p: &P| a * p.0 + b * p.1 + c;
    let mut out = Vec::with_capacity(poly.len() + 2);
    for (i, p) in poly.iter().enumerate() {
        let q = &poly[(i + 1) % poly.len()];
        let (sp, sq) = (side(p), side(q));
        if sp >= 0.0 {
            out.push(*p);
        }
        if (sp >= 0.0) != (sq >= 0.0) {
            let t = sp / (sp - sq);
            if t.is_finite() {
                out.push((p.0 + t * (q.0 - p.0), p.1 + t * (q.1 - p.1)));
            }
        }
    }
    out
}

/// Above the line y = x + k: y − x − k ≥ 0.
fn above(poly: &[P], k: f64) -> Vec<P> {
    clip(poly, -1.0, 1.0, -k)
}

/// Below the line y = x + k.
fn below(poly: &[P], k: f64) -> Vec<P> {
    clip(poly, 1.0, -1.0, k)
}

/// The segment of y = x + k inside the box, if any.
fn segment(bounds: (P, P), k: f64) -> Option<(P, P)> {
    let ((x0, y0), (x1, y1)) = bounds;
    let start = x0.max(y0 - k);
    let end = x1.min(y1 - k);
    (start < end).then_some(((start, start + k), (end, end + k)))
}

/// Pixel mapping of the plotting area, in the coordinates of the root area.
struct Frame {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    bounds: (P, P),
}

impl Frame {
    fn px(&self, p: P) -> (i32, i32) {
        let ((x0, y0), (x1, y1)) = self.bounds;
        let fx = (p.0 - x0) / (x1 - x0);
        let fy = (p.1 - y0) / (y1 - y0);
        let x = self.left + fx * (self.right - self.left);
        let y = self.bottom - fy * (self.bottom - self.top);
        (x.round().clamp(-1e6, 1e6) as i32, y.round().clamp(-1e6, 1e6) as i32)
    }

    fn x_px(&self, log_x: f64) -> i32 {
        self.px((log_x, self.bounds.0.1)).0
    }
}

fn fill<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    frame: &Frame,
    poly: &[P],
    colour: RGBColor,
) -> Result<(), PlotError> {
    if poly.len() >= 3 {
        let points: Vec<(i32, i32)> = poly.iter().map(|p| frame.px(*p)).collect();
        area.draw(&Polygon::new(points, ShapeStyle::from(&colour).filled()))?;
    }
    Ok(())
}

/// A line broken into dashes of `dash` pixels with gaps of `gap`.
fn dashed<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    from: (i32, i32),
    to: (i32, i32),
    dash: f64,
    gap: f64,
    style: ShapeStyle,
) -> Result<(), PlotError> {
    let (dx, dy) = (f64::from(to.0 - from.0), f64::from(to.1 - from.1));
    let length = dx.hypot(dy);
    if !(length > 0.0 && dash > 0.0) {
        return Ok(());
    }
    let at = |t: f64| {
        let t = t.min(length) / length;
        (from.0 + (t * dx).round() as i32, from.1 + (t * dy).round() as i32)
    };
    let mut t = 0.0;
    // At most a few thousand dashes, whatever the sizes.
    let step = (dash + gap).max(length / 4000.0);
    while t < length {
        area.draw(&PathElement::new(vec![at(t), at(t + dash)], style))?;
        t += step;
    }
    Ok(())
}

/// Which way a label runs from its anchor on a line.
#[derive(Clone, Copy)]
enum Side {
    /// Text to the right of the anchor (below a rising line).
    Right,
    /// Text to the left of the anchor (above a rising line).
    Left,
}

/// Where a line's label goes: at the first of `heights` (fractions of the σ axis) unless
/// the pellet's point is nearer to it than to the second; moved along the line so that
/// text `width` pixels wide stays inside the plotting area.
fn label_anchor(
    frame: &Frame,
    (a, b): (P, P),
    k: f64,
    heights: [f64; 2],
    here: (i32, i32),
    width: f64,
    side: Side,
) -> (i32, i32) {
    let ((x0, y0), (x1, y1)) = frame.bounds;
    let x_at_px = |px: f64| x0 + (px - frame.left) / (frame.right - frame.left) * (x1 - x0);
    let (lo, hi) = match side {
        Side::Left => (x_at_px(frame.left + width).max(a.0), b.0),
        Side::Right => (a.0, x_at_px(frame.right - width).min(b.0)),
    };
    let at = |h: f64| {
        let x = y0 + h * (y1 - y0) - k;
        let x = if lo <= hi { x.clamp(lo, hi) } else { x.clamp(a.0, b.0) };
        frame.px((x, x + k))
    };
    let distance = |p: (i32, i32)| f64::from(p.0 - here.0).hypot(f64::from(p.1 - here.1));
    let (first, second) = (at(heights[0]), at(heights[1]));
    if distance(first) >= distance(second) || distance(first) > 120.0 {
        first
    } else {
        second
    }
}

/// Colours of the regions, the lines and the strip.
struct Palette {
    no_arc: RGBColor,
    part: RGBColor,
    whole: RGBColor,
    below: RGBColor,
    apex: RGBColor,
    material: RGBColor,
    band: RGBColor,
    band_hit: RGBColor,
}

impl Palette {
    fn new(dark: bool) -> Palette {
        if dark {
            Palette {
                no_arc: RGBColor(64, 48, 34),
                part: RGBColor(56, 44, 70),
                whole: RGBColor(34, 48, 66),
                below: RGBColor(50, 50, 54),
                apex: RGBColor(120, 170, 230),
                material: RGBColor(190, 190, 190),
                band: RGBColor(70, 80, 96),
                band_hit: RGBColor(60, 130, 200),
            }
        } else {
            Palette {
                no_arc: RGBColor(251, 234, 214),
                part: RGBColor(236, 226, 246),
                whole: RGBColor(224, 236, 249),
                below: RGBColor(236, 236, 236),
                apex: RGBColor(31, 95, 158),
                material: RGBColor(70, 70, 70),
                band: RGBColor(214, 221, 232),
                band_hit: RGBColor(118, 164, 214),
            }
        }
    }
}

/// One Irvine–Sinclair–West range placed in a lane of the strip.
struct Band {
    lo: f64,
    hi: f64,
    label: &'static str,
    /// Where its label starts (inside the bar, or moved left to end at the axis' end).
    label_x: i32,
    lane: usize,
    hit: bool,
}

/// The ranges inside the axis, each in the first lane where it and its label fit;
/// `right` is the axis' last pixel.
fn pack_bands(
    frame_x: &dyn Fn(f64) -> i32,
    right: i32,
    c_norm: f64,
    font_w: &dyn Fn(&str) -> i32,
    pad: i32,
) -> Vec<Band> {
    let (x0, x1) = (C_NORM_RANGE.0.log10(), C_NORM_RANGE.1.log10());
    let mut lanes_end: Vec<i32> = Vec::new();
    let mut out = Vec::new();
    for row in ISW_TABLE.iter() {
        let (lo, hi) = (row.low_f_per_cm.log10().max(x0), row.high_f_per_cm.log10().min(x1));
        if !(lo < hi) {
            continue;
        }
        let (start, end) = (frame_x(lo), frame_x(hi));
        let label_w = font_w(row.phenomenon) + 2 * pad;
        let label_x = if start + label_w > right {
            right - label_w
        } else {
            start
        };
        let (from, to) = (start.min(label_x), end.max(label_x + label_w));
        let lane = match lanes_end.iter().position(|&e| e + pad <= from) {
            Some(i) => i,
            None => {
                lanes_end.push(i32::MIN);
                lanes_end.len() - 1
            }
        };
        lanes_end[lane] = to;
        out.push(Band {
            lo,
            hi,
            label: row.phenomenon,
            label_x,
            lane,
            hit: c_norm >= row.low_f_per_cm && c_norm <= row.high_f_per_cm,
        });
    }
    out
}

/// The key above the map: the regions' colours and the current pellet.
fn draw_key<DB: DrawingBackend>(
    header: &DrawingArea<DB, Shift>,
    items: &[(RGBColor, &str)],
    pellet: (RGBColor, bool),
    sz: &Sizes,
    theme: &Theme,
    family: &str,
) -> Result<(), PlotError> {
    let (_, h) = header.dim_in_pixel();
    let cy = h as i32 / 2;
    let font = text_style(family, sz.tick_font, &theme.fg).pos(Pos::new(HPos::Left, VPos::Center));
    let (w, half) = ((14.0 * sz.s) as i32, (5.0 * sz.s) as i32);
    let gap = (5.0 * sz.s) as i32;
    let item_gap = (14.0 * sz.s) as i32;
    let mut x = sz.margin_side as i32;
    for (colour, label) in items {
        header.draw(&Rectangle::new(
            [(x, cy - half), (x + w, cy + half)],
            ShapeStyle::from(colour).filled(),
        ))?;
        header.draw(&Rectangle::new(
            [(x, cy - half), (x + w, cy + half)],
            stroke_style(&theme.muted, sz.thin),
        ))?;
        x += w + gap;
        header.draw_text(label, &font, (x, cy))?;
        x += sz.text_width(label, sz.tick_font) + item_gap;
    }
    let r = sz.marker + 1;
    let (colour, filled) = pellet;
    let style = if filled {
        ShapeStyle::from(&colour).filled()
    } else {
        stroke_style(&colour, sz.line)
    };
    header.draw(&Circle::new((x + w / 2, cy), r, style))?;
    header.draw_text("this pellet", &font, (x + w + gap, cy))?;
    Ok(())
}

/// The map onto `area`; see the module documentation. Never calls `present()`.
pub fn draw_map<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &MapData,
    style: &PlotStyle,
) -> Result<(), PlotError> {
    let sz = Sizes::new(style, false);
    let theme = Theme::new(style.dark);
    let palette = Palette::new(style.dark);
    let family = style.font_family.as_str();
    let (header, body) = prepare(area, &sz, &theme)?;
    let base = area.get_base_pixel();
    let bounds: (P, P) = (
        (C_NORM_RANGE.0.log10(), SIGMA_RANGE.0.log10()),
        (C_NORM_RANGE.1.log10(), SIGMA_RANGE.1.log10()),
    );

    // The strip's lanes first: its height decides the chart's.
    let (body_w, body_h) = body.dim_in_pixel();
    let small_font = sz.tick_font * 0.88;
    let plot_left = f64::from(sz.margin_side + sz.left_area);
    let plot_right = f64::from(body_w) - f64::from(sz.margin_right) - 1.0;
    let strip_x = |log_x: f64| {
        let f = (log_x - bounds.0.0) / (bounds.1.0 - bounds.0.0);
        (plot_left + f * (plot_right - plot_left)).round() as i32
    };
    let pad = (4.0 * sz.s).round() as i32;
    let font_w = |text: &str| sz.text_width(text, small_font);
    let bands = pack_bands(&strip_x, plot_right as i32, data.c_norm_f_per_cm, &font_w, pad);
    let lanes = bands.iter().map(|b| b.lane + 1).max().unwrap_or(0) as u32;
    let lane_h = (small_font * 1.3).round() as u32;
    // The lanes and a little air (the caption sits in the axis' label area, at their left).
    let strip_h = (lanes * lane_h + (6.0 * sz.s) as u32).min(body_h / 3);
    let (chart_area, strip) = body.split_vertically(body_h.saturating_sub(strip_h));

    let mut builder = chart_builder(&chart_area, &sz);
    let x_axis = LogAxis {
        lo: C_NORM_RANGE.0,
        hi: C_NORM_RANGE.1,
    };
    let y_axis = LogAxis {
        lo: SIGMA_RANGE.0,
        hi: SIGMA_RANGE.1,
    };
    let mut chart = builder.build_cartesian_2d(x_axis, y_axis)?;
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    let frame = Frame {
        left: f64::from(xr.start - base.0),
        right: f64::from(xr.end - 1 - base.0),
        top: f64::from(yr.start - base.1),
        bottom: f64::from(yr.end - 1 - base.1),
        bounds,
    };

    // Regions, from the top: no arc; part of the arc; the whole arc; apex below f_min.
    let (paper, apex_top, apex_low) = data.offsets();
    let ((x0, y0), (x1, y1)) = bounds;
    let rect = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)];
    let visible_part = below(&above(&rect, apex_low), apex_top);
    fill(area, &frame, &above(&rect, apex_top), palette.no_arc)?;
    fill(area, &frame, &above(&visible_part, paper), palette.part)?;
    fill(area, &frame, &below(&visible_part, paper), palette.whole)?;
    fill(area, &frame, &below(&rect, apex_low), palette.below)?;

    let (pw, ph) = (frame.right - frame.left, frame.bottom - frame.top);
    draw_mesh(
        &mut chart,
        &sz,
        &theme,
        family,
        "C·d/A / (F/cm)",
        "σ_eff / (S/cm)",
        (label_count(pw, 46.0 * sz.s), label_count(ph, 30.0 * sz.s)),
        &|v| format_log_tick(*v),
        &|v| format_log_tick(*v),
    )?;

    let here = frame.px((data.c_norm_f_per_cm.log10(), data.sigma_s_per_cm.log10()));
    // The three lines, each named beside it (two lines of text, away from the line and the pellet).
    let line_h = (sz.tick_font * 1.2).round() as i32;
    let two_lines = |first: &str, second: &str, font: &TextStyle, at: (i32, i32), upwards: bool| {
        let (y1, y2) = if upwards {
            (at.1 - line_h, at.1)
        } else {
            (at.1, at.1 + line_h)
        };
        area.draw_text(first, font, (at.0, y1))?;
        area.draw_text(second, font, (at.0, y2))
    };
    if let Some((a, b)) = segment(bounds, paper) {
        area.draw(&PathElement::new(
            vec![frame.px(a), frame.px(b)],
            stroke_style(&theme.fg, sz.line),
        ))?;
        let width = f64::from(sz.text_width("σ = (C·d/A)·f_max", sz.tick_font)) + 10.0 * sz.s;
        let (px, py) = label_anchor(&frame, (a, b), paper, [0.3, 0.7], here, width, Side::Right);
        let font = text_style(family, sz.tick_font, &theme.fg).pos(Pos::new(HPos::Left, VPos::Top));
        let at = (px + (8.0 * sz.s) as i32, py + (2.0 * sz.s) as i32);
        two_lines("paper's rule:", "σ = (C·d/A)·f_max", &font, at, false)?;
    }
    let apex_style = stroke_style(&palette.apex, sz.line);
    if let Some((a, b)) = segment(bounds, apex_top) {
        dashed(area, frame.px(a), frame.px(b), 8.0 * sz.s, 5.0 * sz.s, apex_style)?;
        let width = f64::from(sz.text_width("σ = 2π(R2/R_con)(C·d/A)·f_max", sz.tick_font)) + 10.0 * sz.s;
        let (px, py) = label_anchor(&frame, (a, b), apex_top, [0.62, 0.35], here, width, Side::Left);
        let font = text_style(family, sz.tick_font, &palette.apex).pos(Pos::new(HPos::Right, VPos::Bottom));
        let at = (px - (8.0 * sz.s) as i32, py - (2.0 * sz.s) as i32);
        two_lines("apex at f_max:", "σ = 2π(R2/R_con)(C·d/A)·f_max", &font, at, true)?;
    }
    if let Some((a, b)) = segment(bounds, apex_low) {
        dashed(
            area,
            frame.px(a),
            frame.px(b),
            2.0 * sz.s,
            4.0 * sz.s,
            stroke_style(&theme.muted, sz.line),
        )?;
        let font = text_style(family, sz.tick_font, &theme.muted).pos(Pos::new(HPos::Left, VPos::Top));
        let (px, py) = frame.px(((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0));
        area.draw_text("apex at f_min", &font, (px + (8.0 * sz.s) as i32, py))?;
    }

    // The paper's materials: σ known, C·d/A not (no arc in their spectra).
    let material_style = stroke_style(&palette.material, sz.thin);
    let material_font = text_style(family, small_font, &palette.material).pos(Pos::new(HPos::Right, VPos::Bottom));
    let mut last_label_y = i32::MAX;
    for (name, sigma) in MATERIALS {
        let y = sigma.log10();
        let (left, right) = (frame.px((x0, y)), frame.px((x1, y)));
        dashed(area, left, right, 1.0 * sz.s, 3.0 * sz.s, material_style)?;
        // Labels at the right end, pushed up where two materials lie close.
        let line_h = (small_font * 1.1).round() as i32;
        let label_y = (right.1 - (1.0 * sz.s) as i32).min(last_label_y - line_h);
        last_label_y = label_y;
        area.draw_text(name, &material_font, (right.0 - (4.0 * sz.s) as i32, label_y))?;
    }

    // The current pellet.
    let r = (6.0 * sz.s).round() as i32;
    area.draw(&Circle::new(
        here,
        r + sz.line as i32,
        ShapeStyle::from(&theme.bg).filled(),
    ))?;
    area.draw(&Circle::new(
        here,
        r,
        if data.visible {
            ShapeStyle::from(&theme.fit).filled()
        } else {
            stroke_style(&theme.fit, sz.line)
        },
    ))?;

    // The Irvine–Sinclair–West strip, aligned with the C·d/A axis, under its caption.
    let strip_base = strip.get_base_pixel();
    let top = strip_base.1 - base.1 + (4.0 * sz.s) as i32;
    let strip_offset = strip_base.0 - base.0;
    if !bands.is_empty() {
        // "Irvine–Sinclair–West" over two lines, right-aligned under the σ axis' labels.
        let caption = text_style(family, small_font, &theme.muted).pos(Pos::new(HPos::Right, VPos::Top));
        let x = frame.left as i32 - (6.0 * sz.s) as i32;
        area.draw_text("Irvine–", &caption, (x, top))?;
        area.draw_text("Sinclair–West", &caption, (x, top + lane_h as i32))?;
    }
    let band_font = text_style(family, small_font, &theme.fg).pos(Pos::new(HPos::Left, VPos::Center));
    for band in &bands {
        let y_top = top + (band.lane as u32 * lane_h) as i32;
        let y_bottom = y_top + lane_h as i32 - (2.0 * sz.s) as i32;
        let left = strip_x(band.lo) + strip_offset;
        let right = strip_x(band.hi) + strip_offset;
        let colour = if band.hit { palette.band_hit } else { palette.band };
        area.draw(&Rectangle::new(
            [(left, y_top), (right, y_bottom)],
            ShapeStyle::from(&colour).filled(),
        ))?;
        area.draw_text(
            band.label,
            &band_font,
            (band.label_x + strip_offset + pad, (y_top + y_bottom) / 2),
        )?;
    }
    if !bands.is_empty() {
        let x = frame.x_px(data.c_norm_f_per_cm.log10());
        let bottom = top + (lanes * lane_h) as i32;
        area.draw(&PathElement::new(
            vec![(x, top), (x, bottom)],
            stroke_style(&theme.fit, sz.line),
        ))?;
    }

    let key = [
        (palette.no_arc, "no arc"),
        (palette.part, "part of the arc"),
        (palette.whole, "whole arc"),
    ];
    draw_key(&header, &key, (theme.fit, data.visible), &sz, &theme, family)
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::prelude::SVGBackend;

    fn data(sigma: f64) -> MapData {
        MapData {
            c_norm_f_per_cm: 5e-10,
            sigma_s_per_cm: sigma,
            f_min_hz: 0.1,
            f_max_hz: 1e6,
            r2_share: 0.96,
            visible: true,
        }
    }

    fn render(d: &MapData, size: (u32, u32)) -> (Result<(), PlotError>, String) {
        let mut svg = String::new();
        let r = {
            let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
            let r = draw_map(&root, d, &PlotStyle::default());
            let _ = root.present();
            r
        };
        (r, svg)
    }

    #[test]
    fn clipping_by_hand() {
        // The unit square below y = x: the triangle (0,0), (1,0), (1,1).
        let square = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)];
        let lower = below(&square, 0.0);
        let area: f64 = lower
            .iter()
            .zip(lower.iter().cycle().skip(1))
            .map(|(a, b)| a.0 * b.1 - b.0 * a.1)
            .sum::<f64>()
            / 2.0;
        assert!((area.abs() - 0.5).abs() < 1e-12, "{lower:?}");
        assert!(above(&square, 5.0).is_empty());
        assert_eq!(segment(((0.0, 0.0), (1.0, 1.0)), 0.5), Some(((0.0, 0.5), (0.5, 1.0))));
        assert_eq!(segment(((0.0, 0.0), (1.0, 1.0)), 2.0), None);
    }

    #[test]
    fn draws_lines_labels_and_bands() {
        let (r, svg) = render(&data(1.3e-4), (640, 440));
        assert_eq!(r, Ok(()));
        for needle in [
            "s rule:",
            "σ = (C·d/A)·f_max",
            "σ = 2π(R2/R_con)(C·d/A)·f_max",
            "LCO",
            "sc-NMC622",
            "NMC83611",
            "grain boundary",
            "surface layer",
            "this pellet",
            "part of the arc",
            "σ_eff / (S/cm)",
        ] {
            assert!(svg.contains(needle), "missing {needle}");
        }
        assert!(svg.contains("<polygon"), "no shaded region");
    }

    #[test]
    fn any_window_draws_or_says_why() {
        for (f_min, f_max, share) in [
            (1e-3, 1e8, 0.01),
            (1e3, 1e4, 1.0),
            (0.1, 1e6, 0.0),
            (f64::NAN, f64::NAN, f64::NAN),
        ] {
            let d = MapData {
                f_min_hz: f_min,
                f_max_hz: f_max,
                r2_share: share,
                ..data(1e-2)
            };
            assert_eq!(render(&d, (640, 440)).0, Ok(()), "{f_min} {f_max} {share}");
        }
        // Too small an area is an error, not a panic.
        assert!(render(&data(1e-2), (40, 30)).0.is_err());
    }

    /// Writes the map for a few pellets to target/plots/explore_map_*.svg, to look at.
    #[test]
    fn write_example_svgs() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("target")
            .join("plots");
        assert!(std::fs::create_dir_all(&dir).is_ok());
        for (name, sigma, f_min) in [("lco", 1.3e-4, 0.1), ("between", 2.5e-3, 0.1), ("nmc", 2.5e-2, 100.0)] {
            let (r, svg) = render(
                &MapData {
                    f_min_hz: f_min,
                    ..data(sigma)
                },
                (620, 430),
            );
            assert_eq!(r, Ok(()));
            assert!(std::fs::write(dir.join(format!("explore_map_{name}.svg")), svg).is_ok());
        }
    }

    #[test]
    fn bands_pack_without_overlap() {
        let x = |log_x: f64| ((log_x + 13.0) * 60.0) as i32;
        let w = |t: &str| (t.chars().count() * 7) as i32;
        let right = x(-6.0);
        let bands = pack_bands(&x, right, 5e-10, &w, 4);
        assert_eq!(bands.len(), 6, "the electrochemical reaction lies off the axis");
        let span = |b: &Band| (x(b.lo).min(b.label_x), x(b.hi).max(b.label_x + w(b.label) + 8));
        for (i, a) in bands.iter().enumerate() {
            assert!(span(a).1 <= right, "{} runs off the axis", a.label);
            for b in &bands[i + 1..] {
                if a.lane == b.lane {
                    let (a, b) = (span(a), span(b));
                    assert!(a.1 + 4 <= b.0 || b.1 + 4 <= a.0, "{a:?} and {b:?}");
                }
            }
        }
        let hits: Vec<_> = bands.iter().filter(|b| b.hit).map(|b| b.label).collect();
        assert_eq!(hits, ["grain boundary", "bulk ferroelectric"]);
    }
}
