// SPDX-License-Identifier: MIT
// The operator's journal: what they did survives a restart, and a crash mid-write (a torn last
// line) or a damaged file costs at most the damaged lines.
#include "models/operatorjournal.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace banata;
using namespace Qt::StringLiterals;

namespace {
OperatorAction makeAction(qint64 timestamp, const QString &sandboxId, const QString &action, bool ok = true)
{
    OperatorAction a;
    a.timestamp = timestamp;
    a.operatorName = u"ana"_s;
    a.key = {u"conn"_s, sandboxId};
    a.action = action;
    a.detail = u"detail with \"quotes\"\nand a line break"_s;
    a.ok = ok;
    a.result = ok ? u"done"_s : u"The sandbox is paused"_s;
    return a;
}
} // namespace

class TestOperatorJournal : public QObject
{
    Q_OBJECT

private slots:
    void persistsAcrossInstances()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"state/journal.jsonl"_s); // the folder is made on first write
        {
            OperatorJournal journal(path);
            QSignalSpy recorded(&journal, &OperatorJournal::recorded);
            journal.record(makeAction(100, u"sb_1"_s, u"pause"_s));
            journal.record(makeAction(200, u"sb_2"_s, u"kill"_s));
            journal.record(makeAction(300, u"sb_1"_s, u"exec"_s, false));
            QCOMPARE(recorded.count(), 3);
            QCOMPARE(journal.errorString(), QString());
        }
        OperatorJournal reopened(path);
        QCOMPARE(reopened.errorString(), QString());
        const QList<OperatorAction> sb1 = reopened.actionsFor({u"conn"_s, u"sb_1"_s});
        QCOMPARE(sb1.size(), 2);
        QCOMPARE(sb1[0], makeAction(100, u"sb_1"_s, u"pause"_s));
        QCOMPARE(sb1[1], makeAction(300, u"sb_1"_s, u"exec"_s, false));
        QCOMPARE(reopened.actionsFor({u"other"_s, u"sb_1"_s}).size(), 0);
        QCOMPARE(reopened.actionsFor({u"conn"_s, u"sb_2"_s}).size(), 1);
    }

    void tornLastLineIsSkipped()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"journal.jsonl"_s);
        {
            OperatorJournal journal(path);
            journal.record(makeAction(100, u"sb"_s, u"pause"_s));
            journal.record(makeAction(200, u"sb"_s, u"resume"_s));
        }
        // A crash while writing the third record.
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::Append));
            file.write("{\"timestamp\": 300, \"operator\": \"ana\", \"connectionId\": \"conn\", \"sandb");
        }
        {
            QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"unreadable line"_s));
            OperatorJournal journal(path);
            QCOMPARE(journal.actionsFor({u"conn"_s, u"sb"_s}).size(), 2);
            QVERIFY(journal.errorString().contains(u"skipped"_s));
            // Writing on starts a fresh line: the new record is not glued to the torn one.
            journal.record(makeAction(400, u"sb"_s, u"kill"_s));
        }
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"unreadable line"_s)); // the torn line stays
        OperatorJournal again(path);
        const auto actions = again.actionsFor({u"conn"_s, u"sb"_s});
        QCOMPARE(actions.size(), 3);
        QCOMPARE(actions.constLast().action, u"kill"_s);
    }

    void garbageLinesAreSkipped()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"journal.jsonl"_s);
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("not json at all\n");
            file.write("[1, 2, 3]\n");
            file.write("{\"timestamp\": \"yesterday\", \"action\": \"pause\"}\n");
            file.write("\n");
            file.write("{\"timestamp\": 5, \"operator\": \"bo\", \"connectionId\": \"conn\", \"sandboxId\": \"sb\", "
                       "\"action\": \"pause\", \"ok\": true, \"result\": \"paused\"}");
            file.write("\n\xff\xfe\x00garbage\n");
        }
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"4 unreadable lines"_s));
        OperatorJournal journal(path);
        const auto actions = journal.actionsFor({u"conn"_s, u"sb"_s});
        QCOMPARE(actions.size(), 1);
        QCOMPARE(actions[0].operatorName, u"bo"_s);
        QCOMPARE(actions[0].result, u"paused"_s);
        QVERIFY(journal.errorString().contains(u"4"_s));
    }

    void inMemoryWithoutPath()
    {
        OperatorJournal journal{QString()};
        journal.record(makeAction(1, u"sb"_s, u"pause"_s));
        QCOMPARE(journal.actionsFor({u"conn"_s, u"sb"_s}).size(), 1);
        QCOMPARE(journal.errorString(), QString());
    }

    void unwritablePathReportsError()
    {
        QTemporaryDir dir;
        // A directory where the file should be: it can be neither read as a journal nor written.
        const QString path = dir.filePath(u"journal.jsonl"_s);
        QVERIFY(QDir(dir.path()).mkdir(u"journal.jsonl"_s));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"Could not read"_s));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"Could not write"_s));
        OperatorJournal journal(path);
        journal.record(makeAction(1, u"sb"_s, u"pause"_s));
        QVERIFY(!journal.errorString().isEmpty());
        QCOMPARE(journal.actionsFor({u"conn"_s, u"sb"_s}).size(), 1); // still on this run's timeline
    }
};

QTEST_GUILESS_MAIN(TestOperatorJournal)
#include "test_operatorjournal.moc"
