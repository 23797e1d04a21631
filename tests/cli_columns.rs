//! `sigmafit fit --columns`: a table whose header is not recognised is refused with a
//! pointer to `--columns`, and read with it; the caps refuse quickly with their limit.

use serde_json::Value;
use std::f64::consts::TAU;
use std::path::PathBuf;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sigmafit"))
}

fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sigmafit-cli-columns-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// R1 + R2 ‖ C, 1 MHz .. 0.1 Hz, under a header nobody recognises: columns f, Z', a
/// temperature, -Z''.
fn unknown_header_csv(r1: f64, r2: f64, c: f64) -> String {
    let mut text = String::from("a;b;c;d\n");
    for i in 0..=70 {
        let f = 1e6 * 10f64.powf(-(i as f64) / 10.0);
        let x = TAU * f * r2 * c;
        let re = r1 + r2 / (1.0 + x * x);
        let minus_im = r2 * x / (1.0 + x * x);
        text.push_str(&format!("{f:e};{re:e};25;{minus_im:e}\n"));
    }
    text
}

#[test]
fn unrecognised_columns_point_to_the_flag_and_the_flag_reads_them() {
    let path = temp_file("abcd.csv", &unknown_header_csv(50.0, 930.0, 4e-9));
    let out = bin().arg("fit").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 1") && stderr.contains("--columns f,re,-im"),
        "{stderr}"
    );

    let out = bin()
        .args(["fit", "--json", "--columns", "f,re,_,-im"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let item = &json[0];
    assert_eq!(item["spectrum"]["n_points"], 71);
    assert_eq!(item["spectrum"]["imag_convention"], "negated_from_mapping");
    // R_con of R1 + R2 ‖ C is R1 + R2 = 980 ohm.
    let r_con = item["r_con_ohm"]["value"].as_f64().unwrap();
    assert!((r_con - 980.0).abs() < 1e-3, "{r_con}");
}

#[test]
fn the_json_error_carries_the_table_for_a_mapping() {
    let path = temp_file("abcd-json.csv", &unknown_header_csv(50.0, 930.0, 4e-9));
    let out = bin().args(["fit", "--json"]).arg(&path).output().unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let error = &json[0]["error_at"];
    assert_eq!(error["kind"], "columns_not_recognised");
    assert_eq!(error["columns_found"]["column_count"], 4);
    assert_eq!(
        error["columns_found"]["header"],
        serde_json::json!(["a", "b", "c", "d"])
    );
    assert_eq!(error["columns_found"]["rows"][0][2], "25");
}

#[test]
fn a_bad_mapping_is_a_usage_error() {
    let path = temp_file("abcd-bad.csv", &unknown_header_csv(50.0, 930.0, 4e-9));
    let out = bin().args(["fit", "--columns", "f,re,re"]).arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--columns f,re,re") && stderr.contains("columns 2 and 3"),
        "{stderr}"
    );
}
