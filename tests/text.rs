//! The PP-OCRv4 text detector on real text. (The scrubber does not redact
//! text yet; these tests hold the detector to what issue 5 will build on.)

mod common;

use common::*;
use phiscrub::detect::text::{TextDetector, TextParams};
use phiscrub::FindingKind;

/// Lines of `fixtures/text/page.png` (384×191, a photographed textbook
/// page), hand-labelled as (x, y, w, h): the heading, five lines of body
/// text, and the code line at the bottom.
const PAGE_LINES: [(u32, u32, u32, u32); 7] = [
    (8, 12, 280, 20),
    (6, 48, 370, 12),
    (6, 66, 370, 12),
    (6, 84, 370, 12),
    (6, 102, 370, 12),
    (6, 120, 168, 12),
    (28, 178, 210, 10),
];

#[test]
fn every_line_of_a_printed_page_is_found() {
    let img = rgb(&fixture("text/page.png"));
    let mut det = TextDetector::new(1, TextParams::default()).unwrap();
    let found = det.detect(&img).unwrap();
    assert!(found.iter().all(|f| f.kind == FindingKind::Text));
    for (i, &(x, y, w, h)) in PAGE_LINES.iter().enumerate() {
        // Share of the line's pixels inside some detected box.
        let mut inside = 0;
        for yy in y..y + h {
            for xx in x..x + w {
                let (px, py) = (xx as f32 + 0.5, yy as f32 + 0.5);
                inside += found.iter().any(|f| {
                    px >= f.bbox.x && px < f.bbox.x2() && py >= f.bbox.y && py < f.bbox.y2()
                }) as u32;
            }
        }
        let share = inside as f32 / (w * h) as f32;
        assert!(
            share >= 0.9,
            "line {i} {:?}: {share:.2} inside boxes",
            (x, y, w, h)
        );
    }
}
