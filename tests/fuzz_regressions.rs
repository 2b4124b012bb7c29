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
            max_pixels: 1 << 20,
            reencode,
            ..Config::metadata_only()
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

/// The regression inputs above run the metadata-only path itself: a page
/// of text and a face come out with every pixel as it was (a scrubber that
/// only switched faces off would cover the page's text).
#[test]
fn the_metadata_only_path_leaves_pixels_alone() {
    let s = Scrubber::new(Config {
        max_pixels: 1 << 20,
        reencode: true,
        ..Config::metadata_only()
    })
    .unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    for name in ["text/page.png", "photos/chelsea.png"] {
        // Pixels only (the page's own colour profile would be applied).
        let before = image::open(root.join(name)).unwrap().to_rgb8();
        let mut bytes = Vec::new();
        before
            .write_to(
                &mut std::io::Cursor::new(&mut bytes),
                image::ImageFormat::Png,
            )
            .unwrap();
        let out = s.scrub(&bytes).unwrap();
        assert!(out.findings.is_empty(), "{name}: {:?}", out.findings);
        let after = image::load_from_memory(&out.bytes).unwrap().to_rgb8();
        assert!(before == after, "{name}: pixels changed");
    }
}
