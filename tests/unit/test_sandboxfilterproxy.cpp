// SPDX-License-Identifier: MIT
// The list as the operator filters and sorts it: typed filters, words that must all match, a
// stable order on every column, and rows that follow live changes.
#include "models/sandboxfilterproxy.h"
#include "models/sandboxlistmodel.h"

#include <QAbstractItemModelTester>
#include <QIdentityProxyModel>
#include <QSignalSpy>
#include <QTest>

using namespace banata;
using namespace Qt::StringLiterals;

namespace {
Sandbox makeSandbox(const QString &id, SandboxStatus status, const QString &name, qint64 createdAt)
{
    Sandbox s;
    s.id = id;
    s.status = status;
    s.runtime = u"bun"_s;
    s.size = u"standard"_s;
    if (!name.isEmpty())
        s.name = name;
    s.createdAt = createdAt;
    s.updatedAt = createdAt;
    return s;
}

QStringList ids(const QAbstractItemModel &model)
{
    QStringList out;
    for (int r = 0; r < model.rowCount(); ++r)
        out.append(model.index(r, 0).data(SandboxListModel::SandboxIdRole).toString());
    return out;
}
} // namespace

class TestSandboxFilterProxy : public QObject
{
    Q_OBJECT

private:
    SandboxListModel *m_source = nullptr;
    SandboxFilterProxy *m_proxy = nullptr;
    QAbstractItemModelTester *m_tester = nullptr;

private slots:
    void init()
    {
        m_source = new SandboxListModel(this);
        m_source->setConnectionName(u"c1"_s, u"Laptop"_s);
        m_source->setConnectionName(u"c2"_s, u"Build Server"_s);

        Sandbox a = makeSandbox(u"sb_a"_s, SandboxStatus::Ready, u"Invoice Scraper"_s, 3000);
        a.region = u"eu-west"_s;
        a.metadata = Json{{"customer", "ACME Corp"}, {"jobId", 42}};
        Sandbox b = makeSandbox(u"sb_b"_s, SandboxStatus::Paused, u"report writer"_s, 1000);
        b.region = u"us-east"_s;
        Sandbox c = makeSandbox(u"sb_c"_s, SandboxStatus::Failed, QString(), 2000);
        Capabilities caps;
        caps.browser = BrowserCapability{};
        c.capabilities = caps;
        Sandbox d = makeSandbox(u"sb_d"_s, SandboxStatus::Ready, u"Invoice Mailer"_s, 4000);
        m_source->upsert(u"c1"_s, a);
        m_source->upsert(u"c1"_s, b);
        m_source->upsert(u"c2"_s, c);
        m_source->upsert(u"c2"_s, d);
        Handoff h;
        h.requestId = u"hr_1"_s;
        h.reason = u"captcha"_s;
        h.message = u"Solve it"_s;
        h.requestedAt = 5000;
        m_source->setHandoff({u"c2"_s, u"sb_c"_s}, h);

        m_proxy = new SandboxFilterProxy(this);
        m_proxy->setSourceModel(m_source);
        m_tester = new QAbstractItemModelTester(m_proxy, QAbstractItemModelTester::FailureReportingMode::QtTest, this);
    }

    void cleanup()
    {
        delete m_tester;
        delete m_proxy;
        delete m_source;
    }

    void textFilterWordsMustAllMatch()
    {
        QSignalSpy changed(m_proxy, &SandboxFilterProxy::filterChanged);
        m_proxy->setTextFilter(u"invoice"_s);
        QCOMPARE(m_proxy->rowCount(), 2);
        m_proxy->setTextFilter(u"  INVOICE\tscraper "_s); // case and white space do not matter
        QCOMPARE(ids(*m_proxy), QStringList{u"sb_a"_s});
        QCOMPARE(m_proxy->textFilter(), u"invoice scraper"_s);
        m_proxy->setTextFilter(u"invoice build"_s); // the connection's name
        QCOMPARE(ids(*m_proxy), QStringList{u"sb_d"_s});
        m_proxy->setTextFilter(u"acme"_s); // a metadata value
        QCOMPARE(ids(*m_proxy), QStringList{u"sb_a"_s});
        m_proxy->setTextFilter(u"42"_s); // a number in the metadata
        QCOMPARE(ids(*m_proxy), QStringList{u"sb_a"_s});
        m_proxy->setTextFilter(u"us-east"_s); // the region
        QCOMPARE(ids(*m_proxy), QStringList{u"sb_b"_s});
        m_proxy->setTextFilter(u"sb_c"_s); // the id
        QCOMPARE(ids(*m_proxy), QStringList{u"sb_c"_s});
        m_proxy->setTextFilter(u"nothing-matches"_s);
        QCOMPARE(m_proxy->rowCount(), 0);
        const int signals_ = int(changed.count());
        QCOMPARE(signals_, 8);
        m_proxy->setTextFilter(u"Nothing-Matches "_s); // the same words: no new filtering
        QCOMPARE(changed.count(), signals_);
        m_proxy->setTextFilter(QString());
        QCOMPARE(m_proxy->rowCount(), 4);
    }

    void stateConnectionAndNeedsYouFilters()
    {
        QSignalSpy changed(m_proxy, &SandboxFilterProxy::filterChanged);
        m_proxy->setStateFilter({SandboxStatus::Ready});
        QCOMPARE(ids(*m_proxy), (QStringList{u"sb_a"_s, u"sb_d"_s}));
        m_proxy->setStateFilter({SandboxStatus::Ready});
        QCOMPARE(changed.count(), 1);
        m_proxy->setConnectionFilter(u"c2"_s);
        QCOMPARE(ids(*m_proxy), QStringList{u"sb_d"_s});
        m_proxy->setStateFilter({});
        QCOMPARE(ids(*m_proxy), (QStringList{u"sb_c"_s, u"sb_d"_s}));
        m_proxy->setNeedsYouOnly(true);
        QCOMPARE(ids(*m_proxy), QStringList{u"sb_c"_s});
        m_proxy->setConnectionFilter(QString());
        QCOMPARE(ids(*m_proxy), QStringList{u"sb_c"_s});
        QCOMPARE(changed.count(), 5);
        m_proxy->setNeedsYouOnly(true);
        QCOMPARE(changed.count(), 5);
    }

    void rowsFollowLiveChanges()
    {
        m_proxy->setStateFilter({SandboxStatus::Ready});
        QCOMPARE(m_proxy->rowCount(), 2);
        m_source->upsert(u"c1"_s, makeSandbox(u"sb_b"_s, SandboxStatus::Ready, u"report writer"_s, 1000));
        QCOMPARE(m_proxy->rowCount(), 3);
        m_source->upsert(u"c1"_s, makeSandbox(u"sb_a"_s, SandboxStatus::Pausing, u"Invoice Scraper"_s, 3000));
        QCOMPARE(m_proxy->rowCount(), 2);

        // Sorted by state, a state change moves the row.
        m_proxy->setStateFilter({});
        m_proxy->sort(SandboxListModel::StateColumn, Qt::AscendingOrder);
        QCOMPARE(ids(*m_proxy).constFirst(), u"sb_b"_s); // Ready(b, d) < Pausing(a) < Failed(c); ties by id
        m_source->upsert(u"c1"_s, makeSandbox(u"sb_b"_s, SandboxStatus::Ended, u"report writer"_s, 1000));
        QCOMPARE(ids(*m_proxy), (QStringList{u"sb_d"_s, u"sb_a"_s, u"sb_b"_s, u"sb_c"_s}));
    }

    void sortsByEveryColumn_data()
    {
        QTest::addColumn<int>("column");
        QTest::addColumn<QStringList>("ascending");
        // Ties are broken by id, so every column gives one defined order.
        QTest::newRow("state") << int(SandboxListModel::StateColumn)
                               << QStringList{u"sb_a"_s, u"sb_d"_s, u"sb_b"_s, u"sb_c"_s};
        QTest::newRow("name") << int(SandboxListModel::NameColumn)
                              << QStringList{u"sb_d"_s, u"sb_a"_s, u"sb_b"_s, u"sb_c"_s};
        QTest::newRow("id") << int(SandboxListModel::IdColumn)
                            << QStringList{u"sb_a"_s, u"sb_b"_s, u"sb_c"_s, u"sb_d"_s};
        QTest::newRow("connection") << int(SandboxListModel::ConnectionColumn)
                                    << QStringList{u"sb_c"_s, u"sb_d"_s, u"sb_a"_s, u"sb_b"_s};
        QTest::newRow("region") << int(SandboxListModel::RegionColumn)
                                << QStringList{u"sb_c"_s, u"sb_d"_s, u"sb_a"_s, u"sb_b"_s};
        QTest::newRow("capabilities") << int(SandboxListModel::CapabilitiesColumn)
                                      << QStringList{u"sb_a"_s, u"sb_b"_s, u"sb_d"_s, u"sb_c"_s};
        QTest::newRow("task") << int(SandboxListModel::TaskColumn)
                              << QStringList{u"sb_a"_s, u"sb_c"_s, u"sb_d"_s, u"sb_b"_s};
        QTest::newRow("handoff") << int(SandboxListModel::HandoffColumn)
                                 << QStringList{u"sb_c"_s, u"sb_a"_s, u"sb_b"_s, u"sb_d"_s};
        QTest::newRow("age") << int(SandboxListModel::AgeColumn)
                             << QStringList{u"sb_b"_s, u"sb_c"_s, u"sb_a"_s, u"sb_d"_s};
    }

    void sortsByEveryColumn()
    {
        QFETCH(int, column);
        QFETCH(QStringList, ascending);
        AgentTask task;
        task.taskId = u"t"_s;
        task.status = TaskStatus::Running;
        task.prompt = u"Zip the logs"_s;
        m_source->setCurrentTask({u"c1"_s, u"sb_b"_s}, task);
        task.prompt = u"archive"_s;
        m_source->setCurrentTask({u"c2"_s, u"sb_d"_s}, task);

        m_proxy->sort(column, Qt::AscendingOrder);
        QCOMPARE(ids(*m_proxy), ascending);
        m_proxy->sort(column, Qt::DescendingOrder);
        QStringList descending = ascending;
        std::reverse(descending.begin(), descending.end());
        QCOMPARE(ids(*m_proxy), descending);
    }

    void fastPathSortsLikeTheRoles()
    {
        // Over another model the proxy reads the roles; over the list it reads the list directly.
        // Both must give the same order on every column.
        for (int i = 0; i < 60; ++i) {
            Sandbox s = makeSandbox(u"sb_%1"_s.arg(i, 2, 10, QChar(u'0')), SandboxStatus(i % SandboxStatusCount),
                                    i % 4 ? u"Name %1"_s.arg(i % 7) : QString(), 1000 + (i % 5));
            s.region = i % 3 ? u"EU-%1"_s.arg(i % 2) : u"us"_s;
            m_source->upsert(i % 2 ? u"c1"_s : u"c2"_s, s);
        }
        QIdentityProxyModel identity;
        identity.setSourceModel(m_source);
        SandboxFilterProxy byRoles;
        byRoles.setSourceModel(&identity);
        for (int column = 0; column < SandboxListModel::ColumnCount; ++column) {
            for (const Qt::SortOrder order : {Qt::AscendingOrder, Qt::DescendingOrder}) {
                m_proxy->sort(column, order);
                byRoles.sort(column, order);
                QCOMPARE(ids(*m_proxy), ids(byRoles));
            }
        }
    }

    void bigFilterChangesKeepSelectionAndOrder()
    {
        for (int i = 0; i < 400; ++i)
            m_source->upsert(u"c1"_s, makeSandbox(u"bulk_%1"_s.arg(i), SandboxStatus::Ready,
                                                  i % 2 ? u"even alpha"_s : u"odd beta"_s, 10000 + i));
        m_proxy->sort(SandboxListModel::AgeColumn, Qt::DescendingOrder);
        const QPersistentModelIndex kept = m_proxy->index(1, SandboxListModel::NameColumn); // bulk_398
        QCOMPARE(kept.data(SandboxListModel::SandboxIdRole).toString(), u"bulk_398"_s);

        // 200 rows go at once (past the row-by-row limit): same rows, order and kept index.
        m_proxy->setTextFilter(u"odd"_s);
        QCOMPARE(m_proxy->rowCount(), 200);
        QVERIFY(kept.isValid());
        QCOMPARE(kept.data(SandboxListModel::SandboxIdRole).toString(), u"bulk_398"_s);
        QCOMPARE(kept.row(), 0);
        const QStringList shown = ids(*m_proxy);
        for (int r = 1; r < shown.size(); ++r)
            QVERIFY(m_proxy->index(r - 1, 0).data(SandboxListModel::CreatedAtRole).toLongLong() >
                    m_proxy->index(r, 0).data(SandboxListModel::CreatedAtRole).toLongLong());
        // And back.
        m_proxy->setTextFilter(QString());
        QCOMPARE(m_proxy->rowCount(), 404);
        QCOMPARE(kept.row(), 1);
        // A small change goes row by row and gives the same result.
        m_proxy->setTextFilter(u"bulk_39"_s);
        QCOMPARE(m_proxy->rowCount(), 11);
    }

    void hostileFilterText()
    {
        m_proxy->setTextFilter(QString(100000, u'x') + u" "_s + QStringList(QList<QString>(500, u"w"_s)).join(u' '));
        QCOMPARE(m_proxy->rowCount(), 0);
        QVERIFY(m_proxy->textFilter().size() < 1000);
    }
};

QTEST_GUILESS_MAIN(TestSandboxFilterProxy)
#include "test_sandboxfilterproxy.moc"
