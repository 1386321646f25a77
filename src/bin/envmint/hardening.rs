//! Process-wide protections set before anything else runs.

/// Keeps secrets out of core dumps: the process is made non-dumpable
/// (`prctl(PR_SET_DUMPABLE, 0)`: no core file, and no `ptrace` or `/proc/PID/mem` reading by
/// other processes of the same user), and the soft `RLIMIT_CORE` is set to 0 (a second lock for
/// kernels or setups where the first one does not apply). Both are set before the arguments are
/// parsed: `ENVMINT_AGE_KEY` and `ENVMINT_PASSPHRASE` are in memory from the first instant.
///
/// The dumpable flag is reset by `exec`, so the editor of `edit` and the command of `run` are
/// dumpable as usual; they do inherit the soft core limit of 0, which they may raise again up to
/// the hard limit. Best effort: a failure here (a seccomp filter, say) must not stop envmint.
pub fn no_core_dumps() {
    let _ = rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable);
    let core = rustix::process::Resource::Core;
    let limit = rustix::process::getrlimit(core);
    let _ = rustix::process::setrlimit(
        core,
        rustix::process::Rlimit {
            current: Some(0),
            maximum: limit.maximum,
        },
    );
}
