//! Files and folders: walk the inputs, scrub each image on a rayon worker,
//! write each verified output atomically, and report every file.

use crate::Scrubber;
use crate::error::{RunError, ScrubError};
use crate::i18n::path_arg;
use crate::report::{Done, FileReport, Status};
use crate::t;
use crate::walk::{self, Job, Plan};
use crate::write::{WriteError, atomic_write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use crate::walk::plan;

/// How a run shares the machine's `cores`: `(workers, threads per worker)`.
///
/// Each worker scrubs one image at a time in its own ONNX Runtime session.
/// Settings the user gave (`jobs`, `threads`) are kept as given. Otherwise a
/// batch gets one single-threaded worker per core (the faster layout for
/// many images, BENCHMARKS.md), and a run with fewer images than cores
/// gives the spare cores to the workers it has, so one photo is read with
/// every core instead of one.
///
/// ```
/// use phiscrub::pipeline::share_cores;
/// // A folder of photos on 2 cores: two workers of one thread.
/// assert_eq!(share_cores(2, 40, None, None), (2, 1));
/// // One photo: one worker with both cores.
/// assert_eq!(share_cores(2, 1, None, None), (1, 2));
/// // What the user asked for is what runs.
/// assert_eq!(share_cores(2, 1, Some(2), None), (2, 1));
/// assert_eq!(share_cores(8, 1, None, Some(3)), (8, 3));
/// ```
pub fn share_cores(
    cores: usize,
    images: usize,
    jobs: Option<usize>,
    threads: Option<usize>,
) -> (usize, usize) {
    let cores = cores.max(1);
    match (jobs, threads) {
        (None, None) => {
            let workers = images.clamp(1, cores);
            (workers, (cores / workers).max(1))
        }
        (jobs, threads) => (jobs.unwrap_or(cores), threads.unwrap_or(1)),
    }
}

/// How a batch run writes its outputs.
///
/// ```
/// use phiscrub::pipeline::{plan, run, RunOptions};
/// use phiscrub::report::Status;
/// use phiscrub::{Config, Scrubber};
/// # let photos = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/photos"));
/// # let dir = tempfile::tempdir()?;
/// # let out = dir.path().join("safe");
/// let scrubber = Scrubber::new(Config::default())?;
/// let opts = RunOptions { out_dir: out.clone(), overwrite: false, workers: 2 };
/// let reports = run(&scrubber, &plan(&[photos.clone()], &out, None), &opts, &|_| {})?;
/// assert!(reports.iter().any(|r| r.status == Status::Exported));
/// // A second run into the same folder replaces nothing.
/// let again = run(&scrubber, &plan(&[photos], &out, None), &opts, &|_| {})?;
/// assert!(again.iter().all(|r| r.status == Status::Failed));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Folder the outputs go under, each at its job's `relative` path (folders
    /// are created as needed); the one [`plan`] was given, so the walk skips it.
    pub out_dir: PathBuf,
    /// Replace outputs that already exist. Off by default: nothing is
    /// overwritten unless asked.
    pub overwrite: bool,
    /// Workers: images processed at once (each runs ONNX Runtime with
    /// `Config::intra_threads` threads of its own).
    pub workers: usize,
}

/// Processes every job of `plan` and reports every file, including the plan's
/// problems, in input order. `on_done` is called as each file finishes (from
/// worker threads), for progress display.
///
/// ```
/// use phiscrub::pipeline::{plan, run, RunOptions};
/// use phiscrub::{Config, Scrubber};
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// # let photos = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/photos"));
/// # let dir = tempfile::tempdir()?;
/// let scrubber = Scrubber::new(Config::default())?;
/// let opts = RunOptions { out_dir: dir.path().to_owned(), overwrite: false, workers: 2 };
/// let done = AtomicUsize::new(0);
/// let reports = run(&scrubber, &plan(&[photos], dir.path(), None), &opts, &|_| {
///     done.fetch_add(1, Ordering::Relaxed);
/// })?;
/// assert_eq!(done.into_inner(), reports.len());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run(
    scrubber: &Scrubber,
    plan: &Plan,
    opts: &RunOptions,
    on_done: &(dyn Fn(&FileReport) + Sync),
) -> Result<Vec<FileReport>, RunError> {
    let reports = each_file(plan, opts.workers, on_done, |job| {
        process(scrubber, job, opts)
    })?;
    crate::write::sync_outputs(reports.iter().filter_map(|r| r.output.as_deref()))
        .map_err(RunError::Flush)?;
    Ok(reports)
}

/// [`check`]s every job of `plan` on `threads` workers and reports every
/// file, including the plan's problems, in input order. Writes nothing.
///
/// ```
/// use phiscrub::pipeline::{check_all, plan};
/// use phiscrub::{Config, Scrubber};
/// # let photos = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/photos"));
/// # let dir = tempfile::tempdir()?;
/// let scrubber = Scrubber::new(Config::default())?;
/// let reports = check_all(&scrubber, &plan(&[photos], dir.path(), None), 2, &|_| {})?;
/// // The astronaut's face would leak as it is; nothing was written.
/// assert!(reports.iter().any(|r| r.would_leak()));
/// assert_eq!(std::fs::read_dir(dir.path())?.count(), 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_all(
    scrubber: &Scrubber,
    plan: &Plan,
    threads: usize,
    on_done: &(dyn Fn(&FileReport) + Sync),
) -> Result<Vec<FileReport>, RunError> {
    each_file(plan, threads, on_done, |job| check(scrubber, job))
}

/// The plan's problems as failed reports, then `work` on every job on
/// `threads` rayon workers, all in input order.
///
/// Workers take the jobs largest file first from one shared queue: the run
/// ends on small files, so no worker waits long alone on a large photo at
/// the end (which cost a split run a tail per shard). A file's size stands
/// in for its cost, which grows with its pixels.
fn each_file(
    plan: &Plan,
    threads: usize,
    on_done: &(dyn Fn(&FileReport) + Sync),
    work: impl Fn(&Job) -> FileReport + Sync,
) -> Result<Vec<FileReport>, RunError> {
    let mut reports: Vec<FileReport> = plan
        .problems
        .iter()
        .map(|(path, msg)| failed(path, &shown_name(path), msg.clone(), Instant::now()))
        .collect();
    for r in &reports {
        on_done(r);
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .thread_name(|i| format!("phiscrub-{i}"))
        .build()
        .map_err(RunError::Workers)?;
    let order = largest_first(&plan.jobs);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let slots: Vec<std::sync::Mutex<Option<FileReport>>> = plan
        .jobs
        .iter()
        .map(|_| std::sync::Mutex::new(None))
        .collect();
    pool.scope(|s| {
        for _ in 0..threads.max(1).min(plan.jobs.len()) {
            s.spawn(|_| {
                while let Some(&i) =
                    order.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
                {
                    let r = work(&plan.jobs[i]);
                    on_done(&r);
                    *slots[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(r);
                }
            });
        }
    });
    reports.extend(
        slots
            .into_iter()
            .filter_map(|m| m.into_inner().unwrap_or_else(|p| p.into_inner())),
    );
    Ok(reports)
}

/// Job indices, largest input file first (ties in input order); a file that
/// cannot be measured goes last, where its error costs nothing.
fn largest_first(jobs: &[Job]) -> Vec<usize> {
    let mut sized: Vec<(u64, usize)> = jobs
        .iter()
        .enumerate()
        .map(|(i, j)| (std::fs::metadata(&j.input).map_or(0, |m| m.len()), i))
        .collect();
    sized.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    sized.into_iter().map(|(_, i)| i).collect()
}

/// A symbolic link among the folders between `out_dir` and the output
/// `relative` to it: writing through it would put the file outside the
/// output folder.
fn link_on_the_way(out_dir: &Path, relative: &Path) -> Option<PathBuf> {
    let mut at = out_dir.to_path_buf();
    for part in relative.parent()?.components() {
        at.push(part);
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => return Some(at),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    None
}

/// One file: read, scrub, write. Never panics on bad input; every way it can
/// go wrong becomes a report.
///
/// ```
/// use phiscrub::pipeline::{plan, process, RunOptions};
/// use phiscrub::report::Status;
/// use phiscrub::{Config, Scrubber};
/// # let photo = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/photos/grace_hopper.jpg"));
/// # let dir = tempfile::tempdir()?;
/// let scrubber = Scrubber::new(Config::default())?;
/// let jobs = plan(&[photo], dir.path(), None).jobs;
/// let opts = RunOptions { out_dir: dir.path().to_owned(), overwrite: false, workers: 1 };
/// let report = process(&scrubber, &jobs[0], &opts);
/// assert_eq!(report.status, Status::Exported);
/// assert!(report.output.unwrap().is_file());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn process(scrubber: &Scrubber, job: &Job, opts: &RunOptions) -> FileReport {
    let start = Instant::now();
    let out = opts.out_dir.join(&job.relative);
    let fail = |msg: String| failed(&job.input, &job.shown, msg, start);
    if same_file(&job.input, &out) {
        return fail(t!("out-replaces-input", output = path_arg(&out)));
    }
    if let Some(link) = link_on_the_way(&opts.out_dir, &job.relative) {
        return fail(t!(
            "out-through-link",
            output = path_arg(&out),
            link = path_arg(&link)
        ));
    }
    if !opts.overwrite && out.exists() {
        return fail(exists_message(&out));
    }
    let mut report = scrub_file(scrubber, job, start);
    let Some((bytes, format)) = report.1 else {
        return report.0;
    };
    // The plan names outputs from the inputs' extensions; content decides
    // (a HEIC saved as `.jpg` is fine, a BMP saved as `.jpg` becomes PNG).
    // A document keeps its name.
    let renamed = match format {
        Some(f) => walk::with_extension_for(&out, f),
        None => out.clone(),
    };
    let out = if renamed != out {
        if !opts.overwrite && renamed.exists() {
            return fail(exists_message(&renamed));
        }
        renamed
    } else {
        out
    };
    match atomic_write(&out, &bytes, opts.overwrite) {
        Ok(()) => {
            report.0.output = Some(out);
            report.0.elapsed = start.elapsed();
            report.0
        }
        Err(WriteError::Exists) => fail(exists_message(&out)),
        Err(WriteError::Io(e)) => fail(t!(
            "out-write",
            output = path_arg(&out),
            detail = e.to_string()
        )),
    }
}

/// One file as [`process`] would treat it, in memory only: nothing is
/// written. A report with status `Exported` means the file would be
/// exported; its findings and removed metadata are what it would leak as it
/// is ([`FileReport::would_leak`]).
///
/// ```
/// use phiscrub::pipeline::{check, plan};
/// use phiscrub::{Config, Scrubber};
/// # let photo = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/photos/grace_hopper.jpg"));
/// # let dir = tempfile::tempdir()?;
/// let scrubber = Scrubber::new(Config::default())?;
/// let report = check(&scrubber, &plan(&[photo], dir.path(), None).jobs[0]);
/// assert!(report.would_leak() && report.output.is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check(scrubber: &Scrubber, job: &Job) -> FileReport {
    scrub_file(scrubber, job, Instant::now()).0
}

/// A file's report, and the output bytes with their image format (`None`
/// for a document) when it can be exported.
type Scrubbed = (FileReport, Option<(Vec<u8>, Option<crate::Format>)>);

/// Reads and scrubs one file; the output bytes come back beside the report
/// when it can be exported.
fn scrub_file(scrubber: &Scrubber, job: &Job, start: Instant) -> Scrubbed {
    let bytes = match std::fs::read(&job.input) {
        Ok(b) => b,
        Err(e) => {
            let mut r = failed(&job.input, &job.shown, walk::describe_io(&e), start);
            r.reason = Some("io");
            return (r, None);
        }
    };
    if crate::document::sniff(&bytes).is_some() {
        return scrub_document(scrubber, job, &bytes, start);
    }
    match scrubber.scrub(&bytes) {
        Ok(s) => (
            FileReport {
                findings: s.findings,
                done: Some(Done {
                    width: s.width,
                    height: s.height,
                    removed: s.removed,
                    lossless: s.lossless,
                    filled: s.filled,
                    timings: s.timings,
                }),
                elapsed: start.elapsed(),
                ..report_for(job, Status::Exported)
            },
            Some((s.bytes, Some(s.format))),
        ),
        Err(e) => {
            let (status, findings) = match &e {
                ScrubError::Refused(r) => (Status::Refused, r.residual.clone()),
                _ => (Status::Failed, Vec::new()),
            };
            let report = FileReport {
                message: Some(e.to_string()),
                reason: Some(e.reason_code()),
                findings,
                elapsed: start.elapsed(),
                ..report_for(job, status)
            };
            (report, None)
        }
    }
}

/// A report on `job` with `status` and nothing else yet.
fn report_for(job: &Job, status: Status) -> FileReport {
    FileReport {
        input: job.input.clone(),
        relative: job.shown.clone(),
        output: None,
        status,
        message: None,
        reason: None,
        findings: Vec::new(),
        done: None,
        elapsed: Duration::ZERO,
    }
}

/// A deck or document: its pictures through the scrubber, its metadata
/// removed (`document`). The report gathers every picture's findings.
fn scrub_document(scrubber: &Scrubber, job: &Job, bytes: &[u8], start: Instant) -> Scrubbed {
    let mut report = report_for(job, Status::Exported);
    match crate::document::scrub(scrubber, bytes) {
        Ok(d) => {
            let mut removed: Vec<_> = d.removed.clone();
            let mut filled = Vec::new();
            for p in &d.pictures {
                report.findings.extend(p.findings.iter().cloned());
                removed.extend(p.removed.iter().copied());
            }
            // Each picture's fills, in its own frame, beside its findings.
            for p in &d.pictures {
                filled.extend(p.filled.iter().copied());
            }
            removed.sort();
            removed.dedup();
            report.done = Some(Done {
                width: 0,
                height: 0,
                removed,
                lossless: false,
                filled,
                timings: Default::default(),
            });
            report.elapsed = start.elapsed();
            (report, Some((d.bytes, None)))
        }
        Err(e) => {
            report.status = if e.is_refusal() {
                Status::Refused
            } else {
                Status::Failed
            };
            if let crate::document::DocumentError::Picture {
                error: ScrubError::Refused(r),
                ..
            } = &e
            {
                report.findings = r.residual.clone();
            }
            report.message = Some(e.to_string());
            report.reason = Some(e.reason_code());
            report.elapsed = start.elapsed();
            (report, None)
        }
    }
}

/// The name a report shows for an input the plan could not list: its last
/// component, not the whole path as typed.
fn shown_name(path: &Path) -> PathBuf {
    path.file_name()
        .map(PathBuf::from)
        .unwrap_or_else(|| path.to_path_buf())
}

fn exists_message(out: &Path) -> String {
    t!("out-exists", output = path_arg(out))
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

fn failed(path: &Path, shown: &Path, message: String, start: Instant) -> FileReport {
    FileReport {
        input: path.to_path_buf(),
        relative: shown.to_path_buf(),
        output: None,
        status: Status::Failed,
        message: Some(message),
        reason: Some("file"),
        findings: Vec::new(),
        done: None,
        elapsed: start.elapsed(),
    }
}

#[cfg(test)]
mod tests {
    use super::{each_file, failed, share_cores};
    use crate::walk::{Job, Plan};
    use std::sync::Mutex;

    #[test]
    fn workers_take_the_largest_files_first_and_reports_keep_input_order() {
        let dir = tempfile::tempdir().unwrap();
        let jobs: Vec<Job> = [("a", 10), ("b", 3000), ("c", 0), ("d", 700)]
            .iter()
            .map(|(name, size)| {
                let input = dir.path().join(name);
                std::fs::write(&input, vec![0u8; *size]).unwrap();
                Job {
                    input,
                    relative: name.into(),
                    shown: name.into(),
                }
            })
            .collect();
        let missing = dir.path().join("gone");
        let plan = Plan {
            jobs,
            problems: vec![(missing.clone(), "missing".into())],
        };
        // Records which job started when, and reports it (as failed: the
        // work itself does not matter here).
        let started = Mutex::new(Vec::new());
        let note = |job: &Job| {
            started.lock().unwrap().push(job.relative.clone());
            failed(
                &job.input,
                &job.shown,
                String::new(),
                std::time::Instant::now(),
            )
        };
        let reports = each_file(&plan, 1, &|_| {}, note).unwrap();
        let order_of_work: Vec<String> = started
            .lock()
            .unwrap()
            .drain(..)
            .map(|p| p.display().to_string())
            .collect();
        assert_eq!(order_of_work, ["b", "d", "a", "c"]);
        let order: Vec<&std::path::Path> = reports.iter().map(|r| r.input.as_path()).collect();
        let expected: Vec<std::path::PathBuf> = std::iter::once(missing)
            .chain(["a", "b", "c", "d"].iter().map(|n| dir.path().join(n)))
            .collect();
        assert_eq!(
            order,
            expected.iter().map(|p| p.as_path()).collect::<Vec<_>>()
        );
        // More workers than files: every file is still done once.
        let again = each_file(&plan, 8, &|_| {}, note).unwrap();
        assert_eq!((started.lock().unwrap().len(), again.len()), (4, 5));
    }

    #[test]
    fn cores_go_to_the_images_there_are() {
        // Three photos on four cores: three workers, one thread each (the
        // fourth core cannot be split among them).
        assert_eq!(share_cores(4, 3, None, None), (3, 1));
        // Two photos on eight cores: four threads each.
        assert_eq!(share_cores(8, 2, None, None), (2, 4));
        // An empty folder still starts one worker; an unknown core count is 1.
        assert_eq!(share_cores(2, 0, None, None), (1, 2));
        assert_eq!(share_cores(0, 5, None, None), (1, 1));
        // A bad setting is passed on for the configuration check to refuse.
        assert_eq!(share_cores(2, 1, Some(0), None), (0, 1));
        assert_eq!(share_cores(2, 1, None, Some(0)), (2, 0));
    }
}
