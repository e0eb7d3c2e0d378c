//! `cargo xtask size`: what the widget weighs, as browsers fetch it. Builds
//! the release widget, prints raw, gzip -9 and brotli -q 11 bytes of the
//! loader and of everything fetched to open the chat, and fails past the
//! budgets. Then the biggest contributors to the wasm, by crate and by
//! function, from its name section.

use std::fs;
use std::path::Path;

use crate::wasm::Reader;
use crate::widget::{COMPRESSORS, build_widget, compress};

/// The ceiling for the loader, brotli.
const LOADER_MAX: usize = 2048;
/// The hard ceiling for everything to an open chat window, brotli.
const OPEN_MAX: usize = 150 * 1024;
/// The goal for the same.
const OPEN_GOAL: usize = 100 * 1024;

/// What a browser fetches, in order: the loader on the host page, then the
/// iframe's shell, stylesheet, glue and wasm once the chat opens.
const FETCHED: [&str; 5] = [
    "ferrochat.js",
    "widget.html",
    "widget/widget.css",
    "widget/widget.js",
    "widget/widget_bg.wasm",
];

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Weight {
    pub(crate) raw: usize,
    pub(crate) gzip: usize,
    pub(crate) brotli: usize,
}

pub(crate) fn run() -> Result<(), String> {
    let root = crate::run::workspace_root();
    crate::setup::build_tools(&mut crate::run::Report::default())?;
    let www = build_widget(&root, true)?;
    check(&root, &www)
}

/// Prints the table and the contributors; fails past a budget.
pub(crate) fn check(root: &Path, www: &Path) -> Result<(), String> {
    let mut weights = Vec::new();
    for name in FETCHED {
        weights.push((name, weigh(&www.join(name))?));
    }
    let total = weights
        .iter()
        .fold(Weight::default(), |sum, (_, weight)| Weight {
            raw: sum.raw + weight.raw,
            gzip: sum.gzip + weight.gzip,
            brotli: sum.brotli + weight.brotli,
        });
    println!();
    print!("{}", table(&weights, total));
    let loader = weights[0].1.brotli;
    println!(
        "\nloader: {loader} B brotli, budget {LOADER_MAX} B\n\
         open chat, everything included: {} B brotli, budget {OPEN_MAX} B, goal {OPEN_GOAL} B",
        total.brotli
    );
    print_contributors(
        &crate::demo::target_dir(root)
            .join("widget-build")
            .join("release")
            .join("bindgen")
            .join("widget_bg.wasm"),
    );
    let mut over = Vec::new();
    if loader > LOADER_MAX {
        over.push(format!(
            "the loader is {loader} B brotli, over {LOADER_MAX} B"
        ));
    }
    if total.brotli > OPEN_MAX {
        over.push(format!(
            "opening the chat costs {} B brotli, over {OPEN_MAX} B",
            total.brotli
        ));
    }
    if over.is_empty() {
        println!("\nwithin budget");
        Ok(())
    } else {
        Err(over.join("; "))
    }
}

fn weigh(file: &Path) -> Result<Weight, String> {
    let raw = fs::metadata(file)
        .map_err(|error| format!("cannot read {}: {error}", file.display()))?
        .len();
    let [gzip, brotli] = COMPRESSORS;
    Ok(Weight {
        raw: usize::try_from(raw).unwrap_or(usize::MAX),
        gzip: compress(gzip.0, gzip.1, file)?.len(),
        brotli: compress(brotli.0, brotli.1, file)?.len(),
    })
}

fn table(weights: &[(&str, Weight)], total: Weight) -> String {
    let mut out = format!(
        "{:<28} {:>10} {:>10} {:>13}\n",
        "file", "raw", "gzip -9", "brotli -q 11"
    );
    let row = |name: &str, weight: Weight| {
        format!(
            "{name:<28} {:>10} {:>10} {:>13}\n",
            weight.raw, weight.gzip, weight.brotli
        )
    };
    for (name, weight) in weights {
        out.push_str(&row(name, *weight));
    }
    out.push_str(&row("total (open chat)", total));
    out
}

/// The name section's view of the wasm before wasm-opt (which drops the
/// names): code bytes per crate and the largest functions. Only a guide:
/// wasm-opt shrinks and merges code afterwards.
fn print_contributors(wasm: &Path) {
    let Ok(bytes) = fs::read(wasm) else {
        return;
    };
    let functions = match function_sizes(&bytes) {
        Ok(functions) if !functions.is_empty() => functions,
        Ok(_) => {
            println!(
                "\n(no name section in {}: no contributors to show)",
                wasm.display()
            );
            return;
        }
        Err(error) => {
            println!("\n(cannot read {}: {error})", wasm.display());
            return;
        }
    };
    let code: usize = functions.iter().map(|(_, size)| size).sum();
    let mut crates: Vec<(String, usize)> = Vec::new();
    for (name, size) in &functions {
        let owner = crate_of(name);
        match crates.iter_mut().find(|(known, _)| *known == owner) {
            Some((_, sum)) => *sum += size,
            None => crates.push((owner, *size)),
        }
    }
    crates.sort_by_key(|owner| std::cmp::Reverse(owner.1));
    println!(
        "\nwasm code by crate, before wasm-opt ({code} B of code in {} functions):",
        functions.len()
    );
    for (name, size) in crates.iter().take(12) {
        println!("  {size:>8} B  {:>4.1}%  {name}", percent(*size, code));
    }
    let mut largest = functions.clone();
    largest.sort_by_key(|function| std::cmp::Reverse(function.1));
    println!("largest functions:");
    for (name, size) in largest.iter().take(12) {
        let short: String = name.chars().take(100).collect();
        println!("  {size:>8} B  {short}");
    }
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        // Sizes of a wasm file are far below f64's exact integer range.
        #[allow(clippy::cast_precision_loss)]
        let ratio = part as f64 / whole as f64;
        ratio * 100.0
    }
}

/// The crate a demangled (or legacy-mangled) Rust name belongs to: the first
/// path segment, looking inside `<… as …>`.
pub(crate) fn crate_of(name: &str) -> String {
    let name = demangle(name);
    let trimmed = name
        .trim_start_matches('<')
        .trim_start_matches('&')
        .trim_start_matches("mut ");
    let first = trimmed
        .split("::")
        .next()
        .unwrap_or(trimmed)
        .split(['<', ' ', '(', '['])
        .next()
        .unwrap_or("");
    let first = first.trim_end_matches('>');
    // Methods of primitive types (`<char>::escape_debug_ext`) are core's.
    const PRIMITIVES: &[&str] = &[
        "char", "str", "bool", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32",
        "i64", "i128", "isize", "f32", "f64", "",
    ];
    if !name.contains("::") {
        "(other: runtime, glue, imports)".to_owned()
    } else if PRIMITIVES.contains(&first) {
        "core".to_owned()
    } else {
        first.to_owned()
    }
}

/// Rust's legacy mangling, `_ZN4core3fmt5write17h0123456789abcdefE`, into
/// `core::fmt::write`; anything else unchanged.
pub(crate) fn demangle(name: &str) -> String {
    let Some(mut rest) = name.strip_prefix("_ZN") else {
        return name.to_owned();
    };
    let mut segments = Vec::new();
    while let Some(digits) = rest
        .find(|c: char| !c.is_ascii_digit())
        .filter(|&end| end > 0)
    {
        let Ok(length) = rest[..digits].parse::<usize>() else {
            break;
        };
        let Some(segment) = rest.get(digits..digits + length) else {
            break;
        };
        if !(segment.len() == 17 && segment.starts_with('h')) {
            segments.push(
                segment
                    .replace("$LT$", "<")
                    .replace("$GT$", ">")
                    .replace("..", "::"),
            );
        }
        rest = &rest[digits + length..];
    }
    segments.join("::")
}

/// `(name, body bytes)` per defined function, named from the name section.
pub(crate) fn function_sizes(wasm: &[u8]) -> Result<Vec<(String, usize)>, String> {
    let mut reader = Reader { bytes: wasm, at: 8 };
    if wasm.get(..4) != Some(b"\0asm") {
        return Err("not a wasm module".to_owned());
    }
    let mut imported = 0usize;
    let mut bodies = Vec::new();
    let mut names = Vec::new();
    while reader.at < wasm.len() {
        let id = reader.byte()?;
        let size = reader.leb()?;
        let end = reader.at + size;
        let mut section = Reader {
            bytes: wasm.get(..end).ok_or("a section runs past the end")?,
            at: reader.at,
        };
        match id {
            2 => imported = count_function_imports(&mut section)?,
            10 => {
                for _ in 0..section.leb()? {
                    let body = section.leb()?;
                    bodies.push(body);
                    section.at += body;
                }
            }
            0 if section.name()? == "name" => names = function_names(&mut section)?,
            _ => {}
        }
        reader.at = end;
    }
    let mut sizes: Vec<(String, usize)> = bodies
        .iter()
        .enumerate()
        .map(|(index, size)| (format!("function[{}]", index + imported), *size))
        .collect();
    if names.is_empty() {
        return Ok(Vec::new());
    }
    for (index, name) in names {
        if let Some(slot) = index.checked_sub(imported).and_then(|i| sizes.get_mut(i)) {
            slot.0 = name;
        }
    }
    Ok(sizes)
}

fn count_function_imports(section: &mut Reader<'_>) -> Result<usize, String> {
    let mut functions = 0;
    for _ in 0..section.leb()? {
        section.name()?;
        section.name()?;
        if section.import_kind()? == 0 {
            functions += 1;
        }
    }
    Ok(functions)
}

fn function_names(section: &mut Reader<'_>) -> Result<Vec<(usize, String)>, String> {
    let mut names = Vec::new();
    while section.at < section.bytes.len() {
        let id = section.byte()?;
        let size = section.leb()?;
        let end = section.at + size;
        if id == 1 {
            for _ in 0..section.leb()? {
                let index = section.leb()?;
                names.push((index, section.name()?.to_owned()));
            }
        }
        section.at = end;
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::{Weight, crate_of, demangle, function_sizes, table};

    #[test]
    fn names_the_crate_of_a_function() {
        assert_eq!(
            demangle("_ZN4core3fmt5write17h0123456789abcdefE"),
            "core::fmt::write"
        );
        assert_eq!(crate_of("_ZN4core3fmt5write17h0123456789abcdefE"), "core");
        assert_eq!(
            crate_of("<yew::html::Html as core::clone::Clone>::clone"),
            "yew"
        );
        assert_eq!(crate_of("serde_json::de::from_str"), "serde_json");
        assert_eq!(crate_of("memcpy"), "(other: runtime, glue, imports)");
        assert_eq!(crate_of("<char>::escape_debug_ext"), "core");
        assert_eq!(crate_of("<[T]>::sort::h01"), "core");
        assert_eq!(
            crate_of("<dlmalloc[e24a27700634d609]::dlmalloc::Dlmalloc<X>>::malloc"),
            "dlmalloc"
        );
    }

    /// A module with one imported and two defined functions, named.
    #[test]
    fn reads_function_sizes_and_names() {
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        // type section: one type () -> ()
        wasm.extend([1, 4, 1, 0x60, 0, 0]);
        // import section: "m" "f" func type 0
        wasm.extend([2, 7, 1, 1, b'm', 1, b'f', 0, 0]);
        // function section: two functions of type 0
        wasm.extend([3, 3, 2, 0, 0]);
        // code section: bodies of 2 and 4 bytes
        wasm.extend([10, 9, 2, 2, 0, 0x0b, 4, 0, 1, 1, 0x0b]);
        // name section: function names for 1 and 2
        let names = [1u8, 9, 2, 1, 1, b'a', 2, 3, b'b', b':', b':'];
        let mut custom = vec![4, b'n', b'a', b'm', b'e'];
        custom.extend(names);
        wasm.push(0);
        wasm.push(u8::try_from(custom.len()).unwrap_or(0));
        wasm.extend(custom);
        assert_eq!(
            function_sizes(&wasm),
            Ok(vec![("a".to_owned(), 2), ("b::".to_owned(), 4)])
        );
    }

    #[test]
    fn prints_a_table_with_a_total() {
        let weight = Weight {
            raw: 3,
            gzip: 2,
            brotli: 1,
        };
        let text = table(&[("ferrochat.js", weight)], weight);
        assert!(
            text.lines()
                .nth(1)
                .is_some_and(|line| line.starts_with("ferrochat.js"))
        );
        assert!(text.lines().last().is_some_and(|line| line.ends_with(" 1")));
    }
}
