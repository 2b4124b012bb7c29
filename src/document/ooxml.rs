//! Office Open XML packages (`.pptx`, `.docx`): which parts are kept, which
//! are the document's metadata, and how the kept XML is rebuilt.

use super::xml::{self, Rule};
use super::{Class, DocumentError, Kind, Part, Rebuilt, resolve};
use crate::metadata::Category;
use quick_xml::events::BytesStart;
use std::collections::{BTreeMap, BTreeSet};

const PICTURE_EXTENSIONS: [&str; 12] = [
    "png", "jpg", "jpeg", "jpe", "gif", "bmp", "dib", "tif", "tiff", "webp", "heic", "heif",
];

/// What `name` is in a package of `kind`.
pub(crate) fn classify(kind: Kind, name: &str) -> Class {
    if name == "[Content_Types].xml" {
        return Class::Index;
    }
    if let Some(source) = rels_source(name) {
        // The relationships of a removed part go with it.
        return match classify(kind, &source) {
            Class::Remove(c) => Class::Remove(c),
            _ => Class::Index,
        };
    }
    let lower = name.to_ascii_lowercase();
    let (dir, file) = lower.rsplit_once('/').unwrap_or(("", &lower));
    let ext = file.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    match dir {
        "docprops" if file.starts_with("thumbnail") => return Class::Remove(Category::Thumbnail),
        "docprops" if file == "core.xml" => return Class::Remove(Category::Owner),
        "docprops" if file == "app.xml" => return Class::Remove(Category::Software),
        "docprops" => return Class::Remove(Category::Other),
        d if d == "customxml" || d.starts_with("customxml/") => {
            return Class::Remove(Category::Other);
        }
        _ => {}
    }
    let root = match kind {
        Kind::Pptx => "ppt",
        _ => "word",
    };
    let Some(inside) = dir.strip_prefix(root) else {
        return Class::Unchecked("a part outside the document phiscrub does not know");
    };
    let inside = inside.trim_start_matches('/');
    // The printer's DEVMODE: its name, often the ward's or the owner's.
    if inside == "printersettings" {
        return Class::Remove(Category::Device);
    }
    if inside == "media" {
        return match ext {
            e if PICTURE_EXTENSIONS.contains(&e) => Class::Picture,
            "wdp" | "jxr" | "hdp" => Class::Unchecked(
                "a JPEG XR copy of a picture (PowerPoint keeps one when a picture effect was applied)",
            ),
            "emf" | "wmf" | "svg" | "emz" | "wmz" => {
                Class::Unchecked("a vector drawing (it may hold pictures and text)")
            }
            _ => Class::Unchecked("a media file that is not a picture (video or sound)"),
        };
    }
    if ext != "xml" {
        return Class::Unchecked("an embedded object, font, macro or add-in part");
    }
    let known = match kind {
        Kind::Pptx => match inside {
            "" => match file {
                "presentation.xml" | "presprops.xml" | "viewprops.xml" | "tablestyles.xml" => {
                    Some(Class::Xml)
                }
                "commentauthors.xml" | "authors.xml" => Some(Class::Remove(Category::Comment)),
                "revisioninfo.xml" => Some(Class::Remove(Category::Other)),
                _ => None,
            },
            "slides" | "slidelayouts" | "slidemasters" | "notesslides" | "notesmasters"
            | "handoutmasters" | "theme" | "charts" => Some(Class::Xml),
            "comments" => Some(Class::Remove(Category::Comment)),
            "changesinfos" => Some(Class::Remove(Category::Other)),
            _ => None,
        },
        _ => match inside {
            "" => match file {
                "document.xml"
                | "styles.xml"
                | "styleswitheffects.xml"
                | "settings.xml"
                | "websettings.xml"
                | "fonttable.xml"
                | "numbering.xml"
                | "footnotes.xml"
                | "endnotes.xml" => Some(Class::Xml),
                f if f.starts_with("header") || f.starts_with("footer") => Some(Class::Xml),
                f if f.starts_with("comments") || f == "people.xml" => {
                    Some(Class::Remove(Category::Comment))
                }
                _ => None,
            },
            "theme" | "charts" => Some(Class::Xml),
            _ => None,
        },
    };
    known.unwrap_or(Class::Unchecked(
        "a part phiscrub does not know (add-in data, custom XML or an embedded object)",
    ))
}

/// `ppt/slides/slide1.xml` for `ppt/slides/_rels/slide1.xml.rels`.
fn rels_source(name: &str) -> Option<String> {
    let stem = name.strip_suffix(".rels")?;
    let (dir, file) = stem.rsplit_once('/').unwrap_or(("", stem));
    let dir = dir.strip_suffix("_rels")?.trim_end_matches('/');
    Some(if dir.is_empty() {
        file.to_string()
    } else {
        format!("{dir}/{file}")
    })
}

/// The folder relationships in `rels` are relative to.
fn rels_dir(rels: &str) -> String {
    rels_source(rels)
        .and_then(|s| s.rsplit_once('/').map(|(d, _)| d.to_string()))
        .unwrap_or_default()
}

fn targets(part: &Part) -> Result<Vec<(String, String)>, DocumentError> {
    let dir = rels_dir(&part.name);
    let ids = xml::values(&part.data, b"Relationship", b"Id")
        .map_err(|e| DocumentError::Damaged(format!("{}: {e}", part.name)))?;
    let to = xml::values(&part.data, b"Relationship", b"Target")
        .map_err(|e| DocumentError::Damaged(format!("{}: {e}", part.name)))?;
    Ok(ids
        .into_iter()
        .zip(to)
        .map(|(id, t)| (id, resolve(&dir, &t)))
        .collect())
}

/// The last segment of a relationship's type (`hyperlink`, `image`).
fn relationship_kind(e: &BytesStart<'_>) -> String {
    let kind = xml::attr(e, b"Type").unwrap_or_default();
    kind.rsplit('/').next().unwrap_or_default().to_string()
}

fn is_external(e: &BytesStart<'_>) -> bool {
    e.name().as_ref() == b"Relationship"
        && xml::attr(e, b"TargetMode").is_some_and(|m| m.eq_ignore_ascii_case("External"))
}

/// The first relationship of a kept part that points outside the package
/// to something other than a hyperlink or the template: a linked picture,
/// video, object or frame would be fetched, unchecked, whenever the file is
/// opened, and its path often names a person's folder. Returns the
/// relationships part and what the link is.
pub(crate) fn external_link(
    parts: &[Part],
    classes: &[Class],
) -> Result<Option<(String, String)>, DocumentError> {
    for (p, class) in parts.iter().zip(classes) {
        if *class != Class::Index || !p.name.ends_with(".rels") {
            continue;
        }
        let look = |e: &BytesStart<'_>| {
            let kind = relationship_kind(e);
            (is_external(e) && kind != "hyperlink" && kind != "attachedTemplate").then(|| {
                format!(
                    "a link to a file outside the package ({kind}): what it shows cannot be \
                     checked, and its path may name a person; embed the file instead of linking it"
                )
            })
        };
        if let Some(what) = xml::first(&p.data, &look)
            .map_err(|e| DocumentError::Damaged(format!("{}: {e}", p.name)))?
        {
            return Ok(Some((p.name.clone(), what)));
        }
    }
    Ok(None)
}

/// Where each picture shows: `slide 3` (in the deck's order), `slide
/// layout`, `speaker notes`, `document`, `header`.
pub(crate) fn places(
    kind: Kind,
    parts: &[Part],
) -> Result<BTreeMap<String, String>, DocumentError> {
    let by_name: BTreeMap<&str, &Part> = parts.iter().map(|p| (p.name.as_str(), p)).collect();
    let mut slide_number: BTreeMap<String, usize> = BTreeMap::new();
    if kind == Kind::Pptx {
        if let (Some(pres), Some(rels)) = (
            by_name.get("ppt/presentation.xml"),
            by_name.get("ppt/_rels/presentation.xml.rels"),
        ) {
            let ids: BTreeMap<String, String> = targets(rels)?.into_iter().collect();
            let order = xml::values(&pres.data, b"p:sldId", b"r:id")
                .map_err(|e| DocumentError::Damaged(format!("ppt/presentation.xml: {e}")))?;
            for (n, id) in order.iter().enumerate() {
                if let Some(t) = ids.get(id) {
                    slide_number.insert(t.clone(), n + 1);
                }
            }
        }
    }
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in parts.iter().filter(|p| p.name.ends_with(".rels")) {
        let Some(source) = rels_source(&p.name) else {
            continue;
        };
        let lower = source.to_ascii_lowercase();
        let place = if let Some(n) = slide_number.get(&source) {
            format!("slide {n}")
        } else if lower.contains("/slidelayouts/") {
            "slide layout".into()
        } else if lower.contains("/slidemasters/") {
            "slide master".into()
        } else if lower.contains("/notes") {
            "speaker notes".into()
        } else if lower.contains("/header") {
            "header".into()
        } else if lower.contains("/footer") {
            "footer".into()
        } else if lower.contains("/slides/") {
            "a slide".into()
        } else {
            match kind {
                Kind::Docx => "document".into(),
                _ => source.clone(),
            }
        };
        for (_, target) in targets(p)? {
            let v = out.entry(target).or_default();
            if !v.contains(&place) {
                v.push(place.clone());
            }
        }
    }
    Ok(out.into_iter().map(|(k, v)| (k, v.join(", "))).collect())
}

/// Word's revision marks and comment anchors: deletions go with their text,
/// insertions keep theirs (the document reads as it shows, changes accepted).
fn docx_rule(e: &BytesStart<'_>) -> Rule {
    match e.name().as_ref() {
        b"w:del"
        | b"w:moveFrom"
        | b"w:rPrChange"
        | b"w:pPrChange"
        | b"w:sectPrChange"
        | b"w:tblPrChange"
        | b"w:tblGridChange"
        | b"w:trPrChange"
        | b"w:tcPrChange"
        | b"w:numberingChange"
        | b"w:commentRangeStart"
        | b"w:commentRangeEnd"
        | b"w:commentReference"
        | b"w:moveFromRangeStart"
        | b"w:moveFromRangeEnd"
        | b"w:moveToRangeStart"
        | b"w:moveToRangeEnd"
        | b"w:attachedTemplate"
        | b"w:rsids"
        | b"w:docVars"
        | b"w:cellDel"
        | b"w:cellIns"
        | b"w:cellMerge" => Rule::Drop,
        b"w:ins" | b"w:moveTo" => Rule::Unwrap,
        _ => Rule::Keep,
    }
}

/// Modern comments are anchored on the slide by a relationship id.
fn pptx_rule(e: &BytesStart<'_>) -> Rule {
    let name = e.name();
    let local = name
        .as_ref()
        .rsplit(|&b| b == b':')
        .next()
        .unwrap_or_default();
    if local == b"commentRel" {
        Rule::Drop
    } else {
        Rule::Keep
    }
}

/// Rebuilds one kept part. Returns what it removed inside the part.
pub(crate) fn rebuild(
    kind: Kind,
    name: &str,
    class: &Class,
    data: &[u8],
    gone: &BTreeSet<&str>,
    renamed: &BTreeMap<String, String>,
) -> Result<Rebuilt, String> {
    let mut changes = Vec::new();
    let bytes = match class {
        Class::Index if name == "[Content_Types].xml" => {
            let rule = |e: &BytesStart<'_>| {
                let part = xml::attr(e, b"PartName").unwrap_or_default();
                let part = part.trim_start_matches('/');
                if e.name().as_ref() == b"Override" && gone.contains(part) {
                    Rule::Drop
                } else {
                    Rule::Keep
                }
            };
            let (mut out, _) = xml::rewrite(data, &rule, &|_| false)?;
            // A renamed picture's extension needs a content type.
            let have = xml::values(&out, b"Default", b"Extension")?;
            let mut add = String::new();
            for new in renamed.values() {
                let ext = new.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
                let mime = crate::Format::from_extension(ext).map(|f| f.mime());
                if let Some(mime) = mime {
                    if !have.iter().any(|h| h.eq_ignore_ascii_case(ext))
                        && !add.contains(&format!("\"{ext}\""))
                    {
                        add.push_str(&format!(
                            "<Default Extension=\"{ext}\" ContentType=\"{mime}\"/>"
                        ));
                    }
                }
            }
            if !add.is_empty() {
                let at = memchr::memmem::rfind(&out, b"</Types>")
                    .ok_or("no </Types> in [Content_Types].xml")?;
                out.splice(at..at, add.into_bytes());
            }
            out
        }
        Class::Index => {
            let dir = rels_dir(name);
            let rule = |e: &BytesStart<'_>| {
                // The template's path names the author's folder
                // (`w:attachedTemplate`, which points here, is dropped too);
                // hyperlinks are the document's own content; any other
                // external link refused the package (`external_link`).
                if is_external(e) {
                    return match relationship_kind(e).as_str() {
                        "attachedTemplate" => Rule::Drop,
                        _ => Rule::Keep,
                    };
                }
                if e.name().as_ref() != b"Relationship" {
                    return Rule::Keep;
                }
                let target = resolve(&dir, &xml::attr(e, b"Target").unwrap_or_default());
                if gone.contains(target.as_str()) {
                    Rule::Drop
                } else {
                    Rule::Keep
                }
            };
            let (mut out, dropped) = xml::rewrite(data, &rule, &|_| false)?;
            if dropped > 0 {
                changes.push((
                    Category::Other,
                    format!("{dropped} link(s) to removed parts or to the template"),
                ));
            }
            for (old, new) in renamed {
                let (Some((_, o)), Some((_, n))) = (old.rsplit_once('/'), new.rsplit_once('/'))
                else {
                    continue;
                };
                let from = format!("/{o}\"");
                let to = format!("/{n}\"");
                out = String::from_utf8_lossy(&out)
                    .replace(&from, &to)
                    .into_bytes();
            }
            out
        }
        _ => {
            let (out, n) = match kind {
                Kind::Docx => xml::rewrite(data, &docx_rule, &|a| a.starts_with(b"w:rsid"))?,
                _ => xml::rewrite(data, &pptx_rule, &|_| false)?,
            };
            if n > 0 {
                changes.push((
                    Category::Comment,
                    format!("{n} revision mark(s) or comment anchor(s)"),
                ));
            }
            out
        }
    };
    Ok((bytes, changes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_parts_are_removed_and_unknown_parts_refuse() {
        let c = |n| classify(Kind::Pptx, n);
        assert_eq!(c("docProps/core.xml"), Class::Remove(Category::Owner));
        assert_eq!(
            c("docProps/thumbnail.jpeg"),
            Class::Remove(Category::Thumbnail)
        );
        assert_eq!(
            c("ppt/comments/comment1.xml"),
            Class::Remove(Category::Comment)
        );
        assert_eq!(c("ppt/media/image1.png"), Class::Picture);
        assert_eq!(c("ppt/slides/slide1.xml"), Class::Xml);
        assert_eq!(c("ppt/slides/_rels/slide1.xml.rels"), Class::Index);
        assert!(matches!(c("ppt/media/media1.mp4"), Class::Unchecked(_)));
        assert!(matches!(
            c("ppt/embeddings/oleObject1.bin"),
            Class::Unchecked(_)
        ));
        assert!(matches!(c("ppt/vbaProject.bin"), Class::Unchecked(_)));
        assert_eq!(
            classify(Kind::Docx, "word/comments.xml"),
            Class::Remove(Category::Comment)
        );
        assert_eq!(rels_dir("_rels/.rels"), "");
    }

    #[test]
    fn links_outside_the_package_refuse_except_hyperlinks_and_the_template() {
        let rels = |extra: &str| {
            Part {
            name: "word/_rels/document.xml.rels".into(),
            data: format!(
                r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://example.org/" TargetMode="External"/>{extra}</Relationships>"#
            )
            .into_bytes(),
        }
        };
        let found = |extra: &str| external_link(&[rels(extra)], &[Class::Index]).unwrap();
        assert_eq!(found(""), None);
        let template = r#"<Relationship Id="r2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" Target="file:///C:/Users/jdupont/Normal.dotm" TargetMode="External"/>"#;
        assert_eq!(found(template), None, "dropped when rebuilt, not refused");
        let (part, what) = found(
            r#"<Relationship Id="r3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="\\ward\photos\jdupont.jpg" TargetMode="External"/>"#,
        )
        .unwrap();
        assert_eq!(part, "word/_rels/document.xml.rels");
        assert!(
            what.contains("(image)") && !what.contains("jdupont"),
            "{what}"
        );
        // The rebuilt index keeps the hyperlink and drops the template.
        let gone = BTreeSet::new();
        let (out, _) = rebuild(
            Kind::Docx,
            "word/_rels/document.xml.rels",
            &Class::Index,
            &rels(template).data,
            &gone,
            &BTreeMap::new(),
        )
        .unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.contains("example.org") && !out.contains("jdupont"),
            "{out}"
        );
        assert_eq!(rels_dir("ppt/slides/_rels/slide1.xml.rels"), "ppt/slides");
    }
}
