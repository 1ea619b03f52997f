//! What the alert view keeps between frames: nothing of its own. The
//! timeline comes from the alert's agent's audit trail, which the agent
//! view's state fetches and keeps (`panes.detail`).

#[derive(Debug, Default)]
pub struct AlertPane;
