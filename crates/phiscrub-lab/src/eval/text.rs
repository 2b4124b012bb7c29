//! `phiscrub-lab eval text`: how much labelled real text the scrubber's output
//! leaves readable, judged from pixels alone with the rule of the shared
//! scorer `textcover.py`, so that the two agree on the same outputs:
//!
//! - a region's **glyph edges** are the strong gradients of the original
//!   inside its polygon (Sobel magnitude of the grey image above 40 and at
//!   least a quarter of the region's strongest);
//! - an edge **survives** where the output keeps at least half of that
//!   gradient and the pixel's value (within 30 grey levels);
//! - a region is **covered** when at most 10 % of its glyph edges survive;
//! - **area away** is the share of pixels changed by more than 40 grey
//!   levels outside every labelled region grown by half its text height.
//!
//! Images not exported (refused or unreadable) count apart: their regions
//! are not in the coverage, as for the shared scorer.

use phiscrub::scrub::Scrubber;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

/// A polygon, as `[[x, y], ...]` in pixels of the stored image.
///
/// ```
/// use phiscrub_lab::eval::text::{text_height, Poly};
/// // A line of text 100 px long and 12 px high, tilted a little.
/// let line: Poly = serde_json::from_str("[[10, 20], [110, 25], [109.4, 37], [9.4, 32]]")?;
/// assert_eq!(line[2], [109.4, 37.0]);
/// assert!((text_height(&line) - 12.0).abs() < 0.1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub type Poly = Vec<[f64; 2]>;

/// One line of the truth file:
/// `{"file": "a.jpg", "polys": [[[x, y], ...], ...], "ignore": [...], "kind": "scene"}`.
///
/// ```
/// let t: phiscrub_lab::eval::text::TextTruth = serde_json::from_str(
///     r#"{"file": "a.jpg", "polys": [[[0,0],[10,0],[10,5],[0,5]]], "kind": "label"}"#,
/// ).unwrap();
/// assert_eq!(t.polys[0].len(), 4);
/// assert!(t.ignore.is_empty());
/// ```
#[derive(Clone, Debug, Deserialize)]
pub struct TextTruth {
    /// The image, relative to the images folder.
    pub file: String,
    /// The labelled text regions (at least 3 points each) in pixels of the
    /// upright picture (EXIF orientation applied, as the output is written),
    /// each scored as covered or not; [`Miss::region`] indexes this list.
    pub polys: Vec<Poly>,
    /// Regions not scored, but still exempt (with their margin) from
    /// `area_away`; empty when the line has no `"ignore"`.
    #[serde(default)]
    pub ignore: Vec<Poly>,
    /// Free-form class of the image (`"label"`, `"document"`, `"scene"`, ...)
    /// that [`TextScores::by_kind`] groups by; `"?"` when absent.
    #[serde(default = "unknown_kind")]
    pub kind: String,
}

fn unknown_kind() -> String {
    "?".into()
}

/// Reads a truth file (JSON lines); errors name the line.
///
/// ```
/// use phiscrub_lab::eval::text::read_truth;
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("truth.jsonl");
/// std::fs::write(
///     &path,
///     concat!(
///         r#"{"file": "a.jpg", "polys": [[[0, 0], [40, 0], [40, 9], [0, 9]]], "kind": "label"}"#,
///         "\n\n",
///         r#"{"file": "b.jpg", "polys": []}"#,
///     ),
/// )?;
/// let truth = read_truth(&path)?;
/// assert_eq!(truth.len(), 2);
/// assert_eq!((truth[0].kind.as_str(), truth[1].kind.as_str()), ("label", "?"));
///
/// // A polygon needs at least three points; the error names the line.
/// std::fs::write(&path, r#"{"file": "a.jpg", "polys": [[[0, 0], [40, 0]]]}"#)?;
/// let err = read_truth(&path).unwrap_err();
/// assert!(err.contains("truth.jsonl:1: polygon"), "{err}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_truth(path: &Path) -> Result<Vec<TextTruth>, String> {
    super::read_json_lines(
        path,
        r#"{"file": "a.jpg", "polys": [[[x, y], ...], ...]}"#,
        |t: &TextTruth| match t.polys.iter().chain(&t.ignore).find(|p| p.len() < 3) {
            Some(p) => Err(format!("polygon {p:?} has fewer than 3 points")),
            None => Ok(()),
        },
    )
}

/// Covered regions out of all, as a share.
///
/// ```
/// use phiscrub_lab::eval::text::{text, Share, TextTruth};
/// use phiscrub::{Config, Scrubber};
/// # use std::path::Path;
/// # let images = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/text"));
/// // The heading (20 px high) and the first line of body text (12 px) of a
/// // printed page.
/// let truth: TextTruth = serde_json::from_str(
///     r#"{"file": "page.png", "kind": "document", "polys": [
///         [[8, 12], [288, 12], [288, 32], [8, 32]],
///         [[6, 48], [376, 48], [376, 60], [6, 60]]]}"#,
/// )?;
/// // A scrubber that looks at no pixels (metadata only) leaves both readable.
/// let blind = Scrubber::new(Config {
///     detect_faces: false,
///     detect_text: false,
///     detect_codes: false,
///     ..Config::default()
/// })?;
/// let scores = text(&blind, images, &[truth], 1)?;
/// let share: Share = scores.by_kind["document"];
/// assert_eq!(share, Share { covered: 0, regions: 2, coverage: Some(0.0) });
/// // A height class with no region has no coverage, rather than 0 or 1.
/// assert_eq!(scores.by_height["32-inf"].coverage, None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq)]
pub struct Share {
    /// Regions with at most 10 % of their glyph edges surviving (a region
    /// with no glyph edges at all counts as covered).
    pub covered: usize,
    /// Labelled regions in the group, from exported images only.
    pub regions: usize,
    /// `covered / regions`, or `None` when the group has no region.
    pub coverage: Option<f64>,
}

impl Share {
    fn add(&mut self, covered: bool) {
        self.regions += 1;
        self.covered += usize::from(covered);
        self.coverage = Some(self.covered as f64 / self.regions as f64);
    }
}

/// Text-height classes, in pixels across the line (as `textcover.py`).
const HEIGHTS: [(f64, f64, &str); 4] = [
    (0.0, 8.0, "0-8"),
    (8.0, 16.0, "8-16"),
    (16.0, 32.0, "16-32"),
    (32.0, f64::INFINITY, "32-inf"),
];

/// The scores of a run.
///
/// ```
/// use phiscrub_lab::eval::text::{text, TextScores, TextTruth};
/// use phiscrub::{Config, Scrubber};
/// # use std::path::Path;
/// # let images = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/text"));
/// // The heading (20 px high) and the first line of body text (12 px) of a
/// // printed page.
/// let truth: TextTruth = serde_json::from_str(
///     r#"{"file": "page.png", "kind": "document", "polys": [
///         [[8, 12], [288, 12], [288, 32], [8, 32]],
///         [[6, 48], [376, 48], [376, 60], [6, 60]]]}"#,
/// )?;
/// let missing = TextTruth { file: "missing.png".into(), ..truth.clone() };
/// // A scrubber that looks at no pixels (metadata only) leaves both readable.
/// let blind = Scrubber::new(Config {
///     detect_faces: false,
///     detect_text: false,
///     detect_codes: false,
///     ..Config::default()
/// })?;
/// let s: TextScores = text(&blind, images, &[truth, missing], 1)?;
/// assert_eq!((s.images, s.exported, s.failed, s.refused), (2, 1, 1, 0));
/// assert_eq!((s.pooled.regions, s.pooled.covered), (2, 0));
/// assert_eq!((s.by_height["16-32"].regions, s.by_height["8-16"].regions), (1, 1));
/// assert_eq!(s.misses.len(), 2);
/// // Nothing was changed, so nothing was changed away from the text.
/// assert_eq!(s.area_away, Some(0.0));
/// assert_eq!(s.area_away_by_file["page.png"], 0.0);
/// // The image that could not be read counts apart, with the reason.
/// assert_eq!(s.regions_in_unexported, 2);
/// assert!(s.problems[0].contains("missing.png"), "{:?}", s.problems);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, Serialize)]
pub struct TextScores {
    /// Truth lines scored, one image each.
    pub images: usize,
    /// Images exported and scored; the shares below count only these.
    pub exported: usize,
    /// Images read but refused as not safe to export.
    pub refused: usize,
    /// Images missing, unreadable, hit by an internal fault, or whose output
    /// could not be decoded or differs in size from the input.
    pub failed: usize,
    /// Regions in exported images, pooled.
    pub pooled: Share,
    /// Regions in images that were not exported.
    pub regions_in_unexported: usize,
    /// Coverage per [`TextTruth::kind`]; only kinds with an exported image
    /// appear.
    pub by_kind: BTreeMap<String, Share>,
    /// Coverage per text-height class (`"0-8"`, `"8-16"`, `"16-32"`,
    /// `"32-inf"`, pixels across the line); every class is present.
    pub by_height: BTreeMap<String, Share>,
    /// Share of exported pixels changed away from labelled text.
    pub area_away: Option<f64>,
    /// Wall-clock seconds of the whole run, on all workers.
    pub seconds: f64,
    /// Mean wall time per image on one worker: reading the file, the scrub,
    /// decoding input and output, and scoring.
    pub seconds_per_image: f64,
    /// Why images were not exported, by file.
    pub problems: Vec<String>,
    /// Every labelled region left readable in an exported image.
    pub misses: Vec<Miss>,
    /// Share of each exported image changed away from labelled text.
    pub area_away_by_file: BTreeMap<String, f64>,
}

/// A labelled region the output leaves readable.
///
/// ```
/// use phiscrub_lab::eval::text::{text, Miss, TextTruth};
/// use phiscrub::{Config, Scrubber};
/// # use std::path::Path;
/// # let images = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/text"));
/// // The heading (20 px high) and the first line of body text (12 px) of a
/// // printed page.
/// let truth: TextTruth = serde_json::from_str(
///     r#"{"file": "page.png", "kind": "document", "polys": [
///         [[8, 12], [288, 12], [288, 32], [8, 32]],
///         [[6, 48], [376, 48], [376, 60], [6, 60]]]}"#,
/// )?;
/// // A scrubber that looks at no pixels (metadata only) leaves both readable.
/// let blind = Scrubber::new(Config {
///     detect_faces: false,
///     detect_text: false,
///     detect_codes: false,
///     ..Config::default()
/// })?;
/// let scores = text(&blind, images, &[truth], 1)?;
/// let heading: &Miss = &scores.misses[0];
/// assert_eq!((heading.file.as_str(), heading.region), ("page.png", 0));
/// assert_eq!(heading.height, 20.0);
/// // Untouched pixels: every glyph edge survives.
/// assert_eq!(heading.surviving, 1.0);
/// assert_eq!(scores.misses[1].height, 12.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Miss {
    /// The image, as named in the truth file.
    pub file: String,
    /// Its index among the file's `polys`.
    pub region: usize,
    /// Text height in pixels.
    pub height: f64,
    /// Share of its glyph edges that survive (above 0.10 means readable).
    pub surviving: f64,
}

/// One image's score, or `(refused, why)` when it was not exported.
type Outcome = Result<ImageScore, (bool, String)>;

/// What one image gave.
struct ImageScore {
    /// Per region: covered, text height, share of glyph edges surviving.
    regions: Vec<(bool, f64, f64)>,
    away: u64,
    pixels: u64,
}

/// Scrubs every image of `truth` from `images` on `threads` workers and
/// scores the outputs.
///
/// ```
/// use phiscrub_lab::eval::text::{text, TextTruth};
/// use phiscrub::{Config, Scrubber};
/// # use std::path::Path;
/// # let images = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/text"));
/// // The heading (20 px high) and the first line of body text (12 px) of a
/// // printed page.
/// let truth: TextTruth = serde_json::from_str(
///     r#"{"file": "page.png", "kind": "document", "polys": [
///         [[8, 12], [288, 12], [288, 32], [8, 32]],
///         [[6, 48], [376, 48], [376, 60], [6, 60]]]}"#,
/// )?;
/// // A page shows no face: the face model can stay unloaded.
/// let scrubber = Scrubber::new(Config { detect_faces: false, ..Config::default() })?;
/// let scores = text(&scrubber, images, &[truth], 1)?;
/// assert_eq!((scores.images, scores.exported), (1, 1));
/// assert_eq!(scores.pooled.coverage, Some(1.0));
/// assert_eq!(scores.by_kind["document"].covered, 2);
/// assert!(scores.misses.is_empty());
/// assert!(scores.seconds_per_image > 0.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn text(
    scrubber: &Scrubber,
    images: &Path,
    truth: &[TextTruth],
    threads: usize,
) -> Result<TextScores, String> {
    let start = Instant::now();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| format!("could not start worker threads: {e}"))?;
    let results: Vec<(Outcome, f64)> = pool.install(|| {
        truth
            .par_iter()
            .map(|t| {
                let t0 = Instant::now();
                let r = one(scrubber, &images.join(&t.file), t);
                (r, t0.elapsed().as_secs_f64())
            })
            .collect()
    });
    let mut s = TextScores {
        images: truth.len(),
        by_height: HEIGHTS
            .iter()
            .map(|h| (h.2.to_string(), Share::default()))
            .collect(),
        ..TextScores::default()
    };
    let (mut away, mut pixels, mut busy) = (0u64, 0u64, 0.0);
    for (t, (r, secs)) in truth.iter().zip(results) {
        busy += secs;
        match r {
            Ok(img) => {
                s.exported += 1;
                away += img.away;
                pixels += img.pixels;
                s.area_away_by_file
                    .insert(t.file.clone(), img.away as f64 / img.pixels.max(1) as f64);
                for (i, (covered, h, surviving)) in img.regions.into_iter().enumerate() {
                    if !covered {
                        s.misses.push(Miss {
                            file: t.file.clone(),
                            region: i,
                            height: h,
                            surviving,
                        });
                    }
                    s.pooled.add(covered);
                    s.by_kind.entry(t.kind.clone()).or_default().add(covered);
                    if let Some(b) = HEIGHTS.iter().find(|b| b.0 <= h && h < b.1) {
                        if let Some(share) = s.by_height.get_mut(b.2) {
                            share.add(covered);
                        }
                    }
                }
            }
            Err((refused, why)) => {
                if refused {
                    s.refused += 1;
                } else {
                    s.failed += 1;
                }
                s.regions_in_unexported += t.polys.len();
                s.problems.push(why);
            }
        }
    }
    s.area_away = (pixels > 0).then(|| away as f64 / pixels as f64);
    s.seconds = start.elapsed().as_secs_f64();
    s.seconds_per_image = if truth.is_empty() {
        0.0
    } else {
        busy / truth.len() as f64
    };
    Ok(s)
}

/// Scrubs and scores one image; `Err((refused, why))` when not exported.
fn one(scrubber: &Scrubber, path: &Path, t: &TextTruth) -> Outcome {
    let bytes = std::fs::read(path).map_err(|e| {
        (
            false,
            format!("{}: {}", path.display(), phiscrub::walk::describe_io(&e)),
        )
    })?;
    let safe = scrubber.scrub(&bytes).map_err(|e| {
        (
            matches!(e, phiscrub::error::ScrubError::Refused(_)),
            format!("{}: {e}", path.display()),
        )
    })?;
    let decode = |b: &[u8], turn: u16| {
        image::load_from_memory(b)
            .map(|mut i| {
                phiscrub::image_io::orient(&mut i, turn);
                Grey::of(&i.to_rgb8())
            })
            .map_err(|e| (false, format!("{}: {e}", path.display())))
    };
    // The output is written upright, and labels are drawn on the upright
    // picture (as for `eval faces`): the input is turned the same way.
    let upright = phiscrub::metadata::orientation(&bytes).unwrap_or(1);
    let (before, after) = (decode(&bytes, upright)?, decode(&safe.bytes, 1)?);
    if (before.w, before.h) != (after.w, after.h) {
        return Err((
            false,
            format!(
                "{}: the output is {}×{}, the input {}×{}",
                path.display(),
                after.w,
                after.h,
                before.w,
                before.h
            ),
        ));
    }
    Ok(score_image(&before, &after, t))
}

/// A grey image as floats, with PIL's `convert("L")` weights and rounding,
/// so the scores match the shared scorer.
pub(crate) struct Grey {
    w: usize,
    h: usize,
    v: Vec<f32>,
}

impl Grey {
    pub(crate) fn of(rgb: &image::RgbImage) -> Grey {
        let v = rgb
            .pixels()
            .map(|p| {
                let [r, g, b] = p.0.map(u32::from);
                ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16) as f32
            })
            .collect();
        Grey {
            w: rgb.width() as usize,
            h: rgb.height() as usize,
            v,
        }
    }

    /// Sobel gradient magnitude; the one-pixel border is 0.
    fn edges(&self) -> Vec<f32> {
        let (w, h) = (self.w, self.h);
        let mut e = vec![0.0; w * h];
        let g = |x: usize, y: usize| self.v[y * w + x];
        for y in 1..h.saturating_sub(1) {
            for x in 1..w.saturating_sub(1) {
                let gx = (g(x + 1, y - 1) + 2.0 * g(x + 1, y) + g(x + 1, y + 1))
                    - (g(x - 1, y - 1) + 2.0 * g(x - 1, y) + g(x - 1, y + 1));
                let gy = (g(x - 1, y + 1) + 2.0 * g(x, y + 1) + g(x + 1, y + 1))
                    - (g(x - 1, y - 1) + 2.0 * g(x, y - 1) + g(x + 1, y - 1));
                e[y * w + x] = gx.hypot(gy);
            }
        }
        e
    }
}

/// The size across a text line: the shorter of the quad's two mean
/// opposite-side lengths (for other polygons, the shorter bounding side).
///
/// ```
/// use phiscrub_lab::eval::text::text_height;
/// // An upright line 100 px long and 12 px high.
/// assert_eq!(text_height(&[[0.0, 0.0], [100.0, 0.0], [100.0, 12.0], [0.0, 12.0]]), 12.0);
/// // Running down the page, it is still 12 px across the line.
/// assert_eq!(text_height(&[[0.0, 0.0], [12.0, 0.0], [12.0, 100.0], [0.0, 100.0]]), 12.0);
/// // Other polygons: the shorter side of their bounds.
/// let arrow = [[0.0, 0.0], [50.0, 0.0], [60.0, 5.0], [50.0, 10.0], [0.0, 10.0]];
/// assert_eq!(text_height(&arrow), 10.0);
/// ```
pub fn text_height(q: &[[f64; 2]]) -> f64 {
    let d = |a: [f64; 2], b: [f64; 2]| (a[0] - b[0]).hypot(a[1] - b[1]);
    if q.len() != 4 {
        let span = |i: usize| {
            let (lo, hi) = q.iter().fold((f64::MAX, f64::MIN), |(lo, hi), p| {
                (lo.min(p[i]), hi.max(p[i]))
            });
            hi - lo
        };
        return span(0).min(span(1));
    }
    let a = (d(q[1], q[0]) + d(q[2], q[3])) / 2.0;
    let b = (d(q[3], q[0]) + d(q[2], q[1])) / 2.0;
    a.min(b)
}

/// The pixels of a filled convex polygon (text quads are), row by row at
/// integer rows, edges included, as PIL draws them.
fn polygon_pixels(q: &[[f64; 2]], w: usize, h: usize, mut visit: impl FnMut(usize, usize)) {
    let (y0, y1) = q.iter().fold((f64::MAX, f64::MIN), |(lo, hi), p| {
        (lo.min(p[1]), hi.max(p[1]))
    });
    let y0 = y0.ceil().max(0.0) as i64;
    let y1 = (y1.floor() as i64).min(h as i64 - 1);
    for y in y0..=y1 {
        let yf = y as f64;
        let (mut lo, mut hi) = (f64::MAX, f64::MIN);
        for i in 0..q.len() {
            let (a, b) = (q[i], q[(i + 1) % q.len()]);
            if (a[1] - yf) * (b[1] - yf) > 0.0 {
                continue; // the edge does not reach this row
            }
            let xs = if a[1] == b[1] {
                [a[0], b[0]]
            } else {
                let x = a[0] + (yf - a[1]) * (b[0] - a[0]) / (b[1] - a[1]);
                [x, x]
            };
            lo = lo.min(xs[0]).min(xs[1]);
            hi = hi.max(xs[0]).max(xs[1]);
        }
        if lo > hi {
            continue;
        }
        let x0 = lo.round().max(0.0) as i64;
        let x1 = (hi.round() as i64).min(w as i64 - 1);
        for x in x0..=x1 {
            visit(x as usize, y as usize);
        }
    }
}

fn score_image(before: &Grey, after: &Grey, t: &TextTruth) -> ImageScore {
    let (w, h) = (before.w, before.h);
    let (eo, es) = (before.edges(), after.edges());
    // Labelled text plus half its height around it: padding is expected.
    let mut near = vec![false; w * h];
    for q in t.polys.iter().chain(&t.ignore) {
        let m = 0.5 * text_height(q);
        let (mut x1, mut y1, mut x2, mut y2) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for p in q {
            x1 = x1.min(p[0]);
            y1 = y1.min(p[1]);
            x2 = x2.max(p[0]);
            y2 = y2.max(p[1]);
        }
        let (x1, y1) = ((x1 - m).max(0.0) as usize, (y1 - m).max(0.0) as usize);
        let (x2, y2) = (
            ((x2 + m + 1.0) as usize).min(w),
            ((y2 + m + 1.0) as usize).min(h),
        );
        for y in y1..y2 {
            near[y * w + x1..y * w + x2.max(x1)].fill(true);
        }
    }
    let away = near
        .iter()
        .zip(before.v.iter().zip(&after.v))
        .filter(|(n, (b, a))| !**n && (*a - *b).abs() > 40.0)
        .count() as u64;
    let regions = t
        .polys
        .iter()
        .map(|q| {
            let mut inside = Vec::new();
            polygon_pixels(q, w, h, |x, y| inside.push(y * w + x));
            inside.sort_unstable();
            inside.dedup();
            let strong: Vec<usize> = inside.into_iter().filter(|&i| eo[i] > 40.0).collect();
            let top = strong.iter().map(|&i| eo[i]).fold(0.0f32, f32::max);
            let glyph: Vec<usize> = strong
                .into_iter()
                .filter(|&i| eo[i] >= 0.25 * top)
                .collect();
            let alive = glyph
                .iter()
                .filter(|&&i| es[i] >= 0.5 * eo[i] && (after.v[i] - before.v[i]).abs() < 30.0)
                .count();
            let covered = glyph.is_empty() || alive as f64 <= 0.10 * glyph.len() as f64;
            let surviving = alive as f64 / glyph.len().max(1) as f64;
            (covered, text_height(q), surviving)
        })
        .collect();
    ImageScore {
        regions,
        away,
        pixels: (w * h) as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dark strokes on a light card, as a grey image.
    fn card() -> image::RgbImage {
        image::RgbImage::from_fn(120, 60, |x, y| {
            let ink = (20..100).contains(&x) && (20..40).contains(&y) && (x / 4) % 2 == 0;
            if ink {
                image::Rgb([10, 10, 10])
            } else {
                image::Rgb([230, 230, 230])
            }
        })
    }

    fn truth() -> TextTruth {
        TextTruth {
            file: "card.png".into(),
            polys: vec![vec![
                [18.0, 18.0],
                [102.0, 18.0],
                [102.0, 42.0],
                [18.0, 42.0],
            ]],
            ignore: vec![],
            kind: "label".into(),
        }
    }

    #[test]
    fn untouched_text_is_not_covered_and_a_fill_covers_it() {
        let before = card();
        let s = score_image(&Grey::of(&before), &Grey::of(&before), &truth());
        assert!(!s.regions[0].0, "the same pixels leave every edge");
        assert_eq!(s.away, 0);

        let mut filled = before.clone();
        for y in 16..44 {
            for x in 16..104 {
                filled.put_pixel(x, y, image::Rgb([0, 0, 0]));
            }
        }
        let s = score_image(&Grey::of(&before), &Grey::of(&filled), &truth());
        assert!(s.regions[0].0, "a solid fill over the ink covers it");
        assert_eq!(
            s.away, 0,
            "the fill lies within the margin of half the height"
        );

        // Half the ink filled: most glyph edges survive.
        let mut half = before.clone();
        for y in 16..44 {
            for x in 16..60 {
                half.put_pixel(x, y, image::Rgb([0, 0, 0]));
            }
        }
        let s = score_image(&Grey::of(&before), &Grey::of(&half), &truth());
        assert!(!s.regions[0].0);

        // A fill far from the text is area away.
        let mut far = filled.clone();
        // Rows 0..5 lie above the margin (18 − 24 / 2 = 6).
        for y in 0..5 {
            for x in 0..20 {
                far.put_pixel(x, y, image::Rgb([0, 0, 0]));
            }
        }
        let s = score_image(&Grey::of(&before), &Grey::of(&far), &truth());
        assert_eq!(s.away, 100);
    }

    #[test]
    fn a_photo_turned_by_its_exif_orientation_is_scored_upright() {
        // Stored 96×144 with orientation 6: the output is written 144×96,
        // with the file's red marker in the top-left corner. A label there,
        // where nothing is filled.
        let d = tempfile::tempdir().unwrap();
        let name = "turned.jpg";
        std::fs::copy(
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../fixtures/metadata/jpeg_orientation6.jpg"
            ),
            d.path().join(name),
        )
        .unwrap();
        let truth = TextTruth {
            file: name.into(),
            polys: vec![vec![[0.0, 0.0], [14.0, 0.0], [14.0, 14.0], [0.0, 14.0]]],
            ignore: vec![],
            kind: "label".into(),
        };
        let scrubber = phiscrub::Scrubber::new(phiscrub::Config {
            detect_faces: false,
            ..phiscrub::Config::default()
        })
        .unwrap();
        let s = text(&scrubber, d.path(), &[truth], 1).unwrap();
        assert_eq!(s.exported, 1, "{:?}", s.problems);
        // Compared turned, the output would differ from the input almost
        // everywhere.
        assert!(s.area_away.unwrap() < 0.01, "{:?}", s.area_away);
        assert_eq!(s.pooled.coverage, Some(0.0));
    }

    #[test]
    fn bad_truth_lines_are_named() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("t.jsonl");
        std::fs::write(
            &p,
            "{\"file\": \"a.jpg\", \"polys\": [[[0,0],[4,0],[4,4]]]}\n\n{\"file\": \"b.jpg\", \"polys\": [[[0,0],[4,0]]]}\n",
        )
        .unwrap();
        let e = read_truth(&p).unwrap_err();
        assert!(e.contains("t.jsonl:3: polygon"), "{e}");
        std::fs::write(&p, "{\"file\": 3}\n").unwrap();
        let e = read_truth(&p).unwrap_err();
        assert!(
            e.contains("t.jsonl:1: not a truth line") && e.contains("polys"),
            "{e}"
        );
    }

    #[test]
    fn heights_and_polygon_pixels() {
        let q = [[0.0, 0.0], [10.0, 0.0], [10.0, 4.0], [0.0, 4.0]];
        assert_eq!(text_height(&q), 4.0);
        let mut n = 0;
        polygon_pixels(&q, 100, 100, |_, _| n += 1);
        assert_eq!(n, 11 * 5, "edges included");
        let tilted = [[0.0, 0.0], [10.0, 2.0], [9.0, 7.0], [-1.0, 5.0]];
        let mut rows = std::collections::BTreeSet::new();
        polygon_pixels(&tilted, 100, 100, |_, y| {
            rows.insert(y);
        });
        assert_eq!(
            rows.into_iter().collect::<Vec<_>>(),
            (0..=7).collect::<Vec<_>>()
        );
    }
}
