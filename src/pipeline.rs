//! Files and folders: walk the inputs, scrub each image on a rayon worker,
//! write each verified output atomically, and report every file.

use crate::error::ScrubError;
use crate::report::{FileReport, Status};
use crate::walk::{self, Job, Plan};
use crate::write::{atomic_write, WriteError};
use crate::Scrubber;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub use crate::walk::plan;

/// How a batch run writes its outputs.
#[derive(Clone, Debug)]
pub struct RunOptions {
    pub out_dir: PathBuf,
    /// Replace outputs that already exist. Off by default: nothing is
    /// overwritten unless asked.
    pub overwrite: bool,
    /// Worker threads (images processed at once).
    pub threads: usize,
}

/// Processes every job of `plan` and reports every file, including the plan's
/// problems, in input order. `on_done` is called as each file finishes (from
/// worker threads), for progress display.
pub fn run(
    scrubber: &Scrubber,
    plan: &Plan,
    opts: &RunOptions,
    on_done: &(dyn Fn(&FileReport) + Sync),
) -> Result<Vec<FileReport>, String> {
    let mut reports: Vec<FileReport> = plan
        .problems
        .iter()
        .map(|(path, msg)| failed(path, msg.clone(), Instant::now()))
        .collect();
    for r in &reports {
        on_done(r);
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.max(1))
        .thread_name(|i| format!("phiscrub-{i}"))
        .build()
        .map_err(|e| format!("could not start worker threads: {e}"))?;
    let done: Vec<FileReport> = pool.install(|| {
        plan.jobs
            .par_iter()
            .map(|job| {
                let r = process(scrubber, job, opts);
                on_done(&r);
                r
            })
            .collect()
    });
    crate::write::sync_outputs(done.iter().filter_map(|r| r.output.as_deref())).map_err(|e| {
        format!("the outputs were written but could not be flushed to disk ({e}); check the output folder's disk")
    })?;
    reports.extend(done);
    Ok(reports)
}

/// One file: read, scrub, write. Never panics on bad input; every way it can
/// go wrong becomes a report.
pub fn process(scrubber: &Scrubber, job: &Job, opts: &RunOptions) -> FileReport {
    let start = Instant::now();
    let out = opts.out_dir.join(&job.relative);
    if same_file(&job.input, &out) {
        return failed(
            &job.input,
            format!(
                "its output {} would replace the input itself; choose an --out folder outside the inputs",
                out.display()
            ),
            start,
        );
    }
    if !opts.overwrite && out.exists() {
        return failed(&job.input, exists_message(&out), start);
    }
    let bytes = match std::fs::read(&job.input) {
        Ok(b) => b,
        Err(e) => return failed(&job.input, walk::describe_io(&e), start),
    };
    let scrubbed = match scrubber.scrub(&bytes) {
        Ok(s) => s,
        Err(e) => {
            let (status, findings) = match &e {
                ScrubError::Refused(r) => (Status::Refused, r.residual.clone()),
                _ => (Status::Failed, Vec::new()),
            };
            return FileReport {
                input: job.input.clone(),
                output: None,
                status,
                message: Some(e.to_string()),
                findings,
                elapsed: start.elapsed(),
            };
        }
    };
    match atomic_write(&out, &scrubbed.bytes, opts.overwrite) {
        Ok(()) => FileReport {
            input: job.input.clone(),
            output: Some(out),
            status: Status::Exported,
            message: None,
            findings: scrubbed.findings,
            elapsed: start.elapsed(),
        },
        Err(WriteError::Exists) => failed(&job.input, exists_message(&out), start),
        Err(WriteError::Io(e)) => failed(
            &job.input,
            format!(
                "its output {} could not be written ({e}); check that the output folder is writable and has space",
                out.display()
            ),
            start,
        ),
    }
}

fn exists_message(out: &Path) -> String {
    format!(
        "its output {} already exists and was not overwritten; delete it, choose another --out, or pass --force",
        out.display()
    )
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

fn failed(path: &Path, message: String, start: Instant) -> FileReport {
    FileReport {
        input: path.to_path_buf(),
        output: None,
        status: Status::Failed,
        message: Some(message),
        findings: Vec::new(),
        elapsed: start.elapsed(),
    }
}
