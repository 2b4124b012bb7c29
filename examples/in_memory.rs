//! Scrub one image held in memory, as an upload handler would: no file is
//! written, and the answer says what was covered or why nothing is returned.
//!
//! `cargo run --release --example in_memory -- PHOTO`

use phiscrub::{Config, ScrubError, Scrubber};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: in_memory PHOTO (a JPEG, PNG, WebP, TIFF or GIF)")?;
    let upload = std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?;

    // Built once per process in a real service, then shared by every request.
    let scrubber = Scrubber::new(Config::default())?;

    // What would leak as it is (nothing is kept).
    match scrubber.check(&upload) {
        Ok(v) => println!(
            "as uploaded: {} finding(s), metadata {:?}, would leak: {}",
            v.findings.len(),
            v.metadata.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
            v.would_leak()
        ),
        Err(e) => println!("as uploaded: {e}"),
    }

    match scrubber.scrub(&upload) {
        Ok(safe) => {
            for f in &safe.findings {
                println!(
                    "covered {} at {:.0},{:.0} {:.0}×{:.0}",
                    f.kind.as_str(),
                    f.bbox.x,
                    f.bbox.y,
                    f.bbox.w,
                    f.bbox.h
                );
            }
            println!(
                "safe: {} bytes of {} ({}×{}), ready to store or send",
                safe.bytes.len(),
                safe.format.mime(),
                safe.width,
                safe.height
            );
        }
        Err(ScrubError::Refused(r)) => {
            println!("refused, nothing to store: {r}");
            std::process::exit(3);
        }
        Err(e) => {
            println!("not scrubbed: {e}");
            std::process::exit(4);
        }
    }
    Ok(())
}
