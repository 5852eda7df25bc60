// SPDX-License-Identifier: MIT
#pragma once

#include "session/connectionconfig.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QSettings>

#include <memory>

namespace banata {

/**
 * Every setting of the app, typed, over one QSettings (an INI file). Key strings and defaults
 * live in one table in appsettings.cpp; nothing else in the app names a settings key. Secrets
 * never go here (see SecretStore).
 *
 * Usage: AppSettings settings;  // the user's file
 *        AppSettings settings(tempDir.filePath(u"settings.ini"_s)); // tests
 */
class AppSettings final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AppSettings)

public:
    enum class Key {
        OperatorName,        ///< QString; default: the login name
        Connections,         ///< the saved remote connections (Local is implicit unless disabled)
        LocalEnabled,        ///< bool, default true: attach to / start banata-local
        LocalDataDir,        ///< QString; default ~/.local/share/banata-local
        NotifyOnHandoff,     ///< bool, default true
        MainWindowGeometry,  ///< QByteArray
        MainWindowState,     ///< QByteArray
        MainSplitterState,   ///< QByteArray
        SandboxListHeader,   ///< QByteArray: column order, widths, sort
        InboxHeader,         ///< QByteArray
        HideEnded,           ///< bool, default false
        CheckpointBeforeHandoff, ///< bool, default false: accepting a handoff checkpoints first
        DownloadFolder,      ///< QString; default the user's Downloads folder
        CheckpointBeforeRestore, ///< bool, default true: restoring checkpoints the current state first
        FilesSplitterState,  ///< QByteArray: the Files tab's tree / preview split
        FilesTreeHeader,     ///< QByteArray
    };
    Q_ENUM(Key)

    /// The user's settings file (QSettings::IniFormat, UserScope, organisation "Banata").
    explicit AppSettings(QObject *parent = nullptr);
    /// A specific file (tests, --settings).
    explicit AppSettings(const QString &fileName, QObject *parent = nullptr);
    ~AppSettings() override;

    QString operatorName() const;
    void setOperatorName(const QString &name);
    QList<ConnectionConfig> connections() const;
    void setConnections(const QList<ConnectionConfig> &connections);
    bool localEnabled() const;
    void setLocalEnabled(bool on);
    QString localDataDir() const;
    void setLocalDataDir(const QString &dir);
    bool notifyOnHandoff() const;
    void setNotifyOnHandoff(bool on);
    bool hideEnded() const;
    void setHideEnded(bool on);
    bool checkpointBeforeHandoff() const;
    void setCheckpointBeforeHandoff(bool on);
    /// Where "Download" saves (the operator can pick another each time with "Download to…").
    QString downloadFolder() const;
    void setDownloadFolder(const QString &folder);
    bool checkpointBeforeRestore() const;
    void setCheckpointBeforeRestore(bool on);

    /// Opaque UI layout blobs (geometry, header and splitter states).
    QByteArray layout(Key key) const;
    void setLayout(Key key, const QByteArray &state);

    QString fileName() const;
    void sync();

Q_SIGNALS:
    void changed(banata::AppSettings::Key key);

private:
    QVariant value(Key key) const;
    void setValue(Key key, const QVariant &value);

    std::unique_ptr<QSettings> m_settings;
};

} // namespace banata
