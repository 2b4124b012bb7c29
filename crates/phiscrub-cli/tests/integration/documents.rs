//! Slide decks and documents (`fixtures/documents/`, built by
//! `fixtures/make_document_fixtures.py`): their pictures go through the
//! pipeline, their own metadata goes, and a picture or part that cannot be
//! made safe refuses the whole file, naming it.

use crate::common::*;
use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::Path;

/// Every part of a zip package, by name.
fn parts(path: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut z = zip::ZipArchive::new(fs::File::open(path).unwrap()).unwrap();
    let mut out = BTreeMap::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        out.insert(f.name().to_string(), data);
    }
    out
}

fn text(parts: &BTreeMap<String, Vec<u8>>) -> String {
    parts
        .iter()
        .filter(|(n, _)| n.ends_with(".xml") || n.ends_with(".rels"))
        .map(|(_, d)| String::from_utf8_lossy(d).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// One scrub of the whole folder, shared by the tests that read its outputs.
fn scrub_documents() -> &'static (tempfile::TempDir, String, Option<i32>) {
    static RUN: std::sync::OnceLock<(tempfile::TempDir, String, Option<i32>)> =
        std::sync::OnceLock::new();
    RUN.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let o = run(&mut scrub(fixture("documents"), &dir.path().join("clean")));
        (dir, stderr(&o), o.status.code())
    })
}

/// Grace Hopper's face core, in the photo's own pixels.
const HOPPER_FACE: (u32, u32, u32, u32) = (170, 150, 180, 170);

#[test]
fn a_deck_comes_out_with_every_picture_scrubbed_and_no_author_dates_comments_or_thumbnail() {
    let (dir, err, code) = scrub_documents();
    let out = dir.path().join("clean");
    // Two decks refuse (next test): the run says so with its exit code.
    assert_eq!(*code, Some(3), "{err}");
    assert!(
        err.contains("TEXT of slides"),
        "no warning about slide text: {err}"
    );

    let before = parts(&fixture("documents/deck.pptx"));
    let after = parts(&out.join("deck.pptx"));
    for gone in [
        "docProps/core.xml",
        "docProps/app.xml",
        "docProps/thumbnail.jpeg",
        "ppt/commentAuthors.xml",
        "ppt/comments/comment1.xml",
        "ppt/printerSettings/printerSettings1.bin",
    ] {
        assert!(before.contains_key(gone), "the fixture lacks {gone}");
        assert!(!after.contains_key(gone), "{gone} kept");
    }
    let xml = text(&after);
    for leak in [
        "Jeanne Invented",
        "Dupont",
        "2026-03-14",
        "docProps",
        "comment",
    ] {
        assert!(!xml.contains(leak), "{leak:?} still in the deck's XML");
    }
    // Every relationship points at a part that is there.
    for (name, data) in after.iter().filter(|(n, _)| n.ends_with(".rels")) {
        let rels = String::from_utf8_lossy(data);
        for target in rels
            .split("Target=\"")
            .skip(1)
            .filter_map(|t| t.split('"').next())
        {
            if target.starts_with("http") {
                continue;
            }
            let dir = name.trim_end_matches(|c| c != '/').trim_end_matches('/');
            let dir = dir
                .strip_suffix("_rels")
                .unwrap_or(dir)
                .trim_end_matches('/');
            let mut path: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
            for seg in target.split('/') {
                match seg {
                    ".." => {
                        path.pop();
                    }
                    "" | "." => {}
                    s => path.push(s),
                }
            }
            let resolved = path.join("/");
            assert!(
                after.contains_key(&resolved),
                "{name} links to missing {resolved}"
            );
        }
    }
    // Slide text stays (it is not scrubbed, and the warning says so).
    assert!(xml.contains("Plaie du pied, J3"));

    // Slide 1 crops the photo to its lower third; the face it hides is in the
    // file all the same, and is covered.
    let photo = image::load_from_memory(&before["ppt/media/image1.jpg"])
        .unwrap()
        .to_rgb8();
    let cleaned = image::load_from_memory(&after["ppt/media/image1.jpg"])
        .unwrap()
        .to_rgb8();
    assert!(max_in(&photo, HOPPER_FACE) > 150);
    assert!(
        max_in(&cleaned, HOPPER_FACE) < 40,
        "the face hidden by the slide's crop is still in the picture"
    );
    // The BMP of slide 3 is now a PNG, and the slide links to it.
    assert!(after.contains_key("ppt/media/image3.png"));
    assert!(!after.contains_key("ppt/media/image3.bmp"));
    let slide3 = String::from_utf8_lossy(&after["ppt/slides/_rels/slide3.xml.rels"]);
    assert!(slide3.contains("image3.png"), "{slide3}");
    assert!(String::from_utf8_lossy(&after["[Content_Types].xml"]).contains("Extension=\"png\""));

    if exiftool_available() {
        let tags = exiftool_tags(&out.join("deck.pptx"));
        let leaks: Vec<_> = tags
            .iter()
            .filter(|(g, _)| !["System", "ExifTool", "File", "ZIP"].contains(&g.as_str()))
            .collect();
        assert!(leaks.is_empty(), "exiftool reads {leaks:?}");
        let source = exiftool_tags(&fixture("documents/deck.pptx"));
        assert!(
            source
                .iter()
                .any(|(g, _)| g.starts_with("XMP") || g == "XML")
        );
    }
}

#[test]
fn a_picture_or_part_that_cannot_be_made_safe_refuses_the_whole_deck_naming_it() {
    let (dir, err, _) = scrub_documents();
    let out = dir.path().join("clean");
    // The animated GIF on slide 4 is two pictures.
    assert!(!out.join("deck_animated_gif.pptx").exists());
    let line = err
        .lines()
        .find(|l| l.contains("deck_animated_gif.pptx"))
        .unwrap_or_else(|| panic!("no line for the GIF deck: {err}"));
    assert!(
        line.contains("slide 4") && line.contains("ppt/media/image4.gif"),
        "{line}"
    );
    // An embedded object phiscrub cannot look into.
    assert!(!out.join("deck_embedded_object.pptx").exists());
    let line = err
        .lines()
        .find(|l| l.contains("deck_embedded_object.pptx"))
        .unwrap_or_else(|| panic!("no line for the OLE deck: {err}"));
    assert!(line.contains("ppt/embeddings/oleObject1.bin"), "{line}");
    assert!(line.contains("Remove it"), "says what to do: {line}");
}

#[test]
fn a_word_document_keeps_its_text_as_shown_without_revisions_or_comments() {
    let (dir, _, _) = scrub_documents();
    let after = parts(&dir.path().join("clean/memo.docx"));
    assert!(!after.keys().any(|k| k.starts_with("docProps/")));
    assert!(!after.contains_key("word/comments.xml"));
    let doc = String::from_utf8_lossy(&after["word/document.xml"]);
    // Changes accepted: the insertion stays, the deletion goes, no reviewer.
    assert!(doc.contains("INSERTED_TEXT") && doc.contains("MARKER_PARAGRAPH"));
    for leak in [
        "DELETED_SECRET",
        "Reviewer",
        "w:author",
        "commentReference",
        "w:rsid",
    ] {
        assert!(!doc.contains(leak), "{leak} kept in document.xml");
    }
    let photo = image::load_from_memory(&after["word/media/image1.png"])
        .unwrap()
        .to_rgb8();
    // The astronaut's face core.
    assert!(
        max_in(&photo, (180, 70, 90, 90)) < 40,
        "the face is visible"
    );
}

#[test]
fn opendocument_files_lose_meta_thumbnail_and_comments_and_keep_mimetype_first() {
    let (dir, _, _) = scrub_documents();
    for name in ["slides.odp", "note.odt"] {
        let path = dir.path().join("clean").join(name);
        let mut z = zip::ZipArchive::new(fs::File::open(&path).unwrap()).unwrap();
        let first = z.by_index(0).unwrap();
        assert_eq!(first.name(), "mimetype", "{name}");
        assert_eq!(
            first.compression(),
            zip::CompressionMethod::Stored,
            "{name}"
        );
        drop(first);
        let after = parts(&path);
        for gone in ["meta.xml", "settings.xml", "Thumbnails/thumbnail.png"] {
            assert!(!after.contains_key(gone), "{name}: {gone} kept");
        }
        let xml = text(&after);
        assert!(
            !xml.contains("Jeanne Invented") && !xml.contains("annotation"),
            "{name}"
        );
        assert!(
            !xml.contains("meta.xml") && !xml.contains("Thumbnails"),
            "{name}: manifest"
        );
        let photo = image::load_from_memory(&after["Pictures/hopper.jpg"])
            .unwrap()
            .to_rgb8();
        assert!(
            max_in(&photo, HOPPER_FACE) < 40,
            "{name}: the face is visible"
        );
    }
}

#[test]
fn inspect_sends_a_deck_to_check() {
    let o = run(phiscrub()
        .arg("inspect")
        .arg(fixture("documents/deck.pptx")));
    let said = format!("{}{}", stdout(&o), stderr(&o));
    assert!(
        said.contains("PowerPoint deck") && said.contains("phiscrub check"),
        "{said}"
    );
}

#[test]
fn check_calls_a_deck_leaky_and_its_scrubbed_copy_clean() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(phiscrub().arg("check").arg(fixture("documents/deck.pptx")));
    // Exit 3: something would leak.
    assert_eq!(o.status.code(), Some(3), "{}", stdout(&o));
    let said = stdout(&o);
    assert!(said.contains("face") && said.contains("owner"), "{said}");
    let out = dir.path().join("clean");
    assert!(
        run(&mut scrub(fixture("documents/deck.pptx"), &out))
            .status
            .success()
    );
    let o = run(phiscrub().arg("check").arg(out.join("deck.pptx")));
    assert!(o.status.success(), "{}", stdout(&o));
}
