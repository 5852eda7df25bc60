// SPDX-License-Identifier: MIT
#include "workspacetreeview.h"

#include <QAbstractProxyModel>
#include <QCoreApplication>
#include <QDragEnterEvent>
#include <QHeaderView>
#include <QLoggingCategory>
#include <QMimeData>
#include <QPainter>
#include <QStyledItemDelegate>

#include "models/workspacetreemodel.h"
#include "ui/files/filetext.h"

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcWorkspaceTree, "banata.ui.files.tree")

namespace banata {

namespace {

/// Loading rows quiet and grey, Error rows red with the reason; entries as the base class draws them.
class WorkspaceRowDelegate final : public QStyledItemDelegate
{
    Q_DISABLE_COPY_MOVE(WorkspaceRowDelegate)

public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        const auto kind = WorkspaceTreeModel::RowKind(index.data(WorkspaceTreeModel::RowKindRole).toInt());
        if (kind == WorkspaceTreeModel::RowKind::Loading) {
            option->font.setItalic(true);
            option->palette.setColor(QPalette::Text, option->palette.color(QPalette::PlaceholderText));
            if (index.column() == 0 && option->text.isEmpty())
                option->text = QCoreApplication::translate("banata::WorkspaceTreeView", "Loading…");
        } else if (kind == WorkspaceTreeModel::RowKind::Error) {
            const QColor red(0xc6, 0x33, 0x33);
            option->palette.setColor(QPalette::Text, red);
            option->palette.setColor(QPalette::HighlightedText, red.lighter(160));
            if (index.column() == 0 && option->text.isEmpty())
                option->text = index.data(WorkspaceTreeModel::ErrorRole).toString();
        }
    }
};

} // namespace

WorkspaceTreeView::WorkspaceTreeView(QWidget *parent)
    : QTreeView(parent)
{
    setObjectName(u"filesTree"_s);
    setItemDelegate(new WorkspaceRowDelegate(this));
    setUniformRowHeights(true);
    setSortingEnabled(false); // the panel turns it on once the header's state is known
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setAllColumnsShowFocus(true);
    setAlternatingRowColors(true);
    setContextMenuPolicy(Qt::CustomContextMenu);
    // Drops from the desktop only; the model's own drag and drop is not used here.
    setDragDropMode(QAbstractItemView::DropOnly);
    setAcceptDrops(true);
    viewport()->setAcceptDrops(true);
    setDropIndicatorShown(false);
    header()->setStretchLastSection(false);
    header()->setSectionsMovable(true);
}

QString WorkspaceTreeView::rootPath() const
{
    // The view sees the proxy; the model underneath knows the root.
    const QAbstractItemModel *shown = model();
    while (const auto *proxy = qobject_cast<const QAbstractProxyModel *>(shown))
        shown = proxy->sourceModel();
    const auto *tree = qobject_cast<const WorkspaceTreeModel *>(shown);
    return tree ? tree->rootPath() : u"/workspace"_s;
}

QString WorkspaceTreeView::folderFor(const QModelIndex &index) const
{
    if (!index.isValid())
        return rootPath();
    const QModelIndex first = index.siblingAtColumn(0);
    const auto kind = WorkspaceTreeModel::RowKind(first.data(WorkspaceTreeModel::RowKindRole).toInt());
    if (kind == WorkspaceTreeModel::RowKind::Entry &&
        first.data(WorkspaceTreeModel::IsDirectoryRole).toBool())
        return first.data(WorkspaceTreeModel::PathRole).toString();
    const QModelIndex parentFolder = first.parent();
    if (parentFolder.isValid())
        return parentFolder.data(WorkspaceTreeModel::PathRole).toString();
    if (kind == WorkspaceTreeModel::RowKind::Entry) {
        // A top-level file: its folder is the root (asked of the path, should the root change).
        const QString parent = filetext::parentPath(first.data(WorkspaceTreeModel::PathRole).toString());
        return parent.isEmpty() ? rootPath() : parent;
    }
    return rootPath();
}

QString WorkspaceTreeView::folderAt(const QPoint &pos) const
{
    return folderFor(indexAt(pos));
}

QStringList WorkspaceTreeView::localPaths(const QMimeData *mime)
{
    QStringList paths;
    if (!mime || !mime->hasUrls())
        return paths;
    for (const QUrl &url : mime->urls()) {
        if (url.isLocalFile() && !url.toLocalFile().isEmpty())
            paths << url.toLocalFile();
    }
    return paths;
}

void WorkspaceTreeView::dragEnterEvent(QDragEnterEvent *event)
{
    if (localPaths(event->mimeData()).isEmpty()) {
        event->ignore();
        return;
    }
    event->setDropAction(Qt::CopyAction);
    event->accept();
    setDropTarget(event->position().toPoint());
}

void WorkspaceTreeView::dragMoveEvent(QDragMoveEvent *event)
{
    if (localPaths(event->mimeData()).isEmpty()) {
        event->ignore();
        return;
    }
    event->setDropAction(Qt::CopyAction);
    event->accept();
    setDropTarget(event->position().toPoint());
}

void WorkspaceTreeView::dragLeaveEvent(QDragLeaveEvent *event)
{
    clearDropTarget();
    event->accept();
}

void WorkspaceTreeView::dropEvent(QDropEvent *event)
{
    const QStringList paths = localPaths(event->mimeData());
    const QString folder = folderAt(event->position().toPoint());
    clearDropTarget();
    if (paths.isEmpty()) {
        event->ignore();
        return;
    }
    event->setDropAction(Qt::CopyAction);
    event->accept();
    qCDebug(lcWorkspaceTree) << "dropped" << paths.size() << "into" << folder;
    Q_EMIT filesDropped(paths, folder);
}

void WorkspaceTreeView::setDropTarget(const QPoint &pos)
{
    const QString folder = folderAt(pos);
    QModelIndex row = indexAt(pos).siblingAtColumn(0);
    // The outlined row is the folder itself: the row under the cursor or the file's parent.
    while (row.isValid() && row.data(WorkspaceTreeModel::PathRole).toString() != folder)
        row = row.parent();
    if (folder == m_dropFolder && QModelIndex(m_dropIndex) == row)
        return;
    m_dropFolder = folder;
    m_dropIndex = row;
    viewport()->update();
}

void WorkspaceTreeView::clearDropTarget()
{
    if (m_dropFolder.isEmpty())
        return;
    m_dropFolder.clear();
    m_dropIndex = QPersistentModelIndex();
    viewport()->update();
}

void WorkspaceTreeView::paintEvent(QPaintEvent *event)
{
    QTreeView::paintEvent(event);
    if (m_dropFolder.isEmpty())
        return;
    QPainter painter(viewport());
    QColor highlight = palette().color(QPalette::Highlight);
    QRect area = viewport()->rect().adjusted(1, 1, -2, -2);
    if (m_dropIndex.isValid()) {
        const QRect row = visualRect(m_dropIndex);
        area = QRect(0, row.top(), viewport()->width() - 1, row.height() - 1);
        highlight.setAlpha(48);
        painter.fillRect(area, highlight);
        highlight.setAlpha(255);
    }
    painter.setPen(QPen(highlight, 2));
    painter.drawRect(area);
}

} // namespace banata
