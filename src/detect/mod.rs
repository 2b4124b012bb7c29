//! Detectors: what they find ([`Finding`]), the runtime they share, and a pool
//! that gives each worker thread its own ONNX session.

pub mod face;
pub(crate) mod pool;
pub mod runtime;
pub mod scales;
pub mod text;

use crate::geometry::BoxF;

/// What a finding is. Codes and wristbands are planned; text is found by
/// [`text::TextDetector`] but not yet redacted by the scrubber.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FindingKind {
    Face,
    Text,
}

impl FindingKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            FindingKind::Face => "face",
            FindingKind::Text => "text",
        }
    }
}

/// Something identifying in the pixels, in upright-image coordinates.
///
/// ```
/// use phiscrub::{BoxF, Finding, FindingKind};
/// let f = Finding { kind: FindingKind::Face, bbox: BoxF::new(1.0, 2.0, 30.0, 40.0), score: 0.9 };
/// assert_eq!(f.kind.as_str(), "face");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub kind: FindingKind,
    /// The detector's box, before any redaction padding.
    pub bbox: BoxF,
    /// Detector confidence in `[0, 1]`.
    pub score: f32,
}

/// A face detector working on upright RGB pixels. Implemented by
/// [`face::CenterFace`]; tests and benchmarks substitute fakes.
pub trait FaceDetect: Send {
    /// Returns every face scoring above `threshold`, in `img`'s pixels. An
    /// `Err` means the image could not be checked and must be refused.
    fn detect(&mut self, img: &image::RgbImage, threshold: f32) -> Result<Vec<Finding>, String>;
}
