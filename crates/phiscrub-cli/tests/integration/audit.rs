//! The audit report (`--report`), neutral names (`--rename`) and `phiscrub
//! check`, end to end with the real detectors on the bundled fixtures.

use crate::common::*;
use std::fs;
use std::path::{Path, PathBuf};

/// A folder named after a "patient", holding the fixtures and one file
/// that is not an image.
fn patient_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let patient = dir.path().join("DUPONT Marie");
    fs::create_dir(&patient).unwrap();
    for f in ["grace_hopper.jpg", "hopper_phone.jpg", "rocket.jpg"] {
        fs::copy(fixture(&format!("photos/{f}")), patient.join(f)).unwrap();
    }
    fs::write(patient.join("notes.jpg"), b"not a picture").unwrap();
    dir
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

#[test]
fn the_report_says_what_was_done_to_each_file_and_holds_no_metadata_values() {
    let inputs = patient_folder();
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("run.json");
    let o = run(scrub(inputs.path(), &out.path().join("clean")).args([
        "--report".as_ref(),
        report.as_os_str(),
        "--no-text".as_ref(),
        "--face-shape".as_ref(),
        "ellipse".as_ref(),
        "--face-padding".as_ref(),
        "1.5x1.75".as_ref(),
        "--quality".as_ref(),
        "90".as_ref(),
        "--text-detail".as_ref(),
        "1024".as_ref(),
    ]));
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let r = json(&report);
    assert_eq!(r["schema"], "phiscrub-report");
    assert_eq!(r["version"], 1);
    assert_eq!(r["settings"]["text"], false);
    // Both face families looked, by default.
    assert_eq!(r["settings"]["second_face"], true);
    assert_eq!(r["settings"]["second_face_threshold"].as_f64(), Some(0.7));
    // How the faces were covered and the pixels written is on record.
    assert_eq!(r["settings"]["face_shape"], "ellipse");
    assert_eq!(
        r["settings"]["face_padding"],
        serde_json::json!([1.5, 1.75])
    );
    assert_eq!(r["settings"]["jpeg_quality"], 90);
    assert_eq!(r["settings"]["text_detail_side"], 1024);
    // So are the text detector's looks: small photos are read again at
    // 1080 px, upright and turned, keeping regions up to 48 px thick.
    assert_eq!(r["settings"]["text_second_side"], 1080);
    assert_eq!(r["settings"]["text_second_thickest"], 48);
    assert_eq!(r["settings"]["text_turned"], true);
    assert_eq!(r["settings"]["keep_icc"], true);
    assert_eq!(r["settings"]["reencode"], false);
    assert_eq!(r["settings"]["first_frame"], false);
    assert!(
        r["warnings"][0].as_str().unwrap().contains("text"),
        "--no-text must be recorded: {}",
        r["warnings"]
    );
    assert_eq!(r["totals"]["exported"], 3);
    assert_eq!(r["totals"]["failed"], 1);

    let phone = entry(&r, "DUPONT Marie/hopper_phone.jpg");
    assert_eq!(phone["status"], "exported");
    assert_eq!(phone["output"], "DUPONT Marie/hopper_phone.jpg");
    assert_eq!(phone["verification"], "passed");
    let removed: Vec<&str> = phone["metadata"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(
        removed.contains(&"gps") && removed.contains(&"device"),
        "{removed:?}"
    );
    let face = &phone["findings"][0];
    assert_eq!(face["kind"], "face");
    // The box lies on the face the other tests check is filled.
    let (x, y) = (
        face["box"][0].as_f64().unwrap(),
        face["box"][1].as_f64().unwrap(),
    );
    let (w, h) = (
        face["box"][2].as_f64().unwrap(),
        face["box"][3].as_f64().unwrap(),
    );
    let (fx, fy, fw, fh) = HOPPER_FACE;
    let (fx, fy, fw, fh) = (fx as f64, fy as f64, fw as f64, fh as f64);
    let inter =
        ((x + w).min(fx + fw) - x.max(fx)).max(0.0) * ((y + h).min(fy + fh) - y.max(fy)).max(0.0);
    let iou = inter / (w * h + fw * fh - inter);
    assert!(iou >= 0.5, "{face}: IoU {iou:.2} with the labelled face");

    let notes = entry(&r, "DUPONT Marie/notes.jpg");
    assert_eq!(notes["status"], "failed");
    assert_eq!(notes["reason"], "unreadable");
    assert_eq!(notes["output"], serde_json::Value::Null);

    // No metadata value of the phone photo (as exiftool reads them) is in
    // the report: only categories.
    let text = fs::read_to_string(&report).unwrap();
    let values = exiftool_values(&fixture("photos/hopper_phone.jpg"));
    if exiftool_available() {
        assert!(values.len() >= 5, "too few values to judge: {values:?}");
    }
    for v in &values {
        assert!(
            !text.contains(v.as_str()),
            "metadata value {v:?} in the report"
        );
    }

    // A second run does not overwrite the report.
    let again = run(scrub(inputs.path(), &out.path().join("clean2"))
        .args(["--report".as_ref(), report.as_os_str()]));
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("already exists"));
}

/// The text values exiftool reads from a file's metadata (6 characters or
/// more, with a letter), leaving out what exiftool says about the file
/// itself (name, folder, size) and what it computes; none where exiftool
/// is missing (CI requires it).
fn exiftool_values(path: &Path) -> Vec<String> {
    if !exiftool_available() {
        return Vec::new();
    }
    let o = std::process::Command::new("exiftool")
        .args(["-j", "-a", "-G1"])
        .arg(path)
        .output()
        .unwrap();
    let parsed: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut values = Vec::new();
    for (key, value) in parsed[0].as_object().unwrap() {
        let group = key.split(':').next().unwrap_or("");
        if matches!(
            group,
            "SourceFile" | "System" | "File" | "ExifTool" | "Composite"
        ) {
            continue;
        }
        if let Some(v) = value.as_str() {
            let v = v.trim();
            if v.len() >= 6 && v.chars().any(|c| c.is_ascii_alphabetic()) {
                values.push(v.to_string());
            }
        }
    }
    values
}

#[test]
fn rename_gives_neutral_names_and_keeps_the_map_apart() {
    let inputs = patient_folder();
    // A link to a photo that is gone: the walk cannot list it, and its name
    // must not reach the report either.
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        "/nonexistent/hopper_old.jpg",
        inputs.path().join("DUPONT Marie/hopper_old.jpg"),
    )
    .unwrap();
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("clean");
    let (report, map) = (work.path().join("run.json"), work.path().join("map.csv"));
    let o = run(scrub(inputs.path(), &out).args([
        "--report".as_ref(),
        report.as_os_str(),
        "--rename".as_ref(),
        map.as_os_str(),
        "--no-text".as_ref(),
    ]));
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let mut names: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["image-0001.jpg", "image-0002.jpg", "image-0004.jpg"]
    );
    let report_text = fs::read_to_string(&report).unwrap();
    assert!(
        !report_text.contains("DUPONT"),
        "the patient's name is in the report"
    );
    assert!(
        !report_text.contains("hopper"),
        "an input name is in the report"
    );
    let map_text = fs::read_to_string(&map).unwrap();
    assert!(map_text.contains("\"image-0002.jpg\",\"") && map_text.contains("DUPONT Marie"));
    assert!(
        map_text
            .lines()
            .any(|l| l.starts_with("\"image-0002.jpg\"") && l.ends_with("hopper_phone.jpg\""))
    );

    // The map may not go into the folder that will be shared.
    let inside = run(scrub(inputs.path(), &out).args([
        "--rename".as_ref(),
        out.join("map.csv").as_os_str(),
        "--force".as_ref(),
    ]));
    assert_eq!(inside.status.code(), Some(2));
    assert!(stderr(&inside).contains("inside the output folder"));
}

#[test]
fn check_names_what_would_leak_writes_nothing_and_passes_scrubbed_faces() {
    let inputs = patient_folder();
    let before: Vec<(String, Vec<u8>)> = walk_files(inputs.path());
    let o = run(phiscrub().args([
        "check".as_ref(),
        inputs.path().as_os_str(),
        "--no-text".as_ref(),
    ]));
    assert_eq!(o.status.code(), Some(4), "unreadable file: exit 4");
    let out = stdout(&o);
    let line = |name: &str| {
        out.lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("no line for {name} in {out}"))
            .to_string()
    };
    let phone = line("hopper_phone.jpg");
    assert!(
        // Her face, and a candidate on the cap badge that the enlarged look
        // at this small photo finds: counted, never fewer than one.
        phone.contains("WOULD LEAK")
            && (phone.contains("1 face") || phone.contains("2 face"))
            && phone.contains("gps"),
        "{phone}"
    );
    assert!(line("notes.jpg").contains("could not be checked"));
    assert!(
        out.contains("4 image(s) checked: 3 would leak, 0 clean, 1 could not be read"),
        "{out}"
    );
    assert_eq!(
        walk_files(inputs.path()),
        before,
        "check changed or added files"
    );

    // The same photos once scrubbed (faces only) check clean: exit 0.
    fs::remove_file(inputs.path().join("DUPONT Marie/notes.jpg")).unwrap();
    let clean = tempfile::tempdir().unwrap();
    let s = run(scrub(inputs.path(), clean.path()).args(["--no-text", "--no-codes"]));
    assert_eq!(s.status.code(), Some(0), "{}", stderr(&s));
    let c = run(phiscrub().args([
        "check".as_ref(),
        clean.path().as_os_str(),
        "--no-text".as_ref(),
        "--no-codes".as_ref(),
    ]));
    assert!(
        stdout(&c).contains("3 image(s) checked: 0 would leak, 3 clean"),
        "{}",
        stdout(&c)
    );
    assert_eq!(c.status.code(), Some(0));
}

fn walk_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v = Vec::new();
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.unwrap();
        if e.file_type().is_file() {
            v.push((e.path().display().to_string(), fs::read(e.path()).unwrap()));
        }
    }
    v
}

#[cfg(unix)]
#[test]
fn a_run_killed_at_any_moment_leaves_only_whole_verified_outputs() {
    use std::process::Stdio;
    let inputs = tempfile::tempdir().unwrap();
    for i in 0..24 {
        let f = ["grace_hopper.jpg", "hopper_phone.jpg", "astronaut.png"][i % 3];
        let ext = Path::new(f).extension().unwrap().to_str().unwrap();
        fs::copy(
            fixture(&format!("photos/{f}")),
            inputs.path().join(format!("p{i:02}.{ext}")),
        )
        .unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    // Kill at several moments: as soon as 1, 3 and 6 outputs are visible
    // (the next ones are then being written), and at once.
    let visible = |dest: &Path| {
        fs::read_dir(dest).map_or(0, |d| {
            d.filter(|e| {
                let e = e.as_ref().unwrap();
                !e.file_name().to_string_lossy().starts_with('.')
            })
            .count()
        })
    };
    let mut seen_outputs = 0;
    for (k, after) in [0usize, 1, 3, 6].into_iter().enumerate() {
        let dest = out.path().join(format!("run{k}"));
        let mut child = scrub(inputs.path(), &dest)
            .args(["--no-text", "--no-codes", "--reencode", "--jobs", "2"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = std::time::Instant::now();
        while visible(&dest) < after && start.elapsed().as_secs() < 120 {
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        seen_outputs += visible(&dest);
        let Ok(entries) = fs::read_dir(&dest) else {
            continue; // killed before the folder was made
        };
        for e in entries {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with(".phiscrub-") {
                // A temporary file caught mid-write: hidden, never under an
                // output name, skipped by later runs.
                assert!(name.ends_with(".part"), "{name}");
                continue;
            }
            // Every visible output is whole and has its face covered.
            let img = rgb(&e.path());
            let face = if name.ends_with(".png") {
                ASTRONAUT_FACE
            } else {
                HOPPER_FACE
            };
            assert!(
                max_in(&img, face) <= 16,
                "{name}: face not covered (killed after {after} outputs)"
            );
        }
    }
    assert!(
        seen_outputs >= 6,
        "the kills left too few outputs to judge ({seen_outputs})"
    );
}

/// What `check` said of the outputs `scrub` wrote from `inputs`: how many
/// were exported, one verdict per output that would leak (input, findings,
/// message), and check's exit code. Scrub's own exit code must be one of
/// `scrub_codes`.
fn scrub_then_check(inputs: &Path, scrub_codes: &[i32]) -> (usize, Vec<String>, Option<i32>) {
    let out = tempfile::tempdir().unwrap();
    let reports = tempfile::tempdir().unwrap();
    let (scrubbed, checked) = (
        reports.path().join("scrub.json"),
        reports.path().join("check.json"),
    );
    let s = run(scrub(inputs, out.path()).arg("--report").arg(&scrubbed));
    assert!(
        s.status.code().is_some_and(|c| scrub_codes.contains(&c)),
        "{}",
        stderr(&s)
    );
    let c = run(phiscrub()
        .arg("check")
        .arg(out.path())
        .arg("--report")
        .arg(&checked));
    let files = |report: &Path| -> Vec<serde_json::Value> {
        let v: serde_json::Value = serde_json::from_slice(&fs::read(report).unwrap()).unwrap();
        v["files"].as_array().unwrap().clone()
    };
    let exported = files(&scrubbed)
        .iter()
        .filter(|f| f["status"] == "exported")
        .count();
    let verdicts = files(&checked);
    assert_eq!(verdicts.len(), exported, "one verdict per output");
    let leaks = verdicts
        .iter()
        .filter(|f| f["would_leak"] != false)
        .map(|f| format!("{}: {} {}", f["input"], f["findings"], f["message"]))
        .collect();
    (exported, leaks, c.status.code())
}

/// `check` of a folder `scrub` just wrote calls every output clean: the
/// README's third step must not contradict the second. On the bundled
/// photos, whose fills `check` used to read as a face (the black box over
/// a face) or as text (along a fill's edge).
#[test]
fn check_calls_every_output_of_scrub_clean() {
    let inputs = tempfile::tempdir().unwrap();
    for e in fs::read_dir(fixture("photos")).unwrap() {
        let p = e.unwrap().path();
        fs::copy(&p, inputs.path().join(p.file_name().unwrap())).unwrap();
    }
    let (exported, leaks, code) = scrub_then_check(inputs.path(), &[0, 3]);
    assert!(exported >= 5, "the bundled photos are exported");
    assert!(leaks.is_empty(), "check contradicts scrub: {leaks:#?}");
    assert_eq!(code, Some(0));
}

/// The same on every sixteenth photo of the shared face and background
/// sets (`../shared/data`), when present: ordinary photos, where `check`
/// used to read the rows and gaps of scrub's fills as text (3 of these 16
/// before scrub's last look took its fills from the output's pixels).
/// Skips when the sets are absent.
#[test]
fn check_calls_every_output_of_scrub_clean_on_shared_photos() {
    let sets = ["faces", "backgrounds"].map(|s| root().join("../shared/data").join(s));
    if !sets.iter().all(|s| s.is_dir()) {
        eprintln!("skipped: ../shared/data/faces or backgrounds is absent");
        return;
    }
    let mut photos: Vec<PathBuf> = Vec::new();
    for set in &sets {
        let mut names: Vec<PathBuf> = fs::read_dir(set)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "jpg"))
            .collect();
        names.sort();
        photos.extend(names);
    }
    let inputs = tempfile::tempdir().unwrap();
    for p in photos.iter().step_by(16) {
        fs::copy(p, inputs.path().join(p.file_name().unwrap())).unwrap();
    }
    let (exported, leaks, _) = scrub_then_check(inputs.path(), &[0, 3, 4]);
    assert!(exported >= 12, "most of the 16 photos are exported");
    assert!(leaks.is_empty(), "check contradicts scrub: {leaks:#?}");
}
