// SPDX-License-Identifier: MIT
#pragma once

#include "server/runtime/freezer.h"
#include "server/runtime/sandboxprocess.h"

#include <QList>
#include <QMap>
#include <QObject>
#include <QString>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <optional>

namespace banata::test {

/// Host-side view of processes, from /proc. A process counts as gone once it has exited: a
/// zombie waiting for its reaper is gone too.
bool hostProcessAlive(qint64 pid);
/// Every live process below \a root (inclusive).
QList<qint64> hostTree(qint64 root);
/// Live processes whose command line mentions \a text (bwrap's names the sandbox root).
int hostProcessesMentioning(const QString &text);
/// The number in a file such as the one kCounterLoop writes; -1 if absent or not a number.
qint64 readCounter(const QString &path);

/// `/bin/sh -c script` with a timeout.
server::ExecSpec shell(const QString &script, qint64 timeoutMs = 30000);

/// A sandbox script ticking /workspace/counter about every 10 ms in the background; the atomic
/// rename means readers never see a half-written number.
extern const QString kCounterLoop;

/**
 * Base of the tests on real sandbox trees (bwrap + banata-sandboxd). Data-driven tests run once
 * per pause backend (addBackends()), QSKIPping the cgroup row where the host does not allow it.
 * cleanup() ends every tree the test started, through a fresh handle (as a restarted server
 * would), and checks that none of their processes outlive it.
 */
class SandboxProcessTest : public QObject
{
    Q_OBJECT

protected:
    using Outcome = Expected<ExecResult, QString>;
    using Operation = void (server::SandboxProcess::*)(QObject *, server::SandboxProcess::DoneCallback);

    server::Freezer *freezerFor(const QString &backend);
    /// The "backend" column: "cgroup" and "signals".
    void addBackends();
    /// False for the cgroup rows where the host does not let this process use the freezer.
    bool backendAvailable(const QString &backend);
    /// A config for a new tree under the test's directory, with a unique id starting with \a name.
    server::SandboxProcess::Config config(const QString &name, QMap<QString, QString> env = {});
    /// Starts a tree and waits for started(); nullptr (with a warning) otherwise.
    server::SandboxProcess *startTree(const QString &backend, server::SandboxProcess::Config cfg);
    /// Runs \a spec and waits for its outcome.
    Outcome run(server::SandboxProcess *sandbox, const server::ExecSpec &spec);
    /// Runs a shell script; exit code -1 (with a warning) if the exec itself failed.
    ExecResult sh(server::SandboxProcess *sandbox, const QString &script, qint64 timeoutMs = 30000);
    /// Runs a pause/resume/stop style operation and waits for it: its error, or nullopt.
    std::optional<QString> wait(server::SandboxProcess *sandbox, Operation operation);

    std::unique_ptr<server::Freezer> m_cgroupFreezer;
    std::unique_ptr<server::Freezer> m_signalFreezer;
    QTemporaryDir m_dir;
    int m_counter = 0;
    QList<server::SandboxProcess::Config> m_roots; // every tree started by the current test
    QList<qint64> m_pids;                          // their bwrap and init pids

private slots:
    void initTestCase();
    void cleanup();
};

} // namespace banata::test

/// An operation's DoneCallback reported success; on failure the message shows its error.
#define QVERIFY_DONE(expr)                                                                                   \
    do {                                                                                                     \
        const std::optional<QString> error_ = (expr);                                                        \
        QVERIFY2(!error_, qPrintable(error_.value_or(QString())));                                           \
    } while (false)
