use clap::Args;

use super::{CliResult, Ctx, print};

/// Print the JSON Schema of tasks.yaml, generated from wm's own types.
///
/// Editors with the YAML language server validate and complete tasks.yaml
/// with it: save it (`wm tasks schema > tasks.schema.json`) and put
/// `# yaml-language-server: $schema=tasks.schema.json` on the file's first
/// line.
///
/// Example: wm tasks schema > tasks.schema.json
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct SchemaArgs {}

pub fn run(_ctx: &Ctx, _a: SchemaArgs) -> CliResult {
    // Not a document of the JSON contract (no `schema_version`): the JSON
    // Schema of tasks.yaml, built by schemars.
    let text = wm::render::json::to_string_pretty(&wm::model::json_schema())
        .map_err(std::io::Error::other)?;
    print(&text)
}
