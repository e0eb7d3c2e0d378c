//! `cargo xtask pack`: the npm package. Three wasm builds (release, real
//! LTO, `wasm-opt -Oz`): `ferrochat-client` with `js`, the headless client,
//! and with `helpers`, the core's helpers, each bound for the web and for
//! bundlers; and the widget with `mount`, for the in-page chat window. Then
//! the hand-written JavaScript and types of `npm/`, and `npm pack` into
//! `target/npm/`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::demo::target_dir;
use crate::widget::{cargo_cdylib, compress, copy, copy_tree, minify_css, wasm_bindgen, wasm_opt};

/// What `pack` made.
pub(crate) struct Packed {
    /// The tarball.
    pub(crate) tarball: PathBuf,
    /// The package's folder, as the tarball holds it.
    pub(crate) package: PathBuf,
}

pub(crate) fn run() -> Result<(), String> {
    let root = crate::run::workspace_root();
    let packed = pack(&root)?;
    report(&packed)
}

/// Builds the package and its tarball.
pub(crate) fn pack(root: &Path) -> Result<Packed, String> {
    let target = target_dir(root);
    let work = target.join("npm");
    let package = work.join("package");
    if package.exists() {
        fs::remove_dir_all(&package)
            .map_err(|error| format!("cannot clear {}: {error}", package.display()))?;
    }
    copy_tree(&root.join("npm"), &package)?;
    let wasm_dir = package.join("wasm");

    // One wasm each, so that an app pays only for what it uses.
    for (feature, name) in [("js", "client"), ("helpers", "helpers")] {
        let wasm = build_wasm(root, "ferrochat-client", feature)?;
        for target in ["web", "bundler"] {
            bind(root, &wasm, target, name, &wasm_dir.join(target))?;
        }
    }
    let widget = build_wasm(root, "ferrochat-widget", "mount")?;
    bind(root, &widget, "web", "widget", &wasm_dir.join("widget"))?;
    write_style(root, &wasm_dir.join("widget").join("style.js"))?;

    for entry in
        fs::read_dir(&work).map_err(|error| format!("cannot read {}: {error}", work.display()))?
    {
        let path = entry
            .map_err(|error| format!("cannot read {}: {error}", work.display()))?
            .path();
        if path.extension().is_some_and(|extension| extension == "tgz") {
            fs::remove_file(&path)
                .map_err(|error| format!("cannot remove {}: {error}", path.display()))?;
        }
    }
    println!("$ npm pack --pack-destination {}", work.display());
    let output = Command::new("npm")
        .args(["pack", "--silent", "--pack-destination"])
        .arg(&work)
        .current_dir(&package)
        .output()
        .map_err(|error| format!("cannot start `npm pack`: {error}"))?;
    if !output.status.success() {
        return Err(format!(
            "`npm pack` failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let name = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let tarball = work.join(name.lines().last().unwrap_or_default());
    if !tarball.is_file() {
        return Err(format!("`npm pack` made no {}", tarball.display()));
    }
    println!("packed {}", tarball.display());
    Ok(Packed { tarball, package })
}

/// The release cdylib of `crate_name` with `feature`, kept beside the
/// package: the widget's iframe build writes cargo's path too.
fn build_wasm(root: &Path, crate_name: &str, feature: &str) -> Result<PathBuf, String> {
    let built = cargo_cdylib(root, crate_name, true, Some(feature))?;
    let kept = target_dir(root)
        .join("npm")
        .join(format!("{crate_name}-{feature}.wasm"));
    copy(&built, &kept)?;
    Ok(kept)
}

/// wasm-bindgen for `target` into `out`, then `wasm-opt -Oz` on its wasm.
fn bind(root: &Path, wasm: &Path, target: &str, name: &str, out: &Path) -> Result<(), String> {
    wasm_bindgen(wasm, target, name, out)?;
    let bound = out.join(format!("{name}_bg.wasm"));
    wasm_opt(root, &bound, &bound)
}

/// The chat window's stylesheet as a module (`export default "…"`), for
/// the shadow root `mount` renders into: the iframe's page rules become
/// the root's.
fn write_style(root: &Path, out: &Path) -> Result<(), String> {
    let source = root.join("www").join("widget").join("widget.css");
    let css = fs::read_to_string(&source)
        .map_err(|error| format!("cannot read {}: {error}", source.display()))?;
    let css = format!(
        ":host{{display:block;position:relative}}\
         .fc-root{{height:100%;font:15px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;\
         -webkit-font-smoothing:antialiased;text-align:start}}\
         .fc-root[hidden]{{display:none}}{}",
        minify_css(&css)
    );
    let quoted = css
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n");
    fs::write(out, format!("export default \"{quoted}\";\n"))
        .map_err(|error| format!("cannot write {}: {error}", out.display()))
}

/// The files an entry point loads: its own modules and its wasm.
const ENTRIES: [(&str, &[&str]); 5] = [
    (
        "ferrochat: createClient (web)",
        &[
            "index.js",
            "lib/api.js",
            "wasm/web/client.js",
            "wasm/web/client_bg.wasm",
        ],
    ),
    (
        "ferrochat: helpers (web)",
        &[
            "index.js",
            "lib/api.js",
            "wasm/web/helpers.js",
            "wasm/web/helpers_bg.wasm",
        ],
    ),
    (
        "ferrochat/bundler: createClient",
        &[
            "bundler.js",
            "lib/api.js",
            "wasm/bundler/client.js",
            "wasm/bundler/client_bg.js",
            "wasm/bundler/client_bg.wasm",
        ],
    ),
    (
        "ferrochat/bundler: helpers",
        &[
            "bundler.js",
            "lib/api.js",
            "wasm/bundler/helpers.js",
            "wasm/bundler/helpers_bg.js",
            "wasm/bundler/helpers_bg.wasm",
        ],
    ),
    (
        "ferrochat/mount (the window)",
        &[
            "mount.js",
            "wasm/widget/widget.js",
            "wasm/widget/style.js",
            "wasm/widget/widget_bg.wasm",
        ],
    ),
];

/// Prints the tarball's size and each entry point's raw and brotli bytes.
pub(crate) fn report(packed: &Packed) -> Result<(), String> {
    let size = |path: &Path| {
        fs::metadata(path)
            .map(|metadata| metadata.len())
            .map_err(|error| format!("cannot read {}: {error}", path.display()))
    };
    println!();
    println!(
        "npm package {}: {} bytes",
        packed
            .tarball
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default(),
        size(&packed.tarball)?
    );
    println!("{:<32} {:>10} {:>14}", "entry point", "raw", "brotli -q 11");
    for (entry, files) in ENTRIES {
        let (mut raw, mut brotli) = (0, 0);
        for file in files {
            let path = packed.package.join(file);
            raw += size(&path)?;
            brotli += compress("brotli", &["-q", "11", "-c"], &path)?.len() as u64;
        }
        println!("{entry:<32} {raw:>10} {brotli:>14}");
    }
    Ok(())
}
