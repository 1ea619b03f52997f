//! The `warden` binary: parse the command line and dispatch.

fn main() -> std::process::ExitCode {
    warden::cli::main()
}
