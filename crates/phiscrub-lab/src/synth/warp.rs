//! Bending flat artwork into a photo: wrapped round a wrist (a cylinder seen
//! from the front), sagging, rotated, scaled and seen in perspective. The map
//! is written both ways: forward for the bounds, inverse to sample the
//! artwork for every destination pixel, so the ink mask follows exactly.

use super::label::Flat;
use image::RgbImage;

/// Where and how a flat piece of artwork lands in a scene.
///
/// ```
/// use phiscrub_lab::synth::warp::Warp;
/// // A 200 × 50 strip, half size, upright, flat and face-on, centred at (100, 80).
/// let warp = Warp {
///     centre: (100.0, 80.0),
///     scale: 0.5,
///     angle: 0.0,
///     wrap: 0.0,
///     sag: 0.0,
///     keystone: (0.0, 0.0),
///     size: (200.0, 50.0),
/// };
/// // The artwork's centre lands on `centre`, its corners half as far out.
/// assert_eq!(warp.forward(100.0, 25.0), (100.0, 80.0));
/// assert_eq!(warp.forward(0.0, 0.0), (50.0, 67.5));
/// // Turned a quarter turn counter-clockwise, its right end points up.
/// let turned = Warp { angle: std::f32::consts::FRAC_PI_2, ..warp };
/// let (x, y) = turned.forward(200.0, 25.0);
/// assert!((x - 100.0).abs() < 1e-3 && (y - 30.0).abs() < 1e-3);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Warp {
    /// Centre in the scene.
    pub centre: (f32, f32),
    /// Scene pixels per flat pixel.
    pub scale: f32,
    /// Radians, counter-clockwise on screen.
    pub angle: f32,
    /// Half the angle the strip wraps round the cylinder (0: flat).
    pub wrap: f32,
    /// How far the strip's ends sag, in flat pixels.
    pub sag: f32,
    /// Perspective: depth gradient across x and y, per scene pixel.
    pub keystone: (f32, f32),
    /// The artwork's size.
    pub size: (f32, f32),
}

impl Warp {
    fn radius(&self) -> f32 {
        if self.wrap > 1e-3 {
            (self.size.0 / 2.0) / self.wrap
        } else {
            f32::INFINITY
        }
    }

    /// Flat pixel → scene pixel.
    ///
    /// ```
    /// use phiscrub_lab::synth::warp::Warp;
    /// let flat = Warp {
    ///     centre: (300.0, 200.0),
    ///     scale: 1.0,
    ///     angle: 0.0,
    ///     wrap: 0.0,
    ///     sag: 0.0,
    ///     keystone: (0.0, 0.0),
    ///     size: (400.0, 100.0),
    /// };
    /// assert_eq!(flat.forward(400.0, 50.0), (500.0, 200.0));
    /// // Wrapped round a wrist, the ends come nearer the middle,
    /// let wrapped = Warp { wrap: 1.0, ..flat };
    /// assert!(wrapped.forward(400.0, 50.0).0 < 500.0);
    /// // and sagging, they drop while the middle stays.
    /// let sagging = Warp { sag: 10.0, ..flat };
    /// assert_eq!(sagging.forward(400.0, 50.0), (500.0, 210.0));
    /// assert_eq!(sagging.forward(200.0, 50.0), (300.0, 200.0));
    /// ```
    pub fn forward(&self, u: f32, v: f32) -> (f32, f32) {
        let (fw, fh) = self.size;
        let (uc, vc) = (u - fw / 2.0, v - fh / 2.0);
        let r = self.radius();
        let xc = if r.is_finite() {
            r * (uc / r).sin()
        } else {
            uc
        };
        let vc = vc + self.sag * (xc / (fw / 2.0)).powi(2);
        let (s, c) = self.angle.sin_cos();
        let (x, y) = (
            self.scale * (xc * c + vc * s),
            self.scale * (-xc * s + vc * c),
        );
        let d = 1.0 + self.keystone.0 * x + self.keystone.1 * y;
        (self.centre.0 + x / d, self.centre.1 + y / d)
    }

    /// Scene pixel → flat pixel, with the cylinder's facing (1 in front,
    /// towards 0 at the sides), or `None` where the scene pixel shows no part
    /// of the strip.
    ///
    /// ```
    /// use phiscrub_lab::synth::warp::Warp;
    /// let warp = Warp {
    ///     centre: (400.0, 300.0),
    ///     scale: 0.8,
    ///     angle: 0.3,
    ///     wrap: 0.8,
    ///     sag: 10.0,
    ///     keystone: (2e-4, -1e-4),
    ///     size: (500.0, 120.0),
    /// };
    /// // Back to where `forward` came from, within a fraction of a pixel.
    /// let (x, y) = warp.forward(120.0, 40.0);
    /// let (u, v, facing) = warp.inverse(x, y).unwrap();
    /// assert!((u - 120.0).abs() < 0.05 && (v - 40.0).abs() < 0.05);
    /// // Off the middle the strip turns away from the camera.
    /// assert!(0.0 < facing && facing < 1.0);
    /// // Far from the strip: nothing.
    /// assert_eq!(warp.inverse(0.0, 0.0), None);
    /// ```
    pub fn inverse(&self, x: f32, y: f32) -> Option<(f32, f32, f32)> {
        let (fw, fh) = self.size;
        let (xp, yp) = (x - self.centre.0, y - self.centre.1);
        let d = 1.0 - self.keystone.0 * xp - self.keystone.1 * yp;
        if d <= 0.0 {
            return None;
        }
        let (x, y) = (xp / d, yp / d);
        let (s, c) = self.angle.sin_cos();
        let (xc, vc) = ((x * c - y * s) / self.scale, (x * s + y * c) / self.scale);
        let vc = vc - self.sag * (xc / (fw / 2.0)).powi(2);
        let r = self.radius();
        let (uc, facing) = if r.is_finite() {
            let t = xc / r;
            if t.abs() > self.wrap.sin() {
                return None;
            }
            (r * t.asin(), (1.0 - t * t).sqrt())
        } else {
            (xc, 1.0)
        };
        let (u, v) = (uc + fw / 2.0, vc + fh / 2.0);
        (u >= 0.0 && v >= 0.0 && u < fw && v < fh).then_some((u, v, facing))
    }

    /// The scene pixels the strip may touch, clipped to `w` × `h`.
    ///
    /// ```
    /// use phiscrub_lab::synth::warp::Warp;
    /// // A 200 × 50 strip, half size, upright, flat and face-on, centred at (100, 80).
    /// let warp = Warp {
    ///     centre: (100.0, 80.0),
    ///     scale: 0.5,
    ///     angle: 0.0,
    ///     wrap: 0.0,
    ///     sag: 0.0,
    ///     keystone: (0.0, 0.0),
    ///     size: (200.0, 50.0),
    /// };
    /// // The strip covers x 50..150 and y 67.5..92.5, plus a 2 px margin.
    /// assert_eq!(warp.bounds(640, 480), (48, 65, 152, 95));
    /// // Clipped to a smaller scene.
    /// assert_eq!(warp.bounds(120, 90), (48, 65, 120, 90));
    /// ```
    pub fn bounds(&self, w: u32, h: u32) -> (u32, u32, u32, u32) {
        let (fw, fh) = self.size;
        let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        let steps = 64;
        for i in 0..=steps {
            let t = i as f32 / steps as f32;
            for (u, v) in [(t * fw, 0.0), (t * fw, fh), (0.0, t * fh), (fw, t * fh)] {
                let (x, y) = self.forward(u, v);
                x0 = x0.min(x);
                y0 = y0.min(y);
                x1 = x1.max(x);
                y1 = y1.max(y);
            }
        }
        let clip = |v: f32, max: u32| (v.max(0.0) as u32).min(max);
        (
            clip(x0.floor() - 2.0, w),
            clip(y0.floor() - 2.0, h),
            clip(x1.ceil() + 2.0, w),
            clip(y1.ceil() + 2.0, h),
        )
    }
}

/// Paints `flat` into `scene` through `warp`, 2×2 samples per pixel. A scene
/// pixel joins part `id_base + k` of the ink mask when any of its samples
/// lands on that part's ink, and the footprint when any lands on the strip.
/// `light` may change each painted colour (glare, moiré) by scene position.
///
/// ```
/// use image::{Rgb, RgbImage};
/// use phiscrub_lab::synth::{label::band, warp::{composite, Warp}, Rng};
/// let flat = band(&mut Rng::new(1));
/// let (fw, fh) = flat.rgb.dimensions();
/// let (w, h) = (400, 300);
/// let warp = Warp {
///     centre: (200.0, 150.0),
///     scale: 300.0 / fw as f32,
///     angle: 0.2,
///     wrap: 0.5,
///     sag: 5.0,
///     keystone: (0.0, 0.0),
///     size: (fw as f32, fh as f32),
/// };
/// let mut photo = RgbImage::from_pixel(w, h, Rgb([90, 120, 90]));
/// let (mut ink, mut footprint) = (vec![0; (w * h) as usize], vec![false; (w * h) as usize]);
/// // A second object's parts are numbered after the first one's (here 3).
/// let no_light = |_: u32, _: u32, c: [f32; 3]| c;
/// composite(&flat, &warp, &mut photo, &mut ink, &mut footprint, 3, &no_light);
/// // Every part shows, under its own number, on the strip.
/// for k in 1..=flat.parts.len() as u32 {
///     assert!(ink.contains(&(3 + k)), "part {k}");
/// }
/// assert!(ink.iter().zip(&footprint).all(|(&k, &on)| k == 0 || on));
/// // Away from the strip the scene is untouched.
/// assert!(!footprint[0]);
/// assert_eq!(photo.get_pixel(0, 0), &Rgb([90, 120, 90]));
/// ```
pub fn composite(
    flat: &Flat,
    warp: &Warp,
    scene: &mut RgbImage,
    ink: &mut [u32],
    footprint: &mut [bool],
    id_base: u32,
    light: &dyn Fn(u32, u32, [f32; 3]) -> [f32; 3],
) {
    let (w, h) = scene.dimensions();
    let (fw, fh) = flat.rgb.dimensions();
    let (x0, y0, x1, y1) = warp.bounds(w, h);
    for y in y0..y1 {
        for x in x0..x1 {
            let (mut sum, mut n, mut part) = ([0f32; 3], 0u32, 0u32);
            for (dx, dy) in [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)] {
                let Some((u, v, facing)) = warp.inverse(x as f32 + dx, y as f32 + dy) else {
                    continue;
                };
                let (ui, vi) = ((u as u32).min(fw - 1), (v as u32).min(fh - 1));
                let p = flat.rgb.get_pixel(ui, vi);
                // Light falls off towards the sides of the wrist.
                let shade = 0.7 + 0.3 * facing;
                for c in 0..3 {
                    sum[c] += p[c] as f32 * shade;
                }
                n += 1;
                let k = flat.ink[(vi * fw + ui) as usize];
                if k != 0 {
                    part = id_base + k;
                }
            }
            if n == 0 {
                continue;
            }
            let i = (y * w + x) as usize;
            footprint[i] = true;
            if part != 0 {
                ink[i] = part;
            }
            let painted = light(x, y, sum.map(|s| s / n as f32));
            let cover = n as f32 / 4.0;
            let px = scene.get_pixel_mut(x, y);
            for c in 0..3 {
                let v = px[c] as f32 * (1.0 - cover) + painted[c] * cover;
                px[c] = v.round().clamp(0.0, 255.0) as u8;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_undoes_forward() {
        let warp = Warp {
            centre: (400.0, 300.0),
            scale: 0.8,
            angle: 0.4,
            wrap: 0.7,
            sag: 12.0,
            keystone: (0.0003, -0.0002),
            size: (500.0, 120.0),
        };
        for &(u, v) in &[(10.0, 10.0), (250.0, 60.0), (480.0, 100.0), (100.0, 5.0)] {
            let (x, y) = warp.forward(u, v);
            let (u2, v2, _) = warp.inverse(x, y).expect("inside");
            assert!(
                (u - u2).abs() < 0.05 && (v - v2).abs() < 0.05,
                "{u},{v} → {u2},{v2}"
            );
        }
    }
}
