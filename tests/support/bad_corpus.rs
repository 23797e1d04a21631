//! The bad-input corpus of tests/data/bad, shared by the native test (tests/bad_corpus.rs)
//! and the WebAssembly one (tests/web_bad_corpus.rs): the files, embedded at compile time
//! because the wasm tests cannot read the disk, and the check of an import's outcome
//! against tests/data/bad/expected.json. The native test checks that the list below
//! names exactly the files of the directory.

/// The embedded files, `(name, bytes)`.
macro_rules! corpus {
    ($($name:literal,)*) => {
        pub const CORPUS: &[(&str, &[u8])] = &[$(
            ($name, include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/bad/", $name))),
        )*];
    };
}

corpus![
    "all_zero.csv",
    "ambiguous_decimal_comma.csv",
    "biologic_bad_header_count.mpt",
    "constant_frequency.csv",
    "cr_only_line_endings.csv",
    "empty.csv",
    "extra_text_column.csv",
    "four_distinct_frequencies.csv",
    "four_points.csv",
    "gamry_without_zcurve.DTA",
    "gzip_compressed.csv.gz",
    "header_not_recognised.csv",
    "header_only.csv",
    "header_without_frequency.csv",
    "html_after_blank_lines.csv",
    "html_page.csv",
    "inf_value.csv",
    "jpeg_image.jpg",
    "latin1_header.csv",
    "long_title_line.csv",
    "mixed_delimiters.csv",
    "modulus_phase_degrees.csv",
    "nan_value.csv",
    "negative_frequency_last_row.csv",
    "negative_modulus.csv",
    "non_numeric_first_row.csv",
    "non_numeric_last_row.csv",
    "nul_byte.csv",
    "only_comments.csv",
    "overflow_1e999.csv",
    "parstat_zero_frequency_after_data.txt",
    "png_image.csv",
    "quoted_decimal_commas.csv",
    "quoted_semicolon_decimal_commas.csv",
    "ragged_long_row.csv",
    "ragged_short_row.csv",
    "random_row_order.csv",
    "semicolon_decimal_commas.csv",
    "text_column_in_the_middle.txt",
    "text_column_unknown_header.csv",
    "text_footer.csv",
    "thousands_separator.csv",
    "title_lines_and_units.csv",
    "two_columns.csv",
    "two_columns_with_header.csv",
    "underflow_1e-320.csv",
    "utf16be_bom.csv",
    "utf16le_bom.csv",
    "utf8_bom_crlf.csv",
    "whitespace_only.csv",
    "xlsx_workbook.xlsx",
    "zero_frequency.csv",
    "zero_impedance.csv",
];

/// File name -> expected outcome.
pub const EXPECTED_JSON: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/bad/expected.json"));

/// What an import gave, as the corpus describes outcomes.
#[derive(Debug)]
pub enum Outcome {
    Imported {
        points: usize,
        /// f, Z', Z'' of the lowest frequency.
        lowest: [f64; 3],
    },
    Refused {
        line: Option<usize>,
        column: Option<usize>,
        message: String,
        /// "invalid" or "columns_not_recognised".
        kind: String,
    },
}

fn optional_usize(value: &serde_json::Value) -> Option<usize> {
    value.as_u64().map(|v| v as usize)
}

/// Whether `outcome` is what the manifest expects of `name`; the reason when not.
pub fn check(name: &str, outcome: &Outcome, manifest: &serde_json::Value) -> Result<(), String> {
    let expected = manifest
        .get(name)
        .ok_or_else(|| format!("{name}: not in expected.json"))?;
    match (outcome, expected.get("ok"), expected.get("error")) {
        (Outcome::Imported { points, lowest }, Some(ok), None) => {
            let want_points = optional_usize(&ok["points"]);
            if want_points != Some(*points) {
                return Err(format!("{name}: {points} points, expected {want_points:?}"));
            }
            for (i, got) in lowest.iter().enumerate() {
                let want = ok["lowest"][i].as_f64().unwrap_or(f64::NAN);
                if (got - want).abs() > 1e-12 * want.abs().max(1.0) {
                    return Err(format!("{name}: lowest point value {i} is {got}, expected {want}"));
                }
            }
            Ok(())
        }
        (
            Outcome::Refused {
                line,
                column,
                message,
                kind,
            },
            None,
            Some(error),
        ) => {
            let want = (optional_usize(&error["line"]), optional_usize(&error["column"]));
            let contains = error["contains"].as_str().unwrap_or_default();
            let want_kind = error["kind"].as_str().unwrap_or("invalid");
            if (*line, *column) != want || !message.contains(contains) || kind != want_kind {
                return Err(format!(
                    "{name}: refused at line {line:?}, column {column:?} ({kind}): {message}; expected line {:?}, column {:?} ({want_kind}), a message containing {contains:?}",
                    want.0, want.1
                ));
            }
            Ok(())
        }
        _ => Err(format!("{name}: {outcome:?}, expected {expected}")),
    }
}
