//! The PNG container: a chunk walk with length and CRC checks, what the
//! chunks reveal, how many pictures (APNG frames) the file holds, and a
//! rewrite that keeps the image data and colour information only.

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

/// Chunks that describe the pixels or their colours, kept by [`strip`].
const KEEP: [&[u8; 4]; 12] = [
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"sBIT", b"cICP",
    b"mDCv", b"cLLi",
];

/// Ancillary chunks that carry nothing identifying; not hazards, but not kept.
const HARMLESS: [&[u8; 4]; 3] = [b"pHYs", b"bKGD", b"hIST"];

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
    for c in &layout.chunks {
        let data = c.data(bytes);
        let name = super::printable(&c.kind);
        match &c.kind {
            k if KEEP.contains(&k) || HARMLESS.contains(&k) => {
                seen_idat |= c.is(b"IDAT");
            }
            b"iCCP" => has_icc = true,
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

/// Rewrites a PNG keeping IHDR, PLTE, every IDAT and IEND byte for byte,
/// transparency and colour chunks, and the ICC profile when `keep_icc`.
/// Text, EXIF, time, preview, animation and unknown chunks are dropped, as is
/// anything after IEND. Without the animation chunks, an APNG becomes its
/// default image.
///
/// ```
/// use phiscrub::metadata::png;
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/png_text_chunks.png");
/// let bytes = std::fs::read(path)?;
/// assert!(!png::examine(&bytes)?.hazards.is_empty());
/// let clean = png::strip(&bytes, true)?;
/// let after = png::examine(&clean)?;
/// assert!(after.hazards.is_empty(), "{:?}", after.hazards);
/// assert!(after.has_icc);
/// // Same compressed pixels, byte for byte.
/// assert_eq!(png::image_data(&clean)?, png::image_data(&bytes)?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn strip(bytes: &[u8], keep_icc: bool) -> Result<Vec<u8>, ContainerError> {
    let layout = layout(bytes)?;
    let mut out = Vec::with_capacity(layout.end);
    out.extend_from_slice(SIGNATURE);
    for c in &layout.chunks {
        if KEEP.contains(&&c.kind) || (keep_icc && c.is(b"iCCP")) {
            out.extend_from_slice(c.raw(bytes));
        }
    }
    Ok(out)
}

/// Every IDAT chunk's data, concatenated: what a lossless rewrite must keep.
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
/// // Unchanged by a metadata strip.
/// assert_eq!(png::image_data(&png::strip(&bytes, false)?)?, idat);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut v = (data.len() as u32).to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(data);
        let crc = crc32fast::hash(&v[4..]);
        v.extend_from_slice(&crc.to_be_bytes());
        v
    }

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
        let s = strip(&f, true).unwrap();
        assert!(examine(&s).unwrap().hazards.is_empty());
        assert_eq!(image_data(&s).unwrap(), image_data(&f).unwrap());
        // gAMA is colour information and stays.
        assert!(layout(&s).unwrap().chunks.iter().any(|c| c.is(b"gAMA")));
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
