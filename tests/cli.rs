//! The `sigmafit fit` command: JSON schema, exit statuses, and the readable report.

use serde_json::Value;
use std::f64::consts::{PI, TAU};
use std::path::PathBuf;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sigmafit"))
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sigmafit-cli-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// R1 + R2 ‖ C written as CSV, 1 MHz .. 0.1 Hz, 10 points per decade.
fn semicircle_csv(r1: f64, r2: f64, c: f64) -> String {
    let mut text = String::from("Frequency (Hz);Z' (Ohm);-Z'' (Ohm)\n");
    for i in 0..=70 {
        let f = 1e6 * 10f64.powf(-(i as f64) / 10.0);
        let x = TAU * f * r2 * c;
        let re = r1 + r2 / (1.0 + x * x);
        let minus_im = r2 * x / (1.0 + x * x);
        // semicolons and decimal commas, as a German-locale spreadsheet writes them
        text.push_str(&format!("{f:e};{re:e};{minus_im:e}\n").replace('.', ","));
    }
    text
}

#[test]
fn json_output_follows_the_schema_and_failures_do_not_stop_the_rest() {
    let dir = temp_dir("json");
    let good = dir.join("lco.csv");
    // 1 mm × 10 mm: σ = 0.1 / (R A) with R = 50 + 930 ohm.
    std::fs::write(&good, semicircle_csv(50.0, 930.0, 4e-9)).unwrap();
    let bad = dir.join("broken.csv");
    std::fs::write(&bad, "f,Zre,Zim\n1e6,1,2\n1e5,1,2\n1e4,x,2\n1e3,1,2\n1e2,1,2\n").unwrap();
    let out = bin()
        .args(["fit", "--json", "--thickness-mm", "1", "--diameter-mm", "10"])
        .arg(&good)
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "one file failed");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let items: Value = serde_json::from_str(&stdout).unwrap();
    let items = items.as_array().unwrap();
    assert_eq!(items.len(), 2);

    let a = &items[0];
    assert!(a["file"].as_str().unwrap().ends_with("lco.csv"));
    assert_eq!(a["circuit"], "R1-p(R2,CPE2)");
    assert_eq!(a["preset"], "semicircle");
    assert_eq!(a["kind"], "semicircle");
    for name in ["R1", "R2", "CPE2.Q", "CPE2.alpha"] {
        assert!(a["params"][name]["value"].is_number(), "{name}");
        assert!(a["params"][name].get("stderr").is_some(), "{name}");
    }
    let sigma_true = 0.1 / (980.0 * PI * 0.25);
    let sigma = a["sigma_S_per_cm"]["value"].as_f64().unwrap();
    assert!((sigma / sigma_true - 1.0).abs() < 1e-6, "{sigma} vs {sigma_true}");
    assert!(a["sigma_S_per_cm"]["stderr"].is_number());
    assert!((a["r_con_ohm"]["value"].as_f64().unwrap() - 980.0).abs() < 1e-3);
    let stats = &a["stats"];
    assert_eq!(stats["weighting"], "modulus");
    assert_eq!(stats["n_points"], 71);
    for key in ["rss", "chi2_reduced", "aic", "bic", "iterations"] {
        assert!(stats[key].is_number(), "{key}");
    }
    assert_eq!(stats["converged"], true);
    assert_eq!(a["r_con_ohm"]["status"], "measured");
    assert!(a["notes"].is_array() && a["spectrum"]["warnings"].is_array());
    assert!(a["report"]["choice_sentence"].as_str().unwrap().contains("1e-3 S/cm"));
    assert!(
        a["report"]["capacitance_paragraph"]
            .as_str()
            .unwrap()
            .contains("interface")
    );
    // The fitted window and the whole spectrum are named apart.
    assert_eq!(a["spectrum"]["f_max_hz"], a["choice"]["fitted_f_max_hz"]);
    assert!(a["choice"].get("f_max_hz").is_none() && a["choice"].get("sentence").is_none());

    let b = &items[1];
    assert!(b["file"].as_str().unwrap().ends_with("broken.csv"));
    let error = b["error"].as_str().unwrap();
    assert!(
        error.contains("broken.csv") && error.contains("line 4") && error.contains("column 2"),
        "{error}"
    );
}

#[test]
fn without_geometry_sigma_is_null_and_the_exit_status_is_zero() {
    let dir = temp_dir("nogeo");
    let file = dir.join("arc.csv");
    std::fs::write(&file, semicircle_csv(20.0, 2000.0, 1e-8)).unwrap();
    let out = bin()
        .args(["fit", "--json", "--circuit", "semicircle-c"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let items: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(items[0]["sigma_S_per_cm"].is_null());
    assert_eq!(items[0]["circuit"], "R1-p(R2,C2)");
    let c2 = items[0]["params"]["C2"]["value"].as_f64().unwrap();
    assert!((c2 / 1e-8 - 1.0).abs() < 1e-6);
}

#[test]
fn bad_arguments_exit_2_with_usage() {
    for args in [vec!["fit"], vec!["frobnicate"], vec!["fit", "--bogus", "x.csv"]] {
        let out = bin().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains("usage: sigmafit fit"), "{args:?}: {stderr}");
    }
}

#[test]
fn bad_settings_exit_2_naming_the_flag_with_the_schema_message() {
    // The message after the flag is the one the page shows beside the field.
    for (args, expected) in [
        (
            vec!["fit", "--weighting", "cubic", "x.csv"],
            "Weighting (--weighting): must be modulus or unit, not “cubic”",
        ),
        (
            vec!["fit", "--thickness-mm", "abc", "x.csv"],
            "Thickness d (--thickness-mm): “abc” is not a number",
        ),
        (
            vec!["fit", "--thickness-mm", "1,000", "x.csv"],
            "(--thickness-mm): “1,000” is ambiguous",
        ),
        (
            vec!["fit", "--diameter-mm", "10", "x.csv"],
            "(--thickness-mm): the pellet's thickness is needed with a diameter or an area",
        ),
        (vec!["fit", "--init", "R1", "x.csv"], "(--init): “R1” is not NAME=VALUE"),
        (
            vec!["fit", "--fmin", "-5", "x.csv"],
            "(--fmin-hz): the lowest fitted frequency must be a positive number of Hz, not -5",
        ),
        (vec!["fit", "--circuit", "R0-X1", "x.csv"], "position 4"),
    ] {
        let out = bin().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn readable_report_explains_the_result() {
    let dir = temp_dir("text");
    let file = dir.join("arc.csv");
    std::fs::write(&file, semicircle_csv(50.0, 930.0, 4e-9)).unwrap();
    let out = bin()
        .args([
            "fit",
            "--thickness-mm",
            "1",
            "--diameter-mm",
            "10",
            "--fix",
            "CPE2.alpha=1",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    for fragment in ["R_con", "sigma", "why", "capacitance", "(fixed)", "measured"] {
        assert!(text.contains(fragment), "{fragment} missing in:\n{text}");
    }
}

/// `sigmafit kk --json`: one object per file with M, μ, the verdict and the residuals
/// (f, re, im) of every point, or an error naming the file; a clean R + R‖C spectrum
/// obeys Kramers–Kronig, and the same spectrum with its low-frequency end scaled
/// progressively (a pellet settling during the sweep) does not pass.
#[test]
fn kk_json_reports_the_verdict_and_the_residuals() {
    let dir = temp_dir("kk");
    let good = dir.join("clean.csv");
    let text = semicircle_csv(50.0, 930.0, 4e-9);
    std::fs::write(&good, &text).unwrap();
    // Each of the 20 points below 10 Hz 1 % lower than the one before (20 % at 0.1 Hz).
    let mut drifting_text = String::new();
    let mut factor = 1.0;
    for (i, line) in text.lines().enumerate() {
        let fields: Vec<f64> = line
            .split(';')
            .filter_map(|v| v.replace(',', ".").parse().ok())
            .collect();
        if i == 0 || fields.len() != 3 {
            drifting_text.push_str(line);
        } else {
            if fields[0] < 10.0 {
                factor -= 0.01;
            }
            drifting_text.push_str(&format!("{};{};{}", fields[0], fields[1] * factor, fields[2] * factor));
        }
        drifting_text.push('\n');
    }
    let drifting = dir.join("drifting.csv");
    std::fs::write(&drifting, drifting_text).unwrap();
    let missing = dir.join("missing.csv");
    let out = bin()
        .arg("kk")
        .arg("--json")
        .arg(&good)
        .arg(&drifting)
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "a missing file makes the status 1");
    let items: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(items.len(), 3);
    let clean = &items[0];
    assert!(clean["file"].as_str().unwrap().ends_with("clean.csv"));
    assert_eq!(clean["verdict"], "pass", "{clean}");
    assert!(
        clean["m"].as_u64().unwrap() >= 14,
        "at least 2 elements a decade over 7 decades"
    );
    assert!(clean["mu"].is_number());
    let residuals = clean["residuals"].as_array().unwrap();
    assert_eq!(residuals.len(), 71);
    // A noise-free R + R‖C is a Voigt circuit: its residuals are tiny.
    for r in residuals {
        assert!(r["f"].as_f64().unwrap() > 0.0);
        assert!(
            r["re"].as_f64().unwrap().abs() < 1e-3 && r["im"].as_f64().unwrap().abs() < 1e-3,
            "{r}"
        );
    }
    assert_ne!(items[1]["verdict"], "pass", "{}", items[1]);
    assert!(items[2]["error"].as_str().unwrap().contains("missing.csv"));
    assert!(items[2].get("verdict").is_none());

    let text_out = bin().arg("kk").arg(&good).output().unwrap();
    assert!(text_out.status.success());
    let report = String::from_utf8(text_out.stdout).unwrap();
    assert!(report.contains("pass") && report.contains("M = "), "{report}");
    let usage = bin().args(["kk", "--bogus", "x.csv"]).output().unwrap();
    assert_eq!(usage.status.code(), Some(2));
}

/// `--exclude-f`: a point spoiled by a spike (Z' and Z'' doubled at 1 kHz) pulls the fit
/// of an R + R‖C spectrum away from its truth; excluding it by its frequency, as printed
/// to four figures, brings R_con back to 50 + 930 Ω and fits one point fewer. A
/// frequency that matches no point, or that is not a number, is an error naming the
/// setting.
#[test]
fn exclude_f_leaves_points_out_of_the_fit() {
    let dir = temp_dir("exclude");
    let file = dir.join("spike.csv");
    let spiked: String = semicircle_csv(50.0, 930.0, 4e-9)
        .lines()
        .map(|line| {
            let fields: Vec<f64> = line
                .split(';')
                .filter_map(|v| v.replace(',', ".").parse().ok())
                .collect();
            if fields.len() == 3 && (fields[0] / 1000.0 - 1.0).abs() < 1e-9 {
                // In the file's own decimal commas: a file mixing the two separators is refused.
                format!("{};{};{}\n", fields[0], 2.0 * fields[1], 2.0 * fields[2]).replace('.', ",")
            } else {
                format!("{line}\n")
            }
        })
        .collect();
    std::fs::write(&file, spiked).unwrap();
    let fit = |extra: &[&str]| -> Value {
        let out = bin().arg("fit").arg("--json").args(extra).arg(&file).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let items: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
        items[0].clone()
    };
    let r_con = |a: &Value| a["r_con_ohm"]["value"].as_f64().unwrap();
    let spoiled = fit(&[]);
    let cleaned = fit(&["--exclude-f", "1000.0,"]);
    assert_eq!(spoiled["spectrum"]["n_fitted"], 71);
    assert_eq!(cleaned["spectrum"]["n_fitted"], 70);
    assert!((r_con(&cleaned) / 980.0 - 1.0).abs() < 1e-4, "{}", r_con(&cleaned));
    assert!((r_con(&spoiled) / 980.0 - 1.0).abs() > 1e-3, "{}", r_con(&spoiled));
    // The alias and the schema's own flag are one setting; within 0.5 % finds the point.
    let same = fit(&["--exclude-f-hz=999.9"]);
    assert_eq!(same["spectrum"]["n_fitted"], 70);

    for (value, says) in [("1234", "1.23 kHz"), ("abc", "--exclude-f"), ("-5", "positive")] {
        let out = bin().args(["fit", "--exclude-f", value]).arg(&file).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{value}");
        assert!(stderr.contains(says), "{value}: {stderr}");
    }
}

#[test]
fn a_circuit_nested_20000_deep_or_very_long_is_refused_with_a_message_not_a_crash() {
    // 20 000 levels of p(...) overflowed the stack of the recursive parser and killed the CLI.
    let deep = format!("{}R1,R2{}", "p(".repeat(20_000), ")".repeat(20_000));
    // 5000 resistors in series: flat, but far past the length limit.
    let long = (0..5000).map(|k| format!("R{k}")).collect::<Vec<_>>().join("-");
    for (circuit, expected) in [
        (&deep, "the circuit is 60005 characters long; at most 400 are accepted"),
        (&long, "the circuit is 28889 characters long; at most 400 are accepted"),
    ] {
        let out = bin().args(["fit", "--circuit", circuit, "x.csv"]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "a usage error, not a crash");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains(expected), "{stderr}");
        assert!(
            stderr.len() < 1000,
            "the message quotes the start of the circuit only: {stderr}"
        );
    }
    // Within the length limit, a 17th level of nesting is refused at its '('.
    let seventeen = format!("{}R1,R2{}", "p(".repeat(17), ")".repeat(17));
    let out = bin().args(["fit", "--circuit", &seventeen, "x.csv"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("position 34: parentheses nest more than 16 deep"),
        "{stderr}"
    );
}

#[test]
fn a_circuit_in_boukamps_code_is_fitted_and_reported_in_both_notations() {
    let dir = temp_dir("boukamp");
    let file = dir.join("arc.csv");
    std::fs::write(&file, semicircle_csv(50.0, 930.0, 4e-9)).unwrap();
    let out = bin()
        .args(["fit", "--json", "--circuit", "R(RC)"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let items: Value = serde_json::from_slice(&out.stdout).unwrap();
    let a = &items[0];
    assert_eq!(a["circuit"], "R0-p(R1,C0)");
    assert_eq!(a["circuit_boukamp"], "R(RC)");
    // The noise-free arc's own components.
    for (name, truth) in [("R0", 50.0), ("R1", 930.0), ("C0", 4e-9)] {
        let value = a["params"][name]["value"].as_f64().unwrap();
        assert!((value / truth - 1.0).abs() < 1e-6, "{name} = {value}");
    }
    let text = bin()
        .args(["fit", "--circuit", "R0-p(R1,CPE1)"])
        .arg(&file)
        .output()
        .unwrap();
    let stdout = String::from_utf8(text.stdout).unwrap();
    assert!(
        stdout.contains("circuit  R0-p(R1,CPE1) = R(RQ) in Boukamp's code"),
        "{stdout}"
    );
}

#[test]
fn diagram_writes_the_fitted_circuit_as_svg_with_its_values() {
    let dir = temp_dir("diagram");
    let file = dir.join("arc.csv");
    let svg_path = dir.join("circuit.svg");
    std::fs::write(&file, semicircle_csv(50.0, 930.0, 4e-9)).unwrap();
    let out = bin()
        .args(["fit", "--circuit", "R0-p(R1,C1)", "--diagram"])
        .arg(&svg_path)
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{svg}");
    assert_eq!(svg.matches(r#"<g class="element""#).count(), 3);
    for label in ["R0", "R1", "C1"] {
        assert!(svg.contains(&format!(">{label}</text>")), "{label}: {svg}");
    }
    // The noise-free arc's own components, typeset as on the page.
    for value in [">50.0\u{a0}Ω<", ">930\u{a0}Ω<", ">4.00\u{a0}×\u{a0}10⁻⁹\u{a0}F<"] {
        assert!(svg.contains(value), "{value}: {svg}");
    }
    // One drawing for one fit: two input files are refused before anything is fitted.
    let two = bin()
        .args(["fit", "--diagram", "x.svg"])
        .arg(&file)
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(two.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&two.stderr).contains("--diagram draws one fit"));
}
