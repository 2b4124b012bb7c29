//! Fixture paths, hand-made PNG chunks and running a binary: for the
//! library's tests and (through `#[path]`) the command line's and the
//! lab's.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository's root: the folder holding `fixtures/`, whichever crate
/// of the workspace the test belongs to.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find(|d| d.join("fixtures").is_dir())
        .expect("the repository's fixtures/ folder")
        .to_path_buf()
}

pub fn fixture(rel: &str) -> PathBuf {
    root().join("fixtures").join(rel)
}

/// Lines of `fixtures/text/page.png` (384×191, a photographed textbook
/// page), hand-labelled as (x, y, w, h): the heading, five lines of body
/// text, and the code line at the bottom.
pub const PAGE_LINES: [(u32, u32, u32, u32); 7] = [
    (8, 12, 280, 20),
    (6, 48, 370, 12),
    (6, 66, 370, 12),
    (6, 84, 370, 12),
    (6, 102, 370, 12),
    (6, 120, 168, 12),
    (28, 178, 210, 10),
];

pub fn rgb(path: &Path) -> image::RgbImage {
    image::open(path)
        .unwrap_or_else(|e| panic!("{} does not open: {e}", path.display()))
        .to_rgb8()
}

/// A PNG chunk: length, type, data and CRC.
pub fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut v = (data.len() as u32).to_be_bytes().to_vec();
    v.extend_from_slice(kind);
    v.extend_from_slice(data);
    let crc = crc32fast::hash(&v[4..]);
    v.extend_from_slice(&crc.to_be_bytes());
    v
}

/// The program at `path`, run as a user in an English locale would (tests
/// read English unless they ask for another language).
pub fn command(path: &str) -> Command {
    let mut c = Command::new(path);
    c.env_remove("ORT_DYLIB_PATH")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C");
    c
}

pub fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("the program starts");
    eprintln!(
        "--- exited {:?}\n--- stdout:\n{}--- stderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
