// SPDX-License-Identifier: MIT
#pragma once

#include <QMap>
#include <QStringList>

namespace banata::server {

/// One command to run inside a sandbox: what SandboxProcess::exec sends to banata-sandboxd.
struct ExecSpec
{
    QStringList argv;           // argv[0] resolved via PATH inside the sandbox
    QMap<QString, QString> env; // added to the sandbox's env
    QString cwd = QStringLiteral("/workspace");
    qint64 timeoutMs = 60000;
    qint64 maxOutputBytes = 8 << 20; // per stream
};

} // namespace banata::server
