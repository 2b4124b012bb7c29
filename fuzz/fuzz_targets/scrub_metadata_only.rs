#![no_main]
//! The whole metadata-only scrub path, no network loaded (sniff, walk,
//! decode with limits, orientation, encode or rewrite, verification): never
//! panic, and whatever it exports carries no hazard and one picture.
use libfuzzer_sys::fuzz_target;
use phiscrub::{Config, Scrubber};
use std::sync::OnceLock;

static SCRUBBER: OnceLock<Scrubber> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let s = SCRUBBER.get_or_init(|| {
        Scrubber::new(Config {
            // Small limits keep each run fast and memory bounded.
            max_pixels: 1 << 20,
            ..Config::metadata_only()
        })
        .unwrap()
    });
    if let Ok(out) = s.scrub(data) {
        let found = phiscrub::inspect::inspect(&out.bytes).expect("the output does not parse");
        assert!(found.hazards.is_empty(), "{:?}", found.hazards);
        assert_eq!(found.frames, 1);
    }
});
