//! Boukamp's circuit description code (CDC), the other notation users bring.
//!
//! Elements are single letters without numbers (`R`, `C`, `L`, `Q` for a CPE, `W`),
//! written one after another in series; `(...)` puts its contents in parallel and
//! `[...]` groups them in series again, inside a parallel: `R(RQ)`, `LR(RQ)(RQ)W`,
//! `R([R(RC)]Q)`. [`to_impedance_py`] numbers the elements per letter in reading order
//! (`R(RQ)` becomes `R0-p(R1,CPE0)`), and [`super::Circuit::boukamp`] writes a parsed
//! circuit back in this code.

use super::{CircuitError, MAX_CIRCUIT_CHARS, MAX_NESTING};

/// Whether `text` is in Boukamp's code: impedance.py's strings number every element,
/// Boukamp's never do.
pub fn is_boukamp(text: &str) -> bool {
    !text.trim().is_empty() && !text.chars().any(|c| c.is_ascii_digit())
}

/// Which group a bracket opened.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Group {
    Series,
    Parallel,
}

/// One open group while reading: its kind, where it opened, and its items so far.
struct Open {
    group: Group,
    at: usize,
    items: Vec<String>,
}

/// The impedance.py string of a Boukamp code, e.g. `LR(RQ)W` → `L0-R0-p(R1,CPE0)-W0`.
/// Read with an explicit stack, so nesting costs no recursion; the length and depth
/// limits are those of impedance.py's strings.
pub fn to_impedance_py(text: &str) -> Result<String, CircuitError> {
    let error = |position: usize, message: String| CircuitError {
        circuit: text.chars().take(60).collect::<String>() + if text.chars().count() > 60 { "…" } else { "" },
        position,
        message,
    };
    let length = text.chars().count();
    if length > MAX_CIRCUIT_CHARS {
        return Err(error(
            MAX_CIRCUIT_CHARS + 1,
            format!("the circuit is {length} characters long; at most {MAX_CIRCUIT_CHARS} are accepted"),
        ));
    }
    let mut counters = [0usize; 5];
    let mut stack = vec![Open {
        group: Group::Series,
        at: 0,
        items: Vec::new(),
    }];
    for (i, c) in text.chars().enumerate() {
        let position = i + 1;
        match c {
            c if c.is_whitespace() => {}
            '(' | '[' => {
                if stack.len() > MAX_NESTING {
                    return Err(error(
                        position,
                        format!("brackets nest more than {MAX_NESTING} deep; real circuits need two or three levels"),
                    ));
                }
                let group = if c == '(' { Group::Parallel } else { Group::Series };
                stack.push(Open {
                    group,
                    at: position,
                    items: Vec::new(),
                });
            }
            ')' | ']' => {
                let expected = if c == ')' { Group::Parallel } else { Group::Series };
                let closed = match stack.pop() {
                    Some(open) if stack.is_empty() => {
                        stack.push(open);
                        return Err(error(position, format!("'{c}' closes nothing")));
                    }
                    Some(open) => open,
                    None => return Err(error(position, format!("'{c}' closes nothing"))),
                };
                if closed.group != expected {
                    let opener = if closed.group == Group::Parallel { '(' } else { '[' };
                    return Err(error(
                        position,
                        format!("'{c}' closes the '{opener}' at position {}", closed.at),
                    ));
                }
                let item = match closed.group {
                    Group::Parallel if closed.items.len() < 2 => {
                        return Err(error(
                            closed.at,
                            "(...) puts elements in parallel and needs at least two".to_string(),
                        ));
                    }
                    Group::Parallel => format!("p({})", closed.items.join(",")),
                    Group::Series if closed.items.is_empty() => {
                        return Err(error(closed.at, "[...] is empty".to_string()));
                    }
                    Group::Series => closed.items.join("-"),
                };
                if let Some(parent) = stack.last_mut() {
                    parent.items.push(item);
                }
            }
            _ => {
                let (slot, name) = match c.to_ascii_uppercase() {
                    'R' => (0, "R"),
                    'C' => (1, "C"),
                    'L' => (2, "L"),
                    'Q' => (3, "CPE"),
                    'W' => (4, "W"),
                    other => {
                        return Err(error(
                            position,
                            format!("unknown element '{other}'; Boukamp's code knows R, C, L, Q and W"),
                        ));
                    }
                };
                let label = format!("{name}{}", counters[slot]);
                counters[slot] += 1;
                if let Some(open) = stack.last_mut() {
                    open.items.push(label);
                }
            }
        }
    }
    match stack.as_slice() {
        [top] if top.items.is_empty() => Err(error(1, "the circuit is empty; write e.g. R(RQ)".to_string())),
        [top] => Ok(top.items.join("-")),
        [_, .., open] => {
            let closer = if open.group == Group::Parallel { ')' } else { ']' };
            Err(error(open.at, format!("this bracket is never closed with '{closer}'")))
        }
        [] => Err(error(1, "the circuit is empty".to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::super::Circuit;
    use super::*;
    use num_complex::Complex64;

    #[test]
    fn codes_become_numbered_strings() {
        for (code, expected) in [
            ("R(RQ)", "R0-p(R1,CPE0)"),
            ("LR(RQ)(RQ)W", "L0-R0-p(R1,CPE0)-p(R2,CPE1)-W0"),
            ("R(RC)", "R0-p(R1,C0)"),
            ("R([R(RC)]Q)", "R0-p(R1-p(R2,C0),CPE0)"),
            (" r ( r q ) ", "R0-p(R1,CPE0)"),
        ] {
            assert_eq!(to_impedance_py(code).as_deref(), Ok(expected), "{code}");
        }
    }

    #[test]
    fn a_parsed_circuit_is_written_back_in_the_code() {
        for (text, code) in [
            ("R0-p(R1,CPE1)", "R(RQ)"),
            ("L0-R0-p(R1,CPE1)-p(R2,CPE2)-W1", "LR(RQ)(RQ)W"),
            ("R0-p(R1-p(R2,C2),CPE1)", "R([R(RC)]Q)"),
            ("p(R1,C1)", "(RC)"),
        ] {
            let circuit = Circuit::parse(text).unwrap();
            assert_eq!(circuit.boukamp(), code, "{text}");
            // Back again: the same circuit with its elements renumbered.
            assert_eq!(Circuit::parse(code).unwrap().boukamp(), code);
        }
    }

    #[test]
    fn a_code_is_parsed_to_the_circuit_it_describes() {
        // R(RC) at the apex ω = 1/(R1 C1) is R0 + R1/2 − i R1/2, whatever the notation.
        let circuit = Circuit::parse("R(RC)").unwrap();
        assert_eq!(circuit.text(), "R0-p(R1,C0)");
        let z = circuit.impedance(1.0 / (100.0 * 1e-6), &[10.0, 100.0, 1e-6]);
        assert!((z - Complex64::new(60.0, -50.0)).norm() < 1e-9, "{z}");
    }

    #[test]
    fn malformed_codes_name_the_position() {
        for (code, position, fragment) in [
            ("R(RX)", 4, "unknown element 'X'"),
            ("R(R)", 2, "at least two"),
            ("R(RC", 2, "never closed with ')'"),
            ("R(RC]", 5, "closes the '(' at position 2"),
            ("RC)", 3, "closes nothing"),
            ("R[]", 2, "empty"),
        ] {
            let e = to_impedance_py(code).unwrap_err();
            assert_eq!(e.position, position, "{code}: {e}");
            assert!(e.message.contains(fragment), "{code}: {e}");
        }
        let deep = format!("R{}RC{}", "(R[".repeat(10_000), "])".repeat(10_000));
        let e = Circuit::parse(&deep).unwrap_err();
        assert!(e.message.contains("characters long"), "{e}");
        let seventeen = format!("{}RC{}", "(R[".repeat(9), "])".repeat(9));
        let e = to_impedance_py(&seventeen).unwrap_err();
        assert!(e.message.contains("nest more than 16 deep"), "{e}");
    }
}
