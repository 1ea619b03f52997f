//! `warden discover --root` over a generated tree of 100,000 files: 500
//! repositories of 200 files each in nested source folders, every tenth
//! with project configs of several clients and a secret in one, every
//! repository with a `.gitignore` (its `build/` folder, 9 files, is
//! skipped as ripgrep would). The target: the whole scan in 2 s or less.

#![allow(clippy::unwrap_used)] // a bench may unwrap

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;
use warden::discover::{Options, scan};

const REPOS: usize = 500;
const FILES_PER_REPO: usize = 200;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The tree; answers how many config files it holds.
fn generate(root: &Path) -> usize {
    let mut configs = 0;
    for r in 0..REPOS {
        let repo = root.join(format!("repo-{r:03}"));
        // .gitignore and the configs count among the repository's files.
        write(&repo.join(".gitignore"), "build/\n");
        let mut files = 1;
        if r % 10 == 0 {
            write(
                &repo.join(".mcp.json"),
                r#"{"mcpServers": {"github": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"], "env": {"GITHUB_TOKEN": "ghp_BENCH0fixture0token0for0warden0bench"}}}}"#,
            );
            write(
                &repo.join(".vscode/mcp.json"),
                r#"{"servers": {"docs": {"type": "http", "url": "https://docs.example/mcp"}}}"#,
            );
            write(
                &repo.join(".cursor/mcp.json"),
                r#"{"mcpServers": {"notes": {"command": "uvx", "args": ["notes-mcp"]}}}"#,
            );
            files += 3;
            configs += 3;
        }
        for i in files..FILES_PER_REPO {
            let dir = match i % 20 {
                0 => "build/out".to_string(),
                n => format!("src/mod{}/part{}", n % 5, n % 3),
            };
            write(
                &repo.join(dir).join(format!("file{i}.rs")),
                "fn main() {}\n",
            );
        }
    }
    configs
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let configs = generate(dir.path());
    let options = Options {
        homes: Vec::new(),
        roots: vec![dir.path().to_path_buf()],
        host: "bench".into(),
    };
    let report = scan(&options);
    // Every file seen but the ignored build/ outputs, every config read.
    assert_eq!(report.files_walked, REPOS * FILES_PER_REPO - REPOS * 9);
    assert_eq!(report.files_read, configs);
    assert_eq!(report.findings.len(), configs);
    let mut group = c.benchmark_group("discover");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("root_100k_files", |b| b.iter(|| black_box(scan(&options))));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
