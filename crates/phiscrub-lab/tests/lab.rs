//! The lab's scorers and synthetic scenes: `phiscrub-lab eval` on the
//! fixtures and (when present) the shared development sets, and the
//! synthetic wristbands and screens the product must cover.

#[path = "../../../tests/common/mod.rs"]
mod common;

use common::*;
use phiscrub::{Config, FindingKind, Scrubber};
use phiscrub_lab::synth::{self, SceneKind};
use std::process::Command;

fn lab() -> Command {
    command(env!("CARGO_BIN_EXE_phiscrub-lab"))
}

#[test]
fn eval_faces_scores_the_fixtures_and_reports_bad_truth_by_line() {
    let o = run(lab()
        .args(["eval", "faces", "--images"])
        .arg(fixture("photos"))
        .arg("--truth")
        .arg(fixture("faces.jsonl"))
        .arg("--json"));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["images"], 4);
    assert_eq!(v["exported"], 4);
    assert_eq!(v["overall"]["faces"], 2);
    assert_eq!(v["overall"]["covered"], 2);
    // Both of Hopper's faces are covered; the enlarged look at these small
    // portraits also fills a candidate on her cap badge in each (a known
    // false fill, see BENCHMARKS.md), so at most one fill in three misses.
    let precision = v["precision"].as_f64().unwrap();
    assert!(precision >= 0.6, "{v}");
    // The cat and the rocket have no face: nothing filled away from faces
    // beyond the padding allowance.
    assert!(v["false_area"].as_f64().unwrap() < 0.01, "{v}");

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("truth.jsonl");
    std::fs::write(
        &bad,
        "{\"file\": \"grace_hopper.jpg\", \"boxes\": [[1, 2]]}\n",
    )
    .unwrap();
    let o = run(lab()
        .args(["eval", "faces", "--images"])
        .arg(fixture("photos"))
        .arg("--truth")
        .arg(&bad));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("truth.jsonl:1"), "{}", stderr(&o));
}

/// The development face set (`../shared/data/faces`), when present: the
/// scrubber must keep covering faces as well as it does today (figures in
/// BENCHMARKS.md). Skips when the set is absent.
#[test]
fn development_face_set_recall_does_not_regress() {
    let dir = root().join("../shared/data/faces");
    if !dir.join("labels.jsonl").is_file() {
        eprintln!("skipped: {} is absent", dir.display());
        return;
    }
    let o = run(lab()
        .args(["eval", "faces", "--json", "--images"])
        .arg(&dir)
        .arg("--truth")
        .arg(dir.join("labels.jsonl")));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let recall = v["overall"]["recall"].as_f64().unwrap();
    let ge24 = v["ge24"]["recall"].as_f64().unwrap();
    assert!(recall >= 0.90, "recall {recall}: {v}");
    assert!(ge24 >= 0.95, "recall for faces >= 24 px {ge24}: {v}");
    // Crowd photos whose small faces sit at the detectors' edge are refused
    // rather than exported with a face showing (26 of 217 when measured).
    assert!(v["refused"].as_u64().unwrap() <= 30, "{v}");
}

#[test]
fn synthetic_wristbands_are_covered_with_their_codes() {
    // Fixed scenes (seed 5) on the bundled photos; the floor is what this
    // build achieves, so a change that loses bands fails here.
    let backgrounds: Vec<image::RgbImage> = ["grace_hopper.jpg", "astronaut.png", "rocket.jpg"]
        .iter()
        .map(|f| rgb(&fixture(&format!("photos/{f}"))))
        .collect();
    let scrubber = Scrubber::new(Config::default()).unwrap();
    let run = synth::eval::SynthRun {
        kind: SceneKind::Bands,
        count: 6,
        seed: 5,
        backgrounds: &backgrounds,
        size: (1200, 900),
        threads: 2,
        save: None,
    };
    let scores = synth::eval::run(&scrubber, &run).unwrap();
    eprintln!("{scores:?}");
    assert!(scores.objects >= 6);
    assert!(scores.ink_covered >= 0.98, "{}", scores.ink_covered);
    assert!(
        scores.objects_covered * 10 >= scores.objects * 7,
        "{} of {} bands covered",
        scores.objects_covered,
        scores.objects
    );
    assert!(scores.findings.get("wristband").copied().unwrap_or(0) >= 3);
}

/// A face detector that sees, in every picture, a candidate between the
/// verification and fill thresholds: each scene is refused.
struct Borderline;

impl phiscrub::FaceDetect for Borderline {
    fn detect(
        &mut self,
        _: &image::RgbImage,
        _: f32,
    ) -> Result<Vec<phiscrub::Finding>, phiscrub::DetectError> {
        let b = phiscrub::BoxF::new(10.0, 10.0, 30.0, 30.0);
        Ok(vec![phiscrub::Finding::new(FindingKind::Face, b, 0.195)])
    }
}

#[test]
fn bands_of_refused_scenes_count_as_missed_and_leave_the_exported_figure() {
    let scrubber = Scrubber::with_face_detector(Config::default(), || {
        Ok(Box::new(Borderline) as Box<dyn phiscrub::FaceDetect>)
    })
    .unwrap();
    let run = synth::eval::SynthRun {
        kind: SceneKind::Bands,
        count: 2,
        seed: 3,
        backgrounds: &[],
        size: (640, 480),
        threads: 1,
        save: None,
    };
    let s = synth::eval::run(&scrubber, &run).unwrap();
    assert_eq!((s.exported, s.refused_residual), (0, 2), "{:?}", s.problems);
    assert!(s.objects >= 2 && s.lines > 0 && s.codes > 0);
    assert_eq!((s.objects_covered, s.lines_covered), (0, 0));
    // Nothing exported: no band counts in the figure over exported scenes.
    assert_eq!(
        (s.objects_exported, s.lines_exported, s.codes_exported),
        (0, 0, 0)
    );
}

#[test]
fn eval_bands_reports_json_and_rejects_zero_jobs() {
    let o = run(lab().args([
        "eval", "bands", "--count", "2", "--seed", "3", "--size", "800x600", "--json",
    ]));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["kind"], "bands");
    assert_eq!(v["images"], 2);
    assert!(v["objects"].as_u64().unwrap() >= 2);
    assert!(v["ink_covered"].as_f64().unwrap() > 0.5);

    let o = run(lab().args(["eval", "screens", "--count", "1", "--jobs", "0"]));
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--jobs must be at least 1"),
        "{}",
        stderr(&o)
    );
}

/// A truth line for `eval text`: one polygon per `(x, y, w, h)` box.
fn truth_line(file: &str, kind: &str, boxes: &[(u32, u32, u32, u32)]) -> String {
    let polys: Vec<serde_json::Value> = boxes
        .iter()
        .map(|&(x, y, w, h)| serde_json::json!([[x, y], [x + w, y], [x + w, y + h], [x, y + h]]))
        .collect();
    serde_json::json!({"file": file, "kind": kind, "polys": polys, "ignore": []}).to_string()
}

#[test]
fn eval_text_scores_the_page_lists_what_it_missed_and_names_bad_truth_lines() {
    let dir = tempfile::tempdir().unwrap();
    let images = dir.path().join("images");
    std::fs::create_dir(&images).unwrap();
    std::fs::copy(fixture("text/page.png"), images.join("page.png")).unwrap();
    std::fs::copy(fixture("photos/chelsea.png"), images.join("chelsea.png")).unwrap();
    // The page's seven lines, and a "region" on the cat's fur where there is
    // no text to find: it must come out as a miss with its edges surviving.
    let fur = (300, 200, 60, 20);
    let truth = dir.path().join("truth.jsonl");
    std::fs::write(
        &truth,
        format!(
            "{}\n{}\n",
            truth_line("page.png", "document", &PAGE_LINES),
            truth_line("chelsea.png", "scene", &[fur])
        ),
    )
    .unwrap();
    let o = run(lab()
        .args(["eval", "text", "--json", "--images"])
        .arg(&images)
        .arg("--truth")
        .arg(&truth));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["images"], 2, "{v}");
    assert_eq!(v["refused"], 0, "{v}");
    assert_eq!(v["by_kind"]["document"]["regions"], 7, "{v}");
    assert_eq!(v["by_kind"]["document"]["covered"], 7, "{v}");
    assert_eq!(v["by_kind"]["scene"]["covered"], 0, "{v}");
    assert_eq!(v["pooled"]["regions"], 8, "{v}");
    let misses = v["misses"].as_array().unwrap();
    assert_eq!(misses.len(), 1, "{v}");
    assert_eq!(misses[0]["file"], "chelsea.png");
    assert_eq!(misses[0]["region"], 0);
    assert!(misses[0]["surviving"].as_f64().unwrap() > 0.5, "{v}");
    // Area away must be what a plain scrub of the cat changes outside the
    // labelled region (grown by half its height): grey changes above 40.
    let cat = std::fs::read(images.join("chelsea.png")).unwrap();
    let safe = Scrubber::new(Config::default())
        .unwrap()
        .scrub(&cat)
        .unwrap();
    let (a, b) = (
        image::load_from_memory(&cat).unwrap().to_luma8(),
        image::load_from_memory(&safe.bytes).unwrap().to_luma8(),
    );
    let grown = (fur.0 - 10, fur.1 - 10, fur.2 + 20, fur.3 + 20);
    let inside = |x: u32, y: u32| {
        x >= grown.0 && y >= grown.1 && x < grown.0 + grown.2 && y < grown.1 + grown.3
    };
    let changed = a
        .enumerate_pixels()
        .filter(|&(x, y, p)| !inside(x, y) && p[0].abs_diff(b.get_pixel(x, y)[0]) > 40)
        .count();
    let expected = changed as f64 / (a.width() * a.height()) as f64;
    let reported = v["area_away_by_file"]["chelsea.png"].as_f64().unwrap();
    assert!(
        (reported - expected).abs() < 0.01,
        "{reported} vs {expected}"
    );
    assert!(
        v["area_away_by_file"]["page.png"].as_f64().unwrap() < 0.25,
        "{v}"
    );

    std::fs::write(
        &truth,
        "{\"file\": \"page.png\", \"polys\": [[[1, 2], [3, 4]]]}\n",
    )
    .unwrap();
    let o = run(lab()
        .args(["eval", "text", "--images"])
        .arg(&images)
        .arg("--truth")
        .arg(&truth));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("truth.jsonl:1"), "{}", stderr(&o));
}

/// Every tenth image of the development text set (`../shared/data/text`),
/// when present: coverage, refusals (none for text) and area changed away
/// from text must stay where they are (full-set figures in BENCHMARKS.md; a tenth keeps CI
/// short). Skips when the set is absent.
#[test]
fn development_text_sample_stays_covered_without_blacking_out_pages() {
    let set = root().join("../shared/data/text");
    let Ok(labels) = std::fs::read_to_string(set.join("labels.jsonl")) else {
        eprintln!("skipped: {} is absent", set.display());
        return;
    };
    let mut lines: Vec<(String, &str)> = labels
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (v["file"].as_str().unwrap().to_string(), l)
        })
        .collect();
    lines.sort();
    let dir = tempfile::tempdir().unwrap();
    let mut truth = String::new();
    for (file, line) in lines.iter().step_by(10) {
        std::fs::copy(set.join(file), dir.path().join(file)).unwrap();
        truth.push_str(line);
        truth.push('\n');
    }
    let truth_path = dir.path().join("labels.jsonl");
    std::fs::write(&truth_path, truth).unwrap();
    let o = run(lab()
        .args(["eval", "text", "--json", "--images"])
        .arg(dir.path())
        .arg("--truth")
        .arg(&truth_path));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    // Text found is filled, never a reason to refuse. img_0001 shows a
    // distant person whose face candidate scores between the verification
    // and face thresholds (0.19): refused by design, not for its text.
    assert!(v["refused"].as_u64().unwrap() <= 1, "{v}");
    for why in v["problems"].as_array().unwrap() {
        let why = why.as_str().unwrap();
        assert!(
            why.contains("img_0001.jpg") && why.contains("face(s)"),
            "{why}"
        );
    }
    assert!(v["pooled"]["regions"].as_u64().unwrap() >= 100, "{v}");
    assert!(v["pooled"]["coverage"].as_f64().unwrap() >= 0.97, "{v}");
    // Whole receipts blacked out put this at 11 % of the image before fills
    // were painted over for later rounds; it is 1.4 % on this sample now.
    assert!(v["area_away"].as_f64().unwrap() <= 0.03, "{v}");
}
