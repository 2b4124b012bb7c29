//! XMP packets: their presence is the hazard; a text scan for well-known
//! properties tells `inspect` what kind of data they hold.

use super::{Category, Hazard};

const PROPERTIES: &[(&str, Category)] = &[
    ("GPSLatitude", Category::Gps),
    ("GPSLongitude", Category::Gps),
    ("CreateDate", Category::Dates),
    ("ModifyDate", Category::Dates),
    ("DateCreated", Category::Dates),
    ("DateTimeOriginal", Category::Dates),
    ("MetadataDate", Category::Dates),
    ("dc:creator", Category::Owner),
    ("dc:rights", Category::Owner),
    ("tiff:Make", Category::Device),
    ("tiff:Model", Category::Device),
    ("SerialNumber", Category::Device),
    ("CreatorTool", Category::Software),
    ("dc:description", Category::Comment),
    ("dc:title", Category::Comment),
    ("dc:subject", Category::Comment),
    ("xmp:Thumbnails", Category::Thumbnail),
    ("xmpGImg:image", Category::Thumbnail),
];

/// Hazards for one XMP packet found at `place`.
pub(crate) fn hazards(packet: &[u8], place: &str) -> Vec<Hazard> {
    let text = String::from_utf8_lossy(packet);
    let mut out = vec![Hazard::new(
        Category::Xmp,
        format!("XMP packet in {place} ({} bytes)", packet.len()),
    )];
    let mut seen = Vec::new();
    for (prop, cat) in PROPERTIES {
        if text.contains(prop) && !seen.contains(cat) {
            seen.push(*cat);
            out.push(Hazard::new(*cat, format!("XMP property {prop} in {place}")));
        }
    }
    out
}
