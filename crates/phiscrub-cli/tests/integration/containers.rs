//! What phones write beyond a plain JPEG (`fixtures/containers/`, built by
//! `fixtures/make_container_fixtures.py`): Ultra HDR gain maps and depth maps
//! after the picture, HEIC with a thumbnail or several pictures, AVIF with
//! GPS or stored sideways, BMP. Each
//! goes through the real binary; outputs are judged by exiftool and by
//! phiscrub's own walk.

use crate::common::*;
use std::fs;
use std::path::Path;

fn report(out: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(out.join("report.json")).unwrap()).unwrap()
}

#[test]
fn phone_containers_are_exported_with_the_scrubbed_primary_only_or_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("clean");
    let o = run(scrub(fixture("containers"), &out)
        .args(["--no-text", "--no-codes", "--report"])
        .arg(out.join("report.json")));
    let err = stderr(&o);
    // Two files refuse: the run says so.
    assert_eq!(o.status.code(), Some(3), "{err}");
    let r = report(&out);

    // Ultra HDR and a declared depth map: the primary alone comes out, and
    // the report says a derived map was dropped.
    for name in ["jpeg_ultrahdr.jpg", "jpeg_depth_map.jpg"] {
        let e = entry(&r, name);
        assert_eq!(e["status"], "exported", "{name}: {e}");
        let removed: Vec<&str> = e["metadata"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m.as_str().unwrap())
            .collect();
        assert!(removed.contains(&"derived_map"), "{name}: {removed:?}");
        let bytes = fs::read(out.join(name)).unwrap();
        let l = phiscrub::metadata::jpeg::layout(&bytes).unwrap();
        assert_eq!(l.trailing, 0, "{name}: bytes after the picture");
        let found = phiscrub::inspect::inspect(&bytes).unwrap();
        assert_eq!(found.frames, 1, "{name}");
        assert!(found.hazards.is_empty(), "{name}: {:?}", found.hazards);
        assert_eq!((found.width, found.height), (Some(144), Some(96)));
    }

    // A "gain map" larger than its picture is a picture: refused.
    let e = entry(&r, "jpeg_gainmap_too_large.jpg");
    assert_eq!(e["status"], "refused");
    assert_eq!(e["reason"], "multi_frame");
    assert!(!out.join("jpeg_gainmap_too_large.jpg").exists());

    // HEIC: the primary comes out as JPEG, named so; GPS, owner and the
    // thumbnail are gone.
    let e = entry(&r, "heic_thumbnail_gps.heic");
    assert_eq!(e["status"], "exported", "{e}");
    assert_eq!(e["output"], "heic_thumbnail_gps.jpg");
    let removed = e["metadata"].to_string();
    for cat in ["gps", "owner", "thumbnail"] {
        assert!(removed.contains(cat), "{cat} not reported in {removed}");
    }
    let jpg = out.join("heic_thumbnail_gps.jpg");
    let bytes = fs::read(&jpg).unwrap();
    assert_eq!(
        phiscrub::Format::sniff(&bytes),
        Some(phiscrub::Format::Jpeg)
    );
    let found = phiscrub::inspect::inspect(&bytes).unwrap();
    assert!(found.hazards.is_empty(), "{:?}", found.hazards);
    assert!(!out.join("heic_thumbnail_gps.heic").exists());
    // The pixels are the picture's: the decoded HEIC, upright, is rocket.jpg
    // downscaled (bright sky top-left); a grey or black frame would not be.
    let img = image::load_from_memory(&bytes).unwrap().to_rgb8();
    assert_eq!(img.dimensions(), (144, 96));
    let original = image::open(fixture("photos/rocket.jpg"))
        .unwrap()
        .resize_exact(144, 96, image::imageops::FilterType::Triangle)
        .to_rgb8();
    let diff = mean_diff(&img, &original, (0, 0, 144, 96));
    assert!(
        diff < 12.0,
        "HEIC pixels differ from the picture by {diff:.1}"
    );

    // A HEIC burst: two pictures, refused, nothing written.
    let e = entry(&r, "heic_two_pictures.heic");
    assert_eq!(e["status"], "refused");
    assert_eq!(e["reason"], "multi_frame");
    assert!(err.contains("heic_two_pictures.heic"), "{err}");
    assert!(!out.join("heic_two_pictures.jpg").exists());

    // AVIF: out as JPEG, GPS and owner gone, pixels the picture's.
    let e = entry(&r, "avif_exif_gps.avif");
    assert_eq!(e["status"], "exported", "{e}");
    assert_eq!(e["output"], "avif_exif_gps.jpg");
    assert!(e["metadata"].to_string().contains("gps"), "{e}");
    let avif = image::open(out.join("avif_exif_gps.jpg"))
        .unwrap()
        .to_rgb8();
    assert_eq!(avif.dimensions(), (144, 96));
    let diff = mean_diff(&avif, &original, (0, 0, 144, 96));
    assert!(
        diff < 12.0,
        "AVIF pixels differ from the picture by {diff:.1}"
    );
    // Stored sideways with its turn in irot/imir: the output is upright, the
    // red mark top-left.
    let turned = image::open(out.join("avif_orientation6.jpg"))
        .unwrap()
        .to_rgb8();
    assert_eq!(turned.dimensions(), (144, 96));
    let p = turned.get_pixel(6, 6).0;
    assert!(
        p[0] > 200 && p[1] < 60 && p[2] < 60,
        "top-left is {p:?}, not the red mark"
    );

    // BMP in, PNG out, same pixels.
    let png = out.join("bmp_24bit.png");
    assert_eq!(entry(&r, "bmp_24bit.bmp")["output"], "bmp_24bit.png");
    let a = image::open(fixture("containers/bmp_24bit.bmp"))
        .unwrap()
        .to_rgb8();
    let b = image::open(&png).unwrap().to_rgb8();
    assert_eq!(a, b, "a BMP with nothing to cover keeps its pixels");

    if exiftool_available() {
        for name in [
            "jpeg_ultrahdr.jpg",
            "jpeg_depth_map.jpg",
            "heic_thumbnail_gps.jpg",
            "avif_exif_gps.jpg",
            "avif_orientation6.jpg",
            "bmp_24bit.png",
        ] {
            let leaks = leaked_tags(&out.join(name), true);
            assert!(leaks.is_empty(), "{name} keeps {leaks:?}");
        }
        // The oracle sees what was to remove: the gain map as an MPF image,
        // GPS in the HEIC.
        let before = leaked_tags(&fixture("containers/jpeg_ultrahdr.jpg"), true).join(" ");
        assert!(before.contains("MPImage2"), "{before}");
        let before = leaked_tags(&fixture("containers/heic_thumbnail_gps.heic"), true).join(" ");
        assert!(before.contains("GPS"), "{before}");
    }
}

#[test]
fn first_frame_exports_the_primary_of_a_heic_burst() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        scrub(fixture("containers/heic_two_pictures.heic"), dir.path()).args([
            "--no-text",
            "--no-codes",
            "--first-frame",
        ]),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let img = image::open(dir.path().join("heic_two_pictures.jpg")).unwrap();
    // The primary is the 144×96 picture, not the 96×64 second one.
    assert_eq!((img.width(), img.height()), (144, 96));
}

#[test]
fn inspect_lists_what_a_heic_and_an_ultra_hdr_jpeg_carry() {
    let o = run(phiscrub()
        .arg("inspect")
        .arg(fixture("containers/heic_thumbnail_gps.heic"))
        .arg(fixture("containers/jpeg_ultrahdr.jpg")));
    let text = stdout(&o);
    assert!(text.contains("HEIC"), "{text}");
    assert!(text.contains("thumbnail"), "{text}");
    assert!(text.contains("gain map"), "{text}");
}
