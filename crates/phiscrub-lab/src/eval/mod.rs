//! `phiscrub-lab eval faces`: how well the scrubber covers labelled faces.
//!
//! Scores come from what the scrubber filled (its exported `filled`
//! rectangles), not from the detector's raw boxes, so padding and refusals
//! count as the user would see them.

pub mod text;

use phiscrub::geometry::Rect;
use phiscrub::scrub::Scrubber;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Instant;

/// One line of a truth file: `{"file": "a.jpg", "boxes": [[x, y, w, h], ...]}`,
/// with an optional `"ignore"` list of boxes that count neither as hits nor
/// as misses (and whose fills are not false alarms).
///
/// ```
/// let t: phiscrub_lab::eval::Truth =
///     serde_json::from_str(r#"{"file": "a.jpg", "boxes": [[10, 20, 30, 40]]}"#).unwrap();
/// assert_eq!(t.boxes[0], [10.0, 20.0, 30.0, 40.0]);
/// assert!(t.ignore.is_empty());
/// ```
#[derive(Clone, Debug, Deserialize)]
pub struct Truth {
    /// The image, relative to the `--images` folder.
    pub file: String,
    /// The labelled faces, `[x, y, width, height]` in pixels of the upright
    /// image (EXIF orientation applied), as the fills are; each must have area.
    pub boxes: Vec<[f32; 4]>,
    /// Boxes in the same form that are scored neither way (e.g. a face on a
    /// poster); empty when the line has no `"ignore"`.
    #[serde(default)]
    pub ignore: Vec<[f32; 4]>,
}

/// Reads a truth file (JSON lines). Errors name the line.
///
/// ```
/// use phiscrub_lab::eval::read_truth;
/// # use std::path::Path;
/// let fixtures = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures"));
/// let truth = read_truth(&fixtures.join("faces.jsonl"))?;
/// assert_eq!(truth[0].file, "grace_hopper.jpg");
/// assert_eq!(truth[0].boxes, [[170.0, 150.0, 180.0, 170.0]]);
///
/// // A box with no area is reported with the file and line it is on.
/// let dir = tempfile::tempdir()?;
/// let bad = dir.path().join("truth.jsonl");
/// std::fs::write(&bad, "\n{\"file\": \"a.jpg\", \"boxes\": [[10, 20, 0, 40]]}\n")?;
/// let err = read_truth(&bad).unwrap_err();
/// assert!(err.contains("truth.jsonl:2") && err.contains("no area"), "{err}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_truth(path: &Path) -> Result<Vec<Truth>, String> {
    read_json_lines(
        path,
        r#"{"file": "a.jpg", "boxes": [[x, y, w, h], ...]}"#,
        |t: &Truth| match t
            .boxes
            .iter()
            .chain(&t.ignore)
            .find(|b| !(b[2] > 0.0 && b[3] > 0.0))
        {
            Some(b) => Err(format!(
                "box {b:?} has no area; boxes are [x, y, width, height]"
            )),
            None => Ok(()),
        },
    )
}

/// The non-blank lines of a JSON-lines truth file, each parsed and then
/// checked by `check`; an error names the file and line and, for a line
/// that does not parse, shows the `expected` form.
pub(crate) fn read_json_lines<T: serde::de::DeserializeOwned>(
    path: &Path,
    expected: &str,
    check: impl Fn(&T) -> Result<(), String>,
) -> Result<Vec<T>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read the truth file ({e})", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = || format!("{}:{}", path.display(), i + 1);
        let t: T = serde_json::from_str(line)
            .map_err(|e| format!("{}: not a truth line ({e}); expected {expected}", at()))?;
        check(&t).map_err(|why| format!("{}: {why}", at()))?;
        out.push(t);
    }
    Ok(out)
}

/// What the scrubber did with one image.
///
/// ```
/// use phiscrub_lab::eval::{score, Outcome, Truth};
/// use phiscrub::Rect;
/// let face = |file: &str| Truth {
///     file: file.into(),
///     boxes: vec![[10.0, 10.0, 20.0, 20.0]],
///     ignore: vec![],
/// };
/// let outcomes = [
///     Outcome::Exported {
///         width: 100,
///         height: 100,
///         filled: vec![Rect { x0: 5, y0: 5, x1: 35, y1: 35, ..Default::default() }],
///     },
///     Outcome::NotExported { refused: true, why: "b.jpg: a face remains".into() },
/// ];
/// let s = score(&[face("a.jpg"), face("b.jpg")], &outcomes);
/// assert_eq!((s.exported, s.refused, s.failed), (1, 1, 0));
/// // The refused image's face is counted apart, not as a miss.
/// assert_eq!(s.faces_in_unexported, 1);
/// assert_eq!(s.overall.recall, Some(1.0));
/// ```
#[derive(Clone, Debug)]
pub enum Outcome {
    /// Scrubbed and exportable.
    Exported {
        /// Width of the upright output image, in pixels.
        width: u32,
        /// Height of the upright output image, in pixels.
        height: u32,
        /// The regions the scrubber filled (faces with their padding), in
        /// upright-image pixels: what the truth boxes are scored against.
        filled: Vec<Rect>,
    },
    /// Refused or unreadable, with the message.
    NotExported {
        /// True when the image was read but refused as not safe; false when
        /// it was missing, unreadable or hit an internal fault (failed).
        refused: bool,
        /// The message, beginning with the image's path.
        why: String,
    },
}

/// Face-size buckets (longer side of the true box, pixels).
///
/// ```
/// use phiscrub_lab::eval::{score, BUCKETS};
/// // A 40 × 50 face falls in the bucket of its longer side.
/// let size = 40f32.max(50.0);
/// let bucket = BUCKETS.iter().find(|b| b.0 <= size && size < b.1).unwrap();
/// assert_eq!(bucket.2, "32-64");
/// // The buckets follow on from each other, so every size has one.
/// assert!(BUCKETS.windows(2).all(|w| w[0].1 == w[1].0));
/// // Scores come with one recall per bucket, in this order.
/// let s = score(&[], &[]);
/// let names: Vec<&str> = s.by_size.iter().map(|(name, _)| name.as_str()).collect();
/// assert_eq!(names, BUCKETS.map(|b| b.2));
/// ```
pub const BUCKETS: [(f32, f32, &str); 5] = [
    (0.0, 16.0, "<16"),
    (16.0, 32.0, "16-32"),
    (32.0, 64.0, "32-64"),
    (64.0, 128.0, "64-128"),
    (128.0, f32::INFINITY, ">=128"),
];

/// A true face is covered when at least this share of its box is filled.
///
/// ```
/// use phiscrub_lab::eval::{score, Outcome, Truth, COVERED};
/// use phiscrub::Rect;
/// let truth = [Truth {
///     file: "a.jpg".into(),
///     boxes: vec![[0.0, 0.0, 10.0, 10.0]],
///     ignore: vec![],
/// }];
/// // Fill the first `columns` of the 10 × 10 face.
/// let filled = |columns| Outcome::Exported {
///     width: 20,
///     height: 20,
///     filled: vec![Rect { x0: 0, y0: 0, x1: columns, y1: 10, ..Default::default() }],
/// };
/// assert_eq!(COVERED, 0.9);
/// assert_eq!(score(&truth, &[filled(9)]).overall.covered, 1);
/// assert_eq!(score(&truth, &[filled(8)]).overall.covered, 0);
/// ```
pub const COVERED: f32 = 0.9;

/// Recall for one group of faces.
///
/// ```
/// use phiscrub_lab::eval::{score, Outcome, Recall, Truth};
/// use phiscrub::Rect;
/// // Two small faces; the fill covers the first.
/// let truth = [Truth {
///     file: "a.jpg".into(),
///     boxes: vec![[0.0, 0.0, 10.0, 10.0], [50.0, 50.0, 10.0, 10.0]],
///     ignore: vec![],
/// }];
/// let fill = Rect { x0: 0, y0: 0, x1: 10, y1: 10, ..Default::default() };
/// let s = score(&truth, &[Outcome::Exported { width: 100, height: 100, filled: vec![fill] }]);
/// let r: &Recall = &s.overall;
/// assert_eq!((r.faces, r.covered, r.recall), (2, 1, Some(0.5)));
/// // No face of 24 px or more: no recall at all, rather than 0 or 1.
/// assert_eq!(s.ge24, Recall { faces: 0, covered: 0, recall: None });
/// ```
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Recall {
    /// True faces in the group (ignored boxes and unexported images excluded).
    pub faces: usize,
    /// Of `faces`, those with at least [`COVERED`] of their box filled.
    pub covered: usize,
    /// `covered / faces`, or `None` without faces.
    pub recall: Option<f64>,
}

impl Recall {
    fn add(&mut self, hit: bool) {
        self.faces += 1;
        self.covered += usize::from(hit);
        self.recall = Some(self.covered as f64 / self.faces as f64);
    }
}

/// The scores of a face evaluation.
///
/// ```
/// use phiscrub_lab::eval::{score, FaceScores, Outcome, Truth};
/// use phiscrub::Rect;
/// let rect = |x0, y0, x1, y1| Rect { x0, y0, x1, y1, ..Default::default() };
/// let truth = [Truth {
///     file: "a.jpg".into(),
///     boxes: vec![[20.0, 20.0, 40.0, 40.0]],
///     ignore: vec![],
/// }];
/// // One fill over the face, and a stray one in the corner of a 100 × 100 image.
/// let filled = vec![rect(15, 15, 65, 65), rect(90, 90, 100, 100)];
/// let s: FaceScores = score(&truth, &[Outcome::Exported { width: 100, height: 100, filled }]);
/// assert_eq!((s.images, s.exported, s.fills), (1, 1, 2));
/// assert_eq!(s.overall.recall, Some(1.0));
/// assert_eq!(s.by_size[2].0, "32-64");
/// assert_eq!(s.by_size[2].1.covered, 1);
/// // Half the fills are over a face, and the stray one is 1 % of the image.
/// assert_eq!(s.precision, Some(0.5));
/// assert!((s.false_area.unwrap() - 0.01).abs() < 1e-9);
/// // `phiscrub-lab eval faces --json` prints this as JSON.
/// let json = serde_json::to_value(&s)?;
/// assert_eq!(json["overall"]["faces"], 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, Serialize)]
pub struct FaceScores {
    /// Truth lines scored, one image each.
    pub images: usize,
    /// Images the scrubber exported; only these are scored for recall and
    /// false alarms.
    pub exported: usize,
    /// Images read but refused as not safe to export (something still
    /// detected after filling, several pictures in one file, ...).
    pub refused: usize,
    /// Images missing, unreadable, or hit by an internal fault.
    pub failed: usize,
    /// Faces in images that were not exported (nothing leaked, but the user
    /// lost the picture).
    pub faces_in_unexported: usize,
    /// Over exported images.
    pub overall: Recall,
    /// Faces of 24 px and more.
    pub ge24: Recall,
    /// One recall per [`BUCKETS`] entry, in that order, named by the bucket
    /// (longer side of the true box, pixels).
    pub by_size: Vec<(String, Recall)>,
    /// Filled rectangles (exported images).
    pub fills: usize,
    /// Share of fills covering at least half of some true or ignored face.
    pub precision: Option<f64>,
    /// Share of exported image area filled with no true face under it (true
    /// and ignored boxes are widened by half their size on each side first:
    /// padding around a face is expected).
    pub false_area: Option<f64>,
    /// Wall-clock seconds [`faces`] took, reading and scrubbing included; 0
    /// from [`score`] alone.
    pub seconds: f64,
}

/// Scrubs every image of `truth` from `images` (in parallel on `threads`
/// workers) and scores the result.
///
/// ```
/// use phiscrub_lab::eval::{faces, read_truth, Outcome};
/// use phiscrub::{Config, Scrubber};
/// # use std::path::Path;
/// let fixtures = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures"));
/// // Two portraits with a labelled face each, a cat and a rocket.
/// let truth = read_truth(&fixtures.join("faces.jsonl"))?;
/// // Faces only, as `phiscrub-lab eval faces` runs: text fills would count as
/// // false alarms.
/// let config = Config { detect_text: false, detect_codes: false, ..Config::default() };
/// let scrubber = Scrubber::new(config)?;
/// let (scores, outcomes) = faces(&scrubber, &fixtures.join("photos"), &truth, 2)?;
/// assert_eq!((scores.images, scores.exported), (4, 4));
/// assert_eq!((scores.overall.faces, scores.overall.covered), (2, 2));
/// // Each portrait also gets one false fill, on the cap badge the enlarged
/// // look at small photos takes for a face.
/// assert!(scores.precision.unwrap() >= 0.6);
/// // One outcome per truth line, in the same order.
/// match &outcomes[0] {
///     Outcome::Exported { width, height, filled } => {
///         assert_eq!((*width, *height), (512, 600));
///         assert!(!filled.is_empty());
///     }
///     Outcome::NotExported { why, .. } => panic!("not exported: {why}"),
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn faces(
    scrubber: &Scrubber,
    images: &Path,
    truth: &[Truth],
    threads: usize,
) -> Result<(FaceScores, Vec<Outcome>), String> {
    let start = Instant::now();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| format!("could not start worker threads: {e}"))?;
    let outcomes: Vec<Outcome> = pool.install(|| {
        truth
            .par_iter()
            .map(|t| {
                let path = images.join(&t.file);
                let bytes = match std::fs::read(&path) {
                    Ok(b) => b,
                    Err(e) => {
                        return Outcome::NotExported {
                            refused: false,
                            why: format!("{}: {}", path.display(), phiscrub::walk::describe_io(&e)),
                        };
                    }
                };
                match scrubber.scrub(&bytes) {
                    Ok(s) => Outcome::Exported {
                        width: s.width,
                        height: s.height,
                        filled: s.filled,
                    },
                    Err(e) => Outcome::NotExported {
                        refused: matches!(e, phiscrub::error::ScrubError::Refused(_)),
                        why: format!("{}: {e}", path.display()),
                    },
                }
            })
            .collect()
    });
    let mut scores = score(truth, &outcomes);
    scores.seconds = start.elapsed().as_secs_f64();
    Ok((scores, outcomes))
}

/// Scores outcomes (in the order of `truth`) against the truth.
///
/// ```
/// use phiscrub_lab::eval::{score, Outcome, Truth};
/// use phiscrub::Rect;
/// // A face, and a box to ignore (a face on a poster, say).
/// let truth = [Truth {
///     file: "a.jpg".into(),
///     boxes: vec![[10.0, 10.0, 30.0, 30.0]],
///     ignore: vec![[60.0, 10.0, 30.0, 30.0]],
/// }];
/// let over = |x0| Rect { x0, y0: 5, x1: x0 + 40, y1: 45, ..Default::default() };
/// // Both filled: the ignored one is not a false alarm.
/// let both = Outcome::Exported { width: 100, height: 100, filled: vec![over(5), over(55)] };
/// let s = score(&truth, &[both]);
/// assert_eq!((s.overall.faces, s.overall.covered), (1, 1));
/// assert_eq!(s.precision, Some(1.0));
/// // Neither filled: the face is a miss, and the ignored box still does not count.
/// let none = Outcome::Exported { width: 100, height: 100, filled: vec![] };
/// let s = score(&truth, &[none]);
/// assert_eq!((s.overall.faces, s.overall.recall), (1, Some(0.0)));
/// assert_eq!(s.precision, None);
/// ```
pub fn score(truth: &[Truth], outcomes: &[Outcome]) -> FaceScores {
    let mut s = FaceScores {
        images: truth.len(),
        by_size: BUCKETS
            .iter()
            .map(|b| (b.2.to_string(), Recall::default()))
            .collect(),
        ..FaceScores::default()
    };
    let (mut correct_fills, mut false_px, mut all_px) = (0usize, 0u64, 0u64);
    for (t, o) in truth.iter().zip(outcomes) {
        let (width, height, filled) = match o {
            Outcome::Exported {
                width,
                height,
                filled,
            } => (*width, *height, filled),
            Outcome::NotExported { refused, .. } => {
                if *refused {
                    s.refused += 1;
                } else {
                    s.failed += 1;
                }
                s.faces_in_unexported += t.boxes.len();
                continue;
            }
        };
        s.exported += 1;
        let mask = Mask::new(width, height, filled);
        for b in &t.boxes {
            let hit = mask.share_of(b) >= COVERED;
            s.overall.add(hit);
            let size = b[2].max(b[3]);
            if size >= 24.0 {
                s.ge24.add(hit);
            }
            if let Some(k) = BUCKETS
                .iter()
                .position(|&(lo, hi, _)| lo <= size && size < hi)
            {
                s.by_size[k].1.add(hit);
            }
        }
        let faces: Vec<&[f32; 4]> = t.boxes.iter().chain(&t.ignore).collect();
        for r in filled {
            s.fills += 1;
            let one = Mask::new(width, height, std::slice::from_ref(r));
            if faces.iter().any(|b| one.share_of(b) >= 0.5) {
                correct_fills += 1;
            }
        }
        let allowed = Mask::from_boxes(
            width,
            height,
            faces.iter().map(|b| {
                let (mx, my) = (b[2] / 2.0, b[3] / 2.0);
                [b[0] - mx, b[1] - my, b[2] + 2.0 * mx, b[3] + 2.0 * my]
            }),
        );
        false_px += mask.count_outside(&allowed);
        all_px += width as u64 * height as u64;
    }
    s.precision = (s.fills > 0).then(|| correct_fills as f64 / s.fills as f64);
    s.false_area = (all_px > 0).then(|| false_px as f64 / all_px as f64);
    s
}

/// A per-pixel mask of an image.
struct Mask {
    width: u32,
    height: u32,
    bits: Vec<bool>,
}

impl Mask {
    fn new(width: u32, height: u32, rects: &[Rect]) -> Mask {
        let mut m = Mask {
            width,
            height,
            bits: vec![false; width as usize * height as usize],
        };
        for r in rects {
            for y in r.y0..r.y1.min(height) {
                if let Some((a, b)) = r.row_span(y) {
                    m.set(a, y, b.min(width), y + 1);
                }
            }
        }
        m
    }

    fn from_boxes(width: u32, height: u32, boxes: impl Iterator<Item = [f32; 4]>) -> Mask {
        let mut m = Mask::new(width, height, &[]);
        for b in boxes {
            let (x0, y0, x1, y1) = m.pixels(&b);
            m.set(x0, y0, x1, y1);
        }
        m
    }

    fn set(&mut self, x0: u32, y0: u32, x1: u32, y1: u32) {
        for y in y0..y1 {
            let row = y as usize * self.width as usize;
            self.bits[row + x0 as usize..row + x1 as usize].fill(true);
        }
    }

    /// The whole pixels a box touches, clipped to the image.
    fn pixels(&self, b: &[f32; 4]) -> (u32, u32, u32, u32) {
        let clip = |v: f32, max: u32| v.max(0.0).min(max as f32) as u32;
        (
            clip(b[0].floor(), self.width),
            clip(b[1].floor(), self.height),
            clip((b[0] + b[2]).ceil(), self.width),
            clip((b[1] + b[3]).ceil(), self.height),
        )
    }

    /// Share of the box's pixels that are set (a box outside the image: 0).
    fn share_of(&self, b: &[f32; 4]) -> f32 {
        let (x0, y0, x1, y1) = self.pixels(b);
        let total = (x1 - x0) as u64 * (y1 - y0) as u64;
        if total == 0 {
            return 0.0;
        }
        let mut set = 0u64;
        for y in y0..y1 {
            let row = y as usize * self.width as usize;
            set += self.bits[row + x0 as usize..row + x1 as usize]
                .iter()
                .filter(|&&v| v)
                .count() as u64;
        }
        (set as f64 / total as f64) as f32
    }

    fn count_outside(&self, other: &Mask) -> u64 {
        self.bits
            .iter()
            .zip(&other.bits)
            .filter(|&(&a, &b)| a && !b)
            .count() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rect(x0: u32, y0: u32, x1: u32, y1: u32) -> Rect {
        Rect::boxed(x0, y0, x1, y1)
    }

    fn truth(boxes: Vec<[f32; 4]>) -> Truth {
        Truth {
            file: "a.jpg".into(),
            boxes,
            ignore: Vec::new(),
        }
    }

    #[test]
    fn a_face_counts_as_covered_from_ninety_percent() {
        let t = [truth(vec![
            [10.0, 10.0, 10.0, 10.0],
            [50.0, 50.0, 10.0, 10.0],
        ])];
        // First face: 9 of 10 columns filled; second: 8 of 10.
        let o = [Outcome::Exported {
            width: 100,
            height: 100,
            filled: vec![rect(10, 10, 19, 20), rect(50, 50, 58, 60)],
        }];
        let s = score(&t, &o);
        assert_eq!((s.overall.faces, s.overall.covered), (2, 1));
        assert_eq!(s.by_size[0].1.faces, 2);
        assert_eq!(s.ge24.faces, 0);
        assert_eq!(s.precision, Some(1.0));
    }

    #[test]
    fn fills_away_from_faces_are_false_alarms_and_cost_area() {
        let t = [truth(vec![[10.0, 10.0, 10.0, 10.0]])];
        let o = [Outcome::Exported {
            width: 100,
            height: 100,
            filled: vec![rect(5, 5, 25, 25), rect(80, 80, 90, 90)],
        }];
        let s = score(&t, &o);
        assert_eq!(s.precision, Some(0.5));
        // The first fill lies within the face widened by half each side; the
        // second is 100 false pixels of 10 000.
        assert!((s.false_area.unwrap() - 0.01).abs() < 1e-9);
    }

    #[test]
    fn unexported_images_are_counted_apart_from_recall() {
        let t = [truth(vec![[0.0, 0.0, 30.0, 30.0]]), truth(vec![])];
        let o = [
            Outcome::NotExported {
                refused: true,
                why: "x".into(),
            },
            Outcome::Exported {
                width: 10,
                height: 10,
                filled: vec![],
            },
        ];
        let s = score(&t, &o);
        assert_eq!((s.refused, s.exported, s.faces_in_unexported), (1, 1, 1));
        assert_eq!(s.overall.recall, None);
        assert_eq!(s.precision, None);
    }

    #[test]
    fn truth_lines_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.jsonl");
        std::fs::write(&p, "{\"file\": \"a.jpg\", \"boxes\": [[1, 2, 0, 4]]}\n").unwrap();
        assert!(read_truth(&p).unwrap_err().contains("t.jsonl:1"));
        std::fs::write(&p, "\n{\"file\": \"a.jpg\"}\n").unwrap();
        assert!(read_truth(&p).unwrap_err().contains("t.jsonl:2"));
    }
}
