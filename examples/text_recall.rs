//! How many labelled text regions the text detector's boxes cover (at
//! least 90 % of each region's bounding box inside detected boxes), on a set
//! labelled like `../shared/data/text` (`{"file", "boxes": [[x, y, w, h]]}`).
//!
//! `cargo run --release --example text_recall -- IMAGES_DIR LABELS.jsonl`
use phiscrub::detect::text::{TextDetector, TextParams};
use phiscrub::TextDetect;

#[derive(serde::Deserialize)]
struct Line {
    file: String,
    boxes: Vec<[f32; 4]>,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let truth: Vec<Line> = std::fs::read_to_string(&args[2])
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut det = TextDetector::new(2, TextParams::default()).unwrap();
    let (mut regions, mut covered, mut boxed_px, mut all_px) = (0, 0, 0f64, 0f64);
    let t = std::time::Instant::now();
    for tr in &truth {
        let img = image::open(format!("{}/{}", args[1], tr.file))
            .unwrap()
            .to_rgb8();
        let found = det
            .detect(&img, TextParams::default().box_threshold)
            .unwrap();
        let inside = |x: f32, y: f32| {
            found
                .iter()
                .any(|f| x >= f.bbox.x && x < f.bbox.x2() && y >= f.bbox.y && y < f.bbox.y2())
        };
        for b in &tr.boxes {
            let (mut n, mut hit) = (0u32, 0u32);
            let mut y = b[1] + 0.5;
            while y < b[1] + b[3] {
                let mut x = b[0] + 0.5;
                while x < b[0] + b[2] {
                    n += 1;
                    hit += inside(x, y) as u32;
                    x += 1.0;
                }
                y += 1.0;
            }
            regions += 1;
            covered += (hit as f32 >= 0.9 * n.max(1) as f32) as u32;
        }
        boxed_px += found.iter().map(|f| f.bbox.area() as f64).sum::<f64>();
        all_px += (img.width() * img.height()) as f64;
    }
    println!(
        "{} images, {regions} regions, {covered} covered ({:.3}); boxes cover {:.3} of the image area; {:.1} s",
        truth.len(),
        covered as f64 / regions as f64,
        boxed_px / all_px,
        t.elapsed().as_secs_f64()
    );
}
