// SPDX-License-Identifier: MIT
#pragma once

#include "support/fakenetwork.h"

#include "core/handoff.h"
#include "core/sandbox.h"

#include <QElapsedTimer>
#include <QStringList>
#include <QTimer>

#include <functional>
#include <optional>

class QUrlQuery;

namespace banata::test {

/// The extensions banata-local announces, minus `events` (a fake has no stream unless a test
/// pairs it with a FakeEventServer and adds it).
QStringList fakeLocalExtensions();
/// Sandbox number \a i: id "sb_<i>", newer for smaller i (lists are newest first).
Sandbox fakeSandbox(int i, SandboxStatus status = SandboxStatus::Ready, qint64 updatedAt = 1000);
/// A Banata error body: {"error": message, "code": code}.
QByteArray fakeErrorBody(const char *message, const char *code);

/**
 * The HTTP side of a Banata server for unit tests, played by a FakeNetworkAccessManager: health,
 * the paged sandbox list (cursor = offset) with ETags and 304s, and the active handoffs. Tests
 * change its fields to make it misbehave. Usage:
 *   FakeBanata fake;
 *   fake.sandboxes = {fakeSandbox(1), fakeSandbox(2)};
 *   fake.health = FakeReplySpec::json(500, fakeErrorBody("boom", "INTERNAL"));
 *   Connection connection(config, &fake.network);
 */
struct FakeBanata
{
    FakeNetworkAccessManager network;
    QList<Sandbox> sandboxes; ///< newest first, as the server lists them
    QStringList extensions = fakeLocalExtensions();
    std::optional<FakeReplySpec> health;      ///< answers /v1/health instead of the normal answer
    std::optional<FakeReplySpec> listAll;     ///< answers every list request while set
    std::function<void(int page)> onListPage; ///< called when a page is asked for (0 = first)
    QList<PendingHandoff> pendingHandoffs;
    qsizetype pageChunkSize = 64 * 1024; ///< small: a page takes many event-loop passes to arrive
    int listRequests = 0;
    int healthRequests = 0;

    FakeBanata();
    Q_DISABLE_COPY_MOVE(FakeBanata)

private:
    FakeReplySpec answer(const QNetworkRequest &request, const QByteArray &verb);
    FakeReplySpec healthAnswer() const;
    FakeReplySpec listAnswer(const QNetworkRequest &request, const QUrlQuery &query);
};

/// Measures the longest time the event loop went without running a 10 ms timer: a test's proof
/// that nothing blocked it.
class Heartbeat
{
public:
    Heartbeat();
    Q_DISABLE_COPY_MOVE(Heartbeat)
    qint64 longestGapMs() const { return m_longest; }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_longest = 0;
};

} // namespace banata::test
