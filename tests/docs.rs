//! Every public item of the product's libraries (`phiscrub`,
//! `phiscrub-serve`) carries a runnable example (issue 7).
//! Stable rustdoc cannot enforce that (its `missing_doc_code_examples` lint
//! is nightly-only), so this test reads the sources: an item whose doc block
//! has no fenced code block is reported by file and line.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

const ITEM_KINDS: [&str; 11] = [
    "fn ",
    "async fn ",
    "const fn ",
    "unsafe fn ",
    "struct ",
    "enum ",
    "trait ",
    "type ",
    "const ",
    "static ",
    "mod ",
];

/// Public items in `source` whose doc comment lacks an example, as
/// `(line, item)`. The item after `#[cfg(test)]` (the test module) is
/// skipped whole: it is not public API.
fn items_without_example(source: &str) -> Vec<(usize, String)> {
    let mut missing = Vec::new();
    let mut has_example = false;
    let mut hidden = false;
    let mut exported = false;
    // Brace depth inside a `#[cfg(test)]` item; `Some(0)` until it opens.
    let mut in_test: Option<usize> = None;
    for (i, line) in source.lines().enumerate() {
        let t = line.trim_start();
        if let Some(depth) = in_test {
            let opens = t.matches('{').count();
            let closes = t.matches('}').count();
            let now = (depth + opens).saturating_sub(closes);
            let one_line_item = depth == 0 && opens == 0 && t.ends_with(';');
            in_test = if one_line_item || ((depth > 0 || opens > 0) && now == 0) {
                None
            } else {
                Some(now)
            };
            continue;
        }
        if t.starts_with("#[cfg(test)]") {
            in_test = Some(0);
            continue;
        }
        if let Some(doc) = t.strip_prefix("///") {
            has_example |= doc.trim_start().starts_with("```");
            continue;
        }
        if t.starts_with("#[") {
            hidden |= t.contains("doc(hidden)");
            exported |= t.starts_with("#[macro_export]");
            continue;
        }
        if exported && !has_example && !hidden {
            if let Some(rest) = t.strip_prefix("macro_rules! ") {
                let name: String = rest
                    .chars()
                    .take_while(|c| *c != ' ' && *c != '{')
                    .collect();
                missing.push((i + 1, format!("macro {name}!")));
            }
        }
        if let Some(rest) = t.strip_prefix("pub ") {
            let declared_elsewhere = rest.starts_with("mod ") && t.ends_with(';');
            if ITEM_KINDS.iter().any(|k| rest.starts_with(k))
                && !declared_elsewhere
                && !has_example
                && !hidden
            {
                let head: String = rest
                    .chars()
                    .take_while(|c| !"({:<=;".contains(*c))
                    .collect();
                missing.push((i + 1, head.trim().to_string()));
            }
        }
        has_example = false;
        hidden = false;
        exported = false;
    }
    missing
}

/// Source files of modules declared without `pub` (and everything under
/// them): their items are not reachable by library users.
fn private_module_files(src: &Path) -> HashSet<PathBuf> {
    let mut private = HashSet::new();
    // The binary's own modules are not library API either.
    private.insert(src.join("main.rs"));
    private.insert(src.join("cli_help.rs"));
    for file in rust_files(src) {
        let dir = match file.file_name().and_then(|n| n.to_str()) {
            Some("lib.rs" | "main.rs" | "mod.rs") => file.parent().unwrap().to_path_buf(),
            _ => file.with_extension(""),
        };
        for line in fs::read_to_string(&file).unwrap().lines() {
            let t = line.trim();
            if let Some(name) = t.strip_prefix("mod ").and_then(|r| r.strip_suffix(';')) {
                private.insert(dir.join(format!("{name}.rs")));
                private.insert(dir.join(name));
            }
        }
    }
    private
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

#[test]
fn every_public_item_has_a_runnable_example() {
    // The product's libraries: this one and the HTTP service. The CLI's and
    // the lab's public items serve their own binaries only.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut report = Vec::new();
    let mut public_files = 0;
    for crate_dir in [root.to_path_buf(), root.join("crates/phiscrub-serve")] {
        let src = crate_dir.join("src");
        let private = private_module_files(&src);
        for file in rust_files(&src) {
            if private.iter().any(|p| file.starts_with(p)) {
                continue;
            }
            public_files += 1;
            for (line, item) in items_without_example(&fs::read_to_string(&file).unwrap()) {
                let rel = file.strip_prefix(root).unwrap().display();
                report.push(format!("{rel}:{line}: pub {item}"));
            }
        }
    }
    assert!(
        public_files > 20,
        "found only {public_files} public source files"
    );
    assert!(
        report.is_empty(),
        "{} public item(s) have no example in their doc comment; add a ``` block:\n{}",
        report.len(),
        report.join("\n")
    );
}

#[test]
fn the_scan_catches_a_missing_example_and_honours_hidden_and_test_code() {
    let source = "\
/// Documented, with an example.
///
/// ```
/// assert!(true);
/// ```
#[derive(Debug)]
pub struct Good;

/// Prose only.
pub fn bare(x: u8) -> u8 { x }

#[doc(hidden)]
pub fn plumbing() {}

pub mod elsewhere;

/// A macro callers use.
#[macro_export]
macro_rules! shout { () => {} }

/// Prose only, inside a struct's impl.
    pub const LIMIT: usize = 3;

#[cfg(test)]
pub use std::fmt;

/// Prose only, after a test-only import.
pub fn also_bare() {}

#[cfg(test)]
mod tests {
    pub fn helper() {}
}

/// After the tests, still public.
pub enum Late { A }
";
    let missing = items_without_example(source);
    let names: Vec<&str> = missing.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "fn bare",
            "macro shout!",
            "const LIMIT",
            "fn also_bare",
            "enum Late"
        ]
    );
    assert_eq!(missing[0].0, 10, "reports the item's line");
}
