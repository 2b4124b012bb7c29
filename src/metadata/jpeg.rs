//! The JPEG container: a walk over its marker segments and entropy-coded
//! scans, without decoding.
//!
//! Used to tell a complete file from a truncated one (decoders fill a missing
//! tail with grey rather than failing), to list what the file carries, to
//! count the pictures in it (frame headers, MPF index, images appended after
//! the end). Outputs are never made from this walk: `rebuild.rs` writes a
//! new file from the coefficients.

use super::{Category, Container, ContainerError, Hazard, exif, xmp};
use crate::format::Format;

/// One piece of a JPEG file, in file order.
///
/// ```
/// use phiscrub::metadata::jpeg::{layout, Piece};
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/jpeg_progressive.jpg");
/// let bytes = std::fs::read(path)?;
/// let pieces = layout(&bytes)?.pieces;
/// // Each scan directly follows its SOS (0xDA) segment; a progressive JPEG
/// // has several.
/// let mut scans = 0;
/// for pair in pieces.windows(2) {
///     if let [Piece::Segment { marker, offset, len }, Piece::Scan { offset: at, .. }] = *pair {
///         assert_eq!(marker, 0xDA);
///         assert_eq!(at, offset + len);
///         scans += 1;
///     }
/// }
/// assert!(scans > 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece {
    /// A marker segment with a length: `offset` is its `0xFF`, `len` covers
    /// marker, length field and payload.
    Segment {
        /// The marker byte after `0xFF` (`0xE1` for APP1, `0xDA` for SOS, ...).
        marker: u8,
        /// Byte offset in the file of the `0xFF` just before the marker (any
        /// fill bytes before it belong to no piece).
        offset: usize,
        /// Bytes from `offset` to the end of the payload.
        len: usize,
    },
    /// Entropy-coded data following an SOS segment, restart markers included.
    Scan {
        /// Byte offset in the file, just past the SOS segment.
        offset: usize,
        /// Bytes up to the `0xFF` of the next marker.
        len: usize,
    },
}

/// The layout of the first image in a JPEG file.
///
/// ```
/// use phiscrub::metadata::jpeg::layout;
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/jpeg_trailing_junk.jpg");
/// let bytes = std::fs::read(path)?;
/// let l = layout(&bytes)?;
/// // 200 bytes of vendor trailer after the end-of-image marker.
/// assert_eq!(&bytes[l.end - 2..l.end], &[0xFF, 0xD9]);
/// assert_eq!(l.trailing, 200);
/// assert_eq!(l.end + l.trailing, bytes.len());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Segments and scans from SOI to EOI, in file order; the SOI and EOI
    /// markers and length-less markers (RSTn, TEM) are not pieces.
    pub pieces: Vec<Piece>,
    /// Offset just past the EOI marker that ends the first image.
    pub end: usize,
    /// Bytes after that EOI (another image, a maker trailer, or padding).
    pub trailing: usize,
}

impl Layout {
    /// Marker segments only, as `(marker, offset, len)`.
    ///
    /// ```
    /// use phiscrub::metadata::jpeg::layout;
    /// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/jpeg_camera_everything.jpg");
    /// let bytes = std::fs::read(path)?;
    /// let markers: Vec<u8> = layout(&bytes)?.segments().map(|(marker, _, _)| marker).collect();
    /// // EXIF in APP1, the ICC profile in APP2, IPTC in APP13, a comment (COM).
    /// for m in [0xE1, 0xE2, 0xED, 0xFE] {
    ///     assert!(markers.contains(&m), "{m:#X} missing");
    /// }
    /// // The frame header and the start of scan are segments too.
    /// assert!(markers.contains(&0xC0) && markers.ends_with(&[0xDA]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn segments(&self) -> impl Iterator<Item = (u8, usize, usize)> + '_ {
        self.pieces.iter().filter_map(|p| match *p {
            Piece::Segment {
                marker,
                offset,
                len,
            } => Some((marker, offset, len)),
            Piece::Scan { .. } => None,
        })
    }
}

const SOI: u8 = 0xD8;
const EOI: u8 = 0xD9;
const SOS: u8 = 0xDA;
const APP0: u8 = 0xE0;
const APP2: u8 = 0xE2;
const APP14: u8 = 0xEE;
const COM: u8 = 0xFE;

fn truncated(what: &str) -> ContainerError {
    ContainerError::Truncated(what.to_string())
}

/// Walks the markers of the first image in `bytes` up to its EOI.
///
/// ```
/// use phiscrub::metadata::{jpeg, ContainerError};
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/photos/grace_hopper.jpg");
/// let bytes = std::fs::read(path)?;
/// let l = jpeg::layout(&bytes)?;
/// assert_eq!((l.end, l.trailing), (bytes.len(), 0));
/// // A decoder would show the first third of the photo and grey below it;
/// // the walk sees the scan never ends.
/// let cut = jpeg::layout(&bytes[..bytes.len() / 3]);
/// assert!(matches!(cut, Err(ContainerError::Truncated(_))));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn layout(bytes: &[u8]) -> Result<Layout, ContainerError> {
    if bytes.len() < 4 || bytes[0] != 0xFF || bytes[1] != SOI {
        return Err(ContainerError::Malformed("not a JPEG stream".into()));
    }
    let mut pieces = Vec::new();
    let mut pos = 2;
    let mut seen_frame = false;
    loop {
        if pos >= bytes.len() {
            return Err(truncated("before its end-of-image marker"));
        }
        if bytes[pos] != 0xFF {
            return Err(ContainerError::Malformed(format!(
                "no JPEG marker at byte {pos}"
            )));
        }
        // Fill bytes (runs of 0xFF) may precede a marker. They belong to no
        // piece: a segment starts at the 0xFF just before its marker, so that
        // its payload is where `payload` looks and a rewrite drops the fill
        // (left in place, fill after a dropped segment would be read as part
        // of the scan before it).
        while pos < bytes.len() && bytes[pos] == 0xFF {
            pos += 1;
        }
        let Some(&marker) = bytes.get(pos) else {
            return Err(truncated("inside a marker"));
        };
        let start = pos - 1;
        pos += 1;
        match marker {
            EOI => {
                if !seen_frame {
                    return Err(ContainerError::Malformed(
                        "the JPEG ends before any image data".into(),
                    ));
                }
                return Ok(Layout {
                    pieces,
                    end: pos,
                    trailing: bytes.len() - pos,
                });
            }
            SOI => {
                return Err(ContainerError::Malformed(format!(
                    "a second start-of-image marker at byte {start}"
                )));
            }
            // Standalone markers carry no length.
            0x01 | 0xD0..=0xD7 => continue,
            // 0xFF00 is a stuffed data byte, never a marker: outside a scan
            // the file is broken (and kept, it would merge into the scan
            // before it once the segments between them are dropped).
            0x00 => {
                return Err(ContainerError::Malformed(format!(
                    "a stuffed byte outside image data at byte {start}"
                )));
            }
            _ => {}
        }
        if pos + 2 > bytes.len() {
            return Err(truncated("inside a segment header"));
        }
        let len = u16::from_be_bytes([bytes[pos], bytes[pos + 1]]) as usize;
        if len < 2 {
            return Err(ContainerError::Malformed(format!(
                "a segment at byte {start} has an impossible length"
            )));
        }
        if pos + len > bytes.len() {
            return Err(truncated("inside a segment"));
        }
        pos += len;
        pieces.push(Piece::Segment {
            marker,
            offset: start,
            len: pos - start,
        });
        if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            seen_frame = true;
        }
        if marker == SOS {
            if !seen_frame {
                return Err(ContainerError::Malformed(
                    "image data comes before the frame header".into(),
                ));
            }
            let scan_end =
                skip_entropy_data(bytes, pos).ok_or_else(|| truncated("inside the image data"))?;
            pieces.push(Piece::Scan {
                offset: pos,
                len: scan_end - pos,
            });
            pos = scan_end;
        }
    }
}

/// Returns the offset of the first marker after entropy-coded data, skipping
/// stuffed zero bytes and restart markers, or `None` if the data runs out.
fn skip_entropy_data(bytes: &[u8], mut pos: usize) -> Option<usize> {
    // Scans are nearly all of a file; jumping from 0xFF to 0xFF with memchr
    // (SIMD) makes the walk several times faster than a byte loop.
    loop {
        pos += memchr::memchr(0xFF, bytes.get(pos..)?)?;
        match *bytes.get(pos + 1)? {
            0x00 | 0xD0..=0xD7 => pos += 2,
            0xFF => pos += 1,
            _ => return Some(pos),
        }
    }
}

fn payload(bytes: &[u8], offset: usize, len: usize) -> &[u8] {
    // Marker (2) and length (2) precede the payload.
    &bytes[offset + 4..offset + len]
}

/// Lists what a JPEG carries and counts the pictures in it.
///
/// ```
/// use phiscrub::metadata::jpeg;
/// use phiscrub::Category;
/// # let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/");
/// let camera = jpeg::examine(&std::fs::read(format!("{dir}jpeg_camera_everything.jpg"))?)?;
/// assert_eq!(camera.frames, 1);
/// assert!(camera.has_icc);
/// let found: Vec<Category> = camera.hazards.iter().map(|h| h.category).collect();
/// for expected in [Category::Gps, Category::Thumbnail, Category::Xmp, Category::Iptc, Category::Comment] {
///     assert!(found.contains(&expected), "{expected:?} missing from {found:?}");
/// }
/// // A second picture hidden after the first one's end.
/// let two = jpeg::examine(&std::fs::read(format!("{dir}jpeg_appended_image.jpg"))?)?;
/// assert_eq!(two.frames, 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn examine(bytes: &[u8]) -> Result<Container, ContainerError> {
    let layout = layout(bytes)?;
    let mut hazards = Vec::new();
    let mut has_icc = false;
    let mut orientation = None;
    let mut mpf_images = 0usize;
    let mut frame_headers = 0usize;
    let mut primary_xmp: &[u8] = &[];
    let mut size = None;
    for (marker, offset, len) in layout.segments() {
        let data = payload(bytes, offset, len);
        let app = |n: u8| format!("APP{}", n - APP0);
        match marker {
            APP0 if data.starts_with(b"JFIF\0") => {
                let (tw, th) = (data.get(12).copied(), data.get(13).copied());
                if let (Some(w), Some(h)) = (tw, th) {
                    if w > 0 && h > 0 {
                        hazards.push(Hazard::new(
                            Category::Thumbnail,
                            format!("JFIF thumbnail {w}×{h}"),
                        ));
                    }
                }
            }
            APP0 if data.starts_with(b"JFXX\0") => {
                hazards.push(Hazard::new(Category::Thumbnail, "JFXX thumbnail (APP0)"));
            }
            0xE1 if data.starts_with(b"Exif\0\0") => {
                let s = exif::analyse(&data[6..], false, "EXIF");
                orientation = orientation.or(s.orientation);
                hazards.extend(s.hazards);
            }
            0xE1 if data.starts_with(b"http://ns.adobe.com/xap/1.0/\0") => {
                primary_xmp = &data[29..];
                hazards.extend(xmp::hazards(&data[29..], "APP1"));
            }
            0xE1 if data.starts_with(b"http://ns.adobe.com/xmp/extension/\0") => {
                hazards.push(Hazard::new(Category::Xmp, "extended XMP in APP1"));
            }
            APP2 if data.starts_with(b"ICC_PROFILE\0") => has_icc = true,
            APP2 if data.starts_with(b"MPF\0") => {
                mpf_images = mpf_image_count(&data[4..]).unwrap_or(2);
            }
            0xED => hazards.extend(photoshop_hazards(data)),
            // The colour-transform flag is 12 bytes; anything past it is a
            // payload no decoder reads.
            APP14 if data.starts_with(b"Adobe") && data.len() == 12 => {}
            COM => hazards.push(Hazard::new(
                Category::Comment,
                format!(
                    "JPEG comment \"{}\"",
                    exif::short(&String::from_utf8_lossy(data))
                ),
            )),
            0xE0..=0xEF => hazards.push(Hazard::new(
                Category::Other,
                format!(
                    "{} segment \"{}\" ({} bytes)",
                    app(marker),
                    super::printable(data),
                    data.len()
                ),
            )),
            // Frame headers: one per picture (hierarchical mode is refused
            // by the decoders anyway).
            0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => {
                frame_headers += 1;
                size = size.or(frame_size(data));
            }
            // Coding tables, scan headers, restart interval, line count: what
            // decoding needs.
            0xC4 | 0xCC | 0xDA | 0xDB | 0xDC | 0xDD => {}
            // Reserved, JPGn, DHP, EXP and the like: bytes no reader shows.
            _ => hazards.push(Hazard::new(
                Category::Other,
                format!("segment with marker 0x{marker:02X} ({} bytes)", data.len()),
            )),
        }
    }
    if frame_headers > 1 {
        hazards.push(Hazard::new(
            Category::ExtraFrames,
            format!("{frame_headers} frame headers before the end of the image"),
        ));
    }

    let (appended, trailing) = appended_images(&bytes[layout.end..]);
    if trailing > 0 {
        hazards.push(Hazard::new(
            Category::TrailingData,
            format!("{trailing} bytes after the end of the image"),
        ));
    }
    // Maps derived from the primary (an HDR gain map, a depth map, a matte)
    // are dropped like any other metadata; every other appended image is a
    // picture of its own, and the file is refused unless `first_frame`.
    let semantics = container_semantics(primary_xmp);
    let mut separate = 0usize;
    let mut derived = 0usize;
    for (i, image) in appended.iter().enumerate() {
        let image = &bytes[layout.end + image.start..layout.end + image.end];
        match derived_map(image, semantics.get(i + 1).map(String::as_str), size) {
            Some(what) => {
                derived += 1;
                hazards.push(Hazard::new(
                    Category::DerivedMap,
                    format!("{what} after the picture (dropped)"),
                ));
            }
            None => separate += 1,
        }
    }
    // An MPF index declaring more images than were found accounts for them
    // as pictures: what it points at was not recognised as a map.
    let frames = (frame_headers.max(1) + separate).max(mpf_images.saturating_sub(derived));
    if frames > 1 {
        let how = match (mpf_images > 1, separate > 0) {
            (true, true) => {
                format!("an MPF index of {mpf_images} images; {separate} appended after the first")
            }
            (true, false) => format!("an MPF index of {mpf_images} images"),
            _ => format!("{separate} JPEG image(s) appended after the first"),
        };
        hazards.push(Hazard::new(
            Category::ExtraFrames,
            format!("{frames} pictures: {how}"),
        ));
    }
    Ok(Container {
        format: Format::Jpeg,
        frames,
        hazards,
        has_icc,
        orientation,
    })
}

/// Where each complete or partial JPEG image stored after the first lies
/// (offsets into `rest`), and how many other non-zero bytes follow them.
fn appended_images(rest: &[u8]) -> (Vec<std::ops::Range<usize>>, usize) {
    let mut images = Vec::new();
    let mut pos = 0;
    for _ in 0..64 {
        let skip = rest[pos..]
            .iter()
            .position(|&b| b != 0)
            .unwrap_or(rest.len() - pos);
        let start = pos + skip;
        if !rest[start..].starts_with(&[0xFF, SOI, 0xFF]) {
            break;
        }
        match layout(&rest[start..]) {
            Ok(l) => {
                images.push(start..start + l.end);
                pos = start + l.end;
            }
            // A damaged appended image is still a picture; whatever follows
            // it is part of it.
            Err(_) => {
                images.push(start..rest.len());
                return (images, 0);
            }
        }
    }
    (images, super::nonzero_trailing(&rest[pos..]))
}

/// Width and height from a frame header's payload.
fn frame_size(sof: &[u8]) -> Option<(u32, u32)> {
    let h = u16::from_be_bytes(sof.get(1..3)?.try_into().ok()?);
    let w = u16::from_be_bytes(sof.get(3..5)?.try_into().ok()?);
    Some((w as u32, h as u32))
}

/// `Item:Semantic` values of a GContainer/Container directory (Ultra HDR,
/// Dynamic Depth) in the primary's XMP, in file order: the first names the
/// primary, the next ones the images appended after it.
fn container_semantics(xmp: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(xmp);
    let mut out = Vec::new();
    let mut rest = text.as_ref();
    while let Some(at) = rest.find("Item:Semantic") {
        rest = &rest[at + "Item:Semantic".len()..];
        // Attribute (`Item:Semantic="GainMap"`) or element
        // (`<Item:Semantic>GainMap</Item:Semantic>`).
        let value = if let Some(v) = rest.strip_prefix("=\"") {
            v.split('"').next()
        } else if let Some(v) = rest.strip_prefix('>') {
            v.split('<').next()
        } else {
            continue;
        };
        out.push(value.unwrap_or_default().trim().to_string());
    }
    out
}

/// Names the map an appended image is, when both the file and the image say
/// it is one derived from the primary: a gain map (Ultra HDR, ISO 21496-1,
/// Apple), a depth or confidence map, a matte. The image must also be no
/// larger than the primary; whatever else it is counts as a picture.
fn derived_map(
    image: &[u8],
    semantic: Option<&str>,
    primary: Option<(u32, u32)>,
) -> Option<String> {
    let l = layout(image).ok()?;
    let mut own = None;
    let mut size = None;
    for (marker, offset, len) in l.segments() {
        let data = payload(image, offset, len);
        match marker {
            0xE1 if data.starts_with(b"http://ns.adobe.com/xap/1.0/\0") => {
                let xmp = &data[29..];
                let has = |s: &[u8]| memchr::memmem::find(xmp, s).is_some();
                if has(b"http://ns.adobe.com/hdr-gain-map/1.0/") {
                    own = own.or(Some("HDR gain map (Ultra HDR)"));
                } else if has(b"http://ns.apple.com/HDRGainMap/1.0/") {
                    own = own.or(Some("HDR gain map (Apple)"));
                } else if has(b"http://ns.apple.com/pixeldatainfo/1.0/") {
                    own = own.or(Some("auxiliary map (Apple depth or matte)"));
                }
            }
            APP2 if data.starts_with(b"urn:iso:std:iso:ts:21496:-1\0") => {
                own = own.or(Some("HDR gain map (ISO 21496-1)"));
            }
            0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => {
                size = size.or(frame_size(data));
            }
            _ => {}
        }
    }
    let declared = match semantic {
        Some("GainMap") => Some("HDR gain map"),
        Some("Depth") => Some("depth map"),
        Some("Confidence") => Some("depth confidence map"),
        _ => None,
    };
    let what = own.or(declared)?;
    let ((w, h), (pw, ph)) = (size?, primary?);
    (w <= pw && h <= ph).then(|| format!("{what} {w}×{h}"))
}

/// NumberOfImages (tag 0xB001) from an MPF segment's TIFF-structured index.
fn mpf_image_count(tiff: &[u8]) -> Option<usize> {
    let le = match tiff.get(0..4)? {
        b"II*\0" => true,
        b"MM\0*" => false,
        _ => return None,
    };
    let u16_at = |at: usize| -> Option<u16> {
        let b: [u8; 2] = tiff.get(at..at + 2)?.try_into().ok()?;
        Some(if le {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    };
    let u32_at = |at: usize| -> Option<u32> {
        let b: [u8; 4] = tiff.get(at..at + 4)?.try_into().ok()?;
        Some(if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    };
    let ifd = u32_at(4)? as usize;
    let count = u16_at(ifd)? as usize;
    (0..count.min(256)).find_map(|i| {
        let e = ifd + 2 + i * 12;
        (u16_at(e)? == 0xB001).then(|| u32_at(e + 8).map(|n| n as usize))?
    })
}

/// Hazards in a Photoshop APP13 segment: IPTC records, thumbnails, and other
/// image resource blocks.
fn photoshop_hazards(data: &[u8]) -> Vec<Hazard> {
    const SIG: &[u8] = b"Photoshop 3.0\0";
    if !data.starts_with(SIG) {
        return vec![Hazard::new(
            Category::Other,
            format!("APP13 segment \"{}\"", super::printable(data)),
        )];
    }
    let mut out = Vec::new();
    let (mut iptc, mut thumb, mut other) = (false, false, 0);
    let mut pos = SIG.len();
    while pos + 12 <= data.len() && &data[pos..pos + 4] == b"8BIM" {
        let id = super::be16(data, pos + 4).unwrap_or(0);
        let name_len = data[pos + 6] as usize;
        // Pascal name padded to an even length (length byte included).
        let name_total = (name_len + 1 + 1) & !1;
        let size_at = pos + 6 + name_total;
        let Some(size) = super::be32(data, size_at) else {
            break;
        };
        match id {
            0x0404 => iptc = true,
            0x0409 | 0x040C => thumb = true,
            _ => other += 1,
        }
        pos = size_at + 4 + ((size as usize + 1) & !1);
    }
    if iptc {
        out.push(Hazard::new(
            Category::Iptc,
            "IPTC records in Photoshop APP13",
        ));
    }
    if thumb {
        out.push(Hazard::new(
            Category::Thumbnail,
            "Photoshop thumbnail in APP13",
        ));
    }
    if other > 0 || (!iptc && !thumb) {
        out.push(Hazard::new(
            Category::Iptc,
            format!("Photoshop image resources in APP13 ({other} other block(s))"),
        ));
    }
    out
}

/// The SOS segments and entropy-coded data of the first image, concatenated
/// (what differs between two codings of the same picture).
///
/// ```
/// use phiscrub::metadata::jpeg;
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/jpeg_trailing_junk.jpg");
/// let bytes = std::fs::read(path)?;
/// let scans = jpeg::scan_data(&bytes)?;
/// // Starts at the first SOS marker; the trailer after the image is not part of it.
/// assert_eq!(&scans[..2], &[0xFF, 0xDA]);
/// assert!(scans.len() < bytes.len() - 200);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn scan_data(bytes: &[u8]) -> Result<Vec<u8>, ContainerError> {
    let layout = layout(bytes)?;
    let mut out = Vec::new();
    for piece in &layout.pieces {
        match *piece {
            Piece::Segment {
                marker: SOS,
                offset,
                len,
            }
            | Piece::Scan { offset, len } => out.extend_from_slice(&bytes[offset..offset + len]),
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal() -> Vec<u8> {
        let mut v = vec![0xFF, SOI];
        v.extend_from_slice(&[0xFF, APP0, 0x00, 0x10]);
        v.extend_from_slice(b"JFIF\0\x01\x02\x00\x00\x48\x00\x48\x00\x00");
        v.extend_from_slice(&[0xFF, 0xFE, 0x00, 0x05, b'h', b'i', b'!']); // COM
        v.extend_from_slice(&[0xFF, 0xE1, 0x00, 0x06, b'a', b'b', b'c', b'd']); // APP1 junk
        v.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x05, 8, 0, 1]); // SOF0 (short, not decoded)
        v.extend_from_slice(&[0xFF, SOS, 0x00, 0x02]);
        v.extend_from_slice(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD3, 0x56]); // data, stuffing, RST3
        v.extend_from_slice(&[0xFF, EOI]);
        v
    }

    #[test]
    fn walks_segments_and_finds_end() {
        let mut f = minimal();
        let l = layout(&f).unwrap();
        let markers: Vec<u8> = l.segments().map(|s| s.0).collect();
        assert_eq!(markers, vec![APP0, COM, 0xE1, 0xC0, SOS]);
        assert_eq!(l.end, f.len());
        assert_eq!(l.trailing, 0);
        f.extend_from_slice(b"second image");
        assert_eq!(layout(&f).unwrap().trailing, 12);
    }

    #[test]
    fn truncated_anywhere_is_an_error() {
        let f = minimal();
        for cut in 4..f.len() - 1 {
            assert!(layout(&f[..cut]).is_err(), "cut at {cut} accepted");
        }
        assert!(layout(b"GIF89a").is_err());
    }

    #[test]
    fn examine_reports_comment_trailing_and_appended_images() {
        let mut f = minimal();
        let c = examine(&f).unwrap();
        assert_eq!(c.frames, 1);
        let cats: Vec<Category> = c.hazards.iter().map(|h| h.category).collect();
        assert_eq!(cats, vec![Category::Comment, Category::Other]);

        f.extend_from_slice(b"MAKER-TRAILER");
        let c = examine(&f).unwrap();
        assert!(
            c.hazards
                .iter()
                .any(|h| h.category == Category::TrailingData)
        );
        assert_eq!(c.frames, 1);

        let mut two = minimal();
        two.extend_from_slice(&minimal());
        let c = examine(&two).unwrap();
        assert_eq!(c.frames, 2);
        assert!(
            c.hazards
                .iter()
                .any(|h| h.category == Category::ExtraFrames)
        );
        // Zero padding after the end is not data.
        let mut padded = minimal();
        padded.extend_from_slice(&[0; 32]);
        assert!(
            examine(&padded)
                .unwrap()
                .hazards
                .iter()
                .all(|h| h.category != Category::TrailingData)
        );
    }

    #[test]
    fn jfif_thumbnail_is_found_and_removed() {
        let mut f = minimal();
        // Xthumbnail = Ythumbnail = 1 (payload bytes 12 and 13, file bytes
        // 18 and 19) followed by one RGB thumbnail pixel.
        f[18] = 1;
        f[19] = 1;
        f[5] = 0x13;
        f.splice(20..20, [1, 2, 3]);
        let c = examine(&f).unwrap();
        assert!(c.hazards.iter().any(|h| h.category == Category::Thumbnail));
    }
}
