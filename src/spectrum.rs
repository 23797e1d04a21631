//! TEMPORARY stub until the importer lands.
use num_complex::Complex64;
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImagConvention { SignedFromHeader, NegatedFromHeader, SignedByShape, NegatedByShape, FromModulusPhase }
impl ImagConvention { pub fn describe(&self) -> &'static str { "stub" } }
#[derive(Debug, Clone, serde::Serialize)]
pub struct Spectrum { pub name: String, pub freq_hz: Vec<f64>, pub z: Vec<Complex64>, pub source_line: Vec<usize>, pub imag_convention: ImagConvention, pub warnings: Vec<String> }
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ImportError { pub file: String, pub line: Option<usize>, pub column: Option<usize>, pub message: String }
impl std::fmt::Display for ImportError { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { write!(f, "{}: {}", self.file, self.message) } }
impl std::error::Error for ImportError {}
impl Spectrum {
    pub fn len(&self) -> usize { self.freq_hz.len() }
    pub fn is_empty(&self) -> bool { self.freq_hz.is_empty() }
    pub fn f_min(&self) -> f64 { self.freq_hz[0] }
    pub fn f_max(&self) -> f64 { self.freq_hz[self.freq_hz.len()-1] }
    pub fn from_points(name: &str, freq_hz: &[f64], z: &[Complex64]) -> Result<Spectrum, ImportError> {
        let mut idx: Vec<usize> = (0..freq_hz.len()).collect();
        idx.sort_by(|a, b| freq_hz[*a].total_cmp(&freq_hz[*b]));
        Ok(Spectrum { name: name.into(), freq_hz: idx.iter().map(|&i| freq_hz[i]).collect(), z: idx.iter().map(|&i| z[i]).collect(), source_line: vec![0; freq_hz.len()], imag_convention: ImagConvention::SignedFromHeader, warnings: vec![] })
    }
}
pub fn parse_spectrum(text: &str, file_name: &str) -> Result<Spectrum, ImportError> {
    let mut f = vec![]; let mut z = vec![];
    for line in text.lines().skip(1) { let v: Vec<f64> = line.split(',').map(|s| s.trim().parse().unwrap_or(f64::NAN)).collect(); if v.len() >= 3 { f.push(v[0]); z.push(Complex64::new(v[1], v[2])); } }
    Spectrum::from_points(file_name, &f, &z)
}
