// SPDX-License-Identifier: MIT
#pragma once

#include "json.h"
#include "sandbox.h"

#include <QString>

#include <optional>

namespace banata {

/// The browser preview state of one sandbox (`GET /v1/sandboxes/preview`): whether its Chromium
/// runs, who may drive it, what it shows, and where agents reach it over CDP.
struct PreviewState
{
    QString status = QStringLiteral("stopped"); // stopped | starting | running | crashed
    QString controlMode = QStringLiteral("ai"); // ai | shared | human
    std::optional<QString> controller;
    QString url;
    QString title;
    Viewport viewport;
    std::optional<QString> cdpUrl;
    qint64 updatedAt = 0;
    std::optional<QString> error;

    static Parsed<PreviewState> fromJson(const Json &json);
    Json toJson() const;
    friend bool operator==(const PreviewState &, const PreviewState &) = default;
};

/// A short-lived URL of the viewer page (`GET /v1/sandboxes/preview/viewer`).
struct ViewerUrl
{
    QString url;
    qint64 expiresAt = 0;

    static Parsed<ViewerUrl> fromJson(const Json &json);
    Json toJson() const;
};

} // namespace banata
