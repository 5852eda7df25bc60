// SPDX-License-Identifier: MIT
#pragma once

#include <functional>
#include <memory>

#include <QObject>
#include <QPointer>

#include "session/filepreview.h"

class QIODevice;
class QMimeType;

namespace banata {

class ApiClient;
class ApiJob;
class CappedBuffer;
class DownloadJob;

/**
 * Fetches one preview for FilesSession: decides the kind from the name (and the listed size) first,
 * fetches at most the cap of that kind into memory (a file that turns out to be binary stops after
 * its first 4 KiB), then decides again from the first bytes. Deleting the loader cancels it.
 *
 * Usage:
 *   auto loader = std::make_unique<PreviewLoader>(base, name);
 *   connect(loader.get(), &PreviewLoader::finished, this, [](const FilePreview &p) { ... });
 *   loader->startFile(client, sandboxId, path);
 * `finished` comes exactly once and never from inside a start call.
 */
class PreviewLoader final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PreviewLoader)

public:
    /// What a plan says before fetching: the kind the name suggests and how much to fetch.
    struct Plan
    {
        FilePreview::Kind guess = FilePreview::Kind::Binary; // Binary also for "unknown"
        qint64 cap = FilePreview::kTextLimit;
        bool sniff = true;     // look at the first bytes: text, or binary (then stop at 4 KiB)
        bool tooLarge = false; // over the cap already by its listed size: nothing to fetch
    };

    /// \a base carries path, size (-1 when unknown), mtime; \a name is what the kind is judged by.
    PreviewLoader(FilePreview base, QString name, QObject *parent = nullptr);
    ~PreviewLoader() override;

    void startFile(const ApiClient &client, const QString &sandboxId, const QString &path);
    /// Asks for the artifact's download URL, then fetches through it (without the API key).
    void startArtifact(const ApiClient &client, const QString &sandboxId, const QString &key);

    /// For tests and for callers that hold the bytes already.
    static Plan plan(const QString &name, qint64 size);
    static FilePreview decide(FilePreview base, const QString &name, const Plan &plan,
                              const QByteArray &bytes, bool overCap);
    static FilePreview::Kind kindForMime(const QMimeType &type);
    /// NUL bytes, or more than 1 % control characters other than whitespace and escape.
    static bool looksBinary(QByteArrayView head);

Q_SIGNALS:
    void finished(const banata::FilePreview &preview);

private:
    bool decideEarly();
    void fetchInto(const ApiClient &client, const std::function<DownloadJob *(QIODevice *)> &start);
    void finish(FilePreview preview);

    FilePreview m_base;
    QString m_name;
    Plan m_plan;
    std::unique_ptr<CappedBuffer> m_buffer;
    QPointer<ApiJob> m_job; // deleted (cancelled) by the destructor before the buffer goes
    bool m_finished = false;
};

} // namespace banata
