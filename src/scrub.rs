//! One image, in memory: decode → detect → redact → encode → verify. Files,
//! folders and threads are the pipeline's business, not this module's.

use crate::config::Config;
use crate::detect::face::CenterFace;
use crate::detect::pool::Pool;
use crate::detect::{FaceDetect, Finding};
use crate::error::{Refusal, RefusalReason, ScrubError, SetupError};
use crate::geometry::Rect;
use crate::image_io::{self, Format};
use crate::{redact, verify};
use std::time::{Duration, Instant};

/// Makes images safe. Build it once (it loads ONNX Runtime and the models) and
/// share it: it is `Send + Sync`, and concurrent calls each get their own
/// detector session.
///
/// ```no_run
/// use phiscrub::{Config, Scrubber};
/// let scrubber = Scrubber::new(Config::default())?;
/// let photo = std::fs::read("ward.jpg")?;
/// match scrubber.scrub(&photo) {
///     Ok(safe) => std::fs::write("ward-safe.jpg", &safe.bytes)?,
///     Err(why) => eprintln!("ward.jpg not exported: {why}"),
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Scrubber {
    config: Config,
    faces: Pool<Box<dyn FaceDetect>>,
}

/// A successfully scrubbed image.
#[derive(Clone, Debug)]
pub struct Scrubbed {
    /// The encoded output: pixels only, no metadata.
    pub bytes: Vec<u8>,
    pub format: Format,
    pub width: u32,
    pub height: u32,
    /// What was found and covered, before padding.
    pub findings: Vec<Finding>,
    /// The pixel rectangles that were filled.
    pub filled: Vec<Rect>,
    /// The EXIF orientation applied to the pixels (1 when none).
    pub orientation: u16,
    /// Time spent per stage.
    pub timings: Timings,
}

/// Wall-clock time per stage of one image.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timings {
    pub decode: Duration,
    pub detect: Duration,
    pub encode: Duration,
    pub verify: Duration,
}

impl Scrubber {
    /// Checks `config`, loads ONNX Runtime and one face detector session, so
    /// that a missing runtime or damaged model stops a run before any file is
    /// touched.
    pub fn new(config: Config) -> Result<Scrubber, SetupError> {
        config.validate()?;
        crate::detect::runtime::environment()?;
        let (threads, side) = (config.intra_threads, config.detect_max_side);
        Scrubber::with_face_detector(config, move || {
            CenterFace::new(threads, side)
                .map(|d| Box::new(d) as Box<dyn FaceDetect>)
                .map_err(|e| e.to_string())
        })
    }

    /// Builds a scrubber around another face detector. For tests and
    /// benchmarks that must not depend on the model.
    #[doc(hidden)]
    pub fn with_face_detector<F>(config: Config, make: F) -> Result<Scrubber, SetupError>
    where
        F: Fn() -> Result<Box<dyn FaceDetect>, String> + Send + Sync + 'static,
    {
        config.validate()?;
        let faces = Pool::new(Box::new(make));
        faces.prime().map_err(|detail| SetupError::Model {
            model: crate::models::CENTERFACE.name,
            detail,
        })?;
        Ok(Scrubber { config, faces })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Scrubs one encoded image (JPEG or PNG) and returns the safe encoding in
    /// the same format, or why it cannot be exported.
    pub fn scrub(&self, bytes: &[u8]) -> Result<Scrubbed, ScrubError> {
        let mut timings = Timings::default();
        let t = Instant::now();
        let decoded =
            image_io::decode(bytes, self.config.max_pixels).map_err(ScrubError::Unreadable)?;
        let mut image = decoded.image;
        let (width, height) = (image.width(), image.height());
        let rgb = image.to_rgb8();
        timings.decode = t.elapsed();

        let t = Instant::now();
        let Detected {
            findings,
            filled,
            judged,
        } = self.detect_and_fill(rgb)?;
        redact::fill(&mut image, &filled);
        timings.detect = t.elapsed();

        let t = Instant::now();
        let out = image_io::encode(&image, decoded.format, self.config.jpeg_quality)
            .map_err(ScrubError::Internal)?;
        drop(image);
        timings.encode = t.elapsed();

        let t = Instant::now();
        let check =
            verify::decode_output(&out, decoded.format, width, height, self.config.max_pixels)
                .map_err(|d| refused(RefusalReason::VerificationFailed(d), Vec::new()))?;
        let again = self.detect_faces(&check, self.config.verify_threshold)?;
        let uncovered = verify::residual(again, &filled, width, height);
        let residual = verify::unexplained(uncovered, &judged);
        timings.verify = t.elapsed();
        if !residual.is_empty() {
            return Err(refused(RefusalReason::Residual, residual));
        }

        Ok(Scrubbed {
            bytes: out,
            format: decoded.format,
            width,
            height,
            findings,
            filled,
            orientation: decoded.orientation,
            timings,
        })
    }

    /// Detects faces, fills them, and looks again at the filled pixels until
    /// nothing new appears. Covering one face changes what the detector sees
    /// around it: a neighbour that scored just under the threshold beside an
    /// uncovered face often scores above it once that face is a black box.
    ///
    /// Returns the findings, the filled rectangles, and the candidates of the
    /// last round that scored at most the verification threshold: verification
    /// may see them again just above it, after encoding.
    fn detect_and_fill(&self, mut rgb: image::RgbImage) -> Result<Detected, ScrubError> {
        let (width, height) = rgb.dimensions();
        let (t_face, t_verify) = (self.config.face_threshold, self.config.verify_threshold);
        let mut findings = Vec::new();
        let mut filled: Vec<Rect> = Vec::new();
        let mut judged = Vec::new();
        for _ in 0..MAX_DETECT_ROUNDS {
            // One pass below the verification threshold gives both the faces
            // and the weaker candidates verification must be able to explain.
            let found = self.detect_faces(&rgb, t_verify * verify::JUDGED_FLOOR)?;
            let uncovered = verify::residual(found, &filled, width, height);
            let (new, below): (Vec<Finding>, Vec<Finding>) =
                uncovered.into_iter().partition(|f| f.score > t_face);
            judged = below.into_iter().filter(|f| f.score <= t_verify).collect();
            if new.is_empty() {
                break;
            }
            let rects: Vec<Rect> = new
                .iter()
                .filter_map(|f| redact::face_region(f, self.config.face_padding, width, height))
                .collect();
            let mut dynimg = image::DynamicImage::ImageRgb8(rgb);
            redact::fill(&mut dynimg, &rects);
            rgb = dynimg.into_rgb8();
            filled.extend(rects);
            findings.extend(new);
        }
        Ok(Detected {
            findings,
            filled,
            judged,
        })
    }

    fn detect_faces(
        &self,
        rgb: &image::RgbImage,
        threshold: f32,
    ) -> Result<Vec<Finding>, ScrubError> {
        self.faces
            .with(|d| d.detect(rgb, threshold))
            .and_then(|r| r)
            .map_err(|e| refused(RefusalReason::DetectorFailed(e), Vec::new()))
    }
}

/// What the detection stage decided about one image.
struct Detected {
    /// Faces that were filled.
    findings: Vec<Finding>,
    /// The filled pixel rectangles (padded face boxes).
    filled: Vec<Rect>,
    /// Candidates left alone because they scored at most the verification
    /// threshold; see [`verify::unexplained`].
    judged: Vec<Finding>,
}

/// Detection rounds before handing the image to verification. Most images
/// settle in two; a face that keeps appearing after four rounds is left for
/// verification to refuse.
const MAX_DETECT_ROUNDS: usize = 4;

fn refused(reason: RefusalReason, residual: Vec<Finding>) -> ScrubError {
    ScrubError::Refused(Refusal { reason, residual })
}
