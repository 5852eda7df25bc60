// SPDX-License-Identifier: MIT
// The live browser through the app (product.md §6), with a real banata-local, Chromium, the
// real viewer plugin and Qt WebEngine (run under Xvfb):
//  - Browser tab opened → first frame drawn: the first time (plugin, WebEngine and its processes
//    start) and then switching between two sandboxes (a new view and profile each time);
//  - frames per second the app's view draws while the remote page animates at 1280×800;
//  - click in the app's view → the changed frame drawn (the viewer page's own clock, from the
//    input it sent to the next frame it drew), p50/p95;
//  - memory: the app's RSS before and after the first Browser tab, and the WebEngine processes'.
// Usage: tests/support/xvfb-run.sh env QTWEBENGINE_CHROMIUM_FLAGS=--no-sandbox
//            BANATA_VIEWER_PLUGIN=build/app/banata-viewer.so build/bench/bench_viewer [switches] [clicks]
#include <algorithm>
#include <cstdio>

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTabBar>
#include <QTabWidget>
#include <QTest>
#include <QWebEnginePage>
#include <QWebEngineView>

#include "guitest.h"
#include "webenginetest.h"
#include "session/browsersession.h"
#include "session/sandboxsession.h"
#include "support/awaitjob.h"
#include "ui/browserpanel.h"
#include "ui/mainwindow.h"
#include "ui/sandboxdetailwidget.h"

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {

void row(const char *what, QList<double> samples, const char *unit, const char *budget)
{
    std::sort(samples.begin(), samples.end());
    const auto at = [&](double q) {
        return samples.isEmpty() ? 0.0 : samples[qsizetype(q * double(samples.size() - 1))];
    };
    std::printf("| %s | %lld | %.1f %s | %.1f %s | %.1f %s | %s |\n", what,
                static_cast<long long>(samples.size()), at(0.5), unit, at(0.95), unit,
                samples.isEmpty() ? 0.0 : samples.last(), unit, budget);
    std::fflush(stdout);
}

double rssMiB(const QString &pid = u"self"_s)
{
    QFile status(u"/proc/"_s + pid + u"/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toDouble() / 1024.0;
    }
    return 0;
}

// Every QtWebEngineProcess on the machine (the bench runs alone: they are this app's), summed.
double webEngineProcessesRssMiB()
{
    double total = 0;
    for (const QString &pid : QDir(u"/proc"_s).entryList(QDir::Dirs)) {
        QFile cmdline(u"/proc/"_s + pid + u"/cmdline"_s);
        if (pid.toInt() == 0 || !cmdline.open(QIODevice::ReadOnly) ||
            !cmdline.readAll().contains("QtWebEngineProcess"))
            continue;
        total += rssMiB(pid);
    }
    return total;
}

QWebEnginePage *pageOf(BrowserPanel *panel)
{
    QWidget *widget = panel && panel->surface() ? panel->surface()->widget() : nullptr;
    auto *view = qobject_cast<QWebEngineView *>(widget);
    if (!view && widget)
        view = widget->findChild<QWebEngineView *>();
    return view ? view->page() : nullptr;
}

void runFor(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

bool writePage(const GuiFixture &fixture, const QString &id, const QString &path, const QByteArray &html)
{
    FileWriteRequest write;
    write.id = id;
    write.path = path;
    write.bytes = html;
    const auto written = awaitJob(fixture.client().writeFile(write));
    return written && written->ok();
}

} // namespace

int main(int argc, char **argv)
{
    prepareWebEngine();
    QApplication app(argc, argv);
    const int switches = argc > 1 ? std::max(1, atoi(argv[1])) : 10;
    const int clicks = argc > 2 ? std::max(1, atoi(argv[2])) : 30;

    GuiFixture fixture;
    if (!fixture.start()) {
        std::fprintf(stderr, "cannot start: %s\n", qPrintable(fixture.errorString()));
        return 1;
    }
    MainWindow *window = fixture.window();
    window->resize(1600, 1000);
    const Sandbox first = fixture.createBrowserSandbox(u"bench-a"_s);
    const Sandbox second = fixture.createBrowserSandbox(u"bench-b"_s);
    if (first.id.isEmpty() || second.id.isEmpty())
        return 1;

    std::printf("| what | n | p50 | p95 | max | budget |\n|---|---|---|---|---|---|\n");
    // 1. Browser tab → first frame drawn.
    window->openSandbox(fixture.keyOf(first.id));
    waitUntil([&] { return window->detail()->key().sandboxId == first.id; }, 5000);
    const double rssBefore = rssMiB();
    auto *tabs = fixture.find<QTabWidget>(u"detailTabs"_s);
    QElapsedTimer clock;
    clock.start();
    QTest::mouseClick(tabs->tabBar(), Qt::LeftButton, {},
                      tabs->tabBar()->tabRect(SandboxDetailWidget::BrowserTab).center());
    const auto live = [&] {
        BrowserPanel *panel = window->detail()->browserPanel();
        return panel && panel->viewerState() == ViewerState::Live;
    };
    if (!waitUntil(live, 60000)) {
        std::fprintf(stderr, "the first Browser tab never went live\n");
        return 1;
    }
    row("Browser tab opened → first frame (first time: plugin, WebEngine start)",
        {double(clock.nsecsElapsed()) / 1e6}, "ms", "—");
    QList<double> switching;
    for (int i = 0; i < switches; ++i) {
        const Sandbox &next = i % 2 == 0 ? second : first;
        clock.restart();
        window->openSandbox(fixture.keyOf(next.id));
        if (!waitUntil([&] { return window->detail()->key().sandboxId == next.id && live(); }, 30000)) {
            std::fprintf(stderr, "switch %d never went live\n", i);
            return 1;
        }
        switching.append(double(clock.nsecsElapsed()) / 1e6);
    }
    row("switch sandbox on the Browser tab → first frame (new view and profile)", switching, "ms", "—");

    // 2. Frames per second while the remote page animates at 1280×800.
    const QByteArray animated =
        "<!doctype html><title>anim</title><style>html,body{margin:0;height:100%}"
        "#b{width:100%;height:100%;background:linear-gradient(90deg,#e66,#66e)}</style><div "
        "id=b></div><script>"
        "let h=0;(function f(){h=(h+3)%360;document.getElementById('b').style.filter='hue-rotate('+h+'deg)';"
        "requestAnimationFrame(f)})()</script>";
    const QByteArray clickable =
        "<!doctype html><title>click</title><style>html,body{margin:0;height:100%}</style>"
        "<script>let n=0;addEventListener('mousedown',()=>{document.body.style.background="
        "(++n%2)?'#111':'#eee'})</script><body></body>";
    if (!writePage(fixture, first.id, u"/workspace/anim.html"_s, animated) ||
        !writePage(fixture, first.id, u"/workspace/click.html"_s, clickable))
        return 1;
    window->openSandbox(fixture.keyOf(first.id));
    waitUntil([&] { return window->detail()->key().sandboxId == first.id && live(); }, 30000);
    awaitJob(fixture.client().resizePreview(first.id, 1280, 800));
    awaitJob(fixture.client().navigatePreview(first.id, u"file:///workspace/anim.html"_s));
    QWebEnginePage *page = pageOf(window->detail()->browserPanel());
    if (!page) {
        std::fprintf(stderr, "no WebEngine page in the view\n");
        return 1;
    }
    runFor(1000); // let the new page's frames settle in
    QList<double> fps;
    for (int i = 0; i < 5; ++i) {
        const double frames0 = js(page, u"window.banataViewerStats.frames"_s).toDouble();
        clock.restart();
        runFor(2000);
        const double frames1 = js(page, u"window.banataViewerStats.frames"_s).toDouble();
        fps.append((frames1 - frames0) * 1000.0 / double(clock.elapsed()));
    }
    row("frames drawn by the app's view per second, 1280×800 animating page (2 s windows)", fps, "fps",
        "≥ 20 fps");

    // 3. Click → changed frame, with the operator holding control.
    HandoffRequest request;
    request.id = first.id;
    request.reason = u"approval"_s;
    request.message = u"bench"_s;
    awaitJob(fixture.client().requestHandoff(request));
    awaitJob(fixture.client().acceptHandoff(first.id, u"ana"_s));
    awaitJob(fixture.client().navigatePreview(first.id, u"file:///workspace/click.html"_s));
    runFor(1000);
    QWidget *view = window->detail()->browserPanel()->surface()->widget();
    QWidget *target = view->focusProxy() ? view->focusProxy() : view;
    QList<double> appSide;
    for (int i = 0; i < clicks; ++i) {
        const int before = js(page, u"window.banataViewerStats.inputToFrameMs.length"_s).toInt();
        clock.restart();
        QTest::mouseClick(target, Qt::LeftButton, {}, QRect(QPoint(), target->size()).center());
        if (!waitUntil(
                [&] {
                    return js(page, u"window.banataViewerStats.inputToFrameMs.length"_s).toInt() >
                           before;
                },
                5000)) {
            std::fprintf(stderr, "click %d: no new frame\n", i);
            continue;
        }
        appSide.append(double(clock.nsecsElapsed()) / 1e6);
        runFor(100);
    }
    QList<double> inPage;
    for (const QVariant &value :
         js(page, u"window.banataViewerStats.inputToFrameMs.slice(-%1)"_s.arg(clicks)).toList())
        inPage.append(value.toDouble());
    row("click → changed frame drawn (viewer page clock)", inPage, "ms", "p95 ≤ 150 ms");
    row("click → changed frame seen by the app (incl. script round trips)", appSide, "ms", "—");

    std::printf(
        "\nRSS: app %.1f MiB before the first Browser tab, %.1f MiB after; WebEngine processes %.1f MiB\n",
        rssBefore, rssMiB(), webEngineProcessesRssMiB());
    return 0;
}
