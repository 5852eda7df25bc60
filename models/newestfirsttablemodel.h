// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <optional>

#include <QAbstractTableModel>
#include <QList>
#include <QSet>

namespace banata {

/**
 * The rows of a table of server records kept newest first by `createdAt` (ties by key, so the
 * order never depends on arrival), one row per key: what the checkpoint and artifact lists share.
 * \a Key is the record's identifying member (`&Checkpoint::id`, `&Artifact::key`).
 */
template <typename Row, QString Row::*Key> class NewestFirstTableModel : public QAbstractTableModel
{
public:
    const QList<Row> &rows() const { return m_rows; }

    std::optional<Row> rowAt(int row) const
    {
        if (row < 0 || row >= m_rows.size())
            return std::nullopt;
        return m_rows.at(row);
    }

    int rowOfKey(const QString &key) const
    {
        for (int row = 0; row < m_rows.size(); ++row) {
            if (m_rows.at(row).*Key == key)
                return row;
        }
        return -1;
    }

    int rowCount(const QModelIndex &parent = {}) const override
    {
        return parent.isValid() ? 0 : int(m_rows.size());
    }

protected:
    using QAbstractTableModel::QAbstractTableModel;

    /// Replaces every row (any order; a key repeated by a broken answer keeps its first copy).
    void resetRows(QList<Row> rows)
    {
        QSet<QString> seen;
        rows.removeIf([&seen](const Row &row) {
            if (seen.contains(row.*Key))
                return true;
            seen.insert(row.*Key);
            return false;
        });
        std::sort(rows.begin(), rows.end(), newerThan);
        beginResetModel();
        m_rows = std::move(rows);
        endResetModel();
    }

    /// Inserts or updates one row by key; a record re-dated (kept again) moves to its new place.
    void upsertRow(const Row &record)
    {
        const int existing = rowOfKey(record.*Key);
        if (existing >= 0) {
            if (m_rows.at(existing) == record)
                return;
            if (m_rows.at(existing).createdAt == record.createdAt) {
                m_rows[existing] = record;
                Q_EMIT dataChanged(index(existing, 0), index(existing, columnCount() - 1));
                return;
            }
            beginRemoveRows({}, existing, existing);
            m_rows.removeAt(existing);
            endRemoveRows();
        }
        const int at =
            int(std::upper_bound(m_rows.cbegin(), m_rows.cend(), record, newerThan) - m_rows.cbegin());
        beginInsertRows({}, at, at);
        m_rows.insert(at, record);
        endInsertRows();
    }

    QList<Row> m_rows;

private:
    static bool newerThan(const Row &a, const Row &b)
    {
        if (a.createdAt != b.createdAt)
            return a.createdAt > b.createdAt;
        return a.*Key > b.*Key;
    }
};

} // namespace banata
