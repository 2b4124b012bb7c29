//! Face detection with the real models across scales: small faces in a large
//! photo, including one cut by a tile border, are covered whole (a single
//! coarse pass would have left them visible); a face filling the frame is
//! covered by the coarse passes, and by the second face family alone; an
//! output that still shows it is refused.

use crate::common::*;
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
    let fine = passes.last().unwrap();
    assert!(
        fine.tiles.len() > 1,
        "the scene must get a finer tiled pass"
    );
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

/// Hopper's portrait cut so that her face fills the frame, as in a clinical
/// close-up, enlarged to 1024 px square; with her face core in its pixels.
fn close_up() -> (RgbImage, (u32, u32, u32, u32)) {
    let portrait = rgb(&fixture("photos/grace_hopper.jpg"));
    let (cx, cy) = (
        HOPPER_CORE.0 + HOPPER_CORE.2 / 2,
        HOPPER_CORE.1 + HOPPER_CORE.3 / 2,
    );
    let half = 110;
    let crop = imageops::crop_imm(&portrait, cx - half, cy - half, 2 * half, 2 * half).to_image();
    let img = imageops::resize(&crop, 1024, 1024, imageops::FilterType::Triangle);
    let k = 1024.0 / (2 * half) as f32;
    let at = |v: u32, origin: u32| ((v - origin) as f32 * k).round() as u32;
    let core = (
        at(HOPPER_CORE.0, cx - half),
        at(HOPPER_CORE.1, cy - half),
        (HOPPER_CORE.2 as f32 * k).round() as u32,
        (HOPPER_CORE.3 as f32 * k).round() as u32,
    );
    (img, core)
}

/// Faces only, one detector family unless asked: text fills would blur
/// what is counted.
fn faces_only(second_face: bool) -> Config {
    Config {
        detect_text: false,
        detect_codes: false,
        second_face,
        ..Config::default()
    }
}

/// Sees no face, ever: a detector with a blind spot where the face is.
struct Blind;
impl phiscrub::FaceDetect for Blind {
    fn detect(
        &mut self,
        _: &RgbImage,
        _: f32,
    ) -> Result<Vec<phiscrub::Finding>, phiscrub::DetectError> {
        Ok(Vec::new())
    }
}

/// Misses everything on its first call (the input's first detection round)
/// and is the real detector afterwards (the look at the output).
struct MissesTheInput(usize, Box<dyn phiscrub::FaceDetect>);
impl phiscrub::FaceDetect for MissesTheInput {
    fn detect(
        &mut self,
        img: &RgbImage,
        t: f32,
    ) -> Result<Vec<phiscrub::Finding>, phiscrub::DetectError> {
        self.0 += 1;
        if self.0 == 1 {
            return Ok(Vec::new());
        }
        self.1.detect(img, t)
    }
}

fn blaze_alone() -> Box<dyn phiscrub::FaceDetect> {
    use phiscrub::detect::{blazeface::BlazeFace, ensemble::FaceEnsemble};
    Box::new(FaceEnsemble::new(
        Box::new(Blind),
        Box::new(BlazeFace::new(1).unwrap()),
        Config::default().face_threshold,
        Config::default().second_face_threshold,
    ))
}

#[test]
fn a_face_filling_the_frame_is_covered_by_the_coarse_passes() {
    use phiscrub::FaceDetect;
    use phiscrub::detect::face::CenterFace;
    let (img, core) = close_up();
    let bytes = png(&img);
    // CenterFace alone: its coarse passes see the face at a size it knows.
    let out = Scrubber::new(faces_only(false))
        .unwrap()
        .scrub(&bytes)
        .expect("exported");
    let c = covered(&out.filled, core);
    assert!(c >= 0.99, "face core only {c:.2} covered: {:?}", out.filled);
    let pixels = image::load_from_memory(&out.bytes).unwrap().to_rgb8();
    assert_eq!(max_in(&pixels, core), 0, "the face pixels were not filled");

    // Without the coarse passes the network sees the face too large and
    // boxes only part of it.
    let whole_only = scales::ScaleParams {
        coarse_sides: [u32::MAX; 2],
        ..faces_only(false).scale_params()
    };
    let found = CenterFace::new(1, whole_only)
        .unwrap()
        .detect(&img, Config::default().face_threshold)
        .unwrap();
    let config = faces_only(false);
    let fills: Vec<Rect> = found
        .iter()
        .filter_map(|f| {
            phiscrub::redact::face_region(f, config.face_padding, config.face_shape, 1024, 1024)
        })
        .collect();
    let c = covered(&fills, core);
    assert!(c < 0.95, "the whole-frame pass alone covered {c:.2}");
}

#[test]
fn the_second_face_family_covers_a_close_up_the_first_misses() {
    let (img, core) = close_up();
    let bytes = png(&img);
    let scrubber = Scrubber::with_face_detector(faces_only(false), || Ok(blaze_alone())).unwrap();
    let out = scrubber.scrub(&bytes).expect("exported");
    let pixels = image::load_from_memory(&out.bytes).unwrap().to_rgb8();
    let c = covered(&out.filled, core);
    assert!(c >= 0.99, "face core only {c:.2} covered: {:?}", out.filled);
    assert_eq!(max_in(&pixels, core), 0);
    // The first family alone (here blind) would have exported it untouched.
    let blind = Scrubber::with_face_detector(faces_only(false), || Ok(Box::new(Blind) as _))
        .unwrap()
        .scrub(&bytes)
        .expect("exported");
    assert!(blind.filled.is_empty());
}

#[test]
fn a_close_up_whose_fill_is_missing_is_refused_by_either_family() {
    let (img, _) = close_up();
    let bytes = png(&img);
    // Re-encoded, so that the output is looked at again.
    let config = Config {
        reencode: true,
        ..faces_only(false)
    };
    type Make = fn() -> Box<dyn phiscrub::FaceDetect>;
    let families: [(&str, Make); 2] = [
        ("CenterFace", || {
            Box::new(
                phiscrub::detect::face::CenterFace::new(1, Config::default().scale_params())
                    .unwrap(),
            )
        }),
        ("BlazeFace", blaze_alone),
    ];
    for (name, real) in families {
        let scrubber = Scrubber::with_face_detector(config.clone(), move || {
            Ok(Box::new(MissesTheInput(0, real())) as _)
        })
        .unwrap();
        match scrubber.scrub(&bytes) {
            Err(phiscrub::ScrubError::Refused(r)) => {
                assert!(!r.residual.is_empty(), "{name}: {r:?}");
                assert!(
                    r.residual
                        .iter()
                        .all(|f| f.kind == phiscrub::FindingKind::Face)
                );
            }
            other => panic!("{name}: an unfilled close-up was not refused: {other:?}"),
        }
    }
    // And `check` calls the close-up a leak through the full scrubber.
    let verdict = Scrubber::new(faces_only(true))
        .unwrap()
        .check(&bytes)
        .unwrap();
    assert!(
        verdict
            .findings
            .iter()
            .any(|f| f.kind == phiscrub::FindingKind::Face)
    );
}
