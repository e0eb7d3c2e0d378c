//! The public client API: every route's happy path and its errors, the
//! isolation between visitors, idempotent creates and attachments.

use ferrochat_core::chatwoot::{Contact, Conversation, Message, PublicInbox};
use ferrochat_core::identity::identifier_hash;
use serde_json::{Value, json};

use crate::support::TestServer;

#[tokio::test]
async fn inbox_contact_conversation_and_messages_round_trip() {
    let server = TestServer::start().await;
    let (status, inbox) = server.call("GET", &server.public(""), None).await;
    assert_eq!(status, 200);
    let inbox: PublicInbox = serde_json::from_value(inbox).unwrap();
    assert_eq!(inbox.identifier, server.inbox);
    assert_eq!(inbox.working_hours.len(), 7);
    assert!(inbox.csat_survey_enabled);

    let (status, contact) = server
        .call(
            "POST",
            &server.public("/contacts"),
            Some(json!({"name": "Ada", "email": "ada@example.com", "custom_attributes": {"plan": "pro"}})),
        )
        .await;
    assert_eq!(status, 200, "{contact}");
    let contact: Contact = serde_json::from_value(contact).unwrap();
    let source_id = contact.source_id.clone().unwrap();
    assert!(source_id.len() >= 32, "source ids carry 128 bits");
    assert!(contact.pubsub_token.as_ref().unwrap().len() >= 32);
    assert_eq!(contact.name.as_deref(), Some("Ada"));

    let (status, shown) = server
        .call(
            "GET",
            &server.public(&format!("/contacts/{source_id}")),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_value::<Contact>(shown).unwrap(), contact);

    let (status, updated) = server
        .call(
            "PATCH",
            &server.public(&format!("/contacts/{source_id}")),
            Some(json!({"name": "Ada Lovelace", "identifier": "ignored", "custom_attributes": {"seats": 3}})),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["name"], "Ada Lovelace");
    assert_eq!(
        updated["identifier"],
        Value::Null,
        "identifier is ignored on update"
    );
    assert_eq!(
        updated["custom_attributes"],
        json!({"plan": "pro", "seats": 3})
    );

    let conversations = format!("/contacts/{source_id}/conversations");
    let (status, created) = server
        .call(
            "POST",
            &server.public(&conversations),
            Some(json!({"custom_attributes": {"page": "/pricing"}})),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    let created: Conversation = serde_json::from_value(created).unwrap();
    assert_eq!(created.status.as_str(), "open");
    let id = created.id.0;

    let messages = format!("{conversations}/{id}/messages");
    let (status, sent) = server
        .call(
            "POST",
            &server.public(&messages),
            Some(json!({"content": "Hello **there**", "echo_id": "tmp-1"})),
        )
        .await;
    assert_eq!(status, 200, "{sent}");
    let sent: Message = serde_json::from_value(sent).unwrap();
    assert_eq!(sent.content.as_deref(), Some("Hello **there**"));
    assert_eq!(sent.message_type.code(), 0);
    assert_eq!(sent.conversation_id.0, id);
    assert_eq!(sent.echo_id.as_deref(), Some("tmp-1"));
    assert_eq!(sent.sender.as_ref().unwrap().kind.as_str(), "contact");

    let (status, list) = server.call("GET", &server.public(&messages), None).await;
    assert_eq!(status, 200);
    let list: Vec<Message> = serde_json::from_value(list).unwrap();
    assert_eq!(list.iter().map(|m| m.id).collect::<Vec<_>>(), vec![sent.id]);

    let (status, listed) = server
        .call("GET", &server.public(&conversations), None)
        .await;
    assert_eq!(status, 200);
    let listed: Vec<Conversation> = serde_json::from_value(listed).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].messages.len(), 1);
    assert_eq!(listed[0].contact["name"], "Ada Lovelace");

    let (status, shown) = server
        .call(
            "GET",
            &server.public(&format!("{conversations}/{id}")),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(shown["uuid"], json!(created.uuid));

    let (status, body) = server
        .call(
            "POST",
            &server.public(&format!("{conversations}/{id}/update_last_seen")),
            None,
        )
        .await;
    assert_eq!((status, body), (200, Value::Null));
    let (_, shown) = server
        .call(
            "GET",
            &server.public(&format!("{conversations}/{id}")),
            None,
        )
        .await;
    assert!(shown["contact_last_seen_at"].as_i64().unwrap() > 0);

    let (status, _) = server
        .call(
            "POST",
            &server.public(&format!("{conversations}/{id}/toggle_typing")),
            Some(json!({"typing_status": "on"})),
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn messages_page_by_twenty_before_and_after() {
    let server = TestServer::start().await;
    let (source_id, _, id) = server.conversation().await;
    let messages = server.public(&format!(
        "/contacts/{source_id}/conversations/{id}/messages"
    ));
    let mut ids = Vec::new();
    for n in 0..45 {
        let (status, sent) = server
            .call(
                "POST",
                &messages,
                Some(json!({"content": format!("message {n}")})),
            )
            .await;
        assert_eq!(status, 200);
        ids.push(sent["id"].as_u64().unwrap());
    }
    let page = |body: Value| -> Vec<u64> {
        body.as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_u64().unwrap())
            .collect()
    };
    let (_, latest) = server.call("GET", &messages, None).await;
    assert_eq!(
        page(latest),
        ids[25..45].to_vec(),
        "the latest 20, oldest first"
    );
    let (_, before) = server
        .call("GET", &format!("{messages}?before={}", ids[25]), None)
        .await;
    assert_eq!(page(before), ids[5..25].to_vec());
    let (_, after) = server
        .call("GET", &format!("{messages}?after={}", ids[40]), None)
        .await;
    assert_eq!(page(after), ids[41..45].to_vec(), "a reconnect's backfill");
    let (status, bad) = server
        .call("GET", &format!("{messages}?before=abc"), None)
        .await;
    assert_eq!(status, 400, "{bad}");
}

#[tokio::test]
async fn unknown_things_are_404_in_chatwoots_shape() {
    let server = TestServer::start().await;
    let (source_id, _, id) = server.conversation().await;
    let not_found = json!({"status": 404, "error": "Not Found"});
    let inbox_base = format!("{}/public/api/v1/inboxes", server.base);
    for (method, url) in [
        ("GET", format!("{inbox_base}/no-such-inbox")),
        ("POST", format!("{inbox_base}/no-such-inbox/contacts")),
        ("GET", server.public("/contacts/no-such-contact")),
        (
            "GET",
            server.public("/contacts/no-such-contact/conversations"),
        ),
        (
            "GET",
            server.public(&format!(
                "/contacts/{source_id}/conversations/{}",
                id + 1000
            )),
        ),
        (
            "GET",
            server.public(&format!("/contacts/{source_id}/conversations/abc")),
        ),
        (
            "GET",
            server.public(&format!(
                "/contacts/{source_id}/conversations/{}/messages",
                id + 1000
            )),
        ),
        (
            "PATCH",
            server.public(&format!(
                "/contacts/{source_id}/conversations/{id}/messages/999999"
            )),
        ),
        (
            "GET",
            format!("{}/public/api/v1/csat_survey/not-a-uuid", server.base),
        ),
    ] {
        let body = (method == "POST" || method == "PATCH").then(|| json!({"submitted_values": []}));
        let (status, error) = server.call(method, &url, body).await;
        assert_eq!((status, &error), (404, &not_found), "{method} {url}");
    }
}

#[tokio::test]
async fn bad_input_gets_a_clear_json_error_and_loses_nothing() {
    let server = TestServer::start().await;
    let (source_id, _, id) = server.conversation().await;
    let messages = server.public(&format!(
        "/contacts/{source_id}/conversations/{id}/messages"
    ));

    let (status, error) = server
        .call(
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
        .call(
            "POST",
            &messages,
            Some(json!({"content": "x".repeat(150_000)})),
        )
        .await;
    assert_eq!(status, 200, "exactly the limit is fine");

    let (status, error) = server
        .call("POST", &messages, Some(json!({"content": "  "})))
        .await;
    assert_eq!(status, 422, "{error}");

    let response = server
        .http
        .post(&messages)
        .header("content-type", "application/json")
        .body("{\"content\": ")
        .send()
        .await
        .unwrap();
    let (status, error) = crate::support::read(response).await;
    assert_eq!(status, 400);
    assert!(
        error["error"].as_str().unwrap().contains("malformed JSON"),
        "{error}"
    );

    let (status, error) = server
        .call("POST", &messages, Some(json!({"content": ["not", "text"]})))
        .await;
    assert_eq!(status, 422, "{error}");

    let response = server
        .http
        .post(&messages)
        .header("content-type", "application/json")
        .body(vec![b' '; 3 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    let (status, error) = crate::support::read(response).await;
    assert_eq!(status, 413, "{error}");

    let (status, error) = server
        .call(
            "POST",
            &server.public("/contacts"),
            Some(json!({"email": "not-an-email"})),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(error["attributes"], json!(["email"]));

    let (_, list) = server.call("GET", &messages, None).await;
    assert_eq!(
        list.as_array().unwrap().len(),
        1,
        "only the valid message was stored"
    );
}

#[tokio::test]
async fn a_visitor_never_reaches_another_visitors_data() {
    let server = TestServer::start().await;
    let (alice, _, alice_conversation) = server.conversation().await;
    let (bob, _, bob_conversation) = server.conversation().await;
    let say = |source: &str, conversation: u64| {
        server.public(&format!(
            "/contacts/{source}/conversations/{conversation}/messages"
        ))
    };
    let (status, _) = server
        .call(
            "POST",
            &say(&alice, alice_conversation),
            Some(json!({"content": "alice's secret"})),
        )
        .await;
    assert_eq!(status, 200);

    // Bob, holding his own valid source id, guesses Alice's conversation id.
    for (method, path) in [
        (
            "GET",
            format!("/contacts/{bob}/conversations/{alice_conversation}"),
        ),
        (
            "GET",
            format!("/contacts/{bob}/conversations/{alice_conversation}/messages"),
        ),
        (
            "POST",
            format!("/contacts/{bob}/conversations/{alice_conversation}/messages"),
        ),
        (
            "POST",
            format!("/contacts/{bob}/conversations/{alice_conversation}/toggle_status"),
        ),
        (
            "POST",
            format!("/contacts/{bob}/conversations/{alice_conversation}/toggle_typing"),
        ),
        (
            "POST",
            format!("/contacts/{bob}/conversations/{alice_conversation}/update_last_seen"),
        ),
    ] {
        let body = Some(json!({"content": "bob was here", "typing_status": "on"}));
        let (status, answer) = server.call(method, &server.public(&path), body).await;
        assert_eq!(status, 404, "{method} {path}: {answer}");
    }
    let (_, bobs) = server
        .call(
            "GET",
            &server.public(&format!("/contacts/{bob}/conversations")),
            None,
        )
        .await;
    let ids: Vec<u64> = bobs
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, vec![bob_conversation]);

    // Alice's conversation is untouched.
    let (_, alices) = server
        .call("GET", &say(&alice, alice_conversation), None)
        .await;
    let contents: Vec<&str> = alices
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(contents, vec!["alice's secret"]);
    let (_, shown) = server
        .call(
            "GET",
            &server.public(&format!(
                "/contacts/{alice}/conversations/{alice_conversation}"
            )),
            None,
        )
        .await;
    assert_eq!(shown["status"], "open");

    // The same source id in another inbox names nobody there.
    let (status, inbox) = server
        .agent(
            "POST",
            &server.account("/inboxes"),
            Some(json!({"name": "Other", "channel": {"type": "api"}})),
        )
        .await;
    assert_eq!(status, 200, "{inbox}");
    {
        let other = inbox["inbox_identifier"].as_str().unwrap().to_owned();
        let url = format!(
            "{}/public/api/v1/inboxes/{other}/contacts/{alice}/conversations/{alice_conversation}",
            server.base
        );
        let (status, _) = server.call("GET", &url, None).await;
        assert_eq!(status, 404);
    }

    // Typing an existing visitor's email does not attach a new visitor to them.
    let (_, first) = server
        .call("POST", &server.public("/contacts"), Some(json!({"email": "victim@example.com", "name": "Victim", "phone_number": "+15550001111"})))
        .await;
    let (_, second) = server
        .call(
            "POST",
            &server.public("/contacts"),
            Some(json!({"email": "victim@example.com"})),
        )
        .await;
    assert_ne!(first["id"], second["id"]);
    assert_eq!(second["name"], Value::Null);
    assert_eq!(second["phone_number"], Value::Null);
}

#[tokio::test]
async fn echo_id_makes_a_retried_create_idempotent() {
    let server = TestServer::start().await;
    let (source_id, _, id) = server.conversation().await;
    let messages = server.public(&format!(
        "/contacts/{source_id}/conversations/{id}/messages"
    ));
    let body = json!({"content": "sent twice", "echo_id": "retry-me"});
    let (status, first) = server.call("POST", &messages, Some(body.clone())).await;
    assert_eq!(status, 200);
    let (status, second) = server.call("POST", &messages, Some(body)).await;
    assert_eq!(status, 200);
    assert_eq!(first["id"], second["id"]);
    let (_, other) = server
        .call(
            "POST",
            &messages,
            Some(json!({"content": "new", "echo_id": "another"})),
        )
        .await;
    assert_ne!(other["id"], first["id"]);
    let (_, list) = server.call("GET", &messages, None).await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    // The same echo id in another conversation is a new message.
    let (source_2, _, id_2) = server.conversation().await;
    let (_, elsewhere) = server
        .call(
            "POST",
            &server.public(&format!(
                "/contacts/{source_2}/conversations/{id_2}/messages"
            )),
            Some(json!({"content": "sent twice", "echo_id": "retry-me"})),
        )
        .await;
    assert_ne!(elsewhere["id"], first["id"]);
}

/// Creates that arrive together are written together; each still gets its
/// own message, and repeats of an `echo_id` the first one's, whether the
/// first was written in the same batch or an earlier one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates_keep_their_own_messages_and_echo_ids() {
    let server = TestServer::start().await;
    let mut urls = Vec::new();
    let mut conversations = Vec::new();
    for _ in 0..2 {
        let (source_id, _, id) = server.conversation().await;
        urls.push(server.public(&format!(
            "/contacts/{source_id}/conversations/{id}/messages"
        )));
        conversations.push(id);
    }
    let (_, early) = server
        .call(
            "POST",
            &urls[0],
            Some(json!({"content": "early", "echo_id": "echo-0"})),
        )
        .await;
    // 2 conversations × 40 creates: echo ids 0–9 four times each, and 40
    // without an echo id.
    let sends = (0..80).map(|n| {
        let url = urls[n / 40].clone();
        let body = if n % 4 == 3 {
            json!({"content": format!("plain {n}")})
        } else {
            json!({"content": format!("echo {}", n % 10), "echo_id": format!("echo-{}", n % 10)})
        };
        let server = &server;
        async move {
            (
                url.clone(),
                body.clone(),
                server.call("POST", &url, Some(body)).await,
            )
        }
    });
    let answers = futures_util::future::join_all(sends).await;
    let mut by_echo = std::collections::HashMap::new();
    let mut ids = std::collections::HashSet::new();
    for (url, body, (status, message)) in answers {
        assert_eq!(status, 200, "{message}");
        ids.insert(message["id"].as_i64().unwrap());
        match body["echo_id"].as_str() {
            Some(echo) => {
                assert_eq!(message["echo_id"], body["echo_id"]);
                let first = by_echo
                    .entry((url.clone(), echo.to_owned()))
                    .or_insert_with(|| message["id"].clone());
                assert_eq!(*first, message["id"], "{echo} in {url}");
                if url == urls[0] && echo == "echo-0" {
                    assert_eq!(message["id"], early["id"]);
                    assert_eq!(message["content"], "early");
                } else {
                    assert_eq!(message["content"], body["content"]);
                }
            }
            None => assert_eq!(message["content"], body["content"]),
        }
    }
    let echoed = by_echo.len();
    assert_eq!(echoed, 20, "echo ids are per conversation");
    // One message per echo id per conversation, one per plain create, and
    // the early one (which one of the echo-0 keys already counts).
    assert_eq!(ids.len(), echoed + 20);
    let mut stored = 0;
    for (url, id) in urls.iter().zip(conversations) {
        let (_, list) = server.call("GET", url, None).await;
        let list = list.as_array().unwrap();
        stored += list.len();
        for message in list {
            assert!(ids.contains(&message["id"].as_i64().unwrap()));
        }
        // Every stored message is the visitor's, none read by an agent.
        let (_, conversation) = server
            .agent(
                "GET",
                &server.account(&format!("/conversations/{id}")),
                None,
            )
            .await;
        assert_eq!(conversation["unread_count"], list.len());
    }
    assert_eq!(stored, ids.len());
}

#[tokio::test]
async fn identity_hashes_are_checked() {
    let server = TestServer::start().await;
    let (_, inboxes) = server.agent("GET", &server.account("/inboxes"), None).await;
    let hmac_token = inboxes["payload"][0]["hmac_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let good = identifier_hash(&hmac_token, "user-42");
    let (status, verified) = server
        .call("POST", &server.public("/contacts"), Some(json!({"identifier": "user-42", "identifier_hash": good, "email": "u42@example.com"})))
        .await;
    assert_eq!(status, 200, "{verified}");
    let (status, again) = server
        .call(
            "POST",
            &server.public("/contacts"),
            Some(json!({"identifier": "user-42", "identifier_hash": good})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        again["id"], verified["id"],
        "a verified identifier finds its contact"
    );
    assert_ne!(again["source_id"], verified["source_id"]);

    let error = json!({"error": "HMAC failed: Invalid Identifier Hash Provided"});
    for body in [
        json!({"identifier": "user-42", "identifier_hash": "0".repeat(64)}),
        json!({"identifier": "user-42", "identifier_hash": good.to_uppercase()}),
        json!({"identifier": "user-43", "identifier_hash": good}),
        json!({"identifier_hash": good}),
    ] {
        let (status, answer) = server
            .call("POST", &server.public("/contacts"), Some(body.clone()))
            .await;
        assert_eq!((status, answer), (401, error.clone()), "{body}");
    }

    let (status, _) = server
        .agent(
            "PATCH",
            &server.account(&format!("/inboxes/{}", 1)),
            Some(json!({"channel": {"hmac_mandatory": true}})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, answer) = server
        .call(
            "POST",
            &server.public("/contacts"),
            Some(json!({"name": "anon"})),
        )
        .await;
    assert_eq!(
        (status, answer),
        (401, error.clone()),
        "hmac_mandatory refuses an unverified contact"
    );
    let (status, _) = server
        .call(
            "POST",
            &server.public("/contacts"),
            Some(json!({"identifier": "user-42", "identifier_hash": good})),
        )
        .await;
    assert_eq!(status, 200);
    let (_, inbox) = server.call("GET", &server.public(""), None).await;
    assert_eq!(inbox["identity_validation_enabled"], true);
}

#[tokio::test]
async fn resolving_reopening_and_the_csat_survey() {
    let server = TestServer::start().await;
    let (source_id, _, id) = server.conversation().await;
    let conversation = server.public(&format!("/contacts/{source_id}/conversations/{id}"));
    let (status, resolved) = server
        .call("POST", &format!("{conversation}/toggle_status"), None)
        .await;
    assert_eq!(status, 200, "{resolved}");
    assert_eq!(resolved["status"], "resolved");
    let (status, again) = server
        .call("POST", &format!("{conversation}/toggle_status"), None)
        .await;
    assert_eq!((status, &again["status"]), (200, &json!("resolved")));

    let (_, messages) = server
        .call("GET", &format!("{conversation}/messages"), None)
        .await;
    let messages = messages.as_array().unwrap();
    assert_eq!(
        messages.len(),
        1,
        "activity messages are not shown: {messages:?}"
    );
    let survey = &messages[0];
    assert_eq!(survey["content_type"], "input_csat");
    assert_eq!(survey["message_type"], 3);
    let survey_id = survey["id"].as_u64().unwrap();
    let answer_url = format!("{conversation}/messages/{survey_id}");

    let (status, error) = server
        .call(
            "PATCH",
            &answer_url,
            Some(json!({"submitted_values": {"csat_survey_response": {"rating": 6}}})),
        )
        .await;
    assert_eq!(status, 422, "{error}");
    let (status, answered) = server
        .call(
            "PATCH",
            &answer_url,
            Some(json!({"submitted_values": {"csat_survey_response": {"rating": 5, "feedback_message": "great"}}})),
        )
        .await;
    assert_eq!(status, 200, "{answered}");
    assert_eq!(
        answered["content_attributes"]["submitted_values"]["csat_survey_response"]["rating"],
        5
    );
    let (_, shown) = server.call("GET", &conversation, None).await;
    let uuid = shown["uuid"].as_str().unwrap().to_owned();
    let (status, page) = server
        .call(
            "GET",
            &format!("{}/public/api/v1/csat_survey/{uuid}", server.base),
            None,
        )
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["csat_survey_response"]["rating"], 5);
    assert_eq!(page["csat_survey_response"]["feedback_message"], "great");
    assert_eq!(page["inbox_name"], "Website");
    let (status, page) = server
        .call(
            "PATCH",
            &format!("{}/public/api/v1/csat_survey/{uuid}", server.base),
            Some(json!({"message": {"submitted_values": {"csat_survey_response": {"rating": 3, "feedback_message": "ok"}}}})),
        )
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["csat_survey_response"]["rating"], 3);

    // An incoming message reopens a resolved conversation.
    let (status, _) = server
        .call(
            "POST",
            &format!("{conversation}/messages"),
            Some(json!({"content": "one more thing"})),
        )
        .await;
    assert_eq!(status, 200);
    let (_, shown) = server.call("GET", &conversation, None).await;
    assert_eq!(shown["status"], "open");
}

#[tokio::test]
async fn answers_must_fit_the_question() {
    let server = TestServer::start().await;
    let (source_id, _, id) = server.conversation().await;
    let messages = server.public(&format!(
        "/contacts/{source_id}/conversations/{id}/messages"
    ));
    let (_, text) = server
        .call("POST", &messages, Some(json!({"content": "plain"})))
        .await;
    let (status, error) = server
        .call(
            "PATCH",
            &format!("{messages}/{}", text["id"]),
            Some(json!({"submitted_values": [{"title": "Yes", "value": "yes"}]})),
        )
        .await;
    assert_eq!(status, 422, "a text message takes no answer: {error}");
    assert_eq!(error["attributes"], json!(["submitted_values"]));
    let (status, error) = server
        .call(
            "PATCH",
            &format!("{messages}/{}", text["id"]),
            Some(json!({"submitted_values": "yes"})),
        )
        .await;
    assert_eq!(status, 422, "{error}");
}

#[tokio::test]
async fn attachments_upload_and_download() {
    let server = TestServer::start().await;
    let (source_id, _, id) = server.conversation().await;
    let messages = server.public(&format!(
        "/contacts/{source_id}/conversations/{id}/messages"
    ));
    // A 2x1 PNG.
    let png: Vec<u8> = crate::support::PNG_2X1.to_vec();
    let form = reqwest::multipart::Form::new()
        .text("content", "see attached")
        .text("echo_id", "upload-1")
        .part(
            "attachments[]",
            reqwest::multipart::Part::bytes(png.clone())
                .file_name("../../shot.png")
                .mime_str("text/html")
                .unwrap(),
        )
        .part(
            "attachments[]",
            reqwest::multipart::Part::bytes(b"<script>alert(1)</script>".to_vec())
                .file_name("evil.html")
                .mime_str("text/html")
                .unwrap(),
        );
    let response = server
        .http
        .post(&messages)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let (status, message) = crate::support::read(response).await;
    assert_eq!(status, 200, "{message}");
    assert_eq!(message["content"], "see attached");
    let attachments = message["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 2);
    assert_eq!(attachments[0]["file_type"], "image");
    assert_eq!(attachments[0]["file_size"], png.len());
    assert_eq!(attachments[0]["width"], 2);
    assert_eq!(attachments[0]["height"], 1);
    assert_eq!(attachments[0]["extension"], "png");
    assert_eq!(attachments[1]["file_type"], "file");

    let image = server
        .http
        .get(attachments[0]["data_url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(image.status(), 200);
    assert_eq!(
        image.headers()["content-type"],
        "image/png",
        "typed by its bytes, not its claim"
    );
    assert_eq!(image.headers()["x-content-type-options"], "nosniff");
    assert_eq!(image.bytes().await.unwrap().to_vec(), png);

    let page = server
        .http
        .get(attachments[1]["data_url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(page.headers()["content-type"], "application/octet-stream");
    assert!(
        page.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert!(
        page.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );

    let (_, list) = server.call("GET", &messages, None).await;
    assert_eq!(list[0]["attachments"].as_array().unwrap().len(), 2);

    // Sixteen files are one too many, and nothing is kept.
    let mut form = reqwest::multipart::Form::new();
    for n in 0..16 {
        form = form.part(
            "attachments[]",
            reqwest::multipart::Part::bytes(vec![b'a'; 10]).file_name(format!("{n}.txt")),
        );
    }
    let response = server
        .http
        .post(&messages)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let (status, error) = crate::support::read(response).await;
    assert_eq!(status, 422, "{error}");
    assert_eq!(error["attributes"], json!(["attachments"]));
    let stored = std::fs::read_dir(server.dir.path().join("attachments"))
        .unwrap()
        .count();
    assert_eq!(stored, 2, "the refused upload left no files");

    // Over 40 MB is refused.
    let big = reqwest::multipart::Form::new().part(
        "attachments[]",
        reqwest::multipart::Part::bytes(vec![0u8; 40 * 1024 * 1024 + 1]).file_name("big.bin"),
    );
    let response = server
        .http
        .post(&messages)
        .multipart(big)
        .send()
        .await
        .unwrap();
    let (status, error) = crate::support::read(response).await;
    assert_eq!(status, 422, "{error}");
    let stored = std::fs::read_dir(server.dir.path().join("attachments"))
        .unwrap()
        .count();
    assert_eq!(stored, 2);
}

#[tokio::test]
async fn the_public_api_answers_any_origin() {
    let server = TestServer::start().await;
    let response = server
        .http
        .request(reqwest::Method::OPTIONS, server.public("/contacts"))
        .header("origin", "https://shop.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
}
