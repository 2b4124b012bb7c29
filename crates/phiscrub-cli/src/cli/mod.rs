//! The `phiscrub` command line: one module per command, each a `run`
//! that returns the exit code or the [`Failure`] that stopped it; [`main`]
//! parses, dispatches and prints that failure, in one place.

pub mod args;
mod check;
mod doctor;
mod help;
mod inspect;
mod merge;
mod scrub;
#[cfg(feature = "serve")]
mod serve;

use args::DetectArgs;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use phiscrub::i18n::{Lang, path_arg};
use phiscrub::pipeline;
use phiscrub::report;
use phiscrub::{Config, Scrubber, t};
use std::io::IsTerminal;
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
    #[arg(long, global = true, value_name = "LANG", value_enum)]
    lang: Option<args::LangArg>,
}

#[derive(Subcommand)]
enum Command {
    /// Scrub photos (JPEG, PNG, WebP, TIFF, GIF, HEIC, AVIF, BMP) and decks or documents (pptx, docx, odp, odt; files or folders, recursively) into an output folder.
    Scrub(scrub::ScrubArgs),
    /// Say which images would leak identity (faces, text, codes, wristbands,
    /// metadata) as they are; writes nothing. Exit 3 when any would.
    Check(check::CheckArgs),
    /// Show what identifying metadata files carry (reads only; changes nothing).
    Inspect(inspect::InspectArgs),
    /// Scrub over HTTP for other programs: POST /v1/scrub and /v1/check,
    /// GET /healthz, /metrics, /openapi.json. Loopback only by default;
    /// images stay in memory and are never logged.
    #[cfg(feature = "serve")]
    Serve(serve::ServeArgs),
    /// Show where ONNX Runtime is loaded from and check the embedded models.
    Doctor,
    /// Work on audit reports: `report merge` joins the reports of a run
    /// split into shards.
    Report(merge::ReportArgs),
}

/// Why a command stopped before its end: what to tell the user (naming the
/// file and what to do) and the exit code.
#[derive(Debug)]
pub struct Failure {
    code: i32,
    message: String,
}

impl Failure {
    /// The command line asked for something impossible (exit 2).
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            code: report::EXIT_USAGE,
            message: message.into(),
        }
    }

    /// The run could not start or go on (exit 1).
    pub fn fatal(message: impl Into<String>) -> Failure {
        Failure {
            code: report::EXIT_FATAL,
            message: message.into(),
        }
    }

    /// Prints the message as `PROGRAM: message` and gives the exit code.
    pub fn report(&self, program: &str) -> ExitCode {
        eprintln!("{program}: {}", self.message);
        exit(self.code)
    }
}

/// One of the library's exit codes (`report::EXIT_*`) as a process's.
pub fn exit(code: i32) -> ExitCode {
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// Runs the command line `argv` (program name first).
pub fn main(argv: Vec<std::ffi::OsString>) -> ExitCode {
    // The language is needed before parsing: the help itself is translated.
    let lang = help::lang_in_args(&argv).unwrap_or_else(Lang::from_env);
    phiscrub::i18n::set_lang(lang);
    let parsed = help::localize(Cli::command(), lang)
        .try_get_matches_from(&argv)
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            if !e.use_stderr() {
                return ExitCode::SUCCESS;
            }
            if lang != Lang::En {
                // clap's own wording is English only; say it once in the
                // user's language too.
                eprintln!("phiscrub : {}", t!("cli-usage-error"));
            }
            return exit(report::EXIT_USAGE);
        }
    };
    let outcome = match cli.command {
        Command::Scrub(args) => scrub::run(args),
        Command::Check(args) => check::run(args),
        Command::Inspect(args) => inspect::run(args),
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve::run(args),
        Command::Doctor => doctor::run(),
        Command::Report(args) => merge::run(args),
    };
    outcome.unwrap_or_else(|f| f.report("phiscrub"))
}

/// Refuses up front a report file that exists (unless `--force`), so that a
/// long run does not end without its report.
pub(crate) fn report_clash(report: Option<&std::path::Path>, force: bool) -> Option<String> {
    let path = report?;
    (path.exists() && !force).then(|| t!("report-exists", path = path_arg(path)))
}

/// "2 face, 1 text": findings counted by kind, in the current language.
pub(crate) fn kind_counts<'a>(
    findings: impl IntoIterator<Item = &'a phiscrub::detect::Finding>,
) -> String {
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

/// The configuration and worker count for a run over `images` images:
/// see [`pipeline::share_cores`].
pub fn share_cores(
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

/// The scrubber and worker count of a run; a usage failure when a setting
/// is out of range or `--jobs` is 0, a fatal one when the runtime or a
/// model cannot be loaded.
pub fn start_scrubber(config: Config, jobs: Option<usize>) -> Result<(Scrubber, usize), Failure> {
    config
        .validate()
        .map_err(|e| Failure::usage(e.to_string()))?;
    if jobs == Some(0) {
        return Err(Failure::usage(t!("jobs-zero")));
    }
    let scrubber = Scrubber::new(config).map_err(|e| Failure::fatal(e.to_string()))?;
    Ok((scrubber, jobs.unwrap_or_else(cores)))
}

/// The cores this process may use (1 when the system will not say).
pub fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}
/// What the run leaves unexamined, when the user switched a detector off.
pub(crate) fn pixel_warning(config: &Config) -> Option<String> {
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
pub(crate) fn progress_bar(total: u64, quiet: bool) -> ProgressBar {
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
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_and_argument_has_french_help() {
        let mut cmd = Cli::command();
        cmd.build();
        let missing: Vec<String> = help::needed_keys(&cmd, Lang::Fr)
            .into_iter()
            .filter(|k| !phiscrub::i18n::has_message(Lang::Fr, k))
            .collect();
        assert!(missing.is_empty(), "missing in locales/fr.ftl: {missing:?}");
    }

    #[test]
    fn french_help_replaces_the_english_texts() {
        let mut cmd = help::localize(Cli::command(), Lang::Fr);
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
