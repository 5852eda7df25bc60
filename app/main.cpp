// SPDX-License-Identifier: MIT
// banata-operator: the operators' desktop app. Everything lives in the libraries; this only
// reads the command line and hands over to the composition root.
#include "app/appcontroller.h"
#include "app/commandline.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QIcon>

#include <cstdio>

using namespace Qt::StringLiterals;

int main(int argc, char *argv[])
{
    // The Browser tab's web view (a plugin loaded on first use) needs this before the app exists.
    QCoreApplication::setAttribute(Qt::AA_ShareOpenGLContexts);
    QApplication app(argc, argv);
    QApplication::setOrganizationName(u"Banata"_s);
    QApplication::setApplicationName(u"banata-operator"_s);
    QApplication::setApplicationDisplayName(u"Banata Operator"_s);
    QApplication::setApplicationVersion(QStringLiteral(BANATA_VERSION));
    // The installed desktop entry, icon and AppStream id (installer/): Wayland's app_id.
    QApplication::setDesktopFileName(u"dev.banata.Operator"_s);

    const banata::CommandLine commandLine = banata::parseCommandLine(QApplication::arguments());
    if (commandLine.exitNow) {
        std::fputs(qPrintable(commandLine.message + u'\n'), commandLine.exitCode == 0 ? stdout : stderr);
        return commandLine.exitCode;
    }

    banata::AppController controller(commandLine.options);
    controller.window()->show();
    controller.start();
    return QApplication::exec();
}
