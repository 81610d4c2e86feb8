//! Turns the built-in workflows (`workflows/*.yaml`) into JSON at build
//! time. Why: `show`, `create` and every command that needs the workflow
//! catalog parsed 5 KB of YAML on each run, which cost a 10,000-task
//! `show` about a tenth of its time; `serde_json` reads the same data in a
//! few microseconds. The YAML stays the source (and what `wm tasks
//! workflows NAME` shows); a unit test checks both parse to the same
//! workflows.

use std::path::PathBuf;

const NAMES: [&str; 3] = ["infrastructure", "gated", "backend"];

fn main() {
    let Some(out) = std::env::var_os("OUT_DIR").map(PathBuf::from) else {
        eprintln!("build.rs: cargo did not set OUT_DIR");
        std::process::exit(1);
    };
    for name in NAMES {
        let path = format!("workflows/{name}.yaml");
        println!("cargo::rerun-if-changed={path}");
        let json = std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|text| {
                serde_saphyr::from_str::<serde_json::Value>(&text).map_err(|e| e.to_string())
            })
            .and_then(|value| serde_json::to_string(&value).map_err(|e| e.to_string()))
            .and_then(|json| {
                std::fs::write(out.join(format!("{name}.json")), json).map_err(|e| e.to_string())
            });
        if let Err(e) = json {
            eprintln!("build.rs: {path}: {e}");
            std::process::exit(1);
        }
    }
}
