//! Webex Connect's chats API (`/v3.1/chats`, `/v3.0/chats/search`): the
//! envelope and its codes, chats made by either API, paging, every search
//! operator, and quick replies round-tripped between the imi side and the
//! widget's public API.

use serde_json::{Value, json};

use crate::support::{Cable, TestServer, read};

/// An imi call with the seeded administrator's token for team `team`.
async fn imi(
    server: &TestServer,
    team: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = server
        .http
        .request(method, server.url(path))
        .header("Authorization", format!("Bearer {}", server.token))
        .header("teamid", team);
    if let Some(body) = body {
        request = request.json(&body);
    }
    read(request.send().await.unwrap()).await
}

/// Posts one imi message for chat `chat_id`.
async fn post_message(
    server: &TestServer,
    team: &str,
    chat_id: &str,
    message: Value,
) -> (u16, Value) {
    let path = format!("/v3.1/chats/{chat_id}/messages");
    imi(server, team, "POST", &path, Some(message)).await
}

/// Chat `chat_id` with its messages.
async fn show(server: &TestServer, team: &str, chat_id: &str) -> (u16, Value) {
    imi(server, team, "GET", &format!("/v3.1/chats/{chat_id}"), None).await
}

/// A visitor of the widget with a conversation: `(source_id,
/// pubsub_token, display id, the conversation's public path, its chat id)`.
async fn widget_chat(server: &TestServer) -> (String, String, u64, String, String) {
    let (source_id, pubsub_token, display_id) = server.conversation().await;
    let path = format!("/contacts/{source_id}/conversations/{display_id}");
    let (_, conversation) = server.call("GET", &server.public(&path), None).await;
    let chat_id = conversation["uuid"].as_str().unwrap().to_owned();
    (source_id, pubsub_token, display_id, path, chat_id)
}

/// The agent API's view of the conversation behind chat `chat_id`.
async fn conversation_of(server: &TestServer, chat_id: &str) -> Value {
    let (_, all) = server
        .agent("GET", &server.account("/conversations?status=all"), None)
        .await;
    all["data"]["payload"]
        .as_array()
        .unwrap()
        .iter()
        .find(|conversation| conversation["uuid"] == chat_id)
        .unwrap()
        .clone()
}

/// A team of the seeded account: its id, as the `teamid` header says it.
async fn team(server: &TestServer) -> String {
    let (status, team) = server
        .agent(
            "POST",
            &server.account("/teams"),
            Some(json!({"name": "Support"})),
        )
        .await;
    assert_eq!(status, 200, "{team}");
    team["id"].as_i64().unwrap().to_string()
}

/// The seeded inbox's id: a livechat chat's asset.
async fn inbox_id(server: &TestServer) -> i64 {
    let (_, inboxes) = server.agent("GET", &server.account("/inboxes"), None).await;
    inboxes["payload"]
        .as_array()
        .unwrap()
        .iter()
        .find(|inbox| inbox["inbox_identifier"] == server.inbox.as_str())
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

fn chat_request(asset: i64, destination: &str) -> Value {
    json!({
        "channel": "livechat",
        "asset": {"id": asset},
        "customer": {"destination_id": destination, "name": "Lin Wei"},
        "alias_id": format!("ext-{destination}"),
        "route_params": {"intent": "billing", "group": "emea"},
        "other_details": {"order": "A-17"},
        "tag": ["vip"],
        "messages": [
            {"type": "inbound", "livechat_sub_type": "text", "text": "My invoice is wrong"}
        ]
    })
}

fn assert_envelope(status: u16, body: &Value, http: u16, code: u64) {
    assert_eq!(status, http, "{body}");
    assert_eq!(body["status_code"], code, "{body}");
    assert!(
        body["description"]
            .as_str()
            .is_some_and(|text| !text.is_empty()),
        "{body}"
    );
}

#[tokio::test]
async fn headers_methods_and_unknown_chats_get_the_seeds_codes() {
    let server = TestServer::start().await;
    let team = team(&server).await;

    // No headers, no team, no token.
    let (status, body) = server.call("GET", &server.url("/v3.1/chats"), None).await;
    assert_envelope(status, &body, 400, 2002);
    assert_eq!(body["response"], Value::Null);
    let (status, body) = read(
        server
            .http
            .get(server.url("/v3.1/chats"))
            .header("Authorization", &server.token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_envelope(status, &body, 400, 2002);
    let (status, body) = read(
        server
            .http
            .get(server.url("/v3.1/chats"))
            .header("Authorization", "not-a-token")
            .header("teamid", &team)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_envelope(status, &body, 400, 2003);
    for unknown in ["999999", "support"] {
        let (status, body) = imi(&server, unknown, "GET", "/v3.1/chats", None).await;
        assert_envelope(status, &body, 404, 2010);
    }

    // The right headers.
    let (status, body) = imi(&server, &team, "GET", "/v3.1/chats", None).await;
    assert_envelope(status, &body, 200, 4305);
    assert_eq!(body["response"], json!([]));

    for (method, path) in [
        ("DELETE", "/v3.1/chats"),
        ("PUT", "/v3.1/chats/abc"),
        ("GET", "/v3.0/chats/search"),
        ("GET", "/v3.1/chats/abc/messages"),
    ] {
        let (status, body) = imi(&server, &team, method, path, None).await;
        assert_envelope(status, &body, 405, 2099);
    }
    let (status, body) = imi(&server, &team, "GET", "/v3.1/chats/no-such-chat", None).await;
    assert_envelope(status, &body, 404, 2031);
    let (status, body) = imi(
        &server,
        &team,
        "POST",
        "/v3.1/chats/no-such-chat/messages",
        Some(json!({"type": "outbound", "text": "Hi"})),
    )
    .await;
    assert_envelope(status, &body, 404, 2031);
    // A page that is not a number.
    let (status, body) = imi(&server, &team, "GET", "/v3.1/chats?page=two", None).await;
    assert_envelope(status, &body, 400, 3115);
}

#[tokio::test]
async fn a_created_chat_is_queued_for_the_team_and_shows_in_both_apis() {
    let server = TestServer::start().await;
    let team = team(&server).await;
    let asset = inbox_id(&server).await;

    // Bodies that cannot make a chat.
    let raw = |body: &'static str| {
        let request = server
            .http
            .post(server.url("/v3.1/chats"))
            .header("Authorization", &server.token)
            .header("teamid", &team)
            .header("content-type", "application/json")
            .body(body);
        async move { read(request.send().await.unwrap()).await }
    };
    let (status, body) = raw("").await;
    assert_envelope(status, &body, 400, 3114);
    let (status, body) = raw("[1, 2]").await;
    assert_envelope(status, &body, 400, 3115);
    for wrong in [
        json!({"channel": "livechat", "asset": {"id": asset}}),
        json!({"channel": "livechat", "asset": {"id": 424242}, "customer": {"destination_id": "x"}}),
        json!({"channel": "sms", "asset": {"id": asset}, "customer": {"destination_id": "x"}}),
        json!({"channel": "livechat", "asset": {"id": asset}, "customer": {"destination_id": "  "}}),
        json!({"channel": "livechat", "asset": {"id": asset}, "customer": {"destination_id": "x"}, "messages": [{"type": "sideways", "text": "?"}]}),
        // An answer to quick replies the list did not offer, or with no option.
        json!({"channel": "livechat", "asset": {"id": asset}, "customer": {"destination_id": "x"}, "messages": [
            {"type": "outbound", "quick_replies": {"request_identifier": "q1", "options": [{"title": "Yes"}]}},
            {"type": "inbound", "quick_reply_response": {"request_identifier": "q9", "options": [{"title": "Yes"}]}}
        ]}),
        json!({"channel": "livechat", "asset": {"id": asset}, "customer": {"destination_id": "x"}, "messages": [
            {"type": "outbound", "quick_replies": {"request_identifier": "q1", "options": [{"title": "Yes"}]}},
            {"type": "inbound", "quick_reply_response": {"request_identifier": "q1", "options": []}}
        ]}),
        json!({"channel": "livechat", "asset": {"id": asset}, "customer": {"destination_id": "x"}, "messages": [
            {"type": "outbound", "text": "see", "attachment": {"type": "file", "url": "javascript:alert(1)"}}
        ]}),
    ] {
        let (status, body) = imi(&server, &team, "POST", "/v3.1/chats", Some(wrong.clone())).await;
        assert_envelope(status, &body, 400, 3115);
    }
    let (_, chats) = imi(&server, &team, "GET", "/v3.1/chats", None).await;
    assert_eq!(chats["response"], json!([]), "a refused body makes nothing");

    let (status, body) = imi(
        &server,
        &team,
        "POST",
        "/v3.1/chats",
        Some(chat_request(asset, "lc-1001")),
    )
    .await;
    assert_envelope(status, &body, 200, 4304);
    let chat = &body["response"];
    let chat_id = chat["chat_id"].as_str().unwrap();
    assert_eq!(chat["status"], "queued");
    assert_eq!(chat["channel"], "livechat");
    assert_eq!(chat["alias_id"], "ext-lc-1001");
    assert_eq!(chat["team_id"].to_string(), team);
    // Team names are kept in lower case, as Chatwoot keeps them.
    assert_eq!(chat["team_name"], "support");
    assert_eq!(chat["asset"], json!({"id": asset, "name": "Website"}));
    assert_eq!(chat["customer"]["destination_id"], "lc-1001");
    assert_eq!(chat["customer"]["name"], "Lin Wei");
    assert_eq!(chat["tag"], json!(["vip"]));
    assert_eq!(
        chat["route_params"],
        json!({"intent": "billing", "group": "emea"})
    );
    assert_eq!(chat["other_details"], json!({"order": "A-17"}));
    assert_eq!(chat["assignee"], Value::Null);
    let messages = chat["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1, "{chat}");
    assert_eq!(messages[0]["type"], "inbound");
    assert_eq!(messages[0]["livechat_sub_type"], "text");
    assert_eq!(messages[0]["text"], "My invoice is wrong");
    let stamp = messages[0]["timestamp"].as_str().unwrap();
    assert!(
        stamp.len() == 24 && stamp.ends_with('Z') && stamp.as_bytes()[19] == b'.',
        "ISO 8601 with milliseconds: {stamp}"
    );

    // The address is not the widget's credential.
    let (_, contact) = server
        .agent(
            "GET",
            &server.account(&format!("/contacts/{}", chat["customer"]["id"])),
            None,
        )
        .await;
    let source_id = contact["payload"]["contact_inboxes"][0]["source_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(!source_id.is_empty() && source_id != "lc-1001", "{contact}");
    let (status, _) = server
        .call("GET", &server.public("/contacts/lc-1001"), None)
        .await;
    assert_eq!(status, 404);
    // The same destination is the same customer.
    let (_, again) = imi(
        &server,
        &team,
        "POST",
        "/v3.1/chats",
        Some(chat_request(asset, "lc-1001")),
    )
    .await;
    assert_eq!(again["response"]["customer"]["id"], chat["customer"]["id"]);
    assert_ne!(again["response"]["chat_id"], chat["chat_id"]);

    // The agent API sees the conversation, its contact and its first message.
    let conversation = conversation_of(&server, chat_id).await;
    assert_eq!(conversation["meta"]["sender"]["name"], "Lin Wei");
    let display_id = conversation["id"].as_i64().unwrap();

    // Assigned: picked, with the agent's login; snoozed: on hold; resolved: closed.
    let (_, profile) = server
        .agent("GET", &server.url("/api/v1/profile"), None)
        .await;
    server
        .agent(
            "POST",
            &server.account(&format!("/conversations/{display_id}/assignments")),
            Some(json!({"assignee_id": profile["id"]})),
        )
        .await;
    server
        .agent(
            "POST",
            &server.account(&format!("/conversations/{display_id}/messages")),
            Some(json!({"content": "internal: check the refund", "private": true})),
        )
        .await;
    let (_, shown) = show(&server, &team, chat_id).await;
    assert_eq!(shown["response"]["status"], "picked");
    assert_eq!(shown["response"]["assignee"], profile["email"]);
    let kinds: Vec<&str> = shown["response"]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|message| message["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["inbound", "announcement"],
        "the assignment is an announcement; the private note is not shown"
    );
    for (status, imi_status) in [
        ("snoozed", "onhold"),
        ("resolved", "closed"),
        ("open", "picked"),
    ] {
        server
            .agent(
                "POST",
                &server.account(&format!("/conversations/{display_id}/toggle_status")),
                Some(json!({"status": status})),
            )
            .await;
        let (_, shown) = show(&server, &team, chat_id).await;
        assert_eq!(shown["response"]["status"], imi_status);
    }

    // imi's close signal resolves it, and is not shown as a message.
    let (status, closed) = post_message(
        &server,
        &team,
        chat_id,
        json!({"type": "inbound", "text": "$$$$CLOSECHAT$$$$"}),
    )
    .await;
    assert_envelope(status, &closed, 200, 4304);
    assert_eq!(closed["response"]["status"], "closed");
    assert!(
        closed["response"]["messages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|message| message["text"] != "$$$$CLOSECHAT$$$$")
    );
}

#[tokio::test]
async fn lists_page_ten_chats_at_a_time_newest_first() {
    let server = TestServer::start().await;
    let team = team(&server).await;
    let asset = inbox_id(&server).await;
    let mut made: Vec<String> = Vec::new();
    for count in [0usize, 10, 11, 25] {
        while made.len() < count {
            let (_, body) = imi(
                &server,
                &team,
                "POST",
                "/v3.1/chats",
                Some(chat_request(asset, &format!("lc-{}", made.len()))),
            )
            .await;
            made.push(body["response"]["chat_id"].as_str().unwrap().to_owned());
        }
        let newest_first: Vec<&String> = made.iter().rev().collect();
        let mut seen: Vec<String> = Vec::new();
        for page in 1..=4 {
            let (status, body) = imi(
                &server,
                &team,
                "GET",
                &format!("/v3.1/chats?page={page}"),
                None,
            )
            .await;
            assert_envelope(status, &body, 200, 4305);
            let chats = body["response"].as_array().unwrap();
            let expected = count.saturating_sub((page - 1) * 10).min(10);
            assert_eq!(chats.len(), expected, "{count} chats, page {page}");
            for chat in chats {
                assert!(
                    chat.get("messages").is_none() && chat.get("customer").is_none(),
                    "{chat}"
                );
                assert!(
                    chat["customer_id"].is_string() && chat["destination_id"].is_string(),
                    "{chat}"
                );
                seen.push(chat["chat_id"].as_str().unwrap().to_owned());
            }
        }
        assert_eq!(
            seen.iter().collect::<Vec<_>>(),
            newest_first,
            "{count} chats"
        );
        // No page is the first page.
        let (_, first) = imi(&server, &team, "GET", "/v3.1/chats", None).await;
        assert_eq!(first["response"].as_array().unwrap().len(), count.min(10));
    }
    // A search pages the same way.
    let queued = json!({"conditions": [{"param": "status", "operator": "eq", "value": "queued"}]});
    let mut seen: Vec<String> = Vec::new();
    for (page, expected) in [(1, 10), (2, 10), (3, 5), (4, 0)] {
        let (status, body) = imi(
            &server,
            &team,
            "POST",
            &format!("/v3.0/chats/search?page={page}"),
            Some(queued.clone()),
        )
        .await;
        assert_envelope(status, &body, 200, 4305);
        let chats = body["response"].as_array().unwrap();
        assert_eq!(chats.len(), expected, "search page {page}");
        seen.extend(
            chats
                .iter()
                .map(|chat| chat["chat_id"].as_str().unwrap().to_owned()),
        );
    }
    assert_eq!(seen, made.iter().rev().cloned().collect::<Vec<_>>());
}

#[tokio::test]
async fn another_accounts_token_sees_none_of_these_chats_and_a_bot_token_works() {
    let server = TestServer::start().await;
    let team = team(&server).await;
    let asset = inbox_id(&server).await;
    let (_, made) = imi(
        &server,
        &team,
        "POST",
        "/v3.1/chats",
        Some(chat_request(asset, "lc-9")),
    )
    .await;
    let chat_id = made["response"]["chat_id"].as_str().unwrap().to_owned();

    // A second account with its own administrator and team, written
    // straight into the server's database.
    let url = format!(
        "sqlite://{}",
        server.dir.path().join("ferrochat.sqlite3").display()
    );
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let account: i64 = sqlx::query_scalar(
        "INSERT INTO accounts (name, created_at) VALUES ('other', 0) RETURNING id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO users (account_id, name, email, role, access_token, pubsub_token, availability, created_at)
         VALUES ($1, 'Eve', 'eve@other.example', 'administrator', 'other-token', 'other-pubsub', 'online', 0)",
    )
    .bind(account)
    .execute(&pool)
    .await
    .unwrap();
    let other_team: i64 = sqlx::query_scalar(
        "INSERT INTO teams (account_id, name, created_at) VALUES ($1, 'other', 0) RETURNING id",
    )
    .bind(account)
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    let as_other = |team: String, method: &'static str, path: String, body: Option<Value>| {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = server
            .http
            .request(method, server.url(&path))
            .header("Authorization", "other-token")
            .header("teamid", team);
        if let Some(body) = body {
            request = request.json(&body);
        }
        async move { read(request.send().await.unwrap()).await }
    };
    let other = other_team.to_string();
    // This account's team is not theirs; this account's chat is not theirs.
    let (status, body) = as_other(team.clone(), "GET", "/v3.1/chats".into(), None).await;
    assert_envelope(status, &body, 404, 2010);
    let (status, body) =
        as_other(other.clone(), "GET", format!("/v3.1/chats/{chat_id}"), None).await;
    assert_envelope(status, &body, 404, 2031);
    let (status, body) = as_other(
        other.clone(),
        "POST",
        format!("/v3.1/chats/{chat_id}/messages"),
        Some(json!({"type": "outbound", "text": "hello from elsewhere"})),
    )
    .await;
    assert_envelope(status, &body, 404, 2031);
    let (_, body) = as_other(other.clone(), "GET", "/v3.1/chats".into(), None).await;
    assert_eq!(body["response"], json!([]));
    let (_, body) = as_other(
        other.clone(),
        "POST",
        "/v3.0/chats/search".into(),
        Some(json!({"conditions": [{"param": "livechat_id", "operator": "eq", "value": "lc-9"}]})),
    )
    .await;
    assert_eq!(body["response"], json!([]));
    // Nor can they create a chat on this account's inbox.
    let (status, body) = as_other(
        other,
        "POST",
        "/v3.1/chats".into(),
        Some(chat_request(asset, "lc-10")),
    )
    .await;
    assert_envelope(status, &body, 400, 3115);

    // An agent bot of the account may use the API: its messages are the bot's.
    let (status, bot) = server
        .agent(
            "POST",
            &server.account("/agent_bots"),
            Some(json!({"name": "Router"})),
        )
        .await;
    assert_eq!(status, 200, "{bot}");
    let (status, body) = read(
        server
            .http
            .post(server.url(&format!("/v3.1/chats/{chat_id}/messages")))
            .header("Authorization", bot["access_token"].as_str().unwrap())
            .header("teamid", &team)
            .json(&json!({"type": "outbound", "text": "A bot says hi", "delivery_details": {"correlation_id": "c-1"}}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_envelope(status, &body, 200, 4304);
    let last = body["response"]["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["type"], "outbound");
    assert_eq!(last["text"], "A bot says hi");
    assert_eq!(last["delivery_details"]["correlation_id"], "c-1");
}

/// The chat ids a search finds.
async fn found(server: &TestServer, team: &str, body: Value) -> Vec<String> {
    let (status, answer) = imi(server, team, "POST", "/v3.0/chats/search", Some(body)).await;
    assert_envelope(status, &answer, 200, 4305);
    answer["response"]
        .as_array()
        .unwrap()
        .iter()
        .map(|chat| chat["chat_id"].as_str().unwrap().to_owned())
        .collect()
}

fn one(param: &str, operator: &str, value: Value) -> Value {
    json!({"conditions": [{"param": param, "operator": operator, "value": value}]})
}

#[tokio::test]
async fn search_applies_each_operator_and_refuses_each_malformed_body_with_its_code() {
    let server = TestServer::start().await;
    let team = team(&server).await;
    let asset = inbox_id(&server).await;
    let mut chats = Vec::new();
    for destination in ["lc-a", "lc-b", "lc-c"] {
        let (_, body) = imi(
            &server,
            &team,
            "POST",
            "/v3.1/chats",
            Some(chat_request(asset, destination)),
        )
        .await;
        chats.push(body["response"].clone());
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let id = |index: usize| chats[index]["chat_id"].as_str().unwrap().to_owned();
    let created = |index: usize| chats[index]["created_at"].clone();
    // b: assigned (picked) and labelled; c: resolved (closed).
    let display = |index: usize| {
        let (server, uuid) = (&server, id(index));
        async move { conversation_of(server, &uuid).await["id"].as_i64().unwrap() }
    };
    let (_, profile) = server
        .agent("GET", &server.url("/api/v1/profile"), None)
        .await;
    let b = display(1).await;
    server
        .agent(
            "POST",
            &server.account(&format!("/conversations/{b}/assignments")),
            Some(json!({"assignee_id": profile["id"]})),
        )
        .await;
    server
        .agent(
            "POST",
            &server.account(&format!("/conversations/{b}/labels")),
            Some(json!({"labels": ["vip", "refund"]})),
        )
        .await;
    let c = display(2).await;
    server
        .agent(
            "POST",
            &server.account(&format!("/conversations/{c}/toggle_status")),
            Some(json!({"status": "resolved"})),
        )
        .await;

    let (a, b, c) = (id(0), id(1), id(2));
    let none: Vec<&String> = Vec::new();
    let email = profile["email"].clone();
    // b and c were changed after they were made; a was not after its
    // first message.
    let cases: Vec<(&str, &str, Value, Vec<&String>)> = vec![
        ("status", "eq", json!("queued"), vec![&a]),
        ("status", "eq", json!("picked"), vec![&b]),
        ("status", "not_eq", json!("closed"), vec![&a, &b]),
        ("created_at", "eq", created(1), vec![&b]),
        ("created_at", "lt", created(1), vec![&a]),
        ("created_at", "lte", created(1), vec![&a, &b]),
        ("created_at", "gt", created(1), vec![&c]),
        ("created_at", "gte", created(1), vec![&b, &c]),
        ("updated_at", "gt", created(2), vec![&b, &c]),
        (
            "updated_at",
            "lte",
            chats[0]["updated_at"].clone(),
            vec![&a],
        ),
        ("channel", "eq", json!("livechat"), vec![&a, &b, &c]),
        ("channel", "eq", json!("sms"), none.clone()),
        ("tag", "eq", json!("refund"), vec![&b]),
        ("tag", "eq", json!("vip"), vec![&a, &b, &c]),
        ("assignee", "eq", email, vec![&b]),
        ("livechat_id", "eq", json!("lc-c"), vec![&c]),
        ("facebook_psid", "eq", json!("lc-a"), none.clone()),
        ("twitter_id", "eq", json!("lc-a"), none.clone()),
        ("email_id", "eq", json!("lc-a"), none.clone()),
        ("mobile", "eq", json!("lc-a"), none.clone()),
        ("abc_user_id", "eq", json!("lc-a"), none.clone()),
        ("whatsapp_mobile_number", "eq", json!("lc-a"), none.clone()),
        ("intent", "eq", json!("billing"), vec![&a, &b, &c]),
        ("group", "eq", json!("apac"), none.clone()),
    ];
    for (param, operator, value, expected) in cases {
        let newest_first: Vec<String> = expected.into_iter().rev().cloned().collect();
        assert_eq!(
            found(&server, &team, one(param, operator, value.clone())).await,
            newest_first,
            "{param} {operator} {value}"
        );
    }
    let newest = |ids: &[&String]| ids.iter().rev().map(|id| (*id).clone()).collect::<Vec<_>>();
    // AND (the default) and OR.
    let both = |condition: Option<&str>| {
        let mut body = json!({"conditions": [
            {"param": "status", "operator": "eq", "value": "queued"},
            {"param": "tag", "operator": "eq", "value": "refund"}
        ]});
        if let Some(condition) = condition {
            body["condition"] = json!(condition);
        }
        body
    };
    assert!(found(&server, &team, both(None)).await.is_empty());
    assert_eq!(
        found(&server, &team, both(Some("OR"))).await,
        newest(&[&a, &b])
    );

    // Each malformed body, its own code.
    let raw = |body: &'static str| {
        let request = server
            .http
            .post(server.url("/v3.0/chats/search"))
            .header("Authorization", &server.token)
            .header("teamid", &team)
            .body(body);
        async move { read(request.send().await.unwrap()).await }
    };
    let (status, body) = raw("").await;
    assert_envelope(status, &body, 400, 3114);
    let (status, body) = raw("not json").await;
    assert_envelope(status, &body, 400, 3115);
    for (body, code) in [
        (one("colour", "eq", json!("red")), 3445),
        (one("channel", "gt", json!("livechat")), 3446),
        (json!({"condition": "XOR", "conditions": []}), 3447),
        (json!({"conditions": "status=queued"}), 3451),
        (one("status", "eq", json!("sleeping")), 4303),
        (one("created_at", "gt", json!("yesterday")), 4303),
    ] {
        let (status, answer) = imi(
            &server,
            &team,
            "POST",
            "/v3.0/chats/search",
            Some(body.clone()),
        )
        .await;
        assert_envelope(status, &answer, 400, code);
    }
}

#[tokio::test]
async fn quick_replies_round_trip_between_imi_and_the_widget() {
    let server = TestServer::start().await;
    let team = team(&server).await;

    // The widget's side: a contact, a conversation and a message.
    let (source_id, pubsub_token, display_id, conversation_path, chat_id) =
        widget_chat(&server).await;
    server
        .call(
            "POST",
            &server.public(&format!("{conversation_path}/messages")),
            Some(json!({"content": "Which plan suits me?"})),
        )
        .await;
    let mut cable = Cable::connect(&server.base).await;
    cable.subscribe(&pubsub_token).await;

    // The same conversation, as an imi chat.
    let (status, shown) = show(&server, &team, &chat_id).await;
    assert_envelope(status, &shown, 200, 4304);
    assert_eq!(shown["response"]["channel"], "livechat");
    assert_eq!(
        shown["response"]["customer"]["destination_id"],
        source_id.as_str()
    );
    assert_eq!(shown["response"]["alias_id"], display_id.to_string());
    assert_eq!(shown["response"]["messages"][0]["type"], "inbound");
    assert_eq!(
        shown["response"]["messages"][0]["text"],
        "Which plan suits me?"
    );

    // imi's outbound quick replies…
    let (status, _) = post_message(
        &server,
        &team,
        &chat_id,
        json!({
            "type": "outbound",
            "livechat_sub_type": "quick_replies",
            "text": "Pick one",
            "quick_replies": {
                "request_identifier": "5f0c1d9e-req-1",
                "options": [
                    {"title": "Starter", "payload": "plan-starter"},
                    {"title": "Team", "payload": "plan-team"}
                ]
            },
            "delivery_details": {"correlation_id": "corr-77"}
        }),
    )
    .await;
    assert_eq!(status, 200);

    // …reach the widget at once as Chatwoot's input_select…
    let pushed = &cable.event_named("message.created").await;
    assert_eq!(pushed["content_type"], "input_select");
    assert_eq!(pushed["content"], "Pick one");
    assert_eq!(
        pushed["content_attributes"]["items"],
        json!([{"title": "Starter", "value": "plan-starter"}, {"title": "Team", "value": "plan-team"}])
    );
    let message_id = pushed["id"].as_i64().unwrap();
    let (_, listed) = server
        .call(
            "GET",
            &server.public(&format!("{conversation_path}/messages")),
            None,
        )
        .await;
    let select = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|message| message["id"] == message_id)
        .unwrap()
        .clone();
    assert_eq!(select["content_type"], "input_select");

    // …the visitor chooses through the public API…
    let (status, _) = server
        .call(
            "PATCH",
            &server.public(&format!("{conversation_path}/messages/{message_id}")),
            Some(json!({"submitted_values": [{"title": "Team", "value": "plan-team"}]})),
        )
        .await;
    assert_eq!(status, 200);

    // …and imi reads the offer and the inbound response.
    let (_, shown) = show(&server, &team, &chat_id).await;
    let messages = shown["response"]["messages"].as_array().unwrap();
    let offer = messages
        .iter()
        .find(|message| message["quick_replies"].is_object())
        .unwrap();
    assert_eq!(offer["type"], "outbound");
    assert_eq!(offer["livechat_sub_type"], "quick_replies");
    assert_eq!(
        offer["quick_replies"]["request_identifier"],
        "5f0c1d9e-req-1"
    );
    assert_eq!(
        offer["quick_replies"]["options"][1],
        json!({"title": "Team", "payload": "plan-team"})
    );
    assert_eq!(offer["delivery_details"]["correlation_id"], "corr-77");
    let response = messages
        .iter()
        .find(|message| message["quick_reply_response"].is_object())
        .unwrap();
    assert_eq!(response["type"], "inbound");
    assert_eq!(
        response["quick_reply_response"],
        json!({"request_identifier": "5f0c1d9e-req-1", "options": [{"title": "Team", "payload": "plan-team"}]})
    );

    // imi's typing signal is a typing indicator in the widget, not a message.
    let (status, _) = post_message(
        &server,
        &team,
        &chat_id,
        json!({"type": "outbound", "text": "$$$$$TYPING$$$$$"}),
    )
    .await;
    assert_eq!(status, 200);
    cable.event_named("conversation.typing_on").await;
    // An answer posted on the imi side marks Chatwoot's quick replies answered.
    let (_, second) = post_message(&server, &team, &chat_id, json!({
            "type": "outbound",
            "livechat_sub_type": "quick_replies",
            "quick_replies": {"request_identifier": "req-2", "options": [{"title": "Yes"}, {"title": "No"}]}
        })).await;
    assert_eq!(second["status_code"], 4304, "{second}");
    let (status, answered) = post_message(
        &server,
        &team,
        &chat_id,
        json!({
            "type": "inbound",
            "livechat_sub_type": "quick_replies",
            "quick_reply_response": {"request_identifier": "req-2", "options": [{"title": "No"}]}
        }),
    )
    .await;
    assert_eq!(status, 200, "{answered}");
    // The widget hears the answer at once.
    let updated = cable.event_named("message.updated").await;
    assert_eq!(
        updated["content_attributes"]["submitted_values"],
        json!([{"title": "No", "value": "No"}])
    );
    let (_, listed) = server
        .call(
            "GET",
            &server.public(&format!("{conversation_path}/messages")),
            None,
        )
        .await;
    let last = listed.as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        last["content_attributes"]["submitted_values"],
        json!([{"title": "No", "value": "No"}])
    );
    // A request_identifier the chat already used cannot offer again.
    let (status, refused) = post_message(
        &server,
        &team,
        &chat_id,
        json!({
            "type": "outbound",
            "quick_replies": {"request_identifier": "req-2", "options": [{"title": "Maybe"}]}
        }),
    )
    .await;
    assert_envelope(status, &refused, 400, 3115);
    // Answering twice, or a request nobody made, is refused.
    for identifier in ["req-2", "req-404"] {
        let (status, refused) = post_message(&server, &team, &chat_id, json!({
                "type": "inbound",
                "quick_reply_response": {"request_identifier": identifier, "options": [{"title": "No"}]}
            })).await;
        assert_envelope(status, &refused, 400, 3115);
    }
}

#[tokio::test]
async fn a_visitors_files_are_imi_attachments_one_message_each() {
    let server = TestServer::start().await;
    let team = team(&server).await;
    let (_, _, _, conversation_path, chat_id) = widget_chat(&server).await;
    // A 2x1 PNG and a PDF, with a caption.
    let png: Vec<u8> = crate::support::PNG_2X1.to_vec();
    let form = reqwest::multipart::Form::new()
        .text("content", "the receipt")
        .part(
            "attachments[]",
            reqwest::multipart::Part::bytes(png)
                .file_name("receipt.png")
                .mime_str("image/png")
                .unwrap(),
        )
        .part(
            "attachments[]",
            reqwest::multipart::Part::bytes(b"%PDF-1.4\n%%EOF\n".to_vec())
                .file_name("receipt.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        );
    let response = server
        .http
        .post(server.public(&format!("{conversation_path}/messages")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    let (_, shown) = show(&server, &team, &chat_id).await;
    let messages = shown["response"]["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2, "{shown}");
    assert_eq!(messages[0]["text"], "the receipt");
    assert_eq!(messages[0]["attachment"]["type"], "image");
    assert_eq!(messages[1].get("text"), None);
    assert_eq!(messages[1]["attachment"]["type"], "file");
    assert_eq!(messages[0]["timestamp"], messages[1]["timestamp"]);
    // The URLs serve the files.
    for message in messages {
        let url = message["attachment"]["url"].as_str().unwrap();
        assert!(url.starts_with(&server.base), "{url}");
        let fetched = server.http.get(url).send().await.unwrap();
        assert_eq!(fetched.status(), 200, "{url}");
    }
}
