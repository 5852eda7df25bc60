// SPDX-License-Identifier: MIT
// The small widgets on their own, no server: the message bar, the bulk summary wording, the
// state chips and the prompt's metadata check.
#include "models/handoffinboxmodel.h"
#include "session/appsettings.h"
#include "ui/bulkstatus.h"
#include "ui/messagebar.h"
#include "ui/notifier.h"
#include "ui/statecountsbar.h"
#include "ui/taskspanel.h"

#include <QLabel>
#include <QDateTime>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

using namespace banata;
using namespace Qt::StringLiterals;

namespace {
BulkItemResult item(const QString &label, bool ok, bool skipped, const QString &message)
{
    BulkItemResult result;
    result.key = {u"local"_s, label};
    result.label = label;
    result.ok = ok;
    result.skipped = skipped;
    result.message = message;
    return result;
}
Handoff pendingHandoff(int n)
{
    Handoff handoff;
    handoff.requestId = u"req-%1"_s.arg(n);
    handoff.reason = u"mfa"_s;
    handoff.message = u"Enter the code"_s;
    handoff.requestedBy = u"agent"_s;
    handoff.requestedAt = QDateTime::currentMSecsSinceEpoch() - 1000 * n;
    handoff.updatedAt = handoff.requestedAt;
    return handoff;
}
} // namespace

class TestGuiWidgets : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void messageBarShowsDetailsAndCloses()
    {
        QWidget host;
        auto *bar = new MessageBar(&host);
        host.show();
        QVERIFY(!bar->isVisible());
        bar->showMessage(u"Paused 4; 1 skipped: Already paused"_s, MessageBar::Warning);
        bar->setDetails(u"✓ a — Paused\n– b — Already paused"_s);
        QVERIFY(bar->isVisible());
        auto *details = bar->findChild<QLabel *>(u"messageDetails"_s);
        QVERIFY(!details->isVisible());
        QTest::mouseClick(bar->findChild<QToolButton *>(u"messageDetailsButton"_s), Qt::LeftButton);
        QVERIFY(details->isVisible());
        QCOMPARE(bar->toolTip(), bar->details());

        QSignalSpy dismissed(bar, &MessageBar::dismissed);
        QTest::mouseClick(bar->findChild<QToolButton *>(u"messageCloseButton"_s), Qt::LeftButton);
        QVERIFY(!bar->isVisible());
        QCOMPARE(dismissed.count(), 1);

        bar->showMessage(u"Done"_s, MessageBar::Positive, 50);
        QTRY_VERIFY(!bar->isVisible());
    }

    void bulkSummaryWording()
    {
        const QList<BulkItemResult> results = {
            item(u"a"_s, true, false, u"Paused"_s), item(u"b"_s, true, false, u"Paused"_s),
            item(u"c"_s, true, false, u"Paused"_s), item(u"d"_s, true, false, u"Paused"_s),
            item(u"e"_s, false, true, u"Already paused"_s),
        };
        BulkSummary summary = summarizeBulk(SandboxAction::Pause, results);
        QCOMPARE(summary.text, u"Paused 4; 1 skipped: Already paused"_s);
        QCOMPARE(summary.type, MessageBar::Warning);
        QVERIFY(summary.details.contains(u"e — Already paused"_s));

        summary = summarizeBulk(SandboxAction::Kill, {item(u"a"_s, true, false, u"Killed"_s),
                                                      item(u"b"_s, false, false, u"Sandbox is not ready"_s),
                                                      item(u"c"_s, false, false, u"Timed out"_s)});
        QCOMPARE(summary.text, u"Killed 1; 2 failed"_s);
        QCOMPARE(summary.type, MessageBar::Error);
        QCOMPARE(summary.autoHideMs, 0);

        summary = summarizeBulk(SandboxAction::Resume, {item(u"web"_s, true, false, u"Resumed"_s)});
        QCOMPARE(summary.text, u"web: Resumed"_s);
        QCOMPARE(summary.type, MessageBar::Positive);
        QVERIFY(summary.autoHideMs > 0);

        QCOMPARE(bulkProgressText(SandboxAction::Pause, 2, 5), u"Pausing 3 of 5…"_s);
        QCOMPARE(bulkProgressText(SandboxAction::Pause, 5, 5), u"Pausing 5 of 5…"_s);
    }

    void stateChipsSelectAndCount()
    {
        StateCountsBar bar;
        bar.show();
        std::array<int, SandboxStatusCount> counts{};
        counts[size_t(SandboxStatus::Ready)] = 3;
        counts[size_t(SandboxStatus::Paused)] = 1;
        bar.setCounts(counts);
        auto *paused = bar.findChild<QToolButton *>(u"stateChip_paused"_s);
        auto *failed = bar.findChild<QToolButton *>(u"stateChip_failed"_s);
        auto *all = bar.findChild<QToolButton *>(u"stateChip_all"_s);
        QCOMPARE(paused->text(), u"Paused 1"_s);
        QCOMPARE(all->text(), u"All 4"_s);
        QVERIFY(!failed->isVisible()); // nothing failed: no chip to clutter the bar

        QSignalSpy changed(&bar, &StateCountsBar::selectionChanged);
        QTest::mouseClick(paused, Qt::LeftButton);
        QCOMPARE(bar.selectedStates(), QSet<SandboxStatus>{SandboxStatus::Paused});
        QVERIFY(paused->isChecked() && !all->isChecked());
        QTest::mouseClick(bar.findChild<QToolButton *>(u"stateChip_ready"_s), Qt::LeftButton, Qt::ControlModifier);
        QCOMPARE(bar.selectedStates(), (QSet<SandboxStatus>{SandboxStatus::Paused, SandboxStatus::Ready}));
        QTest::mouseClick(all, Qt::LeftButton);
        QVERIFY(bar.selectedStates().isEmpty());
        QCOMPARE(changed.count(), 3);

        // A chosen state stays visible even when its count drops to zero.
        QTest::mouseClick(paused, Qt::LeftButton);
        counts[size_t(SandboxStatus::Paused)] = 0;
        bar.setCounts(counts);
        QVERIFY(paused->isVisible());
    }

    void notifierCoalescesABurst()
    {
        QTemporaryDir dir;
        AppSettings settings(dir.filePath(u"settings.ini"_s));
        HandoffInboxModel inbox;
        Notifier notifier(&inbox, &settings, nullptr);
        QSignalSpy shown(&notifier, &Notifier::notificationShown);

        // Ten at once, as when a connection loads: one notification, not ten.
        for (int i = 0; i < 10; ++i)
            inbox.apply({u"local"_s, u"sb%1"_s.arg(i)}, pendingHandoff(i));
        QVERIFY(shown.wait(2000));
        QTRY_COMPARE(shown.count(), 1);
        QCOMPARE(shown.at(0).at(0).toString(), u"10 sandboxes need you"_s);
        QVERIFY(notifier.lastRoute() != Notifier::Route::None);

        // One more, named; and nothing at all once notifications are off.
        inbox.setSandboxName({u"local"_s, u"late"_s}, u"late-one"_s);
        inbox.apply({u"local"_s, u"late"_s}, pendingHandoff(11));
        QTRY_COMPARE(shown.count(), 2);
        QCOMPARE(shown.at(1).at(0).toString(), u"late-one needs you"_s);
        QCOMPARE(shown.at(1).at(1).toString(), u"MFA: Enter the code"_s);
        settings.setNotifyOnHandoff(false);
        inbox.apply({u"local"_s, u"quiet"_s}, pendingHandoff(12));
        QVERIFY(!shown.wait(400)); // longer than the coalescing window: nothing may come
    }

    void promptMetadataMustBeAnObject()
    {
        QVERIFY(TasksPanel::parseMetadata(QString()).ok());
        QVERIFY(TasksPanel::parseMetadata(u"  "_s)->is_object());
        QVERIFY(TasksPanel::parseMetadata(u"{\"ticket\": \"OPS-12\"}"_s).ok());
        QVERIFY(TasksPanel::parseMetadata(u"[1]"_s).error().contains(u"JSON object"_s));
        QVERIFY(TasksPanel::parseMetadata(u"{oops"_s).error().contains(u"not valid JSON"_s));
    }
};

QTEST_MAIN(TestGuiWidgets)
#include "test_gui_widgets.moc"
