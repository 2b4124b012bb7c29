//! A bounded load test: the same requests (every image of a folder, round
//! robin) through the library in this process, or to a running
//! `phiscrub serve` over HTTP, with the same number of concurrent clients.
//! Prints throughput and latency percentiles, so the two can be compared
//! in one run (benches/http_load.sh).
//!
//! `cargo run --release -p phiscrub-lab --example load -- library DIR N CLIENTS`
//! `cargo run --release -p phiscrub-lab --example load -- http://127.0.0.1:8080 DIR N CLIENTS`

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let [target, dir, n, clients] = a.as_slice() else {
        return Err("usage: load (library|http://HOST:PORT) DIR N CLIENTS".into());
    };
    let (n, clients): (usize, usize) = (n.parse()?, clients.parse()?);
    let mut images = Vec::new();
    for e in std::fs::read_dir(dir)? {
        images.push(std::fs::read(e?.path())?);
    }
    images.sort();
    if images.is_empty() {
        return Err(format!("{dir}: no files").into());
    }
    let scrubber = if target == "library" {
        Some(phiscrub::Scrubber::new(phiscrub::Config::default())?)
    } else {
        None
    };
    let next = AtomicUsize::new(0);
    let latencies = Mutex::new(Vec::with_capacity(n));
    let statuses = Mutex::new(std::collections::BTreeMap::<String, usize>::new());
    let images = Arc::new(images);
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..clients {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    let body = &images[i % images.len()];
                    let t = Instant::now();
                    let status = match &scrubber {
                        Some(sc) => match sc.scrub(body) {
                            Ok(_) => "200".to_string(),
                            Err(e) => e.reason_code().to_string(),
                        },
                        None => match ureq::post(&format!("{target}/v1/scrub"))
                            .timeout(Duration::from_secs(300))
                            .set("Content-Type", "image/jpeg")
                            .send_bytes(body)
                        {
                            Ok(r) => {
                                let mut sink = Vec::new();
                                let _ = std::io::Read::read_to_end(&mut r.into_reader(), &mut sink);
                                "200".to_string()
                            }
                            Err(ureq::Error::Status(c, _)) => c.to_string(),
                            Err(e) => format!("transport: {e}"),
                        },
                    };
                    latencies.lock().unwrap().push(t.elapsed());
                    *statuses.lock().unwrap().entry(status).or_insert(0) += 1;
                }
            });
        }
    });
    let wall = started.elapsed().as_secs_f64();
    let mut l = latencies.into_inner()?;
    l.sort();
    let pct = |p: f64| l[((l.len() as f64 * p).ceil() as usize).clamp(1, l.len()) - 1];
    println!(
        "{target}: {n} requests, {clients} clients, {wall:.1} s, {:.2} images/s, p50 {:.0} ms, p99 {:.0} ms, outcomes {:?}",
        n as f64 / wall,
        pct(0.50).as_secs_f64() * 1000.0,
        pct(0.99).as_secs_f64() * 1000.0,
        statuses.into_inner()?
    );
    Ok(())
}
