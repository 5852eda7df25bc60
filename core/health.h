// SPDX-License-Identifier: MIT
#pragma once

#include "json.h"

#include <QStringList>

namespace banata {

/// `GET /v1/health`: who the server is and which extensions of the documented API it supports.
struct Health
{
    QString status;  // "ok"
    QString server;  // "banata-local"
    QString version; // e.g. "0.1.0"
    QStringList extensions;
    std::optional<QString> pauseMethod; // "cgroup-freezer" | "signals" (banata-local only)
    std::optional<qint64> startedAt;

    bool supports(const QString &extension) const { return extensions.contains(extension); }
    static Parsed<Health> fromJson(const Json &json);
    Json toJson() const;
};

} // namespace banata
