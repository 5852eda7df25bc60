// SPDX-License-Identifier: MIT
// The sandbox state machine: the documented path is allowed, nothing leaves a terminal state.
#include "core/lifecycle.h"

#include <QTest>

using namespace banata;
using S = SandboxStatus;

class TestLifecycle : public QObject
{
    Q_OBJECT

private slots:
    void documentedPathIsAllowed()
    {
        const QList<S> path = {S::Queued, S::Assigning, S::Ready, S::Active, S::Pausing,
                               S::Paused, S::Ready, S::Ending, S::Ended};
        for (qsizetype i = 1; i < path.size(); ++i)
            QVERIFY2(canTransition(path[i - 1], path[i]),
                     qPrintable(toString(path[i - 1]) + u" -> " + toString(path[i])));
    }

    void failedFromAnywhereButTerminal()
    {
        for (int i = 0; i < SandboxStatusCount; ++i) {
            const S from = S(i);
            QCOMPARE(canTransition(from, S::Failed), !isTerminal(from));
        }
    }

    void terminalStatesAreFinal()
    {
        for (int i = 0; i < SandboxStatusCount; ++i) {
            QVERIFY(!canTransition(S::Ended, S(i)));
            QVERIFY(!canTransition(S::Failed, S(i)));
        }
    }

    void forbiddenShortcuts()
    {
        QVERIFY(!canTransition(S::Queued, S::Ready));
        QVERIFY(!canTransition(S::Ready, S::Paused)); // must pass through pausing
        QVERIFY(!canTransition(S::Paused, S::Active));
        QVERIFY(!canTransition(S::Ending, S::Ready));
    }

    void operationsPerState()
    {
        QVERIFY(acceptsWork(S::Ready) && acceptsWork(S::Active));
        QVERIFY(!acceptsWork(S::Queued) && !acceptsWork(S::Paused) && !acceptsWork(S::Ended));
        QVERIFY(acceptsFileReads(S::Paused));
        QVERIFY(canPause(S::Active) && !canPause(S::Paused));
        QVERIFY(canResume(S::Paused) && !canResume(S::Ready));
        QVERIFY(canKill(S::Paused) && !canKill(S::Ended) && !canKill(S::Ending));
    }

    void eventNames()
    {
        QCOMPARE(eventTypeForTransition(S::Paused, S::Ready), QStringLiteral("sandbox.resumed"));
        QCOMPARE(eventTypeForTransition(S::Assigning, S::Ready), QStringLiteral("sandbox.ready"));
        QCOMPARE(eventTypeForTransition(S::Queued, S::Assigning), QStringLiteral("sandbox.assigned"));
        QCOMPARE(eventTypeForTransition(S::Ready, S::Failed), QStringLiteral("sandbox.failed"));
    }
};

QTEST_GUILESS_MAIN(TestLifecycle)
#include "test_lifecycle.moc"
