//! The dashboard: its state machine driven by keys and messages with no
//! terminal, its screens rendered to a test backend and snapshotted, and
//! the real binary in a pseudo-terminal (`pty`).

mod alert_read;
mod alerts;
mod backends;
mod discovery;
mod every_screen;
mod filters;
mod guardrails;
mod hostile;
mod keys;
mod marks;
mod pty;
mod rotate;
mod snapshots;
mod summary;
mod triage;
mod vault;
mod views;
