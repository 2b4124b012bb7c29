//! phiscrub over HTTP (`phiscrub serve`): the [`Scrubber`], for intranet tools written
//! in anything. Same detectors, same verification, same refusals as the
//! command line: the handlers only move bytes in and out of
//! [`Scrubber::scrub`] and [`Scrubber::check`].
//!
//! Safety of the service itself: it binds to loopback unless told
//! otherwise, never writes an image to disk, never logs image content or
//! metadata (one line per request: method, path, status, time), limits
//! the body size, runs a bounded number of scrubs at once and answers 503
//! with `Retry-After` beyond that instead of queueing without bound, gives
//! each request a time limit, and on SIGTERM stops accepting and finishes
//! the requests in flight.
//!
//! Against slow or idle clients: a scrub slot is taken only once the whole
//! body has arrived (within its own time limit), headers must arrive within
//! [`ServeOptions::header_timeout`], open connections are capped (those over
//! the cap are closed at once), and a scrub past the request's time limit
//! stops before its next detector tile and frees its slot. The memory one
//! image may cost is bounded by `Config::max_memory`, checked from the
//! header before decoding.

// A handler's early answer is an axum `Response`, carried as the error of
// the steps before it; boxing each one would buy nothing per request.
#![allow(clippy::result_large_err)]

mod metrics;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use metrics::Metrics;
use phiscrub::Scrubber;
use phiscrub::detect::Finding;
use phiscrub::error::{RefusalReason, ScrubError};
use phiscrub::i18n::{Lang, in_lang};
use phiscrub::scrub::Verdict;
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// The OpenAPI description of the service, served at `/openapi.json`.
///
/// ```
/// let api: serde_json::Value = serde_json::from_str(phiscrub_serve::OPENAPI)?;
/// assert!(api["openapi"].as_str().unwrap().starts_with("3."));
/// // A client generator finds the scrubbing endpoint there.
/// assert!(api["paths"]["/v1/scrub"]["post"].is_object());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub const OPENAPI: &str = include_str!("../api/openapi.json");

/// How the service runs.
///
/// ```
/// let opts = phiscrub_serve::ServeOptions::default();
/// assert!(opts.bind.ip().is_loopback(), "loopback unless told otherwise");
/// assert!(opts.token.is_none());
/// ```
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// Address and port [`run`] listens on: loopback (127.0.0.1:8080) by
    /// default; port 0 takes any free one. [`router`] does not use it.
    pub bind: SocketAddr,
    /// Requests to `/v1/*` and `/metrics` must carry
    /// `Authorization: Bearer <token>` when set.
    pub token: Option<String>,
    /// Largest accepted request body, in bytes (413 above).
    pub max_body: usize,
    /// Scrubs run at once; more requests get 503 with `Retry-After`.
    pub concurrency: usize,
    /// Time limit of one request, body included (503 beyond); the scrub
    /// is stopped when it passes.
    pub timeout: Duration,
    /// Time limit for the request body to arrive whole (408 beyond). No scrub
    /// slot is held while it arrives.
    pub body_timeout: Duration,
    /// Time limit for a request's headers to arrive (the connection is
    /// closed beyond): a connection that sends nothing does not stay open.
    pub header_timeout: Duration,
    /// Connections open at once; one over the cap is closed as soon as it is
    /// accepted. [`router`] does not use it.
    pub max_connections: usize,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            token: None,
            max_body: 50 * 1024 * 1024,
            concurrency: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            timeout: Duration::from_secs(120),
            body_timeout: Duration::from_secs(30),
            header_timeout: Duration::from_secs(10),
            max_connections: 256,
        }
    }
}

struct AppState {
    scrubber: Arc<Scrubber>,
    token: Option<String>,
    slots: Arc<Semaphore>,
    timeout: Duration,
    body_timeout: Duration,
    max_body: usize,
    metrics: Metrics,
}

/// Serves until SIGTERM or Ctrl-C, then finishes the requests in flight
/// and returns. `on_ready` gets the bound address (useful with port 0)
/// once the socket listens.
///
/// ```
/// use phiscrub_serve::{run, ServeOptions};
/// use phiscrub::{Config, Scrubber};
/// use std::io::{Read, Write};
/// # let config = Config::metadata_only();
/// let scrubber = std::sync::Arc::new(Scrubber::new(config)?);
/// // Port 0: the system picks a free port, which on_ready is told.
/// let opts = ServeOptions { bind: "127.0.0.1:0".parse()?, ..ServeOptions::default() };
/// let answer = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
/// let seen = answer.clone();
/// run(scrubber, &opts, move |addr| {
///     println!("listening on {addr}");
///     // A client asks for /healthz, then the process gets SIGTERM, as
///     // from a service manager; run() returns once it has stopped.
///     std::thread::spawn(move || {
///         let mut http = std::net::TcpStream::connect(addr).unwrap();
///         http.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
///         http.read_to_string(&mut seen.lock().unwrap()).unwrap();
///         # std::thread::sleep(std::time::Duration::from_millis(200));
///         // SAFETY: kill(2) on our own pid touches no memory.
///         unsafe { libc::kill(libc::getpid(), libc::SIGTERM) };
///     });
/// })?;
/// assert!(answer.lock().unwrap().starts_with("HTTP/1.1 200"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run(
    scrubber: Arc<Scrubber>,
    opts: &ServeOptions,
    on_ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("phiscrub-http")
        .build()?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(opts.bind).await?;
        on_ready(listener.local_addr()?);
        accept_loop(listener, router(scrubber, opts), opts).await
    })
}

/// Accepts connections until SIGTERM or Ctrl-C, each served by hyper with a
/// header read time-out, at most `max_connections` at once; then asks every
/// open connection to finish its request in flight and waits for them.
async fn accept_loop(
    listener: tokio::net::TcpListener,
    app: Router,
    opts: &ServeOptions,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let open = Arc::new(Semaphore::new(opts.max_connections.max(1)));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    let stop = stop_signal();
    tokio::pin!(stop);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                // Out of descriptors and the like: the listener stays up.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let Ok(permit) = open.clone().try_acquire_owned() else {
            drop(stream);
            continue;
        };
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let header_timeout = opts.header_timeout;
        let mut stop_rx = stop_rx.clone();
        connections.spawn(async move {
            let _permit = permit;
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout);
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = stop_rx.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
        // Reap finished connections so the set does not grow.
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    let _ = stop_tx.send(true);
    while connections.join_next().await.is_some() {}
    Ok(())
}

/// The service's routes, for embedding in another axum application.
///
/// ```
/// use phiscrub::{Config, Scrubber};
/// use phiscrub_serve as serve;
/// let scrubber = std::sync::Arc::new(Scrubber::new(Config::default())?);
/// let portal = axum::Router::new()
///     .route("/", axum::routing::get(|| async { "case-report portal" }))
///     .nest("/phiscrub", serve::router(scrubber, &serve::ServeOptions::default()));
/// # let _ = portal;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn router(scrubber: Arc<Scrubber>, opts: &ServeOptions) -> Router {
    let state = Arc::new(AppState {
        scrubber,
        token: opts.token.clone(),
        slots: Arc::new(Semaphore::new(opts.concurrency.max(1))),
        timeout: opts.timeout,
        body_timeout: opts.body_timeout,
        max_body: opts.max_body,
        metrics: Metrics::default(),
    });
    Router::new()
        .route("/v1/scrub", post(scrub))
        .route("/v1/check", post(check))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/metrics", get(metrics))
        .route(
            "/openapi.json",
            get(|| async { ([(header::CONTENT_TYPE, "application/json")], OPENAPI) }),
        )
        .layer(DefaultBodyLimit::max(opts.max_body))
        .layer(axum::middleware::from_fn(log_request))
        .with_state(state)
}

async fn stop_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    eprintln!("phiscrub serve: stopping; finishing the requests in flight");
}

/// One line per request, with nothing from the request's body or headers.
async fn log_request(req: Request, next: axum::middleware::Next) -> Response {
    let (method, path) = (req.method().clone(), req.uri().path().to_string());
    let t = Instant::now();
    let resp = next.run(req).await;
    eprintln!(
        "phiscrub serve: {method} {path} {} {:.0} ms",
        resp.status().as_u16(),
        t.elapsed().as_secs_f64() * 1000.0
    );
    resp
}

/// A JSON error answer.
fn problem(status: StatusCode, body: serde_json::Value) -> Response {
    let mut r = (status, Json(body)).into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn simple(status: StatusCode, kind: &str, message: &str) -> Response {
    problem(status, json!({ "status": kind, "message": message }))
}

impl AppState {
    fn authorize(&self, headers: &HeaderMap) -> Result<(), Response> {
        let Some(token) = &self.token else {
            return Ok(());
        };
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if same_secret(given.as_bytes(), token.as_bytes()) {
            Ok(())
        } else {
            let mut r = simple(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "missing or wrong bearer token",
            );
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            Err(r)
        }
    }
}

/// Compares without stopping at the first difference, so the time taken
/// does not tell how much of a guess was right.
fn same_secret(given: &[u8], token: &[u8]) -> bool {
    if token.is_empty() {
        return false;
    }
    let mut diff = given.len() ^ token.len();
    for (i, x) in given.iter().enumerate() {
        diff |= usize::from(x ^ token[i % token.len()]);
    }
    diff == 0
}

/// The image in a request: the raw body (an image type,
/// `application/octet-stream`, or no type), or the first file of a
/// `multipart/form-data` form.
async fn image_body(req: Request, max_body: usize) -> Result<Bytes, (Response, &'static str)> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max_body as u64) {
        drain(req, max_body.saturating_mul(4)).await;
        let status = StatusCode::PAYLOAD_TOO_LARGE;
        return Err((
            simple(
                status,
                "too_large",
                &format!("the body is larger than the limit of {max_body} bytes"),
            ),
            "too_large",
        ));
    }
    let ctype = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let essence = ctype.split(';').next().unwrap_or("").trim().to_string();
    if essence == "multipart/form-data" {
        let mut form = Multipart::from_request(req, &()).await.map_err(|e| {
            (
                simple(e.status(), "bad_request", &e.body_text()),
                "bad_request",
            )
        })?;
        loop {
            match form.next_field().await {
                Ok(Some(field)) if field.file_name().is_some() || field.name() == Some("file") => {
                    return field.bytes().await.map_err(|e| {
                        let status = e.status();
                        (
                            simple(status, outcome_of(status), &e.body_text()),
                            outcome_of(status),
                        )
                    });
                }
                Ok(Some(_)) => continue,
                Ok(None) => {
                    return Err((
                        simple(
                            StatusCode::UNPROCESSABLE_ENTITY,
                            "unreadable",
                            "the form holds no file; send the image in a field named \"file\"",
                        ),
                        "unreadable",
                    ));
                }
                Err(e) => {
                    let status = e.status();
                    return Err((
                        simple(status, outcome_of(status), &e.body_text()),
                        outcome_of(status),
                    ));
                }
            }
        }
    }
    let accepted = essence.is_empty()
        || essence == "application/octet-stream"
        || essence.starts_with("image/");
    if !accepted {
        return Err((
            simple(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported",
                "send the image as the raw body (Content-Type image/* or application/octet-stream) or as multipart/form-data",
            ),
            "unsupported",
        ));
    }
    Bytes::from_request(req, &()).await.map_err(|e| {
        let status = e.status();
        (
            simple(status, outcome_of(status), &e.body_text()),
            outcome_of(status),
        )
    })
}

fn outcome_of(status: StatusCode) -> &'static str {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported",
        _ => "bad_request",
    }
}

fn findings_json(found: &[Finding]) -> serde_json::Value {
    found
        .iter()
        .map(|f| {
            json!({
                "kind": f.kind.as_str(),
                "box": [f.bbox.x.round() as i64, f.bbox.y.round() as i64,
                        f.bbox.w.round() as i64, f.bbox.h.round() as i64],
                "score": (f64::from(f.score) * 1000.0).round() / 1000.0,
            })
        })
        .collect()
}

/// The language of a request's messages: the one its `Accept-Language`
/// prefers among those phiscrub speaks, else the service's default (from
/// `--lang` or the environment).
fn request_lang(headers: &HeaderMap) -> Lang {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::from_accept_language)
        .unwrap_or_else(phiscrub::i18n::lang)
}

/// The answer to a scrub that did not give an image.
fn refusal(e: &ScrubError) -> (Response, &'static str) {
    match e {
        ScrubError::Refused(r) if matches!(r.reason, RefusalReason::Unsupported(_)) => (
            problem(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                json!({"status": "unsupported", "reason": e.reason_code(), "message": e.to_string()}),
            ),
            "unsupported",
        ),
        ScrubError::Refused(r) => (
            problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({
                    "status": "refused",
                    "reason": e.reason_code(),
                    "message": e.to_string(),
                    "findings": findings_json(&r.residual),
                }),
            ),
            "refused",
        ),
        ScrubError::Unreadable(_) => (
            problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({"status": "unreadable", "reason": e.reason_code(), "message": e.to_string()}),
            ),
            "unreadable",
        ),
        // An internal fault, or a kind of error newer than this service:
        // nothing was made safe, and the message says what happened.
        _ => (
            simple(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                &e.to_string(),
            ),
            "internal",
        ),
    }
}

/// Reads and drops a request body, up to `cap` bytes. An answer sent while
/// the client is still uploading reaches it as a broken connection, not as
/// the status that says why; bodies far over any limit are cut off anyway.
async fn drain(req: Request, cap: usize) {
    use http_body_util::BodyExt;
    let mut body = req.into_body();
    let mut seen = 0usize;
    while let Some(Ok(frame)) = body.frame().await {
        seen += frame.data_ref().map_or(0, |d| d.len());
        if seen > cap {
            break;
        }
    }
}

/// Reads the image (within the body time limit, holding no slot), then takes
/// a slot (or answers 503), and runs `work` on a blocking thread within what
/// is left of the request's time limit; `work` gets that deadline and stops
/// when it passes.
async fn with_image<T: Send + 'static>(
    st: &AppState,
    endpoint: &'static str,
    req: Request,
    work: impl FnOnce(&Scrubber, &[u8], Duration) -> T + Send + 'static,
) -> Result<T, Response> {
    let started = Instant::now();
    if let Err(r) = st.authorize(req.headers()) {
        let _ = tokio::time::timeout(st.body_timeout, drain(req, st.max_body)).await;
        st.metrics.record(endpoint, "unauthorized", None);
        return Err(r);
    }
    let body_limit = st.body_timeout.min(st.timeout);
    let body = match tokio::time::timeout(body_limit, image_body(req, st.max_body)).await {
        Ok(Ok(b)) => b,
        Ok(Err((r, outcome))) => {
            st.metrics.record(endpoint, outcome, None);
            return Err(r);
        }
        Err(_) => {
            st.metrics.record(endpoint, "timeout", None);
            return Err(simple(
                StatusCode::REQUEST_TIMEOUT,
                "timeout",
                "the request body did not arrive in time",
            ));
        }
    };
    // A full service answers at once rather than queueing.
    let Ok(permit) = st.slots.clone().try_acquire_owned() else {
        st.metrics.record(endpoint, "busy", None);
        let mut r = simple(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "all scrub slots are taken; retry shortly",
        );
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return Err(r);
    };
    let left = st.timeout.saturating_sub(started.elapsed());
    let scrubber = st.scrubber.clone();
    st.metrics.in_flight.fetch_add(1, Ordering::Relaxed);
    let job = tokio::task::spawn_blocking(move || {
        // The slot is held until the work itself ends, even when the
        // client has given up: the number of scrubs stays bounded. The
        // work stops at the time limit, so the slot is freed soon after.
        let _permit = permit;
        work(&scrubber, &body, left)
    });
    let out = tokio::time::timeout(left, job).await;
    st.metrics.in_flight.fetch_sub(1, Ordering::Relaxed);
    match out {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(_)) => {
            st.metrics
                .record(endpoint, "internal", Some(started.elapsed()));
            Err(simple(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the scrub stopped unexpectedly; nothing was kept; please report it",
            ))
        }
        Err(_) => {
            st.metrics
                .record(endpoint, "timeout", Some(started.elapsed()));
            let mut r = simple(
                StatusCode::SERVICE_UNAVAILABLE,
                "timeout",
                "the image took longer than the time limit; nothing is returned",
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            Err(r)
        }
    }
}

async fn scrub(State(st): State<Arc<AppState>>, req: Request) -> Response {
    let started = Instant::now();
    let lang = request_lang(req.headers());
    let work = move |s: &Scrubber, b: &[u8], limit| in_lang(lang, || s.scrub_within(b, limit));
    let result = match with_image(&st, "scrub", req, work).await {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    // Messages are rendered here, in the request's language.
    in_lang(lang, || match result {
        Ok(safe) => {
            st.metrics
                .record("scrub", "exported", Some(started.elapsed()));
            let mut counts = std::collections::BTreeMap::new();
            for f in &safe.findings {
                *counts.entry(f.kind.as_str()).or_insert(0usize) += 1;
            }
            let findings: Vec<String> = counts.iter().map(|(k, n)| format!("{k}={n}")).collect();
            let removed: Vec<&str> = safe.removed.iter().map(|c| c.as_str()).collect();
            let mut r = safe.bytes.into_response();
            let h = r.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(safe.format.mime()),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            for (name, value) in [
                ("x-phiscrub-findings", findings.join(",")),
                ("x-phiscrub-metadata-removed", removed.join(",")),
                ("x-phiscrub-lossless", safe.lossless.to_string()),
            ] {
                if let Ok(v) = HeaderValue::from_str(&value) {
                    h.insert(name, v);
                }
            }
            r
        }
        Err(e) => {
            let (resp, outcome) = refusal(&e);
            st.metrics.record("scrub", outcome, Some(started.elapsed()));
            resp
        }
    })
}

async fn check(State(st): State<Arc<AppState>>, req: Request) -> Response {
    let started = Instant::now();
    let lang = request_lang(req.headers());
    let work = move |s: &Scrubber, b: &[u8], limit| in_lang(lang, || s.check_within(b, limit));
    let result = match with_image(&st, "check", req, work).await {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    in_lang(lang, || check_answer(&st, result, started))
}

/// `/v1/check`'s answer to a finished check, messages in the current
/// language.
fn check_answer(st: &AppState, result: Result<Verdict, ScrubError>, started: Instant) -> Response {
    let body = match result {
        Ok(v) => json!({
            "would_leak": v.would_leak(),
            "status": "exported",
            "findings": findings_json(&v.findings),
            "metadata": v.metadata.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
            "width": v.width,
            "height": v.height,
        }),
        Err(ScrubError::Refused(r)) if !matches!(r.reason, RefusalReason::Unsupported(_)) => {
            let e = ScrubError::Refused(r.clone());
            json!({
                "would_leak": true,
                "status": "refused",
                "reason": e.reason_code(),
                "message": e.to_string(),
                "findings": findings_json(&r.residual),
            })
        }
        Err(e) => {
            let (resp, outcome) = refusal(&e);
            st.metrics.record("check", outcome, Some(started.elapsed()));
            return resp;
        }
    };
    st.metrics
        .record("check", "answered", Some(started.elapsed()));
    problem(StatusCode::OK, body)
}

async fn metrics(State(st): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    if let Err(r) = st.authorize(&headers) {
        return r;
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        st.metrics.render(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::same_secret;

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret(b"s3cret", b"s3cret"));
        assert!(!same_secret(b"s3cre", b"s3cret"));
        assert!(!same_secret(b"s3cret!", b"s3cret"));
        assert!(!same_secret(b"", b"s3cret"));
        assert!(!same_secret(b"x3cret", b"s3cret"));
        assert!(!same_secret(b"", b""), "an empty token never matches");
    }

    #[test]
    fn the_committed_openapi_document_is_json_and_names_every_route() {
        let v: serde_json::Value = serde_json::from_str(super::OPENAPI).expect("valid JSON");
        for p in [
            "/v1/scrub",
            "/v1/check",
            "/healthz",
            "/metrics",
            "/openapi.json",
        ] {
            assert!(
                v["paths"].get(p).is_some(),
                "{p} missing from api/openapi.json"
            );
        }
    }
}
