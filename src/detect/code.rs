//! Barcodes and 2D codes, located with `rxing` (a pure-Rust port of ZXing):
//! Code 128, Code 39, EAN/UPC, ITF, QR, DataMatrix and PDF417.
//!
//! rxing finds the codes it can decode; their contents are dropped at once
//! and never leave this module. Bar patterns too blurred, small or damaged to
//! decode are found by their structure instead ([`bars`]). A 2D code that
//! does not decode is left to the text detector and to wristband grouping;
//! see README "Limits".
//!
//! rxing reports corners for 2D codes but only the scan line for 1D codes;
//! the bars' height is measured here by walking away from that line while
//! the bar pattern holds.

use crate::detect::{Finding, FindingKind};
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

/// Finds every decodable code in `img`. Returns each as a [`FindingKind::Code`]
/// finding covering the code and its quiet zone. An `Err` means the search
/// itself broke (the image must be refused), not that nothing was found.
///
/// ```no_run
/// let img = image::open("band.jpg")?.to_rgb8();
/// for code in phiscrub::detect::code::find(&img)? {
///     println!("a code at {:?}", code.bbox);
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn find(img: &RgbImage) -> Result<Vec<Finding>, String> {
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
        Err(e) => return Err(format!("the barcode reader failed: {e}")),
    };
    let mut out = bars(&luma);
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

/// Side of the cells the bar finder judges, in pixels.
const CELL: u32 = 8;

/// Finds bar patterns whether or not they decode: runs of cells whose
/// gradients all point one way (coherence of the structure tensor above
/// 0.75) with strong contrast, side by side across the bars, and whose
/// profile across the bars alternates fast (bars ≤ 8 px apart on average,
/// at least 12 alternations). Blurred, tiny or damaged 1D codes land here;
/// so do some fine stripes, which are filled too (safe side).
fn bars(luma: &GrayImage) -> Vec<Finding> {
    let (w, h) = luma.dimensions();
    let (cw, ch) = (w / CELL, h / CELL);
    if cw < 4 || ch < 2 {
        return Vec::new();
    }
    let px = |x: u32, y: u32| luma.get_pixel(x, y)[0] as f32;
    // Per cell: the gradient direction (radians, 0..π) or None.
    let mut dir: Vec<Option<f32>> = vec![None; (cw * ch) as usize];
    for cy in 0..ch {
        for cx in 0..cw {
            let (mut jxx, mut jyy, mut jxy) = (0f32, 0f32, 0f32);
            for y in cy * CELL..(cy + 1) * CELL {
                for x in cx * CELL..(cx + 1) * CELL {
                    let gx = px((x + 1).min(w - 1), y) - px(x.saturating_sub(1), y);
                    let gy = px(x, (y + 1).min(h - 1)) - px(x, y.saturating_sub(1));
                    jxx += gx * gx;
                    jyy += gy * gy;
                    jxy += gx * gy;
                }
            }
            let energy = (jxx + jyy) / (CELL * CELL) as f32;
            let coherence = ((jxx - jyy).powi(2) + 4.0 * jxy * jxy).sqrt() / (jxx + jyy).max(1e-6);
            if energy >= 900.0 && coherence >= 0.75 {
                let a = 0.5 * (2.0 * jxy).atan2(jxx - jyy);
                dir[(cy * cw + cx) as usize] = Some(a.rem_euclid(std::f32::consts::PI));
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
}
