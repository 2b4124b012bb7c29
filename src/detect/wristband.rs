//! Wristbands and labels: text and codes that sit together on one strip are
//! one thing to cover. Filling each glyph box leaves the strip between them,
//! with fragments of glyphs the detector cut short; covering the whole strip
//! leaves nothing to read.
//!
//! A group forms around every code decoded or found by its bars (a square
//! the matrix finder reports only joins one: glyphs pass it too): text boxes within reach of it, or of
//! text already in the group, join. Reach scales with the size of the text
//! (line height) so that the rule holds at any distance from the camera.
//! Text without a code nearby stays text: a whiteboard is not a wristband.

use crate::detect::{Finding, FindingKind};
use crate::geometry::BoxF;

/// Gap, in multiples of the smaller line height (or code thickness), across
/// which two findings count as neighbours on one label.
const REACH: f32 = 1.5;

/// The strip around a group reaches this many median line heights beyond
/// its outermost findings.
const MARGIN: f32 = 0.5;

/// Replaces each group of codes and nearby text by one wristband finding
/// covering the strip; other findings pass through unchanged.
///
/// ```
/// use phiscrub::{BoxF, Finding, FindingKind};
/// use phiscrub::detect::wristband::group;
/// let code = Finding::new(FindingKind::Code, BoxF::new(100.0, 50.0, 80.0, 20.0), 1.0);
/// let name = Finding::new(FindingKind::Text, BoxF::new(10.0, 52.0, 85.0, 14.0), 0.8);
/// let sign = Finding::new(FindingKind::Text, BoxF::new(10.0, 400.0, 85.0, 14.0), 0.8);
/// let out = group(vec![code, name, sign], 640, 480);
/// assert_eq!(out.len(), 2);
/// let band = out.iter().find(|f| f.kind == FindingKind::Wristband).unwrap();
/// assert!(band.bbox.x < 10.0 && band.bbox.x2() > 180.0);
/// ```
pub fn group(findings: Vec<Finding>, width: u32, height: u32) -> Vec<Finding> {
    let member = |f: &Finding| matches!(f.kind, FindingKind::Text | FindingKind::Code);
    let n = findings.len();
    let mut label: Vec<Option<usize>> = vec![None; n];
    for seed in 0..n {
        let seeds = findings[seed].kind == FindingKind::Code
            && findings[seed].score > crate::detect::code::MATRIX_SCORE;
        if !seeds || label[seed].is_some() {
            continue;
        }
        label[seed] = Some(seed);
        let mut frontier = vec![seed];
        while let Some(i) = frontier.pop() {
            for j in 0..n {
                if label[j].is_none() && member(&findings[j]) && near(&findings[i], &findings[j]) {
                    label[j] = Some(seed);
                    frontier.push(j);
                }
            }
        }
    }
    let mut out = Vec::with_capacity(n);
    let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        match label[i] {
            None => out.push(f.clone()),
            Some(g) => match groups.iter_mut().find(|(s, _)| *s == g) {
                Some((_, m)) => m.push(i),
                None => groups.push((g, vec![i])),
            },
        }
    }
    for (_, members) in groups {
        // Codes with no text beside them are codes, not a label.
        if !members
            .iter()
            .any(|&i| findings[i].kind == FindingKind::Text)
        {
            out.extend(members.iter().map(|&i| findings[i].clone()));
            continue;
        }
        let mut heights: Vec<f32> = members.iter().map(|&i| thickness(&findings[i])).collect();
        heights.sort_by(f32::total_cmp);
        let m = MARGIN * heights[heights.len() / 2];
        let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        let mut score = 0f32;
        for &i in &members {
            let b = findings[i].bbox;
            x0 = x0.min(b.x);
            y0 = y0.min(b.y);
            x1 = x1.max(b.x2());
            y1 = y1.max(b.y2());
            score = score.max(findings[i].score);
        }
        let bbox = BoxF::from_corners(x0 - m, y0 - m, x1 + m, y1 + m).clipped(width, height);
        out.push(Finding::new(FindingKind::Wristband, bbox, score));
    }
    out
}

/// A finding's line height: the shorter side of its outline or box.
fn thickness(f: &Finding) -> f32 {
    match f.outline {
        Some(q) => {
            let side =
                |a: [f32; 2], b: [f32; 2]| ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt();
            side(q[0], q[1]).min(side(q[1], q[2]))
        }
        None => f.bbox.w.min(f.bbox.h),
    }
}

/// True when the gap between two findings' boxes is within reach of the
/// smaller one's line height.
fn near(a: &Finding, b: &Finding) -> bool {
    let reach = REACH * thickness(a).min(thickness(b)).max(1.0);
    let gap_x = (a.bbox.x.max(b.bbox.x) - a.bbox.x2().min(b.bbox.x2())).max(0.0);
    let gap_y = (a.bbox.y.max(b.bbox.y) - a.bbox.y2().min(b.bbox.y2())).max(0.0);
    gap_x <= reach && gap_y <= reach
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(x: f32, y: f32, w: f32, h: f32) -> Finding {
        Finding::new(FindingKind::Text, BoxF::new(x, y, w, h), 0.7)
    }

    #[test]
    fn text_chains_to_the_code_line_by_line_and_faces_stay_apart() {
        let code = Finding::new(FindingKind::Code, BoxF::new(200.0, 100.0, 60.0, 30.0), 1.0);
        let name = text(40.0, 100.0, 150.0, 12.0); // gap 10 px to the code
        let dob = text(40.0, 116.0, 90.0, 12.0); // 4 px under the name
        let far = text(40.0, 300.0, 90.0, 12.0);
        let face = Finding::new(FindingKind::Face, BoxF::new(190.0, 60.0, 40.0, 40.0), 0.9);
        let out = group(vec![name, code, dob, far.clone(), face.clone()], 640, 480);
        assert_eq!(out.len(), 3);
        assert!(out.contains(&far) && out.contains(&face));
        let band = out
            .iter()
            .find(|f| f.kind == FindingKind::Wristband)
            .unwrap();
        // Union 40..260 × 100..130, grown by half the median height (12).
        assert_eq!(band.bbox, BoxF::from_corners(34.0, 94.0, 266.0, 136.0));
    }

    #[test]
    fn text_alone_or_codes_alone_are_not_a_wristband() {
        let lines = vec![text(0.0, 0.0, 100.0, 10.0), text(0.0, 12.0, 100.0, 10.0)];
        assert_eq!(group(lines.clone(), 100, 100), lines);
        // One code found twice (decoded, and by its bars).
        let code = |x| Finding::new(FindingKind::Code, BoxF::new(x, 0.0, 60.0, 30.0), 1.0);
        let codes = vec![code(10.0), code(12.0)];
        assert_eq!(group(codes.clone(), 100, 100), codes);
    }

    #[test]
    fn a_square_of_modules_joins_a_label_but_does_not_start_one() {
        use crate::detect::code::MATRIX_SCORE;
        let square = Finding::new(
            FindingKind::Code,
            BoxF::new(120.0, 0.0, 24.0, 24.0),
            MATRIX_SCORE,
        );
        let name = text(0.0, 6.0, 110.0, 12.0);
        let alone = vec![square.clone(), name.clone()];
        assert_eq!(group(alone.clone(), 400, 100), alone);
        // With a barcode beside them, all three are one label.
        let bars = Finding::new(FindingKind::Code, BoxF::new(150.0, 0.0, 80.0, 24.0), 0.5);
        let out = group(vec![square, name, bars], 400, 100);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].kind, FindingKind::Wristband);
    }
}
