// SPDX-License-Identifier: MIT
#pragma once

#include "json.h"

#include <QList>
#include <QStringList>

namespace banata {

/// Where a human handoff stands (banata-api.md §2.4).
enum class HandoffStatus { Pending, Accepted, Completed, Cancelled, Expired };

QString toString(HandoffStatus status);
std::optional<HandoffStatus> handoffStatusFromString(const QString &text);
/// Pending and accepted handoffs are active: one per sandbox at a time.
inline bool isActive(HandoffStatus status)
{
    return status == HandoffStatus::Pending || status == HandoffStatus::Accepted;
}

/// The documented `reason` values: mfa, captcha, approval, login_failed, ambiguous_ui,
/// file_download, custom.
const QStringList &handoffReasons();
/// The documented `requestedBy` values: agent, worker, sdk, dashboard.
const QStringList &handoffRequesters();
/// How the person ended it (banata-local extension): done, failed, needs_info.
const QStringList &handoffOutcomes();

/// One human handoff: the `handoff` member of the documented response (banata-api.md §5), plus
/// `outcome`, which banata-local adds so the agent can tell a finished task from a refusal.
struct Handoff
{
    QString requestId;
    HandoffStatus status = HandoffStatus::Pending;
    QString reason;
    QString message;
    QString requestedBy;
    std::optional<QString> controller;
    std::optional<QString> resumePrompt;
    std::optional<QString> note;
    std::optional<QString> outcome;
    qint64 requestedAt = 0;
    std::optional<qint64> acceptedAt;
    std::optional<qint64> completedAt;
    std::optional<qint64> expiresAt;
    qint64 updatedAt = 0;

    static Parsed<Handoff> fromJson(const Json &json);
    Json toJson() const;
    friend bool operator==(const Handoff &, const Handoff &) = default;
};

/// The `preview` member: who may drive the sandbox's browser.
struct HandoffPreview
{
    QString status;                     // e.g. "running", "stopped", "unknown"
    std::optional<QString> controlMode; // "ai" | "shared" | "human"
    std::optional<QString> controller;
    std::optional<qint64> updatedAt;

    static Parsed<HandoffPreview> fromJson(const Json &json);
    Json toJson() const;
    friend bool operator==(const HandoffPreview &, const HandoffPreview &) = default;
};

/// Every handoff route's answer: `{ok, handoff, preview, pairedBrowser}` (banata-api.md §5).
/// banata-local has no paired cloud browser, so pairedBrowser is kept as raw JSON (null here).
struct HandoffResponse
{
    bool ok = true;
    Handoff handoff;
    std::optional<HandoffPreview> preview;
    Json pairedBrowser = nullptr;

    static Parsed<HandoffResponse> fromJson(const Json &json);
    Json toJson() const;
};

/// `GET /v1/sandboxes/handoff?id=&all=1`: `{ "data": [...] }`, newest first.
Parsed<QList<Handoff>> handoffListFromJson(const Json &json);
Json handoffListToJson(const QList<Handoff> &handoffs);

/// One entry of `GET /v1/sandboxes/handoffs` (banata-local extension): a handoff with the sandbox
/// it belongs to, so one request can fill an inbox of every sandbox that needs a person.
struct PendingHandoff
{
    QString sandboxId;
    Handoff handoff;

    static Parsed<PendingHandoff> fromJson(const Json &json);
    Json toJson() const;
    friend bool operator==(const PendingHandoff &, const PendingHandoff &) = default;
};

/// `GET /v1/sandboxes/handoffs[?status=]`: `{ "data": [{sandboxId, handoff}...] }`, oldest
/// requestedAt first.
Parsed<QList<PendingHandoff>> pendingHandoffListFromJson(const Json &json);
Json pendingHandoffListToJson(const QList<PendingHandoff> &handoffs);

/// The body of `POST /v1/sandboxes/handoff/request`.
struct HandoffRequest
{
    QString id; // the sandbox
    QString reason;
    QString message;
    std::optional<QString> resumePrompt;
    std::optional<qint64> timeoutMs;
    std::optional<QString> requestedBy;

    static Parsed<HandoffRequest> fromJson(const Json &json);
    Json toJson() const;
};

} // namespace banata
