// SPDX-License-Identifier: MIT
#include "models/timelinemodel.h"

#include "models/modeltext.h"

#include <QDateTime>
#include <QIODevice>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace banata {

namespace {
constexpr qsizetype kDetailChars = 64 * 1024;
/// Sandbox file changes closer than this to a line of them join it.
constexpr qint64 kCoalesceMs = 5 * 60 * 1000;
/// Paths a folded line keeps (its count goes on past them).
constexpr qsizetype kCoalescedPaths = 200;

bool isSandboxFileChange(const TimelineEntry &entry)
{
    return entry.source == TimelineEntry::Source::Server && entry.what == u"sandbox.files.changed" &&
        modeltext::jsonString(entry.detail, "origin") == u"sandbox";
}

QStringList pathsOf(const Json &data)
{
    QStringList paths;
    if (const Json *array = modeltext::jsonArray(data, "paths")) {
        for (const Json &path : *array) {
            if (path.is_string())
                paths.append(fromStd(path.get_ref<const std::string &>()));
        }
    }
    return paths;
}

/// Oldest first; at the same millisecond, operator actions (seq -1) before the events they caused
/// and events in stream order.
bool earlierThan(const TimelineEntry &a, const TimelineEntry &b)
{
    if (a.timestamp != b.timestamp)
        return a.timestamp < b.timestamp;
    return a.seq < b.seq;
}

QString sourceName(TimelineEntry::Source source)
{
    return source == TimelineEntry::Source::Operator ? u"operator"_s : u"server"_s;
}

QString isoTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toUTC().toString(Qt::ISODateWithMs); // "…Z"
}

/// RFC 4180: fields holding a separator, a quote or a line break are quoted, quotes doubled.
void appendCsvField(QString &line, const QString &field)
{
    const bool quote = field.contains(u',') || field.contains(u'"') || field.contains(u'\n') ||
        field.contains(u'\r');
    if (!quote) {
        line += field;
        return;
    }
    line += u'"';
    for (const QChar c : field) {
        if (c == u'"')
            line += u'"';
        line += c;
    }
    line += u'"';
}

bool writeAll(QIODevice *device, const QByteArray &bytes)
{
    return device->write(bytes) == bytes.size();
}
} // namespace

TimelineModel::TimelineModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

int TimelineModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int TimelineModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TimelineModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const TimelineEntry &entry = m_entries.at(index.row());
    switch (role) {
    case SourceRole:
        return int(entry.source);
    case DetailRole:
        return modeltext::prettyJson(entry.detail, kDetailChars);
    case SeqRole:
        return entry.seq;
    default:
        break;
    }
    switch (index.column()) {
    case TimeColumn:
        if (role == Qt::DisplayRole)
            return modeltext::dateTimeText(entry.timestamp);
        if (role == Qt::ToolTipRole)
            return QDateTime::fromMSecsSinceEpoch(entry.timestamp).toString(Qt::ISODateWithMs);
        if (role == SortRole)
            return entry.timestamp;
        break;
    case WhoColumn:
        if (role == Qt::DisplayRole || role == Qt::ToolTipRole)
            return entry.who;
        if (role == SortRole)
            return entry.who.toLower();
        break;
    case WhatColumn:
        if (role == Qt::DisplayRole || role == Qt::ToolTipRole)
            return entry.what;
        if (role == SortRole)
            return entry.what.toLower();
        break;
    case SummaryColumn:
        if (role == Qt::DisplayRole || role == Qt::ToolTipRole)
            return entry.summary;
        if (role == SortRole)
            return entry.summary.toLower();
        break;
    default:
        break;
    }
    return {};
}

QVariant TimelineModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case WhoColumn:
        return tr("Who");
    case WhatColumn:
        return tr("What");
    case SummaryColumn:
        return tr("Summary");
    default:
        return {};
    }
}

void TimelineModel::addEvent(const Event &event)
{
    if (m_seqs.contains(event.seq))
        return;
    m_seqs.insert(event.seq);
    TimelineEntry entry = entryFor(event);
    if (isSandboxFileChange(entry) && coalesce(entry))
        return;
    insertSorted(std::move(entry));
}

bool TimelineModel::coalesce(const TimelineEntry &entry)
{
    const int at = int(std::upper_bound(m_entries.cbegin(), m_entries.cend(), entry, earlierThan) - m_entries.cbegin());
    for (const int row : {at - 1, at}) {
        if (row < 0 || row >= m_entries.size() || !isSandboxFileChange(m_entries.at(row)))
            continue;
        TimelineEntry &line = m_entries[row];
        const qint64 until = modeltext::jsonInt(line.detail, "until").value_or(line.timestamp);
        if (entry.timestamp < line.timestamp - kCoalesceMs || entry.timestamp > until + kCoalesceMs)
            continue;
        QStringList paths = pathsOf(line.detail);
        qint64 count = modeltext::jsonInt(line.detail, "pathCount").value_or(paths.size());
        const QStringList added = pathsOf(entry.detail);
        for (const QString &path : added) {
            if (paths.contains(path))
                continue;
            ++count;
            if (paths.size() < kCoalescedPaths)
                paths.append(path);
        }
        Json detail = line.detail;
        Json array = Json::array();
        for (const QString &path : std::as_const(paths))
            array.push_back(toStd(path));
        detail["paths"] = std::move(array);
        detail["pathCount"] = count;
        detail["events"] = modeltext::jsonInt(line.detail, "events").value_or(1) + 1;
        detail["until"] = std::max(until, entry.timestamp);
        // An earlier event moves the line's time back; it still sorts after the row before it.
        Event merged;
        merged.seq = std::min(line.seq, entry.seq);
        merged.type = line.what;
        merged.timestamp = std::min(line.timestamp, entry.timestamp);
        merged.data = std::move(detail);
        line = entryFor(merged);
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
        return true;
    }
    return false;
}

void TimelineModel::addAction(const OperatorAction &action)
{
    insertSorted(entryFor(action));
}

void TimelineModel::clear()
{
    if (m_entries.isEmpty())
        return;
    beginResetModel();
    m_entries.clear();
    m_seqs.clear();
    endResetModel();
}

void TimelineModel::insertSorted(TimelineEntry entry)
{
    // Live entries come last almost always: skip the search then.
    int at = int(m_entries.size());
    if (!m_entries.isEmpty() && earlierThan(entry, m_entries.constLast()))
        at = int(std::upper_bound(m_entries.cbegin(), m_entries.cend(), entry, earlierThan) - m_entries.cbegin());
    beginInsertRows({}, at, at);
    m_entries.insert(at, std::move(entry));
    endInsertRows();
}

bool TimelineModel::exportJson(QIODevice *device) const
{
    if (!device || !device->isWritable())
        return false;
    QByteArray out = "[";
    bool first = true;
    for (const TimelineEntry &entry : m_entries) {
        out += first ? "\n  {" : ",\n  {";
        first = false;
        out += "\"time\": ";
        appendJsonString(out, isoTime(entry.timestamp));
        out += ", \"timestamp\": " + QByteArray::number(entry.timestamp);
        out += ", \"source\": ";
        appendJsonString(out, sourceName(entry.source));
        out += ", \"who\": ";
        appendJsonString(out, entry.who);
        out += ", \"what\": ";
        appendJsonString(out, entry.what);
        out += ", \"summary\": ";
        appendJsonString(out, entry.summary);
        out += ", \"detail\": ";
        out += dumpJson(entry.detail);
        out += '}';
        if (out.size() > 256 * 1024) {
            if (!writeAll(device, out))
                return false;
            out.clear();
        }
    }
    out += first ? "]\n" : "\n]\n";
    return writeAll(device, out);
}

bool TimelineModel::exportCsv(QIODevice *device) const
{
    if (!device || !device->isWritable())
        return false;
    QString text = u"time,source,who,what,summary,detail\r\n"_s;
    for (const TimelineEntry &entry : m_entries) {
        appendCsvField(text, isoTime(entry.timestamp));
        text += u',';
        appendCsvField(text, sourceName(entry.source));
        text += u',';
        appendCsvField(text, entry.who);
        text += u',';
        appendCsvField(text, entry.what);
        text += u',';
        appendCsvField(text, entry.summary);
        text += u',';
        appendCsvField(text, QString::fromUtf8(dumpJson(entry.detail)));
        text += u"\r\n";
        if (text.size() > 128 * 1024) {
            if (!writeAll(device, text.toUtf8()))
                return false;
            text.clear();
        }
    }
    return writeAll(device, text.toUtf8());
}

} // namespace banata
