// Loading a store allocates many small strings; mimalloc makes that, and
// freeing them at exit, several milliseconds cheaper on a large store.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    wm::cli::main()
}
