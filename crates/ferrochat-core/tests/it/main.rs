//! ferrochat-core's integration tests: one binary, run natively and on
//! wasm32 (node and headless Chromium). Property tests are native only.

// A failed unwrap is a failed test. (Clippy's test exemption does not reach
// helpers, nor `#[test]` when it names wasm-bindgen-test's attribute.)
#![allow(clippy::unwrap_used)]

mod cable;
mod chatwoot;
mod imi;
mod limits;
#[cfg(not(target_arch = "wasm32"))]
mod props;
mod search;
mod support;
mod validation;
