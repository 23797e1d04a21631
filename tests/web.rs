//! The browser boundary (src/web.rs) in headless Chromium:
//! `wasm-pack test --headless --chrome -- --test web` (`make test-wasm`).
#![cfg(target_arch = "wasm32")]

use sigmafit::web::{
    LoadedSpectrum, check_settings, describe_names, format_hz, format_with_error, place_series, series_svg,
    settings_schema, sha256_hex, summarise_series, version, warm_up,
};
use std::f64::consts::{FRAC_PI_2, PI, TAU};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Z = R1 + 1/(1/R2 + Q (iω)^α), as "f,Zre,Zim" lines, 1 MHz .. 0.1 Hz, 10 per decade.
fn semicircle_csv(r1: f64, r2: f64, q: f64, alpha: f64) -> String {
    let mut text = String::from("freq,Zreal,Zimag\n");
    for i in 0..=70 {
        let f = 1e6 * 10f64.powf(-(i as f64) / 10.0);
        let m = (TAU * f).powf(alpha);
        let (a, b) = (m * (alpha * FRAC_PI_2).cos(), m * (alpha * FRAC_PI_2).sin());
        let (re, im) = (1.0 / r2 + q * a, q * b);
        let d = re * re + im * im;
        text.push_str(&format!("{f},{},{}\n", r1 + re / d, -im / d));
    }
    text
}

/// Z = R0 + 1/(Q (iω)^α) with α < 0 (inductive).
fn inductive_csv(r0: f64, q: f64, alpha: f64) -> String {
    let mut text = String::from("freq,Zreal,Zimag\n");
    for i in 0..=70 {
        let f = 1e6 * 10f64.powf(-(i as f64) / 10.0);
        let m = (TAU * f).powf(alpha);
        let (a, b) = (q * m * (alpha * FRAC_PI_2).cos(), q * m * (alpha * FRAC_PI_2).sin());
        let d = a * a + b * b;
        text.push_str(&format!("{f},{},{}\n", r0 + a / d, -b / d));
    }
    text
}

fn get(value: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(value.clone(), |v, key| {
        js_sys::Reflect::get(&v, &key.into()).unwrap_or(JsValue::UNDEFINED)
    })
}

fn num(value: &JsValue, path: &str) -> f64 {
    get(value, path).as_f64().unwrap_or(f64::NAN)
}

fn text(value: &JsValue, path: &str) -> String {
    get(value, path).as_string().unwrap_or_default()
}

fn settings(json: &str) -> JsValue {
    js_sys::JSON::parse(json).expect("test settings are valid JSON")
}

fn error_message(value: JsValue) -> String {
    value
        .dyn_into::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_default()
}

const PELLET: &str = r#"{"thickness_mm": 1.0, "diameter_mm": 10.0}"#;

fn area_cm2() -> f64 {
    PI * 1.0 * 1.0 / 4.0
}

#[wasm_bindgen_test]
fn semicircle_spectrum_gives_kind_and_sigma() {
    let (r1, r2, alpha) = (40.0, 960.0, 0.9);
    let q = 2e-8;
    let mut s = LoadedSpectrum::new(&semicircle_csv(r1, r2, q, alpha), "b.csv").expect("parses");
    assert_eq!(s.file_name(), "b.csv");
    assert_eq!(s.n_points(), 71);
    assert_eq!(s.sha256().len(), 64);
    let result = s
        .analyse(settings(PELLET), JsValue::UNDEFINED)
        .map(|json| js_sys::JSON::parse(&json).expect("the result is JSON"))
        .expect("fits");
    assert_eq!(text(&result, "analysis.kind"), "semicircle");
    let truth = 0.1 / ((r1 + r2) * area_cm2());
    let sigma = num(&result, "analysis.sigma_S_per_cm.value");
    assert!((sigma / truth - 1.0).abs() < 1e-4, "sigma {sigma} vs {truth}");
    let r_con = num(&result, "analysis.r_con_ohm.value");
    assert!((r_con / (r1 + r2) - 1.0).abs() < 1e-4, "R_con {r_con}");
    // Maps cross as plain objects; no plot arrays (the core draws the plots itself).
    assert!(num(&result, "analysis.params.R1.value").is_finite());
    assert!(get(&result, "plot").is_undefined());
    assert_eq!(text(&result, "provenance.sha256"), s.sha256());
    assert_eq!(text(&result, "provenance.sigmafit_version"), version());
    assert_eq!(num(&result, "provenance.settings.thickness_mm"), 1.0);
    assert_eq!(num(&result, "provenance.settings.eps_r"), 10.0);
    assert_eq!(text(&result, "provenance.settings.weighting"), "modulus");
    assert!(get(&result, "analysis.capacitance.table").is_object());
    // The report is typeset: a true minus sign and superscripts, no e-notation.
    let sentence = text(&result, "report.choice_sentence");
    assert!(sentence.contains("1\u{a0}×\u{a0}10⁻³\u{a0}S/cm"), "{sentence}");
    assert!(!sentence.contains("e-3"), "{sentence}");
    // The headline's digits are the formatter's, the same as the CLI's in ASCII.
    let r_con_err = num(&result, "analysis.r_con_ohm.stderr");
    assert_eq!(
        text(&result, "report.figures.r_con"),
        format_with_error(r_con, Some(r_con_err), "Ω")
    );
}

#[wasm_bindgen_test]
fn inductive_spectrum_gives_kind_and_sigma() {
    let (r0, alpha) = (2.5, -0.95);
    let q = (TAU * 1e6).powf(-alpha) * (-alpha * FRAC_PI_2).sin() / r0;
    let mut s = LoadedSpectrum::new(&inductive_csv(r0, q, alpha), "a.csv").expect("parses");
    let result = s
        .analyse(settings(PELLET), JsValue::UNDEFINED)
        .map(|json| js_sys::JSON::parse(&json).expect("the result is JSON"))
        .expect("fits");
    assert_eq!(text(&result, "analysis.kind"), "inductive");
    let truth = 0.1 / (r0 * area_cm2());
    let sigma = num(&result, "analysis.sigma_S_per_cm.value");
    assert!((sigma / truth - 1.0).abs() < 1e-4, "sigma {sigma} vs {truth}");
    assert!(get(&result, "analysis.capacitance").is_null());
    // Q of the inductive CPE is no capacitance, and the leads are named as its source.
    let q = js_sys::Reflect::get(&get(&result, "analysis.params"), &"CPE0.Q".into()).unwrap_or(JsValue::NULL);
    assert_eq!(text(&q, "unit"), "S·s^α");
    assert!(text(&result, "report.lead_note").contains("cables"));
}

#[wasm_bindgen_test]
fn bad_csv_names_line_and_column() {
    // Line 10 (header + 8 good rows before it) gets a bad Z'' field.
    let csv: Vec<String> = semicircle_csv(40.0, 960.0, 2e-8, 0.9)
        .lines()
        .enumerate()
        .map(|(i, line)| if i == 9 { format!("{line}x") } else { line.to_string() })
        .collect();
    let error = LoadedSpectrum::new(&csv.join("\n"), "broken.csv")
        .err()
        .map(error_message)
        .unwrap_or_default();
    assert!(error.starts_with("broken.csv, line 10, column 3"), "{error}");
    // The place crosses as properties, not only inside the sentence.
    let thrown = LoadedSpectrum::new(&csv.join("\n"), "broken.csv")
        .err()
        .unwrap_or(JsValue::NULL);
    assert_eq!(text(&thrown, "kind"), "import");
    assert_eq!(text(&thrown, "file"), "broken.csv");
    assert_eq!(num(&thrown, "line"), 10.0);
    assert_eq!(num(&thrown, "column"), 3.0);
    let too_short = LoadedSpectrum::new("1,2,3\n4,5,6\n", "short.csv")
        .err()
        .map(error_message)
        .unwrap_or_default();
    assert!(too_short.contains("short.csv"), "{too_short}");
}

#[wasm_bindgen_test]
fn bad_circuit_string_is_an_error() {
    let mut s = LoadedSpectrum::new(&semicircle_csv(40.0, 960.0, 2e-8, 0.9), "b.csv").expect("parses");
    let error = s
        .analyse(settings(r#"{"circuit": "R1-p(R2,Q9"}"#), JsValue::UNDEFINED)
        .map(|json| js_sys::JSON::parse(&json).expect("the result is JSON"))
        .err()
        .map(error_message)
        .unwrap_or_default();
    assert!(error.contains("position"), "{error}");
    let error = check_settings(settings(r#"{"circuit": "R0-X1"}"#))
        .err()
        .map(error_message)
        .unwrap_or_default();
    assert!(error.contains("R0-X1"), "{error}");
    // A custom circuit that is fine fits and says so.
    let result = s
        .analyse(
            settings(r#"{"circuit": "R1-p(R2,C2)", "thickness_mm": 1, "diameter_mm": 10}"#),
            JsValue::UNDEFINED,
        )
        .map(|json| js_sys::JSON::parse(&json).expect("the result is JSON"))
        .expect("fits");
    assert_eq!(text(&result, "analysis.kind"), "custom");
}

#[wasm_bindgen_test]
fn settings_are_validated() {
    let ok = [
        r#"{}"#,
        PELLET,
        r#"{"thickness_mm": 1, "area_cm2": 0.5, "weighting": "unit", "lead_ohm": 0.1}"#,
        r#"{"thickness_mm": "", "diameter_mm": null, "circuit": "auto"}"#,
    ];
    for json in ok {
        assert!(check_settings(settings(json)).is_ok(), "{json}");
    }
    assert!(check_settings(JsValue::UNDEFINED).is_ok());
    // Each error names its field as data; the message is the schema's (the CLI prints
    // the same after the flag).
    let bad = [
        (
            r#"{"thickness_mm": -1, "diameter_mm": 10}"#,
            "thickness_mm",
            "the thickness must be a positive number of mm, not -1",
        ),
        (
            r#"{"thickness_mm": 1}"#,
            "diameter_mm",
            "the pellet's thickness needs a diameter or an area",
        ),
        (
            r#"{"diameter_mm": 10}"#,
            "thickness_mm",
            "the pellet's thickness is needed with a diameter or an area",
        ),
        (
            r#"{"thickness_mm": 1, "diameter_mm": 10, "area_cm2": 1}"#,
            "area_cm2",
            "give the pellet's diameter or its area, not both",
        ),
        (
            r#"{"weighting": "square"}"#,
            "weighting",
            "must be modulus or unit, not “square”",
        ),
        (
            r#"{"fmin_hz": 100, "fmax_hz": 10}"#,
            "fmin_hz",
            "fit from (100 Hz) must be below fit up to (10 Hz)",
        ),
        (r#"{"eps_r": 0}"#, "eps_r", "ε_r must be a positive number, not 0"),
        (
            r#"{"particle_um": "-5"}"#,
            "particle_um",
            "the particle diameter must be a positive number of µm, not -5",
        ),
        (
            r#"{"thickness_mm": "one", "diameter_mm": 10}"#,
            "thickness_mm",
            "“one” is not a number",
        ),
        (
            r#"{"thickness_mm": "1,000", "diameter_mm": 10}"#,
            "thickness_mm",
            "“1,000” is ambiguous",
        ),
    ];
    for (json, field, message) in bad {
        let thrown = check_settings(settings(json)).err().unwrap_or(JsValue::NULL);
        assert_eq!(text(&thrown, "kind"), "settings", "{json}");
        assert_eq!(text(&thrown, "field"), field, "{json}");
        assert_eq!(text(&thrown, "id"), field.replace('_', "-"), "{json}");
        assert!(error_message(thrown).starts_with(message), "{json}");
    }
    let unknown = check_settings(settings(r#"{"thickness": 1}"#))
        .err()
        .unwrap_or(JsValue::NULL);
    assert_eq!(text(&unknown, "field"), "thickness");
    // Typed text with a decimal comma is read as the page's fields hand it over.
    let geometry = check_settings(settings(r#"{"thickness_mm": "0,85", "diameter_mm": "10"}"#)).expect("valid");
    assert!((num(&geometry, "thickness_cm") - 0.085).abs() < 1e-15);
    assert!((num(&geometry, "area_cm2") - PI / 4.0).abs() < 1e-15);
    // A fit that cannot be done leaves an error, not a panic.
    let mut s = LoadedSpectrum::new(&semicircle_csv(40.0, 960.0, 2e-8, 0.9), "b.csv").expect("parses");
    let message = s
        .analyse(settings(r#"{"fmin_hz": 1e7}"#), JsValue::UNDEFINED)
        .map(|json| js_sys::JSON::parse(&json).expect("the result is JSON"))
        .err()
        .map(error_message)
        .unwrap_or_default();
    assert!(!message.is_empty());
}

#[wasm_bindgen_test]
fn the_schema_gives_the_page_its_fields_and_defaults() {
    let schema = js_sys::Array::from(&settings_schema().expect("schema"));
    let find = |key: &str| schema.iter().find(|f| text(f, "key") == key).unwrap_or(JsValue::NULL);
    let thickness = find("thickness_mm");
    assert_eq!(text(&thickness, "id"), "thickness-mm");
    assert_eq!(text(&thickness, "type"), "number");
    assert_eq!(text(&thickness, "unit"), "mm");
    assert_eq!(text(&thickness, "suggested"), "1.0");
    assert_eq!(text(&find("eps_r"), "default"), "10");
    assert_eq!(text(&find("c_norm_max_f_per_cm"), "default"), "1e-9");
    let circuit = find("circuit");
    assert_eq!(text(&circuit, "type"), "choice");
    assert_eq!(get(&circuit, "free_text").as_bool(), Some(true));
    assert_eq!(text(&find("fmin_hz"), "flag"), "--fmin-hz");
}

#[wasm_bindgen_test]
fn numbers_are_typeset_by_the_core() {
    // 654 to two figures is 650, so 4529.3 is given to the tens.
    assert_eq!(format_with_error(4529.3, Some(654.0), "Ω"), "4530 ±\u{a0}650\u{a0}Ω");
    assert_eq!(
        format_with_error(1.95e-4, Some(1.87e-7), ""),
        "(1.9500 ±\u{a0}0.0019)\u{a0}×\u{a0}10⁻⁴"
    );
    assert_eq!(format_hz(159_154.9), "159\u{a0}kHz");
}

#[wasm_bindgen_test]
fn plots_draw_on_a_canvas() {
    let document = web_sys::window().and_then(|w| w.document()).expect("a document");
    let canvas: web_sys::HtmlCanvasElement = document
        .create_element("canvas")
        .expect("canvas")
        .dyn_into()
        .expect("is a canvas");
    canvas.set_width(1200);
    canvas.set_height(800);
    let mut s = LoadedSpectrum::new(&semicircle_csv(40.0, 960.0, 2e-8, 0.9), "b.csv").expect("parses");
    // Before a fit: data only.
    assert!(s.draw_nyquist(canvas.clone(), 2.0).is_ok());
    s.analyse(settings(PELLET), JsValue::UNDEFINED)
        .map(|json| js_sys::JSON::parse(&json).expect("the result is JSON"))
        .expect("fits");
    assert!(s.draw_nyquist(canvas.clone(), 2.0).is_ok());
    assert!(s.draw_bode(canvas.clone(), 2.0).is_ok());
    assert!(s.draw_residuals(canvas.clone(), 2.0).is_ok());
    // A canvas too small for a chart is an error, not a panic.
    canvas.set_width(20);
    canvas.set_height(20);
    assert!(s.draw_bode(canvas, 1.0).is_err());
}

#[wasm_bindgen_test]
fn sha256_is_of_the_raw_bytes() {
    const ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    assert_eq!(sha256_hex(b"abc"), ABC);
    let csv = semicircle_csv(40.0, 960.0, 2e-8, 0.9);
    // Pasted text hashes its UTF-8; a file read as bytes hashes the same bytes.
    let pasted = LoadedSpectrum::new(&csv, "b.csv").expect("parses");
    let file = LoadedSpectrum::from_bytes(csv.as_bytes(), "b.csv", None).expect("parses");
    assert_eq!(pasted.sha256(), sha256_hex(csv.as_bytes()));
    assert_eq!(file.sha256(), pasted.sha256());
    // A byte-order mark is part of the file: it changes the hash, not the parse.
    let mut with_bom = vec![0xef, 0xbb, 0xbf];
    with_bom.extend_from_slice(csv.as_bytes());
    let bom = LoadedSpectrum::from_bytes(&with_bom, "bom.csv", None).expect("a BOM is stripped before parsing");
    assert_eq!(bom.sha256(), sha256_hex(&with_bom));
    assert_ne!(bom.sha256(), pasted.sha256());
    assert_eq!(bom.n_points(), 71);
    // Invalid UTF-8 is decoded lossily: still an error with the file name, never a panic.
    let error = LoadedSpectrum::from_bytes(&[0xff, 0xfe, b'x', b'\n'], "junk.csv", None)
        .err()
        .map(error_message)
        .unwrap_or_default();
    assert!(error.contains("junk.csv"), "{error}");
}

#[wasm_bindgen_test]
fn a_series_is_placed_and_summarised_across_the_boundary() {
    let names = vec![
        "NMC_01_10MPa.csv".to_string(),
        "NMC_02_0,1GPa.csv".to_string(),
        "x.csv".to_string(),
    ];
    let described = describe_names(names).expect("describes");
    assert_eq!(
        num(&js_sys::Reflect::get(&described, &1.into()).unwrap(), "pressure_mpa"),
        100.0
    );
    assert_eq!(
        text(&js_sys::Reflect::get(&described, &0.into()).unwrap(), "series"),
        "NMC"
    );
    // 10, 100, 50, 10, 100 MPa in run order: loading, loading, unloading, unloading, loading (cycle 2).
    let members = settings(
        r#"[{"series":"s","run":1,"given":0,"pressure_mpa":10},{"series":"s","run":2,"given":1,"pressure_mpa":100},
            {"series":"s","run":3,"given":2,"pressure_mpa":50},{"series":"s","run":4,"given":3,"pressure_mpa":10},
            {"series":"s","run":5,"given":4,"pressure_mpa":100}]"#,
    );
    let placed = place_series(members).expect("places");
    let branch = |i: u32| text(&js_sys::Reflect::get(&placed, &i.into()).unwrap(), "branch");
    let cycle = |i: u32| num(&js_sys::Reflect::get(&placed, &i.into()).unwrap(), "cycle");
    assert_eq!(
        (0..5).map(branch).collect::<Vec<_>>(),
        ["loading", "loading", "unloading", "unloading", "loading"]
    );
    assert_eq!(cycle(4), 2.0);
    let points = settings(
        r#"[{"pressure_mpa":10,"branch":"loading","cycle":1,"sigma_s_per_cm":1e-4},
            {"pressure_mpa":100,"branch":"loading","cycle":1,"sigma_s_per_cm":1e-2},
            {"pressure_mpa":10,"branch":"unloading","cycle":1,"sigma_s_per_cm":4e-3}]"#,
    );
    let summary = summarise_series(points.clone()).expect("summarises");
    let first = js_sys::Reflect::get(&summary, &0.into()).unwrap();
    assert_eq!(num(&first, "sigma_at_max.value"), 1e-2);
    assert!((num(&first, "end_over_max.value") - 0.4).abs() < 1e-12);
    let lines = get(&first, "lines");
    assert!(js_sys::Array::from(&lines).length() >= 3);
    let plot = settings(&format!(
        r#"{{"series":[{{"label":"NMC","points":{}}}],"pressure_axis":"log"}}"#,
        js_sys::JSON::stringify(&points).unwrap()
    ));
    let svg = series_svg(plot, 600, 400).expect("draws");
    assert!(svg.starts_with("<svg") && svg.contains("NMC"));
}

#[wasm_bindgen_test]
fn a_fit_started_from_its_own_result_says_previous() {
    let mut s = LoadedSpectrum::new(&semicircle_csv(40.0, 960.0, 2e-8, 0.9), "arc.csv").expect("parses");
    let cold = js_sys::JSON::parse(&s.analyse(settings(PELLET), JsValue::UNDEFINED).expect("fits")).unwrap();
    assert_eq!(text(&cold, "analysis.start"), "automatic");
    let hint = get(&cold, "start_hint");
    let warm = js_sys::JSON::parse(&s.analyse(settings(PELLET), hint).expect("fits")).unwrap();
    assert_eq!(text(&warm, "analysis.start"), "previous");
    let (a, b) = (
        num(&cold, "analysis.r_con_ohm.value"),
        num(&warm, "analysis.r_con_ohm.value"),
    );
    assert!((a / b - 1.0).abs() < 1e-6, "{a} vs {b}");
    // Settings as their JSON text (what the workers pass) give the same fit.
    let from_text = js_sys::JSON::parse(&s.analyse(PELLET.into(), JsValue::UNDEFINED).expect("fits")).unwrap();
    assert_eq!(num(&from_text, "analysis.r_con_ohm.value"), a);
    // A hint that does not read is no hint.
    let junk = js_sys::JSON::parse(&s.analyse(settings(PELLET), "nonsense".into()).expect("fits")).unwrap();
    assert_eq!(text(&junk, "analysis.start"), "automatic");
}

#[wasm_bindgen_test]
fn a_worker_gets_bytes_the_hint_as_text_and_sigma_from_getters() {
    let (r1, r2) = (40.0, 960.0);
    let mut s = LoadedSpectrum::new(&semicircle_csv(r1, r2, 2e-8, 0.9), "arc.csv").expect("parses");
    assert!(s.start_hint_json().is_none() && s.fit_ms().is_none());
    let bytes = s.analyse_json_bytes(PELLET.into(), JsValue::UNDEFINED).expect("fits");
    let result = js_sys::JSON::parse(std::str::from_utf8(&bytes).expect("UTF-8")).unwrap();
    // σ from the getter is the result's, and both are d / (R_con A) of the true R_con.
    let sigma = s.sigma().expect("converts");
    assert_eq!(num(&sigma, "value"), num(&result, "analysis.sigma_S_per_cm.value"));
    let truth = 0.1 / ((r1 + r2) * area_cm2());
    assert!((num(&sigma, "value") / truth - 1.0).abs() < 0.01);
    assert!(s.fit_ms().is_some_and(|ms| ms >= 0.0));
    // The hint as JSON text is taken as the hint object is.
    let hint = s.start_hint_json().expect("a hint after a fit");
    let warm = js_sys::JSON::parse(&s.analyse(PELLET.into(), hint.into()).expect("fits")).unwrap();
    assert_eq!(text(&warm, "analysis.start"), "previous");
    // A failed fit leaves no hint, σ or time behind.
    assert!(
        s.analyse(settings(r#"{"circuit": "R1-p(R2,C2"}"#), JsValue::UNDEFINED)
            .is_err()
    );
    assert!(s.start_hint_json().is_none() && s.fit_ms().is_none() && s.sigma().unwrap().is_null());
}

#[wasm_bindgen_test]
fn the_warm_up_fits_both_cases() {
    assert_eq!(warm_up(2), 4);
    assert_eq!(warm_up(0), 0);
}
