// SPDX-License-Identifier: MIT
// package_viewer_probe: copied by test_package.sh into the usr/bin/ of an unpacked package, it
// finds the Browser tab's plugin exactly as banata-operator does (ViewerSurfaceLoader: beside
// the executable, then <exe dir>/../lib/banata-operator/) and shows a real viewer URL in it
// until the first frame of the sandbox's Chromium is drawn. That proves the packaged plugin
// loads and that Qt WebEngine's helper process (a Depends of the package) is there.
// Usage: package_viewer_probe <viewer url> <timeout ms>. Exit 0 live, 1 failed, 2 timed out.
#include <cstdio>

#include <QApplication>
#include <QTimer>
#include <QUrl>
#include <QWidget>

#include "ui/viewersurface.h"
#include "ui/viewersurfaceloader.h"

using namespace Qt::StringLiterals;

namespace {

const char *stateName(banata::ViewerState state)
{
    switch (state) {
    case banata::ViewerState::Empty:
        return "empty";
    case banata::ViewerState::Loading:
        return "loading";
    case banata::ViewerState::Connecting:
        return "connecting";
    case banata::ViewerState::Live:
        return "live";
    case banata::ViewerState::Disconnected:
        return "disconnected";
    case banata::ViewerState::Failed:
        return "failed";
    }
    return "?";
}

/// Prints every state the surface reports and ends the program on the first conclusive one.
class Observer final : public banata::ViewerSurfaceObserver
{
public:
    void viewerStateChanged(banata::ViewerState state, const QString &detail) override
    {
        std::printf("viewer state: %s %s\n", stateName(state), qPrintable(detail));
        std::fflush(stdout);
        if (state == banata::ViewerState::Live)
            QCoreApplication::exit(0);
        else if (state == banata::ViewerState::Failed || state == banata::ViewerState::Disconnected)
            QCoreApplication::exit(1);
    }
    void viewerNotice(const banata::ViewerNotice &notice) override
    {
        std::printf("viewer notice: %s\n", qPrintable(notice.text));
    }
};

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication::setAttribute(Qt::AA_ShareOpenGLContexts); // as app/main.cpp, for WebEngine
    QApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    if (args.size() != 3) {
        std::fprintf(stderr, "usage: package_viewer_probe <viewer url> <timeout ms>\n");
        return 2;
    }
    banata::ViewerSurfaceFactory *factory = banata::ViewerSurfaceLoader::factory();
    if (!factory) {
        std::fprintf(stderr, "plugin not loaded: %s\n",
                     qPrintable(banata::ViewerSurfaceLoader::errorString()));
        return 1;
    }
    Observer observer;
    QWidget window;
    window.resize(1024, 700);
    banata::ViewerSurface *surface = factory->createSurface(&observer, &window);
    surface->widget()->resize(window.size());
    window.show();
    surface->open(QUrl(args.at(1)));
    QTimer::singleShot(args.at(2).toInt(), &app, [] {
        std::fprintf(stderr, "no first frame in time\n");
        QCoreApplication::exit(2);
    });
    const int code = QApplication::exec();
    delete surface; // before the observer it reports to
    return code;
}
