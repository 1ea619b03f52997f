//! An HTTP collector: each batch is one POST of newline-separated JSON
//! objects in Splunk HEC's event shape (`{"time", "host", "source",
//! "sourcetype", "event"}`), with `Authorization: Splunk TOKEN` when a
//! token is configured. Any 2xx takes the batch; anything else is a failure
//! and the batch is sent again.

use super::{Line, Transport};
use crate::server::audit::export::Format;
use async_trait::async_trait;
use std::time::Duration;

pub struct Http {
    url: String,
    token: Option<String>,
    format: Format,
    client: reqwest::Client,
    host: serde_json::Value,
}

impl Http {
    pub fn new(url: &str, token: Option<String>, format: Format) -> Result<Http, String> {
        let parsed = reqwest::Url::parse(url).map_err(|e| format!("url {url:?}: {e}"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(format!("url {url:?}: http:// or https:// only"));
        }
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| e.to_string())?;
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "warden".into());
        Ok(Http {
            url: url.to_string(),
            token,
            format,
            client,
            host: serde_json::Value::String(host),
        })
    }
}

#[async_trait]
impl Transport for Http {
    async fn send(&mut self, lines: &[Line]) -> Result<(), String> {
        let sourcetype = match self.format {
            Format::Ocsf => "warden:audit:ocsf",
            Format::Jsonl => "warden:audit",
            Format::Cef => "warden:audit:cef",
        };
        let mut body = String::with_capacity(lines.len() * 600);
        for l in lines {
            // JSON lines go in as objects; CEF as a string.
            let event = match self.format {
                Format::Cef => serde_json::Value::String(l.text.clone()).to_string(),
                _ => l.text.clone(),
            };
            body.push_str(&format!(
                "{{\"time\":{:.3},\"host\":{},\"source\":\"warden\",\"sourcetype\":\"{}\",\"event\":{event}}}\n",
                l.at.timestamp_millis() as f64 / 1000.0,
                self.host,
                if l.checkpoint { "warden:checkpoint" } else { sourcetype },
            ));
        }
        let mut req = self
            .client
            .post(&self.url)
            .header("content-type", "application/json")
            .body(body);
        if let Some(t) = &self.token {
            req = req.header("authorization", format!("Splunk {t}"));
        }
        let resp = req
            .send()
            .await
            .map_err(|e| format!("POST {}: {e}", self.url))?;
        let status = resp.status();
        if status.is_success() {
            return Ok(());
        }
        let text = resp.text().await.unwrap_or_default();
        Err(format!(
            "POST {}: {status} {}",
            self.url,
            text.chars().take(200).collect::<String>()
        ))
    }
}
