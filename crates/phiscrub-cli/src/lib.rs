//! The `phiscrub` command line as a library: the binary's `main` is
//! [`cli::main`]; the lab's evaluation commands reuse [`cli::args`] and
//! [`cli::start_scrubber`] so that they run with the settings `scrub` takes.

pub mod cli;
