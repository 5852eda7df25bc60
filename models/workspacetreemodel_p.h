// SPDX-License-Identifier: MIT
#pragma once

#include <vector>

#include "models/workspacetreemodel.h"

namespace banata {

/// One row of a folder: an entry as listed, and its own folder once the view asked for it.
struct WorkspaceTreeModel::Row
{
    FileEntry entry;
    std::unique_ptr<Node> folder;
    mutable int mime = -1; // index into m_mimeTypes, filled on first use
};

/**
 * A folder the model knows rows of (the root, or a directory the view expanded). Indexes of its
 * rows carry a pointer to it, so a row needs no object of its own: 100,000 rows are one vector.
 */
struct WorkspaceTreeModel::Node
{
    enum class State
    {
        NotLoaded,
        Loading,
        Loaded,
        Failed
    };

    Node *parent = nullptr;
    int row = 0; // in parent->rows; kept current through inserts and removals
    QString path;
    std::vector<Row> rows;                // sorted by name (QString order), as the server lists them
    RowKind placeholder = RowKind::Entry; // Loading or Error: one more row after `rows`
    QString error;
    State state = State::NotLoaded;
    bool loadedOnce = false;
    bool again = false; // changed while a listing was on its way: list it again once it lands
    qint64 requestedAt = 0;
    std::vector<Node *> subfolders; // the rows that have a folder, to renumber them cheaply

    int rowCount() const { return int(rows.size()) + (placeholder == RowKind::Entry ? 0 : 1); }
};

/// A run of rows the merge inserts (entries [first, last] before old row `at`) or removes (old
/// rows [at, last]).
struct WorkspaceTreeModel::DiffRun
{
    bool insert = false;
    int at = 0;
    int first = 0;
    int last = 0;
};

} // namespace banata
