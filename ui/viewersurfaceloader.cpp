// SPDX-License-Identifier: MIT
#include "viewersurfaceloader.h"

#include <unistd.h>

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QPluginLoader>
#include <QStringList>

#include "viewersurface.h"

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcViewerLoader, "banata.ui.viewer.loader")

namespace banata {

namespace {
struct LoaderState
{
    ViewerSurfaceFactory *installed = nullptr; // setFactory()
    ViewerSurfaceFactory *loaded = nullptr;    // from the plugin; never unloaded
    QString error;
};

LoaderState &loaderState()
{
    static LoaderState state;
    return state;
}

/// Chromium's sandbox refuses to run as root; without it off, WebEngine aborts the whole app.
void allowChromiumToStart()
{
    if (::geteuid() != 0 || qEnvironmentVariableIsSet("QTWEBENGINE_DISABLE_SANDBOX"))
        return;
    const QStringList flags =
        qEnvironmentVariable("QTWEBENGINE_CHROMIUM_FLAGS").split(u' ', Qt::SkipEmptyParts);
    if (flags.contains(u"--no-sandbox"_s))
        return;
    qputenv("QTWEBENGINE_DISABLE_SANDBOX", "1");
    qCWarning(lcViewerLoader)
        << "running as root: Chromium's sandbox cannot run as root, so Qt WebEngine's sandbox"
        << "is off (QTWEBENGINE_DISABLE_SANDBOX=1); the viewer still runs in its own process"
        << "under the viewer page policy. Run the app as a normal user to keep the sandbox.";
}

ViewerSurfaceFactory *loadPlugin(QStringList &tried)
{
    allowChromiumToStart();
    for (const QString &path : ViewerSurfaceLoader::searchPaths()) {
        if (!QFileInfo::exists(path)) {
            tried << QCoreApplication::translate("ViewerSurfaceLoader", "%1 (not found)").arg(path);
            continue;
        }
        // Kept for the life of the app: surfaces made by the plugin may live until exit.
        auto *loader = new QPluginLoader(path);
        QObject *instance = loader->instance();
        if (auto *factory = qobject_cast<ViewerSurfaceFactory *>(instance)) {
            qCDebug(lcViewerLoader) << "loaded" << path;
            return factory;
        }
        tried << (instance ? QCoreApplication::translate("ViewerSurfaceLoader", "%1 (not the viewer plugin)")
                                 .arg(path)
                           : QCoreApplication::translate("ViewerSurfaceLoader", "%1 (%2)")
                                 .arg(path, loader->errorString()));
        qCWarning(lcViewerLoader) << "cannot load" << path << loader->errorString();
        loader->unload(); // also deletes a wrong plugin's instance
        delete loader;
    }
    return nullptr;
}
} // namespace

ViewerSurfaceFactory *ViewerSurfaceLoader::factory()
{
    LoaderState &state = loaderState();
    if (state.installed)
        return state.installed;
    if (!state.loaded) {
        QStringList tried;
        state.loaded = loadPlugin(tried);
        state.error = state.loaded ? QString()
                                   : QCoreApplication::translate("ViewerSurfaceLoader",
                                                                 "The live browser is not installed: %1")
                                         .arg(tried.join(u"; "_s));
    }
    return state.loaded;
}

QString ViewerSurfaceLoader::errorString()
{
    return loaderState().installed ? QString() : loaderState().error;
}

void ViewerSurfaceLoader::setFactory(ViewerSurfaceFactory *factory)
{
    loaderState().installed = factory;
}

QStringList ViewerSurfaceLoader::searchPaths()
{
    QStringList paths;
    if (const QString explicitPath = qEnvironmentVariable("BANATA_VIEWER_PLUGIN"); !explicitPath.isEmpty())
        paths << explicitPath;
    const QString appDir = QCoreApplication::applicationDirPath();
    paths << appDir + u"/banata-viewer.so"_s
          << QDir::cleanPath(appDir + u"/../lib/banata-operator/banata-viewer.so"_s);
    return paths;
}

} // namespace banata
