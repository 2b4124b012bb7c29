//! What happened to each file, and the run's totals and exit code.

use crate::detect::Finding;
use crate::metadata::Category;
use crate::scrub::Timings;
use std::path::PathBuf;
use std::time::Duration;

/// The outcome class of one input file.
///
/// ```
/// use phiscrub::report::Status;
/// // Only an exported file has an output; the others wrote nothing.
/// let wrote_something = |s: Status| matches!(s, Status::Exported);
/// assert!(wrote_something(Status::Exported));
/// assert!(!wrote_something(Status::Refused) && !wrote_something(Status::Failed));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// A safe output was written.
    Exported,
    /// The image was read but could not be made safe; nothing was written.
    Refused,
    /// The file could not be read as an image, or its output could not be
    /// written; nothing was written.
    Failed,
}

impl Status {
    /// The status as the JSON report and the HTTP answers spell it.
    ///
    /// ```
    /// use phiscrub::report::Status;
    /// assert_eq!(Status::Exported.as_str(), "exported");
    /// assert_eq!(Status::Refused.as_str(), "refused");
    /// assert_eq!(Status::Failed.as_str(), "failed");
    /// ```
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Exported => "exported",
            Status::Refused => "refused",
            Status::Failed => "failed",
        }
    }
}

/// One input file's result.
///
/// ```
/// use phiscrub::pipeline::{plan, run, RunOptions};
/// use phiscrub::report::Status;
/// use phiscrub::{Config, Scrubber};
/// # let dir = tempfile::tempdir()?;
/// # let (inputs, out) = (dir.path().join("in"), dir.path().join("out"));
/// # std::fs::create_dir_all(inputs.join("ward 4"))?;
/// std::fs::write(inputs.join("ward 4/bed2.jpg"), b"Bed 2: J. Doe")?;
/// # let config = Config { detect_faces: false, detect_text: false, detect_codes: false, ..Config::default() };
/// let scrubber = Scrubber::new(config)?;
/// let opts = RunOptions { out_dir: out.clone(), overwrite: false, workers: 1 };
/// let reports = run(&scrubber, &plan(&[inputs], &out, None), &opts, &|_| {})?;
/// let r = &reports[0];
/// // Reports name the file by its path inside the folder given.
/// assert_eq!(r.relative, std::path::Path::new("ward 4/bed2.jpg"));
/// assert_eq!((r.status, r.reason), (Status::Failed, Some("unreadable")));
/// assert!(r.message.is_some(), "says what went wrong and what to do");
/// assert!(r.output.is_none() && r.done.is_none(), "nothing was written");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct FileReport {
    /// The input file's path as listed: given on the command line, or found in
    /// a folder given; `unlisted-N` after [`hide_unlisted`].
    pub input: PathBuf,
    /// The input's path relative to the folder it was found in (its own
    /// name for a file given directly): the name the report shows.
    pub relative: PathBuf,
    /// Set only when exported.
    pub output: Option<PathBuf>,
    /// Exported, refused or failed; for `check`, what `scrub` would do.
    pub status: Status,
    /// Why it was refused or failed, with what to do about it.
    pub message: Option<String>,
    /// Short machine-readable reason when refused or failed (see
    /// [`reason_code`](crate::error::ScrubError::reason_code)).
    pub reason: Option<&'static str>,
    /// Findings that were covered (exported) or still visible (refused).
    pub findings: Vec<Finding>,
    /// What the scrubber did to an image it could make safe; `None` when it
    /// was refused or failed.
    pub done: Option<Done>,
    /// Wall time spent on this file, reading and (for `scrub`) writing
    /// included; about zero for an input the walk could not list.
    pub elapsed: Duration,
}

/// What was done to an image that was made safe.
///
/// ```
/// use phiscrub::pipeline::{plan, run, RunOptions};
/// use phiscrub::{Category, Config, Scrubber};
/// # let photo = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/jpeg_camera_everything.jpg"));
/// # let dir = tempfile::tempdir()?;
/// // Metadata only: no model is loaded, so this is quick.
/// let config = Config { detect_faces: false, detect_text: false, detect_codes: false, ..Config::default() };
/// let scrubber = Scrubber::new(config)?;
/// let opts = RunOptions { out_dir: dir.path().to_owned(), overwrite: false, workers: 1 };
/// let reports = run(&scrubber, &plan(&[photo], dir.path(), None), &opts, &|_| {})?;
/// let done = reports[0].done.as_ref().expect("exported");
/// assert!(done.width > 0 && done.height > 0);
/// // The camera's GPS position was in the input, and is not in the output.
/// assert!(done.removed.contains(&Category::Gps));
/// assert!(done.lossless, "the JPEG's coded data was kept as it was");
/// assert!(done.filled.is_empty(), "nothing was looked for, nothing covered");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Done {
    /// Output width in pixels, after EXIF orientation: the frame of `filled`
    /// and of the report's findings.
    pub width: u32,
    /// Output height in pixels, after EXIF orientation.
    pub height: u32,
    /// Kinds of identifying metadata the input carried, all removed.
    pub removed: Vec<Category>,
    /// A JPEG's coefficients were rebuilt into the output unchanged.
    pub lossless: bool,
    /// The regions filled, `filled[i]` covering `findings[i]` of the report
    /// (padded: a face's fill is larger than its detected box).
    pub filled: Vec<crate::geometry::Rect>,
    /// Time per stage inside the scrubber; reading and writing the file are
    /// only in [`FileReport::elapsed`].
    pub timings: Timings,
}

impl FileReport {
    /// Whether the input as it is would leak something: anything found to
    /// cover, identifying metadata, or an image that cannot be made safe.
    ///
    /// ```
    /// use phiscrub::report::{Done, FileReport, Status};
    /// use phiscrub::Category;
    /// let report = |status, removed: Vec<Category>| FileReport {
    ///     input: "a.jpg".into(), relative: "a.jpg".into(), output: None, status,
    ///     message: None, reason: None, findings: vec![],
    ///     done: Some(Done { width: 8, height: 8, removed, lossless: true,
    ///         filled: vec![], timings: Default::default() }),
    ///     elapsed: Default::default(),
    /// };
    /// // Exported with nothing found and no metadata: the input was already safe.
    /// assert!(!report(Status::Exported, vec![]).would_leak());
    /// // Exported, but the input carried a GPS position.
    /// assert!(report(Status::Exported, vec![Category::Gps]).would_leak());
    /// // A refused image shows something that could not be covered.
    /// assert!(report(Status::Refused, vec![]).would_leak());
    /// // A file that could not be read is not counted either way.
    /// assert!(!report(Status::Failed, vec![]).would_leak());
    /// ```
    pub fn would_leak(&self) -> bool {
        match self.status {
            Status::Exported => {
                !self.findings.is_empty()
                    || self.done.as_ref().is_some_and(|d| !d.removed.is_empty())
            }
            Status::Refused => true,
            Status::Failed => false,
        }
    }
}

/// Counts per status.
///
/// ```
/// use phiscrub::report::{Status, Summary};
/// let s = Summary::from_statuses([Status::Exported, Status::Refused]);
/// assert_eq!((s.exported, s.refused, s.failed), (1, 1, 0));
/// assert_eq!(s.exit_code(), phiscrub::report::EXIT_REFUSED);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Files with status [`Status::Exported`].
    pub exported: usize,
    /// Files with status [`Status::Refused`].
    pub refused: usize,
    /// Files with status [`Status::Failed`].
    pub failed: usize,
}

/// Every image was exported (or there was none to process).
///
/// ```
/// use phiscrub::report::{Status, Summary, EXIT_OK};
/// assert_eq!(EXIT_OK, 0, "the code shells treat as success");
/// assert_eq!(Summary::from_statuses([Status::Exported; 3]).exit_code(), EXIT_OK);
/// assert_eq!(Summary::default().exit_code(), EXIT_OK, "no images: nothing went wrong");
/// ```
pub const EXIT_OK: i32 = 0;
/// phiscrub could not start (runtime, model, output folder).
///
/// ```
/// use phiscrub::report::{Status, Summary, EXIT_FATAL, EXIT_OK};
/// assert_ne!(EXIT_FATAL, EXIT_OK);
/// // A run that processed files never ends with it: it is for a run that
/// // could not start at all.
/// let ran = Summary::from_statuses([Status::Exported, Status::Refused, Status::Failed]);
/// assert_ne!(ran.exit_code(), EXIT_FATAL);
/// ```
pub const EXIT_FATAL: i32 = 1;
/// The command line was wrong.
///
/// ```
/// use phiscrub::report::{EXIT_FAILED, EXIT_FATAL, EXIT_OK, EXIT_REFUSED, EXIT_USAGE};
/// // The same code as the argument parser's own usage errors.
/// assert_eq!(EXIT_USAGE, 2);
/// assert!(![EXIT_OK, EXIT_FATAL, EXIT_REFUSED, EXIT_FAILED].contains(&EXIT_USAGE));
/// ```
pub const EXIT_USAGE: i32 = 2;
/// At least one image was refused, and none failed.
///
/// ```
/// use phiscrub::report::{Status, Summary, EXIT_OK, EXIT_REFUSED};
/// assert_ne!(EXIT_REFUSED, EXIT_OK);
/// let s = Summary::from_statuses([Status::Exported, Status::Refused, Status::Exported]);
/// assert_eq!(s.exit_code(), EXIT_REFUSED);
/// ```
pub const EXIT_REFUSED: i32 = 3;
/// At least one file failed (unreadable input, or output not written).
///
/// ```
/// use phiscrub::report::{Status, Summary, EXIT_FAILED, EXIT_OK};
/// assert_ne!(EXIT_FAILED, EXIT_OK);
/// // One failure is enough, whatever else happened.
/// let s = Summary::from_statuses([Status::Refused, Status::Failed, Status::Exported]);
/// assert_eq!(s.exit_code(), EXIT_FAILED);
/// ```
pub const EXIT_FAILED: i32 = 4;

impl Summary {
    /// Counts `statuses`, one per file.
    ///
    /// ```
    /// use phiscrub::report::{Status, Summary};
    /// let s = Summary::from_statuses([Status::Exported, Status::Exported, Status::Failed]);
    /// assert_eq!(s, Summary { exported: 2, refused: 0, failed: 1 });
    /// ```
    pub fn from_statuses(statuses: impl IntoIterator<Item = Status>) -> Summary {
        let mut s = Summary::default();
        for st in statuses {
            match st {
                Status::Exported => s.exported += 1,
                Status::Refused => s.refused += 1,
                Status::Failed => s.failed += 1,
            }
        }
        s
    }

    /// Files counted, whatever their status.
    ///
    /// ```
    /// use phiscrub::report::Summary;
    /// let s = Summary { exported: 5, refused: 2, failed: 1 };
    /// assert_eq!(s.total(), 8);
    /// assert_eq!(Summary::default().total(), 0);
    /// ```
    pub fn total(&self) -> usize {
        self.exported + self.refused + self.failed
    }

    /// Failures outrank refusals: a file that could not be read was not even
    /// checked, which is the thing a user most needs to know.
    ///
    /// ```
    /// use phiscrub::report::{Summary, EXIT_FAILED, EXIT_OK, EXIT_REFUSED};
    /// assert_eq!(Summary { exported: 4, refused: 0, failed: 0 }.exit_code(), EXIT_OK);
    /// assert_eq!(Summary { exported: 3, refused: 1, failed: 0 }.exit_code(), EXIT_REFUSED);
    /// assert_eq!(Summary { exported: 2, refused: 1, failed: 1 }.exit_code(), EXIT_FAILED);
    /// ```
    pub fn exit_code(&self) -> i32 {
        if self.failed > 0 {
            EXIT_FAILED
        } else if self.refused > 0 {
            EXIT_REFUSED
        } else {
            EXIT_OK
        }
    }
}

/// Under `--rename`, files the walk could not even list never got a
/// neutral name: their names and messages (which may name other inputs) are
/// replaced by `unlisted-N` before anything is written about them; the
/// terminal showed them to the user.
///
/// ```
/// use phiscrub::report::{hide_unlisted, FileReport, Status};
/// use phiscrub::walk::Plan;
/// let r = FileReport { input: "Dupont.jpg".into(), relative: "Dupont.jpg".into(), output: None,
///     status: Status::Failed, message: Some("Dupont.jpg: does not exist".into()),
///     reason: Some("file"), findings: vec![], done: None, elapsed: Default::default() };
/// let mut reports = vec![r];
/// hide_unlisted(&mut reports, &Plan::default());
/// assert_eq!(reports[0].relative.to_str(), Some("unlisted-1"));
/// assert!(!reports[0].message.as_deref().unwrap().contains("Dupont"));
/// ```
pub fn hide_unlisted(reports: &mut [FileReport], plan: &crate::walk::Plan) {
    let mut unlisted = Unlisted::new(plan);
    for r in reports.iter_mut() {
        if let Some(name) = unlisted.name(&r.relative) {
            r.input = PathBuf::from(&name);
            r.relative = PathBuf::from(name);
            r.message = Some(crate::t!("unlisted"));
        }
    }
}

/// The one rule that hides, in a renamed run, the entries that are not
/// among the plan's jobs (what was named on the command line and failed
/// before it became one, under its real name): `unlisted-1`, `unlisted-2`,
/// … in report order. The review sheet ([`hide_unlisted`]) and the audit
/// report (`audit::Report::renamed`) both use it, so they name the same
/// file the same.
pub(crate) struct Unlisted<'a> {
    listed: std::collections::HashSet<&'a std::path::Path>,
    seen: usize,
}

impl<'a> Unlisted<'a> {
    pub(crate) fn new(plan: &'a crate::walk::Plan) -> Unlisted<'a> {
        Unlisted {
            listed: plan.jobs.iter().map(|j| j.relative.as_path()).collect(),
            seen: 0,
        }
    }

    /// The name that hides the entry at `relative`, or `None` when the
    /// plan lists it (its neutral name is already in place).
    pub(crate) fn name(&mut self, relative: &std::path::Path) -> Option<String> {
        if self.listed.contains(relative) {
            return None;
        }
        self.seen += 1;
        Some(format!("unlisted-{}", self.seen))
    }
}
