//! The bundled synthetic pressure series (`www/examples/series/`, written by
//! `examples/make_series.rs`) through the core with the page's default geometry: every σ
//! against the truth stated in its file, the branches, the cycles and the circuit kinds.

use sigmafit::analysis::analyse;
use sigmafit::preset::Kind;
use sigmafit::series::{Branch, Member, SeriesPoint, header_pressure_mpa, name_info, place, summarise};
use sigmafit::settings::SettingsInput;
use sigmafit::spectrum::parse_spectrum;
use std::path::PathBuf;

fn series_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("www/examples/series")
}

/// `name = number` from the `# synthetic:` line, as the generator wrote it.
fn truth(text: &str, key: &str) -> f64 {
    let line = text.lines().find(|l| l.starts_with("# synthetic:")).unwrap();
    let start = line.find(&format!("{key} = ")).unwrap() + key.len() + 3;
    line[start..].split_whitespace().next().unwrap().parse().unwrap()
}

struct File {
    name: String,
    text: String,
}

fn files() -> Vec<File> {
    let index: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(series_dir().join("index.json")).unwrap()).unwrap();
    assert_eq!(index["synthetic"], true);
    index["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            let name = n.as_str().unwrap().to_string();
            let text = std::fs::read_to_string(series_dir().join(&name)).unwrap();
            File { name, text }
        })
        .collect()
}

#[test]
fn the_bundled_series_recovers_its_truth() {
    let files = files();
    assert_eq!(files.len(), 32);
    let settings = SettingsInput::from_pairs([("thickness_mm", "1.0"), ("diameter_mm", "10")])
        .resolve()
        .unwrap();
    let members: Vec<Member> = files
        .iter()
        .enumerate()
        .map(|(given, f)| {
            let info = name_info(&f.name);
            let header = header_pressure_mpa(&f.text);
            assert_eq!(header, info.pressure_mpa, "{}: header and name agree", f.name);
            Member {
                series: info.series,
                run: info.run,
                modified_ms: None,
                given,
                pressure_mpa: header,
            }
        })
        .collect();
    let placements = place(&members);
    let mut coated_kinds = Vec::new();
    let mut curves: Vec<(String, Vec<SeriesPoint>)> = Vec::new();
    for ((file, member), placement) in files.iter().zip(&members).zip(&placements) {
        let intended = if file.text.contains("; unloading, cycle 1;") {
            Branch::Unloading
        } else {
            assert!(file.text.contains("; loading, cycle 1;"), "{}", file.name);
            Branch::Loading
        };
        assert_eq!(placement.branch, Some(intended), "{}", file.name);
        assert_eq!(placement.cycle, Some(1), "{}", file.name);
        assert_eq!(Some(placement.order as u32), member.run, "{}", file.name);

        let spectrum = parse_spectrum(&file.text, &file.name).unwrap();
        let analysis = analyse(&spectrum, &settings).unwrap().analysis;
        let sigma = analysis.sigma_s_per_cm.unwrap();
        let sigma_true = truth(&file.text, "true sigma");
        assert!(
            (sigma.value / sigma_true - 1.0).abs() < 0.03,
            "{}: {} vs {sigma_true}",
            file.name,
            sigma.value
        );
        let kind_true = if sigma_true < 1e-3 {
            Kind::Semicircle
        } else {
            Kind::Inductive
        };
        assert_eq!(analysis.kind, kind_true, "{}", file.name);
        if member.series.contains("coated") {
            coated_kinds.push(analysis.kind);
        }
        let point = SeriesPoint {
            pressure_mpa: member.pressure_mpa.unwrap(),
            branch: intended,
            cycle: 1,
            sigma_s_per_cm: sigma.value,
            sigma_err: sigma.stderr,
        };
        match curves.iter_mut().find(|(key, _)| *key == member.series) {
            Some((_, points)) => points.push(point),
            None => curves.push((member.series.clone(), vec![point])),
        }
    }
    // The coated twin crosses 1e-3 S/cm: semicircles at low pressure, inductive at high.
    assert!(coated_kinds.contains(&Kind::Semicircle) && coated_kinds.contains(&Kind::Inductive));
    let mut keys: Vec<&str> = curves.iter().map(|(k, _)| k.as_str()).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["synthetic_LNO-coated-sc-NMC622", "synthetic_sc-NMC622"]);

    // The study's numbers for the uncoated series: 2.5e-2 S/cm at 486 MPa, nearly flat
    // released to 100 MPa, 2–3× lower at the end of unloading.
    let (_, uncoated) = curves.iter().find(|(k, _)| k == "synthetic_sc-NMC622").unwrap();
    let summary = summarise(uncoated);
    assert_eq!(summary.len(), 1);
    let s = &summary[0];
    assert_eq!(s.max_pressure_mpa, 486.0);
    assert!((s.sigma_at_max.value / 2.5e-2 - 1.0).abs() < 0.03);
    assert_eq!(s.released_pressure_mpa, Some(100.0));
    let released = s.released_over_max.unwrap().value;
    assert!((0.85..=1.0).contains(&released), "{released}");
    let drop = s.sigma_released.unwrap().value / s.sigma_end.unwrap().value;
    assert!((2.0..=3.0).contains(&drop), "{drop}");
    // Unloading lies above loading at every shared pressure: irreversible densification.
    assert_eq!(s.hysteresis.len(), 6);
    assert!(s.hysteresis.iter().all(|h| h.ratio.value > 1.0));
}
