//! Which faces found again in an encoded output mean it must not be written.
//! (The structural checks on the output live with the scrubber, which knows
//! what the output should be.)

use crate::detect::Finding;
use crate::geometry::Rect;
use crate::redact::covered_fraction;

/// A re-detected finding counts as covered when at least this share of its
/// central half ([`Finding::core`]) is filled: a face's eyes, nose and mouth
/// lie there, and a line of text cut short by a fill shows at its ends.
const CENTRAL_COVER: f32 = 0.9;

/// The re-detected findings that the fills do not cover.
pub fn residual(found: Vec<Finding>, fills: &[Rect], width: u32, height: u32) -> Vec<Finding> {
    found
        .into_iter()
        .filter(|f| match f.core(width, height) {
            Some(core) => covered_fraction(&core, fills) < CENTRAL_COVER,
            None => false,
        })
        .collect()
}

/// The detection stage records candidates down to this fraction of the
/// verification threshold, so that one just under it before encoding and just
/// over it after can be recognised.
pub const JUDGED_FLOOR: f32 = 0.7;

/// How much a candidate's score may rise between the detection stage and the
/// encoded output and still count as the same judgement. Re-encoding at JPEG
/// quality 95 moves weak candidates by 0.003 on average (95 % within ±0.006,
/// measured on the shared face set); quality 92 by 0.011.
pub const SCORE_JITTER: f32 = 0.03;

/// Boxes of the same candidate seen twice overlap at least this much.
const SAME_PLACE_IOU: f32 = 0.3;

/// The uncovered candidates verification must refuse.
///
/// Every uncovered candidate above the verification threshold refuses the
/// image, with one exception: encoding moves weak scores a little, so one that
/// the detection stage saw at the same place at or below the verification
/// threshold (`judged`), and whose score has risen by at most
/// [`SCORE_JITTER`], is the same weak candidate, not a new face.
pub fn unexplained(uncovered: Vec<Finding>, judged: &[Finding]) -> Vec<Finding> {
    uncovered
        .into_iter()
        .filter(|f| {
            !judged
                .iter()
                .any(|j| same(f, j) && f.score <= j.score + SCORE_JITTER)
        })
        .collect()
}

/// The same kind at about the same place, whatever the scores.
fn same(a: &Finding, b: &Finding) -> bool {
    a.kind == b.kind && a.bbox.iou(&b.bbox) >= SAME_PLACE_IOU
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::FindingKind;
    use crate::geometry::BoxF;

    fn face(x: f32, y: f32, w: f32, h: f32) -> Finding {
        Finding::new(FindingKind::Face, BoxF::new(x, y, w, h), 0.3)
    }

    #[test]
    fn judged_candidates_are_explained_unless_they_rose_or_moved() {
        // Seen before encoding just under a verification threshold of 0.15.
        let mut seen = face(10.0, 10.0, 20.0, 20.0);
        seen.score = 0.14;
        let judged = vec![seen];
        let mut same = face(11.0, 10.0, 20.0, 20.0);
        same.score = 0.16;
        let mut risen = same.clone();
        risen.score = 0.2;
        let elsewhere = face(60.0, 60.0, 20.0, 20.0);
        let left = unexplained(vec![same, risen.clone(), elsewhere.clone()], &judged);
        assert_eq!(left, vec![risen, elsewhere]);
    }

    #[test]
    fn a_slanted_line_half_filled_is_residual_and_a_filled_one_is_not() {
        // A line rising at 45° from (10, 60) to (60, 10), 8 px thick.
        let mut line = Finding::new(FindingKind::Text, BoxF::new(7.0, 7.0, 56.0, 56.0), 0.8);
        line.outline = Some([[7.0, 58.0], [58.0, 7.0], [63.0, 12.0], [12.0, 63.0]]);
        let whole = Rect::from_quad(line.outline.unwrap(), 100, 100).unwrap();
        // Filled along its outline: covered, though its box is mostly empty.
        assert!(residual(vec![line.clone()], &[whole], 100, 100).is_empty());
        // Only the lower-left half filled: the rest is readable.
        let half = Rect {
            x0: 0,
            y0: 35,
            x1: 35,
            y1: 100,
            ..Default::default()
        };
        assert_eq!(residual(vec![line.clone()], &[half], 100, 100), vec![line]);
    }

    #[test]
    fn a_face_on_a_fill_is_not_residual_but_one_beside_it_is() {
        let fill = Rect {
            x0: 10,
            y0: 10,
            x1: 50,
            y1: 50,
            ..Default::default()
        };
        let on = face(5.0, 5.0, 50.0, 50.0);
        let beside = face(60.0, 10.0, 30.0, 30.0);
        // Fill covers only the lower part of this face: its eyes show.
        let half = face(10.0, -10.0, 40.0, 40.0);
        let left = residual(vec![on, beside.clone(), half.clone()], &[fill], 100, 100);
        assert_eq!(left.len(), 2);
        assert_eq!(left[0], beside);
        assert_eq!(left[1], half);
    }
}
