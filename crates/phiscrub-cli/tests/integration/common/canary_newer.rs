//! The canary's marker in the hiding places of the newer containers: HEIC
//! and AVIF (EXIF, XMP and ICC from `fixtures/containers/*_canary.*`, plus
//! boxes and bytes appended here), BMP, and slide decks and documents
//! (document properties, comments, revisions, custom XML, thumbnails,
//! pictures, XML comments and processing instructions, and the zip's own
//! comments, extra fields and bytes around the archive).
//!
//! The text of slides and pages is not scrubbed (README says so), so no
//! marker is put there: only where a reader of the slides would not see it.
#![allow(dead_code)]

use super::canary::{MARKER, holds_marker};
use super::fixture;
use image::RgbImage;

/// One zip entry, written stored so that the marker shows in the input.
struct Entry {
    name: String,
    data: Vec<u8>,
    extra: Vec<u8>,
    comment: Vec<u8>,
}

fn entry(name: &str, data: impl Into<Vec<u8>>) -> Entry {
    Entry {
        name: name.into(),
        data: data.into(),
        extra: Vec::new(),
        comment: Vec::new(),
    }
}

/// A zip written by hand: stored entries, then the central directory; with
/// bytes before the first entry, an archive comment and bytes after the end.
fn zip(entries: &[Entry], prefix: &[u8], comment: &[u8], trailing: &[u8]) -> Vec<u8> {
    let mut out = prefix.to_vec();
    let mut central = Vec::new();
    for e in entries {
        let offset = out.len() as u32;
        let crc = crc32fast::hash(&e.data);
        let head = |sig: u32| {
            let mut h = sig.to_le_bytes().to_vec();
            if sig == 0x0201_4b50 {
                h.extend_from_slice(&20u16.to_le_bytes()); // made by
            }
            h.extend_from_slice(&20u16.to_le_bytes()); // needed
            h.extend_from_slice(&0u16.to_le_bytes()); // flags
            h.extend_from_slice(&0u16.to_le_bytes()); // stored
            h.extend_from_slice(&0u16.to_le_bytes()); // time
            h.extend_from_slice(&0x21u16.to_le_bytes()); // date 1980-01-01
            h.extend_from_slice(&crc.to_le_bytes());
            h.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
            h.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
            h.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
            h.extend_from_slice(&(e.extra.len() as u16).to_le_bytes());
            h
        };
        out.extend(head(0x0403_4b50));
        out.extend_from_slice(e.name.as_bytes());
        out.extend_from_slice(&e.extra);
        out.extend_from_slice(&e.data);
        central.extend(head(0x0201_4b50));
        central.extend_from_slice(&(e.comment.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0; 8]); // disk, internal and external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(e.name.as_bytes());
        central.extend_from_slice(&e.extra);
        central.extend_from_slice(&e.comment);
    }
    let start = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&start.to_le_bytes());
    out.extend_from_slice(&(comment.len() as u16).to_le_bytes());
    out.extend_from_slice(comment);
    out.extend_from_slice(trailing);
    out
}

/// A small gradient PNG, optionally with the marker in a `tEXt` chunk.
fn picture_png(marked: bool) -> Vec<u8> {
    let img = RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([(x * 4) as u8, (y * 5) as u8, 90])
    });
    let mut png = std::io::Cursor::new(Vec::new());
    img.write_to(&mut png, image::ImageFormat::Png).unwrap();
    let png = png.into_inner();
    if !marked {
        return png;
    }
    // After the signature and IHDR (8 + 25 bytes).
    let text = super::png_chunk(b"tEXt", format!("Author\0{MARKER}").as_bytes());
    [&png[..33], &text, &png[33..]].concat()
}

const XML: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;
const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const RELS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const CT: &str = "http://schemas.openxmlformats.org/package/2006/content-types";

fn core_props(creator: &str) -> String {
    format!(
        r#"{XML}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"><dc:creator>{creator}</dc:creator><cp:lastModifiedBy>{creator}</cp:lastModifiedBy></cp:coreProperties>"#
    )
}

/// What a variant of a package changes: parts added or replaced, and the
/// zip's own hiding places.
#[derive(Default)]
struct Change {
    parts: Vec<(&'static str, Vec<u8>)>,
    overrides: Vec<(&'static str, &'static str)>,
    rels: Vec<(&'static str, &'static str, &'static str)>,
    extra_on: Option<&'static str>,
    comment_on: Option<&'static str>,
    prefix: Vec<u8>,
    comment: Vec<u8>,
    trailing: Vec<u8>,
}

/// `[Content_Types].xml` with the usual defaults and these overrides.
fn content_types(overrides: &[(&str, &str)]) -> String {
    format!(
        r#"{XML}<Types xmlns="{CT}"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/>{}</Types>"#,
        overrides
            .iter()
            .map(|(p, t)| format!(r#"<Override PartName="{p}" ContentType="{t}"/>"#))
            .collect::<String>()
    )
}

/// A relationships part: `(id, kind, target)`, the kind an Office
/// relationship type's last segment.
fn relationships(rels: &[(&str, &str, &str)]) -> String {
    format!(
        r#"{XML}<Relationships xmlns="{RELS}">{}</Relationships>"#,
        rels.iter()
            .map(|(id, kind, target)| format!(
                r#"<Relationship Id="{id}" Type="{R}/{kind}" Target="{target}"/>"#
            ))
            .collect::<String>()
    )
}

/// The package's own relationships: its main part and core properties.
fn root_relationships(main: &str) -> String {
    format!(
        r#"{XML}<Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{R}/officeDocument" Target="{main}"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>"#
    )
}

/// A Word document: one paragraph and one picture (`body` may add runs).
fn docx(body: &str, change: Change) -> Vec<u8> {
    let mut overrides = vec![
        (
            "/word/document.xml",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        ),
        (
            "/docProps/core.xml",
            "application/vnd.openxmlformats-package.core-properties+xml",
        ),
    ];
    overrides.extend(change.overrides.iter().copied());
    let types = content_types(&overrides);
    let root_rels = root_relationships("word/document.xml");
    let mut rels = vec![("rIdImg", "image", "media/image1.png")];
    rels.extend(change.rels.iter().copied());
    let doc_rels = relationships(&rels);
    let document = format!(
        r#"{XML}<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body><w:p><w:r><w:t>Wound, day 3.</w:t></w:r>{body}</w:p></w:body></w:document>"#
    );
    let mut parts: Vec<(&str, Vec<u8>)> = vec![
        ("[Content_Types].xml", types.into_bytes()),
        ("_rels/.rels", root_rels.into_bytes()),
        ("word/document.xml", document.into_bytes()),
        ("word/_rels/document.xml.rels", doc_rels.into_bytes()),
        ("word/media/image1.png", picture_png(false)),
        (
            "docProps/core.xml",
            core_props("Invented Author").into_bytes(),
        ),
    ];
    package(&mut parts, change)
}

/// Applies a change's parts (replacing those of the same name) and zips.
fn package(parts: &mut Vec<(&'static str, Vec<u8>)>, change: Change) -> Vec<u8> {
    for (name, data) in change.parts {
        match parts.iter_mut().find(|(n, _)| *n == name) {
            Some(p) => p.1 = data,
            None => parts.push((name, data)),
        }
    }
    let entries: Vec<Entry> = parts
        .iter()
        .map(|(name, data)| {
            let mut e = entry(name, data.clone());
            if change.extra_on == Some(*name) {
                let mut extra = 0xCAFEu16.to_le_bytes().to_vec();
                extra.extend_from_slice(&(MARKER.len() as u16).to_le_bytes());
                extra.extend_from_slice(MARKER.as_bytes());
                e.extra = extra;
            }
            if change.comment_on == Some(*name) {
                e.comment = MARKER.as_bytes().to_vec();
            }
            e
        })
        .collect();
    zip(&entries, &change.prefix, &change.comment, &change.trailing)
}

/// A presentation: one slide holding one picture.
fn pptx(change: Change) -> Vec<u8> {
    const P: &str = "http://schemas.openxmlformats.org/presentationml/2006/main";
    let mut overrides = vec![
        (
            "/ppt/presentation.xml",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
        ),
        (
            "/ppt/slides/slide1.xml",
            "application/vnd.openxmlformats-officedocument.presentationml.slide+xml",
        ),
        (
            "/docProps/core.xml",
            "application/vnd.openxmlformats-package.core-properties+xml",
        ),
    ];
    overrides.extend(change.overrides.iter().copied());
    let types = content_types(&overrides);
    let root_rels = root_relationships("ppt/presentation.xml");
    let pres = format!(
        r#"{XML}<p:presentation xmlns:p="{P}" xmlns:r="{R}"><p:sldIdLst><p:sldId id="256" r:id="rId1"/></p:sldIdLst></p:presentation>"#
    );
    let mut rels = vec![("rId1", "slide", "slides/slide1.xml")];
    rels.extend(change.rels.iter().copied());
    let pres_rels = relationships(&rels);
    let slide = format!(
        r#"{XML}<p:sld xmlns:p="{P}" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="{R}"><p:cSld><p:spTree><p:pic><p:blipFill><a:blip r:embed="rId2"/></p:blipFill></p:pic></p:spTree></p:cSld></p:sld>"#
    );
    let slide_rels = relationships(&[("rId2", "image", "../media/image1.png")]);
    let mut parts: Vec<(&str, Vec<u8>)> = vec![
        ("[Content_Types].xml", types.into_bytes()),
        ("_rels/.rels", root_rels.into_bytes()),
        ("ppt/presentation.xml", pres.into_bytes()),
        ("ppt/_rels/presentation.xml.rels", pres_rels.into_bytes()),
        ("ppt/slides/slide1.xml", slide.into_bytes()),
        ("ppt/slides/_rels/slide1.xml.rels", slide_rels.into_bytes()),
        ("ppt/media/image1.png", picture_png(false)),
        (
            "docProps/core.xml",
            core_props("Invented Author").into_bytes(),
        ),
    ];
    package(&mut parts, change)
}

const ODF_NS: &str = r#"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0" office:version="1.3""#;

/// An OpenDocument text: one paragraph and one picture (`body` may add to
/// the paragraph, `more` to the text after it).
fn odt(body: &str, more: &str, change: Change) -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODF_NS}><office:body><office:text>{more}<text:p>Wound, day 3.{body}<draw:frame><draw:image xlink:href="Pictures/image1.png"/></draw:frame></text:p></office:text></office:body></office:document-content>"#
    );
    let manifest_entries: String = change
        .overrides
        .iter()
        .map(|(p, t)| {
            format!(r#"<manifest:file-entry manifest:full-path="{p}" manifest:media-type="{t}"/>"#)
        })
        .collect();
    let manifest = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="Pictures/image1.png" manifest:media-type="image/png"/>{manifest_entries}</manifest:manifest>"#
    );
    let mut parts: Vec<(&str, Vec<u8>)> = vec![
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.text".to_vec(),
        ),
        ("content.xml", content.into_bytes()),
        ("Pictures/image1.png", picture_png(false)),
        ("META-INF/manifest.xml", manifest.into_bytes()),
    ];
    package(&mut parts, change)
}

/// Appends `boxes` (already framed) and `trailing` bytes after an ISOBMFF
/// file's last box: offsets into `mdat` stay valid.
fn bmff_with(base: &[u8], boxes: &[Vec<u8>], trailing: &[u8]) -> Vec<u8> {
    let mut v = base.to_vec();
    for b in boxes {
        v.extend_from_slice(b);
    }
    v.extend_from_slice(trailing);
    v
}

fn bmff_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    v.extend_from_slice(kind);
    v.extend_from_slice(body);
    v
}

/// A 24-bit BMP of a gradient, with `gap` bytes between the headers and
/// the pixels and `trailing` bytes after them; with `profile`, a V5 header
/// whose embedded profile (after the pixels) is those bytes.
fn bmp(gap: &[u8], trailing: &[u8], profile: Option<&[u8]>) -> Vec<u8> {
    let (w, h) = (40u32, 30u32);
    let row = (w * 3).div_ceil(4) * 4;
    let mut pixels = Vec::new();
    for y in (0..h).rev() {
        let mut r: Vec<u8> = (0..w)
            .flat_map(|x| [90, (y * 8) as u8, (x * 6) as u8])
            .collect();
        r.resize(row as usize, 0);
        pixels.extend(r);
    }
    let info_len: u32 = if profile.is_some() { 124 } else { 40 };
    let pixels_at = 14 + info_len + gap.len() as u32;
    let profile_at = pixels_at + pixels.len() as u32;
    let total = profile_at as usize + profile.map_or(0, |p| p.len()) + trailing.len();
    let mut v = b"BM".to_vec();
    v.extend_from_slice(&(total as u32).to_le_bytes());
    v.extend_from_slice(&[0; 4]);
    v.extend_from_slice(&pixels_at.to_le_bytes());
    v.extend_from_slice(&info_len.to_le_bytes());
    v.extend_from_slice(&(w as i32).to_le_bytes());
    v.extend_from_slice(&(h as i32).to_le_bytes());
    v.extend_from_slice(&1u16.to_le_bytes());
    v.extend_from_slice(&24u16.to_le_bytes());
    v.extend_from_slice(&0u32.to_le_bytes()); // BI_RGB
    v.extend_from_slice(&(pixels.len() as u32).to_le_bytes());
    v.extend_from_slice(&[0; 16]); // resolution, palette
    if let Some(p) = profile {
        v.extend_from_slice(&[0; 16]); // masks
        v.extend_from_slice(b"DEBM"); // PROFILE_EMBEDDED
        v.extend_from_slice(&[0; 36 + 12]); // endpoints, gamma
        v.extend_from_slice(&4u32.to_le_bytes()); // intent
        v.extend_from_slice(&(profile_at - 14).to_le_bytes()); // from the info header
        v.extend_from_slice(&(p.len() as u32).to_le_bytes());
        v.extend_from_slice(&[0; 4]);
    }
    v.extend_from_slice(gap);
    v.extend(pixels);
    if let Some(p) = profile {
        v.extend_from_slice(p);
    }
    v.extend_from_slice(trailing);
    v
}

/// Every planted file of the newer containers: (name, bytes).
pub fn all() -> Vec<(String, Vec<u8>)> {
    let m = MARKER.as_bytes();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut add = |name: &str, bytes: Vec<u8>| files.push((name.to_string(), bytes));

    // HEIC and AVIF: EXIF, XMP and ICC items (and a thumbnail for HEIC)
    // from the generator; top-level boxes and bytes after the last box here.
    for (kind, name) in [("heic", "heic_canary.heic"), ("avif", "avif_canary.avif")] {
        let base = std::fs::read(fixture(&format!("containers/{name}"))).unwrap();
        let uuid = [&[0x5Au8; 16][..], m].concat();
        add(&format!("{kind}_exif_xmp_icc.{kind}"), base.clone());
        add(
            &format!("{kind}_uuid_box.{kind}"),
            bmff_with(&base, &[bmff_box(b"uuid", &uuid)], &[]),
        );
        add(
            &format!("{kind}_free_box.{kind}"),
            bmff_with(&base, &[bmff_box(b"free", m)], &[]),
        );
        add(
            &format!("{kind}_unknown_box.{kind}"),
            bmff_with(&base, &[bmff_box(b"xtra", m)], &[]),
        );
        add(&format!("{kind}_trailing.{kind}"), bmff_with(&base, &[], m));
    }

    // BMP: between the headers and the pixels, after the pixels, and in a
    // V5 header's embedded profile.
    add("bmp_gap.bmp", bmp(m, &[], None));
    add("bmp_trailing.bmp", bmp(&[], m, None));
    add("bmp_v5_profile.bmp", bmp(&[], &[], Some(m)));

    // Word: document properties, app and custom properties, comments,
    // revisions, custom XML, a template path, a marked picture, XML
    // comments and processing instructions, and the zip's own places.
    let change = |parts: Vec<(&'static str, Vec<u8>)>| Change {
        parts,
        ..Change::default()
    };
    add(
        "docx_core_props.docx",
        docx(
            "",
            change(vec![("docProps/core.xml", core_props(MARKER).into_bytes())]),
        ),
    );
    add(
        "docx_app_props.docx",
        docx(
            "",
            Change {
                parts: vec![(
                    "docProps/app.xml",
                    format!(r#"{XML}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Company>{MARKER}</Company><Manager>{MARKER}</Manager></Properties>"#).into_bytes(),
                )],
                overrides: vec![("/docProps/app.xml", "application/vnd.openxmlformats-officedocument.extended-properties+xml")],
                ..Change::default()
            },
        ),
    );
    add(
        "docx_custom_props.docx",
        docx(
            "",
            Change {
                parts: vec![(
                    "docProps/custom.xml",
                    format!(r#"{XML}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="2" name="Patient"><vt:lpwstr>{MARKER}</vt:lpwstr></property></Properties>"#).into_bytes(),
                )],
                overrides: vec![("/docProps/custom.xml", "application/vnd.openxmlformats-officedocument.custom-properties+xml")],
                ..Change::default()
            },
        ),
    );
    add(
        "docx_comments.docx",
        docx(
            r#"<w:commentRangeStart w:id="0"/><w:r><w:t>ok</w:t></w:r><w:commentRangeEnd w:id="0"/><w:r><w:commentReference w:id="0"/></w:r>"#,
            Change {
                parts: vec![(
                    "word/comments.xml",
                    format!(r#"{XML}<w:comments xmlns:w="{W}"><w:comment w:id="0" w:author="{MARKER}" w:initials="JD"><w:p><w:r><w:t>{MARKER}</w:t></w:r></w:p></w:comment></w:comments>"#).into_bytes(),
                )],
                overrides: vec![("/word/comments.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml")],
                rels: vec![("rIdC", "comments", "comments.xml")],
                ..Change::default()
            },
        ),
    );
    add(
        "docx_revisions.docx",
        docx(
            &format!(
                r#"<w:del w:id="1" w:author="{MARKER}" w:date="2026-01-02T03:04:05Z"><w:r><w:delText>{MARKER}</w:delText></w:r></w:del><w:ins w:id="2" w:author="{MARKER}" w:date="2026-01-02T03:04:05Z"><w:r><w:t> Kept.</w:t></w:r></w:ins>"#
            ),
            Change::default(),
        ),
    );
    add(
        "docx_custom_xml.docx",
        docx(
            "",
            change(vec![(
                "customXml/item1.xml",
                format!("<patient><name>{MARKER}</name></patient>").into_bytes(),
            )]),
        ),
    );
    add(
        "docx_template_path.docx",
        docx(
            "",
            Change {
                parts: vec![
                    (
                        "word/settings.xml",
                        format!(r#"{XML}<w:settings xmlns:w="{W}" xmlns:r="{R}"><w:attachedTemplate r:id="rIdT"/></w:settings>"#).into_bytes(),
                    ),
                    (
                        "word/_rels/settings.xml.rels",
                        format!(r#"{XML}<Relationships xmlns="{RELS}"><Relationship Id="rIdT" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" Target="file:///C:/Users/{MARKER}/Templates/Normal.dotm" TargetMode="External"/></Relationships>"#).into_bytes(),
                    ),
                ],
                overrides: vec![("/word/settings.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml")],
                rels: vec![("rIdS", "settings", "settings.xml")],
                ..Change::default()
            },
        ),
    );
    add(
        "docx_linked_picture.docx",
        docx(
            r#"<w:r><w:drawing><a:blip xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" r:link="rIdL"/></w:drawing></w:r>"#,
            Change {
                parts: vec![(
                    "word/_rels/document.xml.rels",
                    format!(r#"{XML}<Relationships xmlns="{RELS}"><Relationship Id="rIdImg" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image1.png"/><Relationship Id="rIdL" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="file:///C:/Users/{MARKER}/ward.jpg" TargetMode="External"/></Relationships>"#).into_bytes(),
                )],
                ..Change::default()
            },
        ),
    );
    add(
        "docx_xml_comment_and_pi.docx",
        docx(
            &format!("<!-- {MARKER} --><?canary {MARKER}?>"),
            Change::default(),
        ),
    );
    add(
        "docx_picture_text_chunk.docx",
        docx(
            "",
            change(vec![("word/media/image1.png", picture_png(true))]),
        ),
    );
    add(
        "docx_zip_comment.docx",
        docx(
            "",
            Change {
                comment: m.to_vec(),
                ..Change::default()
            },
        ),
    );
    add(
        "docx_entry_comment.docx",
        docx(
            "",
            Change {
                comment_on: Some("word/document.xml"),
                ..Change::default()
            },
        ),
    );
    add(
        "docx_extra_field.docx",
        docx(
            "",
            Change {
                extra_on: Some("word/document.xml"),
                ..Change::default()
            },
        ),
    );
    add(
        "docx_prefix.docx",
        docx(
            "",
            Change {
                prefix: m.to_vec(),
                ..Change::default()
            },
        ),
    );
    add(
        "docx_trailing.docx",
        docx(
            "",
            Change {
                trailing: m.to_vec(),
                ..Change::default()
            },
        ),
    );

    // PowerPoint: properties, comment authors and comments, a thumbnail,
    // a marked picture, an XML comment.
    add(
        "pptx_core_props.pptx",
        pptx(change(vec![(
            "docProps/core.xml",
            core_props(MARKER).into_bytes(),
        )])),
    );
    add(
        "pptx_comment_authors.pptx",
        pptx(Change {
            parts: vec![(
                "ppt/commentAuthors.xml",
                format!(r#"{XML}<p:cmAuthorLst xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"><p:cmAuthor id="1" name="{MARKER}" initials="JD" lastIdx="1" clrIdx="0"/></p:cmAuthorLst>"#).into_bytes(),
            )],
            overrides: vec![("/ppt/commentAuthors.xml", "application/vnd.openxmlformats-officedocument.presentationml.commentAuthors+xml")],
            rels: vec![("rIdA", "commentAuthors", "commentAuthors.xml")],
            ..Change::default()
        }),
    );
    add(
        "pptx_thumbnail.pptx",
        pptx(change(vec![("docProps/thumbnail.png", picture_png(true))])),
    );
    add(
        "pptx_picture_text_chunk.pptx",
        pptx(change(vec![("ppt/media/image1.png", picture_png(true))])),
    );
    add(
        "pptx_zip_comment.pptx",
        pptx(Change {
            comment: m.to_vec(),
            comment_on: Some("ppt/slides/slide1.xml"),
            ..Change::default()
        }),
    );

    // OpenDocument: meta.xml, settings.xml, a thumbnail, annotations,
    // tracked changes, a marked picture, an XML comment, the zip's places.
    let meta = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-meta {ODF_NS}><office:meta><meta:initial-creator>{MARKER}</meta:initial-creator><dc:creator>{MARKER}</dc:creator><meta:user-defined meta:name="Patient">{MARKER}</meta:user-defined></office:meta></office:document-meta>"#
    );
    add(
        "odt_meta.odt",
        odt(
            "",
            "",
            Change {
                parts: vec![("meta.xml", meta.into_bytes())],
                overrides: vec![("meta.xml", "text/xml")],
                ..Change::default()
            },
        ),
    );
    let settings = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-settings {ODF_NS}><office:settings><config:config-item-set config:name="ooo:configuration-settings"><config:config-item config:name="PrinterName" config:type="string">{MARKER}</config:config-item></config:config-item-set></office:settings></office:document-settings>"#
    );
    add(
        "odt_settings.odt",
        odt(
            "",
            "",
            Change {
                parts: vec![("settings.xml", settings.into_bytes())],
                overrides: vec![("settings.xml", "text/xml")],
                ..Change::default()
            },
        ),
    );
    add(
        "odt_thumbnail.odt",
        odt(
            "",
            "",
            Change {
                parts: vec![("Thumbnails/thumbnail.png", picture_png(true))],
                overrides: vec![("Thumbnails/thumbnail.png", "image/png")],
                ..Change::default()
            },
        ),
    );
    add(
        "odt_annotation.odt",
        odt(
            &format!(
                "<office:annotation><dc:creator>{MARKER}</dc:creator><text:p>{MARKER}</text:p></office:annotation>"
            ),
            "",
            Change::default(),
        ),
    );
    add(
        "odt_tracked_changes.odt",
        odt(
            r#"<text:change text:change-id="c1"/>"#,
            &format!(
                r#"<text:tracked-changes><text:changed-region text:id="c1"><text:deletion><office:change-info><dc:creator>{MARKER}</dc:creator><dc:date>2026-01-02T03:04:05</dc:date></office:change-info><text:p>{MARKER}</text:p></text:deletion></text:changed-region></text:tracked-changes>"#
            ),
            Change::default(),
        ),
    );
    add(
        "odt_picture_text_chunk.odt",
        odt(
            "",
            "",
            change(vec![("Pictures/image1.png", picture_png(true))]),
        ),
    );
    add(
        "odt_linked_image.odt",
        odt(
            &format!(
                r#"<draw:frame><draw:image xlink:href="file:///C:/Users/{MARKER}/ward.jpg"/></draw:frame>"#
            ),
            "",
            Change::default(),
        ),
    );
    add(
        "odt_xml_comment_and_pi.odt",
        odt(
            &format!("<!-- {MARKER} --><?canary {MARKER}?>"),
            "",
            Change::default(),
        ),
    );
    add(
        "odt_zip_places.odt",
        odt(
            "",
            "",
            Change {
                comment: m.to_vec(),
                comment_on: Some("content.xml"),
                extra_on: Some("content.xml"),
                ..Change::default()
            },
        ),
    );

    for (name, bytes) in &files {
        assert!(holds_marker(bytes), "{name} was built without the marker");
    }
    files
}
