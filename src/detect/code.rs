//! Barcodes and 2D codes, located with `rxing` (a pure-Rust port of ZXing):
//! Code 128, Code 39, EAN/UPC, ITF, QR, DataMatrix and PDF417.
//!
//! rxing finds the codes it can decode; their contents are dropped at once
//! and never leave this module. Bar patterns too blurred, small or damaged to
//! decode are found by their structure instead: bars by [`bars`], 2D
//! symbols by [`matrices`]. Both share one structure-tensor pass over the
//! image ([`Tensor`]).
//!
//! rxing reports corners for 2D codes but only the scan line for 1D codes;
//! the bars' height is measured here by walking away from that line while
//! the bar pattern holds.

use crate::detect::{DetectError, Finding, FindingKind};
use crate::geometry::{BoxF, Quad};
use image::{GrayImage, RgbImage};
use rxing::{BarcodeFormat, DecodeHints, Point};
use std::collections::HashSet;

/// Which code formats are looked for.
const FORMATS: [BarcodeFormat; 10] = [
    BarcodeFormat::CODE_128,
    BarcodeFormat::CODE_39,
    BarcodeFormat::EAN_13,
    BarcodeFormat::EAN_8,
    BarcodeFormat::UPC_A,
    BarcodeFormat::UPC_E,
    BarcodeFormat::ITF,
    BarcodeFormat::QR_CODE,
    BarcodeFormat::DATA_MATRIX,
    BarcodeFormat::PDF_417,
];

/// Finds every code in `img`, decodable or only recognisable by its bars or
/// modules. Returns each as a [`FindingKind::Code`] finding covering the code
/// and its quiet zone. An `Err` means the search itself broke (the image must
/// be refused), not that nothing was found.
///
/// ```
/// use phiscrub::detect::code::find;
/// // Bars of uneven widths (1 to 3 units of 2 px) on a pale label: not a
/// // code any reader decodes, but it looks like one and is filled anyway.
/// let mut label = image::RgbImage::from_pixel(1200, 600, image::Rgb([240, 238, 230]));
/// let (mut x, mut dark) = (60u32, true);
/// for w in [2, 1, 3, 1, 1, 2, 3, 2, 1, 1, 3, 1, 2, 2, 1, 3, 1, 1, 2, 1, 3, 2, 1, 2, 1, 1, 3].repeat(2) {
///     if dark {
///         for bx in x..x + 2 * w {
///             for by in 40..120 {
///                 label.put_pixel(bx, by, image::Rgb([20, 20, 20]));
///             }
///         }
///     }
///     (x, dark) = (x + 2 * w, !dark);
/// }
/// let codes = find(&label)?;
/// let bars = codes.iter().find(|c| c.bbox.w > 100.0).expect("the bars are found");
/// // The finding covers the bars, whatever they encode.
/// assert!(bars.bbox.x <= 60.0 && bars.bbox.x2() >= x as f32 - 8.0);
/// assert!(bars.bbox.y <= 48.0 && bars.bbox.y2() >= 112.0);
/// # Ok::<(), phiscrub::DetectError>(())
/// ```
pub fn find(img: &RgbImage) -> Result<Vec<Finding>, DetectError> {
    let (w, h) = img.dimensions();
    if w == 0 || h == 0 {
        return Ok(Vec::new());
    }
    let luma = grey(img);
    let raw = luma.as_raw().clone();
    // rxing is a large port; a panic inside it must refuse this image, not
    // end the run.
    let decoded = std::panic::catch_unwind(move || {
        let mut hints = DecodeHints {
            PossibleFormats: Some(HashSet::from(FORMATS)),
            TryHarder: Some(true),
            ..Default::default()
        };
        rxing::helpers::detect_multiple_in_luma_with_hints(raw, w, h, &mut hints)
    })
    .map_err(|_| "the barcode reader crashed on this image".to_string())?;
    let results = match decoded {
        Ok(r) => r,
        // "Not found" is how rxing says there is no code.
        Err(rxing::Exceptions::NotFoundException(_)) => Vec::new(),
        Err(e) => {
            return Err(DetectError::Other(format!(
                "the barcode reader failed: {e}"
            )));
        }
    };
    let tensor = Tensor::new(&luma);
    // The finders' boxes take in quiet zones that may run past the edge.
    let mut out: Vec<Finding> = bars(&luma, &tensor)
        .into_iter()
        .chain(matrices(&luma, &tensor))
        .filter_map(|f| clip(f, w, h))
        .collect();
    for r in results {
        let points: Vec<(f32, f32)> = r.getPoints().iter().map(|p: &Point| (p.x, p.y)).collect();
        let linear = points.len() == 2 || is_linear(r.getBarcodeFormat());
        let finding = if linear {
            linear_code(&luma, &points)
        } else {
            matrix_code(&points)
        };
        if let Some(f) = finding.and_then(|f| clip(f, w, h)) {
            out.push(f);
        }
    }
    Ok(out)
}

/// The image's luma with the weights `image` uses (Rec. 709), written out
/// because converting through `DynamicImage` copies the whole photo first
/// (a quarter of this module's time on 12 MP).
fn grey(img: &RgbImage) -> GrayImage {
    let (w, h) = img.dimensions();
    let luma = img
        .as_raw()
        .chunks_exact(3)
        .map(|p| {
            let y = 2126 * p[0] as u32 + 7152 * p[1] as u32 + 722 * p[2] as u32;
            ((y + 5000) / 10000) as u8
        })
        .collect();
    GrayImage::from_raw(w, h, luma).expect("one luma byte per pixel")
}

/// Side of the cells the structure tensor is summed over, in pixels.
const FINE: u32 = 4;

/// Per `FINE`-pixel cell, the sums of the gradient products (the structure
/// tensor `jxx`, `jyy`, `jxy`) over its pixels: the bar finder judges 2×2
/// of them, the matrix finder single ones. Central differences, clamped at
/// the border.
struct Tensor {
    cw: u32,
    ch: u32,
    j: Vec<[f32; 3]>,
}

impl Tensor {
    fn new(luma: &GrayImage) -> Tensor {
        let (w, h) = luma.dimensions();
        let (cw, ch) = (w / FINE, h / FINE);
        let mut j = vec![[0f32; 3]; (cw * ch) as usize];
        let raw = luma.as_raw();
        let (wu, hu) = (w as usize, h as usize);
        for y in 0..(ch * FINE) as usize {
            let row = &raw[y * wu..(y + 1) * wu];
            let up = &raw[y.saturating_sub(1) * wu..][..wu];
            let down = &raw[(y + 1).min(hu - 1) * wu..][..wu];
            let cells = &mut j[(y / FINE as usize) * cw as usize..][..cw as usize];
            for x in 0..(cw * FINE) as usize {
                let gx = row[(x + 1).min(wu - 1)] as f32 - row[x.saturating_sub(1)] as f32;
                let gy = down[x] as f32 - up[x] as f32;
                let c = &mut cells[x / FINE as usize];
                c[0] += gx * gx;
                c[1] += gy * gy;
                c[2] += gx * gy;
            }
        }
        Tensor { cw, ch, j }
    }

    /// Mean gradient energy per pixel, coherence (0: no direction, 1: all
    /// gradients along one line) and the dominant gradient direction
    /// (radians, 0..π) of a sum over `pixels` pixels.
    fn judge(j: [f32; 3], pixels: f32) -> (f32, f32, f32) {
        let [jxx, jyy, jxy] = j;
        let energy = (jxx + jyy) / pixels;
        let coherence = ((jxx - jyy).powi(2) + 4.0 * jxy * jxy).sqrt() / (jxx + jyy).max(1e-6);
        let angle = (0.5 * (2.0 * jxy).atan2(jxx - jyy)).rem_euclid(std::f32::consts::PI);
        (energy, coherence, angle)
    }
}

/// Share of the photo above which a bar pattern that does not decode is not
/// taken for a code: rxing reads codes whose bars are a pixel or two wide,
/// so one that large and unreadable is a fence, a facade or a patterned
/// wall (or so blurred that nobody can read it either).
const LARGE_BARS: f32 = 0.05;

/// Side of the cells the bar finder judges, in pixels.
const CELL: u32 = 8;

/// Longest bars the bar finder accepts, in multiples of the run's width
/// across them. Linear codes on labels, tubes and wristbands are at most
/// about as tall as they are wide (the synthetic wristband codes up to 0.7);
/// building facades and shadow stripes in the shared text photos came out at
/// 3.4 to 11.
const BAR_ASPECT: f32 = 2.5;

/// Finds bar patterns whether or not they decode: runs of cells whose
/// gradients all point one way (coherence of the structure tensor above
/// 0.75) with strong contrast, side by side across the bars, and whose
/// profile across the bars alternates fast (bars ≤ 8 px apart on average,
/// at least 12 alternations). Blurred, tiny or damaged 1D codes land here;
/// so do some fine stripes, which are filled too (safe side).
fn bars(luma: &GrayImage, t: &Tensor) -> Vec<Finding> {
    let (cw, ch) = (t.cw / 2, t.ch / 2);
    if cw < 4 || ch < 2 {
        return Vec::new();
    }
    // Per cell: the gradient direction (radians, 0..π) or None.
    let mut dir: Vec<Option<f32>> = vec![None; (cw * ch) as usize];
    for cy in 0..ch {
        for cx in 0..cw {
            let mut sum = [0f32; 3];
            for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                let c = t.j[((2 * cy + dy) * t.cw + 2 * cx + dx) as usize];
                for k in 0..3 {
                    sum[k] += c[k];
                }
            }
            let (energy, coherence, angle) = Tensor::judge(sum, (CELL * CELL) as f32);
            if energy >= 900.0 && coherence >= 0.75 {
                dir[(cy * cw + cx) as usize] = Some(angle);
            }
        }
    }
    let close = |a: f32, b: f32| {
        let d = (a - b).abs();
        d.min(std::f32::consts::PI - d) < 0.35
    };
    let mut seen = vec![false; dir.len()];
    let mut out = Vec::new();
    for start in 0..dir.len() {
        let Some(a0) = dir[start] else { continue };
        if seen[start] {
            continue;
        }
        seen[start] = true;
        let mut cells = vec![start];
        let mut k = 0;
        while k < cells.len() {
            let i = cells[k];
            k += 1;
            let (x, y) = ((i as u32 % cw) as i64, (i as u32 / cw) as i64);
            for (dx, dy) in [(1, 0), (-1, 0), (0, 1), (0, -1)] {
                let (nx, ny) = (x + dx, y + dy);
                if nx < 0 || ny < 0 || nx >= cw as i64 || ny >= ch as i64 {
                    continue;
                }
                let j = (ny as u32 * cw + nx as u32) as usize;
                if !seen[j] && dir[j].is_some_and(|a| close(a, a0)) {
                    seen[j] = true;
                    cells.push(j);
                }
            }
        }
        if cells.len() < 6 {
            continue;
        }
        if let Some(f) = bar_region(luma, &cells, cw, a0) {
            out.push(f);
        }
    }
    out
}

/// What the bars across a candidate look like, from profiles taken across
/// them at several places along them, each split into dark and light runs
/// at its own mean.
#[derive(Debug, Clone, Copy)]
struct BarPattern {
    /// Mean agreement, dark against light, of the profiles at a fifth,
    /// a third, two thirds and four fifths along the bars with the middle
    /// one (the best of shifts up to 2 px): printed bars are straight
    /// and parallel; folds in fabric, waves in a wall and animals' stripes
    /// bend.
    consistency: f32,
    /// Widest over narrowest (80th over 20th percentile) dark run of the
    /// middle profile, its end runs left out. Every linear symbology mixes
    /// narrow and wide bars (1 to 4 modules, or narrow and wide); stripes
    /// repeat one width.
    dark_spread: f32,
    /// The same for the light runs.
    light_spread: f32,
    /// Dark and light runs along the middle profile. The shortest Code 128
    /// (start, one character, check, stop) has 25 elements; EAN-8 43.
    runs: usize,
}

impl BarPattern {
    fn measure(
        luma: &GrayImage,
        angle: f32,
        (umin, umax, vmin, vmax): (f32, f32, f32, f32),
    ) -> BarPattern {
        let (u, v) = ((angle.cos(), angle.sin()), (-angle.sin(), angle.cos()));
        let (w, h) = luma.dimensions();
        let profile = |at_v: f32| -> Vec<bool> {
            let vals: Vec<f32> = (umin as i64..umax as i64)
                .map(|t| {
                    let (x, y) = (t as f32 * u.0 + at_v * v.0, t as f32 * u.1 + at_v * v.1);
                    let (x, y) = (x.clamp(0.0, w as f32 - 1.0), y.clamp(0.0, h as f32 - 1.0));
                    luma.get_pixel(x as u32, y as u32)[0] as f32
                })
                .collect();
            let mean = vals.iter().sum::<f32>() / vals.len().max(1) as f32;
            vals.into_iter().map(|p| p < mean).collect()
        };
        let mid = profile((vmin + vmax) / 2.0);
        let n = mid.len();
        let places = [0.2, 0.35, 0.65, 0.8];
        let mut consistency = 0.0;
        for f in places {
            let p = profile(vmin + f * (vmax - vmin));
            let best = (-2i64..=2)
                .map(|shift| {
                    let inner = 2..n.saturating_sub(2);
                    let total = inner.len().max(1);
                    let agree = inner
                        .filter(|&i| mid[i] == p[(i as i64 + shift) as usize])
                        .count();
                    agree as f32 / total as f32
                })
                .fold(0f32, f32::max);
            consistency += best / places.len() as f32;
        }
        let mut runs: Vec<(bool, usize)> = Vec::new();
        for &d in &mid {
            match runs.last_mut() {
                Some((b, n)) if *b == d => *n += 1,
                _ => runs.push((d, 1)),
            }
        }
        let inner = if runs.len() > 2 {
            &runs[1..runs.len() - 1]
        } else {
            &runs[..]
        };
        let spread = |dark: bool| {
            let mut w: Vec<usize> = inner.iter().filter(|r| r.0 == dark).map(|r| r.1).collect();
            if w.len() < 3 {
                return 0.0;
            }
            w.sort_unstable();
            w[w.len() * 4 / 5].max(1) as f32 / w[w.len() / 5].max(1) as f32
        };
        BarPattern {
            consistency,
            dark_spread: spread(true),
            light_spread: spread(false),
            runs: runs.len(),
        }
    }

    /// Whether the bars could be a printed code. On the synthetic bands of
    /// `eval bands` the bars of codes measure 0.65–0.93 consistency, 42–58
    /// runs for whole codes and spreads of 1.7–6; the stripes of shirts,
    /// fences and ceilings fall short on at least one.
    fn is_code_like(&self) -> bool {
        let whole = self.runs >= 25 && self.consistency >= 0.6;
        // Part of a code (blur split the run of cells): fewer runs, but the
        // bars as straight as print.
        let part = self.runs >= 16 && self.consistency >= 0.9;
        // Blur makes 1-module bars 2 px and 2-module bars 3 px: mixed widths
        // then show only 1.5 apart, which bars as straight as print may.
        let (narrow, wide) = (
            self.dark_spread.min(self.light_spread),
            self.dark_spread.max(self.light_spread),
        );
        let mixed = narrow >= 1.6 || (narrow >= 1.25 && wide >= 2.0 && self.consistency >= 0.95);
        (whole || part) && mixed
    }
}

/// The region of a run of coherent cells, if it is a bar pattern: wide
/// enough across the bars and alternating fast along that direction.
fn bar_region(luma: &GrayImage, cells: &[usize], cw: u32, angle: f32) -> Option<Finding> {
    let (u, v) = ((angle.cos(), angle.sin()), (-angle.sin(), angle.cos()));
    let c = CELL as f32;
    let (mut umin, mut umax, mut vmin, mut vmax) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
    for &i in cells {
        let (x0, y0) = ((i as u32 % cw) as f32 * c, (i as u32 / cw) as f32 * c);
        for (x, y) in [(x0, y0), (x0 + c, y0), (x0, y0 + c), (x0 + c, y0 + c)] {
            let (pu, pv) = (x * u.0 + y * u.1, x * v.0 + y * v.1);
            umin = umin.min(pu);
            umax = umax.max(pu);
            vmin = vmin.min(pv);
            vmax = vmax.max(pv);
        }
    }
    // Across the bars (along the gradient) a code is several cells long;
    // a single edge or line is one cell thick.
    if umax - umin < 3.0 * c || vmax - vmin < 1.5 * c {
        return None;
    }
    // Printed 1D codes are wider than their bars are long; stripes many
    // times longer than the run is wide are a facade, a shutter or shadows
    // on a floor, and filling them blacks out a large part of the photo.
    if vmax - vmin > BAR_ASPECT * (umax - umin) {
        return None;
    }
    let vmid = (vmin + vmax) / 2.0;
    let (w, h) = luma.dimensions();
    let profile: Vec<f32> = (umin as i64..umax as i64)
        .filter_map(|t| {
            let (x, y) = (t as f32 * u.0 + vmid * v.0, t as f32 * u.1 + vmid * v.1);
            (x >= 0.0 && y >= 0.0 && x < w as f32 && y < h as f32)
                .then(|| luma.get_pixel(x as u32, y as u32)[0] as f32)
        })
        .collect();
    if profile.len() < 16 {
        return None;
    }
    let mean = profile.iter().sum::<f32>() / profile.len() as f32;
    let flips = profile
        .windows(2)
        .filter(|p| (p[0] < mean) != (p[1] < mean))
        .count();
    if flips < 12 || (profile.len() as f32 / flips as f32) > 8.0 {
        return None;
    }
    if (umax - umin) * (vmax - vmin) > LARGE_BARS * (w * h) as f32 {
        return None;
    }
    if !BarPattern::measure(luma, angle, (umin, umax, vmin, vmax)).is_code_like() {
        return None;
    }
    // One cell of margin: the bars' ends and the quiet zone.
    let (umin, umax, vmin, vmax) = (umin - c, umax + c, vmin - c, vmax + c);
    let at = |s: f32, t: f32| [s * u.0 + t * v.0, s * u.1 + t * v.1];
    let quad: Quad = [
        at(umin, vmin),
        at(umax, vmin),
        at(umax, vmax),
        at(umin, vmax),
    ];
    Some(outlined(quad, 0.5))
}

/// Score of the matrix finder's findings. Lower than the bar finder's: a
/// square of dense modules is weaker evidence of a code than a run of bars
/// (some glyphs and logos pass), so it starts a wristband only with two
/// lines of text beside it, and otherwise may join one another code started
/// (see `wristband::group`).
///
/// ```
/// use phiscrub::detect::code::MATRIX_SCORE;
/// use phiscrub::detect::wristband::group;
/// use phiscrub::{BoxF, Finding, FindingKind};
/// let name = Finding::new(FindingKind::Text, BoxF::new(0.0, 6.0, 110.0, 12.0), 0.8);
/// let square = Finding::new(FindingKind::Code, BoxF::new(120.0, 0.0, 24.0, 24.0), MATRIX_SCORE);
/// // A square of modules beside a name is not enough to call it a label.
/// let alone = group(vec![name.clone(), square.clone()], 400, 100);
/// assert!(alone.iter().all(|f| f.kind != FindingKind::Wristband));
/// // A code scoring above MATRIX_SCORE (decoded, or found by its bars) is.
/// let bars = Finding { score: 1.0, ..square };
/// let label = group(vec![name, bars], 400, 100);
/// assert_eq!(label.len(), 1);
/// assert_eq!(label[0].kind, FindingKind::Wristband);
/// ```
pub const MATRIX_SCORE: f32 = 0.4;

/// Sides, in pixels, of the 2D codes the matrix finder reports: below 12 px
/// a symbol's modules are under a pixel; above 240 px rxing decodes them.
const MATRIX_SIDE: (u32, u32) = (12, 240);

/// Finds DataMatrix- and QR-like symbols whether or not they decode: a
/// compact, square (sides within 30 %), isotropic patch of dense edges (4-px
/// cells above the contrast floor and not all one direction, joined side to
/// side), standing in a quiet margin (few such cells in a ring half its size
/// around it), whose pixels alternate dark and light alike across rows and
/// columns ([`looks_like_modules`]). A tiny, blurred or slanted code on a
/// wristband lands here; so do some single glyphs and small logos, which are
/// filled too (safe side). Grouped with the text beside it, such a code
/// makes a wristband finding.
fn matrices(luma: &GrayImage, t: &Tensor) -> Vec<Finding> {
    let (cw, ch) = (t.cw as i64, t.ch as i64);
    let busy: Vec<bool> =
        t.j.iter()
            .map(|&j| {
                let (energy, coherence, _) = Tensor::judge(j, (FINE * FINE) as f32);
                energy >= 500.0 && coherence < 0.85
            })
            .collect();
    let at = |x: i64, y: i64| (y * cw + x) as usize;
    let mut seen = vec![false; busy.len()];
    let mut out = Vec::new();
    for start in 0..busy.len() {
        if !busy[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        let mut cells = vec![start];
        let (mut x0, mut y0, mut x1, mut y1) = (i64::MAX, i64::MAX, i64::MIN, i64::MIN);
        let mut sum = [0f32; 3];
        let mut k = 0;
        while k < cells.len() {
            let i = cells[k];
            k += 1;
            let (x, y) = (i as i64 % cw, i as i64 / cw);
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            for (s, v) in sum.iter_mut().zip(t.j[i]) {
                *s += v;
            }
            for (dx, dy) in [(1, 0), (-1, 0), (0, 1), (0, -1)] {
                let (nx, ny) = (x + dx, y + dy);
                if nx >= 0 && ny >= 0 && nx < cw && ny < ch && busy[at(nx, ny)] && !seen[at(nx, ny)]
                {
                    seen[at(nx, ny)] = true;
                    cells.push(at(nx, ny));
                }
            }
        }
        let (bw, bh) = (x1 - x0 + 1, y1 - y0 + 1);
        let side = |c: i64| (c as u32) * FINE;
        let (lo, hi) = MATRIX_SIDE;
        if side(bw.min(bh)) < lo || side(bw.max(bh)) > hi || bw.max(bh) * 10 > bw.min(bh) * 13 {
            continue;
        }
        if (cells.len() as i64) * 100 < bw * bh * 40 {
            continue;
        }
        // Bars and single strokes have one direction; modules have two.
        if Tensor::judge(sum, (cells.len() as u32 * FINE * FINE) as f32).1 > 0.5 {
            continue;
        }
        let r = (bw.min(bh) / 2).max(2);
        let (mut ring, mut ring_busy) = (0, 0);
        for y in (y0 - r).max(0)..(y1 + r + 1).min(ch) {
            for x in (x0 - r).max(0)..(x1 + r + 1).min(cw) {
                if x < x0 || x > x1 || y < y0 || y > y1 {
                    ring += 1;
                    ring_busy += busy[at(x, y)] as u32;
                }
            }
        }
        if ring == 0 || ring_busy * 10 > ring * 3 {
            continue;
        }
        let px = (side(x0), side(y0), side(bw), side(bh));
        if !looks_like_modules(luma, px) {
            continue;
        }
        let (x, y, w, h) = (px.0 as f32, px.1 as f32, px.2 as f32, px.3 as f32);
        let m = 0.2 * w.max(h) + 2.0;
        out.push(Finding::new(
            FindingKind::Code,
            BoxF::from_corners(x - m, y - m, x + w + m, y + h + m),
            MATRIX_SCORE,
        ));
    }
    out
}

/// Least spread between the dark and light tenths of a square of modules:
/// printed codes are ink on paper. Glyphs, clutter and fabric that pass the
/// other tests are mostly softer; the synthetic codes of `eval bands`,
/// blurred and compressed, keep 126 and more.
const MODULE_CONTRAST: i32 = 110;

/// Least mean number of dark/light alternations along the middle rows and
/// columns of a square of modules. The synthetic DataMatrix codes of `eval
/// bands` (12 × 12 to 16 × 16 modules) keep 5 to 11; dense glyphs and
/// clutter often 3.5 to 5.
const MODULE_FLIPS: f32 = 5.0;

/// Whether the pixels of `(x, y, w, h)` look like a code's modules: strong
/// contrast ([`MODULE_CONTRAST`]), a margin a quarter of its size around it
/// at least 65 % light, dark a fifth to 55 % of the patch, and on average
/// at least [`MODULE_FLIPS`] dark/light alternations along the middle rows
/// and as many (within 40 %) along the middle columns. Modules alternate
/// alike both ways; a word alternates along its line far more than across
/// it.
fn looks_like_modules(luma: &GrayImage, (x, y, w, h): (u32, u32, u32, u32)) -> bool {
    let (iw, ih) = luma.dimensions();
    let (x1, y1) = ((x + w).min(iw), (y + h).min(ih));
    let mut hist = [0u32; 256];
    for yy in y..y1 {
        for xx in x..x1 {
            hist[luma.get_pixel(xx, yy)[0] as usize] += 1;
        }
    }
    let n: u32 = hist.iter().sum();
    let quantile = |q: f32| {
        let want = (q * n as f32) as u32;
        let mut acc = 0;
        hist.iter()
            .position(|&c| {
                acc += c;
                acc > want
            })
            .unwrap_or(255) as i32
    };
    let (dark, light) = (quantile(0.1), quantile(0.9));
    if light - dark < MODULE_CONTRAST {
        return false;
    }
    let mid = ((dark + light) / 2) as u8;
    // Printed codes sit on light paper: their quiet margin is mostly as
    // light as the symbol's light modules. Faces and clutter, which can
    // pass the other tests, are surrounded by a mix of tones.
    let r = w.max(h) / 4;
    let (mut margin, mut margin_light) = (0u32, 0u32);
    for yy in y.saturating_sub(r)..(y1 + r).min(ih) {
        for xx in x.saturating_sub(r)..(x1 + r).min(iw) {
            if xx < x || xx >= x1 || yy < y || yy >= y1 {
                margin += 1;
                margin_light += (luma.get_pixel(xx, yy)[0] >= mid) as u32;
            }
        }
    }
    if margin == 0 || margin_light * 20 < margin * 13 {
        return false;
    }
    let below: u32 = hist[..mid as usize].iter().sum();
    if below * 5 < n || below * 20 > 11 * n {
        return false;
    }
    let is_dark = |xx: u32, yy: u32| luma.get_pixel(xx, yy)[0] < mid;
    let flips = |line: &mut dyn Iterator<Item = bool>| {
        let mut prev = None;
        let mut f = 0;
        for d in line {
            f += (prev.is_some_and(|p| p != d)) as u32;
            prev = Some(d);
        }
        f
    };
    // The middle three fifths: the rows near a rotated symbol's corners are
    // short and cross few modules.
    let rows: Vec<u32> = (y + h / 5..y1.saturating_sub(h / 5)).collect();
    let cols: Vec<u32> = (x + w / 5..x1.saturating_sub(w / 5)).collect();
    if rows.is_empty() || cols.is_empty() {
        return false;
    }
    let across: u32 = rows
        .iter()
        .map(|&yy| flips(&mut (x..x1).map(|xx| is_dark(xx, yy))))
        .sum();
    let down: u32 = cols
        .iter()
        .map(|&xx| flips(&mut (y..y1).map(|yy| is_dark(xx, yy))))
        .sum();
    let (across, down) = (
        across as f32 / rows.len() as f32,
        down as f32 / cols.len() as f32,
    );
    across.min(down) >= MODULE_FLIPS && across.max(down) <= 1.4 * across.min(down)
}

fn is_linear(f: &BarcodeFormat) -> bool {
    !matches!(
        f,
        BarcodeFormat::QR_CODE | BarcodeFormat::DATA_MATRIX | BarcodeFormat::PDF_417
    )
}

/// A 2D code from its corner or finder points: their bounds, grown by a
/// quarter of the code's size on every side (QR finder centres sit 3.5
/// modules inside the corners, and the quiet zone is up to 4 modules).
fn matrix_code(points: &[(f32, f32)]) -> Option<Finding> {
    if points.len() < 3 {
        return None;
    }
    let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for &(x, y) in points {
        x0 = x0.min(x);
        y0 = y0.min(y);
        x1 = x1.max(x);
        y1 = y1.max(y);
    }
    let m = ((x1 - x0).max(y1 - y0) * 0.25).max(4.0);
    Some(Finding::new(
        FindingKind::Code,
        BoxF::from_corners(x0 - m, y0 - m, x1 + m, y1 + m),
        1.0,
    ))
}

/// A 1D code from the two ends of its scan line: the line, lengthened by its
/// quiet zones, thickened to the height over which the bar pattern holds.
fn linear_code(luma: &GrayImage, points: &[(f32, f32)]) -> Option<Finding> {
    let (&(ax, ay), &(bx, by)) = (points.first()?, points.last()?);
    let len = ((bx - ax).powi(2) + (by - ay).powi(2)).sqrt();
    if len < 4.0 {
        return None;
    }
    let d = ((bx - ax) / len, (by - ay) / len);
    let n = (-d.1, d.0);
    let (up, lean_up) = bar_extent(luma, (ax, ay), d, len, (-n.0, -n.1));
    let (down, lean_down) = bar_extent(luma, (ax, ay), d, len, n);
    // Quiet zones are at least 10 modules (Code 128, ITF) — about a tenth of
    // a short code — and the height gets a margin for the bars' ends.
    let along = (0.12 * len).max(8.0);
    let (up, down) = (up + 0.1 * (up + down) + 2.0, down + 0.1 * (up + down) + 2.0);
    let at = |s: f32, t: f32| [ax + s * d.0 + t * n.0, ay + s * d.1 + t * n.1];
    // Leaning bars make a parallelogram; its ends move by the lean.
    let quad: Quad = [
        at(lean_up - along, -up),
        at(lean_up + len + along, -up),
        at(lean_down + len + along, down),
        at(lean_down - along, down),
    ];
    Some(outlined(quad, 1.0))
}

/// How far from the scan line, in direction `n`, the bar pattern holds:
/// each row must agree (3/4 of samples on the same side of the row's mean)
/// with the row before, shifted by up to two samples, so bars that lean (a
/// curved or tilted band) are followed.
fn bar_extent(
    luma: &GrayImage,
    a: (f32, f32),
    d: (f32, f32),
    len: f32,
    n: (f32, f32),
) -> (f32, f32) {
    let samples = (len.ceil() as usize).clamp(16, 2048);
    let step = len / samples as f32;
    // Two extra samples each side give room for the shift.
    let row = |off: f32, lead: f32| -> Option<Vec<bool>> {
        let mut v = Vec::with_capacity(samples + 4);
        for i in 0..samples + 4 {
            let s = lead + step * (i as f32 - 2.0 + 0.5);
            let (x, y) = (a.0 + s * d.0 + off * n.0, a.1 + s * d.1 + off * n.1);
            if x < 0.0 || y < 0.0 || x >= luma.width() as f32 || y >= luma.height() as f32 {
                return None;
            }
            v.push(luma.get_pixel(x as u32, y as u32)[0] as f32);
        }
        let mean = v.iter().sum::<f32>() / v.len() as f32;
        let spread = v.iter().map(|p| (p - mean).abs()).sum::<f32>() / v.len() as f32;
        // A flat row (label margin, background) holds no bars.
        (spread >= 8.0).then(|| v.into_iter().map(|p| p < mean).collect())
    };
    let Some(mut prev) = row(0.0, 0.0) else {
        return (0.0, 0.0);
    };
    let (mut off, mut lead) = (0.0, 0.0);
    while off < len {
        let next = off + 1.0;
        let mut best: Option<(f32, f32, Vec<bool>)> = None;
        for shift in -2i32..=2 {
            let l = lead + shift as f32 * step;
            if let Some(r) = row(next, l) {
                let a = agreement(&r[2..samples + 2], &prev[2..samples + 2]);
                if best.as_ref().is_none_or(|b| a > b.0) {
                    best = Some((a, l, r));
                }
            }
        }
        match best {
            Some((a, l, r)) if a >= 0.75 => {
                off = next;
                lead = l;
                prev = r;
            }
            _ => break,
        }
    }
    (off, lead)
}

fn agreement(a: &[bool], b: &[bool]) -> f32 {
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f32 / a.len() as f32
}

/// A code finding along `quad`, its box the quad's bounds.
fn outlined(quad: Quad, score: f32) -> Finding {
    let bbox = BoxF::around(&quad);
    let mut f = Finding::new(FindingKind::Code, bbox, score);
    f.outline = Some(quad);
    f
}

fn clip(mut f: Finding, w: u32, h: u32) -> Option<Finding> {
    f.bbox = f.bbox.clipped(w, h);
    (f.bbox.area() > 0.0).then_some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grey_matches_the_image_crates_luma_within_one_level() {
        let img = RgbImage::from_fn(64, 4, |x, y| {
            image::Rgb([(x * 4) as u8, (255 - x * 3) as u8, (y * 60 + x) as u8])
        });
        let ours = grey(&img);
        let theirs = image::DynamicImage::ImageRgb8(img).into_luma8();
        for (a, b) in ours.as_raw().iter().zip(theirs.as_raw()) {
            assert!(a.abs_diff(*b) <= 1, "{a} vs {b}");
        }
    }

    #[test]
    fn bars_are_measured_up_and_down_from_the_scan_line() {
        // Vertical bars 2 px wide from y = 20 to 60 on white, x 10..90.
        let img = GrayImage::from_fn(100, 100, |x, y| {
            let bar = (10..90).contains(&x) && (20..60).contains(&y) && (x / 2) % 3 == 0;
            image::Luma([if bar { 0 } else { 255 }])
        });
        let f = linear_code(&img, &[(10.0, 40.0), (90.0, 40.0)]).unwrap();
        // The bars span y 20..60; the finding must hold them with margin and
        // not run far beyond.
        assert!(f.bbox.y <= 20.0 && f.bbox.y2() >= 60.0, "{:?}", f.bbox);
        assert!(f.bbox.y >= 5.0 && f.bbox.y2() <= 75.0, "{:?}", f.bbox);
        assert!(f.bbox.x <= 10.0 - 8.0 && f.bbox.x2() >= 90.0 + 8.0);
    }

    /// A DataMatrix of 2-px modules, turned by `angle` around its centre at
    /// (cx, cy) on a light label, softened by a 3×3 box blur: the size and
    /// look of the symbol on a wristband across a room.
    fn slanted_matrix(w: u32, h: u32, cx: f32, cy: f32, angle: f32) -> GrayImage {
        use rxing::Writer;
        let m = rxing::MultiFormatWriter
            .encode("MRN 4471093|1961-02-03", &BarcodeFormat::DATA_MATRIX, 0, 0)
            .unwrap();
        let n = m.getWidth() as f32;
        let (sin, cos) = angle.sin_cos();
        let sharp = GrayImage::from_fn(w, h, |x, y| {
            let (dx, dy) = (x as f32 - cx, y as f32 - cy);
            let (u, v) = (dx * cos + dy * sin, -dx * sin + dy * cos);
            let (mx, my) = (u / 2.0 + n / 2.0, v / 2.0 + n / 2.0);
            let inside = mx >= 0.0 && my >= 0.0 && mx < n && my < n;
            let dark = inside && m.get(mx as u32, my as u32);
            image::Luma([if dark { 30 } else { 235 }])
        });
        GrayImage::from_fn(w, h, |x, y| {
            let mut sum = 0u32;
            for (dx, dy) in (-1i32..=1).flat_map(|a| (-1i32..=1).map(move |b| (a, b))) {
                let (sx, sy) = (
                    (x as i32 + dx).clamp(0, w as i32 - 1),
                    (y as i32 + dy).clamp(0, h as i32 - 1),
                );
                sum += sharp.get_pixel(sx as u32, sy as u32)[0] as u32;
            }
            image::Luma([(sum / 9) as u8])
        })
    }

    fn matrices_in(luma: &GrayImage) -> Vec<Finding> {
        matrices(luma, &Tensor::new(luma))
    }

    #[test]
    fn a_small_slanted_data_matrix_is_found_by_its_modules() {
        let luma = slanted_matrix(200, 160, 90.0, 70.0, 0.5);
        let found = matrices_in(&luma);
        assert_eq!(found.len(), 1, "{found:?}");
        // Every dark pixel of the symbol lies inside the finding.
        let b = found[0].bbox;
        for (x, y, p) in luma.enumerate_pixels() {
            if p[0] < 128 {
                let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
                let inside = px >= b.x && px <= b.x2() && py >= b.y && py <= b.y2();
                assert!(inside, "({x}, {y}) outside {b:?}");
            }
        }
        assert!(
            b.w < 90.0 && b.h < 90.0,
            "far larger than the symbol: {b:?}"
        );
        assert!(found[0].score <= MATRIX_SCORE);
    }

    #[test]
    fn bars_a_solid_square_and_noise_are_not_matrices() {
        // Upright bars 2 px wide, 3 px apart: a 1D code, not a matrix.
        let bars = GrayImage::from_fn(200, 160, |x, y| {
            let bar = (60..140).contains(&x) && (50..110).contains(&y) && (x / 2) % 3 == 0;
            image::Luma([if bar { 20 } else { 235 }])
        });
        assert!(matrices_in(&bars).is_empty());
        let square = GrayImage::from_fn(200, 160, |x, y| {
            let dark = (70..110).contains(&x) && (60..100).contains(&y);
            image::Luma([if dark { 20 } else { 235 }])
        });
        assert!(matrices_in(&square).is_empty());
        // Texture everywhere (fabric, foliage) has no quiet margin.
        let mut seed = 7u32;
        let noise = GrayImage::from_fn(200, 160, |_, _| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            image::Luma([(seed >> 24) as u8])
        });
        assert!(matrices_in(&noise).is_empty());
    }

    #[test]
    fn bars_longer_than_the_run_is_wide_are_stripes_not_a_code() {
        // Bars of uneven width (2, 4 or 6 px, gaps 2 or 4), as in a code
        // too small or blurred to decode.
        let widths = [2u32, 4, 2, 6, 2, 2, 4, 2, 6, 4, 2, 2, 4, 6, 2, 4];
        let dark_at = |x: u32| {
            let (mut at, mut dark) = (0, true);
            for (k, w) in widths.iter().cycle().enumerate() {
                // Light runs come at odd k: every other one is wide.
                let w = if dark { *w } else { 2 + 2 * (k as u32 / 2 % 2) };
                if x < at + w {
                    return dark;
                }
                at += w;
                dark = !dark;
            }
            unreachable!()
        };
        let striped = |x0: u32, x1: u32, y0: u32, y1: u32| {
            GrayImage::from_fn(480, 640, move |x, y| {
                let bar = (x0..x1).contains(&x) && (y0..y1).contains(&y) && dark_at(x - x0);
                image::Luma([if bar { 25 } else { 230 }])
            })
        };
        let found = |img: &GrayImage| bars(img, &Tensor::new(img));
        // A code: 160 px across its bars, 56 px tall.
        let code = found(&striped(120, 280, 200, 256));
        assert_eq!(code.len(), 1, "{code:?}");
        // The same bars 80 px across and 480 px long: a shutter or facade.
        assert!(found(&striped(200, 280, 80, 560)).is_empty());
        // Up to 2.5 times longer than wide still counts (a code partly hidden).
        assert_eq!(found(&striped(200, 280, 200, 360)).len(), 1);
        // Cut by the top edge: the box reported is clipped to the image, as
        // every finding's is (the fill is the same either way).
        let edge = image::DynamicImage::ImageLuma8(striped(120, 280, 0, 56)).to_rgb8();
        let at_edge = find(&edge).unwrap();
        assert_eq!(at_edge.len(), 1, "{at_edge:?}");
        let b = at_edge[0].bbox;
        assert!(
            b.x >= 0.0 && b.y >= 0.0 && b.x2() <= 480.0 && b.y2() <= 640.0,
            "{b:?}"
        );
    }

    #[test]
    fn even_stripes_and_large_undecoded_bars_are_not_codes() {
        // A striped shirt: every bar and gap 4 px, 160 px across, 56 tall.
        let stripes = GrayImage::from_fn(480, 640, |x, y| {
            let bar = (120..280).contains(&x) && (200..256).contains(&y) && (x / 4) % 2 == 0;
            image::Luma([if bar { 25 } else { 230 }])
        });
        assert!(bars(&stripes, &Tensor::new(&stripes)).is_empty());
        // Code-like bars (widths 1 to 3 units of 2 px, bars and gaps alike)
        // are a code at a few per cent of the photo, and not when they fill a
        // fifth of it: a code that large would decode.
        let units = [1u32, 3, 1, 2, 2, 1, 3, 1, 1, 2, 3, 2, 1, 1, 2, 3];
        let coded = |x0: u32, x1: u32, y0: u32, y1: u32| {
            GrayImage::from_fn(480, 640, move |x, y| {
                if !(x0..x1).contains(&x) || !(y0..y1).contains(&y) {
                    return image::Luma([230]);
                }
                let (mut at, mut k) = (x0, 0);
                loop {
                    let w = 2 * units[k % units.len()];
                    if x < at + w {
                        return image::Luma([if k % 2 == 0 { 25 } else { 230 }]);
                    }
                    at += w;
                    k += 1;
                }
            })
        };
        let small = coded(120, 280, 200, 256);
        assert_eq!(bars(&small, &Tensor::new(&small)).len(), 1);
        let large = coded(40, 440, 100, 300);
        assert!(bars(&large, &Tensor::new(&large)).is_empty());
    }
}
