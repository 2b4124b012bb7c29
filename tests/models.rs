//! The committed model files are the ones the README documents and the binary
//! embeds.

mod common;

use phiscrub::models;
use std::fs;

fn readme_sha(file: &str) -> String {
    let readme = fs::read_to_string(common::root().join("models/README.md")).unwrap();
    let row = readme
        .lines()
        .find(|l| l.starts_with(&format!("| `{file}`")))
        .unwrap_or_else(|| panic!("models/README.md has no row for {file}"));
    row.split('`')
        .find(|s| s.len() == 64 && s.chars().all(|c| c.is_ascii_hexdigit()))
        .unwrap_or_else(|| panic!("no sha256 in the README row for {file}"))
        .to_string()
}

#[test]
fn every_model_file_matches_its_documented_checksum() {
    let mut seen = 0;
    for entry in fs::read_dir(common::root().join("models")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("onnx") {
            continue;
        }
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let actual = models::sha256_hex(&fs::read(&path).unwrap());
        assert_eq!(
            actual,
            readme_sha(&name),
            "{name} differs from models/README.md"
        );
        seen += 1;
    }
    assert_eq!(
        seen, 4,
        "expected the two face families' three models and the text model"
    );
}

#[test]
fn embedded_models_are_the_committed_files() {
    for m in models::ALL {
        assert_eq!(
            models::sha256_hex(m.bytes),
            m.sha256,
            "{} embedded copy",
            m.name
        );
        assert_eq!(
            m.sha256,
            readme_sha(m.file),
            "{} constant vs README",
            m.name
        );
    }
}
