//! Runs the code finder alone (no networks) on every image given and
//! prints its findings per 100 photos and the share of pixels they cover:
//! a quick measure of false codes on photos that hold none.
//!
//! `cargo run --release -p phiscrub-lab --example code_findings -- DIR_OR_FILE...`
//!
//! `-- --bands N BACKGROUNDS` instead scores it on the first N synthetic
//! wristband scenes of `eval bands` (seed 1, 1600×1200): the share of their
//! codes whose ink the finder's boxes cover (90 % of the ink pixels).
use phiscrub::detect::code;
use phiscrub_lab::synth::{SceneKind, label::PartKind, scene};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--bands") {
        return bands(args[1].parse().expect("a count"), &args[2]);
    }
    let mut files: Vec<std::path::PathBuf> = Vec::new();
    for arg in args {
        let p = std::path::PathBuf::from(arg);
        if p.is_dir() {
            let mut v: Vec<_> = std::fs::read_dir(&p)
                .expect("readable folder")
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.extension()
                        .is_some_and(|e| matches!(e.to_str(), Some("jpg" | "jpeg" | "png")))
                })
                .collect();
            v.sort();
            files.extend(v);
        } else {
            files.push(p);
        }
    }
    let (mut n, mut found, mut area, mut pixels) = (0usize, 0usize, 0f64, 0f64);
    for path in &files {
        let Ok(img) = image::open(path) else { continue };
        let rgb = img.to_rgb8();
        let (w, h) = rgb.dimensions();
        let codes = code::find(&rgb).expect("the finder runs");
        n += 1;
        pixels += (w * h) as f64;
        let mut mask = vec![false; (w * h) as usize];
        for f in &codes {
            let b = f.bbox;
            for y in b.y.max(0.0) as u32..(b.y2().min(h as f32)) as u32 {
                for x in b.x.max(0.0) as u32..(b.x2().min(w as f32)) as u32 {
                    mask[(y * w + x) as usize] = true;
                }
            }
            println!(
                "{}\t{w}x{h}\tscore {:.2}\t{:.0},{:.0} {:.0}x{:.0}",
                path.display(),
                f.score,
                b.x,
                b.y,
                b.w,
                b.h,
            );
        }
        found += codes.len();
        area += mask.iter().filter(|&&m| m).count() as f64;
    }
    println!(
        "photos {n}: {found} code findings ({:.1} per 100 photos), {:.2} % of pixels",
        100.0 * found as f64 / n.max(1) as f64,
        100.0 * area / pixels.max(1.0)
    );
}

fn bands(count: u64, backgrounds: &str) {
    let mut paths: Vec<_> = std::fs::read_dir(backgrounds)
        .expect("readable folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "jpg"))
        .collect();
    paths.sort();
    let bg: Vec<image::RgbImage> = paths
        .into_iter()
        .map(|p| image::open(p).expect("a photo").to_rgb8())
        .collect();
    let (mut codes, mut covered, mut by_score) = (0, 0, [0usize; 3]);
    for index in 0..count {
        let s = scene(SceneKind::Bands, 1, index, &bg, (1600, 1200));
        let rgb = image::load_from_memory(&s.jpeg).expect("decodes").to_rgb8();
        let found = code::find(&rgb).expect("the finder runs");
        for (k, (kind, _)) in s.parts.iter().enumerate() {
            if *kind != PartKind::Code {
                continue;
            }
            codes += 1;
            let part = k as u32 + 1;
            let (mut ink, mut hit) = (0usize, vec![0usize; found.len()]);
            for (i, &p) in s.ink.iter().enumerate() {
                if p != part {
                    continue;
                }
                ink += 1;
                let (x, y) = (
                    (i as u32 % s.width) as f32 + 0.5,
                    (i as u32 / s.width) as f32 + 0.5,
                );
                for (j, f) in found.iter().enumerate() {
                    let b = f.bbox;
                    if x >= b.x && x < b.x2() && y >= b.y && y < b.y2() {
                        hit[j] += 1;
                    }
                }
            }
            let best = hit.iter().enumerate().max_by_key(|h| h.1);
            match best {
                Some((j, &h)) if h * 10 >= ink * 9 => {
                    covered += 1;
                    let s = found[j].score;
                    by_score[if s >= 1.0 {
                        0
                    } else if s > 0.45 {
                        1
                    } else {
                        2
                    }] += 1;
                }
                _ => {
                    let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
                    for (i, _) in s.ink.iter().enumerate().filter(|p| *p.1 == part) {
                        let (x, y) = (i as u32 % s.width, i as u32 / s.width);
                        (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
                    }
                    println!("scene {index} part {part}: code at {x0},{y0}-{x1},{y1} not covered")
                }
            }
        }
    }
    println!(
        "codes {codes}, covered {covered} (decoded {}, bars {}, modules {})",
        by_score[0], by_score[1], by_score[2]
    );
}
