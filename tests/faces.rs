//! Face detection with the real model across scales: small faces in a large
//! photo, including one cut by a tile border, are covered whole; a single
//! coarse pass would have left them visible.

mod common;

use common::*;
use image::{RgbImage, imageops};
use phiscrub::detect::scales;
use phiscrub::{Config, Rect, Scrubber};
use std::io::Cursor;

/// Hopper's face core in `grace_hopper.jpg` (512×600), from the shared labels.
const HOPPER_CORE: (u32, u32, u32, u32) = HOPPER_FACE;

struct Scene {
    image: RgbImage,
    /// Face cores in scene pixels.
    faces: Vec<(u32, u32, u32, u32)>,
}

/// A `w`×`h` scene (the rocket photo enlarged, for texture) with Hopper's
/// portrait pasted at `places` (scene pixels, face-core centres), scaled so
/// that her face core is `face` pixels wide.
fn scene(w: u32, h: u32, face: u32, places: &[(u32, u32)]) -> Scene {
    let mut image = imageops::resize(
        &rgb(&fixture("photos/rocket.jpg")),
        w,
        h,
        imageops::FilterType::Triangle,
    );
    let portrait = rgb(&fixture("photos/grace_hopper.jpg"));
    let k = face as f32 / HOPPER_CORE.2 as f32;
    let (pw, ph) = (
        (portrait.width() as f32 * k).round() as u32,
        (portrait.height() as f32 * k).round() as u32,
    );
    let small = imageops::resize(&portrait, pw, ph, imageops::FilterType::Lanczos3);
    let (cx, cy) = (
        (HOPPER_CORE.0 as f32 + HOPPER_CORE.2 as f32 / 2.0) * k,
        (HOPPER_CORE.1 as f32 + HOPPER_CORE.3 as f32 / 2.0) * k,
    );
    let mut faces = Vec::new();
    for &(x, y) in places {
        let (ox, oy) = (x as f32 - cx, y as f32 - cy);
        imageops::replace(&mut image, &small, ox as i64, oy as i64);
        let core = |v: u32| (v as f32 * k).round() as u32;
        faces.push((
            (ox + HOPPER_CORE.0 as f32 * k) as u32,
            (oy + HOPPER_CORE.1 as f32 * k) as u32,
            core(HOPPER_CORE.2),
            core(HOPPER_CORE.3),
        ));
    }
    Scene { image, faces }
}

fn png(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// Share of the face core's pixels under the filled rectangles.
fn covered(filled: &[Rect], (x, y, w, h): (u32, u32, u32, u32)) -> f32 {
    let mut n = 0;
    for yy in y..y + h {
        for xx in x..x + w {
            n += filled.iter().any(|r| r.contains(xx, yy)) as u32;
        }
    }
    n as f32 / (w * h) as f32
}

#[test]
fn small_faces_in_a_large_photo_are_found_even_across_a_tile_border() {
    let (w, h) = (3000, 2000);
    // Faces only: text fills touching a face would blur what is counted.
    let config = Config {
        detect_text: false,
        detect_codes: false,
        ..Config::default()
    };
    let passes = scales::plan(w, h, &config.scale_params());
    assert_eq!(passes.len(), 2, "the scene must get a finer tiled pass");
    let fine = &passes[1];
    // The first tile's right edge, in scene pixels: a face centred on it is
    // cut in two in that tile.
    let border = ((fine.tiles[0].0 + fine.tiles[0].2) as f32 / fine.scale) as u32;
    let scene = scene(w, h, 22, &[(border, 700), (600, 1500), (2500, 400)]);
    let bytes = png(&scene.image);

    let scrubber = Scrubber::new(config.clone()).unwrap();
    let out = scrubber.scrub(&bytes).expect("exported");
    for (i, &face) in scene.faces.iter().enumerate() {
        let c = covered(&out.filled, face);
        assert!(c >= 0.99, "face {i} at {face:?} only {c:.2} covered");
    }
    // The face on the border is covered by one box, not by two halves.
    let on_border = out
        .filled
        .iter()
        .filter(|r| covered(&[**r], scene.faces[0]) > 0.0)
        .count();
    assert_eq!(on_border, 1, "{:?}", out.filled);
    // The pixels really changed: the face core is black in the output.
    let img = image::load_from_memory(&out.bytes).unwrap().to_rgb8();
    for &face in &scene.faces {
        assert_eq!(max_in(&img, face), 0);
    }

    // The whole-frame pass alone (what min-face 64 asks for here) misses
    // these faces: the finer pass is what finds them.
    let coarse = Scrubber::new(Config {
        min_face: 64,
        ..config.clone()
    })
    .unwrap();
    let out = coarse.scrub(&bytes).expect("exported");
    let missed = scene
        .faces
        .iter()
        .filter(|&&f| covered(&out.filled, f) < 0.5)
        .count();
    assert!(missed >= 2, "the coarse pass alone found {:?}", out.filled);
}

#[test]
fn eval_faces_scores_the_fixtures_and_reports_bad_truth_by_line() {
    let o = run(phiscrub()
        .args(["eval", "faces", "--images"])
        .arg(fixture("photos"))
        .arg("--truth")
        .arg(fixture("faces.jsonl"))
        .arg("--json"));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["images"], 4);
    assert_eq!(v["exported"], 4);
    assert_eq!(v["overall"]["faces"], 2);
    assert_eq!(v["overall"]["covered"], 2);
    assert_eq!(v["precision"], 1.0);
    // The cat and the rocket have no face: nothing filled away from faces
    // beyond the padding allowance.
    assert!(v["false_area"].as_f64().unwrap() < 0.01, "{v}");

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("truth.jsonl");
    std::fs::write(
        &bad,
        "{\"file\": \"grace_hopper.jpg\", \"boxes\": [[1, 2]]}\n",
    )
    .unwrap();
    let o = run(phiscrub()
        .args(["eval", "faces", "--images"])
        .arg(fixture("photos"))
        .arg("--truth")
        .arg(&bad));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("truth.jsonl:1"), "{}", stderr(&o));
}

/// The development face set (`../shared/data/faces`), when present: the
/// scrubber must keep covering faces as well as it does today (figures in
/// BENCHMARKS.md). Skips when the set is absent.
#[test]
fn development_face_set_recall_does_not_regress() {
    let dir = root().join("../shared/data/faces");
    if !dir.join("labels.jsonl").is_file() {
        eprintln!("skipped: {} is absent", dir.display());
        return;
    }
    let o = run(phiscrub()
        .args(["eval", "faces", "--json", "--images"])
        .arg(&dir)
        .arg("--truth")
        .arg(dir.join("labels.jsonl")));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let recall = v["overall"]["recall"].as_f64().unwrap();
    let ge24 = v["ge24"]["recall"].as_f64().unwrap();
    assert!(recall >= 0.90, "recall {recall}: {v}");
    assert!(ge24 >= 0.95, "recall for faces >= 24 px {ge24}: {v}");
    assert!(v["refused"].as_u64().unwrap() <= 20, "{v}");
}

/// Detection rounds and the verification of a lossless output look at the
/// same pixels again: unchanged tiles are answered from the previous call,
/// and the answers must be exactly what a fresh detector gives.
#[test]
fn unchanged_tiles_are_not_run_again_and_answers_stay_exact() {
    use phiscrub::FaceDetect;
    use phiscrub::detect::face::CenterFace;
    let config = Config::default();
    let scene = scene(3000, 2000, 22, &[(700, 700), (2400, 1500)]);
    let mut img = scene.image;
    let tiles: u64 = scales::plan(3000, 2000, &config.scale_params())
        .iter()
        .map(|p| p.tiles.len() as u64)
        .sum();
    let mut det = CenterFace::new(1, config.scale_params()).unwrap();
    let first = det.detect(&img, 0.1).unwrap();
    assert_eq!(det.inferences(), tiles);
    // Same pixels, same or higher threshold: nothing runs again.
    assert_eq!(det.detect(&img, 0.1).unwrap(), first);
    let higher = det.detect(&img, 0.3).unwrap();
    assert_eq!(det.inferences(), tiles);
    let expected: Vec<_> = first.iter().filter(|f| f.score > 0.3).cloned().collect();
    assert_eq!(higher, expected);

    // Cover the first face: the whole-frame pass and the tiles under the
    // fill run again, the others do not.
    let (x, y, w, h) = scene.faces[0];
    for yy in y.saturating_sub(10)..y + h + 10 {
        for xx in x.saturating_sub(10)..x + w + 10 {
            img.put_pixel(xx, yy, image::Rgb([0, 0, 0]));
        }
    }
    let again = det.detect(&img, 0.1).unwrap();
    let rerun = det.inferences() - tiles;
    assert!(
        rerun >= 2 && rerun < tiles,
        "{rerun} of {tiles} tiles ran again"
    );
    let mut fresh = CenterFace::new(1, config.scale_params()).unwrap();
    assert_eq!(again, fresh.detect(&img, 0.1).unwrap());
}

#[test]
fn batched_tiles_give_the_same_answers() {
    use phiscrub::FaceDetect;
    use phiscrub::detect::face::CenterFace;
    let config = Config::default();
    let img = scene(3000, 2000, 22, &[(700, 700), (2400, 1500)]).image;
    let mut one = CenterFace::new(1, config.scale_params()).unwrap();
    let mut batched = CenterFace::new(1, config.scale_params())
        .unwrap()
        .batch_tiles(true);
    let a = one.detect(&img, 0.1).unwrap();
    let b = batched.detect(&img, 0.1).unwrap();
    assert!(!a.is_empty());
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert!(
            x.bbox.iou(&y.bbox) > 0.99 && (x.score - y.score).abs() < 1e-4,
            "{x:?} {y:?}"
        );
    }
}
