// SPDX-License-Identifier: MIT
#pragma once

#include "core/handoff.h"
#include "core/sandbox.h"
#include "core/task.h"
#include "models/metatypes.h"
#include "models/sandboxkey.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QSet>
#include <QTimer>

#include <array>
#include <limits>

namespace banata {

/**
 * Every sandbox of every connection, one row each: the app's main list.
 *
 * Fed through upsert/remove/resetConnection/setHandoff/setCurrentTask (the app binds them to each
 * Connection's signals; tests and benchmarks call them directly). A change emits dataChanged for that row and only
 * the columns and roles that changed; a reset of one connection that touches more than half the
 * rows emits one full-range dataChanged; rows come and go only through begin/end insert/remove.
 * Column Age is refreshed every 30 s with one dataChanged over that column.
 */
class SandboxListModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SandboxListModel)

public:
    enum Column {
        StateColumn,      ///< badge text "Paused"; DecorationRole: none (the delegate paints)
        NameColumn,       ///< the name, else the id
        IdColumn,
        ConnectionColumn, ///< the connection's name
        RegionColumn,
        CapabilitiesColumn, ///< "browser, agent"
        TaskColumn,       ///< the current agent task's prompt (running/queued), else empty
        HandoffColumn,    ///< "Needs you: MFA" while a handoff is pending; "Taken by X" when accepted
        AgeColumn,        ///< "3 min", from createdAt
        ColumnCount
    };
    Q_ENUM(Column)

    enum Role {
        SortRole = Qt::UserRole, ///< raw value per column (status order, epoch ms, lower-case text)
        KeyRole,                 ///< QVariant::fromValue(SandboxKey)
        SandboxIdRole,
        ConnectionIdRole,
        StatusRole,              ///< int(SandboxStatus)
        TransitionalRole,        ///< bool: queued, assigning, pausing, ending
        StatusReasonRole,        ///< QString, empty when none
        NeedsYouRole,            ///< bool: a handoff is pending
        HandoffRole,             ///< QVariant::fromValue(Handoff) when active, else invalid
        CreatedAtRole,           ///< qint64 epoch ms
        SearchTextRole,          ///< name, id, connection, region, metadata values: lower-case
    };
    Q_ENUM(Role)

    explicit SandboxListModel(QObject *parent = nullptr);
    ~SandboxListModel() override;


    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// The state as the list shows it: "Queued", "Pausing…", … (translated).
    static QString stateText(SandboxStatus status);

    /// Row of \a key, -1 when absent.
    int rowOf(const SandboxKey &key) const;
    QModelIndex indexOf(const SandboxKey &key, int column = 0) const;
    const Sandbox *sandboxAt(int row) const;
    SandboxKey keyAt(int row) const;

    // Direct reads for SandboxFilterProxy: the same values as the roles, without QVariant, because
    // filtering and sorting 10,000 rows go through them hundreds of thousands of times.
    /// SearchTextRole of \a row (lower-case); empty for a bad row.
    QStringView searchTextAt(int row) const;
    /// NeedsYouRole of \a row.
    bool needsYouAt(int row) const;
    /// Compares the SortRole values of two valid rows in \a column like strcmp (<0, 0, >0).
    int compareSortKeys(int leftRow, int rightRow, int column) const;
    /// Sandboxes per state over all rows, indexed by int(SandboxStatus).
    const std::array<int, SandboxStatusCount> &stateCounts() const { return m_counts; }
    int needsYouCount() const;

    /// Shown in the Connection column.
    void setConnectionName(const QString &connectionId, const QString &name);
    void upsert(const QString &connectionId, const Sandbox &sandbox);
    void remove(const SandboxKey &key);
    /// Replaces every row of \a connectionId by \a sandboxes.
    void resetConnection(const QString &connectionId, const QList<Sandbox> &sandboxes);
    void removeConnection(const QString &connectionId);
    void setHandoff(const SandboxKey &key, const Handoff &handoff);
    void setCurrentTask(const SandboxKey &key, const std::optional<AgentTask> &task);

Q_SIGNALS:
    /// The per-state counts or the needs-you count changed (coalesced: once per event-loop turn).
    void countsChanged();

private:
    struct Row;
    /// One column of one row whose data changed, with the roles that changed.
    struct CellChange
    {
        int column;
        QList<int> roles;
    };
    class CountsGuard;

    QVariant cellData(const Row &row, int column, int role) const;
    QList<CellChange> diff(const Row &before, const Row &after) const;
    void emitRowChanged(int row, const QList<CellChange> &changes);
    void replaceRow(int row, Row next);
    void scheduleCounts();
    void count(const Row &row, int delta);
    Row makeRow(const SandboxKey &key, const Sandbox &sandbox, const Row *previous);
    QString searchText(const SandboxKey &key, const Sandbox &sandbox) const;
    QString connectionName(const QString &connectionId) const;
    QString intern(const QString &text);
    /// Removes the rows at \a rows (ascending), keeping views, persistent indexes and the key
    /// index right without touching the other rows one by one per removed range.
    void removeRowList(const QList<int> &rows);
    void reindexFrom(int row) const;
    void refreshAges();

    QList<Row *> m_rows;                 // owned
    // Row of each key. Bulk removals shift rows without rewriting it at once: entries at or past
    // m_rowOfKeyStaleFrom are checked against m_rows and rebuilt when wrong (rowOf).
    mutable QHash<SandboxKey, int> m_rowOfKey;
    mutable int m_rowOfKeyStaleFrom = std::numeric_limits<int>::max();
    QHash<QString, QString> m_connectionNames;
    QSet<QString> m_strings; // shared copies of repeated texts (runtime, size, region, capabilities)
    std::array<int, SandboxStatusCount> m_counts{};
    int m_needsYou = 0;
    bool m_countsScheduled = false;
    QTimer m_ageTimer;
};

} // namespace banata
