//! The bad-input corpus (tests/data/bad, expected outcomes in expected.json) through the
//! page's import, `LoadedSpectrum.fromBytes` of src/web.rs, in headless Chromium
//! (`make test-wasm`). The files are embedded at compile time by tests/support/bad_corpus.rs.
#![cfg(target_arch = "wasm32")]

mod support {
    pub mod bad_corpus;
}

use sigmafit::web::LoadedSpectrum;
use support::bad_corpus::{CORPUS, EXPECTED_JSON, Outcome, check};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn get(value: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(value, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn outcome(name: &str, bytes: &[u8]) -> Outcome {
    match LoadedSpectrum::from_bytes(bytes, name, None) {
        Ok(loaded) => {
            let spectrum: serde_json::Value = serde_json::from_str(&loaded.spectrum_json()).unwrap_or_default();
            let number = |v: &serde_json::Value| v.as_f64().unwrap_or(f64::NAN);
            Outcome::Imported {
                points: loaded.n_points(),
                lowest: [
                    number(&spectrum["freq_hz"][0]),
                    number(&spectrum["z"][0][0]),
                    number(&spectrum["z"][0][1]),
                ],
            }
        }
        Err(error) => Outcome::Refused {
            line: get(&error, "line").as_f64().map(|v| v as usize),
            column: get(&error, "column").as_f64().map(|v| v as usize),
            message: get(&error, "reason").as_string().unwrap_or_default(),
            kind: get(&error, "importKind").as_string().unwrap_or_default(),
        },
    }
}

#[wasm_bindgen_test]
fn every_corpus_file_has_its_expected_outcome_across_the_boundary() {
    let manifest: serde_json::Value = serde_json::from_str(EXPECTED_JSON).expect("expected.json is JSON");
    assert!(CORPUS.len() >= 40);
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

#[wasm_bindgen_test]
fn unrecognised_columns_come_with_the_table_and_a_mapping_reads_it() {
    let text = "a,b,c,d\n1000,10,-1,5\n100,12,-3,5\n10,15,-4,5\n1,18,-3,5\n0.1,20,-1,5\n";
    let error = LoadedSpectrum::from_bytes(text.as_bytes(), "abcd.csv", None)
        .err()
        .expect("refused");
    assert_eq!(
        get(&error, "importKind").as_string().as_deref(),
        Some("columns_not_recognised")
    );
    let found = get(&error, "columnsFound");
    assert_eq!(get(&found, "column_count").as_f64(), Some(4.0));
    assert_eq!(
        get(&found, "shape").as_string().as_deref(),
        Some("a, b, c, d | 4 columns")
    );
    let first_row = js_sys::Reflect::get_u32(&get(&found, "rows"), 0).unwrap_or(JsValue::UNDEFINED);
    assert_eq!(
        js_sys::Reflect::get_u32(&first_row, 2)
            .ok()
            .and_then(|v| v.as_string())
            .as_deref(),
        Some("-1")
    );
    // Column 4 holds -Z'': with the mapping the lowest point is 0.1 Hz, 20 - 5i ohm.
    let loaded =
        LoadedSpectrum::from_bytes(text.as_bytes(), "abcd.csv", Some("f,re,_,-im".to_string())).expect("mapped");
    let spectrum: serde_json::Value = serde_json::from_str(&loaded.spectrum_json()).unwrap_or_default();
    assert_eq!(spectrum["z"][0], serde_json::json!([20.0, -5.0]));
    assert_eq!(spectrum["format"], "delimited text, columns f,re,_,-im");
}
