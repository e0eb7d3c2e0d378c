//! `/cable`: a real WebSocket client through welcome, subscribe, broadcasts,
//! typing, presence, unsubscribe and shutdown.

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{Cable, TestServer};

#[tokio::test]
async fn subscribe_receive_type_and_unsubscribe() {
    let server = TestServer::start().await;
    let (source_id, token, id) = server.conversation().await;
    let mut visitor = Cable::connect(&server.base).await;
    let identifier = visitor.subscribe(&token).await;

    let messages = server.public(&format!(
        "/contacts/{source_id}/conversations/{id}/messages"
    ));
    let (status, _) = server
        .call(
            "POST",
            &messages,
            Some(json!({"content": "hi", "echo_id": "e-1"})),
        )
        .await;
    assert_eq!(status, 200);
    let event = visitor.event().await;
    assert_eq!(event["event"], "message.created");
    assert_eq!(event["data"]["content"], "hi");
    assert_eq!(
        event["data"]["echo_id"], "e-1",
        "the sender can swap its pending bubble"
    );
    assert_eq!(event["data"]["conversation_id"], id);
    assert_eq!(event["data"]["message_type"], 0);
    assert_eq!(event["data"]["account_id"], server.account_id);
    assert_eq!(
        event["data"]["conversation"]["contact_inbox"]["source_id"],
        source_id.as_str()
    );

    // The visitor's own typing is never sent back to them.
    let (status, _) = server
        .call(
            "POST",
            &server.public(&format!(
                "/contacts/{source_id}/conversations/{id}/toggle_typing"
            )),
            Some(json!({"typing_status": "on"})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(visitor.quiet(Duration::from_millis(300)).await, None);

    // update_presence is answered with the agents' presence.
    visitor
        .send(json!({"command": "message", "identifier": identifier, "data": "{\"action\":\"update_presence\"}"}))
        .await;
    let presence = loop {
        let frame = visitor.next().await;
        if frame["message"]["event"] == "presence.update" {
            break frame;
        }
    };
    assert_eq!(presence["identifier"], identifier.as_str());
    assert!(presence["message"]["data"]["users"].is_object());

    visitor
        .send(json!({"command": "unsubscribe", "identifier": identifier}))
        .await;
    // Unsubscribing is not acknowledged; give the server a moment to act on it.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (status, _) = server
        .call("POST", &messages, Some(json!({"content": "after"})))
        .await;
    assert_eq!(status, 200);
    assert_eq!(visitor.quiet(Duration::from_millis(300)).await, None);
}

#[tokio::test]
async fn the_identifier_is_echoed_byte_for_byte() {
    let server = TestServer::start().await;
    let (source_id, token, id) = server.conversation().await;
    let mut cable = Cable::connect(&server.base).await;
    // Unusual spacing and key order must come back unchanged.
    let identifier = format!("{{ \"pubsub_token\" : \"{token}\",\"channel\":\"RoomChannel\" }}");
    cable
        .send(json!({"command": "subscribe", "identifier": identifier}))
        .await;
    let answer = cable.next().await;
    assert_eq!(
        answer,
        json!({"identifier": identifier, "type": "confirm_subscription"})
    );
    server
        .call(
            "POST",
            &server.public(&format!(
                "/contacts/{source_id}/conversations/{id}/messages"
            )),
            Some(json!({"content": "x"})),
        )
        .await;
    let frame = cable.next().await;
    assert_eq!(frame["identifier"], identifier.as_str());
}

#[tokio::test]
async fn unknown_tokens_are_rejected_and_bad_frames_disconnect() {
    let server = TestServer::start().await;
    let mut cable = Cable::connect(&server.base).await;
    let identifier = json!({"channel": "RoomChannel", "pubsub_token": "guess"}).to_string();
    cable
        .send(json!({"command": "subscribe", "identifier": identifier}))
        .await;
    assert_eq!(
        cable.next().await,
        json!({"identifier": identifier, "type": "reject_subscription"})
    );
    let other = json!({"channel": "NotificationChannel", "pubsub_token": "guess"}).to_string();
    cable
        .send(json!({"command": "subscribe", "identifier": other}))
        .await;
    assert_eq!(cable.next().await["type"], "reject_subscription");

    cable.send_text("not json".into()).await;
    assert_eq!(
        cable.next().await,
        json!({"type": "disconnect", "reason": "invalid_request", "reconnect": false})
    );
}

#[tokio::test]
async fn pings_arrive_every_three_seconds() {
    let server = TestServer::start().await;
    let mut cable = Cable::connect(&server.base).await;
    let first = cable.next_any().await;
    assert_eq!(first["type"], "ping");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((first["message"].as_i64().unwrap() - now).abs() <= 2);
}

#[tokio::test]
async fn each_visitor_hears_only_their_own_conversation() {
    let server = TestServer::start().await;
    let (alice, alice_token, alice_id) = server.conversation().await;
    let (_bob, bob_token, _bob_id) = server.conversation().await;
    let mut alice_socket = Cable::connect(&server.base).await;
    alice_socket.subscribe(&alice_token).await;
    let mut bob_socket = Cable::connect(&server.base).await;
    bob_socket.subscribe(&bob_token).await;
    server
        .call(
            "POST",
            &server.public(&format!(
                "/contacts/{alice}/conversations/{alice_id}/messages"
            )),
            Some(json!({"content": "for alice's agents only"})),
        )
        .await;
    assert_eq!(alice_socket.event().await["event"], "message.created");
    assert_eq!(bob_socket.quiet(Duration::from_millis(400)).await, None);
}

#[tokio::test]
async fn shutdown_tells_sockets_to_reconnect() {
    let mut server = TestServer::start().await;
    let (_, token, _) = server.conversation().await;
    let mut cable = Cable::connect(&server.base).await;
    cable.subscribe(&token).await;
    let stopping = async {
        server.stop().await;
    };
    let (_, frame) = tokio::join!(stopping, cable.next());
    assert_eq!(
        frame,
        json!({"type": "disconnect", "reason": "server_restart", "reconnect": true})
    );
}

/// A verified user (their `identifier_hash` checked) on a second device
/// lists and writes to the conversation of their first, and both devices
/// hear it; a visitor who only claims the same identifier sees none of it.
#[tokio::test]
async fn a_verified_user_follows_their_conversations_on_every_device() {
    let server = TestServer::start().await;
    let (_, inboxes) = server.agent("GET", &server.account("/inboxes"), None).await;
    let secret = inboxes["payload"][0]["hmac_token"].as_str().unwrap();
    let hash = ferrochat_core::identity::identifier_hash(secret, "user-7");
    let verified = json!({"identifier": "user-7", "identifier_hash": hash});
    let (phone, phone_token) = contact(&server, verified.clone()).await;
    let (_, conversation) = server
        .call(
            "POST",
            &server.public(&format!("/contacts/{phone}/conversations")),
            Some(json!({})),
        )
        .await;
    let id = conversation["id"].as_u64().unwrap();
    assert_eq!(post(&server, &phone, id, "from my phone").await, 200);

    let (laptop, laptop_token) = contact(&server, verified).await;
    assert_ne!(laptop, phone);
    let (status, list) = server
        .call(
            "GET",
            &server.public(&format!("/contacts/{laptop}/conversations")),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["id"], id);
    assert_eq!(list[0]["messages"][0]["content"], "from my phone");

    let mut phone_socket = Cable::connect(&server.base).await;
    phone_socket.subscribe(&phone_token).await;
    let mut laptop_socket = Cable::connect(&server.base).await;
    laptop_socket.subscribe(&laptop_token).await;
    assert_eq!(post(&server, &laptop, id, "now on my laptop").await, 200);
    for socket in [&mut phone_socket, &mut laptop_socket] {
        let message = socket.event_named("message.created").await;
        assert_eq!(message["content"], "now on my laptop");
    }
    let (status, _) = server
        .agent(
            "POST",
            &server.account(&format!("/conversations/{id}/messages")),
            Some(json!({"content": "Hi from support"})),
        )
        .await;
    assert_eq!(status, 200);
    for socket in [&mut phone_socket, &mut laptop_socket] {
        let message = socket.event_named("message.created").await;
        assert_eq!(message["content"], "Hi from support");
    }

    // The same identifier without the hash: Chatwoot attaches it to the
    // user's contact, but it is not the user.
    let (claimed, claimed_token) = contact(&server, json!({"identifier": "user-7"})).await;
    let (_, list) = server
        .call(
            "GET",
            &server.public(&format!("/contacts/{claimed}/conversations")),
            None,
        )
        .await;
    assert_eq!(list, json!([]));
    assert_eq!(post(&server, &claimed, id, "let me in").await, 404);
    let mut claimed_socket = Cable::connect(&server.base).await;
    claimed_socket.subscribe(&claimed_token).await;
    let (_, own) = server
        .call(
            "POST",
            &server.public(&format!("/contacts/{claimed}/conversations")),
            Some(json!({})),
        )
        .await;
    let own = own["id"].as_u64().unwrap();
    assert_eq!(post(&server, &claimed, own, "my own").await, 200);
    assert_eq!(post(&server, &laptop, own, "not mine").await, 404);
    let message = claimed_socket.event_named("message.created").await;
    assert_eq!(message["content"], "my own");
    assert_eq!(laptop_socket.quiet(Duration::from_millis(400)).await, None);
    let (_, list) = server
        .call(
            "GET",
            &server.public(&format!("/contacts/{laptop}/conversations")),
            None,
        )
        .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
}

/// A new contact from `body`: `(source_id, pubsub_token)`.
async fn contact(server: &TestServer, body: Value) -> (String, String) {
    let (status, contact) = server
        .call("POST", &server.public("/contacts"), Some(body))
        .await;
    assert_eq!(status, 200, "{contact}");
    (
        contact["source_id"].as_str().unwrap().to_owned(),
        contact["pubsub_token"].as_str().unwrap().to_owned(),
    )
}

/// Posts a visitor message; the status.
async fn post(server: &TestServer, source_id: &str, id: u64, content: &str) -> u16 {
    let url = server.public(&format!(
        "/contacts/{source_id}/conversations/{id}/messages"
    ));
    let (status, _) = server
        .call("POST", &url, Some(json!({ "content": content })))
        .await;
    status
}
