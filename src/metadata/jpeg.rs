//! The JPEG container: a walk over its marker segments, without decoding.
//!
//! Used to tell a complete file from a truncated one (decoders fill a missing
//! tail with grey rather than failing) and to see what a file carries.

/// One marker segment before or between scans.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    /// The marker's second byte (`0xE1` for APP1, `0xFE` for COM, ...).
    pub marker: u8,
    /// Offset of the `0xFF` that starts the marker.
    pub offset: usize,
    /// Length of the whole segment including marker and length field.
    pub len: usize,
}

/// The layout of a JPEG file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    pub segments: Vec<Segment>,
    /// Offset just past the EOI marker that ends the first image.
    pub end: usize,
    /// Bytes after that EOI (another image, a maker trailer, or padding).
    pub trailing: usize,
}

/// Why a JPEG's structure is broken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LayoutError {
    NotJpeg,
    /// A segment length runs past the end of the file.
    Truncated(&'static str),
    /// A byte where a marker must start is not `0xFF`.
    BadMarker(usize),
}

impl std::fmt::Display for LayoutError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LayoutError::NotJpeg => f.write_str("not a JPEG stream"),
            LayoutError::Truncated(what) => write!(f, "the file ends {what}"),
            LayoutError::BadMarker(at) => write!(f, "no JPEG marker at byte {at}"),
        }
    }
}

const SOI: u8 = 0xD8;
const EOI: u8 = 0xD9;
const SOS: u8 = 0xDA;

/// Walks the markers of the first image in `bytes` up to its EOI.
pub fn layout(bytes: &[u8]) -> Result<Layout, LayoutError> {
    if bytes.len() < 4 || bytes[0] != 0xFF || bytes[1] != SOI {
        return Err(LayoutError::NotJpeg);
    }
    let mut segments = Vec::new();
    let mut pos = 2;
    loop {
        // Fill bytes (runs of 0xFF) may precede a marker.
        if pos >= bytes.len() {
            return Err(LayoutError::Truncated("before its end-of-image marker"));
        }
        if bytes[pos] != 0xFF {
            return Err(LayoutError::BadMarker(pos));
        }
        let start = pos;
        while pos < bytes.len() && bytes[pos] == 0xFF {
            pos += 1;
        }
        let Some(&marker) = bytes.get(pos) else {
            return Err(LayoutError::Truncated("inside a marker"));
        };
        pos += 1;
        match marker {
            EOI => {
                return Ok(Layout {
                    segments,
                    end: pos,
                    trailing: bytes.len() - pos,
                })
            }
            // Standalone markers carry no length.
            0x01 | 0xD0..=0xD7 => continue,
            _ => {}
        }
        if pos + 2 > bytes.len() {
            return Err(LayoutError::Truncated("inside a segment header"));
        }
        let len = u16::from_be_bytes([bytes[pos], bytes[pos + 1]]) as usize;
        if len < 2 || pos + len > bytes.len() {
            return Err(LayoutError::Truncated("inside a segment"));
        }
        pos += len;
        segments.push(Segment {
            marker,
            offset: start,
            len: pos - start,
        });
        if marker == SOS {
            pos = skip_entropy_data(bytes, pos)
                .ok_or(LayoutError::Truncated("inside the image data"))?;
        }
    }
}

/// Returns the offset of the first marker after entropy-coded data, skipping
/// stuffed zero bytes and restart markers, or `None` if the data runs out.
fn skip_entropy_data(bytes: &[u8], mut pos: usize) -> Option<usize> {
    while pos + 1 < bytes.len() {
        if bytes[pos] == 0xFF {
            match bytes[pos + 1] {
                0x00 | 0xD0..=0xD7 | 0xFF => pos += if bytes[pos + 1] == 0xFF { 1 } else { 2 },
                _ => return Some(pos),
            }
        } else {
            pos += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal() -> Vec<u8> {
        let mut v = vec![0xFF, SOI];
        v.extend_from_slice(&[0xFF, 0xE0, 0x00, 0x04, b'J', b'F']); // APP0
        v.extend_from_slice(&[0xFF, 0xFE, 0x00, 0x05, b'h', b'i', b'!']); // COM
        v.extend_from_slice(&[0xFF, SOS, 0x00, 0x02]);
        v.extend_from_slice(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD3, 0x56]); // data, stuffing, RST3
        v.extend_from_slice(&[0xFF, EOI]);
        v
    }

    #[test]
    fn walks_segments_and_finds_end() {
        let mut f = minimal();
        let l = layout(&f).unwrap();
        let markers: Vec<u8> = l.segments.iter().map(|s| s.marker).collect();
        assert_eq!(markers, vec![0xE0, 0xFE, SOS]);
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
        assert_eq!(layout(b"GIF89a"), Err(LayoutError::NotJpeg));
    }
}
