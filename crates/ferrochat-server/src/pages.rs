//! Pages: the `www/` folder when the server is given one (the demo page,
//! the widget, the agent console), else a start page of its own.
//!
//! With a `www/` folder (`cargo xtask demo` passes `target/www`, which the
//! widget build assembles):
//!
//! - `/` and `/index.html` serve its `index.html` with `{{BASE_URL}}` and
//!   `{{INBOX}}` replaced by this server's public URL and the seeded inbox's
//!   identifier, so the demo page embeds the widget exactly as a site owner
//!   would, with absolute URLs, whatever database the server runs on;
//! - `/widget` (with any query) serves `widget.html`, the iframe's shell,
//!   under [`WIDGET_CSP`];
//! - everything else comes from the folder as it is, precompressed
//!   (`file.br`, `file.gz` beside `file`) when the build left those.

use std::path::Path;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use crate::AppState;

const AGENT_CONSOLE: &str = include_str!("../../../www/agent.html");

/// The widget iframe's policy. The app is our wasm: scripts only from this
/// origin plus the shell's one inline module, `import init from
/// '/widget/widget.js'; init();`, allowed by its hash (change the two
/// together; a unit test holds them to each other), and `'wasm-unsafe-eval'`
/// to compile the wasm. Network only to this server (HTTP and `/cable`).
/// Images from anywhere, since agents and bots send links to them.
pub(crate) const WIDGET_CSP: &str = "default-src 'self'; \
     script-src 'self' 'wasm-unsafe-eval' 'sha256-yHAmYXzIUWDNE9YCNyo7U4j4euG7y/MIN7UEgIJXfUA='; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data: https: http:; \
     connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; form-action 'none'";

pub(crate) fn routes(state: &AppState) -> Router<AppState> {
    let router = Router::new().route("/agent.html", get(agent_console));
    match &state.www_dir {
        Some(dir) => router
            .route("/", get(demo_page))
            .route("/index.html", get(demo_page))
            .route("/widget", get(widget_shell))
            .fallback_service(
                tower_http::services::ServeDir::new(dir)
                    .precompressed_br()
                    .precompressed_gzip(),
            )
            .layer(axum::middleware::map_response(revalidate)),
        None => router.route("/", get(start_page)),
    }
}

/// The widget's files keep their names from build to build, so browsers
/// must ask (cheaply, by `Last-Modified`) before reusing them. They are
/// public, and readable from any origin: the npm package's window, mounted
/// in a site's own page, fetches its language catalogs from here.
async fn revalidate(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-cache"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

async fn agent_console() -> Response {
    let mut response = Html(AGENT_CONSOLE).into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https: http:; connect-src 'self' ws: wss:; frame-ancestors 'none'",
        ),
    );
    response
}

/// `www/index.html` with this server's address and inbox filled in; the
/// start page when the folder has none.
async fn demo_page(State(state): State<AppState>) -> Response {
    let Some(page) = read_page(&state, "index.html").await else {
        return start_page(State(state)).await.into_response();
    };
    Html(
        page.replace("{{BASE_URL}}", &escape(&state.base_url))
            .replace("{{INBOX}}", &escape(&state.seeded.inbox_identifier)),
    )
    .into_response()
}

/// The iframe's page. The loader adds `?inbox=…&origin=…`, which the app
/// reads itself; the shell is the same for every inbox.
async fn widget_shell(State(state): State<AppState>) -> Response {
    let Some(page) = read_page(&state, "widget.html").await else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut response = Html(page).into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(WIDGET_CSP),
    );
    response
}

async fn read_page(state: &AppState, name: &str) -> Option<String> {
    let dir: &Path = state.www_dir.as_deref()?;
    tokio::fs::read_to_string(dir.join(name)).await.ok()
}

/// Text for an HTML attribute or element.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for char in text.chars() {
        match char {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// Lists what a person needs to try the server by hand.
async fn start_page(State(state): State<AppState>) -> Html<String> {
    let seeded = &state.seeded;
    Html(format!(
        "<!doctype html><meta charset=utf-8><title>ferrochat-server</title>\
         <style>body{{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}}code{{background:#f3f3f3;padding:.1em .3em}}</style>\
         <h1>ferrochat-server</h1>\
         <p>inbox identifier: <code>{inbox}</code></p>\
         <p>Public API: <code>{base}/public/api/v1/inboxes/{inbox}</code></p>\
         <p><a href=\"/agent.html\">Agent console</a></p>",
        inbox = seeded.inbox_identifier,
        base = state.base_url,
    ))
}

#[cfg(test)]
mod tests {
    use sha2::{Digest, Sha256};

    use super::{WIDGET_CSP, escape};

    const SHELL: &str = include_str!("../../../www/widget.html");

    fn base64(bytes: &[u8]) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let mut group = [0u8; 3];
            group[..chunk.len()].copy_from_slice(chunk);
            let bits = u32::from(group[0]) << 16 | u32::from(group[1]) << 8 | u32::from(group[2]);
            for index in 0..4 {
                if index <= chunk.len() {
                    out.push(char::from(
                        ALPHABET[(bits >> (18 - 6 * index) & 63) as usize],
                    ));
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    #[test]
    fn the_policy_allows_the_shells_inline_script_by_its_hash() {
        assert_eq!(base64(b"hello"), "aGVsbG8=");
        assert_eq!(base64(b"hi"), "aGk=");
        let start = SHELL
            .find("<script type=\"module\">")
            .expect("an inline module")
            + 22;
        let end = start + SHELL[start..].find("</script>").expect("its end");
        let script = &SHELL[start..end];
        assert_eq!(SHELL.matches("<script").count(), 1, "one script only");
        let hash = format!("'sha256-{}'", base64(&Sha256::digest(script.as_bytes())));
        assert!(WIDGET_CSP.contains(&hash), "{WIDGET_CSP} lacks {hash}");
    }

    #[test]
    fn escapes_what_could_leave_an_attribute() {
        assert_eq!(
            escape("http://a/?x=\"1\"&y='<b>'"),
            "http://a/?x=&quot;1&quot;&amp;y=&#39;&lt;b&gt;&#39;"
        );
    }
}
