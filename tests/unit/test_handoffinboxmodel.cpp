// SPDX-License-Identifier: MIT
// The "needs you" inbox: only pending handoffs, oldest first; arrivals and takeovers announced;
// the clock columns tick.
#include "models/handoffinboxmodel.h"

#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QSignalSpy>
#include <QTest>

using namespace banata;
using namespace Qt::StringLiterals;

namespace {
Handoff makeHandoff(const QString &requestId, qint64 requestedAt, const QString &reason = u"mfa"_s)
{
    Handoff h;
    h.requestId = requestId;
    h.status = HandoffStatus::Pending;
    h.reason = reason;
    h.message = u"Enter the code from the phone"_s;
    h.requestedBy = u"agent"_s;
    h.requestedAt = requestedAt;
    h.updatedAt = requestedAt;
    return h;
}

Handoff ended(Handoff h, HandoffStatus status)
{
    h.status = status;
    h.updatedAt += 1000;
    if (status == HandoffStatus::Accepted)
        h.controller = u"ana"_s;
    return h;
}

QStringList requestIds(const HandoffInboxModel &model)
{
    QStringList out;
    for (int r = 0; r < model.rowCount(); ++r)
        out.append(model.index(r, 0).data(HandoffInboxModel::RequestIdRole).toString());
    return out;
}
} // namespace

class TestHandoffInboxModel : public QObject
{
    Q_OBJECT

private:
    HandoffInboxModel *m_model = nullptr;
    QAbstractItemModelTester *m_tester = nullptr;
    qint64 m_now = 0;

private slots:
    void init()
    {
        m_model = new HandoffInboxModel(this);
        m_tester = new QAbstractItemModelTester(m_model, QAbstractItemModelTester::FailureReportingMode::QtTest, this);
        m_now = QDateTime::currentMSecsSinceEpoch();
    }

    void cleanup()
    {
        delete m_tester;
        delete m_model;
    }

    void onlyPendingOldestFirst()
    {
        QSignalSpy arrived(m_model, &HandoffInboxModel::handoffArrived);
        QSignalSpy count(m_model, &HandoffInboxModel::pendingCountChanged);
        m_model->apply({u"c"_s, u"sb_2"_s}, makeHandoff(u"hr_2"_s, m_now - 1000));
        m_model->apply({u"c"_s, u"sb_1"_s}, makeHandoff(u"hr_1"_s, m_now - 5000));
        m_model->apply({u"d"_s, u"sb_3"_s}, makeHandoff(u"hr_3"_s, m_now - 3000));
        m_model->apply({u"d"_s, u"sb_4"_s}, ended(makeHandoff(u"hr_4"_s, m_now - 9000), HandoffStatus::Completed));
        QCOMPARE(requestIds(*m_model), (QStringList{u"hr_1"_s, u"hr_3"_s, u"hr_2"_s}));
        QCOMPARE(arrived.count(), 3);
        QCOMPARE(arrived.at(0).at(0).value<SandboxKey>(), (SandboxKey{u"c"_s, u"sb_2"_s}));
        QCOMPARE(count.count(), 3);
        QCOMPARE(count.constLast().at(0).toInt(), 3);
        QCOMPARE(m_model->rowOf({u"d"_s, u"sb_3"_s}), 1);
        QCOMPARE(m_model->keyAt(0), (SandboxKey{u"c"_s, u"sb_1"_s}));
        QCOMPARE(m_model->handoffAt(2)->requestId, u"hr_2"_s);
        QCOMPARE(m_model->handoffAt(3), nullptr);
    }

    void acceptedLeavesAndIsAnnounced()
    {
        const SandboxKey key{u"c"_s, u"sb"_s};
        const Handoff h = makeHandoff(u"hr_1"_s, m_now - 1000);
        m_model->apply(key, h);
        QSignalSpy taken(m_model, &HandoffInboxModel::handoffTaken);
        QSignalSpy count(m_model, &HandoffInboxModel::pendingCountChanged);
        m_model->apply(key, ended(h, HandoffStatus::Accepted));
        QCOMPARE(m_model->rowCount(), 0);
        QCOMPARE(taken.count(), 1);
        QCOMPARE(taken.at(0).at(1).value<Handoff>().controller, std::optional(u"ana"_s));
        QCOMPARE(count.constLast().at(0).toInt(), 0);

        // A list fetched before the acceptance arrives late: it does not come back.
        QSignalSpy arrived(m_model, &HandoffInboxModel::handoffArrived);
        m_model->apply(key, h);
        QCOMPARE(m_model->rowCount(), 0);
        QCOMPARE(arrived.count(), 0);
        // A new request of the same sandbox does.
        m_model->apply(key, makeHandoff(u"hr_2"_s, m_now));
        QCOMPARE(m_model->rowCount(), 1);
        QCOMPARE(arrived.count(), 1);
    }

    void cancelledExpiredCompletedLeaveQuietly_data()
    {
        QTest::addColumn<int>("status");
        QTest::newRow("cancelled") << int(HandoffStatus::Cancelled);
        QTest::newRow("expired") << int(HandoffStatus::Expired);
        QTest::newRow("completed") << int(HandoffStatus::Completed);
    }

    void cancelledExpiredCompletedLeaveQuietly()
    {
        QFETCH(int, status);
        const SandboxKey key{u"c"_s, u"sb"_s};
        const Handoff h = makeHandoff(u"hr_1"_s, m_now - 1000);
        m_model->apply(key, h);
        QSignalSpy taken(m_model, &HandoffInboxModel::handoffTaken);
        m_model->apply(key, ended(h, HandoffStatus(status)));
        QCOMPARE(m_model->rowCount(), 0);
        QCOMPARE(taken.count(), 0);
    }

    void removalWithSandboxOrConnection()
    {
        m_model->apply({u"c"_s, u"a"_s}, makeHandoff(u"hr_a"_s, m_now - 3000));
        m_model->apply({u"d"_s, u"b"_s}, makeHandoff(u"hr_b"_s, m_now - 2000));
        m_model->apply({u"c"_s, u"c"_s}, makeHandoff(u"hr_c"_s, m_now - 1000));
        QSignalSpy count(m_model, &HandoffInboxModel::pendingCountChanged);
        m_model->remove({u"d"_s, u"b"_s});
        QCOMPARE(requestIds(*m_model), (QStringList{u"hr_a"_s, u"hr_c"_s}));
        m_model->removeConnection(u"c"_s);
        QCOMPARE(m_model->rowCount(), 0);
        QCOMPARE(count.count(), 2);
        m_model->removeConnection(u"c"_s);
        QCOMPARE(count.count(), 2);
    }

    void updateInPlace()
    {
        const SandboxKey key{u"c"_s, u"sb"_s};
        Handoff h = makeHandoff(u"hr_1"_s, m_now - 1000);
        m_model->apply(key, h);
        QSignalSpy changed(m_model, &QAbstractItemModel::dataChanged);
        QSignalSpy arrived(m_model, &HandoffInboxModel::handoffArrived);
        h.message = u"New text"_s;
        h.updatedAt += 10;
        m_model->apply(key, h);
        QCOMPARE(arrived.count(), 0);
        QCOMPARE(m_model->index(0, HandoffInboxModel::MessageColumn).data().toString(), u"New text"_s);
        QSet<int> columns;
        for (const auto &args : changed)
            columns.insert(args.at(0).value<QModelIndex>().column());
        QCOMPARE(columns, (QSet<int>{HandoffInboxModel::SandboxColumn, HandoffInboxModel::MessageColumn}));

        // Older news is ignored.
        Handoff stale = h;
        stale.message = u"Old text"_s;
        stale.updatedAt -= 5;
        m_model->apply(key, stale);
        QCOMPARE(m_model->index(0, HandoffInboxModel::MessageColumn).data().toString(), u"New text"_s);
    }

    void displayTexts_data()
    {
        QTest::addColumn<QString>("reason");
        QTest::addColumn<QString>("shown");
        QTest::newRow("mfa") << u"mfa"_s << u"MFA"_s;
        QTest::newRow("captcha") << u"captcha"_s << u"CAPTCHA"_s;
        QTest::newRow("approval") << u"approval"_s << u"Approval"_s;
        QTest::newRow("login_failed") << u"login_failed"_s << u"Login failed"_s;
        QTest::newRow("ambiguous_ui") << u"ambiguous_ui"_s << u"Unclear page"_s;
        QTest::newRow("file_download") << u"file_download"_s << u"File download"_s;
        QTest::newRow("custom") << u"custom"_s << u"Other"_s;
    }

    void displayTexts()
    {
        QFETCH(QString, reason);
        QFETCH(QString, shown);
        const SandboxKey key{u"c"_s, u"sb_123"_s};
        Handoff h = makeHandoff(u"hr"_s, m_now - 125 * 1000, reason);
        h.expiresAt = m_now + 12 * 60 * 1000 - 500;
        m_model->setConnectionName(u"c"_s, u"Laptop"_s);
        m_model->apply(key, h);
        QCOMPARE(m_model->index(0, HandoffInboxModel::ReasonColumn).data().toString(), shown);
        QCOMPARE(m_model->index(0, HandoffInboxModel::SandboxColumn).data().toString(), u"sb_123"_s);
        m_model->setSandboxName(key, u"Invoices"_s);
        QCOMPARE(m_model->index(0, HandoffInboxModel::SandboxColumn).data().toString(), u"Invoices"_s);
        QCOMPARE(m_model->index(0, HandoffInboxModel::ConnectionColumn).data().toString(), u"Laptop"_s);
        QCOMPARE(m_model->index(0, HandoffInboxModel::WaitingColumn).data().toString(), u"2 min 5 s"_s);
        QCOMPARE(m_model->index(0, HandoffInboxModel::ExpiresColumn).data().toString(), u"in 12 min"_s);
        QVERIFY(!m_model->index(0, 0).data(HandoffInboxModel::UrgentRole).toBool());
        QCOMPARE(m_model->index(0, 0).data(HandoffInboxModel::ExpiresAtRole).toLongLong(), *h.expiresAt);
    }

    void urgentAndExpired()
    {
        Handoff soon = makeHandoff(u"hr_1"_s, m_now - 1000);
        soon.expiresAt = m_now + 90 * 1000;
        Handoff past = makeHandoff(u"hr_2"_s, m_now - 500);
        past.expiresAt = m_now - 1000;
        Handoff never = makeHandoff(u"hr_3"_s, m_now);
        m_model->apply({u"c"_s, u"a"_s}, soon);
        m_model->apply({u"c"_s, u"b"_s}, past);
        m_model->apply({u"c"_s, u"c"_s}, never);
        QVERIFY(m_model->index(0, 0).data(HandoffInboxModel::UrgentRole).toBool());
        QVERIFY(m_model->index(1, 0).data(HandoffInboxModel::UrgentRole).toBool());
        QCOMPARE(m_model->index(1, HandoffInboxModel::ExpiresColumn).data().toString(), u"expired"_s);
        QVERIFY(!m_model->index(2, 0).data(HandoffInboxModel::UrgentRole).toBool());
        QCOMPARE(m_model->index(2, HandoffInboxModel::ExpiresColumn).data().toString(), QString());
        QVERIFY(!m_model->index(2, 0).data(HandoffInboxModel::ExpiresAtRole).isValid());
    }

    void clockColumnsTick()
    {
        m_model->apply({u"c"_s, u"a"_s}, makeHandoff(u"hr_1"_s, m_now - 1000));
        m_model->apply({u"c"_s, u"b"_s}, makeHandoff(u"hr_2"_s, m_now));
        QSignalSpy changed(m_model, &QAbstractItemModel::dataChanged);
        QVERIFY(changed.wait(2500));
        QCOMPARE(changed.count(), 1);
        const auto tl = changed.at(0).at(0).value<QModelIndex>();
        const auto br = changed.at(0).at(1).value<QModelIndex>();
        QCOMPARE(tl, m_model->index(0, HandoffInboxModel::WaitingColumn));
        QCOMPARE(br, m_model->index(1, HandoffInboxModel::ExpiresColumn));

        // An empty inbox stops ticking.
        m_model->removeConnection(u"c"_s);
        changed.clear();
        QVERIFY(!changed.wait(1500));
    }
};

QTEST_GUILESS_MAIN(TestHandoffInboxModel)
#include "test_handoffinboxmodel.moc"
