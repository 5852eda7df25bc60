// SPDX-License-Identifier: MIT
#include "sandboxprocesstest.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>

using namespace banata::server;
using namespace Qt::StringLiterals;

namespace banata::test {

namespace {

qint64 hostParentPid(qint64 pid)
{
    QFile stat(u"/proc/"_s + QString::number(pid) + u"/stat"_s);
    if (!stat.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray text = stat.readAll();
    const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
    return fields.size() > 1 ? fields.at(1).toLongLong() : -1;
}

} // namespace

bool hostProcessAlive(qint64 pid)
{
    QFile stat(u"/proc/"_s + QString::number(pid) + u"/stat"_s);
    if (pid <= 0 || !stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray text = stat.readAll();
    const qsizetype close = text.lastIndexOf(')');
    return close > 0 && close + 2 < text.size() && text.at(close + 2) != 'Z' && text.at(close + 2) != 'X';
}

QList<qint64> hostTree(qint64 root)
{
    QList<qint64> tree = {root};
    const QStringList entries = QDir(u"/proc"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (bool grew = true; grew;) {
        grew = false;
        for (const QString &entry : entries) {
            bool ok = false;
            const qint64 pid = entry.toLongLong(&ok);
            if (ok && !tree.contains(pid) && tree.contains(hostParentPid(pid)) && hostProcessAlive(pid)) {
                tree.append(pid);
                grew = true;
            }
        }
    }
    return tree;
}

int hostProcessesMentioning(const QString &text)
{
    int count = 0;
    const QStringList entries = QDir(u"/proc"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &entry : entries) {
        bool ok = false;
        const qint64 pid = entry.toLongLong(&ok);
        QFile cmdline(u"/proc/"_s + entry + u"/cmdline"_s);
        if (ok && hostProcessAlive(pid) && cmdline.open(QIODevice::ReadOnly) &&
            cmdline.readAll().contains(text.toUtf8()))
            ++count;
    }
    return count;
}

qint64 readCounter(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    bool ok = false;
    const qint64 value = file.readAll().trimmed().toLongLong(&ok);
    return ok ? value : -1;
}

ExecSpec shell(const QString &script, qint64 timeoutMs)
{
    ExecSpec spec;
    spec.argv = {u"/bin/sh"_s, u"-c"_s, script};
    spec.timeoutMs = timeoutMs;
    return spec;
}

const QString kCounterLoop = u"i=0; while :; do i=$((i+1)); echo $i > /workspace/counter.tmp; "
                             "mv -f /workspace/counter.tmp /workspace/counter; sleep 0.01; done "
                             "> /dev/null 2>&1 &"_s;

Freezer *SandboxProcessTest::freezerFor(const QString &backend)
{
    return backend == u"cgroup"_s ? m_cgroupFreezer.get() : m_signalFreezer.get();
}

void SandboxProcessTest::addBackends()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("cgroup") << u"cgroup"_s;
    QTest::newRow("signals") << u"signals"_s;
}

bool SandboxProcessTest::backendAvailable(const QString &backend)
{
    return backend != u"cgroup"_s || m_cgroupFreezer->name() == u"cgroup-freezer"_s;
}

SandboxProcess::Config SandboxProcessTest::config(const QString &name, QMap<QString, QString> env)
{
    const QString id = name + u'-' + QString::number(++m_counter);
    return {id, m_dir.filePath(id), std::move(env), {}};
}

SandboxProcess *SandboxProcessTest::startTree(const QString &backend, SandboxProcess::Config cfg)
{
    auto *sandbox = new SandboxProcess(cfg, freezerFor(backend), this);
    m_roots.append(cfg);
    QSignalSpy started(sandbox, &SandboxProcess::started);
    QSignalSpy failed(sandbox, &SandboxProcess::failed);
    sandbox->start();
    if (!QTest::qWaitFor([&] { return !started.isEmpty() || !failed.isEmpty(); }, 20000) ||
        started.isEmpty()) {
        qWarning() << "start failed:"
                   << (failed.isEmpty() ? u"timeout"_s : failed.first().first().toString());
        return nullptr;
    }
    m_pids.append({sandbox->bwrapPid(), sandbox->initPid()});
    return sandbox;
}

SandboxProcessTest::Outcome SandboxProcessTest::run(SandboxProcess *sandbox, const ExecSpec &spec)
{
    auto result = std::make_shared<std::optional<Outcome>>();
    sandbox->exec(spec, this, [result](const Outcome &outcome) { *result = outcome; });
    if (!QTest::qWaitFor([&] { return result->has_value(); }, int(spec.timeoutMs) + 30000))
        return Outcome::failure(u"test: exec did not complete"_s);
    return **result;
}

ExecResult SandboxProcessTest::sh(SandboxProcess *sandbox, const QString &script, qint64 timeoutMs)
{
    const Outcome outcome = run(sandbox, shell(script, timeoutMs));
    if (!outcome) {
        qWarning() << "exec failed:" << outcome.error();
        ExecResult failed;
        failed.exitCode = -1;
        return failed;
    }
    return *outcome;
}

std::optional<QString> SandboxProcessTest::wait(SandboxProcess *sandbox, Operation operation)
{
    auto result = std::make_shared<std::optional<std::optional<QString>>>();
    (sandbox->*operation)(this, [result](const std::optional<QString> &error) { *result = error; });
    if (!QTest::qWaitFor([&] { return result->has_value(); }, 30000))
        return u"test: operation did not complete"_s;
    return **result;
}

void SandboxProcessTest::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_cgroupFreezer = Freezer::detect(u"cgroup"_s);
    m_signalFreezer = Freezer::detect(u"signals"_s);
    QCOMPARE(m_signalFreezer->name(), u"signals"_s);
    qInfo() << "cgroup row runs with:" << m_cgroupFreezer->name();
}

void SandboxProcessTest::cleanup()
{
    qDeleteAll(findChildren<SandboxProcess *>(Qt::FindDirectChildrenOnly));
    for (const SandboxProcess::Config &cfg : std::as_const(m_roots)) {
        SandboxProcess stopper(cfg, m_signalFreezer.get());
        QVERIFY_DONE(wait(&stopper, &SandboxProcess::stop));
    }
    for (qint64 pid : std::as_const(m_pids))
        QTRY_VERIFY2_WITH_TIMEOUT(!hostProcessAlive(pid), qPrintable(QString::number(pid)), 10000);
    m_roots.clear();
    m_pids.clear();
}

} // namespace banata::test
