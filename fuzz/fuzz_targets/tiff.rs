#![no_main]
//! The tiff container walker must never panic, whatever the bytes.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = phiscrub::metadata::tiff::examine(data);
});
