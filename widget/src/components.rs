//! The view's parts: leaf components take data and `on_<verb>` callbacks.

pub(crate) mod composer;
pub(crate) mod content;
pub(crate) mod form;
pub(crate) mod header;
pub(crate) mod markdown;
pub(crate) mod message;
pub(crate) mod message_list;
pub(crate) mod quick_replies;
