// SPDX-License-Identifier: MIT
#pragma once

#include "core/event.h"
#include "models/operatorjournal.h"

#include <QAbstractTableModel>
#include <QList>
#include <QSet>

class QIODevice;

namespace banata {

/// One line of a sandbox's timeline: a server event or an operator action.
struct TimelineEntry
{
    enum class Source { Server, Operator };
    qint64 timestamp = 0;
    Source source = Source::Server;
    QString who;     ///< "agent", "server", the operator's name, the handoff controller
    QString what;    ///< event type or action ("sandbox.paused", "pause")
    QString summary; ///< for people: "Paused", "Handoff accepted by ana", "exit 0 — ls"
    Json detail = Json::object(); ///< the event data, or the action as JSON
    qint64 seq = -1; ///< event seq; -1 for operator actions
};

/// One sandbox's history, oldest first: events (loaded history, then live) and operator actions
/// merged by time. File changes written inside the sandbox (frequent) that follow each other
/// within minutes share one line. Exports exactly what it shows.
class TimelineModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TimelineModel)

public:
    enum Column { TimeColumn, WhoColumn, WhatColumn, SummaryColumn, ColumnCount };
    Q_ENUM(Column)
    enum Role { SortRole = Qt::UserRole, SourceRole, DetailRole /* indented JSON text */, SeqRole };
    Q_ENUM(Role)

    explicit TimelineModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// An event of this sandbox; one already present (same seq) is ignored.
    void addEvent(const Event &event);
    void addAction(const OperatorAction &action);
    void clear();
    const TimelineEntry &entryAt(int row) const { return m_entries.at(row); }

    /// `[{"time": ISO-8601, "timestamp", "source", "who", "what", "summary", "detail"}…]`.
    bool exportJson(QIODevice *device) const;
    /// RFC 4180 CSV with a header row: time,source,who,what,summary,detail.
    bool exportCsv(QIODevice *device) const;

    /// For people: what an event means ("Paused", "Handoff requested: MFA — Enter the code");
    /// unknown types get a readable generic line, hostile data never throws.
    static TimelineEntry entryFor(const Event &event);

private:
    void insertSorted(TimelineEntry entry);
    /// Folds a sandbox-origin file change into a neighbouring one; false when there is none.
    bool coalesce(const TimelineEntry &entry);
    static TimelineEntry entryFor(const OperatorAction &action);

    QList<TimelineEntry> m_entries;
    QSet<qint64> m_seqs; // of the events present, to drop replays
};

} // namespace banata
