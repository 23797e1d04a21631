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
