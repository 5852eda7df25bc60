// SPDX-License-Identifier: MIT
// The app's zero-setup default: it attaches to a running banata-local or starts one, detached.
#include "app/localserverlauncher.h"
#include "core/client/apiclient.h"
#include "support/awaitjob.h"
#include "support/localserver.h"

#include <QFile>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace Qt::StringLiterals;
using namespace banata;

namespace {

// A killed server may linger as a zombie here (PID 1 of a container need not reap): count that as gone.
bool processGone(qint64 pid)
{
    QFile stat(u"/proc/%1/stat"_s.arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return true;
    const QByteArray line = stat.readAll();
    const qsizetype paren = line.lastIndexOf(')');
    return paren > 0 && line.mid(paren + 2, 1) == "Z";
}

struct Launched
{
    QUrl url;
    QString key;
};

} // namespace

class TestLocalServerLauncher final : public QObject
{
    Q_OBJECT

private:
    std::optional<Launched> launch(LocalServerLauncher &launcher)
    {
        launcher.setPreferredPort(0);
        QSignalSpy ready(&launcher, &LocalServerLauncher::ready);
        QSignalSpy failed(&launcher, &LocalServerLauncher::failed);
        launcher.start();
        if (!test::waitUntil([&] { return !ready.isEmpty() || !failed.isEmpty(); }, 40000) || ready.isEmpty()) {
            qWarning() << "launcher failed:" << (failed.isEmpty() ? u"timeout"_s : failed.first().first().toString());
            return std::nullopt;
        }
        return Launched{ready.first().at(0).toUrl(), ready.first().at(1).toString()};
    }

    qint64 serverPid() const
    {
        QFile file(m_dir->filePath(u"server.json"_s));
        if (!file.open(QIODevice::ReadOnly))
            return 0;
        const auto json = parseJson(file.readAll());
        return json.ok() ? json.value().value("pid", qint64(0)) : 0;
    }

    void killServer()
    {
        const qint64 pid = serverPid();
        if (pid > 0 && !processGone(pid)) {
            ::kill(pid_t(pid), SIGKILL);
            QVERIFY(test::waitUntil([pid] { return processGone(pid); }, 10000));
        }
    }

    QNetworkAccessManager m_network;
    std::unique_ptr<QTemporaryDir> m_dir;

private Q_SLOTS:
    void init() { m_dir = std::make_unique<QTemporaryDir>(); }

    void cleanup()
    {
        killServer();
        test::LocalServer(m_dir->path()).killSandboxProcesses();
    }

    void startsAServerThatOutlivesTheLauncher()
    {
        std::optional<Launched> launched;
        {
            LocalServerLauncher launcher(&m_network, m_dir->path(), QStringLiteral(BANATA_LOCAL_BINARY));
            launched = launch(launcher);
            QVERIFY(launched);
            QVERIFY(launcher.startedServer());
        }
        // The launcher is gone; the server still answers with the key it handed over.
        ApiClient client(&m_network, launched->url, launched->key);
        AWAIT_OK(health, client.health());
        QCOMPARE(health.server, u"banata-local"_s);
        QVERIFY(QFile::exists(m_dir->filePath(u"banata-local.log"_s)));
    }

    void attachesToARunningServer()
    {
        LocalServerLauncher first(&m_network, m_dir->path(), QStringLiteral(BANATA_LOCAL_BINARY));
        const auto started = launch(first);
        QVERIFY(started);
        const qint64 pid = serverPid();

        LocalServerLauncher second(&m_network, m_dir->path(), QStringLiteral(BANATA_LOCAL_BINARY));
        const auto attached = launch(second);
        QVERIFY(attached);
        QVERIFY(!second.startedServer());
        QCOMPARE(attached->url, started->url);
        QCOMPARE(attached->key, started->key);
        QCOMPARE(serverPid(), pid);
    }

    void replacesAServerThatDied()
    {
        LocalServerLauncher first(&m_network, m_dir->path(), QStringLiteral(BANATA_LOCAL_BINARY));
        QVERIFY(launch(first));
        const qint64 oldPid = serverPid();
        killServer();

        // server.json still names the dead server: the launcher must notice and start another.
        LocalServerLauncher second(&m_network, m_dir->path(), QStringLiteral(BANATA_LOCAL_BINARY));
        const auto launched = launch(second);
        QVERIFY(launched);
        QVERIFY(second.startedServer());
        QVERIFY(serverPid() != oldPid);
        ApiClient client(&m_network, launched->url, launched->key);
        AWAIT_OK(health, client.health());
        Q_UNUSED(health)
    }

    void saysClearlyWhenTheServerCannotBeFound()
    {
        LocalServerLauncher launcher(&m_network, m_dir->path(), m_dir->filePath(u"no-such-banata-local"_s));
        QSignalSpy failed(&launcher, &LocalServerLauncher::failed);
        launcher.start();
        QVERIFY(failed.wait(5000));
        QVERIFY2(failed.first().first().toString().contains(u"banata-local was not found"_s),
                 qPrintable(failed.first().first().toString()));
    }
};

QTEST_GUILESS_MAIN(TestLocalServerLauncher)
#include "test_localserverlauncher.moc"
