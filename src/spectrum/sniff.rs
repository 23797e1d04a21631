//! What a file's bytes are before they are read as a table: their text encoding, and
//! the kinds of file that are not text at all (images, archives, web pages), which are
//! refused with a message that says what they are instead of a puzzling parse error.

use super::ImportError;
use std::borrow::Cow;

/// Largest file read, in bytes (20 MB: a spectrum of [`super::MAX_POINTS`] points with
/// twenty columns fits in it). Larger files are refused before they are parsed.
pub const MAX_FILE_BYTES: usize = 20_000_000;

/// A file's bytes as text, without a leading byte-order mark: UTF-8 when they are valid
/// UTF-8 (borrowed, not copied), UTF-16 when a UTF-16 byte-order mark says so, and
/// Latin-1 otherwise (EC-Lab and Gamry write their headers in a Windows code page, µ and °
/// as single bytes; each byte is then one character, so no byte is lost).
pub fn decode_text(bytes: &[u8]) -> Cow<'_, str> {
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return Cow::Owned(utf16(rest, u16::from_le_bytes));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return Cow::Owned(utf16(rest, u16::from_be_bytes));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
    }
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// Refuses text that is too large or is not a text table at all, saying what it is.
pub(super) fn refuse_non_table(text: &str, file: &str) -> Result<(), ImportError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(ImportError::new(
            file,
            None,
            None,
            format!(
                "the file is {:.1} MB; at most {} MB are read (a spectrum needs far less: 20 000 points of three columns are about 1 MB)",
                text.len() as f64 / 1e6,
                MAX_FILE_BYTES / 1_000_000
            ),
        ));
    }
    // Signatures of files that are often dropped by mistake. After Latin-1 decoding each
    // byte is one character, so the magic bytes show as these characters.
    const SIGNATURES: &[(&str, &str)] = &[
        ("\u{89}PNG", "a PNG image"),
        ("\u{1f}\u{8b}", "a gzip-compressed file (unpack it first)"),
        (
            "PK\u{3}\u{4}",
            "a zip archive or an Excel .xlsx workbook (save the sheet as CSV)",
        ),
        ("%PDF", "a PDF document"),
        ("\u{ff}\u{d8}\u{ff}", "a JPEG image"),
        (
            "\u{d0}\u{cf}\u{11}\u{e0}",
            "an old Excel .xls or Word file (save the sheet as CSV)",
        ),
    ];
    for (magic, what) in SIGNATURES {
        if text.starts_with(magic) {
            return Err(ImportError::new(
                file,
                Some(1),
                Some(1),
                format!("this is {what}, not a text table; expected rows of frequency, Z' and Z''"),
            ));
        }
    }
    if let Some(offset) = text.find('\0') {
        let (line, column) = line_and_column(text, offset);
        return Err(ImportError::new(
            file,
            Some(line),
            Some(column),
            "found a NUL byte: this is a binary file (or UTF-16 text without a byte-order mark; save it as UTF-8), not a text table".to_string(),
        ));
    }
    let head: String = text
        .trim_start()
        .chars()
        .take(15)
        .collect::<String>()
        .to_ascii_lowercase();
    if head.starts_with("<!doctype html") || head.starts_with("<html") {
        let offset = text.len() - text.trim_start().len();
        let (line, column) = line_and_column(text, offset);
        return Err(ImportError::new(
            file,
            Some(line),
            Some(column),
            "this is an HTML web page (a download link saved instead of the file?), not a text table".to_string(),
        ));
    }
    Ok(())
}

/// 1-based line and character column of a byte offset (line breaks LF, CRLF or CR).
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let mut line = 1;
    let mut line_start = 0;
    let bytes = before.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let crlf_first_half = b == b'\r' && bytes.get(i + 1) == Some(&b'\n');
        if (b == b'\n' || b == b'\r') && !crlf_first_half {
            line += 1;
            line_start = i + 1;
        }
    }
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_utf16_both_ways_and_latin1() {
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("f,µ\n".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode_text(&le), "f,µ\n");
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("f,µ\n".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode_text(&be), "f,µ\n");
        assert_eq!(decode_text(b"Cs/\xB5F"), "Cs/µF");
        assert_eq!(decode_text("\u{feff}a".as_bytes()), "a");
    }

    #[test]
    fn nul_position_counts_lines_and_characters() {
        assert_eq!(line_and_column("ab\r\ncd\re\0", 8), (3, 2));
        assert_eq!(line_and_column("\0", 0), (1, 1));
    }
}
