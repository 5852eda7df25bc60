// SPDX-License-Identifier: MIT
#pragma once

#include <QPointer>
#include <QWidget>

class QPlainTextEdit;
class QPushButton;
class QTableView;

namespace banata {

class MessageBar;
class SandboxSession;

/**
 * The Timeline tab: the sandbox's history (lifecycle events, tasks, handoffs, and what
 * operators did) oldest first, the selected entry's detail as JSON, and an export to JSON or
 * CSV of exactly what is shown.
 */
class TimelinePanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TimelinePanel)

public:
    enum class Format { Json, Csv };

    explicit TimelinePanel(QWidget *parent = nullptr);

    void setSession(SandboxSession *session);
    /// Writes the timeline to \a path; the error (also shown inline) is empty on success.
    QString exportTo(const QString &path, Format format);

private:
    void chooseExportFile();
    void showSelectedEntry();

    QPointer<SandboxSession> m_session;
    MessageBar *m_message;
    QTableView *m_table;
    QPlainTextEdit *m_detail;
    QPushButton *m_export;
};

} // namespace banata
