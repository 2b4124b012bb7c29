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
    /// HEIC/HEIF (read through libheif, see `heif`): read only. The primary
    /// picture is decoded upright and written as JPEG unless another format is
    /// asked for; thumbnails, depth and auxiliary images (gain maps, mattes)
    /// are dropped; a file of several pictures (a burst, a collection) is
    /// refused like any multi-picture file.
    Heic,
    /// BMP: read only; written as PNG (lossless) unless another format is
    /// asked for.
    Bmp,
    /// AVIF (read through libavif, see `avif`): read only. The primary
    /// picture is decoded, turned upright (`irot`, `imir`) and written as
    /// JPEG unless another format is asked for; thumbnails and auxiliary
    /// images are dropped; a sequence or collection is refused like any
    /// multi-picture file.
    Avif,
}

/// What the first bytes of a file say it is.
///
/// ```
/// use phiscrub::format::{sniff, Sniffed};
/// let jxl = b"\0\0\0\x0cJXL \r\n\x87\n";
/// assert!(matches!(sniff(jxl), Sniffed::Unsupported("JPEG XL")));
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
    /// Every format phiscrub writes, in the order help texts list them
    /// (HEIC and BMP are read only).
    ///
    /// ```
    /// use phiscrub::Format;
    /// assert!(Format::ALL.iter().all(|f| Format::from_name(f.as_str()) == Some(*f)));
    /// assert!(Format::ALL.iter().all(|f| f.writable()));
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

    /// Whether phiscrub can write this format (HEIC and BMP it only reads).
    ///
    /// ```
    /// use phiscrub::Format;
    /// assert!(Format::Png.writable() && !Format::Heic.writable());
    /// ```
    pub fn writable(&self) -> bool {
        !matches!(self, Format::Heic | Format::Bmp | Format::Avif)
    }

    /// The format an input of this format is written as when no other is
    /// asked for: itself, except JPEG for HEIC (a photo, lossy already) and
    /// PNG for BMP (lossless).
    ///
    /// ```
    /// use phiscrub::Format;
    /// assert_eq!(Format::Heic.default_output(), Format::Jpeg);
    /// assert_eq!(Format::Bmp.default_output(), Format::Png);
    /// assert_eq!(Format::Webp.default_output(), Format::Webp);
    /// ```
    pub fn default_output(&self) -> Format {
        match self {
            Format::Heic | Format::Avif => Format::Jpeg,
            Format::Bmp => Format::Png,
            f => *f,
        }
    }

    /// The format a file extension names, read-only formats included
    /// (`heic`, `heif`, `hif`, `bmp`, `dib` as well as every `--format` name).
    /// Only used to name outputs: files are recognised by content.
    ///
    /// ```
    /// use phiscrub::Format;
    /// assert_eq!(Format::from_extension("HEIF"), Some(Format::Heic));
    /// assert_eq!(Format::from_extension("jpg"), Some(Format::Jpeg));
    /// ```
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext.to_ascii_lowercase().as_str() {
            "heic" | "heif" | "hif" => Some(Format::Heic),
            "bmp" | "dib" => Some(Format::Bmp),
            "avif" => Some(Format::Avif),
            other => Format::from_name(other),
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
            Format::Heic => "heic",
            Format::Bmp => "bmp",
            Format::Avif => "avif",
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
            Format::Heic => "image/heic",
            Format::Bmp => "image/bmp",
            Format::Avif => "image/avif",
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
            Format::Heic => "heic",
            Format::Bmp => "bmp",
            Format::Avif => "avif",
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

    /// The `image` crate's codec for this format; `None` for HEIC, which
    /// libheif reads (`heif`).
    pub(crate) fn image_format(&self) -> Option<image::ImageFormat> {
        Some(match self {
            Format::Jpeg => image::ImageFormat::Jpeg,
            Format::Png => image::ImageFormat::Png,
            Format::Webp => image::ImageFormat::WebP,
            Format::Tiff => image::ImageFormat::Tiff,
            Format::Gif => image::ImageFormat::Gif,
            Format::Bmp => image::ImageFormat::Bmp,
            Format::Heic | Format::Avif => return None,
        })
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
            Format::Heic => "HEIC",
            Format::Bmp => "BMP",
            Format::Avif => "AVIF",
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
        // The major brand and the compatible ones: an AVIF may declare the
        // generic `mif1` first and `avif` among the others.
        let size = u32::from_be_bytes(bytes[0..4].try_into().unwrap_or_default()) as usize;
        let major = bytes.get(8..12).unwrap_or_default();
        let compatible = bytes
            .get(16..size.clamp(16, bytes.len().min(256)))
            .unwrap_or_default();
        let brands = || std::iter::once(major).chain(compatible.chunks_exact(4));
        let any = |set: &[&[u8]]| brands().any(|b| set.contains(&b));
        if any(&[b"avif", b"avis"]) {
            Sniffed::Supported(Format::Avif)
        } else if any(&[
            b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1",
        ]) {
            Sniffed::Supported(Format::Heic)
        } else if major == b"crx " {
            Sniffed::Unsupported("Canon CR3 raw")
        } else if major == b"jxl " {
            Sniffed::Unsupported("JPEG XL")
        } else {
            Sniffed::Unsupported("an ISO media file (AVIF or video)")
        }
    } else if starts(b"BM") && bytes.len() > 14 {
        Sniffed::Supported(Format::Bmp)
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
            Sniffed::Supported(Format::Heic)
        );
        // Generic HEIF major brand, AVIF among the compatible ones.
        assert_eq!(
            sniff(b"\0\0\0\x18ftypmif1\0\0\0\0mif1avif"),
            Sniffed::Supported(Format::Avif)
        );
        assert_eq!(
            sniff(b"BM\x36\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0"),
            Sniffed::Supported(Format::Bmp)
        );
        assert_eq!(
            sniff(b"\0\0\0\x1cftypavif\0\0\0\0"),
            Sniffed::Supported(Format::Avif)
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
