//! `phiscrub serve` started for real on a loopback port, spoken to with a
//! real HTTP client (ureq).

use crate::common::*;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Duration;

/// A running server, stopped (SIGTERM) when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = phiscrub()
            .args(["serve", "--bind", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("phiscrub serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let at = line
            .find("http://")
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        Server {
            child,
            base: line[at..].trim().to_string(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// POSTs `body` and returns status, headers of interest and body.
    fn post(&self, path: &str, ctype: &str, body: &[u8], token: Option<&str>) -> Reply {
        let mut req = ureq::post(&self.url(path))
            .timeout(Duration::from_secs(120))
            .set("Content-Type", ctype);
        if let Some(t) = token {
            req = req.set("Authorization", &format!("Bearer {t}"));
        }
        Reply::from(req.send_bytes(body))
    }

    fn stop(&mut self) -> std::process::ExitStatus {
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        self.child.wait().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Reply {
    status: u16,
    ctype: String,
    header: std::collections::HashMap<String, String>,
    body: Vec<u8>,
}

impl Reply {
    fn from(r: Result<ureq::Response, ureq::Error>) -> Reply {
        let resp = match r {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("transport error: {e}"),
        };
        let mut header = std::collections::HashMap::new();
        for name in resp.headers_names() {
            if let Some(v) = resp.header(&name) {
                header.insert(name.to_ascii_lowercase(), v.to_string());
            }
        }
        let (status, ctype) = (resp.status(), resp.content_type().to_string());
        let mut body = Vec::new();
        std::io::Read::read_to_end(&mut resp.into_reader(), &mut body).unwrap();
        Reply {
            status,
            ctype,
            header,
            body,
        }
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&self.body)))
    }
}

fn read(p: &str) -> Vec<u8> {
    std::fs::read(fixture(p)).unwrap()
}

/// Whether a JSON answer's findings include a face.
fn names_a_face(v: &serde_json::Value) -> bool {
    v["findings"]
        .as_array()
        .is_some_and(|all| all.iter().any(|f| f["kind"] == "face"))
}

#[test]
fn a_face_photo_comes_back_covered_and_without_metadata() {
    let srv = Server::start(&[]);
    let r = srv.post(
        "/v1/scrub",
        "image/jpeg",
        &read("photos/hopper_phone.jpg"),
        None,
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.ctype, "image/jpeg");
    assert!(r.header["x-phiscrub-findings"].contains("face="));
    assert!(r.header["x-phiscrub-metadata-removed"].contains("gps"));
    let img = image::load_from_memory(&r.body).unwrap().to_rgb8();
    let m = max_in(&img, HOPPER_FACE);
    assert!(m <= 16, "face not covered (max channel {m})");
    // No metadata left, by exiftool when present, by kamadak-exif always.
    assert!(
        exif::Reader::new()
            .read_from_container(&mut std::io::Cursor::new(&r.body))
            .is_err()
    );
    if exiftool_available() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("out.jpg");
        std::fs::write(&p, &r.body).unwrap();
        let leaked = leaked_tags(&p, true);
        assert!(leaked.is_empty(), "metadata left: {leaked:?}");
    }

    // The same through an HTML form.
    let boundary = "phiscrubtestboundary";
    let mut form = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
    )
    .into_bytes();
    form.extend(read("photos/grace_hopper.jpg"));
    form.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    let r = srv.post(
        "/v1/scrub",
        &format!("multipart/form-data; boundary={boundary}"),
        &form,
        None,
    );
    assert_eq!(r.status, 200);
    let img = image::load_from_memory(&r.body).unwrap().to_rgb8();
    assert!(max_in(&img, HOPPER_FACE) <= 16);

    // check answers JSON only.
    let r = srv.post(
        "/v1/check",
        "image/jpeg",
        &read("photos/hopper_phone.jpg"),
        None,
    );
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["would_leak"], true);
    assert!(v["metadata"].as_array().unwrap().iter().any(|c| c == "gps"));
    assert!(names_a_face(&v), "{v}");

    // Health, metrics and the OpenAPI document as committed.
    assert_eq!(
        ureq::get(&srv.url("/healthz")).call().unwrap().status(),
        200
    );
    let m = ureq::get(&srv.url("/metrics"))
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    assert!(
        m.contains("phiscrub_requests_total{endpoint=\"scrub\",outcome=\"exported\"} 2"),
        "{m}"
    );
    assert!(
        m.contains("phiscrub_request_duration_seconds_count 3"),
        "{m}"
    );
    assert!(m.contains("phiscrub_in_flight 0"), "{m}");
    let doc = ureq::get(&srv.url("/openapi.json"))
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    assert_eq!(
        doc,
        std::fs::read_to_string(root().join("crates/phiscrub-serve/api/openapi.json")).unwrap()
    );
}

#[test]
fn refusals_garbage_and_wrong_types_get_no_image() {
    // Threshold 1 covers nothing while verification looks at 0.19: refused.
    let srv = Server::start(&["--face-threshold", "1", "--verify-threshold", "0.19"]);
    let r = srv.post(
        "/v1/scrub",
        "image/jpeg",
        &read("photos/grace_hopper.jpg"),
        None,
    );
    assert_eq!(r.status, 422);
    assert_eq!(r.ctype, "application/json");
    let v = r.json();
    assert_eq!(v["status"], "refused");
    assert_eq!(v["reason"], "residual");
    assert!(names_a_face(&v), "{v}");
    assert!(image::load_from_memory(&r.body).is_err());

    let r = srv.post(
        "/v1/scrub",
        "application/octet-stream",
        &read("bad/not-an-image.jpg"),
        None,
    );
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["status"], "unreadable");
    let r = srv.post("/v1/scrub", "image/jpeg", &read("bad/truncated.jpg"), None);
    assert_eq!(
        (r.status, r.json()["reason"].as_str()),
        (422, Some("corrupt"))
    );
    let r = srv.post("/v1/scrub", "text/plain", b"hello", None);
    assert_eq!(r.status, 415);
    // A picture file phiscrub recognises but cannot make safe.
    let mut jxl = b"\x00\x00\x00\x0cJXL \r\n\x87\n".to_vec();
    jxl.extend([0u8; 64]);
    let r = srv.post("/v1/scrub", "image/jxl", &jxl, None);
    assert_eq!(r.status, 415, "{}", String::from_utf8_lossy(&r.body));
    // A HEIC that is only its header: read, found damaged.
    let mut heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic".to_vec();
    heic.extend([0u8; 64]);
    let r = srv.post("/v1/scrub", "image/heic", &heic, None);
    assert_eq!(r.status, 422, "{}", String::from_utf8_lossy(&r.body));
}

#[test]
fn body_limit_and_token() {
    let d = tempfile::tempdir().unwrap();
    let token = d.path().join("token");
    std::fs::write(&token, "s3cret-token\n").unwrap();
    let srv = Server::start(&[
        "--max-body-mb",
        "1",
        "--token-file",
        token.to_str().unwrap(),
    ]);
    let photo = read("photos/chelsea.png");
    let r = srv.post("/v1/scrub", "image/png", &photo, None);
    assert_eq!(r.status, 401);
    let r = srv.post("/v1/scrub", "image/png", &photo, Some("guess"));
    assert_eq!(r.status, 401);
    let r = srv.post("/v1/scrub", "image/png", &photo, Some("s3cret-token"));
    assert_eq!(r.status, 200);
    let big = vec![0u8; 2 * 1024 * 1024];
    let r = srv.post("/v1/scrub", "image/png", &big, Some("s3cret-token"));
    assert_eq!(r.status, 413);
    // Metrics need the token too; health does not.
    assert!(ureq::get(&srv.url("/metrics")).call().is_err());
    assert_eq!(
        ureq::get(&srv.url("/healthz")).call().unwrap().status(),
        200
    );
}

#[test]
fn a_network_address_without_a_token_is_refused() {
    let o = run(phiscrub().args(["serve", "--bind", "0.0.0.0:0"]));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--token-file"));
}

/// A 12-megapixel-ish photo: long enough to scrub that requests overlap.
fn big_photo(dir: &Path) -> Vec<u8> {
    let img = image::open(fixture("photos/grace_hopper.jpg"))
        .unwrap()
        .resize_exact(1800, 2100, image::imageops::FilterType::Triangle)
        .to_rgb8();
    let p = dir.join("big.jpg");
    img.save(&p).unwrap();
    std::fs::read(p).unwrap()
}

#[test]
fn beyond_the_concurrency_limit_requests_get_503_and_sigterm_finishes_in_flight_work() {
    let d = tempfile::tempdir().unwrap();
    let photo = std::sync::Arc::new(big_photo(d.path()));
    let mut srv = Server::start(&["--concurrency", "1"]);
    let url = srv.url("/v1/scrub");
    let send = |url: String, photo: std::sync::Arc<Vec<u8>>| {
        std::thread::spawn(move || {
            Reply::from(
                ureq::post(&url)
                    .timeout(Duration::from_secs(300))
                    .set("Content-Type", "image/jpeg")
                    .send_bytes(&photo),
            )
        })
    };
    // One long scrub holds the only slot; the others arrive while it runs.
    let first = send(url.clone(), photo.clone());
    std::thread::sleep(Duration::from_millis(300));
    let others: Vec<_> = (0..3).map(|_| send(url.clone(), photo.clone())).collect();
    let others: Vec<Reply> = others.into_iter().map(|h| h.join().unwrap()).collect();
    for r in &others {
        assert_eq!(r.status, 503, "no unbounded queueing");
        assert_eq!(r.header.get("retry-after").map(String::as_str), Some("1"));
    }
    // SIGTERM while the first is still running: it is answered whole.
    let code = srv.stop();
    let r = first.join().unwrap();
    assert_eq!(r.status, 200);
    assert!(image::load_from_memory(&r.body).is_ok());
    assert!(code.success(), "graceful stop exits 0: {code:?}");
}

/// The host:port the server listens on.
fn addr(srv: &Server) -> String {
    srv.base
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string()
}

#[test]
fn a_slow_upload_holds_no_scrub_slot() {
    use std::io::Write;
    let srv = Server::start(&["--concurrency", "1", "--body-timeout", "20"]);
    // A client that announces a photo and sends it one byte at a time.
    let mut slow = std::net::TcpStream::connect(addr(&srv)).unwrap();
    slow.write_all(
        b"POST /v1/scrub HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: 100000\r\n\r\n\xff",
    )
    .unwrap();
    slow.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    // Meanwhile the only slot is free for a whole request.
    let r = srv.post("/v1/scrub", "image/png", &read("photos/chelsea.png"), None);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    drop(slow);
}

#[test]
fn idle_connections_are_closed_and_capped() {
    use std::io::Read;
    let srv = Server::start(&["--max-connections", "2"]);
    let idle: Vec<_> = (0..2)
        .map(|_| std::net::TcpStream::connect(addr(&srv)).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    // A third is closed at once: reading gives end of stream, not a wait.
    let mut third = std::net::TcpStream::connect(addr(&srv)).unwrap();
    third
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let started = std::time::Instant::now();
    let mut buf = [0u8; 16];
    assert!(matches!(third.read(&mut buf), Ok(0) | Err(_)));
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "not closed at once"
    );
    // The idle ones sent no header: closed after the header time limit.
    for mut c in idle {
        c.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let started = std::time::Instant::now();
        assert!(matches!(c.read(&mut buf), Ok(0) | Err(_)));
        assert!(
            started.elapsed() < Duration::from_secs(25),
            "idle connection kept"
        );
    }
    // Then the service answers again.
    let health = ureq::get(&srv.url("/healthz"))
        .timeout(Duration::from_secs(10))
        .call();
    assert_eq!(health.unwrap().status(), 200);
}

#[test]
fn a_scrub_past_the_time_limit_stops_and_frees_its_slot() {
    let d = tempfile::tempdir().unwrap();
    // About 15 MP: many tiles, far more than a second's work.
    let img = image::open(fixture("photos/grace_hopper.jpg"))
        .unwrap()
        .resize_exact(3600, 4200, image::imageops::FilterType::Triangle)
        .to_rgb8();
    let p = d.path().join("huge.jpg");
    img.save(&p).unwrap();
    let huge = std::fs::read(p).unwrap();
    let srv = Server::start(&["--concurrency", "1", "--timeout", "3"]);
    let started = std::time::Instant::now();
    let r = srv.post("/v1/scrub", "image/jpeg", &huge, None);
    assert_eq!(r.status, 503, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["status"], "timeout");
    // The slot is free again within a few tiles, long before the whole scrub
    // would have ended: a small picture is scrubbed.
    let mut small = Vec::new();
    image::RgbImage::from_pixel(64, 48, image::Rgb([120, 140, 160]))
        .write_to(
            &mut std::io::Cursor::new(&mut small),
            image::ImageFormat::Png,
        )
        .unwrap();
    let mut ok = false;
    while started.elapsed() < Duration::from_secs(9) {
        if srv.post("/v1/scrub", "image/png", &small, None).status == 200 {
            ok = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(ok, "the slot stayed taken after the time limit");
}

/// Each request is answered in the language its `Accept-Language` asks
/// for, on one server: the language is chosen per request, not per process
/// (the server itself runs in English).
#[test]
fn each_request_gets_its_messages_in_the_language_it_accepts() {
    let srv = Server::start(&[]);
    let garbage = read("bad/not-an-image.jpg");
    let ask = |path: &str, accept: Option<&str>| {
        let mut req = ureq::post(&srv.url(path))
            .timeout(Duration::from_secs(60))
            .set("Content-Type", "application/octet-stream");
        if let Some(a) = accept {
            req = req.set("Accept-Language", a);
        }
        let r = Reply::from(req.send_bytes(&garbage));
        assert_eq!(r.status, 422, "{}", String::from_utf8_lossy(&r.body));
        let v = r.json();
        assert_eq!(v["reason"], "unreadable", "codes never change: {v}");
        v["message"].as_str().unwrap().to_string()
    };
    for path in ["/v1/scrub", "/v1/check"] {
        let fr = ask(path, Some("fr-CH, fr;q=0.9, en;q=0.5"));
        let en = ask(path, Some("en-GB"));
        let default = ask(path, None);
        assert!(fr.starts_with("ce n'est pas une image"), "{path}: {fr}");
        assert!(en.starts_with("not an image"), "{path}: {en}");
        assert_eq!(default, en, "{path}: the server's own language is English");
        // A language phiscrub does not speak falls back to the default.
        assert_eq!(ask(path, Some("de-DE")), en, "{path}");
    }
}
