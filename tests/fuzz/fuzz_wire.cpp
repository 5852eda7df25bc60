// SPDX-License-Identifier: MIT
// Fuzz target `wire`: every wire type the client reads from API responses and the server reads
// from request bodies. The first byte picks the type (see kParsers), the rest is the JSON.
// Invariants: no crash, no exception, no UB; a rejection is a short readable message; whatever
// is accepted writes JSON that reads back to the same value (the server and the client agree).
#include <array>
#include <fuzzer/FuzzedDataProvider.h>

#include "core/artifact.h"
#include "core/checkpoint.h"
#include "core/client/apiresult.h"
#include "core/document.h"
#include "core/exec.h"
#include "core/handoff.h"
#include "core/health.h"
#include "core/lifecycle.h"
#include "core/preview.h"
#include "core/sandbox.h"
#include "core/task.h"
#include "fuzzcheck.h"

using namespace banata;

namespace {

/// Reads \a json with \a parse; on success writes it with \a write, reads that back and checks
/// that the second value writes the same bytes. Returns the parsed value for extra checks.
template <typename T, typename Parse, typename Write>
std::optional<T> roundTrip(const Json &json, Parse parse, Write write)
{
    Parsed<T> first = parse(json);
    if (!first) {
        fuzz::checkError(first.error());
        return std::nullopt;
    }
    const Json written = write(first.value());
    const Parsed<T> second = parse(fuzz::reparsed(written));
    FUZZ_CHECK_MSG(second.ok(), second.ok() ? QString() : second.error());
    FUZZ_CHECK_MSG(dumpJson(write(second.value())) == dumpJson(written),
                   QString::fromUtf8(dumpJson(written).left(400)));
    return std::move(first).value();
}

template <typename T> std::optional<T> roundTripMember(const Json &json)
{
    return roundTrip<T>(json, &T::fromJson, [](const T &value) { return value.toJson(); });
}

template <typename T, typename Parse, typename Write>
void roundTripList(const Json &json, Parse parse, Write write)
{
    roundTrip<QList<T>>(json, parse, write);
}

void checkSandbox(const Json &json)
{
    const auto sandbox = roundTripMember<Sandbox>(json);
    if (!sandbox)
        return;
    // What the app derives from a state must hold for every state a server may send.
    const SandboxStatus status = sandbox->status;
    FUZZ_CHECK(sandboxStatusFromString(toString(status)) == status);
    if (isTerminal(status))
        FUZZ_CHECK(!canKill(status) && !canTransition(status, SandboxStatus::Failed));
    FUZZ_CHECK(!eventTypeForTransition(SandboxStatus::Queued, status).isEmpty());
}

void checkCreateRequest(const Json &json)
{
    const auto request = roundTripMember<CreateSandboxRequest>(json);
    if (!request)
        return;
    FUZZ_CHECK(request->env.size() <= 256);
    FUZZ_CHECK(!request->name || request->name->size() <= 128);
}

void checkArtifact(const Json &json)
{
    if (const auto artifact = roundTripMember<Artifact>(json))
        FUZZ_CHECK(artifactKeyProblem(artifact->key).isEmpty());
}

using Check = void (*)(const Json &);

// One entry per type; the seed corpus names its files after these indexes ('A' + index).
const std::array<Check, 30> kParsers = {
    &checkSandbox,
    [](const Json &j) { roundTripMember<SandboxPage>(j); },
    &checkCreateRequest,
    [](const Json &j) { roundTripMember<Capabilities>(j); },
    [](const Json &j) { roundTripMember<Health>(j); },
    [](const Json &j) { roundTripMember<Checkpoint>(j); },
    [](const Json &j) { roundTripList<Checkpoint>(j, &checkpointListFromJson, &checkpointListToJson); },
    [](const Json &j) { roundTripMember<RestoreResult>(j); },
    [](const Json &j) { roundTripMember<WriteResult>(j); },
    [](const Json &j) { roundTripMember<AgentTask>(j); },
    [](const Json &j) { roundTripList<AgentTask>(j, &taskListFromJson, &taskListToJson); },
    [](const Json &j) { roundTripMember<PromptRequest>(j); },
    &checkArtifact,
    [](const Json &j) { roundTripList<Artifact>(j, &artifactListFromJson, &artifactListToJson); },
    [](const Json &j) { roundTripMember<ArtifactUrl>(j); },
    [](const Json &j) { roundTripMember<PublishArtifactRequest>(j); },
    [](const Json &j) { roundTripMember<Handoff>(j); },
    [](const Json &j) { roundTripMember<HandoffResponse>(j); },
    [](const Json &j) { roundTripList<Handoff>(j, &handoffListFromJson, &handoffListToJson); },
    [](const Json &j) { roundTripMember<PendingHandoff>(j); },
    [](const Json &j) {
        roundTripList<PendingHandoff>(j, &pendingHandoffListFromJson, &pendingHandoffListToJson);
    },
    [](const Json &j) { roundTripMember<HandoffRequest>(j); },
    [](const Json &j) { roundTripMember<HandoffPreview>(j); },
    [](const Json &j) { roundTripMember<ExecRequest>(j); },
    [](const Json &j) { roundTripMember<CodeRequest>(j); },
    [](const Json &j) { roundTripMember<ExecResult>(j); },
    [](const Json &j) { roundTripMember<ConvertDocumentRequest>(j); },
    [](const Json &j) { roundTripMember<DocumentConversion>(j); },
    [](const Json &j) { roundTripMember<PreviewState>(j); },
    [](const Json &j) { roundTripMember<ViewerUrl>(j); },
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzedDataProvider provider(data, size);
    const std::vector<uint8_t> selector = provider.ConsumeBytes<uint8_t>(1);
    if (selector.empty())
        return 0;
    const std::string rest = provider.ConsumeRemainingBytesAsString();
    const auto json = parseJson(QByteArray(rest.data(), qsizetype(rest.size())));
    if (!json) {
        fuzz::checkError(json.error());
        return 0;
    }
    const auto index = uint8_t(selector[0] - uint8_t('A')) % kParsers.size();
    kParsers[index](*json);
    return 0;
}
