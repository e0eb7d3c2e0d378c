//! A running server per test, and small clients for its HTTP and WebSocket
//! sides.

use std::time::Duration;

use ferrochat_server::{Config, Server};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// The start of a 2x1 PNG: enough for the server to type it and read its size.
pub(crate) const PNG_2X1: [u8; 33] = [
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0,
    2, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0xf4, 0x78, 0xd4, 0xfa,
];

pub(crate) struct TestServer {
    pub(crate) server: Option<Server>,
    pub(crate) base: String,
    /// The seeded inbox's identifier.
    pub(crate) inbox: String,
    /// The seeded administrator's `api_access_token`.
    pub(crate) token: String,
    pub(crate) account_id: i64,
    pub(crate) http: reqwest::Client,
    pub(crate) dir: tempfile::TempDir,
}

impl TestServer {
    pub(crate) async fn start() -> TestServer {
        Self::start_with(|_| {}).await
    }

    pub(crate) async fn start_with(configure: impl FnOnce(&mut Config)) -> TestServer {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::for_data_dir(dir.path());
        configure(&mut config);
        let server = Server::start(config).await.expect("server starts");
        TestServer {
            base: server.base_url.clone(),
            inbox: server.seeded.inbox_identifier.clone(),
            token: server.seeded.access_token.clone(),
            account_id: server.seeded.account_id,
            server: Some(server),
            http: reqwest::Client::new(),
            dir,
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// `/public/api/v1/inboxes/{inbox}` + `path`.
    pub(crate) fn public(&self, path: &str) -> String {
        format!("{}/public/api/v1/inboxes/{}{}", self.base, self.inbox, path)
    }

    /// `/api/v1/accounts/{account}` + `path`.
    pub(crate) fn account(&self, path: &str) -> String {
        format!("{}/api/v1/accounts/{}{}", self.base, self.account_id, path)
    }

    /// GET, POST, PATCH… with a JSON body (or none); returns status and JSON
    /// (`Value::Null` for an empty body).
    pub(crate) async fn call(&self, method: &str, url: &str, body: Option<Value>) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self.http.request(method, url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        read(request.send().await.unwrap()).await
    }

    /// The same, as the seeded administrator (`api_access_token`).
    pub(crate) async fn agent(&self, method: &str, url: &str, body: Option<Value>) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self
            .http
            .request(method, url)
            .header("api_access_token", &self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        read(request.send().await.unwrap()).await
    }

    /// A new visitor: `(source_id, pubsub_token)`.
    pub(crate) async fn visitor(&self) -> (String, String) {
        let (status, contact) = self
            .call("POST", &self.public("/contacts"), Some(json!({})))
            .await;
        assert_eq!(status, 200, "{contact}");
        (
            contact["source_id"].as_str().unwrap().to_owned(),
            contact["pubsub_token"].as_str().unwrap().to_owned(),
        )
    }

    /// A new visitor with a conversation: `(source_id, pubsub_token, display id)`.
    pub(crate) async fn conversation(&self) -> (String, String, u64) {
        let (source_id, token) = self.visitor().await;
        let (status, conversation) = self
            .call(
                "POST",
                &self.public(&format!("/contacts/{source_id}/conversations")),
                Some(json!({})),
            )
            .await;
        assert_eq!(status, 200, "{conversation}");
        (source_id, token, conversation["id"].as_u64().unwrap())
    }

    /// Stops the server as a signal would.
    pub(crate) async fn stop(&mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await.unwrap();
        }
    }
}

pub(crate) async fn read(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"))
    };
    (status, body)
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// An ActionCable client.
pub(crate) struct Cable {
    socket: Socket,
}

impl Cable {
    /// Connects and reads the welcome.
    pub(crate) async fn connect(base: &str) -> Cable {
        let url = format!("{}/cable", base.replacen("http", "ws", 1));
        let mut request = url.into_client_request().unwrap();
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            "actioncable-v1-json".parse().unwrap(),
        );
        let (socket, response) = tokio_tungstenite::connect_async(request).await.unwrap();
        assert_eq!(
            response.headers()["sec-websocket-protocol"],
            "actioncable-v1-json"
        );
        let mut cable = Cable { socket };
        assert_eq!(cable.next().await, json!({"type": "welcome"}));
        cable
    }

    pub(crate) async fn send(&mut self, frame: Value) {
        self.send_text(frame.to_string()).await;
    }

    pub(crate) async fn send_text(&mut self, text: String) {
        self.socket
            .send(WsMessage::Text(text.into()))
            .await
            .unwrap();
    }

    /// The next frame that is not a ping, within 5 s.
    pub(crate) async fn next(&mut self) -> Value {
        loop {
            let frame = self.next_any().await;
            if frame["type"] != "ping" {
                return frame;
            }
        }
    }

    /// The next frame, pings included, within 5 s.
    pub(crate) async fn next_any(&mut self) -> Value {
        let message = tokio::time::timeout(Duration::from_secs(5), self.socket.next())
            .await
            .expect("a frame within 5 s")
            .expect("the socket is open")
            .unwrap();
        match message {
            WsMessage::Text(text) => serde_json::from_str(text.as_str()).unwrap(),
            other => panic!("unexpected frame {other:?}"),
        }
    }

    /// The next broadcast (`message`) frame, skipping pings, presence and
    /// subscription answers.
    pub(crate) async fn event(&mut self) -> Value {
        loop {
            let frame = self.next().await;
            if let Some(message) = frame.get("message")
                && message["event"] != "presence.update"
            {
                return message.clone();
            }
        }
    }

    /// The data of the next broadcast of event `name`, skipping others.
    pub(crate) async fn event_named(&mut self, name: &str) -> Value {
        loop {
            let event = self.event().await;
            if event["event"] == name {
                return event["data"].clone();
            }
        }
    }

    /// Nothing but pings for `wait`.
    pub(crate) async fn quiet(&mut self, wait: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.socket.next()).await {
                Err(_) => return None,
                Ok(Some(Ok(WsMessage::Text(text)))) => {
                    let frame: Value = serde_json::from_str(text.as_str()).unwrap();
                    if frame["type"] == "ping" || frame["message"]["event"] == "presence.update" {
                        continue;
                    }
                    return Some(frame);
                }
                Ok(other) => return Some(json!({"closed": format!("{other:?}")})),
            }
        }
    }

    /// Subscribes to RoomChannel with `token` and returns the identifier.
    pub(crate) async fn subscribe(&mut self, token: &str) -> String {
        let identifier = json!({"channel": "RoomChannel", "pubsub_token": token}).to_string();
        self.send(json!({"command": "subscribe", "identifier": identifier}))
            .await;
        let answer = self.next().await;
        assert_eq!(answer["type"], "confirm_subscription", "{answer}");
        assert_eq!(answer["identifier"], identifier);
        identifier
    }
}
