// SPDX-License-Identifier: MIT
// banata-local: a local server speaking the Banata REST API with real sandboxes.
#include "serverapp.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QSocketNotifier>
#include <QStandardPaths>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <sys/resource.h>
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

/// Every sandbox holds a few of our descriptors (control socket, pipes) and every client one:
/// the soft limit most desktops give (1024) runs out near 300 sandboxes ("pipe: Too many open
/// files"). Take what the hard limit allows; the kernel caps it at fs.nr_open.
void raiseOpenFileLimit()
{
    rlimit limit = {};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max)
        return;
    limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, rlim_t(1) << 20);
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0)
        std::fprintf(stderr, "banata-local: could not raise the open-file limit\n");
}
} // namespace

int main(int argc, char *argv[])
{
    raiseOpenFileLimit();
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
    QCommandLineOption agent(u"agent-command"_s,
                             u"Shell command run inside the sandbox for each agent prompt, with the prompt in "
                             u"BANATA_PROMPT (default: $BANATA_AGENT_COMMAND; none: prompts fail)."_s,
                             u"command"_s, qEnvironmentVariable("BANATA_AGENT_COMMAND"));
    QCommandLineOption agentTimeout(u"agent-timeout"_s, u"Seconds an agent task may run (default 1800)."_s,
                                    u"seconds"_s, u"1800"_s);
    QCommandLineOption webhookRetry(u"webhook-retry-base-ms"_s,
                                    u"Wait before the first webhook retry, doubling per attempt up to 10 min (default 1000)."_s,
                                    u"ms"_s, u"1000"_s);
    QCommandLineOption webhookAttempts(u"webhook-max-attempts"_s,
                                       u"Attempts per webhook delivery before it is marked failed (default 8)."_s, u"n"_s,
                                       u"8"_s);
    parser.addOptions({dataDir, port, pause, rate, agent, agentTimeout});
    parser.addOptions({webhookRetry, webhookAttempts});
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

    options.agentCommand = parser.value(agent);
    const qint64 agentSeconds = parser.value(agentTimeout).toLongLong(&ok);
    if (!ok || agentSeconds <= 0) {
        std::fprintf(stderr, "banata-local: --agent-timeout must be a positive number of seconds\n");
        return 2;
    }
    options.agentTimeoutMs = agentSeconds * 1000;
    options.webhookRetryBaseMs = parser.value(webhookRetry).toInt(&ok);
    if (!ok || options.webhookRetryBaseMs < 1) {
        std::fprintf(stderr, "banata-local: --webhook-retry-base-ms must be a positive number\n");
        return 2;
    }
    options.webhookMaxAttempts = parser.value(webhookAttempts).toInt(&ok);
    if (!ok || options.webhookMaxAttempts < 1 || options.webhookMaxAttempts > 100) {
        std::fprintf(stderr, "banata-local: --webhook-max-attempts must be a number from 1 to 100\n");
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
