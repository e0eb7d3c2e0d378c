//! Building the widget: the Yew app to wasm (cargo, wasm-bindgen, wasm-opt),
//! the loader through terser, and the folder the server serves,
//! `target/www`: the files of `www/`, `ferrochat.js`, and `widget/` with the
//! app's glue, wasm and stylesheet, each with `.br` and `.gz` beside it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::demo::target_dir;
use crate::run::{run_visible, run_visible_env};

pub(crate) const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// What the wasm-bindgen output uses beyond the wasm MVP: Rust's
/// wasm32-unknown-unknown defaults. wasm-opt refuses a module that uses a
/// feature it was not told about.
const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-bulk-memory-opt",
    "--enable-call-indirect-overlong",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// The npm tools, installed by `cargo xtask setup` (`npm ci` in `tests/`).
pub(crate) fn npm_bin(root: &Path, tool: &str) -> PathBuf {
    root.join("tests")
        .join("node_modules")
        .join(".bin")
        .join(tool)
}

/// The served folder, `<target>/www`.
pub(crate) fn www_dir(root: &Path) -> PathBuf {
    target_dir(root).join("www")
}

/// Builds the app (`release`: the workspace's release profile, with real
/// LTO, then `wasm-opt -Oz`) and the loader, assembles `target/www`, and
/// returns its path.
pub(crate) fn build_widget(root: &Path, release: bool) -> Result<PathBuf, String> {
    let profile = if release { "release" } else { "debug" };
    let wasm = cargo_cdylib(root, "ferrochat-widget", release, None)?;
    let work = target_dir(root).join("widget-build").join(profile);
    let app = bindgen_and_optimize(root, &wasm, &work, release)?;
    let loader = work.join("ferrochat.js");
    minify_loader(root, &loader)?;
    assemble(root, &www_dir(root), &app, &loader)
}

/// The release wasm builds drop what no visitor reads: panic locations
/// (file, line and column of each panic), the bodies of `Debug`
/// formatting, which the shipped code never prints (2.8 KB brotli of the
/// widget), and the panic machinery itself: a panic already ended the
/// module (`panic = "abort"`) after formatting a message nobody saw, and
/// now it traps at once (`-Cpanic=immediate-abort`, which needs `std`
/// built with it, hence `-Zbuild-std` and the `rust-src` component:
/// another 8.3 KB brotli). The flags are unstable, hence
/// `RUSTC_BOOTSTRAP`; every release wasm build sets them alike, so they
/// share one build cache.
const SIZE_FLAGS: [(&str, &str); 2] = [
    ("RUSTC_BOOTSTRAP", "1"),
    (
        "RUSTFLAGS",
        "-Zlocation-detail=none -Zfmt-debug=none -Zunstable-options -Cpanic=immediate-abort",
    ),
];

/// `cargo rustc` of `crate_name` as a wasm cdylib (`release`: the
/// workspace's release profile, with `feature`, if any); returns the wasm.
pub(crate) fn cargo_cdylib(
    root: &Path,
    crate_name: &str,
    release: bool,
    feature: Option<&str>,
) -> Result<PathBuf, String> {
    // `cargo build` would ignore `lto` for a crate that is also an rlib;
    // `cargo rustc --crate-type cdylib` builds the cdylib alone, with it.
    let mut cargo = vec![
        "rustc",
        "-p",
        crate_name,
        "--lib",
        "--crate-type",
        "cdylib",
        "--target",
        WASM_TARGET,
        "--locked",
    ];
    if release {
        cargo.extend(["--release", "-Zbuild-std=std,panic_abort"]);
    }
    if let Some(feature) = feature {
        cargo.extend(["--features", feature]);
    }
    if release {
        run_visible_env("cargo", &cargo, &SIZE_FLAGS)?;
    } else {
        run_visible("cargo", &cargo)?;
    }
    Ok(target_dir(root)
        .join(WASM_TARGET)
        .join(if release { "release" } else { "debug" })
        .join(format!("{}.wasm", crate_name.replace('-', "_"))))
}

/// wasm-bindgen for `target` (`web`, `bundler`): `{out}/{name}.js` and
/// `{out}/{name}_bg.wasm`.
pub(crate) fn wasm_bindgen(
    wasm: &Path,
    target: &str,
    name: &str,
    out: &Path,
) -> Result<(), String> {
    fs::create_dir_all(out).map_err(|error| format!("cannot create {}: {error}", out.display()))?;
    run_visible(
        "wasm-bindgen",
        &[
            "--target",
            target,
            "--no-typescript",
            "--out-name",
            name,
            "--out-dir",
            &out.display().to_string(),
            &wasm.display().to_string(),
        ],
    )
}

/// `wasm-opt -Oz` of `input` into `output` (which may be `input`), without
/// debug info or the producers section. `--low-memory-unused` holds for
/// Rust's layout (the stack's far end is the first 1 KiB, and reaching it
/// is already an overflow) and `--converge` repeats the passes while they
/// still shrink the module: together 1.2 KB brotli off the widget.
pub(crate) fn wasm_opt(root: &Path, input: &Path, output: &Path) -> Result<(), String> {
    let mut args = vec![
        "-Oz".to_owned(),
        "--low-memory-unused".to_owned(),
        "--converge".to_owned(),
    ];
    args.extend(WASM_FEATURES.iter().map(|flag| (*flag).to_owned()));
    args.extend([
        "--strip-debug".to_owned(),
        "--strip-producers".to_owned(),
        "-o".to_owned(),
        output.display().to_string(),
        input.display().to_string(),
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_visible(&npm_bin(root, "wasm-opt").display().to_string(), &args)
}

/// What wasm-bindgen and wasm-opt made: the glue and the wasm.
struct App {
    glue: PathBuf,
    wasm: PathBuf,
}

/// wasm-bindgen, then (release) wasm-opt. Skipped when cargo's wasm is byte
/// for byte the one the outputs were made from: wasm-opt takes a while.
fn bindgen_and_optimize(
    root: &Path,
    wasm: &Path,
    work: &Path,
    release: bool,
) -> Result<App, String> {
    let bindgen = work.join("bindgen");
    let app = App {
        glue: if release {
            work.join("widget.js")
        } else {
            bindgen.join("widget.js")
        },
        wasm: work.join("widget_bg.wasm"),
    };
    let stamp = work.join("input.wasm");
    let input =
        fs::read(wasm).map_err(|error| format!("cannot read {}: {error}", wasm.display()))?;
    let unchanged = fs::read(&stamp).is_ok_and(|last| last == input)
        && app.glue.is_file()
        && app.wasm.is_file();
    if unchanged {
        println!(
            "the app's wasm is unchanged: keeping {}",
            app.wasm.display()
        );
        return Ok(app);
    }
    // A failure below must not leave a stamp that vouches for old outputs.
    let _ = fs::remove_file(&stamp);
    fs::create_dir_all(&bindgen)
        .map_err(|error| format!("cannot create {}: {error}", bindgen.display()))?;
    wasm_bindgen(wasm, "web", "widget", &bindgen)?;
    let bound = bindgen.join("widget_bg.wasm");
    if release {
        minify_glue(root, &bindgen.join("widget.js"), &app.glue)?;
        wasm_opt(root, &bound, &app.wasm)?;
        shorten_names(&app.wasm, &app.glue)?;
    } else {
        copy(&bound, &app.wasm)?;
    }
    fs::write(&stamp, input)
        .map_err(|error| format!("cannot write {}: {error}", stamp.display()))?;
    Ok(app)
}

/// [`crate::shorten`] on the wasm and its glue, in place.
pub(crate) fn shorten_names(wasm: &Path, glue: &Path) -> Result<(), String> {
    let read_error =
        |path: &Path, error: std::io::Error| format!("cannot read {}: {error}", path.display());
    let bytes = fs::read(wasm).map_err(|error| read_error(wasm, error))?;
    let text = fs::read_to_string(glue).map_err(|error| read_error(glue, error))?;
    let (bytes, text) = crate::shorten::shorten(&bytes, &text)?;
    fs::write(wasm, bytes).map_err(|error| format!("cannot write {}: {error}", wasm.display()))?;
    fs::write(glue, text).map_err(|error| format!("cannot write {}: {error}", glue.display()))
}

/// wasm-bindgen's glue (an ES module) through terser: a quarter of its
/// brotli weight is names and comments.
fn minify_glue(root: &Path, glue: &Path, out: &Path) -> Result<(), String> {
    let terser = npm_bin(root, "terser");
    run_visible(
        &terser.display().to_string(),
        &[
            &glue.display().to_string(),
            "--module",
            "--compress",
            "passes=2",
            "--mangle",
            "--ecma",
            "2020",
            "--output",
            &out.display().to_string(),
        ],
    )
}

/// `widget/loader/ferrochat.js` through terser into `out`.
fn minify_loader(root: &Path, out: &Path) -> Result<(), String> {
    let source = root.join("widget").join("loader").join("ferrochat.js");
    let terser = npm_bin(root, "terser");
    run_visible(
        &terser.display().to_string(),
        &[
            &source.display().to_string(),
            "--compress",
            "passes=3",
            "--mangle",
            "--ecma",
            "2017",
            "--output",
            &out.display().to_string(),
        ],
    )
}

/// Rebuilds `www` from scratch: `www/` (stylesheets without their comments),
/// the loader, the app; then `.br` and `.gz` beside each file the browser
/// fetches as it is.
fn assemble(root: &Path, www: &Path, app: &App, loader: &Path) -> Result<PathBuf, String> {
    if www.exists() {
        fs::remove_dir_all(www)
            .map_err(|error| format!("cannot clear {}: {error}", www.display()))?;
    }
    copy_tree(&root.join("www"), www)?;
    copy(loader, &www.join("ferrochat.js"))?;
    let widget = www.join("widget");
    copy(&app.glue, &widget.join("widget.js"))?;
    copy(&app.wasm, &widget.join("widget_bg.wasm"))?;
    if !widget.join("widget.css").is_file() {
        return Err("www/widget/widget.css is missing".to_owned());
    }
    for file in [
        www.join("ferrochat.js"),
        widget.join("widget.js"),
        widget.join("widget_bg.wasm"),
        widget.join("widget.css"),
    ] {
        precompress(&file)?;
    }
    println!("assembled {}", www.display());
    Ok(www.to_path_buf())
}

pub(crate) fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    fs::create_dir_all(to).map_err(|error| format!("cannot create {}: {error}", to.display()))?;
    let entries =
        fs::read_dir(from).map_err(|error| format!("cannot read {}: {error}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|error| format!("cannot read {}: {error}", from.display()))?;
        let path = entry.path();
        let destination = to.join(entry.file_name());
        if path.is_dir() {
            copy_tree(&path, &destination)?;
        } else if path.extension().is_some_and(|extension| extension == "css") {
            let css = fs::read_to_string(&path)
                .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
            fs::write(&destination, minify_css(&css))
                .map_err(|error| format!("cannot write {}: {error}", destination.display()))?;
        } else {
            copy(&path, &destination)?;
        }
    }
    Ok(())
}

pub(crate) fn copy(from: &Path, to: &Path) -> Result<(), String> {
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent)
            .map_err(|error| format!("cannot create {}: {error}", parent.display()))?;
    }
    fs::copy(from, to).map(drop).map_err(|error| {
        format!(
            "cannot copy {} to {}: {error}",
            from.display(),
            to.display()
        )
    })
}

/// Comments out, each run of whitespace down to one space, none around
/// braces and semicolons. Nothing that could change a selector's meaning
/// (`a :hover` is not `a:hover`), and brotli makes the rest cheap anyway.
pub(crate) fn minify_css(css: &str) -> String {
    let mut without_comments = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        without_comments.push_str(&rest[..start]);
        rest = rest[start + 2..]
            .find("*/")
            .map_or("", |end| &rest[start + 2 + end + 2..]);
    }
    without_comments.push_str(rest);
    let collapsed = without_comments
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut out = String::with_capacity(collapsed.len());
    let chars: Vec<char> = collapsed.chars().collect();
    for (index, &char) in chars.iter().enumerate() {
        let tight = |neighbour: Option<&char>| neighbour.is_some_and(|c| "{};".contains(*c));
        if char == ' '
            && (tight(index.checked_sub(1).and_then(|i| chars.get(i)))
                || tight(chars.get(index + 1)))
        {
            continue;
        }
        out.push(char);
    }
    out
}

/// Writes `file.br` (brotli -q 11) and `file.gz` (gzip -9) beside `file`,
/// which the server sends to browsers that accept them.
fn precompress(file: &Path) -> Result<(), String> {
    for (program, args, extension) in COMPRESSORS {
        let bytes = compress(program, args, file)?;
        let mut name = file.as_os_str().to_owned();
        name.push(".");
        name.push(extension);
        fs::write(&name, bytes)
            .map_err(|error| format!("cannot write {}: {error}", file.display()))?;
    }
    Ok(())
}

/// `(program, arguments, extension)`: the compressions measured and served.
pub(crate) const COMPRESSORS: [(&str, &[&str], &str); 2] = [
    ("gzip", &["-9", "-n", "-c"], "gz"),
    ("brotli", &["-q", "11", "-c"], "br"),
];

/// `program args… file`'s standard output.
pub(crate) fn compress(program: &str, args: &[&str], file: &Path) -> Result<Vec<u8>, String> {
    let output = Command::new(program)
        .args(args)
        .arg(file)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|error| format!("cannot start `{program}`: {error}"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(format!(
            "`{program}` failed on {}: {}",
            file.display(),
            output.status
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::minify_css;

    #[test]
    fn css_loses_comments_and_spaces_but_not_meaning() {
        let css = "/* head */\n.a :hover ,\n.b  >  p {\n  color : red;\n  margin: 0 auto;\n}\n/* x */ .c{}";
        assert_eq!(
            minify_css(css),
            ".a :hover , .b > p{color : red;margin: 0 auto;}.c{}"
        );
        assert_eq!(minify_css("a{b:c} /* unterminated"), "a{b:c}");
    }
}
