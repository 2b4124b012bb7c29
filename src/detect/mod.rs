//! Detectors: what they find ([`Finding`]), the runtime they share, and a pool
//! that gives each worker thread its own ONNX session.

pub mod code;
pub mod face;
pub(crate) mod pool;
pub mod runtime;
pub mod scales;
pub mod text;
pub mod wristband;

use crate::geometry::{BoxF, Quad, Rect};

/// What a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FindingKind {
    Face,
    /// Printed or written text (any language, any content: names, dates,
    /// record numbers alike).
    Text,
    /// A barcode or 2D code (its contents are never kept).
    Code,
    /// Text and codes that sit together on a label strip, covered as one.
    Wristband,
}

impl FindingKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            FindingKind::Face => "face",
            FindingKind::Text => "text",
            FindingKind::Code => "code",
            FindingKind::Wristband => "wristband",
        }
    }
}

/// Something identifying in the pixels, in upright-image coordinates.
///
/// ```
/// use phiscrub::{BoxF, Finding, FindingKind};
/// let f = Finding::new(FindingKind::Face, BoxF::new(1.0, 2.0, 30.0, 40.0), 0.9);
/// assert_eq!(f.kind.as_str(), "face");
/// assert_eq!(f.region(100, 100).unwrap().x1, 31);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub kind: FindingKind,
    /// The detector's box (for faces before redaction padding), clipped to
    /// the image.
    pub bbox: BoxF,
    /// Detector confidence in `[0, 1]`.
    pub score: f32,
    /// A tighter, slanted outline inside `bbox` when the thing found is not
    /// upright (rotated text, a tilted code); filled instead of the box.
    pub outline: Option<Quad>,
}

impl Finding {
    /// An upright finding.
    pub fn new(kind: FindingKind, bbox: BoxF, score: f32) -> Finding {
        Finding {
            kind,
            bbox,
            score,
            outline: None,
        }
    }

    /// The pixels the finding occupies: its outline, or its box.
    pub fn region(&self, width: u32, height: u32) -> Option<Rect> {
        match self.outline {
            Some(q) => Rect::from_quad(q, width, height),
            None => self.bbox.to_rect(width, height),
        }
    }

    /// The central half of the finding (half its length and thickness):
    /// what verification requires to be covered.
    pub fn core(&self, width: u32, height: u32) -> Option<Rect> {
        match self.outline {
            Some(q) => {
                let (cx, cy) = (
                    q.iter().map(|p| p[0]).sum::<f32>() / 4.0,
                    q.iter().map(|p| p[1]).sum::<f32>() / 4.0,
                );
                let half = q.map(|[x, y]| [cx + (x - cx) / 2.0, cy + (y - cy) / 2.0]);
                Rect::from_quad(half, width, height)
            }
            None => self.bbox.scaled(0.5, 0.5).to_rect(width, height),
        }
    }
}

/// A face detector working on upright RGB pixels. Implemented by
/// [`face::CenterFace`]; tests and benchmarks substitute fakes.
pub trait FaceDetect: Send {
    /// Returns every face scoring above `threshold`, in `img`'s pixels. An
    /// `Err` means the image could not be checked and must be refused.
    fn detect(&mut self, img: &image::RgbImage, threshold: f32) -> Result<Vec<Finding>, String>;
}

/// A text detector working on upright RGB pixels. Implemented by
/// [`text::TextDetector`]; tests substitute fakes.
pub trait TextDetect: Send {
    /// Returns every text region scoring above `threshold` outside the
    /// `covered` regions (already filled: text there is not looked for). An
    /// `Err` means the image could not be checked and must be refused.
    fn detect(
        &mut self,
        img: &image::RgbImage,
        threshold: f32,
        covered: &[crate::geometry::Rect],
    ) -> Result<Vec<Finding>, String>;
}

/// True when the `(x, y, w, h)` region of two RGB buffers `stride` pixels
/// wide holds the same bytes: the detectors' test for reusing a tile.
pub(crate) fn same_region(
    a: &[u8],
    b: &[u8],
    stride: u32,
    (x, y, w, h): (u32, u32, u32, u32),
) -> bool {
    if a.len() != b.len() {
        return false;
    }
    (y..y + h).all(|row| {
        let start = (row as usize * stride as usize + x as usize) * 3;
        let end = start + w as usize * 3;
        a[start..end] == b[start..end]
    })
}
