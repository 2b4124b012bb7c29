//! Face detection with CenterFace (`models/centerface.onnx`).
//!
//! The network takes raw 0–255 RGB in NCHW with sides that are multiples of 32
//! and answers, per 4×4 cell, a face-centre heatmap, log box size and centre
//! offset. Decoding is a pure function over those grids so it can be tested
//! without the model.

use super::scales::{self, Pass, ScaleParams};
use super::tiles;
use super::{DetectError, FaceDetect, Finding, FindingKind};
use crate::error::SetupError;
use crate::geometry::{BoxF, nms, suppress_contained};
use crate::models;
use fast_image_resize::Resizer;
use image::RgbImage;
use ndarray::Array4;
use ort::session::Session;
use ort::value::TensorRef;

const STRIDE: usize = 4;
const NMS_IOU: f32 = 0.3;

/// One ONNX Runtime session of CenterFace. Not shareable between threads while
/// running; the scrubber keeps one per worker.
///
/// ```
/// use phiscrub::detect::{face::CenterFace, scales::ScaleParams};
/// use phiscrub::{FaceDetect, FindingKind};
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/photos/grace_hopper.jpg");
/// let portrait = image::open(path)?.to_rgb8();
/// let mut detector = CenterFace::new(1, ScaleParams::default())?;
/// let faces = detector.detect(&portrait, 0.5)?;
/// assert_eq!(faces.len(), 1);
/// assert_eq!(faces[0].kind, FindingKind::Face);
/// // The box is around the face (hand-labelled core centred at 260, 235).
/// let (cx, cy) = faces[0].bbox.center();
/// assert!((cx - 260.0).abs() < 40.0 && (cy - 235.0).abs() < 40.0, "{cx}, {cy}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct CenterFace {
    session: Session,
    scales: ScaleParams,
    resizer: Resizer,
    /// The previous call's passes, to skip tiles whose pixels did not change.
    memo: Vec<Memo>,
    inferences: u64,
    /// Run all tiles of a pass in one call instead of one call per tile.
    batch: bool,
}

/// One pass of the previous call: its resized pixels and, per tile, what the
/// network found at `threshold` (tile pixels, before edge filtering).
///
/// The detection rounds fill a few boxes and look again, and a lossless
/// output is verified on the very pixels the last round saw: a tile
/// identical byte for byte gives the same answer ([`super::tiles`]), and
/// results at a threshold serve any higher one (greedy NMS never lets a
/// lower score suppress a higher one).
struct Memo {
    pass: Pass,
    threshold: f32,
    tiles: tiles::Memo<Vec<(BoxF, f32)>>,
}

impl CenterFace {
    /// Loads the embedded model. `scales` says which passes each image gets
    /// (see [`scales::plan`]).
    ///
    /// ```
    /// use phiscrub::detect::face::CenterFace;
    /// use phiscrub::detect::scales::{plan, ScaleParams};
    /// use phiscrub::FaceDetect;
    /// // Faces down to 4 px: a whole-frame pass and a finer, tiled one.
    /// let scales = ScaleParams { min_face: 4, tile: 256, ..ScaleParams::default() };
    /// let mut detector = CenterFace::new(1, scales)?;
    /// let blank = image::RgbImage::new(200, 150);
    /// assert!(detector.detect(&blank, 0.5)?.is_empty());
    /// // The network ran once per tile the plan laid out.
    /// let tiles: usize = plan(200, 150, &scales).iter().map(|p| p.tiles.len()).sum();
    /// assert!(tiles > 2);
    /// assert_eq!(detector.inferences(), tiles as u64);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(intra_threads: usize, scales: ScaleParams) -> Result<Self, SetupError> {
        Self::new_on(super::runtime::Device::Cpu, intra_threads, scales)
    }

    /// [`Self::new`] on `device` (see [`super::runtime::session_on`]).
    ///
    /// ```
    /// use phiscrub::detect::{face::CenterFace, runtime::Device};
    /// let scales = phiscrub::Config::default().scale_params();
    /// assert!(CenterFace::new_on(Device::Cpu, 1, scales).is_ok());
    /// ```
    pub fn new_on(
        device: super::runtime::Device,
        intra_threads: usize,
        scales: ScaleParams,
    ) -> Result<Self, SetupError> {
        let session = super::runtime::session_on(&models::CENTERFACE, intra_threads, device)?;
        Ok(CenterFace {
            session,
            scales,
            resizer: Resizer::new(),
            memo: Vec::new(),
            inferences: 0,
            batch: false,
        })
    }

    /// Runs the tiles of a pass as one batch (one network call) rather than
    /// one call each. Same answers; which is faster depends on the machine
    /// (see BENCHMARKS.md).
    ///
    /// ```
    /// use phiscrub::detect::{face::CenterFace, scales::ScaleParams};
    /// use phiscrub::FaceDetect;
    /// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/photos/grace_hopper.jpg");
    /// let portrait = image::open(path)?.resize(256, 300, image::imageops::Triangle).to_rgb8();
    /// // Small faces wanted: the finer pass is cut into several tiles.
    /// let scales = ScaleParams { min_face: 8, tile: 192, ..ScaleParams::default() };
    /// let mut one_by_one = CenterFace::new(1, scales)?;
    /// let mut batched = CenterFace::new(1, scales)?.batch_tiles(true);
    /// let a = one_by_one.detect(&portrait, 0.5)?;
    /// let b = batched.detect(&portrait, 0.5)?;
    /// assert_eq!(a.len(), b.len());
    /// for (a, b) in a.iter().zip(&b) {
    ///     assert!(a.bbox.iou(&b.bbox) > 0.99);
    /// }
    /// // Every tile still counts as one inference.
    /// assert_eq!(one_by_one.inferences(), batched.inferences());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn batch_tiles(mut self, on: bool) -> Self {
        self.batch = on;
        self
    }

    /// Forgets the previous call, so that the next one runs every tile (for
    /// benchmarks that call it repeatedly on the same pixels).
    ///
    /// ```
    /// use phiscrub::detect::{face::CenterFace, scales::ScaleParams};
    /// use phiscrub::FaceDetect;
    /// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/photos/grace_hopper.jpg");
    /// let portrait = image::open(path)?.to_rgb8();
    /// let mut detector = CenterFace::new(1, ScaleParams::default())?;
    /// let first = detector.detect(&portrait, 0.5)?;
    /// let cold = detector.inferences();
    /// // The same pixels again: every tile's answer is reused.
    /// assert_eq!(detector.detect(&portrait, 0.5)?, first);
    /// assert_eq!(detector.inferences(), cold);
    /// // Forgotten, the network runs on every tile once more.
    /// detector.forget();
    /// assert_eq!(detector.detect(&portrait, 0.5)?, first);
    /// assert_eq!(detector.inferences(), 2 * cold);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn forget(&mut self) {
        self.memo.clear();
    }

    /// How many times the network has run (one per tile not reused), for
    /// tests and benchmarks.
    ///
    /// ```
    /// use phiscrub::detect::{face::CenterFace, scales::ScaleParams};
    /// use phiscrub::FaceDetect;
    /// let mut img = image::RgbImage::from_pixel(400, 300, image::Rgb([90, 120, 150]));
    /// // A whole-frame pass, a coarse one, and a finer pass of 2 × 2 tiles.
    /// let scales = ScaleParams { min_face: 8, tile: 320, small_budget: 0, ..ScaleParams::default() };
    /// let mut detector = CenterFace::new(1, scales)?;
    /// assert_eq!(detector.inferences(), 0);
    /// detector.detect(&img, 0.5)?;
    /// assert_eq!(detector.inferences(), 6);
    /// // Fill a corner, as a redaction round does: only the whole frames and
    /// // the one tile holding the corner are looked at again.
    /// for y in 0..20 {
    ///     for x in 0..20 {
    ///         img.put_pixel(x, y, image::Rgb([0, 0, 0]));
    ///     }
    /// }
    /// detector.detect(&img, 0.5)?;
    /// assert_eq!(detector.inferences(), 6 + 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn inferences(&self) -> u64 {
        self.inferences
    }

    /// Runs the network on a batch of prepared tiles and decodes each, in
    /// tile pixels.
    fn infer(
        &mut self,
        input: &Array4<f32>,
        threshold: f32,
    ) -> Result<Vec<Vec<(BoxF, f32)>>, DetectError> {
        super::deadline::check()?;
        let n = input.shape()[0];
        self.inferences += n as u64;
        let tensor = TensorRef::from_array_view(input.view()).map_err(DetectError::runtime)?;
        let started = std::time::Instant::now();
        let outputs = self
            .session
            .run(ort::inputs!["input.1" => tensor])
            .map_err(DetectError::runtime)?;
        let pixels = (input.shape()[2] * input.shape()[3] * n) as u64;
        super::tally::record(
            super::tally::Net::CenterFace,
            n as u64,
            pixels,
            started.elapsed(),
        );
        let get = |name: &str| -> Result<(Vec<usize>, &[f32]), DetectError> {
            let value = outputs
                .get(name)
                .ok_or_else(|| DetectError::Output(format!("CenterFace gave no output {name}")))?;
            let (shape, data) = value
                .try_extract_tensor::<f32>()
                .map_err(|e| DetectError::Output(format!("CenterFace output {name}: {e}")))?;
            Ok((shape.iter().map(|&d| d as usize).collect(), data))
        };
        let (hs, heat) = get("537")?;
        let (_, scale) = get("538")?;
        let (_, offset) = get("539")?;
        if hs.len() != 4 || hs[0] != n || hs[1] != 1 {
            return Err(DetectError::Output(format!(
                "CenterFace heatmap has shape {hs:?} for {n} tile(s)"
            )));
        }
        let cells = hs[2] * hs[3];
        if heat.len() != n * cells || scale.len() != 2 * n * cells || offset.len() != 2 * n * cells
        {
            return Err(DetectError::Output(format!(
                "CenterFace outputs have inconsistent sizes ({}, {}, {} for {n} grid(s) of {}×{})",
                heat.len(),
                scale.len(),
                offset.len(),
                hs[2],
                hs[3]
            )));
        }
        (0..n)
            .map(|k| {
                let grid = Grid {
                    h: hs[2],
                    w: hs[3],
                    heat: &heat[k * cells..(k + 1) * cells],
                    scale: &scale[2 * k * cells..2 * (k + 1) * cells],
                    offset: &offset[2 * k * cells..2 * (k + 1) * cells],
                };
                grid.check().map_err(DetectError::Output)?;
                Ok(decode(&grid, threshold))
            })
            .collect()
    }
}

impl FaceDetect for CenterFace {
    fn detect(&mut self, img: &RgbImage, threshold: f32) -> Result<Vec<Finding>, DetectError> {
        let (w, h) = img.dimensions();
        let mut boxes = Vec::new();
        let mut scores = Vec::new();
        let previous = std::mem::take(&mut self.memo);
        for (i, pass) in scales::plan(w, h, &self.scales).into_iter().enumerate() {
            let pixels = tiles::resized(&mut self.resizer, img, pass.width, pass.height)?;
            let reusable = previous
                .get(i)
                .filter(|m| m.pass == pass && m.threshold <= threshold);
            let per_call = if self.batch { usize::MAX } else { 1 };
            let memo = tiles::Memo::answer(
                reusable.map(|m| &m.tiles),
                pixels.into_owned(),
                pass.width,
                pass.tiles.clone(),
                per_call,
                |pixels, cut| self.infer(&pack(pixels, pass.width, cut), threshold),
            )?;
            let found_in = memo.answers();
            // Map back with the exact per-axis factors of the resize.
            let (fx, fy) = (w as f32 / pass.width as f32, h as f32 / pass.height as f32);
            for (t, &(tx, ty, tw, th)) in pass.tiles.iter().enumerate() {
                for &(b, score) in found_in[t].iter().filter(|f| {
                    let side = f.0.w.max(f.0.h);
                    f.1 > threshold && side >= pass.min_box && side < pass.max_box
                }) {
                    // Boxes may reach into the zero padding; the tile ends at
                    // its real pixels.
                    let (x1, y1) = (b.x.max(0.0), b.y.max(0.0));
                    let (x2, y2) = (b.x2().min(tw as f32), b.y2().min(th as f32));
                    if x2 <= x1 || y2 <= y1 {
                        continue;
                    }
                    // A small face cut by a shared tile edge lies whole in the
                    // neighbour; its cut half here would only add a sliver.
                    if b.w.max(b.h) <= pass.overlap as f32
                        && pass.touches_inner_edge(t, x1, y1, x2, y2)
                    {
                        continue;
                    }
                    boxes.push(BoxF::from_corners(
                        ((tx as f32 + x1) * fx).min(w as f32),
                        ((ty as f32 + y1) * fy).min(h as f32),
                        ((tx as f32 + x2) * fx).min(w as f32),
                        ((ty as f32 + y2) * fy).min(h as f32),
                    ));
                    scores.push(score);
                }
            }
            // Keep the lowest threshold's answers: they serve more calls.
            let (threshold, kept) = match reusable {
                Some(m) if m.tiles.pixels() == memo.pixels() => {
                    (m.threshold, memo.with_answers(m.tiles.answers().to_vec()))
                }
                _ => (threshold, memo),
            };
            self.memo.push(Memo {
                pass,
                threshold,
                tiles: kept,
            });
        }
        Ok(merge(&boxes, &scores)
            .into_iter()
            .map(|k| Finding::new(FindingKind::Face, boxes[k], scores[k]))
            .collect())
    }
}

/// Merges the findings of every pass and tile: overlapping boxes keep the
/// best-scoring one, and a box lying inside a larger one scoring at least as
/// high (a feature of a big face seen as a small face at the finer scale)
/// goes, since the larger box's fill covers it. Also merges the two face families' answers.
pub(crate) fn merge(boxes: &[BoxF], scores: &[f32]) -> Vec<usize> {
    let kept = nms(boxes, scores, NMS_IOU);
    suppress_contained(boxes, scores, &kept, CONTAINED)
}

/// Share of a box's area inside a larger kept box above which it is dropped.
const CONTAINED: f32 = 0.8;

/// Rounds up to the next multiple of 32, the network's total stride.
fn ceil32(v: u32) -> usize {
    (v as usize).div_ceil(32) * 32
}

/// Packs `(x, y, w, h)` regions of equal size of an RGB buffer `stride`
/// pixels wide as a batch of raw 0–255 floats, NCHW, zero-padded on the
/// right and bottom to multiples of 32. Padding keeps the aspect ratio,
/// which a stretch to the next multiple would distort.
fn pack(rgb: &[u8], stride: u32, regions: &[(u32, u32, u32, u32)]) -> Array4<f32> {
    let (w, h) = (regions[0].2, regions[0].3);
    debug_assert!(regions.iter().all(|r| (r.2, r.3) == (w, h)));
    let (pw, ph) = (ceil32(w), ceil32(h));
    let mut arr = Array4::<f32>::zeros((regions.len(), 3, ph, pw));
    let plane = ph * pw;
    let data = arr
        .as_slice_mut()
        .expect("a freshly built array is contiguous");
    for (k, &(x0, y0, _, _)) in regions.iter().enumerate() {
        let item = &mut data[k * 3 * plane..(k + 1) * 3 * plane];
        for y in 0..h as usize {
            let start = ((y0 as usize + y) * stride as usize + x0 as usize) * 3;
            let row = &rgb[start..start + w as usize * 3];
            let base = y * pw;
            for (x, px) in row.chunks_exact(3).enumerate() {
                item[base + x] = px[0] as f32;
                item[plane + base + x] = px[1] as f32;
                item[2 * plane + base + x] = px[2] as f32;
            }
        }
    }
    arr
}

/// CenterFace's output grids for one image (batch of one).
pub(crate) struct Grid<'a> {
    pub h: usize,
    pub w: usize,
    /// `[h·w]` face-centre probability.
    pub heat: &'a [f32],
    /// `[2·h·w]`: log(height/4) then log(width/4).
    pub scale: &'a [f32],
    /// `[2·h·w]`: centre offset in cells, y then x.
    pub offset: &'a [f32],
}

impl Grid<'_> {
    fn check(&self) -> Result<(), String> {
        let n = self.h * self.w;
        if self.heat.len() != n || self.scale.len() != 2 * n || self.offset.len() != 2 * n {
            return Err(format!(
                "CenterFace outputs have inconsistent sizes ({}, {}, {} for a {}×{} grid)",
                self.heat.len(),
                self.scale.len(),
                self.offset.len(),
                self.h,
                self.w
            ));
        }
        // A network that emits NaN would find nothing, and so would its
        // verification: treat it as a detector failure, which refuses.
        if !self.heat.iter().all(|v| v.is_finite()) {
            return Err("CenterFace produced non-finite scores".into());
        }
        Ok(())
    }
}

/// Decodes every cell scoring above `threshold` into a box in network-input
/// pixels, then suppresses overlaps.
pub(crate) fn decode(grid: &Grid<'_>, threshold: f32) -> Vec<(BoxF, f32)> {
    let n = grid.h * grid.w;
    let mut boxes = Vec::new();
    let mut scores = Vec::new();
    for (i, &score) in grid.heat.iter().enumerate() {
        if score <= threshold {
            continue;
        }
        let (row, col) = (i / grid.w, i % grid.w);
        let bh = (grid.scale[i].exp() * STRIDE as f32).min(1e6);
        let bw = (grid.scale[n + i].exp() * STRIDE as f32).min(1e6);
        let cy = (row as f32 + grid.offset[i] + 0.5) * STRIDE as f32;
        let cx = (col as f32 + grid.offset[n + i] + 0.5) * STRIDE as f32;
        boxes.push(BoxF::new(cx - bw / 2.0, cy - bh / 2.0, bw, bh));
        scores.push(score);
    }
    nms(&boxes, &scores, NMS_IOU)
        .into_iter()
        .map(|k| (boxes[k], scores[k]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid_with_peak(
        h: usize,
        w: usize,
        at: (usize, usize),
        score: f32,
        size: (f32, f32),
    ) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
        let n = h * w;
        let mut heat = vec![0.01; n];
        let mut scale = vec![0.0; 2 * n];
        let offset = vec![0.0; 2 * n];
        let i = at.0 * w + at.1;
        heat[i] = score;
        scale[i] = (size.0 / 4.0).ln();
        scale[n + i] = (size.1 / 4.0).ln();
        (heat, scale, offset)
    }

    #[test]
    fn decodes_box_centred_on_its_cell() {
        let (heat, scale, offset) = grid_with_peak(10, 20, (5, 8), 0.9, (40.0, 32.0));
        let grid = Grid {
            h: 10,
            w: 20,
            heat: &heat,
            scale: &scale,
            offset: &offset,
        };
        let found = decode(&grid, 0.5);
        assert_eq!(found.len(), 1);
        let (b, s) = found[0];
        assert_eq!(s, 0.9);
        // Centre of cell (row 5, col 8) at stride 4 is (34, 22).
        assert_eq!(b.center(), (34.0, 22.0));
        assert!((b.h - 40.0).abs() < 1e-3 && (b.w - 32.0).abs() < 1e-3);
    }

    #[test]
    fn threshold_is_exclusive_and_neighbours_merge() {
        let (mut heat, mut scale, offset) = grid_with_peak(10, 10, (4, 4), 0.6, (40.0, 40.0));
        // A weaker neighbour with the same box is suppressed by NMS.
        heat[4 * 10 + 5] = 0.5;
        scale[4 * 10 + 5] = (40.0f32 / 4.0).ln();
        scale[100 + 4 * 10 + 5] = (40.0f32 / 4.0).ln();
        let grid = Grid {
            h: 10,
            w: 10,
            heat: &heat,
            scale: &scale,
            offset: &offset,
        };
        assert_eq!(decode(&grid, 0.4).len(), 1);
        assert_eq!(decode(&grid, 0.6).len(), 0);
    }

    #[test]
    fn pack_pads_to_multiples_of_32_and_keeps_channels() {
        let mut img = RgbImage::new(33, 5);
        img.put_pixel(32, 4, image::Rgb([10, 20, 30]));
        let arr = pack(img.as_raw(), 33, &[(0, 0, 33, 5)]);
        assert_eq!(arr.shape(), &[1, 3, 32, 64]);
        assert_eq!(arr[[0, 0, 4, 32]], 10.0);
        assert_eq!(arr[[0, 1, 4, 32]], 20.0);
        assert_eq!(arr[[0, 2, 4, 32]], 30.0);
        assert_eq!(arr[[0, 0, 31, 63]], 0.0);
        // A region starts at its own corner.
        let arr = pack(img.as_raw(), 33, &[(0, 0, 3, 3), (30, 2, 3, 3)]);
        assert_eq!(arr.shape(), &[2, 3, 32, 32]);
        assert_eq!(arr[[1, 0, 2, 2]], 10.0);
        assert_eq!(arr[[1, 0, 0, 0]], 0.0);
        assert_eq!(arr[[0, 0, 2, 2]], 0.0);
    }
}
