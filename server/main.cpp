// SPDX-License-Identifier: MIT
// banata-local: a local server speaking the Banata REST API with real sandboxes.
#include "serverapp.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QSocketNotifier>
#include <QStandardPaths>

#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {
int g_signalPipe[2] = {-1, -1};

void onSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] auto ignored = ::write(g_signalPipe[1], &byte, 1);
}

/// SIGINT/SIGTERM end the event loop cleanly; sandboxes keep running and are re-attached next time.
void quitOnSignals(QCoreApplication &app)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, g_signalPipe) != 0)
        return;
    auto *notifier = new QSocketNotifier(g_signalPipe[0], QSocketNotifier::Read, &app);
    QObject::connect(notifier, &QSocketNotifier::activated, &app, [&app] { app.quit(); });
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
}
} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"banata-local"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(BANATA_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"A local server speaking the Banata REST API, with real sandboxes (bubblewrap), state in SQLite\n"
        u"and a live event stream. For one machine: point clients at the Banata cloud to scale out.\n"
        u"Every request needs 'Authorization: Bearer <key>' with the key from <data-dir>/api-key."_s);
    parser.addHelpOption();
    parser.addVersionOption();
    const QString defaultData =
        QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + u"/banata-local"_s;
    QCommandLineOption dataDir(u"data-dir"_s, u"Where sandboxes, state and the API key live (default %1)."_s.arg(defaultData),
                               u"dir"_s, defaultData);
    QCommandLineOption port(u"port"_s, u"TCP port on 127.0.0.1; 0 picks a free one (default 8787)."_s, u"port"_s, u"8787"_s);
    QCommandLineOption pause(u"pause-method"_s, u"How pause freezes processes: auto, cgroup or signals (default auto)."_s,
                             u"method"_s, u"auto"_s);
    QCommandLineOption rate(u"rate-limit"_s, u"Requests per minute before 429 with Retry-After; 0 = unlimited (default 0)."_s,
                            u"n"_s, u"0"_s);
    parser.addOptions({dataDir, port, pause, rate});
    parser.process(app);

    banata::server::ServerOptions options;
    options.dataDir = parser.value(dataDir);
    bool ok = false;
    const uint portValue = parser.value(port).toUInt(&ok);
    if (!ok || portValue > 65535) {
        std::fprintf(stderr, "banata-local: --port must be a number from 0 to 65535\n");
        return 2;
    }
    options.port = quint16(portValue);
    options.pauseMethod = parser.value(pause);
    options.rateLimitPerMinute = parser.value(rate).toInt(&ok);
    if (!ok || options.rateLimitPerMinute < 0) {
        std::fprintf(stderr, "banata-local: --rate-limit must be a non-negative number\n");
        return 2;
    }

    quitOnSignals(app);
    banata::server::ServerApp server(options);
    QString error;
    if (!server.start(&error)) {
        std::fprintf(stderr, "banata-local: %s\n", qPrintable(error));
        return 1;
    }
    std::printf("Listening on %s\n", qPrintable(server.baseUrl()));
    std::fflush(stdout);
    return app.exec();
}
