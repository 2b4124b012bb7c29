//! `phiscrub check`: which images would leak as they are; writes nothing.

use super::args::DetectArgs;
use super::{
    Failure, kind_counts, pixel_warning, progress_bar, report_clash, share_cores, start_scrubber,
};
use clap::Args;
use phiscrub::pipeline;
use phiscrub::report::{self, FileReport, Status};
use phiscrub::{Config, t};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct CheckArgs {
    /// Files or folders to check. Folders are walked recursively.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Images checked at once [default: number of CPU cores].
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
    #[command(flatten)]
    detect: DetectArgs,
    /// Write the findings as an audit report (JSON) to this file.
    #[arg(long, value_name = "FILE.json")]
    report: Option<PathBuf>,
    /// Replace the report file if it exists.
    #[arg(long)]
    force: bool,
    /// Follow symbolic links to folders and files inside the folders given.
    #[arg(long, short = 'L')]
    follow: bool,
    /// Print only the images that would leak and the summary.
    #[arg(long, short)]
    quiet: bool,
}

pub fn run(args: CheckArgs) -> Result<ExitCode, Failure> {
    let config = args.detect.apply(Config::default());
    if let Some(e) = report_clash(args.report.as_deref(), args.force) {
        return Err(Failure::usage(e.to_string()));
    }
    let started = std::time::Instant::now();
    let plan = phiscrub::walk::plan_with(&args.paths, std::path::Path::new(""), None, args.follow);
    let (config, jobs) = share_cores(config, plan.jobs.len(), args.jobs, &args.detect);
    let (scrubber, threads) = start_scrubber(config, jobs)?;
    let warning = pixel_warning(scrubber.config());
    if let Some(w) = &warning {
        eprintln!("phiscrub: {}", t!("warning-line", text = w.as_str()));
    }
    let bar = progress_bar((plan.jobs.len() + plan.problems.len()) as u64, args.quiet);
    let on_done = |r: &FileReport| {
        let line = leak_line(r);
        if r.would_leak() || r.status == Status::Failed || !args.quiet {
            bar.suspend(|| println!("{}: {line}", r.input.display()));
        }
        bar.inc(1);
    };
    let reports = match pipeline::check_all(&scrubber, &plan, threads, &on_done) {
        Ok(r) => r,
        Err(e) => {
            bar.finish_and_clear();
            return Err(Failure::fatal(e.to_string()));
        }
    };
    bar.finish_and_clear();
    let leaking = reports.iter().filter(|r| r.would_leak()).count();
    let failed = reports
        .iter()
        .filter(|r| r.status == Status::Failed)
        .count();
    println!(
        "{}",
        t!(
            "check-summary",
            total = reports.len(),
            leaking = leaking,
            clean = reports.len() - leaking - failed,
            failed = failed
        )
    );
    if let Some(w) = &warning {
        println!("{}", t!("warning-loud-line", text = w.as_str()));
    }
    if reports.len() > failed {
        println!("{}", t!("summary-limits"));
    }
    if let Some(path) = &args.report {
        let audit = phiscrub::audit::Report::new(
            "check",
            scrubber.config(),
            None,
            &reports,
            &warning.into_iter().collect::<Vec<_>>(),
            started.elapsed(),
        );
        if let Err(e) = audit.write(path, args.force) {
            return Err(Failure::fatal(e.to_string()));
        }
    }
    Ok(super::exit(if failed > 0 {
        report::EXIT_FAILED
    } else if leaking > 0 {
        report::EXIT_REFUSED
    } else {
        report::EXIT_OK
    }))
}

/// What `check` says about one file.
fn leak_line(r: &FileReport) -> String {
    let found = kind_counts(&r.findings);
    let metadata: Vec<&str> = r
        .done
        .iter()
        .flat_map(|d| d.removed.iter().map(|c| c.as_str()))
        .collect();
    let detail = r.message.as_deref().unwrap_or("");
    match r.status {
        Status::Failed => t!("check-failed", detail = detail),
        Status::Refused => t!("check-refused", detail = detail),
        Status::Exported if !r.would_leak() => t!("check-clean"),
        Status::Exported => {
            let mut parts = Vec::new();
            if !found.is_empty() {
                parts.push(t!("check-shows", list = found));
            }
            if !metadata.is_empty() {
                parts.push(t!("check-metadata", list = metadata.join(", ")));
            }
            t!("check-leak", parts = parts.join("; "))
        }
    }
}
