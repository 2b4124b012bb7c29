//! phiscrub makes clinical photos safe to share: it covers faces with an
//! opaque fill, writes pixels without any of the input's metadata, checks the
//! result again, and refuses to export an image it cannot make safe.
//!
//! The library does all the work; the `phiscrub` binary is a thin layer over
//! [`Scrubber`] (one image in memory) and [`pipeline`] (files and folders).
//!
//! ```no_run
//! use phiscrub::{Config, Scrubber};
//! let scrubber = Scrubber::new(Config::default())?;
//! let safe = scrubber.scrub(&std::fs::read("bedside.jpg")?)?;
//! println!("{} face(s) covered", safe.findings.len());
//! std::fs::write("bedside-safe.jpg", &safe.bytes)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod config;
pub mod detect;
pub mod error;
pub mod eval;
pub mod format;
pub mod geometry;
pub mod image_io;
pub mod inspect;
pub mod metadata;
pub mod models;
pub mod pipeline;
pub mod redact;
pub mod report;
pub mod scrub;
pub mod synth;
pub mod verify;
pub mod walk;
mod write;

pub use config::{Config, ConfigError};
pub use detect::{FaceDetect, Finding, FindingKind, TextDetect};
pub use error::{FileError, Refusal, RefusalReason, ScrubError, SetupError, Unreadable};
pub use format::Format;
pub use geometry::{BoxF, Rect};
pub use metadata::{Category, Hazard};
pub use scrub::{Scrubbed, Scrubber, Timings};
