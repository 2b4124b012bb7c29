//! Text detection with the PP-OCRv4 detector (a DBNet,
//! `models/ch_PP-OCRv4_det_infer.onnx`).
//!
//! The network takes BGR normalised to [-1, 1], NCHW, sides multiples of 32,
//! and answers a per-pixel text probability. Post-processing follows DB:
//! threshold the map, take connected regions, keep those whose mean
//! probability is high enough, and grow each by a margin proportional to its
//! area over its perimeter (text kernels are shrunk versions of the text).
//! Each region becomes the smaller of its axis-aligned box and its box along
//! its principal axis, so slanted lines get a slanted fill.
//!
//! Large photos are scaled down to `detail_side` and read in overlapping
//! tiles of at most `tile` network pixels; the detector remembers each tile's
//! pixels and answer, so a second look after filling reruns only the tiles
//! the fills touched.

mod looks;
mod net;

use crate::detect::tiles;
use crate::detect::{DetectError, Finding, TextDetect};
use crate::error::SetupError;
use crate::geometry::Rect;
use crate::models;
use fast_image_resize::Resizer;
use image::RgbImage;
use looks::{Doubt, Look, covered_cells, keep, looks, paint_over, speck, turn, turned_back};
use net::{Map, normalise, regions, text_finding};
use ort::session::Session;
use ort::value::TensorRef;

pub use crate::config::params::TextParams;

/// One ONNX Runtime session of the text detector.
///
/// ```
/// use phiscrub::detect::text::{TextDetector, TextParams};
/// use phiscrub::TextDetect;
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/text/page.png");
/// let page = image::open(path)?.to_rgb8();
/// let mut detector = TextDetector::new(1, TextParams::default())?;
/// let lines = detector.detect(&page, 0.4, &[])?;
/// // Seven lines of print; each finding lies on the page.
/// assert!(lines.len() >= 7);
/// for line in &lines {
///     assert!(line.score > 0.4);
///     assert!(line.region(page.width(), page.height()).is_some());
/// }
/// // Blank paper holds no text.
/// let blank = image::RgbImage::from_pixel(384, 191, image::Rgb([235, 235, 230]));
/// assert!(detector.detect(&blank, 0.4, &[])?.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct TextDetector {
    session: Session,
    params: TextParams,
    resizer: Resizer,
    /// One per look (the first scale, the second, the second turned): the
    /// last call's network pixels and each tile's probability map.
    memo: [Option<tiles::Memo<Map>>; 3],
    /// Where the second look saw text too thick for it (see
    /// [`TextParams::second_thickest`]) in the image of this call and the
    /// calls before it, since the last [`TextDetect::start`].
    doubt: Doubt,
    inferences: u64,
}

impl TextDetector {
    /// Loads the embedded model.
    ///
    /// ```
    /// use phiscrub::detect::text::{TextDetector, TextParams};
    /// use phiscrub::{Config, FindingKind, TextDetect};
    /// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/text/page.png");
    /// // The settings a scrubber with this configuration would use.
    /// let config = Config::default();
    /// let mut detector = TextDetector::new(config.intra_threads, config.text_params())?;
    /// let page = image::open(path)?.to_rgb8();
    /// let found = detector.detect(&page, config.text_threshold, &[])?;
    /// assert!(!found.is_empty() && found.iter().all(|f| f.kind == FindingKind::Text));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(intra_threads: usize, params: TextParams) -> Result<Self, SetupError> {
        Self::new_on(super::runtime::Device::Cpu, intra_threads, params)
    }

    /// [`Self::new`] on `device` (see [`super::runtime::session_on`]).
    ///
    /// ```
    /// use phiscrub::detect::{runtime::Device, text::TextDetector};
    /// let params = phiscrub::Config::default().text_params();
    /// assert!(TextDetector::new_on(Device::Cpu, 1, params).is_ok());
    /// ```
    pub fn new_on(
        device: super::runtime::Device,
        intra_threads: usize,
        params: TextParams,
    ) -> Result<Self, SetupError> {
        let session = super::runtime::session_on(&models::PPOCR_DET, intra_threads, device)?;
        Ok(TextDetector {
            session,
            params,
            resizer: Resizer::new(),
            memo: [None, None, None],
            doubt: Doubt::default(),
            inferences: 0,
        })
    }

    /// Drops the memory of the last call (benchmarks measure a cold call).
    ///
    /// ```
    /// use phiscrub::detect::text::{TextDetector, TextParams};
    /// use phiscrub::TextDetect;
    /// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/text/page.png");
    /// let page = image::open(path)?.to_rgb8();
    /// let mut detector = TextDetector::new(1, TextParams::default())?;
    /// let first = detector.detect(&page, 0.4, &[])?;
    /// let cold = detector.inferences();
    /// // A second look at the same pixels reuses every tile...
    /// assert_eq!(detector.detect(&page, 0.4, &[])?, first);
    /// assert_eq!(detector.inferences(), cold);
    /// // ...unless the detector was told to forget them.
    /// detector.forget();
    /// assert_eq!(detector.detect(&page, 0.4, &[])?, first);
    /// assert_eq!(detector.inferences(), 2 * cold);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn forget(&mut self) {
        self.memo = [None, None, None];
        self.doubt = Doubt::default();
    }

    /// Network runs so far (tiles reused from the last call do not count).
    ///
    /// ```
    /// use phiscrub::detect::text::{TextDetector, TextParams};
    /// use phiscrub::{Rect, TextDetect};
    /// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/text/page.png");
    /// let page = image::open(path)?.to_rgb8();
    /// let mut detector = TextDetector::new(1, TextParams::default())?;
    /// detector.detect(&page, 0.4, &[])?;
    /// // The page, scaled up for reading, is two tiles wide.
    /// assert_eq!(detector.inferences(), 2);
    /// // After filling the left end of the first lines, only the tile that
    /// // saw them runs again.
    /// let filled = Rect { x0: 0, y0: 0, x1: 80, y1: 60, ..Default::default() };
    /// detector.detect(&page, 0.4, &[filled])?;
    /// assert_eq!(detector.inferences(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn inferences(&self) -> u64 {
        self.inferences
    }

    /// The probability map of one tile of the resized image.
    fn infer(
        &mut self,
        pixels: &[u8],
        stride: u32,
        (x, y, w, h): (u32, u32, u32, u32),
    ) -> Result<Map, DetectError> {
        super::deadline::check()?;
        let (pw, ph) = (w.div_ceil(32) * 32, h.div_ceil(32) * 32);
        let input = normalise(pixels, stride, (x, y, w, h), pw, ph);
        let tensor = TensorRef::from_array_view(input.view()).map_err(DetectError::runtime)?;
        let started = std::time::Instant::now();
        let outputs = self
            .session
            .run(ort::inputs!["x" => tensor])
            .map_err(DetectError::runtime)?;
        let pixels = (pw * ph) as u64;
        super::tally::record(super::tally::Net::Text, 1, pixels, started.elapsed());
        self.inferences += 1;
        let (shape, prob) = outputs
            .get("sigmoid_0.tmp_0")
            .ok_or(DetectError::Output(
                "the text detector gave no probability map".into(),
            ))?
            .try_extract_tensor::<f32>()
            .map_err(|e| DetectError::Output(format!("text detector output: {e}")))?;
        if shape.len() != 4 || shape[2] as u32 != ph || shape[3] as u32 != pw {
            return Err(DetectError::Output(format!(
                "text probability map has shape {shape:?}"
            )));
        }
        if !prob.iter().all(|v| v.is_finite()) {
            return Err(DetectError::Output(
                "the text detector produced non-finite scores".into(),
            ));
        }
        Ok(Map {
            w: pw as usize,
            h: ph as usize,
            prob: prob.to_vec(),
        })
    }
}

impl TextDetect for TextDetector {
    fn start(&mut self) {
        self.doubt = Doubt::default();
    }

    fn detect(
        &mut self,
        img: &RgbImage,
        threshold: f32,
        covered: &[Rect],
    ) -> Result<Vec<Finding>, DetectError> {
        let (w, h) = img.dimensions();
        if w == 0 || h == 0 {
            return Ok(Vec::new());
        }
        self.doubt.begin((w, h));
        let mut out = Vec::new();
        for (slot, look) in looks(w, h, &self.params).into_iter().enumerate() {
            out.extend(self.look(img, look, slot, threshold, covered)?);
        }
        Ok(out)
    }
}

impl TextDetector {
    /// One look at `img` resized to the look's size and, for the turned
    /// look, turned after resizing; remembered in `memo[slot]`.
    fn look(
        &mut self,
        img: &RgbImage,
        Look {
            size: (uw, uh),
            turned,
        }: Look,
        slot: usize,
        threshold: f32,
        covered: &[Rect],
    ) -> Result<Vec<Finding>, DetectError> {
        let (w, h) = img.dimensions();
        let mut pixels = tiles::resized(&mut self.resizer, img, uw, uh)?.into_owned();
        let mut hidden = covered_cells(covered, (w, h), (uw, uh));
        if let Some(hidden) = &hidden {
            paint_over(&mut pixels, hidden, (uw, uh));
        }
        // From here on, network pixels are those of the image as the
        // network sees it: turned, for the turned look.
        let (nw, nh) = if turned {
            pixels = turn(&pixels, 3, (uw, uh));
            hidden = hidden.map(|cells| turn(&cells, 1, (uw, uh)));
            (uh, uw)
        } else {
            (uw, uh)
        };
        let grid = tiles::grid(nw, nh, self.params.tile, self.params.overlap);
        let previous = self.memo[slot].take();
        let memo = tiles::Memo::answer(previous.as_ref(), pixels, nw, grid, 1, |pixels, cut| {
            Ok::<_, DetectError>(vec![self.infer(pixels, nw, cut[0])?])
        })?;
        let (fx, fy) = (w as f32 / uw as f32, h as f32 / uh as f32);
        let all = TextParams {
            box_threshold: threshold,
            ..self.params
        };
        let speck = speck(w, uw);
        let mut found = Vec::new();
        for (&(tx, ty, tw, th), map) in memo.tiles().iter().zip(memo.answers()) {
            let mut prob = map.prob.clone();
            if let Some(hidden) = &hidden {
                for row in 0..th as usize {
                    let from = (ty as usize + row) * nw as usize + tx as usize;
                    let cells = &hidden[from..from + tw as usize];
                    for (p, &off) in prob[row * map.w..].iter_mut().zip(cells) {
                        if off {
                            *p = 0.0;
                        }
                    }
                }
            }
            for (q, score) in regions(&prob, map.w, map.h, &all, speck) {
                let q = q.map(|[x, y]| [tx as f32 + x, ty as f32 + y]);
                let q = if turned { turned_back(q, uh) } else { q };
                found.push((q.map(|[x, y]| [x * fx, y * fy]), score));
            }
        }
        let thickest = match self.params.second_thickest {
            t if slot > 0 && t > 0 => Some(t as f32),
            _ => None,
        };
        keep(&mut found, turned, thickest, &mut self.doubt);
        let out = found
            .into_iter()
            .map(|(quad, score)| text_finding(quad, score, w, h))
            .collect();
        self.memo[slot] = Some(memo);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_second_look_misread_is_kept_for_one_image_only() {
        let block = (
            [
                [100.0, 100.0],
                [300.0, 100.0],
                [300.0, 250.0],
                [100.0, 250.0],
            ],
            0.9,
        );
        let line = (
            [
                [150.0, 150.0],
                [190.0, 150.0],
                [190.0, 158.0],
                [150.0, 158.0],
            ],
            0.9,
        );
        let kept = |doubt: &mut Doubt| {
            let mut found = vec![line];
            doubt.sift(&mut found, 48.0);
            found.len()
        };
        let mut doubt = Doubt::default();
        doubt.begin((800, 600));
        doubt.sift(&mut vec![block], 48.0);
        // Later rounds of the same image: the place stays in doubt.
        doubt.begin((800, 600));
        assert_eq!(kept(&mut doubt), 0);
        // An image of another size starts afresh: its text there is read.
        doubt.begin((640, 480));
        assert_eq!(kept(&mut doubt), 1);
        // So does the next image of the same size once the detector is told
        // it starts (scrub does, before each image and each output look),
        // whatever a first round paints over.
        let mut det = TextDetector::new(1, TextParams::default()).unwrap();
        let page = RgbImage::from_pixel(800, 600, image::Rgb([230, 230, 230]));
        det.detect(&page, 0.4, &[]).unwrap();
        det.doubt.sift(&mut vec![block], 48.0);
        det.detect(&page, 0.4, &[]).unwrap();
        assert_eq!(kept(&mut det.doubt), 0, "a later round keeps the doubt");
        det.start();
        assert_eq!(kept(&mut det.doubt), 1, "a new image starts afresh");
    }
}
