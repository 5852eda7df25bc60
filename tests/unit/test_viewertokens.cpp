// SPDX-License-Identifier: MIT
// Viewer tokens: they name one sandbox, expire, and cannot be forged or moved to another server.
#include "server/browser/viewertokens.h"

#include <QTest>

using namespace banata::server;
using namespace Qt::StringLiterals;

class TestViewerTokens : public QObject
{
    Q_OBJECT

private slots:
    void roundTrips()
    {
        ViewerTokens tokens;
        const QString token = tokens.issue(u"abc123"_s, 2000);
        QCOMPARE(tokens.verify(token, 1999), std::optional(u"abc123"_s));
    }
    void expires()
    {
        ViewerTokens tokens;
        const QString token = tokens.issue(u"abc123"_s, 2000);
        QVERIFY(!tokens.verify(token, 2000));
        QVERIFY(!tokens.verify(token, 5000));
    }
    void refusesForgeries()
    {
        ViewerTokens tokens;
        const QString token = tokens.issue(u"abc123"_s, 2000);
        QString otherSandbox = token;
        otherSandbox.replace(u"abc123"_s, u"abc124"_s);
        QVERIFY(!tokens.verify(otherSandbox, 1000));
        QString extended = token;
        extended.replace(u".2000."_s, u".9000."_s);
        QVERIFY(!tokens.verify(extended, 1000));
        QVERIFY(!ViewerTokens().verify(token, 1000)); // another server's secret
        for (const QString &garbage : {QString(), u"."_s, u".."_s, u"abc"_s, u"a.b.c"_s, QString(600, u'x')})
            QVERIFY(!tokens.verify(garbage, 1000));
    }
};

QTEST_GUILESS_MAIN(TestViewerTokens)
#include "test_viewertokens.moc"
