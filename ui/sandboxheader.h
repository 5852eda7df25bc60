// SPDX-License-Identifier: MIT
#pragma once

#include "core/sandbox.h"

#include <QWidget>

class QGridLayout;
class QLabel;
class QPlainTextEdit;
class QToolButton;

namespace banata {

/// A state pill as a widget (the detail header's), painted like the list's badges.
class StateBadge final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StateBadge)

public:
    explicit StateBadge(QWidget *parent = nullptr);
    void setStatus(SandboxStatus status);
    SandboxStatus status() const { return m_status; }
    QString text() const;
    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    SandboxStatus m_status = SandboxStatus::Queued;
};

/**
 * The top of the detail pane: name, state and why, the id (copyable), where it runs, its
 * capabilities, its lifecycle times and its metadata (pretty JSON, folded by default).
 */
class SandboxHeader final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SandboxHeader)

public:
    explicit SandboxHeader(QWidget *parent = nullptr);

    void setSandbox(const Sandbox &sandbox, const QString &connectionName);
    /// The sandbox left the list (killed elsewhere and purged, or its connection removed).
    void setGone(bool gone);

    static QString capabilitiesText(const Sandbox &sandbox);

private:
    void setRow(int row, const QString &value);

    QLabel *m_name;
    StateBadge *m_badge;
    QLabel *m_reason;
    QLabel *m_id;
    QToolButton *m_copyId;
    QGridLayout *m_grid;
    QList<QLabel *> m_values;
    QList<QLabel *> m_labels;
    QToolButton *m_metadataToggle;
    QPlainTextEdit *m_metadata;
    QLabel *m_gone;
    QString m_sandboxId;
};

} // namespace banata
