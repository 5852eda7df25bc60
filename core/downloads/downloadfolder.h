// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

namespace banata {

/**
 * The folder a download writes into, held open as one descriptor: every file a download creates,
 * renames or removes is named relative to it (openat, renameat2, unlinkat) and never through a
 * symlink, so neither a hostile name nor a link planted in the folder can reach anything outside.
 * Names must be single components (safeFileName); anything else is refused with EINVAL.
 *
 * Usage:
 *   DownloadFolder folder;
 *   if (!folder.open(u"/home/ana/Downloads"_s, &error)) ...
 *   const int fd = folder.createNew(u"report.pdf.part"_s); // -1 and errno EEXIST when taken
 *   folder.renameNoReplace(u"report.pdf.part"_s, u"report.pdf"_s);
 */
class DownloadFolder final
{
public:
    DownloadFolder() = default;
    ~DownloadFolder();
    Q_DISABLE_COPY_MOVE(DownloadFolder)

    /// Opens \a path (a symlink the operator chose as the folder itself is resolved once);
    /// false with a message for people in \a error.
    bool open(const QString &path, QString *error);
    bool isOpen() const { return m_fd >= 0; }
    void close();

    /// Whether anything (file, folder, dangling symlink) has this name; symlinks are not followed.
    bool contains(const QString &name) const;
    /// A new regular file opened for reading and writing (O_EXCL, O_NOFOLLOW, O_CLOEXEC); -1 with
    /// errno set (EEXIST when the name is taken by anything, a symlink included).
    int createNew(const QString &name) const;
    /// Renames \a from to \a to unless \a to exists; false with errno (EEXIST when it does).
    bool renameNoReplace(const QString &from, const QString &to) const;
    /// Renames \a from over \a to, replacing a file (or the symlink itself, never its target).
    bool renameReplace(const QString &from, const QString &to) const;
    bool remove(const QString &name) const;

    /// The text for errno \a error, for people.
    static QString errorText(int error);

private:
    int m_fd = -1;
};

/// The name of the partial file for \a fileName: "<name>.part", shortened to fit NAME_MAX.
QString partFileName(const QString &fileName);

} // namespace banata
