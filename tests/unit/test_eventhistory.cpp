// SPDX-License-Identifier: MIT
// A sandbox's event history in the store: newest first, paged with `before`, only that sandbox's
// events, read through the events_sandbox index (also on a database made before the index).
#include "server/store/store.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace banata;
using namespace banata::server;
using namespace Qt::StringLiterals;

namespace {
QList<qint64> seqs(const QList<Event> &events)
{
    QList<qint64> out;
    for (const Event &e : events)
        out.append(e.seq);
    return out;
}

Event makeEvent(const QString &type, const QString &sandboxId)
{
    return Event{0, type, sandboxId, 1772078705353, Json{{"status", "ready"}}};
}
} // namespace

class TestEventHistory : public QObject
{
    Q_OBJECT

private slots:
    void newestFirstPagedAndPerSandbox()
    {
        QTemporaryDir dir;
        Store store;
        QVERIFY(!store.open(dir.filePath(u"banata.db"_s)));
        // Interleaved: a (1), b (2), a (3), server-wide (4), a (5), b (6), a (7).
        const QStringList owners = {u"a"_s, u"b"_s, u"a"_s, QString(), u"a"_s, u"b"_s, u"a"_s};
        for (const QString &owner : owners) {
            Event e = makeEvent(u"sandbox.ready"_s, owner);
            QVERIFY(store.appendEvent(e));
        }

        QCOMPARE(seqs(store.sandboxEventsBefore(u"a"_s, std::nullopt, 100)), (QList<qint64>{7, 5, 3, 1}));
        QCOMPARE(seqs(store.sandboxEventsBefore(u"a"_s, std::nullopt, 2)), (QList<qint64>{7, 5}));
        QCOMPARE(seqs(store.sandboxEventsBefore(u"a"_s, 5, 2)), (QList<qint64>{3, 1}));
        QCOMPARE(seqs(store.sandboxEventsBefore(u"a"_s, 1, 2)), QList<qint64>{});
        QCOMPARE(seqs(store.sandboxEventsBefore(u"b"_s, std::nullopt, 100)), (QList<qint64>{6, 2}));
        QCOMPARE(seqs(store.sandboxEventsBefore(u"nobody"_s, std::nullopt, 100)), QList<qint64>{});

        const QList<Event> newest = store.sandboxEventsBefore(u"b"_s, std::nullopt, 1);
        QCOMPARE(newest.first().sandboxId, u"b"_s);
        QCOMPARE(newest.first().type, u"sandbox.ready"_s);
        QCOMPARE(newest.first().timestamp, 1772078705353);
        QVERIFY(newest.first().data == (Json{{"status", "ready"}}));

        // Pruning keeps the newest events overall; the history only shows what is retained.
        store.pruneEvents(3);
        QCOMPARE(seqs(store.sandboxEventsBefore(u"a"_s, std::nullopt, 100)), (QList<qint64>{7, 5}));
    }

    void historyUsesTheSandboxIndex()
    {
        QTemporaryDir dir;
        Store store;
        QVERIFY(!store.open(dir.filePath(u"banata.db"_s)));
        QSqlQuery plan(store.database());
        QVERIFY(plan.exec(u"EXPLAIN QUERY PLAN SELECT seq, type, sandbox_id, timestamp, data FROM events"
                          " WHERE sandbox_id = 'a' AND seq < 10 ORDER BY seq DESC LIMIT 5"_s));
        QString detail;
        while (plan.next())
            detail += plan.value(3).toString() + u'\n';
        QVERIFY2(detail.contains(u"events_sandbox"_s), qPrintable(detail));
        QVERIFY2(!detail.contains(u"TEMP B-TREE"_s), qPrintable(detail)); // no sort step
    }

    void olderDatabaseGainsTheIndex()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"banata.db"_s);
        {
            Store store;
            QVERIFY(!store.open(path));
            Event e = makeEvent(u"sandbox.created"_s, u"a"_s);
            QVERIFY(store.appendEvent(e));
            // As a banata-local from before the history route left it.
            QSqlQuery drop(store.database());
            QVERIFY(drop.exec(u"DROP INDEX events_sandbox"_s));
        }
        Store reopened;
        QVERIFY(!reopened.open(path));
        QSqlQuery index(reopened.database());
        QVERIFY(index.exec(u"SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'events_sandbox'"_s));
        QVERIFY(index.next());
        QCOMPARE(seqs(reopened.sandboxEventsBefore(u"a"_s, std::nullopt, 10)), QList<qint64>{1});
    }
};

QTEST_GUILESS_MAIN(TestEventHistory)
#include "test_eventhistory.moc"
