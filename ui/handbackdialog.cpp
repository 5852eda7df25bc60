// SPDX-License-Identifier: MIT
#include "handbackdialog.h"

#include <QButtonGroup>
#include <QDialogButtonBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace banata {

HandBackDialog::HandBackDialog(const QString &context, QWidget *parent)
    : QDialog(parent)
    , m_outcomes(new QButtonGroup(this))
    , m_note(new QPlainTextEdit(this))
    , m_count(new QLabel(this))
{
    setObjectName(u"handBackDialog"_s);
    setWindowTitle(tr("Hand back to the agent"));
    setWindowModality(Qt::WindowModal);

    auto *layout = new QVBoxLayout(this);
    auto *asked = new QLabel(context, this);
    asked->setWordWrap(true);
    asked->setTextFormat(Qt::PlainText);
    layout->addWidget(asked);

    layout->addWidget(new QLabel(tr("How did it go?"), this));
    const std::pair<const char *, QString> choices[] = {
        {"done", tr("&Done — the agent can go on")},
        {"failed", tr("&Failed — it could not be done")},
        {"needs_info", tr("&Needs information — the agent must ask or change course")},
    };
    for (const auto &[outcome, text] : choices) {
        auto *button = new QRadioButton(text, this);
        button->setObjectName(u"outcome_"_s + QLatin1StringView(outcome));
        button->setProperty("outcome", QString::fromLatin1(outcome));
        m_outcomes->addButton(button);
        layout->addWidget(button);
    }
    m_outcomes->buttons().constFirst()->setChecked(true);

    auto *noteLabel = new QLabel(tr("No&te for the agent"), this);
    noteLabel->setBuddy(m_note);
    layout->addWidget(noteLabel);
    m_note->setObjectName(u"handBackNote"_s);
    m_note->setPlaceholderText(tr("What you did, or what the agent should know"));
    m_note->setTabChangesFocus(true);
    layout->addWidget(m_note, 1);
    m_count->setObjectName(u"handBackNoteCount"_s);
    m_count->setAlignment(Qt::AlignRight);
    layout->addWidget(m_count);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_confirm = buttons->addButton(tr("&Hand back"), QDialogButtonBox::AcceptRole);
    m_confirm->setObjectName(u"handBackConfirm"_s);
    m_confirm->setDefault(true);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        if (!m_confirm->isEnabled())
            return;
        Q_EMIT handBackRequested(outcome(), note());
        accept();
    });
    connect(m_note, &QPlainTextEdit::textChanged, this, &HandBackDialog::updateState);
    updateState();
    m_note->setFocus();
    resize(440, 320);
}

QString HandBackDialog::outcome() const
{
    const QAbstractButton *checked = m_outcomes->checkedButton();
    return checked ? checked->property("outcome").toString() : u"done"_s;
}

QString HandBackDialog::note() const
{
    return m_note->toPlainText().trimmed();
}

void HandBackDialog::updateState()
{
    const qsizetype length = m_note->toPlainText().trimmed().size();
    const bool tooLong = length > kMaxNoteChars;
    m_count->setText(tooLong ? tr("%1 / %2 characters — too long").arg(length).arg(kMaxNoteChars)
                             : tr("%1 / %2").arg(length).arg(kMaxNoteChars));
    m_count->setForegroundRole(tooLong ? QPalette::BrightText : QPalette::PlaceholderText);
    m_confirm->setEnabled(!tooLong);
}

} // namespace banata
