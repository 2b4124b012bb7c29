//! The audit report (`--report FILE.json`): what a run did to every file, in
//! a versioned JSON document a hospital can archive.
//!
//! It never holds personal data: no metadata values (only their categories),
//! no decoded code or text contents, no pixels; names are the inputs' paths
//! relative to the folders given (or neutral names under `--rename`).
//! The schema is described in README ("Audit report").

use crate::Config;
use crate::detect::Finding;
use crate::report::{FileReport, Status, Summary};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// Version of the report's layout; raised on any change a reader must know.
///
/// ```
/// use phiscrub::audit::{Report, REPORT_VERSION};
/// use phiscrub::Config;
/// let report = Report::new("check", &Config::default(), None, &[], &[], Default::default());
/// let json: serde_json::Value = serde_json::from_str(&report.to_json())?;
/// // A reader checks the version before trusting the fields it knows.
/// assert_eq!(json["schema"], "phiscrub-report");
/// assert_eq!(json["version"], REPORT_VERSION);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
    /// Always `phiscrub-report`: tells a program what this document is.
    pub schema: &'static str,
    /// [`REPORT_VERSION`] of the layout, to check before any other field.
    pub version: u32,
    /// `scrub` or `check`.
    pub command: &'static str,
    /// Version of the phiscrub that wrote the report.
    pub phiscrub_version: &'static str,
    /// Every model compiled into phiscrub, with its hash; listed whether or not
    /// its detector was switched on (see `settings`).
    pub models: Vec<ModelEntry>,
    /// What was looked for, and how hard.
    pub settings: Settings,
    /// Detectors switched off on request, and other things a reader of the
    /// report must know before trusting the outputs.
    pub warnings: Vec<String>,
    /// Counts over every file, and the run's time.
    pub totals: Totals,
    /// For one shard of a split run (`--shard`): which, and how many files
    /// the whole run listed before the split; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shard: Option<ShardEntry>,
    /// One entry per file, in input order: the inputs the walk could not list
    /// come first.
    pub files: Vec<FileEntry>,
}

/// Which shard a report covers, for `phiscrub report merge`.
///
/// ```
/// use phiscrub::audit::Report;
/// use phiscrub::shard::Shard;
/// use phiscrub::Config;
/// let r = Report::new("scrub", &Config::default(), None, &[], &[], Default::default())
///     .with_shard(Shard::new(2, 4).unwrap(), 1000);
/// let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
/// assert_eq!(json["shard"]["index"], 2);
/// assert_eq!(json["shard"]["listed"], 1000);
/// ```
#[derive(Debug, Serialize)]
pub struct ShardEntry {
    /// This shard, 1 to `count`.
    pub index: u32,
    /// How many shards the run was split into.
    pub count: u32,
    /// Files (and unlistable inputs) the whole run listed, all shards
    /// together.
    pub listed: usize,
}

/// A model built into this phiscrub (every one is listed, whichever
/// detectors the run switched on; `settings` says which looked), identified
/// by its file's SHA-256 so that an archived report says exactly which
/// detector looked at the images.
///
/// ```
/// use phiscrub::audit::Report;
/// use phiscrub::Config;
/// let report = Report::new("scrub", &Config::default(), None, &[], &[], Default::default());
/// let face = report.models.iter().find(|m| m.name == "CenterFace").unwrap();
/// assert_eq!(face.file, "centerface.onnx");
/// assert_eq!(face.sha256, phiscrub::models::sha256_hex(phiscrub::models::CENTERFACE.bytes));
/// ```
#[derive(Debug, Serialize)]
pub struct ModelEntry {
    /// The model's short name, as messages show it (`CenterFace`).
    pub name: &'static str,
    /// The model's file name under `models/` in phiscrub's sources.
    pub file: &'static str,
    /// SHA-256 of the embedded model file, as 64 lowercase hex digits.
    pub sha256: &'static str,
}

/// The settings the run used, so a reader can tell what was looked for.
///
/// ```
/// use phiscrub::audit::Report;
/// use phiscrub::Config;
/// let config = Config { detect_text: false, ..Config::default() };
/// let report = Report::new("scrub", &config, None, &[], &[], Default::default());
/// // A detector switched off is recorded, not hidden.
/// assert!(report.settings.faces && !report.settings.text);
/// assert_eq!(report.settings.face_threshold, config.face_threshold);
/// assert!(!report.settings.renamed);
/// // How faces were filled is part of what was done.
/// assert_eq!(report.settings.face_shape, "box");
/// ```
#[derive(Debug, Serialize)]
pub struct Settings {
    /// Faces were looked for and covered.
    pub faces: bool,
    /// Text was looked for and covered; `false` leaves every word readable.
    pub text: bool,
    /// Barcodes and 2D codes were looked for and covered.
    pub codes: bool,
    /// The second face detector (BlazeFace) looked at every input and
    /// output beside CenterFace; `false` only for measurements.
    pub second_face: bool,
    /// The BlazeFace score counted as a CenterFace score of 0.2.
    pub second_face_threshold: f32,
    /// Face detector score (0–1) above which a face was covered.
    pub face_threshold: f32,
    /// Face score (0–1) above which a face still found in an output, and not
    /// explained by a weaker candidate, refused it; at most `face_threshold`.
    pub verify_threshold: f32,
    /// Mean text probability (0–1) above which a region was covered, and
    /// above which text still visible in an output refused it.
    pub text_threshold: f32,
    /// Smallest face looked for, in image pixels (its longer side).
    pub min_face: u32,
    /// Width and height of each face fill, as multiples of the detected box.
    pub face_padding: [f32; 2],
    /// `"box"` or `"ellipse"`: the shape of each face fill.
    pub face_shape: &'static str,
    /// Longer side (pixels) large photos were scaled down to for text.
    pub text_detail_side: u32,
    /// Shorter side (pixels) small photos were enlarged to for the text
    /// detector's second look; 0: one look.
    pub text_second_side: u32,
    /// Thickest region (image pixels) the second look kept; 0: no limit.
    pub text_second_thickest: u32,
    /// The second look also read photos turned a quarter, for lines that
    /// run up or down.
    pub text_turned: bool,
    /// JPEG quality of re-encoded JPEG outputs.
    pub jpeg_quality: u8,
    /// The ICC colour profile was kept (the only non-pixel data written).
    pub keep_icc: bool,
    /// Pixels were always re-encoded (`--reencode`), never rewritten losslessly.
    pub reencode: bool,
    /// Multi-frame files gave their first picture (`--first-frame`) instead
    /// of being refused.
    pub first_frame: bool,
    /// Outputs were given neutral names (`--rename`).
    pub renamed: bool,
    /// Where the networks ran (`cpu`, `cuda:N`).
    pub device: String,
}

/// The run's counts.
///
/// ```
/// use phiscrub::audit::Report;
/// use phiscrub::{BoxF, Config, Finding, FindingKind};
/// # use phiscrub::report::{FileReport, Status};
/// # fn file(name: &str, status: Status, findings: Vec<phiscrub::Finding>) -> FileReport {
/// #     FileReport { input: name.into(), relative: name.into(), output: None, status,
/// #         message: None, reason: None, findings, done: None, elapsed: Default::default() }
/// # }
/// let face = || Finding::new(FindingKind::Face, BoxF::new(10.0, 10.0, 40.0, 40.0), 0.9);
/// let files = [
///     file("a.jpg", Status::Exported, vec![face(), face()]),
///     file("b.jpg", Status::Refused, vec![face()]),
///     file("c.txt", Status::Failed, vec![]),
/// ];
/// let t = Report::new("scrub", &Config::default(), None, &files, &[], Default::default()).totals;
/// assert_eq!((t.files, t.exported, t.refused, t.failed), (3, 1, 1, 1));
/// // Findings are counted over exported files only: b.jpg's face was not covered.
/// assert_eq!(t.findings["face"], 2);
/// assert_eq!(t.would_leak, 2, "a.jpg showed faces, b.jpg could not be made safe");
/// ```
#[derive(Debug, Serialize)]
pub struct Totals {
    /// Every file reported, listed or not: `exported + refused + failed`.
    pub files: usize,
    /// Files whose safe output was written (for `check`: would be).
    pub exported: usize,
    /// Files read but not made safe; nothing was written for them.
    pub refused: usize,
    /// Files not read as images, not listed by the walk, or whose output could
    /// not be written.
    pub failed: usize,
    /// Files that, as they are, show something identifying (faces, text,
    /// codes, metadata) or cannot be made safe.
    pub would_leak: usize,
    /// Findings per kind over exported files.
    pub findings: BTreeMap<&'static str, usize>,
    /// Wall time of the whole run in seconds, as given to [`Report::new`].
    pub seconds: f64,
}

/// One file's line in the report.
///
/// ```
/// use phiscrub::audit::Report;
/// use phiscrub::report::{FileReport, Status};
/// use phiscrub::Config;
/// use std::path::Path;
/// let exported = FileReport {
///     input: "/photos/ward 4/bed2.jpg".into(),
///     relative: Path::new("ward 4").join("bed2.jpg"),
///     output: Some(Path::new("/clean").join("ward 4").join("bed2.jpg")),
///     status: Status::Exported,
///     message: None,
///     reason: None,
///     findings: vec![],
///     done: None,
///     elapsed: Default::default(),
/// };
/// let out = Path::new("/clean");
/// let report = Report::new("scrub", &Config::default(), Some(out), &[exported], &[], Default::default());
/// let f = &report.files[0];
/// // Paths are relative, with forward slashes on every system.
/// assert_eq!(f.input, "ward 4/bed2.jpg");
/// assert_eq!(f.output.as_deref(), Some("ward 4/bed2.jpg"));
/// assert_eq!((f.status, f.verification), ("exported", "passed"));
/// ```
#[derive(Debug, Serialize)]
pub struct FileEntry {
    /// The input's path relative to the folder given (its own name for a file
    /// given directly), with `/` separators; its neutral name under `--rename`.
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
    /// `true` when the output is the input JPEG's coefficients rebuilt
    /// unchanged (no re-encoding); `null` unless exported (for `check`:
    /// would be).
    pub lossless: Option<bool>,
    /// Output width in pixels, after EXIF orientation; `null` unless exported.
    pub width: Option<u32>,
    /// Output height in pixels, after EXIF orientation; `null` unless exported.
    pub height: Option<u32>,
    /// Where the file's time went.
    pub seconds: Seconds,
    /// Whether the input as it is would leak something.
    pub would_leak: bool,
}

/// One region found, without what it showed.
///
/// ```
/// use phiscrub::audit::Report;
/// use phiscrub::{BoxF, Config, Finding, FindingKind};
/// # use phiscrub::report::{FileReport, Status};
/// # fn file(name: &str, status: Status, findings: Vec<phiscrub::Finding>) -> FileReport {
/// #     FileReport { input: name.into(), relative: name.into(), output: None, status,
/// #         message: None, reason: None, findings, done: None, elapsed: Default::default() }
/// # }
/// let code = Finding::new(FindingKind::Code, BoxF::new(12.345, 40.0, 80.06, 80.0), 0.98765);
/// let report = Report::new("scrub", &Config::default(), None,
///     &[file("a.jpg", Status::Exported, vec![code])], &[], Default::default());
/// let f = &report.files[0].findings[0];
/// assert_eq!(f.kind, "code");
/// // Rounded: a tenth of a pixel, a thousandth of a score.
/// assert_eq!(f.bbox, [12.3, 40.0, 80.1, 80.0]);
/// assert_eq!(f.score, 0.988);
/// // The JSON field is called `box`.
/// let json = serde_json::to_value(f)?;
/// assert!(json.get("box").is_some() && json.get("bbox").is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Serialize)]
pub struct FindingEntry {
    /// `face`, `text`, `code` or `wristband`.
    pub kind: &'static str,
    /// `[x, y, width, height]` in pixels of the upright image.
    #[serde(rename = "box")]
    pub bbox: [f32; 4],
    /// The detector's confidence (0–1), rounded to three decimals.
    pub score: f32,
}

/// Where one file's time went; the steps are `None` for a file that was
/// never made safe.
///
/// ```
/// use phiscrub::audit::Report;
/// use phiscrub::report::{FileReport, Status};
/// use phiscrub::Config;
/// use std::time::Duration;
/// let failed = FileReport { input: "a.jpg".into(), relative: "a.jpg".into(), output: None,
///     status: Status::Failed, message: None, reason: Some("unreadable"), findings: vec![],
///     done: None, elapsed: Duration::from_millis(250) };
/// let report = Report::new("scrub", &Config::default(), None, &[failed], &[], Default::default());
/// let s = &report.files[0].seconds;
/// assert_eq!(s.total, 0.25);
/// assert!(s.decode.is_none() && s.detect.is_none() && s.encode.is_none() && s.verify.is_none());
/// ```
#[derive(Debug, Serialize)]
pub struct Seconds {
    /// Everything spent on this file, reading and writing it included.
    pub total: f64,
    /// Walking the container, decoding and turning the pixels upright.
    pub decode: Option<f64>,
    /// The detection rounds on the input, and every fill.
    pub detect: Option<f64>,
    /// Encoding the output (or rewriting it losslessly), over every attempt.
    pub encode: Option<f64>,
    /// Checking each output: its container, its decoded pixels, and the
    /// detectors' look at them, over every attempt.
    pub verify: Option<f64>,
}

impl Report {
    /// The report of a run of `command` with `config` over `files`, whose
    /// outputs went under `out_dir`; `warnings` as printed to the user;
    /// `elapsed` the run's wall time.
    ///
    /// ```
    /// use phiscrub::audit::Report;
    /// use phiscrub::pipeline::{plan, run, RunOptions};
    /// use phiscrub::{Config, Scrubber};
    /// # let photo = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/jpeg_camera_everything.jpg"));
    /// # let dir = tempfile::tempdir()?;
    /// # let out = dir.path().join("clean");
    /// let config = Config { detect_faces: false, detect_text: false, detect_codes: false, ..Config::default() };
    /// let warnings = vec!["faces, text and codes are not looked for".to_string()];
    /// let scrubber = Scrubber::new(config.clone())?;
    /// let opts = RunOptions { out_dir: out.clone(), overwrite: false, workers: 1 };
    /// let start = std::time::Instant::now();
    /// let files = run(&scrubber, &plan(&[photo], &out, None), &opts, &|_| {})?;
    /// let report = Report::new("scrub", &config, Some(&out), &files, &warnings, start.elapsed());
    /// assert_eq!((report.totals.files, report.totals.exported), (1, 1));
    /// let f = &report.files[0];
    /// assert_eq!(f.output.as_deref(), Some("jpeg_camera_everything.jpg"));
    /// // Categories of what was removed, never the values (no coordinates here).
    /// assert!(f.metadata.contains(&phiscrub::Category::Gps));
    /// assert_eq!(report.warnings, warnings);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(
        command: &'static str,
        config: &Config,
        out_dir: Option<&Path>,
        files: &[FileReport],
        warnings: &[String],
        elapsed: Duration,
    ) -> Report {
        let summary = Summary::from_statuses(files.iter().map(|r| r.status));
        // The detector `Scrubber::new` builds from this configuration.
        let text = config.text_params();
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
                second_face: config.detect_faces && config.second_face,
                second_face_threshold: config.second_face_threshold,
                face_threshold: config.face_threshold,
                verify_threshold: config.verify_threshold,
                text_threshold: config.text_threshold,
                min_face: config.min_face,
                face_padding: [config.face_padding.0, config.face_padding.1],
                face_shape: match config.face_shape {
                    crate::geometry::Shape::Ellipse => "ellipse",
                    _ => "box",
                },
                text_detail_side: config.text_detail_side,
                text_second_side: text.second_side,
                text_second_thickest: text.second_thickest,
                text_turned: text.turned,
                jpeg_quality: config.jpeg_quality,
                keep_icc: config.keep_icc,
                reencode: config.reencode,
                first_frame: config.first_frame,
                renamed: false,
                device: config.device.to_string(),
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
            shard: None,
            files: files.iter().map(|r| entry(r, out_dir)).collect(),
        }
    }

    /// The report of one shard of a split run that listed `listed` files in
    /// all (see [`ShardEntry`]).
    ///
    /// ```
    /// use phiscrub::audit::Report;
    /// use phiscrub::shard::Shard;
    /// let r = Report::new("scrub", &phiscrub::Config::default(), None, &[], &[], Default::default());
    /// assert!(r.shard.is_none());
    /// assert_eq!(r.with_shard(Shard::new(1, 2).unwrap(), 7).shard.unwrap().listed, 7);
    /// ```
    pub fn with_shard(mut self, shard: crate::shard::Shard, listed: usize) -> Report {
        self.shard = Some(ShardEntry {
            index: shard.index,
            count: shard.count,
            listed,
        });
        self
    }

    /// The report of a `--rename` run over `plan` (after
    /// [`walk::rename`](crate::walk::rename)): files the walk could not even
    /// list never got a neutral name, so their names and messages (which
    /// may name other inputs) are replaced by `unlisted-N`; the terminal
    /// showed them to the user.
    ///
    /// ```
    /// use phiscrub::audit::Report;
    /// use phiscrub::walk::{plan, rename};
    /// use phiscrub::Config;
    /// # use phiscrub::report::{FileReport, Status};
    /// # let dir = tempfile::tempdir()?;
    /// # let out = dir.path().join("out");
    /// # let doe = dir.path().join("Doe, Jane.jpg");
    /// std::fs::write(&doe, b"not read in this example")?;
    /// let missing = dir.path().join("Smith, John.jpg");
    /// let mut plan = plan(&[doe, missing.clone()], &out, None);
    /// rename(&mut plan);
    /// // What a run reports: the listed file under its neutral name, and the
    /// // missing one under its own name, with a message that repeats it.
    /// # let report = |relative: &str, status, message: Option<String>| FileReport {
    /// #     input: relative.into(), relative: relative.into(), output: None, status, message,
    /// #     reason: None, findings: vec![], done: None, elapsed: Default::default() };
    /// let files = [
    ///     report("image-0001.jpg", Status::Exported, None),
    ///     report("Smith, John.jpg", Status::Failed, Some(format!("{}: does not exist", missing.display()))),
    /// ];
    /// let audit = Report::new("scrub", &Config::default(), None, &files, &[], Default::default())
    ///     .renamed(&plan);
    /// assert!(audit.settings.renamed);
    /// assert_eq!(audit.files[0].input, "image-0001.jpg");
    /// assert_eq!(audit.files[1].input, "unlisted-1");
    /// assert!(!audit.to_json().contains("Smith"), "no patient name left in the report");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn renamed(mut self, plan: &crate::walk::Plan) -> Report {
        self.settings.renamed = true;
        let mut unlisted = crate::report::Unlisted::new(plan);
        for f in self.files.iter_mut() {
            if let Some(name) = unlisted.name(Path::new(&f.input)) {
                f.input = name;
                f.message = Some(crate::t!("unlisted"));
            }
        }
        self
    }

    /// Writes the report to `path` whole or not at all (a temporary file
    /// renamed into place); an existing file is replaced only when
    /// `overwrite`.
    ///
    /// ```
    /// use phiscrub::audit::Report;
    /// use phiscrub::Config;
    /// # let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("run.json");
    /// let report = Report::new("scrub", &Config::default(), None, &[], &[], Default::default());
    /// report.write(&path, false)?;
    /// assert_eq!(std::fs::read_to_string(&path)?, report.to_json());
    /// // An archived report is not replaced by accident; the message says what to do.
    /// let e = report.write(&path, false).unwrap_err();
    /// assert!(e.to_string().contains("--force"), "{e}");
    /// report.write(&path, true)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write(&self, path: &Path, overwrite: bool) -> Result<(), crate::error::SaveError> {
        crate::error::SaveError::save("report", path, self.to_json().as_bytes(), overwrite)
    }

    /// The report as pretty JSON.
    ///
    /// ```
    /// use phiscrub::audit::Report;
    /// use phiscrub::Config;
    /// let report = Report::new("check", &Config::default(), None, &[], &[], Default::default());
    /// let json = report.to_json();
    /// assert!(json.contains('\n'), "indented, for a person to read too");
    /// let v: serde_json::Value = serde_json::from_str(&json)?;
    /// assert_eq!(v["command"], "check");
    /// assert_eq!(v["files"], serde_json::json!([]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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

#[cfg(test)]
mod tests {
    use super::Report;
    use crate::Config;
    use crate::report::{FileReport, Status, hide_unlisted};

    /// The review sheet and the audit report of one renamed run hide the
    /// same entries under the same names.
    #[test]
    fn review_and_report_hide_unlisted_entries_alike() {
        let dir = tempfile::tempdir().unwrap();
        let listed = dir.path().join("Doe, Jane.jpg");
        std::fs::write(&listed, b"x").unwrap();
        let gone = ["Smith, John.jpg", "Roe, Ann.png"].map(|n| dir.path().join(n));
        let mut plan = crate::walk::plan(
            &[gone[0].clone(), listed, gone[1].clone()],
            &dir.path().join("out"),
            None,
        );
        crate::walk::rename(&mut plan);
        let entry = |relative: &str, status| FileReport {
            input: relative.into(),
            relative: relative.into(),
            output: None,
            status,
            message: Some(format!("{relative}: does not exist")),
            reason: None,
            findings: vec![],
            done: None,
            elapsed: Default::default(),
        };
        let mut reports = vec![
            entry("Smith, John.jpg", Status::Failed),
            entry("image-0001.jpg", Status::Exported),
            entry("Roe, Ann.png", Status::Failed),
        ];
        let audit = Report::new(
            "scrub",
            &Config::default(),
            None,
            &reports,
            &[],
            Default::default(),
        )
        .renamed(&plan);
        hide_unlisted(&mut reports, &plan);
        let review: Vec<String> = reports
            .iter()
            .map(|r| r.relative.display().to_string())
            .collect();
        let report: Vec<&str> = audit.files.iter().map(|f| f.input.as_str()).collect();
        assert_eq!(review, ["unlisted-1", "image-0001.jpg", "unlisted-2"]);
        assert_eq!(report, review);
        for text in [audit.to_json(), format!("{reports:?}")] {
            assert!(!text.contains("Smith") && !text.contains("Roe"), "{text}");
        }
    }
}
