// SPDX-License-Identifier: MIT
// banata-local folder downloads, checksums and live file changes, end to end: a folder's zip holds
// exactly the tree (read back with libarchive), resumes with Range / If-Range across a server
// restart, and changes with the tree; checksums match the bytes; files written by a command inside
// the sandbox are announced on the event stream.
#include <archive.h>
#include <archive_entry.h>
#include <array>
#include <map>

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QNetworkReply>
#include <QSignalSpy>

#include "support/servertestbase.h"
#include "support/testdata.h"

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {

/// One answer of a GET made by hand, with its headers.
struct Fetched
{
    int status = 0;
    QByteArray body;
    QHash<QByteArray, QByteArray> headers; // lower-cased names
    Json json() const
    {
        auto parsed = parseJson(body);
        return parsed ? *parsed : Json();
    }
};

/// One entry of a zip as libarchive reads it back.
struct ZipEntry
{
    char type = '?'; // 'd', 'f' or 'l'
    QByteArray bytes;
    QString target;
};

std::map<QString, ZipEntry> readZip(const QByteArray &zip, QString *error)
{
    std::map<QString, ZipEntry> entries;
    struct archive *reader = archive_read_new();
    archive_read_support_format_zip(reader);
    if (archive_read_open_memory(reader, zip.constData(), size_t(zip.size())) != ARCHIVE_OK) {
        *error = QString::fromUtf8(archive_error_string(reader));
        archive_read_free(reader);
        return entries;
    }
    struct archive_entry *header = nullptr;
    int status = ARCHIVE_OK;
    while ((status = archive_read_next_header(reader, &header)) == ARCHIVE_OK) {
        ZipEntry entry;
        const mode_t type = archive_entry_filetype(header);
        entry.type = type == AE_IFDIR ? 'd' : type == AE_IFLNK ? 'l' : type == AE_IFREG ? 'f' : '?';
        if (entry.type == 'l')
            entry.target = QString::fromUtf8(archive_entry_symlink_utf8(header));
        std::array<char, 64 * 1024> buffer;
        la_ssize_t n = 0;
        while ((n = archive_read_data(reader, buffer.data(), buffer.size())) > 0)
            entry.bytes.append(buffer.data(), qsizetype(n));
        if (n < 0)
            *error = QString::fromUtf8(archive_error_string(reader));
        entries[QString::fromUtf8(archive_entry_pathname_utf8(header))] = entry;
    }
    if (status != ARCHIVE_EOF)
        *error = QString::fromUtf8(archive_error_string(reader));
    archive_read_free(reader);
    return entries;
}

QByteArray sha256(const QByteArray &bytes)
{
    return QCryptographicHash::hash(bytes, QCryptographicHash::Sha256);
}

QByteArray reprDigestOf(const QByteArray &bytes)
{
    return "sha-256=:"_ba + sha256(bytes).toBase64() + ':';
}

bool writeHostFile(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(path.section(u'/', 0, -2));
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

ExecRequest shell(const QString &id, const QString &command)
{
    ExecRequest request;
    request.id = id;
    request.command = command;
    return request;
}

} // namespace

class TestServerArchive : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        m_fixture = std::make_unique<ServerFixture>();
        QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
        m_id = m_fixture->createReady();
        QVERIFY2(!m_id.isEmpty(), qPrintable(m_fixture->errorString()));

        // The tree: a text file, a 3 MiB binary, an empty folder, a non-ASCII name, and links
        // (one leading outside the workspace: stored as a link, its target never read).
        const QString root = m_fixture->workspaceOf(m_id) + u"/proj"_s;
        m_big = randomBytes(3 << 20);
        QVERIFY(writeHostFile(root + u"/a.txt"_s, "hello\n"_ba));
        QVERIFY(writeHostFile(root + u"/sub/b.bin"_s, m_big));
        QVERIFY(writeHostFile(root + u"/ünï cødé ✓.txt"_s, "ü\n"_ba));
        QVERIFY(QDir().mkpath(root + u"/empty/nested-empty"_s));
        QVERIFY(QFile::link(u"/etc/passwd"_s, root + u"/outside"_s));
        QVERIFY(QFile::link(u"a.txt"_s, root + u"/inside"_s));
    }
    void cleanupTestCase() { m_fixture.reset(); }

    void healthListsTheExtensions()
    {
        const RawAnswer health = m_fixture->call("GET"_ba, u"/v1/health"_s);
        QCOMPARE(health.status, 200);
        const auto extensions = health.body.value("extensions", Json::array());
        for (const char *name : {"fs.archive", "fs.checksum", "fs.watch"})
            QVERIFY2(std::find(extensions.begin(), extensions.end(), name) != extensions.end(), name);
    }

    void archiveHoldsExactlyTheTree()
    {
        const Fetched zip = get(archiveUrl(u"/workspace/proj"_s));
        QCOMPARE(zip.status, 200);
        QCOMPARE(zip.headers.value("content-type"), "application/zip"_ba);
        QCOMPARE(zip.headers.value("accept-ranges"), "bytes"_ba);
        QCOMPARE(zip.headers.value("content-disposition"), "attachment; filename*=UTF-8''proj.zip"_ba);
        QCOMPARE(zip.headers.value("repr-digest"), reprDigestOf(zip.body));
        QVERIFY(!zip.headers.value("etag").isEmpty());

        QString error;
        const auto entries = readZip(zip.body, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QStringList names;
        for (const auto &[name, entry] : entries)
            names.append(name);
        const QStringList expected = {u"proj/"_s,
                                      u"proj/a.txt"_s,
                                      u"proj/empty/"_s,
                                      u"proj/empty/nested-empty/"_s,
                                      u"proj/inside"_s,
                                      u"proj/outside"_s,
                                      u"proj/sub/"_s,
                                      u"proj/sub/b.bin"_s,
                                      u"proj/ünï cødé ✓.txt"_s};
        QCOMPARE(names, expected);
        QCOMPARE(entries.at(u"proj/a.txt"_s).bytes, "hello\n"_ba);
        QCOMPARE(entries.at(u"proj/sub/b.bin"_s).type, 'f');
        QVERIFY(entries.at(u"proj/sub/b.bin"_s).bytes == m_big);
        QCOMPARE(entries.at(u"proj/ünï cødé ✓.txt"_s).bytes, "ü\n"_ba);
        QCOMPARE(entries.at(u"proj/empty/nested-empty/"_s).type, 'd');
        QCOMPARE(entries.at(u"proj/outside"_s).type, 'l');
        QCOMPARE(entries.at(u"proj/outside"_s).target, u"/etc/passwd"_s);
        QCOMPARE(entries.at(u"proj/inside"_s).type, 'l');
        QCOMPARE(entries.at(u"proj/inside"_s).target, u"a.txt"_s);

        // The same tree gives the same archive, ETag included.
        const Fetched again = get(archiveUrl(u"/workspace/proj"_s));
        QCOMPARE(again.status, 200);
        QCOMPARE(again.headers.value("etag"), zip.headers.value("etag"));
        QCOMPARE(sha256(again.body), sha256(zip.body));
        // And If-None-Match says so without a body.
        QCOMPARE(get(archiveUrl(u"/workspace/proj"_s), {{"If-None-Match", zip.headers.value("etag")}}).status,
                 304);
    }

    void archiveErrors_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        QTest::newRow("no path") << u"id=%1"_s << 400 << u"INVALID_REQUEST"_s;
        QTest::newRow("outside") << u"id=%1&path=/etc"_s << 403 << u"PATH_OUTSIDE_WORKSPACE"_s;
        QTest::newRow("through a link out")
            << u"id=%1&path=/workspace/proj/outside"_s << 403 << u"PATH_OUTSIDE_WORKSPACE"_s;
        QTest::newRow("missing") << u"id=%1&path=/workspace/nope"_s << 404 << u"FILE_NOT_FOUND"_s;
        QTest::newRow("a file") << u"id=%1&path=/workspace/proj/a.txt"_s << 409 << u"NOT_A_DIRECTORY"_s;
        QTest::newRow("no sandbox") << u"id=nosuchsandbox&path=/workspace"_s << 404 << QString();
    }
    void archiveErrors()
    {
        QFETCH(QString, query);
        QFETCH(int, status);
        QFETCH(QString, code);
        const Fetched answer =
            get(u"/v1/sandboxes/fs/archive?"_s + (query.contains(u"%1"_s) ? query.arg(m_id) : query));
        QCOMPARE(answer.status, status);
        if (!code.isEmpty())
            QCOMPARE(fromStd(answer.json().value("code", std::string())), code);
    }

    void checksumMatchesTheBytes()
    {
        const QString url = u"/v1/sandboxes/fs/checksum?id=%1&path=/workspace/proj/sub/b.bin"_s.arg(m_id);
        const Fetched first = get(url);
        QCOMPARE(first.status, 200);
        const Json body = first.json();
        QCOMPARE(fromStd(body.value("sha256", std::string())), QString::fromLatin1(sha256(m_big).toHex()));
        QCOMPARE(body.value("size", qint64(-1)), qint64(m_big.size()));
        QCOMPARE(fromStd(body.value("path", std::string())), u"/workspace/proj/sub/b.bin"_s);

        // The ETag is the download's, and a download of those bytes now carries the digest too.
        const Fetched download =
            get(u"/v1/sandboxes/fs/download?id=%1&path=/workspace/proj/sub/b.bin"_s.arg(m_id));
        QCOMPARE(download.status, 200);
        QCOMPARE(download.headers.value("etag"),
                 QByteArray::fromStdString(body.value("etag", std::string())));
        QCOMPARE(download.headers.value("repr-digest"), reprDigestOf(m_big));
        QVERIFY(get(url).json() == body); // from the cache now: the same answer

        const Fetched missing = get(u"/v1/sandboxes/fs/checksum?id=%1&path=/workspace/nope.bin"_s.arg(m_id));
        QCOMPARE(missing.status, 404);
        QCOMPARE(fromStd(missing.json().value("code", std::string())), u"FILE_NOT_FOUND"_s);
        QCOMPARE(get(u"/v1/sandboxes/fs/checksum?id=%1&path=/workspace/proj"_s.arg(m_id)).status, 409);
    }

    void filesWrittenInsideAreAnnounced()
    {
        AWAIT_OK(made, m_fixture->client().exec(shell(
                           m_id, u"sh -c 'mkdir -p /workspace/out && echo hi > /workspace/out/a.txt'"_s)));
        QCOMPARE(made.exitCode, 0);
        QTRY_VERIFY_WITH_TIMEOUT(sandboxChangeNamed(u"/workspace/out/a.txt"_s), 10000);

        // What the API writes itself is announced once, as "api", and upload temp files never.
        FileWriteRequest write;
        write.id = m_id;
        write.path = u"/workspace/api/written.txt"_s;
        write.bytes = "by the api"_ba;
        AWAIT_OK(written, m_fixture->client().writeFile(write));
        AWAIT_OK(marker, m_fixture->client().exec(shell(m_id, u"touch /workspace/out/marker"_s)));
        QTRY_VERIFY_WITH_TIMEOUT(sandboxChangeNamed(u"/workspace/out/marker"_s), 10000);
        QVERIFY(!sandboxChangeNamed(u"/workspace/api/written.txt"_s));
        for (const Event &event : m_fixture->received()) {
            if (event.type == u"sandbox.files.changed"_s)
                QVERIFY2(!dumpJson(event.data).contains(".banata-"), dumpJson(event.data).constData());
        }
    }

    void manyChangesAreFolded()
    {
        // 1500 files appear at once: a folder filled where the watcher does not look (a name like
        // the server's own temporary entries) is moved into view in one rename.
        AWAIT_OK(
            made,
            m_fixture->client().exec(shell(
                m_id,
                u"mkdir /workspace/.banata-stage-0123456789abcdef && cd "
                u"/workspace/.banata-stage-0123456789abcdef && "
                u"seq -f 'f%g' 1 1500 | xargs touch && mv /workspace/.banata-stage-0123456789abcdef /workspace/many"_s)));
        QCOMPARE(made.exitCode, 0);
        QTRY_VERIFY_WITH_TIMEOUT(
            std::any_of(m_fixture->received().cbegin(), m_fixture->received().cend(),
                        [](const Event &e) {
                            const Json paths = e.data.value("paths", Json::array());
                            return e.type == u"sandbox.files.changed"_s && e.data.value("truncated", false) &&
                                   std::find(paths.begin(), paths.end(), "/workspace/many") != paths.end();
                        }),
            10000);
        for (const Event &event : m_fixture->received()) {
            if (event.type == u"sandbox.files.changed"_s)
                QVERIFY(event.data.value("paths", Json::array()).size() <= 1000);
        }
    }

    void changedTreeGetsANewArchive()
    {
        const Fetched before = get(archiveUrl(u"/workspace/proj"_s));
        QCOMPARE(before.status, 200);
        QVERIFY(writeHostFile(m_fixture->workspaceOf(m_id) + u"/proj/sub/new.txt"_s, "new\n"_ba));

        // A resume with the old validator gets the whole new archive, never a splice.
        const Fetched after = get(archiveUrl(u"/workspace/proj"_s),
                                  {{"Range", "bytes=100-"_ba}, {"If-Range", before.headers.value("etag")}});
        QCOMPARE(after.status, 200);
        QVERIFY(after.headers.value("etag") != before.headers.value("etag"));
        QCOMPARE(after.headers.value("repr-digest"), reprDigestOf(after.body));
        QString error;
        const auto entries = readZip(after.body, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(entries.at(u"proj/sub/new.txt"_s).bytes, "new\n"_ba);
    }

    void concurrentRequestsShareOneArchiveThatEndsWithTheSandbox()
    {
        const QString other = m_fixture->createReady();
        QVERIFY2(!other.isEmpty(), qPrintable(m_fixture->errorString()));
        QVERIFY(writeHostFile(m_fixture->workspaceOf(other) + u"/docs/notes.md"_s, "# notes\n"_ba));

        QList<QNetworkReply *> replies;
        for (int i = 0; i < 3; ++i)
            replies.append(m_network.get(
                authorized(u"/v1/sandboxes/fs/archive?id=%1&path=/workspace/docs"_s.arg(other))));
        for (QNetworkReply *reply : std::as_const(replies)) {
            if (!reply->isFinished())
                QVERIFY(QSignalSpy(reply, &QNetworkReply::finished).wait(60000));
            QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
            QCOMPARE(reply->rawHeader("ETag"), replies.first()->rawHeader("ETag"));
            QCOMPARE(reply->rawHeader("Content-Disposition"), "attachment; filename*=UTF-8''docs.zip"_ba);
        }
        qDeleteAll(replies);
        const QString staged = m_fixture->server().dataDir() + u"/archives/"_s + other;
        QCOMPARE(QDir(staged).entryList({u"*.zip"_s}, QDir::Files).size(), 1);

        AWAIT_OK(killed, m_fixture->client().killSandbox(other));
        QTRY_VERIFY_WITH_TIMEOUT(!QDir(staged).exists(), 10000);
    }

    // Last: it restarts the server.
    void rangeResumesAcrossARestart()
    {
        const Fetched full = get(archiveUrl(u"/workspace/proj"_s));
        QCOMPARE(full.status, 200);
        const QByteArray etag = full.headers.value("etag");
        const qsizetype half = full.body.size() / 2;

        // The server dies mid-download; a new one on the same data serves the rest of the same zip.
        m_fixture->crash();
        QVERIFY2(m_fixture->restart(), qPrintable(m_fixture->errorString()));
        Fetched rest;
        QTRY_VERIFY_WITH_TIMEOUT(
            (rest = get(archiveUrl(u"/workspace/proj"_s),
                        {{"Range", "bytes=" + QByteArray::number(half) + '-'}, {"If-Range", etag}}))
                    .status == 206,
            20000);
        QCOMPARE(rest.headers.value("etag"), etag);
        QCOMPARE(rest.headers.value("content-range"), "bytes " + QByteArray::number(half) + '-' +
                                                          QByteArray::number(full.body.size() - 1) + '/' +
                                                          QByteArray::number(full.body.size()));
        const QByteArray joined = full.body.left(half) + rest.body;
        QCOMPARE(sha256(joined), sha256(full.body));
        QCOMPARE(rest.headers.value("repr-digest"), reprDigestOf(joined));
    }

private:
    QString archiveUrl(const QString &path) const
    {
        return u"/v1/sandboxes/fs/archive?id=%1&path=%2"_s.arg(
            m_id, QString::fromUtf8(QUrl::toPercentEncoding(path, "/")));
    }

    QNetworkRequest authorized(const QString &pathAndQuery) const
    {
        QNetworkRequest request(m_fixture->server().url().resolved(QUrl(pathAndQuery)));
        request.setRawHeader("Authorization", "Bearer " + m_fixture->server().apiKey().toUtf8());
        return request;
    }

    Fetched get(const QString &pathAndQuery, const QList<std::pair<QByteArray, QByteArray>> &headers = {})
    {
        QNetworkRequest request = authorized(pathAndQuery);
        for (const auto &[name, value] : headers)
            request.setRawHeader(name, value);
        QNetworkReply *reply = m_network.get(request);
        QSignalSpy finished(reply, &QNetworkReply::finished);
        finished.wait(60000);
        Fetched fetched;
        fetched.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        fetched.body = reply->readAll();
        for (const auto &[name, value] : reply->rawHeaderPairs())
            fetched.headers.insert(name.toLower(), value);
        reply->deleteLater();
        return fetched;
    }

    bool sandboxChangeNamed(const QString &path) const
    {
        return std::any_of(m_fixture->received().cbegin(), m_fixture->received().cend(),
                           [&](const Event &event) {
                               if (event.sandboxId != m_id || event.type != u"sandbox.files.changed"_s ||
                                   event.data.value("origin", std::string()) != "sandbox")
                                   return false;
                               const Json paths = event.data.value("paths", Json::array());
                               return std::find(paths.begin(), paths.end(), toStd(path)) != paths.end();
                           });
    }

    QNetworkAccessManager m_network;
    std::unique_ptr<ServerFixture> m_fixture;
    QString m_id;
    QByteArray m_big;
};

QTEST_GUILESS_MAIN(TestServerArchive)
#include "test_server_archive.moc"
