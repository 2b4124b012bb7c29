//! A run split into shards (`--files-from`, `--shard`) and merged again
//! (`report merge`), as a Slurm job array or a Kubernetes Indexed Job runs
//! it. Metadata only, so that the split, not detection, is what is timed.

use crate::common::*;
use std::fs;
use std::path::Path;

/// The photo fixtures listed one per line, as an archive's manifest would.
fn manifest(dir: &Path) -> (std::path::PathBuf, Vec<String>) {
    let mut names: Vec<String> = fs::read_dir(fixture("metadata"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jpg" || e == "png"))
        .map(|p| p.display().to_string())
        .collect();
    names.sort();
    let list = dir.join("list.txt");
    fs::write(&list, names.join("\n")).unwrap();
    (list, names)
}

fn shard_run(list: &Path, out: &Path, report: &Path, shard: &str) -> std::process::Output {
    run(phiscrub()
        .args(["scrub", "--metadata-only", "-q", "--files-from"])
        .arg(list)
        .arg("--out")
        .arg(out)
        .arg("--report")
        .arg(report)
        .args(["--shard", shard]))
}

#[test]
fn three_shards_export_every_listed_file_once_and_merge_into_the_whole_run() {
    let dir = tempfile::tempdir().unwrap();
    let (list, names) = manifest(dir.path());
    assert!(names.len() >= 15);
    let out = dir.path().join("out");
    let mut reports = Vec::new();
    for k in 1..=3 {
        let report = dir.path().join(format!("shard{k}.json"));
        shard_run(&list, &out, &report, &format!("{k}/3"));
        reports.push(report);
    }
    // One run of the same list, for comparison.
    let whole = dir.path().join("whole");
    run(phiscrub()
        .args(["scrub", "--metadata-only", "-q", "--files-from"])
        .arg(&list)
        .arg("--out")
        .arg(&whole));

    // Merging two of three shards names the missing one.
    let merged = dir.path().join("merged.json");
    let o = run(phiscrub()
        .args(["report", "merge"])
        .args(&reports[..2])
        .arg("--out")
        .arg(&merged));
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("shard 3 of 3 is missing"),
        "{}",
        stderr(&o)
    );
    // Giving a shard twice is refused too.
    let o = run(phiscrub()
        .args(["report", "merge"])
        .args([&reports[0], &reports[0], &reports[1]])
        .arg("--out")
        .arg(&merged));
    assert!(stderr(&o).contains("given twice"), "{}", stderr(&o));

    let o = run(phiscrub()
        .args(["report", "merge"])
        .args(&reports)
        .arg("--out")
        .arg(&merged));
    assert!(
        stdout(&o).contains("merged"),
        "{}{}",
        stdout(&o),
        stderr(&o)
    );
    let m: serde_json::Value = serde_json::from_slice(&fs::read(&merged).unwrap()).unwrap();
    let files = m["files"].as_array().unwrap();
    assert_eq!(files.len(), names.len(), "every listed file reported once");
    assert_eq!(m["totals"]["files"], names.len());
    assert!(m.get("shard").is_none());

    // Each exported output is there, byte-identical to the single run's.
    let mut exported = 0;
    for f in files.iter().filter(|f| f["status"] == "exported") {
        let rel = f["output"].as_str().unwrap();
        let a = fs::read(out.join(rel)).unwrap();
        let b = fs::read(whole.join(rel)).unwrap();
        assert_eq!(a, b, "{rel}");
        exported += 1;
    }
    assert!(exported >= 10);
    // Outputs keep the listed path (without its root) under --out, so that
    // files of the same name in different folders cannot collide.
    let first = files.iter().find(|f| f["status"] == "exported").unwrap();
    let rel = first["output"].as_str().unwrap();
    assert!(rel.contains("fixtures/metadata/"), "{rel}");
}

#[test]
fn shard_auto_reads_the_slurm_array_variables() {
    let dir = tempfile::tempdir().unwrap();
    let (list, names) = manifest(dir.path());
    let mut seen = 0usize;
    for task in 1..=2 {
        let report = dir.path().join(format!("task{task}.json"));
        let o = run(phiscrub()
            .env("SLURM_ARRAY_TASK_ID", task.to_string())
            .env("SLURM_ARRAY_TASK_MIN", "1")
            .env("SLURM_ARRAY_TASK_MAX", "2")
            .env("SLURM_ARRAY_TASK_COUNT", "2")
            .args(["scrub", "--metadata-only", "-q", "--files-from"])
            .arg(&list)
            .arg("--out")
            .arg(dir.path().join("out"))
            .arg("--report")
            .arg(&report)
            .args(["--shard", "auto"]));
        assert_ne!(o.status.code(), Some(2), "a usage error: {}", stderr(&o));
        let r: serde_json::Value = serde_json::from_slice(&fs::read(&report).unwrap()).unwrap();
        assert_eq!(r["shard"]["index"], task);
        assert_eq!(r["shard"]["count"], 2);
        assert_eq!(r["shard"]["listed"], names.len());
        seen += r["files"].as_array().unwrap().len();
    }
    assert_eq!(seen, names.len());
    // Task 2 submitted again on its own is an array of one: `auto` cannot
    // know the count and says to give it, rather than re-splitting.
    let o = run(phiscrub()
        .env("SLURM_ARRAY_TASK_ID", "2")
        .env("SLURM_ARRAY_TASK_MIN", "2")
        .env("SLURM_ARRAY_TASK_MAX", "2")
        .env("SLURM_ARRAY_TASK_COUNT", "1")
        .args(["scrub", "--metadata-only", "--files-from"])
        .arg(&list)
        .arg("--out")
        .arg(dir.path().join("again"))
        .args(["--shard", "auto"]));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("auto/N"), "{}", stderr(&o));
    assert!(!dir.path().join("again").exists(), "nothing is written");
    // Without a scheduler, `auto` is a usage error that says what to give.
    let o = run(phiscrub()
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("JOB_COMPLETION_INDEX")
        .args(["scrub", "--metadata-only", "--files-from"])
        .arg(&list)
        .arg("--out")
        .arg(dir.path().join("x"))
        .args(["--shard", "auto"]));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("SLURM_ARRAY_TASK_ID"), "{}", stderr(&o));
}

#[test]
fn a_rerun_with_skip_existing_redoes_only_what_the_journal_does_not_vouch_for() {
    let dir = tempfile::tempdir().unwrap();
    let (list, names) = manifest(dir.path());
    let out = dir.path().join("out");
    let report = dir.path().join("run.json");
    let attempt = || {
        run(phiscrub()
            .args([
                "scrub",
                "--metadata-only",
                "-q",
                "--skip-existing",
                "--files-from",
            ])
            .arg(&list)
            .arg("--out")
            .arg(&out)
            .arg("--report")
            .arg(&report))
    };
    attempt();
    let journal = dir.path().join("run.json.journal");
    let lines: Vec<String> = fs::read_to_string(&journal)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    let first: serde_json::Value = serde_json::from_slice(&fs::read(&report).unwrap()).unwrap();
    let exported = first["totals"]["exported"].as_u64().unwrap() as usize;
    assert_eq!(lines.len(), exported, "one journal line per exported file");
    assert!(exported >= 10);

    // A pre-empted attempt: only 4 files recorded, the others never
    // written, no report; the last line cut short by the crash.
    let kept = &lines[..4];
    for l in &lines[4..] {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        fs::remove_file(v["output"].as_str().unwrap()).unwrap();
    }
    fs::write(&journal, format!("{}\n{{\"input\": \"cut", kept.join("\n"))).unwrap();
    fs::remove_file(&report).unwrap();

    let o = attempt();
    assert!(
        stdout(&o).contains("4 file(s) exported by an earlier attempt"),
        "{}",
        stdout(&o)
    );
    let again: serde_json::Value = serde_json::from_slice(&fs::read(&report).unwrap()).unwrap();
    assert_eq!(again["files"].as_array().unwrap().len(), names.len());
    assert_eq!(again["totals"]["exported"], exported);
    for f in again["files"].as_array().unwrap() {
        if f["status"] == "exported" {
            assert!(out.join(f["output"].as_str().unwrap()).is_file(), "{f}");
        }
    }

    // An output changed since it was recorded is not trusted: it is done
    // again, and (without --force) not overwritten but reported.
    let v: serde_json::Value = serde_json::from_str(&kept[0]).unwrap();
    let changed = v["output"].as_str().unwrap();
    let mut bytes = fs::read(changed).unwrap();
    bytes.push(0);
    fs::write(changed, &bytes).unwrap();
    let o = attempt();
    assert!(stdout(&o).contains("exported by an earlier attempt"));
    let err = stderr(&o);
    let name = Path::new(changed).file_name().unwrap().to_string_lossy();
    assert!(
        err.contains(name.as_ref()) && err.contains("--force"),
        "{err}"
    );
    assert_eq!(fs::read(changed).unwrap(), bytes, "not overwritten");

    // The journal vouches for its own run only: another shard of the list
    // (a Slurm task resubmitted with the wrong count) or other settings are
    // refused, naming what differs, before anything is written.
    let journal_before = fs::read(&journal).unwrap();
    let report_before = fs::read(&report).unwrap();
    for (extra, says) in [
        (&["--shard", "1/2"][..], "shard 1/2"),
        (&["--quality", "80"][..], "jpeg_quality"),
    ] {
        let o = run(phiscrub()
            .args(["scrub", "--metadata-only", "-q", "--skip-existing"])
            .args(extra)
            .arg("--files-from")
            .arg(&list)
            .arg("--out")
            .arg(&out)
            .arg("--report")
            .arg(&report));
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains(says) && err.contains("journal"), "{err}");
        assert_eq!(fs::read(&journal).unwrap(), journal_before);
        assert_eq!(fs::read(&report).unwrap(), report_before);
    }
}
