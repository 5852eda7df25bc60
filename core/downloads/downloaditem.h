// SPDX-License-Identifier: MIT
#pragma once

#include <QString>
#include <QUrl>

#include "core/client/apiclient.h"

namespace banata {

/// What to download: one workspace file, a workspace folder (as a zip) or an artifact.
struct DownloadRequest
{
    enum class Kind
    {
        File,
        Folder,
        Artifact
    };

    Kind kind = Kind::File;
    ApiClient client;       // the connection's client (a cheap value)
    QString connectionName; // for people: "Local"
    QString sandboxId;
    QString sandboxName;   // for people; may be empty
    QString remotePath;    // File and Folder: the workspace path
    QString artifactKey;   // Artifact: its key (a fresh download URL is asked for each attempt)
    QString suggestedName; // from the server (unsafe); default: the last path component
                           // (+ ".zip" for a folder)
    QString folder;        // local destination folder, chosen by the operator; must exist
};

/// One download as the downloads panel shows it; a value, replaced on every change.
struct DownloadItem
{
    enum class State
    {
        Queued,    ///< waiting for a free slot
        Running,   ///< bytes are moving
        Waiting,   ///< the connection dropped or the server is away: retrying by itself (error says why)
        Verifying, ///< all bytes in; comparing SHA-256 with the server's
        Conflict,  ///< a file of that name exists: waits for resolveConflict()
        Completed, ///< renamed into place and verified
        Failed,    ///< gave up: error says why; retry() starts again from the .part
        Cancelled, ///< by the operator; the .part is removed
    };

    int id = 0;
    DownloadRequest::Kind kind = DownloadRequest::Kind::File;
    QString connectionName;
    QString sandboxId;
    QString sandboxName;
    QString remotePath; // or the artifact key
    QString fileName;   // the safe local name (final; may change once on a conflict "keep both")
    QString folder;
    State state = State::Queued;
    qint64 received = 0;       // bytes of the file on disk (the .part included)
    qint64 total = -1;         // -1 while unknown
    double bytesPerSecond = 0; // smoothed over the last seconds; 0 when not running
    qint64 remainingMs = -1;   // -1 when unknown
    int resumes = 0;           // how many times it continued from a .part with Range
    QString sha256;            // of the finished file (hex), once verified
    bool verified = false;     // the server's digest matched (false when the server gave none)
    QString error;             // for people, why Waiting / Failed; empty otherwise
    qint64 startedAt = 0;
    qint64 finishedAt = 0;

    QString localPath() const; // folder + "/" + fileName
    bool isActive() const
    {
        return state == State::Queued || state == State::Running || state == State::Waiting ||
               state == State::Verifying;
    }
    bool isFinished() const
    {
        return state == State::Completed || state == State::Failed || state == State::Cancelled;
    }
};

} // namespace banata
