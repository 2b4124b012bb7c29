//! One image, in memory: examine the container → decode → detect and fill →
//! encode (or rewrite losslessly) → verify. Files, folders and threads are the
//! pipeline's business, not this module's.

use crate::config::Config;
use crate::detect::face::CenterFace;
use crate::detect::pool::Pool;
use crate::detect::{FaceDetect, Finding};
use crate::error::{Refusal, RefusalReason, ScrubError, SetupError, Unreadable};
use crate::format::{self, Format, Sniffed};
use crate::geometry::Rect;
use crate::image_io::{self, DecodeError, EncodeOptions};
use crate::metadata::{self, Category, Container};
use crate::{redact, verify};
use image::DynamicImage;
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
    /// `None` when face detection is off (metadata-only scrubbing).
    faces: Option<Pool<Box<dyn FaceDetect>>>,
}

/// A successfully scrubbed image.
#[derive(Clone, Debug)]
pub struct Scrubbed {
    /// The encoded output: pixels only, plus the ICC profile when kept.
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
    /// The kinds of identifying metadata the input carried (all removed).
    pub removed: Vec<Category>,
    /// The input's coded image data was kept byte for byte (no pixel change
    /// was needed); otherwise the pixels were re-encoded.
    pub lossless: bool,
    /// The output carries the input's ICC colour profile.
    pub icc_kept: bool,
    /// Pictures in the input; more than one only with `first_frame`.
    pub input_frames: usize,
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
    /// touched. With face detection off, the runtime is not needed.
    pub fn new(config: Config) -> Result<Scrubber, SetupError> {
        config.validate()?;
        if !config.detect_faces {
            return Ok(Scrubber {
                config,
                faces: None,
            });
        }
        crate::detect::runtime::environment()?;
        let (threads, scales) = (config.intra_threads, config.scale_params());
        Scrubber::with_face_detector(config, move || {
            CenterFace::new(threads, scales)
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
        Ok(Scrubber {
            config,
            faces: Some(faces),
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Scrubs one encoded image and returns the safe encoding, or why it
    /// cannot be exported.
    pub fn scrub(&self, bytes: &[u8]) -> Result<Scrubbed, ScrubError> {
        match &self.faces {
            // One detector for the whole image: its memory of the last call
            // spares the tiles the fills did not touch (see detect::face).
            Some(pool) => pool
                .with(|d| self.scrub_with(bytes, Some(d.as_mut())))
                .map_err(|e| refused(RefusalReason::DetectorFailed(e), Vec::new()))?,
            None => self.scrub_with(bytes, None),
        }
    }

    fn scrub_with(
        &self,
        bytes: &[u8],
        mut faces: Option<&mut dyn FaceDetect>,
    ) -> Result<Scrubbed, ScrubError> {
        let mut timings = Timings::default();
        let t = Instant::now();
        let format = match format::sniff(bytes) {
            Sniffed::Supported(f) => f,
            Sniffed::Unsupported(name) => {
                return Err(refused(
                    RefusalReason::Unsupported(name.to_string()),
                    Vec::new(),
                ))
            }
            Sniffed::Unknown => return Err(ScrubError::Unreadable(Unreadable::NotAnImage)),
        };
        let container = metadata::examine(bytes, format)
            .map_err(|e| ScrubError::Unreadable(Unreadable::Corrupt(e.to_string())))?;
        if container.frames > 1 && !self.config.first_frame {
            let what = container
                .hazards
                .iter()
                .find(|h| h.category == Category::ExtraFrames)
                .map(|h| h.detail.clone())
                .unwrap_or_else(|| format!("{format} frames"));
            return Err(refused(
                RefusalReason::MultiFrame {
                    frames: container.frames,
                    what,
                },
                Vec::new(),
            ));
        }
        let orientation = container.orientation.unwrap_or(1);
        let out_format = self.config.output_format.unwrap_or(format);
        let lossless_possible = !self.config.reencode
            && out_format == format
            && matches!(format, Format::Jpeg | Format::Png)
            && orientation == 1;
        if lossless_possible && faces.is_none() {
            // Nothing will look at the pixels: keep the coded data without
            // decoding it (the container walk already proved it complete).
            return self.rewrite_only(bytes, format, &container, timings, t);
        }
        let decoded =
            image_io::decode(bytes, format, self.config.max_pixels).map_err(decode_failure)?;
        let mut image = decoded.image;
        image_io::orient(&mut image, orientation);
        let (width, height) = (image.width(), image.height());
        timings.decode = t.elapsed();

        let t = Instant::now();
        let detected = match faces.as_deref_mut() {
            Some(d) => self.detect_and_fill(d, image.to_rgb8())?,
            None => Detected::default(),
        };
        redact::fill(&mut image, &detected.filled);
        timings.detect = t.elapsed();

        let t = Instant::now();
        let lossless = lossless_possible && detected.filled.is_empty();
        let (out, icc_kept) = if lossless {
            self.rewrite(bytes, format, &container)?
        } else {
            let icc = decoded.icc.filter(|icc| {
                self.config.keep_icc && out_format != Format::Gif && image_io::icc_fits(icc, &image)
            });
            let kept = icc.is_some();
            let opts = EncodeOptions {
                jpeg_quality: self.config.jpeg_quality,
                icc,
            };
            let encoded =
                image_io::encode(&image, out_format, &opts).map_err(ScrubError::Internal)?;
            (encoded, kept)
        };
        timings.encode = t.elapsed();

        let t = Instant::now();
        // A lossless rewrite must decode to exactly the pixels we examined.
        let expected = lossless.then_some(&image);
        let check = self
            .verify_output(&out, out_format, width, height, expected)
            .map_err(|d| refused(RefusalReason::VerificationFailed(d), Vec::new()))?;
        drop(image);
        if let Some(d) = faces {
            let again = detect_faces(d, &check, self.config.verify_threshold)?;
            let uncovered = verify::residual(again, &detected.filled, width, height);
            let residual = verify::unexplained(uncovered, &detected.judged);
            if !residual.is_empty() {
                return Err(refused(RefusalReason::Residual, residual));
            }
        }
        timings.verify = t.elapsed();

        Ok(Scrubbed {
            bytes: out,
            format: out_format,
            width,
            height,
            findings: detected.findings,
            filled: detected.filled,
            orientation,
            removed: removed_categories(&container),
            lossless,
            icc_kept,
            input_frames: container.frames,
            timings,
        })
    }

    /// Drops every metadata segment or chunk and keeps the coded picture
    /// (and the ICC profile when configured). Returns the bytes and whether
    /// the profile was kept.
    fn rewrite(
        &self,
        bytes: &[u8],
        format: Format,
        container: &Container,
    ) -> Result<(Vec<u8>, bool), ScrubError> {
        let keep = self.config.keep_icc && container.has_icc;
        let rewritten = match format {
            Format::Jpeg => metadata::jpeg::strip(bytes, keep),
            _ => metadata::png::strip(bytes, keep),
        }
        .map_err(|e| ScrubError::Unreadable(Unreadable::Corrupt(e.to_string())))?;
        Ok((rewritten, keep))
    }

    /// Metadata-only scrubbing of an upright JPEG or PNG: rewrite the
    /// container and prove, without decoding, that the output holds the very
    /// same coded picture and nothing else. Decoding both files would make
    /// this path 100 times slower and prove nothing more about metadata.
    fn rewrite_only(
        &self,
        bytes: &[u8],
        format: Format,
        container: &Container,
        mut timings: Timings,
        started: Instant,
    ) -> Result<Scrubbed, ScrubError> {
        let (width, height) =
            image_io::dimensions(bytes, format, self.config.max_pixels).map_err(decode_failure)?;
        timings.decode = started.elapsed();
        let t = Instant::now();
        let (out, icc_kept) = self.rewrite(bytes, format, container)?;
        timings.encode = t.elapsed();
        let t = Instant::now();
        self.verify_structure(&out, format)
            .and_then(|()| {
                let same = match format {
                    Format::Jpeg => {
                        metadata::jpeg::scan_data(&out).ok()
                            == metadata::jpeg::scan_data(bytes).ok()
                    }
                    _ => {
                        metadata::png::image_data(&out).ok()
                            == metadata::png::image_data(bytes).ok()
                    }
                };
                if !same {
                    return Err(
                        "the rewritten file's coded picture differs from the input's".into(),
                    );
                }
                match image_io::dimensions(&out, format, self.config.max_pixels) {
                    Ok(d) if d == (width, height) => Ok(()),
                    Ok((w, h)) => Err(format!("the output is {w}×{h}, expected {width}×{height}")),
                    Err(e) => Err(format!("the output's header does not read: {e:?}")),
                }
            })
            .map_err(|d| refused(RefusalReason::VerificationFailed(d), Vec::new()))?;
        timings.verify = t.elapsed();
        Ok(Scrubbed {
            bytes: out,
            format,
            width,
            height,
            findings: Vec::new(),
            filled: Vec::new(),
            orientation: 1,
            removed: removed_categories(container),
            lossless: true,
            icc_kept,
            input_frames: container.frames,
            timings,
        })
    }

    /// The container checks every output passes: the right format, nothing
    /// but pixels (and a profile) inside by our own walk and by kamadak-exif,
    /// and one picture.
    fn verify_structure(&self, out: &[u8], format: Format) -> Result<(), String> {
        if Format::sniff(out) != Some(format) {
            return Err(format!("the output is not a {format} file"));
        }
        let c = metadata::examine(out, format)
            .map_err(|e| format!("the output's structure is broken: {e}"))?;
        if let Some(h) = c.hazards.first() {
            return Err(format!(
                "the output still carries {}: {}",
                h.category.as_str(),
                h.detail
            ));
        }
        if c.frames != 1 {
            return Err(format!("the output holds {} pictures", c.frames));
        }
        if metadata::has_exif(out) {
            return Err("the output still carries EXIF".into());
        }
        Ok(())
    }

    /// [`Self::verify_structure`], then the output must decode to the
    /// expected size and, for a lossless rewrite, to the very same pixels.
    /// Returns the decoded RGB pixels for the residual check.
    fn verify_output(
        &self,
        out: &[u8],
        format: Format,
        width: u32,
        height: u32,
        expected: Option<&DynamicImage>,
    ) -> Result<image::RgbImage, String> {
        self.verify_structure(out, format)?;
        let decoded = image_io::decode(out, format, self.config.max_pixels)
            .map_err(|e| format!("the output does not decode: {e:?}"))?;
        let (w, h) = (decoded.image.width(), decoded.image.height());
        if (w, h) != (width, height) {
            return Err(format!("the output is {w}×{h}, expected {width}×{height}"));
        }
        if let Some(original) = expected {
            if decoded.image.as_bytes() != original.as_bytes() {
                return Err("the rewritten file decodes to different pixels".into());
            }
        }
        Ok(decoded.image.to_rgb8())
    }

    /// Detects faces, fills them, and looks again at the filled pixels until
    /// nothing new appears. Covering one face changes what the detector sees
    /// around it: a neighbour that scored just under the threshold beside an
    /// uncovered face often scores above it once that face is a black box.
    fn detect_and_fill(
        &self,
        detector: &mut dyn FaceDetect,
        mut rgb: image::RgbImage,
    ) -> Result<Detected, ScrubError> {
        let (width, height) = rgb.dimensions();
        let (t_face, t_verify) = (self.config.face_threshold, self.config.verify_threshold);
        let mut d = Detected::default();
        for _ in 0..MAX_DETECT_ROUNDS {
            // One pass below the verification threshold gives both the faces
            // and the weaker candidates verification must be able to explain.
            let found = detect_faces(detector, &rgb, t_verify * verify::JUDGED_FLOOR)?;
            let uncovered = verify::residual(found, &d.filled, width, height);
            let (new, below): (Vec<Finding>, Vec<Finding>) =
                uncovered.into_iter().partition(|f| f.score > t_face);
            d.judged = below.into_iter().filter(|f| f.score <= t_verify).collect();
            if new.is_empty() {
                break;
            }
            let rects: Vec<Rect> = new
                .iter()
                .filter_map(|f| {
                    redact::face_region(
                        f,
                        self.config.face_padding,
                        self.config.face_shape,
                        width,
                        height,
                    )
                })
                .collect();
            let mut dynimg = DynamicImage::ImageRgb8(rgb);
            redact::fill(&mut dynimg, &rects);
            rgb = dynimg.into_rgb8();
            d.filled.extend(rects);
            d.findings.extend(new);
        }
        Ok(d)
    }
}

/// What the detection stage decided about one image.
#[derive(Default)]
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

fn removed_categories(c: &Container) -> Vec<Category> {
    let mut cats: Vec<Category> = c.hazards.iter().map(|h| h.category).collect();
    cats.sort();
    cats.dedup();
    cats
}

fn decode_failure(e: DecodeError) -> ScrubError {
    match e {
        DecodeError::Unreadable(u) => ScrubError::Unreadable(u),
        DecodeError::Unsupported(d) => refused(
            RefusalReason::Unsupported(format!("a feature of this file ({d})")),
            Vec::new(),
        ),
    }
}

fn refused(reason: RefusalReason, residual: Vec<Finding>) -> ScrubError {
    ScrubError::Refused(Refusal { reason, residual })
}

fn detect_faces(
    detector: &mut dyn FaceDetect,
    rgb: &image::RgbImage,
    threshold: f32,
) -> Result<Vec<Finding>, ScrubError> {
    detector
        .detect(rgb, threshold)
        .map_err(|e| refused(RefusalReason::DetectorFailed(e), Vec::new()))
}
