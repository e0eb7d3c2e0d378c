//! The chat window: a Yew app mounted in the widget's iframe
//! (`{base}/widget?inbox=…`), driven by `ferrochat_client::Chat`.
//!
//! The host page talks to it only through `postMessage` ([`bridge`]); the
//! view renders the session's state, failures included.

mod app;
mod bridge;
mod components;
mod i18n;
#[cfg(feature = "mount")]
pub mod mount;
mod sound;

pub use app::{App, AppProps};

// The components' tests click real buttons in a real DOM.
#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// Mounts the app when the module loads, with the inbox and the host
/// page's origin from the iframe's query string. (The npm package's build,
/// feature `mount`, waits for its `mount` call instead.)
#[cfg_attr(not(feature = "mount"), wasm_bindgen::prelude::wasm_bindgen(start))]
pub fn start() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let base = location.origin().unwrap_or_default();
    let query = location.search().unwrap_or_default();
    let params = web_sys::UrlSearchParams::new_with_str(&query).ok();
    let param = |name: &str| params.as_ref().and_then(|params| params.get(name));
    let Some(inbox) = param("inbox").filter(|inbox| !inbox.is_empty()) else {
        return;
    };
    let Some(document) = window.document() else {
        return;
    };
    let Some(root) = document
        .get_element_by_id("ferrochat")
        .or_else(|| document.body().map(Into::into))
    else {
        return;
    };
    yew::Renderer::<App>::with_root_and_props(
        root,
        AppProps {
            base: base.into(),
            inbox: inbox.into(),
            host_origin: param("origin").map(Into::into),
            saved: location
                .hash()
                .ok()
                .and_then(|hash| js_sys::decode_uri_component(hash.trim_start_matches('#')).ok())
                .and_then(|saved| saved.as_string())
                .filter(|saved| !saved.is_empty())
                .map(Into::into),
            locale: param("locale").map(Into::into),
            brand: param("color").map(Into::into),
            #[cfg(feature = "mount")]
            page: None,
        },
    )
    .render();
}

#[cfg(all(not(target_feature = "atomics"), target_family = "wasm"))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
