//! The livechat message model. Where the seeds spell a value two ways, both
//! are read and the samples' spelling is written.

use serde::{Deserialize, Serialize};

use crate::time::UtcMillis;
use crate::wire::{Map, wire_enum};

wire_enum! {
    /// A message's direction: `type` on the wire.
    pub enum Direction {
        /// From the customer.
        Inbound = "inbound",
        /// To the customer.
        Outbound = "outbound",
        Announcement = "announcement",
    }
}

wire_enum! {
    /// `livechat_sub_type`. The seeds' table says `quick_reply_response`
    /// where their samples say `quick_replies`; both mean quick replies.
    pub enum LivechatSubType {
        Text = "text",
        QuickReplies = "quick_replies" | "quick_reply_response",
    }
}

wire_enum! {
    /// `abc_sub_type` (Apple Business Chat). The seeds' table says
    /// `listpicker`/`timepicker`, their samples `listpicker_response` and
    /// `timepicker_response`.
    pub enum AbcSubType {
        Text = "text",
        ListpickerResponse = "listpicker_response" | "list_picker_response" | "listpicker",
        TimepickerResponse = "timepicker_response" | "time_picker_response" | "timepicker",
    }
}

wire_enum! {
    /// `whatsapp_sub_type`.
    pub enum WhatsappSubType {
        Text = "text",
        /// A pre-approved template message.
        Hsm = "hsm",
    }
}

wire_enum! {
    /// An attachment's kind.
    pub enum AttachmentKind {
        Image = "image",
        Audio = "audio",
        Video = "video",
        File = "file",
    }
}

/// A file on a message, by URL.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImiAttachment {
    #[serde(rename = "type")]
    pub kind: AttachmentKind,
    pub url: String,
}

/// One quick-reply option. Outbound options carry a `payload`; the inbound
/// response may leave it out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuickReplyOption {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
}

/// Outbound quick replies offered to the customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuickReplies {
    /// Preferably a GUID; the response names it.
    pub request_identifier: String,
    pub options: Vec<QuickReplyOption>,
}

/// The customer's inbound answer to quick replies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuickReplyResponse {
    pub request_identifier: String,
    pub options: Vec<QuickReplyOption>,
}

/// Tracking for an outbound message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryDetails {
    pub correlation_id: String,
}

/// A livechat (or other channel's) message in a chat.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImiMessage {
    #[serde(rename = "type")]
    pub direction: Direction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub livechat_sub_type: Option<LivechatSubType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abc_sub_type: Option<AbcSubType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub whatsapp_sub_type: Option<WhatsappSubType>,
    /// ABC and WhatsApp outbound templates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<ImiAttachment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quick_replies: Option<QuickReplies>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quick_reply_response: Option<QuickReplyResponse>,
    /// The titles chosen in an ABC list picker.
    #[serde(
        default,
        alias = "list_picker_response",
        skip_serializing_if = "Option::is_none"
    )]
    pub listpicker_response: Option<Vec<String>>,
    /// The slot chosen in an ABC time picker.
    #[serde(
        default,
        alias = "time_picker_response",
        skip_serializing_if = "Option::is_none"
    )]
    pub timepicker_response: Option<UtcMillis>,
    pub timestamp: UtcMillis,
    /// Outbound only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_details: Option<DeliveryDetails>,
    #[serde(flatten)]
    pub extra: Map,
}

impl ImiMessage {
    /// A message with only a direction and a time, to fill in.
    pub fn new(direction: Direction, timestamp: UtcMillis) -> Self {
        ImiMessage {
            direction,
            livechat_sub_type: None,
            abc_sub_type: None,
            whatsapp_sub_type: None,
            template_name: None,
            text: None,
            attachment: None,
            quick_replies: None,
            quick_reply_response: None,
            listpicker_response: None,
            timepicker_response: None,
            timestamp,
            delivery_details: None,
            extra: Map::new(),
        }
    }

    /// The control signal this message's text carries, if it is one of imi's
    /// sentinel bodies rather than something to show.
    pub fn control(&self) -> Option<ControlBody> {
        self.text.as_deref().and_then(ControlBody::parse)
    }
}

/// imi's own widget sends typing, close and log signals as sentinel text
/// bodies; they are never shown as messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ControlBody {
    /// `$$$$$TYPING$$$$$`
    Typing,
    /// `$$$$CLOSECHAT$$$$`
    CloseChat,
    /// `$$$$$ILOG$$$$$|…`: a log line for the agent desk, with its text.
    Log(String),
}

impl ControlBody {
    pub const TYPING: &'static str = "$$$$$TYPING$$$$$";
    pub const CLOSE_CHAT: &'static str = "$$$$CLOSECHAT$$$$";
    pub const LOG_PREFIX: &'static str = "$$$$$ILOG$$$$$";

    /// Recognises a sentinel body, ignoring surrounding white space.
    pub fn parse(text: &str) -> Option<ControlBody> {
        let text = text.trim();
        if text == Self::TYPING {
            Some(ControlBody::Typing)
        } else if text == Self::CLOSE_CHAT {
            Some(ControlBody::CloseChat)
        } else {
            let rest = text.strip_prefix(Self::LOG_PREFIX)?;
            let log = rest.strip_prefix('|').unwrap_or(rest);
            Some(ControlBody::Log(log.to_owned()))
        }
    }

    /// The text imi's widget sends for this signal.
    pub fn to_text(&self) -> String {
        match self {
            ControlBody::Typing => Self::TYPING.to_owned(),
            ControlBody::CloseChat => Self::CLOSE_CHAT.to_owned(),
            ControlBody::Log(log) => format!("{}|{log}", Self::LOG_PREFIX),
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use serde_json::json;

    use super::{AbcSubType, ControlBody, ImiMessage, LivechatSubType};

    #[test]
    fn both_spellings_are_read_and_one_is_written() {
        let table_spelling = json!({
            "type": "inbound",
            "livechat_sub_type": "quick_reply_response",
            "quick_reply_response": {"request_identifier": "r1", "options": [{"title": "Option 2"}]},
            "timestamp": "2019-08-16T22:02:13.842Z"
        });
        let message: ImiMessage = serde_json::from_value(table_spelling).unwrap();
        assert_eq!(
            message.livechat_sub_type,
            Some(LivechatSubType::QuickReplies)
        );
        let written = serde_json::to_value(&message).unwrap();
        assert_eq!(written["livechat_sub_type"], "quick_replies");

        let picker = json!({
            "type": "inbound",
            "abc_sub_type": "list_picker_response",
            "list_picker_response": ["item1"],
            "timestamp": "2019-08-16T22:02:13.842Z"
        });
        let message: ImiMessage = serde_json::from_value(picker).unwrap();
        assert_eq!(message.abc_sub_type, Some(AbcSubType::ListpickerResponse));
        assert_eq!(
            message.listpicker_response.as_deref(),
            Some(&["item1".to_owned()][..])
        );
        let written = serde_json::to_value(&message).unwrap();
        assert_eq!(written["abc_sub_type"], "listpicker_response");
        assert_eq!(written["listpicker_response"], json!(["item1"]));
        assert!(written.get("list_picker_response").is_none());
    }

    #[test]
    fn sentinel_bodies_are_control_signals_not_text() {
        assert_eq!(
            ControlBody::parse("$$$$$TYPING$$$$$"),
            Some(ControlBody::Typing)
        );
        assert_eq!(
            ControlBody::parse(" $$$$CLOSECHAT$$$$\n"),
            Some(ControlBody::CloseChat)
        );
        assert_eq!(
            ControlBody::parse("$$$$$ILOG$$$$$|visitor opened the FAQ"),
            Some(ControlBody::Log("visitor opened the FAQ".to_owned()))
        );
        assert_eq!(ControlBody::parse("I am $$$$$TYPING$$$$$ this"), None);
        assert_eq!(ControlBody::parse("$$$ TYPING $$$"), None);
        for control in [
            ControlBody::Typing,
            ControlBody::CloseChat,
            ControlBody::Log("x".into()),
        ] {
            assert_eq!(ControlBody::parse(&control.to_text()), Some(control));
        }
    }
}
