//! The `wm` binary: the allocator, the command line, the exit code.
//!
//! The command line (`cli`) is a module of the binary, not of the library:
//! clap's types stay out of the library's public API, and the library
//! (`wm::`) is what both this binary and other programs build on.

// Loading a store allocates many small strings; mimalloc makes that, and
// freeing them at exit, several milliseconds cheaper on a large store.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cli;
mod memory;

fn main() -> std::process::ExitCode {
    memory::exit(cli::main())
}
