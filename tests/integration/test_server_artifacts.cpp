// SPDX-License-Identifier: MIT
// Artifacts end to end against a real banata-local: publish a workspace file, list newest first,
// a download URL that works without the API key (Range, ETag, Repr-Digest, file name), expired or
// tampered tokens refused, replacing a key, and artifacts outliving a checkpoint restore, the
// sandbox's end and a server restart. A sandbox token publishes for its own sandbox only.
#include <QBuffer>
#include <QCryptographicHash>
#include <QDateTime>
#include <QFileInfo>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QUrlQuery>

#include "core/artifact.h"
#include "core/client/artifactjobs.h"
#include "support/servertestbase.h"

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {
ExecRequest shell(const QString &id, const QString &command)
{
    ExecRequest request;
    request.id = id;
    request.command = command;
    return request;
}

QByteArray randomBytes(qsizetype size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        bytes[i] = char(QRandomGenerator::global()->bounded(256));
    return bytes;
}

QString sha256Hex(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

/// A plain HTTP GET as a browser or download manager sends it: no Authorization header.
struct Fetched
{
    int status = 0;
    QByteArray body;
    QList<QNetworkReply::RawHeaderPair> headers;

    QByteArray header(const QByteArray &name) const
    {
        for (const auto &[key, value] : headers) {
            if (key.compare(name, Qt::CaseInsensitive) == 0)
                return value;
        }
        return {};
    }
};

Fetched fetch(const QUrl &url, const QList<std::pair<QByteArray, QByteArray>> &headers = {})
{
    QNetworkAccessManager network;
    QNetworkRequest request(url);
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    QNetworkReply *reply = network.get(request);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    finished.wait(30000);
    Fetched out;
    out.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    out.body = reply->readAll();
    out.headers = reply->rawHeaderPairs();
    reply->deleteLater();
    return out;
}

/// The newest event of \a type for \a sandboxId, or an empty one.
Event lastEvent(const ServerFixture &fixture, const QString &sandboxId, const QString &type)
{
    const QList<Event> &events = fixture.received();
    for (auto it = events.crbegin(); it != events.crend(); ++it) {
        if (it->sandboxId == sandboxId && it->type == type)
            return *it;
    }
    return {};
}
} // namespace

class TestServerArtifacts : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        m_fixture = std::make_unique<ServerFixture>();
        QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
        CreateSandboxRequest create;
        create.capabilities = Capabilities{};
        create.capabilities->storage = StorageCapability{u"customer-a/job-42"_s};
        m_id = m_fixture->createReady(create);
        QVERIFY2(!m_id.isEmpty(), qPrintable(m_fixture->errorString()));
    }
    void cleanupTestCase() { m_fixture.reset(); }

    void healthListsArtifacts()
    {
        AWAIT_OK(health, m_fixture->client().health());
        QVERIFY(health.supports(u"artifacts"_s));
    }

    void publishKeepsAFileUnderThePrefixedKey()
    {
        m_report = randomBytes(300 * 1024);
        writeFile(u"/workspace/out/report.pdf"_s, m_report);
        AWAIT_OK(published, m_fixture->client().publishArtifact(publishRequest(u"out/report.pdf"_s)));
        QCOMPARE(published.key, u"customer-a/job-42/report.pdf"_s);
        QCOMPARE(published.sandboxId, m_id);
        QCOMPARE(published.name, u"report.pdf"_s);
        QCOMPARE(published.contentType, u"application/pdf"_s);
        QCOMPARE(published.sizeBytes, m_report.size());
        QCOMPARE(published.sha256, sha256Hex(m_report));
        QCOMPARE(published.sourcePath, std::optional<QString>(u"/workspace/out/report.pdf"_s));
        QCOMPARE(published.origin, u"api"_s);
        QVERIFY(published.createdAt > 0);
        QTRY_VERIFY_WITH_TIMEOUT(m_fixture->sawEvent(m_id, u"sandbox.artifacts.updated"_s), 5000);
        const Event event = lastEvent(*m_fixture, m_id, u"sandbox.artifacts.updated"_s);
        QVERIFY(event.data["action"] == "added");
        QVERIFY(event.data["artifact"]["key"] == "customer-a/job-42/report.pdf");

        // An explicit key is used as given; the list is newest first.
        writeFile(u"/workspace/notes.txt"_s, "first notes\n"_ba);
        PublishArtifactRequest withKey = publishRequest(u"/workspace/notes.txt"_s);
        withKey.key = u"handover/notes.txt"_s;
        AWAIT_OK(notes, m_fixture->client().publishArtifact(withKey));
        QCOMPARE(notes.key, u"handover/notes.txt"_s);
        QCOMPARE(notes.contentType, u"text/plain"_s);
        AWAIT_OK(listed, m_fixture->client().artifacts(m_id));
        QCOMPARE(listed.size(), 2);
        QCOMPARE(listed[0].key, u"handover/notes.txt"_s);
        QCOMPARE(listed[1], published);
    }

    void publishRefusesWhatIsNotAFile()
    {
        AWAIT_ERROR(m_fixture->client().publishArtifact(publishRequest(u"/workspace/missing.bin"_s)), 404,
                    "FILE_NOT_FOUND");
        AWAIT_ERROR(m_fixture->client().publishArtifact(publishRequest(u"/workspace/out"_s)), 409,
                    "IS_A_DIRECTORY");
        AWAIT_ERROR(m_fixture->client().publishArtifact(publishRequest(u"/etc/passwd"_s)), 403,
                    "PATH_OUTSIDE_WORKSPACE");
        PublishArtifactRequest unknown = publishRequest(u"notes.txt"_s);
        unknown.id = u"nosuchsandbox"_s;
        AWAIT_ERROR(m_fixture->client().publishArtifact(unknown), 404, "SANDBOX_NOT_FOUND");
        AWAIT_ERROR(m_fixture->client().artifactDownloadUrl(m_id, u"no/such/key"_s), 404,
                    "ARTIFACT_NOT_FOUND");
        AWAIT_ERROR(m_fixture->client().artifactDownloadUrl(m_id, u"handover/notes.txt"_s, 500), 400,
                    "INVALID_REQUEST");
    }

    void downloadUrlNeedsNoApiKey()
    {
        AWAIT_OK(link, m_fixture->client().artifactDownloadUrl(m_id, u"customer-a/job-42/report.pdf"_s));
        QCOMPARE(link.key, u"customer-a/job-42/report.pdf"_s);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        QVERIFY(link.expiresAt > now + 4 * 60'000 && link.expiresAt <= now + 5 * 60'000);
        const QUrl url(link.url);
        QCOMPARE(url.path(), u"/v1/artifacts/download"_s);
        QCOMPARE(url.port(), m_fixture->server().url().port());

        const Fetched whole = fetch(url);
        QCOMPARE(whole.status, 200);
        QCOMPARE(whole.body, m_report);
        QCOMPARE(whole.header("Content-Type"), "application/pdf"_ba);
        QVERIFY2(whole.header("Content-Disposition").contains("report.pdf"),
                 whole.header("Content-Disposition").constData());
        const QByteArray digest = QCryptographicHash::hash(m_report, QCryptographicHash::Sha256).toBase64();
        QCOMPARE(whole.header("Repr-Digest"), "sha-256=:" + digest + ":");
        const QByteArray etag = whole.header("ETag");
        QVERIFY(!etag.isEmpty());

        // A resumed download: the rest of the file from an offset, only while it is unchanged.
        const Fetched tail = fetch(url, {{"Range", "bytes=1000-"}, {"If-Range", etag}});
        QCOMPARE(tail.status, 206);
        QCOMPARE(tail.body, m_report.mid(1000));
        QCOMPARE(tail.header("Content-Range"), "bytes 1000-" + QByteArray::number(m_report.size() - 1) + '/' +
                                                   QByteArray::number(m_report.size()));
        const Fetched middle = fetch(url, {{"Range", "bytes=100-199"}});
        QCOMPARE(middle.status, 206);
        QCOMPARE(middle.body, m_report.mid(100, 100));

        // The client's download path: absolute URL, no API key sent.
        QBuffer sink;
        sink.open(QIODevice::WriteOnly);
        AWAIT_OK(downloaded, m_fixture->client().downloadUrl(url, &sink));
        QCOMPARE(sink.data(), m_report);
    }

    void badTokensAreRefused()
    {
        AWAIT_OK(link, m_fixture->client().artifactDownloadUrl(m_id, u"customer-a/job-42/report.pdf"_s));
        const QUrl url(link.url);
        const QString token = QUrlQuery(url).queryItemValue(u"token"_s, QUrl::FullyDecoded);
        QVERIFY(!token.isEmpty());

        const auto refusedWith = [&](const QString &forged) {
            QUrl changed = url;
            QUrlQuery query;
            query.addQueryItem(u"token"_s, forged);
            changed.setQuery(query);
            return fetch(changed);
        };
        QString tampered = token;
        tampered[tampered.size() - 2] = tampered[tampered.size() - 2] == u'A' ? u'B' : u'A';
        const QString otherKey = // another key of the same sandbox with the same signature
            token.section(u'.', 0, 0) + u".aGFuZG92ZXIvbm90ZXMudHh0."_s + token.section(u'.', 2);
        for (const QString &forged : {tampered, QString(), u"garbage"_s, otherKey}) {
            const Fetched refused = refusedWith(forged);
            QCOMPARE(refused.status, 401);
            const auto body = parseJson(refused.body);
            QVERIFY(body && body->is_object());
            QVERIFY((*body)["code"] == "UNAUTHORIZED");
            QVERIFY((*body)["error"].is_string());
        }

        // Expiry: a one-second link stops working (polling, not sleeping).
        AWAIT_OK(shortLived,
                 m_fixture->client().artifactDownloadUrl(m_id, u"customer-a/job-42/report.pdf"_s, 1000));
        QCOMPARE(fetch(QUrl(shortLived.url)).status, 200);
        QTRY_COMPARE_WITH_TIMEOUT(fetch(QUrl(shortLived.url)).status, 401, 10000);
        // The API key is not a way in either: the route only reads its token.
        const RawAnswer withKey = m_fixture->call("GET"_ba, u"/v1/artifacts/download"_s);
        QCOMPARE(withKey.status, 401);
    }

    void sameKeyReplacesTheContent()
    {
        AWAIT_OK(before, m_fixture->client().artifacts(m_id));
        const QByteArray updated = "second notes, longer than the first\n"_ba;
        writeFile(u"/workspace/notes.txt"_s, updated);
        PublishArtifactRequest again = publishRequest(u"notes.txt"_s);
        again.key = u"handover/notes.txt"_s;
        AWAIT_OK(replaced, m_fixture->client().publishArtifact(again));
        QCOMPARE(replaced.sha256, sha256Hex(updated));
        QCOMPARE(replaced.sizeBytes, updated.size());
        QVERIFY(replaced.createdAt > before[0].createdAt);
        QTRY_VERIFY_WITH_TIMEOUT(
            lastEvent(*m_fixture, m_id, u"sandbox.artifacts.updated"_s).data.value("action", "") ==
                "replaced",
            5000);

        AWAIT_OK(after, m_fixture->client().artifacts(m_id));
        QCOMPARE(after.size(), before.size());
        QCOMPARE(after[0], replaced);
        AWAIT_OK(link, m_fixture->client().artifactDownloadUrl(m_id, u"handover/notes.txt"_s));
        QCOMPARE(fetch(QUrl(link.url)).body, updated);
    }

    void survivesACheckpointRestore()
    {
        AWAIT_OK(checkpoint, m_fixture->client().createCheckpoint(m_id, u"before the chart"_s));
        const QByteArray chart = randomBytes(4096);
        writeFile(u"/workspace/chart.png"_s, chart);
        AWAIT_OK(published, m_fixture->client().publishArtifact(publishRequest(u"chart.png"_s)));
        QCOMPARE(published.contentType, u"image/png"_s);
        AWAIT_OK(restored, m_fixture->client().restoreCheckpoint(m_id, checkpoint.id));

        // The workspace went back to before the file existed; the artifact did not.
        AWAIT_ERROR(m_fixture->client().readFile(m_id, u"chart.png"_s), 404, "FILE_NOT_FOUND");
        AWAIT_OK(listed, m_fixture->client().artifacts(m_id));
        QCOMPARE(listed[0], published);
        AWAIT_OK(link, m_fixture->client().artifactDownloadUrl(m_id, published.key));
        QCOMPARE(fetch(QUrl(link.url)).body, chart);
    }

    void sandboxTokenPublishesForItsOwnSandboxOnly()
    {
        const QString other = m_fixture->createReady();
        QVERIFY(!other.isEmpty());
        AWAIT_OK(echoed,
                 m_fixture->client().exec(shell(m_id, u"printf 'agent output' > /workspace/agent.txt; "
                                                      u"printf %s \"$BANATA_SANDBOX_TOKEN\""_s)));
        const QString token = echoed.stdoutText;
        QVERIFY2(token.startsWith(u"bst_"_s), qPrintable(token));
        QNetworkAccessManager network;
        ApiClient inside(&network, m_fixture->server().url(), token);

        // The id goes in the query (the guard reads it before the body); the body may omit it.
        AWAIT_OK(own, inside.send<ArtifactJob>(ApiRequest::post(u"/v1/sandboxes/artifacts"_s,
                                                                Json{{"path", "/workspace/agent.txt"}})
                                                   .query(u"id"_s, m_id)));
        QCOMPARE(own.key, u"customer-a/job-42/agent.txt"_s);
        AWAIT_OK(ownList, inside.send<ArtifactListJob>(
                              ApiRequest::get(u"/v1/sandboxes/artifacts"_s).query(u"id"_s, m_id)));
        QCOMPARE(ownList[0], own);
        AWAIT_OK(ownLink, inside.artifactDownloadUrl(m_id, own.key));
        QCOMPARE(fetch(QUrl(ownLink.url)).body, "agent output"_ba);

        // Another sandbox: refused by the guard, or (query and body disagreeing) by the route.
        AWAIT_ERROR(inside.artifacts(other), 403, "PERMISSION_DENIED");
        AWAIT_ERROR(inside.send<ArtifactJob>(ApiRequest::post(u"/v1/sandboxes/artifacts"_s,
                                                              Json{{"id", toStd(other)}, {"path", "x"}})
                                                 .query(u"id"_s, other)),
                    403, "PERMISSION_DENIED");
        AWAIT_ERROR(
            inside.send<ArtifactJob>(ApiRequest::post(u"/v1/sandboxes/artifacts"_s,
                                                      Json{{"id", toStd(other)}, {"path", "agent.txt"}})
                                         .query(u"id"_s, m_id)),
            400, "INVALID_REQUEST");
        // Without ?id= the guard cannot tell whose it is.
        AWAIT_ERROR(inside.publishArtifact(publishRequest(u"agent.txt"_s)), 403, "PERMISSION_DENIED");
        AWAIT_OK(othersList, m_fixture->client().artifacts(other));
        QVERIFY(othersList.isEmpty());
    }

    void outlivesTheSandboxAndARestart()
    {
        AWAIT_OK(before, m_fixture->client().artifacts(m_id));
        AWAIT_OK(killed, m_fixture->client().killSandbox(m_id));
        QTRY_VERIFY_WITH_TIMEOUT(m_fixture->sawEvent(m_id, u"sandbox.ended"_s), 30000);
        // Ephemeral: its files are gone, its artifacts are not.
        QTRY_VERIFY_WITH_TIMEOUT(!QFileInfo::exists(m_fixture->workspaceOf(m_id)), 30000);
        AWAIT_OK(afterKill, m_fixture->client().artifacts(m_id));
        QCOMPARE(afterKill, before);
        AWAIT_OK(link, m_fixture->client().artifactDownloadUrl(m_id, u"customer-a/job-42/report.pdf"_s));
        QCOMPARE(fetch(QUrl(link.url)).body, m_report);
        AWAIT_ERROR(m_fixture->client().publishArtifact(publishRequest(u"notes.txt"_s)), 409,
                    "SANDBOX_ENDED");

        m_fixture->crash();
        QVERIFY2(m_fixture->restart(), qPrintable(m_fixture->errorString()));
        AWAIT_OK(afterRestart, m_fixture->client().artifacts(m_id));
        QCOMPARE(afterRestart, before);
        // Links die with the server that signed them (the new one listens on another port here); a
        // new one works.
        QUrl old(link.url);
        old.setPort(m_fixture->server().url().port());
        QCOMPARE(fetch(old).status, 401);
        AWAIT_OK(fresh, m_fixture->client().artifactDownloadUrl(m_id, u"customer-a/job-42/report.pdf"_s));
        const Fetched again = fetch(QUrl(fresh.url));
        QCOMPARE(again.status, 200);
        QCOMPARE(again.body, m_report);
        AWAIT_OK(notes, m_fixture->client().artifactDownloadUrl(m_id, u"handover/notes.txt"_s));
        QCOMPARE(fetch(QUrl(notes.url)).body, "second notes, longer than the first\n"_ba);
    }

private:
    PublishArtifactRequest publishRequest(const QString &path) const
    {
        PublishArtifactRequest request;
        request.id = m_id;
        request.path = path;
        return request;
    }

    void writeFile(const QString &path, const QByteArray &bytes)
    {
        FileWriteRequest write;
        write.id = m_id;
        write.path = path;
        write.bytes = bytes;
        auto written = awaitJob(m_fixture->client().writeFile(write));
        QVERIFY(written && written->ok());
    }

    std::unique_ptr<ServerFixture> m_fixture;
    QString m_id;
    QByteArray m_report;
};

QTEST_GUILESS_MAIN(TestServerArtifacts)
#include "test_server_artifacts.moc"
