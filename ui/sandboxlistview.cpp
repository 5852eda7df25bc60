// SPDX-License-Identifier: MIT
#include "sandboxlistview.h"

#include "models/sandboxfilterproxy.h"
#include "models/sandboxlistmodel.h"
#include "session/appsettings.h"
#include "ui/icons.h"
#include "ui/sandboxfilterbar.h"
#include "ui/statebadgedelegate.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLoggingCategory>
#include <QMenu>
#include <QTreeView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcSandboxList, "banata.ui.sandboxlist")

namespace banata {

namespace {
SandboxKey keyOf(const QModelIndex &index)
{
    return index.isValid() ? index.siblingAtColumn(0).data(SandboxListModel::KeyRole).value<SandboxKey>() : SandboxKey{};
}
} // namespace

SandboxListView::SandboxListView(SandboxListModel *model, ConnectionManager *connections, AppSettings *settings,
                                 QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_settings(settings)
    , m_proxy(new SandboxFilterProxy(this))
    , m_filterBar(nullptr)
    , m_view(new QTreeView(this))
    , m_badges(new StateBadgeDelegate(m_view))
    , m_emptyLabel(new QLabel(m_view->viewport()))
{
    setObjectName(u"sandboxListView"_s);
    m_proxy->setSourceModel(m_model);
    m_filterBar = new SandboxFilterBar(m_proxy, m_model, connections, settings, this);
    m_filterBar->setObjectName(u"sandboxFilterBar"_s);

    m_view->setObjectName(u"sandboxList"_s);
    m_view->setModel(m_proxy);
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true);
    m_view->setAlternatingRowColors(true);
    m_view->setSortingEnabled(true);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setAllColumnsShowFocus(true);
    m_view->setItemDelegateForColumn(SandboxListModel::StateColumn, m_badges);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->header()->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->header()->setSectionsMovable(true);
    m_view->header()->setStretchLastSection(false);
    m_view->installEventFilter(this);
    m_view->viewport()->installEventFilter(this);

    m_emptyLabel->setObjectName(u"sandboxListEmpty"_s);
    m_emptyLabel->setAlignment(Qt::AlignCenter);
    m_emptyLabel->setWordWrap(true);
    m_emptyLabel->setTextFormat(Qt::RichText);
    m_emptyLabel->setEnabled(false); // greyed: a hint, not content
    connect(m_emptyLabel, &QLabel::linkActivated, this, [this] { m_filterBar->clearFilters(); });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addWidget(m_filterBar);
    layout->addWidget(m_view, 1);

    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &SandboxListView::selectionChanged);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) { Q_EMIT currentChanged(keyOf(current)); });
    connect(m_view, &QTreeView::doubleClicked, this,
            [this](const QModelIndex &index) { Q_EMIT activated(keyOf(index)); });
    connect(m_view, &QTreeView::customContextMenuRequested, this, &SandboxListView::showRowMenu);
    connect(m_view->header(), &QHeaderView::customContextMenuRequested, this, &SandboxListView::showHeaderMenu);
    connect(m_filterBar, &SandboxFilterBar::leaveSearchRequested, this, &SandboxListView::focusList);

    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, &SandboxListView::updateEmptyState);
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, &SandboxListView::updateEmptyState);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &SandboxListView::updateEmptyState);
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, &SandboxListView::updateEmptyState);
    connect(m_model, &SandboxListModel::countsChanged, this, &SandboxListView::updateAnimation);
    updateEmptyState();
    updateAnimation();
}

QList<SandboxKey> SandboxListView::selectedKeys() const
{
    QModelIndexList rows = m_view->selectionModel()->selectedRows(0);
    std::sort(rows.begin(), rows.end(), [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    QList<SandboxKey> keys;
    keys.reserve(rows.size());
    for (const QModelIndex &index : std::as_const(rows))
        keys.append(keyOf(index));
    return keys;
}

SandboxKey SandboxListView::currentKey() const
{
    return keyOf(m_view->currentIndex());
}

bool SandboxListView::select(const SandboxKey &key)
{
    const QModelIndex source = m_model->indexOf(key);
    if (!source.isValid())
        return false;
    QModelIndex index = m_proxy->mapFromSource(source);
    if (!index.isValid()) {
        m_filterBar->clearFilters();
        index = m_proxy->mapFromSource(source);
    }
    if (!index.isValid()) {
        qCDebug(lcSandboxList) << "sandbox hidden by 'hide ended':" << key.sandboxId;
        return false;
    }
    m_view->selectionModel()->setCurrentIndex(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_view->scrollTo(index);
    return true;
}

void SandboxListView::focusList()
{
    m_view->setFocus(Qt::OtherFocusReason);
    if (!m_view->currentIndex().isValid() && m_proxy->rowCount() > 0)
        m_view->selectionModel()->setCurrentIndex(m_proxy->index(0, 0),
                                                  QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

void SandboxListView::setContextActions(const QList<QAction *> &actions)
{
    m_contextActions = actions;
}

void SandboxListView::restoreHeaderState()
{
    QHeaderView *header = m_view->header();
    const QByteArray state = m_settings->layout(AppSettings::Key::SandboxListHeader);
    if (!state.isEmpty() && header->restoreState(state))
        return;
    const std::array<int, SandboxListModel::ColumnCount> widths = {90, 180, 150, 110, 50, 110, 180, 130, 60};
    for (int column = 0; column < SandboxListModel::ColumnCount; ++column)
        header->resizeSection(column, widths[size_t(column)]);
    // What an operator scans for first sits first: who needs a person, what runs, how old.
    int visual = 2;
    for (int column : {SandboxListModel::HandoffColumn, SandboxListModel::TaskColumn, SandboxListModel::AgeColumn})
        header->moveSection(header->visualIndex(column), visual++);
    // The name falls back to the id, so the id column is opt-in (header menu).
    header->setSectionHidden(SandboxListModel::IdColumn, true);
    m_view->sortByColumn(SandboxListModel::AgeColumn, Qt::DescendingOrder);
}

void SandboxListView::saveHeaderState() const
{
    m_settings->setLayout(AppSettings::Key::SandboxListHeader, m_view->header()->saveState());
}

bool SandboxListView::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_view->viewport() && event->type() == QEvent::Resize)
        m_emptyLabel->setGeometry(m_view->viewport()->rect().adjusted(16, 16, -16, -16));
    if (watched == m_view && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        const Qt::KeyboardModifiers mods = key->modifiers() & ~(Qt::ShiftModifier | Qt::KeypadModifier);
        if ((key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) && mods == Qt::NoModifier) {
            if (m_view->currentIndex().isValid())
                Q_EMIT activated(currentKey());
            return true;
        }
        const QString text = key->text();
        // Type-to-search: a printable character starts filtering instead of the view's own
        // keyboard search, which would only jump to a row by its first column.
        if (mods == Qt::NoModifier && !text.isEmpty() && text.at(0).isPrint() && !text.at(0).isSpace()) {
            m_filterBar->typeIntoSearch(text);
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void SandboxListView::showHeaderMenu(const QPoint &pos)
{
    QMenu menu(this);
    QHeaderView *header = m_view->header();
    for (int column = 0; column < m_proxy->columnCount(); ++column) {
        QAction *action = menu.addAction(m_proxy->headerData(column, Qt::Horizontal).toString());
        action->setCheckable(true);
        action->setChecked(!header->isSectionHidden(column));
        // The state and the name identify a row: those two always stay.
        action->setEnabled(column != SandboxListModel::StateColumn && column != SandboxListModel::NameColumn);
        connect(action, &QAction::toggled, header, [header, column](bool on) { header->setSectionHidden(column, !on); });
    }
    menu.exec(header->viewport()->mapToGlobal(pos));
}

void SandboxListView::showRowMenu(const QPoint &pos)
{
    const QModelIndex index = m_view->indexAt(pos);
    if (!index.isValid())
        return;
    QMenu menu(this);
    menu.addActions(m_contextActions);
    menu.addSeparator();
    const QString id = keyOf(index).sandboxId;
    QAction *copy = menu.addAction(Icons::icon(Icons::Id::Copy), tr("Copy ID"));
    connect(copy, &QAction::triggered, this, [id] { QApplication::clipboard()->setText(id); });
    menu.exec(m_view->viewport()->mapToGlobal(pos));
}

void SandboxListView::updateEmptyState()
{
    const bool empty = m_proxy->rowCount() == 0;
    if (empty) {
        if (m_model->rowCount() == 0)
            m_emptyLabel->setText(tr("No sandboxes yet.<br>Create one with <b>New sandbox</b> (Ctrl+N)."));
        else if (m_filterBar->isFiltering())
            m_emptyLabel->setText(tr("No sandboxes match the filter.<br><a href=\"clear\">Clear filters</a>"));
        else
            m_emptyLabel->setText(tr("Every sandbox has ended; <b>Hide ended</b> is on."));
        // A link must stay clickable: only the plain hints are greyed.
        m_emptyLabel->setEnabled(m_filterBar->isFiltering());
        m_emptyLabel->setGeometry(m_view->viewport()->rect().adjusted(16, 16, -16, -16));
    }
    m_emptyLabel->setVisible(empty);
}

void SandboxListView::updateAnimation()
{
    const auto &counts = m_model->stateCounts();
    const int transitional = counts[size_t(SandboxStatus::Queued)] + counts[size_t(SandboxStatus::Assigning)]
                             + counts[size_t(SandboxStatus::Pausing)] + counts[size_t(SandboxStatus::Ending)];
    m_badges->setAnimating(transitional > 0);
}

} // namespace banata
