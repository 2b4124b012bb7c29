//! Scrub a folder into another with the same pipeline as `phiscrub scrub`:
//! walk, parallel workers, verified atomic writes, one report per file.
//!
//! `cargo run --release --example batch -- IN_DIR OUT_DIR`

use phiscrub::pipeline::{self, RunOptions};
use phiscrub::report::{Status, Summary};
use phiscrub::{Config, Scrubber};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [input, out] = args.as_slice() else {
        return Err("usage: batch IN_DIR OUT_DIR".into());
    };
    let scrubber = Scrubber::new(Config::default())?;
    let plan = pipeline::plan(std::slice::from_ref(input), out, None);
    std::fs::create_dir_all(out)?;
    let opts = RunOptions {
        out_dir: out.clone(),
        overwrite: false,
        workers: std::thread::available_parallelism()?.get(),
    };
    let started = std::time::Instant::now();
    let reports = pipeline::run(&scrubber, &plan, &opts, &|_| {})?;
    for r in reports.iter().filter(|r| r.status != Status::Exported) {
        eprintln!(
            "{}: {}",
            r.input.display(),
            r.message.as_deref().unwrap_or("")
        );
    }
    let s = Summary::from_statuses(reports.iter().map(|r| r.status));
    println!(
        "{} exported, {} refused, {} failed in {:.1} s",
        s.exported,
        s.refused,
        s.failed,
        started.elapsed().as_secs_f64()
    );
    std::process::exit(s.exit_code());
}
