//! One integration binary: each module drives the real server over real TCP
//! on 127.0.0.1 with a fresh database in a temporary folder.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod agent_api;
mod cable;
mod demo_bot;
mod imi_api;
mod pages;
mod public_api;
mod webhooks;
