//! `tasks.yaml` as text: the canonical writer ([`emit`]) and the fast
//! reader for exactly that layout ([`parse_canonical`]).
//!
//! Why a hand-written emitter: the file is a merge surface. We need exactly
//! one layout (same content, same bytes), one block per task, block-style
//! lists (so two edits of one list merge line by line), and no field moved by
//! an unrelated change. A general serializer gives none of these guarantees
//! across versions. General parsing stays with serde-saphyr; the fast reader
//! is only an optimisation that gives up (returns `None`) on anything else.
//!
//! Both sides destructure `Task` and `Workflow` without `..`, so a new field
//! does not compile until the writer, the reader and the snapshot handle it.

mod emit;
mod fast;

pub use emit::{Blocks, HEADER, Layout, Old, Run, emit, emit_blocks, emit_with, layout, scalar};
pub use fast::{parse_canonical, parse_canonical_with};
