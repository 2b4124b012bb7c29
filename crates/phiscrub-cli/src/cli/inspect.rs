//! `phiscrub inspect`: what identifying metadata files carry (reads only).

use super::Failure;
use clap::Args;
use phiscrub::report;
use phiscrub::t;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct InspectArgs {
    /// Files or folders to inspect. Folders are walked recursively.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Print JSON (one array of objects) instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn run(args: InspectArgs) -> Result<ExitCode, Failure> {
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
    Ok(super::exit(if failed > 0 {
        report::EXIT_FAILED
    } else {
        report::EXIT_OK
    }))
}
