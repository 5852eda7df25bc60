// SPDX-License-Identifier: MIT
#pragma once

#include "app/appcontroller.h"

#include <QStringList>

namespace banata {

/// The result of reading the command line: options to start with, or a message and exit code.
struct CommandLine
{
    AppOptions options;
    bool exitNow = false;
    int exitCode = 0;
    QString message; ///< printed (to stderr when exitCode != 0)
};

/// --help, --version, --connect URL [--api-key-file FILE], --settings FILE, --data-dir DIR,
/// --local-server PATH. With --connect the key comes from --api-key-file or BANATA_API_KEY.
CommandLine parseCommandLine(const QStringList &arguments);

} // namespace banata
