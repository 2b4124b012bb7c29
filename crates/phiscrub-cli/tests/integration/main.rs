//! The command line's tests, one binary (as ripgrep's are): each module
//! runs the `phiscrub` binary on fixtures, or on the shared sets when they
//! are beside the checkout, and checks what a user relies on.

mod common;

mod audit;
mod canary;
mod cli;
mod containers;
mod documents;
mod faces;
mod lang;
mod metadata;
mod review;
mod serve;
mod shards;
mod slurm;
mod text;
