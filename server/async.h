// SPDX-License-Identifier: MIT
#pragma once

#include <QFuture>
#include <QObject>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

namespace banata::server {

/// Runs \a work on \a pool and delivers its result to \a done on \a context's thread; \a done is
/// dropped if \a context dies first, so a late result never reaches a dead object.
template <typename Work, typename Done>
void runInPool(QThreadPool *pool, QObject *context, Work &&work, Done &&done)
{
    QtConcurrent::run(pool, std::forward<Work>(work)).then(context, std::forward<Done>(done));
}

} // namespace banata::server
