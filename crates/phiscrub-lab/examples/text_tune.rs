//! Text detection alone, scored like `phiscrub-lab eval text`, with any
//! detector setting changed: the loop used to tune `TextParams` on
//! `../shared/data/text` (faces are not looked for, so a run takes about a
//! minute instead of three). Misses are listed with their surviving share.
//!
//! `cargo run --release -p phiscrub-lab --example text_tune -- IMAGES LABELS.jsonl [unclip=2.5 tile=768 second=0 ...]`
//! With `TT_SAVE=DIR TT_FILES=a.jpg,b.jpg` it only scrubs those files of
//! IMAGES with the settings given and writes the outputs to DIR (to look at).
use phiscrub::detect::text::{TextDetector, TextParams};
use phiscrub::{Config, DetectError, FaceDetect, Finding, Scrubber, TextDetect};

struct NoFaces;

impl FaceDetect for NoFaces {
    fn detect(&mut self, _: &image::RgbImage, _: f32) -> Result<Vec<Finding>, DetectError> {
        Ok(Vec::new())
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [images, labels, settings @ ..] = args.as_slice() else {
        return Err("usage: text_tune IMAGES LABELS.jsonl [name=value ...]".into());
    };
    let mut p = TextParams::default();
    for kv in settings {
        let (k, v) = kv
            .split_once('=')
            .ok_or(format!("'{kv}' is not name=value"))?;
        let f: f32 = v.parse()?;
        match k {
            "bin" => p.bin_threshold = f,
            "box" => p.box_threshold = f,
            "unclip" => p.unclip = f,
            "min_side" => p.min_side = f as u32,
            "detail" => p.detail_side = f as u32,
            "tile" => p.tile = f as u32,
            "overlap" => p.overlap = f as u32,
            "second" => p.second_side = f as u32,
            "second_thickest" => p.second_thickest = f as u32,
            "turned" => p.turned = f != 0.0,
            _ => return Err(format!("unknown setting '{k}'").into()),
        }
    }
    let config = Config {
        text_threshold: p.box_threshold,
        text_detail_side: p.detail_side,
        ..Config::default()
    };
    let threads = config.intra_threads;
    let scrubber = Scrubber::with_detectors(
        config,
        || Ok(Box::new(NoFaces) as Box<dyn FaceDetect>),
        move || {
            TextDetector::new(threads, p)
                .map(|d| Box::new(d) as Box<dyn TextDetect>)
                .map_err(|e| e.to_string())
        },
    )?;
    if let Ok(dir) = std::env::var("TT_SAVE") {
        // Experiment aid: scrub the named files only and keep the outputs.
        for name in std::env::var("TT_FILES")?.split(',') {
            let bytes = std::fs::read(std::path::Path::new(images).join(name))?;
            match scrubber.scrub(&bytes) {
                Ok(s) => std::fs::write(std::path::Path::new(&dir).join(name), s.bytes)?,
                Err(e) => println!("{name}: {e}"),
            }
        }
        return Ok(());
    }
    let truth = phiscrub_lab::eval::text::read_truth(labels.as_ref())?;
    let s = phiscrub_lab::eval::text::text(&scrubber, images.as_ref(), &truth, 2)?;
    for m in &s.misses {
        println!(
            "miss {} #{} h={:.1} surviving={:.2}",
            m.file, m.region, m.height, m.surviving
        );
    }
    let mut away: Vec<_> = s.area_away_by_file.iter().collect();
    away.sort_by(|a, b| b.1.total_cmp(a.1));
    for (file, a) in away.iter().take(15) {
        println!("away {file} {:.1} %", 100.0 * *a);
    }
    let share = |s: &phiscrub_lab::eval::text::Share| s.coverage.unwrap_or(f64::NAN);
    println!("{p:?}");
    println!(
        "pooled {:.4} ({}/{}) refused {} | {} | {} | away {:.3} % | {:.2} s/image",
        share(&s.pooled),
        s.pooled.covered,
        s.pooled.regions,
        s.refused,
        s.by_kind
            .iter()
            .map(|(k, v)| format!("{k} {:.4}", share(v)))
            .collect::<Vec<_>>()
            .join(" "),
        s.by_height
            .iter()
            .map(|(k, v)| format!("{k} {:.4}", share(v)))
            .collect::<Vec<_>>()
            .join(" "),
        100.0 * s.area_away.unwrap_or(f64::NAN),
        s.seconds_per_image
    );
    for why in &s.problems {
        println!("not exported: {why}");
    }
    Ok(())
}
