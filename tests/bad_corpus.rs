//! The bad-input corpus (tests/data/bad, expected outcomes in expected.json) through the
//! native import, and the caps on file size and points (inputs made here, not committed).

mod support {
    pub mod bad_corpus;
}

use sigmafit::spectrum::{ImportErrorKind, MAX_FILE_BYTES, MAX_POINTS, decode_text, parse_spectrum};
use support::bad_corpus::{CORPUS, EXPECTED_JSON, Outcome, check};

fn outcome(name: &str, bytes: &[u8]) -> Outcome {
    match parse_spectrum(&decode_text(bytes), name) {
        Ok(s) => Outcome::Imported {
            points: s.len(),
            lowest: [s.freq_hz[0], s.z[0].re, s.z[0].im],
        },
        Err(e) => Outcome::Refused {
            line: e.line,
            column: e.column,
            kind: match e.kind {
                ImportErrorKind::Invalid => "invalid".to_string(),
                ImportErrorKind::ColumnsNotRecognised => "columns_not_recognised".to_string(),
            },
            message: e.message,
        },
    }
}

#[test]
fn the_embedded_list_is_the_directory_and_the_manifest() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/bad");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n != "expected.json")
        .collect();
    on_disk.sort();
    let mut embedded: Vec<String> = CORPUS.iter().map(|(n, _)| n.to_string()).collect();
    embedded.sort();
    assert_eq!(
        embedded, on_disk,
        "tests/support/bad_corpus.rs lists every file of tests/data/bad"
    );
    let manifest: serde_json::Value = serde_json::from_str(EXPECTED_JSON).unwrap();
    let mut listed: Vec<String> = manifest.as_object().unwrap().keys().cloned().collect();
    listed.sort();
    assert_eq!(listed, on_disk, "expected.json has one entry per file");
    assert!(on_disk.len() >= 40);
}

#[test]
fn every_corpus_file_has_its_expected_outcome() {
    let manifest: serde_json::Value = serde_json::from_str(EXPECTED_JSON).unwrap();
    let failures: Vec<String> = CORPUS
        .iter()
        .filter_map(|(name, bytes)| check(name, &outcome(name, bytes), &manifest).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn a_file_over_the_size_cap_is_refused_with_the_cap() {
    let row = "1000,10,-1\n";
    let text = row.repeat(MAX_FILE_BYTES / row.len() + 1);
    assert!(text.len() > MAX_FILE_BYTES);
    let e = parse_spectrum(&text, "huge.csv").unwrap_err();
    assert_eq!((e.line, e.column), (None, None), "{e}");
    assert!(e.message.contains("at most 20 MB"), "{e}");
}

#[test]
fn more_points_than_the_cap_are_refused_at_the_first_extra_row() {
    let mut text = String::from("freq,Zre,Zim\n");
    for i in 0..=MAX_POINTS {
        text.push_str(&format!("{},{},-1\n", 1.0 + i as f64, 10.0 + (i % 7) as f64));
    }
    let e = parse_spectrum(&text, "many.csv").unwrap_err();
    // Line 1 is the header, so point MAX_POINTS + 1 is on line MAX_POINTS + 2.
    assert_eq!(e.line, Some(MAX_POINTS + 2), "{e}");
    assert!(e.message.contains(&format!("at most {MAX_POINTS} are read")), "{e}");
    // One row fewer is read.
    let last_row = text.trim_end().rfind('\n').unwrap();
    let s = parse_spectrum(&text[..=last_row], "many.csv").unwrap();
    assert_eq!(s.len(), MAX_POINTS);
}
