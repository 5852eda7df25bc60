// SPDX-License-Identifier: MIT
// The workspace tree's structure and what its rows show; listings and merging are in
// workspacetreemerge.cpp, drag and drop in workspacetreedrag.cpp.
#include "models/workspacetreemodel.h"

#include <algorithm>

#include "models/modeltext.h"
#include "models/workspacetreemodel_p.h"

using namespace Qt::StringLiterals;

namespace banata {

namespace {
constexpr int kDirectoryMime = -2;

bool nameLess(const QString &a, const QString &b)
{
    return a < b;
}

/// What the mime cache is keyed by: the lowercase suffix ("json", "tar.gz"), or the whole name
/// for names without one ("Makefile", ".bashrc").
QString suffixKey(const QString &name)
{
    const qsizetype dot = name.lastIndexOf(u'.');
    if (dot <= 0 || dot == name.size() - 1)
        return u'/' + name; // '/' never occurs in a name: no clash with a suffix
    QString key = name.mid(dot + 1).toLower();
    const qsizetype previous = name.lastIndexOf(u'.', dot - 1);
    if (previous > 0 &&
        QStringView(name).sliced(previous + 1, dot - previous - 1).compare(u"tar"_s, Qt::CaseInsensitive) ==
            0)
        key.prepend(u"tar."_s);
    return key;
}
} // namespace

WorkspaceTreeModel::WorkspaceTreeModel(QObject *parent)
    : QAbstractItemModel(parent)
    , m_root(std::make_unique<Node>())
{
    m_clock.start();
    m_loadingTimer.setSingleShot(true);
    m_loadingTimer.setTimerType(Qt::PreciseTimer); // "after 300 ms" means after, not a little before
    connect(&m_loadingTimer, &QTimer::timeout, this, &WorkspaceTreeModel::showLoadingRows);
}

WorkspaceTreeModel::~WorkspaceTreeModel() = default;

void WorkspaceTreeModel::reset(const QString &rootPath)
{
    QString path = rootPath;
    while (path.size() > 1 && path.endsWith(u'/'))
        path.chop(1);
    beginResetModel();
    m_folders.clear();
    m_root = std::make_unique<Node>();
    m_root->path = path;
    m_folders.insert(path, m_root.get());
    endResetModel();
    if (m_root->state == Node::State::NotLoaded) // a view may have fetched it on modelReset already
        request(m_root.get());
}

QString WorkspaceTreeModel::rootPath() const
{
    return m_root->path;
}

void WorkspaceTreeModel::setLoadingRowDelay(int ms)
{
    m_loadingDelayMs = qMax(0, ms);
}

WorkspaceTreeModel::Node *WorkspaceTreeModel::folderOf(const QModelIndex &index) const
{
    return index.isValid() ? static_cast<Node *>(index.internalPointer()) : nullptr;
}

const WorkspaceTreeModel::Row *WorkspaceTreeModel::rowAt(const QModelIndex &index) const
{
    const Node *folder = folderOf(index);
    if (!folder || index.row() < 0 || size_t(index.row()) >= folder->rows.size())
        return nullptr;
    return &folder->rows[size_t(index.row())];
}

WorkspaceTreeModel::Node *WorkspaceTreeModel::childFolder(const QModelIndex &index) const
{
    if (!index.isValid())
        return m_root.get();
    const Row *row = rowAt(index);
    return row ? row->folder.get() : nullptr;
}

WorkspaceTreeModel::Node *WorkspaceTreeModel::ensureFolder(const QModelIndex &index)
{
    if (!index.isValid())
        return m_root.get();
    Node *parentFolder = folderOf(index);
    const Row *found = rowAt(index);
    if (!found || found->entry.type != FileEntry::Type::Directory)
        return nullptr;
    Row &row = parentFolder->rows[size_t(index.row())];
    if (!row.folder) {
        row.folder = std::make_unique<Node>();
        row.folder->parent = parentFolder;
        row.folder->row = index.row();
        row.folder->path = row.entry.path;
        parentFolder->subfolders.push_back(row.folder.get());
        m_folders.insert(row.folder->path, row.folder.get());
    }
    return row.folder.get();
}

WorkspaceTreeModel::Node *WorkspaceTreeModel::findFolder(const QString &path) const
{
    QString key = path;
    while (key.size() > 1 && key.endsWith(u'/'))
        key.chop(1);
    return m_folders.value(key);
}

QModelIndex WorkspaceTreeModel::indexOfNode(const Node *node, int column) const
{
    if (!node || node == m_root.get() || !node->parent)
        return {};
    return createIndex(node->row, column, node->parent);
}

QModelIndex WorkspaceTreeModel::indexForPath(const QString &path, int column) const
{
    QString clean = path;
    while (clean.size() > 1 && clean.endsWith(u'/'))
        clean.chop(1);
    if (clean == m_root->path || column < 0 || column >= ColumnCount)
        return {};
    const qsizetype slash = clean.lastIndexOf(u'/');
    if (slash < 0)
        return {};
    const Node *folder = findFolder(slash == 0 ? u"/"_s : clean.left(slash));
    if (!folder)
        return {};
    const QString name = clean.mid(slash + 1);
    const auto it =
        std::lower_bound(folder->rows.cbegin(), folder->rows.cend(), name,
                         [](const Row &row, const QString &n) { return nameLess(row.entry.name, n); });
    if (it == folder->rows.cend() || it->entry.name != name)
        return {};
    return createIndex(int(it - folder->rows.cbegin()), column, folder);
}

QString WorkspaceTreeModel::pathAt(const QModelIndex &index) const
{
    if (!index.isValid())
        return m_root->path;
    if (const Row *row = rowAt(index))
        return row->entry.path;
    const Node *folder = folderOf(index);
    return folder ? folder->path : QString();
}

std::optional<FileEntry> WorkspaceTreeModel::entryAt(const QModelIndex &index) const
{
    const Row *row = rowAt(index);
    return row ? std::optional(row->entry) : std::nullopt;
}

const FileEntry *WorkspaceTreeModel::peekEntry(const QModelIndex &index) const
{
    const Row *row = rowAt(index);
    return row ? &row->entry : nullptr;
}

std::optional<int> WorkspaceTreeModel::entryCount(const QString &path) const
{
    const Node *folder = findFolder(path);
    if (!folder || !folder->loadedOnce)
        return std::nullopt;
    return int(folder->rows.size());
}

bool WorkspaceTreeModel::isLoading(const QString &path) const
{
    const Node *folder = findFolder(path);
    return folder && folder->state == Node::State::Loading;
}

QStringList WorkspaceTreeModel::loadedFolders() const
{
    QStringList paths;
    for (const Node *folder : m_folders) {
        if (folder->loadedOnce)
            paths.append(folder->path);
    }
    paths.sort();
    return paths;
}

QModelIndex WorkspaceTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount || parent.column() > 0)
        return {};
    Node *folder = childFolder(parent);
    if (!folder || row >= folder->rowCount())
        return {};
    return createIndex(row, column, folder);
}

QModelIndex WorkspaceTreeModel::parent(const QModelIndex &child) const
{
    return indexOfNode(folderOf(child));
}

int WorkspaceTreeModel::rowCount(const QModelIndex &parent) const
{
    if (parent.column() > 0)
        return 0;
    const Node *folder = childFolder(parent);
    return folder ? folder->rowCount() : 0;
}

int WorkspaceTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

bool WorkspaceTreeModel::hasChildren(const QModelIndex &parent) const
{
    if (parent.column() > 0)
        return false;
    if (!parent.isValid())
        return m_root->rowCount() > 0;
    const Row *row = rowAt(parent);
    if (!row || row->entry.type != FileEntry::Type::Directory)
        return false;
    // Unlisted folders may have children (the view shows an expander); listed ones say so.
    return !row->folder || !row->folder->loadedOnce || row->folder->rowCount() > 0;
}

bool WorkspaceTreeModel::canFetchMore(const QModelIndex &parent) const
{
    if (parent.column() > 0)
        return false;
    if (!parent.isValid())
        return !m_root->path.isEmpty() && m_root->state == Node::State::NotLoaded;
    const Row *row = rowAt(parent);
    if (!row || row->entry.type != FileEntry::Type::Directory)
        return false;
    return !row->folder || row->folder->state == Node::State::NotLoaded;
}

void WorkspaceTreeModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    if (Node *folder = ensureFolder(parent))
        request(folder);
}

int WorkspaceTreeModel::mimeIndex(const Row &row) const
{
    if (row.mime != -1)
        return row.mime;
    if (row.entry.type == FileEntry::Type::Directory) {
        row.mime = kDirectoryMime;
        return row.mime;
    }
    const QString key = suffixKey(row.entry.name);
    auto it = m_mimeBySuffix.constFind(key);
    if (it == m_mimeBySuffix.cend()) {
        const QMimeType type = m_mimeDatabase.mimeTypeForFile(row.entry.name, QMimeDatabase::MatchExtension);
        m_mimeTypes.append(type);
        m_mimeComments.append(type.comment());
        it = m_mimeBySuffix.insert(key, int(m_mimeTypes.size() - 1));
    }
    row.mime = *it;
    return row.mime;
}

QVariant WorkspaceTreeModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Node *folder = folderOf(index);
    if (const Row *row = rowAt(index))
        return entryData(folder, *row, index.column(), role);
    return placeholderData(folder, index.column(), role);
}

QVariant WorkspaceTreeModel::entryData(const Node *folder, const Row &row, int column, int role) const
{
    Q_UNUSED(folder)
    const FileEntry &entry = row.entry;
    const bool isDirectory = entry.type == FileEntry::Type::Directory;
    switch (role) {
    case PathRole:
        return entry.path;
    case EntryTypeRole:
        return int(entry.type);
    case SizeRole:
        return entry.size;
    case ModifiedRole:
        return entry.mtime;
    case IsDirectoryRole:
        return isDirectory;
    case RowKindRole:
        return int(RowKind::Entry);
    case MimeTypeRole: {
        const int mime = mimeIndex(row);
        return mime == kDirectoryMime ? u"inode/directory"_s : m_mimeTypes.at(mime).name();
    }
    case Qt::ToolTipRole:
        return entry.path;
    default:
        break;
    }
    const int count =
        row.folder && row.folder->loadedOnce ? int(row.folder->rows.size()) : -1; // -1: not listed
    switch (column) {
    case NameColumn:
        if (role == Qt::DisplayRole || role == Qt::EditRole || role == SortRole)
            return entry.name;
        break;
    case SizeColumn:
        if (role == Qt::DisplayRole) {
            if (isDirectory) {
                if (count < 0)
                    return QString();
                // English has no translation file: spell the singular out.
                return count == 1 ? tr("1 item") : tr("%n items", nullptr, count);
            }
            return entry.type == FileEntry::Type::File ? modeltext::sizeText(entry.size) : QString();
        }
        if (role == SortRole)
            return isDirectory ? qint64(count) : entry.size;
        if (role == Qt::TextAlignmentRole)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        break;
    case ModifiedColumn:
        if (role == Qt::DisplayRole)
            return entry.mtime > 0 ? modeltext::dateTimeText(entry.mtime) : QString();
        if (role == SortRole)
            return entry.mtime;
        break;
    case TypeColumn:
        if (role == Qt::DisplayRole || role == SortRole) {
            if (isDirectory)
                return tr("Folder");
            if (entry.type == FileEntry::Type::Symlink)
                return tr("Link");
            if (entry.type == FileEntry::Type::Other)
                return tr("Special file");
            return m_mimeComments.at(mimeIndex(row));
        }
        break;
    default:
        break;
    }
    return {};
}

QVariant WorkspaceTreeModel::placeholderData(const Node *folder, int column, int role) const
{
    const bool loading = folder->placeholder == RowKind::Loading;
    switch (role) {
    case RowKindRole:
        return int(folder->placeholder);
    case PathRole:
        return folder->path;
    case ErrorRole:
        return loading ? QString() : folder->error;
    case IsDirectoryRole:
        return false;
    case Qt::ToolTipRole:
        return loading ? QString() : folder->error;
    case SortRole:
        return QString();
    case Qt::DisplayRole:
        if (column != NameColumn)
            return QString();
        return loading ? tr("Loading…") : tr("Could not list this folder: %1").arg(folder->error);
    default:
        return {};
    }
}

QVariant WorkspaceTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractItemModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn:
        return tr("Name");
    case SizeColumn:
        return tr("Size");
    case ModifiedColumn:
        return tr("Modified");
    case TypeColumn:
        return tr("Type");
    default:
        return {};
    }
}

Qt::ItemFlags WorkspaceTreeModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return m_root->path.isEmpty() ? Qt::NoItemFlags : Qt::ItemIsDropEnabled;
    const Row *row = rowAt(index);
    if (!row) // Loading and Error rows: shown, never picked
        return folderOf(index)->placeholder == RowKind::Error ? Qt::ItemIsEnabled | Qt::ItemNeverHasChildren
                                                              : Qt::ItemNeverHasChildren;
    Qt::ItemFlags flags = Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDragEnabled;
    if (row->entry.type == FileEntry::Type::Directory)
        flags |= Qt::ItemIsDropEnabled;
    else
        flags |= Qt::ItemNeverHasChildren;
    return flags;
}

} // namespace banata
