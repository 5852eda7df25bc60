// SPDX-License-Identifier: MIT
// The sandbox list as an operator uses it: sandboxes made elsewhere appear, typing filters them,
// a state chip shows only that state, and the chip's count follows the list.
#include "guitest.h"

#include "models/sandboxlistmodel.h"
#include "support/awaitjob.h"
#include "ui/mainwindow.h"

#include <QLineEdit>
#include <QTest>
#include <QToolButton>
#include <QTreeView>

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

class TestGuiList : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(m_fixture.start(), qPrintable(m_fixture.errorString()));
        m_alpha = m_fixture.createSandbox(u"alpha-invoices"_s, Json{{"team", "billing"}});
        m_beta = m_fixture.createSandbox(u"beta-crawler"_s, Json{{"team", "search"}});
        m_gamma = m_fixture.createSandbox(u"gamma-invoices"_s);
        QVERIFY(!m_alpha.id.isEmpty() && !m_beta.id.isEmpty() && !m_gamma.id.isEmpty());
    }

    void listShowsSandboxesCreatedElsewhere()
    {
        QTRY_COMPARE(m_fixture.visibleRows(), 3);
        QVERIFY(m_fixture.find<QTreeView>(u"sandboxList"_s));
    }

    void typingFiltersByNameAndMetadata()
    {
        auto *search = m_fixture.find<QLineEdit>(u"searchEdit"_s);
        QVERIFY(search);
        QCOMPARE(search->placeholderText(), u"Filter sandboxes (name, id, metadata)…"_s);
        QTest::mouseClick(search, Qt::LeftButton);
        QTest::keyClicks(search, u"invoices"_s);
        QTRY_COMPARE(m_fixture.visibleRows(), 2);

        search->clear();
        QTest::keyClicks(search, u"search"_s); // metadata value of beta only
        QTRY_COMPARE(m_fixture.visibleRows(), 1);
        QCOMPARE(m_fixture.listView()->model()->index(0, 0).data(SandboxListModel::SandboxIdRole).toString(), m_beta.id);

        // Escape clears the field and every row is back.
        QTest::keyClick(search, Qt::Key_Escape);
        QTRY_COMPARE(m_fixture.visibleRows(), 3);
    }

    void typingInTheListStartsASearch()
    {
        QVERIFY(m_fixture.selectInList({m_alpha.id}));
        QTest::keyClicks(m_fixture.listView(), u"gamma"_s);
        auto *search = m_fixture.find<QLineEdit>(u"searchEdit"_s);
        QTRY_COMPARE(search->text(), u"gamma"_s);
        QTRY_COMPARE(m_fixture.visibleRows(), 1);
        QTest::keyClick(search, Qt::Key_Escape);
        QTRY_COMPARE(m_fixture.visibleRows(), 3);
    }

    void stateChipFiltersByState()
    {
        AWAIT_OK(paused, m_fixture.client().pauseSandbox(m_beta.id));
        QVERIFY(m_fixture.waitForStatus(m_beta.id, SandboxStatus::Paused));

        auto *pausedChip = m_fixture.find<QToolButton>(u"stateChip_paused"_s);
        auto *readyChip = m_fixture.find<QToolButton>(u"stateChip_ready"_s);
        auto *allChip = m_fixture.find<QToolButton>(u"stateChip_all"_s);
        QVERIFY(pausedChip && readyChip && allChip);
        QTRY_VERIFY(pausedChip->isVisible());
        QTRY_COMPARE(pausedChip->text(), u"Paused 1"_s);
        QTRY_COMPARE(readyChip->text(), u"Ready 2"_s);

        QTest::mouseClick(pausedChip, Qt::LeftButton);
        QTRY_COMPARE(m_fixture.visibleRows(), 1);
        QVERIFY(pausedChip->isChecked());
        QVERIFY(!allChip->isChecked());

        QTest::mouseClick(readyChip, Qt::LeftButton);
        QTRY_COMPARE(m_fixture.visibleRows(), 2);

        QTest::mouseClick(allChip, Qt::LeftButton);
        QTRY_COMPARE(m_fixture.visibleRows(), 3);
        QVERIFY(allChip->isChecked());
    }

private:
    GuiFixture m_fixture;
    Sandbox m_alpha;
    Sandbox m_beta;
    Sandbox m_gamma;
};

QTEST_MAIN(TestGuiList)
#include "test_gui_list.moc"
