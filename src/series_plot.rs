//! σ_eff against pressure for one or more series: σ on a log axis, pressure linear or
//! log; loading filled, unloading hollow, joined in measurement order; one colour per
//! series with a legend; ±stderr bars; the paper's 1e-3 S/cm line where the spectra
//! change from semicircles to inductive ones.
//!
//! Generic over a plotters [`DrawingBackend`] like [`crate::plot`], whose axes, theme
//! and helpers it shares, so the page's canvas and the CLI's `--svg` draw the same plot.
//! [`series_svg`] renders it to an SVG string (the CLI, and the page's SVG export).

use crate::plot::{
    LegendMark, LinAxis, LogAxis, PlotError, PlotStyle, Shape, Sizes, Theme, chart_builder, draw_legend, draw_markers,
    draw_mesh, draw_note, draw_polyline, finite_minmax, format_log_tick, format_tick, label_count, legend_fits,
    log_range, marker_style, pad_range, plotting_size, prepare, stroke_style, text_style,
};
use crate::series::{Branch, SeriesPoint};
use plotters::coord::Shift;
use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::{Deserialize, Serialize};

/// The σ where the study's spectra change circuit (S/cm).
pub const CIRCUIT_BOUNDARY_S_PER_CM: f64 = 1e-3;

/// How the pressure axis is scaled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PressureAxis {
    #[default]
    Linear,
    Log,
}

impl PressureAxis {
    /// `linear` or `log`.
    pub fn parse(text: &str) -> Option<PressureAxis> {
        match text.trim().to_ascii_lowercase().as_str() {
            "linear" | "lin" => Some(PressureAxis::Linear),
            "log" => Some(PressureAxis::Log),
            _ => None,
        }
    }
}

/// One series: its legend label and its points in measurement order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesCurve {
    pub label: String,
    pub points: Vec<SeriesPoint>,
}

/// Everything the plot shows.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SeriesPlotData {
    pub series: Vec<SeriesCurve>,
    #[serde(default)]
    pub pressure_axis: PressureAxis,
}

/// Okabe–Ito colours: told apart with every common colour-vision deficiency.
const PALETTE: [RGBColor; 6] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
];

fn series_colour(index: usize, dark: bool) -> RGBColor {
    // The dark blue is hard to see on a dark background: start with the sky blue there.
    let shift = if dark { PALETTE.len() - 1 } else { 0 };
    PALETTE[(index + shift) % PALETTE.len()]
}

/// A point the axes can show: finite, σ > 0, and p > 0 on a log pressure axis.
fn plottable(p: &SeriesPoint, axis: PressureAxis) -> bool {
    let pressure_ok = match axis {
        PressureAxis::Linear => p.pressure_mpa.is_finite(),
        PressureAxis::Log => p.pressure_mpa.is_finite() && p.pressure_mpa > 0.0,
    };
    pressure_ok && p.sigma_s_per_cm.is_finite() && p.sigma_s_per_cm > 0.0
}

fn usable_err(p: &SeriesPoint) -> Option<f64> {
    p.sigma_err.filter(|e| e.is_finite() && *e > 0.0)
}

/// σ_eff against pressure; see the module documentation. Never calls `present()`.
pub fn draw_series<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &SeriesPlotData,
    style: &PlotStyle,
) -> Result<(), PlotError> {
    let axis = data.pressure_axis;
    let points = || {
        data.series
            .iter()
            .flat_map(|c| c.points.iter())
            .filter(move |p| plottable(p, axis))
    };
    let sigmas = || points().map(|p| p.sigma_s_per_cm);
    let data_range = finite_minmax(sigmas());
    // Show the boundary whenever the data come within a decade of it.
    let near_boundary = data_range
        .is_some_and(|(lo, hi)| lo <= 10.0 * CIRCUIT_BOUNDARY_S_PER_CM && hi >= 0.1 * CIRCUIT_BOUNDARY_S_PER_CM);
    let error_ends =
        points().filter_map(|p| usable_err(p).map(|e| [p.sigma_s_per_cm + e, p.sigma_s_per_cm - e].into_iter()));
    let y_values = sigmas()
        .chain(error_ends.flatten().filter(|v| *v > 0.0))
        .chain(near_boundary.then_some(CIRCUIT_BOUNDARY_S_PER_CM));
    let y_range = log_range(y_values, 0.06, 1.0).unwrap_or((1e-5, 1e-1));
    let pressures = || points().map(|p| p.pressure_mpa);
    match axis {
        PressureAxis::Linear => {
            let x_range = finite_minmax(pressures())
                .map(|(lo, hi)| (lo.min(0.0), hi))
                .and_then(|r| pad_range(r, 0.04))
                .unwrap_or((0.0, 500.0));
            let span = x_range.1 - x_range.0;
            draw_with_x(root, data, style, LinAxis::new(x_range), y_range, &|v| {
                format_tick(*v, span)
            })
        }
        PressureAxis::Log => {
            let x_range = log_range(pressures(), 0.05, 0.7).unwrap_or((1.0, 1000.0));
            let x_axis = LogAxis {
                lo: x_range.0,
                hi: x_range.1,
            };
            draw_with_x(root, data, style, x_axis, y_range, &|v| pressure_log_tick(*v))
        }
    }
}

fn draw_with_x<DB, X>(
    root: &DrawingArea<DB, Shift>,
    data: &SeriesPlotData,
    style: &PlotStyle,
    x_axis: X,
    y_range: (f64, f64),
    x_format: &dyn Fn(&f64) -> String,
) -> Result<(), PlotError>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64> + ValueFormatter<f64> + Clone,
{
    let sz = Sizes::new(style, false);
    let theme = Theme::new(style.dark);
    let family = style.font_family.as_str();
    let (header, body) = prepare(root, &sz, &theme)?;
    let axis = data.pressure_axis;

    let mut builder = chart_builder(&body, &sz);
    let (pw, ph) = plotting_size(&mut builder)?;
    let n_x = label_count(f64::from(pw), 60.0 * sz.s);
    let n_y = label_count(f64::from(ph), 40.0 * sz.s);
    let x_range = x_axis.range();
    let y_axis = LogAxis {
        lo: y_range.0,
        hi: y_range.1,
    };
    let mut chart = builder.build_cartesian_2d(x_axis, y_axis)?;
    draw_mesh(
        &mut chart,
        &sz,
        &theme,
        family,
        "p / MPa",
        "σ_eff / (S/cm)",
        (n_x, n_y),
        x_format,
        &|v| format_log_tick(*v),
    )?;
    let area = chart.plotting_area();

    let boundary_shown = (y_range.0..=y_range.1).contains(&CIRCUIT_BOUNDARY_S_PER_CM);
    if boundary_shown {
        let dash = (6.0 * sz.s).round() as i32;
        let gap = (4.0 * sz.s).round() as i32;
        area.draw(&DashedPathElement::new(
            vec![
                (x_range.start, CIRCUIT_BOUNDARY_S_PER_CM),
                (x_range.end, CIRCUIT_BOUNDARY_S_PER_CM),
            ],
            dash,
            gap,
            stroke_style(&theme.muted, sz.thin),
        ))?;
    }

    let mut any_point = false;
    let mut legend: Vec<(LegendMark, &str)> = Vec::new();
    let mut named: Vec<(RGBColor, &str)> = Vec::new();
    let radius = sz.marker + 1;
    for (index, curve) in data.series.iter().enumerate() {
        let colour = series_colour(index, style.dark);
        let shown: Vec<&SeriesPoint> = curve.points.iter().filter(|p| plottable(p, axis)).collect();
        if shown.is_empty() {
            continue;
        }
        named.push((colour, curve.label.as_str()));
        any_point = true;
        let path: Vec<(f64, f64)> = shown.iter().map(|p| (p.pressure_mpa, p.sigma_s_per_cm)).collect();
        draw_polyline(area, &path, stroke_style(&colour, sz.thin))?;
        let bar = stroke_style(&colour, sz.thin);
        for p in &shown {
            let Some(err) = usable_err(p) else {
                continue;
            };
            // On a log axis σ − err may be ≤ 0: the bar then ends at the axis.
            let low = (p.sigma_s_per_cm - err).max(y_range.0);
            let high = (p.sigma_s_per_cm + err).min(y_range.1);
            area.draw(&PathElement::new(
                vec![(p.pressure_mpa, low), (p.pressure_mpa, high)],
                bar,
            ))?;
            for end in [low, high] {
                area.draw(
                    &(EmptyElement::at((p.pressure_mpa, end)) + PathElement::new(vec![(-radius, 0), (radius, 0)], bar)),
                )?;
            }
        }
        for (branch, filled) in [(Branch::Loading, true), (Branch::Unloading, false)] {
            let markers: Vec<(f64, f64)> = shown
                .iter()
                .filter(|p| p.branch == branch)
                .map(|p| (p.pressure_mpa, p.sigma_s_per_cm))
                .collect();
            draw_markers(
                area,
                &markers,
                Shape::Circle,
                radius,
                marker_style(&colour, filled, &sz),
            )?;
        }
    }
    if !any_point {
        draw_note(area, "no data", &sz, &theme, family)?;
    }
    if any_point {
        legend.push((LegendMark::Marker(Shape::Circle, theme.fg, true), "loading"));
        legend.push((LegendMark::Marker(Shape::Circle, theme.fg, false), "unloading"));
    }
    // What the dashed line means: words away from the data, in the header's key where it
    // has room, else in the series' key.
    let mut boundary = boundary_shown.then_some(BOUNDARY_LABEL);
    if boundary.is_some() {
        for label in [BOUNDARY_LABEL, BOUNDARY_LABEL_SHORT] {
            let mut with_boundary = legend.clone();
            with_boundary.push((LegendMark::Dashed(theme.muted), label));
            if legend_fits(&with_boundary, header.dim_in_pixel().0, &sz) {
                legend = with_boundary;
                boundary = None;
                break;
            }
        }
    }
    draw_series_key(&area.strip_coord_spec(), &named, boundary, &sz, &theme, family)?;
    draw_legend(&header, &legend, false, false, &sz, &theme, family)
}

/// A tick of the log pressure axis: 20, 50, 100 MPa read plainly (not 2×10¹); powers of
/// ten only far outside the pressures a press reaches.
fn pressure_log_tick(v: f64) -> String {
    if (0.01..1e5).contains(&v) {
        crate::numfmt::sig(v, 3, crate::numfmt::Style::Typeset)
    } else {
        format_log_tick(v)
    }
}

/// What the dashed line means, in the key; the short form where the header is narrow.
const BOUNDARY_LABEL: &str = "1e-3 S/cm: semicircle below, inductive above";
const BOUNDARY_LABEL_SHORT: &str = "1e-3 S/cm: (b) below, (a) above";

/// The series' names, one per line in a box at the bottom right of the plotting area
/// (high pressure and low σ: where a pressure series rarely goes); a header line would
/// cut long names off.
fn draw_series_key<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    named: &[(RGBColor, &str)],
    boundary: Option<&str>,
    sz: &Sizes,
    theme: &Theme,
    family: &str,
) -> Result<(), PlotError> {
    if named.is_empty() && boundary.is_none() {
        return Ok(());
    }
    let (w, h) = area.dim_in_pixel();
    let pad = (6.0 * sz.s).round() as i32;
    let line_h = (sz.tick_font * 1.45).round() as i32;
    let sample_w = (16.0 * sz.s).round() as i32;
    let gap = (5.0 * sz.s).round() as i32;
    let rows = named.len() + usize::from(boundary.is_some());
    let widest = named
        .iter()
        .map(|(_, label)| *label)
        .chain(boundary)
        .map(|label| sz.text_width(label, sz.tick_font))
        .max()
        .unwrap_or(0);
    let box_w = (2 * pad + sample_w + gap + widest).min(w as i32 - 2 * pad);
    let box_h = 2 * pad + line_h * rows as i32;
    let (x0, y0) = ((w as i32 - pad - box_w).max(0), (h as i32 - pad - box_h).max(0));
    area.draw(&Rectangle::new(
        [(x0, y0), (x0 + box_w, y0 + box_h)],
        ShapeStyle::from(&theme.bg.mix(0.85)).filled(),
    ))?;
    area.draw(&Rectangle::new(
        [(x0, y0), (x0 + box_w, y0 + box_h)],
        stroke_style(&theme.muted, sz.thin),
    ))?;
    let font = text_style(family, sz.tick_font, &theme.fg).pos(Pos::new(HPos::Left, VPos::Center));
    for (i, (colour, label)) in named.iter().enumerate() {
        let cy = y0 + pad + line_h * i as i32 + line_h / 2;
        let x = x0 + pad;
        area.draw(&PathElement::new(
            vec![(x, cy), (x + sample_w, cy)],
            stroke_style(colour, sz.line),
        ))?;
        area.draw(&Circle::new(
            (x + sample_w / 2, cy),
            sz.marker,
            ShapeStyle::from(colour).filled(),
        ))?;
        area.draw_text(label, &font, (x + sample_w + gap, cy))?;
    }
    if let Some(label) = boundary {
        let cy = y0 + pad + line_h * named.len() as i32 + line_h / 2;
        let x = x0 + pad;
        let dash = (sample_w / 3).max(2);
        for start in [x, x + 2 * dash] {
            area.draw(&PathElement::new(
                vec![(start, cy), (start + dash, cy)],
                stroke_style(&theme.muted, sz.thin),
            ))?;
        }
        let muted = text_style(family, sz.tick_font, &theme.muted).pos(Pos::new(HPos::Left, VPos::Center));
        area.draw_text(label, &muted, (x + sample_w + gap, cy))?;
    }
    Ok(())
}

/// `svg` with `json` (what the plot was made from) in a `<metadata id="sigmafit-provenance">`
/// element after its opening tag, as the page's SVG export carries it.
pub fn with_provenance(svg: &str, json: &str) -> String {
    let escaped = json.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    match svg
        .find("<svg")
        .and_then(|start| svg.get(start..)?.find('>').map(|end| start + end + 1))
    {
        Some(after_open) => format!(
            "{}\n<metadata id=\"sigmafit-provenance\">{escaped}</metadata>{}",
            svg.get(..after_open).unwrap_or_default(),
            svg.get(after_open..).unwrap_or_default()
        ),
        None => svg.to_string(),
    }
}

/// The plot as an SVG document of `width` × `height` pixels.
pub fn series_svg(data: &SeriesPlotData, width: u32, height: u32) -> Result<String, PlotError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        draw_series(&root, data, &PlotStyle::default())?;
        root.present()?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(p: f64, branch: Branch, sigma: f64, err: Option<f64>) -> SeriesPoint {
        SeriesPoint {
            pressure_mpa: p,
            branch,
            cycle: 1,
            sigma_s_per_cm: sigma,
            sigma_err: err,
        }
    }

    fn two_series(axis: PressureAxis) -> SeriesPlotData {
        use Branch::{Loading as L, Unloading as U};
        SeriesPlotData {
            series: vec![
                SeriesCurve {
                    label: "sc-NMC622".into(),
                    points: vec![
                        point(10.0, L, 2.5e-5, Some(1e-7)),
                        point(100.0, L, 1e-3, Some(1e-5)),
                        point(486.0, L, 2.5e-2, Some(2e-4)),
                        point(100.0, U, 2.2e-2, Some(2e-4)),
                        point(10.0, U, 9e-3, Some(1e-4)),
                    ],
                },
                SeriesCurve {
                    label: "LNO & coated".into(),
                    points: vec![
                        point(10.0, L, 2.5e-6, Some(5e-6)),
                        point(486.0, L, 2.5e-3, None),
                        point(10.0, U, 9e-4, None),
                    ],
                },
            ],
            pressure_axis: axis,
        }
    }

    fn circles(svg: &str) -> usize {
        svg.matches("<circle").count()
    }

    /// The `x` and `y` of the SVG text element that holds `needle`.
    fn text_at(svg: &str, needle: &str) -> (f64, f64) {
        let end = svg.find(needle).unwrap();
        let start = svg.get(..end).unwrap().rfind("<text").unwrap();
        let tag = svg.get(start..end).unwrap();
        let attribute = |name: &str| -> f64 {
            let from = tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
            let rest = tag.get(from..).unwrap();
            rest.get(..rest.find('"').unwrap()).unwrap().parse().unwrap()
        };
        (attribute("x"), attribute("y"))
    }

    #[test]
    fn the_boundary_is_explained_in_the_key_not_over_the_data() {
        // Points crowd the 1e-3 line all along: words on the line would lie over them. In a
        // narrow plot the words go under the series' name in the key.
        let crowded = SeriesPlotData {
            series: vec![SeriesCurve {
                label: "crowded".into(),
                points: [10.0, 60.0, 120.0, 200.0, 300.0, 400.0, 486.0]
                    .iter()
                    .map(|&p| point(p, Branch::Loading, 1.2e-3, None))
                    .collect(),
            }],
            pressure_axis: PressureAxis::Linear,
        };
        let narrow = series_svg(&crowded, 200, 260).unwrap();
        let (x, y) = text_at(&narrow, "1e-3 S/cm: semicircle below");
        let (key_x, key_y) = text_at(&narrow, ">\ncrowded");
        assert!(
            (x - key_x).abs() < 1.0 && y > key_y,
            "under the series' name in the key: {x},{y} vs {key_x},{key_y}"
        );
        // The page's plot, about 480 px wide, has room in its header for the words or their
        // short form.
        let middle = series_svg(&crowded, 480, 320).unwrap();
        let (_, y_said) = text_at(&middle, ">\n1e-3 S/cm:");
        let (_, y_loading) = text_at(&middle, ">\nloading");
        assert!(
            (y_said - y_loading).abs() < 1.0,
            "in the header: {y_said} vs {y_loading}"
        );
        // A wide plot has room for them in its header, beside loading and unloading.
        let wide = series_svg(&crowded, 900, 560).unwrap();
        let (_, y_wide) = text_at(&wide, "1e-3 S/cm: semicircle below");
        let (_, y_loading) = text_at(&wide, ">\nloading");
        assert!(
            (y_wide - y_loading).abs() < 1.0,
            "in the header: {y_wide} vs {y_loading}"
        );
    }

    #[test]
    fn the_svg_has_its_labels_and_one_marker_per_point() {
        for axis in [PressureAxis::Linear, PressureAxis::Log] {
            let svg = series_svg(&two_series(axis), 900, 560).unwrap();
            assert!(svg.starts_with("<svg"), "{axis:?}");
            for text in [
                "sc-NMC622",
                "LNO &amp; coated",
                "loading",
                "unloading",
                "1e-3 S/cm",
                "p / MPa",
            ] {
                assert!(svg.contains(text), "{axis:?}: {text}");
            }
            // Eight points, the two branch markers of the legend and one per series in the key.
            assert_eq!(circles(&svg), 8 + 2 + 2, "{axis:?}");
        }
    }

    #[test]
    fn empty_and_unusable_data_draw_an_empty_plot() {
        let empty = SeriesPlotData::default();
        let svg = series_svg(&empty, 600, 400).unwrap();
        assert!(svg.contains("no data"));
        let nan = SeriesPlotData {
            series: vec![SeriesCurve {
                label: "x".into(),
                points: vec![
                    point(f64::NAN, Branch::Loading, 1e-3, None),
                    point(10.0, Branch::Loading, f64::NAN, Some(f64::INFINITY)),
                    point(-5.0, Branch::Unloading, -1.0, None),
                    point(0.0, Branch::Unloading, 1e-3, None),
                ],
            }],
            pressure_axis: PressureAxis::Log,
        };
        let svg = series_svg(&nan, 600, 400).unwrap();
        assert!(svg.contains("no data"));
        // One point at 0 MPa is drawable on a linear axis.
        let linear = SeriesPlotData {
            pressure_axis: PressureAxis::Linear,
            ..nan
        };
        assert_eq!(circles(&series_svg(&linear, 600, 400).unwrap()), 1 + 2 + 1);
        assert!(series_svg(&empty, 10, 10).is_err());
        assert!(series_svg(&empty, 0, 0).is_err());
    }

    #[test]
    fn identical_points_and_huge_errors_do_not_panic() {
        let data = SeriesPlotData {
            series: vec![SeriesCurve {
                label: "same".into(),
                points: vec![point(100.0, Branch::Loading, 1e-3, Some(1.0)); 4],
            }],
            pressure_axis: PressureAxis::Log,
        };
        assert!(series_svg(&data, 600, 400).is_ok());
        let dark = PlotStyle {
            dark: true,
            scale: 2.0,
            ..PlotStyle::default()
        };
        let mut svg = String::new();
        let root = SVGBackend::with_string(&mut svg, (1200, 800)).into_drawing_area();
        assert_eq!(draw_series(&root, &two_series(PressureAxis::Linear), &dark), Ok(()));
    }

    #[test]
    fn log_pressure_ticks_read_plainly() {
        assert_eq!(pressure_log_tick(20.0), "20");
        assert_eq!(pressure_log_tick(500.0), "500");
        assert_eq!(pressure_log_tick(1000.0), "1000");
        assert_eq!(pressure_log_tick(0.5), "0.5");
        assert_eq!(pressure_log_tick(1e6), "10⁶");
        let svg = series_svg(&two_series(PressureAxis::Log), 900, 560).unwrap();
        assert!(!svg.contains("×10¹") && !svg.contains("×10²"), "a plain pressure tick");
    }

    #[test]
    fn provenance_goes_in_after_the_opening_tag_escaped() {
        let svg = series_svg(&two_series(PressureAxis::Linear), 300, 200).unwrap();
        let with = with_provenance(&svg, r#"{"file":"a<b>&c.csv"}"#);
        let open_end = svg.find('>').unwrap() + 1;
        assert_eq!(with.get(..open_end), svg.get(..open_end));
        assert!(with.contains(r#"<metadata id="sigmafit-provenance">{"file":"a&lt;b&gt;&amp;c.csv"}</metadata>"#));
        assert_eq!(with_provenance("no svg here", "{}"), "no svg here");
    }

    #[test]
    fn axis_names() {
        assert_eq!(PressureAxis::parse(" Log "), Some(PressureAxis::Log));
        assert_eq!(PressureAxis::parse("linear"), Some(PressureAxis::Linear));
        assert_eq!(PressureAxis::parse("cubic"), None);
        assert_eq!(serde_json::to_value(PressureAxis::Log).unwrap(), "log");
    }
}
