// SPDX-License-Identifier: MIT
#pragma once

#include "core/artifact.h"
#include "core/checkpoint.h"
#include "core/document.h"
#include "core/downloads/downloaditem.h"
#include "core/handoff.h"
#include "core/task.h"
#include "models/sandboxkey.h"

#include <QMetaType>

// Declared once here so that every translation unit sees the same QMetaTypeId specialisations
// (the models hand these types out through QVariant roles and signals). Include this header, not
// just core/, wherever these types cross a signal or a QVariant. SandboxKey's is in sandboxkey.h.
Q_DECLARE_METATYPE(banata::Handoff)
Q_DECLARE_METATYPE(banata::AgentTask)
Q_DECLARE_METATYPE(banata::Checkpoint)
Q_DECLARE_METATYPE(banata::Artifact)
Q_DECLARE_METATYPE(banata::DocumentConversion)
Q_DECLARE_METATYPE(banata::DownloadItem)
