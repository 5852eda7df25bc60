// SPDX-License-Identifier: MIT
#pragma once

// The control protocol between banata-local (the controller) and banata-sandboxd (the daemon
// that runs as bwrap's command inside each sandbox). Plain C++: compiled into both sides, no Qt.
//
// Transport: a unix stream socket, <root>/run/ctl.sock. The server creates and listens on it and
// hands the listening fd to the daemon (argv: --control-fd N [--cgroup-fd M], M the directory
// fd of the cgroup commands start in); the socket path is never visible inside
// the sandbox. One controller at a time: a new connection replaces the previous one. Replies to
// requests of a replaced or dropped connection are discarded; running commands are never touched
// by connection changes (a server can be SIGKILLed and a new one reconnects).
//
// Framing: one JSON object per line ('\n'-terminated UTF-8; JSON escapes keep newlines out of
// the payload). Invalid UTF-8 in command output is replaced by U+FFFD.
//
// Request: {"id": <int>, "op": "<op>", ...}
// Reply:   {"id": <int>, "ok": true, ...}  or  {"id": <int>, "ok": false, "error": "<text>"}
// Requests may be pipelined; replies come in completion order, matched by id. Requests still
// unread when their connection closes are dropped (their sender can no longer get a reply).
//
// ops
//   hello   -> {"version": 1, "paused": bool}
//   exec    {"argv": [..], "env": {..}, "cwd": "/workspace", "timeoutMs": N, "maxOutputBytes": N}
//           -> {"result": {"stdout", "stderr", "exitCode", "durationMs", "timedOut",
//                          "stdoutTruncated", "stderrTruncated"}}
//           The command runs in its own session/process group with stdin /dev/null. The reply is
//           sent when the main process exits (output already in the pipes is included); processes
//           it left in the background keep running and their output is drained and discarded.
//           Timeout: SIGKILL to the process group, timedOut=true, exitCode 124. Death by signal N:
//           exitCode 128+N. Failure before the program runs (cwd, exec): exitCode 127 when not
//           found, else 126, with the reason on stderr. Rejected while paused.
//   pause   {"signals": bool} -> {"stopped": <processes>}
//           signals=true: SIGSTOP every process of the sandbox (kill(-1) from inside the PID
//           namespace, atomic with respect to fork) and reply once each one is in state T.
//           signals=false: the controller freezes a cgroup itself; the daemon only records the
//           state (rejects exec, suspends exec timeouts so a pause does not time commands out).
//   resume  {"signals": bool} -> {}   (signals=true: SIGCONT to every process)
// There is no kill op: a sandbox is ended from outside (cgroup.kill, or SIGKILL to the PID
// namespace's init), which works even when the daemon is stuck.

namespace banata::sandboxd {

inline constexpr int kProtocolVersion = 1;
// A request line larger than this drops the connection instead of growing without bound.
inline constexpr unsigned long kMaxRequestBytes = 64ul << 20;
// Where the daemon binary is bound inside the sandbox.
inline constexpr const char *kInsidePath = "/run/banata/sandboxd";

} // namespace banata::sandboxd
