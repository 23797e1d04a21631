//! The browser boundary: the only file with `#[wasm_bindgen]`.
//!
//! Thin on purpose. JavaScript hands in text and a plain settings object; this
//! file turns them into the core's [`Spectrum`] and [`Settings`], calls
//! [`analyse`], and hands back plain serde structs (maps become plain objects).
//! Every core error crosses as a `JsError` carrying the core's own message,
//! through [`js_error`]. Nothing here unwraps anything that input controls.

use crate::analysis::{Analysis, Outcome, Settings, analyse};
use crate::fit::{Weighting, log_grid};
use crate::pellet::GeometryInput;
use crate::plot::{self, PlotData, PlotError, PlotStyle};
use crate::preset::CircuitChoice;
use crate::spectrum::{Spectrum, parse_spectrum};
use num_complex::Complex64;
use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, IntoDrawingArea};
use plotters_canvas::CanvasBackend;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt::Display;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// Points per decade of the drawn model curve.
const CURVE_PER_DECADE: usize = 40;

/// The one way an error crosses into JavaScript: a `JsError` with the core's message.
fn js_error(error: impl Display) -> JsError {
    JsError::new(&error.to_string())
}

/// Serialises with maps as plain objects (not `Map`s), as JSON would.
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(js_error)
}

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// The sigmafit version (Cargo.toml).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Settings as the page sends them (snake_case, the CLI's option names).
/// Every field is optional; a missing one takes the CLI's default.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct WebSettings {
    pub thickness_mm: Option<f64>,
    pub diameter_mm: Option<f64>,
    pub area_cm2: Option<f64>,
    pub thickness_err_mm: Option<f64>,
    pub diameter_err_mm: Option<f64>,
    pub lead_ohm: Option<f64>,
    pub fmin_hz: Option<f64>,
    pub fmax_hz: Option<f64>,
    /// auto | inductive | semicircle | semicircle-c | a circuit string.
    pub circuit: Option<String>,
    /// modulus | unit.
    pub weighting: Option<String>,
    pub eps_r: Option<f64>,
    pub particle_um: Option<f64>,
    /// Starting values, NAME → value.
    pub init: Vec<(String, f64)>,
    /// Fixed parameters, NAME → value.
    pub fix: Vec<(String, f64)>,
}

fn finite(name: &str, value: Option<f64>) -> Result<Option<f64>, String> {
    match value {
        Some(v) if !v.is_finite() => Err(format!("{name} must be a number, got {v}")),
        other => Ok(other),
    }
}

impl WebSettings {
    /// The core settings, mirroring the CLI's argument handling.
    pub fn to_settings(&self) -> Result<Settings, String> {
        let mut settings = Settings::default();
        if let Some(v) = finite("lead resistance", self.lead_ohm)? {
            settings.lead_ohm = v;
        }
        if let Some(v) = finite("eps_r", self.eps_r)? {
            settings.eps_r = v;
        }
        if let Some(v) = finite("particle diameter", self.particle_um)? {
            settings.particle_um = v;
        }
        settings.fit.fmin = finite("fmin", self.fmin_hz)?;
        settings.fit.fmax = finite("fmax", self.fmax_hz)?;
        if let (Some(lo), Some(hi)) = (settings.fit.fmin, settings.fit.fmax) {
            if lo >= hi {
                return Err(format!("fmin ({lo} Hz) must be below fmax ({hi} Hz)"));
            }
        }
        if let Some(text) = self.circuit.as_deref().filter(|t| !t.trim().is_empty()) {
            settings.circuit = CircuitChoice::parse(text).map_err(|e| e.to_string())?;
        }
        if let Some(text) = self.weighting.as_deref().filter(|t| !t.trim().is_empty()) {
            settings.fit.weighting =
                Weighting::parse(text).ok_or_else(|| format!("weighting must be modulus or unit, not '{text}'"))?;
        }
        for (name, value) in &self.init {
            finite(name, Some(*value))?;
            settings.fit.init.push((name.clone(), *value));
        }
        for (name, value) in &self.fix {
            finite(name, Some(*value))?;
            settings.fit.fix.push((name.clone(), *value));
        }
        let geometry = GeometryInput {
            thickness_mm: finite("thickness", self.thickness_mm)?,
            diameter_mm: finite("diameter", self.diameter_mm)?,
            area_cm2: finite("area", self.area_cm2)?,
            thickness_err_mm: finite("thickness uncertainty", self.thickness_err_mm)?,
            diameter_err_mm: finite("diameter uncertainty", self.diameter_err_mm)?,
        };
        settings.geometry = geometry.resolve().map_err(|e| e.to_string())?;
        // The core checks these too, but only once a fit is asked for.
        for (name, value) in [("eps_r", settings.eps_r), ("particle diameter", settings.particle_um)] {
            if !(value > 0.0) {
                return Err(format!("{name} must be a positive number, got {value}"));
            }
        }
        Ok(settings)
    }
}

/// The field names of [`WebSettings`].
const SETTING_FIELDS: [&str; 14] = [
    "thickness_mm",
    "diameter_mm",
    "area_cm2",
    "thickness_err_mm",
    "diameter_err_mm",
    "lead_ohm",
    "fmin_hz",
    "fmax_hz",
    "circuit",
    "weighting",
    "eps_r",
    "particle_um",
    "init",
    "fix",
];

fn read_settings(value: JsValue) -> Result<(WebSettings, Settings), JsError> {
    let web: WebSettings = if value.is_undefined() || value.is_null() {
        WebSettings::default()
    } else {
        // serde-wasm-bindgen only looks up the known fields, so a misspelt one would pass silently.
        if let Some(object) = value.dyn_ref::<js_sys::Object>() {
            for key in js_sys::Object::keys(object).iter().filter_map(|k| k.as_string()) {
                if !SETTING_FIELDS.contains(&key.as_str()) {
                    return Err(js_error(format!(
                        "settings: unknown field '{key}', expected one of {}",
                        SETTING_FIELDS.join(", ")
                    )));
                }
            }
        }
        serde_wasm_bindgen::from_value(value).map_err(|e| js_error(format!("settings: {e}")))?
    };
    let settings = web.to_settings().map_err(js_error)?;
    Ok((web, settings))
}

/// Checks a settings object without fitting anything; throws the reason when it is unusable.
#[wasm_bindgen(js_name = checkSettings)]
pub fn check_settings(settings: JsValue) -> Result<(), JsError> {
    read_settings(settings).map(|_| ())
}

/// Where the result came from: enough to reproduce it.
#[derive(Serialize)]
struct Provenance<'a> {
    sigmafit_version: &'static str,
    file: &'a str,
    sha256: &'a str,
    settings: &'a WebSettings,
}

/// Arrays ready to draw or export (physics sign: Im Z < 0 capacitive).
#[derive(Serialize)]
struct PlotArrays {
    freq_hz: Vec<f64>,
    z_re: Vec<f64>,
    z_im: Vec<f64>,
    fitted: Vec<bool>,
    /// 1-based line of each point in the input file.
    source_line: Vec<usize>,
    curve_freq_hz: Vec<f64>,
    curve_re: Vec<f64>,
    curve_im: Vec<f64>,
    model_re: Vec<f64>,
    model_im: Vec<f64>,
}

#[derive(Serialize)]
struct WebResult<'a> {
    provenance: Provenance<'a>,
    analysis: &'a Analysis,
    plot: PlotArrays,
    /// Wall time of the fit and diagnosis inside WebAssembly, ms.
    fit_ms: f64,
}

/// One imported spectrum, its fingerprint and its latest fit.
#[wasm_bindgen]
pub struct LoadedSpectrum {
    spectrum: Spectrum,
    sha256: String,
    outcome: Option<Outcome>,
    curve: (Vec<f64>, Vec<Complex64>),
    model_at_data: Vec<Complex64>,
}

/// A sub-millisecond clock where there is one (the page), else the date.
fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

#[wasm_bindgen]
impl LoadedSpectrum {
    /// Parses `text` as a spectrum; throws "file, line L, column C: why" when it cannot.
    /// The SHA-256 is that of the text's UTF-8 (what a pasted table is).
    #[wasm_bindgen(constructor)]
    pub fn new(text: &str, file_name: &str) -> Result<LoadedSpectrum, JsError> {
        Self::parsed(text, file_name, sha256_hex(text.as_bytes()))
    }

    /// A file as read from disk: the SHA-256 is of its raw bytes, so it matches
    /// `sha256sum` of the file; the text is decoded as UTF-8 (invalid sequences
    /// replaced) without a leading byte-order mark.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: &[u8], file_name: &str) -> Result<LoadedSpectrum, JsError> {
        let sha256 = sha256_hex(bytes);
        let text = String::from_utf8_lossy(bytes);
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        Self::parsed(text, file_name, sha256)
    }
}

/// Lower-case hex SHA-256 of `bytes` (the fingerprint of a file that could not be parsed).
#[wasm_bindgen(js_name = sha256Hex)]
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

impl LoadedSpectrum {
    fn parsed(text: &str, file_name: &str, sha256: String) -> Result<LoadedSpectrum, JsError> {
        let spectrum = parse_spectrum(text, file_name).map_err(js_error)?;
        Ok(LoadedSpectrum {
            spectrum,
            sha256,
            outcome: None,
            curve: (Vec::new(), Vec::new()),
            model_at_data: Vec::new(),
        })
    }
}

#[wasm_bindgen]
impl LoadedSpectrum {
    #[wasm_bindgen(getter, js_name = fileName)]
    pub fn file_name(&self) -> String {
        self.spectrum.name.clone()
    }

    /// SHA-256 of the file's bytes (or of pasted text's UTF-8), lower-case hex.
    #[wasm_bindgen(getter)]
    pub fn sha256(&self) -> String {
        self.sha256.clone()
    }

    #[wasm_bindgen(getter, js_name = nPoints)]
    pub fn n_points(&self) -> usize {
        self.spectrum.len()
    }

    /// Fits with `settings` (see [`WebSettings`]) and returns
    /// `{provenance, analysis, plot, fit_ms}`; throws the core's message on failure.
    /// A failed fit forgets the previous one, so plots never show a stale model.
    pub fn analyse(&mut self, settings: JsValue) -> Result<JsValue, JsError> {
        self.outcome = None;
        self.curve = (Vec::new(), Vec::new());
        self.model_at_data.clear();
        let (web, settings) = read_settings(settings)?;
        let started = now_ms();
        let outcome = analyse(&self.spectrum, &settings).map_err(js_error)?;
        let fit_ms = now_ms() - started;
        let (f_lo, f_hi) = (self.spectrum.f_min(), self.spectrum.f_max());
        let curve_f = log_grid(f_lo, f_hi, CURVE_PER_DECADE);
        let curve_z = outcome.fit.model(&curve_f);
        let model = outcome.fit.model(&self.spectrum.freq_hz);
        let result = WebResult {
            provenance: Provenance {
                sigmafit_version: env!("CARGO_PKG_VERSION"),
                file: &self.spectrum.name,
                sha256: &self.sha256,
                settings: &web,
            },
            analysis: &outcome.analysis,
            plot: PlotArrays {
                freq_hz: self.spectrum.freq_hz.clone(),
                z_re: self.spectrum.z.iter().map(|z| z.re).collect(),
                z_im: self.spectrum.z.iter().map(|z| z.im).collect(),
                fitted: outcome.fit.fitted.clone(),
                source_line: self.spectrum.source_line.clone(),
                curve_freq_hz: curve_f.clone(),
                curve_re: curve_z.iter().map(|z| z.re).collect(),
                curve_im: curve_z.iter().map(|z| z.im).collect(),
                model_re: model.iter().map(|z| z.re).collect(),
                model_im: model.iter().map(|z| z.im).collect(),
            },
            fit_ms,
        };
        let value = to_js(&result)?;
        self.curve = (curve_f, curve_z);
        self.model_at_data = model;
        self.outcome = Some(outcome);
        Ok(value)
    }

    /// Nyquist plot of the data and the latest fit onto `canvas` (sized in device pixels;
    /// `scale` is the device pixel ratio).
    #[wasm_bindgen(js_name = drawNyquist)]
    pub fn draw_nyquist(&self, canvas: HtmlCanvasElement, scale: f64) -> Result<(), JsError> {
        self.draw(canvas, scale, plot::draw_nyquist)
    }

    /// Bode plot: |Z| and phase against log f.
    #[wasm_bindgen(js_name = drawBode)]
    pub fn draw_bode(&self, canvas: HtmlCanvasElement, scale: f64) -> Result<(), JsError> {
        self.draw(canvas, scale, plot::draw_bode)
    }

    /// Relative residuals of the latest fit against log f.
    #[wasm_bindgen(js_name = drawResiduals)]
    pub fn draw_residuals(&self, canvas: HtmlCanvasElement, scale: f64) -> Result<(), JsError> {
        self.draw(canvas, scale, plot::draw_residuals)
    }
}

type DrawFn = fn(&DrawingArea<CanvasBackend, Shift>, &PlotData, &PlotStyle) -> Result<(), PlotError>;

impl LoadedSpectrum {
    fn draw(&self, canvas: HtmlCanvasElement, scale: f64, draw: DrawFn) -> Result<(), JsError> {
        let backend =
            CanvasBackend::with_canvas_object(canvas).ok_or_else(|| js_error("this canvas has no 2D context"))?;
        let root = backend.into_drawing_area();
        let no_mask = Vec::new();
        let data = PlotData {
            freq_hz: &self.spectrum.freq_hz,
            z: &self.spectrum.z,
            fitted_mask: self.outcome.as_ref().map_or(&no_mask, |o| &o.fit.fitted),
            curve_freq_hz: &self.curve.0,
            curve_z: &self.curve.1,
            model_at_data: &self.model_at_data,
        };
        let style = PlotStyle {
            scale,
            font_family: "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
                .to_string(),
            dark: false,
        };
        draw(&root, &data, &style).map_err(js_error)?;
        root.present().map_err(|e| js_error(format!("plot error: {e}")))
    }
}

#[wasm_bindgen]
impl LoadedSpectrum {
    /// The data and the latest fit as CSV (f, Z', Z'', fitted Z, residuals); throws when nothing is fitted yet.
    #[wasm_bindgen(js_name = fitTableCsv)]
    pub fn fit_table_csv(&self) -> Result<String, JsError> {
        let outcome = self.outcome.as_ref().ok_or_else(|| {
            js_error(format!(
                "{}: not fitted yet, so there is no fit to export",
                self.spectrum.name
            ))
        })?;
        let header = [
            format!("file: {}", self.spectrum.name),
            format!("sha256: {}", self.sha256),
            format!("circuit: {}", outcome.analysis.circuit),
            format!("weighting: {}", outcome.fit.stats.weighting.name()),
            format!("sigmafit version: {}", env!("CARGO_PKG_VERSION")),
            "Z'' with the physics sign (negative: capacitive); residual = Z - Z_fit; residual_rel = |Z - Z_fit| / |Z|"
                .to_string(),
        ];
        Ok(crate::fit_table::fit_table_csv(&self.spectrum, &outcome.fit, &header))
    }
}
