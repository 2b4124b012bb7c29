//! The PNG container: a chunk walk with length and CRC checks, what the
//! chunks reveal (colour chunks of the wrong size and bytes after the
//! compressed pixels included), and how many pictures (APNG frames) the file
//! holds. Outputs are always encoded from pixels.

use super::{Category, Container, ContainerError, Hazard, exif, xmp};
use crate::format::Format;

const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// One chunk: its type, the offset of its length field, and its data length.
///
/// ```
/// use phiscrub::metadata::png::layout;
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/png_text_chunks.png");
/// let bytes = std::fs::read(path)?;
/// let chunks = layout(&bytes)?.chunks;
/// assert_eq!(&chunks[0].kind, b"IHDR");
/// assert_eq!((chunks[0].offset, chunks[0].len), (8, 13)); // just after the signature
/// let text = chunks.iter().find(|c| &c.kind == b"tEXt").unwrap();
/// // Chunks follow one another: length, type, data, CRC.
/// let next = chunks.iter().find(|c| c.offset > text.offset).unwrap();
/// assert_eq!(next.offset, text.offset + 12 + text.len);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunk {
    /// The four-letter chunk type (`IHDR`, `tEXt`, ...), ASCII letters only.
    pub kind: [u8; 4],
    /// Byte offset in the file of the chunk's length field.
    pub offset: usize,
    /// Length of the chunk's data alone; the whole chunk is 12 bytes more.
    pub len: usize,
}

impl Chunk {
    /// The chunk's data, without its length, type and CRC.
    ///
    /// ```
    /// use phiscrub::metadata::png::layout;
    /// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/png_text_chunks.png");
    /// let bytes = std::fs::read(path)?;
    /// let l = layout(&bytes)?;
    /// let ihdr = l.chunks[0].data(&bytes);
    /// assert_eq!(u32::from_be_bytes(ihdr[0..4].try_into()?), l.width);
    /// // A tEXt chunk: keyword, NUL, text.
    /// let text = l.chunks.iter().find(|c| &c.kind == b"tEXt").unwrap().data(&bytes);
    /// assert!(text.contains(&0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn data<'a>(&self, bytes: &'a [u8]) -> &'a [u8] {
        &bytes[self.offset + 8..self.offset + 8 + self.len]
    }

    /// The whole chunk: length, type, data and CRC.
    ///
    /// ```
    /// use phiscrub::metadata::png::layout;
    /// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/png_rgba.png");
    /// let bytes = std::fs::read(path)?;
    /// let iend = *layout(&bytes)?.chunks.last().unwrap();
    /// let raw = iend.raw(&bytes);
    /// // Length 0, type IEND, no data, CRC: 12 bytes, copied as they are.
    /// assert_eq!(raw.len(), 12);
    /// assert_eq!(&raw[4..8], b"IEND");
    /// assert_eq!(&raw[8..], &crc32fast::hash(b"IEND").to_be_bytes());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn raw<'a>(&self, bytes: &'a [u8]) -> &'a [u8] {
        &bytes[self.offset..self.offset + 12 + self.len]
    }

    fn is(&self, kind: &[u8; 4]) -> bool {
        &self.kind == kind
    }
}

/// The layout of a PNG file.
///
/// ```
/// use phiscrub::metadata::png::layout;
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/png_16bit.png");
/// let bytes = std::fs::read(path)?;
/// let l = layout(&bytes)?;
/// assert_eq!((l.width, l.height), (72, 48));
/// assert_eq!(&l.chunks.last().unwrap().kind, b"IEND");
/// assert_eq!(l.end, bytes.len()); // nothing after IEND
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Every chunk from IHDR (always first) to IEND (always last), in file
    /// order, each with its CRC checked.
    pub chunks: Vec<Chunk>,
    /// Offset just past the IEND chunk.
    pub end: usize,
    /// Picture width in pixels, from IHDR (never 0), as stored: before any
    /// EXIF orientation in an eXIf chunk is applied.
    pub width: u32,
    /// Picture height in pixels, from IHDR (never 0).
    pub height: u32,
}

/// Chunks that describe the pixels or their colours: not hazards when their
/// size is the one the specification gives (see `size_fits`).
const KEEP: [&[u8; 4]; 12] = [
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"sBIT", b"cICP",
    b"mDCv", b"cLLi",
];

/// Ancillary chunks that carry nothing identifying; not hazards, but not kept.
const HARMLESS: [&[u8; 4]; 3] = [b"pHYs", b"bKGD", b"hIST"];

/// Whether a colour or layout chunk has the size its kind has for this colour
/// type; a larger one carries bytes no viewer shows. A palette on a truecolour
/// image (a suggestion viewers ignore) and one on a grey image count as wrong.
fn size_fits(kind: &[u8; 4], len: usize, colour_type: u8) -> bool {
    match kind {
        b"IHDR" => len == 13,
        b"IEND" => len == 0,
        b"PLTE" => colour_type == 3 && len % 3 == 0 && (3..=768).contains(&len),
        b"gAMA" | b"cICP" => len == 4,
        b"cHRM" => len == 32,
        b"sRGB" => len == 1,
        b"sBIT" => (1..=4).contains(&len),
        b"mDCv" => len == 24,
        b"cLLi" => len == 8,
        b"pHYs" => len == 9,
        b"bKGD" => matches!(len, 1 | 2 | 6),
        b"hIST" => len % 2 == 0 && len <= 512,
        b"tRNS" => match colour_type {
            0 => len == 2,
            2 => len == 6,
            3 => len <= 256,
            _ => false,
        },
        _ => true,
    }
}

/// Bytes in IDAT after the end of the zlib stream (no decoder reads them),
/// or more decompressed data than the picture needs. `None` when there are
/// none, or when the stream is damaged (the decoder refuses it then).
/// Inflation stops at twice the size the picture needs, so a compression
/// bomb costs no more than the decoder would be allowed to spend.
fn after_compressed_pixels(layout: &Layout, bytes: &[u8]) -> Option<usize> {
    use miniz_oxide::inflate::stream::{InflateState, inflate};
    use miniz_oxide::{DataFormat, MZFlush, MZStatus};
    let ihdr = layout.chunks[0].data(bytes);
    let (depth, colour_type) = (*ihdr.get(8)? as u64, *ihdr.get(9)?);
    let channels = match colour_type {
        0 | 3 => 1,
        4 => 2,
        2 => 3,
        _ => 4,
    };
    let row = (layout.width as u64 * channels * depth).div_ceil(8) + 1;
    let limit = (row * layout.height as u64)
        .saturating_mul(2)
        .saturating_add(1 << 16);
    let data = image_data(bytes).ok()?;
    let mut state = InflateState::new_boxed(DataFormat::Zlib);
    let mut sink = vec![0u8; 1 << 16];
    let (mut at, mut written) = (0usize, 0u64);
    loop {
        let r = inflate(&mut state, &data[at..], &mut sink, MZFlush::None);
        at += r.bytes_consumed;
        written += r.bytes_written as u64;
        if written > limit {
            return Some(data.len() - at);
        }
        match r.status {
            Ok(MZStatus::StreamEnd) => return (at < data.len()).then_some(data.len() - at),
            Ok(_) if r.bytes_consumed > 0 || r.bytes_written > 0 => {}
            _ => return None,
        }
    }
}

/// Walks the chunks up to IEND, checking every length and CRC.
///
/// ```
/// use phiscrub::metadata::{png, ContainerError};
/// # let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/");
/// let good = png::layout(&std::fs::read(format!("{dir}png_palette.png"))?)?;
/// assert!(good.chunks.iter().any(|c| &c.kind == b"PLTE"));
/// // One flipped bit in an IDAT checksum and the file is refused.
/// let bad = png::layout(&std::fs::read(format!("{dir}bad_png_crc.png"))?);
/// assert!(matches!(bad, Err(ContainerError::BadChecksum(_))));
/// let overrun = png::layout(&std::fs::read(format!("{dir}bad_png_chunk_overrun.png"))?);
/// assert!(matches!(overrun, Err(ContainerError::Truncated(_))));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn layout(bytes: &[u8]) -> Result<Layout, ContainerError> {
    if !bytes.starts_with(SIGNATURE) {
        return Err(ContainerError::Malformed("not a PNG stream".into()));
    }
    let mut chunks = Vec::new();
    let mut pos = SIGNATURE.len();
    loop {
        let Some(len) = super::be32(bytes, pos) else {
            return Err(ContainerError::Truncated("before its IEND chunk".into()));
        };
        let kind: [u8; 4] = bytes
            .get(pos + 4..pos + 8)
            .and_then(|k| k.try_into().ok())
            .ok_or_else(|| ContainerError::Truncated("inside a chunk header".into()))?;
        let name = super::printable(&kind);
        if !kind.iter().all(u8::is_ascii_alphabetic) {
            return Err(ContainerError::Malformed(format!(
                "a chunk at byte {pos} has an invalid type"
            )));
        }
        let len = len as usize;
        if len > 0x7FFF_FFFF {
            return Err(ContainerError::Malformed(format!(
                "chunk {name} claims an impossible length"
            )));
        }
        let end = pos + 12 + len;
        if end > bytes.len() {
            return Err(ContainerError::Truncated(format!(
                "inside chunk {name} (its length runs past the end of the file)"
            )));
        }
        let stored = super::be32(bytes, pos + 8 + len).unwrap_or(0);
        if crc32fast::hash(&bytes[pos + 4..pos + 8 + len]) != stored {
            return Err(ContainerError::BadChecksum(format!("PNG chunk {name}")));
        }
        let chunk = Chunk {
            kind,
            offset: pos,
            len,
        };
        if chunks.is_empty() && (!chunk.is(b"IHDR") || len != 13) {
            return Err(ContainerError::Malformed(
                "the PNG does not start with a valid IHDR chunk".into(),
            ));
        }
        chunks.push(chunk);
        pos = end;
        if chunk.is(b"IEND") {
            break;
        }
    }
    let ihdr = chunks[0].data(bytes);
    let (width, height) = (
        super::be32(ihdr, 0).unwrap_or(0),
        super::be32(ihdr, 4).unwrap_or(0),
    );
    if width == 0 || height == 0 || width > 0x7FFF_FFFF || height > 0x7FFF_FFFF {
        return Err(ContainerError::Malformed(format!(
            "the PNG header gives impossible dimensions {width}×{height}"
        )));
    }
    if !chunks.iter().any(|c| c.is(b"IDAT")) {
        return Err(ContainerError::Malformed(
            "the PNG has no image data".into(),
        ));
    }
    Ok(Layout {
        chunks,
        end: pos,
        width,
        height,
    })
}

/// Lists what a PNG carries and counts its pictures.
///
/// ```
/// use phiscrub::metadata::png;
/// use phiscrub::Category;
/// # let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/");
/// // EXIF after the image data is still found.
/// let late = png::examine(&std::fs::read(format!("{dir}png_exif_after_idat.png"))?)?;
/// assert!(late.hazards.iter().any(|h| h.category == Category::Gps));
/// let animated = png::examine(&std::fs::read(format!("{dir}png_apng_2frames.png"))?)?;
/// assert_eq!(animated.frames, 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn examine(bytes: &[u8]) -> Result<Container, ContainerError> {
    let layout = layout(bytes)?;
    let mut hazards = Vec::new();
    let mut has_icc = false;
    let mut orientation = None;
    let mut animated = false;
    let mut fctl = 0usize;
    let mut idat_in_animation = false;
    let mut seen_idat = false;
    // IHDR comes first (`layout` checks it): byte 9 is the colour type.
    let colour_type = layout.chunks[0].data(bytes).get(9).copied().unwrap_or(0);
    for c in &layout.chunks {
        let data = c.data(bytes);
        let name = super::printable(&c.kind);
        match &c.kind {
            k if (KEEP.contains(&k) || HARMLESS.contains(&k))
                && !size_fits(k, data.len(), colour_type) =>
            {
                hazards.push(Hazard::new(
                    Category::Other,
                    format!(
                        "{name} chunk of {} bytes, not the size its kind has",
                        data.len()
                    ),
                ));
            }
            k if KEEP.contains(&k) || HARMLESS.contains(&k) => {
                seen_idat |= c.is(b"IDAT");
            }
            b"iCCP" => {
                has_icc = true;
                // The profile's name is free text (the profile's own text is
                // read by `colour::profile_text`).
                let name = String::from_utf8_lossy(data.split(|&b| b == 0).next().unwrap_or(&[]));
                if !crate::colour::standard_name(&name) {
                    hazards.push(Hazard::new(
                        Category::Comment,
                        format!("iCCP profile name \"{}\"", exif::short(&name)),
                    ));
                }
            }
            b"acTL" => animated = true,
            b"fcTL" => {
                fctl += 1;
                idat_in_animation |= !seen_idat;
            }
            b"fdAT" => {}
            b"tEXt" | b"zTXt" | b"iTXt" => hazards.extend(text_hazards(c, data)),
            b"eXIf" => {
                let s = exif::analyse(data, false, "eXIf");
                orientation = orientation.or(s.orientation);
                hazards.extend(s.hazards);
            }
            b"tIME" => hazards.push(Hazard::new(Category::Dates, time_detail(data))),
            b"prVW" => hazards.push(Hazard::new(
                Category::Thumbnail,
                format!("preview image chunk prVW ({} bytes)", data.len()),
            )),
            _ => hazards.push(Hazard::new(
                Category::Other,
                format!("chunk {name} ({} bytes)", data.len()),
            )),
        }
    }
    if let Some(extra) = after_compressed_pixels(&layout, bytes) {
        hazards.push(Hazard::new(
            Category::TrailingData,
            format!("{extra} bytes after the end of the compressed pixels in IDAT"),
        ));
    }
    let trailing = super::nonzero_trailing(&bytes[layout.end..]);
    if trailing > 0 {
        hazards.push(Hazard::new(
            Category::TrailingData,
            format!("{trailing} bytes after IEND"),
        ));
    }
    let frames = if animated {
        (fctl + usize::from(!idat_in_animation)).max(1)
    } else {
        1
    };
    if frames > 1 {
        hazards.push(Hazard::new(
            Category::ExtraFrames,
            format!("animated PNG with {frames} pictures"),
        ));
    }
    Ok(Container {
        format: Format::Png,
        frames,
        hazards,
        has_icc,
        orientation,
    })
}

fn text_hazards(c: &Chunk, data: &[u8]) -> Vec<Hazard> {
    let kind = super::printable(&c.kind);
    let keyword_end = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let keyword = String::from_utf8_lossy(&data[..keyword_end]).into_owned();
    if keyword == "XML:com.adobe.xmp" {
        // iTXt: keyword\0 compression-flag method language\0 translated\0 text
        let compressed = data.get(keyword_end + 1) == Some(&1);
        let text = if compressed {
            &[][..]
        } else {
            nth_after_nul(data, keyword_end + 3, 2)
        };
        let place = format!("{kind} chunk");
        return xmp::hazards(text, &place);
    }
    let category = match keyword.to_ascii_lowercase().as_str() {
        "author" | "copyright" | "artist" => Category::Owner,
        "creation time" | "date" | "date:create" | "date:modify" | "date:timestamp" => {
            Category::Dates
        }
        "software" => Category::Software,
        k if k.starts_with("raw profile type") => Category::Other,
        _ => Category::Comment,
    };
    let value = if c.kind == *b"tEXt" {
        exif::short(&String::from_utf8_lossy(
            data.get(keyword_end + 1..).unwrap_or_default(),
        ))
    } else {
        "compressed or international text".into()
    };
    vec![Hazard::new(
        category,
        format!("{kind} \"{keyword}\": {value}"),
    )]
}

/// The bytes after the `n`th NUL at or after `from`.
fn nth_after_nul(data: &[u8], from: usize, n: usize) -> &[u8] {
    let mut pos = from.min(data.len());
    for _ in 0..n {
        match data[pos..].iter().position(|&b| b == 0) {
            Some(p) => pos += p + 1,
            None => return &[],
        }
    }
    &data[pos..]
}

fn time_detail(d: &[u8]) -> String {
    match (super::be16(d, 0), d.get(2..7)) {
        (Some(y), Some(r)) => format!(
            "tIME {y:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            r[0], r[1], r[2], r[3], r[4]
        ),
        _ => "tIME chunk".into(),
    }
}

/// Every IDAT chunk's data, concatenated: the compressed pixels.
///
/// ```
/// use phiscrub::metadata::png;
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/png_rgba.png");
/// let bytes = std::fs::read(path)?;
/// let idat = png::image_data(&bytes)?;
/// let l = png::layout(&bytes)?;
/// let stored: usize = l.chunks.iter().filter(|c| &c.kind == b"IDAT").map(|c| c.len).sum();
/// assert_eq!(idat.len(), stored);
/// // The zlib stream the pixels are coded in.
/// assert_eq!(idat[0] & 0x0F, 8);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn image_data(bytes: &[u8]) -> Result<Vec<u8>, ContainerError> {
    let layout = layout(bytes)?;
    Ok(layout
        .chunks
        .iter()
        .filter(|c| c.is(b"IDAT"))
        .flat_map(|c| c.data(bytes).iter().copied())
        .collect())
}

/// A chunk with its length and CRC, for tests that build files.
#[cfg(test)]
pub(crate) fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut v = (data.len() as u32).to_be_bytes().to_vec();
    v.extend_from_slice(kind);
    v.extend_from_slice(data);
    let crc = crc32fast::hash(&v[4..]);
    v.extend_from_slice(&crc.to_be_bytes());
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(extra_before_idat: &[Vec<u8>]) -> Vec<u8> {
        let mut v = SIGNATURE.to_vec();
        v.extend(chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]));
        for c in extra_before_idat {
            v.extend_from_slice(c);
        }
        v.extend(chunk(b"IDAT", &[0x78, 0x9c, 0x63, 0x60, 0, 0, 0, 2, 0, 1]));
        v.extend(chunk(b"IEND", &[]));
        v
    }

    #[test]
    fn text_time_and_unknown_chunks_are_hazards_and_stripped() {
        let f = png(&[
            chunk(b"tEXt", b"Author\0Nurse Example"),
            chunk(b"tIME", &[7, 233, 3, 14, 9, 26, 53]),
            chunk(b"gAMA", &[0, 0, 177, 143]),
            chunk(b"zzZz", b"private"),
        ]);
        let c = examine(&f).unwrap();
        let cats: Vec<Category> = c.hazards.iter().map(|h| h.category).collect();
        assert_eq!(
            cats,
            vec![Category::Owner, Category::Dates, Category::Other]
        );
        assert!(c.hazards[0].detail.contains("Nurse Example"));
    }

    #[test]
    fn colour_chunks_of_the_wrong_size_and_stray_palettes_are_hazards() {
        let good = png(&[chunk(b"gAMA", &[0, 0, 177, 143])]);
        assert!(examine(&good).unwrap().hazards.is_empty());
        for extra in [
            chunk(b"gAMA", b"\0\0\xb1\x8fJ. Doe"),
            chunk(b"cHRM", &[7; 40]),
            chunk(b"sRGB", b"\0J. Doe"),
            chunk(b"tRNS", b"\0\0J. Doe"),
            // The test image is grey: no palette belongs in it.
            chunk(b"PLTE", &[1, 2, 3]),
        ] {
            let c = examine(&png(&[extra])).unwrap();
            assert_eq!(c.hazards.len(), 1, "{:?}", c.hazards);
            assert_eq!(c.hazards[0].category, Category::Other);
        }
    }

    #[test]
    fn bad_crc_overrun_and_missing_iend_are_errors() {
        let mut f = png(&[]);
        let n = f.len();
        f[n - 13] ^= 0xFF; // last byte of the IDAT CRC
        assert!(matches!(layout(&f), Err(ContainerError::BadChecksum(_))));
        let f = png(&[]);
        assert!(matches!(
            layout(&f[..f.len() - 12]),
            Err(ContainerError::Truncated(_))
        ));
        let mut long = png(&[]);
        long[33 + 3] = 0xFF; // IDAT length byte: runs past the end
        assert!(layout(&long).is_err());
    }

    #[test]
    fn apng_frames_are_counted() {
        let actl = chunk(b"acTL", &[0, 0, 0, 2, 0, 0, 0, 0]);
        let fctl = chunk(b"fcTL", &[0; 26]);
        let c = examine(&png(&[actl.clone(), fctl.clone()])).unwrap();
        // One fcTL before IDAT: IDAT is frame 1 and the only frame listed.
        assert_eq!(c.frames, 1);
        let c = examine(&png(&[actl])).unwrap();
        // acTL without fcTL before IDAT: the default image is not part of the
        // animation and counts on its own.
        assert_eq!(c.frames, 1);
        let mut f = png(&[chunk(b"acTL", &[0, 0, 0, 2, 0, 0, 0, 0]), fctl.clone()]);
        let iend = f.len() - 12;
        let mut tail = fctl.clone();
        tail.extend(chunk(b"fdAT", &[0, 0, 0, 1, 0x78, 0x9c]));
        f.splice(iend..iend, tail);
        assert_eq!(examine(&f).unwrap().frames, 2);
    }
}
