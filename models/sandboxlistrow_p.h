// SPDX-License-Identifier: MIT
#pragma once

#include "models/sandboxlistmodel.h"

#include <memory>

namespace banata {

/// One row of the list: the sandbox plus the little the list derives from it, kept small because
/// there may be tens of thousands (shared texts, the handoff only while one is active).
struct SandboxListModel::Row
{
    SandboxKey key;
    Sandbox sandbox;
    QString sortName;     ///< lower-case name, else id (shares the text when already lower-case)
    QString searchText;   ///< what the text filter looks in: lower-case, capped
    QString capabilities; ///< "browser 1280×800, agent"
    QString task;         ///< the current task's prompt (capped); empty when none
    QString taskSort;     ///< its lower-case form
    std::shared_ptr<const Handoff> handoff; ///< only while pending or accepted

    bool needsYou() const { return handoff && handoff->status == HandoffStatus::Pending; }
};

} // namespace banata
