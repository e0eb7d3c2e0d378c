//! Chats: the detail view (`GET /v3.1/chats/{chat_id}`), the list and search
//! view, and the create body.

use serde::{Deserialize, Serialize};

use super::message::ImiMessage;
use crate::time::UtcMillis;
use crate::wire::{Map, wire_enum};

wire_enum! {
    /// Where a chat stands.
    pub enum ChatStatus {
        /// Waiting in a team queue for an agent.
        Queued = "queued",
        /// An agent has it.
        Picked = "picked",
        OnHold = "onhold",
        Closed = "closed",
    }
}

wire_enum! {
    /// The channel a chat came in on.
    pub enum Channel {
        Sms = "sms",
        Facebook = "facebook",
        Twitter = "twitter",
        Livechat = "livechat",
        Email = "email",
        /// Apple Business Chat.
        Abc = "abc",
        Whatsapp = "whatsapp",
        Api = "api",
    }
}

/// The channel asset a chat was created on (for livechat, the app).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Asset {
    pub id: AssetId,
    #[serde(default)]
    pub name: Option<String>,
}

/// An asset's id: the seeds type it as an integer, but for email it is the
/// business address and for API, ABC and WhatsApp a service key.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AssetId {
    Number(u64),
    Text(String),
}

/// The end customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    pub id: u64,
    /// The customer's address on the channel (for livechat, the livechat id).
    pub destination_id: String,
    #[serde(default)]
    pub name: Option<String>,
}

/// A chat with its messages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Chat {
    #[serde(default)]
    pub team_id: Option<u64>,
    #[serde(default)]
    pub team_name: Option<String>,
    pub chat_id: String,
    #[serde(default)]
    pub alias_id: Option<String>,
    pub created_at: UtcMillis,
    pub updated_at: UtcMillis,
    pub status: ChatStatus,
    pub channel: Channel,
    /// Email chats only.
    #[serde(default)]
    pub subject: Option<String>,
    /// Livechat only: the SDK's thread id.
    #[serde(default)]
    pub thread_id: Option<String>,
    #[serde(default)]
    pub asset: Option<Asset>,
    #[serde(default)]
    pub customer: Option<Customer>,
    #[serde(default)]
    pub messages: Vec<ImiMessage>,
    /// The login id of the agent who has it.
    #[serde(default)]
    pub assignee: Option<String>,
    #[serde(default)]
    pub flag: Option<String>,
    #[serde(default)]
    pub tag: Vec<String>,
    #[serde(default)]
    pub route_params: Map,
    #[serde(default)]
    pub other_details: Map,
    #[serde(flatten)]
    pub extra: Map,
}

/// A chat in the list and search views: the customer is flattened into
/// `customer_id` and `destination_id`, and there are no messages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChatSummary {
    pub chat_id: String,
    #[serde(default)]
    pub alias_id: Option<String>,
    pub created_at: UtcMillis,
    pub updated_at: UtcMillis,
    pub status: ChatStatus,
    pub channel: Channel,
    #[serde(default)]
    pub asset: Option<Asset>,
    #[serde(default)]
    pub customer_id: Option<String>,
    #[serde(default)]
    pub destination_id: Option<String>,
    #[serde(default)]
    pub assignee: Option<String>,
    #[serde(default)]
    pub flag: Option<String>,
    #[serde(default)]
    pub tag: Vec<String>,
    #[serde(default)]
    pub other_details: Map,
    #[serde(flatten)]
    pub extra: Map,
}

impl From<&Chat> for ChatSummary {
    fn from(chat: &Chat) -> Self {
        ChatSummary {
            chat_id: chat.chat_id.clone(),
            alias_id: chat.alias_id.clone(),
            created_at: chat.created_at,
            updated_at: chat.updated_at,
            status: chat.status.clone(),
            channel: chat.channel.clone(),
            asset: chat.asset.clone(),
            customer_id: chat
                .customer
                .as_ref()
                .map(|customer| customer.id.to_string()),
            destination_id: chat
                .customer
                .as_ref()
                .map(|customer| customer.destination_id.clone()),
            assignee: chat.assignee.clone(),
            flag: chat.flag.clone(),
            tag: chat.tag.clone(),
            other_details: chat.other_details.clone(),
            extra: Map::new(),
        }
    }
}

/// The customer named in a create request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerRequest {
    pub destination_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The body of `POST /v3.1/chats`: create a chat and queue it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChatRequest {
    pub channel: Channel,
    pub asset: Asset,
    pub customer: CustomerRequest,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<String>,
    /// Routing attributes that pick the team queue.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub route_params: Map,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub other_details: Map,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tag: Vec<String>,
    /// Messages to start the chat with.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<ImiMessage>,
}
