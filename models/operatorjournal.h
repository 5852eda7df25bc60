// SPDX-License-Identifier: MIT
#pragma once

#include "core/json.h"
#include "models/sandboxkey.h"

#include <QList>
#include <QMetaType>
#include <QObject>
#include <QString>

namespace banata {

/// One thing the operator did through the app, for the timeline ("who, what, when").
struct OperatorAction
{
    qint64 timestamp = 0;     ///< epoch ms when it was asked
    QString operatorName;     ///< from settings
    SandboxKey key;
    QString action;           ///< "pause", "resume", "kill", "checkpoint", "exec", "prompt", "create", …
    QString detail;           ///< e.g. the command, the prompt, the checkpoint label
    bool ok = true;
    QString result;           ///< "paused", "exit 0", or the error text

    /// `{"timestamp", "operator", "connectionId", "sandboxId", "action", "detail", "ok", "result"}`.
    Json toJson() const;
    static std::optional<OperatorAction> fromJson(const Json &json);
    friend bool operator==(const OperatorAction &, const OperatorAction &) = default;
};

/**
 * The operator's own actions, appended to a JSON Lines file (one object per line) so that the
 * timeline keeps them across app restarts. A torn last line (crash) is skipped on load, never
 * fatal. In-memory only when \a path is empty (tests).
 */
class OperatorJournal final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OperatorJournal)

public:
    explicit OperatorJournal(QString path, QObject *parent = nullptr);

    void record(const OperatorAction &action);
    /// Every action on \a key, oldest first.
    QList<OperatorAction> actionsFor(const SandboxKey &key) const;
    /// Why the file could not be read or written, empty when fine.
    QString errorString() const { return m_error; }

Q_SIGNALS:
    void recorded(const banata::OperatorAction &action);

private:
    void load();
    bool append(const OperatorAction &action);

    QString m_path;
    QList<OperatorAction> m_actions;
    QString m_error;
    bool m_needsNewline = false; // the file ends in a torn line: start the next record on a new one
};

} // namespace banata

Q_DECLARE_METATYPE(banata::OperatorAction)
