// SPDX-License-Identifier: MIT
#include "core/downloads/parthasher.h"

#include <cerrno>
#include <cstring>
#include <openssl/evp.h>
#include <unistd.h>
#include <unordered_map>
#include <vector>

#include <QCoreApplication>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcPartHasher, "banata.core.downloads.hasher")

namespace banata {

namespace {
constexpr qint64 kChunkBytes = 1024 * 1024; // the worker's only buffer

// PartHashWorker is a QObject without Q_OBJECT: its own tr() would use the wrong context.
QString hasherText(const char *text)
{
    return QCoreApplication::translate("banata::PartHasher", text);
}

struct DigestContextDeleter
{
    void operator()(EVP_MD_CTX *context) const { EVP_MD_CTX_free(context); }
};
using DigestContext = std::unique_ptr<EVP_MD_CTX, DigestContextDeleter>;
} // namespace

/// The thread side of PartHasher: one digest per open file, fed in order of the calls queued to it.
class PartHashWorker final : public QObject
{
public:
    PartHashWorker(PartHasher *front, std::shared_ptr<std::atomic_bool> stopping)
        : m_front(front)
        , m_stopping(std::move(stopping))
        , m_buffer(std::size_t(kChunkBytes))
    {}
    ~PartHashWorker() override
    {
        for (auto &[key, file] : m_files)
            ::close(file.fd);
    }
    Q_DISABLE_COPY_MOVE(PartHashWorker)

    void open(int key, int fd)
    {
        File file;
        file.fd = fd;
        file.context.reset(EVP_MD_CTX_new());
        if (!file.context || EVP_DigestInit_ex(file.context.get(), EVP_sha256(), nullptr) != 1)
            file.error = hasherText("Cannot compute SHA-256 (libcrypto failed)");
        m_files.emplace(key, std::move(file));
    }

    void grow(int key, qint64 size)
    {
        if (auto it = m_files.find(key); it != m_files.end())
            hashTo(it->second, size);
    }

    void finish(int key, qint64 size)
    {
        auto it = m_files.find(key);
        if (it == m_files.end())
            return;
        File &file = it->second;
        hashTo(file, size);
        if (m_stopping->load())
            return;
        QString hex;
        if (file.error.isEmpty() && file.hashed != size)
            file.error = hasherText("The downloaded file is shorter than the server said");
        if (file.error.isEmpty()) {
            unsigned char digest[EVP_MAX_MD_SIZE];
            unsigned int length = 0;
            if (EVP_DigestFinal_ex(file.context.get(), digest, &length) == 1)
                hex = QString::fromLatin1(
                    QByteArray(reinterpret_cast<const char *>(digest), int(length)).toHex());
            else
                file.error = hasherText("Cannot compute SHA-256 (libcrypto failed)");
        }
        PartHasher *front = m_front;
        QMetaObject::invokeMethod(
            front, [front, key, hex, error = file.error] { Q_EMIT front->finished(key, hex, error); },
            Qt::QueuedConnection);
    }

    void close(int key)
    {
        if (auto it = m_files.find(key); it != m_files.end()) {
            ::close(it->second.fd);
            m_files.erase(it);
        }
    }

private:
    struct File
    {
        int fd = -1;
        DigestContext context;
        qint64 hashed = 0;
        QString error;
    };

    void hashTo(File &file, qint64 size)
    {
        while (file.error.isEmpty() && file.hashed < size && !m_stopping->load()) {
            const qint64 wanted = std::min(kChunkBytes, size - file.hashed);
            const ssize_t got = ::pread(file.fd, m_buffer.data(), std::size_t(wanted), off_t(file.hashed));
            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0) {
                file.error = hasherText("Cannot read the downloaded file: %1")
                                 .arg(QString::fromLocal8Bit(std::strerror(errno)));
                qCWarning(lcPartHasher) << "read failed:" << file.error;
                return;
            }
            if (got == 0)
                return; // shorter than announced: finish() says so
            EVP_DigestUpdate(file.context.get(), m_buffer.data(), std::size_t(got));
            file.hashed += got;
        }
    }

    PartHasher *m_front;
    std::shared_ptr<std::atomic_bool> m_stopping;
    std::vector<char> m_buffer;
    std::unordered_map<int, File> m_files;
};

PartHasher::PartHasher(QObject *parent)
    : QObject(parent)
    , m_stopping(std::make_shared<std::atomic_bool>(false))
{
    m_thread.setObjectName(u"PartHasher"_s);
    m_worker = std::make_unique<PartHashWorker>(this, m_stopping);
    m_worker->moveToThread(&m_thread);
}

PartHasher::~PartHasher()
{
    m_stopping->store(true);
    m_thread.quit();
    m_thread.wait();
    m_worker.reset(); // its thread has stopped: safe to delete here
}

int PartHasher::open(int fd)
{
    if (!m_thread.isRunning())
        m_thread.start(QThread::LowPriority);
    const int key = m_nextKey++;
    PartHashWorker *worker = m_worker.get();
    QMetaObject::invokeMethod(
        worker, [worker, key, fd] { worker->open(key, fd); }, Qt::QueuedConnection);
    return key;
}

void PartHasher::grow(int key, qint64 size)
{
    PartHashWorker *worker = m_worker.get();
    QMetaObject::invokeMethod(
        worker, [worker, key, size] { worker->grow(key, size); }, Qt::QueuedConnection);
}

void PartHasher::finish(int key, qint64 size)
{
    PartHashWorker *worker = m_worker.get();
    QMetaObject::invokeMethod(
        worker, [worker, key, size] { worker->finish(key, size); }, Qt::QueuedConnection);
}

void PartHasher::close(int key)
{
    PartHashWorker *worker = m_worker.get();
    QMetaObject::invokeMethod(
        worker, [worker, key] { worker->close(key); }, Qt::QueuedConnection);
}

} // namespace banata
