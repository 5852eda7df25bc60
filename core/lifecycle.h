// SPDX-License-Identifier: MIT
#pragma once

#include "sandbox.h"

namespace banata {

/// The documented lifecycle as a transition table (product.md §4.2):
/// queued → assigning → ready ⇄ active → pausing → paused → ready → ending → ended; failed from
/// anywhere that is not terminal.
bool canTransition(SandboxStatus from, SandboxStatus to);

/// What the operations of the API need of a state. Each returns true when allowed.
bool acceptsWork(SandboxStatus status);     // exec, code, file writes, checkpoints
bool acceptsFileReads(SandboxStatus status); // reads also work while paused
bool canPause(SandboxStatus status);
bool canResume(SandboxStatus status);
bool canKill(SandboxStatus status);

/// The webhook / event type announcing arrival in \a to, e.g. "sandbox.ready"; a paused sandbox
/// becoming ready again is "sandbox.resumed" (banata-api.md §2.5).
QString eventTypeForTransition(SandboxStatus from, SandboxStatus to);

} // namespace banata
