// SPDX-License-Identifier: MIT
// The Checkpoints tab's session against a real banata-local: create with a label, the list with
// time and size (kept current by events), restore with an automatic checkpoint first so the
// workspace comes back byte for byte and the state before is kept, and every action in the
// operator's journal and the sandbox's timeline.
#include <QAbstractItemModelTester>
#include <QBuffer>
#include <QRandomGenerator>
#include <QSignalSpy>

#include "models/operatorjournal.h"
#include "session/checkpointssession.h"
#include "session/connection.h"
#include "session/sandboxsession.h"
#include "support/servertestbase.h"

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {
constexpr int kWait = 20000;

QList<OperatorAction> actionsNamed(const QList<OperatorAction> &actions, const QString &name)
{
    QList<OperatorAction> out;
    for (const OperatorAction &action : actions) {
        if (action.action == name)
            out.append(action);
    }
    return out;
}
} // namespace

class TestCheckpointsSession : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<ServerFixture> m_fixture;
    QNetworkAccessManager m_network;
    std::unique_ptr<Connection> m_connection;
    OperatorJournal m_journal{QString()};
    std::unique_ptr<SandboxSession> m_sandbox;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
    QString m_id;
    QString m_firstId;
    QByteArray m_blob;

    CheckpointsSession *session() { return m_sandbox->checkpoints(); }

    void write(const QString &path, const QByteArray &bytes)
    {
        QBuffer source;
        source.setData(bytes);
        QVERIFY(source.open(QIODevice::ReadOnly));
        AWAIT_OK(written, m_fixture->client().upload(m_id, path, &source));
    }

    /// Every file under /workspace with its bytes, as the API serves them.
    QMap<QString, QByteArray> snapshot(const QString &folder = u"/workspace"_s)
    {
        QMap<QString, QByteArray> files;
        const auto listed = awaitJob(m_fixture->client().listFiles(m_id, folder));
        if (!listed || !listed->ok())
            return files;
        for (const FileEntry &entry : listed->value().entries) {
            if (entry.type == FileEntry::Type::Directory) {
                files.insert(entry.path + u'/', {});
                files.insert(snapshot(entry.path));
                continue;
            }
            QBuffer sink;
            sink.open(QIODevice::WriteOnly);
            const auto done = awaitJob(m_fixture->client().download(m_id, entry.path, &sink));
            files.insert(entry.path, done && done->ok() ? sink.data() : "<unreadable>"_ba);
        }
        return files;
    }

    QString waitForMessage(QSignalSpy &messages, bool *isError)
    {
        if (messages.isEmpty() && !messages.wait(kWait))
            return u"<no message>"_s;
        const QList<QVariant> last = messages.takeFirst();
        *isError = last.at(1).toBool();
        return last.at(0).toString();
    }

private slots:
    void initTestCase()
    {
        m_fixture = std::make_unique<ServerFixture>();
        QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
        m_id = m_fixture->createReady();
        QVERIFY2(!m_id.isEmpty(), qPrintable(m_fixture->errorString()));
        m_blob = QByteArray(256 * 1024, Qt::Uninitialized);
        QRandomGenerator generator(7);
        for (char &c : m_blob)
            c = char(generator.bounded(256));
        write(u"/workspace/a.txt"_s, "version one\n"_ba);
        write(u"/workspace/dir/b.bin"_s, m_blob);

        m_connection =
            std::make_unique<Connection>(ConnectionConfig{u"local"_s, u"Local"_s, m_fixture->server().url(),
                                                          ConnectionConfig::Kind::Local},
                                         &m_network);
        m_connection->start(m_fixture->server().apiKey());
        QTRY_COMPARE_WITH_TIMEOUT(m_connection->status(), Connection::Status::Online, kWait);
        m_sandbox = std::make_unique<SandboxSession>(m_connection.get(), m_id, &m_journal, u"ana"_s);
        m_tester = std::make_unique<QAbstractItemModelTester>(session()->model());
    }

    void cleanupTestCase()
    {
        m_tester.reset();
        m_sandbox.reset();
        m_connection.reset();
        m_fixture.reset();
    }

    void loadsWhenShown()
    {
        QSignalSpy loadError(session(), &CheckpointsSession::loadErrorChanged);
        session()->setActive(true);
        QVERIFY(loadError.wait(kWait));
        QCOMPARE(loadError.last().at(0).toString(), QString());
        QCOMPARE(session()->model()->rowCount(), 0);
    }

    void createsWithALabel()
    {
        QSignalSpy busy(session(), &CheckpointsSession::busyChanged);
        QSignalSpy messages(session(), &CheckpointsSession::message);
        session()->create(u"  before the change  "_s);
        QVERIFY(session()->isBusy());
        bool isError = true;
        const QString text = waitForMessage(messages, &isError);
        QVERIFY2(!isError, qPrintable(text));
        QVERIFY2(text.startsWith(u"Checkpoint “before the change” created ("_s), qPrintable(text));
        QVERIFY(!session()->isBusy());
        QCOMPARE(busy.count(), 2);

        CheckpointListModel *model = session()->model();
        QCOMPARE(model->rowCount(), 1);
        const Checkpoint created = *model->checkpointAt(0);
        m_firstId = created.id;
        QCOMPARE(created.label.value_or(QString()), u"before the change"_s);
        QVERIFY(created.sizeBytes >= m_blob.size());
        QVERIFY(created.fileCount >= 2);
        QVERIFY(!model->index(0, CheckpointListModel::SizeColumn).data().toString().isEmpty());
        QVERIFY(!model->index(0, CheckpointListModel::CreatedColumn).data().toString().isEmpty());

        const QList<OperatorAction> recorded =
            actionsNamed(m_journal.actionsFor(m_sandbox->key()), u"checkpoint"_s);
        QCOMPARE(recorded.size(), 1);
        QVERIFY(recorded.first().ok);
        QCOMPARE(recorded.first().detail, u"before the change"_s);
        QCOMPARE(recorded.first().operatorName, u"ana"_s);
    }

    void restoresWithACheckpointFirst()
    {
        const QMap<QString, QByteArray> before = snapshot();
        QVERIFY(before.contains(u"/workspace/dir/b.bin"_s));
        // The agent goes on working: a file changes, one goes, one appears.
        write(u"/workspace/a.txt"_s, "version two, longer\n"_ba);
        ExecRequest command;
        command.id = m_id;
        command.command = u"rm -rf /workspace/dir && echo new > /workspace/c.txt"_s;
        AWAIT_OK(removed, m_fixture->client().exec(command));
        QCOMPARE(removed.exitCode, 0);
        const QMap<QString, QByteArray> changed = snapshot();
        QVERIFY(changed != before);

        QSignalSpy messages(session(), &CheckpointsSession::message);
        session()->restore(m_firstId); // checkpoint first by default
        bool isError = true;
        const QString text = waitForMessage(messages, &isError);
        QVERIFY2(!isError, qPrintable(text));
        QCOMPARE(
            text,
            u"Restored “before the change” — the state before is kept as “Before restoring: before the change”"_s);

        QCOMPARE(snapshot(), before); // byte for byte, nothing more, nothing less
        CheckpointListModel *model = session()->model();
        QCOMPARE(model->rowCount(), 2);
        const Checkpoint saved = *model->checkpointAt(0); // newest first
        QCOMPARE(saved.label.value_or(QString()), u"Before restoring: before the change"_s);

        // The state before the restore is itself a checkpoint: restoring it brings it back.
        session()->restore(saved.id, false);
        const QString back = waitForMessage(messages, &isError);
        QVERIFY2(!isError, qPrintable(back));
        QCOMPARE(back, u"Restored “Before restoring: before the change”"_s);
        QCOMPARE(snapshot(), changed);
        QCOMPARE(model->rowCount(), 2); // no checkpoint was asked for this time

        const QList<OperatorAction> restores =
            actionsNamed(m_journal.actionsFor(m_sandbox->key()), u"checkpoint.restore"_s);
        QCOMPARE(restores.size(), 2);
        QVERIFY(restores.at(0).ok);
        QCOMPARE(restores.at(0).detail, u"before the change"_s);
        QVERIFY(restores.at(0).result.contains(u"Before restoring: before the change"_s));

        // On the timeline as the operator's actions, next to the server's events.
        TimelineModel *timeline = m_sandbox->timeline();
        QTRY_VERIFY_WITH_TIMEOUT(
            [timeline] {
                int operatorRestores = 0;
                int serverRestores = 0;
                for (int row = 0; row < timeline->rowCount(); ++row) {
                    const TimelineEntry &entry = timeline->entryAt(row);
                    operatorRestores += entry.what == u"checkpoint.restore" ? 1 : 0;
                    serverRestores += entry.what == u"sandbox.checkpoint.restored" ? 1 : 0;
                }
                return operatorRestores == 2 && serverRestores == 2;
            }(),
            kWait);
    }

    void failuresAreSaidAndRecorded()
    {
        QSignalSpy messages(session(), &CheckpointsSession::message);
        session()->restore(u"cp_does_not_exist"_s, false);
        bool isError = false;
        const QString text = waitForMessage(messages, &isError);
        QVERIFY(isError);
        QVERIFY2(text.startsWith(u"Could not restore “cp_does_not_exist”: "_s), qPrintable(text));
        const QList<OperatorAction> restores =
            actionsNamed(m_journal.actionsFor(m_sandbox->key()), u"checkpoint.restore"_s);
        QVERIFY(!restores.last().ok);
        QVERIFY(!session()->isBusy());
    }

    void checkpointsMadeElsewhereAppear()
    {
        AWAIT_OK(made, m_fixture->client().createCheckpoint(m_id, u"by the agent"_s));
        QTRY_VERIFY_WITH_TIMEOUT(session()->model()->rowOf(made.id) == 0, kWait);
        QCOMPARE(session()->model()->checkpointAt(0)->label.value_or(QString()), u"by the agent"_s);
    }
};

QTEST_GUILESS_MAIN(TestCheckpointsSession)
#include "test_checkpointssession.moc"
