// SPDX-License-Identifier: MIT
#include "sandboxfilterbar.h"

#include "models/sandboxfilterproxy.h"
#include "models/sandboxlistmodel.h"
#include "session/appsettings.h"
#include "session/connectionmanager.h"
#include "ui/icons.h"
#include "ui/statecountsbar.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLineEdit>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace banata {

SandboxFilterBar::SandboxFilterBar(SandboxFilterProxy *proxy, SandboxListModel *model, ConnectionManager *connections,
                                   AppSettings *settings, QWidget *parent)
    : QWidget(parent)
    , m_proxy(proxy)
    , m_model(model)
    , m_connections(connections)
    , m_settings(settings)
    , m_search(new QLineEdit(this))
    , m_counts(new StateCountsBar(this))
    , m_connectionCombo(new QComboBox(this))
    , m_needsYou(new QToolButton(this))
    , m_hideEnded(new QToolButton(this))
{
    m_search->setObjectName(u"searchEdit"_s);
    m_search->setPlaceholderText(tr("Filter sandboxes (name, id, metadata)…"));
    m_search->setClearButtonEnabled(true);
    m_search->addAction(Icons::icon(Icons::Id::Search), QLineEdit::LeadingPosition);
    m_search->setToolTip(tr("Words separated by spaces must all match (Ctrl+F)"));
    m_search->installEventFilter(this);
    connect(m_search, &QLineEdit::textChanged, m_proxy, &SandboxFilterProxy::setTextFilter);

    m_counts->setObjectName(u"stateCountsBar"_s);
    connect(m_counts, &StateCountsBar::selectionChanged, this, &SandboxFilterBar::applyStateFilter);

    m_connectionCombo->setObjectName(u"connectionFilterCombo"_s);
    m_connectionCombo->setToolTip(tr("Show the sandboxes of one connection"));
    m_connectionCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(m_connectionCombo, &QComboBox::currentIndexChanged, this,
            [this] { m_proxy->setConnectionFilter(m_connectionCombo->currentData().toString()); });

    m_needsYou->setObjectName(u"needsYouToggle"_s);
    m_needsYou->setCheckable(true);
    m_needsYou->setAutoRaise(true);
    m_needsYou->setToolTip(tr("Show only sandboxes waiting for a person"));
    connect(m_needsYou, &QToolButton::toggled, m_proxy, &SandboxFilterProxy::setNeedsYouOnly);

    m_hideEnded->setObjectName(u"hideEndedToggle"_s);
    m_hideEnded->setCheckable(true);
    m_hideEnded->setAutoRaise(true);
    m_hideEnded->setText(tr("Hide ended"));
    m_hideEnded->setToolTip(tr("Hide sandboxes that have ended (remembered)"));
    m_hideEnded->setChecked(m_settings->hideEnded());
    connect(m_hideEnded, &QToolButton::toggled, this, [this](bool on) {
        m_settings->setHideEnded(on);
        applyStateFilter();
    });

    auto *top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 0, 0);
    top->setSpacing(4);
    top->addWidget(m_search, 1);
    top->addWidget(m_connectionCombo);
    top->addWidget(m_needsYou);
    top->addWidget(m_hideEnded);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(top);
    layout->addWidget(m_counts);

    connect(m_model, &SandboxListModel::countsChanged, this, &SandboxFilterBar::updateCounts);
    connect(m_connections, &ConnectionManager::connectionAdded, this, &SandboxFilterBar::rebuildConnections);
    connect(m_connections, &ConnectionManager::connectionAboutToBeRemoved, this, [this](Connection *gone) {
        const int index = m_connectionCombo->findData(gone->id());
        if (index == m_connectionCombo->currentIndex())
            m_connectionCombo->setCurrentIndex(0);
        if (index > 0)
            m_connectionCombo->removeItem(index);
        m_connectionCombo->setVisible(m_connectionCombo->count() > 2);
    });
    rebuildConnections();
    updateCounts();
    applyStateFilter();
}

void SandboxFilterBar::focusSearch()
{
    m_search->setFocus(Qt::ShortcutFocusReason);
    m_search->selectAll();
}

void SandboxFilterBar::typeIntoSearch(const QString &text)
{
    m_search->setFocus(Qt::OtherFocusReason);
    m_search->deselect();
    m_search->end(false);
    m_search->insert(text);
}

void SandboxFilterBar::clearFilters()
{
    m_search->clear();
    m_counts->setSelectedStates({});
    m_needsYou->setChecked(false);
    m_connectionCombo->setCurrentIndex(0);
}

bool SandboxFilterBar::isFiltering() const
{
    return !m_search->text().isEmpty() || !m_counts->selectedStates().isEmpty() || m_needsYou->isChecked()
           || m_connectionCombo->currentIndex() > 0;
}

bool SandboxFilterBar::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_search && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() == Qt::Key_Escape) {
            if (!m_search->text().isEmpty())
                m_search->clear();
            else
                Q_EMIT leaveSearchRequested();
            return true;
        }
        if (key->key() == Qt::Key_Down || key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) {
            Q_EMIT leaveSearchRequested();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void SandboxFilterBar::applyStateFilter()
{
    QSet<SandboxStatus> states = m_counts->selectedStates();
    // Chosen states win; otherwise "Hide ended" means every state but ended.
    if (states.isEmpty() && m_hideEnded->isChecked()) {
        for (int i = 0; i < SandboxStatusCount; ++i) {
            if (SandboxStatus(i) != SandboxStatus::Ended)
                states.insert(SandboxStatus(i));
        }
    }
    m_proxy->setStateFilter(states);
}

void SandboxFilterBar::updateCounts()
{
    m_counts->setCounts(m_model->stateCounts());
    const int needsYou = m_model->needsYouCount();
    m_needsYou->setText(needsYou > 0 ? tr("Needs you (%1)").arg(needsYou) : tr("Needs you"));
}

void SandboxFilterBar::rebuildConnections()
{
    const QString current = m_connectionCombo->currentData().toString();
    const QSignalBlocker blocker(m_connectionCombo);
    m_connectionCombo->clear();
    m_connectionCombo->addItem(tr("All connections"), QString());
    for (const Connection *connection : m_connections->connections())
        m_connectionCombo->addItem(connection->name(), connection->id());
    const int index = m_connectionCombo->findData(current);
    m_connectionCombo->setCurrentIndex(index < 0 ? 0 : index);
    m_connectionCombo->setVisible(m_connectionCombo->count() > 2);
    m_proxy->setConnectionFilter(m_connectionCombo->currentData().toString());
}

} // namespace banata
