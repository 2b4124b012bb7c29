//! EXIF blocks (TIFF-structured), read with kamadak-exif and sorted into
//! [`Category`]s. Used for JPEG APP1, PNG eXIf, WebP EXIF chunks and whole
//! TIFF files.

use super::{Category, Hazard, xmp};
use exif::{Context, Field, In, Tag, Value};
use std::collections::BTreeMap;

/// What an EXIF block says.
///
/// ```
/// use phiscrub::metadata::exif::analyse;
/// use phiscrub::Category;
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/tiff_single_tags.tif");
/// // A whole TIFF file is one EXIF-structured block.
/// let summary = analyse(&std::fs::read(path)?, true, "TIFF");
/// let found: Vec<Category> = summary.hazards.iter().map(|h| h.category).collect();
/// for expected in [Category::Gps, Category::Device, Category::Owner, Category::Dates] {
///     assert!(found.contains(&expected), "{expected:?} missing from {found:?}");
/// }
/// // No Orientation tag: the pixels are stored upright.
/// assert_eq!(summary.orientation, None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Default)]
pub struct Summary {
    /// The block's identifying content, one hazard per category (GPS first,
    /// then XMP packets in tag 700, then uncategorised tags as `Other`).
    pub hazards: Vec<Hazard>,
    /// The primary IFD's Orientation tag (1–8); `None` when absent, out of
    /// range or the block does not parse. Not listed as a hazard.
    pub orientation: Option<u16>,
}

/// Sorts the fields of a raw TIFF-structured EXIF block into hazards. For a
/// whole TIFF file (`tiff_file`), the baseline image-layout tags are the
/// image's structure, not metadata, and later IFDs are pages, not thumbnails.
///
/// ```
/// use phiscrub::metadata::{exif::analyse, jpeg};
/// use phiscrub::Category;
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/jpeg_orientation6.jpg");
/// let bytes = std::fs::read(path)?;
/// // The EXIF block of a JPEG: the APP1 payload after "Exif\0\0".
/// let (_, offset, len) = jpeg::layout(&bytes)?
///     .segments()
///     .find(|&(marker, at, _)| marker == 0xE1 && bytes[at + 4..].starts_with(b"Exif\0\0"))
///     .unwrap();
/// let summary = analyse(&bytes[offset + 10..offset + len], false, "EXIF");
/// assert_eq!(summary.orientation, Some(6));
/// assert!(summary.hazards.iter().any(|h| h.category == Category::Gps));
///
/// // A block that does not parse is still reported, never ignored.
/// let broken = analyse(b"II*\0 not really EXIF", false, "EXIF");
/// assert_eq!(broken.hazards[0].category, Category::Other);
/// assert!(broken.hazards[0].detail.contains("cannot be parsed"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn analyse(raw: &[u8], tiff_file: bool, what: &str) -> Summary {
    let exif = match exif::Reader::new().read_raw(raw.to_vec()) {
        Ok(e) => e,
        Err(e) => {
            return Summary {
                hazards: vec![Hazard::new(
                    Category::Other,
                    format!("{what} that cannot be parsed ({e})"),
                )],
                orientation: None,
            };
        }
    };
    let mut groups: BTreeMap<Category, Vec<String>> = BTreeMap::new();
    let mut gps_fields = Vec::new();
    let mut other = 0usize;
    let mut thumb_bytes = None;
    let mut orientation = None;
    let mut packets = Vec::new();
    for f in exif.fields() {
        if f.ifd_num == In::PRIMARY && f.tag == Tag::Orientation {
            orientation = f
                .value
                .get_uint(0)
                .filter(|v| (1..=8).contains(v))
                .map(|v| v as u16);
            continue;
        }
        if f.ifd_num != In::PRIMARY && !tiff_file {
            if f.tag == Tag::JPEGInterchangeFormatLength {
                thumb_bytes = f.value.get_uint(0);
            }
            groups.entry(Category::Thumbnail).or_default();
            continue;
        }
        if f.tag.context() == Context::Gps {
            gps_fields.push(f);
            continue;
        }
        if f.tag.number() == 0x02BC {
            // An XMP packet stored as a TIFF tag: scan it like any other.
            packets.extend(xmp::hazards(
                &raw_bytes(&f.value),
                &format!("{what} (tag 700)"),
            ));
            continue;
        }
        match classify(f.tag) {
            Some(cat) => groups.entry(cat).or_default().push(describe(f)),
            None if is_structure(f.tag, tiff_file) => {}
            None => other += 1,
        }
    }
    let mut hazards = Vec::new();
    if !gps_fields.is_empty() {
        hazards.push(Hazard::new(Category::Gps, gps_detail(&gps_fields)));
    }
    for (cat, items) in groups {
        let detail = match cat {
            Category::Thumbnail => match thumb_bytes {
                Some(n) => format!("{what} thumbnail ({n} bytes)"),
                None => format!("{what} thumbnail image"),
            },
            Category::MakerNotes => format!("{what} MakerNote ({})", items.join("; ")),
            _ => items.join("; "),
        };
        hazards.push(Hazard::new(cat, detail));
    }
    hazards.extend(packets);
    if other > 0 {
        hazards.push(Hazard::new(
            Category::Other,
            format!("{what}: {other} other tag(s) (camera settings, structure)"),
        ));
    }
    Summary {
        hazards,
        orientation,
    }
}

fn classify(tag: Tag) -> Option<Category> {
    use Category::*;
    let n = tag.number();
    Some(match n {
        0x0132 | 0x9003 | 0x9004 | 0x9010..=0x9012 | 0x9290..=0x9292 => Dates,
        0x010F | 0x0110 | 0xA420 | 0xA431 | 0xA433..=0xA435 | 0xC614 | 0xC62F => Device,
        0x013B | 0x8298 | 0xA430 | 0x9C9D => Owner,
        0x0131 | 0x013C | 0x000B => Software,
        0x010E | 0x9286 | 0x9C9B | 0x9C9C | 0x9C9E | 0x9C9F | 0x010D | 0x011D => Comment,
        0x927C => MakerNotes,
        0x02BC => Xmp,
        0x83BB | 0x8649 => Iptc,
        // GeoTIFF: the image's position on Earth.
        0x830E | 0x8482 | 0x85D8 | 0x87AF..=0x87B1 => Gps,
        _ => return None,
    })
}

/// Tags that describe how the pixels are stored, or point to other IFDs.
fn is_structure(tag: Tag, tiff_file: bool) -> bool {
    let n = tag.number();
    let pointer = matches!(n, 0x8769 | 0x8825 | 0xA005 | 0x014A);
    let layout = matches!(
        n,
        0x00FE | 0x00FF | 0x0100..=0x0103 | 0x0106 | 0x0107 | 0x010A | 0x0111 | 0x0115..=0x0118
            | 0x011A..=0x011C | 0x0122 | 0x0123 | 0x0128 | 0x0129 | 0x012D | 0x013D..=0x0147
            | 0x014C | 0x014D | 0x0150..=0x0153 | 0x0156 | 0x0211..=0x0214 | 0x8773
    );
    pointer || (tiff_file && layout)
}

fn describe(f: &Field) -> String {
    let n = f.tag.number();
    let value = match &f.value {
        _ if matches!(n, 0x83BB | 0x8649 | 0x927C) => {
            return format!(
                "{} ({} bytes)",
                match n {
                    0x83BB => "IPTC-NAA record",
                    0x8649 => "Photoshop resources",
                    _ => "MakerNote",
                },
                raw_bytes(&f.value).len()
            );
        }
        Value::Byte(b) if (0x9C9B..=0x9C9F).contains(&n) => utf16le(b),
        // UserComment: an 8-byte character-set prefix, then the text.
        Value::Undefined(b, _) if n == 0x9286 && b.len() >= 8 => {
            let text = &b[8..];
            if b.starts_with(b"UNICODE\0") {
                utf16le(text)
            } else {
                String::from_utf8_lossy(text)
                    .trim_end_matches('\0')
                    .to_string()
            }
        }
        _ => f.display_value().to_string(),
    };
    format!("{} {}", f.tag, short(&value))
}

/// The bytes of a BYTE, UNDEFINED or LONG-array value (IPTC in TIFF is often
/// typed LONG).
fn raw_bytes(v: &Value) -> Vec<u8> {
    match v {
        Value::Byte(b) | Value::Undefined(b, _) => b.clone(),
        Value::Long(l) => l.iter().flat_map(|x| x.to_be_bytes()).collect(),
        Value::Ascii(a) => a.concat(),
        _ => Vec::new(),
    }
}

fn gps_detail(fields: &[&Field]) -> String {
    let get = |tag: Tag| fields.iter().find(|f| f.tag == tag);
    let coord = |v: Tag, r: Tag| -> Option<f64> {
        let val = get(v)?;
        let Value::Rational(parts) = &val.value else {
            return None;
        };
        let deg: f64 = parts
            .iter()
            .zip([1.0, 60.0, 3600.0])
            .map(|(p, d)| p.to_f64() / d)
            .sum();
        let sign = match get(r).map(|f| f.display_value().to_string()) {
            Some(s) if s.starts_with('S') || s.starts_with('W') => -1.0,
            _ => 1.0,
        };
        deg.is_finite().then_some(sign * deg)
    };
    match (
        coord(Tag::GPSLatitude, Tag::GPSLatitudeRef),
        coord(Tag::GPSLongitude, Tag::GPSLongitudeRef),
    ) {
        (Some(lat), Some(lon)) => format!(
            "GPS position {:.5} {}, {:.5} {} ({} GPS tags)",
            lat.abs(),
            if lat < 0.0 { 'S' } else { 'N' },
            lon.abs(),
            if lon < 0.0 { 'W' } else { 'E' },
            fields.len()
        ),
        _ => format!("{} GPS tags without a full position", fields.len()),
    }
}

fn utf16le(b: &[u8]) -> String {
    let units: Vec<u16> = b
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16_lossy(&units)
        .trim_end_matches('\0')
        .to_string()
}

/// Shortens a value for display, keeping it on one line.
pub(crate) fn short(s: &str) -> String {
    let one_line: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let t = one_line.trim();
    if t.chars().count() > 60 {
        format!("{}…", t.chars().take(60).collect::<String>())
    } else {
        t.to_string()
    }
}
