//! Replays every input in `tests/fuzz_regressions/` (crashes found by the
//! `fuzz/` targets) through the same properties the fuzz targets assert, so
//! that a fixed crash stays fixed without a fuzzer.

use phiscrub::format::{self, Sniffed};
use phiscrub::metadata::{self, jpeg, png};
use phiscrub::{Config, Scrubber};
use std::path::Path;

fn inputs() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e != "md"))
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    v.sort();
    v
}

#[test]
fn there_are_regression_inputs() {
    assert!(!inputs().is_empty());
}

#[test]
fn container_walks_keep_their_promises() {
    for (name, data) in inputs() {
        if let Sniffed::Supported(f) = format::sniff(&data) {
            let _ = metadata::examine(&data, f);
        }
        if jpeg::examine(&data).is_ok() {
            assert!(jpeg::scan_data(&data).is_ok(), "{name}");
        }
        if png::examine(&data).is_ok() {
            assert!(png::image_data(&data).is_ok(), "{name}");
        }
    }
}

#[test]
fn metadata_only_scrub_exports_nothing_unsafe() {
    for reencode in [false, true] {
        let s = Scrubber::new(Config {
            detect_faces: false,
            max_pixels: 1 << 20,
            reencode,
            ..Config::default()
        })
        .unwrap();
        for (name, data) in inputs() {
            if let Ok(out) = s.scrub(&data) {
                let found = phiscrub::inspect::inspect(&out.bytes).unwrap();
                assert!(found.hazards.is_empty(), "{name}: {:?}", found.hazards);
                assert_eq!(found.frames, 1, "{name}");
            }
        }
    }
}
