//! phiscrub makes clinical photos safe to share: it covers faces with an
//! opaque fill, writes pixels without any of the input's metadata, checks the
//! result again, and refuses to export an image it cannot make safe.
//!
//! The library does all the work; the `phiscrub` binary (crate
//! `phiscrub-cli`) and the HTTP service (`phiscrub-serve`) are thin layers over
//! [`Scrubber`] (one image in memory) and [`pipeline`] (files and folders).
//!
//! ```
//! use phiscrub::{Config, Scrubber};
//! # let bedside = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/photos/grace_hopper.jpg");
//! # let dir = tempfile::tempdir()?;
//! let scrubber = Scrubber::new(Config::default())?;
//! let safe = scrubber.scrub(&std::fs::read(bedside)?)?;
//! println!("{} region(s) covered", safe.findings.len());
//! std::fs::write(dir.path().join("bedside-safe.jpg"), &safe.bytes)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

pub mod audit;
pub mod avif;
mod colour;
pub mod config;
pub mod detect;
pub mod document;
pub mod error;
pub mod format;
pub mod geometry;
pub mod heif;
pub mod i18n;
pub mod image_io;
pub mod inspect;
pub mod journal;
pub mod metadata;
pub mod models;
mod native;
pub mod pipeline;
pub mod prefilled;
mod rebuild;
pub mod redact;
pub mod report;
pub mod review;
pub mod scrub;
pub mod shard;
pub mod verify;
pub mod walk;
mod write;

pub use config::{Config, ConfigError};
pub use detect::{DetectError, FaceDetect, Finding, FindingKind, TextDetect};
pub use error::{
    FileError, Refusal, RefusalReason, RunError, SaveError, ScrubError, SetupError, Unreadable,
};
pub use format::Format;
pub use geometry::{BoxF, Rect};
pub use metadata::{Category, Hazard};
pub use scrub::{Scrubbed, Scrubber, Timings, Verdict};

/// Writes `bytes` to `path` whole or not at all: a temporary file in the
/// same folder, renamed into place. An existing file is replaced only when
/// `overwrite`; otherwise an `AlreadyExists` error comes back.
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("a.txt");
/// phiscrub::write_file_atomically(&path, b"one", false)?;
/// assert!(phiscrub::write_file_atomically(&path, b"two", false).is_err());
/// assert_eq!(std::fs::read(&path)?, b"one");
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn write_file_atomically(
    path: &std::path::Path,
    bytes: &[u8],
    overwrite: bool,
) -> std::io::Result<()> {
    match write::atomic_write(path, bytes, overwrite) {
        Ok(()) => Ok(()),
        Err(write::WriteError::Exists) => Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "it already exists (pass --force to replace it)",
        )),
        Err(write::WriteError::Io(e)) => Err(e),
    }
}
