//! `phiscrub report merge`: the reports of every shard of a split run
//! (`scrub --shard K/N --report …`) into the report of the whole run.

use super::Failure;
use clap::{Args, Subcommand};
use phiscrub::report::{Status, Summary};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct ReportArgs {
    #[command(subcommand)]
    command: ReportCommand,
}

#[derive(Subcommand)]
enum ReportCommand {
    /// Merge the JSON reports of every shard of one run into the report of
    /// the whole run, checking that no shard is missing or given twice and
    /// that no file is in two shards. Exit code as `scrub`'s for the whole run.
    Merge(MergeArgs),
}

#[derive(Args)]
pub struct MergeArgs {
    /// The shards' reports (`scrub --shard K/N --report FILE.json`).
    #[arg(required = true, value_name = "SHARD.json")]
    reports: Vec<PathBuf>,
    /// Where to write the merged report.
    #[arg(long, short, value_name = "FILE.json")]
    out: PathBuf,
    /// Replace the merged report if it exists.
    #[arg(long)]
    force: bool,
}

pub fn run(args: ReportArgs) -> Result<ExitCode, Failure> {
    let ReportCommand::Merge(args) = args.command;
    let mut reports = Vec::with_capacity(args.reports.len());
    for path in &args.reports {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Failure::fatal(format!(
                "{}: {e}; give the report each shard wrote",
                path.display()
            ))
        })?;
        let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            Failure::fatal(format!(
                "{}: not a phiscrub report ({e}); give the report each shard wrote",
                path.display()
            ))
        })?;
        reports.push(json);
    }
    let whole = phiscrub::shard::merge(&reports).map_err(Failure::fatal)?;
    let text = serde_json::to_string_pretty(&whole).map_err(|e| Failure::fatal(e.to_string()))?;
    phiscrub::write_file_atomically(&args.out, text.as_bytes(), args.force)
        .map_err(|e| Failure::fatal(format!("{}: {e}", args.out.display())))?;
    let statuses =
        whole["files"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| match f["status"].as_str() {
                Some("exported") => Status::Exported,
                Some("refused") => Status::Refused,
                _ => Status::Failed,
            });
    let summary = Summary::from_statuses(statuses);
    println!(
        "{} shard report(s) merged: {} file(s), {} exported, {} refused, {} failed; report in {}",
        args.reports.len(),
        summary.total(),
        summary.exported,
        summary.refused,
        summary.failed,
        args.out.display()
    );
    Ok(super::exit(summary.exit_code()))
}
