//! The text network's post-processing (DB): the input tensor of a tile,
//! and from its probability map the regions of text, each grown by the
//! margin the network's shrunk kernels leave and given the smaller of its
//! upright and its slanted outline. Pure functions, testable without the
//! model; what the detector does with their answers is [`super::looks`].

use super::TextParams;
use crate::detect::{Finding, FindingKind};
use crate::geometry::{BoxF, Quad};
use ndarray::Array4;

/// A tile's text probability, `w` × `h` (the tile padded to multiples of 32).
#[derive(Clone)]
pub(super) struct Map {
    pub(super) w: usize,
    pub(super) h: usize,
    pub(super) prob: Vec<f32>,
}

/// A finding for a region outline in image pixels: its box is the outline's
/// bounds clipped to the image; axis-aligned outlines are left to the box.
pub(super) fn text_finding(quad: Quad, score: f32, w: u32, h: u32) -> Finding {
    let bbox = BoxF::around(&quad).clipped(w, h);
    let aligned = quad[0][1] == quad[1][1] && quad[1][0] == quad[2][0];
    Finding {
        kind: FindingKind::Text,
        bbox,
        score,
        outline: (!aligned).then_some(quad),
    }
}

/// The `(x, y, w, h)` region of RGB bytes `stride` pixels wide, as NCHW
/// floats in [-1, 1], channels in BGR order (PaddleOCR trained on OpenCV's
/// BGR images), zero-padded to `pw` × `ph`.
pub(super) fn normalise(
    rgb: &[u8],
    stride: u32,
    (x, y, w, h): (u32, u32, u32, u32),
    pw: u32,
    ph: u32,
) -> Array4<f32> {
    let (pw, ph) = (pw as usize, ph as usize);
    let mut arr = Array4::<f32>::zeros((1, 3, ph, pw));
    let plane = pw * ph;
    let data = arr
        .as_slice_mut()
        .expect("a freshly built array is contiguous");
    for row in 0..h as usize {
        let start = ((y as usize + row) * stride as usize + x as usize) * 3;
        let src = &rgb[start..start + w as usize * 3];
        for (col, px) in src.chunks_exact(3).enumerate() {
            let i = row * pw + col;
            for c in 0..3 {
                data[c * plane + i] = px[2 - c] as f32 / 127.5 - 1.0;
            }
        }
    }
    arr
}

/// DB post-processing of a `w`×`h` probability map: connected regions (8
/// neighbours) above the binary threshold, kept when their mean probability
/// exceeds the box threshold, each outlined by the smaller of its upright box
/// and its box along its principal axis, grown by the unclip margin. Outlines
/// are in map pixels, corners clockwise from the top-left.
pub(super) fn regions(
    prob: &[f32],
    w: usize,
    h: usize,
    p: &TextParams,
    speck: f32,
) -> Vec<(Quad, f32)> {
    let mut seen = vec![false; w * h];
    let mut out = Vec::new();
    let mut stack = Vec::new();
    let mut members = Vec::new();
    for start in 0..w * h {
        if seen[start] || prob[start] <= p.bin_threshold {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        members.clear();
        let (mut x0, mut y0, mut x1, mut y1) = (w, h, 0, 0);
        let mut sum = 0f64;
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            members.push(i);
            x0 = x0.min(x);
            y0 = y0.min(y);
            x1 = x1.max(x);
            y1 = y1.max(y);
            sum += prob[i] as f64;
            for dy in -1i64..=1 {
                for dx in -1i64..=1 {
                    let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                    if nx < 0 || ny < 0 || nx >= w as i64 || ny >= h as i64 {
                        continue;
                    }
                    let j = ny as usize * w + nx as usize;
                    if !seen[j] && prob[j] > p.bin_threshold {
                        seen[j] = true;
                        stack.push(j);
                    }
                }
            }
        }
        let (bw, bh) = ((x1 - x0 + 1) as f32, (y1 - y0 + 1) as f32);
        let score = (sum / members.len() as f64) as f32;
        if bw.min(bh) < speck || score <= p.box_threshold {
            continue;
        }
        let upright = Oriented {
            centre: ((x0 + x1 + 1) as f32 / 2.0, (y0 + y1 + 1) as f32 / 2.0),
            axis: (1.0, 0.0),
            half: (bw / 2.0, bh / 2.0),
        };
        let turned = oriented(&members, w);
        let b = match turned {
            Some(t) if t.area() < 0.8 * upright.area() => t,
            _ => upright,
        };
        out.push((b.grown(p.unclip).corners(), score));
    }
    out
}

/// A rectangle along `axis` (a unit vector) about `centre`, `half` its
/// half-length along the axis and half-thickness across it.
#[derive(Clone, Copy, Debug)]
struct Oriented {
    centre: (f32, f32),
    axis: (f32, f32),
    half: (f32, f32),
}

impl Oriented {
    fn area(&self) -> f32 {
        4.0 * self.half.0 * self.half.1
    }

    /// DB's unclip: every side moves out by area × ratio / perimeter.
    fn grown(&self, unclip: f32) -> Oriented {
        let (l, t) = (2.0 * self.half.0, 2.0 * self.half.1);
        let g = l * t * unclip / (2.0 * (l + t));
        Oriented {
            half: (self.half.0 + g, self.half.1 + g),
            ..*self
        }
    }

    fn corners(&self) -> Quad {
        let ((cx, cy), (ux, uy), (a, b)) = (self.centre, self.axis, self.half);
        let (vx, vy) = (-uy, ux);
        let at = |s: f32, t: f32| [cx + s * a * ux + t * b * vx, cy + s * a * uy + t * b * vy];
        [at(-1.0, -1.0), at(1.0, -1.0), at(1.0, 1.0), at(-1.0, 1.0)]
    }
}

/// The rectangle along a region's principal axis (from its second moments)
/// that holds every one of its pixels, each taken as a whole square.
fn oriented(members: &[usize], w: usize) -> Option<Oriented> {
    let n = members.len() as f64;
    let (mut sx, mut sy) = (0f64, 0f64);
    for &i in members {
        sx += (i % w) as f64;
        sy += (i / w) as f64;
    }
    let (mx, my) = (sx / n, sy / n);
    let (mut cxx, mut cyy, mut cxy) = (0f64, 0f64, 0f64);
    for &i in members {
        let (dx, dy) = ((i % w) as f64 - mx, (i / w) as f64 - my);
        cxx += dx * dx;
        cyy += dy * dy;
        cxy += dx * dy;
    }
    if cxx + cyy <= 0.0 {
        return None;
    }
    let angle = 0.5 * (2.0 * cxy).atan2(cxx - cyy);
    let (ux, uy) = (angle.cos(), angle.sin());
    let (vx, vy) = (-uy, ux);
    let (mut umin, mut umax, mut vmin, mut vmax) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &i in members {
        let (x, y) = ((i % w) as f64 + 0.5, (i / w) as f64 + 0.5);
        let (u, v) = (x * ux + y * uy, x * vx + y * vy);
        umin = umin.min(u);
        umax = umax.max(u);
        vmin = vmin.min(v);
        vmax = vmax.max(v);
    }
    // A pixel square reaches this far from its centre along any rotated axis.
    let r = 0.5 * (ux.abs() + uy.abs());
    let (umin, umax, vmin, vmax) = (umin - r, umax + r, vmin - r, vmax + r);
    let (cu, cv) = ((umin + umax) / 2.0, (vmin + vmax) / 2.0);
    Some(Oriented {
        centre: ((cu * ux + cv * vx) as f32, (cu * uy + cv * vy) as f32),
        axis: (ux as f32, uy as f32),
        half: (((umax - umin) / 2.0) as f32, ((vmax - vmin) / 2.0) as f32),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::text::looks::SPECK;

    fn bounds(q: &Quad) -> (f32, f32, f32, f32) {
        let f = |i: usize, m: fn(f32, f32) -> f32, init: f32| q.iter().map(|p| p[i]).fold(init, m);
        (
            f(0, f32::min, f32::MAX),
            f(1, f32::min, f32::MAX),
            f(0, f32::max, f32::MIN),
            f(1, f32::max, f32::MIN),
        )
    }

    #[test]
    fn regions_are_connected_thresholded_and_grown() {
        let (w, h) = (40, 20);
        let mut prob = vec![0.0f32; w * h];
        // A 10×4 line of text at (5, 5), strongly detected.
        for y in 5..9 {
            for x in 5..15 {
                prob[y * w + x] = 0.9;
            }
        }
        // A weak blob: above the binary threshold, below the box threshold.
        for y in 12..16 {
            for x in 25..30 {
                prob[y * w + x] = 0.35;
            }
        }
        let found = regions(&prob, w, h, &TextParams::default(), SPECK);
        assert_eq!(found.len(), 1);
        let (q, s) = found[0];
        assert!((s - 0.9).abs() < 1e-6);
        // Upright, grown by 10·4·2 / (2·14) ≈ 2.86 px on each side.
        let g = 10.0 * 4.0 * 2.0 / 28.0;
        let (x0, y0, x1, y1) = bounds(&q);
        for (got, want) in [(x0, 5.0 - g), (y0, 5.0 - g), (x1, 15.0 + g), (y1, 9.0 + g)] {
            assert!((got - want).abs() < 1e-3, "{q:?}");
        }
    }

    #[test]
    fn a_slanted_line_gets_a_slanted_outline_that_holds_it() {
        let (w, h) = (120, 120);
        let mut prob = vec![0.0f32; w * h];
        // A line 3 px thick rising at 30° from (10, 90) for 80 px.
        let (c, s) = (30f32.to_radians().cos(), 30f32.to_radians().sin());
        let mut on = Vec::new();
        for t in 0..800 {
            for d in -15..=15 {
                let (t, d) = (t as f32 / 10.0, d as f32 / 10.0);
                let (x, y) = (10.0 + t * c + d * s, 90.0 - t * s + d * c);
                let i = y as usize * w + x as usize;
                prob[i] = 0.9;
                on.push((x as usize, y as usize));
            }
        }
        let p = TextParams {
            unclip: 0.0,
            ..TextParams::default()
        };
        let found = regions(&prob, w, h, &p, SPECK);
        assert_eq!(found.len(), 1);
        let quad = found[0].0;
        let r = crate::geometry::Rect::from_quad(quad, w as u32, h as u32).unwrap();
        for &(x, y) in &on {
            assert!(
                r.contains(x as u32, y as u32),
                "({x}, {y}) outside {quad:?}"
            );
        }
        // Far less than the upright box around the line (70 × 41 px).
        let filled: u32 = (0..h as u32)
            .filter_map(|y| r.row_span(y))
            .map(|(a, b)| b - a)
            .sum();
        assert!(filled < 70 * 41 / 3, "{filled}");
    }
}
