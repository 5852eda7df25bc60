// SPDX-License-Identifier: MIT
#include "createsandboxdialog.h"

#include "models/operatorjournal.h"
#include "session/connectionmanager.h"
#include "session/sandboxactions.h"
#include "ui/messagebar.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLoggingCategory>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcCreateDialog, "banata.ui.createsandbox")

namespace banata {

CreateSandboxDialog::CreateSandboxDialog(ConnectionManager *connections, OperatorJournal *journal,
                                         QString operatorName, QWidget *parent)
    : QDialog(parent)
    , m_connections(connections)
    , m_journal(journal)
    , m_operatorName(std::move(operatorName))
    , m_message(new MessageBar(this))
    , m_connection(new QComboBox(this))
    , m_name(new QLineEdit(this))
    , m_runtime(new QComboBox(this))
    , m_region(new QLineEdit(this))
    , m_browser(new QCheckBox(tr("&Browser"), this))
    , m_viewportWidth(new QSpinBox(this))
    , m_viewportHeight(new QSpinBox(this))
    , m_agent(new QCheckBox(tr("&Agent"), this))
    , m_documents(new QCheckBox(tr("&Documents (LibreOffice)"), this))
    , m_env(new QTableWidget(0, 2, this))
    , m_metadata(new QPlainTextEdit(this))
    , m_validation(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setObjectName(u"createSandboxDialog"_s);
    setWindowTitle(tr("New sandbox"));
    m_message->setObjectName(u"createMessage"_s);

    m_connection->setObjectName(u"connectionCombo"_s);
    for (const Connection *connection : m_connections->connections())
        m_connection->addItem(connection->name(), connection->id());
    if (const int local = m_connection->findData(u"local"_s); local >= 0)
        m_connection->setCurrentIndex(local);
    m_name->setObjectName(u"nameEdit"_s);
    m_name->setPlaceholderText(tr("Optional, e.g. invoice-run-42"));
    m_runtime->setObjectName(u"runtimeCombo"_s);
    m_runtime->addItem(tr("Bun (JavaScript, TypeScript)"), u"bun"_s);
    m_runtime->addItem(tr("Python"), u"python"_s);
    m_runtime->addItem(tr("Base (shell only)"), u"base"_s);
    m_region->setObjectName(u"regionEdit"_s);
    m_region->setPlaceholderText(tr("Optional, e.g. iad"));
    m_region->setMaxLength(3);

    m_browser->setObjectName(u"browserCheck"_s);
    m_viewportWidth->setObjectName(u"viewportWidthSpin"_s);
    m_viewportHeight->setObjectName(u"viewportHeightSpin"_s);
    // The server's own bounds, so the spin boxes cannot produce a value it refuses.
    m_viewportWidth->setRange(100, 7680);
    m_viewportHeight->setRange(100, 4320);
    m_viewportWidth->setValue(Viewport{}.width);
    m_viewportHeight->setValue(Viewport{}.height);
    m_viewportWidth->setSuffix(tr(" px"));
    m_viewportHeight->setSuffix(tr(" px"));
    m_agent->setObjectName(u"agentCheck"_s);
    m_documents->setObjectName(u"documentsCheck"_s);
    connect(m_browser, &QCheckBox::toggled, m_viewportWidth, &QSpinBox::setEnabled);
    connect(m_browser, &QCheckBox::toggled, m_viewportHeight, &QSpinBox::setEnabled);
    m_viewportWidth->setEnabled(false);
    m_viewportHeight->setEnabled(false);

    m_env->setObjectName(u"envTable"_s);
    m_env->setHorizontalHeaderLabels({tr("Name"), tr("Value")});
    m_env->horizontalHeader()->setStretchLastSection(true);
    m_env->verticalHeader()->hide();
    m_env->setMaximumHeight(120);
    auto *addEnv = new QToolButton(this);
    addEnv->setObjectName(u"addEnvButton"_s);
    addEnv->setText(tr("Add"));
    auto *removeEnv = new QToolButton(this);
    removeEnv->setObjectName(u"removeEnvButton"_s);
    removeEnv->setText(tr("Remove"));
    connect(addEnv, &QToolButton::clicked, this, &CreateSandboxDialog::addEnvRow);
    connect(removeEnv, &QToolButton::clicked, this, [this] {
        if (m_env->currentRow() >= 0)
            m_env->removeRow(m_env->currentRow());
        validate();
    });
    connect(m_env, &QTableWidget::itemChanged, this, &CreateSandboxDialog::validate);

    m_metadata->setObjectName(u"metadataEdit"_s);
    m_metadata->setPlaceholderText(tr("Optional JSON object, e.g. {\"ticket\": \"OPS-12\"}"));
    m_metadata->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_metadata->setTabChangesFocus(true);
    m_metadata->setMaximumHeight(100);
    m_validation->setObjectName(u"createValidation"_s);
    m_validation->setWordWrap(true);
    m_validation->setStyleSheet(u"color: #c63333;"_s);
    m_validation->hide();

    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Create"));
    m_buttons->button(QDialogButtonBox::Ok)->setObjectName(u"createButton"_s);
    m_buttons->button(QDialogButtonBox::Cancel)->setObjectName(u"cancelButton"_s);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &CreateSandboxDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &CreateSandboxDialog::reject);

    auto *viewport = new QHBoxLayout;
    viewport->addWidget(m_browser);
    viewport->addWidget(m_viewportWidth);
    viewport->addWidget(new QLabel(u"×"_s, this));
    viewport->addWidget(m_viewportHeight);
    viewport->addStretch(1);
    auto *capabilities = new QVBoxLayout;
    capabilities->addLayout(viewport);
    capabilities->addWidget(m_agent);
    capabilities->addWidget(m_documents);
    auto *envButtons = new QHBoxLayout;
    envButtons->addWidget(addEnv);
    envButtons->addWidget(removeEnv);
    envButtons->addStretch(1);
    auto *env = new QVBoxLayout;
    env->addWidget(m_env);
    env->addLayout(envButtons);

    auto *form = new QFormLayout;
    if (m_connection->count() > 1)
        form->addRow(tr("C&onnection:"), m_connection);
    else
        m_connection->hide();
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&Runtime:"), m_runtime);
    form->addRow(tr("Re&gion:"), m_region);
    auto *capabilitiesLabel = new QLabel(tr("Capabilities:"), this);
    capabilitiesLabel->setBuddy(m_browser);
    form->addRow(capabilitiesLabel, capabilities);
    // A layout has no buddy of its own: name the table so the mnemonic works.
    auto *envLabel = new QLabel(tr("&Environment:"), this);
    envLabel->setBuddy(m_env);
    form->addRow(envLabel, env);
    form->addRow(tr("&Metadata:"), m_metadata);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_message);
    layout->addLayout(form);
    layout->addWidget(m_validation);
    layout->addWidget(m_buttons);

    for (QLineEdit *edit : {m_name, m_region})
        connect(edit, &QLineEdit::textChanged, this, &CreateSandboxDialog::validate);
    connect(m_metadata, &QPlainTextEdit::textChanged, this, &CreateSandboxDialog::validate);
    validate();
}

Parsed<CreateSandboxRequest> CreateSandboxDialog::request() const
{
    Json body = Json::object();
    body["runtime"] = toStd(m_runtime->currentData().toString());
    if (!m_name->text().trimmed().isEmpty())
        body["name"] = toStd(m_name->text().trimmed());
    if (!m_region->text().isEmpty())
        body["region"] = toStd(m_region->text());
    Json env = Json::object();
    for (int row = 0; row < m_env->rowCount(); ++row) {
        const QTableWidgetItem *name = m_env->item(row, 0);
        const QTableWidgetItem *value = m_env->item(row, 1);
        const QString key = name ? name->text().trimmed() : QString();
        if (!key.isEmpty())
            env[toStd(key)] = toStd(value ? value->text() : QString());
    }
    if (!env.empty())
        body["env"] = env;
    Json caps = Json::object();
    if (m_browser->isChecked())
        caps["browser"] = {{"viewport", {{"width", m_viewportWidth->value()}, {"height", m_viewportHeight->value()}}}};
    if (m_agent->isChecked())
        caps["agent"] = {{"enabled", true}};
    if (m_documents->isChecked())
        caps["documents"] = {{"libreofficeHeadless", true}};
    if (!caps.empty())
        body["capabilities"] = caps;
    const QString metadataText = m_metadata->toPlainText().trimmed();
    if (!metadataText.isEmpty()) {
        auto metadata = parseJson(metadataText.toUtf8());
        if (!metadata)
            return Parsed<CreateSandboxRequest>::failure(tr("Metadata is not valid JSON: %1").arg(metadata.error()));
        body["metadata"] = *metadata;
    }
    return CreateSandboxRequest::fromJson(body);
}

QString CreateSandboxDialog::connectionId() const
{
    return m_connection->currentData().toString();
}

void CreateSandboxDialog::accept()
{
    if (m_busy)
        return;
    const auto parsed = request();
    if (!parsed) {
        validate();
        return;
    }
    Connection *connection = m_connections->connection(connectionId());
    if (!connection) {
        m_message->showMessage(tr("There is no connection to create the sandbox on."), MessageBar::Error);
        return;
    }
    setBusy(true);
    m_message->dismiss();
    const QString id = connection->id();
    auto *operation = new CreateSandboxOperation(connection, *parsed, m_journal, m_operatorName, this);
    connect(operation, &CreateSandboxOperation::finished, this,
            [this, operation, id](const Sandbox &sandbox, const QString &error) {
                operation->deleteLater();
                setBusy(false);
                if (!error.isEmpty()) {
                    qCDebug(lcCreateDialog) << "create failed:" << error;
                    m_message->showMessage(tr("Could not create the sandbox: %1").arg(error), MessageBar::Error);
                    return;
                }
                Q_EMIT created(SandboxKey{id, sandbox.id});
                QDialog::accept();
            });
    operation->start();
}

void CreateSandboxDialog::validate()
{
    const auto parsed = request();
    m_validation->setText(parsed ? QString() : parsed.error());
    m_validation->setVisible(!parsed);
}

void CreateSandboxDialog::addEnvRow()
{
    const int row = m_env->rowCount();
    m_env->insertRow(row);
    m_env->setItem(row, 0, new QTableWidgetItem);
    m_env->setItem(row, 1, new QTableWidgetItem);
    m_env->setCurrentCell(row, 0);
    m_env->setFocus();
    m_env->editItem(m_env->item(row, 0));
}

void CreateSandboxDialog::setBusy(bool busy)
{
    m_busy = busy;
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(!busy);
    m_buttons->button(QDialogButtonBox::Ok)->setText(busy ? tr("Creating…") : tr("Create"));
}

} // namespace banata
