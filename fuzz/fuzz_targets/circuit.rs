//! Any text as a circuit string: a circuit, or an error that says where; never a
//! panic and never a stack overflow, however deep the nesting.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigmafit::preset::CircuitChoice;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match CircuitChoice::parse(text) {
        Ok(CircuitChoice::Custom(circuit)) => {
            // What was parsed prints and parses again to the same circuit.
            let again = CircuitChoice::parse(circuit.text()).expect("a parsed circuit's own text parses");
            match again {
                CircuitChoice::Custom(c) => assert_eq!(c.text(), circuit.text()),
                other => panic!("{} parsed again as {other:?}", circuit.text()),
            }
        }
        Ok(_) => {}
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
