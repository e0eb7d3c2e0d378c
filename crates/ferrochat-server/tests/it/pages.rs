//! The pages around the widget: the demo page with its inbox filled in, the
//! iframe's shell under its CSP, and the widget's files, precompressed.

use std::path::Path;

use crate::support::TestServer;

/// A `www/` folder as `cargo xtask` assembles it, in little.
fn write_www(dir: &Path) {
    std::fs::create_dir_all(dir.join("widget")).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<script async src=\"{{BASE_URL}}/ferrochat.js\" data-base-url=\"{{BASE_URL}}\" data-inbox=\"{{INBOX}}\"></script>",
    )
    .unwrap();
    std::fs::write(
        dir.join("widget.html"),
        "<!doctype html><title>ferrochat</title>",
    )
    .unwrap();
    std::fs::write(dir.join("ferrochat.js"), "loader();").unwrap();
    std::fs::write(dir.join("ferrochat.js.br"), b"brotli bytes").unwrap();
    std::fs::write(
        dir.join("widget").join("widget_bg.wasm"),
        b"\0asm\x01\0\0\0",
    )
    .unwrap();
}

async fn get(server: &TestServer, path: &str, accept_encoding: &str) -> reqwest::Response {
    server
        .http
        .get(server.url(path))
        .header("accept-encoding", accept_encoding)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_demo_page_embeds_the_widget_of_this_server_and_inbox() {
    let server = TestServer::start_with(|config| {
        let www = config.data_dir.join("www");
        write_www(&www);
        config.www_dir = Some(www);
    })
    .await;
    for path in ["/", "/index.html"] {
        let response = get(&server, path, "identity").await;
        assert_eq!(response.status(), 200);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let page = response.text().await.unwrap();
        assert_eq!(
            page,
            format!(
                "<script async src=\"{base}/ferrochat.js\" data-base-url=\"{base}\" data-inbox=\"{inbox}\"></script>",
                base = server.base,
                inbox = server.inbox
            )
        );
    }
}

#[tokio::test]
async fn the_widget_shell_is_served_under_its_policy_at_any_query() {
    let server = TestServer::start_with(|config| {
        let www = config.data_dir.join("www");
        write_www(&www);
        config.www_dir = Some(www);
    })
    .await;
    let response = get(
        &server,
        "/widget?inbox=abc&origin=http%3A%2F%2Fshop.test",
        "identity",
    )
    .await;
    assert_eq!(response.status(), 200);
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    for directive in [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval' 'sha256-",
        "connect-src 'self' ws: wss:",
        "object-src 'none'",
    ] {
        assert!(csp.contains(directive), "{csp} lacks {directive}");
    }
    let scripts = csp
        .split(';')
        .find(|directive| directive.trim().starts_with("script-src"))
        .unwrap();
    assert!(
        !scripts.contains("'unsafe-inline'") && !scripts.contains(" 'unsafe-eval'"),
        "{scripts}"
    );
    assert_eq!(
        response.text().await.unwrap(),
        "<!doctype html><title>ferrochat</title>"
    );

    // The widget's files, precompressed where the build left a `.br`.
    let loader = get(&server, "/ferrochat.js", "gzip, br").await;
    assert_eq!(loader.status(), 200);
    assert_eq!(loader.headers()["content-encoding"], "br");
    assert_eq!(loader.headers()["cache-control"], "no-cache");
    assert_eq!(loader.bytes().await.unwrap().as_ref(), b"brotli bytes");
    let plain = get(&server, "/ferrochat.js", "identity").await;
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.text().await.unwrap(), "loader();");
    let wasm = get(&server, "/widget/widget_bg.wasm", "br").await;
    assert_eq!(wasm.status(), 200);
    assert_eq!(wasm.headers()["content-type"], "application/wasm");

    // The console is still the one compiled in.
    let console = get(&server, "/agent.html", "identity").await;
    assert_eq!(console.status(), 200);
}

#[tokio::test]
async fn without_a_www_folder_there_is_no_widget_but_a_start_page() {
    let server = TestServer::start().await;
    assert_eq!(
        get(&server, "/widget?inbox=x", "identity").await.status(),
        404
    );
    let start = get(&server, "/", "identity").await.text().await.unwrap();
    assert!(start.contains(&server.inbox), "{start}");
}
