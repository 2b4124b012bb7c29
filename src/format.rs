//! Image containers: recognising them by content, and their names.

use std::fmt;

/// An image container phiscrub reads and writes.
///
/// ```
/// use phiscrub::{Config, Format, Scrubber};
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/photos/rocket.jpg");
/// // Outputs keep their input's format unless one is asked for.
/// let to_png = Config { output_format: Some(Format::Png), ..Config::default() };
/// let safe = Scrubber::new(to_png)?.scrub(&std::fs::read(path)?)?;
/// assert_eq!(safe.format, Format::Png);
/// assert_eq!(Format::sniff(&safe.bytes), Some(Format::Png));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// JPEG (JFIF or EXIF). Rewritten without re-encoding when nothing needs
    /// covering and it is upright; otherwise encoded at `jpeg_quality`.
    Jpeg,
    /// PNG (APNG too). Rewritten without re-encoding when nothing needs
    /// covering and it is upright.
    Png,
    /// WebP; always re-encoded, losslessly (the encoder has no lossy mode), so
    /// an output can be much larger than its input.
    Webp,
    /// TIFF, BigTIFF included; always re-encoded.
    Tiff,
    /// GIF; always re-encoded (256 colours at most), never with an ICC profile.
    Gif,
}

/// What the first bytes of a file say it is.
///
/// ```
/// use phiscrub::format::{sniff, Sniffed};
/// let heic = b"\0\0\0\x18ftypheic\0\0\0\0";
/// assert!(matches!(sniff(heic), Sniffed::Unsupported(_)));
/// assert_eq!(sniff(b"hello"), Sniffed::Unknown);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sniffed {
    /// A container phiscrub handles.
    Supported(Format),
    /// A recognised image container phiscrub cannot make safe yet.
    Unsupported(&'static str),
    /// Not a recognised image.
    Unknown,
}

impl Format {
    /// Every format, in the order help texts list them.
    ///
    /// ```
    /// use phiscrub::Format;
    /// assert!(Format::ALL.iter().all(|f| Format::from_name(f.as_str()) == Some(*f)));
    /// ```
    pub const ALL: [Format; 5] = [
        Format::Jpeg,
        Format::Png,
        Format::Webp,
        Format::Tiff,
        Format::Gif,
    ];

    /// Recognises a container by its first bytes; file names are not trusted.
    ///
    /// ```
    /// use phiscrub::Format;
    /// assert_eq!(Format::sniff(b"\x89PNG\r\n\x1a\n...."), Some(Format::Png));
    /// assert_eq!(Format::sniff(b"\xff\xd8\xff\xe0"), Some(Format::Jpeg));
    /// assert_eq!(Format::sniff(b"GIF89a"), Some(Format::Gif));
    /// assert_eq!(Format::sniff(b"hello"), None);
    /// ```
    pub fn sniff(bytes: &[u8]) -> Option<Format> {
        match sniff(bytes) {
            Sniffed::Supported(f) => Some(f),
            _ => None,
        }
    }

    /// Lower-case name, as used on the command line (`--format`).
    ///
    /// ```
    /// assert_eq!(phiscrub::Format::Webp.as_str(), "webp");
    /// ```
    pub fn as_str(&self) -> &'static str {
        match self {
            Format::Jpeg => "jpeg",
            Format::Png => "png",
            Format::Webp => "webp",
            Format::Tiff => "tiff",
            Format::Gif => "gif",
        }
    }

    /// The media type (`image/jpeg`, …), for HTTP.
    ///
    /// ```
    /// assert_eq!(phiscrub::Format::Png.mime(), "image/png");
    /// ```
    pub fn mime(&self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Webp => "image/webp",
            Format::Tiff => "image/tiff",
            Format::Gif => "image/gif",
        }
    }

    /// The file extension given to outputs converted to this format.
    ///
    /// ```
    /// assert_eq!(phiscrub::Format::Jpeg.extension(), "jpg");
    /// ```
    pub fn extension(&self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::Webp => "webp",
            Format::Tiff => "tif",
            Format::Gif => "gif",
        }
    }

    /// Parses a `--format` value (any case; `jpg` and `tif` too).
    ///
    /// ```
    /// use phiscrub::Format;
    /// assert_eq!(Format::from_name("JPG"), Some(Format::Jpeg));
    /// assert_eq!(Format::from_name("heic"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Format> {
        match name.to_ascii_lowercase().as_str() {
            "jpeg" | "jpg" => Some(Format::Jpeg),
            "png" => Some(Format::Png),
            "webp" => Some(Format::Webp),
            "tiff" | "tif" => Some(Format::Tiff),
            "gif" => Some(Format::Gif),
            _ => None,
        }
    }

    pub(crate) fn image_format(&self) -> image::ImageFormat {
        match self {
            Format::Jpeg => image::ImageFormat::Jpeg,
            Format::Png => image::ImageFormat::Png,
            Format::Webp => image::ImageFormat::WebP,
            Format::Tiff => image::ImageFormat::Tiff,
            Format::Gif => image::ImageFormat::Gif,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Jpeg => "JPEG",
            Format::Png => "PNG",
            Format::Webp => "WebP",
            Format::Tiff => "TIFF",
            Format::Gif => "GIF",
        })
    }
}

/// Classifies `bytes` by their signature.
///
/// ```
/// use phiscrub::format::{sniff, Sniffed};
/// use phiscrub::Format;
/// assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Sniffed::Supported(Format::Webp));
/// ```
pub fn sniff(bytes: &[u8]) -> Sniffed {
    let starts = |sig: &[u8]| bytes.starts_with(sig);
    if starts(&[0xFF, 0xD8, 0xFF]) {
        Sniffed::Supported(Format::Jpeg)
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        Sniffed::Supported(Format::Png)
    } else if starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        Sniffed::Supported(Format::Webp)
    } else if starts(b"II*\0") || starts(b"MM\0*") || starts(b"II+\0") || starts(b"MM\0+") {
        Sniffed::Supported(Format::Tiff)
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Sniffed::Supported(Format::Gif)
    } else if bytes.get(4..8) == Some(b"ftyp") {
        let brand = bytes.get(8..12).unwrap_or_default();
        match brand {
            b"avif" | b"avis" => Sniffed::Unsupported("AVIF"),
            b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" | b"mif1" | b"msf1" => {
                Sniffed::Unsupported("HEIC/HEIF")
            }
            b"crx " => Sniffed::Unsupported("Canon CR3 raw"),
            b"jxl " => Sniffed::Unsupported("JPEG XL"),
            _ => Sniffed::Unsupported("an ISO media file (HEIF, AVIF or video)"),
        }
    } else if starts(b"BM") && bytes.len() > 14 {
        Sniffed::Unsupported("BMP")
    } else if starts(&[0xFF, 0x0A]) || starts(b"\0\0\0\x0cJXL \r\n\x87\n") {
        Sniffed::Unsupported("JPEG XL")
    } else if starts(b"\0\0\0\x0cjP  \r\n\x87\n") || starts(&[0xFF, 0x4F, 0xFF, 0x51]) {
        Sniffed::Unsupported("JPEG 2000")
    } else if starts(b"8BPS") {
        Sniffed::Unsupported("Photoshop PSD")
    } else if starts(b"%PDF") {
        Sniffed::Unsupported("PDF")
    } else if starts(b"DICM") || bytes.get(128..132) == Some(b"DICM") {
        Sniffed::Unsupported("DICOM")
    } else {
        Sniffed::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_each_container_and_the_unsupported_ones() {
        assert_eq!(
            sniff(b"RIFF\x10\0\0\0WEBPVP8 "),
            Sniffed::Supported(Format::Webp)
        );
        assert_eq!(sniff(b"RIFF\x10\0\0\0AVI LIST"), Sniffed::Unknown);
        assert_eq!(sniff(b"MM\0*\0\0\0\x08"), Sniffed::Supported(Format::Tiff));
        assert_eq!(
            sniff(b"\0\0\0\x18ftypheic\0\0\0\0"),
            Sniffed::Unsupported("HEIC/HEIF")
        );
        assert_eq!(
            sniff(b"\0\0\0\x1cftypavif\0\0\0\0"),
            Sniffed::Unsupported("AVIF")
        );
        assert_eq!(sniff(b"%PDF-1.7"), Sniffed::Unsupported("PDF"));
    }

    #[test]
    fn format_names_round_trip() {
        for f in Format::ALL {
            assert_eq!(Format::from_name(f.as_str()), Some(f));
        }
        assert_eq!(Format::from_name("JPG"), Some(Format::Jpeg));
        assert_eq!(Format::from_name("bmp"), None);
    }
}
