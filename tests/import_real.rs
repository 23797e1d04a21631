//! Imports the real measured spectra in tests/data/real and checks them against
//! manifest.json and against the raw file values.

use sigmafit::spectrum::{ImagConvention, Spectrum, decode_text, parse_spectrum};
use std::path::{Path, PathBuf};

const SPECTRA_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/real");

/// (name, n) as listed in manifest.json; the test also checks the manifest agrees.
const EXPECTED_COUNTS: [(&str, usize); 11] = [
    ("li_ion_cell_exampleData", 66),
    ("battery_autolab", 41),
    ("dummy_R_RC_circuit2", 56),
    ("dummy_R_RC_circuit3", 53),
    ("gamry_arc_tail", 72),
    ("chi_capacitive_tail", 73),
    ("versastudio_two_arcs", 61),
    ("powersuite_highZ_MHz", 30),
    ("biologic_lsc_thin_film", 43),
    ("parstat_inductive_battery", 31),
    ("dummy_R_RC_circuit1", 48),
];

struct ManifestEntry {
    n: usize,
    fmin: f64,
    fmax: f64,
}

fn dir() -> PathBuf {
    PathBuf::from(SPECTRA_DIR)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The number after `"key": ` within `obj`.
fn json_number(obj: &str, key: &str) -> f64 {
    let pat = format!("\"{key}\":");
    let start = obj.find(&pat).unwrap_or_else(|| panic!("no {key} in {obj}")) + pat.len();
    let rest = obj[start..].trim_start();
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || "+-.eE".contains(c)))
        .unwrap_or(rest.len());
    rest[..end].parse().unwrap()
}

/// Entry of manifest.json for `name`, found with a few string operations.
fn manifest_entry(manifest: &str, name: &str) -> ManifestEntry {
    let tag = format!("\"name\": \"{name}\"");
    let start = manifest.find(&tag).unwrap_or_else(|| panic!("{name} not in manifest"));
    let obj = &manifest[start..];
    let obj = &obj[..obj.find('}').unwrap()];
    ManifestEntry {
        n: json_number(obj, "n") as usize,
        fmin: json_number(obj, "fmin"),
        fmax: json_number(obj, "fmax"),
    }
}

/// Rows of a headered `freq_Hz,Zreal_ohm,Zimag_ohm` file, read naively.
fn raw_rows(text: &str) -> Vec<[f64; 3]> {
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Vec<f64> = l.split(',').map(|x| x.trim().parse().unwrap()).collect();
            [v[0], v[1], v[2]]
        })
        .collect()
}

fn rel_close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

fn check_against_raw(s: &Spectrum, raw: &[[f64; 3]]) {
    assert_eq!(s.len(), raw.len(), "{}", s.name);
    let mut sorted = raw.to_vec();
    sorted.sort_by(|a, b| a[0].total_cmp(&b[0]));
    for (i, row) in sorted.iter().enumerate() {
        assert_eq!(s.freq_hz[i], row[0], "{} point {i}", s.name);
        assert_eq!(s.z[i].re, row[1], "{} point {i}", s.name);
        assert_eq!(s.z[i].im, row[2], "{} point {i}: imag sign as in the file", s.name);
    }
}

#[test]
fn every_real_csv_parses_and_matches_the_manifest() {
    let manifest = read(&dir().join("manifest.json"));
    let mut seen = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir())
        .expect("tests/data/real must be in the repository")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    entries.sort();
    assert!(entries.len() >= EXPECTED_COUNTS.len());

    for path in &entries {
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let stem = file.trim_end_matches(".csv");
        // An original instrument file that is itself CSV belongs to its spectrum.
        let name = stem.split("__orig__").next().unwrap();
        let is_orig = name != stem;
        let entry = manifest_entry(&manifest, name);
        let expected = EXPECTED_COUNTS
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("unexpected spectrum {name}"))
            .1;
        assert_eq!(entry.n, expected, "manifest count for {name}");

        let text = read(path);
        let s = parse_spectrum(&text, &file).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.name, file);
        assert_eq!(s.len(), entry.n, "{file}");
        assert!(
            s.freq_hz.windows(2).all(|w| w[0] < w[1]),
            "{file}: frequencies ascending"
        );
        assert!(rel_close(s.f_min(), entry.fmin), "{file}: fmin {}", s.f_min());
        assert!(rel_close(s.f_max(), entry.fmax), "{file}: fmax {}", s.f_max());
        assert!(s.warnings.is_empty(), "{file}: {:?}", s.warnings);
        if is_orig {
            // Headerless; the shape must keep the signed values.
            assert_eq!(s.imag_convention, ImagConvention::SignedByShape, "{file}");
        } else {
            assert_eq!(s.imag_convention, ImagConvention::SignedFromHeader, "{file}");
            check_against_raw(&s, &raw_rows(&text));
            seen.push(name.to_string());
        }
    }
    seen.sort();
    let mut want: Vec<String> = EXPECTED_COUNTS.iter().map(|(n, _)| n.to_string()).collect();
    want.sort();
    assert_eq!(seen, want);
}

/// Drops the header line and writes the third column as its negative.
fn headerless_negated(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let mut parts = line.split(',');
        let (f, re, im) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap().trim(),
        );
        let neg = match im.strip_prefix('-') {
            Some(pos) => pos.to_string(),
            None => format!("-{}", im.trim_start_matches('+')),
        };
        out.push_str(&format!("{f},{re},{neg}\n"));
    }
    out
}

#[test]
fn headerless_negated_real_spectra_are_flipped_back() {
    for name in ["dummy_R_RC_circuit2", "li_ion_cell_exampleData", "battery_autolab"] {
        let text = read(&dir().join(format!("{name}.csv")));
        let original = parse_spectrum(&text, name).unwrap();
        let flipped = headerless_negated(&text);
        let s = parse_spectrum(&flipped, name).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.imag_convention, ImagConvention::NegatedByShape, "{name}");
        assert_eq!(s.len(), original.len(), "{name}");
        assert_eq!(s.freq_hz, original.freq_hz, "{name}");
        assert_eq!(s.z, original.z, "{name}: values equal the original");
        // Source lines move up by one: the header line was removed.
        let shifted: Vec<usize> = original.source_line.iter().map(|l| l - 1).collect();
        assert_eq!(s.source_line, shifted, "{name}");
        check_against_raw(&s, &raw_rows(&text));
    }
}

#[test]
fn headerless_signed_real_spectra_are_kept() {
    for (name, _) in EXPECTED_COUNTS {
        let text = read(&dir().join(format!("{name}.csv")));
        let headerless: String = text.lines().skip(1).map(|l| format!("{l}\n")).collect();
        let s = parse_spectrum(&headerless, name).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.imag_convention, ImagConvention::SignedByShape, "{name}");
        check_against_raw(&s, &raw_rows(&text));
    }
}

/// Each original instrument file (`<name>__orig__<file>`), read by content from its raw
/// bytes, and the format it must be recognised as.
const ORIGINALS: [(&str, &str); 11] = [
    ("battery_autolab__orig__exampleDataAutolab.txt", "Autolab ASCII"),
    (
        "biologic_lsc_thin_film__orig__exampleDataBioLogic.mpt",
        "BioLogic EC-Lab .mpt",
    ),
    (
        "chi_capacitive_tail__orig__exampleDataCHInstruments.txt",
        "CH Instruments text",
    ),
    ("dummy_R_RC_circuit1__orig__Circuit1_EIS_1.z", "ZPlot .z"),
    ("dummy_R_RC_circuit2__orig__Circuit2_EIS_1.z", "ZPlot .z"),
    ("dummy_R_RC_circuit3__orig__Circuit3_EIS_1.z", "ZPlot .z"),
    ("gamry_arc_tail__orig__exampleDataGamry.DTA", "Gamry .DTA"),
    ("li_ion_cell_exampleData__orig__exampleData.csv", "delimited text"),
    (
        "parstat_inductive_battery__orig__exampleDataParstat.txt",
        "Parstat text",
    ),
    (
        "powersuite_highZ_MHz__orig__exampleDataPowersuite.txt",
        "PowerSuite text",
    ),
    (
        "versastudio_two_arcs__orig__exampleDataVersaStudio.par",
        "VersaStudio .par",
    ),
];

/// |a - b| within 1e-9 of the larger magnitude (the CSVs round to 10 significant digits).
fn assert_close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() <= 1e-9 * a.abs().max(b.abs()), "{what}: {a} vs {b}");
}

#[test]
fn every_original_imports_to_the_points_of_its_csv() {
    let mut originals: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.contains("__orig__"))
        .collect();
    originals.sort();
    let listed: Vec<&str> = ORIGINALS.iter().map(|(n, _)| *n).collect();
    assert_eq!(originals, listed, "every original in tests/data/real is checked");

    for (file, format) in ORIGINALS {
        let bytes = std::fs::read(dir().join(file)).unwrap();
        // A neutral name: the format must be recognised by content, not by extension.
        let s = parse_spectrum(&decode_text(&bytes), "upload.dat").unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(s.format, format, "{file}");
        let name = file.split("__orig__").next().unwrap();
        let mut rows = raw_rows(&read(&dir().join(format!("{name}.csv"))));
        rows.sort_by(|a, b| a[0].total_cmp(&b[0]));
        assert_eq!(s.len(), rows.len(), "{file}");
        for (i, row) in rows.iter().enumerate() {
            assert_close(s.freq_hz[i], row[0], &format!("{file} point {i} f"));
            assert_close(s.z[i].re, row[1], &format!("{file} point {i} Z'"));
            assert_close(s.z[i].im, row[2], &format!("{file} point {i} Z''"));
        }
    }
}

#[test]
fn parstat_dc_rows_are_skipped_with_a_note() {
    let file = "parstat_inductive_battery__orig__exampleDataParstat.txt";
    let text = read(&dir().join(file));
    // Line 1 names the columns; the rows at 0 Hz run up to the first impedance row.
    let first_impedance = text
        .lines()
        .skip(1)
        .position(|l| l.split('\t').nth(3) != Some("0"))
        .unwrap()
        + 2;
    let s = parse_spectrum(&text, file).unwrap();
    let note = format!(
        "{} rows at frequency 0 (lines 2 to {})",
        first_impedance - 2,
        first_impedance - 1
    );
    assert!(
        s.warnings.iter().any(|w| w.contains(&note) && w.contains("DC")),
        "{:?}",
        s.warnings
    );
}

#[test]
fn biologic_header_is_read_as_latin1() {
    let file = "biologic_lsc_thin_film__orig__exampleDataBioLogic.mpt";
    let bytes = std::fs::read(dir().join(file)).unwrap();
    assert!(std::str::from_utf8(&bytes).is_err(), "the file is not UTF-8");
    let text = decode_text(&bytes);
    // "Cs/µF" in the column names: µ is the Latin-1 byte 0xB5.
    assert!(text.contains("Cs/\u{b5}F"), "µ decoded");
    let s = parse_spectrum(&text, file).unwrap();
    // The -Im(Z) column holds -Z'': its first value 3.8998979E-001 is Im Z = -0.38998979.
    assert_eq!(s.imag_convention, ImagConvention::NegatedFromHeader);
}

#[test]
fn a_broken_instrument_file_names_its_format_and_line() {
    let bytes = std::fs::read(dir().join("gamry_arc_tail__orig__exampleDataGamry.DTA")).unwrap();
    let text = decode_text(&bytes).into_owned();
    // The third impedance row's Zreal: line 451, the 4th value after the leading tab.
    let broken = text.replacen("\t2\t5\t126234.4\t1401.721\t", "\t2\t5\t126234.4\t1401.721x\t", 1);
    assert_ne!(broken, text, "the row exists");
    let e = parse_spectrum(&broken, "g.DTA").unwrap_err();
    assert_eq!((e.line, e.column), (Some(451), Some(4)), "{e}");
    assert!(e.message.starts_with("read as Gamry .DTA:"), "{e}");
    assert!(e.message.contains("1401.721x"), "{e}");
}
