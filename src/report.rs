//! What happened to each file, and the run's totals and exit code.

use crate::detect::Finding;
use crate::metadata::Category;
use crate::scrub::Timings;
use std::path::PathBuf;
use std::time::Duration;

/// The outcome class of one input file.
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
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Exported => "exported",
            Status::Refused => "refused",
            Status::Failed => "failed",
        }
    }
}

/// One input file's result.
#[derive(Clone, Debug)]
pub struct FileReport {
    pub input: PathBuf,
    /// The input's path relative to the folder it was found in (its own
    /// name for a file given directly): the name the report shows.
    pub relative: PathBuf,
    /// Set only when exported.
    pub output: Option<PathBuf>,
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
    pub elapsed: Duration,
}

/// What was done to an image that was made safe.
#[derive(Clone, Debug)]
pub struct Done {
    pub width: u32,
    pub height: u32,
    /// Kinds of identifying metadata the input carried, all removed.
    pub removed: Vec<Category>,
    /// The coded image data was kept byte for byte.
    pub lossless: bool,
    /// The regions filled, `filled[i]` covering `findings[i]` of the report
    /// (padded: a face's fill is larger than its detected box).
    pub filled: Vec<crate::geometry::Rect>,
    pub timings: Timings,
}

impl FileReport {
    /// Whether the input as it is would leak something: anything found to
    /// cover, identifying metadata, or an image that cannot be made safe.
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
    pub exported: usize,
    pub refused: usize,
    pub failed: usize,
}

/// Every image was exported (or there was none to process).
pub const EXIT_OK: i32 = 0;
/// phiscrub could not start (runtime, model, output folder).
pub const EXIT_FATAL: i32 = 1;
/// The command line was wrong.
pub const EXIT_USAGE: i32 = 2;
/// At least one image was refused, and none failed.
pub const EXIT_REFUSED: i32 = 3;
/// At least one file failed (unreadable input, or output not written).
pub const EXIT_FAILED: i32 = 4;

impl Summary {
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

    pub fn total(&self) -> usize {
        self.exported + self.refused + self.failed
    }

    /// Failures outrank refusals: a file that could not be read was not even
    /// checked, which is the thing a user most needs to know.
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
    let listed: std::collections::HashSet<&std::path::Path> =
        plan.jobs.iter().map(|j| j.relative.as_path()).collect();
    let mut n = 0;
    for r in reports.iter_mut() {
        if !listed.contains(r.relative.as_path()) {
            n += 1;
            let name = PathBuf::from(format!("unlisted-{n}"));
            r.input = name.clone();
            r.relative = name;
            r.message = Some(crate::t!("unlisted"));
        }
    }
}
