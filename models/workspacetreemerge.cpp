// SPDX-License-Identifier: MIT
// The workspace tree's listings: asking for them, the Loading and Error rows, and merging a new
// listing into the rows shown so that expansion, selection and loaded subfolders survive.
#include <algorithm>
#include <iterator>

#include <QSet>

#include "models/workspacetreemodel.h"
#include "models/workspacetreemodel_p.h"

using namespace Qt::StringLiterals;

namespace banata {

namespace {
/// More runs of inserted or removed rows than this and one layout change is cheaper: each row
/// signal costs the proxy and the view a pass over the folder's rows.
constexpr size_t kMaxIncrementalRuns = 16;
/// More separate ranges of changed rows than this are announced as one range.
constexpr size_t kMaxChangedRanges = 64;

QString cleanPath(const QString &path)
{
    QString clean = path;
    while (clean.size() > 1 && clean.endsWith(u'/'))
        clean.chop(1);
    return clean;
}

QString parentPath(const QString &path)
{
    const qsizetype slash = path.lastIndexOf(u'/');
    if (slash <= 0)
        return u"/"_s;
    return path.left(slash);
}

bool nameLess(const QString &a, const QString &b)
{
    return a < b;
}
} // namespace

void WorkspaceTreeModel::request(Node *folder)
{
    if (folder->state == Node::State::Loading) {
        folder->again = true; // the answer on its way may predate the change
        return;
    }
    folder->state = Node::State::Loading;
    folder->again = false;
    folder->requestedAt = m_clock.elapsed();
    if (folder->rows.empty())
        scheduleLoadingRows();
    Q_EMIT listingRequested(folder->path);
}

void WorkspaceTreeModel::scheduleLoadingRows()
{
    // Never inserted from inside fetchMore(): views and testers call it while handling signals.
    const qint64 now = m_clock.elapsed();
    qint64 due = -1;
    for (const Node *folder : std::as_const(m_folders)) {
        if (folder->state != Node::State::Loading || !folder->rows.empty() ||
            folder->placeholder == RowKind::Loading)
            continue;
        const qint64 at = folder->requestedAt + m_loadingDelayMs;
        due = due < 0 ? at : qMin(due, at);
    }
    if (due < 0) {
        m_loadingTimer.stop();
        return;
    }
    m_loadingTimer.start(int(std::clamp<qint64>(due - now, 0, m_loadingDelayMs)));
}

void WorkspaceTreeModel::showLoadingRows()
{
    const qint64 now = m_clock.elapsed();
    QList<QString> due;
    for (const Node *folder : std::as_const(m_folders)) {
        if (folder->state == Node::State::Loading && folder->rows.empty() &&
            folder->placeholder != RowKind::Loading && folder->requestedAt + m_loadingDelayMs <= now)
            due.append(folder->path);
    }
    // By path: a view reacting to one row may expand (and so add) folders meanwhile.
    for (const QString &path : std::as_const(due)) {
        if (Node *folder = findFolder(path))
            setPlaceholder(folder, RowKind::Loading, QString());
    }
    scheduleLoadingRows();
}

void WorkspaceTreeModel::setPlaceholder(Node *folder, RowKind kind, const QString &error)
{
    const QModelIndex parent = indexOfNode(folder);
    const int row = int(folder->rows.size());
    if (folder->placeholder == RowKind::Entry) {
        beginInsertRows(parent, row, row);
        folder->placeholder = kind;
        folder->error = error;
        endInsertRows();
        return;
    }
    if (folder->placeholder == kind && folder->error == error)
        return;
    folder->placeholder = kind;
    folder->error = error;
    Q_EMIT dataChanged(index(row, 0, parent), index(row, ColumnCount - 1, parent));
}

void WorkspaceTreeModel::removePlaceholder(Node *folder)
{
    if (folder->placeholder == RowKind::Entry)
        return;
    const int row = int(folder->rows.size());
    beginRemoveRows(indexOfNode(folder), row, row);
    folder->placeholder = RowKind::Entry;
    folder->error.clear();
    endRemoveRows();
}

void WorkspaceTreeModel::setListing(const FileListing &listing)
{
    Node *folder = findFolder(listing.path);
    if (!folder)
        return;
    const QString path = folder->path;
    const bool again = folder->again;
    folder->again = false;
    folder->state = Node::State::Loaded;
    removePlaceholder(folder);
    folder->loadedOnce = true; // before the rows arrive, so hasChildren() agrees with rowCount()
    mergeListing(folder, listing.entries);
    folderRowChanged(folder);
    scheduleLoadingRows();
    Q_EMIT folderLoaded(path);
    if (Node *current = again ? findFolder(path) : nullptr)
        request(current);
}

void WorkspaceTreeModel::setListingError(const QString &path, const QString &error)
{
    Node *folder = findFolder(path);
    if (!folder)
        return;
    const bool again = folder->again;
    folder->again = false;
    folder->state = Node::State::Failed;
    // Rows already shown stay: a failed refresh says so without collapsing what was open.
    setPlaceholder(folder, RowKind::Error, error);
    scheduleLoadingRows();
    if (Node *current = again ? findFolder(path) : nullptr)
        request(current);
}

void WorkspaceTreeModel::refreshPaths(const QStringList &paths)
{
    const QString &root = m_root->path;
    if (root.isEmpty())
        return;
    const QString rootPrefix = root == u"/" ? root : root + u'/';
    QList<QString> targets;
    const auto add = [&targets](const Node *folder) {
        if (folder && folder->state != Node::State::NotLoaded && !targets.contains(folder->path))
            targets.append(folder->path);
    };
    for (const QString &raw : paths) {
        QString path = cleanPath(raw);
        if (!path.startsWith(u'/'))
            path = rootPrefix + path; // relative to the workspace, as the API allows
        if (path != root && !path.startsWith(rootPrefix))
            continue;
        if (const Node *folder = findFolder(path); folder && folder->state != Node::State::NotLoaded) {
            add(folder); // a listed folder changed: it, and its row in its parent
            add(folder->parent);
            continue;
        }
        // A file (or a folder not listed): the nearest listed folder above it shows the change.
        for (QString dir = parentPath(path);; dir = parentPath(dir)) {
            if (const Node *folder = findFolder(dir); folder && folder->state != Node::State::NotLoaded) {
                add(folder);
                break;
            }
            if (dir == root || !dir.startsWith(rootPrefix))
                break;
        }
    }
    for (const QString &path : std::as_const(targets)) {
        if (Node *folder = findFolder(path))
            request(folder);
    }
}

void WorkspaceTreeModel::refreshAll()
{
    QList<QString> targets;
    for (const Node *folder : std::as_const(m_folders)) {
        if (folder->state != Node::State::NotLoaded)
            targets.append(folder->path);
    }
    std::sort(targets.begin(), targets.end()); // parents first
    for (const QString &path : std::as_const(targets)) {
        if (Node *folder = findFolder(path))
            request(folder);
    }
}

void WorkspaceTreeModel::mergeListing(Node *folder, QList<FileEntry> listed)
{
    std::vector<FileEntry> entries(std::make_move_iterator(listed.begin()),
                                   std::make_move_iterator(listed.end()));
    listed.clear();
    const QString prefix = folder->path == u"/" ? folder->path : folder->path + u'/';
    for (FileEntry &entry : entries) {
        if (entry.path.isEmpty())
            entry.path = prefix + entry.name;
    }
    const auto byName = [](const FileEntry &a, const FileEntry &b) {
        return nameLess(a.name, b.name);
    };
    if (!std::is_sorted(entries.cbegin(), entries.cend(), byName))
        std::stable_sort(entries.begin(), entries.end(), byName);
    entries.erase(std::unique(entries.begin(), entries.end(),
                              [](const FileEntry &a, const FileEntry &b) { return a.name == b.name; }),
                  entries.end());

    std::vector<Row> &rows = folder->rows;
    if (rows.empty()) {
        if (entries.empty())
            return;
        beginInsertRows(indexOfNode(folder), 0, int(entries.size()) - 1);
        rows.reserve(entries.size());
        for (FileEntry &entry : entries)
            rows.push_back(Row{std::move(entry), nullptr, -1});
        endInsertRows();
        return;
    }

    // One sorted walk over both lists: runs of rows that went away and of rows that are new.
    std::vector<DiffRun> runs;
    size_t i = 0;
    size_t j = 0;
    while ((i < rows.size() || j < entries.size()) && runs.size() <= kMaxIncrementalRuns) {
        if (j == entries.size() || (i < rows.size() && nameLess(rows[i].entry.name, entries[j].name))) {
            if (!runs.empty() && !runs.back().insert && runs.back().last == int(i) - 1)
                runs.back().last = int(i);
            else
                runs.push_back({false, int(i), int(i), int(i)});
            ++i;
        } else if (i == rows.size() || nameLess(entries[j].name, rows[i].entry.name)) {
            if (!runs.empty() && runs.back().insert && runs.back().at == int(i) &&
                runs.back().last == int(j) - 1)
                runs.back().last = int(j);
            else
                runs.push_back({true, int(i), int(j), int(j)});
            ++j;
        } else {
            ++i;
            ++j;
        }
    }
    if (runs.size() > kMaxIncrementalRuns) {
        applyLayout(folder, entries);
        return;
    }
    applyRuns(folder, runs, entries);
    updateRows(folder, entries);
}

void WorkspaceTreeModel::applyRuns(Node *folder, const std::vector<DiffRun> &runs,
                                   std::vector<FileEntry> &entries)
{
    const QModelIndex parent = indexOfNode(folder);
    std::vector<Row> &rows = folder->rows;
    int offset = 0;
    for (const DiffRun &run : runs) {
        const int count = run.last - (run.insert ? run.first : run.at) + 1;
        const int at = run.at + offset;
        if (!run.insert) {
            beginRemoveRows(parent, at, at + count - 1);
            for (int row = at; row < at + count; ++row) {
                if (Node *gone = rows[size_t(row)].folder.get()) {
                    std::erase(folder->subfolders, gone);
                    forget(gone);
                }
            }
            rows.erase(rows.begin() + at, rows.begin() + at + count);
            for (Node *sub : folder->subfolders) {
                if (sub->row >= at + count)
                    sub->row -= count;
            }
            endRemoveRows();
            offset -= count;
            continue;
        }
        std::vector<Row> added;
        added.reserve(size_t(count));
        for (int k = run.first; k <= run.last; ++k)
            added.push_back(Row{entries[size_t(k)], nullptr, -1}); // a copy: updateRows() compares with it
        beginInsertRows(parent, at, at + count - 1);
        rows.insert(rows.begin() + at, std::make_move_iterator(added.begin()),
                    std::make_move_iterator(added.end()));
        for (Node *sub : folder->subfolders) {
            if (sub->row >= at)
                sub->row += count;
        }
        endInsertRows();
        offset += count;
    }
}

void WorkspaceTreeModel::updateRows(Node *folder, std::vector<FileEntry> &entries)
{
    std::vector<Row> &rows = folder->rows;
    Q_ASSERT(rows.size() == entries.size());
    std::vector<std::pair<int, int>> ranges;
    for (size_t k = 0; k < rows.size(); ++k) {
        Row &row = rows[k];
        FileEntry &entry = entries[k];
        if (row.entry == entry)
            continue;
        if (row.folder && entry.type != FileEntry::Type::Directory) {
            // No longer a folder: its rows go first, then its node.
            Node *gone = row.folder.get();
            dropChildren(gone);
            std::erase(folder->subfolders, gone);
            forget(gone);
            row.folder.reset();
        }
        if (row.entry.type != entry.type)
            row.mime = -1;
        row.entry = std::move(entry);
        const int at = int(k);
        if (!ranges.empty() && ranges.back().second == at - 1)
            ranges.back().second = at;
        else
            ranges.emplace_back(at, at);
    }
    if (ranges.empty())
        return;
    if (ranges.size() > kMaxChangedRanges)
        ranges = {{ranges.front().first, ranges.back().second}};
    const QModelIndex parent = indexOfNode(folder);
    for (const auto &[first, last] : ranges)
        Q_EMIT dataChanged(index(first, 0, parent), index(last, ColumnCount - 1, parent));
}

void WorkspaceTreeModel::applyLayout(Node *folder, std::vector<FileEntry> &entries)
{
    Q_EMIT layoutAboutToBeChanged();
    std::vector<Row> old = std::move(folder->rows);
    folder->rows.clear();
    std::vector<Row> fresh;
    fresh.reserve(entries.size());
    std::vector<int> oldToNew(old.size(), -1);
    std::vector<std::unique_ptr<Node>> doomed; // folders of rows that went away or stopped being folders
    size_t i = 0;
    size_t j = 0;
    while (i < old.size() || j < entries.size()) {
        if (j == entries.size() || (i < old.size() && nameLess(old[i].entry.name, entries[j].name))) {
            if (old[i].folder)
                doomed.push_back(std::move(old[i].folder));
            ++i;
        } else if (i == old.size() || nameLess(entries[j].name, old[i].entry.name)) {
            fresh.push_back(Row{std::move(entries[j]), nullptr, -1});
            ++j;
        } else {
            Row row = std::move(old[i]);
            if (row.folder && entries[j].type != FileEntry::Type::Directory)
                doomed.push_back(std::move(row.folder));
            if (row.entry.type != entries[j].type)
                row.mime = -1;
            row.entry = std::move(entries[j]);
            oldToNew[i] = int(fresh.size());
            fresh.push_back(std::move(row));
            ++i;
            ++j;
        }
    }

    QSet<const Node *> gone;
    std::vector<const Node *> pending;
    for (const auto &node : doomed)
        pending.push_back(node.get());
    while (!pending.empty()) {
        const Node *node = pending.back();
        pending.pop_back();
        gone.insert(node);
        pending.insert(pending.end(), node->subfolders.cbegin(), node->subfolders.cend());
    }
    for (const auto &node : doomed)
        forget(node.get());

    // Selection, the current row and expanded folders follow their rows to where they are now.
    const QModelIndexList persistent = persistentIndexList();
    QModelIndexList from;
    QModelIndexList to;
    for (const QModelIndex &index : persistent) {
        const Node *owner = folderOf(index);
        if (owner == folder) {
            const int row = size_t(index.row()) < oldToNew.size() ? oldToNew[size_t(index.row())] : -1;
            from.append(index);
            to.append(row >= 0 ? createIndex(row, index.column(), folder) : QModelIndex());
        } else if (gone.contains(owner)) {
            from.append(index);
            to.append(QModelIndex());
        }
    }
    changePersistentIndexList(from, to);

    folder->rows = std::move(fresh);
    folder->subfolders.clear();
    for (size_t k = 0; k < folder->rows.size(); ++k) {
        if (Node *sub = folder->rows[k].folder.get()) {
            sub->row = int(k);
            folder->subfolders.push_back(sub);
        }
    }
    doomed.clear();
    old.clear();
    Q_EMIT layoutChanged();
}

void WorkspaceTreeModel::dropChildren(Node *folder)
{
    const int count = folder->rowCount();
    if (count == 0)
        return;
    beginRemoveRows(indexOfNode(folder), 0, count - 1);
    for (Node *sub : folder->subfolders)
        forget(sub);
    folder->subfolders.clear();
    folder->rows.clear();
    folder->placeholder = RowKind::Entry;
    folder->error.clear();
    endRemoveRows();
}

void WorkspaceTreeModel::forget(Node *node)
{
    for (Node *sub : node->subfolders)
        forget(sub);
    const auto it = m_folders.constFind(node->path);
    if (it != m_folders.cend() && *it == node)
        m_folders.erase(it);
}

void WorkspaceTreeModel::folderRowChanged(Node *folder)
{
    if (!folder->parent)
        return;
    const QModelIndex cell = createIndex(folder->row, SizeColumn, folder->parent);
    Q_EMIT dataChanged(cell, cell);
}

} // namespace banata
