//! The `phiscrub` command: parses arguments, shows progress, prints the
//! summary and maps the outcome to an exit code. All work is in the library.

mod cli_help;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use phiscrub::i18n::{Lang, path_arg};
use phiscrub::pipeline::{self, RunOptions};
use phiscrub::report::{self, FileReport, Status, Summary};
use phiscrub::synth::SceneKind;
use phiscrub::{Config, Scrubber, t};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "phiscrub",
    version,
    about = "Makes clinical photos safe to share: covers faces, drops all metadata, refuses what it cannot make safe.",
    after_help = "Exit codes: 0 all exported (check: nothing would leak); 1 could not start; 2 usage error; 3 some image refused (check: would leak); 4 some file failed."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Language of messages, help and review sheet [default: from LC_ALL,
    /// LC_MESSAGES or LANG; English otherwise].
    #[arg(long, global = true, value_name = "LANG", value_parser = ["en", "fr"])]
    lang: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Scrub photos (JPEG, PNG, WebP, TIFF, GIF; files or folders, recursively) into an output folder.
    Scrub(ScrubArgs),
    /// Say which images would leak identity (faces, text, codes, wristbands,
    /// metadata) as they are; writes nothing. Exit 3 when any would.
    Check(CheckArgs),
    /// Show what identifying metadata files carry (reads only; changes nothing).
    Inspect(InspectArgs),
    /// Scrub over HTTP for other programs: POST /v1/scrub and /v1/check,
    /// GET /healthz, /metrics, /openapi.json. Loopback only by default;
    /// images stay in memory and are never logged.
    Serve(ServeArgs),
    /// Show where ONNX Runtime is loaded from and check the embedded models.
    Doctor,
    /// Measure detection against labelled images (writes nothing).
    #[command(subcommand)]
    Eval(EvalCommand),
}

#[derive(Subcommand)]
enum EvalCommand {
    /// Face recall, precision and false-alarm area against a JSON-lines truth
    /// file: {"file": "a.jpg", "boxes": [[x, y, w, h], ...], "ignore": [...]}.
    Faces(EvalFacesArgs),
    /// Synthetic wristbands (fake names, dates, record numbers, Code 128 and
    /// DataMatrix) bent onto photos: share of bands whose ink is covered.
    Bands(EvalSynthArgs),
    /// Synthetic monitor screens under perspective, glare and moiré: share of
    /// text lines covered.
    Screens(EvalSynthArgs),
    /// Real text: share of labelled regions whose glyph edges the scrubbed
    /// output removes (the rule of textcover.py), by kind and text height,
    /// and the area changed away from text. Truth: JSON lines
    /// {"file", "polys": [[[x, y], ...]], "ignore", "kind"}, in pixels of
    /// the upright picture (EXIF orientation applied).
    Text(EvalFacesArgs),
}

#[derive(Args)]
struct EvalSynthArgs {
    /// Number of scenes.
    #[arg(long, default_value_t = 100)]
    count: usize,
    /// Seed of the scenes: the same seed gives the same pictures.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Folder of photos to composite onto (JPEG/PNG); plain gradients without.
    #[arg(long, value_name = "DIR")]
    backgrounds: Option<PathBuf>,
    /// Scene size, WIDTHxHEIGHT.
    #[arg(long, value_name = "WxH", default_value = "1600x1200", value_parser = parse_size)]
    size: (u32, u32),
    /// Also write each scene and its scrubbed output into this folder.
    #[arg(long, value_name = "DIR")]
    save: Option<PathBuf>,
    #[command(flatten)]
    run: EvalRunArgs,
}

fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("'{s}' is not a size like 1600x1200");
    let (w, h) = s.split_once(['x', 'X', '×']).ok_or_else(bad)?;
    let (w, h) = (
        w.trim().parse::<u32>().map_err(|_| bad())?,
        h.trim().parse::<u32>().map_err(|_| bad())?,
    );
    if !(64..=8192).contains(&w) || !(64..=8192).contains(&h) {
        return Err(format!(
            "the scene size must be between 64 and 8192 pixels a side (got {s})"
        ));
    }
    Ok((w, h))
}

/// What every eval command shares: output form, workers, detection settings.
#[derive(Args)]
struct EvalRunArgs {
    /// Print the scores as JSON.
    #[arg(long)]
    json: bool,
    /// Images processed at once [default: number of CPU cores].
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
    #[command(flatten)]
    detect: DetectArgs,
}

#[derive(Args)]
struct EvalFacesArgs {
    /// Folder holding the images named in the truth file.
    #[arg(long, value_name = "DIR")]
    images: PathBuf,
    /// The truth file (JSON lines).
    #[arg(long, value_name = "FILE")]
    truth: PathBuf,
    #[command(flatten)]
    run: EvalRunArgs,
}

/// Settings of face detection and verification, shared by scrub and eval.
#[derive(Args)]
struct DetectArgs {
    /// Face score above which a face is covered (0–1]. Lower finds more.
    #[arg(long, value_name = "T", default_value_t = Config::default().face_threshold)]
    face_threshold: f32,
    /// Face score above which anything face-like still visible after redaction
    /// refuses the image; lower is stricter [default: 0.95 × --face-threshold].
    #[arg(long, value_name = "T")]
    verify_threshold: Option<f32>,
    /// ONNX Runtime threads per worker (--jobs workers each run one image)
    /// [default: 1; with fewer images than cores and no --jobs, the cores
    /// are shared among the images].
    #[arg(long, value_name = "N")]
    threads_per_job: Option<usize>,
    /// Smallest face searched for, in pixels (longer side). Large photos get
    /// a finer tiled pass down to this size; smaller is slower.
    #[arg(long, value_name = "PX", default_value_t = Config::default().min_face)]
    min_face: u32,
    /// Size of each filled box as a multiple of the detected face box: one
    /// factor, or WIDTHxHEIGHT (e.g. 1.5x1.7) [default: 1.4].
    #[arg(long, value_name = "F", value_parser = parse_padding)]
    face_padding: Option<(f32, f32)>,
    /// Fill the padded box whole, or the ellipse inscribed in it [default: box].
    #[arg(long, value_name = "SHAPE", value_parser = ["box", "ellipse"])]
    face_shape: Option<String>,
    /// Mean text probability above which a region is covered (0–1]; text
    /// still visible above it after redaction refuses the image. Lower finds more.
    #[arg(long, value_name = "T", default_value_t = Config::default().text_threshold)]
    text_threshold: f32,
    /// Large photos are read for text at most this many pixels wide (longer
    /// side), in tiles; more finds smaller text, slower.
    #[arg(long, value_name = "PX", default_value_t = Config::default().text_detail_side)]
    text_detail: u32,
    /// Do NOT cover text (names, dates, record numbers stay readable). Only
    /// for pictures whose text you have checked by eye; the run warns.
    #[arg(long)]
    no_text: bool,
    /// Do not look for barcodes and 2D codes.
    #[arg(long)]
    no_codes: bool,
    /// Ask CenterFace alone, without the second face detector (BlazeFace).
    /// For measuring what the second family adds; never for sharing.
    #[arg(long, hide = true)]
    no_second_face: bool,
}

fn parse_padding(s: &str) -> Result<(f32, f32), String> {
    let num = |v: &str| {
        v.trim()
            .parse::<f32>()
            .map_err(|_| format!("'{s}' is not a factor like 1.5 or 1.5x1.7"))
    };
    match s.split_once(['x', 'X', '×']) {
        Some((w, h)) => Ok((num(w)?, num(h)?)),
        None => num(s).map(|f| (f, f)),
    }
}

impl DetectArgs {
    fn apply(&self, config: Config) -> Config {
        Config {
            face_threshold: self.face_threshold,
            verify_threshold: self
                .verify_threshold
                .unwrap_or(Config::verify_threshold_for(self.face_threshold)),
            min_face: self.min_face,
            intra_threads: self.threads_per_job.unwrap_or(config.intra_threads),
            face_padding: self.face_padding.unwrap_or(config.face_padding),
            face_shape: match self.face_shape.as_deref() {
                Some("ellipse") => phiscrub::geometry::Shape::Ellipse,
                Some(_) => phiscrub::geometry::Shape::Box,
                None => config.face_shape,
            },
            text_threshold: self.text_threshold,
            text_detail_side: self.text_detail,
            detect_text: !self.no_text,
            detect_codes: !self.no_codes,
            second_face: !self.no_second_face,
            ..config
        }
    }
}

#[derive(Args)]
struct ScrubArgs {
    /// Files or folders to scrub. Folders are walked recursively; hidden files are skipped.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
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
    #[arg(long, value_name = "FORMAT", value_parser = ["jpeg", "png", "webp"])]
    format: Option<String>,
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

#[derive(Args)]
struct CheckArgs {
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

#[derive(Args)]
struct ServeArgs {
    /// Address and port to listen on. Any address other than loopback
    /// needs --token-file.
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
    bind: std::net::SocketAddr,
    /// File holding the bearer token clients must send
    /// (Authorization: Bearer …) to /v1/* and /metrics.
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// Largest request body, in megabytes (413 above).
    #[arg(long, value_name = "MB", default_value_t = 50)]
    max_body_mb: usize,
    /// Images scrubbed at once; more requests get 503 with Retry-After
    /// [default: number of CPU cores].
    #[arg(long, value_name = "N")]
    concurrency: Option<usize>,
    /// Time limit of one request, in seconds.
    #[arg(long, value_name = "S", default_value_t = 120)]
    timeout: u64,
    /// Time limit for a request body to arrive whole, in seconds (no scrub
    /// slot is held meanwhile).
    #[arg(long, value_name = "S", default_value_t = 30)]
    body_timeout: u64,
    /// Connections open at once; more are closed as soon as they arrive.
    #[arg(long, value_name = "N", default_value_t = 256)]
    max_connections: usize,
    #[command(flatten)]
    detect: DetectArgs,
}

#[derive(Args)]
struct InspectArgs {
    /// Files or folders to inspect. Folders are walked recursively.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Print JSON (one array of objects) instead of a table.
    #[arg(long)]
    json: bool,
}

fn main() -> ExitCode {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // The language is needed before parsing: the help itself is translated.
    let lang = cli_help::lang_in_args(&argv).unwrap_or_else(Lang::from_env);
    phiscrub::i18n::set_lang(lang);
    let parsed = cli_help::localize(Cli::command(), lang)
        .try_get_matches_from(&argv)
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            if !e.use_stderr() {
                return ExitCode::from(0);
            }
            if lang != Lang::En {
                // clap's own wording is English only; say it once in the
                // user's language too.
                eprintln!("phiscrub : {}", t!("cli-usage-error"));
            }
            return ExitCode::from(report::EXIT_USAGE as u8);
        }
    };
    let code = match cli.command {
        Command::Scrub(args) => scrub(args),
        Command::Check(args) => check(args),
        Command::Inspect(args) => inspect(args),
        Command::Serve(args) => serve(args),
        Command::Doctor => doctor(),
        Command::Eval(EvalCommand::Faces(args)) => eval_faces(args),
        Command::Eval(EvalCommand::Bands(args)) => eval_synth(args, SceneKind::Bands),
        Command::Eval(EvalCommand::Screens(args)) => eval_synth(args, SceneKind::Screens),
        Command::Eval(EvalCommand::Text(args)) => eval_text(args),
    };
    ExitCode::from(code as u8)
}

fn scrub(args: ScrubArgs) -> i32 {
    let defaults = args.detect.apply(Config::default());
    let config = Config {
        jpeg_quality: args.quality,
        output_format: args.format.as_deref().and_then(phiscrub::Format::from_name),
        keep_icc: !args.strip_icc,
        reencode: args.reencode,
        first_frame: args.first_frame,
        detect_faces: !args.metadata_only,
        detect_text: defaults.detect_text && !args.metadata_only,
        detect_codes: defaults.detect_codes && !args.metadata_only,
        ..defaults
    };
    if let Some(e) = report_clash(args.report.as_deref(), args.force)
        .or_else(|| review_clash(args.review.as_deref(), args.force))
        .or_else(|| map_clash(args.rename.as_deref(), &args.out, args.force))
    {
        eprintln!("phiscrub: {e}");
        return report::EXIT_USAGE;
    }
    if !args.allow_nested {
        if let Some(input) = phiscrub::walk::output_inside_input(&args.out, &args.inputs) {
            eprintln!(
                "phiscrub: {}",
                t!(
                    "out-nested",
                    out = path_arg(&args.out),
                    input = path_arg(&input)
                )
            );
            return report::EXIT_USAGE;
        }
    }
    let started = std::time::Instant::now();
    let mut plan =
        phiscrub::walk::plan_with(&args.inputs, &args.out, config.output_format, args.follow);
    let (config, jobs) = share_cores(config, plan.jobs.len(), args.jobs, &args.detect);
    let (scrubber, threads) = match start_scrubber(config, jobs) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!(
            "phiscrub: {}",
            t!(
                "out-create",
                path = path_arg(&args.out),
                detail = e.to_string()
            )
        );
        return report::EXIT_FATAL;
    }

    let warning = pixel_warning(scrubber.config());
    if let Some(w) = &warning {
        eprintln!("phiscrub: {}", t!("warning-line", text = w.as_str()));
    }
    if let Some(map) = &args.rename {
        let pairs = phiscrub::walk::rename(&mut plan);
        if let Err(e) = write_map(map, &pairs, args.force) {
            eprintln!("phiscrub: {e}");
            return report::EXIT_FATAL;
        }
    }
    let total = (plan.jobs.len() + plan.problems.len()) as u64;
    let bar = progress_bar(total, args.quiet);
    let opts = RunOptions {
        out_dir: args.out.clone(),
        overwrite: args.force,
        threads,
    };
    let on_done = |r: &FileReport| {
        if let Some(msg) = &r.message {
            bar.suspend(|| eprintln!("phiscrub: {}: {msg}", r.input.display()));
        }
        bar.inc(1);
    };
    let reports = match pipeline::run(&scrubber, &plan, &opts, &on_done) {
        Ok(r) => r,
        Err(e) => {
            bar.finish_and_clear();
            eprintln!("phiscrub: {e}");
            return report::EXIT_FATAL;
        }
    };
    bar.finish_and_clear();

    let summary = Summary::from_statuses(reports.iter().map(|r| r.status));
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
            eprintln!("phiscrub: {e}");
            return report::EXIT_FATAL;
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
        if let Err(e) = audit.write(path, args.force) {
            eprintln!("phiscrub: {e}");
            return report::EXIT_FATAL;
        }
    }
    summary.exit_code()
}

/// Refuses up front a report file that exists (unless `--force`), so that a
/// long run does not end without its report.
fn report_clash(report: Option<&std::path::Path>, force: bool) -> Option<String> {
    let path = report?;
    (path.exists() && !force).then(|| t!("report-exists", path = path_arg(path)))
}

/// The same for the review sheet.
fn review_clash(review: Option<&std::path::Path>, force: bool) -> Option<String> {
    let path = review?;
    (path.exists() && !force).then(|| t!("review-exists", path = path_arg(path)))
}

/// "2 face, 1 text": findings counted by kind, in the current language.
fn kind_counts<'a>(findings: impl IntoIterator<Item = &'a phiscrub::detect::Finding>) -> String {
    let mut kinds = std::collections::BTreeMap::new();
    for f in findings {
        *kinds.entry(f.kind.as_str()).or_insert(0usize) += 1;
    }
    kinds
        .iter()
        .map(|(k, n)| t!("kind-count", n = *n, kind = *k))
        .collect::<Vec<_>>()
        .join(&t!("list-sep"))
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

fn check(args: CheckArgs) -> i32 {
    let config = args.detect.apply(Config::default());
    if let Some(e) = report_clash(args.report.as_deref(), args.force) {
        eprintln!("phiscrub: {e}");
        return report::EXIT_USAGE;
    }
    let started = std::time::Instant::now();
    let plan = phiscrub::walk::plan_with(&args.paths, std::path::Path::new(""), None, args.follow);
    let (config, jobs) = share_cores(config, plan.jobs.len(), args.jobs, &args.detect);
    let (scrubber, threads) = match start_scrubber(config, jobs) {
        Ok(s) => s,
        Err(code) => return code,
    };
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
            eprintln!("phiscrub: {e}");
            return report::EXIT_FATAL;
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
            eprintln!("phiscrub: {e}");
            return report::EXIT_FATAL;
        }
    }
    if failed > 0 {
        report::EXIT_FAILED
    } else if leaking > 0 {
        report::EXIT_REFUSED
    } else {
        report::EXIT_OK
    }
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

/// What the run leaves unexamined, when the user switched a detector off.
fn pixel_warning(config: &Config) -> Option<String> {
    if !config.examines_pixels() {
        return Some(t!("warn-metadata-only"));
    }
    let mut off = Vec::new();
    if !config.detect_faces {
        off.push(t!("off-faces"));
    }
    if !config.detect_text {
        off.push(t!("off-text"));
    }
    if !config.detect_codes {
        off.push(t!("off-codes"));
    }
    (!off.is_empty()).then(|| t!("warn-off", what = off.join(&t!("list-sep"))))
}

fn serve(args: ServeArgs) -> i32 {
    let token = match &args.token_file {
        None => None,
        Some(path) => match std::fs::read_to_string(path) {
            Ok(t) if !t.trim().is_empty() => Some(t.trim().to_string()),
            Ok(_) => {
                eprintln!(
                    "phiscrub: {}",
                    t!("serve-token-empty", path = path_arg(path))
                );
                return report::EXIT_USAGE;
            }
            Err(e) => {
                eprintln!(
                    "phiscrub: {}",
                    t!(
                        "serve-token-read",
                        path = path_arg(path),
                        detail = e.to_string()
                    )
                );
                return report::EXIT_USAGE;
            }
        },
    };
    if token.is_none() && !args.bind.ip().is_loopback() {
        eprintln!(
            "phiscrub: {}",
            t!("serve-needs-token", bind = args.bind.to_string())
        );
        return report::EXIT_USAGE;
    }
    if args.max_body_mb == 0
        || args.timeout == 0
        || args.body_timeout == 0
        || args.max_connections == 0
    {
        eprintln!("phiscrub: {}", t!("serve-limits"));
        return report::EXIT_USAGE;
    }
    let config = args.detect.apply(Config::default());
    let (scrubber, slots) = match start_scrubber(config, args.concurrency) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if let Some(w) = pixel_warning(scrubber.config()) {
        eprintln!("phiscrub: {}", t!("warning-line", text = w.as_str()));
    }
    let opts = phiscrub::serve::ServeOptions {
        bind: args.bind,
        token,
        max_body: args.max_body_mb.saturating_mul(1024 * 1024),
        concurrency: slots,
        timeout: std::time::Duration::from_secs(args.timeout),
        body_timeout: std::time::Duration::from_secs(args.body_timeout),
        max_connections: args.max_connections,
        ..phiscrub::serve::ServeOptions::default()
    };
    let ready = |addr: std::net::SocketAddr| {
        use std::io::Write;
        println!("{}", t!("serve-listening", addr = addr.to_string()));
        let _ = std::io::stdout().flush();
    };
    match phiscrub::serve::run(std::sync::Arc::new(scrubber), &opts, ready) {
        Ok(()) => report::EXIT_OK,
        Err(e) => {
            eprintln!(
                "phiscrub: {}",
                t!(
                    "serve-failed",
                    bind = args.bind.to_string(),
                    detail = e.to_string()
                )
            );
            report::EXIT_FATAL
        }
    }
}

fn inspect(args: InspectArgs) -> i32 {
    use phiscrub::inspect::{Inspection, inspect};
    let plan = phiscrub::walk::plan(&args.paths, std::path::Path::new(""), None);
    let mut failed = 0;
    let mut json: Vec<serde_json::Value> = Vec::new();
    for (path, msg) in &plan.problems {
        eprintln!("phiscrub: {}: {msg}", path.display());
        failed += 1;
    }
    let mut with_hazards = 0;
    for job in &plan.jobs {
        let result = std::fs::read(&job.input)
            .map_err(|e| phiscrub::walk::describe_io(&e))
            .and_then(|b| inspect(&b).map_err(|e| e.to_string()));
        let found: Inspection = match result {
            Ok(i) => i,
            Err(msg) => {
                eprintln!("phiscrub: {}: {msg}", job.input.display());
                failed += 1;
                if args.json {
                    json.push(serde_json::json!({"file": job.input, "error": msg}));
                }
                continue;
            }
        };
        with_hazards += usize::from(!found.hazards.is_empty());
        if args.json {
            let mut v = serde_json::to_value(&found).unwrap_or_default();
            v["file"] = serde_json::json!(job.input);
            json.push(v);
            continue;
        }
        let size = match (found.width, found.height) {
            (Some(w), Some(h)) => format!("{w}×{h}"),
            _ => t!("inspect-size-unknown"),
        };
        println!(
            "{}: {}{}{}",
            job.input.display(),
            t!(
                "inspect-pictures",
                container = found.container.to_string(),
                size = size,
                frames = found.frames
            ),
            if found.icc_profile {
                t!("inspect-icc")
            } else {
                String::new()
            },
            match found.orientation {
                Some(o) if o != 1 => t!("inspect-orientation", value = o),
                _ => String::new(),
            }
        );
        if found.hazards.is_empty() {
            println!("    {}", t!("inspect-none"));
        }
        for h in &found.hazards {
            println!("    {:<13} {}", h.category.as_str(), h.detail);
        }
        if let Some(note) = &found.note {
            println!("    {}", t!("inspect-note", note = note.as_str()));
        }
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json).unwrap_or_default()
        );
    } else {
        println!(
            "{}",
            t!(
                "inspect-summary",
                total = plan.jobs.len() + plan.problems.len(),
                hazards = with_hazards,
                failed = failed
            )
        );
    }
    if failed > 0 {
        report::EXIT_FAILED
    } else {
        report::EXIT_OK
    }
}

/// The configuration and worker count for a run over `images` images:
/// see [`pipeline::share_cores`].
fn share_cores(
    config: Config,
    images: usize,
    jobs: Option<usize>,
    detect: &DetectArgs,
) -> (Config, Option<usize>) {
    let (workers, threads) = pipeline::share_cores(cores(), images, jobs, detect.threads_per_job);
    (
        Config {
            intra_threads: threads,
            ..config
        },
        Some(workers),
    )
}

/// The scrubber and worker count of a run, or the exit code (already
/// reported) when a setting is out of range, `--jobs` is 0, or the runtime
/// or a model cannot be loaded.
fn start_scrubber(config: Config, jobs: Option<usize>) -> Result<(Scrubber, usize), i32> {
    if let Err(e) = config.validate() {
        eprintln!("phiscrub: {e}");
        return Err(report::EXIT_USAGE);
    }
    if jobs == Some(0) {
        eprintln!("phiscrub: {}", t!("jobs-zero"));
        return Err(report::EXIT_USAGE);
    }
    let scrubber = match Scrubber::new(config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("phiscrub: {e}");
            return Err(report::EXIT_FATAL);
        }
    };
    Ok((scrubber, jobs.unwrap_or_else(cores)))
}

/// The cores this process may use (1 when the system will not say).
fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

fn eval_synth(args: EvalSynthArgs, kind: SceneKind) -> i32 {
    let config = args.run.detect.apply(Config::default());
    if let Err(e) = config.validate() {
        eprintln!("phiscrub: {e}");
        return report::EXIT_USAGE;
    }
    let mut backgrounds = Vec::new();
    if let Some(dir) = &args.backgrounds {
        let plan = phiscrub::walk::plan(std::slice::from_ref(dir), std::path::Path::new(""), None);
        for job in &plan.jobs {
            // Notes and lists beside the photos are not backgrounds.
            let Ok(bytes) = std::fs::read(&job.input) else {
                continue;
            };
            if phiscrub::Format::sniff(&bytes).is_none() {
                continue;
            }
            match image::load_from_memory(&bytes) {
                Ok(img) => backgrounds.push(img.to_rgb8()),
                Err(e) => eprintln!(
                    "phiscrub: {}: skipped as a background ({e})",
                    job.input.display()
                ),
            }
        }
        if backgrounds.is_empty() {
            eprintln!(
                "phiscrub: {}: no readable photos; --backgrounds must be a folder of JPEG or PNG files",
                dir.display()
            );
            return report::EXIT_USAGE;
        }
    }
    if let Some(dir) = &args.save {
        if let Err(e) = std::fs::create_dir_all(dir) {
            eprintln!(
                "phiscrub: cannot create {} ({e}); check the path",
                dir.display()
            );
            return report::EXIT_USAGE;
        }
    }
    let (scrubber, threads) = match start_scrubber(config, args.run.jobs) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let run = phiscrub::synth::eval::SynthRun {
        kind,
        count: args.count,
        seed: args.seed,
        backgrounds: &backgrounds,
        size: args.size,
        threads,
        save: args.save.as_deref(),
    };
    let scores = match phiscrub::synth::eval::run(&scrubber, &run) {
        Ok(s) => s,
        Err(why) => {
            eprintln!("phiscrub: {why}");
            return report::EXIT_FATAL;
        }
    };
    if args.run.json {
        println!("{}", serde_json::to_string(&scores).unwrap_or_default());
        return report::EXIT_OK;
    }
    let share = |a: usize, b: usize| {
        if b == 0 {
            "-".to_string()
        } else {
            format!("{:.4} ({a}/{b})", a as f64 / b as f64)
        }
    };
    let what = if kind == SceneKind::Bands {
        "bands"
    } else {
        "screens"
    };
    println!(
        "{} scenes, seed {}: {} exported, {} refused for residual findings ({} findings), {} refused otherwise; {:.1} s",
        scores.images,
        scores.seed,
        scores.exported,
        scores.refused_residual,
        scores.residual_findings,
        scores.refused_other,
        scores.seconds
    );
    // Objects in refused scenes count as missed in the first figure; the
    // second counts exported scenes only, as the shared scorers do.
    let both = |hit: usize, all: usize, exported: usize| {
        format!(
            "{}; over exported scenes {}",
            share(hit, all),
            share(hit, exported)
        )
    };
    println!(
        "{what:<7} covered  {}",
        both(
            scores.objects_covered,
            scores.objects,
            scores.objects_exported
        )
    );
    println!(
        "lines covered    {}",
        both(scores.lines_covered, scores.lines, scores.lines_exported)
    );
    println!(
        "codes covered    {}",
        both(scores.codes_covered, scores.codes, scores.codes_exported)
    );
    println!("ink covered      {:.4}", scores.ink_covered);
    println!("area filled away {:.4} %", 100.0 * scores.area_away);
    let found: Vec<String> = scores
        .findings
        .iter()
        .map(|(k, n)| format!("{n} {k}"))
        .collect();
    println!("findings         {}", found.join(", "));
    for p in scores.problems.iter().take(10) {
        println!("  {p}");
    }
    report::EXIT_OK
}

/// What `eval faces` and `eval text` check before scoring: the settings,
/// the truth file (read with `read`), the images folder; then the scrubber.
/// Errors are reported; the exit code comes back.
fn start_labelled_eval<T>(
    args: &EvalFacesArgs,
    config: Config,
    read: impl Fn(&std::path::Path) -> Result<Vec<T>, String>,
) -> Result<(Vec<T>, Scrubber, usize), i32> {
    if let Err(e) = config.validate() {
        eprintln!("phiscrub: {e}");
        return Err(report::EXIT_USAGE);
    }
    let truth = read(&args.truth).map_err(|e| {
        eprintln!("phiscrub: {e}");
        report::EXIT_USAGE
    })?;
    if !args.images.is_dir() {
        eprintln!(
            "phiscrub: {}: not a folder; --images must be the folder holding the files named in the truth file",
            args.images.display()
        );
        return Err(report::EXIT_USAGE);
    }
    let (scrubber, threads) = start_scrubber(config, args.run.jobs)?;
    Ok((truth, scrubber, threads))
}

fn eval_text(args: EvalFacesArgs) -> i32 {
    // Everything on, as `phiscrub scrub` runs: the score is of real outputs.
    let config = args.run.detect.apply(Config::default());
    let (truth, scrubber, threads) =
        match start_labelled_eval(&args, config, phiscrub::eval::text::read_truth) {
            Ok(t) => t,
            Err(code) => return code,
        };
    let scores = match phiscrub::eval::text::text(&scrubber, &args.images, &truth, threads) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("phiscrub: {e}");
            return report::EXIT_FATAL;
        }
    };
    for p in &scores.problems {
        eprintln!("phiscrub: {p}");
    }
    if args.run.json {
        println!("{}", serde_json::to_string(&scores).unwrap_or_default());
        return report::EXIT_OK;
    }
    let share = |s: &phiscrub::eval::text::Share| match s.coverage {
        Some(c) => format!("{c:.4} ({}/{})", s.covered, s.regions),
        None => "–".into(),
    };
    println!(
        "{} image(s): {} exported, {} refused, {} failed ({} region(s) in images not exported); {:.1} s, {:.2} s per image on one worker",
        scores.images,
        scores.exported,
        scores.refused,
        scores.failed,
        scores.regions_in_unexported,
        scores.seconds,
        scores.seconds_per_image
    );
    println!("coverage         {}", share(&scores.pooled));
    for (k, s) in &scores.by_kind {
        println!("  {k:<14} {}", share(s));
    }
    for (k, s) in &scores.by_height {
        println!("  {:>7} px     {}", k, share(s));
    }
    match scores.area_away {
        Some(a) => println!("area away        {:.3} % of exported pixels", 100.0 * a),
        None => println!("area away        –"),
    }
    report::EXIT_OK
}

fn eval_faces(args: EvalFacesArgs) -> i32 {
    // Faces only: text fills would count as false face area.
    let config = Config {
        detect_text: false,
        detect_codes: false,
        ..args.run.detect.apply(Config::default())
    };
    let (truth, scrubber, threads) =
        match start_labelled_eval(&args, config, phiscrub::eval::read_truth) {
            Ok(t) => t,
            Err(code) => return code,
        };
    let (scores, outcomes) = match phiscrub::eval::faces(&scrubber, &args.images, &truth, threads) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("phiscrub: {e}");
            return report::EXIT_FATAL;
        }
    };
    for o in &outcomes {
        if let phiscrub::eval::Outcome::NotExported { why, .. } = o {
            eprintln!("phiscrub: {why}");
        }
    }
    if args.run.json {
        println!("{}", serde_json::to_string(&scores).unwrap_or_default());
        return report::EXIT_OK;
    }
    let pct = |r: &phiscrub::eval::Recall| match r.recall {
        Some(v) => format!("{:6.2} %  ({}/{})", 100.0 * v, r.covered, r.faces),
        None => "     –   (0 faces)".to_string(),
    };
    let opt = |v: Option<f64>, scale: f64, unit: &str| match v {
        Some(v) => format!("{:.4}{unit}", v * scale),
        None => "–".into(),
    };
    println!(
        "{} image(s): {} exported, {} refused, {} failed ({} face(s) in images not exported); {:.1} s",
        scores.images,
        scores.exported,
        scores.refused,
        scores.failed,
        scores.faces_in_unexported,
        scores.seconds
    );
    println!("recall           {}", pct(&scores.overall));
    println!("recall >= 24 px  {}", pct(&scores.ge24));
    for (name, r) in &scores.by_size {
        println!("  {name:>7} px    {}", pct(r));
    }
    println!(
        "precision        {} of {} fills",
        opt(scores.precision, 1.0, ""),
        scores.fills
    );
    println!(
        "false area       {} of exported pixels filled away from any face",
        opt(scores.false_area, 100.0, " %")
    );
    report::EXIT_OK
}

fn progress_bar(total: u64, quiet: bool) -> ProgressBar {
    // Progress only on an interactive terminal: logs and pipes get the summary.
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) = ProgressStyle::with_template(&format!(
        "{{spinner}} [{{elapsed_precise}}] {{wide_bar}} {{pos}}/{{len}} {}",
        t!("progress-images")
    )) {
        bar.set_style(style);
    }
    bar
}

fn doctor() -> i32 {
    let mut ok = true;
    println!(
        "{}",
        t!(
            "doctor-runtime",
            version = phiscrub::detect::runtime::ORT_VERSION
        )
    );
    for (path, why) in phiscrub::detect::runtime::candidates() {
        let mark = if path.is_file() {
            t!("doctor-found")
        } else {
            t!("doctor-absent")
        };
        println!("  {mark:6} {} ({why})", path.display());
    }
    match phiscrub::detect::runtime::environment() {
        Ok(_) => println!(
            "  {}",
            t!(
                "doctor-loaded",
                path = phiscrub::detect::runtime::locate()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            )
        ),
        Err(e) => {
            println!("  {}", t!("doctor-not-loaded", detail = e.to_string()));
            ok = false;
        }
    }
    println!("{}", t!("doctor-models"));
    for m in phiscrub::models::ALL {
        let sum = phiscrub::models::sha256_hex(m.bytes);
        let state = if sum == m.sha256 {
            t!("doctor-ok")
        } else {
            t!("doctor-damaged")
        };
        ok &= sum == m.sha256;
        println!("  {state:7} {} ({}) sha256 {sum}", m.name, m.file);
    }
    if ok {
        report::EXIT_OK
    } else {
        report::EXIT_FATAL
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_and_argument_has_french_help() {
        let mut cmd = Cli::command();
        cmd.build();
        let missing: Vec<String> = cli_help::needed_keys(&cmd, Lang::Fr)
            .into_iter()
            .filter(|k| !phiscrub::i18n::has_message(Lang::Fr, k))
            .collect();
        assert!(missing.is_empty(), "missing in locales/fr.ftl: {missing:?}");
    }

    #[test]
    fn french_help_replaces_the_english_texts() {
        let mut cmd = cli_help::localize(Cli::command(), Lang::Fr);
        let help = cmd
            .find_subcommand_mut("scrub")
            .expect("scrub exists")
            .render_help()
            .to_string();
        assert!(help.contains("Utilisation :"), "{help}");
        assert!(help.contains("Options :"), "{help}");
        assert!(!help.contains("Output folder."), "English left: {help}");
    }
}
