// SPDX-License-Identifier: MIT
// Clients that vanish mid-stream: an event stream, a large download, a large upload mid-body, an
// exec whose output is still coming, a zip download, a viewer socket and a CDP connection, each
// cut by a raw socket closed with a reset, 50 times. After each kind: the server answers, another
// client's download and event stream went on unharmed, no descriptor leaked, no upload temp file
// stayed, and the server's memory did not grow beyond a small bound.
#include <sys/socket.h>

#include <QBuffer>
#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTcpSocket>

#include "support/procinfo.h"
#include "support/servertestbase.h"
#include "support/testdata.h"

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {
constexpr int kRepetitions = 50;
constexpr qint64 kBigFileBytes = 64ll << 20;
constexpr qint64 kRssGrowthLimitKb = 24 * 1024;
constexpr int kFdSlack = 2; // the server may hold a descriptor or two for its own work meanwhile

/// A client that speaks just enough HTTP and WebSocket by hand to be cut off at any byte.
class RawClient
{
public:
    explicit RawClient(const QUrl &server)
    {
        QObject::connect(&m_socket, &QTcpSocket::readyRead, &m_socket, [this] {
            const QByteArray chunk = m_socket.readAll();
            m_received += chunk.size();
            if (m_head.size() < 64 * 1024)
                m_head += chunk.left(64 * 1024 - m_head.size());
        });
        m_socket.connectToHost(server.host(), quint16(server.port()));
    }
    bool connected()
    {
        return waitUntil([this] { return m_socket.state() == QAbstractSocket::ConnectedState; }, 5000);
    }
    void send(const QByteArray &bytes) { m_socket.write(bytes); }
    bool sent()
    {
        return waitUntil([this] { return m_socket.bytesToWrite() == 0; }, 10000);
    }
    bool receive(qint64 bytes)
    {
        return waitUntil([&] { return m_received >= bytes; }, 15000);
    }
    bool receiveText(QByteArrayView text)
    {
        return waitUntil([&] { return m_head.contains(text); }, 15000);
    }
    qint64 received() const { return m_received; }
    /// Gone without a goodbye: SO_LINGER 0 makes close() send a TCP reset.
    void reset()
    {
        const linger hard{1, 0};
        ::setsockopt(int(m_socket.socketDescriptor()), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
        m_socket.abort();
    }
    /// Upgrades to a WebSocket on \a pathAndQuery (no body may follow the request).
    bool upgrade(const QString &pathAndQuery, const QString &host, const QString &apiKey)
    {
        QByteArray request = "GET " + pathAndQuery.toUtf8() + " HTTP/1.1\r\nHost: " + host.toUtf8() +
                             "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
        if (!apiKey.isEmpty())
            request += "Authorization: Bearer " + apiKey.toUtf8() + "\r\n";
        send(request + "\r\n");
        return receiveText("\r\n\r\n") && m_head.startsWith("HTTP/1.1 101");
    }
    /// One masked text frame, as a browser sends.
    void sendText(const QByteArray &payload)
    {
        QByteArray frame;
        frame.append(char(0x81));
        if (payload.size() < 126) {
            frame.append(char(0x80 | payload.size()));
        } else {
            frame.append(char(0x80 | 126));
            frame.append(char(payload.size() >> 8));
            frame.append(char(payload.size() & 0xff));
        }
        const char mask[4] = {0x12, 0x34, 0x56, 0x78};
        frame.append(mask, 4);
        for (qsizetype i = 0; i < payload.size(); ++i)
            frame.append(char(payload.at(i) ^ mask[i % 4]));
        send(frame);
    }
    const QByteArray &head() const { return m_head; }

private:
    QTcpSocket m_socket;
    QByteArray m_head;
    qint64 m_received = 0;
};

} // namespace

class TestFaultDisconnect : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase() { m_fixture.reset(); }
    void vanishingClientsLeaveNothingBehind_data();
    void vanishingClientsLeaveNothingBehind();

private:
    /// One vanishing client of the given kind; returns false (and says why) if it could not even
    /// get to the point where it vanishes.
    bool vanishOnce(const QString &kind, QString *why);
    QString authorization() const
    {
        return u"Authorization: Bearer "_s + m_fixture->server().apiKey() + u"\r\n"_s;
    }
    QString hostHeader() const { return u"127.0.0.1:%1"_s.arg(m_fixture->server().url().port()); }
    /// Waits until the server is back to \a baseline descriptors (or a little above).
    bool settle(int baseline);
    int serverFds() const { return proc::openFdCount(m_fixture->server().pid()); }
    qint64 serverRssKb() const { return proc::residentKb(m_fixture->server().pid()); }

    std::unique_ptr<ServerFixture> m_fixture;
    QString m_id;
    QString m_browserId; // empty without Chromium
    QString m_viewerToken;
    QByteArray m_big;
    int m_execs = 0;
};

void TestFaultDisconnect::initTestCase()
{
    m_fixture = std::make_unique<ServerFixture>();
    QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
    m_id = m_fixture->createReady();
    QVERIFY2(!m_id.isEmpty(), qPrintable(m_fixture->errorString()));
    m_big = randomBytes(kBigFileBytes);
    QDir().mkpath(m_fixture->workspaceOf(m_id) + u"/folder"_s);
    QFile big(m_fixture->workspaceOf(m_id) + u"/folder/big.bin"_s);
    QVERIFY(big.open(QIODevice::WriteOnly));
    QCOMPARE(big.write(m_big), kBigFileBytes);
    big.close();

    if (QFile::exists(u"/usr/lib/chromium/chromium"_s)) {
        CreateSandboxRequest request;
        request.capabilities = Capabilities{};
        request.capabilities->browser = BrowserCapability{};
        m_browserId = m_fixture->createReady(request);
        QVERIFY2(!m_browserId.isEmpty(), qPrintable(m_fixture->errorString()));
        QTRY_VERIFY_WITH_TIMEOUT(m_fixture->sawEvent(m_browserId, u"sandbox.browser.ready"_s), 30000);
        QFile page(m_fixture->workspaceOf(m_browserId) + u"/index.html"_s);
        QVERIFY(page.open(QIODevice::WriteOnly));
        page.write(
            "<!doctype html><div id=n></div>"
            "<script>let i=0;setInterval(()=>{document.getElementById('n').textContent=i++},20)</script>");
        page.close();
        AWAIT_OK(navigated,
                 m_fixture->client().navigatePreview(m_browserId, u"file:///workspace/index.html"_s));
        AWAIT_OK(viewer, m_fixture->client().previewViewerUrl(m_browserId, 3600000));
        m_viewerToken = QUrl(viewer.url).query();
    }
}

bool TestFaultDisconnect::vanishOnce(const QString &kind, QString *why)
{
    RawClient client(m_fixture->server().url());
    if (!client.connected()) {
        *why = u"cannot connect"_s;
        return false;
    }
    const QString auth = authorization();
    const QString host = u"Host: "_s + hostHeader() + u"\r\n"_s;
    if (kind == u"event stream") {
        // since=0 replays the whole log: events are on their way when we vanish.
        if (!client.upgrade(u"/v1/events?since=0"_s, hostHeader(), m_fixture->server().apiKey()) ||
            !client.receiveText("\"seq\"")) {
            *why = QString::fromUtf8(client.head().left(200));
            return false;
        }
    } else if (kind == u"download") {
        client.send(
            (u"GET /v1/sandboxes/fs/download?id=%1&path=/workspace/folder/big.bin HTTP/1.1\r\n"_s.arg(m_id) +
             host + auth + u"\r\n"_s)
                .toUtf8());
        if (!client.receive(4 << 20)) {
            *why = QString::fromUtf8(client.head().left(200));
            return false;
        }
    } else if (kind == u"upload") {
        client.send(
            (u"PUT /v1/sandboxes/fs/upload?id=%1&path=/workspace/up/cut.bin HTTP/1.1\r\n"_s.arg(m_id) + host +
             auth + u"Content-Length: %1\r\n\r\n"_s.arg(kBigFileBytes))
                .toUtf8());
        client.send(m_big.left(4 << 20));
        if (!client.sent()) {
            *why = u"the server did not take the first 4 MiB"_s;
            return false;
        }
    } else if (kind == u"exec output") {
        // The command says when it runs (a file in the sandbox's /tmp), then prints for half a second.
        const QString started = u"started-%1"_s.arg(++m_execs);
        const QByteArray body = dumpJson(Json{
            {"id", m_id.toStdString()},
            {"command", u"touch /tmp/%1; for i in 1 2 3 4 5; do seq 1 40000; sleep 0.1; done"_s.arg(started)
                            .toStdString()}});
        client.send((u"POST /v1/sandboxes/exec HTTP/1.1\r\n"_s + host + auth +
                     u"Content-Type: application/json\r\nContent-Length: %1\r\n\r\n"_s.arg(body.size()))
                        .toUtf8() +
                    body);
        if (!client.sent()) {
            *why = u"the request did not go out"_s;
            return false;
        }
        // Cut while the command still prints.
        const QString marker = m_fixture->server().dataDir() + u"/sandboxes/"_s + m_id + u"/tmp/"_s + started;
        if (!waitUntil([&] { return QFile::exists(marker); }, 10000)) {
            *why = u"the command did not start"_s;
            return false;
        }
    } else if (kind == u"zip download") {
        client.send((u"GET /v1/sandboxes/fs/archive?id=%1&path=/workspace/folder HTTP/1.1\r\n"_s.arg(m_id) +
                     host + auth + u"\r\n"_s)
                        .toUtf8());
        if (!client.receive(1 << 20)) {
            *why = QString::fromUtf8(client.head().left(200));
            return false;
        }
    } else if (kind == u"viewer socket") {
        if (!client.upgrade(u"/v1/viewer/socket?"_s + m_viewerToken, hostHeader(), {}) ||
            !client.receive(32 * 1024)) {
            *why = QString::fromUtf8(client.head().left(200));
            return false;
        }
    } else if (kind == u"cdp") {
        if (!client.upgrade(u"/v1/sandboxes/cdp?id="_s + m_browserId, hostHeader(),
                            m_fixture->server().apiKey())) {
            *why = QString::fromUtf8(client.head().left(200));
            return false;
        }
        client.sendText(R"({"id":1,"method":"Browser.getVersion"})");
        client.sendText(R"({"id":2,"method":"Target.getTargets"})");
        if (!client.receiveText("product")) {
            *why = QString::fromUtf8(client.head().left(300));
            return false;
        }
        client.sendText(R"({"id":3,"method":"Target.getTargets"})"); // an answer on its way when we vanish
    }
    client.reset();
    return true;
}

bool TestFaultDisconnect::settle(int baseline)
{
    return waitUntil(
        [&] {
            const auto sandbox = awaitJob(m_fixture->client().sandbox(m_id), 5000);
            const bool idle = sandbox && sandbox->ok() && sandbox->value().status == SandboxStatus::Ready;
            return idle && serverFds() <= baseline + kFdSlack;
        },
        20000);
}

void TestFaultDisconnect::vanishingClientsLeaveNothingBehind_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<bool>("needsBrowser");
    for (const char *kind : {"event stream", "download", "upload", "exec output", "zip download"})
        QTest::newRow(kind) << QString::fromLatin1(kind) << false;
    QTest::newRow("viewer socket") << u"viewer socket"_s << true;
    QTest::newRow("cdp") << u"cdp"_s << true;
}

void TestFaultDisconnect::vanishingClientsLeaveNothingBehind()
{
    QFETCH(QString, kind);
    QFETCH(bool, needsBrowser);
    if (needsBrowser && m_browserId.isEmpty())
        QSKIP("Chromium is not installed");

    // Warm up (the zip gets staged, caches fill), then take the baseline.
    QString why;
    for (int i = 0; i < 3; ++i)
        QVERIFY2(vanishOnce(kind, &why), qPrintable(why));
    const int fdsBefore = serverFds();
    QVERIFY(settle(fdsBefore));
    const int baseline = serverFds();
    const qint64 rssBefore = serverRssKb();

    // Meanwhile another client downloads the same big file from start to end.
    QBuffer sink;
    sink.open(QIODevice::WriteOnly);
    DownloadJob *observer = m_fixture->client().download(m_id, u"/workspace/folder/big.bin"_s, &sink);
    bool observerDone = false;
    bool observerOk = false;
    connect(observer, &DownloadJob::finished, this, [&](const auto &result) {
        observerDone = true;
        observerOk = result.ok();
    });
    const qsizetype eventsBefore = m_fixture->received().size();

    QElapsedTimer clock;
    clock.start();
    for (int i = 0; i < kRepetitions; ++i) {
        QVERIFY2(vanishOnce(kind, &why), qPrintable(u"repetition %1: %2"_s.arg(i).arg(why)));
        if (i % 10 == 9) {
            AWAIT_OK(health, m_fixture->client().health());
            QCOMPARE(health.status, u"ok"_s);
        }
    }
    const qint64 loopMs = clock.elapsed();
    QVERIFY(settle(baseline));
    const int fdsAfter = serverFds();
    const qint64 rssAfter = serverRssKb();
    qInfo().noquote() << u"%1: %2 clients cut in %3 ms; server fds %4 -> %5, VmRSS %6 -> %7 KiB (%8%9 KiB)"_s
                             .arg(kind)
                             .arg(kRepetitions)
                             .arg(loopMs)
                             .arg(baseline)
                             .arg(fdsAfter)
                             .arg(rssBefore)
                             .arg(rssAfter)
                             .arg(rssAfter >= rssBefore ? u"+"_s : QString())
                             .arg(rssAfter - rssBefore);

    // The server answers, leaked nothing, and grew by no more than a small bound.
    AWAIT_OK(health, m_fixture->client().health());
    QVERIFY2(fdsAfter <= baseline + kFdSlack,
             qPrintable(u"%1 -> %2 descriptors"_s.arg(baseline).arg(fdsAfter)));
    QVERIFY2(rssAfter - rssBefore < kRssGrowthLimitKb,
             qPrintable(u"VmRSS grew by %1 KiB"_s.arg(rssAfter - rssBefore)));
    QVERIFY(proc::filesNamed(m_fixture->workspaceOf(m_id), u".banata-upload-"_s).isEmpty());
    QVERIFY(!QFile::exists(m_fixture->workspaceOf(m_id) + u"/up/cut.bin"_s));

    // The other client's download went on to the last byte, and the event stream still delivers.
    QTRY_VERIFY_WITH_TIMEOUT(observerDone, 60000);
    QVERIFY(observerOk);
    QCOMPARE(QCryptographicHash::hash(sink.data(), QCryptographicHash::Sha256),
             QCryptographicHash::hash(m_big, QCryptographicHash::Sha256));
    QCOMPARE(m_fixture->events().state(), EventStream::State::Connected);
    FileWriteRequest write;
    write.id = m_id;
    write.path = u"/workspace/marker-"_s + QString(kind).replace(u' ', u'-');
    write.bytes = "x";
    AWAIT_OK(written, m_fixture->client().writeFile(write));
    QTRY_VERIFY_WITH_TIMEOUT(
        std::any_of(m_fixture->received().cbegin() + eventsBefore, m_fixture->received().cend(),
                    [&](const Event &e) {
                        return e.type == u"sandbox.files.changed" &&
                               QString::fromStdString(e.data.dump()).contains(write.path);
                    }),
        10000);
}

QTEST_GUILESS_MAIN(TestFaultDisconnect)
#include "test_fault_disconnect.moc"
