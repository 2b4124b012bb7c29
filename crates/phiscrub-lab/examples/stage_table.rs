//! Where the time of one photo goes, per stage and per network, for photos
//! of the sizes given: one worker, one ONNX Runtime thread, each photo
//! scrubbed once to warm up and then `RUNS` times (the median is printed).
//! Prints one Markdown row per photo for BENCHMARKS.
//!
//! With `--once`, each photo is scrubbed once (no warm-up) and a last row
//! sums every photo: the plan a whole folder gets.
//!
//! `cargo run --release -p phiscrub-lab --example stage_table -- [--once] FILE...`
use phiscrub::detect::tally::{Net, Stage, Tally, take};
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
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let once = args.first().is_some_and(|a| a == "--once");
    if once {
        args.remove(0);
    }
    let (first, runs) = if once { (0, 1) } else { (1, RUNS) };
    let mut sum = Sum::default();
    for path in args {
        let bytes = std::fs::read(&path).expect("read");
        let mut rows = Vec::new();
        for run in (1 - first)..=runs {
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
        sum.add(*total, out, tally);
        let name = std::path::Path::new(&path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        println!(
            "| {name} | {:.1} | {} | {} | {} | {} | {} | {} |",
            (out.width * out.height) as f64 / 1e6,
            ms(*total),
            ms(t.decode),
            nets(tally, Stage::Input, t.detect),
            ms(t.encode),
            nets(tally, Stage::Output, t.verify),
            out.filled.len()
        );
    }
    if once {
        println!(
            "| all {} | {:.1} | {} | {} | {} | {} | {} | {} |",
            sum.photos,
            sum.pixels as f64 / 1e6,
            ms(sum.total),
            ms(sum.decode),
            nets(&sum.tally, Stage::Input, sum.detect),
            ms(sum.encode),
            nets(&sum.tally, Stage::Output, sum.verify),
            sum.fills
        );
    }
}

/// Network cells (inferences/ms) of one stage, then the rest of `spent`.
fn nets(tally: &Tally, stage: Stage, spent: Duration) -> String {
    let mut cells = Vec::new();
    let mut inside = Duration::ZERO;
    for net in [Net::CenterFace, Net::BlazeFace, Net::Text] {
        let r = tally[stage as usize][net as usize];
        inside += r.time;
        cells.push(format!("{}/{}", r.count, ms(r.time)));
    }
    cells.push(ms(spent.saturating_sub(inside)));
    cells.join(", ")
}

/// Every photo's figures added up.
#[derive(Default)]
struct Sum {
    photos: usize,
    pixels: u64,
    total: Duration,
    decode: Duration,
    detect: Duration,
    encode: Duration,
    verify: Duration,
    fills: usize,
    tally: Tally,
}

impl Sum {
    fn add(&mut self, total: Duration, out: &phiscrub::Scrubbed, tally: &Tally) {
        let t = out.timings;
        self.photos += 1;
        self.pixels += u64::from(out.width) * u64::from(out.height);
        self.total += total;
        self.decode += t.decode;
        self.detect += t.detect;
        self.encode += t.encode;
        self.verify += t.verify;
        self.fills += out.filled.len();
        for (s, row) in tally.iter().enumerate() {
            for (n, r) in row.iter().enumerate() {
                let acc = &mut self.tally[s][n];
                acc.count += r.count;
                acc.pixels += r.pixels;
                acc.time += r.time;
            }
        }
    }
}
