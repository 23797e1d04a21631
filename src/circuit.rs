//! Equivalent-circuit elements, the circuit-string parser and the impedance
//! with its analytic derivatives.
//!
//! Circuit strings follow impedance.py: `-` joins elements in series,
//! `p(a,b,...)` puts them in parallel, and every element carries a number:
//! `R0-p(R1,CPE1)`, `R0-CPE0`, `L0-R0-p(R1,CPE1)-p(R2,CPE2)-W1`.
//!
//! | element | impedance | parameters |
//! |---|---|---|
//! | `R` | R | `R1` |
//! | `C` | 1 / (i ω C) | `C1` |
//! | `L` | i ω L | `L1` |
//! | `CPE` | 1 / (Q (i ω)^α), α in [-1, 1] | `CPE1.Q`, `CPE1.alpha` |
//! | `W` | σ (1 − i) / √ω (semi-infinite Warburg) | `W1` |
//!
//! For speed `(i ω)^α` is evaluated as `ω^α exp(i π α / 2)` with `ln ω`
//! computed once per spectrum.

use num_complex::Complex64;
use std::f64::consts::FRAC_PI_2;
use std::fmt;

pub mod boukamp;

/// The kind of a circuit element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElementKind {
    Resistor,
    Capacitor,
    Inductor,
    Cpe,
    Warburg,
}

impl ElementKind {
    fn prefix(self) -> &'static str {
        match self {
            ElementKind::Resistor => "R",
            ElementKind::Capacitor => "C",
            ElementKind::Inductor => "L",
            ElementKind::Cpe => "CPE",
            ElementKind::Warburg => "W",
        }
    }

    fn parameter_kinds(self) -> &'static [ParamKind] {
        match self {
            ElementKind::Resistor => &[ParamKind::Resistance],
            ElementKind::Capacitor => &[ParamKind::Capacitance],
            ElementKind::Inductor => &[ParamKind::Inductance],
            ElementKind::Cpe => &[ParamKind::CpeQ, ParamKind::CpeAlpha],
            ElementKind::Warburg => &[ParamKind::WarburgSigma],
        }
    }
}

/// What a parameter physically is; decides its unit and its default bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    Resistance,
    Capacitance,
    Inductance,
    CpeQ,
    CpeAlpha,
    WarburgSigma,
}

impl ParamKind {
    pub fn unit(self) -> &'static str {
        match self {
            ParamKind::Resistance => "Ω",
            ParamKind::Capacitance => "F",
            ParamKind::Inductance => "H",
            ParamKind::CpeQ => "F s^(α−1)",
            ParamKind::CpeAlpha => "",
            ParamKind::WarburgSigma => "Ω s^−½",
        }
    }
}

/// Where a parameter may go during a fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bounds {
    /// Strictly positive; fitted in log space.
    Positive,
    /// Closed interval; fitted through a sine transform so both ends are reachable.
    Interval { lo: f64, hi: f64 },
}

/// A side of the real axis that a circuit's Im Z never leaves; see [`Circuit::imag_side`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImagSide {
    NotNegative,
    NotPositive,
}

/// One named parameter of a circuit.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamSpec {
    pub name: String,
    pub kind: ParamKind,
    pub bounds: Bounds,
    /// Index of the element this parameter belongs to.
    pub element: usize,
}

/// A resistor in parallel with a capacitor or CPE: one semicircle.
#[derive(Debug, Clone, PartialEq)]
pub struct Arc {
    /// Parameter index of the resistor.
    pub resistor: usize,
    /// Parameter index of C, or of the CPE's Q (α follows it).
    pub capacitor: usize,
    /// The capacitor's label, e.g. `CPE2`.
    pub label: String,
    pub is_cpe: bool,
}

/// One element of a parsed circuit.
#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    pub kind: ElementKind,
    /// The element's label as written, e.g. `CPE2`.
    pub label: String,
    /// Index of its first parameter in [`Circuit::params`].
    pub first_param: usize,
}

/// One step of [`Circuit::postorder`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreeStep {
    /// The element with this index in [`Circuit::elements`].
    Element(usize),
    /// The last this many blocks, joined in series (left to right).
    Series(usize),
    /// The last this many blocks, joined in parallel (top to bottom).
    Parallel(usize),
}

#[derive(Debug, Clone, PartialEq)]
enum NodeKind {
    Element(usize),
    Series(Vec<Node>),
    Parallel(Vec<Node>),
}

#[derive(Debug, Clone, PartialEq)]
struct Node {
    kind: NodeKind,
    /// Parameters of this subtree: contiguous because they are numbered in reading order.
    params: std::ops::Range<usize>,
}

/// A parsed equivalent circuit.
#[derive(Debug, Clone, PartialEq)]
pub struct Circuit {
    text: String,
    root: Node,
    elements: Vec<Element>,
    params: Vec<ParamSpec>,
    /// Set when the circuit is one of the study's shapes, evaluated without walking the tree.
    flat: Option<FlatShape>,
}

/// Circuits evaluated in closed form: the presets' shapes, whatever their labels or bounds.
/// A fit evaluates the model about ten times over every point, so the walk over the tree
/// (recursion, a match per node, a vector of element constants per evaluation) costs more
/// than the arithmetic for these small circuits. Parameters are numbered in reading order,
/// so the shape alone fixes their indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FlatShape {
    /// `R-CPE`: R, Q, α.
    RCpe,
    /// `R-p(R,CPE)`: R1, R2, Q, α.
    RParallelRCpe,
    /// `R-p(R,C)`: R1, R2, C.
    RParallelRC,
}

impl FlatShape {
    fn of(root: &Node, elements: &[Element]) -> Option<FlatShape> {
        let kind = |node: &Node| match node.kind {
            NodeKind::Element(i) => elements.get(i).map(|e| e.kind),
            _ => None,
        };
        let NodeKind::Series(children) = &root.kind else {
            return None;
        };
        let [first, second] = children.as_slice() else {
            return None;
        };
        if kind(first) != Some(ElementKind::Resistor) {
            return None;
        }
        if kind(second) == Some(ElementKind::Cpe) {
            return Some(FlatShape::RCpe);
        }
        let NodeKind::Parallel(branches) = &second.kind else {
            return None;
        };
        let [a, b] = branches.as_slice() else {
            return None;
        };
        match (kind(a), kind(b)) {
            (Some(ElementKind::Resistor), Some(ElementKind::Cpe)) => Some(FlatShape::RParallelRCpe),
            (Some(ElementKind::Resistor), Some(ElementKind::Capacitor)) => Some(FlatShape::RParallelRC),
            _ => None,
        }
    }
}

/// A circuit string that could not be parsed, with the 1-based character position.
#[derive(Debug, Clone, PartialEq)]
pub struct CircuitError {
    pub circuit: String,
    pub position: usize,
    pub message: String,
}

impl fmt::Display for CircuitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "circuit \"{}\", position {}: {}",
            self.circuit, self.position, self.message
        )
    }
}

impl std::error::Error for CircuitError {}

/// Longest circuit string accepted, in characters.
pub const MAX_CIRCUIT_CHARS: usize = 400;
/// Deepest nesting of `p(...)` accepted. The parser and every walk over the circuit
/// recurse once per level, so input must not choose the depth (20 000 levels overflowed
/// the stack); real circuits nest two or three deep.
pub const MAX_NESTING: usize = 16;

impl Circuit {
    /// Parses an impedance.py-style circuit string, or Boukamp's circuit description
    /// code (no numbers: `R(RQ)`), whose elements are then numbered ([`boukamp`]).
    pub fn parse(text: &str) -> Result<Circuit, CircuitError> {
        if boukamp::is_boukamp(text) {
            return Circuit::parse(&boukamp::to_impedance_py(text)?);
        }
        let too_long = |message: String, position: usize| CircuitError {
            circuit: text.chars().take(60).collect::<String>() + if text.chars().count() > 60 { "…" } else { "" },
            position,
            message,
        };
        let length = text.chars().count();
        if length > MAX_CIRCUIT_CHARS {
            return Err(too_long(
                format!("the circuit is {length} characters long; at most {MAX_CIRCUIT_CHARS} are accepted"),
                MAX_CIRCUIT_CHARS + 1,
            ));
        }
        // Checked without recursion, before the recursive parser sees the text.
        let mut depth = 0usize;
        for (i, c) in text.chars().enumerate() {
            match c {
                '(' => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return Err(too_long(
                            format!(
                                "parentheses nest more than {MAX_NESTING} deep; real circuits need two or three levels"
                            ),
                            i + 1,
                        ));
                    }
                }
                ')' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        let mut parser = Parser {
            source: text,
            chars: text.chars().collect(),
            pos: 0,
            elements: Vec::new(),
            params: Vec::new(),
        };
        parser.skip_spaces();
        if parser.pos >= parser.chars.len() {
            return Err(parser.error(0, "the circuit is empty; write e.g. R0-p(R1,CPE1)"));
        }
        let root = parser.series()?;
        parser.skip_spaces();
        if parser.pos < parser.chars.len() {
            let found = parser.chars[parser.pos];
            return Err(parser.error(
                parser.pos,
                &format!("unexpected '{found}'; elements are joined with '-' and grouped with p(...)"),
            ));
        }
        let canonical = root.render(&parser.elements);
        let flat = FlatShape::of(&root, &parser.elements);
        Ok(Circuit {
            text: canonical,
            root,
            elements: parser.elements,
            params: parser.params,
            flat,
        })
    }

    /// The circuit's tree in post-order (children before the group that joins them), so
    /// a drawing can be built with an explicit stack instead of recursion.
    pub fn postorder(&self) -> Vec<TreeStep> {
        let mut steps = Vec::new();
        // (node, children already pushed): an explicit stack, so no depth limit is needed.
        let mut stack: Vec<(&Node, bool)> = vec![(&self.root, false)];
        while let Some((node, expanded)) = stack.pop() {
            match &node.kind {
                NodeKind::Element(i) => steps.push(TreeStep::Element(*i)),
                NodeKind::Series(children) | NodeKind::Parallel(children) if !expanded => {
                    stack.push((node, true));
                    stack.extend(children.iter().rev().map(|c| (c, false)));
                }
                NodeKind::Series(children) => steps.push(TreeStep::Series(children.len())),
                NodeKind::Parallel(children) => steps.push(TreeStep::Parallel(children.len())),
            }
        }
        steps
    }

    /// Which of the study's shapes the circuit has, whatever its labels and bounds:
    /// `R-CPE`, `R-p(R,CPE)` or `R-p(R,C)`. A user's `R0-p(R1,CPE1)` is the semicircle
    /// preset's shape, so it can start from that preset's guess.
    pub fn study_shape(&self) -> Option<&'static str> {
        self.flat.map(|shape| match shape {
            FlatShape::RCpe => "R-CPE",
            FlatShape::RParallelRCpe => "R-p(R,CPE)",
            FlatShape::RParallelRC => "R-p(R,C)",
        })
    }

    /// The circuit in canonical form (no spaces).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The circuit in Boukamp's circuit description code: `R0-p(R1,CPE1)` is `R(RQ)`.
    pub fn boukamp(&self) -> String {
        self.root.render_boukamp(&self.elements, false)
    }

    pub fn params(&self) -> &[ParamSpec] {
        &self.params
    }

    pub fn elements(&self) -> &[Element] {
        &self.elements
    }

    pub fn param_index(&self, name: &str) -> Option<usize> {
        self.params.iter().position(|p| p.name == name)
    }

    /// Every R ‖ C or R ‖ CPE pair: the circuit's semicircles, in reading order.
    pub fn arcs(&self) -> Vec<Arc> {
        let mut found = Vec::new();
        self.collect_arcs(&self.root, &mut found);
        found
    }

    fn collect_arcs(&self, node: &Node, found: &mut Vec<Arc>) {
        match &node.kind {
            NodeKind::Element(_) => {}
            NodeKind::Series(children) => children.iter().for_each(|c| self.collect_arcs(c, found)),
            NodeKind::Parallel(children) => {
                let element = |n: &Node| match n.kind {
                    NodeKind::Element(i) => self.elements.get(i),
                    _ => None,
                };
                if let [a, b] = children.as_slice()
                    && let (Some(x), Some(y)) = (element(a), element(b))
                {
                    let (resistor, capacitor) = if x.kind == ElementKind::Resistor {
                        (x, y)
                    } else {
                        (y, x)
                    };
                    if resistor.kind == ElementKind::Resistor
                        && matches!(capacitor.kind, ElementKind::Capacitor | ElementKind::Cpe)
                    {
                        found.push(Arc {
                            resistor: resistor.first_param,
                            capacitor: capacitor.first_param,
                            label: capacitor.label.clone(),
                            is_cpe: capacitor.kind == ElementKind::Cpe,
                        });
                    }
                }
                children.iter().for_each(|c| self.collect_arcs(c, found));
            }
        }
    }

    /// Whether some element can make Im Z positive (an inductor, or a CPE allowed α < 0).
    pub fn can_be_inductive(&self) -> bool {
        self.elements.iter().any(|e| match e.kind {
            ElementKind::Inductor => true,
            ElementKind::Cpe => matches!(
                self.params.get(e.first_param + 1).map(|p| p.bounds),
                Some(Bounds::Interval { lo, .. }) if lo < 0.0
            ),
            _ => false,
        })
    }

    /// The side of the real axis Im Z keeps to for every parameter value within the
    /// bounds, if there is one. Series sums keep the side of their terms, and parallel
    /// branches too, through the admittances (Im(1/Z) = −Im Z / |Z|²). So when no
    /// element can go below the axis (R, L, a CPE with α ≤ 0) Im Z is never negative,
    /// and when none can go above it (R, C, W, a CPE with α ≥ 0) Im Z is never positive.
    pub fn imag_side(&self) -> Option<ImagSide> {
        let (mut above, mut below) = (false, false);
        for e in &self.elements {
            match e.kind {
                ElementKind::Resistor => {}
                ElementKind::Inductor => above = true,
                ElementKind::Capacitor | ElementKind::Warburg => below = true,
                ElementKind::Cpe => match self.params.get(e.first_param + 1).map(|p| p.bounds) {
                    Some(Bounds::Interval { lo, .. }) if lo >= 0.0 => below = true,
                    Some(Bounds::Interval { hi, .. }) if hi <= 0.0 => above = true,
                    _ => return None,
                },
            }
        }
        match (above, below) {
            (true, true) => None,
            (false, _) => Some(ImagSide::NotPositive),
            (true, false) => Some(ImagSide::NotNegative),
        }
    }

    /// Restricts the bounds of one parameter (used by the presets).
    pub fn set_bounds(&mut self, name: &str, bounds: Bounds) -> bool {
        match self.params.iter_mut().find(|p| p.name == name) {
            Some(p) => {
                p.bounds = bounds;
                true
            }
            None => false,
        }
    }

    /// Impedance at angular frequency `omega` (rad/s).
    pub fn impedance(&self, omega: f64, params: &[f64]) -> Complex64 {
        self.at(params).impedance(omega, omega.ln())
    }

    /// The circuit at fixed parameter values, with everything that does not depend
    /// on frequency computed once: evaluate many frequencies through this.
    pub fn at(&self, params: &[f64]) -> Evaluator<'_> {
        let value = |i: usize| params.get(i).copied().unwrap_or(f64::NAN);
        let cpe = CpeConst::new;
        let form = match self.flat {
            Some(FlatShape::RCpe) => Form::RCpe {
                r: value(0),
                cpe: cpe(value(1), value(2)),
            },
            Some(FlatShape::RParallelRCpe) => Form::RParallelRCpe {
                r1: value(0),
                r2: value(1),
                cpe: cpe(value(2), value(3)),
            },
            Some(FlatShape::RParallelRC) => Form::RParallelRC {
                r1: value(0),
                r2: value(1),
                inv_c: 1.0 / value(2),
            },
            None => Form::Tree(self.element_consts(params)),
        };
        Evaluator { circuit: self, form }
    }

    fn element_consts(&self, params: &[f64]) -> Vec<ElementConst> {
        self.elements
            .iter()
            .map(|e| {
                let p = e.first_param;
                let value = params.get(p).copied().unwrap_or(f64::NAN);
                match e.kind {
                    ElementKind::Resistor => ElementConst::Resistor { r: value },
                    ElementKind::Capacitor => ElementConst::Capacitor { inv_c: 1.0 / value },
                    ElementKind::Inductor => ElementConst::Inductor { l: value },
                    ElementKind::Cpe => {
                        ElementConst::Cpe(CpeConst::new(value, params.get(p + 1).copied().unwrap_or(f64::NAN)))
                    }
                    ElementKind::Warburg => ElementConst::Warburg { sigma: value },
                }
            })
            .collect()
    }

    /// The DC resistance, lim Re Z(ω → 0), or the reason there is none.
    pub fn dc_resistance(&self, params: &[f64]) -> Result<f64, String> {
        match self.dc(&self.root, params) {
            Dc::Finite(r) => Ok(r),
            Dc::Open(blocking) => Err(blocking
                .iter()
                .map(|&index| self.why_it_blocks(index, params))
                .collect::<Vec<_>>()
                .join("; ")),
        }
    }

    /// [`Circuit::dc_resistance`] without the reason: error propagation calls it for
    /// every finite-difference step, where the words would only be thrown away.
    pub fn dc_resistance_value(&self, params: &[f64]) -> Option<f64> {
        match self.dc(&self.root, params) {
            Dc::Finite(r) => Some(r),
            Dc::Open(_) => None,
        }
    }

    fn why_it_blocks(&self, index: usize, params: &[f64]) -> String {
        let Some(element) = self.elements.get(index) else {
            return String::new();
        };
        match element.kind {
            ElementKind::Warburg => format!(
                "{} (semi-infinite Warburg) grows without limit at low frequency",
                element.label
            ),
            ElementKind::Cpe => {
                let alpha = params.get(element.first_param + 1).copied().unwrap_or(f64::NAN);
                format!(
                    "{} has alpha = {:.3} > 0 and blocks direct current",
                    element.label, alpha
                )
            }
            _ => format!("{} blocks direct current", element.label),
        }
    }

    fn dc(&self, node: &Node, params: &[f64]) -> Dc {
        match &node.kind {
            NodeKind::Element(index) => {
                let element = &self.elements[*index];
                let p = element.first_param;
                match element.kind {
                    ElementKind::Resistor => Dc::Finite(params[p]),
                    ElementKind::Inductor => Dc::Finite(0.0),
                    ElementKind::Capacitor | ElementKind::Warburg => Dc::Open(vec![*index]),
                    ElementKind::Cpe => {
                        let alpha = params[p + 1];
                        if alpha > 0.0 {
                            Dc::Open(vec![*index])
                        } else if alpha == 0.0 {
                            Dc::Finite(1.0 / params[p])
                        } else {
                            Dc::Finite(0.0)
                        }
                    }
                }
            }
            NodeKind::Series(children) => {
                let mut total = 0.0;
                for child in children {
                    match self.dc(child, params) {
                        Dc::Finite(r) => total += r,
                        open => return open,
                    }
                }
                Dc::Finite(total)
            }
            NodeKind::Parallel(children) => {
                let mut conductance = 0.0;
                let mut blocking = Vec::new();
                for child in children {
                    match self.dc(child, params) {
                        Dc::Finite(0.0) => return Dc::Finite(0.0),
                        Dc::Finite(r) => conductance += 1.0 / r,
                        Dc::Open(elements) => blocking.extend(elements),
                    }
                }
                if conductance > 0.0 {
                    Dc::Finite(1.0 / conductance)
                } else {
                    Dc::Open(blocking)
                }
            }
        }
    }

    fn eval(
        &self,
        node: &Node,
        omega: f64,
        ln_omega: f64,
        consts: &[ElementConst],
        mut grad: Option<&mut [Complex64]>,
    ) -> Complex64 {
        match &node.kind {
            NodeKind::Element(index) => {
                let first_param = self.elements[*index].first_param;
                element_impedance(consts[*index], first_param, omega, ln_omega, grad)
            }
            NodeKind::Series(children) => {
                let mut z = Complex64::new(0.0, 0.0);
                for child in children {
                    z += self.eval(child, omega, ln_omega, consts, grad.as_deref_mut());
                }
                z
            }
            NodeKind::Parallel(children) if children.len() == 2 => {
                // The common case R ‖ C: Z = Z1 Z2 / (Z1 + Z2), one division.
                let (a, b) = (&children[0], &children[1]);
                let z1 = self.eval(a, omega, ln_omega, consts, grad.as_deref_mut());
                let z2 = self.eval(b, omega, ln_omega, consts, grad.as_deref_mut());
                let inv_sum = (z1 + z2).inv();
                if let Some(grad) = grad {
                    let (r1, r2) = (z2 * inv_sum, z1 * inv_sum);
                    let (s1, s2) = (r1 * r1, r2 * r2);
                    for g in &mut grad[a.params.clone()] {
                        *g *= s1;
                    }
                    for g in &mut grad[b.params.clone()] {
                        *g *= s2;
                    }
                }
                z1 * z2 * inv_sum
            }
            NodeKind::Parallel(children) => {
                // Child impedances are kept so each child's gradient can be rescaled:
                // Z = 1 / Σ 1/Z_i  gives  ∂Z/∂p = (Z / Z_i)² ∂Z_i/∂p.
                let mut admittance = Complex64::new(0.0, 0.0);
                let mut child_z = [Complex64::new(0.0, 0.0); 8];
                let mut many = Vec::new();
                for (i, child) in children.iter().enumerate() {
                    let zi = self.eval(child, omega, ln_omega, consts, grad.as_deref_mut());
                    admittance += zi.inv();
                    if i < child_z.len() {
                        child_z[i] = zi;
                    } else {
                        many.push(zi);
                    }
                }
                let z = admittance.inv();
                if let Some(grad) = grad {
                    for (i, child) in children.iter().enumerate() {
                        let zi = if i < child_z.len() {
                            child_z[i]
                        } else {
                            many[i - child_z.len()]
                        };
                        let ratio = z / zi;
                        let scale = ratio * ratio;
                        for g in &mut grad[child.params.clone()] {
                            *g *= scale;
                        }
                    }
                }
                z
            }
        }
    }
}

enum Dc {
    Finite(f64),
    /// The elements that block direct current, by index.
    Open(Vec<usize>),
}

/// An element's parameters in the form its impedance needs.
#[derive(Debug, Clone, Copy)]
enum ElementConst {
    Resistor { r: f64 },
    Capacitor { inv_c: f64 },
    Inductor { l: f64 },
    Cpe(CpeConst),
    Warburg { sigma: f64 },
}

/// A CPE's parameters in the form its impedance needs: Z = Q⁻¹ ω^(−α) (cos + i sin).
#[derive(Debug, Clone, Copy)]
struct CpeConst {
    inv_q: f64,
    alpha: f64,
    cos: f64,
    sin: f64,
}

impl CpeConst {
    fn new(q: f64, alpha: f64) -> CpeConst {
        let (sin, cos) = (-alpha * FRAC_PI_2).sin_cos();
        CpeConst {
            inv_q: 1.0 / q,
            alpha,
            cos,
            sin,
        }
    }

    fn impedance(self, ln_omega: f64) -> Complex64 {
        let magnitude = (-self.alpha * ln_omega).exp() * self.inv_q;
        Complex64::new(magnitude * self.cos, magnitude * self.sin)
    }
}

/// How an [`Evaluator`] computes: in closed form for a [`FlatShape`], else over the tree.
enum Form {
    RCpe { r: f64, cpe: CpeConst },
    RParallelRCpe { r1: f64, r2: f64, cpe: CpeConst },
    RParallelRC { r1: f64, r2: f64, inv_c: f64 },
    Tree(Vec<ElementConst>),
}

/// A circuit at fixed parameter values; see [`Circuit::at`].
pub struct Evaluator<'a> {
    circuit: &'a Circuit,
    form: Form,
}

impl Evaluator<'_> {
    /// Impedance at `omega` (rad/s); `ln_omega` must be `omega.ln()`.
    pub fn impedance(&self, omega: f64, ln_omega: f64) -> Complex64 {
        match &self.form {
            Form::RCpe { r, cpe } => cpe.impedance(ln_omega) + r,
            // The same operations as with the gradient below: a model and its gradient
            // must agree on where they overflow, or a descent can stop at a point whose
            // misfit is not finite.
            Form::RParallelRCpe { r1, r2, cpe } => {
                let zc = cpe.impedance(ln_omega);
                zc * *r2 * (zc + r2).inv() + r1
            }
            Form::RParallelRC { r1, r2, inv_c } => {
                let zc = Complex64::new(0.0, -inv_c / omega);
                zc * *r2 * (zc + r2).inv() + r1
            }
            Form::Tree(consts) => self.circuit.eval(&self.circuit.root, omega, ln_omega, consts, None),
        }
    }

    /// Impedance and ∂Z/∂p for every parameter into `grad` (one slot per parameter;
    /// a shorter `grad` gets the leading ones).
    pub fn impedance_and_gradient(&self, omega: f64, ln_omega: f64, grad: &mut [Complex64]) -> Complex64 {
        let one = Complex64::new(1.0, 0.0);
        match &self.form {
            Form::RCpe { r, cpe } => {
                let zc = cpe.impedance(ln_omega);
                set_leading(grad, &[one, -zc * cpe.inv_q, -zc * Complex64::new(ln_omega, FRAC_PI_2)]);
                zc + r
            }
            Form::RParallelRCpe { r1, r2, cpe } => {
                // Z = R1 + R2 Zc / (R2 + Zc): ∂Z/∂R2 = (Zc/Σ)², ∂Z/∂Zc = (R2/Σ)².
                let zc = cpe.impedance(ln_omega);
                let inv_sum = (zc + r2).inv();
                let (share_r, share_c) = (zc * inv_sum, inv_sum * *r2);
                let scale_c = share_c * share_c;
                set_leading(
                    grad,
                    &[
                        one,
                        share_r * share_r,
                        -zc * cpe.inv_q * scale_c,
                        -zc * Complex64::new(ln_omega, FRAC_PI_2) * scale_c,
                    ],
                );
                zc * *r2 * inv_sum + r1
            }
            Form::RParallelRC { r1, r2, inv_c } => {
                let zc = Complex64::new(0.0, -inv_c / omega);
                let inv_sum = (zc + r2).inv();
                let (share_r, share_c) = (zc * inv_sum, inv_sum * *r2);
                set_leading(grad, &[one, share_r * share_r, -zc * *inv_c * share_c * share_c]);
                zc * *r2 * inv_sum + r1
            }
            Form::Tree(consts) => self
                .circuit
                .eval(&self.circuit.root, omega, ln_omega, consts, Some(grad)),
        }
    }
}

fn set_leading(grad: &mut [Complex64], values: &[Complex64]) {
    for (g, v) in grad.iter_mut().zip(values) {
        *g = *v;
    }
}

fn element_impedance(
    element: ElementConst,
    p: usize,
    omega: f64,
    ln_omega: f64,
    grad: Option<&mut [Complex64]>,
) -> Complex64 {
    match element {
        ElementConst::Resistor { r } => {
            if let Some(g) = grad {
                g[p] = Complex64::new(1.0, 0.0);
            }
            Complex64::new(r, 0.0)
        }
        ElementConst::Capacitor { inv_c } => {
            let z = Complex64::new(0.0, -inv_c / omega);
            if let Some(g) = grad {
                g[p] = -z * inv_c;
            }
            z
        }
        ElementConst::Inductor { l } => {
            if let Some(g) = grad {
                g[p] = Complex64::new(0.0, omega);
            }
            Complex64::new(0.0, omega * l)
        }
        ElementConst::Cpe(cpe) => {
            let z = cpe.impedance(ln_omega);
            if let Some(g) = grad {
                g[p] = -z * cpe.inv_q;
                g[p + 1] = -z * Complex64::new(ln_omega, FRAC_PI_2);
            }
            z
        }
        ElementConst::Warburg { sigma } => {
            let scale = (-0.5 * ln_omega).exp();
            if let Some(g) = grad {
                g[p] = Complex64::new(scale, -scale);
            }
            Complex64::new(sigma * scale, -sigma * scale)
        }
    }
}

impl Node {
    /// Series are juxtaposed, parallels in `(...)`, a series inside a parallel in `[...]`.
    /// Recursion is bounded: [`MAX_NESTING`] holds for every parsed circuit.
    fn render_boukamp(&self, elements: &[Element], inside_parallel: bool) -> String {
        match &self.kind {
            NodeKind::Element(i) => match elements.get(*i).map(|e| e.kind) {
                Some(ElementKind::Cpe) => "Q".to_string(),
                Some(kind) => kind.prefix().to_string(),
                None => String::new(),
            },
            NodeKind::Series(children) => {
                let inner: String = children.iter().map(|c| c.render_boukamp(elements, false)).collect();
                if inside_parallel { format!("[{inner}]") } else { inner }
            }
            NodeKind::Parallel(children) => {
                let inner: String = children.iter().map(|c| c.render_boukamp(elements, true)).collect();
                format!("({inner})")
            }
        }
    }

    fn render(&self, elements: &[Element]) -> String {
        match &self.kind {
            NodeKind::Element(i) => elements[*i].label.clone(),
            NodeKind::Series(children) => children
                .iter()
                .map(|c| c.render(elements))
                .collect::<Vec<_>>()
                .join("-"),
            NodeKind::Parallel(children) => format!(
                "p({})",
                children
                    .iter()
                    .map(|c| c.render(elements))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        }
    }
}

struct Parser<'a> {
    source: &'a str,
    chars: Vec<char>,
    pos: usize,
    elements: Vec<Element>,
    params: Vec<ParamSpec>,
}

impl Parser<'_> {
    fn error(&self, pos: usize, message: &str) -> CircuitError {
        CircuitError {
            circuit: self.source.to_string(),
            position: pos + 1,
            message: message.to_string(),
        }
    }

    fn skip_spaces(&mut self) {
        while self.chars.get(self.pos).is_some_and(|c| c.is_whitespace()) {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.skip_spaces();
        self.chars.get(self.pos).copied()
    }

    fn series(&mut self) -> Result<Node, CircuitError> {
        let start = self.params.len();
        let mut children = vec![self.term()?];
        while self.peek() == Some('-') {
            self.pos += 1;
            children.push(self.term()?);
        }
        let params = start..self.params.len();
        if children.len() == 1 {
            return Ok(children.remove(0));
        }
        Ok(Node {
            kind: NodeKind::Series(children),
            params,
        })
    }

    fn term(&mut self) -> Result<Node, CircuitError> {
        let here = match self.peek() {
            Some(_) => self.pos,
            None => {
                return Err(self.error(
                    self.pos,
                    "expected an element such as R1, C1, L1, CPE1 or W1, or p(...)",
                ));
            }
        };
        let is_parallel = matches!(self.chars.get(here), Some('p') | Some('P'))
            && self.chars[here + 1..]
                .iter()
                .find(|c| !c.is_whitespace())
                .is_some_and(|c| *c == '(');
        if is_parallel {
            self.pos = here + 1;
            self.skip_spaces();
            self.pos += 1; // the '('
            let start = self.params.len();
            let mut children = vec![self.series()?];
            loop {
                match self.peek() {
                    Some(',') => {
                        self.pos += 1;
                        children.push(self.series()?);
                    }
                    Some(')') => {
                        self.pos += 1;
                        break;
                    }
                    Some(c) => {
                        return Err(self.error(self.pos, &format!("expected ',' or ')' in p(...), found '{c}'")));
                    }
                    None => {
                        return Err(self.error(here, "p( is never closed with ')'"));
                    }
                }
            }
            if children.len() < 2 {
                return Err(self.error(here, "p(...) needs at least two branches separated by ','"));
            }
            return Ok(Node {
                kind: NodeKind::Parallel(children),
                params: start..self.params.len(),
            });
        }
        self.element()
    }

    fn element(&mut self) -> Result<Node, CircuitError> {
        let start = self.pos;
        let mut letters = String::new();
        while let Some(c) = self.chars.get(self.pos).filter(|c| c.is_ascii_alphabetic()) {
            letters.push(c.to_ascii_uppercase());
            self.pos += 1;
        }
        let kind = match letters.as_str() {
            "R" => ElementKind::Resistor,
            "C" => ElementKind::Capacitor,
            "L" => ElementKind::Inductor,
            "CPE" | "Q" => ElementKind::Cpe,
            "W" => ElementKind::Warburg,
            "" => {
                let found = self.chars.get(start).copied().unwrap_or(' ');
                return Err(self.error(
                    start,
                    &format!("expected an element such as R1, C1, L1, CPE1 or W1, found '{found}'"),
                ));
            }
            other => {
                return Err(self.error(
                    start,
                    &format!("unknown element '{other}'; known elements are R, C, L, CPE and W"),
                ));
            }
        };
        let digits_start = self.pos;
        let mut number = String::new();
        while let Some(c) = self
            .chars
            .get(self.pos)
            .filter(|c| c.is_ascii_alphanumeric() || **c == '_')
        {
            number.push(*c);
            self.pos += 1;
        }
        if number.is_empty() {
            return Err(self.error(
                digits_start,
                &format!("element {} needs a number, e.g. {}1", kind.prefix(), kind.prefix()),
            ));
        }
        let label = format!("{}{}", kind.prefix(), number);
        if self.elements.iter().any(|e| e.label == label) {
            return Err(self.error(
                start,
                &format!("{label} appears twice; number every element differently"),
            ));
        }
        let first_param = self.params.len();
        let element_index = self.elements.len();
        for param_kind in kind.parameter_kinds() {
            let name = match param_kind {
                ParamKind::CpeQ => format!("{label}.Q"),
                ParamKind::CpeAlpha => format!("{label}.alpha"),
                _ => label.clone(),
            };
            let bounds = match param_kind {
                ParamKind::CpeAlpha => Bounds::Interval { lo: -1.0, hi: 1.0 },
                _ => Bounds::Positive,
            };
            self.params.push(ParamSpec {
                name,
                kind: *param_kind,
                bounds,
                element: element_index,
            });
        }
        self.elements.push(Element {
            kind,
            label,
            first_param,
        });
        Ok(Node {
            kind: NodeKind::Element(element_index),
            params: first_param..self.params.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_forms_agree_with_the_tree() {
        let cases: [(&str, Option<FlatShape>, &[f64]); 5] = [
            ("R0-CPE0", Some(FlatShape::RCpe), &[2.0, 3.0e6, -0.95]),
            (
                "R1-p(R2,CPE2)",
                Some(FlatShape::RParallelRCpe),
                &[40.0, 960.0, 2.1e-8, 0.9],
            ),
            ("R1-p(R2,C2)", Some(FlatShape::RParallelRC), &[40.0, 960.0, 4e-9]),
            ("R1-p(CPE2,R2)", None, &[40.0, 2.1e-8, 0.9, 960.0]),
            ("L0-R0-p(R1,C1)", None, &[1e-7, 5.0, 200.0, 1e-7]),
        ];
        for (text, shape, values) in cases {
            let circuit = Circuit::parse(text).unwrap();
            assert_eq!(circuit.flat, shape, "{text}");
            let flat = circuit.at(values);
            let tree = Evaluator {
                circuit: &circuit,
                form: Form::Tree(circuit.element_consts(values)),
            };
            for omega in [0.6, 31.4, 6.3e3, 6.3e6] {
                let (mut g_flat, mut g_tree) = (vec![Complex64::default(); 4], vec![Complex64::default(); 4]);
                let z_flat = flat.impedance_and_gradient(omega, omega.ln(), &mut g_flat);
                let z_tree = tree.impedance_and_gradient(omega, omega.ln(), &mut g_tree);
                let close = |a: Complex64, b: Complex64| (a - b).norm() <= 1e-14 * b.norm().max(1e-300);
                assert!(close(z_flat, z_tree), "{text} at {omega}: {z_flat} against {z_tree}");
                assert!(close(flat.impedance(omega, omega.ln()), z_tree), "{text} at {omega}");
                for (a, b) in g_flat.iter().zip(&g_tree).take(values.len()) {
                    assert!(close(*a, *b), "{text} at {omega}: gradient {a} against {b}");
                }
            }
        }
    }

    #[test]
    fn deep_or_long_circuit_strings_are_refused_not_recursed_into() {
        // 20 000 levels of p(...) overflowed the stack of the recursive parser.
        let deep = format!("{}R1,R2{}", "p(".repeat(20_000), ")".repeat(20_000));
        let e = Circuit::parse(&deep).unwrap_err();
        assert!(e.message.contains("60005 characters long"), "{e}");
        assert!(e.circuit.ends_with('…') && e.circuit.chars().count() == 61);
        // Within the length limit, the 17th '(' is refused: character 34 (each level is "p(").
        let seventeen = format!("{}R1,R2{}", "p(".repeat(17), ")".repeat(17));
        let e = Circuit::parse(&seventeen).unwrap_err();
        assert_eq!(e.position, 34, "{e}");
        assert!(e.message.contains("nest more than 16 deep"), "{e}");
        // Sixteen levels are still a circuit.
        let sixteen = (0..16).fold("C99".to_string(), |inner, k| format!("p(R{k},{inner})"));
        let parsed = Circuit::parse(&sixteen);
        assert!(parsed.is_ok(), "{sixteen}: {parsed:?}");
        let long = vec!["R1"; 200].join("-");
        let e = Circuit::parse(&long).unwrap_err();
        assert!(e.message.contains("599 characters long; at most 400"), "{e}");
    }

    fn close(a: Complex64, b: Complex64, rel: f64) -> bool {
        (a - b).norm() <= rel * b.norm().max(1e-300)
    }

    #[test]
    fn resistor_capacitor_inductor_by_hand() {
        let c = Circuit::parse("R1-C2-L3").unwrap();
        // ω = 1000: R = 10, 1/(iωC) with C = 1e-6 is -1000 i, iωL with L = 1e-3 is 1 i.
        let z = c.impedance(1000.0, &[10.0, 1e-6, 1e-3]);
        assert!(close(z, Complex64::new(10.0, -999.0), 1e-12), "{z}");
    }

    #[test]
    fn cpe_limits_match_capacitor_inductor_and_resistor() {
        let c = Circuit::parse("CPE1").unwrap();
        let omega = 2.0 * std::f64::consts::PI * 50.0;
        let cap = c.impedance(omega, &[2e-6, 1.0]);
        assert!(close(cap, Complex64::new(0.0, -1.0 / (omega * 2e-6)), 1e-12));
        let ind = c.impedance(omega, &[1.0 / 3e-3, -1.0]);
        assert!(close(ind, Complex64::new(0.0, omega * 3e-3), 1e-12));
        let res = c.impedance(omega, &[0.25, 0.0]);
        assert!(close(res, Complex64::new(4.0, 0.0), 1e-12));
        // α = 0.5 at ω = 4: (i·4)^0.5 = 2 e^{iπ/4}, Q = 1 → Z = 0.5 e^{-iπ/4}
        let half = c.impedance(4.0, &[1.0, 0.5]);
        let expected = Complex64::from_polar(0.5, -std::f64::consts::FRAC_PI_4);
        assert!(close(half, expected, 1e-12));
    }

    #[test]
    fn warburg_by_hand() {
        let c = Circuit::parse("W1").unwrap();
        let z = c.impedance(4.0, &[3.0]);
        assert!(close(z, Complex64::new(1.5, -1.5), 1e-12));
    }

    #[test]
    fn randles_by_hand() {
        // R0 + (R1 || C1) at the apex ω = 1/(R1 C1): Z = R0 + R1/2 − i R1/2.
        let c = Circuit::parse("R0-p(R1,C1)").unwrap();
        let z = c.impedance(1.0 / (100.0 * 1e-6), &[10.0, 100.0, 1e-6]);
        assert!(close(z, Complex64::new(60.0, -50.0), 1e-12), "{z}");
    }

    #[test]
    fn parameter_names_follow_the_elements() {
        let c = Circuit::parse("L0-R0-p(R1,CPE1)-p(R2,CPE2)-W1").unwrap();
        let names: Vec<_> = c.params().iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "L0",
                "R0",
                "R1",
                "CPE1.Q",
                "CPE1.alpha",
                "R2",
                "CPE2.Q",
                "CPE2.alpha",
                "W1"
            ]
        );
        assert_eq!(c.text(), "L0-R0-p(R1,CPE1)-p(R2,CPE2)-W1");
        assert_eq!(Circuit::parse(" R0 - p( R1 , CPE1 ) ").unwrap().text(), "R0-p(R1,CPE1)");
    }

    #[test]
    fn nested_parallel_parses() {
        let c = Circuit::parse("R0-p(R1-p(R2,C2),C1)").unwrap();
        let p = [1.0, 2.0, 3.0, 1e-3, 1e-2];
        let omega = 7.0;
        let inner = Complex64::new(3.0, 0.0).inv() + Complex64::new(0.0, omega * 1e-3);
        let branch = Complex64::new(2.0, 0.0) + inner.inv();
        let expected = Complex64::new(1.0, 0.0) + (branch.inv() + Complex64::new(0.0, omega * 1e-2)).inv();
        assert!(close(c.impedance(omega, &p), expected, 1e-12));
    }

    #[test]
    fn malformed_strings_name_the_position() {
        let cases = [
            ("", 1, "empty"),
            ("R0-X1", 4, "unknown element 'X'"),
            ("R0-p(R1,C1", 4, "never closed"),
            ("R0-p(R1)", 4, "at least two"),
            ("R0-", 4, "expected an element"),
            ("R-C1", 2, "needs a number"),
            ("R1-R1", 4, "appears twice"),
            ("R1)C1", 3, "unexpected ')'"),
            ("R1-p(R2;C2)", 8, "expected ',' or ')'"),
        ];
        for (text, position, fragment) in cases {
            let err = Circuit::parse(text).unwrap_err();
            assert_eq!(err.position, position, "{text}: {err}");
            assert!(err.message.contains(fragment), "{text}: {err}");
        }
    }

    #[test]
    fn derivatives_match_finite_differences() {
        let c = Circuit::parse("L0-R0-p(R1,CPE1)-p(R2,C2)-W1-CPE3").unwrap();
        let params = [2e-7, 5.0, 120.0, 3e-6, 0.83, 800.0, 4e-8, 30.0, 1e4, -0.9];
        let mut checked = vec![0; params.len()];
        for omega in [0.7, 31.0, 2.2e3, 6.1e5, 3e7] {
            let ln_omega = f64::ln(omega);
            let mut grad = vec![Complex64::new(0.0, 0.0); params.len()];
            let z = c.at(&params).impedance_and_gradient(omega, ln_omega, &mut grad);
            assert!(close(z, c.impedance(omega, &params), 1e-14));
            for j in 0..params.len() {
                let h = 1e-5 * params[j].abs();
                let mut up = params;
                let mut down = params;
                up[j] += h;
                down[j] -= h;
                let numeric = (c.impedance(omega, &up) - c.impedance(omega, &down)) / (2.0 * h);
                // Rounding in Z(p ± h) limits what a difference quotient can resolve.
                let resolution = 1e-15 * z.norm() / h;
                let scale = numeric.norm().max(grad[j].norm());
                if resolution > 1e-6 * scale {
                    continue;
                }
                checked[j] += 1;
                assert!(
                    (numeric - grad[j]).norm() <= 1e-6 * scale,
                    "{} at ω={omega}: analytic {} numeric {}",
                    c.params()[j].name,
                    grad[j],
                    numeric
                );
            }
        }
        assert!(checked.iter().all(|&n| n >= 1), "{checked:?}");
    }

    #[test]
    fn dc_resistance_of_presets_and_blocking_circuits() {
        let semicircle = Circuit::parse("R1-p(R2,CPE2)").unwrap();
        assert_eq!(semicircle.dc_resistance(&[50.0, 950.0, 1e-9, 0.9]), Ok(1000.0));
        let inductive = Circuit::parse("R0-CPE0").unwrap();
        assert_eq!(inductive.dc_resistance(&[1.3, 1e6, -0.95]), Ok(1.3));
        let blocked = Circuit::parse("R0-p(R1,C1)-C2").unwrap();
        assert!(
            blocked
                .dc_resistance(&[1.0, 2.0, 1e-6, 1e-3])
                .unwrap_err()
                .contains("C2")
        );
        let warburg = Circuit::parse("R0-W1").unwrap();
        assert!(warburg.dc_resistance(&[1.0, 2.0]).is_err());
        let capacitive_cpe = Circuit::parse("R0-CPE1").unwrap();
        assert!(
            capacitive_cpe
                .dc_resistance(&[1.0, 1e-6, 0.8])
                .unwrap_err()
                .contains("alpha")
        );
        let shunted = Circuit::parse("p(R1,C1)-p(R2,W2)").unwrap();
        assert_eq!(shunted.dc_resistance(&[3.0, 1e-6, 4.0, 1.0]), Ok(7.0));
    }

    #[test]
    fn arcs_are_found_by_structure() {
        let c = Circuit::parse("L0-R0-p(R1,CPE1)-p(C2,R2)-p(R3,W3)").unwrap();
        let arcs = c.arcs();
        assert_eq!(arcs.len(), 2);
        assert_eq!(
            (
                c.params()[arcs[0].resistor].name.as_str(),
                arcs[0].label.as_str(),
                arcs[0].is_cpe
            ),
            ("R1", "CPE1", true)
        );
        assert_eq!(
            (
                c.params()[arcs[1].resistor].name.as_str(),
                arcs[1].label.as_str(),
                arcs[1].is_cpe
            ),
            ("R2", "C2", false)
        );
        assert!(c.can_be_inductive());
        assert!(!Circuit::parse("R0-p(R1,C1)").unwrap().can_be_inductive());
        assert!(Circuit::parse("R0-p(R1,C1,C2)").unwrap().arcs().is_empty());
    }
}
