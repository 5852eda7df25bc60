// SPDX-License-Identifier: MIT
// A Connection to a real banata-local: it lists what existed before, follows every change made
// by another client (create, pause, resume, kill, handoff) live, survives the server being
// killed and restarted on the same data, and one dead connection never disturbs another.
#include "session/connection.h"

#include "support/servertestbase.h"

#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTcpServer>

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {

constexpr int kWait = 15000;

ConnectionConfig localConfig(const QUrl &url)
{
    return {u"local"_s, u"Local"_s, url, ConnectionConfig::Kind::Local};
}

bool hasStatus(const Connection &connection, const QString &id, SandboxStatus status)
{
    const std::optional<Sandbox> sandbox = connection.sandbox(id);
    return sandbox && sandbox->status == status;
}

/// True when \a spy (on sandboxChanged) saw \a id arrive in \a status.
bool sawChange(const QSignalSpy &spy, const QString &id, SandboxStatus status)
{
    for (const QList<QVariant> &args : spy) {
        const auto sandbox = args.at(0).value<Sandbox>();
        if (sandbox.id == id && sandbox.status == status)
            return true;
    }
    return false;
}

} // namespace

class TestConnectionLive : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        m_fixture = std::make_unique<ServerFixture>();
        QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
        for (int i = 0; i < 2; ++i) {
            const QString id = m_fixture->createReady();
            QVERIFY2(!id.isEmpty(), qPrintable(m_fixture->errorString()));
            m_before.append(id);
        }
        m_connection = std::make_unique<Connection>(localConfig(m_fixture->server().url()), &m_network);
    }

    void cleanupTestCase()
    {
        m_connection.reset();
        m_fixture.reset();
    }

    void listsWhatExistedBefore()
    {
        QSignalSpy resets(m_connection.get(), &Connection::sandboxesReset);
        m_connection->start(m_fixture->server().apiKey());
        QTRY_COMPARE_WITH_TIMEOUT(m_connection->status(), Connection::Status::Online, kWait);
        QVERIFY(m_connection->statusText().isEmpty());
        QCOMPARE(resets.count(), 1);
        QVERIFY(m_connection->health().has_value());
        QCOMPARE(m_connection->health()->server, u"banata-local"_s);
        QVERIFY(m_connection->supports(u"events"_s));
        for (const QString &id : std::as_const(m_before))
            QVERIFY(hasStatus(*m_connection, id, SandboxStatus::Ready));
    }

    void followsChangesMadeElsewhere()
    {
        QSignalSpy changes(m_connection.get(), &Connection::sandboxChanged);
        ApiClient &other = m_fixture->client();

        CreateSandboxRequest request;
        request.name = u"made elsewhere"_s;
        AWAIT_OK(created, other.createSandbox(request));
        QTRY_VERIFY_WITH_TIMEOUT(sawChange(changes, created.id, SandboxStatus::Ready), kWait);
        QCOMPARE(m_connection->sandbox(created.id)->name, std::optional<QString>(u"made elsewhere"_s));

        AWAIT_OK(paused, other.pauseSandbox(created.id));
        QTRY_VERIFY_WITH_TIMEOUT(sawChange(changes, created.id, SandboxStatus::Paused), kWait);
        QVERIFY(hasStatus(*m_connection, created.id, SandboxStatus::Paused));

        AWAIT_OK(resumed, other.resumeSandbox(created.id));
        QTRY_VERIFY_WITH_TIMEOUT(hasStatus(*m_connection, created.id, SandboxStatus::Ready), kWait);

        AWAIT_OK(killed, other.killSandbox(created.id));
        QTRY_VERIFY_WITH_TIMEOUT(sawChange(changes, created.id, SandboxStatus::Ended), kWait);
        QVERIFY(hasStatus(*m_connection, created.id, SandboxStatus::Ended));
        QCOMPARE(m_connection->status(), Connection::Status::Online);
    }

    void handoffsShowUpAndLeave()
    {
        QSignalSpy handoffs(m_connection.get(), &Connection::handoffChanged);
        const QString id = m_before.first();
        HandoffRequest request;
        request.id = id;
        request.reason = u"mfa"_s;
        request.message = u"Enter the code from the phone"_s;
        AWAIT_OK(requested, m_fixture->client().requestHandoff(request));
        QTRY_VERIFY_WITH_TIMEOUT(m_connection->activeHandoffs().contains(id), kWait);
        const Handoff active = m_connection->activeHandoffs().value(id);
        QCOMPARE(active.requestId, requested.handoff.requestId);
        QVERIFY(active.status == HandoffStatus::Pending);
        QCOMPARE(active.message, u"Enter the code from the phone"_s);
        QVERIFY(handoffs.count() >= 1);
        QCOMPARE(handoffs.last().at(0).toString(), id);

        AWAIT_OK(accepted, m_fixture->client().acceptHandoff(id, u"ana"_s));
        QTRY_VERIFY_WITH_TIMEOUT(m_connection->activeHandoffs().value(id).status == HandoffStatus::Accepted, kWait);
        QCOMPARE(m_connection->activeHandoffs().value(id).controller, std::optional<QString>(u"ana"_s));

        AWAIT_OK(completed, m_fixture->client().completeHandoff(id, u"done"_s, u"code entered"_s));
        QTRY_VERIFY_WITH_TIMEOUT(!m_connection->activeHandoffs().contains(id), kWait);
        const auto last = handoffs.last().at(1).value<Handoff>();
        QVERIFY(last.status == HandoffStatus::Completed);
        QCOMPARE(last.note, std::optional<QString>(u"code entered"_s));
    }

    void pendingHandoffsAreLoadedAtStart()
    {
        const QString id = m_before.last();
        HandoffRequest request;
        request.id = id;
        request.reason = u"approval"_s;
        request.message = u"Approve the payment"_s;
        AWAIT_OK(requested, m_fixture->client().requestHandoff(request));

        // A connection started now finds it waiting, without an event.
        Connection late(localConfig(m_fixture->server().url()), &m_network);
        late.start(m_fixture->server().apiKey());
        QTRY_COMPARE_WITH_TIMEOUT(late.status(), Connection::Status::Online, kWait);
        QCOMPARE(late.activeHandoffs().value(id).requestId, requested.handoff.requestId);
        AWAIT_OK(cancelled, m_fixture->client().cancelHandoff(id));
        QTRY_VERIFY_WITH_TIMEOUT(!late.activeHandoffs().contains(id), kWait);
        QTRY_VERIFY_WITH_TIMEOUT(!m_connection->activeHandoffs().contains(id), kWait);
    }

    void deadConnectionDoesNotDisturbTheOther()
    {
        QTcpServer reserve; // a port nobody answers on once closed
        QVERIFY(reserve.listen(QHostAddress::LocalHost));
        const quint16 port = reserve.serverPort();
        reserve.close();
        Connection dead({u"dead"_s, u"Nowhere"_s, QUrl(u"http://127.0.0.1:%1"_s.arg(port)), ConnectionConfig::Kind::Remote},
                        &m_network);
        dead.start(u"br_live_whatever"_s);
        QTRY_COMPARE_WITH_TIMEOUT(dead.status(), Connection::Status::Down, kWait);
        QVERIFY2(dead.statusText().startsWith(u"Connection refused — retrying in"_s), qPrintable(dead.statusText()));

        // Meanwhile the first one follows changes as before.
        AWAIT_OK(paused, m_fixture->client().pauseSandbox(m_before.first()));
        QTRY_VERIFY_WITH_TIMEOUT(hasStatus(*m_connection, m_before.first(), SandboxStatus::Paused), kWait);
        QCOMPARE(m_connection->status(), Connection::Status::Online);
        QCOMPARE(dead.status(), Connection::Status::Down);
        QVERIFY(dead.sandboxes().isEmpty());
    }

    void catchesUpAfterTheServerRestarts()
    {
        const quint16 port = quint16(m_fixture->server().url().port());
        m_fixture->crash();
        QTRY_VERIFY_WITH_TIMEOUT(m_connection->status() == Connection::Status::Reconnecting
                                     || m_connection->status() == Connection::Status::Down,
                                 kWait);
        QVERIFY(!m_connection->statusText().isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(m_connection->status(), Connection::Status::Down, kWait);
        QVERIFY2(m_connection->statusText().contains(u"retrying in"_s), qPrintable(m_connection->statusText()));
        // What it knew stays visible while it is away.
        QVERIFY(hasStatus(*m_connection, m_before.last(), SandboxStatus::Ready));

        QVERIFY2(m_fixture->restart({u"--port"_s, QString::number(port)}), qPrintable(m_fixture->errorString()));
        QCOMPARE(m_fixture->server().url().port(), int(port));
        AWAIT_OK(resumed, m_fixture->client().resumeSandbox(m_before.first()));
        AWAIT_OK(paused, m_fixture->client().pauseSandbox(m_before.last()));
        AWAIT_OK(created, m_fixture->client().createSandbox({}));
        QTRY_COMPARE_WITH_TIMEOUT(m_connection->status(), Connection::Status::Online, 70000);
        QTRY_VERIFY_WITH_TIMEOUT(hasStatus(*m_connection, m_before.first(), SandboxStatus::Ready), kWait);
        QTRY_VERIFY_WITH_TIMEOUT(hasStatus(*m_connection, m_before.last(), SandboxStatus::Paused), kWait);
        QTRY_VERIFY_WITH_TIMEOUT(m_connection->sandbox(created.id).has_value(), kWait);

        // And it is live again afterwards.
        AWAIT_OK(resumedAgain, m_fixture->client().resumeSandbox(m_before.last()));
        QTRY_VERIFY_WITH_TIMEOUT(hasStatus(*m_connection, m_before.last(), SandboxStatus::Ready), kWait);
    }

private:
    QNetworkAccessManager m_network;
    std::unique_ptr<ServerFixture> m_fixture;
    std::unique_ptr<Connection> m_connection;
    QStringList m_before;
};

QTEST_GUILESS_MAIN(TestConnectionLive)
#include "test_connection_live.moc"
