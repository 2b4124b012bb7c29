//! `phiscrub doctor`: where ONNX Runtime is loaded from, and whether the
//! embedded models are intact.

use super::Failure;
use phiscrub::report;
use phiscrub::t;
use std::process::ExitCode;

pub fn run() -> Result<ExitCode, Failure> {
    let mut ok = true;
    println!(
        "{}",
        t!(
            "doctor-runtime",
            version = phiscrub::detect::runtime::ORT_VERSION
        )
    );
    for (path, why) in phiscrub::detect::runtime::candidates() {
        let mark = if path.is_file() {
            t!("doctor-found")
        } else {
            t!("doctor-absent")
        };
        println!("  {mark:6} {} ({why})", path.display());
    }
    match phiscrub::detect::runtime::environment() {
        Ok(_) => println!(
            "  {}",
            t!(
                "doctor-loaded",
                path = phiscrub::detect::runtime::locate()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            )
        ),
        Err(e) => {
            println!("  {}", t!("doctor-not-loaded", detail = e.to_string()));
            ok = false;
        }
    }
    println!("{}", t!("doctor-models"));
    for m in phiscrub::models::ALL {
        let sum = phiscrub::models::sha256_hex(m.bytes);
        let state = if sum == m.sha256 {
            t!("doctor-ok")
        } else {
            t!("doctor-damaged")
        };
        ok &= sum == m.sha256;
        println!("  {state:7} {} ({}) sha256 {sum}", m.name, m.file);
    }
    Ok(super::exit(if ok {
        report::EXIT_OK
    } else {
        report::EXIT_FATAL
    }))
}
