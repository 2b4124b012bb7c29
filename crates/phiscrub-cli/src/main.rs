//! The `phiscrub` command. All of it is in the `cli` module of this crate;
//! all the work is in the `phiscrub` library.

fn main() -> std::process::ExitCode {
    phiscrub_cli::cli::main(std::env::args_os().collect())
}
