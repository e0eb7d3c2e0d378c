//! `cargo xtask bench server`: a bounded load generator against the real
//! server binary over loopback. Not a test: it prints figures.
//!
//! 1. Creates: 64 visitors post messages through the public API as fast as
//!    the server answers, for a fixed time; throughput and latency.
//! 2. Delivery: 1,000 visitors, each subscribed to `/cable`; messages are
//!    posted into their conversations at a steady rate and the time from the
//!    POST to the `message.created` frame is measured.
//! 3. Fan-out: 1,000 agent sockets on one account; each message reaches all.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const VISITORS: usize = 64;
const CREATE_SECONDS: u64 = 10;
const CREATE_MAX_REQUESTS: usize = 200_000;
const SOCKETS: usize = 1_000;
const DELIVERY_RATE: u64 = 500;
const DELIVERY_SECONDS: u64 = 6;
const FANOUT_MESSAGES: usize = 60;
const FANOUT_RATE: u64 = 20;

struct Running {
    child: Child,
    base: String,
    inbox: String,
    token: String,
    _dir: tempfile::TempDir,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server() -> Running {
    let binary = std::env::var("FERROCHAT_SERVER_BIN")
        .unwrap_or_else(|_| "target/release/ferrochat-server".to_owned());
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(&binary)
        .args(["--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start {binary}: {error}"));
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let (mut addr, mut inbox, mut token) = (None, None, None);
    while addr.is_none() || inbox.is_none() || token.is_none() {
        let line = lines.next().expect("the banner").unwrap();
        if let Some(rest) = line.strip_prefix("ferrochat-server listening on ") {
            addr = Some(rest.trim().to_owned());
        } else if let Some(rest) = line.strip_prefix("inbox identifier: ") {
            inbox = Some(rest.trim().to_owned());
        } else if let Some(rest) = line.strip_prefix("api_access_token: ") {
            token = Some(rest.trim().to_owned());
        }
    }
    std::thread::spawn(move || for _ in lines {});
    Running {
        child,
        base: format!("http://{}", addr.unwrap()),
        inbox: inbox.unwrap(),
        token: token.unwrap(),
        _dir: dir,
    }
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn report(name: &str, mut micros: Vec<u64>, elapsed: Duration, unit: &str) {
    micros.sort_unstable();
    let ms = |v: u64| v as f64 / 1000.0;
    println!(
        "{name}: {count} {unit} in {secs:.1} s = {rate:.0}/s; latency p50 {p50:.2} ms, p99 {p99:.2} ms, p99.9 {p999:.2} ms, max {max:.2} ms",
        count = micros.len(),
        secs = elapsed.as_secs_f64(),
        rate = micros.len() as f64 / elapsed.as_secs_f64(),
        p50 = ms(percentile(&micros, 50.0)),
        p99 = ms(percentile(&micros, 99.0)),
        p999 = ms(percentile(&micros, 99.9)),
        max = ms(micros.last().copied().unwrap_or(0)),
    );
}

async fn post(http: &reqwest::Client, url: &str, body: Value) -> Value {
    let response = http.post(url).json(&body).send().await.unwrap();
    assert!(
        response.status().is_success(),
        "{url}: {}",
        response.status()
    );
    response.json().await.unwrap()
}

/// A visitor with a conversation: (messages URL, pubsub token).
async fn visitor(http: &reqwest::Client, server: &Running) -> (String, String) {
    let base = format!("{}/public/api/v1/inboxes/{}", server.base, server.inbox);
    let contact = post(http, &format!("{base}/contacts"), json!({})).await;
    let source = contact["source_id"].as_str().unwrap();
    let conversation = post(
        http,
        &format!("{base}/contacts/{source}/conversations"),
        json!({}),
    )
    .await;
    (
        format!(
            "{base}/contacts/{source}/conversations/{}/messages",
            conversation["id"]
        ),
        contact["pubsub_token"].as_str().unwrap().to_owned(),
    )
}

async fn creates(server: &Running) {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(VISITORS)
        .build()
        .unwrap();
    let mut urls = Vec::new();
    for _ in 0..VISITORS {
        urls.push(visitor(&http, server).await.0);
    }
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(CREATE_MAX_REQUESTS)));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(CREATE_SECONDS);
    let budget = Arc::new(std::sync::atomic::AtomicUsize::new(CREATE_MAX_REQUESTS));
    let mut tasks = Vec::new();
    for url in urls {
        let http = http.clone();
        let latencies = latencies.clone();
        let budget = budget.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            let mut n = 0u64;
            while Instant::now() < deadline
                && budget.fetch_sub(1, std::sync::atomic::Ordering::Relaxed) > 0
            {
                n += 1;
                let sent = Instant::now();
                let response = http
                    .post(&url)
                    .json(&json!({"content": format!("load message {n}"), "echo_id": format!("e{n}")}))
                    .send()
                    .await
                    .unwrap();
                assert!(response.status().is_success());
                let _ = response.bytes().await.unwrap();
                mine.push(sent.elapsed().as_micros() as u64);
            }
            latencies.lock().await.extend(mine);
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let elapsed = started.elapsed();
    let latencies = std::mem::take(&mut *latencies.lock().await);
    report(
        &format!("creates ({VISITORS} concurrent visitors)"),
        latencies,
        elapsed,
        "messages",
    );
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn socket(base: &str, identifier: &str) -> Socket {
    let url = format!("{}/cable", base.replacen("http", "ws", 1));
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "actioncable-v1-json".parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    socket
        .send(WsMessage::Text(
            json!({"command": "subscribe", "identifier": identifier})
                .to_string()
                .into(),
        ))
        .await
        .unwrap();
    loop {
        let frame = socket.next().await.unwrap().unwrap();
        if let WsMessage::Text(text) = frame
            && text.as_str().contains("confirm_subscription")
        {
            return socket;
        }
    }
}

/// Reads `message.created` frames whose content is `t<micros>` and records
/// now − micros.
fn listen(mut socket: Socket, clock: Instant, sink: tokio::sync::mpsc::UnboundedSender<u64>) {
    tokio::spawn(async move {
        while let Some(Ok(frame)) = socket.next().await {
            let WsMessage::Text(text) = frame else {
                continue;
            };
            let text = text.as_str();
            if !text.contains("message.created") {
                continue;
            }
            let value: Value = serde_json::from_str(text).unwrap();
            if let Some(sent) = value["message"]["data"]["content"]
                .as_str()
                .and_then(|content| content.strip_prefix('t'))
                .and_then(|micros| micros.parse::<u64>().ok())
            {
                let now = clock.elapsed().as_micros() as u64;
                if sink.send(now.saturating_sub(sent)).is_err() {
                    break;
                }
            }
        }
    });
}

async fn delivery(server: &Running) {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .unwrap();
    let clock = Instant::now();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut urls = Vec::new();
    for _ in 0..SOCKETS {
        let (url, token) = visitor(&http, server).await;
        let identifier = json!({"channel": "RoomChannel", "pubsub_token": token}).to_string();
        listen(socket(&server.base, &identifier).await, clock, tx.clone());
        urls.push(url);
    }
    let total = (DELIVERY_RATE * DELIVERY_SECONDS) as usize;
    let interval = Duration::from_micros(1_000_000 / DELIVERY_RATE);
    let started = Instant::now();
    let mut ticker = tokio::time::interval(interval);
    let mut posts = Vec::new();
    for n in 0..total {
        ticker.tick().await;
        let http = http.clone();
        let url = urls[n % urls.len()].clone();
        posts.push(tokio::spawn(async move {
            let sent = clock.elapsed().as_micros() as u64;
            let _ = post(&http, &url, json!({"content": format!("t{sent}")})).await;
        }));
    }
    for post in posts {
        post.await.unwrap();
    }
    let mut latencies = Vec::with_capacity(total);
    while latencies.len() < total {
        match tokio::time::timeout(Duration::from_secs(5), rx.recv()).await {
            Ok(Some(latency)) => latencies.push(latency),
            _ => break,
        }
    }
    let lost = total - latencies.len();
    report(
        &format!("delivery ({SOCKETS} visitor sockets, {DELIVERY_RATE} messages/s)"),
        latencies,
        started.elapsed(),
        "deliveries",
    );
    println!("  lost: {lost}");
}

async fn fanout(server: &Running) {
    let http = reqwest::Client::new();
    let profile: Value = http
        .get(format!("{}/api/v1/profile", server.base))
        .header("api_access_token", &server.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let Some(token) = profile["pubsub_token"].as_str() else {
        println!("fan-out: skipped, the profile has no pubsub_token");
        return;
    };
    let identifier = json!({"channel": "RoomChannel", "pubsub_token": token, "account_id": profile["account_id"], "user_id": profile["id"]}).to_string();
    let clock = Instant::now();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    for _ in 0..SOCKETS {
        listen(socket(&server.base, &identifier).await, clock, tx.clone());
    }
    let (url, _) = visitor(&http, server).await;
    let started = Instant::now();
    let mut ticker = tokio::time::interval(Duration::from_micros(1_000_000 / FANOUT_RATE));
    for _ in 0..FANOUT_MESSAGES {
        ticker.tick().await;
        let sent = clock.elapsed().as_micros() as u64;
        post(&http, &url, json!({"content": format!("t{sent}")})).await;
    }
    let total = FANOUT_MESSAGES * SOCKETS;
    let mut latencies = Vec::with_capacity(total);
    while latencies.len() < total {
        match tokio::time::timeout(Duration::from_secs(5), rx.recv()).await {
            Ok(Some(latency)) => latencies.push(latency),
            _ => break,
        }
    }
    let lost = total - latencies.len();
    report(
        &format!("fan-out ({SOCKETS} agent sockets on one account, {FANOUT_RATE} messages/s)"),
        latencies,
        started.elapsed(),
        "deliveries",
    );
    println!("  lost: {lost}");
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is read.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let server = start_server();
        println!(
            "server: {} (release build, SQLite in a temporary folder)",
            server.base
        );
        // FERROCHAT_BENCH=creates (or delivery, fanout) runs one part.
        let only = std::env::var("FERROCHAT_BENCH").unwrap_or_default();
        let wanted = |part: &str| only.is_empty() || only.split(',').any(|one| one == part);
        if wanted("creates") {
            creates(&server).await;
        }
        if wanted("delivery") {
            delivery(&server).await;
        }
        if wanted("fanout") {
            fanout(&server).await;
        }
    });
}
