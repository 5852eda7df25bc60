// SPDX-License-Identifier: MIT
#pragma once

#include <optional>

#include <QMap>
#include <QStringList>

namespace banata::server {

/// What the bwrap command line of one sandbox depends on.
struct BwrapOptions
{
    QString rootDir; // <root>: workspace/, home/, tmp/, run/etc/{passwd,group}
    QString hostname;
    QString sandboxdPath; // host path of banata-sandboxd, bound read-only inside
    int infoFd = -1;      // bwrap writes {"child-pid": <host pid of the namespace's init>}
    int controlFd = -1;   // the listening control socket, inherited by the daemon
    int cgroupFd = -1;    // directory fd of the cgroup every command starts in, or -1
};

/// Where the sandbox's user lives, inside.
inline constexpr const char *kSandboxHome = "/home/user";

/// bwrap's arguments (without the program): a fresh root with the host's /usr and a curated,
/// secret-free part of /etc read-only, the sandbox's own directories writable, and
/// banata-sandboxd as the command. The network namespace is shared on purpose: agents and the
/// browser inside need the network exactly as the host has it.
QStringList bwrapArguments(const BwrapOptions &options);

/// The environment bwrap runs with and passes on to the daemon and every command: a base set
/// plus the sandbox env. Given to execve rather than as --setenv, so values (API keys) do not
/// show up in the world-readable /proc/<pid>/cmdline.
QStringList sandboxEnvironment(const QMap<QString, QString> &env);

/// Creates workspace/, home/, tmp/, run/ (0700) and the generated passwd/group under <root>.
std::optional<QString> prepareRootDir(const QString &rootDir);

/// BANATA_SANDBOXD, else <exe dir>/../lib/banata/ (installed), else next to the running
/// executable, else the build tree (only when run from it), else /usr/lib/banata/banata-sandboxd;
/// empty if none is executable.
QString findSandboxd();
/// BANATA_BWRAP, else bwrap on PATH; empty if none.
QString findBwrap();

} // namespace banata::server
