// SPDX-License-Identifier: MIT
#pragma once

#include "core/handoff.h"
#include "core/task.h"
#include "models/sandboxkey.h"

#include <QMetaType>

// Declared once here so that every translation unit sees the same QMetaTypeId specialisations
// (the models hand these types out through QVariant roles and signals). Include this header, not
// just core/, wherever these types cross a signal or a QVariant. SandboxKey's is in sandboxkey.h.
Q_DECLARE_METATYPE(banata::Handoff)
Q_DECLARE_METATYPE(banata::AgentTask)
