//! Pages: the `www/` folder when the server is given one (the demo page,
//! the widget, the agent console), else a start page of its own.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use crate::AppState;

const AGENT_CONSOLE: &str = include_str!("../../../www/agent.html");

pub(crate) fn routes(state: &AppState) -> Router<AppState> {
    let router = Router::new().route("/agent.html", get(agent_console));
    match &state.www_dir {
        Some(dir) => router.fallback_service(tower_http::services::ServeDir::new(dir)),
        None => router.route("/", get(start_page)),
    }
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
