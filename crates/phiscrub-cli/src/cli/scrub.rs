//! `phiscrub scrub`: the main job. Walks the inputs, runs the pipeline,
//! prints the summary, writes the report, review sheet and name map.

use super::args::{DetectArgs, FormatArg};
use super::{
    Failure, kind_counts, pixel_warning, progress_bar, report_clash, share_cores, start_scrubber,
};
use clap::Args;
use phiscrub::i18n::path_arg;
use phiscrub::pipeline::{self, RunOptions};
use phiscrub::report::{self, FileReport, Status, Summary};
use phiscrub::{Config, t};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct ScrubArgs {
    /// Files or folders to scrub. Folders are walked recursively; hidden files are skipped.
    #[arg(required_unless_present = "files_from", value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// Also scrub the files listed in FILE, one path per line (`-`: standard
    /// input). Each output keeps the path as listed, under --out.
    #[arg(long, value_name = "FILE")]
    files_from: Option<PathBuf>,
    /// Scrub only shard K of N (K from 1), split by a hash of each path, for
    /// job arrays. `auto/N`: K is Slurm's SLURM_ARRAY_TASK_ID (an array
    /// numbered 1-N) or Kubernetes' JOB_COMPLETION_INDEX + 1; `auto` also
    /// takes N from a Slurm array submitted whole (a task resubmitted on its
    /// own needs `auto/N`).
    #[arg(long, value_name = "K/N")]
    shard: Option<String>,
    /// Keep a journal beside the report (FILE.json.journal) and skip every
    /// file an earlier attempt recorded there whose output is still what it
    /// wrote, so that a run stopped half-way redoes only what is missing.
    /// Pass it on every attempt, the first included.
    #[arg(long, requires = "report", conflicts_with = "rename")]
    skip_existing: bool,
    /// Output folder. Outputs keep their paths relative to each input folder.
    #[arg(long, short, value_name = "DIR")]
    out: PathBuf,
    /// Replace output files that already exist (never the inputs).
    #[arg(long)]
    force: bool,
    /// Allow the output folder inside an input folder (its contents are
    /// still never read as inputs).
    #[arg(long)]
    allow_nested: bool,
    /// Follow symbolic links to folders and files inside the folders given
    /// (a file reached twice is still processed once).
    #[arg(long, short = 'L')]
    follow: bool,
    /// Images processed at once [default: number of CPU cores].
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
    #[command(flatten)]
    detect: DetectArgs,
    /// JPEG quality of re-encoded JPEG outputs (1–100).
    #[arg(long, value_name = "Q", default_value_t = Config::default().jpeg_quality)]
    quality: u8,
    /// Output format; by default each output keeps its input's format.
    /// WebP output is lossless.
    #[arg(long, value_name = "FORMAT", value_enum)]
    format: Option<FormatArg>,
    /// Write no colour profile at all: Display P3 pixels are converted to
    /// sRGB (by default they keep phiscrub's own Display P3 profile).
    #[arg(long)]
    strip_icc: bool,
    /// Always re-encode pixels, even when nothing needs covering and the
    /// original image data could be kept as is.
    #[arg(long)]
    reencode: bool,
    /// For files holding several pictures (animations, pages, MPF or appended
    /// images), export the first one, scrubbed, instead of refusing the file.
    #[arg(long)]
    first_frame: bool,
    /// Remove metadata only: do NOT look for faces. Only for pictures you have
    /// checked by eye.
    #[arg(long)]
    metadata_only: bool,
    /// Print only the summary and errors.
    #[arg(long, short)]
    quiet: bool,
    /// Write an audit report (JSON, schema in README) to this file.
    #[arg(long, value_name = "FILE.json")]
    report: Option<PathBuf>,
    /// Write a review sheet to this file: one HTML page with thumbnails of
    /// the exported pictures, covered regions outlined, and the refused and
    /// failed files with their reasons.
    #[arg(long, value_name = "FILE.html")]
    review: Option<PathBuf>,
    /// Name outputs image-0001.jpg, image-0002.png, ... (flat in --out) and
    /// write which input each came from to MAP (CSV), kept outside --out:
    /// for when file or folder names carry patient names.
    #[arg(long, value_name = "MAP.csv")]
    rename: Option<PathBuf>,
}

pub fn run(args: ScrubArgs) -> Result<ExitCode, Failure> {
    let defaults = args.detect.apply(Config::default());
    let config = Config {
        jpeg_quality: args.quality,
        output_format: args.format.map(phiscrub::Format::from),
        keep_icc: !args.strip_icc,
        reencode: args.reencode,
        first_frame: args.first_frame,
        detect_faces: !args.metadata_only,
        detect_text: defaults.detect_text && !args.metadata_only,
        detect_codes: defaults.detect_codes && !args.metadata_only,
        ..defaults
    };
    if let Some(e) = report_clash(args.report.as_deref(), args.force || args.skip_existing)
        .or_else(|| review_clash(args.review.as_deref(), args.force))
        .or_else(|| map_clash(args.rename.as_deref(), &args.out, args.force))
    {
        return Err(Failure::usage(e.to_string()));
    }
    if !args.allow_nested {
        if let Some(input) = phiscrub::walk::output_inside_input(&args.out, &args.inputs) {
            return Err(Failure::usage(t!(
                "out-nested",
                out = path_arg(&args.out),
                input = path_arg(&input)
            )));
        }
    }
    let started = std::time::Instant::now();
    let shard = match &args.shard {
        Some(spec) => Some(
            phiscrub::shard::Shard::parse(spec, |v| std::env::var(v).ok())
                .map_err(|e| Failure::usage(format!("--shard {spec}: {e}")))?,
        ),
        None => None,
    };
    let mut plan =
        phiscrub::walk::plan_with(&args.inputs, &args.out, config.output_format, args.follow);
    if let Some(list) = &args.files_from {
        let text = if list.as_os_str() == "-" {
            std::io::read_to_string(std::io::stdin())
        } else {
            std::fs::read_to_string(list)
        }
        .map_err(|e| {
            Failure::usage(format!(
                "--files-from {}: {e}; give a text file with one path per line",
                list.display()
            ))
        })?;
        let listed =
            phiscrub::walk::plan_list(&phiscrub::shard::read_list(&text), config.output_format);
        plan.jobs.extend(listed.jobs);
        plan.problems.extend(listed.problems);
    }
    let listed = plan.jobs.len() + plan.problems.len();
    if let Some(shard) = shard {
        plan = phiscrub::walk::keep_shard(plan, shard);
    }
    // What an earlier attempt exported and recorded, still as it wrote it,
    // is not done again; its report entry is carried over.
    let journal = match (&args.report, args.skip_existing) {
        (Some(report), true) => {
            let path = PathBuf::from(format!("{}.journal", report.display()));
            let run = phiscrub::journal::run_key(&config, shard);
            Some(
                phiscrub::journal::Journal::open(&path, &run).map_err(|e| match e.kind() {
                    std::io::ErrorKind::InvalidData => {
                        Failure::usage(format!("{}: {e}", path.display()))
                    }
                    _ => Failure::fatal(format!(
                        "{}: {e}; check the report's folder",
                        path.display()
                    )),
                })?,
            )
        }
        _ => None,
    };
    let mut reused = Vec::new();
    if let Some(j) = &journal {
        plan.jobs.retain(|job| match j.trusted(&job.input) {
            Some(entry) => {
                reused.push(entry);
                false
            }
            None => true,
        });
    }
    let (config, jobs) = share_cores(config, plan.jobs.len(), args.jobs, &args.detect);
    let (scrubber, workers) = start_scrubber(config, jobs)?;
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        return Err(Failure::fatal(t!(
            "out-create",
            path = path_arg(&args.out),
            detail = e.to_string()
        )));
    }

    let warning = pixel_warning(scrubber.config());
    if let Some(w) = &warning {
        eprintln!("phiscrub: {}", t!("warning-line", text = w.as_str()));
    }
    if let Some(map) = &args.rename {
        let pairs = phiscrub::walk::rename(&mut plan);
        if let Err(e) = write_map(map, &pairs, args.force) {
            return Err(Failure::fatal(e.to_string()));
        }
    }
    let total = (plan.jobs.len() + plan.problems.len()) as u64;
    let bar = progress_bar(total, args.quiet);
    let opts = RunOptions {
        out_dir: args.out.clone(),
        overwrite: args.force,
        workers,
    };
    let journal_config = scrubber.config().clone();
    let on_done = |r: &FileReport| {
        if let Some(msg) = &r.message {
            bar.suspend(|| eprintln!("phiscrub: {}: {msg}", r.input.display()));
        }
        if let Some(j) = &journal {
            let entry = phiscrub::journal::entry_of(r, &journal_config, &args.out);
            if let Err(e) = j.record(r, entry) {
                bar.suspend(|| {
                    eprintln!(
                        "phiscrub: {}: not recorded in the journal ({e}); a re-run will redo it",
                        r.input.display()
                    )
                });
            }
        }
        bar.inc(1);
    };
    let reports = match pipeline::run(&scrubber, &plan, &opts, &on_done) {
        Ok(r) => r,
        Err(e) => {
            bar.finish_and_clear();
            return Err(Failure::fatal(e.to_string()));
        }
    };
    bar.finish_and_clear();
    // Decks and documents keep their text: say so, loudly, with the pixel
    // warning.
    let documents = reports
        .iter()
        .any(|r| phiscrub::document::named_like_one(&r.input));
    let warning = match (warning, documents) {
        (w, false) => w,
        (None, true) => Some(t!("warn-document-text")),
        (Some(w), true) => Some(format!("{w}; {}", t!("warn-document-text"))),
    };
    if documents {
        eprintln!(
            "phiscrub: {}",
            t!("warning-line", text = t!("warn-document-text"))
        );
    }

    let mut summary = Summary::from_statuses(reports.iter().map(|r| r.status));
    summary.exported += reused.len();
    if !reused.is_empty() {
        println!(
            "{} file(s) exported by an earlier attempt and unchanged since: not done again",
            reused.len()
        );
    }
    let covered = kind_counts(
        reports
            .iter()
            .filter(|r| r.status == Status::Exported)
            .flat_map(|r| &r.findings),
    );
    let covered = if covered.is_empty() {
        t!("summary-nothing-covered")
    } else {
        t!("summary-covered", list = covered)
    };
    let counts = t!(
        "summary-counts",
        total = summary.total(),
        exported = summary.exported,
        refused = summary.refused,
        failed = summary.failed
    );
    println!(
        "{}",
        t!(
            "summary-scrub",
            counts = counts,
            covered = covered,
            out = path_arg(&args.out)
        )
    );
    // Repeated after the summary: the line a hurried reader does see.
    if let Some(w) = &warning {
        println!("{}", t!("warning-loud-line", text = w.as_str()));
    }
    if summary.exported > 0 {
        println!("{}", t!("summary-limits"));
    }
    if summary.total() == 0 {
        eprintln!("phiscrub: {}", t!("no-files"));
    }
    if let Some(path) = &args.review {
        let warnings: Vec<String> = warning.iter().cloned().collect();
        let mut shown = reports.clone();
        if args.rename.is_some() {
            report::hide_unlisted(&mut shown, &plan);
        }
        let html = phiscrub::review::render(&shown, &args.out, &warnings);
        if let Err(e) = phiscrub::review::write(path, &html, args.force) {
            return Err(Failure::fatal(e.to_string()));
        }
        println!("{}", t!("summary-review", path = path_arg(path)));
    }
    if let Some(path) = &args.report {
        let mut audit = phiscrub::audit::Report::new(
            "scrub",
            scrubber.config(),
            Some(&args.out),
            &reports,
            &warning.into_iter().collect::<Vec<_>>(),
            started.elapsed(),
        );
        if args.rename.is_some() {
            audit = audit.renamed(&plan);
        }
        if let Some(shard) = shard {
            audit = audit.with_shard(shard, listed);
        }
        let overwrite = args.force || args.skip_existing;
        let written = if reused.is_empty() {
            audit.write(path, overwrite).map_err(|e| e.to_string())
        } else {
            let whole = phiscrub::journal::with_reused(&audit, &reused);
            let text = serde_json::to_string_pretty(&whole).unwrap_or_default();
            phiscrub::write_file_atomically(path, text.as_bytes(), overwrite)
                .map_err(|e| format!("{}: {e}", path.display()))
        };
        if let Err(e) = written {
            return Err(Failure::fatal(e));
        }
    }
    Ok(super::exit(summary.exit_code()))
}

/// The same for the review sheet.
fn review_clash(review: Option<&std::path::Path>, force: bool) -> Option<String> {
    let path = review?;
    (path.exists() && !force).then(|| t!("review-exists", path = path_arg(path)))
}

/// The name map links neutral names back to patients' names: it must not
/// land among the outputs that will be shared, nor replace another file.
fn map_clash(map: Option<&std::path::Path>, out: &std::path::Path, force: bool) -> Option<String> {
    let map = map?;
    // Links and `..` resolved first: `x/../OUT/map.csv` is inside OUT.
    let where_ =
        |p: &std::path::Path| phiscrub::walk::resolve(p).unwrap_or_else(|| p.to_path_buf());
    if where_(map).starts_with(where_(out)) {
        return Some(t!(
            "map-inside-out",
            map = path_arg(map),
            out = path_arg(out)
        ));
    }
    (map.exists() && !force).then(|| t!("map-exists", map = path_arg(map)))
}

/// Writes `neutral name,input path` lines (CSV, quoted) whole or not at all.
fn write_map(
    path: &std::path::Path,
    pairs: &[(PathBuf, PathBuf)],
    force: bool,
) -> Result<(), String> {
    let quote =
        |p: &std::path::Path| format!("\"{}\"", p.display().to_string().replace('"', "\"\""));
    let mut csv = String::from("output,input\n");
    for (neutral, input) in pairs {
        csv.push_str(&format!("{},{}\n", quote(neutral), quote(input)));
    }
    phiscrub::write_file_atomically(path, csv.as_bytes(), force)
        .map_err(|e| t!("map-write", map = path_arg(path), detail = e.to_string()))
}
