// SPDX-License-Identifier: MIT
#pragma once

#include <QIcon>

namespace banata {

/// The app's icons: the desktop theme's where it has them, else the style's standard pixmaps, so
/// a bare system (or the offscreen platform in tests) still shows something sensible.
namespace Icons {

enum class Id { NewSandbox, Pause, Resume, Kill, Checkpoint, Refresh, Search, Settings, Inbox, Copy, Export, Run, Send };

QIcon icon(Id id);

/// The app icon with a red badge carrying \a count (none when 0): the tray icon.
QIcon badgedAppIcon(int count);

} // namespace Icons

} // namespace banata
