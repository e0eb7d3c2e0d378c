//! ferrochat's shared domain: the wire types of Chatwoot's public client API,
//! its application API's message body, ActionCable, and Webex Connect (imi)
//! chats; quick replies across both dialects; validation; identity hashes.
//!
//! No IO: this crate builds for native targets and `wasm32-unknown-unknown`
//! and depends on nothing that touches a network, a disk or a browser. Its
//! serialized types are the protocol: changing one is a protocol change.

pub mod agent;
pub mod cable;
pub mod chatwoot;
pub mod content;
pub mod identity;
pub mod imi;
pub mod markdown;
pub mod quick_replies;
pub mod session;
pub mod time;
pub mod validate;
mod wire;

pub use wire::{Field, Map, Scalar};
