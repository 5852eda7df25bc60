// SPDX-License-Identifier: MIT
// The banata-viewer plugin: what ViewerSurfaceLoader finds and loads the first time a Browser
// tab opens, so the app maps Qt WebEngine only then.
#include <QObject>

#include "ui/viewersurface.h"
#include "viewerwidget.h"

namespace banata {

/// Exports ViewerWidget through the ViewerSurfaceFactory seam.
class ViewerPlugin final : public QObject, public ViewerSurfaceFactory
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID BanataViewerSurfaceFactory_iid)
    Q_INTERFACES(banata::ViewerSurfaceFactory)
    Q_DISABLE_COPY_MOVE(ViewerPlugin)

public:
    ViewerPlugin() = default;
    ~ViewerPlugin() override = default;

    ViewerSurface *createSurface(ViewerSurfaceObserver *observer, QWidget *parent) override;
};

ViewerSurface *ViewerPlugin::createSurface(ViewerSurfaceObserver *observer, QWidget *parent)
{
    return new ViewerWidget(observer, parent);
}

} // namespace banata

#include "viewerplugin.moc"
