//! Every container and metadata hazard of `fixtures/metadata/` (built by
//! `fixtures/make_metadata_fixtures.py`, listed in its `manifest.json`) goes
//! through the real binary; outputs are judged by exiftool and by phiscrub's
//! own container walk.

use crate::common::*;
use image::GenericImageView;
use phiscrub::metadata::{jpeg, png};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

struct Case {
    file: String,
    expect: String,
    hazards: Vec<String>,
}

fn manifest() -> Vec<Case> {
    let text = fs::read_to_string(fixture("metadata/manifest.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|c| Case {
            file: c["file"].as_str().unwrap().to_string(),
            expect: c["expect"].as_str().unwrap().to_string(),
            hazards: c["hazards"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h.as_str().unwrap().to_string())
                .collect(),
        })
        .collect()
}

/// Scrubs the whole metadata corpus once per test binary invocation with the
/// given extra arguments; returns the output folder and stderr.
/// Scrubs the metadata fixtures. Text and codes are not looked for: some
/// fixtures are plain synthetic pictures the text detector fills, and these
/// tests are about containers (lossless rewrites must stay lossless).
fn scrub_corpus(extra: &[&str]) -> (tempfile::TempDir, String, Option<i32>) {
    let out = tempfile::tempdir().unwrap();
    let o = run(scrub(fixture("metadata"), out.path())
        .args(["--no-text", "--no-codes"])
        .args(extra));
    (out, stderr(&o), o.status.code())
}

fn output_for(out: &Path, file: &str) -> PathBuf {
    out.join(file)
}

#[test]
fn every_fixture_is_exported_refused_or_failed_as_the_manifest_says() {
    let cases = manifest();
    assert!(cases.len() >= 30);
    let (out, err, code) = scrub_corpus(&[]);
    // manifest.json itself is not an image, and damaged files fail: exit 4.
    assert_eq!(code, Some(4));
    let mut tally: BTreeMap<String, usize> = BTreeMap::new();
    for c in &cases {
        *tally.entry(c.expect.clone()).or_default() += 1;
        let produced = output_for(out.path(), &c.file).exists();
        let line = err.lines().find(|l| l.contains(&format!("/{}: ", c.file)));
        match c.expect.as_str() {
            "exported" => {
                assert!(produced, "{} should be exported; stderr: {line:?}", c.file);
                assert!(line.is_none(), "{} exported but reported: {line:?}", c.file);
            }
            "refused" => {
                assert!(!produced, "{} must not be exported", c.file);
                let l = line.unwrap_or_else(|| panic!("no message names {}", c.file));
                assert!(l.contains("refused") && l.contains("pictures"), "{l}");
            }
            "failed" => {
                assert!(!produced, "{} must not be exported", c.file);
                let l = line.unwrap_or_else(|| panic!("no message names {}", c.file));
                assert!(l.contains("damaged") || l.contains("over the limit"), "{l}");
            }
            other => panic!("unknown expectation {other}"),
        }
    }
    assert!(tally["refused"] >= 6 && tally["failed"] >= 6, "{tally:?}");
    // No temporary or stray files.
    let n = fs::read_dir(out.path()).unwrap().count();
    assert_eq!(n, tally["exported"]);
}

#[test]
fn exported_outputs_carry_only_structural_tags_for_exiftool() {
    if !exiftool_available() {
        return;
    }
    let (out, _, _) = scrub_corpus(&[]);
    let (stripped, _, _) = scrub_corpus(&["--strip-icc"]);
    let mut checked = 0;
    for c in manifest().iter().filter(|c| c.expect == "exported") {
        let input_leaks = leaked_tags(&fixture(&format!("metadata/{}", c.file)), true);
        // The oracle must see something to remove, except in files whose only
        // hazard is structural (trailing bytes, a JFIF thumbnail exiftool
        // files under File, an ICC profile).
        let structural_only = c
            .hazards
            .iter()
            .all(|h| ["trailing", "icc"].contains(&h.as_str()));
        // exiftool does not list private PNG chunks; phiscrub's own walk
        // (previous test) covers that file.
        let invisible = c.file == "png_private_chunk.png";
        assert!(
            structural_only || invisible || !input_leaks.is_empty(),
            "{}: exiftool sees no hazard in the input",
            c.file
        );
        let leaks = leaked_tags(&output_for(out.path(), &c.file), true);
        assert!(leaks.is_empty(), "{} keeps {leaks:?}", c.file);
        let leaks = leaked_tags(&output_for(stripped.path(), &c.file), false);
        assert!(
            leaks.is_empty(),
            "{} with --strip-icc keeps {leaks:?}",
            c.file
        );
        checked += 1;
    }
    assert!(checked >= 19);
}

#[test]
fn exported_outputs_have_no_hazard_and_one_picture_by_phiscrubs_own_walk() {
    let (out, _, _) = scrub_corpus(&[]);
    for c in manifest().iter().filter(|c| c.expect == "exported") {
        let bytes = fs::read(output_for(out.path(), &c.file)).unwrap();
        let found = phiscrub::inspect::inspect(&bytes).unwrap();
        assert!(found.hazards.is_empty(), "{}: {:?}", c.file, found.hazards);
        assert_eq!(found.frames, 1, "{}", c.file);
        assert!(!phiscrub::metadata::has_exif(&bytes), "{}", c.file);
        // No bytes after the end of the image, whatever the container.
        if bytes.starts_with(&[0xFF, 0xD8]) {
            assert_eq!(jpeg::layout(&bytes).unwrap().trailing, 0, "{}", c.file);
        }
        if bytes.starts_with(b"\x89PNG") {
            assert_eq!(png::layout(&bytes).unwrap().end, bytes.len(), "{}", c.file);
        }
    }
}

/// Both files decode (by the `image` crate, not the libjpeg that rebuilt
/// the output) to the very same pixels.
fn same_pixels(a: &[u8], b: &[u8]) -> bool {
    let a = image::load_from_memory(a).unwrap();
    let b = image::load_from_memory(b).unwrap();
    a.dimensions() == b.dimensions() && a.as_bytes() == b.as_bytes()
}

fn icc_of(bytes: &[u8]) -> Option<Vec<u8>> {
    let format = image::guess_format(bytes).unwrap();
    image::ImageReader::with_format(std::io::Cursor::new(bytes), format)
        .into_decoder()
        .map(|mut d| image::ImageDecoder::icc_profile(&mut d).unwrap())
        .unwrap()
}

#[test]
fn unchanged_pixels_are_kept_exactly_and_no_input_profile_is_written() {
    let (out, _, _) = scrub_corpus(&[]);
    // Upright JPEGs are rebuilt from their coefficients (every segment
    // written by libjpeg, none copied) and decode to the very same pixels;
    // their sRGB profiles are not written (sRGB is what viewers assume).
    for f in ["jpeg_camera_everything.jpg", "jpeg_multisegment_icc.jpg"] {
        let input = fs::read(fixture(&format!("metadata/{f}"))).unwrap();
        let output = fs::read(output_for(out.path(), f)).unwrap();
        assert!(same_pixels(&input, &output), "{f}: pixels changed");
        // Only segments libjpeg writes itself: JFIF, tables, frame, scans.
        let l = jpeg::layout(&output).unwrap();
        for (marker, _, _) in l.segments() {
            assert!(
                matches!(
                    marker,
                    0xE0 | 0xDB | 0xC0 | 0xC1 | 0xC2 | 0xC4 | 0xDA | 0xDD
                ),
                "{f}: segment 0x{marker:02X} in the rebuild"
            );
        }
        assert!(icc_of(&input).is_some() && icc_of(&output).is_none(), "{f}");
    }
    let input = fs::read(fixture("metadata/jpeg_camera_everything.jpg")).unwrap();
    let output = fs::read(output_for(out.path(), "jpeg_camera_everything.jpg")).unwrap();
    assert!(output.len() < input.len() / 2, "metadata was not dropped");

    // PNG is always encoded from pixels: the same pixels, none of its chunks.
    let input = fs::read(fixture("metadata/png_text_chunks.png")).unwrap();
    let output = fs::read(output_for(out.path(), "png_text_chunks.png")).unwrap();
    assert!(same_pixels(&input, &output), "PNG pixels changed");
    assert!(icc_of(&output).is_none());
    assert!(
        !png::layout(&output)
            .unwrap()
            .chunks
            .iter()
            .any(|c| c.kind == *b"iCCP")
    );
}

#[test]
fn reencode_and_strip_icc_are_honoured() {
    let (out, _, code) = scrub_corpus(&["--reencode", "--strip-icc"]);
    assert_eq!(code, Some(4));
    let input = fs::read(fixture("metadata/jpeg_camera_everything.jpg")).unwrap();
    let output = fs::read(output_for(out.path(), "jpeg_camera_everything.jpg")).unwrap();
    assert_ne!(
        jpeg::scan_data(&output).unwrap(),
        jpeg::scan_data(&input).unwrap()
    );
    for f in [
        "jpeg_camera_everything.jpg",
        "png_text_chunks.png",
        "webp_lossy_exif_xmp.webp",
    ] {
        let bytes = fs::read(output_for(out.path(), f)).unwrap();
        let found = phiscrub::inspect::inspect(&bytes).unwrap();
        assert!(
            !found.icc_profile,
            "{f} keeps its ICC profile despite --strip-icc"
        );
    }
}

#[test]
fn first_frame_exports_one_scrubbed_picture_from_multi_frame_files() {
    let (out, err, _) = scrub_corpus(&["--first-frame"]);
    for c in manifest().iter().filter(|c| c.expect == "refused") {
        let path = output_for(out.path(), &c.file);
        assert!(
            path.exists(),
            "{} not exported with --first-frame; {err}",
            c.file
        );
        let found = phiscrub::inspect::inspect(&fs::read(&path).unwrap()).unwrap();
        assert_eq!(found.frames, 1, "{}", c.file);
        assert!(found.hazards.is_empty(), "{}: {:?}", c.file, found.hazards);
    }
}

#[test]
fn orientation_is_applied_for_non_upright_files() {
    let (out, _, _) = scrub_corpus(&[]);
    let img = rgb(&output_for(out.path(), "jpeg_orientation6.jpg"));
    // Stored 96×144 with Orientation 6: upright it is 144×96, red top-left.
    assert_eq!(img.dimensions(), (144, 96));
    let tl = img.get_pixel(2, 2).0;
    assert!(
        tl[0] > 180 && tl[1] < 90 && tl[2] < 90,
        "top-left is {tl:?}"
    );
}

#[test]
fn format_conversion_changes_container_and_name() {
    let out = tempfile::tempdir().unwrap();
    let o = run(phiscrub()
        .arg("scrub")
        .arg(fixture("metadata/tiff_single_tags.tif"))
        .arg(fixture("metadata/jpeg_grayscale.jpg"))
        .args(["--format", "png", "--out"])
        .arg(out.path()));
    assert_eq!(o.status.code(), Some(0));
    for name in ["tiff_single_tags.png", "jpeg_grayscale.png"] {
        let bytes = fs::read(out.path().join(name)).unwrap();
        assert_eq!(
            phiscrub::Format::sniff(&bytes),
            Some(phiscrub::Format::Png),
            "{name}"
        );
        assert!(
            phiscrub::inspect::inspect(&bytes)
                .unwrap()
                .hazards
                .is_empty()
        );
    }
    let o = run(phiscrub()
        .arg("scrub")
        .arg(fixture("metadata/png_rgba.png"))
        .args(["--no-text", "--no-codes"])
        .args(["--format", "webp", "--out"])
        .arg(out.path()));
    assert_eq!(o.status.code(), Some(0));
    let webp = image::open(out.path().join("png_rgba.webp"))
        .unwrap()
        .to_rgba8();
    let png = image::open(fixture("metadata/png_rgba.png"))
        .unwrap()
        .to_rgba8();
    assert_eq!(
        webp, png,
        "lossless WebP output must keep the pixels and alpha"
    );
}

#[test]
fn inspect_lists_the_hazards_a_clinician_needs_to_see() {
    let o = run(phiscrub()
        .args(["inspect", "--json"])
        .arg(fixture("photos/hopper_phone.jpg"))
        .arg(fixture("metadata/tiff_multipage.tif")));
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let cats = |i: usize| -> Vec<String> {
        v[i]["hazards"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["category"].as_str().unwrap().to_string())
            .collect()
    };
    for want in [
        "gps",
        "dates",
        "device",
        "owner",
        "software",
        "thumbnail",
        "xmp",
        "iptc",
        "comment",
    ] {
        assert!(
            cats(0).iter().any(|c| c == want),
            "hopper_phone.jpg: no {want} in {:?}",
            cats(0)
        );
    }
    let gps = v[0]["hazards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["category"] == "gps")
        .unwrap();
    assert!(
        gps["detail"]
            .as_str()
            .unwrap()
            .contains("48.83860 N, 2.36550 E")
    );
    assert_eq!(v[0]["orientation"], 6);
    assert_eq!(v[1]["frames"], 2);
    assert!(cats(1).contains(&"extra_frames".to_string()));

    // The table form names each file, and a clean file says so.
    let clean = tempfile::tempdir().unwrap();
    run(&mut scrub(fixture("photos/hopper_phone.jpg"), clean.path()));
    let o = run(phiscrub().arg("inspect").arg(clean.path()));
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    assert!(text.contains("hopper_phone.jpg: JPEG 512×600"), "{text}");
    assert!(text.contains("no identifying metadata found"), "{text}");
}

#[test]
fn inspect_reports_unreadable_files_by_name() {
    let o = run(phiscrub()
        .arg("inspect")
        .arg(fixture("metadata/bad_png_crc.png"))
        .arg(fixture("bad/not-an-image.jpg")));
    assert_eq!(o.status.code(), Some(4));
    let err = stderr(&o);
    assert!(
        err.contains("bad_png_crc.png: damaged: checksum mismatch"),
        "{err}"
    );
    assert!(err.contains("not-an-image.jpg: not an image"), "{err}");
}

#[test]
fn metadata_only_gives_the_same_verdicts_and_clean_lossless_outputs() {
    let (out, err, code) = scrub_corpus(&["--metadata-only"]);
    assert_eq!(code, Some(4), "{err}");
    assert!(
        err.contains("faces, text and codes were NOT looked for"),
        "{err}"
    );
    let mut lossless = 0;
    for c in manifest() {
        let path = output_for(out.path(), &c.file);
        assert_eq!(path.exists(), c.expect == "exported", "{}: {err}", c.file);
        if !path.exists() {
            continue;
        }
        let bytes = fs::read(&path).unwrap();
        let found = phiscrub::inspect::inspect(&bytes).unwrap();
        assert!(found.hazards.is_empty(), "{}: {:?}", c.file, found.hazards);
        assert_eq!(found.frames, 1, "{}", c.file);
        if exiftool_available() {
            let leaks = leaked_tags(&path, true);
            assert!(leaks.is_empty(), "{} keeps {leaks:?}", c.file);
        }
        let input = fs::read(fixture(&format!("metadata/{}", c.file))).unwrap();
        let upright = !c.hazards.iter().any(|h| h == "orientation");
        if upright && (bytes.starts_with(&[0xFF, 0xD8]) || bytes.starts_with(b"\x89PNG")) {
            assert!(same_pixels(&bytes, &input), "{}: pixels changed", c.file);
            lossless += 1;
        }
    }
    assert!(lossless >= 8, "only {lossless} lossless rewrites");
}
