//! Slide decks and documents (`.pptx`, `.docx`, `.odp`, `.odt`): zip packages
//! whose pictures are the clinician's photos.
//!
//! A package is rebuilt, never patched: every part is read, classified by
//! its name ([`ooxml`], [`odf`]), and a new package is written with only the
//! parts the format needs. Pictures go through the same [`Scrubber`] as any
//! photo, whole (a crop on the slide hides part of a picture but the file
//! still holds all of it). The document's own metadata (authors, dates,
//! thumbnails, comments, revision history, custom properties) is removed.
//! A part phiscrub cannot check (an embedded object, a video, a vector
//! picture, a macro) refuses the whole package, naming it, as does any
//! picture the pipeline refuses. The text of slides and pages is **not**
//! scrubbed.

mod odf;
mod ooxml;
mod xml;

use crate::metadata::Category;
use crate::{Finding, Format, ScrubError, Scrubber};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::{Cursor, Read, Write};

/// A kind of office package phiscrub rebuilds.
///
/// ```
/// use phiscrub::document::Kind;
/// assert_eq!(Kind::Odp.extension(), "odp");
/// assert_eq!(Kind::Pptx.to_string(), "PowerPoint deck");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// PowerPoint (Office Open XML presentation).
    Pptx,
    /// Word (Office Open XML document).
    Docx,
    /// OpenDocument presentation (LibreOffice Impress).
    Odp,
    /// OpenDocument text (LibreOffice Writer).
    Odt,
}

impl Kind {
    /// The file extension of this kind.
    ///
    /// ```
    /// assert_eq!(phiscrub::document::Kind::Docx.extension(), "docx");
    /// ```
    pub fn extension(&self) -> &'static str {
        match self {
            Kind::Pptx => "pptx",
            Kind::Docx => "docx",
            Kind::Odp => "odp",
            Kind::Odt => "odt",
        }
    }

    fn is_odf(&self) -> bool {
        matches!(self, Kind::Odp | Kind::Odt)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Pptx => "PowerPoint deck",
            Kind::Docx => "Word document",
            Kind::Odp => "OpenDocument presentation",
            Kind::Odt => "OpenDocument text",
        })
    }
}

/// Whether a file name has the extension of a package kind (`.pptx`, …): for
/// run-level warnings only; content decides what a file is ([`sniff`]).
///
/// ```
/// assert!(phiscrub::document::named_like_one(std::path::Path::new("cours/Plaies.PPTX")));
/// assert!(!phiscrub::document::named_like_one(std::path::Path::new("a.jpg")));
/// ```
pub fn named_like_one(path: &std::path::Path) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    ["pptx", "docx", "odp", "odt"]
        .iter()
        .any(|k| ext.eq_ignore_ascii_case(k))
}

/// Recognises an office package by its content (a zip holding the parts of
/// one of the four kinds); file names are not trusted.
///
/// ```
/// use phiscrub::document::{sniff, Kind};
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/documents/deck.pptx");
/// assert_eq!(sniff(&std::fs::read(path)?), Some(Kind::Pptx));
/// assert_eq!(sniff(b"PK\x03\x04 not really a zip"), None);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn sniff(bytes: &[u8]) -> Option<Kind> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return None;
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    if let Ok(mut m) = zip.by_name("mimetype") {
        let mut t = String::new();
        m.by_ref().take(100).read_to_string(&mut t).ok()?;
        return match t.trim() {
            "application/vnd.oasis.opendocument.presentation" => Some(Kind::Odp),
            "application/vnd.oasis.opendocument.text" => Some(Kind::Odt),
            _ => None,
        };
    }
    let has = |n: &str| zip.index_for_name(n).is_some();
    if !has("[Content_Types].xml") {
        None
    } else if has("ppt/presentation.xml") {
        Some(Kind::Pptx)
    } else if has("word/document.xml") {
        Some(Kind::Docx)
    } else {
        None
    }
}

/// A picture of the package, as scrubbed.
///
/// ```
/// use phiscrub::{document, Config, Scrubber};
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/documents/slides.odp");
/// let scrubber = Scrubber::new(Config::default())?;
/// let safe = document::scrub(&scrubber, &std::fs::read(path)?)?;
/// let photo = &safe.pictures[0];
/// assert_eq!((photo.part.as_str(), photo.place.as_str()), ("Pictures/hopper.jpg", "slide 2"));
/// assert!(!photo.findings.is_empty(), "the face was covered");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Picture {
    /// Its part name in the output package.
    pub part: String,
    /// Where it shows: `slide 3`, `slide layout`, `document`, …
    pub place: String,
    /// What was found and covered, in the picture's upright pixels.
    pub findings: Vec<Finding>,
    /// The regions filled, `filled[i]` covering `findings[i]`.
    pub filled: Vec<crate::geometry::Rect>,
    /// The kinds of metadata the picture carried (all removed).
    pub removed: Vec<Category>,
}

/// A package made safe: the new bytes and what was done.
///
/// ```no_run
/// use phiscrub::{document, Config, Scrubber};
/// let scrubber = Scrubber::new(Config::default())?;
/// let deck = std::fs::read("lecture.pptx")?;
/// let safe = document::scrub(&scrubber, &deck)?;
/// for p in &safe.pictures {
///     println!("{} ({}): {} covered", p.part, p.place, p.findings.len());
/// }
/// std::fs::write("lecture-clean.pptx", &safe.bytes)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Scrubbed {
    /// What the package is.
    pub kind: Kind,
    /// The rebuilt package.
    pub bytes: Vec<u8>,
    /// Every picture, scrubbed.
    pub pictures: Vec<Picture>,
    /// The document's own metadata removed, by kind (authors, dates,
    /// thumbnail, comments, revisions).
    pub removed: Vec<Category>,
    /// What was removed, part by part, for the report.
    pub removed_parts: Vec<String>,
}

/// Why a package was not exported.
///
/// ```
/// use phiscrub::document::{self, DocumentError};
/// use phiscrub::{Config, Scrubber};
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/documents/deck_embedded_object.pptx");
/// let scrubber = Scrubber::new(Config::default())?;
/// let e = document::scrub(&scrubber, &std::fs::read(path)?).unwrap_err();
/// assert!(matches!(&e, DocumentError::Unchecked { part, .. } if part == "ppt/embeddings/oleObject1.bin"));
/// assert!(e.is_refusal() && e.reason_code() == "unsupported");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum DocumentError {
    /// The zip or one of the parts it needs cannot be read.
    Damaged(String),
    /// A part phiscrub cannot check: the package is refused as a whole.
    Unchecked {
        /// The part's name in the package.
        part: String,
        /// What it is and why it is not checked.
        what: String,
    },
    /// A picture was refused or could not be read.
    Picture {
        /// The picture's part name.
        part: String,
        /// Where it shows (`slide 3`).
        place: String,
        /// What the pipeline said of it.
        error: ScrubError,
    },
}

impl DocumentError {
    /// A stable code for reports, as [`ScrubError::reason_code`] gives.
    ///
    /// ```
    /// use phiscrub::document::DocumentError;
    /// assert_eq!(DocumentError::Damaged("no zip".into()).reason_code(), "corrupt");
    /// ```
    pub fn reason_code(&self) -> &'static str {
        match self {
            DocumentError::Damaged(_) => "corrupt",
            DocumentError::Unchecked { .. } => "unsupported",
            DocumentError::Picture { error, .. } => error.reason_code(),
        }
    }

    /// Whether the package was refused (rather than unreadable).
    ///
    /// ```
    /// use phiscrub::document::DocumentError;
    /// assert!(!DocumentError::Damaged("no zip".into()).is_refusal());
    /// ```
    pub fn is_refusal(&self) -> bool {
        match self {
            DocumentError::Damaged(_) => false,
            DocumentError::Unchecked { .. } => true,
            DocumentError::Picture { error, .. } => matches!(error, ScrubError::Refused(_)),
        }
    }
}

impl fmt::Display for DocumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DocumentError::Damaged(d) => write!(
                f,
                "the package cannot be read ({d}); save it again from its application and run again"
            ),
            DocumentError::Unchecked { part, what } => write!(
                f,
                "{part} is {what}, which phiscrub cannot check; nothing was written. \
                 Remove it from the document (or replace it with a PNG or JPEG picture) and run again"
            ),
            DocumentError::Picture { part, place, error } => {
                write!(f, "picture {part} ({place}): {error}")
            }
        }
    }
}

impl std::error::Error for DocumentError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DocumentError::Picture { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// What a part of a package is, and what the rebuild does with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    /// Needed, rebuilt through the kind's XML rules.
    Xml,
    /// The package's index of parts (`[Content_Types].xml`, relationships,
    /// the ODF manifest): rebuilt without the removed parts.
    Index,
    /// ODF's `mimetype`, written first and stored.
    Mimetype,
    /// A picture: scrubbed.
    Picture,
    /// The document's metadata: removed.
    Remove(Category),
    /// Nothing phiscrub can check.
    Unchecked(&'static str),
}

/// A rebuilt part, and what was removed inside it (for the report).
pub(crate) type Rebuilt = (Vec<u8>, Vec<(Category, String)>);

/// Limits that keep a hostile zip from exhausting memory.
const MAX_PARTS: usize = 20_000;
const MAX_TOTAL: u64 = 4 << 30;

struct Part {
    name: String,
    data: Vec<u8>,
}

/// The parts of a package, and what its zip structure holds beyond them
/// (comments, extra fields, bytes around the archive): never written again,
/// but reported, so that `check` does not call such a file clean.
fn read_parts(bytes: &[u8]) -> Result<(Vec<Part>, Vec<String>), DocumentError> {
    let damaged = |e: String| DocumentError::Damaged(e);
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| damaged(e.to_string()))?;
    if zip.len() > MAX_PARTS {
        return Err(damaged(format!("{} parts", zip.len())));
    }
    let mut hidden = Vec::new();
    if !zip.comment().is_empty() {
        hidden.push(format!("a {}-byte comment on the zip", zip.comment().len()));
    }
    if zip.offset() > 0 {
        hidden.push(format!("{} bytes before the zip", zip.offset()));
    }
    let after = trailing_after_zip(bytes);
    if after > 0 {
        hidden.push(format!("{after} bytes after the zip"));
    }
    let (mut commented, mut extra) = (0usize, 0usize);
    let mut parts = Vec::with_capacity(zip.len());
    let mut names = BTreeSet::new();
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).map_err(|e| damaged(e.to_string()))?;
        if f.encrypted() {
            return Err(damaged(format!("{} is encrypted", f.name())));
        }
        commented += usize::from(!f.comment().is_empty());
        // The local header's extra field (offset 28) may differ from the
        // central directory's.
        let local = f.header_start() as usize;
        let local_extra = bytes
            .get(local + 28..local + 30)
            .map_or(0, |b| u16::from_le_bytes([b[0], b[1]]));
        extra += usize::from(f.extra_data().is_some_and(|e| !e.is_empty()) || local_extra > 0);
        if f.is_dir() {
            continue;
        }
        let name = f.name().to_string();
        if !names.insert(name.clone()) {
            return Err(damaged(format!("two parts named {name}")));
        }
        // The declared size is a claim; the read is bounded by what is left.
        let room = MAX_TOTAL - total;
        let mut data = Vec::with_capacity(f.size().min(room).min(64 << 20) as usize);
        f.by_ref()
            .take(room + 1)
            .read_to_end(&mut data)
            .map_err(|e| damaged(format!("{name}: {e}")))?;
        total += data.len() as u64;
        if total > MAX_TOTAL {
            return Err(damaged("over 4 GiB uncompressed".into()));
        }
        parts.push(Part { name, data });
    }
    if commented > 0 {
        hidden.push(format!("comments on {commented} zip entries"));
    }
    if extra > 0 {
        hidden.push(format!(
            "extra fields (times, owner ids or other data) on {extra} zip entries"
        ));
    }
    Ok((parts, hidden))
}

/// Bytes after the zip's end-of-central-directory record and its comment.
fn trailing_after_zip(bytes: &[u8]) -> usize {
    // The record is at least 22 bytes; its comment at most 65,535.
    let from = bytes.len().saturating_sub(22 + 65_535);
    let Some(at) = memchr::memmem::rfind(&bytes[from..], b"PK\x05\x06").map(|i| from + i) else {
        return 0;
    };
    let comment = bytes
        .get(at + 20..at + 22)
        .map_or(0, |b| u16::from_le_bytes([b[0], b[1]]) as usize);
    bytes.len().saturating_sub(at + 22 + comment)
}

/// Rebuilds a package: its pictures scrubbed by `scrubber`, its metadata
/// removed. Refuses the whole package when any picture is refused or any part
/// cannot be checked.
///
/// ```
/// use phiscrub::{document, Category, Config, Scrubber};
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/documents/memo.docx");
/// let scrubber = Scrubber::new(Config::default())?;
/// let safe = document::scrub(&scrubber, &std::fs::read(path)?)?;
/// // The author and dates (docProps/core.xml) and the comments are gone.
/// assert!(safe.removed.contains(&Category::Owner) && safe.removed.contains(&Category::Comment));
/// assert_eq!(document::sniff(&safe.bytes), Some(document::Kind::Docx));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn scrub(scrubber: &Scrubber, bytes: &[u8]) -> Result<Scrubbed, DocumentError> {
    let kind = sniff(bytes)
        .ok_or_else(|| DocumentError::Damaged("not a pptx, docx, odp or odt package".into()))?;
    let (parts, hidden) = read_parts(bytes)?;
    let classes: Vec<Class> = parts
        .iter()
        .map(|p| match kind {
            Kind::Pptx | Kind::Docx => ooxml::classify(kind, &p.name),
            Kind::Odp | Kind::Odt => odf::classify(&p.name),
        })
        .collect();
    if let Some((p, Class::Unchecked(what))) = parts
        .iter()
        .zip(&classes)
        .find(|(_, c)| matches!(c, Class::Unchecked(_)))
    {
        return Err(DocumentError::Unchecked {
            part: p.name.clone(),
            what: what.to_string(),
        });
    }
    let linked = match kind {
        Kind::Pptx | Kind::Docx => ooxml::external_link(&parts, &classes)?,
        Kind::Odp | Kind::Odt => odf::external_link(&parts)?,
    };
    if let Some((part, what)) = linked {
        return Err(DocumentError::Unchecked { part, what });
    }

    let places = match kind {
        Kind::Pptx | Kind::Docx => ooxml::places(kind, &parts)?,
        Kind::Odp | Kind::Odt => odf::places(kind, &parts)?,
    };
    let place_of = |name: &str| {
        places
            .get(name)
            .cloned()
            .unwrap_or_else(|| "not shown on any page".to_string())
    };

    // Pictures, in parallel: a deck may hold dozens of photos.
    let pictures: Vec<(usize, Result<crate::Scrubbed, ScrubError>)> = parts
        .par_iter()
        .enumerate()
        .filter(|(i, _)| classes[*i] == Class::Picture)
        .map(|(i, p)| (i, scrubber.scrub(&p.data)))
        .collect();
    let mut scrubbed: BTreeMap<usize, crate::Scrubbed> = BTreeMap::new();
    for (i, r) in pictures {
        match r {
            Ok(s) => {
                scrubbed.insert(i, s);
            }
            Err(error) => {
                return Err(DocumentError::Picture {
                    part: parts[i].name.clone(),
                    place: place_of(&parts[i].name),
                    error,
                });
            }
        }
    }

    // Pictures whose format changed (HEIC → JPEG, BMP → PNG) change name.
    let mut renamed: BTreeMap<String, String> = BTreeMap::new();
    for (&i, s) in &scrubbed {
        let name = &parts[i].name;
        let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        if Format::from_extension(ext) != Some(s.format) {
            let stem = name.rsplit_once('.').map(|(s, _)| s).unwrap_or(name);
            renamed.insert(name.clone(), format!("{stem}.{}", s.format.extension()));
        }
    }

    let mut removed = BTreeSet::new();
    let mut removed_parts = Vec::new();
    if !hidden.is_empty() {
        removed.insert(Category::TrailingData);
        removed_parts.extend(hidden);
    }
    let gone: BTreeSet<&str> = parts
        .iter()
        .zip(&classes)
        .filter_map(|(p, c)| match c {
            Class::Remove(cat) => {
                removed.insert(*cat);
                removed_parts.push(p.name.clone());
                Some(p.name.as_str())
            }
            _ => None,
        })
        .collect();

    let mut out: Vec<(String, Vec<u8>, bool)> = Vec::with_capacity(parts.len());
    let mut report = Vec::new();
    for (i, (p, class)) in parts.iter().zip(&classes).enumerate() {
        let rebuilt = match class {
            Class::Remove(_) | Class::Unchecked(_) => continue,
            Class::Mimetype => p.data.clone(),
            Class::Picture => {
                let s = &scrubbed[&i];
                let name = renamed.get(&p.name).unwrap_or(&p.name).clone();
                report.push(Picture {
                    part: name.clone(),
                    place: place_of(&p.name),
                    findings: s.findings.clone(),
                    filled: s.filled.clone(),
                    removed: s.removed.clone(),
                });
                out.push((name, s.bytes.clone(), false));
                continue;
            }
            Class::Index | Class::Xml => {
                let (data, changes) = match kind {
                    Kind::Pptx | Kind::Docx => {
                        ooxml::rebuild(kind, &p.name, class, &p.data, &gone, &renamed)
                    }
                    Kind::Odp | Kind::Odt => odf::rebuild(class, &p.data, &gone, &renamed),
                }
                .map_err(|e| DocumentError::Damaged(format!("{}: {e}", p.name)))?;
                for (cat, what) in changes {
                    removed.insert(cat);
                    removed_parts.push(format!("{} in {}", what, p.name));
                }
                data
            }
        };
        out.push((p.name.clone(), rebuilt, *class == Class::Mimetype));
    }
    if kind.is_odf() {
        // ODF readers find the type in the first entry, stored.
        out.sort_by_key(|(_, _, first)| !*first);
    }
    let bytes = write_zip(&out).map_err(DocumentError::Damaged)?;
    Ok(Scrubbed {
        kind,
        bytes,
        pictures: report,
        removed: removed.into_iter().collect(),
        removed_parts,
    })
}

fn write_zip(parts: &[(String, Vec<u8>, bool)]) -> Result<Vec<u8>, String> {
    use zip::write::SimpleFileOptions;
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data, stored) in parts {
        // No timestamps, permissions or comments from the input: a fixed date.
        let opts = SimpleFileOptions::default()
            .compression_method(if *stored {
                zip::CompressionMethod::Stored
            } else {
                zip::CompressionMethod::Deflated
            })
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(0o644);
        w.start_file(name.as_str(), opts)
            .map_err(|e| format!("writing {name}: {e}"))?;
        w.write_all(data)
            .map_err(|e| format!("writing {name}: {e}"))?;
    }
    w.finish()
        .map(|c| c.into_inner())
        .map_err(|e| format!("finishing the package: {e}"))
}

/// A part named by a path relative to the folder of `from` (`../media/a.png`
/// from `ppt/slides/slide1.xml`), as a package path.
pub(crate) fn resolve(from_dir: &str, target: &str) -> String {
    let mut parts: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        from_dir.split('/').filter(|s| !s.is_empty()).collect()
    };
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_targets_resolve_inside_the_package() {
        assert_eq!(
            resolve("ppt/slides", "../media/image1.png"),
            "ppt/media/image1.png"
        );
        assert_eq!(resolve("word", "media/a.jpeg"), "word/media/a.jpeg");
        assert_eq!(
            resolve("ppt/slides", "/docProps/core.xml"),
            "docProps/core.xml"
        );
        assert_eq!(resolve("", "../../etc/passwd"), "etc/passwd");
    }
}
