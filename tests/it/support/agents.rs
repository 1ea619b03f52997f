//! Real agents for `warden discover`'s network tests, from the official
//! SDKs in the test venv (`agents_py.py`): A2A agent cards served by
//! `a2a-sdk`, an HTML page where a card should be, an MCP server of the
//! `mcp` SDK over streamable HTTP; each on a free loopback port, killed
//! when dropped. Without the venv a test says why and passes by hand, and
//! fails in CI (see `python`).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The script, for a config that starts it (`mcp-stdio` mode).
pub const SCRIPT: &str = include_str!("agents_py.py");

pub struct PyAgent {
    pub base: String,
    child: Child,
}

impl PyAgent {
    /// `mode`: `card-auth`, `card-old-noauth`, `html` or `mcp`.
    pub fn start(mode: &str) -> Option<PyAgent> {
        let (module, package) = if mode == "mcp" {
            ("mcp", "mcp")
        } else {
            ("a2a", "a2a-sdk")
        };
        let python = super::python::with_module(module, package)?;
        let mut child = Command::new(python)
            .args(["-c", SCRIPT, mode])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the Python agent");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(port) = line.strip_prefix("PORT=") {
                    let _ = tx.send(port.to_string());
                }
            }
        });
        let port = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the Python agent printed its port");
        let agent = PyAgent {
            base: format!("http://127.0.0.1:{port}"),
            child,
        };
        agent.wait_listening();
        Some(agent)
    }

    fn wait_listening(&self) {
        let addr = self.base.trim_start_matches("http://").to_string();
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(&addr).is_err() {
            assert!(Instant::now() < deadline, "{} never listened", self.base);
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for PyAgent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port that accepts connections and never answers: a hung
/// agent. Stops with the returned guard.
pub struct Hanging {
    pub url: String,
    _stop: std::sync::mpsc::Sender<()>,
}

pub fn hanging() -> Hanging {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        listener.set_nonblocking(true).expect("nonblocking");
        while stopped.try_recv() == Err(std::sync::mpsc::TryRecvError::Empty) {
            if let Ok((s, _)) = listener.accept() {
                held.push(s);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    Hanging { url, _stop: stop }
}
