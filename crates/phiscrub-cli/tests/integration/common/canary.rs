//! The canary generator: one marker string planted in every hiding place the
//! tests know of, across all five containers. Each file is small and holds
//! no face or text, so a clean output is expected wherever scrub exports one.
//!
//! Extend `all()` whenever a new hiding place is found.
#![allow(dead_code)]

use image::{ImageEncoder, RgbImage};

/// What no output may contain, plain, UTF-16LE or UTF-16BE.
pub const MARKER: &str = "CANARY-JDOE-19740312";

pub fn utf16(s: &str, big_endian: bool) -> Vec<u8> {
    s.encode_utf16()
        .flat_map(|u| {
            if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            }
        })
        .collect()
}

/// True when `bytes` hold the marker in any of its three spellings.
pub fn holds_marker(bytes: &[u8]) -> bool {
    let find = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    find(MARKER.as_bytes()) || find(&utf16(MARKER, false)) || find(&utf16(MARKER, true))
}

/// A plain gradient: nothing for the detectors to find.
fn picture(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x * 255 / w) as u8, (y * 255 / h) as u8, 128])
    })
}

fn encoded(img: &RgbImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

fn jpeg_of(img: &RgbImage) -> Vec<u8> {
    encoded(img, image::ImageFormat::Jpeg)
}

fn png_of(img: &RgbImage) -> Vec<u8> {
    encoded(img, image::ImageFormat::Png)
}

fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
    let mut v = vec![0xFF, marker];
    v.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    v.extend_from_slice(payload);
    v
}

/// Inserts segments right after SOI (and the encoder's JFIF segment).
fn jpeg_with(segments: &[Vec<u8>]) -> Vec<u8> {
    let base = jpeg_of(&picture(64, 48));
    let at = if base[2..4] == [0xFF, 0xE0] {
        4 + u16::from_be_bytes([base[4], base[5]]) as usize
    } else {
        2
    };
    let mut v = base[..at].to_vec();
    for s in segments {
        v.extend_from_slice(s);
    }
    v.extend_from_slice(&base[at..]);
    v
}

/// `bytes` spliced in just before the end-of-image marker.
fn jpeg_before_eoi(extra: &[u8]) -> Vec<u8> {
    let mut v = jpeg_of(&picture(64, 48));
    let end = v.len() - 2;
    v.splice(end..end, extra.iter().copied());
    v
}

/// A little-endian TIFF structure (as in EXIF) holding ASCII tags.
fn tiff_ifd(tags: &[(u16, &str)]) -> Vec<u8> {
    let mut v = b"II*\0\x08\0\0\0".to_vec();
    let n = tags.len();
    v.extend_from_slice(&(n as u16).to_le_bytes());
    let mut data_at = 8 + 2 + 12 * n + 4;
    let mut data = Vec::new();
    for (tag, text) in tags {
        let mut bytes = text.as_bytes().to_vec();
        bytes.push(0);
        v.extend_from_slice(&tag.to_le_bytes());
        v.extend_from_slice(&2u16.to_le_bytes());
        v.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        v.extend_from_slice(&(data_at as u32).to_le_bytes());
        data_at += bytes.len();
        data.extend_from_slice(&bytes);
    }
    v.extend_from_slice(&0u32.to_le_bytes());
    v.extend_from_slice(&data);
    v
}

fn exif_payload() -> Vec<u8> {
    let mut v = b"Exif\0\0".to_vec();
    v.extend(tiff_ifd(&[(270, MARKER), (315, MARKER), (0x8298, MARKER)]));
    v
}

fn xmp_packet() -> String {
    format!(
        "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\
         <rdf:Description xmlns:dc=\"http://purl.org/dc/elements/1.1/\" dc:creator=\"{MARKER}\"/></rdf:RDF></x:xmpmeta>"
    )
}

/// An sRGB profile whose text fields all carry the marker (the description
/// as UTF-16 inside an `mluc` tag for a v4 profile).
fn marked_profile() -> Vec<u8> {
    let mut p = moxcms::ColorProfile::new_srgb();
    let t = || Some(moxcms::ProfileText::PlainString(MARKER.into()));
    p.description = t();
    p.copyright = t();
    p.device_manufacturer = t();
    p.device_model = t();
    p.encode().unwrap()
}

/// A zlib stream of stored (uncompressed) blocks: the marker stays visible
/// inside compressed chunks, so a copied chunk would show.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut v = vec![0x78, 0x01];
    let chunks: Vec<&[u8]> = if data.is_empty() {
        vec![&[]]
    } else {
        data.chunks(65_535).collect()
    };
    for (i, c) in chunks.iter().enumerate() {
        v.push(u8::from(i + 1 == chunks.len()));
        v.extend_from_slice(&(c.len() as u16).to_le_bytes());
        v.extend_from_slice(&(!(c.len() as u16)).to_le_bytes());
        v.extend_from_slice(c);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + x as u32) % 65_521;
        b = (b + a) % 65_521;
    }
    v.extend_from_slice(&((b << 16) | a).to_be_bytes());
    v
}

use super::png_chunk as chunk;

/// The PNG's chunks, after the signature.
fn png_chunks(png: &[u8]) -> Vec<([u8; 4], Vec<u8>)> {
    let mut out = Vec::new();
    let mut at = 8;
    while at + 12 <= png.len() {
        let len = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
        let kind: [u8; 4] = png[at + 4..at + 8].try_into().unwrap();
        out.push((kind, png[at + 8..at + 8 + len].to_vec()));
        at += 12 + len;
    }
    out
}

/// The base PNG with `extra` chunks placed after IHDR, and IDAT's data
/// passed through `idat`.
fn png_with(extra: &[Vec<u8>], idat: impl Fn(Vec<u8>) -> Vec<u8>) -> Vec<u8> {
    let base = png_of(&picture(64, 48));
    let mut v = base[..8].to_vec();
    for (kind, data) in png_chunks(&base) {
        if &kind == b"IDAT" {
            v.extend(chunk(&kind, &idat(data)));
        } else {
            v.extend(chunk(&kind, &data));
        }
        if &kind == b"IHDR" {
            for e in extra {
                v.extend_from_slice(e);
            }
        }
    }
    v
}

fn riff_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut v = kind.to_vec();
    v.extend_from_slice(&(data.len() as u32).to_le_bytes());
    v.extend_from_slice(data);
    if data.len() % 2 == 1 {
        v.push(0);
    }
    v
}

/// An extended WebP (VP8X) around a lossless picture, with `extra` chunks
/// (ICCP first when present, then the picture, then the rest) and flags.
fn webp_with(iccp: Option<&[u8]>, after: &[Vec<u8>], flags: u8) -> Vec<u8> {
    let img = picture(64, 48);
    let mut simple = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut simple)
        .write_image(&img, 64, 48, image::ExtendedColorType::Rgb8)
        .unwrap();
    // The simple file is RIFF, size, WEBP, then one VP8L chunk.
    let vp8l = &simple[12..];
    let mut vp8x = vec![flags | if iccp.is_some() { 0x20 } else { 0 }, 0, 0, 0];
    vp8x.extend_from_slice(&(63u32).to_le_bytes()[..3]);
    vp8x.extend_from_slice(&(47u32).to_le_bytes()[..3]);
    let mut body = b"WEBP".to_vec();
    body.extend(riff_chunk(b"VP8X", &vp8x));
    if let Some(p) = iccp {
        body.extend(riff_chunk(b"ICCP", p));
    }
    body.extend_from_slice(vp8l);
    for a in after {
        body.extend_from_slice(a);
    }
    let mut v = b"RIFF".to_vec();
    v.extend_from_slice(&(body.len() as u32).to_le_bytes());
    v.extend(body);
    v
}

fn gif_base() -> Vec<u8> {
    let img = picture(32, 24);
    let rgba = image::DynamicImage::ImageRgb8(img).to_rgba8();
    let mut out = Vec::new();
    {
        let mut enc = image::codecs::gif::GifEncoder::new(&mut out);
        enc.encode(rgba.as_raw(), 32, 24, image::ExtendedColorType::Rgba8)
            .unwrap();
    }
    out
}

fn gif_sub_blocks(data: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    for c in data.chunks(255) {
        v.push(c.len() as u8);
        v.extend_from_slice(c);
    }
    v.push(0);
    v
}

/// The base GIF with `extra` blocks placed before its trailer, and `tail`
/// after it.
fn gif_with(extra: &[u8], tail: &[u8]) -> Vec<u8> {
    let mut v = gif_base();
    assert_eq!(v.pop(), Some(0x3B));
    v.extend_from_slice(extra);
    v.push(0x3B);
    v.extend_from_slice(tail);
    v
}

/// A baseline RGB TIFF of one strip, with extra ASCII tags in its first
/// directory and, when `second_page`, a second directory (another picture).
fn tiff_with(tags: &[(u16, &str)], second_page: bool) -> Vec<u8> {
    let (w, h) = (16u32, 12u32);
    let pixels = picture(w, h).into_raw();
    let mut entries: Vec<(u16, u16, u32, Vec<u8>)> = vec![
        (256, 3, 1, (w as u16).to_le_bytes().to_vec()),
        (257, 3, 1, (h as u16).to_le_bytes().to_vec()),
        (
            258,
            3,
            3,
            [8u16, 8, 8].iter().flat_map(|x| x.to_le_bytes()).collect(),
        ),
        (259, 3, 1, 1u16.to_le_bytes().to_vec()),
        (262, 3, 1, 2u16.to_le_bytes().to_vec()),
        (273, 4, 1, vec![]), // strip offset, filled below
        (277, 3, 1, 3u16.to_le_bytes().to_vec()),
        (278, 3, 1, (h as u16).to_le_bytes().to_vec()),
        (279, 4, 1, (pixels.len() as u32).to_le_bytes().to_vec()),
    ];
    for (tag, text) in tags {
        let mut b = text.as_bytes().to_vec();
        b.push(0);
        entries.push((*tag, 2, b.len() as u32, b));
    }
    entries.sort_by_key(|e| e.0);
    let build_ifd = |entries: &[(u16, u16, u32, Vec<u8>)], at: usize, strip: u32, next: u32| {
        let n = entries.len();
        let mut ifd = (n as u16).to_le_bytes().to_vec();
        let mut data = Vec::new();
        let data_at = at + 2 + 12 * n + 4;
        for (tag, typ, count, value) in entries {
            let value = if *tag == 273 {
                strip.to_le_bytes().to_vec()
            } else {
                value.clone()
            };
            ifd.extend_from_slice(&tag.to_le_bytes());
            ifd.extend_from_slice(&typ.to_le_bytes());
            ifd.extend_from_slice(&count.to_le_bytes());
            if value.len() <= 4 {
                let mut inline = value.clone();
                inline.resize(4, 0);
                ifd.extend_from_slice(&inline);
            } else {
                ifd.extend_from_slice(&((data_at + data.len()) as u32).to_le_bytes());
                data.extend_from_slice(&value);
                if data.len() % 2 == 1 {
                    data.push(0);
                }
            }
        }
        ifd.extend_from_slice(&next.to_le_bytes());
        ifd.extend(data);
        ifd
    };
    let mut v = b"II*\0".to_vec();
    let strip_at = 8u32;
    let first_ifd = 8 + pixels.len() as u32 + (pixels.len() as u32 % 2);
    v.extend_from_slice(&first_ifd.to_le_bytes());
    v.extend_from_slice(&pixels);
    if pixels.len() % 2 == 1 {
        v.push(0);
    }
    let probe = build_ifd(&entries, first_ifd as usize, strip_at, 0);
    let second_at = if second_page {
        first_ifd + probe.len() as u32
    } else {
        0
    };
    v.extend(build_ifd(&entries, first_ifd as usize, strip_at, second_at));
    if second_page {
        let plain: Vec<_> = entries
            .iter()
            .filter(|e| e.2 != 0 && e.1 != 2)
            .cloned()
            .collect();
        v.extend(build_ifd(&plain, second_at as usize, strip_at, 0));
    }
    v
}

/// Every planted file: (name, bytes). Names say where the marker hides.
pub fn all() -> Vec<(String, Vec<u8>)> {
    let m = MARKER.as_bytes();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut add = |name: &str, bytes: Vec<u8>| files.push((name.to_string(), bytes));

    // JPEG: every metadata segment, unknown and reserved markers, payloads
    // past known headers, a fake profile, a marked real profile, bytes in
    // and after the scan, and second pictures before and after the end.
    add("jpeg_com.jpg", jpeg_with(&[segment(0xFE, m)]));
    add(
        "jpeg_exif.jpg",
        jpeg_with(&[segment(0xE1, &exif_payload())]),
    );
    let mut xmp = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
    xmp.extend_from_slice(xmp_packet().as_bytes());
    add("jpeg_xmp.jpg", jpeg_with(&[segment(0xE1, &xmp)]));
    let mut irb = b"Photoshop 3.0\08BIM\x04\x04\0\0".to_vec();
    let iptc = [&[0x1C, 2, 80][..], &(m.len() as u16).to_be_bytes(), m].concat();
    irb.extend_from_slice(&(iptc.len() as u32).to_be_bytes());
    irb.extend_from_slice(&iptc);
    add("jpeg_iptc.jpg", jpeg_with(&[segment(0xED, &irb)]));
    add("jpeg_app5.jpg", jpeg_with(&[segment(0xE5, m)]));
    for marker in [0x4F, 0xBF, 0xC8, 0xDE, 0xDF, 0xF0, 0xF7, 0xFD] {
        add(
            &format!("jpeg_marker_{marker:02x}.jpg"),
            jpeg_with(&[segment(marker, m)]),
        );
    }
    let mut adobe = b"Adobe\0\x64\0\0\0\0\x01".to_vec();
    adobe.extend_from_slice(m);
    add(
        "jpeg_adobe_payload.jpg",
        jpeg_with(&[segment(0xEE, &adobe)]),
    );
    let mut fake_icc = b"ICC_PROFILE\0\x01\x01".to_vec();
    fake_icc.extend_from_slice(m);
    add(
        "jpeg_icc_not_a_profile.jpg",
        jpeg_with(&[segment(0xE2, &fake_icc)]),
    );
    let mut icc = b"ICC_PROFILE\0\x01\x01".to_vec();
    icc.extend(marked_profile());
    add("jpeg_icc_text.jpg", jpeg_with(&[segment(0xE2, &icc)]));
    let mut jfif = b"JFIF\0\x01\x01\0\0\x01\0\x01\x03\x03".to_vec();
    jfif.extend_from_slice(m);
    jfif.resize(14 + 27, 0);
    add("jpeg_jfif_thumbnail.jpg", {
        let base = jpeg_of(&picture(64, 48));
        let rest_at = 4 + u16::from_be_bytes([base[4], base[5]]) as usize;
        [&base[..2], &segment(0xE0, &jfif), &base[rest_at..]].concat()
    });
    add("jpeg_in_scan.jpg", jpeg_before_eoi(m));
    let mut second = jpeg_of(&picture(40, 30));
    second.splice(2..2, segment(0xFE, m));
    add(
        "jpeg_second_picture_inside.jpg",
        jpeg_before_eoi(&second[2..second.len() - 2]),
    );
    add(
        "jpeg_appended_picture.jpg",
        [jpeg_of(&picture(64, 48)), second.clone()].concat(),
    );
    add(
        "jpeg_trailing.jpg",
        [jpeg_of(&picture(64, 48)), m.to_vec()].concat(),
    );

    // PNG: text chunks (plain and stored-compressed), EXIF, XMP, unknown,
    // colour chunks of the wrong size, a stray palette, bytes after the
    // compressed stream, after IEND, and a profile named and filled with
    // the marker.
    add(
        "png_text.png",
        png_with(&[chunk(b"tEXt", &[b"Author\0", m].concat())], |d| d),
    );
    add(
        "png_ztxt.png",
        png_with(
            &[chunk(
                b"zTXt",
                &[&b"Author\0\0"[..], &zlib_stored(m)].concat(),
            )],
            |d| d,
        ),
    );
    add(
        "png_itxt_xmp.png",
        png_with(
            &[chunk(
                b"iTXt",
                &[b"XML:com.adobe.xmp\0\0\0\0\0", xmp_packet().as_bytes()].concat(),
            )],
            |d| d,
        ),
    );
    add(
        "png_exif.png",
        png_with(&[chunk(b"eXIf", &exif_payload()[6..])], |d| d),
    );
    add("png_private.png", png_with(&[chunk(b"prIv", m)], |d| d));
    for (kind, good) in [
        (b"gAMA", &[0u8, 0, 177, 143][..]),
        (b"cHRM", &[0u8; 32][..]),
        (b"sRGB", &[0u8][..]),
        (b"sBIT", &[8u8, 8, 8][..]),
        (b"cICP", &[1u8, 13, 0, 1][..]),
        (b"mDCv", &[0u8; 24][..]),
        (b"cLLi", &[0u8; 8][..]),
        (b"tRNS", &[0u8; 6][..]),
    ] {
        let name = format!("png_oversized_{}.png", String::from_utf8_lossy(kind));
        add(&name, png_with(&[chunk(kind, &[good, m].concat())], |d| d));
    }
    let mut palette = m.to_vec();
    palette.resize(m.len().div_ceil(3) * 3, 0);
    add(
        "png_palette_on_rgb.png",
        png_with(&[chunk(b"PLTE", &palette)], |d| d),
    );
    add(
        "png_after_zlib_end.png",
        png_with(&[], |d| [d, m.to_vec()].concat()),
    );
    add(
        "png_trailing.png",
        [png_of(&picture(64, 48)), m.to_vec()].concat(),
    );
    let profile = marked_profile();
    let iccp = [m, &b"\0\0"[..], &zlib_stored(&profile)].concat();
    add(
        "png_iccp_named_and_text.png",
        png_with(&[chunk(b"iCCP", &iccp)], |d| d),
    );

    // WebP: EXIF, XMP, unknown chunk, a marked profile, trailing bytes.
    add(
        "webp_exif.webp",
        webp_with(None, &[riff_chunk(b"EXIF", &exif_payload()[6..])], 0x08),
    );
    add(
        "webp_xmp.webp",
        webp_with(None, &[riff_chunk(b"XMP ", xmp_packet().as_bytes())], 0x04),
    );
    add(
        "webp_unknown.webp",
        webp_with(None, &[riff_chunk(b"PRIV", m)], 0),
    );
    add("webp_iccp.webp", webp_with(Some(&profile), &[], 0));
    add(
        "webp_trailing.webp",
        [webp_with(None, &[], 0), m.to_vec()].concat(),
    );

    // GIF: comment, application and plain-text extensions, trailing bytes.
    add(
        "gif_comment.gif",
        gif_with(&[&[0x21, 0xFE][..], &gif_sub_blocks(m)].concat(), &[]),
    );
    let app = [&[0x21, 0xFF, 11][..], b"XMP DataXMP", &gif_sub_blocks(m)].concat();
    add("gif_application.gif", gif_with(&app, &[]));
    let text = [&[0x21, 0x01, 12][..], &[0; 12], &gif_sub_blocks(m)].concat();
    add("gif_plain_text.gif", gif_with(&text, &[]));
    add("gif_trailing.gif", gif_with(&[], m));

    // TIFF: description, artist, copyright, a private tag, a second page.
    add(
        "tiff_tags.tif",
        tiff_with(&[(270, MARKER), (315, MARKER), (33432, MARKER)], false),
    );
    add("tiff_private_tag.tif", tiff_with(&[(65000, MARKER)], false));
    add("tiff_second_page.tif", tiff_with(&[(270, MARKER)], true));

    // Every file really holds the marker somewhere (or the test proves
    // nothing for it).
    for (name, bytes) in &files {
        assert!(holds_marker(bytes), "{name} was built without the marker");
    }
    files
}
