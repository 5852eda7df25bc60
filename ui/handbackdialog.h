// SPDX-License-Identifier: MIT
#pragma once

#include <QDialog>

class QButtonGroup;
class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace banata {

/**
 * "Hand back to the agent": how it went (done, failed, needs more information) and a note the
 * agent receives. Window-modal and non-blocking (open()); handBackRequested carries the choice.
 * Named "handBackDialog"; its parts "outcome_done", "outcome_failed", "outcome_needs_info",
 * "handBackNote", "handBackConfirm".
 */
class HandBackDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HandBackDialog)

public:
    /// The note's limit on the server (docs/api.md, handoff/complete).
    static constexpr int kMaxNoteChars = 4000;

    /// \a context: what the agent asked ("MFA — Enter the code"), shown on top.
    explicit HandBackDialog(const QString &context, QWidget *parent = nullptr);

    QString outcome() const;
    QString note() const;

Q_SIGNALS:
    void handBackRequested(const QString &outcome, const QString &note);

private:
    void updateState();

    QButtonGroup *m_outcomes;
    QPlainTextEdit *m_note;
    QLabel *m_count;
    QPushButton *m_confirm;
};

} // namespace banata
