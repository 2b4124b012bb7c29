//! OpenDocument packages (`.odp`, `.odt`): which parts are kept, which are the
//! document's metadata, and how the kept XML is rebuilt.

use super::xml::{self, Rule};
use super::{Class, DocumentError, Kind, Part, Rebuilt};
use crate::metadata::Category;
use quick_xml::events::{BytesStart, Event};
use std::collections::{BTreeMap, BTreeSet};

/// What `name` is in an OpenDocument package.
pub(crate) fn classify(name: &str) -> Class {
    match name {
        "mimetype" => Class::Mimetype,
        "META-INF/manifest.xml" => Class::Index,
        "content.xml" | "styles.xml" => Class::Xml,
        // Author, dates, editing time, statistics, user fields.
        "meta.xml" => Class::Remove(Category::Owner),
        // Window layout, printer names and paths: optional.
        "settings.xml" => Class::Remove(Category::Software),
        "manifest.rdf" => Class::Remove(Category::Other),
        _ if name.starts_with("Thumbnails/") => Class::Remove(Category::Thumbnail),
        // The application's toolbars and menus: optional, empty in practice.
        _ if name.starts_with("Configurations2/") => Class::Remove(Category::Software),
        _ if name.starts_with("Pictures/") => {
            let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
            match ext.as_deref() {
                Some(
                    "png" | "jpg" | "jpeg" | "gif" | "bmp" | "tif" | "tiff" | "webp" | "heic"
                    | "heif",
                ) => Class::Picture,
                _ => Class::Unchecked("a picture that is not a photo format (vector drawing)"),
            }
        }
        _ => Class::Unchecked("an embedded object, macro or part phiscrub does not know"),
    }
}

/// Where each picture shows: `slide N` in a presentation, `document` in a
/// text.
pub(crate) fn places(
    kind: Kind,
    parts: &[Part],
) -> Result<BTreeMap<String, String>, DocumentError> {
    let mut out = BTreeMap::new();
    let Some(content) = parts.iter().find(|p| p.name == "content.xml") else {
        return Err(DocumentError::Damaged("no content.xml".into()));
    };
    let mut reader = quick_xml::Reader::from_reader(content.data.as_slice());
    let mut buf = Vec::new();
    let mut page = 0usize;
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| DocumentError::Damaged(format!("content.xml: {e}")))?;
        match event {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                b"draw:page" => page += 1,
                b"draw:image" => {
                    if let Some(href) = xml::attr(&e, b"xlink:href") {
                        let place = match kind {
                            Kind::Odp if page > 0 => format!("slide {page}"),
                            _ => "document".to_string(),
                        };
                        out.entry(href).or_insert(place);
                    }
                }
                _ => {}
            },
            _ => {}
        }
        buf.clear();
    }
    Ok(out)
}

/// The first picture, object or frame of `content.xml` or `styles.xml`
/// linked from outside the package (a path or an address rather than a part
/// of it): it would be fetched, unchecked, whenever the file is opened, and
/// its path often names a person's folder. Hyperlinks (`text:a`) are the
/// document's own content and stay.
pub(crate) fn external_link(parts: &[Part]) -> Result<Option<(String, String)>, DocumentError> {
    for p in parts
        .iter()
        .filter(|p| p.name == "content.xml" || p.name == "styles.xml")
    {
        let look = |e: &BytesStart<'_>| {
            let name = e.name();
            let linked = matches!(
                name.as_ref(),
                b"draw:image"
                    | b"draw:object"
                    | b"draw:object-ole"
                    | b"draw:plugin"
                    | b"draw:applet"
                    | b"draw:floating-frame"
                    | b"draw:fill-image"
                    | b"text:section-source"
            );
            let href = xml::attr(e, b"xlink:href")?;
            let outside = href.contains(':') || href.starts_with('/') || href.starts_with("..");
            (linked && outside).then(|| {
                format!(
                    "a link to a file outside the package ({}): what it shows cannot be \
                     checked, and its path may name a person; embed the file instead of linking it",
                    String::from_utf8_lossy(name.as_ref())
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

/// Comments (with their authors and dates) and tracked changes go; the text
/// reads as it shows.
fn content_rule(e: &BytesStart<'_>) -> Rule {
    match e.name().as_ref() {
        b"office:annotation"
        | b"office:annotation-end"
        | b"text:tracked-changes"
        | b"text:change"
        | b"text:change-start"
        | b"text:change-end" => Rule::Drop,
        _ => Rule::Keep,
    }
}

/// Rebuilds one kept part. Returns what it removed inside the part.
pub(crate) fn rebuild(
    class: &Class,
    data: &[u8],
    gone: &BTreeSet<&str>,
    renamed: &BTreeMap<String, String>,
) -> Result<Rebuilt, String> {
    let mut changes = Vec::new();
    let mut out = match class {
        Class::Index => {
            let rule = |e: &BytesStart<'_>| {
                let path = xml::attr(e, b"manifest:full-path").unwrap_or_default();
                let under_gone = gone
                    .iter()
                    .any(|g| path == *g || (path.ends_with('/') && g.starts_with(path.as_str())));
                if e.name().as_ref() == b"manifest:file-entry" && under_gone {
                    Rule::Drop
                } else {
                    Rule::Keep
                }
            };
            xml::rewrite(data, &rule, &|_| false)?.0
        }
        _ => {
            let (out, n) = xml::rewrite(data, &content_rule, &|_| false)?;
            if n > 0 {
                changes.push((
                    Category::Comment,
                    format!("{n} comment(s) or tracked change(s)"),
                ));
            }
            out
        }
    };
    for (old, new) in renamed {
        out = String::from_utf8_lossy(&out)
            .replace(&format!("{old}\""), &format!("{new}\""))
            .into_bytes();
        if *class == Class::Index {
            out = retype(&out, new);
        }
    }
    Ok((out, changes))
}

/// The manifest entry of renamed picture `path` gets its new media type.
fn retype(manifest: &[u8], path: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(manifest).into_owned();
    let ext = path.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let (Some(mime), Some(at)) = (
        crate::Format::from_extension(ext).map(|f| f.mime()),
        text.find(&format!("manifest:full-path=\"{path}\"")),
    ) else {
        return manifest.to_vec();
    };
    let start = text[..at].rfind('<').unwrap_or(0);
    let end = text[at..].find('>').map_or(text.len(), |e| at + e);
    let tag = &text[start..end];
    let Some(m) = tag.find("manifest:media-type=\"") else {
        return manifest.to_vec();
    };
    let value = m + "manifest:media-type=\"".len();
    let Some(close) = tag[value..].find('"') else {
        return manifest.to_vec();
    };
    let fixed = format!("{}{mime}{}", &tag[..value], &tag[value + close..]);
    format!("{}{fixed}{}", &text[..start], &text[end..]).into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_renamed_picture_gets_its_new_name_and_type_in_the_manifest() {
        let manifest = br#"<manifest:manifest><manifest:file-entry manifest:media-type="image/bmp" manifest:full-path="Pictures/a.bmp"/><manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
        let gone: BTreeSet<&str> = ["meta.xml"].into();
        let renamed: BTreeMap<String, String> =
            [("Pictures/a.bmp".to_string(), "Pictures/a.png".to_string())].into();
        let (out, _) = rebuild(&Class::Index, manifest, &gone, &renamed).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.contains(r#"manifest:media-type="image/png" manifest:full-path="Pictures/a.png""#),
            "{out}"
        );
        assert!(!out.contains("bmp") && !out.contains("meta.xml"), "{out}");
    }
}
