// SPDX-License-Identifier: MIT
#include "app/appcontroller.h"

#include "app/keychainsecretstore.h"
#include "app/localserverlauncher.h"
#include "app/modelbinding.h"
#include "core/downloads/downloadmanager.h"
#include "models/handoffinboxmodel.h"
#include "models/operatorjournal.h"
#include "models/sandboxlistmodel.h"
#include "session/appsettings.h"
#include "session/connectionmanager.h"
#include "session/secretstore.h"
#include "ui/mainwindow.h"

#include <QDir>
#include <QLoggingCategory>
#include <QSet>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcAppController, "banata.app.controller", QtInfoMsg)

namespace banata {

namespace {

const QString kLocalId = u"local"_s;
const QString kCommandLineId = u"cli"_s;

QString defaultJournalPath()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    QDir().mkpath(dir);
    return QDir(dir).filePath(u"journal.jsonl"_s);
}

} // namespace

AppController::AppController(AppOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
{
    m_settings = m_options.settingsFile.isEmpty() ? std::make_unique<AppSettings>()
                                                  : std::make_unique<AppSettings>(m_options.settingsFile);
    if (m_options.useKeychain && !m_options.connectUrl)
        m_secrets = std::make_unique<KeychainSecretStore>();
    else
        m_secrets = std::make_unique<MemorySecretStore>();
    m_journal = std::make_unique<OperatorJournal>(m_options.journalFile.isEmpty() ? defaultJournalPath()
                                                                                   : m_options.journalFile);
    if (!m_journal->errorString().isEmpty())
        qCWarning(lcAppController).noquote() << "journal:" << m_journal->errorString();
    m_connections = std::make_unique<ConnectionManager>(&m_network);
    m_sandboxes = std::make_unique<SandboxListModel>();
    m_inbox = std::make_unique<HandoffInboxModel>();
    bindModels(m_connections.get(), m_sandboxes.get(), m_inbox.get());
    m_downloads = std::make_unique<DownloadManager>();

    m_window = std::make_unique<MainWindow>(MainWindowContext{m_connections.get(), m_sandboxes.get(), m_inbox.get(),
                                                              m_journal.get(), m_settings.get(), m_secrets.get(),
                                                              m_downloads.get()});

    connect(m_secrets.get(), &SecretStore::readFinished, this,
            [this](const QString &account, const QString &secret, const QString &error) {
                Connection *connection = m_connections->connection(account);
                if (!connection || connection->isStarted())
                    return;
                if (!error.isEmpty()) {
                    m_window->showConnectionProblem(connection->name(), error);
                    return;
                }
                connection->start(secret);
            });
    connect(m_settings.get(), &AppSettings::changed, this, [this](AppSettings::Key key) {
        if (m_options.connectUrl)
            return;
        if (key == AppSettings::Key::Connections)
            syncRemoteConnections();
        else if (key == AppSettings::Key::LocalEnabled)
            m_settings->localEnabled() ? startLocal() : m_connections->remove(kLocalId);
    });
}

AppController::~AppController()
{
    // The window's views hold the models: it goes first.
    m_window.reset();
}

void AppController::start()
{
    if (m_options.connectUrl) {
        const QUrl url = *m_options.connectUrl;
        ConnectionConfig config{kCommandLineId, url.host() + (url.port() > 0 ? u":%1"_s.arg(url.port()) : QString()),
                                url, ConnectionConfig::Kind::Remote};
        m_connections->add(config)->start(m_options.apiKey);
        return;
    }
    if (m_settings->localEnabled())
        startLocal();
    syncRemoteConnections();
}

void AppController::startLocal()
{
    if (m_launcher || m_connections->connection(kLocalId))
        return;
    const QString dataDir = m_options.localDataDir.isEmpty() ? m_settings->localDataDir() : m_options.localDataDir;
    m_launcher = std::make_unique<LocalServerLauncher>(&m_network, dataDir, m_options.localServerBinary);
    connect(m_launcher.get(), &LocalServerLauncher::statusChanged, this,
            [this](const QString &text) { m_window->showLocalServerStatus(text, /*failed=*/false); });
    connect(m_launcher.get(), &LocalServerLauncher::failed, this,
            [this](const QString &reason) { m_window->showLocalServerStatus(reason, /*failed=*/true); });
    connect(m_launcher.get(), &LocalServerLauncher::ready, this, [this](const QUrl &url, const QString &apiKey) {
        m_window->showLocalServerStatus({}, /*failed=*/false);
        ConnectionConfig config{kLocalId, tr("Local"), url, ConnectionConfig::Kind::Local};
        m_connections->add(config)->start(apiKey);
        m_launcher.release()->deleteLater();
    });
    m_launcher->start();
}

void AppController::syncRemoteConnections()
{
    const QList<ConnectionConfig> wanted = m_settings->connections();
    QSet<QString> wantedIds;
    for (const ConnectionConfig &config : wanted) {
        if (config.kind != ConnectionConfig::Kind::Remote)
            continue;
        wantedIds.insert(config.id);
        Connection *existing = m_connections->connection(config.id);
        if (existing && existing->config().baseUrl == config.baseUrl) {
            existing->setName(config.name);
            m_sandboxes->setConnectionName(config.id, config.name);
            m_inbox->setConnectionName(config.id, config.name);
            continue;
        }
        if (existing)
            m_connections->remove(config.id);
        m_connections->add(config);
        m_secrets->read(config.id);
    }
    const QList<Connection *> current = m_connections->connections();
    for (Connection *connection : current) {
        if (connection->config().kind == ConnectionConfig::Kind::Remote && connection->id() != kCommandLineId
            && !wantedIds.contains(connection->id()))
            m_connections->remove(connection->id());
    }
}

} // namespace banata
