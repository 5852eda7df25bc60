// SPDX-License-Identifier: MIT
// The main list: rows come, change and go the way views expect; a change repaints only what
// changed; counts add up; hostile values stay cheap.
#include "models/sandboxlistmodel.h"

#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QSignalSpy>
#include <QTest>

using namespace banata;
using namespace Qt::StringLiterals;

namespace {
constexpr qint64 kCreated = 1772078705353;

Sandbox makeSandbox(const QString &id, SandboxStatus status = SandboxStatus::Ready, const QString &name = {})
{
    Sandbox s;
    s.id = id;
    s.status = status;
    s.runtime = u"bun"_s;
    s.size = u"standard"_s;
    if (!name.isEmpty())
        s.name = name;
    s.createdAt = kCreated;
    s.updatedAt = kCreated;
    return s;
}

Handoff makeHandoff(HandoffStatus status, const QString &reason = u"mfa"_s)
{
    Handoff h;
    h.requestId = u"hr_1"_s;
    h.status = status;
    h.reason = reason;
    h.message = u"Enter the code"_s;
    h.requestedBy = u"agent"_s;
    h.requestedAt = kCreated;
    h.updatedAt = kCreated;
    return h;
}

QString text(const SandboxListModel &model, int row, int column, int role = Qt::DisplayRole)
{
    return model.index(row, column).data(role).toString();
}

/// One dataChanged, flattened for comparison.
struct Change
{
    int firstRow, lastRow, firstColumn, lastColumn;
    QList<int> roles;
};

QList<Change> changes(const QSignalSpy &spy)
{
    QList<Change> out;
    for (const QList<QVariant> &args : spy) {
        const auto tl = args.at(0).value<QModelIndex>();
        const auto br = args.at(1).value<QModelIndex>();
        auto roles = args.at(2).value<QList<int>>();
        std::sort(roles.begin(), roles.end());
        out.append({tl.row(), br.row(), tl.column(), br.column(), roles});
    }
    return out;
}

QList<int> sorted(QList<int> roles)
{
    std::sort(roles.begin(), roles.end());
    return roles;
}
} // namespace

class TestSandboxListModel : public QObject
{
    Q_OBJECT

private:
    SandboxListModel *m_model = nullptr;
    QAbstractItemModelTester *m_tester = nullptr;

private slots:
    void init()
    {
        m_model = new SandboxListModel(this);
        m_tester = new QAbstractItemModelTester(m_model, QAbstractItemModelTester::FailureReportingMode::QtTest, this);
    }

    void cleanup()
    {
        delete m_tester;
        delete m_model;
    }

    void insertUpdateRemove()
    {
        QSignalSpy inserted(m_model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(m_model, &QAbstractItemModel::rowsRemoved);
        m_model->setConnectionName(u"c1"_s, u"Local"_s);
        m_model->upsert(u"c1"_s, makeSandbox(u"sb_a"_s, SandboxStatus::Ready, u"Alpha"_s));
        m_model->upsert(u"c1"_s, makeSandbox(u"sb_b"_s, SandboxStatus::Paused));
        m_model->upsert(u"c2"_s, makeSandbox(u"sb_a"_s, SandboxStatus::Queued)); // same id, other server
        QCOMPARE(m_model->rowCount(), 3);
        QCOMPARE(inserted.count(), 3);

        QCOMPARE(text(*m_model, 0, SandboxListModel::NameColumn), u"Alpha"_s);
        QCOMPARE(text(*m_model, 1, SandboxListModel::NameColumn), u"sb_b"_s); // no name: the id
        QCOMPARE(text(*m_model, 0, SandboxListModel::StateColumn), u"Ready"_s);
        QCOMPARE(text(*m_model, 0, SandboxListModel::ConnectionColumn), u"Local"_s);
        QCOMPARE(text(*m_model, 2, SandboxListModel::ConnectionColumn), u"c2"_s); // unnamed: its id
        QCOMPARE(m_model->rowOf({u"c2"_s, u"sb_a"_s}), 2);
        QCOMPARE(m_model->keyAt(1), (SandboxKey{u"c1"_s, u"sb_b"_s}));
        QVERIFY(m_model->sandboxAt(1)->status == SandboxStatus::Paused);
        QCOMPARE(m_model->indexOf({u"c1"_s, u"sb_b"_s}, 2).data(SandboxListModel::KeyRole).value<SandboxKey>(),
                 (SandboxKey{u"c1"_s, u"sb_b"_s}));

        m_model->upsert(u"c1"_s, makeSandbox(u"sb_a"_s, SandboxStatus::Active, u"Alpha"_s));
        QCOMPARE(m_model->rowCount(), 3);
        QCOMPARE(text(*m_model, 0, SandboxListModel::StateColumn), u"Active"_s);

        m_model->remove({u"c1"_s, u"sb_a"_s});
        QCOMPARE(removed.count(), 1);
        QCOMPARE(m_model->rowCount(), 2);
        QCOMPARE(m_model->rowOf({u"c1"_s, u"sb_a"_s}), -1);
        QCOMPARE(m_model->rowOf({u"c1"_s, u"sb_b"_s}), 0);
        QCOMPARE(m_model->rowOf({u"c2"_s, u"sb_a"_s}), 1);
        m_model->remove({u"c1"_s, u"nope"_s}); // absent: nothing happens
        QCOMPARE(removed.count(), 1);
    }

    void updateSignalsExactlyWhatChanged()
    {
        m_model->upsert(u"c"_s, makeSandbox(u"sb"_s, SandboxStatus::Ready, u"One"_s));
        QSignalSpy spy(m_model, &QAbstractItemModel::dataChanged);

        // Ready → Paused: only the State cell; both states are settled, no reason.
        m_model->upsert(u"c"_s, makeSandbox(u"sb"_s, SandboxStatus::Paused, u"One"_s));
        auto got = changes(spy);
        QCOMPARE(got.size(), 1);
        QCOMPARE(got[0].firstColumn, int(SandboxListModel::StateColumn));
        QCOMPARE(got[0].lastColumn, int(SandboxListModel::StateColumn));
        QCOMPARE(got[0].firstRow, 0);
        QCOMPARE(got[0].lastRow, 0);
        QCOMPARE(got[0].roles, sorted({Qt::DisplayRole, SandboxListModel::SortRole, SandboxListModel::StatusRole}));
        spy.clear();

        // The same snapshot again: nothing.
        m_model->upsert(u"c"_s, makeSandbox(u"sb"_s, SandboxStatus::Paused, u"One"_s));
        QCOMPARE(spy.count(), 0);

        // A rename: the Name cell (text, tooltip, sort key, search text), nothing else.
        m_model->upsert(u"c"_s, makeSandbox(u"sb"_s, SandboxStatus::Paused, u"Two"_s));
        got = changes(spy);
        QCOMPARE(got.size(), 1);
        QCOMPARE(got[0].firstColumn, int(SandboxListModel::NameColumn));
        QCOMPARE(got[0].lastColumn, int(SandboxListModel::NameColumn));
        QCOMPARE(got[0].roles, sorted({Qt::DisplayRole, Qt::ToolTipRole, SandboxListModel::SortRole,
                                       SandboxListModel::SearchTextRole}));
        spy.clear();

        // Into a transitional state: the badge says it is in progress.
        m_model->upsert(u"c"_s, makeSandbox(u"sb"_s, SandboxStatus::Ending, u"Two"_s));
        got = changes(spy);
        QCOMPARE(got.size(), 1);
        QCOMPARE(got[0].firstColumn, int(SandboxListModel::StateColumn));
        QCOMPARE(got[0].roles, sorted({Qt::DisplayRole, Qt::ToolTipRole, SandboxListModel::SortRole,
                                       SandboxListModel::StatusRole, SandboxListModel::TransitionalRole}));
        QVERIFY(m_model->index(0, 0).data(SandboxListModel::TransitionalRole).toBool());
        spy.clear();

        // State and region at once: two cells, each with its own roles.
        Sandbox s = makeSandbox(u"sb"_s, SandboxStatus::Ended, u"Two"_s);
        s.region = u"eu-west"_s;
        m_model->upsert(u"c"_s, s);
        got = changes(spy);
        // The region is searchable, so the search text changed too (announced on Name).
        QCOMPARE(got.size(), 3);
        QCOMPARE(got[0].firstColumn, int(SandboxListModel::StateColumn));
        QCOMPARE(got[1].firstColumn, int(SandboxListModel::NameColumn));
        QCOMPARE(got[1].roles, QList<int>{SandboxListModel::SearchTextRole});
        QCOMPARE(got[2].firstColumn, int(SandboxListModel::RegionColumn));
        QCOMPARE(got[2].roles, sorted({Qt::DisplayRole, SandboxListModel::SortRole}));
        spy.clear();

        // A handoff: only the Handoff cell.
        m_model->setHandoff({u"c"_s, u"sb"_s}, makeHandoff(HandoffStatus::Pending));
        got = changes(spy);
        QCOMPARE(got.size(), 1);
        QCOMPARE(got[0].firstColumn, int(SandboxListModel::HandoffColumn));
        QCOMPARE(got[0].roles, sorted({Qt::DisplayRole, Qt::ToolTipRole, SandboxListModel::SortRole,
                                       SandboxListModel::NeedsYouRole, SandboxListModel::HandoffRole}));
    }

    void regionChangeAlsoUpdatesSearchText()
    {
        m_model->upsert(u"c"_s, makeSandbox(u"sb"_s));
        QSignalSpy spy(m_model, &QAbstractItemModel::dataChanged);
        Sandbox s = makeSandbox(u"sb"_s);
        s.region = u"EU-West"_s;
        m_model->upsert(u"c"_s, s);
        const auto got = changes(spy);
        QCOMPARE(got.size(), 2);
        QCOMPARE(got[0].firstColumn, int(SandboxListModel::NameColumn));
        QCOMPARE(got[0].roles, QList<int>{SandboxListModel::SearchTextRole});
        QCOMPARE(got[1].firstColumn, int(SandboxListModel::RegionColumn));
        QVERIFY(text(*m_model, 0, 0, SandboxListModel::SearchTextRole).contains(u"eu-west"_s));
    }

    void olderSnapshotIsIgnored()
    {
        Sandbox newer = makeSandbox(u"sb"_s, SandboxStatus::Paused);
        newer.updatedAt = kCreated + 5000;
        m_model->upsert(u"c"_s, newer);
        Sandbox older = makeSandbox(u"sb"_s, SandboxStatus::Ready);
        older.updatedAt = kCreated + 1000;
        m_model->upsert(u"c"_s, older);
        QCOMPARE(text(*m_model, 0, SandboxListModel::StateColumn), u"Paused"_s);
    }

    void stateTexts_data()
    {
        QTest::addColumn<SandboxStatus>("status");
        QTest::addColumn<QString>("shown");
        QTest::addColumn<bool>("transitional");
        QTest::newRow("queued") << SandboxStatus::Queued << u"Queued"_s << true;
        QTest::newRow("assigning") << SandboxStatus::Assigning << u"Assigning"_s << true;
        QTest::newRow("ready") << SandboxStatus::Ready << u"Ready"_s << false;
        QTest::newRow("active") << SandboxStatus::Active << u"Active"_s << false;
        QTest::newRow("pausing") << SandboxStatus::Pausing << u"Pausing…"_s << true;
        QTest::newRow("paused") << SandboxStatus::Paused << u"Paused"_s << false;
        QTest::newRow("ending") << SandboxStatus::Ending << u"Ending…"_s << true;
        QTest::newRow("ended") << SandboxStatus::Ended << u"Ended"_s << false;
        QTest::newRow("failed") << SandboxStatus::Failed << u"Failed"_s << false;
    }

    void stateTexts()
    {
        QFETCH(SandboxStatus, status);
        QFETCH(QString, shown);
        QFETCH(bool, transitional);
        m_model->upsert(u"c"_s, makeSandbox(u"sb"_s, status));
        const QModelIndex state = m_model->index(0, SandboxListModel::StateColumn);
        QCOMPARE(state.data().toString(), shown);
        QCOMPARE(state.data(SandboxListModel::TransitionalRole).toBool(), transitional);
        QCOMPARE(state.data(SandboxListModel::SortRole).toInt(), int(status));
        QCOMPARE(state.data(SandboxListModel::StatusRole).toInt(), int(status));
    }

    void tooltipsExplain()
    {
        Sandbox s = makeSandbox(u"sb_0123456789"_s, SandboxStatus::Failed, u"Build box"_s);
        s.statusReason = u"The sandbox process exited (code 137)"_s;
        m_model->upsert(u"c"_s, s);
        QCOMPARE(text(*m_model, 0, SandboxListModel::StateColumn, Qt::ToolTipRole),
                 u"Failed: The sandbox process exited (code 137)"_s);
        QCOMPARE(m_model->index(0, 3).data(SandboxListModel::StatusReasonRole).toString(), *s.statusReason);
        QVERIFY(text(*m_model, 0, SandboxListModel::NameColumn, Qt::ToolTipRole).contains(u"sb_0123456789"_s));
        QCOMPARE(text(*m_model, 0, SandboxListModel::IdColumn, Qt::ToolTipRole), u"sb_0123456789"_s);
    }

    void capabilitiesText()
    {
        Sandbox s = makeSandbox(u"sb"_s);
        Capabilities caps;
        caps.browser = BrowserCapability{};
        caps.agent = AgentCapability{};
        caps.documents = DocumentsCapability{};
        s.capabilities = caps;
        m_model->upsert(u"c"_s, s);
        QCOMPARE(text(*m_model, 0, SandboxListModel::CapabilitiesColumn), u"browser 1280×800, agent, documents"_s);

        caps.browser->viewport = Viewport{1920, 1080};
        caps.agent->enabled = false;
        caps.documents.reset();
        s.capabilities = caps;
        m_model->upsert(u"c"_s, s);
        QCOMPARE(text(*m_model, 0, SandboxListModel::CapabilitiesColumn), u"browser 1920×1080"_s);
    }

    void handoffColumnAndNeedsYou()
    {
        m_model->upsert(u"c"_s, makeSandbox(u"sb"_s));
        const SandboxKey key{u"c"_s, u"sb"_s};
        const QModelIndex cell = m_model->index(0, SandboxListModel::HandoffColumn);
        QCOMPARE(cell.data().toString(), QString());

        m_model->setHandoff(key, makeHandoff(HandoffStatus::Pending, u"mfa"_s));
        QCOMPARE(cell.data().toString(), u"Needs you: MFA"_s);
        QVERIFY(cell.data(SandboxListModel::NeedsYouRole).toBool());
        QCOMPARE(cell.data(SandboxListModel::HandoffRole).value<Handoff>().reason, u"mfa"_s);
        QCOMPARE(m_model->needsYouCount(), 1);

        Handoff accepted = makeHandoff(HandoffStatus::Accepted);
        accepted.controller = u"ana"_s;
        accepted.updatedAt = kCreated + 10;
        m_model->setHandoff(key, accepted);
        QCOMPARE(cell.data().toString(), u"Taken by ana"_s);
        QVERIFY(!cell.data(SandboxListModel::NeedsYouRole).toBool());
        QCOMPARE(m_model->needsYouCount(), 0);

        // An older handoff's end does not clear the one on now.
        Handoff oldOne = makeHandoff(HandoffStatus::Completed);
        oldOne.requestId = u"hr_0"_s;
        m_model->setHandoff(key, oldOne);
        QCOMPARE(cell.data().toString(), u"Taken by ana"_s);

        Handoff done = accepted;
        done.status = HandoffStatus::Completed;
        done.updatedAt = kCreated + 20;
        m_model->setHandoff(key, done);
        QCOMPARE(cell.data().toString(), QString());
        QVERIFY(!cell.data(SandboxListModel::HandoffRole).isValid());

        // A handoff for a sandbox not in the list is ignored.
        m_model->setHandoff({u"c"_s, u"other"_s}, makeHandoff(HandoffStatus::Pending));
        QCOMPARE(m_model->needsYouCount(), 0);
    }

    void currentTask()
    {
        m_model->upsert(u"c"_s, makeSandbox(u"sb"_s));
        const SandboxKey key{u"c"_s, u"sb"_s};
        AgentTask task;
        task.taskId = u"task_1"_s;
        task.status = TaskStatus::Running;
        task.prompt = u"Summarise the report\nand email it"_s;
        m_model->setCurrentTask(key, task);
        QCOMPARE(text(*m_model, 0, SandboxListModel::TaskColumn), u"Summarise the report…"_s);
        QCOMPARE(text(*m_model, 0, SandboxListModel::TaskColumn, Qt::ToolTipRole), task.prompt);
        task.status = TaskStatus::Completed;
        m_model->setCurrentTask(key, task);
        QCOMPARE(text(*m_model, 0, SandboxListModel::TaskColumn), QString());
        m_model->setCurrentTask(key, std::nullopt);
        QCOMPARE(text(*m_model, 0, SandboxListModel::TaskColumn), QString());
    }

    void ageColumn()
    {
        Sandbox s = makeSandbox(u"sb"_s);
        s.createdAt = QDateTime::currentMSecsSinceEpoch() - 5 * 60 * 1000 - 500;
        m_model->upsert(u"c"_s, s);
        QCOMPARE(text(*m_model, 0, SandboxListModel::AgeColumn), u"5 min"_s);
        QCOMPARE(m_model->index(0, SandboxListModel::AgeColumn).data(SandboxListModel::SortRole).toLongLong(), s.createdAt);
    }

    void countsAreCoalesced()
    {
        QSignalSpy spy(m_model, &SandboxListModel::countsChanged);
        m_model->upsert(u"c"_s, makeSandbox(u"a"_s, SandboxStatus::Ready));
        m_model->upsert(u"c"_s, makeSandbox(u"b"_s, SandboxStatus::Ready));
        m_model->upsert(u"c"_s, makeSandbox(u"c"_s, SandboxStatus::Paused));
        m_model->setHandoff({u"c"_s, u"c"_s}, makeHandoff(HandoffStatus::Pending));
        QCOMPARE(spy.count(), 0); // not yet: once per event-loop turn
        QTRY_COMPARE(spy.count(), 1);
        QCoreApplication::processEvents();
        QCOMPARE(spy.count(), 1);
        QCOMPARE(m_model->stateCounts()[size_t(SandboxStatus::Ready)], 2);
        QCOMPARE(m_model->stateCounts()[size_t(SandboxStatus::Paused)], 1);
        QCOMPARE(m_model->needsYouCount(), 1);

        // A change that leaves the counts alone does not announce them.
        m_model->upsert(u"c"_s, makeSandbox(u"a"_s, SandboxStatus::Ready, u"renamed"_s));
        QCoreApplication::processEvents();
        QCOMPARE(spy.count(), 1);

        m_model->remove({u"c"_s, u"c"_s});
        QTRY_COMPARE(spy.count(), 2);
        QCOMPARE(m_model->stateCounts()[size_t(SandboxStatus::Paused)], 0);
        QCOMPARE(m_model->needsYouCount(), 0);
    }

    void resetConnectionReplacesItsRows()
    {
        m_model->upsert(u"other"_s, makeSandbox(u"x"_s));
        QList<Sandbox> first;
        for (int i = 0; i < 10; ++i)
            first.append(makeSandbox(u"sb_%1"_s.arg(i)));
        m_model->resetConnection(u"c"_s, first);
        QCOMPARE(m_model->rowCount(), 11);

        // Two changed, one gone, one new: per-row changes, one removal, one insertion.
        QList<Sandbox> second = first;
        second[2].status = SandboxStatus::Paused;
        second[5].name = u"five"_s;
        second.removeAt(7);
        second.append(makeSandbox(u"sb_new"_s, SandboxStatus::Queued));
        QSignalSpy changed(m_model, &QAbstractItemModel::dataChanged);
        QSignalSpy inserted(m_model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(m_model, &QAbstractItemModel::rowsRemoved);
        m_model->resetConnection(u"c"_s, second);
        QCOMPARE(m_model->rowCount(), 11);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(changed.count(), 2);
        for (const Change &c : changes(changed)) {
            QCOMPARE(c.firstRow, c.lastRow);
            const SandboxKey key = m_model->keyAt(c.firstRow);
            QVERIFY(key.sandboxId == u"sb_2"_s || key.sandboxId == u"sb_5"_s);
        }
        QCOMPARE(m_model->rowOf({u"c"_s, u"sb_7"_s}), -1);
        QVERIFY(m_model->sandboxAt(m_model->rowOf({u"c"_s, u"sb_2"_s}))->status == SandboxStatus::Paused);
        QVERIFY(m_model->rowOf({u"c"_s, u"sb_new"_s}) >= 0);
        QCOMPARE(m_model->rowOf({u"other"_s, u"x"_s}), 0);

        // Most rows changed: one dataChanged over everything.
        for (Sandbox &s : second)
            s.status = SandboxStatus::Ended;
        changed.clear();
        m_model->resetConnection(u"c"_s, second);
        const auto got = changes(changed);
        QCOMPARE(got.size(), 1);
        QCOMPARE(got[0].firstRow, 0);
        QCOMPARE(got[0].lastRow, m_model->rowCount() - 1);
        QCOMPARE(got[0].firstColumn, 0);
        QCOMPARE(got[0].lastColumn, SandboxListModel::ColumnCount - 1);
        QCOMPARE(m_model->stateCounts()[size_t(SandboxStatus::Ended)], 10);

        // An empty list empties the connection and nothing else.
        m_model->resetConnection(u"c"_s, {});
        QCOMPARE(m_model->rowCount(), 1);
        QCOMPARE(m_model->keyAt(0), (SandboxKey{u"other"_s, u"x"_s}));
    }

    void removingInterleavedRowsKeepsIndexRight_data()
    {
        QTest::addColumn<int>("rows");
        QTest::newRow("few ranges") << 6;
        QTest::newRow("many ranges") << 400; // past the range limit: gathered by a layout change
    }

    void removingInterleavedRowsKeepsIndexRight()
    {
        QFETCH(int, rows);
        // Two connections whose sandboxes arrived alternately.
        for (int i = 0; i < rows; ++i)
            m_model->upsert(i % 2 ? u"b"_s : u"a"_s, makeSandbox(u"sb_%1"_s.arg(i)));
        const QPersistentModelIndex keep = m_model->index(rows - 1, SandboxListModel::NameColumn);
        QCOMPARE(keep.data(SandboxListModel::ConnectionIdRole).toString(), u"b"_s);

        // rowOf is right even while the removal is under way.
        bool consistent = true;
        connect(m_model, &QAbstractItemModel::rowsRemoved, this, [&] {
            for (int r = 0; r < m_model->rowCount(); r += 97)
                consistent = consistent && m_model->rowOf(m_model->keyAt(r)) == r;
        });
        m_model->removeConnection(u"a"_s);
        QVERIFY(consistent);
        QCOMPARE(m_model->rowCount(), rows / 2);
        for (int r = 0; r < m_model->rowCount(); ++r) {
            const SandboxKey key = m_model->keyAt(r);
            QCOMPARE(key.connectionId, u"b"_s);
            QCOMPARE(m_model->rowOf(key), r);
        }
        QVERIFY(keep.isValid());
        QCOMPARE(keep.data(SandboxListModel::SandboxIdRole).toString(), u"sb_%1"_s.arg(rows - 1));
        QCOMPARE(keep.column(), int(SandboxListModel::NameColumn));
        QCOMPARE(m_model->stateCounts()[size_t(SandboxStatus::Ready)], rows / 2);
    }

    void hostileValuesStayCheap()
    {
        Sandbox s = makeSandbox(u"sb"_s);
        s.name = QString(100000, u'n');
        for (int i = 0; i < 1000; ++i)
            s.metadata[std::string("key") + std::to_string(i)] = std::string(10000, 'v');
        m_model->upsert(u"c"_s, s);
        QVERIFY(text(*m_model, 0, SandboxListModel::NameColumn).size() <= 256);
        QVERIFY(text(*m_model, 0, 0, SandboxListModel::SearchTextRole).size() <= 2048);
        QVERIFY(text(*m_model, 0, 0, SandboxListModel::SearchTextRole).contains(u"vvvv"_s));

        s.name = u"first line\nsecond line"_s;
        m_model->upsert(u"c"_s, s);
        QCOMPARE(text(*m_model, 0, SandboxListModel::NameColumn), u"first line…"_s);

        // Keys without a connection or id are no rows.
        m_model->upsert(QString(), makeSandbox(u"x"_s));
        m_model->upsert(u"c"_s, makeSandbox(QString()));
        QCOMPARE(m_model->rowCount(), 1);
    }

    void connectionRenameIsSearchable()
    {
        m_model->upsert(u"c"_s, makeSandbox(u"sb"_s));
        m_model->setConnectionName(u"c"_s, u"Staging Box"_s);
        QCOMPARE(text(*m_model, 0, SandboxListModel::ConnectionColumn), u"Staging Box"_s);
        QVERIFY(text(*m_model, 0, 0, SandboxListModel::SearchTextRole).contains(u"staging box"_s));
    }
};

QTEST_GUILESS_MAIN(TestSandboxListModel)
#include "test_sandboxlistmodel.moc"
