#![no_main]
//! The webp container walker must never panic, whatever the bytes.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = phiscrub::metadata::webp::examine(data);
});
