// SPDX-License-Identifier: MIT
// 200 sandboxes created at once, each on its own connection: every request is answered (201, or
// a documented 429/503 with Retry-After; never a hang or a 500), every acknowledged sandbox
// becomes ready, is listed and runs a command, the database stays sound, and deleting them all
// at once leaves no process and no directory behind. Prints the server's memory and the time to
// all-ready. The server runs with the open-file limit most desktops give (1024).
#include <algorithm>
#include <sys/resource.h>

#include <QDir>
#include <QElapsedTimer>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpSocket>

#include "support/procinfo.h"
#include "support/servertestbase.h"

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {
constexpr int kSandboxes = 200;

/// One request on its own connection (`Connection: close`), read to the end by hand.
class Exchange
{
public:
    Exchange(const QUrl &server, const QByteArray &request)
        : m_request(request)
    {
        QObject::connect(&m_socket, &QTcpSocket::connected, &m_socket, [this] { m_socket.write(m_request); });
        QObject::connect(&m_socket, &QTcpSocket::readyRead, &m_socket, [this] {
            m_bytes += m_socket.readAll();
            parse();
        });
        QObject::connect(&m_socket, &QTcpSocket::disconnected, &m_socket, [this] { m_done = true; });
        QObject::connect(&m_socket, &QTcpSocket::errorOccurred, &m_socket, [this] { m_done = true; });
        m_socket.connectToHost(server.host(), quint16(server.port()));
    }
    bool done() const { return m_done; }
    int status() const { return m_status; }
    QByteArray header(QByteArrayView name) const
    {
        for (const QByteArray &line : m_head.split('\n')) {
            const qsizetype colon = line.indexOf(':');
            if (colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
                return line.mid(colon + 1).trimmed();
        }
        return {};
    }
    Json body() const
    {
        auto parsed = parseJson(m_body);
        return parsed ? *parsed : Json();
    }

private:
    void parse()
    {
        const qsizetype end = m_bytes.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        m_head = m_bytes.left(end);
        m_status = m_head.mid(9, 3).toInt();
        const qint64 length = header("content-length").toLongLong();
        if (m_bytes.size() - end - 4 >= length) {
            m_body = m_bytes.mid(end + 4, length);
            m_done = true;
        }
    }

    QTcpSocket m_socket;
    QByteArray m_request;
    QByteArray m_bytes;
    QByteArray m_head;
    QByteArray m_body;
    int m_status = 0;
    bool m_done = false;
};

QByteArray request(const QByteArray &method, const QString &path, const QString &apiKey,
                   const QByteArray &body = {})
{
    QByteArray bytes = method + ' ' + path.toUtf8() +
                       " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                       "Authorization: Bearer " +
                       apiKey.toUtf8() + "\r\n";
    if (!body.isNull())
        bytes +=
            "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n";
    return bytes + "\r\n" + body;
}
} // namespace

class TestFaultLoad : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase() { m_fixture.reset(); }
    void twoHundredAtOnce();

private:
    /// Sends all \a requests at once, each on its own connection; false if one was never answered.
    bool runAll(const QList<QByteArray> &requests, std::vector<std::unique_ptr<Exchange>> *exchanges,
                int timeoutMs);
    void sampleRss() { m_peakRssKb = std::max(m_peakRssKb, proc::residentKb(m_fixture->server().pid())); }
    QSet<QString> sandboxesWith(const QString &type) const;

    std::unique_ptr<ServerFixture> m_fixture;
    qint64 m_peakRssKb = 0;
};

void TestFaultLoad::initTestCase()
{
    m_fixture = std::make_unique<ServerFixture>();
    // A desktop's usual soft limit; the hard one is what the server may raise it to.
    m_fixture->server().setWrapper({u"prlimit"_s, u"--nofile=1024:"_s, u"--"_s});
    QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
    // Each sandbox costs the server a few descriptors: 1024 would run out near 300 of them.
    const qint64 limit = proc::openFileLimit(m_fixture->server().pid());
    qInfo() << "server open-file limit" << limit << "(started with 1024)";
    rlimit own = {};
    QCOMPARE(::getrlimit(RLIMIT_NOFILE, &own), 0);
    QCOMPARE(limit, qint64(std::min<rlim_t>(own.rlim_max, rlim_t(1) << 20))); // raised to the hard limit
}

bool TestFaultLoad::runAll(const QList<QByteArray> &requests,
                           std::vector<std::unique_ptr<Exchange>> *exchanges, int timeoutMs)
{
    exchanges->clear();
    for (const QByteArray &bytes : requests)
        exchanges->push_back(std::make_unique<Exchange>(m_fixture->server().url(), bytes));
    return waitUntil(
        [&] {
            sampleRss();
            return std::all_of(exchanges->cbegin(), exchanges->cend(),
                               [](const auto &e) { return e->done(); });
        },
        timeoutMs);
}

QSet<QString> TestFaultLoad::sandboxesWith(const QString &type) const
{
    QSet<QString> ids;
    for (const Event &event : m_fixture->received())
        if (event.type == type)
            ids.insert(event.sandboxId);
    return ids;
}

void TestFaultLoad::twoHundredAtOnce()
{
    const QString key = m_fixture->server().apiKey();
    const qint64 server = m_fixture->server().pid();
    const qint64 rssIdleKb = proc::residentKb(server);
    QElapsedTimer clock;
    clock.start();

    // Create: 200 connections at once.
    QList<QByteArray> creates;
    for (int i = 0; i < kSandboxes; ++i)
        creates.append(
            request("POST", u"/v1/sandboxes"_s, key, dumpJson(Json{{"name", "load-" + std::to_string(i)}})));
    std::vector<std::unique_ptr<Exchange>> exchanges;
    QVERIFY2(runAll(creates, &exchanges, 60000), "a create was never answered");
    const qint64 answeredMs = clock.elapsed();
    QStringList acknowledged;
    QMap<int, int> statuses;
    for (const auto &exchange : exchanges) {
        ++statuses[exchange->status()];
        if (exchange->status() == 201) {
            acknowledged.append(QString::fromStdString(exchange->body().value("id", std::string())));
        } else {
            // Refusing is allowed only the documented way: busy, with a time to come back.
            QVERIFY2(exchange->status() == 429 || exchange->status() == 503,
                     qPrintable(QString::number(exchange->status())));
            QVERIFY(!exchange->header("retry-after").isEmpty());
        }
    }
    qInfo() << "create answers" << statuses << "all answered after" << answeredMs << "ms";
    QVERIFY(acknowledged.size() >= kSandboxes / 2);

    // Every acknowledged sandbox becomes ready (none fails).
    const QSet<QString> wanted(acknowledged.cbegin(), acknowledged.cend());
    QVERIFY2(
        waitUntil(
            [&] {
                sampleRss();
                return sandboxesWith(u"sandbox.ready"_s).contains(wanted) ||
                       sandboxesWith(u"sandbox.failed"_s).intersects(wanted);
            },
            90000),
        qPrintable(
            u"%1 of %2 ready"_s.arg((sandboxesWith(u"sandbox.ready"_s) & wanted).size()).arg(wanted.size())));
    for (const Event &event : m_fixture->received())
        QVERIFY2(event.type != u"sandbox.failed",
                 qPrintable(QString::fromStdString(event.data.value("reason", std::string()))));
    const qint64 readyMs = clock.elapsed();
    const QList<qint64> processes =
        proc::processesBelow((m_fixture->server().dataDir() + u"/sandboxes/"_s).toUtf8());
    QVERIFY2(proc::openFdCount(server) * 2 < proc::openFileLimit(server), "too close to the open-file limit");
    qInfo() << kSandboxes << "created at once: all" << wanted.size() << "ready after" << readyMs
            << "ms; server VmRSS" << rssIdleKb << "KiB idle," << m_peakRssKb << "KiB peak; server fds"
            << proc::openFdCount(server) << "; sandbox processes" << processes.size();

    // Listed, and usable: `true` runs in every one of them, all at once.
    AWAIT_OK(listed, m_fixture->client().listSandboxes(SandboxListQuery{{}, 1000, {}}));
    QSet<QString> listedReady;
    for (const Sandbox &sandbox : listed.data)
        if (sandbox.status == SandboxStatus::Ready)
            listedReady.insert(sandbox.id);
    QVERIFY(listedReady.contains(wanted));
    QList<QByteArray> execs;
    for (const QString &id : std::as_const(acknowledged))
        execs.append(request("POST", u"/v1/sandboxes/exec"_s, key,
                             dumpJson(Json{{"id", id.toStdString()}, {"command", "true"}})));
    QElapsedTimer execClock;
    execClock.start();
    QVERIFY2(runAll(execs, &exchanges, 60000), "an exec was never answered");
    for (const auto &exchange : exchanges) {
        QCOMPARE(exchange->status(), 200);
        QCOMPARE(exchange->body().value("exitCode", -1), 0);
    }
    qInfo() << wanted.size() << "execs at once answered in" << execClock.elapsed() << "ms";

    // The database agrees and is sound.
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"check"_s);
        db.setDatabaseName(m_fixture->server().dataDir() + u"/banata.db"_s);
        db.setConnectOptions(u"QSQLITE_OPEN_READONLY"_s);
        QVERIFY2(db.open(), qPrintable(db.lastError().text()));
        QSqlQuery query(db);
        QVERIFY(query.exec(u"PRAGMA integrity_check"_s) && query.next());
        QCOMPARE(query.value(0).toString(), u"ok"_s);
        QVERIFY(query.exec(u"SELECT count(*) FROM sandboxes WHERE status = 'ready'"_s) && query.next());
        QCOMPARE(query.value(0).toInt(), wanted.size());
        db.close();
    }
    QSqlDatabase::removeDatabase(u"check"_s);

    // Delete them all at once: nothing stays behind.
    QList<QByteArray> deletes;
    for (const QString &id : std::as_const(acknowledged))
        deletes.append(request("DELETE", u"/v1/sandboxes?id="_s + id, key));
    QElapsedTimer deleteClock;
    deleteClock.start();
    QVERIFY2(runAll(deletes, &exchanges, 60000), "a delete was never answered");
    for (const auto &exchange : exchanges) {
        QCOMPARE(exchange->status(), 200);
        QCOMPARE(exchange->body().value("status", std::string()), "ended");
    }
    const QString sandboxesDir = m_fixture->server().dataDir() + u"/sandboxes"_s;
    QVERIFY(waitUntil([&] { return proc::processesBelow(sandboxesDir.toUtf8()).isEmpty(); }, 30000));
    QVERIFY(waitUntil(
        [&] { return QDir(sandboxesDir).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden); },
        30000));
    qInfo() << wanted.size() << "deleted at once in" << deleteClock.elapsed() << "ms; server fds after"
            << proc::openFdCount(server) << "VmRSS" << proc::residentKb(server) << "KiB; test wall"
            << clock.elapsed() << "ms";
    AWAIT_OK(after, m_fixture->client().listSandboxes(SandboxListQuery{{SandboxStatus::Ready}, 1000, {}}));
    QVERIFY(after.data.isEmpty());
    AWAIT_OK(health, m_fixture->client().health());
}

QTEST_GUILESS_MAIN(TestFaultLoad)
#include "test_fault_load.moc"
