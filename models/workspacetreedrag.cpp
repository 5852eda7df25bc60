// SPDX-License-Identifier: MIT
// The workspace tree's drag and drop: sandbox paths out (never URLs), local files in (uploads).
#include <algorithm>

#include <QJsonArray>
#include <QJsonDocument>
#include <QMimeData>
#include <QUrl>

#include "models/workspacetreemodel.h"
#include "models/workspacetreemodel_p.h"

using namespace Qt::StringLiterals;

namespace banata {

QStringList WorkspaceTreeModel::pathsFromMimeData(const QMimeData *data)
{
    if (!data || !data->hasFormat(QLatin1StringView(kPathsMimeType)))
        return {};
    const QJsonArray array = QJsonDocument::fromJson(data->data(QLatin1StringView(kPathsMimeType))).array();
    QStringList paths;
    for (const QJsonValue &value : array) {
        if (value.isString())
            paths.append(value.toString());
    }
    return paths;
}

QStringList WorkspaceTreeModel::mimeTypes() const
{
    return {QLatin1StringView(kPathsMimeType), u"text/uri-list"_s};
}

QMimeData *WorkspaceTreeModel::mimeData(const QModelIndexList &indexes) const
{
    QStringList paths;
    QJsonArray array;
    for (const QModelIndex &index : indexes) {
        const Row *row = index.column() == NameColumn ? rowAt(index) : nullptr;
        if (!row || paths.contains(row->entry.path))
            continue;
        paths.append(row->entry.path);
        array.append(row->entry.path);
    }
    if (paths.isEmpty())
        return nullptr;
    auto *data = new QMimeData;
    data->setData(QLatin1StringView(kPathsMimeType), QJsonDocument(array).toJson(QJsonDocument::Compact));
    data->setText(paths.join(u'\n'));
    return data;
}

Qt::DropActions WorkspaceTreeModel::supportedDropActions() const
{
    return Qt::CopyAction;
}

bool WorkspaceTreeModel::canDropMimeData(const QMimeData *data, Qt::DropAction action, int, int,
                                         const QModelIndex &parent) const
{
    // Copy only: a move would tell the desktop it may delete the local files.
    if (!data || !data->hasUrls() || action != Qt::CopyAction)
        return false;
    if (parent.isValid() && !rowAt(parent))
        return false;
    const QList<QUrl> urls = data->urls();
    return std::any_of(urls.cbegin(), urls.cend(), [](const QUrl &url) { return url.isLocalFile(); });
}

bool WorkspaceTreeModel::dropMimeData(const QMimeData *data, Qt::DropAction action, int row, int column,
                                      const QModelIndex &parent)
{
    if (!canDropMimeData(data, action, row, column, parent))
        return false;
    QString folder = m_root->path;
    if (const Row *target = rowAt(parent)) // dropped on a row (a file: into its folder)
        folder =
            target->entry.type == FileEntry::Type::Directory ? target->entry.path : folderOf(parent)->path;
    QStringList localPaths;
    const QList<QUrl> urls = data->urls();
    for (const QUrl &url : urls) {
        if (url.isLocalFile())
            localPaths.append(url.toLocalFile());
    }
    Q_EMIT filesDropped(localPaths, folder);
    return true;
}

} // namespace banata
