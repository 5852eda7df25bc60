// SPDX-License-Identifier: MIT
#include "settingsdialog.h"

#include "session/appsettings.h"
#include "session/connectionmanager.h"
#include "session/secretstore.h"
#include "ui/messagebar.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QLoggingCategory>
#include <QPushButton>
#include <QSet>
#include <QTreeWidget>
#include <QUuid>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcSettingsDialog, "banata.ui.settings")

namespace banata {

namespace {
const QString kLocalId = u"local"_s;
constexpr int kIdRole = Qt::UserRole;
constexpr int kRemovableRole = Qt::UserRole + 1;
} // namespace

SettingsDialog::SettingsDialog(AppSettings *settings, SecretStore *secrets, ConnectionManager *connections,
                               QWidget *parent)
    : QDialog(parent)
    , m_settings(settings)
    , m_secrets(secrets)
    , m_connections(connections)
    , m_message(new MessageBar(this))
    , m_operatorName(new QLineEdit(this))
    , m_notify(new QCheckBox(tr("Notify me when a sandbox needs me"), this))
    , m_downloadFolder(new QLineEdit(this))
    , m_browseDownloadFolder(new QPushButton(tr("&Browse…"), this))
    , m_checkpointBeforeRestore(new QCheckBox(tr("Save the current state as a checkpoint before &restoring one"), this))
    , m_local(new QCheckBox(tr("Use the local server (banata-local)"), this))
    , m_list(new QTreeWidget(this))
    , m_newName(new QLineEdit(this))
    , m_newUrl(new QLineEdit(this))
    , m_newKey(new QLineEdit(this))
    , m_add(new QPushButton(tr("&Add connection"), this))
    , m_remove(new QPushButton(tr("&Remove"), this))
{
    setObjectName(u"settingsDialog"_s);
    setWindowTitle(tr("Settings"));
    m_message->setObjectName(u"settingsMessage"_s);

    m_operatorName->setObjectName(u"operatorNameEdit"_s);
    m_operatorName->setText(m_settings->operatorName());
    m_operatorName->setToolTip(tr("How you appear in timelines and when you take a handoff"));
    connect(m_operatorName, &QLineEdit::editingFinished, this, [this] {
        const QString name = m_operatorName->text().trimmed();
        if (!name.isEmpty() && name != m_settings->operatorName())
            m_settings->setOperatorName(name);
    });
    m_notify->setObjectName(u"notifyCheck"_s);
    m_notify->setChecked(m_settings->notifyOnHandoff());
    connect(m_notify, &QCheckBox::toggled, m_settings, &AppSettings::setNotifyOnHandoff);
    m_downloadFolder->setObjectName(u"downloadFolderEdit"_s);
    m_downloadFolder->setText(QDir::toNativeSeparators(m_settings->downloadFolder()));
    m_downloadFolder->setToolTip(tr("Where downloads from a sandbox's files are saved"));
    connect(m_downloadFolder, &QLineEdit::editingFinished, this,
            [this] { applyDownloadFolder(m_downloadFolder->text().trimmed()); });
    m_browseDownloadFolder->setObjectName(u"browseDownloadFolderButton"_s);
    connect(m_browseDownloadFolder, &QPushButton::clicked, this, &SettingsDialog::chooseDownloadFolder);
    m_checkpointBeforeRestore->setObjectName(u"checkpointBeforeRestoreCheck"_s);
    m_checkpointBeforeRestore->setToolTip(tr("Restoring replaces the workspace and browser profile; a checkpoint "
                                             "first lets you undo it. You can still choose each time."));
    m_checkpointBeforeRestore->setChecked(m_settings->checkpointBeforeRestore());
    connect(m_checkpointBeforeRestore, &QCheckBox::toggled, m_settings, &AppSettings::setCheckpointBeforeRestore);
    m_local->setObjectName(u"localEnabledCheck"_s);
    m_local->setChecked(m_settings->localEnabled());
    connect(m_local, &QCheckBox::toggled, m_settings, &AppSettings::setLocalEnabled);

    m_list->setObjectName(u"connectionsList"_s);
    m_list->setHeaderLabels({tr("Name"), tr("URL"), tr("Status")});
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->header()->setStretchLastSection(true);
    m_list->setMinimumHeight(110);
    connect(m_list, &QTreeWidget::currentItemChanged, this, &SettingsDialog::updateButtons);
    m_remove->setObjectName(u"removeConnectionButton"_s);
    connect(m_remove, &QPushButton::clicked, this, &SettingsDialog::removeConnection);

    m_newName->setObjectName(u"connectionNameEdit"_s);
    m_newName->setPlaceholderText(tr("e.g. Banata cloud"));
    m_newUrl->setObjectName(u"connectionUrlEdit"_s);
    m_newUrl->setPlaceholderText(u"https://api.boxes.banata.dev"_s);
    m_newKey->setObjectName(u"connectionKeyEdit"_s);
    m_newKey->setEchoMode(QLineEdit::Password);
    m_newKey->setPlaceholderText(tr("br_live_… (kept in the keychain)"));
    m_add->setObjectName(u"addConnectionButton"_s);
    connect(m_add, &QPushButton::clicked, this, &SettingsDialog::addConnection);
    for (QLineEdit *edit : {m_newName, m_newUrl, m_newKey})
        connect(edit, &QLineEdit::textChanged, this, &SettingsDialog::updateButtons);

    connect(m_secrets, &SecretStore::writeFinished, this, &SettingsDialog::writeFinished);
    connect(m_secrets, &SecretStore::removeFinished, this, &SettingsDialog::removeFinished);
    connect(m_settings, &AppSettings::changed, this, [this](AppSettings::Key key) {
        if (key == AppSettings::Key::Connections || key == AppSettings::Key::LocalEnabled)
            rebuildList();
        // The restore dialog remembers its choice: keep the box in step.
        if (key == AppSettings::Key::CheckpointBeforeRestore) {
            const QSignalBlocker blocker(m_checkpointBeforeRestore);
            m_checkpointBeforeRestore->setChecked(m_settings->checkpointBeforeRestore());
        }
    });
    connect(m_connections, &ConnectionManager::connectionAdded, this, &SettingsDialog::rebuildList);
    connect(m_connections, &ConnectionManager::connectionAboutToBeRemoved, this, &SettingsDialog::rebuildList);

    auto *general = new QFormLayout;
    general->addRow(tr("&Your name:"), m_operatorName);
    general->addRow(QString(), m_notify);
    auto *folderRow = new QHBoxLayout;
    folderRow->addWidget(m_downloadFolder, 1);
    folderRow->addWidget(m_browseDownloadFolder);
    general->addRow(tr("&Downloads:"), folderRow);
    general->addRow(QString(), m_checkpointBeforeRestore);

    auto *addForm = new QFormLayout;
    addForm->addRow(tr("Na&me:"), m_newName);
    addForm->addRow(tr("&URL:"), m_newUrl);
    addForm->addRow(tr("API &key:"), m_newKey);
    auto *listButtons = new QHBoxLayout;
    listButtons->addStretch(1);
    listButtons->addWidget(m_remove);
    listButtons->addWidget(m_add);
    auto *connectionsBox = new QGroupBox(tr("Connections"), this);
    auto *connectionsLayout = new QVBoxLayout(connectionsBox);
    connectionsLayout->addWidget(m_local);
    connectionsLayout->addWidget(m_list);
    connectionsLayout->addLayout(addForm);
    connectionsLayout->addLayout(listButtons);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_message);
    layout->addLayout(general);
    layout->addWidget(connectionsBox, 1);
    layout->addWidget(buttons);
    resize(560, 540);
    rebuildList();
}

void SettingsDialog::addConnection()
{
    const QString name = m_newName->text().trimmed();
    const QUrl url = QUrl::fromUserInput(m_newUrl->text().trimmed());
    const QString key = m_newKey->text();
    if (name.isEmpty() || key.isEmpty()) {
        m_message->showMessage(tr("A connection needs a name and an API key."), MessageBar::Warning);
        return;
    }
    if (!url.isValid() || (url.scheme() != u"https"_s && url.scheme() != u"http"_s) || url.host().isEmpty()) {
        m_message->showMessage(tr("“%1” is not an http or https URL.").arg(m_newUrl->text()), MessageBar::Warning);
        return;
    }
    ConnectionConfig config;
    config.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    config.name = name;
    config.baseUrl = url;
    config.kind = ConnectionConfig::Kind::Remote;
    m_pendingAdd = config;
    m_add->setEnabled(false);
    m_message->showMessage(tr("Saving the key in the keychain…"), MessageBar::Info);
    // The key first: a connection saved without its key would only fail later, less clearly.
    m_secrets->write(config.id, key);
}

void SettingsDialog::writeFinished(const QString &account, const QString &error)
{
    if (!m_pendingAdd || m_pendingAdd->id != account)
        return;
    const ConnectionConfig config = *m_pendingAdd;
    m_pendingAdd.reset();
    updateButtons();
    if (!error.isEmpty()) {
        qCWarning(lcSettingsDialog) << "keychain write failed for" << account;
        m_message->showMessage(tr("Could not store the API key in the keychain: %1").arg(error), MessageBar::Error);
        return;
    }
    QList<ConnectionConfig> all = m_settings->connections();
    all.append(config);
    m_settings->setConnections(all);
    m_newName->clear();
    m_newUrl->clear();
    m_newKey->clear();
    m_message->showMessage(tr("Added “%1”.").arg(config.name), MessageBar::Positive, 5000);
}

void SettingsDialog::removeConnection()
{
    const QTreeWidgetItem *item = m_list->currentItem();
    const QString id = item ? item->data(0, kIdRole).toString() : QString();
    if (id.isEmpty() || !item->data(0, kRemovableRole).toBool())
        return;
    QList<ConnectionConfig> all = m_settings->connections();
    m_pendingRemoveName = item->text(0);
    all.removeIf([&id](const ConnectionConfig &config) { return config.id == id; });
    // The app stops using it first; then its key leaves the keychain.
    m_settings->setConnections(all);
    m_secrets->remove(id);
}

void SettingsDialog::removeFinished(const QString &account, const QString &error)
{
    Q_UNUSED(account)
    if (m_pendingRemoveName.isEmpty())
        return;
    const QString name = std::exchange(m_pendingRemoveName, QString());
    if (error.isEmpty())
        m_message->showMessage(tr("Removed “%1”.").arg(name), MessageBar::Positive, 5000);
    else
        m_message->showMessage(tr("Removed “%1”, but its key could not be deleted from the keychain: %2").arg(name, error),
                               MessageBar::Warning);
}

void SettingsDialog::chooseDownloadFolder()
{
    auto *dialog = new QFileDialog(this, tr("Save downloads in"), m_settings->downloadFolder());
    dialog->setObjectName(u"downloadFolderDialog"_s);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::Directory);
    dialog->setOption(QFileDialog::ShowDirsOnly);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &folder) {
        m_downloadFolder->setText(QDir::toNativeSeparators(folder));
        applyDownloadFolder(folder);
    });
    dialog->open();
}

void SettingsDialog::applyDownloadFolder(const QString &folder)
{
    const QString path = QDir::fromNativeSeparators(folder);
    if (path.isEmpty() || QDir::cleanPath(path) == QDir::cleanPath(m_settings->downloadFolder()))
        return;
    // Downloads go only into a folder that exists: a half-typed path must not create folders.
    const QFileInfo info(path);
    if (!info.isDir()) {
        m_message->showMessage(tr("“%1” is not a folder; downloads still go to “%2”.")
                                   .arg(folder, QDir::toNativeSeparators(m_settings->downloadFolder())),
                               MessageBar::Warning);
        return;
    }
    if (!info.isWritable()) {
        m_message->showMessage(tr("You cannot write in “%1”.").arg(folder), MessageBar::Warning);
        return;
    }
    m_settings->setDownloadFolder(info.absoluteFilePath());
    m_message->showMessage(tr("Downloads go to “%1”.").arg(QDir::toNativeSeparators(info.absoluteFilePath())),
                           MessageBar::Positive, 4000);
}

void SettingsDialog::rebuildList()
{
    const QString current = m_list->currentItem() ? m_list->currentItem()->data(0, kIdRole).toString() : QString();
    m_list->clear();
    auto addRow = [this](const QString &id, const QString &name, const QString &url, bool removable) {
        const Connection *connection = m_connections->connection(id);
        QString status = connection ? connection->statusText() : tr("Not connected");
        if (connection && status.isEmpty())
            status = tr("Connected");
        auto *item = new QTreeWidgetItem(m_list, {name, url, status});
        item->setData(0, kIdRole, id);
        item->setData(0, kRemovableRole, removable);
        return item;
    };
    const Connection *local = m_connections->connection(kLocalId);
    QTreeWidgetItem *localItem =
        addRow(kLocalId, tr("Local"), local ? local->config().baseUrl.toDisplayString() : tr("loopback"), false);
    localItem->setToolTip(0, tr("The local server cannot be removed; turn it off above."));
    if (!m_settings->localEnabled())
        localItem->setText(2, tr("Off"));
    QSet<QString> saved;
    for (const ConnectionConfig &config : m_settings->connections()) {
        if (config.kind != ConnectionConfig::Kind::Remote)
            continue;
        saved.insert(config.id);
        addRow(config.id, config.name, config.baseUrl.toDisplayString(), true);
    }
    // Connections the app runs but settings do not hold (--connect): shown, not editable here.
    for (const Connection *connection : m_connections->connections()) {
        if (connection->id() == kLocalId || saved.contains(connection->id()))
            continue;
        QTreeWidgetItem *item = addRow(connection->id(), connection->name(), connection->config().baseUrl.toDisplayString(), false);
        item->setToolTip(0, tr("Given on the command line; not saved in settings."));
    }
    for (int i = 0; i < m_list->topLevelItemCount(); ++i) {
        if (m_list->topLevelItem(i)->data(0, kIdRole).toString() == current)
            m_list->setCurrentItem(m_list->topLevelItem(i));
    }
    m_list->resizeColumnToContents(0);
    updateButtons();
}

void SettingsDialog::updateButtons()
{
    const QTreeWidgetItem *item = m_list->currentItem();
    const QString id = item ? item->data(0, kIdRole).toString() : QString();
    const bool removable = item && item->data(0, kRemovableRole).toBool();
    m_remove->setEnabled(removable);
    m_remove->setToolTip(id == kLocalId ? tr("The local server cannot be removed; turn it off above.")
                         : item && !removable ? item->toolTip(0)
                                              : QString());
    m_add->setEnabled(!m_pendingAdd && !m_newName->text().trimmed().isEmpty() && !m_newUrl->text().trimmed().isEmpty()
                      && !m_newKey->text().isEmpty());
}

} // namespace banata
