// SPDX-License-Identifier: MIT
#pragma once

#include <QPersistentModelIndex>
#include <QTreeView>

namespace banata {

/**
 * The Files tab's tree ("filesTree"): a QTreeView over WorkspaceSortProxy that draws Loading rows
 * greyed and Error rows red with their reason, and takes local files and folders dropped from the
 * desktop (text/uri-list with file:// URLs): onto a folder row they go into that folder, onto a
 * file row into the file's folder, onto empty space into the root. The target folder is outlined
 * while dragging. It never uploads by itself: it says filesDropped().
 */
class WorkspaceTreeView final : public QTreeView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WorkspaceTreeView)

public:
    explicit WorkspaceTreeView(QWidget *parent = nullptr);

    /// The workspace folder a drop at \a pos (viewport coordinates) goes into.
    QString folderAt(const QPoint &pos) const;
    /// The workspace folder an action on \a index means: a folder itself, else its parent folder
    /// (the root for top-level files and for an invalid index).
    QString folderFor(const QModelIndex &index) const;
    /// The folder outlined now (empty when no drag is over the view).
    QString dropTarget() const { return m_dropFolder; }

Q_SIGNALS:
    /// Local \a paths (files or folders) were dropped to go into the workspace folder \a folder.
    void filesDropped(const QStringList &paths, const QString &folder);

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dragMoveEvent(QDragMoveEvent *event) override;
    void dragLeaveEvent(QDragLeaveEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    void paintEvent(QPaintEvent *event) override;

private:
    static QStringList localPaths(const QMimeData *mime);
    void setDropTarget(const QPoint &pos);
    void clearDropTarget();
    QString rootPath() const;

    QPersistentModelIndex m_dropIndex; // the folder row outlined; invalid with m_dropFolder set: the root
    QString m_dropFolder;
};

} // namespace banata
