fn main() -> std::process::ExitCode {
    wm::cli::main()
}
