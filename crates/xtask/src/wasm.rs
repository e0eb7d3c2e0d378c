//! Just enough of the wasm binary format for `size` (function sizes and
//! names) and `shorten` (import and export names).

/// A cursor over a wasm module or one of its sections.
pub(crate) struct Reader<'a> {
    pub(crate) bytes: &'a [u8],
    pub(crate) at: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn byte(&mut self) -> Result<u8, String> {
        let byte = *self
            .bytes
            .get(self.at)
            .ok_or("unexpected end of the wasm")?;
        self.at += 1;
        Ok(byte)
    }

    /// An unsigned LEB128 number.
    pub(crate) fn leb(&mut self) -> Result<usize, String> {
        let mut value = 0usize;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            value |= usize::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("an overlong LEB128 number".to_owned())
    }

    pub(crate) fn take(&mut self, size: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(size).ok_or("a size overflows")?;
        let bytes = self
            .bytes
            .get(self.at..end)
            .ok_or("unexpected end of the wasm")?;
        self.at = end;
        Ok(bytes)
    }

    pub(crate) fn name(&mut self) -> Result<&'a str, String> {
        let size = self.leb()?;
        std::str::from_utf8(self.take(size)?).map_err(|_| "a name is not UTF-8".to_owned())
    }

    /// An import's kind (0 is a function) after its two names, its
    /// description skipped.
    pub(crate) fn import_kind(&mut self) -> Result<u8, String> {
        let kind = self.byte()?;
        match kind {
            0 => {
                self.leb()?;
            }
            1 => {
                self.byte()?;
                self.limits()?;
            }
            2 => self.limits()?,
            3 => {
                self.byte()?;
                self.byte()?;
            }
            4 => {
                self.byte()?;
                self.leb()?;
            }
            other => return Err(format!("unknown import kind {other}")),
        }
        Ok(kind)
    }

    fn limits(&mut self) -> Result<(), String> {
        let flags = self.byte()?;
        self.leb()?;
        if flags & 1 == 1 {
            self.leb()?;
        }
        Ok(())
    }
}

pub(crate) fn write_leb(out: &mut Vec<u8>, mut value: usize) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

pub(crate) fn write_name(out: &mut Vec<u8>, name: &str) {
    write_leb(out, name.len());
    out.extend_from_slice(name.as_bytes());
}
