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
///
/// ```
/// use phiscrub::verify::residual;
/// use phiscrub::{BoxF, Finding, FindingKind, Rect};
/// // A face found again at (20, 20), 40 × 40: its central half is 30..50.
/// let face = Finding::new(FindingKind::Face, BoxF::new(20.0, 20.0, 40.0, 40.0), 0.8);
/// let whole = Rect { x0: 10, y0: 10, x1: 70, y1: 70, ..Default::default() };
/// let top = Rect { x0: 10, y0: 10, x1: 70, y1: 40, ..Default::default() };
/// // Filled over: nothing left to worry about.
/// assert!(residual(vec![face.clone()], &[whole], 100, 100).is_empty());
/// // Only the eyes filled: the rest of the face still shows.
/// assert_eq!(residual(vec![face.clone()], &[top], 100, 100), vec![face.clone()]);
/// assert_eq!(residual(vec![face.clone()], &[], 100, 100), vec![face]);
/// ```
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
///
/// ```
/// use phiscrub::verify::{unexplained, JUDGED_FLOOR};
/// use phiscrub::{BoxF, Config, Finding, FindingKind};
/// let check = Config::default().verify_threshold;
/// // The detection stage asks the detector for everything above this score.
/// let floor = check * JUDGED_FLOOR;
/// assert!(0.0 < floor && floor < check);
/// // A candidate seen there just under the threshold is recorded as judged,
/// let before = Finding::new(FindingKind::Face, BoxF::new(10.0, 10.0, 30.0, 30.0), check - 0.01);
/// assert!(before.score >= floor);
/// // so when encoding lifts it just over the threshold, it is recognised.
/// let after = Finding { score: check + 0.01, ..before.clone() };
/// assert!(unexplained(vec![after], &[before]).is_empty());
/// ```
pub const JUDGED_FLOOR: f32 = 0.7;

/// How much a candidate's score may rise between the detection stage and the
/// encoded output and still count as the same judgement: re-encoding moves
/// weak candidates' scores a little (more at lower JPEG quality), and this
/// bounds the move a candidate may make and still be the one already
/// judged.
///
/// ```
/// use phiscrub::verify::{unexplained, SCORE_JITTER};
/// use phiscrub::{BoxF, Finding, FindingKind};
/// let seen = Finding::new(FindingKind::Face, BoxF::new(10.0, 10.0, 30.0, 30.0), 0.15);
/// // Risen by less than the jitter: the same weak candidate.
/// let jittered = Finding { score: 0.15 + SCORE_JITTER / 2.0, ..seen.clone() };
/// // Risen by more: something the output shows that the input did not.
/// let risen = Finding { score: 0.15 + 2.0 * SCORE_JITTER, ..seen.clone() };
/// assert_eq!(unexplained(vec![jittered, risen.clone()], &[seen]), vec![risen]);
/// ```
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
///
/// ```
/// use phiscrub::verify::unexplained;
/// use phiscrub::{BoxF, Finding, FindingKind};
/// // Left alone before encoding: a weak face candidate at (10, 10).
/// let judged = [Finding::new(FindingKind::Face, BoxF::new(10.0, 10.0, 30.0, 30.0), 0.17)];
/// // After encoding: the same candidate, moved by 2 px and scoring a little more,
/// let same = Finding::new(FindingKind::Face, BoxF::new(12.0, 10.0, 30.0, 30.0), 0.18);
/// // a face somewhere else, and text where the candidate was.
/// let elsewhere = Finding::new(FindingKind::Face, BoxF::new(60.0, 60.0, 30.0, 30.0), 0.18);
/// let text = Finding::new(FindingKind::Text, BoxF::new(10.0, 10.0, 30.0, 30.0), 0.18);
/// let refuse = unexplained(vec![same, elsewhere.clone(), text.clone()], &judged);
/// assert_eq!(refuse, vec![elsewhere, text]);
/// ```
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
