// SPDX-License-Identifier: MIT
#pragma once

#include "session/connectionconfig.h"

#include <QDialog>
#include <optional>

class QCheckBox;
class QLineEdit;
class QPushButton;
class QTreeWidget;

namespace banata {

class AppSettings;
class ConnectionManager;
class MessageBar;
class SecretStore;

/**
 * Settings, applied as they change: the operator's name (shown in timelines and handoffs),
 * notifications, where downloads go, whether restoring a checkpoint saves the current state first,
 * the local server, and remote connections. A remote's API key goes to the
 * SecretStore (the keychain), its name and URL to AppSettings; the app connects or disconnects
 * when AppSettings says the connections changed. Keychain errors show inline.
 */
class SettingsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SettingsDialog)

public:
    SettingsDialog(AppSettings *settings, SecretStore *secrets, ConnectionManager *connections,
                   QWidget *parent = nullptr);

private:
    void addConnection();
    void removeConnection();
    void writeFinished(const QString &account, const QString &error);
    void removeFinished(const QString &account, const QString &error);
    void rebuildList();
    void updateButtons();
    void chooseDownloadFolder();
    void applyDownloadFolder(const QString &folder);

    AppSettings *m_settings;
    SecretStore *m_secrets;
    ConnectionManager *m_connections;
    MessageBar *m_message;
    QLineEdit *m_operatorName;
    QCheckBox *m_notify;
    QLineEdit *m_downloadFolder;
    QPushButton *m_browseDownloadFolder;
    QCheckBox *m_checkpointBeforeRestore;
    QCheckBox *m_local;
    QTreeWidget *m_list;
    QLineEdit *m_newName;
    QLineEdit *m_newUrl;
    QLineEdit *m_newKey;
    QPushButton *m_add;
    QPushButton *m_remove;
    std::optional<ConnectionConfig> m_pendingAdd; ///< waiting for its key to be stored
    QString m_pendingRemoveName;
};

} // namespace banata
