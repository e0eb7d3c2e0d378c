//! Webhooks and agent bots: the CRUD of both, and deliveries to a real
//! receiver on 127.0.0.1 that records every request.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::sync::mpsc;

use crate::support::TestServer;

/// One request the receiver got.
#[derive(Debug)]
struct Hook {
    headers: HeaderMap,
    body: Bytes,
    json: Value,
    /// What the receiver answered.
    answered: u16,
    at: Instant,
}

impl Hook {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .unwrap_or_else(|| panic!("no {name} header"))
            .to_str()
            .unwrap()
    }

    /// Checks `X-Chatwoot-Signature` against the body and timestamp.
    fn assert_signed_with(&self, key: &str) {
        let timestamp = self.header("x-chatwoot-timestamp");
        let seconds: u64 = timestamp.parse().unwrap();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        assert!(now.abs_diff(seconds) < 60, "timestamp {seconds}, now {now}");
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key.as_bytes()).unwrap();
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(&self.body);
        let expected: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        assert_eq!(
            self.header("x-chatwoot-signature"),
            format!("sha256={expected}")
        );
        assert!(
            self.header("content-type").starts_with("application/json"),
            "{:?}",
            self.headers
        );
    }
}

struct Behaviour {
    sender: mpsc::UnboundedSender<Hook>,
    count: AtomicUsize,
    /// Answers 500 to this many first requests, 200 after.
    fail_first: usize,
    /// Waits this long before answering.
    delay: Duration,
}

/// A webhook receiver on 127.0.0.1.
struct Receiver {
    url: String,
    hooks: mpsc::UnboundedReceiver<Hook>,
}

impl Receiver {
    async fn start(fail_first: usize, delay: Duration) -> Receiver {
        let (sender, hooks) = mpsc::unbounded_channel();
        let behaviour = Arc::new(Behaviour {
            sender,
            count: AtomicUsize::new(0),
            fail_first,
            delay,
        });
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(behaviour);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { url, hooks }
    }

    /// The next request, within 10 s.
    async fn next(&mut self) -> Hook {
        tokio::time::timeout(Duration::from_secs(10), self.hooks.recv())
            .await
            .expect("a delivery within 10 s")
            .expect("the receiver runs")
    }

    /// Requests until one matches; returns the ones before it and it.
    async fn until(&mut self, wanted: impl Fn(&Value) -> bool) -> (Vec<Hook>, Hook) {
        let mut before = Vec::new();
        loop {
            let hook = self.next().await;
            if wanted(&hook.json) {
                return (before, hook);
            }
            before.push(hook);
        }
    }
}

async fn receive(
    State(behaviour): State<Arc<Behaviour>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let n = behaviour.count.fetch_add(1, Ordering::SeqCst);
    let status = if n < behaviour.fail_first {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    };
    let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let _ = behaviour.sender.send(Hook {
        headers,
        body,
        json,
        answered: status.as_u16(),
        at: Instant::now(),
    });
    tokio::time::sleep(behaviour.delay).await;
    status
}

fn seeded_inbox_id(server: &TestServer) -> i64 {
    server.server.as_ref().unwrap().seeded.inbox_id
}

/// Creates a webhook; returns its id and secret.
async fn webhook(server: &TestServer, url: &str, subscriptions: Value) -> (i64, String) {
    let (status, body) = server
        .agent(
            "POST",
            &server.account("/webhooks"),
            Some(json!({"url": url, "subscriptions": subscriptions})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let webhook = &body["payload"]["webhook"];
    (
        webhook["id"].as_i64().unwrap(),
        webhook["secret"].as_str().unwrap().to_owned(),
    )
}

/// A visitor's message through the public API.
async fn visitor_says(server: &TestServer, source_id: &str, id: u64, content: &str) -> Duration {
    let started = Instant::now();
    let (status, message) = server
        .call(
            "POST",
            &server.public(&format!(
                "/contacts/{source_id}/conversations/{id}/messages"
            )),
            Some(json!({"content": content})),
        )
        .await;
    assert_eq!(status, 200, "{message}");
    started.elapsed()
}

#[tokio::test]
async fn webhook_crud_round_trip_and_rules() {
    let server = TestServer::start().await;
    let collection = server.account("/webhooks");
    let inbox_id = seeded_inbox_id(&server);

    let (status, body) = server.agent("GET", &collection, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"payload": {"webhooks": []}}));

    let (status, created) = server
        .agent(
            "POST",
            &collection,
            Some(json!({
                "name": "CRM",
                "url": "https://crm.example.com/chatwoot",
                "subscriptions": ["message_created", "conversation_typing_on", "message_created"],
            })),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    let webhook = created["payload"]["webhook"].clone();
    let id = webhook["id"].as_i64().unwrap();
    assert_eq!(webhook["name"], "CRM");
    assert_eq!(webhook["url"], "https://crm.example.com/chatwoot");
    assert_eq!(webhook["account_id"], server.account_id);
    assert_eq!(
        webhook["subscriptions"],
        json!(["message_created", "conversation_typing_on"])
    );
    let secret = webhook["secret"].as_str().unwrap().to_owned();
    assert_eq!(secret.len(), 48);
    assert!(webhook.get("inbox").is_none(), "{webhook}");

    let (status, listed) = server.agent("GET", &collection, None).await;
    assert_eq!(status, 200);
    assert_eq!(listed["payload"]["webhooks"], json!([webhook]));

    // Chatwoot's clients wrap the fields; a missing `subscriptions` on
    // create means Chatwoot's default list.
    let (status, wrapped) = server
        .agent(
            "POST",
            &collection,
            Some(json!({"webhook": {"url": "http://other.example.com/"}})),
        )
        .await;
    assert_eq!(status, 200, "{wrapped}");
    let subscriptions = wrapped["payload"]["webhook"]["subscriptions"]
        .as_array()
        .unwrap()
        .clone();
    assert!(subscriptions.contains(&json!("message_created")));
    assert!(subscriptions.contains(&json!("conversation_created")));
    assert_ne!(wrapped["payload"]["webhook"]["secret"], json!(secret));
    let other_id = wrapped["payload"]["webhook"]["id"].as_i64().unwrap();

    let member = server.account(&format!("/webhooks/{id}"));
    let (status, updated) = server
        .agent(
            "PATCH",
            &member,
            Some(json!({"webhook": {"subscriptions": ["conversation_created"], "inbox_id": inbox_id}})),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    let updated = &updated["payload"]["webhook"];
    assert_eq!(updated["subscriptions"], json!(["conversation_created"]));
    assert_eq!(updated["url"], "https://crm.example.com/chatwoot");
    assert_eq!(updated["name"], "CRM");
    assert_eq!(updated["secret"], json!(secret));
    assert_eq!(updated["inbox"]["id"], inbox_id);
    assert_eq!(updated["inbox"]["name"], "Website");

    // Validation: 422 in Chatwoot's shape, naming the attribute.
    for (body, attribute) in [
        (
            json!({"url": "https://a.example.com", "subscriptions": ["message_exploded"]}),
            "subscriptions",
        ),
        (
            json!({"url": "https://a.example.com", "subscriptions": []}),
            "subscriptions",
        ),
        (
            json!({"url": "https://a.example.com", "subscriptions": "message_created"}),
            "subscriptions",
        ),
        (
            json!({"url": "ftp://a.example.com/hook", "subscriptions": ["message_created"]}),
            "url",
        ),
        (
            json!({"url": "javascript:alert(1)", "subscriptions": ["message_created"]}),
            "url",
        ),
        (
            json!({"url": "mailto:a@example.com", "subscriptions": ["message_created"]}),
            "url",
        ),
        (
            json!({"url": "https://a.example.com/\thook", "subscriptions": ["message_created"]}),
            "url",
        ),
        (json!({"subscriptions": ["message_created"]}), "url"),
        (json!({"url": "https://crm.example.com/chatwoot"}), "url"),
        (
            json!({"url": "https://a.example.com", "inbox_id": 999_999}),
            "inbox_id",
        ),
    ] {
        let (status, error) = server.agent("POST", &collection, Some(body.clone())).await;
        assert_eq!(status, 422, "{body} → {error}");
        assert_eq!(error["attributes"], json!([attribute]), "{body} → {error}");
        assert!(error["message"].is_string(), "{error}");
    }
    let (status, error) = server
        .agent("PATCH", &member, Some(json!({"url": "tel:+15551234"})))
        .await;
    assert_eq!(status, 422, "{error}");

    // Wrong, missing or foreign credentials.
    for token in ["not-a-token", ""] {
        let response = server
            .http
            .get(&collection)
            .header("api_access_token", token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
    }
    let response = server.http.get(&collection).send().await.unwrap();
    assert_eq!(response.status(), 401);
    let (status, _) = server
        .agent("GET", &server.url("/api/v1/accounts/999/webhooks"), None)
        .await;
    assert_eq!(status, 401);
    let response = server
        .http
        .delete(&member)
        .header("api_access_token", "wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);

    let (status, body) = server.agent("DELETE", &member, None).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = server.agent("DELETE", &member, None).await;
    assert_eq!(status, 404);
    let (status, _) = server
        .agent("PATCH", &member, Some(json!({"name": "gone"})))
        .await;
    assert_eq!(status, 404);
    let (_, listed) = server.agent("GET", &collection, None).await;
    let ids: Vec<i64> = listed["payload"]["webhooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|webhook| webhook["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![other_id]);
}

#[tokio::test]
async fn visitor_message_is_delivered_signed_and_retried() {
    let server = TestServer::start().await;
    let mut receiver = Receiver::start(1, Duration::ZERO).await;
    let (_, secret) = webhook(&server, &receiver.url, json!(["message_created"])).await;
    let (source_id, _, display_id) = server.conversation().await;
    visitor_says(&server, &source_id, display_id, "Hello, **hooks**").await;

    let first = receiver.next().await;
    assert_eq!(first.answered, 500);
    let second = receiver.next().await;
    assert_eq!(second.answered, 200);
    assert!(
        second.at.duration_since(first.at) >= Duration::from_millis(900),
        "the retry waits about a second"
    );
    for hook in [&first, &second] {
        hook.assert_signed_with(&secret);
    }
    let delivery = first.header("x-chatwoot-delivery");
    assert_eq!(delivery.len(), 36);
    assert_eq!(second.header("x-chatwoot-delivery"), delivery);
    assert_eq!(first.body, second.body);

    let payload = &second.json;
    assert_eq!(payload["event"], "message_created");
    assert_eq!(payload["content"], "Hello, **hooks**");
    assert_eq!(payload["message_type"], "incoming");
    assert_eq!(payload["content_type"], "text");
    assert_eq!(payload["private"], false);
    assert!(payload["id"].is_i64());
    let created_at = payload["created_at"].as_str().unwrap();
    assert!(
        created_at.ends_with('Z') && created_at.contains('T'),
        "{created_at}"
    );
    assert_eq!(payload["sender"]["type"], "contact");
    assert_eq!(payload["contact"]["type"], "contact");
    assert_eq!(payload["sender"]["id"], payload["contact"]["id"]);
    assert_eq!(payload["account"]["id"], server.account_id);
    assert_eq!(payload["account"]["name"], "ferrochat");
    assert_eq!(payload["inbox"]["id"], seeded_inbox_id(&server));
    assert_eq!(payload["inbox"]["name"], "Website");
    let conversation = &payload["conversation"];
    assert_eq!(conversation["id"], display_id);
    assert_eq!(conversation["status"], "open");
    assert_eq!(conversation["meta"]["sender"]["type"], "contact");
    assert_eq!(
        conversation["contact_inbox"]["source_id"],
        source_id.as_str()
    );
    assert!(
        conversation["contact_inbox"].get("pubsub_token").is_none(),
        "the visitor's realtime credential stays on the server"
    );

    // Accepted deliveries are not sent again.
    visitor_says(&server, &source_id, display_id, "again").await;
    let third = receiver.next().await;
    assert_eq!(third.json["content"], "again");
    assert_ne!(third.header("x-chatwoot-delivery"), delivery);
}

#[tokio::test]
async fn conversation_created_is_delivered() {
    let server = TestServer::start().await;
    let mut receiver = Receiver::start(0, Duration::ZERO).await;
    let (id, secret) = webhook(&server, &receiver.url, json!(["conversation_created"])).await;
    // Scoped to the seeded inbox, it still hears that inbox's events.
    let (status, body) = server
        .agent(
            "PATCH",
            &server.account(&format!("/webhooks/{id}")),
            Some(json!({"inbox_id": seeded_inbox_id(&server)})),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    let (source_id, _, display_id) = server.conversation().await;
    let hook = receiver.next().await;
    hook.assert_signed_with(&secret);
    let payload = &hook.json;
    assert_eq!(payload["event"], "conversation_created");
    assert_eq!(payload["id"], display_id);
    assert_eq!(payload["inbox_id"], seeded_inbox_id(&server));
    assert_eq!(payload["status"], "open");
    assert_eq!(payload["meta"]["sender"]["type"], "contact");
    assert_eq!(payload["contact_inbox"]["source_id"], source_id.as_str());
    assert!(payload["contact_inbox"].get("pubsub_token").is_none());

    // Not subscribed to message_created: the next delivery is the next
    // conversation, not the message in between.
    visitor_says(&server, &source_id, display_id, "not for this webhook").await;
    let (_, _, second_id) = server.conversation().await;
    let hook = receiver.next().await;
    assert_eq!(hook.json["event"], "conversation_created");
    assert_eq!(hook.json["id"], second_id);
}

#[tokio::test]
async fn agent_bot_crud_round_trip() {
    let server = TestServer::start().await;
    let collection = server.account("/agent_bots");
    let (status, bot) = server
        .agent(
            "POST",
            &collection,
            Some(json!({
                "name": "Helper",
                "description": "Answers first",
                "outgoing_url": "https://bot.example.com/in",
            })),
        )
        .await;
    assert_eq!(status, 200, "{bot}");
    let id = bot["id"].as_i64().unwrap();
    assert_eq!(bot["name"], "Helper");
    assert_eq!(bot["description"], "Answers first");
    assert_eq!(bot["outgoing_url"], "https://bot.example.com/in");
    assert_eq!(bot["account_id"], server.account_id);
    let token = bot["access_token"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 48);

    let (status, listed) = server.agent("GET", &collection, None).await;
    assert_eq!(status, 200);
    assert_eq!(listed, json!([bot]));
    let member = server.account(&format!("/agent_bots/{id}"));
    let (status, shown) = server.agent("GET", &member, None).await;
    assert_eq!(status, 200);
    assert_eq!(shown, bot);

    let (status, updated) = server
        .agent(
            "PATCH",
            &member,
            Some(json!({"agent_bot": {"name": "Helper 2", "outgoing_url": null}})),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["name"], "Helper 2");
    assert_eq!(updated["description"], "Answers first");
    assert_eq!(updated["outgoing_url"], Value::Null);
    assert_eq!(updated["access_token"], token.as_str());

    for body in [
        json!({"name": ""}),
        json!({"description": "no name"}),
        json!({"name": "x", "outgoing_url": "javascript:alert(1)"}),
        json!({"name": "x", "outgoing_url": "ftp://bot.example.com"}),
        json!({"name": 7}),
    ] {
        let (status, error) = server.agent("POST", &collection, Some(body.clone())).await;
        assert_eq!(status, 422, "{body} → {error}");
    }

    // The bot's token authenticates it, but bots do not manage bots or
    // webhooks.
    for url in [&collection, &server.account("/webhooks")] {
        let response = server
            .http
            .get(url.as_str())
            .header("api_access_token", &token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{url}");
    }
    let response = server
        .http
        .get(&collection)
        .header("api_access_token", "nope")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let (status, _) = server
        .agent("GET", &server.url("/api/v1/accounts/999/agent_bots"), None)
        .await;
    assert_eq!(status, 401);

    // Deleting a bot takes it off its inboxes.
    let inbox_id = seeded_inbox_id(&server);
    let (status, body) = server
        .agent(
            "POST",
            &server.account(&format!("/inboxes/{inbox_id}/set_agent_bot")),
            Some(json!({"agent_bot": id})),
        )
        .await;
    assert!(status == 200 || status == 204, "{status} {body}");
    let (status, _) = server.agent("DELETE", &member, None).await;
    assert_eq!(status, 200);
    let (status, _) = server.agent("GET", &member, None).await;
    assert_eq!(status, 404);
    let (status, _) = server.agent("DELETE", &member, None).await;
    assert_eq!(status, 404);
    let (status, listed) = server.agent("GET", &collection, None).await;
    assert_eq!(status, 200);
    assert_eq!(listed, json!([]));
    let (_, _, display_id) = server.conversation().await;
    let (status, conversation) = server
        .agent(
            "GET",
            &server.account(&format!("/conversations/{display_id}")),
            None,
        )
        .await;
    assert_eq!(status, 200, "{conversation}");
    assert_eq!(conversation["status"], "open", "no bot, so not pending");
}

#[tokio::test]
async fn agent_bot_hears_visitor_messages_but_not_private_notes() {
    let server = TestServer::start().await;
    let mut receiver = Receiver::start(0, Duration::ZERO).await;
    let (status, bot) = server
        .agent(
            "POST",
            &server.account("/agent_bots"),
            Some(json!({"name": "Greeter", "outgoing_url": receiver.url})),
        )
        .await;
    assert_eq!(status, 200, "{bot}");
    let token = bot["access_token"].as_str().unwrap().to_owned();
    let inbox_id = seeded_inbox_id(&server);
    let (status, body) = server
        .agent(
            "POST",
            &server.account(&format!("/inboxes/{inbox_id}/set_agent_bot")),
            Some(json!({"agent_bot": bot["id"]})),
        )
        .await;
    assert!(status == 200 || status == 204, "{status} {body}");

    let (source_id, _, display_id) = server.conversation().await;
    visitor_says(&server, &source_id, display_id, "hi bot").await;
    let (before, hook) = receiver
        .until(|payload| payload["event"] == "message_created" && payload["content"] == "hi bot")
        .await;
    hook.assert_signed_with(&token);
    assert_eq!(hook.json["message_type"], "incoming");
    assert_eq!(hook.json["sender"]["type"], "contact");
    assert_eq!(hook.json["conversation"]["id"], display_id);
    assert_eq!(hook.json["conversation"]["status"], "pending");
    // The conversation's creation came first (or right beside it).
    let created = before
        .iter()
        .any(|hook| hook.json["event"] == "conversation_created");
    if !created {
        let (_, hook) = receiver
            .until(|payload| payload["event"] == "conversation_created")
            .await;
        assert_eq!(hook.json["id"], display_id);
    }

    // An agent's private note never reaches the bot; the visitor's next
    // message does.
    let messages = server.account(&format!("/conversations/{display_id}/messages"));
    let (status, note) = server
        .agent(
            "POST",
            &messages,
            Some(json!({"content": "internal only", "private": true})),
        )
        .await;
    assert_eq!(status, 200, "{note}");
    visitor_says(&server, &source_id, display_id, "still there?").await;
    let (between, hook) = receiver
        .until(|payload| payload["content"] == "still there?")
        .await;
    hook.assert_signed_with(&token);
    for hook in &between {
        assert_ne!(hook.json["content"], "internal only", "{}", hook.json);
        assert_ne!(hook.json["private"], true, "{}", hook.json);
    }

    // The bot answers with its token through the application API, and
    // hears its own outgoing message as Chatwoot's bots do.
    let response = server
        .http
        .post(&messages)
        .header("api_access_token", &token)
        .json(&json!({"content": "How can I help?"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let (_, hook) = receiver
        .until(|payload| payload["content"] == "How can I help?")
        .await;
    assert_eq!(hook.json["message_type"], "outgoing");
    assert_eq!(hook.json["sender"]["type"], "agent_bot");
    assert_eq!(hook.json["sender"]["id"], bot["id"]);
}

#[tokio::test]
async fn slow_receiver_does_not_slow_requests() {
    let server = TestServer::start().await;
    let mut receiver = Receiver::start(0, Duration::from_secs(3)).await;
    webhook(&server, &receiver.url, json!(["message_created"])).await;
    let (source_id, _, display_id) = server.conversation().await;

    let took = visitor_says(&server, &source_id, display_id, "one").await;
    assert!(
        took < Duration::from_millis(800),
        "the request took {took:?}"
    );
    let first = receiver.next().await;
    assert_eq!(first.json["content"], "one");

    // The first delivery is still waiting for its answer; the next one
    // does not queue behind it.
    let took = visitor_says(&server, &source_id, display_id, "two").await;
    assert!(
        took < Duration::from_millis(800),
        "the request took {took:?}"
    );
    let second = receiver.next().await;
    assert_eq!(second.json["content"], "two");
    assert!(
        second.at.duration_since(first.at) < Duration::from_secs(2),
        "deliveries run side by side"
    );
}
