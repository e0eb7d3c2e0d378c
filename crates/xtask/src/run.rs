//! Running steps: each is timed, streamed to the terminal, and, for test
//! steps, scanned for libtest's `test result:` lines so the counts can be
//! summed and printed at the end.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The workspace root: xtask lives in `crates/xtask`.
pub(crate) fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .nth(2)
        .map(PathBuf::from)
        .unwrap_or(manifest)
}

/// One command to run as a named step.
#[derive(Debug)]
pub(crate) struct Step {
    name: String,
    argv: Vec<String>,
    env: Vec<(String, String)>,
    counting: Option<String>,
}

impl Step {
    pub(crate) fn new(name: &str) -> Self {
        Step {
            name: name.to_owned(),
            argv: Vec::new(),
            env: Vec::new(),
            counting: None,
        }
    }

    pub(crate) fn arg_list(mut self, argv: &[&str]) -> Self {
        self.argv = argv.iter().map(|arg| (*arg).to_owned()).collect();
        self
    }

    pub(crate) fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Sum this step's test counts under `suite`; a suite that ran no test
    /// fails, so a misconfigured runner cannot pass silently.
    pub(crate) fn counting(mut self, suite: &str) -> Self {
        self.counting = Some(suite.to_owned());
        self
    }
}

/// Test counts of one suite, summed over its test binaries.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Counts {
    pub(crate) passed: u64,
    pub(crate) failed: u64,
    pub(crate) ignored: u64,
}

impl Counts {
    /// Parses libtest's (and wasm-bindgen-test-runner's) summary line:
    /// `test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; …`.
    pub(crate) fn parse_line(line: &str) -> Option<Counts> {
        let rest = line.trim().strip_prefix("test result:")?;
        let mut counts = Counts::default();
        for part in rest.split(';') {
            let mut words = part.split_whitespace().rev();
            let (Some(label), Some(number)) = (words.next(), words.next()) else {
                continue;
            };
            let Ok(number) = number.parse::<u64>() else {
                continue;
            };
            match label {
                "passed" => counts.passed = number,
                "failed" => counts.failed = number,
                "ignored" => counts.ignored = number,
                _ => {}
            }
        }
        Some(counts)
    }

    /// Parses one of node's test runner summary lines (`spec` reporter
    /// `ℹ pass 3`, TAP `# fail 1`); each carries one of the counts.
    pub(crate) fn parse_node_line(line: &str) -> Option<Counts> {
        let rest = line
            .trim()
            .strip_prefix('ℹ')
            .or_else(|| line.trim().strip_prefix('#'))?;
        let mut words = rest.split_whitespace();
        let (Some(label), Some(number), None) = (words.next(), words.next(), words.next()) else {
            return None;
        };
        let number = number.parse::<u64>().ok()?;
        let mut counts = Counts::default();
        match label {
            "pass" => counts.passed = number,
            "fail" => counts.failed = number,
            "skipped" | "todo" => counts.ignored = number,
            _ => return None,
        }
        Some(counts)
    }

    fn add(&mut self, other: Counts) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.ignored += other.ignored;
    }
}

/// What a run did: step timings and per-suite test counts.
#[derive(Debug, Default)]
pub(crate) struct Report {
    timings: Vec<(String, Duration)>,
    suites: Vec<(String, Counts)>,
}

impl Report {
    /// Runs `work` as a named, timed step.
    pub(crate) fn timed<T>(
        &mut self,
        name: &str,
        work: impl FnOnce() -> Result<T, String>,
    ) -> Result<T, String> {
        println!("\n==> {name}");
        let started = Instant::now();
        let result = work();
        let took = started.elapsed();
        self.timings.push((name.to_owned(), took));
        match result {
            Ok(value) => {
                println!("==> {name}: ok in {}", seconds(took));
                Ok(value)
            }
            Err(message) => Err(format!("step `{name}` failed: {message}")),
        }
    }

    /// Runs a command step, streaming its output.
    pub(crate) fn step(&mut self, step: Step) -> Result<(), String> {
        let name = step.name.clone();
        let counts = self.timed(&name, || run_streaming(&step))?;
        if let Some(suite) = step.counting {
            if counts.passed == 0 {
                return Err(format!(
                    "step `{name}` ran no test: the {suite} runner is misconfigured"
                ));
            }
            self.suites.push((suite, counts));
        }
        Ok(())
    }

    pub(crate) fn print_timings(&self) {
        if self.timings.is_empty() {
            return;
        }
        println!("\nstep timings:");
        let mut total = Duration::ZERO;
        for (name, took) in &self.timings {
            println!("  {:>9}  {name}", seconds(*took));
            total += *took;
        }
        println!("  {:>9}  total", seconds(total));
    }

    /// Prints per-suite counts, then one plain `N passed, N failed` line that
    /// any CI can read as the run's closing summary.
    pub(crate) fn print_counts(&self) {
        if self.suites.is_empty() {
            return;
        }
        println!("\ntests:");
        let mut total = Counts::default();
        for (suite, counts) in &self.suites {
            println!(
                "  {suite}: {} passed, {} failed, {} ignored",
                counts.passed, counts.failed, counts.ignored
            );
            total.add(*counts);
        }
        println!("\n{} passed, {} failed", total.passed, total.failed);
    }
}

fn seconds(duration: Duration) -> String {
    format!("{:.1} s", duration.as_secs_f64())
}

/// Runs a command with stdout streamed line by line (and scanned for test
/// counts) and stderr passed through.
fn run_streaming(step: &Step) -> Result<Counts, String> {
    let (program, args) = step
        .argv
        .split_first()
        .ok_or_else(|| "empty command".to_owned())?;
    println!("$ {}", step.argv.join(" "));
    let mut command = Command::new(program);
    command
        .args(args)
        .current_dir(workspace_root())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for (key, value) in &step.env {
        command.env(key, value);
    }
    let mut child = command
        .spawn()
        .map_err(|error| format!("cannot start `{program}`: {error}"))?;
    let mut counts = Counts::default();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            println!("{line}");
            if let Some(found) =
                Counts::parse_line(&line).or_else(|| Counts::parse_node_line(&line))
            {
                counts.add(found);
            }
        }
    }
    let status = child
        .wait()
        .map_err(|error| format!("cannot wait for `{program}`: {error}"))?;
    if status.success() {
        Ok(counts)
    } else {
        Err(format!("`{}` exited with {status}", step.argv.join(" ")))
    }
}

/// Runs a command quietly and returns its stdout, or None when it cannot run
/// or fails.
pub(crate) fn output_of(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Runs a command with inherited output; fails with its exit status.
pub(crate) fn run_visible(program: &str, args: &[&str]) -> Result<(), String> {
    run_visible_env(program, args, &[])
}

/// [`run_visible`] with extra environment variables.
pub(crate) fn run_visible_env(
    program: &str,
    args: &[&str],
    env: &[(&str, &str)],
) -> Result<(), String> {
    println!("$ {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(workspace_root())
        .status()
        .map_err(|error| format!("cannot start `{program}`: {error}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "`{program} {}` exited with {status}",
            args.join(" ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::Counts;

    #[test]
    fn reads_libtest_and_wasm_runner_summaries() {
        let libtest = "test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.02s";
        assert_eq!(
            Counts::parse_line(libtest),
            Some(Counts {
                passed: 12,
                failed: 0,
                ignored: 1
            })
        );
        let failing = "test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 filtered out";
        assert_eq!(Counts::parse_line(failing).map(|c| c.failed), Some(2));
        assert_eq!(Counts::parse_line("running 3 tests"), None);
    }

    #[test]
    fn reads_node_test_runner_summaries() {
        let spec = [
            "ℹ tests 5",
            "ℹ pass 3",
            "ℹ fail 1",
            "ℹ skipped 1",
            "ℹ duration_ms 12.5",
        ];
        let mut total = Counts::default();
        for line in spec {
            if let Some(found) = Counts::parse_node_line(line) {
                total.add(found);
            }
        }
        assert_eq!(
            total,
            Counts {
                passed: 3,
                failed: 1,
                ignored: 1
            }
        );
        assert_eq!(
            Counts::parse_node_line("# pass 7").map(|c| c.passed),
            Some(7)
        );
        assert_eq!(Counts::parse_node_line("# Subtest: pass 2 things"), None);
        assert_eq!(Counts::parse_node_line("test result: ok. 1 passed"), None);
    }
}
