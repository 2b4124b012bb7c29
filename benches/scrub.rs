//! Criterion benches of face detection and of one image through the scrubber.
//!
//! - `stages/fake_detector`: decode, fill, encode and verify a 512×600 photo
//!   with a detector that returns a fixed face: everything but the network.
//! - `detect/bare_1280x960`: one CenterFace inference on a 1280×960 frame,
//!   the floor under any detection pass (the whole-frame pass of a large
//!   photo is exactly this).
//! - `detect/loop_2mp`, `detect/loop_12mp`: the multi-scale detection of one
//!   image (resizes, tiles, inferences, merge; decoding excluded), 1632×1224
//!   and 4032×3024.
//! - `detect/loop_12mp_batched`: the same with all tiles of a pass in one
//!   network call.
//! - `text/detect_2mp`, `text/detect_12mp`: one cold text-detector call
//!   (resize, tiles, inferences, regions) on one intra-op thread, as each of
//!   two workers runs it in a batch; `text/detect_12mp_2threads`: the same
//!   with both cores, as for a single photo; `codes/find_2mp`, `codes/find_12mp`:
//!   the code finder (rxing and the bar finder).
//! - `scrub/faces_only_12mp`: the whole path with text and codes off.
//! - `scrub/real_512x600`, `scrub/real_12mp`: the whole per-image path with
//!   every detector (decode, detection rounds, fill, encode, verification).
//!
//! Run: `cargo bench --bench scrub`. Compare figures within one run only.

use criterion::{Criterion, criterion_group, criterion_main};
use image::{RgbImage, imageops};
use phiscrub::TextDetect;
use phiscrub::detect::code;
use phiscrub::detect::face::CenterFace;
use phiscrub::detect::scales::ScaleParams;
use phiscrub::detect::text::{TextDetector, TextParams};
use phiscrub::{BoxF, Config, FaceDetect, FindingKind, Scrubber};
use std::hint::black_box;
use std::io::Cursor;
use std::path::Path;

struct FixedFace;

impl FaceDetect for FixedFace {
    fn detect(
        &mut self,
        _: &RgbImage,
        t: f32,
    ) -> Result<Vec<phiscrub::Finding>, phiscrub::DetectError> {
        Ok(if t < 0.9 {
            vec![phiscrub::Finding::new(
                FindingKind::Face,
                BoxF::new(170.0, 150.0, 180.0, 170.0),
                0.9,
            )]
        } else {
            Vec::new()
        })
    }
}

fn fixture() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/photos/grace_hopper.jpg"))
        .unwrap()
}

fn jpeg(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(Cursor::new(&mut out), 92);
    img.write_with_encoder(enc).unwrap();
    out
}

fn benches(c: &mut Criterion) {
    let bytes = fixture();
    let rgb = image::load_from_memory(&bytes).unwrap().to_rgb8();
    let fake = Scrubber::with_face_detector(Config::default(), || {
        Ok(Box::new(FixedFace) as Box<dyn FaceDetect>)
    })
    .unwrap();
    c.bench_function("stages/fake_detector", |b| {
        b.iter(|| fake.scrub(black_box(&bytes)).unwrap())
    });

    let config = Config::default();
    let frame = imageops::resize(&rgb, 1280, 960, imageops::FilterType::Triangle);
    let mut bare = CenterFace::new(1, ScaleParams::default()).unwrap();
    c.bench_function("detect/bare_1280x960", |b| {
        b.iter(|| {
            bare.forget();
            bare.detect(black_box(&frame), 0.2).unwrap()
        })
    });

    let mut det = CenterFace::new(1, config.scale_params()).unwrap();
    let big = imageops::resize(&rgb, 4032, 3024, imageops::FilterType::Triangle);
    for (name, img) in [
        (
            "detect/loop_2mp",
            imageops::resize(&rgb, 1632, 1224, imageops::FilterType::Triangle),
        ),
        ("detect/loop_12mp", big.clone()),
    ] {
        c.bench_function(name, |b| {
            b.iter(|| {
                det.forget();
                det.detect(black_box(&img), 0.2).unwrap()
            })
        });
    }

    // The second face family: two small whole-frame inferences and the
    // resize to them, what every look adds to CenterFace's passes.
    let mut blaze = phiscrub::detect::blazeface::BlazeFace::new(1).unwrap();
    for (name, img) in [
        ("detect/blazeface_512x600", rgb.clone()),
        ("detect/blazeface_12mp", big.clone()),
    ] {
        c.bench_function(name, |b| {
            b.iter(|| blaze.detect(black_box(&img), 0.5).unwrap())
        });
    }

    let mut batched = CenterFace::new(1, config.scale_params())
        .unwrap()
        .batch_tiles(true);
    c.bench_function("detect/loop_12mp_batched", |b| {
        b.iter(|| {
            batched.forget();
            batched.detect(black_box(&big), 0.2).unwrap()
        })
    });

    let mut text = TextDetector::new(1, TextParams::default()).unwrap();
    let two = imageops::resize(&rgb, 1632, 1224, imageops::FilterType::Triangle);
    for (name, img) in [("text/detect_2mp", &two), ("text/detect_12mp", &big)] {
        c.bench_function(name, |b| {
            b.iter(|| {
                text.forget();
                text.detect(black_box(img), 0.4, &[]).unwrap()
            })
        });
    }
    // One photo on its own (`--jobs 1 --threads-per-job 2`): both cores in
    // one session, the tiles one after another.
    let mut both = TextDetector::new(2, TextParams::default()).unwrap();
    c.bench_function("text/detect_12mp_2threads", |b| {
        b.iter(|| {
            both.forget();
            both.detect(black_box(&big), 0.4, &[]).unwrap()
        })
    });
    for (name, img) in [("codes/find_2mp", &two), ("codes/find_12mp", &big)] {
        c.bench_function(name, |b| b.iter(|| code::find(black_box(img)).unwrap()));
    }

    let faces_only = Scrubber::new(Config {
        detect_text: false,
        detect_codes: false,
        ..Config::default()
    })
    .unwrap();
    let big_jpeg = jpeg(&big);
    c.bench_function("scrub/faces_only_12mp", |b| {
        b.iter(|| faces_only.scrub(black_box(&big_jpeg)).unwrap())
    });

    let real = Scrubber::new(Config::default()).unwrap();
    c.bench_function("scrub/real_512x600", |b| {
        b.iter(|| real.scrub(black_box(&bytes)).unwrap())
    });
    let big = jpeg(&big);
    c.bench_function("scrub/real_12mp", |b| {
        b.iter(|| real.scrub(black_box(&big)).unwrap())
    });
}

criterion_group! {
    name = group;
    config = Criterion::default().sample_size(10);
    targets = benches
}
criterion_main!(group);
