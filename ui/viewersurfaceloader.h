// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

namespace banata {

class ViewerSurfaceFactory;

/**
 * Finds the live-browser view: the `banata-viewer` plugin (Qt WebEngine) is loaded the first
 * time it is asked for, so an app that never opens a Browser tab never maps WebEngine. Looked
 * for in `$BANATA_VIEWER_PLUGIN` (a file), next to the executable, then in
 * `<prefix>/lib/banata-operator/`. Tests that link the view statically install a factory instead.
 *
 * Before loading, makes sure Chromium inside WebEngine can start: as root its sandbox cannot run,
 * so it is turned off with a warning in the log (the view still runs in its own process, with
 * the page policy of ui/viewer/).
 */
class ViewerSurfaceLoader final
{
public:
    /// The factory, loading the plugin on first use; nullptr when it cannot be loaded (see errorString()).
    static ViewerSurfaceFactory *factory();
    /// Why factory() returned nullptr, for the operator ("The live browser is not installed: …").
    static QString errorString();
    /// Uses \a factory instead of the plugin (tests; nullptr goes back to the plugin).
    static void setFactory(ViewerSurfaceFactory *factory);
    /// Where factory() looks, in order (for messages and tests).
    static QStringList searchPaths();
};

} // namespace banata
