#![no_main]
//! The PNG walker and lossless rewrite: never panic; a rewrite of anything
//! the walker accepts carries no hazard and keeps the image data.
use libfuzzer_sys::fuzz_target;
use phiscrub::metadata::png;

fuzz_target!(|data: &[u8]| {
    if png::examine(data).is_err() {
        return;
    }
    for keep_icc in [true, false] {
        let out = png::strip(data, keep_icc).expect("strip fails on a file examine accepted");
        let c = png::examine(&out).expect("the rewrite does not parse");
        assert!(c.hazards.is_empty(), "rewrite keeps {:?}", c.hazards);
        assert_eq!(png::image_data(&out).unwrap(), png::image_data(data).unwrap());
    }
});
