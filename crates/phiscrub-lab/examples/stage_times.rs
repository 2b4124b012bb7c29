//! Prints per-stage timings of scrubbing each file given (one worker, one
//! ONNX Runtime thread): where the time of one image goes.
//!
//! `cargo run --release -p phiscrub-lab --example stage_times -- FILE...`
use phiscrub::{Config, Scrubber};

fn main() {
    let s = Scrubber::new(Config::default()).expect("scrubber");
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).expect("read");
        for run in 0..2 {
            let t = std::time::Instant::now();
            match s.scrub(&bytes) {
                Ok(out) => println!(
                    "{path} (run {run}): decode {:?}, detect+fill {:?}, encode {:?}, verify {:?}; total {:?}; {} fill(s), lossless {}",
                    out.timings.decode,
                    out.timings.detect,
                    out.timings.encode,
                    out.timings.verify,
                    t.elapsed(),
                    out.filled.len(),
                    out.lossless
                ),
                Err(e) => println!("{path}: {e}"),
            }
        }
    }
}
