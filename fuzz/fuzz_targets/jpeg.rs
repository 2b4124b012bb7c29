#![no_main]
//! The JPEG walker and lossless rewrite: never panic; a rewrite of anything
//! the walker accepts carries no hazard and keeps the scans byte for byte.
use libfuzzer_sys::fuzz_target;
use phiscrub::metadata::jpeg;

fuzz_target!(|data: &[u8]| {
    if jpeg::examine(data).is_err() {
        return;
    }
    for keep_icc in [true, false] {
        let out = jpeg::strip(data, keep_icc).expect("strip fails on a file examine accepted");
        let c = jpeg::examine(&out).expect("the rewrite does not parse");
        assert!(c.hazards.is_empty(), "rewrite keeps {:?}", c.hazards);
        assert_eq!(jpeg::scan_data(&out).unwrap(), jpeg::scan_data(data).unwrap());
    }
});
