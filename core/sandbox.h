// SPDX-License-Identifier: MIT
#pragma once

#include "json.h"

#include <QMap>
#include <QString>

#include <optional>

namespace banata {

/// The nine documented sandbox states (banata-api.md §2.1).
enum class SandboxStatus {
    Queued,
    Assigning,
    Ready,
    Active,
    Pausing,
    Paused,
    Ending,
    Ended,
    Failed,
};
inline constexpr int SandboxStatusCount = 9;

QString toString(SandboxStatus status);
std::optional<SandboxStatus> sandboxStatusFromString(const QString &text);
/// True for states the sandbox only passes through (shown as "in progress").
bool isTransitional(SandboxStatus status);
/// True once the sandbox can never run again.
bool isTerminal(SandboxStatus status);

struct Viewport
{
    int width = 1280;
    int height = 800;
    friend bool operator==(const Viewport &, const Viewport &) = default;
};

struct BrowserCapability
{
    std::optional<Viewport> viewport;
    bool recording = false;
    std::optional<QString> byoProxyUrl;
    friend bool operator==(const BrowserCapability &, const BrowserCapability &) = default;
};

struct AgentCapability
{
    bool enabled = true;
    std::optional<QString> defaultAgent;
    friend bool operator==(const AgentCapability &, const AgentCapability &) = default;
};

struct DocumentsCapability
{
    bool libreofficeHeadless = true;
    friend bool operator==(const DocumentsCapability &, const DocumentsCapability &) = default;
};

struct StorageCapability
{
    std::optional<QString> artifactPrefix;
    friend bool operator==(const StorageCapability &, const StorageCapability &) = default;
};

/// Creation-time switches (banata-api.md §3.2): what the sandbox must be prepared for.
struct Capabilities
{
    std::optional<BrowserCapability> browser;
    std::optional<AgentCapability> agent;
    std::optional<DocumentsCapability> documents;
    std::optional<StorageCapability> storage;

    bool isEmpty() const { return !browser && !agent && !documents && !storage; }
    static Parsed<Capabilities> fromJson(const Json &json);
    Json toJson() const;
    friend bool operator==(const Capabilities &, const Capabilities &) = default;
};

/// The SandboxSession object as returned by create, get, list, pause, resume and kill.
struct Sandbox
{
    QString id;
    SandboxStatus status = SandboxStatus::Queued;
    QString runtime;
    QString size;
    std::optional<QString> name;
    std::optional<QString> region;
    std::optional<Capabilities> capabilities;
    Json metadata = Json::object();
    bool ephemeral = true;
    qint64 createdAt = 0;
    qint64 updatedAt = 0;
    std::optional<qint64> readyAt;
    std::optional<qint64> pausedAt;
    std::optional<qint64> endedAt;
    /// Why the sandbox is in its state when that is not obvious (failure, restart after a crash).
    std::optional<QString> statusReason;

    static Parsed<Sandbox> fromJson(const Json &json);
    Json toJson() const;
    friend bool operator==(const Sandbox &, const Sandbox &) = default;
};

/// One page of `GET /v1/sandboxes`.
struct SandboxPage
{
    QList<Sandbox> data;
    std::optional<QString> nextCursor;

    static Parsed<SandboxPage> fromJson(const Json &json);
    Json toJson() const;
};

/// Body of `POST /v1/sandboxes`. Validation rules (runtime, size, region) live in validate().
struct CreateSandboxRequest
{
    QString runtime = QStringLiteral("bun");
    QString size = QStringLiteral("standard");
    QMap<QString, QString> env;
    std::optional<Capabilities> capabilities;
    std::optional<QString> region;
    std::optional<QString> name;
    Json metadata = Json::object();
    bool ephemeral = true;

    /// Parses and validates; the error text is the documented 400 message.
    static Parsed<CreateSandboxRequest> fromJson(const Json &json);
    Json toJson() const;
};

/// Query of `GET /v1/sandboxes`.
struct SandboxListQuery
{
    QList<SandboxStatus> statuses; // empty: all
    int limit = 100;
    std::optional<QString> cursor;
};

} // namespace banata
