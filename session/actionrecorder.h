// SPDX-License-Identifier: MIT
#pragma once

#include <functional>

#include <QString>

namespace banata {

/// Records one operator action for the timeline and the journal: action ("checkpoint.restore",
/// "handoff.accept", …), detail, ok, result text, epoch ms when asked.
using ActionRecorder = std::function<void(const QString &action, const QString &detail, bool ok,
                                          const QString &result, qint64 timestamp)>;

} // namespace banata
