// SPDX-License-Identifier: MIT
#pragma once

#include "json.h"

#include <QList>

namespace banata {

/// A saved restore point of a sandbox's workspace and home (browser profile).
struct Checkpoint
{
    QString id;
    QString sandboxId;
    std::optional<QString> label;
    qint64 createdAt = 0;
    qint64 sizeBytes = 0;
    qint64 fileCount = 0;

    static Parsed<Checkpoint> fromJson(const Json &json);
    Json toJson() const;
    friend bool operator==(const Checkpoint &, const Checkpoint &) = default;
};

/// `GET /v1/sandboxes/checkpoints?id=`: `{ "data": [...] }`, newest first.
Parsed<QList<Checkpoint>> checkpointListFromJson(const Json &json);
Json checkpointListToJson(const QList<Checkpoint> &checkpoints);

} // namespace banata
