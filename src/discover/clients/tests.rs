use super::*;

#[test]
fn project_files_are_told_apart_by_their_folder() {
    let client = |p: &str| project_file(Path::new(p)).map(|f| (f.client, f.format));
    assert_eq!(
        client("r/.mcp.json"),
        Some((Client::ClaudeCode, Format::McpServers { jsonc: false }))
    );
    assert_eq!(
        client("r/.cursor/mcp.json"),
        Some((Client::Cursor, Format::McpServers { jsonc: true }))
    );
    assert_eq!(
        client("r/.vscode/mcp.json"),
        Some((Client::Vscode, Format::VscodeMcp))
    );
    assert_eq!(
        client("r/.zed/settings.json"),
        Some((Client::Zed, Format::Zed))
    );
    assert_eq!(
        client("r/.codex/config.toml"),
        Some((Client::Codex, Format::CodexToml))
    );
    assert_eq!(
        client("r/.continue/mcpServers/a.yaml"),
        Some((Client::Continue, Format::ContinueBlock))
    );
    assert_eq!(
        client("r/.roo/mcp.json"),
        Some((Client::RooCode, Format::McpServers { jsonc: false }))
    );
    assert_eq!(client("r/mcp.json"), None);
    assert_eq!(client("r/other/mcpServers/a.yaml"), None);
    assert_eq!(client("r/.vscode/launch.json"), None);
}

#[test]
fn a_strict_client_gets_a_note_for_comments_it_would_refuse() {
    let text = "{\"mcpServers\": {\"a\": {\"command\": \"x\"},}}";
    let parsed = parse(
        Format::McpServers { jsonc: false },
        Path::new("c.json"),
        text,
    )
    .unwrap();
    assert_eq!(parsed.entries.len(), 1);
    assert!(parsed.notes[0].contains("refuses"), "{:?}", parsed.notes);
    let parsed = parse(
        Format::McpServers { jsonc: true },
        Path::new("c.json"),
        text,
    )
    .unwrap();
    assert!(parsed.notes.is_empty());
}
