// SPDX-License-Identifier: MIT
#pragma once

#include "core/handoff.h"
#include "models/metatypes.h"
#include "models/sandboxkey.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QTimer>

namespace banata {

/**
 * The "needs you" inbox: every pending handoff across connections, oldest first.
 *
 * A handoff leaves the inbox when it is no longer pending (accepted — by this operator or another,
 * see handoffTaken — completed, cancelled, expired) or its sandbox/connection goes away. The
 * Waiting and Expires columns tick once a second with one dataChanged over those two columns.
 */
class HandoffInboxModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HandoffInboxModel)

public:
    enum Column {
        SandboxColumn,    ///< sandbox name, else id
        ReasonColumn,     ///< "MFA", "CAPTCHA", "Approval", …
        MessageColumn,
        WaitingColumn,    ///< "2 min 5 s"
        ExpiresColumn,    ///< "in 12 min", "expired"
        ConnectionColumn,
        ColumnCount
    };
    Q_ENUM(Column)

    enum Role {
        SortRole = Qt::UserRole,
        KeyRole,          ///< QVariant::fromValue(SandboxKey)
        RequestIdRole,
        HandoffRole,      ///< QVariant::fromValue(Handoff)
        RequestedAtRole,  ///< qint64 epoch ms
        ExpiresAtRole,    ///< qint64 epoch ms, invalid when none
        UrgentRole,       ///< bool: expires within 2 min
    };
    Q_ENUM(Role)

    explicit HandoffInboxModel(QObject *parent = nullptr);
    ~HandoffInboxModel() override;


    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// The display name of a handoff reason: mfa → "MFA", ambiguous_ui → "Unclear page", … (translated).
    static QString reasonText(const QString &reason);

    SandboxKey keyAt(int row) const;
    const Handoff *handoffAt(int row) const;
    int rowOf(const SandboxKey &key) const;

    void setConnectionName(const QString &connectionId, const QString &name);
    void setSandboxName(const SandboxKey &key, const QString &name);
    /// Inserts, updates or (when not pending) removes the row of \a key.
    void apply(const SandboxKey &key, const Handoff &handoff);
    void remove(const SandboxKey &key);
    void removeConnection(const QString &connectionId);

Q_SIGNALS:
    /// A pending handoff entered the inbox (arrived live, or found pending when a connection loaded).
    void handoffArrived(const banata::SandboxKey &key, const banata::Handoff &handoff);
    /// A pending handoff was accepted by \a controller (maybe another operator) and left the inbox.
    void handoffTaken(const banata::SandboxKey &key, const banata::Handoff &handoff);
    void pendingCountChanged(int count);

private:
    struct Row;
    QVariant cellData(const Row &row, int column, int role, qint64 now) const;
    QString sandboxName(const SandboxKey &key) const;
    QString connectionName(const QString &connectionId) const;
    void insertRow(const SandboxKey &key, const Handoff &handoff);
    void removeRowAt(int row);
    void reindexFrom(int row);
    void updateTimer();
    void tick();

    QList<Row *> m_rows; // owned; sorted by requestedAt, then request id
    QHash<SandboxKey, int> m_rowOfKey;
    QHash<QString, QString> m_connectionNames;
    QHash<SandboxKey, QString> m_sandboxNames;
    /// The last handoff of each sandbox seen leaving the inbox: a late snapshot of it still
    /// pending (a list fetched before the event) must not bring it back.
    QHash<SandboxKey, QString> m_finished;
    QTimer m_tick;
};

} // namespace banata
