// SPDX-License-Identifier: MIT
// The Files tab's tree budget with a real banata-local and a real QTreeView (offscreen is fine): a
// workspace folder of 100,000 files (made inside the sandbox by one command) is expanded, and the
// time runs from the listing request until the view has painted it, through WorkspaceSortProxy
// sorted by name with uniform row heights. Then a live refresh of that folder (one file changed,
// one removed, one added: list + merge + paint), the merge alone (the same 100,000-entry listing
// applied again), and one filter keystroke. Medians of N runs; budget: 1 s end to end.
// The listing's own cost is shown apart: through the API client (server + wire + parse), and the
// parse, the model fill and the proxy sort of the same bytes on their own.
// Usage: QT_QPA_PLATFORM=offscreen bench_tree [runs=5] [files=100000]
#include <algorithm>
#include <cstdio>
#include <functional>

#include <QApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QNetworkReply>
#include <QTreeView>

#include "models/workspacesortproxy.h"
#include "session/connection.h"
#include "session/filessession.h"
#include "support/servertestbase.h"

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {
constexpr int kWaitMs = 60000;
constexpr double kBudgetMs = 1000;

/// A tree view that notes when it has finished painting its viewport.
class PaintedView final : public QTreeView
{
public:
    bool painted = false;

protected:
    void paintEvent(QPaintEvent *event) override
    {
        QTreeView::paintEvent(event);
        painted = true;
    }
};

bool spinUntil(const std::function<bool()> &done, int timeoutMs = kWaitMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!done() && !deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    return done();
}

/// Flushes pending paints, runs \a work, then waits until \a ready holds and the view painted.
double timeUntilPainted(PaintedView &view, const std::function<void()> &work,
                        const std::function<bool()> &ready)
{
    view.viewport()->update();
    spinUntil([&view] { return view.painted; }, 5000);
    view.painted = false;
    QElapsedTimer timer;
    timer.start();
    work();
    if (!spinUntil(ready))
        return -1;
    view.viewport()->update(); // a change that moves nothing on screen still ends with a paint
    view.painted = false;
    if (!spinUntil([&view] { return view.painted; }, 10000))
        return -1;
    return double(timer.nsecsElapsed()) / 1e6;
}

double median(QList<double> samples)
{
    if (samples.isEmpty())
        return -1;
    std::sort(samples.begin(), samples.end());
    return samples.at(samples.size() / 2);
}

QString samplesText(const QList<double> &samples)
{
    QStringList parts;
    for (double s : samples)
        parts.append(QString::number(s, 'f', 0));
    return parts.join(u' ');
}

int fail(const QString &why)
{
    std::fprintf(stderr, "bench_tree: %s\n", qPrintable(why));
    return 1;
}
} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int runs = args.size() > 1 ? qMax(1, args.at(1).toInt()) : 5;
    const int files = args.size() > 2 ? qMax(1, args.at(2).toInt()) : 100000;
    const QString big = u"/workspace/big"_s;

    ServerFixture fixture;
    if (!fixture.start())
        return fail(fixture.errorString());
    const QString id = fixture.createReady();
    if (id.isEmpty())
        return fail(fixture.errorString());

    QElapsedTimer making;
    making.start();
    ExecRequest make;
    make.id = id;
    // No QString::arg here: seq's format has a '%' of its own.
    make.command = u"mkdir -p "_s + big + u" && cd "_s + big + u" && seq -f 'file-%06g.txt' 1 "_s +
                   QString::number(files) + u" | xargs touch && echo small > ../small.txt"_s;
    make.timeoutMs = 300000;
    const auto made = awaitJob(fixture.client().exec(make), 310000);
    if (!made || !made->ok() || made->value().exitCode != 0)
        return fail(u"could not make the files: "_s +
                    (made && made->ok() ? made->value().stderrText : u"exec failed"_s));
    std::printf("made %d files in %s in %.1f s\n", files, qPrintable(big), double(making.elapsed()) / 1000);

    QNetworkAccessManager network;
    Connection connection(
        ConnectionConfig{u"local"_s, u"Local"_s, fixture.server().url(), ConnectionConfig::Kind::Local},
        &network);
    connection.start(fixture.server().apiKey());
    if (!spinUntil([&connection] { return connection.status() == Connection::Status::Online; }))
        return fail(u"the connection did not come online"_s);

    // The wire and the parse alone, for reference: one listing through the API client.
    QList<double> listOnly;
    for (int run = 0; run < runs; ++run) {
        QElapsedTimer timer;
        timer.start();
        const auto listed = awaitJob(connection.client().listFiles(id, big));
        if (!listed || !listed->ok() || listed->value().entries.size() != files)
            return fail(u"listing the folder failed"_s);
        listOnly.append(double(timer.nsecsElapsed()) / 1e6);
    }

    // Where the time goes after the server answered: the JSON parse, the model, the proxy.
    QList<double> parse;
    QList<double> fill;
    QList<double> sorted;
    for (int run = 0; run < runs; ++run) {
        QNetworkRequest request(
            fixture.server().url().resolved(QUrl(u"/v1/sandboxes/fs/list?id="_s + id + u"&path="_s +
                                                 QString::fromLatin1(QUrl::toPercentEncoding(big)))));
        request.setRawHeader("Authorization", "Bearer " + fixture.server().apiKey().toUtf8());
        QNetworkReply *reply = network.get(request);
        spinUntil([reply] { return reply->isFinished(); });
        const QByteArray body = reply->readAll();
        reply->deleteLater();
        QElapsedTimer timer;
        timer.start();
        const Parsed<Json> json = parseJson(body);
        const Parsed<FileListing> listing =
            json ? FileListing::fromJson(json.value()) : Parsed<FileListing>::failure(json.error());
        if (!listing)
            return fail(u"the listing did not parse: "_s + listing.error());
        parse.append(double(timer.nsecsElapsed()) / 1e6);
        WorkspaceTreeModel model;
        model.reset(big);
        timer.restart();
        model.setListing(listing.value());
        fill.append(double(timer.nsecsElapsed()) / 1e6);
        WorkspaceSortProxy proxy;
        proxy.setSourceModel(&model);
        timer.restart();
        proxy.sort(WorkspaceTreeModel::NameColumn, Qt::AscendingOrder);
        if (proxy.rowCount() != files)
            return fail(u"the proxy lost rows"_s);
        sorted.append(double(timer.nsecsElapsed()) / 1e6);
    }

    QList<double> endToEnd;
    QList<double> afterListing;
    QList<double> refresh;
    QList<double> mergeOnly;
    QList<double> filter;
    for (int run = 0; run < runs; ++run) {
        // A fresh Files tab each run: nothing cached anywhere but in the server's page cache.
        FilesSession session(&connection, id);
        WorkspaceTreeModel *tree = session.tree();
        WorkspaceSortProxy proxy;
        proxy.setSourceModel(tree);
        PaintedView view;
        view.setUniformRowHeights(true);
        view.setModel(&proxy);
        view.setSortingEnabled(true);
        view.sortByColumn(WorkspaceTreeModel::NameColumn, Qt::AscendingOrder);
        view.resize(1000, 700);
        view.show();
        session.setActive(true);
        if (!spinUntil([tree, big] { return tree->indexForPath(big).isValid(); }))
            return fail(u"the workspace was not listed"_s);

        // When the listing lands (its rows go in), to tell the tree's share from the listing's.
        QElapsedTimer clock;
        double landed = -1;
        const QMetaObject::Connection landing =
            QObject::connect(tree, &QAbstractItemModel::rowsAboutToBeInserted, &view,
                             [&clock, &landed, files](const QModelIndex &, int first, int last) {
                                 if (last - first + 1 == files)
                                     landed = double(clock.nsecsElapsed()) / 1e6;
                             });
        clock.start();
        const double shown = timeUntilPainted(
            view, [&] { view.expand(proxy.mapFromSource(tree->indexForPath(big))); },
            [&] {
                return tree->entryCount(big) == files &&
                       proxy.rowCount(proxy.mapFromSource(tree->indexForPath(big))) == files;
            });
        QObject::disconnect(landing);
        if (shown < 0 || landed < 0)
            return fail(u"the big folder was not shown"_s);
        endToEnd.append(shown);
        afterListing.append(shown - landed);

        // Live refresh: a command changes one file, removes one and adds one; the server's
        // watcher reports it (or, without one, the session is told) and the view shows it.
        const QString added = big + u"/new-"_s + QString::number(run) + u".txt"_s;
        ExecRequest change;
        change.id = id;
        change.command = u"cd "_s + big + u" && echo changed > file-000002.txt && rm -f file-"_s +
                         QString::number(files / 2 + run).rightJustified(6, u'0') + u".txt && touch "_s +
                         added;
        const bool watched = connection.supports(u"fs.watch"_s);
        refresh.append(timeUntilPainted(
            view,
            [&] {
                ExecJob *job = connection.client().exec(change);
                QObject::connect(job, &ExecJob::finished, &view, [&, watched](const ApiResult<ExecResult> &) {
                    if (!watched)
                        tree->refreshPaths({added});
                });
            },
            [&] { return tree->indexForPath(added).isValid(); }));
        spinUntil([&] { return !tree->isLoading(big); });

        // The merge alone: the same listing once more (nothing changes, every row compared).
        const auto listed = awaitJob(connection.client().listFiles(id, big));
        if (!listed || !listed->ok())
            return fail(u"listing the folder failed"_s);
        FileListing again = listed->value();
        again.path = big;
        mergeOnly.append(timeUntilPainted(
            view, [&] { tree->setListing(again); }, [] { return true; }));

        filter.append(timeUntilPainted(
            view, [&] { proxy.setNameFilter(u"0500"_s); },
            [&] { return proxy.rowCount(proxy.mapFromSource(tree->indexForPath(big))) < files; }));
        proxy.setNameFilter(QString());
    }

    std::printf("runs: %d, files: %d\n", runs, files);
    std::printf("listing through the API (wire + parse)   median %7.1f ms  [%s]\n", median(listOnly),
                qPrintable(samplesText(listOnly)));
    std::printf("  JSON parse + FileListing::fromJson      median %7.1f ms  [%s]\n", median(parse),
                qPrintable(samplesText(parse)));
    std::printf("  WorkspaceTreeModel fill                 median %7.1f ms  [%s]\n", median(fill),
                qPrintable(samplesText(fill)));
    std::printf("  WorkspaceSortProxy sort by name         median %7.1f ms  [%s]\n", median(sorted),
                qPrintable(samplesText(sorted)));
    std::printf("expand -> listed, merged, sorted, painted median %7.1f ms  [%s]  budget %.0f ms: %s\n",
                median(endToEnd), qPrintable(samplesText(endToEnd)), kBudgetMs,
                median(endToEnd) <= kBudgetMs ? "OK" : "OVER");
    std::printf(
        "  of which after the listing landed       median %7.1f ms  [%s]  (merge, proxy, layout, paint)\n",
        median(afterListing), qPrintable(samplesText(afterListing)));
    std::printf("command writes -> shown (watch+list+merge) median %7.1f ms  [%s]\n", median(refresh),
                qPrintable(samplesText(refresh)));
    std::printf("merge of an unchanged listing + paint     median %7.1f ms  [%s]\n", median(mergeOnly),
                qPrintable(samplesText(mergeOnly)));
    std::printf("filter keystroke + paint                  median %7.1f ms  [%s]\n", median(filter),
                qPrintable(samplesText(filter)));
    return median(endToEnd) <= kBudgetMs ? 0 : 2;
}
