//! End-to-end tests of `phiscrub scrub` on the bundled fixtures, with the real
//! runtime and model.

use crate::common::*;
use std::fs;
use std::path::{Path, PathBuf};

#[test]
fn example_photos_are_exported_with_faces_covered_and_the_rest_untouched() {
    // Faces only: the text detector takes some of the cat's fur for text
    // (see README "Limits"); text is tested in text.rs.
    let out = tempfile::tempdir().unwrap();
    let o = run(scrub(fixture("photos"), out.path()).args(["--no-text", "--no-codes"]));
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("5 exported, 0 refused, 0 failed"));

    // Face pixels replaced by an opaque fill.
    for (name, face) in [
        ("grace_hopper.jpg", HOPPER_FACE),
        ("hopper_phone.jpg", HOPPER_FACE),
        ("astronaut.png", ASTRONAUT_FACE),
    ] {
        let img = rgb(&out.path().join(name));
        let m = max_in(&img, face);
        assert!(m <= 16, "{name}: face area not filled (max channel {m})");
    }

    // Far from the face, pixels survive (JPEG within re-encoding tolerance).
    let (a, b) = (
        rgb(&fixture("photos/grace_hopper.jpg")),
        rgb(&out.path().join("grace_hopper.jpg")),
    );
    let d = mean_diff(&a, &b, (20, 420, 150, 150));
    assert!(
        d < 3.0,
        "grace_hopper.jpg changed away from the face (mean diff {d})"
    );
    let (a, b) = (
        rgb(&fixture("photos/astronaut.png")),
        rgb(&out.path().join("astronaut.png")),
    );
    assert_eq!(
        mean_diff(&a, &b, (330, 330, 170, 170)),
        0.0,
        "PNG pixels away from the face changed"
    );

    // Photos without faces come out pixel-identical (PNG) or nearly (JPEG).
    let (a, b) = (
        rgb(&fixture("photos/chelsea.png")),
        rgb(&out.path().join("chelsea.png")),
    );
    assert_eq!(a, b, "chelsea.png has no face but its pixels changed");
    // rocket.jpg is Adobe RGB: the output is what a colour-managed viewer
    // showed of it, in sRGB.
    let (a, b) = (
        shown_rgb(&fixture("photos/rocket.jpg")),
        shown_rgb(&out.path().join("rocket.jpg")),
    );
    let d = mean_diff(&a, &b, (0, 0, a.width(), a.height()));
    assert!(
        d < 3.0,
        "rocket.jpg has no face but changed (mean diff {d})"
    );
}

#[test]
fn outputs_carry_no_metadata_for_exiftool() {
    if !exiftool_available() {
        return;
    }
    // The oracle must see the hazards in the input, or the check proves nothing.
    let input_tags = exiftool_tags(&fixture("photos/hopper_phone.jpg"));
    for (g, t) in [
        ("GPS", "GPSLatitude"),
        ("IFD1", "ThumbnailImage"),
        ("ExifIFD", "SerialNumber"),
        ("XMP-dc", "Creator"),
        ("IPTC", "By-line"),
        ("File", "Comment"),
    ] {
        assert!(
            input_tags.iter().any(|(gg, tt)| gg == g && tt == t),
            "fixture lacks {g}:{t}; rebuild it with fixtures/make_fixtures.py"
        );
    }

    let out = tempfile::tempdir().unwrap();
    let o = run(&mut scrub(fixture("photos"), out.path()));
    assert_eq!(o.status.code(), Some(0));
    let mut checked = 0;
    for entry in fs::read_dir(out.path()).unwrap() {
        let path = entry.unwrap().path();
        // ICC profiles are kept by default (astronaut.png carries sRGB).
        let leaks = leaked_tags(&path, true);
        assert!(
            leaks.is_empty(),
            "{} still carries {leaks:?}",
            path.display()
        );
        checked += 1;
    }
    assert_eq!(checked, 5);
}

#[test]
fn outputs_carry_no_exif_for_kamadak_exif() {
    let read = |p: &std::path::Path| {
        exif::Reader::new().read_from_container(&mut std::io::Cursor::new(fs::read(p).unwrap()))
    };
    let input = read(&fixture("photos/hopper_phone.jpg")).expect("fixture has EXIF");
    assert!(
        input
            .get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY)
            .is_some()
    );

    let out = tempfile::tempdir().unwrap();
    let o = run(&mut scrub(fixture("photos/hopper_phone.jpg"), out.path()));
    assert_eq!(o.status.code(), Some(0));
    let bytes = fs::read(out.path().join("hopper_phone.jpg")).unwrap();
    match read(&out.path().join("hopper_phone.jpg")) {
        Err(exif::Error::NotFound(_)) => {}
        Ok(_) => panic!("output still has EXIF"),
        Err(e) => panic!("output has unreadable EXIF: {e}"),
    }
    // No trailing bytes after the image and no second image.
    let layout = phiscrub::metadata::jpeg::layout(&bytes).unwrap();
    assert_eq!(layout.trailing, 0);
    // Only the JFIF header and the image segments remain.
    for (marker, _, _) in layout.segments() {
        let app_or_comment = (0xE1..=0xEF).contains(&marker) || marker == 0xFE;
        assert!(!app_or_comment, "output keeps marker {marker:#04x}");
    }
}

#[test]
fn exif_orientation_is_applied_to_the_pixels() {
    // Stored 600×512 (sideways) with Orientation 6; upright it is 512×600 with
    // a red top-left and a green top-right corner.
    let stored = rgb(&fixture("photos/hopper_phone.jpg"));
    assert_eq!(stored.dimensions(), (600, 512));
    let out = tempfile::tempdir().unwrap();
    let o = run(&mut scrub(fixture("photos/hopper_phone.jpg"), out.path()));
    assert_eq!(o.status.code(), Some(0));
    let img = rgb(&out.path().join("hopper_phone.jpg"));
    assert_eq!(img.dimensions(), (512, 600));
    let tl = img.get_pixel(20, 20).0;
    let tr = img.get_pixel(512 - 21, 20).0;
    assert!(
        tl[0] > 200 && tl[1] < 60 && tl[2] < 60,
        "top-left is {tl:?}, not red"
    );
    assert!(
        tr[1] > 200 && tr[0] < 60 && tr[2] < 60,
        "top-right is {tr:?}, not green"
    );
}

#[test]
fn bad_files_get_a_clear_error_and_the_others_are_still_exported() {
    let input = tempfile::tempdir().unwrap();
    for f in [
        "photos/grace_hopper.jpg",
        "photos/chelsea.png",
        "bad/truncated.jpg",
        "bad/not-an-image.jpg",
    ] {
        let src = fixture(f);
        fs::copy(&src, input.path().join(src.file_name().unwrap())).unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    let o = run(&mut scrub(input.path(), out.path()));
    assert_eq!(
        o.status.code(),
        Some(4),
        "a failed file must give exit code 4"
    );
    let err = stderr(&o);
    let line = |name: &str| {
        err.lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("no error line names {name}"))
            .to_string()
    };
    assert!(line("truncated.jpg").contains("damaged or truncated"));
    assert!(line("not-an-image.jpg").contains("not an image"));
    assert!(stdout(&o).contains("2 exported, 0 refused, 2 failed"));
    assert!(out.path().join("grace_hopper.jpg").is_file());
    assert!(out.path().join("chelsea.png").is_file());
    assert!(!out.path().join("truncated.jpg").exists());
    assert!(!out.path().join("not-an-image.jpg").exists());
}

#[test]
fn a_face_that_is_detected_but_not_redacted_is_refused_and_not_written() {
    // Threshold 1 covers nothing; verification still runs at 0.19 and must
    // refuse the portrait while the cat is exported.
    let out = tempfile::tempdir().unwrap();
    let o = run(phiscrub()
        .arg("scrub")
        .arg(fixture("photos/grace_hopper.jpg"))
        .arg(fixture("photos/chelsea.png"))
        .args(["--face-threshold", "1", "--verify-threshold", "0.19"])
        .arg("--out")
        .arg(out.path()));
    assert_eq!(o.status.code(), Some(3), "a refusal must give exit code 3");
    assert!(stdout(&o).contains("1 exported, 1 refused, 0 failed"));
    let err = stderr(&o);
    assert!(err.contains("grace_hopper.jpg: refused"), "stderr: {err}");
    assert!(!out.path().join("grace_hopper.jpg").exists());
    assert!(out.path().join("chelsea.png").is_file());
    // Nothing half-written is left behind either.
    let names: Vec<_> = fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("chelsea.png")]);
}

#[test]
fn existing_outputs_are_kept_unless_forced() {
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("chelsea.png");
    fs::write(&target, b"earlier work").unwrap();
    let o = run(&mut scrub(fixture("photos/chelsea.png"), out.path()));
    assert_eq!(o.status.code(), Some(4));
    assert!(stderr(&o).contains("already exists"));
    assert_eq!(fs::read(&target).unwrap(), b"earlier work");

    let o = run(scrub(fixture("photos/chelsea.png"), out.path()).arg("--force"));
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(rgb(&target).dimensions(), (451, 300));
}

#[test]
fn usage_errors_exit_2_and_name_the_problem() {
    let o = run(phiscrub().args(["scrub", "x.jpg"]));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--out"));
    let out = tempfile::tempdir().unwrap();
    let o = run(scrub(fixture("photos/chelsea.png"), out.path()).args([
        "--face-threshold",
        "0.3",
        "--verify-threshold",
        "0.5",
    ]));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("verification threshold"));
    // Worker settings are checked after the inputs are listed (the cores
    // are shared among them): a zero is still refused before anything runs.
    for (flag, named) in [
        ("--jobs", "--jobs"),
        ("--threads-per-job", "--threads-per-job"),
    ] {
        let o = run(scrub(fixture("photos"), out.path()).args([flag, "0"]));
        assert_eq!(o.status.code(), Some(2), "scrub {flag} 0");
        assert!(stderr(&o).contains(named), "scrub {flag} 0: {}", stderr(&o));
        let o = run(phiscrub()
            .arg("check")
            .arg(fixture("photos/chelsea.png"))
            .args([flag, "0"]));
        assert_eq!(o.status.code(), Some(2), "check {flag} 0");
        assert!(stderr(&o).contains(named), "check {flag} 0: {}", stderr(&o));
    }
    assert_eq!(
        fs::read_dir(out.path()).unwrap().count(),
        0,
        "nothing written"
    );
}

#[test]
fn missing_inputs_are_reported_by_name() {
    let out = tempfile::tempdir().unwrap();
    let o = run(phiscrub()
        .arg("scrub")
        .arg("no/such/photo.jpg")
        .arg(fixture("photos/chelsea.png"))
        .arg("--out")
        .arg(out.path()));
    assert_eq!(o.status.code(), Some(4));
    assert!(stderr(&o).contains("no/such/photo.jpg: does not exist"));
    assert!(out.path().join("chelsea.png").is_file());
}

#[test]
fn no_progress_bar_when_output_is_not_a_terminal() {
    let out = tempfile::tempdir().unwrap();
    let o = run(&mut scrub(fixture("photos/chelsea.png"), out.path()));
    assert_eq!(o.status.code(), Some(0));
    // indicatif draws with carriage returns and the "images" template.
    let err = stderr(&o);
    assert!(
        !err.contains('\r') && !err.contains("images"),
        "stderr: {err:?}"
    );
}

#[test]
fn the_runtime_override_is_honoured_and_a_bad_one_explains_the_fix() {
    let out = tempfile::tempdir().unwrap();
    let o = run(scrub(fixture("photos/chelsea.png"), out.path())
        .env("ORT_DYLIB_PATH", "/nonexistent/libonnxruntime.so.1.31.1"));
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("ONNX Runtime 1.31.1 was not found"), "{err}");
    assert!(err.contains("ORT_DYLIB_PATH"), "{err}");
    assert!(!out.path().join("chelsea.png").exists());
}

#[test]
fn an_output_folder_inside_the_input_folder_is_refused_unless_allowed() {
    let d = tempfile::tempdir().unwrap();
    let photos = d.path().join("photos");
    fs::create_dir(&photos).unwrap();
    fs::copy(fixture("photos/chelsea.png"), photos.join("chelsea.png")).unwrap();
    let nested = photos.join("clean");

    let o = run(&mut scrub(&photos, &nested));
    assert_eq!(o.status.code(), Some(2), "nesting is a usage error");
    let err = stderr(&o);
    assert!(
        err.contains("inside the input folder") && err.contains("--allow-nested"),
        "stderr: {err}"
    );
    assert!(!nested.exists(), "nothing may be created when refusing");

    // Through `..` the nesting is still seen.
    let sneaky = d.path().join("photos/../photos/clean");
    assert_eq!(run(&mut scrub(&photos, &sneaky)).status.code(), Some(2));

    // Allowed: the run exports, and a second run does not take the first
    // run's outputs for inputs.
    for _ in 0..2 {
        let o = run(scrub(&photos, &nested).args(["--allow-nested", "--force"]));
        assert_eq!(o.status.code(), Some(0));
        assert!(
            stdout(&o).starts_with("1 image(s): 1 exported"),
            "{}",
            stdout(&o)
        );
    }
    assert!(nested.join("chelsea.png").is_file());
    assert!(!nested.join("clean").exists());
}

/// `DIR/photos/ward/chelsea.png`; returns `DIR/photos`.
fn ward_photos(dir: &Path) -> PathBuf {
    let photos = dir.join("photos");
    fs::create_dir_all(photos.join("ward")).unwrap();
    fs::copy(
        fixture("photos/chelsea.png"),
        photos.join("ward/chelsea.png"),
    )
    .unwrap();
    photos
}

#[test]
fn symlink_loops_dangling_links_and_unreadable_files_are_per_file_errors() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let d = tempfile::tempdir().unwrap();
    let photos = ward_photos(d.path());
    symlink(&photos, photos.join("ward/back")).unwrap();
    symlink(photos.join("gone.jpg"), photos.join("dangling.jpg")).unwrap();
    let locked = photos.join("locked.jpg");
    fs::copy(fixture("photos/rocket.jpg"), &locked).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    // root reads anything: then the locked file is simply exported.
    let locked_out = fs::read(&locked).is_err();

    // Links are not followed unless asked (as rg and fd): no loop, no
    // dangling link, the photo once.
    let out = d.path().join("out");
    let o = run(scrub(&photos, &out).args(["--no-text", "--no-codes"]));
    let err = stderr(&o);
    assert!(!err.contains("back") && !err.contains("dangling"), "{err}");
    assert!(out.join("ward/chelsea.png").is_file());
    assert!(!out.join("ward/back").exists());

    let out = d.path().join("out-followed");
    let o = run(scrub(&photos, &out).args(["--no-text", "--no-codes", "--follow"]));
    assert_eq!(o.status.code(), Some(4), "failed files give exit 4");
    let err = stderr(&o);
    assert!(
        err.contains("back: is a symbolic link back into a folder"),
        "{err}"
    );
    assert!(err.contains("dangling.jpg: does not exist"), "{err}");
    if locked_out {
        assert!(err.contains("locked.jpg: permission denied"), "{err}");
    }
    // The batch went on.
    assert!(out.join("ward/chelsea.png").is_file());
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o644)).unwrap();
}

#[test]
fn a_link_above_the_input_followed_brings_each_photo_in_once() {
    use std::os::unix::fs::symlink;
    let d = tempfile::tempdir().unwrap();
    let ward = d.path().join("photos/ward");
    fs::create_dir_all(&ward).unwrap();
    fs::copy(fixture("photos/chelsea.png"), ward.join("chelsea.png")).unwrap();
    // A link inside the input to the folder above it.
    symlink(d.path().join("photos"), ward.join("up")).unwrap();
    let out = d.path().join("out");
    let report = d.path().join("r.json");
    run(scrub(&ward, &out)
        .args(["--no-text", "--no-codes", "--follow", "--report"])
        .arg(&report));
    let v: serde_json::Value = serde_json::from_slice(&fs::read(&report).unwrap()).unwrap();
    let inputs: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "exported")
        .map(|f| f["input"].as_str().unwrap())
        .collect();
    assert_eq!(inputs, ["chelsea.png"], "the same photo under two names");
    assert!(!out.join("up").exists());
}

#[test]
fn a_fifo_named_on_the_command_line_is_an_error_not_a_silent_skip() {
    let d = tempfile::tempdir().unwrap();
    let fifo = d.path().join("pipe.jpg");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo unavailable");
        return;
    }
    let o = run(&mut scrub(&fifo, &d.path().join("out")));
    assert_ne!(o.status.code(), Some(0));
    let err = stderr(&o);
    assert!(
        err.contains("pipe.jpg: is neither a file nor a folder"),
        "{err}"
    );
}

#[test]
fn an_output_path_through_a_link_inside_out_is_refused() {
    use std::os::unix::fs::symlink;
    let d = tempfile::tempdir().unwrap();
    let photos = ward_photos(d.path());
    let out = d.path().join("out");
    let elsewhere = d.path().join("elsewhere");
    fs::create_dir_all(&out).unwrap();
    fs::create_dir_all(&elsewhere).unwrap();
    symlink(&elsewhere, out.join("ward")).unwrap();
    let o = run(scrub(&photos, &out).args(["--no-text", "--no-codes"]));
    assert_eq!(o.status.code(), Some(4));
    let err = stderr(&o);
    assert!(err.contains("through the symbolic link"), "{err}");
    assert!(
        fs::read_dir(&elsewhere).unwrap().next().is_none(),
        "written outside --out"
    );
}

#[test]
fn a_name_map_reached_through_dotdot_inside_out_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out");
    let map = d.path().join("x/../out/map.csv");
    let o = run(scrub(fixture("photos/chelsea.png"), &out)
        .args(["--no-text", "--no-codes", "--rename"])
        .arg(&map));
    assert_eq!(o.status.code(), Some(2), "a usage error");
    assert!(
        stderr(&o).contains("inside the output folder"),
        "{}",
        stderr(&o)
    );
    assert!(!out.join("map.csv").exists());
}

#[test]
fn a_gpu_that_cannot_run_the_networks_stops_the_run_and_writes_nothing() {
    // CI's ONNX Runtime is the CPU build: `--device cuda` must not quietly
    // scrub on the CPU.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("clean");
    let o = run(scrub(fixture("photos/rocket.jpg"), &out).args(["--device", "cuda:0"]));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("cannot run on cuda:0"), "{err}");
    assert!(err.contains("never falls back to the CPU"), "{err}");
    assert!(!out.join("rocket.jpg").exists());
    // A device that is not one is a usage error.
    let o = run(scrub(fixture("photos/rocket.jpg"), &out).args(["--device", "gpu"]));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}
