//! Measures how much a CenterFace box must grow to cover labelled faces:
//! for every true face matched to a detection, the scale about the box's
//! centre needed on each side. Prints percentiles.
//!
//! Usage: padding_need IMAGES_DIR LABELS.jsonl
use phiscrub::detect::face::CenterFace;
use phiscrub::{Config, FaceDetect};

fn pct(v: &mut [f32], p: f32) -> f32 {
    v.sort_by(f32::total_cmp);
    v[((v.len() - 1) as f32 * p).round() as usize]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let truth = phiscrub_lab::eval::read_truth(std::path::Path::new(&args[2])).unwrap();
    let mut det = CenterFace::new(2, Config::default().scale_params()).unwrap();
    let (mut left, mut right, mut top, mut bottom) = (vec![], vec![], vec![], vec![]);
    let (mut sx, mut sy) = (vec![], vec![]);
    let mut unmatched = 0;
    for t in &truth {
        let img = image::open(format!("{}/{}", args[1], t.file))
            .unwrap()
            .to_rgb8();
        let found = det.detect(&img, 0.2).unwrap();
        for b in &t.boxes {
            let tb = phiscrub::BoxF::new(b[0], b[1], b[2], b[3]);
            let best = found
                .iter()
                .max_by(|a, c| a.bbox.iou(&tb).total_cmp(&c.bbox.iou(&tb)));
            let Some(f) = best.filter(|f| f.bbox.iou(&tb) >= 0.3) else {
                unmatched += 1;
                continue;
            };
            let (cx, cy) = f.bbox.center();
            let (hw, hh) = (f.bbox.w / 2.0, f.bbox.h / 2.0);
            let (l, r) = ((cx - tb.x) / hw, (tb.x2() - cx) / hw);
            let (u, d) = ((cy - tb.y) / hh, (tb.y2() - cy) / hh);
            left.push(l);
            right.push(r);
            top.push(u);
            bottom.push(d);
            sx.push(l.max(r));
            sy.push(u.max(d));
        }
    }
    println!("matched {} true faces, {unmatched} unmatched", sx.len());
    println!("share of the detection's half-size needed to reach each truth edge:");
    for (name, v) in [
        ("left", &mut left),
        ("right", &mut right),
        ("top", &mut top),
        ("bottom", &mut bottom),
        ("sym x", &mut sx),
        ("sym y", &mut sy),
    ] {
        println!(
            "  {name:7} p50 {:.2}  p80 {:.2}  p90 {:.2}  p95 {:.2}  p98 {:.2}",
            pct(v, 0.5),
            pct(v, 0.8),
            pct(v, 0.9),
            pct(v, 0.95),
            pct(v, 0.98)
        );
    }
}
