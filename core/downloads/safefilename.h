// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

namespace banata {

/**
 * A local file name for a name that came from a server, safe to create inside the folder the
 * operator chose: never empty, `.` or `..`; no `/`, `\`, NUL or other control characters (each
 * becomes `_`); U+FFFD (what invalid UTF-8 decodes to) becomes `_`; no leading or trailing dots
 * and spaces that hide or vanish; reserved device names (CON, PRN, AUX, NUL, COM1–9, LPT1–9, with
 * any extension) get a `_` prefix; at most 255 bytes of UTF-8, keeping the extension. Only the
 * last path component of \a remoteName counts. Pure and total: any input gives a usable name.
 */
QString safeFileName(QStringView remoteName);

/// \a name with " (number)" before its extension: "report (2).pdf", "data (1).tar.gz", "dir (3)".
QString numberedFileName(const QString &name, int number);

} // namespace banata
