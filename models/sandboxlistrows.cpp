// SPDX-License-Identifier: MIT
// The list's rows: building them, counting states, and keeping views right while sandboxes come,
// change and go, also ten thousand at a time.
#include "models/modeltext.h"
#include "models/sandboxlistmodel.h"
#include "models/sandboxlistrow_p.h"

#include <QLoggingCategory>

using namespace Qt::StringLiterals;

namespace banata {

Q_LOGGING_CATEGORY(lcSandboxList, "banata.models.sandboxlist")

namespace {
constexpr qsizetype kSearchChars = 2048;
constexpr qsizetype kSearchPartChars = 256;
constexpr qsizetype kSearchValueChars = 128;
constexpr int kSearchMetadataValues = 32;
constexpr qsizetype kTaskChars = 1000;
constexpr qsizetype kMaxSharedStrings = 4096;
/// More removed ranges than this are first gathered at the end by one layout change, so that
/// views and proxies see a single removal instead of one per range.
constexpr qsizetype kMaxRemovalRanges = 16;
} // namespace

/// Schedules countsChanged when an operation changed the counts, however many rows it touched.
class SandboxListModel::CountsGuard
{
public:
    explicit CountsGuard(SandboxListModel *model)
        : m_model(model)
        , m_counts(model->m_counts)
        , m_needsYou(model->m_needsYou)
    {
    }
    ~CountsGuard()
    {
        if (m_counts != m_model->m_counts || m_needsYou != m_model->m_needsYou)
            m_model->scheduleCounts();
    }
    Q_DISABLE_COPY_MOVE(CountsGuard)

private:
    SandboxListModel *m_model;
    std::array<int, SandboxStatusCount> m_counts;
    int m_needsYou;
};

void SandboxListModel::scheduleCounts()
{
    if (m_countsScheduled)
        return;
    m_countsScheduled = true;
    QTimer::singleShot(0, this, [this] {
        m_countsScheduled = false;
        Q_EMIT countsChanged();
    });
}

void SandboxListModel::count(const Row &row, int delta)
{
    m_counts[size_t(row.sandbox.status)] += delta;
    if (row.needsYou())
        m_needsYou += delta;
}

QString SandboxListModel::intern(const QString &text)
{
    if (text.isEmpty())
        return {};
    const auto it = m_strings.constFind(text);
    if (it != m_strings.cend())
        return *it;
    if (m_strings.size() < kMaxSharedStrings)
        m_strings.insert(text);
    return text;
}

QString SandboxListModel::searchText(const SandboxKey &key, const Sandbox &sandbox) const
{
    QString text;
    const auto add = [&text](QStringView part, qsizetype cap) {
        if (part.isEmpty() || text.size() >= kSearchChars)
            return;
        if (!text.isEmpty())
            text += u'\n'; // no word spans two fields: words never hold a line break
        text += part.left(cap);
    };
    add(sandbox.name.value_or(QString()), kSearchPartChars);
    add(sandbox.id, kSearchPartChars);
    add(connectionName(key.connectionId), kSearchPartChars);
    add(sandbox.region.value_or(QString()), kSearchPartChars);
    if (sandbox.metadata.is_object()) {
        int values = 0;
        for (auto it = sandbox.metadata.cbegin(); it != sandbox.metadata.cend() && values < kSearchMetadataValues;
             ++it, ++values) {
            if (it->is_string()) {
                // Only a prefix is converted: metadata may be large.
                const std::string &value = it->get_ref<const std::string &>();
                add(QString::fromUtf8(value.data(), qsizetype(std::min<size_t>(value.size(), 4 * kSearchValueChars))),
                    kSearchValueChars);
            } else if (it->is_number() || it->is_boolean()) {
                add(fromStd(it->dump()), kSearchValueChars);
            }
        }
    }
    text.truncate(kSearchChars);
    return text.toLower();
}

SandboxListModel::Row SandboxListModel::makeRow(const SandboxKey &key, const Sandbox &sandbox, const Row *previous)
{
    Row row;
    row.key = {intern(key.connectionId), sandbox.id};
    row.sandbox = sandbox;
    row.sandbox.id = row.key.sandboxId;
    row.sandbox.runtime = intern(sandbox.runtime);
    row.sandbox.size = intern(sandbox.size);
    if (sandbox.region)
        row.sandbox.region = intern(*sandbox.region);
    row.sortName = (sandbox.name && !sandbox.name->isEmpty() ? *sandbox.name : sandbox.id).left(kSearchPartChars).toLower();
    row.searchText = searchText(key, sandbox);

    QStringList capabilities;
    if (const auto &caps = sandbox.capabilities) {
        if (caps->browser) {
            const Viewport viewport = caps->browser->viewport.value_or(Viewport{});
            capabilities.append(tr("browser %1×%2").arg(viewport.width).arg(viewport.height));
        }
        if (caps->agent && caps->agent->enabled)
            capabilities.append(tr("agent"));
        if (caps->documents)
            capabilities.append(tr("documents"));
        if (caps->storage)
            capabilities.append(tr("storage"));
    }
    row.capabilities = intern(capabilities.join(u", "_s));
    if (previous) {
        row.task = previous->task;
        row.taskSort = previous->taskSort;
        row.handoff = previous->handoff;
    }
    return row;
}

void SandboxListModel::replaceRow(int row, Row next)
{
    Row &current = *m_rows[row];
    const QList<CellChange> changes = diff(current, next);
    count(current, -1);
    current = std::move(next);
    count(current, +1);
    if (!changes.isEmpty())
        emitRowChanged(row, changes);
}

void SandboxListModel::upsert(const QString &connectionId, const Sandbox &sandbox)
{
    const SandboxKey key{connectionId, sandbox.id};
    if (!key.isValid())
        return;
    CountsGuard guard(this);
    const int row = rowOf(key);
    if (row < 0) {
        const int at = int(m_rows.size());
        beginInsertRows({}, at, at);
        m_rows.append(new Row(makeRow(key, sandbox, nullptr)));
        m_rowOfKey.insert(m_rows.constLast()->key, at);
        count(*m_rows.constLast(), +1);
        endInsertRows();
        return;
    }
    const Sandbox &current = m_rows.at(row)->sandbox;
    if (current == sandbox)
        return;
    // A snapshot older than the one shown (a list fetched before a live event) changes nothing.
    if (sandbox.updatedAt > 0 && sandbox.updatedAt < current.updatedAt) {
        qCDebug(lcSandboxList) << "ignoring an older snapshot of" << sandbox.id;
        return;
    }
    replaceRow(row, makeRow(key, sandbox, m_rows.at(row)));
}

void SandboxListModel::remove(const SandboxKey &key)
{
    const int row = rowOf(key);
    if (row >= 0)
        removeRowList({row});
}

void SandboxListModel::removeConnection(const QString &connectionId)
{
    QList<int> rows;
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i)->key.connectionId == connectionId)
            rows.append(i);
    }
    removeRowList(rows);
}

void SandboxListModel::resetConnection(const QString &connectionId, const QList<Sandbox> &sandboxes)
{
    if (connectionId.isEmpty())
        return;
    CountsGuard guard(this);
    // The newest of each id (a list assembled from pages may repeat one).
    QHash<QString, qsizetype> incoming;
    incoming.reserve(sandboxes.size());
    for (qsizetype i = 0; i < sandboxes.size(); ++i) {
        if (!sandboxes.at(i).id.isEmpty())
            incoming.insert(sandboxes.at(i).id, i);
    }

    // Update rows in place (signals come later, once rows are where they end up) and find the gone.
    QList<int> gone;
    QList<Row *> changed;
    QSet<QString> present;
    for (int i = 0; i < m_rows.size(); ++i) {
        Row &row = *m_rows[i];
        if (row.key.connectionId != connectionId)
            continue;
        const auto it = incoming.constFind(row.key.sandboxId);
        if (it == incoming.cend()) {
            gone.append(i);
            continue;
        }
        present.insert(row.key.sandboxId);
        const Sandbox &sandbox = sandboxes.at(*it);
        if (row.sandbox == sandbox)
            continue;
        count(row, -1);
        row = makeRow(row.key, sandbox, &row);
        count(row, +1);
        changed.append(&row);
    }

    removeRowList(gone);

    if (!changed.isEmpty()) {
        const int rows = int(m_rows.size());
        if (changed.size() * 2 > rows) {
            Q_EMIT dataChanged(index(0, 0), index(rows - 1, ColumnCount - 1));
        } else {
            for (const Row *row : std::as_const(changed)) {
                const int at = rowOf(row->key);
                Q_EMIT dataChanged(index(at, 0), index(at, ColumnCount - 1));
            }
        }
    }

    QList<qsizetype> added;
    for (qsizetype i = 0; i < sandboxes.size(); ++i) {
        const QString &id = sandboxes.at(i).id;
        if (!id.isEmpty() && !present.contains(id) && incoming.value(id) == i)
            added.append(i);
    }
    if (added.isEmpty())
        return;
    const int first = int(m_rows.size());
    beginInsertRows({}, first, first + int(added.size()) - 1);
    m_rows.reserve(first + added.size());
    for (qsizetype i : std::as_const(added)) {
        Row *row = new Row(makeRow({connectionId, sandboxes.at(i).id}, sandboxes.at(i), nullptr));
        m_rowOfKey.insert(row->key, int(m_rows.size()));
        m_rows.append(row);
        count(*row, +1);
    }
    endInsertRows();
}

void SandboxListModel::setHandoff(const SandboxKey &key, const Handoff &handoff)
{
    const int row = rowOf(key);
    if (row < 0)
        return;
    const Row &current = *m_rows.at(row);
    if (current.handoff && current.handoff->requestId == handoff.requestId && handoff.updatedAt > 0 &&
        handoff.updatedAt < current.handoff->updatedAt)
        return; // older news of the handoff shown
    if (current.handoff && current.handoff->requestId != handoff.requestId && !isActive(handoff.status))
        return; // an earlier handoff ended; the one shown is still on
    if (!current.handoff && !isActive(handoff.status))
        return;
    if (current.handoff && *current.handoff == handoff)
        return;
    CountsGuard guard(this);
    Row next = current;
    next.handoff = isActive(handoff.status) ? std::make_shared<const Handoff>(handoff) : nullptr;
    replaceRow(row, std::move(next));
}

void SandboxListModel::setCurrentTask(const SandboxKey &key, const std::optional<AgentTask> &task)
{
    const int row = rowOf(key);
    if (row < 0)
        return;
    const QString prompt = task && !isFinished(task->status) ? modeltext::capped(task->prompt, kTaskChars) : QString();
    if (prompt == m_rows.at(row)->task)
        return;
    Row next = *m_rows.at(row);
    next.task = prompt;
    next.taskSort = prompt.toLower();
    replaceRow(row, std::move(next));
}

void SandboxListModel::removeRowList(const QList<int> &rows)
{
    if (rows.isEmpty())
        return;
    CountsGuard guard(this);
    QList<std::pair<int, int>> ranges; // first, last
    for (int row : rows) {
        if (!ranges.isEmpty() && ranges.constLast().second + 1 == row)
            ranges.last().second = row;
        else
            ranges.append({row, row});
    }

    const auto dropRange = [this](int first, int last) {
        beginRemoveRows({}, first, last);
        for (int i = first; i <= last; ++i) {
            m_rowOfKey.remove(m_rows.at(i)->key);
            count(*m_rows.at(i), -1);
            delete m_rows.at(i);
        }
        m_rows.remove(first, last - first + 1);
        // Rows after the range moved up; rowOf repairs their entries when asked, the loop below
        // once at the end.
        m_rowOfKeyStaleFrom = std::min(m_rowOfKeyStaleFrom, first);
        endRemoveRows();
    };

    const int firstRemoved = ranges.constFirst().first;
    if (ranges.size() <= kMaxRemovalRanges) {
        for (auto it = ranges.crbegin(); it != ranges.crend(); ++it)
            dropRange(it->first, it->second);
    } else {
        // Move the doomed rows to the end (one layout change), then remove them at once.
        Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
        QList<int> newRowOf(m_rows.size());
        QList<Row *> kept;
        QList<Row *> doomed;
        kept.reserve(m_rows.size() - rows.size());
        doomed.reserve(rows.size());
        qsizetype next = 0;
        for (int i = 0; i < m_rows.size(); ++i) {
            const bool remove = next < rows.size() && rows.at(next) == i;
            if (remove)
                ++next;
            (remove ? doomed : kept).append(m_rows.at(i));
        }
        next = 0;
        qsizetype keptAt = 0;
        for (int i = 0; i < m_rows.size(); ++i) {
            const bool remove = next < rows.size() && rows.at(next) == i;
            newRowOf[i] = remove ? int(kept.size() + next++) : int(keptAt++);
        }
        m_rows = kept + doomed;
        m_rowOfKeyStaleFrom = std::min(m_rowOfKeyStaleFrom, firstRemoved);
        const QModelIndexList from = persistentIndexList();
        QModelIndexList to;
        to.reserve(from.size());
        for (const QModelIndex &index : from)
            to.append(this->index(newRowOf.at(index.row()), index.column()));
        changePersistentIndexList(from, to);
        Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
        dropRange(int(kept.size()), int(m_rows.size()) - 1);
    }
    reindexFrom(std::min(firstRemoved, m_rowOfKeyStaleFrom));
}

} // namespace banata
