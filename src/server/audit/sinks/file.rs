//! A local NDJSON file (0600), appended and flushed to disk per batch, and
//! rotated past a size: `PATH` becomes `PATH.1`, `PATH.1` `PATH.2` … up to
//! `keep`, the oldest dropped. For a log shipper that tails files.

use super::{Line, Transport};
use async_trait::async_trait;
use std::io::Write;
use std::path::PathBuf;

pub struct File {
    path: PathBuf,
    rotate_bytes: u64,
    keep: u32,
}

impl File {
    pub fn new(path: PathBuf, rotate_bytes: u64, keep: u32) -> File {
        File {
            path,
            rotate_bytes,
            keep,
        }
    }

    fn rotated(&self, n: u32) -> PathBuf {
        let mut p = self.path.clone().into_os_string();
        p.push(format!(".{n}"));
        PathBuf::from(p)
    }

    fn rotate(&self) -> std::io::Result<()> {
        if self.keep == 0 {
            return std::fs::remove_file(&self.path);
        }
        let _ = std::fs::remove_file(self.rotated(self.keep));
        for n in (1..self.keep).rev() {
            let from = self.rotated(n);
            if from.exists() {
                std::fs::rename(&from, self.rotated(n + 1))?;
            }
        }
        std::fs::rename(&self.path, self.rotated(1))
    }

    fn write(&self, lines: &[Line]) -> std::io::Result<()> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::dirs::create_private_dir(dir)?;
        }
        if std::fs::metadata(&self.path).is_ok_and(|m| m.len() >= self.rotate_bytes) {
            self.rotate()?;
        }
        let (f, _) = crate::dirs::open_private_append(&self.path)?;
        let mut w = std::io::BufWriter::new(f);
        for l in lines {
            w.write_all(l.text.as_bytes())?;
            w.write_all(b"\n")?;
        }
        let f = w.into_inner().map_err(|e| e.into_error())?;
        f.sync_data()
    }
}

#[async_trait]
impl Transport for File {
    async fn send(&mut self, lines: &[Line]) -> Result<(), String> {
        let lines = lines.to_vec();
        let me = File {
            path: self.path.clone(),
            rotate_bytes: self.rotate_bytes,
            keep: self.keep,
        };
        let path = self.path.display().to_string();
        tokio::task::spawn_blocking(move || me.write(&lines))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("{path}: {e}"))
    }
}
