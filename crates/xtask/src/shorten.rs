//! Short names for the wasm's imports and exports that only its glue uses.
//!
//! wasm-bindgen names each import after the JavaScript it calls plus a hash
//! (`__wbg_addEventListener_847fd86b8c33ec43`), and each name is written
//! twice, in the wasm and in the glue. Hex does not compress: renaming them
//! `a`, `b`, … in both files takes kilobytes of brotli off what a visitor
//! downloads, and changes nothing else.

use std::collections::BTreeMap;

use crate::wasm::{Reader, write_leb, write_name};

/// Renames, in `wasm` and `glue` alike, every import and export whose name
/// starts with `__wbg` or `__wbindgen`. Fails, changing nothing, if the
/// wasm cannot be read or a name is missing from the glue.
pub(crate) fn shorten(wasm: &[u8], glue: &str) -> Result<(Vec<u8>, String), String> {
    let mut names = BTreeMap::new();
    let wasm = rewrite(wasm, &mut |name: &str| {
        if !(name.starts_with("__wbg") || name.starts_with("__wbindgen")) {
            return name.to_owned();
        }
        let next = short_name(names.len());
        names.entry(name.to_owned()).or_insert(next).clone()
    })?;
    let mut used = 0;
    let mut out = String::with_capacity(glue.len());
    let mut rest = glue;
    while let Some(start) = rest.find(is_word) {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find(|c: char| !is_word(c)).unwrap_or(rest.len());
        let word = &rest[..end];
        match names.get(word) {
            Some(short) => {
                out.push_str(short);
                used += 1;
            }
            None => out.push_str(word),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    for name in names.keys() {
        if !glue.contains(name.as_str()) {
            return Err(format!("the glue never names {name}"));
        }
    }
    if used < names.len() {
        return Err("the glue names fewer imports and exports than the wasm".to_owned());
    }
    Ok((wasm, out))
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$'
}

/// The `index`th of `a` … `Z`, `aa`, `ab`, … (skipping `do`, `if` and
/// `in`): never a keyword, never a `__wb` name.
fn short_name(index: usize) -> String {
    const LETTERS: &[u8; 52] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let letter = |index: usize| char::from(LETTERS[index % LETTERS.len()]);
    (0..)
        .map(|candidate: usize| {
            if candidate < LETTERS.len() {
                letter(candidate).to_string()
            } else {
                let candidate = candidate - LETTERS.len();
                format!("{}{}", letter(candidate / LETTERS.len()), letter(candidate))
            }
        })
        .filter(|name| !matches!(name.as_str(), "do" | "if" | "in"))
        .nth(index)
        .unwrap_or_default()
}

/// The wasm with each import's field name and each export's name passed
/// through `rename`; every other byte as it was.
fn rewrite(wasm: &[u8], rename: &mut dyn FnMut(&str) -> String) -> Result<Vec<u8>, String> {
    let header = wasm.get(..8).ok_or("not a wasm module")?;
    if header[..4] != *b"\0asm" {
        return Err("not a wasm module".to_owned());
    }
    let mut out = header.to_vec();
    let mut reader = Reader { bytes: wasm, at: 8 };
    while reader.at < wasm.len() {
        let id = reader.byte()?;
        let size = reader.leb()?;
        let body = reader.take(size)?;
        let body = match id {
            2 => imports(body, rename)?,
            7 => exports(body, rename)?,
            _ => body.to_vec(),
        };
        out.push(id);
        write_leb(&mut out, body.len());
        out.extend_from_slice(&body);
    }
    Ok(out)
}

fn imports(body: &[u8], rename: &mut dyn FnMut(&str) -> String) -> Result<Vec<u8>, String> {
    let mut reader = Reader { bytes: body, at: 0 };
    let mut out = Vec::with_capacity(body.len());
    let count = reader.leb()?;
    write_leb(&mut out, count);
    for _ in 0..count {
        let module = reader.name()?;
        write_name(&mut out, module);
        let field = reader.name()?;
        write_name(&mut out, &rename(field));
        let start = reader.at;
        reader.import_kind()?;
        out.extend_from_slice(&body[start..reader.at]);
    }
    Ok(out)
}

fn exports(body: &[u8], rename: &mut dyn FnMut(&str) -> String) -> Result<Vec<u8>, String> {
    let mut reader = Reader { bytes: body, at: 0 };
    let mut out = Vec::with_capacity(body.len());
    let count = reader.leb()?;
    write_leb(&mut out, count);
    for _ in 0..count {
        let name = reader.name()?;
        write_name(&mut out, &rename(name));
        let start = reader.at;
        reader.byte()?;
        reader.leb()?;
        out.extend_from_slice(&body[start..reader.at]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::{short_name, shorten};

    /// A module importing `wbg.__wbg_log_0123abcd` (a function) and a
    /// memory, and exporting `__wbindgen_malloc` and `start`.
    fn module() -> Vec<u8> {
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        // type section: one type, () -> ()
        wasm.extend([1, 4, 1, 0x60, 0, 0]);
        let mut imports = vec![2];
        for (module, field, desc) in [
            ("wbg", "__wbg_log_0123abcd", &[0u8, 0][..]),
            ("env", "memory", &[2, 1, 1, 2][..]),
        ] {
            imports.push(module.len() as u8);
            imports.extend(module.bytes());
            imports.push(field.len() as u8);
            imports.extend(field.bytes());
            imports.extend(desc);
        }
        wasm.push(2);
        wasm.push(imports.len() as u8);
        wasm.extend(imports);
        // function section: two functions of type 0
        wasm.extend([3, 3, 2, 0, 0]);
        let mut exports = vec![2];
        for (name, index) in [("__wbindgen_malloc", 1u8), ("start", 2)] {
            exports.push(name.len() as u8);
            exports.extend(name.bytes());
            exports.extend([0, index]);
        }
        wasm.push(7);
        wasm.push(exports.len() as u8);
        wasm.extend(exports);
        // code section: two empty bodies
        wasm.extend([10, 7, 2, 2, 0, 0x0b, 2, 0, 0x0b]);
        wasm
    }

    #[test]
    fn renames_the_glue_names_in_both_files_and_nothing_else() {
        let glue = "const i={__proto__:null,__wbg_log_0123abcd:function(){}};\
                    w.__wbindgen_malloc(8);w.start();const __wbg_init=1;";
        let (wasm, out) = shorten(&module(), glue).unwrap();
        assert_eq!(
            out,
            "const i={__proto__:null,a:function(){}};w.b(8);w.start();const __wbg_init=1;"
        );
        let text = String::from_utf8_lossy(&wasm);
        assert!(!text.contains("__wbg_log"));
        assert!(!text.contains("__wbindgen_malloc"));
        assert!(text.contains("memory") && text.contains("start"));
        assert_eq!(
            wasm.len(),
            module().len() - ("__wbg_log_0123abcd".len() - 1) - ("__wbindgen_malloc".len() - 1)
        );
        // The code section is untouched, at the end.
        assert!(wasm.ends_with(&[10, 7, 2, 2, 0, 0x0b, 2, 0, 0x0b]));
    }

    #[test]
    fn a_name_the_glue_lacks_stops_the_build() {
        let error = shorten(&module(), "w.__wbindgen_malloc(8)").unwrap_err();
        assert!(error.contains("__wbg_log_0123abcd"), "{error}");
        assert!(shorten(b"\0asn\x01\0\0\0", "").is_err());
    }

    #[test]
    fn short_names_are_distinct_and_never_keywords() {
        let names: Vec<String> = (0..2000).map(short_name).collect();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len());
        assert!(
            !names
                .iter()
                .any(|name| ["do", "if", "in"].contains(&name.as_str()))
        );
        assert_eq!((names[0].as_str(), names[52].as_str()), ("a", "aa"));
    }
}
