// SPDX-License-Identifier: MIT
// The list's lifecycle actions against a real banata-local: bulk pause (one already paused is
// skipped with its reason), resume, checkpoint, kill, create; progress and per-sandbox results;
// answers applied to the connection at once; the journal's record; why an action is disabled.
#include "session/connectionmanager.h"
#include "session/sandboxactions.h"

#include "models/operatorjournal.h"
#include "support/servertestbase.h"

#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTcpServer>

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {

constexpr int kWait = 20000;

std::optional<Sandbox> sandboxOf(const ConnectionManager &manager, const SandboxKey &key)
{
    const Connection *connection = manager.connection(key.connectionId);
    return connection ? connection->sandbox(key.sandboxId) : std::nullopt;
}

bool waitFinished(BulkOperation &operation)
{
    QSignalSpy finished(&operation, &BulkOperation::finished);
    operation.start();
    return finished.count() == 1 || finished.wait(kWait);
}

} // namespace

class TestSandboxActions : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        m_fixture = std::make_unique<ServerFixture>();
        QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
        for (int i = 0; i < 3; ++i) {
            CreateSandboxRequest request;
            request.name = u"worker %1"_s.arg(i);
            const QString id = m_fixture->createReady(request);
            QVERIFY2(!id.isEmpty(), qPrintable(m_fixture->errorString()));
            m_keys.append({u"local"_s, id});
        }
        m_manager = std::make_unique<ConnectionManager>(&m_network);
        m_connection = m_manager->add({u"local"_s, u"Local"_s, m_fixture->server().url(), ConnectionConfig::Kind::Local});
        m_connection->start(m_fixture->server().apiKey());
        QTRY_COMPARE_WITH_TIMEOUT(m_connection->status(), Connection::Status::Online, kWait);
    }

    void cleanupTestCase()
    {
        m_manager.reset();
        m_fixture.reset();
    }

    void bulkPauseSkipsTheOneAlreadyPaused()
    {
        AWAIT_OK(already, m_fixture->client().pauseSandbox(m_keys.at(1).sandboxId));
        QTRY_VERIFY_WITH_TIMEOUT(sandboxOf(*m_manager, m_keys.at(1))->status == SandboxStatus::Paused, kWait);

        BulkOperation pause(SandboxAction::Pause, m_keys, m_manager.get(), &m_journal, u"ana"_s);
        QSignalSpy progress(&pause, &BulkOperation::progressChanged);
        QSignalSpy items(&pause, &BulkOperation::itemFinished);
        QVERIFY(waitFinished(pause));
        QCOMPARE(pause.total(), 3);
        QCOMPARE(pause.done(), 3);
        QCOMPARE(items.count(), 3);
        QCOMPARE(pause.failedCount(), 0);
        QCOMPARE(progress.first(), (QList<QVariant>{0, 3}));
        QCOMPARE(progress.last(), (QList<QVariant>{3, 3}));

        int skipped = 0;
        for (const BulkItemResult &result : pause.results()) {
            if (result.key == m_keys.at(1)) {
                QVERIFY(result.skipped);
                QVERIFY(!result.ok);
                QCOMPARE(result.message, u"Already paused"_s);
                QCOMPARE(result.label, u"worker 1"_s);
                ++skipped;
            } else {
                QVERIFY2(result.ok, qPrintable(result.message));
                QCOMPARE(result.message, u"Paused"_s);
                // Applied from the answer at once, not when the event comes.
                QVERIFY(sandboxOf(*m_manager, result.key)->status == SandboxStatus::Paused);
            }
        }
        QCOMPARE(skipped, 1);

        const QList<OperatorAction> recorded = m_journal.actionsFor(m_keys.at(0));
        QCOMPARE(recorded.size(), 1);
        QCOMPARE(recorded.first().action, u"pause"_s);
        QCOMPARE(recorded.first().operatorName, u"ana"_s);
        QVERIFY(recorded.first().ok);
        QVERIFY(m_journal.actionsFor(m_keys.at(1)).isEmpty()); // not attempted, not recorded
    }

    void availabilityExplainsWhy()
    {
        const Sandbox paused = *sandboxOf(*m_manager, m_keys.at(0));
        QVERIFY(paused.status == SandboxStatus::Paused);
        ActionAvailability pause = actionAvailability(SandboxAction::Pause, paused, m_connection);
        QVERIFY(!pause.enabled);
        QCOMPARE(pause.reason, u"Already paused"_s);
        QVERIFY(actionAvailability(SandboxAction::Resume, paused, m_connection).enabled);
        QVERIFY(actionAvailability(SandboxAction::Checkpoint, paused, m_connection).enabled);
        QVERIFY(actionAvailability(SandboxAction::Kill, paused, m_connection).enabled);

        Sandbox ready = paused;
        ready.status = SandboxStatus::Ready;
        QCOMPARE(actionAvailability(SandboxAction::Resume, ready, m_connection).reason, u"Only a paused sandbox can be resumed"_s);
        Sandbox queued = paused;
        queued.status = SandboxStatus::Queued;
        QCOMPARE(actionAvailability(SandboxAction::Pause, queued, m_connection).reason,
                 u"Only a ready or active sandbox can be paused"_s);
        QVERIFY(!actionAvailability(SandboxAction::Checkpoint, queued, m_connection).enabled);
        Sandbox ended = paused;
        ended.status = SandboxStatus::Ended;
        QCOMPARE(actionAvailability(SandboxAction::Kill, ended, m_connection).reason, u"Already ended"_s);
        QVERIFY(!actionAvailability(SandboxAction::Pause, ready, nullptr).enabled);

        // A selection: enabled when one of them allows it, else every distinct reason.
        QVERIFY(actionAvailability(SandboxAction::Resume, m_keys, *m_manager).enabled);
        const ActionAvailability none = actionAvailability(SandboxAction::Pause, m_keys, *m_manager);
        QVERIFY(!none.enabled);
        QCOMPARE(none.reason, u"Already paused"_s);
        QCOMPARE(actionAvailability(SandboxAction::Pause, QList<SandboxKey>{{u"gone"_s, u"x"_s}}, *m_manager).reason,
                 u"Its connection was removed"_s);
        QCOMPARE(actionName(SandboxAction::Checkpoint), u"Checkpoint"_s);

        // An unreachable connection disables everything on it, with its name.
        QTcpServer reserve;
        QVERIFY(reserve.listen(QHostAddress::LocalHost));
        const quint16 port = reserve.serverPort();
        reserve.close();
        QSignalSpy added(m_manager.get(), &ConnectionManager::connectionAdded);
        QSignalSpy removing(m_manager.get(), &ConnectionManager::connectionAboutToBeRemoved);
        Connection *dead = m_manager->add({u"dead"_s, u"Staging"_s, QUrl(u"http://127.0.0.1:%1"_s.arg(port)),
                                           ConnectionConfig::Kind::Remote});
        QCOMPARE(added.count(), 1);
        QCOMPARE(m_manager->connection(u"dead"_s), dead);
        QCOMPARE(m_manager->connections().size(), 2);
        dead->start(u"br_live_x"_s);
        QTRY_COMPARE_WITH_TIMEOUT(dead->status(), Connection::Status::Down, kWait);
        QCOMPARE(actionAvailability(SandboxAction::Kill, ready, dead).reason, u"Staging is unreachable"_s);
        m_manager->remove(u"dead"_s);
        QCOMPARE(removing.count(), 1);
        QVERIFY(!m_manager->connection(u"dead"_s));
        QCOMPARE(m_manager->connections().size(), 1);
    }

    void bulkResume()
    {
        BulkOperation resume(SandboxAction::Resume, m_keys, m_manager.get(), &m_journal, u"ana"_s);
        QVERIFY(waitFinished(resume));
        QCOMPARE(resume.failedCount(), 0);
        for (const BulkItemResult &result : resume.results()) {
            QVERIFY2(result.ok, qPrintable(result.message));
            QCOMPARE(result.message, u"Resumed"_s);
        }
        for (const SandboxKey &key : std::as_const(m_keys))
            QVERIFY(sandboxOf(*m_manager, key)->status == SandboxStatus::Ready);
    }

    void checkpointWithALabel()
    {
        BulkOperation checkpoint(SandboxAction::Checkpoint, {m_keys.at(2)}, m_manager.get(), &m_journal, u"ana"_s);
        checkpoint.setCheckpointLabel(u"before login"_s);
        QVERIFY(waitFinished(checkpoint));
        QCOMPARE(checkpoint.results().size(), 1);
        QVERIFY2(checkpoint.results().first().ok, qPrintable(checkpoint.results().first().message));
        QCOMPARE(checkpoint.results().first().message, u"Checkpoint “before login” created"_s);
        AWAIT_OK(list, m_fixture->client().checkpoints(m_keys.at(2).sandboxId));
        QCOMPARE(list.size(), 1);
        QCOMPARE(list.first().label, std::optional<QString>(u"before login"_s));
        const OperatorAction recorded = m_journal.actionsFor(m_keys.at(2)).last();
        QCOMPARE(recorded.action, u"checkpoint"_s);
        QCOMPARE(recorded.detail, u"before login"_s);
    }

    void killThenKillAgainIsSkipped()
    {
        BulkOperation kill(SandboxAction::Kill, {m_keys.at(2)}, m_manager.get(), &m_journal, u"ana"_s);
        QVERIFY(waitFinished(kill));
        QVERIFY2(kill.results().first().ok, qPrintable(kill.results().first().message));
        QVERIFY(sandboxOf(*m_manager, m_keys.at(2))->status == SandboxStatus::Ended);

        BulkOperation again(SandboxAction::Kill, {m_keys.at(2)}, m_manager.get(), &m_journal, u"ana"_s);
        QVERIFY(waitFinished(again));
        QVERIFY(again.results().first().skipped);
        QCOMPARE(again.results().first().message, u"Already ended"_s);
    }

    void serverErrorsAreReportedPerSandbox()
    {
        // The connection believes the killed sandbox is still ready; the server knows better.
        const SandboxKey key = m_keys.at(2);
        Sandbox stale = *sandboxOf(*m_manager, key);
        stale.status = SandboxStatus::Ready;
        stale.updatedAt += 1;
        m_connection->applySandbox(stale);
        BulkOperation checkpoint(SandboxAction::Checkpoint, {key, m_keys.at(1)}, m_manager.get(), &m_journal, u"ana"_s);
        QVERIFY(waitFinished(checkpoint));
        QCOMPARE(checkpoint.results().size(), 2);
        QCOMPARE(checkpoint.failedCount(), 1);
        for (const BulkItemResult &result : checkpoint.results()) {
            if (result.key == key) {
                QVERIFY(!result.ok && !result.skipped);
                QVERIFY2(result.message.contains(u"(409)"_s), qPrintable(result.message));
                const OperatorAction recorded = m_journal.actionsFor(key).last();
                QVERIFY(!recorded.ok);
                QCOMPARE(recorded.result, result.message);
            } else {
                QVERIFY2(result.ok, qPrintable(result.message));
            }
        }
    }

    void createsASandbox()
    {
        CreateSandboxRequest request;
        request.name = u"from the app"_s;
        CreateSandboxOperation create(m_connection, request, &m_journal, u"ana"_s);
        QSignalSpy finished(&create, &CreateSandboxOperation::finished);
        create.start();
        QVERIFY(finished.wait(kWait));
        const auto sandbox = finished.first().at(0).value<Sandbox>();
        QCOMPARE(finished.first().at(1).toString(), QString());
        QCOMPARE(sandbox.name, std::optional<QString>(u"from the app"_s));
        QVERIFY(m_connection->sandbox(sandbox.id).has_value()); // at once, from the answer
        QTRY_VERIFY_WITH_TIMEOUT(m_connection->sandbox(sandbox.id)->status == SandboxStatus::Ready, kWait);
        const QList<OperatorAction> recorded = m_journal.actionsFor({u"local"_s, sandbox.id});
        QCOMPARE(recorded.size(), 1);
        QCOMPARE(recorded.first().action, u"create"_s);

        CreateSandboxRequest invalid;
        invalid.runtime = u"ruby"_s;
        CreateSandboxOperation refused(m_connection, invalid, &m_journal, u"ana"_s);
        QSignalSpy refusedSpy(&refused, &CreateSandboxOperation::finished);
        refused.start();
        QVERIFY(refusedSpy.wait(kWait));
        QVERIFY2(refusedSpy.first().at(1).toString().contains(u"ruby"_s), qPrintable(refusedSpy.first().at(1).toString()));
    }

    void cancelStopsSendingMore()
    {
        QList<SandboxKey> many;
        for (int i = 0; i < 6; ++i) {
            AWAIT_OK(created, m_fixture->client().createSandbox({}));
            many.append({u"local"_s, created.id});
        }
        for (const SandboxKey &key : std::as_const(many))
            QTRY_VERIFY_WITH_TIMEOUT(sandboxOf(*m_manager, key) && sandboxOf(*m_manager, key)->status == SandboxStatus::Ready, kWait);
        BulkOperation pause(SandboxAction::Pause, many, m_manager.get(), &m_journal, u"ana"_s);
        QSignalSpy finished(&pause, &BulkOperation::finished);
        pause.start();
        pause.cancel(); // 4 are on their way; the other 2 are never sent
        QVERIFY(finished.count() == 1 || finished.wait(kWait));
        QCOMPARE(finished.count(), 1);
        QCOMPARE(pause.done(), 4);
        QCOMPARE(pause.failedCount(), 0);
    }

private:
    QNetworkAccessManager m_network;
    std::unique_ptr<ServerFixture> m_fixture;
    std::unique_ptr<ConnectionManager> m_manager;
    Connection *m_connection = nullptr;
    OperatorJournal m_journal{QString()};
    QList<SandboxKey> m_keys;
};

QTEST_GUILESS_MAIN(TestSandboxActions)
#include "test_sandboxactions.moc"
