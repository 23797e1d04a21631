//! The named circuits of the study and how a user chooses among them.
//!
//! - `inductive`: `R0-CPE0` with CPE0.alpha in [-1, 0): a resistance behind the
//!   cables' non-ideal inductance (the paper's circuit (a), sigma above ~1e-3 S/cm).
//! - `semicircle`: `R1-p(R2,CPE2)` with CPE2.alpha in (0, 1]: a series resistance
//!   and one interparticle semicircle (circuit (b), sigma below ~1e-3 S/cm).
//! - `semicircle-c`: `R1-p(R2,C2)`, the ideal-capacitor form of (b).

use crate::circuit::{Bounds, Circuit, CircuitError};
use serde::Serialize;
use std::fmt;
use std::sync::OnceLock;

/// One of the study's circuits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    Inductive,
    Semicircle,
    SemicircleC,
}

/// The kind of spectrum a circuit describes, as reported to the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Inductive,
    Semicircle,
    Custom,
}

/// What the user asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum CircuitChoice {
    /// Fit `inductive` and `semicircle` and choose.
    Auto,
    Preset(Preset),
    Custom(Circuit),
}

impl Preset {
    pub const ALL: [Preset; 3] = [Preset::Inductive, Preset::Semicircle, Preset::SemicircleC];

    pub fn name(self) -> &'static str {
        match self {
            Preset::Inductive => "inductive",
            Preset::Semicircle => "semicircle",
            Preset::SemicircleC => "semicircle-c",
        }
    }

    pub fn kind(self) -> Kind {
        match self {
            Preset::Inductive => Kind::Inductive,
            Preset::Semicircle | Preset::SemicircleC => Kind::Semicircle,
        }
    }

    /// The preset whose circuit has the shape of `circuit` up to the names of its
    /// elements (its bounds may be wider): `R0-p(R1,CPE1)` is a `semicircle`.
    pub fn with_shape_of(circuit: &Circuit) -> Option<Preset> {
        match circuit.study_shape()? {
            "R-CPE" => Some(Preset::Inductive),
            "R-p(R,CPE)" => Some(Preset::Semicircle),
            "R-p(R,C)" => Some(Preset::SemicircleC),
            _ => None,
        }
    }

    /// The circuit with the preset's parameter bounds.
    pub fn circuit(self) -> Circuit {
        // Parsed once per process: `auto` asks for both presets for every spectrum.
        static PARSED: [OnceLock<Circuit>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
        let index = Preset::ALL.iter().position(|&p| p == self).unwrap_or(0);
        PARSED[index].get_or_init(|| self.parse()).clone()
    }

    fn parse(self) -> Circuit {
        let (text, alpha) = match self {
            Preset::Inductive => ("R0-CPE0", Some(("CPE0.alpha", -1.0, 0.0))),
            Preset::Semicircle => ("R1-p(R2,CPE2)", Some(("CPE2.alpha", 0.0, 1.0))),
            Preset::SemicircleC => ("R1-p(R2,C2)", None),
        };
        // The preset strings are constants of this file and parse by construction;
        // the unit test `presets_parse` guards that.
        let mut circuit = match Circuit::parse(text) {
            Ok(c) => c,
            Err(_) => unreachable!("preset circuit strings are valid"), // ok: constant input
        };
        if let Some((name, lo, hi)) = alpha {
            circuit.set_bounds(name, Bounds::Interval { lo, hi });
        }
        circuit
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl CircuitChoice {
    /// `auto`, a preset name, or a circuit string.
    pub fn parse(text: &str) -> Result<CircuitChoice, CircuitError> {
        let trimmed = text.trim();
        if trimmed.eq_ignore_ascii_case("auto") {
            return Ok(CircuitChoice::Auto);
        }
        if let Some(preset) = Preset::ALL.into_iter().find(|p| p.name().eq_ignore_ascii_case(trimmed)) {
            return Ok(CircuitChoice::Preset(preset));
        }
        Circuit::parse(trimmed).map(CircuitChoice::Custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_parse() {
        // R_con is the DC limit: R0 for (a), R1 + R2 for both forms of (b).
        let dc = |preset: Preset, values: &[f64]| preset.circuit().dc_resistance(values);
        assert_eq!(dc(Preset::Inductive, &[2.0, 1e6, -0.9]), Ok(2.0));
        assert_eq!(dc(Preset::Semicircle, &[40.0, 960.0, 1e-8, 0.9]), Ok(1000.0));
        assert_eq!(dc(Preset::SemicircleC, &[40.0, 960.0, 1e-9]), Ok(1000.0));
        assert_eq!(Preset::Inductive.circuit().text(), "R0-CPE0");
        assert_eq!(
            Preset::Semicircle.circuit().params()[3].bounds,
            Bounds::Interval { lo: 0.0, hi: 1.0 }
        );
    }

    #[test]
    fn choice_parses_names_and_strings() {
        assert_eq!(CircuitChoice::parse(" AUTO "), Ok(CircuitChoice::Auto));
        assert_eq!(
            CircuitChoice::parse("semicircle-c"),
            Ok(CircuitChoice::Preset(Preset::SemicircleC))
        );
        assert!(matches!(
            CircuitChoice::parse("R0-p(R1,C1)"),
            Ok(CircuitChoice::Custom(_))
        ));
        assert_eq!(CircuitChoice::parse("semicircel").unwrap_err().position, 1);
    }

    #[test]
    fn a_study_circuit_with_other_names_has_its_presets_shape() {
        let shape = |text: &str| Preset::with_shape_of(&Circuit::parse(text).unwrap());
        assert_eq!(shape("R0-p(R1,CPE1)"), Some(Preset::Semicircle));
        assert_eq!(shape("R5-p(R6,C6)"), Some(Preset::SemicircleC));
        assert_eq!(shape("R9-CPE3"), Some(Preset::Inductive));
        for preset in Preset::ALL {
            assert_eq!(Preset::with_shape_of(&preset.circuit()), Some(preset));
        }
        assert_eq!(shape("R0-p(CPE1,R1)"), None);
        assert_eq!(shape("L0-R0-p(R1,CPE1)"), None);
        assert_eq!(shape("R0-p(R1,CPE1)-CPE2"), None);
    }
}
