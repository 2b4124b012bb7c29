//! Two face detectors of different families as one: every look (the input's
//! rounds and the output's check alike) asks both, so a face is covered, or
//! its image refused, when either sees it.
//!
//! The scrubber's rules (fill above the face threshold, refuse between the
//! verification and face thresholds, explain weak candidates) are written in
//! the first detector's scores. The second's scores are carried onto that
//! scale by a piecewise-linear map that sends its own threshold to the first's:
//! a second-family face at its threshold counts exactly as a first-family face
//! at the face threshold, and the between-thresholds band maps onto the band
//! just below its threshold.

use super::{DetectError, FaceDetect, Finding};
use crate::geometry::BoxF;

/// A face detector that answers what either of two detectors finds.
///
/// ```
/// use phiscrub::detect::ensemble::FaceEnsemble;
/// use phiscrub::{BoxF, DetectError, FaceDetect, Finding, FindingKind};
/// /// Sees one face wherever it is told to, with a fixed score.
/// struct Fixed(BoxF, f32);
/// impl FaceDetect for Fixed {
///     fn detect(&mut self, _: &image::RgbImage, t: f32) -> Result<Vec<Finding>, DetectError> {
///         Ok((self.1 > t).then(|| Finding::new(FindingKind::Face, self.0, self.1)).into_iter().collect())
///     }
/// }
/// let left = BoxF::new(0.0, 0.0, 20.0, 20.0);
/// let right = BoxF::new(60.0, 0.0, 20.0, 20.0);
/// // The first family misses the right face; the second (threshold 0.5) sees
/// // it at 0.75, which is 0.6 on the first's scale (threshold 0.2).
/// let mut both = FaceEnsemble::new(
///     Box::new(Fixed(left, 0.9)),
///     Box::new(Fixed(right, 0.75)),
///     0.2,
///     0.5,
/// );
/// let found = both.detect(&image::RgbImage::new(80, 20), 0.2)?;
/// assert_eq!(found.len(), 2);
/// assert!((found[1].score - 0.6).abs() < 1e-6);
/// # Ok::<(), DetectError>(())
/// ```
pub struct FaceEnsemble {
    first: Box<dyn FaceDetect>,
    second: Box<dyn FaceDetect>,
    map: ScoreMap,
}

impl FaceEnsemble {
    /// `first_threshold` and `second_threshold` are scores that mean the
    /// same of each detector (the scrubber uses their default face
    /// thresholds); answers are on the first's scale.
    ///
    /// ```
    /// use phiscrub::detect::{blazeface::BlazeFace, ensemble::FaceEnsemble, face::CenterFace};
    /// use phiscrub::{Config, FaceDetect};
    /// // What the scrubber builds for each worker.
    /// let config = Config::default();
    /// let mut faces = FaceEnsemble::new(
    ///     Box::new(CenterFace::new(1, config.scale_params())?),
    ///     Box::new(BlazeFace::new(1)?),
    ///     config.face_threshold,
    ///     config.second_face_threshold,
    /// );
    /// assert!(faces.detect(&image::RgbImage::new(64, 48), 0.2)?.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(
        first: Box<dyn FaceDetect>,
        second: Box<dyn FaceDetect>,
        first_threshold: f32,
        second_threshold: f32,
    ) -> FaceEnsemble {
        FaceEnsemble {
            first,
            second,
            map: ScoreMap {
                first: first_threshold,
                second: second_threshold,
            },
        }
    }
}

impl FaceDetect for FaceEnsemble {
    fn detect(
        &mut self,
        img: &image::RgbImage,
        threshold: f32,
    ) -> Result<Vec<Finding>, DetectError> {
        let mut all = self.first.detect(img, threshold)?;
        for mut f in self.second.detect(img, self.map.to_second(threshold))? {
            f.score = self.map.to_first(f.score);
            if f.score > threshold {
                all.push(f);
            }
        }
        Ok(merge(all))
    }
}

/// The two families' faces merged as one detector's passes are.
fn merge(found: Vec<Finding>) -> Vec<Finding> {
    let boxes: Vec<BoxF> = found.iter().map(|f| f.bbox).collect();
    let scores: Vec<f32> = found.iter().map(|f| f.score).collect();
    super::face::merge(&boxes, &scores)
        .into_iter()
        .map(|k| found[k].clone())
        .collect()
}

/// Monotonic, piecewise-linear map between the two detectors' scores, fixing
/// 0 and 1 and sending `second` to `first`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct ScoreMap {
    first: f32,
    second: f32,
}

impl ScoreMap {
    fn to_first(self, s: f32) -> f32 {
        piecewise(s, self.second, self.first)
    }

    fn to_second(self, s: f32) -> f32 {
        piecewise(s, self.first, self.second)
    }
}

/// Sends `[0, from]` onto `[0, to]` and `[from, 1]` onto `[to, 1]`, linearly.
fn piecewise(s: f32, from: f32, to: f32) -> f32 {
    if s <= from {
        s * to / from
    } else {
        to + (s - from) * (1.0 - to) / (1.0 - from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::FindingKind;

    #[test]
    fn the_map_sends_threshold_to_threshold_and_keeps_order() {
        let m = ScoreMap {
            first: 0.2,
            second: 0.5,
        };
        assert!((m.to_first(0.5) - 0.2).abs() < 1e-6);
        assert!((m.to_first(1.0) - 1.0).abs() < 1e-6);
        assert_eq!(m.to_first(0.0), 0.0);
        // The verification band below the face threshold (0.19) is the band
        // below the second's threshold (0.475).
        assert!((m.to_second(0.19) - 0.475).abs() < 1e-6);
        let mut last = -1.0;
        for i in 0..=100 {
            let s = i as f32 / 100.0;
            let there = m.to_first(s);
            assert!(there > last);
            assert!((m.to_second(there) - s).abs() < 1e-5);
            last = there;
        }
    }

    struct Fixed(Vec<Finding>);
    impl FaceDetect for Fixed {
        fn detect(&mut self, _: &image::RgbImage, t: f32) -> Result<Vec<Finding>, DetectError> {
            Ok(self.0.iter().filter(|f| f.score > t).cloned().collect())
        }
    }
    struct Broken;
    impl FaceDetect for Broken {
        fn detect(&mut self, _: &image::RgbImage, _: f32) -> Result<Vec<Finding>, DetectError> {
            Err("no session".into())
        }
    }

    fn face(x: f32, score: f32) -> Finding {
        Finding::new(FindingKind::Face, BoxF::new(x, 0.0, 20.0, 20.0), score)
    }

    #[test]
    fn the_same_face_seen_twice_is_one_fill() {
        let mut both = FaceEnsemble::new(
            Box::new(Fixed(vec![face(0.0, 0.3)])),
            Box::new(Fixed(vec![face(2.0, 0.9)])),
            0.2,
            0.5,
        );
        let found = both.detect(&image::RgbImage::new(40, 20), 0.19).unwrap();
        assert_eq!(found.len(), 1);
        // The second's box, its score (0.9 → 0.84) being the higher.
        assert_eq!(found[0].bbox.x, 2.0);
    }

    #[test]
    fn a_weak_second_family_candidate_is_reported_below_the_face_threshold() {
        // 0.49 on the second's scale is just below its threshold: on the
        // first's scale it lies between the verification threshold (0.19)
        // and the face threshold (0.2), where the scrubber refuses.
        let mut both = FaceEnsemble::new(
            Box::new(Fixed(vec![])),
            Box::new(Fixed(vec![face(0.0, 0.49)])),
            0.2,
            0.5,
        );
        let found = both.detect(&image::RgbImage::new(40, 20), 0.15).unwrap();
        assert_eq!(found.len(), 1);
        assert!(
            found[0].score > 0.19 && found[0].score < 0.2,
            "{}",
            found[0].score
        );
        // Above the asked threshold only.
        assert!(
            both.detect(&image::RgbImage::new(40, 20), 0.2)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn either_detector_failing_fails_the_look() {
        let mut a = FaceEnsemble::new(Box::new(Broken), Box::new(Fixed(vec![])), 0.2, 0.5);
        assert!(a.detect(&image::RgbImage::new(4, 4), 0.2).is_err());
        let mut b = FaceEnsemble::new(Box::new(Fixed(vec![])), Box::new(Broken), 0.2, 0.5);
        assert!(b.detect(&image::RgbImage::new(4, 4), 0.2).is_err());
    }
}
