// SPDX-License-Identifier: MIT
// Fuzz target `events`: the `/v1/events` stream as the client reads it. The input is a run of
// WebSocket text messages, one per line, fed in order to readEventMessage() the way EventStream
// does; the whole input is also read as one Event and as an EventPage (the history route).
// Invariants: no crash or UB; a malformed message is skipped with a short reason; delivered
// sequence numbers strictly grow (until a stream.reset), duplicates are never delivered; an
// accepted event or page writes JSON that reads back the same.
#include "core/client/eventmessage.h"
#include "core/event.h"
#include "fuzzcheck.h"

using namespace banata;

namespace {

void checkStream(QByteArrayView input)
{
    qint64 lastSeq = -1;
    qsizetype start = 0;
    while (start <= input.size()) {
        qsizetype end = input.indexOf('\n', start);
        if (end < 0)
            end = input.size();
        const QByteArrayView message = input.sliced(start, end - start);
        start = end + 1;
        const EventMessage read = readEventMessage(message, lastSeq);
        switch (read.kind) {
        case EventMessage::Kind::Malformed:
            fuzz::checkError(read.error);
            break;
        case EventMessage::Kind::Reset:
            FUZZ_CHECK(read.event.type == QLatin1StringView(kStreamResetEvent));
            lastSeq = read.event.seq;
            break;
        case EventMessage::Kind::Duplicate:
            FUZZ_CHECK(read.event.seq <= lastSeq);
            break;
        case EventMessage::Kind::Deliver: {
            FUZZ_CHECK(read.event.seq > lastSeq && read.event.seq >= 0);
            lastSeq = read.event.seq;
            // What the app stores and shows reads back as the same event.
            const QByteArray written = dumpJson(read.event.toJson());
            const EventMessage again = readEventMessage(written, -1);
            FUZZ_CHECK(again.kind == EventMessage::Kind::Deliver);
            FUZZ_CHECK(dumpJson(again.event.toJson()) == written);
            break;
        }
        }
    }
}

template <typename T> void roundTrip(const Json &json)
{
    const Parsed<T> first = T::fromJson(json);
    if (!first) {
        fuzz::checkError(first.error());
        return;
    }
    const Json written = first->toJson();
    const Parsed<T> second = T::fromJson(fuzz::reparsed(written));
    FUZZ_CHECK_MSG(second.ok(), second.ok() ? QString() : second.error());
    FUZZ_CHECK(dumpJson(second->toJson()) == dumpJson(written));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView input = fuzz::bytes(data, size);
    checkStream(input);
    if (const auto json = parseJson(input.toByteArray())) {
        roundTrip<Event>(*json);
        roundTrip<EventPage>(*json);
    }
    return 0;
}
