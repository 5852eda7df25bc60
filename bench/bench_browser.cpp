// SPDX-License-Identifier: MIT
// The browser budgets (product.md §6): create→ready with Chromium, viewer frames per second at
// 1280×800 while a page animates, and click → changed frame latency. Starts its own banata-local.
// Usage: bench_browser [sandboxes=10] [clicks=30]
#include "support/servertestbase.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QTcpServer>
#include <QWebSocket>

#include <algorithm>
#include <cstdio>

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {
void row(const char *what, QList<double> samples, const char *budget)
{
    std::sort(samples.begin(), samples.end());
    const auto at = [&](double q) { return samples.isEmpty() ? 0.0 : samples[qsizetype(q * (samples.size() - 1))]; };
    std::printf("| %s | %lld | %.1f | %.1f | %.1f | %.1f | %s |\n", what, static_cast<long long>(samples.size()), at(0.5),
                at(0.95), samples.isEmpty() ? 0.0 : samples.first(), samples.isEmpty() ? 0.0 : samples.last(), budget);
}

bool serve(ServerFixture &fixture, const QString &id, const QByteArray &html, quint16 port)
{
    QFile page(fixture.workspaceOf(id) + u"/index.html"_s);
    if (!page.open(QIODevice::WriteOnly))
        return false;
    page.write(html);
    page.close();
    ExecRequest request;
    request.id = id;
    request.command = u"cd /workspace && (python3 -m http.server %1 --bind 127.0.0.1 >/dev/null 2>&1 &) && "
                      u"for i in $(seq 200); do python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", %1))' "
                      u"2>/dev/null && exit 0; sleep 0.05; done; exit 1"_s.arg(port);
    auto served = awaitJob(fixture.client().exec(request));
    if (!served || !served->ok() || served->value().exitCode != 0)
        return false;
    auto navigated = awaitJob(fixture.client().navigatePreview(id, u"http://127.0.0.1:%1/index.html"_s.arg(port)));
    return navigated && navigated->ok();
}
} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int sandboxes = argc > 1 ? std::max(1, atoi(argv[1])) : 10;
    const int clicks = argc > 2 ? std::max(1, atoi(argv[2])) : 30;
    ServerFixture fixture;
    if (!fixture.start()) {
        std::fprintf(stderr, "cannot start banata-local: %s\n", qPrintable(fixture.errorString()));
        return 1;
    }

    // create → sandbox.browser.ready, one at a time.
    QList<double> ready;
    QString id;
    for (int i = 0; i < sandboxes; ++i) {
        CreateSandboxRequest request;
        request.capabilities = Capabilities{};
        request.capabilities->browser = BrowserCapability{};
        QElapsedTimer clock;
        clock.start();
        auto created = awaitJob(fixture.client().createSandbox(request));
        if (!created || !created->ok())
            return 1;
        id = created->value().id;
        if (!waitUntil([&] { return fixture.sawEvent(id, u"sandbox.browser.ready"_s); }, 30000))
            return 1;
        ready.append(clock.nsecsElapsed() / 1e6);
        if (i + 1 < sandboxes)
            awaitJob(fixture.client().killSandbox(id));
    }

    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    const quint16 port = probe.serverPort();
    probe.close();
    // A full-viewport animation for the frame rate; a click flips the colour for the latency.
    if (!serve(fixture, id, "<!doctype html><title>bench</title><style>body{margin:0}</style>"
                            "<canvas id=c width=1280 height=800></canvas><script>"
                            "const c=document.getElementById('c').getContext('2d');let t=0,on=false,anim=true;"
                            "document.onmousedown=()=>{anim=false;on=!on;c.fillStyle=on?'#c00':'#0c0';c.fillRect(0,0,1280,800)};"
                            "function f(){if(anim){t++;c.fillStyle='hsl('+(t%360)+',80%,50%)';c.fillRect(0,0,1280,800);"
                            "c.fillStyle='#fff';c.font='120px sans-serif';c.fillText(t,100,400);}requestAnimationFrame(f)}f();"
                            "</script>"_ba, port))
        return 1;
    auto viewer = awaitJob(fixture.client().previewViewerUrl(id));
    if (!viewer || !viewer->ok())
        return 1;
    QUrl socketUrl(viewer->value().url);
    socketUrl.setScheme(u"ws"_s);
    socketUrl.setPath(u"/v1/viewer/socket"_s);
    QWebSocket socket;
    QList<qint64> frameTimes;
    QElapsedTimer clock;
    clock.start();
    QObject::connect(&socket, &QWebSocket::binaryMessageReceived, &socket,
                     [&](const QByteArray &) { frameTimes.append(clock.nsecsElapsed()); });
    socket.open(socketUrl);
    if (!waitUntil([&] { return frameTimes.size() >= 5; }, 15000))
        return 1;
    const qsizetype firstFrame = frameTimes.size();
    const qint64 from = clock.nsecsElapsed();
    waitUntil([] { return false; }, 5000);
    const double fps = (frameTimes.size() - firstFrame) / ((clock.nsecsElapsed() - from) / 1e9);

    // Shared control, then clicks: each flips the page's colour and stops the animation.
    HandoffRequest handoff;
    handoff.id = id;
    handoff.reason = u"custom"_s;
    handoff.message = u"bench"_s;
    awaitJob(fixture.client().requestHandoff(handoff));
    waitUntil([] { return false; }, 500);
    QList<double> latency;
    // Click 0 stops the animation and is not counted: its "next frame" may be an animation frame.
    for (int i = -1; i < clicks; ++i) {
        waitUntil([] { return false; }, 150); // let the previous frame settle
        const qsizetype before = frameTimes.size();
        const qint64 sent = clock.nsecsElapsed();
        for (const char *kind : {"down", "up"})
            socket.sendTextMessage(QString::fromUtf8(dumpJson({{"type", "mouse"}, {"event", kind}, {"x", 640}, {"y", 400},
                                                               {"button", "left"}, {"buttons", 1}, {"clickCount", 1}})));
        if (waitUntil([&] { return frameTimes.size() > before; }, 2000) && i >= 0)
            latency.append((frameTimes[before] - sent) / 1e6);
    }

    std::printf("| what | n | p50 ms | p95 ms | min ms | max ms | budget |\n|---|---|---|---|---|---|---|\n");
    row("create → browser ready (Chromium in the sandbox)", ready, "p50 ≤ 1000 ms");
    row("viewer click → next frame (1280×800, shared control)", latency, "p95 ≤ 150 ms");
    std::printf("\nviewer frames per second at 1280×800 while the page animates: %.1f (budget ≥ 20)\n", fps);
    return 0;
}
