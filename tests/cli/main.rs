//! The integration tests: one binary (one link instead of one per file),
//! one module per area. Every test drives the real `wm` binary (or the
//! library) in its own temporary directory through `common::Env`.

mod common;

mod actions;
mod agent_loop;
mod cache;
mod concurrency;
mod core_cli;
mod crash;
mod docs;
mod git;
mod graph;
mod hostile;
mod issue14;
mod json_contract;
mod merge;
mod npm_launcher;
mod onboard;
mod properties;
mod reliability;
mod roundtrip;
mod screens;
mod scripting;
mod templates;
mod workflows;
