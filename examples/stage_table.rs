//! Where the time of one photo goes, per stage and per network, for photos
//! of the sizes given: one worker, one ONNX Runtime thread, each photo
//! scrubbed once to warm up and then `RUNS` times (the median is printed).
//! Prints one Markdown row per photo for BENCHMARKS.
//!
//! `cargo run --release --example stage_table -- FILE...`
use phiscrub::detect::tally::{Net, Stage, take};
use phiscrub::{Config, Scrubber};
use std::time::Duration;

const RUNS: usize = 3;

fn ms(d: Duration) -> String {
    format!("{:.0}", d.as_secs_f64() * 1000.0)
}

fn main() {
    let s = Scrubber::new(Config::default()).expect("scrubber");
    println!(
        "| photo | MP | total ms | decode | input rounds: CenterFace n/ms, BlazeFace n/ms, text n/ms, other ms | encode | output looks: CenterFace n/ms, BlazeFace n/ms, text n/ms, other ms | fills |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).expect("read");
        let mut rows = Vec::new();
        for run in 0..=RUNS {
            take();
            let t = std::time::Instant::now();
            let out = match s.scrub(&bytes) {
                Ok(out) => out,
                Err(e) => {
                    println!("| {path} | refused: {e} |");
                    break;
                }
            };
            let total = t.elapsed();
            let tally = take();
            if run > 0 {
                rows.push((total, out, tally));
            }
        }
        if rows.is_empty() {
            continue;
        }
        rows.sort_by_key(|r| r.0);
        let (total, out, tally) = &rows[rows.len() / 2];
        let t = out.timings;
        let nets = |stage: Stage, spent: Duration| {
            let mut cells = Vec::new();
            let mut inside = Duration::ZERO;
            for net in [Net::CenterFace, Net::BlazeFace, Net::Text] {
                let r = tally[stage as usize][net as usize];
                inside += r.time;
                cells.push(format!("{}/{}", r.count, ms(r.time)));
            }
            cells.push(ms(spent.saturating_sub(inside)));
            cells.join(", ")
        };
        let name = std::path::Path::new(&path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        println!(
            "| {name} | {:.1} | {} | {} | {} | {} | {} | {} |",
            (out.width * out.height) as f64 / 1e6,
            ms(*total),
            ms(t.decode),
            nets(Stage::Input, t.detect),
            ms(t.encode),
            nets(Stage::Output, t.verify),
            out.filled.len()
        );
    }
}
