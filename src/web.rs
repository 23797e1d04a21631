//! The browser boundary: the only file with `#[wasm_bindgen]`.
//!
//! Thin on purpose: it converts and calls the core. JavaScript hands in text and a
//! plain settings object (keys of [`crate::settings::FIELDS`], values as typed); this
//! file hands back plain serde structures: the analysis as data, its report in the
//! typeset style, the settings schema, formatted numbers. Every error crosses as a
//! JavaScript `Error` whose `message` is the core's and whose properties say where:
//! `kind` ("import", "settings" or "analysis"), `file`, `line`, `column` for an
//! import, `field` (the settings key) and `id` (the form element) for a setting.
//! Nothing here unwraps anything that input controls.

use crate::analysis::{Analysis, AnalysisError, Outcome, StartHint, analyse_from};
use crate::fit::log_grid;
use crate::kk::{KkError, KkResult, lin_kk};
use crate::numfmt::{self, Style};
use crate::plot::{self, PlotData, PlotError, PlotStyle};
use crate::report::{self, Report};
use crate::settings::{self, FieldSpec, Settings, SettingsError, SettingsInput};
use crate::spectrum::{
    self, ColumnMapping, ImportError, ImportErrorKind, Spectrum, parse_spectrum, parse_spectrum_with,
};
use crate::{series, series_plot};
use num_complex::Complex64;
use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, IntoDrawingArea};
use plotters_canvas::CanvasBackend;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// Points per decade of the drawn model curve.
const CURVE_PER_DECADE: usize = 40;
/// The page's numbers are typeset.
const STYLE: Style = Style::Typeset;

/// A JavaScript `Error` with `message` and the given properties.
fn error_object(kind: &str, message: &str, properties: &[(&str, JsValue)]) -> JsValue {
    let error = js_sys::Error::new(message);
    let object: &JsValue = error.as_ref();
    let _ = js_sys::Reflect::set(object, &"kind".into(), &kind.into());
    for (key, value) in properties {
        let _ = js_sys::Reflect::set(object, &(*key).into(), value);
    }
    error.into()
}

fn optional(value: Option<usize>) -> JsValue {
    value.map_or(JsValue::NULL, |v| JsValue::from_f64(v as f64))
}

fn import_error(e: &ImportError) -> JsValue {
    error_object(
        "import",
        &e.to_string(),
        &[
            ("file", e.file.as_str().into()),
            ("line", optional(e.line)),
            ("column", optional(e.column)),
            ("reason", e.message.as_str().into()),
            // "columns_not_recognised" opens the page's column-mapping step.
            (
                "importKind",
                serde_wasm_bindgen::to_value(&e.kind).unwrap_or(JsValue::NULL),
            ),
            (
                "columnsFound",
                e.columns_found
                    .as_ref()
                    .and_then(|found| serde_wasm_bindgen::to_value(found).ok())
                    .unwrap_or(JsValue::NULL),
            ),
        ],
    )
}

fn settings_error(e: &SettingsError) -> JsValue {
    error_object(
        "settings",
        &e.message,
        &[
            ("field", e.field.as_str().into()),
            ("id", e.field.replace('_', "-").into()),
        ],
    )
}

fn other_error(message: impl std::fmt::Display) -> JsValue {
    error_object("analysis", &message.to_string(), &[])
}

/// Serialises with maps as plain objects (not `Map`s), as JSON would.
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(other_error)
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

/// One field of the schema as the page builds its form from it.
#[derive(Serialize)]
struct FieldView {
    #[serde(flatten)]
    spec: &'static FieldSpec,
    id: String,
    flag: String,
}

/// Every setting: key, form id, CLI flag, group, label, unit, type (`number`,
/// `choice` with `options` and `free_text`, `assignments`), default, suggested, help.
#[wasm_bindgen(js_name = settingsSchema)]
pub fn settings_schema() -> Result<JsValue, JsValue> {
    let fields: Vec<FieldView> = settings::FIELDS
        .iter()
        .map(|spec| FieldView {
            spec,
            id: spec.id(),
            flag: spec.flag(),
        })
        .collect();
    to_js(&fields)
}

/// Settings as an object, or as its JSON text (what the workers pass: one parse in
/// Rust instead of a boundary crossing per field, for every spectrum of a series).
fn read_settings(value: JsValue) -> Result<(SettingsInput, Settings), JsValue> {
    let input: SettingsInput = if value.is_undefined() || value.is_null() {
        SettingsInput::default()
    } else if let Some(text) = value.as_string() {
        serde_json::from_str(&text).map_err(|e| other_error(format!("settings: {e}")))?
    } else {
        serde_wasm_bindgen::from_value(value).map_err(|e| other_error(format!("settings: {e}")))?
    };
    let settings = input.resolve().map_err(|e| settings_error(&e))?;
    Ok((input, settings))
}

/// Checks a settings object without fitting anything; throws the settings error.
/// Returns the pellet geometry it describes (`thickness_cm`, `area_cm2`, ...) or null.
#[wasm_bindgen(js_name = checkSettings)]
pub fn check_settings(settings: JsValue) -> Result<JsValue, JsValue> {
    let (_, settings) = read_settings(settings)?;
    to_js(&settings.geometry)
}

/// The settings in force, as data (numbers as numbers, defaults filled in): the
/// provenance an export records for a file that could not be fitted.
#[wasm_bindgen(js_name = effectiveSettings)]
pub fn effective_settings(settings: JsValue) -> Result<JsValue, JsValue> {
    let (input, _) = read_settings(settings)?;
    to_js(&input.effective())
}

/// A value with its standard error, typeset: `(1.2732 ± 0.0006) × 10⁻⁴ S/cm`.
#[wasm_bindgen(js_name = formatWithError)]
pub fn format_with_error(value: f64, stderr: Option<f64>, unit: &str) -> String {
    numfmt::with_error(value, stderr, unit, STYLE)
}

/// [`format_with_error`] always in scientific notation, for a column over decades.
#[wasm_bindgen(js_name = formatScientificWithError)]
pub fn format_scientific_with_error(value: f64, stderr: Option<f64>, unit: &str) -> String {
    numfmt::with_error_scientific(value, stderr, unit, STYLE)
}

/// `digits` significant figures with a unit, trailing zeros kept.
#[wasm_bindgen(js_name = formatValue)]
pub fn format_value(value: f64, digits: usize, unit: &str) -> String {
    numfmt::value(value, digits, unit, STYLE)
}

/// `digits` significant figures, trailing zeros dropped.
#[wasm_bindgen(js_name = formatSig)]
pub fn format_sig(value: f64, digits: usize) -> String {
    numfmt::sig(value, digits, STYLE)
}

/// A frequency with its prefix: `42.1 kHz`.
#[wasm_bindgen(js_name = formatHz)]
pub fn format_hz(frequency: f64) -> String {
    numfmt::hz(frequency, STYLE)
}

/// Where the result came from: enough to reproduce it.
#[derive(Serialize)]
struct Provenance<'a> {
    sigmafit_version: &'static str,
    file: &'a str,
    sha256: &'a str,
    /// Every setting with the value in force.
    settings: BTreeMap<&'static str, serde_json::Value>,
}

#[derive(Serialize)]
struct WebResult<'a> {
    provenance: Provenance<'a>,
    analysis: &'a Analysis,
    report: &'a Report,
    /// Wall time of the fit and diagnosis inside WebAssembly, ms.
    fit_ms: f64,
    /// Where the next spectrum of a series may start.
    start_hint: StartHint,
}

/// One imported spectrum, its fingerprint and its latest fit.
#[wasm_bindgen]
pub struct LoadedSpectrum {
    spectrum: Spectrum,
    sha256: String,
    outcome: Option<Outcome>,
    /// The model drawn over the data, computed at the first draw after a fit (a worker
    /// that never draws never pays for it).
    curves: std::cell::OnceCell<ModelCurves>,
    /// Where the last Nyquist and Bode plots drew each point, for [`LoadedSpectrum::point_at`].
    located: std::cell::RefCell<(plot::PointPixels, plot::PointPixels)>,
    header_pressure_mpa: Option<f64>,
    /// Wall time of the latest fit, ms.
    fit_ms: Option<f64>,
    /// The Lin-KK test of the whole spectrum, run when the page first asks: it does not
    /// depend on the settings, and a worker that only fits never pays for it.
    kk: std::cell::OnceCell<Result<KkResult, KkError>>,
}

/// The fitted model on a fine grid (the line) and at the data (the residuals).
#[derive(Default)]
struct ModelCurves {
    freq_hz: Vec<f64>,
    z: Vec<Complex64>,
    at_data: Vec<Complex64>,
}

/// A sub-millisecond clock where there is one (`performance` of the page or of a
/// worker), else the date.
fn now_ms() -> f64 {
    let performance = js_sys::Reflect::get(&js_sys::global(), &"performance".into()).ok();
    performance
        .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

#[wasm_bindgen]
impl LoadedSpectrum {
    /// Parses `text` as a spectrum; throws an import error (file, line, column) when it cannot.
    /// The SHA-256 is that of the text's UTF-8 (what a pasted table is).
    #[wasm_bindgen(constructor)]
    pub fn new(text: &str, file_name: &str) -> Result<LoadedSpectrum, JsValue> {
        Self::parsed(text, file_name, sha256_hex(text.as_bytes()), None)
    }

    /// A file as read from disk: the SHA-256 is of its raw bytes, so it matches
    /// `sha256sum` of the file; the text is decoded as UTF-8 (invalid sequences
    /// replaced) without a leading byte-order mark.
    ///
    /// `columns` (`"f,re,-im"`, as the CLI's `--columns`) says what each column of a
    /// delimited table holds when its header was not recognised.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: &[u8], file_name: &str, columns: Option<String>) -> Result<LoadedSpectrum, JsValue> {
        let sha256 = sha256_hex(bytes);
        let mapping = match columns.as_deref() {
            Some(text) => Some(ColumnMapping::parse(text).map_err(|why| {
                import_error(&ImportError {
                    file: file_name.to_string(),
                    line: None,
                    column: None,
                    message: format!("the column mapping {text:?} cannot be used: {why}"),
                    kind: ImportErrorKind::Invalid,
                    columns_found: None,
                })
            })?),
            None => None,
        };
        Self::parsed(&spectrum::decode_text(bytes), file_name, sha256, mapping.as_ref())
    }

    /// The imported spectrum as JSON text: `freq_hz`, `z` (`[re, im]` pairs, signed Im Z),
    /// `source_line`, `imag_convention`, `warnings` and `format` (how the file was read).
    #[wasm_bindgen(getter, js_name = spectrumJson)]
    pub fn spectrum_json(&self) -> String {
        serde_json::to_string(&self.spectrum).unwrap_or_default()
    }
}

/// The file name that makes a `panic-probe` build panic when fitted: the end-to-end
/// test drops it to show that a panic in a worker costs only that file's result.
#[cfg(feature = "panic-probe")]
pub const PANIC_PROBE_FILE: &str = "sigmafit-panic-probe.csv";

/// Panics on [`PANIC_PROBE_FILE`]; compiled only into the test build (`--features panic-probe`).
#[cfg(feature = "panic-probe")]
#[wasm_bindgen(js_name = panicProbe)]
pub fn panic_probe(file_name: &str) {
    if file_name == PANIC_PROBE_FILE {
        panic!("panic probe: a deliberate panic of the test build, on {file_name}");
    }
}

/// Whether a header's and a file name's pressure (MPa) disagree by more than 1 % (the
/// header's is used; the page says so at the pressure cell).
#[wasm_bindgen(js_name = pressuresDisagree)]
pub fn pressures_disagree(header_mpa: Option<f64>, name_mpa: Option<f64>) -> bool {
    series::pressures_disagree(header_mpa, name_mpa)
}

/// Imports, fits (with `auto`), reports and serialises the study's two kinds of synthetic
/// spectrum ([`crate::synthetic::study_cases_csv`]) `rounds` times; returns the number
/// of fits. A fitting worker calls it while it waits for work: V8 optimises a
/// WebAssembly function only after it has run a while, and the optimised code is shared
/// by every instance of the module, so spectra dropped later are fitted about twice as
/// fast from the first one on.
#[wasm_bindgen(js_name = warmUp)]
pub fn warm_up(rounds: usize) -> usize {
    let settings = Settings::default();
    let mut fits = 0;
    for _ in 0..rounds {
        for text in crate::synthetic::study_cases_csv() {
            let Ok(spectrum) = parse_spectrum(&text, "warm-up.csv") else {
                continue;
            };
            if let Ok(outcome) = analyse_from(&spectrum, &settings, None) {
                let report = report::write(&outcome.analysis, STYLE);
                let _ = serde_json::to_string(&(&outcome.analysis, &report, outcome.start_hint()));
                fits += 1;
            }
        }
    }
    fits
}

/// Lower-case hex SHA-256 of `bytes` (the fingerprint of a file that could not be parsed).
#[wasm_bindgen(js_name = sha256Hex)]
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

impl LoadedSpectrum {
    fn parsed(
        text: &str,
        file_name: &str,
        sha256: String,
        columns: Option<&ColumnMapping>,
    ) -> Result<LoadedSpectrum, JsValue> {
        let spectrum = parse_spectrum_with(text, file_name, columns).map_err(|e| import_error(&e))?;
        let header_pressure_mpa = series::header_pressure_mpa(text);
        Ok(LoadedSpectrum {
            header_pressure_mpa,
            spectrum,
            sha256,
            outcome: None,
            fit_ms: None,
            curves: std::cell::OnceCell::new(),
            located: std::cell::RefCell::default(),
            kk: std::cell::OnceCell::new(),
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

    /// The stack pressure a header or comment line of the file states, MPa (or undefined).
    #[wasm_bindgen(getter, js_name = headerPressureMpa)]
    pub fn header_pressure_mpa(&self) -> Option<f64> {
        self.header_pressure_mpa
    }

    #[wasm_bindgen(getter, js_name = nPoints)]
    pub fn n_points(&self) -> usize {
        self.spectrum.len()
    }

    /// Fits with `settings` (keys of the settings schema, values as typed) and returns
    /// `{provenance, analysis, report, fit_ms, start_hint}` as JSON text (for `JSON.parse`:
    /// far cheaper than building the object field by field across the boundary, and a
    /// worker posts the text as it is); throws a settings or analysis error. `hint`
    /// (optional) is the `start_hint` of the previous spectrum of a series, as an object
    /// or as JSON text ([`LoadedSpectrum::start_hint_json`]): the fit starts there when
    /// that is closer than the automatic guess.
    /// A failed fit forgets the previous one, so plots never show a stale model.
    pub fn analyse(&mut self, settings: JsValue, hint: JsValue) -> Result<String, JsValue> {
        self.analyse_to_json(settings, hint)
    }

    /// [`LoadedSpectrum::analyse`]'s JSON as UTF-8 bytes: a worker posts them to the page
    /// as they are (a copy out of WebAssembly memory), where they are decoded and parsed
    /// only if the spectrum is looked at; decoding every result to a JavaScript string in
    /// the worker cost about as much as the fit.
    #[wasm_bindgen(js_name = analyseJsonBytes)]
    pub fn analyse_json_bytes(&mut self, settings: JsValue, hint: JsValue) -> Result<Vec<u8>, JsValue> {
        self.analyse_to_json(settings, hint).map(String::into_bytes)
    }

    fn analyse_to_json(&mut self, settings: JsValue, hint: JsValue) -> Result<String, JsValue> {
        #[cfg(feature = "panic-probe")]
        panic_probe(&self.spectrum.name);
        self.outcome = None;
        self.fit_ms = None;
        self.curves = std::cell::OnceCell::new();
        let (input, settings) = read_settings(settings)?;
        // A hint that does not read is no hint: the fit starts from the data as usual.
        let hint: Option<StartHint> = if hint.is_undefined() || hint.is_null() {
            None
        } else if let Some(text) = hint.as_string() {
            serde_json::from_str(&text).ok()
        } else {
            serde_wasm_bindgen::from_value(hint).ok()
        };
        let started = now_ms();
        let outcome = analyse_from(&self.spectrum, &settings, hint.as_ref()).map_err(|e| match e {
            AnalysisError::Settings(e) => settings_error(&e),
            AnalysisError::Fit(e) => other_error(format!("{}: {e}", self.spectrum.name)),
        })?;
        let report = report::write(&outcome.analysis, STYLE);
        let fit_ms = now_ms() - started;
        let result = WebResult {
            provenance: Provenance {
                sigmafit_version: env!("CARGO_PKG_VERSION"),
                file: &self.spectrum.name,
                sha256: &self.sha256,
                settings: input.effective(),
            },
            analysis: &outcome.analysis,
            report: &report,
            fit_ms,
            start_hint: outcome.start_hint(),
        };
        let value = serde_json::to_string(&result).map_err(other_error)?;
        self.outcome = Some(outcome);
        self.fit_ms = Some(fit_ms);
        Ok(value)
    }

    /// The latest fit's `start_hint` as JSON text, for the next spectrum's `analyse`:
    /// a worker passes it on without parsing the whole result.
    #[wasm_bindgen(getter, js_name = startHintJson)]
    pub fn start_hint_json(&self) -> Option<String> {
        let outcome = self.outcome.as_ref()?;
        serde_json::to_string(&outcome.start_hint()).ok()
    }

    /// The latest fit's σ_eff in S/cm, `{value, stderr}`, as in the result's
    /// `analysis.sigma_S_per_cm`; null without a fit or a geometry.
    #[wasm_bindgen(getter)]
    pub fn sigma(&self) -> Result<JsValue, JsValue> {
        to_js(&self.outcome.as_ref().and_then(|o| o.analysis.sigma_s_per_cm.as_ref()))
    }

    /// The latest fit's circuit drawn as SVG text, each element with its fitted values
    /// ([`crate::diagram`]); null without a fit. A getter, so a worker's result does not carry it.
    #[wasm_bindgen(getter, js_name = circuitDiagramSvg)]
    pub fn circuit_diagram_svg(&self) -> Option<String> {
        let fit = &self.outcome.as_ref()?.fit;
        Some(crate::diagram::svg(&fit.circuit, Some(&fit.values)))
    }

    /// Wall time of the latest fit and diagnosis inside WebAssembly, ms (the result's `fit_ms`).
    #[wasm_bindgen(getter, js_name = fitMs)]
    pub fn fit_ms(&self) -> Option<f64> {
        self.fit_ms
    }

    /// Nyquist plot of the data and the latest fit onto `canvas` (sized in device pixels;
    /// `scale` is the device pixel ratio).
    #[wasm_bindgen(js_name = drawNyquist)]
    pub fn draw_nyquist(&self, canvas: HtmlCanvasElement, scale: f64) -> Result<(), JsValue> {
        let located = self.draw(canvas, scale, plot::draw_nyquist_located)?;
        self.located.borrow_mut().0 = located;
        Ok(())
    }

    /// Bode plot: |Z| and phase against log f.
    #[wasm_bindgen(js_name = drawBode)]
    pub fn draw_bode(&self, canvas: HtmlCanvasElement, scale: f64) -> Result<(), JsValue> {
        let located = self.draw(canvas, scale, plot::draw_bode_located)?;
        self.located.borrow_mut().1 = located;
        Ok(())
    }

    /// Relative residuals of the latest fit against log f.
    #[wasm_bindgen(js_name = drawResiduals)]
    pub fn draw_residuals(&self, canvas: HtmlCanvasElement, scale: f64) -> Result<(), JsValue> {
        self.draw(canvas, scale, |area, data, style| {
            plot::draw_residuals(area, data, style).map(|()| Vec::new())
        })
        .map(|_| ())
    }

    /// The frequency (Hz) of the point drawn nearest to (x, y) in the canvas's pixels, on
    /// the last "nyquist" or "bode" plot drawn, if one lies within `radius` pixels.
    #[wasm_bindgen(js_name = pointAt)]
    pub fn point_at(&self, plot: &str, x: f64, y: f64, radius: f64) -> Option<f64> {
        let located = self.located.borrow();
        let points = if plot == "bode" { &located.1 } else { &located.0 };
        plot::point_near(points, x, y, radius).and_then(|i| self.spectrum.freq_hz.get(i).copied())
    }

    /// The frequencies (Hz) of the points drawn between the pixel columns `x0` and `x1`
    /// of the last Bode plot: a frequency range swept across it.
    #[wasm_bindgen(js_name = frequenciesBetween)]
    pub fn frequencies_between(&self, x0: f64, x1: f64) -> Vec<f64> {
        plot::points_between_columns(&self.located.borrow().1, x0, x1)
            .into_iter()
            .filter_map(|i| self.spectrum.freq_hz.get(i).copied())
            .collect()
    }

    /// The Lin-KK test of the spectrum: `{m, mu, rms, noise, verdict, residuals: [{f, re,
    /// im, flagged}]}`; throws an analysis error when the spectrum cannot be tested.
    pub fn kk(&self) -> Result<JsValue, JsValue> {
        match self.kk_result() {
            Ok(result) => to_js(result),
            Err(e) => Err(other_error(format!("{}: {e}", self.spectrum.name))),
        }
    }

    /// The Lin-KK residuals against log f, flagged points ringed.
    #[wasm_bindgen(js_name = drawKk)]
    pub fn draw_kk(&self, canvas: HtmlCanvasElement, scale: f64) -> Result<(), JsValue> {
        let backend =
            CanvasBackend::with_canvas_object(canvas).ok_or_else(|| other_error("this canvas has no 2D context"))?;
        let root = backend.into_drawing_area();
        let kk = self.kk_result().as_ref().map_err(|e| e.message.as_str());
        plot::draw_kk_residuals(&root, kk, &plot_style(scale)).map_err(other_error)?;
        root.present().map_err(|e| other_error(format!("plot error: {e}")))
    }
}

impl LoadedSpectrum {
    fn kk_result(&self) -> &Result<KkResult, KkError> {
        self.kk.get_or_init(|| lin_kk(&self.spectrum))
    }
}

type DrawFn = fn(&DrawingArea<CanvasBackend, Shift>, &PlotData, &PlotStyle) -> Result<plot::PointPixels, PlotError>;

impl LoadedSpectrum {
    fn draw(&self, canvas: HtmlCanvasElement, scale: f64, draw: DrawFn) -> Result<plot::PointPixels, JsValue> {
        let backend =
            CanvasBackend::with_canvas_object(canvas).ok_or_else(|| other_error("this canvas has no 2D context"))?;
        let root = backend.into_drawing_area();
        let no_mask = Vec::new();
        let curves = self.curves.get_or_init(|| match &self.outcome {
            Some(outcome) => {
                let freq_hz = log_grid(self.spectrum.f_min(), self.spectrum.f_max(), CURVE_PER_DECADE);
                ModelCurves {
                    z: outcome.fit.model(&freq_hz),
                    at_data: outcome.fit.model(&self.spectrum.freq_hz),
                    freq_hz,
                }
            }
            None => ModelCurves::default(),
        });
        let data = PlotData {
            freq_hz: &self.spectrum.freq_hz,
            z: &self.spectrum.z,
            fitted_mask: self.outcome.as_ref().map_or(&no_mask, |o| &o.fit.fitted),
            curve_freq_hz: &curves.freq_hz,
            curve_z: &curves.z,
            model_at_data: &curves.at_data,
        };
        let located = draw(&root, &data, &plot_style(scale)).map_err(other_error)?;
        root.present().map_err(|e| other_error(format!("plot error: {e}")))?;
        Ok(located)
    }
}

#[wasm_bindgen]
impl LoadedSpectrum {
    /// The data and the latest fit as CSV (f, Z', Z'', fitted Z, residuals); throws when nothing is fitted yet.
    #[wasm_bindgen(js_name = fitTableCsv)]
    pub fn fit_table_csv(&self) -> Result<String, JsValue> {
        let outcome = self.outcome.as_ref().ok_or_else(|| {
            other_error(format!(
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

// ---------------------------------------------------------------------------
// Pressure series: what a file name says, the measurement order and branches, the
// summary per cycle, and the plot. The rules are the core's (src/series.rs).

fn from_js<T: serde::de::DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(value).map_err(|e| other_error(format!("{what}: {e}")))
}

/// The series key, run index and pressure (MPa) each file's name gives,
/// `[{series, run, pressure_mpa}]` (one call for a whole drop).
#[wasm_bindgen(js_name = describeNames)]
pub fn describe_names(file_names: Vec<String>) -> Result<JsValue, JsValue> {
    let described: Vec<series::NameInfo> = file_names.iter().map(|name| series::name_info(name)).collect();
    to_js(&described)
}

/// Measurement order, branch and cycle of each member (`{series, run, modified_ms, given,
/// pressure_mpa}`), in the order given: `[{series, order, cycle, branch}]`.
#[wasm_bindgen(js_name = placeSeries)]
pub fn place_series(members: JsValue) -> Result<JsValue, JsValue> {
    let members: Vec<series::Member> = from_js(members, "series members")?;
    to_js(&series::place(&members))
}

/// The numbers the study discusses, per cycle, of one series' points in measurement
/// order: `[{cycle, max_pressure_mpa, sigma_at_max, ..., lines}]`, `lines` being the
/// same numbers as sentences (typeset; the CLI prints them in ASCII).
#[wasm_bindgen(js_name = summariseSeries)]
pub fn summarise_series(points: JsValue) -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    struct Described {
        #[serde(flatten)]
        summary: series::CycleSummary,
        lines: Vec<String>,
    }
    let points: Vec<series::SeriesPoint> = from_js(points, "series points")?;
    let described: Vec<Described> = series::summarise(&points)
        .into_iter()
        .map(|summary| Described {
            lines: series::summary_lines(&summary, STYLE),
            summary,
        })
        .collect();
    to_js(&described)
}

/// A number as the settings form reads it (decimal comma allowed); throws the reason.
#[wasm_bindgen(js_name = parseNumber)]
pub fn parse_number(text: &str) -> Result<Option<f64>, JsValue> {
    settings::parse_number(text).map_err(|message| error_object("settings", &message, &[]))
}

fn plot_style(scale: f64) -> PlotStyle {
    PlotStyle {
        scale,
        font_family: "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif".to_string(),
        dark: false,
    }
}

/// σ_eff against pressure, every series, onto `canvas` (device pixels; `scale` = DPR).
#[wasm_bindgen(js_name = drawSeries)]
pub fn draw_series(canvas: HtmlCanvasElement, data: JsValue, scale: f64) -> Result<(), JsValue> {
    let data: series_plot::SeriesPlotData = from_js(data, "series plot")?;
    let backend =
        CanvasBackend::with_canvas_object(canvas).ok_or_else(|| other_error("this canvas has no 2D context"))?;
    let root = backend.into_drawing_area();
    series_plot::draw_series(&root, &data, &plot_style(scale)).map_err(other_error)?;
    root.present().map_err(|e| other_error(format!("plot error: {e}")))
}

/// The same plot as an SVG document (the page's SVG export).
#[wasm_bindgen(js_name = seriesSvg)]
pub fn series_svg(data: JsValue, width: u32, height: u32) -> Result<String, JsValue> {
    let data: series_plot::SeriesPlotData = from_js(data, "series plot")?;
    series_plot::series_svg(&data, width, height).map_err(other_error)
}

// ---------------------------------------------------------------------------
// The teaching explorer (src/explore/): the spectrum a pellet of given σ_eff and
// interfacial C·d/A shows, its plots, the σ–C·d/A map and the sentences. The values
// are clamped by the core, so a slider or a typed field can send anything.

/// The pellet (thickness, area, εr, particle size) the explorer takes from the
/// settings; settings that do not resolve give the default pellet, marked assumed.
fn explore_pellet(settings: JsValue) -> crate::explore::Pellet {
    let settings = read_settings(settings).map(|(_, s)| s).unwrap_or_default();
    crate::explore::Pellet::from_settings(&settings)
}

fn explored(input: JsValue, settings: JsValue) -> Result<crate::explore::Explored, JsValue> {
    let input: crate::explore::ExploreInput = from_js(input, "explorer values")?;
    crate::explore::explore(&input, &explore_pellet(settings), STYLE).map_err(other_error)
}

type ExploreDrawFn =
    fn(&crate::explore::Explored, &DrawingArea<CanvasBackend, Shift>, &PlotStyle) -> Result<(), PlotError>;

fn draw_explored(
    explored: &crate::explore::Explored,
    canvas: Option<HtmlCanvasElement>,
    scale: f64,
    draw: ExploreDrawFn,
) -> Result<(), JsValue> {
    let Some(canvas) = canvas else {
        return Ok(());
    };
    let backend =
        CanvasBackend::with_canvas_object(canvas).ok_or_else(|| other_error("this canvas has no 2D context"))?;
    let root = backend.into_drawing_area();
    draw(explored, &root, &plot_style(scale)).map_err(other_error)?;
    root.present().map_err(|e| other_error(format!("plot error: {e}")))
}

/// Each input's key, range, default and scale (`log` or `linear`): the sliders are built from it.
#[wasm_bindgen(js_name = exploreLimits)]
pub fn explore_limits() -> Result<JsValue, JsValue> {
    to_js(&crate::explore::LIMITS)
}

/// The one-click presets for the settings' pellet: `[{key, label, note, input}]`.
#[wasm_bindgen(js_name = explorePresets)]
pub fn explore_presets(settings: JsValue) -> Result<JsValue, JsValue> {
    to_js(&crate::explore::presets(&explore_pellet(settings)))
}

/// Makes the spectrum for `input` (`{sigma_s_per_cm, c_norm_f_per_cm, alpha, r1_share,
/// inductance_h, f_min_hz, f_max_hz, noise_rel}`) on the settings' pellet, draws its
/// Nyquist and Bode plots and the map onto the canvases given (any may be null;
/// device pixels, `scale` = DPR) and returns the numbers and sentences.
#[wasm_bindgen(js_name = exploreDraw)]
pub fn explore_draw(
    input: JsValue,
    settings: JsValue,
    nyquist: Option<HtmlCanvasElement>,
    bode: Option<HtmlCanvasElement>,
    map: Option<HtmlCanvasElement>,
    scale: f64,
) -> Result<JsValue, JsValue> {
    let explored = explored(input, settings)?;
    draw_explored(&explored, nyquist, scale, |e, root, style| e.draw_nyquist(root, style))?;
    draw_explored(&explored, bode, scale, |e, root, style| e.draw_bode(root, style))?;
    draw_explored(&explored, map, scale, |e, root, style| e.draw_map(root, style))?;
    to_js(&explored)
}

/// The spectrum for `input` as a CSV file the calculator reads (the truth in its comments).
#[wasm_bindgen(js_name = exploreCsv)]
pub fn explore_csv(input: JsValue, settings: JsValue) -> Result<String, JsValue> {
    Ok(explored(input, settings)?.csv())
}
