//! Any bytes, as a file of any name the page or the CLI may be given, read as
//! `LoadedSpectrum.fromBytes` reads it (with or without a column mapping): a spectrum,
//! or an error that names its line, and never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigmafit::spectrum::{ColumnMapping, decode_text, parse_spectrum_with};

const NAMES: [&str; 6] = ["fuzz.csv", "fuzz.txt", "fuzz.mpt", "fuzz.DTA", "fuzz.z", "fuzz.par"];
const MAPPINGS: [Option<&str>; 4] = [None, Some("f,re,-im"), Some("_,f,mod,-phase"), Some("f,_,re,im")];

fuzz_target!(|data: &[u8]| {
    let (first, bytes) = match data.split_first() {
        Some((first, rest)) => (usize::from(*first), rest),
        None => (0, data),
    };
    let name = NAMES[first % NAMES.len()];
    let mapping = MAPPINGS[(first / NAMES.len()) % MAPPINGS.len()].map(|m| ColumnMapping::parse(m).expect("a valid mapping"));
    match parse_spectrum_with(&decode_text(bytes), name, mapping.as_ref()) {
        Ok(spectrum) => {
            assert!(!spectrum.is_empty());
            assert!(spectrum.freq_hz.iter().all(|f| f.is_finite() && *f > 0.0));
            assert!(spectrum.z.iter().all(|z| z.re.is_finite() && z.im.is_finite()));
            assert!(spectrum.freq_hz.windows(2).all(|w| w[0] <= w[1]), "not sorted by frequency");
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
