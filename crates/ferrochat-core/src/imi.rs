//! Webex Connect (imi.chat) chats and livechat messages (PROTOCOL.md §5 and
//! the seed documents): the response envelope and its status codes, chats,
//! the message model, and the chat search body.

mod chat;
mod message;
mod search;
mod status;

pub use chat::{
    Asset, AssetId, Channel, Chat, ChatRequest, ChatStatus, ChatSummary, Customer, CustomerRequest,
};
pub use message::{
    AbcSubType, AttachmentKind, ControlBody, DeliveryDetails, Direction, ImiAttachment, ImiMessage,
    LivechatSubType, QuickReplies, QuickReplyOption, QuickReplyResponse, WhatsappSubType,
};
pub use search::{
    Condition, Filter, FilterParam, FilterValue, Operator, SEARCH_MAX_CONDITIONS, SearchError,
    SearchRequest,
};
pub use status::{Envelope, StatusCode};
