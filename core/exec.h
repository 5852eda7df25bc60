// SPDX-License-Identifier: MIT
#pragma once

#include "json.h"

#include <QMap>
#include <QStringList>

namespace banata {

/// Body of `POST /v1/sandboxes/exec`. Without args, command is a shell command (sh -c);
/// with args, command is the program and args its arguments.
struct ExecRequest
{
    QString id;
    QString command;
    std::optional<QStringList> args;
    std::optional<qint64> timeoutMs;
    std::optional<QString> cwd;
    QMap<QString, QString> env;

    static Parsed<ExecRequest> fromJson(const Json &json);
    Json toJson() const;
};

/// Body of `POST /v1/sandboxes/code`: a snippet run by the runtime's interpreter.
struct CodeRequest
{
    QString id;
    QString code;
    std::optional<QString> language; // python | javascript | typescript | bash; default from runtime
    std::optional<qint64> timeoutMs;

    static Parsed<CodeRequest> fromJson(const Json &json);
    Json toJson() const;
};

/// What exec and code return.
struct ExecResult
{
    QString stdoutText;
    QString stderrText;
    int exitCode = 0;
    qint64 durationMs = 0;
    bool timedOut = false;
    bool stdoutTruncated = false;
    bool stderrTruncated = false;

    static Parsed<ExecResult> fromJson(const Json &json);
    Json toJson() const;
};

} // namespace banata
