//! The application API, driven as an agent console and an integration
//! drive it, with the visitor's side (public API and `/cable`) checked for
//! what the visitor would see.

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{Cable, TestServer};

/// The seeded administrator's profile.
async fn profile(server: &TestServer) -> Value {
    let (status, profile) = server
        .agent("GET", &server.url("/api/v1/profile"), None)
        .await;
    assert_eq!(status, 200, "{profile}");
    profile
}

/// `/conversations/{id}` + `path` on the agent side.
fn conversation(server: &TestServer, id: u64, path: &str) -> String {
    server.account(&format!("/conversations/{id}{path}"))
}

/// What the visitor's widget lists.
async fn visitor_messages(server: &TestServer, source_id: &str, id: u64) -> Vec<Value> {
    let (status, list) = server
        .call(
            "GET",
            &server.public(&format!(
                "/contacts/{source_id}/conversations/{id}/messages"
            )),
            None,
        )
        .await;
    assert_eq!(status, 200, "{list}");
    list.as_array().unwrap().clone()
}

/// The next broadcast with this event name, skipping others.
#[tokio::test]
async fn wrong_missing_or_foreign_tokens_get_401() {
    let server = TestServer::start().await;
    let unauthorized = json!({"error": "You need to sign in or sign up before continuing."});
    let conversations = server.account("/conversations");
    let (status, body) = server.call("GET", &conversations, None).await;
    assert_eq!((status, &body), (401, &unauthorized), "no token");
    let (status, body) = server
        .call("GET", &server.url("/api/v1/profile"), None)
        .await;
    assert_eq!(
        (status, &body),
        (401, &unauthorized),
        "no token on the profile"
    );

    let response = server
        .http
        .get(&conversations)
        .header("api_access_token", "not-a-token")
        .send()
        .await
        .unwrap();
    let (status, body) = crate::support::read(response).await;
    assert_eq!((status, &body), (401, &unauthorized), "a wrong token");

    // A valid token used on another account's paths.
    let other = format!("{}/api/v1/accounts/{}", server.base, server.account_id + 1);
    for (method, path) in [
        ("GET", "/conversations"),
        ("GET", "/inboxes"),
        ("POST", "/inboxes"),
        ("GET", "/contacts"),
        ("GET", "/agents"),
        ("GET", "/teams"),
        ("GET", "/conversations/1/messages"),
    ] {
        let (status, body) = server
            .agent(
                method,
                &format!("{other}{path}"),
                Some(json!({"name": "x"})),
            )
            .await;
        assert_eq!((status, &body), (401, &unauthorized), "{method} {path}");
    }
    let (status, _) = server.agent("GET", &conversations, None).await;
    assert_eq!(status, 200, "the token works on its own account");
}

#[tokio::test]
async fn the_profile_gives_the_console_its_cable_token() {
    let server = TestServer::start().await;
    let profile = profile(&server).await;
    assert_eq!(profile["role"], "administrator");
    assert_eq!(profile["account_id"], server.account_id);
    assert_eq!(profile["access_token"], server.token.as_str());
    assert_eq!(profile["accounts"][0]["id"], server.account_id);
    assert_eq!(profile["accounts"][0]["role"], "administrator");
    assert!(profile["available_name"].is_string());

    let mut cable = Cable::connect(&server.base).await;
    cable
        .subscribe(profile["pubsub_token"].as_str().unwrap())
        .await;
    let (source_id, _, id) = server.conversation().await;
    let (status, _) = server
        .call(
            "POST",
            &server.public(&format!(
                "/contacts/{source_id}/conversations/{id}/messages"
            )),
            Some(json!({"content": "hi, anyone there?"})),
        )
        .await;
    assert_eq!(status, 200);
    let message = cable.event_named("message.created").await;
    assert_eq!(message["content"], "hi, anyone there?");
    assert_eq!(message["conversation_id"], id);
}

#[tokio::test]
async fn a_created_inbox_serves_the_public_api_and_updates_show_at_once() {
    let server = TestServer::start().await;
    let (status, inbox) = server
        .agent(
            "POST",
            &server.account("/inboxes"),
            Some(json!({
                "name": "Shop",
                "channel": {"type": "api", "webhook_url": "https://example.com/hook"},
            })),
        )
        .await;
    assert_eq!(status, 200, "{inbox}");
    assert_eq!(inbox["channel_type"], "Channel::Api");
    assert_eq!(inbox["webhook_url"], "https://example.com/hook");
    assert_eq!(inbox["hmac_mandatory"], false);
    assert_eq!(inbox["working_hours"].as_array().unwrap().len(), 7);
    assert_eq!(inbox["hmac_token"].as_str().unwrap().len(), 32);
    let identifier = inbox["inbox_identifier"].as_str().unwrap().to_owned();
    let id = inbox["id"].as_i64().unwrap();

    let public = format!("{}/public/api/v1/inboxes/{identifier}", server.base);
    let (status, shown) = server.call("GET", &public, None).await;
    assert_eq!(status, 200, "{shown}");
    assert_eq!(shown["name"], "Shop");
    assert_eq!(shown["csat_survey_enabled"], false);
    let (status, contact) = server
        .call(
            "POST",
            &format!("{public}/contacts"),
            Some(json!({"name": "Ann"})),
        )
        .await;
    assert_eq!(
        status, 200,
        "a visitor can start in the new inbox: {contact}"
    );

    // The public API caches inboxes; an update must show at once.
    let (status, updated) = server
        .agent(
            "PATCH",
            &server.account(&format!("/inboxes/{id}")),
            Some(json!({
                "name": "Shop support",
                "csat_survey_enabled": true,
                "greeting_enabled": true,
                "greeting_message": "Hello!",
                "timezone": "Europe/Berlin",
                "channel": {"hmac_mandatory": true},
            })),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["greeting_message"], "Hello!");
    assert_eq!(
        updated["webhook_url"], "https://example.com/hook",
        "untouched"
    );
    let (_, shown) = server.call("GET", &public, None).await;
    assert_eq!(shown["name"], "Shop support");
    assert_eq!(shown["csat_survey_enabled"], true);
    assert_eq!(shown["timezone"], "Europe/Berlin");
    assert_eq!(shown["identity_validation_enabled"], true);
    let (status, _) = server
        .call(
            "POST",
            &format!("{public}/contacts"),
            Some(json!({"name": "Ben"})),
        )
        .await;
    assert_eq!(status, 401, "HMAC is now mandatory for new visitors");

    let (status, list) = server.agent("GET", &server.account("/inboxes"), None).await;
    assert_eq!(status, 200);
    let names: Vec<&str> = list["payload"]
        .as_array()
        .unwrap()
        .iter()
        .map(|inbox| inbox["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Website", "Shop support"]);
    let (status, one) = server
        .agent("GET", &server.account(&format!("/inboxes/{id}")), None)
        .await;
    assert_eq!(
        (status, &one["inbox_identifier"]),
        (200, &json!(identifier))
    );

    let (status, bot) = server
        .agent(
            "GET",
            &server.account(&format!("/inboxes/{id}/agent_bot")),
            None,
        )
        .await;
    assert_eq!((status, bot), (200, json!({"agent_bot": null})));
    let (status, _) = server
        .agent(
            "POST",
            &server.account(&format!("/inboxes/{id}/set_agent_bot")),
            Some(json!({"agent_bot": 424242})),
        )
        .await;
    assert_eq!(status, 404, "an unknown bot");
    let (status, _) = server
        .agent(
            "POST",
            &server.account(&format!("/inboxes/{id}/set_agent_bot")),
            Some(json!({"agent_bot": null})),
        )
        .await;
    assert_eq!(status, 200);

    for body in [
        json!({"channel": {"type": "api"}}),
        json!({"name": "  ", "channel": {"type": "api"}}),
        json!({"name": "Mail", "channel": {"type": "email"}}),
        json!({"name": "Hook", "channel": {"type": "api", "webhook_url": "javascript:alert(1)"}}),
        json!({"name": "Weak", "channel": {"type": "api", "hmac_token": "short"}}),
    ] {
        let (status, error) = server
            .agent("POST", &server.account("/inboxes"), Some(body.clone()))
            .await;
        assert_eq!(status, 422, "{body}: {error}");
    }
}

#[tokio::test]
async fn the_conversation_list_filters_and_counts() {
    let server = TestServer::start().await;
    let me = profile(&server).await["id"].as_i64().unwrap();
    let (_, _, mine) = server.conversation().await;
    let (_, _, waiting) = server.conversation().await;
    let (_, _, done) = server.conversation().await;
    let (status, agent) = server
        .agent(
            "POST",
            &conversation(&server, mine, "/assignments"),
            Some(json!({"assignee_id": me})),
        )
        .await;
    assert_eq!(status, 200, "{agent}");
    assert_eq!(agent["id"], me);
    let (status, _) = server
        .agent(
            "POST",
            &conversation(&server, done, "/toggle_status"),
            Some(json!({"status": "resolved"})),
        )
        .await;
    assert_eq!(status, 200);

    let ids = |body: &Value| -> Vec<u64> {
        let mut ids: Vec<u64> = body["data"]["payload"]
            .as_array()
            .unwrap()
            .iter()
            .map(|conversation| conversation["id"].as_u64().unwrap())
            .collect();
        ids.sort_unstable();
        ids
    };
    let list = server.account("/conversations");
    let (status, open) = server.agent("GET", &list, None).await;
    assert_eq!(status, 200, "{open}");
    assert_eq!(ids(&open), vec![mine, waiting], "open by default");
    assert_eq!(
        open["data"]["meta"],
        json!({"mine_count": 1, "unassigned_count": 1, "assigned_count": 1, "all_count": 2})
    );
    let first = &open["data"]["payload"][0];
    assert!(first["meta"]["sender"]["id"].is_number(), "{first}");
    assert_eq!(first["status"], "open");

    for (query, expected) in [
        ("?assignee_type=me", vec![mine]),
        ("?assignee_type=unassigned", vec![waiting]),
        ("?assignee_type=assigned", vec![mine]),
        ("?status=resolved", vec![done]),
        ("?status=all", vec![mine, waiting, done]),
        ("?status=all&assignee_type=unassigned", vec![waiting, done]),
        ("?status=pending", vec![]),
        ("?status=all&page=2", vec![]),
    ] {
        let (status, body) = server.agent("GET", &format!("{list}{query}"), None).await;
        assert_eq!(status, 200, "{query}: {body}");
        assert_eq!(ids(&body), expected, "{query}");
    }
    let (status, meta) = server
        .agent(
            "GET",
            &server.account("/conversations/meta?status=all"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        meta,
        json!({"meta": {"mine_count": 1, "unassigned_count": 2, "assigned_count": 1, "all_count": 3}})
    );

    let (status, one) = server
        .agent("GET", &conversation(&server, mine, ""), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(one["id"], mine);
    assert_eq!(one["meta"]["assignee"]["id"], me);
}

#[tokio::test]
async fn an_agent_reply_reaches_the_visitor() {
    let server = TestServer::start().await;
    let (source_id, visitor_token, id) = server.conversation().await;
    let mut visitor = Cable::connect(&server.base).await;
    visitor.subscribe(&visitor_token).await;

    let (status, message) = server
        .agent(
            "POST",
            &conversation(&server, id, "/messages"),
            Some(json!({"content": "Hello from support", "echo_id": "tmp-1"})),
        )
        .await;
    assert_eq!(status, 200, "{message}");
    assert_eq!(message["message_type"], 1);
    assert_eq!(message["private"], false);
    assert_eq!(message["conversation_id"], id);
    assert_eq!(message["sender"]["type"], "user");

    let pushed = visitor.event_named("message.created").await;
    assert_eq!(pushed["content"], "Hello from support");
    assert_eq!(pushed["echo_id"], "tmp-1");
    let seen = visitor_messages(&server, &source_id, id).await;
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0]["content"], "Hello from support");
    assert_eq!(seen[0]["message_type"], 1);
    assert_eq!(seen[0]["sender"]["type"], "user");

    // A message on the contact's behalf shows as the contact's.
    let (status, incoming) = server
        .agent(
            "POST",
            &conversation(&server, id, "/messages"),
            Some(json!({"content": "sent by phone", "message_type": "incoming"})),
        )
        .await;
    assert_eq!(status, 200, "{incoming}");
    assert_eq!(incoming["message_type"], 0);
    assert_eq!(incoming["sender"]["type"], "contact");

    let (status, error) = server
        .agent(
            "POST",
            &conversation(&server, id, "/messages"),
            Some(json!({"content": "x", "message_type": "activity"})),
        )
        .await;
    assert_eq!(status, 422, "{error}");
}

#[tokio::test]
async fn a_private_note_stays_with_the_agents() {
    let server = TestServer::start().await;
    let (source_id, visitor_token, id) = server.conversation().await;
    let agent_token = profile(&server).await["pubsub_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut visitor = Cable::connect(&server.base).await;
    visitor.subscribe(&visitor_token).await;
    let mut agent = Cable::connect(&server.base).await;
    agent.subscribe(&agent_token).await;

    let (status, note) = server
        .agent(
            "POST",
            &conversation(&server, id, "/messages"),
            Some(json!({"content": "customer seems upset", "private": true})),
        )
        .await;
    assert_eq!(status, 200, "{note}");
    assert_eq!(note["private"], true);

    let pushed = agent.event_named("message.created").await;
    assert_eq!(pushed["content"], "customer seems upset");
    assert_eq!(pushed["private"], true);
    assert_eq!(
        visitor.quiet(Duration::from_millis(700)).await,
        None,
        "the visitor's socket hears nothing of the note"
    );
    assert!(
        visitor_messages(&server, &source_id, id).await.is_empty(),
        "nor does the visitor's message list show it"
    );

    let (status, listed) = server
        .agent("GET", &conversation(&server, id, "/messages"), None)
        .await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed["payload"][0]["content"], "customer seems upset");
    assert_eq!(listed["payload"][0]["private"], true);
    assert!(listed["meta"]["contact"]["id"].is_number(), "{listed}");

    // Typing a note is the agents' business too; typing a reply is not.
    let typing = conversation(&server, id, "/toggle_typing_status");
    let (status, _) = server
        .agent(
            "POST",
            &typing,
            Some(json!({"typing_status": "on", "is_private": true})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(visitor.quiet(Duration::from_millis(500)).await, None);
    let (status, _) = server
        .agent("POST", &typing, Some(json!({"typing_status": "on"})))
        .await;
    assert_eq!(status, 200);
    let typing_on = visitor.event_named("conversation.typing_on").await;
    assert_eq!(typing_on["user"]["type"], "user");
    assert_eq!(typing_on["is_private"], false);
}

#[tokio::test]
async fn quick_replies_reach_the_visitor_with_their_items() {
    let server = TestServer::start().await;
    let (source_id, _, id) = server.conversation().await;
    let (status, message) = server
        .agent(
            "POST",
            &conversation(&server, id, "/messages"),
            Some(json!({
                "content": "How can we help?",
                "content_type": "input_select",
                "content_attributes": {"items": [
                    {"title": "Billing", "value": "billing"},
                    {"title": "Shipping", "value": "shipping"},
                ]},
            })),
        )
        .await;
    assert_eq!(status, 200, "{message}");
    let seen = visitor_messages(&server, &source_id, id).await;
    assert_eq!(seen[0]["content_type"], "input_select");
    assert_eq!(
        seen[0]["content_attributes"]["items"][1]["title"],
        "Shipping"
    );

    // The visitor answers through the public API.
    let message_id = seen[0]["id"].as_u64().unwrap();
    let (status, answered) = server
        .call(
            "PATCH",
            &server.public(&format!(
                "/contacts/{source_id}/conversations/{id}/messages/{message_id}"
            )),
            Some(json!({"submitted_values": [{"title": "Billing", "value": "billing"}]})),
        )
        .await;
    assert_eq!(status, 200, "{answered}");

    for attributes in [
        json!({"items": []}),
        json!({"items": [{"title": " ", "value": "x"}]}),
    ] {
        let (status, error) = server
            .agent(
                "POST",
                &conversation(&server, id, "/messages"),
                Some(json!({"content": "?", "content_type": "input_select", "content_attributes": attributes})),
            )
            .await;
        assert_eq!(status, 422, "{error}");
        assert_eq!(error["attributes"], json!(["content_attributes"]));
    }
    let (status, error) = server
        .agent(
            "POST",
            &conversation(&server, id, "/messages"),
            Some(json!({
                "content_type": "cards",
                "content_attributes": {"items": [{"title": "Bad", "actions": [
                    {"type": "link", "text": "Open", "uri": "javascript:alert(1)"}
                ]}]},
            })),
        )
        .await;
    assert_eq!(
        status, 422,
        "an unsafe link never reaches a visitor: {error}"
    );
    assert_eq!(visitor_messages(&server, &source_id, id).await.len(), 1);
}

#[tokio::test]
async fn content_over_150000_chars_is_refused() {
    let server = TestServer::start().await;
    let (source_id, _, id) = server.conversation().await;
    let messages = conversation(&server, id, "/messages");
    let (status, error) = server
        .agent(
            "POST",
            &messages,
            Some(json!({"content": "x".repeat(150_001)})),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        error,
        json!({"message": "Content is too long (maximum is 150000 characters)", "attributes": ["content"]})
    );
    let (status, _) = server
        .agent(
            "POST",
            &messages,
            Some(json!({"content": "x".repeat(150_000)})),
        )
        .await;
    assert_eq!(status, 200, "exactly the limit is fine");
    let (status, _) = server
        .agent("POST", &messages, Some(json!({"content": "   "})))
        .await;
    assert_eq!(status, 422, "blank text");
    assert_eq!(visitor_messages(&server, &source_id, id).await.len(), 1);
}

#[tokio::test]
async fn resolving_sends_the_visitor_the_csat_survey() {
    let server = TestServer::start().await;
    let (source_id, _, id) = server.conversation().await;
    let toggle = conversation(&server, id, "/toggle_status");
    let (status, answer) = server
        .agent("POST", &toggle, Some(json!({"status": "resolved"})))
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer,
        json!({"meta": {}, "payload": {"success": true, "current_status": "resolved", "conversation_id": id}})
    );
    let seen = visitor_messages(&server, &source_id, id).await;
    let survey: Vec<&Value> = seen
        .iter()
        .filter(|message| message["content_type"] == "input_csat")
        .collect();
    assert_eq!(survey.len(), 1, "{seen:?}");
    assert_eq!(survey[0]["message_type"], 3);
    assert!(
        seen.iter().all(|message| message["message_type"] != 2),
        "activity notes are the agents' only"
    );
    let (_, shown) = server
        .call(
            "GET",
            &server.public(&format!("/contacts/{source_id}/conversations/{id}")),
            None,
        )
        .await;
    assert_eq!(shown["status"], "resolved");

    // Without a body it toggles back to open.
    let (status, answer) = server.agent("POST", &toggle, None).await;
    assert_eq!(status, 200);
    assert_eq!(answer["payload"]["current_status"], "open");
    let (status, answer) = server
        .agent("POST", &toggle, Some(json!({"status": "pending"})))
        .await;
    assert_eq!(
        (status, &answer["payload"]["current_status"]),
        (200, &json!("pending"))
    );
    let (status, _) = server
        .agent("POST", &toggle, Some(json!({"status": "closed"})))
        .await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn assignment_priority_labels_and_attributes() {
    let server = TestServer::start().await;
    let me = profile(&server).await["id"].as_i64().unwrap();
    let (source_id, _, id) = server.conversation().await;
    let (_, _, other) = server.conversation().await;

    let assignments = conversation(&server, id, "/assignments");
    let (status, agent) = server
        .agent("POST", &assignments, Some(json!({"assignee_id": me})))
        .await;
    assert_eq!(status, 200, "{agent}");
    assert_eq!(agent["role"], "administrator");
    let (status, _) = server
        .agent("POST", &assignments, Some(json!({"assignee_id": 424242})))
        .await;
    assert_eq!(status, 404, "an unknown agent does not silently unassign");
    let (_, shown) = server
        .agent("GET", &conversation(&server, id, ""), None)
        .await;
    assert_eq!(shown["assignee_id"], me, "still assigned");

    let (status, _) = server
        .agent(
            "POST",
            &conversation(&server, id, "/toggle_priority"),
            Some(json!({"priority": "urgent"})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = server
        .agent(
            "POST",
            &conversation(&server, id, "/toggle_priority"),
            Some(json!({"priority": "critical"})),
        )
        .await;
    assert_eq!(status, 422);

    let labels = conversation(&server, id, "/labels");
    let (status, set) = server
        .agent(
            "POST",
            &labels,
            Some(json!({"labels": ["VIP", "billing", "vip"]})),
        )
        .await;
    assert_eq!(status, 200, "{set}");
    assert_eq!(set, json!({"payload": ["billing", "vip"]}));
    let (status, set) = server
        .agent("POST", &labels, Some(json!({"labels": ["billing"]})))
        .await;
    assert_eq!(
        (status, set),
        (200, json!({"payload": ["billing"]})),
        "replaces the set"
    );
    let (_, got) = server.agent("GET", &labels, None).await;
    assert_eq!(got, json!({"payload": ["billing"]}));
    let (_, filtered) = server
        .agent(
            "GET",
            &server.account("/conversations?labels[]=billing"),
            None,
        )
        .await;
    let ids: Vec<&Value> = filtered["data"]["payload"]
        .as_array()
        .unwrap()
        .iter()
        .map(|conversation| &conversation["id"])
        .collect();
    assert_eq!(ids, vec![&json!(id)], "only the labelled one, not {other}");

    let (status, attributes) = server
        .agent(
            "POST",
            &conversation(&server, id, "/custom_attributes"),
            Some(json!({"custom_attributes": {"order_id": "12345"}})),
        )
        .await;
    assert_eq!(
        (status, attributes),
        (200, json!({"custom_attributes": {"order_id": "12345"}}))
    );

    let (_, shown) = server
        .agent("GET", &conversation(&server, id, ""), None)
        .await;
    assert_eq!(shown["priority"], "urgent");
    assert_eq!(shown["labels"], json!(["billing"]));
    assert_eq!(shown["custom_attributes"], json!({"order_id": "12345"}));
    assert_eq!(shown["meta"]["assignee"]["id"], me);

    // The agents see what happened as activity notes; the visitor does not.
    let (_, listed) = server
        .agent("GET", &conversation(&server, id, "/messages"), None)
        .await;
    let notes: Vec<&str> = listed["payload"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|message| message["message_type"] == 2)
        .map(|message| message["content"].as_str().unwrap())
        .collect();
    assert_eq!(
        notes,
        vec![
            "Admin self-assigned this conversation",
            "Admin set the priority to urgent",
            "Admin added billing, vip",
            "Admin removed vip",
        ]
    );
    assert!(visitor_messages(&server, &source_id, id).await.is_empty());

    let (status, unassigned) = server
        .agent("POST", &assignments, Some(json!({"assignee_id": null})))
        .await;
    assert_eq!((status, unassigned), (200, Value::Null));
    let (_, shown) = server
        .agent("GET", &conversation(&server, id, ""), None)
        .await;
    assert_eq!(shown["assignee_id"], Value::Null);
}

#[tokio::test]
async fn a_deleted_message_is_blanked_for_the_visitor_too() {
    let server = TestServer::start().await;
    let (source_id, visitor_token, id) = server.conversation().await;
    let (status, message) = server
        .agent(
            "POST",
            &conversation(&server, id, "/messages"),
            Some(json!({"content": "wrong customer, sorry"})),
        )
        .await;
    assert_eq!(status, 200);
    let message_id = message["id"].as_u64().unwrap();
    let mut visitor = Cable::connect(&server.base).await;
    visitor.subscribe(&visitor_token).await;

    let (status, deleted) = server
        .agent(
            "DELETE",
            &conversation(&server, id, &format!("/messages/{message_id}")),
            None,
        )
        .await;
    assert_eq!(status, 200, "{deleted}");
    assert_eq!(deleted["content"], "This message was deleted");
    assert_eq!(deleted["content_attributes"], json!({"deleted": true}));

    let updated = visitor.event_named("message.updated").await;
    assert_eq!(updated["id"], message_id);
    assert_eq!(updated["content"], "This message was deleted");
    assert!(
        !updated.to_string().contains("wrong customer"),
        "the old text does not travel with the update: {updated}"
    );
    let seen = visitor_messages(&server, &source_id, id).await;
    assert_eq!(seen[0]["content"], "This message was deleted");
    assert_eq!(seen[0]["content_attributes"]["deleted"], true);

    let (status, error) = server
        .agent(
            "DELETE",
            &conversation(&server, id, "/messages/999999"),
            None,
        )
        .await;
    assert_eq!(
        (status, error),
        (404, json!({"status": 404, "error": "Not Found"}))
    );
}

#[tokio::test]
async fn contacts_list_create_search_and_update() {
    let server = TestServer::start().await;
    // An anonymous visitor has nothing to be found by, so is not listed.
    server.visitor().await;
    let (_, inboxes) = server.agent("GET", &server.account("/inboxes"), None).await;
    let inbox_id = inboxes["payload"][0]["id"].as_i64().unwrap();

    let (status, created) = server
        .agent(
            "POST",
            &server.account("/contacts"),
            Some(json!({
                "inbox_id": inbox_id,
                "name": "Jane Doe",
                "email": "Jane@Example.com",
                "phone_number": "+1 (555) 010-9999",
                "identifier": "crm-42",
                "custom_attributes": {"plan": "pro"},
            })),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    let contact = &created["payload"]["contact"];
    assert_eq!(contact["email"], "jane@example.com");
    assert_eq!(contact["phone_number"], "+15550109999");
    assert_eq!(contact["custom_attributes"], json!({"plan": "pro"}));
    let contact_id = contact["id"].as_i64().unwrap();
    let source_id = created["payload"]["contact_inbox"]["source_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        contact["contact_inboxes"][0]["source_id"],
        source_id.as_str()
    );

    // The contact can chat in the inbox with that source id.
    let (status, public) = server
        .call(
            "GET",
            &server.public(&format!("/contacts/{source_id}")),
            None,
        )
        .await;
    assert_eq!((status, &public["id"]), (200, &json!(contact_id)));
    let (status, started) = server
        .call(
            "POST",
            &server.public(&format!("/contacts/{source_id}/conversations")),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, conversations) = server
        .agent(
            "GET",
            &server.account(&format!("/contacts/{contact_id}/conversations")),
            None,
        )
        .await;
    assert_eq!(status, 200, "{conversations}");
    assert_eq!(conversations["payload"][0]["id"], started["id"]);

    let (status, list) = server
        .agent("GET", &server.account("/contacts"), None)
        .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["meta"], json!({"count": 1, "current_page": 1}));
    assert_eq!(list["payload"][0]["id"], contact_id);

    let search = |q: &str| server.account(&format!("/contacts/search?q={q}"));
    for q in ["jane", "EXAMPLE.COM", "crm-4", "5550109"] {
        let (status, found) = server.agent("GET", &search(q), None).await;
        assert_eq!(status, 200, "{q}: {found}");
        assert_eq!(found["meta"]["count"], 1, "{q}");
        assert_eq!(found["payload"][0]["id"], contact_id, "{q}");
    }
    let (_, none) = server.agent("GET", &search("nobody"), None).await;
    assert_eq!(none["payload"], json!([]));
    let (_, wildcard) = server.agent("GET", &search("%25"), None).await;
    assert_eq!(
        wildcard["meta"]["count"], 0,
        "% is a character, not a wildcard"
    );
    let (status, _) = server
        .agent("GET", &server.account("/contacts/search"), None)
        .await;
    assert_eq!(status, 422, "a search needs q");

    let (status, error) = server
        .agent(
            "POST",
            &server.account("/contacts"),
            Some(json!({"name": "Copy", "email": "jane@example.com"})),
        )
        .await;
    assert_eq!(status, 422, "{error}");
    assert_eq!(error["attributes"], json!(["email"]));

    let (status, updated) = server
        .agent(
            "PUT",
            &server.account(&format!("/contacts/{contact_id}")),
            Some(json!({"name": "Jane Smith", "custom_attributes": {"seats": 5}})),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["payload"]["name"], "Jane Smith");
    assert_eq!(
        updated["payload"]["custom_attributes"],
        json!({"plan": "pro", "seats": 5}),
        "attributes merge"
    );
    let (status, shown) = server
        .agent(
            "GET",
            &server.account(&format!("/contacts/{contact_id}")),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(shown["payload"]["email"], "jane@example.com", "untouched");
}

#[tokio::test]
async fn agents_and_teams() {
    let server = TestServer::start().await;
    let me = profile(&server).await["id"].as_i64().unwrap();
    let (status, agents) = server.agent("GET", &server.account("/agents"), None).await;
    assert_eq!(status, 200, "{agents}");
    assert_eq!(agents[0]["id"], me);
    assert_eq!(agents[0]["role"], "administrator");

    let teams = server.account("/teams");
    let (status, team) = server
        .agent(
            "POST",
            &teams,
            Some(json!({"name": "Sales", "description": "Deals"})),
        )
        .await;
    assert_eq!(status, 200, "{team}");
    assert_eq!(team["name"], "sales");
    let team_id = team["id"].as_i64().unwrap();
    let (status, _) = server
        .agent("POST", &teams, Some(json!({"name": "SALES"})))
        .await;
    assert_eq!(status, 422, "names are unique");

    let (_, _, id) = server.conversation().await;
    let (status, assigned) = server
        .agent(
            "POST",
            &conversation(&server, id, "/assignments"),
            Some(json!({"team_id": team_id})),
        )
        .await;
    assert_eq!((status, &assigned["id"]), (200, &json!(team_id)));
    let (_, shown) = server
        .agent("GET", &conversation(&server, id, ""), None)
        .await;
    assert_eq!(shown["team_id"], team_id);

    let one = server.account(&format!("/teams/{team_id}"));
    let (status, renamed) = server
        .agent("PATCH", &one, Some(json!({"name": "Enterprise Sales"})))
        .await;
    assert_eq!(status, 200);
    assert_eq!(renamed["name"], "enterprise sales");
    assert_eq!(renamed["description"], "Deals");
    let (_, list) = server.agent("GET", &teams, None).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (status, _) = server.agent("DELETE", &one, None).await;
    assert_eq!(status, 200);
    let (status, _) = server.agent("GET", &one, None).await;
    assert_eq!(status, 404);
    let (_, shown) = server
        .agent("GET", &conversation(&server, id, ""), None)
        .await;
    assert_eq!(
        shown["team_id"],
        Value::Null,
        "the conversation stays, without the team"
    );
}

#[tokio::test]
async fn unknown_ids_are_404_in_chatwoots_shape() {
    let server = TestServer::start().await;
    let (_, _, id) = server.conversation().await;
    let not_found = json!({"status": 404, "error": "Not Found"});
    for (method, path) in [
        ("GET", "/conversations/424242".to_owned()),
        ("GET", "/conversations/abc".to_owned()),
        ("GET", "/conversations/424242/messages".to_owned()),
        ("POST", "/conversations/424242/messages".to_owned()),
        ("POST", "/conversations/424242/toggle_status".to_owned()),
        ("DELETE", format!("/conversations/{id}/messages/424242")),
        ("GET", "/contacts/424242".to_owned()),
        ("GET", "/inboxes/424242".to_owned()),
        ("PATCH", "/inboxes/424242".to_owned()),
        ("GET", "/teams/424242".to_owned()),
    ] {
        let body = (method != "GET" && method != "DELETE").then(|| json!({"content": "x"}));
        let (status, error) = server.agent(method, &server.account(&path), body).await;
        assert_eq!((status, &error), (404, &not_found), "{method} {path}");
    }
}

#[tokio::test]
async fn reading_the_messages_clears_the_unread_count() {
    let server = TestServer::start().await;
    let (source_id, _, id) = server.conversation().await;
    for text in ["one", "two"] {
        let (status, _) = server
            .call(
                "POST",
                &server.public(&format!(
                    "/contacts/{source_id}/conversations/{id}/messages"
                )),
                Some(json!({"content": text})),
            )
            .await;
        assert_eq!(status, 200);
    }
    async fn unread(server: &TestServer, id: u64) -> Value {
        let url = conversation(server, id, "");
        server.agent("GET", &url, None).await.1["unread_count"].clone()
    }
    assert_eq!(unread(&server, id).await, 2);
    let (status, _) = server
        .agent("GET", &conversation(&server, id, "/messages"), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        unread(&server, id).await,
        0,
        "reading the latest page is seeing it"
    );

    tokio::time::sleep(Duration::from_millis(5)).await;
    let (status, _) = server
        .call(
            "POST",
            &server.public(&format!(
                "/contacts/{source_id}/conversations/{id}/messages"
            )),
            Some(json!({"content": "three"})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(unread(&server, id).await, 1);
    let (status, _) = server
        .agent(
            "POST",
            &conversation(&server, id, "/update_last_seen"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(unread(&server, id).await, 0);
}
