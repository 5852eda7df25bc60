// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <optional>

#include <QAbstractItemModel>
#include <QElapsedTimer>
#include <QHash>
#include <QMimeDatabase>
#include <QMimeType>
#include <QTimer>

#include "core/files.h"

namespace banata {

/**
 * The lazy tree of a sandbox's `/workspace` (the Files tab). The model never talks to the
 * network: it asks for a folder's listing with listingRequested() when the view expands it
 * (canFetchMore/fetchMore) or when refresh() says it changed, and the owner answers with
 * setListing() or setListingError(). Until an answer comes, a folder that has waited more than
 * 300 ms shows one "Loading…" row; a failed listing shows one error row (RowKind Error) with the
 * reason. A new listing is merged into the old one by name (rows inserted, removed and changed in
 * place), so expansion, selection and loaded subfolders survive live refreshes. Rows keep the
 * server's order (by name); sorting and filtering are WorkspaceSortProxy's job. 100,000 entries in
 * one folder cost one vector of rows and no per-row allocations beyond the entries themselves.
 */
class WorkspaceTreeModel final : public QAbstractItemModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WorkspaceTreeModel)

public:
    enum Column
    {
        NameColumn,
        SizeColumn,
        ModifiedColumn,
        TypeColumn,
        ColumnCount
    };
    Q_ENUM(Column)

    enum Role
    {
        PathRole = Qt::UserRole + 1, ///< QString: absolute sandbox path
        EntryTypeRole,               ///< int: FileEntry::Type
        SizeRole,                    ///< qint64 bytes
        ModifiedRole,                ///< qint64 epoch ms
        IsDirectoryRole,             ///< bool
        RowKindRole,                 ///< int: RowKind
        ErrorRole,                   ///< QString: why an Error row's listing failed
        MimeTypeRole,                ///< QString: by name, e.g. "application/json" ("inode/directory")
        SortRole, ///< the column's value to sort by (WorkspaceSortProxy puts directories first itself)
    };
    Q_ENUM(Role)

    enum class RowKind
    {
        Entry,
        Loading,
        Error
    };
    Q_ENUM(RowKind)

    explicit WorkspaceTreeModel(QObject *parent = nullptr);
    ~WorkspaceTreeModel() override;

    /// Starts over at \a rootPath (default "/workspace"); asks for its listing at once.
    void reset(const QString &rootPath = QStringLiteral("/workspace"));
    QString rootPath() const;
    /// How long a folder waits before its Loading row appears (default 300 ms; tests use 0).
    void setLoadingRowDelay(int ms);

    /// The answer to listingRequested(\a path): merged into what is shown. Ignored for folders the
    /// model no longer shows.
    void setListing(const FileListing &listing);
    void setListingError(const QString &path, const QString &error);
    /// Lists \a paths again where the model has loaded them (a file change event: pass the changed
    /// paths; their parent folders are refreshed). Unknown paths are ignored.
    void refreshPaths(const QStringList &paths);
    /// Lists every loaded folder again (F5).
    void refreshAll();

    /// The drag format of mimeData(): a JSON array of absolute sandbox paths (UTF-8). Not
    /// text/uri-list: these are paths inside a sandbox, not files a desktop could open.
    static constexpr char kPathsMimeType[] = "application/x-banata-workspace-paths";
    /// The paths a drag from this model carries (empty for any other drag).
    static QStringList pathsFromMimeData(const QMimeData *data);

    QModelIndex indexForPath(const QString &path, int column = 0) const;
    QString pathAt(const QModelIndex &index) const;
    std::optional<FileEntry> entryAt(const QModelIndex &index) const;
    /// The entry of an Entry row without a copy (null for Loading / Error rows); valid until the
    /// model changes. For the proxy's comparisons over 100,000 rows.
    const FileEntry *peekEntry(const QModelIndex &index) const;
    /// How many entries a loaded folder has; nullopt while its listing is not known.
    std::optional<int> entryCount(const QString &path) const;
    /// True while \a path has been asked for and not answered yet.
    bool isLoading(const QString &path) const;
    /// Folders whose listing is known.
    QStringList loadedFolders() const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    bool hasChildren(const QModelIndex &parent = {}) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QStringList mimeTypes() const override;
    QMimeData *mimeData(const QModelIndexList &indexes) const override;
    Qt::DropActions supportedDropActions() const override;
    bool canDropMimeData(const QMimeData *data, Qt::DropAction action, int row, int column,
                         const QModelIndex &parent) const override;
    /// Local files dropped on a folder (or on a file: its folder) become filesDropped().
    bool dropMimeData(const QMimeData *data, Qt::DropAction action, int row, int column,
                      const QModelIndex &parent) override;

Q_SIGNALS:
    /// The owner should list \a path and answer with setListing() / setListingError().
    void listingRequested(const QString &path);
    /// A folder's listing arrived (for views that wait to expand or select something in it).
    void folderLoaded(const QString &path);
    /// Local files or folders were dropped on \a folder (a workspace path): upload them.
    void filesDropped(const QStringList &localPaths, const QString &folder);

private:
    struct Node;
    struct Row;
    struct DiffRun;
    /// The folder whose rows \a index belongs to (the root for top-level rows).
    Node *folderOf(const QModelIndex &index) const;
    const Row *rowAt(const QModelIndex &index) const;
    /// The folder \a index stands for (the root for an invalid index); null until asked for.
    Node *childFolder(const QModelIndex &index) const;
    /// The same, created for a directory row that has none yet.
    Node *ensureFolder(const QModelIndex &index);
    Node *findFolder(const QString &path) const;
    QModelIndex indexOfNode(const Node *node, int column = 0) const;
    void request(Node *folder);
    void showLoadingRows();
    void scheduleLoadingRows();
    void setPlaceholder(Node *folder, RowKind kind, const QString &error);
    void removePlaceholder(Node *folder);
    void mergeListing(Node *folder, QList<FileEntry> entries);
    void applyRuns(Node *folder, const std::vector<DiffRun> &runs, std::vector<FileEntry> &entries);
    void applyLayout(Node *folder, std::vector<FileEntry> &entries);
    void updateRows(Node *folder, std::vector<FileEntry> &entries);
    void dropChildren(Node *folder);
    void forget(Node *node);
    void folderRowChanged(Node *folder);
    QVariant entryData(const Node *folder, const Row &row, int column, int role) const;
    QVariant placeholderData(const Node *folder, int column, int role) const;
    int mimeIndex(const Row &row) const;

    std::unique_ptr<Node> m_root;
    QHash<QString, Node *> m_folders; // every folder asked for, by path
    QTimer m_loadingTimer;
    QElapsedTimer m_clock;
    int m_loadingDelayMs = 300;
    QMimeDatabase m_mimeDatabase;
    mutable QHash<QString, int> m_mimeBySuffix;
    mutable QList<QMimeType> m_mimeTypes;
    mutable QStringList m_mimeComments;
};

} // namespace banata
