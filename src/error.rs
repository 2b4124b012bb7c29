//! Errors, one type per audience: [`SetupError`] stops a whole run before any
//! image is read, [`ScrubError`] concerns one image and never stops the others.
//! Messages say what happened and what to do; the caller adds the file name.

use crate::detect::Finding;
use crate::detect::runtime::RuntimeError;
use crate::t;
use std::fmt;
use std::path::PathBuf;

/// phiscrub cannot start: the configuration is invalid, or the runtime or a
/// model is missing or broken.
///
/// ```
/// use phiscrub::{Config, Scrubber, SetupError};
/// let bad = Config { jpeg_quality: 0, ..Config::default() };
/// match Scrubber::new(bad) {
///     Err(SetupError::Config(e)) => assert!(e.to_string().contains("100")),
///     other => panic!("expected a settings error, got {:?}", other.err()),
/// }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SetupError {
    /// ONNX Runtime could not be found or loaded, or a model would not load
    /// into it.
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    /// A detector would not start (a detector given to
    /// [`Scrubber::with_detectors`](crate::Scrubber::with_detectors) reports
    /// its own reason).
    #[error("{}", crate::t!("setup-model", model = *model, detail = detail.as_str()))]
    Model {
        /// The model's short name
        /// ([`Model::name`](crate::models::Model::name)).
        model: &'static str,
        /// Why it would not start, as the detector reported it.
        detail: String,
    },
    /// A setting is out of range.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
}

impl SetupError {
    /// A short, stable name of what went wrong: the runtime's
    /// ([`RuntimeError::code`]), `model` or `config`.
    ///
    /// ```
    /// use phiscrub::{Config, Scrubber};
    /// let Err(e) = Scrubber::new(Config { jpeg_quality: 0, ..Config::default() }) else {
    ///     panic!("a quality of 0 is out of range");
    /// };
    /// assert_eq!(e.code(), "config");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            SetupError::Runtime(e) => e.code(),
            SetupError::Model { .. } => "model",
            SetupError::Config(_) => "config",
        }
    }
}

/// Why one image was not exported. Every variant means the same thing for
/// safety: nothing was written for that image.
///
/// ```
/// use phiscrub::{ScrubError, Unreadable};
/// let e = ScrubError::Unreadable(Unreadable::NotAnImage);
/// assert!(e.to_string().contains("not an image"));
/// assert!(!e.is_refusal());
/// ```
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ScrubError {
    /// The input is not an image phiscrub reads, or is damaged.
    #[error("{0}")]
    Unreadable(Unreadable),
    /// The image was read but could not be made safe.
    #[error("{0}")]
    Refused(Refusal),
    /// A fault inside phiscrub (a bug, or the machine ran out of a resource).
    #[error("{}", crate::t!("err-internal", detail = .0.as_str()))]
    Internal(String),
}

impl ScrubError {
    /// The image was read but not made safe (as opposed to unreadable input
    /// or an internal fault): what an upload form reports as "refused".
    ///
    /// ```
    /// use phiscrub::{Config, Scrubber};
    /// # let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/");
    /// let scrubber = Scrubber::new(Config::default())?;
    /// let two_frames = std::fs::read(format!("{dir}png_apng_2frames.png"))?;
    /// assert!(scrubber.scrub(&two_frames).unwrap_err().is_refusal());
    /// assert!(!scrubber.scrub(b"not a picture").unwrap_err().is_refusal());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_refusal(&self) -> bool {
        matches!(self, ScrubError::Refused(_))
    }

    /// A short, stable name of the reason, for reports and programs:
    /// `unreadable`, `corrupt`, `too_large`, `io`, `unsupported`,
    /// `multi_frame`, `residual`, `detector_failed`, `verification_failed`
    /// or `internal`. Carries no detail of the image.
    ///
    /// ```
    /// use phiscrub::{ScrubError, Unreadable};
    /// assert_eq!(ScrubError::Unreadable(Unreadable::NotAnImage).reason_code(), "unreadable");
    /// ```
    pub fn reason_code(&self) -> &'static str {
        match self {
            ScrubError::Unreadable(Unreadable::NotAnImage) => "unreadable",
            ScrubError::Unreadable(Unreadable::Corrupt(_)) => "corrupt",
            ScrubError::Unreadable(Unreadable::TooLarge { .. } | Unreadable::OverMemory(_)) => {
                "too_large"
            }
            ScrubError::Unreadable(Unreadable::Io(_)) => "io",
            ScrubError::Refused(r) => match r.reason {
                RefusalReason::Unsupported(_) => "unsupported",
                RefusalReason::MultiFrame { .. } => "multi_frame",
                RefusalReason::Residual => "residual",
                RefusalReason::DetectorFailed(_) => "detector_failed",
                RefusalReason::TimeLimit => "time_limit",
                RefusalReason::VerificationFailed(_) => "verification_failed",
            },
            ScrubError::Internal(_) => "internal",
        }
    }
}

/// Why an input could not be read as an image.
///
/// ```
/// use phiscrub::{Config, ScrubError, Scrubber, Unreadable};
/// let scrubber = Scrubber::new(Config::default())?;
/// let e = scrubber.scrub(b"Bed 12: J. Doe, 1950-01-02").unwrap_err();
/// assert!(matches!(e, ScrubError::Unreadable(Unreadable::NotAnImage)), "{e:?}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unreadable {
    /// The bytes are not an image file phiscrub recognises (checked by
    /// content, not by name).
    NotAnImage,
    /// The bytes start like an image but do not decode.
    Corrupt(String),
    /// The image is larger than the configured pixel limit.
    TooLarge {
        /// Width in pixels as the file's header gives it (before EXIF
        /// orientation).
        width: u32,
        /// Height in pixels, as for `width`.
        height: u32,
        /// The most pixels (width × height) accepted: `Config::max_pixels`.
        limit: u64,
    },
    /// Decoding would need more memory than the pixel limit allows for
    /// (`Config::max_pixels`), although the header's size is within it:
    /// a decoder's working set (a 16-bit image, a large embedded chunk),
    /// not damage. Reported as `too_large`.
    OverMemory(String),
    /// The file could not be read from disk.
    Io(String),
}

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let msg = match self {
            Unreadable::NotAnImage => t!("err-not-an-image"),
            Unreadable::Corrupt(detail) => t!("err-corrupt", detail = detail.as_str()),
            Unreadable::TooLarge {
                width,
                height,
                limit,
            } => t!(
                "err-too-large",
                width = *width,
                height = *height,
                limit = *limit
            ),
            Unreadable::OverMemory(detail) => t!("err-over-memory", detail = detail.as_str()),
            Unreadable::Io(detail) => t!("err-io", detail = detail.as_str()),
        };
        f.write_str(&msg)
    }
}

/// An image that was read but could not be made safe.
///
/// ```
/// use phiscrub::{Config, RefusalReason, ScrubError, Scrubber};
/// # let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/");
/// let scrubber = Scrubber::new(Config::default())?;
/// match scrubber.scrub(&std::fs::read(format!("{dir}png_apng_2frames.png"))?) {
///     Err(ScrubError::Refused(r)) => {
///         assert!(matches!(r.reason, RefusalReason::MultiFrame { frames: 2, .. }));
///         assert!(r.residual.is_empty());
///     }
///     other => panic!("expected a refusal, got {:?}", other.map(|s| s.findings)),
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// Why the image could not be made safe.
    pub reason: RefusalReason,
    /// What verification still found in the redacted pixels, in upright-image
    /// coordinates. Empty unless the reason is [`RefusalReason::Residual`].
    pub residual: Vec<Finding>,
}

/// Why an image was refused.
///
/// ```
/// use phiscrub::{Refusal, RefusalReason, ScrubError};
/// let e = ScrubError::Refused(Refusal {
///     reason: RefusalReason::DetectorFailed("out of memory".into()),
///     residual: Vec::new(),
/// });
/// assert_eq!(e.reason_code(), "detector_failed");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefusalReason {
    /// A recognised image format, or a feature of one, that phiscrub cannot
    /// make safe (JPEG XL, JPEG 2000, arithmetic-coded JPEG, ...).
    Unsupported(String),
    /// The file holds more than one picture (frames, pages, MPF or appended
    /// images) and only the first could be exported.
    MultiFrame {
        /// Pictures counted in the file (at least 2).
        frames: usize,
        /// What they are, in words for the message (`animated GIF with 3
        /// frames`).
        what: String,
    },
    /// Verification still detected something after redaction.
    Residual,
    /// A detector failed, so the image could not be checked.
    DetectorFailed(String),
    /// The scrub passed the time limit it was given
    /// ([`Scrubber::scrub_within`](crate::Scrubber::scrub_within)) and was
    /// stopped before its next detector tile.
    TimeLimit,
    /// The re-encoded output did not pass its checks (does not decode, wrong
    /// size, or still carries metadata).
    VerificationFailed(String),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let msg = match &self.reason {
            RefusalReason::Unsupported(what) => t!("refused-unsupported", what = what.as_str()),
            RefusalReason::MultiFrame { frames, what } => {
                t!(
                    "refused-multi-frame",
                    frames = *frames,
                    what = what.as_str()
                )
            }
            RefusalReason::Residual => {
                let places: Vec<String> = self
                    .residual
                    .iter()
                    .take(3)
                    .map(|r| {
                        format!(
                            "{} {:.0},{:.0} {:.0}×{:.0} (score {:.2})",
                            r.kind.as_str(),
                            r.bbox.x,
                            r.bbox.y,
                            r.bbox.w,
                            r.bbox.h,
                            r.score
                        )
                    })
                    .collect();
                let at = if places.is_empty() {
                    String::new()
                } else {
                    t!("refused-residual-at", list = places.join(", "))
                };
                t!(
                    "refused-residual",
                    kinds = residual_kinds(&self.residual),
                    places = at
                )
            }
            RefusalReason::DetectorFailed(d) => t!("refused-detector", detail = d.as_str()),
            RefusalReason::TimeLimit => t!("refused-time-limit"),
            RefusalReason::VerificationFailed(d) => {
                t!("refused-verification", detail = d.as_str())
            }
        };
        f.write_str(&msg)
    }
}

/// An error about one file, carrying its path.
///
/// ```
/// use phiscrub::{Config, Scrubber};
/// let scrubber = Scrubber::new(Config::default())?;
/// let e = scrubber.scrub_path("no/such/photo.jpg".as_ref()).unwrap_err();
/// assert!(e.to_string().starts_with("no/such/photo.jpg: "));
/// // The error beneath, for a program that walks the chain.
/// let below = std::error::Error::source(&e).unwrap().to_string();
/// assert!(e.to_string().ends_with(&below));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct FileError {
    /// The file the error concerns, as given.
    pub path: PathBuf,
    /// What went wrong; its message does not name the file (`Display` adds
    /// the path in front).
    pub error: ScrubError,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.error)
    }
}

impl std::error::Error for FileError {
    /// The error itself; `Display` is this one's message with the file's
    /// path in front.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// "2 face(s) and 1 text region(s)": what a refusal still found, by kind.
fn residual_kinds(found: &[Finding]) -> String {
    use crate::detect::FindingKind;
    let mut parts = Vec::new();
    for (kind, id) in [
        (FindingKind::Face, "count-face"),
        (FindingKind::Text, "count-text"),
        (FindingKind::Code, "count-code"),
        (FindingKind::Wristband, "count-wristband"),
    ] {
        let n = found.iter().filter(|f| f.kind == kind).count();
        if n > 0 {
            parts.push(t!(id, n = n));
        }
    }
    if parts.is_empty() {
        t!("residual-nothing")
    } else {
        parts.join(&t!("residual-and"))
    }
}

/// Why a run over a folder stopped as a whole (each file's own outcome is
/// in its report, never here).
///
/// ```
/// use phiscrub::error::RunError;
/// use std::error::Error;
/// let e = RunError::Flush(std::io::Error::other("disk full"));
/// assert!(e.to_string().contains("disk full"));
/// assert_eq!(e.source().unwrap().to_string(), "disk full");
/// assert_eq!(e.code(), "flush");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The pool of workers could not be started.
    #[error("{}", crate::t!("workers-failed", detail = .0.to_string()))]
    Workers(#[source] rayon::ThreadPoolBuildError),
    /// The outputs could not be made durable at the end of the run.
    #[error("{}", crate::t!("out-flush", detail = .0.to_string()))]
    Flush(#[source] std::io::Error),
}

impl RunError {
    /// A short, stable name: `workers` or `flush`.
    ///
    /// ```
    /// use phiscrub::error::RunError;
    /// assert_eq!(RunError::Flush(std::io::Error::other("x")).code(), "flush");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            RunError::Workers(_) => "workers",
            RunError::Flush(_) => "flush",
        }
    }
}

/// Why a run's audit report or review sheet was not written.
///
/// ```
/// use phiscrub::audit::Report;
/// use phiscrub::error::SaveError;
/// use phiscrub::Config;
/// # let dir = tempfile::tempdir()?;
/// let path = dir.path().join("run.json");
/// let report = Report::new("scrub", &Config::default(), None, &[], &[], Default::default());
/// report.write(&path, false)?;
/// let e = report.write(&path, false).unwrap_err();
/// assert!(matches!(e, SaveError::Exists { .. }));
/// assert!(e.to_string().contains("--force"), "the message says what to do: {e}");
/// assert_eq!(e.code(), "exists");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SaveError {
    /// The file exists and overwriting was not asked for (`--force`).
    #[error("{}", crate::t!(&format!("{what}-exists"), path = crate::i18n::path_arg(path)))]
    Exists {
        /// `report` or `review`: which of the run's files.
        what: &'static str,
        /// The file.
        path: PathBuf,
    },
    /// Writing it failed.
    #[error("{}", crate::t!(&format!("{what}-write"), path = crate::i18n::path_arg(path), detail = source.to_string()))]
    Io {
        /// `report` or `review`: which of the run's files.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The system's error.
        source: std::io::Error,
    },
}

impl SaveError {
    /// `what` written to `path` by [`crate::write_file_atomically`]'s rule,
    /// or why not.
    pub(crate) fn save(
        what: &'static str,
        path: &std::path::Path,
        bytes: &[u8],
        overwrite: bool,
    ) -> Result<(), SaveError> {
        use crate::write::{WriteError, atomic_write};
        match atomic_write(path, bytes, overwrite) {
            Ok(()) => Ok(()),
            Err(WriteError::Exists) => Err(SaveError::Exists {
                what,
                path: path.to_path_buf(),
            }),
            Err(WriteError::Io(source)) => Err(SaveError::Io {
                what,
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// A short, stable name: `exists` or `io`.
    ///
    /// ```
    /// use phiscrub::error::SaveError;
    /// let e = SaveError::Exists { what: "review", path: "sheet.html".into() };
    /// assert_eq!(e.code(), "exists");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            SaveError::Exists { .. } => "exists",
            SaveError::Io { .. } => "io",
        }
    }
}
