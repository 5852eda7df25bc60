// SPDX-License-Identifier: MIT
// A full disk in the data directory: banata-local runs on a small tmpfs (tests/support/small-disk.sh,
// a private mount namespace, no privileges needed) and a process inside a sandbox fills it. Every
// request that would add data then gets 507 NO_SPACE with a message saying so, nothing already
// stored is lost or damaged, no partial file stays behind, the server keeps answering, and once
// space is freed everything works again without a restart.
#include <sys/statvfs.h>

#include <QBuffer>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>

#include "support/procinfo.h"
#include "support/servertestbase.h"
#include "support/testdata.h"

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {
constexpr auto kDiskSize = "48m";

ExecRequest shell(const QString &id, const QString &command)
{
    ExecRequest request;
    request.id = id;
    request.command = command;
    return request;
}

QByteArray sha256(const QByteArray &bytes)
{
    return QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex();
}

} // namespace

class TestFaultDisk : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void fullDiskRefusesNewDataWithNoSpace();
    void serverKeepsAnsweringWhileFull();
    void nothingStoredIsLostOrDamaged();
    void everythingWorksAgainOnceSpaceIsFreed();

private:
    QString view(const QString &relative) const { return m_fixture->server().dataView() + u'/' + relative; }
    qint64 freeBytes() const;
    /// Every file (not directory) under the data directory except the live database files.
    QSet<QString> dataFiles() const;
    /// A consistent copy of banata.db (with its WAL) that QtSql can open: SQLite resolves the
    /// /proc/<pid>/root link and would open the file of our own mount namespace instead.
    bool openDatabaseCopy(QSqlDatabase *db);
    void expectNoSpace(const RawAnswer &answer, const char *what);
    void expectKeptFilesIntact();

    std::unique_ptr<ServerFixture> m_fixture;
    QString m_id;        // the sandbox that fills the disk; holds files that must survive
    QString m_emptyId;   // a sandbox with an empty workspace: its checkpoint copy needs no space
    QString m_victimId;  // killed while the disk is full
    QString m_handoffId; // requested before, cancelled while the disk is full
    QByteArray m_keepBin;
    QByteArray m_keepText = "kept before the disk filled\n"_ba;
    QString m_checkpointBefore;
    QStringList m_acknowledged; // sandboxes the server answered 201 for
    std::unique_ptr<QTemporaryDir> m_dbCopies;
    int m_dbCopy = 0;
    bool m_documents = false; // LibreOffice is installed: conversions are tried too
};

qint64 TestFaultDisk::freeBytes() const
{
    struct statvfs info;
    if (::statvfs(QFile::encodeName(m_fixture->server().dataView()).constData(), &info) != 0)
        return -1;
    return qint64(info.f_bavail) * qint64(info.f_frsize);
}

QSet<QString> TestFaultDisk::dataFiles() const
{
    QSet<QString> files;
    const QString root = m_fixture->server().dataView();
    QDirIterator it(root, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next().mid(root.size());
        // Directories are left out: an upload's new parent folders stay (empty) after a failure.
        if (!path.startsWith(u"/banata.db"_s) && !it.fileInfo().isDir())
            files.insert(path);
    }
    return files;
}

bool TestFaultDisk::openDatabaseCopy(QSqlDatabase *db)
{
    const QString dir = m_dbCopies->path() + u"/copy"_s + QString::number(++m_dbCopy);
    QDir().mkpath(dir);
    for (const QString &name : {u"banata.db"_s, u"banata.db-wal"_s}) {
        if (QFile::exists(view(name)) && !QFile::copy(view(name), dir + u'/' + name))
            return false;
    }
    *db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"copy"_s + QString::number(m_dbCopy));
    db->setDatabaseName(dir + u"/banata.db"_s);
    return db->open();
}

void TestFaultDisk::expectNoSpace(const RawAnswer &answer, const char *what)
{
    const Json body = answer.body.is_object() ? answer.body : Json::object();
    const QString message = QString::fromStdString(body.value("error", std::string()));
    qInfo().noquote() << "full disk:" << what << "->" << answer.status
                      << QString::fromUtf8(answer.bytes.left(200));
    QVERIFY2(answer.status == 507, qPrintable(u"%1: %2 %3"_s.arg(QLatin1StringView(what))
                                                  .arg(answer.status)
                                                  .arg(QString::fromUtf8(answer.bytes.left(300)))));
    QCOMPARE(body.value("code", std::string()), "NO_SPACE");
    QVERIFY2(message.contains(u"space"_s, Qt::CaseInsensitive), qPrintable(message));
}

void TestFaultDisk::expectKeptFilesIntact()
{
    AWAIT_OK(text, m_fixture->client().readFile(m_id, u"/workspace/keep.txt"_s));
    QCOMPARE(text.bytes, m_keepText);
    QBuffer sink;
    sink.open(QIODevice::WriteOnly);
    auto downloaded = awaitJob(m_fixture->client().download(m_id, u"/workspace/keep.bin"_s, &sink));
    QVERIFY(downloaded && downloaded->ok());
    QCOMPARE(sha256(sink.data()), sha256(m_keepBin));
}

void TestFaultDisk::initTestCase()
{
    // Unprivileged user namespaces are what the wrapper needs (on by default in Debian 12).
    if (QProcess::execute(u"unshare"_s, {u"--user"_s, u"--map-root-user"_s, u"--mount"_s, u"true"_s}) != 0)
        QSKIP("unshare --user --mount is not allowed here (kernel.unprivileged_userns_clone=0?)");
    m_dbCopies = std::make_unique<QTemporaryDir>();
    m_fixture = std::make_unique<ServerFixture>();
    LocalServer &server = m_fixture->server();
    server.setWrapper(
        {QStringLiteral(BANATA_SMALL_DISK_SCRIPT), server.dataDir(), QLatin1StringView(kDiskSize)});
    QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
    const qint64 total = freeBytes();
    QVERIFY2(total > 0 && total <= 48ll << 20,
             qPrintable(u"the data directory is not the small disk: %1 bytes free"_s.arg(total)));

    AWAIT_OK(health, m_fixture->client().health());
    m_documents = health.extensions.contains(u"documents"_s);
    CreateSandboxRequest request;
    request.ephemeral = false;
    if (m_documents) {
        request.capabilities = Capabilities{};
        request.capabilities->documents = DocumentsCapability{};
    }
    m_id = m_fixture->createReady(request);
    request.capabilities.reset();
    QVERIFY2(!m_id.isEmpty(), qPrintable(m_fixture->errorString()));
    m_emptyId = m_fixture->createReady(request);
    QVERIFY2(!m_emptyId.isEmpty(), qPrintable(m_fixture->errorString()));
    m_victimId = m_fixture->createReady(request);
    QVERIFY2(!m_victimId.isEmpty(), qPrintable(m_fixture->errorString()));
    m_acknowledged = {m_id, m_emptyId, m_victimId};
    // A handoff that an operator ends while the disk is full.
    HandoffRequest handoff;
    handoff.id = m_emptyId;
    handoff.reason = u"approval"_s;
    handoff.message = u"approve?"_s;
    AWAIT_OK(requested, m_fixture->client().requestHandoff(handoff));
    m_handoffId = requested.handoff.requestId;

    FileWriteRequest write;
    write.id = m_id;
    write.path = u"/workspace/keep.txt"_s;
    write.bytes = m_keepText;
    AWAIT_OK(written, m_fixture->client().writeFile(write));
    m_keepBin = randomBytes(3 << 20, 7);
    QBuffer source(&m_keepBin);
    source.open(QIODevice::ReadOnly);
    AWAIT_OK(uploaded, m_fixture->client().upload(m_id, u"/workspace/keep.bin"_s, &source));
    QCOMPARE(uploaded.size, m_keepBin.size());
    AWAIT_OK(checkpoint, m_fixture->client().createCheckpoint(m_id, u"before"_s));
    m_checkpointBefore = checkpoint.id;
    // A Markdown file to convert while the disk is full (when LibreOffice is installed).
    write.path = u"/workspace/doc.md"_s;
    write.bytes = "# Report\n\nSome text.\n"_ba;
    AWAIT_OK(doc, m_fixture->client().writeFile(write));

    // A process inside the sandbox writes until the kernel says no.
    QElapsedTimer filling;
    filling.start();
    AWAIT_OK(filled, m_fixture->client().exec(shell(m_id, u"head -c 1G /dev/zero > /workspace/filler"_s)));
    QVERIFY2(filled.stderrText.contains(u"No space left"_s), qPrintable(filled.stderrText));
    qInfo() << "filled" << kDiskSize << "in" << filling.elapsed() << "ms; free now" << freeBytes() << "bytes";
    QVERIFY(freeBytes() < 64 * 1024);
}

void TestFaultDisk::cleanupTestCase()
{
    m_fixture.reset();
}

void TestFaultDisk::fullDiskRefusesNewDataWithNoSpace()
{
    const QSet<QString> before = dataFiles();
    const int listedBefore = [&] {
        auto listed = awaitJob(m_fixture->client().checkpoints(m_id));
        return listed && listed->ok() ? int(listed->value().size()) : -1;
    }();

    // A streamed upload: its temporary file is removed at once.
    const QByteArray big = randomBytes(4 << 20, 11);
    QBuffer source;
    source.setData(big);
    source.open(QIODevice::ReadOnly);
    auto upload = awaitJob(m_fixture->client().upload(m_id, u"/workspace/new/upload.bin"_s, &source));
    QVERIFY(upload && !upload->ok());
    QCOMPARE(upload->error().httpStatus, 507);
    QCOMPARE(upload->error().code, u"NO_SPACE"_s);
    QVERIFY2(upload->error().message.contains(u"space"_s, Qt::CaseInsensitive),
             qPrintable(upload->error().message));

    expectNoSpace(
        m_fixture->call("POST"_ba, u"/v1/sandboxes/fs/write"_s,
                        {{"id", m_id.toStdString()}, {"path", "/workspace/w.txt"}, {"content", "hello"}}),
        "fs/write");
    expectNoSpace(m_fixture->call("POST"_ba, u"/v1/sandboxes/checkpoints"_s,
                                  {{"id", m_id.toStdString()}, {"label", "while full"}}),
                  "checkpoint of a full workspace");
    // An empty workspace copies without a byte of data; only its record cannot be written.
    expectNoSpace(m_fixture->call("POST"_ba, u"/v1/sandboxes/checkpoints"_s,
                                  {{"id", m_emptyId.toStdString()}, {"label", "empty while full"}}),
                  "checkpoint of an empty workspace");
    expectNoSpace(m_fixture->call("POST"_ba, u"/v1/sandboxes"_s, Json::object()), "create");
    expectNoSpace(
        m_fixture->call("POST"_ba, u"/v1/sandboxes/handoff/request"_s,
                        {{"id", m_id.toStdString()}, {"reason", "approval"}, {"message", "approve?"}}),
        "handoff request");
    expectNoSpace(m_fixture->call("GET"_ba, u"/v1/sandboxes/fs/archive?id=%1&path=/workspace"_s.arg(m_id)),
                  "archive");
    expectNoSpace(m_fixture->call("POST"_ba, u"/v1/sandboxes/artifacts"_s,
                                  {{"id", m_id.toStdString()}, {"path", "/workspace/keep.txt"}}),
                  "artifact");
    if (m_documents) {
        const RawAnswer converted =
            m_fixture->call("POST"_ba, u"/v1/sandboxes/documents/convert"_s,
                            {{"id", m_id.toStdString()}, {"path", "/workspace/doc.md"}});
        expectNoSpace(converted, "document conversion");
    } else {
        qInfo() << "no LibreOffice here: conversion not tried";
    }

    // What happens to existing things is done, and said so, even if it cannot be saved yet.
    AWAIT_OK(killed, m_fixture->client().killSandbox(m_victimId));
    QVERIFY(killed.status == SandboxStatus::Ended);
    AWAIT_OK(cancelled, m_fixture->client().cancelHandoff(m_emptyId, u"not needed"_s));
    QVERIFY(cancelled.handoff.status == HandoffStatus::Cancelled);

    // Nothing half-made stays behind: no temp upload, no partial checkpoint, archive or artifact.
    const QSet<QString> after = dataFiles();
    QSet<QString> added = after - before;
    QVERIFY2(added.isEmpty(), qPrintable(QStringList(added.cbegin(), added.cend()).join(u", "_s)));
    QVERIFY(proc::filesNamed(m_fixture->server().dataView(), u".banata-upload-"_s).isEmpty());
    AWAIT_OK(listed, m_fixture->client().checkpoints(m_id));
    QCOMPARE(int(listed.size()), listedBefore);
    AWAIT_OK(sandboxes, m_fixture->client().listSandboxes());
    QCOMPARE(sandboxes.data.size(), m_acknowledged.size());
    AWAIT_OK(victim, m_fixture->client().sandbox(m_victimId));
    QVERIFY(victim.status == SandboxStatus::Ended);
    AWAIT_OK(handoff, m_fixture->client().activeHandoffs());
    QVERIFY(handoff.isEmpty());
}

void TestFaultDisk::serverKeepsAnsweringWhileFull()
{
    AWAIT_OK(health, m_fixture->client().health());
    QCOMPARE(health.status, u"ok"_s);
    AWAIT_OK(sandbox, m_fixture->client().sandbox(m_id));
    QVERIFY(sandbox.status == SandboxStatus::Ready || sandbox.status == SandboxStatus::Active);
    AWAIT_OK(listing, m_fixture->client().listFiles(m_id, u"/workspace"_s));
    QVERIFY(listing.entries.size() >= 3);
    expectKeptFilesIntact();
    // Commands run and their output comes back: it is kept in memory, not on the disk.
    AWAIT_OK(out, m_fixture->client().exec(
                      shell(m_id, u"echo out; seq 1 20000 | tail -1; df -k /workspace | tail -1"_s)));
    QCOMPARE(out.exitCode, 0);
    QVERIFY2(out.stdoutText.startsWith(u"out\n20000\n"_s), qPrintable(out.stdoutText));
    // A failure inside the sandbox is the command's own, reported as such.
    AWAIT_OK(failed, m_fixture->client().exec(shell(m_id, u"head -c 100000 /dev/zero > /tmp/more"_s)));
    QVERIFY(failed.exitCode != 0);
    QVERIFY2(failed.stderrText.contains(u"No space left"_s), qPrintable(failed.stderrText));
    AWAIT_OK(removed, m_fixture->client().exec(shell(m_id, u"rm -f /tmp/more"_s)));
}

void TestFaultDisk::nothingStoredIsLostOrDamaged()
{
    expectKeptFilesIntact();
    QSqlDatabase db;
    QVERIFY2(openDatabaseCopy(&db), qPrintable(db.lastError().text()));
    QSqlQuery query(db);
    QVERIFY(query.exec(u"PRAGMA integrity_check"_s) && query.next());
    QCOMPARE(query.value(0).toString(), u"ok"_s);
    QSet<QString> stored;
    QVERIFY(query.exec(u"SELECT id FROM sandboxes"_s));
    while (query.next())
        stored.insert(query.value(0).toString());
    for (const QString &id : std::as_const(m_acknowledged))
        QVERIFY2(stored.contains(id), qPrintable(id));
    QCOMPARE(stored.size(), m_acknowledged.size()); // and nothing that was refused
    QVERIFY(query.exec(u"SELECT id FROM checkpoints"_s));
    QStringList checkpoints;
    while (query.next())
        checkpoints.append(query.value(0).toString());
    QCOMPARE(checkpoints, QStringList{m_checkpointBefore});
    db.close();
}

void TestFaultDisk::everythingWorksAgainOnceSpaceIsFreed()
{
    QElapsedTimer recovery;
    recovery.start();
    const qint64 freedAt = QDateTime::currentMSecsSinceEpoch();
    AWAIT_OK(freed, m_fixture->client().exec(shell(m_id, u"rm /workspace/filler"_s)));
    QCOMPARE(freed.exitCode, 0);
    QVERIFY(freeBytes() > 40ll << 20);

    // What could not be saved while full is saved once it can be, with no request needed: a
    // restart now would neither bring the killed sandbox back nor reopen the handoff.
    QElapsedTimer catchUp;
    catchUp.start();
    QElapsedTimer sinceCheck;
    bool allSaved = false;
    const auto saved = [&] {
        if (allSaved || (sinceCheck.isValid() && sinceCheck.elapsed() < 250))
            return allSaved; // each look copies the database
        sinceCheck.start();
        QSqlDatabase db;
        if (!openDatabaseCopy(&db))
            return false;
        QSqlQuery query(db);
        const bool ended = query.exec(u"SELECT status FROM sandboxes WHERE id = '%1'"_s.arg(m_victimId)) &&
                           query.next() && query.value(0).toString() == u"ended";
        const bool handoffEnded =
            query.exec(u"SELECT body FROM handoffs WHERE request_id = '%1'"_s.arg(m_handoffId)) &&
            query.next() && query.value(0).toString().contains(u"\"cancelled\""_s);
        db.close();
        allSaved = ended && handoffEnded;
        return allSaved;
    };
    QVERIFY(waitUntil(saved, 15000));
    qInfo() << "records changed while full were saved" << catchUp.elapsed() << "ms after the space was freed";

    const QByteArray big = randomBytes(4 << 20, 13);
    QBuffer source;
    source.setData(big);
    source.open(QIODevice::ReadOnly);
    AWAIT_OK(uploaded, m_fixture->client().upload(m_id, u"/workspace/new/upload.bin"_s, &source));
    qInfo() << "first upload accepted" << recovery.elapsed() << "ms after the space was freed";
    QCOMPARE(uploaded.size, big.size());
    QBuffer sink;
    sink.open(QIODevice::WriteOnly);
    auto downloaded = awaitJob(m_fixture->client().download(m_id, u"/workspace/new/upload.bin"_s, &sink));
    QVERIFY(downloaded && downloaded->ok());
    QCOMPARE(sha256(sink.data()), sha256(big));

    const RawAnswer written =
        m_fixture->call("POST"_ba, u"/v1/sandboxes/fs/write"_s,
                        {{"id", m_id.toStdString()}, {"path", "/workspace/w.txt"}, {"content", "hello"}});
    QCOMPARE(written.status, 200);
    if (m_documents) {
        ConvertDocumentRequest convert;
        convert.id = m_id;
        convert.path = u"/workspace/doc.md"_s;
        AWAIT_OK(converted, m_fixture->client().convertDocument(convert));
        AWAIT_OK(pdf, m_fixture->client().readFile(m_id, u"/workspace/doc.pdf"_s));
        QVERIFY(pdf.bytes.startsWith("%PDF"));
    }
    AWAIT_OK(checkpoint, m_fixture->client().createCheckpoint(m_id, u"after"_s));
    AWAIT_OK(emptyCheckpoint, m_fixture->client().createCheckpoint(m_emptyId, u"after"_s));
    AWAIT_OK(restored, m_fixture->client().restoreCheckpoint(m_id, m_checkpointBefore));
    AWAIT_OK(gone, m_fixture->client().listFiles(m_id, u"/workspace"_s));
    QVERIFY(std::none_of(gone.entries.cbegin(), gone.entries.cend(),
                         [](const FileEntry &e) { return e.name == u"new"; }));
    expectKeptFilesIntact();

    const RawAnswer archive =
        m_fixture->call("GET"_ba, u"/v1/sandboxes/fs/archive?id=%1&path=/workspace"_s.arg(m_id));
    QCOMPARE(archive.status, 200);
    QVERIFY(archive.bytes.startsWith("PK"));
    const RawAnswer artifact = m_fixture->call("POST"_ba, u"/v1/sandboxes/artifacts"_s,
                                               {{"id", m_id.toStdString()}, {"path", "/workspace/keep.txt"}});
    QCOMPARE(artifact.status, 201);
    HandoffRequest handoff;
    handoff.id = m_id;
    handoff.reason = u"approval"_s;
    handoff.message = u"approve?"_s;
    AWAIT_OK(requested, m_fixture->client().requestHandoff(handoff));
    AWAIT_OK(cancelled, m_fixture->client().cancelHandoff(m_id));

    // A new sandbox, announced live on the event stream that was open through it all.
    const QString fresh = m_fixture->createReady();
    QVERIFY2(!fresh.isEmpty(), qPrintable(m_fixture->errorString()));
    m_acknowledged.append(fresh);
    AWAIT_OK(ran, m_fixture->client().exec(shell(fresh, u"true"_s)));
    qInfo() << "everything works again" << recovery.elapsed() << "ms after the space was freed (no restart)";

    QSqlDatabase db;
    QVERIFY2(openDatabaseCopy(&db), qPrintable(db.lastError().text()));
    QSqlQuery query(db);
    QVERIFY(query.exec(u"PRAGMA integrity_check"_s) && query.next());
    QCOMPARE(query.value(0).toString(), u"ok"_s);
    QVERIFY(query.exec(u"SELECT count(*) FROM sandboxes"_s) && query.next());
    QCOMPARE(query.value(0).toInt(), m_acknowledged.size());
    QVERIFY(query.exec(u"SELECT count(*) FROM checkpoints"_s) && query.next());
    QCOMPARE(query.value(0).toInt(), 3);
    // Every event stored since reached the stream that stayed open, under its own number: one
    // numbered like an event sent while the disk was full would be dropped as a duplicate.
    QVERIFY(query.exec(
        u"SELECT seq, type, timestamp FROM events WHERE timestamp >= %1 ORDER BY seq"_s.arg(freedAt)));
    QList<Event> stored;
    while (query.next())
        stored.append(Event{
            query.value(0).toLongLong(), query.value(1).toString(), {}, query.value(2).toLongLong(), {}});
    QVERIFY(stored.size() > 10);
    const auto receivedSeq = [this](qint64 seq) -> const Event * {
        for (const Event &e : m_fixture->received())
            if (e.seq == seq)
                return &e;
        return nullptr;
    };
    QTRY_VERIFY_WITH_TIMEOUT(receivedSeq(stored.constLast().seq), 5000);
    for (const Event &e : std::as_const(stored)) {
        const Event *seen = receivedSeq(e.seq);
        QVERIFY2(seen && seen->type == e.type && seen->timestamp == e.timestamp,
                 qPrintable(u"event %1 %2 was not delivered (the client has %3)"_s.arg(e.seq).arg(
                     e.type, seen ? seen->type : u"none"_s)));
    }
    db.close();
    QVERIFY(proc::filesNamed(m_fixture->server().dataView(), u".banata-upload-"_s).isEmpty());
}

QTEST_GUILESS_MAIN(TestFaultDisk)
#include "test_fault_disk.moc"
