//! The second face detector: MediaPipe's BlazeFace (`models/blazeface_short.onnx`
//! and `models/blazeface_full.onnx`), an SSD-style network of another family
//! and training set than CenterFace. Where CenterFace has a blind spot (a face
//! filling the frame, say), BlazeFace's is elsewhere, so neither the input's
//! detection nor the output's check rests on one network alone.
//!
//! Both models look at the whole frame letterboxed into a square: the short
//! range model (128 px, faces within about two metres: close-ups) and the full
//! range model (192 px, faces down to a few percent of the frame). Small faces
//! in large photos stay CenterFace's job (its tiles); BlazeFace costs two small
//! inferences per look. Decoding is a pure function over the outputs, tested
//! without the model.

use super::{DetectError, FaceDetect, Finding, FindingKind};
use crate::error::SetupError;
use crate::geometry::{BoxF, nms};
use crate::models::{self, Model};
use fast_image_resize::Resizer;
use image::RgbImage;
use ndarray::Array4;
use ort::session::Session;
use ort::value::TensorRef;

/// The score above which BlazeFace's face is covered (its reasons are
/// with [`crate::config::params::BLAZEFACE_THRESHOLD`]).
///
/// ```
/// use phiscrub::detect::blazeface::THRESHOLD;
/// // What a scrubber uses unless told otherwise.
/// assert_eq!(phiscrub::Config::default().second_face_threshold, THRESHOLD);
/// ```
pub const THRESHOLD: f32 = crate::config::params::BLAZEFACE_THRESHOLD;

const NMS_IOU: f32 = 0.3;

/// One of the two BlazeFace models and the anchors its outputs refer to.
///
/// ```
/// use phiscrub::detect::blazeface::Range;
/// // Close-ups need the short range model, far faces the full range one.
/// assert!(Range::Short.side() < Range::Full.side());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Range {
    /// 128 px input, faces near the camera.
    Short,
    /// 192 px input, faces near and far.
    Full,
}

impl Range {
    /// The square input side in pixels.
    ///
    /// ```
    /// use phiscrub::detect::blazeface::Range;
    /// assert_eq!(Range::Short.side(), 128);
    /// assert_eq!(Range::Full.side(), 192);
    /// ```
    pub fn side(self) -> u32 {
        match self {
            Range::Short => 128,
            Range::Full => 192,
        }
    }

    fn model(self) -> &'static Model {
        match self {
            Range::Short => &models::BLAZEFACE_SHORT,
            Range::Full => &models::BLAZEFACE_FULL,
        }
    }

    /// Anchor centres in `[0, 1]` input coordinates, in the order of the
    /// model's outputs: per feature map (stride), row by row, then the
    /// anchors of a cell (MediaPipe's `SsdAnchorsCalculator` with fixed anchor
    /// size 1, so only centres matter).
    ///
    /// ```
    /// use phiscrub::detect::blazeface::Range;
    /// // 16×16 cells with 2 anchors, then 8×8 cells with 6.
    /// assert_eq!(Range::Short.anchors().len(), 896);
    /// // 48×48 cells with 1.
    /// assert_eq!(Range::Full.anchors().len(), 2304);
    /// assert_eq!(Range::Full.anchors()[0], [0.5 / 48.0, 0.5 / 48.0]);
    /// ```
    pub fn anchors(self) -> Vec<[f32; 2]> {
        let maps: &[(u32, usize)] = match self {
            // Strides 8, 16, 16, 16: the three stride-16 layers share one
            // grid, two anchors each.
            Range::Short => &[(8, 2), (16, 6)],
            Range::Full => &[(4, 1)],
        };
        let side = self.side();
        let mut out = Vec::new();
        for &(stride, per_cell) in maps {
            let cells = side / stride;
            for y in 0..cells {
                for x in 0..cells {
                    let c = [
                        (x as f32 + 0.5) / cells as f32,
                        (y as f32 + 0.5) / cells as f32,
                    ];
                    out.extend(std::iter::repeat_n(c, per_cell));
                }
            }
        }
        out
    }
}

/// Both BlazeFace models, one ONNX Runtime session each. Not shareable
/// between threads while running; the scrubber keeps one per worker.
///
/// ```
/// use phiscrub::detect::blazeface::BlazeFace;
/// use phiscrub::FaceDetect;
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/photos/grace_hopper.jpg");
/// let portrait = image::open(path)?.to_rgb8();
/// let mut detector = BlazeFace::new(1)?;
/// let faces = detector.detect(&portrait, 0.5)?;
/// assert_eq!(faces.len(), 1);
/// // The same face CenterFace finds (hand-labelled core centred at 260, 235).
/// let (cx, cy) = faces[0].bbox.center();
/// assert!((cx - 260.0).abs() < 40.0 && (cy - 235.0).abs() < 40.0, "{cx}, {cy}");
/// // Nothing in a flat picture.
/// assert!(detector.detect(&image::RgbImage::new(300, 200), 0.5)?.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct BlazeFace {
    short: Session,
    full: Session,
    anchors_short: Vec<[f32; 2]>,
    anchors_full: Vec<[f32; 2]>,
    resizer: Resizer,
}

impl BlazeFace {
    /// Loads both embedded models.
    ///
    /// ```
    /// let detector = phiscrub::detect::blazeface::BlazeFace::new(1);
    /// assert!(detector.is_ok());
    /// ```
    pub fn new(intra_threads: usize) -> Result<Self, SetupError> {
        Self::new_on(super::runtime::Device::Cpu, intra_threads)
    }

    /// [`Self::new`] on `device` (see [`super::runtime::session_on`]).
    ///
    /// ```
    /// use phiscrub::detect::{blazeface::BlazeFace, runtime::Device};
    /// assert!(BlazeFace::new_on(Device::Cpu, 1).is_ok());
    /// ```
    pub fn new_on(
        device: super::runtime::Device,
        intra_threads: usize,
    ) -> Result<Self, SetupError> {
        use super::runtime::session_on;
        Ok(BlazeFace {
            short: session_on(Range::Short.model(), intra_threads, device)?,
            full: session_on(Range::Full.model(), intra_threads, device)?,
            anchors_short: Range::Short.anchors(),
            anchors_full: Range::Full.anchors(),
            resizer: Resizer::new(),
        })
    }

    /// Runs one model on the whole frame, letterboxed; boxes in image pixels.
    fn look(
        &mut self,
        img: &RgbImage,
        range: Range,
        threshold: f32,
    ) -> Result<Vec<(BoxF, f32)>, DetectError> {
        let side = range.side();
        super::deadline::check()?;
        let (w, h) = img.dimensions();
        let box_ = Letterbox::new(w, h, side);
        let scaled = super::tiles::resized(&mut self.resizer, img, box_.w, box_.h)?;
        let input = box_.tensor(&scaled);
        let tensor = TensorRef::from_array_view(input.view()).map_err(DetectError::runtime)?;
        let (session, anchors) = match range {
            Range::Short => (&mut self.short, &self.anchors_short),
            Range::Full => (&mut self.full, &self.anchors_full),
        };
        let started = std::time::Instant::now();
        let outputs = session
            .run(ort::inputs!["input" => tensor])
            .map_err(DetectError::runtime)?;
        let pixels = (side * side) as u64;
        super::tally::record(super::tally::Net::BlazeFace, 1, pixels, started.elapsed());
        // The two models name their outputs differently; they are told apart
        // by their last dimension (16 box numbers, 1 score).
        let (mut regressors, mut logits) = (None, None);
        for (_, value) in outputs.iter() {
            let (shape, data) = value
                .try_extract_tensor::<f32>()
                .map_err(|e| DetectError::Output(format!("BlazeFace output: {e}")))?;
            match shape.last() {
                Some(16) => regressors = Some(data.to_vec()),
                Some(1) => logits = Some(data.to_vec()),
                _ => {
                    return Err(DetectError::Output(format!(
                        "BlazeFace gave an output of shape {shape:?}"
                    )));
                }
            }
        }
        let (Some(regressors), Some(logits)) = (regressors, logits) else {
            return Err(DetectError::Output(
                "BlazeFace gave no boxes or no scores".into(),
            ));
        };
        let found = decode(&regressors, &logits, anchors, side as f32, threshold)
            .map_err(DetectError::Output)?;
        Ok(found
            .into_iter()
            .filter_map(|(b, s)| box_.back(b).map(|b| (b, s)))
            .collect())
    }
}

impl FaceDetect for BlazeFace {
    fn detect(&mut self, img: &RgbImage, threshold: f32) -> Result<Vec<Finding>, DetectError> {
        if img.width() == 0 || img.height() == 0 {
            return Ok(Vec::new());
        }
        let mut found = self.look(img, Range::Short, threshold)?;
        found.extend(self.look(img, Range::Full, threshold)?);
        let (boxes, scores): (Vec<BoxF>, Vec<f32>) = found.into_iter().unzip();
        Ok(nms(&boxes, &scores, NMS_IOU)
            .into_iter()
            .map(|k| Finding::new(FindingKind::Face, boxes[k], scores[k]))
            .collect())
    }
}

/// Where an image lands in a square network input: scaled to fit, centred,
/// the rest black (as MediaPipe letterboxes).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Letterbox {
    side: u32,
    scale: f32,
    /// The scaled image's size and its offset in the square.
    w: u32,
    h: u32,
    x: u32,
    y: u32,
}

impl Letterbox {
    fn new(width: u32, height: u32, side: u32) -> Letterbox {
        let scale = side as f32 / width.max(height) as f32;
        let w = ((width as f32 * scale).round() as u32).clamp(1, side);
        let h = ((height as f32 * scale).round() as u32).clamp(1, side);
        Letterbox {
            side,
            scale,
            w,
            h,
            x: (side - w) / 2,
            y: (side - h) / 2,
        }
    }

    /// The network input: the scaled RGB pixels in the square, NCHW,
    /// `v / 127.5 − 1` (black padding is −1).
    fn tensor(&self, rgb: &[u8]) -> Array4<f32> {
        let s = self.side as usize;
        let mut arr = Array4::<f32>::from_elem((1, 3, s, s), -1.0);
        let plane = s * s;
        let data = arr
            .as_slice_mut()
            .expect("a freshly built array is contiguous");
        for (row, line) in rgb.chunks_exact(self.w as usize * 3).enumerate() {
            let base = (self.y as usize + row) * s + self.x as usize;
            for (col, px) in line.chunks_exact(3).enumerate() {
                for c in 0..3 {
                    data[c * plane + base + col] = px[c] as f32 / 127.5 - 1.0;
                }
            }
        }
        arr
    }

    /// A box in network pixels back in image pixels; `None` when it lies
    /// wholly in the padding.
    fn back(&self, b: BoxF) -> Option<BoxF> {
        let (x1, y1) = (b.x - self.x as f32, b.y - self.y as f32);
        let (x2, y2) = (x1 + b.w, y1 + b.h);
        let (x1, y1) = (x1.max(0.0), y1.max(0.0));
        let (x2, y2) = (x2.min(self.w as f32), y2.min(self.h as f32));
        (x2 > x1 && y2 > y1).then(|| {
            BoxF::from_corners(
                x1 / self.scale,
                y1 / self.scale,
                x2 / self.scale,
                y2 / self.scale,
            )
        })
    }
}

/// Decodes every anchor scoring above `threshold` into a box in network
/// pixels and suppresses overlaps. `regressors` holds 16 numbers per anchor
/// (box centre offset and size in pixels, then six landmarks, unused);
/// `logits` one score before the sigmoid. A non-finite score is an error: a
/// network emitting NaN would find nothing, and neither would its check.
///
/// ```
/// use phiscrub::detect::blazeface::{decode, Range};
/// let anchors = Range::Short.anchors();
/// let mut regressors = vec![0.0; anchors.len() * 16];
/// let mut logits = vec![-10.0; anchors.len()];
/// // Anchor 0 sits at (4, 4) in a 128 px input: a 20×30 box shifted by (2, 1).
/// regressors[..4].copy_from_slice(&[2.0, 1.0, 20.0, 30.0]);
/// logits[0] = 3.0;
/// let found = decode(&regressors, &logits, &anchors, 128.0, 0.5).unwrap();
/// assert_eq!(found.len(), 1);
/// assert_eq!(found[0].0.center(), (6.0, 5.0));
/// assert_eq!((found[0].0.w, found[0].0.h), (20.0, 30.0));
/// assert!((found[0].1 - 0.9526).abs() < 1e-3);
/// ```
pub fn decode(
    regressors: &[f32],
    logits: &[f32],
    anchors: &[[f32; 2]],
    side: f32,
    threshold: f32,
) -> Result<Vec<(BoxF, f32)>, String> {
    if logits.len() != anchors.len() || regressors.len() != 16 * anchors.len() {
        return Err(format!(
            "BlazeFace outputs have {} scores and {} box numbers for {} anchors",
            logits.len(),
            regressors.len(),
            anchors.len()
        ));
    }
    if !logits.iter().all(|v| v.is_finite()) {
        return Err("BlazeFace produced non-finite scores".into());
    }
    let mut boxes = Vec::new();
    let mut scores = Vec::new();
    for (i, (&logit, anchor)) in logits.iter().zip(anchors).enumerate() {
        let score = 1.0 / (1.0 + (-logit.clamp(-100.0, 100.0)).exp());
        if score <= threshold {
            continue;
        }
        let r = &regressors[16 * i..16 * i + 4];
        if !r.iter().all(|v| v.is_finite()) {
            return Err("BlazeFace produced a non-finite box".into());
        }
        let (cx, cy) = (anchor[0] * side + r[0], anchor[1] * side + r[1]);
        let (w, h) = (r[2].abs(), r[3].abs());
        boxes.push(BoxF::new(cx - w / 2.0, cy - h / 2.0, w, h));
        scores.push(score);
    }
    Ok(nms(&boxes, &scores, NMS_IOU)
        .into_iter()
        .map(|k| (boxes[k], scores[k]))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letterbox_centres_the_image_and_maps_boxes_back() {
        // 400×200 into 128: scale 0.32, 128×64 placed 32 px down.
        let b = Letterbox::new(400, 200, 128);
        assert_eq!((b.w, b.h, b.x, b.y), (128, 64, 0, 32));
        let back = b.back(BoxF::new(32.0, 48.0, 16.0, 16.0)).unwrap();
        assert_eq!((back.x, back.y, back.w, back.h), (100.0, 50.0, 50.0, 50.0));
        // A box in the black band above the image is nothing.
        assert!(b.back(BoxF::new(10.0, 0.0, 20.0, 20.0)).is_none());
        // One reaching into the image is cut at its edge.
        let cut = b.back(BoxF::new(0.0, 22.0, 16.0, 20.0)).unwrap();
        assert_eq!((cut.y, cut.h), (0.0, 31.25));
    }

    #[test]
    fn tensor_holds_pixels_inside_and_black_around() {
        let b = Letterbox::new(2, 1, 4);
        // 4×2 scaled image at (0, 1).
        let rgb: Vec<u8> = (0..4 * 2 * 3).map(|v| (v * 10) as u8).collect();
        let t = b.tensor(&rgb);
        assert_eq!(t.shape(), &[1, 3, 4, 4]);
        assert_eq!(t[[0, 0, 0, 0]], -1.0);
        assert_eq!(t[[0, 0, 1, 0]], -1.0);
        assert_eq!(t[[0, 1, 1, 0]], 10.0 / 127.5 - 1.0);
        assert_eq!(
            t[[0, 2, 2, 3]],
            (((4 + 3) * 3 + 2) * 10) as f32 / 127.5 - 1.0
        );
        assert_eq!(t[[0, 0, 3, 3]], -1.0);
    }

    #[test]
    fn nan_scores_are_an_error_not_an_empty_answer() {
        let anchors = Range::Full.anchors();
        let regressors = vec![0.0; anchors.len() * 16];
        let mut logits = vec![-5.0; anchors.len()];
        logits[7] = f32::NAN;
        assert!(decode(&regressors, &logits, &anchors, 192.0, 0.5).is_err());
        assert!(decode(&regressors, &logits[1..], &anchors, 192.0, 0.5).is_err());
    }

    #[test]
    fn overlapping_anchors_merge() {
        let anchors = Range::Short.anchors();
        let mut regressors = vec![0.0; anchors.len() * 16];
        let mut logits = vec![-10.0; anchors.len()];
        // The two anchors of the first cell answer the same box.
        for i in 0..2 {
            regressors[16 * i + 2] = 30.0;
            regressors[16 * i + 3] = 30.0;
            logits[i] = 2.0 + i as f32;
        }
        let found = decode(&regressors, &logits, &anchors, 128.0, 0.5).unwrap();
        assert_eq!(found.len(), 1);
        assert!(found[0].1 > 0.95);
    }
}
