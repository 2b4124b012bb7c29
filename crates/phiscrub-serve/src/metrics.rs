//! Counters for `GET /metrics`, in the Prometheus text format: requests by
//! endpoint and outcome, a latency histogram of the image endpoints, and
//! the requests in flight. Nothing about an image is recorded.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds: a 2 MP photo takes
/// tenths of a second, a 12 MP one seconds.
const BUCKETS: [f64; 10] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(&'static str, &'static str), u64>>,
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
    pub in_flight: AtomicI64,
}

impl Metrics {
    /// One finished request to `endpoint` with `outcome` (a short fixed
    /// word: `exported`, `refused`, `unreadable`, `busy`, …).
    pub fn record(&self, endpoint: &'static str, outcome: &'static str, took: Option<Duration>) {
        if let Ok(mut m) = self.requests.lock() {
            *m.entry((endpoint, outcome)).or_insert(0) += 1;
        }
        if let Some(d) = took {
            let s = d.as_secs_f64();
            for (i, le) in BUCKETS.iter().enumerate() {
                if s <= *le {
                    self.buckets[i].fetch_add(1, Ordering::Relaxed);
                }
            }
            self.count.fetch_add(1, Ordering::Relaxed);
            self.sum_micros
                .fetch_add(d.as_micros() as u64, Ordering::Relaxed);
        }
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut o = String::new();
        o.push_str("# HELP phiscrub_requests_total Requests answered, by endpoint and outcome.\n");
        o.push_str("# TYPE phiscrub_requests_total counter\n");
        if let Ok(m) = self.requests.lock() {
            for ((endpoint, outcome), n) in m.iter() {
                let _ = writeln!(
                    o,
                    "phiscrub_requests_total{{endpoint=\"{endpoint}\",outcome=\"{outcome}\"}} {n}"
                );
            }
        }
        o.push_str(
            "# HELP phiscrub_request_duration_seconds Time to answer /v1/scrub and /v1/check.\n",
        );
        o.push_str("# TYPE phiscrub_request_duration_seconds histogram\n");
        for (i, le) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                o,
                "phiscrub_request_duration_seconds_bucket{{le=\"{le}\"}} {}",
                self.buckets[i].load(Ordering::Relaxed)
            );
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(
            o,
            "phiscrub_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let _ = writeln!(
            o,
            "phiscrub_request_duration_seconds_sum {}",
            self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6
        );
        let _ = writeln!(o, "phiscrub_request_duration_seconds_count {count}");
        o.push_str("# HELP phiscrub_in_flight Image requests being processed now.\n");
        o.push_str("# TYPE phiscrub_in_flight gauge\n");
        let _ = writeln!(
            o,
            "phiscrub_in_flight {}",
            self.in_flight.load(Ordering::Relaxed)
        );
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_cumulative_and_counts_add_up() {
        let m = Metrics::default();
        m.record("scrub", "exported", Some(Duration::from_millis(70)));
        m.record("scrub", "exported", Some(Duration::from_secs(3)));
        m.record("scrub", "busy", None);
        let t = m.render();
        assert!(t.contains("phiscrub_requests_total{endpoint=\"scrub\",outcome=\"exported\"} 2"));
        assert!(t.contains("phiscrub_requests_total{endpoint=\"scrub\",outcome=\"busy\"} 1"));
        assert!(t.contains("_bucket{le=\"0.05\"} 0"));
        assert!(t.contains("_bucket{le=\"0.1\"} 1"));
        assert!(t.contains("_bucket{le=\"5\"} 2"));
        assert!(t.contains("_bucket{le=\"+Inf\"} 2"));
        assert!(t.contains("phiscrub_request_duration_seconds_count 2"));
    }
}
