//! Process-wide protections: no core dump of a process that holds secrets.

use crate::common;
use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// `envmint unseal` holding a key (`ENVMINT_AGE_KEY`) while it waits for its input on stdin.
/// Its soft core limit is 0; raised again from outside (`prlimit`) and sent SIGQUIT, it still
/// dumps no core, because it is non-dumpable. Each half fails without its own fix.
#[test]
fn a_process_holding_a_key_dumps_no_core_even_with_the_limit_raised() {
    if std::process::Command::new("prlimit")
        .arg("--version")
        .output()
        .is_err()
    {
        return common::skip("prlimit is not installed (apt-get install util-linux)");
    }
    let key = "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0";
    // As `ulimit -c unlimited` would have it before envmint starts.
    let unlimited = "prlimit --core=unlimited:unlimited --pid $$ && exec \"$0\" \"$@\"";
    // SIGQUIT back to its default first: a CI started in the background of a non-interactive
    // shell (`.ci/run &`) ignores SIGINT and SIGQUIT, and an ignored signal stays ignored
    // across exec, so envmint would never die of the test's SIGQUIT (it hung a CI run).
    let test = common::Test::new()
        .env("ENVMINT_AGE_KEY", key)
        .wrapper(["env", "--default-signal=QUIT", "sh", "-c", unlimited])
        .args(["unseal", "-o", "out.env"]);
    let mut cmd = test.command();
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().expect("spawn envmint");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"age-encryption.org/v1\n").unwrap();
    let pid = child.id();
    // Wait until it is envmint (after the exec) and blocked on its input.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        if comm.trim() == "envmint" && status.contains("State:\tS") {
            break;
        }
        assert!(Instant::now() < deadline, "envmint never waited on stdin");
        std::thread::sleep(Duration::from_millis(20));
    }
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap();
    assert_eq!(
        core.split_whitespace().nth(4),
        Some("0"),
        "the soft core limit: {core}"
    );
    let raised = std::process::Command::new("prlimit")
        .args(["--core=unlimited:unlimited", "--pid", &pid.to_string()])
        .status()
        .unwrap();
    assert!(raised.success());
    std::process::Command::new("kill")
        .args(["-QUIT", &pid.to_string()])
        .status()
        .unwrap();
    let status = common::wait_or_kill(&mut child, common::HANG);
    drop(stdin);
    assert_eq!(status.signal(), Some(3), "{status:?}");
    assert!(!status.core_dumped(), "envmint dumped core");
    let cores: Vec<String> = common::names(test.dir())
        .into_iter()
        .filter(|n| n.starts_with("core"))
        .collect();
    assert!(cores.is_empty(), "{cores:?}");
}
