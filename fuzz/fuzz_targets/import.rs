//! Any bytes, as a file of any name the page or the CLI may be given: the import
//! returns a spectrum or an error that names its line, and never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigmafit::spectrum::{decode_text, parse_spectrum};

const NAMES: [&str; 6] = ["fuzz.csv", "fuzz.txt", "fuzz.mpt", "fuzz.DTA", "fuzz.z", "fuzz.par"];

fuzz_target!(|data: &[u8]| {
    let (name, bytes) = match data.split_first() {
        Some((first, rest)) => (NAMES[usize::from(*first) % NAMES.len()], rest),
        None => (NAMES[0], data),
    };
    match parse_spectrum(&decode_text(bytes), name) {
        Ok(spectrum) => {
            assert!(spectrum.len() >= 1);
            assert!(spectrum.freq_hz.iter().all(|f| f.is_finite() && *f > 0.0));
            assert!(spectrum.z.iter().all(|z| z.re.is_finite() && z.im.is_finite()));
            assert!(spectrum.freq_hz.windows(2).all(|w| w[0] <= w[1]), "not sorted by frequency");
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
