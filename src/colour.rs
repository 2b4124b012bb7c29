//! Colour profiles: detection looks at what a colour-managed viewer would
//! show, and an output never carries the input's profile bytes.
//!
//! A profile changes what a viewer shows: a portrait stored at levels 0–3
//! with a tone curve that stretches them is black to a detector reading raw
//! values and a face to a browser. So the decoded pixels are taken through
//! the input's profile first. Three cases, told apart by what the profile
//! does to a lattice of colours, never by its name:
//! - it behaves as sRGB (or there is none): the pixels are used as they are
//!   and the output carries no profile (viewers assume sRGB);
//! - it behaves as Display P3 (phone cameras): the pixels are kept (so a
//!   JPEG can still be rebuilt losslessly), detectors see them converted to
//!   sRGB, and the output carries the Display P3 profile phiscrub generates;
//! - anything else: the pixels are converted to sRGB once, and the output is
//!   sRGB without a profile.
//!
//! A profile that does not read is refused: some viewer may read it.

use image::DynamicImage;
use moxcms::{ColorProfile, DataColorSpace, Layout, TransformOptions};
use std::sync::{Arc, OnceLock};

/// Largest difference, in 8-bit levels, still counted as "the same colours"
/// when a profile is compared with sRGB or Display P3 (rounding in the
/// profile's own curves).
const SAME: u8 = 2;

type Transform = Arc<moxcms::Transform8BitExecutor>;

/// How one image's colours are handled (see the module text).
#[derive(Clone, Default)]
pub(crate) struct Colour {
    /// Converts the image's pixels to sRGB for the detectors; `None` when
    /// they already are.
    to_srgb: Option<Transform>,
    /// The profile the output must carry: phiscrub's own Display P3, or
    /// none (sRGB).
    pub(crate) profile: Option<&'static [u8]>,
    /// The pixels were converted: a JPEG can no longer be rebuilt losslessly.
    pub(crate) converted: bool,
}

fn display_p3() -> &'static (ColorProfile, Vec<u8>) {
    static P3: OnceLock<(ColorProfile, Vec<u8>)> = OnceLock::new();
    P3.get_or_init(|| {
        let p = ColorProfile::new_display_p3();
        let mut bytes = p
            .encode()
            .expect("moxcms encodes its own Display P3 profile");
        // The header's creation time is when this process started writing
        // outputs: a fact about the run, and what made two runs' outputs
        // differ. Zeroed, with the profile ID (zero means "not computed").
        for range in [24..36, 84..100] {
            if let Some(field) = bytes.get_mut(range) {
                field.fill(0);
            }
        }
        (p, bytes)
    })
}

/// The Display P3 profile phiscrub writes; an output carrying exactly these
/// bytes carries nothing of its input.
pub(crate) fn own_display_p3() -> &'static [u8] {
    &display_p3().1
}

/// Transforms follow the profile's curves and matrix, as most viewers do,
/// not a CICP tag inside it (see `manage` for a profile whose two disagree).
fn options() -> TransformOptions {
    TransformOptions {
        allow_use_cicp_transfer: false,
        ..TransformOptions::default()
    }
}

/// A lattice of RGB colours spanning the cube, to see what a profile does.
fn lattice() -> Vec<u8> {
    let steps: Vec<u8> = (0..=8).map(|i| (i * 255 / 8) as u8).collect();
    let mut v = Vec::with_capacity(9 * 9 * 9 * 3);
    for &r in &steps {
        for &g in &steps {
            for &b in &steps {
                v.extend_from_slice(&[r, g, b]);
            }
        }
    }
    v
}

/// True when `src` shows the lattice as `dst` would (within [`SAME`]).
fn behaves_as(src: &ColorProfile, dst: &ColorProfile) -> bool {
    behaves_as_with(src, dst, options())
}

fn behaves_as_with(src: &ColorProfile, dst: &ColorProfile, options: TransformOptions) -> bool {
    let Ok(t) = src.create_transform_8bit(Layout::Rgb, dst, Layout::Rgb, options) else {
        return false;
    };
    let input = lattice();
    let mut out = vec![0u8; input.len()];
    t.transform(&input, &mut out).is_ok()
        && input.iter().zip(&out).all(|(a, b)| a.abs_diff(*b) <= SAME)
}

/// What a profile does, told from its behaviour.
pub(crate) enum Kind {
    /// No profile, or one that shows colours as sRGB does, or one for
    /// another colour model than the pixels (no viewer applies it to them).
    Srgb,
    /// Shows colours as Display P3 does.
    DisplayP3,
    /// Anything else: the pixels must be converted through it.
    Other(Box<ColorProfile>),
}

/// Reads `icc` and tells what it does to pixels of this kind (`grey`).
/// With `allow_p3` false a Display P3 profile counts as `Other` (the output
/// may carry no profile, so its pixels are converted). `Err` names what is
/// wrong with a profile that does not read, or reads two ways.
pub(crate) fn classify(icc: Option<&[u8]>, grey: bool, allow_p3: bool) -> Result<Kind, String> {
    let Some(icc) = icc else {
        return Ok(Kind::Srgb);
    };
    let profile = ColorProfile::new_from_slice(icc)
        .map_err(|e| format!("its colour profile does not read ({e})"))?;
    if profile.cicp.is_some() && profile.color_space == DataColorSpace::Rgb {
        // Read by its CICP tag or by its curves, the profile must show the
        // same picture: viewers differ in which they follow.
        let mut by_curves = profile.clone();
        by_curves.cicp = None;
        if !behaves_as_with(&profile, &by_curves, TransformOptions::default()) {
            return Err("its colour profile's CICP tag and curves disagree".into());
        }
    }
    Ok(match (profile.color_space, grey) {
        (DataColorSpace::Rgb, false) => {
            if behaves_as(&profile, &ColorProfile::new_srgb()) {
                Kind::Srgb
            } else if allow_p3 && behaves_as(&profile, &display_p3().0) {
                Kind::DisplayP3
            } else {
                Kind::Other(Box::new(profile))
            }
        }
        (DataColorSpace::Gray, true) => Kind::Other(Box::new(profile)),
        _ => Kind::Srgb,
    })
}

/// Decides how `image`'s colours are handled given its embedded profile
/// (see [`classify`]), converting the pixels to sRGB for `Kind::Other`.
pub(crate) fn manage(
    image: &mut DynamicImage,
    icc: Option<&[u8]>,
    allow_p3: bool,
) -> Result<Colour, String> {
    let grey = !image.color().has_color();
    match classify(icc, grey, allow_p3)? {
        Kind::Srgb => Ok(Colour::default()),
        Kind::DisplayP3 => {
            let (p3, p3_bytes) = display_p3();
            let t = p3
                .create_transform_8bit(
                    Layout::Rgb,
                    &ColorProfile::new_srgb(),
                    Layout::Rgb,
                    options(),
                )
                .map_err(|e| format!("Display P3 to sRGB: {e}"))?;
            Ok(Colour {
                to_srgb: Some(t),
                profile: Some(p3_bytes.as_slice()),
                converted: false,
            })
        }
        Kind::Other(profile) => convert(image, &profile, &ColorProfile::new_srgb(), grey),
    }
}

/// The colour space a PNG without `iCCP` declares through its other
/// chunks, as a profile, when it is not sRGB: a `cICP` other than sRGB's, or
/// a `gAMA` other than 1/2.2 (viewers apply both: a portrait stored at
/// levels 0–3 under `gAMA` 5 shows a face). `sRGB` or `iCCP` present:
/// `None` (the decoder hands the profile over, or the file is sRGB). An
/// unknown `cICP` code is an error: what viewers show cannot be told.
pub(crate) fn png_implied_profile(bytes: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let Ok(layout) = crate::metadata::png::layout(bytes) else {
        return Ok(None);
    };
    let find = |kind: &[u8; 4]| {
        layout
            .chunks
            .iter()
            .find(|c| &c.kind == kind)
            .map(|c| c.data(bytes))
    };
    if find(b"iCCP").is_some() || find(b"sRGB").is_some() {
        return Ok(None);
    }
    if let Some(&[p, t, m, range]) = find(b"cICP") {
        if (p, t, m) == (1, 13, 0) {
            return Ok(None);
        }
        // Reserved and unspecified codes, and transfers moxcms does not
        // implement: no telling what a viewer shows.
        let known_primaries = matches!(p, 1 | 4..=12 | 22);
        let known_transfer = matches!(t, 1 | 4..=6 | 8..=10 | 13..=16 | 18);
        if !known_primaries || !known_transfer {
            return Err(format!(
                "its cICP chunk has codes phiscrub cannot apply ({p}, {t})"
            ));
        }
        let cicp = moxcms::CicpProfile {
            color_primaries: p
                .try_into()
                .map_err(|_| format!("unknown cICP primaries {p}"))?,
            transfer_characteristics: t
                .try_into()
                .map_err(|_| format!("unknown cICP transfer {t}"))?,
            matrix_coefficients: m
                .try_into()
                .map_err(|_| format!("unknown cICP matrix {m}"))?,
            full_range: range == 1,
        };
        let profile = ColorProfile::new_from_cicp(cicp);
        return profile
            .encode()
            .map(Some)
            .map_err(|e| format!("its cICP chunk does not make a profile ({e})"));
    }
    if let Some(&[a, b, c, d]) = find(b"gAMA") {
        let gamma = u32::from_be_bytes([a, b, c, d]) as f32 / 100_000.0;
        if gamma <= 0.0 {
            return Err("its gAMA chunk is zero".into());
        }
        if (0.45..=0.46).contains(&gamma) {
            return Ok(None);
        }
        // IHDR's colour type: 0 and 4 are grey.
        let grey = matches!(layout.chunks[0].data(bytes).get(9), Some(0 | 4));
        let profile = if grey {
            ColorProfile::new_gray_with_gamma(1.0 / gamma)
        } else {
            let mut p = ColorProfile::new_srgb();
            p.cicp = None;
            let curve = moxcms::ToneReprCurve::Parametric(vec![1.0 / gamma]);
            p.red_trc = Some(curve.clone());
            p.green_trc = Some(curve.clone());
            p.blue_trc = Some(curve);
            p
        };
        return profile
            .encode()
            .map(Some)
            .map_err(|e| format!("its gAMA chunk does not make a profile ({e})"));
    }
    Ok(None)
}

/// Converts `image` to 8-bit sRGB through `profile` (alpha kept).
fn convert(
    image: &mut DynamicImage,
    profile: &ColorProfile,
    srgb: &ColorProfile,
    grey: bool,
) -> Result<Colour, String> {
    let alpha = image.color().has_alpha();
    let (src_layout, src) = match (grey, alpha) {
        (true, false) => (Layout::Gray, image.to_luma8().into_raw()),
        (true, true) => (Layout::GrayAlpha, image.to_luma_alpha8().into_raw()),
        (false, false) => (Layout::Rgb, image.to_rgb8().into_raw()),
        (false, true) => (Layout::Rgba, image.to_rgba8().into_raw()),
    };
    let dst_layout = if alpha { Layout::Rgba } else { Layout::Rgb };
    let t = profile
        .create_transform_8bit(src_layout, srgb, dst_layout, options())
        .map_err(|e| format!("its colour profile cannot be applied ({e})"))?;
    let (w, h) = (image.width(), image.height());
    let channels = if alpha { 4 } else { 3 };
    let mut out = vec![0u8; w as usize * h as usize * channels];
    t.transform(&src, &mut out)
        .map_err(|e| format!("its colour profile cannot be applied ({e})"))?;
    let identical = !grey && out == src;
    *image = if alpha {
        DynamicImage::ImageRgba8(image::RgbaImage::from_raw(w, h, out).expect("sized above"))
    } else {
        DynamicImage::ImageRgb8(image::RgbImage::from_raw(w, h, out).expect("sized above"))
    };
    Ok(Colour {
        to_srgb: None,
        profile: None,
        converted: !identical,
    })
}

impl Colour {
    /// The pixels a viewer shows, for the detectors: `rgb` itself when it is
    /// sRGB already.
    pub(crate) fn shown(&self, rgb: image::RgbImage) -> image::RgbImage {
        match &self.to_srgb {
            None => rgb,
            Some(t) => {
                let (w, h) = rgb.dimensions();
                let mut out = vec![0u8; rgb.as_raw().len()];
                // Same layout and length on both sides: cannot fail.
                t.transform(rgb.as_raw(), &mut out)
                    .expect("RGB to RGB of equal length");
                image::RgbImage::from_raw(w, h, out).expect("same size")
            }
        }
    }
}

/// Profile text that software and camera makers ship in every copy of a
/// standard profile: says nothing about a person. Compared lower-case.
const STANDARD_TEXT: &[&str] = &[
    "srgb",
    "srgb built-in",
    "srgb iec61966-2.1",
    "srgb iec61966-2-1 black scaled",
    "iec http://www.iec.ch",
    "iec 61966-2.1 default rgb colour space - srgb",
    "display p3",
    "display",
    "adobe rgb (1998)",
    "generic rgb profile",
    "generic gray profile",
    "generic gray gamma 2.2 profile",
    "color lcd",
    "prophoto rgb",
    "reference output medium metric(romm)",
    "u.s. web coated (swop) v2",
    "gimp built-in srgb",
    "gimp",
    "kodak",
    "no copyright, use freely",
    "public domain",
];

/// Makers whose copyright lines are standard (with "copyright" in the text).
const STANDARD_OWNERS: &[&str] = &[
    "hewlett-packard",
    "apple",
    "adobe",
    "google",
    "eastman kodak",
    "canon",
    "nikon",
    "sony",
    "fujifilm",
    "microsoft",
    "international color consortium",
];

/// Whether a profile's name (PNG `iCCP`) is one software writes for any
/// profile, or a standard profile's description.
pub(crate) fn standard_name(name: &str) -> bool {
    let n = name.trim().to_lowercase();
    // One character (the `image` crate's PNG encoder writes "_") names nobody.
    n.chars().count() <= 1
        || [
            "icc profile",
            "icc",
            "embedded profile",
            "photoshop icc profile",
            "profile",
            "default",
        ]
        .contains(&n.as_str())
        || standard(name)
}

fn standard(text: &str) -> bool {
    let t = text.trim().to_lowercase();
    STANDARD_TEXT.contains(&t.as_str())
        || (t.starts_with("srgb v") && t.len() < 24)
        || (t.contains("copyright") && STANDARD_OWNERS.iter().any(|o| t.contains(o)))
}

/// The readable text a profile carries (description, copyright, device
/// maker and model) other than the standard lines of well-known profiles:
/// free text that may name a person or a device, reported by `inspect` and
/// counted as a dropped comment by scrub (no input profile is ever written).
/// Empty for phiscrub's own profile.
pub(crate) fn profile_text(icc: &[u8]) -> Vec<(&'static str, String)> {
    if icc == own_display_p3() {
        return Vec::new();
    }
    let Ok(p) = ColorProfile::new_from_slice(icc) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for (what, text) in [
        ("description", &p.description),
        ("copyright", &p.copyright),
        ("device maker", &p.device_manufacturer),
        ("device model", &p.device_model),
    ] {
        if let Some(t) = text
            .as_ref()
            .map(text_of)
            .filter(|t| !t.trim().is_empty() && !standard(t))
        {
            found.push((what, t));
        }
    }
    found
}

fn text_of(t: &moxcms::ProfileText) -> String {
    match t {
        moxcms::ProfileText::PlainString(s) => s.clone(),
        moxcms::ProfileText::Localizable(v) => v
            .iter()
            .map(|l| l.value.clone())
            .collect::<Vec<_>>()
            .join(" / "),
        moxcms::ProfileText::Description(d) => d.ascii_string.clone(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn phiscrubs_own_profile_holds_no_date_and_is_the_same_in_every_run() {
        let p = super::own_display_p3();
        assert!(p[24..36].iter().all(|&b| b == 0), "a creation date");
        // Decodable still, and the same bytes a fresh encode gives once its
        // date is zeroed.
        assert!(moxcms::ColorProfile::new_from_slice(p).is_ok());
        let mut fresh = moxcms::ColorProfile::new_display_p3().encode().unwrap();
        fresh[24..36].fill(0);
        fresh[84..100].fill(0);
        assert_eq!(p, &fresh[..]);
    }

    use super::*;

    fn rgb(w: u32, h: u32, level: u8) -> DynamicImage {
        DynamicImage::ImageRgb8(image::RgbImage::from_pixel(w, h, image::Rgb([level; 3])))
    }

    #[test]
    fn srgb_profiles_and_none_leave_pixels_alone() {
        let mut img = rgb(4, 4, 100);
        let srgb = ColorProfile::new_srgb().encode().unwrap();
        let c = manage(&mut img, Some(&srgb), true).unwrap();
        assert!(c.profile.is_none() && !c.converted && c.to_srgb.is_none());
        assert_eq!(img.as_bytes()[0], 100);
        assert!(manage(&mut img, None, true).unwrap().profile.is_none());
    }

    #[test]
    fn display_p3_keeps_pixels_and_writes_our_own_profile() {
        let mut img = rgb(4, 4, 100);
        let mut p3 = ColorProfile::new_display_p3();
        p3.description = Some(moxcms::ProfileText::PlainString("Dr Martin's phone".into()));
        let c = manage(&mut img, Some(&p3.encode().unwrap()), true).unwrap();
        assert_eq!(c.profile, Some(own_display_p3()));
        assert!(!c.converted);
        assert_eq!(img.as_bytes()[0], 100, "stored pixels untouched");
        // Saturated P3 red is not sRGB red: the detectors see the converted one.
        let orange = image::RgbImage::from_pixel(1, 1, image::Rgb([200, 100, 50]));
        assert_ne!(c.shown(orange).get_pixel(0, 0).0, [200, 100, 50]);
        assert!(profile_text(own_display_p3()).is_empty());
    }

    #[test]
    fn a_tone_curve_that_lifts_dark_levels_is_applied_before_detection() {
        // Stored at level 3, shown bright through a curve of gamma 0.1.
        let mut img = rgb(4, 4, 3);
        let mut p = ColorProfile::new_srgb();
        p.cicp = None;
        let curve = moxcms::ToneReprCurve::Parametric(vec![0.1]);
        p.red_trc = Some(curve.clone());
        p.green_trc = Some(curve.clone());
        p.blue_trc = Some(curve);
        let c = manage(&mut img, Some(&p.encode().unwrap()), true).unwrap();
        assert!(c.converted && c.profile.is_none());
        assert!(img.as_bytes()[0] > 100, "level {}", img.as_bytes()[0]);
        // The same curves behind a CICP tag that says sRGB: refused.
        let mut img = rgb(4, 4, 3);
        p.cicp = ColorProfile::new_srgb().cicp;
        assert!(manage(&mut img, Some(&p.encode().unwrap()), true).is_err());
    }

    /// A PNG of `level` everywhere with the given extra chunks.
    fn png_with(level: u8, grey: bool, extra: &[(&[u8; 4], &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        let (ct, n) = if grey {
            (image::ExtendedColorType::L8, 1)
        } else {
            (image::ExtendedColorType::Rgb8, 3)
        };
        image::ImageEncoder::write_image(
            image::codecs::png::PngEncoder::new(&mut out),
            &vec![level; 16 * n],
            4,
            4,
            ct,
        )
        .unwrap();
        let chunks: Vec<u8> = extra
            .iter()
            .flat_map(|(kind, data)| crate::metadata::png::chunk(kind, data))
            .collect();
        // After the signature and IHDR (8 + 25 bytes).
        out.splice(33..33, chunks);
        out
    }

    #[test]
    fn a_png_gamma_that_lifts_dark_levels_is_applied_before_detection() {
        for grey in [false, true] {
            let png = png_with(3, grey, &[(b"gAMA", &500_000u32.to_be_bytes())]);
            let icc = png_implied_profile(&png).unwrap().expect("a profile");
            let mut img = image::load_from_memory(&png).unwrap();
            let c = manage(&mut img, Some(&icc), true).unwrap();
            assert!(c.converted, "grey {grey}");
            assert!(
                img.to_rgb8().as_raw()[0] > 100,
                "grey {grey}: {:?}",
                &img.as_bytes()[..3]
            );
        }
        // 1/2.2, an sRGB chunk, or none: the pixels are shown as stored.
        for extra in [
            vec![(b"gAMA", &45_455u32.to_be_bytes()[..])],
            vec![
                (b"sRGB", &[0u8][..]),
                (b"gAMA", &5_000u32.to_be_bytes()[..]),
            ],
            vec![],
        ] {
            assert!(
                png_implied_profile(&png_with(3, false, &extra))
                    .unwrap()
                    .is_none()
            );
        }
        // An HDR cICP (BT.2020 primaries, PQ) is a profile; an unknown code an error.
        assert!(
            png_implied_profile(&png_with(3, false, &[(b"cICP", &[9, 16, 0, 1])]))
                .unwrap()
                .is_some()
        );
        assert!(png_implied_profile(&png_with(3, false, &[(b"cICP", &[200, 16, 0, 1])])).is_err());
    }

    #[test]
    fn a_broken_profile_is_an_error_and_profile_text_is_read() {
        let mut img = rgb(2, 2, 0);
        assert!(
            manage(
                &mut img,
                Some(b"not a profile at all, 40 bytes long...."),
                true
            )
            .is_err()
        );
        let mut p = ColorProfile::new_srgb();
        p.copyright = Some(moxcms::ProfileText::PlainString("J. Doe, ward 4".into()));
        let text = profile_text(&p.encode().unwrap());
        assert!(
            text.iter()
                .any(|(w, t)| *w == "copyright" && t.contains("J. Doe")),
            "{text:?}"
        );
        // The standard lines of a standard profile are not reported.
        let mut p = ColorProfile::new_srgb();
        p.description = Some(moxcms::ProfileText::PlainString("sRGB IEC61966-2.1".into()));
        p.copyright = Some(moxcms::ProfileText::PlainString(
            "Copyright (c) 1998 Hewlett-Packard Company".into(),
        ));
        assert!(profile_text(&p.encode().unwrap()).is_empty());
    }
}
