//! Prints what the scrubber finds and fills in each given image: kind,
//! score, box. `cargo run --release -p phiscrub-lab --example findings -- FILE...`
use phiscrub::{Config, Scrubber};

fn main() {
    let scrubber = Scrubber::new(Config::default()).expect("runtime and models");
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).expect("readable file");
        match scrubber.scrub(&bytes) {
            Ok(s) => {
                println!(
                    "{path}: {}×{}, {} finding(s)",
                    s.width,
                    s.height,
                    s.findings.len()
                );
                for f in &s.findings {
                    let b = f.bbox;
                    println!(
                        "  {:<9} {:.2}  {:.0},{:.0} {:.0}×{:.0}{}",
                        f.kind.as_str(),
                        f.score,
                        b.x,
                        b.y,
                        b.w,
                        b.h,
                        if f.outline.is_some() { " slanted" } else { "" }
                    );
                }
            }
            Err(e) => println!("{path}: {e}"),
        }
    }
}
