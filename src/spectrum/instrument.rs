//! Instrument formats recognised by their content (not their extension): where the
//! impedance table of each one starts and ends, and which line names its columns.
//! The rows themselves are read by the table reader of the parent module.

use super::{Delim, ImportError};

/// Where an instrument file keeps its impedance table.
#[derive(Debug, Clone)]
pub(super) struct Table<'a> {
    /// The format's name as the user knows it ("Gamry .DTA").
    pub format: &'static str,
    /// 1-based line that names the columns.
    pub header_line: usize,
    /// The column names as written (without a key like `Definition=`).
    pub header: &'a str,
    /// 0-based index of the first line after the header that may hold a row.
    pub first: usize,
    /// 0-based index of the line that ends the table (exclusive).
    pub end: usize,
    /// The data rows' delimiter, when the format fixes it (else read from the first row).
    pub delim: Option<Delim>,
    /// Lines right below the header that are not rows (Gamry's units line).
    pub skip_after_header: usize,
    /// Rows at frequency 0 before the first impedance row are the format's DC records
    /// (Parstat writes its DC measurement into the same table).
    pub leading_dc_rows: bool,
}

fn trimmed<'a>(lines: &[&'a str], i: usize) -> &'a str {
    lines.get(i).map_or("", |l| l.trim())
}

fn first_content(lines: &[&str]) -> Option<usize> {
    lines.iter().position(|l| !l.trim().is_empty())
}

/// The instrument format of a file, if its content shows one; `Err` when it clearly is
/// that format but its table cannot be found.
pub(super) fn recognise<'a>(lines: &[&'a str], file: &str) -> Option<Result<Table<'a>, ImportError>> {
    let start = first_content(lines)?;
    let first = trimmed(lines, start);
    if first.starts_with("EC-Lab ASCII FILE") || first.starts_with("BT-Lab ASCII FILE") {
        return Some(biologic(lines, start, file));
    }
    if first == "EXPLAIN" && lines.iter().any(|l| l.starts_with("TAG\t")) {
        return Some(gamry(lines, file));
    }
    if first.starts_with("ZPLOT") && first.contains("ASCII") {
        return Some(zplot(lines, file));
    }
    if first.starts_with('"') && first.contains("Data File: Version") {
        return Some(autolab(lines, start, file));
    }
    if first == "<Application>" || lines.iter().take(2000).any(|l| l.trim() == "<Segment1>") {
        return Some(versastudio(lines, file));
    }
    if first.starts_with("Potential (V)") && first.contains("Frequency (Hz)") && first.contains("Zre") {
        return Some(Ok(Table {
            format: "Parstat text",
            header_line: start + 1,
            header: first,
            first: start + 1,
            end: lines.len(),
            delim: Some(Delim::Tab),
            skip_after_header: 0,
            leading_dc_rows: true,
        }));
    }
    if let Some(table) = ch_instruments(lines, start) {
        return Some(Ok(table));
    }
    let powersuite: Vec<&str> = first.split('\t').map(str::trim).collect();
    if powersuite == ["Frequency", "Zre", "Zimg"] {
        return Some(Ok(Table {
            format: "PowerSuite text",
            header_line: start + 1,
            header: first,
            first: start + 1,
            end: lines.len(),
            delim: Some(Delim::Tab),
            skip_after_header: 0,
            leading_dc_rows: false,
        }));
    }
    None
}

fn missing(file: &str, format: &str, line: Option<usize>, what: String) -> ImportError {
    ImportError::new(file, line, None, format!("read as {format}: {what}"))
}

/// EC-Lab text export: line 2 says how many lines the header has; the last of them
/// names the columns (tab-separated, `freq/Hz`, `Re(Z)/Ohm`, `-Im(Z)/Ohm`, ...).
fn biologic<'a>(lines: &[&'a str], start: usize, file: &str) -> Result<Table<'a>, ImportError> {
    const FORMAT: &str = "BioLogic EC-Lab .mpt";
    let count_line = start + 1;
    let count = trimmed(lines, count_line)
        .strip_prefix("Nb header lines")
        .and_then(|rest| rest.trim_start().strip_prefix(':'))
        .and_then(|n| n.trim().parse::<usize>().ok());
    let Some(count) = count.filter(|&n| n >= 2 && start + n <= lines.len()) else {
        return Err(missing(
            file,
            FORMAT,
            Some(count_line + 1),
            format!(
                "expected \"Nb header lines : N\" (N within the file's {} lines), found {}",
                lines.len(),
                super::quote(trimmed(lines, count_line))
            ),
        ));
    };
    let header_index = start + count - 1;
    Ok(Table {
        format: FORMAT,
        header_line: header_index + 1,
        header: trimmed(lines, header_index),
        first: header_index + 1,
        end: lines.len(),
        delim: Some(Delim::Tab),
        skip_after_header: 0,
        leading_dc_rows: false,
    })
}

/// Gamry Framework: tagged lines; the impedance is the `ZCURVE TABLE`, a line of names,
/// a line of units, then rows that start with a tab.
fn gamry<'a>(lines: &[&'a str], file: &str) -> Result<Table<'a>, ImportError> {
    const FORMAT: &str = "Gamry .DTA";
    let Some(tag) = lines
        .iter()
        .position(|l| l.starts_with("ZCURVE\t") || l.trim() == "ZCURVE")
    else {
        return Err(missing(
            file,
            FORMAT,
            None,
            "no ZCURVE table (the impedance data of an EIS experiment) was found".to_string(),
        ));
    };
    let header_index = tag + 1;
    let first = header_index + 1;
    let end = lines
        .iter()
        .enumerate()
        .skip(first + 1)
        .find(|(_, l)| !l.starts_with('\t'))
        .map_or(lines.len(), |(i, _)| i);
    Ok(Table {
        format: FORMAT,
        header_line: header_index + 1,
        header: trimmed(lines, header_index),
        first,
        end,
        delim: Some(Delim::Tab),
        skip_after_header: 1,
        leading_dc_rows: false,
    })
}

/// Scribner ZPlot: a block of settings ending in `End Comments`; the line above it
/// names the columns (`Freq(Hz) Ampl Bias Time(Sec) Z'(a) Z''(b) ...`).
fn zplot<'a>(lines: &[&'a str], file: &str) -> Result<Table<'a>, ImportError> {
    const FORMAT: &str = "ZPlot .z";
    let Some(end_comments) = lines.iter().position(|l| l.trim() == "End Comments") else {
        return Err(missing(
            file,
            FORMAT,
            None,
            "no \"End Comments\" line, which ends the header of a ZPlot file".to_string(),
        ));
    };
    let Some(header_index) = (0..end_comments).rev().find(|&i| !trimmed(lines, i).is_empty()) else {
        return Err(missing(
            file,
            FORMAT,
            Some(end_comments + 1),
            "no line naming the columns above \"End Comments\"".to_string(),
        ));
    };
    Ok(Table {
        format: FORMAT,
        header_line: header_index + 1,
        header: trimmed(lines, header_index),
        first: end_comments + 1,
        end: lines.len(),
        delim: None,
        skip_after_header: 0,
        leading_dc_rows: false,
    })
}

/// Autolab (ZView-style) ASCII: quoted title lines, a line of settings, the number of
/// points, then the column names in one quoted field and comma-separated rows.
fn autolab<'a>(lines: &[&'a str], start: usize, file: &str) -> Result<Table<'a>, ImportError> {
    const FORMAT: &str = "Autolab ASCII";
    let header_index = (start + 1..lines.len()).find(|&i| {
        let line = trimmed(lines, i);
        line.starts_with('"') && line.to_ascii_lowercase().contains("freq")
    });
    let Some(header_index) = header_index else {
        return Err(missing(
            file,
            FORMAT,
            None,
            "no quoted line naming the columns (\"Freq (Hz) ... Z'(a) Z''(b)\")".to_string(),
        ));
    };
    let header = trimmed(lines, header_index).trim_matches('"').trim();
    Ok(Table {
        format: FORMAT,
        header_line: header_index + 1,
        header,
        first: header_index + 1,
        end: lines.len(),
        delim: Some(Delim::Comma),
        skip_after_header: 0,
        leading_dc_rows: false,
    })
}

/// VersaStudio .par: INI-like sections; `<Segment1>` holds `Definition=` (the column
/// names) and the rows, up to `</Segment1>`.
fn versastudio<'a>(lines: &[&'a str], file: &str) -> Result<Table<'a>, ImportError> {
    const FORMAT: &str = "VersaStudio .par";
    let Some(open) = lines.iter().position(|l| l.trim() == "<Segment1>") else {
        return Err(missing(
            file,
            FORMAT,
            None,
            "no <Segment1> section, which holds the measured data".to_string(),
        ));
    };
    let close = lines
        .iter()
        .enumerate()
        .skip(open)
        .find(|(_, l)| l.trim() == "</Segment1>")
        .map_or(lines.len(), |(i, _)| i);
    let definition = (open + 1..close).find_map(|i| trimmed(lines, i).strip_prefix("Definition=").map(|d| (i, d)));
    let Some((header_index, header)) = definition else {
        return Err(missing(
            file,
            FORMAT,
            Some(open + 1),
            "no Definition= line naming the columns in <Segment1>".to_string(),
        ));
    };
    Ok(Table {
        format: FORMAT,
        header_line: header_index + 1,
        header,
        first: header_index + 1,
        end: close,
        delim: Some(Delim::Comma),
        skip_after_header: 0,
        leading_dc_rows: false,
    })
}

/// CH Instruments: a date, the technique ("A.C. Impedance"), settings, then
/// `Freq/Hz, Z'/ohm, Z"/ohm, Z/ohm, Phase/deg` and comma-separated rows.
fn ch_instruments<'a>(lines: &[&'a str], start: usize) -> Option<Table<'a>> {
    let top = start..lines.len().min(start + 40);
    let is_chi = top.clone().any(|i| trimmed(lines, i) == "A.C. Impedance")
        && top.clone().any(|i| trimmed(lines, i).starts_with("Instrument Model:"));
    if !is_chi {
        return None;
    }
    let header_index = (start..lines.len()).find(|&i| trimmed(lines, i).starts_with("Freq/Hz"))?;
    Some(Table {
        format: "CH Instruments text",
        header_line: header_index + 1,
        header: trimmed(lines, header_index),
        first: header_index + 1,
        end: lines.len(),
        delim: Some(Delim::Comma),
        skip_after_header: 0,
        leading_dc_rows: false,
    })
}
