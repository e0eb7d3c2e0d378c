//! ActionCable frames and RoomChannel events (PROTOCOL.md §2).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use ferrochat_core::cable::{
    ClientCommand, DisconnectReason, Event, EventName, RoomIdentifier, ServerFrame,
};
use ferrochat_core::chatwoot::{Availability, ConversationStatus, SenderType, SubmittedValues};
use ferrochat_core::content::Content;

use crate::support::{fixture, round_trip};

fn event(frame: ServerFrame) -> Event {
    let ServerFrame::Message { message, .. } = frame else {
        panic!("not a broadcast: {frame:?}");
    };
    message.into_event().unwrap()
}

#[test]
fn connection_frames() {
    assert_eq!(
        round_trip::<ServerFrame>(fixture!("cable/welcome.json")),
        ServerFrame::Welcome
    );
    assert_eq!(
        round_trip::<ServerFrame>(fixture!("cable/ping.json")),
        ServerFrame::Ping {
            message: 1_731_500_003
        }
    );
    assert_eq!(
        round_trip::<ServerFrame>(fixture!("cable/disconnect.json")),
        ServerFrame::Disconnect {
            reason: Some(DisconnectReason::ServerRestart),
            reconnect: true
        }
    );
    assert!(
        matches!(round_trip::<ServerFrame>(fixture!("cable/unknown_frame.json")), ServerFrame::Other(map) if map["type"] == "heartbeat_v2")
    );
    assert_eq!(
        round_trip::<ServerFrame>(fixture!("cable/disconnect_no_reason.json")),
        ServerFrame::Disconnect {
            reason: None,
            reconnect: false
        }
    );
    // A broadcast that is not `{event, data}` is kept, not an error.
    let odd: ServerFrame = round_trip(fixture!("cable/broadcast_without_event.json"));
    assert!(matches!(odd, ServerFrame::Other(map) if map["message"]["hello"] == "world"));
}

#[test]
fn subscription_frames_keep_the_identifier() {
    let subscribe: ClientCommand = round_trip(fixture!("cable/subscribe.json"));
    let ClientCommand::Subscribe { identifier } = &subscribe else {
        panic!("not subscribe")
    };
    assert_eq!(
        RoomIdentifier::parse(identifier),
        Some(RoomIdentifier::contact("V9sJ3t5cVZ8aNcEd3X1vq7Tq"))
    );
    assert_eq!(
        &RoomIdentifier::contact("V9sJ3t5cVZ8aNcEd3X1vq7Tq").to_identifier(),
        identifier
    );

    let agent: ClientCommand = round_trip(fixture!("cable/subscribe_agent.json"));
    let ClientCommand::Subscribe { identifier: agent } = &agent else {
        panic!("not subscribe")
    };
    let room = RoomIdentifier::parse(agent).unwrap();
    assert_eq!((room.account_id, room.user_id), (Some(1), Some(1)));
    assert_eq!(&room.to_identifier(), agent);

    let confirm: ServerFrame = round_trip(fixture!("cable/confirm_subscription.json"));
    assert_eq!(
        confirm,
        ServerFrame::ConfirmSubscription {
            identifier: identifier.clone()
        }
    );
    let reject: ServerFrame = round_trip(fixture!("cable/reject_subscription.json"));
    assert_eq!(
        reject,
        ServerFrame::RejectSubscription {
            identifier: identifier.clone()
        }
    );
    let presence: ClientCommand = round_trip(fixture!("cable/update_presence.json"));
    assert_eq!(presence, ClientCommand::update_presence(identifier.clone()));
    let unsubscribe: ClientCommand = round_trip(fixture!("cable/unsubscribe.json"));
    assert_eq!(
        unsubscribe,
        ClientCommand::Unsubscribe {
            identifier: identifier.clone()
        }
    );
}

#[test]
fn message_events() {
    let Event::MessageCreated(created) = event(round_trip(fixture!("cable/message_created.json")))
    else {
        panic!("not message.created");
    };
    assert!(matches!(&created.kind, Content::InputSelect(_)));
    assert!(created.is_visible_to_contact());
    assert_eq!(
        created.extra["conversation"]["contact_inbox"]["source_id"],
        "b5f1c0de-7a0e-4c44-9d52-6a5f4c2e9b11"
    );
    assert_eq!(created.echo_id, None);

    let Event::MessageCreated(echoed) =
        event(round_trip(fixture!("cable/message_created_echo.json")))
    else {
        panic!("not message.created");
    };
    assert_eq!(
        echoed.echo_id.as_deref(),
        Some("b0b3e8f1-3c0d-4f6a-9a57-1b7f3f6f0a01")
    );

    let Event::MessageUpdated(updated) = event(round_trip(fixture!("cable/message_updated.json")))
    else {
        panic!("not message.updated");
    };
    let Content::InputSelect(select) = &updated.kind else {
        panic!("not input_select")
    };
    assert_eq!(
        select.submitted_values.clone().map(SubmittedValues::Items),
        Some(SubmittedValues::Items(vec![
            ferrochat_core::content::SubmittedValue::choice(&select.items[1])
        ]))
    );
    assert!(updated.extra.contains_key("previous_changes"));
}

#[test]
fn conversation_typing_and_presence_events() {
    let Event::ConversationStatusChanged(changed) = event(round_trip(fixture!(
        "cable/conversation_status_changed.json"
    ))) else {
        panic!("not status_changed");
    };
    assert_eq!(changed.status, ConversationStatus::Resolved);
    assert_eq!(changed.messages.len(), 1);
    let Event::ConversationCreated(created) =
        event(round_trip(fixture!("cable/conversation_created.json")))
    else {
        panic!("not conversation.created");
    };
    assert_eq!(created.status, ConversationStatus::Open);

    let Event::TypingOn(typing) = event(round_trip(fixture!("cable/typing_on.json"))) else {
        panic!("not typing_on");
    };
    assert_eq!(typing.user.kind, SenderType::User);
    assert!(!typing.is_private);
    assert_eq!(typing.conversation.id.0, 12);
    assert!(matches!(
        event(round_trip(fixture!("cable/typing_off.json"))),
        Event::TypingOff(_)
    ));

    let Event::PresenceUpdate(presence) = event(round_trip(fixture!("cable/presence_update.json")))
    else {
        panic!("not presence.update");
    };
    assert_eq!(presence.availability("4"), Some(Availability::Busy));
    assert_eq!(presence.availability("404"), None);

    let Event::Other { event: name, data } =
        event(round_trip(fixture!("cable/unknown_event.json")))
    else {
        panic!("an unknown event must stay Other");
    };
    assert_eq!(name, EventName::Other("conversation.mentioned".into()));
    assert_eq!(data["anything"][1], 2);
}
