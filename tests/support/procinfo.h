// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace banata::test {

/// What /proc says about a process, for tests that check a server leaks nothing and does not
/// spin: open descriptors, resident memory, CPU time, and the processes of one sandbox.
namespace proc {

/// Entries of /proc/<pid>/fd; -1 when the process is gone.
int openFdCount(qint64 pid);
/// VmRSS in KiB; -1 when the process is gone.
qint64 residentKb(qint64 pid);
/// User + system CPU time of the whole process (all threads) in milliseconds; -1 when gone.
qint64 cpuMs(qint64 pid);
/// Threads of the process; -1 when gone.
int threadCount(qint64 pid);
/// The soft limit on open files ("Max open files" in /proc/<pid>/limits); -1 when unknown.
qint64 openFileLimit(qint64 pid);
/// The parent's pid, 0 when unknown.
qint64 parentOf(qint64 pid);
/// The command line with NUL separators, empty when gone.
QByteArray commandLine(qint64 pid);
/// Every live pid on the host.
QList<qint64> allProcesses();
/// Processes whose own command line, or an ancestor's, contains \a marker (e.g. a sandbox's
/// root directory): everything a sandbox's bwrap started, however deep and whatever its name.
QList<qint64> processesBelow(const QByteArray &marker);
/// Entries (recursively) below \a dir whose name starts with \a prefix, as paths.
QStringList filesNamed(const QString &dir, const QString &prefix);

} // namespace proc
} // namespace banata::test
