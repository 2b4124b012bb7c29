//! Synthetic scenes with exact answers: fake wristband labels and monitor
//! screens bent into photos, with a mask of every ink pixel, so that text and
//! code redaction can be scored pixel for pixel (`phiscrub-lab eval bands`,
//! `phiscrub-lab eval screens`).
//!
//! Scenes are reproducible: scene `i` of seed `s` is the same picture on any
//! machine, whatever the number of threads.

pub mod eval;
pub mod label;
pub mod warp;

use image::{Rgb, RgbImage};
use label::{Flat, PartKind};
use warp::Warp;

/// SplitMix64: tiny, seedable and stable across versions, which a benchmark
/// whose scenes must not change under it needs more than statistical quality.
///
/// ```
/// use phiscrub_lab::synth::Rng;
/// let mut a = Rng::new(42);
/// let first: Vec<u64> = (0..3).map(|_| a.next_u64()).collect();
/// // The same seed gives the same numbers, and a copy carries on alike.
/// let mut b = Rng::new(42);
/// assert_eq!(first, (0..3).map(|_| b.next_u64()).collect::<Vec<_>>());
/// let mut c = a.clone();
/// assert_eq!(a.below(1000), c.below(1000));
/// assert_ne!(Rng::new(43).next_u64(), first[0]);
/// ```
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator whose numbers depend only on `seed`.
    ///
    /// ```
    /// use phiscrub_lab::synth::Rng;
    /// let scene_seed = 7u64;
    /// let (mut a, mut b) = (Rng::new(scene_seed), Rng::new(scene_seed));
    /// assert_eq!(a.range(0.0, 1.0), b.range(0.0, 1.0));
    /// ```
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits (SplitMix64's output function).
    ///
    /// ```
    /// use phiscrub_lab::synth::Rng;
    /// // SplitMix64's published sequence: what makes the scenes stable.
    /// let mut rng = Rng::new(0);
    /// assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
    /// assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    /// ```
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, n)`.
    ///
    /// ```
    /// use phiscrub_lab::synth::Rng;
    /// let mut rng = Rng::new(1);
    /// // A die: every face comes up, and nothing else.
    /// let mut seen = [false; 6];
    /// for _ in 0..200 {
    ///     seen[rng.below(6) as usize] = true;
    /// }
    /// assert!(seen.iter().all(|&s| s));
    /// // `n` of 0 is taken as 1.
    /// assert_eq!(rng.below(0), 0);
    /// ```
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// Uniform in `[lo, hi)`.
    ///
    /// ```
    /// use phiscrub_lab::synth::Rng;
    /// let mut rng = Rng::new(2);
    /// let angles: Vec<f32> = (0..1000).map(|_| rng.range(-0.7, 0.7)).collect();
    /// assert!(angles.iter().all(|a| (-0.7..0.7).contains(a)));
    /// // Spread over the whole range.
    /// assert!(angles.iter().any(|&a| a < -0.6) && angles.iter().any(|&a| a > 0.6));
    /// ```
    pub fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }

    /// Roughly normal, mean 0, deviation 1 (sum of four uniforms).
    fn normal(&mut self) -> f32 {
        (0..4).map(|_| self.range(-1.0, 1.0)).sum::<f32>() * 0.866
    }
}

/// Which artwork a scene holds.
///
/// ```
/// use phiscrub_lab::synth::{scene, SceneKind};
/// // Bands: one or two wristbands; screens: always one monitor.
/// let bands = scene(SceneKind::Bands, 3, 0, &[], (320, 240));
/// assert!((1..=2).contains(&bands.objects));
/// let screens = scene(SceneKind::Screens, 3, 0, &[], (320, 240));
/// assert_eq!(screens.objects, 1);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SceneKind {
    /// One or two wristband strips (text lines and a Code 128 and/or
    /// DataMatrix), small, turned any way and wrapped round a wrist.
    Bands,
    /// One monitor screen of text lines (no codes), large and nearly upright,
    /// with glare and moiré.
    Screens,
}

impl SceneKind {
    /// The name used on the command line (`phiscrub-lab eval bands`), in
    /// reports and in the names of saved scenes.
    ///
    /// ```
    /// use phiscrub_lab::synth::SceneKind;
    /// assert_eq!(SceneKind::Bands.as_str(), "bands");
    /// let saved = format!("{}_{}_{:04}.jpg", SceneKind::Screens.as_str(), 1, 2);
    /// assert_eq!(saved, "screens_1_0002.jpg");
    /// ```
    pub fn as_str(&self) -> &'static str {
        match self {
            SceneKind::Bands => "bands",
            SceneKind::Screens => "screens",
        }
    }
}

/// One synthetic photo and its answers.
///
/// ```
/// use phiscrub_lab::synth::{label::PartKind, scene, SceneKind};
/// let s = scene(SceneKind::Bands, 7, 0, &[], (400, 300));
/// // The photo decodes to its stated size, and the masks have a value per pixel.
/// let img = image::load_from_memory(&s.jpeg)?;
/// assert_eq!((img.width(), img.height()), (s.width, s.height));
/// assert_eq!(s.ink.len(), (s.width * s.height) as usize);
/// // Every ink pixel names a part (1-based) and lies on the footprint.
/// for (&part, &on) in s.ink.iter().zip(&s.footprint) {
///     assert!(part as usize <= s.parts.len());
///     assert!(part == 0 || on);
/// }
/// // Each band has its text lines and a code.
/// for object in 0..s.objects {
///     let kinds = s.parts.iter().filter(|p| p.1 == object).map(|p| p.0);
///     assert!(kinds.clone().any(|k| k == PartKind::Code));
///     assert!(kinds.filter(|&k| k == PartKind::Text).count() >= 3);
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Scene {
    /// The photo as a camera would hand it over (JPEG).
    pub jpeg: Vec<u8>,
    /// Width of the photo in pixels: the requested size (no EXIF orientation,
    /// so stored and upright pixels agree with the masks).
    pub width: u32,
    /// Height of the photo in pixels; the masks are `width × height`, row by row.
    pub height: u32,
    /// Per pixel: 0, or the 1-based part whose ink the pixel shows.
    pub ink: Vec<u32>,
    /// `parts[k - 1]`: what part `k` is and which object (band or screen)
    /// it belongs to.
    pub parts: Vec<(PartKind, usize)>,
    /// Per pixel: true on a band or screen.
    pub footprint: Vec<bool>,
    /// Bands or screens in the scene.
    pub objects: usize,
}

/// Scene `index` of `seed`: a background (one of `backgrounds`, scaled to
/// cover `size`, or a plain room-like gradient when there are none) with one
/// or two bands, or one screen; then blur, noise and JPEG compression.
///
/// ```
/// use phiscrub_lab::synth::{scene, SceneKind};
/// # let cat = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/photos/chelsea.png");
/// let backgrounds = [image::open(cat)?.to_rgb8()];
/// let a = scene(SceneKind::Screens, 1, 0, &backgrounds, (480, 360));
/// // The same seed and index give the same picture; another index another.
/// assert_eq!(a.jpeg, scene(SceneKind::Screens, 1, 0, &backgrounds, (480, 360)).jpeg);
/// assert_ne!(a.jpeg, scene(SceneKind::Screens, 1, 1, &backgrounds, (480, 360)).jpeg);
/// assert_eq!((a.width, a.height), (480, 360));
/// // Every line of the screen has ink in the photo.
/// for part in 1..=a.parts.len() as u32 {
///     assert!(a.ink.contains(&part), "part {part}");
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn scene(
    kind: SceneKind,
    seed: u64,
    index: u64,
    backgrounds: &[RgbImage],
    size: (u32, u32),
) -> Scene {
    let mut rng = Rng::new(seed ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03));
    let (w, h) = size;
    let mut img = background(&mut rng, backgrounds, w, h);
    let mut ink = vec![0u32; (w * h) as usize];
    let mut footprint = vec![false; (w * h) as usize];
    let mut parts = Vec::new();
    let objects = match kind {
        SceneKind::Bands => 1 + rng.below(2) as usize,
        SceneKind::Screens => 1,
    };
    for object in 0..objects {
        let flat = match kind {
            SceneKind::Bands => label::band(&mut rng),
            SceneKind::Screens => label::screen(&mut rng),
        };
        let warp = place(&mut rng, kind, &flat, w, h, objects, object);
        let glare = (
            rng.range(0.0, w as f32),
            rng.range(0.0, h as f32),
            rng.range(0.0, 110.0),
            rng.range(0.1, 0.4) * w as f32,
        );
        let moire = (
            rng.range(0.25, 0.45),
            rng.range(-0.2, 0.2),
            rng.range(0.0, 14.0),
        );
        let screen = kind == SceneKind::Screens;
        let light = move |x: u32, y: u32, c: [f32; 3]| -> [f32; 3] {
            if !screen {
                return c;
            }
            let (dx, dy) = (x as f32 - glare.0, y as f32 - glare.1);
            let g = glare.2 * (-(dx * dx + dy * dy) / (glare.3 * glare.3)).exp();
            let m =
                moire.2 * (std::f32::consts::TAU * (moire.0 * x as f32 + moire.1 * y as f32)).sin();
            c.map(|v| v + g + m)
        };
        let base = parts.len() as u32;
        warp::composite(
            &flat,
            &warp,
            &mut img,
            &mut ink,
            &mut footprint,
            base,
            &light,
        );
        parts.extend(flat.parts.iter().map(|&k| (k, object)));
    }
    let sigma = rng.range(0.0, 1.1);
    if sigma > 0.35 {
        img = image::imageops::blur(&img, sigma);
    }
    let noise = rng.range(0.0, 5.0);
    for p in img.pixels_mut() {
        let n = noise * rng.normal();
        for c in 0..3 {
            p[c] = (p[c] as f32 + n).round().clamp(0.0, 255.0) as u8;
        }
    }
    let quality = 70 + rng.below(26) as u8;
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, quality)
        .encode_image(&img)
        .expect("encoding an RGB image in memory");
    Scene {
        jpeg,
        width: w,
        height: h,
        ink,
        parts,
        footprint,
        objects,
    }
}

fn background(rng: &mut Rng, backgrounds: &[RgbImage], w: u32, h: u32) -> RgbImage {
    if !backgrounds.is_empty() {
        let bg = &backgrounds[rng.below(backgrounds.len() as u64) as usize];
        let s = (w as f32 / bg.width() as f32).max(h as f32 / bg.height() as f32);
        let (sw, sh) = (
            ((bg.width() as f32 * s).ceil() as u32).max(w),
            ((bg.height() as f32 * s).ceil() as u32).max(h),
        );
        let big = image::imageops::resize(bg, sw, sh, image::imageops::FilterType::Triangle);
        let (ox, oy) = ((sw - w) / 2, (sh - h) / 2);
        return image::imageops::crop_imm(&big, ox, oy, w, h).to_image();
    }
    // A bed sheet or wall: a soft two-colour gradient.
    let a = [
        rng.range(120.0, 230.0),
        rng.range(120.0, 230.0),
        rng.range(120.0, 230.0),
    ];
    let b = [
        rng.range(60.0, 200.0),
        rng.range(60.0, 200.0),
        rng.range(60.0, 200.0),
    ];
    RgbImage::from_fn(w, h, |x, y| {
        let t = (x as f32 / w as f32 + y as f32 / h as f32) / 2.0;
        Rgb([0, 1, 2].map(|c| (a[c] * (1.0 - t) + b[c] * t) as u8))
    })
}

/// Where an object lands: bands small and turned every way (the wrist can
/// lie anywhere in a photo), screens large and nearly upright. Objects of
/// one scene take separate horizontal slots so they do not overlap.
fn place(rng: &mut Rng, kind: SceneKind, flat: &Flat, w: u32, h: u32, n: usize, i: usize) -> Warp {
    let (fw, fh) = (flat.rgb.width() as f32, flat.rgb.height() as f32);
    let slot_w = w as f32 / n as f32;
    let (scale, angle, wrap, sag, keystone) = match kind {
        SceneKind::Bands => {
            let fit = 0.9 * slot_w.min(h as f32) / fw;
            (
                rng.range(0.45, 1.2).min(fit),
                rng.range(-0.7, 0.7),
                rng.range(0.0, 0.9),
                rng.range(-0.25, 0.25) * fh,
                (rng.range(-3e-4, 3e-4), rng.range(-3e-4, 3e-4)),
            )
        }
        SceneKind::Screens => {
            let fit = 0.85 * (w as f32 / fw).min(h as f32 / fh);
            (
                rng.range(0.55, 1.0).min(fit),
                rng.range(-0.25, 0.25),
                0.0,
                0.0,
                (rng.range(-4e-4, 4e-4), rng.range(-4e-4, 4e-4)),
            )
        }
    };
    let reach = 0.5 * scale * (fw * angle.cos().abs() + fh * angle.sin().abs());
    let reach_y = 0.5 * scale * (fw * angle.sin().abs() + fh * angle.cos().abs());
    let lo_x = i as f32 * slot_w + reach.min(slot_w / 2.0);
    let hi_x = (i + 1) as f32 * slot_w - reach.min(slot_w / 2.0);
    let lo_y = reach_y.min(h as f32 / 2.0);
    let hi_y = h as f32 - lo_y;
    Warp {
        centre: (
            rng.range(lo_x, hi_x.max(lo_x + 1.0)),
            rng.range(lo_y, hi_y.max(lo_y + 1.0)),
        ),
        scale,
        angle,
        wrap,
        sag,
        keystone,
        size: (fw, fh),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenes_are_reproducible_and_their_masks_hold_ink() {
        let a = scene(SceneKind::Bands, 7, 3, &[], (800, 600));
        let b = scene(SceneKind::Bands, 7, 3, &[], (800, 600));
        assert_eq!(a.jpeg, b.jpeg);
        assert!(a.objects >= 1);
        // Every band has text lines and at least one code, each with ink.
        for object in 0..a.objects {
            let kinds: Vec<PartKind> = a
                .parts
                .iter()
                .filter(|p| p.1 == object)
                .map(|p| p.0)
                .collect();
            assert!(kinds.iter().filter(|&&k| k == PartKind::Text).count() >= 3);
            assert!(kinds.contains(&PartKind::Code));
        }
        for k in 1..=a.parts.len() as u32 {
            let n = a.ink.iter().filter(|&&v| v == k).count();
            assert!(n > 0, "part {k} has no ink");
        }
        // Ink lies on the footprint.
        assert!(a.ink.iter().zip(&a.footprint).all(|(&i, &f)| i == 0 || f));
        // And the ink is dark on a lighter label: the mask marks real glyphs.
        let img = image::load_from_memory(&a.jpeg).unwrap().to_luma8();
        let mean = |on: bool| {
            let v: Vec<f32> = img
                .pixels()
                .zip(&a.ink)
                .zip(&a.footprint)
                .filter(|&((_, &i), &f)| f && (i != 0) == on)
                .map(|((p, _), _)| p[0] as f32)
                .collect();
            v.iter().sum::<f32>() / v.len() as f32
        };
        assert!(
            mean(true) + 40.0 < mean(false),
            "{} vs {}",
            mean(true),
            mean(false)
        );
    }
}
