//! A circuit drawn as an SVG string: elements in series left to right, parallel
//! branches stacked, each element its usual symbol with its label above it and, when
//! fitted values are given, each parameter's value with its unit below it.
//!
//! Every element occupies a cell wide enough for its own texts, and cells never overlap,
//! so labels never overlap either. The tree is walked in post-order with an explicit
//! stack of finished blocks ([`Circuit::postorder`]): no recursion, whatever the input.

use crate::circuit::{Circuit, ElementKind, TreeStep};
use crate::numfmt::{self, Style};
use std::fmt::Write;

/// Height of the band above the wire that holds the element's label.
const LABEL_BAND: f64 = 18.0;
/// Half the height of a symbol, above and below the wire.
const SYMBOL_HALF_HEIGHT: f64 = 14.0;
/// Height of one line of text under the symbol.
const VALUE_LINE: f64 = 14.0;
/// Width of a symbol along the wire.
const SYMBOL_WIDTH: f64 = 40.0;
/// Narrowest element cell; wider when its texts need it.
const MIN_CELL_WIDTH: f64 = 64.0;
/// Wire between a parallel group's bus bar and its branches.
const BUS_STUB: f64 = 12.0;
/// Font size of the texts, px.
pub const FONT_PX: f64 = 11.0;
/// An upper estimate of a character's width at [`FONT_PX`] in a sans-serif font: the
/// cell widths (and the overlap test) use it, so texts fit with room to spare.
pub const CHAR_WIDTH: f64 = 0.62 * FONT_PX;
/// Margin around the drawing, and the length of each terminal lead.
const MARGIN: f64 = 8.0;
const LEAD: f64 = 14.0;

/// A text of the drawing and where it sits.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub text: String,
    /// Centre of the text's baseline.
    pub x: f64,
    pub y: f64,
}

impl Label {
    /// The box the text may cover: [`CHAR_WIDTH`] per character, one font size high.
    pub fn bounds(&self) -> (f64, f64, f64, f64) {
        let half = self.text.chars().count() as f64 * CHAR_WIDTH / 2.0;
        (self.x - half, self.y - FONT_PX, self.x + half, self.y + 0.25 * FONT_PX)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Shape {
    Line(f64, f64, f64, f64),
    /// An element's symbol centred on (x, wire y), with the element's label.
    Symbol {
        kind: ElementKind,
        label: String,
        x: f64,
        y: f64,
    },
    Text(Label),
}

impl Shape {
    fn shifted(self, dx: f64, dy: f64) -> Shape {
        match self {
            Shape::Line(x1, y1, x2, y2) => Shape::Line(x1 + dx, y1 + dy, x2 + dx, y2 + dy),
            Shape::Symbol { kind, label, x, y } => Shape::Symbol {
                kind,
                label,
                x: x + dx,
                y: y + dy,
            },
            Shape::Text(l) => Shape::Text(Label {
                text: l.text,
                x: l.x + dx,
                y: l.y + dy,
            }),
        }
    }
}

/// A laid-out part of the circuit, its origin at the top left; the wire enters at
/// (0, wire) and leaves at (width, wire).
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub width: f64,
    pub height: f64,
    pub wire: f64,
    shapes: Vec<Shape>,
}

impl Block {
    fn element(kind: ElementKind, label: &str, values: &[String]) -> Block {
        let widest = std::iter::once(label)
            .chain(values.iter().map(String::as_str))
            .map(|t| t.chars().count())
            .max()
            .unwrap_or(0);
        let width = (widest as f64 * CHAR_WIDTH + 12.0).max(MIN_CELL_WIDTH);
        let wire = LABEL_BAND + SYMBOL_HALF_HEIGHT;
        let height = wire + SYMBOL_HALF_HEIGHT + 4.0 + VALUE_LINE * values.len() as f64;
        let x = width / 2.0;
        let mut shapes = vec![
            Shape::Line(0.0, wire, x - SYMBOL_WIDTH / 2.0, wire),
            Shape::Line(x + SYMBOL_WIDTH / 2.0, wire, width, wire),
            Shape::Symbol {
                kind,
                label: label.to_string(),
                x,
                y: wire,
            },
            Shape::Text(Label {
                text: label.to_string(),
                x,
                y: LABEL_BAND - 4.0,
            }),
        ];
        for (i, value) in values.iter().enumerate() {
            let y = wire + SYMBOL_HALF_HEIGHT + 2.0 + VALUE_LINE * (i as f64 + 1.0) - 2.0;
            shapes.push(Shape::Text(Label {
                text: value.clone(),
                x,
                y,
            }));
        }
        Block {
            width,
            height,
            wire,
            shapes,
        }
    }

    /// Side by side, wires aligned.
    fn series(parts: Vec<Block>) -> Block {
        let wire = parts.iter().map(|b| b.wire).fold(0.0, f64::max);
        let below = parts.iter().map(|b| b.height - b.wire).fold(0.0, f64::max);
        let mut shapes = Vec::new();
        let mut x = 0.0;
        for part in parts {
            let dy = wire - part.wire;
            shapes.extend(part.shapes.into_iter().map(|s| s.shifted(x, dy)));
            x += part.width;
        }
        Block {
            width: x,
            height: wire + below,
            wire,
            shapes,
        }
    }

    /// Stacked between two bus bars; shorter branches get a wire to the right bar, and
    /// the group's wire is midway between the first and last branch's.
    fn parallel(parts: Vec<Block>) -> Block {
        let inner = parts.iter().map(|b| b.width).fold(0.0, f64::max);
        let width = inner + 2.0 * BUS_STUB;
        let mut shapes = Vec::new();
        let mut y = 0.0;
        let mut rails = Vec::with_capacity(parts.len());
        for part in parts {
            let rail = y + part.wire;
            rails.push(rail);
            shapes.push(Shape::Line(BUS_STUB + part.width, rail, BUS_STUB + inner, rail));
            shapes.extend(part.shapes.into_iter().map(|s| s.shifted(BUS_STUB, y)));
            y += part.height;
        }
        let (first, last) = (
            rails.first().copied().unwrap_or(0.0),
            rails.last().copied().unwrap_or(0.0),
        );
        let wire = (first + last) / 2.0;
        shapes.push(Shape::Line(BUS_STUB, first, BUS_STUB, last));
        shapes.push(Shape::Line(BUS_STUB + inner, first, BUS_STUB + inner, last));
        shapes.push(Shape::Line(0.0, wire, BUS_STUB, wire));
        shapes.push(Shape::Line(BUS_STUB + inner, wire, width, wire));
        Block {
            width,
            height: y,
            wire,
            shapes,
        }
    }

    /// Every text of the block, for checking that none overlap.
    pub fn labels(&self) -> Vec<&Label> {
        self.shapes
            .iter()
            .filter_map(|s| match s {
                Shape::Text(l) => Some(l),
                _ => None,
            })
            .collect()
    }

    /// The labels of the element symbols, left to right and top to bottom as drawn.
    pub fn symbols(&self) -> Vec<&str> {
        self.shapes
            .iter()
            .filter_map(|s| match s {
                Shape::Symbol { label, .. } => Some(label.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// The text under an element: each parameter's value with its unit; for an element of
/// several parameters each line names its parameter (`Q`, `alpha`).
fn value_lines(circuit: &Circuit, element: usize, values: Option<&[f64]>) -> Vec<String> {
    let Some(values) = values else { return Vec::new() };
    let params: Vec<_> = circuit
        .params()
        .iter()
        .enumerate()
        .filter(|(_, p)| p.element == element)
        .collect();
    let several = params.len() > 1;
    params
        .into_iter()
        .filter_map(|(i, p)| {
            let value = numfmt::value(*values.get(i)?, 3, p.kind.unit(), Style::Typeset);
            let suffix = p.name.rsplit_once('.').map(|(_, s)| s).filter(|_| several);
            Some(match suffix {
                Some("alpha") => format!("α = {value}"),
                Some(s) => format!("{s} = {value}"),
                None => value,
            })
        })
        .collect()
}

/// The circuit laid out, before it is written as SVG.
pub fn layout(circuit: &Circuit, values: Option<&[f64]>) -> Block {
    let mut stack: Vec<Block> = Vec::new();
    for step in circuit.postorder() {
        match step {
            TreeStep::Element(i) => {
                let (kind, label) = match circuit.elements().get(i) {
                    Some(e) => (e.kind, e.label.as_str()),
                    None => continue,
                };
                stack.push(Block::element(kind, label, &value_lines(circuit, i, values)));
            }
            TreeStep::Series(n) | TreeStep::Parallel(n) => {
                let parts = stack.split_off(stack.len().saturating_sub(n));
                stack.push(if matches!(step, TreeStep::Series(_)) {
                    Block::series(parts)
                } else {
                    Block::parallel(parts)
                });
            }
        }
    }
    // The post-order of a tree leaves exactly one block; join any rest in series rather than lose it.
    Block::series(stack)
}

/// The circuit as a standalone SVG document; `values` (in circuit order, as
/// [`Circuit::params`]) adds each parameter's value under its element.
pub fn svg(circuit: &Circuit, values: Option<&[f64]>) -> String {
    let block = layout(circuit, values);
    let ox = MARGIN + LEAD;
    let oy = MARGIN;
    let width = block.width + 2.0 * (MARGIN + LEAD);
    let height = block.height + 2.0 * MARGIN;
    let wire = oy + block.wire;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="circuit-diagram" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.1} {height:.1}" role="img" aria-label="{}">"#,
        escape(&format!("Circuit {}", circuit.text()))
    );
    let _ = write!(
        out,
        r#"<g fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" stroke-linejoin="round">"#
    );
    // Terminals at both ends.
    let _ = write!(
        out,
        r#"<line x1="{:.1}" y1="{wire:.1}" x2="{ox:.1}" y2="{wire:.1}"/><line x1="{:.1}" y1="{wire:.1}" x2="{:.1}" y2="{wire:.1}"/><circle cx="{:.1}" cy="{wire:.1}" r="3"/><circle cx="{:.1}" cy="{wire:.1}" r="3"/>"#,
        MARGIN,
        ox + block.width,
        width - MARGIN,
        MARGIN,
        width - MARGIN
    );
    let mut texts = String::new();
    for shape in &block.shapes {
        match shape.clone().shifted(ox, oy) {
            Shape::Line(x1, y1, x2, y2) => {
                let _ = write!(out, r#"<line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}"/>"#);
            }
            Shape::Symbol { kind, label, x, y } => symbol(&mut out, kind, &label, x, y),
            Shape::Text(l) => {
                let _ = write!(
                    texts,
                    r#"<text x="{:.1}" y="{:.1}">{}</text>"#,
                    l.x,
                    l.y,
                    escape(&l.text)
                );
            }
        }
    }
    let _ = write!(
        out,
        r#"</g><g class="labels" fill="currentColor" font-family="system-ui, sans-serif" font-size="{FONT_PX}" text-anchor="middle">{texts}</g></svg>"#
    );
    out
}

/// One element's symbol, [`SYMBOL_WIDTH`] wide, centred on (x, y), in a group that names it.
fn symbol(out: &mut String, kind: ElementKind, label: &str, x: f64, y: f64) {
    let left = x - SYMBOL_WIDTH / 2.0;
    let right = x + SYMBOL_WIDTH / 2.0;
    let h = SYMBOL_HALF_HEIGHT;
    let _ = write!(out, r#"<g class="element" data-element="{}">"#, escape(label));
    match kind {
        // Zig-zag: six strokes across the symbol's width.
        ElementKind::Resistor => {
            let mut points = format!("{left:.1},{y:.1}");
            for k in 0..6 {
                let px = left + SYMBOL_WIDTH * (2 * k + 1) as f64 / 12.0;
                let py = if k % 2 == 0 { y - h * 0.6 } else { y + h * 0.6 };
                let _ = write!(points, " {px:.1},{py:.1}");
            }
            let _ = write!(points, " {right:.1},{y:.1}");
            let _ = write!(out, r#"<polyline points="{points}"/>"#);
        }
        // Two plates.
        ElementKind::Capacitor => {
            let (a, b) = (x - 4.0, x + 4.0);
            let _ = write!(
                out,
                r#"<line x1="{left:.1}" y1="{y:.1}" x2="{a:.1}" y2="{y:.1}"/><line x1="{b:.1}" y1="{y:.1}" x2="{right:.1}" y2="{y:.1}"/><line x1="{a:.1}" y1="{:.1}" x2="{a:.1}" y2="{:.1}"/><line x1="{b:.1}" y1="{:.1}" x2="{b:.1}" y2="{:.1}"/>"#,
                y - h,
                y + h,
                y - h,
                y + h
            );
        }
        // Two angled plates, the constant phase element's usual sign.
        ElementKind::Cpe => {
            let (a, b) = (x - 5.0, x + 3.0);
            let _ = write!(
                out,
                r#"<line x1="{left:.1}" y1="{y:.1}" x2="{a:.1}" y2="{y:.1}"/><line x1="{b:.1}" y1="{y:.1}" x2="{right:.1}" y2="{y:.1}"/><polyline points="{:.1},{:.1} {a:.1},{y:.1} {:.1},{:.1}"/><polyline points="{:.1},{:.1} {b:.1},{y:.1} {:.1},{:.1}"/>"#,
                a + 6.0,
                y - h,
                a + 6.0,
                y + h,
                b + 6.0,
                y - h,
                b + 6.0,
                y + h
            );
        }
        // Four loops.
        ElementKind::Inductor => {
            let step = SYMBOL_WIDTH / 4.0;
            let mut d = format!("M{left:.1},{y:.1}");
            for _ in 0..4 {
                let _ = write!(d, " a{:.1},{:.1} 0 0 1 {step:.1},0", step / 2.0, step / 2.0);
            }
            let _ = write!(out, r#"<path d="{d}"/>"#);
        }
        // A box marked W.
        ElementKind::Warburg => {
            let _ = write!(
                out,
                r#"<rect x="{left:.1}" y="{:.1}" width="{SYMBOL_WIDTH:.1}" height="{:.1}"/><path d="M{:.1},{:.1} l3,12 l3,-8 l3,8 l3,-12"/>"#,
                y - h * 0.6,
                h * 1.2,
                x - 6.0,
                y - 6.0
            );
        }
    }
    out.push_str("</g>");
}

/// Text for SVG content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn circuit(text: &str) -> Circuit {
        Circuit::parse(text).unwrap()
    }

    /// A small XML well-formedness check: every tag closes in order, attributes are
    /// quoted, no bare `&` or `<` in text. Enough for what this module writes.
    fn well_formed(xml: &str) -> Result<(), String> {
        let mut open: Vec<String> = Vec::new();
        let mut rest = xml;
        while let Some(start) = rest.find(['<', '&']) {
            let (text, tail) = rest.split_at(start);
            if text.contains('>') {
                return Err(format!("bare '>' in text {text:?}"));
            }
            if tail.starts_with('&') {
                let end = tail.find(';').ok_or("unterminated entity")?;
                let name = &tail[1..end];
                if !["amp", "lt", "gt", "quot", "#39"].contains(&name) {
                    return Err(format!("unknown entity {name}"));
                }
                rest = &tail[end + 1..];
                continue;
            }
            let end = tail.find('>').ok_or("unterminated tag")?;
            let tag = &tail[1..end];
            if tag.contains('<') {
                return Err(format!("'<' inside tag {tag:?}"));
            }
            if tag.matches('"').count() % 2 != 0 {
                return Err(format!("unbalanced quotes in {tag:?}"));
            }
            if let Some(name) = tag.strip_prefix('/') {
                let top = open.pop().ok_or(format!("closing {name} with nothing open"))?;
                if top != name {
                    return Err(format!("closing {name} while {top} is open"));
                }
            } else if !tag.ends_with('/') {
                let name = tag.split_whitespace().next().ok_or("empty tag")?;
                open.push(name.to_string());
            }
            rest = &tail[end + 1..];
        }
        if !open.is_empty() {
            return Err(format!("unclosed {open:?}"));
        }
        if !xml.starts_with("<svg") {
            return Err("not an svg element".into());
        }
        Ok(())
    }

    #[test]
    fn the_checker_rejects_broken_xml() {
        assert!(well_formed("<svg><g></svg></g>").is_err());
        assert!(well_formed("<svg><text>a<b</text></svg>").is_err());
        assert!(well_formed("<svg><text>a & b</text></svg>").is_err());
        assert!(well_formed("<svg><g>").is_err());
        assert!(well_formed(r#"<svg a="1"><g/><text>a &amp; b</text></svg>"#).is_ok());
    }

    #[test]
    fn every_circuit_is_well_formed_svg_with_one_symbol_per_element() {
        for text in [
            "R0",
            "R0-p(R1,C1)",
            "R0-p(R1,CPE1)-p(R2,CPE2)",
            "L0-R0-p(R1,CPE1)-p(R2,CPE2)-W1",
            "p(R1,p(R2,C2)-W2,L3)",
            "R(RQ)",
        ] {
            let c = circuit(text);
            let values: Vec<f64> = (0..c.params().len()).map(|i| 1.234e-7 * 10f64.powi(i as i32)).collect();
            for drawn in [svg(&c, None), svg(&c, Some(&values))] {
                well_formed(&drawn).unwrap_or_else(|e| panic!("{text}: {e}\n{drawn}"));
                assert_eq!(
                    drawn.matches(r#"<g class="element""#).count(),
                    c.elements().len(),
                    "{text}"
                );
                for e in c.elements() {
                    assert!(
                        drawn.contains(&format!(">{}</text>", e.label)),
                        "{text}: no label {}",
                        e.label
                    );
                    assert!(drawn.contains(&format!(r#"data-element="{}""#, e.label)), "{text}");
                }
            }
        }
    }

    #[test]
    fn each_element_kind_has_its_own_symbol() {
        let drawn = svg(&circuit("R1-C1-L1-CPE1-W1"), None);
        let group = |label: &str| {
            let start = drawn.find(&format!(r#"data-element="{label}""#)).unwrap();
            let end = start + drawn[start..].find("</g>").unwrap();
            drawn[start..end].to_string()
        };
        assert!(group("R1").contains("<polyline"));
        assert_eq!(group("C1").matches("<line").count(), 4);
        assert_eq!(group("CPE1").matches("<polyline").count(), 2);
        assert_eq!(group("L1").matches(" a").count(), 4);
        assert!(group("W1").contains("<rect"));
    }

    #[test]
    fn series_adds_widths_and_parallel_adds_heights() {
        let r = layout(&circuit("R1"), None);
        let c = layout(&circuit("C1"), None);
        let rc = layout(&circuit("p(R1,C1)"), None);
        // Two rows: the heights add, and the bus stubs widen it on both sides.
        assert_eq!(rc.height, r.height + c.height);
        assert_eq!(rc.width, r.width.max(c.width) + 2.0 * BUS_STUB);
        assert!(rc.wire > r.wire && rc.wire < r.height + c.wire);
        let series = layout(&circuit("R0-p(R1,C1)"), None);
        assert_eq!(series.width, r.width + rc.width);
        assert!(series.width > rc.width);
        assert_eq!(series.height, rc.height);
        let in_series = layout(&circuit("R1-C1"), None);
        assert_eq!(in_series.width, r.width + c.width);
        assert_eq!(in_series.height, r.height.max(c.height));
        assert_eq!(layout(&circuit("R0-p(R1,C1)"), None).symbols(), ["R0", "R1", "C1"]);
    }

    #[test]
    fn values_go_under_their_element_with_units_and_widen_the_cell() {
        let c = circuit("R0-p(R1,CPE1)");
        let values = [12.5, 3.4e5, 2.2e-10, 0.85];
        let drawn = svg(&c, Some(&values));
        assert!(drawn.contains(">12.5\u{a0}Ω</text>"), "{drawn}");
        assert!(drawn.contains(">α = 0.850</text>"), "{drawn}");
        assert!(drawn.contains("Q = 2.20\u{a0}×\u{a0}10⁻¹⁰"), "{drawn}");
        assert!(layout(&c, Some(&values)).width > layout(&c, None).width);
    }

    #[test]
    fn no_two_labels_overlap() {
        for text in [
            "R0-p(R1,CPE1)-p(R2,CPE2)",
            "L0-R0-p(R1,CPE1)-p(R2,CPE2)-W1",
            "p(p(R1,C1),p(R2,C2)-W1)",
        ] {
            let c = circuit(text);
            let values: Vec<f64> = (0..c.params().len())
                .map(|i| -1.234_567e-11 * 7f64.powi(i as i32))
                .collect();
            let block = layout(&c, Some(&values));
            let labels = block.labels();
            assert!(labels.len() > c.elements().len(), "{text}: values drawn");
            for (i, a) in labels.iter().enumerate() {
                let (ax0, ay0, ax1, ay1) = a.bounds();
                assert!(
                    ax0 >= 0.0 && ax1 <= block.width && ay0 >= 0.0 && ay1 <= block.height,
                    "{text}: {a:?} outside"
                );
                for b in &labels[i + 1..] {
                    let (bx0, by0, bx1, by1) = b.bounds();
                    let apart = ax1 <= bx0 || bx1 <= ax0 || ay1 <= by0 || by1 <= ay0;
                    assert!(apart, "{text}: {a:?} overlaps {b:?}");
                }
            }
        }
    }

    #[test]
    fn label_text_is_escaped() {
        assert_eq!(escape(r#"<a href="x">&'"#), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }

    #[test]
    fn the_deepest_circuit_the_parser_accepts_is_drawn() {
        let depth = crate::circuit::MAX_NESTING;
        let text: String = (0..depth).map(|i| format!("p(R{i},")).collect::<String>() + "C0" + &")".repeat(depth);
        let c = circuit(&text);
        let drawn = svg(&c, None);
        well_formed(&drawn).unwrap();
        assert_eq!(drawn.matches(r#"<g class="element""#).count(), depth + 1);
    }
}
