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
fn container_walks_and_rewrites_keep_their_promises() {
    for (name, data) in inputs() {
        if let Sniffed::Supported(f) = format::sniff(&data) {
            let _ = metadata::examine(&data, f);
        }
        rewrite_keeps_promises(&name, &data, jpeg::examine, jpeg::strip, jpeg::scan_data);
        rewrite_keeps_promises(&name, &data, png::examine, png::strip, png::image_data);
    }
}

type Walk = fn(&[u8]) -> Result<metadata::Container, metadata::ContainerError>;
type Strip = fn(&[u8], bool) -> Result<Vec<u8>, metadata::ContainerError>;
type Coded = fn(&[u8]) -> Result<Vec<u8>, metadata::ContainerError>;

/// What a container's lossless rewrite promises for anything its walk
/// accepts: no hazard left, and the coded picture byte for byte.
fn rewrite_keeps_promises(name: &str, data: &[u8], examine: Walk, strip: Strip, coded: Coded) {
    if examine(data).is_err() {
        return;
    }
    for keep_icc in [true, false] {
        let out = strip(data, keep_icc).unwrap();
        let c = examine(&out).unwrap();
        assert!(
            c.hazards.is_empty(),
            "{name}: rewrite keeps {:?}",
            c.hazards
        );
        assert_eq!(
            coded(&out).unwrap(),
            coded(data).unwrap(),
            "{name}: the rewrite changed the coded picture"
        );
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
