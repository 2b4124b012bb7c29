//! Shared helpers for the command line's tests: running the binary,
//! reading pixels, and the exiftool oracle.
#![allow(dead_code)]

// Fixture paths, PNG chunks and running a binary, shared with the
// library's and the lab's tests.
#[path = "../../../../../tests/common/mod.rs"]
mod paths;
pub use paths::*;

use std::path::Path;
use std::process::Command;

/// Hand-labelled face cores (eyes to chin, cheek to cheek) of the upright
/// fixtures, as `(x, y, w, h)`. Drawn by eye on a grid, independent of the
/// detector.
pub const HOPPER_FACE: (u32, u32, u32, u32) = (170, 150, 180, 170);
pub const ASTRONAUT_FACE: (u32, u32, u32, u32) = (180, 70, 90, 90);

pub fn phiscrub() -> Command {
    command(env!("CARGO_BIN_EXE_phiscrub"))
}

/// `phiscrub scrub INPUT --out OUT`, ready for more arguments.
pub fn scrub(input: impl AsRef<std::ffi::OsStr>, out: &Path) -> Command {
    let mut c = phiscrub();
    c.arg("scrub").arg(input).arg("--out").arg(out);
    c
}

/// The pixels a colour-managed viewer shows: the file's embedded profile
/// applied (to sRGB) by moxcms, or the stored pixels when it has none.
pub fn shown_rgb(path: &Path) -> image::RgbImage {
    let bytes = std::fs::read(path).unwrap();
    let format = image::guess_format(&bytes).unwrap();
    let mut dec = image::ImageReader::with_format(std::io::Cursor::new(&bytes), format)
        .into_decoder()
        .unwrap();
    let icc = image::ImageDecoder::icc_profile(&mut dec).unwrap();
    let img = image::DynamicImage::from_decoder(dec).unwrap().to_rgb8();
    let Some(icc) = icc else { return img };
    let src = moxcms::ColorProfile::new_from_slice(&icc).unwrap();
    let t = src
        .create_transform_8bit(
            moxcms::Layout::Rgb,
            &moxcms::ColorProfile::new_srgb(),
            moxcms::Layout::Rgb,
            moxcms::TransformOptions::default(),
        )
        .unwrap();
    let mut out = vec![0u8; img.as_raw().len()];
    t.transform(img.as_raw(), &mut out).unwrap();
    image::RgbImage::from_raw(img.width(), img.height(), out).unwrap()
}

/// Largest channel value inside a box: near 0 means an opaque black fill.
pub fn max_in(img: &image::RgbImage, (x, y, w, h): (u32, u32, u32, u32)) -> u8 {
    let mut m = 0;
    for yy in y..y + h {
        for xx in x..x + w {
            m = m.max(*img.get_pixel(xx, yy).0.iter().max().unwrap());
        }
    }
    m
}

/// Mean absolute per-channel difference over a box.
pub fn mean_diff(
    a: &image::RgbImage,
    b: &image::RgbImage,
    (x, y, w, h): (u32, u32, u32, u32),
) -> f64 {
    let mut sum = 0u64;
    for yy in y..y + h {
        for xx in x..x + w {
            let (p, q) = (a.get_pixel(xx, yy).0, b.get_pixel(xx, yy).0);
            for c in 0..3 {
                sum += (p[c] as i32 - q[c] as i32).unsigned_abs() as u64;
            }
        }
    }
    sum as f64 / (w as f64 * h as f64 * 3.0)
}

/// True when exiftool can be run. When `PHISCRUB_REQUIRE_EXIFTOOL` is set
/// (CI sets it), a missing exiftool fails the test instead of skipping it.
pub fn exiftool_available() -> bool {
    let ok = Command::new("exiftool")
        .arg("-ver")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok && std::env::var_os("PHISCRUB_REQUIRE_EXIFTOOL").is_some() {
        panic!("exiftool is required (PHISCRUB_REQUIRE_EXIFTOOL is set) but cannot be run");
    }
    if !ok {
        eprintln!("exiftool not found: skipping the independent metadata check");
    }
    ok
}

/// Every tag exiftool reports as `(group, tag)`, with `-a -G1 -s`.
pub fn exiftool_tags(path: &Path) -> Vec<(String, String)> {
    let out = Command::new("exiftool")
        .args(["-a", "-G1", "-s", "-m"])
        .arg(path)
        .output()
        .expect("exiftool runs");
    assert!(
        out.status.success(),
        "exiftool failed on {}",
        path.display()
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            let rest = l.strip_prefix('[')?;
            let (group, rest) = rest.split_once(']')?;
            let tag = rest.split_whitespace().next()?.to_string();
            Some((group.to_string(), tag))
        })
        .collect()
}

/// Tags exiftool derives from the file system or the image structure itself;
/// anything else in an output is metadata that leaked. `icc` allows the ICC
/// profile groups (kept by default).
pub fn is_structural(group: &str, tag: &str, icc: bool) -> bool {
    let any = |list: &[&str]| list.contains(&tag);
    match group {
        "ExifTool" => tag != "Warning",
        "System" => true,
        "Composite" => any(&["ImageSize", "Megapixels"]),
        "File" => {
            !(tag.contains("Comment")
                || tag.contains("IPTC")
                || tag.contains("Digest")
                || tag.contains("Thumbnail")
                || tag.contains("Preview"))
        }
        g if g.starts_with("ICC") => icc,
        "JFIF" => any(&[
            "JFIFVersion",
            "ResolutionUnit",
            "XResolution",
            "YResolution",
        ]),
        "Adobe" => any(&[
            "DCTEncodeVersion",
            "APP14Flags0",
            "APP14Flags1",
            "ColorTransform",
        ]),
        "PNG" | "PNG-pHYs" => any(&[
            "ImageWidth",
            "ImageHeight",
            "BitDepth",
            "ColorType",
            "Compression",
            "Filter",
            "Interlace",
            "SRGBRendering",
            "Gamma",
            "WhitePointX",
            "WhitePointY",
            "RedX",
            "RedY",
            "GreenX",
            "GreenY",
            "BlueX",
            "BlueY",
            "Palette",
            "Transparency",
            "SignificantBits",
            "ProfileName",
        ]),
        "RIFF" => any(&[
            "ImageWidth",
            "ImageHeight",
            "VP8Version",
            "HorizontalScale",
            "VerticalScale",
            "WebP_Flags",
            "AlphaPreprocessing",
            "AlphaFiltering",
            "AlphaCompression",
        ]),
        "GIF" => any(&[
            "GIFVersion",
            "ImageWidth",
            "ImageHeight",
            "HasColorMap",
            "ColorResolutionDepth",
            "BitsPerPixel",
            "BackgroundColor",
            "PixelAspectRatio",
            "TransparentColor",
        ]),
        // Baseline TIFF layout tags of the (single) image directory.
        "IFD0" => any(&[
            "ImageWidth",
            "ImageHeight",
            "BitsPerSample",
            "Compression",
            "PhotometricInterpretation",
            "StripOffsets",
            "RowsPerStrip",
            "StripByteCounts",
            "SamplesPerPixel",
            "PlanarConfiguration",
            "ExtraSamples",
            "SampleFormat",
            "Predictor",
            "XResolution",
            "YResolution",
            "ResolutionUnit",
            "TileWidth",
            "TileLength",
            "TileOffsets",
            "TileByteCounts",
        ]),
        _ => false,
    }
}

/// The tags of `path` that are not structural, as `group:tag`.
pub fn leaked_tags(path: &Path, icc: bool) -> Vec<String> {
    exiftool_tags(path)
        .into_iter()
        .filter(|(g, t)| !is_structural(g, t, icc))
        .map(|(g, t)| format!("{g}:{t}"))
        .collect()
}
pub mod canary;
pub mod canary_newer;

/// One file's entry in a JSON audit report, by its input name.
pub fn entry<'a>(report: &'a serde_json::Value, input: &str) -> &'a serde_json::Value {
    report["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["input"] == input)
        .unwrap_or_else(|| panic!("{input} not in the report"))
}
