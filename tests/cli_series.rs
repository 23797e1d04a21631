//! The `sigmafit series` command on a series generated here from known parameters:
//! pressures in several spellings, a header that overrides its name, a file without a
//! pressure, a broken file, per-file thicknesses and the SVG plot.

use num_complex::Complex64;
use serde_json::Value;
use sigmafit::synthetic::{Noise, decade_grid};
use std::f64::consts::{FRAC_PI_2, PI, TAU};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const AREA_CM2: f64 = PI * 0.25;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sigmafit"))
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sigmafit-cli-series-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// σ for a 1 mm × 10 mm pellet with this R_con.
fn sigma_of(r_con: f64) -> f64 {
    0.1 / (r_con * AREA_CM2)
}

/// (iω)^α
fn iw_pow(f: f64, alpha: f64) -> Complex64 {
    Complex64::from_polar((TAU * f).powf(alpha), alpha * FRAC_PI_2)
}

/// A spectrum with R_con = `r_con`: a semicircle above 127 Ω (σ < 1e-3 S/cm), else the
/// inductive circuit; 0.1 % noise; `header` lines first.
fn spectrum_csv(r_con: f64, header: &str, seed: u64) -> String {
    let mut noise = Noise::new(seed);
    let mut text = header.to_string();
    text.push_str("freq,Zre,Zim\n");
    for f in decade_grid(1e6, 0.1, 10) {
        let z = if sigma_of(r_con) < 1e-3 {
            let (r1, r2, alpha) = (0.05 * r_con, 0.95 * r_con, 0.9);
            let q = (4e-9_f64).powf(alpha) / r2.powf(1.0 - alpha);
            Complex64::new(r1, 0.0) + 1.0 / (1.0 / r2 + q * iw_pow(f, alpha))
        } else {
            let q0 = (TAU * 1e6).powf(0.95) * (0.95 * FRAC_PI_2).sin();
            Complex64::new(r_con, 0.0) + 1.0 / (q0 * iw_pow(f, -0.95))
        };
        let z = noise.proportional(z, 0.001);
        text.push_str(&format!("{f:e},{:e},{:e}\n", z.re, z.im));
    }
    text
}

struct Case {
    name: &'static str,
    r_con: Option<f64>,
    header: &'static str,
    pressure: Option<f64>,
    branch: Option<&'static str>,
    cycle: Option<u64>,
}

const CASES: &[Case] = &[
    Case {
        name: "NMC_01_10MPa.csv",
        r_con: Some(5000.0),
        header: "",
        pressure: Some(10.0),
        branch: Some("loading"),
        cycle: Some(1),
    },
    Case {
        name: "NMC_02_100 MPa.csv",
        r_con: Some(80.0),
        header: "",
        pressure: Some(100.0),
        branch: Some("loading"),
        cycle: Some(1),
    },
    Case {
        name: "NMC_03_0.3GPa.csv",
        r_con: Some(6.0),
        header: "",
        pressure: Some(300.0),
        branch: Some("loading"),
        cycle: Some(1),
    },
    Case {
        name: "NMC_04_p100.csv",
        r_con: Some(6.5),
        header: "",
        pressure: Some(100.0),
        branch: Some("unloading"),
        cycle: Some(1),
    },
    Case {
        name: "NMC_05_50,5MPa.csv",
        r_con: Some(9.0),
        header: "",
        pressure: Some(50.5),
        branch: Some("unloading"),
        cycle: Some(1),
    },
    // The header line wins over the name's 200 MPa.
    Case {
        name: "NMC_06_200MPa.csv",
        r_con: Some(7.0),
        header: "# pressure: 250 MPa\n",
        pressure: Some(250.0),
        branch: Some("loading"),
        cycle: Some(2),
    },
    Case {
        name: "NMC_07.csv",
        r_con: Some(7.5),
        header: "",
        pressure: None,
        branch: None,
        cycle: None,
    },
    Case {
        name: "NMC_08_20MPa.csv",
        r_con: None,
        header: "",
        pressure: Some(20.0),
        branch: Some("unloading"),
        cycle: Some(2),
    },
];

/// Writes the cases; the arguments in reverse so only the run index can order them.
fn write_cases(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = CASES
        .iter()
        .enumerate()
        .map(|(i, case)| {
            let path = dir.join(case.name);
            let text = match case.r_con {
                Some(r) => spectrum_csv(r, case.header, 100 + i as u64),
                None => "f,Zre,Zim\n1e6,1,2\n1e5,1,2\n1e4,oops,2\n1e3,1,2\n1e2,1,2\n".to_string(),
            };
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect();
    paths.reverse();
    paths
}

fn run(args: &[&str], files: &[PathBuf]) -> Output {
    bin().arg("series").args(args).args(files).output().unwrap()
}

fn rows(out: &Output) -> Vec<Value> {
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    serde_json::from_str::<Value>(&text)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// SHA-256 by `sha256sum`, an implementation apart from the CLI's.
fn sha256_of(bytes: &[u8]) -> String {
    let mut child = Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

fn rows_len(out: &Output) -> usize {
    rows(out).len()
}

fn row<'a>(rows: &'a [Value], name: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["file"].as_str().unwrap().ends_with(name))
        .unwrap_or_else(|| panic!("no row for {name}"))
}

#[test]
fn json_rows_carry_pressure_branch_cycle_sigma_and_errors() {
    let dir = temp_dir("json");
    let files = write_cases(&dir);
    let svg = dir.join("series.svg");
    let summary = dir.join("summary.json");
    let out = run(
        &[
            "--json",
            "--thickness-mm",
            "1",
            "--diameter-mm",
            "10",
            "--svg",
            svg.to_str().unwrap(),
            "--summary-json",
            summary.to_str().unwrap(),
        ],
        &files,
    );
    assert_eq!(out.status.code(), Some(1), "the broken file fails the run");
    let rows = rows(&out);
    assert_eq!(rows.len(), CASES.len(), "every file has a row, the broken one too");
    // Measurement order is the run index, whatever the argument order.
    let orders: Vec<u64> = rows.iter().map(|r| r["order"].as_u64().unwrap()).collect();
    assert_eq!(orders, (1..=8).collect::<Vec<u64>>());
    for (i, case) in CASES.iter().enumerate() {
        let r = row(&rows, case.name);
        for key in [
            "file",
            "run",
            "pressure_mpa",
            "branch",
            "cycle",
            "series",
            "kind",
            "r_con_ohm",
            "sigma_S_per_cm",
            "thickness_mm",
        ] {
            assert!(r.get(key).is_some(), "{}: {key}", case.name);
        }
        assert_eq!(r["series"], "NMC", "{}", case.name);
        assert_eq!(r["run"].as_u64(), Some(i as u64 + 1), "{}", case.name);
        assert_eq!(r["pressure_mpa"].as_f64(), case.pressure, "{}", case.name);
        assert_eq!(r["branch"].as_str(), case.branch, "{}", case.name);
        assert_eq!(r["cycle"].as_u64(), case.cycle, "{}", case.name);
        match case.r_con {
            Some(r_con) => {
                assert!(r.get("error").is_none(), "{}", case.name);
                let sigma = r["sigma_S_per_cm"]["value"].as_f64().unwrap();
                assert!(
                    (sigma / sigma_of(r_con) - 1.0).abs() < 0.01,
                    "{}: {sigma} vs {}",
                    case.name,
                    sigma_of(r_con)
                );
                assert!(r["sigma_S_per_cm"]["stderr"].is_number());
                assert!((r["r_con_ohm"]["value"].as_f64().unwrap() / r_con - 1.0).abs() < 0.01);
                let kind = if sigma_of(r_con) < 1e-3 {
                    "semicircle"
                } else {
                    "inductive"
                };
                assert_eq!(r["kind"], kind, "{}", case.name);
                assert_eq!(r["thickness_mm"], 1.0);
            }
            None => {
                let error = r["error"].as_str().unwrap();
                assert!(error.contains(case.name) && error.contains("line 4"), "{error}");
                assert!(r["sigma_S_per_cm"].is_null() && r["kind"].is_null());
            }
        }
    }
    assert_eq!(row(&rows, "NMC_06_200MPa.csv")["pressure_source"], "header");
    assert_eq!(row(&rows, "NMC_03_0.3GPa.csv")["pressure_source"], "name");
    // The header's 250 MPa against the name's 200 MPa is said, in the row and on stderr.
    let warning = row(&rows, "NMC_06_200MPa.csv")["pressure_warning"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(warning.contains("250") && warning.contains("200"), "{warning}");
    assert!(row(&rows, "NMC_03_0.3GPa.csv")["pressure_warning"].is_null());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("NMC_06_200MPa.csv: the header says 250 MPa"),
        "{stderr}"
    );

    let svg = std::fs::read_to_string(&svg).unwrap();
    assert!(svg.contains("<svg") && svg.contains("NMC") && svg.contains("unloading"));
    // The provenance the page's SVG carries: version, settings, every file with its SHA-256.
    let open = r#"<metadata id="sigmafit-provenance">"#;
    let start = svg.find(open).expect("provenance") + open.len();
    let end = svg.find("</metadata>").unwrap();
    let provenance: Value = serde_json::from_str(
        &svg[start..end]
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
    .unwrap();
    assert!(provenance["generator"].as_str().unwrap().starts_with("sigmafit "));
    assert_eq!(provenance["settings"]["thickness_mm"], 1.0);
    let files = provenance["files"].as_array().unwrap();
    assert_eq!(files.len(), CASES.len());
    let first = files.iter().find(|f| f["file"] == CASES[0].name).unwrap();
    let bytes = std::fs::read(dir.join(CASES[0].name)).unwrap();
    assert_eq!(first["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(first["sha256"], sha256_of(&bytes));
    let summary: Value = serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    assert_eq!(summary[0]["series"], "NMC");
    let cycle1 = &summary[0]["cycles"][0];
    assert_eq!(cycle1["max_pressure_mpa"], 300.0);
    assert_eq!(cycle1["released_pressure_mpa"], 100.0);
    assert_eq!(cycle1["end_pressure_mpa"], 50.5);
    let ratio = cycle1["released_over_max"]["value"].as_f64().unwrap();
    assert!((ratio - 6.0 / 6.5).abs() < 0.01, "{ratio}");
}

#[test]
fn a_thickness_file_sets_each_pellet() {
    let dir = temp_dir("thickness");
    let files: Vec<PathBuf> = write_cases(&dir)
        .into_iter()
        .filter(|p| !p.ends_with("NMC_08_20MPa.csv"))
        .collect();
    let map = dir.join("thickness.csv");
    std::fs::write(
        &map,
        "file,thickness_mm\n# the first pellet was twice as thick\nNMC_01_10MPa.csv,2\n",
    )
    .unwrap();
    let out = run(
        &[
            "--json",
            "--thickness-mm",
            "1",
            "--diameter-mm",
            "10",
            "--thickness-file",
            map.to_str().unwrap(),
            "--label",
            "my pellet",
        ],
        &files,
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let rows = rows(&out);
    let first = row(&rows, "NMC_01_10MPa.csv");
    assert_eq!(first["thickness_mm"], 2.0);
    let sigma = first["sigma_S_per_cm"]["value"].as_f64().unwrap();
    assert!(
        (sigma / (2.0 * sigma_of(5000.0)) - 1.0).abs() < 0.01,
        "σ scales with d: {sigma}"
    );
    let other = row(&rows, "NMC_02_100 MPa.csv");
    assert_eq!(other["thickness_mm"], 1.0);
    assert!(rows.iter().all(|r| r["series"] == "my pellet"));

    // A bad thickness names its line; nothing is fitted.
    std::fs::write(&map, "NMC_01_10MPa.csv;1\nNMC_02_100 MPa.csv;-3\n").unwrap();
    let out = run(
        &[
            "--thickness-mm",
            "1",
            "--diameter-mm",
            "10",
            "--thickness-file",
            map.to_str().unwrap(),
        ],
        &files,
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("line 2") && stderr.contains("positive"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn the_table_and_summary_read_as_text() {
    let dir = temp_dir("text");
    let files = write_cases(&dir);
    let out = run(&["--thickness-mm", "1", "--diameter-mm", "10"], &files);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    for fragment in [
        "== series NMC (8 files)",
        "unloading",
        "FAILED",
        "has no pressure",
        "Cycle 1: sigma_eff at the highest pressure, 300 MPa",
        "Released to 100 MPa",
        "Cycle 2:",
    ] {
        assert!(text.contains(fragment), "{fragment} missing in:\n{text}");
    }
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("NMC_08_20MPa.csv"), "{stderr}");
}

#[test]
fn bad_series_arguments_exit_2() {
    for args in [
        vec!["series"],
        vec!["series", "--pressure-axis", "cubic", "x.csv"],
        vec!["series", "--svg"],
        vec!["fit", "--svg", "a.svg", "x.csv"],
    ] {
        let out = bin().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains("sigmafit series [OPTIONS]"), "{args:?}: {stderr}");
    }
    let out = bin().args(["series", "--help"]).output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("--thickness-file") && help.contains("--thickness-mm"));
}

#[test]
fn a_long_series_gives_the_same_rows_on_any_number_of_threads() {
    // 70 spectra of one series (more than two runs of 32 fitted side by side), σ rising
    // through 1e-3 S/cm, so both circuits and warm starts are exercised.
    let dir = temp_dir("jobs");
    let files: Vec<PathBuf> = (0..70)
        .map(|i| {
            let r_con = 2000.0 * 0.93_f64.powi(i);
            let path = dir.join(format!("pellet_{:02}_{}MPa.csv", i + 1, 10 + 7 * i));
            std::fs::write(&path, spectrum_csv(r_con, "", 500 + i as u64)).unwrap();
            path
        })
        .collect();
    let args = ["--json", "--thickness-mm", "1", "--diameter-mm", "10"];
    let one = run(&[&args[..], &["--jobs", "1"]].concat(), &files);
    let three = run(&[&args[..], &["--jobs", "3"]].concat(), &files);
    assert!(one.status.success() && three.status.success());
    assert_eq!(one.stdout, three.stdout, "the rows depend on the number of threads");
    let rows = rows(&one);
    assert_eq!(rows.len(), 70);
    for (i, row) in rows.iter().enumerate() {
        let truth = sigma_of(2000.0 * 0.93_f64.powi(i as i32));
        let sigma = row["sigma_S_per_cm"]["value"].as_f64().unwrap();
        assert!(
            (sigma / truth - 1.0).abs() < 0.01,
            "{}: {sigma} vs {truth}",
            row["file"]
        );
    }
    // The first spectrum of each run of 32 starts from the automatic guess.
    assert_eq!(rows[32]["start"], "automatic");
    // A file named twice is read once, and said.
    let twice = run(&args, &[files[0].clone(), files[1].clone(), files[0].clone()]);
    assert_eq!(rows_len(&twice), 2);
    assert!(String::from_utf8_lossy(&twice.stderr).contains("is given more than once"));
    let out = bin().args(["series", "--jobs", "0", "x.csv"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}
