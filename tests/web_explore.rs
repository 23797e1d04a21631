//! The explorer's boundary functions (src/web.rs, the explorer block) in headless
//! Chromium: `make test-wasm` runs this file beside tests/web.rs.
#![cfg(target_arch = "wasm32")]

use sigmafit::web::{LoadedSpectrum, explore_csv, explore_draw, explore_limits, explore_presets};
use std::f64::consts::{PI, TAU};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).expect("test input is valid JSON")
}

fn get(value: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(value.clone(), |v, key| {
        js_sys::Reflect::get(&v, &key.into()).unwrap_or(JsValue::UNDEFINED)
    })
}

fn num(value: &JsValue, path: &str) -> f64 {
    get(value, path).as_f64().unwrap_or(f64::NAN)
}

fn canvas(width: u32, height: u32) -> web_sys::HtmlCanvasElement {
    let document = web_sys::window().and_then(|w| w.document()).expect("a document");
    let canvas: web_sys::HtmlCanvasElement = document
        .create_element("canvas")
        .expect("canvas")
        .dyn_into()
        .expect("is a canvas");
    canvas.set_width(width);
    canvas.set_height(height);
    canvas
}

const PELLET: &str = r#"{"thickness_mm": "1.0", "diameter_mm": "10"}"#;

#[wasm_bindgen_test]
fn draws_and_returns_the_lines_computed_by_hand() {
    // σ = 2e-4 S/cm, C·d/A = 1e-9 F/cm, R1 share 0.1, f_max = 1 MHz:
    // paper's line 1e-9 × 1e6 = 1e-3 S/cm; apex line 2π × 0.9 × 1e-3 = 5.655e-3 S/cm;
    // τ2 = 0.9 × 1e-9 / 2e-4 = 4.5e-6 s, apex at 1/(2π τ2) = 35.37 kHz.
    let input = json(r#"{"sigma_s_per_cm": 2e-4, "c_norm_f_per_cm": 1e-9, "r1_share": 0.1, "f_max_hz": 1e6}"#);
    let (a, b, c) = (canvas(900, 600), canvas(900, 600), canvas(900, 700));
    let out = explore_draw(input, json(PELLET), Some(a), Some(b), Some(c), 1.5).expect("draws");
    assert!((num(&out, "boundary_s_per_cm") / 1e-3 - 1.0).abs() < 1e-12);
    assert!((num(&out, "apex_line_s_per_cm") / (TAU * 0.9 * 1e-3) - 1.0).abs() < 1e-12);
    assert!((num(&out, "tau2_s") / 4.5e-6 - 1.0).abs() < 1e-12);
    assert!((num(&out, "f_apex_hz") / (1.0 / (TAU * 4.5e-6)) - 1.0).abs() < 1e-12);
    assert_eq!(get(&out, "visible").as_string().as_deref(), Some("semicircle"));
    // R_con = d / (σ A) for 1 mm × 10 mm.
    let r_con = 0.1 / (2e-4 * PI / 4.0);
    assert!((num(&out, "r_con_ohm") / r_con - 1.0).abs() < 1e-12);
    let sentences = get(&out, "sentences");
    assert!(js_sys::Array::from(&sentences).length() >= 5);
}

#[wasm_bindgen_test]
fn anything_a_field_sends_is_clamped_not_a_panic() {
    for text in [
        r#"{"sigma_s_per_cm": -1, "c_norm_f_per_cm": 1e308, "alpha": 7, "r1_share": 2, "f_min_hz": 1e9, "f_max_hz": 0}"#,
        r#"{"sigma_s_per_cm": null, "noise_rel": 1e300, "inductance_h": -5}"#,
        "{}",
    ] {
        let out = explore_draw(json(text), json(PELLET), Some(canvas(600, 400)), None, None, 1.0);
        assert!(out.is_ok(), "{text}");
    }
    // NaN from a slider: the default is used and the adjustment reported.
    let input = js_sys::Object::new();
    js_sys::Reflect::set(&input, &"sigma_s_per_cm".into(), &JsValue::from_f64(f64::NAN)).unwrap();
    let out = explore_draw(input.into(), json(PELLET), None, None, None, 1.0).expect("a default");
    assert!((num(&out, "values.sigma_s_per_cm") - 1.3e-4).abs() < 1e-18);
    // A canvas too small is an error, not a panic; a string where a number belongs is an error.
    assert!(explore_draw(json("{}"), json(PELLET), Some(canvas(20, 20)), None, None, 1.0).is_err());
    assert!(explore_draw(json(r#"{"alpha": "high"}"#), json(PELLET), None, None, None, 1.0).is_err());
    // Settings that do not resolve: the default pellet, said to be assumed.
    let out = explore_draw(json("{}"), json(r#"{"thickness_mm": "-1"}"#), None, None, None, 1.0).unwrap();
    assert_eq!(get(&out, "pellet.assumed").as_bool(), Some(true));
}

#[wasm_bindgen_test]
fn the_csv_fits_back_to_its_sigma() {
    let input = json(r#"{"sigma_s_per_cm": 1.3e-4, "c_norm_f_per_cm": 5e-10, "noise_rel": 0.003}"#);
    let csv = explore_csv(input, json(PELLET)).expect("a csv");
    let mut spectrum = LoadedSpectrum::new(&csv, "explorer.csv").expect("reads");
    let result = js_sys::JSON::parse(&spectrum.analyse(json(PELLET), JsValue::UNDEFINED).expect("fits")).unwrap();
    let sigma = num(&result, "analysis.sigma_S_per_cm.value");
    assert!((sigma / 1.3e-4 - 1.0).abs() < 0.02, "{sigma}");
}

#[wasm_bindgen_test]
fn limits_and_presets_cross() {
    let limits = js_sys::Array::from(&explore_limits().unwrap());
    assert_eq!(limits.length(), 8);
    assert_eq!(
        get(&limits.get(0), "key").as_string().as_deref(),
        Some("sigma_s_per_cm")
    );
    let presets = js_sys::Array::from(&explore_presets(json(PELLET)).unwrap());
    assert_eq!(presets.length(), 6);
    assert!((num(&presets.get(1), "input.sigma_s_per_cm") - 2.5e-2).abs() < 1e-15);
}
