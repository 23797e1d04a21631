//! A column mapping: what each column of a delimited table holds, for files whose
//! header the importer does not recognise. The CLI reads it from `--columns f,re,-im`,
//! the page from its column-mapping step; both give the same list to the import.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What one column of a table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ColumnRole {
    /// Frequency, Hz.
    #[serde(rename = "f")]
    Frequency,
    /// Z', ohm.
    #[serde(rename = "re")]
    Real,
    /// Signed Im Z (negative for a capacitive arc), ohm.
    #[serde(rename = "im")]
    Imag,
    /// -Z'' (positive for a capacitive arc), ohm: negated on import.
    #[serde(rename = "-im")]
    NegatedImag,
    /// |Z|, ohm.
    #[serde(rename = "mod")]
    Modulus,
    /// Phase of Z in degrees (negative for a capacitive arc).
    #[serde(rename = "phase")]
    Phase,
    /// Minus the phase of Z in degrees: negated on import.
    #[serde(rename = "-phase")]
    NegatedPhase,
    /// A column that is not used.
    #[serde(rename = "_")]
    Ignored,
}

impl ColumnRole {
    /// The spelling of `--columns` and of the serialised mapping.
    pub fn token(self) -> &'static str {
        match self {
            ColumnRole::Frequency => "f",
            ColumnRole::Real => "re",
            ColumnRole::Imag => "im",
            ColumnRole::NegatedImag => "-im",
            ColumnRole::Modulus => "mod",
            ColumnRole::Phase => "phase",
            ColumnRole::NegatedPhase => "-phase",
            ColumnRole::Ignored => "_",
        }
    }

    fn from_token(token: &str) -> Option<ColumnRole> {
        Some(match token.trim().to_ascii_lowercase().as_str() {
            "f" | "freq" => ColumnRole::Frequency,
            "re" => ColumnRole::Real,
            "im" => ColumnRole::Imag,
            "-im" => ColumnRole::NegatedImag,
            "mod" | "|z|" => ColumnRole::Modulus,
            "phase" => ColumnRole::Phase,
            "-phase" => ColumnRole::NegatedPhase,
            "_" | "" | "skip" => ColumnRole::Ignored,
            _ => return None,
        })
    }
}

/// The role of each column, first column first; columns past the end are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ColumnMapping {
    pub roles: Vec<ColumnRole>,
}

/// Where a mapping's three used columns are (0-based) and how to read them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct MappedColumns {
    pub freq: usize,
    /// Z' or |Z|
    pub a: usize,
    /// Z'' or phase
    pub b: usize,
    pub modulus_phase: bool,
    pub negated: bool,
}

impl ColumnMapping {
    /// Reads `f,re,-im` (one token per column: `f`, `re`, `im`, `-im`, `mod`, `phase`,
    /// `-phase`, `_` for a column to ignore) and checks that it names a frequency and
    /// either Z' and Z'' or |Z| and phase, once each.
    pub fn parse(text: &str) -> Result<ColumnMapping, String> {
        let mut roles = Vec::new();
        for (i, token) in text.split(',').enumerate() {
            let role = ColumnRole::from_token(token).ok_or_else(|| {
                format!(
                    "column {} of the mapping is {:?}; expected one of f, re, im, -im, mod, phase, -phase or _ (ignored)",
                    i + 1,
                    token.trim()
                )
            })?;
            roles.push(role);
        }
        let mapping = ColumnMapping { roles };
        mapping.used_columns()?;
        Ok(mapping)
    }

    /// The used columns, or why the mapping cannot be used.
    pub(super) fn used_columns(&self) -> Result<MappedColumns, String> {
        let find = |wanted: &[ColumnRole]| -> Result<Option<(usize, ColumnRole)>, String> {
            let mut hits = self.roles.iter().enumerate().filter(|(_, r)| wanted.contains(r));
            let first = hits.next().map(|(i, r)| (i, *r));
            if let Some((j, _)) = hits.next() {
                return Err(format!(
                    "the mapping gives {} to columns {} and {}; expected it once",
                    self.roles.get(j).map_or("", |r| r.token()),
                    first.map_or(0, |(i, _)| i + 1),
                    j + 1
                ));
            }
            Ok(first)
        };
        let freq = find(&[ColumnRole::Frequency])?;
        let real = find(&[ColumnRole::Real])?;
        let imag = find(&[ColumnRole::Imag, ColumnRole::NegatedImag])?;
        let modulus = find(&[ColumnRole::Modulus])?;
        let phase = find(&[ColumnRole::Phase, ColumnRole::NegatedPhase])?;
        let Some((freq, _)) = freq else {
            return Err("the mapping has no frequency column (f)".to_string());
        };
        match (real, imag, modulus, phase) {
            (Some((a, _)), Some((b, role)), None, None) => Ok(MappedColumns {
                freq,
                a,
                b,
                modulus_phase: false,
                negated: role == ColumnRole::NegatedImag,
            }),
            (None, None, Some((a, _)), Some((b, role))) => Ok(MappedColumns {
                freq,
                a,
                b,
                modulus_phase: true,
                negated: role == ColumnRole::NegatedPhase,
            }),
            _ => Err(
                "the mapping must name Z' and Z'' (re and im or -im) or |Z| and phase (mod and phase or -phase), not a mix"
                    .to_string(),
            ),
        }
    }
}

impl fmt::Display for ColumnMapping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tokens: Vec<&str> = self.roles.iter().map(|r| r.token()).collect();
        f.write_str(&tokens.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_real_imag_and_modulus_phase() {
        let m = ColumnMapping::parse("f,re,-im").unwrap();
        assert_eq!(
            m.used_columns().unwrap(),
            MappedColumns {
                freq: 0,
                a: 1,
                b: 2,
                modulus_phase: false,
                negated: true
            }
        );
        assert_eq!(m.to_string(), "f,re,-im");
        let m = ColumnMapping::parse("_, f ,mod,_,phase").unwrap();
        assert_eq!(
            m.used_columns().unwrap(),
            MappedColumns {
                freq: 1,
                a: 2,
                b: 4,
                modulus_phase: true,
                negated: false
            }
        );
    }

    #[test]
    fn refuses_incomplete_or_repeated_roles() {
        assert!(ColumnMapping::parse("re,im").unwrap_err().contains("no frequency"));
        assert!(
            ColumnMapping::parse("f,re,im,im")
                .unwrap_err()
                .contains("columns 3 and 4")
        );
        assert!(ColumnMapping::parse("f,re,phase").unwrap_err().contains("not a mix"));
        assert!(ColumnMapping::parse("f,re,zz").unwrap_err().contains("column 3"));
    }

    #[test]
    fn serialises_as_the_cli_tokens() {
        let m = ColumnMapping::parse("f,_,re,-im").unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), r#"["f","_","re","-im"]"#);
        let back: ColumnMapping = serde_json::from_str(r#"["f","mod","-phase"]"#).unwrap();
        assert_eq!(back.to_string(), "f,mod,-phase");
    }
}
