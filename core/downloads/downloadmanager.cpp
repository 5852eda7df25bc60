// SPDX-License-Identifier: MIT
#include "core/downloads/downloadmanager.h"

#include <algorithm>

#include "core/downloads/downloadtask.h"
#include "core/downloads/parthasher.h"

namespace banata {

DownloadManager::DownloadManager(QObject *parent)
    : QObject(parent)
    , m_hasher(std::make_unique<PartHasher>())
{}

DownloadManager::~DownloadManager()
{
    // Tasks first: they hand their files back to the hasher, which then stops its thread.
    m_tasks.clear();
}

void DownloadManager::setMaxConcurrent(int count)
{
    m_maxConcurrent = std::max(1, count);
    schedulePump();
}

void DownloadManager::setGiveUpAfterMs(qint64 ms)
{
    m_giveUpAfterMs = std::max<qint64>(0, ms);
}

void DownloadManager::setRetryDelayMs(qint64 ms)
{
    m_retryDelayMs = std::max<qint64>(1, ms);
}

int DownloadManager::add(const DownloadRequest &request)
{
    const int id = m_nextId++;
    auto task = std::make_unique<DownloadTask>(this, m_hasher.get(), id, request);
    task->checkBeforeQueueing();
    const DownloadItem item = task->item();
    m_tasks.push_back(std::move(task));
    Q_EMIT itemAdded(item);
    schedulePump();
    return id;
}

void DownloadManager::cancel(int id)
{
    if (DownloadTask *found = task(id))
        found->cancel();
}

void DownloadManager::retry(int id)
{
    if (DownloadTask *found = task(id))
        found->retry();
}

void DownloadManager::resolveConflict(int id, ConflictChoice choice)
{
    if (DownloadTask *found = task(id))
        found->resolveConflict(choice);
}

void DownloadManager::clearFinished()
{
    std::vector<std::unique_ptr<DownloadTask>> kept;
    QList<int> removed;
    for (auto &entry : m_tasks) {
        if (entry->item().isFinished()) {
            removed.append(entry->item().id);
            // Later, not now: this may run inside a slot called from that very task.
            entry.release()->deleteLater();
        } else {
            kept.push_back(std::move(entry));
        }
    }
    m_tasks = std::move(kept);
    for (int id : std::as_const(removed))
        Q_EMIT itemRemoved(id);
}

QList<DownloadItem> DownloadManager::items() const
{
    QList<DownloadItem> result;
    result.reserve(qsizetype(m_tasks.size()));
    for (const auto &entry : m_tasks)
        result.append(entry->item());
    return result;
}

std::optional<DownloadItem> DownloadManager::item(int id) const
{
    if (const DownloadTask *found = task(id))
        return found->item();
    return std::nullopt;
}

int DownloadManager::activeCount() const
{
    return int(std::count_if(m_tasks.cbegin(), m_tasks.cend(),
                             [](const auto &entry) { return entry->item().isActive(); }));
}

void DownloadManager::taskChanged(DownloadTask *task)
{
    Q_EMIT itemChanged(task->item());
}

void DownloadManager::schedulePump()
{
    if (std::exchange(m_pumpScheduled, true))
        return;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_pumpScheduled = false;
            pump();
        },
        Qt::QueuedConnection);
}

void DownloadManager::pump()
{
    // By id, not by position: starting a task emits signals whose receivers may add or clear.
    QList<int> queued;
    int busy = 0;
    for (const auto &entry : m_tasks) {
        if (entry->occupiesSlot())
            ++busy;
        else if (entry->item().state == DownloadItem::State::Queued)
            queued.append(entry->item().id);
    }
    for (int id : std::as_const(queued)) {
        if (busy >= m_maxConcurrent)
            break;
        DownloadTask *next = task(id);
        if (!next)
            continue;
        next->start();
        if (next->occupiesSlot())
            ++busy;
    }
}

DownloadTask *DownloadManager::task(int id) const
{
    const auto it = std::find_if(m_tasks.cbegin(), m_tasks.cend(),
                                 [id](const auto &entry) { return entry->item().id == id; });
    return it == m_tasks.cend() ? nullptr : it->get();
}

} // namespace banata
