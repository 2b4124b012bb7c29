//! Text detection with the PP-OCRv4 detector (a DBNet,
//! `models/ch_PP-OCRv4_det_infer.onnx`).
//!
//! **Not called by the scrubber yet** (issue 5): this module finds text
//! regions as axis-aligned boxes; tiling of large photos, rotated (polygon)
//! fills, codes, wristbands and text verification are still to come.
//!
//! The network takes BGR normalised to [-1, 1], NCHW, sides multiples of 32,
//! and answers a per-pixel text probability. Post-processing follows DB:
//! threshold the map, take connected regions, keep those whose mean
//! probability is high enough, and grow each by a margin proportional to its
//! area over its perimeter (text kernels are shrunk versions of the text).

use crate::detect::{Finding, FindingKind};
use crate::error::SetupError;
use crate::geometry::BoxF;
use crate::models;
use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::RgbImage;
use ndarray::Array4;
use ort::session::Session;
use ort::value::TensorRef;

/// Detection settings. The defaults favour recall over RapidOCR's (box
/// threshold 0.5, unclip 1.6): a missed name is worse than a filled margin.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TextParams {
    /// Pixels above this probability form text regions.
    pub bin_threshold: f32,
    /// A region is text when its mean probability exceeds this.
    pub box_threshold: f32,
    /// Growth of each region: `area × unclip / perimeter` on every side.
    pub unclip: f32,
    /// Images whose shorter side is smaller are scaled up to it.
    pub min_side: u32,
    /// Images whose longer side is larger are scaled down to it.
    pub max_side: u32,
}

impl Default for TextParams {
    fn default() -> Self {
        TextParams {
            bin_threshold: 0.3,
            box_threshold: 0.4,
            unclip: 2.0,
            min_side: 736,
            max_side: 2048,
        }
    }
}

/// One ONNX Runtime session of the text detector.
pub struct TextDetector {
    session: Session,
    params: TextParams,
    resizer: Resizer,
}

impl TextDetector {
    /// Loads the embedded model.
    pub fn new(intra_threads: usize, params: TextParams) -> Result<Self, SetupError> {
        let session = super::runtime::session(&models::PPOCR_DET, intra_threads)?;
        Ok(TextDetector {
            session,
            params,
            resizer: Resizer::new(),
        })
    }

    /// Text regions in `img`'s pixels, with their mean probability as score.
    pub fn detect(&mut self, img: &RgbImage) -> Result<Vec<Finding>, String> {
        let (w, h) = img.dimensions();
        if w == 0 || h == 0 {
            return Ok(Vec::new());
        }
        let (nw, nh) = network_size(w, h, &self.params);
        let src = ImageRef::new(w, h, img.as_raw(), PixelType::U8x3)
            .map_err(|e| format!("resizing for text detection: {e}"))?;
        let mut dst = Image::new(nw, nh, PixelType::U8x3);
        let opts = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Bilinear));
        self.resizer
            .resize(&src, &mut dst, &opts)
            .map_err(|e| format!("resizing for text detection: {e}"))?;
        let input = normalise(dst.buffer(), nw, nh);
        let tensor = TensorRef::from_array_view(input.view()).map_err(|e| e.to_string())?;
        let outputs = self
            .session
            .run(ort::inputs!["x" => tensor])
            .map_err(|e| e.to_string())?;
        let (shape, prob) = outputs
            .get("sigmoid_0.tmp_0")
            .ok_or("the text detector gave no probability map")?
            .try_extract_tensor::<f32>()
            .map_err(|e| format!("text detector output: {e}"))?;
        if shape.len() != 4 || shape[2] as u32 != nh || shape[3] as u32 != nw {
            return Err(format!("text probability map has shape {shape:?}"));
        }
        if !prob.iter().all(|v| v.is_finite()) {
            return Err("the text detector produced non-finite scores".into());
        }
        let (fx, fy) = (w as f32 / nw as f32, h as f32 / nh as f32);
        Ok(regions(prob, nw as usize, nh as usize, &self.params)
            .into_iter()
            .map(|(b, score)| Finding {
                kind: FindingKind::Text,
                bbox: BoxF::from_corners(
                    (b.x * fx).max(0.0),
                    (b.y * fy).max(0.0),
                    (b.x2() * fx).min(w as f32),
                    (b.y2() * fy).min(h as f32),
                ),
                score,
            })
            .collect())
    }
}

/// The network input size: scaled up so the shorter side reaches
/// `min_side`, or down so the longer fits `max_side`, then rounded to
/// multiples of 32.
fn network_size(w: u32, h: u32, p: &TextParams) -> (u32, u32) {
    let mut s = 1.0f32;
    if w.min(h) < p.min_side {
        s = p.min_side as f32 / w.min(h) as f32;
    }
    if w.max(h) as f32 * s > p.max_side as f32 {
        s = p.max_side as f32 / w.max(h) as f32;
    }
    let round = |v: u32| (((v as f32 * s) / 32.0).round() as u32).max(1) * 32;
    (round(w), round(h))
}

/// RGB bytes to NCHW floats in [-1, 1], channels in BGR order: PaddleOCR
/// trained on OpenCV's BGR images.
fn normalise(rgb: &[u8], w: u32, h: u32) -> Array4<f32> {
    let (w, h) = (w as usize, h as usize);
    let mut arr = Array4::<f32>::zeros((1, 3, h, w));
    let plane = w * h;
    let data = arr
        .as_slice_mut()
        .expect("a freshly built array is contiguous");
    for (i, px) in rgb.chunks_exact(3).enumerate() {
        for c in 0..3 {
            data[c * plane + i] = px[2 - c] as f32 / 127.5 - 1.0;
        }
    }
    arr
}

/// DB post-processing of a `w`×`h` probability map: connected regions (8
/// neighbours) above the binary threshold, kept when their mean probability
/// exceeds the box threshold, grown by the unclip margin. Boxes are in map
/// pixels.
pub(crate) fn regions(prob: &[f32], w: usize, h: usize, p: &TextParams) -> Vec<(BoxF, f32)> {
    let mut seen = vec![false; w * h];
    let mut out = Vec::new();
    let mut stack = Vec::new();
    for start in 0..w * h {
        if seen[start] || prob[start] <= p.bin_threshold {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let (mut x0, mut y0, mut x1, mut y1) = (w, h, 0, 0);
        let (mut n, mut sum) = (0usize, 0f64);
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            x0 = x0.min(x);
            y0 = y0.min(y);
            x1 = x1.max(x);
            y1 = y1.max(y);
            n += 1;
            sum += prob[i] as f64;
            for dy in -1i64..=1 {
                for dx in -1i64..=1 {
                    let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                    if nx < 0 || ny < 0 || nx >= w as i64 || ny >= h as i64 {
                        continue;
                    }
                    let j = ny as usize * w + nx as usize;
                    if !seen[j] && prob[j] > p.bin_threshold {
                        seen[j] = true;
                        stack.push(j);
                    }
                }
            }
        }
        let (bw, bh) = ((x1 - x0 + 1) as f32, (y1 - y0 + 1) as f32);
        let score = (sum / n as f64) as f32;
        // Specks of a pixel or two are noise, not glyphs.
        if bw.min(bh) < 2.0 || score <= p.box_threshold {
            continue;
        }
        let grow = bw * bh * p.unclip / (2.0 * (bw + bh));
        out.push((
            BoxF::new(
                x0 as f32 - grow,
                y0 as f32 - grow,
                bw + 2.0 * grow,
                bh + 2.0 * grow,
            ),
            score,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_size_scales_small_images_up_and_large_down() {
        let p = TextParams::default();
        assert_eq!(network_size(384, 191, &p), (1472, 736));
        assert_eq!(network_size(4032, 3024, &p), (2048, 1536));
        assert_eq!(network_size(1000, 800, &p), (992, 800));
    }

    #[test]
    fn regions_are_connected_thresholded_and_grown() {
        let (w, h) = (40, 20);
        let mut prob = vec![0.0f32; w * h];
        // A 10×4 line of text at (5, 5), strongly detected.
        for y in 5..9 {
            for x in 5..15 {
                prob[y * w + x] = 0.9;
            }
        }
        // A weak blob: above the binary threshold, below the box threshold.
        for y in 12..16 {
            for x in 25..30 {
                prob[y * w + x] = 0.35;
            }
        }
        let found = regions(&prob, w, h, &TextParams::default());
        assert_eq!(found.len(), 1);
        let (b, s) = found[0];
        assert!((s - 0.9).abs() < 1e-6);
        // Grown by 10·4·2 / (2·14) ≈ 2.86 px on each side.
        let g = 10.0 * 4.0 * 2.0 / 28.0;
        assert!((b.x - (5.0 - g)).abs() < 1e-4 && (b.w - (10.0 + 2.0 * g)).abs() < 1e-4);
    }
}
