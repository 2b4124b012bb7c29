//! phiscrub's lab: what measures and tunes the product, kept out of it.
//!
//! - [`eval`]: detection scored on labelled photos (faces, real text), from
//!   the output pixels, as the shared scorers do;
//! - [`synth`]: synthetic wristbands and monitor screens (fake names, dates,
//!   record numbers, bar codes and DataMatrix) bent onto photos, and their
//!   scoring;
//! - the `phiscrub-lab` binary runs both (`phiscrub-lab eval …`); the
//!   examples are the tuning and benchmark tools the scripts in `benches/`
//!   call; `anchors/` holds the comparisons with deface and RapidOCR
//!   (`compare_deface.sh`, `everyday.sh`).
//!
//! None of it is compiled into the `phiscrub` library or binary.

#![warn(missing_docs)]

pub mod eval;
pub mod synth;
