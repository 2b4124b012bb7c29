//! Criterion benches of one image through the scrubber.
//!
//! - `stages/fake_detector`: decode, fill, encode and verify with a detector
//!   that returns a fixed face: everything except the network.
//! - `centerface/bare_inference`: one CenterFace call on the same pixels, the
//!   floor under any detection pass.
//! - `scrub/real`: the whole scrub with the real model (detection rounds plus
//!   the verification pass).
//!
//! Run: `cargo bench --bench scrub`. Compare figures within one run only.

use criterion::{criterion_group, criterion_main, Criterion};
use image::RgbImage;
use phiscrub::detect::face::CenterFace;
use phiscrub::{BoxF, Config, FaceDetect, FindingKind, Scrubber};
use std::hint::black_box;
use std::path::Path;

struct FixedFace;

impl FaceDetect for FixedFace {
    fn detect(&mut self, _: &RgbImage, t: f32) -> Result<Vec<phiscrub::Finding>, String> {
        Ok(if t < 0.9 {
            vec![phiscrub::Finding {
                kind: FindingKind::Face,
                bbox: BoxF::new(170.0, 150.0, 180.0, 170.0),
                score: 0.9,
            }]
        } else {
            Vec::new()
        })
    }
}

fn fixture() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/photos/grace_hopper.jpg"))
        .unwrap()
}

fn benches(c: &mut Criterion) {
    let bytes = fixture();
    let fake = Scrubber::with_face_detector(Config::default(), || {
        Ok(Box::new(FixedFace) as Box<dyn FaceDetect>)
    })
    .unwrap();
    c.bench_function("stages/fake_detector", |b| {
        b.iter(|| fake.scrub(black_box(&bytes)).unwrap())
    });

    let rgb = image::load_from_memory(&bytes).unwrap().to_rgb8();
    let mut det = CenterFace::new(1, Config::default().scale_params()).unwrap();
    c.bench_function("centerface/bare_inference", |b| {
        b.iter(|| det.detect(black_box(&rgb), 0.2).unwrap())
    });

    let real = Scrubber::new(Config::default()).unwrap();
    c.bench_function("scrub/real", |b| {
        b.iter(|| real.scrub(black_box(&bytes)).unwrap())
    });
}

criterion_group! {
    name = group;
    config = Criterion::default().sample_size(20);
    targets = benches
}
criterion_main!(group);
