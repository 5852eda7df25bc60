// SPDX-License-Identifier: MIT
#include "handoffbar.h"

#include <QCheckBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QLoggingCategory>
#include <QPushButton>
#include <QVBoxLayout>

#include "models/handoffinboxmodel.h"
#include "models/modeltext.h"
#include "session/appsettings.h"
#include "ui/handbackdialog.h"

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcHandoffBar, "banata.ui.handoffbar")

namespace banata {

namespace {
using Holder = HandoffSession::Holder;

// The strip's colour says who drives at a glance; text says it too (never colour alone).
QString holderStyle(Holder holder)
{
    switch (holder) {
    case Holder::Agent:
        return u"#2f6f9f"_s;
    case Holder::Shared:
        return u"#b7791f"_s;
    case Holder::Me:
        return u"#2f855a"_s;
    case Holder::OtherOperator:
        return u"#6b46c1"_s;
    }
    return {};
}
} // namespace

HandoffBar::HandoffBar(AppSettings *settings, QWidget *parent)
    : QFrame(parent)
    , m_settings(settings)
    , m_holder(new QLabel(this))
    , m_timing(new QLabel(this))
    , m_message(new QLabel(this))
    , m_checkpointFirst(new QCheckBox(tr("Checkpoint &first"), this))
    , m_accept(new QPushButton(tr("&Accept"), this))
    , m_takeControl(new QPushButton(tr("Take &control"), this))
    , m_handBack(new QPushButton(tr("&Hand back…"), this))
    , m_cancel(new QPushButton(tr("Cancel request"), this))
{
    setObjectName(u"handoffBar"_s);
    setFrameShape(QFrame::StyledPanel);
    m_holder->setObjectName(u"holderLabel"_s);
    m_holder->setTextFormat(Qt::PlainText);
    m_timing->setObjectName(u"handoffTiming"_s);
    m_message->setObjectName(u"handoffMessage"_s);
    m_message->setTextFormat(Qt::PlainText);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_checkpointFirst->setObjectName(u"checkpointFirstCheck"_s);
    m_checkpointFirst->setToolTip(
        tr("Take a checkpoint of the workspace and browser profile before you act, so a "
           "wrong step can be undone"));
    m_checkpointFirst->setChecked(m_settings->checkpointBeforeHandoff());
    m_accept->setObjectName(u"acceptHandoffButton"_s);
    m_accept->setToolTip(tr("Take over the browser for this request (Ctrl+Shift+A)"));
    m_takeControl->setObjectName(u"takeControlButton"_s);
    m_takeControl->setToolTip(tr("Take over the browser now; the agent waits until you hand back"));
    m_handBack->setObjectName(u"handBackButton"_s);
    m_handBack->setToolTip(tr("Give control back to the agent with an outcome and a note (Ctrl+Shift+H)"));
    m_cancel->setObjectName(u"cancelHandoffButton"_s);
    m_cancel->setToolTip(tr("End the request without acting; the agent is told it was cancelled"));

    auto *top = new QHBoxLayout;
    top->addWidget(m_holder);
    top->addWidget(m_timing, 1);
    for (QWidget *widget : {static_cast<QWidget *>(m_checkpointFirst), static_cast<QWidget *>(m_accept),
                            static_cast<QWidget *>(m_takeControl), static_cast<QWidget *>(m_handBack),
                            static_cast<QWidget *>(m_cancel)})
        top->addWidget(widget);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 4, 8, 4);
    layout->setSpacing(2);
    layout->addLayout(top);
    layout->addWidget(m_message);

    connect(m_checkpointFirst, &QCheckBox::toggled, this,
            [this](bool on) { m_settings->setCheckpointBeforeHandoff(on); });
    connect(m_accept, &QPushButton::clicked, this, &HandoffBar::acceptRequest);
    connect(m_takeControl, &QPushButton::clicked, this, &HandoffBar::takeControl);
    connect(m_handBack, &QPushButton::clicked, this, &HandoffBar::handBack);
    connect(m_cancel, &QPushButton::clicked, this, &HandoffBar::cancelRequest);
    m_tick.setInterval(1000);
    connect(&m_tick, &QTimer::timeout, this, &HandoffBar::tick);
    refresh();
}

HandoffBar::~HandoffBar() = default;

void HandoffBar::setSession(HandoffSession *session)
{
    if (m_session == session)
        return;
    if (m_session)
        m_session->disconnect(this);
    delete m_dialog;
    m_session = session;
    if (session) {
        connect(session, &HandoffSession::changed, this, &HandoffBar::refresh);
        connect(session, &HandoffSession::busyChanged, this, &HandoffBar::refresh);
        connect(session, &HandoffSession::operationFinished, this, &HandoffBar::onFinished);
    }
    refresh();
}

HandoffSession::Holder HandoffBar::holder() const
{
    return m_session ? m_session->holder() : Holder::Agent;
}

bool HandoffBar::acceptRequest()
{
    if (!m_session || m_session->isBusy() || m_session->holder() != Holder::Shared)
        return false;
    m_session->accept(m_checkpointFirst->isChecked());
    return true;
}

bool HandoffBar::handBack()
{
    if (!m_session || m_session->isBusy() || m_session->holder() != Holder::Me)
        return false;
    if (m_dialog) {
        m_dialog->raise();
        return true;
    }
    const auto active = m_session->active();
    m_dialog = new HandBackDialog(active ? requestText(*active) : QString(), this);
    m_dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_dialog, &HandBackDialog::handBackRequested, this,
            [this](const QString &outcome, const QString &note) {
                if (m_session)
                    m_session->handBack(outcome, note);
            });
    m_dialog->open();
    return true;
}

bool HandoffBar::takeControl()
{
    if (!m_session || m_session->isBusy() || !m_session->isSupported() ||
        m_session->holder() != Holder::Agent)
        return false;
    m_session->takeControl(tr("%1 took control from the app").arg(m_session->operatorName()));
    return true;
}

bool HandoffBar::cancelRequest()
{
    if (!m_session || m_session->isBusy() || !m_session->active())
        return false;
    m_session->cancel(tr("Cancelled by %1").arg(m_session->operatorName()));
    return true;
}

void HandoffBar::refresh()
{
    const Holder now = holder();
    const auto active = m_session ? m_session->active() : std::nullopt;
    const bool busy = m_session && m_session->isBusy();
    const bool supported = m_session && m_session->isSupported();
    switch (now) {
    case Holder::Agent:
        m_holder->setText(supported ? tr("The agent is driving — watch only")
                                    : tr("Watch only — this server has no handoff"));
        break;
    case Holder::Shared:
        m_holder->setText(tr("Needs you: %1").arg(HandoffInboxModel::reasonText(active->reason)));
        break;
    case Holder::Me:
        m_holder->setText(tr("You have control"));
        break;
    case Holder::OtherOperator:
        m_holder->setText(tr("%1 has control").arg(m_session->controller()));
        break;
    }
    m_holder->setStyleSheet(
        u"QLabel { color: white; background-color: %1; border-radius: 3px; padding: 2px 6px; "
        u"font-weight: bold; }"_s.arg(holderStyle(now)));
    m_message->setText(active ? requestText(*active) : QString());
    m_message->setVisible(active.has_value());
    m_checkpointFirst->setVisible(now == Holder::Shared);
    m_accept->setVisible(now == Holder::Shared);
    m_takeControl->setVisible(now == Holder::Agent && supported);
    m_handBack->setVisible(now == Holder::Me);
    m_cancel->setVisible(active.has_value() && now != Holder::OtherOperator);
    for (QPushButton *button : {m_accept, m_takeControl, m_handBack, m_cancel})
        button->setEnabled(!busy);
    m_checkpointFirst->setEnabled(!busy);
    if (active && !m_tick.isActive())
        m_tick.start();
    else if (!active)
        m_tick.stop();
    tick();
    if (now != m_lastHolder) {
        m_lastHolder = now;
        if (now != Holder::Me && m_dialog)
            m_dialog->reject(); // someone else ended it: nothing left to hand back
        Q_EMIT holderChanged(now);
    }
}

void HandoffBar::tick()
{
    const auto active = m_session ? m_session->active() : std::nullopt;
    if (!active) {
        m_timing->clear();
        return;
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QStringList parts;
    if (active->status == HandoffStatus::Accepted && active->acceptedAt)
        parts << tr("since %1").arg(modeltext::durationText(now - *active->acceptedAt));
    else
        parts << tr("waiting %1").arg(modeltext::durationText(now - active->requestedAt));
    if (active->expiresAt) {
        const qint64 left = *active->expiresAt - now;
        parts << (left > 0 ? tr("expires in %1").arg(modeltext::durationText(left)) : tr("expiring…"));
        // The last two minutes are urgent (as in the inbox).
        m_timing->setStyleSheet(left < 120000 ? u"QLabel { color: #c53030; font-weight: bold; }"_s
                                              : QString());
    }
    m_timing->setText(parts.join(u" · "_s));
}

void HandoffBar::onFinished(HandoffSession::Operation operation, const QString &error)
{
    if (!error.isEmpty()) {
        qCDebug(lcHandoffBar) << operation << "failed:" << error;
        Q_EMIT messageRequested(error, true);
        return;
    }
    switch (operation) {
    case HandoffSession::Operation::Accept:
    case HandoffSession::Operation::TakeControl:
        Q_EMIT messageRequested(tr("You have control of the browser. Hand back when you are done."), false);
        break;
    case HandoffSession::Operation::HandBack:
        Q_EMIT messageRequested(tr("Handed back to the agent."), false);
        break;
    case HandoffSession::Operation::Cancel:
        Q_EMIT messageRequested(tr("Request cancelled."), false);
        break;
    }
}

QString HandoffBar::requestText(const Handoff &handoff) const
{
    const QString reason = HandoffInboxModel::reasonText(handoff.reason);
    return handoff.message.isEmpty() ? reason : tr("%1 — %2").arg(reason, handoff.message);
}

} // namespace banata
