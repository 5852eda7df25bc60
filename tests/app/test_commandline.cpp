// SPDX-License-Identifier: MIT
// What `banata-operator --help / --connect …` does before any window opens.
#include "app/commandline.h"

#include <QCoreApplication>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace banata;

class TestCommandLine final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QCoreApplication::setApplicationVersion(u"0.1.0"_s); }
    void init() { qunsetenv("BANATA_API_KEY"); }

    void noArgumentsUsesSavedConnections()
    {
        const CommandLine line = parseCommandLine({u"banata-operator"_s});
        QVERIFY(!line.exitNow);
        QVERIFY(!line.options.connectUrl);
    }

    void helpListsEveryOption()
    {
        const CommandLine line = parseCommandLine({u"banata-operator"_s, u"--help"_s});
        QVERIFY(line.exitNow);
        QCOMPARE(line.exitCode, 0);
        for (const char *option : {"--connect", "--api-key-file", "--settings", "--data-dir", "--local-server"})
            QVERIFY2(line.message.contains(QLatin1StringView(option)), option);
    }

    void connectTakesTheKeyFromTheEnvironment()
    {
        qputenv("BANATA_API_KEY", "br_local_secret");
        const CommandLine line = parseCommandLine({u"banata-operator"_s, u"--connect"_s, u"http://127.0.0.1:9"_s});
        QVERIFY(!line.exitNow);
        QCOMPARE(line.options.connectUrl, QUrl(u"http://127.0.0.1:9"_s));
        QCOMPARE(line.options.apiKey, u"br_local_secret"_s);
    }

    void connectTakesTheKeyFromAFile()
    {
        QTemporaryDir dir;
        QFile file(dir.filePath(u"key"_s));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("br_live_fromfile\n");
        file.close();
        const CommandLine line = parseCommandLine(
            {u"banata-operator"_s, u"--connect"_s, u"https://api.example.test"_s, u"--api-key-file"_s, file.fileName()});
        QVERIFY(!line.exitNow);
        QCOMPARE(line.options.apiKey, u"br_live_fromfile"_s);
    }

    void refusesWhatCannotWork_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::newRow("no key") << QStringList{u"--connect"_s, u"http://127.0.0.1:9"_s} << u"needs an API key"_s;
        QTest::newRow("not http") << QStringList{u"--connect"_s, u"ftp://host"_s} << u"http or https URL"_s;
        QTest::newRow("missing key file") << QStringList{u"--connect"_s, u"http://h"_s, u"--api-key-file"_s, u"/nonexistent/key"_s}
                                          << u"Cannot read the API key file"_s;
        QTest::newRow("key file alone") << QStringList{u"--api-key-file"_s, u"/tmp/k"_s} << u"only makes sense with --connect"_s;
        QTest::newRow("unknown option") << QStringList{u"--frobnicate"_s} << u"frobnicate"_s;
    }

    void refusesWhatCannotWork()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        const CommandLine line = parseCommandLine(QStringList{u"banata-operator"_s} + arguments);
        QVERIFY(line.exitNow);
        QCOMPARE(line.exitCode, 2);
        QVERIFY2(line.message.contains(message), qPrintable(line.message));
    }
};

QTEST_GUILESS_MAIN(TestCommandLine)
#include "test_commandline.moc"
