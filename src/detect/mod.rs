//! Detectors: what they find ([`Finding`]), the runtime they share, and a pool
//! that gives each worker thread its own ONNX session.

pub mod blazeface;
pub mod code;
pub(crate) mod deadline;
pub mod ensemble;
pub mod face;
pub(crate) mod pool;
pub mod runtime;
pub mod scales;
pub mod tally;
pub mod text;
pub(crate) mod tiles;
pub mod wristband;

use crate::geometry::{BoxF, Quad, Rect};

/// What a finding is.
///
/// ```
/// use phiscrub::{Config, FindingKind, Scrubber};
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/text/page.png");
/// let safe = Scrubber::new(Config::default())?.scrub(&std::fs::read(path)?)?;
/// // A printed page: text, and no face.
/// assert!(safe.findings.iter().any(|f| f.kind == FindingKind::Text));
/// assert!(safe.findings.iter().all(|f| f.kind != FindingKind::Face));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FindingKind {
    /// A human face (CenterFace); redacted with `face_padding` and
    /// `face_shape` around its box, unlike the other kinds.
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
    /// The name used in reports, the review sheet and HTTP answers.
    ///
    /// ```
    /// use phiscrub::FindingKind;
    /// assert_eq!(FindingKind::Wristband.as_str(), "wristband");
    /// ```
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
    /// Which detector found it, and so how it is redacted and reported.
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
    ///
    /// ```
    /// use phiscrub::{BoxF, Finding, FindingKind};
    /// let f = Finding::new(FindingKind::Code, BoxF::new(10.0, 10.0, 40.0, 40.0), 1.0);
    /// assert!(f.outline.is_none());
    /// ```
    pub fn new(kind: FindingKind, bbox: BoxF, score: f32) -> Finding {
        Finding {
            kind,
            bbox,
            score,
            outline: None,
        }
    }

    /// The pixels the finding occupies: its outline, or its box, rounded
    /// outwards and clipped to a `width` × `height` image; `None` when it
    /// lies outside.
    ///
    /// ```
    /// use phiscrub::{BoxF, Finding, FindingKind};
    /// let f = Finding::new(FindingKind::Text, BoxF::new(90.5, 4.2, 20.0, 5.0), 0.8);
    /// let r = f.region(100, 50).unwrap();
    /// assert_eq!((r.x0, r.y0, r.x1, r.y1), (90, 4, 100, 10));
    /// let gone = Finding::new(FindingKind::Text, BoxF::new(200.0, 0.0, 5.0, 5.0), 0.8);
    /// assert!(gone.region(100, 50).is_none());
    /// ```
    pub fn region(&self, width: u32, height: u32) -> Option<Rect> {
        match self.outline {
            Some(q) => Rect::from_quad(q, width, height),
            None => self.bbox.to_rect(width, height),
        }
    }

    /// The central half of the finding (half its length and thickness):
    /// what verification requires to be covered.
    ///
    /// ```
    /// use phiscrub::{BoxF, Finding, FindingKind};
    /// let f = Finding::new(FindingKind::Face, BoxF::new(0.0, 0.0, 40.0, 20.0), 0.9);
    /// let c = f.core(100, 100).unwrap();
    /// assert_eq!((c.x0, c.y0, c.x1, c.y1), (10, 5, 30, 15));
    /// ```
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

/// Why a detector could not answer. Any of them refuses the image: it
/// could not be checked.
///
/// ```
/// use phiscrub::detect::DetectError;
/// // A detector of one's own reports its reason as text.
/// let e: DetectError = "the camera's model is not loaded".into();
/// assert_eq!(e.to_string(), "the camera's model is not loaded");
/// assert_eq!(DetectError::TimeLimit.code(), "time_limit");
/// ```
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum DetectError {
    /// The scrub's time limit passed before this inference
    /// ([`Scrubber::scrub_within`](crate::Scrubber::scrub_within)).
    #[error("the time limit passed")]
    TimeLimit,
    /// ONNX Runtime could not run the network.
    #[error("{source}")]
    Runtime {
        /// ONNX Runtime's own error.
        source: runtime::Cause,
    },
    /// The network answered in a form the detector does not read (a shape
    /// or a value it cannot use).
    #[error("{0}")]
    Output(String),
    /// Any other reason, as a detector reports it (detectors given to
    /// [`Scrubber::with_detectors`](crate::Scrubber::with_detectors) and
    /// fakes).
    #[error("{0}")]
    Other(String),
}

impl DetectError {
    /// A short, stable name of the reason: `time_limit`, `runtime`,
    /// `output` or `other`.
    ///
    /// ```
    /// use phiscrub::detect::DetectError;
    /// assert_eq!(DetectError::Output("no heatmap".into()).code(), "output");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            DetectError::TimeLimit => "time_limit",
            DetectError::Runtime { .. } => "runtime",
            DetectError::Output(_) => "output",
            DetectError::Other(_) => "other",
        }
    }

    /// ONNX Runtime's error as a detector's.
    pub(crate) fn runtime(e: impl std::error::Error + Send + Sync + 'static) -> DetectError {
        DetectError::Runtime {
            source: std::sync::Arc::new(e),
        }
    }
}

impl From<String> for DetectError {
    fn from(why: String) -> DetectError {
        DetectError::Other(why)
    }
}

impl From<&str> for DetectError {
    fn from(why: &str) -> DetectError {
        DetectError::Other(why.to_string())
    }
}

/// A face detector working on upright RGB pixels. Implemented by
/// [`face::CenterFace`]; tests and benchmarks substitute fakes.
///
/// ```
/// use phiscrub::{BoxF, DetectError, FaceDetect, Finding, FindingKind};
/// /// Sees one face, always in the top-left corner.
/// struct Corner;
/// impl FaceDetect for Corner {
///     fn detect(&mut self, _: &image::RgbImage, _: f32) -> Result<Vec<Finding>, DetectError> {
///         Ok(vec![Finding::new(FindingKind::Face, BoxF::new(0.0, 0.0, 8.0, 8.0), 0.9)])
///     }
/// }
/// let found = Corner.detect(&image::RgbImage::new(32, 32), 0.5).unwrap();
/// assert_eq!(found[0].kind, FindingKind::Face);
/// ```
pub trait FaceDetect: Send {
    /// Returns every face scoring above `threshold`, in `img`'s pixels. An
    /// `Err` means the image could not be checked and must be refused.
    fn detect(
        &mut self,
        img: &image::RgbImage,
        threshold: f32,
    ) -> Result<Vec<Finding>, DetectError>;
}

/// A text detector working on upright RGB pixels. Implemented by
/// [`text::TextDetector`]; tests substitute fakes.
///
/// ```
/// use phiscrub::detect::text::{TextDetector, TextParams};
/// use phiscrub::{FindingKind, TextDetect};
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/text/page.png");
/// let page = image::open(path)?.to_rgb8();
/// let mut detector = TextDetector::new(1, TextParams::default())?;
/// let lines = detector.detect(&page, 0.4, &[])?;
/// assert!(lines.len() >= 7 && lines.iter().all(|f| f.kind == FindingKind::Text));
/// // Regions already filled are not looked at again.
/// let all = phiscrub::Rect { x0: 0, y0: 0, x1: page.width(), y1: page.height(), ..Default::default() };
/// assert!(detector.detect(&page, 0.4, &[all])?.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait TextDetect: Send {
    /// A new image begins: what the detector learnt about the last one's
    /// places (not its memo of tiles, which is exact) is dropped. Scrub calls
    /// it before an image's first round.
    fn start(&mut self) {}

    /// Returns every text region scoring above `threshold` outside the
    /// `covered` regions (already filled: text there is not looked for). An
    /// `Err` means the image could not be checked and must be refused.
    fn detect(
        &mut self,
        img: &image::RgbImage,
        threshold: f32,
        covered: &[crate::geometry::Rect],
    ) -> Result<Vec<Finding>, DetectError>;
}
