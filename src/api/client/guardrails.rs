//! The guardrail routes: the policies and their pending and recent
//! actions, and a responder stopping one or running it at once.

use super::{Client, ClientError};
use crate::api::guardrails::{GuardrailAction, Guardrails};

impl Client {
    /// `GET /v1/guardrails`
    pub async fn guardrails(&self) -> Result<Guardrails, ClientError> {
        self.get(&["v1", "guardrails"]).await
    }

    /// `POST /v1/guardrails/{id}/stop`: it will not act; audited with why.
    pub async fn stop_guardrail(
        &self,
        id: &str,
        reason: &str,
    ) -> Result<GuardrailAction, ClientError> {
        self.post(&["v1", "guardrails", id, "stop"], &Self::reason(reason))
            .await
    }

    /// `POST /v1/guardrails/{id}/run`: act now instead of at its due time.
    pub async fn run_guardrail(
        &self,
        id: &str,
        reason: &str,
    ) -> Result<GuardrailAction, ClientError> {
        self.post(&["v1", "guardrails", id, "run"], &Self::reason(reason))
            .await
    }
}
