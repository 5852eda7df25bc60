// SPDX-License-Identifier: MIT
#pragma once

#include <QHash>
#include <QObject>
#include <QString>

namespace banata::server {

/// Who may drive each sandbox's browser: the handoff lease (banata-api.md §5). The handoff
/// service writes it; the browser, its CDP proxy and the viewer read it.
///   ai     — no handoff: the agent drives; viewers watch only
///   shared — a handoff is pending: both may act
///   human  — a person accepted the handoff: viewer input goes through, the agent's is held back
class ControlRegistry final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ControlRegistry)

public:
    enum class Mode { Ai, Shared, Human };
    Q_ENUM(Mode)

    struct State
    {
        Mode mode = Mode::Ai;
        QString controller; // who holds it when human, e.g. "dashboard-user"; empty otherwise
        qint64 updatedAt = 0;
    };

    explicit ControlRegistry(QObject *parent = nullptr);

    State state(const QString &sandboxId) const;
    void set(const QString &sandboxId, Mode mode, const QString &controller = {});
    void remove(const QString &sandboxId);

    bool viewerMayAct(const QString &sandboxId) const { return state(sandboxId).mode != Mode::Ai; }
    bool agentMayAct(const QString &sandboxId) const { return state(sandboxId).mode != Mode::Human; }

    static QString toString(Mode mode); // "ai" | "shared" | "human"

signals:
    void changed(const QString &sandboxId, const banata::server::ControlRegistry::State &state);

private:
    QHash<QString, State> m_states;
};

} // namespace banata::server
