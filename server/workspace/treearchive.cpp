// SPDX-License-Identifier: MIT
#include "treearchive.h"

#include <algorithm>
#include <archive.h>
#include <archive_entry.h>
#include <cerrno>
#include <fcntl.h>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

#include <QCryptographicHash>
#include <QLoggingCategory>

#include "core/sha256.h"
#include "fdutil.h"

Q_LOGGING_CATEGORY(lcTreeArchive, "banata.server.workspace.archive", QtInfoMsg)

using namespace Qt::StringLiterals;

namespace banata::server::detail {

namespace {

constexpr int kMaxDepth = 128;
constexpr qint64 kBlockSize = 1024 * 1024;
// Part of every key: a change to what the archive holds (layout, options) must change the keys.
constexpr std::string_view kFormatVersion = "banata-zip-1";

QString shownFor(const QString &shown, const std::string &path)
{
    return path.empty() ? shown : shown + u'/' + QString::fromUtf8(path.data(), qsizetype(path.size()));
}

bool vanished(int error)
{
    // Deleted, or replaced by another kind of entry since we listed it: a snapshot skips it.
    return error == ENOENT || error == ELOOP || error == ENOTDIR || error == EINVAL;
}

FsResult<bool> failAt(int error, const QString &shown, const std::string &path)
{
    return FsResult<bool>::failure(FsError::fromErrno(error, shownFor(shown, path)));
}

TreeEntry entryFrom(TreeEntry::Type type, std::string path, const struct stat &st)
{
    TreeEntry entry;
    entry.type = type;
    entry.path = std::move(path);
    entry.size = type == TreeEntry::Type::File ? qint64(st.st_size) : 0;
    entry.mtime = st.st_mtim;
    entry.mode = unsigned(st.st_mode & 07777);
    return entry;
}

/// Receives every entry of a walk, parents before their contents.
class TreeVisitor
{
public:
    virtual ~TreeVisitor() = default;
    /// \a parentFd and \a name locate the entry (the folder itself: -1 and nullptr). A file's
    /// visitor may refine \a entry from the file it opens.
    virtual FsResult<bool> visit(TreeEntry &entry, int parentFd, const char *name) = 0;
};

/// readlinkat into \a target; 0 or an errno.
int readLink(int dirFd, const char *name, qint64 sizeHint, std::string &target)
{
    // st_size of a link is its target's length; grow if it changed since the lstat.
    size_t capacity = size_t(std::max<qint64>(sizeHint, 63)) + 1;
    for (;;) {
        target.resize(capacity);
        const ssize_t n = ::readlinkat(dirFd, name, target.data(), capacity);
        if (n < 0)
            return errno;
        if (size_t(n) < capacity) {
            target.resize(size_t(n));
            return 0;
        }
        capacity *= 2;
    }
}

FsResult<bool> walkDirectory(int dirFd, const std::string &prefix, int depth, const QString &shown,
                             TreeVisitor &visitor)
{
    if (depth > kMaxDepth)
        return FsResult<bool>::failure(FsError::make(
            FsError::Kind::Io, u"The folder nests too deeply to archive at "_s + shownFor(shown, prefix)));
    std::vector<DirEntry> names;
    if (const int error = readDirectory(dirFd, names))
        return failAt(error, shown, prefix);
    std::sort(names.begin(), names.end(),
              [](const DirEntry &a, const DirEntry &b) { return a.name < b.name; });

    for (const DirEntry &listed : names) {
        const char *name = listed.name.c_str();
        std::string path = prefix.empty() ? listed.name : prefix + '/' + listed.name;
        struct stat st;
        if (::fstatat(dirFd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            if (vanished(errno))
                continue;
            return failAt(errno, shown, path);
        }
        if (S_ISDIR(st.st_mode)) {
            // O_NOFOLLOW: a directory swapped for a symlink since the lstat is not entered.
            const UniqueFd child(::openat(dirFd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!child.valid()) {
                if (vanished(errno))
                    continue;
                return failAt(errno, shown, path);
            }
            if (::fstat(child.get(), &st) < 0)
                return failAt(errno, shown, path);
            TreeEntry entry = entryFrom(TreeEntry::Type::Directory, path, st);
            if (auto visited = visitor.visit(entry, dirFd, name); !visited)
                return visited;
            if (auto walked = walkDirectory(child.get(), path, depth + 1, shown, visitor); !walked)
                return walked;
        } else if (S_ISLNK(st.st_mode)) {
            TreeEntry entry = entryFrom(TreeEntry::Type::Symlink, path, st);
            if (const int error = readLink(dirFd, name, st.st_size, entry.target)) {
                if (vanished(error))
                    continue;
                return failAt(error, shown, path);
            }
            if (auto visited = visitor.visit(entry, dirFd, name); !visited)
                return visited;
        } else if (S_ISREG(st.st_mode)) {
            TreeEntry entry = entryFrom(TreeEntry::Type::File, path, st);
            if (auto visited = visitor.visit(entry, dirFd, name); !visited)
                return visited;
        }
        // FIFOs, sockets and device nodes have no bytes to archive.
    }
    return true;
}

FsResult<bool> walkTree(int dirFd, const QString &shown, TreeVisitor &visitor)
{
    struct stat st;
    if (::fstat(dirFd, &st) < 0)
        return failAt(errno, shown, {});
    TreeEntry top = entryFrom(TreeEntry::Type::Directory, {}, st);
    if (auto visited = visitor.visit(top, -1, nullptr); !visited)
        return visited;
    return walkDirectory(dirFd, {}, 0, shown, visitor);
}

/// Collects the entries of a walk into a manifest.
class ScanVisitor final : public TreeVisitor
{
public:
    TreeManifest manifest;

    FsResult<bool> visit(TreeEntry &entry, int, const char *) override
    {
        manifest.totalBytes += entry.size;
        manifest.entries.push_back(entry);
        return true;
    }
};

bool sameVersion(const struct stat &a, const struct stat &b)
{
    return a.st_ino == b.st_ino && a.st_size == b.st_size && a.st_mtim.tv_sec == b.st_mtim.tv_sec &&
           a.st_mtim.tv_nsec == b.st_mtim.tv_nsec && a.st_ctim.tv_sec == b.st_ctim.tv_sec &&
           a.st_ctim.tv_nsec == b.st_ctim.tv_nsec;
}

/// Writes each visited entry into a zip through libarchive, hashing the output as it goes.
class ZipVisitor final : public TreeVisitor
{
public:
    ZipVisitor(int outFd, std::string topName, const QString &shown)
        : m_outFd(outFd)
        , m_topName(std::move(topName))
        , m_shown(shown)
        , m_archive(archive_write_new())
        , m_entry(archive_entry_new())
        , m_buffer(std::make_unique<char[]>(size_t(kBlockSize)))
    {
        archived.topName = m_topName;
    }
    ~ZipVisitor() override
    {
        archive_entry_free(m_entry);
        archive_write_free(m_archive);
    }
    Q_DISABLE_COPY_MOVE(ZipVisitor)

    TreeManifest archived;

    FsResult<bool> open()
    {
        if (!m_archive || !m_entry)
            return FsResult<bool>::failure(FsError::make(FsError::Kind::Io, u"Cannot start an archive"_s));
        archive_write_set_format_zip(m_archive);
        // Names as UTF-8 with the zip's UTF-8 flag, whatever the server's locale.
        if (archive_write_set_format_option(m_archive, "zip", "hdrcharset", "UTF-8") != ARCHIVE_OK)
            return libarchiveFailure();
        // Speed over the last percent of size: a folder is usually downloaded once, and libarchive
        // cannot switch to "store" per entry for formats that are compressed already.
        if (archive_write_set_format_option(m_archive, "zip", "compression-level", "1") != ARCHIVE_OK)
            qCDebug(lcTreeArchive) << "compression-level not supported:" << archive_error_string(m_archive);
        archive_write_set_bytes_per_block(m_archive, 64 * 1024);
        archive_write_set_bytes_in_last_block(m_archive, 1); // no padding after the central directory
        if (archive_write_open(m_archive, this, nullptr, &ZipVisitor::writeCallback, nullptr) != ARCHIVE_OK)
            return libarchiveFailure();
        return true;
    }

    FsResult<bool> finish()
    {
        if (archive_write_close(m_archive) != ARCHIVE_OK)
            return libarchiveFailure();
        return true;
    }

    QString sha256() { return m_hash.hexResult(); }
    qint64 written() const { return m_written; }

    FsResult<bool> visit(TreeEntry &entry, int parentFd, const char *name) override
    {
        if (entry.type != TreeEntry::Type::File)
            return writeEntry(entry);
        // The file as it is now; the lstat of the walk is only a hint.
        const UniqueFd file(
            ::openat(parentFd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
        if (!file.valid())
            return vanished(errno) ? FsResult<bool>(true) : failAt(errno, m_shown, entry.path);
        struct stat before;
        if (::fstat(file.get(), &before) < 0)
            return failAt(errno, m_shown, entry.path);
        if (!S_ISREG(before.st_mode))
            return true;
        entry = entryFrom(TreeEntry::Type::File, std::move(entry.path), before);
        if (auto header = writeEntry(entry); !header)
            return header;
        // Exactly the size the header promised: a file that shrank meanwhile is padded with
        // zeros, one that grew is cut, and either is marked changed.
        qint64 remaining = entry.size;
        bool shortRead = false;
        while (remaining > 0) {
            qint64 n = 0;
            if (!shortRead) {
                n = ::read(file.get(), m_buffer.get(), size_t(std::min(remaining, kBlockSize)));
                if (n < 0) {
                    if (errno == EINTR)
                        continue;
                    return failAt(errno, m_shown, entry.path);
                }
                shortRead = n == 0;
            }
            if (shortRead) {
                n = std::min(remaining, kBlockSize);
                std::fill_n(m_buffer.get(), size_t(n), '\0');
            }
            if (archive_write_data(m_archive, m_buffer.get(), size_t(n)) < 0)
                return libarchiveFailure();
            remaining -= n;
        }
        struct stat after;
        if (::fstat(file.get(), &after) < 0)
            return failAt(errno, m_shown, entry.path);
        archived.entries.back().changed = shortRead || !sameVersion(before, after);
        if (archive_write_finish_entry(m_archive) != ARCHIVE_OK)
            return libarchiveFailure();
        return true;
    }

private:
    FsResult<bool> writeEntry(const TreeEntry &entry)
    {
        std::string raw = m_topName;
        if (!entry.path.empty())
            raw += '/' + entry.path;
        if (entry.type == TreeEntry::Type::Directory)
            raw += '/';
        // Invalid UTF-8 becomes U+FFFD: the zip says its names are UTF-8.
        const QByteArray pathname = QString::fromUtf8(raw.data(), qsizetype(raw.size())).toUtf8();

        archive_entry_clear(m_entry);
        archive_entry_set_pathname_utf8(m_entry, pathname.constData());
        archive_entry_set_mtime(m_entry, entry.mtime.tv_sec, entry.mtime.tv_nsec);
        switch (entry.type) {
        case TreeEntry::Type::Directory:
            archive_entry_set_filetype(m_entry, AE_IFDIR);
            archive_entry_set_perm(m_entry, entry.mode & 0777);
            break;
        case TreeEntry::Type::File:
            archive_entry_set_filetype(m_entry, AE_IFREG);
            archive_entry_set_perm(m_entry, entry.mode & 0777);
            archive_entry_set_size(m_entry, entry.size);
            break;
        case TreeEntry::Type::Symlink: {
            const QByteArray target =
                QString::fromUtf8(entry.target.data(), qsizetype(entry.target.size())).toUtf8();
            archive_entry_set_filetype(m_entry, AE_IFLNK);
            archive_entry_set_perm(m_entry, 0777);
            archive_entry_set_symlink_utf8(m_entry, target.constData());
            break;
        }
        }
        const int status = archive_write_header(m_archive, m_entry);
        if (status < ARCHIVE_WARN)
            return libarchiveFailure();
        if (status == ARCHIVE_WARN)
            qCWarning(lcTreeArchive) << "archive warning:" << archive_error_string(m_archive);
        archived.totalBytes += entry.size;
        archived.entries.push_back(entry);
        return true;
    }

    FsResult<bool> libarchiveFailure()
    {
        if (m_writeError == ENOSPC || m_writeError == EDQUOT)
            return FsResult<bool>::failure(FsError::make(
                FsError::Kind::NoSpace, u"No space left on the server's disk for the archive"_s));
        const char *message = archive_error_string(m_archive);
        qCWarning(lcTreeArchive) << "archive of" << m_shown << "failed:" << (message ? message : "unknown")
                                 << (m_writeError ? strerrordesc_np(m_writeError) : "");
        return FsResult<bool>::failure(
            FsError::make(FsError::Kind::Io, u"Cannot write the archive of "_s + m_shown));
    }

    static la_ssize_t writeCallback(struct archive *archive, void *client, const void *data, size_t length)
    {
        auto *self = static_cast<ZipVisitor *>(client);
        if (const int error = writeAll(self->m_outFd, static_cast<const char *>(data), length)) {
            self->m_writeError = error;
            archive_set_error(archive, error, "cannot write the archive file");
            return -1;
        }
        self->m_hash.addData(QByteArrayView(static_cast<const char *>(data), qsizetype(length)));
        self->m_written += qint64(length);
        return la_ssize_t(length);
    }

    int m_outFd;
    std::string m_topName;
    QString m_shown;
    struct archive *m_archive;
    struct archive_entry *m_entry;
    std::unique_ptr<char[]> m_buffer;
    banata::Sha256 m_hash;
    qint64 m_written = 0;
    int m_writeError = 0;
};

void addField(QCryptographicHash &hash, std::string_view bytes)
{
    const quint64 length = bytes.size();
    hash.addData(QByteArrayView(reinterpret_cast<const char *>(&length), sizeof length));
    hash.addData(QByteArrayView(bytes.data(), qsizetype(bytes.size())));
}

void addField(QCryptographicHash &hash, qint64 value)
{
    hash.addData(QByteArrayView(reinterpret_cast<const char *>(&value), sizeof value));
}

} // namespace

QByteArray TreeManifest::key() const
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    addField(hash, kFormatVersion);
    addField(hash, topName);
    addField(hash, qint64(entries.size()));
    for (const TreeEntry &entry : entries) {
        addField(hash, qint64(entry.type));
        addField(hash, entry.path);
        addField(hash, entry.size);
        addField(hash, qint64(entry.mtime.tv_sec));
        addField(hash, qint64(entry.mtime.tv_nsec));
        addField(hash, qint64(entry.mode));
        addField(hash, entry.target);
        addField(hash, qint64(entry.changed ? 1 : 0));
    }
    return hash.result().left(16).toHex();
}

FsResult<TreeManifest> scanTree(int dirFd, const QString &shown, std::string topName)
{
    ScanVisitor scan;
    scan.manifest.topName = std::move(topName);
    if (auto walked = walkTree(dirFd, shown, scan); !walked)
        return FsResult<TreeManifest>::failure(walked.error());
    return std::move(scan.manifest);
}

FsResult<ZipOutcome> writeTreeZip(int dirFd, const QString &shown, std::string topName, int outFd)
{
    ZipVisitor zip(outFd, std::move(topName), shown);
    if (auto opened = zip.open(); !opened)
        return FsResult<ZipOutcome>::failure(opened.error());
    if (auto walked = walkTree(dirFd, shown, zip); !walked)
        return FsResult<ZipOutcome>::failure(walked.error());
    if (auto finished = zip.finish(); !finished)
        return FsResult<ZipOutcome>::failure(finished.error());
    ZipOutcome outcome;
    outcome.archived = std::move(zip.archived);
    outcome.sha256 = zip.sha256();
    outcome.size = zip.written();
    return outcome;
}

} // namespace banata::server::detail
