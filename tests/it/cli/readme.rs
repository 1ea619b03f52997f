//! What the README teaches about the command line: no example hands a
//! token to `--token`, where every user of the machine can read it in
//! `ps`; `WARDEN_TOKEN` or a `token_file` carries it instead.

#[test]
fn no_readme_example_passes_a_token_on_the_command_line() {
    let readme = include_str!("../../../README.md");
    let offenders: Vec<(usize, &str)> = readme
        .lines()
        .enumerate()
        .filter(|(_, line)| line.contains("--token ") || line.contains("--token="))
        .map(|(i, line)| (i + 1, line))
        .collect();
    assert!(
        offenders.is_empty(),
        "README lines passing a token with --token (use WARDEN_TOKEN or token_file):\n{offenders:#?}"
    );
}
