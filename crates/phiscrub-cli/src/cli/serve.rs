//! `phiscrub serve`: the HTTP service of `phiscrub-serve`, started with
//! the command line's settings.

use super::args::DetectArgs;
use super::{Failure, pixel_warning, start_scrubber};
use clap::Args;
use phiscrub::i18n::path_arg;
use phiscrub::report;
use phiscrub::{Config, t};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct ServeArgs {
    /// Address and port to listen on. Any address other than loopback
    /// needs --token-file.
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
    bind: std::net::SocketAddr,
    /// File holding the bearer token clients must send
    /// (Authorization: Bearer …) to /v1/* and /metrics.
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// Largest request body, in megabytes (413 above).
    #[arg(long, value_name = "MB", default_value_t = 50)]
    max_body_mb: usize,
    /// Images scrubbed at once; more requests get 503 with Retry-After
    /// [default: number of CPU cores].
    #[arg(long, value_name = "N")]
    concurrency: Option<usize>,
    /// Time limit of one request, in seconds.
    #[arg(long, value_name = "S", default_value_t = 120)]
    timeout: u64,
    /// Time limit for a request body to arrive whole, in seconds (no scrub
    /// slot is held meanwhile).
    #[arg(long, value_name = "S", default_value_t = 30)]
    body_timeout: u64,
    /// Connections open at once; more are closed as soon as they arrive.
    #[arg(long, value_name = "N", default_value_t = 256)]
    max_connections: usize,
    #[command(flatten)]
    detect: DetectArgs,
}

pub fn run(args: ServeArgs) -> Result<ExitCode, Failure> {
    let token = match &args.token_file {
        None => None,
        Some(path) => match std::fs::read_to_string(path) {
            Ok(t) if !t.trim().is_empty() => Some(t.trim().to_string()),
            Ok(_) => {
                return Err(Failure::usage(t!(
                    "serve-token-empty",
                    path = path_arg(path)
                )));
            }
            Err(e) => {
                return Err(Failure::usage(t!(
                    "serve-token-read",
                    path = path_arg(path),
                    detail = e.to_string()
                )));
            }
        },
    };
    if token.is_none() && !args.bind.ip().is_loopback() {
        return Err(Failure::usage(t!(
            "serve-needs-token",
            bind = args.bind.to_string()
        )));
    }
    if args.max_body_mb == 0
        || args.timeout == 0
        || args.body_timeout == 0
        || args.max_connections == 0
    {
        return Err(Failure::usage(t!("serve-limits")));
    }
    let config = args.detect.apply(Config::default());
    let (scrubber, slots) = start_scrubber(config, args.concurrency)?;
    if let Some(w) = pixel_warning(scrubber.config()) {
        eprintln!("phiscrub: {}", t!("warning-line", text = w.as_str()));
    }
    let opts = phiscrub_serve::ServeOptions {
        bind: args.bind,
        token,
        max_body: args.max_body_mb.saturating_mul(1024 * 1024),
        concurrency: slots,
        timeout: std::time::Duration::from_secs(args.timeout),
        body_timeout: std::time::Duration::from_secs(args.body_timeout),
        max_connections: args.max_connections,
        ..phiscrub_serve::ServeOptions::default()
    };
    let ready = |addr: std::net::SocketAddr| {
        use std::io::Write;
        println!("{}", t!("serve-listening", addr = addr.to_string()));
        let _ = std::io::stdout().flush();
    };
    match phiscrub_serve::run(std::sync::Arc::new(scrubber), &opts, ready) {
        Ok(()) => Ok(super::exit(report::EXIT_OK)),
        Err(e) => Err(Failure::fatal(t!(
            "serve-failed",
            bind = args.bind.to_string(),
            detail = e.to_string()
        ))),
    }
}
