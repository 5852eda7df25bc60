// SPDX-License-Identifier: MIT
#include "controlregistry.h"

#include <QDateTime>

using namespace Qt::StringLiterals;

namespace banata::server {

ControlRegistry::ControlRegistry(QObject *parent)
    : QObject(parent)
{
}

ControlRegistry::State ControlRegistry::state(const QString &sandboxId) const
{
    return m_states.value(sandboxId);
}

void ControlRegistry::set(const QString &sandboxId, Mode mode, const QString &controller)
{
    State next{mode, mode == Mode::Human ? controller : QString(), QDateTime::currentMSecsSinceEpoch()};
    const State previous = m_states.value(sandboxId);
    if (previous.mode == next.mode && previous.controller == next.controller)
        return;
    m_states.insert(sandboxId, next);
    emit changed(sandboxId, next);
}

void ControlRegistry::remove(const QString &sandboxId)
{
    m_states.remove(sandboxId);
}

QString ControlRegistry::toString(Mode mode)
{
    switch (mode) {
    case Mode::Ai:
        return u"ai"_s;
    case Mode::Shared:
        return u"shared"_s;
    case Mode::Human:
        return u"human"_s;
    }
    return u"ai"_s;
}

} // namespace banata::server
