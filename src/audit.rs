//! The audit report (`--report FILE.json`): what a run did to every file, in
//! a versioned JSON document a hospital can archive.
//!
//! It never holds personal data: no metadata values (only their categories),
//! no decoded code or text contents, no pixels; names are the inputs' paths
//! relative to the folders given (or neutral names under `--rename`).
//! The schema is described in README ("Audit report").

use crate::detect::Finding;
use crate::report::{FileReport, Status, Summary};
use crate::Config;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// Version of the report's layout; raised on any change a reader must know.
pub const REPORT_VERSION: u32 = 1;

/// The whole report.
///
/// ```
/// use phiscrub::audit::Report;
/// use phiscrub::Config;
/// let report = Report::new("scrub", &Config::default(), None, &[], &[], std::time::Duration::ZERO);
/// let json = serde_json::to_value(&report).unwrap();
/// assert_eq!(json["version"], 1);
/// assert_eq!(json["totals"]["files"], 0);
/// ```
#[derive(Debug, Serialize)]
pub struct Report {
    pub schema: &'static str,
    pub version: u32,
    /// `scrub` or `check`.
    pub command: &'static str,
    pub phiscrub_version: &'static str,
    pub models: Vec<ModelEntry>,
    pub settings: Settings,
    /// Detectors switched off on request, and other things a reader of the
    /// report must know before trusting the outputs.
    pub warnings: Vec<String>,
    pub totals: Totals,
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Serialize)]
pub struct ModelEntry {
    pub name: &'static str,
    pub file: &'static str,
    pub sha256: &'static str,
}

#[derive(Debug, Serialize)]
pub struct Settings {
    pub faces: bool,
    pub text: bool,
    pub codes: bool,
    pub face_threshold: f32,
    pub verify_threshold: f32,
    pub text_threshold: f32,
    pub min_face: u32,
    /// Outputs were given neutral names (`--rename`).
    pub renamed: bool,
}

#[derive(Debug, Serialize)]
pub struct Totals {
    pub files: usize,
    pub exported: usize,
    pub refused: usize,
    pub failed: usize,
    /// Files that, as they are, show something identifying (faces, text,
    /// codes, metadata) or cannot be made safe.
    pub would_leak: usize,
    /// Findings per kind over exported files.
    pub findings: BTreeMap<&'static str, usize>,
    pub seconds: f64,
}

#[derive(Debug, Serialize)]
pub struct FileEntry {
    pub input: String,
    /// Relative to the output folder; `null` unless exported by `scrub`.
    pub output: Option<String>,
    /// `exported`, `refused` or `failed` (for `check`: what `scrub` would do).
    pub status: &'static str,
    /// Machine-readable reason when refused or failed.
    pub reason: Option<&'static str>,
    /// The message shown to the user, with what to do.
    pub message: Option<String>,
    /// Covered (exported) or still visible (refused).
    pub findings: Vec<FindingEntry>,
    /// Categories of identifying metadata the input carried (all removed
    /// from the output). Empty when the image was not read.
    pub metadata: Vec<crate::Category>,
    /// `passed` (the output was decoded and looked at), `failed` (that look
    /// refused it) or `not_run`.
    pub verification: &'static str,
    pub lossless: Option<bool>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub seconds: Seconds,
    /// Whether the input as it is would leak something.
    pub would_leak: bool,
}

#[derive(Debug, Serialize)]
pub struct FindingEntry {
    /// `face`, `text`, `code` or `wristband`.
    pub kind: &'static str,
    /// `[x, y, width, height]` in pixels of the upright image.
    #[serde(rename = "box")]
    pub bbox: [f32; 4],
    pub score: f32,
}

#[derive(Debug, Serialize)]
pub struct Seconds {
    pub total: f64,
    pub decode: Option<f64>,
    pub detect: Option<f64>,
    pub encode: Option<f64>,
    pub verify: Option<f64>,
}

impl Report {
    /// The report of a run of `command` with `config` over `files`, whose
    /// outputs went under `out_dir`; `warnings` as printed to the user;
    /// `elapsed` the run's wall time.
    pub fn new(
        command: &'static str,
        config: &Config,
        out_dir: Option<&Path>,
        files: &[FileReport],
        warnings: &[String],
        elapsed: Duration,
    ) -> Report {
        let summary = Summary::from_statuses(files.iter().map(|r| r.status));
        let mut findings = BTreeMap::new();
        for f in files
            .iter()
            .filter(|r| r.status == Status::Exported)
            .flat_map(|r| &r.findings)
        {
            *findings.entry(f.kind.as_str()).or_insert(0) += 1;
        }
        Report {
            schema: "phiscrub-report",
            version: REPORT_VERSION,
            command,
            phiscrub_version: env!("CARGO_PKG_VERSION"),
            models: crate::models::ALL
                .iter()
                .map(|m| ModelEntry {
                    name: m.name,
                    file: m.file,
                    sha256: m.sha256,
                })
                .collect(),
            settings: Settings {
                faces: config.detect_faces,
                text: config.detect_text,
                codes: config.detect_codes,
                face_threshold: config.face_threshold,
                verify_threshold: config.verify_threshold,
                text_threshold: config.text_threshold,
                min_face: config.min_face,
                renamed: false,
            },
            warnings: warnings.to_vec(),
            totals: Totals {
                files: summary.total(),
                exported: summary.exported,
                refused: summary.refused,
                failed: summary.failed,
                would_leak: files.iter().filter(|r| r.would_leak()).count(),
                findings,
                seconds: elapsed.as_secs_f64(),
            },
            files: files.iter().map(|r| entry(r, out_dir)).collect(),
        }
    }

    /// The report of a `--rename` run over `plan` (after
    /// [`walk::rename`](crate::walk::rename)): files the walk could not even
    /// list never got a neutral name, so their names and messages (which
    /// may name other inputs) are replaced by `unlisted-N`; the terminal
    /// showed them to the user.
    pub fn renamed(mut self, plan: &crate::walk::Plan) -> Report {
        self.settings.renamed = true;
        let listed: std::collections::HashSet<&Path> =
            plan.jobs.iter().map(|j| j.relative.as_path()).collect();
        let mut n = 0;
        for f in self.files.iter_mut() {
            if !listed.contains(Path::new(&f.input)) {
                n += 1;
                f.input = format!("unlisted-{n}");
                f.message = Some(crate::t!("unlisted"));
            }
        }
        self
    }

    /// Writes the report to `path` whole or not at all (a temporary file
    /// renamed into place); an existing file is replaced only when
    /// `overwrite`.
    pub fn write(&self, path: &Path, overwrite: bool) -> Result<(), String> {
        use crate::write::{atomic_write, WriteError};
        match atomic_write(path, self.to_json().as_bytes(), overwrite) {
            Ok(()) => Ok(()),
            Err(WriteError::Exists) => Err(crate::t!(
                "report-exists",
                path = crate::i18n::path_arg(path)
            )),
            Err(WriteError::Io(e)) => Err(crate::t!(
                "report-write",
                path = crate::i18n::path_arg(path),
                detail = e.to_string()
            )),
        }
    }

    /// The report as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("the report serialises")
    }
}

fn entry(r: &FileReport, out_dir: Option<&Path>) -> FileEntry {
    let done = r.done.as_ref();
    let secs = |d: Duration| Some(d.as_secs_f64());
    FileEntry {
        input: slashed(&r.relative),
        output: r
            .output
            .as_ref()
            .map(|o| slashed(out_dir.and_then(|d| o.strip_prefix(d).ok()).unwrap_or(o))),
        status: r.status.as_str(),
        reason: r.reason,
        message: r.message.clone(),
        findings: r.findings.iter().map(finding).collect(),
        metadata: done.map(|d| d.removed.clone()).unwrap_or_default(),
        verification: match (r.status, r.reason) {
            (Status::Exported, _) => "passed",
            (Status::Refused, Some("residual" | "verification_failed")) => "failed",
            _ => "not_run",
        },
        lossless: done.map(|d| d.lossless),
        width: done.map(|d| d.width),
        height: done.map(|d| d.height),
        seconds: Seconds {
            total: r.elapsed.as_secs_f64(),
            decode: done.and_then(|d| secs(d.timings.decode)),
            detect: done.and_then(|d| secs(d.timings.detect)),
            encode: done.and_then(|d| secs(d.timings.encode)),
            verify: done.and_then(|d| secs(d.timings.verify)),
        },
        would_leak: r.would_leak(),
    }
}

fn finding(f: &Finding) -> FindingEntry {
    let round = |v: f32| (v * 10.0).round() / 10.0;
    FindingEntry {
        kind: f.kind.as_str(),
        bbox: [
            round(f.bbox.x),
            round(f.bbox.y),
            round(f.bbox.w),
            round(f.bbox.h),
        ],
        score: (f.score * 1000.0).round() / 1000.0,
    }
}

/// Forward slashes on every system: the report is read by other programs.
fn slashed(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}
