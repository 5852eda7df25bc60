// SPDX-License-Identifier: MIT
#include "inboxview.h"

#include "models/handoffinboxmodel.h"
#include "session/appsettings.h"

#include <QHeaderView>
#include <QKeyEvent>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace banata {

namespace {
/// Bold rows for handoffs about to expire, their expiry in red: the one thing that cannot wait,
/// marked without turning the whole inbox into an alarm.
class UrgentRowDelegate final : public QStyledItemDelegate
{
    Q_DISABLE_COPY_MOVE(UrgentRowDelegate)

public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        if (!index.data(HandoffInboxModel::UrgentRole).toBool())
            return;
        option->font.setBold(true);
        if (index.column() != HandoffInboxModel::ExpiresColumn)
            return;
        const bool dark = option->palette.color(QPalette::Base).lightnessF() < 0.5;
        const QColor urgent = dark ? QColor(0xff, 0x8a, 0x80) : QColor(0xb0, 0x20, 0x20);
        option->palette.setColor(QPalette::Text, urgent);
    }
};
} // namespace

InboxView::InboxView(HandoffInboxModel *inbox, AppSettings *settings, QWidget *parent)
    : QWidget(parent)
    , m_inbox(inbox)
    , m_settings(settings)
    , m_title(new QToolButton(this))
    , m_table(new QTableView(this))
{
    setObjectName(u"inboxView"_s);
    m_title->setObjectName(u"inboxTitle"_s);
    m_title->setCheckable(true);
    m_title->setChecked(true);
    m_title->setAutoRaise(true);
    m_title->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_title->setArrowType(Qt::DownArrow);
    QFont font = m_title->font();
    font.setBold(true);
    m_title->setFont(font);
    m_title->setToolTip(tr("Handoffs waiting for a person, oldest first (Ctrl+1)"));
    connect(m_title, &QToolButton::toggled, this, [this](bool open) {
        m_table->setVisible(open);
        m_title->setArrowType(open ? Qt::DownArrow : Qt::RightArrow);
    });

    m_table->setObjectName(u"inboxTable"_s);
    m_table->setModel(m_inbox);
    m_table->setItemDelegate(new UrgentRowDelegate(m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setShowGrid(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->horizontalHeader()->setHighlightSections(false);
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->installEventFilter(this);
    connect(m_table, &QTableView::doubleClicked, this, [this](const QModelIndex &index) { openRow(index.row()); });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_title, 0, Qt::AlignLeft);
    layout->addWidget(m_table, 1);

    connect(m_inbox, &HandoffInboxModel::pendingCountChanged, this, &InboxView::updateTitle);
    connect(m_inbox, &QAbstractItemModel::rowsInserted, this, &InboxView::updateTitle);
    connect(m_inbox, &QAbstractItemModel::rowsRemoved, this, &InboxView::updateTitle);
    connect(m_inbox, &QAbstractItemModel::modelReset, this, &InboxView::updateTitle);
    updateTitle();
}

int InboxView::count() const
{
    return m_inbox->rowCount();
}

bool InboxView::focusTable()
{
    if (count() == 0)
        return false;
    m_title->setChecked(true);
    m_table->setFocus(Qt::ShortcutFocusReason);
    if (!m_table->currentIndex().isValid())
        m_table->setCurrentIndex(m_inbox->index(0, 0));
    return true;
}

void InboxView::restoreHeaderState()
{
    QHeaderView *header = m_table->horizontalHeader();
    const QByteArray state = m_settings->layout(AppSettings::Key::InboxHeader);
    if (!state.isEmpty() && header->restoreState(state))
        return;
    const std::array<int, HandoffInboxModel::ColumnCount> widths = {150, 90, 260, 80, 90, 90};
    for (int column = 0; column < HandoffInboxModel::ColumnCount; ++column)
        header->resizeSection(column, widths[size_t(column)]);
}

void InboxView::saveHeaderState() const
{
    m_settings->setLayout(AppSettings::Key::InboxHeader, m_table->horizontalHeader()->saveState());
}

bool InboxView::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_table && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        if ((key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) && m_table->currentIndex().isValid()) {
            openRow(m_table->currentIndex().row());
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void InboxView::updateTitle()
{
    const int pending = count();
    m_title->setText(tr("Needs you (%1)").arg(pending));
    const bool empty = pending == 0;
    setVisible(!empty);
    if (empty != m_wasEmpty) {
        m_wasEmpty = empty;
        Q_EMIT emptyChanged(empty);
    }
}

void InboxView::openRow(int row)
{
    const SandboxKey key = m_inbox->keyAt(row);
    if (key.isValid())
        Q_EMIT openRequested(key);
}

} // namespace banata
