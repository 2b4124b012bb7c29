//! One image, in memory: examine the container → decode → detect and fill →
//! encode (or rewrite losslessly) → verify. Files, folders and threads are the
//! pipeline's business, not this module's.

use crate::config::Config;
use crate::detect::blazeface::BlazeFace;
use crate::detect::ensemble::FaceEnsemble;
use crate::detect::face::CenterFace;
use crate::detect::pool::Pool;
use crate::detect::text::TextDetector;
use crate::detect::{DetectError, FaceDetect, Finding, TextDetect, code, wristband};
use crate::error::{Refusal, RefusalReason, ScrubError, SetupError, Unreadable};
use crate::format::{self, Format, Sniffed};
use crate::geometry::Rect;
use crate::image_io::{self, DecodeError, EncodeOptions};
use crate::metadata::{self, Category, Container};
use crate::{colour, prefilled, rebuild};
use crate::{redact, verify};
use image::DynamicImage;
use std::time::{Duration, Instant};

/// Makes images safe. Build it once (it loads ONNX Runtime and the models) and
/// share it: it is `Send + Sync`, and concurrent calls each get their own
/// detector session.
///
/// ```
/// use phiscrub::{Config, Scrubber};
/// # let dir = tempfile::tempdir()?;
/// # let ward = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/photos/grace_hopper.jpg");
/// # let out = dir.path().join("ward-safe.jpg");
/// let scrubber = Scrubber::new(Config::default())?;
/// let photo = std::fs::read(ward)?;
/// match scrubber.scrub(&photo) {
///     Ok(safe) => std::fs::write(&out, &safe.bytes)?,
///     Err(why) => eprintln!("{ward} not exported: {why}"),
/// }
/// # assert!(out.is_file());
/// // One scrubber, many threads.
/// std::thread::scope(|s| {
///     for _ in 0..2 {
///         s.spawn(|| assert!(scrubber.scrub(&photo).is_ok()));
///     }
/// });
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Scrubber {
    config: Config,
    /// `None` when face detection is off.
    faces: Option<Pool<Box<dyn FaceDetect>>>,
    /// `None` when text detection is off.
    text: Option<Pool<Box<dyn TextDetect>>>,
}

type MakeText = Box<dyn Fn() -> Result<Box<dyn TextDetect>, String> + Send + Sync>;

/// The detectors one image is examined with, borrowed from the pools for the
/// whole image: their memory of the last call spares the tiles the fills did
/// not touch.
struct Detectors<'f, 't> {
    faces: Option<&'f mut dyn FaceDetect>,
    text: Option<&'t mut dyn TextDetect>,
    codes: bool,
}

/// A successfully scrubbed image.
///
/// ```
/// use phiscrub::{Config, FindingKind, Scrubber};
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/photos/grace_hopper.jpg");
/// let scrubber = Scrubber::new(Config::default())?;
/// let safe = scrubber.scrub(&std::fs::read(path)?)?;
/// assert!(safe.findings.iter().any(|f| f.kind == FindingKind::Face));
/// // One fill per finding, and pixels were re-encoded to cover them.
/// assert_eq!(safe.filled.len(), safe.findings.len());
/// assert!(!safe.lossless);
/// assert_eq!((safe.width, safe.height), (512, 600));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Scrubbed {
    /// The encoded output: pixels only, plus the ICC profile when kept.
    pub bytes: Vec<u8>,
    /// Container of `bytes`: `Config::output_format` when set, else the
    /// input's.
    pub format: Format,
    /// Output width in pixels, after `orientation` was applied: the frame of
    /// `findings` and `filled`.
    pub width: u32,
    /// Output height in pixels, after `orientation` was applied.
    pub height: u32,
    /// What was found and covered, before padding.
    pub findings: Vec<Finding>,
    /// The regions that were filled: `filled[i]` covers `findings[i]`.
    pub filled: Vec<Rect>,
    /// The EXIF orientation applied to the pixels (1 when none).
    pub orientation: u16,
    /// The kinds of identifying metadata the input carried (all removed).
    pub removed: Vec<Category>,
    /// A JPEG's coefficients were rebuilt into the output unchanged (no
    /// pixel change was needed; turned losslessly when oriented); otherwise
    /// the pixels were encoded.
    pub lossless: bool,
    /// The output carries a colour profile: phiscrub's own Display P3, for
    /// an input whose profile shows colours as Display P3 does. Never the
    /// input's profile bytes.
    pub icc_written: bool,
    /// Pictures in the input; more than one only with `first_frame`.
    pub input_frames: usize,
    /// Time spent per stage.
    pub timings: Timings,
}

/// What an image shows as it is ([`Scrubber::check`]).
///
/// ```
/// use phiscrub::{Category, Config, Scrubber};
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/jpeg_camera_everything.jpg");
/// let scrubber = Scrubber::new(Config::default())?;
/// let verdict = scrubber.check(&std::fs::read(path)?)?;
/// assert!(verdict.metadata.contains(&Category::Gps));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Verdict {
    /// Faces, text, codes and wristbands visible (in upright pixels).
    pub findings: Vec<Finding>,
    /// Kinds of identifying metadata the file carries.
    pub metadata: Vec<Category>,
    /// Width in pixels of the upright image (after EXIF orientation), the
    /// frame of `findings`.
    pub width: u32,
    /// Height in pixels of the upright image (after EXIF orientation).
    pub height: u32,
}

impl Verdict {
    fn of(s: Scrubbed) -> Verdict {
        Verdict {
            findings: s.findings,
            metadata: s.removed,
            width: s.width,
            height: s.height,
        }
    }
}

impl Verdict {
    /// Anything found, or any identifying metadata.
    ///
    /// ```
    /// use phiscrub::{Config, Scrubber};
    /// # let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/photos/");
    /// let scrubber = Scrubber::new(Config::default())?;
    /// let face = scrubber.check(&std::fs::read(format!("{dir}grace_hopper.jpg"))?)?;
    /// assert!(face.would_leak());
    /// // Once scrubbed, nothing is left to find.
    /// let safe = scrubber.scrub(&std::fs::read(format!("{dir}grace_hopper.jpg"))?)?;
    /// assert!(!scrubber.check(&safe.bytes)?.would_leak());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn would_leak(&self) -> bool {
        !self.findings.is_empty() || !self.metadata.is_empty()
    }
}

/// Wall-clock time per stage of one image.
///
/// ```
/// use phiscrub::{Config, Scrubber};
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/photos/rocket.jpg");
/// let scrubber = Scrubber::new(Config::default())?;
/// let t = scrubber.scrub(&std::fs::read(path)?)?.timings;
/// println!("decode {:?}, detect {:?}, encode {:?}, verify {:?}", t.decode, t.detect, t.encode, t.verify);
/// assert!(t.detect > std::time::Duration::ZERO);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Timings {
    /// From the first byte: sniffing and walking the container, decoding and
    /// turning the pixels upright (only the header when nothing looks at the
    /// pixels and the coded data is kept as it is).
    pub decode: Duration,
    /// The detection rounds on the decoded input, and every fill (those of
    /// fragments a look at the output found too); zero when nothing is
    /// looked for.
    pub detect: Duration,
    /// Encoding the output, or rewriting it losslessly, summed over every
    /// attempt.
    pub encode: Duration,
    /// Checking each output (container, decoded size and pixels, the detectors'
    /// look), summed over every attempt.
    pub verify: Duration,
}

impl Scrubber {
    /// Checks `config`, loads ONNX Runtime and one session of each detector,
    /// so that a missing runtime or damaged model stops a run before any file
    /// is touched. Metadata-only scrubbing does not need the runtime.
    ///
    /// ```
    /// use phiscrub::{Config, Scrubber, SetupError};
    /// let scrubber = Scrubber::new(Config::default())?;
    /// // One scrubber serves every thread.
    /// std::thread::scope(|s| {
    ///     s.spawn(|| scrubber.config().face_threshold);
    /// });
    /// let bad = Config { face_threshold: 0.0, ..Config::default() };
    /// assert!(matches!(Scrubber::new(bad), Err(SetupError::Config(_))));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(config: Config) -> Result<Scrubber, SetupError> {
        config.validate()?;
        if config.detect_faces || config.detect_text {
            crate::detect::runtime::environment()?;
        }
        // A device other than the CPU must run every network, or nothing
        // starts: checked once here so that the error says so plainly.
        if config.device != crate::detect::runtime::Device::Cpu {
            let models = [
                (config.detect_faces, &crate::models::CENTERFACE),
                (config.detect_text, &crate::models::PPOCR_DET),
            ];
            for (_, model) in models.iter().filter(|(on, _)| *on) {
                crate::detect::runtime::session_on(model, 1, config.device)?;
            }
        }
        let (threads, scales, device) =
            (config.intra_threads, config.scale_params(), config.device);
        // The two networks' scores are calibrated once, at the default
        // operating point, not at whatever threshold a run asks for: a run
        // that fills nothing (face threshold 1) still checks with both.
        let (second, thresholds) = (
            config.second_face,
            (
                Config::default().face_threshold,
                config.second_face_threshold,
            ),
        );
        let faces = config.detect_faces.then_some(move || {
            let first =
                Box::new(CenterFace::new_on(device, threads, scales).map_err(|e| e.to_string())?);
            if !second {
                return Ok(first as Box<dyn FaceDetect>);
            }
            let other = Box::new(BlazeFace::new_on(device, threads).map_err(|e| e.to_string())?);
            Ok(
                Box::new(FaceEnsemble::new(first, other, thresholds.0, thresholds.1))
                    as Box<dyn FaceDetect>,
            )
        });
        Scrubber::build(config, faces, None)
    }

    /// Builds a scrubber around another face detector (text and codes as
    /// configured). For tests and benchmarks that must not depend on the
    /// face model.
    #[doc(hidden)]
    pub fn with_face_detector<F>(config: Config, make: F) -> Result<Scrubber, SetupError>
    where
        F: Fn() -> Result<Box<dyn FaceDetect>, String> + Send + Sync + 'static,
    {
        config.validate()?;
        if config.detect_text {
            crate::detect::runtime::environment()?;
        }
        Scrubber::build(config, Some(make), None)
    }

    /// Builds a scrubber around other face and text detectors (codes as
    /// configured; `detect_text` is ignored). For tests of the rules around
    /// the detectors.
    #[doc(hidden)]
    pub fn with_detectors<F, T>(config: Config, faces: F, text: T) -> Result<Scrubber, SetupError>
    where
        F: Fn() -> Result<Box<dyn FaceDetect>, String> + Send + Sync + 'static,
        T: Fn() -> Result<Box<dyn TextDetect>, String> + Send + Sync + 'static,
    {
        config.validate()?;
        Scrubber::build(config, Some(faces), Some(Box::new(text)))
    }

    fn build<F>(
        config: Config,
        faces: Option<F>,
        text: Option<MakeText>,
    ) -> Result<Scrubber, SetupError>
    where
        F: Fn() -> Result<Box<dyn FaceDetect>, String> + Send + Sync + 'static,
    {
        let faces = match faces {
            Some(make) => {
                let pool = Pool::new(Box::new(make));
                pool.prime().map_err(|detail| SetupError::Model {
                    model: crate::models::CENTERFACE.name,
                    detail,
                })?;
                Some(pool)
            }
            None => None,
        };
        let text = match text {
            Some(make) => Some(make),
            None if config.detect_text => {
                let (threads, params) = (config.intra_threads, config.text_params());
                let device = config.device;
                Some(Box::new(move || {
                    TextDetector::new_on(device, threads, params)
                        .map(|d| Box::new(d) as Box<dyn TextDetect>)
                        .map_err(|e| e.to_string())
                }) as MakeText)
            }
            None => None,
        };
        let text = if let Some(make) = text {
            let pool: Pool<Box<dyn TextDetect>> = Pool::new(make);
            pool.prime().map_err(|detail| SetupError::Model {
                model: crate::models::PPOCR_DET.name,
                detail,
            })?;
            Some(pool)
        } else {
            None
        };
        Ok(Scrubber {
            config,
            faces,
            text,
        })
    }

    /// The settings this scrubber was built with.
    ///
    /// ```
    /// use phiscrub::{Config, Scrubber};
    /// let config = Config { detect_faces: false, detect_text: false, ..Config::default() };
    /// let scrubber = Scrubber::new(config)?;
    /// assert!(!scrubber.config().detect_faces);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// [`scrub`](Self::scrub) on a file's contents; the error names the
    /// file. Writes nothing.
    ///
    /// ```
    /// use phiscrub::{Config, Scrubber};
    /// let scrubber = Scrubber::new(Config::default())?;
    /// let e = scrubber.scrub_path("ward/no-such-photo.jpg".as_ref()).unwrap_err();
    /// assert!(e.to_string().starts_with("ward/no-such-photo.jpg: cannot read the file"));
    /// # let bed3 = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/photos/chelsea.png");
    /// let safe = scrubber.scrub_path(bed3.as_ref())?;
    /// assert_eq!(safe.format, phiscrub::Format::Png);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn scrub_path(&self, path: &std::path::Path) -> Result<Scrubbed, crate::error::FileError> {
        let named = |error| crate::error::FileError {
            path: path.to_path_buf(),
            error,
        };
        let bytes = std::fs::read(path).map_err(|e| {
            named(ScrubError::Unreadable(crate::error::Unreadable::Io(
                crate::walk::describe_io(&e),
            )))
        })?;
        self.scrub(&bytes).map_err(named)
    }

    /// What an image shows as it is: exactly what [`scrub`](Self::scrub)
    /// would cover and remove, without keeping the output. An `Err` is what
    /// `scrub` would answer (a refusal means the image would leak as it is
    /// and cannot be made safe). This is `phiscrub check` and the service's
    /// `/v1/check`; what a file's metadata holds, without looking at the
    /// pixels, is [`crate::inspect::inspect`] (`phiscrub inspect`).
    ///
    /// ```
    /// use phiscrub::{Category, Config, FindingKind, Scrubber};
    /// # let slide = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/photos/hopper_phone.jpg");
    /// let scrubber = Scrubber::new(Config::default())?;
    /// let verdict = scrubber.check(&std::fs::read(slide)?)?;
    /// assert!(verdict.would_leak());
    /// assert!(verdict.findings.iter().any(|f| f.kind == FindingKind::Face));
    /// assert!(verdict.metadata.contains(&Category::Gps));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check(&self, bytes: &[u8]) -> Result<Verdict, ScrubError> {
        self.scrub(bytes).map(Verdict::of)
    }

    /// [`Self::check`] within a time limit, as [`Self::scrub_within`].
    ///
    /// ```
    /// use phiscrub::{Config, RefusalReason, ScrubError, Scrubber};
    /// use std::time::Duration;
    /// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/photos/grace_hopper.jpg");
    /// let scrubber = Scrubber::new(Config::default())?;
    /// let photo = std::fs::read(path)?;
    /// let late = scrubber.check_within(&photo, Duration::ZERO).unwrap_err();
    /// assert!(matches!(late, ScrubError::Refused(r) if r.reason == RefusalReason::TimeLimit));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_within(&self, bytes: &[u8], limit: Duration) -> Result<Verdict, ScrubError> {
        self.scrub_within(bytes, limit).map(Verdict::of)
    }

    /// Scrubs one encoded image and returns the safe encoding, or why it
    /// cannot be exported.
    ///
    /// ```
    /// use phiscrub::{Config, ScrubError, Scrubber};
    /// let scrubber = Scrubber::new(Config::default())?;
    /// match scrubber.scrub(b"GIF89a, but not really") {
    ///     Ok(safe) => println!("{} bytes of {}", safe.bytes.len(), safe.format.mime()),
    ///     Err(ScrubError::Refused(r)) => println!("refused, {} still visible", r.residual.len()),
    ///     Err(ScrubError::Unreadable(why)) => println!("not an image we read: {why}"),
    ///     Err(ScrubError::Internal(e)) => println!("bug: {e}"),
    ///     // New kinds of error may come: nothing was exported either way.
    ///     Err(other) => println!("not exported: {other}"),
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn scrub(&self, bytes: &[u8]) -> Result<Scrubbed, ScrubError> {
        match &self.faces {
            Some(pool) => pool
                .with(|d| self.scrub_with_text(bytes, Some(d.as_mut())))
                .map_err(detector_failed)?,
            None => self.scrub_with_text(bytes, None),
        }
    }

    /// [`Self::scrub`] within a time limit: past it, the scrub stops before
    /// its next detector tile and is refused ([`RefusalReason::TimeLimit`]),
    /// so a worker (an HTTP slot) is not held by an image nobody waits for.
    ///
    /// ```
    /// use phiscrub::{Config, RefusalReason, ScrubError, Scrubber};
    /// use std::time::Duration;
    /// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/photos/grace_hopper.jpg");
    /// let scrubber = Scrubber::new(Config::default())?;
    /// let photo = std::fs::read(path)?;
    /// match scrubber.scrub_within(&photo, Duration::ZERO) {
    ///     Err(ScrubError::Refused(r)) => assert_eq!(r.reason, RefusalReason::TimeLimit),
    ///     other => panic!("not stopped: {other:?}"),
    /// }
    /// assert!(scrubber.scrub_within(&photo, Duration::from_secs(600)).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn scrub_within(&self, bytes: &[u8], limit: Duration) -> Result<Scrubbed, ScrubError> {
        let deadline = Instant::now().checked_add(limit);
        crate::detect::deadline::within(deadline, || self.scrub(bytes))
    }

    fn scrub_with_text(
        &self,
        bytes: &[u8],
        faces: Option<&mut dyn FaceDetect>,
    ) -> Result<Scrubbed, ScrubError> {
        let codes = self.config.detect_codes;
        match &self.text {
            Some(pool) => pool
                .with(|t| {
                    let d = Detectors {
                        faces,
                        text: Some(t.as_mut()),
                        codes,
                    };
                    self.scrub_with(bytes, d)
                })
                .map_err(detector_failed)?,
            None => self.scrub_with(
                bytes,
                Detectors {
                    faces,
                    text: None,
                    codes,
                },
            ),
        }
    }

    fn scrub_with(
        &self,
        bytes: &[u8],
        mut dets: Detectors<'_, '_>,
    ) -> Result<Scrubbed, ScrubError> {
        let mut timings = Timings::default();
        crate::detect::tally::stage(crate::detect::tally::Stage::Input);
        let t = Instant::now();
        let format = match format::sniff(bytes) {
            Sniffed::Supported(f) => f,
            Sniffed::Unsupported(name) => {
                return Err(refused(
                    RefusalReason::Unsupported(name.to_string()),
                    Vec::new(),
                ));
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
        let out_format = self.config.output_format.unwrap_or(format.default_output());
        // Only JPEG has a lossless path: its coefficients are rebuilt into a
        // new file (`rebuild`). Every other output, PNG included, is encoded
        // from pixels, so nothing of the input's bytes survives.
        let lossless_possible =
            !self.config.reencode && out_format == format && format == Format::Jpeg;
        if lossless_possible && !self.config.examines_pixels() {
            // Nothing will look at the pixels: rebuild the coded data without
            // decoding it, unless the turn cannot be lossless.
            if let Some(done) = self.rewrite_only(bytes, &container, orientation, timings, t)? {
                return Ok(done);
            }
        }
        let decoded = image_io::decode_within(
            bytes,
            format,
            self.config.max_pixels,
            self.config.max_memory,
        )
        .map_err(decode_failure)?;
        let mut image = decoded.image;
        // Detectors look at what a colour-managed viewer shows (`colour`).
        let implied = if format == Format::Png && decoded.icc.is_none() {
            colour::png_implied_profile(bytes)
                .map_err(|e| ScrubError::Unreadable(Unreadable::Corrupt(e)))?
        } else {
            None
        };
        let icc = decoded.icc.as_deref().or(implied.as_deref());
        let colour = colour::manage(&mut image, icc, self.may_write_p3(out_format))
            .map_err(|e| ScrubError::Unreadable(Unreadable::Corrupt(e)))?;
        let lossless_possible = lossless_possible && !colour.converted;
        image_io::orient(&mut image, orientation);
        let (width, height) = (image.width(), image.height());
        timings.decode = t.elapsed();

        // Detection rounds on the decoded input until one finds nothing
        // new; then encode → decode the output → examine it. Text and codes
        // a look at the output finds (fragments encoding brings out) are
        // filled and the image encoded again; a face it finds refuses the
        // image (see `find_new`). It is exported only once a look at its own
        // decoded pixels finds nothing. An output
        // decoding to the very pixels a round examined and found nothing in,
        // not even a candidate between the thresholds (a lossless rewrite),
        // needs no second look.
        let t = Instant::now();
        let mut d = Detected::default();
        if let Some(text) = dets.text.as_deref_mut() {
            text.start();
        }
        if self.config.examines_pixels() {
            let mut rgb = colour.shown(image.to_rgb8());
            // Fills the picture already has (an output of an earlier scrub)
            // count as covered, so a look at them sees what scrub's last
            // look saw.
            d.prefilled = prefilled::find_all(&rgb);
            for round in 0..MAX_DETECT_ROUNDS {
                // A fill uncovers faces and text beside it, never a code.
                let new = self.find_new(&mut dets, &rgb, &mut d, round == 0, false)?;
                if new.is_empty() {
                    break;
                }
                let rects = self.record(new, &mut d, width, height);
                redact::fill_rgb(&mut rgb, &rects);
                redact::fill(&mut image, &rects);
            }
        }
        timings.detect = t.elapsed();
        let mut look = 0;
        let mut unread_bytes = false;
        let (out, icc_written, lossless) = loop {
            let t = Instant::now();
            // A file libjpeg will not rebuild cleanly (damaged data it would
            // paper over) or cannot turn losslessly is encoded from the
            // pixels that were examined instead.
            let rebuilt = if lossless_possible && d.filled.is_empty() {
                match rebuild::jpeg(bytes, orientation) {
                    Ok(Some(r)) if r.warned => {
                        // libjpeg skipped bytes or papered over damage: its
                        // rebuild is kept only if it shows exactly the pixels
                        // examined (an upright one; a turned one is
                        // re-encoded from them instead).
                        unread_bytes = true;
                        let same = orientation == 1
                            && image_io::decode(&r.bytes, Format::Jpeg, self.config.max_pixels)
                                .is_ok_and(|o| o.image.as_bytes() == image.as_bytes());
                        same.then_some(r.bytes)
                    }
                    Ok(r) => r.map(|r| r.bytes),
                    Err(_) => {
                        unread_bytes = true;
                        None
                    }
                }
            } else {
                None
            };
            let lossless = rebuilt.is_some();
            let out = if let Some(rebuilt) = rebuilt {
                match colour.profile {
                    Some(icc) => rebuild::with_profile(&rebuilt, icc),
                    None => rebuilt,
                }
            } else {
                let opts = EncodeOptions {
                    jpeg_quality: self.config.jpeg_quality,
                    icc: colour.profile.map(<[u8]>::to_vec),
                };
                image_io::encode(&image, out_format, &opts).map_err(ScrubError::Internal)?
            };
            let icc_written = colour.profile.is_some();
            timings.encode += t.elapsed();

            let t = Instant::now();
            crate::detect::tally::stage(crate::detect::tally::Stage::Output);
            // A rebuild of an upright photo must decode to exactly the pixels
            // examined. A turned one may differ by the rounding of the
            // inverse DCT and upsampling, which are not symmetric, so it
            // gets the look at the output every encoded image gets.
            let exact = lossless && orientation == 1;
            let expected = exact.then_some(&image);
            let check = self
                .verify_output(&out, out_format, width, height, expected)
                .map(|rgb| colour.shown(rgb))
                .map_err(|d| refused(RefusalReason::VerificationFailed(d), Vec::new()))?;
            let new = if exact && d.undecided.is_empty() {
                Vec::new()
            } else {
                // Each look at an output reads it afresh, as `check` of the
                // file will: places the input's rounds learnt to distrust
                // (see `TextDetect::start`) are not carried over.
                if let Some(text) = dets.text.as_deref_mut() {
                    text.start();
                }
                self.find_new(&mut dets, &check, &mut d, true, true)?
            };
            timings.verify += t.elapsed();
            if new.is_empty() {
                break (out, icc_written, lossless);
            }
            look += 1;
            if look == MAX_OUTPUT_LOOKS {
                return Err(refused(RefusalReason::Residual, new));
            }
            let t = Instant::now();
            let rects = self.record(new, &mut d, width, height);
            redact::fill(&mut image, &rects);
            timings.detect += t.elapsed();
        };
        drop(image);
        let removed = removed_categories(&container, decoded.icc.as_deref(), unread_bytes);

        Ok(Scrubbed {
            bytes: out,
            format: out_format,
            width,
            height,
            findings: d.findings,
            filled: d.filled,
            orientation,
            removed,
            lossless,
            icc_written,
            input_frames: container.frames,
            timings,
        })
    }

    /// Metadata-only scrubbing of a JPEG: rebuild it from its coefficients
    /// (turned upright) and check, without decoding the pixels, that the
    /// output is one clean picture of the expected size. `None` when the turn
    /// cannot be lossless, the colours must be converted or libjpeg will not
    /// read the file; the caller then decodes and encodes.
    fn rewrite_only(
        &self,
        bytes: &[u8],
        container: &Container,
        orientation: u16,
        mut timings: Timings,
        started: Instant,
    ) -> Result<Option<Scrubbed>, ScrubError> {
        let format = Format::Jpeg;
        let (w, h) =
            image_io::dimensions(bytes, format, self.config.max_pixels).map_err(decode_failure)?;
        // libjpeg holds every coefficient and the rebuilt file: within what
        // decoding the same photo may cost.
        let need = image_io::working_bytes(w, h, image::ColorType::Rgb8);
        if need > self.config.max_memory {
            return Err(ScrubError::Unreadable(Unreadable::OverMemory(format!(
                "{w}×{h} needs about {} MB, over the limit of {} MB",
                need >> 20,
                self.config.max_memory >> 20
            ))));
        }
        let (width, height) = if matches!(orientation, 5..=8) {
            (h, w)
        } else {
            (w, h)
        };
        let icc = image_io::icc(bytes, format);
        let profile = match colour::classify(icc.as_deref(), false, self.may_write_p3(format)) {
            Ok(colour::Kind::Srgb) => None,
            Ok(colour::Kind::DisplayP3) => Some(colour::own_display_p3()),
            // The pixels must be converted: decode them.
            Ok(colour::Kind::Other(_)) => return Ok(None),
            Err(e) => return Err(ScrubError::Unreadable(Unreadable::Corrupt(e))),
        };
        timings.decode = started.elapsed();
        let t = Instant::now();
        let warned;
        let out = match rebuild::jpeg(bytes, orientation) {
            Ok(Some(r)) => {
                // Nothing looks at the pixels on this path: what libjpeg read
                // is the picture; what it skipped is reported as dropped.
                warned = r.warned;
                match profile {
                    Some(icc) => rebuild::with_profile(&r.bytes, icc),
                    None => r.bytes,
                }
            }
            Ok(None) => return Ok(None),
            // libjpeg will not read it (a reserved marker, a second frame
            // header): decode it as the other paths do, which re-encode
            // what the decoder shows or refuse.
            Err(_) => return Ok(None),
        };
        timings.encode = t.elapsed();
        let t = Instant::now();
        self.verify_structure(&out, format)
            .and_then(
                |()| match image_io::dimensions(&out, format, self.config.max_pixels) {
                    Ok(d) if d == (width, height) => Ok(()),
                    Ok((w, h)) => Err(format!("the output is {w}×{h}, expected {width}×{height}")),
                    Err(e) => Err(format!("the output's header does not read: {e:?}")),
                },
            )
            .map_err(|d| refused(RefusalReason::VerificationFailed(d), Vec::new()))?;
        timings.verify = t.elapsed();
        Ok(Some(Scrubbed {
            bytes: out,
            format,
            width,
            height,
            findings: Vec::new(),
            filled: Vec::new(),
            orientation,
            removed: removed_categories(container, icc.as_deref(), warned),
            lossless: true,
            icc_written: profile.is_some(),
            input_frames: container.frames,
            timings,
        }))
    }

    /// Whether an output in `format` may carry phiscrub's own Display P3
    /// profile (else such pixels are converted to sRGB).
    fn may_write_p3(&self, format: Format) -> bool {
        self.config.keep_icc && format != Format::Gif
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
        if c.has_icc && image_io::icc(out, format).as_deref() != Some(colour::own_display_p3()) {
            return Err("the output carries a colour profile phiscrub did not make".into());
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

    /// One pass of every detector over `rgb`; returns the findings outside
    /// the fills so far that are to be filled now. On the decoded input
    /// (`verifying` false) that is whatever scores above the detection
    /// thresholds; the pass also records the weak candidates (at most the
    /// verification threshold) a look at the output may be explained by, and
    /// those between the thresholds, which must not show in the output.
    /// On a look at the encoded output (`verifying`), text and codes above
    /// the thresholds are to be filled (encoding brings out fragments beside
    /// fills); a face above the verification threshold that no judged
    /// candidate explains refuses the image instead. `codes` runs the code
    /// finder (a fill never uncovers a code, so later input rounds skip it).
    /// Text and codes found in the same pass are grouped into wristbands.
    fn find_new(
        &self,
        dets: &mut Detectors<'_, '_>,
        rgb: &image::RgbImage,
        d: &mut Detected,
        codes: bool,
        verifying: bool,
    ) -> Result<Vec<Finding>, ScrubError> {
        let (width, height) = rgb.dimensions();
        let (mut new, mut doubts, mut judged) = (Vec::new(), Vec::new(), Vec::new());
        // A look at the output sees the fills it shows as `check` of it
        // will, from its pixels alone: then its text findings are the ones
        // `check` would report, and scrub fills them (a gap closed between
        // fills) instead of exporting what `check` calls a leak.
        let shown;
        let (prefilled, own) = if verifying {
            shown = prefilled::find_all(rgb);
            (&shown, &[][..])
        } else {
            (&d.prefilled, &d.filled[..])
        };
        let covered: Vec<Rect> = d.filled.iter().chain(&prefilled.strips).copied().collect();
        let text_covered: Vec<Rect> = own.iter().chain(&prefilled.strips).copied().collect();
        // The text network is shown only fills painted over: this run's
        // own and black regions as flat as a decoded fill (a natural dark
        // region painted changes what it reads beside it).
        let painted: Vec<Rect> = own.iter().chain(&prefilled.flat).copied().collect();
        if let Some(faces) = dets.faces.as_deref_mut() {
            // One run below the verification threshold gives both the faces
            // and the weaker candidates later passes must be able to explain.
            let (fill, check) = (self.config.face_threshold, self.config.verify_threshold);
            let found = faces
                .detect(rgb, check * verify::JUDGED_FLOOR)
                .map_err(detector_failed)?;
            let uncovered = verify::residual(found, &covered, width, height);
            if verifying {
                // A face the input's rounds did not cover is a detection
                // the output makes visible, at the edge of what the detector
                // sees: such a photo is refused, not patched, since faces at
                // that edge rarely come alone. A weak candidate of the input
                // that encoding lifted over the verification threshold (by
                // at most the jitter) is filled: an output shows nothing a
                // look at it would report, so `check` of it agrees.
                let strong: Vec<Finding> =
                    uncovered.into_iter().filter(|f| f.score > check).collect();
                let unexplained = verify::unexplained(strong.clone(), &d.judged);
                new.extend(strong.into_iter().filter(|f| !unexplained.contains(f)));
                doubts.extend(unexplained);
            } else {
                let (sure, doubtful, weak) = judge(uncovered, fill, check, &d.judged);
                judged.extend(weak);
                new.extend(sure);
                doubts.extend(doubtful);
            }
        }
        let mut pixel_text = Vec::new();
        if let Some(text) = dets.text.as_deref_mut() {
            let t = self.config.text_threshold;
            let found = text
                .detect(rgb, t * verify::JUDGED_FLOOR, &painted)
                .map_err(detector_failed)?;
            let uncovered = verify::residual(found, &text_covered, width, height);
            let (sure, doubtful, weak) = judge(uncovered, t, t, &d.judged);
            judged.extend(weak);
            pixel_text = sure;
            doubts.extend(doubtful);
        }
        if dets.codes && codes {
            let found = code::find(rgb).map_err(detector_failed)?;
            pixel_text.extend(verify::residual(found, &text_covered, width, height));
        }
        // Text filled in earlier rounds still counts as text beside (or
        // around) a code this look finds.
        let earlier: Vec<Finding> = d
            .findings
            .iter()
            .filter(|f| f.kind == crate::detect::FindingKind::Text)
            .cloned()
            .collect();
        new.extend(wristband::group_among(pixel_text, &earlier, width, height));
        if verifying {
            // Between the thresholds and unexplained: not to be filled, and
            // visible in the output.
            if !doubts.is_empty() {
                return Err(refused(RefusalReason::Residual, doubts));
            }
        } else {
            // The judgement of the input's last round is what a look at the
            // output may be explained by.
            d.judged = judged;
            d.undecided = doubts;
        }
        Ok(new)
    }

    /// Adds findings and their fills to `d` (a finding whose region misses
    /// the image is dropped) and returns the new fills. Findings and fills
    /// stay parallel: the n-th fill covers the n-th finding.
    fn record(&self, new: Vec<Finding>, d: &mut Detected, width: u32, height: u32) -> Vec<Rect> {
        let (found, rects): (Vec<Finding>, Vec<Rect>) = new
            .into_iter()
            .filter_map(|f| self.region(&f, width, height).map(|r| (f, r)))
            .unzip();
        d.filled.extend(rects.iter().cloned());
        d.findings.extend(found);
        rects
    }

    /// The pixels a finding's fill covers: a face's padded box (or ellipse),
    /// a text line's outline reaching past its ends (`redact::text_region`),
    /// anything else's outline or box as detected (text outlines already
    /// carry the detector's margin).
    fn region(&self, f: &Finding, width: u32, height: u32) -> Option<Rect> {
        match f.kind {
            crate::detect::FindingKind::Face => redact::face_region(
                f,
                self.config.face_padding,
                self.config.face_shape,
                width,
                height,
            ),
            crate::detect::FindingKind::Text => redact::text_region(f, width, height),
            _ => f.region(width, height),
        }
    }
}

/// What the passes over one image decided.
#[derive(Default)]
struct Detected {
    /// What was filled.
    findings: Vec<Finding>,
    /// The filled pixel regions.
    filled: Vec<Rect>,
    /// Solid black regions the input already had ([`prefilled`]): covered,
    /// though nothing of this run filled them.
    prefilled: prefilled::Found,
    /// Candidates left alone because they scored at most the verification
    /// threshold; see [`verify::unexplained`].
    judged: Vec<Finding>,
    /// Candidates of the input's last round between the thresholds: a look
    /// at the output that still finds them refuses the image.
    undecided: Vec<Finding>,
}

/// Sorts uncovered detections into those above `fill` (to be filled),
/// those between the thresholds that no `judged` candidate explains, and the
/// weak ones at most `check` (the judgement later looks are explained by).
fn judge(
    uncovered: Vec<Finding>,
    fill: f32,
    check: f32,
    judged: &[Finding],
) -> (Vec<Finding>, Vec<Finding>, Vec<Finding>) {
    let (weak, strong): (Vec<Finding>, Vec<Finding>) =
        uncovered.into_iter().partition(|f| f.score <= check);
    let (sure, doubtful): (Vec<Finding>, Vec<Finding>) =
        strong.into_iter().partition(|f| f.score > fill);
    (sure, verify::unexplained(doubtful, judged), weak)
}

/// Detection rounds before encoding. Most images settle in two; a face that
/// keeps appearing after four rounds is left for the output's check to refuse.
const MAX_DETECT_ROUNDS: usize = 4;

/// Looks at the encoded output: the one that finds nothing lets it out; after
/// this many that found something to fill, the image is refused.
const MAX_OUTPUT_LOOKS: usize = 3;

/// What the input carried that the output does not: the container walk's
/// hazards, free text in its colour profile (never written), and bytes
/// libjpeg skipped when it rebuilt the file (`unread_bytes`).
fn removed_categories(c: &Container, icc: Option<&[u8]>, unread_bytes: bool) -> Vec<Category> {
    let mut cats: Vec<Category> = c.hazards.iter().map(|h| h.category).collect();
    if icc.is_some_and(|icc| !colour::profile_text(icc).is_empty()) {
        cats.push(Category::Comment);
    }
    if unread_bytes {
        cats.push(Category::Other);
    }
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

fn detector_failed(e: impl Into<DetectError>) -> ScrubError {
    let e = e.into();
    if matches!(e, DetectError::TimeLimit) || crate::detect::deadline::passed() {
        return refused(RefusalReason::TimeLimit, Vec::new());
    }
    refused(RefusalReason::DetectorFailed(e.to_string()), Vec::new())
}

// A Scrubber is built once and shared by threads and requests; this stops
// the build if a change ever makes it unsafe to share.
const _: () = {
    const fn shareable<T: Send + Sync>() {}
    shareable::<Scrubber>();
};
