// SPDX-License-Identifier: MIT
#include "sandboxpath.h"

#include <QLoggingCategory>
#include <QStringList>

Q_LOGGING_CATEGORY(lcSandboxPath, "banata.server.workspace.path", QtInfoMsg)

using namespace Qt::StringLiterals;

namespace banata::server {

namespace {
constexpr qsizetype kMaxNameBytes = 255;  // NAME_MAX
constexpr qsizetype kMaxPathBytes = 4095; // PATH_MAX minus the terminator

FsError invalid(const QString &why)
{
    return FsError::make(FsError::Kind::InvalidPath, u"Invalid path: "_s + why);
}

FsError outside()
{
    qCDebug(lcSandboxPath) << "refused a path outside /workspace";
    return FsError::make(FsError::Kind::OutsideWorkspace, u"Path resolves outside /workspace"_s);
}
} // namespace

FsResult<QString> normalizeSandboxPath(const QString &sandboxPath)
{
    using Result = FsResult<QString>;
    if (sandboxPath.isEmpty())
        return Result::failure(invalid(u"empty"_s));
    for (const QChar c : sandboxPath) {
        if (c.unicode() == 0)
            return Result::failure(invalid(u"contains a NUL character"_s));
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            return Result::failure(invalid(u"contains control characters"_s));
    }
    if (!QStringView(sandboxPath).isValidUtf16())
        return Result::failure(invalid(u"not valid Unicode"_s));
    if (sandboxPath.toUtf8().size() > kMaxPathBytes)
        return Result::failure(invalid(u"too long"_s));

    QStringList parts;
    bool sawDotDot = false;
    int depth = 0; // lexical depth below /workspace, to tell "climbs out" from "stays inside"
    const bool absolute = sandboxPath.startsWith(u'/');
    bool first = absolute;
    for (const QStringView part : QStringView(sandboxPath).split(u'/', Qt::SkipEmptyParts)) {
        if (part == u".")
            continue;
        if (first) {
            // An absolute path must name /workspace before anything else.
            if (part != u"workspace")
                return Result::failure(outside());
            first = false;
            continue;
        }
        if (part == u"..") {
            sawDotDot = true;
            if (--depth < 0)
                return Result::failure(outside());
            continue;
        }
        if (part.toUtf8().size() > kMaxNameBytes)
            return Result::failure(invalid(u"a file name is longer than 255 bytes"_s));
        ++depth;
        parts.append(part.toString());
    }
    if (first) // "/" or "/." alone
        return Result::failure(outside());
    if (sawDotDot)
        return Result::failure(invalid(u"'..' is not allowed"_s));
    return parts.join(u'/');
}

QString sandboxPathFor(const QString &relativePath)
{
    if (relativePath.isEmpty())
        return u"/workspace"_s;
    return u"/workspace/"_s + relativePath;
}

} // namespace banata::server
