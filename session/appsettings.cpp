// SPDX-License-Identifier: MIT
#include "session/appsettings.h"

#include <QLoggingCategory>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcSettings, "banata.session.settings")

namespace banata {

namespace {

/// The one table of settings keys: nothing else in the app names a key string.
struct Entry
{
    AppSettings::Key key;
    QLatin1StringView name;
    QVariant (*defaultValue)();
};

QVariant noDefault()
{
    return {};
}

QVariant defaultTrue()
{
    return true;
}

QVariant defaultFalse()
{
    return false;
}

QVariant defaultOperatorName()
{
    QString name = qEnvironmentVariable("USER");
    if (name.isEmpty())
        name = qEnvironmentVariable("LOGNAME");
    if (name.isEmpty())
        name = u"operator"_s;
    return name;
}

QVariant defaultLocalDataDir()
{
    return QString(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + u"/banata-local"_s);
}

QVariant defaultDownloadFolder()
{
    return QStandardPaths::writableLocation(QStandardPaths::DownloadLocation);
}

using K = AppSettings::Key;
const Entry kEntries[] = {
    {K::OperatorName, "operator/name"_L1, defaultOperatorName},
    {K::Connections, "connections"_L1, noDefault},
    {K::LocalEnabled, "local/enabled"_L1, defaultTrue},
    {K::LocalDataDir, "local/dataDir"_L1, defaultLocalDataDir},
    {K::NotifyOnHandoff, "notifications/handoff"_L1, defaultTrue},
    {K::MainWindowGeometry, "layout/mainWindowGeometry"_L1, noDefault},
    {K::MainWindowState, "layout/mainWindowState"_L1, noDefault},
    {K::MainSplitterState, "layout/mainSplitterState"_L1, noDefault},
    {K::SandboxListHeader, "layout/sandboxListHeader"_L1, noDefault},
    {K::InboxHeader, "layout/inboxHeader"_L1, noDefault},
    {K::HideEnded, "list/hideEnded"_L1, defaultFalse},
    {K::CheckpointBeforeHandoff, "handoff/checkpointFirst"_L1, defaultFalse},
    {K::DownloadFolder, "downloads/folder"_L1, defaultDownloadFolder},
    {K::CheckpointBeforeRestore, "checkpoints/checkpointBeforeRestore"_L1, defaultTrue},
    {K::FilesSplitterState, "layout/filesSplitterState"_L1, noDefault},
    {K::FilesTreeHeader, "layout/filesTreeHeader"_L1, noDefault},
};

const Entry &entryFor(AppSettings::Key key)
{
    for (const Entry &entry : kEntries) {
        if (entry.key == key)
            return entry;
    }
    Q_UNREACHABLE();
}

bool isLayoutKey(AppSettings::Key key)
{
    switch (key) {
    case K::MainWindowGeometry:
    case K::MainWindowState:
    case K::MainSplitterState:
    case K::SandboxListHeader:
    case K::InboxHeader:
    case K::FilesSplitterState:
    case K::FilesTreeHeader:
        return true;
    default:
        return false;
    }
}

QString kindName(ConnectionConfig::Kind kind)
{
    return kind == ConnectionConfig::Kind::Local ? u"local"_s : u"remote"_s;
}

} // namespace

AppSettings::AppSettings(QObject *parent)
    : QObject(parent)
    , m_settings(std::make_unique<QSettings>(QSettings::IniFormat, QSettings::UserScope, u"Banata"_s,
                                             u"banata-operator"_s))
{
}

AppSettings::AppSettings(const QString &fileName, QObject *parent)
    : QObject(parent)
    , m_settings(std::make_unique<QSettings>(fileName, QSettings::IniFormat))
{
}

AppSettings::~AppSettings() = default;

QString AppSettings::operatorName() const
{
    const QString name = value(Key::OperatorName).toString().trimmed();
    return name.isEmpty() ? defaultOperatorName().toString() : name;
}

void AppSettings::setOperatorName(const QString &name)
{
    setValue(Key::OperatorName, name.trimmed());
}

QList<ConnectionConfig> AppSettings::connections() const
{
    QList<ConnectionConfig> result;
    const int count = m_settings->beginReadArray(entryFor(Key::Connections).name);
    for (int i = 0; i < count; ++i) {
        m_settings->setArrayIndex(i);
        ConnectionConfig config;
        config.id = m_settings->value(u"id"_s).toString();
        config.name = m_settings->value(u"name"_s).toString();
        config.baseUrl = QUrl(m_settings->value(u"url"_s).toString());
        config.kind = m_settings->value(u"kind"_s).toString() == u"local" ? ConnectionConfig::Kind::Local
                                                                          : ConnectionConfig::Kind::Remote;
        if (config.id.isEmpty()) {
            qCWarning(lcSettings) << "skipped a saved connection without an id";
            continue;
        }
        result.append(config);
    }
    m_settings->endArray();
    return result;
}

void AppSettings::setConnections(const QList<ConnectionConfig> &connections)
{
    if (connections == this->connections())
        return;
    const QString group = entryFor(Key::Connections).name;
    m_settings->remove(group); // an array only shrinks by being rewritten
    m_settings->beginWriteArray(group, int(connections.size()));
    for (int i = 0; i < connections.size(); ++i) {
        const ConnectionConfig &config = connections.at(i);
        m_settings->setArrayIndex(i);
        m_settings->setValue(u"id"_s, config.id);
        m_settings->setValue(u"name"_s, config.name);
        m_settings->setValue(u"url"_s, config.baseUrl.toString());
        m_settings->setValue(u"kind"_s, kindName(config.kind));
    }
    m_settings->endArray();
    Q_EMIT changed(Key::Connections);
}

bool AppSettings::localEnabled() const
{
    return value(Key::LocalEnabled).toBool();
}

void AppSettings::setLocalEnabled(bool on)
{
    setValue(Key::LocalEnabled, on);
}

QString AppSettings::localDataDir() const
{
    const QString dir = value(Key::LocalDataDir).toString();
    return dir.isEmpty() ? defaultLocalDataDir().toString() : dir;
}

void AppSettings::setLocalDataDir(const QString &dir)
{
    setValue(Key::LocalDataDir, dir);
}

bool AppSettings::notifyOnHandoff() const
{
    return value(Key::NotifyOnHandoff).toBool();
}

void AppSettings::setNotifyOnHandoff(bool on)
{
    setValue(Key::NotifyOnHandoff, on);
}

bool AppSettings::hideEnded() const
{
    return value(Key::HideEnded).toBool();
}

void AppSettings::setHideEnded(bool on)
{
    setValue(Key::HideEnded, on);
}

bool AppSettings::checkpointBeforeHandoff() const
{
    return value(Key::CheckpointBeforeHandoff).toBool();
}

void AppSettings::setCheckpointBeforeHandoff(bool on)
{
    setValue(Key::CheckpointBeforeHandoff, on);
}

QString AppSettings::downloadFolder() const
{
    return value(Key::DownloadFolder).toString();
}

void AppSettings::setDownloadFolder(const QString &folder)
{
    setValue(Key::DownloadFolder, folder);
}

bool AppSettings::checkpointBeforeRestore() const
{
    return value(Key::CheckpointBeforeRestore).toBool();
}

void AppSettings::setCheckpointBeforeRestore(bool on)
{
    setValue(Key::CheckpointBeforeRestore, on);
}

QByteArray AppSettings::layout(Key key) const
{
    if (!isLayoutKey(key)) {
        qCWarning(lcSettings) << key << "is not a layout setting";
        return {};
    }
    return value(key).toByteArray();
}

void AppSettings::setLayout(Key key, const QByteArray &state)
{
    if (!isLayoutKey(key)) {
        qCWarning(lcSettings) << key << "is not a layout setting";
        return;
    }
    setValue(key, state);
}

QString AppSettings::fileName() const
{
    return m_settings->fileName();
}

void AppSettings::sync()
{
    m_settings->sync();
    if (m_settings->status() != QSettings::NoError)
        qCWarning(lcSettings) << "could not write" << m_settings->fileName() << m_settings->status();
}

QVariant AppSettings::value(Key key) const
{
    const Entry &entry = entryFor(key);
    return m_settings->value(entry.name, entry.defaultValue());
}

void AppSettings::setValue(Key key, const QVariant &value)
{
    const Entry &entry = entryFor(key);
    // Compare in the type the setter gave: an INI file hands values back as strings.
    QVariant current = this->value(key);
    if (current.isValid() && current.metaType() != value.metaType())
        current.convert(value.metaType());
    if (current == value)
        return;
    m_settings->setValue(entry.name, value);
    Q_EMIT changed(key);
}

} // namespace banata
