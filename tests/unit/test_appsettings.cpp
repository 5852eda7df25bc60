// SPDX-License-Identifier: MIT
// The typed settings: defaults a new user gets, values surviving a restart (a new AppSettings on
// the same INI file), changed() only for real changes, and the saved connections.
#include "session/appsettings.h"
#include "session/secretstore.h"

#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace banata;
using namespace Qt::StringLiterals;

class TestAppSettings : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }

    void defaults()
    {
        AppSettings settings(path());
        const QString login = qEnvironmentVariable("USER", qEnvironmentVariable("LOGNAME", u"operator"_s));
        QCOMPARE(settings.operatorName(), login.isEmpty() ? u"operator"_s : login);
        QVERIFY(settings.connections().isEmpty());
        QVERIFY(settings.localEnabled());
        QCOMPARE(settings.localDataDir(),
                 QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + u"/banata-local"_s);
        QVERIFY(settings.notifyOnHandoff());
        QVERIFY(!settings.hideEnded());
        QVERIFY(settings.layout(AppSettings::Key::MainWindowGeometry).isEmpty());
        QCOMPARE(settings.fileName(), path());
    }

    void operatorNameFallsBackToTheLoginName()
    {
        qputenv("USER", "ana");
        AppSettings settings(path());
        QCOMPARE(settings.operatorName(), u"ana"_s);
        settings.setOperatorName(u"  Ana Lima  "_s);
        QCOMPARE(settings.operatorName(), u"Ana Lima"_s);
        settings.setOperatorName(QString());
        QCOMPARE(settings.operatorName(), u"ana"_s); // an empty name is never shown
    }

    void roundTripThroughTheFile()
    {
        const QList<ConnectionConfig> connections = {
            {u"local"_s, u"Local"_s, QUrl(u"http://127.0.0.1:8787"_s), ConnectionConfig::Kind::Local},
            {u"6a1f-cloud"_s, u"Cloud (prod)"_s, QUrl(u"https://api.boxes.banata.dev"_s), ConnectionConfig::Kind::Remote},
        };
        {
            AppSettings settings(path());
            settings.setOperatorName(u"Ana"_s);
            settings.setConnections(connections);
            settings.setLocalEnabled(false);
            settings.setLocalDataDir(u"/srv/banata"_s);
            settings.setNotifyOnHandoff(false);
            settings.setHideEnded(true);
            settings.setLayout(AppSettings::Key::SandboxListHeader, QByteArray("\x00\x01header\xff", 9));
            settings.sync();
        }
        AppSettings again(path());
        QCOMPARE(again.operatorName(), u"Ana"_s);
        QCOMPARE(again.connections(), connections);
        QVERIFY(!again.localEnabled());
        QCOMPARE(again.localDataDir(), u"/srv/banata"_s);
        QVERIFY(!again.notifyOnHandoff());
        QVERIFY(again.hideEnded());
        QCOMPARE(again.layout(AppSettings::Key::SandboxListHeader), QByteArray("\x00\x01header\xff", 9));
        QVERIFY(again.layout(AppSettings::Key::InboxHeader).isEmpty());
    }

    void changedOnlyOnRealChanges()
    {
        AppSettings settings(path());
        QSignalSpy spy(&settings, &AppSettings::changed);
        settings.setLocalEnabled(true); // already the default
        settings.setHideEnded(false);
        QCOMPARE(spy.count(), 0);
        settings.setHideEnded(true);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).value<AppSettings::Key>(), AppSettings::Key::HideEnded);
        settings.setHideEnded(true);
        QCOMPARE(spy.count(), 1);

        settings.setLayout(AppSettings::Key::MainWindowState, "abc");
        settings.setLayout(AppSettings::Key::MainWindowState, "abc");
        QCOMPARE(spy.count(), 2);
        QCOMPARE(spy.at(1).at(0).value<AppSettings::Key>(), AppSettings::Key::MainWindowState);

        // The same value read back from the file (as a string) is still no change.
        settings.sync();
        AppSettings reopened(path());
        QSignalSpy reopenedSpy(&reopened, &AppSettings::changed);
        reopened.setHideEnded(true);
        reopened.setLayout(AppSettings::Key::MainWindowState, "abc");
        QCOMPARE(reopenedSpy.count(), 0);
    }

    void connectionsArray()
    {
        AppSettings settings(path());
        QSignalSpy spy(&settings, &AppSettings::changed);
        ConnectionConfig a{u"a"_s, u"Staging"_s, QUrl(u"https://staging.example"_s), ConnectionConfig::Kind::Remote};
        ConnectionConfig b{u"b"_s, u"Prod"_s, QUrl(u"https://prod.example"_s), ConnectionConfig::Kind::Remote};
        settings.setConnections({a, b});
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).value<AppSettings::Key>(), AppSettings::Key::Connections);
        settings.setConnections({a, b});
        QCOMPARE(spy.count(), 1);

        // Shrinking the array leaves no stale entries behind.
        b.name = u"Production"_s;
        settings.setConnections({b});
        QCOMPARE(spy.count(), 2);
        settings.sync();
        AppSettings again(path());
        QCOMPARE(again.connections(), QList<ConnectionConfig>{b});
        settings.setConnections({});
        QVERIFY(settings.connections().isEmpty());
        QCOMPARE(spy.count(), 3);
    }

    void memorySecretStoreAnswersOnceAndLater()
    {
        MemorySecretStore store;
        QSignalSpy reads(&store, &SecretStore::readFinished);
        QSignalSpy writes(&store, &SecretStore::writeFinished);
        QSignalSpy removes(&store, &SecretStore::removeFinished);

        store.write(u"cloud"_s, u"br_live_secret"_s);
        QCOMPARE(writes.count(), 0); // never from inside the call
        QTRY_COMPARE(writes.count(), 1);
        QCOMPARE(writes.at(0).at(1).toString(), QString());

        store.read(u"cloud"_s);
        QTRY_COMPARE(reads.count(), 1);
        QCOMPARE(reads.at(0).at(1).toString(), u"br_live_secret"_s);
        QVERIFY(reads.at(0).at(2).toString().isEmpty());

        store.remove(u"cloud"_s);
        QTRY_COMPARE(removes.count(), 1);
        store.read(u"cloud"_s);
        QTRY_COMPARE(reads.count(), 2);
        QVERIFY(reads.at(1).at(1).toString().isEmpty());
        QVERIFY(!reads.at(1).at(2).toString().isEmpty());
        QCoreApplication::processEvents();
        QCOMPARE(writes.count(), 1);
        QCOMPARE(removes.count(), 1);
    }

private:
    QString path() const { return m_dir->filePath(u"settings.ini"_s); }

    std::unique_ptr<QTemporaryDir> m_dir;
};

QTEST_GUILESS_MAIN(TestAppSettings)
#include "test_appsettings.moc"
