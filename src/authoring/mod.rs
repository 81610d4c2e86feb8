//! Authoring plans: planning templates (YAML) and issue bodies (Markdown
//! task lists), both turned into ops that the write transaction applies.

pub mod block;
pub mod checklist;
pub mod template;
