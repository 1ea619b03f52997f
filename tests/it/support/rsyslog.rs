//! A real rsyslog for the audit sink tests: `rsyslogd -n` with a config of
//! its own (a TCP input on a free loopback port, every message's MSG part
//! written to a file), stopped and started again at will on the same port,
//! killed when dropped. Without the binary (Debian's `rsyslog`), a test
//! says why and passes when run by hand; in CI it fails (`.ci/run`
//! installs it).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Rsyslog {
    pub port: u16,
    /// Where every received message's MSG lands, one a line.
    pub out: PathBuf,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

fn binary() -> Option<PathBuf> {
    ["/usr/sbin/rsyslogd", "/sbin/rsyslogd"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

impl Rsyslog {
    /// A running receiver, or `None` (skipped by hand, a failure in CI).
    pub fn start() -> Option<Rsyslog> {
        Self::start_with(None)
    }

    /// One that takes TLS only (RFC 5425), with this certificate and key
    /// (PEM; Debian's `rsyslog-openssl` driver).
    pub fn start_tls(cert: &std::path::Path, key: &std::path::Path) -> Option<Rsyslog> {
        Self::start_with(Some((cert, key)))
    }

    fn start_with(tls: Option<(&std::path::Path, &std::path::Path)>) -> Option<Rsyslog> {
        if binary().is_none() {
            let why = "rsyslog is not installed (apt-get install rsyslog rsyslog-openssl)";
            assert!(
                std::env::var_os("CI").is_none(),
                "{why}; .ci/run must install it"
            );
            use std::io::Write;
            let _ = writeln!(std::io::stderr(), "skipped: {why}");
            return None;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            l.local_addr().expect("addr").port()
        };
        let out = dir.path().join("received.log");
        let conf = dir.path().join("rsyslog.conf");
        let (global_tls, module_tls) = match tls {
            Some((cert, key)) => (
                format!(
                    r#" DefaultNetstreamDriver="ossl" DefaultNetstreamDriverCAFile="{c}" DefaultNetstreamDriverCertFile="{c}" DefaultNetstreamDriverKeyFile="{k}""#,
                    c = cert.display(),
                    k = key.display()
                ),
                r#" StreamDriver.Name="ossl" StreamDriver.Mode="1" StreamDriver.AuthMode="anon""#
                    .to_string(),
            ),
            None => (String::new(), String::new()),
        };
        std::fs::write(
            &conf,
            format!(
                r#"global(workDirectory="{dir}" maxMessageSize="256k"{global_tls})
module(load="imtcp"{module_tls})
template(name="msgonly" type="string" string="%msg%\n")
ruleset(name="warden") {{
  action(type="omfile" file="{out}" template="msgonly")
}}
input(type="imtcp" address="127.0.0.1" port="{port}" ruleset="warden")
"#,
                dir = dir.path().display(),
                out = out.display(),
            ),
        )
        .expect("write rsyslog.conf");
        let mut r = Rsyslog {
            port,
            out,
            dir,
            child: None,
        };
        r.resume();
        Some(r)
    }

    /// Starts it (again) on the same port and waits until it listens.
    pub fn resume(&mut self) {
        let bin = binary().expect("rsyslogd");
        let child = Command::new(bin)
            .arg("-n")
            .arg("-f")
            .arg(self.dir.path().join("rsyslog.conf"))
            .arg("-i")
            .arg(self.dir.path().join("rsyslogd.pid"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start rsyslogd");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "rsyslogd did not listen on {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGKILL: whatever it held in memory is gone, as in a crash.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = std::fs::remove_file(self.dir.path().join("rsyslogd.pid"));
    }

    /// Every line it wrote so far.
    pub fn lines(&self) -> Vec<String> {
        std::fs::read_to_string(&self.out)
            .unwrap_or_default()
            .lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect()
    }
}

impl Drop for Rsyslog {
    fn drop(&mut self) {
        self.kill();
    }
}
