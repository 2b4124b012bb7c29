#![no_main]
//! The JPEG walker: never panics, and what it accepts has readable scans.
//! (Outputs are rebuilt by libjpeg from the coefficients, see `rebuild.rs`;
//! the `scrub_metadata_only` target reaches that path.)
use libfuzzer_sys::fuzz_target;
use phiscrub::metadata::jpeg;

fuzz_target!(|data: &[u8]| {
    if jpeg::examine(data).is_ok() {
        jpeg::scan_data(data).expect("scan_data fails on a file examine accepted");
    }
});
