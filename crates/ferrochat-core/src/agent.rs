//! The agent side's message-create body: Chatwoot's application API,
//! `POST /api/v1/accounts/{account_id}/conversations/{id}/messages`.

use serde::{Deserialize, Serialize};

use crate::content::Content;
use crate::wire::{Map, wire_enum};

wire_enum! {
    /// `message_type` as the application API names it.
    pub enum AgentMessageType {
        Outgoing = "outgoing",
        Incoming = "incoming",
    }
}

/// What an agent or a bot posts to create a message.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AgentMessageRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Chatwoot's default is outgoing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_type: Option<AgentMessageType>,
    /// A private note: agents see it, the contact never does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private: Option<bool>,
    /// `content_type` and `content_attributes`; `text` when absent.
    #[serde(flatten)]
    pub kind: Content,
    /// WhatsApp template parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_params: Option<TemplateParams>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign_id: Option<u64>,
}

impl AgentMessageRequest {
    pub fn is_private(&self) -> bool {
        self.private == Some(true)
    }
}

/// A WhatsApp template and its parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateParams {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(default)]
    pub processed_params: Map,
    #[serde(flatten)]
    pub extra: Map,
}
