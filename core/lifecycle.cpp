// SPDX-License-Identifier: MIT
#include "lifecycle.h"

using namespace Qt::StringLiterals;

namespace banata {

bool canTransition(SandboxStatus from, SandboxStatus to)
{
    using S = SandboxStatus;
    if (isTerminal(from) || from == to)
        return false;
    if (to == S::Failed)
        return true;
    switch (from) {
    case S::Queued:
        return to == S::Assigning || to == S::Ending;
    case S::Assigning:
        return to == S::Ready || to == S::Ending;
    case S::Ready:
        return to == S::Active || to == S::Pausing || to == S::Ending || to == S::Assigning;
    case S::Active:
        return to == S::Ready || to == S::Pausing || to == S::Ending || to == S::Assigning;
    case S::Pausing:
        return to == S::Paused || to == S::Ending;
    case S::Paused:
        return to == S::Ready || to == S::Ending || to == S::Assigning;
    case S::Ending:
        return to == S::Ended;
    case S::Ended:
    case S::Failed:
        return false;
    }
    return false;
}

bool acceptsWork(SandboxStatus status)
{
    return status == SandboxStatus::Ready || status == SandboxStatus::Active;
}

bool acceptsFileReads(SandboxStatus status)
{
    return acceptsWork(status) || status == SandboxStatus::Paused || status == SandboxStatus::Pausing;
}

bool canPause(SandboxStatus status)
{
    return acceptsWork(status);
}

bool canResume(SandboxStatus status)
{
    return status == SandboxStatus::Paused;
}

bool canKill(SandboxStatus status)
{
    return !isTerminal(status) && status != SandboxStatus::Ending;
}

QString eventTypeForTransition(SandboxStatus from, SandboxStatus to)
{
    using S = SandboxStatus;
    switch (to) {
    case S::Queued:
        return u"sandbox.created"_s;
    case S::Assigning:
        return u"sandbox.assigned"_s;
    case S::Ready:
        return from == S::Paused || from == S::Pausing ? u"sandbox.resumed"_s : u"sandbox.ready"_s;
    case S::Active:
        return u"sandbox.active"_s;
    case S::Pausing:
        return u"sandbox.pausing"_s;
    case S::Paused:
        return u"sandbox.paused"_s;
    case S::Ending:
        return u"sandbox.ending"_s;
    case S::Ended:
        return u"sandbox.ended"_s;
    case S::Failed:
        return u"sandbox.failed"_s;
    }
    return u"sandbox.updated"_s;
}

} // namespace banata
