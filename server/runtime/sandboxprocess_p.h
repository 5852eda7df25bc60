// SPDX-License-Identifier: MIT
#pragma once

// Helpers shared by sandboxprocess.cpp and sandboxprocess_ops.cpp; not part of the interface.

#include <QObject>

namespace banata::server {

/// Runs callback(value) later from the event loop, on context's thread, unless context has been
/// destroyed by then (the queued call dies with it).
template <typename Callback, typename Value>
void postToContext(QObject *context, Callback callback, Value value)
{
    if (!context)
        return;
    QMetaObject::invokeMethod(
        context, [callback = std::move(callback), value = std::move(value)] { callback(value); },
        Qt::QueuedConnection);
}

/// Whether pid is alive and is still the process that had startTime (not a reused pid).
bool processIs(qint64 pid, qint64 startTime);

} // namespace banata::server
