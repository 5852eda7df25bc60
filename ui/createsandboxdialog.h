// SPDX-License-Identifier: MIT
#pragma once

#include "core/sandbox.h"
#include "models/sandboxkey.h"

#include <QDialog>
#include <QPointer>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
class QTableWidget;

namespace banata {

class ConnectionManager;
class MessageBar;
class OperatorJournal;

/**
 * "New sandbox": name, runtime, region, capabilities, environment and metadata. Checked as it
 * is typed with the server's own rules (CreateSandboxRequest::fromJson), so the message is the
 * one the server would give. Creating runs a CreateSandboxOperation; an error keeps the dialog
 * open with the message inline; success emits created() and closes.
 */
class CreateSandboxDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CreateSandboxDialog)

public:
    CreateSandboxDialog(ConnectionManager *connections, OperatorJournal *journal, QString operatorName,
                        QWidget *parent = nullptr);

    /// The request the fields describe, or the message saying what is wrong.
    Parsed<CreateSandboxRequest> request() const;
    QString connectionId() const;

    void accept() override;

Q_SIGNALS:
    void created(const banata::SandboxKey &key);

private:
    void validate();
    void addEnvRow();
    void setBusy(bool busy);

    ConnectionManager *m_connections;
    QPointer<OperatorJournal> m_journal;
    QString m_operatorName;
    MessageBar *m_message;
    QComboBox *m_connection;
    QLineEdit *m_name;
    QComboBox *m_runtime;
    QLineEdit *m_region;
    QCheckBox *m_browser;
    QSpinBox *m_viewportWidth;
    QSpinBox *m_viewportHeight;
    QCheckBox *m_agent;
    QCheckBox *m_documents;
    QTableWidget *m_env;
    QPlainTextEdit *m_metadata;
    QLabel *m_validation;
    QDialogButtonBox *m_buttons;
    bool m_busy = false;
};

} // namespace banata
