//! The `phiscrub` command: parses arguments, shows progress, prints the
//! summary and maps the outcome to an exit code. All work is in the library.

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use phiscrub::pipeline::{self, RunOptions};
use phiscrub::report::{self, FileReport, Status, Summary};
use phiscrub::{Config, Scrubber};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "phiscrub",
    version,
    about = "Makes clinical photos safe to share: covers faces, drops all metadata, refuses what it cannot make safe.",
    after_help = "Exit codes: 0 all exported; 1 could not start; 2 usage error; 3 some image refused; 4 some file failed."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scrub JPEG and PNG photos (files or folders, recursively) into an output folder.
    Scrub(ScrubArgs),
    /// Show where ONNX Runtime is loaded from and check the embedded models.
    Doctor,
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
    /// Images processed at once [default: number of CPU cores].
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
    /// Face score above which a face is covered (0–1]. Lower finds more.
    #[arg(long, value_name = "T", default_value_t = Config::default().face_threshold)]
    face_threshold: f32,
    /// Face score above which anything face-like still visible after redaction
    /// refuses the image; lower is stricter [default: 0.95 × --face-threshold].
    #[arg(long, value_name = "T")]
    verify_threshold: Option<f32>,
    /// JPEG quality of re-encoded JPEG outputs (1–100).
    #[arg(long, value_name = "Q", default_value_t = Config::default().jpeg_quality)]
    quality: u8,
    /// Print only the summary and errors.
    #[arg(long, short)]
    quiet: bool,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                report::EXIT_USAGE as u8
            } else {
                0
            });
        }
    };
    let code = match cli.command {
        Command::Scrub(args) => scrub(args),
        Command::Doctor => doctor(),
    };
    ExitCode::from(code as u8)
}

fn scrub(args: ScrubArgs) -> i32 {
    let defaults = Config::default();
    let config = Config {
        face_threshold: args.face_threshold,
        verify_threshold: args
            .verify_threshold
            .unwrap_or(Config::verify_threshold_for(args.face_threshold)),
        jpeg_quality: args.quality,
        ..defaults
    };
    if let Err(e) = config.validate() {
        eprintln!("phiscrub: {e}");
        return report::EXIT_USAGE;
    }
    if args.jobs == Some(0) {
        eprintln!("phiscrub: --jobs must be at least 1");
        return report::EXIT_USAGE;
    }
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!(
            "phiscrub: cannot create the output folder {} ({e}); check the path and your permissions",
            args.out.display()
        );
        return report::EXIT_FATAL;
    }
    let scrubber = match Scrubber::new(config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("phiscrub: {e}");
            return report::EXIT_FATAL;
        }
    };

    let plan = pipeline::plan(&args.inputs, &args.out);
    let total = (plan.jobs.len() + plan.problems.len()) as u64;
    let bar = progress_bar(total, args.quiet);
    let opts = RunOptions {
        out_dir: args.out.clone(),
        overwrite: args.force,
        threads: args.jobs.unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        }),
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
    let faces: usize = reports
        .iter()
        .filter(|r| r.status == Status::Exported)
        .map(|r| r.findings.len())
        .sum();
    println!(
        "{} image(s): {} exported, {} refused, {} failed; {} face(s) covered; outputs in {}",
        summary.total(),
        summary.exported,
        summary.refused,
        summary.failed,
        faces,
        args.out.display()
    );
    if summary.total() == 0 {
        eprintln!("phiscrub: no files found in the inputs");
    }
    summary.exit_code()
}

fn progress_bar(total: u64, quiet: bool) -> ProgressBar {
    // Progress only on an interactive terminal: logs and pipes get the summary.
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} images")
    {
        bar.set_style(style);
    }
    bar
}

fn doctor() -> i32 {
    let mut ok = true;
    println!("ONNX Runtime {}:", phiscrub::detect::runtime::ORT_VERSION);
    for (path, why) in phiscrub::detect::runtime::candidates() {
        let mark = if path.is_file() { "found" } else { "absent" };
        println!("  {mark:6} {} ({why})", path.display());
    }
    match phiscrub::detect::runtime::environment() {
        Ok(_) => println!(
            "  loaded {}",
            phiscrub::detect::runtime::locate()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        ),
        Err(e) => {
            println!("  not loaded: {e}");
            ok = false;
        }
    }
    println!("Embedded models:");
    for m in phiscrub::models::ALL {
        let sum = phiscrub::models::sha256_hex(m.bytes);
        let state = if sum == m.sha256 { "ok" } else { "DAMAGED" };
        ok &= sum == m.sha256;
        println!("  {state:7} {} ({}) sha256 {sum}", m.name, m.file);
    }
    if ok {
        report::EXIT_OK
    } else {
        report::EXIT_FATAL
    }
}
