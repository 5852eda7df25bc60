// SPDX-License-Identifier: MIT
#include "procinfo.h"

#include <unistd.h>

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QHash>

using namespace Qt::StringLiterals;

namespace banata::test::proc {

namespace {
QString procPath(qint64 pid, const char *entry)
{
    return u"/proc/%1/"_s.arg(pid) + QLatin1StringView(entry);
}

QByteArray readProc(qint64 pid, const char *entry)
{
    QFile file(procPath(pid, entry));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

/// The value of "Key:" in /proc/<pid>/status, as the first number after it.
qint64 statusNumber(qint64 pid, QByteArrayView key)
{
    const QByteArray status = readProc(pid, "status");
    for (const QByteArray &line : status.split('\n')) {
        if (line.startsWith(key)) {
            const QByteArray rest = line.mid(key.size()).trimmed();
            return rest.split(' ').value(0).toLongLong();
        }
    }
    return -1;
}

/// The fields of /proc/<pid>/stat after the command name, which may contain spaces.
QList<QByteArray> statFields(qint64 pid)
{
    const QByteArray stat = readProc(pid, "stat");
    const qsizetype close = stat.lastIndexOf(')');
    if (close < 0)
        return {};
    return stat.mid(close + 2).split(' ');
}
} // namespace

int openFdCount(qint64 pid)
{
    const QDir dir(procPath(pid, "fd"));
    if (!dir.exists())
        return -1;
    return int(dir.entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::System).size());
}

qint64 residentKb(qint64 pid)
{
    return statusNumber(pid, "VmRSS:");
}

int threadCount(qint64 pid)
{
    return int(statusNumber(pid, "Threads:"));
}

qint64 openFileLimit(qint64 pid)
{
    for (const QByteArray &line : readProc(pid, "limits").split('\n')) {
        if (line.startsWith("Max open files")) {
            const QList<QByteArray> fields = line.mid(14).simplified().split(' ');
            bool ok = false;
            const qint64 soft = fields.value(0).toLongLong(&ok);
            return ok ? soft : -1;
        }
    }
    return -1;
}

qint64 cpuMs(qint64 pid)
{
    // Fields after the name: state is [0], utime [11], stime [12] (man 5 proc numbers them 14, 15).
    const QList<QByteArray> fields = statFields(pid);
    if (fields.size() < 13)
        return -1;
    const qint64 ticks = fields.at(11).toLongLong() + fields.at(12).toLongLong();
    return ticks * 1000 / ::sysconf(_SC_CLK_TCK);
}

qint64 parentOf(qint64 pid)
{
    const QList<QByteArray> fields = statFields(pid);
    return fields.size() > 1 ? fields.at(1).toLongLong() : 0;
}

QByteArray commandLine(qint64 pid)
{
    return readProc(pid, "cmdline");
}

QList<qint64> allProcesses()
{
    QList<qint64> pids;
    const QStringList names = QDir(u"/proc"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &name : names) {
        bool numeric = false;
        const qint64 pid = name.toLongLong(&numeric);
        if (numeric)
            pids.append(pid);
    }
    return pids;
}

QList<qint64> processesBelow(const QByteArray &marker)
{
    const QList<qint64> pids = allProcesses();
    QHash<qint64, qint64> parents;
    QHash<qint64, bool> matches;
    for (const qint64 pid : pids) {
        parents.insert(pid, parentOf(pid));
        matches.insert(pid, commandLine(pid).contains(marker));
    }
    QList<qint64> below;
    for (const qint64 pid : pids) {
        for (qint64 p = pid, depth = 0; p > 1 && depth < 64; p = parents.value(p), ++depth) {
            if (matches.value(p)) {
                below.append(pid);
                break;
            }
        }
    }
    return below;
}

QStringList filesNamed(const QString &dir, const QString &prefix)
{
    QStringList found;
    // No name filter: it would also keep the iterator out of directories that do not match.
    QDirIterator it(dir, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        if (it.fileName().startsWith(prefix))
            found.append(path);
    }
    return found;
}

} // namespace banata::test::proc
