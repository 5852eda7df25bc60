// SPDX-License-Identifier: MIT
#pragma once

namespace banata {

class Connection;
class ConnectionManager;
class HandoffInboxModel;
class SandboxListModel;

/// Keeps the app-wide models in step with every connection of \a manager, present and future:
/// snapshots, single changes, handoffs and current tasks, and connections leaving.
void bindModels(ConnectionManager *manager, SandboxListModel *sandboxes, HandoffInboxModel *inbox);

} // namespace banata
